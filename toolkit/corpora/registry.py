"""The corpus registry: fetching corpora and dispatching to their loaders.

Cards and locating live in :mod:`toolkit.corpora.cards` (re-exported here). Each known
corpus has one small YAML card in the repository's ``corpora/`` folder
(name, description, source DOI/URL, licence, citation, known releases with SHA-256,
how to obtain it, and which loader reads it). Raw files live in the data home
(:func:`toolkit.config.get_data_home`), one sub-folder per corpus name:
``<data home>/ungdc/UNGDC_1946-2024.tgz``, ``<data home>/cmfa_ukraine/...``.

:func:`fetch` looks in the data home first, then downloads a release's files to a
temporary file in the target folder, verifies the checksum when the release is known and
moves the file into place atomically. It never overwrites or deletes a user's file.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import http.client
import importlib
import os
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import __version__
from toolkit._validation import check_option
from toolkit.cache import atomic_path, file_sha256
from toolkit.corpora import _dask, generic, ungdc
from toolkit.corpora.cards import (
    ARCHIVE_SUFFIXES,
    TABLE_SUFFIXES,
    _corpus_folder,
    _find,
    _load_cards,
    _not_found_message,
    _release,
    cards_dir,
    corpus_card,
    corpus_names,
    default_corpus_name,
    identify_release,
    list_corpora,
    locate,
)
from toolkit.exceptions import CorpusNotFoundError, FetchError

__all__ = [
    "CorpusNotFoundError",
    "FetchError",
    "cards_dir",
    "corpus_card",
    "corpus_info",
    "corpus_names",
    "default_corpus_name",
    "fetch",
    "identify_release",
    "list_corpora",
    "load_corpus",
    "locate",
]

# --------------------------------------------------------------------------- fetching


def _file_url(card: dict[str, Any], spec: dict[str, Any]) -> str | None:
    if spec.get("url"):
        return str(spec["url"])
    template = card.get("source", {}).get("download_url")
    if template and spec.get("datafile_id") is not None:
        return template.format(datafile_id=spec["datafile_id"])
    return None


def _manual_hint(card: dict[str, Any], target: Path, sha256: str | None) -> str:
    source = card.get("source", {})
    where = source.get("url") or source.get("doi") or "the source named in the card"
    check = f" Its SHA-256 should be {sha256}." if sha256 else ""
    patterns = card.get("locate") or []
    alias = (
        f" (Another release's file is found too if its name matches {patterns}.)"
        if any(fnmatch.fnmatch(target.name, p) for p in patterns) else ""
    )
    return (
        f"Download {target.name} yourself from {where} (Dataverse may first ask you to fill "
        f"in a guestbook or accept terms) and put it, unchanged, at:\n    {target}\n"
        f"Then run `fptk fetch {card['name']}` again to check it.{check}{alias} "
        "(The data home is set by the FPTK_DATA_HOME environment variable.)"
    )


def _download(
    url: str,
    target: Path,
    *,
    sha256: str | None,
    hint: Callable[[], str],
    timeout: float,
    progress: bool,
) -> str:
    """Download ``url`` to ``target`` atomically; return the SHA-256 of what was written."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"Can only download over http or https, not {url!r}.")
    request = urllib.request.Request(url, headers={"User-Agent": f"fptk/{__version__}"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise FetchError(
                f"The server refused the download of {target.name} from {url} "
                f"(HTTP {exc.code} {exc.reason}). Dataverse gates some files behind a "
                f"guestbook or terms of use.\n{hint()}"
            ) from exc
        raise FetchError(
            f"Downloading {target.name} from {url} failed with HTTP {exc.code} "
            f"{exc.reason}.\n{hint()}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"Could not reach {url} to download {target.name} ({reason}); are you offline?"
            f"\n{hint()}"
        ) from exc
    with response:
        ctype = response.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() == "text/html":
            raise FetchError(
                f"{url} returned an HTML page instead of {target.name}; the source probably "
                f"wants you to log in, accept terms or fill in a guestbook.\n{hint()}"
            )
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        digest = hashlib.sha256()
        n_bytes = 0
        from tqdm.auto import tqdm

        with atomic_path(target) as tmp:
            with (
                open(tmp, "wb") as out,
                tqdm(total=expected, unit="B", unit_scale=True, desc=target.name,
                     disable=not progress) as bar,
            ):
                while True:
                    try:
                        chunk = response.read(1 << 20)
                    except (http.client.IncompleteRead, OSError) as exc:
                        raise FetchError(
                            f"The download of {target.name} from {url} broke off after "
                            f"{n_bytes} bytes ({exc}); nothing was kept.\n{hint()}"
                        ) from exc
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    n_bytes += len(chunk)
                    bar.update(len(chunk))
            if expected is not None and n_bytes != expected:
                raise FetchError(
                    f"The download of {target.name} from {url} is truncated: got {n_bytes} "
                    f"of {expected} bytes; nothing was kept. Try again later.\n{hint()}"
                )
            actual = digest.hexdigest()
            if sha256 and actual != sha256:
                raise FetchError(
                    f"Checksum mismatch for {target.name} downloaded from {url}: SHA-256 is "
                    f"{actual}, the known release has {sha256}; nothing was kept. The file "
                    f"on the server differs from the release in the card.\n{hint()}"
                )
    return actual


def _check_existing(card: dict[str, Any], found: Path) -> None:
    """Warn when a file already in the data home has a release's name but not its checksum."""
    if not found.is_file():
        return
    known = {
        f["name"]: (rel["name"], f["sha256"])
        for rel in card["releases"]
        for f in rel.get("files", [])
        if f.get("sha256")
    }
    if found.name in known:
        rel_name, sha256 = known[found.name]
        actual = file_sha256(found)
        if actual != sha256:
            warnings.warn(
                f"{found} has the name of release {rel_name!r} but its SHA-256 is {actual}, "
                f"not {sha256}. It is used as it is (fptk never changes your files); the "
                "checksum actually used is recorded with every loaded table.",
                UserWarning,
                stacklevel=3,
            )


def fetch(
    name: str,
    *,
    release: str | None = None,
    data_home: str | os.PathLike | None = None,
    url: str | None = None,
    timeout: float = 60.0,
    progress: bool = True,
) -> Path:
    """Make a known corpus available in the data home, downloading it when missing.

    Steps: (1) with ``release=None`` and a file of the corpus already in
    ``<data home>/<name>/``, that is used (its checksum is checked against the known
    releases, never changed); (2) otherwise each missing file of the release is
    downloaded (``release=None`` picks the first release with a download URL) to a
    temporary file in the target folder, its length and SHA-256 (when the card knows
    it) are verified, and it is moved into place atomically.

    Parameters
    ----------
    name : str
        A known corpus name.
    release : str or None, default=None
        A release named in the card.
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.
    url : str or None, default=None
        Download the release's first file from this URL instead (a mirror).
    timeout : float, default=60.0
        Seconds to wait for the server.
    progress : bool, default=True
        Show a download progress bar.

    Returns
    -------
    Path
        What :func:`locate` returns after the fetch.

    Raises
    ------
    FetchError
        Offline, refused (HTTP 401/403, e.g. a Dataverse guestbook), truncated, checksum
        mismatch, or an existing file that contradicts the release. The message says
        where to put a manually downloaded file. No partial file is left behind.
    """
    card = corpus_card(name)
    if card.get("embedded"):
        return locate(name)
    folder = _corpus_folder(name, data_home)
    if release is None and url is None:
        found = _find(card, folder)
        if found is not None:
            _check_existing(card, found)
            return found
        downloadable = [
            r for r in card["releases"] if r.get("files") and _file_url(card, r["files"][0])
        ]
        rel = downloadable[0] if downloadable else _release(card, None)
    else:
        rel = _release(card, release)
    created = not folder.exists()
    try:
        for i, spec in enumerate(rel.get("files", [])):
            target = folder / spec["name"]
            sha256 = spec.get("sha256")
            if target.exists():
                if sha256 and target.is_file() and file_sha256(target) != sha256:
                    raise FetchError(
                        f"{target} already exists but its SHA-256 is {file_sha256(target)}, "
                        f"not {sha256} of release {rel['name']!r}. fptk never overwrites your "
                        "files: move it away to download the release, or pass the release "
                        "it belongs to."
                    )
                continue
            source = url if (url is not None and i == 0) else _file_url(card, spec)

            def hint(target: Path = target, sha256: str | None = sha256) -> str:
                return _manual_hint(card, target, sha256)

            if source is None:
                if spec.get("required", True):
                    raise FetchError(
                        f"Release {rel['name']!r} of {name!r} has no download URL for "
                        f"{spec['name']}.\n{hint()}"
                    )
                continue
            _download(source, target, sha256=sha256, hint=hint, timeout=timeout,
                      progress=progress)
    finally:
        if created and folder.is_dir() and not any(folder.iterdir()):
            with contextlib.suppress(OSError):
                folder.rmdir()
    found = _find(card, folder)
    if found is None:
        raise FetchError(_not_found_message(card, folder))
    return found


# --------------------------------------------------------------------------- loading


def _import_loader(spec: str) -> Callable[..., pd.DataFrame]:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_corpus(
    name_or_path: str | os.PathLike | list[str | os.PathLike],
    *,
    engine: str = "pandas",
    npartitions: int | None = None,
    **kwargs: Any,
) -> Any:
    """Load a corpus table from a known corpus name or a path.

    Parameters
    ----------
    name_or_path : str, path-like or list of them
        ``"ungdc"``, ``"cmfa_ukraine"``, ``"sotu"`` (see :func:`list_corpora`); or a path:
        a folder of ``.txt`` files (-> :func:`~toolkit.corpora.generic.load_text_folder`),
        a ``.csv``/``.tsv``/``.jsonl``/``.parquet``/``.xlsx`` table, a list of tables or a
        glob such as ``"press/*.csv"`` (-> :func:`~toolkit.corpora.generic.load_table`),
        or a file or folder matching a card's ``locate`` patterns, such as
        ``UNGDC_1946-2024.tgz`` or a folder holding it (-> that corpus's loader). A folder
        holding only Parquet files is one partitioned corpus of the standard schema
        (:func:`~toolkit.corpora.write_partitioned` writes one), read in file and row-group
        order.
    engine : {"pandas", "dask"}, default="pandas"
        ``"dask"`` returns a lazy :class:`dask.dataframe.DataFrame` with the same columns,
        dtypes, rows and index as the pandas table: a Parquet file, folder or list is read
        one partition per row group (on the workers); any other source is loaded here by
        its pandas loader and split into ordered partitions. Pass it to
        ``count_matches``, ``keyword_trends`` or ``build_dtm`` with ``client=`` (or
        ``FPTK_DASK_SCHEDULER``) to run them on a cluster.
    npartitions : int or None, default=None
        ``engine="dask"`` on a non-Parquet source: the number of partitions (None: about
        32 MB of text each).
    **kwargs
        Passed to the loader: for tables ``columns``, ``assign``, ``id_column``,
        ``date_format``, ``on_bad_date``, ``encoding`` (``"auto"`` too) and the others of
        :func:`~toolkit.corpora.generic.load_table`; for folders those of
        :func:`~toolkit.corpora.generic.load_text_folder`.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns), or dask.dataframe.DataFrame
        A validated corpus table (Dask: validated partition by partition when computed).

    Examples
    --------
    >>> from toolkit.corpora import load_corpus
    >>> sotu = load_corpus("sotu")
    >>> sotu.columns[:9].tolist()
    ['doc_id', 'text', 'actor', 'actor_name', 'year', 'date', 'speaker', 'post', 'source']
    >>> sotu.loc[:1, ["doc_id", "actor", "year", "speaker"]]
                  doc_id actor  year            speaker
    0  1790-Washington-1    NP  1790  George Washington
    1  1790-Washington-2    NP  1790  George Washington
    """
    check_option("engine", engine, ("pandas", "dask"))
    if _dask.is_parquet_source(name_or_path) and (
        engine == "dask" or isinstance(name_or_path, (list, tuple))
        or Path(name_or_path).expanduser().is_dir()
    ):
        _no_options(kwargs, name_or_path)
        if engine == "dask":
            return _dask.read_parquet_dask(name_or_path)
        return _dask.read_parquet_corpus(name_or_path)
    table = _load_pandas(name_or_path, **kwargs)
    if engine == "dask":
        return _dask.partition_corpus(table, npartitions=npartitions)
    return table


def _no_options(kwargs: dict[str, Any], source: Any) -> None:
    if kwargs:
        raise TypeError(
            f"{source} is a partitioned Parquet corpus of the standard schema; it takes no "
            f"loader options, got {sorted(kwargs)}. Rename or map columns before writing it."
        )


def _load_pandas(
    name_or_path: str | os.PathLike | list[str | os.PathLike], **kwargs: Any
) -> pd.DataFrame:
    """:func:`load_corpus` with the pandas engine on anything but a Parquet folder."""
    cards = _load_cards()
    if isinstance(name_or_path, str) and name_or_path in cards:
        return _import_loader(cards[name_or_path]["loader"])(**kwargs)
    if isinstance(name_or_path, (list, tuple)):
        return generic.load_table(list(name_or_path), **kwargs)
    path = Path(name_or_path).expanduser()
    if not path.exists() and any(c in str(name_or_path) for c in "*?["):
        return generic.load_table(name_or_path, **kwargs)
    if not path.exists():
        raise FileNotFoundError(
            f"{str(name_or_path)!r} is neither a known corpus ({sorted(cards)}) nor an "
            "existing path. Check the spelling, or run `fptk corpora` to list corpora."
        )
    for card in cards.values():
        patterns = card.get("locate") or []
        if any(fnmatch.fnmatch(path.name, p) for p in patterns):
            return _import_loader(card["loader"])(path, **kwargs)
        if path.is_dir() and not card.get("embedded"):
            found = _find(card, path)
            if found is not None and found.is_file():
                return _import_loader(card["loader"])(found, **kwargs)
    if path.is_dir():
        return generic.load_text_folder(path, **kwargs)
    name = path.name.lower()
    if name.endswith(TABLE_SUFFIXES):
        return generic.load_table(path, **kwargs)
    if name.endswith(ARCHIVE_SUFFIXES):
        return ungdc.load_ungdc(path, **kwargs)
    raise ValueError(
        f"Do not know how to load {path}: expected a folder of .txt files, a table "
        f"({', '.join(TABLE_SUFFIXES)}) or a UNGDC-shaped archive ({', '.join(ARCHIVE_SUFFIXES)})."
    )


def corpus_info(df: pd.DataFrame) -> dict[str, Any]:
    """Return the provenance of a loaded corpus table (a copy of ``df.attrs["corpus"]``).

    Adds ``n_docs`` and, where the table has them, ``years`` (first, last) and
    ``n_actors`` computed from the table itself.

    Parameters
    ----------
    df : DataFrame of shape (n_docs, n_columns)
        A corpus table, as a loader returns it (any table works; ``attrs`` may be empty).

    Returns
    -------
    dict
        The loader's record (``name``, ``release``, ``sha256``, ``skipped``, ``path``...)
        with ``n_docs`` (int, the rows of ``df``, replacing the loader's count), ``years``
        (tuple ``(first, last)`` of int, when ``df`` has a non-empty ``year`` column) and
        ``n_actors`` (int, distinct non-NA ``actor`` values, when the column exists).
    """
    info = dict(df.attrs.get("corpus", {}))
    info["n_docs"] = len(df)
    if "year" in df.columns and df["year"].notna().any():
        info["years"] = (int(df["year"].min()), int(df["year"].max()))
    if "actor" in df.columns:
        info["n_actors"] = int(df["actor"].nunique())
    return info

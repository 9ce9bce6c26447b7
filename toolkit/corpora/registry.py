"""The corpus registry: cards, locating corpora in the data home, fetching and dispatch.

Each known corpus has one small YAML card in the repository's ``corpora/`` folder
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
import copy
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
import yaml

from toolkit import __version__
from toolkit.cache import atomic_path, file_sha256
from toolkit.config import PACKAGE_DIR, get_data_home, project_root
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

#: Suffixes :func:`load_corpus` sends to :func:`toolkit.corpora.generic.load_table`.
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq", ".xlsx")
#: Suffixes :func:`load_corpus` treats as a UNGDC-shaped archive.
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar", ".zip")

_REQUIRED_CARD_KEYS = ("name", "title", "description", "loader", "licence", "citation",
                       "releases", "obtain")






# --------------------------------------------------------------------------- cards


def cards_dir() -> Path:
    """Return the folder holding the corpus cards (``*.yaml``).

    The repository's ``corpora/`` folder when running from a checkout; otherwise the
    package data folder ``toolkit/data/corpora/`` (for a non-editable install).

    Raises
    ------
    FileNotFoundError
        When neither exists.
    """
    candidates = []
    root = project_root()
    if root is not None:
        candidates.append(root / "corpora")
    candidates.append(PACKAGE_DIR / "data" / "corpora")
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    raise FileNotFoundError(
        "No corpus cards found; looked in "
        + ", ".join(str(c) for c in candidates)
        + ". Run fptk from a checkout of the repository (the cards live in corpora/)."
    )


def _check_card(card: Any, path: Path) -> dict[str, Any]:
    if not isinstance(card, dict):
        raise ValueError(f"Corpus card {path} is not a YAML mapping.")
    missing = [k for k in _REQUIRED_CARD_KEYS if k not in card]
    if missing:
        raise ValueError(f"Corpus card {path} lacks the keys {missing}.")
    if card["name"] != path.stem:
        raise ValueError(
            f"Corpus card {path} has name {card['name']!r}; it must equal the file name "
            f"{path.stem!r}."
        )
    if not isinstance(card["releases"], list) or not all(
        isinstance(r, dict) and "name" in r and isinstance(r.get("files", []), list)
        for r in card["releases"]
    ):
        raise ValueError(
            f"Corpus card {path}: 'releases' must be a list of mappings with 'name' and 'files'."
        )
    for rel in card["releases"]:
        for f in rel.get("files", []):
            if not isinstance(f, dict) or "name" not in f:
                raise ValueError(
                    f"Corpus card {path}, release {rel['name']!r}: every file needs a 'name'."
                )
    return card


def _load_cards() -> dict[str, dict[str, Any]]:
    folder = cards_dir()
    cards = {}
    for path in sorted(folder.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            try:
                card = yaml.safe_load(fh)
            except yaml.YAMLError as exc:
                raise ValueError(f"Corpus card {path} is not valid YAML: {exc}") from exc
        card = _check_card(card, path)
        card["card_path"] = str(path)
        cards[card["name"]] = card
    return cards


def corpus_names() -> list[str]:
    """Return the names of the known corpora, sorted."""
    return sorted(_load_cards())


def corpus_card(name: str) -> dict[str, Any]:
    """Return the card of a known corpus as a dict (a copy, safe to change).

    Parameters
    ----------
    name : str
        A corpus name such as ``"ungdc"``, ``"cmfa_ukraine"`` or ``"sotu"``.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    cards = _load_cards()
    if name not in cards:
        raise ValueError(
            f"Unknown corpus {name!r}. Known corpora: {sorted(cards)}. To load your own "
            "files pass a path instead (a folder of .txt files, or a CSV/JSONL/Parquet table)."
        )
    return copy.deepcopy(cards[name])


def _release(card: dict[str, Any], release: str | None) -> dict[str, Any]:
    names = [r["name"] for r in card["releases"]]
    if release is None:
        release = card.get("default_release") or names[0]
    for rel in card["releases"]:
        if rel["name"] == release:
            return rel
    raise ValueError(
        f"Corpus {card['name']!r} has no release {release!r}; known releases: {names}."
    )


# --------------------------------------------------------------------------- locating


def _corpus_folder(name: str, data_home: str | os.PathLike | None) -> Path:
    return get_data_home(data_home) / name


def _embedded_path(card: dict[str, Any]) -> Path:
    package = card.get("source", {}).get("package", card["name"])
    module = importlib.import_module(package)
    return Path(module.__file__).resolve().parent


def _find(card: dict[str, Any], folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    patterns = card.get("locate") or [f["name"] for r in card["releases"] for f in r["files"]]
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for pattern in patterns:
        for entry in entries:
            if fnmatch.fnmatch(entry.name, pattern):
                return entry
    return None


def _not_found_message(card: dict[str, Any], folder: Path) -> str:
    obtain = " ".join(str(card["obtain"]).split()).replace("<data home>", str(folder.parent))
    return (
        f"Corpus {card['name']!r} is not in the data home: nothing matching "
        f"{card.get('locate')} in {folder}. {obtain} (The data home is set by the "
        "FPTK_DATA_HOME environment variable.)"
    )


def locate(name: str, *, data_home: str | os.PathLike | None = None) -> Path:
    """Return where a known corpus lives in the data home.

    Parameters
    ----------
    name : str
        A known corpus name.
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.

    Returns
    -------
    Path
        The first entry of ``<data home>/<name>/`` matching the card's ``locate``
        patterns (a release archive, a table, or an extracted folder). For an embedded
        corpus (``sotu``), the installed package folder.

    Raises
    ------
    CorpusNotFoundError
        Saying exactly where to put the files.
    """
    card = corpus_card(name)
    if card.get("embedded"):
        try:
            return _embedded_path(card)
        except ImportError as exc:
            raise CorpusNotFoundError(
                f"The embedded corpus {name!r} needs the Python package "
                f"{card.get('source', {}).get('package', name)!r}: {card['obtain']}"
            ) from exc
    folder = _corpus_folder(name, data_home)
    found = _find(card, folder)
    if found is None:
        raise CorpusNotFoundError(_not_found_message(card, folder))
    return found


def identify_release(
    name: str, path: str | os.PathLike | None = None, *, sha256: str | None = None
) -> str | None:
    """Return the known release a file belongs to (by SHA-256), else None.

    Parameters
    ----------
    name : str
        A known corpus name.
    path : str or path-like or None, default=None
        The file to hash (ignored when ``sha256`` is given).
    sha256 : str or None, default=None
        A checksum already computed.
    """
    card = corpus_card(name)
    if sha256 is None:
        if path is None or not Path(path).is_file():
            return None
        sha256 = file_sha256(path)
    for rel in card["releases"]:
        for f in rel.get("files", []):
            if f.get("sha256") == sha256:
                return rel["name"]
    return None


def list_corpora(*, data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """List the known corpora and whether each is available here.

    Parameters
    ----------
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.

    Returns
    -------
    DataFrame of shape (n_corpora, 6)
        Columns ``name``, ``title``, ``description``, ``available`` (bool), ``path``
        (str or None) and ``embedded`` (bool).
    """
    rows = []
    for name, card in sorted(_load_cards().items()):
        try:
            path = str(locate(name, data_home=data_home))
        except CorpusNotFoundError:
            path = None
        rows.append(
            {
                "name": name,
                "title": card["title"],
                "description": " ".join(str(card["description"]).split()),
                "available": path is not None,
                "path": path,
                "embedded": bool(card.get("embedded", False)),
            }
        )
    return pd.DataFrame(rows, columns=["name", "title", "description", "available", "path",
                                       "embedded"])


def default_corpus_name(*, data_home: str | os.PathLike | None = None) -> str:
    """Return ``"ungdc"`` when the data home has it, else the embedded ``"sotu"``."""
    try:
        locate("ungdc", data_home=data_home)
    except CorpusNotFoundError:
        return "sotu"
    return "ungdc"


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


def load_corpus(name_or_path: str | os.PathLike, **kwargs: Any) -> pd.DataFrame:
    """Load a corpus table from a known corpus name or a path.

    Parameters
    ----------
    name_or_path : str or path-like
        ``"ungdc"``, ``"cmfa_ukraine"``, ``"sotu"`` (see :func:`list_corpora`); or a path:
        a folder of ``.txt`` files (-> :func:`~toolkit.corpora.generic.load_text_folder`),
        a ``.csv``/``.tsv``/``.jsonl``/``.parquet``/``.xlsx`` table
        (-> :func:`~toolkit.corpora.generic.load_table`), or a file or folder matching a
        card's ``locate`` patterns, such as ``UNGDC_1946-2024.tgz`` or a folder holding it
        (-> that corpus's loader).
    **kwargs
        Passed to the loader.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        A validated corpus table.
    """
    cards = _load_cards()
    if isinstance(name_or_path, str) and name_or_path in cards:
        return _import_loader(cards[name_or_path]["loader"])(**kwargs)
    path = Path(name_or_path).expanduser()
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
    from toolkit.corpora import generic

    if path.is_dir():
        return generic.load_text_folder(path, **kwargs)
    name = path.name.lower()
    if name.endswith(TABLE_SUFFIXES):
        return generic.load_table(path, **kwargs)
    if name.endswith(ARCHIVE_SUFFIXES):
        from toolkit.corpora.ungdc import load_ungdc

        return load_ungdc(path, **kwargs)
    raise ValueError(
        f"Do not know how to load {path}: expected a folder of .txt files, a table "
        f"({', '.join(TABLE_SUFFIXES)}) or a UNGDC-shaped archive ({', '.join(ARCHIVE_SUFFIXES)})."
    )


def corpus_info(df: pd.DataFrame) -> dict[str, Any]:
    """Return the provenance of a loaded corpus table (a copy of ``df.attrs["corpus"]``).

    Adds ``n_docs`` and, where the table has them, ``years`` (first, last) and
    ``n_actors`` computed from the table itself.
    """
    info = dict(df.attrs.get("corpus", {}))
    info["n_docs"] = len(df)
    if "year" in df.columns and df["year"].notna().any():
        info["years"] = (int(df["year"].min()), int(df["year"].max()))
    if "actor" in df.columns:
        info["n_actors"] = int(df["actor"].nunique())
    return info

"""Loaders for the corpora a researcher brings: a folder of text files, or a table.

Shapes (see ``corpora/README.md``):

* **A folder of ``.txt`` files**, one document per file, plus an optional metadata CSV
  with one row per file, keyed by file name (column ``file`` by default; with or
  without the ``.txt`` suffix). Metadata columns named like the standard columns
  (``actor``, ``year``, ``date``, ``speaker``...) fill them; others become extras.
* **A table** (CSV, TSV, JSONL, Parquet or Excel) with one row per document and a
  ``text`` column, or a ``columns=`` mapping from your column names to the standard ones;
  or several such tables at once (a list or a glob), with constant metadata per file
  (``assign=``) and ids made unique per file.

Both return a validated corpus table (see :mod:`toolkit.corpora.schema`) whose
``attrs["corpus"]`` records ``name``, ``release``, ``sha256`` (of the source: file names
and bytes), ``n_docs``, ``skipped`` (a list of ``{"file", "reason"}``), ``warnings``
(unparseable dates kept with ``on_bad_date="warn"``) and ``notes``. Files are only read,
never changed.

Dates are parsed by :func:`~toolkit.corpora.schema.standardize_dates`: time-zone-aware
values become UTC, tz-naive, with the original string in ``date_raw``; an unparseable date
is an error naming the rows and values unless ``on_bad_date`` says to count it. Text is
UTF-8 by default; ``encoding="auto"`` falls back to the encoding ``charset-normalizer``
detects and records it.

Empty documents (an empty file, or a file or row with only whitespace) are a *counted
skip* by default (``on_empty="skip"``): they are listed in ``attrs["corpus"]["skipped"]``
and a warning says how many. Pass ``on_empty="error"`` to refuse them instead.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import io
import json
import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cache import file_sha256
from toolkit.corpora._loading import (
    OnEmpty,
    _check_errors,
    _decode,
    check_on_empty,
    decode_bytes,
    stamp_corpus,
    validate_source,
)
from toolkit.corpora.schema import (
    OnBadDate,
    _rows,
    check_on_bad_date,
    record_bad_dates,
    standardize_columns,
    standardize_dates,
)
from toolkit.exceptions import CorpusValidationError, IdColumnWarning

__all__ = ["decode_bytes", "load_table", "load_text_folder"]

_TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}


def _finish(
    df: pd.DataFrame,
    *,
    name: str,
    release: str | None,
    sha256: str,
    skipped: list[dict[str, str]],
    path: Path,
    loader: str,
    date_format: str | None,
    on_bad_date: OnBadDate,
    row_labels: pd.Series | None = None,
    extra_info: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Parse dates, standardise (year from date), validate, warn of skips, stamp provenance.

    Unparseable dates are named by ``row_labels`` (default ``row <n>``) and, with
    ``on_bad_date`` "warn" or "skip", counted in ``attrs["corpus"]`` after the stamp.
    """
    dated, bad = standardize_dates(df, date_format=date_format, on_bad_date=on_bad_date,
                                   row_labels=row_labels, source=str(path))
    out = standardize_columns(dated, source=name)
    validate_source(out, path)
    if skipped:
        warnings.warn(
            f"{path}: skipped {len(skipped)} empty document(s) "
            f"(e.g. {skipped[0]['file']}); they are listed in df.attrs['corpus']['skipped']. "
            "Pass on_empty='error' to refuse them.",
            UserWarning,
            stacklevel=3,
        )
    extra = {"warnings": [], "notes": [], **dict(extra_info or {})}
    out = stamp_corpus(out, name=name, release=release, sha256=sha256, skipped=skipped,
                       path=path, loader=loader, extra=extra)
    return record_bad_dates(out, bad, on_bad_date=on_bad_date, source=str(path), stacklevel=3)


# --------------------------------------------------------------------------- text folder


def _read_metadata(
    metadata: str | os.PathLike | pd.DataFrame,
    *,
    encoding: str,
    errors: str,
) -> tuple[pd.DataFrame, bytes, str, str | None]:
    """``(table, raw bytes, label, codec used)``; no codec for a DataFrame."""
    if isinstance(metadata, pd.DataFrame):
        raw = metadata.to_csv(index=False).encode("utf-8")
        return metadata.copy(), raw, "metadata DataFrame", None
    mpath = Path(metadata).expanduser()
    if not mpath.is_file():
        raise FileNotFoundError(f"Metadata file {mpath} does not exist.")
    raw = mpath.read_bytes()
    text, codec = _decode(raw, file=mpath, encoding=encoding, errors=errors)
    sep = "\t" if mpath.suffix.lower() in (".tsv", ".tab") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"Metadata file {mpath} is not a readable CSV: {exc}") from exc
    return table, raw, str(mpath), codec


def _join_metadata(
    docs: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    label: str,
    key: str,
    columns: Mapping[str, str] | None,
    strict: bool,
    skipped_files: set[str],
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    if key not in meta.columns:
        raise ValueError(
            f"{label} has no key column {key!r}; its columns are {list(meta.columns)}. "
            f"Name the column holding the file names with key=... ."
        )
    meta = meta.rename(columns=dict(columns or {}))
    if "text" in meta.columns:
        raise ValueError(f"{label} has a 'text' column; the text comes from the files. "
                         "Rename or drop that column.")
    keys = meta[key].astype("string").str.strip()
    if keys.isna().any():
        rows = [int(i) + 2 for i in keys.index[keys.isna()][:5]]
        raise ValueError(f"{label} has rows without a {key!r} value (lines {rows}).")
    dup = keys[keys.duplicated(keep=False)]
    if not dup.empty:
        raise ValueError(
            f"{label} lists some files more than once: {sorted(set(dup))[:10]}. "
            "Keep one row per file."
        )
    # A key may be the file's relative path with or without its suffix.
    lookup: dict[str, str] = {}
    for rel in list(docs["file"]) + sorted(skipped_files):
        lookup[rel] = rel
        lookup.setdefault(str(Path(rel).with_suffix("")), rel)
    matched = keys.map(lambda k: lookup.get(k, lookup.get(k.replace("\\", "/"))))
    unknown = sorted(keys[matched.isna()])
    covered = set(matched.dropna())
    without = sorted(set(docs["file"]) - covered)
    if strict and (unknown or without):
        parts = []
        if unknown:
            parts.append(
                f"{len(unknown)} key(s) match no file: {unknown[:10]}"
                + (" ..." if len(unknown) > 10 else "")
            )
        if without:
            parts.append(
                f"{len(without)} file(s) have no metadata row: {without[:10]}"
                + (" ..." if len(without) > 10 else "")
            )
        raise ValueError(
            f"The metadata {label} does not match the files: " + "; ".join(parts) + ". "
            f"Keys in column {key!r} must be the file names (e.g. {docs['file'].iloc[0]!r}). "
            "Fix the CSV, or pass strict_metadata=False to load anyway (files without a "
            "row get NA metadata; rows without a file are ignored; both are counted)."
        )
    meta = meta.assign(file=matched).dropna(subset=["file"])
    if key != "file":
        meta = meta.drop(columns=[key])
    clash = [c for c in meta.columns if c in docs.columns and c not in ("file", "doc_id")]
    docs = docs.drop(columns=clash)
    if "doc_id" in meta.columns:
        docs = docs.drop(columns=["doc_id"])
        merged = docs.merge(meta, on="file", how="left", validate="one_to_one")
        missing_id = merged["doc_id"].isna()
        merged.loc[missing_id, "doc_id"] = merged.loc[missing_id, "file"].map(
            lambda f: str(Path(f).with_suffix("")))
    else:
        merged = docs.merge(meta, on="file", how="left", validate="one_to_one")
    return merged, {"keys_without_file": unknown, "files_without_metadata": without}


def _check_folder(path: str | os.PathLike) -> Path:
    """The corpus folder, or an error saying what ``path`` is instead."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"Corpus folder {folder} does not exist.")
    if not folder.is_dir():
        raise NotADirectoryError(
            f"{folder} is a file, not a folder. For a table use load_table(path); for a "
            "known corpus use load_corpus(name)."
        )
    return folder


def _list_text_files(folder: Path, *, pattern: str, recursive: bool) -> list[Path]:
    """The document files of ``folder``, sorted; hidden files and folders are ignored."""
    candidates = folder.rglob("*") if recursive else folder.glob("*")
    files = sorted(
        p
        for p in candidates
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and fnmatch.fnmatch(p.name.lower(), pattern.lower())
    )
    if not files:
        others = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        hint = f" It holds {len(others)} other entries, e.g. {others[:5]}." if others else (
            " It is empty.")
        raise ValueError(
            f"No {pattern} files in {folder}.{hint} Pass pattern=... for other names"
            + ("" if recursive else ", or recursive=True to look in sub-folders")
            + "."
        )
    return files


def _name_files(folder: Path, files: list[Path]) -> list[tuple[Path, str, str]]:
    """``(file, relative posix path, doc_id)`` for each file; doc ids must be unique."""
    rels = [p.relative_to(folder).as_posix() for p in files]
    ids = [str(Path(r).with_suffix("")) for r in rels]
    seen: dict[str, list[str]] = {}
    for doc_id, rel in zip(ids, rels, strict=True):
        seen.setdefault(doc_id, []).append(rel)
    dups = {k: v for k, v in seen.items() if len(v) > 1}
    if dups:
        shown = "; ".join(f"{k!r} from {v}" for k, v in list(dups.items())[:5])
        raise ValueError(
            f"Duplicate doc_id in {folder}: {shown}. Rename the files so that names differ "
            "by more than the case of their suffix."
        )
    return list(zip(files, rels, ids, strict=True))


def _read_text_files(
    entries: list[tuple[Path, str, str]],
    *,
    folder: Path,
    pattern: str,
    encoding: str,
    errors: str,
    on_empty: OnEmpty,
    progress: bool,
) -> tuple[pd.DataFrame, list[dict[str, str]], Any, dict[str, str]]:
    """Read and decode every file; skip (or refuse) the empty ones; hash names and bytes.

    Returns the documents (``doc_id``, ``text``, ``file``), the skipped files, the
    running SHA-256 (a ``hashlib`` object, so that the metadata can be added to it) and
    the codec used for each file.
    """
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    rows, skipped, codecs_used = [], [], {}
    for file, rel, doc_id in tqdm(
        entries, desc=f"reading {folder.name}", unit="file",
        disable=not progress or len(entries) < 500,
    ):
        data = file.read_bytes()
        digest.update(rel.encode("utf-8") + b"\x00" + str(len(data)).encode() + b"\x00")
        digest.update(data)
        text, codecs_used[rel] = _decode(data, file=file, encoding=encoding, errors=errors)
        if not text.strip():
            reason = "empty file" if not data else "only whitespace"
            if on_empty == "error":
                raise ValueError(
                    f"{file} is empty ({reason}). Remove it, or pass on_empty='skip' to "
                    "skip empty files (they are counted in attrs['corpus']['skipped'])."
                )
            skipped.append({"file": rel, "reason": reason})
            continue
        rows.append({"doc_id": doc_id, "text": text, "file": rel})
    if not rows:
        raise ValueError(
            f"All {len(entries)} {pattern} files in {folder} are empty; nothing to load."
        )
    return pd.DataFrame(rows), skipped, digest, codecs_used


def _attach_metadata(
    docs: pd.DataFrame,
    metadata: str | os.PathLike | pd.DataFrame,
    *,
    key: str,
    columns: Mapping[str, str] | None,
    encoding: str,
    errors: str,
    strict: bool,
    skipped_files: set[str],
) -> tuple[pd.DataFrame, dict[str, Any], bytes]:
    """Join the metadata to the documents; warn of unmatched rows; doc ids must be unique.

    Returns the joined documents, the provenance entries (``metadata`` and, when some
    rows or files did not match, ``metadata_unmatched``) and the metadata's raw bytes.
    """
    meta, raw, label, codec = _read_metadata(metadata, encoding=encoding, errors=errors)
    docs, unmatched = _join_metadata(
        docs, meta, label=label, key=key, columns=columns, strict=strict,
        skipped_files=skipped_files,
    )
    extra: dict[str, Any] = {"metadata": label}
    if encoding == "auto" and codec is not None:
        extra["metadata_encoding"] = codec
    if unmatched["keys_without_file"] or unmatched["files_without_metadata"]:
        extra["metadata_unmatched"] = unmatched
        warnings.warn(
            f"Metadata {label}: {len(unmatched['keys_without_file'])} key(s) match no "
            f"file, {len(unmatched['files_without_metadata'])} file(s) have no row; see "
            "attrs['corpus']['metadata_unmatched'].",
            UserWarning,
            stacklevel=3,
        )
    dup_ids = docs["doc_id"].astype(str)
    dup_mask = dup_ids.duplicated(keep=False)
    if dup_mask.any():
        pairs = docs.loc[dup_mask, ["doc_id", "file"]].head(10).values.tolist()
        raise ValueError(
            f"Duplicate doc_id from the metadata {label}: {pairs}. Give every file a "
            "unique doc_id, or drop the doc_id column to use the file names."
        )
    return docs, extra, raw


def load_text_folder(
    path: str | os.PathLike,
    *,
    metadata: str | os.PathLike | pd.DataFrame | None = None,
    key: str = "file",
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    pattern: str = "*.txt",
    recursive: bool = False,
    on_empty: OnEmpty = "skip",
    strict_metadata: bool = True,
    name: str | None = None,
    release: str | None = None,
    progress: bool = True,
    date_format: str | None = None,
    on_bad_date: OnBadDate = "raise",
) -> pd.DataFrame:
    """Load a folder of text files, one document per file, as a corpus table.

    Parameters
    ----------
    path : str or path-like
        The folder.
    metadata : str, path-like, DataFrame or None, default=None
        A CSV (or TSV) with one row per file, keyed by file name in column ``key``.
        Standard column names (``actor``, ``actor_name``, ``year``, ``date``, ``speaker``,
        ``post``, ``doc_id``) fill the standard columns; others become extras.
    key : str, default="file"
        The metadata column holding the file names (relative to ``path``, with or
        without the suffix).
    columns : mapping or None, default=None
        Renames metadata columns to standard names, e.g. ``{"country": "actor"}``.
    encoding : str, default="utf-8"
        Encoding of the files and of the metadata CSV. ``"auto"``: UTF-8 where it fits,
        else the encoding ``charset-normalizer`` detects, file by file; the files not in
        UTF-8 are listed in ``attrs["corpus"]["encodings"]`` (file -> codec), the counts
        in ``["encoding_counts"]`` and the metadata's in ``["metadata_encoding"]``.
    errors : str, default="strict"
        ``"strict"`` stops at the first undecodable byte, naming the file and byte offset;
        ``"replace"`` or ``"ignore"`` load such files anyway.
    pattern : str, default="*.txt"
        Which files are documents (matched case-insensitively on the suffix, so ``.TXT``
        counts). Hidden files (``.name``) are ignored.
    recursive : bool, default=False
        Also look in sub-folders; doc ids then keep the relative path (``sub/name``).
    on_empty : {"skip", "error"}, default="skip"
        Empty or whitespace-only files are a counted skip (listed in
        ``attrs["corpus"]["skipped"]``, with a warning) or an error.
    strict_metadata : bool, default=True
        Refuse metadata whose keys do not match the files (listing both sides).
    name : str or None, default=None
        Corpus name for ``source`` and provenance; default the folder's name.
    release : str or None, default=None
        A release label to record.
    progress : bool, default=True
        Show a progress bar for folders of 500 files or more.
    date_format : str or None, default=None
        A :func:`pandas.to_datetime` format the metadata's ``date`` values follow (e.g.
        ``"%d/%m/%Y"``). Default: ISO 8601, then any layout pandas recognises.
    on_bad_date : {"raise", "warn", "skip"}, default="raise"
        A metadata date that cannot be parsed is an error naming the files and values;
        ``"warn"`` keeps the document with no date (counted in
        ``attrs["corpus"]["warnings"]``); ``"skip"`` drops it (counted in
        ``attrs["corpus"]["skipped"]``); both with a
        :class:`~toolkit.exceptions.BadDateWarning`.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        Standard columns, ``date_raw`` (when a date carried a time zone: dates are UTC,
        tz-naive), then ``file`` (relative path) and the metadata extras. ``doc_id`` is
        the file's relative path without suffix unless the metadata gives one.
        ``attrs["corpus"]`` also holds ``warnings`` and ``notes`` (lists).

    Raises
    ------
    FileNotFoundError
        The folder does not exist.
    ValueError
        No matching files; a binary or undecodable file; duplicate ids; metadata that
        does not match the files; empty files with ``on_empty="error"``.
    """
    _check_errors(errors)
    check_on_empty(on_empty)
    check_on_bad_date(on_bad_date)
    folder = _check_folder(path)
    files = _list_text_files(folder, pattern=pattern, recursive=recursive)
    docs, skipped, digest, codecs_used = _read_text_files(
        _name_files(folder, files), folder=folder, pattern=pattern, encoding=encoding,
        errors=errors, on_empty=on_empty, progress=progress,
    )
    extra: dict[str, Any] = {}
    if metadata is not None:
        docs, extra, raw = _attach_metadata(
            docs, metadata, key=key, columns=columns, encoding=encoding, errors=errors,
            strict=strict_metadata, skipped_files={s["file"] for s in skipped},
        )
        digest.update(b"metadata\x00" + raw)
    elif columns:
        raise ValueError("columns= renames metadata columns; pass metadata=... as well.")
    if encoding == "auto":
        extra["encodings"] = {f: c for f, c in codecs_used.items() if c != "utf-8"}
        extra["encoding_counts"] = dict(sorted(Counter(codecs_used.values()).items()))
    return _finish(
        docs,
        name=name or folder.resolve().name,
        release=release,
        sha256=digest.hexdigest(),
        skipped=skipped,
        path=folder,
        loader="load_text_folder",
        date_format=date_format,
        on_bad_date=on_bad_date,
        row_labels=docs["file"],
        extra_info=extra,
    )


# --------------------------------------------------------------------------- tables


def _read_jsonl(text: str, file: Path) -> pd.DataFrame:
    records = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{file}, line {lineno}: not valid JSON ({exc.msg} at column {exc.colno}). "
                "JSONL needs one JSON object per line."
            ) from exc
        if not isinstance(obj, dict):
            raise ValueError(
                f"{file}, line {lineno}: expected a JSON object, got {type(obj).__name__}."
            )
        records.append(obj)
    return pd.DataFrame.from_records(records)


def _read_table(path: Path, fmt: str, *, encoding: str, errors: str,
                sheet_name: str | int) -> tuple[pd.DataFrame, str | None]:
    """``(table, codec used)``; no codec for Parquet and Excel."""
    if fmt == "parquet":
        try:
            return pd.read_parquet(path), None
        except Exception as exc:
            raise ValueError(f"{path} is not a readable Parquet file: {exc}") from exc
    if fmt == "excel":
        try:
            return pd.read_excel(path, sheet_name=sheet_name), None
        except Exception as exc:
            raise ValueError(f"{path} is not a readable Excel file: {exc}") from exc
    text, codec = _decode(path.read_bytes(), file=path, encoding=encoding, errors=errors)
    if fmt == "jsonl":
        return _read_jsonl(text, path), codec
    try:
        return pd.read_csv(io.StringIO(text), sep="\t" if fmt == "tsv" else ",",
                           keep_default_na=False, na_values=[""]), codec
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{path} is empty: no header and no rows.") from exc
    except pd.errors.ParserError as exc:
        raise ValueError(f"{path} is not a readable {fmt.upper()} file: {exc}") from exc


def _check_table_file(path: str | os.PathLike) -> Path:
    """The table file, or an error saying what ``path`` is instead."""
    file = Path(path).expanduser()
    if not file.exists():
        raise FileNotFoundError(f"Corpus table {file} does not exist.")
    if file.is_dir():
        raise IsADirectoryError(
            f"{file} is a folder; for a folder of .txt files use load_text_folder(path)."
        )
    return file


def _table_files(path: Any) -> tuple[list[Path], bool]:
    """The files to read (a glob sorted by path) and whether several were asked for."""
    if isinstance(path, (str, os.PathLike)):
        text = os.path.expanduser(os.fspath(path))
        if any(c in text for c in "*?[") and not Path(text).exists():
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True)
                             if Path(m).is_file())
            if not matches:
                raise FileNotFoundError(f"No file matches {os.fspath(path)!r}.")
            return matches, True
        return [_check_table_file(path)], False
    if not isinstance(path, Sequence) or not path:
        raise TypeError(
            "path must be a file, a glob such as 'press/*.csv' or a non-empty list of "
            f"files, not {path!r}."
        )
    files = [_check_table_file(p) for p in path]
    twice = sorted({str(f) for f in files if files.count(f) > 1})
    if twice:
        raise ValueError(f"These files are listed more than once: {twice}.")
    return files, True


def _table_format(file: Path, format: str | None) -> str:
    """The format given, else the one the suffix names; an error when neither is known."""
    fmt = format or _TABLE_FORMATS.get(file.suffix.lower())
    if fmt not in set(_TABLE_FORMATS.values()):
        raise ValueError(
            f"Cannot tell the format of {file} from its suffix {file.suffix!r}; pass "
            f"format= one of {sorted(set(_TABLE_FORMATS.values()))}."
        )
    return fmt


def _rename_columns(
    table: pd.DataFrame, columns: Mapping[str, str], *, file: Path
) -> pd.DataFrame:
    """Rename to the standard columns; every key must exist and no target may."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"columns= maps {missing}, which {file} does not have; its columns are "
            f"{list(table.columns)}."
        )
    kept = [c for c in table.columns if c not in columns and c in set(columns.values())]
    if kept:
        raise ValueError(
            f"columns= maps onto {kept}, which {file} already has; drop or rename "
            "those columns first."
        )
    return table.rename(columns=dict(columns))


def _check_assign(entry: Any, where: str) -> dict[str, Any]:
    """One ``{column: constant}`` mapping of ``assign=``, checked."""
    if not isinstance(entry, Mapping):
        raise TypeError(f"{where} must be a mapping such as {{'actor': 'DEU'}}, not {entry!r}.")
    for col, value in entry.items():
        if not isinstance(col, str):
            raise TypeError(f"{where} has the column name {col!r}; column names are strings.")
        if col in ("text", "doc_id"):
            raise ValueError(f"{where} sets {col!r}; assign= adds metadata, not texts or "
                             "ids (use id_column= for ids).")
        if not (value is None or pd.api.types.is_scalar(value)):
            raise TypeError(f"{where} gives {col!r} the value {value!r}; give one constant "
                            "(a string, number or date) per column.")
    return dict(entry)


def _per_file_assign(assign: Any, files: list[Path]) -> list[dict[str, Any]]:
    """One ``{column: constant}`` per file from the forms ``assign=`` accepts."""
    names = [f.name for f in files]
    if assign is None:
        return [{} for _ in files]
    if isinstance(assign, Mapping):
        nested = [isinstance(v, Mapping) for v in assign.values()]
        if not (assign and all(nested)):
            if any(nested):
                raise ValueError(
                    "assign= mixes per-file mappings and constants; give either "
                    "{'actor': 'DEU'} (every file) or {'<file name>': {'actor': 'DEU'}, ...}."
                )
            return [_check_assign(assign, "assign=") for _ in files]
        by_file, used = [], set()
        for f in files:
            key = next((k for k in (f.name, f.stem, str(f)) if k in assign), None)
            by_file.append(assign.get(key, {}) if key is not None else None)
            used.add(key)
        unknown = sorted(str(k) for k in assign if k not in used)
        without = [n for n, a in zip(names, by_file, strict=True) if a is None]
        if unknown or without:
            raise ValueError(
                f"assign= is keyed by file but does not match the files {names}: "
                f"keys without a file {unknown}, files without a key {without}. Key it by "
                "file name or stem (e.g. 'rus' or 'rus.csv')."
            )
        return [_check_assign(a, f"assign[{n!r}]") for n, a in zip(names, by_file, strict=True)]
    if isinstance(assign, (str, bytes)) or not isinstance(assign, Sequence):
        raise TypeError(f"assign= must be a mapping or a list of mappings, not {assign!r}.")
    if len(assign) != len(files):
        raise ValueError(
            f"assign= has {len(assign)} mapping(s) for {len(files)} file(s) {names}; give "
            "one per file, in this order (a glob is sorted by path)."
        )
    return [_check_assign(a, f"assign[{i}] (for {n})") for i, (a, n) in
            enumerate(zip(assign, names, strict=True))]


#: Column names (lower case, spaces as ``_``) that look like document ids.
_ID_LIKE = {"id", "doc_id", "docid", "document_id", "documentid", "doc_no", "item_id"}


def _id_strings(values: pd.Series) -> pd.Series:
    """Ids as stripped strings (``12.0`` -> ``"12"``); ``None`` where missing or blank."""
    if pd.api.types.is_float_dtype(values.dtype) and values.dropna().map(float.is_integer).all():
        values = values.astype("Int64")
    return values.map(lambda v: None if pd.isna(v) else (str(v).strip() or None)).astype(object)


def _table_ids(
    table: pd.DataFrame, *, file: Path, id_column: str | None
) -> tuple[pd.DataFrame, bool, str | None]:
    """``(table with doc_id, ids generated?, note)``: the note names an unused id column."""
    if id_column is not None:
        if id_column not in table.columns:
            raise ValueError(f"id_column={id_column!r} is not a column of {file}; its columns "
                             f"are {list(table.columns)}.")
        if id_column != "doc_id" and "doc_id" in table.columns:
            raise ValueError(f"{file} has a 'doc_id' column and id_column={id_column!r}; "
                             "drop one of them.")
        ids = _id_strings(table[id_column])
        if ids.isna().any():
            rows = list(table.index[ids.isna().to_numpy()][:10])
            raise ValueError(f"{file}: the id column {id_column!r} is empty in rows {rows}. "
                             "Fill them, or leave id_column unset to generate ids.")
        return table.assign(doc_id=ids), False, None
    if "doc_id" in table.columns:
        return table, False, None
    table = table.assign(doc_id=[f"{file.stem}_{i}" for i in range(len(table))])
    likely = [c for c in table.columns if c != "doc_id"
              and str(c).strip().lower().replace(" ", "_") in _ID_LIKE]
    note = None
    if likely:
        note = (f"{file.name}: column {likely[0]!r} looks like document ids but was not "
                f"used; ids were generated as '{file.stem}_<row>'. Pass "
                f"id_column={likely[0]!r} to use it.")
    return table, True, note


def _drop_empty_rows(
    table: pd.DataFrame, *, file: Path, on_empty: OnEmpty
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Refuse non-text values; skip (or refuse) rows whose text is missing or blank."""
    text = table["text"]
    is_str = text.map(lambda t: isinstance(t, str))
    if (~is_str & text.notna()).any():
        bad = list(table.index[~is_str & text.notna()][:5])
        raise ValueError(
            f"{file}: the text column holds non-text values in rows {bad}. Convert them to "
            "strings or fix the column mapping."
        )
    empty = text.isna() | text.map(lambda t: not isinstance(t, str) or not t.strip())
    skipped = []
    if empty.any():
        rows = list(table.index[empty])
        if on_empty == "error":
            raise ValueError(
                f"{file}: empty text in rows {rows[:10]}"
                + (" ..." if len(rows) > 10 else "")
                + ". Fill or drop them, or pass on_empty='skip' to skip them (counted)."
            )
        skipped = [{"file": f"{file.name}:row {i}", "reason": "empty text"} for i in rows]
        table = table.loc[~empty]
    return table, skipped


def _read_one_table(
    file: Path, *, format: str | None, encoding: str, errors: str, sheet_name: str | int,
    columns: Mapping[str, str] | None, id_column: str | None, assign: dict[str, Any],
    on_empty: OnEmpty, several: bool,
) -> tuple[pd.DataFrame, list[dict[str, str]], str | None, str | None, bool]:
    """One file as documents: ``(table, skipped rows, codec, id note, ids generated?)``.

    The index stays the row in the file (from 0). With ``several``, ids that were not
    generated get the file stem as a prefix (``<stem>/<id>``) and a ``file`` column is added.
    """
    table, codec = _read_table(file, _table_format(file, format), encoding=encoding,
                               errors=errors, sheet_name=sheet_name)
    if columns:
        table = _rename_columns(table, columns, file=file)
    if "text" not in table.columns:
        raise ValueError(
            f"{file} has no 'text' column; its columns are {list(table.columns)}. Pass "
            "columns={'<your text column>': 'text'}."
        )
    table, generated, note = _table_ids(table, file=file, id_column=id_column)
    clash = [c for c in assign if c in table.columns]
    if clash:
        raise ValueError(f"assign= sets {clash}, which {file} already has; drop them from "
                         "assign=, or map the file's columns elsewhere with columns=.")
    table = table.assign(**assign)
    if several:
        if not generated:
            table = table.assign(doc_id=f"{file.stem}/" + table["doc_id"].astype(str))
        if "file" not in table.columns:
            table = table.assign(file=file.name)
    table, skipped = _drop_empty_rows(table, file=file, on_empty=on_empty)
    if table.empty:
        raise ValueError(f"{file} has no documents with text.")
    dup = table["doc_id"].astype(str).duplicated(keep=False)
    if dup.any():
        raise CorpusValidationError(
            f"{file}: Duplicate doc_id in {_rows(table, dup)}. Make ids unique, e.g. by "
            "adding the year or a running number."
        )
    return table, skipped, codec, note, generated


def _check_ids_across_files(parts: list[pd.DataFrame], files: list[Path]) -> None:
    """Refuse a doc_id that two files give, naming both files."""
    owner: dict[str, int] = {}
    for i, part in enumerate(parts):
        for doc_id in part["doc_id"].astype(str):
            j = owner.setdefault(doc_id, i)
            if j != i:
                raise CorpusValidationError(
                    f"doc_id {doc_id!r} comes from both {files[j]} and {files[i]}. Ids are "
                    "prefixed with the file's stem when several files are loaded, so two "
                    "files with the same name (in different folders) collide: rename one of "
                    "them."
                )


def _tables_name_and_path(files: list[Path], several: bool) -> tuple[str, Path]:
    """Default corpus name and the path recorded: the file, or the files' common folder."""
    if not several:
        return files[0].stem, files[0]
    common = Path(os.path.commonpath([f.resolve().parent for f in files]))
    return common.name or files[0].stem, common


def load_table(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Mapping[str, str] | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    sheet_name: str | int = 0,
    on_empty: OnEmpty = "skip",
    name: str | None = None,
    release: str | None = None,
    assign: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    id_column: str | None = None,
    date_format: str | None = None,
    on_bad_date: OnBadDate = "raise",
) -> pd.DataFrame:
    """Load one or several tables with one row per document as a corpus table.

    Parameters
    ----------
    path : str, path-like or list of them
        A ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson`` (one JSON object per line),
        ``.parquet`` or ``.xlsx`` file; a list of such files; or a glob such as
        ``"press/*.csv"`` (matched files sorted by path). With a list or a glob, ids
        that come from the files get the file's stem as a prefix (``"rus/17"``; generated
        ids are ``"<stem>_<row>"`` anyway) and a ``file`` column names each row's file,
        so ids are unique per file; a doc_id that two files still share (files with the
        same name in different folders) is an error naming both files. (A table that
        has a ``file`` column keeps its own.)
    columns : mapping or None, default=None
        Renames your columns to the standard ones, e.g.
        ``{"speech": "text", "country": "actor", "id": "doc_id"}``. Every key must be
        a column of every table.
    format : {"csv", "tsv", "jsonl", "parquet", "excel"} or None, default=None
        Overrides the format guessed from the suffix.
    encoding : str, default="utf-8"
        Encoding of CSV/TSV/JSONL files. ``"auto"``: UTF-8 where it fits, else the
        encoding ``charset-normalizer`` detects. The codec used for each text file is
        recorded in ``attrs["corpus"]["encodings"]`` (file name -> codec).
    errors : str, default="strict"
        ``"strict"`` stops at the first undecodable byte, naming the byte offset;
        ``"replace"`` or ``"ignore"`` load anyway.
    sheet_name : str or int, default=0
        The sheet of an Excel file.
    on_empty : {"skip", "error"}, default="skip"
        Rows whose text is missing or only whitespace are a counted skip (listed in
        ``attrs["corpus"]["skipped"]`` as ``"<file>:row <n>"``, with a warning) or an error.
    name : str or None, default=None
        Corpus name for ``source`` and provenance; default the file's stem (several
        files: the name of their common folder).
    release : str or None, default=None
        A release label to record.
    assign : mapping, list of mappings or None, default=None
        Constant metadata: ``{"actor": "RUS", "speaker": "..."}`` for every file; a list
        with one mapping per file (in the order of ``path``; a glob's sorted order); or a
        mapping keyed by file name or stem, ``{"rus": {"actor": "RUS"}, ...}``. A column
        the table already has (after ``columns=``) cannot be assigned, nor ``text`` or
        ``doc_id``. Recorded in ``attrs["corpus"]["assign"]`` (file name -> mapping).
    id_column : str or None, default=None
        The column whose values become ``doc_id`` (converted to strings; ``12.0`` ->
        ``"12"``); the column itself is kept. Without it, a ``doc_id`` column is used,
        else ids are generated; a column that looks like ids (``id``, ``ID``, ``Id``,
        ``document_id``...) is then *not* used, which a note in
        ``attrs["corpus"]["notes"]`` and an :class:`~toolkit.exceptions.IdColumnWarning`
        say.
    date_format : str or None, default=None
        A :func:`pandas.to_datetime` format every ``date`` follows (e.g. ``"%d/%m/%Y"``).
        Default: ISO 8601 (``2022-06-24``, ``2022-06-24T17:30:00Z``, ``+02:00`` offsets,
        mixed offsets), then any layout pandas recognises, value by value.
    on_bad_date : {"raise", "warn", "skip"}, default="raise"
        A date that cannot be parsed (``2023-02-30``, ``yesterday``) is an error naming
        the rows and values; ``"warn"`` keeps the document with no date (counted in
        ``attrs["corpus"]["warnings"]``); ``"skip"`` drops it (counted in
        ``attrs["corpus"]["skipped"]``); both with a
        :class:`~toolkit.exceptions.BadDateWarning`.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        Standard columns, ``date_raw`` (when a date carried a time zone), then the
        tables' other columns (and ``file`` for several files). Dates are UTC, tz-naive;
        ``year`` is filled from ``date`` where missing. Without a ``doc_id`` column or
        ``id_column``, ids are ``"<file stem>_<row>"`` (row counted from 0 in the source
        table). ``attrs["corpus"]`` also holds ``warnings``, ``notes``,
        ``generated_ids`` (True when any file's ids were generated), ``encodings``,
        ``assign`` and, for several files, ``files``.

    Raises
    ------
    FileNotFoundError
        A file does not exist, or a glob matches none.
    ValueError
        Unknown format, unreadable or undecodable file, a mapping to a missing column,
        no text column, duplicate ids (within a file, or across files: naming both),
        a bad ``assign=``, unparseable dates with ``on_bad_date="raise"``, empty rows
        with ``on_empty="error"``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from toolkit.corpora import load_table
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"text": ["We will not sell weapons.", "Arms exports are controlled."],
    ...               "date": ["2023-04-14", "2023-04-20"]}).to_csv(folder / "chn.csv", index=False)
    >>> pd.DataFrame({"text": ["Western weapons prolong the war."],
    ...               "date": ["2023-04-15"]}).to_csv(folder / "rus.csv", index=False)
    >>> press = load_table(sorted(folder.glob("*.csv")),
    ...                    assign={"chn": {"actor": "CHN"}, "rus": {"actor": "RUS"}})
    >>> press[["doc_id", "actor", "year", "file"]]
      doc_id actor  year     file
    0  chn_0   CHN  2023  chn.csv
    1  chn_1   CHN  2023  chn.csv
    2  rus_0   RUS  2023  rus.csv
    """
    _check_errors(errors)
    check_on_empty(on_empty)
    check_on_bad_date(on_bad_date)
    files, several = _table_files(path)
    assigns = _per_file_assign(assign, files)
    parts, skipped, notes, generated, labels = [], [], [], [], []
    encodings: dict[str, str] = {}
    for file, values in zip(files, assigns, strict=True):
        part, part_skipped, codec, note, gen = _read_one_table(
            file, format=format, encoding=encoding, errors=errors, sheet_name=sheet_name,
            columns=columns, id_column=id_column, assign=values, on_empty=on_empty,
            several=several,
        )
        parts.append(part)
        skipped += part_skipped
        notes += [note] if note else []
        generated.append(gen)
        labels += [f"{file.name}:row {i}" for i in part.index]
        if codec is not None:
            encodings[file.name] = codec
    if several:
        _check_ids_across_files(parts, files)
    table = pd.concat(parts, ignore_index=True) if several else parts[0]
    if notes:
        more = f" (and {len(notes) - 1} more file(s); see attrs['corpus']['notes'])"
        warnings.warn(notes[0] + (more if len(notes) > 1 else ""), IdColumnWarning,
                      stacklevel=2)
    default_name, where = _tables_name_and_path(files, several)
    if several:
        digest = hashlib.sha256()
        for file in files:
            digest.update(f"{file.name}\x00{file_sha256(file)}\n".encode())
        sha256 = digest.hexdigest()
    else:
        sha256 = file_sha256(files[0])
    extra: dict[str, Any] = {
        "notes": notes,
        "generated_ids": any(generated),
        "encodings": encodings,
        "assign": {f.name: a for f, a in zip(files, assigns, strict=True) if a},
    }
    if several:
        extra["files"] = [str(f) for f in files]
    return _finish(
        table,
        name=name or default_name,
        release=release,
        sha256=sha256,
        skipped=skipped,
        path=where,
        loader="load_table",
        date_format=date_format,
        on_bad_date=on_bad_date,
        row_labels=pd.Series(labels, index=table.index),
        extra_info=extra,
    )

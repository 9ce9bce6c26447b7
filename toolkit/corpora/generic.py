"""Loaders for the corpora a researcher brings: a folder of text files, or a table.

Shapes (see ``corpora/README.md``):

* **A folder of ``.txt`` files**, one document per file, plus an optional metadata CSV
  with one row per file, keyed by file name (column ``file`` by default; with or
  without the ``.txt`` suffix). Metadata columns named like the standard columns
  (``actor``, ``year``, ``date``, ``speaker``...) fill them; others become extras.
* **A table** (CSV, TSV, JSONL, Parquet or Excel) with one row per document and a
  ``text`` column, or a ``columns=`` mapping from your column names to the standard ones.

Both return a validated corpus table (see :mod:`toolkit.corpora.schema`) whose
``attrs["corpus"]`` records ``name``, ``release``, ``sha256`` (of the source: file names
and bytes), ``n_docs`` and ``skipped`` (a list of ``{"file", "reason"}``). Files are only
read, never changed.

Empty documents (an empty file, or a file or row with only whitespace) are a *counted
skip* by default (``on_empty="skip"``): they are listed in ``attrs["corpus"]["skipped"]``
and a warning says how many. Pass ``on_empty="error"`` to refuse them instead.
"""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import io
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cache import file_sha256
from toolkit.corpora._loading import OnEmpty, check_on_empty, stamp_corpus, validate_source
from toolkit.corpora.schema import standardize_columns

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


def _check_errors(errors: str) -> None:
    try:
        codecs.lookup_error(errors)
    except LookupError as exc:
        raise ValueError(
            f"errors={errors!r} is not a codec error handler; use 'strict' (default), "
            "'replace' or 'ignore'."
        ) from exc


def decode_bytes(
    data: bytes,
    *,
    file: str | os.PathLike,
    encoding: str = "utf-8",
    errors: str = "strict",
    check_binary: bool = True,
) -> str:
    """Decode a file's bytes to text, with errors that name the file and byte offset.

    Parameters
    ----------
    data : bytes
        The file's content.
    file : str or path-like
        Its name, for messages.
    encoding : str, default="utf-8"
        A Python codec name. A UTF-8 byte-order mark is dropped.
    errors : str, default="strict"
        ``"strict"`` raises on undecodable bytes; ``"replace"`` turns them into U+FFFD;
        ``"ignore"`` drops them.
    check_binary : bool, default=True
        Refuse content with a NUL byte (a binary file), except for UTF-16/32 encodings.

    Returns
    -------
    str
        The text, with ``\\r\\n`` and ``\\r`` line ends turned into ``\\n``.

    Raises
    ------
    ValueError
        A binary file, or undecodable bytes under ``errors="strict"``.
    """
    codec = codecs.lookup(encoding).name
    if check_binary and not codec.startswith(("utf-16", "utf-32")):
        nul = data.find(b"\x00")
        if nul >= 0:
            raise ValueError(
                f"{file} looks like a binary file, not text: it has a NUL byte at byte offset "
                f"{nul}. Remove it from the corpus (or exclude it with pattern=...); if it is "
                "UTF-16 text, pass encoding='utf-16'."
            )
    try:
        text = data.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        raise ValueError(
            f"{file} is not valid {encoding}: byte 0x{bad.hex()} at byte offset {exc.start} "
            f"cannot be decoded ({exc.reason}). If the file uses another encoding pass "
            "encoding=... (e.g. 'latin-1' or 'cp1252'); to load it anyway pass "
            "errors='replace' (undecodable bytes become U+FFFD) or errors='ignore' "
            "(they are dropped)."
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _finish(
    df: pd.DataFrame,
    *,
    name: str,
    release: str | None,
    sha256: str,
    skipped: list[dict[str, str]],
    path: Path,
    loader: str,
    extra_info: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Standardise, fill year from date, validate, warn of skips and stamp provenance."""
    out = standardize_columns(df, source=name)
    fill = out["year"].isna() & out["date"].notna()
    if fill.any():
        out.loc[fill, "year"] = out.loc[fill, "date"].dt.year.astype("Int64")
    validate_source(out, path)
    if skipped:
        warnings.warn(
            f"{path}: skipped {len(skipped)} empty document(s) "
            f"(e.g. {skipped[0]['file']}); they are listed in df.attrs['corpus']['skipped']. "
            "Pass on_empty='error' to refuse them.",
            UserWarning,
            stacklevel=3,
        )
    return stamp_corpus(out, name=name, release=release, sha256=sha256, skipped=skipped,
                        path=path, loader=loader, extra=extra_info)


# --------------------------------------------------------------------------- text folder


def _read_metadata(
    metadata: str | os.PathLike | pd.DataFrame,
    *,
    encoding: str,
    errors: str,
) -> tuple[pd.DataFrame, bytes, str]:
    if isinstance(metadata, pd.DataFrame):
        raw = metadata.to_csv(index=False).encode("utf-8")
        return metadata.copy(), raw, "metadata DataFrame"
    mpath = Path(metadata).expanduser()
    if not mpath.is_file():
        raise FileNotFoundError(f"Metadata file {mpath} does not exist.")
    raw = mpath.read_bytes()
    text = decode_bytes(raw, file=mpath, encoding=encoding, errors=errors)
    sep = "\t" if mpath.suffix.lower() in (".tsv", ".tab") else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"Metadata file {mpath} is not a readable CSV: {exc}") from exc
    return table, raw, str(mpath)


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
) -> tuple[pd.DataFrame, list[dict[str, str]], Any]:
    """Read and decode every file; skip (or refuse) the empty ones; hash names and bytes.

    Returns the documents (``doc_id``, ``text``, ``file``), the skipped files and the
    running SHA-256 (a ``hashlib`` object, so that the metadata can be added to it).
    """
    from tqdm.auto import tqdm

    digest = hashlib.sha256()
    rows, skipped = [], []
    for file, rel, doc_id in tqdm(
        entries, desc=f"reading {folder.name}", unit="file",
        disable=not progress or len(entries) < 500,
    ):
        data = file.read_bytes()
        digest.update(rel.encode("utf-8") + b"\x00" + str(len(data)).encode() + b"\x00")
        digest.update(data)
        text = decode_bytes(data, file=file, encoding=encoding, errors=errors)
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
    return pd.DataFrame(rows), skipped, digest


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
    meta, raw, label = _read_metadata(metadata, encoding=encoding, errors=errors)
    docs, unmatched = _join_metadata(
        docs, meta, label=label, key=key, columns=columns, strict=strict,
        skipped_files=skipped_files,
    )
    extra: dict[str, Any] = {"metadata": label}
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
        Encoding of the files and of the metadata CSV.
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

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        Standard columns, then ``file`` (relative path) and the metadata extras. ``doc_id``
        is the file's relative path without suffix unless the metadata gives one.

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
    folder = _check_folder(path)
    files = _list_text_files(folder, pattern=pattern, recursive=recursive)
    docs, skipped, digest = _read_text_files(
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
    return _finish(
        docs,
        name=name or folder.resolve().name,
        release=release,
        sha256=digest.hexdigest(),
        skipped=skipped,
        path=folder,
        loader="load_text_folder",
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
                sheet_name: str | int) -> pd.DataFrame:
    if fmt == "parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:
            raise ValueError(f"{path} is not a readable Parquet file: {exc}") from exc
    if fmt == "excel":
        try:
            return pd.read_excel(path, sheet_name=sheet_name)
        except Exception as exc:
            raise ValueError(f"{path} is not a readable Excel file: {exc}") from exc
    text = decode_bytes(path.read_bytes(), file=path, encoding=encoding, errors=errors)
    if fmt == "jsonl":
        return _read_jsonl(text, path)
    try:
        return pd.read_csv(io.StringIO(text), sep="\t" if fmt == "tsv" else ",",
                           keep_default_na=False, na_values=[""])
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


def load_table(
    path: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    sheet_name: str | int = 0,
    on_empty: OnEmpty = "skip",
    name: str | None = None,
    release: str | None = None,
) -> pd.DataFrame:
    """Load a table with one row per document as a corpus table.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson`` (one JSON object per line),
        ``.parquet`` or ``.xlsx`` file.
    columns : mapping or None, default=None
        Renames your columns to the standard ones, e.g.
        ``{"speech": "text", "country": "actor", "id": "doc_id"}``. Every key must be
        a column of the table.
    format : {"csv", "tsv", "jsonl", "parquet", "excel"} or None, default=None
        Overrides the format guessed from the suffix.
    encoding : str, default="utf-8"
        Encoding of CSV/TSV/JSONL files.
    errors : str, default="strict"
        ``"strict"`` stops at the first undecodable byte, naming the byte offset;
        ``"replace"`` or ``"ignore"`` load anyway.
    sheet_name : str or int, default=0
        The sheet of an Excel file.
    on_empty : {"skip", "error"}, default="skip"
        Rows whose text is missing or only whitespace are a counted skip (listed in
        ``attrs["corpus"]["skipped"]`` as ``"<file>:row <n>"``, with a warning) or an error.
    name : str or None, default=None
        Corpus name for ``source`` and provenance; default the file's stem.
    release : str or None, default=None
        A release label to record.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        Standard columns, then the table's other columns. Without a ``doc_id`` column,
        ids are ``"<file stem>_<row>"`` (row counted from 0 in the source table).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Unknown format, unreadable or undecodable file, a mapping to a missing column,
        no text column, duplicate ids, empty rows with ``on_empty="error"``.
    """
    _check_errors(errors)
    check_on_empty(on_empty)
    file = _check_table_file(path)
    fmt = _table_format(file, format)
    table = _read_table(file, fmt, encoding=encoding, errors=errors, sheet_name=sheet_name)
    if columns:
        table = _rename_columns(table, columns, file=file)
    if "text" not in table.columns:
        raise ValueError(
            f"{file} has no 'text' column; its columns are {list(table.columns)}. Pass "
            "columns={'<your text column>': 'text'}."
        )
    generated = "doc_id" not in table.columns
    if generated:
        table = table.assign(doc_id=[f"{file.stem}_{i}" for i in range(len(table))])
    table, skipped = _drop_empty_rows(table, file=file, on_empty=on_empty)
    if table.empty:
        raise ValueError(f"{file} has no documents with text.")
    return _finish(
        table,
        name=name or file.stem,
        release=release,
        sha256=file_sha256(file),
        skipped=skipped,
        path=file,
        loader="load_table",
        extra_info={"generated_ids": generated},
    )

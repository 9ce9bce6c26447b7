"""Corpus tables as Dask DataFrames, and partitioned Parquet folders of the standard schema.

A corpus that outgrows one machine is kept as a folder of Parquet files holding the
standard corpus table (:data:`~toolkit.corpora.schema.STANDARD_COLUMNS` first, extra
columns after), as :func:`write_partitioned` writes it. :func:`read_parquet_dask` reads such
a folder (or one Parquet file, or a list of them) lazily, one partition per row group;
:func:`read_parquet_corpus` reads the same pieces into one pandas table, so the two engines
give the same rows, columns, dtypes and index. Any other corpus is loaded by its pandas
loader and split into partitions (:func:`partition_corpus`).

Dask is imported inside the functions that need it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.cache import atomic_path
from toolkit.corpora.schema import standardize_columns, validate_corpus

__all__ = [
    "is_parquet_source",
    "parquet_pieces",
    "partition_corpus",
    "read_parquet_corpus",
    "read_parquet_dask",
    "write_partitioned",
]

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
#: Text per partition when a pandas table is split (about 32 MB, ~1,700 UNGDC speeches).
TEXT_BYTES_PER_PARTITION = 32 * 2**20


def _parquet_files(path: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """The Parquet files of a file, a folder (searched recursively, sorted) or a list."""
    if isinstance(path, (list, tuple)):
        files = [Path(p).expanduser() for p in path]
    else:
        p = Path(path).expanduser()
        if p.is_dir():
            files = sorted(
                (f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in PARQUET_SUFFIXES
                 and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)),
                key=lambda f: f.relative_to(p).as_posix(),
            )
            if not files:
                raise FileNotFoundError(
                    f"{p} holds no Parquet files ({', '.join(PARQUET_SUFFIXES)}); write one "
                    "with toolkit.corpora.write_partitioned(corpus, folder)."
                )
        else:
            files = [p]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"No such Parquet file(s): {missing[:5]}.")
    return files


def is_parquet_source(path: Any) -> bool:
    """Whether ``path`` is a Parquet file, a list of them, or a folder holding only Parquet.

    Parameters
    ----------
    path : str, path-like or list of them
        What :func:`toolkit.corpora.load_corpus` was given.

    Returns
    -------
    bool
        True when :func:`read_parquet_corpus` / :func:`read_parquet_dask` read it.
    """
    if isinstance(path, (list, tuple)):
        return bool(path) and all(str(p).lower().endswith(PARQUET_SUFFIXES) for p in path)
    p = Path(path).expanduser()
    if p.is_file():
        return p.name.lower().endswith(PARQUET_SUFFIXES)
    if not p.is_dir():
        return False
    visible = [f for f in p.rglob("*") if f.is_file()
               and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)]
    return bool(visible) and all(f.suffix.lower() in PARQUET_SUFFIXES for f in visible)


def parquet_pieces(
    path: str | os.PathLike | Sequence[str | os.PathLike],
) -> list[tuple[str, int, int, int]]:
    """The row groups of a Parquet source, in order, with their place in the whole table.

    Parameters
    ----------
    path : str, path-like or list of them
        A Parquet file, a folder of them (read recursively in sorted order; names starting
        with ``.`` or ``_`` are ignored) or a list of files.

    Returns
    -------
    list of tuple (file, row_group, first_row, n_rows)
        One per non-empty row group; ``first_row`` is the row of the whole table it starts at.
    """
    import pyarrow.parquet as pq

    pieces = []
    start = 0
    for f in _parquet_files(path):
        meta = pq.ParquetFile(f).metadata
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if n:
                pieces.append((str(f), g, start, n))
                start += n
    if not pieces:
        raise ValueError(f"{path} holds no rows; there is no corpus to read.")
    return pieces


def _read_piece(piece: tuple[str, int, int, int], *, columns: list[str] | None,
                source: str) -> pd.DataFrame:
    """One row group as a standard corpus table, indexed by its rows in the whole table."""
    import pyarrow.parquet as pq

    file, group, start, n = piece
    table = pq.ParquetFile(file).read_row_group(group, columns=columns)
    df = _to_pandas(table)
    if "doc_id" not in df.columns or "text" not in df.columns:
        raise ValueError(
            f"{file} (row group {group}) has no 'doc_id' or 'text' column; its columns are "
            f"{list(df.columns)}. A partitioned corpus holds the standard corpus table: "
            "write it with toolkit.corpora.write_partitioned(corpus, folder)."
        )
    out = standardize_columns(df, source=source)
    try:
        validate_corpus(out)
    except ValueError as exc:
        raise type(exc)(f"{file} (row group {group}): {exc}") from exc
    out.index = pd.RangeIndex(start, start + n)
    return out


def _to_pandas(table: Any) -> pd.DataFrame:
    """An Arrow table as pandas with every string column Arrow-backed, as the loaders type
    the standard ones (and as Dask converts the others): both engines agree on dtypes."""
    import pyarrow as pa

    arrow_string = pd.StringDtype("pyarrow")
    strings = {pa.string(): arrow_string, pa.large_string(): arrow_string}
    return table.to_pandas(types_mapper=strings.get)


def _empty_like(piece: tuple[str, int, int, int], *, columns: list[str] | None,
                source: str) -> pd.DataFrame:
    """The empty standard table of a Parquet file's schema (no row is read or checked)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.ParquetFile(piece[0]).schema_arrow
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns if c in schema.names])
    empty = _to_pandas(schema.empty_table())
    return standardize_columns(empty, source=source).iloc[:0]


def _source_name(path: Any) -> str:
    first = Path(path[0] if isinstance(path, (list, tuple)) else path).expanduser()
    return first.parent.name if isinstance(path, (list, tuple)) else first.stem


def read_parquet_corpus(path: str | os.PathLike | Sequence[str | os.PathLike]) -> pd.DataFrame:
    """Read a Parquet corpus (file, folder or list) into one pandas corpus table.

    Parameters
    ----------
    path : str, path-like or list of them
        As :func:`parquet_pieces`.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        The standard columns first, with their dtypes; rows in file and row-group order;
        a RangeIndex; ``attrs["corpus"]`` names the path, files and row groups.

    Raises
    ------
    CorpusValidationError
        A row group with a missing, empty or duplicate doc_id or text (named), or a doc_id
        found in two row groups.
    """
    pieces = parquet_pieces(path)
    source = _source_name(path)
    parts = [_read_piece(p, columns=None, source=source) for p in pieces]
    out = pd.concat(parts) if len(parts) > 1 else parts[0]
    check_unique_ids(out["doc_id"], what=str(path))
    out.attrs = {"corpus": _provenance(path, pieces, source)}
    return out


def _provenance(path: Any, pieces: list[tuple[str, int, int, int]], source: str) -> dict:
    return {
        "name": source,
        "path": str(path),
        "loader": "parquet_dataset",
        "n_files": len({p[0] for p in pieces}),
        "n_row_groups": len(pieces),
        "skipped": [],
    }


def check_unique_ids(doc_ids: pd.Series, *, what: str) -> None:
    """Raise naming the first duplicated doc_ids of a whole (concatenated) corpus.

    Parameters
    ----------
    doc_ids : Series of str
        Every document's id.
    what : str
        The corpus, for the message.

    Returns
    -------
    None

    Raises
    ------
    CorpusValidationError
        When an id occurs twice.
    """
    from toolkit.exceptions import CorpusValidationError

    dup = doc_ids.astype(str).duplicated(keep=False)
    if dup.any():
        ids = sorted(set(doc_ids[dup].astype(str)))[:5]
        raise CorpusValidationError(
            f"{what}: doc_id {ids} occur(s) in more than one partition or row group. Make "
            "ids unique across the whole corpus, e.g. by prefixing the file name."
        )


def read_parquet_dask(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Sequence[str] | None = None,
) -> Any:
    """Read a Parquet corpus lazily: one Dask partition per row group.

    Parameters
    ----------
    path : str, path-like or list of them
        As :func:`parquet_pieces`.
    columns : sequence of str or None, default=None
        Read only these columns (``doc_id`` and ``text`` are always read); the standard
        columns missing from the selection come back as NA, as in the pandas path.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitions are the row groups, in order, with known divisions (the global row
        numbers), so ``ddf.compute()`` equals :func:`read_parquet_corpus` (same rows,
        columns, dtypes and index). Each partition is validated when it is computed.
    """
    import dask.dataframe as dd

    pieces = parquet_pieces(path)
    cols = None if columns is None else list(dict.fromkeys(["doc_id", "text", *columns]))
    source = _source_name(path)
    meta = _empty_like(pieces[0], columns=cols, source=source)
    divisions = [p[2] for p in pieces] + [pieces[-1][2] + pieces[-1][3] - 1]
    return dd.from_map(_read_piece, pieces, columns=cols, source=source, meta=meta,
                       divisions=divisions, label="fptk-read-corpus", enforce_metadata=False)


def partition_corpus(corpus: pd.DataFrame, *, npartitions: int | None = None) -> Any:
    """Split a pandas corpus table into a Dask DataFrame, keeping its rows in order.

    Parameters
    ----------
    corpus : DataFrame of shape (n_docs, n_columns)
        A corpus table.
    npartitions : int or None, default=None
        None: about :data:`TEXT_BYTES_PER_PARTITION` of text per partition (at least 1).

    Returns
    -------
    dask.dataframe.DataFrame
        ``npartitions`` contiguous, ordered partitions (``sort=False``); ``compute()``
        gives ``corpus`` back.
    """
    import dask.dataframe as dd

    if npartitions is None:
        n_bytes = int(corpus["text"].str.len().fillna(0).sum()) if len(corpus) else 0
        npartitions = max(1, int(np.ceil(n_bytes / TEXT_BYTES_PER_PARTITION)))
    npartitions = max(1, min(int(npartitions), max(len(corpus), 1)))
    return dd.from_pandas(corpus, npartitions=npartitions, sort=False)


def write_partitioned(
    corpus: Any,
    folder: str | os.PathLike,
    *,
    rows_per_file: int = 5000,
    row_group_size: int = 500,
    client: Any = None,
) -> list[Path]:
    """Write a corpus table as a partitioned Parquet folder of the standard schema.

    Parameters
    ----------
    corpus : DataFrame or dask.dataframe.DataFrame
        A corpus table (pandas: split every ``rows_per_file`` rows; Dask: one file per
        partition, written by the workers).
    folder : str or path-like
        Created when missing; must not already hold Parquet files.
    rows_per_file : int, default=5000
        Rows per file (pandas input only).
    row_group_size : int, default=500
        Rows per row group: the partitions of :func:`read_parquet_dask`.
    client : dask.distributed.Client, str or None, default=None
        Where a Dask table is written (see :func:`toolkit.distributed.get_client`).

    Returns
    -------
    list of Path
        The files written (``part-00000.parquet``...), each moved into place atomically.
    """
    out = Path(folder).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    if any(f.suffix.lower() in PARQUET_SUFFIXES for f in out.rglob("*")):
        raise FileExistsError(f"{out} already holds Parquet files; write to an empty folder.")
    from toolkit.distributed import compute, is_dask

    if is_dask(corpus):
        import dask

        parts = corpus.to_delayed()
        tasks = [dask.delayed(_write_part)(p, out / f"part-{i:05d}.parquet", row_group_size)
                 for i, p in enumerate(parts)]
        return list(compute(*tasks, client=client))
    files = []
    for i, start in enumerate(range(0, len(corpus), int(rows_per_file))):
        part = corpus.iloc[start:start + int(rows_per_file)]
        files.append(_write_part(part, out / f"part-{i:05d}.parquet", row_group_size))
    return files


def _write_part(part: pd.DataFrame, path: Path, row_group_size: int) -> Path:
    with atomic_path(path) as tmp:
        part.reset_index(drop=True).to_parquet(tmp, index=False, row_group_size=row_group_size)
    return path

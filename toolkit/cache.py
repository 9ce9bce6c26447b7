"""Content-keyed, atomically written caches for slow, deterministic steps.

A cache entry lives at ``<cache home>/<kind>/<key>.<suffix>``, where ``key`` is a
hash of everything that produced it (the source checksum, every parameter and the
toolkit version). A changed parameter is therefore a new entry, never a stale hit.
Every write goes to a temporary file in the same folder and is moved into place with
:func:`os.replace`, so a crash never leaves a half-written entry. A corrupt entry is
detected when read, reported, removed from the cache (never from user data) and rebuilt.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.config import get_cache_home
from toolkit.exceptions import CacheCorruptWarning

__all__ = [
    "CacheCorruptWarning",
    "atomic_path",
    "cache_key",
    "cache_path",
    "cached",
    "clear_cache",
    "file_sha256",
    "frame_fingerprint",
    "list_cache",
    "read_frame",
    "source_sha256",
    "to_jsonable",
    "write_frame",
]


def to_jsonable(value: Any) -> Any:
    """Turn parameters into plain JSON values, for cache keys and provenance records.

    Parameters
    ----------
    value : object
        Mappings, sequences, sets, paths, numbers, strings, None, numpy scalars, dates,
        pandas NA/NaT, nested freely.

    Returns
    -------
    object
        Dicts with string keys (in their order; ``json.dumps(sort_keys=True)`` sorts them
        for keys), lists (sets sorted, so the result does not depend on hash order),
        numbers, strings, booleans and None. Anything else becomes ``str(value)``.
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas NA / NaT, without importing it
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):  # also pandas Timestamps
        return value.isoformat()
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy scalars
        return value.item()
    return str(value)


def cache_key(*, kind: str, **parts: Any) -> str:
    """Hash the parts that produced an entry into a short, stable key.

    Parameters
    ----------
    kind : str
        The kind of entry (``"corpus"``, ``"tokens"``, ``"dtm"``...).
    **parts
        Everything that determines the entry: checksums, parameters. The toolkit
        version is always added.

    Returns
    -------
    str
        24 hex characters.
    """
    payload = json.dumps(
        {"kind": kind, "toolkit": __version__, **to_jsonable(parts)}, sort_keys=True
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def cache_path(kind: str, key: str, suffix: str, *, cache_home: str | None = None) -> Path:
    """Return where an entry of ``kind`` with ``key`` lives (the folder is created).

    Parameters
    ----------
    kind : str
        The kind of entry, a sub-folder of the cache home (``"corpus"``, ``"dtm"``...).
    key : str
        The entry's key, usually from :func:`cache_key`.
    suffix : str
        The file suffix, with its dot (``".parquet"``, ``".npz"``).
    cache_home : str or None, default=None
        Override of the cache folder (``FPTK_CACHE_HOME``).

    Returns
    -------
    Path
        ``<cache home>/<kind>/<key><suffix>``. The folder exists; the file may not.
    """
    folder = get_cache_home(cache_home) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}{suffix}"


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then put it back
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it into place on success.

    On an exception the temporary file is removed and ``target`` is untouched.

    Parameters
    ----------
    target : str or path-like
        The file to write. Its folder is created when missing.

    Returns
    -------
    contextmanager of Path
        A context manager whose value is an empty temporary file in the folder of
        ``target`` (a hidden ``.<name>.*.tmp``). Write to it inside the ``with`` block;
        on a normal exit it replaces ``target`` with :func:`os.replace`, with the mode a
        new file gets under the process umask (usually 0644), not ``mkstemp``'s 0600, so a
        web server or a colleague can read a rendered report.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a,b")
    >>> target.read_text()
    'a,b'
    >>> sorted(p.name for p in target.parent.iterdir())  # no temporary file is left
    ['table.csv']
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():  # mkstemp makes 0600; a finished file gets the usual mode
            os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def file_sha256(path: str | os.PathLike, *, chunk_size: int = 1 << 20) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks.

    Parameters
    ----------
    path : str or path-like
        The file.
    chunk_size : int, default=1048576
        Bytes read at a time (1 MiB).

    Returns
    -------
    str
        64 hex characters.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            h.update(chunk)
    return h.hexdigest()


def cached(
    kind: str,
    key: str,
    *,
    suffix: str,
    build: Callable[[], Any],
    write: Callable[[Any, Path], None],
    read: Callable[[Path], Any],
    cache_home: str | None = None,
    use_cache: bool = True,
) -> Any:
    """Return the cached value for ``(kind, key)``, building and writing it when absent.

    Parameters
    ----------
    kind, key, suffix : str
        Where the entry lives (see :func:`cache_path`).
    build : callable
        ``build() -> value``; called on a miss.
    write : callable
        ``write(value, path)``; called on a temporary path that is then moved into place.
    read : callable
        ``read(path) -> value``. Any exception it raises marks the entry corrupt: a
        :class:`CacheCorruptWarning` is issued and the entry is rebuilt.
    cache_home : str or None, default=None
        Override of the cache folder.
    use_cache : bool, default=True
        False builds without reading or writing the cache.

    Returns
    -------
    object
        What ``read`` returns for a sound entry, else what ``build`` returns (written
        to the cache first, unless ``use_cache`` is False).
    """
    if not use_cache:
        return build()
    path = cache_path(kind, key, suffix, cache_home=cache_home)
    if path.exists():
        try:
            return read(path)
        except Exception as exc:
            warnings.warn(
                f"Cache entry {path} is corrupt ({type(exc).__name__}: {exc}); rebuilding it.",
                CacheCorruptWarning,
                stacklevel=2,
            )
    value = build()
    with atomic_path(path) as tmp:
        write(value, tmp)
    return value


def list_cache(*, cache_home: str | None = None) -> list[dict[str, Any]]:
    """List the cache entries.

    Parameters
    ----------
    cache_home : str or None, default=None
        Override of the cache folder (``FPTK_CACHE_HOME``).

    Returns
    -------
    list of dict
        One dict per file below the cache home (hidden files excluded), sorted by path:
        ``kind`` (the sub-folder), ``file`` (absolute path, str) and ``bytes`` (int).
    """
    home = get_cache_home(cache_home)
    rows = []
    for path in sorted(home.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rows.append(
                {
                    "kind": path.relative_to(home).parts[0],
                    "file": str(path),
                    "bytes": path.stat().st_size,
                }
            )
    return rows


def clear_cache(kind: str | None = None, *, cache_home: str | None = None) -> int:
    """Delete cache entries, of one ``kind`` or all.

    Only the cache folder is touched, never the data home.

    Parameters
    ----------
    kind : str or None, default=None
        The kind of entry (a sub-folder of the cache home) to remove; None removes every
        sub-folder. Files directly in the cache home are kept.
    cache_home : str or None, default=None
        Override of the cache folder (``FPTK_CACHE_HOME``).

    Returns
    -------
    int
        The number of files removed.
    """
    home = get_cache_home(cache_home)
    targets = [home / kind] if kind else [p for p in home.iterdir() if p.is_dir()]
    n = 0
    for folder in targets:
        if folder.is_dir():
            n += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    return n


def source_sha256(path: str | os.PathLike, *, cache_home: str | None = None) -> str:
    """Return the SHA-256 of a source file, memoised by its size and modification time.

    Hashing a 67 MB archive costs ~0.2 s; the memo (a small JSON per file in the cache
    home, written atomically) makes a warm load skip it. A file whose size, mtime or inode
    changed is hashed again, so the memo is never stale.

    Parameters
    ----------
    path : str or path-like
        The source file (an archive, a table).
    cache_home : str or None, default=None
        Override of the cache folder where the memo is kept (``FPTK_CACHE_HOME``).

    Returns
    -------
    str
        The SHA-256 of the file's bytes, 64 hex characters (as :func:`file_sha256`).
    """
    path = Path(path).resolve()
    st = path.stat()
    stamp = {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "ino": st.st_ino}
    memo = cache_path("checksums", cache_key(kind="checksum", path=str(path)), ".json",
                      cache_home=cache_home)
    if memo.exists():
        try:
            saved = json.loads(memo.read_text(encoding="utf-8"))
            if {k: saved.get(k) for k in stamp} == stamp:
                return str(saved["sha256"])
        except (ValueError, KeyError):
            pass  # a broken memo is simply recomputed
    digest = file_sha256(path)
    with atomic_path(memo) as tmp:
        tmp.write_text(json.dumps({**stamp, "sha256": digest}), encoding="utf-8")
    return digest


def write_frame(df: Any, path: str | os.PathLike) -> None:
    """Write a DataFrame to Parquet with its ``attrs`` (uncompressed: read far more than written).

    Measured on the full UNGDC table (213 MB of text): an uncompressed file reads in about
    0.5 s, a zstd-compressed one in about 1.3 s.

    Parameters
    ----------
    df : DataFrame
        The table; its index is not written. ``df.attrs`` must be JSON-serialisable.
    path : str or path-like
        The target file (usually the temporary path of :func:`atomic_path`).

    Returns
    -------
    None
    """
    df.to_parquet(path, index=False, compression=None)


def read_frame(path: str | os.PathLike) -> Any:
    """Read a DataFrame written by :func:`write_frame`, strings Arrow-backed, ``attrs`` restored.

    Parameters
    ----------
    path : str or path-like
        A Parquet file written by :func:`write_frame`.

    Returns
    -------
    DataFrame
        The table with a fresh RangeIndex; string columns as ``string[pyarrow]`` and
        ``attrs`` as written.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    string_dtype = pd.StringDtype("pyarrow")
    df = table.to_pandas(
        types_mapper={pa.string(): string_dtype, pa.large_string(): string_dtype}.get
    )
    meta = table.schema.metadata or {}
    if b"PANDAS_ATTRS" in meta:
        df.attrs = json.loads(meta[b"PANDAS_ATTRS"])
    return df


def frame_fingerprint(df: Any, *, columns: tuple[str, ...] = ("doc_id", "text")) -> str:
    """Return a SHA-256 of the contents of ``columns`` of a DataFrame, for cache keys.

    Exact (every byte of every value, nulls and order count) and fast: string columns are
    hashed from their Arrow buffers without making Python strings (about 0.2 s for the
    213 MB of UNGDC text). Other columns are converted to Arrow first. Two tables with the
    same values give the same fingerprint whatever their storage (slices, chunks,
    ``string`` or ``large_string``).

    Parameters
    ----------
    df : DataFrame
        The table.
    columns : tuple of str, default=("doc_id", "text")
        The columns that determine the derived result.

    Returns
    -------
    str
        The SHA-256, 64 hex characters.

    Raises
    ------
    KeyError
        When ``df`` lacks one of ``columns``.
    """
    import numpy as np
    import pyarrow as pa

    h = hashlib.sha256()
    for col in columns:
        if col not in df.columns:
            raise KeyError(f"frame_fingerprint: no column {col!r}; columns: {list(df.columns)}")
        arr = pa.array(df[col], from_pandas=True)
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        h.update(f"{col}\x1f{len(df)}\x1f".encode())
        for chunk in chunks:
            if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
                chunk = chunk.cast(pa.large_string())
                _, offsets_buf, data_buf = chunk.buffers()
                offsets = np.frombuffer(offsets_buf, dtype=np.int64)[
                    chunk.offset : chunk.offset + len(chunk) + 1
                ]
                h.update((offsets - offsets[0]).tobytes())
                if data_buf is not None and len(offsets):
                    h.update(memoryview(data_buf)[int(offsets[0]) : int(offsets[-1])])
            else:
                h.update(chunk.to_numpy(zero_copy_only=False).astype(str).tobytes())
            h.update(np.asarray(chunk.is_null()).tobytes())
    return h.hexdigest()

"""Read the members of a folder, a tar archive or a zip archive safely, without extracting.

Nothing is written to disk. Archive members that could escape a folder if extracted
(absolute paths, ``..``), links and devices are refused with an error naming the member:
a corpus archive has no business containing them. Truncated or non-archive files raise
:class:`ArchiveError` saying what was found and how to fix it.
"""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from toolkit._validation import check_int, check_option
from toolkit.exceptions import ArchiveError, UnsafeArchiveError

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "ArchiveError",
    "UnsafeArchiveError",
    "iter_members",
    "source_kind",
]

TAR_SUFFIXES = (".tgz", ".tar.gz", ".tar", ".tar.bz2", ".tar.xz")


def source_kind(path: str | os.PathLike) -> str:
    """Tell whether a corpus source is a folder, a tar archive or a zip archive.

    Parameters
    ----------
    path : str or path-like
        A folder, or an archive named ``*.tgz``, ``*.tar.gz``, ``*.tar``, ``*.tar.bz2``,
        ``*.tar.xz`` or ``*.zip`` (by its suffix, case-insensitively; the content is not
        read here).

    Returns
    -------
    {"dir", "tar", "zip"}
        The kind of source.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ArchiveError
        A file with none of the archive suffixes.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist. Pass the folder or archive of the corpus, or set "
            "FPTK_DATA_HOME to the folder that holds it."
        )
    if path.is_dir():
        return "dir"
    name = path.name.lower()
    if name.endswith(TAR_SUFFIXES):
        return "tar"
    if name.endswith(".zip"):
        return "zip"
    raise ArchiveError(
        f"{path} is neither a folder nor a .tgz/.tar.gz/.tar/.zip archive. Pass the "
        "extracted folder or the archive as downloaded."
    )


def _check_name(name: str, archive: Path) -> str:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} has an absolute path. Refusing to read this archive; "
            "repack it with relative paths."
        )
    if ".." in pure.parts:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} contains '..' and could escape its folder. "
            "Refusing to read this archive; repack it without parent references."
        )
    return str(pure)


#: Default limits (see :func:`iter_members`): a UNGDC speech is under 200 KB of text and
#: compresses about 3:1, so these refuse only what cannot be a document.
MAX_MEMBER_BYTES = 64 * 2**20
MAX_RATIO = 100.0
_CHUNK = 2**20
_RATIO_FLOOR = 4 * 2**20  # ratios of smaller members are not checked (read granularity)
_RAW_READ = 16 * 2**10  # compressed bytes handed to the decompressor per read


def _too_big(path: Path, name: str, size: int, limit: int) -> ArchiveError:
    return ArchiveError(
        f"{path}: member {name!r} is {size:,} bytes uncompressed, over the limit of "
        f"{limit:,} bytes per member. A speech is far smaller: this looks like a damaged or "
        "hostile archive. If the member is genuine, pass a larger max_member_bytes."
    )


def _too_compressed(path: Path, name: str, size: int, packed: int, limit: float) -> ArchiveError:
    return ArchiveError(
        f"{path}: member {name!r} expands {size / max(packed, 1):,.0f}:1 ({packed:,} -> "
        f"{size:,} bytes), over the limit of {limit:,.0f}:1. Text compresses about 3:1; "
        "this looks like a decompression bomb. If the member is genuine, pass a larger "
        "max_ratio."
    )


def _binary(path: Path, name: str, offset: int) -> ArchiveError:
    return ArchiveError(
        f"{path}: member {name!r} looks like a binary file, not text: it has a NUL byte at "
        f"byte offset {offset}. Remove it from the archive or read it with binary='keep'."
    )


def _read_limited(fh, *, path: Path, name: str, limit: int, binary: str) -> bytes:
    """Read a member in chunks: stop past ``limit``; check the first chunk for NUL bytes."""
    chunks, total = [], 0
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        if not chunks and binary == "raise" and b"\x00" in chunk:
            raise _binary(path, name, chunk.index(b"\x00"))
        total += len(chunk)
        if total > limit:
            raise _too_big(path, name, total, limit)
        chunks.append(chunk)
    return b"".join(chunks)


class _SmallReads(io.RawIOBase):
    """Hand the decompressor at most ``_RAW_READ`` bytes per read, so that the compressed
    position (``tell``) follows the members closely enough to measure their ratio."""

    def __init__(self, fh):
        self.fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.fh.read(min(len(b), _RAW_READ))
        b[: len(data)] = data
        return len(data)


def _gzip_stream(fh):
    try:  # ISA-L is ~3x faster than zlib on this machine
        from isal import igzip

        return igzip.IGzipFile(fileobj=fh, mode="rb")
    except ImportError:  # pragma: no cover - isal is a dependency
        import gzip

        return gzip.GzipFile(fileobj=fh, mode="rb")


def _open_tar(path: Path, raw) -> tarfile.TarFile:
    """A streaming tar reader; gzip goes through ISA-L, other compressions through tarfile."""
    magic = raw.read(2)
    raw.seek(0)
    try:
        if magic == b"\x1f\x8b":
            return tarfile.open(fileobj=_gzip_stream(_SmallReads(raw)), mode="r|")
        return tarfile.open(fileobj=raw, mode="r|*")
    except (EOFError, OSError, tarfile.TarError) as exc:
        raise ArchiveError(
            f"{path} is truncated or not a tar archive ({exc}). Download it again and "
            "compare its SHA-256 with the corpus card (`fptk info NAME`)."
        ) from exc


def _check_tar_member(member: tarfile.TarInfo, name: str, path: Path) -> None:
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(
            f"{path}: member {name!r} is a link. Refusing to read this archive; "
            "repack it with regular files only."
        )
    if not member.isfile():
        raise UnsafeArchiveError(
            f"{path}: member {name!r} is a device or special file. Refusing to "
            "read this archive; repack it with regular files only."
        )


def _iter_tar(path: Path, *, limit: int, ratio: float, binary: str
              ) -> Iterator[tuple[str, bytes]]:
    with open(path, "rb") as raw:
        tf = _open_tar(path, raw)
        try:
            with tf:
                for member in tf:
                    name = _check_name(member.name, path)
                    if member.isdir():
                        continue
                    _check_tar_member(member, name, path)
                    if member.size > limit:  # refused on the header, before reading
                        raise _too_big(path, name, member.size, limit)
                    packed_at = raw.tell()
                    fh = tf.extractfile(member)
                    data = (_read_limited(fh, path=path, name=name, limit=limit, binary=binary)
                            if fh is not None else b"")
                    packed = raw.tell() - packed_at
                    if len(data) >= _RATIO_FLOOR and len(data) > ratio * max(packed, 1):
                        raise _too_compressed(path, name, len(data), packed, ratio)
                    if len(data) != member.size:
                        raise ArchiveError(
                            f"{path} is truncated: member {name!r} has {len(data)} of "
                            f"{member.size} bytes. Download the archive again."
                        )
                    yield name, data
        except (EOFError, tarfile.TarError, OSError) as exc:
            raise ArchiveError(
                f"{path} is truncated or corrupt ({exc}). Download it again and compare its "
                "SHA-256 with the corpus card."
            ) from exc


def _iter_zip(path: Path, *, limit: int, ratio: float, binary: str
              ) -> Iterator[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(
            f"{path} is truncated or not a zip archive ({exc}). Download it again."
        ) from exc
    with zf:
        for info in zf.infolist():
            name = _check_name(info.filename, path)
            if info.is_dir():
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if mode and mode != 0o100000:
                raise UnsafeArchiveError(
                    f"{path}: member {name!r} is a link or special file. Refusing to read "
                    "this archive; repack it with regular files only."
                )
            if info.file_size > limit:
                raise _too_big(path, name, info.file_size, limit)
            if info.file_size >= _RATIO_FLOOR and info.file_size > ratio * max(
                    info.compress_size, 1):
                raise _too_compressed(path, name, info.file_size, info.compress_size, ratio)
            try:
                with zf.open(info) as fh:
                    yield name, _read_limited(fh, path=path, name=name, limit=limit,
                                              binary=binary)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ArchiveError(
                    f"{path}: member {name!r} cannot be read ({exc}). Download it again."
                ) from exc


def _iter_dir(path: Path, *, limit: int, binary: str) -> Iterator[tuple[str, bytes]]:
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for fname in sorted(files):
            full = Path(root) / fname
            rel = full.relative_to(path).as_posix()
            if full.is_symlink() or not full.is_file():
                # Reported by the caller as a skipped member, never followed.
                yield rel, None  # type: ignore[misc]
                continue
            size = full.stat().st_size
            if size > limit:
                raise _too_big(path, rel, size, limit)
            with open(full, "rb") as fh:
                yield rel, _read_limited(fh, path=path, name=rel, limit=limit, binary=binary)


def iter_members(
    path: str | os.PathLike,
    *,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_RATIO,
    binary: str = "keep",
) -> Iterator[tuple[str, bytes | None]]:
    """Yield ``(relative_posix_name, bytes)`` for every file in a folder or archive.

    Members are yielded in archive order (sorted for folders). For a folder, a symbolic
    link or special file is yielded with ``None`` as its bytes so the caller can report
    it as skipped; it is never followed.

    Parameters
    ----------
    path : str or path-like
        A folder or a tar/zip archive (see :func:`source_kind`).
    max_member_bytes : int, default=MAX_MEMBER_BYTES (64 MiB)
        Refuse a member whose declared (header) or actual uncompressed size is larger. The
        declared size is checked before anything is read, so a bomb costs nothing; the
        actual size is checked while reading in 1 MiB chunks, so memory stays bounded.
    max_ratio : float, default=MAX_RATIO (100)
        Refuse a member of 4 MiB or more that expands more than this many times (zip: its
        stored sizes; tar: the compressed bytes consumed while it was read, measured to
        within 16 KiB). Smaller members are bounded by ``max_member_bytes`` anyway.
    binary : {"keep", "raise"}, default="keep"
        "raise" refuses a member whose first 1 MiB chunk holds a NUL byte (a binary file),
        before the rest is read; "keep" leaves the check to the caller.

    Returns
    -------
    iterator of (str, bytes or None)
        A generator of ``(name, data)`` pairs: ``name`` is the member's path relative to
        the folder or archive root, with ``/`` separators; ``data`` its whole content.
        Folders (directory members) are not yielded. Nothing is extracted to disk.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    UnsafeArchiveError
        A member has an absolute path, ``..``, or is a link or device.
    ArchiveError
        The file is truncated, corrupt, or not an archive; a member is over a limit or
        (with ``binary="raise"``) binary. The message names the member.

    Notes
    -----
    Archives are streamed member by member (gzip through ISA-L), never read whole: peak
    memory is about one member plus the decompressor's buffers.
    """
    path = Path(path)
    limit = check_int("max_member_bytes", max_member_bytes, min_value=1)
    check_option("binary", binary, ("keep", "raise"))
    if not max_ratio > 1:
        raise ValueError(f"max_ratio must be > 1, got {max_ratio}.")
    kind = source_kind(path)
    if kind == "dir":
        yield from _iter_dir(path, limit=limit, binary=binary)
    elif kind == "tar":
        yield from _iter_tar(path, limit=limit, ratio=float(max_ratio), binary=binary)
    else:
        yield from _iter_zip(path, limit=limit, ratio=float(max_ratio), binary=binary)

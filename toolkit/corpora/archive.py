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

from toolkit.exceptions import ArchiveError, UnsafeArchiveError

__all__ = ["ArchiveError", "UnsafeArchiveError", "iter_members", "source_kind"]

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


def _gunzip(data: bytes) -> bytes:
    try:  # ISA-L is ~3x faster than zlib on this machine
        from isal import igzip

        return igzip.decompress(data)
    except ImportError:  # pragma: no cover - isal is a dependency
        import gzip

        return gzip.decompress(data)


def _iter_tar(path: Path) -> Iterator[tuple[str, bytes]]:
    raw = path.read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = _gunzip(raw)
        tf = tarfile.open(fileobj=io.BytesIO(raw), mode="r:*")
    except (EOFError, OSError, tarfile.TarError) as exc:
        raise ArchiveError(
            f"{path} is truncated or not a tar archive ({exc}). Download it again and "
            "compare its SHA-256 with the corpus card (`fptk info NAME`)."
        ) from exc
    with tf:
        try:
            for member in tf:
                name = _check_name(member.name, path)
                if member.isdir():
                    continue
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
                fh = tf.extractfile(member)
                data = fh.read() if fh is not None else b""
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


def _iter_zip(path: Path) -> Iterator[tuple[str, bytes]]:
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
            try:
                yield name, zf.read(info)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ArchiveError(
                    f"{path}: member {name!r} cannot be read ({exc}). Download it again."
                ) from exc


def _iter_dir(path: Path) -> Iterator[tuple[str, bytes]]:
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for fname in sorted(files):
            full = Path(root) / fname
            rel = full.relative_to(path).as_posix()
            if full.is_symlink() or not full.is_file():
                # Reported by the caller as a skipped member, never followed.
                yield rel, None  # type: ignore[misc]
                continue
            yield rel, full.read_bytes()


def iter_members(path: str | os.PathLike) -> Iterator[tuple[str, bytes | None]]:
    """Yield ``(relative_posix_name, bytes)`` for every file in a folder or archive.

    Members are yielded in archive order (sorted for folders). For a folder, a symbolic
    link or special file is yielded with ``None`` as its bytes so the caller can report
    it as skipped; it is never followed.

    Parameters
    ----------
    path : str or path-like
        A folder or a tar/zip archive (see :func:`source_kind`).

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
        The file is truncated, corrupt, or not an archive.
    """
    path = Path(path)
    kind = source_kind(path)
    if kind == "dir":
        yield from _iter_dir(path)
    elif kind == "tar":
        yield from _iter_tar(path)
    else:
        yield from _iter_zip(path)

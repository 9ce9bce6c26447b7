"""Safe reading of archives: every unsafe or broken input is refused with a clear message."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile

import pytest

from toolkit.corpora.archive import ArchiveError, UnsafeArchiveError, iter_members


def _tar_with(path, info: tarfile.TarInfo, data: bytes = b""):
    with tarfile.open(path, "w:gz") as tf:
        tf.addfile(info, io.BytesIO(data) if data else None)
    return path


def test_reads_folder_tar_and_zip_alike(tmp_path):
    (tmp_path / "d" / "a").mkdir(parents=True)
    (tmp_path / "d" / "a" / "x.txt").write_text("hello")
    with tarfile.open(tmp_path / "t.tgz", "w:gz") as tf:
        tf.add(tmp_path / "d" / "a", arcname="a")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
        zf.writestr("a/x.txt", "hello")
    for src in ("d", "t.tgz", "z.zip"):
        assert list(iter_members(tmp_path / src)) == [("a/x.txt", b"hello")]


@pytest.mark.parametrize(
    ("name", "message"),
    [("/etc/passwd", "absolute path"), ("../../evil.txt", r"contains '\.\.'")],
)
def test_tar_member_paths_that_escape_are_refused(tmp_path, name, message):
    info = tarfile.TarInfo(name)
    info.size = 3
    path = _tar_with(tmp_path / "bad.tgz", info, b"abc")
    with pytest.raises(UnsafeArchiveError, match=message):
        list(iter_members(path))


def test_zip_member_with_parent_reference_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("../evil.txt", "x")
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./evil.txt' contains"):
        list(iter_members(tmp_path / "bad.zip"))


def test_symlink_and_device_members_are_refused(tmp_path):
    link = tarfile.TarInfo("TXT/link.txt")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(UnsafeArchiveError, match="is a link"):
        list(iter_members(_tar_with(tmp_path / "l.tgz", link)))
    dev = tarfile.TarInfo("TXT/dev")
    dev.type = tarfile.CHRTYPE
    with pytest.raises(UnsafeArchiveError, match="device or special file"):
        list(iter_members(_tar_with(tmp_path / "d.tgz", dev)))


def test_truncated_archive_is_reported(tmp_path):
    data = os.urandom(200_000)
    with tarfile.open(tmp_path / "full.tgz", "w:gz") as tf:
        info = tarfile.TarInfo("TXT/big.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    raw = (tmp_path / "full.tgz").read_bytes()
    (tmp_path / "cut.tgz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ArchiveError, match="truncated"):
        list(iter_members(tmp_path / "cut.tgz"))


def test_not_an_archive(tmp_path):
    (tmp_path / "fake.tgz").write_text("this is not gzip")
    with pytest.raises(ArchiveError, match="not a tar archive"):
        list(iter_members(tmp_path / "fake.tgz"))
    (tmp_path / "fake.zip").write_text("nor zip")
    with pytest.raises(ArchiveError, match="not a zip archive"):
        list(iter_members(tmp_path / "fake.zip"))
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(ArchiveError, match="neither a folder nor"):
        list(iter_members(tmp_path / "notes.docx"))


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(iter_members(tmp_path / "missing"))


def test_symlink_in_folder_is_yielded_for_reporting_not_followed(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", tmp_path / "d" / "link.txt")
    assert list(iter_members(tmp_path / "d")) == [("link.txt", None)]

"""Safe reading of archives: every unsafe or broken input is refused with a clear message."""

from __future__ import annotations

import io
import os
import subprocess
import sys
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


class _Zeros(io.RawIOBase):
    """A file of ``n`` zero bytes that never exists in memory."""

    def __init__(self, n: int):
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k


def _zero_tgz(path, size: int, name: str = "TXT/Session 01 - 1946/USA_01_1946.txt"):
    from isal import igzip

    with igzip.open(path, "wb", compresslevel=0) as gz, tarfile.open(fileobj=gz, mode="w|") as tf:
        info = tarfile.TarInfo(name)
        info.size = size
        tf.addfile(info, io.BufferedReader(_Zeros(size), buffer_size=1 << 20))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return _zero_tgz(tmp_path_factory.mktemp("bomb") / "bomb.tgz", 2 * 2**30)


@pytest.mark.slow
def test_a_2gib_zero_member_is_refused_fast_and_small(bomb):
    """The bomb is refused on its header: < 1 s and < 300 MB RSS, in a fresh process.

    The peak is the process's own VmHWM: ``ru_maxrss`` of a child keeps the parent's peak
    from before ``exec`` (a large pytest process would be counted).
    """
    code = (
        "import sys, time\n"
        "from toolkit.corpora.archive import iter_members, ArchiveError\n"
        "t = time.perf_counter()\n"
        "try:\n"
        f"    list(iter_members({str(bomb)!r}))\n"
        "except ArchiveError as exc:\n"
        "    msg = str(exc)\n"
        "status = open('/proc/self/status').read().splitlines()\n"
        "hwm = next(int(x.split()[1]) for x in status if x.startswith('VmHWM'))\n"
        "print(time.perf_counter() - t, hwm, msg)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss_kb, msg = out.stdout.split(" ", 2)
    assert float(seconds) < 1.0
    assert int(rss_kb) / 1024 < 300
    assert "USA_01_1946.txt" in msg and "over the limit" in msg


def test_members_over_the_size_or_ratio_limit_are_named(tmp_path):
    small = _zero_tgz(tmp_path / "z.tgz", 6 * 2**20)  # 6 MiB of zeros: ~1000:1
    with pytest.raises(ArchiveError, match=r"USA_01_1946\.txt' expands .* over the limit of 100:1"):
        list(iter_members(small))
    with pytest.raises(ArchiveError, match=r"is 6,291,456 bytes uncompressed, over the limit"):
        list(iter_members(small, max_member_bytes=2**20, max_ratio=10_000))
    assert len(next(iter(iter_members(small, max_ratio=10_000)))[1]) == 6 * 2**20
    zpath = tmp_path / "z.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", bytes(6 * 2**20))
    with pytest.raises(ArchiveError, match=r"'a.txt' expands"):
        list(iter_members(zpath))
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "big.txt").write_bytes(b"x" * 2048)
    with pytest.raises(ArchiveError, match=r"'big.txt' is 2,048 bytes"):
        list(iter_members(tmp_path / "dir", max_member_bytes=1024))


def test_binary_members_can_be_refused_on_the_first_chunk(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.txt", b"text")
        zf.writestr("bin.txt", b"ab\x00cd")
    assert [n for n, _ in iter_members(path)] == ["ok.txt", "bin.txt"]
    with pytest.raises(ArchiveError, match=r"'bin.txt' looks like a binary file.*offset 2"):
        list(iter_members(path, binary="raise"))

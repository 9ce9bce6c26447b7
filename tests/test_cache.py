"""Cache keys, atomic writes, corrupt-entry rebuilds, listing and clearing."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import cache


def test_key_changes_with_every_part_and_is_order_free():
    a = cache.cache_key(kind="dtm", min_df=5, ngrams=(1, 2))
    assert a == cache.cache_key(kind="dtm", ngrams=(1, 2), min_df=5)
    assert a != cache.cache_key(kind="dtm", min_df=6, ngrams=(1, 2))
    assert a != cache.cache_key(kind="tokens", min_df=5, ngrams=(1, 2))


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), cache.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("crash mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with cache.atomic_path(target) as tmp:
        tmp.write_bytes(b"whole")
    assert target.read_bytes() == b"whole"


def test_cached_builds_once_then_reads(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return b"value"

    kw = dict(suffix=".bin", build=build, write=lambda v, p: p.write_bytes(v),
              read=lambda p: p.read_bytes(), cache_home=tmp_path)
    assert cache.cached("k", "key1", **kw) == b"value"
    assert cache.cached("k", "key1", **kw) == b"value"
    assert len(calls) == 1
    assert cache.cached("k", "key1", use_cache=False, **kw) == b"value"
    assert len(calls) == 2


def test_corrupt_entry_is_rebuilt_with_a_warning(tmp_path):
    def read(p):
        if p.read_bytes() != b"ok":
            raise ValueError("bad bytes")
        return "ok"

    path = cache.cache_path("k", "key", ".bin", cache_home=tmp_path)
    path.write_bytes(b"garbage")
    with pytest.warns(cache.CacheCorruptWarning, match="corrupt.*bad bytes"):
        value = cache.cached("k", "key", suffix=".bin", build=lambda: b"ok",
                             write=lambda v, p: p.write_bytes(v), read=read, cache_home=tmp_path)
    assert value == b"ok"
    assert path.read_bytes() == b"ok"


def test_frame_round_trip_keeps_attrs_and_arrow_strings(tmp_path):
    df = pd.DataFrame({"doc_id": pd.array(["a", "b"], dtype="string[pyarrow]"),
                       "year": pd.array([1, None], dtype="Int64")})
    df.attrs["corpus"] = {"name": "x", "skipped": [{"file": "f", "reason": "r"}]}
    cache.write_frame(df, tmp_path / "t.parquet")
    back = cache.read_frame(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, df)
    assert back.attrs == df.attrs


def test_source_sha256_is_memoised_and_notices_changes(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"one")
    first = cache.source_sha256(f, cache_home=tmp_path / "c")
    assert first == cache.file_sha256(f)
    assert cache.source_sha256(f, cache_home=tmp_path / "c") == first
    f.write_bytes(b"two, longer")
    assert cache.source_sha256(f, cache_home=tmp_path / "c") == cache.file_sha256(f) != first


def test_list_and_clear_only_touch_the_cache(tmp_path):
    home = tmp_path / "cache"
    cache.cache_path("dtm", "a", ".npz", cache_home=home).write_bytes(b"1")
    cache.cache_path("tokens", "b", ".parquet", cache_home=home).write_bytes(b"22")
    rows = cache.list_cache(cache_home=home)
    assert sorted((r["kind"], r["bytes"]) for r in rows) == [("dtm", 1), ("tokens", 2)]
    assert cache.clear_cache("dtm", cache_home=home) == 1
    assert [r["kind"] for r in cache.list_cache(cache_home=home)] == ["tokens"]
    assert cache.clear_cache(cache_home=home) == 1
    assert cache.list_cache(cache_home=home) == []


def test_frame_fingerprint_is_exact_and_storage_independent():
    df = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["Arms", "sales", None]})
    arrow = df.astype({"doc_id": "string[pyarrow]", "text": "string[pyarrow]"})
    fp = cache.frame_fingerprint(df)
    assert fp == cache.frame_fingerprint(arrow)
    # a slice hashes like a fresh table with the same values
    big = pd.concat([arrow.iloc[:1], arrow], ignore_index=True).iloc[1:]
    assert cache.frame_fingerprint(big) == fp
    # any change of one character, of order or of a null changes it
    assert cache.frame_fingerprint(df.assign(text=["arms", "sales", None])) != fp
    assert cache.frame_fingerprint(df.iloc[::-1]) != fp
    assert cache.frame_fingerprint(df.assign(text=["Arms", "sales", ""])) != fp
    with pytest.raises(KeyError, match="no column 'body'"):
        cache.frame_fingerprint(df, columns=("body",))


def test_to_jsonable_is_plain_and_order_free():
    import datetime as dt
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from toolkit.cache import cache_key, to_jsonable

    got = to_jsonable({"s": {"b", "a", 1}, "i": np.int64(3), "t": pd.Timestamp("2020-01-01"),
                       "d": dt.date(2020, 1, 2), "na": pd.NA, "p": Path("x"), "tup": (1, 2)})
    assert got == {"s": ["a", "b", 1], "i": 3, "t": "2020-01-01T00:00:00",
                   "d": "2020-01-02", "na": None, "p": "x", "tup": [1, 2]}
    assert cache_key(kind="k", s={"x", "y"}) == cache_key(kind="k", s={"y", "x"})


def test_atomic_files_get_the_umask_mode_not_0600(tmp_path):
    import os
    import stat

    from toolkit.cache import atomic_path

    old = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "report.html") as tmp:
            tmp.write_text("<p>hi</p>")
        assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644
        os.umask(0o077)
        with atomic_path(tmp_path / "private.html") as tmp:
            tmp.write_text("x")
        assert stat.S_IMODE((tmp_path / "private.html").stat().st_mode) == 0o600
    finally:
        os.umask(old)

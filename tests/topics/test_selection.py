"""Tests for toolkit.topics.selection: NPMI coherence, stability, the k sweep, choose_k."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from toolkit.topics import npmi_coherence, sweep_k, topic_stability

from .conftest import _dtm


# ------------------------------------------------------------------ coherence
def test_npmi_against_hand_computation():
    # 5 documents; counts > 1 must be binarised.
    #        a  b  c  d
    m = np.array([[3, 1, 0, 0],   # a b
                  [1, 2, 1, 0],   # a b c
                  [1, 0, 0, 0],   # a
                  [0, 0, 4, 0],   # c
                  [0, 0, 0, 1]])  # d
    dtm = _dtm(m)
    a, b, c, d = "t0", "t1", "t2", "t3"
    n = 5

    def npmi(pab, pa, pb):
        return math.log(pab / (pa * pb)) / -math.log(pab)

    ab = npmi(2 / n, 3 / n, 2 / n)
    ac = npmi(1 / n, 3 / n, 2 / n)
    bc = npmi(1 / n, 2 / n, 2 / n)
    got = npmi_coherence([[a, b, c], [a, d], [b, a]], dtm)
    np.testing.assert_allclose(got[0], (ab + ac + bc) / 3)
    assert got[1] == -1.0  # never co-occur
    np.testing.assert_allclose(got[2], ab)  # symmetric, order free
    with pytest.raises(KeyError, match="zz"):
        npmi_coherence([[a, "zz"]], dtm)


def test_npmi_of_model_is_high_for_planted_topics(planted, fitted):
    dtm, _ = planted
    coh = npmi_coherence(fitted, dtm, n_terms=5)
    assert coh.shape == (3,)
    assert np.all(coh > 0.3)
    mixed = [["weapon", "climate", "trade", "tariff", "ocean"]]
    assert npmi_coherence(mixed, dtm)[0] < coh.min()


# ------------------------------------------------------------------ stability and sweep
def test_topic_stability():
    a = [["x", "y"], ["p", "q"]]
    assert np.allclose(topic_stability([a, a[::-1]]), 1.0)  # matching ignores order
    b = [["x", "z"], ["p", "q"]]  # topic 0: Jaccard 1/3, topic 1: 1
    np.testing.assert_allclose(topic_stability([a, b]), [(1 / 3 + 1) / 2] * 2)
    assert np.isnan(topic_stability([a])).all()


def test_sweep_k_table(planted):
    dtm, _ = planted
    df = sweep_k(dtm, [2, 3], seeds=(0, 1), n_terms=5, n_jobs=1, progress=False)
    assert list(df[["k", "seed"]].itertuples(index=False, name=None)) == [
        (2, 0), (2, 1), (3, 0), (3, 1)]
    for col in ["coherence", "stability", "heldout", "train_relative_err"]:
        assert df[col].notna().all()
    assert not {"fit_seconds", "cpu_seconds"} & set(df.columns)  # timings live in attrs
    assert [(t["k"], t["seed"]) for t in df.attrs["timings"]] == [(2, 0), (2, 1), (3, 0), (3, 1)]
    assert all(t["fit_seconds"] >= 0 for t in df.attrs["timings"])
    assert (df["n_train_docs"] == 48).all()
    assert df["stability"].between(0, 1).all()
    assert df.loc[df["k"] == 3, "coherence"].mean() > df.loc[df["k"] == 2, "coherence"].mean()
    assert df.loc[df["k"] == 3, "heldout"].mean() < df.loc[df["k"] == 2, "heldout"].mean()
    full = sweep_k(dtm, [3], seeds=(0, 1), subsample=1.0, n_jobs=1, progress=False)
    assert full["heldout"].isna().all() and (full["n_train_docs"] == 60).all()
    with pytest.raises(ValueError, match="larger than the vocabulary"):
        sweep_k(dtm, [2, 500], seeds=(0,), progress=False)
    with pytest.raises(ValueError, match=r"subsample must be in \(0, 1\]"):
        sweep_k(dtm, [2], subsample=0, progress=False)


def _no_fitting(*args, **kwargs):
    raise AssertionError("sweep_k fitted a model although the cache holds its table")


def test_sweep_k_second_call_hits_the_cache(planted, monkeypatch, tmp_path):
    from toolkit.topics import selection as topics

    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "n_jobs": 1, "progress": False,
          "cache_home": str(tmp_path)}
    first = sweep_k(dtm, [2, 3], **kw)
    assert first.attrs["from_cache"] is False
    assert len(list((tmp_path / "topic_sweep").glob("*.parquet"))) == 1
    monkeypatch.setattr(topics, "_fit_one", _no_fitting)
    second = sweep_k(dtm, [3, 2], n_jobs=2, **{k: v for k, v in kw.items() if k != "n_jobs"})
    assert second.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert second.attrs["timings"] == first.attrs["timings"]  # the first run's timings
    assert first.to_csv(index=False) == second.to_csv(index=False)
    # any change of a parameter or of the matrix is a new entry, never a stale hit
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm, [2, 3], max_iter=20, **kw)
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm.select_docs(dtm.doc_ids[:50]), [2, 3], **kw)
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm, [2, 3], use_cache=False, **kw)


def test_sweep_k_rebuilds_a_corrupt_cache_entry(planted, tmp_path):
    from toolkit.cache import CacheCorruptWarning

    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "n_jobs": 1, "progress": False,
          "cache_home": str(tmp_path)}
    first = sweep_k(dtm, [2], **kw)
    (entry,) = (tmp_path / "topic_sweep").glob("*.parquet")
    entry.write_bytes(b"not parquet")
    with pytest.warns(CacheCorruptWarning, match="corrupt"):
        again = sweep_k(dtm, [2], **kw)
    assert again.attrs["from_cache"] is False
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    assert sweep_k(dtm, [2], **kw).attrs["from_cache"] is True


@pytest.mark.slow
def test_sweep_k_parallel_equals_serial(planted):
    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "progress": False, "use_cache": False}
    serial = sweep_k(dtm, [2, 3], n_jobs=1, **kw)
    par = sweep_k(dtm, [2, 3], n_jobs=2, **kw)
    pd.testing.assert_frame_equal(serial, par, check_exact=True)


def test_choose_k_on_a_hand_made_sweep():
    from toolkit.topics import choose_k

    sweep = pd.DataFrame({
        "k": [5, 5, 10, 10, 15, 15, 20, 20],
        "seed": [0, 1] * 4,
        # mean coherence: 0.10, 0.14, 0.20, 0.25
        "coherence": [0.09, 0.11, 0.13, 0.15, 0.19, 0.21, 0.24, 0.26],
        # mean stability: 0.90, 0.88, 0.86, 0.70
        "stability": [0.90, 0.90, 0.88, 0.88, 0.86, 0.86, 0.70, 0.70],
    })
    # k=20 is the most coherent but unstable; 15 is within 0.05 of the best (0.90)
    assert choose_k(sweep) == 15
    assert choose_k(sweep, tolerance=0.02) == 10
    assert choose_k(sweep, tolerance=0.5) == 20
    tie = sweep.assign(coherence=[0.2] * 8)
    assert choose_k(tie) == 5  # ties go to the smaller k
    one_seed = sweep[sweep["seed"] == 0].assign(stability=np.nan)
    assert choose_k(one_seed) == 20  # no stability: coherence alone
    with pytest.raises(ValueError, match=r"no column\(s\) \['stability'\]"):
        choose_k(sweep.drop(columns="stability"))
    with pytest.raises(ValueError, match="no k with a finite coherence"):
        choose_k(sweep.assign(coherence=np.nan))


def test_choose_k_on_a_real_sweep(planted):
    from toolkit.topics import choose_k

    dtm, _ = planted
    sweep = sweep_k(dtm, [2, 3, 4, 5], seeds=(0, 1, 2), n_terms=5, n_jobs=1, progress=False)
    assert choose_k(sweep) == 3  # the number of planted themes

"""Tests for toolkit.keywords.contrast: keyness and collocations against hand computations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from toolkit import exceptions
from toolkit import keywords as kw

from .conftest import make_corpus


def test_keyness_against_hand_computed_values():
    target = make_corpus([{"doc_id": "t", "text": "arms " * 10 + "x " * 90}])
    reference = make_corpus([{"doc_id": "r", "text": "arms " * 5 + "y " * 195}])
    both = pd.concat([target, reference], ignore_index=True)
    out = kw.keyness(both, [True, False], min_count=1).set_index("term")
    row = out.loc["arms"]
    a, b, n1, n2 = 10, 5, 100, 200
    n = n1 + n2
    obs = [a, n1 - a, b, n2 - b]
    exp = [n1 * (a + b) / n, n1 * (n - a - b) / n, n2 * (a + b) / n, n2 * (n - a - b) / n]
    assert exp == [5.0, 95.0, 10.0, 190.0]
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp))
    chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
    assert chi2 == pytest.approx(5 + 25 / 95 + 2.5 + 25 / 190)
    assert row["g2"] == pytest.approx(g2)
    assert row["chi2"] == pytest.approx(chi2)
    assert row["p_g2"] == pytest.approx(stats.chi2.sf(g2, 1))
    assert row["log_ratio"] == pytest.approx(math.log2((10.5 / 100) / (5.5 / 200)))
    assert row["direction"] == "target"
    ref = stats.chi2_contingency([[a, n1 - a], [b, n2 - b]], correction=False,
                                 lambda_="log-likelihood")
    assert row["g2"] == pytest.approx(ref.statistic)
    assert out.loc["y", "direction"] == "reference"
    assert out.attrs["n_tokens_target"] == 100


def test_keyness_masks_dtm_and_errors(corpus):
    from toolkit.features import DocTermMatrix

    mask = corpus["actor"].eq("CHN").to_numpy()
    k1 = kw.keyness(corpus, mask, min_count=1)
    k2 = kw.keyness(corpus, pd.Series(mask, index=corpus["doc_id"]), min_count=1)
    pd.testing.assert_frame_equal(k1, k2)
    vocab = ["arms", "peace"]
    dtm = DocTermMatrix(np.array([[3, 1], [0, 5]]), ["a", "b"], vocab)
    kd = kw.keyness(dtm, [True, False], min_count=1).set_index("term")
    assert kd.loc["arms", "count_target"] == 3 and kd.loc["peace", "count_reference"] == 5
    # boolean Series indexed by doc_id (any order, may hold more documents) align on doc_id
    by_doc = pd.Series([False, "x", "y"], index=["b", "c", "a"]) == "y"
    ks_dtm = kw.keyness(dtm, by_doc, reference_mask=~by_doc, min_count=1)
    pd.testing.assert_frame_equal(ks_dtm.set_index("term"), kd)
    ks = kw.keyness(corpus, mask, min_count=1, stopwords="english")
    assert "the" not in set(ks["term"]) and "the" in set(k1["term"])
    with pytest.raises(ValueError, match="boolean mask of length 5"):
        kw.keyness(corpus, [True, False])
    with pytest.raises(ValueError, match="selects no documents"):
        kw.keyness(corpus, np.zeros(5, bool))
    with pytest.raises(ValueError, match="must not overlap"):
        kw.keyness(corpus, mask, reference_mask=np.ones(5, bool))


def test_collocations_hand_computed():
    c = make_corpus([
        {"doc_id": "a", "actor": "X", "text": "sell arms now. buy arms now. peace peace"},
        {"doc_id": "b", "actor": "Y", "text": "arms now"},
    ])
    out = kw.collocations(c, "=arms", window=1, min_count=1, stopwords=None, top=None)
    row = out.set_index("collocate").loc["now"]
    # tokens: N = 10; target "arms" 3 times; window slots: a: 2 + 2, b: 1 -> W = 5
    # "now": f = 3, O = 3 -> E = 5 * 3 / 10 = 1.5, PMI = log2(2) = 1
    assert out.attrs["n_tokens"] == 10 and out.attrs["n_slots"] == 5
    assert (row["co_count"], row["expected"], row["pmi"]) == (3, 1.5, pytest.approx(1.0))
    g2 = stats.chi2_contingency([[3, 2], [0, 5]], correction=False,
                                lambda_="log-likelihood").statistic
    assert row["g2"] == pytest.approx(g2)
    only_y = kw.collocations(c, "arms", window=1, min_count=1, stopwords=None, actor="Y")
    assert only_y["collocate"].tolist() == ["now"]
    with pytest.raises(ValueError, match="one word"):
        kw.collocations(c, "arms sale")
    with pytest.raises(ValueError, match="measure must be"):
        kw.collocations(c, "arms", measure="dice")
    with pytest.warns(UserWarning, match="does not occur"):
        kw.collocations(c, "zeppelin")


def test_n_terms_is_the_new_name_of_top(corpus):
    mask = corpus["actor"].eq("CHN").to_numpy()
    k = kw.keyness(corpus, mask, min_count=1, n_terms=3)
    assert len(k) == 3
    with pytest.warns(exceptions.FptkDeprecationWarning, match="'top' is deprecated.*'n_terms'"):
        old = kw.keyness(corpus, mask, min_count=1, top=3)
    pd.testing.assert_frame_equal(old, k)
    c = kw.collocations(corpus, "arms", window=2, min_count=1, stopwords=None, n_terms=2)
    with pytest.warns(exceptions.FptkDeprecationWarning, match="'top' is deprecated"):
        old_c = kw.collocations(corpus, "arms", window=2, min_count=1, stopwords=None, top=2)
    pd.testing.assert_frame_equal(old_c, c)
    assert len(c) == 2
    with pytest.warns(UserWarning, match="does not occur") as record:
        kw.collocations(corpus, "zeppelin")
    assert record[0].filename == __file__


def test_collocations_count_each_position_once_when_windows_overlap():
    # "arms x arms": both windows (size 1) cover the same "x"; it is one slot, not two
    c = make_corpus([{"doc_id": "a", "actor": "X", "text": "arms x arms y"}])
    out = kw.collocations(c, "=arms", window=1, min_count=1, stopwords=None, n_terms=None)
    row = out.set_index("collocate").loc["x"]
    # N = 4; slots: positions 1 (x) and 3 (y) -> W = 2; O(x) = 1 = f(x)
    assert out.attrs["n_slots"] == 2
    assert (row["co_count"], row["collocate_count"], row["expected"]) == (1, 1, 0.5)
    g2 = stats.chi2_contingency([[1, 1], [0, 2]], correction=False,
                                lambda_="log-likelihood").statistic
    assert row["g2"] == pytest.approx(g2)


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(["arms", "sale", "peace", "war"]), min_size=1,
                      max_size=40),
       window=st.integers(min_value=1, max_value=4))
def test_collocation_tables_are_valid(words, window):
    c = make_corpus([{"doc_id": "a", "actor": "X", "text": " ".join(words)}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = kw.collocations(c, "=arms", window=window, min_count=1, stopwords=None,
                              n_terms=None)
    n, w = out.attrs["n_tokens"], out.attrs["n_slots"]
    o, fy = out["co_count"], out["collocate_count"]
    assert (o <= fy).all() and (o <= w).all()
    assert ((w - o) >= 0).all() and ((fy - o) >= 0).all() and ((n - w - fy + o) >= 0).all()


def test_keyness_and_collocations_record_their_methods(corpus):
    from toolkit import methods

    key = kw.keyness(corpus, corpus["actor"].eq("CHN").to_numpy(), min_count=1)
    assert key.attrs["methods"] == ["keyness_g2"]
    col = kw.collocations(corpus, "arms", min_count=1)
    assert col.attrs["methods"] == ["collocation_pmi"]
    assert set(key.attrs["methods"] + col.attrs["methods"]) <= set(methods.registry())


def test_significant_terms_filter_on_p_count_and_describe():
    both = make_corpus([{"doc_id": "t", "text": "arms " * 40 + "x " * 60 + "peace " * 10},
                        {"doc_id": "r", "text": "arms " * 5 + "y " * 195 + "peace " * 20}])
    full = kw.keyness(both, [True, False], min_count=1)
    # Bonferroni p: y 1.4e-64 (reference), x 2.3e-36, arms 1.5e-16, peace 1 (target)
    sig = kw.significant_terms(full, max_p=0.05, n_terms=1)
    assert sig["term"].tolist() == ["x", "y"]
    assert sig.attrs["n_passing"] == {"target": 2, "reference": 1}
    assert sig.attrs["n_terms_tested"] == 4 and not sig.attrs["truncated"]
    assert kw.describe_keyness(sig, target_label="T", reference_label="R", n_named=2) == (
        "Terms over-used at Bonferroni-adjusted p < 0.05 (G², 4 tested): 2 by T, 1 by R; "
        "the largest G² (up to 2 per side): T: x; R: y.")
    none = kw.significant_terms(full, max_p=1e-80)
    assert none.empty and none.attrs["n_passing"] == {"target": 0, "reference": 0}
    assert kw.describe_keyness(none, target_label="T", reference_label="R") == (
        "No term sets T and R apart: none of the 4 terms tested (G²) has a "
        "Bonferroni-adjusted p below 1e-80 (the smallest is 1.4e-64).")
    every = kw.significant_terms(full, max_p=None)
    assert every.attrs["n_passing"] == {"target": 3, "reference": 1} and len(every) == 4
    assert kw.describe_keyness(every, target_label="T", reference_label="R").startswith(
        "Terms by G² (4 tested, no threshold on p): 3 relatively more frequent in T, 1 in R")
    cut = kw.significant_terms(full.head(2), max_p=0.05)
    assert cut.attrs["truncated"]
    assert "at least 1 by T" in kw.describe_keyness(cut, target_label="T", reference_label="R")
    with pytest.raises(ValueError, match="max_p must be in"):
        kw.significant_terms(full, max_p=0)
    with pytest.raises(ValueError, match="significant_terms"):
        kw.describe_keyness(full, target_label="T", reference_label="R")

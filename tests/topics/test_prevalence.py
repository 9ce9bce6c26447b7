"""Tests for toolkit.topics.prevalence: prevalence tables and their change over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.topics import prevalence

from .conftest import ACTORS


def test_prevalence_table_and_values(planted, fitted):
    _, corpus = planted
    prev = prevalence(fitted, corpus, by="actor", period="year", n_boot=200, random_state=1)
    assert list(prev.columns) == ["group", "period", "topic", "label", "share", "ci_low",
                                  "ci_high", "n_docs", "low_n"]
    cell = corpus[(corpus["actor"] == "AAA") & (corpus["year"] == 2001)]["doc_id"]
    rows = np.searchsorted(fitted.doc_ids_, cell.to_numpy(dtype=str))
    want = fitted.doc_topic_[rows].mean(axis=0)
    got = prev[(prev["group"] == "AAA") & (prev["period"] == 2001)].sort_values("topic")
    np.testing.assert_allclose(got["share"], want)
    assert (got["n_docs"] == len(cell)).all()
    assert (prev["ci_low"] <= prev["share"] + 1e-12).all()
    assert (prev["share"] <= prev["ci_high"] + 1e-12).all()
    # shares of a cell sum to one across topics
    sums = prev.groupby(["group", "period"])["share"].sum()
    np.testing.assert_allclose(sums, 1.0)
    assert prev.attrs["prevalence"]["n_docs_used"] == len(corpus)


def test_prevalence_pooled_and_decade(planted, fitted):
    _, corpus = planted
    pooled = prevalence(fitted, corpus, period=None, n_boot=0)
    assert set(pooled["group"]) == {"all"} and len(pooled) == 3
    assert pooled["ci_low"].isna().all()
    dec = prevalence(fitted, corpus, by="actor", period="decade", n_boot=50, random_state=0)
    assert set(dec["period"]) == {2000}
    single = prevalence(fitted, corpus.assign(speech=corpus["doc_id"]), by="speech",
                        period=None, n_boot=20, random_state=0)
    assert (single["n_docs"] == 1).all() and len(single) == 3 * len(corpus)
    # issue 11.7: a one-document cell has no interval (old code gave [share, share])
    assert single["ci_low"].isna().all() and single["ci_high"].isna().all()
    assert dec.attrs["methods"] == ["percentile"]
    with pytest.raises(ValueError, match="no column 'bloc'"):
        prevalence(fitted, corpus, by="bloc")


def test_prevalence_counts_missing_group_and_year(planted, fitted):
    _, corpus = planted
    holes = corpus.copy()
    holes.loc[0, "actor"] = None
    holes.loc[1, "year"] = pd.NA
    prev = prevalence(fitted, holes, by="actor", period="decade", n_boot=10, random_state=0)
    assert prev.attrs["prevalence"]["n_docs_missing_period_or_group"] == 2
    assert prev.attrs["prevalence"]["n_docs_used"] == len(corpus) - 2
    assert set(prev["group"]) == set(ACTORS)


def test_prevalence_does_not_mutate_corpus(planted, fitted):
    _, corpus = planted
    before = corpus.copy()
    prevalence(fitted, corpus, by="actor", period="decade", n_boot=10, random_state=0)
    pd.testing.assert_frame_equal(corpus, before)


def test_prevalence_change_per_topic_not_summed(planted, fitted):
    from toolkit.topics import prevalence_change

    _, corpus = planted
    prev = prevalence(fitted, corpus, period="year", n_boot=10, random_state=0)
    got = prevalence_change(prev, topics=[2, 0])
    assert got["topic"].tolist() == [2, 0] and (got["group"] == "all").all()
    assert (got["first_period"] == 2000).all() and (got["last_period"] == 2003).all()
    for row in got.itertuples():
        cell = prev[(prev["topic"] == row.topic) & (prev["period"] == 2003)].iloc[0]
        assert row.last_share == cell["share"] and row.last_ci_high == cell["ci_high"]
        assert row.label == cell["label"]
        assert row.change == pytest.approx(row.last_share - row.first_share)
    by = prevalence(fitted, corpus, by="actor", period="year", n_boot=0)
    assert len(prevalence_change(by, first=2001, last=2002)) == 3 * 3
    assert prevalence_change(prev, topics=[]).empty
    with pytest.raises(ValueError, match=r"first=1990 is not a period of prev"):
        prevalence_change(prev, first=1990)
    with pytest.raises(ValueError, match=r"topic\(s\) \[7\] are not in prev"):
        prevalence_change(prev, topics=[7])


# ------------------------------------------------------------------ one period vocabulary
def test_prevalence_period_5_bins_years_like_a_precomputed_column(planted, fitted):
    _, corpus = planted
    spread = corpus.assign(year=pd.array([1993 + i % 12 for i in range(len(corpus))],
                                         dtype="Int64"))
    p5 = prevalence(fitted, spread, by="actor", period=5, n_boot=30, random_state=2)
    assert p5["period"].dtype == "int64"
    assert sorted(p5["period"].unique()) == [1990, 1995, 2000]
    # the same cells, hence the same bootstrap draws, as a column holding year // 5 * 5
    binned = spread.assign(bin5=(spread["year"] // 5 * 5).astype("int64"))
    col = prevalence(fitted, binned, by="actor", period="bin5", n_boot=30, random_state=2)
    pd.testing.assert_frame_equal(p5, col, check_exact=True)
    cell = spread[(spread["actor"] == "BBB") & (spread["year"] // 5 * 5 == 1995)]["doc_id"]
    rows = np.searchsorted(fitted.doc_ids_, cell.to_numpy(dtype=str))
    got = p5[(p5["group"] == "BBB") & (p5["period"] == 1995)].sort_values("topic")
    np.testing.assert_allclose(got["share"], fitted.doc_topic_[rows].mean(axis=0))
    assert (got["n_docs"] == len(cell)).all()


def test_prevalence_ci_is_the_deprecated_name_of_ci_level(planted, fitted):
    from toolkit.exceptions import FptkDeprecationWarning

    _, corpus = planted
    new = prevalence(fitted, corpus, period="decade", n_boot=40, ci_level=0.8, random_state=0)
    with pytest.warns(FptkDeprecationWarning, match="'ci' is deprecated.*'ci_level'"):
        old = prevalence(fitted, corpus, period="decade", n_boot=40, ci=0.8, random_state=0)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new.attrs["prevalence"]["ci_level"] == 0.8
    with pytest.raises(ValueError, match=r"ci_level must be in \(0, 1\), got 95"):
        prevalence(fitted, corpus, ci_level=95)


def test_prevalence_column_period_does_not_touch_the_corpus(planted, fitted):
    _, corpus = planted
    table = corpus.assign(era=np.where(corpus["year"] < 2002, "early", "late"))
    before = table.copy()
    prev = prevalence(fitted, table, period="era", n_boot=0)
    assert prev["period"].unique().tolist() == ["early", "late"]
    pd.testing.assert_frame_equal(table, before)
    assert table["era"].index.equals(before.index)


# ------------------------------------------------------------------ the reader's table
def test_prevalence_wide_cells_are_share_and_interval(planted, fitted):
    from toolkit.topics import prevalence_wide

    _, corpus = planted
    prev = prevalence(fitted, corpus, period="decade", n_boot=20, random_state=0, min_docs=100)
    wide = prevalence_wide(prev, digits=1)
    assert list(wide.index) == fitted.topic_names() and list(wide.columns) == ["2000s"]
    row = prev.iloc[1]
    assert wide.loc[row["label"], "2000s"] == (
        f"{row['share']:.1%} ({row['ci_low']:.1%}–{row['ci_high']:.1%}) *")  # low_n flagged
    by = prevalence(fitted, corpus, by="actor", period=None, n_boot=10, random_state=0)
    wide = prevalence_wide(by, columns="group", groups=["CCC", "nobody", "AAA"])
    assert list(wide.columns) == ["CCC", "AAA"] and len(wide) == 3
    cell = by[(by["group"] == "AAA") & (by["topic"] == 0)].iloc[0]
    assert wide.iloc[0]["AAA"] == (
        f"{cell['share']:.0%} ({cell['ci_low']:.0%}–{cell['ci_high']:.0%})")
    yearly = prevalence(fitted, corpus, by="actor", period="year", n_boot=0)
    both = prevalence_wide(yearly)
    assert both.index.names == ["group", "label"] and list(both.columns) == [
        "2000", "2001", "2002", "2003"]
    assert not both.stack().str.contains("nan").any()  # no interval: the share alone
    assert prevalence_wide(by, groups=["nobody"]).empty
    assert prevalence_wide(prev.iloc[0:0]).empty
    with pytest.raises(ValueError, match="columns must be 'period' or 'group'"):
        prevalence_wide(prev, columns="topic")


# ------------------------------------------------------------------ topic uncertainty (refit)
def test_prevalence_refit_zero_is_the_conditional_interval(planted, fitted):
    dtm, corpus = planted
    base = prevalence(fitted, corpus, by="actor", period="year", n_boot=200, random_state=1)
    zero = prevalence(fitted, corpus, by="actor", period="year", n_boot=200, random_state=1,
                      refit=0, dtm=dtm)
    pd.testing.assert_frame_equal(base, zero, check_exact=True)
    assert zero.attrs["methods"] == ["percentile"]


def test_prevalence_refit_widens_reproducible_and_matches_planted_topics(planted, fitted):
    from toolkit.topics.prevalence import _match_topics

    dtm, corpus = planted
    # year cells hold documents of one planted theme: little document noise, so the
    # refits' topic uncertainty shows (wider on average for every seed tried, 0-9)
    kw = dict(by="actor", period="year", n_boot=200, random_state=3)
    cond = prevalence(fitted, corpus, **kw)
    ref = prevalence(fitted, corpus, refit=5, dtm=dtm, **kw)
    again = prevalence(fitted, corpus, refit=5, dtm=dtm, **kw)
    pd.testing.assert_frame_equal(ref, again, check_exact=True)
    pd.testing.assert_frame_equal(ref.drop(columns=["ci_low", "ci_high"]),
                                  cond.drop(columns=["ci_low", "ci_high"]), check_exact=True)
    width = (ref["ci_high"] - ref["ci_low"]).mean()
    assert width >= (cond["ci_high"] - cond["ci_low"]).mean()
    assert ref.attrs["methods"] == ["percentile", "refit_bootstrap"]
    assert ref.attrs["prevalence"]["refit"] == 5
    # planted, well-separated topics: every refit topic is found again
    assert min(ref.attrs["prevalence"]["refit_similarity"]) > 0.9
    other = prevalence(fitted, corpus, refit=5, dtm=dtm, **{**kw, "random_state": 4})
    assert not np.array_equal(other["ci_low"], ref["ci_low"])
    # the matching undoes a permutation of the topics
    perm = np.array([2, 0, 1])
    match, sim = _match_topics(fitted.components_, fitted.components_[perm])
    np.testing.assert_array_equal(perm[match], [0, 1, 2])
    np.testing.assert_allclose(sim, 1.0)


def test_prevalence_refit_topic_only_interval_and_errors(planted, fitted):
    dtm, corpus = planted
    only = prevalence(fitted, corpus, period=None, n_boot=0, refit=4, dtm=dtm,
                      random_state=0)
    assert (only["ci_low"] <= only["ci_high"]).all() and only["ci_low"].notna().all()
    with pytest.raises(ValueError, match=r"refit=3 .* pass dtm=, the DocTermMatrix"):
        prevalence(fitted, corpus, refit=3)
    with pytest.raises(ValueError, match="dtm is not the matrix the model was fitted on"):
        prevalence(fitted, corpus, refit=2, dtm=dtm.select_docs(dtm.doc_ids[:30]))
    with pytest.raises(ValueError, match="refit"):
        prevalence(fitted, corpus, refit=-1)

"""Tests for toolkit.keywords.trends: token and match counts, trends with their intervals
(exact Poisson, quasi-Poisson, cluster and document bootstrap, the "auto" rule), mention
series and top points. The integration test compares counts on the real UNGDC with plain
regular expressions. Coverage simulations are in tests/coverage/test_keywords.py."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import exceptions, methods, uncertainty
from toolkit import keywords as kw
from toolkit.cache import list_cache

from .conftest import PRESS_DICT, SMALL, make_corpus


def test_count_tokens_matches_regex_on_unicode():
    texts = ["Déjà vu — naïve café's 2024_plan", "", "  \n", "日本語 テキスト", "a-b c.d"]
    assert kw.count_tokens(texts).tolist() == [len(re.findall(r"\w+", t)) for t in texts]
    assert kw.count_tokens("one two") == 2


def test_count_matches_table_and_cache(corpus):
    out = kw.count_matches(corpus, SMALL, progress=False)
    assert list(out.columns) == ["doc_id", "n_tokens", "n_matches", "transfers", "control"]
    assert out["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert out["n_tokens"].tolist() == [len(re.findall(r"\w+", t)) for t in corpus["text"]]
    # CHN_1: "sell weapons", "Arms sales" -> transfers; "Arms Trade Treaty" -> control
    assert out.loc[0, ["transfers", "control"]].tolist() == [2, 1]
    assert (out.loc[4, ["transfers", "control"]] == 0).all()
    assert out.attrs["dictionary"]["version"] == "0.1"
    assert out.attrs["methods"] == ["dictionary_count"]
    assert any(e["kind"] == "keyword_counts" for e in list_cache())
    again = kw.count_matches(corpus, SMALL, progress=False)
    pd.testing.assert_frame_equal(out, again)
    terms = kw.count_matches(corpus, SMALL, level="term", progress=False)
    assert "term:sell ~2 weapon" in terms.columns
    changed = corpus.assign(text=corpus["text"].str.replace("Arms sales", "Peace"))
    assert kw.count_matches(changed, SMALL, progress=False).loc[0, "transfers"] == 1
    with pytest.raises(ValueError, match="level must be"):
        kw.count_matches(corpus, SMALL, level="doc")
    with pytest.raises(ValueError, match="lacks the column"):
        kw.count_matches(corpus.drop(columns="text"), SMALL)


def test_trends_counts_rates_and_metadata(corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        tr = kw.keyword_trends(corpus, SMALL, by="actor", period="year", n_boot=200,
                               random_state=0, progress=False)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    full = corpus.join(counts.drop(columns="doc_id"))
    expect = full.groupby(["actor", "year"]).agg(
        count=("transfers", "sum"), n_tokens=("n_tokens", "sum"), n_docs=("doc_id", "size"))
    got = tr[tr["category"] == "transfers"].set_index(["group", "period"])
    for (actor, year), row in expect.iterrows():
        g = got.loc[(actor, year)]
        assert (g["count"], g["n_tokens"], g["n_docs"]) == (
            row["count"], row["n_tokens"], row["n_docs"])
        assert g["rate_per_10k"] == pytest.approx(row["count"] / row["n_tokens"] * 1e4)
    assert {"group", "period", "category", "label", "count", "n_tokens", "n_docs",
            "n_clusters", "rate_per_10k", "ci_low", "ci_high", "ci_method",
            "low_n"} <= set(tr.columns)
    # single-document points with few matches: exact Poisson intervals, flagged low_n
    assert (tr["ci_method"] == "poisson").all() and tr["low_n"].all()
    lo, hi = uncertainty.poisson_interval(tr["count"], tr["n_tokens"], scale=1e4)
    np.testing.assert_allclose(tr["ci_low"], lo)
    np.testing.assert_allclose(tr["ci_high"], hi)
    assert tr.attrs["dictionary"]["name"] == "small"
    assert tr.attrs["interval"] == "auto"
    assert tr.attrs["methods"] == ["dictionary_count", "poisson_exact"]
    # the document bootstrap has nothing to resample in one document
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        boot = kw.keyword_trends(corpus, SMALL, interval="bootstrap", n_boot=200,
                                 random_state=0, progress=False)
    assert boot["ci_low"].isna().all() and (boot["ci_method"] == "none").all()


def _many_docs(n=40, seed=1):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        k = int(rng.integers(0, 4))
        filler = " ".join(["peace"] * int(rng.integers(20, 60)))
        rows.append({"doc_id": f"D{i:03d}", "actor": "AAA" if i % 2 else "BBB",
                     "year": 2000 + i % 4, "text": filler + " arms sale" * k})
    return make_corpus(rows)


def test_bootstrap_is_seeded_and_sensible():
    corpus = _many_docs()
    kwargs = {"by": "actor", "period": None, "n_boot": 500, "progress": False,
              "categories": ["transfers"], "interval": "bootstrap"}
    a = kw.keyword_trends(corpus, SMALL, random_state=7, **kwargs)
    b = kw.keyword_trends(corpus, SMALL, random_state=7, **kwargs)
    c = kw.keyword_trends(corpus, SMALL, random_state=8, **kwargs)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["rate_per_10k"]).all() and (a["rate_per_10k"] <= a["ci_high"]).all()
    assert (a["ci_high"] > a["ci_low"]).all()
    # agrees with a plain loop bootstrap (different random stream, same distribution)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    rng = np.random.default_rng(0)
    for actor, row in a.set_index("group").iterrows():
        sel = (corpus["actor"] == actor).to_numpy()
        cnt, tok = counts.loc[sel, "transfers"].to_numpy(), counts.loc[sel, "n_tokens"].to_numpy()
        reps = []
        for _ in range(2000):
            idx = rng.integers(0, sel.sum(), sel.sum())
            reps.append(cnt[idx].sum() / tok[idx].sum() * 1e4)
        lo, hi = np.quantile(reps, [0.025, 0.975])
        assert row["ci_low"] == pytest.approx(lo, rel=0.2)
        assert row["ci_high"] == pytest.approx(hi, rel=0.2)


def test_trends_periods_grouping_and_bad_input(corpus):
    many = _many_docs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        dec = kw.keyword_trends(many, SMALL, by=None, period="decade", n_boot=0,
                                progress=False)
        assert dec["period"].tolist() == [2000, 2000] and (dec["group"] == "all").all()
        two = kw.keyword_trends(many, SMALL, by=["actor", "year"], period=2, n_boot=0,
                                progress=False)
        assert {"actor", "year"} <= set(two.columns) and set(two["period"]) == {2000, 2002}
        dated = many.assign(date=pd.to_datetime(many["year"].astype(str) + "-06-01"))
        q = kw.keyword_trends(dated, SMALL, by=None, period="Y", n_boot=0, progress=False)
        assert q["period"].nunique() == 4
    with pytest.raises(ValueError, match=r"Grouping column\(s\) \['bloc'\] not in the corpus. "
                       r"Available columns: \['doc_id', 'text'"):
        kw.keyword_trends(corpus, SMALL, by="bloc", progress=False)
    with pytest.raises(ValueError, match="not in dictionary"):
        kw.keyword_trends(corpus, SMALL, categories=["nope"], progress=False)
    with pytest.raises(ValueError, match="neither 'year'"):
        kw.keyword_trends(corpus, SMALL, period="fortnight-ish", progress=False)
    with pytest.raises(ValueError, match="No document has both a period"):
        kw.keyword_trends(corpus.assign(year=pd.NA), SMALL, progress=False)
    with pytest.raises(ValueError, match="no categories"):
        kw.keyword_trends(corpus, {}, progress=False)


def test_trends_zero_rates_low_n_warning_and_empty_periods(corpus):
    never = {"x": ["zeppelin"]}
    with pytest.warns(kw.LowSampleWarning, match=r"rest on fewer than 5 documents"):
        tr = kw.keyword_trends(corpus.assign(year=[2000, 2003, 2000, 2003, 2000]), never,
                               by="actor", n_boot=50, fill_empty=True, random_state=0,
                               progress=False)
    assert (tr["count"] == 0).all()
    real = tr[tr["n_docs"] > 0]
    assert (real["rate_per_10k"] == 0).all()
    empty = tr[(tr["group"] == "CHN") & tr["period"].isin([2001, 2002])]
    assert len(empty) == 2 and (empty["n_docs"] == 0).all() and empty["rate_per_10k"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kw.keyword_trends(_many_docs(), never, by=None, period=None, n_boot=10,
                          progress=False)


def test_trends_drop_and_report_docs_without_period(corpus):
    with pytest.warns(UserWarning, match="1 of 5 documents have no period"):
        tr = kw.keyword_trends(corpus.assign(year=[2021, 2022, None, 2022, 2022]), SMALL,
                               by=None, n_boot=0, min_docs=1, progress=False)
    assert tr.attrs["n_docs_dropped"] == 1


def test_mention_series_counts_documents_per_month(press):
    s = kw.mention_series(press, PRESS_DICT, categories=["transfers", "aid"], period="M",
                          progress=False)
    assert list(s.columns) == ["group", "period", "period_label", "category", "label",
                               "n_docs", "n_docs_matching", "share"]
    assert s["period_label"].iloc[0] == "February 2023" and s.attrs["period_name"] == "month"
    assert s["period"].dt.strftime("%Y-%m").tolist() == [
        "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    # hand count: Feb p1; Mar p2, p3; Apr p4 (no match); May nothing (filled); Jun p5
    assert s["n_docs"].tolist() == [1, 2, 1, 0, 1]
    assert s["n_docs_matching"].tolist() == [1, 2, 0, 0, 1]
    assert s["share"].tolist()[:3] == [1.0, 1.0, 0.0] and math.isnan(s["share"].iloc[3])
    assert s["category"].unique().tolist() == ["transfers+aid"]
    assert kw.mention_series(press, PRESS_DICT, categories="other", period=None,
                             progress=False)[["n_docs", "n_docs_matching"]].iloc[0].tolist() \
        == [5, 1]
    with pytest.warns(UserWarning, match="1 of 5 documents have no period or group"):
        by_sp = kw.mention_series(press, PRESS_DICT, by="speaker", period="Q",
                                  name="any", progress=False)
    assert by_sp.attrs["n_docs_dropped"] == 1
    # Mao Ning: p3 (March), p4 (April); Wang Wenbin: p1, p2 (both in Q1)
    assert by_sp["period_label"].tolist() == ["Q1 2023", "Q2 2023", "Q1 2023"]
    assert by_sp.groupby("group")["n_docs"].sum().to_dict() == {"Mao Ning": 2,
                                                                 "Wang Wenbin": 2}
    with pytest.raises(ValueError, match=r"Categories \['nope'\] are not in dictionary"):
        kw.mention_series(press, PRESS_DICT, categories=["nope"], progress=False)
    with pytest.raises(ValueError, match="Grouping column"):
        kw.mention_series(press, PRESS_DICT, by="bloc", progress=False)


def test_top_points_ranks_with_ties_and_filters():
    trends = pd.DataFrame({
        "group": ["USA", "CHN", "CHN", "USA", "CHN"],
        "period": [2000, 2000, 2010, 2010, 2020],
        "category": ["a", "a", "a", "a", "b"],
        "rate_per_10k": [2.0, 2.0, 3.0, np.nan, 9.0],
    })
    peak = kw.top_points(trends, category="a")
    assert peak[["group", "period"]].values.tolist() == [["CHN", 2010], ["CHN", 2000],
                                                         ["USA", 2000]]
    last = kw.top_points(trends, category="a", period="first")
    assert last["group"].tolist() == ["CHN", "USA"]  # tie: first group name
    assert kw.top_points(trends, group="USA")["period"].tolist() == [2000]
    with pytest.raises(ValueError, match="No point with a rate_per_10k left"):
        kw.top_points(trends, category="a", period="last", group="USA")
    with pytest.raises(ValueError, match=r"Category 'c' is not in the trends"):
        kw.top_points(trends, category="c")
    with pytest.raises(ValueError, match="Period 1990 is not in the trends"):
        kw.top_points(trends, period=1990)
    with pytest.raises(ValueError, match=r"Group\(s\) \['FRA'\]"):
        kw.top_points(trends, group="FRA")


@pytest.mark.integration
def test_ungdc_counts_match_plain_regex(ungdc):
    sub = ungdc[ungdc["year"] >= 2019].reset_index(drop=True)
    counts = kw.count_matches(sub, "arms", level="term", progress=False)
    left = r"(?<![\w.,;:!?])"
    checks = {
        "term:NATO": re.compile(left + r"NATO(?!\w)"),
        "term:disarmament": re.compile(left + r"disarmaments?(?!\w)", re.I),
        "term:landmine": re.compile(left + r"landmines?(?!\w)", re.I),
    }
    for col, rx in checks.items():
        plain = sub["text"].map(lambda t, rx=rx: len(rx.findall(t))).to_numpy()
        np.testing.assert_array_equal(counts[col].to_numpy(), plain, err_msg=col)
    assert counts["n_tokens"].tolist() == sub["text"].map(
        lambda t: len(re.findall(r"\w+", t))).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        tr = kw.keyword_trends(sub, "arms", by="actor", period=None, n_boot=200,
                               random_state=0, progress=False)
    ok = tr.dropna(subset=["ci_low"])
    assert len(ok) and (ok["ci_low"] <= ok["rate_per_10k"] + 1e-9).all()
    assert (ok["rate_per_10k"] <= ok["ci_high"] + 1e-9).all()


def _years_corpus():
    rows = []
    for i, year in enumerate([1990, 1991, 1994, 1995, 1999, 2001, 2004, 2011]):
        rows.append({"doc_id": f"d{i}", "actor": "AAA" if i % 2 else "BBB", "year": year,
                     "text": "peace " * (10 + i) + "arms sale " * (i % 3)})
    return make_corpus(rows)


def test_keyword_trends_with_five_year_periods():
    corpus = _years_corpus()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        tr = kw.keyword_trends(corpus, SMALL, by=None, period=5, n_boot=0,
                               categories=["transfers"], fill_empty=True, progress=False)
    assert tr["period"].dtype == "Int64"
    assert tr["period"].tolist() == [1990, 1995, 2000, 2005, 2010]
    counts = kw.count_matches(corpus, SMALL, progress=False)
    bins = corpus["year"] // 5 * 5
    expect = counts["transfers"].groupby(bins.to_numpy()).sum()
    got = tr.set_index("period")
    for start, n in expect.items():
        assert got.loc[start, "count"] == n
    assert got.loc[2005, "n_docs"] == 0  # filled
    assert tr.attrs["period"] == 5


def test_mention_series_with_five_year_periods():
    s = kw.mention_series(_years_corpus(), SMALL, categories="transfers", period=5,
                          progress=False)
    assert s["period"].tolist() == [1990, 1995, 2000, 2005, 2010]
    assert s["period_label"].tolist() == ["1990–1994", "1995–1999", "2000–2004",
                                          "2005–2009", "2010–2014"]
    assert s["n_docs"].tolist() == [3, 2, 2, 0, 1]
    assert s["n_docs_matching"].tolist() == [2, 1, 1, 0, 1]
    assert s.attrs["period_name"] == "5-year period"


def test_trends_ci_is_the_old_name_of_ci_level():
    corpus = _many_docs()
    kwargs = {"by": "actor", "period": None, "n_boot": 200, "random_state": 3,
              "progress": False}
    new = kw.keyword_trends(corpus, SMALL, ci_level=0.8, **kwargs)
    with pytest.warns(exceptions.FptkDeprecationWarning, match="'ci' is deprecated.*'ci_level'"):
        old = kw.keyword_trends(corpus, SMALL, ci=0.8, **kwargs)
    pd.testing.assert_frame_equal(old, new)
    assert new.attrs["ci_level"] == 0.8
    wide = kw.keyword_trends(corpus, SMALL, **kwargs)  # default 0.95
    assert (wide["ci_high"] - wide["ci_low"] >= new["ci_high"] - new["ci_low"]).all()
    with pytest.raises(TypeError, match="got both"):
        kw.keyword_trends(corpus, SMALL, ci=0.8, ci_level=0.9, **kwargs)
    with pytest.raises(ValueError, match=r"ci_level must be in \(0, 1\), got 95"):
        kw.keyword_trends(corpus, SMALL, ci_level=95, **kwargs)


def test_trends_periods_from_a_column_and_a_callable():
    corpus = _many_docs().assign(term=lambda df: "T" + (df["year"] % 2).astype(str))
    by_col = kw.keyword_trends(corpus, SMALL, by=None, period="term", n_boot=0,
                               progress=False, categories="transfers")
    assert by_col["period"].tolist() == ["T0", "T1"]
    by_fn = kw.keyword_trends(corpus, SMALL, by=None, period=lambda df: df["term"], n_boot=0,
                              progress=False, categories="transfers")
    pd.testing.assert_frame_equal(by_fn.drop(columns="period"),
                                  by_col.drop(columns="period"))
    s = kw.mention_series(corpus, SMALL, period="term", progress=False)
    assert s["period_label"].tolist() == ["T0", "T1"]


def test_warnings_name_the_callers_line(corpus):
    with pytest.warns(kw.LowSampleWarning) as low:
        kw.keyword_trends(corpus, SMALL, n_boot=0, progress=False)
    with pytest.warns(UserWarning, match="no period") as dropped:
        kw.keyword_trends(corpus.assign(year=[2021, 2022, None, 2022, 2022]), SMALL,
                          by=None, n_boot=0, min_docs=1, progress=False)
    with pytest.warns(UserWarning, match="no period") as series:
        kw.mention_series(corpus.assign(year=[2021, None, 2021, 2022, 2022]), SMALL,
                          period="year", progress=False)
    for record in (*low, *dropped, *series):
        assert record.filename == __file__


# --------------------------------------------------------------------------------------
# Intervals of the rates (issue 11.5)
# --------------------------------------------------------------------------------------


def _exposure_corpus(k_transfers=3, k_control=0, n_docs=2, tokens=5000):
    """``n_docs`` documents of ``tokens`` tokens each; ``k_*`` matches spread over them."""
    rows = []
    for i in range(n_docs):
        kt = k_transfers // n_docs + (i < k_transfers % n_docs)
        kc = k_control // n_docs + (i < k_control % n_docs)
        text = "arms sale " * kt + "arms race " * kc + "peace " * (tokens - 2 * (kt + kc))
        rows.append({"doc_id": f"d{i}", "actor": "AAA", "year": 2000, "text": text})
    return make_corpus(rows)


def test_poisson_limits_by_hand_for_zero_and_three_matches():
    """Garwood 95% limits in 10,000 tokens, per 10k tokens: k = 0 -> [0, -ln(0.025)] =
    [0, 3.6889]; k = 3 -> [chi2(.025; 6) / 2, chi2(.975; 8) / 2] = [0.6186, 8.7673]."""
    corpus = _exposure_corpus(k_transfers=3, k_control=0)
    tr = kw.keyword_trends(corpus, SMALL, by=None, period=None, interval="poisson",
                           min_docs=1, progress=False).set_index("category")
    assert tr.loc["transfers", "n_tokens"] == 10_000 and tr.loc["transfers", "count"] == 3
    assert tr.loc["control", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.0, -math.log(0.025)], abs=1e-9)
    assert tr.loc["control", "ci_high"] == pytest.approx(3.6889, abs=1e-4)
    assert tr.loc["transfers", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.6186, 8.7673], abs=1e-4)
    assert (tr["ci_method"] == "poisson").all()


def test_zero_count_cell_gets_a_real_upper_bound():
    """Fails on the old code: its bootstrap over documents gave [0, 0] to a zero count."""
    corpus = _many_docs()
    tr = kw.keyword_trends(corpus, {"x": ["zeppelin"]}, by="actor", period=None,
                           n_boot=200, random_state=0, progress=False)
    assert (tr["count"] == 0).all() and (tr["n_docs"] >= 2).all()
    assert (tr["ci_low"] == 0).all() and (tr["ci_high"] > 0).all()


def _counts_table(rows):
    """A corpus and matching count_matches-like table from (doc, group, actor, tokens, x)."""
    df = pd.DataFrame(rows, columns=["doc_id", "grp", "actor", "n_tokens", "x"])
    corpus = make_corpus(df[["doc_id", "grp", "actor"]].assign(text="t", year=2000))
    counts = df[["doc_id", "n_tokens"]].assign(n_matches=df["x"], x=df["x"])
    return corpus, counts


XDICT = {"x": ["zeppelin"]}


def _auto_cells():
    rows = []
    # "rare": 5 documents of one actor, 10 matches -> poisson
    rows += [(f"r{i}", "rare", "A", 1000, 2) for i in range(5)]
    # "one": one actor, 50 overdispersed matches -> quasi_poisson
    rows += [(f"o{i}", "one", "A", 1000, k) for i, k in enumerate([0, 2, 25, 3, 20])]
    # "pool": 12 actors, 2 documents each, 4-6 matches each -> cluster
    rows += [(f"p{a}_{j}", "pool", f"S{a:02d}", 800 + 50 * a, 4 + (a + j) % 3)
             for a in range(12) for j in range(2)]
    return _counts_table(rows)


def test_auto_rule_poisson_quasi_poisson_and_cluster():
    corpus, counts = _auto_cells()
    tr = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=400,
                           random_state=1, progress=False).set_index("group")
    assert tr["ci_method"].to_dict() == {"one": "quasi_poisson", "pool": "cluster",
                                         "rare": "poisson"}
    assert tr["n_clusters"].to_dict() == {"one": 1, "pool": 12, "rare": 1}
    assert tr.attrs["ci_methods"] == {"cluster": 1, "poisson": 1, "quasi_poisson": 1}
    assert tr.attrs["methods"] == ["dictionary_count", "poisson_exact", "quasi_poisson",
                                   "cluster_bootstrap", "bca"]
    assert all(k in methods.registry() for k in tr.attrs["methods"])
    assert (tr["ci_low"] <= tr["rate_per_10k"]).all()
    assert (tr["rate_per_10k"] <= tr["ci_high"]).all()
    # the boundary: 20 matches is no longer "rare"
    c20 = counts.assign(x=np.where(corpus["grp"] == "rare", 4, counts["x"]))
    t20 = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=c20, n_boot=0,
                            progress=False).set_index("group")
    assert t20.loc["rare", "count"] == 20 and t20.loc["rare", "ci_method"] == "quasi_poisson"
    # fewer clusters than min_clusters -> quasi-Poisson; n_boot=0 skips the bootstrap
    t13 = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=400,
                            min_clusters=13, random_state=1, progress=False)
    assert t13.set_index("group").loc["pool", "ci_method"] == "quasi_poisson"
    t0 = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=0,
                           progress=False).set_index("group")
    assert t0.loc["pool", "ci_method"] == "none" and np.isnan(t0.loc["pool", "ci_low"])
    assert t0.loc["rare", "ci_method"] == "poisson"
    # no clusters: the pooled cell is read as one actor's documents
    tn = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=0,
                           cluster=None, progress=False).set_index("group")
    assert tn.loc["pool", "ci_method"] == "quasi_poisson"


def test_quasi_poisson_cells_equal_the_uncertainty_function():
    corpus, counts = _auto_cells()
    tr = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts,
                           interval="quasi_poisson", progress=False).set_index("group")
    for grp, row in tr.iterrows():
        sel = (corpus["grp"] == grp).to_numpy()
        lo, hi, _phi = uncertainty.quasi_poisson_interval(
            counts.loc[sel, "x"], counts.loc[sel, "n_tokens"], scale=1e4)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    assert tr.loc["one", "ci_high"] - tr.loc["one", "ci_low"] > 0


def test_cluster_bootstrap_by_hand_with_cluster_bootstrap_indices():
    """Percentile and BCa limits rebuilt from uncertainty.cluster_bootstrap_indices and
    the leave-one-cluster-out jackknife, with the same seed."""
    corpus, counts = _auto_cells()
    sel = (corpus["grp"] == "pool").to_numpy()
    sub, csub = corpus[sel].reset_index(drop=True), counts[sel].reset_index(drop=True)
    x, tok, actor = csub["x"].to_numpy(), csub["n_tokens"].to_numpy(), sub["actor"].to_numpy()
    idx = uncertainty.cluster_bootstrap_indices(actor, n_boot=300, random_state=5)
    reps = np.array([x[i].sum() / tok[i].sum() * 1e4 for i in idx])
    est = x.sum() / tok.sum() * 1e4
    actors = np.unique(actor)
    jack = np.array([x[actor != a].sum() / tok[actor != a].sum() * 1e4 for a in actors])
    for method in ("percentile", "bca"):
        tr = kw.keyword_trends(sub, XDICT, by=None, period=None, counts=csub,
                               interval="cluster", boot_method=method, n_boot=300,
                               random_state=5, progress=False)
        lo, hi = uncertainty.bootstrap_interval(est, reps, method=method, jackknife=jack)
        assert (tr["ci_low"].iloc[0], tr["ci_high"].iloc[0]) == pytest.approx((lo, hi),
                                                                               rel=1e-9)
        assert tr["rate_per_10k"].iloc[0] == pytest.approx(est)
    # one actor: nothing to resample
    one = kw.keyword_trends(sub[sub["actor"] == "S00"], XDICT, by=None, period=None,
                            counts=csub[sub["actor"] == "S00"], interval="cluster",
                            min_docs=1, progress=False)
    assert one["ci_method"].iloc[0] == "none" and np.isnan(one["ci_low"].iloc[0])


def test_intervals_are_reproducible_and_seeded():
    corpus, counts = _auto_cells()
    kwargs = {"by": "grp", "period": None, "counts": counts, "n_boot": 300,
              "progress": False}
    a = kw.keyword_trends(corpus, XDICT, random_state=11, **kwargs)
    b = kw.keyword_trends(corpus, XDICT, random_state=11, **kwargs)
    c = kw.keyword_trends(corpus, XDICT, random_state=12, **kwargs)
    pd.testing.assert_frame_equal(a, b)
    pooled = a["group"] == "pool"
    assert not np.allclose(a.loc[pooled, "ci_low"], c.loc[pooled, "ci_low"])
    # the Poisson and quasi-Poisson limits use no random numbers
    pd.testing.assert_frame_equal(a[~pooled], c[~pooled])


def test_interval_options_are_checked():
    corpus, counts = _auto_cells()
    with pytest.raises(ValueError, match=r"interval must be one of.*Did you mean 'poisson'"):
        kw.keyword_trends(corpus, XDICT, counts=counts, interval="poison", progress=False)
    with pytest.raises(ValueError, match="boot_method must be one of"):
        kw.keyword_trends(corpus, XDICT, counts=counts, boot_method="basic", progress=False)
    with pytest.raises(ValueError, match=r"has no column\(s\) \['state'\].*cluster=None"):
        kw.keyword_trends(corpus, XDICT, counts=counts, cluster="state", progress=False)
    with pytest.raises(ValueError, match="min_clusters must be >= 2"):
        kw.keyword_trends(corpus, XDICT, counts=counts, min_clusters=1, progress=False)


def test_filled_periods_have_no_interval():
    corpus = _many_docs().assign(year=lambda df: np.where(df["year"] == 2001, 2003,
                                                          df["year"]))
    tr = kw.keyword_trends(corpus, SMALL, by=None, period="year", fill_empty=True,
                           categories="transfers", n_boot=50, random_state=0,
                           min_docs=1, progress=False).set_index("period")
    assert tr.loc[2001, "ci_method"] == "none" and tr.loc[2001, "n_clusters"] == 0
    assert np.isnan(tr.loc[2001, "ci_high"])


def test_interval_caption_and_text_say_what_the_intervals_are():
    corpus, counts = _auto_cells()
    tr = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=400,
                           random_state=1, progress=False)
    assert kw.interval_caption(tr) == (
        "95% intervals chosen per point: exact Poisson for the 1 point with fewer than 20 "
        "matches; quasi-Poisson for the 1 point with 20 matches or more from fewer than 2 "
        "actors; cluster bootstrap over actors (BCa, 400 replicates) for the 1 point with 20 "
        "matches or more that pool 2 or more actors.")
    assert kw.interval_caption(tr[tr["group"] == "rare"]) == (
        "95% intervals chosen per point: exact Poisson for the 1 point with fewer than 20 "
        "matches.")
    pool = tr.set_index("group").loc["pool"]
    assert kw.interval_text(tr, pool) == (
        f"95% CI {pool['ci_low']:.2f}–{pool['ci_high']:.2f}, cluster bootstrap over actors")
    # the level and the reasons for a missing interval come from the table
    t90 = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=0,
                            ci_level=0.9, progress=False)
    assert kw.interval_caption(t90).endswith(
        "; no interval for the 1 point left without bootstrap replicates (n_boot = 0).")
    assert kw.interval_caption(t90).startswith("90% intervals")
    assert kw.interval_text(t90, t90.set_index("group").loc["pool"]) == "no interval"
    tc = kw.keyword_trends(corpus, XDICT, by="grp", period=None, counts=counts, n_boot=50,
                           interval="cluster", random_state=0, progress=False)
    assert kw.interval_caption(tc) == (
        "95% intervals: cluster bootstrap over actors (BCa, 50 replicates) for 1 point; "
        "no interval for the 2 points with fewer than 2 actors.")

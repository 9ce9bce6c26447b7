"""Tests for toolkit.alignment.panel on tiny fixtures (hand or independent computations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics.pairwise import cosine_similarity

from toolkit import alignment as al
from toolkit import uncertainty
from toolkit.alignment import _resample
from toolkit.alignment._resample import bootstrap_period as _bootstrap_period
from toolkit.alignment._resample import idf_weights as _idf
from toolkit.alignment._units import units as _units
from toolkit.exceptions import FewUnitsWarning, FptkDeprecationWarning
from toolkit.features import DocTermMatrix

from .conftest import _dtm


def _expected_cosine(corpus, year, vocab):
    sub = corpus[corpus["year"] == year]
    vec = CountVectorizer(vocabulary=vocab)
    counts = vec.transform(sub.groupby("actor")["text"].apply(" ".join))
    tfidf = TfidfTransformer(smooth_idf=True, norm="l2").fit_transform(counts)
    actors = sorted(sub["actor"].unique())
    return pd.DataFrame(cosine_similarity(tfidf), index=actors, columns=actors)


def test_cosine_panel_matches_independent_tfidf(corpus, passages, pdtm):
    panel = al.similarity_panel(pdtm, passages, n_boot=0)
    assert list(panel.columns) == list(al.PANEL_COLUMNS)
    for year in (2000, 2001):
        exp = _expected_cosine(corpus, year, pdtm.vocab)
        got = al.similarity_matrix(panel, year)
        np.testing.assert_allclose(got.to_numpy(), exp.loc[got.index, got.columns].to_numpy())
    assert (panel["actor_a"] < panel["actor_b"]).all()
    row = panel.query("actor_a == 'AAA' and actor_b == 'BBB' and period == 2000").iloc[0]
    assert row["n_docs_a"] == 1 and row["n_passages_a"] == 3
    assert (
        row["n_tokens_a"]
        == pdtm.select_docs(
            passages.loc[passages.parent_doc_id == "AAA_2000", "doc_id"]
        ).matrix.sum()
    )


def test_doc_level_and_passage_level_point_estimates_agree(corpus, passages, pdtm):
    ddtm, _ = _dtm(corpus, vocabulary=pdtm.vocab)
    a = al.similarity_panel(pdtm, passages, n_boot=0)
    b = al.similarity_panel(ddtm, corpus, n_boot=0)
    np.testing.assert_allclose(a["similarity"], b["similarity"])


def test_global_idf_and_raw_counts(corpus, pdtm, passages):
    raw = al.similarity_panel(pdtm, passages, idf=None, n_boot=0)
    sub = corpus[corpus.year == 2000]
    counts = CountVectorizer(vocabulary=pdtm.vocab).transform(
        sub.groupby("actor")["text"].apply(" ".join)
    )
    exp = cosine_similarity(counts)
    got = al.similarity_matrix(raw, 2000).to_numpy()
    np.testing.assert_allclose(got, exp)
    glob = al.similarity_panel(pdtm, passages, idf="global", n_boot=0)
    assert not np.allclose(glob["similarity"], raw["similarity"])


def test_bootstrap_is_seeded_and_brackets(passages, pdtm):
    kw = dict(n_boot=50, min_passages=2, interval="percentile", progress=False)
    a = al.similarity_panel(pdtm, passages, random_state=1, **kw)
    b = al.similarity_panel(pdtm, passages, random_state=1, **kw)
    c = al.similarity_panel(pdtm, passages, random_state=2, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["ci_high"]).all()
    assert a["ci_low"].notna().all()


@pytest.mark.parametrize("chunk_nnz", [10**9, 1])  # pairwise path (one chunk) / gram loop
def test_bootstrap_replicate_equals_direct_resample(passages, pdtm, chunk_nnz):
    """The vectorised resample equals summing drawn passages by hand."""
    units = _units(pdtm.doc_ids, passages, by="actor", period="year")
    p = 0  # year 2000
    us, ue = units.period_start[p], units.period_start[p + 1]
    agg = units.indicator(pdtm.n_docs) @ pdtm.matrix.astype(float)
    idf = _idf(agg[us:ue].tocsr(), ue - us)
    uidx = np.arange(us, ue)
    reps = _bootstrap_period(
        pdtm.matrix.astype(float).tocsr(),
        units,
        uidx,
        n_boot=3,
        rng=np.random.default_rng(0),
        measure="cosine",
        idf=idf,
        sublinear_tf=False,
        chunk_nnz=chunk_nnz,
    )
    rng = np.random.default_rng(0)
    x = pdtm.matrix.toarray()
    rows = [units.rows[units.start[u] : units.start[u + 1]] for u in uidx]
    if chunk_nnz > 1:  # one chunk of 3 replicates, drawn unit by unit
        draws = [rng.integers(0, len(r), size=(3, len(r))) for r in rows]
    else:  # chunks of one replicate
        per_b = [[rng.integers(0, len(r), size=(1, len(r)))[0] for r in rows] for _ in range(3)]
        draws = [np.array([per_b[b][j] for b in range(3)]) for j in range(len(rows))]
    for b in range(3):
        vecs = []
        for r, d in zip(rows, draws, strict=True):
            vecs.append(x[r[d[b]]].sum(axis=0) * idf)
        v = np.array(vecs)
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
        np.testing.assert_allclose(reps[b], v @ v.T, atol=1e-12)


def test_interval_options_share_the_replicates(passages, pdtm):
    kw = dict(n_boot=40, random_state=5, min_passages=2, progress=False)
    pct = al.similarity_panel(pdtm, passages, interval="percentile", **kw)
    bas = al.similarity_panel(pdtm, passages, interval="basic", **kw)
    bca = al.similarity_panel(pdtm, passages, interval="bca", **kw)
    np.testing.assert_allclose(bas["ci_low"], 2 * pct["similarity"] - pct["ci_high"])
    np.testing.assert_allclose(bas["ci_high"], 2 * pct["similarity"] - pct["ci_low"])
    np.testing.assert_allclose(bca["boot_bias"], pct["boot_bias"])  # same replicates
    assert not np.allclose(bca["ci_low"], pct["ci_low"])
    assert bca.attrs["alignment"]["interval"] == "bca"
    assert bca.attrs["alignment"]["methods"] == ["passage_bootstrap", "bca_stratified"]
    assert set(bca.attrs["alignment"]["methods"]) <= set(uncertainty.METHODS)
    assert bca.attrs["methods"] == bca.attrs["alignment"]["methods"]
    assert (pct["boot_bias"] < 0).mean() > 0.5  # resampled sums look like shorter texts
    with pytest.raises(ValueError, match=r"'centered'.*not an interval"):
        al.similarity_panel(pdtm, passages, interval="centered")
    with pytest.raises(ValueError, match="interval must be one of"):
        al.similarity_panel(pdtm, passages, interval="bc")
    with pytest.warns(FptkDeprecationWarning, match="'ci_method' is deprecated"):
        old = al.similarity_panel(pdtm, passages, ci_method="percentile", **kw)
    pd.testing.assert_frame_equal(old, pct)
    with pytest.raises(ValueError, match="min_passages must be >= 2"):
        al.similarity_panel(pdtm, passages, min_passages=1)


def _two_actor_passages(n_a=8, n_b=9, n_terms=12, seed=0, n_tokens=400):
    """Passages of two actors in one year, words drawn from two overlapping profiles.

    Long passages over few terms: the cosine's bias is small next to its spread, so the BCa
    levels lie within the replicates.
    """
    rng = np.random.default_rng(seed)
    vocab = [f"w{j:02d}" for j in range(n_terms)]
    rows, counts = [], []
    for actor, n, shift in (("AAA", n_a, 0.0), ("BBB", n_b, 1.0)):
        prof = np.exp(-0.5 * (np.arange(n_terms) / n_terms * 4 - 1 - shift) ** 2)
        for i in range(n):
            counts.append(rng.multinomial(n_tokens, prof / prof.sum()))
            rows.append({"doc_id": f"{actor}#p{i:02d}", "actor": actor, "year": 2000,
                         "parent_doc_id": f"{actor}_2000"})
    table = pd.DataFrame(rows)
    dtm = DocTermMatrix.from_unsorted(np.array(counts, float), table["doc_id"], vocab)
    return table, dtm


def test_bca_interval_matches_scipy_on_the_same_replicates():
    """interval='bca' is BCa over both actors' passages (scipy's two-sample BCa).

    Old code: the only interval was 'centered' (percentile minus the bootstrap bias).
    """
    from scipy.stats import bootstrap
    from scipy.stats._common import ConfidenceInterval
    from scipy.stats._resampling import BootstrapResult

    table, dtm = _two_actor_passages()
    panel = al.similarity_panel(dtm, table, n_boot=300, random_state=3, progress=False,
                                interval="bca")
    row = panel.iloc[0]
    # the same replicates: the panel draws them first thing with its generator
    units = _units(dtm.doc_ids, table, by="actor", period="year")
    agg = units.indicator(dtm.n_docs) @ dtm.matrix.astype(float)
    idf = _idf(sp.csr_matrix(agg), 2)
    reps = _bootstrap_period(
        dtm.matrix.astype(float).tocsr(), units, np.arange(2), n_boot=300,
        rng=np.random.default_rng(3), measure="cosine", idf=idf, sublinear_tf=False,
    )[:, 0, 1]
    x = dtm.matrix.toarray()
    rows_a = units.rows[units.start[0]:units.start[1]]
    rows_b = units.rows[units.start[1]:units.start[2]]

    def cos(ia, ib):
        va = x[rows_a[np.asarray(ia, int)]].sum(axis=0) * idf
        vb = x[rows_b[np.asarray(ib, int)]].sum(axis=0) * idf
        return va @ vb / np.linalg.norm(va) / np.linalg.norm(vb)

    est = cos(np.arange(8), np.arange(9))
    assert row["similarity"] == pytest.approx(est, rel=1e-12)
    prior = BootstrapResult(confidence_interval=ConfidenceInterval(np.nan, np.nan),
                            bootstrap_distribution=reps, standard_error=np.nan)
    res = bootstrap((np.arange(8.0), np.arange(9.0)), cos, n_resamples=0, method="BCa",
                    bootstrap_result=prior, vectorized=False, paired=False)
    assert row["ci_low"] == pytest.approx(res.confidence_interval.low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(res.confidence_interval.high, rel=1e-9)
    assert row["n_passages_a"] == 8 and row["n_passages_b"] == 9
    # and by hand: bootstrap_interval with the jackknife of each actor, centred per actor
    jack_a = [cos(np.delete(np.arange(8), i), np.arange(9)) for i in range(8)]
    jack_b = [cos(np.arange(8), np.delete(np.arange(9), i)) for i in range(9)]
    acc = uncertainty.bca_acceleration(jack_a + jack_b, strata=[0] * 8 + [1] * 9)
    lo, hi = uncertainty.bootstrap_intervals([est], reps[:, None], acceleration=[acc])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo[0], hi[0]), rel=1e-12)
    # the old 'centered' interval is not this one
    centred = np.percentile(reps, [2.5, 97.5]) - (reps.mean() - est)
    assert abs(centred[0] - row["ci_low"]) > 1e-4


def test_vectorised_intervals_equal_bootstrap_interval():
    rng = np.random.default_rng(0)
    est = rng.normal(size=30)
    reps = est + 0.3 * rng.gamma(2.0, size=(200, 30)) - 0.5
    reps[rng.random(reps.shape) < 0.03] = np.nan
    jacks = [rng.gamma(2.0, size=12) for _ in range(30)]
    acc = [uncertainty.bca_acceleration(j) for j in jacks]
    for method in ("bca", "percentile", "basic"):
        lo, hi = uncertainty.bootstrap_intervals(est, reps, method=method, acceleration=acc)
        for j in range(30):
            exp = uncertainty.bootstrap_interval(est[j], reps[:, j], method=method,
                                                 jackknife=jacks[j])
            assert (lo[j], hi[j]) == pytest.approx(exp, rel=1e-12)


@pytest.mark.parametrize(("measure", "sublinear"), [("cosine", False), ("cosine", True),
                                                    ("js", False)])
def test_closed_form_jackknife_equals_leaving_each_passage_out(measure, sublinear):
    rng = np.random.default_rng(1)
    sizes = np.array([6, 5, 7, 3])
    unit_of = np.repeat(np.arange(4), sizes)
    if measure == "cosine":
        x = rng.poisson(0.4, size=(sizes.sum(), 40)).astype(float)
        idf = rng.uniform(1, 3, 40)
        loo = _resample._jackknife_cosine(sp.csr_matrix(x), sizes, idf, sublinear_tf=sublinear)

        def sim(a, b):
            wa, wb = _resample._tf(a, sublinear) * idf, _resample._tf(b, sublinear) * idf
            return wa @ wb / np.linalg.norm(wa) / np.linalg.norm(wb)
    else:
        x = rng.dirichlet(np.ones(5), size=sizes.sum()) * rng.uniform(0.5, 2, (sizes.sum(), 1))
        loo = _resample._jackknife_js(x, sizes)

        def sim(a, b):
            return _resample.js_similarity(a / a.sum(), b / b.sum())
    totals = np.array([x[unit_of == u].sum(axis=0) for u in range(4)])
    for j in range(len(x)):
        for b in range(4):
            assert loo[j, b] == pytest.approx(sim(totals[unit_of[j]] - x[j], totals[b]),
                                              abs=1e-12)
    acc = _resample.acceleration_matrix(loo, sizes)
    jack = np.concatenate([loo[unit_of == 0, 2], loo[unit_of == 2, 0]])
    strata = np.repeat([0, 2], [sizes[0], sizes[2]])
    assert acc[0, 2] == pytest.approx(uncertainty.bca_acceleration(jack, strata), rel=1e-12)
    assert acc[0, 2] == pytest.approx(acc[2, 0], rel=1e-12)


def test_fewer_than_five_passages_warn_and_give_nan():
    """Old code: the threshold was 2 passages and there was no warning."""
    table, dtm = _two_actor_passages(n_a=8, n_b=9)
    extra = pd.DataFrame([{"doc_id": f"CCC#p{i}", "actor": "CCC", "year": 2000,
                           "parent_doc_id": "CCC_2000"} for i in range(4)])
    rng = np.random.default_rng(9)
    x = np.vstack([dtm.matrix.toarray(), rng.poisson(1.0, size=(4, dtm.n_terms))])
    table = pd.concat([table, extra], ignore_index=True)
    dtm = DocTermMatrix.from_unsorted(x, table["doc_id"], dtm.vocab)
    with pytest.warns(FewUnitsWarning, match=r"1 of 3 actor-periods have fewer than "
                                             r"min_passages=5 passages \(e.g. CCC 2000 \(4\)\)"):
        panel = al.similarity_panel(dtm, table, n_boot=300, random_state=0, progress=False)
    p = panel.set_index(["actor_a", "actor_b"])
    assert p.loc[("AAA", "BBB"), ["ci_low", "ci_high"]].notna().all()
    assert p.loc[("AAA", "CCC"), ["ci_low", "ci_high"]].isna().all()
    assert p.loc[("BBB", "CCC"), ["ci_low", "ci_high"]].isna().all()
    assert p["similarity"].notna().all()  # the estimates themselves are kept
    assert p.loc[("BBB", "CCC"), "n_passages_b"] == 4
    assert panel.attrs["alignment"]["few_passages"] == [
        {"period": 2000, "actor": "CCC", "n_passages": 4}]
    lower = al.similarity_panel(dtm, table, n_boot=50, random_state=0, min_passages=4,
                                interval="basic", progress=False)
    assert lower["ci_low"].notna().all()


def test_missing_actor_gives_nan_with_counts(passages, pdtm):
    with pytest.warns(UserWarning, match=r"CCC \(1 periods\)"):
        panel = al.similarity_panel(pdtm, passages, actors=["AAA", "CCC"], n_boot=0)
    row = panel[panel["period"] == 2001].iloc[0]
    assert np.isnan(row["similarity"]) and row["n_docs_b"] == 0 and row["n_docs_a"] == 1
    assert panel.attrs["alignment"]["missing"] == [{"period": 2001, "actor": "CCC"}]
    # without `actors`, absent actors simply have no rows
    full = al.similarity_panel(pdtm, passages, n_boot=0)
    assert not ((full.period == 2001) & (full.actor_b == "CCC")).any()


def test_unknown_codes_and_periods_are_listed(passages, pdtm):
    with pytest.raises(ValueError, match=r"Unknown actor code\(s\) \['AAB', 'ZZZ'\].*did you mean"):
        al.similarity_panel(pdtm, passages, actors=["AAA", "ZZZ", "AAB"], n_boot=0)
    with pytest.raises(ValueError, match="at least two actors"):
        al.similarity_panel(pdtm, passages, actors=["AAA"], n_boot=0)
    with pytest.raises(ValueError, match=r"period\(s\) \[1999\] are not in the data"):
        al.similarity_panel(pdtm, passages, periods=[1999], n_boot=0)
    with pytest.raises(ValueError, match="measure='euclid'"):
        al.similarity_panel(pdtm, passages, measure="euclid")
    with pytest.raises(ValueError, match=r"period='session' is not a column"):
        al.similarity_panel(pdtm, passages, period="session")


def test_rows_absent_from_corpus_are_named(passages, pdtm):
    with pytest.raises(ValueError, match=r"matrix row\(s\) have no row in the corpus.*AAA_2000#p"):
        al.similarity_panel(pdtm, passages[passages.parent_doc_id != "AAA_2000"], n_boot=0)


def test_single_doc_units_get_nan_intervals(corpus, pdtm):
    ddtm, _ = _dtm(corpus, vocabulary=pdtm.vocab)
    with pytest.warns(FewUnitsWarning, match="split_passages"):
        panel = al.similarity_panel(ddtm, corpus, n_boot=20, random_state=0, progress=False)
    assert panel["ci_low"].isna().all() and panel["similarity"].notna().all()


def test_decade_period(passages, pdtm):
    panel = al.similarity_panel(pdtm, passages, period="decade", n_boot=0)
    assert panel["period"].unique().tolist() == [2000]
    assert panel.query("actor_a == 'AAA' and actor_b == 'BBB'")["n_docs_a"].item() == 2


def test_js_panel_matches_hand_computation(passages):
    rng = np.random.default_rng(0)
    theta = pd.DataFrame(rng.dirichlet(np.ones(3), size=len(passages)), index=passages["doc_id"])
    panel = al.similarity_panel(
        theta, passages, measure="js", n_boot=30, random_state=0, min_passages=2,
        interval="basic", progress=False,
    )
    ids = passages[(passages.actor.isin(["AAA", "BBB"])) & (passages.year == 2000)]
    pa = theta.loc[ids[ids.actor == "AAA"].doc_id].mean().to_numpy()
    pb = theta.loc[ids[ids.actor == "BBB"].doc_id].mean().to_numpy()
    m = (pa + pb) / 2
    jsd = 0.5 * np.sum(pa * np.log2(pa / m)) + 0.5 * np.sum(pb * np.log2(pb / m))
    got = panel.query("actor_a == 'AAA' and actor_b == 'BBB' and period == 2000")
    assert got["similarity"].item() == pytest.approx(1 - jsd)
    assert got["n_tokens_a"].isna().all()
    assert (panel["ci_low"] <= panel["ci_high"]).all()


def test_issue_panel_accepts_passage_table(corpus, passages, pdtm):
    arms = passages[passages["text"].str.contains("arms|weapons")]
    out = al.issue_similarity_panel(arms, dtm=pdtm, n_boot=0)
    assert set(out["actor_a"]) | set(out["actor_b"]) <= {"AAA", "BBB", "DDD"}
    assert out.attrs["alignment"]["issue"]["n_passages"] == len(arms)
    # from a corpus: keywords.extract_passages finds the arms paragraphs, rows come from pdtm
    direct = al.issue_similarity_panel(corpus, dictionary="arms", dtm=pdtm, n_boot=0)
    assert direct.attrs["alignment"]["issue"]["dictionary"]["name"] == "arms"
    assert direct["similarity"].notna().any()
    bad = arms.assign(doc_id=arms["doc_id"] + "x")
    with pytest.raises(ValueError, match="not rows of dtm"):
        al.issue_similarity_panel(bad, dtm=pdtm, n_boot=0)


def test_dyad_series_normalises_order(panel):
    s = al.dyad_series(panel, [("BBB", "AAA"), ("AAA", "DDD")])
    assert s["pair"].unique().tolist() == ["BBB–AAA", "AAA–DDD"]
    assert len(s) == 4
    with pytest.raises(ValueError, match=r"\['XXX'\]"):
        al.dyad_series(panel, [("AAA", "XXX")])


def test_actors_in_period(panel):
    assert al.actors_in_period(panel, 2000) == ["AAA", "BBB", "CCC", "DDD"]
    assert al.actors_in_period(panel, 2001, ["DDD", "CCC", "AAA"]) == ["DDD", "AAA"]


def test_dyad_summary(panel):
    s = al.dyad_series(panel, [("AAA", "BBB"), ("AAA", "CCC")])
    out = al.dyad_summary(s)
    ab = out.set_index("pair").loc["AAA–BBB"]
    exp = s[s["pair"] == "AAA–BBB"]
    assert ab["mean_similarity"] == pytest.approx(exp["similarity"].mean())
    assert ab["last_period"] == 2001 and ab["n_periods"] == 2
    ac = out.set_index("pair").loc["AAA–CCC"]  # CCC missing in 2001: last known period is 2000
    assert ac["last_period"] == 2000 and ac["n_periods"] == 1


@pytest.mark.integration
def test_ungdc_panel_and_wordscores(ungdc):
    sub = ungdc[ungdc["year"].isin([2013, 2014])]
    vec = CountVectorizer(min_df=2, stop_words="english")
    x = vec.fit_transform(sub["text"])
    dtm = DocTermMatrix.from_unsorted(x, sub["doc_id"], vec.get_feature_names_out())
    panel = al.similarity_panel(dtm, sub, n_boot=0)
    s = al.dyad_series(panel, [("CHN", "RUS"), ("CHN", "USA"), ("DEU", "CHN"), ("RUS", "USA")])
    assert len(s) == 8 and s["similarity"].between(0, 1).all()
    ws = al.wordscores_by_period(dtm, sub, references={"RUS": -1.0, "USA": 1.0},
                                 periods=[2014], n_boot=0, progress=False)
    assert {"CHN", "DEU", "UKR"} <= set(ws["actor"])
    refs = ws.set_index("actor").loc[["RUS", "USA"], "raw"]
    assert refs["RUS"] < refs["USA"]


def test_period_n_years(passages, pdtm):
    """period=5 means 5-year bins labelled by their first year, as in keyword_trends."""
    moved = passages.assign(year=passages["year"].map({2000: 2004, 2001: 2005}))
    panel = al.similarity_panel(pdtm, moved, period=5, n_boot=0)
    assert panel["period"].dtype == np.int64
    assert panel["period"].unique().tolist() == [2000, 2005]
    by_hand = al.similarity_panel(pdtm, moved, period=lambda t: t["year"] // 5 * 5, n_boot=0)
    pd.testing.assert_frame_equal(panel, by_hand)
    assert panel.attrs["alignment"]["period"] == "5"
    decade = al.similarity_panel(pdtm, moved, period="decade", n_boot=0)
    assert decade["period"].unique().tolist() == [2000]


def test_year_period_keeps_int64_labels(passages, pdtm):
    panel = al.similarity_panel(pdtm, passages, n_boot=0)
    as_int64 = al.similarity_panel(
        pdtm, passages.assign(year=passages["year"].astype("Int64")), n_boot=0
    )
    assert panel["period"].dtype == np.int64
    pd.testing.assert_frame_equal(panel, as_int64)


def test_dyad_series_of_every_dyad(panel):
    s = al.dyad_series(panel)
    assert len(s) == len(panel)
    assert s["pair"].cat.categories.tolist() == sorted(
        set(panel["actor_a"] + "–" + panel["actor_b"])
    )
    one = s[s["pair"] == "AAA–BBB"].drop(columns="pair").reset_index(drop=True)
    pair = al.dyad_series(panel, [("AAA", "BBB")]).drop(columns="pair")
    pd.testing.assert_frame_equal(one, pair)


def test_issue_panel_of_a_corpus_needs_a_dictionary(corpus, pdtm):
    with pytest.raises(ValueError, match="needs dictionary="):
        al.issue_similarity_panel(corpus, dtm=pdtm, n_boot=0)


def test_default_interval_is_basic():
    """The default is the basic interval: BCa is unresolved for almost every real dyad."""
    table, dtm = _two_actor_passages()
    panel = al.similarity_panel(dtm, table, n_boot=300, random_state=3, progress=False)
    basic = al.similarity_panel(dtm, table, n_boot=300, random_state=3, progress=False,
                                interval="basic")
    pd.testing.assert_frame_equal(panel, basic)
    assert panel.attrs["alignment"]["interval"] == "basic"

"""Tests for toolkit.alignment.scaling: Wordscores and Wordfish against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.feature_extraction.text import CountVectorizer
from threadpoolctl import threadpool_limits

from toolkit import alignment as al
from toolkit import uncertainty
from toolkit.exceptions import FewUnitsWarning
from toolkit.features import DocTermMatrix


def _ws_fixture():
    vocab = np.array(["a", "b", "c", "d"], dtype=object)
    x = np.array([[4, 4, 2, 0], [0, 2, 4, 4], [2, 3, 3, 2], [1, 1, 0, 0], [0, 0, 1, 1]], float)
    ids = ["R1", "R2", "V1", "V2", "V3"]
    return DocTermMatrix.from_unsorted(sp.csr_matrix(x), ids, vocab), x


def test_wordscores_hand_computation():
    dtm, _ = _ws_fixture()
    ws = al.Wordscores().fit(dtm, {"R1": -1.0, "R2": 1.0})
    # by hand: F_r1 = [.4,.4,.2,0], F_r2 = [0,.2,.4,.4]
    # P(r1|w) = [1, 2/3, 1/3, 0] -> S_w = -P1 + P2 = [-1, -1/3, 1/3, 1]
    np.testing.assert_allclose(ws.wordscores_, [-1, -1 / 3, 1 / 3, 1])
    t = ws.score_table(dtm).set_index("doc_id")
    s = np.array([-1, -1 / 3, 1 / 3, 1])
    f = np.array([2, 3, 3, 2]) / 10
    raw = f @ s
    se = np.sqrt(np.sum(f * (s - raw) ** 2) / 10)
    assert t.loc["V1", "raw"] == pytest.approx(raw)
    assert t.loc["V1", "se"] == pytest.approx(se)
    assert t.loc["V2", "raw"] == pytest.approx(-2 / 3)
    assert t.loc["R1", "is_reference"] and not t.loc["V1", "is_reference"]
    assert t.loc["V1", "ci_high"] - t.loc["V1", "raw"] == pytest.approx(1.959964 * se, rel=1e-5)


def test_wordscores_rescaling_lbg_and_mv():
    dtm, _ = _ws_fixture()
    lbg = al.Wordscores(rescale="lbg").fit(dtm, {"R1": -1.0, "R2": 1.0}).score_table(dtm)
    raw = lbg.set_index("doc_id")["raw"]
    v = raw[["V1", "V2", "V3"]].to_numpy()
    exp = (v - v.mean()) * (np.std([-1, 1], ddof=1) / v.std(ddof=1)) + v.mean()
    np.testing.assert_allclose(lbg.set_index("doc_id").loc[["V1", "V2", "V3"], "score"], exp)
    mv = al.Wordscores(rescale="mv").fit(dtm, {"R1": -1.0, "R2": 1.0}).score_table(dtm)
    mv = mv.set_index("doc_id")
    assert mv.loc["R1", "score"] == pytest.approx(-1) and mv.loc["R2", "score"] == pytest.approx(1)
    r1, r2 = raw["R1"], raw["R2"]
    assert mv.loc["V2", "score"] == pytest.approx((raw["V2"] - r1) / (r2 - r1) * 2 - 1)


def test_wordscores_bad_input():
    dtm, x = _ws_fixture()
    with pytest.raises(ValueError, match=r"Reference text\(s\) \['RUS_2014'\] are not in"):
        al.Wordscores().fit(dtm, {"R1": -1.0, "RUS_2014": 1.0})
    with pytest.raises(ValueError, match="different scores"):
        al.Wordscores().fit(dtm, {"R1": 1.0, "R2": 1.0})
    with pytest.raises(ValueError, match="rescale='z'"):
        al.Wordscores(rescale="z").fit(dtm, {"R1": -1.0, "R2": 1.0})
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        al.Wordscores().score_table(dtm)
    ws = al.Wordscores().fit(x[:2], [-1, 1])
    with pytest.raises(ValueError, match="columns"):
        ws.score_table(x[:, :3])


def test_wordscores_by_period_per_period(corpus, pdtm, passages):
    refs = {"AAA": -1.0, "BBB": 1.0}
    out = al.wordscores_by_period(pdtm, passages, references=refs, scale="per_period",
                                  rescale="mv", n_boot=0)
    assert set(out["period"]) == {2000, 2001}
    y = out[(out.period == 2000)].set_index("actor")
    assert y.loc["AAA", "score"] == pytest.approx(-1) and y.loc["AAA", "is_reference"]
    # independently: fit on the 2000 actor sums
    sub = corpus[corpus.year == 2000]
    cnt = CountVectorizer(vocabulary=pdtm.vocab).transform(
        sub.groupby("actor")["text"].apply(" ".join)
    )
    d = DocTermMatrix.from_unsorted(cnt, sorted(sub.actor.unique()), pdtm.vocab)
    t = al.Wordscores().fit(d, refs).score_table(d).set_index("doc_id")
    assert y.loc["DDD", "raw"] == pytest.approx(t.loc["DDD", "raw"])
    assert y.loc["DDD", "ci_low"] == pytest.approx(t.loc["DDD", "ci_low"])  # analytic (n_boot=0)
    assert y.loc["DDD", "n_passages"] == 2
    with pytest.raises(ValueError, match=r"Reference actor\(s\) \['USA'\] are absent"):
        al.wordscores_by_period(pdtm, passages, references={"AAA": -1, "USA": 1})
    with pytest.warns(UserWarning, match="skipped"):
        skip = al.wordscores_by_period(
            pdtm, passages, references={"AAA": -1, "CCC": 1}, rescale="none",
            scale="per_period", n_boot=0,
        )
    assert skip.attrs["skipped"] == [{"period": 2001, "missing_references": ["CCC"]}]


def test_references_are_required(pdtm, passages):
    """Old code: references=None meant RUS -1 / USA +1, a research default in the library."""
    with pytest.raises(TypeError, match="references"):
        al.wordscores_by_period(pdtm, passages)
    with pytest.raises(ValueError, match="needs references="):
        al.wordscores_by_period(pdtm, passages, references=None)
    with pytest.raises(ValueError, match="different scores"):
        al.wordscores_by_period(pdtm, passages, references={"AAA": 1, "BBB": 1})
    with pytest.raises(ValueError, match="scale must be one of"):
        al.wordscores_by_period(pdtm, passages, references={"AAA": -1, "BBB": 1}, scale="year")


_P_LEFT = np.array([0.30, 0.25, 0.20, 0.15, 0.07, 0.03])
_P_RIGHT = _P_LEFT[::-1].copy()


def _planted_corpus(spreads):
    """Texts of mixing weight pi (share of the left profile) per period, 5 equal passages each.

    ``L`` (pi = 1) and ``R`` (pi = 0) are the references, ``V`` (pi = 0.7) never moves; the
    other states' weights per period are ``spreads[period]``.
    """
    rows, counts = [], []
    for year, others in spreads.items():
        texts = {"L": 1.0, "R": 0.0, "V": 0.7, **{f"O{i}": w for i, w in enumerate(others)}}
        for actor, pi in texts.items():
            for j in range(5):
                counts.append(200.0 * (pi * _P_LEFT + (1 - pi) * _P_RIGHT))
                rows.append({"doc_id": f"{actor}_{year}#p{j}", "actor": actor, "year": year,
                             "parent_doc_id": f"{actor}_{year}"})
    table = pd.DataFrame(rows)
    vocab = [f"w{k}" for k in range(len(_P_LEFT))]
    return table, DocTermMatrix.from_unsorted(np.array(counts), table["doc_id"], vocab)


def test_fixed_scale_keeps_a_constant_text_in_place():
    """A text that does not change keeps its position when the others spread out or bunch up.

    Fails on old code, whose default fitted LBG per year (V's score moved with the others).
    """
    table, dtm = _planted_corpus({2000: [0.1, 0.5, 0.9], 2001: [0.4, 0.5, 0.6]})
    refs = {"L": -1.0, "R": 1.0}
    out = al.wordscores_by_period(dtm, table, references=refs, progress=False)
    v = out[out["actor"] == "V"].set_index("period")
    assert v.loc[2000, "score"] == pytest.approx(v.loc[2001, "score"], abs=1e-12)
    # by hand: word scores from the pooled references, MV maps L -> -1 and R -> +1
    s = (_P_RIGHT - _P_LEFT) / (_P_LEFT + _P_RIGHT)
    q = 0.7 * _P_LEFT + 0.3 * _P_RIGHT
    raw_l, raw_r, raw_v = _P_LEFT @ s, _P_RIGHT @ s, q @ s
    assert v.loc[2000, "raw"] == pytest.approx(raw_v, rel=1e-12)
    assert v.loc[2000, "score"] == pytest.approx(-1 + 2 * (raw_v - raw_l) / (raw_r - raw_l))
    ref = out[out["actor"] == "L"]
    np.testing.assert_allclose(ref["score"], -1.0)
    assert ref["is_reference"].all() and not v["is_reference"].any()
    assert out.attrs["scale"] == "fixed" and out.attrs["reference_periods"] == [2000, 2001]
    # the former per-period LBG fit moves V by the change in the others' spread
    old = al.wordscores_by_period(dtm, table, references=refs, scale="per_period", n_boot=0)
    vo = old[old["actor"] == "V"].set_index("period")["score"]
    assert abs(vo[2000] - vo[2001]) > 0.5
    # the fixed scale does not depend on which periods are scored
    one = al.wordscores_by_period(dtm, table, references=refs, periods=[2001], n_boot=0)
    assert one.set_index("actor").loc["V", "score"] == pytest.approx(v.loc[2001, "score"])
    lbg = al.wordscores_by_period(dtm, table, references=refs, rescale="lbg", n_boot=0)
    lv = lbg[lbg["actor"] == "V"].set_index("period")["score"]
    assert lv[2000] == pytest.approx(lv[2001], abs=1e-12)  # one LBG map for all periods


def test_reference_periods_choose_the_pooled_texts():
    table, dtm = _planted_corpus({2000: [0.1, 0.9], 2001: [0.4, 0.6]})
    # make the references of 2001 different: the fixed scale from 2000 ignores them
    x = dtm.matrix.toarray()
    late_l = np.char.startswith(np.asarray(dtm.doc_ids).astype(str), "L_2001")
    x[late_l] = 200.0 * _P_RIGHT
    dtm = DocTermMatrix.from_unsorted(x, dtm.doc_ids, dtm.vocab)
    refs = {"L": -1.0, "R": 1.0}
    early = al.wordscores_by_period(dtm, table, references=refs, reference_periods=[2000],
                                    n_boot=0)
    pooled = al.wordscores_by_period(dtm, table, references=refs, n_boot=0)
    assert early.attrs["reference_periods"] == [2000]
    v_early = early.set_index(["actor", "period"]).loc[("V", 2001), "raw"]
    s = (_P_RIGHT - _P_LEFT) / (_P_LEFT + _P_RIGHT)
    assert v_early == pytest.approx((0.7 * _P_LEFT + 0.3 * _P_RIGHT) @ s)
    assert pooled.set_index(["actor", "period"]).loc[("V", 2001), "raw"] != pytest.approx(v_early)


def test_wordscores_bootstrap_is_seeded_and_brackets():
    rng = np.random.default_rng(0)
    table, dtm = _planted_corpus({2000: [0.2, 0.8], 2001: [0.3, 0.6]})
    noisy = rng.poisson(dtm.matrix.toarray() / 4).astype(float)  # ~50 tokens per passage
    dtm = DocTermMatrix.from_unsorted(noisy, dtm.doc_ids, dtm.vocab)
    refs = {"L": -1.0, "R": 1.0}
    kw = dict(references=refs, n_boot=100, progress=False)
    a = al.wordscores_by_period(dtm, table, random_state=3, **kw)
    b = al.wordscores_by_period(dtm, table, random_state=3, **kw)
    c = al.wordscores_by_period(dtm, table, random_state=4, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["raw"]).mean() > 0.9 and (a["raw"] <= a["ci_high"]).mean() > 0.9
    assert (a["score_ci_low"] < a["score_ci_high"]).all()
    assert a.attrs["methods"] == ["wordscores", "passage_bootstrap", "bayesian_bootstrap",
                                  "percentile"]
    assert set(a.attrs["methods"][1:]) <= set(uncertainty.METHODS)
    # the analytic se is kept as a column; the analytic interval is what n_boot=0 gives
    an = al.wordscores_by_period(dtm, table, references=refs, n_boot=0)
    np.testing.assert_allclose(an["se"], a["se"])
    np.testing.assert_allclose(an["ci_high"] - an["raw"], 1.959964 * an["se"], rtol=1e-6)
    o = al.wordscores_by_period(dtm, table, random_state=3, resampling="ordinary", **kw)
    assert not np.allclose(o["ci_low"], a["ci_low"])
    with pytest.raises(ValueError, match="resampling must be one of"):
        al.wordscores_by_period(dtm, table, references=refs, resampling="wild")


def test_wordscores_intervals_need_five_passages(pdtm, passages):
    refs = {"AAA": -1.0, "BBB": 1.0}
    with pytest.warns(FewUnitsWarning, match="fewer than min_passages=5 passages"):
        out = al.wordscores_by_period(pdtm, passages, references=refs, n_boot=20,
                                      random_state=0, progress=False)
    assert out["ci_low"].isna().all() and out["score_ci_high"].isna().all()
    assert out["raw"].notna().all() and out["se"].notna().all()
    ok = al.wordscores_by_period(pdtm, passages, references=refs, n_boot=20, min_passages=2,
                                 random_state=0, progress=False)
    assert ok["ci_low"].notna().all()


def test_row_weights_resample_within_units():
    from toolkit.alignment._units import units as _units
    from toolkit.alignment._wordscores_boot import row_weights

    table, dtm = _planted_corpus({2000: [0.2], 2001: [0.3]})
    u = _units(dtm.doc_ids, table, by="actor", period="year")
    rng = np.random.default_rng(0)
    unit_of = np.repeat(np.arange(len(u.n_rows)), u.n_rows)
    for kind in ("bayesian", "ordinary"):
        w = row_weights(u, dtm.n_docs, rng, kind)[u.rows]
        np.testing.assert_allclose(np.bincount(unit_of, w), u.n_rows)  # each unit keeps n rows
        assert (w >= 0).all()
    w = row_weights(u, dtm.n_docs, rng, "ordinary")
    assert np.array_equal(w, np.round(w))


def _wf_data(seed=0, n=8, v=40):
    rng = np.random.default_rng(seed)
    theta = np.linspace(-1.5, 1.5, n)
    alpha = rng.normal(0, 0.3, n)
    alpha -= alpha[0]
    psi = rng.normal(1.0, 0.5, v)
    beta = rng.normal(0, 0.8, v)
    y = rng.poisson(np.exp(alpha[:, None] + psi[None] + theta[:, None] * beta[None]))
    return y.astype(float), theta


def _penalised_nll(params, y, sd_t=1.0, sd_b=3.0):
    n, v = y.shape
    alpha = np.concatenate([[0.0], params[: n - 1]])
    theta = params[n - 1 : 2 * n - 1]
    psi = params[2 * n - 1 : 2 * n - 1 + v]
    beta = params[2 * n - 1 + v :]
    eta = alpha[:, None] + psi[None] + theta[:, None] * beta[None]
    mu = np.exp(eta)
    f = -(y * eta - mu).sum() + 0.5 * (beta**2).sum() / sd_b**2 + 0.5 * (theta**2).sum() / sd_t**2
    r = y - mu
    g_alpha = -r.sum(1)[1:]
    g_theta = -(r @ beta) + theta / sd_t**2
    g_psi = -r.sum(0)
    g_beta = -(theta @ r) + beta / sd_b**2
    return f, np.concatenate([g_alpha, g_theta, g_psi, g_beta])


def test_wordfish_matches_independent_optimiser():
    y, true_theta = _wf_data()
    wf = al.Wordfish(dir=(0, 7), tol=1e-14).fit(y)
    assert wf.converged_
    n, v = y.shape
    start = np.concatenate(
        [np.zeros(n - 1), np.linspace(-1, 1, n), np.log(y.mean(0) + 0.1), np.zeros(v)]
    )
    with threadpool_limits(limits=1, user_api="blas"):
        res = minimize(
            _penalised_nll,
            start,
            args=(y,),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 20000, "gtol": 1e-10, "ftol": 1e-14},
        )
    theta_ref = res.x[n - 1 : 2 * n - 1]
    theta_ref = (theta_ref - theta_ref.mean()) / theta_ref.std(ddof=1)  # identified as S&P
    if theta_ref[0] > theta_ref[-1]:
        theta_ref = -theta_ref
    np.testing.assert_allclose(wf.theta_, theta_ref, atol=1e-4)
    # same penalised optimum: objective equal, gradient (independent code) ~ 0, at the
    # parameters before standardising (theta = location + sign * scale * theta_)
    loc, scl = wf.theta_location_, wf.theta_scale_
    cands = []
    for sign in (1.0, -1.0):
        beta = sign * wf.beta_ / scl
        cands.append(np.concatenate([wf.alpha_[1:], loc + sign * scl * wf.theta_,
                                     wf.psi_ - beta * loc, beta]))
    mine = min(cands, key=lambda c: np.abs(_penalised_nll(c, y)[1]).max())
    f_mine, g_mine = _penalised_nll(mine, y)
    assert f_mine <= res.fun + 1e-7 * abs(res.fun)
    assert np.abs(g_mine).max() < 1e-3
    assert np.corrcoef(wf.theta_, true_theta)[0, 1] > 0.9
    assert wf.theta_[0] < wf.theta_[7]


def test_wordfish_hessian_se_matches_numeric_hessian():
    y, _ = _wf_data(seed=1)
    wf = al.Wordfish().fit(y)
    i = 3
    pt = 1.0

    def f(a, t):  # on the standardised scale the prior's curvature is pt * scale^2
        eta = a + wf.psi_ + t * wf.beta_
        return (y[i] * eta - np.exp(eta)).sum() - 0.5 * pt * (wf.theta_scale_ * t) ** 2

    a0, t0 = wf.alpha_[i], wf.theta_[i]  # theta_ and beta_ flip together: f is unchanged
    h = 1e-4
    haa = (f(a0 + h, t0) - 2 * f(a0, t0) + f(a0 - h, t0)) / h**2
    htt = (f(a0, t0 + h) - 2 * f(a0, t0) + f(a0, t0 - h)) / h**2
    hat = (f(a0 + h, t0 + h) - f(a0 + h, t0 - h) - f(a0 - h, t0 + h) + f(a0 - h, t0 - h)) / (
        4 * h**2
    )
    cov = np.linalg.inv(-np.array([[haa, hat], [hat, htt]]))
    assert wf.se_theta_[i] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-3)


def test_wordfish_bootstrap_is_seeded():
    y, _ = _wf_data(seed=2, n=6, v=25)
    a = al.Wordfish(se="bootstrap", n_boot=5, random_state=0).fit(y)
    b = al.Wordfish(se="bootstrap", n_boot=5, random_state=0).fit(y)
    np.testing.assert_array_equal(a.se_theta_, b.se_theta_)
    assert (a.theta_ci_[:, 0] <= a.theta_ci_[:, 1]).all() and (a.se_theta_ > 0).all()


def test_wordfish_labels_and_bad_input():
    y, _ = _wf_data(seed=3, n=5, v=20)
    ids = [f"d{i}" for i in range(5)]
    vocab = [f"w{j:02d}" for j in range(20)]
    y[:, 4] = 0
    dtm = DocTermMatrix.from_unsorted(sp.csr_matrix(y), ids, vocab)
    wf = al.Wordfish(dir=("d4", "d0")).fit(dtm)
    assert wf.n_dropped_terms_ == 1 and "w04" not in set(wf.vocab_)
    tab = wf.score_table()
    assert tab.set_index("doc_id").loc["d4", "theta"] < tab.set_index("doc_id").loc["d0", "theta"]
    assert list(wf.word_table().columns) == ["term", "beta", "psi"]
    y2 = y.copy()
    y2[2] = 0
    with pytest.raises(ValueError, match=r"have no tokens: \[2\]"):
        al.Wordfish().fit(y2)
    with pytest.raises(ValueError, match="'zz' is not in the matrix"):
        al.Wordfish(dir=("zz", "d0")).fit(dtm)


# Recorded with the code before the word and document Newton blocks became one helper
# (issue 10), on _wf_data(seed=1): the refactor must not move a digit.
_WF_BEFORE = {
    # n_warmup=2000, tol=1e-10: converges in the alternating Newton cycles alone (758)
    (2000, 1e-10): {
        "n_iter": 758,
        "loglik": -543.486220137929,
        "theta": [-0.8987263039098152, -0.8480859214938632, -0.5653349397196491,
                  -0.24722446056463762, 0.14520491956777137, 0.5595144228773327,
                  0.7187465283699267, 1.1359057548729348],
        "se": [0.056243090269532905, 0.08113163685979563, 0.08765505422582627,
               0.11657638046891763, 0.08515844457350179, 0.10351604365106602,
               0.1197866003981913, 0.11579926176701968],
        "beta": [1.3245652048766794, 0.879933704582498, 0.6312766424950937,
                 -0.8580988119317601, 0.8604849835070496],
    },
    # the defaults: 20 Newton cycles, then the joint L-BFGS polish
    (20, 1e-12): {
        "n_iter": 144,
        "loglik": -543.4861975379799,
        "theta": [-0.8987467801937865, -0.8480753948099643, -0.5653253069013563,
                  -0.2472142765860933, 0.14521080843079426, 0.5595118634603466,
                  0.7187492266488351, 1.1358964944608527],
        "se": [0.05618606409391727, 0.08113140053389788, 0.08765467843053444,
               0.11657567133814464, 0.08515778377824079, 0.10351497660108276,
               0.11978564077973836, 0.11579769286885458],
        "beta": [1.3226848764602257, 0.8780472593172644, 0.6293931029809192,
                 -0.8600131965841905, 0.8586246251107296],
    },
}


@pytest.mark.parametrize(("n_warmup", "tol"), list(_WF_BEFORE))
def test_wordfish_unchanged_by_the_newton_helper(n_warmup, tol):
    y, _ = _wf_data(seed=1)
    wf = al.Wordfish(n_warmup=n_warmup, tol=tol).fit(y)
    before = _WF_BEFORE[n_warmup, tol]
    assert wf.converged_ and wf.n_iter_ == before["n_iter"]
    assert wf.loglik_ == pytest.approx(before["loglik"], rel=1e-12)
    # the recorded positions, identified as Slapin & Proksch (mean 0, sd 1; issue 11.10)
    theta = np.array(before["theta"])
    scl = theta.std(ddof=1)
    assert wf.theta_scale_ == pytest.approx(scl, rel=1e-9)
    np.testing.assert_allclose(wf.theta_, (theta - theta.mean()) / scl, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(wf.se_theta_, np.array(before["se"]) / scl, rtol=1e-9)
    np.testing.assert_allclose(wf.beta_[:5], np.array(before["beta"]) * scl, rtol=1e-9)


def test_wordfish_theta_is_standardised_and_oriented_by_dir():
    """Old code: theta had the penalised fit's spread (sd about 0.90 here), not 1."""
    y, true_theta = _wf_data(seed=4, n=9, v=60)
    ids = [f"S{i}" for i in range(9)]
    dtm = DocTermMatrix.from_unsorted(sp.csr_matrix(y), ids, [f"w{j:02d}" for j in range(60)])
    right = al.Wordfish(dir=("S0", "S8")).fit(dtm)
    left = al.Wordfish(dir=("S8", "S0")).fit(dtm)
    for wf in (right, left):
        assert wf.theta_.mean() == pytest.approx(0, abs=1e-12)
        assert wf.theta_.std(ddof=1) == pytest.approx(1, rel=1e-12)
    t_right = right.score_table().set_index("doc_id")["theta"]
    assert t_right["S0"] < t_right["S8"]
    np.testing.assert_allclose(left.theta_, -right.theta_, atol=1e-12)
    assert np.corrcoef(right.theta_, true_theta)[0, 1] > 0.9
    # every fitted rate is unchanged by the standardisation and the flip
    eta_r = right.alpha_[:, None] + right.psi_[None] + right.theta_[:, None] * right.beta_[None]
    eta_l = left.alpha_[:, None] + left.psi_[None] + left.theta_[:, None] * left.beta_[None]
    np.testing.assert_allclose(eta_r, eta_l, atol=1e-9)
    raw_theta = right.theta_location_ + right.theta_scale_ * right.theta_
    assert raw_theta.std(ddof=1) == pytest.approx(right.theta_scale_)
    with pytest.raises(ValueError, match="same document twice"):
        al.Wordfish(dir=("S1", "S1")).fit(dtm)

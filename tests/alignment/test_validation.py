"""Tests for toolkit.alignment.validation: joins with external dyads, vertex bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import alignment as al
from toolkit.alignment.validation import _actor_boot_corr


def _panel_and_votes():
    rng = np.random.default_rng(0)
    actors = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "EU"]
    rows, votes = [], []
    for year in range(1988, 2003):
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                s = rng.uniform()
                rows.append({"actor_a": a, "actor_b": b, "period": year, "similarity": s})
                if "EU" in (a, b):
                    continue
                if year == 2002:
                    continue  # external data stop in 2001
                # write half the dyads in reversed order
                x, y = (b, a) if rng.uniform() < 0.5 else (a, b)
                votes.append(
                    {
                        "actor_a": x,
                        "actor_b": y,
                        "year": year,
                        "agreement": 0.5 * s + rng.normal(0, 0.1),
                        "n_votes": 50,
                    }
                )
    votes.append({"actor_a": "AAA", "actor_b": "YUG", "year": 1990, "agreement": 0.3, "n_votes": 9})
    return pd.DataFrame(rows), pd.DataFrame(votes)


def test_join_dyads_normalises_order_and_explains_misses():
    panel, votes = _panel_and_votes()
    joined, unmatched = al.join_dyads(panel, votes)
    assert len(joined) == 28 * 14
    assert (joined["actor_a"] < joined["actor_b"]).all()
    reasons = dict(
        zip(unmatched["side"] + ": " + unmatched["reason"], unmatched["n_rows"], strict=True)
    )
    assert reasons["panel: actor code not in the external data: ['EU']"] == 8 * 15
    assert reasons["panel: year not covered by the external data"] == 28
    assert reasons["external: actor code not in the text panel: ['YUG']"] == 1


def test_validate_against_by_decade():
    panel, votes = _panel_and_votes()
    val = al.validate_against(panel, votes, n_boot=200, random_state=0)
    assert val["decade"].tolist() == ["1980", "1990", "2000", "all"]
    allrow = val.set_index("decade").loc["all"]
    assert allrow["n_dyad_years"] == 28 * 14
    joined, _ = al.join_dyads(panel, votes)
    exp = np.corrcoef(joined["similarity"], joined["agreement"])[0, 1]
    assert allrow["pooled_pearson"] == pytest.approx(exp)
    demeaned = joined[["similarity", "agreement"]] - joined.groupby("year")[
        ["similarity", "agreement"]].transform("mean")
    assert allrow["pearson"] == pytest.approx(demeaned.corr().iloc[0, 1])
    assert allrow["pearson_ci_low"] < allrow["pearson"] < allrow["pearson_ci_high"]
    assert allrow["pooled_spearman"] == pytest.approx(
        joined[["similarity", "agreement"]].corr("spearman").iloc[0, 1]
    )
    ranks = joined.groupby("year")[["similarity", "agreement"]].rank()
    ranks -= ranks.groupby(joined["year"]).transform("mean")
    assert allrow["spearman"] == pytest.approx(ranks.corr().iloc[0, 1])
    assert allrow["qap_p"] < 0.01 and allrow["n_years_significant"] == 14
    assert "unmatched" in val.attrs
    assert allrow["first_year"] == 1988 and allrow["last_year"] == 2001
    assert val.set_index("decade").loc["1990", "last_year"] == 1999
    again = al.validate_against(panel, votes, n_boot=200, random_state=0)
    pd.testing.assert_frame_equal(val, again)
    summ = al.summarize_validation(val)
    per = val[val["decade"] != "all"]
    assert summ["n_decades"] == 3 and summ["n_dyad_years"] == 28 * 14
    assert summ["high"] == pytest.approx(per["pearson"].max())
    assert summ["low_decade"] == per.loc[per["pearson"].idxmin(), "decade"]
    assert summ["n_positive"] == int((per["pearson_ci_low"] > 0).sum())
    assert summ["pooled"] == pytest.approx(allrow["pooled_pearson"])
    assert summ["overall"] == pytest.approx(allrow["pearson"])
    assert summ["overall_ci_low"] == pytest.approx(allrow["pearson_ci_low"])
    assert summ["qap_p"] == pytest.approx(allrow["qap_p"])
    assert summ["n_years_tested"] == 14 and summ["n_decades_qap"] == 3
    assert (summ["within"], summ["ci_method"], summ["n_boot"]) == ("year", "bca", 200)
    from toolkit.methods import methods_paragraph

    assert val.attrs["methods"] == ["within_year_correlation", "qap", "vertex_bootstrap", "bca"]
    text = methods_paragraph(val)
    assert "Krackhardt (1988)" in text and "Snijders & Borgatti (1999)" in text
    by_year = pd.DataFrame(val.attrs["by_year"])
    assert by_year["year"].tolist() == list(range(1988, 2002))
    assert (by_year["n_dyads"] == 28).all() and (by_year["n_actors"] == 8).all()
    j88 = joined[joined["year"] == 1988]
    assert by_year["pearson"].iloc[0] == pytest.approx(
        np.corrcoef(j88["similarity"], j88["agreement"])[0, 1])
    with pytest.raises(ValueError, match="no pooled 'all' row"):
        al.summarize_validation(per)
    with pytest.raises(ValueError, match="method='kendall'"):
        al.summarize_validation(val, method="kendall")


def test_actor_bootstrap_equals_weighted_pearson():
    rng = np.random.default_rng(0)
    n_act = 6
    a, b = np.triu_indices(n_act, 1)
    a, b = np.tile(a, 3), np.tile(b, 3)  # three years of every dyad
    x, y = rng.normal(size=len(a)), rng.normal(size=len(a))
    w = np.array([[2, 0, 1, 1, 2, 0], [1, 1, 1, 1, 1, 1]])

    class FixedDraws:
        def multinomial(self, n, p, size):
            return w

    got = _actor_boot_corr(a, b, x, y, n_act, n_boot=2, rng=FixedDraws())
    for k in range(2):
        wt = w[k][a] * w[k][b]
        mx, my = np.average(x, weights=wt), np.average(y, weights=wt)
        cov = np.sum(wt * (x - mx) * (y - my))
        exp = cov / np.sqrt(np.sum(wt * (x - mx) ** 2) * np.sum(wt * (y - my) ** 2))
        assert got[k] == pytest.approx(exp)
    assert got[1] == pytest.approx(np.corrcoef(x, y)[0, 1])


def test_validate_mismatched_periods():
    panel, votes = _panel_and_votes()
    with pytest.raises(ValueError, match="periods do not match"):
        al.validate_against(panel.assign(period=panel["period"] + 100), votes, n_boot=0)
    with pytest.raises(ValueError, match="cannot be read as years"):
        al.validate_against(panel.assign(period="1990s"), votes, n_boot=0)
    with pytest.raises(ValueError, match=r"no column\(s\) \['agreement'\]"):
        al.validate_against(panel, votes.drop(columns="agreement"), n_boot=0)


# ------------------------------------------------------------- within-year, QAP (issue 11.8)
def _shifted_years():
    """Four actors, three years: within each year similarity and agreement are exactly
    uncorrelated, but both move up together from year to year (a year-level shift)."""
    actors = ["AAA", "BBB", "CCC", "DDD"]
    dyads = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1:]]
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([1.0, -1.0, -1.0, -1.0, -1.0, 1.0])  # orthogonal to x - mean(x)
    assert np.dot(x - x.mean(), y - y.mean()) == 0
    panel, ext = [], []
    for k, year in enumerate((1990, 1991, 1992)):
        for (a, b), xi, yi in zip(dyads, x, y, strict=True):
            panel.append({"actor_a": a, "actor_b": b, "period": year,
                          "similarity": xi / 10 + k})
            ext.append({"actor_a": a, "actor_b": b, "year": year,
                        "agreement": yi / 10 + k})
    return pd.DataFrame(panel), pd.DataFrame(ext)


def test_within_year_demeaning_removes_a_planted_year_shift():
    panel, ext = _shifted_years()
    val = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=0, min_n=5)
    row = val.iloc[0]
    # pooled over years the shift makes the two measures look strongly related ...
    assert row["pooled_pearson"] > 0.9
    # ... within years they are exactly unrelated (the old code reported the pooled r)
    assert abs(row["pearson"]) < 1e-12
    avg = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=0, min_n=5,
                              within="average")
    assert abs(avg["pearson"].iloc[0]) < 1e-12
    old = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=0, min_n=5,
                              within="none")
    assert old["pearson"].iloc[0] == pytest.approx(row["pooled_pearson"])
    with pytest.raises(ValueError, match="within must be one of"):
        al.validate_against(panel, ext, within="decade")


def test_within_average_is_the_mean_of_yearly_correlations():
    panel, votes = _panel_and_votes()
    val = al.validate_against(panel, votes, by_decade=False, within="average", n_boot=0,
                              n_perm=0)
    joined, _ = al.join_dyads(panel, votes)
    per_year = [np.corrcoef(g["similarity"], g["agreement"])[0, 1]
                for _, g in joined.groupby("year")]
    assert val["pearson"].iloc[0] == pytest.approx(np.mean(per_year))


def _latent_dyads(n_actors, years, *, rho_signal, seed):
    """x and y from the distance between latent positions (+ noise); unrelated when 0."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n_actors)
    z_other = rng.normal(size=n_actors)
    names = [f"S{i:02d}" for i in range(n_actors)]
    i, j = np.triu_indices(n_actors, 1)
    panel, ext = [], []
    for year in years:
        d = (z[i] - z[j]) ** 2
        d_y = d if rho_signal else (z_other[i] - z_other[j]) ** 2
        x = -d + rng.normal(0, 1.0, len(i))
        y = -d_y + rng.normal(0, 1.0, len(i))
        for a, b, xi, yi in zip(i, j, x, y, strict=True):
            panel.append({"actor_a": names[a], "actor_b": names[b], "period": year,
                          "similarity": xi})
            ext.append({"actor_a": names[a], "actor_b": names[b], "year": year,
                        "agreement": yi})
    return pd.DataFrame(panel), pd.DataFrame(ext)


def test_qap_finds_a_planted_association_and_not_an_absent_one():
    panel, ext = _latent_dyads(12, [2000, 2001, 2002], rho_signal=True, seed=1)
    val = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=499,
                              random_state=0)
    assert val["qap_p"].iloc[0] == pytest.approx(1 / 500)
    assert (pd.DataFrame(val.attrs["by_year"])["qap_p"] < 0.05).all()
    # no association: over 40 data sets, p < 0.05 about 5% of the time (QAP is exact)
    ps = []
    for seed in range(40):
        panel, ext = _latent_dyads(10, [2000, 2001], rho_signal=False, seed=100 + seed)
        v = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=99,
                                random_state=seed)
        ps.append(v["qap_p"].iloc[0])
    ps = np.array(ps)
    assert (ps < 0.05).mean() <= 0.15 and np.median(ps) > 0.2


def test_qap_p_value_matches_full_enumeration():
    """Four actors have 24 relabellings: the Monte Carlo p-value approaches the exact one."""
    from itertools import permutations

    rng = np.random.default_rng(3)
    actors = ["AAA", "BBB", "CCC", "DDD"]
    i, j = np.triu_indices(4, 1)
    x = rng.normal(size=6)
    y = x + rng.normal(0, 1.5, size=6)
    panel = pd.DataFrame({"actor_a": [actors[k] for k in i], "actor_b": [actors[k] for k in j],
                          "period": 2000, "similarity": x})
    ext = pd.DataFrame({"actor_a": [actors[k] for k in i], "actor_b": [actors[k] for k in j],
                        "year": 2000, "agreement": y})
    ym = np.zeros((4, 4))
    ym[i, j] = ym[j, i] = y
    r = np.corrcoef(x, y)[0, 1]
    perm_r = [np.corrcoef(x, ym[np.ix_(p, p)][i, j])[0, 1] for p in permutations(range(4))]
    exact = np.mean(np.abs(perm_r) >= abs(r) - 1e-12)
    val = al.validate_against(panel, ext, by_decade=False, n_boot=0, n_perm=20_000,
                              min_n=5, random_state=0)
    assert val["qap_p"].iloc[0] == pytest.approx(exact, abs=0.01)
    assert val.attrs["by_year"][0]["qap_p"] == pytest.approx(val["qap_p"].iloc[0])


def test_induced_permutations_are_uniform_and_coherent():
    from toolkit.alignment.validation import _induced_permutations

    rng = np.random.default_rng(0)
    sigma = rng.permuted(np.tile(np.arange(6), (30_000, 1)), axis=1)
    members = np.array([0, 2, 3, 5])
    local = _induced_permutations(sigma, members)
    assert (np.sort(local, axis=1) == np.arange(4)).all()  # permutations of the members
    _, counts = np.unique(local, axis=0, return_counts=True)
    assert len(counts) == 24 and counts.min() > 0.85 * 30_000 / 24
    # a member whose image under sigma is also a member keeps that image
    direct = np.isin(sigma[:, members], members)
    assert (members[local][direct] == sigma[:, members][direct]).all()
    assert (_induced_permutations(sigma, np.arange(6)) == sigma).all()


def test_vertex_bootstrap_within_years_equals_weighted_demeaned_pearson():
    rng = np.random.default_rng(1)
    n_act = 5
    a, b = np.triu_indices(n_act, 1)
    years = np.repeat([0, 1], len(a))
    a, b = np.tile(a, 2), np.tile(b, 2)
    x, y = rng.normal(size=len(a)) + years, rng.normal(size=len(a)) - 2 * years
    w = np.array([[2, 0, 1, 1, 1]])

    class FixedDraws:
        def multinomial(self, n, p, size):
            return w

    got = _actor_boot_corr(a, b, x, y, n_act, n_boot=1, rng=FixedDraws(), years=years,
                           within="year")
    wt = (w[0][a] * w[0][b]).astype(float)
    cx, cy = x.copy(), y.copy()
    for t in (0, 1):
        m = years == t
        cx[m] -= np.average(x[m], weights=wt[m])
        cy[m] -= np.average(y[m], weights=wt[m])
    exp = np.sum(wt * cx * cy) / np.sqrt(np.sum(wt * cx**2) * np.sum(wt * cy**2))
    assert got[0] == pytest.approx(exp)


def test_interval_methods_and_options():
    panel, votes = _panel_and_votes()
    kw = dict(by_decade=False, n_boot=300, n_perm=0, random_state=4)
    bca = al.validate_against(panel, votes, **kw).iloc[0]
    pct = al.validate_against(panel, votes, ci_method="percentile", **kw).iloc[0]
    basic = al.validate_against(panel, votes, ci_method="basic", **kw).iloc[0]
    assert bca["pearson"] == pct["pearson"] == basic["pearson"]
    # the same draws: basic is the percentile interval reflected about the estimate
    assert basic["pearson_ci_low"] == pytest.approx(
        2 * pct["pearson"] - pct["pearson_ci_high"])
    assert bca["pearson_ci_low"] != pct["pearson_ci_low"]
    assert np.isnan(bca["qap_p"]) and bca["n_years_tested"] == 0
    with pytest.raises(ValueError, match="ci_method must be one of"):
        al.validate_against(panel, votes, ci_method="centered")
    with pytest.raises(ValueError, match="n_perm must be >= 0"):
        al.validate_against(panel, votes, n_perm=-1)

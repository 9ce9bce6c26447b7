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
    assert allrow["pearson"] == pytest.approx(exp)
    assert allrow["pearson_ci_low"] < allrow["pearson"] < allrow["pearson_ci_high"]
    assert allrow["spearman"] == pytest.approx(
        joined[["similarity", "agreement"]].corr("spearman").iloc[0, 1]
    )
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
    assert summ["pooled"] == pytest.approx(allrow["pearson"])
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

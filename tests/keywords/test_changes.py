"""Tests for toolkit.keywords.changes: change points (PELT, block permutation, Holm/BH).

Planted shifts are found at their place; a pure linear trend is not reported as a
significant shift (the old binary segmentation with exchangeable years did report it);
the multiplicity correction is checked by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import keywords as kw
from toolkit import uncertainty


def _series(values, group="G", tokens=None, category="c"):
    out = pd.DataFrame({"group": group, "period": range(2000, 2000 + len(values)),
                        "category": category, "rate_per_10k": values})
    if tokens is not None:
        out["n_tokens"] = tokens
    return out


def _significant(out: pd.DataFrame) -> pd.DataFrame:
    """The rows reported as significant shifts (every row of the old code was one)."""
    return out[out["significant"]] if "significant" in out.columns else out


def test_change_points_finds_a_step_and_not_noise():
    rng = np.random.default_rng(0)
    step = np.r_[rng.normal(1, 0.1, 12), rng.normal(3, 0.1, 10)]
    flat = rng.normal(1, 0.1, 22)
    trends = pd.concat([_series(step, "step"), _series(flat, "flat")])
    out = kw.change_points(trends, random_state=1, max_changes=1)
    sig = _significant(out)
    assert sig["group"].tolist() == ["step"]
    row = sig.iloc[0]
    assert row["period"] == 2012 and row["p_value"] < 0.01 and row["shift"] > 1.5
    assert row["jump"] == pytest.approx(2.0, abs=0.3)
    again = kw.change_points(trends, random_state=1, max_changes=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="Pass the output of keyword_trends"):
        kw.change_points(trends.drop(columns="category"))


def test_two_planted_shifts_on_a_trend_are_found_at_their_place():
    rng = np.random.default_rng(3)
    n = 45
    t = np.arange(n)
    y = 2 + 0.05 * t + 1.5 * (t >= 15) - 2.0 * (t >= 30) + rng.normal(0, 0.2, n)
    out = kw.change_points(_series(y), random_state=0)
    sig = _significant(out)
    assert sig["period"].tolist() == [2015, 2030]
    assert sig["jump"].to_numpy() == pytest.approx([1.5, -2.0], abs=0.3)
    assert sig["slope_before"].to_numpy() == pytest.approx([0.05, 0.05], abs=0.03)
    assert (sig["p_adjusted"] < 0.01).all()


def test_a_pure_linear_trend_is_not_a_shift_in_95_percent_of_200_seeds():
    """Fails on the old code (binary segmentation, years exchangeable: a drift is cut
    into 'shifts' with p = 0.001 in every seed)."""
    reported = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        y = 1 + 0.1 * np.arange(20) + rng.normal(0, 0.3, 20)
        out = kw.change_points(_series(y), random_state=seed)
        reported += len(_significant(out)) > 0
    assert reported <= 10, f"{reported} of 200 linear trends reported as shifts"


def test_holm_and_bh_across_the_series_of_one_call_by_hand():
    rng = np.random.default_rng(5)
    big = np.r_[rng.normal(1, 0.2, 15), rng.normal(4, 0.2, 15)]
    mid = np.r_[rng.normal(1, 0.5, 15), rng.normal(3, 0.5, 15)]
    stairs = np.r_[rng.normal(1, 0.3, 12), rng.normal(2.5, 0.3, 12), rng.normal(1.2, 0.3, 12)]
    flat = rng.normal(1, 0.5, 30)
    trends = pd.concat([_series(big, "big"), _series(mid, "mid"), _series(stairs, "stairs"),
                        _series(flat, "flat")])
    holm = kw.change_points(trends, random_state=2)
    p = holm["p_value"].to_numpy()
    m = len(p)
    assert m >= 2
    order = np.argsort(p, kind="stable")
    by_hand = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        by_hand[i] = running
    np.testing.assert_allclose(holm["p_adjusted"], by_hand)
    assert (holm["significant"] == (holm["p_adjusted"] < 0.05)).all()
    bh = kw.change_points(trends, random_state=2, correction="bh")
    np.testing.assert_allclose(bh["p_value"], p)
    by_hand_bh = np.empty(m)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, m * p[i] / (rank + 1))
        by_hand_bh[i] = running
    np.testing.assert_allclose(bh["p_adjusted"], by_hand_bh)
    none = kw.change_points(trends, random_state=2, correction="none")
    np.testing.assert_allclose(none["p_adjusted"], p)
    assert holm.attrs["methods"] == ["pelt", "block_permutation", "holm"]
    assert all(k in uncertainty.METHODS for k in holm.attrs["methods"])
    # the planted shifts survive; Holm never adjusts below the raw p
    assert _significant(holm)[["group", "period"]].values.tolist() == [
        ["big", 2015], ["mid", 2015], ["stairs", 2012], ["stairs", 2024]]
    assert (holm["p_adjusted"] >= holm["p_value"]).all()


def test_adjust_pvalues_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    # Holm: sorted .005 .01 .03 .04 times 4 3 2 1 -> .02 .03 .06 .04 -> running max
    np.testing.assert_allclose(uncertainty.adjust_pvalues(p),
                               [0.03, 0.06, 0.06, 0.02, np.nan])
    # BH: m p / rank = .02 .02 .04 .04 -> running min from the top
    np.testing.assert_allclose(uncertainty.adjust_pvalues(p, method="bh"),
                               [0.02, 0.04, 0.04, 0.02, np.nan])
    assert uncertainty.adjust_pvalues([]).shape == (0,)


def test_weights_are_the_tokens_and_means_are_pooled_rates():
    """Poisson counts, rate 1 then 3 per 10k, 50k-150k tokens a period: the shift is found
    at its place in most seeds, and the segment means are the pooled rates."""
    found = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        tokens = rng.integers(50_000, 150_000, 30)
        counts = rng.poisson(np.r_[np.full(15, 1.0), np.full(15, 3.0)] * tokens / 1e4)
        trends = _series(counts / tokens * 1e4, tokens=tokens)
        out = kw.change_points(trends, random_state=0)
        sig = _significant(out)
        if (sig["period"] == 2015).any():
            found.append((counts, tokens, sig[sig["period"] == 2015].iloc[0]))
    assert len(found) >= 12
    counts, tokens, row = found[0]
    b, e = 15 - row["n_before"], 15 + row["n_after"]
    assert row["mean_before"] == pytest.approx(counts[b:15].sum() / tokens[b:15].sum() * 1e4)
    assert row["mean_after"] == pytest.approx(counts[15:e].sum() / tokens[15:e].sum() * 1e4)
    assert out.attrs["weight"] == "n_tokens"
    assert kw.change_points(trends, random_state=0, weight=None).attrs["weight"] is None


def test_models_and_a_drift_cut_into_steps():
    """model="mean" (the old model) cuts a steady drift into steps; "shift" does not."""
    steps = {"mean": 0, "shift": 0}
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = 1 + 0.2 * np.arange(30) + rng.normal(0, 0.2, 30)
        for model in steps:
            out = kw.change_points(_series(y), model=model, random_state=seed)
            steps[model] += len(_significant(out)) > 0
    assert steps["mean"] >= 18 and steps["shift"] <= 2
    rng = np.random.default_rng(2)
    kink = np.r_[np.linspace(1, 3, 15), np.linspace(3, 0, 15)] + rng.normal(0, 0.1, 30)
    lin = _significant(kw.change_points(_series(kink), model="linear", random_state=0))
    assert len(lin) == 1 and abs(lin["period"].iloc[0] - 2015) <= 1
    assert lin["slope_before"].iloc[0] > 0 > lin["slope_after"].iloc[0]


def test_seeded_tidy_and_checked():
    rng = np.random.default_rng(4)
    trends = pd.concat([
        _series(np.r_[rng.normal(0, 1, 10), rng.normal(4, 1, 10)], "a"),
        _series(rng.normal(0, 1, 4), "short"),  # too short to split: no row
    ])
    a = kw.change_points(trends, random_state=9)
    b = kw.change_points(trends, random_state=9)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == [
        "group", "category", "period", "mean_before", "mean_after", "shift", "jump",
        "slope_before", "slope_after", "n_before", "n_after", "statistic", "p_series",
        "p_value", "p_adjusted", "significant", "block_length"]
    assert "short" not in set(a["group"])
    empty = kw.change_points(_series(np.ones(10)), random_state=0)
    assert empty.empty and list(empty.columns) == list(a.columns)
    with pytest.raises(ValueError, match=r"model must be one of.*Did you mean 'shift'"):
        kw.change_points(trends, model="shfit")
    with pytest.raises(ValueError, match="correction must be one of"):
        kw.change_points(trends, correction="bonferroni")
    with pytest.raises(ValueError, match="min_size must be >= 3"):
        kw.change_points(trends, model="linear", min_size=2)
    with pytest.raises(ValueError, match="penalty must be 'bic' or a positive number"):
        kw.change_points(trends, penalty=-1)
    with pytest.raises(ValueError, match=r"has no column\(s\) \['docs'\]"):
        kw.change_points(trends, weight="docs")


def test_describe_changes_reports_only_significant_breaks_and_branches():
    rng = np.random.default_rng(0)
    step = _series(np.r_[rng.normal(1, 0.1, 12), rng.normal(3, 0.1, 10)])
    step.attrs["period"] = "year"
    out = kw.change_points(step, random_state=1)
    assert out.attrs["period"] == "year"
    r = out[out["significant"]].iloc[0]
    assert kw.describe_changes(out, label="the yearly rate") == (
        "The yearly rate shifts in level once at Holm-adjusted block-permutation p < 0.05: "
        f"in 2012 by {r['jump']:+.2f} per 10,000 tokens (adjusted p = {r['p_adjusted']:.2g})."
        " PELT proposed 1 break in all.")
    assert kw.describe_changes(out, caption=True).startswith("a dashed line marks the one")
    # breaks proposed (a low penalty) but none significant: said plainly, with the smallest p
    flat = kw.change_points(_series(rng.normal(1, 0.1, 22)), random_state=1, penalty=0.5,
                            correction="bh", alpha=0.01)
    assert len(flat) > 0 and not flat["significant"].any()
    text = kw.describe_changes(flat, label="x")
    assert text.startswith(f"No significant level shift in x: PELT proposed {len(flat)} break")
    assert f"smallest Benjamini-Hochberg-adjusted p = {flat['p_adjusted'].min():.2g}" in text
    assert text.endswith("significant below 0.01).")
    assert kw.describe_changes(flat, caption=True).startswith("no dashed line")
    none = kw.change_points(_series(np.ones(10)), random_state=0)
    assert kw.describe_changes(none, label="x") == (
        "No level shift in x: PELT proposed no break (1 series searched).")

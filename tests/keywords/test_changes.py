"""Tests for toolkit.keywords.changes: change points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import keywords as kw


def _series(values, group="G"):
    return pd.DataFrame({"group": group, "period": range(2000, 2000 + len(values)),
                         "category": "c", "rate_per_10k": values})


def test_change_points_finds_a_step_and_not_noise():
    rng = np.random.default_rng(0)
    step = np.r_[rng.normal(1, 0.1, 12), rng.normal(3, 0.1, 10)]
    flat = rng.normal(1, 0.1, 22)
    trends = pd.concat([_series(step, "step"), _series(flat, "flat")])
    out = kw.change_points(trends, random_state=1, max_changes=1)
    assert out["group"].tolist() == ["step"]
    row = out.iloc[0]
    assert row["period"] == 2012 and row["p_value"] < 0.01 and row["shift"] > 1.5
    again = kw.change_points(trends, random_state=1, max_changes=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="pass the output of keyword_trends"):
        kw.change_points(trends.drop(columns="category"))

"""Change points: where the mean level of a trend shifts, by binary segmentation.

:func:`change_points` reads a :func:`~toolkit.keywords.keyword_trends` table and tests each
split of a group's series with a permutation test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["change_points"]


def _best_split(y: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """SSE reduction of a two-mean model at every admissible split: (k, reduction).

    ``y`` is one series (n,) or a stack of them (..., n); ``reduction`` has one value per
    split ``k`` (the size of the left segment) along the last axis.
    """
    n = y.shape[-1]
    cs = np.cumsum(y, axis=-1)
    total = cs[..., -1:]
    k = np.arange(min_size, n - min_size + 1)
    left = cs[..., k - 1]
    right = total - left
    # SSE reduction = n_l * n_r / n * (mean_l - mean_r)^2
    red = (k * (n - k) / n) * (left / k - right / (n - k)) ** 2
    return k, red


def change_points(
    trends: pd.DataFrame,
    *,
    value: str = "rate_per_10k",
    groups: Sequence[Any] | None = None,
    categories: Sequence[str] | None = None,
    max_changes: int = 3,
    min_size: int = 3,
    alpha: float = 0.05,
    n_perm: int = 999,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Find where a series' mean level shifts: binary segmentation with a permutation test.

    Method: for a series y_1..y_n (a group's ``value`` over its periods, NaNs dropped) the
    best single split k maximises the between-segment sum of squares
    ``k(n-k)/n * (mean(y[:k]) - mean(y[k:]))**2`` (each segment at least ``min_size``
    points). Its p-value is the share of ``n_perm`` random permutations of y whose best
    split scores at least as high (plus one, over ``n_perm + 1``). A significant split
    (p < ``alpha``) is kept and both segments are searched again, up to ``max_changes``.

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`keyword_trends` (``group``, ``period``, ``category``, ``value``).
    value : str, default="rate_per_10k"
    groups, categories : sequence or None, default=None
        Restrict to these; None means all.
    max_changes : int, default=3
    min_size : int, default=3
        Minimum number of periods in a segment.
    alpha : float, default=0.05
        Significance level of each split (not corrected for the repeated search).
    n_perm : int, default=999
    random_state : int, Generator or None, default=None

    Returns
    -------
    DataFrame
        One row per change: ``group``, ``category``, ``period`` (first period after the
        change), ``mean_before``, ``mean_after``, ``shift``, ``p_value``, ``n_before``,
        ``n_after`` (periods in the two segments that were split).
    """
    need = ["group", "period", "category", value]
    missing = [c for c in need if c not in trends.columns]
    if missing:
        raise ValueError(
            f"trends lacks {missing}; pass the output of keyword_trends. It has "
            f"{list(trends.columns)}."
        )
    rng = np.random.default_rng(random_state)
    df = trends
    if groups is not None:
        df = df[df["group"].isin(list(groups))]
    if categories is not None:
        df = df[df["category"].isin(list(categories))]
    rows = []
    for (g, c), sub in df.groupby(["group", "category"], sort=True):
        sub = sub.dropna(subset=[value]).sort_values("period")
        y_all = sub[value].to_numpy(float)
        periods = sub["period"].to_numpy()
        segments = [(0, len(y_all))]
        found = 0
        while segments and found < max_changes:
            lo, hi = segments.pop(0)
            y = y_all[lo:hi]
            if len(y) < 2 * min_size or np.ptp(y) == 0:
                continue
            k, red = _best_split(y, min_size)
            best = int(np.argmax(red))
            stat = red[best]
            perm = rng.permuted(np.broadcast_to(y, (n_perm, len(y))), axis=1)
            _, pred = _best_split(perm, min_size)
            p = (1 + np.sum(pred.max(axis=1) >= stat - 1e-12)) / (n_perm + 1)
            if p >= alpha:
                continue
            split = lo + int(k[best])
            rows.append(
                {
                    "group": g,
                    "category": c,
                    "period": periods[split],
                    "mean_before": float(y_all[lo:split].mean()),
                    "mean_after": float(y_all[split:hi].mean()),
                    "shift": float(y_all[split:hi].mean() - y_all[lo:split].mean()),
                    "p_value": float(p),
                    "n_before": split - lo,
                    "n_after": hi - split,
                }
            )
            found += 1
            segments += [(lo, split), (split, hi)]
    cols = ["group", "category", "period", "mean_before", "mean_after", "shift", "p_value",
            "n_before", "n_after"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["group", "category", "period"], kind="stable").reset_index(drop=True)

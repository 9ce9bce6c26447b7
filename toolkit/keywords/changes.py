"""Change points: where a trend's level shifts, by a penalised segmentation.

:func:`change_points` reads a :func:`~toolkit.keywords.keyword_trends` table. For each
(group, category) series it finds level shifts on a common trend with PELT (Killick,
Fearnhead & Eckley 2012) from the ``ruptures`` package, on a precision-weighted
least-squares cost with a BIC-type penalty; tests every break with circular block
permutations of the residuals of a no-break fit; and corrects the p-values across all the
breaks tested in the call (Holm by default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_int, check_option, require_columns
from toolkit.periods import period_label
from toolkit.uncertainty import adjust_pvalues

__all__ = ["change_points", "describe_changes"]

_MODELS = {"shift": 2, "linear": 2, "mean": 1}  # coefficients per segment in PELT
_CORRECTIONS = ("holm", "bh", "none")


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
    model: str = "shift",
    weight: str | None = "n_tokens",
    penalty: str | float = "bic",
    block_length: int | None = None,
    correction: str = "holm",
) -> pd.DataFrame:
    """Find where a series' level shifts: PELT with a BIC penalty, block-permutation p-values.

    Method, for each (group, category) series y_1..y_n (``value`` over the sorted periods,
    NaNs and zero weights dropped):

    1. **Model.** ``model="shift"`` (default): a break is a shift in level on a linear
       trend, ``y_t = a + b t + d 1[t >= tau] + e_t`` between neighbouring breaks (Perron
       1989, *Econometrica* 57(6), 1361-1401, the "crash" model), so a steady drift is no
       break. ``"linear"``: a break changes the level and/or the slope of the line.
       ``"mean"``: a break changes a constant mean (the model before issue 11: a drift is
       then cut into steps). Fits are weighted least squares with the precision of each
       rate as the weight: ``weight`` (default the period's tokens, since the variance of
       a rate per token is proportional to 1/tokens), normalised to mean 1; the cost of a
       segment is the residual sum of squares of ``sqrt(w) y`` on ``sqrt(w) X``.
    2. **Segmentation.** PELT (Killick, Fearnhead & Eckley 2012, *JASA* 107(500),
       1590-1598) from ``ruptures`` (Truong, Oudre & Vayatis 2020, *Signal Processing*
       167, 107299) proposes the breaks of a line per segment (``"shift"``,
       ``"linear"``) or a constant (``"mean"``), with the penalty
       ``(p + 1) log(n) sigma^2`` per break, ``p`` the coefficients per segment (BIC:
       Schwarz 1978, *Annals of Statistics* 6(2), 461-464; Yao 1988, *Statistics &
       Probability Letters* 6(3), 181-189) and ``sigma`` the MAD of the weight-scaled
       first differences (robust to the breaks and, through the median, to a trend).
       Segments have at least ``min_size`` periods; with more than ``max_changes``
       breaks the best segmentation with ``max_changes`` breaks (``ruptures.Dynp``) is
       kept.
    3. **Test of each break.** Between its neighbouring breaks (m periods), the statistic
       is the largest share of the no-break residual sum of squares that one break
       removes, ``max_k (SSE_none - SSE_k) / SSE_none`` (a sup-F type statistic, Andrews
       1993, *Econometrica* 61(4), 821-856; the maximum over k accounts for the search).
       Its null distribution comes from ``n_perm`` circular block permutations of the
       residuals of the no-break fit added back to its fitted values (Freedman & Lane
       1983, *J. Business & Economic Statistics* 1(4), 292-298), so the null keeps the
       trend: the residuals are rotated by a random offset, cut into blocks of
       ``block_length`` periods and the blocks shuffled (Politis & Romano 1992, in
       *Exploring the Limits of Bootstrap*, Wiley, 263-270); the default length
       ``max(2, round(m ** (1/4)))`` is the order Hall, Horowitz & Jing (1995,
       *Biometrika* 82(3), 561-574) give for one-sided distributions.
       ``p = (1 + #{permuted >= observed}) / (n_perm + 1)``. The whole series is tested
       the same way (``p_series``) and a break's ``p_value`` is the larger of its own
       and the series' p, so a series whose no-break null stands reports no shift.
    4. **Multiplicity.** The p-values of every break of every series in the call are
       adjusted together (``correction``: Holm 1979, *Scandinavian Journal of
       Statistics* 6(2), 65-70, the family-wise error, or ``"bh"``, Benjamini & Hochberg
       1995, *JRSS B* 57(1), 289-300, the false discovery rate); a break is
       ``significant`` when its adjusted p is below ``alpha``.

    The tests condition on the breaks PELT proposed, and the blocks keep serial
    dependence only within them. A curved (not linear) drift can still look like shifts;
    ``tests/keywords/test_changes.py`` checks that a pure linear trend is reported as a
    significant shift in fewer than 5% of 200 simulated series.

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`keyword_trends` (``group``, ``period``, ``category``, ``value``
        and, for the weights, ``n_tokens``).
    value : str, default="rate_per_10k"
        Column of the series.
    groups, categories : sequence or None, default=None
        Restrict to these; None means all.
    max_changes : int, default=3
        Most breaks kept per series.
    min_size : int, default=3
        Fewest periods in a segment (at least 3 with lines, 2 for ``model="mean"``).
    alpha : float, default=0.05
        Level of the adjusted p-values for ``significant``.
    n_perm : int, default=999
        Block permutations per test.
    random_state : int, Generator or None, default=None
        Seed of the permutations; the same seed gives identical p-values.
    model : {"shift", "linear", "mean"}, default="shift"
        What changes at a break (step 1).
    weight : str or None, default="n_tokens"
        Column of precision weights; None (or a table without ``n_tokens`` when left at
        the default) weighs every period equally.
    penalty : "bic" or float, default="bic"
        The penalty per break in units of ``sigma^2``; ``"bic"`` is ``(p + 1) log(n)``.
    block_length : int or None, default=None
        Block length of the permutations; None uses the rule in step 3.
    correction : {"holm", "bh", "none"}, default="holm"
        Adjustment across the breaks tested in the call.

    Returns
    -------
    DataFrame
        One row per break PELT found (significant or not), sorted by group, category and
        period: ``group``, ``category``, ``period`` (first period after the break),
        ``mean_before`` and ``mean_after`` (weighted means of the segments either side:
        the pooled rate of each when the weights are tokens), ``shift``
        (``mean_after - mean_before``), ``jump`` (the fitted change in level at the
        break; equals ``shift`` for ``"mean"``), ``slope_before``, ``slope_after`` (per
        unit of period; equal for ``"shift"``, NaN for ``"mean"``), ``n_before``,
        ``n_after`` (periods either side, up to the neighbouring breaks),
        ``statistic``, ``p_series``, ``p_value``, ``p_adjusted``, ``significant``,
        ``block_length``. ``attrs`` record the settings, the ``period`` of the trends
        table and ``methods`` (keys of :data:`toolkit.uncertainty.METHODS`).
    """
    need = ["group", "period", "category", value]
    require_columns(trends, need, what="change_points",
                    hint="Pass the output of keyword_trends.")
    model = check_option("model", model, tuple(_MODELS))
    correction = check_option("correction", correction, _CORRECTIONS)
    n_coef = _MODELS[model]
    min_size = check_int("min_size", min_size, min_value=n_coef + 1)
    max_changes = check_int("max_changes", max_changes, min_value=1)
    n_perm = check_int("n_perm", n_perm, min_value=1)
    if block_length is not None:
        block_length = check_int("block_length", block_length, min_value=1)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}.")
    if weight is not None and weight not in trends.columns:
        if weight != "n_tokens":
            require_columns(trends, [weight], what="change_points (weight=)")
        weight = None
    pen_mult = _penalty(penalty, n_coef)
    rng = np.random.default_rng(random_state)
    df = trends
    if groups is not None:
        df = df[df["group"].isin(list(groups))]
    if categories is not None:
        df = df[df["category"].isin(list(categories))]
    rows = []
    for (g, c), sub in df.groupby(["group", "category"], sort=True):
        y, w, t, periods = _series(sub, value, weight)
        for row in _series_breaks(y, w, t, model=model, min_size=min_size,
                                  max_changes=max_changes, pen_mult=pen_mult, n_perm=n_perm,
                                  block_length=block_length, rng=rng):
            rows.append({"group": g, "category": c, "period": periods[row.pop("at")], **row})
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(float), method=correction)
    out["significant"] = out["p_adjusted"] < alpha
    out = out.sort_values(["group", "category", "period"], kind="stable").reset_index(drop=True)
    out.attrs = {
        "model": model, "weight": weight, "penalty": penalty, "min_size": min_size,
        "max_changes": max_changes, "n_perm": n_perm, "block_length": block_length,
        "correction": correction, "alpha": alpha, "value": value,
        "n_series": int(df.groupby(["group", "category"]).ngroups),
        "period": trends.attrs.get("period"),
        "methods": ["pelt", "block_permutation"] + ([correction] if correction != "none"
                                                     else []),
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "gen",
    }
    return out


_ADJUSTED = {"holm": "Holm-adjusted", "bh": "Benjamini-Hochberg-adjusted",
             "none": "unadjusted"}


def _breaks(n: int) -> str:
    return f"{n} break" + ("" if n == 1 else "s")


def describe_changes(
    changes: pd.DataFrame, *, label: str = "the series", digits: int = 2,
    caption: bool = False,
) -> str:
    """What a :func:`change_points` table says, as a sentence that branches on the result.

    Only ``significant`` rows are reported as shifts, with their ``jump`` (the fitted
    change in level at the break) and ``p_adjusted``. When none is significant it says so
    plainly, with the number of breaks PELT proposed and the smallest adjusted p. The
    correction, ``alpha`` and units come from the table's ``attrs``.

    Parameters
    ----------
    changes : DataFrame
        Output of :func:`change_points`.
    label : str, default="the series"
        What the series is, for the sentence (e.g. "the yearly rate of arms transfers").
        With several series in the table, each break also names its group and category.
    digits : int, default=2
        Decimals of the jumps.
    caption : bool, default=False
        Return the clause a figure caption needs ("dashed lines mark ..." or "no dashed
        line: ...") instead of the finding.

    Returns
    -------
    str
        E.g. "No significant level shift in the yearly rate of X: PELT proposed 2 breaks
        (in 1956, 1990), smallest Holm-adjusted p = 0.21 (block permutation; significant
        below 0.05)."
    """
    require_columns(changes, ["group", "category", "period", "jump", "p_adjusted",
                              "significant"], what="describe_changes",
                    hint="Pass the output of change_points.")
    check_int("digits", digits, min_value=0)
    a = changes.attrs
    adjusted = _ADJUSTED.get(a.get("correction", "holm"), "adjusted")
    alpha = float(a.get("alpha", 0.05))
    test = f"{adjusted} block-permutation p < {alpha:g}"
    unit = " per 10,000 tokens" if a.get("value", "rate_per_10k") == "rate_per_10k" else ""
    many = changes[["group", "category"]].drop_duplicates().shape[0] > 1

    def where(row: Any) -> str:
        at = (period_label(row.period, a["period"]) if a.get("period") is not None
              else str(row.period))
        return f"{row.group}, {row.category}, in {at}" if many else f"in {at}"

    sig = changes[changes["significant"].astype(bool)]
    proposed = _breaks(len(changes))
    if caption:
        if len(changes) == 0:
            return "no dashed line: PELT proposed no break"
        if sig.empty:
            return f"no dashed line: PELT proposed {proposed}, none significant at {test}"
        if len(sig) == 1:
            return (f"a dashed line marks the one level shift significant at {test}, of "
                    f"the {proposed} PELT proposed")
        return (f"dashed lines mark the {len(sig)} level shifts significant at {test}, of "
                f"the {proposed} PELT proposed")
    if len(changes) == 0:
        return (f"No level shift in {label}: PELT proposed no break "
                f"({a.get('n_series', 1)} series searched).")
    if sig.empty:
        at = ("; ".join(where(r) for r in changes.itertuples()) if many
              else "in " + ", ".join(where(r)[3:] for r in changes.itertuples()))
        return (f"No significant level shift in {label}: PELT proposed {proposed} ({at}), "
                f"smallest {adjusted} p = {changes['p_adjusted'].min():.2g} (block "
                f"permutation; significant below {alpha:g}).")
    parts = [f"{where(r)} by {r.jump:+.{digits}f}{unit} (adjusted p = {r.p_adjusted:.2g})"
             for r in sig.itertuples()]
    if many:
        return (f"{len(sig)} significant level shift{'' if len(sig) == 1 else 's'} at {test}: "
                + "; ".join(parts) + f". PELT proposed {proposed} in {a.get('n_series')} "
                "series.")
    times = "once" if len(sig) == 1 else f"{len(sig)} times"
    return (f"{label[:1].upper()}{label[1:]} shifts in level {times} at {test}: "
            + "; ".join(parts) + f". PELT proposed {proposed} in all.")


_COLUMNS = ["group", "category", "period", "mean_before", "mean_after", "shift", "jump",
            "slope_before", "slope_after", "n_before", "n_after", "statistic", "p_series",
            "p_value", "p_adjusted", "significant", "block_length"]


def _penalty(penalty: str | float, n_coef: int) -> Any:
    """The penalty per break as a function of n, in units of sigma^2."""
    if isinstance(penalty, str):
        check_option("penalty", penalty, ("bic",))
        return lambda n: (n_coef + 1) * math.log(n)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or penalty <= 0:
        raise ValueError(f"penalty must be 'bic' or a positive number, got {penalty!r}.")
    return lambda n: float(penalty)


def _series(
    sub: pd.DataFrame, value: str, weight: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One series sorted by period: y, weights (mean 1), time, period labels.

    Time is the period itself when numeric, years since the first period for datetimes,
    else the position. Rows with a missing value or a non-positive weight are dropped.
    """
    sub = sub.dropna(subset=[value]).sort_values("period")
    w = np.ones(len(sub)) if weight is None else sub[weight].to_numpy(dtype=float)
    keep = np.isfinite(w) & (w > 0)
    sub, w = sub[keep], w[keep]
    periods = sub["period"].to_numpy()
    per = sub["period"]
    if pd.api.types.is_datetime64_any_dtype(per):
        t = ((per - per.iloc[0]).dt.days / 365.25).to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(per):
        t = per.to_numpy(dtype=float)
    else:
        t = np.arange(len(sub), dtype=float)
    if len(w):
        w = w / w.mean()
    return sub[value].to_numpy(dtype=float), w, t, periods


def _base(t: np.ndarray, sw: np.ndarray, model: str) -> np.ndarray:
    """Weighted no-break design (m, p0): sqrt(w) * [1] or sqrt(w) * [1, t] (t rescaled)."""
    if model == "mean":
        return sw[:, None]
    span = np.ptp(t) if np.ptp(t) > 0 else 1.0
    return sw[:, None] * np.column_stack([np.ones_like(t), (t - t.mean()) / span])


def _changes(t: np.ndarray, sw: np.ndarray, model: str, splits: np.ndarray) -> np.ndarray:
    """Weighted break columns (m, n_splits, q) for a break before each position in splits.

    A step ``1[i >= k]`` (``"mean"``, ``"shift"``), and for ``"linear"`` also the step
    times (rescaled) time, so the line after the break has its own level and slope.
    """
    step = (np.arange(len(t))[:, None] >= splits[None, :]).astype(float)
    cols = [step]
    if model == "linear":
        span = np.ptp(t) if np.ptp(t) > 0 else 1.0
        cols.append(step * ((t - t.mean()) / span)[:, None])
    return sw[:, None, None] * np.stack(cols, axis=-1)


def _noise_scale(y: np.ndarray, w: np.ndarray) -> float:
    """Robust noise sd (per unit weight) from the weight-scaled first differences.

    ``1.4826 * MAD``; when more than half the differences are equal (a rare keyword at
    zero for decades), ``1.2533 *`` their mean absolute deviation from the median (both
    consistent for the sd of normal noise).
    """
    d = np.diff(y) / np.sqrt(1 / w[1:] + 1 / w[:-1])
    if d.size == 0:
        return 0.0
    dev = np.abs(d - np.median(d))
    s = 1.4826 * float(np.median(dev))
    return s if s > 0 else 1.2533 * float(np.mean(dev))


def _pelt(signal: np.ndarray, *, pen: float, min_size: int, max_changes: int) -> list[int]:
    """Break positions (first index after each break) from PELT, capped by Dynp."""
    import ruptures as rpt

    bkps = rpt.Pelt(model="linear", min_size=min_size, jump=1).fit(signal).predict(pen=pen)
    if len(bkps) - 1 > max_changes:
        bkps = rpt.Dynp(model="linear", min_size=min_size, jump=1).fit(signal).predict(
            n_bkps=max_changes)
    return [int(b) for b in bkps[:-1]]


def _segment(y: np.ndarray, w: np.ndarray, t: np.ndarray, *, model: str, pen: float,
             min_size: int, max_changes: int) -> list[int]:
    """Proposed breaks of one series: PELT on a line per segment (a constant for "mean")."""
    sw = np.sqrt(w)
    return _pelt(np.column_stack([sw * y, _base(t, sw, model)]), pen=pen, min_size=min_size,
                 max_changes=max_changes)


def _series_breaks(
    y: np.ndarray,
    w: np.ndarray,
    t: np.ndarray,
    *,
    model: str,
    min_size: int,
    max_changes: int,
    pen_mult: Any,
    n_perm: int,
    block_length: int | None,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """The breaks of one series with their segments' summaries and block-permutation p.

    Each break is tested between its neighbouring breaks; the whole series is tested too
    (``p_series``), and a break's ``p_value`` is the larger of the two, so that no break
    of a series whose no-break null stands is reported.
    """
    n = len(y)
    if n < 2 * min_size:
        return []
    sigma = _noise_scale(y, w)
    if not sigma > 0:
        return []
    bkps = _segment(y, w, t, model=model, pen=pen_mult(n) * sigma**2, min_size=min_size,
                    max_changes=max_changes)
    bounds = [0, *bkps, n]
    tests: dict[tuple[int, int], tuple[float, float, int]] = {}
    for a, c in [(0, n)] + [(bounds[j], bounds[j + 2]) for j in range(len(bkps))]:
        if bkps and (a, c) not in tests:
            length = block_length or max(2, round((c - a) ** 0.25))
            tests[a, c] = (*_break_test(y[a:c], w[a:c], t[a:c], model=model,
                                        min_size=min_size, n_perm=n_perm,
                                        block_length=length, rng=rng), length)
    rows = []
    for j, b in enumerate(bkps):
        a, c = bounds[j], bounds[j + 2]
        stat, p, length = tests[a, c]
        rows.append({"at": b, **_sides(y, w, t, a, b, c, model), "n_before": b - a,
                     "n_after": c - b, "statistic": stat, "p_series": tests[0, n][1],
                     "p_value": max(p, tests[0, n][1]), "block_length": length})
    return rows


def _sides(y: np.ndarray, w: np.ndarray, t: np.ndarray, a: int, b: int, c: int,
           model: str) -> dict[str, float]:
    """Weighted means of [a, b) and [b, c); jump and slopes of the break model fitted there.

    Time is measured from the period after the break, so the break coefficient is the
    jump in level there.
    """
    ys, ws, ts = y[a:c], w[a:c], t[a:c] - t[b]
    after = (np.arange(a, c) >= b).astype(float)
    cols = [np.ones_like(ts)] + ([] if model == "mean" else [ts]) + [after]
    if model == "linear":
        cols.append(after * ts)
    sw = np.sqrt(ws)
    coef = np.linalg.lstsq(sw[:, None] * np.column_stack(cols), sw * ys, rcond=None)[0]
    before_mean = float(np.sum(ws[: b - a] * ys[: b - a]) / np.sum(ws[: b - a]))
    after_mean = float(np.sum(ws[b - a:] * ys[b - a:]) / np.sum(ws[b - a:]))
    slope_before = np.nan if model == "mean" else float(coef[1])
    slope_after = slope_before + (float(coef[3]) if model == "linear" else 0.0)
    return {"mean_before": before_mean, "mean_after": after_mean,
            "shift": after_mean - before_mean,
            "jump": float(coef[1] if model == "mean" else coef[2]),
            "slope_before": slope_before, "slope_after": slope_after}


def _split_ratio(y: np.ndarray, base: np.ndarray, change: np.ndarray) -> np.ndarray:
    """``max_k (SSE_none - SSE_k) / SSE_none`` for each row of ``y`` (B, m).

    ``base`` (m, p0) is the no-break design, ``change`` (m, n_splits, q) the break
    columns of every split. By Frisch-Waugh-Lovell the reduction of split k is
    ``u' (D' D)^-1 u`` with ``D`` the break columns residualised on ``base`` and ``u`` the
    no-break residuals projected on them, for all splits and rows at once.
    """
    hat = base @ np.linalg.pinv(base)
    resid = y - y @ hat
    d = change - np.einsum("ij,jkq->ikq", hat, change)
    gram_inv = np.linalg.pinv(np.einsum("ikq,ikr->kqr", d, d))
    u = np.einsum("bi,ikq->bkq", resid, d)
    red = np.einsum("bkq,kqr,bkr->bk", u, gram_inv, u)
    sse = np.sum(resid * resid, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = red.max(axis=1) / sse
    return np.where(sse > 1e-12 * np.maximum(np.sum(y * y, axis=1), 1e-300), ratio, 0.0)


def _block_permutations(m: int, length: int, n_perm: int,
                        rng: np.random.Generator) -> np.ndarray:
    """(n_perm, m) indices: rotate by a random offset, cut into blocks, shuffle blocks."""
    n_blocks = -(-m // length)
    block = np.arange(m) // length
    rank = np.argsort(rng.random((n_perm, n_blocks)), axis=1)
    order = np.argsort(rank[:, block] * m + np.arange(m), axis=1)
    return (order + rng.integers(0, m, size=(n_perm, 1))) % m


def _break_test(y: np.ndarray, w: np.ndarray, t: np.ndarray, *, model: str, min_size: int,
                n_perm: int, block_length: int,
                rng: np.random.Generator) -> tuple[float, float]:
    """Statistic and block-permutation p-value of a break inside one stretch of periods.

    The residuals of the no-break fit are block-permuted and added back to its fitted
    values (Freedman & Lane 1983), so the null keeps the fitted level or trend.
    """
    sw = np.sqrt(w)
    yw = sw * y
    base = _base(t, sw, model)
    change = _changes(t, sw, model, np.arange(min_size, len(y) - min_size + 1))
    stat = float(_split_ratio(yw[None, :], base, change)[0])
    fitted = base @ np.linalg.lstsq(base, yw, rcond=None)[0]
    resid = yw - fitted
    idx = _block_permutations(len(y), block_length, n_perm, rng)
    null = _split_ratio(fitted[None, :] + resid[idx], base, change)
    p = (1 + int(np.sum(null >= stat - 1e-12))) / (n_perm + 1)
    return stat, float(p)

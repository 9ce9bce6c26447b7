"""Intervals with known coverage: exact Poisson, quasi-Poisson, Wilson, bootstrap (BCa).

One home for the interval methods of the toolkit, so that every reported interval is made
one documented way. Each function cites its reference in ``METHODS`` (read by reports to
write their "Methods" paragraph) and is checked in ``tests/test_uncertainty.py`` against a
hand computation and, for coverage, a simulation with a known truth.

Cross-cutting: imports no stage.

References
----------
.. [Garwood1936] Garwood, F. (1936). Fiducial limits for the Poisson distribution.
   *Biometrika* 28(3/4), 437-442.
.. [Wilson1927] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. *JASA* 22(158), 209-212.
.. [Efron1987] Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82(397),
   171-185.
.. [DavisonHinkley1997] Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and
   their Application*. Cambridge University Press (ch. 3.8 on clustered data, ch. 5).
.. [McCullaghNelder1989] McCullagh, P. & Nelder, J. A. (1989). *Generalized Linear
   Models*, 2nd ed., ch. 4.5 (quasi-likelihood, the Pearson dispersion estimate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from toolkit._validation import check_ci_level, check_int, check_option

__all__ = [
    "METHODS",
    "bootstrap_interval",
    "cluster_bootstrap_indices",
    "jackknife_values",
    "poisson_interval",
    "quasi_poisson_interval",
    "wilson_interval",
]

#: Method name -> (one-sentence description, reference); reports quote these.
METHODS: dict[str, tuple[str, str]] = {
    "poisson_exact": (
        "exact Poisson (Garwood) interval for a count, divided by the token exposure",
        "Garwood (1936), Biometrika 28, 437-442",
    ),
    "quasi_poisson": (
        "exact Poisson interval on the count deflated by the Pearson dispersion of the "
        "per-document counts (quasi-Poisson), for overdispersed counts",
        "McCullagh & Nelder (1989), Generalized Linear Models, ch. 4.5",
    ),
    "wilson": (
        "Wilson score interval for a proportion",
        "Wilson (1927), JASA 22, 209-212",
    ),
    "bca": (
        "bias-corrected and accelerated (BCa) bootstrap interval",
        "Efron (1987), JASA 82, 171-185",
    ),
    "percentile": (
        "percentile bootstrap interval",
        "Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 13",
    ),
    "basic": (
        "basic (reverse percentile) bootstrap interval",
        "Davison & Hinkley (1997), Bootstrap Methods and their Application, ch. 5.2",
    ),
    "cluster_bootstrap": (
        "bootstrap that resamples whole clusters (e.g. states) rather than documents",
        "Davison & Hinkley (1997), Bootstrap Methods and their Application, ch. 3.8",
    ),
}

_BOOT_METHODS = ("bca", "percentile", "basic")


def poisson_interval(
    counts: Any, exposure: Any = 1.0, *, ci_level: float = 0.95, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) confidence interval for a Poisson rate.

    With ``k`` events in exposure ``E`` (tokens), the limits for the rate are
    ``chi2.ppf(a/2, 2k) / (2E)`` and ``chi2.ppf(1 - a/2, 2k + 2) / (2E)``, a = 1 - ci_level;
    the lower limit is 0 when ``k = 0``, and the upper limit is then ``-log(a/2) / E``, a
    real bound rather than 0 [Garwood1936]_. The interval is exact in the sense of never
    covering less than ``ci_level``; for small counts it covers more (it is conservative).

    Parameters
    ----------
    counts : int or array-like of shape (n,)
        Event counts (matches), >= 0.
    exposure : float or array-like of shape (n,), default=1.0
        Exposure of each count (tokens); > 0.
    ci_level : float, default=0.95
        Confidence level in (0, 1).
    scale : float, default=1.0
        Multiplier of the rate (10_000 for matches per 10k tokens).

    Returns
    -------
    low, high : ndarray of shape (n,)
        Limits of ``scale * rate``; NaN where the exposure is 0 or missing.
    """
    ci_level = check_ci_level(ci_level)
    k = np.asarray(counts, dtype=np.float64)
    e = np.asarray(exposure, dtype=np.float64)
    if np.any(k[~np.isnan(k)] < 0):
        raise ValueError("counts must be >= 0.")
    alpha = 1.0 - ci_level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
        hi = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
        bad = ~(e > 0)
        lo = np.where(bad, np.nan, scale * lo / np.where(bad, 1.0, e))
        hi = np.where(bad, np.nan, scale * hi / np.where(bad, 1.0, e))
    return np.atleast_1d(lo), np.atleast_1d(hi)


def quasi_poisson_interval(
    doc_counts: Sequence[float] | np.ndarray,
    doc_exposure: Sequence[float] | np.ndarray,
    *,
    ci_level: float = 0.95,
    scale: float = 1.0,
) -> tuple[float, float, float]:
    """Interval for a pooled rate whose documents are overdispersed (quasi-Poisson).

    The dispersion ``phi`` is the Pearson statistic of the documents' counts around the
    pooled rate, divided by its degrees of freedom (n - 1), floored at 1 [McCullaghNelder1989]_.
    The exact Poisson interval of the deflated count ``k / phi`` in exposure ``E / phi``
    (the same rate) is returned, so the interval widens by about ``sqrt(phi)``.

    Parameters
    ----------
    doc_counts : array-like of shape (n_docs,)
        Counts per document in the cell.
    doc_exposure : array-like of shape (n_docs,)
        Tokens per document.
    ci_level : float, default=0.95
        Confidence level in (0, 1).
    scale : float, default=1.0
        Multiplier of the rate.

    Returns
    -------
    low, high, phi : float
        Limits of ``scale * rate`` and the dispersion used (1 for one document).
    """
    y = np.asarray(doc_counts, dtype=np.float64)
    e = np.asarray(doc_exposure, dtype=np.float64)
    if y.shape != e.shape:
        raise ValueError(f"doc_counts {y.shape} and doc_exposure {e.shape} differ in shape.")
    total_e = e.sum()
    if total_e <= 0:
        return np.nan, np.nan, np.nan
    rate = y.sum() / total_e
    phi = 1.0
    if len(y) > 1 and rate > 0:
        mu = rate * e
        keep = mu > 0
        phi = max(1.0, float(((y[keep] - mu[keep]) ** 2 / mu[keep]).sum() / (keep.sum() - 1)))
    lo, hi = poisson_interval(y.sum() / phi, total_e / phi, ci_level=ci_level, scale=scale)
    return float(lo[0]), float(hi[0]), phi


def wilson_interval(
    successes: Any, n: Any, *, ci_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion [Wilson1927]_.

    Parameters
    ----------
    successes : int or array-like of shape (m,)
        Number of successes (e.g. lines labelled relevant).
    n : int or array-like of shape (m,)
        Number of trials; NaN limits where 0.
    ci_level : float, default=0.95
        Confidence level in (0, 1).

    Returns
    -------
    low, high : ndarray of shape (m,)
        Limits in [0, 1].
    """
    ci_level = check_ci_level(ci_level)
    x = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    if np.any(x < 0) or np.any(x > m):
        raise ValueError("successes must be between 0 and n.")
    z = stats.norm.ppf(0.5 + ci_level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
        # the limits are exactly 0 at x = 0 and 1 at x = n (rounding would miss them)
        lo = np.where(m > 0, np.where(x == 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
        hi = np.where(m > 0, np.where(x == m, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    return np.atleast_1d(lo), np.atleast_1d(hi)


def jackknife_values(stat: Any, n: int) -> np.ndarray:
    """Leave-one-out values of a statistic, for the BCa acceleration.

    Parameters
    ----------
    stat : callable
        ``stat(index)`` returns the statistic on the units at integer positions ``index``.
    n : int
        Number of units (documents, passages or clusters), >= 2.

    Returns
    -------
    ndarray of shape (n,)
        ``stat`` with unit i left out, for each i.
    """
    n = check_int("n", n, min_value=2)
    full = np.arange(n)
    return np.array([stat(np.delete(full, i)) for i in range(n)], dtype=np.float64)


def _bca_levels(
    estimate: float, replicates: np.ndarray, jackknife: np.ndarray, alpha: float
) -> tuple[float, float]:
    """Adjusted percentile levels of BCa (Efron 1987, eqs. 2.3-2.5; DH97 eq. 5.21)."""
    b = len(replicates)
    below = (np.sum(replicates < estimate) + 0.5 * np.sum(replicates == estimate)) / b
    below = min(max(below, 0.5 / b), 1 - 0.5 / b)
    z0 = stats.norm.ppf(below)
    d = jackknife.mean() - jackknife
    denom = 6.0 * (d**2).sum() ** 1.5
    a = float((d**3).sum() / denom) if denom > 0 else 0.0
    out = []
    for q in (alpha / 2, 1 - alpha / 2):
        zq = stats.norm.ppf(q)
        out.append(float(stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))))
    return out[0], out[1]


def bootstrap_interval(
    estimate: float,
    replicates: Sequence[float] | np.ndarray,
    *,
    method: str = "bca",
    ci_level: float = 0.95,
    jackknife: Sequence[float] | np.ndarray | None = None,
) -> tuple[float, float]:
    """Confidence interval from bootstrap replicates: BCa, percentile or basic.

    Parameters
    ----------
    estimate : float
        The statistic on the original sample.
    replicates : array-like of shape (n_boot,)
        The statistic on each bootstrap sample; NaN replicates are dropped.
    method : {"bca", "percentile", "basic"}, default="bca"
        ``"bca"``: bias-corrected and accelerated [Efron1987]_, needs ``jackknife``;
        ``"percentile"``: the replicates' quantiles; ``"basic"``: ``2 * estimate`` minus
        the opposite quantiles [DavisonHinkley1997]_.
    ci_level : float, default=0.95
        Confidence level in (0, 1).
    jackknife : array-like of shape (n_units,) or None, default=None
        Leave-one-out values (:func:`jackknife_values`) for the BCa acceleration.

    Returns
    -------
    low, high : float
        NaN when fewer than 2 finite replicates remain.
    """
    method = check_option("method", method, _BOOT_METHODS)
    alpha = 1.0 - check_ci_level(ci_level)
    reps = np.asarray(replicates, dtype=np.float64)
    reps = reps[np.isfinite(reps)]
    if len(reps) < 2 or not np.isfinite(estimate):
        return np.nan, np.nan
    if method == "percentile":
        lo, hi = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
        return float(lo), float(hi)
    if method == "basic":
        qlo, qhi = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
        return float(2 * estimate - qhi), float(2 * estimate - qlo)
    if jackknife is None:
        raise ValueError("method='bca' needs the jackknife values (see jackknife_values).")
    jack = np.asarray(jackknife, dtype=np.float64)
    jack = jack[np.isfinite(jack)]
    plo, phi = _bca_levels(float(estimate), reps, jack, alpha)
    lo, hi = np.quantile(reps, [plo, phi])
    return float(lo), float(hi)


def cluster_bootstrap_indices(
    clusters: Sequence[Any] | np.ndarray, *, n_boot: int, random_state: int | None = None
) -> list[np.ndarray]:
    """Row indices of bootstrap samples that resample whole clusters with replacement.

    When a pooled series holds the same states every year, documents are not independent:
    resampling states keeps each state's documents together [DavisonHinkley1997]_.

    Parameters
    ----------
    clusters : array-like of shape (n_rows,)
        The cluster (e.g. actor) of each row.
    n_boot : int
        Number of bootstrap samples, >= 1.
    random_state : int or None, default=None
        Seed of the generator (``numpy.random.default_rng``).

    Returns
    -------
    list of ndarray
        ``n_boot`` arrays of row positions; a cluster drawn twice contributes its rows twice.
    """
    n_boot = check_int("n_boot", n_boot, min_value=1)
    codes, uniques = _factorize(clusters)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    members = [order[bounds[i]:bounds[i + 1]] for i in range(len(uniques))]
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, len(uniques), size=(n_boot, len(uniques)))
    return [np.concatenate([members[c] for c in row]) for row in draws]


def _factorize(values: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(values, dtype=object)
    uniques, codes = np.unique(arr.astype(str), return_inverse=True)
    return codes.astype(np.int64), uniques


# ---------------------------------------------------------------- appended for issue 11.6/11.10
METHODS.update(
    {
        "bca_stratified": (
            "bias-corrected and accelerated (BCa) bootstrap interval for a statistic of "
            "several independently resampled samples (strata), the acceleration from "
            "jackknife influence values within each stratum",
            "Efron (1987), JASA 82, 171-185; Davison & Hinkley (1997), Bootstrap Methods and "
            "their Application, ch. 3.2 and 5.3",
        ),
        "passage_bootstrap": (
            "bootstrap that resamples the passages (paragraphs) of each text, so a text's "
            "statistic varies as its passages would",
            "Lowe & Benoit (2011), Estimating uncertainty in quantitative text analysis, "
            "MPSA paper; Benoit, Laver & Mikhaylov (2009), AJPS 53(2), 495-513",
        ),
    }
)
__all__ += ["bca_acceleration", "bootstrap_intervals"]


def bca_acceleration(
    jackknife: Sequence[float] | np.ndarray, strata: Sequence[Any] | np.ndarray | None = None
) -> float:
    """The BCa acceleration from jackknife values, for one sample or several (strata).

    With jackknife values ``t_(i)`` of unit ``i`` in stratum ``s`` (``n_s`` finite values,
    mean ``tbar_s``), the influence values are ``l_i = (n_s - 1)(tbar_s - t_(i))`` and
    ``a = sum_s n_s^-3 sum_i l_i^3 / (6 (sum_s n_s^-2 sum_i l_i^2)^(3/2))``
    ([DavisonHinkley1997]_ ch. 3.2 and 5.3; the multi-sample form ``scipy.stats.bootstrap``
    uses). For one stratum it is Efron's ``sum d^3 / (6 (sum d^2)^1.5)``, ``d = tbar - t_(i)``
    [Efron1987]_, as :func:`bootstrap_interval` computes it.

    Parameters
    ----------
    jackknife : array-like of shape (n_units,)
        Leave-one-out values (:func:`jackknife_values`); NaN values are dropped.
    strata : array-like of shape (n_units,) or None, default=None
        The sample each unit belongs to (e.g. the actor whose passage was left out); None
        means one sample.

    Returns
    -------
    float
        The acceleration ``a``; 0 when every value is equal (or none is finite).
    """
    jack = np.asarray(jackknife, dtype=np.float64).ravel()
    codes = np.zeros(len(jack), dtype=np.int64) if strata is None else _factorize(strata)[0]
    if len(codes) != len(jack):
        raise ValueError(f"strata has {len(codes)} values but jackknife has {len(jack)}.")
    keep = np.isfinite(jack)
    jack, codes = jack[keep], codes[keep]
    num = den = 0.0
    for s in np.unique(codes):
        t = jack[codes == s]
        n = len(t)
        d = (n - 1) / n * (t.mean() - t)  # l_i / n_s
        num += float((d**3).sum())
        den += float((d**2).sum())
    return num / (6.0 * den**1.5) if den > 0 else 0.0


def bootstrap_intervals(
    estimates: Sequence[float] | np.ndarray,
    replicates: np.ndarray,
    *,
    method: str = "bca",
    ci_level: float = 0.95,
    acceleration: Sequence[float] | np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap intervals of many statistics at once (:func:`bootstrap_interval` by column).

    The same formulas as :func:`bootstrap_interval` (BCa [Efron1987]_, percentile, basic
    [DavisonHinkley1997]_), vectorised over the columns of ``replicates``, with the BCa
    acceleration given per column (:func:`bca_acceleration`) instead of jackknife values.
    Column ``j`` equals ``bootstrap_interval(estimates[j], replicates[:, j], ...)`` when
    ``acceleration[j] = bca_acceleration(jackknife_j)``.

    Parameters
    ----------
    estimates : array-like of shape (m,)
        The statistics on the original sample.
    replicates : array-like of shape (n_boot, m)
        Bootstrap replicates, one column per statistic; NaN replicates are dropped.
    method : {"bca", "percentile", "basic"}, default="bca"
        The interval.
    ci_level : float, default=0.95
        Confidence level in (0, 1).
    acceleration : float or array-like of shape (m,) or None, default=None
        BCa acceleration per statistic; required for ``"bca"`` (NaN counts as 0).

    Returns
    -------
    low, high : ndarray of shape (m,)
        NaN where fewer than 2 finite replicates remain or the estimate is not finite.
    """
    from scipy.special import ndtr, ndtri

    method = check_option("method", method, _BOOT_METHODS)
    alpha = 1.0 - check_ci_level(ci_level)
    est = np.atleast_1d(np.asarray(estimates, dtype=np.float64))
    reps = np.asarray(replicates, dtype=np.float64)
    if reps.ndim == 1:
        reps = reps[:, None]
    if reps.ndim != 2 or reps.shape[1] != len(est):
        raise ValueError(
            f"replicates must have shape (n_boot, {len(est)}), got {reps.shape}."
        )
    n_fin = np.isfinite(reps).sum(axis=0)
    ok = (n_fin >= 2) & np.isfinite(est)
    levels = np.tile(np.array([[alpha / 2], [1 - alpha / 2]]), (1, len(est)))
    if method == "bca":
        if acceleration is None:
            raise ValueError("method='bca' needs the acceleration (see bca_acceleration).")
        acc = np.broadcast_to(np.asarray(acceleration, dtype=np.float64), est.shape)
        acc = np.where(np.isfinite(acc), acc, 0.0)
        fin = np.isfinite(reps)
        b = np.maximum(n_fin, 1)
        with np.errstate(invalid="ignore"):
            ties = 0.5 * ((reps == est) & fin).sum(axis=0)
            below = (((reps < est) & fin).sum(axis=0) + ties) / b
        below = np.clip(below, 0.5 / b, 1 - 0.5 / b)
        z0 = ndtri(below)
        zq = ndtri(levels[:, :1])
        with np.errstate(divide="ignore", invalid="ignore"):
            levels = ndtr(z0 + (z0 + zq) / (1 - acc * (z0 + zq)))
    q = _column_quantiles(reps, n_fin, levels)
    lo, hi = q[0], q[1]
    if method == "basic":
        lo, hi = 2 * est - q[1], 2 * est - q[0]
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def _column_quantiles(reps: np.ndarray, n_fin: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles (linear interpolation, as ``numpy.quantile``) of each column's finite values.

    ``levels`` has shape (n_levels, m); returns shape (n_levels, m).
    """
    srt = np.sort(np.where(np.isfinite(reps), reps, np.inf), axis=0)  # non-finite last
    cols = np.arange(reps.shape[1])
    top = np.maximum(n_fin - 1, 0)
    pos = np.clip(np.nan_to_num(levels, nan=0.0), 0.0, 1.0) * top
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, top)
    frac = pos - lo
    a, b = srt[lo, cols], srt[hi, cols]
    with np.errstate(invalid="ignore"):
        out = np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
    return np.where(np.isnan(levels) | (n_fin < 1), np.nan, out)


# ---------------------------------------------------------------- appended for issue 11.5/11.9
METHODS.update(
    {
        "pelt": (
            "change points by PELT (pruned exact linear time) on a precision-weighted "
            "least-squares cost with a BIC-type penalty, via the ruptures package",
            "Killick, Fearnhead & Eckley (2012), JASA 107(500), 1590-1598; Truong, Oudre & "
            "Vayatis (2020), Signal Processing 167, 107299",
        ),
        "block_permutation": (
            "p-value of a change point from circular block permutations of the residuals "
            "of a no-change fit (serial dependence kept within blocks)",
            "Politis & Romano (1992), in Exploring the Limits of Bootstrap, 263-270; Hall, "
            "Horowitz & Jing (1995), Biometrika 82(3), 561-574",
        ),
        "holm": (
            "Holm step-down adjustment of p-values (family-wise error rate)",
            "Holm (1979), Scandinavian Journal of Statistics 6(2), 65-70",
        ),
        "bh": (
            "Benjamini-Hochberg step-up adjustment of p-values (false discovery rate)",
            "Benjamini & Hochberg (1995), JRSS B 57(1), 289-300",
        ),
    }
)
__all__ += ["adjust_pvalues"]


def adjust_pvalues(p_values: Sequence[float] | np.ndarray, *, method: str = "holm") -> np.ndarray:
    """P-values adjusted for multiple testing: Holm, Benjamini-Hochberg or none.

    Holm (step-down, family-wise error rate): with the m p-values sorted,
    ``p_(i) -> max_{j <= i} min(1, (m - j + 1) p_(j))`` [Holm1979]_. Benjamini-Hochberg
    (step-up, false discovery rate): ``p_(i) -> min_{j >= i} min(1, m p_(j) / j)``
    [BenjaminiHochberg1995]_. Both as R's ``p.adjust``.

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Unadjusted p-values; NaN values stay NaN and do not count in m.
    method : {"holm", "bh", "none"}, default="holm"
        The adjustment.

    Returns
    -------
    ndarray of shape (m,)
        Adjusted p-values, in the input order.

    References
    ----------
    .. [Holm1979] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       *Scandinavian Journal of Statistics* 6(2), 65-70.
    .. [BenjaminiHochberg1995] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false
       discovery rate. *JRSS B* 57(1), 289-300.
    """
    method = check_option("method", method, ("holm", "bh", "none"))
    p = np.asarray(p_values, dtype=np.float64).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if method == "none" or ok.size == 0:
        out[ok] = p[ok]
        return out
    m = ok.size
    order = ok[np.argsort(p[ok], kind="stable")]
    ps = p[order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - rank + 1) * ps))
    else:
        adj = np.minimum.accumulate(np.minimum(1.0, m * ps / rank)[::-1])[::-1]
    out[order] = adj
    return out


# ---------------------------------------------------------------- appended for issue 11.8
# (QAP and the kappa of votes are analysis methods: toolkit.methods has "qap", "vote_kappa")
METHODS.update(
    {
        "within_year_correlation": (
            "correlation of two dyadic measures after demeaning both within each year "
            "(pooled within-year correlation, as with year fixed effects), so that "
            "year-level shifts cannot create or hide an association",
            "Robinson (1950), American Sociological Review 15(3), 351-357 (ecological "
            "correlation); Wooldridge (2010), Econometric Analysis of Cross Section and Panel "
            "Data, 2nd ed., ch. 10.5",
        ),
        "vertex_bootstrap": (
            "bootstrap for dyadic data that resamples actors (vertices) with replacement and "
            "keeps every dyad among the drawn actors, with weight w_i * w_j",
            "Snijders & Borgatti (1999), Connections 22(2), 161-170",
        ),
    }
)


# ---------------------------------------------------------------- appended for issue 11.10
METHODS["bayesian_bootstrap"] = (
    "Bayesian bootstrap: each replicate weights the units (passages) of a text by "
    "Dirichlet(1, ..., 1) draws instead of drawing them with replacement",
    "Rubin (1981), The Bayesian bootstrap, Annals of Statistics 9(1), 130-134",
)


__all__ += ["bca_levels"]


def bca_levels(
    estimates: Sequence[float] | np.ndarray,
    replicates: np.ndarray,
    *,
    acceleration: Sequence[float] | np.ndarray | float,
    ci_level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """The BCa-adjusted percentile levels of each column, and whether the replicates resolve them.

    BCa reads its limits at the levels ``Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q)))``
    [Efron1987]_. When the bias correction ``z0`` is large (most replicates on one side of the
    estimate), a level falls beyond the replicates: with ``B`` finite replicates a quantile at
    level ``q`` is an order statistic only if ``(B + 1) q >= 1`` and ``(B + 1)(1 - q) >= 1``
    ([DavisonHinkley1997]_ ch. 5.2-5.3). Outside that range the limit would be read off the
    extreme replicates, not estimated, and the interval can even exclude the estimate.

    Parameters
    ----------
    estimates : array-like of shape (m,)
        The statistics on the original sample.
    replicates : array-like of shape (n_boot, m)
        Bootstrap replicates; NaN replicates are dropped.
    acceleration : float or array-like of shape (m,)
        BCa acceleration per statistic (:func:`bca_acceleration`).
    ci_level : float, default=0.95
        Confidence level in (0, 1).

    Returns
    -------
    levels : ndarray of shape (2, m)
        Adjusted lower and upper levels (as :func:`bootstrap_intervals` uses them).
    resolved : ndarray of shape (m,) of bool
        True where both levels lie within ``[1 / (B + 1), B / (B + 1)]``.
    """
    from scipy.special import ndtr, ndtri

    alpha = 1.0 - check_ci_level(ci_level)
    est = np.atleast_1d(np.asarray(estimates, dtype=np.float64))
    reps = np.asarray(replicates, dtype=np.float64).reshape(-1, len(est))
    fin = np.isfinite(reps)
    n_fin = fin.sum(axis=0)
    acc = np.broadcast_to(np.asarray(acceleration, dtype=np.float64), est.shape)
    acc = np.where(np.isfinite(acc), acc, 0.0)
    b = np.maximum(n_fin, 1)
    with np.errstate(invalid="ignore"):
        below = (((reps < est) & fin).sum(axis=0) + 0.5 * ((reps == est) & fin).sum(axis=0)) / b
    z0 = ndtri(np.clip(below, 0.5 / b, 1 - 0.5 / b))
    zq = ndtri(np.array([[alpha / 2], [1 - alpha / 2]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        levels = ndtr(z0 + (z0 + zq) / (1 - acc * (z0 + zq)))
    edge = 1.0 / (n_fin + 1)
    resolved = (levels[0] >= edge) & (levels[1] <= 1 - edge) & (n_fin >= 2)
    return levels, resolved


# ---------------------------------------------------------------- appended for issue 11.7
METHODS["refit_bootstrap"] = (
    "topic uncertainty by refitting the topic model on bootstrap resamples of the documents, "
    "matching each refit's topics to the original ones (Hungarian algorithm on the cosine "
    "similarity of topic-term weights) and pooling the within-cell bootstrap replicates of "
    "the refits' shares for percentile intervals (the method of composition in spirit)",
    "Roberts, Stewart & Airoldi (2016), A model of text for experimentation in the social "
    "sciences, JASA 111(515), 988-1003; Roberts, Stewart & Tingley (2019), stm: An R package "
    "for structural topic models, Journal of Statistical Software 91(2), 1-40",
)

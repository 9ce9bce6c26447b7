"""Resampling for similarity panels: the measures, the passage bootstrap and the jackknife.

Private to :mod:`~toolkit.alignment.panel`. Both similarity measures compare the sums of a
unit's rows (passages): :func:`bootstrap_period` draws, for every unit, as many rows as it has,
with replacement (one sparse product per chunk of replicates); :func:`jackknife_period` gives,
for every row, the similarity of its unit *without that row* to every other unit, in closed
form from the unit totals (the leave-one-out sum is the total minus the row), which the BCa
acceleration needs (Efron 1987; Davison & Hinkley 1997, ch. 3.2 and 5.3).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from toolkit.features import normalize_rows
from toolkit.uncertainty import bca_levels, bootstrap_intervals

#: Largest ``rows x units x topics`` block of leave-one-out JS profiles held at once.
_JS_BLOCK = 2_000_000


# ====================================================================== measures
def idf_weights(counts_csr: sp.csr_matrix, n_units: int) -> np.ndarray:
    """Smoothed idf of the columns, counted over the rows (units) of ``counts_csr``."""
    df = np.bincount(counts_csr.indices, minlength=counts_csr.shape[1])
    return np.log((1.0 + n_units) / (1.0 + df)) + 1.0


def _tf(values: np.ndarray, sublinear_tf: bool) -> np.ndarray:
    """The term-frequency transform of counts: ``c``, or ``1 + log(c)`` for ``c > 0`` (0 at 0)."""
    if not sublinear_tf:
        return values
    pos = values > 0
    return np.where(pos, np.log(np.where(pos, values, 1.0)) + 1.0, 0.0)


def weight_rows(
    agg: sp.csr_matrix, idf: np.ndarray | None, *, sublinear_tf: bool
) -> sp.csr_matrix:
    """tf(-idf) weighted, l2-normalised rows of a count matrix."""
    out = agg.astype(np.float64, copy=True)
    if sublinear_tf:
        out.data = _tf(out.data, True)
    if idf is not None:
        out.data *= idf[out.indices]
    return normalize(out, norm="l2", axis=1, copy=False)


def _gram(y: sp.csr_matrix, n_dense: int) -> np.ndarray:
    """``y @ y.T`` as a dense array; the first ``n_dense`` columns go through BLAS."""
    if n_dense <= 0 or y.shape[0] < 3:
        return (y @ y.T).toarray()
    head = y[:, :n_dense].toarray()
    tail = y[:, n_dense:]
    return head @ head.T + (tail @ tail.T).toarray()


def cosines(y: sp.csr_matrix, n_dense: int) -> np.ndarray:
    """Cosines of the l2-normalised rows ``y``; NaN for rows without any term."""
    s = _gram(y, n_dense)
    empty = np.asarray(y.getnnz(axis=1) == 0)
    s[empty, :] = np.nan
    s[:, empty] = np.nan
    return s


def js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 - Jensen-Shannon divergence (base 2, in [0, 1]) along the last axis."""
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum(axis=-1)
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum(axis=-1)
    return 1.0 - 0.5 * (kl_p + kl_q)


# ====================================================================== the rows of units
def unit_rows(
    x: sp.csr_matrix | np.ndarray, units, uidx: np.ndarray, col_order: np.ndarray | None
) -> tuple[sp.csr_matrix | np.ndarray, np.ndarray]:
    """The rows of units ``uidx`` stacked unit after unit (columns in ``col_order``), and sizes."""
    rows = [units.rows[units.start[u] : units.start[u + 1]] for u in uidx]
    sizes = np.array([len(r) for r in rows], dtype=np.int64)
    xp = x[np.concatenate(rows)]
    if col_order is not None:
        xp = xp[:, col_order]
    return xp, sizes


def _indicator(sizes: np.ndarray) -> sp.csr_matrix:
    """(k, n_rows) sparse 0/1 matrix: row ``u`` marks the rows of unit ``u``."""
    n = int(sizes.sum())
    unit_of = np.repeat(np.arange(len(sizes)), sizes)
    return sp.csr_matrix((np.ones(n), (unit_of, np.arange(n))), shape=(len(sizes), n))


# ====================================================================== bootstrap
def bootstrap_period(
    x: sp.csr_matrix | np.ndarray,
    units,
    uidx: np.ndarray,
    *,
    n_boot: int,
    rng: np.random.Generator,
    measure: str,
    idf: np.ndarray | None,
    sublinear_tf: bool,
    col_order: np.ndarray | None = None,
    n_dense: int = 0,
    chunk_nnz: int = 3_000_000,
) -> np.ndarray:
    """Similarity among units ``uidx`` for ``n_boot`` resamples of their rows.

    Each replicate draws, for every unit, as many rows as it has, with replacement. A sparse
    weight matrix ``W`` (n_chunk * k, n_rows) of draw counts turns the resample into one
    product ``W @ X``. Returns shape (n_boot, k, k).
    """
    k = len(uidx)
    xp, sizes = unit_rows(x, units, uidx, col_order)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    if measure == "cosine":
        per_row_nnz = max(1.0, xp.nnz / max(1, xp.shape[0]))
        est = per_row_nnz * sizes.mean() ** 0.5 * 4 * k  # rough nnz of one replicate
        chunk = int(max(1, min(n_boot, chunk_nnz // max(1, est))))
    else:
        chunk = int(max(1, min(n_boot, 2_000_000 // max(1, k * k * xp.shape[1]))))
    out = np.empty((n_boot, k, k))
    for b0 in range(0, n_boot, chunk):
        nb = min(chunk, n_boot - b0)
        r_idx, c_idx = [], []
        for j in range(k):
            draws = rng.integers(0, sizes[j], size=(nb, sizes[j]))
            r_idx.append(np.repeat(np.arange(nb) * k + j, sizes[j]))
            c_idx.append(draws.ravel() + offsets[j])
        r = np.concatenate(r_idx)
        c = np.concatenate(c_idx)
        w = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(nb * k, xp.shape[0]))
        if measure == "cosine":
            y = weight_rows((w @ xp).tocsr(), idf, sublinear_tf=sublinear_tf)
            out[b0 : b0 + nb] = _replicate_cosines(y, nb, k, n_dense=n_dense)
        else:
            prof = normalize_rows(np.asarray(w @ xp), empty=np.nan).reshape(nb, k, -1)
            out[b0 : b0 + nb] = js_similarity(prof[:, :, None, :], prof[:, None, :, :])
    return out


def _replicate_cosines(y: sp.csr_matrix, nb: int, k: int, *, n_dense: int) -> np.ndarray:
    """Cosines among ``k`` units in each of ``nb`` replicates (rows ``b * k + j`` of ``y``)."""
    block = np.full((nb, k, k), np.nan)
    if k * (k - 1) // 2 <= 2 * nb:
        # few actors: one row-wise product per pair over all replicates of the chunk
        empty = (np.diff(y.indptr) == 0).reshape(nb, k)
        block[:, np.arange(k), np.arange(k)] = 1.0
        rows_of = [y[np.arange(nb) * k + j] for j in range(k)]
        for i, j in zip(*np.triu_indices(k, 1), strict=True):
            d = np.asarray(rows_of[i].multiply(rows_of[j]).sum(axis=1)).ravel()
            block[:, i, j] = block[:, j, i] = d
        block[empty[:, :, None] | empty[:, None, :]] = np.nan
        return block
    for b in range(nb):
        block[b] = cosines(y[b * k : (b + 1) * k], n_dense)
    return block


# ====================================================================== jackknife
def _jackknife_cosine(
    xp: sp.csr_matrix, sizes: np.ndarray, idf: np.ndarray | None, *, sublinear_tf: bool
) -> np.ndarray:
    """``loo[j, b]``: cosine of (unit of row j without row j) with unit ``b``; (n_rows, k).

    With ``w(.)`` the tf-idf weighting and ``A_u`` the unit's total, leaving row ``x_j`` out
    changes ``w(A_u)`` only on the terms of ``x_j``: ``w(A_u - x_j) = w(A_u) + delta_j``, so
    ``cos = (|w(A_u)| cos(A_u, B) + delta_j . v_B) / |w(A_u) + delta_j|`` with
    ``|w(A_u) + delta_j|^2 = |w(A_u)|^2 + 2 delta_j . w(A_u) + |delta_j|^2``: sparse
    products only, however many rows.
    """
    xp = sp.csr_matrix(xp, dtype=np.float64)
    xp.sort_indices()
    k, n, t = len(sizes), xp.shape[0], xp.shape[1]
    unit_of = np.repeat(np.arange(k), sizes)
    agg = (_indicator(sizes) @ xp).tocsr()
    agg.sort_indices()
    w_agg = agg.copy()
    w_agg.data = _tf(agg.data, sublinear_tf) * (idf[agg.indices] if idf is not None else 1.0)
    norms = np.sqrt(np.asarray(w_agg.multiply(w_agg).sum(axis=1)).ravel())
    vhat = normalize(w_agg, norm="l2", axis=1)
    sims = (vhat @ vhat.T).toarray()
    # the unit total at every non-zero of every row (the row's terms are terms of its unit)
    row_of_nz = np.repeat(np.arange(n), np.diff(xp.indptr))
    key_x = unit_of[row_of_nz].astype(np.int64) * t + xp.indices
    key_a = np.repeat(np.arange(k), np.diff(agg.indptr)).astype(np.int64) * t + agg.indices
    pos = np.searchsorted(key_a, key_x)
    a_val = agg.data[pos]
    idf_nz = idf[xp.indices] if idf is not None else 1.0
    left = np.maximum(a_val - xp.data, 0.0)
    delta = idf_nz * (_tf(left, sublinear_tf) - _tf(a_val, sublinear_tf))
    cross = np.bincount(row_of_nz, delta * w_agg.data[pos], minlength=n)
    own = np.bincount(row_of_nz, delta**2, minlength=n)
    d_mat = sp.csr_matrix((delta, xp.indices, xp.indptr), shape=xp.shape)
    nu = norms[unit_of]
    sq = nu**2 + 2 * cross + own
    num = nu[:, None] * sims[unit_of] + (d_mat @ vhat.T).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = num / np.sqrt(np.maximum(sq, 0.0))[:, None]
    loo[sq <= 1e-12 * np.maximum(nu**2, 1e-300), :] = np.nan  # the row was the whole unit
    loo[:, norms == 0] = np.nan
    return loo


def _jackknife_js(xp: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``loo[j, b]``: 1 - JSD of (unit of row j without row j) and unit ``b``; (n_rows, k)."""
    xp = np.asarray(xp, dtype=np.float64)
    k, n = len(sizes), xp.shape[0]
    unit_of = np.repeat(np.arange(k), sizes)
    agg = _indicator(sizes) @ xp
    prof = normalize_rows(agg, empty=np.nan)
    loo = np.empty((n, k))
    step = max(1, _JS_BLOCK // max(1, k * xp.shape[1]))
    for s in range(0, n, step):
        e = min(n, s + step)
        p = normalize_rows(np.maximum(agg[unit_of[s:e]] - xp[s:e], 0.0), empty=np.nan)
        loo[s:e] = js_similarity(p[:, None, :], prof[None, :, :])
    return loo


def acceleration_matrix(loo: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """BCa acceleration of every dyad (k, k) from the leave-one-row-out similarities.

    Dyad ``(a, b)`` resamples two strata, the rows of ``a`` and of ``b``: its jackknife
    values are ``loo[rows of a, b]`` and ``loo[rows of b, a]``, combined as
    :func:`toolkit.uncertainty.bca_acceleration` does with ``strata`` (influence values
    centred within each stratum). NaN values (an empty leave-one-out sum) are dropped.
    """
    ind = _indicator(sizes)
    unit_of = np.repeat(np.arange(len(sizes)), sizes)
    fin = np.isfinite(loo)
    vals = np.where(fin, loo, 0.0)
    cnt = np.asarray(ind @ fin.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.asarray(ind @ vals) / cnt
        factor = (cnt - 1) / cnt
    d = np.where(fin, (mean[unit_of] - vals) * factor[unit_of], 0.0)
    s2 = np.asarray(ind @ d**2)
    s3 = np.asarray(ind @ d**3)
    num, den = s3 + s3.T, s2 + s2.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / (6.0 * den**1.5), 0.0)


def jackknife_period(
    x: sp.csr_matrix | np.ndarray,
    units,
    uidx: np.ndarray,
    *,
    measure: str,
    idf: np.ndarray | None,
    sublinear_tf: bool,
    col_order: np.ndarray | None = None,
) -> np.ndarray:
    """BCa acceleration (k, k) of the similarity of every pair of units ``uidx``."""
    xp, sizes = unit_rows(x, units, uidx, col_order)
    if measure == "cosine":
        loo = _jackknife_cosine(xp, sizes, idf, sublinear_tf=sublinear_tf)
    else:
        loo = _jackknife_js(xp, sizes)
    return acceleration_matrix(loo, sizes)


# ====================================================================== intervals
def dyad_intervals(
    est: np.ndarray,
    reps: np.ndarray,
    acc: np.ndarray | None,
    *,
    method: str,
    ci_level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``low, high, bias, unresolved`` of every dyad from its replicates (n_boot, m).

    BCa limits whose adjusted levels lie beyond the replicates
    (:func:`toolkit.uncertainty.bca_levels`) are NaN and flagged ``unresolved``.
    """
    lo, hi = bootstrap_intervals(est, reps, method=method, ci_level=ci_level, acceleration=acc)
    unresolved = np.zeros(len(lo), dtype=bool)
    if method == "bca":
        _, resolved = bca_levels(est, reps, acceleration=acc, ci_level=ci_level)
        unresolved = ~resolved & np.isfinite(lo)
        lo, hi = np.where(unresolved, np.nan, lo), np.where(unresolved, np.nan, hi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # columns without a finite replicate
        bias = np.nanmean(reps, axis=0) - est
    return lo, hi, bias, unresolved

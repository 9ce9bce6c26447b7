"""Intervals of the rates in :func:`~toolkit.keywords.keyword_trends` (private).

A cell is a (group, period) point; its documents are rows ``starts[g] : starts[g] +
sizes[g]`` of count and token arrays sorted by cell. :func:`rate_intervals` gives every
(cell, category) its interval by one of four methods and records which one:

- ``"poisson"``: exact Poisson (Garwood) limits of the cell's match count with its token
  count as the exposure (:func:`toolkit.uncertainty.poisson_interval`);
- ``"quasi_poisson"``: the same on the count deflated by the Pearson dispersion of the
  cell's documents (:func:`toolkit.uncertainty.quasi_poisson_interval`, vectorised here);
- ``"cluster"``: a bootstrap that resamples the cell's clusters (actors) with their
  documents, on the ratio of summed matches to summed tokens, BCa or percentile
  (the draws of :func:`toolkit.uncertainty.cluster_bootstrap_indices`);
- ``"bootstrap"``: the percentile bootstrap over documents (the method before issue 11).

``"auto"`` picks per (cell, category): exact Poisson below :data:`AUTO_MIN_MATCHES`
matches, else the cluster bootstrap when the cell pools at least ``min_clusters``
clusters, else quasi-Poisson.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.uncertainty import bootstrap_interval, poisson_interval

#: The ``interval=`` options of keyword_trends.
INTERVALS = ("auto", "poisson", "quasi_poisson", "cluster", "bootstrap")
#: Below this many matches, ``interval="auto"`` uses the exact Poisson interval.
AUTO_MIN_MATCHES = 20
#: Rates are per 10,000 tokens.
SCALE = 1e4


def method_keys(used: set[str], boot_method: str) -> list[str]:
    """Keys of :data:`toolkit.uncertainty.METHODS` behind the ``ci_method`` values used."""
    keys = {
        "poisson": ["poisson_exact"],
        "quasi_poisson": ["quasi_poisson"],
        "cluster": ["cluster_bootstrap", boot_method],
        "bootstrap": ["percentile"],
    }
    out: list[str] = []
    for m in ("poisson", "quasi_poisson", "cluster", "bootstrap"):
        if m in used:
            out += [k for k in keys[m] if k not in out]
    return out


def cluster_counts(clusters: np.ndarray | None, starts: np.ndarray,
                   sizes: np.ndarray) -> np.ndarray:
    """Distinct clusters per cell, shape (n_cells,); 1 everywhere without clusters."""
    if clusters is None:
        return np.ones(len(starts), dtype=np.int64)
    cell = np.repeat(np.arange(len(starts)), sizes)
    n = pd.Series(clusters).groupby(cell, sort=True).nunique()
    return n.to_numpy(dtype=np.int64)


def choose_methods(
    cnt_sum: np.ndarray,
    tok_sum: np.ndarray,
    n_clusters: np.ndarray,
    sizes: np.ndarray,
    *,
    interval: str,
    min_clusters: int,
    n_boot: int,
) -> np.ndarray:
    """The method of every (cell, category), shape (n_cells, n_cat); ``"none"``: no interval.

    ``"auto"``: ``"poisson"`` below :data:`AUTO_MIN_MATCHES` matches, else ``"cluster"``
    with at least ``min_clusters`` clusters, else ``"quasi_poisson"``. A cell without
    tokens, a cluster bootstrap with too few clusters, a document bootstrap with one
    document, and any bootstrap with ``n_boot=0`` get ``"none"``.
    """
    shape = cnt_sum.shape
    pooled = np.broadcast_to((n_clusters >= min_clusters)[:, None], shape)
    if interval == "auto":
        m = np.where(cnt_sum < AUTO_MIN_MATCHES, "poisson",
                     np.where(pooled, "cluster", "quasi_poisson")).astype(object)
    else:
        m = np.full(shape, interval, dtype=object)
    m[(m == "cluster") & ~pooled] = "none"
    m[(m == "bootstrap") & np.broadcast_to((sizes < 2)[:, None], shape)] = "none"
    if n_boot < 1:
        m[np.isin(m, ["cluster", "bootstrap"])] = "none"
    m[np.broadcast_to(~(tok_sum > 0)[:, None], shape)] = "none"
    return m


def quasi_poisson_cells(
    counts: np.ndarray,
    tokens: np.ndarray,
    starts: np.ndarray,
    cnt_sum: np.ndarray,
    tok_sum: np.ndarray,
    *,
    ci_level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quasi-Poisson limits and dispersion of every (cell, category), vectorised.

    The same numbers as :func:`toolkit.uncertainty.quasi_poisson_interval` on each cell's
    documents: the Pearson statistic ``sum((y - r e)^2 / (r e))`` over documents with
    tokens equals ``sum(y^2 / e) / r - k`` (``r`` the pooled rate, ``k`` the count), over
    ``n - 1`` degrees of freedom, floored at 1. Returns low, high, phi of shape
    (n_cells, n_cat).
    """
    pos = tokens > 0
    safe = np.where(pos, tokens, 1).astype(np.float64)
    y = counts.astype(np.float64)
    y2e = np.where(pos[:, None], y * y / safe[:, None], 0.0)
    s_y2e = np.add.reduceat(y2e, starts, axis=0)
    df = np.add.reduceat(pos.astype(np.int64), starts) - 1
    tok = tok_sum.astype(np.float64)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = cnt_sum / tok
        pearson = s_y2e / rate - cnt_sum
        phi = np.where((df[:, None] >= 1) & (rate > 0),
                       np.maximum(1.0, pearson / np.maximum(df, 1)[:, None]), 1.0)
    lo, hi = poisson_interval(cnt_sum / phi, np.broadcast_to(tok, cnt_sum.shape) / phi,
                              ci_level=ci_level, scale=SCALE)
    return lo.reshape(cnt_sum.shape), hi.reshape(cnt_sum.shape), phi


def cluster_cells(
    counts: np.ndarray,
    tokens: np.ndarray,
    clusters: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    todo: np.ndarray,
    *,
    n_boot: int,
    ci_level: float,
    boot_method: str,
    rng: np.random.Generator,
    max_elems: int = 4_000_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster-bootstrap limits where ``todo`` (n_cells, n_cat) is True; NaN elsewhere.

    For each cell the documents are summed per cluster (clusters sorted as str); a
    replicate draws as many clusters as the cell has, with replacement, exactly as
    :func:`toolkit.uncertainty.cluster_bootstrap_indices` does with the same generator,
    and its rate is the ratio of the drawn clusters' summed matches to their summed
    tokens. BCa takes its acceleration from the leave-one-cluster-out rates.
    """
    low = np.full(todo.shape, np.nan)
    high = np.full(todo.shape, np.nan)
    for g in np.flatnonzero(todo.any(axis=1)):
        sl = slice(starts[g], starts[g] + sizes[g])
        uniq, inv = np.unique(clusters[sl].astype(str), return_inverse=True)
        n_cl = len(uniq)
        c_sum = np.zeros((n_cl, counts.shape[1]))
        np.add.at(c_sum, inv, counts[sl])
        t_sum = np.bincount(inv, weights=tokens[sl].astype(np.float64), minlength=n_cl)
        draws = rng.integers(0, n_cl, size=(n_boot, n_cl))
        rep_c = np.empty((n_boot, counts.shape[1]))
        rep_t = np.empty(n_boot)
        step = max(1, max_elems // (n_cl * (counts.shape[1] + 1)))
        for b in range(0, n_boot, step):
            chunk = draws[b:b + step]
            flat = (np.arange(len(chunk))[:, None] * n_cl + chunk).ravel()
            freq = np.bincount(flat, minlength=chunk.size).reshape(chunk.shape).astype(float)
            # einsum, not BLAS: these small products are slower multithreaded
            rep_c[b:b + step] = np.einsum("bg,gc->bc", freq, c_sum)
            rep_t[b:b + step] = np.einsum("bg,g->b", freq, t_sum)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = rep_c / rep_t[:, None] * SCALE
            est = c_sum.sum(axis=0) / t_sum.sum() * SCALE
            jack = (c_sum.sum(axis=0) - c_sum) / (t_sum.sum() - t_sum)[:, None] * SCALE
        for j in np.flatnonzero(todo[g]):
            low[g, j], high[g, j] = bootstrap_interval(
                est[j], reps[:, j], method=boot_method, ci_level=ci_level,
                jackknife=jack[:, j] if boot_method == "bca" else None,
            )
    return low, high


def document_bootstrap(
    counts: np.ndarray,
    tokens: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    *,
    n_boot: int,
    alpha: float,
    rng: np.random.Generator,
    max_elems: int = 4_000_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap CIs of sum(counts)/sum(tokens) per cell, resampling documents.

    ``counts`` (n_docs, n_cat) and ``tokens`` (n_docs,) are sorted by cell; cell ``g`` owns
    rows ``starts[g] : starts[g] + sizes[g]``. Every replicate draws ``sizes[g]`` documents
    with replacement inside each cell (index resampling, all cells and replicates at once,
    in chunks of cells that bound memory). Cells with fewer than 2 documents get NaN.
    The same numbers, for the same generator, as keyword_trends gave before issue 11.
    """
    n_cells, n_cat = len(starts), counts.shape[1]
    low = np.full((n_cells, n_cat), np.nan)
    high = np.full((n_cells, n_cat), np.nan)
    todo = np.flatnonzero(sizes >= 2)
    if n_boot < 1 or todo.size == 0:
        return low, high
    counts = counts.astype(np.float64)
    tokens = tokens.astype(np.float64)
    # percentile positions (numpy's default "linear" method), read off a sorted axis
    pos = np.array([alpha / 2, 1 - alpha / 2]) * (n_boot - 1)
    lo_i, frac = np.floor(pos).astype(int), pos - np.floor(pos)
    hi_i = np.minimum(lo_i + 1, n_boot - 1)
    per_slot = n_boot * (n_cat + 2)
    i = 0
    while i < todo.size:
        # take as many cells as fit in the memory budget (at least one)
        csum = np.cumsum(sizes[todo[i:]]) * per_slot
        j = i + max(1, int(np.searchsorted(csum, max_elems, side="right")))
        cells = todo[i:j]
        sz = sizes[cells]
        slot_cell = np.repeat(np.arange(cells.size), sz)
        offsets = np.concatenate([[0], np.cumsum(sz)[:-1]])
        u = rng.random((slot_cell.size, n_boot))
        idx = starts[cells][slot_cell, None] + (u * sz[slot_cell, None]).astype(np.int64)
        tok = np.add.reduceat(tokens[idx], offsets, axis=0)  # (cells, n_boot)
        cnt = np.add.reduceat(counts[idx], offsets, axis=0)  # (cells, n_boot, n_cat)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = cnt / tok[:, :, None] * SCALE
        rate[tok <= 0] = np.nan  # sorts last; such replicates are rare (all-empty draws)
        rate.sort(axis=1)
        for b, (li, hi, f) in enumerate(zip(lo_i, hi_i, frac)):
            val = rate[:, li, :] * (1 - f) + rate[:, hi, :] * f
            (low if b == 0 else high)[cells] = val
        i = j
    return low, high


def rate_intervals(
    counts: np.ndarray,
    tokens: np.ndarray,
    clusters: np.ndarray | None,
    starts: np.ndarray,
    sizes: np.ndarray,
    *,
    interval: str,
    ci_level: float,
    n_boot: int,
    boot_method: str,
    min_clusters: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Limits, method and cluster count of every (cell, category) of sorted documents.

    Returns low, high and the ``ci_method`` labels, each (n_cells, n_cat), and the number
    of clusters per cell (n_cells,). The document bootstrap draws from ``rng`` first (as
    before issue 11), then the cluster bootstrap, cell by cell in order.
    """
    cnt_sum = np.add.reduceat(counts, starts, axis=0).astype(np.float64)
    tok_sum = np.add.reduceat(tokens, starts).astype(np.float64)
    n_clusters = cluster_counts(clusters, starts, sizes)
    methods = choose_methods(cnt_sum, tok_sum, n_clusters, sizes, interval=interval,
                             min_clusters=min_clusters, n_boot=n_boot)
    low = np.full(cnt_sum.shape, np.nan)
    high = np.full(cnt_sum.shape, np.nan)
    sel = methods == "bootstrap"
    if sel.any():
        lo, hi = document_bootstrap(counts, tokens, starts, sizes, n_boot=n_boot,
                                    alpha=1 - ci_level, rng=rng)
        low[sel], high[sel] = lo[sel], hi[sel]
    sel = methods == "poisson"
    if sel.any():
        tok = np.broadcast_to(tok_sum[:, None], cnt_sum.shape)
        low[sel], high[sel] = poisson_interval(cnt_sum[sel], tok[sel], ci_level=ci_level,
                                               scale=SCALE)
    sel = methods == "quasi_poisson"
    if sel.any():
        lo, hi, _ = quasi_poisson_cells(counts, tokens, starts, cnt_sum, tok_sum,
                                        ci_level=ci_level)
        low[sel], high[sel] = lo[sel], hi[sel]
    sel = methods == "cluster"
    if sel.any():
        lo, hi = cluster_cells(counts, tokens, clusters, starts, sizes, sel, n_boot=n_boot,
                               ci_level=ci_level, boot_method=boot_method, rng=rng)
        low[sel], high[sel] = lo[sel], hi[sel]
    return low, high, methods.astype(str), n_clusters

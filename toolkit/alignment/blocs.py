"""Blocs and maps: reading a similarity panel one period at a time.

:func:`similarity_matrix` spreads a period of a panel into a square matrix;
:func:`centered_similarity` removes what every actor of the period shares;
:func:`cluster_blocs` and :func:`bloc_summary` find blocs of actors (average linkage, number
of blocs by silhouette); :func:`map_positions` draws a classical MDS map per period, kept in
one orientation by Procrustes rotations.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.linalg import eigh as scipy_eigh
from scipy.linalg import orthogonal_procrustes
from scipy.optimize import linear_sum_assignment
from threadpoolctl import threadpool_limits

from toolkit._validation import check_option, require_columns
from toolkit.alignment._units import COLUMNS_HINT, unknown_codes_message

__all__ = [
    "bloc_summary",
    "centered_similarity",
    "cluster_blocs",
    "map_positions",
    "similarity_matrix",
]


def similarity_matrix(
    panel: pd.DataFrame,
    period: Any,
    *,
    actors: Sequence[str] | None = None,
    value: str = "similarity",
) -> pd.DataFrame:
    """The square actor x actor matrix of one period (diagonal 1, NaN where unknown).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel`.
    period : scalar
        The period to read.
    actors : sequence of str or None, default=None
        Rows/columns in this order; None takes every actor of that period, sorted.
    value : str, default="similarity"
        The panel column to spread (e.g. ``"ci_low"``).

    Returns
    -------
    DataFrame of shape (n_actors, n_actors)
    """
    sub = panel.loc[panel["period"] == period]
    if sub.empty:
        avail = panel["period"].unique()
        raise ValueError(f"period {period!r} is not in the panel; it has {avail[:10].tolist()}...")
    names = np.union1d(sub["actor_a"].astype(str), sub["actor_b"].astype(str))
    if actors is not None:
        unknown = [a for a in actors if a not in set(names.tolist())]
        if unknown:
            raise ValueError(unknown_codes_message(unknown, names.tolist(), "actor"))
        names = np.asarray(actors, dtype=object)
    idx = pd.Index(names)
    ia = idx.get_indexer(sub["actor_a"].astype(str))
    ib = idx.get_indexer(sub["actor_b"].astype(str))
    keep = (ia >= 0) & (ib >= 0)
    m = np.full((len(names), len(names)), np.nan)
    vals = sub[value].to_numpy(dtype=float)[keep]
    m[ia[keep], ib[keep]] = vals
    m[ib[keep], ia[keep]] = vals
    np.fill_diagonal(m, 1.0 if value == "similarity" else np.nan)
    labels = pd.Index(names, name="actor")
    return pd.DataFrame(m, index=labels, columns=labels.copy())


def _period_matrices(
    panel: pd.DataFrame, periods: Sequence[Any] | None, actors: Sequence[str] | None
) -> Iterable[tuple[Any, pd.DataFrame]]:
    """Yield ``(period, square similarity matrix)`` for each period, grouping the panel once."""
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=COLUMNS_HINT,
    )
    wanted = None if actors is None else set(map(str, actors))
    groups = dict(tuple(panel.groupby("period", sort=True)[["actor_a", "actor_b", "similarity"]]))
    plist = list(groups) if periods is None else list(periods)
    unknown = [p for p in plist if p not in groups]
    if unknown:
        raise ValueError(f"period(s) {unknown} are not in the panel; it has {list(groups)[:10]}...")
    for p in plist:
        g = groups[p]
        a = g["actor_a"].to_numpy().astype(str)
        b = g["actor_b"].to_numpy().astype(str)
        if wanted is not None:
            keep = np.isin(a, list(wanted)) & np.isin(b, list(wanted))
            a, b, v = a[keep], b[keep], g["similarity"].to_numpy(dtype=float)[keep]
        else:
            v = g["similarity"].to_numpy(dtype=float)
        codes, names = pd.factorize(np.concatenate([a, b]), sort=True)
        n = len(names)
        m = np.full((n, n), np.nan)
        m[codes[: len(a)], codes[len(a) :]] = v
        m[codes[len(a) :], codes[: len(a)]] = v
        np.fill_diagonal(m, 1.0)
        labels = pd.Index(names.astype(str), name="actor")
        yield p, pd.DataFrame(m, index=labels, columns=labels.copy())


def _complete_submatrix(mat: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop actors (most-NaN first) until no NaN is left."""
    nan = np.isnan(mat.to_numpy())
    keep = np.ones(len(mat), dtype=bool)
    while nan[np.ix_(keep, keep)].any():
        counts = np.where(keep, (nan & keep[None, :]).sum(axis=1), -1)
        keep[int(np.argmax(counts))] = False
    dropped = mat.index[~keep].astype(str).tolist()
    return mat.loc[keep, keep], dropped


def centered_similarity(sim: np.ndarray | pd.DataFrame) -> np.ndarray:
    """Similarity after removing what every actor of the period shares.

    For a cosine similarity matrix ``S`` of unit-length vectors ``u_i`` the inner products
    of the centred vectors ``u_i - mean(u)`` are ``B = J S J`` (``J = I - 11'/n``, the
    double centring of classical MDS), and their cosine is ``B_ij / sqrt(B_ii B_jj)``.
    Every General Debate speech shares a large common vocabulary, so raw tf-idf cosines sit
    in a narrow band and clustering them chains almost every state into one group; the
    centred cosine keeps only how two states differ *from the average speech of the
    period* (range -1 to 1). For other measures (1 - JSD) read it as the normalised Gram
    matrix of classical MDS on ``d^2 = 2 (1 - S)``.

    Parameters
    ----------
    sim : array or DataFrame of shape (n_actors, n_actors)
        Symmetric, complete (no NaN), diagonal 1.

    Returns
    -------
    ndarray of shape (n_actors, n_actors)
        Diagonal 1 (0 where an actor equals the mean profile).
    """
    s = np.asarray(sim, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"sim must be a square matrix, got shape {s.shape}.")
    if np.isnan(s).any():
        raise ValueError("sim has NaN entries; drop actors without text first.")
    n = len(s)
    s = 0.5 * (s + s.T)
    b = s - s.mean(axis=0) - s.mean(axis=1)[:, None] + s.mean()
    scale = np.sqrt(np.clip(np.diag(b), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = b / scale[:, None] / scale[None, :]
    c = np.where(np.isfinite(c), np.clip(c, -1.0, 1.0), 0.0)
    c[np.arange(n), np.arange(n)] = np.where(scale > 0, 1.0, 0.0)
    return c


def _distance(mat: pd.DataFrame, *, centre: bool) -> np.ndarray:
    """``1 - similarity`` (of :func:`centered_similarity` with ``centre``), symmetric, >= 0."""
    s = centered_similarity(mat.to_numpy()) if centre else mat.to_numpy(dtype=float)
    dist = np.clip(1.0 - s, 0.0, None)
    dist = 0.5 * (dist + dist.T)
    np.fill_diagonal(dist, 0.0)
    return dist


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    k = len(np.unique(labels))
    if not 2 <= k <= len(labels) - 1:
        return np.nan
    return float(silhouette_score(dist, labels, metric="precomputed"))


def _check_bloc_options(
    *, method: str, n_blocs: int | None, k_range: tuple[int, int]
) -> tuple[int, int]:
    if method == "ward":
        raise ValueError(
            "method='ward' is not supported: Ward linkage assumes Euclidean distances and "
            "1 - similarity is not one; use 'average' (default) or 'complete'."
        )
    if method not in {"average", "complete", "single", "weighted"}:
        raise ValueError(
            f"method={method!r} is not supported; use average, complete, single or weighted."
        )
    if n_blocs is not None and n_blocs < 1:
        raise ValueError(f"n_blocs must be >= 1 or None, got {n_blocs}.")
    lo_k, hi_k = (int(k) for k in k_range)
    if not 2 <= lo_k <= hi_k:
        raise ValueError(f"k_range must be (low, high) with 2 <= low <= high, got {k_range}.")
    return lo_k, hi_k


def _cut(
    z: np.ndarray,
    dist: np.ndarray,
    period: Any,
    *,
    n_blocs: int | None,
    k_range: tuple[int, int],
    tie_tol: float,
) -> tuple[np.ndarray, float, list[dict[str, Any]]]:
    """Bloc labels of one period's tree, their silhouette, and the cuts tried."""
    n = len(dist)
    if n_blocs is not None:
        labels = fcluster(z, t=min(n_blocs, n), criterion="maxclust")
        return labels, _silhouette(dist, labels), []
    tried = []
    for k in range(k_range[0], min(k_range[1], n - 1) + 1):
        lab_k = fcluster(z, t=k, criterion="maxclust")
        tried.append((k, _silhouette(dist, lab_k), lab_k))
    scores = np.array([s for _, s, _ in tried], dtype=float)
    ok = np.isfinite(scores)
    if ok.any() and np.nanmax(scores) > tie_tol:
        best = np.nanmax(scores)
        pick = next(i for i, s in enumerate(scores) if ok[i] and s >= best - tie_tol)
        _, sil, labels = tried[pick]
    else:
        pick, sil, labels = -1, np.nan, np.ones(n, dtype=int)
    selection = [
        {"period": period, "k": k, "silhouette": s, "chosen": i == pick}
        for i, (k, s, _) in enumerate(tried)
    ]
    return labels, sil, selection


def cluster_blocs(
    panel: pd.DataFrame,
    *,
    n_blocs: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    centre: bool = True,
    method: str = "average",
    tie_tol: float = 1e-3,
    periods: Iterable[Any] | None = None,
    actors: Sequence[str] | None = None,
    align_labels: bool = True,
) -> pd.DataFrame:
    """Blocs of actors per period: average-linkage clustering with a silhouette-chosen size.

    For each period the complete actor x actor matrix is turned into a distance
    ``1 - similarity`` (by default on the :func:`centered_similarity`, which removes the
    vocabulary every speech of the period shares), clustered hierarchically, and cut into
    ``n_blocs`` blocs. With ``n_blocs=None`` the number of blocs is chosen per period: every
    cut with ``k`` in ``k_range`` is scored by its mean silhouette width on the same
    distance (Rousseeuw 1987; -1 to 1, higher = blocs better separated) and the smallest
    ``k`` whose silhouette is within ``tie_tol`` of the best is kept (ties -> fewer blocs);
    one bloc counts as silhouette 0, so when no cut scores above ``tie_tol`` the period is
    one bloc. Read the silhouette as
    the strength of the bloc structure: below about 0.25 it is weak (Kaufman & Rousseeuw
    1990).

    The clustering is deterministic (no seed needed). Actors with unknown similarities in a
    period are left out of that period (listed in ``attrs["dropped"]``). Cluster over every
    actor of the panel, not only a few focus states: a bloc is only meaningful relative to
    the states it leaves out.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel`.
    n_blocs : int or None, default=None
        Fixed number of blocs (``fcluster(..., criterion="maxclust")``); None chooses it by
        the silhouette criterion above.
    k_range : (int, int), default=(2, 8)
        Smallest and largest number of blocs tried when ``n_blocs`` is None (capped at
        ``n_actors - 1``).
    centre : bool, default=True
        Cluster on :func:`centered_similarity`; False uses the panel's similarity as it is
        (with tf-idf cosine on the UNGDC this gives one bloc of nearly every state plus
        singletons).
    method : {"average", "complete", "single", "weighted"}, default="average"
        Linkage method (on the precomputed distance). Ward linkage is not offered: it
        assumes Euclidean distances.
    tie_tol : float, default=1e-3
        Silhouettes this close to the best count as ties.
    periods : iterable or None, default=None
        Periods to cluster; None means all.
    actors : sequence of str or None, default=None
        Restrict to these actors.
    align_labels : bool, default=True
        Match bloc numbers of each period to the previous period's by maximum overlap
        (Hungarian assignment), so "bloc 1" keeps meaning the same group; the first
        period's blocs are numbered by size (largest = 1).

    Returns
    -------
    DataFrame
        ``actor, period, bloc`` (int from 1), ``bloc_size`` (actors in that bloc),
        ``n_blocs`` and ``silhouette`` (of the period's chosen cut; NaN for one bloc).
        ``attrs["selection"]``: records ``{period, k, silhouette, chosen}`` of every cut
        tried; ``attrs["dropped"]``: actors left out per period; ``attrs["params"]``.
    """
    lo_k, hi_k = _check_bloc_options(method=method, n_blocs=n_blocs, k_range=k_range)
    columns = ["actor", "period", "bloc", "bloc_size", "n_blocs", "silhouette"]
    frames, dropped_all, selection = [], {}, []
    prev: pd.Series | None = None
    for p, full in _period_matrices(panel, None if periods is None else list(periods), actors):
        mat, dropped = _complete_submatrix(full)
        if dropped:
            dropped_all[p] = dropped
        n = len(mat)
        if n < 2:
            continue
        dist = _distance(mat, centre=centre)
        z = linkage(dist[np.triu_indices(n, 1)], method=method)
        labels, sil, tried = _cut(
            z, dist, p, n_blocs=n_blocs, k_range=(lo_k, hi_k), tie_tol=tie_tol
        )
        selection += tried
        lab = pd.Series(labels, index=mat.index.astype(str))
        if align_labels:
            lab = _relabel(lab, prev, n_blocs or 0)
        prev = lab
        sizes = lab.map(lab.value_counts())
        frames.append(
            pd.DataFrame(
                {
                    "actor": lab.index,
                    "period": p,
                    "bloc": lab.to_numpy().astype(np.int64),
                    "bloc_size": sizes.to_numpy().astype(np.int64),
                    "n_blocs": int(lab.nunique()),
                    "silhouette": sil,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out.attrs["dropped"] = dropped_all
    out.attrs["selection"] = selection
    out.attrs["params"] = {
        "n_blocs": n_blocs, "k_range": [lo_k, hi_k], "centre": centre, "method": method,
        "tie_tol": tie_tol,
    }
    return out


def bloc_summary(
    blocs: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    actors: Sequence[str],
    period: Any = None,
    n_mates: int = 3,
    centre: bool | None = None,
) -> pd.DataFrame:
    """Where chosen actors fall in one period's blocs, with their nearest bloc mates.

    Parameters
    ----------
    blocs : DataFrame
        Output of :func:`cluster_blocs`.
    panel : DataFrame
        The panel the blocs were computed from.
    actors : sequence of str
        The actors to describe (e.g. the report's focus states); those absent from the
        period's blocs are left out (listed in ``attrs["absent"]``).
    period : scalar or None, default=None
        None takes the last period of ``blocs``.
    n_mates : int, default=3
        Bloc mates listed per actor, most similar first.
    centre : bool or None, default=None
        Rank mates by :func:`centered_similarity` (True) or by the panel's similarity
        (False); None follows ``blocs.attrs["params"]["centre"]`` (True when unknown), so the
        ranking uses the similarity the blocs were cut on.

    Returns
    -------
    DataFrame
        One row per actor present: ``actor, period, bloc, bloc_size, n_blocs, silhouette,
        mates`` (comma-separated codes) and ``mate_similarity`` (mean similarity to those
        mates on the ranking scale). ``attrs["bloc_sizes"]``: sizes of all the period's
        blocs, largest first.
    """
    require_columns(blocs, ["actor", "period", "bloc"], what="blocs", hint=COLUMNS_HINT)
    if n_mates < 1:
        raise ValueError(f"n_mates must be >= 1, got {n_mates}.")
    if blocs.empty:
        raise ValueError("blocs is empty; nothing to summarise.")
    if period is None:
        period = blocs["period"].max()
    sub = blocs[blocs["period"] == period]
    if sub.empty:
        raise ValueError(
            f"period {period!r} is not in blocs; it has {blocs['period'].unique()[:10].tolist()}."
        )
    if centre is None:
        centre = bool(blocs.attrs.get("params", {}).get("centre", True))
    names = sub["actor"].astype(str).tolist()
    mat = similarity_matrix(panel, period, actors=names)
    sim = pd.DataFrame(
        centered_similarity(mat.to_numpy()) if centre else mat.to_numpy(dtype=float),
        index=mat.index, columns=mat.columns,
    )
    lab = sub.set_index(sub["actor"].astype(str))
    rows, absent = [], []
    for a in actors:
        if a not in lab.index:
            absent.append(a)
            continue
        same = lab.index[(lab["bloc"] == lab.loc[a, "bloc"]).to_numpy() & (lab.index != a)]
        ranked = sim.loc[a, same].sort_values(ascending=False, kind="stable").head(n_mates)
        rows.append(
            {
                "actor": a,
                "period": period,
                "bloc": int(lab.loc[a, "bloc"]),
                "bloc_size": int(len(same) + 1),
                "n_blocs": int(lab["bloc"].nunique()),
                "silhouette": float(lab.loc[a, "silhouette"]) if "silhouette" in lab else np.nan,
                "mates": ", ".join(ranked.index.astype(str)),
                "mate_similarity": float(ranked.mean()) if len(ranked) else np.nan,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=["actor", "period", "bloc", "bloc_size", "n_blocs", "silhouette", "mates",
                 "mate_similarity"],
    )
    out.attrs["absent"] = absent
    out.attrs["bloc_sizes"] = sorted(lab["bloc"].value_counts().tolist(), reverse=True)
    return out


def _relabel(lab: pd.Series, prev: pd.Series | None, n_blocs: int) -> pd.Series:
    cur_ids = np.unique(lab.to_numpy())
    if prev is None:
        # first period: number blocs by size (largest = 1), ties by first actor
        order = sorted(cur_ids, key=lambda c: (-(lab == c).sum(), lab.index[lab == c][0]))
        return lab.map({c: i + 1 for i, c in enumerate(order)})
    prev_ids = np.arange(1, max(n_blocs, prev.max(), len(cur_ids)) + 1)
    common = lab.index.intersection(prev.index)
    overlap = np.zeros((len(cur_ids), len(prev_ids)))
    for i, c in enumerate(cur_ids):
        members = common[lab[common].to_numpy() == c]
        for j, q in enumerate(prev_ids):
            overlap[i, j] = (prev[members].to_numpy() == q).sum()
    ri, cj = linear_sum_assignment(-overlap)
    mapping = {cur_ids[i]: int(prev_ids[j]) for i, j in zip(ri, cj, strict=True)}
    return lab.map(mapping)


# ====================================================================== maps
def _classical_mds(dist: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(dist)
    d2 = dist**2
    b = -0.5 * (d2 - d2.mean(axis=0) - d2.mean(axis=1)[:, None] + d2.mean())
    b = 0.5 * (b + b.T)
    k = min(n_components, n)
    with threadpool_limits(limits=1, user_api="blas"):
        vals, vecs = scipy_eigh(b, subset_by_index=[n - k, n - 1])
    order = np.argsort(vals)[::-1][:n_components]
    vals, vecs = vals[order], vecs[:, order]
    # deterministic sign: largest-magnitude entry of each axis positive
    signs = np.sign(vecs[np.abs(vecs).argmax(axis=0), np.arange(vecs.shape[1])])
    signs[signs == 0] = 1.0
    coords = vecs * signs * np.sqrt(np.clip(vals, 0.0, None))
    if coords.shape[1] < n_components:
        coords = np.hstack([coords, np.zeros((n, n_components - coords.shape[1]))])
        vals = np.concatenate([vals, np.zeros(n_components - len(vals))])
    return coords, vals


def _orient(configs: dict[Any, pd.DataFrame], anchor: Any, orient: tuple[str, str]) -> None:
    """Flip the first axis of the anchor period so that ``orient[1]`` lies right of ``[0]``."""
    a, b = orient
    cfg = configs[anchor]
    if a in cfg.index and b in cfg.index:
        if cfg.loc[b, 0] < cfg.loc[a, 0]:
            cfg[0] = -cfg[0]
    else:
        warnings.warn(
            f"orient={orient} not applied: {a} or {b} is absent in period {anchor}.",
            stacklevel=3,
        )


def _procrustes_align(
    configs: dict[Any, pd.DataFrame], anchor: Any, *, align: str, n_components: int
) -> list[Any]:
    """Rotate each period onto the previous one (or the anchor); return periods not aligned."""
    done = list(configs)
    order = [anchor] + [p for p in done if p != anchor] if align == "reference" else done
    target = configs[anchor]
    not_aligned = []
    for p in order[1:]:
        cfg = configs[p]
        if align == "previous":
            target = configs[order[order.index(p) - 1]]
        common = cfg.index.intersection(target.index)
        if len(common) < n_components + 1:
            not_aligned.append(p)
            continue
        xc = cfg.loc[common].to_numpy()
        tc = target.loc[common].to_numpy()
        mx, mt = xc.mean(axis=0), tc.mean(axis=0)
        r, _ = orthogonal_procrustes(xc - mx, tc - mt)
        configs[p] = pd.DataFrame((cfg.to_numpy() - mx) @ r + mt, index=cfg.index)
    return not_aligned


def map_positions(
    panel: pd.DataFrame,
    *,
    n_components: int = 2,
    align: str | None = "previous",
    reference: Any = None,
    orient: tuple[str, str] | None = None,
    periods: Iterable[Any] | None = None,
    actors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A 2-D map of actors per period (classical MDS on ``1 - similarity``), stably oriented.

    MDS axes are only defined up to rotation and reflection, so a map drawn per period
    would flip at random. Each period's configuration is rotated/reflected (orthogonal
    Procrustes, no scaling) onto the previous period's aligned configuration
    (``align="previous"``) or onto one reference period (``align="reference"``), using the
    actors the two share.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel`.
    n_components : int, default=2
        Dimensions kept.
    align : {"previous", "reference"} or None, default="previous"
        How orientation is carried across periods; None leaves each period as computed.
    reference : scalar or None, default=None
        The reference period for ``align="reference"`` (default: the last period).
    orient : (str, str) or None, default=None
        Two actors, e.g. ``("RUS", "USA")``: flip the first axis of the anchor period (the first
        period, or ``reference``) so the second actor lies to the right of the first.
    periods : iterable or None, default=None
        Periods to map; None means all.
    actors : sequence of str or None, default=None
        Restrict to these actors.

    Returns
    -------
    DataFrame
        ``actor, period, dim1, dim2, ...``; ``attrs["mds"]`` holds per-period eigenvalues,
        the actors dropped for missing similarities and periods that could not be aligned.
    """
    check_option("align", align, ("previous", "reference", None))
    if panel.empty:
        raise ValueError("The panel is empty; nothing to map.")
    configs: dict[Any, pd.DataFrame] = {}
    info: dict[str, Any] = {"eigenvalues": {}, "dropped": {}, "not_aligned": []}
    for p, full in _period_matrices(panel, None if periods is None else list(periods), actors):
        mat, dropped = _complete_submatrix(full)
        if dropped:
            info["dropped"][p] = dropped
        if len(mat) < 2:
            continue
        coords, vals = _classical_mds(_distance(mat, centre=False), n_components)
        info["eigenvalues"][p] = vals.tolist()
        configs[p] = pd.DataFrame(coords, index=mat.index.astype(str))
    if not configs:
        raise ValueError("No period has two or more actors with known similarities.")
    done = list(configs)
    anchor = done[0]
    if align == "reference":
        anchor = done[-1] if reference is None else reference
        if anchor not in configs:
            raise ValueError(
                f"reference period {anchor!r} is not in the panel (or has < 2 actors)."
            )
    if orient is not None:
        _orient(configs, anchor, orient)
    if align is not None:
        info["not_aligned"] = _procrustes_align(
            configs, anchor, align=align, n_components=n_components
        )
    frames = []
    for p in done:
        cfg = configs[p]
        df = pd.DataFrame(cfg.to_numpy(), columns=[f"dim{i + 1}" for i in range(n_components)])
        df.insert(0, "period", p)
        df.insert(0, "actor", cfg.index.to_numpy())
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["mds"] = info
    return out

"""Wordscores over periods: scale groups and the passage bootstrap.

Private to :mod:`~toolkit.alignment.scaling`. A *scale group* is one set of reference texts
(one pooled text per reference actor) and the actor-period units scored against them: one
group for the whole span with ``scale="fixed"``, one per period with ``scale="per_period"``.
:func:`bootstrap_groups` reweights the passages (matrix rows) of every unit in each replicate
-- Dirichlet(1) weights (the Bayesian bootstrap, Rubin 1981) or multinomial counts (the
ordinary bootstrap) -- and recomputes the word scores, every unit's raw score and the
rescaled score, so the replicates carry the uncertainty of the word scores as well as that
of the scored texts (Lowe & Benoit 2011; Benoit, Laver & Mikhaylov 2009).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: ``resampling=`` options of :func:`toolkit.alignment.wordscores_by_period`.
RESAMPLING = ("bayesian", "ordinary")


def word_scores(counts: np.ndarray, scores: np.ndarray, smooth: float) -> np.ndarray:
    """LBG word scores ``S_w = sum_r A_r F_wr / sum_r F_wr`` from reference counts (n_refs, V).

    NaN for words absent from every reference (after ``smooth`` is added to every count).
    """
    counts = np.asarray(counts, dtype=np.float64) + smooth
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = counts / totals
        colsum = f.sum(axis=0)
        return np.where(colsum > 0, (scores @ f) / colsum, np.nan)


@dataclass(frozen=True)
class ScaleGroup:
    """One scale: reference rows per reference actor and the units scored on it."""

    label: object  # the period (per-period scale) or "all" (fixed scale)
    ref_rows: tuple[np.ndarray, ...]  # matrix rows pooled into each reference text
    ref_scores: np.ndarray  # (n_refs,)
    units: np.ndarray  # scored unit positions (in Units order)
    virgin: np.ndarray  # (n_units,) bool: not a reference text (LBG rescaling uses these)
    ref_periods: tuple  # the periods whose reference texts are pooled


def row_weights(units, n_matrix_rows: int, rng: np.random.Generator, kind: str) -> np.ndarray:
    """One replicate's weight for every matrix row, resampled within its unit (mean 1)."""
    sizes = units.n_rows
    unit_of = np.repeat(np.arange(len(sizes)), sizes)
    if kind == "bayesian":
        g = rng.standard_exponential(len(units.rows))
        w_grouped = g / np.bincount(unit_of, g)[unit_of] * sizes[unit_of]
    else:
        pick = units.start[unit_of] + np.floor(rng.random(len(units.rows)) * sizes[unit_of])
        w_grouped = np.bincount(pick.astype(np.int64), minlength=len(units.rows))
    w = np.zeros(n_matrix_rows)
    w[units.rows] = w_grouped
    return w


def rescale_map(
    rescale: str, raw: np.ndarray, virgin: np.ndarray, ref_raw: np.ndarray, ref_scores: np.ndarray
) -> tuple[float, float]:
    """``(a, b)`` with rescaled = a + b * raw: LBG, Martin-Vanberg or identity."""
    if rescale == "none":
        return 0.0, 1.0
    if rescale == "lbg":
        v = raw[virgin & np.isfinite(raw)]
        if len(v) < 2 or np.std(v) == 0:
            return np.nan, np.nan
        b = np.std(ref_scores, ddof=1) / np.std(v, ddof=1)
        return float(v.mean() - b * v.mean()), float(b)
    lo, hi = np.argmin(ref_scores), np.argmax(ref_scores)
    b = (ref_scores[hi] - ref_scores[lo]) / (ref_raw[hi] - ref_raw[lo])
    return float(ref_scores[lo] - b * ref_raw[lo]), float(b)


def _raw_scores(
    x: sp.csr_matrix, w: np.ndarray, local_unit: np.ndarray, n_units: int, s: np.ndarray
) -> np.ndarray:
    """Weighted raw score of every unit: sum_j w_j x_j . S / sum_j w_j (scored tokens of x_j)."""
    scored = np.isfinite(s)
    num = np.bincount(local_unit, w * (x @ np.where(scored, s, 0.0)), minlength=n_units)
    den = np.bincount(local_unit, w * (x @ scored.astype(np.float64)), minlength=n_units)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


def bootstrap_groups(
    x: sp.csr_matrix,
    units,
    groups: list[ScaleGroup],
    *,
    smooth: float,
    rescale: str,
    n_boot: int,
    resampling: str,
    rng: np.random.Generator,
    progress: bool = False,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Replicates ``(raw, score)`` of shape (n_boot, n_units) for every group."""
    prepared = []
    for g in groups:
        rows = [units.rows[units.start[u] : units.start[u + 1]] for u in g.units]
        sel = np.concatenate(rows)
        local = np.repeat(np.arange(len(g.units)), [len(r) for r in rows])
        refs = [(r, x[r]) for r in g.ref_rows]
        prepared.append((sel, local, x[sel], refs))
    out = [(np.empty((n_boot, len(g.units))), np.empty((n_boot, len(g.units)))) for g in groups]
    replicates: Iterable[int] = range(n_boot)
    if progress and n_boot > 50:
        from tqdm.auto import tqdm

        replicates = tqdm(replicates, desc="wordscores bootstrap", unit="replicate")
    for b in replicates:
        w = row_weights(units, x.shape[0], rng, resampling)
        for g, (sel, local, xs, refs), (raw_b, score_b) in zip(groups, prepared, out, strict=True):
            ref_counts = np.vstack([np.asarray(w[r] @ xr).ravel() for r, xr in refs])
            s = word_scores(ref_counts, g.ref_scores, smooth)
            raw = _raw_scores(xs, w[sel], local, len(g.units), s)
            scored = np.isfinite(s)
            with np.errstate(invalid="ignore", divide="ignore"):
                ref_raw = (ref_counts[:, scored] @ s[scored]) / ref_counts[:, scored].sum(axis=1)
            a, slope = rescale_map(rescale, raw, g.virgin, ref_raw, g.ref_scores)
            raw_b[b] = raw
            score_b[b] = a + slope * raw
    return out

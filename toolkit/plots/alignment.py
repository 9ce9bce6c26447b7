"""Figures for :mod:`toolkit.alignment`: dyad series, heat maps, maps, scaling, validation.

Every function takes the tidy tables that ``toolkit.alignment`` returns and gives back a
:class:`matplotlib.figure.Figure` with a title and labelled axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import require_columns
from toolkit.alignment import similarity_matrix
from toolkit.plots.style import colour

__all__ = [
    "plot_dyad_series",
    "plot_position_series",
    "plot_positions",
    "plot_similarity_heatmap",
    "plot_validation",
]


def _measure_label(table: pd.DataFrame) -> str:
    measure = table.attrs.get("alignment", {}).get("measure", "cosine")
    return "1 − Jensen–Shannon divergence" if measure == "js" else "tf-idf cosine similarity"



def plot_dyad_series(
    series: pd.DataFrame,
    *,
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> Figure:
    """Similarity over time for each dyad, with the bootstrap band where there is one.

    Parameters
    ----------
    series : DataFrame
        Output of :func:`toolkit.alignment.dyad_series` (``pair, period, similarity``,
        optionally ``ci_low, ci_high``).
    title : str or None, default=None
    ax : matplotlib Axes or None, default=None
        Draw into this Axes; None makes a new figure.

    Returns
    -------
    Figure
    """
    require_columns(
        series, ["pair", "period", "similarity"],
        what="plot_dyad_series", nonempty=True,
    )
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        fig = ax.figure
    pairs = (
        series["pair"].cat.categories
        if isinstance(series["pair"].dtype, pd.CategoricalDtype)
        else series["pair"].unique()
    )
    for pair in pairs:
        sub = series[series["pair"] == pair].sort_values("period")
        if sub.empty:
            continue
        (line,) = ax.plot(sub["period"], sub["similarity"], marker=".", lw=1.5, label=str(pair))
        if {"ci_low", "ci_high"} <= set(sub.columns) and sub["ci_low"].notna().any():
            ax.fill_between(
                sub["period"].to_numpy(dtype=float),
                sub["ci_low"].to_numpy(dtype=float),
                sub["ci_high"].to_numpy(dtype=float),
                color=line.get_color(),
                alpha=0.2,
                lw=0,
            )
    ax.set_xlabel("period (year of session)")
    ax.set_ylabel(_measure_label(series))
    ax.set_title(title or "Text similarity of selected dyads")
    ax.legend(title="dyad", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_similarity_heatmap(
    panel: pd.DataFrame,
    *,
    period: Any,
    actors: Sequence[str] | None = None,
    order: str = "cluster",
    title: str | None = None,
) -> Figure:
    """Actor x actor similarity of one period as a heat map.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel`.
    period : scalar
        The period to draw.
    actors : sequence of str or None, default=None
        Only these actors (None: all actors of the period; over ~60 the labels get small).
    order : {"cluster", "alpha"}, default="cluster"
        Order rows by average-linkage clustering (blocs side by side) or alphabetically.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    from scipy.cluster.hierarchy import leaves_list, linkage

    if order not in {"cluster", "alpha"}:
        raise ValueError(f"order={order!r} is not supported; use 'cluster' or 'alpha'.")
    mat = similarity_matrix(panel, period, actors=actors)
    if order == "cluster" and len(mat) > 2 and not mat.isna().to_numpy().any():
        dist = np.clip(1 - mat.to_numpy(), 0, None)
        np.fill_diagonal(dist, 0)
        leaves = leaves_list(linkage(dist[np.triu_indices(len(mat), 1)], method="average"))
        mat = mat.iloc[leaves, leaves]
    n = len(mat)
    size = min(14.0, 3 + 0.18 * n)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    off = mat.to_numpy().copy()
    np.fill_diagonal(off, np.nan)
    vmin = np.nanmin(off) if np.isfinite(off).any() else 0.0
    im = ax.imshow(mat.to_numpy(), cmap="viridis", vmin=vmin, vmax=np.nanmax(off) if n > 1 else 1)
    ax.set_xticks(range(n), mat.columns, rotation=90, fontsize=max(4, 10 - n // 20))
    ax.set_yticks(range(n), mat.index, fontsize=max(4, 10 - n // 20))
    ax.set_xlabel("actor")
    ax.set_ylabel("actor")
    fig.colorbar(im, ax=ax, label=_measure_label(panel), shrink=0.8)
    ax.set_title(title or f"Text similarity between actors, {period}")
    fig.tight_layout()
    return fig


def plot_positions(
    positions: pd.DataFrame,
    *,
    period: Any = None,
    highlight: Sequence[str] | None = None,
    blocs: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """A 2-D map of actors in one period (from :func:`toolkit.alignment.map_positions`).

    Parameters
    ----------
    positions : DataFrame
        ``actor, period, dim1, dim2``.
    period : scalar or None, default=None
        The period to draw; None takes the last one.
    highlight : sequence of str or None, default=None
        Actors circled and labelled (e.g. the report's focus states); every other actor is
        a small point. None highlights no actor.
    blocs : DataFrame or None, default=None
        Output of :func:`toolkit.alignment.cluster_blocs`; colours points by bloc.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(
        positions, ["actor", "period", "dim1", "dim2"],
        what="plot_positions", nonempty=True,
    )
    if period is None:
        period = positions["period"].max()
    sub = positions[positions["period"] == period]
    if sub.empty:
        raise ValueError(f"period {period!r} is not in the positions table.")
    fig, ax = plt.subplots(figsize=(7, 6))
    if blocs is not None:
        b = blocs[blocs["period"] == period].set_index("actor")["bloc"].astype(int)
        bloc_of = sub["actor"].map(b)
        for bloc in sorted(b.unique()):
            pts = sub[(bloc_of == bloc).to_numpy()]  # palette has no grey: grey = no bloc
            ax.scatter(pts["dim1"], pts["dim2"], s=14, color=colour(bloc - 1),
                       alpha=0.7, lw=0,
                       label=f"bloc {bloc} ({int((b == bloc).sum())} actors)")
        rest = sub[bloc_of.isna().to_numpy()]
        if len(rest):
            ax.scatter(rest["dim1"], rest["dim2"], s=14, color="0.6", alpha=0.7, lw=0,
                       label=f"no bloc ({len(rest)})")
        ax.legend(fontsize="small", title="bloc (size)", loc="best")
    else:
        ax.scatter(sub["dim1"], sub["dim2"], s=14, color="0.6", alpha=0.7, lw=0)
    hl = sub[sub["actor"].isin(list(highlight or []))]
    ax.scatter(hl["dim1"], hl["dim2"], s=60, facecolors="none", edgecolors="k")
    for _, r in hl.iterrows():
        ax.annotate(r["actor"], (r["dim1"], r["dim2"]), xytext=(4, 4), textcoords="offset points")
    ax.axhline(0, color="0.85", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    ax.set_xlabel("dimension 1 (classical MDS of 1 − similarity)")
    ax.set_ylabel("dimension 2")
    ax.set_title(title or f"Map of actors by text similarity, {period}")
    fig.tight_layout()
    return fig


def plot_position_series(
    scores: pd.DataFrame,
    *,
    actors: Sequence[str] | None = None,
    value: str | None = None,
    title: str | None = None,
) -> Figure:
    """Scaling positions over time (e.g. :func:`toolkit.alignment.wordscores_by_period`).

    Parameters
    ----------
    scores : DataFrame
        ``actor, period`` and a score column with ``<value>`` (and optionally
        ``<ci_low>/<ci_high>`` counterparts: ``score_ci_low`` or ``ci_low``).
    actors : sequence of str or None, default=None
        The actors drawn, in this order (unknown ones raise ``ValueError``). None draws
        every actor of ``scores`` in sorted order; with more than about ten the lines get
        hard to tell apart, so pass the few you discuss.
    value : str or None, default=None
        Column to draw; None uses ``score`` (rescaled) when present, else ``raw``.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(scores, ["actor", "period"], what="plot_position_series", nonempty=True)
    value = value or ("score" if "score" in scores.columns else "raw")
    lo, hi = ("score_ci_low", "score_ci_high") if value == "score" else ("ci_low", "ci_high")
    if actors is None:
        actors = sorted(scores["actor"].astype(str).unique())
    unknown = [a for a in actors if a not in set(scores["actor"])]
    if unknown:
        raise ValueError(f"actor(s) {unknown} are not in the scores table.")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for a in actors:
        sub = scores[scores["actor"] == a].sort_values("period")
        (line,) = ax.plot(sub["period"], sub[value], marker=".", label=a)
        if lo in sub.columns:
            ax.fill_between(
                sub["period"].to_numpy(dtype=float),
                sub[lo].to_numpy(dtype=float),
                sub[hi].to_numpy(dtype=float),
                color=line.get_color(),
                alpha=0.2,
                lw=0,
            )
    refs = scores.attrs.get("references")
    ylabel = "position"
    if refs:
        ylabel = "position (" + ", ".join(f"{k} = {v:g}" for k, v in refs.items()) + ")"
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlabel("period (year of session)")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"Scaling positions ({value})")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


_VALUE_NAMES = {"agreement": "voting agreement", "distance": "ideal-point distance"}


def _decade_label(d: Any) -> str:
    return str(d) + ("s" if str(d).isdigit() else "")


def plot_validation(
    validation: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    method: str | None = None,
    title: str | None = None,
) -> Figure:
    """Correlation of text similarity with external measures per decade, with CIs.

    Parameters
    ----------
    validation : DataFrame or mapping of str to DataFrame
        Output of :func:`toolkit.alignment.validate_against`, or several such tables keyed
        by a legend label (e.g. ``{"UN voting agreement": v1, "ideal-point distance": v2}``),
        drawn side by side per decade.
    method : {"pearson", "spearman"} or None, default=None
        For one table None draws both; for several tables None means ``"pearson"``.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    tables = {"": validation} if isinstance(validation, pd.DataFrame) else dict(validation)
    if not tables:
        raise ValueError("plot_validation needs at least one validation table.")
    for tab in tables.values():
        require_columns(
            tab, ["decade", "pearson", "spearman"],
            what="plot_validation", nonempty=True,
        )
    if method not in {None, "pearson", "spearman"}:
        raise ValueError(f"method={method!r} is not supported; use 'pearson' or 'spearman'.")
    single = len(tables) == 1 and isinstance(validation, pd.DataFrame)
    if single:
        tab = tables[""]
        names = _VALUE_NAMES.get(tab.attrs.get("params", {}).get("value"), "voting agreement")
        methods = [method] if method else ["pearson", "spearman"]
        series = [(m.capitalize(), tab, m) for m in methods]
        ylabel = f"correlation with {names} (−1 to 1)"
    else:
        m = method or "pearson"
        series = [(label, tab, m) for label, tab in tables.items()]
        ylabel = ("Pearson's r" if m == "pearson" else "Spearman's rho") + " (−1 to 1)"
    decades: list[str] = []
    for _, tab, _ in series:
        decades += [d for d in tab["decade"].astype(str) if d not in decades]
    decades = sorted((d for d in decades if d != "all"), key=str) + (
        ["all"] if "all" in decades else []
    )
    fig, ax = plt.subplots(figsize=(max(8.0, 0.6 * len(decades) * len(series)), 4.5))
    x = np.arange(len(decades))
    width = 0.7 / len(series)
    for k, (label, tab, m) in enumerate(series):
        pos = pd.Index(decades).get_indexer(tab["decade"].astype(str))
        y = tab[m].to_numpy(dtype=float)
        lo = tab.get(f"{m}_ci_low", pd.Series(np.nan, index=tab.index)).to_numpy(dtype=float)
        hi = tab.get(f"{m}_ci_high", pd.Series(np.nan, index=tab.index)).to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([y - lo, hi - y]))
        ax.errorbar(
            x[pos] + (k - (len(series) - 1) / 2) * width,
            y,
            yerr=err,
            fmt="o",
            color=colour(k),
            capsize=3,
            label=label,
        )
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_xticks(x, [_decade_label(d) for d in decades])
    ax.set_xlabel("decade of the General Assembly session")
    ax.set_ylabel(ylabel)
    ax.set_title(
        title
        or ("Text similarity vs UN voting agreement (95% bootstrap CI)" if single
            else "Text similarity vs UN voting measures per decade (95% bootstrap CI)")
    )
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig

"""Figures for stance on arms supply: shares per group and period, how good the classifiers
are (scores with intervals, confusion matrices), and the say-do comparison of statements with
SIPRI deliveries. Each function takes the tidy tables of :mod:`toolkit.stance` (and
:func:`toolkit.external.delivery_series`) and returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import require_columns
from toolkit.plots.style import PALETTE, colour
from toolkit.plots.trends import _draw_events, _period_axis_label
from toolkit.stance import STANCE_LABELS

__all__ = ["plot_confusion", "plot_say_do", "plot_stance_scores", "plot_stance_shares"]

#: One colour per stance, the same in every figure.
STANCE_COLORS = {label: PALETTE[i] for i, label in enumerate(STANCE_LABELS)}


def _stances(table: pd.DataFrame, stances: Sequence[str] | None) -> list[str]:
    present = set(table["stance"].astype(str))
    wanted = list(STANCE_LABELS) if stances is None else list(stances)
    return [s for s in wanted if s in present]


def _x_label(series: pd.DataFrame) -> str:
    """The x-axis label for the period of a :func:`toolkit.stance.stance_series` table."""
    probe = pd.DataFrame()
    probe.attrs["period"] = series.attrs.get("stance_series", {}).get("period", "year")
    return _period_axis_label(probe)


def plot_stance_shares(
    series: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
    stances: Sequence[str] | None = None,
    min_n: int = 10,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Share of each stance per period with Wilson intervals, one panel per group.

    Parameters
    ----------
    series : DataFrame
        Output of :func:`toolkit.stance.stance_series` (``group``, ``period``, ``stance``,
        ``n``, ``n_total``, ``share``, ``ci_low``, ``ci_high``).
    groups : sequence of str or None, default=None
        Panels, in this order; None draws every group (those absent are skipped).
    stances : sequence of str or None, default=None
        Lines; None draws every stance in :data:`toolkit.stance.STANCE_LABELS` order.
    min_n : int, default=10
        Points resting on fewer sentences than this are drawn hollow.
    ncols : int, default=3
        Panels per row.
    title : str or None, default=None
        Default: "Stance on arms supply: share of sentences".

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        When ``series`` lacks a column or has no rows for ``groups``.
    """
    require_columns(series, ["group", "period", "stance", "n_total", "share", "ci_low",
                             "ci_high"], what="plot_stance_shares", nonempty=True)
    panels = [str(g) for g in (groups if groups is not None
                               else dict.fromkeys(series["group"].astype(str)))]
    panels = [g for g in panels if g in set(series["group"].astype(str))]
    if not panels:
        raise ValueError(f"No rows for groups={list(groups or [])}; the series has "
                         f"{sorted(series['group'].astype(str).unique())[:20]}.")
    lines = _stances(series, stances)
    nc = max(1, min(ncols, len(panels)))
    nr = math.ceil(len(panels) / nc)
    fig, axes = plt.subplots(nr, nc, figsize=(4.2 * nc, 3.0 * nr + 0.8), squeeze=False,
                             sharex=True, sharey=True, constrained_layout=True)
    for ax, panel in zip(axes.flat, panels):
        sub = series[series["group"].astype(str) == panel]
        for label in lines:
            s = sub[sub["stance"] == label].sort_values("period")
            x, y = s["period"].to_numpy(), s["share"].to_numpy(dtype=float)
            color = STANCE_COLORS.get(label, "0.4")
            ax.plot(x, y, color=color, lw=1.4, label=label)
            low = s["n_total"].to_numpy() < min_n
            ax.scatter(x[~low], y[~low], color=color, s=14, zorder=3)
            ax.scatter(x[low], y[low], facecolor="white", edgecolor=color, s=16, zorder=3)
            ax.fill_between(x, s["ci_low"].to_numpy(dtype=float),
                            s["ci_high"].to_numpy(dtype=float), color=color, alpha=0.08, lw=0)
        n = int(sub.drop_duplicates("period")["n_total"].sum())
        ax.set_title(f"{panel} ({n} sentences)", fontsize=10)
        ax.set_ylabel("Share of arms-supply sentences")
        ax.set_xlabel(_x_label(series))
        ax.set_ylim(0, 1)
        ax.tick_params(labelbottom=True)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside lower center", ncols=min(6, len(lines)),
                   frameon=False, fontsize=8)
    level = series.attrs.get("stance_series", {}).get("ci_level", 0.95)
    fig.suptitle(title or "Stance on arms supply: share of sentences\n"
                 f"bands: {round(100 * level)}% Wilson intervals; hollow points: fewer "
                 f"than {min_n} sentences", fontsize=11)
    return fig


def plot_stance_scores(
    scores: pd.DataFrame,
    *,
    classifier: str = "classifier",
    metrics: Sequence[str] = ("precision", "recall", "f1"),
    target: float | None = None,
    title: str | None = None,
) -> Figure:
    """Precision, recall and F1 per stance with bootstrap intervals, classifiers side by side.

    Parameters
    ----------
    scores : DataFrame
        Tables of :func:`toolkit.stance.evaluate_stance` stacked, with a column naming the
        classifier (``label``, ``support``, ``<metric>``, ``<metric>_ci_low``/``_ci_high``).
    classifier : str, default="classifier"
        The column naming the classifier (one colour each).
    metrics : sequence of str, default=("precision", "recall", "f1")
        One panel each.
    target : float or None, default=None
        Drawn as a dashed vertical line (e.g. the macro-F1 aimed at).
    title : str or None, default=None
        Default: "How good are the stance classifiers?".

    Returns
    -------
    Figure
        One panel per metric; a stance's tick names its gold sentences (``support``) when
        every classifier was scored on the same sentences.

    Raises
    ------
    ValueError
        When ``scores`` lacks a column or has no rows.
    """
    require_columns(scores, ["label", "support", classifier, *metrics],
                    what="plot_stance_scores", nonempty=True)
    labels = list(dict.fromkeys(scores["label"]))
    names = list(dict.fromkeys(scores[classifier]))
    support = scores.groupby("label", sort=False)["support"].agg(["min", "max"])
    ticks = [f"{lab} (n = {int(support.loc[lab, 'min'])})"
             if support.loc[lab, "min"] == support.loc[lab, "max"] else lab for lab in labels]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 0.45 * len(labels)
                                                        + 1.8),
                             sharey=True, squeeze=False, constrained_layout=True)
    step = 0.7 / max(1, len(names))
    for ax, metric in zip(axes.flat, metrics):
        for k, name in enumerate(names):
            sub = scores[scores[classifier] == name].set_index("label").reindex(labels)
            y = np.arange(len(labels)) + (k - (len(names) - 1) / 2) * step
            x = sub[metric].to_numpy(dtype=float)
            lo = sub.get(f"{metric}_ci_low", sub[metric]).to_numpy(dtype=float)
            hi = sub.get(f"{metric}_ci_high", sub[metric]).to_numpy(dtype=float)
            err = np.vstack([np.clip(x - lo, 0, None), np.clip(hi - x, 0, None)])
            ax.errorbar(x, y, xerr=np.nan_to_num(err), fmt="o", ms=4, color=colour(k),
                        capsize=2, lw=1, label=str(name))
        if target is not None:
            ax.axvline(target, ls="--", lw=1, color="0.3")
        ax.set_yticks(np.arange(len(labels)), ticks)
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("F1" if metric == "f1" else metric.capitalize())
        ax.set_ylabel("Stance (gold sentences)")
        ax.grid(axis="x", lw=0.4, alpha=0.5)
    handles, leg = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, leg, loc="outside lower center", ncols=min(4, len(names)),
               frameon=False, fontsize=8)
    fig.suptitle(title or "How good are the stance classifiers?\nscores per stance on the gold "
                 "set with 95% bootstrap intervals", fontsize=11)
    return fig


def plot_confusion(
    tables: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
) -> Figure:
    """Confusion matrices side by side: gold stance (rows) by predicted stance (columns).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        ``{classifier name: confusion table}``, each from
        :func:`toolkit.stance.confusion_table`.
    title : str or None, default=None
        Default: "Gold against predicted stance".

    Returns
    -------
    Figure
        Cells shaded by their share of the gold row, annotated with counts.

    Raises
    ------
    ValueError
        When ``tables`` is empty.
    """
    if not tables:
        raise ValueError("tables is empty; pass {name: confusion_table(...)}.")
    fig, axes = plt.subplots(1, len(tables), figsize=(4.6 * len(tables), 4.4), squeeze=False,
                             constrained_layout=True)
    for ax, (name, table) in zip(axes.flat, tables.items()):
        counts = table.to_numpy(dtype=float)
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(counts):
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8,
                    color="white" if share[i, j] > 0.6 else "0.1")
        ax.set_xticks(range(table.shape[1]), table.columns, rotation=45, ha="right")
        ax.set_yticks(range(table.shape[0]), table.index)
        ax.set_xlabel("Predicted stance")
        ax.set_ylabel("Gold stance")
        ax.set_title(str(name), fontsize=10)
    fig.suptitle(title or "Gold against predicted stance\ncounts; shade: share of the gold row",
                 fontsize=11)
    return fig


def plot_say_do(
    series: pd.DataFrame,
    deliveries: pd.DataFrame | None,
    *,
    stances: Sequence[str] = ("refuse", "restrain"),
    events: dict | None = None,
    title: str | None = None,
) -> Figure:
    """What a state says (stance statements per period) above what SIPRI records it did.

    Parameters
    ----------
    series : DataFrame
        Output of :func:`toolkit.stance.stance_series` with a date frequency (``period``
        Timestamps, e.g. ``period="M"``), one group.
    deliveries : DataFrame or None
        Output of :func:`toolkit.external.delivery_series` (``pair``, ``year``,
        ``tiv_delivered``, ``deals``); None draws the statements only (no SIPRI data).
    stances : sequence of str, default=("refuse", "restrain")
        The stances counted in the upper panel (grey: all arms-supply sentences).
    events : dict or None, default=None
        ``{label: date}`` drawn as dotted lines in the upper panel.
    title : str or None, default=None
        Default: "Say and do: statements on arms supply and SIPRI deliveries".

    Returns
    -------
    Figure
        Upper panel: sentences per period (bars); lower panel (unless ``deliveries`` is
        None): delivered TIV (millions) per year and pair (bars, labelled with their value,
        so that small ones show).

    Raises
    ------
    ValueError
        When either table lacks a column or has no rows.
    """
    require_columns(series, ["period", "stance", "n", "n_total"], what="plot_say_do",
                    nonempty=True)
    if deliveries is not None:
        require_columns(deliveries, ["pair", "year", "tiv_delivered"], what="plot_say_do",
                        noun="deliveries table", nonempty=True)
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6.5), constrained_layout=True,
                                      height_ratios=[3, 2])
    else:
        fig, ax = plt.subplots(figsize=(9, 4), constrained_layout=True)
    periods = pd.to_datetime(series["period"])
    totals = series.assign(period=periods).drop_duplicates("period")
    width = 24 / max(1, len(stances) + 1)
    ax.bar(totals["period"], totals["n_total"], width=26, color="0.85",
           label="all arms-supply sentences", align="edge")
    for k, label in enumerate(stances):
        s = series[series["stance"] == label].assign(period=periods)
        x = s["period"] + pd.to_timedelta(1 + k * width, unit="D")
        ax.bar(x, s["n"], width=width, color=STANCE_COLORS.get(label, colour(k)), label=label,
               align="edge")
    _draw_events(ax, events)
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(_x_label(series))
    ax.set_ylabel("Sentences")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    if deliveries is not None:
        _draw_deliveries(ax2, deliveries)
    fig.suptitle(title or "Say and do: statements on arms supply and SIPRI deliveries",
                 fontsize=11)
    return fig


def _draw_deliveries(ax2, deliveries: pd.DataFrame) -> None:
    """Bars of delivered TIV per year, one per pair, each labelled with its value."""
    pairs = list(dict.fromkeys(deliveries["pair"]))
    years = sorted(deliveries["year"].astype(int).unique())
    bar = 0.8 / max(1, len(pairs))
    for k, pair in enumerate(pairs):
        d = deliveries[deliveries["pair"] == pair]
        d = d.set_index(d["year"].astype(int)).reindex(years)
        x = np.arange(len(years)) + (k - (len(pairs) - 1) / 2) * bar
        values = d["tiv_delivered"].fillna(0).to_numpy(dtype=float)
        ax2.bar(x, values, width=bar, color=colour(k + len(STANCE_LABELS)), label=pair)
        for xi, v in zip(x, values):
            ax2.annotate(f"{v:,.1f}" if v < 100 else f"{v:,.0f}", (xi, v), ha="center",
                         va="bottom", fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax2.set_xticks(np.arange(len(years)), [str(y) for y in years])
    ax2.set_xlabel("Year of delivery")
    ax2.set_ylabel("Delivered TIV (millions)")
    ax2.legend(frameon=False, fontsize=8, loc="upper left")
    ax2.margins(y=0.15)

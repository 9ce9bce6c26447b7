"""Figures for keyword trends and keyness: rate lines with CI bands (small multiples per
group or category; the bands' methods named from the table's ``attrs``) and a diverging
keyness bar chart. Each function takes the tidy DataFrames of :mod:`toolkit.keywords` and
returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import renamed_parameters, require_columns
from toolkit.periods import period_name
from toolkit.plots.style import PALETTE, colour

__all__ = ["plot_keyness", "plot_mentions", "plot_trends"]


def _draw_events(ax, events, *, label: bool = True) -> None:
    """Dotted vertical lines at event positions, labelled at the top of the axes."""
    for i, (name, x) in enumerate((events or {}).items()):
        xv = pd.Timestamp(x) if isinstance(x, str) else x
        ax.axvline(xv, color="0.15", ls=":", lw=1.3, zorder=4)
        if label:
            ax.annotate(name, xy=(xv, 1), xycoords=("data", "axes fraction"),
                        xytext=(3, -4 - 11 * i), textcoords="offset points", va="top",
                        fontsize=8, color="0.15")


def _period_axis_label(trends: pd.DataFrame) -> str:
    """The x-axis label for the ``attrs["period"]`` of a trends table."""
    period = trends.attrs.get("period", "year")
    if period == "decade":
        return "Decade (first year)"
    if period == "year":
        return "Year"
    if isinstance(period, int):
        return f"{period}-year period (first year)"
    name = period_name(period)
    if name != "period":
        return f"{name.capitalize()} (start)"
    return f"Period ({period})" if period else "Period"


@renamed_parameters(ci="show_ci")
def plot_trends(
    trends: pd.DataFrame,
    *,
    categories: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    facet: str = "group",
    ncols: int = 3,
    show_ci: bool = True,
    changes: pd.DataFrame | None = None,
    sharey: bool | None = None,
    events: dict | None = None,
    title: str | None = None,
) -> Figure:
    """Rates per 10,000 tokens over periods with CI bands, as small multiples.

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`toolkit.keywords.keyword_trends`.
    categories, groups : sequence of str or None, default=None
        Subsets to draw; None draws all (at most 12 panels are sensible).
    facet : {"group", "category"}, default="group"
        One panel per group (lines = categories) or per category (lines = groups).
    ncols : int, default=3
    show_ci : bool, default=True
        Shade the interval (``ci_low``..``ci_high``) where it exists; the subtitle names
        its methods from ``attrs["ci_methods"]`` (exact Poisson, quasi-Poisson, cluster or
        document bootstrap). Renamed
        from ``ci`` so that it is not read as a confidence level (``ci_level`` elsewhere);
        ``ci`` still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning`.
    changes : DataFrame or None, default=None
        Output of :func:`toolkit.keywords.change_points`; drawn as dashed vertical lines
        (only the rows with ``significant`` True when the table has that column).
    sharey : bool or None, default=None
        Share the y axis across panels; None shares it for ``facet="group"`` only
        (categories differ in scale by orders of magnitude).
    events : dict or None, default=None
        ``{label: x}`` events drawn as dotted, labelled vertical lines in every panel
        (``x`` a period value, a date string or a Timestamp), e.g.
        ``{"Qin Gang, 14 Apr 2023": "2023-04-14"}``.
    title : str or None, default=None

    Returns
    -------
    Figure
        Points resting on fewer than ``min_docs`` documents (``low_n``) are drawn hollow.
    """
    require_columns(
        trends, ["group", "period", "category", "rate_per_10k"],
        what="plot_trends", nonempty=True,
    )
    if facet not in {"group", "category"}:
        raise ValueError(f"facet must be 'group' or 'category', got {facet!r}.")
    df = trends
    if categories is not None:
        df = df[df["category"].isin(list(categories))]
    if groups is not None:
        df = df[df["group"].isin(list(groups))]
    if df.empty:
        raise ValueError(
            f"No rows left for categories={categories} and groups={groups}; available "
            f"categories {sorted(trends['category'].unique())}, groups "
            f"{sorted(map(str, trends['group'].unique()))[:20]}."
        )
    line_key = "category" if facet == "group" else "group"
    if sharey is None:
        sharey = facet == "group"
    panels = list(dict.fromkeys(df[facet]))
    lines = list(dict.fromkeys(df[line_key]))
    colors = {k: colour(i) for i, k in enumerate(lines)}
    labels = (
        dict(zip(df["category"], df["label"])) if "label" in df.columns else {}
    )
    n = len(panels)
    nc = max(1, min(ncols, n))
    nr = math.ceil(n / nc)
    fig, axes = plt.subplots(
        nr, nc, figsize=(4.2 * nc, 3.0 * nr + 0.6), squeeze=False, sharex=True,
        sharey=sharey, constrained_layout=True,
    )
    for ax, panel in zip(axes.flat, panels):
        sub = df[df[facet] == panel]
        for key in lines:
            s = sub[sub[line_key] == key].sort_values("period")
            if s.empty:
                continue
            x = s["period"].to_numpy()
            y = s["rate_per_10k"].to_numpy(dtype=float)
            color = colors[key]
            name = labels.get(key, key) if line_key == "category" else str(key)
            ax.plot(x, y, color=color, lw=1.4, label=name)
            if "low_n" in s.columns:
                low = s["low_n"].to_numpy(dtype=bool)
                ax.scatter(x[~low], y[~low], color=color, s=12, zorder=3)
                ax.scatter(x[low], y[low], facecolor="white", edgecolor=color, s=14,
                           zorder=3)
            if show_ci and {"ci_low", "ci_high"} <= set(s.columns):
                lo = s["ci_low"].to_numpy(dtype=float)
                hi = s["ci_high"].to_numpy(dtype=float)
                ok = ~(np.isnan(lo) | np.isnan(hi))
                if ok.any():
                    ax.fill_between(x[ok], lo[ok], hi[ok], color=color, alpha=0.18, lw=0)
        if changes is not None and not changes.empty:
            ch = changes[changes[facet] == panel]
            if "significant" in ch.columns:
                ch = ch[ch["significant"].astype(bool)]
            if categories is not None and "category" in ch.columns:
                ch = ch[ch["category"].isin(list(categories))]
            for row in ch.itertuples(index=False):
                key = getattr(row, line_key)
                ax.axvline(row.period, ls="--", lw=1, color=colors.get(key, "0.3"))
        _draw_events(ax, events)
        head = labels.get(panel, panel) if facet == "category" else str(panel)
        ax.set_title(head, fontsize=10)
        ax.set_ylabel("Matches per 10,000 tokens")
        ax.set_xlabel(_period_axis_label(trends))
        ax.set_ylim(bottom=0)
        ax.tick_params(labelbottom=True)
        if pd.api.types.is_datetime64_any_dtype(df["period"]):
            locator = mdates.AutoDateLocator(maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if len(lines) > 1 and handles:
        fig.legend(handles, names, loc="outside lower center", ncols=min(4, len(lines)),
                   frameon=False, fontsize=8)
    d = trends.attrs.get("dictionary", {})
    ci_txt = _ci_text(trends.attrs) if show_ci else ""
    sub_title = (f"dictionary {d.get('name', '?')} v{d.get('version', '?')}; hollow points: "
                 f"few documents\n{ci_txt.lstrip('; ')}")
    fig.suptitle(title or f"Keyword rates per 10,000 tokens\n{sub_title}", fontsize=11)
    return fig


_CI_NAMES = {
    "poisson": "exact Poisson",
    "quasi_poisson": "quasi-Poisson",
    "cluster": "cluster bootstrap over {cluster}",
    "bootstrap": "bootstrap over documents",
}


def _ci_text(attrs: dict) -> str:
    """What the bands are, from a trends table's attrs ('' when it has no intervals)."""
    level = attrs.get("ci_level", attrs.get("ci", 0.95))
    used = [m for m in _CI_NAMES if attrs.get("ci_methods", {}).get(m)]
    if "ci_methods" not in attrs:  # a table from before issue 11: document bootstrap
        used = ["bootstrap"] if attrs.get("n_boot") else []
    if not used:
        return ""
    names = [_CI_NAMES[m].format(cluster=attrs.get("cluster") or "clusters") for m in used]
    reps = (f", {attrs['n_boot']} replicates"
            if {"cluster", "bootstrap"} & set(used) and attrs.get("n_boot") else "")
    return f"; bands: {round(100 * level)}% CI ({', '.join(names)}{reps})"


def plot_mentions(
    series: pd.DataFrame,
    *,
    events: dict | None = None,
    unit: str = "documents",
    title: str | None = None,
) -> Figure:
    """Documents per period, and how many of them mention the categories (bars).

    Parameters
    ----------
    series : DataFrame
        Output of :func:`toolkit.keywords.mention_series` (``group``, ``period``,
        ``n_docs``, ``n_docs_matching``, ``label``); one panel per group.
    events : dict or None, default=None
        ``{label: x}`` events drawn as dotted, labelled vertical lines (``x`` a date string,
        a Timestamp or a period value).
    unit : str, default="documents"
        What a document is, for the legend and the axis label (e.g. "answers").
    title : str or None, default=None

    Returns
    -------
    Figure
        Light bars: all documents of the period; dark bars: those with a match.
    """
    require_columns(series, ["group", "period", "n_docs", "n_docs_matching"],
                    what="plot_mentions", nonempty=True)
    if series.empty:
        raise ValueError("plot_mentions got an empty series; nothing to draw.")
    period = series.attrs.get("period", "M")
    per_name = series.attrs.get("period_name") or period_name(period)
    groups = list(dict.fromkeys(series["group"]))
    label = str(series["label"].iloc[0]) if "label" in series.columns else "the categories"
    fig, axes = plt.subplots(len(groups), 1, figsize=(9, 3.2 * len(groups) + 0.8),
                             squeeze=False, sharex=True, constrained_layout=True)
    for ax, g in zip(axes[:, 0], groups):
        sub = series[series["group"] == g].sort_values("period")
        x = sub["period"]
        if pd.api.types.is_datetime64_any_dtype(x):
            step = x.diff().dt.days.min() if len(x) > 1 else 30
            width = pd.Timedelta(days=0.8 * (step if step == step else 30))
        else:
            step = np.diff(np.sort(x.to_numpy(dtype=float))).min() if len(x) > 1 else 1
            width = 0.8 * step
        ax.bar(x, sub["n_docs"], width=width, color="0.82", label=f"all {unit}")
        ax.bar(x, sub["n_docs_matching"], width=width, color=PALETTE[3],
               label=f"{unit} mentioning {label}")
        _draw_events(ax, events)
        if len(groups) > 1:
            ax.set_title(str(g), fontsize=10)
        ax.set_ylabel(f"{unit.capitalize()} per {per_name}")
        ax.set_xlabel(per_name.capitalize())
        ax.tick_params(labelbottom=True)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    d = series.attrs.get("dictionary", {})
    fig.suptitle(
        title or f"{unit.capitalize()} per {per_name} mentioning {label}\n"
                 f"(dictionary {d.get('name', '?')} v{d.get('version', '?')})",
        fontsize=11,
    )
    return fig


@renamed_parameters(n="n_terms")
def plot_keyness(
    keyness: pd.DataFrame,
    *,
    n_terms: int = 15,
    measure: str = "log_ratio",
    target_label: str = "target",
    reference_label: str = "reference",
    max_p: float | None = 0.05,
    title: str | None = None,
) -> Figure:
    """Diverging bars: the ``n_terms`` most key terms for the target and for the reference.

    Parameters
    ----------
    keyness : DataFrame
        Output of :func:`toolkit.keywords.keyness`.
    n_terms : int, default=15
        Terms per side, chosen by G² among terms with ``p_bonferroni < max_p``. The old
        name ``n`` still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning`.
    measure : {"log_ratio", "g2"}, default="log_ratio"
        Bar length. G² is drawn signed (negative for the reference side).
    target_label, reference_label : str
        Names of the two groups (e.g. "CHN", "USA").
    max_p : float or None, default=0.05
        Only terms with Bonferroni-adjusted p below this; None keeps all.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(
        keyness, ["term", "g2", "log_ratio", "direction"],
        what="plot_keyness", nonempty=True,
    )
    if measure not in {"log_ratio", "g2"}:
        raise ValueError(f"measure must be 'log_ratio' or 'g2', got {measure!r}.")
    df = keyness
    if max_p is not None and "p_bonferroni" in df.columns:
        df = df[df["p_bonferroni"] < max_p]
    if df.empty:
        raise ValueError(
            f"No term passes p_bonferroni < {max_p}; pass max_p=None to plot all terms."
        )
    top_t = df[df["direction"] == "target"].nlargest(n_terms, "g2")
    top_r = df[df["direction"] == "reference"].nlargest(n_terms, "g2")
    both = pd.concat([top_t, top_r])
    vals = both["log_ratio"] if measure == "log_ratio" else np.where(
        both["direction"] == "target", both["g2"], -both["g2"]
    )
    both = both.assign(_v=np.asarray(vals, dtype=float)).sort_values("_v")
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(both) + 1.6), constrained_layout=True)
    colors = np.where(both["direction"] == "target", PALETTE[3], PALETTE[0])
    ax.barh(both["term"].astype(str), both["_v"], color=colors)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_xlabel(
        "Log ratio (log2 of relative frequency, target / reference)"
        if measure == "log_ratio"
        else "Signed G² (log-likelihood, 1 df)"
    )
    ax.set_ylabel("Term")
    ax.set_title(
        title
        or f"Key terms: {target_label} (right, red) vs {reference_label} (left, blue)",
        fontsize=11,
    )
    return fig

"""Figures for topic models: the k sweep, topic prevalence (lines with bands, heat maps),
and top terms. Each function takes the tidy DataFrames of :mod:`toolkit.topics` and
returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import require_columns
from toolkit.plots.style import PALETTE, colour

__all__ = [
    "plot_prevalence",
    "plot_prevalence_heatmap",
    "plot_sweep",
    "plot_termite",
    "plot_top_terms",
]


def _has_values(sweep: pd.DataFrame, col: str) -> bool:
    return col in sweep.columns and bool(pd.to_numeric(sweep[col], errors="coerce").notna().any())


def _fit_panel(sweep: pd.DataFrame) -> tuple[str, str]:
    """Choose the fit column of a sweep table and its axis label.

    Held-out fit when the sweep held documents out, else the fit on the training
    documents; NMF (relative reconstruction error) is told from LDA (perplexity) by
    which training column has values.
    """
    nmf = _has_values(sweep, "train_relative_err")
    lda = _has_values(sweep, "train_perplexity")
    if not (nmf or lda):
        raise ValueError(
            "plot_sweep: the sweep has no values in 'train_relative_err' or "
            "'train_perplexity'; pass the table toolkit.topics.sweep_k returns."
        )
    if _has_values(sweep, "heldout"):
        return "heldout", ("Held-out relative reconstruction error" if nmf
                           else "Held-out perplexity")
    if nmf:
        return "train_relative_err", "Relative reconstruction error (training)"
    return "train_perplexity", "Perplexity (training)"


def plot_sweep(sweep: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Coherence, stability and fit against k, one point per seed and the mean.

    The third panel shows the fit on the held-out documents (``heldout``: NMF relative
    reconstruction error, or LDA perplexity; lower is better) when the sweep held
    documents out, else the fit on the training documents (``train_relative_err`` or
    ``train_perplexity``, for a sweep with ``subsample=1.0``).

    Parameters
    ----------
    sweep : DataFrame
        The table :func:`toolkit.topics.sweep_k` returns, as is (``k``, ``seed``,
        ``coherence``, ``stability``, ``heldout``, ``train_relative_err``,
        ``train_perplexity``).
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(
        sweep, ["k", "seed", "coherence", "stability"],
        what="plot_sweep", nonempty=True,
    )
    err_col, err_label = _fit_panel(sweep)
    panels = [
        ("coherence", "NPMI coherence (mean over topics)"),
        ("stability", "Stability (matched top-term Jaccard, 0-1)"),
        (err_col, err_label),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), constrained_layout=True)
    for ax, (col, label) in zip(axes, panels, strict=True):
        ax.scatter(sweep["k"], sweep[col], s=14, alpha=0.5, color="0.4", label="one seed")
        mean = sweep.groupby("k", sort=True)[col].mean()
        ax.plot(mean.index, mean.to_numpy(), marker="o", color=PALETTE[0], label="mean over seeds")
        ax.set_xlabel("Number of topics k")
        ax.set_ylabel(label)
        ax.set_xticks(mean.index)
    axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle(title or "Choosing k: coherence, stability and fit across seeds")
    return fig


def plot_prevalence(
    prev: pd.DataFrame,
    *,
    topics: Sequence[int] | None = None,
    groups: Sequence[str] | None = None,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Topic share over periods: one panel per topic, one line per group, CI bands.

    Parameters
    ----------
    prev : DataFrame
        Output of :func:`toolkit.topics.prevalence` (group, period, topic, label, share,
        ci_low, ci_high).
    topics : sequence of int or None, default=None
        Topics to show (all by default).
    groups : sequence of str or None, default=None
        Groups to show (all by default).
    ncols : int, default=3
        Panels per row.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(
        prev, ["group", "period", "topic", "share", "ci_low", "ci_high"],
        what="plot_prevalence", nonempty=True,
    )
    df = prev
    if topics is not None:
        df = df[df["topic"].isin(list(topics))]
    if groups is not None:
        df = df[df["group"].isin([str(g) for g in groups])]
    if df.empty:
        raise ValueError("No rows left after selecting topics/groups; check the values.")
    tops = sorted(df["topic"].unique())
    ncols = max(1, min(ncols, len(tops)))
    nrows = int(np.ceil(len(tops) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows),
                             sharex=True, squeeze=False, constrained_layout=True)
    for ax, t in zip(axes.ravel(), tops, strict=False):
        sub = df[df["topic"] == t]
        for i, (g, gd) in enumerate(sub.groupby("group", sort=True)):
            gd = gd.sort_values("period")
            ax.plot(gd["period"], gd["share"], color=colour(i), label=str(g), lw=1.4)
            ax.fill_between(gd["period"], gd["ci_low"], gd["ci_high"],
                            color=colour(i), alpha=0.2, lw=0)
        label = sub["label"].iloc[0] if "label" in sub.columns else f"topic {t}"
        ax.set_title(str(label), fontsize=9)
        ax.set_ylabel("Mean topic share (0-1)")
        ax.set_xlabel("Period")
    for ax in axes.ravel()[len(tops):]:
        ax.set_visible(False)
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    if len(labels) > 1:
        fig.legend(handles, labels, loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(title or "Topic prevalence over time (bands: bootstrap CI over documents)")
    return fig


def plot_prevalence_heatmap(
    prev: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
    title: str | None = None,
    cmap: str = "viridis",
) -> Figure:
    """Heat map of mean topic share, group (e.g. actor) x topic.

    Parameters
    ----------
    prev : DataFrame
        Output of :func:`toolkit.topics.prevalence` with a single period per group
        (call it with ``period=None``, or filter one period first).
    groups : sequence of str or None, default=None
        Rows to show, in this order (all groups, sorted, by default).
    title : str or None, default=None
    cmap : str, default="viridis"

    Returns
    -------
    Figure
    """
    require_columns(
        prev, ["group", "topic", "share"],
        what="plot_prevalence_heatmap", nonempty=True,
    )
    if "period" in prev.columns and prev.groupby(["group", "topic"]).size().max() > 1:
        raise ValueError(
            "prev has several periods per group; call prevalence(..., period=None) or "
            "select one period (prev[prev.period == 2020]) before plotting a heat map."
        )
    table = prev.pivot(index="group", columns="topic", values="share")
    if groups is not None:
        table = table.loc[[str(g) for g in groups]]
    labels = (prev.drop_duplicates("topic").set_index("topic")["label"]
              if "label" in prev.columns else pd.Series({t: str(t) for t in table.columns}))
    fig, ax = plt.subplots(
        figsize=(max(5.5, 1.0 + 0.45 * table.shape[1]), 1.5 + 0.28 * table.shape[0]),
        constrained_layout=True,
    )
    im = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap=cmap)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([str(labels.get(t, t)) for t in table.columns], rotation=60,
                       ha="right", fontsize=7)
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels(table.index, fontsize=7)
    ax.set_xlabel("Topic")
    ax.set_ylabel("Group")
    fig.colorbar(im, ax=ax, label="Mean topic share (0-1)")
    ax.set_title(title or "Mean topic share by group")
    return fig


def plot_top_terms(
    top_terms: pd.DataFrame, *, topics: Sequence[int] | None = None, ncols: int = 4,
    title: str | None = None,
) -> Figure:
    """Horizontal bars of each topic's top terms and their scores.

    Parameters
    ----------
    top_terms : DataFrame
        Output of :meth:`toolkit.topics.TopicModel.top_terms` (topic, rank, term, score).
    topics : sequence of int or None, default=None
    ncols : int, default=4
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    require_columns(
        top_terms, ["topic", "rank", "term", "score"],
        what="plot_top_terms", nonempty=True,
    )
    df = top_terms if topics is None else top_terms[top_terms["topic"].isin(list(topics))]
    tops = sorted(df["topic"].unique())
    ncols = max(1, min(ncols, len(tops)))
    nrows = int(np.ceil(len(tops) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows),
                             squeeze=False, constrained_layout=True)
    for ax, t in zip(axes.ravel(), tops, strict=False):
        sub = df[df["topic"] == t].sort_values("rank", ascending=False)
        ax.barh(sub["term"], sub["score"], color=PALETTE[0])
        ax.set_title(f"Topic {t}", fontsize=9)
        ax.set_xlabel("Score (weight or FREX)")
        ax.set_ylabel("Term")
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes.ravel()[len(tops):]:
        ax.set_visible(False)
    fig.suptitle(title or "Top terms per topic")
    return fig


def plot_termite(
    model, dtm, *, n_terms: int = 25, highlight_topics: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """Termite plot (topics x top terms, circle size = weight), drawn by textacy.

    A thin wrapper over :meth:`textacy.tm.TopicModel.termite_plot`: it passes the fitted
    scikit-learn estimator, the model's vocabulary and the weighted matrix.

    Parameters
    ----------
    model : toolkit.topics.TopicModel
        Fitted.
    dtm : DocTermMatrix
        The matrix the model was fitted on (same vocabulary).
    n_terms : int, default=25
    highlight_topics : sequence of int or None, default=None
        Up to 6 topics drawn in colour.
    title : str or None, default=None

    Returns
    -------
    Figure
    """
    from textacy.tm import TopicModel as _TextacyTM

    X = model._weigh(model._aligned(dtm, False), fitting=False)
    with plt.rc_context({"figure.max_open_warning": 0}):
        ax = _TextacyTM(model.model_).termite_plot(
            X, list(model.vocab_), n_terms=n_terms, highlight_topics=highlight_topics,
        )
    fig = ax.get_figure()
    ax.set_xlabel("Topic")
    ax.set_ylabel("Term")
    fig.suptitle(title or "Termite plot: top terms by topic (circle area = weight)")
    return fig

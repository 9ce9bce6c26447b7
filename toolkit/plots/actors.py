"""Figures for actors and external measures: who talks about whom, UN voting agreement
and SIPRI arms transfers. Each function takes the tidy DataFrames of :mod:`toolkit.actors`
or :mod:`toolkit.external` and returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import require_columns
from toolkit.actors import top_targets

__all__ = [
    "plot_arms_transfers",
    "plot_mentions_heatmap",
    "plot_top_targets",
    "plot_voting_agreement",
]


def _value_label(value: str) -> str:
    return ("Share of the actor's state mentions" if value == "share"
            else "Mentions (count)")


def plot_top_targets(
    table: pd.DataFrame,
    actor: str,
    *,
    n: int = 8,
    value: str = "share",
    title: str | None = None,
) -> Figure:
    """Lines over periods for the states an actor mentions most.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`toolkit.actors.who_talks_about_whom`.
    actor : str
        ISO3 of the speaking actor.
    n : int, default=8
        How many targets (the most mentioned over all periods).
    value : {"share", "count"}, default="share"
        The column drawn: the target's share of the actor's mentions, or the count.
    title : str or None, default=None
        Default: "States most mentioned by <actor>".

    Returns
    -------
    Figure
        One line per target (legend ordered by total mentions), periods on the x axis.

    Raises
    ------
    ValueError
        When ``table`` lacks a column or has no rows, or ``actor`` has no mentions.
    """
    require_columns(
        table, ["actor", "target", "period", value],
        what="plot_top_targets", nonempty=True,
    )
    sub = top_targets(table, actor, n=n)
    wide = sub.pivot_table(index="period", columns="target", values=value, aggfunc="sum")
    order = sub.groupby("target")["count"].sum().sort_values(ascending=False).index
    wide = wide.reindex(columns=order).fillna(0.0)
    fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    for col in wide.columns:
        ax.plot(wide.index.astype(int), wide[col].to_numpy(), marker="o", label=col)
    ax.set_xlabel("Period (first year)")
    ax.set_ylabel(_value_label(value))
    ax.legend(title="Target (ISO3)", fontsize=8, ncol=2, frameon=False)
    ax.set_title(title or f"States most mentioned by {actor}")
    return fig


def plot_mentions_heatmap(
    table: pd.DataFrame,
    *,
    actors: Sequence[str],
    targets: Sequence[str] | None = None,
    period: int | None = None,
    value: str = "share",
    title: str | None = None,
) -> Figure:
    """Heat map of who mentions whom: speaking actors (rows) by targets (columns).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`toolkit.actors.who_talks_about_whom`.
    actors : sequence of str
        Speaking actors (rows), in order.
    targets : sequence of str or None, default=None
        Columns; default: the targets these actors mention most (up to 15).
    period : int or None, default=None
        One period (e.g. 2010); None sums over all periods.
    value : {"share", "count"}, default="share"
        With ``"share"`` and ``period=None``, shares are recomputed from the summed counts.
    title : str or None, default=None
        Default: "Who talks about whom", with the period when one is chosen.

    Returns
    -------
    Figure
        One heat-map axes of shape (n_actors, n_targets) and a colour bar.

    Raises
    ------
    ValueError
        When ``table`` lacks a column or has no rows, or the actors have no mentions
        in ``period``.
    """
    require_columns(
        table, ["actor", "target", "period", "count"],
        what="plot_mentions_heatmap", nonempty=True,
    )
    sub = table[table["actor"].isin(list(actors))]
    if period is not None:
        sub = sub[sub["period"] == period]
    if sub.empty:
        raise ValueError(f"no mentions by {list(actors)} in period {period!r}")
    counts = sub.pivot_table(index="actor", columns="target", values="count", aggfunc="sum")
    counts = counts.reindex(index=list(actors)).fillna(0.0)
    if targets is None:
        targets = counts.sum().sort_values(ascending=False).index[:15].tolist()
    mat = counts.reindex(columns=list(targets)).fillna(0.0)
    if value == "share":
        totals = counts.sum(axis=1).replace(0, np.nan)
        mat = mat.div(totals, axis=0)
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * len(mat.columns), 1.2 + 0.45 * len(mat)),
                           constrained_layout=True)
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_xticks(range(len(mat.columns)), mat.columns, rotation=90)
    ax.set_yticks(range(len(mat.index)), mat.index)
    ax.set_xlabel("Mentioned state (ISO3)")
    ax.set_ylabel("Speaking state (ISO3)")
    fig.colorbar(im, ax=ax, label=_value_label(value))
    when = f" in the {period}s" if period is not None and period % 10 == 0 else (
        f" in {period}" if period is not None else "")
    ax.set_title(title or f"Who talks about whom{when}")
    return fig


def plot_voting_agreement(
    agreement: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    *,
    title: str | None = None,
) -> Figure:
    """UN voting agreement over time for chosen dyads.

    Parameters
    ----------
    agreement : DataFrame
        Output of :func:`toolkit.external.voting_agreement` (``actor_a``, ``actor_b``,
        ``period``, ``agreement``).
    pairs : sequence of (str, str)
        Dyads in any order, e.g. ``[("CHN", "RUS"), ("CHN", "USA")]``.
    title : str or None, default=None
        Default: "UN General Assembly voting agreement".

    Returns
    -------
    Figure
        One line per dyad over the periods; the y label names the agreement measure
        recorded in ``agreement.attrs``.

    Raises
    ------
    ValueError
        When ``agreement`` lacks a column or has no rows, or a dyad has no rows.
    """
    require_columns(
        agreement, ["actor_a", "actor_b", "period", "agreement"],
        what="plot_voting_agreement", nonempty=True,
    )
    fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
    for a, b in pairs:
        a, b = sorted((a, b))
        sub = agreement[(agreement["actor_a"] == a) & (agreement["actor_b"] == b)]
        if sub.empty:
            raise ValueError(f"no agreement rows for the dyad {a}-{b}")
        sub = sub.sort_values("period")
        ax.plot(sub["period"].astype(int), sub["agreement"], marker=".", label=f"{a}–{b}")
    measure = agreement.attrs.get("voting_agreement", {}).get("measure", "identical")
    ax.set_xlabel("Year (session opening)" if "session" in agreement.columns else "Year")
    ax.set_ylabel({"identical": "Share of identical votes",
                   "abstain_half": "Agreement (abstain = half)",
                   "s_score": "S-score"}.get(measure, "Agreement"))
    ax.legend(frameon=False)
    ax.set_title(title or "UN General Assembly voting agreement")
    return fig


def plot_arms_transfers(
    transfers: pd.DataFrame,
    *,
    title: str | None = None,
) -> Figure:
    """SIPRI TIV by year for each supplier -> recipient pair, with the number of deals.

    Parameters
    ----------
    transfers : DataFrame
        Output of :func:`toolkit.external.arms_transfers` (``year``, ``tiv_delivered``,
        ``deals``; ``supplier``/``recipient`` when per pair).
    title : str or None, default=None
        Default: "Arms transfers (SIPRI trend-indicator values)".

    Returns
    -------
    Figure
        Two stacked axes sharing the year: delivered TIV (millions) above, the number of
        deals below; one line per supplier -> recipient pair (or one line "all").

    Raises
    ------
    ValueError
        When ``transfers`` lacks a column or has no rows.
    """
    require_columns(
        transfers, ["year", "tiv_delivered", "deals"],
        what="plot_arms_transfers", nonempty=True,
    )
    by = transfers.attrs.get("arms_transfers", {}).get("by", "delivery_year")
    if {"supplier", "recipient"} <= set(transfers.columns):
        label = transfers["supplier"].astype(str) + " → " + transfers["recipient"].astype(str)
    else:
        label = pd.Series("all", index=transfers.index)
    df = transfers.assign(pair=label.to_numpy())
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, constrained_layout=True)
    for pair, sub in df.groupby("pair", sort=True):
        sub = sub.groupby("year", as_index=False)[["tiv_delivered", "deals"]].sum()
        ax.plot(sub["year"].astype(int), sub["tiv_delivered"], marker="o", label=pair)
        ax2.plot(sub["year"].astype(int), sub["deals"], marker="o", label=pair)
    ax.set_ylabel("Delivered TIV (millions)")
    ax2.set_ylabel("Deals (count)")
    ax2.set_xlabel("Year of delivery" if by == "delivery_year" else "Year of order")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or "Arms transfers (SIPRI trend-indicator values)")
    return fig

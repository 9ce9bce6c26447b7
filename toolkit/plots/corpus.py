"""Figures of what a corpus holds (drawn from the tables of :mod:`toolkit.overview`).

Each function takes a tidy DataFrame and returns a :class:`matplotlib.figure.Figure`
with a title and axis labels with units. Figures are not registered with pyplot, so
building one never displays it by itself; :func:`toolkit.report.figure` shows it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit._validation import require_columns
from toolkit.plots.style import PALETTE

__all__ = [
    "plot_coverage",
    "plot_docs_per_year",
    "plot_lengths_by_year",
    "plot_speaker_coverage",
    "plot_top_actors",
]


def plot_docs_per_year(by_year: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Bars of documents per year with the number of actors as a line.

    Parameters
    ----------
    by_year : DataFrame
        From :func:`toolkit.overview.docs_by_year` (``year``, ``n_docs``, ``n_actors``).
    title : str or None, default=None
        Default: "Documents per year".

    Returns
    -------
    Figure
        One axes: bars of ``n_docs`` and a line of ``n_actors`` against the year.

    Raises
    ------
    ValueError
        When ``by_year`` lacks a column or has no rows.
    """
    require_columns(
        by_year, ["year", "n_docs", "n_actors"],
        what="plot_docs_per_year", nonempty=True,
    )
    fig = Figure(figsize=(9, 3.8))
    ax = fig.add_subplot()
    ax.bar(by_year["year"], by_year["n_docs"], width=0.85, color=PALETTE[0], label="documents")
    ax.plot(by_year["year"], by_year["n_actors"], color=PALETTE[1], lw=1.5,
            label="distinct actors")
    ax.set_xlabel("Year")
    ax.set_ylabel("Count (documents / actors)")
    ax.set_title(title or "Documents per year")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_top_actors(by_actor: pd.DataFrame, *, n: int = 20, title: str | None = None) -> Figure:
    """Horizontal bars of the ``n`` actors with the most documents.

    Parameters
    ----------
    by_actor : DataFrame
        From :func:`toolkit.overview.docs_by_actor` (``actor``, ``actor_name``, ``n_docs``).
    n : int, default=20
        Number of actors shown.
    title : str or None, default=None
        Default: "The N actors with the most documents".

    Returns
    -------
    Figure
        One axes of horizontal bars, the actor with most documents on top (ties by
        actor code), labelled "name (code)" where ``actor_name`` is known.

    Raises
    ------
    ValueError
        When ``by_actor`` lacks ``actor`` or ``n_docs``, or has no rows.
    """
    require_columns(by_actor, ["actor", "n_docs"], what="plot_top_actors", nonempty=True)
    top = by_actor.sort_values(["n_docs", "actor"], ascending=[False, True], kind="stable").head(n)
    names = top["actor_name"] if "actor_name" in top else top["actor"]
    labels = [
        f"{nm} ({a})" if pd.notna(nm) and str(nm) != str(a) else str(a)
        for nm, a in zip(names, top["actor"])
    ]
    fig = Figure(figsize=(8, max(2.5, 0.28 * len(top) + 1.2)))
    ax = fig.add_subplot()
    ax.barh(np.arange(len(top))[::-1], top["n_docs"], color=PALETTE[0])
    ax.set_yticks(np.arange(len(top))[::-1], labels)
    ax.set_xlabel("Documents (count)")
    ax.set_ylabel("Actor")
    ax.set_title(title or f"The {len(top)} actors with the most documents")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_lengths_by_year(by_year: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Median document length per year with the interquartile range as a band.

    Parameters
    ----------
    by_year : DataFrame
        From :func:`toolkit.overview.docs_by_year` (``year``, ``words_median``,
        ``words_q25``, ``words_q75``).
    title : str or None, default=None
        Default: "Document length per year".

    Returns
    -------
    Figure
        One axes: the median as a line over a band from the 25th to the 75th percentile.

    Raises
    ------
    ValueError
        When ``by_year`` lacks a column or has no rows.
    """
    require_columns(
        by_year, ["year", "words_median", "words_q25", "words_q75"],
        what="plot_lengths_by_year", nonempty=True,
    )
    fig = Figure(figsize=(9, 3.6))
    ax = fig.add_subplot()
    ax.fill_between(by_year["year"], by_year["words_q25"], by_year["words_q75"],
                    color=PALETTE[0], alpha=0.25, lw=0, label="25th–75th percentile")
    ax.plot(by_year["year"], by_year["words_median"], color=PALETTE[0], lw=1.6, label="median")
    ax.set_xlabel("Year")
    ax.set_ylabel("Length (words per document)")
    ax.set_title(title or "Document length per year")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_coverage(matrix: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Heat map of documents per actor (rows) and year (columns); white = no document.

    Parameters
    ----------
    matrix : DataFrame of shape (n_actors, n_years)
        From :func:`toolkit.overview.coverage_matrix`.
    title : str or None, default=None
        Default: "Coverage: documents per actor and year (blank = none)".

    Returns
    -------
    Figure
        One heat-map axes (one row per actor, in the matrix's order) and a colour bar of
        document counts.

    Raises
    ------
    ValueError
        When ``matrix`` is empty.
    """
    if matrix.empty:
        raise ValueError("plot_coverage: the matrix is empty; there is nothing to plot.")
    years = np.asarray(matrix.columns, dtype=int)
    values = matrix.to_numpy(dtype=float)
    masked = np.ma.masked_equal(values, 0)
    fig = Figure(figsize=(9, max(2.2, 0.3 * len(matrix) + 1.4)))
    ax = fig.add_subplot()
    im = ax.imshow(masked, aspect="auto", interpolation="nearest", cmap="viridis",
                   extent=(years[0] - 0.5, years[-1] + 0.5, len(matrix) - 0.5, -0.5),
                   vmin=1, vmax=max(1.0, float(values.max())))
    ax.set_yticks(np.arange(len(matrix)), [str(a) for a in matrix.index])
    ax.set_xlabel("Year")
    ax.set_ylabel("Actor")
    ax.set_title(title or "Coverage: documents per actor and year (blank = none)")
    cbar = fig.colorbar(im, ax=ax, pad=0.01)
    cbar.set_label("Documents (count)")
    fig.tight_layout()
    return fig


def plot_speaker_coverage(coverage: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Share of documents per year with a known speaker and a known post.

    Parameters
    ----------
    coverage : DataFrame
        From :func:`toolkit.overview.speaker_coverage` (``year``, ``share_speaker``,
        ``share_post``).
    title : str or None, default=None
        Default: "Metadata coverage: speaker and post".

    Returns
    -------
    Figure
        One axes with two lines, the shares in percent (0–100).

    Raises
    ------
    ValueError
        When ``coverage`` lacks a column or has no rows.
    """
    require_columns(
        coverage, ["year", "share_speaker", "share_post"],
        what="plot_speaker_coverage", nonempty=True,
    )
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    ax.plot(coverage["year"], 100 * coverage["share_speaker"], lw=1.6, label="speaker known")
    ax.plot(coverage["year"], 100 * coverage["share_post"], lw=1.6, label="post known")
    ax.set_xlabel("Year")
    ax.set_ylabel("Documents (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title or "Metadata coverage: speaker and post")
    ax.legend(loc="lower right", frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig

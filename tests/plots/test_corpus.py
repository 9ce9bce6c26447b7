"""Tests for toolkit.plots.corpus: every figure has a title and labelled axes."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit import overview
from toolkit.plots import corpus as corpus_plots


def _figures(corpus):
    by_year = overview.docs_by_year(corpus)
    return [
        corpus_plots.plot_docs_per_year(by_year),
        corpus_plots.plot_top_actors(overview.docs_by_actor(corpus), n=2),
        corpus_plots.plot_lengths_by_year(by_year),
        corpus_plots.plot_coverage(overview.coverage_matrix(corpus)),
        corpus_plots.plot_speaker_coverage(overview.speaker_coverage(corpus)),
    ]


def test_figures_are_titled_and_labelled(tiny_corpus):
    for fig in _figures(tiny_corpus):
        assert isinstance(fig, Figure)
        ax = fig.get_axes()[0]
        assert ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()


def test_top_actors_shows_n_bars(tiny_corpus):
    fig = corpus_plots.plot_top_actors(overview.docs_by_actor(tiny_corpus), n=2)
    assert len(fig.get_axes()[0].patches) == 2


def test_empty_or_wrong_tables_fail_clearly():
    with pytest.raises(ValueError, match=r"plot_docs_per_year: the table is empty"):
        corpus_plots.plot_docs_per_year(pd.DataFrame(columns=["year", "n_docs", "n_actors"]))
    with pytest.raises(ValueError, match=r"no column\(s\) \['n_actors'\]"):
        corpus_plots.plot_docs_per_year(pd.DataFrame({"year": [1], "n_docs": [1]}))
    with pytest.raises(ValueError, match=r"plot_coverage: the matrix is empty"):
        corpus_plots.plot_coverage(pd.DataFrame())

"""Tests for toolkit.plots.topics: every figure has a title and labelled axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit.plots.topics import (
    plot_prevalence,
    plot_prevalence_heatmap,
    plot_sweep,
    plot_top_terms,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _prev(periods=(2000, 2001, 2002), groups=("CHN", "USA"), k=3):
    rows = []
    for g in groups:
        for p in periods:
            share = np.full(k, 1 / k)
            for t in range(k):
                rows.append({"group": g, "period": p, "topic": t, "label": f"T{t:02d} x/y",
                             "share": share[t], "ci_low": share[t] - 0.05,
                             "ci_high": share[t] + 0.05, "n_docs": 4, "low_n": True})
    return pd.DataFrame(rows)


def _labelled(fig):
    assert isinstance(fig, Figure)
    assert fig._suptitle is not None or any(ax.get_title() for ax in fig.axes)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in visible if ax.has_data())


def test_plot_sweep():
    sweep = pd.DataFrame({
        "k": [5, 5, 10, 10], "seed": [0, 1, 0, 1], "coherence": [0.1, 0.12, 0.15, 0.14],
        "stability": [0.8, 0.8, 0.7, 0.7], "relative_err": [0.9, 0.9, 0.85, 0.85],
        "perplexity": [np.nan] * 4,
    })
    fig = plot_sweep(sweep)
    _labelled(fig)
    assert "coherence" in fig.axes[0].get_ylabel().lower()
    assert "Relative" in fig.axes[2].get_ylabel()
    lda = sweep.assign(relative_err=np.nan, perplexity=[900.0, 910, 850, 860])
    assert "Perplexity" in plot_sweep(lda).axes[2].get_ylabel()


def test_plot_prevalence_lines_and_bands():
    fig = plot_prevalence(_prev(), topics=[0, 2])
    _labelled(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    assert len(visible[0].collections) == 2  # one CI band per group
    with pytest.raises(ValueError, match="No rows left"):
        plot_prevalence(_prev(), groups=["FRA"])
    with pytest.raises(ValueError, match=r"has no column\(s\)"):
        plot_prevalence(_prev().drop(columns="ci_low"))


def test_plot_prevalence_heatmap():
    fig = plot_prevalence_heatmap(_prev(periods=("all",)))
    _labelled(fig)
    assert fig.axes[0].get_ylabel() == "Group"
    with pytest.raises(ValueError, match="several periods per group"):
        plot_prevalence_heatmap(_prev())


def test_plot_top_terms():
    tt = pd.DataFrame({"topic": [0, 0, 1, 1], "rank": [1, 2, 1, 2],
                       "term": ["arms", "treaty", "trade", "tariff"],
                       "score": [0.3, 0.2, 0.4, 0.1]})
    fig = plot_top_terms(tt)
    _labelled(fig)
    with pytest.raises(ValueError, match="empty"):
        plot_top_terms(tt.iloc[:0])


def test_plot_termite_from_a_fitted_model():
    import scipy.sparse as sp

    from toolkit.features import DocTermMatrix
    from toolkit.plots.topics import plot_termite
    from toolkit.topics import TopicModel

    rng = np.random.default_rng(0)
    m = sp.csr_matrix(rng.poisson(1.0, size=(12, 8)))
    dtm = DocTermMatrix(m, [f"d{i:02d}" for i in range(12)], [f"t{j}" for j in range(8)])
    tm = TopicModel(2, random_state=0).fit(dtm)
    fig = plot_termite(tm, dtm, n_terms=6)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_ylabel() == "Term"

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


def _sweep(**cols):
    base = {
        "k": [5, 5, 10, 10], "seed": [0, 1, 0, 1], "coherence": [0.1, 0.12, 0.15, 0.14],
        "coherence_min": [0.0] * 4, "stability": [0.8, 0.8, 0.7, 0.7],
        "heldout": [0.95, 0.94, 0.9, 0.91], "train_relative_err": [0.9, 0.9, 0.85, 0.85],
        "train_perplexity": [np.nan] * 4, "n_train_docs": [8] * 4, "n_iter": [50] * 4,
    }
    return pd.DataFrame({**base, **cols})


def test_plot_sweep_takes_sweep_k_output_as_is():
    fig = plot_sweep(_sweep())
    _labelled(fig)
    assert "coherence" in fig.axes[0].get_ylabel().lower()
    assert fig.axes[2].get_ylabel() == "Held-out relative reconstruction error"
    np.testing.assert_allclose(fig.axes[2].lines[0].get_ydata(), [0.945, 0.905])
    lda = _sweep(train_relative_err=[np.nan] * 4, heldout=[900.0, 910, 850, 860],
                 train_perplexity=[800.0, 810, 750, 760])
    assert plot_sweep(lda).axes[2].get_ylabel() == "Held-out perplexity"


def test_plot_sweep_without_held_out_documents_shows_training_fit():
    fig = plot_sweep(_sweep(heldout=[np.nan] * 4))
    assert fig.axes[2].get_ylabel() == "Relative reconstruction error (training)"
    np.testing.assert_allclose(fig.axes[2].lines[0].get_ydata(), [0.9, 0.85])
    lda = _sweep(heldout=[np.nan] * 4, train_relative_err=[np.nan] * 4,
                 train_perplexity=[800.0, 810, 750, 760])
    assert plot_sweep(lda).axes[2].get_ylabel() == "Perplexity (training)"
    with pytest.raises(ValueError, match=r"pass the table toolkit\.topics\.sweep_k returns"):
        plot_sweep(_sweep().drop(columns=["train_relative_err", "train_perplexity"]))


def test_plot_sweep_on_a_real_sweep():
    import scipy.sparse as sp

    from toolkit.features import DocTermMatrix
    from toolkit.topics import sweep_k

    rng = np.random.default_rng(0)
    m = sp.csr_matrix(rng.poisson(1.0, size=(20, 10)))
    dtm = DocTermMatrix(m, [f"d{i:02d}" for i in range(20)], [f"t{j}" for j in range(10)])
    sweep = sweep_k(dtm, [2, 3], seeds=(0, 1), n_terms=4, n_jobs=1, progress=False)
    _labelled(plot_sweep(sweep))


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

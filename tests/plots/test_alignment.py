"""Tests for toolkit.plots.alignment: each figure has a title, labels and the data drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from toolkit import alignment as al
from toolkit.plots import alignment as pa


@pytest.fixture
def panel():
    rng = np.random.default_rng(0)
    actors = ["CHN", "DEU", "RUS", "UKR", "USA"]
    rows = []
    for year in (2012, 2013, 2014):
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                s = rng.uniform(0.3, 0.9)
                rows.append(
                    {
                        "actor_a": a,
                        "actor_b": b,
                        "period": year,
                        "similarity": s,
                        "ci_low": s - 0.05,
                        "ci_high": s + 0.05,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_dyad_series_plot(panel):
    fig = pa.plot_dyad_series(al.dyad_series(panel, [("CHN", "RUS"), ("CHN", "USA")]))
    ax = fig.axes[0]
    assert ax.get_title() and "similarity" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["CHN–RUS", "CHN–USA"]
    assert len(ax.lines) == 2 and len(ax.collections) == 2  # lines + CI bands


def test_heatmap(panel):
    fig = pa.plot_similarity_heatmap(panel, period=2014)
    ax = fig.axes[0]
    assert "2014" in ax.get_title() and ax.get_xlabel() == "actor"
    assert sorted(t.get_text() for t in ax.get_xticklabels()) == ["CHN", "DEU", "RUS", "UKR", "USA"]
    with pytest.raises(ValueError, match="order='size'"):
        pa.plot_similarity_heatmap(panel, period=2014, order="size")


def test_positions_and_blocs(panel):
    pos = al.map_positions(panel, orient=("RUS", "USA"))
    blocs = al.cluster_blocs(panel, n_blocs=2)
    fig = pa.plot_positions(pos, period=2014, blocs=blocs, highlight=("CHN", "RUS", "USA", "DEU"))
    ax = fig.axes[0]
    assert "dimension 1" in ax.get_xlabel() and ax.get_title()
    assert {t.get_text() for t in ax.texts} == {"CHN", "RUS", "USA", "DEU"}
    b14 = blocs[blocs["period"] == 2014]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        f"bloc {k} ({n} actors)" for k, n in sorted(b14.groupby("bloc").size().items())
    ]
    with pytest.raises(ValueError, match="1999"):
        pa.plot_positions(pos, period=1999)


def test_positions_highlight_nothing_by_default(panel):
    fig = pa.plot_positions(al.map_positions(panel), period=2014)
    ax = fig.axes[0]
    assert len(ax.texts) == 0 and len(ax.collections) == 2  # all points, no circled one
    assert ax.collections[0].get_offsets().shape[0] == 5
    assert ax.collections[1].get_offsets().shape[0] == 0


def test_position_series():
    scores = pd.DataFrame(
        {
            "actor": ["CHN", "CHN", "DEU", "DEU"],
            "period": [2013, 2014] * 2,
            "score": [0.1, 0.2, 0.5, 0.4],
            "score_ci_low": [0, 0.1, 0.4, 0.3],
            "score_ci_high": [0.2, 0.3, 0.6, 0.5],
        }
    )
    scores.attrs["references"] = {"RUS": -1.0, "USA": 1.0}
    fig = pa.plot_position_series(scores, actors=["CHN", "DEU"])
    assert "RUS = -1" in fig.axes[0].get_ylabel()
    with pytest.raises(ValueError, match=r"\['UKR'\]"):
        pa.plot_position_series(scores, actors=["UKR"])
    every = pa.plot_position_series(scores)  # None draws every actor, sorted
    assert [t.get_text() for t in every.axes[0].get_legend().get_texts()] == ["CHN", "DEU"]


def test_validation_plot():
    val = pd.DataFrame(
        {
            "decade": ["1990", "2000", "all"],
            "pearson": [0.3, 0.4, 0.35],
            "pearson_ci_low": [0.2, 0.3, 0.3],
            "pearson_ci_high": [0.4, 0.5, 0.4],
            "spearman": [0.2, 0.3, 0.25],
            "spearman_ci_low": [0.1, 0.2, 0.2],
            "spearman_ci_high": [0.3, 0.4, 0.3],
        }
    )
    fig = pa.plot_validation(val)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1990s", "2000s", "all"]
    assert "voting agreement" in ax.get_ylabel()
    with pytest.raises(ValueError, match="empty"):
        pa.plot_validation(val.iloc[:0])


def test_validation_plot_several_measures():
    votes = pd.DataFrame(
        {
            "decade": ["1990", "2000", "all"],
            "pearson": [0.3, 0.4, 0.35],
            "pearson_ci_low": [0.2, 0.3, 0.3],
            "pearson_ci_high": [0.4, 0.5, 0.4],
            "spearman": [0.2, 0.3, 0.25],
        }
    )
    ideal = votes.assign(
        pearson=-votes["pearson"],
        pearson_ci_low=-votes["pearson_ci_high"],
        pearson_ci_high=-votes["pearson_ci_low"],
        decade=["1980", "1990", "all"],
    )
    fig = pa.plot_validation({"voting agreement": votes, "ideal-point distance": ideal})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1980s", "1990s", "2000s", "all"]
    assert "Pearson" in ax.get_ylabel() and ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["voting agreement", "ideal-point distance"]
    # the ideal-point 1980s point sits at x=0 with its value
    xs, ys = ax.containers[1][0].get_data()
    assert ys[0] == pytest.approx(-0.3) and xs[0] < 0.5
    with pytest.raises(ValueError, match="method='kendall'"):
        pa.plot_validation(votes, method="kendall")

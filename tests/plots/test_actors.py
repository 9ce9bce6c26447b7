"""Tests for toolkit.plots.actors (figures from tiny tidy tables)."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit.plots import actors as pa

matplotlib.use("Agg")


@pytest.fixture
def table():
    rows = [("CHN", "RUS", 1990, 5), ("CHN", "USA", 1990, 3), ("CHN", "RUS", 2000, 2),
            ("CHN", "JPN", 2000, 4), ("RUS", "USA", 2000, 7), ("RUS", "CHN", 1990, 1)]
    df = pd.DataFrame(rows, columns=["actor", "target", "period", "count"])
    df["n_docs"] = 1
    df["share"] = df["count"] / df.groupby(["actor", "period"])["count"].transform("sum")
    return df


def test_plot_top_targets(table):
    fig = pa.plot_top_targets(table, "CHN", n=2)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and "Share" in ax.get_ylabel()
    assert len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="has no mentions"):
        pa.plot_top_targets(table, "FRA")


def test_plot_mentions_heatmap(table):
    fig = pa.plot_mentions_heatmap(table, actors=["CHN", "RUS"], period=2000)
    ax = fig.axes[0]
    assert "2000s" in ax.get_title() and ax.get_ylabel()
    data = ax.images[0].get_array()
    assert data.shape == (2, 3)
    fig = pa.plot_mentions_heatmap(table, actors=["CHN"], value="count", targets=["RUS"])
    assert fig.axes[0].images[0].get_array()[0, 0] == 7
    with pytest.raises(ValueError, match="no mentions"):
        pa.plot_mentions_heatmap(table, actors=["FRA"])


def test_plot_voting_agreement():
    ag = pd.DataFrame({"actor_a": ["CHN", "CHN", "CHN"], "actor_b": ["RUS", "RUS", "USA"],
                       "period": [2000, 2001, 2000], "agreement": [0.7, 0.8, 0.2],
                       "n_votes": [50, 60, 50]})
    fig = pa.plot_voting_agreement(ag, [("RUS", "CHN"), ("CHN", "USA")])
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and ax.get_ylabel() == "Share of identical votes"
    with pytest.raises(ValueError, match="no agreement rows for the dyad CHN-FRA"):
        pa.plot_voting_agreement(ag, [("CHN", "FRA")])
    with pytest.raises(ValueError, match=r"has no column\(s\)"):
        pa.plot_voting_agreement(ag.drop(columns="agreement"), [("CHN", "RUS")])


def test_plot_arms_transfers():
    t = pd.DataFrame({"supplier": ["Russia", "Russia", "China"],
                      "recipient": ["China", "China", "Russia"],
                      "year": [2015, 2016, 2016], "deals": [1, 2, 1],
                      "tiv_delivered": [100.0, 50.0, 3.0]})
    fig = pa.plot_arms_transfers(t)
    top, bottom = fig.axes
    assert len(top.get_lines()) == 2 and "TIV" in top.get_ylabel()
    assert bottom.get_xlabel() == "Year of delivery"
    with pytest.raises(ValueError, match="table is empty"):
        pa.plot_arms_transfers(t.iloc[:0])

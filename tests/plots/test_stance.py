"""Tests for toolkit.plots.stance (figures from tiny stance and SIPRI tables)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit import stance
from toolkit.plots import stance as ps
from toolkit.report.notebook import _check_labels

matplotlib.use("Agg")


@pytest.fixture
def labelled() -> pd.DataFrame:
    rows = [("CHN", 2001, "2023-02-03", "refuse"), ("CHN", 2003, "2023-02-20", "restrain"),
            ("CHN", 2012, "2023-03-01", "restrain"), ("USA", 2005, "2023-03-09", "supply"),
            ("USA", 2015, "2023-03-10", "control"), ("USA", 2016, "2023-05-02", "none")]
    return pd.DataFrame(rows, columns=["actor", "year", "date", "stance"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


def test_plot_stance_shares_one_panel_per_group(labelled):
    series = stance.stance_series(labelled, by="actor", period="decade")
    fig = ps.plot_stance_shares(series, groups=["USA", "CHN", "FRA"], stances=["refuse",
                                                                                "restrain"])
    assert isinstance(fig, Figure) and not _check_labels(fig)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["USA (3 sentences)", "CHN (3 sentences)"]
    assert axes[0].get_xlabel() == "Decade (first year)"
    assert len(axes[1].get_lines()) == 2  # one line per stance asked for
    assert axes[1].get_lines()[0].get_ydata().tolist() == [0.5, 0.0]  # refuse: 1 of 2, 0 of 1
    plt.close(fig)
    with pytest.raises(ValueError, match="No rows for groups"):
        ps.plot_stance_shares(series, groups=["FRA"])
    with pytest.raises(ValueError, match="is empty"):
        ps.plot_stance_shares(series.iloc[:0])


def test_plot_stance_scores_and_confusion():
    y_true = ["refuse", "restrain", "restrain", "none", "control", "none"]
    rules = ["refuse", "restrain", "none", "none", "control", "restrain"]
    model = ["restrain", "restrain", "restrain", "none", "none", "none"]
    scores = pd.concat([
        stance.evaluate_stance(y_true, p, n_boot=20, random_state=0).assign(classifier=name)
        for name, p in (("rules", rules), ("model", model))])
    fig = ps.plot_stance_scores(scores, target=0.75)
    assert not _check_labels(fig) and len(fig.axes) == 3
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == "refuse (n = 1)" and ticks[-1] == "macro (n = 6)"
    plt.close(fig)
    half = stance.evaluate_stance(y_true[:3], rules[:3], n_boot=20, random_state=0)
    fig = ps.plot_stance_scores(pd.concat([scores, half.assign(classifier="rules, half")]))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][-1] == "macro"
    plt.close(fig)
    tables = {"rules": stance.confusion_table(y_true, rules),
              "model": stance.confusion_table(y_true, model)}
    fig = ps.plot_confusion(tables)
    assert not _check_labels(fig) and [ax.get_title() for ax in fig.axes] == ["rules", "model"]
    assert fig.axes[0].images[0].get_array().shape == (6, 6)
    plt.close(fig)
    with pytest.raises(ValueError, match="tables is empty"):
        ps.plot_confusion({})


def test_plot_say_do_counts_above_deliveries(labelled):
    series = stance.stance_series(labelled[labelled["actor"] == "CHN"], by=None, period="M")
    deliveries = pd.DataFrame({"pair": ["CHN → RUS"] * 2 + ["all → UKR"] * 2,
                               "year": [2022, 2023] * 2, "deals": [1, 0, 5, 9],
                               "tiv_delivered": [5.6, 0.0, 2887.0, 4391.0]})
    fig = ps.plot_say_do(series, deliveries, events={"statement": "2023-04-14"})
    assert not _check_labels(fig)
    top, bottom = fig.axes
    assert top.get_xlabel() == "Month (start)"
    # grey totals (2 months) + refuse (2) + restrain (2)
    assert len(top.patches) == 6
    assert sorted(p.get_height() for p in bottom.patches) == [0.0, 5.6, 2887.0, 4391.0]
    assert {t.get_text() for t in bottom.texts} >= {"5.6", "0.0", "4,391"}
    plt.close(fig)
    fig = ps.plot_say_do(series, None)
    assert len(fig.axes) == 1 and not _check_labels(fig)
    plt.close(fig)
    with pytest.raises(ValueError, match="deliveries table is empty"):
        ps.plot_say_do(series, deliveries.iloc[:0])

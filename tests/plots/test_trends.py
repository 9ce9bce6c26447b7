"""Tests for toolkit.plots.trends: figures from keyword trends and keyness tables."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from toolkit import keywords as kw
from toolkit.corpora.schema import standardize_columns
from toolkit.exceptions import FptkDeprecationWarning
from toolkit.plots import trends as pt

DICT = {"transfers": ["arms sale", "weapon"], "control": ["arms control"]}


@pytest.fixture
def corpus() -> pd.DataFrame:
    rows = []
    for i in range(24):
        actor = ["CHN", "USA", "RUS"][i % 3]
        text = "peace " * (20 + i) + "arms sale " * (i % 4) + "arms control " * (i % 2)
        rows.append({"doc_id": f"{actor}_{i}", "actor": actor, "year": 2000 + i // 3,
                     "text": text})
    return standardize_columns(pd.DataFrame(rows))


@pytest.fixture
def trends(corpus) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        return kw.keyword_trends(corpus, DICT, by="actor", period=4, n_boot=100,
                                 random_state=0, progress=False)


def test_plot_trends_small_multiples_per_group(trends):
    fig = pt.plot_trends(trends)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["CHN", "RUS", "USA"]
    assert all(ax.get_ylabel() == "Matches per 10,000 tokens" for ax in axes)
    assert axes[0].get_xlabel() == "4-year period (first year)"
    assert "per 10,000 tokens" in fig._suptitle.get_text()
    assert len(axes[0].collections) >= 2  # CI bands drawn
    plt.close(fig)


def test_plot_trends_per_category_with_change_points(trends):
    changes = pd.DataFrame({"group": ["CHN"], "category": ["transfers"], "period": [2004]})
    fig = pt.plot_trends(trends, facet="category", groups=["CHN", "USA"], changes=changes,
                         title="Custom")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["transfers", "control"]
    assert fig._suptitle.get_text() == "Custom"
    assert any(line.get_linestyle() == "--" for line in axes[0].lines)
    plt.close(fig)


def test_plot_trends_bad_input(trends):
    with pytest.raises(ValueError, match="No rows left"):
        pt.plot_trends(trends, groups=["FRA"])
    with pytest.raises(ValueError, match=r"has no column\(s\)"):
        pt.plot_trends(trends.drop(columns="rate_per_10k"))
    with pytest.raises(ValueError, match="facet must be"):
        pt.plot_trends(trends, facet="year")


def test_plot_keyness(corpus):
    k = kw.keyness(corpus, corpus["actor"].eq("CHN").to_numpy(), min_count=1)
    fig = pt.plot_keyness(k, n=3, max_p=None, target_label="China", reference_label="rest")
    ax = fig.axes[0]
    assert "China" in ax.get_title() and ax.get_xlabel().startswith("Log ratio")
    assert 1 <= len(ax.patches) <= 6
    fig2 = pt.plot_keyness(k, measure="g2", max_p=None)
    assert fig2.axes[0].get_xlabel().startswith("Signed G")
    with pytest.raises(ValueError, match="No term passes"):
        pt.plot_keyness(k.assign(p_bonferroni=1.0))
    plt.close("all")


def test_plot_trends_marks_events(trends):
    fig = pt.plot_trends(trends, groups=["CHN"], events={"Statement": 2004})
    ax = next(a for a in fig.axes if a.get_visible())
    assert any(line.get_linestyle() == ":" for line in ax.lines)
    assert "Statement" in [t.get_text() for t in ax.texts]
    plt.close(fig)


def test_plot_mentions_bars_and_event_line():
    rows = [("p1", "2023-01-10", "arms sale"), ("p2", "2023-01-20", "peace"),
            ("p3", "2023-03-05", "arms sale arms sale"), ("p4", "2023-04-02", "peace")]
    corpus = standardize_columns(pd.DataFrame(
        [{"doc_id": d, "date": pd.Timestamp(t), "year": 2023, "text": x} for d, t, x in rows]))
    series = kw.mention_series(corpus, DICT, categories=["transfers"], period="M",
                               progress=False)
    fig = pt.plot_mentions(series, events={"Statement, 14 Apr 2023": "2023-04-14"},
                           unit="answers")
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    # 4 months (February filled with zero): all answers, then the matching ones
    assert heights == [2, 0, 1, 1, 1, 0, 1, 0]
    assert ax.get_ylabel() == "Answers per month" and ax.get_xlabel() == "Month"
    assert "Statement, 14 Apr 2023" in [t.get_text() for t in ax.texts]
    assert fig._suptitle.get_text().startswith("Answers per month mentioning transfers")
    with pytest.raises(ValueError, match=r"has no column\(s\)"):
        pt.plot_mentions(series.drop(columns="n_docs"))
    plt.close(fig)


def test_plot_trends_show_ci_and_its_old_name(corpus, trends):
    bands = pt.plot_trends(trends)
    plain = pt.plot_trends(trends, show_ci=False)
    with pytest.warns(FptkDeprecationWarning, match="'ci' is deprecated.*'show_ci'"):
        old = pt.plot_trends(trends, ci=False)
    n_bands, n_plain, n_old = (len(f.axes[0].collections) for f in (bands, plain, old))
    assert n_bands > n_plain == n_old
    assert "95% CI (exact Poisson)" in bands._suptitle.get_text()
    assert "CI" not in plain._suptitle.get_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        narrow = kw.keyword_trends(corpus, DICT, by="actor", period=4, n_boot=100,
                                   ci_level=0.9, random_state=0, progress=False)
        pooled = kw.keyword_trends(corpus, DICT, by=None, period=None, n_boot=100,
                                   random_state=0, progress=False)
        boot = kw.keyword_trends(corpus, DICT, by="actor", period=None, n_boot=100,
                                 interval="bootstrap", random_state=0, progress=False)
    assert "90% CI (exact Poisson)" in pt.plot_trends(narrow)._suptitle.get_text()
    # 24 documents of 3 actors: the rare category is exact Poisson, the other resamples actors
    assert set(pooled["ci_method"]) == {"poisson", "cluster"}
    assert ("95% CI (exact Poisson, cluster bootstrap over actor, 100 replicates)"
            in pt.plot_trends(pooled)._suptitle.get_text())
    assert ("95% CI (bootstrap over documents, 100 replicates)"
            in pt.plot_trends(boot)._suptitle.get_text())
    plt.close("all")


def test_plot_trends_draws_only_significant_change_points(trends):
    changes = pd.DataFrame({"group": ["CHN", "CHN"], "category": ["transfers"] * 2,
                            "period": [2000, 2004], "significant": [False, True]})
    fig = pt.plot_trends(trends, groups=["CHN"], changes=changes)
    dashed = [line for line in fig.axes[0].lines if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [2004]
    plt.close(fig)


def test_plot_keyness_n_terms_and_its_old_name(corpus):
    k = kw.keyness(corpus, corpus["actor"].eq("CHN").to_numpy(), min_count=1)
    fig = pt.plot_keyness(k, n_terms=2, max_p=None)
    with pytest.warns(FptkDeprecationWarning, match="'n' is deprecated.*'n_terms'"):
        old = pt.plot_keyness(k, n=2, max_p=None)
    assert 1 <= len(fig.axes[0].patches) == len(old.axes[0].patches) <= 4
    plt.close("all")


def test_x_label_names_the_period(trends):
    assert pt._period_axis_label(trends) == "4-year period (first year)"
    for period, label in [("decade", "Decade (first year)"), ("year", "Year"),
                          ("Q", "Quarter (start)"), ("M", "Month (start)"),
                          ("session", "Period (session)"), (None, "Period")]:
        table = trends.copy()
        table.attrs = {**trends.attrs, "period": period}
        assert pt._period_axis_label(table) == label

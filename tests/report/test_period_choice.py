"""Tests of toolkit.report.period_choice (more in test_notebook.py, which re-exports it)."""

from __future__ import annotations

import pandas as pd

from toolkit.report.period_choice import recent_split

MONTHS = pd.DataFrame({"doc_id": list("abcde"), "year": [2022, 2022, 2023, 2023, 2023],
                       "date": pd.to_datetime(["2022-09-03", "2022-12-01", "2023-02-01",
                                               "2023-03-01", "2023-04-28"])})


def test_recent_years_covering_the_whole_corpus_fall_back_to_the_last_periods():
    # reports.yml's recent_period [2022, 2024] on a corpus of 2022-2023 alone: nothing before
    split = recent_split(MONTHS, "M", [2022, 2024])
    default = recent_split(MONTHS, "M")
    assert split["recent"].equals(default["recent"]) and split["before"].equals(default["before"])
    assert split["before"].any() and split["recent"].any()
    assert split["note"] == (
        "The recent period of the parameters (2022–2024) leaves no earlier documents in this "
        "corpus (2022–2023); the recent documents are instead those of "
        "February 2023–April 2023.")


def test_recent_years_after_the_corpus_fall_back_too():
    split = recent_split(MONTHS, "M", [2030, 2031])
    assert "leaves no documents in those years" in split["note"]
    assert split["n_periods"] == 3


def test_recent_years_inside_the_corpus_have_no_note():
    split = recent_split(MONTHS, "M", [2023, 2024])
    assert split["note"] == "" and split["before"].sum() == 2
    assert recent_split(MONTHS, "M")["note"] == ""


def test_change_points_are_searched_per_month_on_a_short_corpus_else_per_year():
    from toolkit.report.period_choice import change_period

    assert [change_period(p) for p in ("M", "Q", "ME")] == ["M", "Q", "ME"]
    assert [change_period(p) for p in ("decade", 5, "year", None, "actor")] == ["year"] * 5

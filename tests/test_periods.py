"""Tests of toolkit.periods: one meaning of ``period=`` everywhere."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import periods


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "year": [1946, 1993, 1999, 2023, 2023],
        "date": pd.to_datetime(["1946-10-01", "1993-09-28", "1999-01-31", "2023-02-15",
                                "2023-04-14"]),
        "bloc": ["a", "b", "b", "a", "c"],
    })


def test_year_decade_and_bins(table):
    assert periods.assign_period(table, "year").tolist() == [1946, 1993, 1999, 2023, 2023]
    assert periods.assign_period(table, "decade").tolist() == [1940, 1990, 1990, 2020, 2020]
    assert periods.assign_period(table, 5).tolist() == [1945, 1990, 1995, 2020, 2020]
    assert str(periods.assign_period(table, 5).dtype) == "Int64"


def test_all_none_column_callable(table):
    assert periods.assign_period(table, None).tolist() == ["all"] * 5
    assert periods.assign_period(table, "all").tolist() == ["all"] * 5
    assert periods.assign_period(table, "bloc").tolist() == ["a", "b", "b", "a", "c"]
    got = periods.assign_period(table, lambda t: t["year"] > 2000)
    assert got.tolist() == [False, False, False, True, True]


def test_frequency_labels_are_period_starts(table):
    got = periods.assign_period(table, "M")
    assert got.iloc[3] == pd.Timestamp("2023-02-01")
    q = periods.assign_period(table, "Q")
    assert q.iloc[4] == pd.Timestamp("2023-04-01")


def test_year_from_date_when_no_year_column(table):
    got = periods.assign_period(table.drop(columns="year"), "decade")
    assert got.tolist() == [1940, 1990, 1990, 2020, 2020]


@pytest.mark.parametrize("bad, match", [
    (0, "number of years >= 1"),
    ("fortnightly", "neither 'year'"),
    (2.5, "Unsupported period"),
    (True, "bool"),
])
def test_bad_periods_are_named(table, bad, match):
    with pytest.raises(ValueError, match=match):
        periods.assign_period(table, bad)


def test_callable_must_return_one_label_per_row(table):
    with pytest.raises(ValueError, match="one label per row"):
        periods.assign_period(table, lambda t: [1, 2])


def test_frequency_needs_a_date_column():
    with pytest.raises(ValueError, match="no 'date' column"):
        periods.assign_period(pd.DataFrame({"year": [2000]}), "M")


@pytest.mark.parametrize("value, period, text", [
    (1990, "decade", "1990s"),
    (1990, 5, "1990–1994"),
    (2023, "year", "2023"),
    (2023, 1, "2023"),
    (pd.Timestamp("2023-02-01"), "M", "February 2023"),
    (pd.Timestamp("2023-01-01"), "Q", "Q1 2023"),
    ("all", None, "all"),
    ("b", "bloc", "b"),
    (None, "year", ""),
])
def test_period_label(value, period, text):
    assert periods.period_label(value, period) == text


def test_period_name():
    assert periods.period_name("decade") == "decade"
    assert periods.period_name(5) == "5-year period"
    assert periods.period_name("M") == "month"
    assert periods.period_name("bloc") == "period"


def test_period_range_fills_gaps():
    assert periods.period_range([1990, 2010], "decade") == [1990, 2000, 2010]
    assert periods.period_range([1990, 2000], 5) == [1990, 1995, 2000]
    got = periods.period_range([pd.Timestamp("2023-01-01"), pd.Timestamp("2023-03-01")], "M")
    assert got == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01"),
                   pd.Timestamp("2023-03-01")]
    assert periods.period_range([], "year") == []


@pytest.mark.parametrize(("dates", "expected"), [
    (["2022-09-03T12:45:00+02:00", "2023-04-28T08:30:00-04:00"], "M"),
    (["2020-01-01", "2023-06-30"], "Q"),
    (["1990-01-01", "2023-06-30"], "year"),
    (["1946-09-01", "2023-09-30"], "decade"),
])
def test_default_period_follows_the_span_of_the_dates(dates, expected):
    table = pd.DataFrame({"date": dates, "year": [int(d[:4]) for d in dates]})
    assert periods.default_period(table) == expected


def test_default_period_from_years_only_never_needs_dates():
    assert periods.default_period(pd.DataFrame({"year": [2022, 2023]})) == "year"
    assert periods.default_period(pd.DataFrame({"year": [2000, 2038]})) == "year"
    assert periods.default_period(pd.DataFrame({"year": [1946, 2023]})) == "decade"
    # an all-missing date column falls back to the years
    no_dates = pd.DataFrame({"year": [1946, 2023], "date": [pd.NaT, pd.NaT]})
    assert periods.default_period(no_dates) == "decade"
    assert periods.corpus_span(no_dates) == (78.0, "year")


def test_default_period_is_a_period_assign_period_understands():
    table = pd.DataFrame({"date": pd.to_datetime(["2022-09-03", "2023-04-28"]),
                          "year": [2022, 2023]})
    labels = periods.assign_period(table, periods.default_period(table))
    assert periods.period_label(labels.iloc[-1], "M") == "April 2023"

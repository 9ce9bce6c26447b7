"""The corpus table schema: standard columns and validation messages that name rows."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.corpora import STANDARD_COLUMNS, CorpusValidationError, standardize_columns
from toolkit.corpora import validate_corpus as validate
from toolkit.corpora.schema import standardize_dates
from toolkit.exceptions import BadDateWarning


def _table(**overrides):
    base = {"doc_id": ["a", "b", "c"], "text": ["one", "two", "three"], "year": [2001, 2002, 2003]}
    base.update(overrides)
    return standardize_columns(pd.DataFrame(base), source="test")


def test_standardize_adds_columns_in_order_and_keeps_extras():
    df = standardize_columns(pd.DataFrame({"text": ["x"], "doc_id": ["d"], "party": ["p"]}),
                             source="s")
    assert list(df.columns) == [*STANDARD_COLUMNS, "party"]
    assert df.loc[0, "source"] == "s"
    assert df["actor"].isna().all()
    assert str(df["year"].dtype) == "Int64"


def test_standardize_does_not_modify_the_input():
    raw = pd.DataFrame({"doc_id": ["d"], "text": ["x"]})
    before = raw.copy()
    standardize_columns(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_valid_table_passes_and_is_returned():
    df = _table()
    assert validate(df) is df


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"doc_id": ["a", "b", "a"]}, r"Duplicate doc_id in row 0 \(doc_id='a'\), row 2"),
        ({"doc_id": ["a", None, "c"]}, r"Missing doc_id in row 1"),
        ({"text": ["one", None, "three"]}, r"Missing text in row 1 \(doc_id='b'\)"),
        ({"text": ["one", "  ", "three"]}, r"Empty text in row 1 \(doc_id='b'\).*allow_empty"),
        ({"year": [2001, 20020, 2003]}, r"Implausible year in row 1"),
    ],
)
def test_errors_name_rows_and_the_fix(overrides, message):
    with pytest.raises(CorpusValidationError, match=message):
        validate(_table(**overrides))


def test_bad_and_inconsistent_dates():
    df = _table()
    df["date"] = pd.to_datetime(["2001-05-01", "2002-01-01", "2004-01-01"])
    with pytest.raises(CorpusValidationError, match=r"year disagrees with date in row 2"):
        validate(df)
    raw = _table().astype({"date": object})
    raw.loc[1, "date"] = "not a date"
    with pytest.raises(CorpusValidationError, match=r"Unparseable date in row 1"):
        validate(raw)


def test_non_string_text_and_missing_columns():
    df = _table().astype({"text": object})
    df.loc[0, "text"] = 42
    with pytest.raises(CorpusValidationError, match=r"Non-string text in row 0"):
        validate(df)
    with pytest.raises(CorpusValidationError, match=r"lacks the standard columns"):
        validate(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))
    with pytest.raises(CorpusValidationError, match="must be a pandas DataFrame"):
        validate([{"doc_id": "a"}])


def test_empty_text_allowed_on_request():
    validate(_table(text=["one", "", "three"]), allow_empty_text=True)


# --------------------------------------------------------------------------- dates


def _dated(dates, **extra):
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(dates))],
                         "text": ["x"] * len(dates), "date": dates, **extra})


def test_timezone_aware_dates_become_utc_and_keep_the_original():
    df = standardize_columns(_dated(["2022-06-24T17:30:00Z", "2022-06-24T17:30:00+02:00",
                                     "2022-12-31T21:30:00-05:00", "2023-04-14", None, "  "]))
    assert str(df["date"].dtype) == "datetime64[ns]"  # tz-naive
    assert df["date"].tolist()[:4] == [pd.Timestamp("2022-06-24 17:30"),
                                       pd.Timestamp("2022-06-24 15:30"),
                                       pd.Timestamp("2023-01-01 02:30"),
                                       pd.Timestamp("2023-04-14")]
    assert df["date"].iloc[4:].isna().all()  # missing and blank are missing, not bad
    assert df["date_raw"].tolist()[:3] == ["2022-06-24T17:30:00Z", "2022-06-24T17:30:00+02:00",
                                           "2022-12-31T21:30:00-05:00"]
    assert df["date_raw"].iloc[3:].isna().all()  # no time zone: nothing lost
    assert df["year"].tolist()[:4] == [2022, 2022, 2023, 2023]  # from the UTC date
    assert list(df.columns) == [*STANDARD_COLUMNS, "date_raw"]
    validate(df)


def test_naive_dates_add_no_date_raw_and_aware_datetimes_are_converted():
    assert "date_raw" not in standardize_columns(_dated(["2023-04-14", "April 3, 2023"]))
    aware = pd.to_datetime(["2023-01-01 10:00"]).tz_localize("Europe/Berlin")
    df = standardize_columns(_dated(aware))
    assert df["date"].tolist() == [pd.Timestamp("2023-01-01 09:00")]
    assert df["date_raw"].tolist() == ["2023-01-01T10:00:00+01:00"]


def test_unparseable_dates_name_rows_values_and_the_fix():
    with pytest.raises(CorpusValidationError,
                       match=r"2 date\(s\) cannot be parsed: row 1 \(doc_id='d1'\): "
                             r"'2023-02-30'; row 2 \(doc_id='d2'\): 'yesterday'\. Fix them.*"
                             r"date_format=.*on_bad_date='warn'.*on_bad_date='skip'"):
        standardize_columns(_dated(["2023-02-28", "2023-02-30", "yesterday"]))


def test_a_time_without_a_date_is_not_today():
    with pytest.raises(CorpusValidationError, match=r"'12:00'"):
        standardize_columns(_dated(["12:00"]))


def test_bad_dates_can_be_counted_warnings_or_skips():
    raw = _dated(["2023-02-28", "2023-02-30", "yesterday"])
    with pytest.warns(BadDateWarning, match=r"2 date\(s\) cannot be parsed.*kept them"):
        kept = standardize_columns(raw, on_bad_date="warn")
    assert kept["date"].isna().tolist() == [False, True, True]
    assert kept.attrs["corpus"]["warnings"] == [
        {"file": "row 1", "doc_id": "d1", "value": "2023-02-30", "reason": "unparseable date"},
        {"file": "row 2", "doc_id": "d2", "value": "yesterday", "reason": "unparseable date"},
    ]
    with pytest.warns(BadDateWarning, match=r"dropped them.*\['skipped'\]"):
        dropped = standardize_columns(raw, on_bad_date="skip")
    assert dropped["doc_id"].tolist() == ["d0"]
    assert [s["value"] for s in dropped.attrs["corpus"]["skipped"]] == ["2023-02-30", "yesterday"]
    assert raw.attrs == {}  # the input is not changed
    with pytest.raises(ValueError, match=r"on_bad_date must be one of \('raise', 'warn', "
                                         r"'skip'\), got 'ignore'"):
        standardize_columns(raw, on_bad_date="ignore")


def test_date_format_is_used_and_named_when_values_do_not_match():
    df = standardize_columns(_dated(["24/06/2022", "01/02/2023"]), date_format="%d/%m/%Y")
    assert df["date"].tolist() == [pd.Timestamp("2022-06-24"), pd.Timestamp("2023-02-01")]
    with pytest.raises(CorpusValidationError, match=r"'2023-02-01'\. They do not match "
                                                    r"date_format='%d/%m/%Y'"):
        standardize_columns(_dated(["24/06/2022", "2023-02-01"]), date_format="%d/%m/%Y")


def test_standardize_dates_labels_rows_and_keeps_a_date_raw_column_of_the_input():
    raw = _dated(["2022-06-24T17:30:00Z", "nope"], date_raw=["kept", "kept"])
    out, problems = standardize_dates(raw, on_bad_date="warn",
                                      row_labels=pd.Series(["a.csv:row 0", "a.csv:row 1"]))
    assert out["date_raw"].tolist() == ["kept", "kept"]
    assert problems == [{"file": "a.csv:row 1", "doc_id": "d1", "value": "nope",
                         "reason": "unparseable date"}]


def test_validate_refuses_timezone_aware_dates():
    df = _table()
    df["date"] = pd.to_datetime(["2001-05-01", "2002-01-01", "2003-01-01"]).tz_localize("UTC")
    with pytest.raises(CorpusValidationError, match=r"time-zone aware .*standardize_columns"):
        validate(df)

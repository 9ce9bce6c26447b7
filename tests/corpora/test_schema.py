"""The corpus table schema: standard columns and validation messages that name rows."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.corpora import STANDARD_COLUMNS, CorpusValidationError, standardize_columns
from toolkit.corpora import validate_corpus as validate


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

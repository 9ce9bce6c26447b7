"""Tests for toolkit.overview: corpus summaries for the overview report."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import overview
from toolkit.corpora import standardize_columns


@pytest.fixture
def gappy() -> pd.DataFrame:
    rows = [
        ("A_1", "AAA", "Alpha", 2000, "one two three", "Mr. X", "Minister"),
        ("A_2", "AAA", "Alpha", 2003, "one  two\nthree four", "Mr. X", None),
        ("B_1", "BBB", "Beta", 2000, "word", None, "  minister "),
        ("B_2", "BBB", "Beta", 2001, "a b c d e f", "Ms. Y", "President"),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "actor", "actor_name", "year", "text", "speaker",
                                     "post"])
    out = standardize_columns(df, source="fixture")
    out.attrs["corpus"] = {"skipped": [{"file": ".DS_Store", "reason": "junk"}]}
    return out


def test_word_counts(gappy):
    w = overview.word_counts(gappy)
    assert w.to_dict() == {"A_1": 3, "A_2": 4, "B_1": 1, "B_2": 6}


def test_docs_by_year(gappy):
    by = overview.docs_by_year(gappy)
    assert by["year"].tolist() == [2000, 2001, 2003]
    assert by["n_docs"].tolist() == [2, 1, 1]
    assert by["n_actors"].tolist() == [2, 1, 1]
    assert by["words_total"].tolist() == [4, 6, 4]
    assert by["words_median"].tolist() == [2.0, 6.0, 4.0]


def test_docs_by_actor_and_gaps(gappy):
    by = overview.docs_by_actor(gappy)
    assert by["actor"].tolist() == ["AAA", "BBB"]
    assert by.loc[0, "n_missing_years"] == 2
    gaps = overview.coverage_gaps(gappy)
    assert gaps.to_dict("records") == [{
        "actor": "AAA", "actor_name": "Alpha", "first_year": 2000, "last_year": 2003,
        "n_missing": 2, "missing": "2001–2002",
    }]
    assert overview.years_without_documents(gappy) == [2002]


def test_format_years():
    years = [1973, 1971, 1972, 1980, 1982, 1983]
    assert overview.format_years(years) == "1971–1973, 1980, 1982–1983"
    assert overview.format_years([]) == ""


def test_coverage_matrix(gappy):
    m = overview.coverage_matrix(gappy, ["BBB", "AAA"])
    assert m.index.tolist() == ["BBB", "AAA"]
    assert m.columns.tolist() == [2000, 2001, 2002, 2003]
    assert m.loc["AAA"].tolist() == [1, 0, 0, 1]
    with pytest.raises(ValueError, match=r"actor\(s\) \['ZZZ'\] have no document"):
        overview.coverage_matrix(gappy, ["ZZZ"])


def test_speaker_coverage_and_posts(gappy):
    sc = overview.speaker_coverage(gappy)
    assert sc.loc[sc["year"] == 2000, "share_speaker"].item() == 0.5
    p = overview.posts(gappy, n=1)
    assert p["post"].tolist() == ["minister", "(other)"]
    assert p["n_docs"].tolist() == [2, 2]
    assert p["share"].sum() == pytest.approx(1.0)


def test_skipped_files_and_extremes(gappy):
    assert overview.skipped_files(gappy).to_dict("records") == [
        {"file": ".DS_Store", "reason": "junk"}]
    ext = overview.length_extremes(gappy, n=1)
    assert ext["which"].tolist() == ["shortest", "longest"]
    assert ext["doc_id"].tolist() == ["B_1", "B_2"]
    assert ext.loc[1, "excerpt"] == "a b c d e f"


def test_functions_do_not_mutate_and_name_missing_columns(gappy):
    before = gappy.copy()
    overview.docs_by_year(gappy)
    overview.docs_by_actor(gappy)
    overview.length_extremes(gappy)
    pd.testing.assert_frame_equal(gappy, before)
    msg = r"docs_by_year: the corpus table has no column\(s\) \['actor'\]"
    with pytest.raises(ValueError, match=msg):
        overview.docs_by_year(gappy.drop(columns=["actor"]))

"""Tests for toolkit.keywords.kwic: KWIC lines, their summary per speaker, and passages."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from toolkit import keywords as kw
from toolkit.corpora.schema import validate_corpus

from .conftest import PRESS_DICT, SMALL


def test_kwic_terms_categories_filters(corpus):
    k = kw.kwic(corpus, "sell weapon", window=10)
    assert list(k.columns[:6]) == ["doc_id", "actor", "year", "left", "match", "right"]
    assert k["match"].tolist() == ["sell weapons"]
    assert k.loc[0, "left"] == "ill never "  # newline-free context, 10 characters
    cat = kw.kwic(corpus, "transfers", dictionary=SMALL)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    assert len(cat) == counts["transfers"].sum()
    # nested entries resolve as in the counts: the Treaty is not a "transfers" line
    assert "Arms Trade Treaty" not in cat["match"].tolist()
    only = kw.kwic(corpus, "transfers", dictionary=SMALL, actor="CHN", year=slice(2022, 2022))
    assert set(only["doc_id"]) == {"CHN_2"}
    listed = kw.kwic(corpus, "weapon", actor=["USA", "FRA"])
    assert set(listed["doc_id"]) == {"USA_2"}
    rx = kw.kwic(corpus, re.compile(r"arms \w+", re.I), actor="USA")
    assert rx["match"].tolist() == ["Arms deliveries", "arms exports"]
    with pytest.raises(ValueError, match=r"Filter column 'bloc' is not in the corpus. "
                       "Available columns"):
        kw.kwic(corpus, "arms", bloc="west")
    assert kw.kwic(corpus, "zeppelin").empty


def test_kwic_several_categories_once_each_with_columns(press):
    lines = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT,
                    columns=["date", "speaker"])
    assert list(lines.columns[:5]) == ["doc_id", "actor", "year", "date", "speaker"]
    # hand count: p1 2 (pouring weapons, Arms sales), p2 1 (lethal weapons, in both
    # categories but one line), p3 3, p5 1
    assert lines.groupby("doc_id").size().to_dict() == {"p1": 2, "p2": 1, "p3": 3, "p5": 1}
    assert lines.loc[lines["doc_id"] == "p2", "category"].tolist() == ["transfers;aid"]
    assert lines.loc[lines["doc_id"] == "p3", "speaker"].unique().tolist() == ["Mao Ning"]
    one = kw.kwic(press, "transfers", dictionary=PRESS_DICT)
    assert len(one) == kw.count_matches(press, PRESS_DICT, progress=False)["transfers"].sum()
    assert set(kw.kwic(press, ["arms sale", "sanction"])["match"].str.lower()) == {
        "arms sales", "sanctions"}
    with pytest.raises(ValueError, match="mixes categories"):
        kw.kwic(press, ["transfers", "weapon"], dictionary=PRESS_DICT)
    with pytest.raises(ValueError, match=r"kwic columns \['post_x'\] are not in the corpus"):
        kw.kwic(press, "transfers", dictionary=PRESS_DICT, columns=["post_x"])
    with pytest.raises(ValueError, match="empty list"):
        kw.kwic(press, [], dictionary=PRESS_DICT)


def test_kwic_summary_against_hand_count(press):
    lines = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT)
    out = kw.kwic_summary(lines, press, by="speaker")
    assert list(out.columns) == ["speaker", "n_passages", "n_docs", "first", "last",
                                 "top_terms"]
    # sorted by answers, then passages; the missing speaker is kept and labelled
    assert out["speaker"].tolist() == ["Wang Wenbin", "Mao Ning", "(unknown)"]
    assert out["n_passages"].tolist() == [3, 3, 1]
    assert out["n_docs"].tolist() == [2, 1, 1]
    assert out["first"].tolist() == pd.to_datetime(
        ["2023-02-20", "2023-03-02", "2023-06-10"]).tolist()
    assert out["last"].tolist() == pd.to_datetime(
        ["2023-03-21", "2023-03-02", "2023-06-10"]).tolist()
    assert out.loc[1, "top_terms"] == "military aid (2); arms sale (1)"
    assert out.loc[0, "top_terms"] == "arms sale (1); lethal weapon (1); pour … weapon (1)"
    # ties in alphabetical order, cut at n_terms
    assert kw.kwic_summary(lines, press, n_terms=2).loc[0, "top_terms"] == (
        "arms sale (1); lethal weapon (1)")
    # same table when the lines already carry the columns; the caller's table is unchanged
    with_cols = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT,
                        columns=["speaker", "date"])
    before = with_cols.copy()
    pd.testing.assert_frame_equal(kw.kwic_summary(with_cols), out)
    pd.testing.assert_frame_equal(with_cols, before)
    # without a dictionary the matched text stands in for the term
    plain = kw.kwic_summary(kw.kwic(press, "arms sale"), press, by=["actor"])
    assert plain.loc[0, "top_terms"] == "arms sales (3)"
    empty = kw.kwic_summary(lines.iloc[:0], press)
    assert empty.empty and "n_passages" in empty.columns
    with pytest.raises(ValueError, match=r"pass the corpus"):
        kw.kwic_summary(lines)
    with pytest.raises(ValueError, match=r"Neither kwic_table nor the corpus has"):
        kw.kwic_summary(lines, press, by="post_x")


def test_extract_passages_sentences_and_paragraphs(corpus):
    p = kw.extract_passages(corpus, SMALL, unit="sentence", progress=False)
    validate_corpus(p)
    first = p[p["parent_doc_id"] == "CHN_1"]
    assert first["text"].tolist() == [
        "China will never sell weapons to either side.", "Arms sales fuel war.",
        "The Arms Trade Treaty matters."]
    assert first["categories"].tolist() == ["transfers", "transfers", "control"]
    assert first["doc_id"].tolist() == ["CHN_1#s0", "CHN_1#s1", "CHN_1#s2"]
    assert (first["actor"] == "CHN").all() and (first["year"] == 2021).all()
    row = first.iloc[1]
    assert corpus.loc[0, "text"][row["start"] : row["end"]].strip() == row["text"]
    only = kw.extract_passages(corpus, SMALL, categories="control", progress=False)
    assert set(only["categories"]) == {"control"}
    assert "Arms sales fuel war." not in only["text"].tolist()
    paras = kw.extract_passages(corpus, SMALL, unit="paragraph", progress=False)
    assert paras[paras["parent_doc_id"] == "CHN_1"]["doc_id"].tolist() == [
        "CHN_1#p0", "CHN_1#p1"]
    assert paras.attrs["passages"]["n_parent_docs_with_match"] == 3
    with pytest.raises(ValueError, match="unit must be"):
        kw.extract_passages(corpus, SMALL, unit="page")

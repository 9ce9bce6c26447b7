"""Tests for toolkit.corpora.sotu (the embedded default corpus; offline)."""

from __future__ import annotations

import pytest

from toolkit.corpora.schema import STANDARD_COLUMNS, validate_corpus
from toolkit.corpora.sotu import PARTY_CODES, load_sotu


@pytest.fixture(scope="module")
def sotu_party():
    return load_sotu()


def test_party_actor(sotu_party):
    df = sotu_party
    validate_corpus(df)
    assert list(df.columns[: len(STANDARD_COLUMNS)]) == list(STANDARD_COLUMNS)
    assert set(df["actor"]) <= set(PARTY_CODES.values())
    assert (df["actor_name"] == df["party"]).all()
    assert (df["source"] == "sotu").all()
    assert (df["post"] == "President of the United States").all()
    assert df["doc_id"].is_unique
    assert (df["date"].dt.year == df["year"]).all()
    first = df.iloc[0]
    assert first["doc_id"] == "1790-Washington-1"
    assert first["speaker"] == "George Washington" and first["actor"] == "NP"
    assert int(df["year"].min()) == 1790


def test_president_actor_separates_namesakes():
    df = load_sotu(actor="president")
    names = df.groupby("actor")["actor_name"].first()
    assert names["roosevelt-26"] == "Theodore Roosevelt"
    assert names["roosevelt-32"] == "Franklin D. Roosevelt"
    assert (df["speaker"] == df["actor_name"]).all()


def test_provenance_is_stable(sotu_party):
    info = sotu_party.attrs["corpus"]
    assert info["name"] == "sotu" and info["release"].startswith("sotu-")
    assert info["n_docs"] == len(sotu_party) and info["skipped"] == []
    assert load_sotu().attrs["corpus"]["sha256"] == info["sha256"]


def test_related_documents_are_opt_in(sotu_party):
    related = load_sotu(include_related=True)
    assert len(related) >= len(sotu_party)
    assert sotu_party["is_sotu"].all()


def test_bad_actor_choice():
    with pytest.raises(ValueError, match=r"actor must be 'party' or 'president', got 'state'"):
        load_sotu(actor="state")

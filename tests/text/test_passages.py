"""Tests for toolkit.text.passages: the one sentence and paragraph splitter."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import text


def test_split_sentences():
    assert text.split_sentences("Peace first. Then arms control!") == [
        "Peace first.", "Then arms control!"]


def test_passage_spans_sentences_paragraphs_and_abbreviations():
    doc = "Mr. Smith met Dr. Jones. They agreed.\n\nA new paragraph. It ends here."
    spans = text.passage_spans(doc)
    assert [doc[s:e] for s, e in spans] == [
        "Mr. Smith met Dr. Jones.", "They agreed.", "A new paragraph.", "It ends here."]
    paras = text.passage_spans(doc, unit="paragraph")
    assert [doc[s:e] for s, e in paras] == [
        "Mr. Smith met Dr. Jones. They agreed.", "A new paragraph. It ends here."]
    wrapped = "A sentence broken\nacross lines.\nNext one."
    assert len(text.passage_spans(wrapped, unit="paragraph")) == 2
    with pytest.raises(ValueError, match="unit must be one of"):
        text.passage_spans(doc, unit="page")


def test_split_passages_keeps_metadata_and_ids():
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "text": ["One. Two.\n\nThree.", ""],
                           "actor": ["USA", "CHN"]})
    out = text.split_passages(corpus, unit="paragraph")
    assert out["doc_id"].tolist() == ["a#p0", "a#p1"]
    assert out["text"].tolist() == ["One. Two.", "Three."]
    assert out["actor"].tolist() == ["USA", "USA"]
    assert out["parent_doc_id"].tolist() == ["a", "a"]
    assert out.attrs["passages"]["n_docs_without_text"] == 1
    sent = text.split_passages(corpus, unit="sentence")
    assert sent["doc_id"].tolist() == ["a#s0", "a#s1", "a#s2"]
    with pytest.raises(ValueError, match="unit='word'"):
        text.split_passages(corpus, unit="word")

"""Tests for toolkit.text.lexicon: stopword lists, phrase lists and phrase detection."""

from __future__ import annotations

import pytest

from toolkit import text

from .conftest import SAMPLE


def test_stopword_lists_are_switchable():
    both = text.get_stopwords()
    sp_only = text.get_stopwords(domain=False)
    dom_only = text.get_stopwords(spacy=False)
    assert "the" in sp_only and "the" not in dom_only
    assert "delegation" in dom_only and "general_assembly" in dom_only
    assert "delegation" not in sp_only
    assert both == sp_only | dom_only
    assert text.get_stopwords(spacy=False, domain=False, extra=["Foo"]) == {"foo"}
    assert text.resolve_stopwords(None) == frozenset()
    assert text.resolve_stopwords("domain") == dom_only
    with pytest.raises(ValueError, match="stopwords='english'"):
        text.resolve_stopwords("english")


def test_domain_stopwords_remove_procedure_not_substance():
    toks = text.tokenize(SAMPLE[2])[0]
    assert "general_assembly" not in toks and "delegation" not in toks
    assert "international" in toks  # hyphenated line break joined
    assert "security" in toks


def test_phrase_list_sources(tmp_path):
    assert "arms trade treaty" in text.get_phrases(True)
    assert text.get_phrases(False) == ()
    f = tmp_path / "p.txt"
    f.write_text("# comment\nblue helmets\n", encoding="utf-8")
    assert text.get_phrases(f) == ("blue helmets",)
    assert text.tokenize("Blue helmets arrived.", phrases=f)[0] == ["blue_helmets", "arrive"]
    with pytest.raises(FileNotFoundError, match="is not a file"):
        text.get_phrases(str(tmp_path / "missing.txt"))


def test_phrases_never_cross_documents():
    toks = text.tokenize(["We need small", "arms control"], phrases=["small arms"], stopwords=None)
    assert toks == [["we", "need", "small"], ["arms", "control"]]


def test_detect_phrases_finds_collocations():
    docs = [["arms", "embargo", "peace", "now"]] * 30 + [["peace", "talks"], ["now", "talks"]]
    found = text.detect_phrases(docs, min_count=20, threshold=0.3, stopwords=None)
    assert found[0] == "arms embargo"
    assert text.detect_phrases([], min_count=1) == []

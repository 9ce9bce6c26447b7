"""Tests for toolkit.text: normalisation, tokens, lemmas, stopwords, phrases, caching."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from textacy import preprocessing as tp

from toolkit import text
from toolkit.cache import CacheCorruptWarning, list_cache

SAMPLE = [
    "The Arms Trade Treaty bans weapons of mass destruction. Mr. President, dual-use goods "
    "and the Security Council! Non-proliferation treaty; non proliferation treaty.",
    "I don’t think the U.S. can’t; “peace,” (1945) Member States' self-determination—and "
    "co-operation. Small arms and light weapons, small arms.",
    "Delegations congratulate the General Assembly\n\non its seventieth session. inter-\n"
    "national   peace\u200bkeeping\tand\u00a0security.",
    "   ",
    "the and of",
]


# ----------------------------------------------------------------------------- normalise
def test_default_normalizer_equals_textacy_steps_applied_in_turn():
    raw = SAMPLE[1] + " " + SAMPLE[2] + " e\u0301lan ‘quoted’ inter- national 1.5- 2"
    expected = tp.normalize.unicode(raw, form="NFC")
    expected = tp.normalize.quotation_marks(expected)
    expected = tp.normalize.hyphenated_words(expected)
    expected = tp.normalize.whitespace(expected)
    assert text.normalize(raw) == expected


def test_normalizer_options_change_output():
    s = "See https://un.org or mail info@un.org about 1,000 arms."
    assert "_URL_" in text.normalize(s, urls="replace")
    assert "_EMAIL_" in text.normalize(s, emails="replace")
    assert "_NUMBER_" in text.normalize(s, numbers="replace")
    assert "https" in text.normalize(s)
    assert text.normalize("Côte", accents=True) == "Cote"
    norm = text.make_normalizer(extra=[str.upper])
    assert norm("arms") == "ARMS"
    assert "upper" in norm.config[-1][1][0]


def test_normalizer_bad_options():
    with pytest.raises(ValueError, match="urls='drop'; use 'keep', 'replace' or 'remove'"):
        text.make_normalizer(urls="drop")
    with pytest.raises(TypeError, match="expects a str"):
        text.normalize(3)


# ----------------------------------------------------------------------------- tokens
def test_tokens_lemmas_phrases_and_stopwords():
    toks = text.tokenize(SAMPLE[:2])
    assert toks[0] == [
        "arms_trade_treaty", "ban", "weapons_of_mass_destruction", "dual_use",
        "good", "security_council", "non_proliferation_treaty", "non_proliferation_treaty",
    ]
    assert "small_arms_and_light_weapons" in toks[1] and "small_arms" in toks[1]
    assert "self_determination" in toks[1] and "co_operation" in toks[1]
    assert "u.s" in toks[1]


def test_tokens_without_stopwords_or_phrases_keep_function_words_and_lemmas():
    toks = text.tokenize(SAMPLE[0], stopwords=None, phrases=False)[0]
    assert toks[:4] == ["the", "arms", "trade", "treaty"]  # "arms" override, not "arm"
    assert "weapon" in toks and "destruction" in toks
    raw = text.tokenize(SAMPLE[0], stopwords=None, phrases=False, lemmatize=False)[0]
    assert "weapons" in raw and "bans" in raw


def test_case_and_min_chars_options():
    assert text.tokenize("Peace A b", stopwords=None, lowercase=False)[0] == ["Peace"]
    assert text.tokenize("Peace A b", stopwords=None, min_chars=1)[0] == ["peace", "a", "b"]
    with pytest.raises(ValueError, match="min_chars must be >= 1"):
        text.tokenize("x", min_chars=0)


def test_fast_engine_matches_spacy_engine_on_sample():
    kw = dict(stopwords=None, phrases=False)
    assert text.tokenize(SAMPLE, engine="fast", **kw) == text.tokenize(SAMPLE, engine="spacy", **kw)
    assert text.tokenize(SAMPLE, engine="fast") == text.tokenize(SAMPLE, engine="spacy")


def test_unknown_engine_and_model():
    with pytest.raises(ValueError, match="engine='slow'"):
        text.tokenize("x", engine="slow")
    with pytest.raises(ValueError, match="engine='spacy' to use model"):
        text.tokenize("x", model="en_core_web_sm")
    with pytest.raises(ImportError, match="not installed"):
        text.load_spacy("fptk_no_such_model")


def test_split_sentences():
    assert text.split_sentences("Peace first. Then arms control!") == [
        "Peace first.", "Then arms control!"]


def test_tokens_table_roundtrip_and_offsets():
    toks = text.tokenize_texts(SAMPLE, doc_ids=list("abcde"))
    lists = toks.to_lists()
    assert len(lists) == 5 and lists[3] == []
    assert toks.lengths().tolist() == [len(x) for x in lists]
    assert toks.n_raw[3] == 0 and toks.n_raw[4] == 3
    assert toks.remove(text.get_stopwords()).to_lists()[4] == []


def test_non_string_text_is_an_error_naming_rows():
    with pytest.raises(TypeError, match=r"2 texts are not strings \(NoneType, int\).*\['b', 'c'\]"):
        text.tokenize_texts(["ok", None, 5], doc_ids=["a", "b", "c"])


# ----------------------------------------------------------------------------- stopwords
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


# ----------------------------------------------------------------------------- phrases
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


# ----------------------------------------------------------------------------- corpus + cache
def _corpus():
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(SAMPLE))], "text": SAMPLE})


def test_tokenize_corpus_is_cached_and_keyed_by_parameters(tmp_path):
    df = _corpus()
    before = df.copy()
    a = text.tokenize_corpus(df, progress=False, cache_home=tmp_path)
    pd.testing.assert_frame_equal(df, before)  # caller's frame untouched
    assert len(list_cache(cache_home=tmp_path)) == 1
    b = text.tokenize_corpus(df, progress=False, cache_home=tmp_path)
    assert np.array_equal(a.ids, b.ids) and a.ids.dtype == b.ids.dtype
    assert list(a.forms) == list(b.forms) and list(a.doc_ids) == list(b.doc_ids)
    text.tokenize_corpus(df, progress=False, cache_home=tmp_path, lemmatize=False)
    assert len(list_cache(cache_home=tmp_path)) == 2
    df2 = df.assign(text=df["text"].str.upper())
    text.tokenize_corpus(df2, progress=False, cache_home=tmp_path)
    assert len(list_cache(cache_home=tmp_path)) == 3


def test_corrupt_tokens_cache_is_rebuilt_with_a_warning(tmp_path):
    df = _corpus()
    a = text.tokenize_corpus(df, progress=False, cache_home=tmp_path)
    (entry,) = list_cache(cache_home=tmp_path)
    with open(entry["file"], "wb") as fh:
        fh.write(b"not an npz")
    with pytest.warns(CacheCorruptWarning, match="corrupt"):
        b = text.tokenize_corpus(df, progress=False, cache_home=tmp_path)
    assert np.array_equal(a.ids, b.ids)


def test_fingerprint_uses_source_checksum_but_sees_edits():
    df = _corpus()
    df.attrs["corpus"] = {"sha256": "abc"}
    f1 = text.corpus_fingerprint(df)
    assert f1 == text.corpus_fingerprint(df.copy())
    assert f1 != text.corpus_fingerprint(df.iloc[:3])
    assert f1 != text.corpus_fingerprint(df.assign(text=df["text"] + "!"))


# ----------------------------------------------------------------------------- real data
@pytest.mark.integration
def test_engines_agree_on_real_ungdc_sample(ungdc):
    sample = ungdc.sort_values("doc_id").iloc[::500]["text"].tolist()
    kw = dict(stopwords=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert text.tokenize(sample, **kw) == text.tokenize(sample, engine="spacy", **kw)
    assert os.environ.get("FPTK_DATA_HOME")

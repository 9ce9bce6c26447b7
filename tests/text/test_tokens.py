"""Tests for toolkit.text.tokens: tokens, lemmas, the tokeniser options and the tokens cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import text
from toolkit.cache import CacheCorruptWarning, list_cache

from .conftest import SAMPLE, _corpus


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


# ----------------------------------------------------------------------------- TokenizerOptions
def test_tokenizer_options_defaults_are_those_of_every_function():
    import dataclasses
    import inspect

    opts = text.TokenizerOptions()
    assert dataclasses.asdict(opts) == {
        "normalize": True, "lemmatize": True, "lowercase": True, "join_hyphens": True,
        "min_chars": 2, "phrases": True, "stopwords": "default", "engine": "fast",
        "model": "blank",
    }
    for fn in (text.tokenize, text.tokenize_texts, text.tokenize_corpus):
        assert inspect.signature(fn).parameters["tokenizer"].default is None


def test_tokenizer_options_give_the_same_tokens_as_loose_keywords():
    loose = dict(lemmatize=False, stopwords="spacy", phrases=["small arms"], min_chars=3)
    opts = text.TokenizerOptions(**loose)
    assert text.tokenize(SAMPLE, tokenizer=opts) == text.tokenize(SAMPLE, **loose)
    a = text.tokenize_texts(SAMPLE, tokenizer=opts)
    b = text.tokenize_texts(SAMPLE, lemmatize=False, phrases=["small arms"], min_chars=3)
    assert a.to_lists() == b.to_lists()


def test_tokenizer_options_and_loose_keywords_together_are_an_error():
    opts = text.TokenizerOptions(lemmatize=False)
    with pytest.raises(TypeError, match=r"tokenize\(\) got both tokenizer= and min_chars="):
        text.tokenize("x", tokenizer=opts, min_chars=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'lematize'"):
        text.tokenize("x", lematize=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'stopwords'"):
        text.tokenize_texts(["x"], stopwords=None)  # a Tokens table keeps its stopwords
    with pytest.raises(TypeError, match="must be a TokenizerOptions"):
        text.tokenize("x", tokenizer={"lemmatize": False})


def test_tokenizer_options_are_frozen_checked_and_hashable():
    import dataclasses

    opts = text.TokenizerOptions(phrases=["blue helmets"], stopwords={"peace"})
    assert opts.phrases == ("blue helmets",) and opts.stopwords == ("peace",)
    assert hash(opts) == hash(text.TokenizerOptions(phrases=("blue helmets",),
                                                    stopwords=("peace",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.min_chars = 3
    assert dataclasses.replace(opts, min_chars=3).min_chars == 3
    with pytest.raises(ValueError, match="engine='slow'"):
        text.TokenizerOptions(engine="slow")
    with pytest.raises(ValueError, match="min_chars must be >= 1"):
        text.TokenizerOptions(min_chars=0)
    with pytest.raises(ValueError, match="stopwords='english'"):
        text.TokenizerOptions(stopwords="english")


def test_tokenizer_options_cache_keys():
    opts = text.TokenizerOptions()
    assert opts.tokens_key() == text.tokens_params()
    assert "stopwords" not in opts.tokens_key()
    assert opts.cache_key() == {**opts.tokens_key(), "stopwords": text.stopwords_key("default")}
    no_stop = text.TokenizerOptions(stopwords=None)
    assert no_stop.tokens_key() == opts.tokens_key()
    assert no_stop.cache_key() != opts.cache_key()
    assert text.TokenizerOptions(lemmatize=False).tokens_key() != opts.tokens_key()
    assert text.tokens_params(lemmatize=False, stopwords=None) == text.TokenizerOptions(
        lemmatize=False).tokens_key()


def test_tokens_cache_is_shared_by_stopword_settings(tmp_path):
    df = _corpus()
    a = text.tokenize_corpus(df, progress=False, cache_home=tmp_path)
    b = text.tokenize_corpus(df, tokenizer=text.TokenizerOptions(stopwords=None),
                             progress=False, cache_home=tmp_path)
    assert len(list_cache(cache_home=tmp_path)) == 1
    assert np.array_equal(a.ids, b.ids) and list(a.forms) == list(b.forms)
    with pytest.raises(TypeError, match="got both tokenizer= and lemmatize="):
        text.tokenize_corpus(df, tokenizer=text.TokenizerOptions(), lemmatize=False)


def test_arrow_text_column_is_read_in_slices_with_the_same_tokens(tmp_path):
    from toolkit.text.tokens import _ColumnTexts, _corpus_texts

    df = _corpus()
    arrow = df.assign(text=df["text"].astype("string[pyarrow]"))
    texts, ids = _corpus_texts(arrow, "text")
    assert isinstance(texts, _ColumnTexts) and ids == list(df["doc_id"])
    assert len(texts) == len(SAMPLE) and texts[1:3] == SAMPLE[1:3] and list(texts) == SAMPLE
    a = text.tokenize_corpus(arrow, progress=False, use_cache=False)
    b = text.tokenize_corpus(df, progress=False, use_cache=False)
    assert list(a.forms) == list(b.forms) and np.array_equal(a.ids, b.ids)
    assert np.array_equal(a.offsets, b.offsets) and np.array_equal(a.n_raw, b.n_raw)
    missing = arrow.copy()
    missing.loc[2, "text"] = pd.NA
    with pytest.raises(TypeError, match=r"1 texts are not strings \(NAType\).*\['d2'\]"):
        text.tokenize_corpus(missing, progress=False, use_cache=False)

"""Tests for toolkit.text.engines: the fast engine gives spaCy's tokens; spaCy loading."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from toolkit import text

from .conftest import SAMPLE


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


@pytest.mark.integration
def test_engines_agree_on_real_ungdc_sample(ungdc):
    sample = ungdc.sort_values("doc_id").iloc[::500]["text"].tolist()
    kw = dict(stopwords=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert text.tokenize(sample, **kw) == text.tokenize(sample, engine="spacy", **kw)
    assert os.environ.get("FPTK_DATA_HOME")


def _tokens_by_block(monkeypatch, texts, block, join=2**20, **kw):
    from toolkit.text import engines

    monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
    monkeypatch.setattr(engines, "_JOIN_TOKENS", join)  # phrases joined per run of blocks
    return text.tokenize_texts(texts, **kw)


@pytest.mark.parametrize("engine", ["fast", "spacy"])
def test_streamed_tokens_do_not_depend_on_the_block_size(monkeypatch, engine):
    # one block holding every document is the single pass of the pre-streaming engine
    texts = [t.replace("Arms", a) for a in ("Arms", "arms", "ARMS") for t in SAMPLE] + [""]
    whole = _tokens_by_block(monkeypatch, texts, 10_000, engine=engine)
    assert "arms_trade_treaty" in set(whole.forms)
    for block, join in ((1, 1), (2, 1), (2, 30), (4, 2**20)):
        got = _tokens_by_block(monkeypatch, texts, block, join, engine=engine)
        assert list(got.forms) == list(whole.forms)  # same numbering, same order
        for name in ("ids", "offsets", "n_raw"):
            a, b = getattr(got, name), getattr(whole, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert whole.ids.dtype == np.int32 and whole.offsets.dtype == np.int64


def test_new_offsets_equals_cumulative_count(monkeypatch):
    from toolkit.text import engines

    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 6, size=50)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    keep = rng.random(int(offsets[-1])) < 0.6
    expected = np.concatenate([[0], np.cumsum(keep)])[offsets]
    for block in (1, 3, 1000):
        monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
        got = engines._new_offsets(offsets, keep)
        assert got.dtype == np.int64 and np.array_equal(got, expected)


def _same_tokens(a, b):
    assert list(a.forms) == list(b.forms)
    for name in ("ids", "offsets", "n_raw"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_chunk_memo_gives_the_same_tokens_and_outlives_its_block(monkeypatch):
    from toolkit.text import engines

    monkeypatch.setattr(engines, "_CHUNK_MEMO", {})
    # several small tables that share most chunks, as a Dask worker's partitions do
    tables = [SAMPLE[i:] + SAMPLE[:i] for i in range(len(SAMPLE))]
    plain = [text.tokenize_texts(t) for t in tables]
    with engines.chunk_memo():
        memo = [text.tokenize_texts(t) for t in tables]
    for a, b in zip(plain, memo, strict=True):
        _same_tokens(a, b)
    (kept,) = engines._CHUNK_MEMO.values()
    assert "(1945)" in kept and "arms" in kept  # what the tables tokenised is kept ...
    again = text.tokenize_texts(["(1945) unseen-chunk"])
    assert "unseen-chunk" not in kept  # ... but nothing is added outside the block
    with engines.chunk_memo():
        assert list(text.tokenize_texts(["(1945) unseen-chunk"]).forms) == list(again.forms)


def test_chunk_memo_starts_afresh_when_full(monkeypatch):
    from toolkit.text import engines

    monkeypatch.setattr(engines, "_CHUNK_MEMO", {})
    monkeypatch.setattr(engines, "_MEMO_TOKENIZER", {})
    monkeypatch.setattr(engines, "_MEMO_MAX", 8)
    with engines.chunk_memo():
        first = text.tokenize_texts(["peace, security; arms."])
        (kept,) = engines._CHUNK_MEMO.values()
        (tokenizer,) = engines._MEMO_TOKENIZER.values()
        assert set(kept) == {"peace,", "security;", "arms."}
        second = text.tokenize_texts(["arms. trade treaty (1945) dual-use goods now"])
        # 3 kept + 6 new > 8: the memo was emptied, then holds the 6 new chunks only, and
        # its tokenizer (with the vocabulary of the old chunks) was replaced
        assert set(kept) == {"trade", "treaty", "(1945)", "dual-use", "goods", "now"}
        assert list(engines._MEMO_TOKENIZER.values()) != [tokenizer]
    engines.clear_chunk_memo()
    assert not engines._CHUNK_MEMO and not engines._MEMO_TOKENIZER
    _same_tokens(first, text.tokenize_texts(["peace, security; arms."]))
    _same_tokens(second, text.tokenize_texts(["arms. trade treaty (1945) dual-use goods now"]))

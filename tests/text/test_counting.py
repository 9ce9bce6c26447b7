"""Tests for toolkit.text._counting: the streamed unigram count equals the whole-table count."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from toolkit.text import Tokens, engines
from toolkit.text._counting import count_ngrams, count_ngrams_streamed, count_unigrams


def _table(seed: int, n_docs: int = 30, n_forms: int = 20) -> Tokens:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    lengths[[0, n_docs - 1]] = 0  # empty first and last documents
    ids = rng.integers(0, n_forms, size=int(lengths.sum())).astype(np.int32)
    forms = np.array([f"t{(i * 11) % n_forms:02d}" for i in range(n_forms)], dtype=object)
    return Tokens(np.array([f"d{i}" for i in range(n_docs)], dtype=object), forms, ids,
                  np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                  lengths.astype(np.int64))


@pytest.mark.parametrize("block", [1, 4, 1000])
@pytest.mark.parametrize(("min_docs", "max_docs"), [(1, 30), (4, 12), (0, 0)])
def test_count_unigrams_equals_whole_table_count(monkeypatch, block, min_docs, max_docs):
    monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
    for seed in range(3):
        tokens = _table(seed)
        ids = tokens.ids.copy()
        X, vocab, n = count_unigrams(tokens, min_docs=min_docs, max_docs=max_docs)
        Y, vocab_y, n_y = count_ngrams(tokens, ngram_range=(1, 1), min_docs=min_docs,
                                       max_docs=max_docs)
        assert np.array_equal(tokens.ids, ids) and n == n_y
        if Y is None:
            assert X is None and len(vocab) == 0
            continue
        assert list(vocab) == list(vocab_y) == sorted(vocab)
        assert X.dtype == Y.dtype == np.int32 and X.shape == Y.shape
        for name in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(X, name), getattr(Y, name)), name
        assert X.indices.dtype == X.indptr.dtype == np.int32


def test_count_unigrams_against_a_plain_counter(monkeypatch):
    monkeypatch.setattr(engines, "_BLOCK_DOCS", 3)
    tokens = _table(7)
    X, vocab, _ = count_unigrams(tokens, min_docs=1, max_docs=30)
    for i, doc in enumerate(tokens.to_lists()):
        row = X[i]
        assert {vocab[j]: v for j, v in zip(row.indices, row.data)} == dict(Counter(doc))


@pytest.mark.parametrize("block", [1, 3, 1000])
@pytest.mark.parametrize("ngram_range", [(1, 2), (2, 2), (1, 3), (3, 3)])
@pytest.mark.parametrize(("min_docs", "max_docs"), [(1, 30), (3, 10), (40, 50)])
def test_streamed_ngrams_equal_whole_table_ngrams(monkeypatch, block, ngram_range, min_docs,
                                                  max_docs):
    monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
    for seed in range(3):
        tokens = _table(seed, n_forms=5)  # few forms: n-grams repeat across documents
        X, vocab, n = count_ngrams_streamed(tokens, ngram_range=ngram_range,
                                            min_docs=min_docs, max_docs=max_docs)
        Y, vocab_y, n_y = count_ngrams(tokens, ngram_range=ngram_range, min_docs=min_docs,
                                       max_docs=max_docs)
        assert n == n_y
        if Y is None:
            assert X is None and len(vocab) == 0
            continue
        assert list(vocab) == list(vocab_y)
        for name in ("data", "indices", "indptr"):
            x, y = getattr(X, name), getattr(Y, name)
            assert x.dtype == y.dtype and np.array_equal(x, y), name


def test_streamed_ngrams_decline_keys_beyond_int64():
    tokens = _table(0)
    many = Tokens(tokens.doc_ids, np.array([f"f{i}" for i in range(2**22)], dtype=object),
                  tokens.ids, tokens.offsets, tokens.n_raw)
    assert count_ngrams_streamed(many, ngram_range=(1, 3), min_docs=1, max_docs=30) is None
    assert count_ngrams_streamed(many, ngram_range=(1, 2), min_docs=1, max_docs=30) is not None


@pytest.mark.integration
def test_streamed_counts_equal_whole_table_counts_on_ungdc(ungdc):
    from toolkit.text import resolve_stopwords, tokenize_corpus

    sample = ungdc.sort_values("doc_id").iloc[::10]
    tokens = tokenize_corpus(sample, progress=False, use_cache=False).remove(
        resolve_stopwords("default"))
    for ngram_range, min_docs in (((1, 1), 20), ((1, 2), 5)):
        kw = dict(ngram_range=ngram_range, min_docs=min_docs, max_docs=len(sample) // 2)
        X, vocab, n = (count_unigrams(tokens, min_docs=min_docs, max_docs=kw["max_docs"])
                       if ngram_range == (1, 1) else count_ngrams_streamed(tokens, **kw))
        Y, vocab_y, n_y = count_ngrams(tokens, **kw)
        assert n == n_y and list(vocab) == list(vocab_y) and len(vocab) > 1000
        for name in ("data", "indices", "indptr"):
            x, y = getattr(X, name), getattr(Y, name)
            assert x.dtype == y.dtype and np.array_equal(x, y), name

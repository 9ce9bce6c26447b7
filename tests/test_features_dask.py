"""toolkit.features_dask: the vocabulary and matrix of a Dask corpus equal the pandas build.

On Dask's local threaded scheduler (the cluster runs are in tests/test_distributed.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from toolkit.corpora._dask import partition_corpus
from toolkit.features import DocTermMatrix, _df_bound, build_dtm
from toolkit.features_dask import select_vocabulary
from toolkit.text import engines

pytest.importorskip("dask.dataframe")


@pytest.fixture(autouse=True)
def _no_scheduler(monkeypatch):
    monkeypatch.delenv("FPTK_DASK_SCHEDULER", raising=False)


@pytest.mark.parametrize("bounds", [
    {"min_df": 1, "max_df": 1.0, "max_terms": None},
    {"min_df": 3, "max_df": 0.6, "max_terms": None},
    {"min_df": 0.05, "max_df": 40, "max_terms": 7},
    {"min_df": 2, "max_df": 1.0, "max_terms": 1},
])
def test_select_vocabulary_keeps_what_trim_keeps_ties_included(bounds):
    rng = np.random.default_rng(0)
    counts = rng.poisson(0.4, size=(60, 30)) * (rng.random((60, 30)) < 0.5)
    vocab = [f"t{j:02d}" for j in range(30)]
    dtm = DocTermMatrix(sp.csr_matrix(counts.astype(np.int32)),
                        [f"d{i:02d}" for i in range(60)], vocab)
    totals = counts.sum(axis=0)
    assert len(set(totals)) < 30  # ties in the totals, broken by the sorted term
    stats = pd.DataFrame({"df": dtm.doc_freq(), "total": totals},
                         index=pd.Index(vocab, name="term")).iloc[::-1]  # any order
    got = select_vocabulary(stats, 60, df_bound=_df_bound, **bounds)
    assert got.tolist() == dtm.trim(**bounds).vocab.tolist()


def test_select_vocabulary_says_what_to_change():
    stats = pd.DataFrame({"df": [1, 1], "total": [1, 1]}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"After trimming, no terms remain .*lower min_df"):
        select_vocabulary(stats, 10, min_df=2, max_df=1.0, max_terms=None, df_bound=_df_bound)
    with pytest.raises(ValueError, match="max_terms must be a positive int"):
        select_vocabulary(stats, 10, min_df=1, max_df=1.0, max_terms=0, df_bound=_df_bound)


@pytest.mark.parametrize("options", [
    {},
    {"min_df": 2, "max_terms": 12},
    {"ngram_range": (2, 3), "min_df": 0.02, "max_df": 0.5},
    {"stopwords": None, "lemmatize": False, "max_terms": 25},
])
def test_build_dtm_of_a_dask_corpus_equals_the_pandas_build(speeches, options):
    corpus = speeches(120, seed=9)
    ddf = partition_corpus(corpus, npartitions=9)
    engines._CHUNK_MEMO["sentinel"] = {}  # the memo outlives a block, not a local build
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = build_dtm(corpus, use_cache=False, progress=False, **options)
        got = build_dtm(ddf, use_cache=False, **options)
    assert got.vocab.tolist() == expected.vocab.tolist()
    assert got.doc_ids.tolist() == expected.doc_ids.tolist()
    assert got.equals(expected) and got.matrix.dtype == np.int32
    assert not engines._CHUNK_MEMO  # built in this process: its chunk memo is emptied


def test_partitions_without_tokens_and_errors(speeches, tmp_path):
    corpus = speeches(20, seed=1)
    stop = corpus.assign(text="And the of to in.", doc_id=corpus["doc_id"] + "_stop")
    mixed = pd.concat([stop.iloc[:6], corpus], ignore_index=True)
    ddf = partition_corpus(mixed, npartitions=4)  # the first partition holds no token
    with pytest.warns(UserWarning, match=r"7 of 26 documents have no tokens left \(0 empty"):
        got = build_dtm(ddf, min_df=2, cache_home=str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert got.equals(build_dtm(mixed, min_df=2, use_cache=False, progress=False))
    with pytest.raises(ValueError, match="No tokens in any of the 6 documents"):
        build_dtm(partition_corpus(stop.iloc[:6], npartitions=2), use_cache=False)
    with pytest.raises(ValueError, match="After trimming, no terms remain"):
        build_dtm(ddf, min_df=100, use_cache=False)
    twice = partition_corpus(pd.concat([corpus.iloc[:4], corpus.iloc[:4]]), npartitions=2)
    with pytest.raises(ValueError, match=r"occur\(s\) in more than one partition"):
        build_dtm(twice, use_cache=False)

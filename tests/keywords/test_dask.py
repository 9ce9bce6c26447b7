"""toolkit.keywords._dask: counts and trends of a Dask corpus equal the pandas ones.

Run on Dask's local threaded scheduler (the cluster runs are in tests/test_distributed.py).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from toolkit.cache import list_cache
from toolkit.corpora._dask import partition_corpus
from toolkit.keywords import count_matches, keyword_trends
from toolkit.keywords._dask import count_matches_dask, trend_inputs_dask

pytest.importorskip("dask.dataframe")


@pytest.fixture
def corpus(speeches):
    return speeches(90, seed=2)


@pytest.fixture(autouse=True)
def _no_scheduler(monkeypatch):
    monkeypatch.delenv("FPTK_DASK_SCHEDULER", raising=False)


def test_counts_per_partition_equal_the_pandas_counts_and_are_cached(corpus, tmp_path):
    ddf = partition_corpus(corpus, npartitions=6)
    expected = count_matches(corpus, "arms", level="term", use_cache=False, progress=False)
    got = count_matches(ddf, "arms", level="term", cache_home=str(tmp_path))
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    entries = list_cache(cache_home=str(tmp_path))
    assert [e["kind"] for e in entries].count("keyword_counts") == 6  # one per partition
    again = count_matches_dask(ddf, "arms", level="term", cache_home=str(tmp_path))
    pd.testing.assert_frame_equal(again, expected)  # read back from the partition caches
    assert list_cache(cache_home=str(tmp_path)) == entries


def test_trend_inputs_keep_the_metadata_without_the_text(corpus):
    ddf = partition_corpus(corpus, npartitions=4)
    meta, counts = trend_inputs_dask(ddf, "arms", use_cache=False)
    assert list(meta.columns) == list(corpus.columns)
    assert (meta["text"] == "").all()
    pd.testing.assert_frame_equal(meta.drop(columns="text"), corpus.drop(columns="text"))
    assert counts["doc_id"].tolist() == corpus["doc_id"].astype(str).tolist()


@pytest.mark.parametrize("options", [
    {"by": "actor", "period": "decade", "interval": "auto"},
    {"by": None, "period": "year", "interval": "bootstrap", "n_boot": 99},
    {"by": "actor", "period": "M", "interval": "quasi_poisson", "cluster": None},
])
def test_trends_of_a_dask_corpus_equal_the_pandas_trends(corpus, options):
    ddf = partition_corpus(corpus.sample(frac=1.0, random_state=4), npartitions=5)
    shuffled = ddf.compute()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = keyword_trends(shuffled, "arms", random_state=3, use_cache=False,
                                  progress=False, **options)
        got = keyword_trends(ddf, "arms", random_state=3, use_cache=False, **options)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


def test_errors_name_the_problem(corpus):
    ddf = partition_corpus(corpus, npartitions=2)
    with pytest.raises(ValueError, match="lacks the column"):
        count_matches(ddf[["doc_id"]], "arms")
    with pytest.raises(ValueError, match="level must be 'category' or 'term'"):
        count_matches(ddf, "arms", level="word")
    twice = partition_corpus(pd.concat([corpus.iloc[:5], corpus.iloc[:5]]), npartitions=2)
    with pytest.raises(ValueError, match=r"occur\(s\) in more than one partition"):
        count_matches(twice, "arms", use_cache=False)
    counts = count_matches(corpus, "arms", use_cache=False, progress=False)
    with pytest.raises(ValueError, match=r"counts= is not taken with a Dask corpus.*compute"):
        keyword_trends(ddf, "arms", counts=counts, use_cache=False)

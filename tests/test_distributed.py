"""toolkit.distributed and the Dask paths on a real 2-process LocalCluster.

Counts, trends, the vocabulary and the matrix built on the cluster are compared with the
single-process pandas path by exact equality; a worker process killed in the middle of a
build changes nothing and leaves no partial cache entry.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from toolkit import distributed
from toolkit.cache import list_cache
from toolkit.corpora import load_corpus
from toolkit.corpora._dask import partition_corpus, write_partitioned
from toolkit.exceptions import EmptyDocumentsWarning
from toolkit.features import build_dtm
from toolkit.keywords import count_matches, keyword_trends
from toolkit.text.tokens import _read_tokens

dd = pytest.importorskip("dask.dataframe")
dist = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = dist.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                    dashboard_address=None)
        c = dist.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def corpus(speeches):
    return speeches(240, seed=3)


@pytest.fixture(scope="module")
def parquet_corpus(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet_corpus")
    write_partitioned(corpus, folder, rows_per_file=100, row_group_size=30)
    return folder


# ---------------------------------------------------------------------- get_client
def test_without_a_scheduler_work_runs_in_this_process(monkeypatch):
    monkeypatch.delenv(distributed.SCHEDULER_ENV, raising=False)
    assert distributed.get_client() is None
    assert distributed.scheduler_address() is None
    monkeypatch.setenv(distributed.SCHEDULER_ENV, "  ")
    assert distributed.get_client() is None


def test_a_client_an_address_or_the_environment_name_the_scheduler(client, monkeypatch):
    address = client.scheduler.address
    assert distributed.get_client(client) is client
    by_address = distributed.get_client(address)
    assert by_address.scheduler.address == address
    assert distributed.get_client(scheduler=address) is by_address  # one client per address
    monkeypatch.setenv(distributed.SCHEDULER_ENV, address)
    assert distributed.get_client() is by_address
    assert distributed.compute(dd.from_pandas(pd.DataFrame({"x": [1, 2, 3]}),
                                              npartitions=2).x.sum())[0] == 6


def test_bad_addresses_and_types_are_named(monkeypatch):
    with pytest.raises(ValueError, match="is not a scheduler address; give host and port"):
        distributed.get_client("tcp://nohost")
    monkeypatch.setenv(distributed.SCHEDULER_ENV, "localhost")
    with pytest.raises(ValueError, match="FPTK_DASK_SCHEDULER='localhost' is not"):
        distributed.get_client()
    monkeypatch.delenv(distributed.SCHEDULER_ENV)
    with pytest.raises(OSError, match=r"No Dask scheduler answered at tcp://127\.0\.0\.1:9"):
        distributed.get_client("tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(TypeError, match=r"client must be a dask\.distributed\.Client"):
        distributed.get_client(42)


def test_is_dask_and_lazy_import(corpus):
    assert not distributed.is_dask(corpus)
    assert distributed.is_dask(partition_corpus(corpus, npartitions=3))
    code = ("import sys, toolkit, toolkit.keywords, toolkit.features, toolkit.corpora; "
            "print('dask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------- identical results
def test_counts_on_the_cluster_equal_the_pandas_counts(client, corpus, parquet_corpus):
    ddf = load_corpus(parquet_corpus, engine="dask")
    assert ddf.npartitions == 10  # files of 100, 100, 40 rows; row groups of 30: 4 + 4 + 2
    expected = count_matches(corpus, "arms", level="term", use_cache=False, progress=False)
    got = count_matches(ddf, "arms", level="term", client=client)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    assert got["n_matches"].sum() > 100


def test_trends_on_the_cluster_equal_the_pandas_trends(client, corpus, parquet_corpus):
    kw = {"by": "actor", "period": "decade", "n_boot": 200, "random_state": 7,
          "use_cache": False, "progress": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = keyword_trends(corpus, "arms", **kw)
        got = keyword_trends(load_corpus(parquet_corpus, engine="dask"), "arms",
                             client=client, **kw)
        pooled = keyword_trends(load_corpus(parquet_corpus, engine="dask"), "arms",
                                client=client.scheduler.address, **{**kw, "by": None})
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    assert set(got["ci_method"]) >= {"poisson"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_pooled = keyword_trends(corpus, "arms", **{**kw, "by": None})
    pd.testing.assert_frame_equal(pooled, expected_pooled)


@pytest.mark.parametrize("options", [
    {"min_df": 2, "max_df": 0.9},
    {"ngram_range": (1, 2), "min_df": 3, "max_terms": 40},
])
def test_dtm_on_the_cluster_equals_the_pandas_dtm(client, corpus, options):
    ddf = partition_corpus(corpus.sample(frac=1.0, random_state=1), npartitions=7)
    with pytest.warns(EmptyDocumentsWarning, match="1 of 240 documents have no tokens"):
        expected = build_dtm(corpus, use_cache=False, progress=False, **options)
    with pytest.warns(EmptyDocumentsWarning, match="1 of 240 documents have no tokens"):
        got = build_dtm(ddf, use_cache=False, client=client, **options)
    assert got.vocab.tolist() == expected.vocab.tolist()
    assert got.doc_ids.tolist() == expected.doc_ids.tolist()
    assert got.matrix.dtype == expected.matrix.dtype == np.int32
    assert (got.matrix != expected.matrix).nnz == 0
    assert np.array_equal(got.matrix.indptr, expected.matrix.indptr)
    assert np.array_equal(got.matrix.indices, expected.matrix.indices)
    assert got.equals(expected)


# ---------------------------------------------------------------------- a worker dies
def _worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def test_a_worker_killed_mid_build_changes_nothing(client, corpus, tmp_path):
    big = pd.concat([corpus.assign(doc_id=corpus["doc_id"] + f"_{k}") for k in range(6)],
                    ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = build_dtm(big, min_df=2, use_cache=False, progress=False)
    ddf = partition_corpus(big, npartitions=48)
    cache = tmp_path / "cache"
    pids = _worker_pids(client)
    killed = {}

    def build():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return build_dtm(ddf, min_df=2, client=client, cache_home=str(cache))

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(build)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy and cache.exists() and any(cache.rglob("*.npz")):
                killed["alive"] = not future.done()
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed["pid"] = pids[busy[0]]
            time.sleep(0.05)
        got = future.result(timeout=120)
    assert killed.get("alive"), "the build finished before a worker could be killed"
    assert killed["pid"] not in _worker_pids(client).values()  # the nanny started a new one
    assert got.equals(expected)
    entries = list_cache(cache_home=str(cache))
    assert len(entries) == 48  # one tokens entry per partition, none partial:
    for entry in entries:  # every visible entry reads back whole
        assert _read_tokens(entry["file"]).n_docs == 30

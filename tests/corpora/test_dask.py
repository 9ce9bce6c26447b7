"""toolkit.corpora._dask and load_corpus(engine="dask"): the same table on both engines."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from toolkit.corpora import STANDARD_COLUMNS, CorpusValidationError, load_corpus
from toolkit.corpora._dask import (
    is_parquet_source,
    parquet_pieces,
    partition_corpus,
    read_parquet_corpus,
    write_partitioned,
)
from toolkit.distributed import is_dask

pytest.importorskip("dask.dataframe")


@pytest.fixture
def corpus(speeches):
    return speeches(70, seed=1).assign(session=lambda d: (d["year"] - 1945).astype("Int64"),
                                       file=lambda d: d["doc_id"] + ".txt")


@pytest.fixture
def folder(corpus, tmp_path):
    out = tmp_path / "corpus"
    write_partitioned(corpus, out, rows_per_file=30, row_group_size=8)
    return out


def test_write_partitioned_writes_files_of_row_groups(corpus, folder):
    files = sorted(folder.glob("*.parquet"))
    assert [f.name for f in files] == ["part-00000.parquet", "part-00001.parquet",
                                       "part-00002.parquet"]
    assert [pq.ParquetFile(f).metadata.num_row_groups for f in files] == [4, 4, 2]
    pieces = parquet_pieces(folder)
    assert [p[3] for p in pieces] == [8, 8, 8, 6, 8, 8, 8, 6, 8, 2]
    assert [p[2] for p in pieces][:5] == [0, 8, 16, 24, 30]
    assert not list(folder.glob(".*"))  # no temporary file left
    with pytest.raises(FileExistsError, match="already holds Parquet files"):
        write_partitioned(corpus, folder)


def test_both_engines_read_the_same_table(corpus, folder):
    pandas_table = load_corpus(folder)
    ddf = load_corpus(folder, engine="dask")
    assert is_dask(ddf) and not is_dask(pandas_table)
    assert ddf.npartitions == 10
    assert ddf.divisions == (0, 8, 16, 24, 30, 38, 46, 54, 60, 68, 69)
    assert list(ddf.columns) == list(pandas_table.columns)
    assert dict(ddf.dtypes) == dict(pandas_table.dtypes)
    assert list(pandas_table.columns[: len(STANDARD_COLUMNS)]) == list(STANDARD_COLUMNS)
    pd.testing.assert_frame_equal(ddf.compute(scheduler="threads"), pandas_table)
    pd.testing.assert_frame_equal(pandas_table, corpus)  # what was written comes back
    assert pandas_table.attrs["corpus"]["n_row_groups"] == 10
    assert ddf.partitions[3].compute(scheduler="threads").index.tolist() == list(range(24, 30))


def test_a_list_of_files_and_a_single_file(folder):
    files = sorted(folder.glob("*.parquet"))
    assert is_parquet_source(files) and is_parquet_source(folder)
    assert not is_parquet_source(folder / "missing")
    both = load_corpus(files[:2], engine="dask")
    assert both.npartitions == 8
    pd.testing.assert_frame_equal(both.compute(scheduler="threads"),
                                  read_parquet_corpus(files[:2]))
    one = load_corpus(files[0], engine="dask").compute(scheduler="threads")
    assert one["doc_id"].tolist() == load_corpus(files[0])["doc_id"].tolist()


def test_other_sources_are_loaded_then_partitioned_in_order(tiny_corpus, tmp_path):
    path = tmp_path / "speeches.csv"
    tiny_corpus[["doc_id", "actor", "year", "text"]].to_csv(path, index=False)
    ddf = load_corpus(path, engine="dask", npartitions=4)
    assert ddf.npartitions == 4
    pd.testing.assert_frame_equal(ddf.compute(scheduler="threads"), load_corpus(path))
    assert partition_corpus(tiny_corpus).npartitions == 1  # far below 32 MB of text
    with pytest.raises(ValueError, match=r"one of \('pandas', 'dask'\), got 'spark'"):
        load_corpus(path, engine="spark")


def test_bad_partitions_are_named_when_computed(corpus, tmp_path):
    dup = tmp_path / "dup"
    write_partitioned(pd.concat([corpus.iloc[:10], corpus.iloc[:10]]), dup, rows_per_file=10)
    with pytest.raises(CorpusValidationError, match=r"occur\(s\) in more than one partition"):
        load_corpus(dup)
    empty = tmp_path / "empty"
    write_partitioned(corpus.iloc[:5].assign(text=["a", "", "b", "c", "d"]), empty)
    ddf = load_corpus(empty, engine="dask")  # lazy: nothing read yet
    with pytest.raises(CorpusValidationError, match=r"part-00000.parquet \(row group 0\).*Empty"):
        ddf.compute(scheduler="threads")
    with pytest.raises(TypeError, match="takes no loader options"):
        load_corpus(empty, columns={"body": "text"})
    with pytest.raises(FileNotFoundError, match="holds no Parquet files"):
        read_parquet_corpus(tmp_path / "nothing_here" if (tmp_path / "nothing_here").mkdir()
                            is None else None)

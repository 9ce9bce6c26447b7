"""Tests for toolkit.topics on tiny, planted-topic fixtures (no real data needed)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer

from toolkit.features import DocTermMatrix
from toolkit.topics import (
    TopicModel,
    frex_scores,
    npmi_coherence,
    prevalence,
    representative_docs,
    sweep_k,
    tfidf_weights,
    topic_stability,
)

THEMES = {
    "arms": ["weapon", "arms", "missile", "nuclear", "disarmament", "treaty"],
    "climate": ["climate", "emission", "warming", "island", "ocean", "carbon"],
    "trade": ["trade", "tariff", "market", "export", "growth", "investment"],
}
COMMON = ["nation", "world", "peace"]
ACTORS = ["AAA", "BBB", "CCC"]
YEARS = [2000, 2001, 2002, 2003]


def _planted(n_docs: int = 60, seed: int = 7) -> tuple[DocTermMatrix, pd.DataFrame]:
    """Documents drawn mostly from one of three themes, plus common words."""
    rng = np.random.default_rng(seed)
    vocab = sorted({w for ws in THEMES.values() for w in ws} | set(COMMON))
    col = {w: i for i, w in enumerate(vocab)}
    names = list(THEMES)
    rows, texts, meta = [], [], []
    for d in range(n_docs):
        main = names[d % 3]
        counts = np.zeros(len(vocab), dtype=np.int64)
        for w in THEMES[main]:
            counts[col[w]] += rng.poisson(4)
        other = names[(d + 1) % 3]
        for w in THEMES[other][:2]:
            counts[col[w]] += rng.poisson(0.7)
        for w in COMMON:
            counts[col[w]] += rng.poisson(2)
        rows.append(counts)
        words = [w for w, c in zip(vocab, counts, strict=True) for _ in range(c)]
        texts.append("The speaker said " + " ".join(rng.permutation(words)) + ".")
        meta.append((f"D{d:03d}", ACTORS[d % 3] if d % 2 else ACTORS[(d // 2) % 3],
                     YEARS[d % 4]))
    doc_ids = [m[0] for m in meta]
    dtm = DocTermMatrix.from_unsorted(sp.csr_matrix(np.vstack(rows)), doc_ids, vocab)
    corpus = pd.DataFrame({
        "doc_id": doc_ids,
        "text": texts,
        "actor": [m[1] for m in meta],
        "year": pd.array([m[2] for m in meta], dtype="Int64"),
    })
    return dtm, corpus


@pytest.fixture(scope="module")
def planted():
    return _planted()


@pytest.fixture(scope="module")
def fitted(planted):
    dtm, _ = planted
    return TopicModel(3, random_state=0).fit(dtm)


def _theme_of(terms):
    hits = {name: len(set(terms) & set(ws)) for name, ws in THEMES.items()}
    return max(hits, key=hits.get), max(hits.values())


# ------------------------------------------------------------------ fitting
def test_fit_nmf_recovers_planted_topics(planted, fitted):
    dtm, _ = planted
    assert fitted.components_.shape == (3, dtm.n_terms)
    assert fitted.doc_topic_.shape == (dtm.n_docs, 3)
    np.testing.assert_allclose(fitted.doc_topic_.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fitted.doc_ids_, dtm.doc_ids.astype(str))
    np.testing.assert_array_equal(fitted.vocab_, dtm.vocab.astype(str))
    assert fitted.weighting_ == "tfidf"
    assert fitted.idf_.shape == (dtm.n_terms,)
    themes = [_theme_of(t[:5]) for t in fitted.top_term_lists(5)]
    assert sorted(name for name, _ in themes) == sorted(THEMES)
    assert all(n >= 4 for _, n in themes)
    assert 0 < fitted.relative_err_ < 1


def test_fit_lda_on_counts(planted):
    dtm, _ = planted
    tm = TopicModel(3, method="lda", max_iter=20, random_state=0).fit(dtm)
    assert tm.weighting_ == "none" and tm.idf_ is None
    assert np.isfinite(tm.perplexity_) and np.isnan(tm.reconstruction_err_)
    np.testing.assert_allclose(tm.doc_topic_.sum(axis=1), 1.0)
    themes = {_theme_of(t[:6])[0] for t in tm.top_term_lists(6)}
    assert themes == set(THEMES)


@pytest.mark.parametrize("solver", ["mu", "minibatch"])
def test_other_nmf_solvers(planted, solver):
    dtm, _ = planted
    tm = TopicModel(3, solver=solver, random_state=0).fit(dtm)
    assert tm.components_.shape == (3, dtm.n_terms)


def test_already_weighted_matrix_is_used_as_given(planted):
    dtm, _ = planted
    weighted, _ = tfidf_weights(dtm.matrix)
    tm = TopicModel(3, random_state=0).fit(DocTermMatrix(weighted, dtm.doc_ids, dtm.vocab))
    assert tm.weighting_ == "none" and tm.idf_ is None
    with pytest.warns(UserWarning, match="LDA expects raw counts"):
        TopicModel(3, method="lda", random_state=0).fit(
            DocTermMatrix(weighted, dtm.doc_ids, dtm.vocab))


def test_sklearn_conventions(planted):
    dtm, _ = planted
    tm = TopicModel(4, method="lda", random_state=3)
    assert tm.get_params()["n_topics"] == 4
    assert not hasattr(tm, "components_")
    twin = clone(tm)
    assert twin.get_params() == tm.get_params()
    with pytest.raises(NotFittedError):
        tm.transform(dtm)
    with pytest.raises(TypeError, match=r"keyword|positional"):
        TopicModel(3, "lda")  # options after n_topics are keyword-only


def test_tfidf_matches_sklearn(planted):
    dtm, _ = planted
    ours, idf = tfidf_weights(dtm.matrix)
    ref = TfidfTransformer().fit(dtm.matrix)
    np.testing.assert_allclose(idf, ref.idf_)
    np.testing.assert_allclose(ours.toarray(), ref.transform(dtm.matrix).toarray(), atol=1e-12)


def test_transform_same_matrix_close_to_fit(planted, fitted):
    dtm, _ = planted
    shares = fitted.transform(dtm)
    assert shares.shape == fitted.doc_topic_.shape
    agree = (shares.argmax(axis=1) == fitted.doc_topic_.argmax(axis=1)).mean()
    assert agree > 0.95


# ------------------------------------------------------------------ bad input
def _dtm(matrix, n_docs=None, n_terms=None):
    m = sp.csr_matrix(matrix)
    return DocTermMatrix(m, [f"d{i}" for i in range(m.shape[0])],
                         [f"t{j}" for j in range(m.shape[1])])


def test_error_k_larger_than_vocabulary():
    dtm = _dtm(np.ones((10, 3)))
    with pytest.raises(ValueError, match=r"n_topics=5 is larger than the vocabulary \(3 terms\)"):
        TopicModel(5).fit(dtm)


def test_error_k_larger_than_documents():
    dtm = _dtm(np.ones((2, 8)))
    with pytest.raises(ValueError, match=r"larger than the number of documents \(2\)"):
        TopicModel(3).fit(dtm)


def test_error_empty_matrix():
    with pytest.raises(ValueError, match=r"is empty .*lower min_df"):
        TopicModel(2).fit(_dtm(np.zeros((4, 5))))
    with pytest.raises(ValueError, match="is empty"):
        TopicModel(2).fit(_dtm(sp.csr_matrix((0, 5))))


def test_error_nan_and_negative():
    m = np.ones((4, 5))
    m[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values in 1 documents, e.g. \['d2'\]"):
        TopicModel(2).fit(_dtm(m))
    m[2, 1] = -1.0
    with pytest.raises(ValueError, match=r"negative values in 1 documents, e.g. \['d2'\]"):
        TopicModel(2).fit(_dtm(m))


def test_error_bad_params_and_type(planted):
    dtm, _ = planted
    with pytest.raises(ValueError, match="method must be one of"):
        TopicModel(2, method="lsa").fit(dtm)
    with pytest.raises(ValueError, match="positive integer"):
        TopicModel(0).fit(dtm)
    with pytest.raises(TypeError, match=r"must be a toolkit\.features\.DocTermMatrix"):
        TopicModel(2).fit(dtm.matrix)


def test_transform_refuses_other_vocabulary(planted, fitted):
    dtm, _ = planted
    other = dtm.select_terms([t for t in dtm.vocab if t != "missile"])
    with pytest.raises(ValueError, match=r"different vocabulary.*'missile'.*align=True"):
        fitted.transform(other)


def test_transform_align_explicitly(planted, fitted):
    dtm, _ = planted
    # drop one fitted term and add an unknown one
    keep = [t for t in dtm.vocab if t != "missile"]
    sub = dtm.select_terms(keep)
    extra = sp.hstack([sub.matrix, sp.csr_matrix(np.ones((dtm.n_docs, 1)))]).tocsr()
    other = DocTermMatrix.from_unsorted(extra, dtm.doc_ids, [*keep, "zzz_unknown"])
    with pytest.warns(UserWarning, match="dropped 1 terms .* set 1 fitted terms"):
        got = fitted.transform(other, align=True)
    zeroed = dtm.matrix.tolil()
    zeroed[:, dtm.term_index(["missile"])] = 0
    want = fitted.transform(DocTermMatrix(zeroed.tocsr(), dtm.doc_ids, dtm.vocab))
    np.testing.assert_allclose(got, want)


# ------------------------------------------------------------------ coherence
def test_npmi_against_hand_computation():
    # 5 documents; counts > 1 must be binarised.
    #        a  b  c  d
    m = np.array([[3, 1, 0, 0],   # a b
                  [1, 2, 1, 0],   # a b c
                  [1, 0, 0, 0],   # a
                  [0, 0, 4, 0],   # c
                  [0, 0, 0, 1]])  # d
    dtm = _dtm(m)
    a, b, c, d = "t0", "t1", "t2", "t3"
    n = 5

    def npmi(pab, pa, pb):
        return math.log(pab / (pa * pb)) / -math.log(pab)

    ab = npmi(2 / n, 3 / n, 2 / n)
    ac = npmi(1 / n, 3 / n, 2 / n)
    bc = npmi(1 / n, 2 / n, 2 / n)
    got = npmi_coherence([[a, b, c], [a, d], [b, a]], dtm)
    np.testing.assert_allclose(got[0], (ab + ac + bc) / 3)
    assert got[1] == -1.0  # never co-occur
    np.testing.assert_allclose(got[2], ab)  # symmetric, order free
    with pytest.raises(KeyError, match="zz"):
        npmi_coherence([[a, "zz"]], dtm)


def test_npmi_of_model_is_high_for_planted_topics(planted, fitted):
    dtm, _ = planted
    coh = npmi_coherence(fitted, dtm, n_terms=5)
    assert coh.shape == (3,)
    assert np.all(coh > 0.3)
    mixed = [["weapon", "climate", "trade", "tariff", "ocean"]]
    assert npmi_coherence(mixed, dtm)[0] < coh.min()


# ------------------------------------------------------------------ labelling
def test_frex_prefers_exclusive_terms():
    # term 0 is frequent in every topic, term 1 is exclusive to topic 0
    fill0, fill = [0.5] * 4, [0.2] * 4
    comp = np.array([[10.0, 6.0, 1.0, 1.0, *fill0],
                     [10.0, 0.1, 5.0, 1.0, *fill],
                     [10.0, 0.1, 1.0, 5.0, *fill]])
    f = frex_scores(comp, weight=0.5)
    assert f.shape == comp.shape
    assert f[0, 1] > f[0, 0]
    assert np.argmax(f[0]) == 1
    assert np.argsort(-comp[0])[0] == 0  # by weight the shared term wins
    assert np.all((f > 0) & (f <= 1))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        frex_scores(comp, weight=2)


def test_top_terms_tables(fitted):
    tw = fitted.top_terms(4)
    assert list(tw.columns) == ["topic", "rank", "term", "score"]
    assert len(tw) == 12
    assert (tw.groupby("topic")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    tf = fitted.top_terms(4, scheme="frex")
    assert len(tf) == 12
    # common words are never exclusive; FREX must not rank them first
    assert not set(tf[tf["rank"] == 1]["term"]) & set(COMMON)
    with pytest.raises(ValueError, match="scheme must be"):
        fitted.top_terms(3, scheme="lift")


def test_representative_docs_with_snippets(planted, fitted):
    _, corpus = planted
    rep = representative_docs(fitted, corpus, n=2, window=20)
    assert list(rep.columns[:4]) == ["topic", "rank", "doc_id", "share"]
    assert len(rep) == 6
    for t, g in rep.groupby("topic"):
        assert g["share"].iloc[0] == fitted.doc_topic_[:, t].max()
        terms = fitted.top_term_lists(10)[t]
        assert all(any(m.lower().startswith(w) for w in terms) for m in g["match"])
    assert {"actor", "year", "left", "match", "right"} <= set(rep.columns)
    assert all(len(x) <= 20 for x in rep["left"])
    bare = representative_docs(fitted, n=1)
    assert list(bare.columns) == ["topic", "rank", "doc_id", "share"]
    with pytest.raises(ValueError, match="not in the corpus"):
        representative_docs(fitted, corpus.iloc[:10], n=1)


def test_top_term_lists_match_textacy_order(fitted):
    tw = fitted.top_terms(6)  # via textacy.tm.TopicModel.top_topic_terms
    from_textacy = [g["term"].tolist() for _, g in tw.groupby("topic")]
    assert fitted.top_term_lists(6) == from_textacy


def test_kwic_centres_on_densest_top_terms():
    from toolkit.topics import _kwic

    text = "United we stand. " + "x " * 60 + "Nuclear weapons treaty talks. " + "y " * 60
    _, match, right = _kwic(text, ["united", "nuclear", "weapon", "treaty"], 25)
    assert match == "Nuclear" and right.startswith("weapons treaty")
    assert _kwic("nothing here", ["arms"], 5) == ("", "", "nothing he")  # no hit: the opening


def test_labels_and_names(planted):
    dtm, _ = planted
    tm = TopicModel(3, random_state=0).fit(dtm)
    tm.set_labels({1: "My label"})
    names = tm.topic_names()
    assert names[1] == "My label" and names[0].startswith("T00 ")
    with pytest.raises(ValueError, match="topic 7 does not exist"):
        tm.set_labels({7: "x"})


# ------------------------------------------------------------------ stability and sweep
def test_topic_stability():
    a = [["x", "y"], ["p", "q"]]
    assert np.allclose(topic_stability([a, a[::-1]]), 1.0)  # matching ignores order
    b = [["x", "z"], ["p", "q"]]  # topic 0: Jaccard 1/3, topic 1: 1
    np.testing.assert_allclose(topic_stability([a, b]), [(1 / 3 + 1) / 2] * 2)
    assert np.isnan(topic_stability([a])).all()


def test_sweep_k_table(planted):
    dtm, _ = planted
    df = sweep_k(dtm, [2, 3], seeds=(0, 1), n_terms=5, n_jobs=1, progress=False)
    assert list(df[["k", "seed"]].itertuples(index=False, name=None)) == [
        (2, 0), (2, 1), (3, 0), (3, 1)]
    for col in ["coherence", "stability", "heldout", "train_relative_err"]:
        assert df[col].notna().all()
    assert not {"fit_seconds", "cpu_seconds"} & set(df.columns)  # timings live in attrs
    assert [(t["k"], t["seed"]) for t in df.attrs["timings"]] == [(2, 0), (2, 1), (3, 0), (3, 1)]
    assert all(t["fit_seconds"] >= 0 for t in df.attrs["timings"])
    assert (df["n_train_docs"] == 48).all()
    assert df["stability"].between(0, 1).all()
    assert df.loc[df["k"] == 3, "coherence"].mean() > df.loc[df["k"] == 2, "coherence"].mean()
    assert df.loc[df["k"] == 3, "heldout"].mean() < df.loc[df["k"] == 2, "heldout"].mean()
    full = sweep_k(dtm, [3], seeds=(0, 1), subsample=1.0, n_jobs=1, progress=False)
    assert full["heldout"].isna().all() and (full["n_train_docs"] == 60).all()
    with pytest.raises(ValueError, match="larger than the vocabulary"):
        sweep_k(dtm, [2, 500], seeds=(0,), progress=False)
    with pytest.raises(ValueError, match=r"subsample must be in \(0, 1\]"):
        sweep_k(dtm, [2], subsample=0, progress=False)


def _no_fitting(*args, **kwargs):
    raise AssertionError("sweep_k fitted a model although the cache holds its table")


def test_sweep_k_second_call_hits_the_cache(planted, monkeypatch, tmp_path):
    from toolkit import topics

    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "n_jobs": 1, "progress": False,
          "cache_home": str(tmp_path)}
    first = sweep_k(dtm, [2, 3], **kw)
    assert first.attrs["from_cache"] is False
    assert len(list((tmp_path / "topic_sweep").glob("*.parquet"))) == 1
    monkeypatch.setattr(topics, "_fit_one", _no_fitting)
    second = sweep_k(dtm, [3, 2], n_jobs=2, **{k: v for k, v in kw.items() if k != "n_jobs"})
    assert second.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert second.attrs["timings"] == first.attrs["timings"]  # the first run's timings
    assert first.to_csv(index=False) == second.to_csv(index=False)
    # any change of a parameter or of the matrix is a new entry, never a stale hit
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm, [2, 3], max_iter=20, **kw)
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm.select_docs(dtm.doc_ids[:50]), [2, 3], **kw)
    with pytest.raises(AssertionError, match="fitted a model"):
        sweep_k(dtm, [2, 3], use_cache=False, **kw)


def test_sweep_k_rebuilds_a_corrupt_cache_entry(planted, tmp_path):
    from toolkit.cache import CacheCorruptWarning

    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "n_jobs": 1, "progress": False,
          "cache_home": str(tmp_path)}
    first = sweep_k(dtm, [2], **kw)
    (entry,) = (tmp_path / "topic_sweep").glob("*.parquet")
    entry.write_bytes(b"not parquet")
    with pytest.warns(CacheCorruptWarning, match="corrupt"):
        again = sweep_k(dtm, [2], **kw)
    assert again.attrs["from_cache"] is False
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    assert sweep_k(dtm, [2], **kw).attrs["from_cache"] is True


def test_score_on_training_matrix_matches_fit_error(planted, fitted):
    dtm, _ = planted
    assert fitted.score(dtm) == pytest.approx(fitted.relative_err_, rel=0.05)
    lda = TopicModel(3, method="lda", random_state=0).fit(dtm)
    assert lda.score(dtm) == pytest.approx(lda.perplexity_)


@pytest.mark.slow
def test_sweep_k_parallel_equals_serial(planted):
    dtm, _ = planted
    kw = {"seeds": (0, 1), "n_terms": 5, "progress": False, "use_cache": False}
    serial = sweep_k(dtm, [2, 3], n_jobs=1, **kw)
    par = sweep_k(dtm, [2, 3], n_jobs=2, **kw)
    pd.testing.assert_frame_equal(serial, par, check_exact=True)


# ------------------------------------------------------------------ prevalence
def test_prevalence_table_and_values(planted, fitted):
    _, corpus = planted
    prev = prevalence(fitted, corpus, by="actor", period="year", n_boot=200, random_state=1)
    assert list(prev.columns) == ["group", "period", "topic", "label", "share", "ci_low",
                                  "ci_high", "n_docs", "low_n"]
    cell = corpus[(corpus["actor"] == "AAA") & (corpus["year"] == 2001)]["doc_id"]
    rows = np.searchsorted(fitted.doc_ids_, cell.to_numpy(dtype=str))
    want = fitted.doc_topic_[rows].mean(axis=0)
    got = prev[(prev["group"] == "AAA") & (prev["period"] == 2001)].sort_values("topic")
    np.testing.assert_allclose(got["share"], want)
    assert (got["n_docs"] == len(cell)).all()
    assert (prev["ci_low"] <= prev["share"] + 1e-12).all()
    assert (prev["share"] <= prev["ci_high"] + 1e-12).all()
    # shares of a cell sum to one across topics
    sums = prev.groupby(["group", "period"])["share"].sum()
    np.testing.assert_allclose(sums, 1.0)
    assert prev.attrs["prevalence"]["n_docs_used"] == len(corpus)


def test_prevalence_pooled_and_decade(planted, fitted):
    _, corpus = planted
    pooled = prevalence(fitted, corpus, period=None, n_boot=0)
    assert set(pooled["group"]) == {"all"} and len(pooled) == 3
    assert pooled["ci_low"].isna().all()
    dec = prevalence(fitted, corpus, by="actor", period="decade", n_boot=50, random_state=0)
    assert set(dec["period"]) == {2000}
    single = prevalence(fitted, corpus.assign(speech=corpus["doc_id"]), by="speech",
                        period=None, n_boot=20, random_state=0)
    assert (single["n_docs"] == 1).all() and len(single) == 3 * len(corpus)
    assert (single["ci_low"] == single["share"]).all()
    assert (single["ci_high"] == single["share"]).all()
    with pytest.raises(ValueError, match="no column 'bloc'"):
        prevalence(fitted, corpus, by="bloc")


def test_prevalence_counts_missing_group_and_year(planted, fitted):
    _, corpus = planted
    holes = corpus.copy()
    holes.loc[0, "actor"] = None
    holes.loc[1, "year"] = pd.NA
    prev = prevalence(fitted, holes, by="actor", period="decade", n_boot=10, random_state=0)
    assert prev.attrs["prevalence"]["n_docs_missing_period_or_group"] == 2
    assert prev.attrs["prevalence"]["n_docs_used"] == len(corpus) - 2
    assert set(prev["group"]) == set(ACTORS)


def test_prevalence_does_not_mutate_corpus(planted, fitted):
    _, corpus = planted
    before = corpus.copy()
    prevalence(fitted, corpus, by="actor", period="decade", n_boot=10, random_state=0)
    pd.testing.assert_frame_equal(corpus, before)


# ------------------------------------------------------------------ determinism
@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_same_seed_same_topics_and_prevalence_bit_for_bit(planted, method):
    dtm, corpus = planted
    runs = []
    for _ in range(2):
        tm = TopicModel(3, method=method, random_state=11).fit(dtm)
        prev = prevalence(tm, corpus, by="actor", period="year", n_boot=100, random_state=5)
        runs.append((tm, prev))
    (a, pa), (b, pb) = runs
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.doc_topic_, b.doc_topic_)
    pd.testing.assert_frame_equal(pa, pb, check_exact=True)
    pd.testing.assert_frame_equal(a.top_terms(5, scheme="frex"), b.top_terms(5, scheme="frex"),
                                  check_exact=True)


# ------------------------------------------------------------------ persistence
@pytest.mark.parametrize(("method", "solver"),
                         [("nmf", "cd"), ("nmf", "mu"), ("nmf", "minibatch"), ("lda", "cd")])
def test_save_load_roundtrip(tmp_path, planted, method, solver):
    dtm, _ = planted
    tm = TopicModel(3, method=method, solver=solver, random_state=0).fit(dtm)
    tm.set_labels({0: "first topic"})
    _, corpus = planted
    folder = tm.save(tmp_path / "run", corpus=corpus, provenance={"dtm": {"min_df": 1}})
    assert sorted(p.name for p in folder.iterdir()) == ["labels.yaml", "model.json",
                                                        "model.npz"]
    meta = json.loads((folder / "model.json").read_text())
    assert meta["params"]["method"] == method
    assert meta["provenance"]["dtm"] == {"min_df": 1}
    assert meta["provenance"]["corpus"]["n_docs"] == len(corpus)
    assert meta["provenance"]["params"]["n_topics"] == 3
    with np.load(folder / "model.npz", allow_pickle=False) as z:  # no object arrays
        assert z["vocab"].dtype.kind == "U"
    back = TopicModel.load(folder)
    assert back.get_params() == tm.get_params()
    np.testing.assert_array_equal(back.components_, tm.components_)
    np.testing.assert_array_equal(back.doc_ids_, tm.doc_ids_)
    np.testing.assert_array_equal(back.transform(dtm), tm.transform(dtm))
    assert back.topic_labels_ == {0: "first topic"}
    pd.testing.assert_frame_equal(back.top_terms(5), tm.top_terms(5))


def test_hand_edited_labels_are_loaded(tmp_path, fitted):
    folder = fitted.save(tmp_path / "run")
    text = (folder / "labels.yaml").read_text()
    assert "labels: {}" in text
    (folder / "labels.yaml").write_text(text.replace("labels: {}", "labels:\n  2: Arms control"))
    assert TopicModel.load(folder).topic_labels_ == {2: "Arms control"}
    fitted_labels = dict(fitted.topic_labels_)
    assert fitted_labels == {}  # the in-memory model is untouched


def test_load_errors(tmp_path, fitted):
    with pytest.raises(FileNotFoundError, match=r"model\.json"):
        TopicModel.load(tmp_path / "nothing")
    folder = fitted.save(tmp_path / "run")
    meta = json.loads((folder / "model.json").read_text())
    meta["format_version"] = 99
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="format_version 99"):
        TopicModel.load(folder)


# ------------------------------------------------------------------ real data
@pytest.mark.integration
def test_ungdc_recent_sessions_model(ungdc):
    from toolkit.features import build_dtm

    sub = ungdc[ungdc["year"] >= 2015]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dtm = build_dtm(sub, min_df=5, progress=False)
    tm = TopicModel(10, random_state=0).fit(dtm)
    assert tm.doc_topic_.shape == (len(sub), 10)
    assert npmi_coherence(tm, dtm).mean() > 0
    prev = prevalence(tm, sub, by="actor", period="year", n_boot=50, random_state=0)
    info = prev.attrs["prevalence"]
    assert info["n_docs_used"] + info["n_docs_empty_topics"] == len(sub)
    rep = representative_docs(tm, sub, n=2)
    assert (rep["match"] != "").mean() > 0.9


# ------------------------------------------------------------------ selection by dictionary
HAND_TOPICS = {
    "arms": ["arms_trade", "export_controls", "npt", "military_aid", "treaty"],
    "generic": ["powers", "co_operation", "disarmament", "detente", "peace"],
    "sanctions": ["sanctions", "embargo", "blockade", "coercive", "cuba"],
    "climate": ["climate", "emission", "warming", "island", "ocean"],
}


def _hand_model(themes=HAND_TOPICS) -> TopicModel:
    """A 'fitted' model whose topics put decreasing weight on the given terms only."""
    vocab = sorted({w for ws in themes.values() for w in ws})
    comp = np.zeros((len(themes), len(vocab)))
    for k, ws in enumerate(themes.values()):
        for r, w in enumerate(ws):
            comp[k, vocab.index(w)] = 1.0 - 0.1 * r
    tm = TopicModel(len(themes))
    tm.components_ = comp
    tm.vocab_ = np.asarray(vocab, dtype=str)
    tm.topic_labels_ = {}
    return tm


def test_match_topics_needs_two_arms_specific_terms():
    from toolkit.topics import ARMS_SPECIFIC_CATEGORIES, match_topics

    tm = _hand_model()
    got = match_topics(tm, "arms", n_terms=5)
    assert list(got.columns) == ["topic", "label", "top_terms", "matched_terms", "n_matches",
                                 "categories"]
    assert got["topic"].tolist() == [0]  # the generic topic has one match only
    row = got.iloc[0]
    # phrases are matched with spaces, the lower-cased acronym in upper case
    assert set(row["matched_terms"].split(", ")) == {"arms_trade", "export_controls", "npt",
                                                     "military_aid"}
    assert row["n_matches"] == 4
    assert row["categories"] == "arms_transfers, military_aid, export_controls, arms_control"
    assert row["label"] == tm.topic_names()[0]
    assert got.attrs["match_topics"]["categories"] == list(ARMS_SPECIFIC_CATEGORIES)
    loose = match_topics(tm, n_terms=5, min_matches=1)
    assert loose["topic"].tolist() == [0, 1]
    assert loose.loc[1, "matched_terms"] == "disarmament"


def test_match_topics_categories_and_all_topics():
    from toolkit.topics import match_topics

    tm = _hand_model()
    sanc = match_topics(tm, categories=["sanctions"], n_terms=5)
    assert sanc["topic"].tolist() == [2] and sanc.loc[0, "n_matches"] == 3
    every = match_topics(tm, n_terms=5, all_topics=True)
    assert every["topic"].tolist() == [0, 1, 2, 3]  # most matches first, then topic number
    assert every["selected"].tolist() == [True, False, False, False]
    assert every["n_matches"].tolist() == [4, 1, 0, 0]
    mine = {"name": "mine", "version": "1", "categories": {"sea": ["ocean", "island"]}}
    assert match_topics(tm, mine, n_terms=5)["topic"].tolist() == [3]  # None: all categories
    with pytest.raises(ValueError, match=r"Categories \['nope'\] are not in the dictionary"):
        match_topics(tm, categories=["nope"])
    with pytest.raises(ValueError, match="min_matches must be at least 1"):
        match_topics(tm, min_matches=0)


def test_match_topics_empty_when_no_topic_is_about_arms():
    from toolkit.topics import match_topics

    themes = {k: v for k, v in HAND_TOPICS.items() if k != "arms"}
    got = match_topics(_hand_model(themes), n_terms=5)
    assert got.empty
    assert list(got.columns) == ["topic", "label", "top_terms", "matched_terms", "n_matches",
                                 "categories"]


def test_match_topics_on_a_fitted_model(fitted):
    from toolkit.topics import match_topics

    # the planted arms theme has single words only: "disarmament" is its one dictionary term
    every = match_topics(fitted, n_terms=6, all_topics=True)
    assert every["n_matches"].max() == 1 and not every["selected"].any()
    assert every.loc[0, "matched_terms"] == "disarmament"


def test_prevalence_change_per_topic_not_summed(planted, fitted):
    from toolkit.topics import prevalence_change

    _, corpus = planted
    prev = prevalence(fitted, corpus, period="year", n_boot=10, random_state=0)
    got = prevalence_change(prev, topics=[2, 0])
    assert got["topic"].tolist() == [2, 0] and (got["group"] == "all").all()
    assert (got["first_period"] == 2000).all() and (got["last_period"] == 2003).all()
    for row in got.itertuples():
        cell = prev[(prev["topic"] == row.topic) & (prev["period"] == 2003)].iloc[0]
        assert row.last_share == cell["share"] and row.last_ci_high == cell["ci_high"]
        assert row.label == cell["label"]
        assert row.change == pytest.approx(row.last_share - row.first_share)
    by = prevalence(fitted, corpus, by="actor", period="year", n_boot=0)
    assert len(prevalence_change(by, first=2001, last=2002)) == 3 * 3
    assert prevalence_change(prev, topics=[]).empty
    with pytest.raises(ValueError, match=r"first=1990 is not a period of prev"):
        prevalence_change(prev, first=1990)
    with pytest.raises(ValueError, match=r"topic\(s\) \[7\] are not in prev"):
        prevalence_change(prev, topics=[7])


def test_choose_k_on_a_hand_made_sweep():
    from toolkit.topics import choose_k

    sweep = pd.DataFrame({
        "k": [5, 5, 10, 10, 15, 15, 20, 20],
        "seed": [0, 1] * 4,
        # mean coherence: 0.10, 0.14, 0.20, 0.25
        "coherence": [0.09, 0.11, 0.13, 0.15, 0.19, 0.21, 0.24, 0.26],
        # mean stability: 0.90, 0.88, 0.86, 0.70
        "stability": [0.90, 0.90, 0.88, 0.88, 0.86, 0.86, 0.70, 0.70],
    })
    # k=20 is the most coherent but unstable; 15 is within 0.05 of the best (0.90)
    assert choose_k(sweep) == 15
    assert choose_k(sweep, tolerance=0.02) == 10
    assert choose_k(sweep, tolerance=0.5) == 20
    tie = sweep.assign(coherence=[0.2] * 8)
    assert choose_k(tie) == 5  # ties go to the smaller k
    one_seed = sweep[sweep["seed"] == 0].assign(stability=np.nan)
    assert choose_k(one_seed) == 20  # no stability: coherence alone
    with pytest.raises(ValueError, match=r"no column\(s\) \['stability'\]"):
        choose_k(sweep.drop(columns="stability"))
    with pytest.raises(ValueError, match="no k with a finite coherence"):
        choose_k(sweep.assign(coherence=np.nan))


def test_choose_k_on_a_real_sweep(planted):
    from toolkit.topics import choose_k

    dtm, _ = planted
    sweep = sweep_k(dtm, [2, 3, 4, 5], seeds=(0, 1, 2), n_terms=5, n_jobs=1, progress=False)
    assert choose_k(sweep) == 3  # the number of planted themes

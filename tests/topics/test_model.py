"""Tests for toolkit.topics.model: fitting, bad input, labelling, persistence."""

from __future__ import annotations

import json
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
    tfidf_weights,
)

from .conftest import COMMON, THEMES, _dtm, _theme_of


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


def test_top_term_lists_match_textacy_order(fitted):
    tw = fitted.top_terms(6)  # via textacy.tm.TopicModel.top_topic_terms
    from_textacy = [g["term"].tolist() for _, g in tw.groupby("topic")]
    assert fitted.top_term_lists(6) == from_textacy


def test_labels_and_names(planted):
    dtm, _ = planted
    tm = TopicModel(3, random_state=0).fit(dtm)
    tm.set_labels({1: "My label"})
    names = tm.topic_names()
    assert names[1] == "My label" and names[0].startswith("T00 ")
    with pytest.raises(ValueError, match="topic 7 does not exist"):
        tm.set_labels({7: "x"})


def test_score_on_training_matrix_matches_fit_error(planted, fitted):
    dtm, _ = planted
    assert fitted.score(dtm) == pytest.approx(fitted.relative_err_, rel=0.05)
    lda = TopicModel(3, method="lda", random_state=0).fit(dtm)
    assert lda.score(dtm) == pytest.approx(lda.perplexity_)


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


def test_nmf_shares_do_not_depend_on_the_scale_of_w_and_h():
    from toolkit.topics import nmf_topic_shares

    rng = np.random.default_rng(0)
    W, H = rng.random((30, 4)), rng.random((4, 50))
    W2, H2 = W.copy(), H.copy()
    W2[:, 2] *= 7.0
    H2[2] /= 7.0
    np.testing.assert_allclose(W2 @ H2, W @ H, rtol=1e-12)
    np.testing.assert_allclose(nmf_topic_shares(W2, H2), nmf_topic_shares(W, H), atol=1e-12)
    # normalised rows of W, the old "share", do change with the scale
    old = W / W.sum(axis=1, keepdims=True)
    old2 = W2 / W2.sum(axis=1, keepdims=True)
    assert np.abs(old2 - old).max() > 0.05
    # the share is the topic's part of the row's reconstructed weight
    by_hand = (W[:, [1]] * H[1]).sum(axis=1) / (W @ H).sum(axis=1)
    np.testing.assert_allclose(nmf_topic_shares(W, H)[:, 1], by_hand, rtol=1e-12)


# ------------------------------------------------------------------ minibatch streaming
def _stacked(dtm, times):
    """``times`` copies of a matrix, one under the other, with new doc ids."""
    matrix = sp.vstack([dtm.matrix] * times, format="csr")
    ids = [f"{d}_{k:02d}" for k in range(times) for d in dtm.doc_ids]
    return DocTermMatrix.from_unsorted(matrix, ids, dtm.vocab)


def test_minibatch_streams_row_blocks_and_recovers_the_planted_topics(planted, monkeypatch):
    from sklearn.decomposition import MiniBatchNMF

    big = _stacked(planted[0], 40)
    assert big.n_docs > 2 * 1024
    seen = []
    original = MiniBatchNMF.partial_fit

    def spy(self, X, *args, **kwargs):
        seen.append(X.shape[0])
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(MiniBatchNMF, "partial_fit", spy)
    tm = TopicModel(3, solver="minibatch", random_state=0).fit(big)
    n_blocks = -(-big.n_docs // 1024)
    assert max(seen) == 1024 and len(seen) == n_blocks * tm.n_iter_  # whole passes of blocks
    themes = [_theme_of(t[:5]) for t in tm.top_term_lists(5)]
    assert sorted(name for name, _ in themes) == sorted(THEMES)
    np.testing.assert_allclose(tm.doc_topic_.sum(axis=1), 1.0)
    # the streamed reconstruction error is ||X - WH||_F of the weighted matrix
    X = tm._weigh(big.matrix, fitting=False).toarray().astype(np.float64)
    W = tm.model_.transform(tm._weigh(big.matrix, fitting=False)).astype(np.float64)
    direct = np.linalg.norm(X - W @ tm.components_)
    assert tm.reconstruction_err_ == pytest.approx(direct, rel=1e-4)


def test_minibatch_is_seeded_by_random_state(planted):
    big = _stacked(planted[0], 3)
    a = TopicModel(3, solver="minibatch", random_state=5).fit(big)
    b = TopicModel(3, solver="minibatch", random_state=5).fit(big)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.doc_topic_, b.doc_topic_)
    assert a.n_iter_ == b.n_iter_


def test_minibatch_records_hitting_max_iter(planted):
    tm = TopicModel(3, solver="minibatch", max_iter=2, tol=0.0, random_state=0).fit(planted[0])
    assert tm.n_iter_ == 2
    assert any("2 passes (max_iter)" in w for w in tm.convergence_warnings_)

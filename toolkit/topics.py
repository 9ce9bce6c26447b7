"""Topic models on a :class:`~toolkit.features.DocTermMatrix`: fit, choose k, label, prevalence.

What is ours and what is scikit-learn's
---------------------------------------
The factorisations themselves are scikit-learn's: :class:`sklearn.decomposition.NMF`,
:class:`sklearn.decomposition.MiniBatchNMF` and
:class:`sklearn.decomposition.LatentDirichletAllocation`. Top terms by weight come from
:meth:`textacy.tm.TopicModel.top_topic_terms`. Everything else in this module is ours:

- :class:`TopicModel`, an estimator that takes a labelled ``DocTermMatrix`` (not a bare
  array), keeps ``doc_ids_`` and ``vocab_``, weights counts by tf-idf for NMF with an idf
  learned at fit time, refuses a matrix with another vocabulary, and saves to npz + JSON
  + YAML (no pickle);
- :func:`npmi_coherence` (document co-occurrence on the corpus itself);
- :func:`topic_stability` (Hungarian matching of topics across seeds on the Jaccard
  overlap of their top terms) and :func:`sweep_k`;
- FREX-like exclusivity in :meth:`TopicModel.top_terms`, :func:`representative_docs`
  with KWIC-style snippets, researcher labels in ``labels.yaml``;
- :func:`prevalence` with a seeded, vectorised bootstrap over documents.

Determinism: every stochastic step takes ``random_state``; the same matrix and the same
seed give bit-for-bit identical components, document-topic shares and prevalence tables.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from toolkit.cache import atomic_path, cache_key, cached, read_frame, write_frame
from toolkit.features import DocTermMatrix

__all__ = [
    "ARMS_SPECIFIC_CATEGORIES",
    "TopicModel",
    "choose_k",
    "frex_scores",
    "match_topics",
    "npmi_coherence",
    "prevalence",
    "prevalence_change",
    "representative_docs",
    "sweep_k",
    "tfidf_weights",
    "topic_stability",
]

_FORMAT_VERSION = 1
_METHODS = ("nmf", "lda")
_SOLVERS = ("cd", "mu", "minibatch")
_WEIGHTINGS = ("auto", "tfidf", "none")


# ---------------------------------------------------------------------------- validation
def _check_dtm(dtm: Any, *, what: str = "dtm") -> DocTermMatrix:
    """Raise a helpful error unless ``dtm`` is a usable, non-negative, finite DocTermMatrix."""
    if not isinstance(dtm, DocTermMatrix):
        raise TypeError(
            f"{what} must be a toolkit.features.DocTermMatrix, got {type(dtm).__name__}. "
            "Build one with toolkit.features.build_dtm(corpus) or "
            "DocTermMatrix.from_unsorted(matrix, doc_ids, vocab)."
        )
    n_docs, n_terms = dtm.shape
    if n_docs == 0 or n_terms == 0 or dtm.matrix.nnz == 0:
        raise ValueError(
            f"{what} is empty ({n_docs} documents x {n_terms} terms, {dtm.matrix.nnz} non-zero "
            "entries); there is nothing to model. Check the corpus filter, or lower min_df / "
            "raise max_df when building the matrix."
        )
    data = dtm.matrix.data
    if not np.all(np.isfinite(data)):
        bad = np.unique(dtm.matrix.nonzero()[0][~np.isfinite(data)])
        raise ValueError(
            f"{what} contains NaN or infinite values in {len(bad)} documents, e.g. "
            f"{dtm.doc_ids[bad[:5]].tolist()}; rebuild the matrix from counts."
        )
    if (data < 0).any():
        bad = np.unique(dtm.matrix.nonzero()[0][data < 0])
        raise ValueError(
            f"{what} contains negative values in {len(bad)} documents, e.g. "
            f"{dtm.doc_ids[bad[:5]].tolist()}; topic models need non-negative counts or "
            "tf-idf weights (not centred or log-ratio scores)."
        )
    return dtm


def _is_counts(matrix: sp.csr_matrix) -> bool:
    data = matrix.data
    return bool(np.all(data == np.round(data)))


def tfidf_weights(
    matrix: sp.spmatrix, *, idf: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Weight counts by tf-idf (smooth idf, L2-normalised rows).

    The formula is scikit-learn's ``TfidfTransformer`` default:
    ``idf = ln((1 + n_docs) / (1 + df)) + 1``, rows scaled to unit Euclidean norm.

    Parameters
    ----------
    matrix : sparse matrix of shape (n_docs, n_terms)
        Raw counts.
    idf : ndarray of shape (n_terms,) or None, default=None
        A previously learned idf (to weight new documents like the training ones);
        None learns it from ``matrix``.

    Returns
    -------
    weighted : csr_matrix of shape (n_docs, n_terms), float64
    idf : ndarray of shape (n_terms,)
    """
    m = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    if idf is None:
        df = np.bincount(m.indices, minlength=m.shape[1])
        idf = np.log((1.0 + m.shape[0]) / (1.0 + df)) + 1.0
    m = m @ sp.diags(idf)
    m = sp.csr_matrix(m)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    m = sp.diags(1.0 / norms) @ m
    return sp.csr_matrix(m), np.asarray(idf, dtype=np.float64)


def _normalize_rows(a: np.ndarray) -> np.ndarray:
    s = a.sum(axis=1, keepdims=True)
    out = np.zeros_like(a, dtype=np.float64)
    np.divide(a, s, out=out, where=s > 0)
    return out


# ---------------------------------------------------------------------------- the estimator
class TopicModel(BaseEstimator):
    """NMF or LDA topic model over a labelled document-term matrix.

    The factorisation is scikit-learn's (``NMF``, ``MiniBatchNMF`` or
    ``LatentDirichletAllocation``); this class adds labels, weighting, validation,
    labelling helpers and safe persistence (see the module docstring for the split).

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics k. Must not exceed the number of documents or terms.
    method : {"nmf", "lda"}, default="nmf"
        NMF on tf-idf weights, or LDA (variational Bayes) on counts.
    solver : {"cd", "mu", "minibatch"}, default="cd"
        NMF only. ``"cd"`` and ``"mu"`` are ``NMF(solver=...)``; ``"minibatch"`` is
        ``MiniBatchNMF`` (fastest, lower coherence; see ``benchmarks/bench_topics.py``).
    init : {"nndsvd", "nndsvda", "nndsvdar", "random"} or None, default=None
        NMF initialisation (scikit-learn's). None means ``"nndsvd"`` for ``"cd"`` and
        ``"nndsvda"`` for ``"mu"``/``"minibatch"`` (which cannot move NNDSVD's zeros).
        NNDSVD(a) is deterministic: NMF then gives the same topics for every
        ``random_state``, and :func:`sweep_k` measures stability by refitting on
        subsamples of documents instead.
    max_iter : int or None, default=None
        Iteration cap. None means 50 for NMF ``"cd"`` (on UNGDC the default 200 does
        not converge either, costs 4x the time, and gives a reconstruction error only
        0.06% lower with no better NPMI coherence: see ``benchmarks/bench_topics.py``),
        200 for ``"mu"`` and ``"minibatch"`` (which stop earlier on ``tol``) and 10 for
        LDA. Stopping at the cap is recorded in ``convergence_warnings_``, not shown.
    tol : float or None, default=None
        Convergence tolerance; None means 1e-3 for NMF (scikit-learn's default is 1e-4)
        and 0.1 for LDA perplexity checks.
    weighting : {"auto", "tfidf", "none"}, default="auto"
        How the input is weighted before fitting. ``"auto"``: NMF weights counts by tf-idf
        (idf learned at fit time and reused by :meth:`transform`) and uses an
        already-weighted (non-integer) matrix as given; LDA uses the matrix as given
        (and warns when it is not counts). The tf-idf equals ``dtm.weight("tfidf")``
        (scikit-learn's ``TfidfTransformer`` defaults); the model computes it itself so
        that :meth:`transform` weights new documents with the training idf.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the NMF computation. float32 halves memory and time.
    lda_learning_method : {"batch", "online"}, default="online"
        LDA only, passed to scikit-learn.
    random_state : int or None, default=None
        Seed for initialisation and (for LDA/minibatch) sampling. Pass an int for
        reproducible topics.

    Attributes
    ----------
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-term weights (scikit-learn's ``components_``).
    doc_topic_ : ndarray of shape (n_docs, n_topics)
        Topic shares of the training documents; rows sum to 1 (a document with no
        weight in any topic has a row of zeros and is counted in ``n_empty_docs_``).
    doc_ids_ : ndarray of str of shape (n_docs,)
    vocab_ : ndarray of str of shape (n_terms,)
    idf_ : ndarray of shape (n_terms,) or None
        The idf used for tf-idf weighting, or None when the input was used as given.
    weighting_ : str
        ``"tfidf"`` or ``"none"``: what :meth:`fit` actually did.
    reconstruction_err_ : float
        NMF: Frobenius norm of ``X - WH`` on the weighted matrix. LDA: NaN.
    relative_err_ : float
        ``reconstruction_err_ / ||X||_F`` (comparable across k). LDA: NaN.
    perplexity_ : float
        LDA: perplexity on the training matrix. NMF: NaN.
    n_iter_ : int
    convergence_warnings_ : list of str
        scikit-learn's ConvergenceWarning messages from the fit (other warnings are
        re-issued).
    n_empty_docs_ : int
    fit_seconds_ : float
    topic_labels_ : dict[int, str]
        Researcher labels set with :meth:`set_labels`; empty after fit.
    model_ : the fitted scikit-learn estimator

    Examples
    --------
    >>> tm = TopicModel(20, random_state=0).fit(dtm)  # doctest: +SKIP
    >>> tm.top_terms(10, scheme="frex")  # doctest: +SKIP
    """

    def __init__(
        self,
        n_topics: int = 10,
        *,
        method: str = "nmf",
        solver: str = "cd",
        init: str | None = None,
        max_iter: int | None = None,
        tol: float | None = None,
        weighting: str = "auto",
        dtype: str = "float32",
        lda_learning_method: str = "online",
        random_state: int | None = None,
    ) -> None:
        self.n_topics = n_topics
        self.method = method
        self.solver = solver
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.weighting = weighting
        self.dtype = dtype
        self.lda_learning_method = lda_learning_method
        self.random_state = random_state

    # ------------------------------------------------------------------ internals
    def _validate_params(self, dtm: DocTermMatrix) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}.")
        if self.method == "nmf" and self.solver not in _SOLVERS:
            raise ValueError(f"solver must be one of {_SOLVERS}, got {self.solver!r}.")
        if self.weighting not in _WEIGHTINGS:
            raise ValueError(f"weighting must be one of {_WEIGHTINGS}, got {self.weighting!r}.")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}.")
        k = self.n_topics
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ValueError(f"n_topics must be a positive integer, got {k!r}.")
        n_docs, n_terms = dtm.shape
        if k > n_terms:
            raise ValueError(
                f"n_topics={k} is larger than the vocabulary ({n_terms} terms); a topic model "
                f"needs fewer topics than terms. Use n_topics <= {n_terms}, or build the "
                "matrix with a lower min_df to keep more terms."
            )
        if k > n_docs:
            raise ValueError(
                f"n_topics={k} is larger than the number of documents ({n_docs}); use "
                f"n_topics <= {n_docs} or model a larger corpus."
            )

    def _make_estimator(self):
        if self.method == "lda":
            return LatentDirichletAllocation(
                n_components=int(self.n_topics),
                learning_method=self.lda_learning_method,
                max_iter=10 if self.max_iter is None else self.max_iter,
                evaluate_every=-1,
                perp_tol=0.1 if self.tol is None else self.tol,
                random_state=self.random_state,
            )
        if self.max_iter is not None:
            max_iter = self.max_iter
        else:
            max_iter = 50 if self.solver == "cd" else 200
        tol = 1e-3 if self.tol is None else self.tol
        init = self.init or ("nndsvd" if self.solver == "cd" else "nndsvda")
        if self.solver == "minibatch":
            return MiniBatchNMF(
                n_components=int(self.n_topics), init=init, max_iter=max_iter,
                tol=tol, random_state=self.random_state,
            )
        return NMF(
            n_components=int(self.n_topics), init=init, solver=self.solver,
            max_iter=max_iter, tol=tol, random_state=self.random_state,
        )

    def _weigh(self, matrix: sp.csr_matrix, *, fitting: bool) -> sp.csr_matrix:
        if fitting:
            mode = self.weighting
            if mode == "auto":
                mode = "tfidf" if (self.method == "nmf" and _is_counts(matrix)) else "none"
            self.weighting_ = mode
            if self.method == "lda" and not _is_counts(matrix):
                warnings.warn(
                    "LDA expects raw counts but dtm has non-integer values (tf-idf or "
                    "proportions?); fit LDA on the count matrix from build_dtm.",
                    UserWarning,
                    stacklevel=3,
                )
            if mode == "tfidf":
                out, self.idf_ = tfidf_weights(matrix)
            else:
                out, self.idf_ = sp.csr_matrix(matrix, dtype=np.float64), None
        elif self.weighting_ == "tfidf":
            out, _ = tfidf_weights(matrix, idf=self.idf_)
        else:
            out = sp.csr_matrix(matrix, dtype=np.float64)
        if self.method == "nmf":
            out = out.astype(self.dtype)
        return out

    # ------------------------------------------------------------------ fit / transform
    def fit(self, dtm: DocTermMatrix, y: None = None) -> TopicModel:
        """Fit the model to a document-term matrix.

        Parameters
        ----------
        dtm : DocTermMatrix of shape (n_docs, n_terms)
            Counts (tf-idf is applied for NMF) or already-weighted values.
        y : None
            Ignored; for scikit-learn compatibility.

        Returns
        -------
        self : TopicModel
        """
        dtm = _check_dtm(dtm)
        self._validate_params(dtm)
        X = self._weigh(dtm.matrix, fitting=True)
        est = self._make_estimator()
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            W = est.fit_transform(X)
        self.fit_seconds_ = time.perf_counter() - t0
        # Stopping at max_iter is by design (see the benchmark); it is recorded, not shown.
        self.convergence_warnings_ = [str(w.message) for w in caught
                                      if issubclass(w.category, ConvergenceWarning)]
        for w in caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        self.model_ = est
        self.components_ = np.asarray(est.components_, dtype=np.float64)
        self.doc_topic_ = _normalize_rows(np.asarray(W, dtype=np.float64))
        self.n_empty_docs_ = int((self.doc_topic_.sum(axis=1) == 0).sum())
        self.doc_ids_ = np.asarray(dtm.doc_ids, dtype=str)
        self.vocab_ = np.asarray(dtm.vocab, dtype=str)
        self.n_iter_ = int(getattr(est, "n_iter_", -1))
        if self.method == "nmf":
            self.reconstruction_err_ = float(est.reconstruction_err_)
            norm = float(sp.linalg.norm(X))
            self.relative_err_ = self.reconstruction_err_ / norm if norm else float("nan")
            self.perplexity_ = float("nan")
        else:
            self.reconstruction_err_ = float("nan")
            self.relative_err_ = float("nan")
            self.perplexity_ = float(est.perplexity(X))
        self.matrix_sha256_ = _matrix_sha256(dtm)
        self.topic_labels_: dict[int, str] = {}
        return self

    def fit_transform(self, dtm: DocTermMatrix, y: None = None) -> np.ndarray:
        """Fit and return ``doc_topic_`` (n_docs, n_topics)."""
        return self.fit(dtm).doc_topic_

    def _aligned(self, dtm: DocTermMatrix, align: bool) -> sp.csr_matrix:
        vocab = np.asarray(dtm.vocab, dtype=str)
        if len(vocab) == len(self.vocab_) and np.array_equal(vocab, self.vocab_):
            return dtm.matrix
        missing = np.setdiff1d(self.vocab_, vocab)
        extra = np.setdiff1d(vocab, self.vocab_)
        if not align:
            raise ValueError(
                f"dtm has a different vocabulary from the one the model was fitted on "
                f"({len(vocab)} vs {len(self.vocab_)} terms; {len(missing)} fitted terms are "
                f"missing, e.g. {missing[:5].tolist()}; {len(extra)} terms are new, e.g. "
                f"{extra[:5].tolist()}). Build the matrix with the model's vocabulary "
                "(dtm.select_terms(model.vocab_) when it holds them all), or call "
                "transform(dtm, align=True) to drop new terms and treat missing ones as zero."
            )
        warnings.warn(
            f"Aligning vocabularies: dropped {len(extra)} terms the model does not know and "
            f"set {len(missing)} fitted terms absent from dtm to zero.",
            UserWarning,
            stacklevel=3,
        )
        pos = np.searchsorted(self.vocab_, vocab)
        pos = np.clip(pos, 0, len(self.vocab_) - 1)
        keep = self.vocab_[pos] == vocab
        m = sp.csr_matrix(dtm.matrix)[:, np.flatnonzero(keep)].tocoo()
        cols = pos[keep][m.col]
        return sp.csr_matrix((m.data, (m.row, cols)), shape=(dtm.n_docs, len(self.vocab_)))

    def transform(
        self, dtm: DocTermMatrix, *, align: bool = False, normalize: bool = True
    ) -> np.ndarray:
        """Topic shares of (new) documents.

        Parameters
        ----------
        dtm : DocTermMatrix of shape (n_docs, n_terms)
            Same kind of input as in :meth:`fit` (counts when fitted on counts).
        align : bool, default=False
            False refuses a matrix whose vocabulary differs from ``vocab_``. True aligns
            it explicitly: terms the model does not know are dropped, fitted terms absent
            from ``dtm`` count as zero (a warning reports both numbers).
        normalize : bool, default=True
            Return shares (rows sum to 1); False returns scikit-learn's raw output.

        Returns
        -------
        ndarray of shape (n_docs, n_topics)
        """
        check_is_fitted(self, "components_")
        dtm = _check_dtm(dtm)
        matrix = self._aligned(dtm, align)
        X = self._weigh(matrix, fitting=False)
        W = np.asarray(self.model_.transform(X), dtype=np.float64)
        return _normalize_rows(W) if normalize else W

    def score(self, dtm: DocTermMatrix, *, align: bool = False) -> float:
        """Fit of the model to (held-out) documents; lower is better.

        NMF: relative reconstruction error ``||X - W H||_F / ||X||_F`` of the weighted
        matrix, W from :meth:`transform`. LDA: perplexity (scikit-learn's).

        Parameters
        ----------
        dtm : DocTermMatrix of shape (n_docs, n_terms)
        align : bool, default=False
            As in :meth:`transform`.

        Returns
        -------
        float
        """
        check_is_fitted(self, "components_")
        dtm = _check_dtm(dtm)
        X = self._weigh(self._aligned(dtm, align), fitting=False)
        if self.method == "lda":
            return float(self.model_.perplexity(X))
        W = np.asarray(self.model_.transform(X), dtype=np.float64)
        H = np.asarray(self.model_.components_, dtype=np.float64)
        X = sp.csr_matrix(X, dtype=np.float64)
        # ||X - WH||^2 = ||X||^2 - 2 <X, WH> + ||WH||^2, without densifying X
        xx = float(X.multiply(X).sum())
        cross = float(np.sum((X @ H.T) * W))
        wh = float(np.sum((W.T @ W) * (H @ H.T)))
        return float(np.sqrt(max(xx - 2 * cross + wh, 0.0)) / np.sqrt(xx)) if xx else float("nan")

    # ------------------------------------------------------------------ labelling
    def top_terms(
        self, n: int = 10, *, scheme: str = "weight", frex_weight: float = 0.5
    ) -> pd.DataFrame:
        """Top terms of every topic.

        Parameters
        ----------
        n : int, default=10
            Terms per topic.
        scheme : {"weight", "frex"}, default="weight"
            ``"weight"``: largest topic-term weights (textacy's ``top_topic_terms``).
            ``"frex"``: FREX (Roberts et al., STM), the weighted harmonic mean of the
            within-topic ranks (empirical CDF) of a term's frequency in the topic and of
            its exclusivity ``phi[k, v] / sum_j phi[j, v]``.
        frex_weight : float, default=0.5
            Weight of exclusivity in FREX (0 = frequency only, 1 = exclusivity only).

        Returns
        -------
        DataFrame
            Columns ``topic`` (int), ``rank`` (1..n), ``term``, ``score``.
        """
        check_is_fitted(self, "components_")
        n = int(min(n, len(self.vocab_)))
        if scheme == "weight" and isinstance(self.model_, (NMF, LatentDirichletAllocation)):
            from textacy.tm import TopicModel as _TextacyTM

            tm = _TextacyTM(self.model_)
            rows = [
                (k, r + 1, term, float(w))
                for k, pairs in tm.top_topic_terms(self.vocab_, top_n=n, weights=True)
                for r, (term, w) in enumerate(pairs)
            ]
        elif scheme == "weight":  # textacy does not wrap MiniBatchNMF; same ordering
            comp = self.model_.components_
            rows = [
                (k, r + 1, self.vocab_[j], float(comp[k, j]))
                for k in range(comp.shape[0])
                for r, j in enumerate(np.argsort(comp[k])[: -n - 1 : -1])
            ]
        elif scheme == "frex":
            score = frex_scores(self.components_, weight=frex_weight)
            order = np.argsort(-score, axis=1, kind="stable")[:, :n]
            rows = [
                (k, r + 1, self.vocab_[j], float(score[k, j]))
                for k in range(score.shape[0])
                for r, j in enumerate(order[k])
            ]
        else:
            raise ValueError(f"scheme must be 'weight' or 'frex', got {scheme!r}.")
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "score"])

    def top_term_lists(self, n: int = 10, *, scheme: str = "weight") -> list[list[str]]:
        """Top terms as one list per topic (for :func:`npmi_coherence`).

        For ``scheme="weight"`` this is the same ordering as textacy's
        ``top_topic_terms`` (used by :meth:`top_terms`), computed without importing
        textacy/spaCy so that parallel sweep workers start fast.
        """
        check_is_fitted(self, "components_")
        if scheme == "weight":
            n = int(min(n, len(self.vocab_)))
            return [self.vocab_[np.argsort(row)[: -n - 1 : -1]].tolist()
                    for row in self.components_]
        tt = self.top_terms(n, scheme=scheme)
        return [g["term"].tolist() for _, g in tt.groupby("topic", sort=True)]

    def set_labels(self, labels: Mapping[int, str]) -> TopicModel:
        """Set researcher labels (``{topic: label}``); returns self. Persist with :meth:`save`
        or :meth:`save_labels`."""
        check_is_fitted(self, "components_")
        for k in labels:
            if not (0 <= int(k) < self.components_.shape[0]):
                raise ValueError(
                    f"topic {k} does not exist; topics are numbered "
                    f"0..{self.components_.shape[0] - 1}."
                )
        self.topic_labels_ = {**self.topic_labels_, **{int(k): str(v) for k, v in labels.items()}}
        return self

    def topic_names(self, n_terms: int = 3) -> list[str]:
        """One display name per topic: the researcher label, else ``"T03 arms/nuclear/weapon"``."""
        check_is_fitted(self, "components_")
        lists = self.top_term_lists(n_terms)
        return [
            self.topic_labels_.get(k, f"T{k:02d} " + "/".join(terms))
            for k, terms in enumerate(lists)
        ]

    def doc_topic_frame(self) -> pd.DataFrame:
        """``doc_topic_`` as a DataFrame indexed by doc_id, one column per topic number."""
        check_is_fitted(self, "components_")
        return pd.DataFrame(
            self.doc_topic_,
            index=pd.Index(self.doc_ids_, name="doc_id"),
            columns=pd.RangeIndex(self.doc_topic_.shape[1], name="topic"),
        )

    # ------------------------------------------------------------------ persistence
    def save(
        self,
        path: str | Path,
        *,
        corpus: pd.DataFrame | None = None,
        provenance: Mapping[str, Any] | None = None,
    ) -> Path:
        """Save a fitted model to the folder ``path`` (npz + JSON + YAML, no pickle).

        Writes ``model.npz`` (arrays, including vocabulary and doc ids as unicode),
        ``model.json`` (parameters, scalar results, provenance) and ``labels.yaml``
        (researcher labels; edit it by hand and :meth:`load` picks it up).

        Parameters
        ----------
        path : str or Path
            Folder to write (created if needed; files in it are replaced atomically).
        corpus : DataFrame or None, default=None
            The corpus table the matrix came from; its provenance (name, release,
            checksum) is recorded through :func:`toolkit.provenance.collect`, with the
            git commit and package versions.
        provenance : mapping or None, default=None
            Extra JSON-serialisable provenance, e.g. the ``build_dtm`` parameters.

        Returns
        -------
        Path
            The folder.
        """
        check_is_fitted(self, "components_")
        import sklearn

        from toolkit import __version__

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {
            "components": self.components_,
            "doc_topic": self.doc_topic_,
            "doc_ids": self.doc_ids_.astype(str),
            "vocab": self.vocab_.astype(str),
        }
        if self.idf_ is not None:
            arrays["idf"] = self.idf_
        est = self.model_
        if self.method == "lda":
            arrays["exp_dirichlet_component"] = est.exp_dirichlet_component_
        meta = {
            "format_version": _FORMAT_VERSION,
            "class": "toolkit.topics.TopicModel",
            "params": self.get_params(),
            "fitted": {
                "weighting": self.weighting_,
                "n_iter": self.n_iter_,
                "n_empty_docs": self.n_empty_docs_,
                "reconstruction_err": _json_float(self.reconstruction_err_),
                "relative_err": _json_float(self.relative_err_),
                "perplexity": _json_float(self.perplexity_),
                "fit_seconds": self.fit_seconds_,
                "matrix_sha256": self.matrix_sha256_,
                "convergence_warnings": self.convergence_warnings_,
                "estimator": type(est).__name__,
                "estimator_scalars": _estimator_scalars(est),
            },
            "provenance": {
                **_collect_provenance(corpus, self.get_params(), self.random_state),
                "toolkit_version": __version__,
                "sklearn_version": sklearn.__version__,
                "numpy_version": np.__version__,
                "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                **dict(provenance or {}),
            },
        }
        with atomic_path(folder / "model.npz") as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        with atomic_path(folder / "model.json") as tmp:
            tmp.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        self.save_labels(folder)
        return folder

    def save_labels(self, path: str | Path) -> Path:
        """Write ``labels.yaml`` (topic number -> label, with top terms as a comment aid)."""
        import yaml

        check_is_fitted(self, "components_")
        folder = Path(path)
        doc = {
            "labels": {int(k): v for k, v in sorted(self.topic_labels_.items())},
            "top_terms": {k: " ".join(t) for k, t in enumerate(self.top_term_lists(8))},
        }
        header = (
            "# Researcher labels for this topic model. Edit `labels:` (topic number: label);\n"
            "# `top_terms` is written for reference and ignored when loading.\n"
        )
        with atomic_path(folder / "labels.yaml") as tmp:
            tmp.write_text(
                header + yaml.safe_dump(doc, sort_keys=True, allow_unicode=True),
                encoding="utf-8",
            )
        return folder / "labels.yaml"

    @classmethod
    def load(cls, path: str | Path) -> TopicModel:
        """Load a model saved with :meth:`save` (no pickle is ever read).

        Raises
        ------
        FileNotFoundError
            If ``model.json`` or ``model.npz`` is missing from ``path``.
        ValueError
            If the files are from an unknown format version.
        """
        import yaml

        folder = Path(path)
        for name in ("model.json", "model.npz"):
            if not (folder / name).is_file():
                raise FileNotFoundError(
                    f"{folder / name} not found; pass the folder written by TopicModel.save()."
                )
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if meta.get("format_version") != _FORMAT_VERSION:
            raise ValueError(
                f"{folder / 'model.json'} has format_version {meta.get('format_version')!r}; "
                f"this toolkit reads version {_FORMAT_VERSION}. Refit and save the model again."
            )
        with np.load(folder / "model.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        model = cls(**meta["params"])
        fitted = meta["fitted"]
        model.components_ = arrays["components"]
        model.doc_topic_ = arrays["doc_topic"]
        model.doc_ids_ = arrays["doc_ids"].astype(str)
        model.vocab_ = arrays["vocab"].astype(str)
        model.idf_ = arrays.get("idf")
        model.weighting_ = fitted["weighting"]
        model.n_iter_ = fitted["n_iter"]
        model.n_empty_docs_ = fitted["n_empty_docs"]
        model.reconstruction_err_ = _from_json_float(fitted["reconstruction_err"])
        model.relative_err_ = _from_json_float(fitted["relative_err"])
        model.perplexity_ = _from_json_float(fitted["perplexity"])
        model.fit_seconds_ = fitted["fit_seconds"]
        model.matrix_sha256_ = fitted["matrix_sha256"]
        model.convergence_warnings_ = fitted.get("convergence_warnings", [])
        model.provenance_ = meta.get("provenance", {})
        est = model._make_estimator()
        est.components_ = model.components_.astype(
            np.float64 if model.method == "lda" else model.dtype
        )
        est.n_components_ = model.components_.shape[0]
        est.n_features_in_ = model.components_.shape[1]
        for k, v in fitted.get("estimator_scalars", {}).items():
            setattr(est, k, v)
        if model.method == "lda":
            est.exp_dirichlet_component_ = arrays["exp_dirichlet_component"]
        elif isinstance(est, MiniBatchNMF):
            # MiniBatchNMF.transform reads settings that fit derives from the parameters
            # (scikit-learn private API; the round-trip test guards it).
            est._check_params(np.zeros((1, est.n_features_in_), dtype=est.components_.dtype))
        model.model_ = est
        model.topic_labels_ = {}
        labels_file = folder / "labels.yaml"
        if labels_file.is_file():
            doc = yaml.safe_load(labels_file.read_text(encoding="utf-8")) or {}
            model.set_labels(doc.get("labels") or {})
        return model


def _collect_provenance(corpus: pd.DataFrame | None, params: dict, seed: Any) -> dict:
    from toolkit import provenance as _prov

    return _prov.collect(corpus=corpus, params=params, seed=seed)


def _json_float(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _from_json_float(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def _estimator_scalars(est: Any) -> dict[str, Any]:
    """Learned scalars scikit-learn's ``transform`` needs after a load."""
    names = ("doc_topic_prior_", "topic_word_prior_", "n_batch_iter_", "n_iter_",
             "reconstruction_err_", "bound_", "n_steps_")
    out = {}
    for name in names:
        if hasattr(est, name):
            v = getattr(est, name)
            out[name] = v.item() if isinstance(v, np.generic) else v
    return out


def _matrix_sha256(dtm: DocTermMatrix) -> str:
    h = hashlib.sha256()
    m = dtm.matrix
    for arr in (np.asarray(m.shape), m.indptr, m.indices, m.data):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update("\n".join(map(str, dtm.vocab)).encode("utf-8"))
    h.update("\n".join(map(str, dtm.doc_ids)).encode("utf-8"))
    return h.hexdigest()


# ---------------------------------------------------------------------------- scores
def frex_scores(components: np.ndarray, *, weight: float = 0.5) -> np.ndarray:
    """FREX score of every (topic, term).

    Parameters
    ----------
    components : ndarray of shape (n_topics, n_terms)
        Non-negative topic-term weights (rows are normalised to distributions here).
    weight : float, default=0.5
        Weight of exclusivity; ``1 - weight`` goes to frequency.

    Returns
    -------
    ndarray of shape (n_topics, n_terms)
        ``1 / (weight / ECDF(excl) + (1 - weight) / ECDF(freq))``, ECDFs taken within
        each topic over the vocabulary, in (0, 1]. Terms with zero weight in every topic
        get exclusivity 0.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"frex weight must be in [0, 1], got {weight}.")
    from scipy.stats import rankdata

    phi = _normalize_rows(np.asarray(components, dtype=np.float64))
    col = phi.sum(axis=0, keepdims=True)
    excl = np.zeros_like(phi)
    np.divide(phi, col, out=excl, where=col > 0)
    n_terms = phi.shape[1]
    ecdf_excl = rankdata(excl, method="max", axis=1) / n_terms
    ecdf_freq = rankdata(phi, method="max", axis=1) / n_terms
    return 1.0 / (weight / ecdf_excl + (1.0 - weight) / ecdf_freq)


def _term_lists(topics: Any, n_terms: int) -> list[list[str]]:
    if isinstance(topics, TopicModel):
        return topics.top_term_lists(n_terms)
    lists = [list(t) for t in topics]
    if not lists:
        raise ValueError("topics is empty; pass a fitted TopicModel or a list of term lists.")
    return lists


def npmi_coherence(
    topics: TopicModel | Sequence[Sequence[str]], dtm: DocTermMatrix, *, n_terms: int = 10
) -> np.ndarray:
    """NPMI coherence of each topic, from document co-occurrence in ``dtm``.

    For every pair of a topic's top terms ``(a, b)``, with ``N`` documents,
    ``p(a) = D(a) / N`` and ``p(a, b) = D(a, b) / N`` (documents containing a term /
    both terms; the matrix is binarised)::

        NPMI(a, b) = ln(p(a, b) / (p(a) p(b))) / -ln p(a, b)

    with the conventions NPMI = -1 when the terms never co-occur and +1 when both occur
    in every document. A topic's coherence is the mean over its pairs; in [-1, 1].

    Parameters
    ----------
    topics : TopicModel or sequence of sequences of str
        A fitted model (its top ``n_terms`` by weight are used) or term lists.
    dtm : DocTermMatrix of shape (n_docs, n_terms)
        The reference corpus, usually the one the model was fitted on.
    n_terms : int, default=10
        Top terms per topic when ``topics`` is a model.

    Returns
    -------
    ndarray of shape (n_topics,)

    Raises
    ------
    KeyError
        If a term is not in ``dtm.vocab`` (the error names it).
    """
    dtm = _check_dtm(dtm)
    lists = _term_lists(topics, n_terms)
    for t in lists:
        if len(t) < 2:
            raise ValueError("each topic needs at least 2 terms to score NPMI.")
    union = sorted({w for t in lists for w in t})
    pos = dtm.term_index(union)
    B = sp.csc_matrix(dtm.matrix[:, pos] > 0, dtype=np.float64)
    co = (B.T @ B).toarray()
    n = dtm.n_docs
    p = np.diag(co) / n
    pij = co / n
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(pij / np.outer(p, p)) / -np.log(pij)
    npmi[co == 0] = -1.0
    npmi[pij >= 1.0] = 1.0
    where = {w: i for i, w in enumerate(union)}
    out = np.empty(len(lists))
    for k, terms in enumerate(lists):
        idx = np.array([where[w] for w in terms])
        iu = np.triu_indices(len(idx), 1)
        out[k] = npmi[np.ix_(idx, idx)][iu].mean()
    return out


def _jaccard_matrix(a: list[list[str]], b: list[list[str]]) -> np.ndarray:
    sa = [set(x) for x in a]
    sb = [set(x) for x in b]
    return np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in sb] for x in sa])


def topic_stability(
    term_lists: Sequence[Sequence[Sequence[str]]],
) -> np.ndarray:
    """Stability of each run against the others: matched top-term overlap.

    For each pair of runs, topics are matched one-to-one by the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) maximising the Jaccard overlap of
    their top terms; the pair's score is the mean Jaccard of matched topics.

    Parameters
    ----------
    term_lists : sequence of runs, each a list of n_topics term lists

    Returns
    -------
    ndarray of shape (n_runs,)
        Each run's mean matched Jaccard against every other run (NaN for a single run).
    """
    runs = [list(map(list, r)) for r in term_lists]
    n = len(runs)
    pair = np.full((n, n), np.nan)
    for i, j in combinations(range(n), 2):
        jac = _jaccard_matrix(runs[i], runs[j])
        r, c = linear_sum_assignment(jac, maximize=True)
        pair[i, j] = pair[j, i] = jac[r, c].mean()
    if n < 2:
        return np.full(n, np.nan)
    return np.nanmean(pair, axis=1)


# ---------------------------------------------------------------------------- sweep
def _split(n_docs: int, seed: int, subsample: float) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of row positions into a sorted training sample and the held-out rest."""
    if subsample >= 1.0:
        return np.arange(n_docs), np.arange(0)
    n_train = max(1, round(subsample * n_docs))
    rng = np.random.default_rng(seed)
    mask = np.zeros(n_docs, dtype=bool)
    mask[rng.choice(n_docs, size=n_train, replace=False)] = True
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def _fit_one(
    dtm: DocTermMatrix, k: int, seed: int, n_terms: int, subsample: float, params: dict
) -> dict:
    from threadpoolctl import threadpool_limits

    train_pos, held_pos = _split(dtm.n_docs, seed, subsample)
    train = DocTermMatrix(dtm.matrix[train_pos], dtm.doc_ids[train_pos], dtm.vocab)
    cpu0 = time.process_time()
    with threadpool_limits(limits=1):
        tm = TopicModel(k, random_state=seed, **params).fit(train)
        terms = tm.top_term_lists(n_terms)
        coh = npmi_coherence(terms, dtm)
        held = (
            tm.score(DocTermMatrix(dtm.matrix[held_pos], dtm.doc_ids[held_pos], dtm.vocab))
            if len(held_pos) and dtm.matrix[held_pos].nnz
            else float("nan")
        )
    return {
        "k": k,
        "seed": seed,
        "coherence": float(coh.mean()),
        "coherence_min": float(coh.min()),
        "heldout": held,
        "train_relative_err": tm.relative_err_,
        "train_perplexity": tm.perplexity_,
        "n_train_docs": len(train_pos),
        "n_iter": tm.n_iter_,
        "fit_seconds": tm.fit_seconds_,
        "cpu_seconds": time.process_time() - cpu0,
        "_terms": terms,
    }


_TIMING_COLUMNS = ("fit_seconds", "cpu_seconds")


def sweep_k(
    dtm: DocTermMatrix,
    ks: Iterable[int],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    subsample: float = 0.8,
    n_terms: int = 10,
    n_jobs: int = 2,
    progress: bool = True,
    use_cache: bool = True,
    cache_home: str | None = None,
    **model_params: Any,
) -> pd.DataFrame:
    """Fit one model per (k, seed) and score it, to help choose k.

    Each seed draws its own random ``subsample`` of documents to fit on (the rest is
    held out) and is also the model's ``random_state``. With the default NNDSVD
    initialisation NMF is deterministic given the data, so differences between seeds come
    from the documents: the stability is then that of Greene, O'Callaghan & Cunningham
    (2014, "How many topics? Stability analysis for topic models").

    The sweep is deterministic and slow (minutes on the full UNGDC), so its table is
    cached with :mod:`toolkit.cache` (kind ``"topic_sweep"``), keyed by the matrix
    checksum (values, vocabulary and doc ids), ``ks``, ``seeds``, ``subsample``,
    ``n_terms``, ``model_params``, the scikit-learn version and the toolkit version.
    ``n_jobs`` and ``progress`` do not change the result and are not part of the key.
    A corrupt entry is reported and rebuilt.

    Parameters
    ----------
    dtm : DocTermMatrix of shape (n_docs, n_terms)
    ks : iterable of int
        Numbers of topics to try.
    seeds : sequence of int, default=(0, 1, 2)
        One run per seed; stability needs at least two.
    subsample : float, default=0.8
        Share of documents each run is fitted on, in (0, 1]. 1.0 fits every run on all
        documents (then only ``random_state`` differs between seeds, and there is no
        held-out score).
    n_terms : int, default=10
        Top terms used for coherence and stability.
    n_jobs : int, default=2
        Parallel fits (joblib processes, each limited to one BLAS thread). Results do
        not depend on ``n_jobs``.
    progress : bool, default=True
        Show a tqdm bar over the fits.
    use_cache : bool, default=True
        Read the table from the cache when an entry for these inputs exists, else
        compute and store it. False always computes and never touches the cache.
    cache_home : str or None, default=None
        Override of the cache folder (default: ``FPTK_CACHE_HOME``).
    **model_params
        Passed to :class:`TopicModel` (``method``, ``solver``, ``max_iter``...).

    Returns
    -------
    DataFrame
        One row per (k, seed), sorted by k then seed:

        - ``coherence``: mean NPMI of the topics' top terms on the whole ``dtm``;
          ``coherence_min``: the least coherent topic;
        - ``stability``: mean matched Jaccard of top terms against the other seeds at the
          same k (:func:`topic_stability`), in [0, 1];
        - ``heldout``: on the held-out documents, NMF relative reconstruction error
          ``||X - WH|| / ||X||`` (lower is better) or LDA perplexity (lower is better);
        - ``train_relative_err``, ``train_perplexity``, ``n_train_docs``, ``n_iter``.

        Every column is a deterministic function of the inputs, so two runs (cached or
        not) give identical tables. Timings are kept out of the table:
        ``attrs["timings"]`` holds ``{"k", "seed", "fit_seconds", "cpu_seconds"}`` per
        fit (wall time of the fit; CPU time of fit and scoring in the worker) *from the
        run that computed the table*: on a cache hit they are the first run's, and
        ``attrs["from_cache"]`` is True. ``attrs["sweep"]`` records the parameters.
    """
    import sklearn

    dtm = _check_dtm(dtm)
    ks = sorted({int(k) for k in ks})
    seeds = [int(s) for s in seeds]
    if not ks or not seeds:
        raise ValueError("sweep_k needs at least one k and one seed.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}.")
    if not 0.0 < subsample <= 1.0:
        raise ValueError(f"subsample must be in (0, 1], got {subsample}.")
    n_train = max(1, round(subsample * dtm.n_docs))
    probe = DocTermMatrix(dtm.matrix[:n_train], dtm.doc_ids[:n_train], dtm.vocab)
    for k in ks:  # fail before any fitting
        TopicModel(k, random_state=0, **model_params)._validate_params(probe)
    params = {"ks": ks, "seeds": seeds, "subsample": float(subsample),
              "n_terms": int(n_terms), **model_params}
    built = []

    def build() -> pd.DataFrame:
        built.append(True)
        return _sweep_table(dtm, ks, seeds, subsample=subsample, n_terms=n_terms,
                            n_jobs=n_jobs, progress=progress, model_params=model_params)

    key = cache_key(
        kind="topic_sweep",
        matrix=_matrix_sha256(dtm) if use_cache else "",
        params=params,
        sklearn=sklearn.__version__,
    )
    df = cached("topic_sweep", key, suffix=".parquet", build=build, write=write_frame,
                read=_read_sweep, cache_home=cache_home, use_cache=use_cache)
    df.attrs["sweep"] = params
    df.attrs["from_cache"] = not built
    return df


def _read_sweep(path: Path) -> pd.DataFrame:
    df = read_frame(path)
    if "stability" not in df.columns or not isinstance(df.attrs.get("timings"), list):
        raise ValueError("not a sweep_k table (no 'stability' column or timings)")
    return df


def _sweep_table(
    dtm: DocTermMatrix,
    ks: list[int],
    seeds: list[int],
    *,
    subsample: float,
    n_terms: int,
    n_jobs: int,
    progress: bool,
    model_params: dict,
) -> pd.DataFrame:
    """Run the fits of :func:`sweep_k` and assemble its table (timings in ``attrs``)."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    jobs = [(k, s) for k in ks for s in seeds]
    # largest k first so the slowest fits do not straggle at the end
    jobs.sort(key=lambda ks_: -ks_[0])
    if n_jobs == 1:
        results = [
            _fit_one(dtm, k, s, n_terms, subsample, model_params)
            for k, s in tqdm(jobs, desc="sweep_k", disable=not progress)
        ]
    else:
        par = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        gen = par(
            delayed(_fit_one)(dtm, k, s, n_terms, subsample, model_params) for k, s in jobs
        )
        results = list(tqdm(gen, total=len(jobs), desc="sweep_k", disable=not progress))
    df = pd.DataFrame(results).sort_values(["k", "seed"], kind="stable").reset_index(drop=True)
    stab = np.empty(len(df))
    for _k, idx in df.groupby("k", sort=True).groups.items():
        stab[idx] = topic_stability(df.loc[idx, "_terms"].tolist())
    df.insert(4, "stability", stab)
    timings = df[["k", "seed", *_TIMING_COLUMNS]].to_dict(orient="records")
    df = df.drop(columns=["_terms", *_TIMING_COLUMNS])
    df.attrs["timings"] = [
        {"k": int(r["k"]), "seed": int(r["seed"]), "fit_seconds": float(r["fit_seconds"]),
         "cpu_seconds": float(r["cpu_seconds"])}
        for r in timings
    ]
    return df


def choose_k(sweep: pd.DataFrame, *, tolerance: float = 0.05) -> int:
    """Choose the number of topics from a :func:`sweep_k` table.

    The rule: average coherence and stability over seeds for each k; keep the ks whose
    mean stability is within ``tolerance`` of the best mean stability; among those, take
    the k with the highest mean NPMI coherence; ties go to the smaller k. A sweep with a
    single seed has no stability (NaN) and is decided by coherence alone.

    Stability first guards against a k whose topics change with the sample of documents;
    coherence then picks, among the stable ks, the one whose topics are most interpretable.

    Parameters
    ----------
    sweep : DataFrame
        Output of :func:`sweep_k` (``k``, ``coherence``, ``stability``).
    tolerance : float, default=0.05
        How far below the best mean stability (on its 0-1 scale) a k may be.

    Returns
    -------
    int
        The chosen k.

    Raises
    ------
    ValueError
        If the table is empty, lacks the columns, or has no finite coherence.
    """
    missing = [c for c in ("k", "coherence", "stability") if c not in sweep.columns]
    if missing:
        raise ValueError(
            f"sweep has no column(s) {missing}; pass the table toolkit.topics.sweep_k returns."
        )
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}.")
    by_k = sweep.groupby("k", sort=True)[["coherence", "stability"]].mean()
    by_k = by_k[np.isfinite(by_k["coherence"].to_numpy(dtype=float))]
    if by_k.empty:
        raise ValueError("sweep has no k with a finite coherence; there is nothing to choose.")
    stab = by_k["stability"].to_numpy(dtype=float)
    if np.isfinite(stab).any():
        best = np.nanmax(stab)
        by_k = by_k[stab >= best - tolerance - 1e-12]
    top = by_k["coherence"].max()
    return int(by_k.index[by_k["coherence"] == top].min())


# ---------------------------------------------------------------------------- selection
#: Categories of the built-in ``arms`` dictionary that are specific to arms (sales and
#: transfers, military aid, export controls, disarmament and arms control). The others
#: (sanctions, neutrality, alliances, ukraine_war) are about foreign policy in general, and
#: matching them selects generic security topics.
ARMS_SPECIFIC_CATEGORIES: tuple[str, ...] = (
    "arms_transfers", "military_aid", "export_controls", "arms_control",
)

_MATCH_COLUMNS = ["topic", "label", "top_terms", "matched_terms", "n_matches", "categories"]


def match_topics(
    model: TopicModel,
    dictionary: Any = "arms",
    *,
    categories: Sequence[str] | None = None,
    n_terms: int = 10,
    min_matches: int = 2,
    scheme: str = "frex",
    all_topics: bool = False,
) -> pd.DataFrame:
    """The topics whose top terms are dictionary terms: e.g. the topics about arms.

    Each of a topic's top ``n_terms`` terms (by ``scheme``) is matched on its own with
    the dictionary's matcher (:attr:`toolkit.keywords.Dictionary.matcher`, so inflections,
    hyphen variants and multi-word entries work as in :func:`toolkit.keywords.count_matches`):
    phrases joined with ``"_"`` (``arms_trade``) are matched with spaces (``arms trade``),
    and a term is also tried in upper case so that lower-cased acronyms (``npt``, ``att``)
    meet the dictionary's case-sensitive entries. A topic is selected when at least
    ``min_matches`` *distinct* top terms match one of ``categories``.

    Matching top terms by FREX (frequent *and* exclusive terms) rather than by weight, and
    asking for two distinct matches, keeps out the broad topics in which one arms word
    appears among general diplomatic vocabulary (on UNGDC a "powers/co_operation/
    disarmament" topic and a "soviet/union/socialist" one matched the whole ``arms``
    dictionary on a single term each).

    Parameters
    ----------
    model : TopicModel
        Fitted.
    dictionary : str or path or mapping or Dictionary, default="arms"
        Anything :func:`toolkit.keywords.load_dictionary` accepts.
    categories : sequence of str or None, default=None
        Categories whose terms count. None means :data:`ARMS_SPECIFIC_CATEGORIES` when the
        dictionary has them all (the built-in ``arms`` dictionary), else every category.
    n_terms : int, default=10
        Top terms of each topic that are matched.
    min_matches : int, default=2
        Distinct matching top terms a topic needs to be selected.
    scheme : {"frex", "weight"}, default="frex"
        How the top terms are ranked (:meth:`TopicModel.top_terms`).
    all_topics : bool, default=False
        False returns the selected topics only (an empty table when none qualifies);
        True returns every topic with a boolean ``selected`` column (to report the
        near misses).

    Returns
    -------
    DataFrame
        One row per selected topic, most matches first (ties by topic number):
        ``topic`` (int), ``label`` (:meth:`TopicModel.topic_names`), ``top_terms`` (the
        terms matched against, comma-separated, in rank order), ``matched_terms`` (those
        that matched), ``n_matches`` (their number), ``categories`` (the categories they
        matched, in dictionary order). ``attrs["match_topics"]`` records the dictionary
        (name, version), categories, ``n_terms``, ``min_matches`` and ``scheme``.

    Raises
    ------
    ValueError
        If a category is not in the dictionary, or ``n_terms`` / ``min_matches`` < 1.
    """
    from toolkit import keywords

    check_is_fitted(model, "components_")
    if int(n_terms) < 1 or int(min_matches) < 1:
        raise ValueError(
            f"n_terms and min_matches must be at least 1, got n_terms={n_terms}, "
            f"min_matches={min_matches}."
        )
    lexicon = keywords.load_dictionary(dictionary)
    if categories is None:
        names = lexicon.category_names
        cats = (list(ARMS_SPECIFIC_CATEGORIES)
                if set(ARMS_SPECIFIC_CATEGORIES) <= set(names) else names)
    else:
        cats = [categories] if isinstance(categories, str) else list(categories)
        unknown = [c for c in cats if c not in lexicon.category_names]
        if unknown or not cats:
            raise ValueError(
                f"Categories {unknown or cats} are not in the dictionary {lexicon.name!r}; "
                f"it has {lexicon.category_names}."
            )
        cats = [c for c in lexicon.category_names if c in cats]  # dictionary order
    matcher = lexicon.subset(cats).matcher
    lists = model.top_term_lists(int(n_terms), scheme=scheme)
    names = model.topic_names()
    rows = []
    for t, terms in enumerate(lists):
        matched, hit_cats = [], set()
        for term in terms:
            text = " ".join(str(term).replace("_", " ").split())
            found = set()
            for variant in dict.fromkeys((text, text.upper())):
                for _, _, ts in matcher.iter_matches(variant):
                    found.update(matcher.match_categories(ts).tolist())
            if found:
                matched.append(str(term))
                hit_cats |= found
        rows.append({
            "topic": t,
            "label": names[t],
            "top_terms": ", ".join(map(str, terms)),
            "matched_terms": ", ".join(matched),
            "n_matches": len(matched),
            "categories": ", ".join(matcher.categories[i] for i in sorted(hit_cats)),
        })
    out = pd.DataFrame(rows, columns=_MATCH_COLUMNS)
    out["selected"] = out["n_matches"] >= int(min_matches)
    out = out.sort_values(["n_matches", "topic"], ascending=[False, True], kind="stable")
    if not all_topics:
        out = out[out["selected"]].drop(columns="selected")
    out = out.reset_index(drop=True).astype({"topic": "int64", "n_matches": "int64"})
    out.attrs["match_topics"] = {
        "dictionary": lexicon.name, "version": lexicon.version, "categories": cats,
        "n_terms": int(n_terms), "min_matches": int(min_matches), "scheme": scheme,
    }
    return out


# ---------------------------------------------------------------------------- documents
def _join_corpus(model: TopicModel, corpus: pd.DataFrame, *, need: Sequence[str]) -> pd.DataFrame:
    if "doc_id" not in corpus.columns:
        raise ValueError(
            "corpus has no 'doc_id' column; pass the corpus table the matrix was built from."
        )
    for col in need:
        if col not in corpus.columns:
            raise ValueError(
                f"corpus has no column {col!r}; available: {sorted(map(str, corpus.columns))}."
            )
    meta = corpus.loc[:, ["doc_id", *[c for c in need if c != "doc_id"]]].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    meta = meta.drop_duplicates("doc_id").set_index("doc_id")
    missing = np.setdiff1d(model.doc_ids_, meta.index.to_numpy(dtype=str))
    if len(missing):
        raise ValueError(
            f"{len(missing)} documents of the model are not in the corpus, e.g. "
            f"{missing[:5].tolist()}; pass the corpus table the matrix was built from."
        )
    return meta.loc[model.doc_ids_]


def representative_docs(
    model: TopicModel,
    corpus: pd.DataFrame | None = None,
    *,
    n: int = 5,
    topics: Sequence[int] | None = None,
    window: int = 80,
    n_terms: int = 10,
) -> pd.DataFrame:
    """The documents with the largest share of each topic, with KWIC-style snippets.

    Parameters
    ----------
    model : TopicModel
        Fitted.
    corpus : DataFrame or None, default=None
        The corpus table (``doc_id``, ``text``, optionally ``actor``/``year``). Without it
        no snippets are given.
    n : int, default=5
        Documents per topic.
    topics : sequence of int or None, default=None
        Topics to report (all by default).
    window : int, default=80
        Characters of context either side of the matched term.
    n_terms : int, default=10
        The snippet centres on the occurrence of one of the topic's top ``n_terms``
        terms that has the most distinct top terms within ``window`` characters (terms
        match case-insensitively as word prefixes, so a lemma such as ``weapon`` matches
        ``weapons``; the first such place wins ties).

    Returns
    -------
    DataFrame
        ``topic``, ``rank``, ``doc_id``, ``share``, then (with a corpus) ``actor``,
        ``year`` when present, ``left``, ``match``, ``right``. Ties in share are broken
        by doc_id.
    """
    check_is_fitted(model, "components_")
    k_all = model.doc_topic_.shape[1]
    topics = list(range(k_all)) if topics is None else [int(t) for t in topics]
    terms = model.top_term_lists(n_terms)
    rows = []
    for t in topics:
        if not 0 <= t < k_all:
            raise ValueError(f"topic {t} does not exist; topics are 0..{k_all - 1}.")
        share = model.doc_topic_[:, t]
        order = np.lexsort((model.doc_ids_, -share))[:n]
        for r, i in enumerate(order):
            rows.append({"topic": t, "rank": r + 1, "doc_id": model.doc_ids_[i],
                         "share": float(share[i])})
    out = pd.DataFrame(rows, columns=["topic", "rank", "doc_id", "share"])
    if corpus is None:
        return out
    extra = [c for c in ("actor", "year") if c in corpus.columns]
    meta = _join_corpus(model, corpus, need=["text", *extra])
    sub = meta.loc[out["doc_id"]]
    for c in extra:
        out[c] = sub[c].to_numpy()
    kw = [_kwic(text, terms[t], window) for text, t in zip(sub["text"], out["topic"], strict=True)]
    out["left"], out["match"], out["right"] = zip(*kw, strict=True) if kw else ([], [], [])
    return out


def _kwic(text: Any, terms: Sequence[str], window: int) -> tuple[str, str, str]:
    """Centre a snippet on the top-term occurrence with the most distinct top terms nearby."""
    text = "" if not isinstance(text, str) else text
    hits = []  # (start, end, term index)
    for j, term in enumerate(terms):
        pattern = r"\b" + r"\s+".join(map(re.escape, re.split(r"[\s_]+", term))) + r"\w*"
        hits.extend((m.start(), m.end(), j) for m in re.finditer(pattern, text, re.IGNORECASE))
    if not hits:
        return "", "", " ".join(text[: 2 * window].split())
    hits.sort()
    starts = np.array([h[0] for h in hits])
    best, best_score = 0, -1
    for i, (a, b, _) in enumerate(hits):
        lo, hi = np.searchsorted(starts, [a - window, b + window])
        score = len({h[2] for h in hits[lo:hi]})
        if score > best_score:
            best, best_score = i, score
    a, b, _ = hits[best]
    left = " ".join(text[max(0, a - window): a].split())
    right = " ".join(text[b: b + window].split())
    return left, text[a:b], right


# ---------------------------------------------------------------------------- prevalence
def prevalence(
    model: TopicModel,
    corpus: pd.DataFrame,
    *,
    by: str | None = None,
    period: str | None = "year",
    n_boot: int = 1000,
    ci: float = 0.95,
    min_docs: int = 5,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Mean topic share by period x group, with bootstrap confidence intervals.

    Each document counts once (the mean of per-document shares). Intervals are
    percentile intervals from resampling documents with replacement within each cell,
    done as one multinomial-weights matrix product per cell.

    Parameters
    ----------
    model : TopicModel
        Fitted; its ``doc_topic_`` and ``doc_ids_`` are used.
    corpus : DataFrame
        The corpus table, with ``doc_id`` and the ``by`` / ``period`` columns. Documents
        not in the model are ignored (their number is in ``attrs["prevalence"]``).
    by : str or None, default=None
        Grouping column (``"actor"``, a bloc column...); None pools all documents.
    period : str or None, default="year"
        A column name, ``"decade"`` (derived from ``year``), or None for no period.
    n_boot : int, default=1000
        Bootstrap replicates; 0 gives no intervals (NaN).
    ci : float, default=0.95
        Interval coverage.
    min_docs : int, default=5
        Cells with fewer documents are flagged ``low_n``.
    random_state : int, numpy Generator or None, default=None
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``group``, ``period``, ``topic``, ``label``, ``share``, ``ci_low``,
        ``ci_high``, ``n_docs``, ``low_n``; sorted by group, period, topic. Documents
        whose topic shares are all zero are excluded and counted in ``attrs``.
    """
    check_is_fitted(model, "components_")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}.")
    need = []
    if by is not None:
        need.append(by)
    if period == "decade":
        need.append("year")
    elif period is not None:
        need.append(period)
    meta = _join_corpus(model, corpus, need=need)
    shares = model.doc_topic_
    keep = shares.sum(axis=1) > 0
    if by is not None:
        group_na = meta[by].isna().to_numpy()
        group = meta[by].astype(str).to_numpy()
    else:
        group_na = np.zeros(len(meta), dtype=bool)
        group = np.full(len(meta), "all", dtype=object)
    if period == "decade":
        yr = pd.to_numeric(meta["year"], errors="coerce").astype("Float64")
        per = (yr // 10 * 10).to_numpy(dtype=float, na_value=np.nan)
    elif period is not None:
        per = meta[period].to_numpy()
    else:
        per = np.full(len(meta), "all", dtype=object)
    per_na = pd.isna(per)
    keep &= ~per_na & ~group_na
    cells = pd.DataFrame({"group": group, "period": per, "row": np.arange(len(meta))})[keep]
    rng = np.random.default_rng(random_state)
    names = model.topic_names()
    alpha = (1 - ci) / 2
    k = shares.shape[1]
    cols: dict[str, list] = {c: [] for c in
                             ("group", "period", "share", "ci_low", "ci_high", "n_docs")}
    for (g, p), idx in cells.groupby(["group", "period"], sort=True)["row"]:
        x = shares[idx.to_numpy()]
        n = x.shape[0]
        mean = x.mean(axis=0)
        if n_boot > 0 and n > 1:
            w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)
            boot = (w @ x) / n
            lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        elif n_boot > 0:  # one document: every resample is that document
            lo = hi = mean
        else:
            lo = hi = np.full(k, np.nan)
        cols["group"].append(g)
        cols["period"].append(p)
        cols["share"].append(mean)
        cols["ci_low"].append(lo)
        cols["ci_high"].append(hi)
        cols["n_docs"].append(n)
    n_cells = len(cols["group"])
    n_docs = np.repeat(np.asarray(cols["n_docs"], dtype=np.int64), k)
    df = pd.DataFrame({
        "group": np.repeat(np.asarray(cols["group"], dtype=object), k),
        "period": np.repeat(np.asarray(cols["period"], dtype=object), k),
        "topic": np.tile(np.arange(k), n_cells),
        "label": np.tile(np.asarray(names, dtype=object), n_cells),
        "share": np.concatenate(cols["share"]) if n_cells else np.empty(0),
        "ci_low": np.concatenate(cols["ci_low"]) if n_cells else np.empty(0),
        "ci_high": np.concatenate(cols["ci_high"]) if n_cells else np.empty(0),
        "n_docs": n_docs,
        "low_n": n_docs < min_docs,
    })
    if period in ("year", "decade") and len(df):
        df["period"] = df["period"].astype("int64")
    else:
        df["period"] = df["period"].infer_objects()
    df.attrs["prevalence"] = {
        "by": by, "period": period, "n_boot": n_boot, "ci": ci,
        "random_state": random_state if isinstance(random_state, (int, type(None)))
        else "generator",
        "n_docs_used": int(keep.sum()),
        "n_docs_empty_topics": int((shares.sum(axis=1) == 0).sum()),
        "n_docs_missing_period_or_group": int((per_na | group_na).sum()),
        "n_corpus_docs_not_in_model": int(
            (~corpus["doc_id"].astype(str).isin(model.doc_ids_)).sum()
        ),
    }
    return df


def prevalence_change(
    prev: pd.DataFrame,
    *,
    topics: Sequence[int] | None = None,
    first: Any = None,
    last: Any = None,
) -> pd.DataFrame:
    """Each topic's share in a first and a last period, side by side, per group.

    Topic shares are reported one topic at a time: shares of different topics are not
    summed (a sum of topics selected by keywords overstates how much of a speech is about
    the keywords' subject).

    Parameters
    ----------
    prev : DataFrame
        Output of :func:`prevalence` (``group``, ``period``, ``topic``, ``label``,
        ``share``, ``ci_low``, ``ci_high``, ``n_docs``).
    topics : sequence of int or None, default=None
        Topics to report (all by default); an empty sequence gives an empty table.
    first, last : period label or None, default=None
        The periods compared; None takes the earliest / latest period in ``prev``.

    Returns
    -------
    DataFrame
        One row per (group, topic), in the order of ``topics`` within each group:
        ``group``, ``topic``, ``label``, ``first_period``, ``first_share``,
        ``first_ci_low``, ``first_ci_high``, ``first_n_docs``, the same for ``last_``,
        and ``change`` (``last_share - first_share``). A group without documents in a
        period has NaN there.
    """
    need = ["group", "period", "topic", "label", "share", "ci_low", "ci_high", "n_docs"]
    missing = [c for c in need if c not in prev.columns]
    if missing:
        raise ValueError(
            f"prev has no column(s) {missing}; pass the output of toolkit.topics.prevalence."
        )
    stats = ["share", "ci_low", "ci_high", "n_docs"]
    cols = ["group", "topic", "label",
            *[f"{end}_{c}" for end in ("first", "last") for c in ("period", *stats)], "change"]
    if prev.empty:
        raise ValueError("prev is empty; there is no period to compare.")
    first = prev["period"].min() if first is None else first
    last = prev["period"].max() if last is None else last
    for name, value in (("first", first), ("last", last)):
        if not (prev["period"] == value).any():
            raise ValueError(
                f"{name}={value!r} is not a period of prev; it has "
                f"{sorted(prev['period'].unique().tolist())}."
            )
    order = sorted(prev["topic"].unique()) if topics is None else [int(t) for t in topics]
    known = set(prev["topic"].tolist())
    bad = [t for t in order if t not in known]
    if bad:
        raise ValueError(f"topic(s) {bad} are not in prev; it has {sorted(known)}.")
    labels = prev.drop_duplicates("topic").set_index("topic")["label"]
    groups = sorted(prev["group"].unique().tolist(), key=str)
    base = pd.DataFrame(
        [(g, t, labels[t]) for g in groups for t in order], columns=["group", "topic", "label"]
    ).astype({"topic": "int64"})
    out = base
    for end, value in (("first", first), ("last", last)):
        part = prev.loc[prev["period"] == value, ["group", "topic", *stats]]
        part = part.rename(columns={c: f"{end}_{c}" for c in stats})
        out = out.merge(part, on=["group", "topic"], how="left")
        out.insert(out.columns.get_loc(f"{end}_share"), f"{end}_period", value)
    out["change"] = out["last_share"] - out["first_share"]
    return out.loc[:, cols].reset_index(drop=True)

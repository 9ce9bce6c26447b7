"""The topic model: :class:`TopicModel` (fit, transform, labels, save/load), tf-idf and FREX.

Also the helpers the other modules of :mod:`toolkit.topics` share: the check of a
document-term matrix, its checksum, and the join of a model's documents with the corpus.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from toolkit import __version__
from toolkit._validation import check_option, renamed_parameters
from toolkit.cache import atomic_path
from toolkit.features import DocTermMatrix, normalize_rows
from toolkit.provenance import collect as collect_provenance

__all__ = ["TopicModel", "frex_scores", "nmf_topic_shares", "tfidf_weights"]

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



# ---------------------------------------------------------------------------- the estimator
class TopicModel(BaseEstimator):
    """NMF or LDA topic model over a labelled document-term matrix.

    The factorisation is scikit-learn's (``NMF``, ``MiniBatchNMF`` or
    ``LatentDirichletAllocation``); this class adds labels, weighting, validation,
    labelling helpers and safe persistence (see :mod:`toolkit.topics` for the split).

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics k. Must not exceed the number of documents or terms.
    method : {"nmf", "lda"}, default="nmf"
        NMF on tf-idf weights, or LDA (variational Bayes) on counts.
    solver : {"cd", "mu", "minibatch"}, default="cd"
        NMF only. ``"cd"`` and ``"mu"`` are ``NMF(solver=...)``; ``"minibatch"`` is
        ``MiniBatchNMF`` (fastest, lower coherence; see ``benchmarks/bench_topics.py``),
        fitted by streaming row blocks of 1,024 documents through ``partial_fit``, in an
        order drawn from ``random_state`` each pass, until the topics move less than
        ``tol`` in a pass or after ``max_iter`` passes: memory grows with the block, not
        the corpus, so a matrix built on a Dask cluster can be modelled on one machine.
    init : {"nndsvd", "nndsvda", "nndsvdar", "random"} or None, default=None
        NMF initialisation (scikit-learn's). None means ``"nndsvd"`` for ``"cd"`` and
        ``"nndsvda"`` for ``"mu"``/``"minibatch"`` (which cannot move NNDSVD's zeros).
        NNDSVD(a) is deterministic: NMF then gives the same topics for every
        ``random_state``, and :func:`~toolkit.topics.sweep_k` measures stability by refitting on
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
    >>> import pandas as pd
    >>> from toolkit.features import build_dtm
    >>> from toolkit.topics import TopicModel
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["d1", "d2", "d3", "d4"],
    ...     "text": ["Weapons exports and arms sales grew.", "Arms sales and weapons exports.",
    ...              "Trade tariffs and grain prices.", "Grain prices and trade tariffs fell."]})
    >>> dtm = build_dtm(corpus, use_cache=False, progress=False)
    >>> model = TopicModel(2, random_state=0).fit(dtm)
    >>> model.topic_names()
    ['T00 tariff/trade/price', 'T01 arms_sales/export/weapon']
    >>> model.doc_topic_.round(2)
    array([[0., 1.],
           [0., 1.],
           [1., 0.],
           [1., 0.]])
    >>> model.set_labels({1: "Arms trade"}).topic_names()
    ['T00 tariff/trade/price', 'Arms trade']
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
        check_option("method", self.method, _METHODS)
        if self.method == "nmf":
            check_option("solver", self.solver, _SOLVERS)
        check_option("weighting", self.weighting, _WEIGHTINGS)
        check_option("dtype", self.dtype, ("float32", "float64"))
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
            if isinstance(est, MiniBatchNMF):
                W = _stream_minibatch(est, X, random_state=self.random_state)
            else:
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
        self.doc_topic_ = self._shares(np.asarray(W, dtype=np.float64))
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
        """Fit and return ``doc_topic_``.

        Parameters
        ----------
        dtm : DocTermMatrix of shape (n_docs, n_terms)
            As in :meth:`fit`.
        y : None
            Ignored; for scikit-learn compatibility.

        Returns
        -------
        ndarray of shape (n_docs, n_topics)
            The topic shares of the training documents.
        """
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
        return self._shares(W) if normalize else W

    def _shares(self, W: np.ndarray) -> np.ndarray:
        """Topic shares of documents from the document-topic weights ``W``.

        NMF fixes only the product ``WH``: multiplying topic k's column of W by c and its
        row of H by 1/c fits as well and would change normalised rows of W. The share of
        topic k in document d is therefore ``W_dk * sum_v H_kv`` normalised over k: the part
        of the document's reconstructed (tf-idf) weight that topic k accounts for, which
        does not depend on that scale. LDA's rows are already distributions over topics
        (scikit-learn's variational document-topic proportions) and are only normalised.
        """
        if self.method == "nmf":
            return nmf_topic_shares(W, self.components_)
        return normalize_rows(W)

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
    @renamed_parameters(n="n_terms")
    def top_terms(
        self, n_terms: int = 10, *, scheme: str = "weight", frex_weight: float = 0.5
    ) -> pd.DataFrame:
        """Top terms of every topic.

        Parameters
        ----------
        n_terms : int, default=10
            Terms per topic (``n`` is its deprecated name).
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
            Columns ``topic`` (int), ``rank`` (1..n_terms), ``term``, ``score``.
        """
        check_is_fitted(self, "components_")
        n = int(min(n_terms, len(self.vocab_)))
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

    @renamed_parameters(n="n_terms")
    def top_term_lists(self, n_terms: int = 10, *, scheme: str = "weight") -> list[list[str]]:
        """Top terms as one list per topic (for :func:`~toolkit.topics.npmi_coherence`).

        For ``scheme="weight"`` this is the same ordering as textacy's
        ``top_topic_terms`` (used by :meth:`top_terms`), computed without importing
        textacy/spaCy so that parallel sweep workers start fast.

        Parameters
        ----------
        n_terms : int, default=10
            Terms per topic (``n`` is its deprecated name).
        scheme : {"weight", "frex"}, default="weight"
            As in :meth:`top_terms`.

        Returns
        -------
        list of list of str
            One list of ``n_terms`` terms per topic, best first.
        """
        check_is_fitted(self, "components_")
        if scheme == "weight":
            n = int(min(n_terms, len(self.vocab_)))
            return [self.vocab_[np.argsort(row)[: -n - 1 : -1]].tolist()
                    for row in self.components_]
        tt = self.top_terms(n_terms, scheme=scheme)
        return [g["term"].tolist() for _, g in tt.groupby("topic", sort=True)]

    def set_labels(self, labels: Mapping[int, str]) -> TopicModel:
        """Set researcher labels; persist them with :meth:`save` or :meth:`save_labels`.

        Parameters
        ----------
        labels : mapping of int to str
            ``{topic: label}``; topics not named keep their label (or have none).

        Returns
        -------
        self : TopicModel
        """
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
        """One display name per topic: the researcher label, else ``"T03 arms/nuclear/weapon"``.

        Parameters
        ----------
        n_terms : int, default=3
            Top terms (by weight) in a name made from terms.

        Returns
        -------
        list of str
            One name per topic, in topic order.
        """
        check_is_fitted(self, "components_")
        lists = self.top_term_lists(n_terms)
        return [
            self.topic_labels_.get(k, f"T{k:02d} " + "/".join(terms))
            for k, terms in enumerate(lists)
        ]

    def doc_topic_frame(self) -> pd.DataFrame:
        """``doc_topic_`` as a DataFrame indexed by doc_id, one column per topic number.

        Returns
        -------
        DataFrame of shape (n_docs, n_topics)
            Index ``doc_id``, columns ``topic`` 0..n_topics-1.
        """
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
                **collect_provenance(corpus=corpus, params=self.get_params(),
                                     seed=self.random_state),
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
        """Write ``labels.yaml`` (topic number -> label, with top terms as a comment aid).

        Parameters
        ----------
        path : str or Path
            The model's folder (written atomically).

        Returns
        -------
        Path
            The ``labels.yaml`` file.
        """
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

        Parameters
        ----------
        path : str or Path
            The folder :meth:`save` wrote; a hand-edited ``labels.yaml`` in it is read.

        Returns
        -------
        TopicModel
            Fitted, ready for :meth:`transform` and the labelling methods.

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


def _stream_minibatch(est: MiniBatchNMF, X: sp.csr_matrix, *,
                      random_state: int | None) -> np.ndarray:
    """Fit ``est`` by ``partial_fit`` on row blocks of ``X``; return ``W`` (n_docs, k).

    Each pass feeds every block once, in an order drawn from ``random_state``; the fit stops
    when a pass moves the topics by less than ``est.tol`` (relative Frobenius norm) or after
    ``est.max_iter`` passes (then a ConvergenceWarning is issued, as scikit-learn does).
    ``reconstruction_err_`` is the Frobenius norm of ``X - WH``, summed over the blocks
    without forming ``WH``.
    """
    rng = np.random.default_rng(random_state)
    n = X.shape[0]
    size = int(est.batch_size)
    blocks = [(i, min(i + size, n)) for i in range(0, n, size)]
    n_pass = 0
    for n_pass in range(1, int(est.max_iter) + 1):
        before = None if n_pass == 1 else est.components_.copy()
        for b in rng.permutation(len(blocks)):
            lo, hi = blocks[b]
            est.partial_fit(X[lo:hi])
        if before is not None:
            moved = np.linalg.norm(est.components_ - before) / max(np.linalg.norm(before),
                                                                   1e-12)
            if moved <= est.tol:
                break
    else:
        warnings.warn(f"MiniBatchNMF streamed {n_pass} passes (max_iter) without the topics "
                      f"settling below tol={est.tol}.", ConvergenceWarning, stacklevel=2)
    H = est.components_.astype(np.float64)
    W = np.vstack([est.transform(X[lo:hi]) for lo, hi in blocks]).astype(np.float64)
    sq = float(X.multiply(X).sum())
    cross = sum(float(((X[lo:hi] @ H.T) * W[lo:hi]).sum()) for lo, hi in blocks)
    wh = float(((W.T @ W) * (H @ H.T)).sum())
    est.reconstruction_err_ = float(np.sqrt(max(sq - 2 * cross + wh, 0.0)))
    est.n_iter_ = n_pass
    return W


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
def nmf_topic_shares(W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Scale-free topic shares of documents under an NMF ``X ~ W H``.

    Parameters
    ----------
    W : ndarray of shape (n_docs, n_topics)
        Document-topic weights.
    H : ndarray of shape (n_topics, n_terms)
        Topic-term weights.

    Returns
    -------
    ndarray of shape (n_docs, n_topics)
        ``W_dk * sum_v H_kv``, each row divided by its sum (rows of zeros stay zero): the
        share of document d's reconstructed weight ``sum_v (W H)_dv`` that topic k accounts
        for. Rescaling a column of W by c and the matching row of H by 1/c leaves it
        unchanged (Lee & Seung 1999 note the scale indeterminacy of NMF).
    """
    mass = np.asarray(W, dtype=np.float64) * np.asarray(H, dtype=np.float64).sum(axis=1)
    return normalize_rows(mass)


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

    phi = normalize_rows(np.asarray(components, dtype=np.float64))
    col = phi.sum(axis=0, keepdims=True)
    excl = np.zeros_like(phi)
    np.divide(phi, col, out=excl, where=col > 0)
    n_terms = phi.shape[1]
    ecdf_excl = rankdata(excl, method="max", axis=1) / n_terms
    ecdf_freq = rankdata(phi, method="max", axis=1) / n_terms
    return 1.0 / (weight / ecdf_excl + (1.0 - weight) / ecdf_freq)


# ---------------------------------------------------------------------------- documents
def _join_corpus(model: TopicModel, corpus: pd.DataFrame, *, need: Sequence[str]) -> pd.DataFrame:
    """The corpus rows of the model's documents, in ``doc_ids_`` order (columns ``need``)."""
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


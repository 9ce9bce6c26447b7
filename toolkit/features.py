"""Document-term matrices that never travel without their labels.

:class:`DocTermMatrix` holds a SciPy CSR matrix of shape ``(n_docs, n_terms)``
together with its document ids (sorted) and vocabulary (sorted). Every operation
returns a new, still-labelled matrix.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit.cache import atomic_path, cache_key, cached
from toolkit.distributed import is_dask
from toolkit.exceptions import EmptyDocumentsWarning
from toolkit.text import (
    TokenizerOptions,
    Tokens,
    corpus_fingerprint,
    resolve_stopwords,
    tokenize_corpus,
)
from toolkit.text._counting import count_ngrams, count_ngrams_streamed, count_unigrams
from toolkit.text.tokens import _corpus_texts

__all__ = ["DocTermMatrix", "build_dtm", "normalize_rows"]


@dataclass(frozen=True, eq=False)
class DocTermMatrix:
    """A sparse document-term matrix with its labels.

    Parameters
    ----------
    matrix : scipy.sparse matrix of shape (n_docs, n_terms)
        Counts or weights. Stored as CSR.
    doc_ids : sequence of str of length n_docs
        Unique document ids, sorted ascending.
    vocab : sequence of str of length n_terms
        Unique terms, sorted ascending.

    Notes
    -----
    Use :meth:`from_unsorted` to build one from labels in any order; the
    constructor checks that labels are unique and sorted and raises otherwise.
    """

    matrix: sp.csr_matrix
    doc_ids: np.ndarray
    vocab: np.ndarray

    def __post_init__(self) -> None:
        matrix = sp.csr_matrix(self.matrix)
        doc_ids = np.asarray(self.doc_ids, dtype=object)
        vocab = np.asarray(self.vocab, dtype=object)
        if matrix.shape != (len(doc_ids), len(vocab)):
            raise ValueError(
                f"matrix has shape {matrix.shape} but there are {len(doc_ids)} doc_ids and "
                f"{len(vocab)} terms; labels must match rows and columns."
            )
        for name, labels in (("doc_ids", doc_ids), ("vocab", vocab)):
            if len(labels) > 1:
                arr = labels.astype(str)
                if not np.all(arr[:-1] < arr[1:]):
                    raise ValueError(
                        f"{name} must be unique and sorted ascending; build the matrix with "
                        "DocTermMatrix.from_unsorted(...) to sort it."
                    )
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "doc_ids", doc_ids)
        object.__setattr__(self, "vocab", vocab)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_unsorted(
        cls, matrix: sp.spmatrix, doc_ids: Sequence[str], vocab: Sequence[str]
    ) -> DocTermMatrix:
        """Build a matrix from labels in any order, sorting rows and columns.

        Parameters
        ----------
        matrix : scipy.sparse matrix of shape (n_docs, n_terms)
            Counts or weights, rows in ``doc_ids`` order and columns in ``vocab`` order.
        doc_ids : sequence of str of length n_docs
            Unique document ids, in any order.
        vocab : sequence of str of length n_terms
            Unique terms, in any order.

        Returns
        -------
        DocTermMatrix
            Rows and columns sorted by label.

        Raises
        ------
        ValueError
            If ``doc_ids`` or ``vocab`` contain duplicates (the duplicates are named).
        """
        doc_ids = np.asarray(doc_ids, dtype=object)
        vocab = np.asarray(vocab, dtype=object)
        for name, labels in (("doc_ids", doc_ids), ("vocab", vocab)):
            uniq, counts = np.unique(labels.astype(str), return_counts=True)
            if (counts > 1).any():
                dup = uniq[counts > 1][:5].tolist()
                raise ValueError(f"{name} has duplicates, e.g. {dup}; labels must be unique.")
        row_order = np.argsort(doc_ids.astype(str), kind="stable")
        col_order = np.argsort(vocab.astype(str), kind="stable")
        m = sp.csr_matrix(matrix)[row_order][:, col_order]
        return cls(m.tocsr(), doc_ids[row_order], vocab[col_order])

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, int]:
        """``(n_docs, n_terms)``."""
        return self.matrix.shape

    @property
    def n_docs(self) -> int:
        """The number of rows (documents)."""
        return self.matrix.shape[0]

    @property
    def n_terms(self) -> int:
        """The number of columns (terms)."""
        return self.matrix.shape[1]

    def __repr__(self) -> str:
        return (
            f"DocTermMatrix(n_docs={self.n_docs}, n_terms={self.n_terms}, "
            f"nnz={self.matrix.nnz}, dtype={self.matrix.dtype})"
        )

    def doc_index(self, doc_ids: Iterable[str]) -> np.ndarray:
        """Row positions of ``doc_ids``.

        Parameters
        ----------
        doc_ids : iterable of str
            Document ids of the matrix.

        Returns
        -------
        ndarray of int
            One position per id, in the order given.

        Raises
        ------
        KeyError
            Naming ids that are not rows of the matrix.
        """
        return _label_positions(self.doc_ids, doc_ids, "doc_ids not in the matrix")

    def term_index(self, terms: Iterable[str]) -> np.ndarray:
        """Column positions of ``terms``.

        Parameters
        ----------
        terms : iterable of str
            Terms of the vocabulary.

        Returns
        -------
        ndarray of int
            One position per term, in the order given.

        Raises
        ------
        KeyError
            Naming terms that are not in the vocabulary.
        """
        return _label_positions(self.vocab, terms, "terms not in the vocabulary")

    def select_docs(self, doc_ids: Iterable[str]) -> DocTermMatrix:
        """Return the rows for ``doc_ids`` (kept in sorted order).

        Parameters
        ----------
        doc_ids : iterable of str
            Document ids of the matrix.

        Returns
        -------
        DocTermMatrix
            Those rows, all columns.
        """
        pos = np.unique(self.doc_index(doc_ids))
        return DocTermMatrix(self.matrix[pos], self.doc_ids[pos], self.vocab)

    def select_terms(self, terms: Iterable[str]) -> DocTermMatrix:
        """Return the columns for ``terms`` (kept in sorted order).

        Parameters
        ----------
        terms : iterable of str
            Terms of the vocabulary.

        Returns
        -------
        DocTermMatrix
            All rows, those columns.
        """
        pos = np.unique(self.term_index(terms))
        return DocTermMatrix(self.matrix[:, pos], self.doc_ids, self.vocab[pos])

    # ------------------------------------------------------------------ helpers (TEXT helper)
    def doc_lengths(self) -> pd.Series:
        """Row sums (tokens counted in the matrix), indexed by doc_id.

        Returns
        -------
        Series of shape (n_docs,)
            Named ``"n_tokens"``. After stopword removal or trimming this counts only
            the tokens that are still columns of the matrix.
        """
        sums = np.asarray(self.matrix.sum(axis=1)).ravel()
        return pd.Series(sums, index=pd.Index(self.doc_ids, name="doc_id"), name="n_tokens")

    def doc_freq(self) -> np.ndarray:
        """Number of documents each term occurs in.

        Returns
        -------
        ndarray of int of shape (n_terms,)
        """
        return np.bincount(self.matrix.indices[self.matrix.data != 0], minlength=self.n_terms)

    def trim(
        self,
        *,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_terms: int | None = None,
    ) -> DocTermMatrix:
        """Drop rare and ubiquitous terms; keep the rows.

        Parameters
        ----------
        min_df : int or float, default=1
            Keep terms found in at least this many documents (int) or this share of
            documents (float in [0, 1]).
        max_df : int or float, default=1.0
            Keep terms found in at most this many documents (int) or this share of
            documents (float in [0, 1]).
        max_terms : int or None, default=None
            Then keep only the ``max_terms`` most frequent terms (total count; ties go
            to the term that sorts first).

        Returns
        -------
        DocTermMatrix
            Same doc_ids, fewer columns.

        Raises
        ------
        ValueError
            If no term remains; the message says which setting to change.
        """
        n = self.n_docs
        lo = _df_bound(min_df, n, "min_df")
        hi = _df_bound(max_df, n, "max_df")
        if lo > hi:
            raise ValueError(
                f"min_df={min_df!r} means at least {lo} documents but max_df={max_df!r} "
                f"means at most {hi}; lower min_df or raise max_df."
            )
        df = self.doc_freq()
        keep = (df >= lo) & (df <= hi)
        if max_terms is not None:
            if int(max_terms) < 1:
                raise ValueError(f"max_terms must be a positive int or None, got {max_terms!r}.")
            totals = np.asarray(self.matrix.sum(axis=0)).ravel()
            idx = np.flatnonzero(keep)
            if len(idx) > max_terms:
                order = np.lexsort((idx, -totals[idx]))  # by count desc, then column
                keep = np.zeros_like(keep)
                keep[idx[order[: int(max_terms)]]] = True
        if not keep.any():
            raise ValueError(
                f"After trimming, no terms remain ({self.n_terms} terms, {n} documents, "
                f"min_df={min_df!r}, max_df={max_df!r}). Try a lower min_df or a higher "
                "max_df (or fewer stopwords)."
            )
        pos = np.flatnonzero(keep)
        return DocTermMatrix(self.matrix[:, pos], self.doc_ids, self.vocab[pos])

    def weight(
        self,
        scheme: str = "count",
        *,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
        norm: str | None = "l2",
    ) -> DocTermMatrix:
        """Reweight the cells; labels are unchanged.

        Parameters
        ----------
        scheme : {"count", "tfidf", "proportion", "binary"}, default="count"
            ``count`` returns a copy; ``tfidf`` uses scikit-learn's
            :class:`~sklearn.feature_extraction.text.TfidfTransformer`;
            ``proportion`` divides each row by its sum (empty rows stay zero);
            ``binary`` sets every non-zero cell to 1.
        smooth_idf, sublinear_tf : bool, default=True, False
            Passed to ``TfidfTransformer`` (``tfidf`` only).
        norm : {"l2", "l1"} or None, default="l2"
            Row normalisation for ``tfidf`` only.

        Returns
        -------
        DocTermMatrix
            Same labels, reweighted cells.
        """
        X = self.matrix
        if scheme == "count":
            out = X.copy()
        elif scheme == "binary":
            out = X.copy()
            out.data = (out.data != 0).astype(X.dtype)
            out.eliminate_zeros()
        elif scheme == "proportion":
            sums = np.asarray(X.sum(axis=1), dtype=float).ravel()
            inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
            out = sp.diags(inv) @ X.astype(float)
        elif scheme == "tfidf":
            from sklearn.feature_extraction.text import TfidfTransformer

            out = TfidfTransformer(
                norm=norm, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf
            ).fit_transform(X.astype(float))
        else:
            raise ValueError(
                f"Unknown weighting scheme {scheme!r}; use 'count', 'tfidf', 'proportion' "
                "or 'binary'."
            )
        return DocTermMatrix(sp.csr_matrix(out), self.doc_ids, self.vocab)

    def group_sum(self, keys: pd.Series | pd.DataFrame, *, sep: str = "|") -> DocTermMatrix:
        """Sum rows per group (e.g. per actor-period).

        Parameters
        ----------
        keys : Series or DataFrame indexed by doc_id
            The group of each document. A DataFrame's columns are joined into one
            label with ``sep`` (e.g. ``"USA|1990"``). Every doc_id of the matrix must
            have a non-missing key; extra rows are ignored.
        sep : str, default="|"
            Separator for DataFrame keys.

        Returns
        -------
        DocTermMatrix
            One row per group; its doc_ids are the sorted group labels (str).
        """
        if isinstance(keys, pd.DataFrame):
            frame = keys
            if frame.isna().any(axis=None):
                bad = frame.index[frame.isna().any(axis=1)][:5].tolist()
                raise ValueError(f"group keys are missing for doc_ids {bad}; fill or drop them.")
            keys = frame.astype(str).agg(sep.join, axis=1)
        if not isinstance(keys, pd.Series):
            raise TypeError("keys must be a pandas Series or DataFrame indexed by doc_id.")
        if not keys.index.is_unique:
            dup = keys.index[keys.index.duplicated()][:5].tolist()
            raise ValueError(f"keys index has duplicate doc_ids {dup}; index keys by doc_id.")
        aligned = keys.reindex(pd.Index(self.doc_ids))
        if aligned.isna().any():
            bad = self.doc_ids[aligned.isna().to_numpy()][:5].tolist()
            raise ValueError(
                f"{int(aligned.isna().sum())} doc_ids have no group key, e.g. {bad}; pass keys "
                "indexed by doc_id covering every row (e.g. corpus.set_index('doc_id')['actor'])."
            )
        labels = aligned.astype(str).to_numpy()
        groups, inverse = np.unique(labels, return_inverse=True)
        G = sp.csr_matrix(
            (np.ones(self.n_docs, dtype=self.matrix.dtype), (inverse, np.arange(self.n_docs))),
            shape=(len(groups), self.n_docs),
        )
        return DocTermMatrix(sp.csr_matrix(G @ self.matrix), groups.astype(object), self.vocab)

    def subset(self, corpus: pd.DataFrame, mask: pd.Series | np.ndarray) -> DocTermMatrix:
        """Rows of the documents where ``mask`` is true in ``corpus``.

        Parameters
        ----------
        corpus : DataFrame with a ``doc_id`` column
            The corpus table the matrix was built from (or a part of it).
        mask : bool Series aligned with ``corpus`` or bool array of length ``len(corpus)``
            Which documents to keep.

        Returns
        -------
        DocTermMatrix
            The rows of the selected documents.
        """
        if "doc_id" not in corpus.columns:
            raise ValueError("corpus has no 'doc_id' column; pass the corpus table.")
        if isinstance(mask, pd.Series):
            mask = mask.reindex(corpus.index)
            if mask.isna().any():
                raise ValueError("mask is not aligned with corpus.index; build it from corpus.")
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(corpus),):
            raise ValueError(f"mask has shape {mask.shape}, corpus has {len(corpus)} rows.")
        return self.select_docs(corpus["doc_id"].astype(str).to_numpy(dtype=object)[mask])

    def filter_docs(self, corpus: pd.DataFrame, **conditions: Any) -> DocTermMatrix:
        """Rows of documents whose metadata match every condition.

        Each condition is ``column=value``: a scalar (equality), a list/set/tuple
        (membership), or a callable ``f(Series) -> bool Series``.

        Parameters
        ----------
        corpus : DataFrame with a ``doc_id`` column
            The corpus table the matrix was built from (or a part of it).
        **conditions
            ``column=value`` conditions, all of which must hold.

        Returns
        -------
        DocTermMatrix
            The rows of the matching documents.

        Examples
        --------
        >>> import pandas as pd
        >>> from toolkit.features import build_dtm
        >>> corpus = pd.DataFrame({
        ...     "doc_id": ["a", "b", "c"], "actor": ["CHN", "RUS", "USA"],
        ...     "year": [1999, 2005, 2010],
        ...     "text": ["Arms sales rose.", "Arms control failed.", "Military aid grew."]})
        >>> dtm = build_dtm(corpus, use_cache=False, progress=False)
        >>> recent = dtm.filter_docs(corpus, actor=["CHN", "RUS"], year=lambda y: y >= 2000)
        >>> recent.doc_ids.tolist(), recent.matrix.shape
        (['b'], (1, 6))
        """
        mask = pd.Series(True, index=corpus.index)
        for col, cond in conditions.items():
            if col not in corpus.columns:
                raise KeyError(f"corpus has no column {col!r}; columns are {list(corpus.columns)}")
            values = corpus[col]
            if callable(cond):
                hit = pd.Series(cond(values), index=corpus.index)
            elif isinstance(cond, (list, set, tuple, frozenset, np.ndarray, pd.Index)):
                hit = values.isin(list(cond))
            else:
                hit = values == cond
            mask &= hit.fillna(False).astype(bool)
        return self.subset(corpus, mask)

    # ------------------------------------------------------------------ sklearn
    def to_sklearn(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Return ``(X, feature_names)`` as a scikit-learn vectorizer would.

        Returns
        -------
        X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
            A copy, rows in ``doc_ids`` order.
        feature_names : ndarray of object of shape (n_terms,)
            ``vocab``, as ``get_feature_names_out`` gives it.
        """
        return self.matrix.copy(), self.vocab.copy()

    @classmethod
    def from_sklearn(
        cls, X: sp.spmatrix | np.ndarray, vectorizer: Any, doc_ids: Sequence[str]
    ) -> DocTermMatrix:
        """Wrap a vectorizer's output with its labels (rows and columns are sorted).

        Parameters
        ----------
        X : sparse matrix or array of shape (n_docs, n_terms)
        vectorizer : fitted vectorizer or sequence of str
            Anything with ``get_feature_names_out()``, or the feature names themselves.
        doc_ids : sequence of str of length n_docs
            The documents of the rows of ``X``.

        Returns
        -------
        DocTermMatrix
            Rows and columns sorted by label.
        """
        if hasattr(vectorizer, "get_feature_names_out"):
            names = vectorizer.get_feature_names_out()
        else:
            names = vectorizer
        return cls.from_unsorted(sp.csr_matrix(X), list(doc_ids), list(names))

    # ------------------------------------------------------------------ io
    def save(self, path: str | os.PathLike) -> Path:
        """Write ``<path>.npz`` (the CSR arrays) and ``<path>.json`` (labels), atomically.

        Parameters
        ----------
        path : str or path-like
            Where to write; may end in ``.npz``. :meth:`load` returns a bit-for-bit equal
            matrix.

        Returns
        -------
        Path
            The ``.npz`` path.
        """
        npz, js = _io_paths(path)
        with atomic_path(npz) as tmp:
            with open(tmp, "wb") as fh:
                _write_npz(self, fh, labels=False)
        with atomic_path(js) as tmp:
            tmp.write_text(json.dumps(self._labels_dict(), ensure_ascii=False), encoding="utf-8")
        return npz

    @classmethod
    def load(cls, path: str | os.PathLike) -> DocTermMatrix:
        """Read a matrix written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The path given to :meth:`save`.

        Returns
        -------
        DocTermMatrix

        Raises
        ------
        FileNotFoundError
            If the ``.npz`` or ``.json`` file is missing.
        """
        npz, js = _io_paths(path)
        for p in (npz, js):
            if not p.is_file():
                raise FileNotFoundError(f"{p} not found; DocTermMatrix.save writes .npz and .json.")
        labels = json.loads(js.read_text(encoding="utf-8"))
        return _read_npz(npz, labels)

    def _labels_dict(self) -> dict[str, Any]:
        return {
            "format": "fptk.DocTermMatrix/1",
            "doc_ids": [str(d) for d in self.doc_ids],
            "vocab": [str(v) for v in self.vocab],
        }

    def equals(self, other: DocTermMatrix) -> bool:
        """True when labels, dtype, shape and every stored array are identical.

        Parameters
        ----------
        other : DocTermMatrix
            The matrix to compare with.

        Returns
        -------
        bool
        """
        a, b = self.matrix, other.matrix
        return (
            a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(self.doc_ids, other.doc_ids)
            and np.array_equal(self.vocab, other.vocab)
            and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data)
        )


def _label_positions(labels: np.ndarray, wanted: Iterable[str], message: str) -> np.ndarray:
    """Positions of ``wanted`` in the sorted ``labels``; ``KeyError(message: ...)`` if absent."""
    wanted = np.asarray(list(wanted), dtype=object)
    n = len(labels)
    pos = np.searchsorted(labels.astype(str), wanted.astype(str))
    pos = np.clip(pos, 0, max(n - 1, 0))
    ok = (n > 0) & (labels[pos] == wanted) if len(wanted) else np.array([])
    if len(wanted) and not np.all(ok):
        missing = wanted[~ok][:5].tolist()
        raise KeyError(f"{message}: {missing}")
    return pos


def _df_bound(value: int | float, n_docs: int, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int (documents) or a float share, not a bool.")
    if isinstance(value, (float, np.floating)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}={value} as a float is a share of documents in [0, 1].")
        return int(np.ceil(value * n_docs)) if name == "min_df" else int(np.floor(value * n_docs))
    if int(value) < 0:
        raise ValueError(f"{name}={value} must be >= 0.")
    return int(value)


def _io_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    p = Path(path)
    base = p.with_suffix("") if p.suffix in (".npz", ".json") else p
    return base.with_name(base.name + ".npz"), base.with_name(base.name + ".json")


def _write_npz(dtm: DocTermMatrix, fh: Any, *, labels: bool) -> None:
    m = dtm.matrix
    arrays = {
        "data": m.data,
        "indices": m.indices,
        "indptr": m.indptr,
        "shape": np.asarray(m.shape, dtype=np.int64),
    }
    if labels:
        blob = json.dumps(dtm._labels_dict(), ensure_ascii=False).encode("utf-8")
        arrays["labels_json"] = np.frombuffer(blob, dtype=np.uint8)
    np.savez(fh, **arrays)


def _read_npz(path: str | os.PathLike, labels: dict[str, Any] | None = None) -> DocTermMatrix:
    with np.load(path, allow_pickle=False) as z:
        if labels is None:
            labels = json.loads(z["labels_json"].tobytes().decode("utf-8"))
        shape = tuple(int(s) for s in z["shape"])
        m = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
    if labels.get("format") != "fptk.DocTermMatrix/1":
        raise ValueError(
            f"{path} is not an fptk DocTermMatrix file (format={labels.get('format')!r})."
        )
    doc_ids = np.empty(len(labels["doc_ids"]), dtype=object)
    doc_ids[:] = labels["doc_ids"]
    vocab = np.empty(len(labels["vocab"]), dtype=object)
    vocab[:] = labels["vocab"]
    return DocTermMatrix(m, doc_ids, vocab)


# ============================================================================ build_dtm
def build_dtm(
    corpus: pd.DataFrame,
    *,
    tokenizer: TokenizerOptions | None = None,
    ngram_range: tuple[int, int] = (1, 1),
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    max_terms: int | None = None,
    text_column: str = "text",
    use_cache: bool = True,
    progress: bool = True,
    cache_home: str | None = None,
    client: Any = None,
    **options: Any,
) -> DocTermMatrix:
    """Build a labelled document-term matrix of counts from a corpus table.

    Pipeline: :func:`toolkit.text.tokenize_corpus` (normalise, tokens, lookup lemmas,
    phrases; cached as kind ``"tokens"``) -> stopwords removed -> n-grams over the
    remaining tokens (joined with a space; phrases are one token joined with ``_``) ->
    document-frequency trimming. The matrix is cached as kind ``"dtm"``, keyed by the
    corpus checksum (:func:`toolkit.text.corpus_fingerprint`),
    :meth:`TokenizerOptions.cache_key <toolkit.text.TokenizerOptions.cache_key>`, every
    other parameter and the toolkit version.

    Parameters
    ----------
    corpus : DataFrame
        With ``doc_id`` and ``text_column``. Not modified.
    tokenizer : TokenizerOptions or None, default=None
        How texts become tokens, stopwords included (None: ``TokenizerOptions()``, i.e.
        lemmas, the curated phrases, spaCy + the domain stopwords).
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        ``(1, 2)`` gives unigrams and bigrams.
    min_df, max_df : int or float, default=1, 1.0
        Document-frequency bounds applied to each feature (see :meth:`DocTermMatrix.trim`).
        For n-grams on a large corpus use ``min_df=5`` or so.
    max_terms : int or None, default=None
        Keep only the most frequent features after the df bounds.
    text_column : str, default="text"
        The column of texts.
    use_cache : bool, default=True
        Read and write the cache (tokens and matrix).
    progress : bool, default=True
        tqdm bars on the passes over the corpus.
    cache_home : str or None, default=None
        Override of the cache folder.
    client : dask.distributed.Client, str or None, default=None
        A Dask ``corpus`` only: where the two passes run (None: ``FPTK_DASK_SCHEDULER``,
        else local threads); see :mod:`toolkit.features_dask`. The matrix is identical.
    **options
        Fields of :class:`~toolkit.text.TokenizerOptions` (``lemmatize``, ``stopwords``,
        ``phrases``, ``lowercase``, ``normalize``, ``join_hyphens``, ``min_chars``,
        ``engine``, ``model``) instead of ``tokenizer``: ``build_dtm(df, stopwords=None)``
        is ``build_dtm(df, tokenizer=TokenizerOptions(stopwords=None))``.

    Returns
    -------
    DocTermMatrix
        int32 counts, shape (n_docs, n_terms); doc_ids from ``corpus["doc_id"]`` (every
        document is a row, documents without tokens are all-zero rows and counted in an
        :class:`~toolkit.exceptions.EmptyDocumentsWarning`).

    Raises
    ------
    ValueError
        If no feature survives (the message says which setting to change).
    TypeError
        If a text is not a string, or for both ``tokenizer`` and loose options.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.features import build_dtm
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["chn1", "usa1"],
    ...     "text": ["China will not sell weapons to either side.",
    ...              "We will send more weapons and military aid to Ukraine."]})
    >>> dtm = build_dtm(corpus, use_cache=False, progress=False)
    >>> dtm.matrix.shape
    (2, 6)
    >>> dtm.doc_ids.tolist(), dtm.vocab.tolist()
    (['chn1', 'usa1'], ['china', 'military_aid', 'sell', 'send', 'ukraine', 'weapon'])
    >>> dtm.matrix.toarray().tolist()
    [[1, 0, 1, 0, 0, 1], [0, 1, 0, 1, 1, 1]]
    """
    opts = TokenizerOptions.resolve(tokenizer, options, caller="build_dtm")
    lo_n, hi_n = _check_ngram_range(ngram_range)
    if is_dask(corpus):  # the two-pass build on the partitions (same matrix)
        from toolkit.features_dask import build_dtm_dask

        return build_dtm_dask(
            corpus, opts=opts, ngram_range=(lo_n, hi_n), min_df=min_df, max_df=max_df,
            max_terms=max_terms, text_column=text_column, use_cache=use_cache,
            cache_home=cache_home, client=client, dtm_from_tokens=dtm_from_tokens,
            matrix_class=DocTermMatrix, df_bound=_df_bound)
    if len(corpus) == 0:
        raise ValueError("corpus is empty (0 rows); nothing to count.")
    tok_key = opts.cache_key()  # validates the stopwords too
    fingerprint = None
    if use_cache:
        _corpus_texts(corpus, text_column)
        fingerprint = corpus_fingerprint(corpus, text_column=text_column)
    key = cache_key(
        kind="dtm", corpus=fingerprint, **tok_key, ngram_range=[lo_n, hi_n], min_df=min_df,
        max_df=max_df, max_terms=max_terms, dtype="int32",
    )

    def build() -> DocTermMatrix:
        tokens = tokenize_corpus(corpus, text_column=text_column, tokenizer=opts,
                                 use_cache=use_cache, progress=progress, cache_home=cache_home)
        kept = tokens.remove(resolve_stopwords(opts.stopwords))
        raw_empty = tokens.n_raw == 0
        del tokens  # only the stopword-free ids are counted: free the full table first
        _warn_empty(kept, raw_empty, stacklevel=4)
        return dtm_from_tokens(kept, ngram_range=(lo_n, hi_n), min_df=min_df, max_df=max_df,
                               max_terms=max_terms, stopwords=opts.stopwords)

    return cached(
        "dtm", key, suffix=".npz", build=build,
        write=lambda d, p: _write_cache(d, p), read=_read_npz,
        cache_home=cache_home, use_cache=use_cache,
    )


def _check_ngram_range(ngram_range: tuple[int, int]) -> tuple[int, int]:
    """``(min_n, max_n)`` as ints, checked: 1 <= min_n <= max_n."""
    lo_n, hi_n = (int(ngram_range[0]), int(ngram_range[1]))
    if not 1 <= lo_n <= hi_n:
        raise ValueError(f"ngram_range={ngram_range!r} must be (min_n, max_n) with 1 <= min_n "
                         "<= max_n.")
    return lo_n, hi_n


def _warn_empty(tokens: Tokens, raw_empty: np.ndarray, stacklevel: int = 3) -> int:
    """Warn (:class:`EmptyDocumentsWarning`) when documents have no tokens; their number."""
    lengths = tokens.lengths()
    empty = np.flatnonzero(lengths == 0)
    if len(empty) == 0:
        return 0
    n_blank = int(raw_empty[empty].sum())
    ids = tokens.doc_ids[empty][:5].tolist()
    warnings.warn(
        f"{len(empty)} of {tokens.n_docs} documents have no tokens left ({n_blank} empty or "
        f"without words, {len(empty) - n_blank} only stopwords/punctuation), e.g. {ids}; "
        "they are kept as all-zero rows.",
        EmptyDocumentsWarning,
        stacklevel=stacklevel,
    )
    return len(empty)


def _write_cache(dtm: DocTermMatrix, path: Path) -> None:
    with open(path, "wb") as fh:
        _write_npz(dtm, fh, labels=True)


def dtm_from_tokens(
    tokens: Any,
    *,
    ngram_range: tuple[int, int] = (1, 1),
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    max_terms: int | None = None,
    stopwords: Any = None,
) -> DocTermMatrix:
    """Count n-grams of a :class:`toolkit.text.Tokens` table into a DocTermMatrix.

    n-grams never cross documents. They are counted block by block of documents into int32
    sparse blocks (no token-length temporaries; n-grams numbered in a hash table first, see
    :mod:`toolkit.text._counting`), which gives the same matrix as one pass over the table.

    Parameters
    ----------
    tokens : Tokens
        Tokenised documents, stopwords already removed (``tokens.remove``).
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        The n-gram lengths counted.
    min_df, max_df : int or float, default=1, 1.0
        Document-frequency bounds applied to each feature (see :meth:`DocTermMatrix.trim`).
    max_terms : int or None, default=None
        Keep only the most frequent features after the df bounds.
    stopwords : object, default=None
        Only used to word the error message when nothing survives.

    Returns
    -------
    DocTermMatrix
        int32 counts, shape (n_docs, n_terms), rows and columns sorted by label.

    Raises
    ------
    ValueError
        If there are no tokens, or no feature survives the bounds.
    """
    n_docs = tokens.n_docs
    lo = _df_bound(min_df, n_docs, "min_df")
    hi = _df_bound(max_df, n_docs, "max_df")
    if len(tokens.ids) == 0:
        raise ValueError(
            f"No tokens in any of the {n_docs} documents (stopwords={stopwords!r}). Check the "
            "text column, or use stopwords=None / phrases=False / a lower min_chars."
        )
    if ngram_range[1] == 1:
        X, vocab, total_before = count_unigrams(tokens, min_docs=lo, max_docs=hi)
    else:
        kw = dict(ngram_range=ngram_range, min_docs=lo, max_docs=hi)
        counted = count_ngrams_streamed(tokens, **kw)  # None: keys would overflow int64
        X, vocab, total_before = counted if counted is not None else count_ngrams(tokens, **kw)
    if X is None:
        raise ValueError(
            f"After trimming, no terms remain ({total_before} features in {n_docs} documents, "
            f"min_df={min_df!r}, max_df={max_df!r}, ngram_range={tuple(ngram_range)}). Try a "
            "lower min_df or a higher max_df (or stopwords=None)."
        )
    row_order = np.argsort(tokens.doc_ids.astype(str), kind="stable")
    if not np.array_equal(row_order, np.arange(n_docs)):
        X = X[row_order]
    out = DocTermMatrix(X, tokens.doc_ids[row_order], vocab)
    if max_terms is not None:
        out = out.trim(max_terms=max_terms)
    return out


def normalize_rows(a: np.ndarray, *, empty: float = 0.0) -> np.ndarray:
    """Divide each row of a dense array by its sum (the last axis), in float64.

    The one row normaliser of the toolkit (topic shares, term profiles).

    Parameters
    ----------
    a : ndarray of shape (..., n_columns)
        Non-negative weights.
    empty : float, default=0.0
        The value of every cell of a row whose sum is 0 (``np.nan`` marks it as undefined).

    Returns
    -------
    ndarray of the same shape, float64
        Rows summing to 1, or ``empty`` throughout for a zero row.
    """
    s = a.sum(axis=-1, keepdims=True)
    out = np.full(np.shape(a), empty, dtype=np.float64)
    np.divide(a, s, out=out, where=s > 0)
    return out

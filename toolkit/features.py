"""Document-term matrices that never travel without their labels.

:class:`DocTermMatrix` holds a SciPy CSR matrix of shape ``(n_docs, n_terms)``
together with its document ids (sorted) and vocabulary (sorted). Every operation
returns a new, still-labelled matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["DocTermMatrix"]


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
        return self.matrix.shape[0]

    @property
    def n_terms(self) -> int:
        return self.matrix.shape[1]

    def __repr__(self) -> str:
        return (
            f"DocTermMatrix(n_docs={self.n_docs}, n_terms={self.n_terms}, "
            f"nnz={self.matrix.nnz}, dtype={self.matrix.dtype})"
        )

    def doc_index(self, doc_ids: Iterable[str]) -> np.ndarray:
        """Row positions of ``doc_ids``; raises ``KeyError`` naming unknown ids."""
        wanted = np.asarray(list(doc_ids), dtype=object)
        pos = np.searchsorted(self.doc_ids.astype(str), wanted.astype(str))
        pos = np.clip(pos, 0, max(self.n_docs - 1, 0))
        ok = (self.n_docs > 0) & (self.doc_ids[pos] == wanted) if len(wanted) else np.array([])
        if len(wanted) and not np.all(ok):
            missing = wanted[~ok][:5].tolist()
            raise KeyError(f"doc_ids not in the matrix: {missing}")
        return pos

    def term_index(self, terms: Iterable[str]) -> np.ndarray:
        """Column positions of ``terms``; raises ``KeyError`` naming unknown terms."""
        wanted = np.asarray(list(terms), dtype=object)
        pos = np.searchsorted(self.vocab.astype(str), wanted.astype(str))
        pos = np.clip(pos, 0, max(self.n_terms - 1, 0))
        ok = (self.n_terms > 0) & (self.vocab[pos] == wanted) if len(wanted) else np.array([])
        if len(wanted) and not np.all(ok):
            missing = wanted[~ok][:5].tolist()
            raise KeyError(f"terms not in the vocabulary: {missing}")
        return pos

    def select_docs(self, doc_ids: Iterable[str]) -> DocTermMatrix:
        """Return the rows for ``doc_ids`` (kept in sorted order)."""
        pos = np.unique(self.doc_index(doc_ids))
        return DocTermMatrix(self.matrix[pos], self.doc_ids[pos], self.vocab)

    def select_terms(self, terms: Iterable[str]) -> DocTermMatrix:
        """Return the columns for ``terms`` (kept in sorted order)."""
        pos = np.unique(self.term_index(terms))
        return DocTermMatrix(self.matrix[:, pos], self.doc_ids, self.vocab[pos])

"""Tokens tables counted into sparse matrices: what :func:`toolkit.features.build_dtm` counts.

:func:`count_unigrams` counts block by block of documents (:data:`engines._BLOCK_DOCS`) into
int32 CSR blocks, so its largest temporaries are one block's; :func:`count_ngrams` numbers
n-grams over the whole table. Both return the columns in sorted vocabulary order and
leave the rows, the labels and ``max_terms`` to :mod:`toolkit.features`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit.text.engines import _blocks

__all__ = ["count_ngrams", "count_unigrams"]


def count_unigrams(tokens: Any, *, min_docs: int, max_docs: int
                   ) -> tuple[sp.csr_matrix | None, np.ndarray, int]:
    """Count the forms of a Tokens table, keeping those within document-frequency bounds.

    Counted block by block of documents: each block is one small int32 CSR matrix (duplicates
    summed), so the largest temporaries are one block's; the kept blocks are stacked once.

    Parameters
    ----------
    tokens : Tokens
        The table (``ids`` int32, ``offsets`` of length n_docs + 1); not modified.
    min_docs, max_docs : int
        Keep the forms found in at least ``max(min_docs, 1)`` and at most ``max_docs``
        documents.

    Returns
    -------
    X : csr_matrix of shape (n_docs, n_terms), int32, or None
        Counts, rows in table order, columns in sorted ``vocab`` order, sorted indices;
        int32 indices and indptr below 2**31 stored values. None when no form is kept.
    vocab : ndarray of object of shape (n_terms,)
        The kept forms, sorted.
    n_features : int
        Forms found in at least one document (before the bounds), for error messages.
    """
    n_docs, ids, offsets = tokens.n_docs, tokens.ids, tokens.offsets
    V = max(len(tokens.forms), 1)
    parts: list[sp.csr_matrix] = []
    df = np.zeros(V, dtype=np.int64)
    for a, b in _blocks(n_docs):
        start, stop = int(offsets[a]), int(offsets[b])
        block = sp.csr_matrix(
            (np.ones(stop - start, dtype=np.int32), ids[start:stop].astype(np.int32),
             (offsets[a : b + 1] - start).astype(np.int64)),
            shape=(b - a, V),
        )
        block.sum_duplicates()
        df += np.bincount(block.indices, minlength=V)
        parts.append(block)
    keep = np.flatnonzero((df >= max(min_docs, 1)) & (df <= max_docs))
    total_before = int((df > 0).sum())
    if len(keep) == 0:
        return None, np.zeros(0, dtype=object), total_before
    names = tokens.forms[keep].astype(object)
    col_order = np.argsort(names.astype(str), kind="stable")
    column = np.full(V, -1, dtype=np.int32)  # form id -> column of the matrix, -1: dropped
    column[keep[col_order]] = np.arange(len(keep), dtype=np.int32)
    nnz = 0
    for i, block in enumerate(parts):
        cols = column[block.indices]
        kept = cols >= 0
        csum = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
        sub = sp.csr_matrix((block.data[kept], cols[kept], csum[block.indptr]),
                            shape=(block.shape[0], len(keep)))
        sub.sort_indices()
        parts[i] = sub
        nnz += sub.nnz
    return _stack_rows(parts, nnz, len(keep)), names[col_order], total_before


def _stack_rows(parts: list[sp.csr_matrix], nnz: int, n_cols: int) -> sp.csr_matrix:
    """Stack CSR blocks (emptying ``parts``) into one CSR matrix with int32 indices where
    ``nnz`` allows (int64 beyond 2**31 - 1)."""
    idx = np.int32 if max(nnz, n_cols) < 2**31 else np.int64
    n_rows = sum(p.shape[0] for p in parts)
    data = np.empty(nnz, dtype=np.int32)
    indices = np.empty(nnz, dtype=idx)
    indptr = np.zeros(n_rows + 1, dtype=idx)
    row = pos = 0
    while parts:
        p = parts.pop(0)
        data[pos : pos + p.nnz] = p.data
        indices[pos : pos + p.nnz] = p.indices
        indptr[row + 1 : row + 1 + p.shape[0]] = pos + p.indptr[1:]
        row += p.shape[0]
        pos += p.nnz
    X = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    X.has_sorted_indices = True
    return X


def count_ngrams(tokens: Any, *, ngram_range: tuple[int, int], min_docs: int, max_docs: int
                 ) -> tuple[sp.csr_matrix | None, np.ndarray, int]:
    """Count the n-grams of a Tokens table (never across documents) within df bounds.

    The n-grams are numbered over the whole table at once (int64 codes per token), then
    counted as :func:`count_unigrams` counts forms.

    Parameters
    ----------
    tokens : Tokens
        The table; not modified.
    ngram_range : tuple (min_n, max_n)
        The n-gram lengths counted; n-grams are space-joined forms.
    min_docs, max_docs : int
        Keep the n-grams found in at least ``max(min_docs, 1)`` and at most ``max_docs``
        documents.

    Returns
    -------
    X, vocab, n_features
        As :func:`count_unigrams` returns them.
    """
    ids = tokens.ids.astype(np.int64)
    offsets = tokens.offsets
    n_docs = tokens.n_docs
    V = max(len(tokens.forms), 1)
    N = len(ids)
    doc_end = np.repeat(offsets[1:], np.diff(offsets))
    blocks: list[sp.csr_matrix] = []
    names: list[np.ndarray] = []
    prev_codes = ids  # codes of (n-1)-grams at every position (-1 where invalid)
    uniques_by_n: list[np.ndarray] = []
    total_before = 0
    for n in range(1, ngram_range[1] + 1):
        if n == 1:
            codes = ids.copy()
            uniq = np.arange(V, dtype=np.int64)
        else:
            m = N - n + 1
            valid = np.zeros(N, dtype=bool)
            if m > 0:
                pos = np.arange(m)
                valid[:m] = (pos + n - 1 < doc_end[:m]) & (prev_codes[:m] >= 0)
            codes = np.full(N, -1, dtype=np.int64)
            vpos = np.flatnonzero(valid)
            keys = prev_codes[vpos] * V + ids[vpos + n - 1]
            fac, uniq = pd.factorize(keys, sort=False)
            codes[vpos] = fac
            uniq = np.asarray(uniq, dtype=np.int64)
        uniques_by_n.append(uniq)
        if n >= ngram_range[0]:
            vpos = np.flatnonzero(codes >= 0)
            csum = np.concatenate([[0], np.cumsum(codes >= 0, dtype=np.int64)])
            indptr = csum[offsets]
            X = sp.csr_matrix(
                (np.ones(len(vpos), dtype=np.int32), codes[vpos].astype(np.int32), indptr),
                shape=(n_docs, len(uniq)),
            )
            X.sum_duplicates()
            df = np.bincount(X.indices, minlength=X.shape[1])
            total_before += int((df > 0).sum())
            keep = np.flatnonzero((df >= max(min_docs, 1)) & (df <= max_docs))
            X = X[:, keep]
            blocks.append(X)
            names.append(_ngram_names(keep, n, uniques_by_n, tokens.forms, V))
        prev_codes = codes
    vocab = np.concatenate(names) if names else np.zeros(0, dtype=object)
    if len(vocab) == 0:
        return None, vocab, total_before
    X = sp.hstack(blocks, format="csr")
    col_order = np.argsort(vocab.astype(str), kind="stable")
    inv = np.empty_like(col_order)
    inv[col_order] = np.arange(len(col_order))
    X = sp.csr_matrix((X.data, inv[X.indices].astype(np.int32), X.indptr), shape=X.shape)
    X.sort_indices()
    return X, vocab[col_order].astype(object), total_before


def _ngram_names(codes: np.ndarray, n: int, uniques_by_n: list[np.ndarray],
                 forms: np.ndarray, V: int) -> np.ndarray:
    """Strings of the n-grams with the given codes (space-joined forms)."""
    if n == 1:
        return forms[codes].astype(object)
    keys = uniques_by_n[n - 1][codes]
    head = _ngram_names(keys // V, n - 1, uniques_by_n, forms, V)
    tail = forms[keys % V]
    out = np.empty(len(codes), dtype=object)
    out[:] = [f"{a} {b}" for a, b in zip(head.tolist(), tail.tolist())]
    return out


def _block_ngrams(ids: np.ndarray, lens: np.ndarray, n: int, V: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The n-grams of one block of documents as int64 keys (base-V digits) and their rows."""
    doc_of = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    m = len(ids) - n + 1
    if m <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    inside = doc_of[:m] == doc_of[n - 1 :]
    keys = ids[:m].astype(np.int64)
    for k in range(1, n):
        keys = keys * V + ids[k : k + m]
    return keys[inside], doc_of[:m][inside]


def _ngram_strings(keys: np.ndarray, n: int, V: int, forms: np.ndarray) -> np.ndarray:
    """The space-joined forms of n-gram keys."""
    digits = [forms[(keys // V ** (n - 1 - k)) % V].tolist() for k in range(n)]
    out = np.empty(len(keys), dtype=object)
    out[:] = [" ".join(parts) for parts in zip(*digits)]
    return out


def count_ngrams_streamed(tokens: Any, *, ngram_range: tuple[int, int], min_docs: int,
                          max_docs: int) -> tuple[sp.csr_matrix | None, np.ndarray, int] | None:
    """:func:`count_ngrams` in two passes over blocks of documents (same result).

    Pass 1 numbers each n-gram (an int64 key of its forms) in a hash table and counts its
    documents; pass 2 counts the kept n-grams of each block into an int32 CSR block. Only
    the hash tables, the document frequencies and one block's temporaries are held.

    Parameters
    ----------
    tokens : Tokens
        The table; not modified.
    ngram_range : tuple (min_n, max_n)
        The n-gram lengths counted.
    min_docs, max_docs : int
        As for :func:`count_ngrams`.

    Returns
    -------
    tuple or None
        As :func:`count_ngrams`; None when the keys would overflow int64
        (``n_forms ** max_n >= 2**63``) or pandas lacks its hash table: use
        :func:`count_ngrams` then.
    """
    try:
        from pandas._libs.hashtable import Int64HashTable, Int64Vector
    except ImportError:  # pragma: no cover - pandas internals
        return None
    lo_n, hi_n = ngram_range
    V = max(len(tokens.forms), 1)
    if V**hi_n >= 2**63:
        return None
    ns = range(lo_n, hi_n + 1)
    ids, offsets = tokens.ids, tokens.offsets
    lens_all = np.diff(offsets)
    tables = {n: Int64HashTable() for n in ns if n > 1}
    uniques: dict[int, list[np.ndarray]] = {n: [] for n in tables}
    df = {n: np.zeros(V if n == 1 else 0, dtype=np.int64) for n in ns}

    def block_codes(a: int, b: int, n: int, first_pass: bool) -> tuple[np.ndarray, np.ndarray]:
        keys, rows = _block_ngrams(ids[offsets[a] : offsets[b]], lens_all[a:b], n, V)
        if n == 1:
            return keys, rows
        if not first_pass:
            return tables[n].lookup(keys), rows
        vec = Int64Vector()
        codes = tables[n].get_labels(keys, vec, len(tables[n]), -1)
        uniques[n].append(vec.to_array())
        return codes, rows

    for a, b in _blocks(tokens.n_docs):  # pass 1: number the n-grams, count their documents
        for n in ns:
            codes, rows = block_codes(a, b, n, True)
            size = len(tables[n]) if n > 1 else V
            if len(df[n]) < size:  # grown by doubling: the tables grow block by block
                grown = np.zeros(max(size, 2 * len(df[n])), dtype=np.int64)
                grown[: len(df[n])] = df[n]
                df[n] = grown
            seen, n_docs = np.unique(np.unique(rows * size + codes) % size, return_counts=True)
            df[n][seen] += n_docs
    names, kept, total_before = [], {}, 0
    for n in ns:
        total_before += int((df[n] > 0).sum())
        kept[n] = np.flatnonzero((df[n] >= max(min_docs, 1)) & (df[n] <= max_docs))
        keys = kept[n] if n == 1 else np.concatenate(uniques.pop(n))[kept[n]]
        names.append(_ngram_strings(keys, n, V, tokens.forms))
    del df
    uniques.clear()
    vocab = np.concatenate(names)
    if len(vocab) == 0:
        return None, vocab, total_before
    col_order = np.argsort(vocab.astype(str), kind="stable")
    inv = np.empty(len(vocab), dtype=np.int32)
    inv[col_order] = np.arange(len(vocab), dtype=np.int32)
    column, start = {}, 0
    for n in ns:  # n-gram code -> column of the matrix, -1: dropped
        size = len(tables[n]) if n > 1 else V
        column[n] = np.full(size, -1, dtype=np.int32)
        column[n][kept[n]] = inv[start : start + len(kept[n])]
        start += len(kept[n])
    parts, nnz = [], 0
    for a, b in _blocks(tokens.n_docs):  # pass 2: count the kept n-grams of each block
        rows_l, cols_l = [], []
        for n in ns:
            codes, rows = block_codes(a, b, n, False)
            cols = column[n][codes]
            rows_l.append(rows[cols >= 0])
            cols_l.append(cols[cols >= 0])
        rows, cols = np.concatenate(rows_l), np.concatenate(cols_l)
        block = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                              shape=(b - a, len(vocab)))
        block.sum_duplicates()
        block.sort_indices()
        parts.append(block)
        nnz += block.nnz
    return _stack_rows(parts, nnz, len(vocab)), vocab[col_order].astype(object), total_before

"""The document-term matrix of a Dask DataFrame, identical to the pandas build.

:func:`toolkit.features.build_dtm` hands a Dask DataFrame here, with the pandas pieces it
uses itself (``dtm_from_tokens`` and ``DocTermMatrix``), so this module imports nothing
from :mod:`toolkit.features`. Two passes over the partitions, on the workers:

1. Each partition is tokenised exactly as the pandas path tokenises a corpus (the tokens
   cached per partition when ``use_cache``), its stopwords removed and its n-grams counted
   into a partition matrix; what travels back is each term's document frequency and total
   count, merged in a tree on the workers, plus the doc ids.
2. The vocabulary is chosen on the client from the global frequencies, with the pandas
   rules: ``min_df``/``max_df`` as shares of all documents, then the ``max_terms`` most
   frequent terms (ties to the term that sorts first). Each partition's matrix is rebuilt
   (from the cached tokens) on that vocabulary, and the partitions are stacked and their
   rows put in doc-id order: the same :class:`~toolkit.features.DocTermMatrix`.

Tokenisation is per document (curated phrases, lookup lemmas), so a partition's tokens are
the rows of the whole corpus's tokens: the counts, vocabulary and matrix are equal to the
pandas build's, entry by entry.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit.distributed import compute, get_client
from toolkit.exceptions import EmptyDocumentsWarning
from toolkit.text import TokenizerOptions, resolve_stopwords, tokenize_corpus
from toolkit.text.engines import chunk_memo, clear_chunk_memo

__all__ = ["build_dtm_dask", "select_vocabulary"]

#: Partition statistics merged per task in the tree reduction of pass 1.
_FAN_IN = 8


def _partition_dtm(part: pd.DataFrame, opts: TokenizerOptions, *, text_column: str,
                   ngram_range: tuple[int, int], use_cache: bool, cache_home: str | None,
                   dtm_from_tokens: Callable[..., Any]) -> tuple[Any, Any, np.ndarray]:
    """``(matrix or None, tokens kept, n_raw)``: one partition's counts on its own vocabulary.

    The worker's partitions share their tokenised chunks (:func:`chunk_memo`): without it
    a 500-speech partition spent two thirds of its time tokenising the frequent chunks
    every other partition had tokenised before.
    """
    with chunk_memo():
        tokens = tokenize_corpus(part, text_column=text_column, tokenizer=opts,
                                 use_cache=use_cache, progress=False, cache_home=cache_home)
    kept = tokens.remove(resolve_stopwords(opts.stopwords))
    if len(kept.ids) == 0:
        return None, kept, tokens.n_raw
    try:
        dtm = dtm_from_tokens(kept, ngram_range=ngram_range, min_df=1, max_df=1.0)
    except ValueError:  # no n-gram of the wanted lengths in this partition
        return None, kept, tokens.n_raw
    return dtm, kept, tokens.n_raw


def _pass1(part: pd.DataFrame, opts: TokenizerOptions, **kw: Any) -> dict[str, Any]:
    """Term statistics and doc ids of one partition."""
    if len(part) == 0:
        return {"stats": None, "doc_ids": np.zeros(0, dtype=object), "n_tokens": 0,
                "empty": [], "n_blank": 0}
    dtm, kept, n_raw = _partition_dtm(part, opts, **kw)
    lengths = kept.lengths()
    empty = np.flatnonzero(lengths == 0)
    stats = None
    if dtm is not None:
        X = dtm.matrix
        df = np.bincount(X.indices[X.data != 0], minlength=X.shape[1])
        total = np.asarray(X.sum(axis=0), dtype=np.int64).ravel()
        stats = pd.DataFrame({"df": df.astype(np.int64), "total": total},
                             index=pd.Index(dtm.vocab.astype(str), name="term"))
    return {"stats": stats, "doc_ids": np.asarray(kept.doc_ids, dtype=object),
            "n_tokens": len(kept.ids), "empty": kept.doc_ids[empty].tolist(),
            "n_blank": int((n_raw[empty] == 0).sum())}


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum the term statistics of several partitions; concatenate the rest."""
    frames = [r["stats"] for r in results if r["stats"] is not None]
    stats = None
    if frames:
        stats = frames[0] if len(frames) == 1 else (
            pd.concat(frames).groupby(level=0, sort=False).sum())
    return {"stats": stats,
            "doc_ids": np.concatenate([r["doc_ids"] for r in results]),
            "n_tokens": sum(r["n_tokens"] for r in results),
            "empty": [d for r in results for d in r["empty"]],
            "n_blank": sum(r["n_blank"] for r in results)}


def _tree(tasks: list[Any]) -> Any:
    """Reduce delayed pass-1 results in a tree of :data:`_FAN_IN` on the workers."""
    import dask

    merge = dask.delayed(_merge, pure=True)
    while len(tasks) > 1:
        tasks = [merge(tasks[i:i + _FAN_IN]) for i in range(0, len(tasks), _FAN_IN)]
    return tasks[0]


def _pass2(part: pd.DataFrame, opts: TokenizerOptions, vocab: pd.Index,
           **kw: Any) -> tuple[sp.csr_matrix, np.ndarray]:
    """One partition's rows on the global vocabulary (rows sorted by doc id)."""
    n_cols = len(vocab)
    if len(part) == 0:
        return sp.csr_matrix((0, n_cols), dtype=np.int32), np.zeros(0, dtype=object)
    dtm, kept, _ = _partition_dtm(part, opts, **kw)
    if dtm is None:
        ids = np.sort(np.asarray(kept.doc_ids, dtype=object).astype(str)).astype(object)
        return sp.csr_matrix((len(ids), n_cols), dtype=np.int32), ids
    X = dtm.matrix
    cols = vocab.get_indexer(dtm.vocab.astype(str))  # -1: term not in the vocabulary
    keep = np.flatnonzero(cols >= 0)
    X = X[:, keep]
    # Local columns are sorted and so is the vocabulary: the mapped indices stay sorted.
    X = sp.csr_matrix((X.data.astype(np.int32), cols[keep][X.indices].astype(np.int32),
                       X.indptr), shape=(X.shape[0], n_cols))
    return X, np.asarray(dtm.doc_ids, dtype=object)


def select_vocabulary(
    stats: pd.DataFrame,
    n_docs: int,
    *,
    min_df: int | float,
    max_df: int | float,
    max_terms: int | None,
    df_bound: Callable[[int | float, int, str], int],
) -> pd.Index:
    """The terms the pandas build keeps, from global document frequencies and totals.

    Parameters
    ----------
    stats : DataFrame of shape (n_features, 2)
        ``df`` and ``total`` (int) per term (the index, str), over the whole corpus.
    n_docs : int
        Documents in the whole corpus (the base of float ``min_df``/``max_df``).
    min_df, max_df : int or float
        As in :func:`toolkit.features.build_dtm`.
    max_terms : int or None
        Keep the most frequent terms (total count; ties to the term that sorts first).
    df_bound : callable
        ``toolkit.features._df_bound`` (the one reading of the df bounds).

    Returns
    -------
    pandas.Index of str of length n_terms
        The kept terms, sorted ascending.

    Raises
    ------
    ValueError
        When no term is left (the pandas path's wording), or ``max_terms < 1``.
    """
    lo = df_bound(min_df, n_docs, "min_df")
    hi = df_bound(max_df, n_docs, "max_df")
    terms = stats.index.to_numpy(dtype=object)
    order = np.argsort(terms.astype(str), kind="stable")
    terms = terms[order]
    df = stats["df"].to_numpy()[order]
    total = stats["total"].to_numpy()[order]
    keep = (df >= max(lo, 1)) & (df <= hi)
    if not keep.any():
        raise ValueError(
            f"After trimming, no terms remain ({int((df > 0).sum())} features in {n_docs} "
            f"documents, min_df={min_df!r}, max_df={max_df!r}). Try a lower min_df or a "
            "higher max_df (or stopwords=None)."
        )
    idx = np.flatnonzero(keep)
    if max_terms is not None:
        if int(max_terms) < 1:
            raise ValueError(f"max_terms must be a positive int or None, got {max_terms!r}.")
        if len(idx) > max_terms:
            ranked = np.lexsort((idx, -total[idx]))  # by count desc, then sorted position
            idx = np.sort(idx[ranked[: int(max_terms)]])
    return pd.Index(terms[idx].astype(str), dtype=object)


def _warn_empty(summary: dict[str, Any], n_docs: int) -> None:
    empty = summary["empty"]
    if not empty:
        return
    ids = sorted(map(str, empty))[:5]
    n_blank = summary["n_blank"]
    warnings.warn(
        f"{len(empty)} of {n_docs} documents have no tokens left ({n_blank} empty or "
        f"without words, {len(empty) - n_blank} only stopwords/punctuation), e.g. {ids}; "
        "they are kept as all-zero rows.",
        EmptyDocumentsWarning,
        stacklevel=4,
    )


def _row_layout(ids_per_part: list[np.ndarray], nnz_per_part: list[np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Doc ids in order, the final indptr, and where each part's rows go."""
    doc_ids = np.concatenate(ids_per_part) if ids_per_part else np.zeros(0, dtype=object)
    row_nnz = np.concatenate(nnz_per_part) if nnz_per_part else np.zeros(0, dtype=np.int64)
    if int(row_nnz.sum()) >= np.iinfo(np.int32).max:
        raise ValueError(f"The matrix has {int(row_nnz.sum())} entries, more than int32 "
                         "indices hold; raise min_df or set max_terms.")
    order = np.argsort(doc_ids.astype(str), kind="stable")
    final_row = np.empty(len(order), dtype=np.int64)
    final_row[order] = np.arange(len(order))
    indptr = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(row_nnz[order], out=indptr[1:])
    bounds = np.cumsum([0, *(len(i) for i in ids_per_part)])
    rows = [final_row[bounds[k]:bounds[k + 1]] for k in range(len(ids_per_part))]
    return doc_ids[order], indptr, row_nnz, rows


def _place(X: sp.csr_matrix, rows: np.ndarray, indptr: np.ndarray, data: np.ndarray,
           indices: np.ndarray) -> None:
    """Copy a part's rows into the final arrays at their rows (``rows``, in doc-id order)."""
    if X.nnz == 0:
        return
    row_nnz = np.diff(X.indptr)
    dest = np.repeat(indptr[rows] - X.indptr[:-1], row_nnz) + np.arange(X.nnz)
    data[dest] = X.data
    indices[dest] = X.indices


def _stack_local(parts: list[tuple[sp.csr_matrix, np.ndarray]],
                 n_cols: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Stack computed partition matrices with their rows in doc-id order."""
    doc_ids, indptr, _, rows = _row_layout([p[1] for p in parts],
                                           [np.diff(p[0].indptr) for p in parts])
    data = np.empty(indptr[-1], dtype=np.int32)
    indices = np.empty(indptr[-1], dtype=np.int32)
    for k in range(len(parts)):
        X, _ = parts[k]
        parts[k] = None  # type: ignore[call-overload] - free each part once placed
        _place(X, rows[k], indptr, data, indices)
    X = sp.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(len(doc_ids), n_cols))
    return X, doc_ids


def _part_layout(part: tuple[sp.csr_matrix, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return part[1], np.diff(part[0].indptr)


def _stack_distributed(client: Any, tasks: list[Any],
                       n_cols: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Build the partitions on the cluster and fetch them one at a time into the matrix.

    The client holds the final matrix plus one partition (not the matrix twice).
    """
    futures = client.compute(tasks)
    layouts = client.gather([client.submit(_part_layout, f, pure=False) for f in futures])
    doc_ids, indptr, _, rows = _row_layout([lay[0] for lay in layouts],
                                           [lay[1] for lay in layouts])
    del layouts
    data = np.empty(indptr[-1], dtype=np.int32)
    indices = np.empty(indptr[-1], dtype=np.int32)
    for k, fut in enumerate(futures):
        X, _ = fut.result()
        fut.release()
        _place(X, rows[k], indptr, data, indices)
        del X
    X = sp.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(len(doc_ids), n_cols))
    return X, doc_ids


def build_dtm_dask(
    corpus: Any,
    *,
    opts: TokenizerOptions,
    ngram_range: tuple[int, int],
    min_df: int | float,
    max_df: int | float,
    max_terms: int | None,
    text_column: str,
    use_cache: bool,
    cache_home: str | None,
    client: Any,
    dtm_from_tokens: Callable[..., Any],
    matrix_class: type,
    df_bound: Callable[[int | float, int, str], int],
) -> Any:
    """The two-pass build of a Dask corpus's document-term matrix (see the module notes).

    Parameters
    ----------
    corpus : dask.dataframe.DataFrame
        With ``doc_id`` and ``text_column``; ids unique across partitions.
    opts : TokenizerOptions
        Resolved tokeniser options (stopwords included).
    ngram_range : tuple (min_n, max_n)
        Checked by the caller.
    min_df, max_df, max_terms
        As in :func:`toolkit.features.build_dtm`.
    text_column : str
        The column of texts.
    use_cache : bool
        Cache each partition's tokens on the workers (pass 2 then reads them back).
    cache_home : str or None
        Override of the workers' cache folder (None: their ``FPTK_CACHE_HOME``).
    client : dask.distributed.Client, str or None
        Where to run (see :func:`toolkit.distributed.get_client`).
    dtm_from_tokens, matrix_class, df_bound : callable, type, callable
        ``toolkit.features.dtm_from_tokens``, ``DocTermMatrix`` and ``_df_bound``.

    Returns
    -------
    DocTermMatrix
        int32 counts of shape (n_docs, n_terms), equal entry by entry to
        ``build_dtm(corpus.compute(), ...)``.

    Raises
    ------
    ValueError
        No document, no token, no term left after trimming, or a doc_id in two partitions.
    """
    kw = {"opts": opts, "ngram_range": ngram_range, "min_df": min_df, "max_df": max_df,
          "max_terms": max_terms, "text_column": text_column, "use_cache": use_cache,
          "cache_home": cache_home, "client": client, "dtm_from_tokens": dtm_from_tokens,
          "matrix_class": matrix_class, "df_bound": df_bound}
    if get_client(client) is not None:
        return _build(corpus, **kw)
    try:  # the partitions run in this process: it keeps no memo of their chunks after
        return _build(corpus, **kw)
    finally:
        clear_chunk_memo()


def _build(corpus: Any, *, opts: TokenizerOptions, ngram_range: tuple[int, int],
           min_df: int | float, max_df: int | float, max_terms: int | None,
           text_column: str, use_cache: bool, cache_home: str | None, client: Any,
           dtm_from_tokens: Callable[..., Any], matrix_class: type,
           df_bound: Callable[[int | float, int, str], int]) -> Any:
    """:func:`build_dtm_dask` (its arguments, checked by its caller)."""
    import dask

    missing = [c for c in ("doc_id", text_column) if c not in corpus.columns]
    if missing:
        raise ValueError(f"The Dask corpus lacks the column(s) {missing}; it has "
                         f"{list(corpus.columns)}.")
    kw = {"text_column": text_column, "ngram_range": ngram_range, "use_cache": use_cache,
          "cache_home": cache_home, "dtm_from_tokens": dtm_from_tokens}
    parts = corpus[["doc_id", text_column]].to_delayed()
    opts_task = dask.delayed(opts)
    first = dask.delayed(_pass1, pure=True)
    (summary,) = compute(_tree([first(p, opts_task, **kw) for p in parts]), client=client)
    n_docs = len(summary["doc_ids"])
    if n_docs == 0:
        raise ValueError("corpus is empty (0 rows); nothing to count.")
    from toolkit.corpora._dask import check_unique_ids

    check_unique_ids(pd.Series(summary["doc_ids"]), what="the Dask corpus")
    if summary["n_tokens"] == 0 or summary["stats"] is None:
        raise ValueError(
            f"No tokens in any of the {n_docs} documents (stopwords={opts.stopwords!r}). "
            "Check the text column, or use stopwords=None / phrases=False / a lower min_chars."
        )
    vocab = select_vocabulary(summary["stats"], n_docs, min_df=min_df, max_df=max_df,
                              max_terms=max_terms, df_bound=df_bound)
    _warn_empty(summary, n_docs)
    del summary
    second = dask.delayed(_pass2, pure=True)
    vocab_task = dask.delayed(vocab)
    tasks = [second(p, opts_task, vocab_task, **kw) for p in parts]
    resolved = get_client(client)
    if resolved is None:
        X, doc_ids = _stack_local(list(compute(*tasks, client=None)), len(vocab))
    else:
        X, doc_ids = _stack_distributed(resolved, tasks, len(vocab))
    return matrix_class(X, doc_ids, vocab.to_numpy(dtype=object))

"""Helpers shared by the modules of :mod:`toolkit.keywords` (private; each lives here once).

Corpus and column checks, the texts as a list, metadata filters, category selection, the
progress bar and the stamp a dictionary leaves in a table's ``attrs``.
"""

from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.keywords._matcher import MATCHER_VERSION, _count_tokens_one

if TYPE_CHECKING:
    from toolkit.keywords._matcher import _Matcher
    from toolkit.keywords.dictionary import Dictionary


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _text_list(texts: pd.Series) -> list[str]:
    """Texts as a list of str (fast for Arrow-backed string columns, unlike astype(str))."""
    return [t if isinstance(t, str) else str(t) for t in texts.to_numpy(dtype=object)]


#: Whether :func:`_candidates` may use a matcher's prefilter (tests switch it off to compare
#: with the exact matcher run on every document).
_PREFILTER = True


def _candidates(texts: pd.Series, m: _Matcher) -> np.ndarray:
    """Positions of the texts that may hold a match of ``m``, in order, shape (n_candidates,).

    One vectorised pass of the matcher's RE2 prefilter over the column (zero-copy for
    Arrow-backed strings), a necessary condition for a match: the exact matcher then runs
    only on these texts, and every other text has no match. Every position is returned when
    the matcher has no prefilter (a ``re:`` entry) or the column cannot be read by Arrow
    (texts that are not all strings).
    """
    everything = np.arange(len(texts))
    if not _PREFILTER or m.prefilter is None or not len(texts):
        return everything
    import pyarrow.compute as pc

    # a few branches, one pass each: RE2 searches for each one's literal start (a 2-term
    # dictionary: 0.15 s instead of 0.28 s of CPU for one alternation on UNGDC's 213 MB)
    patterns = m.prefilter_branches
    try:
        values = texts.array
        arr = (values.__arrow_array__() if isinstance(values, pd.arrays.ArrowExtensionArray)
               else pa.array(texts, from_pandas=True))  # Arrow-backed: its chunks, no copy
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return everything
        hit = pc.match_substring_regex(arr, patterns[0], ignore_case=True)
        for pattern in patterns[1:]:
            hit = pc.or_(hit, pc.match_substring_regex(arr, pattern, ignore_case=True))
    except (pa.ArrowException, TypeError, ValueError):  # too large for RE2, mixed types
        return everything
    return np.flatnonzero(hit.fill_null(True).to_numpy(zero_copy_only=False))


# --------------------------------------------------------------------------------------
# Tokens per document: the denominator of every rate, cached per corpus
# --------------------------------------------------------------------------------------

#: Version of the token counts' cache entries (bump when the token rule changes).
_TOKENS_VERSION = "1"


#: frame_fingerprint of corpora whose doc_id and text are Arrow strings, by the identity of
#: those (immutable) arrays, held weakly: a new array is a new key, a freed one a dead entry.
_FINGERPRINTS: dict[tuple[int, int], tuple[weakref.ref, weakref.ref, str]] = {}
_FINGERPRINTS_LOCK = threading.Lock()


def _corpus_fingerprint(corpus: pd.DataFrame) -> str:
    """:func:`toolkit.cache.frame_fingerprint` of ``doc_id`` and ``text``, once per process
    for Arrow-backed string columns (hashing UNGDC's 213 MB takes 0.1-0.3 s).

    Arrow arrays cannot change: a pandas edit of the column replaces its array, which
    misses here and is hashed again. Other column types are hashed on every call.
    """
    from toolkit.cache import frame_fingerprint

    arrays = []
    for col in ("doc_id", "text"):
        values = corpus[col].array
        arr = values.__arrow_array__() if isinstance(values, pd.arrays.ArrowExtensionArray) \
            else None
        if not (isinstance(arr, pa.ChunkedArray)
                and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))):
            return frame_fingerprint(corpus)
        arrays.append(arr)
    key = (id(arrays[0]), id(arrays[1]))
    hit = _FINGERPRINTS.get(key)
    if hit is not None and hit[0]() is arrays[0] and hit[1]() is arrays[1]:
        return hit[2]
    fingerprint = frame_fingerprint(corpus)
    with _FINGERPRINTS_LOCK:  # Dask's threaded workers share the table
        for k in [k for k, v in _FINGERPRINTS.items() if v[0]() is None or v[1]() is None]:
            del _FINGERPRINTS[k]
        _FINGERPRINTS[key] = (weakref.ref(arrays[0]), weakref.ref(arrays[1]), fingerprint)
    return fingerprint


def _iter_texts(texts: pd.Series, positions: np.ndarray, *, chunk: int = 512
                ) -> Iterator[tuple[int, str]]:
    """``(position, text)`` for each of ``positions``, in order, as str.

    Only ``chunk`` texts are Python strings at a time: a full list of UNGDC's speeches held
    about 400 MB in each kernel that matched the ``arms`` dictionary (no prefilter, so
    every speech is a candidate).
    """
    for a in range(0, len(positions), chunk):
        part = positions[a:a + chunk]
        yield from zip(part.tolist(), _text_list(texts.iloc[part]), strict=True)


def _count_tokens_of(texts: pd.Series, positions: np.ndarray, *, chunk: int = 512) -> np.ndarray:
    """Tokens of the texts at ``positions``, shape (n_positions,) of int64, counted by
    :func:`toolkit.keywords.count_tokens`'s rule, ``chunk`` texts at a time (so only a
    few hundred texts are Python strings at once)."""
    return np.fromiter((_count_tokens_one(t) for _, t in _iter_texts(texts, positions,
                                                                      chunk=chunk)),
                       dtype=np.int64, count=len(positions))


def _tokens_path(fingerprint: str, *, cache_home: str | None) -> Path:
    from toolkit.cache import cache_key, cache_path

    key = cache_key(kind="keyword_tokens", corpus=fingerprint, tokens=_TOKENS_VERSION,
                    matcher=MATCHER_VERSION)
    return cache_path("keyword_tokens", key, ".npy", cache_home=cache_home)


def _read_tokens(fingerprint: str, n_docs: int, *, cache_home: str | None) -> np.ndarray | None:
    """The cached token counts of a corpus (shape (n_docs,) of int64), or None.

    ``fingerprint`` is :func:`toolkit.cache.frame_fingerprint` of the corpus; "" (no
    cache) gives None. A corrupt entry is reported with a ``CacheCorruptWarning``, removed
    and treated as missing.
    """
    if not fingerprint:
        return None
    path = _tokens_path(fingerprint, cache_home=cache_home)
    if not path.exists():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
        if arr.shape != (n_docs,) or arr.dtype != np.int64:
            raise ValueError(f"shape {arr.shape} {arr.dtype}, expected ({n_docs},) int64")
    except Exception as exc:
        from toolkit.exceptions import CacheCorruptWarning

        warnings.warn(f"Cache entry {path} is corrupt ({type(exc).__name__}: {exc}); "
                      "removing it and counting the tokens again.", CacheCorruptWarning,
                      stacklevel=2)
        path.unlink(missing_ok=True)
        return None
    return arr


def _write_tokens(fingerprint: str, tokens: np.ndarray, *, cache_home: str | None) -> None:
    """Store a corpus's token counts (written atomically) for :func:`_read_tokens`."""
    from toolkit.cache import atomic_path

    with atomic_path(_tokens_path(fingerprint, cache_home=cache_home)) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, np.asarray(tokens, dtype=np.int64), allow_pickle=False)


def _group_columns(corpus: pd.DataFrame, by: Any) -> list[str]:
    """``by`` as a list of column names, each checked to exist in ``corpus``."""
    by_cols = _as_list(by)
    missing = [c for c in by_cols if c not in corpus.columns]
    if missing:
        raise ValueError(
            f"Grouping column(s) {missing} not in the corpus. Available columns: "
            f"{list(corpus.columns)}."
        )
    return by_cols


def _check_corpus(corpus: Any, *, need: Sequence[str] = ("doc_id", "text")) -> None:
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"corpus must be a pandas DataFrame, got {type(corpus).__name__}.")
    missing = [c for c in need if c not in corpus.columns]
    if missing:
        raise ValueError(
            f"The corpus lacks the column(s) {missing}; it has {list(corpus.columns)}."
        )
    if corpus.empty:
        raise ValueError("The corpus has no documents.")
    if corpus["text"].isna().any():
        bad = corpus.loc[corpus["text"].isna(), "doc_id"].astype(str).tolist()[:5]
        raise ValueError(f"Missing text for doc_id {bad}; drop those rows or fill their text.")


def _progress(iterable: Iterable, *, total: int, enabled: bool, desc: str) -> Iterable:
    if not enabled or total < 500:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="doc")


def _filter_corpus(corpus: pd.DataFrame, filters: Mapping[str, Any]) -> pd.DataFrame:
    """Keep rows matching every filter: scalar ==, list/set isin, slice (inclusive), callable.

    Without filters the corpus itself is returned (not a copy): callers only read it.
    """
    if not filters:
        return corpus
    mask = np.ones(len(corpus), dtype=bool)
    for col, cond in filters.items():
        if col not in corpus.columns:
            raise ValueError(
                f"Filter column {col!r} is not in the corpus. Available columns: "
                f"{list(corpus.columns)}."
            )
        s = corpus[col]
        if callable(cond):
            m = np.asarray(cond(s), dtype=bool)
        elif isinstance(cond, slice):
            m = np.ones(len(s), dtype=bool)
            if cond.start is not None:
                m &= (s >= cond.start).fillna(False).to_numpy(dtype=bool)
            if cond.stop is not None:
                m &= (s <= cond.stop).fillna(False).to_numpy(dtype=bool)
        elif isinstance(cond, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
            m = s.isin(list(cond)).to_numpy(dtype=bool)
        else:
            m = (s == cond).fillna(False).to_numpy(dtype=bool)
        mask &= m
    return corpus.loc[mask]


def _select_categories(d: Dictionary, categories: str | Sequence[str] | None) -> list[str]:
    """``categories`` as a non-empty list of category names of ``d`` (None: all of them)."""
    cats = d.category_names if categories is None else _as_list(categories)
    unknown = [c for c in cats if c not in d.category_names]
    if unknown or not cats:
        raise ValueError(
            f"Categories {unknown or cats} are not in dictionary {d.name!r}; it has "
            f"{d.category_names}."
        )
    return cats


def _dictionary_stamp(d: Dictionary) -> dict[str, str]:
    """What a table's ``attrs["dictionary"]`` records: name, version and content hash."""
    return {"name": d.name, "version": d.version, "hash": d.content_hash}


def _warn_unassigned(na: np.ndarray | pd.Series, *, what: str, stacklevel: int) -> None:
    """Warn that documents without a period or group value are left out of ``what``.

    ``stacklevel`` is that of the caller's own ``warnings.warn`` (2: its caller).
    """
    if na.any():
        warnings.warn(
            f"{int(na.sum())} of {len(na)} documents have no period or group value and are "
            f"left out of the {what}.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )

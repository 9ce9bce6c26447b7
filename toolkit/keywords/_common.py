"""Helpers shared by the modules of :mod:`toolkit.keywords` (private; each lives here once).

Corpus and column checks, the texts as a list, metadata filters, category selection, the
progress bar and the stamp a dictionary leaves in a table's ``attrs``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from toolkit.keywords.dictionary import Dictionary


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _text_list(texts: pd.Series) -> list[str]:
    """Texts as a list of str (fast for Arrow-backed string columns, unlike astype(str))."""
    return [t if isinstance(t, str) else str(t) for t in texts.to_numpy(dtype=object)]


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
    """Keep rows matching every filter: scalar ==, list/set isin, slice (inclusive), callable."""
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

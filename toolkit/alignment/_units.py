"""Shared steps of the alignment package: rows into actor-period units, codes, pairs.

Private: :mod:`~toolkit.alignment.panel`, :mod:`~toolkit.alignment.scaling` and
:mod:`~toolkit.alignment.validation` import from here; nothing here is public API.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit._validation import require_columns
from toolkit.periods import Period, assign_period

COLUMNS_HINT = "Rename or add them (see toolkit.corpora.schema.STANDARD_COLUMNS)."

#: ``period=`` values that never name a column (see :mod:`toolkit.periods`).
_PERIOD_WORDS = ("all", "year", "decade")


def period_values(corpus: pd.DataFrame, period: Period) -> pd.Series:
    """One period label per row: :func:`toolkit.periods.assign_period`.

    A name that is neither period vocabulary nor a column of a table without ``date``
    gets the alignment wording (the tests pin "is not a column").
    """
    if (
        isinstance(period, str)
        and period not in _PERIOD_WORDS
        and period not in corpus.columns
        and "date" not in corpus.columns
    ):
        raise ValueError(
            f"period={period!r} is not a column of the corpus (columns: {list(corpus.columns)}); "
            "pass 'year', 'decade', an int number of years, a column name, a pandas frequency "
            "(with a 'date' column) or a callable."
        )
    return assign_period(corpus, period)


def restore_period_dtype(col: pd.Series, periods: np.ndarray) -> pd.Series:
    """Integer period labels (years, first years of bins) as int64, others as they are."""
    if len(periods) and all(isinstance(p, (int, np.integer)) for p in periods):
        return col.astype(np.int64)
    return col


def unknown_codes_message(unknown: Sequence[str], known: Sequence[str], what: str) -> str:
    """The message for codes found nowhere in the data, with "did you mean" hints."""
    hints = []
    for code in unknown[:5]:
        close = difflib.get_close_matches(str(code), [str(k) for k in known], n=3)
        if close:
            hints.append(f"{code!r} -> did you mean {close}?")
    hint = (" " + "; ".join(hints)) if hints else ""
    return (
        f"Unknown {what} code(s) {list(unknown)}: they occur nowhere in the data "
        f"({len(known)} known, e.g. {list(known)[:8]}).{hint}"
    )


def pair_key(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Unordered dyads: the smaller and the larger code of each pair, as strings."""
    a = a.astype(str).to_numpy()
    b = b.astype(str).to_numpy()
    return np.minimum(a, b), np.maximum(a, b)


@dataclass(frozen=True)
class Units:
    """Matrix rows grouped into actor-period units, sorted by (period, actor)."""

    rows: np.ndarray  # matrix row positions, grouped by unit
    start: np.ndarray  # (n_units + 1,) pointers into ``rows``
    actor: np.ndarray  # (n_units,) actor code
    period_code: np.ndarray  # (n_units,) index into ``periods``
    periods: np.ndarray  # sorted period labels
    period_start: np.ndarray  # (n_periods + 1,) pointers into units
    n_docs: np.ndarray  # distinct parent documents per unit
    report: dict[str, Any]

    @property
    def n_rows(self) -> np.ndarray:
        return np.diff(self.start)

    def indicator(self, n_matrix_rows: int) -> sp.csr_matrix:
        n_units = len(self.actor)
        unit_of = np.repeat(np.arange(n_units), self.n_rows)
        return sp.csr_matrix(
            (np.ones(len(self.rows)), (unit_of, self.rows)), shape=(n_units, n_matrix_rows)
        )


def _row_meta(
    row_ids: np.ndarray, corpus: pd.DataFrame, *, by: str, period: Period
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Actor, period and parent document of every matrix row, rows without either dropped."""
    require_columns(corpus, ["doc_id", by], what="corpus", hint=COLUMNS_HINT)
    doc_id = corpus["doc_id"].astype(str)
    if doc_id.duplicated().any():
        dup = doc_id[doc_id.duplicated()].unique()[:5].tolist()
        raise ValueError(f"The corpus has duplicate doc_id values, e.g. {dup}; ids must be unique.")
    parent = corpus["parent_doc_id"].astype(str) if "parent_doc_id" in corpus.columns else doc_id
    meta = pd.DataFrame(
        {
            "actor": corpus[by].to_numpy(),
            "period": period_values(corpus, period).to_numpy(),
            "parent": parent.to_numpy(),
        }
    )
    pos = pd.Index(doc_id).get_indexer(np.asarray(row_ids).astype(str))
    if (pos < 0).any():
        missing = np.asarray(row_ids)[pos < 0]
        raise ValueError(
            f"{len(missing)} matrix row(s) have no row in the corpus, e.g. {missing[:5].tolist()}. "
            "Pass the corpus (or passage table) the matrix was built from."
        )
    m = meta.iloc[pos].reset_index(drop=True)
    m["row"] = np.arange(len(m))
    bad = m["actor"].isna() | m["period"].isna()
    report: dict[str, Any] = {
        "n_matrix_rows": len(m),
        "n_rows_without_actor_or_period": int(bad.sum()),
        "n_corpus_rows_not_in_matrix": int(len(corpus) - len(m)),
    }
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} matrix row(s) have no {by!r} or no period and are left out, "
            f"e.g. {np.asarray(row_ids)[m.index[bad][:5]].tolist()}.",
            stacklevel=4,
        )
        m = m[~bad]
    if report["n_corpus_rows_not_in_matrix"] > 0:
        warnings.warn(
            f"{report['n_corpus_rows_not_in_matrix']} corpus row(s) have no row in the matrix "
            "(dropped when the matrix was built?); they do not count.",
            stacklevel=4,
        )
    m["actor"] = m["actor"].astype(str)
    return m, report


def units(
    row_ids: np.ndarray,
    corpus: pd.DataFrame,
    *,
    by: str,
    period: Period,
) -> Units:
    """Group the rows of a matrix (ids ``row_ids``) into actor-period units of ``corpus``."""
    m, report = _row_meta(row_ids, corpus, by=by, period=period)
    period_code, periods = pd.factorize(m["period"], sort=True)
    actor_code, actors = pd.factorize(m["actor"], sort=True)
    key = period_code.astype(np.int64) * len(actors) + actor_code
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    ukeys, first, counts = np.unique(key_sorted, return_index=True, return_counts=True)
    start = np.append(first, len(key_sorted)).astype(np.int64)
    unit_period = (ukeys // len(actors)).astype(np.int64)
    unit_actor = np.asarray(actors, dtype=object)[ukeys % len(actors)]
    parents = m["parent"].to_numpy()[order]
    unit_of_row = np.repeat(np.arange(len(ukeys)), counts)
    n_docs = (
        pd.DataFrame({"u": unit_of_row, "p": parents}).groupby("u")["p"].nunique().to_numpy()
        if len(ukeys)
        else np.zeros(0, dtype=np.int64)
    )
    period_start = np.searchsorted(unit_period, np.arange(len(periods) + 1)).astype(np.int64)
    return Units(
        rows=m["row"].to_numpy()[order],
        start=start,
        actor=unit_actor,
        period_code=unit_period,
        periods=np.asarray(periods, dtype=object),
        period_start=period_start,
        n_docs=n_docs.astype(np.int64),
        report=report,
    )


def period_positions(units: Units, periods: Any, *, what: str = "the data") -> np.ndarray:
    """Positions in ``units.periods`` of the requested periods (all when None), sorted."""
    if periods is None:
        return np.arange(len(units.periods))
    req = list(periods)
    lookup = {p: i for i, p in enumerate(units.periods.tolist())}
    bad = [p for p in req if p not in lookup]
    if bad:
        raise ValueError(
            f"period(s) {bad} are not in {what}; available: "
            f"{units.periods[:3].tolist()} ... {units.periods[-3:].tolist()} "
            f"({len(units.periods)} periods)."
        )
    return np.array(sorted(lookup[p] for p in req), dtype=np.int64)

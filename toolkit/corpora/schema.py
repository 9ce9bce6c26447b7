"""The corpus table: one row per document, standard columns, validated.

Every loader returns a :class:`pandas.DataFrame` with the columns in
:data:`STANDARD_COLUMNS` first (filled where the source knows them, NA elsewhere),
then any extra metadata columns. :func:`validate_corpus` checks the table and raises
:class:`CorpusValidationError` naming the offending rows and how to fix them.
"""

from __future__ import annotations

import pandas as pd

from toolkit._validation import require_columns
from toolkit.exceptions import CorpusValidationError

__all__ = [
    "STANDARD_COLUMNS",
    "CorpusValidationError",
    "require_columns",
    "standardize_columns",
    "validate_corpus",
]

#: Standard columns and their pandas dtypes, in order. Strings are Arrow-backed:
#: a 213 MB corpus then loads from its Parquet cache without copying every text.
STANDARD_COLUMNS: dict[str, str] = {
    "doc_id": "string[pyarrow]",
    "text": "string[pyarrow]",
    "actor": "string[pyarrow]",
    "actor_name": "string[pyarrow]",
    "year": "Int64",
    "date": "datetime64[ns]",
    "speaker": "string[pyarrow]",
    "post": "string[pyarrow]",
    "source": "string[pyarrow]",
}


def _rows(df: pd.DataFrame, mask: pd.Series, *, limit: int = 5) -> str:
    bad = df.loc[mask]
    ids = bad["doc_id"].astype(str).tolist() if "doc_id" in df.columns else []
    shown = [f"row {i} (doc_id={d!r})" for i, d in zip(bad.index[:limit], ids[:limit])] or [
        f"row {i}" for i in bad.index[:limit]
    ]
    more = f" and {len(bad) - limit} more" if len(bad) > limit else ""
    return ", ".join(shown) + more


def standardize_columns(df: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Return a copy with every standard column present (NA where missing), typed, first.

    Parameters
    ----------
    df : DataFrame
        At least ``doc_id`` and ``text``.
    source : str or None, default=None
        Fills the ``source`` column where it is missing or NA.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        A new table: the columns of :data:`STANDARD_COLUMNS` first, in that order and
        with their dtypes (a missing one all NA; unparseable years and dates become NA),
        then ``df``'s other columns in their order; a fresh RangeIndex.
    """
    out = df.copy()
    for col, dtype in STANDARD_COLUMNS.items():
        if col not in out.columns:
            out[col] = pd.NA
        if col == "source" and source is not None:
            out[col] = out[col].fillna(source) if out[col].notna().any() else source
        if dtype == "datetime64[ns]":
            out[col] = pd.to_datetime(out[col], errors="coerce").astype("datetime64[ns]")
        elif dtype == "Int64":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
        else:
            out[col] = out[col].astype(dtype)
    extra = [c for c in out.columns if c not in STANDARD_COLUMNS]
    return out[[*STANDARD_COLUMNS, *extra]].reset_index(drop=True)


def validate_corpus(df: pd.DataFrame, *, allow_empty_text: bool = False) -> pd.DataFrame:
    """Check a corpus table and return it unchanged.

    Checks: the standard columns exist; ``doc_id`` is present and unique; ``text`` is
    present, a string and not empty (unless ``allow_empty_text``); ``year`` is a
    plausible integer; ``date`` parses; ``year`` agrees with ``date``.

    Parameters
    ----------
    df : DataFrame of shape (n_docs, n_columns)
        The corpus table.
    allow_empty_text : bool, default=False
        Accept documents whose text is empty or only whitespace.

    Returns
    -------
    DataFrame
        ``df`` itself, so the call can be chained.

    Raises
    ------
    CorpusValidationError
        Naming the first offending rows and saying how to fix them.
    """
    if not isinstance(df, pd.DataFrame):
        raise CorpusValidationError(
            f"A corpus table must be a pandas DataFrame, got {type(df).__name__}."
        )
    missing = [c for c in STANDARD_COLUMNS if c not in df.columns]
    if missing:
        raise CorpusValidationError(
            f"The corpus table lacks the standard columns {missing}. Pass it through "
            "toolkit.corpora.standardize_columns(df) to add them as NA."
        )
    if df.empty:
        raise CorpusValidationError("The corpus table has no documents.")
    na_id = df["doc_id"].isna()
    if na_id.any():
        raise CorpusValidationError(
            f"Missing doc_id in {_rows(df, na_id)}. Give every document a unique id."
        )
    dup = df["doc_id"].duplicated(keep=False)
    if dup.any():
        raise CorpusValidationError(
            f"Duplicate doc_id in {_rows(df, dup)}. Make ids unique, e.g. by adding the "
            "year or a running number."
        )
    na_text = df["text"].isna()
    if na_text.any():
        raise CorpusValidationError(
            f"Missing text in {_rows(df, na_text)}. Drop these rows or fill their text."
        )
    if isinstance(df["text"].dtype, pd.StringDtype):
        not_str = pd.Series(False, index=df.index)
    else:
        not_str = ~df["text"].map(lambda t: isinstance(t, str))
    if not_str.any():
        raise CorpusValidationError(
            f"Non-string text in {_rows(df, not_str)}. Convert text to str before loading."
        )
    if not allow_empty_text:
        text = df["text"].astype("string[pyarrow]")
        empty = ((text.str.len() == 0) | text.str.isspace()).fillna(False).astype(bool)
        if empty.any():
            raise CorpusValidationError(
                f"Empty text in {_rows(df, empty)}. Drop these rows, or pass "
                "allow_empty_text=True to keep them."
            )
    year = pd.to_numeric(df["year"], errors="coerce")
    bad_year = df["year"].notna() & (year.isna() | (year < 1000) | (year > 2200))
    if bad_year.any():
        raise CorpusValidationError(
            f"Implausible year in {_rows(df, bad_year)}. Years must be integers like 1946."
        )
    date = pd.to_datetime(df["date"], errors="coerce")
    bad_date = df["date"].notna() & date.isna()
    if bad_date.any():
        raise CorpusValidationError(
            f"Unparseable date in {_rows(df, bad_date)}. Use ISO dates like 2023-04-14."
        )
    both = df["date"].notna() & df["year"].notna() & date.notna()
    mismatch = both & (date.dt.year != year)
    if mismatch.any():
        raise CorpusValidationError(
            f"year disagrees with date in {_rows(df, mismatch)}. Fix one of the two."
        )
    return df

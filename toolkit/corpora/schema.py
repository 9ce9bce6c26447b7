"""The corpus table: one row per document, standard columns, validated.

Every loader returns a :class:`pandas.DataFrame` with the columns in
:data:`STANDARD_COLUMNS` first (filled where the source knows them, NA elsewhere),
then any extra metadata columns. :func:`validate_corpus` checks the table and raises
:class:`CorpusValidationError` naming the offending rows and how to fix them.

Dates are parsed once, here (:func:`standardize_dates`, called by
:func:`standardize_columns`): time-zone-aware values are converted to UTC and stored
tz-naive, the original string is kept in ``date_raw`` where it carried a time zone, and a
value that cannot be parsed is an error naming the rows and values, or, on request, a
counted warning or skip, never a silent ``NaT``.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Literal

import pandas as pd

from toolkit._validation import check_option, require_columns
from toolkit.exceptions import BadDateWarning, CorpusValidationError

__all__ = [
    "STANDARD_COLUMNS",
    "BadDateWarning",
    "CorpusValidationError",
    "OnBadDate",
    "check_on_bad_date",
    "record_bad_dates",
    "require_columns",
    "standardize_columns",
    "standardize_dates",
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


# --------------------------------------------------------------------------- dates

#: What a loader does with a date it cannot parse: an error, a counted warning (the
#: document is kept with no date) or a counted skip (the document is dropped).
OnBadDate = Literal["raise", "warn", "skip"]

#: A time of day followed by a time zone: ``Z``, ``UTC``/``GMT`` or an offset.
_TZ_SUFFIX = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$",
    re.IGNORECASE,
)
#: A value must name a year to be parsed by the fallback (``"12:00"`` would be today).
_HAS_YEAR = re.compile(r"\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}")


def check_on_bad_date(on_bad_date: Any) -> OnBadDate:
    """Return ``on_bad_date`` when it is ``"raise"``, ``"warn"`` or ``"skip"``; else raise.

    Parameters
    ----------
    on_bad_date : str
        The value passed to a loader.

    Returns
    -------
    {"raise", "warn", "skip"}
        ``on_bad_date`` unchanged.

    Raises
    ------
    ValueError
        Any other value, with a "did you mean".
    """
    return check_option("on_bad_date", on_bad_date, ("raise", "warn", "skip"))


def _date_string(value: Any) -> str | None:
    """One date value as a stripped string; ``None`` when missing or blank."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):  # datetime, date, Timestamp
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _parse_date_column(
    values: pd.Series, *, date_format: str | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(dates, raw, bad)``: tz-naive UTC dates, the strings that carried a time zone
    (NA elsewhere) and the mask of present values that could not be parsed."""
    index = values.index
    none = pd.Series(False, index=index)
    no_raw = pd.Series(pd.NA, index=index, dtype="string[pyarrow]")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        raw = values.map(lambda t: t.isoformat(), na_action="ignore").astype("string[pyarrow]")
        dates = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return dates.astype("datetime64[ns]"), raw, none
    if pd.api.types.is_datetime64_dtype(values.dtype) or values.isna().all():
        return values.astype("datetime64[ns]"), no_raw, none
    strings = values.map(_date_string).astype(object)
    present = strings.notna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' "could not infer format"
        parsed = pd.to_datetime(strings, format=date_format or "ISO8601", utc=True,
                                errors="coerce")
        retry = present & parsed.isna() & strings.map(
            lambda s: s is not None and bool(_HAS_YEAR.search(s)))
        if date_format is None and retry.any():  # other layouts, one value at a time
            parsed[retry] = pd.to_datetime(strings[retry], format="mixed", utc=True,
                                           errors="coerce")
    bad = present & parsed.isna()
    zoned = strings.map(lambda s: s is not None and bool(_TZ_SUFFIX.search(s))) & ~bad
    raw = strings.where(zoned, None).astype("string[pyarrow]")
    return parsed.dt.tz_localize(None).astype("datetime64[ns]"), raw, bad


def _bad_date_message(problems: list[dict[str, str]], *, source: str | None,
                      date_format: str | None) -> str:
    shown = "; ".join(
        f"{p['file']} (doc_id={p['doc_id']!r}): {p['value']!r}" if p.get("doc_id")
        else f"{p['file']}: {p['value']!r}"
        for p in problems[:10]
    )
    more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
    how = (
        f"They do not match date_format={date_format!r}: fix them in the source or "
        "correct date_format"
        if date_format else
        "Fix them in the source, or, if they share one layout, pass date_format=... (a "
        "pd.to_datetime format such as '%d/%m/%Y' or '%d.%m.%Y %H:%M')"
    )
    return (
        f"{source + ': ' if source else ''}{len(problems)} date(s) cannot be parsed: "
        f"{shown}{more}. {how}. To load anyway, pass on_bad_date='warn' (these documents "
        "keep no date; counted in attrs['corpus']['warnings']) or on_bad_date='skip' (they "
        "are dropped; counted in attrs['corpus']['skipped'])."
    )


def standardize_dates(
    df: pd.DataFrame,
    *,
    date_format: str | None = None,
    on_bad_date: OnBadDate = "raise",
    row_labels: pd.Series | None = None,
    source: str | None = None,
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Parse the ``date`` column: UTC, tz-naive, with bad values named, never silent.

    Parameters
    ----------
    df : DataFrame
        A table, usually with a ``date`` column (strings, datetimes or both). Without one
        it is returned as a copy.
    date_format : str or None, default=None
        A :func:`pandas.to_datetime` ``format`` (e.g. ``"%d/%m/%Y"``) every date must
        follow. Default: ISO 8601 (dates, times, ``Z`` or ``+02:00`` offsets, mixed
        offsets), then any other layout pandas recognises, value by value.
    on_bad_date : {"raise", "warn", "skip"}, default="raise"
        A present value that cannot be parsed (``"2023-02-30"``, ``"yesterday"``, a year
        outside 1677-2262): ``"raise"`` a :class:`CorpusValidationError` naming the rows
        and values; ``"warn"`` keep the document with ``date`` NaT; ``"skip"`` drop it.
        The last two return the problems for the caller to count.
    row_labels : Series or None, default=None
        A label per row of ``df`` (same index) for messages, e.g. ``"t.csv:row 3"``.
        Default ``"row <index>"``.
    source : str or None, default=None
        Named at the start of the error message.

    Returns
    -------
    df : DataFrame
        A new table: ``date`` as ``datetime64[ns]`` in UTC, tz-naive; a ``date_raw``
        string column (the original value where it carried a time zone, NA elsewhere)
        when any value did and ``df`` has no ``date_raw`` already; bad rows dropped with
        ``on_bad_date="skip"``.
    problems : list of dict
        One ``{"file", "doc_id", "value", "reason"}`` per unparseable date (``file`` is
        the row label); empty with ``on_bad_date="raise"`` (which raises instead).

    Raises
    ------
    CorpusValidationError
        Unparseable dates with ``on_bad_date="raise"``.
    """
    check_on_bad_date(on_bad_date)
    out = df.copy()
    if "date" not in out.columns:
        return out, []
    dates, raw, bad = _parse_date_column(out["date"], date_format=date_format)
    out["date"] = dates
    if raw.notna().any() and "date_raw" not in out.columns:
        out.insert(out.columns.get_loc("date") + 1, "date_raw", raw)
    if not bad.any():
        return out, []
    labels = row_labels if row_labels is not None else pd.Series(
        [f"row {i}" for i in df.index], index=df.index)
    ids = df["doc_id"] if "doc_id" in df.columns else pd.Series(None, index=df.index)
    problems = [
        {"file": str(labels.loc[i]),
         "doc_id": None if pd.isna(ids.loc[i]) else str(ids.loc[i]),
         "value": str(_date_string(df["date"].loc[i])),
         "reason": "unparseable date"}
        for i in df.index[bad.to_numpy()]
    ]
    if on_bad_date == "raise":
        raise CorpusValidationError(
            _bad_date_message(problems, source=source, date_format=date_format))
    if on_bad_date == "skip":
        out = out.loc[~bad.to_numpy()]
    return out, problems


def record_bad_dates(
    df: pd.DataFrame, problems: list[dict[str, str]], *, on_bad_date: OnBadDate,
    source: str | None = None, stacklevel: int = 2,
) -> pd.DataFrame:
    """Count unparseable dates in ``df.attrs["corpus"]`` and warn once.

    Parameters
    ----------
    df : DataFrame
        The table the problems belong to; its ``attrs`` are replaced (not mutated).
    problems : list of dict
        As :func:`standardize_dates` returns them.
    on_bad_date : {"warn", "skip"}
        Where they go: ``attrs["corpus"]["warnings"]`` or ``["skipped"]``.
    source : str or None, default=None
        Named at the start of the warning.
    stacklevel : int, default=2
        Passed to :func:`warnings.warn`.

    Returns
    -------
    DataFrame
        ``df`` itself.
    """
    if not problems:
        return df
    key = "skipped" if on_bad_date == "skip" else "warnings"
    info = dict(df.attrs.get("corpus", {}))
    info[key] = [*info.get(key, []), *problems]
    df.attrs["corpus"] = info
    first = problems[0]
    done = ("dropped them" if on_bad_date == "skip"
            else "kept them with no date")
    warnings.warn(
        f"{source + ': ' if source else ''}{len(problems)} date(s) cannot be parsed "
        f"(e.g. {first['file']}: {first['value']!r}); {done} (on_bad_date="
        f"{on_bad_date!r}). They are listed in df.attrs['corpus'][{key!r}]. Pass "
        "date_format=... if they share one layout.",
        BadDateWarning,
        stacklevel=stacklevel + 1,
    )
    return df


def standardize_columns(
    df: pd.DataFrame,
    *,
    source: str | None = None,
    date_format: str | None = None,
    on_bad_date: OnBadDate = "raise",
) -> pd.DataFrame:
    """Return a copy with every standard column present (NA where missing), typed, first.

    Parameters
    ----------
    df : DataFrame
        At least ``doc_id`` and ``text``.
    source : str or None, default=None
        Fills the ``source`` column where it is missing or NA.
    date_format : str or None, default=None
        A :func:`pandas.to_datetime` format every ``date`` must follow; default ISO 8601
        and then any layout pandas recognises (see :func:`standardize_dates`).
    on_bad_date : {"raise", "warn", "skip"}, default="raise"
        A ``date`` that cannot be parsed is an error naming the rows and values; with
        ``"warn"`` the document keeps no date, with ``"skip"`` it is dropped, and both
        are counted in ``attrs["corpus"]["warnings"]`` / ``["skipped"]`` with a
        :class:`~toolkit.exceptions.BadDateWarning`.

    Returns
    -------
    DataFrame of shape (n_docs, n_columns)
        A new table: the columns of :data:`STANDARD_COLUMNS` first, in that order and
        with their dtypes (a missing one all NA; unparseable years become NA; dates are
        UTC and tz-naive), then ``date_raw`` when a date carried a time zone (its original
        string), then ``df``'s other columns in their order; ``year`` filled from
        ``date`` where missing; a fresh RangeIndex.

    Raises
    ------
    CorpusValidationError
        Unparseable dates with ``on_bad_date="raise"``.
    """
    out, problems = standardize_dates(df, date_format=date_format, on_bad_date=on_bad_date)
    for col, dtype in STANDARD_COLUMNS.items():
        if col not in out.columns:
            out[col] = pd.NA
        if col == "source" and source is not None:
            out[col] = out[col].fillna(source) if out[col].notna().any() else source
        if dtype == "datetime64[ns]":
            out[col] = out[col].astype("datetime64[ns]")
        elif dtype == "Int64":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
        else:
            out[col] = out[col].astype(dtype)
    fill = out["year"].isna() & out["date"].notna()
    if fill.any():
        out.loc[fill, "year"] = out.loc[fill, "date"].dt.year.astype("Int64")
    first = ["date_raw"] if "date_raw" in out.columns else []
    extra = [c for c in out.columns if c not in STANDARD_COLUMNS and c not in first]
    out = out[[*STANDARD_COLUMNS, *first, *extra]].reset_index(drop=True)
    return record_bad_dates(out, problems, on_bad_date=on_bad_date, source=source)


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
    if isinstance(df["date"].dtype, pd.DatetimeTZDtype):
        raise CorpusValidationError(
            f"The date column is time-zone aware ({df['date'].dtype}); corpus dates are "
            "stored in UTC without a time zone. Pass the table through "
            "toolkit.corpora.standardize_columns(df) to convert them."
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

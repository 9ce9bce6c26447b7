"""One vocabulary for ``period=``: how documents are grouped in time, everywhere.

Every function of the toolkit that takes ``period=`` (keyword trends, mention series,
topic prevalence, similarity panels, Wordscores by period, external measures, plots and
reports) passes it to :func:`assign_period`, so a value means the same thing everywhere:

=====================  ==================================================  ==================
``period``             meaning                                             label of a period
=====================  ==================================================  ==================
``None`` or ``"all"``  one period holding every document                   ``"all"``
``"year"``             calendar year (the ``year`` column)                 the year (Int64)
``"decade"``           1990-1999 ...                                       first year (Int64)
``N`` (int >= 1)       N-year bins aligned on multiples of N               first year (Int64)
a column name          the values of that column, as they are              the value
a pandas frequency     ``"M"``, ``"Q"``, ``"W"``, ``"Y"``... of ``date``   period start (Timestamp)
a callable             ``period(table)`` returns one label per row         the value
=====================  ==================================================  ==================

The names are resolved in that order: ``"year"`` and ``"decade"`` are vocabulary even when
the table has a column of that name (the values agree), then a column name wins over a
pandas frequency. An integer N bins years as ``year // N * N``, so ``period=5`` puts
1993 in the bin labelled 1990 ("1990–1994").

:func:`period_label` names a period for prose and figures ("1990s", "Q1 2023",
"February 2023", "1990–1994"), :func:`period_name` names the kind of period ("decade",
"month", "5-year period"), and :func:`period_range` lists every period between two labels,
including those without documents.

This module imports nothing from the toolkit; any stage may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Period",
    "assign_period",
    "corpus_span",
    "default_period",
    "is_year_period",
    "period_label",
    "period_name",
    "period_range",
    "period_width",
]

#: What ``period=`` accepts (see the module docstring).
Period = str | int | Callable[[pd.DataFrame], Any] | None

_FREQ_NAMES = {
    "D": "day", "W": "week", "M": "month", "MS": "month", "ME": "month",
    "Q": "quarter", "QS": "quarter", "QE": "quarter", "Y": "year", "A": "year",
    "YS": "year", "YE": "year", "year": "year", "decade": "decade",
}


def _is_int(period: Any) -> bool:
    return isinstance(period, Integral) and not isinstance(period, bool)


def is_year_period(period: Period) -> bool:
    """Whether ``period`` bins the ``year`` column: ``"year"``, ``"decade"`` or an int.

    Parameters
    ----------
    period : str or int or callable or None
        A ``period=`` value.

    Returns
    -------
    bool
        True when the period labels are first years (Int64).
    """
    return (isinstance(period, str) and period in ("year", "decade")) or _is_int(period)


def period_width(period: Period) -> int | None:
    """The number of years per period for year-based periods, else None.

    Parameters
    ----------
    period : str or int or callable or None
        A ``period=`` value.

    Returns
    -------
    int or None
        1 for ``"year"``, 10 for ``"decade"``, N for an int N, None otherwise.
    """
    if period == "year":
        return 1
    if period == "decade":
        return 10
    if _is_int(period):
        return int(period)
    return None


def _years(table: pd.DataFrame, period: Period) -> pd.Series:
    if "year" in table.columns:
        return pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    if "date" in table.columns:
        return pd.to_datetime(table["date"], errors="coerce").dt.year.astype("Int64")
    raise ValueError(
        f"period={period!r} needs a 'year' or 'date' column; the table has "
        f"{list(table.columns)}."
    )


def assign_period(table: pd.DataFrame, period: Period) -> pd.Series:
    """Map each row of ``table`` to its period label.

    Parameters
    ----------
    table : DataFrame
        A corpus table (or any table) with the columns the period needs: ``year`` (or
        ``date``) for year-based periods, ``date`` for a pandas frequency.
    period : {"year", "decade"} or int or str or callable or None
        See the module docstring: ``"year"``, ``"decade"``, an int N (N-year bins), a
        column name, a pandas frequency (``"M"``, ``"Q"``...) applied to ``date``, a
        callable returning one label per row, or None / ``"all"`` for one period.

    Returns
    -------
    Series of shape (n_rows,)
        Indexed like ``table``. Int64 first years for year-based periods, period-start
        Timestamps for frequencies, ``"all"`` for None; missing years or dates give NA.

    Raises
    ------
    ValueError
        When the period is not understood, or the table lacks the column it needs.
    """
    if period is None or (isinstance(period, str) and period == "all"):
        return pd.Series("all", index=table.index, dtype=object)
    if isinstance(period, bool):
        raise ValueError(f"period={period!r} is a bool; pass 'year', 'decade', an int ...")
    if callable(period):
        values = np.asarray(period(table))
        if len(values) != len(table):
            raise ValueError(
                f"The period callable returned {len(values)} labels for {len(table)} rows; "
                "it must return one label per row."
            )
        return pd.Series(values, index=table.index)
    width = period_width(period)
    if width is not None:
        if width < 1:
            raise ValueError(f"An integer period is a number of years >= 1, got {period}.")
        year = _years(table, period)
        return year if width == 1 else (year // width) * width
    if not isinstance(period, str):
        raise ValueError(
            f"Unsupported period {period!r}: pass 'year', 'decade', an int number of years, "
            "a column name, a pandas frequency ('M', 'Q'...), a callable or None."
        )
    if period in table.columns:
        return table[period]
    if "date" not in table.columns:
        raise ValueError(
            f"period={period!r} is neither a column of the table ({list(table.columns)}) nor "
            "usable as a date frequency: there is no 'date' column. Use period='year' or "
            "'decade', or name a column."
        )
    date = pd.to_datetime(table["date"], errors="coerce")
    try:
        return date.dt.to_period(period).dt.start_time
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"period={period!r} is neither 'year', 'decade', an int number of years, a column "
            f"of the table, nor a pandas frequency ('M', 'Q', 'Y'...): {exc}"
        ) from exc


def period_name(period: Period) -> str:
    """Name the kind of period for prose: ``"month"``, ``"decade"``, ``"5-year period"``.

    Parameters
    ----------
    period : str or int or callable or None
        A ``period=`` value.

    Returns
    -------
    str
        ``"year"`` for 1 or ``"year"``, ``"N-year period"`` for an int N, the unit of a
        pandas frequency, else ``"period"``.
    """
    if _is_int(period):
        return "year" if period == 1 else f"{period}-year period"
    return _FREQ_NAMES.get(str(period), "period")


def period_label(value: Any, period: Period = "year") -> str:
    """Name one period for prose: "February 2023", "Q1 2023", "2023", "1990s", "1990–1994".

    Parameters
    ----------
    value : int or Timestamp or str
        A period label as :func:`assign_period` gives it (for year bins, the first year).
    period : {"year", "decade"} or int or str or None, default="year"
        How the periods were made. A value that is not a period of that kind (e.g.
        "all", or the value of a column) is returned as text.

    Returns
    -------
    str
        The name; ``""`` for a missing value.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    width = period_width(period)
    if width is not None:
        if isinstance(value, (pd.Timestamp, np.datetime64)):
            value = pd.Timestamp(value).year
        try:
            start = int(value)
        except (TypeError, ValueError):
            return str(value)
        if period == "decade":
            return f"{start}s"
        return str(start) if width == 1 else f"{start}–{start + width - 1}"
    if period is None or period == "all" or not isinstance(period, str):
        return str(value)
    if period not in _FREQ_NAMES:
        try:
            pd.tseries.frequencies.to_offset(period)
        except ValueError:  # a column name: its values are their own labels
            return str(value)
    ts = pd.Timestamp(value)
    name = period_name(period)
    if name == "month":
        return ts.strftime("%B %Y")
    if name == "quarter":
        return f"Q{ts.quarter} {ts.year}"
    if name == "year":
        return str(ts.year)
    return ts.strftime("%d %B %Y")


def period_range(labels: Sequence[Any] | pd.Series, period: Period) -> list:
    """Every period label from the first to the last of ``labels``, in order.

    Parameters
    ----------
    labels : sequence or Series
        Period labels as :func:`assign_period` gives them (NA ignored).
    period : {"year", "decade"} or int or str
        How they were made: year-based (ints) or a pandas frequency (Timestamps).

    Returns
    -------
    list
        Ints for year-based periods, period-start Timestamps for a frequency; empty when
        ``labels`` holds no label.

    Raises
    ------
    ValueError
        For a column or callable period, which has no natural sequence.
    """
    values = pd.Series(labels).dropna()
    if values.empty:
        return []
    width = period_width(period)
    if width is not None:
        return list(range(int(values.min()), int(values.max()) + 1, width))
    if not isinstance(period, str):
        raise ValueError(f"period={period!r} has no natural sequence of periods.")
    first = pd.Timestamp(values.min())
    rng = pd.period_range(first, pd.Timestamp(values.max()), freq=first.to_period(period).freq)
    return list(rng.start_time)


#: The spans (in years) below which :func:`default_period` chooses each period, in order.
DEFAULT_PERIOD_SPANS = ((2, "M"), (6, "Q"), (40, "year"))


def corpus_span(table: pd.DataFrame) -> tuple[float, str]:
    """The time a table spans, in years, and which column it was read from.

    Parameters
    ----------
    table : DataFrame
        A corpus table with ``date`` (used when it holds at least one date) or ``year``.

    Returns
    -------
    (float, str)
        The span in years (from the first to the last date, or ``last - first + 1``
        calendar years) and ``"date"`` or ``"year"``; ``(0.0, "year")`` without either.
    """
    if "date" in table.columns:
        dates = pd.to_datetime(table["date"], errors="coerce", utc=True).dropna()
        if len(dates):
            return (dates.max() - dates.min()).days / 365.25, "date"
    if "year" in table.columns:
        years = pd.to_numeric(table["year"], errors="coerce").dropna()
        if len(years):
            return float(years.max() - years.min() + 1), "year"
    return 0.0, "year"


def default_period(table: pd.DataFrame) -> str:
    """The period that suits a corpus's time span: month, quarter, year or decade.

    Parameters
    ----------
    table : DataFrame
        A corpus table with ``date`` or ``year`` (see :func:`corpus_span`).

    Returns
    -------
    str
        ``"M"`` for a span under 2 years, ``"Q"`` under 6, ``"year"`` under 40, else
        ``"decade"``. Months and quarters need dates: a table with years only gets
        ``"year"`` below 40 years.
    """
    span, source = corpus_span(table)
    for limit, period in DEFAULT_PERIOD_SPANS:
        if span < limit:
            return period if source == "date" or period == "year" else "year"
    return "decade"

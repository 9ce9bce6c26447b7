"""Sentences for results that are small or degenerate, so that they read as prose.

One period, one bloc, an undefined silhouette, an actor with one document: the notebooks
write these through the helpers here (re-exported by :mod:`toolkit.report.notebook`) instead
of printing "1 blocs of 2 actors (silhouette nan)" or "the last 5 years" over 2 periods.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.periods import period_label, period_name

__all__ = [
    "count_of",
    "describe_blocs",
    "describe_choice",
    "in_period",
    "last_periods",
    "periods_of",
    "single_period",
]


def _plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy", "uy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    return word + "s"


def count_of(n: int, word: str) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1: "1 document", "3 speeches".

    Parameters
    ----------
    n : int
        How many.
    word : str
        The singular noun.

    Returns
    -------
    str
    """
    n = int(n)
    return f"{n:,} {word if n == 1 else _plural(word)}"


def periods_of(n: int, period: Any) -> str:
    """A number of periods: "1 month", "8 months", "2 decades", "3 5-year periods".

    Parameters
    ----------
    n : int
        How many periods.
    period : str or int
        A ``period=`` value (see :mod:`toolkit.periods`).

    Returns
    -------
    str
    """
    return count_of(n, period_name(period))


def last_periods(n: int, period: Any) -> str:
    """ "the last month", "the last 3 months"; "the only month" when ``n`` is all there is.

    Parameters
    ----------
    n : int
        Periods counted (not years).
    period : str or int
        A ``period=`` value.

    Returns
    -------
    str
    """
    name = period_name(period)
    if n <= 1:
        return f"the last {name}"
    return f"the last {n} {_plural(name)}"


def in_period(value: Any, period: Any) -> str:
    """ "in the 1990s", "in 2023", "in April 2023", "in Q1 2023", "in 1990–1994".

    Parameters
    ----------
    value : int or Timestamp or str
        A period label as :func:`toolkit.periods.assign_period` gives it.
    period : str or int
        How the periods were made.

    Returns
    -------
    str
    """
    label = period_label(value, period)
    return f"in the {label}" if period == "decade" else f"in {label}"


def describe_blocs(bloc_table: pd.DataFrame, when: str) -> str:
    """The bloc finding of a period as a sentence, also for one bloc or a NaN silhouette.

    Parameters
    ----------
    bloc_table : DataFrame
        :func:`toolkit.alignment.bloc_summary` (``n_blocs``, ``silhouette``, ``actor``,
        ``bloc_size``, ``mates``; ``attrs["bloc_sizes"]``).
    when : str
        The period, as prose ("April 2023", "the 1990s").

    Returns
    -------
    str
        "In April 2023, 3 blocs of 4, 2 and 1 actors (silhouette 0.31): ..." or, when the
        silhouette is undefined, a sentence saying that the actors form no bloc structure.
    """
    sizes = [int(s) for s in bloc_table.attrs.get("bloc_sizes", [])]
    n_actors = sum(sizes)
    k = int(bloc_table["n_blocs"].max()) if len(bloc_table) else len(sizes)
    sil = float(bloc_table["silhouette"].max()) if len(bloc_table) else float("nan")
    members = "; ".join(
        f"{r.actor} (" + ("alone" if int(r.bloc_size) == 1 else f"bloc of {r.bloc_size}")
        + (f", with {r.mates}" if isinstance(r.mates, str) and r.mates else "") + ")"
        for r in bloc_table.itertuples())
    if k <= 1 or pd.isna(sil):
        why = (f"with {count_of(n_actors, 'actor')} there is nothing to cluster"
               if n_actors <= 2 else "every actor falls in one bloc")
        return (f"In {when}, the {count_of(n_actors, 'actor')} form no bloc structure: {why}, "
                "so the silhouette is undefined." + (f" {members}." if members else ""))
    size_text = (", ".join(map(str, sizes[:-1])) + f" and {sizes[-1]}") if len(sizes) > 1 \
        else str(sizes[0])
    weak = "; weak structure" if sil < 0.25 else ""
    return (f"In {when}, {k} blocs of {size_text} actors (silhouette {sil:.2f}{weak}): "
            f"{members}.")


def describe_choice(
    chosen: list[str], named: Any = None, preferred: Any = None, *, what: str = "focus actors",
) -> str:
    """Say how :func:`toolkit.report.notebook.choose_actors` chose: named, preferred, neutral.

    Parameters
    ----------
    chosen : list of str
        The actors chosen.
    named : sequence of str or None, default=None
        The actors named in the parameters (``actors``).
    preferred : sequence of str or None, default=None
        The research preference of ``reports.yml`` (``preferred_actors``).
    what : str, default="focus actors"
        What the actors are, for the sentence.

    Returns
    -------
    str
        E.g. "The focus actors are the 2 actors with the most documents (CAN, DEU): the
        corpus has fewer than two of the preferred actors (CHN, USA, ...)."
    """
    listed = ", ".join(map(str, chosen))
    if named is not None:
        return f"The {what} are {listed}, as named in the parameters."
    pref = [preferred] if isinstance(preferred, str) else list(preferred or [])
    if pref and all(a in pref for a in chosen):
        return (f"The {what} are {listed}: those of the preferred actors of reports.yml "
                f"({', '.join(pref)}) that the corpus has.")
    why = (f"the corpus has fewer than two of the preferred actors ({', '.join(pref)})"
           if pref else "no preference is set")
    return (f"The {what} are the {count_of(len(chosen), 'actor')} with the most documents "
            f"({listed}): {why}.")


def single_period(labels: Any, period: Any) -> str:
    """A sentence for a series with one period only, else ``""``.

    Parameters
    ----------
    labels : sequence or Series
        The period labels of a series (NA ignored).
    period : str or int
        How the periods were made.

    Returns
    -------
    str
        E.g. " The corpus has a single decade (the 2020s): there is no change over time to
        read." (with a leading space, to append to a finding); ``""`` for two or more periods.
    """
    values = pd.Series(labels).dropna().unique()
    if len(values) != 1:
        return ""
    label = ("the " if period == "decade" else "") + period_label(values[0], period)
    return (f" The corpus has a single {period_name(period)} ({label}): there is no change "
            "over time to read.")

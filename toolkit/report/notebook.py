"""What a report notebook calls: corpus loading, choices from the data, prose, findings, figures.

These thin helpers keep the notebooks free of logic:

* :func:`load_corpus` resolves ``"auto"`` (UNGDC when the data home has it, else the
  embedded ``sotu`` corpus, recording the fallback) and keeps the ``years`` asked for;
  :func:`corpus_card` shows the corpus card.
* :func:`choose_actors`, :func:`choose_pairs`, :func:`choose_references` and
  :func:`choose_period` turn the parameters of a report into actors, dyads, reference
  scores and a period. They are neutral: the research preferences (which states, which
  dyads) come from the caller (``reports.yml`` through the notebook's parameters); without
  them the actors with most documents are chosen.
* :func:`prose` renders computed numbers into Markdown with corpus strings escaped,
  :class:`Findings` records the key sentences and tables of a notebook next to its HTML,
  :func:`save_table` writes a table deterministically (CSV and LaTeX), :func:`figure`
  shows a figure with its caption and saves it as PNG, SVG and PDF (these four live in
  :mod:`toolkit.report.findings`); :func:`optional` and :func:`pairs_in` say in the
  report what is missing instead of failing.

The build side (papermill, nbconvert, the index page) is :mod:`toolkit.report.build`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit import corpora
from toolkit._validation import renamed_parameters
from toolkit.config import get_data_home
from toolkit.periods import period_label
from toolkit.report.findings import (  # noqa: F401  (_check_labels: used by tests)
    Findings,
    _check_labels,
    figure,
    prose,
    record_source,
    save_table,
)
from toolkit.report.period_choice import (
    choose_panel_period,
    choose_period,
    choose_trend_period,
    recent_split,
)
from toolkit.report.sentences import (
    count_of,
    describe_blocs,
    describe_choice,
    in_period,
    last_periods,
    periods_of,
    single_period,
)

__all__ = [
    "FALLBACK_CORPUS",
    "PREFERRED_CORPUS",
    "Findings",
    "choose_actors",
    "choose_pairs",
    "choose_panel_period",
    "choose_period",
    "choose_references",
    "choose_trend_period",
    "corpus_card",
    "count_of",
    "describe_blocs",
    "describe_choice",
    "describe_validation",
    "figure",
    "in_period",
    "last_periods",
    "load_corpus",
    "optional",
    "pairs_in",
    "period_label",
    "periods_of",
    "prose",
    "recent_split",
    "resolve_corpus_name",
    "save_table",
    "seat_notes",
    "similarity_intervals",
    "single_period",
]

#: The embedded corpus a run falls back to when UNGDC is not in the data home.
FALLBACK_CORPUS = "sotu"
#: The corpus ``"auto"`` stands for when the data home has it.
PREFERRED_CORPUS = "ungdc"


# ---------------------------------------------------------------------------
# choices from the data
# ---------------------------------------------------------------------------


def choose_actors(
    corpus: pd.DataFrame,
    actors: Sequence[str] | None = None,
    *,
    preferred: Sequence[str] | str | None = None,
    n: int = 7,
    min_docs: int = 1,
) -> list[str]:
    """Return the actors a report focuses on.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``actor`` column).
    actors : sequence of str or None, default=None
        Actors named in the parameters; each must have at least ``min_docs``
        documents (else a ValueError lists the most frequent actors).
    preferred : sequence of str or str or None, default=None
        A research preference (``preferred_actors`` in ``reports.yml``), used when
        ``actors`` is None: those of them present in the corpus (with ``min_docs``
        documents), in this order. No code is substituted for another. When fewer than
        two of them are present (or none, when only one is preferred; another corpus,
        e.g. the embedded sotu with parties as actors), or when None, the choice is
        neutral: the ``n`` actors with most documents.
    n : int, default=7
        How many actors the neutral choice takes.
    min_docs : int, default=1
        Documents an actor needs to be chosen.

    Returns
    -------
    list of str
        Actor codes; ties in the number of documents are broken by code.
    """
    counts = corpus["actor"].dropna().astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    ok = counts[counts >= min_docs]
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        missing = [a for a in actors if a not in ok.index]
        if missing:
            raise ValueError(
                f"Actor(s) {missing} have fewer than {min_docs} document(s) in this corpus. "
                f"Actors with most documents: {list(ok.index[:15])}. Change `actors` in "
                "reports.yml (or null to choose from the data)."
            )
        return actors
    if preferred is not None:
        preferred = [preferred] if isinstance(preferred, str) else list(preferred)
        chosen = [a for a in preferred if a in ok.index]
        if chosen and len(chosen) >= min(2, len(preferred)):
            return chosen
    return list(ok.index[:n])


def choose_pairs(
    actors: Sequence[str],
    pairs: Sequence[Sequence[str]] | None = None,
    *,
    preferred: Sequence[Sequence[str]] | None = None,
    n: int = 3,
) -> list[tuple[str, str]]:
    """Return the dyads a report follows.

    Parameters
    ----------
    actors : sequence of str
        The report's focus actors (see :func:`choose_actors`), first = most important.
    pairs : sequence of (str, str) or None, default=None
        Dyads named in the parameters; both actors must be in ``actors``.
    preferred : sequence of (str, str) or None, default=None
        A research preference (``preferred_pairs`` in ``reports.yml``), used when
        ``pairs`` is None: those of its dyads whose two actors are focus actors.
    n : int, default=3
        When no preferred dyad qualifies, or ``preferred`` is None, the neutral choice:
        the first ``n`` pairs of the first three focus actors.

    Returns
    -------
    list of (str, str)
    """
    actors = list(actors)
    if pairs is not None:
        out = [tuple(p) for p in pairs]
        bad = [p for p in out if len(p) != 2 or p[0] not in actors or p[1] not in actors]
        if bad:
            raise ValueError(
                f"Pair(s) {bad} are not pairs of the focus actors {actors}; add the actors to "
                "`actors` in reports.yml or change `pairs`."
            )
        return out
    chosen = [tuple(p) for p in preferred or () if p[0] in actors and p[1] in actors]
    if chosen:
        return chosen
    head = actors[:3]
    return [(a, b) for i, a in enumerate(head) for b in head[i + 1:]][:n]


def choose_references(
    actors: Sequence[str],
    references: Mapping[str, float] | None = None,
    *,
    preferred: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Return the reference actors and scores of a Wordscores dimension.

    Parameters
    ----------
    actors : sequence of str
        The report's focus actors, first = most important.
    references : mapping of str to float or None, default=None
        Reference scores named in the parameters; returned as they are.
    preferred : mapping of str to float or None, default=None
        A research preference (``preferred_references`` in ``reports.yml``, e.g.
        ``{RUS: -1, USA: 1}``), used when ``references`` is None and every actor of it
        is a focus actor.

    Returns
    -------
    dict of str to float
        Otherwise the neutral choice: the first two focus actors at -1 and +1.

    Raises
    ------
    ValueError
        When a neutral choice is needed and there are fewer than two focus actors.
    """
    actors = list(actors)
    if references is not None:
        return {str(k): float(v) for k, v in references.items()}
    if preferred and all(a in actors for a in preferred):
        return {str(k): float(v) for k, v in preferred.items()}
    if len(actors) < 2:
        raise ValueError(
            f"Wordscores needs two reference actors; the focus actors are {actors}. Set "
            "`references` (e.g. {RUS: -1, USA: 1}) in reports.yml."
        )
    return {actors[0]: -1.0, actors[1]: 1.0}


# ---------------------------------------------------------------------------
# what is missing
# ---------------------------------------------------------------------------


def pairs_in(panel: pd.DataFrame, pairs: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Keep the dyads of ``pairs`` that occur in ``panel``; say which were dropped.

    Parameters
    ----------
    panel : DataFrame
        A similarity panel (``actor_a``, ``actor_b``).
    pairs : sequence of (str, str)
        The dyads wanted (see :func:`choose_pairs`), in either order of the two actors.

    Returns
    -------
    list of (str, str)
        In the given order. Dropped pairs are named in a notice shown in the report.
    """
    from IPython.display import Markdown, display

    present = set(zip(panel["actor_a"].astype(str), panel["actor_b"].astype(str)))
    keep = [tuple(p) for p in pairs
            if (str(p[0]), str(p[1])) in present or (str(p[1]), str(p[0])) in present]
    dropped = [tuple(p) for p in pairs if tuple(p) not in keep]
    if dropped:
        display(Markdown(
            "*Not in this panel (no period in which both actors speak): "
            + html.escape(", ".join(f"{a}–{b}" for a, b in dropped)) + ".*"
        ))
    return keep


def optional(func, *args: Any, what: str, **kwargs: Any):
    """Call ``func``; when its data is missing, say so in the report and return None.

    Only a :class:`FileNotFoundError` (which the loaders of external data and corpora
    raise, with the place to put the file) is caught; any other error propagates.

    Parameters
    ----------
    func : callable
        A loader such as :func:`toolkit.external.load_unvotes`.
    *args, **kwargs
        Passed to ``func``.
    what : str
        What the data is ("UN General Assembly votes"), for the notice.

    Returns
    -------
    object or None
        The result of ``func``, or None (after displaying a notice). A corpus or external
        table it returns is recorded for "How to cite" (:func:`record_source`).
    """
    from IPython.display import HTML, display

    try:
        result = func(*args, **kwargs)
    except FileNotFoundError as exc:
        display(HTML(
            '<div class="fptk-missing" style="border-left:4px solid #c77800;background:#fff4e5;'
            f'padding:0.4em 1em"><strong>{html.escape(what)} not available</strong>: '
            f"{html.escape(str(exc))} The sections that need it are skipped.</div>"
        ))
        return None
    record_source(result)  # for "How to cite" on the index page
    return result


# ---------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------


def resolve_corpus_name(corpus: str = "auto") -> tuple[str, str | None]:
    """Resolve ``"auto"`` to the corpus a run uses.

    Parameters
    ----------
    corpus : str, default="auto"
        ``"auto"``, a registered corpus name or a path.

    Returns
    -------
    name : str
        The corpus to load.
    fallback_reason : str or None
        Why the embedded corpus is used instead of UNGDC, or None when no fallback
        happened (an explicit name is never a fallback).
    """
    if corpus != "auto":
        return corpus, None
    name = corpora.default_corpus_name()
    if name == PREFERRED_CORPUS:
        return name, None
    return name, (
        f"UNGDC was not found in the data home ({get_data_home()}); set FPTK_DATA_HOME to "
        "the folder holding ungdc/ or run `fptk fetch ungdc`."
    )


@renamed_parameters(period="years")
def load_corpus(
    corpus: str = "auto", *, years: Sequence[int | None] | None = None, **kwargs: Any
) -> pd.DataFrame:
    """Load the corpus a report analyses, restricted to ``years``.

    Parameters
    ----------
    corpus : str, default="auto"
        ``"auto"`` (UNGDC when available, else the embedded corpus), a corpus name
        known to :func:`toolkit.corpora.load_corpus`, or a path to a folder or table.
    years : [first_year, last_year] or None, default=None
        Inclusive year range; either end may be None. None keeps every year. The old
        name ``period=`` still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning` (``period`` means grouping
        everywhere else).
    **kwargs
        Passed to :func:`toolkit.corpora.load_corpus`.

    Returns
    -------
    DataFrame
        The corpus table. ``attrs["corpus"]`` gains ``requested``, ``fallback``,
        ``fallback_reason`` and ``years`` (read by :mod:`toolkit.provenance`).
    """
    name, reason = resolve_corpus_name(corpus)
    df = corpora.load_corpus(name, **kwargs)
    info = dict(df.attrs.get("corpus") or {})
    if years is not None:
        df = _keep_years(df, years, name=name)
    info.update(
        requested=corpus,
        fallback=reason is not None,
        fallback_reason=reason,
        years=list(years) if years is not None else None,
    )
    info.setdefault("name", name)
    df.attrs["corpus"] = info
    return df


def _keep_years(df: pd.DataFrame, years: Sequence[int | None], *, name: str) -> pd.DataFrame:
    """The rows of ``df`` whose year lies in ``[first, last]`` (either end may be None)."""
    if len(years) != 2:
        raise ValueError(f"years must be [first_year, last_year], got {years!r}.")
    lo, hi = years
    values = df["year"]
    mask = pd.Series(True, index=df.index)
    if lo is not None:
        mask &= values >= lo
    if hi is not None:
        mask &= values <= hi
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        raise ValueError(
            f"No document of corpus {name!r} falls in years {list(years)} (its years run "
            f"{values.min()}–{values.max()}). Choose years inside that range or null."
        )
    return df.loc[mask].reset_index(drop=True)


def corpus_card(corpus: pd.DataFrame):
    """Return the corpus card (title, description, licence, source, citation) for display.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus table; its card is found by ``attrs["corpus"]["name"]``. A
        corpus loaded from a path without a card gets a short note instead.

    Returns
    -------
    IPython.display.HTML
        Every field is escaped.
    """
    from IPython.display import HTML

    info = corpus.attrs.get("corpus") or {}
    name = str(info.get("name") or "unknown")
    e = html.escape
    try:
        card = corpora.corpus_card(name)
    except (ValueError, AttributeError):
        card = None
    if card is None:
        return HTML(
            f"<p><strong>Corpus {e(name)}</strong>: loaded from "
            f"<code>{e(str(info.get('path') or 'a path'))}</code>; it has no card in "
            "corpora/. Cite its source as its authors ask.</p>"
        )
    src = card.get("source") or {}
    cites = card.get("citation") or []
    cites = [cites] if isinstance(cites, str) else list(cites)
    rows = [
        ("Corpus", card.get("title") or name),
        ("Description", " ".join(str(card.get("description") or "").split())),
        ("Source", src.get("doi") or src.get("url") or ""),
        ("Licence", card.get("licence") or ""),
        ("Release used", info.get("release") or ""),
        ("SHA-256", info.get("sha256") or ""),
    ]
    body = "".join(
        f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>{e(str(v))}"
        "</td></tr>" for k, v in rows if v
    )
    cite = "".join(f"<li>{e(' '.join(str(c).split()))}</li>" for c in cites)
    return HTML(f"<table>{body}</table><p><strong>Cite as:</strong></p><ul>{cite}</ul>")


# ---------------------------------------------------------------------------
# conventions and results in prose (generated, so that prose follows the numbers)
# ---------------------------------------------------------------------------


def _official_name(code: str) -> str:
    """The official name of an ISO3 code ("People's Republic of China"), else the code."""
    from toolkit._countries import country_converter

    cc = country_converter().data
    hit = cc.loc[cc["ISO3"] == code, "name_official"]
    return str(hit.iloc[0]) if len(hit) else code


def _years_of(corpus: pd.DataFrame, code: str) -> pd.Series:
    return pd.to_numeric(corpus.loc[corpus["actor"].astype(str) == code, "year"],
                         errors="coerce").dropna().astype(int)


def seat_notes(
    corpus: pd.DataFrame,
    actors: Sequence[str] | None = None,
    *,
    span: Sequence[int] | None = None,
) -> str:
    """Say which state a seat code stands for when it changed hands, from the data.

    Two kinds of sentence, each only where it matters:

    * a **recode** recorded by the loader in ``attrs["corpus"]["recoded"]`` (UNGDC's
      ``china_seat="split"``: the Republic of China's CHN speeches coded TWN): "CHN is the
      People's Republic of China from 1972; the Republic of China's 25 speeches
      (1946–1971) are coded TWN." The numbers are counted in ``corpus`` (a table cut to
      some years counts only its own speeches; none left, no sentence);
    * a **successor seat** of :func:`toolkit.actors.historical_states` (a dissolved state
      whose UN seat another code continues, not recoded: the Soviet Union's is RUS), when
      the code's years cross the end of the predecessor: "RUS is the Soviet Union up to
      1991 and the Russian Federation from 1992 (one UN seat, not recoded): its series
      across 1991 joins two states."

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``actor``, ``year``; ``attrs["corpus"]`` from the loader).
    actors : sequence of str or None, default=None
        The codes a report shows; a recode is named when its old or new code is among
        them. None: every actor of the corpus.
    span : (int, int) or None, default=None
        First and last year of the series shown (e.g. of a pooled reference text); None
        uses each code's years in ``corpus``.

    Returns
    -------
    str
        The sentences, separated by spaces; ``""`` when no seat convention applies.
    """
    present = set(corpus["actor"].dropna().astype(str))
    wanted = present if actors is None else {str(a) for a in actors}
    notes = []
    for rec in (corpus.attrs.get("corpus") or {}).get("recoded") or []:
        old, new = str(rec.get("from")), str(rec.get("to"))
        if not ({old, new} & wanted):
            continue
        y0, y1 = (int(y) for y in rec.get("years", (None, None)))
        moved = _years_of(corpus, new)
        moved = moved[(moved >= y0) & (moved <= y1)]
        kept = _years_of(corpus, old)
        if moved.empty or kept.empty:
            continue
        name = rec.get("actor_name") or new
        notes.append(
            f"{old} is the {_official_name(old)} from {int(kept.min())}; the {name}'s "
            f"{len(moved):,} speech{'' if len(moved) == 1 else 'es'} ({int(moved.min())}–"
            f"{int(moved.max())}) are coded {new}."
        )
    from toolkit.actors import historical_states

    hist = historical_states()
    for row in hist.itertuples():
        seat = str(row.un_seat) if pd.notna(row.un_seat) else ""
        end = str(row.end) if pd.notna(row.end) else ""
        if not seat or seat == row.iso3 or not end.isdigit() or seat not in wanted:
            continue
        years = _years_of(corpus, seat)
        first, last = (span if span is not None
                       else ((years.min(), years.max()) if len(years) else (None, None)))
        if first is None or not int(first) <= int(end) < int(last):
            continue
        notes.append(
            f"{seat} is the {row.name} up to {end} and the {_official_name(seat)} from "
            f"{int(end) + 1} (one UN seat, not recoded): its series across {end} joins two "
            "states."
        )
    return " ".join(notes)


def _p_text(p: float, n_perm: Any) -> str:
    """A permutation p-value for prose, at the resolution the permutations allow."""
    if n_perm and p <= 1.0 / (int(n_perm) + 1) + 1e-12:
        return (f"p ≤ {1.0 / (int(n_perm) + 1):.3f}, the smallest possible with "
                f"{int(n_perm):,} permutations")
    return f"p = {p:.3f}"


def describe_validation(
    summary: Mapping[str, Any], *, measure: str, expected_sign: int = 1
) -> str:
    """What a text-vs-external validation shows, in sentences that branch on its numbers.

    Parameters
    ----------
    summary : mapping
        Output of :func:`toolkit.alignment.summarize_validation`.
    measure : str
        What the text is compared with ("UN voting agreement").
    expected_sign : {1, -1}, default=1
        The sign of a correlation that supports the text measure (+1 for agreement, -1
        for a distance).

    Returns
    -------
    str
        The within-year correlation with its interval and QAP p-value, the years and
        decades in which QAP rejects, the range over decades, and how the pooled
        correlation (no demeaning) compares: inside or outside the interval, and of the
        same or the opposite sign.
    """
    level = summary.get("ci_level") or 0.95
    alpha = 1 - float(level)
    r, lo, hi = summary["overall"], summary["overall_ci_low"], summary["overall_ci_high"]
    method = {"bca": "BCa", "percentile": "percentile", "basic": "basic"}.get(
        str(summary.get("ci_method")), str(summary.get("ci_method")))
    side = "above" if expected_sign > 0 else "below"
    if np.isnan(lo) or np.isnan(hi):
        verdict = "no interval could be computed"
    elif (lo > 0 if expected_sign > 0 else hi < 0):
        verdict = f"the interval lies {side} zero, the sign expected if the text tracks {measure}"
    elif lo <= 0 <= hi:
        verdict = "the interval includes zero"
    else:
        verdict = "the interval lies on the side of zero opposite to the expected one"
    text = (
        f"With both measures demeaned within each year, text similarity and {measure} "
        f"correlate with r = {r:.2f} ({level:.0%} {method} interval over states {lo:.2f} to "
        f"{hi:.2f}; QAP {_p_text(summary['qap_p'], summary.get('n_perm'))}): {verdict}. "
        f"QAP rejects exchangeable states at p < {alpha:.2g} in {summary['n_years_significant']}"
        f" of {summary['n_years_tested']} years and in {summary['n_decades_qap']} of "
        f"{summary['n_decades']} decades; the decades' correlations run from "
        f"{summary['low']:.2f} ({summary['low_decade']}s) to {summary['high']:.2f} "
        f"({summary['high_decade']}s), their intervals {side} zero in "
        f"{summary['n_positive'] if expected_sign > 0 else summary['n_negative']} of "
        f"{summary['n_decades']}."
    )
    pooled = summary["pooled"]
    if np.isnan(pooled) or np.isnan(lo):
        return text
    where = ("within that interval" if lo <= pooled <= hi
             else "below that interval" if pooled < lo else "above that interval")
    if np.sign(pooled) != np.sign(r) and pooled != 0 and r != 0:
        why = (" and of the opposite sign: the shifts of both measures between years reverse "
               "the association that holds within years")
    elif lo <= pooled <= hi:
        why = ": the shifts between years do not change the picture"
    elif abs(pooled) < abs(r):
        why = ": the shifts of both measures between years hide part of the association"
    else:
        why = ": the shifts of both measures between years add an association of their own"
    return text + (f" Pooling all dyad-years without demeaning gives r = {pooled:.2f}, "
                   f"{where}{why}.")


def similarity_intervals(panel: pd.DataFrame) -> str:
    """What the intervals of a similarity panel are and how many rows have one, for a caption.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel` (or rows of it, e.g. a
        :func:`~toolkit.alignment.dyad_series`; its ``attrs["alignment"]`` is read when
        present).

    Returns
    -------
    str
        E.g. "95% BCa intervals (100 replicates resampling each actor's passages) for 120
        of 230 values; none where an actor has fewer than 5 passages (80), or where BCa is
        undefined because ... (30).", or "No intervals (n_boot = 0)." When estimates lie
        outside their intervals (a percentile or basic interval of a cosine whose
        replicates are shifted), a sentence counts them and gives the median
        ``boot_bias``.
    """
    info = panel.attrs.get("alignment") or {}
    n_boot = int(info.get("n_boot") or 0)
    if not n_boot:
        return "No intervals (n_boot = 0)."
    level = float(info.get("ci_level") or 0.95)
    kind = {"bca": "BCa", "percentile": "percentile", "basic": "basic"}.get(
        str(info.get("interval")), str(info.get("interval")))
    rows = panel[panel["similarity"].notna()] if "similarity" in panel else panel
    has = rows["ci_low"].notna() & rows["ci_high"].notna()
    k = int(info.get("min_passages") or 5)
    few = ((rows["n_passages_a"] < k) | (rows["n_passages_b"] < k)) if (
        "n_passages_a" in rows and "n_passages_b" in rows) else pd.Series(False, rows.index)
    other = int((~has & ~few).sum())
    text = (f"{level:.0%} {kind} intervals ({n_boot} replicates resampling each actor's "
            f"passages) for {int(has.sum()):,} of {len(rows):,} values")
    why = []
    if int((~has & few).sum()):
        why.append(f"where an actor has fewer than {k} passages ({int((~has & few).sum()):,})")
    if other:
        why.append(f"where {kind} is undefined because the replicates lie almost all on one "
                   f"side of the estimate ({other:,})" if kind == "BCa"
                   else f"otherwise ({other:,})")
    text += ("; none " + ", or ".join(why) if why else "") + "."
    with_ci = rows[has]
    outside = int(((with_ci["similarity"] < with_ci["ci_low"])
                   | (with_ci["similarity"] > with_ci["ci_high"])).sum())
    if outside and "boot_bias" in rows:
        text += (f" The estimate lies outside its interval for {outside:,} of them: resampled "
                 "profiles are sparser, and the replicates' median shift from the estimate is "
                 f"{float(with_ci['boot_bias'].median()):+.3f} (boot_bias).")
    return text

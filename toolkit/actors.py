"""States as actors: codes normalised to ISO3, and who mentions whom in text.

Codes
-----
:func:`to_iso3` turns ISO2, ISO3, Correlates of War (COW) numbers and country names into
ISO 3166 alpha-3 codes with `country-converter`_, plus the historical states the corpora
and the external sources use (``toolkit/data/actors/historical_states.csv``):

=====  ===========================  ===================================================
code   state                        convention
=====  ===========================  ===================================================
SUN    Soviet Union                 ``RUS`` by default (``successor_seats=True``): the
                                    Russian Federation continued the UN seat, and
                                    UNGDC and the UN votes code the USSR as RUS/RU
DDR    German Democratic Republic   kept
DEU    Federal Republic of Germany  ISO's DEU was West Germany's code and continued
CSK    Czechoslovakia               kept
YUG    Yugoslavia (SFRY, FRY,       kept; Serbia is SRB from 2006
       Serbia and Montenegro)
YMD    South Yemen                  kept
YEM    Yemen Arab Republic          ISO's YEM was North Yemen's code and continued
EU     European Union               corpus code, not ISO
=====  ===========================  ===================================================

Anything that matches nothing is returned as NA and *reported*: the returned Series
carries ``attrs["unmatched"]`` (one dict per distinct input: ``value``, ``count``,
``reason``) and, with ``unknown="warn"``, an :class:`UnmatchedCodesWarning` lists them.
Nothing is dropped.

Mentions
--------
:func:`mentions` finds state names, short forms and adjectives ("Chinese", "Russian
Federation", "Soviet Union", "United States of America") in each document with one
compiled regular expression and returns one row per (document, target) with a count;
:func:`who_talks_about_whom` aggregates that into a directed actor -> target table by period.

.. _country-converter: https://github.com/IndEcol/country_converter
"""

from __future__ import annotations

import functools
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._countries import ACTORS_DATA_DIR, country_converter, read_actor_table
from toolkit._validation import check_option
from toolkit.exceptions import UnmatchedCodesWarning
from toolkit.periods import Period, assign_period

__all__ = [
    "UnmatchedCodesWarning",
    "format_unmatched",
    "historical_states",
    "mention_patterns",
    "mentions",
    "to_iso3",
    "top_targets",
    "who_talks_about_whom",
]

DATA_DIR = ACTORS_DATA_DIR

Src = Literal["auto", "iso2", "iso3", "cow", "name"]


# --------------------------------------------------------------------------- tables


@functools.cache
def _historical_states() -> pd.DataFrame:
    return read_actor_table("historical_states.csv")


def historical_states() -> pd.DataFrame:
    """Return the table of historical states and non-state actors.

    Returns
    -------
    DataFrame
        Columns ``iso3``, ``iso2``, ``cow``, ``name``, ``names``, ``un_seat``, ``note``...
        as strings; a fresh copy on every call, safe to edit.
    """
    return _historical_states().copy()


@functools.cache
def _lookups() -> dict[str, dict[str, str | None]]:
    """Build the code lookups once: iso2 -> iso3, iso3 -> iso3, cow -> iso3, name -> iso3."""
    cc = country_converter().data
    iso2: dict[str, str | None] = {}
    for k, v in zip(cc["ISO2"], cc["ISO3"]):
        # A few entries are regexes of alternatives: "^GB$|^UK$", "^GR$|^EL$".
        for alt in re.findall(r"[A-Z]{2}", str(k)):
            iso2.setdefault(alt, str(v))
    iso3 = {str(v): str(v) for v in cc["ISO3"]}
    gw = pd.to_numeric(cc["GWcode"], errors="coerce")
    cow: dict[str, str | None] = {
        str(int(k)): str(v) for k, v in zip(gw, cc["ISO3"]) if not np.isnan(k)
    }
    for row in read_actor_table("cow_codes.csv").itertuples():
        cow[str(int(row.cow))] = row.iso3
    names: dict[str, str | None] = {}
    for col in ("name_short", "name_official"):
        for k, v in zip(cc[col], cc["ISO3"]):
            if isinstance(k, str):
                names[k.casefold()] = str(v)
    for row in read_actor_table("state_names.csv").itertuples():
        if row.iso3 == "-":
            continue
        for form in row.names.split(";"):
            names[form.strip().casefold()] = row.iso3
    notes: dict[str, str] = {}
    for row in _historical_states().itertuples():
        code = row.iso3 or None
        if code:
            iso3[code] = code
        if row.iso2:
            iso2[row.iso2] = code
        if row.cow and row.cow not in cow:
            cow[row.cow] = code
        for form in row.names.split(";"):
            names[form.strip().casefold()] = code
            if code is None:
                notes[form.strip().casefold()] = f"{row.name}: {row.note}"
    iso2["EU"] = "EU"
    return {"iso2": iso2, "iso3": iso3, "cow": cow, "name": names, "notes": notes}


@functools.cache
def _seat_map() -> dict[str, str]:
    """Historical ISO3 -> the code of the state that continued the UN seat."""
    hist = _historical_states()
    return {r.iso3: r.un_seat for r in hist.itertuples() if r.iso3 and r.un_seat != r.iso3}


# --------------------------------------------------------------------------- to_iso3


def _looks_cow(value: Any) -> bool:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return True
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return True
    return isinstance(value, str) and value.strip().isdigit()


def _convert_one(value: Any, src: str) -> tuple[str | None, str | None]:
    """Return (iso3 or None, reason when None)."""
    tables = _lookups()
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None, "missing value"
    if src in ("auto", "cow") and _looks_cow(value):
        key = str(int(float(value)))
        if key in tables["cow"] and tables["cow"][key]:
            return tables["cow"][key], None
        return None, f"unknown COW code {key}"
    if src == "cow":
        return None, "not a COW number"
    text = str(value).strip()
    if not text:
        return None, "empty string"
    if src == "iso2" or (src == "auto" and len(text) == 2 and text.isalpha() and text.isupper()):
        if text in tables["iso2"]:
            code = tables["iso2"][text]
            return (code, None) if code else (None, f"ISO2 {text} has no ISO3 code")
        return None, f"unknown ISO2 code {text!r}"
    if src == "iso3" or (src == "auto" and len(text) == 3 and text.isalpha() and text.isupper()):
        if text in tables["iso3"]:
            return text, None
        if src == "iso3":
            return None, f"unknown ISO3 code {text!r}"
    key = text.casefold()
    if key in tables["name"]:
        code = tables["name"][key]
        if code:
            return code, None
        return None, f"known entity without an ISO3 code ({tables['notes'].get(key, text)})"
    found = country_converter().convert(text, src="regex", to="ISO3", not_found="__none__")
    if isinstance(found, list):
        found = [f for f in found if f != "__none__"]
        if len(found) == 1:
            return str(found[0]), None
        if found:
            return None, f"ambiguous name {text!r}: matches {', '.join(map(str, found))}"
        return None, f"no state name matched {text!r}"
    if found == "__none__":
        return None, f"no state name matched {text!r}"
    return str(found), None


def to_iso3(
    codes: Any,
    *,
    src: Src = "auto",
    successor_seats: bool = True,
    unknown: Literal["warn", "raise", "ignore"] = "warn",
) -> Any:
    """Normalise country codes or names to ISO3.

    Parameters
    ----------
    codes : str, int, or iterable of them (list, array, Series)
        ISO2 (``"US"``), ISO3 (``"USA"``), COW numbers (``2``, ``"365"``), names
        (``"Russian Federation"``, ``"Soviet Union"``) or ``"EU"``. Mixed input is fine
        with ``src="auto"``.
    src : {"auto", "iso2", "iso3", "cow", "name"}, default="auto"
        The kind of input. ``"auto"`` decides per value: integers are COW numbers, two
        upper-case letters ISO2, three upper-case letters ISO3 (falling back to a name
        lookup for acronyms such as ``"GDR"``), anything else a name.
    successor_seats : bool, default=True
        Map the Soviet Union (SUN) to RUS, the code the corpora and UN votes use for the
        continuing UN seat. With False, SUN is kept.
    unknown : {"warn", "raise", "ignore"}, default="warn"
        What to do when some values match nothing: warn with an
        :class:`UnmatchedCodesWarning` listing them, raise ``ValueError``, or stay quiet.
        They are NA in the result in every case and listed in ``attrs["unmatched"]``.

    Returns
    -------
    str or NA, or Series of dtype "string"
        A scalar for scalar input; otherwise a Series aligned with ``codes`` (its index
        when ``codes`` is a Series) with ``attrs["unmatched"]``: a list of
        ``{"value", "count", "reason"}`` dicts, most frequent first.

    Raises
    ------
    ValueError
        For an unknown ``src`` or ``unknown`` option, or, with ``unknown="raise"``, when
        some values match nothing.

    Examples
    --------
    >>> to_iso3(["US", "DEU", 365, "Soviet Union", "EU"]).tolist()
    ['USA', 'DEU', 'RUS', 'RUS', 'EU']
    """
    check_option("src", src, ("auto", "iso2", "iso3", "cow", "name"))
    check_option("unknown", unknown, ("warn", "raise", "ignore"))
    scalar = isinstance(codes, (str, int, float, np.integer, np.floating)) or codes is None
    values = pd.Series([codes] if scalar else list(codes) if not isinstance(codes, pd.Series)
                       else codes, dtype=object)
    if isinstance(codes, pd.Series):
        values.index = codes.index
    seat = _seat_map() if successor_seats else {}
    mapping: dict[Any, str | None] = {}
    reasons: dict[Any, str] = {}
    keys = values.map(lambda v: ("__na__",) if v is None or (not isinstance(v, str)
                                                             and pd.isna(v)) else v)
    for key in pd.unique(keys):
        raw = None if key == ("__na__",) else key
        code, reason = _convert_one(raw, src)
        if code is not None:
            code = seat.get(code, code)
        mapping[key] = code
        if code is None:
            reasons[key] = reason or "no match"
    out = pd.Series(keys.map(mapping), index=values.index, dtype="string")
    counts = Counter(k for k in keys if k in reasons)
    unmatched = [
        {"value": None if k == ("__na__",) else k, "count": int(n), "reason": reasons[k]}
        for k, n in counts.most_common()
    ]
    out.attrs["unmatched"] = unmatched
    if unmatched and unknown != "ignore":
        msg = format_unmatched(unmatched, what="code(s) or name(s)")
        if unknown == "raise":
            raise ValueError(msg + " Fix the input or pass unknown='warn' to keep them as NA.")
        warnings.warn(msg, UnmatchedCodesWarning, stacklevel=2)
    if scalar:
        return out.iloc[0]
    return out


def format_unmatched(unmatched: list[dict], *, what: str = "values", limit: int = 20) -> str:
    """Return a one-paragraph message listing unmatched values, their counts and why.

    Parameters
    ----------
    unmatched : list of dict
        ``{"value", "count", "reason"}`` dicts, as in ``attrs["unmatched"]`` of
        :func:`to_iso3`, most frequent first.
    what : str, default="values"
        What the values are, for the message (``"code(s) or name(s)"``).
    limit : int, default=20
        How many values are named; the rest are counted ("and N more").

    Returns
    -------
    str
        "N distinct <what> (M rows) did not match ISO3 and are NA: 'x' x3 (reason); ...".
    """
    total = sum(u["count"] for u in unmatched)
    shown = "; ".join(f"{u['value']!r} x{u['count']} ({u['reason']})" for u in unmatched[:limit])
    more = f"; and {len(unmatched) - limit} more" if len(unmatched) > limit else ""
    return f"{len(unmatched)} distinct {what} ({total} rows) did not match ISO3 and are NA: " \
        f"{shown}{more}."


# --------------------------------------------------------------------------- mentions


def _plural(form: str) -> list[str]:
    last = form.rsplit(" ", 1)[-1]
    if last[:1].isupper() and (form.endswith("an") or form.endswith("i")) and " " not in form:
        return [form, form + "s"]
    return [form]


@functools.cache
def mention_patterns() -> pd.DataFrame:
    """Return the surface forms searched by :func:`mentions`.

    Built from country-converter's short and official names of UN members, the curated
    forms in ``toolkit/data/actors/state_names.csv`` (adjectives, short forms, older names)
    and the historical states. Blockers ("Latin America", "Indian Ocean") have ``iso3`` NA:
    they are matched so that their words do not count as a state, then discarded.

    Returns
    -------
    DataFrame
        Columns ``form`` (case-sensitive literal) and ``iso3``; one row per form.
    """
    rows: dict[str, str | None] = {}
    cc = country_converter().data
    members = cc[cc["UNmember"].notna()]
    for col in ("name_short", "name_official"):
        for name, code in zip(members[col], members["ISO3"]):
            if isinstance(name, str):
                rows[name] = str(code)
    for row in _historical_states().itertuples():
        for form in row.names.split(";"):
            rows[form.strip()] = row.iso3 or None
    for row in read_actor_table("state_names.csv").itertuples():
        for form in row.names.split(";"):
            for variant in _plural(form.strip()):
                rows[variant] = None if row.iso3 == "-" else row.iso3
    return pd.DataFrame({"form": list(rows), "iso3": pd.array(list(rows.values()),
                                                                 dtype="string")})


def _trie_regex(words: Iterable[str]) -> str:
    """Compile literal words into one prefix-factored alternation (longest match first)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            # Optional continuation is greedy: the longer form is tried first.
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return build(trie)


@functools.cache
def _mention_regex(self_forms: tuple[tuple[str, str | None], ...]) -> tuple[re.Pattern, dict]:
    lookup = dict(self_forms)
    # A cheap look-ahead on the possible first letters lets the engine skip most positions.
    first = "".join(sorted({re.escape(f[0]) for f in lookup if f}))
    pattern = f"(?=[{first}])" + r"(?<![\w.])" + _trie_regex(lookup) + r"(?![\w-])"
    return re.compile(pattern), lookup


def _compiled(extra: dict[str, str | None] | None) -> tuple[re.Pattern, dict]:
    table = mention_patterns()
    forms = dict(zip(table["form"], table["iso3"].astype(object).where(table["iso3"].notna(),
                                                                      None)))
    if extra:
        forms.update(extra)
    return _mention_regex(tuple(sorted(forms.items())))


def mentions(
    corpus: pd.DataFrame,
    *,
    text_col: str = "text",
    exclude_self: bool = True,
    extra_forms: dict[str, str | None] | None = None,
    successor_seats: bool = True,
    progress: bool = True,
) -> pd.DataFrame:
    """Count mentions of states in each document, normalised to ISO3.

    One compiled regular expression (a prefix-factored union of all surface forms, see
    :func:`mention_patterns`) is run once over each document. Matching is case-sensitive
    and on word boundaries; where forms overlap the longest wins ("Papua New Guinea" is
    not "Guinea", "South Sudan" is not "Sudan"). Bare ambiguous forms ("Korea", "Congo")
    and capital-city metonyms are not searched.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id``, ``actor``, ``year`` and ``text_col``.
    text_col : str, default="text"
        The column holding the text.
    exclude_self : bool, default=True
        Drop mentions of the speaking actor itself (``target == actor``).
    extra_forms : dict of str to (str or None), or None, default=None
        More literal forms -> ISO3 (``None`` makes a form a blocker). Overrides the table.
    successor_seats : bool, default=True
        Count the Soviet Union as RUS (the corpora's code for the continuing seat), as in
        :func:`to_iso3`. With False, mentions of it are SUN.
    progress : bool, default=True
        Show a tqdm bar.

    Returns
    -------
    DataFrame
        Columns ``doc_id``, ``actor``, ``year``, ``target`` (ISO3), ``count`` (int): one row
        per document and mentioned state, sorted by ``doc_id`` then ``target``.
        ``attrs["n_docs"]`` is the number of documents scanned.
    """
    missing = [c for c in ("doc_id", text_col) if c not in corpus.columns]
    if missing:
        raise ValueError(
            f"mentions() needs columns {missing} in the corpus table; it has "
            f"{list(corpus.columns)}. Load it with toolkit.corpora or pass text_col=."
        )
    from tqdm.auto import tqdm

    regex, lookup = _compiled(extra_forms)
    if successor_seats:
        seat = _seat_map()
        lookup = {k: seat.get(v, v) if v is not None else None for k, v in lookup.items()}
    doc_ids, targets, counts = [], [], []
    texts = corpus[text_col].astype(object).where(corpus[text_col].notna(), "")
    for doc_id, text in tqdm(zip(corpus["doc_id"], texts), total=len(corpus),
                             disable=not progress, desc="mentions", unit="doc"):
        found = Counter(lookup[m] for m in regex.findall(text))
        for target, n in found.items():
            if target is not None:
                doc_ids.append(doc_id)
                targets.append(target)
                counts.append(n)
    out = pd.DataFrame({"doc_id": pd.array(doc_ids, dtype="string"),
                        "target": pd.array(targets, dtype="string"),
                        "count": np.asarray(counts, dtype=np.int64)})
    meta_cols = [c for c in ("actor", "year") if c in corpus.columns]
    meta = corpus[["doc_id", *meta_cols]].drop_duplicates("doc_id")
    meta = meta.assign(doc_id=meta["doc_id"].astype("string"))
    out = out.merge(meta, on="doc_id", how="left")
    for col in ("actor", "year"):
        if col not in out.columns:
            out[col] = pd.NA
    if exclude_self:
        out = out[~(out["target"] == out["actor"]).fillna(False)]
    out = out[["doc_id", "actor", "year", "target", "count"]]
    out = out.sort_values(["doc_id", "target"]).reset_index(drop=True)
    out.attrs["n_docs"] = len(corpus)
    return out


def who_talks_about_whom(
    mentions: pd.DataFrame,
    *,
    period: Period = "decade",
    normalize: bool = True,
) -> pd.DataFrame:
    """Aggregate mentions into a directed actor -> target table by period.

    Parameters
    ----------
    mentions : DataFrame
        Output of :func:`mentions` (``doc_id``, ``actor``, ``year``, ``target``, ``count``).
    period : {"year", "decade"} or int or str or callable or None, default="decade"
        Period of aggregation, as everywhere (:func:`toolkit.periods.assign_period`):
        ``"year"``, ``"decade"``, an int N for N-year bins (``5`` -> 1990, 1995...), a
        column of ``mentions``, a callable, or None for one period ``"all"``.
    normalize : bool, default=True
        Add ``share``: the target's share of all the actor's mentions in that period.

    Returns
    -------
    DataFrame
        Columns ``actor``, ``target``, ``period`` (Int64 first year of the bin for
        year-based periods), ``count`` (total mentions), ``n_docs`` (documents with at
        least one mention of the target) and, with ``normalize``, ``share``. Sorted by
        period, actor, descending count.

    Raises
    ------
    ValueError
        When ``mentions`` lacks a column or ``period`` is not understood.
    """
    need = {"actor", "year", "target", "count", "doc_id"}
    if not need <= set(mentions.columns):
        raise ValueError(f"who_talks_about_whom() needs columns {sorted(need)} (the output of "
                         f"actors.mentions); got {list(mentions.columns)}")
    try:
        labels = assign_period(mentions, period)
    except ValueError as exc:
        raise ValueError(
            "period must be 'year', 'decade', a positive int (bin width in years), a column "
            f"of the mentions table, a callable or None; got {period!r}. {exc}"
        ) from exc
    df = mentions.assign(period=labels)
    out = (df.groupby(["actor", "target", "period"], dropna=False)
             .agg(count=("count", "sum"), n_docs=("doc_id", "nunique"))
             .reset_index())
    if normalize:
        total = out.groupby(["actor", "period"], dropna=False)["count"].transform("sum")
        out["share"] = out["count"] / total
    out = out.sort_values(["period", "actor", "count"], ascending=[True, True, False])
    return out.reset_index(drop=True)


def top_targets(table: pd.DataFrame, actor: str, *, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` targets an actor mentions most over all periods, with their series.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`who_talks_about_whom`.
    actor : str
        ISO3 of the speaking actor.
    n : int, default=10
        How many targets, ranked by their total ``count`` over all periods.

    Returns
    -------
    DataFrame
        The rows of ``table`` for ``actor`` and its top ``n`` targets, in the order of
        ``table``, with a fresh RangeIndex.

    Raises
    ------
    ValueError
        When ``actor`` has no rows in ``table``.
    """
    sub = table[table["actor"] == actor]
    if sub.empty:
        known = sorted(table["actor"].dropna().unique())[:20]
        raise ValueError(f"actor {actor!r} has no mentions in this table; actors include {known}")
    top = sub.groupby("target")["count"].sum().nlargest(n).index
    return sub[sub["target"].isin(top)].reset_index(drop=True)

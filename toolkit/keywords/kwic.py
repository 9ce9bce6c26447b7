"""Keyword in context: the lines behind every number, who said them, and whole passages.

:func:`kwic` lists every match of a term, phrase, dictionary category or regex with its
context; :func:`kwic_summary` summarises the lines per speaker (or any column);
:func:`extract_passages` returns the sentences or paragraphs that hold a match, as a
corpus (split by :func:`toolkit.text.passage_spans`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.keywords._common import (
    _as_list,
    _candidates,
    _check_corpus,
    _dictionary_stamp,
    _filter_corpus,
    _iter_texts,
    _progress,
    _select_categories,
    _text_list,
)
from toolkit.keywords._matcher import _Matcher
from toolkit.keywords.dictionary import Dictionary, load_dictionary
from toolkit.text import passage_spans

__all__ = ["extract_passages", "kwic", "kwic_summary"]

_Doc = tuple[Any, str, dict[str, Any]]  # doc_id, text, metadata copied into each line


def kwic(
    corpus: pd.DataFrame,
    query: str | Sequence[str] | re.Pattern | None = None,
    *,
    dictionary: str | Path | Mapping | Dictionary | None = None,
    window: int = 60,
    max_rows: int | None = None,
    columns: Sequence[str] | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Keyword in context: every match of a term, phrase or dictionary category.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    query : str, list of str, compiled regex or None, default=None
        A category name of ``dictionary``, or a list of them (a match is kept once when it
        belongs to any of them); else a term in the term syntax of :mod:`toolkit.keywords`,
        or a list of terms (matched exactly as :func:`count_matches` would count them); else
        a compiled :class:`re.Pattern`, passed as-is to
        :func:`textacy.extract.keyword_in_context`.
        None with a dictionary means every category.
    dictionary : str, path, dict, Dictionary or None, default=None
        Needed when ``query`` names categories.
    window : int, default=60
        Characters of context on each side.
    max_rows : int or None, default=None
        Stop after this many lines.
    columns : sequence of str or None, default=None
        Further corpus columns copied into every line (e.g. ``["date", "speaker"]``), placed
        after ``year``.
    **filters
        Metadata filters applied first, by column: a scalar (equality), a list/set
        (membership), a ``slice(lo, hi)`` (inclusive range, e.g. ``year=slice(2010, 2020)``)
        or a callable ``Series -> bool mask``.

    Returns
    -------
    DataFrame
        ``doc_id``, ``actor``, ``year``, the ``columns``, ``left``, ``match``, ``right``,
        ``start``, ``end`` (character offsets) and, for dictionary queries, ``category`` and
        ``term`` (``;``-joined when one match belongs to several). Newlines in context are
        shown as spaces. Lines are in corpus order, then text order.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.keywords import kwic
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["chn1", "usa1"], "actor": ["CHN", "USA"], "year": [2023, 2023],
    ...     "text": ["China will not sell weapons to either side.",
    ...              "We will send more weapons and military aid to Ukraine."]})
    >>> kwic(corpus, "weapons", window=15)[["doc_id", "left", "match", "right"]]
      doc_id             left    match            right
    0   chn1   will not sell   weapons   to either side
    1   usa1  will send more   weapons   and military a
    >>> kwic(corpus, dictionary="arms")[["doc_id", "match", "category"]]
      doc_id              match        category
    0   chn1       sell weapons  arms_transfers
    1   usa1  send more weapons  arms_transfers
    2   usa1       military aid    military_aid
    """
    _check_corpus(corpus)
    extra = [] if columns is None else [c for c in columns if c not in ("actor", "year")]
    absent = [c for c in extra if c not in corpus.columns]
    if absent:
        raise ValueError(
            f"kwic columns {absent} are not in the corpus. Available columns: "
            f"{list(corpus.columns)}."
        )
    sub = _filter_corpus(corpus, filters)
    meta_cols = [c for c in ("actor", "year") if c in sub.columns] + extra
    cols = ["doc_id", "actor", "year", *extra, "left", "match", "right", "start", "end"]
    if isinstance(query, re.Pattern):
        rows = _pattern_lines(_docs(sub, meta_cols), query, window=window, max_rows=max_rows)
        cols = cols[:-2]
    else:
        d, wanted = _query_dictionary(query, dictionary)
        m = d.matcher
        # only the documents that pass the matcher's prefilter can have a line
        docs = _docs(sub.iloc[_candidates(sub["text"], m)], meta_cols)
        rows = _matcher_lines(docs, m, wanted, window=window, max_rows=max_rows)
        if dictionary is not None:
            cols = [*cols, "category", "term"]
    out = pd.DataFrame(rows, columns=cols)
    if max_rows is not None:
        out = out.iloc[:max_rows]
    for c in ("left", "match", "right"):
        out[c] = out[c].str.replace(r"\s+", " ", regex=True)
    for c in ("actor", "year"):
        if c not in sub.columns:
            out[c] = pd.NA
    return out.reset_index(drop=True)


def _docs(sub: pd.DataFrame, meta_cols: list[str]) -> list[_Doc]:
    """``(doc_id, text, metadata)`` of every row of ``sub``, in order."""
    metas = sub[meta_cols].to_dict("records") if meta_cols else [{}] * len(sub)
    return list(zip(sub["doc_id"], _text_list(sub["text"]), metas))


def _pattern_lines(
    docs: Iterable[_Doc], query: re.Pattern, *, window: int, max_rows: int | None
) -> list[dict[str, Any]]:
    """KWIC lines of a compiled regex, by textacy's ``keyword_in_context``."""
    from textacy.extract import keyword_in_context

    rows: list[dict[str, Any]] = []
    for doc_id, text, meta in docs:
        for left, match, right in keyword_in_context(text, query, window_width=window):
            rows.append({"doc_id": doc_id, **meta, "left": left, "match": match,
                         "right": right})
            if max_rows is not None and len(rows) >= max_rows:
                break
    return rows


def _query_dictionary(
    query: str | Sequence[str] | None, dictionary: Any
) -> tuple[Dictionary, set[int] | None]:
    """The dictionary to match with, and the wanted category indices (None: all).

    Categories of ``dictionary`` are matched with the whole dictionary, so that nested
    entries resolve as in the counts; terms become a one-category dictionary.
    """
    queries = [query] if isinstance(query, str) else None if query is None else list(query)
    if queries is not None and not queries:
        raise ValueError("query is an empty list; give a term, a category or a list.")
    if dictionary is None:
        if queries is None:
            raise ValueError("Give a query (a term or category) or a dictionary.")
        return load_dictionary({"query": queries}), None
    d = load_dictionary(dictionary)
    if queries is None:
        return d, None
    known = [q for q in queries if q in d.category_names]
    if len(known) == len(queries):
        return d, {d.category_names.index(q) for q in queries}
    if known:
        raise ValueError(
            f"query mixes categories {known} with terms "
            f"{[q for q in queries if q not in known]}; give either categories "
            f"of {d.name!r} ({d.category_names}) or terms."
        )
    return load_dictionary({"query": queries}), None


def _matcher_lines(
    docs: Iterable[_Doc],
    m: _Matcher,
    wanted: set[int] | None,
    *,
    window: int,
    max_rows: int | None,
) -> list[dict[str, Any]]:
    """KWIC lines of a dictionary matcher, keeping matches in the ``wanted`` categories."""
    rows: list[dict[str, Any]] = []
    for doc_id, text, meta in docs:
        for start, end, terms in m.iter_matches(text):
            cats = m.match_categories(terms)
            if wanted is not None and not wanted.intersection(cats.tolist()):
                continue
            rows.append(
                {
                    "doc_id": doc_id,
                    **meta,
                    "left": text[max(0, start - window) : start],
                    "match": text[start:end],
                    "right": text[end : end + window],
                    "start": start,
                    "end": end,
                    "category": ";".join(m.categories[c] for c in cats),
                    "term": ";".join(m.term_texts[t] for t in terms),
                }
            )
        if max_rows is not None and len(rows) >= max_rows:
            break
    return rows


def kwic_summary(
    kwic_table: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] = "speaker",
    date_column: str = "date",
    n_terms: int = 3,
    missing_label: str = "(unknown)",
) -> pd.DataFrame:
    """Who said it, and when: KWIC lines summarised per group (speaker, actor, ...).

    Parameters
    ----------
    kwic_table : DataFrame of shape (n_lines, ...)
        Output of :func:`kwic` (``doc_id``, ``match`` and, for dictionary queries, ``term``).
    corpus : DataFrame or None, default=None
        The corpus the lines come from; needed when the ``by`` or ``date_column`` columns
        are not in ``kwic_table`` (they are then looked up by ``doc_id``). Alternatively
        call ``kwic(..., columns=["speaker", "date"])``.
    by : str or list of str, default="speaker"
        Grouping column(s).
    date_column : str, default="date"
        Column whose minimum and maximum give ``first`` and ``last``.
    n_terms : int, default=3
        Most frequent matched terms listed per group (dictionary entries from ``term``
        when present, else the lower-cased matched text).
    missing_label : str, default="(unknown)"
        Group label for lines whose ``by`` value is missing (counted, never dropped).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n_passages`` (KWIC lines), ``n_docs``
        (distinct documents), ``first``, ``last`` (dates), ``top_terms`` (``"term (n); ..."``,
        ties in alphabetical order; a gap ``~N`` in an entry is shown as ``…``). Sorted by
        ``n_docs``, then ``n_passages`` (both descending), then group. Empty input gives an
        empty table with these columns.
    """
    by_cols = _as_list(by)
    if not by_cols:
        raise ValueError("by must name at least one column (e.g. 'speaker').")
    if "doc_id" not in kwic_table.columns:
        raise ValueError(
            f"kwic_table has no 'doc_id' column (columns: {list(kwic_table.columns)}); pass "
            "the output of keywords.kwic."
        )
    table = _with_columns(kwic_table, corpus, [*by_cols, date_column])
    table = table.assign(
        **{c: table[c].astype(object).where(table[c].notna(), missing_label) for c in by_cols}
    )
    term_col = "term" if "term" in table.columns else None
    terms = (table[term_col] if term_col else table["match"].str.lower()).astype(str)
    terms = terms.str.replace(r" ~\d+ ", " … ", regex=True)  # "pour ~3 weapon" -> "pour … weapon"
    dates = pd.to_datetime(table[date_column], errors="coerce")
    work = pd.DataFrame({**{c: table[c] for c in by_cols}, "doc_id": table["doc_id"],
                         "_date": dates, "_term": terms})
    cols = [*by_cols, "n_passages", "n_docs", "first", "last", "top_terms"]
    if work.empty:
        return pd.DataFrame(columns=cols)
    out = work.groupby(by_cols, sort=False, dropna=False).agg(
        n_passages=("doc_id", "size"), n_docs=("doc_id", "nunique"),
        first=("_date", "min"), last=("_date", "max"),
    )
    freq = (work.groupby([*by_cols, "_term"], dropna=False).size().rename("n")
            .reset_index().sort_values(["n", "_term"], ascending=[False, True]))
    top = freq.groupby(by_cols, sort=False, dropna=False).head(n_terms)
    top = top.assign(_txt=top["_term"] + " (" + top["n"].astype(str) + ")")
    out["top_terms"] = top.groupby(by_cols, sort=False, dropna=False)["_txt"].agg("; ".join)
    out = out.reset_index()
    out["_key"] = out[by_cols].astype(str).agg(" / ".join, axis=1)
    out = out.sort_values(["n_docs", "n_passages", "_key"], ascending=[False, False, True])
    return out[cols].reset_index(drop=True)


def _with_columns(
    kwic_table: pd.DataFrame, corpus: pd.DataFrame | None, need: list[str]
) -> pd.DataFrame:
    """``kwic_table`` with the ``need`` columns it lacks looked up in ``corpus`` by doc_id."""
    absent = [c for c in need if c not in kwic_table.columns]
    if not absent:
        return kwic_table
    if corpus is None:
        raise ValueError(
            f"kwic_table has no column(s) {absent}; pass the corpus "
            f"(kwic_summary(lines, corpus)) or call kwic(..., columns={absent})."
        )
    not_there = [c for c in [*absent, "doc_id"] if c not in corpus.columns]
    if not_there:
        raise ValueError(
            f"Neither kwic_table nor the corpus has column(s) {not_there}. Corpus "
            f"columns: {list(corpus.columns)}."
        )
    lookup = corpus[["doc_id", *absent]].drop_duplicates("doc_id")
    return kwic_table.merge(lookup, on="doc_id", how="left", validate="many_to_one")


# --------------------------------------------------------------------------------------
# Passages
# --------------------------------------------------------------------------------------


def extract_passages(
    corpus: pd.DataFrame,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    categories: str | Sequence[str] | None = None,
    unit: str = "sentence",
    progress: bool = True,
) -> pd.DataFrame:
    """Return the sentences or paragraphs that contain a dictionary match, as a corpus.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    dictionary : str, path, dict or Dictionary
        Anything :func:`load_dictionary` accepts (e.g. ``"arms"``).
    categories : str or list of str or None, default=None
        Only passages with a match in these categories; None means any category.
    unit : {"sentence", "paragraph"}, default="sentence"
    progress : bool, default=True

    Returns
    -------
    DataFrame
        A corpus-like table, one row per matching passage, in corpus order: ``doc_id``
        (``<parent>#s<i>`` or ``<parent>#p<i>``, i = the passage's index in its
        document), ``text`` (the passage), every metadata column of the parent, then
        ``parent_doc_id``, ``passage_index``, ``start``, ``end`` (offsets in the parent
        text), ``n_matches`` and ``categories`` (matched categories, ";"-joined). Documents
        without a match contribute nothing; ``attrs["passages"]`` counts them.

    Notes
    -----
    Paragraphs are blocks separated by blank lines; a text without blank lines is split
    at line breaks that follow ., !, ?, : or a closing quote (so hard-wrapped lines stay
    together). Sentences are split inside paragraphs at ., ! or ? followed by whitespace
    and a capital letter or digit, except after common abbreviations and initials. A
    match is assigned to the passage in which it starts.
    """
    if unit not in {"sentence", "paragraph"}:
        raise ValueError(f"unit must be 'sentence' or 'paragraph', got {unit!r}.")
    _check_corpus(corpus)
    d = load_dictionary(dictionary)
    # match with the whole dictionary (so nested entries resolve as in the counts), then
    # keep the matches in the wanted categories
    wanted = _select_categories(d, categories)
    wanted_idx = {d.category_names.index(c) for c in wanted}
    # only the documents that pass the matcher's prefilter can hold a passage
    pos = _candidates(corpus["text"], d.matcher)
    it = _progress(_iter_texts(corpus["text"], pos), total=len(pos), enabled=progress,
                   desc="passages")
    records, n_docs_with = _passage_records(it, d.matcher, wanted_idx, unit=unit)
    out = _passage_table(corpus, records, tag="s" if unit == "sentence" else "p")
    out.attrs = dict(corpus.attrs)
    out.attrs["passages"] = {
        "unit": unit,
        "dictionary": _dictionary_stamp(d),
        "categories": wanted,
        "n_parent_docs": len(corpus),
        "n_parent_docs_with_match": n_docs_with,
        "n_passages": len(out),
    }
    return out


def _passage_records(
    texts: Iterable[tuple[int, str]], m: _Matcher, wanted_idx: set[int], *, unit: str
) -> tuple[list[tuple], int]:
    """One record per matching passage, and the number of documents with a match.

    A record is (document position, passage index, start, end, passage text, number of
    matches, ";"-joined categories).
    """
    records = []
    n_docs_with = 0
    for i, text in texts:
        hits = [
            (s, e, ts)
            for s, e, ts in m.iter_matches(text)
            if wanted_idx.intersection(m.match_categories(ts).tolist())
        ]
        if not hits:
            continue
        n_docs_with += 1
        bounds = passage_spans(text, unit=unit)
        starts = np.array([s for s, _ in bounds])
        by_passage: dict[int, list] = {}
        for s, _e, terms in hits:
            j = max(int(np.searchsorted(starts, s, side="right")) - 1, 0)
            by_passage.setdefault(j, []).append(terms)
        for j, terms_list in sorted(by_passage.items()):
            ps, pe = bounds[j]
            cats = sorted(
                {int(c) for ts in terms_list for c in m.match_categories(ts)} & wanted_idx
            )
            records.append(
                (i, j, ps, pe, text[ps:pe].strip(), len(terms_list),
                 ";".join(m.categories[c] for c in cats))
            )
    return records, n_docs_with


def _passage_table(corpus: pd.DataFrame, records: list[tuple], *, tag: str) -> pd.DataFrame:
    """The passage records as a corpus table carrying their parents' metadata."""
    meta_cols = [c for c in corpus.columns if c not in ("doc_id", "text")]
    # the parents' metadata without their texts: an Arrow string column copied row by row
    # would hold every matching speech again (about 600 MB for the arms paragraphs of UNGDC)
    parent = corpus[["doc_id", *meta_cols]].iloc[[r[0] for r in records]].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "doc_id": [f"{pid}#{tag}{r[1]}" for pid, r in zip(parent["doc_id"], records)],
            "text": [r[4] for r in records],
        }
    )
    for c in meta_cols:
        out[c] = parent[c].to_numpy() if len(parent) else pd.Series(dtype=corpus[c].dtype)
    out["parent_doc_id"] = parent["doc_id"].astype(str).to_numpy() if len(parent) else []
    out["passage_index"] = np.array([r[1] for r in records], dtype=np.int64)
    out["start"] = np.array([r[2] for r in records], dtype=np.int64)
    out["end"] = np.array([r[3] for r in records], dtype=np.int64)
    out["n_matches"] = np.array([r[5] for r in records], dtype=np.int64)
    out["categories"] = [r[6] for r in records]
    for c in ("doc_id", "text"):
        out[c] = out[c].astype(corpus[c].dtype if str(corpus[c].dtype) == "string" else object)
    return out

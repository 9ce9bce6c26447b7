"""Naming topics: the topics a dictionary picks out, and the documents that show a topic.

:func:`match_topics` selects the topics whose top FREX terms are dictionary terms;
:func:`representative_docs` lists the documents with the largest share of each topic, with
a snippet centred where the topic's top terms are densest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from toolkit import keywords
from toolkit.topics.model import TopicModel, _join_corpus

__all__ = ["match_topics", "representative_docs"]

_MATCH_COLUMNS = ["topic", "label", "top_terms", "matched_terms", "n_matches", "categories"]


def match_topics(
    model: TopicModel,
    dictionary: Any,
    *,
    categories: Sequence[str] | None = None,
    n_terms: int = 10,
    min_matches: int = 2,
    scheme: str = "frex",
    all_topics: bool = False,
) -> pd.DataFrame:
    """The topics whose top terms are dictionary terms: e.g. the topics about arms.

    Each of a topic's top ``n_terms`` terms (by ``scheme``) is matched on its own with
    the dictionary's matcher (:attr:`toolkit.keywords.Dictionary.matcher`, so inflections,
    hyphen variants and multi-word entries work as in :func:`toolkit.keywords.count_matches`):
    phrases joined with ``"_"`` (``arms_trade``) are matched with spaces (``arms trade``),
    and a term is also tried in upper case so that lower-cased acronyms (``npt``, ``att``)
    meet the dictionary's case-sensitive entries. A topic is selected when at least
    ``min_matches`` *distinct* top terms match one of ``categories``.

    Matching top terms by FREX (frequent *and* exclusive terms) rather than by weight, and
    asking for two distinct matches, keeps out the broad topics in which one arms word
    appears among general diplomatic vocabulary (on UNGDC a "powers/co_operation/
    disarmament" topic and a "soviet/union/socialist" one matched the whole ``arms``
    dictionary on a single term each).

    Parameters
    ----------
    model : TopicModel
        Fitted.
    dictionary : str or path or mapping or Dictionary
        Anything :func:`toolkit.keywords.load_dictionary` accepts, e.g. ``"arms"``. There
        is no default: which dictionary marks the topics is the researcher's choice.
    categories : sequence of str or None, default=None
        Categories whose terms count. None means the categories the dictionary flags as
        specific to its subject (``specific: true`` in its YAML,
        :attr:`toolkit.keywords.Category.specific`; for the built-in ``arms`` dictionary:
        arms_transfers, military_aid, export_controls, arms_control), or every category
        when none is flagged.
    n_terms : int, default=10
        Top terms of each topic that are matched.
    min_matches : int, default=2
        Distinct matching top terms a topic needs to be selected.
    scheme : {"frex", "weight"}, default="frex"
        How the top terms are ranked (:meth:`TopicModel.top_terms`).
    all_topics : bool, default=False
        False returns the selected topics only (an empty table when none qualifies);
        True returns every topic with a boolean ``selected`` column (to report the
        near misses).

    Returns
    -------
    DataFrame
        One row per selected topic, most matches first (ties by topic number):
        ``topic`` (int), ``label`` (:meth:`TopicModel.topic_names`), ``top_terms`` (the
        terms matched against, comma-separated, in rank order), ``matched_terms`` (those
        that matched), ``n_matches`` (their number), ``categories`` (the categories they
        matched, in dictionary order). ``attrs["match_topics"]`` records the dictionary
        (name, version), categories, ``n_terms``, ``min_matches`` and ``scheme``.

    Raises
    ------
    ValueError
        If a category is not in the dictionary, or ``n_terms`` / ``min_matches`` < 1.
    """
    check_is_fitted(model, "components_")
    if int(n_terms) < 1 or int(min_matches) < 1:
        raise ValueError(
            f"n_terms and min_matches must be at least 1, got n_terms={n_terms}, "
            f"min_matches={min_matches}."
        )
    lexicon = keywords.load_dictionary(dictionary)
    cats = _match_categories(lexicon, categories)
    matcher = lexicon.subset(cats).matcher
    lists = model.top_term_lists(int(n_terms), scheme=scheme)
    names = model.topic_names()
    rows = []
    for t, terms in enumerate(lists):
        matched, hit_cats = _matched_terms(matcher, terms)
        rows.append({
            "topic": t,
            "label": names[t],
            "top_terms": ", ".join(map(str, terms)),
            "matched_terms": ", ".join(matched),
            "n_matches": len(matched),
            "categories": ", ".join(matcher.categories[i] for i in sorted(hit_cats)),
        })
    out = pd.DataFrame(rows, columns=_MATCH_COLUMNS)
    out["selected"] = out["n_matches"] >= int(min_matches)
    out = out.sort_values(["n_matches", "topic"], ascending=[False, True], kind="stable")
    if not all_topics:
        out = out[out["selected"]].drop(columns="selected")
    out = out.reset_index(drop=True).astype({"topic": "int64", "n_matches": "int64"})
    out.attrs["match_topics"] = {
        "dictionary": lexicon.name, "version": lexicon.version, "categories": cats,
        "n_terms": int(n_terms), "min_matches": int(min_matches), "scheme": scheme,
    }
    return out


def _match_categories(lexicon: keywords.Dictionary, categories: Any) -> list[str]:
    """The categories :func:`match_topics` counts, in dictionary order."""
    if categories is None:
        flagged = [c.name for c in lexicon.categories if c.specific]
        return flagged or lexicon.category_names
    cats = [categories] if isinstance(categories, str) else list(categories)
    unknown = [c for c in cats if c not in lexicon.category_names]
    if unknown or not cats:
        raise ValueError(
            f"Categories {unknown or cats} are not in the dictionary {lexicon.name!r}; "
            f"it has {lexicon.category_names}."
        )
    return [c for c in lexicon.category_names if c in cats]


def _matched_terms(matcher: Any, terms: Sequence[str]) -> tuple[list[str], set[int]]:
    """The top terms the matcher finds, each on its own, and the categories they hit.

    A phrase joined with ``"_"`` is matched with spaces, and every term is also tried in
    upper case so that a lower-cased acronym meets a case-sensitive entry.
    """
    matched, hit_cats = [], set()
    for term in terms:
        text = " ".join(str(term).replace("_", " ").split())
        found = set()
        for variant in dict.fromkeys((text, text.upper())):
            for _, _, ts in matcher.iter_matches(variant):
                found.update(matcher.match_categories(ts).tolist())
        if found:
            matched.append(str(term))
            hit_cats |= found
    return matched, hit_cats


def representative_docs(
    model: TopicModel,
    corpus: pd.DataFrame | None = None,
    *,
    n: int = 5,
    topics: Sequence[int] | None = None,
    window: int = 80,
    n_terms: int = 10,
    scheme: str = "weight",
    tiebreak: np.ndarray | None = None,
) -> pd.DataFrame:
    """The documents with the largest share of each topic, with KWIC-style snippets.

    Parameters
    ----------
    model : TopicModel
        Fitted.
    corpus : DataFrame or None, default=None
        The corpus table (``doc_id``, ``text``, optionally ``actor``/``year``). Without it
        no snippets are given.
    n : int, default=5
        Documents per topic.
    topics : sequence of int or None, default=None
        Topics to report (all by default).
    window : int, default=80
        Characters of context either side of the matched term.
    n_terms : int, default=10
        The snippet centres on the occurrence of one of the topic's top ``n_terms``
        terms that has the most distinct top terms within ``window`` characters (terms
        match case-insensitively as word prefixes, so a lemma such as ``weapon`` matches
        ``weapons``; the first such place wins ties).
    scheme : {"weight", "frex"}, default="weight"
        How those top terms are ranked (:meth:`TopicModel.top_terms`). FREX centres the
        snippet on the words that set the topic apart rather than on its most frequent
        ones (useful when all documents share a theme, as passages about arms do).
    tiebreak : ndarray of shape (n_docs, n_topics) or None, default=None
        Orders documents of equal share, larger first (e.g. the unnormalised topic weights
        ``model.transform(dtm, normalize=False)``: among documents wholly in a topic, the
        ones it fits best). Remaining ties, and all ties when None, go by doc_id.

    Returns
    -------
    DataFrame
        ``topic``, ``rank``, ``doc_id``, ``share``, then (with a corpus) ``actor``,
        ``year`` when present, ``left``, ``match``, ``right``.
    """
    check_is_fitted(model, "components_")
    k_all = model.doc_topic_.shape[1]
    topics = list(range(k_all)) if topics is None else [int(t) for t in topics]
    terms = model.top_term_lists(n_terms, scheme=scheme)
    if tiebreak is not None and np.shape(tiebreak) != model.doc_topic_.shape:
        raise ValueError(
            f"tiebreak has shape {np.shape(tiebreak)}; it needs one value per document and "
            f"topic, shape {model.doc_topic_.shape} (like model.doc_topic_)."
        )
    rows = []
    for t in topics:
        if not 0 <= t < k_all:
            raise ValueError(f"topic {t} does not exist; topics are 0..{k_all - 1}.")
        share = model.doc_topic_[:, t]
        second = np.zeros_like(share) if tiebreak is None else -np.asarray(tiebreak)[:, t]
        order = np.lexsort((model.doc_ids_, second, -share))[:n]
        for r, i in enumerate(order):
            rows.append({"topic": t, "rank": r + 1, "doc_id": model.doc_ids_[i],
                         "share": float(share[i])})
    out = pd.DataFrame(rows, columns=["topic", "rank", "doc_id", "share"])
    if corpus is None:
        return out
    extra = [c for c in ("actor", "year") if c in corpus.columns]
    meta = _join_corpus(model, corpus, need=["text", *extra])
    sub = meta.loc[out["doc_id"]]
    for c in extra:
        out[c] = sub[c].to_numpy()
    snips = [_snippet(text, terms[t], window)
             for text, t in zip(sub["text"], out["topic"], strict=True)]
    out["left"], out["match"], out["right"] = zip(*snips, strict=True) if snips else ([], [], [])
    return out


def _snippet(text: Any, terms: Sequence[str], window: int) -> tuple[str, str, str]:
    """Centre a snippet on the top-term occurrence with the most distinct top terms nearby.

    One snippet per document, not a concordance: :func:`toolkit.keywords.kwic` lists
    *every* match of dictionary terms, while this picks the single place where a topic's
    top terms (lemmas, matched as case-insensitive word prefixes) are densest, and folds
    white space at the edges of the context too. No public function of
    :mod:`toolkit.keywords` gives this snippet, so it stays here, its only user.

    Returns
    -------
    (left, match, right) : tuple of str
        Context with white space folded; ``("", "", opening)`` when no term occurs.
    """
    text = "" if not isinstance(text, str) else text
    hits = []  # (start, end, term index)
    for j, term in enumerate(terms):
        pattern = r"\b" + r"\s+".join(map(re.escape, re.split(r"[\s_]+", term))) + r"\w*"
        hits.extend((m.start(), m.end(), j) for m in re.finditer(pattern, text, re.IGNORECASE))
    if not hits:
        return "", "", " ".join(text[: 2 * window].split())
    hits.sort()
    starts = np.array([h[0] for h in hits])
    best, best_score = 0, -1
    for i, (a, b, _) in enumerate(hits):
        lo, hi = np.searchsorted(starts, [a - window, b + window])
        score = len({h[2] for h in hits[lo:hi]})
        if score > best_score:
            best, best_score = i, score
    a, b, _ = hits[best]
    left = " ".join(text[max(0, a - window): a].split())
    right = " ".join(text[b: b + window].split())
    return left, text[a:b], right


"""Contrasts: the keywords of one group against another, and the collocates of a word.

:func:`keyness` tests every term's frequency in a target against a reference (G², χ²,
Hardie's log ratio); :func:`collocations` ranks the words around a target word by PMI or
G². Both count lower-cased ``\\w+`` tokens (or take a document-term matrix).
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._validation import (
    check_int,
    check_option,
    renamed_parameters,
    require_columns,
)
from toolkit.features import DocTermMatrix
from toolkit.keywords._common import _check_corpus, _filter_corpus, _text_list
from toolkit.keywords._matcher import _parse_term, _symbols_regex_alternatives

__all__ = ["collocations", "describe_keyness", "keyness", "significant_terms"]


# --------------------------------------------------------------------------------------
# Keyness
# --------------------------------------------------------------------------------------


def _word_counts(texts: Iterable[str]) -> Counter:
    c: Counter = Counter()
    rx = re.compile(r"\w+")
    for t in texts:
        c.update(rx.findall(t.lower()))
    return c


def _stopword_set(stopwords: str | Iterable[str] | None) -> frozenset[str]:
    if stopwords is None:
        return frozenset()
    if isinstance(stopwords, str):
        if stopwords != "english":
            raise ValueError(f"stopwords must be 'english', a list or None, got {stopwords!r}.")
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)
    return frozenset(w.lower() for w in stopwords)


def _two_by_two(a, b, n1, n2):
    """Return G2, chi2 (Pearson, no continuity correction) for the 2x2 table per term.

    Table: [[a, n1 - a], [b, n2 - b]] (rows: target, reference; columns: term, other).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    c, dd = n1 - a, n2 - b
    n = n1 + n2
    col1, col2 = a + b, c + dd
    obs = np.stack([a, c, b, dd])
    exp = np.stack([n1 * col1 / n, n1 * col2 / n, n2 * col1 / n, n2 * col2 / n])
    with np.errstate(divide="ignore", invalid="ignore"):
        g_terms = np.where(obs > 0, obs * np.log(obs / exp), 0.0)
        chi_terms = np.where(exp > 0, (obs - exp) ** 2 / exp, 0.0)
    return 2 * g_terms.sum(axis=0), chi_terms.sum(axis=0)


@renamed_parameters(top="n_terms")
def keyness(
    corpus_or_dtm: Any,
    target_mask: Any,
    *,
    reference_mask: Any = None,
    min_count: int = 5,
    smoothing: float = 0.5,
    sort_by: str = "g2",
    n_terms: int | None = None,
    stopwords: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keywords of a target group against a reference: G², χ², p-values and log ratio.

    Parameters
    ----------
    corpus_or_dtm : DataFrame or DocTermMatrix
        A corpus table (tokens are lower-cased ``\\w+`` runs) or a
        :class:`toolkit.features.DocTermMatrix` of counts.
    target_mask : bool array-like of shape (n_docs,)
        Documents of the target group, in the corpus (or matrix) row order; a boolean
        Series indexed by doc_id is aligned on doc_id.
    reference_mask : bool array-like of shape (n_docs,) or None, default=None
        Reference documents; None means every document not in the target.
    min_count : int, default=5
        Keep terms with at least this many occurrences in target and reference together.
    smoothing : float, default=0.5
        Added to both frequencies in the log ratio, so zero counts stay finite.
    sort_by : {"g2", "chi2", "log_ratio"}, default="g2"
    n_terms : int or None, default=None
        Keep the first ``n_terms`` rows (terms) after sorting; None keeps all. The old
        name ``top`` still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning`.
    stopwords : "english", iterable of str or None, default=None
        Terms to leave out of the result (they still count in the token totals);
        "english" is scikit-learn's English stop-word list.

    Returns
    -------
    DataFrame
        ``term``, ``count_target``, ``count_reference``, ``per_10k_target``,
        ``per_10k_reference``, ``g2``, ``chi2``, ``p_g2``, ``p_chi2``, ``p_bonferroni``
        (of G², over all terms tested), ``log_ratio``, ``direction`` ("target" where the
        term is relatively more frequent in the target). ``attrs`` hold both corpus sizes,
        ``n_terms_tested`` and ``methods`` (``["keyness_g2"]``, a key of
        :func:`toolkit.methods.registry`).

    Notes
    -----
    For each term the 2x2 table is [[a, N1 - a], [b, N2 - b]] with a, b the term's counts
    and N1, N2 the token totals. E_ij = row_i * col_j / N. G² = 2 Σ O ln(O/E) over all four
    cells (the G-test; 0 ln 0 = 0); χ² = Σ (O - E)² / E without continuity correction;
    both have 1 degree of freedom. log_ratio = log2(((a + s) / N1) / ((b + s) / N2)) with
    s = ``smoothing`` (Hardie's Log Ratio; +1 means twice as frequent in the target).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.features import build_dtm
    >>> from toolkit.keywords import keyness
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["chn1", "chn2", "usa1", "usa2"],
    ...     "actor": ["CHN", "CHN", "USA", "USA"],
    ...     "text": ["China will not sell weapons to either side.",
    ...              "China controls the export of dual-use items.",
    ...              "We will send more weapons and military aid to Ukraine.",
    ...              "Military aid to Ukraine continues."]})
    >>> dtm = build_dtm(corpus, use_cache=False, progress=False)
    >>> table = keyness(dtm, corpus["actor"].eq("USA").to_numpy(), min_count=1)
    >>> table[["term", "count_target", "count_reference", "g2", "log_ratio"]].head(3).round(2)
               term  count_target  count_reference    g2  log_ratio
    0  military_aid             2                0  3.11       2.32
    1       ukraine             2                0  3.11       2.32
    2         china             0                2  3.11      -2.32
    """
    if isinstance(corpus_or_dtm, DocTermMatrix):
        ids = corpus_or_dtm.doc_ids
    elif isinstance(corpus_or_dtm, pd.DataFrame):
        _check_corpus(corpus_or_dtm)
        ids = corpus_or_dtm["doc_id"].astype(str).to_numpy()
    else:
        raise TypeError(
            "keyness needs a corpus DataFrame or a DocTermMatrix, got "
            f"{type(corpus_or_dtm).__name__}."
        )

    t_mask = _as_mask(target_mask, "target_mask", ids)
    r_mask = (~t_mask if reference_mask is None
              else _as_mask(reference_mask, "reference_mask", ids))
    if not t_mask.any():
        raise ValueError("target_mask selects no documents.")
    if not r_mask.any():
        raise ValueError("The reference selects no documents (reference_mask or the rest).")
    if (t_mask & r_mask).any():
        raise ValueError(
            f"{int((t_mask & r_mask).sum())} documents are in both target and reference; "
            "the groups must not overlap."
        )
    vocab, a, b = _term_totals(corpus_or_dtm, t_mask, r_mask)
    n1, n2 = a.sum(), b.sum()
    if n1 == 0 or n2 == 0:
        raise ValueError("The target or the reference has no tokens.")
    keep = (a + b) >= min_count
    stop = _stopword_set(stopwords)
    if stop:
        keep &= ~np.isin(vocab, list(stop))
    n_tested = int(keep.sum())
    if not n_tested:
        raise ValueError(f"No term occurs at least min_count={min_count} times; lower min_count.")
    vocab, a, b = vocab[keep], a[keep], b[keep]
    g2, chi2 = _two_by_two(a, b, n1, n2)
    lr = np.log2(((a + smoothing) / n1) / ((b + smoothing) / n2))
    p_g2 = stats.chi2.sf(g2, df=1)
    out = pd.DataFrame(
        {
            "term": vocab,
            "count_target": a.astype(np.int64),
            "count_reference": b.astype(np.int64),
            "per_10k_target": a / n1 * 1e4,
            "per_10k_reference": b / n2 * 1e4,
            "g2": g2,
            "chi2": chi2,
            "p_g2": p_g2,
            "p_chi2": stats.chi2.sf(chi2, df=1),
            "p_bonferroni": np.minimum(p_g2 * n_tested, 1.0),
            "log_ratio": lr,
            "direction": np.where(a / n1 >= b / n2, "target", "reference"),
        }
    )
    if sort_by not in {"g2", "chi2", "log_ratio"}:
        raise ValueError(f"sort_by must be 'g2', 'chi2' or 'log_ratio', got {sort_by!r}.")
    out = out.sort_values([sort_by, "term"], ascending=[False, True], kind="stable")
    if n_terms is not None:
        out = out.head(n_terms)
    out = out.reset_index(drop=True)
    out.attrs = {
        "n_tokens_target": int(n1),
        "n_tokens_reference": int(n2),
        "n_terms_tested": n_tested,
        "methods": ["keyness_g2"],
    }
    return out


_P_NAMES = {"p_bonferroni": "Bonferroni-adjusted p", "p_g2": "unadjusted p (G²)",
            "p_chi2": "unadjusted p (χ²)"}


def significant_terms(
    keyness_table: pd.DataFrame,
    *,
    max_p: float | None = 0.05,
    n_terms: int | None = None,
    p_column: str = "p_bonferroni",
) -> pd.DataFrame:
    """The key terms whose p-value is below a threshold, the largest G² first on each side.

    Parameters
    ----------
    keyness_table : DataFrame
        Output of :func:`keyness`. Pass the whole table (``n_terms=None``) for the counts
        to cover every term tested; a truncated table is flagged in ``attrs``.
    max_p : float or None, default=0.05
        Keep terms with ``p_column < max_p``; None keeps every term.
    n_terms : int or None, default=None
        Keep the first ``n_terms`` terms by G² on each side; None keeps all that pass.
    p_column : {"p_bonferroni", "p_g2", "p_chi2"}, default="p_bonferroni"
        The p-value compared with ``max_p``.

    Returns
    -------
    DataFrame
        The kept rows of ``keyness_table``, the target's terms first, each side by G²
        (descending). ``attrs``: those of ``keyness_table`` plus ``max_p``, ``p_column``,
        ``n_passing`` (``{"target": int, "reference": int}``, before the ``n_terms``
        cut), ``min_p`` (the smallest ``p_column`` in the table), ``n_terms_tested`` and
        ``truncated`` (True when the table has fewer rows than terms were tested).
    """
    require_columns(keyness_table, ["term", "g2", "direction", p_column],
                    what="significant_terms", hint="Pass the output of keyness.")
    check_option("p_column", p_column, tuple(_P_NAMES))
    if max_p is not None and not 0 < max_p <= 1:
        raise ValueError(f"max_p must be in (0, 1] or None, got {max_p}.")
    df = keyness_table
    if max_p is not None:
        df = df[df[p_column] < max_p]
    sides = []
    for side in ("target", "reference"):
        part = df[df["direction"] == side].sort_values(["g2", "term"], ascending=[False, True],
                                                       kind="stable")
        sides.append(part if n_terms is None else part.head(n_terms))
    out = pd.concat(sides).reset_index(drop=True)
    n_tested = int(keyness_table.attrs.get("n_terms_tested", len(keyness_table)))
    out.attrs = {
        **keyness_table.attrs,
        "max_p": max_p,
        "p_column": p_column,
        "n_passing": {side: int((df["direction"] == side).sum())
                      for side in ("target", "reference")},
        "min_p": float(keyness_table[p_column].min()) if len(keyness_table) else np.nan,
        "n_terms_tested": n_tested,
        "truncated": len(keyness_table) < n_tested,
    }
    return out


def describe_keyness(
    terms: pd.DataFrame, *, target_label: str, reference_label: str, n_named: int = 5
) -> str:
    """One sentence on the key terms of a :func:`significant_terms` table, for a finding.

    It states the threshold and how many terms pass it on each side (from ``attrs``),
    names the ``n_named`` terms with the largest G² on each side, and says so plainly
    when no term passes.

    Parameters
    ----------
    terms : DataFrame
        Output of :func:`significant_terms`.
    target_label, reference_label : str
        Names of the two sides, e.g. "CHN" and "USA".
    n_named : int, default=5
        Terms named per side.

    Returns
    -------
    str
        E.g. "Terms over-used at Bonferroni-adjusted p < 0.05 (G², 9,874 tested): 312 by
        CHN, 287 by USA; the largest G² (up to 5 per side): CHN: china, ...; USA:
        america, ...."
    """
    require_columns(terms, ["term", "direction"], what="describe_keyness",
                    hint="Pass the output of significant_terms.")
    a = terms.attrs
    if "n_passing" not in a:
        raise ValueError("terms has no attrs['n_passing']; pass the output of "
                         "significant_terms.")
    check_int("n_named", n_named, min_value=1)
    at_least = "at least " if a.get("truncated") else ""
    n_t, n_r = a["n_passing"]["target"], a["n_passing"]["reference"]
    n_tested = a["n_terms_tested"]
    p_name = _P_NAMES[a["p_column"]]
    if a["max_p"] is None:
        head = (f"Terms by G² ({n_tested:,} tested, no threshold on p): {at_least}{n_t:,} "
                f"relatively more frequent in {target_label}, {at_least}{n_r:,} in "
                f"{reference_label}")
    elif n_t + n_r == 0:
        return (f"No term sets {target_label} and {reference_label} apart: none of the "
                f"{n_tested:,} terms tested (G²) has a {p_name} below {a['max_p']:g} "
                f"(the smallest is {a['min_p']:.2g}).")
    else:
        head = (f"Terms over-used at {p_name} < {a['max_p']:g} (G², {n_tested:,} tested): "
                f"{at_least}{n_t:,} by {target_label}, {at_least}{n_r:,} by {reference_label}")
    named = []
    for side, label in (("target", target_label), ("reference", reference_label)):
        words = terms.loc[terms["direction"] == side, "term"].head(n_named).astype(str)
        named.append(f"{label}: {', '.join(words) if len(words) else 'none'}")
    return f"{head}; the largest G² (up to {n_named} per side): {'; '.join(named)}."


def _as_mask(mask: Any, name: str, ids: np.ndarray) -> np.ndarray:
    """A boolean mask over ``ids``; a Series indexed by doc_id is aligned on doc_id."""
    if isinstance(mask, pd.Series) and not mask.index.equals(pd.RangeIndex(len(mask))):
        if set(map(str, mask.index)) >= set(map(str, ids)):
            mask = mask.set_axis(mask.index.astype(str)).reindex(ids)
    arr = np.asarray(mask, dtype=bool)
    if arr.shape != (len(ids),):
        raise ValueError(
            f"{name} has shape {arr.shape}; it must be a boolean mask of length {len(ids)} "
            "(one value per document)."
        )
    return arr


def _term_totals(
    corpus_or_dtm: pd.DataFrame | DocTermMatrix, t_mask: np.ndarray, r_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vocabulary and every term's count in the target and in the reference."""
    if isinstance(corpus_or_dtm, pd.DataFrame):
        texts = np.array(_text_list(corpus_or_dtm["text"]), dtype=object)
        ct, cr = _word_counts(texts[t_mask]), _word_counts(texts[r_mask])
        vocab = np.array(sorted(set(ct) | set(cr)), dtype=object)
        a = np.array([ct.get(w, 0) for w in vocab], dtype=float)
        b = np.array([cr.get(w, 0) for w in vocab], dtype=float)
    else:
        mat = corpus_or_dtm.matrix
        vocab = np.asarray(corpus_or_dtm.vocab, dtype=object)
        a = np.asarray(mat[t_mask].sum(axis=0)).ravel().astype(float)
        b = np.asarray(mat[r_mask].sum(axis=0)).ravel().astype(float)
    return vocab, a, b


# --------------------------------------------------------------------------------------
# Collocations
# --------------------------------------------------------------------------------------


@renamed_parameters(top="n_terms")
def collocations(
    corpus: pd.DataFrame,
    target: str,
    *,
    window: int = 5,
    measure: str = "pmi",
    min_count: int = 3,
    stopwords: str | Iterable[str] | None = "english",
    n_terms: int | None = 30,
    **filters: Any,
) -> pd.DataFrame:
    """Words that co-occur with a target within a window, ranked by an association measure.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table; tokens are lower-cased ``\\w+`` runs.
    target : str
        One word in the term syntax (``"weapon"`` also matches "weapons"; ``"arm*"``).
    window : int, default=5
        Tokens on each side of each target occurrence.
    measure : {"pmi", "g2"}, default="pmi"
        Ranking measure (both are always returned).
    min_count : int, default=3
        Minimum co-occurrences for a collocate to be reported.
    stopwords : "english", iterable of str or None, default="english"
        Collocates to leave out; "english" is scikit-learn's English stop-word list.
    n_terms : int or None, default=30
        Keep the first ``n_terms`` collocates after sorting; None keeps all. The old name
        ``top`` still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning`.
    **filters
        Metadata filters as in :func:`kwic` (e.g. ``actor="CHN"``).

    Returns
    -------
    DataFrame
        ``collocate``, ``co_count`` (O), ``expected`` (E), ``collocate_count``, ``pmi``,
        ``g2``, ``p_g2``. ``attrs`` hold the target count, the totals and ``methods``
        (``["collocation_pmi"]``, a key of :func:`toolkit.methods.registry`).

    Notes
    -----
    Let N be the tokens in the selected documents, f(y) the collocate's frequency, W the
    number of distinct token positions inside the target windows (a position in two
    overlapping windows counts once; the target's own positions are not slots; document
    edges respected), and O the occurrences of y at those positions. Then E = W * f(y) / N,
    PMI = log2(O / E), and G² is the G-test (Dunning 1993) of the 2x2 table
    [[O, W - O], [f(y) - O, N - W - f(y) + O]], of which every cell is >= 0 and O <= f(y).
    (Before 0.2, overlapping windows counted a position once per window, so O could exceed
    f(y) and a cell go negative.)
    """
    if measure not in {"pmi", "g2"}:
        raise ValueError(f"measure must be 'pmi' or 'g2', got {measure!r}.")
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}.")
    _check_corpus(corpus)
    sub = _filter_corpus(corpus, filters)
    if sub.empty:
        raise ValueError(f"No documents match the filters {filters}.")
    stop = _stopword_set(stopwords)
    term = _parse_term(target)
    if term.raw is not None or len(term.slots) != 1:
        raise ValueError(f"target must be one word (wildcards allowed), got {target!r}.")
    target_rx = re.compile(_symbols_regex_alternatives(term.slots))
    tok_rx = re.compile(r"\w+")
    docs = [tok_rx.findall(t.lower()) for t in _text_list(sub["text"])]
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    codes, types = pd.factorize(pd.Series(list(itertools.chain.from_iterable(docs)),
                                          dtype=object))
    n = int(codes.size)
    totals = np.bincount(codes, minlength=len(types)) if n else np.zeros(0, np.int64)
    is_target_type = np.fromiter(
        (bool(target_rx.fullmatch(t)) for t in types), dtype=bool, count=len(types)
    )
    is_t = is_target_type[codes] if n else np.zeros(0, bool)
    pos = np.flatnonzero(is_t)
    n_target = int(pos.size)
    doc_of = np.repeat(np.arange(len(docs)), lengths)
    doc_start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    offs = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]
    cand = pos[:, None] + offs[None, :]  # (n_target, 2 * window)
    lo = doc_start[doc_of[pos]][:, None]
    hi = (doc_start + lengths)[doc_of[pos]][:, None]
    valid = (cand >= lo) & (cand < hi)
    # each token position once, however many windows overlap it; the target's own
    # positions are not slots (so O <= f(y) and every cell of the 2x2 table is >= 0)
    inside = np.unique(cand[valid])
    inside = inside[~is_t[inside]]
    n_slots = int(inside.size)
    co = np.bincount(codes[inside], minlength=len(types)) if n else np.zeros(0, np.int64)
    if n_target == 0:
        # stacklevel 3: collocations <- the renamed_parameters wrapper <- the caller
        warnings.warn(f"The target {target!r} does not occur in the selected documents.",
                      UserWarning, stacklevel=3)
    types = np.asarray(types, dtype=object)
    keep = (co >= min_count) & ~np.isin(types, list(stop)) if n else np.zeros(0, bool)
    words = types[keep]
    o = co[keep].astype(float)
    fy = totals[keep].astype(float)
    e = n_slots * fy / n if n else fy
    with np.errstate(divide="ignore"):
        pmi = np.log2(o / e) if len(o) else o
    g2, _ = _two_by_two(o, fy - o, float(n_slots), float(n - n_slots))
    out = pd.DataFrame(
        {
            "collocate": words,
            "co_count": o.astype(np.int64),
            "expected": e,
            "collocate_count": fy.astype(np.int64),
            "pmi": pmi,
            "g2": g2,
            "p_g2": stats.chi2.sf(g2, df=1),
        }
    )
    out = out.sort_values([measure, "collocate"], ascending=[False, True], kind="stable")
    if n_terms is not None:
        out = out.head(n_terms)
    out = out.reset_index(drop=True)
    out.attrs = {"target": target, "n_target": n_target, "n_tokens": n, "n_slots": n_slots,
                 "window": window, "measure": measure, "methods": ["collocation_pmi"]}
    return out

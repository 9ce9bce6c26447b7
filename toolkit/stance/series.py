"""Stance units of a corpus, their labels, and counts of each stance per group and period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_ci_level, require_columns
from toolkit.periods import Period, assign_period
from toolkit.stance._common import STANCE_CATEGORIES, STANCE_LABELS
from toolkit.stance.rules import StanceRules
from toolkit.uncertainty import wilson_interval

__all__ = ["label_stance", "stance_sentences", "stance_series"]


def stance_sentences(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    categories: Sequence[str] = STANCE_CATEGORIES,
    progress: bool = False,
) -> pd.DataFrame:
    """The stance units of a corpus: sentences with a match in the arms-supply categories.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    dictionary : str, path, mapping or Dictionary
        The dictionary whose ``categories`` define arms-supply talk.
    categories : sequence of str, default=STANCE_CATEGORIES
        The categories that make a sentence a unit.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    DataFrame
        :func:`toolkit.keywords.extract_passages` at sentence level: one row per sentence,
        with the parent's metadata, ``parent_doc_id`` and the matched ``categories``.
    """
    from toolkit.keywords import extract_passages

    return extract_passages(corpus, dictionary, categories=list(categories), unit="sentence",
                            progress=progress)


def label_stance(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    classifier: Any = None,
    categories: Sequence[str] = STANCE_CATEGORIES,
    progress: bool = False,
) -> pd.DataFrame:
    """The stance units of a corpus, each labelled by a classifier.

    :func:`stance_sentences`, then the classifier's labels; the speaker's side of each
    sentence is its document's ``actor_name``. A corpus without arms-supply sentences gives
    an empty table with the same columns.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table (``actor_name`` names the speaker's side).
    dictionary : str, path, mapping or Dictionary
        The dictionary whose ``categories`` define arms-supply talk.
    classifier : estimator or None, default=None
        A fitted classifier taking a sentence table (:class:`StanceRules` or a fitted
        :class:`StanceModel`); None uses ``StanceRules().fit()``.
    categories : sequence of str, default=STANCE_CATEGORIES
        The categories that make a sentence a unit.
    progress : bool, default=False
        Show a progress bar while sentences are matched.

    Returns
    -------
    DataFrame
        The sentences of :func:`stance_sentences` plus ``stance``, and, for a classifier
        with ``explain`` (the rules), ``rule`` and ``cues``. ``attrs["stance"]`` names the
        ``classifier`` (class name), its ``params``, the ``dictionary`` (name and version),
        the ``categories`` and ``n_sentences``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.stance import label_stance
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["chn1", "usa1"], "actor": ["CHN", "USA"],
    ...     "actor_name": ["China", "United States"], "year": 2023,
    ...     "text": ["China will not sell weapons to either side. The weather is fine.",
    ...              "We will send more weapons and military aid to Ukraine."]})
    >>> label_stance(corpus, "arms")[["doc_id", "stance", "rule"]]
        doc_id  stance                 rule
    0  chn1#s0  refuse  self_negated_supply
    1  usa1#s0  supply          self_supply
    """
    from toolkit.keywords import load_dictionary

    d = load_dictionary(dictionary)
    clf = StanceRules().fit() if classifier is None else classifier
    sentences = stance_sentences(corpus, d, categories=categories, progress=progress)
    sentences = sentences.reset_index(drop=True)
    if hasattr(clf, "explain"):
        labels = clf.explain(sentences)
    else:
        labels = pd.DataFrame({"stance": np.asarray(clf.predict(sentences), dtype=object)},
                              index=sentences.index)
    out = pd.concat([sentences, labels.astype(object)], axis=1)
    out.attrs = dict(sentences.attrs)
    out.attrs["stance"] = {
        "classifier": type(clf).__name__,
        "params": {k: v for k, v in clf.get_params().items()
                   if isinstance(v, (str, int, float, bool, type(None)))},
        "dictionary": {"name": d.name, "version": d.version},
        "categories": list(categories), "n_sentences": len(out),
    }
    return out


def stance_series(
    labelled: pd.DataFrame,
    *,
    by: str | None = "actor",
    period: Period = "year",
    stance: str = "stance",
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Counts and shares of each stance per group and period, with Wilson intervals.

    Parameters
    ----------
    labelled : DataFrame
        Sentences with a stance column (e.g. :func:`stance_sentences` plus
        ``StanceRules().fit().predict(...)``) and the ``by`` / period columns.
    by : str or None, default="actor"
        Grouping column; None pools every sentence.
    period : str or int or callable or None, default="year"
        Periods, in the vocabulary of :func:`toolkit.periods.assign_period` ("M" for months).
    stance : str, default="stance"
        The label column.
    ci_level : float, default=0.95
        Confidence level of the share intervals.

    Returns
    -------
    DataFrame
        One row per group, period and label (every label, zeros included): ``group``,
        ``period``, ``stance``, ``n`` (sentences with that label), ``n_total`` (sentences in
        the cell), ``share`` with Wilson ``ci_low`` / ``ci_high`` (Wilson 1927). Sorted by
        group, period and the order of :data:`STANCE_LABELS`.
    """
    ci_level = check_ci_level(ci_level)
    require_columns(labelled, [stance, *([by] if by else [])], what="stance_series",
                    noun="sentence table")
    cells = pd.DataFrame({
        "group": labelled[by].astype(str).to_numpy() if by else "all",
        "period": assign_period(labelled, period).to_numpy(),
        "stance": labelled[stance].astype(str).to_numpy(),
    })
    counts = cells.groupby(["group", "period", "stance"]).size()
    index = pd.MultiIndex.from_product(
        [sorted(cells["group"].unique()), sorted(cells["period"].dropna().unique()),
         list(STANCE_LABELS)], names=["group", "period", "stance"])
    out = counts.reindex(index, fill_value=0).rename("n").reset_index()
    out["n_total"] = out.groupby(["group", "period"])["n"].transform("sum")
    out = out[out["n_total"] > 0].reset_index(drop=True)
    lo, hi = wilson_interval(out["n"].to_numpy(), out["n_total"].to_numpy(), ci_level=ci_level)
    out["share"] = out["n"] / out["n_total"]
    out["ci_low"], out["ci_high"] = lo, hi
    out.attrs["stance_series"] = {"by": by, "period": period, "ci_level": ci_level,
                                  "method": "wilson"}
    out.attrs["methods"] = ["wilson"]
    return out

"""Evaluation of the stance classifiers on the hand-labelled gold set."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_ci_level, check_int, require_columns
from toolkit.stance._common import STANCE_LABELS, _as_frame
from toolkit.stance.rules import StanceRules

__all__ = [
    "DESIGNS", "GOLD_SHEET", "confusion_table", "cross_validated_predictions", "cv_folds",
    "evaluate_by_design", "evaluate_rules", "evaluate_stance", "load_gold",
]

#: The committed gold sheet that :func:`load_gold` reads by default.
GOLD_SHEET = "arms_stance_v2.csv"

#: How a gold row was drawn: a stratified random sample, a census of a stratum, or a stratum
#: oversampled by cues (scored apart by :func:`evaluate_by_design`).
DESIGNS: tuple[str, ...] = ("stratified", "census", "oversample")


def cv_folds(y: Sequence[str], *, n_splits: int = 5) -> int:
    """The folds :func:`cross_validated_predictions` uses for these labels.

    Stratified k-fold needs every label in every fold, so a label with fewer sentences than
    ``n_splits`` lowers the number of folds to its count (never below 2).

    Parameters
    ----------
    y : sequence of str
        Gold labels.
    n_splits : int, default=5
        Folds asked for.

    Returns
    -------
    int
        ``max(2, min(n_splits, count of the rarest label))``.
    """
    n_splits = check_int("n_splits", n_splits, min_value=2)
    counts = pd.Series(np.asarray(y, dtype=object)).value_counts()
    smallest = int(counts.min()) if len(counts) else n_splits
    return max(2, min(n_splits, smallest))


def cross_validated_predictions(
    model: Any, X: Any, y: Sequence[str], *, n_splits: int = 5, random_state: int
) -> np.ndarray:
    """Out-of-fold predictions of ``model`` under stratified k-fold cross-validation.

    Parameters
    ----------
    model : estimator
        A :class:`StanceModel` (or any classifier taking sentences).
    X : sequence of str or DataFrame with ``text``
        Sentences.
    y : sequence of str
        Gold labels.
    n_splits : int, default=5
        Folds (each label needs at least this many sentences for stratification; rarer
        labels make the split fall back to as many folds as the rarest label allows, >= 2).
    random_state : int
        Seed of the fold assignment.

    Returns
    -------
    ndarray of shape (n_sentences,)
        Each sentence's label predicted by the model fitted without its fold.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, dtype=object)
    frame = _as_frame(X).reset_index(drop=True)
    folds = cv_folds(y, n_splits=n_splits)
    out = np.empty(len(y), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(np.zeros(len(y)), y):
        fitted = clone(model).fit(frame.iloc[train], y[train])
        out[test] = fitted.predict(frame.iloc[test])
    return out


def _prf(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Precision, recall, F1 per label (rows) -> array of shape (n_labels, 3); 0/0 -> NaN."""
    out = np.full((len(labels), 3), np.nan)
    for i, lab in enumerate(labels):
        tp = np.sum((y_pred == lab) & (y_true == lab))
        n_pred, n_true = np.sum(y_pred == lab), np.sum(y_true == lab)
        p = tp / n_pred if n_pred else np.nan
        r = tp / n_true if n_true else np.nan
        if n_pred and n_true and (p + r) > 0:
            f = 2 * p * r / (p + r)
        else:
            f = 0.0 if n_true else np.nan
        out[i] = (p, r, f)
    return out


def evaluate_stance(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    labels: Sequence[str] = STANCE_LABELS,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    random_state: int,
) -> pd.DataFrame:
    """Precision, recall and F1 per label and macro-averaged, with bootstrap intervals.

    Parameters
    ----------
    y_true, y_pred : sequence of str of length n_sentences
        Gold and predicted labels.
    labels : sequence of str, default=STANCE_LABELS
        Labels reported (in this order), then the ``macro`` row (the mean over labels that
        occur in the gold set).
    n_boot : int, default=1000
        Bootstrap resamples of sentences (percentile intervals).
    ci_level : float, default=0.95
        Confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per label plus ``macro``: ``support`` (gold count), ``precision``,
        ``recall``, ``f1`` and ``*_ci_low`` / ``*_ci_high`` for each.
    """
    ci_level = check_ci_level(ci_level)
    yt, yp = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if len(yt) != len(yp):
        raise ValueError(f"y_true has {len(yt)} labels but y_pred has {len(yp)}.")
    labels = list(labels)
    point = _prf(yt, yp, labels)
    present = np.array([np.any(yt == lab) for lab in labels])
    rng = np.random.default_rng(random_state)
    boots = np.empty((n_boot, len(labels) + 1, 3))
    for b in range(n_boot):
        idx = rng.integers(0, len(yt), size=len(yt))
        m = _prf(yt[idx], yp[idx], labels)
        boots[b, :-1] = m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            boots[b, -1] = np.nanmean(m[present], axis=0)
    a = (1 - ci_level) / 2
    table = np.vstack([point, np.nanmean(point[present], axis=0)])
    with warnings.catch_warnings():  # a label never predicted in a resample: NaN precision
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(boots, a, axis=0), np.nanquantile(boots, 1 - a, axis=0)
    out = pd.DataFrame({"label": [*labels, "macro"],
                        "support": [int(np.sum(yt == lab)) for lab in labels] + [len(yt)]})
    for k, name in enumerate(("precision", "recall", "f1")):
        out[name] = table[:, k]
        out[f"{name}_ci_low"] = lo[:, k]
        out[f"{name}_ci_high"] = hi[:, k]
    return out


def evaluate_rules(
    gold: pd.DataFrame | None = None,
    *,
    split: str | None = "test",
    sample: str | None = "representative",
    self_terms: Sequence[str] | None = None,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    random_state: int,
) -> pd.DataFrame:
    """Scores of :class:`StanceRules` on the gold set, by default on its held-out half.

    The rules were refined on the ``dev`` half of the gold set (its ``rules_split``
    column), so their honest scores are those on the ``test`` half; reports that use the
    rules' labels quote these. By default only the representative rows count (not the
    oversampled stratum, whose wording was selected to hold rare stances), so the figure
    speaks for the sentences of a corpus.

    Parameters
    ----------
    gold : DataFrame or None, default=None
        A gold set (``text``, ``stance``, ``actor_name``, ``rules_split``); None reads the
        committed one (:func:`load_gold`).
    split : str or None, default="test"
        The rows of ``rules_split`` scored; None scores every row.
    sample : {"representative", "oversample"} or None, default="representative"
        The rows by ``design`` (see :func:`evaluate_by_design`; a gold set without
        ``design`` is all representative); None scores both.
    self_terms : sequence of str or None, default=None
        Passed to :class:`StanceRules`.
    n_boot : int, default=1000
        Bootstrap resamples (see :func:`evaluate_stance`).
    ci_level : float, default=0.95
        Confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        :func:`evaluate_stance`'s table (one row per label plus ``macro``);
        ``attrs["evaluate_rules"]`` holds ``split``, ``sample`` and ``n`` (sentences scored).
    """
    gold = load_gold() if gold is None else gold
    if sample is not None:
        if sample not in ("representative", "oversample"):
            raise ValueError(f"sample must be 'representative', 'oversample' or None, got "
                             f"{sample!r}.")
        design = (gold["design"] if "design" in gold.columns
                  else pd.Series("stratified", index=gold.index))
        gold = gold[(design == "oversample") == (sample == "oversample")]
    if split is not None:
        require_columns(gold, ["rules_split"], what="evaluate_rules", noun="gold set")
        gold = gold[gold["rules_split"] == split]
        if gold.empty:
            raise ValueError(f"No gold sentence has rules_split == {split!r}; use 'dev', "
                             "'test' or split=None.")
    predicted = StanceRules(self_terms=self_terms).fit().predict(gold)
    out = evaluate_stance(gold["stance"], predicted, n_boot=n_boot, ci_level=ci_level,
                          random_state=random_state)
    out.attrs["evaluate_rules"] = {"split": split, "sample": sample, "n": len(gold)}
    out.attrs["methods"] = ["stance_rules", "percentile"]
    return out


def confusion_table(
    y_true: Sequence[str], y_pred: Sequence[str], *, labels: Sequence[str] = STANCE_LABELS
) -> pd.DataFrame:
    """Counts of gold (rows) by predicted (columns) labels.

    Parameters
    ----------
    y_true, y_pred : sequence of str
        Gold and predicted labels.
    labels : sequence of str, default=STANCE_LABELS
        Row and column order.

    Returns
    -------
    DataFrame of shape (n_labels, n_labels)
        Index ``gold``, columns ``predicted``.
    """
    from sklearn.metrics import confusion_matrix

    m = confusion_matrix(np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object),
                         labels=list(labels))
    return pd.DataFrame(m, index=pd.Index(labels, name="gold"),
                        columns=pd.Index(labels, name="predicted"))


def load_gold(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-labelled stance sentences (the gold set), ready for evaluation.

    Parameters
    ----------
    path : str or path or None, default=None
        A labelled sheet; None reads :data:`GOLD_SHEET` (``arms_stance_v2.csv``: the 407
        rows of ``arms_stance_v1.csv`` unchanged as batch 1, and batch 2 with its
        oversampled strata) in ``corpora/annotations/`` of the checkout.

    Returns
    -------
    DataFrame of shape (n_sentences, n_columns)
        The sheet as strings, with ``stance`` (the first reader's gold label),
        ``stance_b`` (the second reader's, on the double-read rows), ``actor_name`` (the
        speaker's side), ``part`` and ``text``; ``year`` as int. ``batch`` ("1" when the
        sheet has none) and ``design`` ("stratified" when the sheet has none; "census" or
        "oversample" for the strata of batch 2) say how each row was drawn.

    Raises
    ------
    FileNotFoundError
        When the sheet is not there (an installed package has no ``corpora/`` folder).
    """
    from toolkit.config import project_root

    if path is None:
        root = project_root()
        if root is None:
            raise FileNotFoundError(
                "The stance gold set lives in corpora/annotations/ of the fptk checkout; "
                "pass path= to a labelled sheet."
            )
        path = root / "corpora" / "annotations" / GOLD_SHEET
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No stance sheet at {path}; pass path= to a labelled sheet.")
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(gold, ["text", "stance"], what="load_gold", noun="sheet")
    bad = sorted(set(gold["stance"]) - set(STANCE_LABELS))
    if bad:
        raise ValueError(f"{path}: stance labels {bad} are not among {STANCE_LABELS}.")
    gold["year"] = pd.to_numeric(gold["year"]).astype("int64")
    if "batch" not in gold.columns:
        gold["batch"] = "1"
    if "design" not in gold.columns:
        gold["design"] = "stratified"
    unknown = sorted(set(gold["design"]) - set(DESIGNS))
    if unknown:
        raise ValueError(f"{path}: design values {unknown} are not among {DESIGNS}.")
    return gold


def evaluate_by_design(
    gold: pd.DataFrame,
    y_pred: Sequence[str],
    *,
    split: str | None = None,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    random_state: int,
) -> pd.DataFrame:
    """Scores on the representative rows and on the oversampled rows of the gold set, apart.

    The oversampled stratum (``design == "oversample"``) was selected by cues that make
    supply, refuse and request likely, so scores on it say how a classifier does on those
    hard, rare stances but not how it does on the corpus. The headline is the
    ``representative`` row set (``design`` "stratified" or "census"); ``oversample`` and
    ``all`` are reported beside it, never pooled into it silently.

    Parameters
    ----------
    gold : DataFrame
        The gold set (:func:`load_gold`): ``stance``, ``design`` and, with ``split``,
        ``rules_split``.
    y_pred : sequence of str of length n_sentences
        Predicted labels, aligned with ``gold``'s rows.
    split : str or None, default=None
        Score only the rows with this ``rules_split`` ("test" for the rules, and for any
        classifier that uses them); None scores every row.
    n_boot : int, default=1000
        Bootstrap resamples (see :func:`evaluate_stance`).
    ci_level : float, default=0.95
        Confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        :func:`evaluate_stance`'s rows for each ``sample`` ("representative", "oversample",
        "all"; a sample without rows is left out), with ``sample`` and ``n`` (sentences
        scored). ``attrs["evaluate_by_design"]`` holds ``split`` and the ``n`` per sample.
    """
    require_columns(gold, ["stance", "design"], what="evaluate_by_design", noun="gold set")
    y_pred = np.asarray(y_pred, dtype=object)
    if len(y_pred) != len(gold):
        raise ValueError(f"y_pred has {len(y_pred)} labels but the gold set has {len(gold)} "
                         "rows; pass predictions aligned with the gold rows.")
    keep = np.ones(len(gold), dtype=bool)
    if split is not None:
        require_columns(gold, ["rules_split"], what="evaluate_by_design", noun="gold set")
        keep = (gold["rules_split"] == split).to_numpy()
    over = (gold["design"] == "oversample").to_numpy()
    parts, sizes = [], {}
    for name, mask in (("representative", keep & ~over), ("oversample", keep & over),
                       ("all", keep)):
        if not mask.any():
            continue
        table = evaluate_stance(gold["stance"].to_numpy()[mask], y_pred[mask], n_boot=n_boot,
                                ci_level=ci_level, random_state=random_state)
        parts.append(table.assign(sample=name, n=int(mask.sum())))
        sizes[name] = int(mask.sum())
    out = pd.concat(parts, ignore_index=True)
    out.attrs["evaluate_by_design"] = {"split": split, "n": sizes}
    out.attrs["methods"] = ["percentile"]
    return out



"""A supervised stance classifier: logistic regression on word and character n-grams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from toolkit.stance._common import STANCE_LABELS, _as_frame, _mark_self

__all__ = ["StanceModel"]


class StanceModel(ClassifierMixin, BaseEstimator):
    """Logistic regression on word and character n-grams of a sentence.

    Word 1-2-grams and character 2-5-grams (within word boundaries), tf-idf weighted with
    sublinear term frequency, feed a multinomial logistic regression with balanced class
    weights. With ``rule_features=True`` the model also sees what :class:`StanceRules` says
    about the sentence (two extra words, ``rule_<name>`` and ``label_<label>``): a stacked
    classifier that learns when to trust each rule. The rules were written on the ``dev``
    half of the gold set, so score such a model on the ``test`` half only
    (:func:`toolkit.stance.evaluate_by_design` with ``split="test"``).

    Parameters
    ----------
    mark_self : bool, default=True
        Replace the words that name the speaker's side (first-person pronouns and the words
        of each row's ``actor_name``) by one token, ``selfref``, before the n-grams are
        built, so that "China will not sell" and "we will not sell" look alike and the model
        can learn who supplies (the codebook's stances turn on the agent).
    C : float, default=0.25
        Inverse regularisation strength. 0.25 scored best of 0.25, 0.5, 1, 4, 10 and 30
        (macro-F1 0.57, 0.55, 0.51, 0.45, 0.45, 0.48) in seeded 5-fold cross-validation
        scored on the ``dev`` rows of ``arms_stance_v2.csv`` only (4.0 before); marking
        negation scope and word 3-grams did not help there.
    rule_features : bool, default=False
        Add the rules' rule name and label as two words of each sentence.
    min_df : int, default=1
        Minimum document frequency of an n-gram.
    random_state : int or None, default=None
        Seed of the solver's shuffling (the lbfgs solver is deterministic; kept for the
        toolkit's convention and for other solvers).
    """

    def __init__(self, *, mark_self: bool = True, C: float = 0.25, rule_features: bool = False,
                 min_df: int = 1, random_state: int | None = None):
        self.mark_self = mark_self
        self.C = C
        self.rule_features = rule_features
        self.min_df = min_df
        self.random_state = random_state

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True,
                                     lowercase=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                     min_df=self.min_df, sublinear_tf=True)),
        ])
        clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                 random_state=self.random_state)
        return make_pipeline(features, clf)

    def fit(self, X: Any, y: Sequence[str]) -> StanceModel:
        """Fit on labelled sentences.

        Parameters
        ----------
        X : sequence of str or DataFrame with ``text``
            Sentences.
        y : sequence of str of length n_sentences
            Their stance labels.

        Returns
        -------
        StanceModel
            ``self``, with ``pipeline_`` and ``classes_``.
        """
        texts = self._texts(X)
        y = np.asarray(y, dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"X has {len(texts)} sentences but y has {len(y)} labels.")
        unknown = sorted(set(y) - set(STANCE_LABELS))
        if unknown:
            raise ValueError(f"Unknown stance labels {unknown}; use {STANCE_LABELS}.")
        self.pipeline_ = self._pipeline().fit(texts, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Label sentences.

        Parameters
        ----------
        X : sequence of str or DataFrame with ``text``
            Sentences.

        Returns
        -------
        ndarray of shape (n_sentences,)
            Predicted labels.
        """
        check_is_fitted(self, "pipeline_")
        texts = self._texts(X)
        if not texts:
            return np.array([], dtype=object)
        return self.pipeline_.predict(texts)

    def _texts(self, X: Any) -> list[str]:
        """The sentences, with the speaker's side marked when ``mark_self`` and the rules'
        verdict appended when ``rule_features``."""
        frame = _as_frame(X)
        texts = frame["text"].astype(str).tolist()
        if self.mark_self:
            names = (frame["actor_name"].tolist() if "actor_name" in frame.columns
                     else [None] * len(texts))
            texts = [_mark_self(t, n) for t, n in zip(texts, names)]
        if self.rule_features and texts:
            from toolkit.stance.rules import StanceRules

            verdict = StanceRules().fit().explain(frame)
            texts = [f"{t} rule_{r} label_{lab}" for t, r, lab in
                     zip(texts, verdict["rule"], verdict["stance"])]
        return texts



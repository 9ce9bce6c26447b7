"""Tests for the toolkit.topics package: the public names of the old module, renamed keywords."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from toolkit import topics
from toolkit.exceptions import FptkDeprecationWarning

# ``__all__`` of toolkit/topics.py before it became a package (issue 10), without
# ARMS_SPECIFIC_CATEGORIES: that research choice is now the ``specific: true`` flag of the
# categories in arms.yaml, and match_topics reads it from the dictionary.
OLD_PUBLIC_NAMES = [
    "TopicModel",
    "choose_k",
    "frex_scores",
    "match_topics",
    "npmi_coherence",
    "prevalence",
    "prevalence_change",
    "representative_docs",
    "sweep_k",
    "tfidf_weights",
    "topic_stability",
]
# Names added since (issue 12: topics within arms talk).
NEW_PUBLIC_NAMES = ["PassageTopics", "passage_topics", "prevalence_wide"]


def test_package_reexports_every_old_public_name():
    assert set(OLD_PUBLIC_NAMES + NEW_PUBLIC_NAMES) <= set(topics.__all__)
    for name in OLD_PUBLIC_NAMES + NEW_PUBLIC_NAMES:
        obj = getattr(topics, name)
        home = importlib.import_module(obj.__module__)
        assert home.__name__.startswith("toolkit.topics.")
        assert getattr(home, name) is obj
    namespace: dict = {}
    exec("from toolkit.topics import *", namespace)
    assert set(OLD_PUBLIC_NAMES) <= set(namespace)


def test_submodules_by_job():
    for module, names in {
        "model": ["TopicModel", "frex_scores", "nmf_topic_shares", "tfidf_weights"],
        "selection": ["choose_k", "npmi_coherence", "sweep_k", "topic_stability"],
        "labels": ["match_topics", "representative_docs"],
        "prevalence": ["prevalence", "prevalence_change", "prevalence_wide"],
        "passages": ["PassageTopics", "passage_topics"],
    }.items():
        mod = importlib.import_module(f"toolkit.topics.{module}")
        assert sorted(mod.__all__) == names


def test_n_is_the_deprecated_name_of_n_terms(fitted):
    with pytest.warns(FptkDeprecationWarning, match="'n' is deprecated.*'n_terms'"):
        old = fitted.top_terms(n=4, scheme="frex")
    assert old.equals(fitted.top_terms(n_terms=4, scheme="frex"))
    assert old.equals(fitted.top_terms(4, scheme="frex"))
    with pytest.warns(FptkDeprecationWarning, match="'n' is deprecated"):
        lists = fitted.top_term_lists(n=3)
    assert lists == fitted.top_term_lists(n_terms=3) == fitted.top_term_lists(3)
    assert np.all([len(t) == 3 for t in lists])

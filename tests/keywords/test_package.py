"""Tests for the toolkit.keywords package itself: its public names and the old names it
keeps (period_text, split_passages)."""

from __future__ import annotations

import importlib

import pandas as pd

from toolkit import exceptions, periods, text
from toolkit import keywords as kw
from toolkit.periods import period_name as _period_name


def test_period_text_for_prose():
    assert kw.period_text(pd.Timestamp("2023-04-01"), "M") == "April 2023"
    assert kw.period_text(pd.Timestamp("2023-04-01"), "Q") == "Q2 2023"
    assert kw.period_text(1990, "decade") == "1990s"
    assert kw.period_text(1990, 5) == "1990–1994"
    assert kw.period_text(1990, "year") == "1990"
    assert _period_name(5) == "5-year period" and _period_name("Q") == "quarter"


def test_sentence_splitter_keeps_abbreviations_and_hard_wraps():
    text = ("Mr. Smith met the U.S. delegation. It sold arms.\nThen it\nstopped. "
            "Art. 51 applies! Really? Yes.")
    sents = [text[s:e].strip() for s, e in kw.split_passages(text)]
    assert sents == ["Mr. Smith met the U.S. delegation.", "It sold arms.",
                     "Then it\nstopped.", "Art. 51 applies!", "Really?", "Yes."]
    paras = kw.split_passages("One line\nwraps here.\nNew para.\n", unit="paragraph")
    assert len(paras) == 2


# The public names of toolkit/keywords.py before it became a package (git show
# HEAD~5:toolkit/keywords.py, __all__).
OLD_ALL = [
    "Category", "Dictionary", "LowSampleWarning", "available_dictionaries", "change_points",
    "collocations", "count_matches", "count_tokens", "extract_passages", "keyness",
    "keyword_trends", "kwic", "kwic_summary", "load_dictionary", "mention_series",
    "period_text", "split_passages", "top_points",
]


def test_package_reexports_every_old_name():
    assert set(OLD_ALL) <= set(kw.__all__)
    for name in kw.__all__:
        assert getattr(kw, name) is not None, name
    # import_module: the attribute keywords.kwic is the function, not the module kwic.py
    for part in ("changes", "contrast", "dictionary", "kwic", "trends"):
        module = importlib.import_module(f"toolkit.keywords.{part}")
        for name in module.__all__:
            assert getattr(kw, name) is getattr(module, name), name
    assert kw.LowSampleWarning is exceptions.LowSampleWarning
    assert kw.MATCHER_VERSION == "1"
    assert kw.inflections("sell")[0] == "sell" and "sold" in kw.inflections("sell")


def test_old_names_are_the_shared_functions():
    assert kw.period_text is periods.period_label
    assert kw.split_passages is text.passage_spans
    for value, period in [(pd.Timestamp("2023-04-01"), "M"), (1990, "decade"), (1990, 5),
                          (pd.Timestamp("2023-04-01"), "Q"), ("all", None), (2001, "year")]:
        assert kw.period_text(value, period) == periods.period_label(value, period)

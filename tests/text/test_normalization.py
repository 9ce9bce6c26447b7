"""Tests for toolkit.text.normalization: the textacy-based normaliser."""

from __future__ import annotations

import pytest
from textacy import preprocessing as tp

from toolkit import text

from .conftest import SAMPLE


def test_default_normalizer_equals_textacy_steps_applied_in_turn():
    raw = SAMPLE[1] + " " + SAMPLE[2] + " e\u0301lan ‘quoted’ inter- national 1.5- 2"
    expected = tp.normalize.unicode(raw, form="NFC")
    expected = tp.normalize.quotation_marks(expected)
    expected = tp.normalize.hyphenated_words(expected)
    expected = tp.normalize.whitespace(expected)
    assert text.normalize(raw) == expected


def test_normalizer_options_change_output():
    s = "See https://un.org or mail info@un.org about 1,000 arms."
    assert "_URL_" in text.normalize(s, urls="replace")
    assert "_EMAIL_" in text.normalize(s, emails="replace")
    assert "_NUMBER_" in text.normalize(s, numbers="replace")
    assert "https" in text.normalize(s)
    assert text.normalize("Côte", accents=True) == "Cote"
    norm = text.make_normalizer(extra=[str.upper])
    assert norm("arms") == "ARMS"
    assert "upper" in norm.config[-1][1][0]


def test_normalizer_bad_options():
    with pytest.raises(ValueError, match="urls='drop'; use 'keep', 'replace' or 'remove'"):
        text.make_normalizer(urls="drop")
    with pytest.raises(TypeError, match="expects a str"):
        text.normalize(3)

"""Tests for toolkit.text.passages: the one sentence and paragraph splitter."""

from __future__ import annotations

from toolkit import text


def test_split_sentences():
    assert text.split_sentences("Peace first. Then arms control!") == [
        "Peace first.", "Then arms control!"]

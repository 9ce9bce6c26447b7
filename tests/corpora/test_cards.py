"""toolkit.corpora.cards: every corpus card and every external data set's card can be cited."""

from __future__ import annotations

import pytest

from toolkit.corpora import cards


def test_every_corpus_card_has_a_citation():
    for name in cards.corpus_names():
        card = cards.corpus_card(name)
        cites = card["citation"]
        cites = [cites] if isinstance(cites, str) else cites
        assert cites and all(isinstance(c, str) and c.strip() for c in cites), name


def test_source_card_reads_corpora_and_external_data_sets():
    assert cards.source_card("ungdc")["source"]["doi"] == "doi:10.7910/DVN/0TJX8Y"
    for name in ("unvotes", "idealpoints", "sipri"):
        card = cards.source_card(name)
        assert card["name"] == name and card["citation"], name
    assert "unvotes" not in cards.corpus_names()  # an external data set is not a corpus


def test_an_unknown_source_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"No card for 'nope'\. Known corpora and data sets: "
                                         r"\['cmfa_ukraine', 'sotu', 'ungdc', 'idealpoints', "
                                         r"'sipri', 'unvotes'\]"):
        cards.source_card("nope")

"""Tests for toolkit.topics.passages: topics within the passages that mention a theme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.topics import PassageTopics, choose_k, passage_topics, prevalence_change
from toolkit.topics.passages import (
    PREVALENCE_COLUMNS,
    REPRESENTATIVE_COLUMNS,
    SWEEP_COLUMNS,
    TOPIC_COLUMNS,
)

# Three kinds of arms talk, each paragraph opening with a phrase of an arms-specific category
# of the `arms` dictionary, and two kinds of paragraph without any.
ARMS_THEMES = {
    "tests": ("Arms control demands that", ["nuclear", "test", "explosion", "moratorium",
                                            "verification", "seismic", "underground"]),
    "smuggling": ("The illicit arms trade feeds", ["smuggler", "border", "cartel", "rifle",
                                                    "ammunition", "gang", "brokering"]),
    "embargo": ("Arms sales to the regime", ["embargo", "apartheid", "racist", "pretoria",
                                             "namibia", "liberation", "oppression"]),
}
OTHER = {
    "climate": ["climate", "emission", "ocean", "island", "warming", "carbon", "drought"],
    "trade": ["tariff", "market", "investment", "growth", "commodity", "debt", "export"],
}
ACTORS = ["AAA", "BBB", "CCC", "DDD"]


def _paragraph(opening: str, words: list[str], rng: np.random.Generator) -> str:
    picked = rng.choice(words, size=12, replace=True)
    return f"{opening} " + " ".join(picked) + "."


def _corpus(n_docs: int = 60, seed: int = 3) -> tuple[pd.DataFrame, dict[str, str]]:
    """Speeches of blank-line separated paragraphs; returns the corpus and each arms
    paragraph's theme by passage id (``<doc_id>#p<i>``)."""
    rng = np.random.default_rng(seed)
    names = list(ARMS_THEMES)
    rows, theme_of = [], {}
    for d in range(n_docs):
        doc_id = f"D{d:03d}"
        paras = [_paragraph("We believe", OTHER["climate"], rng)]
        for j in range(2):
            theme = names[(d + j) % 3]
            opening, words = ARMS_THEMES[theme]
            theme_of[f"{doc_id}#p{len(paras)}"] = theme
            paras.append(_paragraph(opening, words, rng))
        paras.append(_paragraph("Our economy needs", OTHER["trade"], rng))
        rows.append({"doc_id": doc_id, "text": "\n\n".join(paras), "actor": ACTORS[d % 4],
                     "year": 1960 + (d % 6) * 10})
    return pd.DataFrame(rows), theme_of


@pytest.fixture(scope="module")
def planted_arms(tmp_path_factory):
    corpus, theme_of = _corpus()
    got = passage_topics(corpus, "arms", ks=[2, 3, 4], seeds=[0, 1], n_topics=3,
                         min_passages=20, min_df=2, max_df=0.9, max_terms=None,
                         random_state=0, progress=False,
                         cache_home=str(tmp_path_factory.mktemp("cache")))
    return corpus, theme_of, got


def test_passages_are_the_paragraphs_with_an_arms_specific_match(planted_arms):
    _, theme_of, got = planted_arms
    assert isinstance(got, PassageTopics) and got.fitted and got.notice is None
    assert sorted(got.passages["doc_id"]) == sorted(theme_of)
    assert got.n_passages == len(theme_of) == got.dtm.n_docs
    assert got.info["categories"] == ["arms_transfers", "military_aid", "export_controls",
                                      "arms_control"]
    assert got.info["dictionary"]["name"] == "arms" and got.info["unit"] == "paragraph"
    assert got.info["n_parent_docs"] == 60 and got.info["ks_dropped"] == []


def test_the_planted_themes_of_arms_talk_are_found_and_labelled_by_frex(planted_arms):
    _, theme_of, got = planted_arms
    assert got.k == 3 and got.k_source == "n_topics"
    table = got.topic_table(n_terms=5)
    assert list(table.columns) == TOPIC_COLUMNS and len(table) == 3
    found = set()
    for row in table.itertuples():
        terms = set(row.frex_terms.split(", "))
        hits = {name: len(terms & set(words)) for name, (_, words) in ARMS_THEMES.items()}
        best = max(hits, key=hits.get)
        assert hits[best] >= 3, row.frex_terms
        found.add(best)
        assert row.label == f"T{row.topic:02d} " + "/".join(row.frex_terms.split(", ")[:3])
    assert found == set(ARMS_THEMES)
    # every passage leads with the topic of its theme
    lead = got.model.doc_topic_.argmax(axis=1)
    topic_theme = {}
    for doc_id, t in zip(got.model.doc_ids_, lead, strict=True):
        topic_theme.setdefault(int(t), set()).add(theme_of[doc_id])
    assert all(len(v) == 1 for v in topic_theme.values())
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["n_leading"].sum() == got.n_passages


def test_sweep_and_choose_k(planted_arms, tmp_path):
    corpus, _, got = planted_arms
    assert list(got.sweep.columns[:2]) == ["k", "seed"]
    assert set(SWEEP_COLUMNS) <= set(got.sweep.columns)
    assert sorted(got.sweep["k"].unique()) == [2, 3, 4]
    chosen = passage_topics(corpus, "arms", ks=[2, 3, 4], seeds=[0, 1], min_passages=20,
                            min_df=2, max_df=0.9, max_terms=None, random_state=0,
                            progress=False, cache_home=str(tmp_path))
    assert chosen.k_source == "choose_k" and chosen.k == choose_k(chosen.sweep)
    too_big = passage_topics(corpus, "arms", ks=[2, 500], seeds=[0, 1], n_topics=2,
                             min_passages=20, min_df=2, max_df=0.9, max_terms=None,
                             progress=False, cache_home=str(tmp_path))
    assert too_big.info["ks"] == [2] and too_big.info["ks_dropped"] == [500]


def test_prevalence_and_representative_passages(planted_arms):
    _, _, got = planted_arms
    prev = got.prevalence(period="decade", n_boot=20, random_state=0)
    assert list(prev.columns) == PREVALENCE_COLUMNS
    assert sorted(prev["period"].unique()) == [1960, 1970, 1980, 1990, 2000, 2010]
    assert set(prev["label"]) == set(got.model.topic_names())
    assert (prev["ci_low"] <= prev["share"]).all() and (prev["share"] <= prev["ci_high"]).all()
    assert prev.groupby("period")["n_docs"].first().sum() == got.n_passages
    by_actor = got.prevalence(by="actor", period=None, n_boot=0)
    assert sorted(by_actor["group"].unique()) == ACTORS
    change = prevalence_change(prev)
    assert len(change) == 3 and (change["first_period"] == 1960).all()
    rep = got.representative(n=2, window=30)
    assert list(rep.columns) == REPRESENTATIVE_COLUMNS and len(rep) == 6
    assert rep["doc_id"].str.contains("#p").all()
    names = got.model.topic_names()
    assert all(row.label == names[row.topic] for row in rep.itertuples())


def test_too_few_passages_give_a_notice_and_empty_labelled_tables(tmp_path):
    corpus, theme_of = _corpus(n_docs=5)
    got = passage_topics(corpus, "arms", min_passages=50, progress=False,
                         cache_home=str(tmp_path))
    assert not got.fitted and got.model is None and got.dtm is None and got.k is None
    assert got.n_passages == len(theme_of) == 10
    assert got.notice.startswith("Only 10 paragraphs with a match in arms_transfers, ")
    assert "at least 50 are needed" in got.notice
    assert list(got.sweep.columns) == SWEEP_COLUMNS and got.sweep.empty
    assert list(got.topic_table().columns) == TOPIC_COLUMNS and got.topic_table().empty
    prev = got.prevalence(by="actor", n_boot=10, random_state=0)
    assert list(prev.columns) == PREVALENCE_COLUMNS and prev.empty
    change = prevalence_change(prev)
    assert change.empty and list(change.columns)[:3] == ["group", "topic", "label"]
    assert list(got.representative().columns) == REPRESENTATIVE_COLUMNS
    no_match = passage_topics(corpus.assign(text="Peace and development."), "arms",
                              min_passages=1, progress=False, cache_home=str(tmp_path))
    assert no_match.n_passages == 0 and no_match.notice.startswith("Only 0 paragraphs")


def test_no_term_or_no_k_gives_a_notice(tmp_path):
    corpus, _ = _corpus(n_docs=12)
    no_terms = passage_topics(corpus, "arms", min_passages=5, min_df=1000, progress=False,
                              cache_home=str(tmp_path))
    assert not no_terms.fitted and "leave no term in the matrix" in no_terms.notice
    no_k = passage_topics(corpus, "arms", ks=[500], min_passages=5, min_df=1, max_df=1.0,
                          progress=False, cache_home=str(tmp_path))
    assert not no_k.fitted and "cannot carry any k of [500]" in no_k.notice
    assert no_k.dtm is not None and no_k.info["ks_dropped"] == [500]


def test_categories_are_checked():
    corpus, _ = _corpus(n_docs=3)
    with pytest.raises(ValueError, match=r"\['nope'\] are not in the dictionary 'arms'"):
        passage_topics(corpus, "arms", categories=["nope"], progress=False)

"""Tests for toolkit.topics.labels: representative documents and topics picked by a dictionary."""

from __future__ import annotations

import pytest

from toolkit.topics import representative_docs

from .conftest import HAND_TOPICS, _hand_model


# ------------------------------------------------------------------ documents
def test_representative_docs_with_snippets(planted, fitted):
    _, corpus = planted
    rep = representative_docs(fitted, corpus, n=2, window=20)
    assert list(rep.columns[:4]) == ["topic", "rank", "doc_id", "share"]
    assert len(rep) == 6
    for t, g in rep.groupby("topic"):
        assert g["share"].iloc[0] == fitted.doc_topic_[:, t].max()
        terms = fitted.top_term_lists(10)[t]
        assert all(any(m.lower().startswith(w) for w in terms) for m in g["match"])
    assert {"actor", "year", "left", "match", "right"} <= set(rep.columns)
    assert all(len(x) <= 20 for x in rep["left"])
    bare = representative_docs(fitted, n=1)
    assert list(bare.columns) == ["topic", "rank", "doc_id", "share"]
    with pytest.raises(ValueError, match="not in the corpus"):
        representative_docs(fitted, corpus.iloc[:10], n=1)


def test_kwic_centres_on_densest_top_terms():
    from toolkit.topics.labels import _snippet as _kwic

    text = "United we stand. " + "x " * 60 + "Nuclear weapons treaty talks. " + "y " * 60
    _, match, right = _kwic(text, ["united", "nuclear", "weapon", "treaty"], 25)
    assert match == "Nuclear" and right.startswith("weapons treaty")
    assert _kwic("nothing here", ["arms"], 5) == ("", "", "nothing he")  # no hit: the opening


# ------------------------------------------------------------------ selection by dictionary
def test_match_topics_needs_two_arms_specific_terms():
    from toolkit.topics import match_topics

    tm = _hand_model()
    got = match_topics(tm, "arms", n_terms=5)
    assert list(got.columns) == ["topic", "label", "top_terms", "matched_terms", "n_matches",
                                 "categories"]
    assert got["topic"].tolist() == [0]  # the generic topic has one match only
    row = got.iloc[0]
    # phrases are matched with spaces, the lower-cased acronym in upper case
    assert set(row["matched_terms"].split(", ")) == {"arms_trade", "export_controls", "npt",
                                                     "military_aid"}
    assert row["n_matches"] == 4
    assert row["categories"] == "arms_transfers, military_aid, export_controls, arms_control"
    assert row["label"] == tm.topic_names()[0]
    # the categories arms.yaml flags `specific: true` (topics.ARMS_SPECIFIC_CATEGORIES before)
    assert got.attrs["match_topics"]["categories"] == [
        "arms_transfers", "military_aid", "export_controls", "arms_control"]
    loose = match_topics(tm, "arms", n_terms=5, min_matches=1)
    assert loose["topic"].tolist() == [0, 1]
    assert loose.loc[1, "matched_terms"] == "disarmament"


def test_match_topics_categories_and_all_topics():
    from toolkit.topics import match_topics

    tm = _hand_model()
    sanc = match_topics(tm, "arms", categories=["sanctions"], n_terms=5)
    assert sanc["topic"].tolist() == [2] and sanc.loc[0, "n_matches"] == 3
    every = match_topics(tm, "arms", n_terms=5, all_topics=True)
    assert every["topic"].tolist() == [0, 1, 2, 3]  # most matches first, then topic number
    assert every["selected"].tolist() == [True, False, False, False]
    assert every["n_matches"].tolist() == [4, 1, 0, 0]
    mine = {"name": "mine", "version": "1", "categories": {"sea": ["ocean", "island"]}}
    assert match_topics(tm, mine, n_terms=5)["topic"].tolist() == [3]  # None: all categories
    with pytest.raises(ValueError, match=r"Categories \['nope'\] are not in the dictionary"):
        match_topics(tm, "arms", categories=["nope"])
    with pytest.raises(ValueError, match="min_matches must be at least 1"):
        match_topics(tm, "arms", min_matches=0)


def test_match_topics_empty_when_no_topic_is_about_arms():
    from toolkit.topics import match_topics

    themes = {k: v for k, v in HAND_TOPICS.items() if k != "arms"}
    got = match_topics(_hand_model(themes), "arms", n_terms=5)
    assert got.empty
    assert list(got.columns) == ["topic", "label", "top_terms", "matched_terms", "n_matches",
                                 "categories"]


def test_match_topics_on_a_fitted_model(fitted):
    from toolkit.topics import match_topics

    # the planted arms theme has single words only: "disarmament" is its one dictionary term
    every = match_topics(fitted, "arms", n_terms=6, all_topics=True)
    assert every["n_matches"].max() == 1 and not every["selected"].any()
    assert every.loc[0, "matched_terms"] == "disarmament"


def test_match_topics_counts_the_categories_flagged_specific():
    from toolkit.topics import match_topics

    tm = _hand_model()
    flagged = {"name": "mine", "version": "1", "categories": {
        "sea": {"terms": ["ocean", "island"], "specific": True},
        "heat": ["climate", "warming", "emission"],
        "embargo": {"terms": ["sanctions", "embargo"], "specific": True},
    }}
    got = match_topics(tm, flagged, n_terms=5)
    assert got.attrs["match_topics"]["categories"] == ["sea", "embargo"]  # dictionary order
    assert got["topic"].tolist() == [2, 3]
    assert got.set_index("topic")["categories"].to_dict() == {2: "embargo", 3: "sea"}
    assert got.set_index("topic")["n_matches"].to_dict() == {2: 2, 3: 2}  # not "heat"
    # without a flag every category counts
    plain = {**flagged, "categories": {"sea": ["ocean", "island"],
                                       "heat": ["climate", "warming", "emission"]}}
    every = match_topics(tm, plain, n_terms=5)
    assert every["topic"].tolist() == [3] and every.loc[0, "n_matches"] == 5


def test_match_topics_needs_a_dictionary():
    from toolkit.topics import match_topics

    with pytest.raises(TypeError, match="dictionary"):
        match_topics(_hand_model())


def test_representative_docs_tiebreak_and_frex_snippets(planted, fitted):
    import numpy as np

    _, corpus = planted
    ones = fitted.__class__(3)
    ones.__dict__.update(fitted.__dict__)
    ones.doc_topic_ = np.zeros_like(fitted.doc_topic_)
    ones.doc_topic_[:, 0] = 1.0  # every document wholly in topic 0: a tie in share
    plain = representative_docs(ones, n=3, topics=[0])
    assert plain["doc_id"].tolist() == sorted(ones.doc_ids_)[:3]  # ties by doc_id
    weight = np.zeros_like(ones.doc_topic_)
    weight[:, 0] = np.arange(len(weight))  # the last documents fit best
    ranked = representative_docs(ones, n=3, topics=[0], tiebreak=weight)
    assert ranked["doc_id"].tolist() == ones.doc_ids_[::-1][:3].tolist()
    assert (ranked["share"] == 1.0).all()
    frex = representative_docs(fitted, corpus, n=2, window=20, scheme="frex")
    for t, g in frex.groupby("topic"):
        terms = fitted.top_term_lists(10, scheme="frex")[t]
        assert all(any(m.lower().startswith(w) for w in terms) for m in g["match"])
    with pytest.raises(ValueError, match=r"tiebreak has shape \(2,\)"):
        representative_docs(fitted, n=1, tiebreak=np.zeros(2))

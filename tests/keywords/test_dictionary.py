"""Tests for toolkit.keywords.dictionary: loading and validating dictionaries, the term
syntax and the matcher (checked against an independent counter)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import keywords as kw

from .conftest import SMALL, make_corpus


def test_builtin_dictionary_has_all_categories_with_intent():
    d = kw.load_dictionary("arms")
    assert "arms" in kw.available_dictionaries()
    assert d.version and d.name == "arms"
    assert set(d.category_names) == {
        "arms_transfers", "military_aid", "export_controls", "sanctions", "arms_control",
        "neutrality", "alliances", "ukraine_war",
    }
    for c in d.categories:
        assert c.intent and c.label and c.terms
    assert any(" " in t for t in d.terms())  # multi-word entries
    assert d.matcher.regex.groups >= len(d.terms())  # compiles, one group per entry


def test_dictionary_from_short_dict_yaml_and_object(tmp_path):
    d = kw.load_dictionary({"a": ["arms sale"], "b": ["embargo"]})
    assert d.category_names == ["a", "b"] and d.name == "custom"
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nversion: '2'\ncategories:\n  x:\n    terms: [arms sale]\n")
    d2 = kw.load_dictionary(path)
    assert (d2.name, d2.version, d2.terms("x")) == ("mine", "2", ["arms sale"])
    assert kw.load_dictionary(d2) is d2
    assert kw.load_dictionary(str(path)).content_hash == d2.content_hash
    assert d.content_hash != d2.content_hash


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "is empty"),
        ({"categories": {}}, "is empty"),
        ({"a": []}, "category 'a' has no terms"),
        ({"a": "arms"}, "must have a list of terms"),
        ({"a": ["arms", 3]}, "term #2"),
        ({"a": ["arms", "arms"]}, "more than once"),
        ({"categories": ["a"]}, "must be a mapping"),
        ({"a": {"terms": ["x"], "colour": "red"}}, "unknown keys"),
        ({"a": ["re:(arms) sale"]}, "capturing groups"),
        ({"a": ["re:(arms"]}, "not a valid regular expression"),
        ({"a": ["~2 weapon"]}, "must stand between two words"),
        ({"n_tokens": ["x"]}, "reserved"),
    ],
)
def test_dictionary_validation_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        kw.load_dictionary(spec)


def test_dictionary_bad_yaml_shape_and_syntax(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("- arms\n- weapons\n")
    with pytest.raises(ValueError, match=r"list.yaml must hold a mapping"):
        kw.load_dictionary(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("categories: {a: [arms\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        kw.load_dictionary(broken)
    with pytest.raises(FileNotFoundError, match="not a built-in"):
        kw.load_dictionary("no_such_dictionary")


def _matches(terms, text):
    m = kw.load_dictionary({"c": terms}).matcher
    return [text[s:e] for s, e, _ in m.iter_matches(text)]


def test_inflections_and_term_syntax():
    assert _matches(["weapon"], "A weapon, two Weapons.") == ["weapon", "Weapons"]
    assert _matches(["sell weapon"], "sold weapons; selling weapon; sells weapons") == [
        "sold weapons", "selling weapon", "sells weapons"]
    assert _matches(["=arms"], "arms arm armed") == ["arms"]
    assert _matches(["arm*"], "arms armed harm") == ["arms", "armed"]
    assert _matches(["dual use"], "dual-use, dual\nuse, dual (use). dual. use") == [
        "dual-use", "dual\nuse", "dual (use"]
    assert _matches(["non-proliferation"], "nonproliferation non proliferation non-"
                    "proliferation") == ["nonproliferation", "non proliferation",
                                         "non-proliferation"]
    assert _matches(["sell ~2 weapon"], "sell weapons; sold more advanced weapons; "
                    "sell them many more weapons") == ["sell weapons",
                                                       "sold more advanced weapons"]
    assert _matches(["Russia's war"], "Russia’s war and Russia's war") == [
        "Russia’s war", "Russia's war"]
    assert _matches(["re:arms? +sale"], "arm sale, arms  sale") == ["arm sale", "arms  sale"]


def test_acronyms_are_case_sensitive_and_words_need_boundaries():
    assert _matches(["ATT", "NATO"], "The ATT, an att, Att; NATO and Nato, pro-NATO") == [
        "ATT", "NATO", "NATO"]
    assert _matches(["arms"], "firearms, arms, disarmsx, arms.") == ["arms", "arms"]


def test_nested_entries_are_counted_once():
    d = kw.load_dictionary(SMALL)
    text = "The Arms Trade Treaty and the arms trade and arms. An arms race."
    cat, _, n, tokens = d.matcher.count(text)
    # "Arms Trade Treaty" -> control only; "arms trade" -> transfers; "arms" -> transfers;
    # "arms race" -> control
    assert dict(zip(d.category_names, cat.tolist())) == {"transfers": 2, "control": 2}
    assert n == 4
    assert tokens == len(re.findall(r"\w+", text))


def test_term_in_two_categories_counts_in_both_but_once_overall():
    d = kw.load_dictionary({"a": ["arms embargo"], "b": ["arms embargo", "embargo"]})
    cat, _, n, _ = d.matcher.count("An arms embargo and an embargo.")
    assert cat.tolist() == [1, 2] and n == 2


INDEPENDENT_FORMS = {
    "transfers": [("arms", "sale"), ("arms", "sales"), ("arms", "trade"), ("arms",),
                  ("weapon", "exports"), ("weapon", "export"), ("weapons", "export"),
                  ("weapons", "exports")],
    "control": [("arms", "trade", "treaty"), ("arms", "control"), ("small", "arms")],
}


def independent_count(text: str) -> dict[str, int]:
    toks = re.findall(r"\w+|\.", text.lower())
    forms = sorted(
        ((f, c) for c, fs in INDEPENDENT_FORMS.items() for f in fs),
        key=lambda fc: -len(fc[0]),
    )
    out = dict.fromkeys(INDEPENDENT_FORMS, 0)
    i = 0
    while i < len(toks):
        for f, c in forms:
            if tuple(toks[i : i + len(f)]) == f:
                out[c] += 1
                i += len(f)
                break
        else:
            i += 1
    return out


WORDS = ["arms", "sale", "sales", "trade", "treaty", "control", "small", "weapon",
         "weapons", "export", "exports", "peace", "the", "."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([" ", "-", "\n", "  "]))
def test_counts_agree_with_an_independent_count(words, sep):
    text = sep.join(words)
    d = kw.load_dictionary(
        {"transfers": ["arms sale", "arms trade", "=arms", "weapon export"],
         "control": ["Arms Trade Treaty", "arms control", "small arms"]}
    )
    cat, _, _, tokens = d.matcher.count(text)
    assert dict(zip(d.category_names, cat.tolist())) == independent_count(text)
    assert tokens == len(re.findall(r"\w+", text))


def test_arms_dictionary_catches_press_conference_supply_language():
    lex = kw.load_dictionary("arms")
    supply = [
        "The US has been pouring lethal weapons into the battlefield in Ukraine.",
        "The US is the biggest source of weaponry for the battlefield.",
        "It keeps claiming that China might offer weapons to Russia.",
        "China has not provided weapons to any party to the conflict.",
        "Still less has China provided weaponry to any party to the conflict.",
        "The US has kept sending heavy and assault weapons to Ukraine.",
        "Stop fueling the fight with more weaponry.",
        "China will not sell arms to either side.",
        "Do you know how many arms and ammunition the US has sent?",
        "The US keeps providing funding and arms to Ukraine.",
        "Russia does not need other countries to supply weapons to it.",
        "China regulates the export of dual-use items.",
    ]
    corpus = make_corpus([{"doc_id": f"s{i}", "text": t} for i, t in enumerate(supply)])
    counts = kw.count_matches(corpus, lex, use_cache=False, progress=False)
    hit = counts[["arms_transfers", "military_aid", "export_controls"]].sum(axis=1)
    assert (hit > 0).all(), corpus.loc[hit.to_numpy() == 0, "text"].tolist()
    other = make_corpus([{"doc_id": "o", "text": "We oppose attempts to weaponize trade."}])
    assert kw.count_matches(other, lex, use_cache=False, progress=False)[
        lex.category_names].to_numpy().sum() == 0


def test_dictionary_is_a_required_argument():
    # a neutral library: no dictionary is chosen for the caller
    with pytest.raises(TypeError):
        kw.load_dictionary()
    with pytest.raises(TypeError):
        kw.count_matches(make_corpus([{"doc_id": "a", "text": "arms"}]))


def test_to_dict_round_trips_with_the_specific_flag():
    d = kw.load_dictionary("arms")
    again = kw.load_dictionary(d.to_dict())
    assert [c.specific for c in again.categories] == [c.specific for c in d.categories]
    assert any(c.specific for c in d.categories)
    assert again.content_hash == d.content_hash and again.labels == d.labels

"""Tests for toolkit.keywords: dictionaries, matching, trends, KWIC, keyness, collocations,
change points and passages. Unit tests use tiny fixtures; the integration test compares
counts on the real UNGDC with plain regular expressions."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from toolkit import keywords as kw
from toolkit.cache import list_cache
from toolkit.corpora.schema import standardize_columns, validate_corpus


def make_corpus(rows) -> pd.DataFrame:
    return standardize_columns(pd.DataFrame(rows), source="fixture")


@pytest.fixture
def corpus() -> pd.DataFrame:
    return make_corpus(
        [
            {"doc_id": "CHN_1", "actor": "CHN", "year": 2021,
             "text": "China will never sell weapons to either side. Arms sales fuel war.\n\n"
                     "The Arms Trade Treaty matters. Dual-use exports are controlled."},
            {"doc_id": "CHN_2", "actor": "CHN", "year": 2022,
             "text": "We oppose the arms race. China sold no arms. NATO allies send weapons."},
            {"doc_id": "USA_1", "actor": "USA", "year": 2021,
             "text": "Military assistance to Ukraine continues. Arms deliveries and arms "
                     "exports grow. Sanctions on Russia."},
            {"doc_id": "USA_2", "actor": "USA", "year": 2022,
             "text": "The war in Ukraine. We provide security assistance and weapons "
                     "deliveries; sanctions bite. Nato is strong."},
            {"doc_id": "FRA_1", "actor": "FRA", "year": 2022,
             "text": "Peace and development for all. Nothing about the topic here."},
        ]
    )


SMALL = {
    "name": "small",
    "version": "0.1",
    "categories": {
        "transfers": {"terms": ["arms sale", "arms trade", "sell ~2 weapon", "arms"],
                      "intent": "test", "label": "Transfers"},
        "control": {"terms": ["Arms Trade Treaty", "arms race", "ATT"], "label": "Control"},
    },
}


# ------------------------------------------------------------------ dictionaries


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


# ------------------------------------------------------------------ matching


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


def test_count_tokens_matches_regex_on_unicode():
    texts = ["Déjà vu — naïve café's 2024_plan", "", "  \n", "日本語 テキスト", "a-b c.d"]
    assert kw.count_tokens(texts).tolist() == [len(re.findall(r"\w+", t)) for t in texts]
    assert kw.count_tokens("one two") == 2


# An independent counter: tokens from \w+, explicit forms, greedy longest match left to
# right, "." tokens break phrases.
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


def test_count_matches_table_and_cache(corpus):
    out = kw.count_matches(corpus, SMALL, progress=False)
    assert list(out.columns) == ["doc_id", "n_tokens", "n_matches", "transfers", "control"]
    assert out["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert out["n_tokens"].tolist() == [len(re.findall(r"\w+", t)) for t in corpus["text"]]
    # CHN_1: "sell weapons", "Arms sales" -> transfers; "Arms Trade Treaty" -> control
    assert out.loc[0, ["transfers", "control"]].tolist() == [2, 1]
    assert (out.loc[4, ["transfers", "control"]] == 0).all()
    assert out.attrs["dictionary"]["version"] == "0.1"
    assert any(e["kind"] == "keyword_counts" for e in list_cache())
    again = kw.count_matches(corpus, SMALL, progress=False)
    pd.testing.assert_frame_equal(out, again)
    terms = kw.count_matches(corpus, SMALL, level="term", progress=False)
    assert "term:sell ~2 weapon" in terms.columns
    changed = corpus.assign(text=corpus["text"].str.replace("Arms sales", "Peace"))
    assert kw.count_matches(changed, SMALL, progress=False).loc[0, "transfers"] == 1
    with pytest.raises(ValueError, match="level must be"):
        kw.count_matches(corpus, SMALL, level="doc")
    with pytest.raises(ValueError, match="lacks the column"):
        kw.count_matches(corpus.drop(columns="text"), SMALL)


# ------------------------------------------------------------------ trends


def test_trends_counts_rates_and_metadata(corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        tr = kw.keyword_trends(corpus, SMALL, by="actor", period="year", n_boot=200,
                               random_state=0, progress=False)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    full = corpus.join(counts.drop(columns="doc_id"))
    expect = full.groupby(["actor", "year"]).agg(
        count=("transfers", "sum"), n_tokens=("n_tokens", "sum"), n_docs=("doc_id", "size"))
    got = tr[tr["category"] == "transfers"].set_index(["group", "period"])
    for (actor, year), row in expect.iterrows():
        g = got.loc[(actor, year)]
        assert (g["count"], g["n_tokens"], g["n_docs"]) == (
            row["count"], row["n_tokens"], row["n_docs"])
        assert g["rate_per_10k"] == pytest.approx(row["count"] / row["n_tokens"] * 1e4)
    assert {"group", "period", "category", "label", "count", "n_tokens", "n_docs",
            "rate_per_10k", "ci_low", "ci_high", "low_n"} <= set(tr.columns)
    # single-document points: no interval, flagged
    assert tr["ci_low"].isna().all() and tr["low_n"].all()
    assert tr.attrs["dictionary"]["name"] == "small"


def _many_docs(n=40, seed=1):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        k = int(rng.integers(0, 4))
        filler = " ".join(["peace"] * int(rng.integers(20, 60)))
        rows.append({"doc_id": f"D{i:03d}", "actor": "AAA" if i % 2 else "BBB",
                     "year": 2000 + i % 4, "text": filler + " arms sale" * k})
    return make_corpus(rows)


def test_bootstrap_is_seeded_and_sensible():
    corpus = _many_docs()
    kwargs = {"by": "actor", "period": None, "n_boot": 500, "progress": False,
              "categories": ["transfers"]}
    a = kw.keyword_trends(corpus, SMALL, random_state=7, **kwargs)
    b = kw.keyword_trends(corpus, SMALL, random_state=7, **kwargs)
    c = kw.keyword_trends(corpus, SMALL, random_state=8, **kwargs)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["rate_per_10k"]).all() and (a["rate_per_10k"] <= a["ci_high"]).all()
    assert (a["ci_high"] > a["ci_low"]).all()
    # agrees with a plain loop bootstrap (different random stream, same distribution)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    rng = np.random.default_rng(0)
    for actor, row in a.set_index("group").iterrows():
        sel = (corpus["actor"] == actor).to_numpy()
        cnt, tok = counts.loc[sel, "transfers"].to_numpy(), counts.loc[sel, "n_tokens"].to_numpy()
        reps = []
        for _ in range(2000):
            idx = rng.integers(0, sel.sum(), sel.sum())
            reps.append(cnt[idx].sum() / tok[idx].sum() * 1e4)
        lo, hi = np.quantile(reps, [0.025, 0.975])
        assert row["ci_low"] == pytest.approx(lo, rel=0.2)
        assert row["ci_high"] == pytest.approx(hi, rel=0.2)


def test_trends_periods_grouping_and_bad_input(corpus):
    many = _many_docs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        dec = kw.keyword_trends(many, SMALL, by=None, period="decade", n_boot=0,
                                progress=False)
        assert dec["period"].tolist() == [2000, 2000] and (dec["group"] == "all").all()
        two = kw.keyword_trends(many, SMALL, by=["actor", "year"], period=2, n_boot=0,
                                progress=False)
        assert {"actor", "year"} <= set(two.columns) and set(two["period"]) == {2000, 2002}
        dated = many.assign(date=pd.to_datetime(many["year"].astype(str) + "-06-01"))
        q = kw.keyword_trends(dated, SMALL, by=None, period="Y", n_boot=0, progress=False)
        assert q["period"].nunique() == 4
    with pytest.raises(ValueError, match=r"Grouping column\(s\) \['bloc'\] not in the corpus. "
                       r"Available columns: \['doc_id', 'text'"):
        kw.keyword_trends(corpus, SMALL, by="bloc", progress=False)
    with pytest.raises(ValueError, match="not in dictionary"):
        kw.keyword_trends(corpus, SMALL, categories=["nope"], progress=False)
    with pytest.raises(ValueError, match="neither 'year'"):
        kw.keyword_trends(corpus, SMALL, period="fortnight-ish", progress=False)
    with pytest.raises(ValueError, match="No document has both a period"):
        kw.keyword_trends(corpus.assign(year=pd.NA), SMALL, progress=False)
    with pytest.raises(ValueError, match="no categories"):
        kw.keyword_trends(corpus, {}, progress=False)


def test_trends_zero_rates_low_n_warning_and_empty_periods(corpus):
    never = {"x": ["zeppelin"]}
    with pytest.warns(kw.LowSampleWarning, match=r"rest on fewer than 5 documents"):
        tr = kw.keyword_trends(corpus.assign(year=[2000, 2003, 2000, 2003, 2000]), never,
                               by="actor", n_boot=50, fill_empty=True, random_state=0,
                               progress=False)
    assert (tr["count"] == 0).all()
    real = tr[tr["n_docs"] > 0]
    assert (real["rate_per_10k"] == 0).all()
    empty = tr[(tr["group"] == "CHN") & tr["period"].isin([2001, 2002])]
    assert len(empty) == 2 and (empty["n_docs"] == 0).all() and empty["rate_per_10k"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kw.keyword_trends(_many_docs(), never, by=None, period=None, n_boot=10,
                          progress=False)


def test_trends_drop_and_report_docs_without_period(corpus):
    with pytest.warns(UserWarning, match="1 of 5 documents have no period"):
        tr = kw.keyword_trends(corpus.assign(year=[2021, 2022, None, 2022, 2022]), SMALL,
                               by=None, n_boot=0, min_docs=1, progress=False)
    assert tr.attrs["n_docs_dropped"] == 1


# ------------------------------------------------------------------ kwic


def test_kwic_terms_categories_filters(corpus):
    k = kw.kwic(corpus, "sell weapon", window=10)
    assert list(k.columns[:6]) == ["doc_id", "actor", "year", "left", "match", "right"]
    assert k["match"].tolist() == ["sell weapons"]
    assert k.loc[0, "left"] == "ill never "  # newline-free context, 10 characters
    cat = kw.kwic(corpus, "transfers", dictionary=SMALL)
    counts = kw.count_matches(corpus, SMALL, progress=False)
    assert len(cat) == counts["transfers"].sum()
    # nested entries resolve as in the counts: the Treaty is not a "transfers" line
    assert "Arms Trade Treaty" not in cat["match"].tolist()
    only = kw.kwic(corpus, "transfers", dictionary=SMALL, actor="CHN", year=slice(2022, 2022))
    assert set(only["doc_id"]) == {"CHN_2"}
    listed = kw.kwic(corpus, "weapon", actor=["USA", "FRA"])
    assert set(listed["doc_id"]) == {"USA_2"}
    rx = kw.kwic(corpus, re.compile(r"arms \w+", re.I), actor="USA")
    assert rx["match"].tolist() == ["Arms deliveries", "arms exports"]
    with pytest.raises(ValueError, match=r"Filter column 'bloc' is not in the corpus. "
                       "Available columns"):
        kw.kwic(corpus, "arms", bloc="west")
    assert kw.kwic(corpus, "zeppelin").empty


PRESS_DICT = {
    "transfers": ["arms sale", "pour ~2 weapon", "lethal weapon"],
    "aid": ["military aid", "lethal weapon"],
    "other": ["sanction"],
}


@pytest.fixture
def press() -> pd.DataFrame:
    rows = [
        ("p1", "2023-02-20", "Wang Wenbin",
         "The US keeps pouring weapons into Ukraine. Arms sales fuel the war."),
        ("p2", "2023-03-21", "Wang Wenbin",
         "China has provided no lethal weapons. Sanctions do not work."),
        ("p3", "2023-03-02", "Mao Ning",
         "Military aid and arms sales prolong the war. More military aid is coming."),
        ("p4", "2023-04-26", "Mao Ning", "Peace talks now."),
        ("p5", "2023-06-10", None, "Arms sales again."),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "date", "speaker", "text"])
    return make_corpus(df.assign(actor="CHN", date=pd.to_datetime(df["date"]), year=2023))


def test_kwic_several_categories_once_each_with_columns(press):
    lines = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT,
                    columns=["date", "speaker"])
    assert list(lines.columns[:5]) == ["doc_id", "actor", "year", "date", "speaker"]
    # hand count: p1 2 (pouring weapons, Arms sales), p2 1 (lethal weapons, in both
    # categories but one line), p3 3, p5 1
    assert lines.groupby("doc_id").size().to_dict() == {"p1": 2, "p2": 1, "p3": 3, "p5": 1}
    assert lines.loc[lines["doc_id"] == "p2", "category"].tolist() == ["transfers;aid"]
    assert lines.loc[lines["doc_id"] == "p3", "speaker"].unique().tolist() == ["Mao Ning"]
    one = kw.kwic(press, "transfers", dictionary=PRESS_DICT)
    assert len(one) == kw.count_matches(press, PRESS_DICT, progress=False)["transfers"].sum()
    assert set(kw.kwic(press, ["arms sale", "sanction"])["match"].str.lower()) == {
        "arms sales", "sanctions"}
    with pytest.raises(ValueError, match="mixes categories"):
        kw.kwic(press, ["transfers", "weapon"], dictionary=PRESS_DICT)
    with pytest.raises(ValueError, match=r"kwic columns \['post_x'\] are not in the corpus"):
        kw.kwic(press, "transfers", dictionary=PRESS_DICT, columns=["post_x"])
    with pytest.raises(ValueError, match="empty list"):
        kw.kwic(press, [], dictionary=PRESS_DICT)


def test_kwic_summary_against_hand_count(press):
    lines = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT)
    out = kw.kwic_summary(lines, press, by="speaker")
    assert list(out.columns) == ["speaker", "n_passages", "n_docs", "first", "last",
                                 "top_terms"]
    # sorted by answers, then passages; the missing speaker is kept and labelled
    assert out["speaker"].tolist() == ["Wang Wenbin", "Mao Ning", "(unknown)"]
    assert out["n_passages"].tolist() == [3, 3, 1]
    assert out["n_docs"].tolist() == [2, 1, 1]
    assert out["first"].tolist() == pd.to_datetime(
        ["2023-02-20", "2023-03-02", "2023-06-10"]).tolist()
    assert out["last"].tolist() == pd.to_datetime(
        ["2023-03-21", "2023-03-02", "2023-06-10"]).tolist()
    assert out.loc[1, "top_terms"] == "military aid (2); arms sale (1)"
    assert out.loc[0, "top_terms"] == "arms sale (1); lethal weapon (1); pour … weapon (1)"
    # ties in alphabetical order, cut at n_terms
    assert kw.kwic_summary(lines, press, n_terms=2).loc[0, "top_terms"] == (
        "arms sale (1); lethal weapon (1)")
    # same table when the lines already carry the columns; the caller's table is unchanged
    with_cols = kw.kwic(press, ["transfers", "aid"], dictionary=PRESS_DICT,
                        columns=["speaker", "date"])
    before = with_cols.copy()
    pd.testing.assert_frame_equal(kw.kwic_summary(with_cols), out)
    pd.testing.assert_frame_equal(with_cols, before)
    # without a dictionary the matched text stands in for the term
    plain = kw.kwic_summary(kw.kwic(press, "arms sale"), press, by=["actor"])
    assert plain.loc[0, "top_terms"] == "arms sales (3)"
    empty = kw.kwic_summary(lines.iloc[:0], press)
    assert empty.empty and "n_passages" in empty.columns
    with pytest.raises(ValueError, match=r"pass the corpus"):
        kw.kwic_summary(lines)
    with pytest.raises(ValueError, match=r"Neither kwic_table nor the corpus has"):
        kw.kwic_summary(lines, press, by="post_x")


def test_mention_series_counts_documents_per_month(press):
    s = kw.mention_series(press, PRESS_DICT, categories=["transfers", "aid"], period="M",
                          progress=False)
    assert list(s.columns) == ["group", "period", "period_label", "category", "label",
                               "n_docs", "n_docs_matching", "share"]
    assert s["period_label"].iloc[0] == "February 2023" and s.attrs["period_name"] == "month"
    assert s["period"].dt.strftime("%Y-%m").tolist() == [
        "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    # hand count: Feb p1; Mar p2, p3; Apr p4 (no match); May nothing (filled); Jun p5
    assert s["n_docs"].tolist() == [1, 2, 1, 0, 1]
    assert s["n_docs_matching"].tolist() == [1, 2, 0, 0, 1]
    assert s["share"].tolist()[:3] == [1.0, 1.0, 0.0] and math.isnan(s["share"].iloc[3])
    assert s["category"].unique().tolist() == ["transfers+aid"]
    assert kw.mention_series(press, PRESS_DICT, categories="other", period=None,
                             progress=False)[["n_docs", "n_docs_matching"]].iloc[0].tolist() \
        == [5, 1]
    with pytest.warns(UserWarning, match="1 of 5 documents have no period or group"):
        by_sp = kw.mention_series(press, PRESS_DICT, by="speaker", period="Q",
                                  name="any", progress=False)
    assert by_sp.attrs["n_docs_dropped"] == 1
    # Mao Ning: p3 (March), p4 (April); Wang Wenbin: p1, p2 (both in Q1)
    assert by_sp["period_label"].tolist() == ["Q1 2023", "Q2 2023", "Q1 2023"]
    assert by_sp.groupby("group")["n_docs"].sum().to_dict() == {"Mao Ning": 2,
                                                                 "Wang Wenbin": 2}
    with pytest.raises(ValueError, match=r"Categories \['nope'\] are not in dictionary"):
        kw.mention_series(press, PRESS_DICT, categories=["nope"], progress=False)
    with pytest.raises(ValueError, match="Grouping column"):
        kw.mention_series(press, PRESS_DICT, by="bloc", progress=False)


def test_period_text_for_prose():
    assert kw.period_text(pd.Timestamp("2023-04-01"), "M") == "April 2023"
    assert kw.period_text(pd.Timestamp("2023-04-01"), "Q") == "Q2 2023"
    assert kw.period_text(1990, "decade") == "1990s"
    assert kw.period_text(1990, 5) == "1990–1994"
    assert kw.period_text(1990, "year") == "1990"
    assert kw._period_name(5) == "5-year period" and kw._period_name("Q") == "quarter"


def test_top_points_ranks_with_ties_and_filters():
    trends = pd.DataFrame({
        "group": ["USA", "CHN", "CHN", "USA", "CHN"],
        "period": [2000, 2000, 2010, 2010, 2020],
        "category": ["a", "a", "a", "a", "b"],
        "rate_per_10k": [2.0, 2.0, 3.0, np.nan, 9.0],
    })
    peak = kw.top_points(trends, category="a")
    assert peak[["group", "period"]].values.tolist() == [["CHN", 2010], ["CHN", 2000],
                                                         ["USA", 2000]]
    last = kw.top_points(trends, category="a", period="first")
    assert last["group"].tolist() == ["CHN", "USA"]  # tie: first group name
    assert kw.top_points(trends, group="USA")["period"].tolist() == [2000]
    with pytest.raises(ValueError, match="No point with a rate_per_10k left"):
        kw.top_points(trends, category="a", period="last", group="USA")
    with pytest.raises(ValueError, match=r"Category 'c' is not in the trends"):
        kw.top_points(trends, category="c")
    with pytest.raises(ValueError, match="Period 1990 is not in the trends"):
        kw.top_points(trends, period=1990)
    with pytest.raises(ValueError, match=r"Group\(s\) \['FRA'\]"):
        kw.top_points(trends, group="FRA")


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


# ------------------------------------------------------------------ keyness


def test_keyness_against_hand_computed_values():
    target = make_corpus([{"doc_id": "t", "text": "arms " * 10 + "x " * 90}])
    reference = make_corpus([{"doc_id": "r", "text": "arms " * 5 + "y " * 195}])
    both = pd.concat([target, reference], ignore_index=True)
    out = kw.keyness(both, [True, False], min_count=1).set_index("term")
    row = out.loc["arms"]
    a, b, n1, n2 = 10, 5, 100, 200
    n = n1 + n2
    obs = [a, n1 - a, b, n2 - b]
    exp = [n1 * (a + b) / n, n1 * (n - a - b) / n, n2 * (a + b) / n, n2 * (n - a - b) / n]
    assert exp == [5.0, 95.0, 10.0, 190.0]
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp))
    chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
    assert chi2 == pytest.approx(5 + 25 / 95 + 2.5 + 25 / 190)
    assert row["g2"] == pytest.approx(g2)
    assert row["chi2"] == pytest.approx(chi2)
    assert row["p_g2"] == pytest.approx(stats.chi2.sf(g2, 1))
    assert row["log_ratio"] == pytest.approx(math.log2((10.5 / 100) / (5.5 / 200)))
    assert row["direction"] == "target"
    ref = stats.chi2_contingency([[a, n1 - a], [b, n2 - b]], correction=False,
                                 lambda_="log-likelihood")
    assert row["g2"] == pytest.approx(ref.statistic)
    assert out.loc["y", "direction"] == "reference"
    assert out.attrs["n_tokens_target"] == 100


def test_keyness_masks_dtm_and_errors(corpus):
    from toolkit.features import DocTermMatrix

    mask = corpus["actor"].eq("CHN").to_numpy()
    k1 = kw.keyness(corpus, mask, min_count=1)
    k2 = kw.keyness(corpus, pd.Series(mask, index=corpus["doc_id"]), min_count=1)
    pd.testing.assert_frame_equal(k1, k2)
    vocab = ["arms", "peace"]
    dtm = DocTermMatrix(np.array([[3, 1], [0, 5]]), ["a", "b"], vocab)
    kd = kw.keyness(dtm, [True, False], min_count=1).set_index("term")
    assert kd.loc["arms", "count_target"] == 3 and kd.loc["peace", "count_reference"] == 5
    # boolean Series indexed by doc_id (any order, may hold more documents) align on doc_id
    by_doc = pd.Series([False, "x", "y"], index=["b", "c", "a"]) == "y"
    ks_dtm = kw.keyness(dtm, by_doc, reference_mask=~by_doc, min_count=1)
    pd.testing.assert_frame_equal(ks_dtm.set_index("term"), kd)
    ks = kw.keyness(corpus, mask, min_count=1, stopwords="english")
    assert "the" not in set(ks["term"]) and "the" in set(k1["term"])
    with pytest.raises(ValueError, match="boolean mask of length 5"):
        kw.keyness(corpus, [True, False])
    with pytest.raises(ValueError, match="selects no documents"):
        kw.keyness(corpus, np.zeros(5, bool))
    with pytest.raises(ValueError, match="must not overlap"):
        kw.keyness(corpus, mask, reference_mask=np.ones(5, bool))


# ------------------------------------------------------------------ collocations


def test_collocations_hand_computed():
    c = make_corpus([
        {"doc_id": "a", "actor": "X", "text": "sell arms now. buy arms now. peace peace"},
        {"doc_id": "b", "actor": "Y", "text": "arms now"},
    ])
    out = kw.collocations(c, "=arms", window=1, min_count=1, stopwords=None, top=None)
    row = out.set_index("collocate").loc["now"]
    # tokens: N = 10; target "arms" 3 times; window slots: a: 2 + 2, b: 1 -> W = 5
    # "now": f = 3, O = 3 -> E = 5 * 3 / 10 = 1.5, PMI = log2(2) = 1
    assert out.attrs["n_tokens"] == 10 and out.attrs["n_slots"] == 5
    assert (row["co_count"], row["expected"], row["pmi"]) == (3, 1.5, pytest.approx(1.0))
    g2 = stats.chi2_contingency([[3, 2], [0, 5]], correction=False,
                                lambda_="log-likelihood").statistic
    assert row["g2"] == pytest.approx(g2)
    only_y = kw.collocations(c, "arms", window=1, min_count=1, stopwords=None, actor="Y")
    assert only_y["collocate"].tolist() == ["now"]
    with pytest.raises(ValueError, match="one word"):
        kw.collocations(c, "arms sale")
    with pytest.raises(ValueError, match="measure must be"):
        kw.collocations(c, "arms", measure="dice")
    with pytest.warns(UserWarning, match="does not occur"):
        kw.collocations(c, "zeppelin")


# ------------------------------------------------------------------ change points


def _series(values, group="G"):
    return pd.DataFrame({"group": group, "period": range(2000, 2000 + len(values)),
                         "category": "c", "rate_per_10k": values})


def test_change_points_finds_a_step_and_not_noise():
    rng = np.random.default_rng(0)
    step = np.r_[rng.normal(1, 0.1, 12), rng.normal(3, 0.1, 10)]
    flat = rng.normal(1, 0.1, 22)
    trends = pd.concat([_series(step, "step"), _series(flat, "flat")])
    out = kw.change_points(trends, random_state=1, max_changes=1)
    assert out["group"].tolist() == ["step"]
    row = out.iloc[0]
    assert row["period"] == 2012 and row["p_value"] < 0.01 and row["shift"] > 1.5
    again = kw.change_points(trends, random_state=1, max_changes=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="pass the output of keyword_trends"):
        kw.change_points(trends.drop(columns="category"))


# ------------------------------------------------------------------ passages


def test_extract_passages_sentences_and_paragraphs(corpus):
    p = kw.extract_passages(corpus, SMALL, unit="sentence", progress=False)
    validate_corpus(p)
    first = p[p["parent_doc_id"] == "CHN_1"]
    assert first["text"].tolist() == [
        "China will never sell weapons to either side.", "Arms sales fuel war.",
        "The Arms Trade Treaty matters."]
    assert first["categories"].tolist() == ["transfers", "transfers", "control"]
    assert first["doc_id"].tolist() == ["CHN_1#s0", "CHN_1#s1", "CHN_1#s2"]
    assert (first["actor"] == "CHN").all() and (first["year"] == 2021).all()
    row = first.iloc[1]
    assert corpus.loc[0, "text"][row["start"] : row["end"]].strip() == row["text"]
    only = kw.extract_passages(corpus, SMALL, categories="control", progress=False)
    assert set(only["categories"]) == {"control"}
    assert "Arms sales fuel war." not in only["text"].tolist()
    paras = kw.extract_passages(corpus, SMALL, unit="paragraph", progress=False)
    assert paras[paras["parent_doc_id"] == "CHN_1"]["doc_id"].tolist() == [
        "CHN_1#p0", "CHN_1#p1"]
    assert paras.attrs["passages"]["n_parent_docs_with_match"] == 3
    with pytest.raises(ValueError, match="unit must be"):
        kw.extract_passages(corpus, SMALL, unit="page")


def test_sentence_splitter_keeps_abbreviations_and_hard_wraps():
    text = ("Mr. Smith met the U.S. delegation. It sold arms.\nThen it\nstopped. "
            "Art. 51 applies! Really? Yes.")
    sents = [text[s:e].strip() for s, e in kw.split_passages(text)]
    assert sents == ["Mr. Smith met the U.S. delegation.", "It sold arms.",
                     "Then it\nstopped.", "Art. 51 applies!", "Really?", "Yes."]
    paras = kw.split_passages("One line\nwraps here.\nNew para.\n", unit="paragraph")
    assert len(paras) == 2


# ------------------------------------------------------------------ integration


@pytest.mark.integration
def test_ungdc_counts_match_plain_regex(ungdc):
    sub = ungdc[ungdc["year"] >= 2019].reset_index(drop=True)
    counts = kw.count_matches(sub, "arms", level="term", progress=False)
    left = r"(?<![\w.,;:!?])"
    checks = {
        "term:NATO": re.compile(left + r"NATO(?!\w)"),
        "term:disarmament": re.compile(left + r"disarmaments?(?!\w)", re.I),
        "term:Crimea": re.compile(left + r"crimeas?(?!\w)", re.I),
    }
    for col, rx in checks.items():
        plain = sub["text"].map(lambda t, rx=rx: len(rx.findall(t))).to_numpy()
        np.testing.assert_array_equal(counts[col].to_numpy(), plain, err_msg=col)
    assert counts["n_tokens"].tolist() == sub["text"].map(
        lambda t: len(re.findall(r"\w+", t))).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kw.LowSampleWarning)
        tr = kw.keyword_trends(sub, "arms", by="actor", period=None, n_boot=200,
                               random_state=0, progress=False)
    ok = tr.dropna(subset=["ci_low"])
    assert len(ok) and (ok["ci_low"] <= ok["rate_per_10k"] + 1e-9).all()
    assert (ok["rate_per_10k"] <= ok["ci_high"] + 1e-9).all()

"""Tests for toolkit.keywords._matcher's prefilter and the fast paths built on it.

The prefilter (one RE2 pass over the whole text column) must be a necessary condition of
the exact matcher: every document with a match passes it. The fast paths of
``count_matches``, ``keyword_trends``, ``kwic`` and ``extract_passages`` must give exactly
what the exact matcher run on every document gives (``_common._PREFILTER = False``, the
path before issue 14).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import keywords as kw
from toolkit.exceptions import CacheCorruptWarning
from toolkit.keywords import _common, _matcher
from toolkit.keywords.dictionary import _MATCHERS

from .conftest import PRESS_DICT, SMALL, make_corpus

EDGE_TEXTS = [
    "",  # an empty document
    "Dual use goods. DUAL-USE items; dual\nuse across a line break, dual\u2011use, "
    "dual \u2014 use.",
    "dual-\nuse at a hyphenated line end; dualuse is one word; dual. use is split.",
    "Arms sales and the Arms Trade Treaty; arms trade treaty; ARMS SALE; arms-sale.",
    "They sold weapons, will sell arms and weapons, selling   many   weapons.",
    "NATO and Nato and nato; the ATT, att and Att. The People\u2019s Republic, people's republic.",
    "\u212aelvin: a Kelvin-sign \u212a in \u212aNIFE. \u0130stanbul \u0130ST. "
    "\u03a3\u039f\u03a3 \u03c3\u03bf\u03c2.",
    "(export control) [export  control] {export\tcontrol} \"export\" control /export/control*",
    "non-proliferation, nonproliferation, non proliferation, NON\u2010PROLIFERATION.",
    "arms\u00a0embargo, arms\u2003embargo, arms\u3000embargo, arms__embargo, arms\u200bembargo.",
    "Weapons of mass destruction: weapon of mass destruction, weapons of massive destruction.",
    "armsale armsales arms-sales arm sale arm-sales armoured sale",
    "\u00e9mbargo embargo\u00e9 l'embargo d\u2019embargo",
]

EDGE_DICT = {
    "name": "edge",
    "version": "1",
    "categories": {
        "dual": ["dual use", "dual-use", "=dualuse"],
        "transfers": ["arms sale", "arms trade", "sell ~2 weapon", "arm* sale", "arms"],
        "control": ["Arms Trade Treaty", "NATO", "ATT", "non-proliferation", "export control",
                    "people's republic", "weapons of mass destruction"],
        "sanctions": ["embargo", "arms embargo", "arms"],
        "greek": ["\u03c3\u03bf\u03c2", "kelvin", "knife", "istanbul"],
    },
}


def _edge_corpus(dtype: str | None = None) -> pd.DataFrame:
    rows = [{"doc_id": f"d{i}", "actor": "ABC" if i % 2 else "XYZ", "year": 1990 + 5 * i,
             "text": t} for i, t in enumerate(EDGE_TEXTS)]
    rows[0]["text"] = "placeholder"  # standardize_columns checks texts; emptied below
    df = make_corpus(rows)
    df.loc[0, "text"] = ""
    if dtype is not None:
        df["text"] = df["text"].astype(dtype)
    return df


def _slow(fn, *args, **kwargs):
    """``fn`` with the exact matcher on every document (the path before issue 14)."""
    old = _common._PREFILTER
    _common._PREFILTER = False
    try:
        return fn(*args, **kwargs)
    finally:
        _common._PREFILTER = old


def _prefilter_hits(texts: list[str], d) -> list[bool]:
    """Whether each text passes the prefilter, checked to agree with its split form."""
    m = kw.load_dictionary(d).matcher
    arr = pa.array(texts, pa.large_string())
    whole = pc.match_substring_regex(arr, m.prefilter, ignore_case=True).to_pylist()
    split = [pc.match_substring_regex(arr, b, ignore_case=True).to_pylist()
             for b in m.prefilter_branches]
    assert whole == [any(hits) for hits in zip(*split)]
    return whole


# --------------------------------------------------------------------------------------
# The foundations: what the prefilter assumes about RE2 and the transparent characters
# --------------------------------------------------------------------------------------


def test_re2_case_folding_covers_every_python_lowercase_pair():
    # the matching text is lower-cased per character (str.lower, where it keeps one
    # character; the final sigma too); RE2's ignore_case must match each original char
    # against its lower-case form, or the prefilter would drop a document with a match
    pairs: dict[str, list[str]] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        x = chr(cp)
        low = x.lower()
        if len(low) == 1 and low != x:
            pairs.setdefault(low, []).append(x)
    pairs.setdefault("\u03c2", []).append("\u03a3")  # final sigma, from str.lower's context
    assert len(pairs) > 1000
    missed = []
    for low, xs in pairs.items():
        pattern = _matcher._prefilter_symbol(("c", low))
        hit = pc.match_substring_regex(pa.array(xs), pattern, ignore_case=True).to_pylist()
        missed += [(low, x) for x, ok in zip(xs, hit) if not ok]
    assert missed == []


def test_transparent_class_is_exactly_the_transparent_characters():
    every = np.array([c for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    chars = pa.array([chr(c) for c in every])
    in_class = pc.match_substring_regex(chars, f"^[{_matcher._RE2_TRANSPARENT}]$")
    in_class = in_class.to_numpy(zero_copy_only=False)
    expected = np.array([c == 32 or bool(_matcher._TRANSPARENT.match(chr(c))) for c in every])
    assert np.array_equal(in_class, expected)
    # \s, hyphens and dashes, quotes, brackets, / and *; not letters, . , ; : ! ? or _
    assert all(in_class[ord(c)] for c in " \n\t\u00a0\u3000-\u2014'\u2019\"()[]{}/*")
    assert not any(in_class[ord(c)] for c in "a.,;:!?_\u200b")


# --------------------------------------------------------------------------------------
# The prefilter is a necessary condition
# --------------------------------------------------------------------------------------


def test_prefilter_passes_every_edge_text_with_a_match():
    m = kw.load_dictionary(EDGE_DICT).matcher
    hits = _prefilter_hits(EDGE_TEXTS, EDGE_DICT)
    has_match = [any(True for _ in m.iter_matches(t)) for t in EDGE_TEXTS]
    assert all(h for h, want in zip(hits, has_match) if want)
    assert has_match[1] and not hits[0]  # a real match passes; the empty text does not


def test_prefilter_shapes():
    pf = kw.load_dictionary({"q": ["dual use"]}).matcher.prefilter
    # the inflections of the last word collapse to the shortest prefix that ends a term
    assert pf == f"dual[{_matcher._RE2_TRANSPARENT}]+us(?:e|ing)"
    assert kw.load_dictionary({"q": ["NATO"]}).matcher.prefilter == "nato"
    # a longer entry that extends a shorter one adds nothing: "arms" covers "arms sale"
    assert kw.load_dictionary({"q": ["arms", "arms sale"]}).matcher.prefilter == "arms"
    # split into passes that start with a literal of 4+ characters (at most 3 passes)
    t = _matcher._RE2_TRANSPARENT
    assert kw.load_dictionary({"q": ["sell ~2 weapon"]}).matcher.prefilter_branches == [
        f"sell(?:ing[{t}]+(?:[^{t}]+[{t}]+){{0,2}}weapon|s[{t}]+(?:[^{t}]+[{t}]+){{0,2}}weapon"
        f"|[{t}]+(?:[^{t}]+[{t}]+){{0,2}}weapon)",
        f"sold[{t}]+(?:[^{t}]+[{t}]+){{0,2}}weapon"]
    assert kw.load_dictionary({"q": ["NATO", "nation", "dual use"]}).matcher.prefilter_branches \
        == [f"dual[{t}]+us(?:e|ing)", "nato", "nation"]
    four = kw.load_dictionary({"q": ["ab", "cd", "ef", "gh"]}).matcher
    assert four.prefilter_branches == [four.prefilter] == ["(?:ab|cd|ef|gh)"]
    # too long a pattern for RE2's automaton: no prefilter
    many = kw.load_dictionary({"q": [f"w{i:04d} ~3 ward" for i in range(400)]}).matcher
    assert many.prefilter is None and many.prefilter_branches == []
    # a raw regex cannot be translated: no prefilter, every document is matched exactly
    assert kw.load_dictionary({"q": ["re:dual.use", "arms"]}).matcher.prefilter is None


_WORDS = st.sampled_from(["arms", "Arms", "ARM", "sale", "sales", "sold", "sell", "dual",
                          "use", "used", "NATO", "nato", "treaty", "weapon", "\u212aelvin",
                          "\u0130st", "\u03a3\u03bf\u03a3", "people's", "non-proliferation"])
_SEPS = st.sampled_from([" ", "  ", "\n", "-", "\u2011", "\u2014", " - ", "\u00a0", ". ",
                         ", ", "'", "\u2019", "(", ")", "/", "*", "", "_", "\t\n "])
_TERMS = st.sampled_from(["arms sale", "arm* sale", "sell ~2 weapon", "dual use", "NATO",
                          "arms", "=sold", "people's republic", "non-proliferation",
                          "\u03c3\u03bf\u03c3", "kelvin", "dual-use", "arms ~1 treaty"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEPS), min_size=0, max_size=12),
       st.lists(_TERMS, min_size=1, max_size=4, unique=True))
def test_prefilter_is_necessary_on_generated_texts(pieces, terms):
    text = "".join(w + s for w, s in pieces)
    d = {"q": terms}
    m = kw.load_dictionary(d).matcher
    if any(True for _ in m.iter_matches(text)):
        assert _prefilter_hits([text], d) == [True], (text, terms)


# --------------------------------------------------------------------------------------
# Fast path == exact path
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [None, "object", "string[python]"])
def test_count_matches_identical_to_the_exact_path(dtype, tmp_path):
    df = _edge_corpus(dtype)
    slow = _slow(kw.count_matches, df, EDGE_DICT, level="term", use_cache=False,
                 progress=False)
    # no cache; then a cold token cache (counted and written); then a warm one
    fast = kw.count_matches(df, EDGE_DICT, level="term", use_cache=False, progress=False)
    pd.testing.assert_frame_equal(fast, slow)
    home = str(tmp_path)
    cold = kw.count_matches(df, EDGE_DICT, level="term", progress=False, cache_home=home)
    pd.testing.assert_frame_equal(cold, slow)
    assert len(list((tmp_path / "keyword_tokens").glob("*.npy"))) == 1
    d2 = {"other": ["dual use", "embargo"]}
    warm = kw.count_matches(df, d2, level="term", progress=False, cache_home=home)
    pd.testing.assert_frame_equal(
        warm, _slow(kw.count_matches, df, d2, level="term", use_cache=False, progress=False))
    assert warm["n_tokens"].tolist() == list(kw.count_tokens(df["text"].astype(str)))
    assert warm["n_tokens"].iloc[0] == 0 and warm["n_matches"].iloc[0] == 0  # empty text


def test_count_matches_identical_on_the_fixtures(corpus, press):
    for df, d in ((corpus, SMALL), (press, PRESS_DICT), (corpus, "arms"), (press, "arms"),
                  (corpus, {"a": ["re:arms? \\w+"], "b": ["weapon"]})):
        pd.testing.assert_frame_equal(
            kw.count_matches(df, d, level="term", use_cache=False, progress=False),
            _slow(kw.count_matches, df, d, level="term", use_cache=False, progress=False))


def test_keyword_trends_identical_to_the_exact_path(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path))
    df = _edge_corpus()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d, period in ((EDGE_DICT, "decade"), ({"x": ["dual use"], "y": ["NATO"]}, "year")):
            kw_args = dict(by="actor", period=period, random_state=3, progress=False)
            slow = _slow(kw.keyword_trends, df, d, use_cache=False, **kw_args)
            for _ in range(2):  # cold, then warm token cache and counts
                fast = kw.keyword_trends(df, d, **kw_args)
                pd.testing.assert_frame_equal(fast, slow)
                assert fast.attrs == slow.attrs


@pytest.mark.parametrize("query,options", [
    ("dual use", {}),
    ("dual-use", {}),
    ("sell ~2 weapon", {"window": 5}),
    ("NATO", {"columns": ["doc_id", "year"]}),
    (["arms", "arms sale", "Arms Trade Treaty"], {}),
    ("arm* sale", {"max_rows": 2}),
    ("zeppelin", {}),
    ("control", {"dictionary": EDGE_DICT, "actor": "ABC"}),
    (["dual", "greek"], {"dictionary": EDGE_DICT, "year": slice(1995, 2040)}),
    (None, {"dictionary": EDGE_DICT, "max_rows": 9}),
    (None, {"dictionary": {"a": ["re:arms?\\b"], "b": ["embargo"]}}),
])
def test_kwic_identical_to_the_exact_path(query, options):
    for dtype in (None, "object"):
        df = _edge_corpus(dtype)
        fast = kw.kwic(df, query, **options)
        slow = _slow(kw.kwic, df, query, **options)
        pd.testing.assert_frame_equal(fast, slow)
    if query == "dual use":
        # phrases across line breaks, hyphens and dashes; not across a full stop
        assert "dual\nuse" not in fast["match"].tolist()  # newlines shown as spaces
        assert {"dual use", "DUAL-USE", "dual\u2011use", "dual \u2014 use"} <= set(
            fast["match"])
        assert not fast["match"].str.contains(r"\.").any()


def test_kwic_on_a_regex_pattern_is_unchanged():
    df = _edge_corpus()
    rx = re.compile(r"arms \w+", re.I)
    pd.testing.assert_frame_equal(kw.kwic(df, rx), _slow(kw.kwic, df, rx))


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_extract_passages_identical_to_the_exact_path(unit, corpus):
    for df, d, cats in ((_edge_corpus(), EDGE_DICT, None), (_edge_corpus(), EDGE_DICT, "dual"),
                        (corpus, "arms", None), (corpus, SMALL, "control")):
        fast = kw.extract_passages(df, d, categories=cats, unit=unit, progress=False)
        slow = _slow(kw.extract_passages, df, d, categories=cats, unit=unit, progress=False)
        pd.testing.assert_frame_equal(fast, slow)
        assert fast.attrs == slow.attrs


# --------------------------------------------------------------------------------------
# Caches: compiled matchers per process, token counts per corpus
# --------------------------------------------------------------------------------------


def test_matchers_are_shared_by_content():
    a = kw.load_dictionary({"q": ["dual use"]})
    b = kw.load_dictionary({"q": ["dual use"]})
    assert a is not b and a.matcher is b.matcher
    assert kw.load_dictionary({"r": ["dual use"]}).matcher is not a.matcher  # names count
    assert next(reversed(_MATCHERS)) == kw.load_dictionary({"r": ["dual use"]}).content_hash


def test_corrupt_token_cache_is_reported_and_rebuilt(tmp_path):
    df = _edge_corpus()
    home = str(tmp_path)
    first = kw.count_matches(df, {"q": ["NATO"]}, progress=False, cache_home=home)
    (entry,) = (tmp_path / "keyword_tokens").glob("*.npy")
    np.save(entry, np.arange(3))  # wrong length for this corpus
    with pytest.warns(CacheCorruptWarning, match="counting the tokens again"):
        again = kw.count_matches(df, {"q": ["ATT"]}, progress=False, cache_home=home)
    assert again["n_tokens"].tolist() == first["n_tokens"].tolist()
    assert len(np.load(entry)) == len(df)  # rewritten, whole


def test_candidates_fall_back_to_every_document_for_mixed_columns():
    m = kw.load_dictionary({"q": ["dual use"]}).matcher
    mixed = pd.Series(["dual use", 3, "nothing"], dtype=object)
    assert _common._candidates(mixed, m).tolist() == [0, 1, 2]
    texts = pd.Series(["nothing", "Dual-use", "dual"], dtype="string[pyarrow]")
    assert _common._candidates(texts, m).tolist() == [1]


def test_corpus_fingerprint_is_remembered_for_arrow_columns_only(monkeypatch):
    from toolkit import cache

    calls = []
    real = cache.frame_fingerprint
    monkeypatch.setattr(cache, "frame_fingerprint", lambda df: calls.append(1) or real(df))
    df = _edge_corpus()  # Arrow-backed strings
    fp = _common._corpus_fingerprint(df)
    assert fp == real(df) and _common._corpus_fingerprint(df) == fp and len(calls) == 1
    edited = df.copy()
    edited.loc[1, "text"] = "dual use"  # an edit replaces the Arrow array: hashed again
    assert _common._corpus_fingerprint(edited) == real(edited) != fp
    assert _common._corpus_fingerprint(df.iloc[::-1]) == real(df.iloc[::-1])
    assert len(calls) == 3
    plain = _edge_corpus("object")  # not Arrow: hashed on every call, same value
    assert _common._corpus_fingerprint(plain) == _common._corpus_fingerprint(plain) == fp
    assert len(calls) == 5


def test_candidates_read_chunked_arrow_columns_in_place():
    m = kw.load_dictionary({"q": ["dual use"]}).matcher
    chunked = pa.chunked_array([["nothing", "Dual-use"], [], ["dual\nuse", "dual"]])
    texts = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    assert texts.array.__arrow_array__() is chunked
    assert _common._candidates(texts, m).tolist() == [1, 2]
    assert _common._candidates(texts.astype(object), m).tolist() == [1, 2]


def test_lemma_table_inverse_is_cached_and_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path))
    _matcher._lemma_forms.cache_clear()
    try:
        built = _matcher._lemma_forms()  # inverted, then written
        (entry,) = (tmp_path / "lemma_forms").glob("*.json")
        _matcher._lemma_forms.cache_clear()
        read = _matcher._lemma_forms()  # read back
        assert read == built and read["sell"] == ["selling", "sells", "sold"]
        entry.write_text("{not json")
        _matcher._lemma_forms.cache_clear()
        with pytest.warns(CacheCorruptWarning):
            assert _matcher._lemma_forms() == built
        assert kw.inflections("use") == ["use", "used", "uses", "using"]
    finally:
        _matcher._lemma_forms.cache_clear()

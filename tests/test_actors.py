"""Tests for toolkit.actors: ISO3 normalisation and mentions of states in text."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import actors
from toolkit.actors import UnmatchedCodesWarning, to_iso3

# --------------------------------------------------------------------------- to_iso3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("US", "USA"), ("GB", "GBR"), ("UK", "GBR"), ("NA", "NAM"), ("USA", "USA"),
        (2, "USA"), ("365", "RUS"), (260, "DEU"), (680, "YMD"), (np.int16(713), "TWN"),
        ("Russian Federation", "RUS"), ("United States of America", "USA"),
        ("Soviet Union", "RUS"), ("USSR", "RUS"), ("SU", "RUS"), ("GDR", "DDR"),
        ("DD", "DDR"), ("Czechoslovakia", "CSK"), ("CS", "CSK"), ("YU", "YUG"),
        ("YD", "YMD"), ("Yemen Arab Republic", "YEM"), ("Federal Republic of Germany", "DEU"),
        ("EU", "EU"), ("European Union", "EU"), ("Côte d’Ivoire", "CIV"),
        ("Bolivia (Plurinational State of)", "BOL"), ("East Germany (GDR)", "DDR"),
    ],
)
def test_to_iso3_scalar(value, expected):
    assert to_iso3(value) == expected


def test_to_iso3_keeps_soviet_union_when_asked():
    assert to_iso3("Soviet Union", successor_seats=False) == "SUN"
    assert to_iso3(["SU", "RU"], successor_seats=False).tolist() == ["SUN", "RUS"]


def test_to_iso3_src_forces_kind():
    assert to_iso3("CS", src="iso2") == "CSK"
    assert to_iso3("2", src="cow") == "USA"
    with pytest.warns(UnmatchedCodesWarning, match="not a COW number"):
        assert pd.isna(to_iso3("USA", src="cow"))
    with pytest.raises(ValueError, match="src must be"):
        to_iso3("US", src="fips")


def test_to_iso3_unknown_listed_not_dropped():
    values = ["US", "XX", "Narnia", None, "XX", "Zanzibar"]
    with pytest.warns(UnmatchedCodesWarning, match=r"'XX' x2 \(unknown ISO2 code"):
        out = to_iso3(values)
    assert len(out) == len(values)
    assert out.isna().tolist() == [False, True, True, True, True, True]
    listed = {u["value"]: (u["count"], u["reason"]) for u in out.attrs["unmatched"]}
    assert listed["XX"][0] == 2
    assert "no state name matched" in listed["Narnia"][1]
    assert listed[None][1] == "missing value"
    assert "no ISO3 code" in listed["Zanzibar"][1]


def test_to_iso3_raise_and_ignore():
    with pytest.raises(ValueError, match=r"did not match ISO3.*Fix the input"):
        to_iso3(["US", "XX"], unknown="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_iso3(["XX"], unknown="ignore")
    assert out.isna().all() and out.attrs["unmatched"][0]["value"] == "XX"


def test_to_iso3_series_keeps_index_and_input():
    s = pd.Series(["DE", "FR"], index=[10, 20])
    out = to_iso3(s)
    assert out.index.tolist() == [10, 20] and out.tolist() == ["DEU", "FRA"]
    assert s.tolist() == ["DE", "FR"]
    assert out.dtype == "string"


def test_to_iso3_covers_ungdc_codes():
    # Every code UNGDC uses (current and historical) maps to itself.
    codes = ["CSK", "DDR", "YMD", "YUG", "EU", "RUS", "DEU", "YEM", "SRB", "PSE", "VAT",
             "FSM", "TLS", "SSD", "MNE"]
    assert to_iso3(codes, unknown="raise").tolist() == codes


# --------------------------------------------------------------------------- mentions


def _corpus(rows):
    from toolkit.corpora import standardize_columns

    df = pd.DataFrame(rows, columns=["doc_id", "actor", "year", "text"])
    return standardize_columns(df, source="fixture")


@pytest.fixture
def speeches():
    return _corpus([
        ("CHN_1", "CHN", 2014, "China and the Russian Federation oppose hegemony. "
         "The United States of America and the Americans disagree. Chinese people want peace."),
        ("RUS_1", "RUS", 2014, "Russia notes that Ukraine's crisis was caused by the United "
         "States. Latin American and South American states agree. The Soviet Union is gone."),
        ("USA_1", "USA", 1985, "The Soviet Union, the USSR, invaded Afghanistan. "
         "Papua New Guinea, Guinea-Bissau, Guinea and South Sudan, not the Sudan."),
        ("DEU_1", "DEU", 1985, "the Indian Ocean; India's view. Niger and Nigeria. us and US."),
        ("EMP_1", "EU", 1985, ""),
    ])


def test_mentions_counts_and_normalises(speeches):
    m = actors.mentions(speeches, progress=False)
    assert list(m.columns) == ["doc_id", "actor", "year", "target", "count"]
    got = {(r.doc_id, r.target): r.count for r in m.itertuples()}
    assert got[("CHN_1", "RUS")] == 1
    assert got[("CHN_1", "USA")] == 2  # "United States of America", "Americans"
    assert ("CHN_1", "CHN") not in got  # self-mentions excluded by default
    assert got[("RUS_1", "UKR")] == 1 and got[("RUS_1", "USA")] == 1
    assert ("RUS_1", "RUS") not in got  # the Soviet Union is RUS, and RUS is the speaker
    assert got[("USA_1", "RUS")] == 2 and got[("USA_1", "AFG")] == 1
    for code in ("PNG", "GNB", "GIN", "SSD", "SDN"):
        assert got[("USA_1", code)] == 1
    assert got[("DEU_1", "IND")] == 1  # "Indian Ocean" is blocked
    assert got[("DEU_1", "NER")] == 1 and got[("DEU_1", "NGA")] == 1
    assert got[("DEU_1", "USA")] == 1  # "US", not "us"
    assert not (m["doc_id"] == "EMP_1").any()
    assert m.attrs["n_docs"] == 5


def test_mentions_options(speeches):
    m = actors.mentions(speeches, exclude_self=False, successor_seats=False, progress=False)
    got = {(r.doc_id, r.target): r.count for r in m.itertuples()}
    assert got[("CHN_1", "CHN")] == 2 and got[("RUS_1", "SUN")] == 1
    extra = actors.mentions(speeches, extra_forms={"hegemony": "XXX", "Chinese": None},
                            exclude_self=False, progress=False)
    got = {(r.doc_id, r.target): r.count for r in extra.itertuples()}
    assert got[("CHN_1", "XXX")] == 1 and got[("CHN_1", "CHN")] == 1


def test_mentions_bad_input(speeches):
    with pytest.raises(ValueError, match=r"needs columns \['body'\]"):
        actors.mentions(speeches, text_col="body")


def test_mentions_does_not_mutate(speeches):
    before = speeches.copy()
    actors.mentions(speeches, progress=False)
    pd.testing.assert_frame_equal(speeches, before)


def test_who_talks_about_whom(speeches):
    m = actors.mentions(speeches, progress=False)
    w = actors.who_talks_about_whom(m, period="decade")
    assert set(w.columns) == {"actor", "target", "period", "count", "n_docs", "share"}
    chn = w[(w.actor == "CHN") & (w.period == 2010)].set_index("target")
    assert chn.loc["USA", "count"] == 2
    assert chn["share"].sum() == pytest.approx(1.0)
    y5 = actors.who_talks_about_whom(m, period=5)
    assert set(y5["period"]) == {1985, 2010}
    with pytest.raises(ValueError, match="period must be"):
        actors.who_talks_about_whom(m, period="century")
    with pytest.raises(ValueError, match="needs columns"):
        actors.who_talks_about_whom(m.drop(columns="target"))


def test_who_talks_about_whom_speaks_the_period_vocabulary(speeches):
    m = actors.mentions(speeches, progress=False)
    year = pd.to_numeric(m["year"]).astype("Int64")
    for period, expected in [("year", year), ("decade", year // 10 * 10), (5, year // 5 * 5)]:
        w = actors.who_talks_about_whom(m, period=period)
        assert w["period"].dtype == "Int64"
        assert set(w["period"]) == set(expected)
    whole = actors.who_talks_about_whom(m, period=None)
    assert set(whole["period"]) == {"all"}
    by_actor = whole.groupby("actor")["count"].sum()
    assert by_actor.to_dict() == m.groupby("actor")["count"].sum().to_dict()
    early = actors.who_talks_about_whom(m, period=lambda t: np.where(t["year"] < 2000, "early",
                                                                     "late"))
    assert set(early["period"]) == {"early", "late"}
    with pytest.raises(ValueError, match=r"period must be .*An integer period is a number"):
        actors.who_talks_about_whom(m, period=0)


def test_top_targets(speeches):
    w = actors.who_talks_about_whom(actors.mentions(speeches, progress=False))
    top = actors.top_targets(w, "USA", n=2)
    assert set(top["target"]) <= {"RUS", "AFG", "PNG", "GNB", "GIN", "SSD", "SDN"}
    assert top["target"].nunique() == 2
    with pytest.raises(ValueError, match="actor 'XYZ' has no mentions"):
        actors.top_targets(w, "XYZ")


def test_mention_patterns_table():
    table = actors.mention_patterns()
    assert {"form", "iso3"} <= set(table.columns)
    assert table["form"].is_unique
    lookup = dict(zip(table["form"], table["iso3"]))
    assert lookup["Chinese"] == "CHN" and pd.isna(lookup["Latin America"])


@pytest.mark.integration
def test_mentions_on_real_ungdc(ungdc):
    sample = ungdc[ungdc["year"] == 2014]
    m = actors.mentions(sample, progress=False)
    assert m["doc_id"].isin(sample["doc_id"]).all()
    assert (m["target"] != m["actor"]).all()
    w = actors.who_talks_about_whom(m, period="year")
    ukr = w[w.target == "UKR"]["count"].sum()
    assert ukr > 0


def test_historical_states_returns_a_copy():
    from toolkit import actors as _actors

    first = _actors.historical_states()
    first.loc[:, "name"] = "edited"
    assert (_actors.historical_states()["name"] != "edited").all()


def test_one_country_converter_for_loaders_and_actors():
    from toolkit import _countries

    assert _countries.country_converter() is _countries.country_converter()

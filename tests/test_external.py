"""Tests for toolkit.external: UN votes, ideal points, SIPRI (fixtures written here)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import external as ex
from toolkit.actors import UnmatchedCodesWarning

# --------------------------------------------------------------------------- fixtures

VOTES = """rcid,country,country_code,vote
1.0,United States,US,yes
1.0,Russia,RU,no
1.0,China,CN,yes
1.0,Namibia,NA,abstain
2.0,United States,US,no
2.0,Russia,RU,no
2.0,China,CN,abstain
2.0,Namibia,NA,yes
3.0,United States,US,yes
3.0,Russia,RU,yes
3.0,Namibia,NA,yes
4.0,Federal Republic of Germany,,yes
4.0,Zanzibar,,no
4.0,Yugoslavia,YU,yes
4.0,Taiwan,TW,yes
5.0,Yugoslavia,YU,no
5.0,United States,US,no
"""

CALLS = """rcid,session,importantvote,date,unres,amend,para,short,descr
1,70.0,0,2015-10-01,R/70/1,0,0,A,a
2,70.0,1,2015-11-01,R/70/2,0,0,B,b
3,71.0,0,2016-10-01,R/71/1,0,0,C,c
4,18.0,0,1963-12-03,R/18/1,0,0,D,d
5,62.0,0,2007-10-01,R/62/1,0,0,E,e
"""

ISSUES = """rcid,short_name,issue
1,di,Arms control and disarmament
2,di,Arms control and disarmament
2,nu,Nuclear weapons and nuclear material
3,hr,Human rights
"""


@pytest.fixture
def unvotes_dir(tmp_path):
    d = tmp_path / "unvotes"
    d.mkdir()
    (d / "un_votes.csv").write_text(VOTES, encoding="utf-8")
    (d / "un_roll_calls.csv").write_text(CALLS, encoding="utf-8")
    (d / "un_roll_call_issues.csv").write_text(ISSUES, encoding="utf-8")
    return d


@pytest.fixture
def votes(unvotes_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCodesWarning)
        return ex.load_unvotes(unvotes_dir)


SIPRI_HEAD = """Transfers of major conventional arms from All countries  to All countries .
A '?' in a column indicates uncertain data.
An empty field for 'Number ordered' indicates that data is not yet available.
SIPRI trend-indicator values (TIVs) are in millions.
An empty field for 'SIPRI TIV for total order' indicates that data is not available.
A '0' for 'SIPRI TIV of delivered weapons' indicates small volumes.
Figures may not add up to stated totals due to the conventions of rounding.
For the method used see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.

Source: SIPRI Arms Transfers Database (c) SIPRI.
Data generated: 18 May 2026 2:29:20 PM
"""
SIPRI_COLS = ("Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
              "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,"
              "SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\n")
SIPRI_ROWS = """\
Russia,China,2015,,28,,ship engine,ship engine,28,,2018; 2019; 2021,New,engines,1.2,33.6,33.6
China,Russia,2015,?,24,,Su-35,FGA aircraft,24,?,2016; 2017; 2018,New,"Su-35S, a note",50,1200,1200
China,Soviet Union,1990,,26,,Su-27,FGA aircraft,26,,1991; 1992,New,,30,780,780
UNITA (Angola)*,South Africa,1980,?,10,?,Ratel,IFV,10,?,1981,Second hand,,0.5,5,5
Côte d'Ivoire,unknown supplier(s),2010,,2,,Mi-24,helicopter,,,,New,,10,20,
Russia,China,2022,?,8,?,Tiger,APC,8,?,2023,New,,0.15,1.2,1.2
"""


@pytest.fixture
def sipri_file(tmp_path):
    f = tmp_path / "trade-register.csv"
    f.write_bytes((SIPRI_HEAD + SIPRI_COLS + SIPRI_ROWS).encode("latin-1"))
    return f


@pytest.fixture
def sipri(sipri_file):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCodesWarning)
        return ex.load_sipri(sipri_file)


# --------------------------------------------------------------------------- paths


def test_missing_external_home_names_folder_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_EXTERNAL_HOME", str(tmp_path))
    with pytest.raises(ex.ExternalDataMissingError, match=r"FPTK_EXTERNAL_HOME.*unvotes"):
        ex.load_unvotes()
    with pytest.raises(ex.ExternalDataMissingError, match=r"trade-register\.csv"):
        ex.load_sipri()
    with pytest.raises(ex.ExternalDataMissingError, match=r"Idealpoint"):
        ex.load_idealpoints()


def test_external_home_env_is_used(unvotes_dir, monkeypatch):
    monkeypatch.setenv("FPTK_EXTERNAL_HOME", str(unvotes_dir.parent))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCodesWarning)
        v = ex.load_unvotes()
    assert len(v) == VOTES.count("\n") - 1


def test_explicit_missing_path(tmp_path):
    with pytest.raises(ex.ExternalDataMissingError, match="does not exist"):
        ex.load_sipri(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- UN votes


def test_load_unvotes_codes_namibia_and_history(votes):
    by_country = dict(zip(votes["country"], votes["actor"].astype(object)))
    assert by_country["Namibia"] == "NAM"  # "NA" is not a missing value
    assert by_country["Federal Republic of Germany"] == "DEU"
    assert pd.isna(by_country["Zanzibar"])
    # Yugoslavia before 2006 stays YUG, after is Serbia; the ROC's 1963 vote is TWN (split).
    yu = votes[votes["country"] == "Yugoslavia"].set_index("rcid")["actor"]
    assert yu[4] == "YUG" and yu[5] == "SRB"
    assert votes.loc[votes["country"] == "Taiwan", "actor"].iloc[0] == "TWN"
    assert votes["session"].dtype == "Int64"
    assert set(votes["vote"].cat.categories) == {"yes", "abstain", "no"}


def test_load_unvotes_reports_unmatched(unvotes_dir):
    with pytest.warns(UnmatchedCodesWarning, match=r"Zanzibar.*no ISO3"):
        v = ex.load_unvotes(unvotes_dir)
    assert [u["count"] for u in v.attrs["unmatched"]] == [1]
    assert {r["to"] for r in v.attrs["recoded"]} == {"SRB"}


def test_load_unvotes_seat_conventions(unvotes_dir):
    """split (default) = iso keeps the ROC as TWN; ungdc codes it CHN before 25 Oct 1971."""
    for conv in ("split", "iso"):
        v = ex.load_unvotes(unvotes_dir, seat_convention=conv, unknown="ignore")
        assert v.loc[v["country"] == "Taiwan", "actor"].iloc[0] == "TWN"
    old = ex.load_unvotes(unvotes_dir, seat_convention="ungdc", unknown="ignore")
    assert old.loc[old["country"] == "Taiwan", "actor"].iloc[0] == "CHN"
    assert {r["to"] for r in old.attrs["recoded"]} == {"SRB", "CHN"}
    with pytest.raises(ValueError, match="seat_convention must be one of"):
        ex.load_unvotes(unvotes_dir, seat_convention="un")


CHINA_1971 = """rcid,country,country_code,vote
10,Taiwan,TW,yes
10,United States,US,yes
11,Taiwan,TW,no
11,United States,US,yes
12,China,CN,no
12,United States,US,yes
"""
CALLS_1971 = """rcid,session,importantvote,date
10,26,0,1971-09-30
11,26,0,1971-10-07
12,26,0,1971-11-03
"""


def test_china_seat_in_1971_votes(tmp_path):
    """Session 26 (1971): the ROC votes until October, the PRC from November."""
    d = tmp_path / "unvotes"
    d.mkdir()
    (d / "un_votes.csv").write_text(CHINA_1971)
    (d / "un_roll_calls.csv").write_text(CALLS_1971)
    split = ex.load_unvotes(d, unknown="ignore")
    assert split.set_index("rcid").query("country != 'United States'")["actor"].tolist() == [
        "TWN", "TWN", "CHN"]
    agree = ex.voting_agreement(split).set_index(["actor_a", "actor_b"])
    assert agree.loc[("TWN", "USA"), "n_votes"] == 2 and agree.loc[("TWN", "USA"), "year"] == 1971
    assert agree.loc[("CHN", "USA"), "n_votes"] == 1
    old = ex.load_unvotes(d, seat_convention="ungdc", unknown="ignore")
    assert set(old.loc[old["country"] != "United States", "actor"]) == {"CHN"}
    assert ex.voting_agreement(old)["n_votes"].tolist() == [3]  # two states pooled


def test_load_unvotes_raise_on_unknown(unvotes_dir):
    with pytest.raises(ValueError, match="Zanzibar"):
        ex.load_unvotes(unvotes_dir, unknown="raise")


def test_load_unvotes_bad_columns(unvotes_dir):
    (unvotes_dir / "un_votes.csv").write_text("rcid,nation,vote\n1,US,yes\n")
    with pytest.raises(ValueError, match=r"missing column.*country"):
        ex.load_unvotes(unvotes_dir)


def test_load_unvotes_bad_rcid(unvotes_dir):
    (unvotes_dir / "un_votes.csv").write_text(
        "rcid,country,country_code,vote\nabc,United States,US,yes\n")
    with pytest.raises(ValueError, match="rcid must be a number"):
        ex.load_unvotes(unvotes_dir)


def test_issue_columns(votes):
    assert votes.loc[votes["rcid"] == 2, "issue_nu"].all()
    assert not votes.loc[votes["rcid"] == 3, "issue_di"].any()


def test_voting_agreement_identical_by_hand(votes):
    a = ex.voting_agreement(votes, period="session")
    row = a[(a.actor_a == "RUS") & (a.actor_b == "USA") & (a.session == 70)].iloc[0]
    # rcid 1: no vs yes, rcid 2: no vs no -> 1 of 2
    assert row.agreement == pytest.approx(0.5) and row.n_votes == 2 and row.year == 2015
    row = a[(a.actor_a == "CHN") & (a.actor_b == "USA") & (a.session == 70)].iloc[0]
    assert row.agreement == pytest.approx(0.5)
    assert (a.actor_a < a.actor_b).all()
    assert list(a.columns) == ["actor_a", "actor_b", "session", "year", "period",
                               "agreement", "n_votes"]


def test_voting_agreement_abstain_half_and_s_score(votes):
    h = ex.voting_agreement(votes, measure="abstain_half")
    s = ex.voting_agreement(votes, measure="s_score")
    pick = (h.actor_a == "CHN") & (h.actor_b == "NAM") & (h.session == 70)
    # rcid 1: yes vs abstain (d=.5), rcid 2: abstain vs yes (d=.5): mean d = .5
    assert h[pick].agreement.iloc[0] == pytest.approx(0.5)
    assert s[pick].agreement.iloc[0] == pytest.approx(0.0)
    pick = (h.actor_a == "RUS") & (h.actor_b == "USA") & (h.session == 70)
    assert h[pick].agreement.iloc[0] == pytest.approx(0.5)  # d = 1 then 0
    assert s[pick].agreement.iloc[0] == pytest.approx(0.0)


def test_voting_agreement_kappa_by_hand():
    """Two states, five roll calls (Cohen 1960; Häge 2011)."""
    a = ["yes", "yes", "no", "abstain", "yes"]
    b = ["yes", "no", "no", "yes", "yes"]
    votes = pd.DataFrame({"rcid": list(range(5)) * 2, "session": 70,
                          "actor": ["AAA"] * 5 + ["BBB"] * 5, "vote": a + b})
    k = ex.voting_agreement(votes, measure="kappa")
    # observed 3/5; A's shares yes .6, no .2, abstain .2; B's yes .6, no .4:
    # expected .6*.6 + .2*.4 + .2*0 = .44; kappa = (.6 - .44) / (1 - .44) = 2/7
    assert k["agreement"].iloc[0] == pytest.approx(2 / 7)
    assert k.attrs["voting_agreement"]["measure"] == "kappa"
    assert k.attrs["methods"] == ["vote_kappa"]  # toolkit.methods: Häge (2011)
    same = ex.voting_agreement(votes, measure="identical")
    assert same["agreement"].iloc[0] == pytest.approx(0.6)
    # two states that always vote yes agree perfectly but kappa is undefined (p_e = 1);
    # one always yes and the other mostly yes: kappa 0 although they agree on 4 of 5
    yes = pd.DataFrame({"rcid": list(range(5)) * 3, "session": 70,
                        "actor": ["AAA"] * 5 + ["BBB"] * 5 + ["CCC"] * 5,
                        "vote": ["yes"] * 10 + ["yes", "yes", "yes", "yes", "no"]})
    ky = ex.voting_agreement(yes, measure="kappa").set_index(["actor_a", "actor_b"])
    assert np.isnan(ky.loc[("AAA", "BBB"), "agreement"])
    assert ky.loc[("AAA", "CCC"), "agreement"] == pytest.approx(0.0)


def test_voting_agreement_kappa_matches_a_naive_loop(votes):
    fast = ex.voting_agreement(votes, period="year", measure="kappa")
    v = votes.dropna(subset=["actor", "vote"])
    for (yr, a, b), grp in fast.groupby(["year", "actor_a", "actor_b"]):
        va = v[(v.year == yr) & (v.actor == a)].set_index("rcid")["vote"].astype(str)
        vb = v[(v.year == yr) & (v.actor == b)].set_index("rcid")["vote"].astype(str)
        common = va.index.intersection(vb.index)
        va, vb = va[common], vb[common]
        p_o = (va == vb).mean()
        p_e = sum((va == c).mean() * (vb == c).mean() for c in ("yes", "abstain", "no"))
        exp = (p_o - p_e) / (1 - p_e) if p_e < 1 else np.nan
        got = grp.agreement.iloc[0]
        assert (np.isnan(exp) and np.isnan(got)) or got == pytest.approx(exp)


def test_voting_agreement_matches_naive_loop(votes):
    fast = ex.voting_agreement(votes, period="year", both_directions=True)
    v = votes.dropna(subset=["actor", "vote"])
    for (yr, a, b), grp in fast.groupby(["year", "actor_a", "actor_b"]):
        va = v[(v.year == yr) & (v.actor == a)].set_index("rcid")["vote"]
        vb = v[(v.year == yr) & (v.actor == b)].set_index("rcid")["vote"]
        common = va.index.intersection(vb.index)
        assert grp.n_votes.iloc[0] == len(common)
        expected = (va[common].astype(str) == vb[common].astype(str)).mean()
        assert grp.agreement.iloc[0] == pytest.approx(expected)


def test_voting_agreement_issue_filter(votes):
    a = ex.voting_agreement(votes, issue="nu")
    assert set(a["session"]) == {70}
    assert a["n_votes"].max() == 1
    b = ex.voting_agreement(votes, issue=["Arms control and disarmament"])
    assert b["n_votes"].max() == 2
    with pytest.raises(ValueError, match="unknown issue 'arms'"):
        ex.voting_agreement(votes, issue="arms")


def test_voting_agreement_decade_actors_and_min_votes(votes):
    d = ex.voting_agreement(votes, period="decade", actors=["USA", "RUS"])
    assert set(d["decade"]) == {2010}  # in 2007 only the USA (of the two) voted
    assert set(zip(d.actor_a, d.actor_b)) == {("RUS", "USA")}
    m = ex.voting_agreement(votes, min_votes=2)
    assert (m["n_votes"] >= 2).all()
    with pytest.raises(ValueError, match="period must be"):
        ex.voting_agreement(votes, period="month")


def test_voting_agreement_periods_and_options(votes):
    # calendar years come from the date when the table has no year column
    by_date = ex.voting_agreement(votes.drop(columns="year"), period="year")
    pd.testing.assert_frame_equal(by_date, ex.voting_agreement(votes, period="year"))
    # sessions and decades of sessions count from the year a session opened
    s = ex.voting_agreement(votes, period="session")
    assert set(s["year"]) == set(s["session"] + 1945) and s["period"].equals(s["year"])
    with pytest.raises(ValueError, match="Did you mean 'identical'"):
        ex.voting_agreement(votes, measure="identicl")
    with pytest.raises(ValueError, match=r"no column\(s\) \['session'\]"):
        ex.voting_agreement(votes.drop(columns="session"), period="decade")


def test_voting_agreement_does_not_mutate(votes):
    before = votes.copy()
    ex.voting_agreement(votes, issue="di", measure="s_score")
    pd.testing.assert_frame_equal(votes, before)


# --------------------------------------------------------------------------- ideal points

IDEAL_CSV = ('"","ccode","session","NVotesAll","IdealPointAll","QO%All","Q5%All","Q10%All",'
             '"Q50%All","Q90%All","Q95%All","Q100%All","iso3c","Countryname"\n') + '''\
"1",2,70,80,2.5,1,2,2,2.5,3,3,4,"USA","United States"
"2",365,70,80,-1.0,1,-2,-2,-1,0,0,1,"RUS","Russia"
"3",710,70,80,-0.5,1,-1,-1,-0.5,0,0,1,"CHN","China"
"4",680,20,50,-1.5,1,-2,-2,-1.5,0,0,1,"YAR","Yemen People's Republic"
"5",713,20,50,1.5,1,1,1,1.5,2,2,2,"TWN","Taiwan"
"6",999,70,10,0.1,1,0,0,0.1,0,0,1,"XXX","Atlantis"
'''


@pytest.fixture
def ideal(tmp_path):
    f = tmp_path / "IdealpointestimatesAll_Jul2023.csv"
    f.write_text(IDEAL_CSV)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCodesWarning)
        return ex.load_idealpoints(tmp_path)


def test_load_idealpoints_codes_from_cow(ideal):
    codes = dict(zip(ideal["ccode"], ideal["actor"].astype(object)))
    assert codes[680] == "YMD"  # the file says YAR
    assert codes[713] == "TWN"  # session 20 = 1965: the ROC (split convention)
    assert pd.isna(codes[999])
    assert ideal.loc[ideal.ccode == 2, "year"].iloc[0] == 2015
    assert any(r["to"] == "YMD" for r in ideal.attrs["recoded"])


IDEAL_1971 = ('"","ccode","session","NVotesAll","IdealPointAll","iso3c","Countryname"\n'
              '"1",713,25,60,0.7,"TWN","Taiwan"\n"2",713,26,8,0.9,"TWN","Taiwan"\n'
              '"3",710,26,48,-1.0,"CHN","China"\n"4",710,27,77,-0.7,"CHN","China"\n')


def test_load_idealpoints_china_seat_dated_31_december(tmp_path):
    """1971 (session 26) has a row for each China: the ROC's stays TWN in every convention."""
    (tmp_path / "IdealpointestimatesAll_Jul2023.csv").write_text(IDEAL_1971)
    split = ex.load_idealpoints(tmp_path, unknown="ignore")
    got = dict(zip(zip(split["ccode"], split["year"]), split["actor"]))
    assert got == {(713, 1970): "TWN", (713, 1971): "TWN", (710, 1971): "CHN",
                   (710, 1972): "CHN"}
    old = ex.load_idealpoints(tmp_path, seat_convention="ungdc", unknown="ignore")
    got = dict(zip(zip(old["ccode"], old["year"]), old["actor"]))
    assert got[(713, 1970)] == "CHN" and got[(713, 1971)] == "TWN"
    assert not old.dropna(subset=["idealpoint"]).duplicated(["actor", "year"]).any()
    d = ex.idealpoint_distance(split)
    assert set(zip(d.actor_a, d.actor_b, d.year)) == {("CHN", "TWN", 1971)}


def test_load_idealpoints_warns_unknown_ccode(tmp_path):
    (tmp_path / "IdealpointestimatesAll_Jul2023.csv").write_text(IDEAL_CSV)
    with pytest.warns(UnmatchedCodesWarning, match="ccode 999"):
        ex.load_idealpoints(tmp_path)
    with pytest.raises(ValueError, match="only the 'all' estimate"):
        ex.load_idealpoints(tmp_path, estimate="fp")


def test_idealpoint_distance(ideal):
    d = ex.idealpoint_distance(ideal)
    row = d[(d.actor_a == "RUS") & (d.actor_b == "USA")].iloc[0]
    assert row.distance == pytest.approx(3.5) and row.session == 70
    assert len(d[d.year == 2015]) == 3  # CHN, RUS, USA (Atlantis has no code)
    both = ex.idealpoint_distance(ideal, both_directions=True)
    assert len(both[both.year == 2015]) == 6


def test_load_idealpoints_dta(tmp_path):
    df = pd.DataFrame({"ccode": np.array([2, 365], dtype=np.int16), "iso3c": ["USA", "RUS"],
                       "countryname": ["United States", "Russia"],
                       "year": np.array([2024, 2024], dtype=np.float32),
                       "idealpointfp": [2.0, -1.0], "idealpointall": [np.nan, np.nan],
                       "nvotesfp": [90.0, 90.0]})
    f = tmp_path / "IdealpointsJuly2025.dta"
    df.to_stata(f, write_index=False)
    fp = ex.load_idealpoints(f, estimate="fp")
    assert fp["session"].tolist() == [79, 79] and fp["idealpoint"].tolist() == [2.0, -1.0]
    allv = ex.load_idealpoints(f)
    assert allv["idealpoint"].isna().all()
    assert any("missing" in u["reason"] for u in allv.attrs["unmatched"])


# --------------------------------------------------------------------------- SIPRI


def test_load_sipri_parses(sipri):
    assert len(sipri) == 6
    r = sipri.iloc[1]
    assert (r.recipient_iso3, r.supplier_iso3) == ("CHN", "RUS")
    assert r.order_year == 2015 and r.order_year_uncertain and r.number_delivered_uncertain
    assert r.delivery_years == (2016, 2017, 2018) and r.tiv_delivered == 1200
    assert sipri.iloc[2].supplier_iso3 == "RUS"  # Soviet Union -> continuing seat
    assert pd.isna(sipri.iloc[4].tiv_delivered) and sipri.iloc[4].delivery_years == ()
    assert sipri.iloc[4].recipient_iso3 == "CIV"  # Latin-1 "Côte" read correctly
    assert sipri.attrs["sipri"]["header_row"] == 11


def test_load_sipri_keeps_soviet_union_when_asked(sipri_file):
    s = ex.load_sipri(sipri_file, successor_seats=False, unknown="ignore")
    assert s.iloc[2].supplier_iso3 == "SUN" and s.iloc[1].supplier_iso3 == "RUS"


def test_load_sipri_reports_non_state_and_unknown(sipri_file):
    with pytest.warns(UnmatchedCodesWarning, match=r"UNITA.*non-state"):
        s = ex.load_sipri(sipri_file)
    reasons = {u["value"]: u["reason"] for u in s.attrs["unmatched"]}
    assert "unknown party" in reasons["supplier 'unknown supplier(s)'"]
    assert pd.isna(s.iloc[3].recipient_iso3)  # kept, not dropped


def test_load_sipri_header_detection_is_robust(tmp_path):
    f = tmp_path / "short.csv"
    f.write_bytes(("one line of notes\n" + SIPRI_COLS + SIPRI_ROWS).encode("latin-1"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmatchedCodesWarning)
        s = ex.load_sipri(f)
    assert len(s) == 6 and s.attrs["sipri"]["header_row"] == 1


def test_load_sipri_different_header_fails_clearly(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes((SIPRI_HEAD + "Buyer,Seller,Year\nA,B,2000\n").encode("latin-1"))
    with pytest.raises(ValueError, match="no column row with 'Recipient' and 'Supplier'"):
        ex.load_sipri(f)
    g = tmp_path / "renamed.csv"
    g.write_bytes((SIPRI_HEAD + SIPRI_COLS.replace("SIPRI TIV per unit", "TIV/unit")
                   + SIPRI_ROWS).encode("latin-1"))
    with pytest.raises(ValueError, match=r"lacks \['SIPRI TIV per unit'\]"):
        ex.load_sipri(g)


def test_arms_transfers_delivery_year_spreads_tiv(sipri):
    t = ex.arms_transfers(sipri, supplier="RUS", recipient="China", start=2010)
    assert t["year"].tolist() == [2016, 2017, 2018]
    assert t["tiv_delivered"].sum() == pytest.approx(1200)
    assert t["tiv_delivered"].iloc[0] == pytest.approx(400)
    assert (t["deals"] == 1).all()


def test_arms_transfers_order_year_and_totals(sipri):
    t = ex.arms_transfers(sipri, supplier="China", recipient="RUS", by="order_year")
    assert t["year"].tolist() == [2015, 2022]
    assert t["tiv_order"].tolist() == pytest.approx([33.6, 1.2])
    tot = ex.arms_transfers(sipri, by="order_year", per_pair=False)
    assert tot["deals"].sum() == 6 and "supplier" not in tot.columns
    named = ex.arms_transfers(sipri, supplier="unknown supplier(s)", by="order_year")
    assert named["deals"].sum() == 1
    with pytest.raises(ValueError, match="neither an ISO3 code"):
        ex.arms_transfers(sipri, supplier="Narnia")
    with pytest.raises(ValueError, match="by must be"):
        ex.arms_transfers(sipri, by="month")


def test_delivery_series_fills_the_years_without_deliveries(sipri):
    t = ex.delivery_series(sipri, [("CHN", "RUS"), ("CHN", "UKR"), (None, "RUS")],
                           start=2017, end=2023)
    assert t["pair"].unique().tolist() == ["CHN → RUS", "CHN → UKR", "all → RUS"]
    chn_rus = t[t["pair"] == "CHN → RUS"].set_index("year")
    assert chn_rus.index.tolist() == list(range(2017, 2024))
    # engines 33.6 over 2018, 2019, 2021; APCs 1.2 in 2023
    assert chn_rus["tiv_delivered"].tolist() == pytest.approx([0, 11.2, 11.2, 0, 11.2, 0, 1.2])
    assert chn_rus["deals"].tolist() == [0, 1, 1, 0, 1, 0, 1]
    assert (t.loc[t["pair"] == "CHN → UKR", "tiv_delivered"] == 0).all()
    assert t.loc[t["pair"] == "all → RUS", "supplier"].iloc[0] == "all"
    with pytest.raises(ValueError, match="after end"):
        ex.delivery_series(sipri, [("CHN", "RUS")], start=2020, end=2010)


# --------------------------------------------------------------------------- integration


@pytest.mark.integration
def test_real_unvotes_and_agreement(external_home):
    v = ex.load_unvotes(unknown="ignore")
    assert len(v) == 870109
    assert v["actor"].isna().sum() == sum(u["count"] for u in v.attrs["unmatched"]
                                          if "(" in u["value"])
    a = ex.voting_agreement(v, actors=["CHN", "RUS", "USA"])
    assert a["agreement"].between(0, 1).all()
    assert {"CHN", "RUS", "USA"} == set(a.actor_a) | set(a.actor_b)
    # split seats (default): the ROC votes as TWN to 7 Oct 1971, the PRC as CHN from 3 Nov
    roc, prc = v[v["actor"] == "TWN"], v[v["actor"] == "CHN"]
    assert roc["date"].max() < ex.CHINA_SEAT_CHANGE <= prc["date"].min()
    assert len(roc) == 1233 and int(prc["session"].min()) == 26
    assert not v.attrs["recoded"] or {r["to"] for r in v.attrs["recoded"]} == {"SRB"}
    k = ex.voting_agreement(v[v["session"] == 26], measure="kappa",
                            actors=["CHN", "TWN", "USA", "GBR"])
    k = k.set_index(["actor_a", "actor_b"])["agreement"]
    assert k.drop(("TWN", "USA")).between(-1, 1).all()
    assert np.isnan(k[("TWN", "USA")])  # 9 common roll calls, all yes-yes: kappa undefined
    assert ("CHN", "TWN") not in k.index  # never voted together


@pytest.mark.integration
def test_real_idealpoints(external_home):
    for name in ex._IDEAL_FILES:
        ip = ex.load_idealpoints(external_home / "idealpoints" / name,
                                 unknown="ignore")
        assert ip["actor"].notna().mean() > 0.99
        est = ip[ip["idealpoint"].notna()]
        assert not est.duplicated(["actor", "year"]).any()
        china = est[est["ccode"].isin([710, 713])].set_index(["ccode", "year"])["actor"]
        assert china[(713, 1971)] == "TWN" and china[(710, 1971)] == "CHN"
        assert set(china.xs(713, level="ccode")) == {"TWN"}


@pytest.mark.integration
def test_real_sipri(external_home):
    s = ex.load_sipri(unknown="ignore")
    assert len(s) == 29916
    t = ex.arms_transfers(s, supplier="RUS", recipient="CHN", by="order_year")
    assert t["deals"].sum() > 0

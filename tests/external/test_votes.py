"""Tests for toolkit.external.votes: UN votes and voting agreement (fixtures written here)."""

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

"""Tests for toolkit.external.idealpoints: ideal points and their distances (fixtures here)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit import external as ex
from toolkit.actors import UnmatchedCodesWarning
from toolkit.external.idealpoints import _IDEAL_FILES

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


# --------------------------------------------------------------------------- integration


@pytest.mark.integration
def test_real_idealpoints(external_home):
    for name in _IDEAL_FILES:
        ip = ex.load_idealpoints(external_home / "idealpoints" / name,
                                 unknown="ignore")
        assert ip["actor"].notna().mean() > 0.99
        est = ip[ip["idealpoint"].notna()]
        assert not est.duplicated(["actor", "year"]).any()
        china = est[est["ccode"].isin([710, 713])].set_index(["ccode", "year"])["actor"]
        assert china[(713, 1971)] == "TWN" and china[(710, 1971)] == "CHN"
        assert set(china.xs(713, level="ccode")) == {"TWN"}

"""Tests for toolkit.external.sipri: the SIPRI trade register and transfers (fixtures here)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from toolkit import external as ex
from toolkit.actors import UnmatchedCodesWarning

# --------------------------------------------------------------------------- fixtures

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


def test_explicit_missing_path(tmp_path):
    with pytest.raises(ex.ExternalDataMissingError, match="does not exist"):
        ex.load_sipri(tmp_path / "nope.csv")


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
def test_real_sipri(external_home):
    s = ex.load_sipri(unknown="ignore")
    assert len(s) == 29916
    t = ex.arms_transfers(s, supplier="RUS", recipient="CHN", by="order_year")
    assert t["deals"].sum() > 0

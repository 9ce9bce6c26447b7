"""Tests of toolkit.keywords.audit: samples for people to label, precision, recall, kappa."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import keywords
from toolkit.keywords import audit

from .conftest import SMALL, make_corpus


@pytest.fixture
def decades() -> pd.DataFrame:
    rows = []
    for year in (1975, 1985, 1995):
        for i in range(6):
            rows.append({"doc_id": f"D{year}_{i}", "actor": "AAA", "year": year,
                         "text": f"Arms sales grew. The arms race went on. Speech {i}."})
    return make_corpus(rows)


def test_audit_sample_is_stratified_reproducible_and_complete(decades, tmp_path):
    a = keywords.audit_sample(decades, SMALL, n_per_stratum=2, random_state=7, n_double=3)
    assert list(a.columns[:9]) == list(audit.AUDIT_COLUMNS)
    # 2 categories x 3 decades, 2 lines each; stratum_n is the population of the stratum
    assert len(a) == 12
    assert (a.groupby(["category", "decade"]).size() == 2).all()
    assert (pd.to_numeric(a["stratum_n"]) == 6).all()
    assert a["double"].sum() == 3 and (a["label"] == "").all()
    again = keywords.audit_sample(decades, SMALL, n_per_stratum=2, random_state=7, n_double=3)
    pd.testing.assert_frame_equal(a, again)
    path = tmp_path / "sheet.csv"
    keywords.audit_sample(decades, SMALL, n_per_stratum=2, random_state=7, path=path)
    with pytest.raises(FileExistsError, match="never overwritten"):
        keywords.audit_sample(decades, SMALL, n_per_stratum=2, random_state=7, path=path)


def test_adding_a_stratum_leaves_the_others_draws_alone(decades):
    a = keywords.audit_sample(decades, SMALL, n_per_stratum=2, random_state=1)
    b = keywords.audit_sample(decades[decades["year"] < 1990], SMALL, n_per_stratum=2,
                              random_state=1)
    key = ["doc_id", "start", "category"]
    old = a[a["year"] < 1990][key].sort_values(key).reset_index(drop=True)
    assert old.equals(b[key].sort_values(key).reset_index(drop=True))


def test_any_corpus_column_can_be_a_stratum(decades):
    corpus = decades.assign(venue=np.where(decades["doc_id"].str[-1].astype(int) % 2,
                                           "UNGA", "press"))
    a = keywords.audit_sample(corpus, SMALL, n_per_stratum=1, random_state=3,
                              strata=("category", "venue"))
    assert (a.groupby(["category", "venue"]).size() == 1).all() and len(a) == 4
    assert (pd.to_numeric(a["stratum_n"]) == 9).all()  # 18 speeches, half per venue
    with pytest.raises(ValueError, match="venu"):
        keywords.audit_sample(corpus, SMALL, n_per_stratum=1, random_state=3,
                              strata=("category", "venu"))


def _sheet(rows):
    return pd.DataFrame(rows, columns=["category", "stratum", "stratum_n", "label"])


def test_audit_report_by_hand():
    # stratum a: 90 lines, 3 labelled, 2 relevant; stratum b: 10 lines, 2 labelled, both
    sheet = _sheet([("c", "a", 90, "1"), ("c", "a", 90, "1"), ("c", "a", 90, "0"),
                    ("c", "b", 10, "1"), ("c", "b", 10, "1"), ("c", "b", 10, "?"),
                    ("c", "b", 10, "")])
    r = keywords.audit_report(sheet).iloc[0]
    assert (r.n_lines, r.n_relevant, r.n_unsure, r.n_unlabelled) == (5, 4, 1, 1)
    assert r.precision == pytest.approx(0.8)
    assert r.precision_weighted == pytest.approx(0.9 * 2 / 3 + 0.1 * 1.0)
    # stratified variance: w_a^2 * s2_a / n_a * (1 - n_a/N_a); s2_a = 1/3
    var = 0.81 * (1 / 3) / 3 * (1 - 3 / 90)
    p = 0.9 * 2 / 3 + 0.1
    assert r.n_eff == pytest.approx(min(5, p * (1 - p) / var))
    assert r.weighted_ci_low < r.precision_weighted < r.weighted_ci_high
    lo, hi = keywords.audit_report(_sheet([("c", "a", 5, "1")] * 4)).iloc[0][
        ["weighted_ci_low", "weighted_ci_high"]]
    assert hi == 1.0 and lo < 1.0  # all relevant: Wilson at n, not a zero-width interval


def test_audit_report_refuses_unknown_labels():
    with pytest.raises(ValueError, match=r"labels other than 1, 0, \? or empty in rows \[1\]"):
        keywords.audit_report(_sheet([("c", "a", 2, "1"), ("c", "a", 2, "yes")]))


def test_recall_report_by_hand():
    sheet = pd.DataFrame({"label": ["1"] * 5 + ["0"] * 45})
    r = keywords.recall_report(sheet, n_matched=100, n_unmatched=1000, precision=0.9)
    # found 90, missed 1000 * 0.1 = 100 -> recall 90 / 190
    assert r["p_miss"] == pytest.approx(0.1)
    assert r["recall"] == pytest.approx(90 / 190)
    assert r["recall_ci_low"] < r["recall"] < r["recall_ci_high"]


def test_agreement_is_cohens_kappa():
    sheet = pd.DataFrame({"label": ["1", "1", "0", "0", "1", "?"],
                          "label_b": ["1", "0", "0", "0", "1", "1"]})
    got = keywords.agreement(sheet)
    # 5 rows both labelled; observed .8; expected (3/5*2/5 + 2/5*3/5) = .48
    assert got["n"] == 5 and got["agreement"] == pytest.approx(0.8)
    assert got["kappa"] == pytest.approx((0.8 - 0.48) / (1 - 0.48))


def test_recall_sample_draws_unmatched_weapon_sentences(decades):
    corpus = make_corpus([
        {"doc_id": "x1", "actor": "A", "year": 2000,
         "text": "Weapons flowed to the rebels. Arms sales grew. Peace is good."},
        {"doc_id": "x2", "actor": "B", "year": 2001,
         "text": "Missiles were smuggled across the border. Nothing else."},
    ])
    r = keywords.recall_sample(corpus, SMALL, n=10, categories=["transfers"], random_state=0)
    assert sorted(r["text"]) == ["Missiles were smuggled across the border.",
                                 "Weapons flowed to the rebels."]
    info = r.attrs["recall"]
    assert (info["n_candidates"], info["n_matched"], info["n_unmatched"]) == (3, 1, 2)
    assert np.all(r["label"] == "")


def _audited(version: str = "1") -> dict:
    return {
        "name": "tiny", "version": "1",
        "categories": {"transfers": {"label": "Transfers", "terms": ["arms sale"]},
                       "aid": {"label": "Aid", "terms": ["military aid"]},
                       "other": ["peace"]},
        "audit": {"version": version,
                  "precision": {"aid": {"precision": 0.9, "ci_low": 0.7, "ci_high": 0.97,
                                        "n": 20, "sheet": "a.csv"},
                                "transfers": {"precision": 1.0, "ci_low": 0.8, "ci_high": 1.0,
                                              "n": 15, "weighted": 0.99, "weighted_ci_low": 0.8,
                                              "weighted_ci_high": 1.0, "sheet": "a.csv"}},
                  "recall": {"categories": ["transfers", "aid"], "recall": 0.5, "ci_low": 0.4,
                             "ci_high": 0.6, "n": 50, "sheet": "r.csv"},
                  "agreement": {"kappa": {"audit": 0.8, "stance": 0.75}, "n_double": 30}},
    }


def test_audit_table_reads_the_audit_block_in_dictionary_order():
    t = keywords.audit_table(_audited())
    assert list(t.columns) == list(audit.AUDIT_TABLE_COLUMNS)
    prec = t[t["measure"] == "precision"]
    assert prec["category"].tolist() == ["transfers", "aid"]  # dictionary order, not YAML's
    assert prec["label"].tolist() == ["Transfers", "Aid"]
    assert prec["estimate"].tolist() == [1.0, 0.9] and prec["n"].tolist() == [15, 20]
    assert np.isnan(prec["weighted"].iloc[1])  # not given: NaN, not an error
    rec = t[t["measure"] == "recall"].iloc[0]
    assert (rec["category"], rec["label"], rec["estimate"], rec["n"]) == (
        "transfers;aid", "Transfers / Aid", 0.5, 50)
    kappa = t[t["measure"] == "kappa"]
    assert kappa["estimate"].tolist() == [0.8, 0.75] and kappa["n"].tolist() == [30, 30]
    assert kappa["label"].tolist() == ["Dictionary audit lines", "Stance gold set"]
    assert t.attrs["audit"]["audited"] is True and t.attrs["audit"]["note"] == ""


@pytest.mark.parametrize("spec, note", [
    ({"name": "bare", "version": "2", "categories": {"a": ["arms sale"]}}, "carries no audit"),
    (_audited(version="0.9"), "is of version 0.9, not of the version used (1)"),
])
def test_audit_table_of_an_unaudited_dictionary_is_empty_and_labelled(spec, note):
    t = keywords.audit_table(spec)
    assert t.empty and list(t.columns) == list(audit.AUDIT_TABLE_COLUMNS)
    assert t["estimate"].dtype == float
    assert t.attrs["audit"]["audited"] is False and note in t.attrs["audit"]["note"]


def test_audit_table_of_the_arms_dictionary_matches_its_caption():
    arms = keywords.load_dictionary("arms")
    t = keywords.audit_table(arms).set_index("category")
    row = t.loc["arms_transfers"]
    assert f"{row['estimate']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]" in (
        arms.audit_caption("arms_transfers"))


def test_agreement_reads_float_labels_of_a_sheet_with_blank_cells_as_integers():
    # pandas reads a 0/1 column with blank cells as floats: 1.0 must agree with "1"
    sheet = pd.DataFrame({"label": ["1", "0", "1", "?"], "label_b": [1.0, 0.0, np.nan, 1.0]})
    got = keywords.agreement(sheet)
    assert got["n"] == 2 and got["agreement"] == 1.0 and got["kappa"] == 1.0

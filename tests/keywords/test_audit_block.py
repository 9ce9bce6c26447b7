"""The audit block of arms.yaml is what the committed, labelled sheets give (no typed numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from toolkit import keywords

ANN = Path(__file__).resolve().parents[2] / "corpora" / "annotations"


@pytest.fixture(scope="module")
def arms():
    return keywords.load_dictionary("arms")


def test_the_audit_is_of_this_version(arms):
    assert arms.audit["version"] == arms.version


def test_precision_recomputes_from_the_sheets(arms):
    for cat, rec in arms.audit["precision"].items():
        row = keywords.audit_report(ANN / rec["sheet"], ci_level=arms.audit["ci_level"]).set_index(
            "category").loc[cat]
        assert rec["n"] == row.n_lines
        for key, col in (("precision", "precision"), ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                         ("weighted", "precision_weighted")):
            assert rec[key] == pytest.approx(row[col], abs=5e-4), (cat, key)


def test_the_audited_sheets_were_drawn_from_the_dictionary(arms):
    for rec in arms.audit["precision"].values():
        meta = json.loads((ANN / rec["sheet"].replace(".csv", ".json")).read_text())
        assert meta["dictionary"]["name"] == "arms"
    v4 = json.loads((ANN / "arms_audit_v4.json").read_text())
    sub = arms.subset(["arms_transfers", "military_aid"])
    assert v4["dictionary"]["version"] == arms.version
    assert v4["dictionary"]["hash"] == arms.content_hash
    assert sub.version == arms.version


def test_recall_and_agreement_recompute(arms):
    r = arms.audit["recall"]
    info = json.loads((ANN / r["sheet"].replace(".csv", ".json")).read_text())
    p = arms.audit["precision"]
    pooled = sum(p[c]["precision"] * p[c]["n"] for c in r["categories"]) / sum(
        p[c]["n"] for c in r["categories"])
    got = keywords.recall_report(ANN / r["sheet"], n_matched=info["n_matched"],
                                 n_unmatched=info["n_unmatched"], precision=pooled)
    assert r["recall"] == pytest.approx(got["recall"], abs=2e-3)
    assert r["n"] == got["n_labelled"]
    for name, sheet, a, b in (("audit", "arms_audit_v1.csv", "label", "label_b"),
                              ("recall", "arms_recall_v1.csv", "label", "label_b"),
                              ("stance", "arms_stance_v1.csv", "stance", "stance_b"),
                              ("stance_v2", "arms_stance_v2.csv", "stance", "stance_b")):
        table = pd.read_csv(ANN / sheet, dtype=str, keep_default_na=False)
        if name == "stance_v2":  # batch 2's double-read rows (batch 1's are the v1 sheet's)
            table = table[table["batch"] == "2"]
        k = keywords.agreement(table, first=a, second=b)
        assert k["n"] >= arms.audit["agreement"]["n_double"] - 1
        assert arms.audit["agreement"]["kappa"][name] == pytest.approx(k["kappa"], abs=5e-4)


def test_every_sheet_is_fully_labelled():
    for sheet, col in (("arms_audit_v1.csv", "label"), ("arms_audit_v2.csv", "label"),
                       ("arms_audit_v3.csv", "label"), ("arms_audit_v4.csv", "label"),
                       ("arms_stance_v2.csv", "stance"), ("arms_recall_v1.csv", "label"),
                       ("arms_recall_v2.csv", "label"), ("arms_stance_v1.csv", "stance")):
        t = pd.read_csv(ANN / sheet, dtype=str, keep_default_na=False)
        assert (t[col] != "").all(), sheet


def test_caption_names_version_and_precision(arms):
    cap = arms.audit_caption("arms_transfers")
    assert f"v{arms.version}" in cap and "0.90 [0.77, 0.96], n = 40" in cap
    custom = keywords.load_dictionary({"x": ["y"]})
    assert custom.audit_caption() == "Dictionary custom v0; not audited."

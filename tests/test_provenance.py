"""Tests for toolkit.provenance: what a report records about its corpus and its run."""

from __future__ import annotations

import json
import re

import pandas as pd

from toolkit import __version__, provenance


def _corpus(tiny_corpus, **info):
    df = tiny_corpus.copy()
    df.attrs["corpus"] = {
        "name": "fixture", "release": "r1", "sha256": "ab" * 32, "n_docs": 9,
        "skipped": [{"file": "junk.txt", "reason": "not a speech"}], **info,
    }
    return df


def test_collect_has_every_field_and_is_json(tiny_corpus):
    prov = provenance.collect(corpus=_corpus(tiny_corpus), params={"seed": 7, "corpus": "auto"})
    for key in ("toolkit_version", "git", "python", "platform", "packages", "data_home",
                "collected_at", "params", "seed", "corpus"):
        assert key in prov
    assert prov["toolkit_version"] == __version__
    assert prov["seed"] == 7
    assert prov["packages"]["pandas"] == pd.__version__
    json.dumps(prov)  # JSON-able as written next to the report


def test_corpus_provenance_reads_attrs_and_the_table(tiny_corpus):
    c = provenance.corpus_provenance(_corpus(tiny_corpus))
    assert c["name"] == "fixture"
    assert c["release"] == "r1"
    assert c["sha256"] == "ab" * 32
    assert c["n_docs_source"] == 9
    assert c["n_docs"] == len(tiny_corpus)
    assert (c["year_min"], c["year_max"]) == (2022, 2023)
    assert c["n_actors"] == 3
    assert c["n_skipped"] == 1
    assert c["fallback"] is False


def test_corpus_provenance_without_attrs_uses_source_column(tiny_corpus):
    df = tiny_corpus.copy()
    df.attrs = {}
    c = provenance.corpus_provenance(df)
    assert c["name"] == "fixture"
    assert c["sha256"] is None


def test_git_commit_outside_a_checkout_is_none(tmp_path):
    assert provenance.git_commit(tmp_path) == {"commit": None, "dirty": None}


def test_git_commit_of_the_project_is_a_sha_or_none():
    commit = provenance.git_commit()["commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}", commit)


def test_package_versions_marks_missing_packages():
    v = provenance.package_versions(["pandas", "surely-not-installed-fptk-xyz"])
    assert v == {"pandas": pd.__version__, "surely-not-installed-fptk-xyz": None}


def test_header_writes_provenance_json(tiny_corpus, tmp_path):
    banner = provenance.header(_corpus(tiny_corpus), params={"seed": 3}, output_dir=tmp_path)
    saved = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    assert saved["corpus"]["name"] == "fixture"
    assert saved["params"] == {"seed": 3}
    assert "fixture" in banner.text()
    assert "Fallback" not in banner._repr_html_()


def test_header_without_output_dir_writes_nothing(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    provenance.header(_corpus(tiny_corpus))
    assert list(tmp_path.iterdir()) == []


def test_fallback_is_announced_prominently(tiny_corpus):
    df = _corpus(tiny_corpus, name="sotu", requested="auto", fallback=True,
                 fallback_reason="UNGDC was not found in the data home (/nowhere).")
    banner = provenance.header(df)
    page = banner._repr_html_()
    assert "Fallback corpus" in page
    assert "UNGDC was not found" in page
    assert page.index("Fallback corpus") < page.index("Corpus:</strong>")
    assert banner.text().startswith("NOTE: this report uses the embedded fallback corpus 'sotu'")


def test_banner_escapes_corpus_strings(tiny_corpus):
    df = _corpus(tiny_corpus, name="<script>alert(1)</script>", release="<b>r</b>")
    page = provenance.header(df)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;r&lt;/b&gt;" in page

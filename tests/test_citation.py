"""CITATION.cff: valid CFF 1.2.0 (the keys and value forms the schema requires), same version as
pyproject.toml, and a reference for every corpus and external data set the reports read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from toolkit import corpora
from toolkit.report import paper

ROOT = Path(__file__).resolve().parents[1]
CFF = ROOT / "CITATION.cff"
#: Reference types of the CFF 1.2.0 schema that this file uses.
REF_TYPES = {"article", "book", "data", "database", "dataset", "report", "software",
             "software-code", "website", "generic"}
DOI = re.compile(r"^10\.\d{4,9}(\.\d+)?/[A-Za-z0-9:/_;\-\.\(\)\[\]\\]+$")


def _cff() -> dict:
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def _check_authors(authors, where: str) -> None:
    assert isinstance(authors, list) and authors, f"{where}: authors must be a non-empty list"
    for a in authors:
        assert isinstance(a, dict), where
        # a person has family-names (and given-names), an entity has a name
        assert a.get("family-names") or a.get("name"), f"{where}: author {a} has no name"


def test_citation_cff_parses_and_has_the_required_keys():
    cff = _cff()
    for key in ("cff-version", "message", "title", "authors", "type", "version", "license"):
        assert key in cff, f"CITATION.cff lacks {key!r}"
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["authors"] == [{"name": "fptk developers"}]
    _check_authors(cff["authors"], "CITATION.cff")


def test_citation_cff_version_and_license_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    cff = _cff()
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]


def test_every_reference_is_a_valid_cff_reference():
    refs = _cff()["references"]
    assert isinstance(refs, list) and refs
    for ref in refs:
        where = f"reference {ref.get('title')!r}"
        assert ref.get("type") in REF_TYPES, where
        assert isinstance(ref.get("title"), str) and ref["title"].strip(), where
        _check_authors(ref.get("authors"), where)
        if "doi" in ref:
            assert DOI.match(str(ref["doi"])), f"{where}: {ref['doi']!r} is not a bare DOI"


def test_the_references_cover_the_corpora_and_the_external_data():
    titles = " | ".join(r["title"] for r in _cff()["references"])
    for what in ("UN General Debate Corpus", "Ministry of Foreign Affairs Press Conferences",
                 "SIPRI Arms Transfers Database", "United Nations General Assembly Voting Data",
                 "American Presidency Project"):
        assert what in titles, what
    ungdc = next(r for r in _cff()["references"] if r["title"].startswith("UN General Debate"))
    assert ungdc["doi"] == "10.7910/DVN/0TJX8Y"
    assert [a["family-names"] for a in ungdc["authors"]] == ["Jankin", "Baturo", "Dasandi"]
    # every corpus card's DOI appears in CITATION.cff
    dois = {str(r.get("doi")) for r in _cff()["references"]}
    for name in corpora.corpus_names():
        doi = (corpora.corpus_card(name).get("source") or {}).get("doi")
        if doi:
            assert doi.removeprefix("doi:") in dois, name


def test_toolkit_citation_reads_the_file():
    cite = paper.toolkit_citation()
    assert cite["version"] == _cff()["version"]
    assert cite["text"] == ("fptk developers. fptk: Foreign-Policy Text Toolkit (version "
                            f"{cite['version']}) [Computer software].")

"""Tests for toolkit.report.index: the index page, rendered from a Jinja2 template."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from html.parser import HTMLParser

from toolkit import config, report
from toolkit.report.render import TEMPLATES

EVIL = '<script>alert("fptk")</script>'


class _Text(HTMLParser):
    """The visible text of a page, one string per text node (white space folded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "title")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


def _manifest(tmp_path, text: str, fallback: bool) -> dict:
    side = tmp_path / "00-a"
    side.mkdir(parents=True)
    (side / "findings.json").write_text(json.dumps(
        {"title": "A <b>", "findings": [{"key": "k", "text": text}],
         "tables": {"t": "tables/t.csv"}, "latex": {"t": "tables/t.tex"},
         "figures": [{"stem": "figure-01-docs", "slug": "docs", "caption": "Figure 1. Docs.",
                      **{f: f"figures/figure-01-docs.{f}" for f in ("png", "svg", "pdf")}}]}),
        encoding="utf-8")
    (side / "provenance.json").write_text(json.dumps({"corpus": {
        "name": "sotu", "sha256": "ff" * 32, "n_docs": 3, "fallback": fallback,
        "fallback_reason": "no UNGDC here"}}), encoding="utf-8")
    return {
        "runs": [{"notebook": "00-a", "html": "00-a.html", "status": "ok", "error": None,
                  "started": "2026-01-01T00:00:00+00:00", "seconds": 1.25, "n_figures": 2,
                  "params": {"corpus": EVIL}},
                 {"notebook": "01-b", "html": "01-b.html", "status": "failed",
                  "error": "ValueError: <boom>", "started": "t", "seconds": 0.5,
                  "n_figures": 0, "params": {}}],
        "config": {"source": "reports.yml"},
        "provenance": {"toolkit_version": "0.1.0", "git": {"commit": "abc", "dirty": True},
                       "packages": {"pandas": "2"}, "params": {"seed": 1}, "seed": 1},
        "total_seconds": 2.0,
    }


def test_index_lists_findings_links_runs_and_escapes(tmp_path):
    page = report.write_index(tmp_path, _manifest(tmp_path, f"Said {EVIL}.", True)).read_text()
    assert "<script>" not in page
    assert "Said &lt;script&gt;alert(&#34;fptk&#34;)&lt;/script&gt;." in page
    assert 'href="00-a.html"' in page and 'href="00-a/tables/t.csv"' in page
    assert "Fallback corpus" in page and "no UNGDC here" in page
    assert "1.2 s" in page or "1.3 s" in page
    assert "This notebook failed: ValueError: &lt;boom&gt;" in page
    assert "ff" * 32 in page and "(uncommitted changes)" in page


def test_index_links_figures_and_latex_and_shows_how_to_cite(tmp_path):
    page = report.write_index(tmp_path, _manifest(tmp_path, "x", False)).read_text()
    for fmt in ("png", "svg", "pdf"):
        assert f'href="00-a/figures/figure-01-docs.{fmt}"' in page
    assert 'title="Figure 1. Docs."' in page
    assert 'href="00-a/tables/t.csv"' in page and 'href="00-a/tables/t.tex"' in page
    assert '<h2 id="how-to-cite">How to cite</h2>' in page
    assert "fptk: Foreign-Policy Text Toolkit (version 0.1.0)" in page
    assert "Peters, G. &amp; Woolley, J. T. The American Presidency Project" in page


def test_how_to_cite_lists_each_corpus_and_source_once_from_the_cards(tmp_path):
    manifest = _manifest(tmp_path, "x", False)
    side = tmp_path / "01-b"
    side.mkdir()
    (side / "findings.json").write_text(json.dumps(
        {"title": "B", "findings": [], "tables": {}, "sources": ["cmfa_ukraine", "sotu"]}))
    (side / "provenance.json").write_text(json.dumps({"corpus": {"name": "ungdc",
                                                                 "sha256": "aa"}}))
    text = " ".join(visible_text(report.write_index(tmp_path, manifest).read_text()))
    cite = text.split("How to cite", 1)[1].split("Provenance", 1)[0]
    assert cite.count("U.S. State of the Union addresses") == 1
    assert "UN General Debate Corpus (UNGDC) (doi:10.7910/DVN/0TJX8Y)" in cite
    assert "Jankin, S., Baturo, A. & Dasandi, N. (2025). Words to unite nations" in cite
    assert "CMFA PressCon v4, Ukraine subset (doi:10.1007/s11366-021-09762-3)" in cite


def test_index_without_fallback_has_no_banner(tmp_path):
    page = report.write_index(tmp_path, _manifest(tmp_path, "x", False)).read_text()
    assert "Fallback corpus" not in page


def test_index_shows_every_field_as_text_in_order(tmp_path):
    text = visible_text(report.write_index(tmp_path, _manifest(tmp_path, "Said x.", True))
                        .read_text(encoding="utf-8"))
    expected = [
        "fptk: arms-export statements and alignment — reports",
        "Fallback corpus.", "These reports were run on the embedded", "sotu",
        "corpus, not on UNGDC. no UNGDC here",
        "Corpus", "name", "release", "sha256", "documents", "years", "actors", "skipped files",
        "requested", "sotu", "None", "ff" * 32, "3", "None–None", "None", "None", "None",
        "Main findings", "A <b>", "Said x.", "Tables:", "t", "(", "LaTeX", ")",
        "Figures:", "figure-01-docs", "(", "SVG", ",", "PDF", ")",
        "01-b", "This notebook failed: ValueError: <boom>",
        "Runs", "notebook", "status", "started (UTC)", "run time", "figures", "parameters",
        "00-a", "ok", "2026-01-01T00:00:00+00:00", "1.2 s", "2", f"corpus = {EVIL}",
        "01-b", "failed", "t", "0.5 s", "0", "Total build time: 2.0 s.",
        "How to cite",
        "The toolkit: fptk developers. fptk: Foreign-Policy Text Toolkit (version 0.1.0) "
        "[Computer software].",
        "The corpora and data these reports used:",
        "U.S. State of the Union addresses (embedded default)",
        "(https://www.presidency.ucsb.edu/)",
        "Peters, G. & Woolley, J. T. The American Presidency Project, University of California, "
        "Santa Barbara. https://www.presidency.ucsb.edu/",
        "Provenance", "fptk version", "0.1.0", "git commit", "abc (uncommitted changes)",
        "python", "None", "platform", "None", "seed", "1", "parameters file", "reports.yml",
        "global parameters", '{"seed": 1}', "overrides", "{}", "data home", "None",
        "built at (UTC)", "None", "Package versions", "pandas", "2",
    ]
    assert text == expected


def test_index_template_escapes_every_value(tmp_path):
    """Autoescape is on: no value, wherever it is shown, adds markup to the page."""
    manifest = _manifest(tmp_path, EVIL, True)
    manifest["runs"][0].update(notebook="00-a", html='00-a.html"><script>x</script>',
                               params={EVIL: [EVIL]}, started=EVIL, reused=True)
    manifest["runs"][1].update(error=EVIL, status=EVIL)
    manifest["provenance"].update(toolkit_version=EVIL, packages={EVIL: EVIL},
                                  git={"commit": EVIL})
    manifest["config"]["source"] = EVIL
    manifest["overrides"] = {"years": EVIL}
    side = tmp_path / "00-a"
    (side / "findings.json").write_text(json.dumps(
        {"title": EVIL, "findings": [{"key": "k", "text": EVIL}], "tables": {EVIL: EVIL},
         "latex": {EVIL: EVIL}, "sources": [EVIL],
         "figures": [{"stem": EVIL, "caption": EVIL, "png": EVIL, "svg": EVIL, "pdf": EVIL}]}))
    (side / "provenance.json").write_text(json.dumps({"corpus": {
        k: EVIL for k in ("name", "release", "sha256", "n_docs", "n_docs_source", "year_min",
                          "year_max", "n_actors", "n_skipped", "requested",
                          "fallback_reason")} | {"fallback": True}}))
    page = report.write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert "<script" not in page
    text = visible_text(page)
    assert text.count(EVIL) >= 12  # shown as text, neither dropped nor escaped twice
    assert "&amp;lt;" not in page


def test_the_templates_are_shipped_with_the_package():
    """pyproject's package-data covers the templates, so an installed fptk renders pages."""
    root = config.project_root()
    if root is None:  # an installed package: the templates must simply be there
        assert (TEMPLATES / "fptk_index.html.j2").is_file()
        return
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]["package-data"]["toolkit"]
    names = sorted(p.relative_to(root / "toolkit").as_posix() for p in TEMPLATES.iterdir())
    assert {"report/templates/fptk_index.html.j2", "report/templates/fptk_report.html.j2"} <= set(
        names)
    for name in names:
        assert any(fnmatch.fnmatch(name, g) for g in globs), f"{name} is not package data"


"""toolkit.report.paper: figure files, LaTeX tables rounded as the HTML, citations."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit.report import paper


def _figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [2, 1, 3], label="series")
    ax.set(title="A title", xlabel="year", ylabel="documents")
    return fig


def _html_cells(df: pd.DataFrame) -> list[list[str]]:
    """The cells of a frame as the HTML report shows them (pandas' _repr_html_)."""
    rows = re.findall(r"<tr>(.*?)</tr>", df._repr_html_(), re.S)
    return [[html.unescape(c.strip()) for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
            for r in rows if "<td>" in r]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("text, slug", [
    ("Figure 1. Documents (bars) and distinct actors (line) per year, 1946–2024.",
     "documents-bars-and-distinct-actors-line"),
    ("Figure 12: Côte d'Ivoire's share", "cote-d-ivoire-s-share"),
    ("dyad series", "dyad-series"),
    ("Figure 4. Classical MDS map of all {n_actors:,} actors in {year}",
     "classical-mds-map-of-all-actors"),
    ("***", "figure"),
    ("Supercalifragilisticexpialidocious" * 3, ("supercalifragilisticexpialidocious" * 3)[:40]),
])
def test_slugify(text, slug):
    assert paper.slugify(text) == slug
    assert len(paper.slugify(text)) <= 40


def test_table_label():
    assert paper.table_label("01-keyword-trends", "trends_pooled") == (
        "tab:01-keyword-trends-trends-pooled")


# --------------------------------------------------------------------------- figures


def test_save_figure_writes_png_svg_pdf_identically_twice(tmp_path):
    fig = _figure()
    files = paper.save_figure(fig, tmp_path / "a", "figure-01-x")
    again = paper.save_figure(fig, tmp_path / "b", "figure-01-x")
    assert [p.name for p in files.values()] == [
        "figure-01-x.png", "figure-01-x.svg", "figure-01-x.pdf"]
    for fmt in paper.FIGURE_FORMATS:
        assert files[fmt].read_bytes() == again[fmt].read_bytes(), fmt
    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf and b"/Subtype /Type3" not in pdf
    svg = files["svg"].read_text(encoding="utf-8")
    # text drawn as paths: glyphs are <path> definitions, no <text> element
    assert "<svg" in svg and "<text" not in svg and 'id="DejaVuSans-' in svg


def test_save_figure_writes_the_given_png_bytes(tmp_path):
    files = paper.save_figure(_figure(), tmp_path, "f", png=b"\x89PNG fake")
    assert files["png"].read_bytes() == b"\x89PNG fake"


# --------------------------------------------------------------------------- tables


def test_table_cells_round_numbers_as_the_html_report():
    df = pd.DataFrame({
        "share": [0.5, 0.25, 0.125],
        "rate": [12.3456789, 0.0000001, 3.0],     # a tiny value: scientific, as in the HTML
        "n": [1, 20, 300],
        "large": [1e7, 2.5, 3.0],
        "flag": [True, False, True],
        "date": pd.to_datetime(["2020-01-01", "2020-02-01", "2021-03-04"]),
        "span": pd.to_timedelta([1, 2, 3], unit="D"),
    })
    assert paper.table_cells(df).to_numpy().tolist() == _html_cells(df)
    assert paper.table_cells(df)["share"].tolist() == ["0.500", "0.250", "0.125"]
    assert paper.table_cells(df)["rate"].tolist()[1] == "1.000000e-07"


def test_table_cells_follow_display_precision_and_keep_text_whole():
    df = pd.DataFrame({"x": [1.23456789, 2.0], "text": ["a" * 80, None],
                       "m": [np.nan, 1.5]})
    with pd.option_context("display.precision", 2):
        cells = paper.table_cells(df)
        assert cells["x"].tolist() == [c[0] for c in _html_cells(df[["x"]])] == ["1.23", "2.00"]
    assert cells["text"].tolist() == ["a" * 80, "--"]  # the HTML cuts at 50 characters
    assert cells["m"].tolist() == ["--", "1.5"]


def test_table_cells_put_a_named_index_first():
    df = pd.DataFrame({"v": [0.5, 1.0]}, index=pd.Index(["CHN", "USA"], name="actor"))
    assert paper.table_cells(df).to_dict("list") == {"actor": ["CHN", "USA"],
                                                     "v": ["0.5", "1.0"]}


def test_latex_escape():
    assert paper.latex_escape("a_b & 5% #1 $x$ {y} ~ ^ \\ <z>") == (
        r"a\_b \& 5\% \#1 \$x\$ \{y\} \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{} \textless{}z\textgreater{}")
    assert paper.latex_escape("two\nlines") == "two lines"


def test_latex_table_has_booktabs_rules_caption_label_and_rounded_numbers():
    df = pd.DataFrame({"actor": ["CHN", "US_A"], "share": [0.5, 0.25], "n": [3, 40]})
    tex = paper.latex_table(df, caption="Shares of 50% & more", label="tab:01-x-shares")
    lines = tex.splitlines()
    assert lines[:4] == [r"\begin{table}[htbp]", r"\centering",
                         r"\caption{Shares of 50\% \& more}", r"\label{tab:01-x-shares}"]
    assert lines[4:] == [
        r"\begin{tabular}{lrr}", r"\toprule", r"actor & share & n \\", r"\midrule",
        r"CHN & 0.50 & 3 \\", r"US\_A & 0.25 & 40 \\", r"\bottomrule", r"\end{tabular}",
        r"\end{table}"]


def test_a_long_table_is_a_longtable_with_the_header_repeated():
    df = pd.DataFrame({"year": range(2000, 2050), "rate": np.linspace(0, 1, 50)})
    tex = paper.latex_table(df, caption="Rates", label="tab:x", comment="from x.csv")
    assert tex.startswith("% from x.csv\n\\begin{longtable}{rr}\n\\caption{Rates}\\label{tab:x}")
    assert tex.count(r"\toprule") == 2 and tex.count(r"\bottomrule") == 1
    assert r"\endfirsthead" in tex and r"\endhead" in tex
    body = [ln for ln in tex.splitlines() if ln.startswith("20")]
    assert len(body) == 50
    assert body[1] == r"2001 & 0.020408 \\"  # 1/49 at display.precision 6, as in the HTML



# --------------------------------------------------------------------------- citations


def test_corpus_citation_comes_from_the_card():
    cite = paper.corpus_citation("ungdc")
    assert cite["source"] == "doi:10.7910/DVN/0TJX8Y"
    assert cite["citations"][0].startswith("Jankin, S., Baturo, A. & Dasandi, N. (2025).")
    assert all("\n" not in c for c in cite["citations"])


def test_a_corpus_without_a_card_says_so():
    cite = paper.corpus_citation("fixture_corpus")
    assert cite["citations"] == [] and "No corpus card" in cite["note"]


@pytest.mark.parametrize("name, source, first", [
    ("unvotes", "doi:10.7910/DVN/LEJUQZ", "Voeten, E., Strezhnev, A. & Bailey, M. (2009)."),
    ("idealpoints", "doi:10.7910/DVN/LEJUQZ", "Bailey, M. A., Strezhnev, A. & Voeten, E. (2017)."),
    ("sipri", "https://www.sipri.org/databases/armstransfers",
     "Stockholm International Peace Research Institute (SIPRI)."),
])
def test_external_data_sets_have_citation_cards(name, source, first):
    cite = paper.corpus_citation(name)
    assert cite["source"] == source and cite["citations"][0].startswith(first)


def test_toolkit_citation_without_citation_cff_names_the_installed_version(tmp_path):
    from toolkit import __version__

    cite = paper.toolkit_citation(tmp_path / "CITATION.cff")  # not there: an installed package
    assert cite["text"] == f"fptk developers. fptk (version {__version__}) [Computer software]."


def test_toolkit_citation_with_a_release_date_and_doi(tmp_path):
    cff = tmp_path / "CITATION.cff"
    cff.write_text("cff-version: 1.2.0\ntitle: fptk\nversion: 1.0.0\ndate-released: 2027-01-31\n"
                   "doi: 10.5281/zenodo.1\nauthors:\n  - family-names: Doe\n    given-names: Jo\n")
    assert paper.toolkit_citation(cff)["text"] == (
        "Jo Doe (2027). fptk (version 1.0.0) [Computer software]. https://doi.org/10.5281/zenodo.1")

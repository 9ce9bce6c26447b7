"""Tests for toolkit.report.build: configuration, notebooks, parameters; one tiny real build.

Executing real notebooks is tested in tests/test_notebooks.py; opening the HTML in a
browser in tests/test_report_browser.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from toolkit import config, report
from toolkit.exceptions import FptkDeprecationWarning
from toolkit.report.build import _check_overrides, _parameters_for

ROOT = config.project_root()
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


# --------------------------------------------------------------------------- configuration


def test_load_config_defaults_from_a_mapping():
    cfg = report.load_config({})
    assert cfg["corpus"] == "auto"
    assert cfg["years"] is None and cfg["actors"] is None
    assert cfg["render"]["exclude_input"] is True
    assert cfg["notebooks"] == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"corpsu": "ungdc"}, r"unknown key\(s\) \['corpsu'\]"),
        ({"years": [1990]}, r"years must be null or \[first_year, last_year\]"),
        ({"years": "1990-2000"}, r"years must be null"),
        ({"preferred_actors": "CHN"}, r"preferred_actors must be null or a list of codes"),
        ({"actors": "CHN"}, r"actors must be null or a list of codes"),
        ({"seed": "abc"}, r"seed must be an integer"),
        ({"render": {"colour": "red"}}, r"unknown render option\(s\) \['colour'\]"),
        ({"notebooks": {"00": 3}}, r"notebooks must map a notebook name"),
    ],
)
def test_load_config_rejects_bad_values(raw, message):
    with pytest.raises(ValueError, match=message):
        report.load_config(raw)


def test_load_config_period_is_a_deprecated_alias_of_years(tmp_path):
    with pytest.warns(FptkDeprecationWarning, match=r"<mapping>: 'period' is deprecated.*'years'"):
        cfg = report.load_config({"period": [1990, 2000]})
    assert cfg["years"] == [1990, 2000] and cfg["period"] is None
    path = tmp_path / "r.yml"
    path.write_text("period: [1990, null]\n", encoding="utf-8")
    with pytest.warns(FptkDeprecationWarning, match=r"r\.yml: 'period' is deprecated"):
        assert report.load_config(path)["years"] == [1990, None]
    with pytest.warns(FptkDeprecationWarning), pytest.raises(ValueError, match="years must be"):
        report.load_config({"period": [1990]})
    with pytest.raises(ValueError, match=r"both 'period' and 'years'"):
        report.load_config({"period": [1990, 2000], "years": [1990, 2000]})


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


@pytest.mark.skipif(ROOT is None, reason="not running from a checkout")
def test_reports_yml_and_the_parameters_cells_agree_on_the_research_preferences(recwarn):
    """An interactive run of a notebook makes the same choices as ``make report``."""
    cfg = report.load_config(ROOT / "reports.yml")
    assert not [w for w in recwarn if issubclass(w.category, FptkDeprecationWarning)]
    for path in report.find_notebooks():
        declared = report.notebook_parameters(path)
        wanted = {"preferred_actors": cfg["preferred_actors"]} | cfg["notebooks"].get(path.stem, {})
        for name, value in wanted.items():
            if name.startswith("preferred_") and name in declared:
                default = ast.literal_eval(declared[name]["default"])
                assert default == value, (path.stem, name)
        if "actors" in declared:
            assert "preferred_actors" in declared, path.stem


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
    params = _parameters_for(path, cfg, {"corpus": "sotu", "01-x.k": 4}, tmp_path / "o")
    assert params == {"corpus": "sotu", "seed": 11, "k": 4, "output_dir": str(tmp_path / "o")}


def test_undeclared_notebook_parameter_is_an_error(tmp_path):
    path = _write_nb(tmp_path / "01-x.ipynb", "k = 5")
    cfg = report.load_config({"notebooks": {"01-x": {"n_topics": 3}}})
    with pytest.raises(ValueError, match=r"parameter\(s\) \['n_topics'\] are not declared"):
        _parameters_for(path, cfg, {}, tmp_path)


def test_global_parameters_reach_the_notebooks_that_declare_them(tmp_path):
    path = _write_nb(tmp_path / "01-x.ipynb",
                     "years = None\nactors = None\npreferred_actors = None\nk = 5")
    cfg = report.load_config({"years": [2000, 2010], "preferred_actors": ["CHN", "USA"]})
    params = _parameters_for(path, cfg, {"actors": ["RUS"]}, tmp_path)
    assert params == {"years": [2000, 2010], "actors": ["RUS"],
                      "preferred_actors": ["CHN", "USA"]}


def test_load_config_period_as_a_name_or_number_is_the_grouping_period(recwarn):
    for value in ("M", "decade", 5):
        cfg = report.load_config({"period": value, "years": [2000, 2010]})
        assert cfg["period"] == value and cfg["years"] == [2000, 2010]
    assert not [w for w in recwarn if issubclass(w.category, FptkDeprecationWarning)]
    assert report.load_config({})["period"] is None
    for bad in (0, True, "", 2.5, {"M": 1}):
        with pytest.raises(ValueError, match=r"<mapping>: period must be null, a name"):
            report.load_config({"period": bad})


def test_the_grouping_period_reaches_the_notebooks_that_declare_it(tmp_path, recwarn):
    path = _write_nb(tmp_path / "01-x.ipynb", "years = None\nperiod = None\nk = 5")
    other = _write_nb(tmp_path / "02-y.ipynb", "years = None\nk = 5")
    cfg = report.load_config({"years": [2000, 2010], "period": "M"})
    assert _parameters_for(path, cfg, {}, tmp_path) == {"years": [2000, 2010], "period": "M"}
    assert _parameters_for(other, cfg, {}, tmp_path) == {"years": [2000, 2010]}
    assert _parameters_for(path, cfg, _check_overrides({"period": 5}), tmp_path)["period"] == 5
    # null leaves the notebook's own default; a per-notebook value wins
    assert "period" not in _parameters_for(path, report.load_config({}), {}, tmp_path)
    cfg = report.load_config({"period": "M", "notebooks": {"01-x": {"period": "Q"}}})
    assert _parameters_for(path, cfg, {}, tmp_path)["period"] == "Q"
    assert not [w for w in recwarn if issubclass(w.category, FptkDeprecationWarning)]
    # a year range under period is still the old name of years
    with pytest.warns(FptkDeprecationWarning, match=r"override: 'period' is deprecated"):
        overrides = _check_overrides({"period": [1990, 1999]})
    assert _parameters_for(path, report.load_config({}), overrides, tmp_path) == {
        "years": [1990, 1999]}


def test_override_period_is_a_deprecated_alias_of_years():
    with pytest.warns(FptkDeprecationWarning, match=r"override: 'period' is deprecated"):
        assert _check_overrides({"period": [2000, 2010], "01-x.k": 3}) == {
            "01-x.k": 3, "years": [2000, 2010]}
    with pytest.raises(ValueError, match=r"both 'period' and 'years'"):
        _check_overrides({"period": [2000, 2010], "years": [2000, 2010]})
    assert _check_overrides(None) == {}


def test_build_reports_rejects_unknown_override_and_notebooks_as_output(tmp_path):
    _write_nb(tmp_path / "00-a.ipynb", "x = 1")
    with pytest.raises(ValueError, match=r"Unknown override 'colour'"):
        report.build_reports(config={}, params={"colour": 1}, notebooks_dir=tmp_path,
                             output_dir=tmp_path / "r", build_dir=tmp_path / "b")
    with pytest.raises(ValueError, match=r"must not be the notebooks folder"):
        report.build_reports(config={}, notebooks_dir=tmp_path, output_dir=tmp_path / "r",
                             build_dir=tmp_path)


# --------------------------------------------------------------------------- a real kernel


def test_a_build_prints_one_line_per_notebook_and_names_the_cell_of_a_warning(tmp_path, capfd):
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    path = _write_nb(nb_dir / "00-a.ipynb", "seed = 0")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell("import warnings\nwarnings.warn('few documents in 1990')"))
    nbformat.write(nb, path)
    manifest = report.build_reports(config={}, notebooks_dir=nb_dir, output_dir=tmp_path / "r",
                                    build_dir=tmp_path / "b", reuse=False)
    assert manifest["runs"][0]["status"] == "ok"
    out, err = capfd.readouterr()
    assert err == "", err  # no kernel log: no "running over TCP", no "KeyboardInterrupt"
    assert [ln.split(" ")[1] for ln in out.splitlines()] == ["00-a", "00-a:", "1/1"]
    page = (tmp_path / "r" / "00-a.html").read_text(encoding="utf-8")
    assert "ipykernel_" not in page
    assert re.search(r"Cell In\[\d+\], line 2: UserWarning: few documents in 1990", page)


def test_build_reports_takes_a_dataframe_and_writes_it_once_as_parquet(tmp_path, tiny_corpus):
    nb_dir = tmp_path / "nb"
    nb_dir.mkdir()
    path = _write_nb(nb_dir / "00-a.ipynb", 'corpus = "auto"')
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell(
        "from toolkit.report import load_corpus\ndf = load_corpus(corpus)\n"
        "assert len(df) == 6 and set(df['actor']) == {'CHN', 'RUS', 'USA'}, df\n"
        "print(len(df), 'documents')"))
    nbformat.write(nb, path)
    kwargs = {"config": {}, "notebooks_dir": nb_dir, "output_dir": tmp_path / "r",
              "build_dir": tmp_path / "b", "echo": False}
    manifest = report.build_reports(corpus=tiny_corpus, **kwargs)
    run = manifest["runs"][0]
    assert run["status"] == "ok", run["error"]
    staged = Path(run["params"]["corpus"])
    assert staged.is_absolute() and staged.parent.parent == tmp_path / "b" / "corpus"
    assert manifest["overrides"] == {"corpus": str(staged)}
    mtime = staged.stat().st_mtime_ns
    again = report.build_reports(corpus=tiny_corpus.copy(), **kwargs)  # same table: same file
    assert again["runs"][0]["params"]["corpus"] == str(staged)
    assert staged.stat().st_mtime_ns == mtime
    assert list((tmp_path / "b" / "corpus").iterdir()) == [staged.parent]


def test_a_corpus_path_is_loaded_once_and_staged_and_names_are_kept(tmp_path, tiny_corpus,
                                                                    monkeypatch):
    from toolkit.report.build import _stage_corpus

    csv = tmp_path / "press.csv"
    tiny_corpus[["doc_id", "actor", "year", "text"]].to_csv(csv, index=False)
    monkeypatch.chdir(tmp_path)
    staged = Path(_stage_corpus("press.csv", build=tmp_path / "b", echo=False))
    assert staged.is_absolute() and staged.name == "press.parquet"
    assert len(report.load_corpus(str(staged))) == 6
    assert _stage_corpus(csv, build=tmp_path / "b", echo=False) == str(staged)
    assert _stage_corpus("auto", build=tmp_path / "b", echo=False) == "auto"
    assert _stage_corpus("sotu", build=tmp_path / "b", echo=False) == "sotu"
    with pytest.raises(FileNotFoundError, match=r"neither a known corpus"):
        _stage_corpus("nowhere.csv", build=tmp_path / "b", echo=False)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['text'\]"):
        _stage_corpus(tiny_corpus.drop(columns="text"), build=tmp_path / "b", echo=False)


def test_period_null_beside_years_is_no_grouping_and_no_warning():
    import warnings

    from toolkit import report

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfg = report.load_config({"years": [2000, 2010], "period": None})
    assert cfg["years"] == [2000, 2010] and cfg.get("period") is None


def test_run_scheduled_never_runs_two_heavy_items_at_once_and_keeps_the_order():
    import threading
    import time

    from toolkit.report.build import _run_scheduled

    lock = threading.Lock()
    started: list[str] = []
    state = {"heavy": 0, "max_heavy": 0, "all": 0, "max_all": 0}
    items = [("03", True, 0.3), ("04", True, 0.1), ("05", False, 0.1), ("06", False, 0.1)]

    def run(item):
        name, heavy, secs = item
        with lock:
            started.append(name)
            state["all"] += 1
            state["heavy"] += heavy
            state["max_all"] = max(state["max_all"], state["all"])
            state["max_heavy"] = max(state["max_heavy"], state["heavy"])
        time.sleep(secs)
        with lock:
            state["all"] -= 1
            state["heavy"] -= heavy
        return name.upper()

    out = _run_scheduled(items, run, n_jobs=2, heavy=[h for _, h, _ in items])
    assert out == ["03", "04", "05", "06"]  # in the order of the items
    assert state["max_heavy"] == 1 and state["max_all"] == 2
    assert started[:2] == ["03", "05"]  # 04 waits for 03; the light 05 takes the free slot
    assert started.index("04") > started.index("05")


def test_an_item_marked_alone_runs_with_nothing_beside_it():
    import threading
    import time

    from toolkit.report.build import _may_start, _run_scheduled

    assert _may_start("alone", []) and not _may_start("alone", [False])
    assert not _may_start(False, ["alone"]) and _may_start(False, [True])
    assert not _may_start(True, [True]) and _may_start(True, [False])
    lock = threading.Lock()
    spans: dict[str, tuple[float, float]] = {}
    items = [("00", False), ("02", True), ("03", "alone"), ("04", True), ("05", False)]

    def run(item):
        t0 = time.monotonic()
        time.sleep(0.05)
        with lock:
            spans[item[0]] = (t0, time.monotonic())
        return item[0]

    out = _run_scheduled(items, run, n_jobs=2, heavy=[h for _, h in items])
    assert out == ["00", "02", "03", "04", "05"]
    a0, a1 = spans["03"]
    for name, (t0, t1) in spans.items():
        if name != "03":
            assert t1 <= a0 or t0 >= a1, f"{name} overlapped the notebook that runs alone"

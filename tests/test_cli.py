"""Tests for the fptk command line (toolkit.cli)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from toolkit import __version__, cli
from toolkit.config import get_cache_home
from toolkit.corpora.sotu import load_sotu


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert f"fptk {__version__}" in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    assert cli.main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_corpora_lists_availability(tmp_path, capsys):
    assert cli.main(["corpora", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"Data home: {tmp_path}" in out
    lines = out.splitlines()
    assert any(line.split()[:2] == ["ungdc", "missing"] for line in lines)
    assert any(line.split()[:2] == ["sotu", "embedded"] for line in lines)
    assert "run `fptk fetch ungdc`" in out


def test_corpora_sees_a_corpus_in_the_data_home(tmp_path, capsys):
    (tmp_path / "ungdc").mkdir()
    (tmp_path / "ungdc" / "UNGDC_1946-2024.tgz").write_bytes(b"")
    assert cli.main(["corpora", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert any(line.split()[:2] == ["ungdc", "available"] for line in out.splitlines())


def test_info_card_without_loading(capsys):
    assert cli.main(["info", "sotu", "--no-load"]) == 0
    out = capsys.readouterr().out
    assert "U.S. State of the Union addresses" in out
    assert "licence: MIT" in out
    assert "Coverage" not in out


def test_info_embedded_corpus_coverage(capsys):
    assert cli.main(["info", "sotu"]) == 0
    out = capsys.readouterr().out
    df = load_sotu()
    assert f"documents: {len(df):,}" in out
    assert f"years: {int(df['year'].min())}-{int(df['year'].max())}" in out
    assert "skipped: 0" in out


def test_info_missing_corpus_says_where_to_put_it(tmp_path, capsys):
    assert cli.main(["info", "ungdc", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "sha256 01396f746e4ff39d0bfb3e249b45214854aa111287b6b2403c806fdd3a508579" in out
    assert "Here: not available." in out
    assert str(tmp_path / "ungdc") in out


def test_info_on_a_path(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Two.", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"")
    assert cli.main(["info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "documents: 2" in out
    assert "skipped: 1 (c.txt)" in out


def test_info_unknown(capsys):
    assert cli.main(["info", "nope"]) == 1
    assert "fptk: error: 'nope' is neither a known corpus" in capsys.readouterr().err


def test_fetch_embedded(capsys):
    assert cli.main(["fetch", "sotu"]) == 0
    assert "sotu is available at" in capsys.readouterr().out


def test_fetch_offline_explains_and_fails(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = cli.main(["fetch", "ungdc", "--release", "1946-2024", "--data-home", str(tmp_path),
                   "--url", f"http://127.0.0.1:{port}/UNGDC.tgz", "--timeout", "5", "--quiet"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "are you offline?" in err
    assert str(tmp_path / "ungdc" / "UNGDC_1946-2024.tgz") in err
    assert not (tmp_path / "ungdc").exists()


def test_cache_list_and_clear(capsys):
    home = get_cache_home()  # a fresh folder per test (tests/conftest.py)
    (home / "corpus").mkdir()
    (home / "corpus" / "abc.parquet").write_bytes(b"x" * 10)
    (home / "dtm").mkdir()
    (home / "dtm" / "def.npz").write_bytes(b"y" * 5)
    assert cli.main(["cache"]) == 0
    out = capsys.readouterr().out
    assert "corpus: 1 file(s), 10 B" in out and "total: 2 file(s), 15 B" in out
    assert "abc.parquet" not in out
    assert cli.main(["cache", "--list"]) == 0
    assert "abc.parquet  10 B" in capsys.readouterr().out
    assert cli.main(["cache", "--clear", "corpus"]) == 0
    assert "Removed 1 cache file(s) of kind 'corpus'" in capsys.readouterr().out
    assert (home / "dtm" / "def.npz").exists()
    assert cli.main(["cache", "--clear"]) == 0
    assert "Removed 1 cache file(s) from" in capsys.readouterr().out
    assert cli.main(["cache"]) == 0
    assert "empty" in capsys.readouterr().out


def test_report_passes_options(monkeypatch):
    from toolkit import report

    calls = []
    monkeypatch.setattr(report, "build_reports", lambda **kw: calls.append(kw) or {"runs": []})
    assert cli.main(["report"]) == 0
    assert calls[-1] == {}  # build_reports' own defaults
    assert cli.main(["report", "--config", "my.yml", "--notebook", "00", "--notebook", "01",
                     "--output-dir", "out", "--build-dir", "b", "--set", "corpus=sotu",
                     "--set", "period=[2000, 2010]", "--show-input"]) == 0
    assert calls[-1] == {
        "config": "my.yml", "notebooks": ["00", "01"], "output_dir": os.path.abspath("out"),
        "build_dir": os.path.abspath("b"),
        "params": {"corpus": "sotu", "period": [2000, 2010]}, "exclude_input": False,
    }
    assert cli.main(["report", "--jobs", "1", "--no-reuse"]) == 0
    assert calls[-1] == {"jobs": 1, "reuse": False}


def test_report_set_period_is_a_deprecated_alias_of_years(capsys):
    """``--set period=...`` still works for one release, with a warning naming ``years``."""
    from toolkit.exceptions import FptkDeprecationWarning

    with pytest.warns(FptkDeprecationWarning, match=r"'period' is deprecated.*use 'years'"):
        # the unknown override stops the build before any notebook runs
        rc = cli.main(["report", "--set", "period=[2000, 2010]", "--set", "colour=1"])
    assert rc == 1
    assert "Unknown override 'colour'" in capsys.readouterr().err


def test_report_failure_and_bad_set(monkeypatch, capsys):
    from toolkit import report

    def fail(**kw):
        raise RuntimeError("notebook 01 failed: see build/01.ipynb")

    monkeypatch.setattr(report, "build_reports", fail)
    assert cli.main(["report"]) == 1
    assert "fptk: error: notebook 01 failed" in capsys.readouterr().err
    assert cli.main(["report", "--set", "corpus"]) == 1
    assert "--set expects KEY=VALUE, got 'corpus'" in capsys.readouterr().err


def test_python_dash_m_toolkit(tmp_path):
    env = {**os.environ, "FPTK_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "toolkit", "corpora"], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "sotu" in done.stdout


@pytest.mark.integration
def test_info_real_cmfa(data_home, capsys):
    assert cli.main(["info", "cmfa_ukraine", "--data-home", str(data_home)]) == 0
    out = capsys.readouterr().out
    assert "(release v4-ukraine)" in out
    assert "years: 2002-2023" in out
    assert "skipped: 2" in out


def test_report_set_corpus_path_reaches_the_notebooks_as_staged_parquet(tmp_path, monkeypatch,
                                                                         tiny_corpus):
    from toolkit.report import build

    tiny_corpus[["doc_id", "actor", "year", "text"]].to_csv(tmp_path / "press.csv", index=False)
    monkeypatch.chdir(tmp_path)
    seen = []
    monkeypatch.setattr(build, "_execute", lambda jobs, **kw: seen.extend(jobs) or [])
    (tmp_path / "empty.yml").write_text("{}\n")
    assert cli.main(["report", "--notebook", "00", "--set", "corpus=press.csv", "--config",
                     "empty.yml", "--output-dir", str(tmp_path / "r"),
                     "--build-dir", str(tmp_path / "b")]) == 0
    staged = seen[0].params["corpus"]
    assert staged.endswith("press.parquet") and os.path.isabs(staged)
    assert str(tmp_path / "b" / "corpus") in staged


def test_report_set_period_name_is_the_grouping_period(monkeypatch, recwarn):
    from toolkit import report
    from toolkit.exceptions import FptkDeprecationWarning
    from toolkit.report.build import _check_overrides

    calls = []
    monkeypatch.setattr(report, "build_reports", lambda **kw: calls.append(kw) or {"runs": []})
    assert cli.main(["report", "--set", "period=M", "--set", "years=[2022, 2023]"]) == 0
    assert calls[-1]["params"] == {"period": "M", "years": [2022, 2023]}
    assert _check_overrides(calls[-1]["params"]) == {"period": "M", "years": [2022, 2023]}
    assert not [w for w in recwarn if issubclass(w.category, FptkDeprecationWarning)]


def test_scheduler_option_sets_the_dask_scheduler_for_the_run(monkeypatch, capsys):
    from toolkit.distributed import SCHEDULER_ENV

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert cli.main(["--scheduler", " tcp://127.0.0.1:8786 ", "cache"]) == 0
    assert os.environ[SCHEDULER_ENV] == "tcp://127.0.0.1:8786"
    assert cli.main(["--scheduler", "nohost", "cache"]) == 1
    err = capsys.readouterr().err
    assert "scheduler='nohost' is not a scheduler address; give host and port" in err

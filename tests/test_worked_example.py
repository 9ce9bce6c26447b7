"""The worked example of corpora/README.md, run as a new user would run it.

Two governments' press releases, one CSV each, with ISO timestamps in their own time zones,
no actor column and ids that both start at 1; loaded with per-file actors and rendered with
the project's own ``reports.yml`` (not the smoke parameters of test_notebooks.py) and
``period=M``. Only the bootstrap sizes are cut, for time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from toolkit import corpora, report

FIXTURE = Path(__file__).parent / "corpora" / "fixtures" / "press_8months.csv"
FAST = {"01-keyword-trends.n_boot": 20, "02-topics.n_boot": 20, "03-alignment.n_boot": 20,
        "03-alignment.validation_n_boot": 20, "04-case-china-arms-exports.n_boot": 20,
        "05-arms-stance.n_boot": 20}


def write_two_files(folder: Path) -> list[Path]:
    """One CSV per government, as its press office would export it."""
    table = pd.read_csv(FIXTURE)
    paths = []
    for actor in ("DEU", "CAN"):
        part = table.loc[table["actor"] == actor, ["date", "title", "text"]].copy()
        part.insert(0, "doc_id", range(1, len(part) + 1))
        paths.append(folder / f"{actor.lower()}.csv")
        part.to_csv(paths[-1], index=False)
    return paths


def test_two_files_load_with_per_file_actors(tmp_path):
    paths = write_two_files(tmp_path)
    df = corpora.load_table(paths, assign=[{"actor": "DEU"}, {"actor": "CAN"}])
    assert len(df) == 40 and df["doc_id"].is_unique
    assert df.loc[df["doc_id"] == "deu/1", "actor"].item() == "DEU"
    assert str(df["date"].dtype) == "datetime64[ns]"  # UTC, tz-naive
    assert df["date"].notna().all()
    raw = df.loc[df["doc_id"] == "deu/1", "date_raw"].item()
    assert raw == "2022-09-03T12:45:00+02:00"  # the original kept beside the UTC time
    assert df.loc[df["doc_id"] == "deu/1", "date"].item() == pd.Timestamp("2022-09-03 10:45")


@pytest.mark.slow
def test_the_worked_example_renders_every_notebook_by_month(tmp_path, monkeypatch):
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path / "cache"))
    df = corpora.load_table(write_two_files(tmp_path), assign=[{"actor": "DEU"}, {"actor": "CAN"}])
    manifest = report.build_reports(
        corpus=df, params={"period": "M", **FAST}, output_dir=tmp_path / "reports",
        build_dir=tmp_path / "build", raise_on_error=False, echo=False, jobs=2)
    failed = {r["notebook"]: r["error"] for r in manifest["runs"] if r["status"] != "ok"}
    assert not failed, failed
    out = tmp_path / "reports"
    found = {r["notebook"]: json.loads((out / r["notebook"] / "findings.json").read_text())
             for r in manifest["runs"]}
    texts = {k: " ".join(f["text"] for f in v["findings"]) for k, v in found.items()}
    assert "in September 2022" in texts["01-keyword-trends"]
    assert "decade" not in texts["01-keyword-trends"]
    assert "rate per month" in texts["01-keyword-trends"]
    html = re.sub(r"<[^>]+>", " ", (out / "01-keyword-trends.html").read_text(encoding="utf-8"))
    assert "instead of the 20 of the parameters" in html  # min_df lowered, and said so
    assert "leaves no earlier documents" in html  # recent_period [2022, 2024] did not fit
    assert "CAN–DEU" in texts["03-alignment"]
    assert found["04-case-china-arms-exports"]["title"].startswith("Case study: ")

"""The full report on the real UNGDC, with a cold cache: what ``make report`` produces.

Every notebook of ``notebooks/`` is executed with the project's ``reports.yml`` (corpus
UNGDC) into a temporary folder, with an empty cache, so nothing of an earlier run is
reused. It takes 2-4 minutes. It skips without ``FPTK_DATA_HOME`` and fails instead under
``CI`` (the ``data_home`` fixture).
"""

from __future__ import annotations

import json
import re
import warnings

import pytest

from toolkit import report
from toolkit.corpora import load_ungdc

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: Speeches in the UNGDC release the data home holds (1946-2024).
UNGDC_DOCUMENTS = 10_952


@pytest.fixture
def full_report(data_home, tmp_path_factory, monkeypatch):
    """The manifest and output folder of one full build (cold cache, nothing reused)."""
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path_factory.mktemp("cold-cache")))
    base = tmp_path_factory.mktemp("full-report")
    manifest = report.build_reports(params={"corpus": "ungdc"}, output_dir=base / "reports",
                                    build_dir=base / "build", reuse=False,
                                    raise_on_error=False, echo=False)
    return manifest, base / "reports"


def test_the_full_ungdc_report(full_report, data_home):
    manifest, out = full_report
    runs = manifest["runs"]
    expected = [p.stem for p in report.find_notebooks()]
    assert [r["notebook"] for r in runs] == expected
    failed = {r["notebook"]: r["error"] for r in runs if r["status"] != "ok"}
    assert not failed, failed
    assert not any(r["reused"] for r in runs)

    # the index names the corpus by the checksum of the UNGDC archive
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sha256 = load_ungdc(data_home / "ungdc", progress=False).attrs["corpus"]["sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert sha256 in index

    # the findings state the known number of documents
    findings = json.loads((out / "00-corpus-overview" / "findings.json").read_text("utf-8"))
    texts = " ".join(f["text"] for f in findings["findings"])
    assert f"{UNGDC_DOCUMENTS:,} documents" in texts, texts

    # every figure the notebook drew is in its HTML, embedded
    for run in runs:
        page = (out / run["html"]).read_text(encoding="utf-8")
        n_img = page.count("<img")
        assert n_img == run["n_figures"], (run["notebook"], n_img, run["n_figures"])
        assert page.count('src="data:image/png;base64,') == n_img, run["notebook"]
        assert (out / run["notebook"] / "findings.json").is_file(), run["notebook"]
    assert sum(r["n_figures"] for r in runs) > 0

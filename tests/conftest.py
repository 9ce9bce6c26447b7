"""Shared fixtures.

Unit tests use tiny corpora built here. Integration tests use the real corpora and are
marked ``integration``; they skip only when ``FPTK_DATA_HOME`` (or ``FPTK_EXTERNAL_HOME``
for external measures) is unset. ``.ci/run`` always sets both.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _isolated_cache(request, tmp_path_factory, monkeypatch):
    """Unit tests get a fresh cache folder each; integration tests keep FPTK_CACHE_HOME.

    Integration tests share the configured cache (CI: a folder in the clone) so the full
    corpus is parsed once per run, not once per test.
    """
    if request.node.get_closest_marker("integration") and os.environ.get("FPTK_CACHE_HOME"):
        return
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The real data home (CI: ../shared/corpora); skips when FPTK_DATA_HOME is unset."""
    value = os.environ.get("FPTK_DATA_HOME")
    if not value:
        pytest.skip("FPTK_DATA_HOME is not set: integration test on the real corpora skipped")
    return Path(value)


@pytest.fixture(scope="session")
def external_home() -> Path:
    """The folder of external measures (CI: ../shared/external)."""
    value = os.environ.get("FPTK_EXTERNAL_HOME")
    if not value:
        pytest.skip("FPTK_EXTERNAL_HOME is not set: integration test on external data skipped")
    return Path(value)


@pytest.fixture(scope="session")
def ungdc(data_home) -> pd.DataFrame:
    """The full UNGDC corpus table (loaded once per test session, from the cache when warm)."""
    from toolkit.corpora import load_ungdc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_ungdc(data_home / "ungdc", progress=False)


@pytest.fixture
def tiny_corpus() -> pd.DataFrame:
    """Six short speeches by three actors over two years, in the standard schema."""
    from toolkit.corpora import standardize_columns

    rows = [
        ("CHN_77_2022", "CHN", 2022, "China will not sell weapons to either side. "
         "We oppose arms sales that fuel the war."),
        ("CHN_78_2023", "CHN", 2023, "China regulates the export of dual-use items. "
         "Peace talks are the only way out."),
        ("RUS_77_2022", "RUS", 2022, "Western arms deliveries to Ukraine prolong the conflict. "
         "Sanctions are illegal."),
        ("RUS_78_2023", "RUS", 2023, "The supply of weapons to Kyiv is a provocation."),
        ("USA_77_2022", "USA", 2022, "We will continue military assistance to Ukraine. "
         "Export controls work."),
        ("USA_78_2023", "USA", 2023, "Our security assistance and arms transfers support "
         "Ukraine's defence."),
    ]
    df = pd.DataFrame(rows, columns=["doc_id", "actor", "year", "text"])
    df["session"] = df["year"] - 1945
    return standardize_columns(df, source="fixture")

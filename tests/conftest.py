"""Shared fixtures.

Unit tests use tiny corpora built here. Integration tests use the real corpora and are
marked ``integration``; on a developer's machine they skip when ``FPTK_DATA_HOME`` (or
``FPTK_EXTERNAL_HOME`` for external measures) is unset. When ``CI`` is set they fail
instead, so that CI never passes with a check skipped. ``.ci/run`` always sets both.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")


def _sibling_module(name: str) -> ModuleType:
    """``tests/<name>.py`` as a module: the one pytest imported, else loaded once from its file.

    Under ``--import-mode=importlib`` test modules cannot import each other; a module-scoped
    fixture that shares another test file's helpers (its Chromium driver, its smoke build)
    reaches them this way, so the two files use one object and one build.
    """
    path = Path(__file__).with_name(f"{name}.py").resolve()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == path:
            return module
    spec = importlib.util.spec_from_file_location(f"fptk_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sibling_module():
    """Load a sibling test module by name (see :func:`_sibling_module`)."""
    return _sibling_module


@pytest.fixture(autouse=True)
def _isolated_cache(request, tmp_path_factory, monkeypatch):
    """Unit tests get a fresh cache folder each; integration tests keep FPTK_CACHE_HOME.

    Integration tests share the configured cache (CI: a folder in the clone) so the full
    corpus is parsed once per run, not once per test.
    """
    if request.node.get_closest_marker("integration") and os.environ.get("FPTK_CACHE_HOME"):
        return
    monkeypatch.setenv("FPTK_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def _home(variable: str, what: str) -> Path:
    """The folder named by ``variable``; skip without it, but fail under CI (no silent skip)."""
    value = os.environ.get(variable)
    if not value or not Path(value).is_dir():
        msg = f"{variable} is {'not set' if not value else f'{value!r}, not a folder'}: {what}"
        if os.environ.get("CI"):
            pytest.fail(f"{msg}. CI must run it: .ci/run sets {variable}.")
        pytest.skip(f"{msg} skipped")
    return Path(value)


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The real data home (CI: ../shared/corpora)."""
    return _home("FPTK_DATA_HOME", "integration test on the real corpora")


@pytest.fixture(scope="session")
def external_home() -> Path:
    """The folder of external measures (CI: ../shared/external)."""
    return _home("FPTK_EXTERNAL_HOME", "integration test on external data")


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


#: Sentences of the synthetic speeches of :func:`speeches` (arms terms among them).
_SPEECH_SENTENCES = (
    "We will not sell weapons to either side of the conflict.",
    "Arms sales fuel the war and prolong the suffering of civilians.",
    "Our country regulates the export of dual-use items.",
    "The Arms Trade Treaty must be universal.",
    "Military assistance to our partners continues.",
    "Peace talks are the only way out of this crisis.",
    "Sanctions hurt the poorest people first.",
    "Nuclear disarmament remains the goal of this Assembly.",
    "Climate change threatens small island states.",
    "Development and trade go hand in hand.",
    "The supply of weapons to armed groups is a provocation.",
    "Security assistance and arms transfers support self-defence.",
    "We call for a ceasefire and humanitarian access.",
    "The Security Council must be reformed.",
    "Export controls on missiles and drones work.",
    "And the of to in.",
)


@pytest.fixture(scope="session")
def speeches():
    """A factory of synthetic speeches in the standard schema: ``speeches(n, seed=0)``.

    Eight actors, years 1990-2023 (with dates on every third speech), 1 to 25 sentences
    each drawn from a fixed pool that mixes arms terms with other topics; one speech holds
    only stopwords. Ids ``<actor>_<year>_<i>``, in a shuffled (not sorted) order.
    """
    import numpy as np

    from toolkit.corpora import standardize_columns

    def make(n: int = 300, *, seed: int = 0) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        actors = ["CHN", "RUS", "USA", "FRA", "GBR", "IND", "BRA", "ZAF"]
        rows = []
        for i in range(n):
            actor = actors[int(rng.integers(len(actors)))]
            year = int(rng.integers(1990, 2024))
            k = int(rng.integers(1, 26))
            picks = rng.integers(0, len(_SPEECH_SENTENCES) - 1, size=k)
            text = " ".join(_SPEECH_SENTENCES[j] for j in picks)
            date = f"{year}-09-{int(rng.integers(10, 29))}" if i % 3 == 0 else None
            rows.append({"doc_id": f"{actor}_{year}_{i}", "actor": actor, "year": year,
                         "date": date, "text": text})
        rows[n // 2]["text"] = _SPEECH_SENTENCES[-1]
        return standardize_columns(pd.DataFrame(rows), source="synthetic")

    return make

"""pytest configuration shared by ``tests/`` and the doctests of ``toolkit/``.

The Examples sections of the docstrings run as doctests (``--doctest-modules`` in
``pyproject.toml``). They get their own cache folder, shared by all doctests of a run, so
they never write into a researcher's cache and the embedded corpus is parsed once.
"""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def _doctest_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("doctest-cache")


@pytest.fixture(autouse=True)
def _doctest_environment(request, monkeypatch):
    """Doctests: a private cache folder and no progress bars (their output is compared)."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    monkeypatch.setenv("FPTK_CACHE_HOME", str(request.getfixturevalue("_doctest_cache")))
    monkeypatch.setenv("TQDM_DISABLE", "1")

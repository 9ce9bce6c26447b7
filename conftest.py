"""pytest configuration shared by ``tests/`` and the doctests of ``toolkit/``.

The Examples sections of the docstrings run as doctests (``--doctest-modules`` in
``pyproject.toml``). They get their own cache folder, shared by all doctests of a run, so
they never write into a researcher's cache and the embedded corpus is parsed once.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

PACKAGE = Path(__file__).resolve().parent / "toolkit"


def pytest_collect_file(file_path: Path, parent):
    """Import a toolkit module the normal way before the doctest plugin imports it.

    pytest's importlib mode would otherwise execute a second copy of a module it finds
    missing from ``sys.modules`` and set it as an attribute of its package, replacing the
    function the package re-exports under the same name: ``toolkit.keywords.kwic`` and
    ``toolkit.topics.prevalence`` would become modules for every test of the run. Imported
    here first, the module is in ``sys.modules`` and pytest reuses it.
    """
    if file_path.suffix != ".py" or file_path.name == "__main__.py":
        return None
    try:
        relative = file_path.resolve().relative_to(PACKAGE)
    except ValueError:
        return None
    parts = ("toolkit", *relative.with_suffix("").parts)
    importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return None


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

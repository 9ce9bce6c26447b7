"""Where things live: the project root, the data home, the cache and external data.

All paths are derived here and nowhere else.

Environment variables
---------------------
FPTK_DATA_HOME
    Folder holding raw corpora, one sub-folder per corpus name (``ungdc/``,
    ``cmfa_ukraine/``...). May be read-only: CI points it at ``../shared/corpora``.
    Default: ``<project root>/data`` (git-ignored) when running from a checkout,
    else ``~/fptk_data``.
FPTK_CACHE_HOME
    Folder for derived, rebuildable files (corpus tables, tokens, matrices).
    Default: ``<data home>/.cache`` when the data home is writable, else
    ``~/.cache/fptk``.
FPTK_EXTERNAL_HOME
    Folder holding external measures (``unvotes/``, ``idealpoints/``, ``sipri/``).
    Default: ``<data home>/../external`` when it exists, else ``<data home>/external``.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_HOME_ENV = "FPTK_DATA_HOME"
CACHE_HOME_ENV = "FPTK_CACHE_HOME"
EXTERNAL_HOME_ENV = "FPTK_EXTERNAL_HOME"

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path | None:
    """Return the checkout's root (the folder with ``pyproject.toml``), or None if installed."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the data home.

    Parameters
    ----------
    data_home : str or path-like or None, default=None
        An explicit folder; wins over the environment variable.

    Returns
    -------
    Path
        The folder. It is not created here: it may be read-only.
    """
    if data_home is not None:
        return Path(data_home).expanduser().resolve()
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    root = project_root()
    return (root / "data") if root is not None else Path.home() / "fptk_data"


def _writable(path: Path) -> bool:
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return os.access(probe, os.W_OK)


def get_cache_home(cache_home: str | os.PathLike | None = None) -> Path:
    """Return the folder for derived files, creating it.

    Parameters
    ----------
    cache_home : str or path-like or None, default=None
        An explicit folder; wins over ``FPTK_CACHE_HOME``.
    """
    if cache_home is not None:
        path = Path(cache_home).expanduser()
    elif os.environ.get(CACHE_HOME_ENV):
        path = Path(os.environ[CACHE_HOME_ENV]).expanduser()
    else:
        home = get_data_home()
        path = home / ".cache" if _writable(home) else Path.home() / ".cache" / "fptk"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def get_external_home(external_home: str | os.PathLike | None = None) -> Path:
    """Return the folder of external measures (UN votes, ideal points, SIPRI)."""
    if external_home is not None:
        return Path(external_home).expanduser().resolve()
    env = os.environ.get(EXTERNAL_HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    home = get_data_home()
    sibling = home.parent / "external"
    return sibling if sibling.is_dir() else home / "external"

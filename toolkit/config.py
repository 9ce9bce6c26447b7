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

__all__ = [
    "CACHE_HOME_ENV",
    "DATA_HOME_ENV",
    "EXTERNAL_HOME_ENV",
    "PACKAGE_DIR",
    "get_cache_home",
    "get_data_home",
    "get_external_home",
    "project_root",
]

DATA_HOME_ENV = "FPTK_DATA_HOME"
CACHE_HOME_ENV = "FPTK_CACHE_HOME"
EXTERNAL_HOME_ENV = "FPTK_EXTERNAL_HOME"

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path | None:
    """Return the checkout's root (the folder with ``pyproject.toml``), or None if installed.

    Returns
    -------
    Path or None
        The parent of the ``toolkit`` package when it holds ``pyproject.toml`` (running
        from a checkout), else None (an installed package).
    """
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else None


def _explicit_or_env(path: str | os.PathLike | None, env_name: str) -> Path | None:
    """The explicit folder, else the environment variable's (absolute), else None."""
    if path is not None:
        return Path(path).expanduser().resolve()
    env = os.environ.get(env_name)
    if env:
        return Path(env).expanduser().resolve()
    return None


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the data home.

    Parameters
    ----------
    data_home : str or path-like or None, default=None
        An explicit folder; wins over ``FPTK_DATA_HOME``.

    Returns
    -------
    Path
        The folder, absolute: ``data_home``, else ``FPTK_DATA_HOME``, else
        ``<project root>/data`` in a checkout, else ``~/fptk_data``. It is not created
        here: it may be read-only.
    """
    chosen = _explicit_or_env(data_home, DATA_HOME_ENV)
    if chosen is not None:
        return chosen
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

    Returns
    -------
    Path
        The folder, absolute and existing: ``cache_home``, else ``FPTK_CACHE_HOME``, else
        ``<data home>/.cache`` when the data home is writable, else ``~/.cache/fptk``.
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
    """Return the folder of external measures (UN votes, ideal points, SIPRI).

    Parameters
    ----------
    external_home : str or path-like or None, default=None
        An explicit folder; wins over ``FPTK_EXTERNAL_HOME``.

    Returns
    -------
    Path
        ``external_home``, else ``FPTK_EXTERNAL_HOME`` (both made absolute), else
        ``<data home>/../external`` when that folder exists, else
        ``<data home>/external``. It is not created here.
    """
    chosen = _explicit_or_env(external_home, EXTERNAL_HOME_ENV)
    if chosen is not None:
        return chosen
    home = get_data_home()
    sibling = home.parent / "external"
    return sibling if sibling.is_dir() else home / "external"

"""Corpus cards: what corpora are known, where their files are, which release a file is.

Each known corpus has one small YAML card in the repository's ``corpora/`` folder
(name, description, source DOI/URL, licence, citation, known releases with SHA-256,
how to obtain it, and which loader reads it). Raw files live in the data home
(:func:`toolkit.config.get_data_home`), one sub-folder per corpus name:
``<data home>/ungdc/UNGDC_1946-2024.tgz``, ``<data home>/cmfa_ukraine/...``.

This module reads cards and locates files; it imports no loader, so the loaders
(:mod:`~toolkit.corpora.ungdc`, :mod:`~toolkit.corpora.cmfa`) may use it to name the
release they read. Fetching and dispatch to the loaders live in
:mod:`toolkit.corpora.registry`, which re-exports the names here.
"""

from __future__ import annotations

import copy
import fnmatch
import importlib
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.cache import file_sha256
from toolkit.config import PACKAGE_DIR, get_data_home, project_root
from toolkit.exceptions import CorpusNotFoundError

__all__ = [
    "ARCHIVE_SUFFIXES",
    "TABLE_SUFFIXES",
    "cards_dir",
    "corpus_card",
    "corpus_names",
    "default_corpus_name",
    "identify_release",
    "list_corpora",
    "locate",
    "source_card",
]

#: Suffixes :func:`load_corpus` sends to :func:`toolkit.corpora.generic.load_table`.
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq", ".xlsx")
#: Suffixes :func:`load_corpus` treats as a UNGDC-shaped archive.
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar", ".zip")

_REQUIRED_CARD_KEYS = ("name", "title", "description", "loader", "licence", "citation",
                       "releases", "obtain")


# --------------------------------------------------------------------------- cards


def cards_dir() -> Path:
    """Return the folder holding the corpus cards (``*.yaml``).

    The repository's ``corpora/`` folder when running from a checkout; otherwise the
    package data folder ``toolkit/data/corpora/`` (for a non-editable install).

    Returns
    -------
    Path
        The first of these folders that holds at least one ``*.yaml`` card.

    Raises
    ------
    FileNotFoundError
        When neither exists.
    """
    candidates = []
    root = project_root()
    if root is not None:
        candidates.append(root / "corpora")
    candidates.append(PACKAGE_DIR / "data" / "corpora")
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    raise FileNotFoundError(
        "No corpus cards found; looked in "
        + ", ".join(str(c) for c in candidates)
        + ". Run fptk from a checkout of the repository (the cards live in corpora/)."
    )


def _check_card(card: Any, path: Path) -> dict[str, Any]:
    if not isinstance(card, dict):
        raise ValueError(f"Corpus card {path} is not a YAML mapping.")
    missing = [k for k in _REQUIRED_CARD_KEYS if k not in card]
    if missing:
        raise ValueError(f"Corpus card {path} lacks the keys {missing}.")
    if card["name"] != path.stem:
        raise ValueError(
            f"Corpus card {path} has name {card['name']!r}; it must equal the file name "
            f"{path.stem!r}."
        )
    if not isinstance(card["releases"], list) or not all(
        isinstance(r, dict) and "name" in r and isinstance(r.get("files", []), list)
        for r in card["releases"]
    ):
        raise ValueError(
            f"Corpus card {path}: 'releases' must be a list of mappings with 'name' and 'files'."
        )
    for rel in card["releases"]:
        for f in rel.get("files", []):
            if not isinstance(f, dict) or "name" not in f:
                raise ValueError(
                    f"Corpus card {path}, release {rel['name']!r}: every file needs a 'name'."
                )
    return card


def _load_cards() -> dict[str, dict[str, Any]]:
    folder = cards_dir()
    cards = {}
    for path in sorted(folder.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            try:
                card = yaml.safe_load(fh)
            except yaml.YAMLError as exc:
                raise ValueError(f"Corpus card {path} is not valid YAML: {exc}") from exc
        card = _check_card(card, path)
        card["card_path"] = str(path)
        cards[card["name"]] = card
    return cards


def corpus_names() -> list[str]:
    """Return the names of the known corpora, sorted.

    Returns
    -------
    list of str
        One name per card in :func:`cards_dir` (the card's file stem), e.g.
        ``["cmfa_ukraine", "sotu", "ungdc"]``.

    Raises
    ------
    ValueError
        When a card is not valid YAML or lacks a required key.
    """
    return sorted(_load_cards())


def corpus_card(name: str) -> dict[str, Any]:
    """Return the card of a known corpus as a dict (a copy, safe to change).

    Parameters
    ----------
    name : str
        A corpus name such as ``"ungdc"``, ``"cmfa_ukraine"`` or ``"sotu"``.

    Returns
    -------
    dict
        The card's keys (``name``, ``title``, ``description``, ``loader``, ``licence``,
        ``citation``, ``releases``, ``obtain``; optionally ``source``, ``locate``,
        ``default_release``, ``embedded``) plus ``card_path``, the card file (str).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    cards = _load_cards()
    if name not in cards:
        raise ValueError(
            f"Unknown corpus {name!r}. Known corpora: {sorted(cards)}. To load your own "
            "files pass a path instead (a folder of .txt files, or a CSV/JSONL/Parquet table)."
        )
    return copy.deepcopy(cards[name])


#: Keys a citation card of an external data set (``corpora/external/<name>.yaml``) needs.
_SOURCE_CARD_KEYS = ("name", "title", "description", "licence", "citation")


def source_card(name: str) -> dict[str, Any]:
    """Return the card of a corpus or of an external data set, for citing it.

    Corpora have their cards in ``corpora/`` (:func:`corpus_card`); the external data
    sets that :mod:`toolkit.external` reads (``unvotes``, ``idealpoints``, ``sipri``) have
    a citation card in ``corpora/external/`` with ``name``, ``title``, ``description``,
    ``licence``, ``citation`` and optionally ``source`` (DOI, URL).

    Parameters
    ----------
    name : str
        A corpus name or an external data set's name.

    Returns
    -------
    dict
        The card (a copy) plus ``card_path``.

    Raises
    ------
    ValueError
        For an unknown name (listing the known corpora and data sets), or a card that is
        not a YAML mapping with the required keys.
    """
    cards = _load_cards()
    if name in cards:
        return copy.deepcopy(cards[name])
    folder = cards_dir() / "external"
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(cards) + sorted(p.stem for p in folder.glob("*.yaml"))
        raise ValueError(f"No card for {name!r}. Known corpora and data sets: {known}.")
    with open(path, encoding="utf-8") as fh:
        card = yaml.safe_load(fh)
    missing = [k for k in _SOURCE_CARD_KEYS if not isinstance(card, dict) or k not in card]
    if missing or card["name"] != name:
        raise ValueError(f"Citation card {path} needs the keys {list(_SOURCE_CARD_KEYS)} "
                         f"(missing {missing}) and name: {name}.")
    return dict(card, card_path=str(path))


def _release(card: dict[str, Any], release: str | None) -> dict[str, Any]:
    names = [r["name"] for r in card["releases"]]
    if release is None:
        release = card.get("default_release") or names[0]
    for rel in card["releases"]:
        if rel["name"] == release:
            return rel
    raise ValueError(
        f"Corpus {card['name']!r} has no release {release!r}; known releases: {names}."
    )


# --------------------------------------------------------------------------- locating


def _corpus_folder(name: str, data_home: str | os.PathLike | None) -> Path:
    return get_data_home(data_home) / name


def _embedded_path(card: dict[str, Any]) -> Path:
    package = card.get("source", {}).get("package", card["name"])
    module = importlib.import_module(package)
    return Path(module.__file__).resolve().parent


def _find(card: dict[str, Any], folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    patterns = card.get("locate") or [f["name"] for r in card["releases"] for f in r["files"]]
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for pattern in patterns:
        for entry in entries:
            if fnmatch.fnmatch(entry.name, pattern):
                return entry
    return None


def _not_found_message(card: dict[str, Any], folder: Path) -> str:
    obtain = " ".join(str(card["obtain"]).split()).replace("<data home>", str(folder.parent))
    return (
        f"Corpus {card['name']!r} is not in the data home: nothing matching "
        f"{card.get('locate')} in {folder}. {obtain} (The data home is set by the "
        "FPTK_DATA_HOME environment variable.)"
    )


def locate(name: str, *, data_home: str | os.PathLike | None = None) -> Path:
    """Return where a known corpus lives in the data home.

    Parameters
    ----------
    name : str
        A known corpus name.
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.

    Returns
    -------
    Path
        The first entry of ``<data home>/<name>/`` matching the card's ``locate``
        patterns (a release archive, a table, or an extracted folder). For an embedded
        corpus (``sotu``), the installed package folder.

    Raises
    ------
    CorpusNotFoundError
        Saying exactly where to put the files.
    """
    card = corpus_card(name)
    if card.get("embedded"):
        try:
            return _embedded_path(card)
        except ImportError as exc:
            raise CorpusNotFoundError(
                f"The embedded corpus {name!r} needs the Python package "
                f"{card.get('source', {}).get('package', name)!r}: {card['obtain']}"
            ) from exc
    folder = _corpus_folder(name, data_home)
    found = _find(card, folder)
    if found is None:
        raise CorpusNotFoundError(_not_found_message(card, folder))
    return found


def identify_release(
    name: str, path: str | os.PathLike | None = None, *, sha256: str | None = None
) -> str | None:
    """Return the known release a file belongs to (by SHA-256), else None.

    Parameters
    ----------
    name : str
        A known corpus name.
    path : str or path-like or None, default=None
        The file to hash (ignored when ``sha256`` is given).
    sha256 : str or None, default=None
        A checksum already computed.

    Returns
    -------
    str or None
        The name of the card's release that lists a file with this SHA-256; None when no
        release does, or when ``path`` is not a file and ``sha256`` is not given.

    Raises
    ------
    ValueError
        For an unknown corpus name.
    """
    card = corpus_card(name)
    if sha256 is None:
        if path is None or not Path(path).is_file():
            return None
        sha256 = file_sha256(path)
    for rel in card["releases"]:
        for f in rel.get("files", []):
            if f.get("sha256") == sha256:
                return rel["name"]
    return None


def list_corpora(*, data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """List the known corpora and whether each is available here.

    Parameters
    ----------
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.

    Returns
    -------
    DataFrame of shape (n_corpora, 6)
        Columns ``name``, ``title``, ``description``, ``available`` (bool), ``path``
        (str or None) and ``embedded`` (bool).
    """
    rows = []
    for name, card in sorted(_load_cards().items()):
        try:
            path = str(locate(name, data_home=data_home))
        except CorpusNotFoundError:
            path = None
        rows.append(
            {
                "name": name,
                "title": card["title"],
                "description": " ".join(str(card["description"]).split()),
                "available": path is not None,
                "path": path,
                "embedded": bool(card.get("embedded", False)),
            }
        )
    return pd.DataFrame(rows, columns=["name", "title", "description", "available", "path",
                                       "embedded"])


def default_corpus_name(*, data_home: str | os.PathLike | None = None) -> str:
    """Return the corpus a run uses by default: UNGDC when present, else the embedded SOTU.

    Parameters
    ----------
    data_home : str or path-like or None, default=None
        Overrides ``FPTK_DATA_HOME``.

    Returns
    -------
    {"ungdc", "sotu"}
        ``"ungdc"`` when :func:`locate` finds it in the data home, else ``"sotu"``.
    """
    try:
        locate("ungdc", data_home=data_home)
    except CorpusNotFoundError:
        return "sotu"
    return "ungdc"

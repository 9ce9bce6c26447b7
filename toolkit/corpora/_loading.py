"""Steps the corpus loaders share: the ``on_empty`` option, validation naming the source,
and the provenance stamp every loaded table ends with.

Shared by :mod:`~toolkit.corpora.generic`, :mod:`~toolkit.corpora.cmfa` and
:mod:`~toolkit.corpora.sotu`, so that their errors and their ``attrs["corpus"]`` records
read the same.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from toolkit._validation import check_option
from toolkit.corpora.schema import CorpusValidationError, validate_corpus

#: What a loader does with a document without text: a counted skip, or an error.
OnEmpty = Literal["skip", "error"]


def check_on_empty(on_empty: Any) -> OnEmpty:
    """Return ``on_empty`` when it is ``"skip"`` or ``"error"``; else raise ``ValueError``.

    Parameters
    ----------
    on_empty : str
        The value passed to a loader.

    Returns
    -------
    {"skip", "error"}
        ``on_empty`` unchanged.
    """
    return check_option("on_empty", on_empty, ("skip", "error"))


def validate_source(table: pd.DataFrame, source: str | os.PathLike) -> pd.DataFrame:
    """Validate a corpus table; an error starts with the source it was read from.

    Parameters
    ----------
    table : DataFrame of shape (n_docs, n_columns)
        A standardised corpus table.
    source : str or path-like
        The file or folder read, named at the start of the message (``"t.csv: ..."``).

    Returns
    -------
    DataFrame
        ``table`` itself.

    Raises
    ------
    CorpusValidationError
        As :func:`~toolkit.corpora.schema.validate_corpus`, prefixed with ``source``.
    """
    try:
        return validate_corpus(table)
    except CorpusValidationError as exc:
        raise CorpusValidationError(f"{source}: {exc}") from exc


def stamp_corpus(
    table: pd.DataFrame,
    *,
    name: str,
    release: str | None,
    sha256: str,
    skipped: list[dict[str, str]],
    path: str | os.PathLike,
    loader: str,
    extra: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Record a loaded table's provenance in ``table.attrs["corpus"]``.

    Parameters
    ----------
    table : DataFrame of shape (n_docs, n_columns)
        The validated corpus table; its ``attrs`` are set in place.
    name : str
        The corpus name.
    release : str or None
        The release label, when known.
    sha256 : str
        Checksum of what was read.
    skipped : list of dict
        ``{"file", "reason"}`` for each document left out.
    path : str or path-like
        Where the corpus was read from.
    loader : str
        The loader's function name.
    extra : mapping or None, default=None
        Loader-specific entries, added last.

    Returns
    -------
    DataFrame
        ``table`` itself, with ``attrs["corpus"]`` holding ``name``, ``release``,
        ``sha256``, ``n_docs`` (its rows), ``skipped``, ``path`` (str), ``loader`` and the
        ``extra`` entries, in that order.
    """
    table.attrs["corpus"] = {
        "name": name,
        "release": release,
        "sha256": sha256,
        "n_docs": len(table),
        "skipped": skipped,
        "path": str(path),
        "loader": loader,
        **dict(extra or {}),
    }
    return table

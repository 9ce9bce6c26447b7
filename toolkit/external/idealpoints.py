"""UN ideal points (Bailey, Strezhnev & Voeten) and the dyadic distance between them.

:func:`load_idealpoints` reads the ``.dta`` or ``.csv`` estimates with ISO3 actors from the
COW codes; :func:`idealpoint_distance` gives ``|ideal_a − ideal_b|`` for every pair and year.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from toolkit._validation import check_option, require_columns
from toolkit.actors import to_iso3
from toolkit.cache import file_sha256
from toolkit.exceptions import ExternalDataMissingError
from toolkit.external._common import (
    SeatConvention,
    _apply_successions,
    _check_columns,
    _report,
    _resolve,
)

__all__ = ["idealpoint_distance", "load_idealpoints"]

_IDEAL_FILES = ("IdealpointsJuly2025.dta", "IdealpointestimatesAll_Jul2023.csv")


def load_idealpoints(
    path: str | Path | None = None,
    *,
    estimate: Literal["all", "fp", "legacy"] = "all",
    seat_convention: SeatConvention = "split",
    unknown: Literal["warn", "raise", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read Bailey, Strezhnev & Voeten UN ideal points with ISO3 actors.

    Parameters
    ----------
    path : str or Path or None, default=None
        The ``.dta`` (July 2025, to 2024) or ``.csv`` (July 2023, sessions 1-77) file, or a
        folder holding them (the ``.dta`` is preferred). Default: ``<external home>/idealpoints``.
    estimate : {"all", "fp", "legacy"}, default="all"
        Which estimate becomes ``idealpoint``: all votes, the ``fp`` variant or the legacy
        one (the last two only in the ``.dta``; for 2024 only ``fp`` is filled).
    seat_convention : {"split", "iso", "ungdc"}, default="split"
        As in :func:`load_unvotes`, each row dated 31 December of its year: ``"split"``
        keeps the Republic of China (COW 713) TWN and the People's Republic (710) CHN (1971
        has one row of each); ``"ungdc"`` codes the ROC's rows up to 1970 CHN, its 1971 row
        stays TWN. RUS is the Soviet Union up to 1991 (no recode).
    unknown : {"warn", "raise", "ignore"}, default="warn"

    Returns
    -------
    DataFrame
        ``actor`` (ISO3 from the COW ``ccode``, not the file's ``iso3c``), ``ccode``,
        ``iso3c`` (as in the file), ``country``, ``session``, ``year`` (= session + 1945),
        ``idealpoint``, ``nvotes``, ``q5``, ``q50``, ``q95`` (quantiles where the file has
        them). ``attrs["unmatched"]`` and ``attrs["recoded"]`` (where the file's ``iso3c``
        disagrees with the COW code, e.g. ccode 680 South Yemen labelled YAR).
    """
    check_option("estimate", estimate, ("all", "fp", "legacy"))
    where = _resolve(path, "idealpoints", _IDEAL_FILES, "UN ideal points")
    if where.is_dir():
        file = next((where / n for n in _IDEAL_FILES if (where / n).is_file()), None)
        if file is None:
            raise ExternalDataMissingError(f"no ideal point file in {where}; expected one of "
                                           f"{list(_IDEAL_FILES)}")
    else:
        file = where
    if file.suffix.lower() == ".dta":
        raw = pd.read_stata(file)
        raw.columns = [c.lower() for c in raw.columns]
        _check_columns(raw, ["ccode", "year", f"idealpoint{estimate}"], file)
        year = pd.to_numeric(raw["year"], errors="coerce").astype("Int64")
        session = year - 1945
        est = raw[f"idealpoint{estimate}"]
        nv = raw.get(f"nvotes{estimate}", raw.get("nvoteslegacy"))
        q = {k: raw.get(f"{k}{estimate}") for k in ("q5", "q50", "q95")}
    elif file.suffix.lower() == ".csv":
        raw = pd.read_csv(file)
        raw.columns = [c.lower() for c in raw.columns]
        if estimate != "all":
            raise ValueError(f"{file.name} has only the 'all' estimate; use the .dta for "
                             f"estimate={estimate!r}")
        _check_columns(raw, ["ccode", "session", "idealpointall"], file)
        session = pd.to_numeric(raw["session"], errors="coerce").astype("Int64")
        year = session + 1945
        est = raw["idealpointall"]
        nv = raw.get("nvotesall")
        q = {k: raw.get(f"{k}%all") for k in ("q5", "q50", "q95")}
    else:
        raise ValueError(f"{file}: expected a .dta or .csv ideal point file")
    out = pd.DataFrame({"ccode": pd.to_numeric(raw["ccode"], errors="coerce").astype("Int64")})
    conv = to_iso3(out["ccode"].astype(object).where(out["ccode"].notna(), None), src="cow",
                   unknown="ignore")
    when = pd.to_datetime(year.astype("float").astype("Int64").astype(str) + "-12-31",
                          errors="coerce")
    actor, recoded = _apply_successions(conv, when, seat_convention=seat_convention)
    out["actor"] = actor
    iso3c = raw.get("iso3c", pd.Series(pd.NA, index=raw.index)).astype("string").str.strip()
    out["iso3c"] = iso3c.mask(iso3c == "")
    out["country"] = raw.get("countryname", pd.Series(pd.NA, index=raw.index)).astype("string")
    out["session"] = session.to_numpy()
    out["year"] = year.to_numpy()
    out["idealpoint"] = pd.to_numeric(est, errors="coerce").astype(float)
    out["nvotes"] = pd.to_numeric(nv, errors="coerce") if nv is not None else np.nan
    for k, col in q.items():
        out[k] = pd.to_numeric(col, errors="coerce").astype(float) if col is not None else np.nan
    diff = (out["iso3c"].notna() & conv.notna() & (out["iso3c"] != conv)).fillna(False)
    if diff.any():
        pairs = (out.assign(cow_iso3=conv)[diff].groupby(["ccode", "iso3c", "cow_iso3"]).size()
                 .reset_index(name="rows").rename(columns={"cow_iso3": "actor"}))
        for r in pairs.itertuples():
            recoded.append({"from": f"{r.iso3c} (ccode {r.ccode})", "to": r.actor,
                            "rows": int(r.rows), "why": "the file's iso3c disagrees with the "
                                                        "COW code; the COW code is used"})
    unmatched = [dict(u, value=f"ccode {u['value']}") for u in conv.attrs["unmatched"]]
    n_na = int(out["idealpoint"].isna().sum())
    if n_na:
        unmatched.append({"value": f"idealpoint{estimate}", "count": n_na,
                          "reason": "estimate missing in the file (kept as NaN)"})
    out.attrs["idealpoints"] = {"file": file.name, "sha256": file_sha256(file),
                                "estimate": estimate}
    out.attrs["unmatched"] = unmatched
    out.attrs["recoded"] = recoded
    _report([u for u in unmatched if u["value"].startswith("ccode")], "ideal point code(s)",
            unknown)
    return out


def idealpoint_distance(
    ideal: pd.DataFrame,
    *,
    period: Literal["session", "year"] = "session",
    actors: Iterable[str] | None = None,
    both_directions: bool = False,
) -> pd.DataFrame:
    """Dyadic distance between ideal points, ``|ideal_a − ideal_b|``, for every pair and period.

    Parameters
    ----------
    ideal : DataFrame
        From :func:`load_idealpoints` (``actor``, ``session``, ``year``, ``idealpoint``).
    period : {"session", "year"}, default="session"
        The two coincide (year = session + 1945); the output always has both.
    actors : iterable of str or None, default=None
        Keep only these ISO3 codes.
    both_directions : bool, default=False
        As in :func:`voting_agreement`.

    Returns
    -------
    DataFrame
        ``actor_a``, ``actor_b``, ``session``, ``year``, ``period`` (= year),
        ``idealpoint_a``, ``idealpoint_b``, ``distance``. Rows with a missing estimate
        are left out.
    """
    check_option("period", period, ("session", "year"))
    require_columns(ideal, ["actor", "year", "idealpoint"], what="idealpoint_distance",
                    noun="ideal point table", hint="Read it with load_idealpoints().")
    df = ideal[ideal["actor"].notna() & ideal["idealpoint"].notna() & ideal["year"].notna()]
    if actors is not None:
        df = df[df["actor"].isin(list(actors))]
    dup = df.duplicated(["actor", "year"])
    if dup.any():
        raise ValueError(f"{int(dup.sum())} duplicate actor-years in the ideal points, e.g. "
                         f"{df[dup][['actor', 'year']].head(3).values.tolist()}; "
                         f"resolve them before computing distances")
    frames = []
    for yr, grp in df.groupby("year", sort=True):
        grp = grp.sort_values("actor")
        codes = grp["actor"].astype(str).to_numpy()
        x = grp["idealpoint"].to_numpy(dtype=float)
        if both_directions:
            i, j = np.nonzero(~np.eye(len(codes), dtype=bool))
        else:
            i, j = np.triu_indices(len(codes), k=1)
        frames.append(pd.DataFrame({"actor_a": codes[i], "actor_b": codes[j],
                                    "year": int(yr), "idealpoint_a": x[i],
                                    "idealpoint_b": x[j], "distance": np.abs(x[i] - x[j])}))
    cols = ["actor_a", "actor_b", "year", "idealpoint_a", "idealpoint_b", "distance"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out["actor_a"] = out["actor_a"].astype("string")
    out["actor_b"] = out["actor_b"].astype("string")
    out["year"] = out["year"].astype("Int64")
    out.insert(2, "session", (out["year"] - 1945).astype("Int64"))
    out.insert(4, "period", out["year"])
    return out

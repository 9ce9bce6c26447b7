"""Helpers shared by the readers of :mod:`toolkit.external` (private; each lives here once).

Finding a source's files under the external home, checking their columns, reporting
unmatched codes, and the seat conventions: the date-dependent recodes (Serbia from June
2006, the UN China seat before 25 Oct 1971) applied to UN votes and ideal points.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from toolkit._validation import check_option
from toolkit.actors import UnmatchedCodesWarning, format_unmatched
from toolkit.config import EXTERNAL_HOME_ENV, get_external_home
from toolkit.exceptions import ExternalDataMissingError

#: The Republic of China held the UN "China" seat until resolution 2758 (25 Oct 1971).
CHINA_SEAT_CHANGE = pd.Timestamp("1971-10-25")
#: Serbia continued the seat of Serbia and Montenegro after Montenegro's independence.
SERBIA_FROM = pd.Timestamp("2006-06-03")

SeatConvention = Literal["split", "iso", "ungdc"]
#: ``seat_convention`` values; "iso" is an alias of "split".
_SEAT_CONVENTIONS = ("split", "iso", "ungdc")


def _resolve(path: str | Path | None, sub: str, names: Sequence[str], what: str) -> Path:
    """Return the folder (or the file) to read; raise a helpful error when absent."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.exists():
            raise ExternalDataMissingError(f"{what}: {p} does not exist. Pass the folder or file "
                                           f"that holds {', '.join(names)}.")
        return p
    home = get_external_home()
    folder = home / sub
    if not any((folder / n).is_file() for n in names):
        raise ExternalDataMissingError(
            f"{what} not found: looked for {', '.join(names)} in {folder}. Put the file(s) "
            f"there, or set {EXTERNAL_HOME_ENV} to the folder that holds '{sub}/', or pass path=."
        )
    return folder


def _need(path: Path, name: str) -> Path:
    f = path / name if path.is_dir() else path
    if not f.is_file():
        raise ExternalDataMissingError(f"{f} is missing. Put {name} in {f.parent}.")
    return f


def _check_columns(df: pd.DataFrame, required: Iterable[str], file: Path) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{file}: missing column(s) {missing}; found {list(df.columns)}. "
                         f"Is this the right file?")


def _report(unmatched: list[dict], what: str, unknown: str) -> None:
    if unmatched and unknown != "ignore":
        msg = format_unmatched(unmatched, what=what)
        if unknown == "raise":
            raise ValueError(msg)
        warnings.warn(msg, UnmatchedCodesWarning, stacklevel=3)


def _apply_successions(actor: pd.Series, when: pd.Series, *, seat_convention: str
                       ) -> tuple[pd.Series, list[dict]]:
    """Date-dependent recodes: YUG -> SRB from June 2006; with "ungdc", TWN -> CHN before
    25 Oct 1971 (the UN China seat); "split" (= "iso") keeps TWN."""
    check_option("seat_convention", seat_convention, _SEAT_CONVENTIONS)
    actor = actor.copy()
    recoded = []
    srb = (actor == "YUG") & (when >= SERBIA_FROM)
    if srb.any():
        actor[srb] = "SRB"
        recoded.append({"from": "YUG", "to": "SRB", "rows": int(srb.sum()),
                        "why": "Serbia continued the seat of Serbia and Montenegro from 3 June "
                               "2006 (the source keeps the Yugoslav code)"})
    if seat_convention == "ungdc":
        roc = (actor == "TWN") & (when < CHINA_SEAT_CHANGE)
        if roc.any():
            actor[roc] = "CHN"
            recoded.append({"from": "TWN", "to": "CHN", "rows": int(roc.sum()),
                            "why": "the Republic of China held the UN China seat until 25 Oct "
                                   "1971; the UNGDC files code its speeches CHN "
                                   "(seat_convention='split' keeps TWN)"})
    return actor.astype("string"), recoded

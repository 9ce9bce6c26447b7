"""External measures: UN General Assembly votes, ideal points and SIPRI arms transfers.

Every file is found under :func:`toolkit.config.get_external_home` (environment variable
``FPTK_EXTERNAL_HOME``) unless a path is passed::

    <external home>/unvotes/un_votes.csv, un_roll_calls.csv, un_roll_call_issues.csv
    <external home>/idealpoints/IdealpointsJuly2025.dta (or IdealpointestimatesAll_Jul2023.csv)
    <external home>/sipri/trade-register.csv

Codes are normalised to ISO3 with :func:`toolkit.actors.to_iso3`, using the conventions
of the UNGDC corpus so that dyads join with text measures (the Soviet Union is RUS, West
Germany DEU, North Yemen YEM; DDR, CSK, YUG, YMD are kept). Every reader lists what did
not match and why in ``attrs["unmatched"]`` and, by default, warns.

Voting agreement
----------------
:func:`voting_agreement` gives, for every pair of states and period, over the roll calls
both voted on (yes, no or abstain; absences are not in the data):

``"identical"`` (default)
    the share of roll calls on which both cast the same vote;
``"abstain_half"``
    ``1 − mean |v_a − v_b|`` with yes = 1, abstain = 0.5, no = 0 (an abstention against a yes
    or a no counts as half an agreement; Voeten's ``agree`` measure);
``"s_score"``
    Signorino & Ritter's S with the same coding and absolute distance: ``1 − 2 mean |v_a − v_b|``,
    in [−1, 1].
``"kappa"``
    Cohen's (1960) kappa, chance-corrected agreement after Häge (2011), *Political Analysis*
    19(3), 287-305: ``(p_o − p_e) / (1 − p_e)``, ``p_o`` the share of identical votes,
    ``p_e = sum_k p_a(k) p_b(k)`` with ``p_a(k)`` state a's share of votes in category k
    (yes, abstain, no) over the roll calls both voted on; NaN when ``p_e = 1``.

Seats (``seat_convention="split"``, the default, as ``load_ungdc(china_seat="split")``)
---------------------------------------------------------------------------------------
The Republic of China is TWN, the People's Republic CHN: votes switch on 25 Oct 1971
(resolution 2758); an ideal-point row is dated 31 Dec of its year, so 1971 has a TWN and a
CHN row. RUS is the Soviet Union up to 1991, with no recode: a RUS series crossing 1991
joins two states.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._validation import check_option, require_columns
from toolkit.actors import UnmatchedCodesWarning, format_unmatched, to_iso3
from toolkit.cache import file_sha256
from toolkit.config import EXTERNAL_HOME_ENV, get_external_home
from toolkit.exceptions import ExternalDataMissingError
from toolkit.periods import assign_period

__all__ = ["ISSUES", "SIPRI_COLUMNS", "ExternalDataMissingError", "arms_transfers",
           "delivery_series", "idealpoint_distance", "load_idealpoints", "load_sipri",
           "load_unvotes", "voting_agreement"]

#: Issue codes of the unvotes data (``un_roll_call_issues.csv``).
ISSUES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "hr": "Human rights",
    "co": "Colonialism",
    "ec": "Economic development",
}

#: Named columns the SIPRI trade register must have, in order (blank-named uncertainty
#: flag columns sit after "Year of order", "Number ordered" and "Number delivered").
SIPRI_COLUMNS: tuple[str, ...] = (
    "Recipient",
    "Supplier",
    "Year of order",
    "Number ordered",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI TIV per unit",
    "SIPRI TIV for total order",
    "SIPRI TIV of delivered weapons",
)

#: The Republic of China held the UN "China" seat until resolution 2758 (25 Oct 1971).
CHINA_SEAT_CHANGE = pd.Timestamp("1971-10-25")
#: Serbia continued the seat of Serbia and Montenegro after Montenegro's independence.
SERBIA_FROM = pd.Timestamp("2006-06-03")

SeatConvention = Literal["split", "iso", "ungdc"]
#: ``seat_convention`` values; "iso" is an alias of "split".
_SEAT_CONVENTIONS = ("split", "iso", "ungdc")


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- UN votes


def load_unvotes(
    path: str | Path | None = None,
    *,
    seat_convention: SeatConvention = "split",
    unknown: Literal["warn", "raise", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read the UN General Assembly roll-call votes (unvotes CSVs) with ISO3 actors.

    Parameters
    ----------
    path : str or Path or None, default=None
        Folder holding ``un_votes.csv``, ``un_roll_calls.csv`` and
        ``un_roll_call_issues.csv``. Default: ``<external home>/unvotes``.
    seat_convention : {"split", "iso", "ungdc"}, default="split"
        ``"split"`` (alias ``"iso"``): the Republic of China's votes (to 7 Oct 1971) stay
        TWN and the People's Republic's (from 3 Nov 1971) are CHN, as
        ``load_ungdc(china_seat="split")``. ``"ungdc"`` (the old default) codes the ROC's
        votes before 25 Oct 1971 CHN, as the UNGDC file names do. RUS is the Soviet Union
        up to 1991 in every convention (no recode).
    unknown : {"warn", "raise", "ignore"}, default="warn"
        What to do about countries that match no ISO3 (they are kept with NA ``actor``).

    Returns
    -------
    DataFrame
        One row per country and roll call: ``rcid`` (int), ``session`` (Int64), ``date``,
        ``year`` (Int64, calendar year of the vote), ``actor`` (ISO3, string), ``country``,
        ``country_code`` (ISO2 as in the source), ``vote`` (category yes/abstain/no),
        ``importantvote`` (bool) and one bool column per issue, ``issue_me`` ... ``issue_ec``
        (see :data:`ISSUES`). ``attrs["unvotes"]`` holds the files and checksums,
        ``"unmatched"`` (value, count, reason) and ``"recoded"`` (historical recodes).
    """
    folder = _resolve(path, "unvotes", ["un_votes.csv", "un_roll_calls.csv"], "UN votes")
    f_votes = _need(folder, "un_votes.csv")
    f_calls = _need(folder, "un_roll_calls.csv")
    f_issues = folder / "un_roll_call_issues.csv" if folder.is_dir() else None
    # keep_default_na=False: "NA" is Namibia's ISO2 code, not a missing value.
    try:
        votes = pd.read_csv(f_votes, keep_default_na=False, **_rcid_float(f_votes))
    except ValueError as exc:
        raise ValueError(f"{f_votes}: could not read it ({exc}); rcid must be a number.") from None
    _check_columns(votes, ["rcid", "country", "country_code", "vote"], f_votes)
    calls = pd.read_csv(f_calls, dtype={"rcid": float, "session": float}, keep_default_na=False,
                        na_values={"rcid": [""], "session": [""]})
    _check_columns(calls, ["rcid", "session", "date"], f_calls)
    rcid = (votes["rcid"] if votes["rcid"].dtype.kind == "f"
            else pd.to_numeric(votes["rcid"], errors="coerce"))
    if rcid.isna().any():
        bad = votes.index[rcid.isna()][:5].tolist()
        raise ValueError(f"{f_votes}: rcid is not a number in rows {bad}.")
    calls = calls.assign(rcid=calls["rcid"].astype(np.int64),
                         date=pd.to_datetime(calls["date"], errors="coerce"))
    out = pd.DataFrame({"rcid": rcid.astype(np.int64)})
    out = out.merge(calls[["rcid", "session", "date",
                           *(["importantvote"] if "importantvote" in calls else [])]],
                    on="rcid", how="left")
    n_orphans = int(out["session"].isna().sum())
    out["session"] = out["session"].astype("Int64")
    out["year"] = out["date"].dt.year.astype("Int64")
    # Codes: ISO2 where the source has one, else the country name (FRG, YAR, Zanzibar).
    # Work on the distinct (code, country) pairs only: 870k rows, ~200 pairs.
    c_idx, c_uniq = pd.factorize(votes["country_code"])
    n_idx, n_uniq = pd.factorize(votes["country"])
    pair_idx, pair_uniq = pd.factorize(c_idx.astype(np.int64) * len(n_uniq) + n_idx)
    p_code = pd.Series([str(c_uniq[k // len(n_uniq)]).strip() for k in pair_uniq], dtype=object)
    p_name = pd.Series([str(n_uniq[k % len(n_uniq)]).strip() for k in pair_uniq], dtype=object)
    p_key = [c if c else n for c, n in zip(p_code, p_name)]
    conv = to_iso3(p_key, unknown="ignore")
    actor = pd.Series(conv.to_numpy()[pair_idx], index=out.index, dtype="string")
    actor, recoded = _apply_successions(actor, out["date"], seat_convention=seat_convention)
    out["actor"] = actor
    out["country"] = pd.Series(p_name.to_numpy()[pair_idx], index=out.index, dtype="string")
    out["country_code"] = pd.Series(p_code.to_numpy()[pair_idx], index=out.index,
                                    dtype="string")
    v_idx, v_uniq = pd.factorize(votes["vote"])
    v_clean = pd.Index([str(u).strip().lower() for u in v_uniq])
    vote = pd.Series(v_clean.to_numpy()[v_idx], index=out.index)
    bad_vote = ~vote.isin(["yes", "no", "abstain"])
    out["vote"] = pd.Categorical(vote.where(~bad_vote), categories=["yes", "abstain", "no"])
    if "importantvote" in out:
        out["importantvote"] = pd.to_numeric(out["importantvote"], errors="coerce").fillna(0) > 0
    if f_issues is not None and f_issues.is_file():
        issues = pd.read_csv(f_issues, dtype={"short_name": str}, keep_default_na=False)
        _check_columns(issues, ["rcid", "short_name"], f_issues)
        issues["rcid"] = pd.to_numeric(issues["rcid"], errors="coerce")
        for short in ISSUES:
            ids = set(issues.loc[issues["short_name"] == short, "rcid"].dropna().astype(int))
            out[f"issue_{short}"] = out["rcid"].isin(ids)
    unmatched = []
    na_rows = out["actor"].isna()
    if na_rows.any():
        grp = (pd.DataFrame({"country": out["country"], "code": out["country_code"]})[na_rows]
               .value_counts().reset_index(name="count"))
        reasons = {u["value"]: u["reason"] for u in conv.attrs["unmatched"]}
        for row in grp.itertuples():
            val = row.code or row.country
            unmatched.append({"value": f"{row.country} ({row.code or 'no code'})",
                              "count": int(row.count),
                              "reason": reasons.get(val, "no ISO3 match")})
    if bad_vote.any():
        unmatched.append({"value": "vote", "count": int(bad_vote.sum()),
                          "reason": f"vote not yes/no/abstain: "
                                    f"{sorted(vote[bad_vote].unique())[:5]} (set to NA)"})
    if n_orphans:
        unmatched.append({"value": "rcid", "count": n_orphans,
                          "reason": f"roll call not in {f_calls.name} (no session or date)"})
    out.attrs["unvotes"] = {
        "files": {p.name: file_sha256(p) for p in (f_votes, f_calls) if p.is_file()},
        "n_votes": len(out),
        "n_roll_calls": int(out["rcid"].nunique()),
    }
    out.attrs["unmatched"] = unmatched
    out.attrs["recoded"] = recoded
    _report(unmatched, "UN vote row group(s)", unknown)
    return out


def _rcid_float(file: Path) -> dict:
    """read_csv options that parse rcid as float when the header has it (fast path)."""
    with open(file, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    if "rcid" not in header:
        return {"dtype": str}
    return {"dtype": {c: (float if c == "rcid" else str) for c in header}}


def _issue_mask(votes: pd.DataFrame, issue: str | Sequence[str]) -> pd.Series:
    wanted = [issue] if isinstance(issue, str) else list(issue)
    by_name = {v.casefold(): k for k, v in ISSUES.items()}
    cols = []
    for item in wanted:
        short = item if item in ISSUES else by_name.get(str(item).casefold())
        if short is None:
            raise ValueError(f"unknown issue {item!r}; use one of {list(ISSUES)} or their "
                             f"names {list(ISSUES.values())}")
        col = f"issue_{short}"
        if col not in votes.columns:
            raise ValueError(f"votes has no column {col!r}: load them with load_unvotes() from a "
                             f"folder that has un_roll_call_issues.csv")
        cols.append(col)
    return votes[cols].any(axis=1)


#: What ``period=`` of :func:`voting_agreement` accepts.
_PERIODS = ("session", "year", "decade")
_MEASURES = ("identical", "abstain_half", "s_score", "kappa")
_VOTES = ["yes", "abstain", "no"]


def voting_agreement(
    votes: pd.DataFrame,
    *,
    period: Literal["session", "year", "decade"] = "session",
    issue: str | Sequence[str] | None = None,
    measure: Literal["identical", "abstain_half", "s_score", "kappa"] = "identical",
    min_votes: int = 1,
    actors: Iterable[str] | None = None,
    both_directions: bool = False,
) -> pd.DataFrame:
    """Dyadic UN voting agreement for every pair of states and period, vectorised.

    For each period the votes form three 0/1 matrices (yes, abstain, no) of shape
    (n_actors, n_roll_calls); all dyads come from their matrix products at once.

    Parameters
    ----------
    votes : DataFrame
        From :func:`load_unvotes` (columns ``rcid``, ``actor``, ``vote`` and ``session`` /
        ``date`` / ``year`` as ``period`` needs). Rows with NA actor or vote are ignored.
    period : {"session", "year", "decade"}, default="session"
        ``"session"``: one value per General Assembly session, labelled with ``session`` and
        ``year`` = session + 1945 (the year it opened, as UNGDC labels the debate).
        ``"year"``: calendar year of the vote date. ``"decade"``: the roll calls of a
        decade of sessions pooled (1990 = sessions opening 1990-1999).
    issue : str or sequence of str or None, default=None
        Only roll calls on these issues (codes ``"di"``, ``"nu"``... or names, see
        :data:`ISSUES`); several are combined with OR.
    measure : {"identical", "abstain_half", "s_score", "kappa"}, default="identical"
        See the module docstring ("kappa": Cohen's kappa per dyad, after Häge 2011).
    min_votes : int, default=1
        Dyad-periods with fewer common roll calls are dropped.
    actors : iterable of str or None, default=None
        Keep only dyads whose both members are among these ISO3 codes.
    both_directions : bool, default=False
        With False one row per unordered pair (``actor_a < actor_b``); with True both
        orders (and no self-pairs), convenient for filtering on ``actor_a``.

    Returns
    -------
    DataFrame
        Columns ``actor_a``, ``actor_b``, then ``session`` and ``year`` (period="session"),
        ``year`` (period="year") or ``decade``; then ``period`` (the same int label:
        year or decade), ``agreement`` (float) and ``n_votes`` (roll calls both voted on).
        ``attrs["methods"]``: ``["vote_kappa"]`` with kappa (for the Methods paragraph).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.external import voting_agreement
    >>> votes = pd.DataFrame({"rcid": [1, 1, 2, 2], "session": 77, "actor": ["CHN", "USA"] * 2,
    ...                       "vote": ["yes", "no", "abstain", "yes"]})
    >>> voting_agreement(votes, measure="abstain_half")[["actor_a", "actor_b", "agreement"]]
      actor_a actor_b  agreement
    0     CHN     USA       0.25
    """
    check_option("period", period, _PERIODS)
    check_option("measure", measure, _MEASURES)
    require_columns(votes, ["rcid", "actor", "vote"], what="voting_agreement",
                    noun="votes table", hint="Read the votes with load_unvotes().")
    df = votes
    if issue is not None:
        df = df[_issue_mask(df, issue)]
    keep = df["actor"].notna() & df["vote"].notna()
    if actors is not None:
        keep &= df["actor"].isin(list(actors))
    df = df[keep]
    a_all, a_names, r_all, v, lab, n_dup = _vote_arrays(df, _vote_periods(df, period))
    bounds = np.flatnonzero(np.diff(lab)) + 1
    frames = []
    for sl in np.split(np.arange(len(lab)), bounds):
        if not len(sl):
            continue
        frame = _period_agreement(a_all[sl], r_all[sl], v[sl], a_names, int(lab[sl[0]]),
                                  measure=measure, min_votes=min_votes,
                                  both_directions=both_directions)
        if frame is not None:
            frames.append(frame)
    out = _agreement_table(frames, period)
    out.attrs["voting_agreement"] = {"period": period, "measure": measure,
                                     "issue": issue, "duplicate_votes_dropped": n_dup}
    out.attrs["methods"] = ["vote_kappa"] if measure == "kappa" else []
    return out


def _vote_periods(df: pd.DataFrame, period: str) -> pd.Series:
    """The int period label of each vote (:func:`toolkit.periods.assign_period`).

    ``"year"`` is the calendar year of the vote; ``"session"`` and ``"decade"`` count from the
    year a session opened (session + 1945), as UNGDC labels its debates.
    """
    if period == "year":
        return assign_period(df, "year")
    require_columns(df, ["session"], what="voting_agreement", noun="votes table",
                    hint="Read the votes with load_unvotes().")
    opened = pd.DataFrame({"year": df["session"].astype("Int64") + 1945}, index=df.index)
    return assign_period(opened, "year" if period == "session" else "decade")


def _vote_arrays(df: pd.DataFrame, label: pd.Series
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Integer codes of actor, roll call and vote (0 yes, 1 abstain, 2 no) sorted by period.

    Returns ``(actor, actor_names, roll_call, vote, period, n_duplicates)``; one vote per
    actor and roll call is kept (a recode could merge two source rows).
    """
    vote = df["vote"]
    if isinstance(vote.dtype, pd.CategoricalDtype) and list(vote.cat.categories) == _VOTES:
        v = vote.cat.codes.to_numpy()
    else:
        v = pd.Categorical(vote.astype(str).str.strip().str.lower(), categories=_VOTES).codes
    lab = label.to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(lab) & (v >= 0)
    a_all, a_names = pd.factorize(df["actor"].astype("string").to_numpy()[ok])
    r_all = pd.factorize(df["rcid"].to_numpy()[ok])[0]
    v, lab = v[ok].astype(np.intp), lab[ok].astype(np.int64)
    key = r_all.astype(np.int64) * (len(a_names) + 1) + a_all
    _, first = np.unique(key, return_index=True)
    n_dup = len(key) - len(first)
    if n_dup:
        first.sort()
        a_all, r_all, v, lab = a_all[first], r_all[first], v[first], lab[first]
    a_names = np.asarray(a_names, dtype=object)
    order = np.argsort(lab, kind="stable")
    return a_all[order], a_names, r_all[order], v[order], lab[order], n_dup


def _period_agreement(a: np.ndarray, r: np.ndarray, v: np.ndarray, a_names: np.ndarray,
                      label: int, *, measure: str, min_votes: int, both_directions: bool
                      ) -> pd.DataFrame | None:
    """``actor_a, actor_b, period, agreement, n_votes`` of the votes of one period ``label``.

    Every dyad at once, from products of the period's yes, abstain and no matrices.

    None when fewer than two actors voted.
    """
    a_codes, a_idx = np.unique(a, return_inverse=True)
    _, r_idx = np.unique(r, return_inverse=True)
    n_a, n_r = len(a_codes), int(r_idx.max()) + 1
    if n_a < 2:
        return None
    # Sort actor codes by name so that actor_a < actor_b alphabetically.
    names = a_names[a_codes]
    rank = np.argsort(names)
    inv = np.empty_like(rank)
    inv[rank] = np.arange(n_a)
    a_idx = inv[a_idx]
    names = names[rank]
    mats = np.zeros((3, n_a, n_r), dtype=np.float32)
    mats[v, a_idx, r_idx] = 1.0
    y, ab, no = mats
    present = y + ab + no
    both = present @ present.T
    if measure in ("identical", "kappa"):
        score = (y @ y.T + ab @ ab.T + no @ no.T)
    else:
        half = y @ ab.T + ab @ y.T + ab @ no.T + no @ ab.T
        full = y @ no.T + no @ y.T
        dist = 0.5 * half + full
        score = both - dist if measure == "abstain_half" else both - 2.0 * dist
    if both_directions:
        i, j = np.nonzero(~np.eye(n_a, dtype=bool))
    else:
        i, j = np.triu_indices(n_a, k=1)
    n = both[i, j]
    keep_ij = n >= max(min_votes, 1)
    i, j, n = i[keep_ij], j[keep_ij], n[keep_ij]
    agreement = score[i, j].astype(np.float64) / n
    if measure == "kappa":
        agreement = _kappa(agreement, (y, ab, no), present, i, j, n.astype(np.float64))
    return pd.DataFrame({"actor_a": names[i], "actor_b": names[j], "period": label,
                         "agreement": agreement, "n_votes": n.astype(np.int64)})


def _kappa(observed: np.ndarray, cats: tuple[np.ndarray, ...], present: np.ndarray,
           i: np.ndarray, j: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Cohen's kappa of dyads (i, j); state i's share of category k over the roll calls
    both voted on is ``(K_k @ present.T)[i, j] / n``."""
    expected = np.zeros(len(i))
    for k in cats:
        own = (k.astype(np.float64) @ present.T.astype(np.float64))
        expected += (own[i, j] / n) * (own[j, i] / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected < 1 - 1e-12, (observed - expected) / (1 - expected), np.nan)


def _agreement_table(frames: list[pd.DataFrame], period: str) -> pd.DataFrame:
    """The periods' dyads in one table, with the label columns of ``period``."""
    cols = ["actor_a", "actor_b", "period", "agreement", "n_votes"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out["agreement"] = out["agreement"].astype(float)
    out["actor_a"] = out["actor_a"].astype("string")
    out["actor_b"] = out["actor_b"].astype("string")
    out["period"] = out["period"].astype("Int64")
    out["n_votes"] = out["n_votes"].astype("Int64")
    if period == "session":
        out.insert(2, "session", (out["period"] - 1945).astype("Int64"))
        out.insert(3, "year", out["period"])
    else:
        out.insert(2, period, out["period"])
    return out


# --------------------------------------------------------------------------- ideal points

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


# --------------------------------------------------------------------------- SIPRI


def _find_header(lines: list[str], file: Path) -> int:
    for i, line in enumerate(lines):
        fields = [f.strip() for f in next(csv.reader([line]), [])]
        if "Recipient" in fields and "Supplier" in fields:
            return i
    shown = "\n  ".join(x.rstrip()[:100] for x in lines[:15])
    raise ValueError(
        f"{file}: no column row with 'Recipient' and 'Supplier' in the first {len(lines)} lines. "
        f"Expected a SIPRI trade register exported as CSV with columns {list(SIPRI_COLUMNS)}. "
        f"The file begins:\n  {shown}"
    )


def _to_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", "", regex=False).str.strip().replace("", np.nan),
                         errors="coerce")


def _sipri_codes(names: pd.Series, *, successor_seats: bool = True
                 ) -> tuple[pd.Series, list[dict]]:
    """SIPRI party names -> ISO3; '*' = non-state armed actor, '**' = organisation."""
    uniq = pd.Series(pd.unique(names.fillna("")))
    codes: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    plain = []
    for name in uniq:
        n = name.strip()
        if n.endswith("**"):
            if n[:-2].strip().casefold() == "european union":
                codes[name] = "EU"
            else:
                codes[name], reasons[name] = None, "international organisation (SIPRI '**')"
        elif n.endswith("*"):
            codes[name], reasons[name] = None, "non-state armed actor (SIPRI '*')"
        elif n.casefold().startswith("unknown") or not n:
            codes[name], reasons[name] = None, "unknown party in the register"
        else:
            plain.append(name)
    conv = to_iso3(plain, src="name", unknown="ignore", successor_seats=successor_seats)
    why = {u["value"]: u["reason"] for u in conv.attrs["unmatched"]}
    for name, code in zip(plain, conv.tolist()):
        codes[name] = None if pd.isna(code) else code
        if codes[name] is None:
            reasons[name] = why.get(name, "no ISO3 match")
    mapped = names.fillna("").map(codes).astype("string")
    counts = names.fillna("").value_counts()
    unmatched = [{"value": k, "count": int(counts.get(k, 0)), "reason": v}
                 for k, v in reasons.items()]
    return mapped, sorted(unmatched, key=lambda u: -u["count"])


def load_sipri(
    path: str | Path | None = None,
    *,
    encoding: str = "latin-1",
    max_header_lines: int = 60,
    successor_seats: bool = True,
    unknown: Literal["warn", "raise", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read the SIPRI Arms Transfers Database trade register (CSV export).

    The export starts with free-text lines (11 in the May 2026 file) before the column
    row; the column row is found by looking for "Recipient" and "Supplier", and the
    named columns in :data:`SIPRI_COLUMNS` are required.

    Parameters
    ----------
    path : str or Path or None, default=None
        The CSV, or a folder holding ``trade-register.csv``. Default:
        ``<external home>/sipri/trade-register.csv``.
    encoding : str, default="latin-1"
        SIPRI exports are Latin-1.
    max_header_lines : int, default=60
        How many lines to search for the column row.
    successor_seats : bool, default=True
        Code SIPRI's "Soviet Union" (to 1991) as RUS, the code of the continuing seat used
        by UNGDC and the UN votes; with False it is SUN. The ``supplier``/``recipient``
        names always keep SIPRI's distinction.
    unknown : {"warn", "raise", "ignore"}, default="warn"
        About parties without an ISO3 code: non-state actors (SIPRI marks them ``*``),
        organisations (``**``, except the European Union -> EU), "unknown supplier(s)",
        dissolved states without a code (South Vietnam). They are kept with NA codes.

    Returns
    -------
    DataFrame
        One row per deal: ``recipient``, ``supplier`` (SIPRI names), ``recipient_iso3``,
        ``supplier_iso3`` (the Soviet Union is RUS, East Germany DDR), ``order_year``
        (Int64), ``order_year_uncertain`` (bool, "?" in the register), ``number_ordered``,
        ``number_ordered_uncertain``, ``weapon``, ``description``, ``number_delivered``,
        ``number_delivered_uncertain``, ``delivery_years`` (tuple of ints),
        ``first_delivery``, ``last_delivery`` (Int64), ``status``, ``comments``,
        ``tiv_unit``, ``tiv_order``, ``tiv_delivered`` (millions of SIPRI TIV; NaN where
        the register is empty). ``attrs["sipri"]`` (file, checksum, generated line,
        header row) and ``attrs["unmatched"]``.
    """
    where = _resolve(path, "sipri", ["trade-register.csv"], "SIPRI trade register")
    file = _need(where, "trade-register.csv") if where.is_dir() else where
    with open(file, encoding=encoding, newline="") as fh:
        head = [fh.readline() for _ in range(max_header_lines)]
    head = [h for h in head if h]
    skip = _find_header(head, file)
    with open(file, encoding=encoding, newline="") as fh:
        text = fh.read()
    raw = pd.read_csv(io.StringIO(text), skiprows=skip, dtype=str, keep_default_na=False)
    cols = [c.strip() for c in raw.columns]
    missing = [c for c in SIPRI_COLUMNS if c not in cols]
    if missing:
        raise ValueError(
            f"{file}: the column row (line {skip + 1}) lacks {missing}. Found {cols}. "
            f"This reader expects the SIPRI trade register CSV export; if SIPRI changed its "
            f"format, rename the columns to {list(SIPRI_COLUMNS)}."
        )
    raw.columns = cols
    pos = {c: cols.index(c) for c in SIPRI_COLUMNS}

    def flag(after: str) -> pd.Series:
        i = pos[after] + 1
        if i < len(cols) and (cols[i] == "" or cols[i].startswith(".")):
            return raw.iloc[:, i].str.strip() == "?"
        return pd.Series(False, index=raw.index)

    years = raw["Year(s) of delivery"].str.findall(r"\d{4}").map(
        lambda ys: tuple(sorted({int(y) for y in ys})))
    out = pd.DataFrame({
        "recipient": raw["Recipient"].str.strip().astype("string"),
        "supplier": raw["Supplier"].str.strip().astype("string"),
    })
    rec, un_r = _sipri_codes(raw["Recipient"].str.strip(), successor_seats=successor_seats)
    sup, un_s = _sipri_codes(raw["Supplier"].str.strip(), successor_seats=successor_seats)
    out["recipient_iso3"] = rec
    out["supplier_iso3"] = sup
    out["order_year"] = _to_number(raw["Year of order"]).astype("Int64")
    out["order_year_uncertain"] = flag("Year of order")
    out["number_ordered"] = _to_number(raw["Number ordered"])
    out["number_ordered_uncertain"] = flag("Number ordered")
    out["weapon"] = raw["Weapon designation"].astype("string")
    out["description"] = raw["Weapon description"].astype("string")
    out["number_delivered"] = _to_number(raw["Number delivered"])
    out["number_delivered_uncertain"] = flag("Number delivered")
    out["delivery_years"] = years
    out["first_delivery"] = years.map(lambda t: t[0] if t else pd.NA).astype("Int64")
    out["last_delivery"] = years.map(lambda t: t[-1] if t else pd.NA).astype("Int64")
    out["status"] = raw["status"].astype("string")
    out["comments"] = raw["Comments"].astype("string")
    out["tiv_unit"] = _to_number(raw["SIPRI TIV per unit"])
    out["tiv_order"] = _to_number(raw["SIPRI TIV for total order"])
    out["tiv_delivered"] = _to_number(raw["SIPRI TIV of delivered weapons"])
    generated = next((h.strip() for h in head[:skip] if h.startswith("Data generated")), None)
    unmatched = ([dict(u, value=f"recipient {u['value']!r}") for u in un_r]
                 + [dict(u, value=f"supplier {u['value']!r}") for u in un_s])
    bad_year = int(out["order_year"].isna().sum())
    if bad_year:
        unmatched.append({"value": "Year of order", "count": bad_year,
                          "reason": "not a year (kept as NA)"})
    out.attrs["sipri"] = {"file": file.name, "sha256": file_sha256(file), "header_row": skip,
                          "generated": generated, "n_deals": len(out)}
    out.attrs["unmatched"] = unmatched
    _report(unmatched, "SIPRI party name(s)", unknown)
    return out


def _party_mask(col_iso: pd.Series, col_name: pd.Series, who: str | Sequence[str]) -> pd.Series:
    wanted = [who] if isinstance(who, str) else list(who)
    codes = set()
    for w in wanted:
        if isinstance(w, str) and (w in set(col_iso.dropna()) or w == "EU"):
            codes.add(w)
            continue
        c = to_iso3(w, unknown="ignore")
        if pd.isna(c):
            if (col_name == w).any():
                continue
            raise ValueError(f"{w!r} is neither an ISO3 code, a country name nor a SIPRI party "
                             f"name in this register")
        codes.add(c)
    return col_iso.isin(list(codes)).fillna(False) | col_name.isin(wanted)


def arms_transfers(
    sipri: pd.DataFrame,
    *,
    supplier: str | Sequence[str] | None = None,
    recipient: str | Sequence[str] | None = None,
    by: Literal["year", "delivery_year", "order_year"] = "year",
    start: int | None = None,
    end: int | None = None,
    per_pair: bool = True,
) -> pd.DataFrame:
    """Supplier -> recipient transfers by year: number of deals and SIPRI TIV.

    Parameters
    ----------
    sipri : DataFrame
        From :func:`load_sipri`.
    supplier, recipient : str or sequence of str or None, default=None
        ISO3 codes, country names or SIPRI party names; None = all.
    by : {"year", "delivery_year", "order_year"}, default="year"
        ``"year"`` is ``"delivery_year"``: a deal counts in every year it had a delivery and
        its ``SIPRI TIV of delivered weapons`` is spread **evenly** over its years of
        delivery (the register lists those years but not the units delivered in each, so
        this is an approximation of SIPRI's own yearly TIV tables). ``"order_year"``: a
        deal counts once in its year of order, with its full delivered TIV and its
        ``SIPRI TIV for total order``.
    start, end : int or None, default=None
        Keep years in [start, end].
    per_pair : bool, default=True
        One row per supplier, recipient and year; with False, summed over pairs.

    Returns
    -------
    DataFrame
        ``supplier``, ``recipient``, ``supplier_iso3``, ``recipient_iso3`` (with per_pair),
        ``year``, ``deals``, ``tiv_delivered``; with ``by="order_year"`` also ``tiv_order``.
        TIV in millions. Years with no transfer are absent.
    """
    check_option("by", by, ("year", "delivery_year", "order_year"))
    require_columns(sipri, ["supplier", "recipient", "supplier_iso3", "recipient_iso3",
                            "order_year", "delivery_years", "tiv_delivered"],
                    what="arms_transfers", noun="SIPRI table", hint="Read it with load_sipri().")
    df = sipri
    if supplier is not None:
        df = df[_party_mask(df["supplier_iso3"], df["supplier"], supplier)]
    if recipient is not None:
        df = df[_party_mask(df["recipient_iso3"], df["recipient"], recipient)]
    keys = ["supplier", "recipient", "supplier_iso3", "recipient_iso3"]
    if by == "order_year":
        long = df.assign(year=df["order_year"], deals=1)
        if "tiv_order" not in long:
            long = long.assign(tiv_order=np.nan)
        value_cols = ["deals", "tiv_order", "tiv_delivered"]
    else:
        n_years = df["delivery_years"].map(len)
        long = df.assign(n_years=n_years)[n_years > 0].explode("delivery_years")
        long = long.assign(year=long["delivery_years"].astype("Int64"), deals=1,
                           tiv_delivered=long["tiv_delivered"] / long["n_years"])
        value_cols = ["deals", "tiv_delivered"]
    long = long[long["year"].notna()]
    if start is not None:
        long = long[long["year"] >= start]
    if end is not None:
        long = long[long["year"] <= end]
    group = [*keys, "year"] if per_pair else ["year"]
    out = (long[[*group, *value_cols]]
           .groupby(group, dropna=False)
           .agg({c: ("sum" if c == "deals" else lambda s: s.sum(min_count=1))
                 for c in value_cols})
           .reset_index())
    out["deals"] = out["deals"].astype(np.int64)
    out["year"] = out["year"].astype("Int64")
    out = out.sort_values([*group[:-1], "year"] if per_pair else ["year"]).reset_index(drop=True)
    out.attrs["arms_transfers"] = {"by": "delivery_year" if by == "year" else by,
                                   "tiv": "millions of SIPRI TIV"}
    return out


def delivery_series(
    sipri: pd.DataFrame,
    pairs: Sequence[Sequence[str | None]],
    *,
    start: int,
    end: int,
) -> pd.DataFrame:
    """Deliveries per year for chosen supplier -> recipient pairs, with the years of none.

    Parameters
    ----------
    sipri : DataFrame
        From :func:`load_sipri`.
    pairs : sequence of (supplier, recipient)
        ISO3 codes or SIPRI names; None on either side means any party (``("CHN", "RUS")``,
        ``(None, "UKR")`` for all suppliers of Ukraine).
    start, end : int
        The years, inclusive; every pair gets one row per year.

    Returns
    -------
    DataFrame
        ``pair`` ("CHN → RUS", "all → UKR"), ``supplier``, ``recipient`` (as given, "all"
        for None), ``year``, ``deals`` and ``tiv_delivered`` (millions of TIV, delivered TIV
        spread evenly over a deal's delivery years as in :func:`arms_transfers`); zero where
        SIPRI records no delivery. In the order of ``pairs``, then year.
    """
    if start > end:
        raise ValueError(f"start ({start}) is after end ({end}).")
    years = pd.Index(range(int(start), int(end) + 1), name="year")
    parts = []
    for supplier, recipient in pairs:
        got = arms_transfers(sipri, supplier=supplier, recipient=recipient, by="year",
                             start=start, end=end, per_pair=False)
        got = got.set_index(got["year"].astype(int))[["deals", "tiv_delivered"]]
        got = got.reindex(years, fill_value=0).reset_index()
        s_name, r_name = supplier or "all", recipient or "all"
        parts.append(got.assign(pair=f"{s_name} → {r_name}", supplier=s_name,
                                recipient=r_name))
    cols = ["pair", "supplier", "recipient", "year", "deals", "tiv_delivered"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    out["deals"] = out["deals"].astype(np.int64)
    out["tiv_delivered"] = out["tiv_delivered"].astype(float)
    out.attrs["arms_transfers"] = {"by": "delivery_year", "tiv": "millions of SIPRI TIV"}
    return out

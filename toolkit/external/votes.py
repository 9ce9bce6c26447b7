"""UN General Assembly roll-call votes and dyadic voting agreement.

:func:`load_unvotes` reads the unvotes CSVs with ISO3 actors; :func:`voting_agreement`
gives the agreement of every pair of states and period (the measures are described in
:mod:`toolkit.external`); :data:`ISSUES` lists the issue codes of the roll calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from toolkit._validation import check_option, require_columns
from toolkit.actors import to_iso3
from toolkit.cache import file_sha256
from toolkit.external._common import (
    SeatConvention,
    _apply_successions,
    _check_columns,
    _need,
    _report,
    _resolve,
)
from toolkit.periods import assign_period

__all__ = ["ISSUES", "load_unvotes", "voting_agreement"]

#: Issue codes of the unvotes data (``un_roll_call_issues.csv``).
ISSUES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "hr": "Human rights",
    "co": "Colonialism",
    "ec": "Economic development",
}


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

"""Validation of text similarity against external dyadic measures (UN votes, ideal points).

:func:`join_dyads` joins a yearly similarity panel with an external dyad-year table and
explains every row that found no partner; :func:`validate_against` correlates the two per
decade with a vertex (actor) bootstrap; :func:`summarize_validation` gives the numbers a
report states.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from threadpoolctl import threadpool_limits

from toolkit._validation import check_ci_level, require_columns
from toolkit.alignment._units import COLUMNS_HINT, pair_key
from toolkit.periods import assign_period

__all__ = ["join_dyads", "summarize_validation", "validate_against"]


def _normalise_dyads(df: pd.DataFrame, *, a: str, b: str) -> pd.DataFrame:
    lo, hi = pair_key(df[a], df[b])
    out = df.copy()
    out[a], out[b] = lo, hi
    return out


def _dyad_sides(
    panel: pd.DataFrame, external: pd.DataFrame, *, value: str, year_col: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables as ``actor_a < actor_b, year, <measure>`` with int64 years."""
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=COLUMNS_HINT,
    )
    require_columns(
        external, ["actor_a", "actor_b", year_col, value],
        what="external table", hint=COLUMNS_HINT,
    )
    left = pd.DataFrame(
        {
            "actor_a": panel["actor_a"].to_numpy(),
            "actor_b": panel["actor_b"].to_numpy(),
            "year": panel["period"].to_numpy(),
            "similarity": panel["similarity"].to_numpy(dtype=float),
        }
    )
    right_cols = {"actor_a": "actor_a", "actor_b": "actor_b", year_col: "year", value: value}
    if "n_votes" in external.columns and value != "n_votes":
        right_cols["n_votes"] = "n_votes"
    right = external[list(right_cols)].rename(columns=right_cols)
    left = _normalise_dyads(left, a="actor_a", b="actor_b")
    right = _normalise_dyads(right, a="actor_a", b="actor_b")
    try:
        left["year"] = pd.to_numeric(left["year"]).astype(np.int64)
        right["year"] = pd.to_numeric(right["year"]).astype(np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Periods cannot be read as years ({exc}); compute the panel with period='year' "
            f"(panel periods look like {panel['period'].head(3).tolist()})."
        ) from None
    return left, right


def _add_keys(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """One integer key per dyad-year on both sides (fast joins on ~1M rows), in place."""
    codes, names = pd.factorize(
        np.concatenate([left["actor_a"], left["actor_b"], right["actor_a"], right["actor_b"]])
    )
    n_l, n_r, n_names = len(left), len(right), len(names)
    years = np.concatenate([left["year"].to_numpy(), right["year"].to_numpy()])
    y0 = years.min() if len(years) else 0
    span = int(years.max() - y0 + 1) if len(years) else 1

    def key(ca: np.ndarray, cb: np.ndarray, yr: np.ndarray) -> np.ndarray:
        return (ca.astype(np.int64) * n_names + cb) * span + (yr - y0)

    left["_key"] = key(codes[:n_l], codes[n_l : 2 * n_l], left["year"].to_numpy())
    right["_key"] = key(
        codes[2 * n_l : 2 * n_l + n_r], codes[2 * n_l + n_r :], right["year"].to_numpy()
    )


class _MissReport:
    """Rows that found no partner, grouped by side and reason, with three examples each."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def note(self, side: str, reason: str, rows: pd.DataFrame) -> None:
        if len(rows):
            h = rows.head(3)
            ex = (h["actor_a"] + "–" + h["actor_b"] + " " + h["year"].astype(str)).tolist()
            self.rows.append({"side": side, "reason": reason, "n_rows": len(rows), "examples": ex})

    def explain(
        self, side: str, rows: pd.DataFrame, other_codes: set, other_years: set, other: str
    ) -> None:
        """Why ``rows`` of one side have no partner in the ``other`` side."""
        bad_code = ~rows["actor_a"].isin(other_codes) | ~rows["actor_b"].isin(other_codes)
        missing_codes = sorted(
            (set(rows.loc[bad_code, "actor_a"]) | set(rows.loc[bad_code, "actor_b"])) - other_codes
        )
        self.note(side, f"actor code not in the {other}: {missing_codes[:20]}", rows[bad_code])
        rest = rows[~bad_code]
        bad_year = ~rest["year"].isin(other_years)
        self.note(side, f"year not covered by the {other}", rest[bad_year])
        self.note(side, f"dyad absent that year in the {other}", rest[~bad_year])

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["side", "reason", "n_rows", "examples"])


def join_dyads(
    panel: pd.DataFrame,
    external: pd.DataFrame,
    *,
    value: str = "agreement",
    year_col: str = "year",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join a similarity panel with an external dyad-year measure, explaining every miss.

    Dyads are unordered on both sides (each pair is put in sorted order first). Panel
    periods must be years (``similarity_panel(..., period="year")``).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel`.
    external : DataFrame
        ``actor_a, actor_b, <year_col>, <value>`` (e.g. ``external.voting_agreement``).
    value : str, default="agreement"
        The external measure's column.
    year_col : str, default="year"
        The external table's year column.

    Returns
    -------
    joined : DataFrame
        ``actor_a, actor_b, year, similarity, <value>`` (+ ``n_votes`` when present) for
        dyad-years with both numbers.
    unmatched : DataFrame
        ``side, reason, n_rows, examples``: why rows on either side found no partner.
    """
    left, right = _dyad_sides(panel, external, value=value, year_col=year_col)
    report = _MissReport()
    _add_keys(left, right)
    dup = right["_key"].duplicated(keep="first").to_numpy()
    report.note(
        "external", "duplicate dyad-year after normalising dyad order (first kept)", right[dup]
    )
    right = right[~dup]
    nan_left = left["similarity"].isna().to_numpy()
    report.note("panel", "similarity is NaN (an actor has no text that period)", left[nan_left])
    left = left[~nan_left]
    nan_right = right[value].isna().to_numpy()
    report.note("external", f"{value} is NaN", right[nan_right])
    right = right[~nan_right]

    l_codes = set(left["actor_a"]) | set(left["actor_b"])
    r_codes = set(right["actor_a"]) | set(right["actor_b"])
    l_years = set(left["year"].tolist())
    r_years = set(right["year"].tolist())
    if not (l_years & r_years):
        raise ValueError(
            f"No period of the panel ({sorted(l_years)[:3]}...{sorted(l_years)[-3:]}) is a year of "
            f"the external data ({sorted(r_years)[:3]}...{sorted(r_years)[-3:]}); the periods do "
            "not match. Use period='year' and the same calendar (session years)."
        )
    pos = pd.Index(right["_key"].to_numpy()).get_indexer(left["_key"].to_numpy())
    hit = pos >= 0
    in_left = pd.Index(left["_key"].to_numpy()).get_indexer(right["_key"].to_numpy()) >= 0
    report.explain("panel", left[~hit], r_codes, r_years, "external data")
    report.explain("external", right[~in_left], l_codes, l_years, "text panel")
    joined = left.loc[hit, ["actor_a", "actor_b", "year", "similarity"]].reset_index(drop=True)
    matched = right.iloc[pos[hit]]
    joined[value] = matched[value].to_numpy()
    if "n_votes" in right.columns:
        joined["n_votes"] = matched["n_votes"].to_numpy()
    return joined, report.table()


def _actor_boot_corr(
    a_idx: np.ndarray,
    b_idx: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    n_actors: int,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pearson r over ``n_boot`` actor (vertex) resamples, from sufficient statistics.

    A replicate draws ``n_actors`` actors with replacement (counts ``w``); the dyad (i, j)
    then enters with weight ``w_i * w_j``, with all its periods. Every weighted sum is
    ``w F w / 2`` for a symmetric actor x actor matrix ``F`` of per-dyad sums, so a
    replicate costs O(n_actors^2) whatever the number of dyad-years.
    """
    parts = (np.ones_like(x), x, y, x * x, y * y, x * y)
    f = np.empty((len(parts), n_actors, n_actors))
    for k, v in enumerate(parts):
        m = sp.coo_matrix((v, (a_idx, b_idx)), shape=(n_actors, n_actors)).toarray()
        f[k] = m + m.T
    w = rng.multinomial(n_actors, np.full(n_actors, 1.0 / n_actors), size=n_boot).astype(float)
    with threadpool_limits(limits=1, user_api="blas"):
        sums = np.stack([((w @ f[k]) * w).sum(axis=1) / 2 for k in range(len(parts))], axis=1)
    n, sx, sy, sxx, syy, sxy = sums.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sy / n
        return cov / np.sqrt((sxx - sx**2 / n) * (syy - sy**2 / n))


def _group_correlations(
    label: str,
    g: pd.DataFrame,
    *,
    value: str,
    n_boot: int,
    ci_level: float,
    min_n: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """One row of :func:`validate_against`: Pearson and Spearman r with vertex-bootstrap CIs."""
    q = 50 * (1 - ci_level)
    x = g["similarity"].to_numpy(dtype=float)
    y = g[value].to_numpy(dtype=float)
    row: dict[str, Any] = {
        "decade": label,
        "n_dyad_years": len(g),
        "n_actors": len(set(g["actor_a"]) | set(g["actor_b"])),
        "first_year": int(g["year"].min()) if len(g) else np.nan,
        "last_year": int(g["year"].max()) if len(g) else np.nan,
    }
    for name, (xx, yy) in (
        ("pearson", (x, y)),
        ("spearman", (stats.rankdata(x), stats.rankdata(y))),
    ):
        if len(g) < min_n or np.ptp(xx) == 0 or np.ptp(yy) == 0:
            row.update({name: np.nan, f"{name}_ci_low": np.nan, f"{name}_ci_high": np.nan})
            continue
        r = float(np.corrcoef(xx, yy)[0, 1])
        if n_boot > 0:
            codes, names = pd.factorize(pd.concat([g["actor_a"], g["actor_b"]]))
            reps = _actor_boot_corr(
                codes[: len(g)],
                codes[len(g) :],
                xx,
                yy,
                len(names),
                n_boot=n_boot,
                rng=rng,
            )
            lo, hi = np.nanpercentile(reps, [q, 100 - q])
        else:
            lo = hi = np.nan
        row.update({name: r, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
    return row


def validate_against(
    panel: pd.DataFrame,
    external: pd.DataFrame,
    *,
    by_decade: bool = True,
    value: str = "agreement",
    year_col: str = "year",
    n_boot: int = 1000,
    ci_level: float = 0.95,
    min_n: int = 10,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Correlate text similarity with an external dyadic measure (e.g. UN voting agreement).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel` with yearly periods.
    external : DataFrame
        ``actor_a, actor_b, year, agreement`` (``toolkit.external.voting_agreement``).
    by_decade : bool, default=True
        One row per decade plus a pooled ``"all"`` row; False gives only the pooled row.
    value : str, default="agreement"
        The external column.
    year_col : str, default="year"
        The external table's year column.
    n_boot : int, default=1000
        Bootstrap replicates. Dyad-years are not independent (every dyad shares its actors
        with many others and recurs every year), so the bootstrap resamples *actors* with
        replacement within the decade and keeps every dyad-year among the drawn actors
        (a vertex bootstrap, weights ``w_i * w_j``). Percentile intervals.
    ci_level : float, default=0.95
        Coverage of the intervals.
    min_n : int, default=10
        Decades with fewer joined dyad-years get NaN correlations.
    random_state : int, Generator or None, default=None
        Seed of the bootstrap; the same input and seed give identical output.

    Returns
    -------
    DataFrame
        ``decade, n_dyad_years, n_actors, first_year, last_year, pearson, pearson_ci_low,
        pearson_ci_high, spearman, spearman_ci_low, spearman_ci_high``. The pooled ``"all"``
        row mixes decades whose similarity and agreement levels differ, so it can be far
        below every per-decade correlation; read the decades. ``attrs["unmatched"]``
        (records of the table from :func:`join_dyads`) says what did not match and why;
        ``attrs["n_joined"]`` counts joined rows.
        The Spearman bootstrap reuses the full-sample ranks (fast; close to re-ranking).
    """
    check_ci_level(ci_level)
    joined, unmatched = join_dyads(panel, external, value=value, year_col=year_col)
    rng = np.random.default_rng(random_state)
    groups: list[tuple[Any, pd.DataFrame]] = []
    if by_decade:
        dec = assign_period(joined, "decade")
        groups += [(str(d), g) for d, g in joined.groupby(dec)]
    groups.append(("all", joined))
    rows = [
        _group_correlations(
            label, g, value=value, n_boot=n_boot, ci_level=ci_level, min_n=min_n, rng=rng
        )
        for label, g in groups
    ]
    out = pd.DataFrame(rows)
    out.attrs["unmatched"] = unmatched.to_dict("records")
    out.attrs["n_joined"] = len(joined)
    out.attrs["params"] = {"n_boot": n_boot, "ci_level": ci_level, "value": value}
    return out


def summarize_validation(validation: pd.DataFrame, *, method: str = "pearson") -> dict[str, Any]:
    """The numbers a report states about :func:`validate_against` output.

    Parameters
    ----------
    validation : DataFrame
        Output of :func:`validate_against` (per-decade rows and the pooled ``"all"`` row).
    method : {"pearson", "spearman"}, default="pearson"
        Which correlation to summarise.

    Returns
    -------
    dict
        ``n_decades`` (decades with a correlation), ``n_positive`` / ``n_negative``
        (decades whose interval lies above / below zero), ``low`` and ``high`` (smallest and
        largest per-decade correlation) with ``low_decade`` / ``high_decade``, and from the
        pooled row ``n_dyad_years``, ``n_actors``, ``first_year``, ``last_year`` and
        ``pooled``.
    """
    if method not in {"pearson", "spearman"}:
        raise ValueError(f"method={method!r} is not supported; use 'pearson' or 'spearman'.")
    require_columns(
        validation,
        ["decade", "n_dyad_years", "n_actors", method, f"{method}_ci_low", f"{method}_ci_high"],
        what="validation table",
        hint=COLUMNS_HINT,
    )
    label = validation["decade"].astype(str)
    pooled = validation[label == "all"]
    if pooled.empty:
        raise ValueError("The validation table has no pooled 'all' row; use validate_against().")
    dec = validation[(label != "all") & validation[method].notna()]
    r = dec[method].to_numpy(dtype=float)
    p = pooled.iloc[0]
    return {
        "n_decades": len(dec),
        "n_positive": int((dec[f"{method}_ci_low"] > 0).sum()),
        "n_negative": int((dec[f"{method}_ci_high"] < 0).sum()),
        "low": float(r.min()) if len(r) else np.nan,
        "high": float(r.max()) if len(r) else np.nan,
        "low_decade": str(dec["decade"].iloc[int(r.argmin())]) if len(r) else None,
        "high_decade": str(dec["decade"].iloc[int(r.argmax())]) if len(r) else None,
        "n_dyad_years": int(p["n_dyad_years"]),
        "n_actors": int(p["n_actors"]),
        "first_year": p.get("first_year"),
        "last_year": p.get("last_year"),
        "pooled": float(p[method]),
    }

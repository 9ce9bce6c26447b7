"""Validation of text similarity against external dyadic measures (UN votes, ideal points).

:func:`join_dyads` joins a yearly similarity panel with an external dyad-year table and
explains every row that found no partner; :func:`validate_against` correlates the two
within years (both measures demeaned by year, so year-level shifts cannot make or hide an
association), tests it with QAP permutations per year (Krackhardt 1988) and gives
vertex-bootstrap intervals over states (Snijders & Borgatti 1999) with BCa (Efron 1987);
:func:`summarize_validation` gives the numbers a report states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from toolkit._validation import check_ci_level, check_int, check_option, require_columns
from toolkit.alignment._units import COLUMNS_HINT, pair_key
from toolkit.periods import assign_period
from toolkit.uncertainty import bootstrap_interval

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


# ---------------------------------------------------------------------------- correlations
#: What ``within=`` of :func:`validate_against` accepts.
_WITHIN = ("year", "average", "none")
#: The sufficient statistics of a weighted correlation, in this order.
_N_SUMS = 6  # n, sum x, sum y, sum x^2, sum y^2, sum xy


@dataclass(frozen=True)
class _YearBlock:
    """One year's dyads: actors as positions in the table-wide actor list."""

    year: int
    actors: np.ndarray  # (n_u,) table-wide positions of the actors present this year
    a: np.ndarray  # (n_dyads,) local index (into ``actors``) of actor_a
    b: np.ndarray  # (n_dyads,) local index of actor_b
    x: np.ndarray  # (n_dyads,) text similarity
    y: np.ndarray  # (n_dyads,) external measure


def _year_blocks(
    ca: np.ndarray, cb: np.ndarray, years: np.ndarray, x: np.ndarray, y: np.ndarray
) -> dict[int, _YearBlock]:
    """The dyads of each year, keyed by year (ascending)."""
    out: dict[int, _YearBlock] = {}
    order = np.argsort(years, kind="stable")
    bounds = np.flatnonzero(np.diff(years[order])) + 1
    for sl in np.split(order, bounds):
        if not len(sl):
            continue
        actors, local = np.unique(np.concatenate([ca[sl], cb[sl]]), return_inverse=True)
        out[int(years[sl[0]])] = _YearBlock(
            int(years[sl[0]]), actors, local[: len(sl)], local[len(sl):], x[sl], y[sl]
        )
    return out


def _block_sums(block: _YearBlock, weights: np.ndarray) -> np.ndarray:
    """Weighted sums of one year under actor weights, shape (n_rep, 6).

    Row ``r`` of ``weights`` (shape (n_rep, n_actors_total)) gives actor ``i`` the weight
    ``w_i``; dyad (i, j) then enters with ``w_i * w_j``. Every sum is ``w F w / 2`` for a
    symmetric actor x actor matrix ``F`` of per-dyad values, so a replicate costs
    O(n_actors^2) whatever the number of dyads.
    """
    n_u = len(block.actors)
    parts = (np.ones_like(block.x), block.x, block.y, block.x**2, block.y**2,
             block.x * block.y)
    f = np.empty((n_u, _N_SUMS, n_u))
    flat = block.a * n_u + block.b
    for k, v in enumerate(parts):
        m = np.bincount(flat, weights=v, minlength=n_u * n_u).reshape(n_u, n_u)
        f[:, k, :] = m + m.T
    wt = weights[:, block.actors]
    prod = (wt @ f.reshape(n_u, _N_SUMS * n_u)).reshape(len(wt), _N_SUMS, n_u)
    return (prod * wt[:, None, :]).sum(axis=-1) / 2


def _correlation(sums: np.ndarray, within: str) -> np.ndarray:
    """The correlation of each replicate from per-year sums of shape (n_rep, n_years, 6).

    ``"year"``: every year's sums of squares and cross-products are taken about that year's
    (weighted) means, then added over years (the pooled within-year correlation, as with
    year fixed effects). ``"average"``: the mean over years of each year's correlation.
    ``"none"``: one correlation of all dyad-years about the grand means.
    """
    n, sx, sy, sxx, syy, sxy = np.moveaxis(sums, -1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if within == "none":
            n, sx, sy, sxx, syy, sxy = (s.sum(axis=1) for s in (n, sx, sy, sxx, syy, sxy))
        safe = np.where(n > 0, n, 1.0)
        cxx = np.where(n > 0, sxx - sx**2 / safe, 0.0)
        cyy = np.where(n > 0, syy - sy**2 / safe, 0.0)
        cxy = np.where(n > 0, sxy - sx * sy / safe, 0.0)
        if within == "year":
            cxx, cyy, cxy = cxx.sum(axis=1), cyy.sum(axis=1), cxy.sum(axis=1)
        den = cxx * cyy
        tiny = 1e-12 * np.maximum(np.abs(sxx * syy).max() if sxx.size else 0.0, 1e-300)
        r = np.where(den > tiny, cxy / np.sqrt(np.where(den > 0, den, 1.0)), np.nan)
        if within == "average":
            ok = np.isfinite(r)
            cnt = ok.sum(axis=1)
            return np.where(cnt > 0, np.where(ok, r, 0.0).sum(axis=1) / np.maximum(cnt, 1),
                            np.nan)
    return r


def _actor_boot_corr(
    a_idx: np.ndarray,
    b_idx: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    n_actors: int,
    *,
    n_boot: int,
    rng: np.random.Generator,
    years: np.ndarray | None = None,
    within: str = "none",
) -> np.ndarray:
    """Correlation over ``n_boot`` vertex (actor) resamples.

    A replicate draws ``n_actors`` actors with replacement (counts ``w``); dyad (i, j)
    then enters with weight ``w_i * w_j`` in every year it has (Snijders & Borgatti 1999).
    ``within`` as in :func:`_correlation`; ``years`` (default: one year) says which
    dyad-year belongs to which year.
    """
    years = np.zeros(len(x), dtype=np.int64) if years is None else np.asarray(years)
    blocks = _year_blocks(a_idx, b_idx, years, x, y)
    w = rng.multinomial(n_actors, np.full(n_actors, 1.0 / n_actors), size=n_boot)
    sums = np.stack([_block_sums(bl, w.astype(float)) for bl in blocks.values()], axis=1)
    return _correlation(sums, within)


# ---------------------------------------------------------------------------- QAP
def _induced_permutations(sigma: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Each row of ``sigma`` restricted to ``members`` (the first-return map), as local indices.

    ``sigma`` (n_perm, n_total) holds permutations of all actors. Actor ``i`` of ``members``
    goes to the first of ``sigma(i), sigma(sigma(i)), ...`` that is a member. The result
    is a permutation of ``members``, uniform when ``sigma`` is, and two years that share
    actors get the same image for an actor whose image is present in both: one draw
    relabels every year coherently.
    """
    inside = np.zeros(sigma.shape[1], dtype=bool)
    inside[members] = True
    cur = sigma[:, members].copy()
    away = ~inside[cur]
    while away.any():
        rows, cols = np.nonzero(away)
        cur[rows, cols] = sigma[rows, cur[rows, cols]]
        away[rows, cols] = ~inside[cur[rows, cols]]
    local = np.full(sigma.shape[1], -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    return local[cur]


def _qap_year_sums(block: _YearBlock, perms: np.ndarray, *, batch: int = 64) -> np.ndarray:
    """The six sums of one year with y's actor labels permuted, shape (n_perm, 6).

    Row and column of the dyadic matrix of y are permuted together (Krackhardt 1988);
    x stays. Dyads missing on either side after the relabelling are left out.
    """
    n_u = len(block.actors)
    xm = np.full((n_u, n_u), np.nan)
    ym = np.full((n_u, n_u), np.nan)
    xm[block.a, block.b] = xm[block.b, block.a] = block.x
    ym[block.a, block.b] = ym[block.b, block.a] = block.y
    has_x = np.isfinite(xm)
    x0 = np.where(has_x, xm, 0.0)
    complete = bool(has_x.sum() == n_u * (n_u - 1) and np.isfinite(ym).sum() == has_x.sum())
    out = np.empty((len(perms), _N_SUMS))
    if complete:  # a relabelling only moves the values: all sums but sum xy are fixed
        y0 = np.where(has_x, ym, 0.0)
        out[:] = [has_x.sum() / 2, x0.sum() / 2, y0.sum() / 2, (x0**2).sum() / 2,
                  (y0**2).sum() / 2, 0.0]
        inverse = np.argsort(perms, axis=1)
        for s in range(0, len(perms), batch):
            # sum_ij x_ij y_p(i)p(j) = trace(x[p^-1] @ y[p]) for symmetric x, y: two row
            # gathers instead of a scattered 2-D gather
            out[s : s + batch, 5] = np.einsum(
                "bij,bji->b", x0[inverse[s : s + batch]], y0[perms[s : s + batch]]) / 2
        return out
    for s in range(0, len(perms), batch):
        p = perms[s : s + batch]
        yp = ym[p[:, :, None], p[:, None, :]]
        m = has_x & np.isfinite(yp)
        y0 = np.where(m, yp, 0.0)
        out[s : s + batch] = np.stack(
            [m.sum(axis=(1, 2)), np.einsum("ij,bij->b", x0, m), y0.sum(axis=(1, 2)),
             np.einsum("ij,bij->b", x0**2, m), (y0**2).sum(axis=(1, 2)),
             np.einsum("ij,bij->b", x0, y0)], axis=1) / 2
    return out


def _qap_sums(
    blocks: dict[int, _YearBlock], n_total: int, *, n_perm: int, rng: np.random.Generator
) -> dict[int, np.ndarray]:
    """Permuted sums of every year, from ``n_perm`` common relabellings of all actors."""
    if n_perm <= 0 or not blocks:
        return {}
    sigma = rng.permuted(np.tile(np.arange(n_total), (n_perm, 1)), axis=1)
    return {
        year: _qap_year_sums(bl, _induced_permutations(sigma, bl.actors))
        for year, bl in blocks.items()
    }


def _perm_p(observed: float, permuted: np.ndarray) -> float:
    """Two-sided permutation p-value, (1 + #{|T*| >= |T|}) / (1 + n_perm)."""
    if not np.isfinite(observed):
        return np.nan
    permuted = permuted[np.isfinite(permuted)]
    if not len(permuted):
        return np.nan
    hits = np.sum(np.abs(permuted) >= abs(observed) - 1e-12 * max(1.0, abs(observed)))
    return float((1 + hits) / (1 + len(permuted)))


# ---------------------------------------------------------------------------- per group
@dataclass(frozen=True)
class _Options:
    value: str
    within: str
    n_boot: int
    n_perm: int
    ci_method: str
    ci_level: float
    min_n: int


def _replicate_weights(
    actors: np.ndarray, n_total: int, opts: _Options, rng: np.random.Generator
) -> tuple[np.ndarray, slice, slice]:
    """Actor weights: the sample (row 0), vertex-bootstrap draws, then leave-one-actor-out."""
    n_g = len(actors)
    rows = [np.ones((1, n_g))]
    if opts.n_boot > 0:
        rows.append(rng.multinomial(n_g, np.full(n_g, 1.0 / n_g), size=opts.n_boot))
    if opts.n_boot > 0 and opts.ci_method == "bca":
        rows.append(1.0 - np.eye(n_g))
    w = np.zeros((sum(len(r) for r in rows), n_total))
    w[:, actors] = np.vstack(rows)
    boot = slice(1, 1 + opts.n_boot)
    return w, boot, slice(1 + opts.n_boot, len(w))


def _statistic_with_interval(
    blocks: list[_YearBlock], w: np.ndarray, boot: slice, jack: slice, opts: _Options
) -> tuple[float, float, float]:
    """Estimate and vertex-bootstrap interval of one correlation over ``blocks``."""
    sums = np.stack([_block_sums(bl, w) for bl in blocks], axis=1)
    stat = _correlation(sums, opts.within)
    est = float(stat[0])
    if opts.n_boot <= 0 or not np.isfinite(est):
        return est, np.nan, np.nan
    lo, hi = bootstrap_interval(
        est, stat[boot], method=opts.ci_method, ci_level=opts.ci_level,
        jackknife=stat[jack] if opts.ci_method == "bca" else None,
    )
    return est, lo, hi


def _pooled(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return np.nan
    return float(np.corrcoef(x, y)[0, 1])


def _group_row(
    label: str,
    g: pd.DataFrame,
    *,
    pearson_blocks: dict[int, _YearBlock],
    rank_blocks: dict[int, _YearBlock],
    qap: dict[int, np.ndarray],
    qap_p: dict[int, float],
    n_total: int,
    opts: _Options,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """One row of :func:`validate_against`: the three reports for one decade (or all)."""
    x = g["similarity"].to_numpy(dtype=float)
    y = g[opts.value].to_numpy(dtype=float)
    years = sorted(int(t) for t in pd.unique(g["year"]))
    actors = np.unique(np.concatenate([g["_a"].to_numpy(), g["_b"].to_numpy()]))
    alpha = 1.0 - opts.ci_level
    year_p = np.array([qap_p.get(t, np.nan) for t in years], dtype=float)
    row: dict[str, Any] = {
        "decade": label,
        "n_dyad_years": len(g),
        "n_actors": len(actors),
        "n_years": len(years),
        "first_year": int(min(years)) if years else np.nan,
        "last_year": int(max(years)) if years else np.nan,
    }
    nan3 = (np.nan, np.nan, np.nan)
    usable = len(g) >= opts.min_n and np.ptp(x) > 0 and np.ptp(y) > 0
    if usable:
        w, boot, jack = _replicate_weights(actors, n_total, opts, rng)
        p_blocks = [pearson_blocks[t] for t in years]
        if opts.within == "none":  # ranks over the whole group, as the pooled Spearman
            r_blocks = list(_year_blocks(
                g["_a"].to_numpy(), g["_b"].to_numpy(), np.zeros(len(g), dtype=np.int64),
                stats.rankdata(x), stats.rankdata(y)).values())
        else:
            r_blocks = [rank_blocks[t] for t in years]
        pearson = _statistic_with_interval(p_blocks, w, boot, jack, opts)
        spearman = _statistic_with_interval(r_blocks, w, boot, jack, opts)
    else:
        pearson = spearman = nan3
    for name, (est, lo, hi) in (("pearson", pearson), ("spearman", spearman)):
        row.update({name: est, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
    row["pooled_pearson"] = _pooled(x, y) if usable else np.nan
    row["pooled_spearman"] = (
        _pooled(stats.rankdata(x), stats.rankdata(y)) if usable else np.nan
    )
    combined = np.nan
    if usable and qap and np.isfinite(row["pearson"]):
        sums = np.stack([qap[t] for t in years], axis=1)
        combined = _perm_p(row["pearson"], _correlation(sums, opts.within))
    row["qap_p"] = combined
    row["n_years_tested"] = int(np.isfinite(year_p).sum())
    row["n_years_significant"] = int((year_p < alpha).sum())
    return row


def _year_rows(
    pearson_blocks: dict[int, _YearBlock],
    rank_blocks: dict[int, _YearBlock],
    qap: dict[int, np.ndarray],
    n_total: int,
) -> tuple[list[dict[str, Any]], dict[int, float]]:
    """The per-year table (records) and each year's two-sided QAP p-value."""
    ones = np.ones((1, n_total))
    rows, p_values = [], {}
    for year, bl in pearson_blocks.items():
        r = float(_correlation(_block_sums(bl, ones)[:, None, :], "year")[0])
        rho = float(_correlation(_block_sums(rank_blocks[year], ones)[:, None, :], "year")[0])
        p = np.nan
        if year in qap and len(bl.actors) >= 3:
            p = _perm_p(r, _correlation(qap[year][:, None, :], "year"))
        p_values[year] = p
        rows.append({"year": year, "decade": year - year % 10, "n_dyads": len(bl.x),
                     "n_actors": len(bl.actors), "pearson": r, "spearman": rho, "qap_p": p})
    return rows, p_values


# ---------------------------------------------------------------------------- public
def validate_against(
    panel: pd.DataFrame,
    external: pd.DataFrame,
    *,
    by_decade: bool = True,
    value: str = "agreement",
    year_col: str = "year",
    within: str = "year",
    n_boot: int = 1000,
    n_perm: int = 1000,
    ci_method: str = "bca",
    ci_level: float = 0.95,
    min_n: int = 10,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Correlate text similarity with an external dyadic measure (e.g. UN voting agreement).

    Three numbers are reported for every decade and for all years together:

    1. **The within-year correlation** (``pearson``, ``spearman``) with a vertex-bootstrap
       interval. Both measures move with the year (the vocabulary of a session, the
       number of roll calls, the states present), so pooling dyad-years mixes the
       between-year association of the levels with the within-year association of the
       dyads: a Simpson-type confound that can inflate, deflate or reverse a pooled
       correlation. With ``within="year"`` (default) both measures are taken about their
       yearly means before correlating, i.e. the pooled within-year correlation
       ``sum_t Sxy_t / sqrt(sum_t Sxx_t * sum_t Syy_t)`` (year fixed effects);
       ``within="average"`` averages the yearly correlations instead (each year weighs
       the same); ``within="none"`` is the old pooled correlation. Spearman's rho is the
       same statistic on ranks taken within each year (over the group with "none").
    2. **A QAP permutation test** (quadratic assignment procedure; Hubert & Schultz 1976,
       Krackhardt 1988), the standard significance test for dyadic data: the actor labels
       of the external measure are permuted, jointly on rows and columns of its dyadic
       matrix, and the correlation recomputed. One draw permutes all actors of the table
       and each year uses its restriction to that year's actors (uniform on the year's
       permutations, and coherent across years, so that the combined test keeps the
       actors' persistence across years). ``qap_p`` is the two-sided p-value of the
       group's statistic (1 above) under the same draws; the yearly p-values are in
       ``attrs["by_year"]``. The null is "the external measure's actor labels are
       exchangeable with respect to the text", the p-value ``(1 + #{|r*| >= |r|}) /
       (1 + n_perm)``.
    3. **The pooled correlation** (``pooled_pearson``, ``pooled_spearman``) of all
       dyad-years of the group without demeaning, for reference only.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`toolkit.alignment.similarity_panel` with yearly periods.
    external : DataFrame
        ``actor_a, actor_b, year, agreement`` (``toolkit.external.voting_agreement``).
    by_decade : bool, default=True
        One row per decade plus an ``"all"`` row; False gives only the ``"all"`` row.
    value : str, default="agreement"
        The external column.
    year_col : str, default="year"
        The external table's year column.
    within : {"year", "average", "none"}, default="year"
        How years are combined in the reported correlation (see 1 above).
    n_boot : int, default=1000
        Vertex-bootstrap replicates (0: no interval). Dyad-years are not independent: every
        dyad shares its actors with many others and recurs every year. A replicate draws
        the group's actors with replacement and keeps every dyad-year among the drawn
        actors, dyad (i, j) with weight ``w_i * w_j`` (the vertex bootstrap of Snijders &
        Borgatti 1999).
    n_perm : int, default=1000
        QAP permutations (0: no test). The smallest possible p-value is
        ``1 / (n_perm + 1)``; a year with n actors has only n! relabellings.
    ci_method : {"bca", "percentile", "basic"}, default="bca"
        Interval from the bootstrap replicates with
        :func:`toolkit.uncertainty.bootstrap_interval`: BCa (Efron 1987) with the
        acceleration from a jackknife over actors (leave one actor and all its dyads out),
        the percentile or the basic interval.
    ci_level : float, default=0.95
        Coverage of the intervals; ``1 - ci_level`` is also the level at which years are
        counted as significant by QAP.
    min_n : int, default=10
        Groups with fewer joined dyad-years get NaN correlations.
    random_state : int, Generator or None, default=None
        Seed of the permutations and the bootstrap; the same input and seed give identical
        output.

    Returns
    -------
    DataFrame
        One row per decade and an ``"all"`` row: ``decade, n_dyad_years, n_actors,
        n_years, first_year, last_year, pearson, pearson_ci_low, pearson_ci_high,
        spearman, spearman_ci_low, spearman_ci_high`` (the within-year statistic of
        ``within`` and its interval), ``pooled_pearson, pooled_spearman`` (no demeaning),
        ``qap_p`` (combined two-sided QAP p-value of ``pearson``), ``n_years_tested`` and
        ``n_years_significant`` (years with a QAP p-value, and those below
        ``1 - ci_level``). ``attrs["by_year"]``: records ``year, decade, n_dyads,
        n_actors, pearson, spearman, qap_p`` (``pd.DataFrame(v.attrs["by_year"])``);
        ``attrs["unmatched"]`` (from :func:`join_dyads`), ``attrs["n_joined"]`` and
        ``attrs["params"]`` (the options) and ``attrs["methods"]`` (the keys of
        :func:`toolkit.methods.registry` used, for the report's Methods paragraph). The
        Spearman bootstrap reuses the sample's ranks.

    Notes
    -----
    Seats: the tables must code states the same way. With the defaults of
    :func:`toolkit.corpora.load_ungdc` (``china_seat="split"``) and
    :mod:`toolkit.external` (``seat_convention="split"``), the Republic of China is TWN up to
    1971 and the People's Republic CHN from 1971 (votes) or 1972 (speeches); RUS is the
    Soviet Union's seat up to 1991 and the Russian Federation's after.

    References
    ----------
    Hubert, L. & Schultz, J. (1976). Quadratic assignment as a general data analysis
    strategy. *British Journal of Mathematical and Statistical Psychology* 29(2), 190-241.
    Krackhardt, D. (1988). Predicting with networks: nonparametric multiple regression
    analysis of dyadic data. *Social Networks* 10(4), 359-381.
    Snijders, T. A. B. & Borgatti, S. P. (1999). Non-parametric standard errors and tests
    for network statistics. *Connections* 22(2), 161-170.
    Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82(397), 171-185.
    """
    opts = _Options(
        value=value,
        within=check_option("within", within, _WITHIN),
        n_boot=check_int("n_boot", n_boot, min_value=0),
        n_perm=check_int("n_perm", n_perm, min_value=0),
        ci_method=check_option("ci_method", ci_method, ("bca", "percentile", "basic")),
        ci_level=check_ci_level(ci_level),
        min_n=check_int("min_n", min_n, min_value=2),
    )
    joined, unmatched = join_dyads(panel, external, value=value, year_col=year_col)
    rng = np.random.default_rng(random_state)
    codes, names = pd.factorize(pd.concat([joined["actor_a"], joined["actor_b"]]))
    work = joined.assign(_a=codes[: len(joined)], _b=codes[len(joined):])
    years = work["year"].to_numpy(dtype=np.int64)
    x = work["similarity"].to_numpy(dtype=float)
    y = work[value].to_numpy(dtype=float)
    ca, cb = work["_a"].to_numpy(), work["_b"].to_numpy()
    # centred on the grand means (exact arithmetic is unchanged; fewer rounding errors)
    pearson_blocks = _year_blocks(ca, cb, years, x - (x.mean() if len(x) else 0.0),
                                  y - (y.mean() if len(y) else 0.0))
    by_year = work.groupby("year")
    rank_blocks = _year_blocks(ca, cb, years, by_year["similarity"].rank().to_numpy(),
                               by_year[value].rank().to_numpy())
    groups: list[tuple[str, pd.DataFrame]] = []
    if by_decade:
        groups += [(str(d), g) for d, g in work.groupby(assign_period(work, "decade"))]
    groups.append(("all", work))
    with threadpool_limits(limits=1, user_api="blas"):
        qap = _qap_sums(pearson_blocks, len(names), n_perm=opts.n_perm, rng=rng)
        year_records, year_p = _year_rows(pearson_blocks, rank_blocks, qap, len(names))
        out = pd.DataFrame([
            _group_row(label, g, pearson_blocks=pearson_blocks, rank_blocks=rank_blocks,
                       qap=qap, qap_p=year_p, n_total=len(names), opts=opts, rng=rng)
            for label, g in groups
        ])
    out.attrs["by_year"] = year_records
    out.attrs["unmatched"] = unmatched.to_dict("records")
    out.attrs["n_joined"] = len(joined)
    out.attrs["methods"] = [m for m, used in (
        ("within_year_correlation", within != "none"), ("qap", n_perm > 0),
        ("vertex_bootstrap", n_boot > 0), (ci_method, n_boot > 0)) if used]
    out.attrs["params"] = {"n_boot": n_boot, "n_perm": n_perm, "ci_level": ci_level,
                           "ci_method": ci_method, "within": within, "value": value,
                           "methods": out.attrs["methods"]}
    return out


def summarize_validation(validation: pd.DataFrame, *, method: str = "pearson") -> dict[str, Any]:
    """The numbers a report states about :func:`validate_against` output.

    Parameters
    ----------
    validation : DataFrame
        Output of :func:`validate_against` (per-decade rows and the ``"all"`` row).
    method : {"pearson", "spearman"}, default="pearson"
        Which correlation to summarise.

    Returns
    -------
    dict
        Per decade: ``n_decades`` (decades with a correlation), ``n_positive`` /
        ``n_negative`` (decades whose interval lies above / below zero), ``low`` and
        ``high`` (smallest and largest per-decade correlation) with ``low_decade`` /
        ``high_decade``, and ``n_decades_qap`` (decades whose combined QAP p-value is below
        ``1 - ci_level``). From the ``"all"`` row: ``n_dyad_years``, ``n_actors``,
        ``first_year``, ``last_year``; ``overall`` with ``overall_ci_low`` /
        ``overall_ci_high`` (the within-year correlation over all years and its
        vertex-bootstrap interval); ``pooled`` (the correlation of all dyad-years without
        demeaning, for reference; for a table from an older version without
        ``pooled_<method>``, the ``"all"`` row's correlation); ``qap_p`` (combined QAP
        p-value), ``n_years_tested`` and ``n_years_significant`` (years with a QAP
        p-value, and those below ``1 - ci_level``). ``within``, ``ci_method``,
        ``ci_level``, ``n_boot`` and ``n_perm`` repeat the options (None when unknown).
    """
    if method not in {"pearson", "spearman"}:
        raise ValueError(f"method={method!r} is not supported; use 'pearson' or 'spearman'.")
    require_columns(
        validation,
        ["decade", "n_dyad_years", "n_actors", method, f"{method}_ci_low", f"{method}_ci_high"],
        what="validation table",
        hint=COLUMNS_HINT,
    )
    params = validation.attrs.get("params", {})
    alpha = 1.0 - float(params.get("ci_level", 0.95))
    label = validation["decade"].astype(str)
    pooled = validation[label == "all"]
    if pooled.empty:
        raise ValueError("The validation table has no pooled 'all' row; use validate_against().")
    dec = validation[(label != "all") & validation[method].notna()]
    r = dec[method].to_numpy(dtype=float)
    p = pooled.iloc[0]

    def get(key: str, default: Any = np.nan) -> Any:
        return p[key] if key in p.index else default

    return {
        "n_decades": len(dec),
        "n_positive": int((dec[f"{method}_ci_low"] > 0).sum()),
        "n_negative": int((dec[f"{method}_ci_high"] < 0).sum()),
        "low": float(r.min()) if len(r) else np.nan,
        "high": float(r.max()) if len(r) else np.nan,
        "low_decade": str(dec["decade"].iloc[int(r.argmin())]) if len(r) else None,
        "high_decade": str(dec["decade"].iloc[int(r.argmax())]) if len(r) else None,
        "n_decades_qap": int((dec["qap_p"] < alpha).sum()) if "qap_p" in dec else 0,
        "n_dyad_years": int(p["n_dyad_years"]),
        "n_actors": int(p["n_actors"]),
        "first_year": p.get("first_year"),
        "last_year": p.get("last_year"),
        "overall": float(p[method]),
        "overall_ci_low": float(p[f"{method}_ci_low"]),
        "overall_ci_high": float(p[f"{method}_ci_high"]),
        "pooled": float(get(f"pooled_{method}", p[method])),
        "qap_p": float(get("qap_p")),
        "n_years_tested": int(get("n_years_tested", 0)),
        "n_years_significant": int(get("n_years_significant", 0)),
        "within": params.get("within"),
        "ci_method": params.get("ci_method"),
        "ci_level": params.get("ci_level"),
        "n_boot": params.get("n_boot"),
        "n_perm": params.get("n_perm"),
    }

"""Similarity panels: who speaks alike within each period, as a tidy dyad table.

:func:`similarity_panel` sums the rows of a matrix (documents or passages) into
actor-period units and reports, for every period, the similarity of every pair of units
with bootstrap intervals over the rows (basic by default, BCa on request; the resampling
and the jackknife live in :mod:`~toolkit.alignment._resample`);
:func:`issue_similarity_panel` does the same on
passages matching a dictionary. :func:`dyad_series`, :func:`dyad_summary` and
:func:`actors_in_period` read a panel.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from toolkit import features, keywords
from toolkit._validation import (
    check_ci_level,
    check_int,
    check_option,
    renamed_parameters,
    require_columns,
)
from toolkit.alignment._resample import (
    bootstrap_period,
    cosines,
    dyad_intervals,
    idf_weights,
    jackknife_period,
    js_similarity,
    weight_rows,
)
from toolkit.alignment._units import (
    COLUMNS_HINT,
    Units,
    pair_key,
    period_positions,
    restore_period_dtype,
    units,
    unknown_codes_message,
)
from toolkit.exceptions import FewUnitsWarning, UnresolvedIntervalWarning
from toolkit.features import DocTermMatrix, normalize_rows
from toolkit.periods import Period

__all__ = [
    "PANEL_COLUMNS",
    "actors_in_period",
    "dyad_series",
    "dyad_summary",
    "issue_similarity_panel",
    "similarity_panel",
]

#: Columns of the tidy dyad table returned by :func:`similarity_panel`.
PANEL_COLUMNS: tuple[str, ...] = (
    "actor_a",
    "actor_b",
    "period",
    "similarity",
    "ci_low",
    "ci_high",
    "n_docs_a",
    "n_docs_b",
    "n_tokens_a",
    "n_tokens_b",
    "n_passages_a",
    "n_passages_b",
    "boot_bias",
)

_PANEL_NEEDS = ["actor_a", "actor_b", "period", "similarity"]

#: The ``interval=`` options of :func:`similarity_panel` (keys of ``uncertainty.METHODS``).
INTERVALS: tuple[str, ...] = ("bca", "percentile", "basic")


# ====================================================================== measures
def _as_labelled(x: Any) -> tuple[sp.csr_matrix | np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(matrix, row_ids, column_labels)`` from a DocTermMatrix, DataFrame or model."""
    if isinstance(x, DocTermMatrix):
        return x.matrix, np.asarray(x.doc_ids, dtype=object), np.asarray(x.vocab, dtype=object)
    if hasattr(x, "doc_topic_") and hasattr(x, "doc_ids_"):
        mat = np.asarray(x.doc_topic_, dtype=float)
        labels = np.array([f"topic_{k}" for k in range(mat.shape[1])], dtype=object)
        return mat, np.asarray(x.doc_ids_, dtype=object), labels
    if isinstance(x, pd.DataFrame):
        return (
            x.to_numpy(dtype=float),
            np.asarray(x.index.astype(str), dtype=object),
            np.asarray(x.columns.astype(str), dtype=object),
        )
    raise TypeError(
        f"Expected a DocTermMatrix, a DataFrame indexed by doc_id or a fitted topic model "
        f"(with doc_topic_ and doc_ids_), got {type(x).__name__}."
    )


# ====================================================================== panel steps
@dataclass(frozen=True)
class _PanelOptions:
    """The options of :func:`similarity_panel` that every period step needs."""

    measure: str
    idf: str | None
    sublinear_tf: bool
    n_boot: int
    ci_level: float
    interval: str
    min_passages: int
    weighted: bool


@dataclass(frozen=True)
class _Aggregate:
    """Rows prepared for resampling and their sums per actor-period unit."""

    x: sp.csr_matrix | np.ndarray  # rows (float64 counts, or weighted topic shares)
    agg: sp.csr_matrix | np.ndarray  # unit sums (cosine: columns in ``col_order``)
    n_tokens: np.ndarray  # per unit
    col_order: np.ndarray | None  # cosine: columns by unit frequency, frequent first
    n_dense: int  # cosine: columns multiplied densely (see _gram)
    global_idf: np.ndarray | None


def _check_panel_options(
    *, measure: str, idf: str | None, ci_level: float, interval: str, n_boot: int,
    min_passages: int,
) -> None:
    if measure not in {"cosine", "js"}:
        raise ValueError(f"measure={measure!r} is not supported; use 'cosine' or 'js'.")
    check_option("idf", idf, ("period", "global", None))
    check_ci_level(ci_level)
    if interval == "centered":
        raise ValueError(
            "interval='centered' (the percentile interval minus the bootstrap bias) was "
            "removed: it is not an interval for any defined quantity. Use 'bca' (the "
            "default), 'percentile' or 'basic'."
        )
    check_option("interval", interval, INTERVALS)
    check_int("n_boot", n_boot, min_value=0)
    check_int("min_passages", min_passages, min_value=2)


def _wanted_actors(actors: Iterable[str] | None, units: Units, *, by: str) -> np.ndarray | None:
    """The sorted actor codes asked for (None: every actor of each period)."""
    if actors is None:
        return None
    known_actors = np.unique(units.actor.astype(str))
    wanted = np.unique(np.asarray(list(actors), dtype=object).astype(str))
    if len(wanted) < 2:
        raise ValueError(f"actors must name at least two actors to form dyads, got {actors}.")
    unknown = np.setdiff1d(wanted, known_actors).tolist()
    if unknown:
        raise ValueError(unknown_codes_message(unknown, known_actors.tolist(), by))
    return wanted


def _row_weights(weights: pd.Series | None, row_ids: np.ndarray) -> np.ndarray:
    if weights is None:
        return np.ones(len(row_ids))
    w = pd.Series(weights).reindex(pd.Index(row_ids.astype(str)))
    if w.isna().any():
        raise ValueError(
            f"weights has no value for {int(w.isna().sum())} row(s), e.g. "
            f"{w.index[w.isna()][:5].tolist()}."
        )
    return w.to_numpy(dtype=float)


def _aggregate(
    matrix: Any,
    row_ids: np.ndarray,
    units: Units,
    *,
    measure: str,
    idf: str | None,
    weights: pd.Series | None,
) -> _Aggregate:
    """Sum the rows into units (one sparse product), ready for both measures."""
    ind = units.indicator(matrix.shape[0])
    if measure == "cosine":
        if not sp.issparse(matrix):
            matrix = sp.csr_matrix(matrix)
        x = sp.csr_matrix(matrix, dtype=np.float64)
        agg = (ind @ x).tocsr()
        n_tokens = np.asarray(agg.sum(axis=1)).ravel()
        # columns ordered by unit frequency: the frequent head is multiplied densely (BLAS),
        # the long sparse tail as a sparse product (see _gram)
        unit_df = np.bincount(agg.indices, minlength=agg.shape[1])
        col_order = np.argsort(-unit_df, kind="stable")
        n_dense = int((unit_df >= max(8, 0.3 * agg.shape[0])).sum())
        agg = agg[:, col_order].tocsr()
        global_idf = idf_weights(agg, agg.shape[0]) if idf == "global" else None
        return _Aggregate(x, agg, n_tokens, col_order, n_dense, global_idf)
    x = np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float64)
    if (x < 0).any():
        raise ValueError("measure='js' needs non-negative topic weights; the matrix has < 0.")
    props = normalize_rows(x, empty=np.nan)
    row_weight = _row_weights(weights, row_ids)
    row_weight = np.where(np.isnan(props).any(axis=1), 0.0, row_weight)
    x = np.nan_to_num(props) * row_weight[:, None]
    agg = ind @ x
    n_tokens = ind @ row_weight if weights is not None else np.full(agg.shape[0], np.nan)
    return _Aggregate(x, agg, n_tokens, None, 0, None)


def _point_estimate(
    data: _Aggregate, units: Units, p: int, sel: np.ndarray, *, opts: _PanelOptions
) -> tuple[np.ndarray, np.ndarray | None]:
    """Similarity among the units ``sel`` of period ``p``, and the idf weights used."""
    if opts.measure == "js":
        prof = normalize_rows(data.agg[sel], empty=np.nan)
        ia, ib = np.meshgrid(np.arange(len(sel)), np.arange(len(sel)), indexing="ij")
        return js_similarity(prof[ia], prof[ib]), None
    us, ue = units.period_start[p], units.period_start[p + 1]
    idf_p = idf_weights(data.agg[us:ue], ue - us) if opts.idf == "period" else data.global_idf
    y = weight_rows(data.agg[sel], idf_p, sublinear_tf=opts.sublinear_tf)
    return cosines(y, data.n_dense), idf_p


def _intervals(
    data: _Aggregate,
    units: Units,
    sim: np.ndarray,
    uidx: np.ndarray,
    ok: np.ndarray,
    *,
    idf_p: np.ndarray | None,
    opts: _PanelOptions,
    rng: np.random.Generator,
) -> tuple[np.ndarray, ...]:
    """``ci_low, ci_high, boot_bias, unresolved`` of every dyad (upper triangle) of a period.

    ``unresolved`` (bool) marks BCa intervals left NaN because their levels lie beyond the
    replicates.
    """
    k = len(uidx)
    ia, ib = np.triu_indices(k, 1)
    nan = [np.full(len(ia), np.nan) for _ in range(3)] + [np.zeros(len(ia), dtype=bool)]
    if opts.n_boot <= 0:
        return tuple(nan)
    # bootstrap among present actors with enough rows
    nrows = np.zeros(k, dtype=np.int64)
    nrows[ok] = units.n_rows[uidx[ok]]
    boot_ok = nrows >= opts.min_passages
    if boot_ok.sum() < 2:
        return tuple(nan)
    bpos = np.flatnonzero(boot_ok)
    bu = uidx[bpos]
    reps = bootstrap_period(
        data.x,
        units,
        bu,
        n_boot=opts.n_boot,
        rng=rng,
        measure=opts.measure,
        idf=idf_p,
        sublinear_tf=opts.sublinear_tf,
        col_order=data.col_order,
        n_dense=data.n_dense,
    )  # (n_boot, len(bu), len(bu))
    acc = None
    if opts.interval == "bca":
        acc = jackknife_period(
            data.x,
            units,
            bu,
            measure=opts.measure,
            idf=idf_p,
            sublinear_tf=opts.sublinear_tf,
            col_order=data.col_order,
        )
    ja, jb = np.triu_indices(len(bu), 1)
    qs = dyad_intervals(
        sim[bpos[ja], bpos[jb]],
        reps[:, ja, jb],
        None if acc is None else acc[ja, jb],
        method=opts.interval,
        ci_level=opts.ci_level,
    )
    full = np.full((4, k, k), np.nan)
    for i in range(4):
        full[i, bpos[ja], bpos[jb]] = qs[i]
    return full[0, ia, ib], full[1, ia, ib], full[2, ia, ib], full[3, ia, ib] == 1


def _period_dyads(
    data: _Aggregate,
    units: Units,
    p: int,
    names: np.ndarray,
    local: np.ndarray,
    *,
    opts: _PanelOptions,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The panel columns for the dyads among ``names`` in period ``p``.

    ``local`` gives each name's position among the period's units (-1 when absent).
    """
    k = len(names)
    ok = local >= 0
    uidx = np.where(ok, units.period_start[p] + np.maximum(local, 0), -1)
    sel = uidx[ok]
    # point estimate among present actors
    sim = np.full((k, k), np.nan)
    s, idf_p = _point_estimate(data, units, p, sel, opts=opts)
    okpos = np.flatnonzero(ok)
    sim[np.ix_(okpos, okpos)] = s
    ia, ib = np.triu_indices(k, 1)
    lo, hi, bias, unresolved = _intervals(
        data, units, sim, uidx, ok, idf_p=idf_p, opts=opts, rng=rng
    )
    nd = np.zeros(k, dtype=np.int64)
    nt = np.zeros(k)
    npass = np.zeros(k, dtype=np.int64)
    nd[ok] = units.n_docs[sel]
    nt[ok] = data.n_tokens[sel]
    npass[ok] = units.n_rows[sel]
    if opts.measure == "js" and not opts.weighted:
        nt[:] = np.nan
    return {
        "actor_a": names[ia],
        "actor_b": names[ib],
        "period": np.repeat(np.array([units.periods[p]], dtype=object), len(ia)),
        "similarity": sim[ia, ib],
        "ci_low": lo,
        "ci_high": hi,
        "n_docs_a": nd[ia],
        "n_docs_b": nd[ib],
        "n_tokens_a": nt[ia],
        "n_tokens_b": nt[ib],
        "n_passages_a": npass[ia],
        "n_passages_b": npass[ib],
        "boot_bias": bias,
        "_unresolved": unresolved,  # not a column: counted for the warning
    }


def _panel_table(pieces: list[dict[str, np.ndarray]], units: Units) -> pd.DataFrame:
    if pieces:
        data = {c: np.concatenate([pc[c] for pc in pieces]) for c in PANEL_COLUMNS}
    else:
        data = {c: np.array([]) for c in PANEL_COLUMNS}
    out = pd.DataFrame(data, columns=list(PANEL_COLUMNS))
    out["period"] = restore_period_dtype(out["period"], units.periods)
    for c in ("n_docs_a", "n_docs_b", "n_passages_a", "n_passages_b"):
        out[c] = out[c].astype(np.int64)
    return out


def _warn_gaps(missing_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Warn about actor-periods without text (NaN similarity); return them as a table."""
    missing = pd.DataFrame(missing_rows, columns=["period", "actor"])
    if len(missing):
        per_actor = missing.groupby("actor").size().sort_values(ascending=False)
        warnings.warn(
            f"{len(missing)} actor-period(s) have no text and give NaN similarity: "
            + ", ".join(f"{a} ({n} periods)" for a, n in per_actor.head(8).items()),
            stacklevel=4,
        )
    return missing


def _few_units(panel: pd.DataFrame, *, n_boot: int, min_passages: int) -> pd.DataFrame:
    """Warn about actor-periods with too few passages to resample; return them as a table.

    Their dyads have NaN intervals (:class:`~toolkit.exceptions.FewUnitsWarning`).
    """
    sides = [
        panel[["period", f"actor_{s}", f"n_passages_{s}"]].set_axis(
            ["period", "actor", "n_passages"], axis=1
        )
        for s in ("a", "b")
    ]
    present = pd.concat(sides).drop_duplicates(["period", "actor"])
    present = present[present["n_passages"] > 0]
    few = present[present["n_passages"] < min_passages].sort_values(["period", "actor"])
    if n_boot > 0 and len(few):
        every = len(few) == len(present)
        examples = ", ".join(
            f"{r.actor} {r.period} ({r.n_passages})" for r in few.head(5).itertuples()
        )
        warnings.warn(
            f"{len(few)} of {len(present)} actor-periods have fewer than min_passages="
            f"{min_passages} passages (e.g. {examples}); every dyad with one of them has NaN "
            "intervals."
            + (
                " No interval could be computed: build the matrix on split_passages(corpus) "
                "to resample paragraphs."
                if every
                else ""
            ),
            FewUnitsWarning,
            stacklevel=4,
        )
    return few.reset_index(drop=True)


def _warn_unresolved(n_unresolved: int, n_boot_dyads: int, *, n_boot: int) -> None:
    """Warn when BCa could not be read off the replicates for some dyads (left NaN)."""
    if n_unresolved:
        warnings.warn(
            f"BCa is undefined for {n_unresolved} of {n_boot_dyads} resampled dyads (NaN "
            f"intervals): their replicates lie almost all below the estimate (the bootstrap "
            f"bias, boot_bias, is large next to their spread), so the bias-corrected levels "
            f"fall beyond the {n_boot} replicates. This happens with sparse profiles (many "
            "terms, few tokens), whose summed-profile cosine is biased downward; use "
            "interval='basic', which reflects the replicates about the estimate (more "
            "replicates help only when the bias is moderate).",
            UnresolvedIntervalWarning,
            stacklevel=4,
        )


# ====================================================================== similarity panel
@renamed_parameters(ci_method="interval")
def similarity_panel(
    dtm: Any,
    corpus: pd.DataFrame,
    *,
    by: str = "actor",
    period: Period = "year",
    measure: str = "cosine",
    actors: Iterable[str] | None = None,
    periods: Iterable[Any] | None = None,
    idf: str | None = "period",
    sublinear_tf: bool = False,
    weights: pd.Series | None = None,
    n_boot: int = 200,
    ci_level: float = 0.95,
    interval: str = "basic",
    min_passages: int = 5,
    random_state: int | np.random.Generator | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Actor x actor similarity within each period, as a tidy dyad table.

    Rows of ``dtm`` (documents or passages) are summed into actor-period units. For
    ``measure="cosine"`` each unit's count vector is tf-idf weighted and the cosine of every
    pair of units in a period is reported. For ``measure="js"`` ``dtm`` holds topic weights
    per row (a doc-topic matrix); each unit's topic profile is the (``weights``-weighted) mean
    of its rows' topic proportions and similarity is ``1 - JSD`` (base 2, in [0, 1]).

    **Intervals.** The rows of each unit are the resampled units: a replicate draws, for
    each of the two actors of a dyad independently, as many of its passages as it has, with
    replacement (a two-sample, stratified bootstrap; vectorised as sparse products), with the
    idf weights held at their full-sample values. The default interval is the basic
    (reflected) bootstrap interval (Davison & Hinkley 1997, ch. 5.2), because it is the one
    that keeps its coverage at the bias these profiles have (see "Which interval" below).
    ``interval="bca"`` gives the bias-corrected and accelerated (BCa) bootstrap (Efron 1987,
    *JASA* 82, 171-185), whose acceleration comes
    from the jackknife over the passages of both actors, each left out in turn (influence
    values centred within each actor, Davison & Hinkley 1997, *Bootstrap Methods and their
    Application*, ch. 3.2 and 5.3; the form of ``scipy.stats.bootstrap(method="BCa")`` for
    several samples). The leave-one-out sums are the unit totals minus the row, so the
    jackknife costs a few sparse products per period however many passages there are.
    ``"percentile"`` and ``"basic"`` are the plain percentile and reflected (basic) intervals
    of the same replicates. Units with fewer than ``min_passages`` rows get NaN intervals and
    a :class:`~toolkit.exceptions.FewUnitsWarning`: with one speech per actor-year there is
    nothing to resample, so build the matrix on :func:`toolkit.text.split_passages` output
    (paragraphs). ``n_passages_a`` and ``n_passages_b`` report the units of each side.

    **Levels depend on the number of passages.** The cosine of two summed profiles falls as
    the number of passages falls: fewer passages give sparser profiles that share fewer terms
    (the same holds, more weakly, for topic profiles). A low similarity of actors who said
    little is partly a count effect, and so is the downward shift of bootstrap replicates
    (``boot_bias``): compare levels only between dyads (and periods) with similar passage
    counts, and read ``n_passages_*`` beside every value.

    **Which interval.** Against the similarity of the actors' population profiles, the plug-in
    cosine is biased downward by roughly the effective number of terms over the tokens. BCa
    corrects a bias that is small next to the standard error (simulation, 20 terms, 80
    passages of ~30 tokens per actor: coverage 0.94). When the bias is larger, the BCa limits
    lie beyond the replicates (their adjusted levels fall outside ``[1/(B+1), B/(B+1)]``,
    :func:`toolkit.uncertainty.bca_levels`); those intervals are NaN, with an
    :class:`~toolkit.exceptions.UnresolvedIntervalWarning`, rather than limits read off the
    extreme replicates. That is the usual case for tf-idf profiles of speeches: on UNGDC
    paragraphs (3,714 terms, 2010-2014) the bootstrap bias is a median 1.5 standard errors
    and BCa is unresolved for almost every dyad even with 1,000 replicates. ``"basic"``
    reflects the replicates about the estimate and so corrects the bias to first order
    (simulation, 100 terms, 40 passages: basic 0.94, BCa 0.36 before the guard, percentile
    0.05; 20 passages: basic 0.87); its interval lies above the plug-in estimate when the
    bias is large. ``"percentile"`` keeps the bias and does not cover.

    Parameters
    ----------
    dtm : DocTermMatrix or DataFrame or fitted topic model
        Counts of shape (n_rows, n_terms) for ``"cosine"``; topic weights of shape
        (n_rows, n_topics) for ``"js"`` (a DataFrame indexed by doc_id or an object with
        ``doc_topic_`` and ``doc_ids_``).
    corpus : DataFrame
        The table the rows come from: ``doc_id``, ``by``, what the period needs (``year``,
        a column, ``date``) and, for passages, ``parent_doc_id`` (used to count documents).
    by : str, default="actor"
        The column naming the actor.
    period : {"year", "decade"} or int or str or callable, default="year"
        How rows are grouped in time, as everywhere (:func:`toolkit.periods.assign_period`):
        ``"year"``, ``"decade"``, an int N (N-year bins labelled by their first year), a
        column name, a pandas frequency (``"M"``, ``"Q"``...) of ``date``, or
        ``f(corpus) -> values``.
    measure : {"cosine", "js"}, default="cosine"
        The similarity measure.
    actors : iterable of str or None, default=None
        Report only dyads among these actors, in every period; an actor absent from a period
        gives rows with NaN similarity and zero counts. Codes found nowhere raise
        ``ValueError`` (listed). None reports all actors present in each period. Weights (idf)
        are always computed from all actors.
    periods : iterable or None, default=None
        Only these periods (unknown ones raise ``ValueError``). None means all.
    idf : {"period", "global"} or None, default="period"
        Document frequencies counted over the actor-period units of the same period, over all
        units, or no idf (cosine of raw counts). Only for ``"cosine"``.
    sublinear_tf : bool, default=False
        Replace counts by ``1 + log(count)`` before idf weighting.
    weights : Series or None, default=None
        For ``"js"`` only: a weight per row (e.g. tokens), indexed by doc_id. None weighs rows
        equally. ``n_tokens_*`` are the weight sums (NaN without weights).
    n_boot : int, default=200
        Bootstrap replicates; 0 skips the intervals (``ci_low``, ``ci_high`` and
        ``boot_bias`` are NaN).
    ci_level : float, default=0.95
        Coverage of the interval.
    interval : {"basic", "bca", "percentile"}, default="basic"
        The bootstrap interval (see above; ``uncertainty.METHODS`` names each with its
        reference). ``ci_method=`` is the deprecated spelling; the former default
        ``"centered"`` (percentile minus the bootstrap bias) is refused: it was not an
        interval for any defined quantity.
    min_passages : int, default=5
        Units with fewer rows than this (>= 2) get NaN intervals, with a warning.
    random_state : int, Generator or None, default=None
        Seed of the bootstrap; the same input and seed give identical output.
    progress : bool, default=True
        Show a progress bar over periods when bootstrapping.

    Returns
    -------
    DataFrame
        Columns :data:`PANEL_COLUMNS`: one row per unordered dyad (``actor_a < actor_b``) and
        period; ``boot_bias`` is the mean of the replicates minus the estimate.
        ``attrs["alignment"]`` records the parameters, row counts, the interval's
        ``methods`` (keys of ``toolkit.uncertainty.METHODS``, also ``attrs["methods"]``), the
        actors missing per period (``"missing"``), the actor-periods below ``min_passages``
        (``"few_passages"``) and the number of BCa intervals left NaN (``"n_unresolved"``).

    Raises
    ------
    ValueError
        Unknown actor codes or periods, matrix rows absent from the corpus, bad options.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.alignment import similarity_panel
    >>> from toolkit.features import build_dtm
    >>> passages = pd.DataFrame({
    ...     "doc_id": ["chn#p0", "chn#p1", "rus#p0", "rus#p1", "usa#p0", "usa#p1"],
    ...     "actor": ["CHN", "CHN", "RUS", "RUS", "USA", "USA"], "year": 2023,
    ...     "text": ["No weapons for either side.", "Peace talks now.",
    ...              "Western weapons prolong the war.", "Peace talks on our terms.",
    ...              "More weapons for Ukraine.", "Military aid continues."]})
    >>> dtm = build_dtm(passages, use_cache=False, progress=False)
    >>> panel = similarity_panel(dtm, passages, n_boot=0, progress=False)
    >>> panel[["actor_a", "actor_b", "period", "similarity", "n_passages_a"]].round(3)
      actor_a actor_b  period  similarity  n_passages_a
    0     CHN     RUS    2023       0.523             2
    1     CHN     USA    2023       0.155             2
    2     RUS     USA    2023       0.081             2
    """
    _check_panel_options(
        measure=measure, idf=idf, ci_level=ci_level, interval=interval, n_boot=n_boot,
        min_passages=min_passages,
    )
    opts = _PanelOptions(
        measure=measure,
        idf=idf,
        sublinear_tf=sublinear_tf,
        n_boot=n_boot,
        ci_level=ci_level,
        interval=interval,
        min_passages=min_passages,
        weighted=weights is not None,
    )
    matrix, row_ids, _labels = _as_labelled(dtm)
    grouped = units(row_ids, corpus, by=by, period=period)
    rng = np.random.default_rng(random_state)
    wanted = _wanted_actors(actors, grouped, by=by)
    period_idx = period_positions(grouped, periods)
    data = _aggregate(matrix, row_ids, grouped, measure=measure, idf=idf, weights=weights)

    pieces: list[dict[str, np.ndarray]] = []
    missing_rows: list[dict[str, Any]] = []
    iterator: Iterable[int] = period_idx
    if progress and n_boot > 0 and len(period_idx) > 3:
        from tqdm.auto import tqdm

        iterator = tqdm(period_idx, desc=f"similarity ({measure}, {n_boot} boot)", unit="period")

    # many small products: threaded BLAS only adds overhead (and contention on shared hosts)
    with threadpool_limits(limits=1, user_api="blas"):
        for p in iterator:
            us, ue = grouped.period_start[p], grouped.period_start[p + 1]
            present = grouped.actor[us:ue].astype(str)
            names = wanted if wanted is not None else present
            local = pd.Index(present).get_indexer(names)  # -1 where absent
            if wanted is not None and (local < 0).any():
                for a in names[local < 0]:
                    missing_rows.append({"period": grouped.periods[p], "actor": a})
            if len(names) < 2:
                continue
            pieces.append(_period_dyads(data, grouped, p, names, local, opts=opts, rng=rng))
    out = _panel_table(pieces, grouped)
    missing = _warn_gaps(missing_rows)
    few = _few_units(out, n_boot=n_boot, min_passages=min_passages)
    n_unresolved = int(sum(pc["_unresolved"].sum() for pc in pieces))
    _warn_unresolved(n_unresolved, int(out["boot_bias"].notna().sum()), n_boot=n_boot)
    out.attrs["alignment"] = {
        "measure": measure,
        "by": by,
        "period": period if isinstance(period, str) else repr(period),
        "idf": idf,
        "sublinear_tf": sublinear_tf,
        "n_boot": n_boot,
        "ci_level": ci_level,
        "interval": interval,
        "methods": (["passage_bootstrap", "bca_stratified" if interval == "bca" else interval]
                    if n_boot > 0 else []),
        "min_passages": min_passages,
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "rng",
        **grouped.report,
        "missing": missing.to_dict("records"),
        "few_passages": few.to_dict("records"),
        "n_unresolved": n_unresolved,
    }
    out.attrs["methods"] = list(out.attrs["alignment"]["methods"])  # toolkit.methods reads these
    return out


# ====================================================================== issue-specific
def issue_similarity_panel(
    corpus_or_passages: pd.DataFrame,
    *,
    dictionary: Any = None,
    categories: Sequence[str] | None = None,
    unit: str = "paragraph",
    dtm: DocTermMatrix | None = None,
    dtm_kw: Mapping[str, Any] | None = None,
    **panel_kw: Any,
) -> pd.DataFrame:
    """Similarity computed only on passages that match dictionary categories.

    Parameters
    ----------
    corpus_or_passages : DataFrame
        Either a passage table (has ``parent_doc_id``, e.g. from
        ``toolkit.keywords.extract_passages``), used as it is, or a corpus, from which the
        matching passages are extracted with ``keywords.extract_passages(corpus,
        keywords.load_dictionary(dictionary), categories=categories, unit=unit)``.
    dictionary : str or path or dict or Dictionary or None, default=None
        The dictionary that finds the passages in a corpus (e.g. ``"arms"``); required when
        a corpus is given, unused for a passage table.
    categories : sequence of str or None, default=None
        Categories to match; None means all.
    unit : {"paragraph", "sentence"}, default="paragraph"
        Passage unit for extraction.
    dtm : DocTermMatrix or None, default=None
        A matrix whose rows include every passage id (e.g. built once for all passages);
        None builds one with ``toolkit.features.build_dtm(passages, **dtm_kw)``.
    dtm_kw : mapping or None, default=None
        Options for ``build_dtm``.
    **panel_kw
        Passed to :func:`similarity_panel` (``by``, ``period``, ``actors``, ``n_boot``,
        ``interval``, ``min_passages``, ``random_state``...): the same BCa intervals over
        the matching passages, NaN for actor-periods with fewer than ``min_passages`` (5)
        of them.

    Returns
    -------
    DataFrame
        As :func:`similarity_panel`; ``attrs["alignment"]["issue"]`` records the dictionary,
        categories and number of passages.
    """
    passages = corpus_or_passages
    if "parent_doc_id" not in passages.columns:
        if dictionary is None:
            raise ValueError(
                "issue_similarity_panel needs dictionary= (e.g. 'arms') to find the passages "
                "of a corpus; or pass a passage table (with parent_doc_id)."
            )
        passages = keywords.extract_passages(
            passages, dictionary, categories=categories, unit=unit, progress=False
        )
    if len(passages) == 0:
        raise ValueError(
            f"No passage matches the dictionary categories {categories}; nothing to compare. "
            "Check the dictionary, the categories or the period filter."
        )
    dtm = _passage_matrix(passages, dtm, dtm_kw)
    out = similarity_panel(dtm, passages, **panel_kw)
    named = dictionary is None or isinstance(dictionary, str)
    out.attrs["alignment"]["issue"] = {
        "dictionary": passages.attrs.get("passages", {}).get(
            "dictionary", dictionary if named else repr(dictionary)
        ),
        "categories": list(categories) if categories is not None else None,
        "unit": unit,
        "n_passages": len(passages),
    }
    return out


def _passage_matrix(
    passages: pd.DataFrame, dtm: DocTermMatrix | None, dtm_kw: Mapping[str, Any] | None
) -> DocTermMatrix:
    """The rows of ``dtm`` for ``passages`` (every id must be there), or a new matrix."""
    if dtm is None:
        return features.build_dtm(passages, **dict(dtm_kw or {}))
    ids = passages["doc_id"].astype(str)
    have = pd.Index(np.asarray(dtm.doc_ids).astype(str))
    absent = ids[~ids.isin(have)]
    if len(absent):
        raise ValueError(
            f"{len(absent)} passage id(s) are not rows of dtm, e.g. {absent[:5].tolist()}; "
            "build the matrix on the same passage table."
        )
    return dtm.select_docs(ids.tolist())


# ====================================================================== reading a panel
def dyad_series(
    panel: pd.DataFrame, pairs: Iterable[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """The rows of ``panel`` for chosen dyads, labelled as the user wrote them.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    pairs : iterable of (str, str) or None, default=None
        Dyads in any order, e.g. ``[("CHN", "RUS"), ("DEU", "CHN")]``. None takes every
        dyad of the panel, labelled ``"actor_a–actor_b"`` and sorted by label.

    Returns
    -------
    DataFrame
        The panel columns plus ``pair`` (``"CHN–RUS"``, as given), sorted by pair then period.

    Raises
    ------
    ValueError
        If a pair names an actor that never appears in the panel (codes listed).
    """
    require_columns(panel, _PANEL_NEEDS, what="panel", hint=COLUMNS_HINT)
    if pairs is None:
        return _all_dyads(panel)
    pairs = [tuple(map(str, p)) for p in pairs]
    if any(len(p) != 2 or p[0] == p[1] for p in pairs):
        raise ValueError(f"pairs must be pairs of two different actor codes, got {pairs}.")
    known = np.union1d(panel["actor_a"].astype(str), panel["actor_b"].astype(str))
    unknown = sorted({c for p in pairs for c in p} - set(known.tolist()))
    if unknown:
        raise ValueError(unknown_codes_message(unknown, known.tolist(), "actor"))
    lo, hi = pair_key(panel["actor_a"], panel["actor_b"])
    frames = []
    for a, b in pairs:
        ka, kb = min(a, b), max(a, b)
        sub = panel.loc[(lo == ka) & (hi == kb)].copy()
        sub.insert(0, "pair", f"{a}–{b}")
        frames.append(sub)
    out = pd.concat(frames, ignore_index=True) if frames else panel.iloc[:0].assign(pair=[])
    out["pair"] = pd.Categorical(out["pair"], categories=[f"{a}–{b}" for a, b in pairs])
    return out.sort_values(["pair", "period"], kind="stable").reset_index(drop=True)


def _all_dyads(panel: pd.DataFrame) -> pd.DataFrame:
    """Every dyad of ``panel`` as :func:`dyad_series` labels them (smaller code first)."""
    lo, hi = pair_key(panel["actor_a"], panel["actor_b"])
    labels = pd.Series(lo, dtype=object) + "–" + pd.Series(hi, dtype=object)
    out = panel.reset_index(drop=True)
    out.insert(0, "pair", pd.Categorical(labels, categories=sorted(set(labels))))
    return out.sort_values(["pair", "period"], kind="stable").reset_index(drop=True)


def dyad_summary(series: pd.DataFrame) -> pd.DataFrame:
    """One line per dyad of :func:`dyad_series` output: its mean and its last period.

    Parameters
    ----------
    series : DataFrame
        ``pair, period, similarity`` (optionally ``ci_low, ci_high``).

    Returns
    -------
    DataFrame
        ``pair, n_periods, mean_similarity, last_period, last_similarity, last_ci_low,
        last_ci_high`` (periods with a similarity only; dyads in the order of ``series``).
    """
    require_columns(
        series, ["pair", "period", "similarity"],
        what="dyad series", hint=COLUMNS_HINT,
    )
    known = series[series["similarity"].notna()]
    rows = []
    pairs = (
        series["pair"].cat.categories
        if isinstance(series["pair"].dtype, pd.CategoricalDtype)
        else pd.unique(series["pair"])
    )
    for pair in pairs:
        g = known[known["pair"] == pair].sort_values("period", kind="stable")
        if g.empty:
            continue
        last = g.iloc[-1]
        rows.append(
            {
                "pair": str(pair),
                "n_periods": len(g),
                "mean_similarity": float(g["similarity"].mean()),
                "last_period": last["period"],
                "last_similarity": float(last["similarity"]),
                "last_ci_low": float(last.get("ci_low", np.nan)),
                "last_ci_high": float(last.get("ci_high", np.nan)),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["pair", "n_periods", "mean_similarity", "last_period", "last_similarity",
                 "last_ci_low", "last_ci_high"],
    )


def actors_in_period(
    panel: pd.DataFrame, period: Any, actors: Sequence[str] | None = None
) -> list[str]:
    """The actors with at least one known similarity in ``period``, in the order given.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    period : scalar
        The period label, as in the panel's ``period`` column.
    actors : sequence of str or None, default=None
        Keep these (in this order) when present; None lists every actor, sorted.

    Returns
    -------
    list of str
    """
    require_columns(panel, _PANEL_NEEDS, what="panel", hint=COLUMNS_HINT)
    sub = panel[(panel["period"] == period) & panel["similarity"].notna()]
    present = set(sub["actor_a"].astype(str)) | set(sub["actor_b"].astype(str))
    if actors is None:
        return sorted(present)
    return [str(a) for a in actors if str(a) in present]

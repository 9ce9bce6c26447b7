"""Alignment between actors: who speaks alike, how that changes, and where they stand.

The building blocks, in pipeline order:

- :func:`split_passages` turns a corpus into a passage table (paragraphs or sentences,
  ``parent_doc_id`` kept) so that confidence intervals can resample passages *within*
  one speech: the UNGDC has one speech per actor and year.
- :func:`similarity_panel` gives, for every period, the actor x actor similarity as a tidy
  dyad table: tf-idf cosine of actor-period term vectors (``measure="cosine"``) or
  1 - Jensen-Shannon divergence of actor-period topic profiles (``measure="js"``), with
  percentile bootstrap intervals over passages.
- :func:`issue_similarity_panel` does the same on passages matching a dictionary category
  (e.g. arms transfers).
- :func:`dyad_series`, :func:`similarity_matrix`, :func:`cluster_blocs` and
  :func:`map_positions` (classical MDS with Procrustes-stable orientation) read a panel.
- :class:`Wordscores` (Laver, Benoit & Garry 2003) and :class:`Wordfish` (Slapin & Proksch
  2008) scale texts on one dimension; :func:`wordscores_by_period` runs the UNGDC authors'
  per-year Russia (-1) / USA (+1) analysis in one call.
- :func:`join_dyads` and :func:`validate_against` join a panel with an external dyadic measure
  (UN voting agreement) and report correlations by decade with bootstrap intervals, plus
  what did not match and why.

All functions take labelled inputs (:class:`~toolkit.features.DocTermMatrix` plus a corpus
table) and return new DataFrames; nothing mutates the caller's objects.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.linalg import eigh as scipy_eigh
from scipy.linalg import orthogonal_procrustes
from scipy.optimize import linear_sum_assignment, minimize
from sklearn.base import BaseEstimator
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from toolkit._validation import require_columns
from toolkit.features import DocTermMatrix
from toolkit.text import split_passages

__all__ = [
    "DEFAULT_PAIRS",
    "PANEL_COLUMNS",
    "Wordfish",
    "Wordscores",
    "actors_in_period",
    "bloc_summary",
    "centered_similarity",
    "cluster_blocs",
    "dyad_series",
    "dyad_summary",
    "issue_similarity_panel",
    "join_dyads",
    "map_positions",
    "similarity_matrix",
    "similarity_panel",
    "split_passages",
    "summarize_validation",
    "validate_against",
    "wordscores_by_period",
]

_COLUMNS_HINT = "Rename or add them (see toolkit.corpora.schema.STANDARD_COLUMNS)."

#: The dyads of the project's research question.
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("CHN", "RUS"),
    ("CHN", "USA"),
    ("DEU", "CHN"),
    ("RUS", "USA"),
)

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


# ====================================================================== passages
# ====================================================================== helpers
def _period_values(corpus: pd.DataFrame, period: str | Callable[[pd.DataFrame], Any]) -> pd.Series:
    if callable(period):
        values = pd.Series(np.asarray(period(corpus)), index=corpus.index)
    elif period in corpus.columns:
        values = corpus[period]
    elif period == "decade" and "year" in corpus.columns:
        values = corpus["year"].astype("Int64") // 10 * 10
    else:
        raise ValueError(
            f"period={period!r} is not a column of the corpus (columns: {list(corpus.columns)}); "
            "pass a column name, 'decade' (derived from 'year') or a callable."
        )
    return values


def _unknown_codes_message(unknown: Sequence[str], known: Sequence[str], what: str) -> str:
    hints = []
    for code in unknown[:5]:
        close = difflib.get_close_matches(str(code), [str(k) for k in known], n=3)
        if close:
            hints.append(f"{code!r} -> did you mean {close}?")
    hint = (" " + "; ".join(hints)) if hints else ""
    return (
        f"Unknown {what} code(s) {list(unknown)}: they occur nowhere in the data "
        f"({len(known)} known, e.g. {list(known)[:8]}).{hint}"
    )


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


@dataclass(frozen=True)
class _Units:
    """Matrix rows grouped into actor-period units, sorted by (period, actor)."""

    rows: np.ndarray  # matrix row positions, grouped by unit
    start: np.ndarray  # (n_units + 1,) pointers into ``rows``
    actor: np.ndarray  # (n_units,) actor code
    period_code: np.ndarray  # (n_units,) index into ``periods``
    periods: np.ndarray  # sorted period labels
    period_start: np.ndarray  # (n_periods + 1,) pointers into units
    n_docs: np.ndarray  # distinct parent documents per unit
    report: dict[str, Any]

    @property
    def n_rows(self) -> np.ndarray:
        return np.diff(self.start)

    def indicator(self, n_matrix_rows: int) -> sp.csr_matrix:
        n_units = len(self.actor)
        unit_of = np.repeat(np.arange(n_units), self.n_rows)
        return sp.csr_matrix(
            (np.ones(len(self.rows)), (unit_of, self.rows)), shape=(n_units, n_matrix_rows)
        )


def _units(
    row_ids: np.ndarray,
    corpus: pd.DataFrame,
    *,
    by: str,
    period: str | Callable[[pd.DataFrame], Any],
) -> _Units:
    require_columns(corpus, ["doc_id", by], what="corpus", hint=_COLUMNS_HINT)
    doc_id = corpus["doc_id"].astype(str)
    if doc_id.duplicated().any():
        dup = doc_id[doc_id.duplicated()].unique()[:5].tolist()
        raise ValueError(f"The corpus has duplicate doc_id values, e.g. {dup}; ids must be unique.")
    parent = corpus["parent_doc_id"].astype(str) if "parent_doc_id" in corpus.columns else doc_id
    meta = pd.DataFrame(
        {
            "actor": corpus[by].to_numpy(),
            "period": _period_values(corpus, period).to_numpy(),
            "parent": parent.to_numpy(),
        }
    )
    pos = pd.Index(doc_id).get_indexer(np.asarray(row_ids).astype(str))
    if (pos < 0).any():
        missing = np.asarray(row_ids)[pos < 0]
        raise ValueError(
            f"{len(missing)} matrix row(s) have no row in the corpus, e.g. {missing[:5].tolist()}. "
            "Pass the corpus (or passage table) the matrix was built from."
        )
    m = meta.iloc[pos].reset_index(drop=True)
    m["row"] = np.arange(len(m))
    bad = m["actor"].isna() | m["period"].isna()
    report: dict[str, Any] = {
        "n_matrix_rows": len(m),
        "n_rows_without_actor_or_period": int(bad.sum()),
        "n_corpus_rows_not_in_matrix": int(len(corpus) - len(m)),
    }
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} matrix row(s) have no {by!r} or no period and are left out, "
            f"e.g. {np.asarray(row_ids)[m.index[bad][:5]].tolist()}.",
            stacklevel=3,
        )
        m = m[~bad]
    if report["n_corpus_rows_not_in_matrix"] > 0:
        warnings.warn(
            f"{report['n_corpus_rows_not_in_matrix']} corpus row(s) have no row in the matrix "
            "(dropped when the matrix was built?); they do not count.",
            stacklevel=3,
        )
    m["actor"] = m["actor"].astype(str)
    period_code, periods = pd.factorize(m["period"], sort=True)
    actor_code, actors = pd.factorize(m["actor"], sort=True)
    key = period_code.astype(np.int64) * len(actors) + actor_code
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    ukeys, first, counts = np.unique(key_sorted, return_index=True, return_counts=True)
    start = np.append(first, len(key_sorted)).astype(np.int64)
    unit_period = (ukeys // len(actors)).astype(np.int64)
    unit_actor = np.asarray(actors, dtype=object)[ukeys % len(actors)]
    parents = m["parent"].to_numpy()[order]
    unit_of_row = np.repeat(np.arange(len(ukeys)), counts)
    n_docs = (
        pd.DataFrame({"u": unit_of_row, "p": parents}).groupby("u")["p"].nunique().to_numpy()
        if len(ukeys)
        else np.zeros(0, dtype=np.int64)
    )
    period_start = np.searchsorted(unit_period, np.arange(len(periods) + 1)).astype(np.int64)
    return _Units(
        rows=m["row"].to_numpy()[order],
        start=start,
        actor=unit_actor,
        period_code=unit_period,
        periods=np.asarray(periods, dtype=object),
        period_start=period_start,
        n_docs=n_docs.astype(np.int64),
        report=report,
    )


def _idf(counts_csr: sp.csr_matrix, n_units: int) -> np.ndarray:
    df = np.bincount(counts_csr.indices, minlength=counts_csr.shape[1])
    return np.log((1.0 + n_units) / (1.0 + df)) + 1.0


def _weight_rows(
    agg: sp.csr_matrix, idf: np.ndarray | None, *, sublinear_tf: bool
) -> sp.csr_matrix:
    out = agg.astype(np.float64, copy=True)
    if sublinear_tf:
        out.data = np.log(out.data, where=out.data > 0, out=np.zeros_like(out.data)) + 1.0
    if idf is not None:
        out.data *= idf[out.indices]
    return normalize(out, norm="l2", axis=1, copy=False)


def _gram(y: sp.csr_matrix, n_dense: int) -> np.ndarray:
    """``y @ y.T`` as a dense array; the first ``n_dense`` columns go through BLAS."""
    if n_dense <= 0 or y.shape[0] < 3:
        return (y @ y.T).toarray()
    head = y[:, :n_dense].toarray()
    tail = y[:, n_dense:]
    return head @ head.T + (tail @ tail.T).toarray()


def _js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 - Jensen-Shannon divergence (base 2, in [0, 1]) along the last axis."""
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log2(p / m), 0.0).sum(axis=-1)
        kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum(axis=-1)
    return 1.0 - 0.5 * (kl_p + kl_q)


def _row_normalize_dense(x: np.ndarray) -> np.ndarray:
    s = x.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, x / np.where(s > 0, s, 1.0), np.nan)


# ====================================================================== similarity panel
def similarity_panel(
    dtm: Any,
    corpus: pd.DataFrame,
    *,
    by: str = "actor",
    period: str | Callable[[pd.DataFrame], Any] = "year",
    measure: str = "cosine",
    actors: Iterable[str] | None = None,
    periods: Iterable[Any] | None = None,
    idf: str | None = "period",
    sublinear_tf: bool = False,
    weights: pd.Series | None = None,
    n_boot: int = 200,
    ci_level: float = 0.95,
    ci_method: str = "centered",
    min_passages: int = 2,
    random_state: int | np.random.Generator | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Actor x actor similarity within each period, as a tidy dyad table.

    Rows of ``dtm`` (documents or passages) are summed into actor-period units. For
    ``measure="cosine"`` each unit's count vector is tf-idf weighted and the cosine of every
    pair of units in a period is reported. For ``measure="js"`` ``dtm`` holds topic weights
    per row (a doc-topic matrix); each unit's topic profile is the (``weights``-weighted) mean
    of its rows' topic proportions and similarity is ``1 - JSD`` (base 2, in [0, 1]).

    Confidence intervals resample the rows of each unit with replacement (a bootstrap,
    vectorised as sparse products; see ``ci_method``). With a document-level matrix and one speech
    per actor-year there is nothing to resample; build the matrix on
    :func:`split_passages` output so the rows are paragraphs or sentences. The idf weights are
    held at their full-sample values inside the bootstrap.

    Parameters
    ----------
    dtm : DocTermMatrix or DataFrame or fitted topic model
        Counts of shape (n_rows, n_terms) for ``"cosine"``; topic weights of shape
        (n_rows, n_topics) for ``"js"`` (a DataFrame indexed by doc_id or an object with
        ``doc_topic_`` and ``doc_ids_``).
    corpus : DataFrame
        The table the rows come from: ``doc_id``, ``by``, the period column and, for
        passages, ``parent_doc_id`` (used to count documents).
    by : str, default="actor"
        The column naming the actor.
    period : str or callable, default="year"
        A column name, ``"decade"`` (derived from ``year``) or ``f(corpus) -> values``.
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
    ci_method : {"centered", "percentile", "basic"}, default="centered"
        Resampling passages with replacement duplicates some and drops others, which lowers
        the similarity of the resampled sums (fewer distinct passages behave like shorter
        texts); the mean shift is reported as ``boot_bias`` (usually negative, larger for
        units with few passages). ``"centered"`` moves the percentile interval by that
        shift so it describes the sampling spread around the estimate; ``"percentile"`` is
        the raw percentile interval (often below the estimate); ``"basic"`` reflects it
        (2 * estimate - quantiles), an interval for the similarity of infinitely long texts.
    min_passages : int, default=2
        Units with fewer rows than this get NaN intervals (a single speech cannot be resampled).
    random_state : int, Generator or None, default=None
        Seed of the bootstrap; the same input and seed give identical output.
    progress : bool, default=True
        Show a progress bar over periods when bootstrapping.

    Returns
    -------
    DataFrame
        Columns :data:`PANEL_COLUMNS`: one row per unordered dyad (``actor_a < actor_b``) and
        period. ``attrs["alignment"]`` records the parameters, row counts and the actors
        missing per period (``"missing"``: list of ``{"period", "actor"}`` records).

    Raises
    ------
    ValueError
        Unknown actor codes or periods, matrix rows absent from the corpus, bad options.
    """
    if measure not in {"cosine", "js"}:
        raise ValueError(f"measure={measure!r} is not supported; use 'cosine' or 'js'.")
    if idf not in {"period", "global", None}:
        raise ValueError(f"idf={idf!r} is not supported; use 'period', 'global' or None.")
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be in (0, 1), got {ci_level}.")
    if ci_method not in {"centered", "percentile", "basic"}:
        raise ValueError(
            f"ci_method={ci_method!r} is not supported; use 'centered', 'percentile' or 'basic'."
        )
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}.")
    matrix, row_ids, _labels = _as_labelled(dtm)
    units = _units(row_ids, corpus, by=by, period=period)
    rng = np.random.default_rng(random_state)

    known_actors = np.unique(units.actor.astype(str))
    wanted: np.ndarray | None = None
    if actors is not None:
        wanted = np.unique(np.asarray(list(actors), dtype=object).astype(str))
        if len(wanted) < 2:
            raise ValueError(f"actors must name at least two actors to form dyads, got {actors}.")
        unknown = np.setdiff1d(wanted, known_actors).tolist()
        if unknown:
            raise ValueError(_unknown_codes_message(unknown, known_actors.tolist(), by))
    period_idx = np.arange(len(units.periods))
    if periods is not None:
        req = list(periods)
        lookup = {p: i for i, p in enumerate(units.periods.tolist())}
        bad = [p for p in req if p not in lookup]
        if bad:
            raise ValueError(
                f"period(s) {bad} are not in the data; available: "
                f"{units.periods[:3].tolist()} ... {units.periods[-3:].tolist()} "
                f"({len(units.periods)} periods)."
            )
        period_idx = np.array(sorted(lookup[p] for p in req), dtype=np.int64)

    # ---- aggregate rows into units (one sparse product)
    ind = units.indicator(matrix.shape[0])
    if measure == "cosine":
        if not sp.issparse(matrix):
            matrix = sp.csr_matrix(matrix)
        x = sp.csr_matrix(matrix, dtype=np.float64)
        agg = (ind @ x).tocsr()
        n_tokens = np.asarray(agg.sum(axis=1)).ravel()
        row_weight = None
        # columns ordered by unit frequency: the frequent head is multiplied densely (BLAS),
        # the long sparse tail as a sparse product (see _gram)
        unit_df = np.bincount(agg.indices, minlength=agg.shape[1])
        col_order = np.argsort(-unit_df, kind="stable")
        n_dense = int((unit_df >= max(8, 0.3 * agg.shape[0])).sum())
        agg = agg[:, col_order].tocsr()
        global_idf = _idf(agg, agg.shape[0]) if idf == "global" else None
    else:
        col_order, n_dense = None, 0
        x = np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float64)
        if (x < 0).any():
            raise ValueError("measure='js' needs non-negative topic weights; the matrix has < 0.")
        props = _row_normalize_dense(x)
        if weights is not None:
            w = pd.Series(weights).reindex(pd.Index(row_ids.astype(str)))
            if w.isna().any():
                raise ValueError(
                    f"weights has no value for {int(w.isna().sum())} row(s), e.g. "
                    f"{w.index[w.isna()][:5].tolist()}."
                )
            row_weight = w.to_numpy(dtype=float)
        else:
            row_weight = np.ones(len(row_ids))
        row_weight = np.where(np.isnan(props).any(axis=1), 0.0, row_weight)
        x = np.nan_to_num(props) * row_weight[:, None]
        agg = ind @ x
        n_tokens = ind @ row_weight if weights is not None else np.full(agg.shape[0], np.nan)

    lo_q, hi_q = 50 * (1 - ci_level), 100 - 50 * (1 - ci_level)
    pieces: list[dict[str, np.ndarray]] = []
    missing_rows: list[dict[str, Any]] = []
    iterator: Iterable[int] = period_idx
    if progress and n_boot > 0 and len(period_idx) > 3:
        from tqdm.auto import tqdm

        iterator = tqdm(period_idx, desc=f"similarity ({measure}, {n_boot} boot)", unit="period")

    # many small products: threaded BLAS only adds overhead (and contention on shared hosts)
    with threadpool_limits(limits=1, user_api="blas"):
        for p in iterator:
            us, ue = units.period_start[p], units.period_start[p + 1]
            present = units.actor[us:ue].astype(str)
            names = wanted if wanted is not None else present
            local = pd.Index(present).get_indexer(names)  # -1 where absent
            if wanted is not None and (local < 0).any():
                for a in names[local < 0]:
                    missing_rows.append({"period": units.periods[p], "actor": a})
            k = len(names)
            if k < 2:
                continue
            ok = local >= 0
            uidx = np.where(ok, us + np.maximum(local, 0), -1)
            sel = uidx[ok]
            # ---- point estimate among present actors
            sim = np.full((k, k), np.nan)
            if measure == "cosine":
                if idf == "period":
                    idf_p = _idf(agg[us:ue], ue - us)
                else:
                    idf_p = global_idf
                y = _weight_rows(agg[sel], idf_p, sublinear_tf=sublinear_tf)
                s = _gram(y, n_dense)
                empty = np.asarray(y.getnnz(axis=1) == 0)
                s[empty, :] = np.nan
                s[:, empty] = np.nan
            else:
                prof = _row_normalize_dense(agg[sel])
                ia, ib = np.meshgrid(np.arange(len(sel)), np.arange(len(sel)), indexing="ij")
                s = _js_similarity(prof[ia], prof[ib])
            okpos = np.flatnonzero(ok)
            sim[np.ix_(okpos, okpos)] = s
            ia, ib = np.triu_indices(k, 1)
            lo = np.full(len(ia), np.nan)
            hi = np.full(len(ia), np.nan)
            bias = np.full(len(ia), np.nan)
            # ---- bootstrap among present actors with enough rows
            if n_boot > 0:
                nrows = np.zeros(k, dtype=np.int64)
                nrows[ok] = units.n_rows[sel]
                boot_ok = nrows >= min_passages
                if boot_ok.sum() >= 2:
                    bpos = np.flatnonzero(boot_ok)
                    bu = uidx[bpos]
                    reps = _bootstrap_period(
                        x,
                        units,
                        bu,
                        n_boot=n_boot,
                        rng=rng,
                        measure=measure,
                        idf=(idf_p if measure == "cosine" else None),
                        sublinear_tf=sublinear_tf,
                        col_order=col_order if measure == "cosine" else None,
                        n_dense=n_dense if measure == "cosine" else 0,
                    )  # (n_boot, len(bu), len(bu))
                    ja, jb = np.triu_indices(len(bu), 1)
                    r = reps[:, ja, jb]
                    est = sim[bpos[ja], bpos[jb]]
                    qs = np.nanpercentile(r, [lo_q, hi_q], axis=0)
                    shift = np.nanmean(r, axis=0) - est
                    if ci_method == "centered":
                        qs = qs - shift
                    elif ci_method == "basic":
                        qs = 2 * est - qs[::-1]
                    full = np.full((3, k, k), np.nan)
                    full[0, bpos[ja], bpos[jb]] = qs[0]
                    full[1, bpos[ja], bpos[jb]] = qs[1]
                    full[2, bpos[ja], bpos[jb]] = shift
                    lo, hi, bias = full[0, ia, ib], full[1, ia, ib], full[2, ia, ib]
            nd = np.zeros(k, dtype=np.int64)
            nt = np.zeros(k)
            npass = np.zeros(k, dtype=np.int64)
            nd[ok] = units.n_docs[sel]
            nt[ok] = n_tokens[sel]
            npass[ok] = units.n_rows[sel]
            if measure == "js" and weights is None:
                nt[:] = np.nan
            pieces.append(
                {
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
                }
            )
    if pieces:
        data = {c: np.concatenate([pc[c] for pc in pieces]) for c in PANEL_COLUMNS}
    else:
        data = {c: np.array([]) for c in PANEL_COLUMNS}
    out = pd.DataFrame(data, columns=list(PANEL_COLUMNS))
    out["period"] = _restore_period_dtype(out["period"], units.periods)
    for c in ("n_docs_a", "n_docs_b", "n_passages_a", "n_passages_b"):
        out[c] = out[c].astype(np.int64)
    missing = pd.DataFrame(missing_rows, columns=["period", "actor"])
    if len(missing):
        per_actor = missing.groupby("actor").size().sort_values(ascending=False)
        warnings.warn(
            f"{len(missing)} actor-period(s) have no text and give NaN similarity: "
            + ", ".join(f"{a} ({n} periods)" for a, n in per_actor.head(8).items()),
            stacklevel=2,
        )
    single = units.n_rows[np.isin(units.period_code, period_idx)]
    if n_boot > 0 and len(single) and (single < min_passages).all():
        warnings.warn(
            "Every actor-period has fewer than min_passages rows, so no interval could be "
            "computed. Build the matrix on split_passages(corpus) to resample paragraphs.",
            stacklevel=2,
        )
    out.attrs["alignment"] = {
        "measure": measure,
        "by": by,
        "period": period if isinstance(period, str) else repr(period),
        "idf": idf,
        "sublinear_tf": sublinear_tf,
        "n_boot": n_boot,
        "ci_level": ci_level,
        "ci_method": ci_method,
        "min_passages": min_passages,
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "rng",
        **units.report,
        "missing": missing.to_dict("records"),
    }
    return out


def _restore_period_dtype(col: pd.Series, periods: np.ndarray) -> pd.Series:
    if len(periods) and all(isinstance(p, (int, np.integer)) for p in periods):
        return col.astype(np.int64)
    return col


def _bootstrap_period(
    x: sp.csr_matrix | np.ndarray,
    units: _Units,
    uidx: np.ndarray,
    *,
    n_boot: int,
    rng: np.random.Generator,
    measure: str,
    idf: np.ndarray | None,
    sublinear_tf: bool,
    col_order: np.ndarray | None = None,
    n_dense: int = 0,
    chunk_nnz: int = 3_000_000,
) -> np.ndarray:
    """Similarity among units ``uidx`` for ``n_boot`` resamples of their rows.

    Each replicate draws, for every unit, as many rows as it has, with replacement. A sparse
    weight matrix ``W`` (n_chunk * k, n_rows) of draw counts turns the resample into one
    product ``W @ X``.
    """
    k = len(uidx)
    rows = [units.rows[units.start[u] : units.start[u + 1]] for u in uidx]
    sizes = np.array([len(r) for r in rows])
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    xp = x[np.concatenate(rows)]
    if col_order is not None:
        xp = xp[:, col_order]
    if measure == "cosine":
        per_row_nnz = max(1.0, xp.nnz / max(1, xp.shape[0]))
        est = per_row_nnz * sizes.mean() ** 0.5 * 4 * k  # rough nnz of one replicate
        chunk = int(max(1, min(n_boot, chunk_nnz // max(1, est))))
    else:
        chunk = int(max(1, min(n_boot, 2_000_000 // max(1, k * k * xp.shape[1]))))
    out = np.empty((n_boot, k, k))
    for b0 in range(0, n_boot, chunk):
        nb = min(chunk, n_boot - b0)
        r_idx, c_idx = [], []
        for j in range(k):
            draws = rng.integers(0, sizes[j], size=(nb, sizes[j]))
            r_idx.append(np.repeat(np.arange(nb) * k + j, sizes[j]))
            c_idx.append(draws.ravel() + offsets[j])
        r = np.concatenate(r_idx)
        c = np.concatenate(c_idx)
        w = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(nb * k, xp.shape[0]))
        if measure == "cosine":
            y = _weight_rows((w @ xp).tocsr(), idf, sublinear_tf=sublinear_tf)
            if k * (k - 1) // 2 <= 2 * nb:
                # few actors: one row-wise product per pair over all replicates of the chunk
                block = np.full((nb, k, k), np.nan)
                empty = (np.diff(y.indptr) == 0).reshape(nb, k)
                block[:, np.arange(k), np.arange(k)] = 1.0
                rows_of = [y[np.arange(nb) * k + j] for j in range(k)]
                for i, j in zip(*np.triu_indices(k, 1), strict=True):
                    d = np.asarray(rows_of[i].multiply(rows_of[j]).sum(axis=1)).ravel()
                    block[:, i, j] = block[:, j, i] = d
                block[empty[:, :, None] | empty[:, None, :]] = np.nan
                out[b0 : b0 + nb] = block
                continue
            for b in range(nb):
                yb = y[b * k : (b + 1) * k]
                s = _gram(yb, n_dense)
                empty = np.asarray(yb.getnnz(axis=1) == 0)
                s[empty, :] = np.nan
                s[:, empty] = np.nan
                out[b0 + b] = s
        else:
            prof = _row_normalize_dense(np.asarray(w @ xp)).reshape(nb, k, -1)
            out[b0 : b0 + nb] = _js_similarity(prof[:, :, None, :], prof[:, None, :, :])
    return out


# ====================================================================== issue-specific
def issue_similarity_panel(
    corpus_or_passages: pd.DataFrame,
    *,
    dictionary: Any = "arms",
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
    dictionary : str or path or dict or Dictionary, default="arms"
        The dictionary (only used when a corpus is given).
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
        ``random_state``...).

    Returns
    -------
    DataFrame
        As :func:`similarity_panel`; ``attrs["alignment"]["issue"]`` records the dictionary,
        categories and number of passages.
    """
    passages = corpus_or_passages
    if "parent_doc_id" not in passages.columns:
        from toolkit import keywords

        passages = keywords.extract_passages(
            passages, dictionary, categories=categories, unit=unit, progress=False
        )
    if len(passages) == 0:
        raise ValueError(
            f"No passage matches the dictionary categories {categories}; nothing to compare. "
            "Check the dictionary, the categories or the period filter."
        )
    if dtm is None:
        from toolkit import features

        dtm = features.build_dtm(passages, **dict(dtm_kw or {}))
    else:
        ids = passages["doc_id"].astype(str)
        have = pd.Index(np.asarray(dtm.doc_ids).astype(str))
        absent = ids[~ids.isin(have)]
        if len(absent):
            raise ValueError(
                f"{len(absent)} passage id(s) are not rows of dtm, e.g. {absent[:5].tolist()}; "
                "build the matrix on the same passage table."
            )
        dtm = dtm.select_docs(ids.tolist())
    out = similarity_panel(dtm, passages, **panel_kw)
    out.attrs["alignment"]["issue"] = {
        "dictionary": passages.attrs.get("passages", {}).get(
            "dictionary", dictionary if isinstance(dictionary, str) else repr(dictionary)
        ),
        "categories": list(categories) if categories is not None else None,
        "unit": unit,
        "n_passages": len(passages),
    }
    return out


# ====================================================================== reading a panel
def _pair_key(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    a = a.astype(str).to_numpy()
    b = b.astype(str).to_numpy()
    return np.minimum(a, b), np.maximum(a, b)


def dyad_series(
    panel: pd.DataFrame, pairs: Iterable[tuple[str, str]] = DEFAULT_PAIRS
) -> pd.DataFrame:
    """The rows of ``panel`` for chosen dyads, labelled as the user wrote them.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    pairs : iterable of (str, str), default=DEFAULT_PAIRS
        Dyads in any order, e.g. ``[("CHN", "RUS"), ("DEU", "CHN")]``.

    Returns
    -------
    DataFrame
        The panel columns plus ``pair`` (``"CHN–RUS"``, as given), sorted by pair then period.

    Raises
    ------
    ValueError
        If a pair names an actor that never appears in the panel (codes listed).
    """
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=_COLUMNS_HINT,
    )
    pairs = [tuple(map(str, p)) for p in pairs]
    if any(len(p) != 2 or p[0] == p[1] for p in pairs):
        raise ValueError(f"pairs must be pairs of two different actor codes, got {pairs}.")
    known = np.union1d(panel["actor_a"].astype(str), panel["actor_b"].astype(str))
    unknown = sorted({c for p in pairs for c in p} - set(known.tolist()))
    if unknown:
        raise ValueError(_unknown_codes_message(unknown, known.tolist(), "actor"))
    lo, hi = _pair_key(panel["actor_a"], panel["actor_b"])
    frames = []
    for a, b in pairs:
        ka, kb = min(a, b), max(a, b)
        sub = panel.loc[(lo == ka) & (hi == kb)].copy()
        sub.insert(0, "pair", f"{a}–{b}")
        frames.append(sub)
    out = pd.concat(frames, ignore_index=True) if frames else panel.iloc[:0].assign(pair=[])
    out["pair"] = pd.Categorical(out["pair"], categories=[f"{a}–{b}" for a, b in pairs])
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
        what="dyad series", hint=_COLUMNS_HINT,
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
    actors : sequence of str or None, default=None
        Keep these (in this order) when present; None lists every actor, sorted.

    Returns
    -------
    list of str
    """
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=_COLUMNS_HINT,
    )
    sub = panel[(panel["period"] == period) & panel["similarity"].notna()]
    present = set(sub["actor_a"].astype(str)) | set(sub["actor_b"].astype(str))
    if actors is None:
        return sorted(present)
    return [str(a) for a in actors if str(a) in present]


def similarity_matrix(
    panel: pd.DataFrame,
    period: Any,
    *,
    actors: Sequence[str] | None = None,
    value: str = "similarity",
) -> pd.DataFrame:
    """The square actor x actor matrix of one period (diagonal 1, NaN where unknown).

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    period : scalar
        The period to read.
    actors : sequence of str or None, default=None
        Rows/columns in this order; None takes every actor of that period, sorted.
    value : str, default="similarity"
        The panel column to spread (e.g. ``"ci_low"``).

    Returns
    -------
    DataFrame of shape (n_actors, n_actors)
    """
    sub = panel.loc[panel["period"] == period]
    if sub.empty:
        avail = panel["period"].unique()
        raise ValueError(f"period {period!r} is not in the panel; it has {avail[:10].tolist()}...")
    names = np.union1d(sub["actor_a"].astype(str), sub["actor_b"].astype(str))
    if actors is not None:
        unknown = [a for a in actors if a not in set(names.tolist())]
        if unknown:
            raise ValueError(_unknown_codes_message(unknown, names.tolist(), "actor"))
        names = np.asarray(actors, dtype=object)
    idx = pd.Index(names)
    ia = idx.get_indexer(sub["actor_a"].astype(str))
    ib = idx.get_indexer(sub["actor_b"].astype(str))
    keep = (ia >= 0) & (ib >= 0)
    m = np.full((len(names), len(names)), np.nan)
    vals = sub[value].to_numpy(dtype=float)[keep]
    m[ia[keep], ib[keep]] = vals
    m[ib[keep], ia[keep]] = vals
    np.fill_diagonal(m, 1.0 if value == "similarity" else np.nan)
    labels = pd.Index(names, name="actor")
    return pd.DataFrame(m, index=labels, columns=labels.copy())


def _period_matrices(
    panel: pd.DataFrame, periods: Sequence[Any] | None, actors: Sequence[str] | None
) -> Iterable[tuple[Any, pd.DataFrame]]:
    """Yield ``(period, square similarity matrix)`` for each period, grouping the panel once."""
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=_COLUMNS_HINT,
    )
    wanted = None if actors is None else set(map(str, actors))
    groups = dict(tuple(panel.groupby("period", sort=True)[["actor_a", "actor_b", "similarity"]]))
    plist = list(groups) if periods is None else list(periods)
    unknown = [p for p in plist if p not in groups]
    if unknown:
        raise ValueError(f"period(s) {unknown} are not in the panel; it has {list(groups)[:10]}...")
    for p in plist:
        g = groups[p]
        a = g["actor_a"].to_numpy().astype(str)
        b = g["actor_b"].to_numpy().astype(str)
        if wanted is not None:
            keep = np.isin(a, list(wanted)) & np.isin(b, list(wanted))
            a, b, v = a[keep], b[keep], g["similarity"].to_numpy(dtype=float)[keep]
        else:
            v = g["similarity"].to_numpy(dtype=float)
        codes, names = pd.factorize(np.concatenate([a, b]), sort=True)
        n = len(names)
        m = np.full((n, n), np.nan)
        m[codes[: len(a)], codes[len(a) :]] = v
        m[codes[len(a) :], codes[: len(a)]] = v
        np.fill_diagonal(m, 1.0)
        labels = pd.Index(names.astype(str), name="actor")
        yield p, pd.DataFrame(m, index=labels, columns=labels.copy())


def _complete_submatrix(mat: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Drop actors (most-NaN first) until no NaN is left."""
    nan = np.isnan(mat.to_numpy())
    keep = np.ones(len(mat), dtype=bool)
    while nan[np.ix_(keep, keep)].any():
        counts = np.where(keep, (nan & keep[None, :]).sum(axis=1), -1)
        keep[int(np.argmax(counts))] = False
    dropped = mat.index[~keep].astype(str).tolist()
    return mat.loc[keep, keep], dropped


def centered_similarity(sim: np.ndarray | pd.DataFrame) -> np.ndarray:
    """Similarity after removing what every actor of the period shares.

    For a cosine similarity matrix ``S`` of unit-length vectors ``u_i`` the inner products
    of the centred vectors ``u_i - mean(u)`` are ``B = J S J`` (``J = I - 11'/n``, the
    double centring of classical MDS), and their cosine is ``B_ij / sqrt(B_ii B_jj)``.
    Every General Debate speech shares a large common vocabulary, so raw tf-idf cosines sit
    in a narrow band and clustering them chains almost every state into one group; the
    centred cosine keeps only how two states differ *from the average speech of the
    period* (range -1 to 1). For other measures (1 - JSD) read it as the normalised Gram
    matrix of classical MDS on ``d^2 = 2 (1 - S)``.

    Parameters
    ----------
    sim : array or DataFrame of shape (n_actors, n_actors)
        Symmetric, complete (no NaN), diagonal 1.

    Returns
    -------
    ndarray of shape (n_actors, n_actors)
        Diagonal 1 (0 where an actor equals the mean profile).
    """
    s = np.asarray(sim, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"sim must be a square matrix, got shape {s.shape}.")
    if np.isnan(s).any():
        raise ValueError("sim has NaN entries; drop actors without text first.")
    n = len(s)
    s = 0.5 * (s + s.T)
    b = s - s.mean(axis=0) - s.mean(axis=1)[:, None] + s.mean()
    scale = np.sqrt(np.clip(np.diag(b), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = b / scale[:, None] / scale[None, :]
    c = np.where(np.isfinite(c), np.clip(c, -1.0, 1.0), 0.0)
    c[np.arange(n), np.arange(n)] = np.where(scale > 0, 1.0, 0.0)
    return c


def _bloc_distance(mat: pd.DataFrame, *, centre: bool) -> np.ndarray:
    s = centered_similarity(mat.to_numpy()) if centre else mat.to_numpy(dtype=float)
    dist = np.clip(1.0 - s, 0.0, None)
    dist = 0.5 * (dist + dist.T)
    np.fill_diagonal(dist, 0.0)
    return dist


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    k = len(np.unique(labels))
    if not 2 <= k <= len(labels) - 1:
        return np.nan
    return float(silhouette_score(dist, labels, metric="precomputed"))


def cluster_blocs(
    panel: pd.DataFrame,
    *,
    n_blocs: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    centre: bool = True,
    method: str = "average",
    tie_tol: float = 1e-3,
    periods: Iterable[Any] | None = None,
    actors: Sequence[str] | None = None,
    align_labels: bool = True,
) -> pd.DataFrame:
    """Blocs of actors per period: average-linkage clustering with a silhouette-chosen size.

    For each period the complete actor x actor matrix is turned into a distance
    ``1 - similarity`` (by default on the :func:`centered_similarity`, which removes the
    vocabulary every speech of the period shares), clustered hierarchically, and cut into
    ``n_blocs`` blocs. With ``n_blocs=None`` the number of blocs is chosen per period: every
    cut with ``k`` in ``k_range`` is scored by its mean silhouette width on the same
    distance (Rousseeuw 1987; -1 to 1, higher = blocs better separated) and the smallest
    ``k`` whose silhouette is within ``tie_tol`` of the best is kept (ties -> fewer blocs);
    one bloc counts as silhouette 0, so when no cut scores above ``tie_tol`` the period is
    one bloc. Read the silhouette as
    the strength of the bloc structure: below about 0.25 it is weak (Kaufman & Rousseeuw
    1990).

    The clustering is deterministic (no seed needed). Actors with unknown similarities in a
    period are left out of that period (listed in ``attrs["dropped"]``). Cluster over every
    actor of the panel, not only a few focus states: a bloc is only meaningful relative to
    the states it leaves out.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    n_blocs : int or None, default=None
        Fixed number of blocs (``fcluster(..., criterion="maxclust")``); None chooses it by
        the silhouette criterion above.
    k_range : (int, int), default=(2, 8)
        Smallest and largest number of blocs tried when ``n_blocs`` is None (capped at
        ``n_actors - 1``).
    centre : bool, default=True
        Cluster on :func:`centered_similarity`; False uses the panel's similarity as it is
        (with tf-idf cosine on the UNGDC this gives one bloc of nearly every state plus
        singletons).
    method : {"average", "complete", "single", "weighted"}, default="average"
        Linkage method (on the precomputed distance). Ward linkage is not offered: it
        assumes Euclidean distances.
    tie_tol : float, default=1e-3
        Silhouettes this close to the best count as ties.
    periods : iterable or None, default=None
        Periods to cluster; None means all.
    actors : sequence of str or None, default=None
        Restrict to these actors.
    align_labels : bool, default=True
        Match bloc numbers of each period to the previous period's by maximum overlap
        (Hungarian assignment), so "bloc 1" keeps meaning the same group; the first
        period's blocs are numbered by size (largest = 1).

    Returns
    -------
    DataFrame
        ``actor, period, bloc`` (int from 1), ``bloc_size`` (actors in that bloc),
        ``n_blocs`` and ``silhouette`` (of the period's chosen cut; NaN for one bloc).
        ``attrs["selection"]``: records ``{period, k, silhouette, chosen}`` of every cut
        tried; ``attrs["dropped"]``: actors left out per period; ``attrs["params"]``.
    """
    if method == "ward":
        raise ValueError(
            "method='ward' is not supported: Ward linkage assumes Euclidean distances and "
            "1 - similarity is not one; use 'average' (default) or 'complete'."
        )
    if method not in {"average", "complete", "single", "weighted"}:
        raise ValueError(
            f"method={method!r} is not supported; use average, complete, single or weighted."
        )
    if n_blocs is not None and n_blocs < 1:
        raise ValueError(f"n_blocs must be >= 1 or None, got {n_blocs}.")
    lo_k, hi_k = (int(k) for k in k_range)
    if not 2 <= lo_k <= hi_k:
        raise ValueError(f"k_range must be (low, high) with 2 <= low <= high, got {k_range}.")
    columns = ["actor", "period", "bloc", "bloc_size", "n_blocs", "silhouette"]
    frames, dropped_all, selection = [], {}, []
    prev: pd.Series | None = None
    for p, full in _period_matrices(panel, None if periods is None else list(periods), actors):
        mat, dropped = _complete_submatrix(full)
        if dropped:
            dropped_all[p] = dropped
        n = len(mat)
        if n < 2:
            continue
        dist = _bloc_distance(mat, centre=centre)
        z = linkage(dist[np.triu_indices(n, 1)], method=method)
        if n_blocs is not None:
            labels = fcluster(z, t=min(n_blocs, n), criterion="maxclust")
            sil = _silhouette(dist, labels)
        else:
            tried = []
            for k in range(lo_k, min(hi_k, n - 1) + 1):
                lab_k = fcluster(z, t=k, criterion="maxclust")
                tried.append((k, _silhouette(dist, lab_k), lab_k))
            scores = np.array([s for _, s, _ in tried], dtype=float)
            ok = np.isfinite(scores)
            if ok.any() and np.nanmax(scores) > tie_tol:
                best = np.nanmax(scores)
                pick = next(i for i, s in enumerate(scores) if ok[i] and s >= best - tie_tol)
                _, sil, labels = tried[pick]
            else:
                pick, sil, labels = -1, np.nan, np.ones(n, dtype=int)
            selection += [
                {"period": p, "k": k, "silhouette": s, "chosen": i == pick}
                for i, (k, s, _) in enumerate(tried)
            ]
        lab = pd.Series(labels, index=mat.index.astype(str))
        if align_labels:
            lab = _relabel(lab, prev, n_blocs or 0)
        prev = lab
        sizes = lab.map(lab.value_counts())
        frames.append(
            pd.DataFrame(
                {
                    "actor": lab.index,
                    "period": p,
                    "bloc": lab.to_numpy().astype(np.int64),
                    "bloc_size": sizes.to_numpy().astype(np.int64),
                    "n_blocs": int(lab.nunique()),
                    "silhouette": sil,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out.attrs["dropped"] = dropped_all
    out.attrs["selection"] = selection
    out.attrs["params"] = {
        "n_blocs": n_blocs, "k_range": [lo_k, hi_k], "centre": centre, "method": method,
        "tie_tol": tie_tol,
    }
    return out


def bloc_summary(
    blocs: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    actors: Sequence[str],
    period: Any = None,
    n_mates: int = 3,
    centre: bool | None = None,
) -> pd.DataFrame:
    """Where chosen actors fall in one period's blocs, with their nearest bloc mates.

    Parameters
    ----------
    blocs : DataFrame
        Output of :func:`cluster_blocs`.
    panel : DataFrame
        The panel the blocs were computed from.
    actors : sequence of str
        The actors to describe (e.g. the report's focus states); those absent from the
        period's blocs are left out (listed in ``attrs["absent"]``).
    period : scalar or None, default=None
        None takes the last period of ``blocs``.
    n_mates : int, default=3
        Bloc mates listed per actor, most similar first.
    centre : bool or None, default=None
        Rank mates by :func:`centered_similarity` (True) or by the panel's similarity
        (False); None follows ``blocs.attrs["params"]["centre"]`` (True when unknown), so the
        ranking uses the similarity the blocs were cut on.

    Returns
    -------
    DataFrame
        One row per actor present: ``actor, period, bloc, bloc_size, n_blocs, silhouette,
        mates`` (comma-separated codes) and ``mate_similarity`` (mean similarity to those
        mates on the ranking scale). ``attrs["bloc_sizes"]``: sizes of all the period's
        blocs, largest first.
    """
    require_columns(blocs, ["actor", "period", "bloc"], what="blocs", hint=_COLUMNS_HINT)
    if n_mates < 1:
        raise ValueError(f"n_mates must be >= 1, got {n_mates}.")
    if blocs.empty:
        raise ValueError("blocs is empty; nothing to summarise.")
    if period is None:
        period = blocs["period"].max()
    sub = blocs[blocs["period"] == period]
    if sub.empty:
        raise ValueError(
            f"period {period!r} is not in blocs; it has {blocs['period'].unique()[:10].tolist()}."
        )
    if centre is None:
        centre = bool(blocs.attrs.get("params", {}).get("centre", True))
    names = sub["actor"].astype(str).tolist()
    mat = similarity_matrix(panel, period, actors=names)
    sim = pd.DataFrame(
        centered_similarity(mat.to_numpy()) if centre else mat.to_numpy(dtype=float),
        index=mat.index, columns=mat.columns,
    )
    lab = sub.set_index(sub["actor"].astype(str))
    rows, absent = [], []
    for a in actors:
        if a not in lab.index:
            absent.append(a)
            continue
        same = lab.index[(lab["bloc"] == lab.loc[a, "bloc"]).to_numpy() & (lab.index != a)]
        ranked = sim.loc[a, same].sort_values(ascending=False, kind="stable").head(n_mates)
        rows.append(
            {
                "actor": a,
                "period": period,
                "bloc": int(lab.loc[a, "bloc"]),
                "bloc_size": int(len(same) + 1),
                "n_blocs": int(lab["bloc"].nunique()),
                "silhouette": float(lab.loc[a, "silhouette"]) if "silhouette" in lab else np.nan,
                "mates": ", ".join(ranked.index.astype(str)),
                "mate_similarity": float(ranked.mean()) if len(ranked) else np.nan,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=["actor", "period", "bloc", "bloc_size", "n_blocs", "silhouette", "mates",
                 "mate_similarity"],
    )
    out.attrs["absent"] = absent
    out.attrs["bloc_sizes"] = sorted(lab["bloc"].value_counts().tolist(), reverse=True)
    return out


def _relabel(lab: pd.Series, prev: pd.Series | None, n_blocs: int) -> pd.Series:
    cur_ids = np.unique(lab.to_numpy())
    if prev is None:
        # first period: number blocs by size (largest = 1), ties by first actor
        order = sorted(cur_ids, key=lambda c: (-(lab == c).sum(), lab.index[lab == c][0]))
        return lab.map({c: i + 1 for i, c in enumerate(order)})
    prev_ids = np.arange(1, max(n_blocs, prev.max(), len(cur_ids)) + 1)
    common = lab.index.intersection(prev.index)
    overlap = np.zeros((len(cur_ids), len(prev_ids)))
    for i, c in enumerate(cur_ids):
        members = common[lab[common].to_numpy() == c]
        for j, q in enumerate(prev_ids):
            overlap[i, j] = (prev[members].to_numpy() == q).sum()
    ri, cj = linear_sum_assignment(-overlap)
    mapping = {cur_ids[i]: int(prev_ids[j]) for i, j in zip(ri, cj, strict=True)}
    return lab.map(mapping)


def _classical_mds(dist: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(dist)
    d2 = dist**2
    b = -0.5 * (d2 - d2.mean(axis=0) - d2.mean(axis=1)[:, None] + d2.mean())
    b = 0.5 * (b + b.T)
    k = min(n_components, n)
    with threadpool_limits(limits=1, user_api="blas"):
        vals, vecs = scipy_eigh(b, subset_by_index=[n - k, n - 1])
    order = np.argsort(vals)[::-1][:n_components]
    vals, vecs = vals[order], vecs[:, order]
    # deterministic sign: largest-magnitude entry of each axis positive
    signs = np.sign(vecs[np.abs(vecs).argmax(axis=0), np.arange(vecs.shape[1])])
    signs[signs == 0] = 1.0
    coords = vecs * signs * np.sqrt(np.clip(vals, 0.0, None))
    if coords.shape[1] < n_components:
        coords = np.hstack([coords, np.zeros((n, n_components - coords.shape[1]))])
        vals = np.concatenate([vals, np.zeros(n_components - len(vals))])
    return coords, vals


def map_positions(
    panel: pd.DataFrame,
    *,
    n_components: int = 2,
    align: str | None = "previous",
    reference: Any = None,
    orient: tuple[str, str] | None = None,
    periods: Iterable[Any] | None = None,
    actors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A 2-D map of actors per period (classical MDS on ``1 - similarity``), stably oriented.

    MDS axes are only defined up to rotation and reflection, so a map drawn per period
    would flip at random. Each period's configuration is rotated/reflected (orthogonal
    Procrustes, no scaling) onto the previous period's aligned configuration
    (``align="previous"``) or onto one reference period (``align="reference"``), using the
    actors the two share.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`similarity_panel`.
    n_components : int, default=2
        Dimensions kept.
    align : {"previous", "reference"} or None, default="previous"
        How orientation is carried across periods; None leaves each period as computed.
    reference : scalar or None, default=None
        The reference period for ``align="reference"`` (default: the last period).
    orient : (str, str) or None, default=None
        Two actors, e.g. ``("RUS", "USA")``: flip the first axis of the anchor period (the first
        period, or ``reference``) so the second actor lies to the right of the first.
    periods : iterable or None, default=None
        Periods to map; None means all.
    actors : sequence of str or None, default=None
        Restrict to these actors.

    Returns
    -------
    DataFrame
        ``actor, period, dim1, dim2, ...``; ``attrs["mds"]`` holds per-period eigenvalues,
        the actors dropped for missing similarities and periods that could not be aligned.
    """
    if align not in {"previous", "reference", None}:
        raise ValueError(f"align={align!r} is not supported; use 'previous', 'reference' or None.")
    if panel.empty:
        raise ValueError("The panel is empty; nothing to map.")
    configs: dict[Any, pd.DataFrame] = {}
    info: dict[str, Any] = {"eigenvalues": {}, "dropped": {}, "not_aligned": []}
    for p, full in _period_matrices(panel, None if periods is None else list(periods), actors):
        mat, dropped = _complete_submatrix(full)
        if dropped:
            info["dropped"][p] = dropped
        if len(mat) < 2:
            continue
        dist = np.clip(1.0 - mat.to_numpy(), 0.0, None)
        dist = 0.5 * (dist + dist.T)
        np.fill_diagonal(dist, 0.0)
        coords, vals = _classical_mds(dist, n_components)
        info["eigenvalues"][p] = vals.tolist()
        configs[p] = pd.DataFrame(coords, index=mat.index.astype(str))
    if not configs:
        raise ValueError("No period has two or more actors with known similarities.")
    done = list(configs)
    if align == "reference":
        ref_p = done[-1] if reference is None else reference
        if ref_p not in configs:
            raise ValueError(f"reference period {ref_p!r} is not in the panel (or has < 2 actors).")
        anchor = ref_p
    else:
        anchor = done[0]
    if orient is not None:
        a, b = orient
        cfg = configs[anchor]
        if a in cfg.index and b in cfg.index:
            if cfg.loc[b, 0] < cfg.loc[a, 0]:
                cfg[0] = -cfg[0]
        else:
            warnings.warn(
                f"orient={orient} not applied: {a} or {b} is absent in period {anchor}.",
                stacklevel=2,
            )
    if align is not None:
        order = [anchor] + [p for p in done if p != anchor] if align == "reference" else done
        target = configs[anchor]
        for p in order[1:]:
            cfg = configs[p]
            if align == "previous":
                target = configs[order[order.index(p) - 1]]
            common = cfg.index.intersection(target.index)
            if len(common) < n_components + 1:
                info["not_aligned"].append(p)
                continue
            xc = cfg.loc[common].to_numpy()
            tc = target.loc[common].to_numpy()
            mx, mt = xc.mean(axis=0), tc.mean(axis=0)
            r, _ = orthogonal_procrustes(xc - mx, tc - mt)
            configs[p] = pd.DataFrame((cfg.to_numpy() - mx) @ r + mt, index=cfg.index)
    frames = []
    for p in done:
        cfg = configs[p]
        df = pd.DataFrame(cfg.to_numpy(), columns=[f"dim{i + 1}" for i in range(n_components)])
        df.insert(0, "period", p)
        df.insert(0, "actor", cfg.index.to_numpy())
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["mds"] = info
    return out


# ====================================================================== Wordscores
def _counts_input(x: Any) -> tuple[sp.csr_matrix, np.ndarray | None, np.ndarray | None]:
    if isinstance(x, DocTermMatrix):
        return sp.csr_matrix(x.matrix, dtype=np.float64), x.doc_ids, x.vocab
    if sp.issparse(x):
        return sp.csr_matrix(x, dtype=np.float64), None, None
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"Expected a 2-D count matrix (n_docs, n_terms), got shape {arr.shape}.")
    return sp.csr_matrix(arr), None, None


def _align_columns(
    m: sp.csr_matrix, vocab: np.ndarray | None, fitted_vocab: np.ndarray | None, n_fitted: int
) -> sp.csr_matrix:
    if vocab is None or fitted_vocab is None:
        if m.shape[1] != n_fitted:
            raise ValueError(
                f"X has {m.shape[1]} columns but the model was fitted on {n_fitted}; pass a "
                "DocTermMatrix so columns are matched by term."
            )
        return m
    pos = pd.Index(np.asarray(fitted_vocab).astype(str)).get_indexer(np.asarray(vocab).astype(str))
    keep = np.flatnonzero(pos >= 0)
    sel = sp.csr_matrix((np.ones(len(keep)), (keep, pos[keep])), shape=(m.shape[1], n_fitted))
    return (m @ sel).tocsr()


class Wordscores(BaseEstimator):
    """Wordscores (Laver, Benoit & Garry 2003): scores of virgin texts from reference texts.

    Each word ``w`` gets the score ``S_w = sum_r P_wr A_r``, where ``A_r`` is the score of
    reference text ``r``, ``F_wr`` the relative frequency of ``w`` in ``r`` and
    ``P_wr = F_wr / sum_r F_wr``. A virgin text ``v`` scores ``S_v = sum_w F_wv S_w`` over its
    scored words, with standard error ``sqrt(sum_w F_wv (S_w - S_v)^2 / N_v)`` (``N_v`` its
    scored tokens).

    Parameters
    ----------
    smooth : float, default=0.0
        Added to every reference count before frequencies are taken (then every vocabulary
        word gets a score).
    rescale : {"none", "lbg", "mv"}, default="none"
        ``"lbg"``: the LBG transformation ``(S_v - mean) * sd_ref / sd_virgin + mean`` (means
        and standard deviations, ``ddof=1``, over the virgin texts passed to
        :meth:`score_table`); ``"mv"``: Martin & Vanberg (2008), mapping the raw scores of the
        lowest and highest reference texts onto their reference scores.
    ci_level : float, default=0.95
        Coverage of the normal-approximation intervals.

    Attributes
    ----------
    wordscores_ : ndarray of shape (n_terms,)
        Word scores; NaN for words absent from all references.
    vocab_ : ndarray of shape (n_terms,) or None
        Vocabulary (when fitted on a DocTermMatrix).
    reference_ids_ : ndarray of shape (n_refs,)
        Reference doc ids (positions when fitted on an array).
    reference_scores_ : ndarray of shape (n_refs,)
    reference_raw_ : ndarray of shape (n_refs,)
        Raw scores of the reference texts scored as virgin texts (used by ``"mv"``).
    n_features_in_ : int
    """

    def __init__(self, *, smooth: float = 0.0, rescale: str = "none", ci_level: float = 0.95):
        self.smooth = smooth
        self.rescale = rescale
        self.ci_level = ci_level

    def fit(self, X: Any, y: Any) -> Wordscores:
        """Learn word scores from reference texts.

        Parameters
        ----------
        X : DocTermMatrix or array-like or sparse of shape (n_docs, n_terms)
            Counts. With a DocTermMatrix, ``y`` may name reference rows by doc_id.
        y : mapping or Series {doc_id: score}, or array-like of shape (n_docs,)
            Reference scores. A mapping selects the reference rows of ``X``; an array gives
            one score per row (all rows are references).

        Returns
        -------
        self
        """
        if self.rescale not in {"none", "lbg", "mv"}:
            raise ValueError(f"rescale={self.rescale!r} is not supported; use none, lbg or mv.")
        if self.smooth < 0:
            raise ValueError(f"smooth must be >= 0, got {self.smooth}.")
        m, doc_ids, vocab = _counts_input(X)
        if isinstance(y, (Mapping, pd.Series)):
            y = pd.Series(y, dtype=float)
            if doc_ids is None:
                raise ValueError("Reference scores given by doc_id need X to be a DocTermMatrix.")
            ids = pd.Index(np.asarray(doc_ids).astype(str))
            pos = ids.get_indexer(y.index.astype(str))
            if (pos < 0).any():
                absent = y.index[pos < 0].tolist()
                raise ValueError(
                    f"Reference text(s) {absent} are not in the matrix ({len(ids)} docs, e.g. "
                    f"{ids[:3].tolist()}). Check the doc ids or the period filter."
                )
            ref_ids = y.index.astype(str).to_numpy()
            scores = y.to_numpy(dtype=float)
        else:
            scores = np.asarray(y, dtype=float).ravel()
            if len(scores) != m.shape[0]:
                raise ValueError(
                    f"y has {len(scores)} scores but X has {m.shape[0]} rows; give one score per "
                    "row or a mapping {doc_id: score}."
                )
            pos = np.arange(m.shape[0])
            ref_ids = np.asarray(doc_ids).astype(str) if doc_ids is not None else pos
        if len(scores) < 2 or not np.isfinite(scores).all() or np.ptp(scores) == 0:
            raise ValueError(
                "Wordscores needs >= 2 reference texts with finite, different scores; "
                f"got {scores}."
            )
        counts = m[pos].toarray() + self.smooth
        totals = counts.sum(axis=1)
        if (totals <= 0).any():
            empty = np.asarray(ref_ids)[totals <= 0].tolist()
            raise ValueError(f"Reference text(s) {empty} have no tokens.")
        f = counts / totals[:, None]
        colsum = f.sum(axis=0)
        scored = colsum > 0
        ws = np.full(m.shape[1], np.nan)
        ws[scored] = scores @ (f[:, scored] / colsum[scored])
        self.wordscores_ = ws
        self.vocab_ = None if vocab is None else np.asarray(vocab, dtype=object)
        self.reference_ids_ = np.asarray(ref_ids)
        self.reference_scores_ = scores
        self.n_features_in_ = m.shape[1]
        raw, _, _ = self._raw(m[pos])
        self.reference_raw_ = raw
        return self

    def _raw(self, m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scored = np.flatnonzero(np.isfinite(self.wordscores_))
        s = self.wordscores_[scored]
        ms = m[:, scored]
        n = np.asarray(ms.sum(axis=1)).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = (ms @ s) / n
            var = np.clip((ms @ (s**2)) / n - raw**2, 0.0, None)
            se = np.sqrt(var / n)
        return raw, se, n

    def score_table(self, X: Any) -> pd.DataFrame:
        """Score texts: raw scores, standard errors, intervals and (if asked) rescaled scores.

        Parameters
        ----------
        X : DocTermMatrix or array-like or sparse of shape (n_docs, n_terms)
            Counts; a DocTermMatrix is matched to the fitted vocabulary by term.

        Returns
        -------
        DataFrame
            ``doc_id, raw, se, ci_low, ci_high, n_scored_tokens, is_reference`` and, unless
            ``rescale="none"``, ``score, score_ci_low, score_ci_high`` (rescaled).
        """
        check_is_fitted(self, "wordscores_")
        m, doc_ids, vocab = _counts_input(X)
        m = _align_columns(m, vocab, self.vocab_, self.n_features_in_)
        raw, se, n = self._raw(m)
        z = stats.norm.ppf(0.5 + self.ci_level / 2)
        ids = np.asarray(doc_ids).astype(str) if doc_ids is not None else np.arange(m.shape[0])
        is_ref = np.isin(np.asarray(ids).astype(str), np.asarray(self.reference_ids_).astype(str))
        if doc_ids is None:
            is_ref = np.zeros(len(ids), dtype=bool)
        out = pd.DataFrame(
            {
                "doc_id": ids,
                "raw": raw,
                "se": se,
                "ci_low": raw - z * se,
                "ci_high": raw + z * se,
                "n_scored_tokens": n,
                "is_reference": is_ref,
            }
        )
        if (n == 0).any():
            warnings.warn(
                f"{int((n == 0).sum())} text(s) contain no scored word and get NaN, e.g. "
                f"{np.asarray(ids)[n == 0][:5].tolist()}.",
                stacklevel=2,
            )
        if self.rescale != "none":
            a, b = self._rescale_map(raw, virgin=~is_ref & np.isfinite(raw))
            out["score"] = a + b * out["raw"]
            out["score_ci_low"] = a + b * out["ci_low"]
            out["score_ci_high"] = a + b * out["ci_high"]
        return out

    def _rescale_map(self, raw: np.ndarray, *, virgin: np.ndarray) -> tuple[float, float]:
        """Return ``(a, b)`` with rescaled = a + b * raw."""
        if self.rescale == "lbg":
            v = raw[virgin]
            if len(v) < 2:
                raise ValueError(
                    "LBG rescaling needs at least 2 virgin (non-reference) texts with scores; "
                    f"got {len(v)}. Use rescale='mv' or 'none'."
                )
            mean, sd_v = v.mean(), v.std(ddof=1)
            sd_r = self.reference_scores_.std(ddof=1)
            if sd_v == 0:
                raise ValueError(
                    "All virgin texts have the same raw score; LBG rescaling is undefined."
                )
            b = sd_r / sd_v
            return mean - b * mean, b
        lo, hi = np.argmin(self.reference_scores_), np.argmax(self.reference_scores_)
        r_lo, r_hi = self.reference_raw_[lo], self.reference_raw_[hi]
        a_lo, a_hi = self.reference_scores_[lo], self.reference_scores_[hi]
        b = (a_hi - a_lo) / (r_hi - r_lo)
        return a_lo - b * r_lo, b

    def predict(self, X: Any) -> np.ndarray:
        """Scores of shape (n_docs,): rescaled when ``rescale`` is set, raw otherwise."""
        t = self.score_table(X)
        return t["score" if self.rescale != "none" else "raw"].to_numpy()


def wordscores_by_period(
    dtm: DocTermMatrix,
    corpus: pd.DataFrame,
    *,
    references: Mapping[str, float] | None = None,
    by: str = "actor",
    period: str | Callable[[pd.DataFrame], Any] = "year",
    periods: Iterable[Any] | None = None,
    rescale: str = "lbg",
    smooth: float = 0.0,
    ci_level: float = 0.95,
    progress: bool = True,
) -> pd.DataFrame:
    """Wordscores fitted separately in every period, references chosen by actor.

    The default is the UNGDC authors' analysis: in each year, the speeches of Russia (-1)
    and the USA (+1) are the reference texts and every speech of that year is scored. Rows of
    ``dtm`` are summed per actor-period first, so a passage-level matrix works too.

    Parameters
    ----------
    dtm : DocTermMatrix
        Counts.
    corpus : DataFrame
        The table the rows come from.
    references : mapping {actor: score} or None, default=None
        Reference actors and their scores; None means ``{"RUS": -1.0, "USA": 1.0}``.
    by, period : see :func:`similarity_panel`.
    periods : iterable or None, default=None
        Only these periods.
    rescale : {"none", "lbg", "mv"}, default="lbg"
        See :class:`Wordscores`.
    smooth : float, default=0.0
        See :class:`Wordscores`.
    ci_level : float, default=0.95
    progress : bool, default=True

    Returns
    -------
    DataFrame
        ``actor, period, raw, se, ci_low, ci_high, n_scored_tokens, is_reference`` (+
        ``score, score_ci_low, score_ci_high`` when rescaled). Periods lacking a reference
        actor are skipped with a warning and listed in ``attrs["skipped"]``.

    Raises
    ------
    ValueError
        If a reference actor is absent from the whole data (named).
    """
    refs = dict(references) if references is not None else {"RUS": -1.0, "USA": 1.0}
    units = _units(dtm.doc_ids, corpus, by=by, period=period)
    known = np.unique(units.actor.astype(str))
    absent = [a for a in refs if a not in set(known.tolist())]
    if absent:
        raise ValueError(
            f"Reference actor(s) {absent} are absent from the data. "
            + _unknown_codes_message(absent, known.tolist(), by)
        )
    agg = (units.indicator(dtm.n_docs) @ dtm.matrix.astype(np.float64)).tocsr()
    pidx = np.arange(len(units.periods))
    if periods is not None:
        lookup = {p: i for i, p in enumerate(units.periods.tolist())}
        bad = [p for p in periods if p not in lookup]
        if bad:
            raise ValueError(f"period(s) {bad} are not in the data.")
        pidx = np.array(sorted(lookup[p] for p in periods))
    iterator: Iterable[int] = pidx
    if progress and len(pidx) > 10:
        from tqdm.auto import tqdm

        iterator = tqdm(pidx, desc="wordscores", unit="period")
    frames, skipped = [], []
    for p in iterator:
        us, ue = units.period_start[p], units.period_start[p + 1]
        names = units.actor[us:ue].astype(str)
        missing = [a for a in refs if a not in set(names.tolist())]
        if missing:
            skipped.append({"period": units.periods[p], "missing_references": missing})
            continue
        sub = DocTermMatrix(agg[us:ue], names, dtm.vocab)
        model = Wordscores(smooth=smooth, rescale=rescale, ci_level=ci_level)
        if rescale == "lbg" and len(names) - len(refs) < 2:
            skipped.append({"period": units.periods[p], "missing_references": []})
            continue
        table = model.fit(sub, refs).score_table(sub)
        table = table.rename(columns={"doc_id": "actor"})
        table.insert(1, "period", units.periods[p])
        frames.append(table)
    if skipped:
        warnings.warn(
            f"{len(skipped)} period(s) skipped for missing reference texts (or < 2 virgin "
            f"texts), e.g. {skipped[:3]}.",
            stacklevel=2,
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(out):
        out["period"] = _restore_period_dtype(out["period"], units.periods)
    out.attrs["skipped"] = skipped
    out.attrs["references"] = refs
    return out


# ====================================================================== Wordfish
def _eta(alpha, psi, beta, theta) -> np.ndarray:
    return np.minimum(alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :], 700.0)


class Wordfish(BaseEstimator):
    """Wordfish (Slapin & Proksch 2008): Poisson scaling of texts on one latent dimension.

    ``y_ij ~ Poisson(exp(alpha_i + psi_j + beta_j * theta_i))`` with document fixed effects
    ``alpha`` (``alpha_0 = 0``), word fixed effects ``psi``, word weights ``beta`` and document
    positions ``theta``. The estimate maximises the log-likelihood penalised by normal priors
    ``theta ~ N(0, prior_sd_theta^2)`` and ``beta ~ N(0, prior_sd_beta^2)`` (as in quanteda's
    ``textmodel_wordfish``), which pins the scale of ``theta`` and keeps rare words finite.
    The fit starts from a deterministic SVD of the null-model residuals, alternates Newton
    steps (with step halving) over word and document parameters, then polishes all
    parameters jointly with L-BFGS.

    Parameters
    ----------
    dir : (int or str, int or str) or None, default=None
        Two documents (positions or doc ids); ``theta`` is flipped so that
        ``theta[dir[0]] < theta[dir[1]]``. None keeps the start-value sign.
    prior_sd_theta : float, default=1.0
    prior_sd_beta : float or None, default=3.0
        None removes the prior on ``beta`` (unstable with rare words).
    max_iter : int, default=2000
        Iterations of the joint L-BFGS polish.
    tol : float, default=1e-12
        Stop when the relative change of the penalised log-likelihood is below ``tol``.
    n_warmup : int, default=20
        Alternating Newton cycles (word step, document step, exact moves along the flat
        shift/scale directions) before the joint L-BFGS polish.
    se : {"hessian", "bootstrap", None}, default="hessian"
        Standard errors of ``theta``: from the Hessian of each document's penalised
        likelihood with the word parameters fixed (Slapin & Proksch), or a parametric
        bootstrap (``n_boot`` Poisson redraws of the fitted rates, refitted).
    n_boot : int, default=100
    ci_level : float, default=0.95
    random_state : int, Generator or None, default=None
        Seed of the parametric bootstrap (the fit itself is deterministic).

    Attributes
    ----------
    theta_ : ndarray of shape (n_docs,)
    alpha_ : ndarray of shape (n_docs,)
    beta_ : ndarray of shape (n_terms_used,)
    psi_ : ndarray of shape (n_terms_used,)
    se_theta_ : ndarray of shape (n_docs,)
    theta_ci_ : ndarray of shape (n_docs, 2)
    doc_ids_, vocab_ : ndarray
        Labels (positions when fitted on an array). Words never used are dropped first
        (``n_dropped_terms_``).
    loglik_ : float
        Poisson log-likelihood (with the ``log y!`` constant) at the estimate.
    n_iter_ : int
    converged_ : bool
    """

    def __init__(
        self,
        *,
        dir: tuple[Any, Any] | None = None,
        prior_sd_theta: float = 1.0,
        prior_sd_beta: float | None = 3.0,
        max_iter: int = 2000,
        tol: float = 1e-12,
        n_warmup: int = 20,
        se: str | None = "hessian",
        n_boot: int = 100,
        ci_level: float = 0.95,
        random_state: int | np.random.Generator | None = None,
    ):
        self.dir = dir
        self.prior_sd_theta = prior_sd_theta
        self.prior_sd_beta = prior_sd_beta
        self.max_iter = max_iter
        self.tol = tol
        self.n_warmup = n_warmup
        self.se = se
        self.n_boot = n_boot
        self.ci_level = ci_level
        self.random_state = random_state

    # ---- objective pieces
    def _penalties(self) -> tuple[float, float]:
        pt = 1.0 / self.prior_sd_theta**2 if self.prior_sd_theta else 0.0
        pb = 1.0 / self.prior_sd_beta**2 if self.prior_sd_beta else 0.0
        return pt, pb

    def _objective(self, y, alpha, psi, beta, theta) -> float:
        pt, pb = self._penalties()
        eta = _eta(alpha, psi, beta, theta)
        return float(
            (y * eta - np.exp(eta)).sum() - 0.5 * pb * (beta**2).sum() - 0.5 * pt * (theta**2).sum()
        )

    def _fit_params(self, y, alpha, psi, beta, theta):
        pt, pb = self._penalties()
        ll_old = self._objective(y, alpha, psi, beta, theta)
        converged = False
        it = 0
        for it in range(1, min(self.max_iter, self.n_warmup) + 1):  # noqa: B007
            # -- word parameters (psi_j, beta_j)
            for _ in range(3):
                eta = _eta(alpha, psi, beta, theta)
                mu = np.exp(eta)
                r = y - mu
                g_p = r.sum(axis=0)
                g_b = theta @ r - pb * beta
                h_pp = mu.sum(axis=0)
                h_pb = theta @ mu
                h_bb = (theta**2) @ mu + pb
                det = h_pp * h_bb - h_pb**2
                det = np.where(det > 1e-12, det, 1e-12)
                d_p = (h_bb * g_p - h_pb * g_b) / det
                d_b = (h_pp * g_b - h_pb * g_p) / det
                f0 = (y * eta - mu).sum(axis=0) - 0.5 * pb * beta**2
                step = np.ones_like(psi)
                for _h in range(30):
                    p1, b1 = psi + step * d_p, beta + step * d_b
                    e1 = _eta(alpha, p1, b1, theta)
                    f1 = (y * e1 - np.exp(e1)).sum(axis=0) - 0.5 * pb * b1**2
                    worse = f1 < f0 - 1e-12 * np.abs(f0)
                    if not worse.any():
                        break
                    step = np.where(worse, step / 2, step)
                psi, beta = p1, b1
            # -- document parameters (alpha_i, theta_i), alpha_0 fixed at 0
            for _ in range(3):
                eta = _eta(alpha, psi, beta, theta)
                mu = np.exp(eta)
                r = y - mu
                g_a = r.sum(axis=1)
                g_t = r @ beta - pt * theta
                h_aa = mu.sum(axis=1)
                h_at = mu @ beta
                h_tt = mu @ (beta**2) + pt
                det = h_aa * h_tt - h_at**2
                det = np.where(det > 1e-12, det, 1e-12)
                d_a = (h_tt * g_a - h_at * g_t) / det
                d_t = (h_aa * g_t - h_at * g_a) / det
                d_a[0] = 0.0
                d_t[0] = g_t[0] / h_tt[0]
                f0 = (y * eta - mu).sum(axis=1) - 0.5 * pt * theta**2
                step = np.ones_like(alpha)
                for _h in range(30):
                    a1, t1 = alpha + step * d_a, theta + step * d_t
                    e1 = _eta(a1, psi, beta, t1)
                    f1 = (y * e1 - np.exp(e1)).sum(axis=1) - 0.5 * pt * t1**2
                    worse = f1 < f0 - 1e-12 * np.abs(f0)
                    if not worse.any():
                        break
                    step = np.where(worse, step / 2, step)
                alpha, theta = a1, t1
            # -- exact moves along the likelihood's flat directions (only the priors change):
            # shift theta -> theta + d (psi -> psi - beta d), then scale theta -> c theta,
            # beta -> beta / c, each to the value that maximises the penalised objective.
            d = -theta.mean()
            theta, psi = theta + d, psi - beta * d
            if pt > 0 and pb > 0 and (theta**2).sum() > 0 and (beta**2).sum() > 0:
                c = (pb * (beta**2).sum() / (pt * (theta**2).sum())) ** 0.25
                theta, beta = theta * c, beta / c
            ll = self._objective(y, alpha, psi, beta, theta)
            if abs(ll - ll_old) <= self.tol * max(1.0, abs(ll)):
                converged = True
                break
            ll_old = ll
        if converged:
            return alpha, psi, beta, theta, it, converged
        # -- polish: L-BFGS on all parameters jointly (alternating steps crawl along ridges)
        n, v = y.shape

        def unpack(x):
            a = np.concatenate([[0.0], x[: n - 1]])
            return a, x[n - 1 : 2 * n - 1], x[2 * n - 1 : 2 * n - 1 + v], x[2 * n - 1 + v :]

        def fun(x):
            a, t, p, b = unpack(x)
            eta = _eta(a, p, b, t)
            mu = np.exp(eta)
            r = y - mu
            f = -(y * eta - mu).sum() + 0.5 * pb * (b**2).sum() + 0.5 * pt * (t**2).sum()
            grad = np.concatenate(
                [-r.sum(axis=1)[1:], -(r @ b) + pt * t, -r.sum(axis=0), -(t @ r) + pb * b]
            )
            return f, grad

        x0 = np.concatenate([alpha[1:], theta, psi, beta])
        # L-BFGS works on small vectors: threaded BLAS only adds contention there
        with threadpool_limits(limits=1, user_api="blas"):
            res = minimize(
                fun,
                x0,
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-6, "maxcor": 20},
            )
        alpha, theta, psi, beta = unpack(res.x)
        return alpha, psi, beta, theta, it + int(res.nit), bool(res.success)

    def _start(self, y: np.ndarray):
        rs = y.sum(axis=1)
        cs = y.sum(axis=0)
        alpha = np.log(rs / rs[0])
        psi = np.log(cs * rs[0] / rs.sum())
        mu0 = np.exp(alpha[:, None] + psi[None, :])
        resid = np.log((y + 0.5) / (mu0 + 0.5))
        resid = resid - resid.mean(axis=0, keepdims=True)
        u, _s, _vt = np.linalg.svd(resid, full_matrices=False)
        theta = u[:, 0]
        theta = (theta - theta.mean()) / (theta.std() or 1.0)
        j = np.abs(theta).argmax()
        theta = theta * np.sign(theta[j])  # deterministic sign
        beta = np.zeros_like(psi)
        return alpha, psi, beta, theta

    def fit(self, X: Any, y: Any = None) -> Wordfish:
        """Estimate the model on a count matrix of shape (n_docs, n_terms).

        Parameters
        ----------
        X : DocTermMatrix or array-like or sparse of shape (n_docs, n_terms)
            Counts (dense internally; trim the vocabulary first for big corpora).
        y : ignored

        Returns
        -------
        self
        """
        if self.se not in {"hessian", "bootstrap", None}:
            raise ValueError(
                f"se={self.se!r} is not supported; use 'hessian', 'bootstrap' or None."
            )
        if self.max_iter < 1 or self.tol <= 0:
            raise ValueError("max_iter must be >= 1 and tol > 0.")
        m, doc_ids, vocab = _counts_input(X)
        counts = m.toarray()
        if counts.shape[0] < 3:
            raise ValueError(f"Wordfish needs at least 3 documents, got {counts.shape[0]}.")
        if (counts < 0).any() or not np.isfinite(counts).all():
            raise ValueError("X must hold non-negative, finite counts.")
        ids = np.asarray(doc_ids).astype(str) if doc_ids is not None else np.arange(counts.shape[0])
        empty = counts.sum(axis=1) == 0
        if empty.any():
            raise ValueError(
                f"{int(empty.sum())} document(s) have no tokens: "
                f"{np.asarray(ids)[empty][:5].tolist()}. "
                "Drop them before scaling."
            )
        used = counts.sum(axis=0) > 0
        counts = counts[:, used]
        self.n_dropped_terms_ = int((~used).sum())
        alpha, psi, beta, theta = self._start(counts)
        alpha, psi, beta, theta, n_iter, conv = self._fit_params(counts, alpha, psi, beta, theta)
        if not conv:
            warnings.warn(
                f"Wordfish did not converge in {self.max_iter} iterations (tol={self.tol}); "
                "raise max_iter or trim rare words.",
                stacklevel=2,
            )
        flip = 1.0
        if self.dir is not None:
            i0, i1 = (self._doc_pos(d, ids) for d in self.dir)
            if theta[i0] > theta[i1]:
                flip = -1.0
        self.theta_ = flip * theta
        self.beta_ = flip * beta
        self.alpha_ = alpha
        self.psi_ = psi
        self.doc_ids_ = np.asarray(ids)
        self.vocab_ = (
            np.asarray(vocab, dtype=object)[used] if vocab is not None else np.flatnonzero(used)
        )
        self.n_iter_ = n_iter
        self.converged_ = conv
        eta = alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :]
        from scipy.special import gammaln

        self.loglik_ = float((counts * eta - np.exp(eta) - gammaln(counts + 1)).sum())
        z = stats.norm.ppf(0.5 + self.ci_level / 2)
        if self.se == "hessian":
            pt, _ = self._penalties()
            mu = np.exp(eta)
            h_aa = mu.sum(axis=1)
            h_at = mu @ beta
            h_tt = mu @ beta**2 + pt
            var = h_aa / (h_aa * h_tt - h_at**2)
            var[0] = 1.0 / h_tt[0]
            self.se_theta_ = np.sqrt(var)
            self.theta_ci_ = np.column_stack(
                [self.theta_ - z * self.se_theta_, self.theta_ + z * self.se_theta_]
            )
        elif self.se == "bootstrap":
            rng = np.random.default_rng(self.random_state)
            mu = np.exp(eta)
            draws = np.empty((self.n_boot, counts.shape[0]))
            for b in range(self.n_boot):
                yb = rng.poisson(mu).astype(float)
                keep = yb.sum(axis=0) > 0
                *_, tb, _, _ = self._fit_params(
                    yb[:, keep], alpha.copy(), psi[keep].copy(), beta[keep].copy(), theta.copy()
                )
                if np.corrcoef(tb, theta)[0, 1] < 0:
                    tb = -tb
                draws[b] = flip * tb
            self.se_theta_ = draws.std(axis=0, ddof=1)
            q = 50 * (1 - self.ci_level)
            self.theta_ci_ = np.percentile(draws, [q, 100 - q], axis=0).T
        else:
            self.se_theta_ = np.full(counts.shape[0], np.nan)
            self.theta_ci_ = np.full((counts.shape[0], 2), np.nan)
        return self

    @staticmethod
    def _doc_pos(d: Any, ids: np.ndarray) -> int:
        if isinstance(d, (int, np.integer)):
            if not 0 <= d < len(ids):
                raise ValueError(f"dir position {d} is out of range (0..{len(ids) - 1}).")
            return int(d)
        hit = np.flatnonzero(np.asarray(ids).astype(str) == str(d))
        if not len(hit):
            raise ValueError(f"dir document {d!r} is not in the matrix (e.g. {list(ids[:3])}).")
        return int(hit[0])

    def score_table(self) -> pd.DataFrame:
        """Document positions: ``doc_id, theta, se, ci_low, ci_high, alpha``."""
        check_is_fitted(self, "theta_")
        return pd.DataFrame(
            {
                "doc_id": self.doc_ids_,
                "theta": self.theta_,
                "se": self.se_theta_,
                "ci_low": self.theta_ci_[:, 0],
                "ci_high": self.theta_ci_[:, 1],
                "alpha": self.alpha_,
            }
        )

    def word_table(self) -> pd.DataFrame:
        """Word parameters: ``term, beta, psi`` sorted by ``beta``."""
        check_is_fitted(self, "theta_")
        return (
            pd.DataFrame({"term": self.vocab_, "beta": self.beta_, "psi": self.psi_})
            .sort_values("beta")
            .reset_index(drop=True)
        )


# ====================================================================== validation
def _normalise_dyads(df: pd.DataFrame, *, a: str, b: str) -> pd.DataFrame:
    lo, hi = _pair_key(df[a], df[b])
    out = df.copy()
    out[a], out[b] = lo, hi
    return out


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
        Output of :func:`similarity_panel`.
    external : DataFrame
        ``actor_a, actor_b, <year_col>, <value>`` (e.g. ``external.voting_agreement``).
    value : str, default="agreement"
    year_col : str, default="year"

    Returns
    -------
    joined : DataFrame
        ``actor_a, actor_b, year, similarity, <value>`` (+ ``n_votes`` when present) for
        dyad-years with both numbers.
    unmatched : DataFrame
        ``side, reason, n_rows, examples``: why rows on either side found no partner.
    """
    require_columns(
        panel, ["actor_a", "actor_b", "period", "similarity"],
        what="panel", hint=_COLUMNS_HINT,
    )
    require_columns(
        external, ["actor_a", "actor_b", year_col, value],
        what="external table", hint=_COLUMNS_HINT,
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
    report: list[dict[str, Any]] = []

    def note(side: str, reason: str, rows: pd.DataFrame) -> None:
        if len(rows):
            h = rows.head(3)
            ex = (h["actor_a"] + "–" + h["actor_b"] + " " + h["year"].astype(str)).tolist()
            report.append({"side": side, "reason": reason, "n_rows": len(rows), "examples": ex})

    try:
        left["year"] = pd.to_numeric(left["year"]).astype(np.int64)
        right["year"] = pd.to_numeric(right["year"]).astype(np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Periods cannot be read as years ({exc}); compute the panel with period='year' "
            f"(panel periods look like {panel['period'].head(3).tolist()})."
        ) from None
    # one integer key per dyad-year on both sides (fast joins on ~1M rows)
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
    dup = right["_key"].duplicated(keep="first").to_numpy()
    note("external", "duplicate dyad-year after normalising dyad order (first kept)", right[dup])
    right = right[~dup]
    nan_left = left["similarity"].isna().to_numpy()
    note("panel", "similarity is NaN (an actor has no text that period)", left[nan_left])
    left = left[~nan_left]
    nan_right = right[value].isna().to_numpy()
    note("external", f"{value} is NaN", right[nan_right])
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
    only_l = left[~hit]
    only_r = right[~in_left]
    for side, rows, other_codes, other_years, other in (
        ("panel", only_l, r_codes, r_years, "external data"),
        ("external", only_r, l_codes, l_years, "text panel"),
    ):
        bad_code = ~rows["actor_a"].isin(other_codes) | ~rows["actor_b"].isin(other_codes)
        missing_codes = sorted(
            (set(rows.loc[bad_code, "actor_a"]) | set(rows.loc[bad_code, "actor_b"])) - other_codes
        )
        note(side, f"actor code not in the {other}: {missing_codes[:20]}", rows[bad_code])
        rest = rows[~bad_code]
        bad_year = ~rest["year"].isin(other_years)
        note(side, f"year not covered by the {other}", rest[bad_year])
        note(side, f"dyad absent that year in the {other}", rest[~bad_year])
    joined = left.loc[hit, ["actor_a", "actor_b", "year", "similarity"]].reset_index(drop=True)
    matched = right.iloc[pos[hit]]
    joined[value] = matched[value].to_numpy()
    if "n_votes" in right.columns:
        joined["n_votes"] = matched["n_votes"].to_numpy()
    unmatched = pd.DataFrame(report, columns=["side", "reason", "n_rows", "examples"])
    return joined, unmatched


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
        Output of :func:`similarity_panel` with yearly periods.
    external : DataFrame
        ``actor_a, actor_b, year, agreement`` (``toolkit.external.voting_agreement``).
    by_decade : bool, default=True
        One row per decade plus a pooled ``"all"`` row; False gives only the pooled row.
    value : str, default="agreement"
        The external column.
    year_col : str, default="year"
    n_boot : int, default=1000
        Bootstrap replicates. Dyad-years are not independent (every dyad shares its actors
        with many others and recurs every year), so the bootstrap resamples *actors* with
        replacement within the decade and keeps every dyad-year among the drawn actors
        (a vertex bootstrap, weights ``w_i * w_j``). Percentile intervals.
    ci_level : float, default=0.95
    min_n : int, default=10
        Decades with fewer joined dyad-years get NaN correlations.
    random_state : int, Generator or None, default=None

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
    joined, unmatched = join_dyads(panel, external, value=value, year_col=year_col)
    rng = np.random.default_rng(random_state)
    q = 50 * (1 - ci_level)
    groups: list[tuple[Any, pd.DataFrame]] = []
    if by_decade:
        dec = (joined["year"] // 10 * 10).astype(np.int64)
        groups += [(str(d), g) for d, g in joined.groupby(dec)]
    groups.append(("all", joined))
    rows = []
    for label, g in groups:
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
        rows.append(row)
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
        hint=_COLUMNS_HINT,
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

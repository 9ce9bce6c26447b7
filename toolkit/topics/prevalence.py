"""Topic prevalence: mean topic shares by period and group, with bootstrap intervals.

:func:`prevalence` averages the documents' topic shares in each (group, period) cell and
resamples documents within the cell for a percentile interval (conditional on the fitted
topics, or, with ``refit=B``, also over B refits of the model on bootstrap resamples of the
documents, so that topic uncertainty is included); :func:`prevalence_change`
sets a first and a last period side by side, topic by topic; :func:`prevalence_wide` lays
the table out for a reader (topics by periods or groups, each cell a share and its interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from toolkit._validation import check_ci_level, check_int, renamed_parameters, require_columns
from toolkit.features import DocTermMatrix
from toolkit.periods import Period, assign_period, is_year_period, period_label
from toolkit.topics.model import TopicModel, _join_corpus

__all__ = ["prevalence", "prevalence_change", "prevalence_wide"]


@renamed_parameters(ci="ci_level")
def prevalence(
    model: TopicModel,
    corpus: pd.DataFrame,
    *,
    by: str | None = None,
    period: Period = "year",
    n_boot: int = 1000,
    ci_level: float = 0.95,
    min_docs: int = 5,
    random_state: int | np.random.Generator | None = None,
    refit: int = 0,
    dtm: DocTermMatrix | None = None,
) -> pd.DataFrame:
    """Mean topic share by period x group, with bootstrap confidence intervals.

    Each document counts once (the mean of per-document shares). Intervals are
    percentile intervals from resampling documents with replacement within each cell
    (Efron & Tibshirani 1993, ch. 13), done as one multinomial-weights matrix product per
    cell. A cell of one document has no interval (NaN), as in keyword trends.

    The intervals are **conditional on the fitted model**: they treat each document's
    topic shares as data and ignore the uncertainty of the topics themselves (a refit on
    resampled documents would move them). They answer "how precisely do these documents
    pin down the mean share of this topic", not "how sure are we of the topic".

    With ``refit=B`` the intervals include topic uncertainty, in the spirit of the "method
    of composition" of stm (Roberts, Stewart & Tingley 2019; Roberts, Stewart & Airoldi
    2016): the model is refitted B times (``sklearn.base.clone(model)``, same parameters,
    seeds drawn from ``random_state``) on bootstrap resamples of the documents of ``dtm``,
    each refit's topics are matched one-to-one to the original ones (Hungarian algorithm
    on the cosine similarity of ``components_``), the refit's :meth:`TopicModel.transform`
    gives every document new shares, and the within-cell bootstrap above is run on those
    shares. The interval is the percentile interval of the B x ``n_boot`` pooled
    replicates (the B refit cell means when ``n_boot=0``): a draw of topics, then a draw
    of documents given the topics. ``share`` stays the original model's mean, so the
    interval need not be centred on it. A resample draws ``n_docs`` rows with replacement;
    since NMF and LDA take no sample weights, a document drawn m times enters the refit as
    m identical rows (renamed ``b000000``, ``b000001``... to keep doc ids unique), which is
    exactly the bootstrap sample.

    Parameters
    ----------
    model : TopicModel
        Fitted; its ``doc_topic_`` and ``doc_ids_`` are used.
    corpus : DataFrame
        The corpus table, with ``doc_id`` and the ``by`` / ``period`` columns. Documents
        not in the model are ignored (their number is in ``attrs["prevalence"]``).
    by : str or None, default=None
        Grouping column (``"actor"``, a bloc column...); None pools all documents.
    period : {"year", "decade"} or int or str or callable or None, default="year"
        How documents are grouped in time, as everywhere in the toolkit
        (:func:`toolkit.periods.assign_period`): ``"year"``, ``"decade"``, an int N
        (N-year bins), a column name, a pandas frequency (``"M"``, ``"Q"``) of ``date``,
        a callable, or None for no period (one period ``"all"``).
    n_boot : int, default=1000
        Bootstrap replicates; 0 gives no intervals (NaN).
    ci_level : float, default=0.95
        Interval coverage, in (0, 1) (``ci`` is its deprecated name).
    min_docs : int, default=5
        Cells with fewer documents are flagged ``low_n``.
    random_state : int, numpy Generator or None, default=None
        Seed of the bootstrap (and of the refits' resamples and seeds).
    refit : int, default=0
        Refits of the model on bootstrap resamples of the documents for intervals that
        include topic uncertainty (see above); 0 keeps the intervals conditional on the
        fitted model. Each refit costs one model fit.
    dtm : DocTermMatrix or None, default=None
        The matrix ``model`` was fitted on (same doc ids and vocabulary); required when
        ``refit > 0``, ignored otherwise.

    Returns
    -------
    DataFrame
        Columns ``group``, ``period``, ``topic``, ``label``, ``share``, ``ci_low``,
        ``ci_high``, ``n_docs``, ``low_n``; sorted by group, period, topic. For
        ``"year"``, ``"decade"`` and an int N, ``period`` is the (first) year as int64.
        Documents whose topic shares are all zero are excluded and counted in ``attrs``;
        ``attrs["methods"]`` names the interval (``"percentile"``, plus
        ``"refit_bootstrap"`` when ``refit > 0``); with refits,
        ``attrs["prevalence"]["refit_similarity"]`` is each topic's mean cosine
        similarity to its matched refit topic (low values: an unstable topic).

    Raises
    ------
    ValueError
        When ``refit > 0`` without ``dtm``, or with a ``dtm`` the model was not fitted on.
    """
    check_is_fitted(model, "components_")
    ci_level = check_ci_level(ci_level)
    refit = check_int("refit", refit, min_value=0)
    group, group_na, per, per_na = _cell_labels(model, corpus, by=by, period=period)
    shares = model.doc_topic_
    keep = (shares.sum(axis=1) > 0) & ~per_na & ~group_na
    cells = pd.DataFrame({"group": group, "period": per, "row": np.arange(len(group))})[keep]
    rng = np.random.default_rng(random_state)
    refits, similarity = (_refit_shares(model, dtm, refit, rng) if refit
                          else (None, np.empty((0, shares.shape[1]))))
    cols = _cell_means(shares, cells, n_boot=n_boot, ci_level=ci_level, rng=rng,
                       refits=refits)
    df = _prevalence_frame(cols, names=model.topic_names(), min_docs=min_docs,
                           year_periods=is_year_period(period))
    if refit:
        df.attrs["methods"] = ["percentile", "refit_bootstrap"]
    else:
        df.attrs["methods"] = ["percentile"] if n_boot > 0 else []
    df.attrs["prevalence"] = {
        "by": by, "period": period, "n_boot": n_boot, "ci_level": ci_level, "refit": refit,
        "random_state": random_state if isinstance(random_state, (int, type(None)))
        else "generator",
        "n_docs_used": int(keep.sum()),
        "n_docs_empty_topics": int((shares.sum(axis=1) == 0).sum()),
        "n_docs_missing_period_or_group": int((per_na | group_na).sum()),
        "n_corpus_docs_not_in_model": int(
            (~corpus["doc_id"].astype(str).isin(model.doc_ids_)).sum()
        ),
    }
    if refit:
        df.attrs["prevalence"]["refit_similarity"] = similarity.mean(axis=0).tolist()
    return df


def _match_topics(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each reference topic, the matched topic of ``other`` and their cosine similarity.

    One-to-one matching by the Hungarian algorithm (:func:`linear_sum_assignment`)
    maximising the total cosine similarity of the topic-term rows.
    """
    a = reference / np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-300)
    b = other / np.maximum(np.linalg.norm(other, axis=1, keepdims=True), 1e-300)
    sim = a @ b.T
    rows, cols = linear_sum_assignment(sim, maximize=True)
    match = cols[np.argsort(rows)]
    return match, sim[np.arange(len(match)), match]


def _refit_shares(
    model: TopicModel, dtm: DocTermMatrix | None, n_refit: int, rng: np.random.Generator
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each refit's topic shares of the model's documents (topics matched to the model's).

    Also returns the cosine similarity of every matched topic, of shape (n_refit, n_topics).
    """
    if dtm is None:
        raise ValueError(
            f"refit={n_refit} refits the model on bootstrap resamples of its training "
            "documents and needs them: pass dtm=, the DocTermMatrix the model was fitted on "
            "(or refit=0 for intervals conditional on the fitted model)."
        )
    if not isinstance(dtm, DocTermMatrix):
        raise TypeError(f"dtm must be a toolkit.features.DocTermMatrix, got "
                        f"{type(dtm).__name__}.")
    if not (np.array_equal(np.asarray(dtm.doc_ids, dtype=str), model.doc_ids_)
            and np.array_equal(np.asarray(dtm.vocab, dtype=str), model.vocab_)):
        raise ValueError(
            f"dtm is not the matrix the model was fitted on ({dtm.n_docs} documents x "
            f"{len(dtm.vocab)} terms; the model has {len(model.doc_ids_)} x "
            f"{len(model.vocab_)}, and doc ids and vocabulary must be equal). Pass the "
            "DocTermMatrix given to model.fit."
        )
    n = dtm.n_docs
    seeds = rng.integers(0, 2**31 - 1, size=n_refit)
    boot_ids = np.asarray([f"b{i:06d}" for i in range(n)])
    shares, sims = [], []
    for seed in seeds:
        rows = np.sort(rng.integers(0, n, size=n))
        sample = DocTermMatrix(dtm.matrix[rows], boot_ids, dtm.vocab)
        tm = clone(model).set_params(random_state=int(seed)).fit(sample)
        match, sim = _match_topics(model.components_, tm.components_)
        shares.append(tm.transform(dtm)[:, match])
        sims.append(sim)
    return shares, np.asarray(sims)


def _cell_labels(
    model: TopicModel, corpus: pd.DataFrame, *, by: str | None, period: Period
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group and period of each of the model's documents, and where either is missing.

    Year-based periods come as floats (NaN where the year is missing), other periods as
    they are; the first corpus row of a doc_id counts, as in the join with the corpus.
    """
    meta = _join_corpus(model, corpus, need=[] if by is None else [by])
    if by is not None:
        group_na = meta[by].isna().to_numpy()
        group = meta[by].astype(str).to_numpy()
    else:
        group_na = np.zeros(len(meta), dtype=bool)
        group = np.full(len(meta), "all", dtype=object)
    labels = assign_period(corpus, period).set_axis(corpus["doc_id"].astype(str).to_numpy())
    labels = labels[~labels.index.duplicated()].loc[model.doc_ids_]
    if is_year_period(period):
        per = labels.to_numpy(dtype=float, na_value=np.nan)
    else:
        per = labels.to_numpy()
    return group, group_na, per, pd.isna(per)


def _cell_means(
    shares: np.ndarray, cells: pd.DataFrame, *, n_boot: int, ci_level: float,
    rng: np.random.Generator, refits: list[np.ndarray] | None = None,
) -> dict[str, list]:
    """Mean shares and percentile bootstrap bounds of every (group, period) cell, in order.

    With ``refits`` (each refit's shares of the same documents) the bounds are percentiles
    of the within-cell bootstrap replicates pooled over the refits (of the refit cell means
    when ``n_boot=0``).
    """
    alpha = (1 - ci_level) / 2
    k = shares.shape[1]
    cols: dict[str, list] = {c: [] for c in
                             ("group", "period", "share", "ci_low", "ci_high", "n_docs")}
    for (g, p), idx in cells.groupby(["group", "period"], sort=True)["row"]:
        x = shares[idx.to_numpy()]
        n = x.shape[0]
        mean = x.mean(axis=0)
        if refits and n > 1:
            rows = idx.to_numpy()
            boot = np.vstack([
                (rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot) @ r[rows]) / n
                if n_boot > 0 else r[rows].mean(axis=0, keepdims=True)
                for r in refits
            ])
            lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        elif n_boot > 0 and n > 1:
            w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)
            boot = (w @ x) / n
            lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        else:  # no bootstrap, or one document: nothing to resample, no interval
            lo = hi = np.full(k, np.nan)
        cols["group"].append(g)
        cols["period"].append(p)
        cols["share"].append(mean)
        cols["ci_low"].append(lo)
        cols["ci_high"].append(hi)
        cols["n_docs"].append(n)
    return cols


def _prevalence_frame(
    cols: dict[str, list], *, names: Sequence[str], min_docs: int, year_periods: bool
) -> pd.DataFrame:
    """The long table of :func:`prevalence`: one row per cell and topic."""
    k = len(names)
    n_cells = len(cols["group"])
    n_docs = np.repeat(np.asarray(cols["n_docs"], dtype=np.int64), k)
    df = pd.DataFrame({
        "group": np.repeat(np.asarray(cols["group"], dtype=object), k),
        "period": np.repeat(np.asarray(cols["period"], dtype=object), k),
        "topic": np.tile(np.arange(k), n_cells),
        "label": np.tile(np.asarray(names, dtype=object), n_cells),
        "share": np.concatenate(cols["share"]) if n_cells else np.empty(0),
        "ci_low": np.concatenate(cols["ci_low"]) if n_cells else np.empty(0),
        "ci_high": np.concatenate(cols["ci_high"]) if n_cells else np.empty(0),
        "n_docs": n_docs,
        "low_n": n_docs < min_docs,
    })
    if year_periods and len(df):
        df["period"] = df["period"].astype("int64")
    else:
        df["period"] = df["period"].infer_objects()
    return df


def prevalence_change(
    prev: pd.DataFrame,
    *,
    topics: Sequence[int] | None = None,
    first: Any = None,
    last: Any = None,
) -> pd.DataFrame:
    """Each topic's share in a first and a last period, side by side, per group.

    Topic shares are reported one topic at a time: shares of different topics are not
    summed (a sum of topics selected by keywords overstates how much of a speech is about
    the keywords' subject).

    Parameters
    ----------
    prev : DataFrame
        Output of :func:`prevalence` (``group``, ``period``, ``topic``, ``label``,
        ``share``, ``ci_low``, ``ci_high``, ``n_docs``).
    topics : sequence of int or None, default=None
        Topics to report (all by default); an empty sequence gives an empty table.
    first, last : period label or None, default=None
        The periods compared; None takes the earliest / latest period in ``prev``.

    Returns
    -------
    DataFrame
        One row per (group, topic), in the order of ``topics`` within each group:
        ``group``, ``topic``, ``label``, ``first_period``, ``first_share``,
        ``first_ci_low``, ``first_ci_high``, ``first_n_docs``, the same for ``last_``,
        and ``change`` (``last_share - first_share``). A group without documents in a
        period has NaN there. An empty ``prev`` gives an empty table with these columns.
    """
    require_columns(
        prev, ["group", "period", "topic", "label", "share", "ci_low", "ci_high", "n_docs"],
        what="prevalence_change", noun="prev table",
        hint="Pass the output of toolkit.topics.prevalence.",
    )
    stats = ["share", "ci_low", "ci_high", "n_docs"]
    cols = ["group", "topic", "label",
            *[f"{end}_{c}" for end in ("first", "last") for c in ("period", *stats)], "change"]
    if prev.empty:  # e.g. no model (PassageTopics.prevalence): an empty, labelled table
        return pd.DataFrame(columns=cols)
    first = prev["period"].min() if first is None else first
    last = prev["period"].max() if last is None else last
    for name, value in (("first", first), ("last", last)):
        if not (prev["period"] == value).any():
            raise ValueError(
                f"{name}={value!r} is not a period of prev; it has "
                f"{sorted(prev['period'].unique().tolist())}."
            )
    order = sorted(prev["topic"].unique()) if topics is None else [int(t) for t in topics]
    known = set(prev["topic"].tolist())
    bad = [t for t in order if t not in known]
    if bad:
        raise ValueError(f"topic(s) {bad} are not in prev; it has {sorted(known)}.")
    labels = prev.drop_duplicates("topic").set_index("topic")["label"]
    groups = sorted(prev["group"].unique().tolist(), key=str)
    base = pd.DataFrame(
        [(g, t, labels[t]) for g in groups for t in order], columns=["group", "topic", "label"]
    ).astype({"topic": "int64"})
    out = base
    for end, value in (("first", first), ("last", last)):
        part = prev.loc[prev["period"] == value, ["group", "topic", *stats]]
        part = part.rename(columns={c: f"{end}_{c}" for c in stats})
        out = out.merge(part, on=["group", "topic"], how="left")
        out.insert(out.columns.get_loc(f"{end}_share"), f"{end}_period", value)
    out["change"] = out["last_share"] - out["first_share"]
    return out.loc[:, cols].reset_index(drop=True)


def prevalence_wide(
    prev: pd.DataFrame,
    *,
    columns: str = "period",
    groups: Sequence[str] | None = None,
    digits: int = 0,
) -> pd.DataFrame:
    """A :func:`prevalence` table for reading: one row per topic, one column per period or group.

    Each cell reads ``"12% (10–14%)"``: the mean share and its interval, in percent (the
    share alone when there is no interval, ``n_boot=0``). A cell with fewer documents than
    the ``min_docs`` of :func:`prevalence` ends in ``" *"``; a cell without documents is
    empty.

    Parameters
    ----------
    prev : DataFrame
        Output of :func:`prevalence` (``group``, ``period``, ``topic``, ``label``,
        ``share``, ``ci_low``, ``ci_high``, ``low_n``).
    columns : {"period", "group"}, default="period"
        What the columns are. Periods are named as in prose (``"1990s"``) when ``prev``
        records how they were made; the other dimension goes into the rows, before the
        topic, when it has more than one value.
    groups : sequence of str or None, default=None
        The groups kept, in this order (those absent from ``prev`` are skipped); None keeps
        every group.
    digits : int, default=0
        Decimals of the percentages.

    Returns
    -------
    DataFrame of str
        Index ``label`` (or ``(group, label)`` / ``(period, label)``), topics in order;
        columns the periods (in order) or the groups. An empty ``prev`` gives an empty
        table.
    """
    if columns not in ("period", "group"):
        raise ValueError(f"columns must be 'period' or 'group', got {columns!r}.")
    require_columns(prev, ["group", "period", "topic", "label", "share", "ci_low", "ci_high"],
                    what="prevalence_wide", noun="prev table",
                    hint="Pass the output of toolkit.topics.prevalence.")
    df = prev
    if groups is not None:
        order = [str(g) for g in groups]
        df = df[df["group"].astype(str).isin(order)].assign(
            group=lambda d: pd.Categorical(d["group"].astype(str), categories=order))
    if df.empty:
        return pd.DataFrame()
    period = (prev.attrs.get("prevalence") or {}).get("period", "year")
    pct = f"{{:.{int(digits)}%}}"
    share = df["share"].map(pct.format)
    cell = share + " (" + df["ci_low"].map(pct.format) + "–" + df["ci_high"].map(pct.format) + ")"
    cell = cell.where(df["ci_low"].notna() & df["ci_high"].notna(), share)  # n_boot=0
    if "low_n" in df.columns:
        cell = cell.where(~df["low_n"].astype(bool), cell + " *")
    df = df.assign(cell=cell)
    rows = "group" if columns == "period" else "period"
    index = [rows, "topic", "label"] if df[rows].nunique() > 1 else ["topic", "label"]
    wide = df.pivot_table(index=index, columns=columns, values="cell", aggfunc="first",
                          observed=True, sort=True).droplevel("topic")
    if columns == "period":
        wide.columns = [period_label(p, period) for p in wide.columns]
    else:
        wide.columns = [str(g) for g in wide.columns]
        if rows == "period" and len(index) == 3:
            wide.index = wide.index.set_levels(
                [period_label(p, period) for p in wide.index.levels[0]], level=0)
    wide.columns.name = None
    return wide.fillna("")

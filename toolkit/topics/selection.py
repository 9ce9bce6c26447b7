"""Choosing the number of topics: NPMI coherence, stability across samples, the k sweep.

:func:`npmi_coherence` scores topics by the document co-occurrence of their top terms,
:func:`topic_stability` by how well topics of different runs match (Hungarian matching on
the Jaccard overlap of top terms), :func:`sweep_k` fits one model per (k, seed) and scores
it (cached), and :func:`choose_k` picks k from the sweep's table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from scipy.optimize import linear_sum_assignment

from toolkit._validation import require_columns
from toolkit.cache import cache_key, cached, read_frame, write_frame
from toolkit.features import DocTermMatrix
from toolkit.topics.model import TopicModel, _check_dtm, _matrix_sha256

__all__ = ["choose_k", "npmi_coherence", "sweep_k", "topic_stability"]


# ---------------------------------------------------------------------------- scores
def _term_lists(topics: Any, n_terms: int) -> list[list[str]]:
    if isinstance(topics, TopicModel):
        return topics.top_term_lists(n_terms)
    lists = [list(t) for t in topics]
    if not lists:
        raise ValueError("topics is empty; pass a fitted TopicModel or a list of term lists.")
    return lists


def npmi_coherence(
    topics: TopicModel | Sequence[Sequence[str]], dtm: DocTermMatrix, *, n_terms: int = 10
) -> np.ndarray:
    """NPMI coherence of each topic, from document co-occurrence in ``dtm``.

    For every pair of a topic's top terms ``(a, b)``, with ``N`` documents,
    ``p(a) = D(a) / N`` and ``p(a, b) = D(a, b) / N`` (documents containing a term /
    both terms; the matrix is binarised)::

        NPMI(a, b) = ln(p(a, b) / (p(a) p(b))) / -ln p(a, b)

    with the conventions NPMI = -1 when the terms never co-occur and +1 when both occur
    in every document. A topic's coherence is the mean over its pairs; in [-1, 1].

    Parameters
    ----------
    topics : TopicModel or sequence of sequences of str
        A fitted model (its top ``n_terms`` by weight are used) or term lists.
    dtm : DocTermMatrix of shape (n_docs, n_terms)
        The reference corpus, usually the one the model was fitted on.
    n_terms : int, default=10
        Top terms per topic when ``topics`` is a model.

    Returns
    -------
    ndarray of shape (n_topics,)

    Raises
    ------
    KeyError
        If a term is not in ``dtm.vocab`` (the error names it).
    """
    dtm = _check_dtm(dtm)
    lists = _term_lists(topics, n_terms)
    for t in lists:
        if len(t) < 2:
            raise ValueError("each topic needs at least 2 terms to score NPMI.")
    union = sorted({w for t in lists for w in t})
    pos = dtm.term_index(union)
    B = sp.csc_matrix(dtm.matrix[:, pos] > 0, dtype=np.float64)
    co = (B.T @ B).toarray()
    n = dtm.n_docs
    p = np.diag(co) / n
    pij = co / n
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(pij / np.outer(p, p)) / -np.log(pij)
    npmi[co == 0] = -1.0
    npmi[pij >= 1.0] = 1.0
    where = {w: i for i, w in enumerate(union)}
    out = np.empty(len(lists))
    for k, terms in enumerate(lists):
        idx = np.array([where[w] for w in terms])
        iu = np.triu_indices(len(idx), 1)
        out[k] = npmi[np.ix_(idx, idx)][iu].mean()
    return out


def _jaccard_matrix(a: list[list[str]], b: list[list[str]]) -> np.ndarray:
    sa = [set(x) for x in a]
    sb = [set(x) for x in b]
    return np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in sb] for x in sa])


def topic_stability(
    term_lists: Sequence[Sequence[Sequence[str]]],
) -> np.ndarray:
    """Stability of each run against the others: matched top-term overlap.

    For each pair of runs, topics are matched one-to-one by the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) maximising the Jaccard overlap of
    their top terms; the pair's score is the mean Jaccard of matched topics.

    Parameters
    ----------
    term_lists : sequence of runs, each a list of n_topics term lists

    Returns
    -------
    ndarray of shape (n_runs,)
        Each run's mean matched Jaccard against every other run (NaN for a single run).
    """
    runs = [list(map(list, r)) for r in term_lists]
    n = len(runs)
    pair = np.full((n, n), np.nan)
    for i, j in combinations(range(n), 2):
        jac = _jaccard_matrix(runs[i], runs[j])
        r, c = linear_sum_assignment(jac, maximize=True)
        pair[i, j] = pair[j, i] = jac[r, c].mean()
    if n < 2:
        return np.full(n, np.nan)
    return np.nanmean(pair, axis=1)


# ---------------------------------------------------------------------------- sweep
def _split(n_docs: int, seed: int, subsample: float) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of row positions into a sorted training sample and the held-out rest."""
    if subsample >= 1.0:
        return np.arange(n_docs), np.arange(0)
    n_train = max(1, round(subsample * n_docs))
    rng = np.random.default_rng(seed)
    mask = np.zeros(n_docs, dtype=bool)
    mask[rng.choice(n_docs, size=n_train, replace=False)] = True
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def _fit_one(
    dtm: DocTermMatrix, k: int, seed: int, n_terms: int, subsample: float, params: dict
) -> dict:
    from threadpoolctl import threadpool_limits

    train_pos, held_pos = _split(dtm.n_docs, seed, subsample)
    train = DocTermMatrix(dtm.matrix[train_pos], dtm.doc_ids[train_pos], dtm.vocab)
    cpu0 = time.process_time()
    with threadpool_limits(limits=1):
        tm = TopicModel(k, random_state=seed, **params).fit(train)
        terms = tm.top_term_lists(n_terms)
        coh = npmi_coherence(terms, dtm)
        held = (
            tm.score(DocTermMatrix(dtm.matrix[held_pos], dtm.doc_ids[held_pos], dtm.vocab))
            if len(held_pos) and dtm.matrix[held_pos].nnz
            else float("nan")
        )
    return {
        "k": k,
        "seed": seed,
        "coherence": float(coh.mean()),
        "coherence_min": float(coh.min()),
        "heldout": held,
        "train_relative_err": tm.relative_err_,
        "train_perplexity": tm.perplexity_,
        "n_train_docs": len(train_pos),
        "n_iter": tm.n_iter_,
        "fit_seconds": tm.fit_seconds_,
        "cpu_seconds": time.process_time() - cpu0,
        "_terms": terms,
    }


_TIMING_COLUMNS = ("fit_seconds", "cpu_seconds")


def sweep_k(
    dtm: DocTermMatrix,
    ks: Iterable[int],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    subsample: float = 0.8,
    n_terms: int = 10,
    n_jobs: int = 2,
    progress: bool = True,
    use_cache: bool = True,
    cache_home: str | None = None,
    **model_params: Any,
) -> pd.DataFrame:
    """Fit one model per (k, seed) and score it, to help choose k.

    Each seed draws its own random ``subsample`` of documents to fit on (the rest is
    held out) and is also the model's ``random_state``. With the default NNDSVD
    initialisation NMF is deterministic given the data, so differences between seeds come
    from the documents: the stability is then that of Greene, O'Callaghan & Cunningham
    (2014, "How many topics? Stability analysis for topic models").

    The sweep is deterministic and slow (minutes on the full UNGDC), so its table is
    cached with :mod:`toolkit.cache` (kind ``"topic_sweep"``), keyed by the matrix
    checksum (values, vocabulary and doc ids), ``ks``, ``seeds``, ``subsample``,
    ``n_terms``, ``model_params``, the scikit-learn version and the toolkit version.
    ``n_jobs`` and ``progress`` do not change the result and are not part of the key.
    A corrupt entry is reported and rebuilt.

    Parameters
    ----------
    dtm : DocTermMatrix of shape (n_docs, n_terms)
    ks : iterable of int
        Numbers of topics to try.
    seeds : sequence of int, default=(0, 1, 2)
        One run per seed; stability needs at least two.
    subsample : float, default=0.8
        Share of documents each run is fitted on, in (0, 1]. 1.0 fits every run on all
        documents (then only ``random_state`` differs between seeds, and there is no
        held-out score).
    n_terms : int, default=10
        Top terms used for coherence and stability.
    n_jobs : int, default=2
        Parallel fits (joblib processes, each limited to one BLAS thread). Results do
        not depend on ``n_jobs``.
    progress : bool, default=True
        Show a tqdm bar over the fits.
    use_cache : bool, default=True
        Read the table from the cache when an entry for these inputs exists, else
        compute and store it. False always computes and never touches the cache.
    cache_home : str or None, default=None
        Override of the cache folder (default: ``FPTK_CACHE_HOME``).
    **model_params
        Passed to :class:`TopicModel` (``method``, ``solver``, ``max_iter``...).

    Returns
    -------
    DataFrame
        One row per (k, seed), sorted by k then seed:

        - ``coherence``: mean NPMI of the topics' top terms on the whole ``dtm``;
          ``coherence_min``: the least coherent topic;
        - ``stability``: mean matched Jaccard of top terms against the other seeds at the
          same k (:func:`topic_stability`), in [0, 1];
        - ``heldout``: on the held-out documents, NMF relative reconstruction error
          ``||X - WH|| / ||X||`` (lower is better) or LDA perplexity (lower is better);
        - ``train_relative_err``, ``train_perplexity``, ``n_train_docs``, ``n_iter``.

        Every column is a deterministic function of the inputs, so two runs (cached or
        not) give identical tables. Timings are kept out of the table:
        ``attrs["timings"]`` holds ``{"k", "seed", "fit_seconds", "cpu_seconds"}`` per
        fit (wall time of the fit; CPU time of fit and scoring in the worker) *from the
        run that computed the table*: on a cache hit they are the first run's, and
        ``attrs["from_cache"]`` is True. ``attrs["sweep"]`` records the parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.features import build_dtm
    >>> from toolkit.topics import choose_k, sweep_k
    >>> corpus = pd.DataFrame({
    ...     "doc_id": [f"d{i}" for i in range(6)],
    ...     "text": ["Weapons exports and arms sales grew.", "Arms sales and weapons exports.",
    ...              "Trade tariffs and grain prices.", "Grain prices and trade tariffs fell.",
    ...              "Climate change and carbon emissions.",
    ...              "Carbon emissions drive climate change."]})
    >>> dtm = build_dtm(corpus, use_cache=False, progress=False)
    >>> sweep = sweep_k(dtm, [2, 3], seeds=(0, 1), subsample=1.0, n_jobs=1,
    ...                 progress=False, use_cache=False)
    >>> sweep[["k", "seed", "coherence", "stability"]].round(3)
       k  seed  coherence  stability
    0  2     0     -0.510      1.000
    1  2     1     -0.510      1.000
    2  3     0     -0.435      0.889
    3  3     1     -0.441      0.889
    >>> choose_k(sweep)
    2
    """
    dtm = _check_dtm(dtm)
    ks = sorted({int(k) for k in ks})
    seeds = [int(s) for s in seeds]
    if not ks or not seeds:
        raise ValueError("sweep_k needs at least one k and one seed.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}.")
    if not 0.0 < subsample <= 1.0:
        raise ValueError(f"subsample must be in (0, 1], got {subsample}.")
    n_train = max(1, round(subsample * dtm.n_docs))
    probe = DocTermMatrix(dtm.matrix[:n_train], dtm.doc_ids[:n_train], dtm.vocab)
    for k in ks:  # fail before any fitting
        TopicModel(k, random_state=0, **model_params)._validate_params(probe)
    params = {"ks": ks, "seeds": seeds, "subsample": float(subsample),
              "n_terms": int(n_terms), **model_params}
    built = []

    def build() -> pd.DataFrame:
        built.append(True)
        return _sweep_table(dtm, ks, seeds, subsample=subsample, n_terms=n_terms,
                            n_jobs=n_jobs, progress=progress, model_params=model_params)

    key = cache_key(
        kind="topic_sweep",
        matrix=_matrix_sha256(dtm) if use_cache else "",
        params=params,
        sklearn=sklearn.__version__,
    )
    df = cached("topic_sweep", key, suffix=".parquet", build=build, write=write_frame,
                read=_read_sweep, cache_home=cache_home, use_cache=use_cache)
    df.attrs["sweep"] = params
    df.attrs["from_cache"] = not built
    return df


def _read_sweep(path: Path) -> pd.DataFrame:
    df = read_frame(path)
    if "stability" not in df.columns or not isinstance(df.attrs.get("timings"), list):
        raise ValueError("not a sweep_k table (no 'stability' column or timings)")
    return df


def _sweep_table(
    dtm: DocTermMatrix,
    ks: list[int],
    seeds: list[int],
    *,
    subsample: float,
    n_terms: int,
    n_jobs: int,
    progress: bool,
    model_params: dict,
) -> pd.DataFrame:
    """Run the fits of :func:`sweep_k` and assemble its table (timings in ``attrs``)."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    jobs = [(k, s) for k in ks for s in seeds]
    # largest k first so the slowest fits do not straggle at the end
    jobs.sort(key=lambda ks_: -ks_[0])
    if n_jobs == 1:
        results = [
            _fit_one(dtm, k, s, n_terms, subsample, model_params)
            for k, s in tqdm(jobs, desc="sweep_k", disable=not progress)
        ]
    else:
        par = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        gen = par(
            delayed(_fit_one)(dtm, k, s, n_terms, subsample, model_params) for k, s in jobs
        )
        results = list(tqdm(gen, total=len(jobs), desc="sweep_k", disable=not progress))
    df = pd.DataFrame(results).sort_values(["k", "seed"], kind="stable").reset_index(drop=True)
    stab = np.empty(len(df))
    for _k, idx in df.groupby("k", sort=True).groups.items():
        stab[idx] = topic_stability(df.loc[idx, "_terms"].tolist())
    df.insert(4, "stability", stab)
    timings = df[["k", "seed", *_TIMING_COLUMNS]].to_dict(orient="records")
    df = df.drop(columns=["_terms", *_TIMING_COLUMNS])
    df.attrs["timings"] = [
        {"k": int(r["k"]), "seed": int(r["seed"]), "fit_seconds": float(r["fit_seconds"]),
         "cpu_seconds": float(r["cpu_seconds"])}
        for r in timings
    ]
    return df


def choose_k(sweep: pd.DataFrame, *, tolerance: float = 0.05) -> int:
    """Choose the number of topics from a :func:`sweep_k` table.

    The rule: average coherence and stability over seeds for each k; keep the ks whose
    mean stability is within ``tolerance`` of the best mean stability; among those, take
    the k with the highest mean NPMI coherence; ties go to the smaller k. A sweep with a
    single seed has no stability (NaN) and is decided by coherence alone.

    Stability first guards against a k whose topics change with the sample of documents;
    coherence then picks, among the stable ks, the one whose topics are most interpretable.

    Parameters
    ----------
    sweep : DataFrame
        Output of :func:`sweep_k` (``k``, ``coherence``, ``stability``).
    tolerance : float, default=0.05
        How far below the best mean stability (on its 0-1 scale) a k may be.

    Returns
    -------
    int
        The chosen k.

    Raises
    ------
    ValueError
        If the table is empty, lacks the columns, or has no finite coherence.
    """
    require_columns(sweep, ["k", "coherence", "stability"], what="choose_k", noun="sweep",
                    hint="Pass the table toolkit.topics.sweep_k returns.")
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}.")
    by_k = sweep.groupby("k", sort=True)[["coherence", "stability"]].mean()
    by_k = by_k[np.isfinite(by_k["coherence"].to_numpy(dtype=float))]
    if by_k.empty:
        raise ValueError("sweep has no k with a finite coherence; there is nothing to choose.")
    stab = by_k["stability"].to_numpy(dtype=float)
    if np.isfinite(stab).any():
        best = np.nanmax(stab)
        by_k = by_k[stab >= best - tolerance - 1e-12]
    top = by_k["coherence"].max()
    return int(by_k.index[by_k["coherence"] == top].min())


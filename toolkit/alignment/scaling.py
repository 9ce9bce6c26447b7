"""Scaling texts on one dimension: Wordscores and Wordfish.

:class:`Wordscores` (Laver, Benoit & Garry 2003) scores virgin texts from reference texts;
:func:`wordscores_by_period` scores every actor-period against reference actors named by the
caller, on one fixed scale by default (word scores from the pooled reference texts), with a
bootstrap over passages (:mod:`~toolkit.alignment._wordscores_boot`). :class:`Wordfish`
(Slapin & Proksch 2008) places texts on a latent dimension with a Poisson model, its scale
identified as theirs and quanteda's (positions of mean 0 and sd 1, direction by two named
documents). Both follow the scikit-learn estimator
API (``fit``, learned attributes ending in ``_``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.optimize import minimize
from scipy.special import gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from toolkit._validation import check_int, check_option
from toolkit.alignment._units import (
    period_positions,
    restore_period_dtype,
    units,
    unknown_codes_message,
)
from toolkit.alignment._wordscores_boot import (
    RESAMPLING,
    ScaleGroup,
    bootstrap_groups,
    rescale_map,
)
from toolkit.exceptions import FewUnitsWarning
from toolkit.features import DocTermMatrix
from toolkit.periods import Period
from toolkit.uncertainty import bootstrap_intervals

__all__ = ["Wordfish", "Wordscores", "wordscores_by_period"]


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
    scored tokens; Laver, Benoit & Garry 2003, *APSR* 97(2), 311-331).

    That analytic standard error (and the normal interval built on it) treats the word scores
    as known constants: it ignores their estimation uncertainty, which comes from the finite
    reference texts, and treats the virgin text's tokens as independent draws. It is too
    small, the more so the shorter the reference texts. For intervals that include the
    uncertainty of the word scores, resample passages with
    :func:`wordscores_by_period` (``n_boot > 0``).

    Parameters
    ----------
    smooth : float, default=0.0
        Added to every reference count before frequencies are taken (then every vocabulary
        word gets a score).
    rescale : {"none", "lbg", "mv"}, default="none"
        ``"lbg"``: the LBG transformation ``(S_v - mean) * sd_ref / sd_virgin + mean`` (means
        and standard deviations, ``ddof=1``, over the virgin texts passed to
        :meth:`score_table`, so a score depends on which other texts are scored); ``"mv"``:
        Martin & Vanberg (2008, *Political Analysis* 16(1), 93-100), mapping the raw scores of
        the lowest and highest reference texts onto their reference scores (a map fixed by the
        references alone).
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

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.alignment import Wordscores
    >>> references = np.array([[8, 2, 0], [2, 8, 0]])  # counts of 3 words in 2 texts
    >>> model = Wordscores().fit(references, [-1, 1])
    >>> model.wordscores_
    array([-0.6,  0.6,  nan])
    >>> model.score_table(np.array([[5, 5, 2], [7, 3, 1]]))[["doc_id", "raw", "se"]].round(3)
       doc_id   raw     se
    0       0  0.00  0.190
    1       1 -0.24  0.174
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


#: ``scale=`` options of :func:`wordscores_by_period`.
SCALES = ("fixed", "per_period")


def _check_references(references: Any) -> dict[str, float]:
    """The reference actors and scores: a mapping of >= 2 actors with different scores."""
    if references is None or not isinstance(references, (Mapping, pd.Series)):
        raise ValueError(
            "wordscores_by_period needs references={actor: score}, e.g. {'RUS': -1, 'USA': 1}: "
            f"which actors anchor the scale is a research choice (got {references!r})."
        )
    refs = {str(k): float(v) for k, v in dict(references).items()}
    scores = np.array(list(refs.values()))
    if len(refs) < 2 or not np.isfinite(scores).all() or np.ptp(scores) == 0:
        raise ValueError(f"references needs >= 2 actors with finite, different scores; got {refs}.")
    return refs


def _scale_groups(
    grouped: Any,
    refs: dict[str, float],
    pidx: np.ndarray,
    *,
    scale: str,
    reference_periods: Iterable[Any] | None,
    rescale: str,
) -> tuple[list[ScaleGroup], list[dict[str, Any]]]:
    """The scale groups (one fixed, or one per period) and the periods skipped."""
    actor = grouped.actor.astype(str)
    unit_period = grouped.period_code
    scores = np.array(list(refs.values()))
    in_pidx = np.isin(unit_period, pidx)
    skipped: list[dict[str, Any]] = []
    if scale == "fixed":
        ref_p = (np.arange(len(grouped.periods)) if reference_periods is None
                 else period_positions(grouped, reference_periods, what="the data"))
        ref_units = [np.flatnonzero((actor == a) & np.isin(unit_period, ref_p)) for a in refs]
        absent = [a for a, u in zip(refs, ref_units, strict=True) if not len(u)]
        if absent:
            raise ValueError(f"Reference actor(s) {absent} have no text in reference_periods.")
        rows = tuple(np.concatenate([grouped.rows[grouped.start[u]:grouped.start[u + 1]]
                                     for u in us]) for us in ref_units)
        sel = np.flatnonzero(in_pidx)
        virgin = ~np.isin(actor[sel], list(refs))
        used = np.unique(unit_period[np.concatenate(ref_units)])
        ref_labels = tuple(grouped.periods[used].tolist())
        return [ScaleGroup("all", rows, scores, sel, virgin, ref_labels)], skipped
    groups = []
    for p in pidx:
        sel = np.arange(grouped.period_start[p], grouped.period_start[p + 1])
        names = actor[sel]
        missing = [a for a in refs if a not in set(names.tolist())]
        virgin = ~np.isin(names, list(refs))
        if missing or (rescale == "lbg" and virgin.sum() < 2):
            skipped.append({"period": grouped.periods[p], "missing_references": missing})
            continue
        rows = tuple(grouped.rows[grouped.start[u]:grouped.start[u + 1]]
                     for u in sel[[int(np.flatnonzero(names == a)[0]) for a in refs]])
        label = grouped.periods[p]
        groups.append(ScaleGroup(label, rows, scores, sel, virgin, (label,)))
    return groups, skipped


def _score_group(
    x: sp.csr_matrix, agg: sp.csr_matrix, g: ScaleGroup, *, smooth: float, rescale: str,
    ci_level: float,
) -> dict[str, np.ndarray]:
    """Point estimates of one group: word scores from its pooled references, then every unit."""
    ref_counts = np.vstack([np.asarray(x[r].sum(axis=0)).ravel() for r in g.ref_rows])
    model = Wordscores(smooth=smooth).fit(ref_counts, g.ref_scores)
    raw, se, n = model._raw(agg[g.units])
    a, b = rescale_map(rescale, raw, g.virgin, model.reference_raw_, g.ref_scores)
    z = stats.norm.ppf(0.5 + ci_level / 2)
    return {"raw": raw, "se": se, "ci_low": raw - z * se, "ci_high": raw + z * se,
            "n_scored_tokens": n, "is_reference": ~g.virgin, "score": a + b * raw,
            "score_ci_low": a + b * (raw - z * se), "score_ci_high": a + b * (raw + z * se)}


def wordscores_by_period(
    dtm: DocTermMatrix,
    corpus: pd.DataFrame,
    *,
    references: Mapping[str, float],
    by: str = "actor",
    period: Period = "year",
    periods: Iterable[Any] | None = None,
    scale: str = "fixed",
    reference_periods: Iterable[Any] | None = None,
    rescale: str | None = None,
    smooth: float = 0.0,
    ci_level: float = 0.95,
    n_boot: int = 200,
    resampling: str = "bayesian",
    min_passages: int = 5,
    random_state: int | np.random.Generator | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Wordscores positions of every actor-period, on one fixed scale by default.

    Rows of ``dtm`` (passages or documents) are summed per actor-period. With
    ``scale="fixed"`` (the default) the word scores are estimated **once**, from one pooled
    text per reference actor (its rows in ``reference_periods``, all periods by default), and
    every actor-period is scored with them; the rescaling is one linear map for all periods
    (Martin & Vanberg 2008, *Political Analysis* 16(1), 93-100: the pooled reference texts'
    raw scores are mapped onto their reference scores). A text whose wording stays the same
    keeps its position whatever the other texts do. ``scale="per_period"`` is the former
    behaviour: references and word scores from each period alone, LBG rescaling per period
    (Laver, Benoit & Garry 2003), so a change in how spread out the *other* texts of a period
    are moves every rescaled score: read it as positions within each period, not as movement.

    **Intervals.** ``se`` is the analytic standard error of LBG (2003), which treats the word
    scores as known: it ignores their uncertainty, and in simulations its 95% interval covers
    the true raw position in only about 0.90-0.93 of replications. With ``n_boot > 0`` (the
    default) ``ci_low``/``ci_high`` (and ``score_ci_*``) are percentile intervals of a
    bootstrap over passages instead: each replicate reweights the rows of every actor-period
    (``resampling``), recomputes the word scores from the reweighted reference texts, every
    raw score and the rescaling (Lowe & Benoit 2011; Benoit, Laver & Mikhaylov 2009, *AJPS*
    53(2), 495-513). Its coverage was checked at 0.92-0.98 (``tests/coverage/test_scaling.py``);
    build the matrix on passages (:func:`toolkit.text.split_passages`) so there is something
    to resample. With ``n_boot=0`` the intervals are the analytic ones.

    Parameters
    ----------
    dtm : DocTermMatrix
        Counts of shape (n_rows, n_terms), rows passages or documents.
    corpus : DataFrame
        The table the rows come from (``doc_id``, ``by``, what the period needs).
    references : mapping {actor: score}
        Required: the reference actors and their scores, e.g. ``{"RUS": -1, "USA": 1}``
        (a research choice, so the library has no default; ``None`` raises ``ValueError``).
    by : str, default="actor"
        The column naming the actor.
    period : {"year", "decade"} or int or str or callable, default="year"
        How rows are grouped in time (:func:`toolkit.periods.assign_period`).
    periods : iterable or None, default=None
        Score only these periods (unknown ones raise ``ValueError``). The fixed scale does
        not depend on this choice.
    scale : {"fixed", "per_period"}, default="fixed"
        One scale for all periods, or the former per-period fits.
    reference_periods : iterable or None, default=None
        With ``scale="fixed"``: the periods whose reference texts are pooled; None pools
        every period of the data.
    rescale : {"mv", "lbg", "none"} or None, default=None
        None means ``"mv"`` for the fixed scale and ``"lbg"`` per period. With the fixed scale
        ``"lbg"`` uses the mean and spread of all scored non-reference actor-periods at once
        (one map for all periods).
    smooth : float, default=0.0
        Added to every reference count (see :class:`Wordscores`).
    ci_level : float, default=0.95
        Coverage of the intervals.
    n_boot : int, default=200
        Bootstrap replicates; 0 gives the analytic intervals.
    resampling : {"bayesian", "ordinary"}, default="bayesian"
        How passages are resampled: Dirichlet(1) weights (Rubin 1981, *Annals of Statistics*
        9(1), 130-134), which keep every passage with a random weight, or multinomial counts
        (drawing passages with replacement). The ordinary bootstrap drops rare words of the
        reference texts at random, which pushes their word scores to the extremes and widens
        the interval beyond its level (coverage up to 0.99-1.0 in the simulations).
    min_passages : int, default=5
        With ``n_boot > 0``, actor-periods with fewer rows than this (>= 2), and every
        actor-period scored against reference texts with fewer, get NaN intervals and a
        :class:`~toolkit.exceptions.FewUnitsWarning` (one speech cannot be resampled).
    random_state : int, Generator or None, default=None
        Seed of the bootstrap.
    progress : bool, default=True
        Show a progress bar over replicates (when there are more than 50).

    Returns
    -------
    DataFrame
        ``actor, period, raw, se, ci_low, ci_high, n_scored_tokens, n_passages,
        is_reference, score, score_ci_low, score_ci_high`` (``score*`` only when rescaled).
        ``attrs`` hold ``references``, ``scale``, ``rescale``, ``reference_periods`` (the
        periods pooled), ``methods`` (keys of ``toolkit.uncertainty.METHODS``) and
        ``skipped`` (per-period scale: periods lacking a reference, or < 2 texts for LBG).

    Raises
    ------
    ValueError
        If ``references`` is missing, or a reference actor is absent from the data (named).
    """
    refs = _check_references(references)
    check_option("scale", scale, SCALES)
    rescale = rescale or ("mv" if scale == "fixed" else "lbg")
    check_option("rescale", rescale, ("mv", "lbg", "none"))
    check_option("resampling", resampling, RESAMPLING)
    check_int("n_boot", n_boot, min_value=0)
    check_int("min_passages", min_passages, min_value=2)
    grouped = units(dtm.doc_ids, corpus, by=by, period=period)
    known = np.unique(grouped.actor.astype(str))
    absent = [a for a in refs if a not in set(known.tolist())]
    if absent:
        raise ValueError(
            f"Reference actor(s) {absent} are absent from the data. "
            + unknown_codes_message(absent, known.tolist(), by)
        )
    x = sp.csr_matrix(dtm.matrix, dtype=np.float64)
    agg = (grouped.indicator(dtm.n_docs) @ x).tocsr()
    pidx = period_positions(grouped, periods)
    groups, skipped = _scale_groups(grouped, refs, pidx, scale=scale,
                                    reference_periods=reference_periods, rescale=rescale)
    if skipped:
        warnings.warn(
            f"{len(skipped)} period(s) skipped for missing reference texts (or < 2 virgin "
            f"texts), e.g. {skipped[:3]}.",
            stacklevel=2,
        )
    cols = [_score_group(x, agg, g, smooth=smooth, rescale=rescale, ci_level=ci_level)
            for g in groups]
    if n_boot > 0 and groups:
        _bootstrap_columns(x, grouped, groups, cols, smooth=smooth, rescale=rescale,
                           n_boot=n_boot, resampling=resampling, ci_level=ci_level,
                           min_passages=min_passages, random_state=random_state,
                           progress=progress)
    out = _wordscores_table(grouped, groups, cols, rescale=rescale)
    _warn_unscored(out)
    out.attrs.update({
        "skipped": skipped, "references": refs, "scale": scale, "rescale": rescale,
        "reference_periods": list(groups[0].ref_periods) if scale == "fixed" and groups else [],
        "methods": (["wordscores"] if scale == "fixed" else []) + (
            (["passage_bootstrap", "bayesian_bootstrap", "percentile"]
             if resampling == "bayesian" else ["passage_bootstrap", "percentile"])
            if n_boot > 0 else []),
        "resampling": resampling if n_boot > 0 else None, "n_boot": n_boot,
    })
    return out


def _bootstrap_columns(
    x: sp.csr_matrix, grouped: Any, groups: list[ScaleGroup], cols: list[dict[str, Any]], *,
    smooth: float, rescale: str, n_boot: int, resampling: str, ci_level: float,
    min_passages: int, random_state: Any, progress: bool,
) -> None:
    """Replace the analytic intervals of ``cols`` by bootstrap percentile intervals.

    Units with fewer than ``min_passages`` rows, and every unit of a group whose reference
    texts have fewer, get NaN intervals, with a :class:`~toolkit.exceptions.FewUnitsWarning`.
    """
    rng = np.random.default_rng(random_state)
    reps = bootstrap_groups(x, grouped, groups, smooth=smooth, rescale=rescale, n_boot=n_boot,
                            resampling=resampling, rng=rng, progress=progress)
    short_units, short_refs = 0, []
    for g, c, (raw_b, score_b) in zip(groups, cols, reps, strict=True):
        few = grouped.n_rows[g.units] < min_passages
        short_units += int(few.sum())
        if min(len(r) for r in g.ref_rows) < min_passages:
            few[:] = True  # reference texts too short to resample: no interval at all
            short_refs.append(g.label)
        for est, lo_col, hi_col, rep in (("raw", "ci_low", "ci_high", raw_b),
                                         ("score", "score_ci_low", "score_ci_high", score_b)):
            lo, hi = bootstrap_intervals(c[est], rep, method="percentile", ci_level=ci_level)
            c[lo_col], c[hi_col] = np.where(few, np.nan, lo), np.where(few, np.nan, hi)
    if short_units or short_refs:
        n_units = sum(len(g.units) for g in groups)
        warnings.warn(
            f"{short_units} of {n_units} actor-periods have fewer than min_passages="
            f"{min_passages} passages"
            + (f", and the reference texts of {short_refs[:5]} too" if short_refs else "")
            + "; their intervals are NaN. Build the matrix on split_passages(corpus) to "
            "resample paragraphs.",
            FewUnitsWarning,
            stacklevel=3,
        )


_WS_COLUMNS = ("raw", "se", "ci_low", "ci_high", "n_scored_tokens", "n_passages",
               "is_reference", "score", "score_ci_low", "score_ci_high")


def _wordscores_table(grouped: Any, groups: list[ScaleGroup], cols: list[dict[str, Any]],
                      *, rescale: str) -> pd.DataFrame:
    """One row per scored actor-period, sorted by period then actor."""
    if not groups:
        return pd.DataFrame(columns=["actor", "period", *_WS_COLUMNS])
    u = np.concatenate([g.units for g in groups])
    data: dict[str, Any] = {
        "actor": grouped.actor[u].astype(str),
        "period": grouped.periods[grouped.period_code[u]],
    }
    for c in _WS_COLUMNS:
        data[c] = (grouped.n_rows[u] if c == "n_passages"
                   else np.concatenate([col[c] for col in cols]))
    out = pd.DataFrame(data)
    out["is_reference"] = out["is_reference"].astype(bool)
    if rescale == "none":
        out = out.drop(columns=["score", "score_ci_low", "score_ci_high"])
    out["period"] = restore_period_dtype(out["period"], grouped.periods)
    return out.sort_values(["period", "actor"], kind="stable").reset_index(drop=True)


def _warn_unscored(table: pd.DataFrame) -> None:
    empty = table[table["n_scored_tokens"] == 0]
    if len(empty):
        warnings.warn(
            f"{len(empty)} actor-period(s) contain no scored word and get NaN, e.g. "
            f"{list(zip(empty['actor'], empty['period'], strict=True))[:5]}.",
            stacklevel=3,
        )


# ====================================================================== Wordfish
def _eta(alpha, psi, beta, theta) -> np.ndarray:
    return np.minimum(alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :], 700.0)


def _newton_pair(
    y: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    covariate: np.ndarray,
    eta_at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    axis: int,
    penalty: float,
    fix_first: bool = False,
    n_steps: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps (with step halving) on one block of Wordfish parameters.

    The block pairs an intercept ``first`` (no prior) with a slope ``second`` (normal prior
    of precision ``penalty``) that multiplies ``covariate``: the word block is
    ``(psi_j, beta_j)`` with covariate ``theta`` (sums over documents, ``axis=0``); the
    document block is ``(alpha_i, theta_i)`` with covariate ``beta`` (sums over words,
    ``axis=1``), where ``fix_first`` holds ``alpha_0`` at 0. Each element's 2 x 2 problem
    is solved in closed form and its step halved until its penalised log-likelihood does
    not decrease. ``eta_at(first, second)`` gives the linear predictor.
    """

    def along(m: np.ndarray, v: np.ndarray) -> np.ndarray:  # sum over ``axis`` weighted by v
        return v @ m if axis == 0 else m @ v

    for _ in range(n_steps):
        eta = eta_at(first, second)
        mu = np.exp(eta)
        r = y - mu
        g_1 = r.sum(axis=axis)
        g_2 = along(r, covariate) - penalty * second
        h_11 = mu.sum(axis=axis)
        h_12 = along(mu, covariate)
        h_22 = along(mu, covariate**2) + penalty
        det = h_11 * h_22 - h_12**2
        det = np.where(det > 1e-12, det, 1e-12)
        d_1 = (h_22 * g_1 - h_12 * g_2) / det
        d_2 = (h_11 * g_2 - h_12 * g_1) / det
        if fix_first:
            d_1[0] = 0.0
            d_2[0] = g_2[0] / h_22[0]
        f0 = (y * eta - mu).sum(axis=axis) - 0.5 * penalty * second**2
        step = np.ones_like(first)
        for _h in range(30):
            new_1, new_2 = first + step * d_1, second + step * d_2
            e1 = eta_at(new_1, new_2)
            f1 = (y * e1 - np.exp(e1)).sum(axis=axis) - 0.5 * penalty * new_2**2
            worse = f1 < f0 - 1e-12 * np.abs(f0)
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        first, second = new_1, new_2
    return first, second


class Wordfish(BaseEstimator):
    """Wordfish (Slapin & Proksch 2008): Poisson scaling of texts on one latent dimension.

    ``y_ij ~ Poisson(exp(alpha_i + psi_j + beta_j * theta_i))`` with document fixed effects
    ``alpha`` (``alpha_0 = 0``), word fixed effects ``psi``, word weights ``beta`` and document
    positions ``theta``. The estimate maximises the log-likelihood penalised by normal priors
    ``theta ~ N(0, prior_sd_theta^2)`` and ``beta ~ N(0, prior_sd_beta^2)`` (as in quanteda's
    ``textmodel_wordfish``), which keeps rare words finite. The fit starts from a
    deterministic SVD of the null-model residuals, alternates Newton steps (with step halving)
    over word and document parameters, then polishes all parameters jointly with L-BFGS.

    **Identification.** The likelihood does not change when ``theta`` is shifted or stretched
    (with ``psi`` and ``beta`` moved to match) or mirrored. As Slapin & Proksch (2008,
    *AJPS* 52(3), 705-722) and quanteda's ``textmodel_wordfish`` do, the reported positions
    are standardised after fitting, ``theta_ = (theta - mean) / sd`` (mean 0, sd 1 with
    ``ddof=1``), with ``beta_ = beta * sd`` and ``psi_ = psi + beta * mean`` so every fitted
    rate stays the same; standard errors are divided by the same sd. The direction is set by
    ``dir``: two named documents, the first to the left (lower ``theta``). Positions are
    therefore relative to the documents fitted together: they are comparable within one fit,
    not across fits on different documents.

    Parameters
    ----------
    dir : (int or str, int or str) or None, default=None
        Two documents (positions or doc ids), e.g. two actors' texts when the matrix is
        summed per actor (``DocTermMatrix.group_sum``); ``theta_`` is flipped so that
        ``theta_[dir[0]] < theta_[dir[1]]``. None keeps the sign of the start values, which is
        arbitrary (deterministic but not meaningful): name a pair to give the scale a
        direction.
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
        Standardised positions: mean 0, sd 1 (``ddof=1``), oriented by ``dir``.
    theta_location_, theta_scale_ : float
        Mean and sd (``ddof=1``) of the penalised-likelihood positions before standardising.
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
            psi, beta = _newton_pair(
                y, psi, beta, theta, lambda p, b, a=alpha, t=theta: _eta(a, p, b, t), axis=0,
                penalty=pb,
            )
            # -- document parameters (alpha_i, theta_i), alpha_0 fixed at 0
            alpha, theta = _newton_pair(
                y, alpha, theta, beta, lambda a, t, p=psi, b=beta: _eta(a, p, b, t), axis=1,
                penalty=pt, fix_first=True,
            )
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
        alpha, psi, beta, theta, n_polish, success = self._polish(y, alpha, psi, beta, theta)
        return alpha, psi, beta, theta, it + n_polish, success

    def _polish(self, y, alpha, psi, beta, theta):
        """L-BFGS on all parameters jointly (alternating steps crawl along ridges)."""
        pt, pb = self._penalties()
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
        return alpha, psi, beta, theta, int(res.nit), bool(res.success)

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
        check_option("se", self.se, ("hessian", "bootstrap", None))
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
        # identification (Slapin & Proksch 2008; quanteda): theta of mean 0 and sd 1
        # (ddof=1, as R's sd), beta and psi moved so that every fitted rate is unchanged
        loc, scl = float(theta.mean()), float(theta.std(ddof=1))
        self.theta_location_, self.theta_scale_ = loc, scl
        flip = 1.0
        if self.dir is not None:
            i0, i1 = (self._doc_pos(d, ids) for d in self.dir)
            if i0 == i1:
                raise ValueError(f"dir names the same document twice: {self.dir}.")
            if theta[i0] > theta[i1]:
                flip = -1.0
        self.theta_ = flip * (theta - loc) / scl
        self.beta_ = flip * beta * scl
        self.alpha_ = alpha
        self.psi_ = psi + beta * loc
        self.doc_ids_ = np.asarray(ids)
        self.vocab_ = (
            np.asarray(vocab, dtype=object)[used] if vocab is not None else np.flatnonzero(used)
        )
        self.n_iter_ = n_iter
        self.converged_ = conv
        eta = alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :]
        self.loglik_ = float((counts * eta - np.exp(eta) - gammaln(counts + 1)).sum())
        self.se_theta_, self.theta_ci_ = self._theta_intervals(
            counts, eta, (alpha, psi, beta, theta), flip=flip
        )
        return self

    def _theta_intervals(
        self, counts: np.ndarray, eta: np.ndarray, params: tuple, *, flip: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Standard errors of ``theta_`` and their intervals, as ``se`` asks."""
        alpha, psi, beta, theta = params
        z = stats.norm.ppf(0.5 + self.ci_level / 2)
        if self.se == "hessian":
            pt, _ = self._penalties()
            mu = np.exp(eta)
            h_aa = mu.sum(axis=1)
            h_at = mu @ beta
            h_tt = mu @ beta**2 + pt
            var = h_aa / (h_aa * h_tt - h_at**2)
            var[0] = 1.0 / h_tt[0]
            se = np.sqrt(var) / self.theta_scale_  # on the standardised scale
            return se, np.column_stack([self.theta_ - z * se, self.theta_ + z * se])
        if self.se == "bootstrap":
            rng = np.random.default_rng(self.random_state)
            mu = np.exp(eta)
            draws = np.empty((self.n_boot, counts.shape[0]))
            for b in range(self.n_boot):
                yb = rng.poisson(mu).astype(float)
                keep = yb.sum(axis=0) > 0
                *_, tb, _, _ = self._fit_params(
                    yb[:, keep], alpha.copy(), psi[keep].copy(), beta[keep].copy(), theta.copy()
                )
                tb = (tb - tb.mean()) / tb.std(ddof=1)  # each refit identified the same way
                if np.corrcoef(tb, theta)[0, 1] < 0:
                    tb = -tb
                draws[b] = flip * tb
            q = 50 * (1 - self.ci_level)
            return draws.std(axis=0, ddof=1), np.percentile(draws, [q, 100 - q], axis=0).T
        return np.full(counts.shape[0], np.nan), np.full((counts.shape[0], 2), np.nan)

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



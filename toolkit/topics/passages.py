"""Topics *within* a theme: a topic model of the passages that mention it.

A whole-speech topic model says what speeches are about; a theme that fills a few
paragraphs of many speeches (arms supply, say) rarely forms a topic of its own there. The
question "what is arms talk about?" needs the arms passages as the documents.
:func:`passage_topics` takes them with :func:`toolkit.keywords.extract_passages` (the
paragraphs or sentences holding a match in some dictionary categories), builds their
matrix with :func:`toolkit.features.build_dtm`, sweeps k with :func:`sweep_k`, picks it
with :func:`choose_k` and fits a :class:`TopicModel`. Each step is the toolkit's own and is
cached where it is slow (the matrix, the sweep).

On a corpus with too few such passages there is no model, and the :class:`PassageTopics`
it returns says why in ``notice``; its tables are then empty but keep their columns, so a
report shows the notice instead of failing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit import keywords
from toolkit.exceptions import EmptyDocumentsWarning
from toolkit.features import DocTermMatrix, build_dtm
from toolkit.periods import Period
from toolkit.text import TokenizerOptions
from toolkit.topics.labels import _match_categories, representative_docs
from toolkit.topics.model import TopicModel
from toolkit.topics.prevalence import prevalence
from toolkit.topics.selection import choose_k, sweep_k

__all__ = ["PassageTopics", "passage_topics"]

#: Share of the passages each fit of the sweep is trained on (:func:`sweep_k`'s default).
_SUBSAMPLE = 0.8
#: Columns of :func:`sweep_k`'s table (what an empty sweep keeps).
SWEEP_COLUMNS = ["k", "seed", "coherence", "coherence_min", "stability", "heldout",
                 "train_relative_err", "train_perplexity", "n_train_docs", "n_iter"]
#: Columns of :func:`prevalence`'s table.
PREVALENCE_COLUMNS = ["group", "period", "topic", "label", "share", "ci_low", "ci_high",
                      "n_docs", "low_n"]
#: Columns of :meth:`PassageTopics.topic_table`.
TOPIC_COLUMNS = ["topic", "label", "frex_terms", "weight_terms", "share", "n_leading"]
#: Columns of :meth:`PassageTopics.representative` (with a corpus that has actor and year).
REPRESENTATIVE_COLUMNS = ["topic", "label", "rank", "doc_id", "share", "actor", "year", "left",
                          "match", "right"]


@dataclass(frozen=True, eq=False)
class PassageTopics:
    """The passages of a theme, their matrix, the k sweep and the topic model fitted on them.

    Returned by :func:`passage_topics`; not built by hand. When there is no model
    (``notice`` says why), ``dtm`` and ``model`` are None and every table method returns an
    empty table with its usual columns.

    Parameters
    ----------
    passages : DataFrame
        The passages, a corpus table (see :func:`toolkit.keywords.extract_passages`); every
        passage found, also when there is no model.
    dtm : DocTermMatrix or None
        Their document-term matrix, shape (n_passages, n_terms).
    sweep : DataFrame
        The :func:`sweep_k` table (empty, same columns, when no sweep ran).
    model : TopicModel or None
        Fitted on ``dtm``; its topics are labelled by their top FREX terms.
    k_source : {"n_topics", "choose_k"} or None
        Where k came from: the caller, or :func:`choose_k` on the sweep.
    notice : str or None
        Why there is no model; None when there is one.
    info : dict
        What was asked and found: ``dictionary`` (name, version), ``categories``, ``unit``,
        ``min_passages``, ``n_parent_docs`` (documents with a passage), ``ks`` (swept) and
        ``ks_dropped`` (too large for the matrix), and with a matrix ``n_empty_passages``
        (passages without a term of the vocabulary; they get no topic share).
    """

    passages: pd.DataFrame
    dtm: DocTermMatrix | None
    sweep: pd.DataFrame
    model: TopicModel | None
    k_source: str | None
    notice: str | None
    info: dict = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        """True when a topic model was fitted (else ``notice`` says why)."""
        return self.model is not None

    @property
    def k(self) -> int | None:
        """The number of topics of the model, or None without one."""
        return None if self.model is None else int(self.model.n_topics)

    @property
    def n_passages(self) -> int:
        """How many passages matched (modelled or not)."""
        return len(self.passages)

    def topic_table(self, n_terms: int = 10) -> pd.DataFrame:
        """One row per topic: its FREX label and terms, top terms by weight, its share.

        Parameters
        ----------
        n_terms : int, default=10
            Terms listed per topic.

        Returns
        -------
        DataFrame
            ``topic``, ``label`` (the top three FREX terms), ``frex_terms`` and
            ``weight_terms`` (comma-separated, best first), ``share`` (mean topic share
            over the passages) and ``n_leading`` (passages whose largest topic it is).
            Empty, with these columns, without a model.
        """
        if self.model is None:
            return pd.DataFrame(columns=TOPIC_COLUMNS)
        m = self.model
        shares = m.doc_topic_
        lead = np.bincount(shares.argmax(axis=1)[shares.sum(axis=1) > 0],
                           minlength=shares.shape[1])
        return pd.DataFrame({
            "topic": np.arange(shares.shape[1], dtype=np.int64),
            "label": m.topic_names(),
            "frex_terms": [", ".join(t) for t in m.top_term_lists(n_terms, scheme="frex")],
            "weight_terms": [", ".join(t) for t in m.top_term_lists(n_terms)],
            "share": shares.mean(axis=0),
            "n_leading": lead.astype(np.int64),
        })

    def prevalence(
        self,
        *,
        by: str | None = None,
        period: Period = "decade",
        n_boot: int = 1000,
        ci_level: float = 0.95,
        min_docs: int = 5,
        random_state: int | np.random.Generator | None = None,
    ) -> pd.DataFrame:
        """Mean topic share of a passage by period and group, with bootstrap intervals.

        :func:`toolkit.topics.prevalence` on the passages: each passage counts once, so a
        share is a share *of the theme's talk*, not of whole speeches.

        Parameters
        ----------
        by : str or None, default=None
            Grouping column of the passages (``"actor"``...); None pools them.
        period : {"year", "decade"} or int or str or callable or None, default="decade"
            As in :func:`toolkit.periods.assign_period`; None: one period.
        n_boot : int, default=1000
            Bootstrap replicates (resampling passages within a cell).
        ci_level : float, default=0.95
            Interval coverage.
        min_docs : int, default=5
            Cells with fewer passages are flagged ``low_n``.
        random_state : int, numpy Generator or None, default=None
            Seed of the bootstrap.

        Returns
        -------
        DataFrame
            The table of :func:`toolkit.topics.prevalence` (``group``, ``period``,
            ``topic``, ``label``, ``share``, ``ci_low``, ``ci_high``, ``n_docs``,
            ``low_n``); empty, with these columns, without a model.
        """
        if self.model is None:
            return pd.DataFrame(columns=PREVALENCE_COLUMNS)
        return prevalence(self.model, self.passages, by=by, period=period, n_boot=n_boot,
                          ci_level=ci_level, min_docs=min_docs, random_state=random_state)

    def representative(self, *, n: int = 3, window: int = 80, n_terms: int = 10) -> pd.DataFrame:
        """The passages with the largest share of each topic, with a snippet.

        Many short passages lie wholly in one topic (share 1); among those, the ones the
        topic fits best (largest unnormalised weight in ``model.transform``) come first. The
        snippet centres on the topic's top FREX terms.

        Parameters
        ----------
        n : int, default=3
            Passages per topic.
        window : int, default=80
            Characters of context either side of the snippet's centre term.
        n_terms : int, default=10
            Top FREX terms the snippet centres on (see :func:`representative_docs`).

        Returns
        -------
        DataFrame
            :func:`representative_docs` on the passages with the topic's ``label``
            after ``topic``: ``topic``, ``label``, ``rank``, ``doc_id`` (the passage id,
            ``<speech>#p<i>``), ``share``, ``actor`` and ``year`` when the corpus has them,
            ``left``, ``match``, ``right``. Empty, with these columns, without a model.
            The text is raw: display it through pandas (which escapes HTML) or escape it.
        """
        if self.model is None:
            return pd.DataFrame(columns=REPRESENTATIVE_COLUMNS)
        weights = self.model.transform(self.dtm, normalize=False)
        out = representative_docs(self.model, self.passages, n=n, window=window,
                                  n_terms=n_terms, scheme="frex", tiebreak=weights)
        out.insert(1, "label", np.asarray(self.model.topic_names(), dtype=object)[out["topic"]])
        return out


def passage_topics(
    corpus: pd.DataFrame,
    dictionary: str | Path | Mapping | keywords.Dictionary,
    *,
    categories: str | Sequence[str] | None = None,
    unit: str = "paragraph",
    ks: Iterable[int] = (6, 8, 10, 12, 15),
    seeds: Sequence[int] = (0, 1),
    n_topics: int | None = None,
    min_passages: int = 200,
    min_df: int | float = 10,
    max_df: int | float = 0.5,
    max_terms: int | None = 10000,
    tokenizer: TokenizerOptions | None = None,
    n_label_terms: int = 3,
    random_state: int | None = None,
    n_jobs: int = 2,
    progress: bool = True,
    use_cache: bool = True,
    cache_home: str | None = None,
    **model_params: Any,
) -> PassageTopics:
    """Fit a topic model to the passages that mention a theme (e.g. arms supply).

    Steps: :func:`toolkit.keywords.extract_passages` (passages with a match in
    ``categories``), :func:`toolkit.features.build_dtm` on them (cached),
    :func:`sweep_k` over the ``ks`` the matrix allows (cached), k from ``n_topics`` or
    :func:`choose_k`, then ``TopicModel(k, random_state=random_state)`` on every passage.
    Topics are labelled with their top ``n_label_terms`` FREX terms
    (:meth:`TopicModel.set_labels`), so prevalence tables and figures carry those labels.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``doc_id``, ``text``; ``actor``, ``year``... are carried to the
        passages).
    dictionary : str, path, mapping or Dictionary
        Anything :func:`toolkit.keywords.load_dictionary` accepts (e.g. ``"arms"``).
    categories : str or sequence of str or None, default=None
        The categories whose matches mark a passage. None means those the dictionary flags
        ``specific: true`` (for ``arms``: arms_transfers, military_aid, export_controls,
        arms_control), or every category when none is flagged.
    unit : {"paragraph", "sentence"}, default="paragraph"
        The passage unit (see :func:`toolkit.text.passage_spans`).
    ks : iterable of int, default=(6, 8, 10, 12, 15)
        Numbers of topics swept; those the matrix cannot carry (more topics than
        training passages or terms) are left out and listed in ``info["ks_dropped"]``.
    seeds : sequence of int, default=(0, 1)
        Seeds of the sweep (one subsample per seed; stability needs two).
    n_topics : int or None, default=None
        The model's k; None chooses it with :func:`choose_k` on the sweep.
    min_passages : int, default=200
        Fewer passages than this give no model, only a ``notice``.
    min_df, max_df, max_terms : int or float, default=10, 0.5, 10000
        Vocabulary of the passage matrix (see :func:`toolkit.features.build_dtm`).
    tokenizer : TokenizerOptions or None, default=None
        How passages become tokens (None: the default options of ``build_dtm``).
    n_label_terms : int, default=3
        FREX terms in a topic's label.
    random_state : int or None, default=None
        Seed of the final model.
    n_jobs : int, default=2
        Parallel fits of the sweep.
    progress : bool, default=True
        Progress bars of the passes over the corpus and the sweep.
    use_cache : bool, default=True
        Use the matrix and sweep caches.
    cache_home : str or None, default=None
        Override of the cache folder.
    **model_params
        Passed to :class:`TopicModel` and :func:`sweep_k` (``method``, ``solver``...).

    Returns
    -------
    PassageTopics
        With a fitted ``model``, or with ``notice`` saying why there is none (too few
        passages; no term left in the matrix; no k the matrix can carry).

    Raises
    ------
    ValueError
        If a category is not in the dictionary, or ``n_topics`` is larger than the matrix
        allows.
    """
    lexicon = keywords.load_dictionary(dictionary)
    cats = _match_categories(lexicon, categories)
    passages = keywords.extract_passages(corpus, lexicon, categories=cats, unit=unit,
                                         progress=progress)
    ks = sorted({int(k) for k in ks})
    info = {"dictionary": {"name": lexicon.name, "version": lexicon.version},
            "categories": cats, "unit": unit, "min_passages": int(min_passages),
            "n_parent_docs": int(passages.attrs["passages"]["n_parent_docs_with_match"]),
            "ks": ks, "ks_dropped": []}

    def empty(notice: str, dtm: DocTermMatrix | None = None) -> PassageTopics:
        return PassageTopics(passages, dtm, pd.DataFrame(columns=SWEEP_COLUMNS), None, None,
                             notice, info)

    what = f"{unit}s with a match in {', '.join(cats)} ('{lexicon.name}' v{lexicon.version})"
    if len(passages) < max(int(min_passages), 1):
        return empty(f"Only {len(passages):,} {what}; at least {int(min_passages):,} are "
                     "needed for a topic model of them, so none is fitted.")
    try:
        with warnings.catch_warnings():  # counted below, with the passages trimming empties
            warnings.simplefilter("ignore", EmptyDocumentsWarning)
            dtm = build_dtm(passages, tokenizer=tokenizer, min_df=min_df, max_df=max_df,
                            max_terms=max_terms, progress=progress, use_cache=use_cache,
                            cache_home=cache_home)
    except ValueError as exc:
        return empty(f"The {len(passages):,} {what} leave no term in the matrix ({exc}); no "
                     "topic model is fitted.")
    info["n_empty_passages"] = int((np.diff(dtm.matrix.indptr) == 0).sum())
    n_train = max(1, round(_SUBSAMPLE * dtm.n_docs))
    fits = [k for k in ks if 1 <= k <= min(n_train, dtm.n_terms)]
    info["ks"], info["ks_dropped"] = fits, [k for k in ks if k not in fits]
    if not fits:
        return empty(f"The matrix of the {len(passages):,} {what} ({dtm.n_docs:,} x "
                     f"{dtm.n_terms:,}) cannot carry any k of {ks}; no topic model is "
                     "fitted.", dtm)
    sweep = sweep_k(dtm, fits, seeds=seeds, subsample=_SUBSAMPLE, n_jobs=n_jobs,
                    progress=progress, use_cache=use_cache, cache_home=cache_home,
                    **model_params)
    k = int(n_topics) if n_topics is not None else choose_k(sweep)
    model = TopicModel(k, random_state=random_state, **model_params).fit(dtm)
    frex = model.top_term_lists(n_label_terms, scheme="frex")
    model.set_labels({t: f"T{t:02d} " + "/".join(terms) for t, terms in enumerate(frex)})
    return PassageTopics(passages, dtm, sweep, model,
                         "n_topics" if n_topics is not None else "choose_k", None, info)


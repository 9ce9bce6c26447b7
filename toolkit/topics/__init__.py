"""Topic models on a :class:`~toolkit.features.DocTermMatrix`: fit, choose k, label, prevalence.

What is ours and what is scikit-learn's
---------------------------------------
The factorisations themselves are scikit-learn's: :class:`sklearn.decomposition.NMF`,
:class:`sklearn.decomposition.MiniBatchNMF` and
:class:`sklearn.decomposition.LatentDirichletAllocation`. Top terms by weight come from
:meth:`textacy.tm.TopicModel.top_topic_terms`. Everything else in this package is ours:

- :class:`TopicModel`, an estimator that takes a labelled ``DocTermMatrix`` (not a bare
  array), keeps ``doc_ids_`` and ``vocab_``, weights counts by tf-idf for NMF with an idf
  learned at fit time, refuses a matrix with another vocabulary, and saves to npz + JSON
  + YAML (no pickle);
- :func:`npmi_coherence` (document co-occurrence on the corpus itself);
- :func:`topic_stability` (Hungarian matching of topics across seeds on the Jaccard
  overlap of their top terms) and :func:`sweep_k`;
- FREX-like exclusivity in :meth:`TopicModel.top_terms`, :func:`representative_docs`
  with KWIC-style snippets, researcher labels in ``labels.yaml``;
- :func:`prevalence` with a seeded, vectorised bootstrap over documents.

Determinism: every stochastic step takes ``random_state``; the same matrix and the same
seed give bit-for-bit identical components, document-topic shares and prevalence tables.

Modules, by job (every public name is re-exported here, so ``from toolkit import topics;
topics.prevalence(...)`` works as before):

- :mod:`toolkit.topics.model`: :class:`TopicModel`, :func:`tfidf_weights`,
  :func:`frex_scores`, :func:`nmf_topic_shares`;
- :mod:`toolkit.topics.selection`: :func:`npmi_coherence`, :func:`topic_stability`,
  :func:`sweep_k`, :func:`choose_k`;
- :mod:`toolkit.topics.labels`: :func:`match_topics`, :func:`representative_docs`;
- :mod:`toolkit.topics.prevalence`: :func:`prevalence`, :func:`prevalence_change`,
  :func:`prevalence_wide`;
- :mod:`toolkit.topics.passages`: :func:`passage_topics` (topics *within* a theme: a model
  of the passages that mention it) and its result, :class:`PassageTopics`.
"""

from toolkit.topics.labels import match_topics, representative_docs
from toolkit.topics.model import TopicModel, frex_scores, nmf_topic_shares, tfidf_weights
from toolkit.topics.passages import PassageTopics, passage_topics
from toolkit.topics.prevalence import prevalence, prevalence_change, prevalence_wide
from toolkit.topics.selection import choose_k, npmi_coherence, sweep_k, topic_stability

__all__ = [
    "PassageTopics",
    "TopicModel",
    "choose_k",
    "frex_scores",
    "match_topics",
    "nmf_topic_shares",
    "npmi_coherence",
    "passage_topics",
    "prevalence",
    "prevalence_change",
    "prevalence_wide",
    "representative_docs",
    "sweep_k",
    "tfidf_weights",
    "topic_stability",
]

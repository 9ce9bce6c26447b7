"""Coverage of the keyword-rate intervals (issue 11.5): simulations with a known rate.

Each replication is one cell (a group of :func:`keyword_trends` with ``period=None``), so one
call makes all 500 seeded replications; the counts are passed as ``counts=`` (what
``count_matches`` returns), so no text is matched. The true rate is in matches per 10,000
tokens; documents have 1,000-4,999 tokens.

- **Exact Poisson** (``interval="poisson"``): 10 documents per cell with Poisson counts,
  rate 8 per 10k, about 24 expected matches per cell. Garwood's interval never covers less
  than nominal and is conservative for tiny counts (it covers more than 0.98 when a cell
  expects ~3 matches), so the check uses a rate that gives ~20+ expected matches per cell,
  where "auto" still picks it (below 20 observed matches) and its coverage is near 0.95.
- **Cluster bootstrap** (``interval="cluster"``, BCa): 100 actors per cell (a pooled decade
  of UNGDC has 82-196 states), 5 documents each; actor ``g`` speaks at ``rate * u_g`` with
  ``u_g ~ Gamma(4, 1/4)`` (mean 1: the between-actor overdispersion of a pooled series), so
  the true pooled rate is ``rate``.
- **Quasi-Poisson** (``interval="quasi_poisson"``): one actor, 20 documents per cell, each at
  ``rate * v_d`` with ``v_d ~ Gamma(2, 1/2)`` (strong overdispersion between documents).

Measured with 500 replications (seed 20251; the designs as above unless stated):

===============================================  ========  ===============================
interval, design                                 coverage  note
===============================================  ========  ===============================
poisson, 10 docs, ~24 expected (this test)       0.946
poisson, 1 doc, ~3 expected                      0.982     conservative (Garwood)
poisson, 5 docs, ~3 expected                     0.976     conservative (Garwood)
auto on the Poisson design (this test)           0.950     poisson below 20, else quasi
cluster BCa, 100 actors (this test)              0.948
cluster BCa, 50 actors                           0.930
cluster percentile, 50 actors                    0.930
cluster BCa, 20 actors                           0.922     few clusters: under-covers
cluster BCa, 10 actors                           0.904     (Cameron, Gelbach & Miller
cluster BCa, 5 actors                            0.842     2008)
quasi-Poisson, 20 docs (this test)               0.948
quasi-Poisson, 10 docs                           0.920     dispersion from 9 df
quasi-Poisson on 50 pooled actors                0.756     ignores the actor clusters
document bootstrap, 20 docs, overdispersed       0.918     the method before issue 11
document bootstrap, 10 docs, ~24 expected        0.884
document bootstrap, 5 docs, ~3 expected          0.834
===============================================  ========  ===============================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import keywords as kw

N_REP = 500
SEED = 20251
DICT = {"name": "sim", "version": "1", "categories": {"x": ["zeppelin"]}}


def simulate(
    *,
    n_actors: int,
    docs_per_actor: int,
    rate: float,
    actor_shape: float | None = None,
    doc_shape: float | None = None,
    n_rep: int = N_REP,
    seed: int = SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A corpus of ``n_rep`` cells (column ``rep``) and its per-document counts.

    Counts are Poisson with mean ``rate / 1e4 * tokens * u_actor * v_doc``; ``u`` and ``v``
    are Gamma(shape, 1/shape) (mean 1) when a shape is given, else 1.
    """
    rng = np.random.default_rng(seed)
    per_cell = n_actors * docs_per_actor
    rep = np.repeat(np.arange(n_rep), per_cell)
    actor = np.tile(np.repeat(np.arange(n_actors), docs_per_actor), n_rep)
    mult = np.ones(rep.size)
    if actor_shape is not None:
        mult *= rng.gamma(actor_shape, 1 / actor_shape, size=(n_rep, n_actors))[rep, actor]
    if doc_shape is not None:
        mult *= rng.gamma(doc_shape, 1 / doc_shape, size=rep.size)
    tokens = rng.integers(1000, 5000, size=rep.size)
    y = rng.poisson(rate / 1e4 * tokens * mult)
    doc_id = [f"d{i}" for i in range(rep.size)]
    corpus = pd.DataFrame({"doc_id": doc_id, "text": "x", "rep": rep,
                           "actor": [f"A{a:03d}" for a in actor], "year": 2000})
    counts = pd.DataFrame({"doc_id": doc_id, "n_tokens": tokens, "n_matches": y, "x": y})
    return corpus, counts


def coverage(corpus: pd.DataFrame, counts: pd.DataFrame, rate: float,
             **options) -> tuple[float, pd.DataFrame]:
    """Share of the cells whose interval covers ``rate``, and the trends table."""
    tr = kw.keyword_trends(corpus, DICT, by="rep", period=None, counts=counts,
                           random_state=SEED, progress=False, **options)
    covered = (tr["ci_low"] <= rate) & (rate <= tr["ci_high"])
    return float(covered.mean()), tr


@pytest.mark.slow
def test_exact_poisson_interval_covers_the_rate():
    """~24 expected matches per cell: Garwood is near nominal there (see the module doc)."""
    rate = 8.0
    corpus, counts = simulate(n_actors=1, docs_per_actor=10, rate=rate)
    cov, tr = coverage(corpus, counts, rate, interval="poisson")
    assert len(tr) == N_REP and (tr["ci_method"] == "poisson").all()
    assert tr["count"].mean() == pytest.approx(24, abs=1.5)
    assert 0.92 <= cov <= 0.98, cov
    cov_auto, auto = coverage(corpus, counts, rate)
    assert set(auto["ci_method"]) == {"poisson", "quasi_poisson"}
    assert 0.92 <= cov_auto <= 0.98, cov_auto


@pytest.mark.slow
def test_cluster_bootstrap_covers_the_pooled_rate_of_overdispersed_actors():
    rate = 10.0
    corpus, counts = simulate(n_actors=100, docs_per_actor=5, rate=rate, actor_shape=4.0)
    cov, tr = coverage(corpus, counts, rate, interval="cluster", n_boot=999)
    assert (tr["ci_method"] == "cluster").all() and (tr["n_clusters"] == 100).all()
    assert 0.92 <= cov <= 0.98, cov
    # "auto" picks the cluster bootstrap here (many matches, 100 actors): same intervals
    _, auto = coverage(corpus, counts, rate, n_boot=999)
    pd.testing.assert_series_equal(auto["ci_low"], tr["ci_low"])


@pytest.mark.slow
def test_quasi_poisson_interval_covers_the_rate_of_overdispersed_documents():
    rate = 10.0
    corpus, counts = simulate(n_actors=1, docs_per_actor=20, rate=rate, doc_shape=2.0)
    cov, tr = coverage(corpus, counts, rate, interval="quasi_poisson")
    assert (tr["ci_method"] == "quasi_poisson").all()
    assert 0.92 <= cov <= 0.98, cov

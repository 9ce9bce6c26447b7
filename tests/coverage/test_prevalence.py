"""Coverage of topic-prevalence intervals (issue 11.7), conditional on the topic shares.

Documents' topic shares are drawn from a Dirichlet with a known mean; the percentile
bootstrap interval of a cell's mean share must cover the true mean in 92-98% of 500
replications (40 documents per cell, as a state-decade of UNGDC has about 10 speeches per
state and 100+ per decade pooled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.topics.prevalence import _cell_means

REPS = 500


@pytest.mark.slow
def test_coverage_prevalence_percentile():
    rng = np.random.default_rng(20230414)
    alpha = np.array([2.0, 1.0, 0.5, 0.5])  # true mean shares alpha / alpha.sum()
    truth = alpha / alpha.sum()
    n_docs, hits = 40, np.zeros(len(alpha))
    cells = pd.DataFrame({"group": "g", "period": 2000, "row": np.arange(n_docs)})
    for _ in range(REPS):
        shares = rng.dirichlet(alpha, size=n_docs)
        cols = _cell_means(shares, cells, n_boot=999, ci_level=0.95, rng=rng)
        lo, hi = cols["ci_low"][0], cols["ci_high"][0]
        hits += (lo <= truth) & (truth <= hi)
    coverage = hits / REPS
    assert ((coverage >= 0.92) & (coverage <= 0.98)).all(), coverage

"""Coverage of the Wordscores intervals (issue 11.10): a simulation with a known truth.

Two reference actors' passages are drawn from known word distributions ``p_L`` and ``p_R``
(200 words), a third actor's from the mixture ``q = 0.3 p_L + 0.7 p_R``. With the true word
scores ``S_w = (p_R,w - p_L,w) / (p_L,w + p_R,w)`` (references at -1 and +1), the true raw
position of the third text is ``sum_w q_w S_w``: what its raw score estimates when every text
is long. Each of 500 seeded replications runs ``wordscores_by_period`` as a report would (the
fixed scale, its default bootstrap over passages) on 40 passages per reference actor and 20
for the scored actor (about 50 tokens each), and records whether

- the reported interval (``ci_low, ci_high``: Bayesian bootstrap over passages, word scores
  refitted in every replicate), and
- the analytic LBG interval (``raw +- 1.96 se``, the ``se`` column)

cover the truth. The analytic interval ignores the uncertainty of the word scores and
covers about 0.90-0.93 (below the nominal 0.95); the bootstrap interval covers 0.95-0.98.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import alignment as al
from toolkit.features import DocTermMatrix

N_REP = 500


def _distributions(n_words: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.gamma(1.0, size=n_words)
    p_l = base * np.exp(rng.normal(0, 0.7, n_words))
    p_r = base * np.exp(rng.normal(0, 0.7, n_words))
    return p_l / p_l.sum(), p_r / p_r.sum()


def _coverage(resampling: str, n_words: int = 200, n_ref: int = 40,
              n_scored: int = 20) -> tuple[float, float]:
    p_l, p_r = _distributions(n_words)
    q = 0.3 * p_l + 0.7 * p_r
    truth = q @ ((p_r - p_l) / (p_l + p_r))
    table = pd.DataFrame(
        [{"doc_id": f"{a}#{i:02d}", "actor": a, "year": 2000, "parent_doc_id": a}
         for a, n in (("L", n_ref), ("R", n_ref), ("V", n_scored)) for i in range(n)]
    )
    vocab = [f"w{j:03d}" for j in range(n_words)]
    rng = np.random.default_rng(2025)
    boot = analytic = 0
    for _ in range(N_REP):
        counts = [rng.multinomial(rng.poisson(50) + 1, p)
                  for p, n in ((p_l, n_ref), (p_r, n_ref), (q, n_scored)) for _ in range(n)]
        dtm = DocTermMatrix.from_unsorted(np.array(counts, float), table["doc_id"], vocab)
        out = al.wordscores_by_period(
            dtm, table, references={"L": -1.0, "R": 1.0}, n_boot=200, resampling=resampling,
            random_state=int(rng.integers(2**31)), progress=False,
        )
        v = out.set_index("actor").loc["V"]
        boot += bool(v["ci_low"] <= truth <= v["ci_high"])
        analytic += bool(abs(v["raw"] - truth) <= 1.959964 * v["se"])
    return boot / N_REP, analytic / N_REP


@pytest.mark.slow
def test_wordscores_bootstrap_interval_covers_the_true_position():
    boot, analytic = _coverage("bayesian")
    print(f"Wordscores coverage: bootstrap (Bayesian, passages) {boot:.3f}, "
          f"analytic LBG se {analytic:.3f}")
    assert 0.92 <= boot <= 0.98
    assert analytic < boot  # the analytic se ignores the word scores' uncertainty

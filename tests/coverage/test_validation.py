"""Coverage of the validation interval, and the size of its QAP test, by simulation.

States have latent positions in two dimensions that drift slowly over the years (a
stationary AR(1), so every year has the same distribution). The text similarity and the
external measure of a dyad are both ``year shift - distance + noise``, so the population
within-year correlation is known: ``rho = Var(d) / (Var(d) + s2)``, with ``Var(d) = 4 - pi``
for the distance between two independent N(0, I_2) points (a Rayleigh variable scaled by
sqrt 2). The year shifts (different for the two measures) are what within-year demeaning
removes. Dyads share their states and recur every year, which is what the vertex bootstrap
has to carry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from toolkit import alignment as al
from toolkit.alignment.validation import (
    _block_sums,
    _correlation,
    _Options,
    _perm_p,
    _qap_sums,
    _replicate_weights,
    _statistic_with_interval,
    _year_blocks,
)

N_REP = 500
N_ACTORS = 30
N_YEARS = 3
RHO = 0.4
VAR_D = 4 - np.pi
S2 = VAR_D * (1 - RHO) / RHO


def _simulate(rng: np.random.Generator, *, related: bool = True, n_actors: int = N_ACTORS):
    """Dyad-years ``(a, b, year, x, y)``; with ``related=False`` y has its own positions."""
    z = rng.normal(size=(n_actors, 2))
    z_y = rng.normal(size=(n_actors, 2))
    i, j = np.triu_indices(n_actors, 1)
    xs, ys = [], []
    for t in range(N_YEARS):
        if t:
            z = 0.9 * z + np.sqrt(1 - 0.81) * rng.normal(size=z.shape)
            z_y = 0.9 * z_y + np.sqrt(1 - 0.81) * rng.normal(size=z.shape)
        d = np.sqrt(((z[i] - z[j]) ** 2).sum(axis=1))
        d_y = d if related else np.sqrt(((z_y[i] - z_y[j]) ** 2).sum(axis=1))
        xs.append(rng.normal(0, 2) - d + rng.normal(0, np.sqrt(S2), len(i)))
        ys.append(rng.normal(0, 2) - d_y + rng.normal(0, np.sqrt(S2), len(i)))
    years = np.repeat(np.arange(2000, 2000 + N_YEARS), len(i))
    return np.tile(i, N_YEARS), np.tile(j, N_YEARS), years, np.concatenate(xs), np.concatenate(ys)


def _as_tables(a, b, years, x, y):
    names = np.array([f"S{k:03d}" for k in range(max(a.max(), b.max()) + 1)])
    panel = pd.DataFrame({"actor_a": names[a], "actor_b": names[b], "period": years,
                          "similarity": x})
    ext = pd.DataFrame({"actor_a": names[a], "actor_b": names[b], "year": years,
                        "agreement": y})
    return panel, ext


@pytest.mark.slow
@pytest.mark.parametrize("ci_method", ["bca", "percentile", "basic"])
def test_vertex_bootstrap_interval_covers_the_within_year_correlation(ci_method):
    opts = _Options(value="agreement", within="year", n_boot=500, n_perm=0,
                    ci_method=ci_method, ci_level=0.95, min_n=10)
    rng = np.random.default_rng(20240611)
    covered, estimates = [], []
    with threadpool_limits(limits=1, user_api="blas"):
        for rep in range(N_REP):
            a, b, years, x, y = _simulate(rng)
            if rep == 0:  # the helpers below are what validate_against runs, draw for draw
                public = al.validate_against(*_as_tables(a, b, years, x, y), by_decade=False,
                                             n_boot=opts.n_boot, n_perm=0, ci_method=ci_method,
                                             random_state=99)
                check = _statistic_with_interval(
                    list(_year_blocks(a, b, years, x - x.mean(), y - y.mean()).values()),
                    *_replicate_weights(np.arange(N_ACTORS), N_ACTORS, opts,
                                        np.random.default_rng(99)), opts)
                row = public.iloc[0]
                assert (row["pearson"], row["pearson_ci_low"], row["pearson_ci_high"]) == \
                    pytest.approx(check, rel=1e-9)
            blocks = list(_year_blocks(a, b, years, x, y).values())
            w, boot, jack = _replicate_weights(np.arange(N_ACTORS), N_ACTORS, opts, rng)
            r, lo, hi = _statistic_with_interval(blocks, w, boot, jack, opts)
            covered.append(lo <= RHO <= hi)
            estimates.append(r)
    coverage = float(np.mean(covered))
    print(f"\nvertex bootstrap ({ci_method}) of the within-year r: coverage {coverage:.3f} "
          f"over {N_REP} replications ({N_ACTORS} states, {N_YEARS} years, rho={RHO}, "
          f"mean r {np.mean(estimates):.3f})")
    assert 0.92 <= coverage <= 0.98


@pytest.mark.slow
def test_qap_rejects_at_its_nominal_rate_when_there_is_no_association():
    """Both measures have persistent, unrelated state structure; QAP keeps its size."""
    rng = np.random.default_rng(7)
    p_values = []
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(N_REP):
            a, b, years, x, y = _simulate(rng, related=False, n_actors=12)
            blocks = _year_blocks(a, b, years, x, y)
            perm = _qap_sums(blocks, 12, n_perm=199, rng=rng)
            ones = np.ones((1, 12))
            obs = np.stack([_block_sums(bl, ones) for bl in blocks.values()], axis=1)
            stat = float(_correlation(obs, "year")[0])
            p_values.append(_perm_p(stat, _correlation(np.stack(list(perm.values()), axis=1),
                                                       "year")))
    size = float(np.mean(np.array(p_values) < 0.05))
    print(f"\nQAP (combined over {N_YEARS} years) rejects a true null at 5%: {size:.3f}")
    assert 0.03 <= size <= 0.07

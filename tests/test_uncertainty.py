"""Tests of toolkit.uncertainty: hand computations and coverage with a known truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from toolkit import uncertainty as u


def test_garwood_by_hand():
    # k = 0: lower 0, upper -log(0.025) = 3.6889; k = 3: chi2 quantiles / 2
    lo, hi = u.poisson_interval([0, 3], [1.0, 1.0])
    assert lo[0] == 0 and hi[0] == pytest.approx(-np.log(0.025), rel=1e-12)
    assert lo[1] == pytest.approx(stats.chi2.ppf(0.025, 6) / 2, rel=1e-12)
    assert hi[1] == pytest.approx(stats.chi2.ppf(0.975, 8) / 2, rel=1e-12)
    assert lo[1] == pytest.approx(0.618672, abs=1e-6) and hi[1] == pytest.approx(8.767273, abs=1e-6)


def test_poisson_rate_scales_with_exposure_and_zero_count_has_an_upper_bound():
    lo, hi = u.poisson_interval(0, 20_000, scale=10_000)
    assert lo[0] == 0 and hi[0] == pytest.approx(10_000 * 3.688879 / 20_000, rel=1e-6)
    lo, hi = u.poisson_interval([1], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    with pytest.raises(ValueError, match="ci_level"):
        u.poisson_interval(1, 1, ci_level=95)


def test_wilson_by_hand():
    # 8 of 10 at 95%: centre (0.8 + z^2/20) / (1 + z^2/10)
    lo, hi = u.wilson_interval(8, 10)
    z = stats.norm.ppf(0.975)
    centre = (0.8 + z**2 / 20) / (1 + z**2 / 10)
    half = z * np.sqrt(0.16 / 10 + z**2 / 400) / (1 + z**2 / 10)
    assert lo[0] == pytest.approx(centre - half) and hi[0] == pytest.approx(centre + half)
    assert lo[0] == pytest.approx(0.4902, abs=1e-4) and hi[0] == pytest.approx(0.9433, abs=1e-4)
    lo, hi = u.wilson_interval(10, 10)
    assert hi[0] == 1 and lo[0] < 1


def test_quasi_poisson_is_poisson_without_overdispersion_and_wider_with_it():
    lo, hi, phi = u.quasi_poisson_interval([2, 2, 2, 2], [100, 100, 100, 100])
    plo, phi_ = u.poisson_interval(8, 400)
    assert phi == 1 and lo == pytest.approx(plo[0]) and hi == pytest.approx(phi_[0])
    lo2, hi2, phi2 = u.quasi_poisson_interval([0, 0, 0, 8], [100, 100, 100, 100])
    assert phi2 > 1 and hi2 - lo2 > hi - lo


def test_bootstrap_methods_by_hand():
    reps = np.arange(1, 101, dtype=float)
    lo, hi = u.bootstrap_interval(50.0, reps, method="percentile", ci_level=0.9)
    assert lo == pytest.approx(np.quantile(reps, 0.05))
    assert hi == pytest.approx(np.quantile(reps, 0.95))
    blo, bhi = u.bootstrap_interval(50.0, reps, method="basic", ci_level=0.9)
    assert blo == pytest.approx(100 - hi) and bhi == pytest.approx(100 - lo)
    # symmetric replicates around the estimate, zero acceleration: BCa = percentile
    sym = np.concatenate([50 - np.arange(1, 51), 50 + np.arange(1, 51)]).astype(float)
    jack = np.array([1.0, -1.0, 1.0, -1.0])
    assert u.bootstrap_interval(50.0, sym, jackknife=jack, ci_level=0.9) == pytest.approx(
        u.bootstrap_interval(50.0, sym, method="percentile", ci_level=0.9))
    with pytest.raises(ValueError, match="jackknife"):
        u.bootstrap_interval(1.0, reps)
    with pytest.raises(ValueError, match="Did you mean 'bca'"):
        u.bootstrap_interval(1.0, reps, method="bcaa")


def test_cluster_bootstrap_keeps_clusters_whole():
    clusters = np.array(["a", "a", "b", "c", "c", "c"])
    samples = u.cluster_bootstrap_indices(clusters, n_boot=50, random_state=1)
    assert len(samples) == 50
    for idx in samples:
        for c in ("a", "b", "c"):
            rows = np.flatnonzero(clusters == c)
            drawn = np.isin(idx, rows).sum()
            assert drawn % len(rows) == 0  # a cluster comes with all of its rows, or not
    again = u.cluster_bootstrap_indices(clusters, n_boot=50, random_state=1)
    assert all(np.array_equal(x, y) for x, y in zip(samples, again))


def test_every_method_cites_a_reference():
    for name, (what, ref) in u.METHODS.items():
        assert what and ref and any(ch.isdigit() for ch in ref), name


# ------------------------------------------------------------------------------ coverage
REPS = 500


def _within(coverage: float) -> bool:
    return 0.92 <= coverage <= 0.98


@pytest.mark.slow
def test_coverage_poisson_rate():
    rng = np.random.default_rng(11)
    exposure, rate = 40_000.0, 5e-4  # 20 expected matches
    k = rng.poisson(rate * exposure, size=REPS)
    lo, hi = u.poisson_interval(k, exposure)
    cov = float(np.mean((lo <= rate) & (rate <= hi)))
    assert _within(cov), cov


@pytest.mark.slow
def test_coverage_quasi_poisson_overdispersed():
    rng = np.random.default_rng(12)
    n_docs, rate, size = 60, 2e-3, 2.0  # negative binomial documents: var = mu + mu^2 / size
    e = rng.integers(2_000, 6_000, size=n_docs).astype(float)
    hits = 0
    for _ in range(REPS):
        mu = rate * e
        y = rng.negative_binomial(size, size / (size + mu))
        lo, hi, _phi = u.quasi_poisson_interval(y, e)
        hits += lo <= rate <= hi
    assert _within(hits / REPS), hits / REPS


@pytest.mark.slow
def test_coverage_wilson():
    rng = np.random.default_rng(13)
    x = rng.binomial(120, 0.9, size=REPS)
    lo, hi = u.wilson_interval(x, np.full(REPS, 120))
    cov = float(np.mean((lo <= 0.9) & (0.9 <= hi)))
    assert _within(cov), cov


@pytest.mark.slow
def test_coverage_bca_skewed_mean():
    rng = np.random.default_rng(14)
    n, n_boot, hits = 40, 999, 0
    for _ in range(REPS):
        x = rng.exponential(1.0, size=n)
        idx = rng.integers(0, n, size=(n_boot, n))
        reps = x[idx].mean(axis=1)
        jack = (x.sum() - x) / (n - 1)
        lo, hi = u.bootstrap_interval(x.mean(), reps, jackknife=jack)
        hits += lo <= 1.0 <= hi
    assert _within(hits / REPS), hits / REPS


@pytest.mark.slow
def test_coverage_cluster_bootstrap_pooled_mean():
    rng = np.random.default_rng(15)
    n_clusters, per, hits = 40, 8, 0
    clusters = np.repeat(np.arange(n_clusters), per)
    for rep in range(REPS):
        effect = rng.normal(0, 1.0, size=n_clusters)[clusters]
        y = 2.0 + effect + rng.normal(0, 1.0, size=len(clusters))
        samples = u.cluster_bootstrap_indices(clusters, n_boot=499, random_state=rep)
        reps = np.array([y[s].mean() for s in samples])
        jack = np.array([y[clusters != c].mean() for c in range(n_clusters)])
        lo, hi = u.bootstrap_interval(y.mean(), reps, jackknife=jack)
        hits += lo <= 2.0 <= hi
    assert _within(hits / REPS), hits / REPS

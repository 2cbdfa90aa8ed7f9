"""Ahmad & Hawkins (2016) SDR probabilities: exact sums, Monte Carlo, and a spiking segment."""

import math
from fractions import Fraction

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.theory.sdr import (
    dendritic_segment_spec,
    false_match_probability,
    log10_false_match_probability,
    noise_robustness,
    segment_matches,
)


def test_false_match_matches_the_published_value():
    # Ahmad & Hawkins 2016: n = 2048, a = 40, s = 20, theta = 10 -> 3.911e-13 (issue 10).
    assert f"{false_match_probability(2048, 40, 20, 10):.4g}" == "3.911e-13"
    assert math.isclose(log10_false_match_probability(2048, 40, 20, 10),
                        math.log10(3.9105892637874755e-13), rel_tol=1e-10)


def test_exact_sum_does_not_overflow_at_large_n():
    # C(10^5, 2000) has ~4,000 digits: far beyond float range; the exact quotient is fine.
    p = false_match_probability(100_000, 2000, 400, 200)
    assert 0 < p < 1e-200
    assert math.isclose(math.log10(p), log10_false_match_probability(100_000, 2000, 400, 200),
                        rel_tol=1e-9)
    exact = false_match_probability(100_000, 2000, 30, 15, exact=True)
    assert isinstance(exact, Fraction) and float(exact) == false_match_probability(
        100_000, 2000, 30, 15)


def test_false_match_limits():
    assert false_match_probability(64, 16, 12, 0) == 1.0       # theta = 0 always fires
    assert false_match_probability(64, 16, 12, 13) == 0.0      # more than s never
    assert log10_false_match_probability(64, 16, 12, 13) == -math.inf
    # a = n: every synapse is on
    assert false_match_probability(30, 30, 10, 10) == 1.0


def test_monte_carlo_false_match_within_three_sigma():
    n, a, s, theta = 64, 16, 12, 6
    rng = np.random.default_rng(0)
    trials = 200_000
    # synapses on cells 0..s-1; a random pattern of a cells: count the hits
    keys = rng.random((trials, n))
    chosen = np.argpartition(keys, a - 1, axis=1)[:, :a]
    hits = (chosen < s).sum(axis=1)
    est = np.mean(hits >= theta)
    p = false_match_probability(n, a, s, theta)
    assert abs(est - p) < 3 * math.sqrt(p * (1 - p) / trials)


def test_noise_robustness_exact_and_monte_carlo():
    a, s, theta = 40, 20, 10
    assert noise_robustness(a, s, theta, 0) == 1.0
    assert noise_robustness(a, s, theta, a) == 0.0
    assert noise_robustness(a, s, 0, a) == 1.0
    v = 25
    p = noise_robustness(a, s, theta, v)
    rng = np.random.default_rng(1)
    trials = 100_000
    dropped = np.argpartition(rng.random((trials, a)), v - 1, axis=1)[:, :v]
    kept = s - (dropped < s).sum(axis=1)
    est = np.mean(kept >= theta)
    assert abs(est - p) < 3 * math.sqrt(p * (1 - p) / trials)


@pytest.mark.parametrize(("args", "param"), [((10, 11, 3, 2), "a"), ((10, 5, 11, 2), "s"),
                                             ((10, 5, 3, -1), "theta"), ((0, 0, 0, 0), "n"),
                                             ((10, 5.0, 3, 2), "a")])
def test_bad_arguments_name_the_parameter(args, param):
    with pytest.raises(ParameterError, match=repr(param)):
        false_match_probability(*args)


def test_spiking_dendritic_segments_fire_at_the_false_match_rate():
    """IF_curr_exp segment neurons on the numba engine: each fires iff >= theta of its s
    synapses receive a spike, so its false-match rate on random patterns is P_fm."""
    from neurosim.engines.numba_engine import NumbaEngine
    from neurosim.units import ms, to_si

    n, a, s, theta = 64, 16, 12, 6
    m, presentations = 40, 150
    rng = np.random.default_rng(2)
    segments = np.array([rng.choice(n, s, replace=False) for _ in range(m)])
    patterns = np.zeros((presentations, m, n), bool)
    for t in range(presentations):
        for k in range(m):
            patterns[t, k, rng.choice(n, a, replace=False)] = True
    spec, design = dendritic_segment_spec(segments, patterns, theta, blocks=True)
    sim = NumbaEngine().build(spec, dt=0.1 * ms, seed=0)
    sim.run(presentations * design.window_ms * ms, progress=False)
    spikes = sim.spikes("segment")
    fired = segment_matches(np.asarray(to_si(spikes.times)), spikes.indices, m, presentations,
                            design.window_ms)
    hits = np.take_along_axis(patterns, segments[None].repeat(presentations, 0), axis=2).sum(2)
    # the neuron implements the count rule exactly ...
    assert np.array_equal(fired, hits >= theta)
    # ... so its rate over m x T independent trials is P_fm within 3 sigma
    p = false_match_probability(n, a, s, theta)
    trials = m * presentations
    assert abs(fired.mean() - p) < 3 * math.sqrt(p * (1 - p) / trials)

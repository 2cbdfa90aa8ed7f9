"""The Glauber kernel against its NumPy twin, a brute-force energy, and Boltzmann statistics."""

import itertools
import math

import numpy as np
import pytest

from neurosim.kernels.hebbian import glauber_sweeps, glauber_sweeps_reference, overlap_sums


def _random_case(rng, n, q, values, dtype=np.int8):
    x = rng.choice(np.array(values), size=(n, q)).astype(dtype)
    sigma = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    return np.ascontiguousarray(x), sigma


def _energy_brute(x, sigma, power, scale):
    # E = -scale * sum_q (sum_i x_iq sigma_i)^P written as an explicit sum over index tuples
    # (the P-body tensor the kernel never builds), for tiny N only.
    n = x.shape[0]
    total = 0.0
    for q in range(x.shape[1]):
        for idx in itertools.product(range(n), repeat=power):
            total += np.prod([x[i, q] * sigma[i] for i in idx])
    return -scale * total


@pytest.mark.parametrize("power", [2, 3, 4])
@pytest.mark.parametrize("beta", [math.inf, 0.7])
@pytest.mark.parametrize(("values", "dtype"), [((-1, 1), np.int8), ((-1, 0, 1), np.int8),
                                                ((-7, -3, 0, 2, 5), np.int16)])
def test_kernel_equals_numpy_twin_exactly(power, beta, values, dtype):
    rng = np.random.default_rng(power * 31 + len(values))
    n = 80
    x, sigma = _random_case(rng, n, 9, values, dtype)
    scale = 1.0 / n ** (power - 1)
    s1, s2 = sigma.copy(), sigma.copy()
    o1, o2 = overlap_sums(x, sigma), overlap_sums(x, sigma)
    r1 = glauber_sweeps(x, s1, o1, power, scale, beta, 15, np.random.default_rng(11))
    r2 = glauber_sweeps_reference(x, s2, o2, power, scale, beta, 15, np.random.default_rng(11))
    assert r1 == r2
    assert r1[1] > 0                       # something happened
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(o1, overlap_sums(x, s1))   # incremental == recomputed


@pytest.mark.parametrize("power", [2, 3])
def test_zero_temperature_fixed_point_is_a_local_minimum_of_the_brute_force_energy(power):
    rng = np.random.default_rng(power)
    n = 9
    x, sigma = _random_case(rng, n, 3, (-1, 1))
    o = overlap_sums(x, sigma)
    _sweeps, _flips, converged = glauber_sweeps(x, sigma, o, power, 1.0, math.inf, 50,
                                              np.random.default_rng(0))
    assert converged
    e0 = _energy_brute(x, sigma, power, 1.0)
    for i in range(n):
        flipped = sigma.copy()
        flipped[i] *= -1
        assert _energy_brute(x, flipped, power, 1.0) >= e0


def test_energy_never_rises_at_zero_temperature():
    rng = np.random.default_rng(5)
    x, sigma = _random_case(rng, 200, 30, (-1, 1))
    energies = []
    gen = np.random.default_rng(1)
    o = overlap_sums(x, sigma)
    for _ in range(8):
        energies.append(-np.sum(o.astype(float) ** 3))
        glauber_sweeps(x, sigma, o, 3, 1.0, math.inf, 1, gen)
    assert np.all(np.diff(energies) <= 0) and energies[-1] < energies[0]


def test_finite_temperature_samples_the_boltzmann_distribution():
    # Glauber updates leave exp(-beta E) invariant; on N = 4 spins the chain's state histogram
    # over 40000 sweeps must match it (total variation; sampling error ~ 0.01 here).
    rng = np.random.default_rng(2)
    n, power, beta, scale = 4, 3, 0.6, 0.05
    x, sigma = _random_case(rng, n, 2, (-1, 1))
    states = np.array(list(itertools.product((-1, 1), repeat=n)), dtype=np.int8)
    energies = np.array([-scale * np.sum(overlap_sums(x, s).astype(float) ** power)
                         for s in states])
    boltz = np.exp(-beta * (energies - energies.min()))
    boltz /= boltz.sum()
    assert np.ptp(energies) > 1.0          # a non-trivial distribution
    o = overlap_sums(x, sigma)
    gen = np.random.default_rng(9)
    counts = np.zeros(len(states))
    codes = {tuple(s): k for k, s in enumerate(states)}
    for _ in range(40_000):
        glauber_sweeps(x, sigma, o, power, scale, beta, 1, gen)
        counts[codes[tuple(sigma)]] += 1
    tv = 0.5 * np.abs(counts / counts.sum() - boltz).sum()
    assert tv < 0.02

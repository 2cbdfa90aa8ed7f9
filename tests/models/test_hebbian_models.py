"""Hebbian networks against replica theory and the exact low-load results (issue acceptance)."""

import math
import tracemalloc

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.models import DenseHebbianNetwork, HopfieldNetwork, MultitaskHebbianNetwork
from neurosim.models.dense_hebbian import dense_point, half_retrieval_load
from neurosim.models.hopfield import hopfield_point
from neurosim.models.multitask_hebbian import multitask_point
from neurosim.theory import ags_overlap, cascade_amplitudes, supervised_overlap


def _mean_hopfield_overlap(alpha, seeds=range(4), n=2000):
    return np.mean([HopfieldNetwork.from_load(alpha, n, seed=s).run("archetype").m[0]
                    for s in seeds])


def test_hopfield_retrieves_inside_and_fails_outside_the_ags_region():
    m_in = _mean_hopfield_overlap(0.10)
    assert m_in >= 0.99
    # theory 0.998; finite-size fluctuations at N = 2000 are O(1e-3)
    assert abs(m_in - ags_overlap(0.10)) < 3e-3
    assert _mean_hopfield_overlap(0.20) < 0.6


@pytest.mark.parametrize("p_body", [2, 3, 4])
@pytest.mark.parametrize(("m_examples", "quality"), [(11, 0.3), (25, 0.2), (5, 0.5)])
def test_dense_supervised_low_load_equals_binomial_sum(p_body, m_examples, quality):
    net = DenseHebbianNetwork(4000, 3, p_body, n_examples=m_examples, quality=quality,
                              protocol="supervised", seed=7)
    res = net.run("archetype")
    # the fixed point is sign(xi_hat): m = E[sign sum chi] up to sampling of N = 4000 sites
    # (sigma <= 1/sqrt(4000) = 0.016); the tolerance 0.03 is about 2 sigma
    assert res.converged
    assert abs(res.m[0] - supervised_overlap(m_examples, quality)) <= 0.03
    xi_hat_sign = np.sign(net.examples[:, 0, :].sum(axis=1))
    assert np.mean(res.sigma == xi_hat_sign) > 0.99


def test_storing_versus_learning():
    # P = 4, M = 25, r = 0.2: the unsupervised network falls into one example (overlap with
    # the archetype ~ r), the supervised one learns the archetype.
    kw = dict(n_neurons=4000, n_archetypes=3, p_body=4, n_examples=25, quality=0.2)
    uns = [DenseHebbianNetwork(**kw, protocol="unsupervised", seed=s).run() for s in range(3)]
    sup = [DenseHebbianNetwork(**kw, protocol="supervised", seed=s).run() for s in range(3)]
    assert all(r.m[0] < 0.35 for r in uns)
    assert all(r.m_examples[0].max() > 0.95 for r in uns)
    assert all(r.m[0] > 0.6 for r in sup)


def test_ultra_storage_k50_scales_as_n_to_the_p_minus_1():
    # P = 3: K50 ~ N^2. Logistic-fit K50 from 8 loads x 24 trials; slope 2.0 +- 0.3 (issue).
    loads = np.geomspace(0.05, 0.2, 8)
    ns = np.array([50, 100, 200])
    k50 = np.array([half_retrieval_load(int(n), 3, loads, trials=24, seed=0).k50 for n in ns])
    assert np.all(np.isfinite(k50))
    slope = np.polyfit(np.log(ns), np.log(k50), 1)[0]
    assert abs(slope - 2.0) <= 0.3, (k50, slope)


@pytest.mark.parametrize("protocol", ["direct", "supervised", "unsupervised"])
def test_multitask_cascade_amplitudes(protocol):
    net = MultitaskHebbianNetwork(10_000, 3, 0.3, n_examples=51, quality=0.5,
                                  protocol=protocol, seed=1)
    res = net.run("cascade", flip_fraction=0.1)
    np.testing.assert_allclose(res.m, cascade_amplitudes(3, 0.3), atol=0.02)
    assert res.converged


def test_multitask_cascade_flattens_above_the_critical_dilution():
    # d_c(3) = 0.618: below it the hierarchy m_1 - m_3 holds, above it the amplitudes
    # flatten toward the parallel regime (finite-size sigma of m at N = 1e4 is ~0.005)
    def gap(d):
        m = MultitaskHebbianNetwork(10_000, 3, d, seed=2).run("cascade", flip_fraction=0.1).m
        theory = cascade_amplitudes(3, d)
        return m[0] - m[2], theory[0] - theory[2]

    below, below_theory = gap(0.5)
    above, above_theory = gap(0.7)
    assert abs(below - below_theory) < 0.015
    assert above < above_theory - 0.025


def test_numba_and_numpy_kernels_give_the_same_run():
    net = DenseHebbianNetwork(300, 2, 3, n_examples=5, quality=0.4, protocol="unsupervised",
                              seed=4)
    a = net.run("random", beta=3.0, max_sweeps=5, seed=9)
    b = net.run("random", beta=3.0, max_sweeps=5, seed=9, kernel="numpy")
    np.testing.assert_array_equal(a.sigma, b.sigma)
    assert a.flips == b.flips and a.flips > 0


def test_same_seed_same_result_and_different_seed_different_patterns():
    a = HopfieldNetwork(400, 40, seed=3).run("archetype", flip_fraction=0.2, seed=1)
    b = HopfieldNetwork(400, 40, seed=3).run("archetype", flip_fraction=0.2, seed=1)
    np.testing.assert_array_equal(a.sigma, b.sigma)
    assert not np.array_equal(HopfieldNetwork(400, 40, seed=3).archetypes,
                              HopfieldNetwork(400, 40, seed=4).archetypes)


def test_no_coupling_matrix_is_built():
    # N = 30000: an N x N int8 matrix alone would be 900 MB; the run stays at O(N K)
    tracemalloc.start()
    net = DenseHebbianNetwork(30_000, 4, 3, protocol="pure", seed=0)
    net.run("archetype", flip_fraction=0.05)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5e6


def test_sweep_points():
    out = hopfield_point({"alpha": 0.05, "n_neurons": 500}, np.random.default_rng(0))
    assert out["m"] == 1.0 and out["converged"]
    out = dense_point({"load": 0.02, "n_neurons": 100, "p_body": 3, "protocol": "pure"},
                      np.random.default_rng(0))
    assert out["m"] == 1.0
    out = multitask_point({"n_neurons": 3000}, np.random.default_rng(1))
    assert abs(out["m_1"] - 0.7) < 0.03
    with pytest.raises(ParameterError, match="'params'"):
        dense_point({"bogus": 1}, np.random.default_rng(0))


@pytest.mark.parametrize(("make", "param"), [
    (lambda: DenseHebbianNetwork(100, 2, 3, protocol="magic"), "protocol"),
    (lambda: DenseHebbianNetwork(100, 2, 1), "p_body"),
    (lambda: DenseHebbianNetwork(100, 2, 3, quality=0.0), "quality"),
    (lambda: MultitaskHebbianNetwork(100, 2, 1.0), "dilution"),
    (lambda: HopfieldNetwork(100, 0), "n_patterns"),
    (lambda: HopfieldNetwork(100, 5, seed=0).run("sideways"), "start"),
    (lambda: HopfieldNetwork(100, 5, seed=0).run(target=9), "target"),
    (lambda: HopfieldNetwork(100, 5, seed=0).run(beta=-1.0), "beta"),
    (lambda: HopfieldNetwork(100, 5, seed=0).run(flip_fraction=2), "flip_fraction"),
    (lambda: HopfieldNetwork(100, 5, seed=0).run(kernel="cuda"), "kernel"),
])
def test_bad_input_names_the_parameter(make, param):
    with pytest.raises(ParameterError, match=f"'{param}'"):
        make()


def test_energy_matches_glauber_bookkeeping():
    net = HopfieldNetwork(200, 10, seed=0)
    res = net.run("random")
    # at a T = 0 fixed point no single flip lowers the energy
    e0 = net.energy(res.sigma)
    for i in range(0, 200, 17):
        s = res.sigma.copy()
        s[i] *= -1
        assert net.energy(s) >= e0 - 1e-12
    assert math.isfinite(e0)

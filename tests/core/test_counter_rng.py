import math

import numpy as np
from scipy import stats

from neurosim.counter_rng import poisson_spikes, source_key, uniform


def test_uniform_is_a_pure_function_of_key_step_neuron():
    key = source_key(3, "noise")
    a = uniform(key, np.arange(100)[:, None], np.arange(50)[None, :])
    b = uniform(key, np.arange(100)[:, None], np.arange(50)[None, :])
    assert np.array_equal(a, b)
    assert np.array_equal(a[40:60], uniform(key, np.arange(40, 60)[:, None],
                                            np.arange(50)[None, :]))
    assert not np.array_equal(a, uniform(source_key(4, "noise"), np.arange(100)[:, None],
                                         np.arange(50)[None, :]))


def test_uniform_is_uniform():
    u = uniform(source_key(1, "x"), np.arange(2000)[:, None], np.arange(100)[None, :]).ravel()
    assert u.min() >= 0 and u.max() < 1
    # Kolmogorov-Smirnov on 2e5 draws: p > 0.001 for a uniform generator (fixed key).
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # neighbouring counters are uncorrelated: |r| < 4 / sqrt(n)
    r = np.corrcoef(u[:-1], u[1:])[0, 1]
    assert abs(r) < 4 / math.sqrt(len(u))


def test_poisson_spikes_blocks_and_window():
    key = source_key(0, "p")
    s1, i1 = poisson_spikes(key, 10, 50.0, 1e-3, 100, 900, 0, 1000)
    # any split into calls gives the same spikes
    parts = [poisson_spikes(key, 10, 50.0, 1e-3, 100, 900, a, b)
             for a, b in ((0, 333), (333, 700), (700, 1000))]
    s2 = np.concatenate([p[0] for p in parts])
    i2 = np.concatenate([p[1] for p in parts])
    assert np.array_equal(s1, s2) and np.array_equal(i1, i2)
    assert s1.min() >= 100 and s1.max() < 900
    # 10 sources x 0.8 s x 50 Hz = 400 expected, sd 20: 4 sigma
    assert abs(len(s1) - 400) < 80

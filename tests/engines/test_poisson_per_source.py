"""SpikeSourcePoisson with a rate and window per source (PyNN's rate=[...]), the same draws
on every engine."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import NetworkSpec, Probe, SpikeSourcePoisson
from neurosim.units import Hz, ms, second, to_si

ENGINES = ["numba", "reference", "brian2"]


def _spikes(src, engine="numba", t=2 * second):
    spec = NetworkSpec(sources=(src,), probes=(Probe(src.label),))
    sim = get_engine(engine).build(spec, dt=0.1 * ms, seed=3)
    sim.run(t)
    sp = sim.spikes(src.label)
    return np.asarray(to_si(sp.times)), np.asarray(sp.indices)


def test_each_source_fires_at_its_own_rate():
    """Counts over 2 s against rate * T: a Bernoulli count per step (p = rate dt), so the
    standard deviation is sqrt(n p (1 - p)); 4 sigma."""
    rates = np.array([10.0, 100.0, 1000.0])
    _, idx = _spikes(SpikeSourcePoisson("s", 3, rate=rates * Hz))
    n = 20_000  # steps in 2 s
    p = rates * 1e-4
    counts = np.bincount(idx, minlength=3)
    assert np.all(np.abs(counts - n * p) < 4 * np.sqrt(n * p * (1 - p))), counts


def test_one_value_per_source_draws_what_one_value_draws():
    """A source's spikes depend on its own values only: equal arrays give the scalar's
    spikes bit for bit, and a source keeps its spikes when another's rate changes."""
    a = _spikes(SpikeSourcePoisson("s", 3, rate=50 * Hz, start=10 * ms))
    b = _spikes(SpikeSourcePoisson("s", 3, rate=[50, 50, 50] * Hz, start=[10, 10, 10] * ms))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    c = _spikes(SpikeSourcePoisson("s", 3, rate=[50, 50, 500] * Hz, start=10 * ms))
    keep = a[1] < 2
    assert np.array_equal(a[0][keep], c[0][c[1] < 2])


def test_windows_per_source_and_every_engine_agrees():
    src = SpikeSourcePoisson("s", 3, rate=[200, 300, 400] * Hz, start=[0, 50, 100] * ms,
                             duration=[100, 100, 50] * ms)
    runs = {e: _spikes(src, e, t=300 * ms) for e in ENGINES}
    t, i = runs["numba"]
    for k, (lo, hi) in enumerate([(0, 0.1), (0.05, 0.15), (0.1, 0.15)]):
        assert np.all((t[i == k] >= lo - 1e-12) & (t[i == k] < hi - 1e-12))
        assert np.sum(i == k) > 5
    for e in ENGINES:
        assert np.array_equal(runs[e][0], t) and np.array_equal(runs[e][1], i)


def test_bad_per_source_values_are_named():
    with pytest.raises(ParameterError, match="rate"):
        SpikeSourcePoisson("s", 3, rate=[1, 2] * Hz)
    with pytest.raises(ParameterError, match="start"):
        SpikeSourcePoisson("s", 2, start=[1, -2] * ms)
    with pytest.raises(ParameterError, match="duration"):
        SpikeSourcePoisson("s", 2, duration=[1, np.inf] * ms)
    src = SpikeSourcePoisson("s", 2, rate=[1, 2] * Hz)
    assert NetworkSpec.from_json(NetworkSpec(sources=(src,)).to_json()).sources[0] == src

"""Simulation.synapse_index / set_weights / get_state / set_state / spikes_between: the hooks
hardware backends use instead of engine internals, the same on every engine."""

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    FixedProbability,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA, nF

ENGINES = ["numba", "reference", "brian2"]


def _spec():
    cell = IF_curr_exp(cm=0.25 * nF, tau_m=10 * ms, tau_refrac=2 * ms, tau_syn_E=1 * ms,
                       tau_syn_I=1 * ms, v_rest=-65 * mV, v_reset=-65 * mV, v_thresh=-55 * mV)
    times = [np.array([1.0, 7.0, 15.0]) * ms, np.array([3.0, 9.0]) * ms,
             np.array([2.0, 4.0, 20.0]) * ms, np.array([5.0]) * ms]
    return NetworkSpec(
        (Population("n", 5, cell),),
        (SpikeSourceArray.from_times("src", times),),
        (Projection("src", "n", FixedProbability(0.7), StaticSynapse(weight=1 * nA,
                                                                   delay=1 * ms), label="a"),
         Projection("n", "n", AllToAll(allow_self_connections=False),
                    StaticSynapse(weight=0.5 * nA, delay=2 * ms), "inhibitory", label="b")),
        (Probe("n"), Probe("n", "v"), Probe("src")))


def _build(engine):
    return get_engine(engine).build(_spec(), dt=0.1 * ms, seed=3)


@pytest.mark.parametrize("engine", ENGINES)
def test_synapse_index_names_the_connected_entries(engine):
    sim = _build(engine)
    pre, post = sim.synapse_index("a")
    w = np.asarray(sim.weights("a") / nA)
    assert len(pre) == np.count_nonzero(np.isfinite(w))
    assert np.all(np.isfinite(w[pre, post]))


@pytest.mark.parametrize("engine", ENGINES)
def test_set_weights_by_matrix_and_by_vector(engine):
    sim = _build(engine)
    rng = np.random.default_rng(0)
    target = rng.uniform(0, 8, (4, 5))
    sim.set_weights("a", target * nA)
    w = np.asarray(sim.weights("a") / nA)
    conn = np.isfinite(w)
    assert np.allclose(w[conn], target[conn], rtol=1e-12)
    pre, post = sim.synapse_index("a")
    vec = np.arange(len(pre), dtype=float)
    sim.set_weights("a", vec * nA)
    assert np.allclose(np.asarray(sim.weights("a") / nA)[pre, post], vec, rtol=1e-12)


def test_weights_set_from_outside_give_the_same_spikes_on_every_engine():
    rng = np.random.default_rng(1)
    target = rng.uniform(2, 9, (4, 5))
    out = []
    for engine in ENGINES:
        sim = _build(engine)
        sim.set_weights("a", target * nA)
        sim.set_state("n", "v", np.linspace(-65, -56, 5) * mV)
        sim.run(30 * ms)
        out.append(sim.spikes("n"))
    assert len(out[0]) > 3
    for other in out[1:]:
        assert np.array_equal(np.asarray(out[0].times / ms), np.asarray(other.times / ms))
        assert np.array_equal(out[0].indices, other.indices)


@pytest.mark.parametrize("engine", ENGINES)
def test_set_state_and_get_state(engine):
    sim = _build(engine)
    sim.set_state("n", "v", -50 * mV)  # above threshold: every neuron fires at once
    assert np.allclose(np.asarray(sim.get_state("n", "v") / mV), -50.0)
    sim.set_state("n", "isyn_exc", np.arange(5) * nA)
    assert np.allclose(np.asarray(sim.get_state("n", "isyn_exc") / nA), np.arange(5))
    sim.run(0.2 * ms)
    assert sorted(sim.spikes("n").indices.tolist()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_bad_values_are_refused(engine):
    sim = _build(engine)
    with pytest.raises(ParameterError):
        sim.set_weights("a", np.ones((4, 5)) * mV)       # wrong unit
    with pytest.raises(ParameterError):
        sim.set_weights("a", np.ones(3) * nA)            # wrong length
    with pytest.raises(ParameterError):
        sim.set_weights("nope", np.ones((4, 5)) * nA)
    with pytest.raises(ParameterError):
        sim.set_state("n", "gsyn_exc", 0 * nA)           # not a variable of IF_curr_exp
    with pytest.raises(ParameterError):
        sim.set_state("n", "v", np.zeros(3) * mV)


def test_spikes_between_equals_a_slice_of_spikes():
    sim = _build("numba")
    sim.set_weights("a", np.full((4, 5), 9.0) * nA)
    sim.run(30 * ms)
    for a, b in ((0, 30), (2.5, 7.3), (10, 10), (4.0, 21.0)):
        got = sim.spikes_between("n", a * ms, b * ms)
        ref = sim.spikes("n").between(a * ms, b * ms)
        assert np.array_equal(np.asarray(got.times / ms), np.asarray(ref.times / ms))
        assert np.array_equal(got.indices, ref.indices)

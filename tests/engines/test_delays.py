"""Delays read and written per connection (PyNN's ``Connection.delay``), on every engine.

Expected arrival steps follow from the engines' shared hop rule (a spike emitted at step e
through a delay of d steps first shows in the target's synaptic current at step e + d; see
``test_multapses.test_a_multapse_delivers_each_of_its_synapses``), so each check is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    SpikeSourceArray,
    StaticSynapse,
    TsodyksMarkramSynapse,
)
from neurosim.units import ms, nA, to_si

ENGINES = ["brian2", "numba", "reference"]
DT = 0.1 * ms


def _first_input(sim, variable: str) -> list[int]:
    """The first recorded step at which each neuron's synaptic current is non-zero."""
    i = np.asarray(to_si(sim.data[f"p.{variable}"].values))
    return [int(np.flatnonzero(col)[0]) if np.any(col) else -1 for col in i.T]


def _by_post(sim, label: str, per_post_ms: list[float]):
    _, post = sim.synapse_index(label)
    return np.array([per_post_ms[j] for j in post]) * ms


def _spec(synapse) -> NetworkSpec:
    return NetworkSpec(
        populations=(Population("p", 3, IF_curr_exp()),),
        sources=(SpikeSourceArray.from_times("s", [[2] * ms]),
                 SpikeSourceArray.from_times("q", [[0.5] * ms])),
        projections=(Projection("s", "p", AllToAll(), synapse, label="a"),
                     Projection("q", "p", AllToAll(), StaticSynapse(weight=0.1 * nA,
                                delay=1 * ms), receptor="inhibitory", label="b")),
        probes=(Probe("p", "isyn_exc"), Probe("p", "isyn_inh")))


@pytest.mark.parametrize("engine", ENGINES)
def test_delays_set_before_the_run_act_per_connection(engine):
    sim = get_engine(engine).build(_spec(StaticSynapse(weight=0.1 * nA, delay=1 * ms)),
                                   dt=DT, seed=0)
    assert np.allclose(np.asarray(to_si(sim.delays("a"))), 1e-3, rtol=1e-12)
    sim.set_delays("a", _by_post(sim, "a", [1.0, 2.5, 4.0]))
    got = np.asarray(to_si(sim.delays("a")))
    _, post = sim.synapse_index("a")
    assert np.allclose(got, np.array([1.0, 2.5, 4.0])[post] * 1e-3, rtol=1e-12)
    sim.run(8 * ms)
    # emitted at step 20: arrivals at 20 + 10, 20 + 25, 20 + 40
    assert _first_input(sim, "isyn_exc") == [30, 45, 60]


@pytest.mark.parametrize("engine", ENGINES)
def test_longer_delays_between_runs_keep_other_spikes_in_flight(engine):
    """Tsodyks-Markram synapses take the new delay too; the spike of ``q`` (0.5 ms, 1 ms
    delay) is in flight while ``a``'s delays grow past every delay the engine had (numba's
    spike ring must grow without losing it)."""
    syn = TsodyksMarkramSynapse(weight=0.1 * nA, delay=1 * ms, U=0.5, tau_rec=50 * ms)
    sim = get_engine(engine).build(_spec(syn), dt=DT, seed=0)
    sim.run(1 * ms)
    sim.set_delays("a", 6 * ms)
    sim.run(10 * ms)
    assert _first_input(sim, "isyn_inh") == [15, 15, 15]
    assert _first_input(sim, "isyn_exc") == [80, 80, 80]
    i = np.asarray(to_si(sim.data["p.isyn_exc"].values))
    assert i[80, 0] == pytest.approx(0.5 * 0.1e-9, rel=1e-12)  # U w on the first spike


@pytest.mark.parametrize("engine", ENGINES)
def test_delays_cannot_change_under_a_spike_in_flight(engine):
    """A spike emitted within the last max(old, new) delay steps would arrive twice or not at
    all under a changed delay on an engine that looks delays up at delivery, so every engine
    refuses; after that window the change is allowed."""
    sim = get_engine(engine).build(_spec(StaticSynapse(weight=0.1 * nA, delay=1 * ms)),
                                   dt=DT, seed=0)
    sim.run(4.5 * ms)  # the spike of s (step 20) is 25 steps old: inside a 3 ms window
    with pytest.raises(ParameterError, match="in flight"):
        sim.set_delays("a", 3 * ms)
    sim.set_delays("a", 2 * ms)  # 20 steps: the spike is out of that window
    sim.run(1 * ms)
    assert np.allclose(np.asarray(to_si(sim.delays("a"))), 2e-3, rtol=1e-12)


def test_drawn_delays_read_back_the_same_on_every_engine():
    spec = NetworkSpec(
        populations=(Population("p", 7, IF_curr_exp()),),
        sources=(SpikeSourceArray.from_times("s", [[1] * ms] * 5),),
        projections=(Projection("s", "p", AllToAll(), StaticSynapse(
            weight=0.1 * nA, delay=RandomDistribution("uniform", low=0.5 * ms, high=4 * ms)),
            label="r"),))
    got = {}
    for engine in ENGINES:
        sim = get_engine(engine).build(spec, dt=DT, seed=5)
        pre, post = sim.synapse_index("r")
        d = np.asarray(to_si(sim.delays("r")))
        order = np.lexsort((post, pre))
        got[engine] = d[order]
    steps = got["numba"] / 1e-4
    assert np.allclose(steps, np.round(steps), atol=1e-9)  # on the grid
    assert len(np.unique(np.round(steps))) > 5  # drawn, not one value
    for engine in ENGINES:
        assert np.allclose(got[engine], got["numba"], rtol=1e-12, atol=0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("values, what", [
    (np.array([1.0, np.nan, 1.0]) * ms, "finite"),
    (0.04 * ms, ">= dt"),
    (np.array([1.0, 2.0]) * ms, r"\(3,\)"),
    (1 * nA, "a time"),
])
def test_bad_delays_are_named(engine, values, what):
    sim = get_engine(engine).build(_spec(StaticSynapse(weight=0.1 * nA, delay=1 * ms)),
                                   dt=DT, seed=0)
    with pytest.raises(ParameterError, match="values") as err:
        sim.set_delays("a", values)
    assert err.match(what)
    with pytest.raises(ParameterError, match="projection"):
        sim.delays("nope")

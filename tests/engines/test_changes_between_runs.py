"""Changes between runs (PyNN's Population.set, spike_times, a source's parameters): every
engine keeps its state, takes the change from the next step, and agrees with the others."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    DCSource,
    IF_curr_exp,
    Izhikevich,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA, to_si

ENGINES = ["numba", "reference", "brian2"]

SPEC = NetworkSpec(
    populations=(Population("p", 2, IF_curr_exp()),
                 Population("q", 2, Izhikevich(i_offset=0.01 * nA))),
    sources=(SpikeSourceArray.from_times("s", [[2, 25] * ms, [3] * ms]),),
    projections=(Projection("s", "p", AllToAll(), StaticSynapse(weight=0.5 * nA,
                                                                   delay=1 * ms)),),
    current_sources=(DCSource(label="dc", target="p", amplitude=0.5 * nA, start=5 * ms),),
    probes=(Probe("p", "v"), Probe("p", "isyn_exc"), Probe("q", "v"), Probe("dc", "i")))


def _run(engine, change=True):
    sim = get_engine(engine).build(SPEC, dt=0.1 * ms, seed=0)
    sim.run(10 * ms)
    if change:
        sim.set_parameters("p", tau_m=7 * ms, i_offset=[0.2, 0.4] * nA)
        sim.set_parameters("q", a=0.03 / ms)
        sim.set_current_source(DCSource(label="dc", target="p", amplitude=1.5 * nA,
                                        start=5 * ms))
        sim.set_spike_times("s", [[12, 15] * ms, [11] * ms])
    sim.run(30 * ms)
    return {k: np.asarray(to_si(sim.data[k].values)) for k in
            ("p.v", "p.isyn_exc", "q.v", "dc.i")}


@pytest.fixture(scope="module")
def runs():
    return {e: _run(e) for e in ENGINES}


def test_the_changes_act_from_the_next_step(runs):
    got, before = runs["numba"], _run("numba", change=False)
    # the first 10 ms are the same run; after it they differ
    for key in ("p.v", "q.v"):
        np.testing.assert_array_equal(got[key][:101], before[key][:101])
        assert np.abs(got[key][101:] - before[key][101:]).max() > 1e-4
    i = got["dc.i"].ravel()  # recorded as injected: 0.5 nA from 5 ms, 1.5 nA from 10 ms
    assert i[49] == 0 and i[50] == i[99] == float(to_si(0.5 * nA))
    assert i[100] == i[-1] == float(to_si(1.5 * nA))
    # the new spike times replace the old (25 ms is gone): arrivals at 12+1, 15+1, 11+1 ms
    jumps = np.flatnonzero(np.diff(got["p.isyn_exc"][:, 0]) > 0) + 1
    assert jumps[jumps > 100].tolist() == [120, 130, 160]


def test_every_engine_agrees_after_the_changes(runs):
    """numba and reference bit for bit; Brian2 within float64 rounding of its own
    exact-integrator expressions (1e-12 V, the conformance table's IF_curr_exp entry)."""
    for key in runs["numba"]:
        np.testing.assert_array_equal(runs["reference"][key], runs["numba"][key])
        np.testing.assert_allclose(runs["brian2"][key], runs["numba"][key], rtol=0,
                                   atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_changes_are_named(engine):
    sim = get_engine(engine).build(SPEC, dt=0.1 * ms, seed=0)
    with pytest.raises(ParameterError, match="tau_x"):
        sim.set_parameters("p", tau_x=3 * ms)
    with pytest.raises(ParameterError, match="tau_m"):
        sim.set_parameters("p", tau_m=3 * mV)
    with pytest.raises(ParameterError, match="label"):
        sim.set_parameters("nope", tau_m=3 * ms)
    with pytest.raises(ParameterError, match="target"):
        sim.set_current_source(DCSource(label="dc", target="q", amplitude=1 * nA))
    with pytest.raises(ParameterError, match="source"):
        sim.set_current_source(DCSource(label="other", target="p", amplitude=1 * nA))
    with pytest.raises(ParameterError, match="one per neuron"):
        sim.set_spike_times("s", [[1] * ms])
    with pytest.raises(ParameterError, match="SpikeSourceArray"):
        sim.set_spike_times("p", [[1] * ms, [2] * ms])

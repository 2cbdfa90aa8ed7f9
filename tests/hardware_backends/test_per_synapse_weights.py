"""One weight per synapse through PyNN export and onto SpiNNaker: the plan lists the
synapses with a weight column, validation rounds each weight as sPyNNaker 1!7.4.1 does, the
emulator holds those integers, and pyNN.brian2 gets the same weights (same spikes as our
brian2 engine under pyNN.brian2's timing, tests/hardware_backends/test_pynn_export.py)."""

import dataclasses

import numpy as np
import pytest

from neurosim.engines import build, get_engine
from neurosim.hardware_backends.pynn_export import pynn_plan
from neurosim.hardware_backends.spinnaker import validate
from neurosim.network import (
    FromList,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA

W = np.array([0.5, 1.25, 2.0, 3.5, 1e-5])  # nA; the last rounds to zero on the board


def _spec():
    stim = SpikeSourceArray.from_times("stim", [[1, 6, 11] * ms, [2, 7] * ms, [3, 8] * ms])
    cells = Population("cells", 3, IF_curr_exp(tau_refrac=1 * ms, v_thresh=-60 * mV))
    pairs = ((0, 0), (1, 1), (2, 2), (0, 2), (1, 0))
    return NetworkSpec(
        populations=(cells,), sources=(stim,),
        projections=(Projection("stim", "cells", FromList(pairs),
                                StaticSynapse(weight=W * nA, delay=1 * ms)),),
        probes=(Probe("cells", "spikes"),))


def test_the_plan_lists_each_synapse_with_its_weight():
    plan = pynn_plan(_spec(), timestep=1 * ms, seed=0)
    p = plan.projections[0]
    assert p.connector.kind == "FromList"
    np.testing.assert_array_equal(p.weights, W)  # nA, connector order
    assert p.weight == W.max()  # sPyNNaker's get_weight_maximum: the largest |w|


def test_a_drawn_weight_is_listed_as_the_engines_draw_it():
    spec = _spec()
    proj = spec.projections[0]
    drawn = spec.replace(projections=(dataclasses.replace(proj, synapse=StaticSynapse(
        weight=RandomDistribution("uniform", low=0.5 * nA, high=1.5 * nA), delay=1 * ms)),))
    p = pynn_plan(drawn, timestep=1 * ms, seed=3).projections[0]
    held = np.asarray(build(drawn, engine="numba", dt=1 * ms, seed=3).weights(proj.label) / nA)
    ours = [held[i, j] for i, j in proj.connector.pairs]
    assert np.all((p.weights >= 0.5) & (p.weights <= 1.5))
    # the plan keeps 12 significant digits (neurosim.pynn_units._clean)
    np.testing.assert_allclose(p.weights, ours, rtol=1e-11)


def test_validation_rounds_every_weight_as_spynnaker():
    report = validate(_spec(), timestep=1 * ms, seed=0)
    pc = report.projections["stim->cells:excitatory"]
    scale = 1.0 / pc.weight_quantum
    # synapse_io.py: rint(|w| x weight scale), one integer per synapse
    np.testing.assert_array_equal(pc.weights_stored, np.rint(W * scale).astype(int))
    assert pc.weights_stored[-1] == 0
    assert any("round to zero" in str(w) for w in report.warnings)


def test_the_emulator_holds_each_weight():
    sim = get_engine("spinnaker-emulator").build(_spec(), dt=1 * ms, seed=0)
    held = np.asarray(sim.weights("stim->cells:excitatory") / nA)
    pc = sim.validation.projections["stim->cells:excitatory"]
    want = pc.weights_stored * pc.weight_quantum
    got = np.array([held[i, j] for i, j in _spec().projections[0].connector.pairs])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    sim.run(20 * ms)
    assert len(sim.spikes("cells")) > 0


def test_pynn_brian2_gets_the_same_weights():
    pytest.importorskip("pyNN.brian2")
    import pyNN.brian2 as sim_brian2

    from neurosim.hardware_backends.pynn_export import to_pynn
    from tests.hardware_backends.test_pynn_export import brian2_timing

    spec = _spec()
    net = to_pynn(spec, sim_brian2, timestep=0.1 * ms, seed=1)
    net.run(20 * ms)
    got = net.weights("stim->cells:excitatory")
    theirs = net.spikes("cells")
    net.end()
    held = np.asarray(got / nA)
    np.testing.assert_allclose([held[i, j] for i, j in spec.projections[0].connector.pairs], W,
                               rtol=1e-12)
    ours = build(brian2_timing(spec, dt=0.1 * ms), engine="brian2", dt=0.1 * ms, seed=1)
    ours.run(20 * ms)
    assert len(theirs) > 0
    assert [np.round(np.asarray(t / ms), 6).tolist() for t in theirs.trains()] == \
        [np.round(np.asarray(t / ms), 6).tolist() for t in ours.spikes("cells").trains()]

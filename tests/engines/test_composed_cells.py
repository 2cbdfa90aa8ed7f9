"""Composed point neurons (PyNN 0.13's PointNeuron): a neuron model with any number of named
receptors, one declaration, the same on every engine."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
    View,
    point_neuron,
)
from neurosim.units import ms, mV, nA, to_si, uS

ENGINES = ["numba", "reference", "brian2"]


def _spec(neuron, receptors, weights, unit):
    cell = point_neuron(neuron, receptors)(tau_m=10 * ms, v_rest=-60 * mV)
    names = list(receptors)
    return NetworkSpec(
        populations=(Population("n", 2, cell, {"v": -60 * mV}),),
        sources=(SpikeSourceArray.from_times("s", [[30 + 30 * k] * ms
                                                    for k in range(len(names))]),),
        projections=tuple(
            Projection(View("s", k, k + 1), "n", AllToAll(), StaticSynapse(
                weight=weights[k] * unit, delay=1.5 * ms), receptor=r, label=r)
            for k, r in enumerate(names)),
        probes=(Probe("n", "v"),
                *(Probe("n", v) for v in cell.recordable if v not in ("v", "w"))))


@pytest.mark.parametrize("neuron, receptors, weights, unit", [
    ("LIF", {"AMPA": "CondAlpha", "NMDA": "CondExp", "GABAA": "CondAlpha"},
     [0.01, 0.005, 0.1], uS),
    ("AdExp", {"AMPA": "CondAlpha", "GABAA": "CondAlpha", "NMDA": "CondAlpha"},
     [0.01, 0.1, 0.005], uS),
    ("LIF", {"AMPA": "CurrExp", "NMDA": "CurrExp", "GABAA": "CurrExp"},
     [0.5, 0.3, 0.8], nA),
])
def test_every_engine_runs_a_composed_cell_alike(neuron, receptors, weights, unit):
    """Three receptors (the third through the engines' extra receptor rows) give the same
    state on every engine within the conformance table's 1e-14 for the linear and AdEx
    cells (tests/engines/test_cell_conformance.py: the array engines evaluate Brian2's own
    abstract code; NumPy's and libm's exp differ by <= 1 ulp); each receptor's variable
    moves only after its own input arrives (30, 60, 90 ms, + 1.5 ms delay)."""
    spec = _spec(neuron, receptors, weights, unit)
    assert NetworkSpec.from_json(spec.to_json()) == spec
    runs = {}
    for e in ENGINES:
        sim = get_engine(e).build(spec, dt=0.1 * ms, seed=0)
        sim.run(150 * ms)
        runs[e] = {k: np.asarray(to_si(d.values)) for k, d in sim.data.items()}
    for key, got in runs["numba"].items():
        for other in ("reference", "brian2"):
            np.testing.assert_allclose(runs[other][key], got, rtol=0, atol=1e-14)
    for k, r in enumerate(receptors):
        var = f"n.{r}_gsyn" if unit == uS else f"n.{r}_isyn"
        first = int(np.flatnonzero(runs["numba"][var][:, 0])[0])
        # the hop rule puts a spike at step s through 15 steps of delay into the receptor at
        # the end of step s + 14, first seen in sample s + 15; an alpha conductance rises
        # from its y one step later
        alpha = receptors[r] == "CondAlpha"
        assert first == 300 * (k + 1) + 15 + alpha, (r, first)
    assert np.ptp(runs["numba"]["n.v"]) > 1e-4


def test_composition_errors_are_named():
    with pytest.raises(ParameterError, match="neuron"):
        point_neuron("HH", {"AMPA": "CondExp"})
    with pytest.raises(ParameterError, match="conductance"):
        point_neuron("LIF", {"AMPA": "CondExp", "GABA": "CurrExp"})
    with pytest.raises(ParameterError, match="CondBeta"):
        point_neuron("LIF", {"AMPA": "CondBeta"})
    cell = point_neuron("LIF", {"AMPA": "CondExp"})()
    assert point_neuron("LIF", {"AMPA": "CondExp"}) is type(cell)  # one class per composition
    with pytest.raises(ParameterError, match="receptor"):
        NetworkSpec(populations=(Population("n", 1, cell),),
                    sources=(SpikeSourceArray.from_times("s", [[1] * ms]),),
                    projections=(Projection("s", "n", AllToAll(), StaticSynapse(
                        weight=0.1 * uS), receptor="NMDA"),))


def test_an_inhibitory_current_receptor_pulls_v_down_and_round_trips():
    """A current-based receptor declared inhibitory subtracts its (magnitude) weight: a
    0.5 nA GABAA input moves v opposite to the same AMPA input, by the same amount."""
    cls = point_neuron("LIF", {"AMPA": "CurrExp", "GABAA": "CurrExp"}, inhibitory=("GABAA",))
    from neurosim.network.composed import cell_type_class

    assert cell_type_class(cls.__name__) is cls
    out = {}
    for r in ("AMPA", "GABAA"):
        spec = NetworkSpec(
            populations=(Population("n", 1, cls()),),
            sources=(SpikeSourceArray.from_times("s", [[5] * ms]),),
            projections=(Projection("s", "n", AllToAll(), StaticSynapse(weight=0.5 * nA),
                                    receptor=r),),
            probes=(Probe("n", "v"),))
        sim = get_engine("numba").build(spec, dt=0.1 * ms, seed=0)
        sim.run(20 * ms)
        out[r] = np.asarray(to_si(sim.data["n.v"].values))[:, 0] - to_si(-65 * mV)
    np.testing.assert_allclose(out["GABAA"], -out["AMPA"], rtol=0, atol=1e-15)
    assert out["AMPA"].max() > 1e-4
    with pytest.raises(ParameterError, match="inhibitory"):
        point_neuron("LIF", {"AMPA": "CondExp"}, inhibitory=("AMPA",))

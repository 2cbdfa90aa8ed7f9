"""Heterogeneous cell parameters and initial values: one value, one per neuron, or a
RandomDistribution, the same values on every engine for one seed."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    EIF_cond_exp_isfa_ista,
    IF_cond_exp,
    IF_curr_exp,
    Izhikevich,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import Hz, ms, mV, nA, to_si, uS

ENGINES = [("brian2", {}), ("numba", {}), ("reference", {}),
           ("numba", {"cell_code": "generated"}), ("reference", {"cell_code": "generated"})]
IDS = ["brian2", "numba", "reference", "numba-generated", "reference-generated"]

N = 4
CELLS = {
    "IF_curr_exp": IF_curr_exp(tau_m=[10, 15, 20, 25] * ms, i_offset=[1.0, 1.2, 1.5, 2] * nA,
                               v_rest=RandomDistribution("normal", mu=-65 * mV, sigma=2 * mV),
                               tau_refrac=[0.1, 1, 2, 3] * ms),
    "IF_cond_exp": IF_cond_exp(tau_syn_E=RandomDistribution("uniform", low=2 * ms,
                                                            high=8 * ms),
                               v_thresh=[-52, -50, -48, -51] * mV, i_offset=1.2 * nA),
    "EIF_cond_exp_isfa_ista": EIF_cond_exp_isfa_ista(b=[0.0, 0.05, 0.1, 0.2] * nA,
                                                     i_offset=1 * nA),
    "Izhikevich": Izhikevich(a=[0.02, 0.02, 0.1, 0.02] / ms, d=[8, 2, 2, 4] * mV / ms,
                             i_offset=0.01 * nA),
}
_W = {"current": 0.5 * nA, "conductance": 0.01 * uS, "voltage": 3 * mV}


def _spec(name: str) -> NetworkSpec:
    cell = CELLS[name]
    init = {"v": RandomDistribution("uniform", low=-70 * mV, high=-60 * mV)}
    return NetworkSpec(
        populations=(Population("p", N, cell, init),),
        sources=(SpikeSourceArray.from_times("s", [[3, 9, 20] * ms]),),
        projections=(Projection("s", "p", AllToAll(), StaticSynapse(
            weight=_W[type(cell).weight_kind], delay=1 * ms)),),
        probes=(Probe("p", "spikes"), Probe("p", "v")))


@pytest.fixture(scope="module")
def brian2_runs():
    out = {}
    for name in CELLS:
        sim = get_engine("brian2").build(_spec(name), dt=0.1 * ms, seed=5)
        out[name] = sim.run(60 * ms).data
    return out


@pytest.mark.parametrize("engine, options", ENGINES[1:], ids=IDS[1:])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_every_engine_sees_the_same_per_neuron_values(name, engine, options, brian2_runs):
    """Spikes equal to Brian2's; v within the conformance table's tolerance (1e-14 V
    linear cells and AdEx, 1e-12 V Izhikevich: tests/engines/test_cell_conformance.py)."""
    data = get_engine(engine, **options).build(_spec(name), dt=0.1 * ms,
                                               seed=5).run(60 * ms).data
    want = brian2_runs[name]
    np.testing.assert_array_equal(np.asarray(data["p.spikes"].times),
                                  np.asarray(want["p.spikes"].times))
    np.testing.assert_array_equal(data["p.spikes"].indices, want["p.spikes"].indices)
    tol = 1e-12 if name == "Izhikevich" else 1e-14
    assert np.max(np.abs(np.asarray(to_si(data["p.v"].values))
                         - np.asarray(to_si(want["p.v"].values)))) <= tol
    # the neurons differ, so they must not all fire alike
    counts = np.bincount(want["p.spikes"].indices, minlength=N)
    assert len(set(counts.tolist())) > 1 or len(set(np.asarray(want["p.spikes"].times)
                                                 .tolist())) > counts[0]


@pytest.mark.parametrize("engine", ["numba", "reference", "brian2"])
def test_a_heterogeneous_population_is_its_neurons_one_by_one(engine):
    """Neuron i of a population with per-neuron values behaves as a one-neuron population
    given the i-th values (spike for spike)."""
    taus, offs = [10, 15, 20] * ms, [2.0, 2.5, 3.0] * nA
    vr = [-66, -65, -64] * mV
    het = NetworkSpec(populations=(Population("h", 3, IF_curr_exp(tau_m=taus, i_offset=offs),
                                              {"v": vr}),),
                      probes=(Probe("h", "spikes"),))
    one_by_one = NetworkSpec(
        populations=tuple(Population(f"n{i}", 1, IF_curr_exp(tau_m=taus[i], i_offset=offs[i]),
                                     {"v": vr[i]}) for i in range(3)),
        probes=tuple(Probe(f"n{i}", "spikes") for i in range(3)))
    a = get_engine(engine).build(het, dt=0.1 * ms, seed=1).run(50 * ms).data
    b = get_engine(engine).build(one_by_one, dt=0.1 * ms, seed=1).run(50 * ms).data
    for i in range(3):
        mine = np.asarray(a["h.spikes"].times)[a["h.spikes"].indices == i]
        assert len(mine) >= 2
        np.testing.assert_array_equal(mine, np.asarray(b[f"n{i}.spikes"].times))


def test_draws_depend_on_the_seed_only():
    spec = _spec("IF_curr_exp")
    pop = spec.populations[0]
    v1 = pop.parameter("v_rest", np.random.SeedSequence(5))
    assert np.array_equal(v1, pop.parameter("v_rest", np.random.SeedSequence(5)))
    assert not np.array_equal(v1, pop.parameter("v_rest", np.random.SeedSequence(6)))
    assert len(np.unique(v1)) == N
    starts = [get_engine(e).build(spec, dt=0.1 * ms, seed=5).get_state("p", "v")
              for e in ("numba", "reference", "brian2")]
    for s in starts[1:]:
        np.testing.assert_array_equal(np.asarray(to_si(s)), np.asarray(to_si(starts[0])))
    # initial v drawn from its own distribution, not v_rest
    assert not np.allclose(np.asarray(to_si(starts[0])), v1)


def test_round_trip_and_bad_input_named():
    spec = _spec("IF_cond_exp")
    assert NetworkSpec.from_json(spec.to_json()) == spec
    with pytest.raises(ParameterError, match=r"'tau_m' parameter of Population 'p' must be a "
                                             r"single value or one per neuron \(4\)"):
        Population("p", 4, IF_curr_exp(tau_m=[10, 20] * ms))
    with pytest.raises(ParameterError, match=r"'initial_values.v' parameter.*one per neuron"):
        Population("p", 4, IF_curr_exp(), {"v": [-65, -60] * mV})
    with pytest.raises(ParameterError, match=r"'tau_m' parameter of IF_curr_exp"):
        IF_curr_exp(tau_m=[10, np.inf] * ms)
    with pytest.raises(ParameterError, match=r"'a' parameter of Izhikevich.*distribution"):
        Izhikevich(a=RandomDistribution("uniform", low=1 * mV, high=2 * mV))
    with pytest.raises(ParameterError, match=r"'v_reset' parameter of IF_curr_exp"):
        IF_curr_exp(v_reset=[-60, -40] * mV)
    # a distribution whose draws leave the bounds: refused when drawn, naming the value
    wide = NetworkSpec(populations=(Population("w", 50, IF_curr_exp(
        tau_m=RandomDistribution("normal", mu=2 * ms, sigma=5 * ms))),))
    for engine in ("numba", "reference", "brian2"):
        with pytest.raises(ParameterError, match=r"'tau_m' parameter of Population 'w'"):
            get_engine(engine).build(wide, dt=0.1 * ms, seed=0)
    rate = Izhikevich(b=[0.2, 0.25] / ms)
    assert rate.heterogeneous() == ("b",) and float(rate.to_si()["b"][1]) == 250.0 * float(Hz)


# -- weights and delays per synapse -----------------------------------------------------------


def _synaptic_spec():
    return NetworkSpec(
        populations=(Population("p", 3, IF_curr_exp(v_thresh=-55 * mV)),),
        sources=(SpikeSourceArray.from_times("s", [[2, 10, 20] * ms] * 2),),
        projections=(
            Projection("s", "p", AllToAll(), StaticSynapse(
                weight=[0.5, 1, 1.5, 2, 2.5, 3] * nA, delay=[1, 2, 3, 1, 2, 3] * ms),
                label="a"),
            Projection("p", "p", AllToAll(allow_self_connections=False), StaticSynapse(
                weight=RandomDistribution("uniform", low=0.5 * nA, high=2 * nA),
                delay=RandomDistribution("uniform", low=0.5 * ms, high=4 * ms)), label="r")),
        probes=(Probe("p", "spikes"), Probe("p", "isyn_exc")))


def test_per_synapse_weights_and_delays_are_the_same_on_every_engine():
    """Arrays in the connector's order and distributions drawn under the seed: the same
    synapses, weights and spikes on every engine; the delays act (a spike through the 1,
    2 and 3 ms synapses reaches neuron 0, 1, 2 at 3, 4 and 5 ms)."""
    spec = _synaptic_spec()
    runs = {e: get_engine(e).build(spec, dt=0.1 * ms, seed=4) for e in ("brian2", "numba",
                                                                        "reference")}
    for sim in runs.values():
        sim.run(40 * ms)
    ref = runs["numba"]
    for label in ("a", "r"):
        for sim in runs.values():
            np.testing.assert_array_equal(np.asarray(to_si(sim.weights(label))),
                                          np.asarray(to_si(ref.weights(label))))
    np.testing.assert_array_equal(np.asarray(to_si(ref.weights("a"))),
                                  np.array([[0.5, 1, 1.5], [2, 2.5, 3]]) * 1e-9)
    drawn = np.asarray(to_si(ref.weights("r")))
    off = drawn[~np.eye(3, dtype=bool)]
    assert np.all((off >= 0.5e-9) & (off <= 2e-9)) and len(np.unique(off)) == 6
    for sim in runs.values():
        np.testing.assert_array_equal(np.asarray(sim.data["p.spikes"].times),
                                      np.asarray(ref.data["p.spikes"].times))
    i = np.asarray(to_si(ref.data["p.isyn_exc"].values))
    for post, arrival_ms in enumerate((3.0, 4.0, 5.0)):
        k = round(arrival_ms / 0.1)
        assert i[k - 1, post] == 0 and i[k, post] > 0
    assert len(ref.data["p.spikes"]) >= 3


def test_per_synapse_values_bad_input():
    base = _synaptic_spec()
    short = base.projections[0].synapse.replace(weight=[1, 2] * nA)
    spec = base.replace(projections=(Projection("s", "p", AllToAll(), short),))
    for engine in ("numba", "reference", "brian2"):
        with pytest.raises(ParameterError, match=r"'weight' parameter of Projection.*one per "
                                                 r"synapse \(6\)"):
            get_engine(engine).build(spec, dt=0.1 * ms)
    with pytest.raises(ParameterError, match="'weight' parameter of StaticSynapse"):
        StaticSynapse(weight=[1, -1] * nA)
    early = NetworkSpec(
        populations=base.populations, sources=base.sources,
        projections=(Projection("s", "p", AllToAll(), StaticSynapse(
            weight=1 * nA, delay=RandomDistribution("normal", mu=0.2 * ms, sigma=0.5 * ms))),))
    for engine in ("numba", "reference", "brian2"):
        with pytest.raises(ParameterError, match=r"'delay' parameter of Projection.*>= dt"):
            get_engine(engine).build(early, dt=0.1 * ms, seed=1)
    off_grid = NetworkSpec(
        populations=base.populations, sources=base.sources,
        projections=(Projection("s", "p", AllToAll(), StaticSynapse(
            weight=1 * nA, delay=[1, 1.25, 1, 1, 1, 1] * ms)),))
    with pytest.raises(ParameterError, match="multiple of dt"):
        get_engine("numba").build(off_grid, dt=0.1 * ms)
    assert NetworkSpec.from_json(base.to_json()) == base

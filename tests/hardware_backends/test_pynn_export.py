"""PyNN export: the unit table, backend conventions, the round trip through pyNN.brian2 and
the standalone script.

The round trip's tolerance comes from pyNN.brian2's sources (PyNN 0.13, docs/spinnaker.md):
its Synapses deliver a spike sent with delay d in the "synapses" slot of step n + d/dt, after
that step's integration, so the target feels it one step later than on our engines and
SpiNNaker (hop latency d + dt, not d); Brian2 counts the refractory period from the spike's
own step, so V is frozen one step less (ceil(tau_refrac/dt) - 1 steps after the spike, not
ceil(tau_refrac/dt)). Hence, exactly: pyNN.brian2 running spec S gives the spikes of our
Brian2 engine running S with every delay + dt and every tau_refrac - dt; and a neuron that
fires from rest k hops after a spike source fires exactly k dt later than on our engines.
Its STDP sees the pre spike on arrival (T + d) and the post spike at once, where sPyNNaker
and our engines see the pre spike at T and the post spike d later.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from neurosim.engines import build
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.hardware_backends.pynn_export import (
    PYNN_UNITS,
    add_spike_times,
    conventions_for,
    export_script,
    from_pynn_units,
    load_script_output,
    pynn_plan,
    stdp_amplitudes,
    to_pynn,
    to_pynn_units,
)
from neurosim.network import (
    AllToAll,
    FixedProbability,
    FromList,
    IF_curr_exp,
    MultiplicativeWeightDependence,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.units import Hz, ms, mV, nA, nF, nS, uS
from tests.hardware_backends.specs import DEPTH, STDP, round_trip_spec

DT = 0.1  # ms
DURATION = 50 * ms

sim_brian2 = pytest.importorskip("pyNN.brian2")


# -- units and conventions ------------------------------------------------------------------


def test_unit_table_is_pynns():
    assert {k: v[0] for k, v in PYNN_UNITS.items()} == {
        "second": "ms", "volt": "mV", "amp": "nA", "farad": "nF", "siemens": "uS",
        "hertz": "Hz", "volt/second": "mV/ms", "1": ""}  # the last two: Izhikevich's u, HH's m
    assert to_pynn_units(-14 * mV / ms) == -14.0
    assert to_pynn_units(-65 * mV) == -65.0
    assert to_pynn_units(0.5 * nS) == 0.0005
    assert to_pynn_units(200 * ms) == 200.0
    assert to_pynn_units(0.25 * nF) == 0.25
    assert to_pynn_units(10 * Hz) == 10.0
    assert np.allclose(to_pynn_units(np.array([1.0, 2.5]) * nA), [1.0, 2.5])
    assert from_pynn_units(-65.0, "volt") == -65 * mV
    assert from_pynn_units(0.5, "siemens") == 0.5 * uS
    with pytest.raises(ParameterError, match="quantity"):
        to_pynn_units(3.0)


def test_conventions_of_known_backends():
    spinn = conventions_for("pyNN.spiNNaker")
    assert spinn.stdp_amplitude == "weight" and spinn.inhibitory_current_sign == 1.0
    assert conventions_for(sim_brian2).dendritic_delay_fraction == 0.0
    nest = conventions_for("pyNN.nest")
    assert nest.stdp_amplitude == "w_max" and nest.inhibitory_current_sign == -1.0
    # A is a weight change in nA on sPyNNaker 1!7.4.1, a fraction of w_max on NEST/Brian2.
    plan = pynn_plan(round_trip_spec(), timestep=DT * ms, seed=1)
    plastic = next(p for p in plan.projections if p.label == "plastic")
    assert stdp_amplitudes(plastic, spinn) == (STDP["A_plus"], STDP["A_minus"])
    assert stdp_amplitudes(plastic, nest) == pytest.approx(
        (STDP["A_plus"] / STDP["w_max"], STDP["A_minus"] / STDP["w_max"]))


def test_plan_lists_views_with_population_indices():
    plan = pynn_plan(round_trip_spec(), timestep=DT * ms, seed=1)
    hop1 = next(p for p in plan.projections if p.label == "hop1")
    assert hop1.connector.kind == "FromList"
    assert hop1.connector.pairs.tolist() == [[0, 1]]  # chain[0] -> chain[1]
    assert hop1.pre == ("chain", 0, 1) and hop1.post == ("chain", 1, 2)
    assert hop1.delay == 1.5
    chain = plan.group("chain")
    assert chain.params["tau_refrac"] == 2.0 and chain.params["cm"] == 1.0
    assert chain.initial_values == {"v": -65.0}  # PyNN's default would be -65 mV anyway
    assert plan.group("stim").spike_times == ((2.0, 20.0, 40.0), (5.0, 15.0, 25.0, 35.0))


def test_backend_limits_are_refused(tmp_path):
    mult = STDPMechanism(weight_dependence=MultiplicativeWeightDependence(w_max=1 * nA),
                         weight=0.1 * nA, delay=1 * ms)
    spec = NetworkSpec(
        populations=(Population("a", 2, IF_curr_exp()),),
        sources=(SpikeSourceArray.from_times("s", [[1] * ms, [2] * ms]),),
        projections=(Projection("s", "a", AllToAll(), mult),),
        probes=(Probe("a", "isyn_exc"),))
    # pyNN.brian2 runs its additive equations whatever the weight dependence.
    with pytest.raises(UnsupportedFeature, match="Multiplicative"):
        to_pynn(spec, sim_brian2, timestep=DT * ms, seed=1)
    static = spec.replace(projections=(Projection("s", "a", AllToAll(),
                                                  StaticSynapse(weight=1 * nA)),))
    with pytest.raises(UnsupportedFeature, match="isyn_exc"):
        to_pynn(static, sim_brian2, timestep=DT * ms, seed=1)


def test_add_spike_times():
    spec = round_trip_spec()
    more = add_spike_times(spec, "stim", [1, 0], [45, 47] * ms)
    assert more.groups["stim"].spike_times == ((0.002, 0.02, 0.04, 0.047),
                                              (0.005, 0.015, 0.025, 0.035, 0.045))
    with pytest.raises(ParameterError):
        add_spike_times(spec, "chain", [0], [1] * ms)


# -- the round trip ---------------------------------------------------------------------------


def brian2_timing(spec: NetworkSpec, dt=DT * ms) -> NetworkSpec:
    """The spec our engines must run to reproduce pyNN.brian2 spike for spike: every hop one
    step longer, every refractory period one step shorter (see the module docstring)."""
    pops = tuple(Population(p.label, p.size,
                            p.celltype.replace(tau_refrac=p.celltype.tau_refrac - dt),
                            dict(p.initial_values)) for p in spec.populations)
    projs = tuple(Projection(p.pre, p.post, p.connector,
                             p.synapse.replace(delay=(p.synapse.delay or dt) + dt),
                             p.receptor, p.label) for p in spec.projections)
    return spec.replace(populations=pops, projections=projs)


def pair_rule(w0, pre_ms, post_ms, a_plus, a_minus, tau, w_min=0.0, w_max=np.inf):
    """All-to-all pair STDP, additive (A in weight units), events at the given times."""
    events = sorted([(t, "pre") for t in pre_ms] + [(t, "post") for t in post_ms])
    times = [t for t, _ in events]
    assert len(set(times)) == len(times), "the scenario avoids simultaneous pre and post"
    w, x, y, last = w0, 0.0, 0.0, None
    for t, kind in events:
        if last is not None:
            x *= np.exp(-(t - last) / tau)
            y *= np.exp(-(t - last) / tau)
        last = t
        if kind == "pre":
            w = min(max(w - a_minus * y, w_min), w_max)
            x += 1.0
        else:
            w = min(max(w + a_plus * x, w_min), w_max)
            y += 1.0
    return w


def _trains(spikes):
    return [np.round(np.asarray(t / ms), 6).tolist() for t in spikes.trains()]


@pytest.fixture(scope="module")
def round_trip():
    spec = round_trip_spec()
    ours = build(spec, engine="brian2", dt=DT * ms, seed=1)
    ours.run(DURATION)
    shifted = build(brian2_timing(spec), engine="brian2", dt=DT * ms, seed=1)
    shifted.run(DURATION)
    net = to_pynn(spec, sim_brian2, timestep=DT * ms, seed=1)
    net.run(DURATION)
    out = {"spec": spec, "ours": ours, "shifted": shifted,
           "pynn": {g: net.spikes(g) for g in ("chain", "learner", "stim")},
           "pynn_w": float(net.weights("plastic")[0, 0] / nA)}
    net.end()
    return out


def test_round_trip_spikes_equal_our_engine_with_pynn_brian2_timing(round_trip):
    for label in ("chain", "learner", "stim"):
        want = round_trip["shifted"].spikes(label)
        got = round_trip["pynn"][label]
        assert _trains(got) == _trains(want), label
    assert len(round_trip["pynn"]["chain"]) == 8  # every neuron of the chain fires


def test_round_trip_spikes_from_rest_are_k_steps_late(round_trip):
    # The first spike of every neuron (fired from rest) is exactly (hops) x dt later.
    for (label, i), hops in DEPTH.items():
        ours = _trains(round_trip["ours"].spikes(label))[i]
        theirs = _trains(round_trip["pynn"][label])[i]
        assert theirs[0] == pytest.approx(ours[0] + hops * DT, abs=1e-9), (label, i)
    # Later spikes can differ by less or more: pyNN.brian2 integrates one more step of the
    # residual synaptic current after each refractory period.
    ours = _trains(round_trip["ours"].spikes("chain"))
    theirs = _trains(round_trip["pynn"]["chain"])
    assert [len(t) for t in ours] == [len(t) for t in theirs]


def test_round_trip_stdp_follows_each_backends_event_times(round_trip):
    d = STDP["delay"]
    pre = [5.0, 15.0, 25.0, 35.0]  # stim[1]
    args = dict(a_plus=STDP["A_plus"], a_minus=STDP["A_minus"], tau=STDP["tau"],
                w_max=STDP["w_max"])
    # Ours (sPyNNaker's semantics): pre at emission, post one dendritic delay late.
    post_ours = _trains(round_trip["ours"].spikes("learner"))[0]
    w_ours = float(round_trip["ours"].weights("plastic")[0, 0] / nA)
    assert w_ours == pytest.approx(pair_rule(STDP["w0"], pre, [t + d for t in post_ours],
                                             **args), rel=1e-9)
    # pyNN.brian2 (axonal delay): pre on arrival, post at once, with A exported as A/w_max
    # and multiplied back by w_max: the same amplitude in nA.
    post_pynn = _trains(round_trip["pynn"]["learner"])[0]
    assert round_trip["pynn_w"] == pytest.approx(
        pair_rule(STDP["w0"], [t + d for t in pre], post_pynn, **args), rel=1e-9)
    assert round_trip["pynn_w"] != pytest.approx(w_ours, rel=1e-3)  # the timing differs


# -- the standalone script ---------------------------------------------------------------------


def test_export_script_runs_as_is_on_pyNN_brian2(tmp_path, round_trip):
    spec = round_trip["spec"]
    script = export_script(spec, tmp_path / "net.py", timestep=DT * ms, duration=DURATION,
                           seed=1)
    text = script.read_text()
    assert 'os.environ.get("NEUROSIM_PYNN_BACKEND", "pyNN.spiNNaker")' in text
    assert "sim.setup(timestep=0.1)" in text and "stdp_amplitude(0.01, 0.2)" in text
    compile(text, str(script), "exec")
    # Brian2 reads ./brian_preferences: interpret rather than compile into ~/.cython.
    (tmp_path / "brian_preferences").write_text("codegen.target = 'numpy'\n")
    (tmp_path / "tmp").mkdir()  # Brian2's log (and, after an error, a script copy)
    env = dict(os.environ, NEUROSIM_PYNN_BACKEND="pyNN.brian2", TMPDIR=str(tmp_path / "tmp"))
    proc = subprocess.run([sys.executable, script.name, "--output", "out.npz"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = load_script_output(tmp_path / "out.npz", spec)
    for label in ("chain", "learner", "stim"):
        got = data[f"{label}.spikes"]
        assert _trains(got) == _trains(round_trip["pynn"][label]), label
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "brian_preferences", "net.py", "out.npz", "tmp"]


def test_export_script_puts_long_lists_beside_it(tmp_path):
    pairs = tuple((i, j) for i in range(30) for j in range(20) if (i + j) % 5)  # 480 > INLINE_LIMIT
    spec = NetworkSpec(
        populations=(Population("b", 20, IF_curr_exp()),),
        sources=(SpikeSourceArray.from_times("a", [[1] * ms] * 30),),
        projections=(Projection("a", "b", FromList(pairs), StaticSynapse(weight=0.1 * nA),
                                receptor="inhibitory", label="many"),),
        probes=(Probe("b", "v", sampling_interval=1 * ms),))
    script = export_script(spec, tmp_path / "big.py", timestep=1 * ms, duration=10 * ms)
    text = script.read_text()
    assert '"pairs:many"' in text and "INHIBITORY_SIGN * 0.1" in text
    assert 'record("v", sampling_interval=1.0)' in text
    side = np.load(tmp_path / "big_data.npz")
    assert side["pairs:many"].tolist() == [list(p) for p in pairs]
    with pytest.raises(ParameterError, match=r"\.py"):
        export_script(spec, tmp_path / "big.txt")


def test_poisson_sources_native_or_as_our_draws(tmp_path):
    spec = NetworkSpec(
        populations=(Population("b", 5, IF_curr_exp()),),
        sources=(SpikeSourcePoisson("noise", 3, rate=200 * Hz, start=2 * ms),),
        projections=(Projection("noise", "b", FixedProbability(0.5),
                                StaticSynapse(weight=0.5 * nA, delay=1 * ms), label="rand"),),
        probes=(Probe("noise"), Probe("b", "v")))
    ours = build(spec, engine="brian2", dt=DT * ms, seed=3)
    ours.run(20 * ms)
    drawn = pynn_plan(spec, timestep=DT * ms, seed=3, poisson_until=20 * ms).group("noise")
    assert drawn.kind == "array"
    assert [list(t) for t in drawn.spike_times] == _trains(ours.spikes("noise"))
    native = pynn_plan(spec, timestep=DT * ms, seed=3, connectivity="native")
    assert native.group("noise").kind == "poisson"
    assert native.poisson == (("noise", 200.0, 2.0, None),)
    assert native.projections[0].connector.kind == "FixedProbability"
    text = export_script(spec, tmp_path / "n.py", seed=3, connectivity="native").read_text()
    assert "sim.SpikeSourcePoisson(rate=200.0, start=2.0)" in text
    assert "sim.FixedProbabilityConnector(0.5" in text and "sim.NumpyRNG(seed=" in text
    compile(text, "n.py", "exec")

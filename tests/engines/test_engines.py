"""Engines against theory: f-I curve, PSP shapes, STDP window, hop latency, refractoriness.

Every test that the reference engine supports runs on both engines (same tolerances).
"""

import math

import numpy as np
import pytest

from neurosim.engines.brian2_engine import Brian2Engine
from neurosim.engines.numba_engine import NumbaEngine
from neurosim.engines.reference import ReferenceEngine
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.network import (
    AdditiveWeightDependence,
    FixedProbability,
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    SpikePairRule,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.units import Hz, ms, mV, nA, nF, uS

ENGINES = {"brian2": Brian2Engine, "numba": NumbaEngine, "reference": ReferenceEngine}
engines = pytest.mark.parametrize("engine", sorted(ENGINES))

#: The one tolerance table of the conformance suite, each with where it comes from. Spike
#: times between engines have no tolerance: they must be identical (same step order, same
#: float operations); only float values that may be summed in another order get one.
TOL = {
    # f-I rate vs the analytic formula: each ISI is rounded up to the grid (<= dt = 0.05 ms
    # on ISIs of 10-60 ms, < 0.5 %)
    "fi_rel": 0.01,
    # PSP and tick arithmetic vs closed forms, in mV: float64 round-off on ~10 mV
    "closed_form_mV": 1e-9,
    # STDP weights vs the analytic window, in nA: float64 round-off on ~1 nA
    "stdp_nA": 1e-12,
    # membrane potential between engines, in mV: summation order of synaptic inputs
    "v_between_engines_mV": 1e-9,
    # drawn initial conductances between engines (relative): exp/log of the draws
    "initial_rel": 1e-14,
}

CHAIN_CELL = IF_curr_exp(cm=0.27 * nF, tau_m=3 * ms, tau_refrac=1 * ms, tau_syn_E=0.3 * ms,
                         tau_syn_I=0.3 * ms, v_rest=-60 * mV, v_reset=-60 * mV,
                         v_thresh=-57 * mV)


def _chain(delays_ms):
    pops = tuple(Population(f"n{k}", 1, CHAIN_CELL) for k in range(len(delays_ms)))
    projs = [Projection("stim", "n0", OneToOne(), StaticSynapse(weight=6 * nA,
                                                                  delay=delays_ms[0] * ms))]
    for k in range(1, len(delays_ms)):
        projs.append(Projection(f"n{k - 1}", f"n{k}", OneToOne(),
                                StaticSynapse(weight=6 * nA, delay=delays_ms[k] * ms)))
    return NetworkSpec(pops, (SpikeSourceArray.from_times("stim", [[10] * ms]),), tuple(projs),
                       tuple(Probe(p.label) for p in pops))


@engines
@pytest.mark.parametrize("integration", ["exact", "spinnaker"])
def test_hop_latency_equals_delay(engine, integration):
    # As on SpiNNaker: a spike at t through delay d makes the target fire at t + d.
    delays = [1, 3, 2, 1]
    sim = ENGINES[engine](integration=integration).build(_chain(delays), dt=1 * ms, seed=0)
    sim.run(30 * ms)
    times = [float(sim.spikes(f"n{k}").times[0] / ms) for k in range(len(delays))]
    assert times == pytest.approx(list(10 + np.cumsum(delays)), abs=1e-9)


@engines
def test_delay_below_dt_is_refused(engine):
    spec = _chain([1, 0.5])
    with pytest.raises(ParameterError, match="'delay' parameter"):
        ENGINES[engine]().build(spec, dt=1 * ms)


@engines
@pytest.mark.parametrize("integration", ["exact", "spinnaker"])
def test_refractory_ticks_as_spinnaker(engine, integration):
    # Driven every tick, tau_refrac = k dt freezes V for k ticks after each spike.
    for k in (1, 2):
        cell = CHAIN_CELL.replace(tau_refrac=k * ms)
        spec = NetworkSpec((Population("n", 1, cell),),
                           (SpikeSourceArray.from_times("stim", [np.arange(0, 20) * ms]),),
                           (Projection("stim", "n", OneToOne(),
                                       StaticSynapse(weight=20 * nA, delay=1 * ms)),),
                           (Probe("n"),))
        sim = ENGINES[engine](integration=integration).build(spec, dt=1 * ms)
        sim.run(12 * ms)
        t = np.asarray(sim.spikes("n").times / ms)
        assert np.allclose(np.diff(t), k + 1), t


def _fi_rate(i_offset_na, cell):
    r = float((cell.tau_m / cell.cm) / (mV / nA))  # MOhm: turns nA into mV
    drive = i_offset_na * r
    gap = float((cell.v_thresh - cell.v_rest) / mV)
    if drive <= gap:
        return 0.0
    isi = float(cell.tau_refrac / ms) + float(cell.tau_m / ms) * math.log(drive / (drive - gap))
    return 1000.0 / isi


@engines
@pytest.mark.parametrize("integration", ["exact", "spinnaker"])
def test_fi_curve_matches_the_analytic_formula(engine, integration):
    currents = [0.7, 0.8, 1.0, 1.5, 2.0, 3.0]  # rheobase 15 mV / 20 MOhm = 0.75 nA
    base = IF_curr_exp(cm=1 * nF, tau_m=20 * ms, tau_refrac=2 * ms, v_rest=-65 * mV,
                       v_reset=-65 * mV, v_thresh=-50 * mV)
    pops = tuple(Population(f"p{k}", 1, base.replace(i_offset=i * nA))
                 for k, i in enumerate(currents))
    spec = NetworkSpec(pops, probes=tuple(Probe(p.label) for p in pops))
    sim = ENGINES[engine](integration=integration).build(spec, dt=0.05 * ms)
    sim.run(1000 * ms)
    for k, i in enumerate(currents):
        t = np.asarray(sim.spikes(f"p{k}").times / ms)
        measured = 1000.0 / np.mean(np.diff(t)) if len(t) > 2 else 0.0
        expected = _fi_rate(i, base)
        if expected == 0:
            assert measured == 0
        else:
            # Spikes sit on the grid: each ISI is rounded up to dt (0.05 ms on ISIs of
            # 10-60 ms: < 0.5 %), inside the 1 % tolerance.
            assert measured == pytest.approx(expected, rel=TOL["fi_rel"]), (i, measured,
                                                                             expected)
    assert _fi_rate(0.7, base) == 0 and _fi_rate(0.8, base) > 0


@engines
def test_exact_psp_matches_closed_form(engine):
    # One spike of weight w into IF_curr_exp: v(t) - v_rest =
    #   w R tau_s / (tau_m - tau_s) (exp(-t/tau_m) - exp(-t/tau_s)), from arrival.
    cell = IF_curr_exp(cm=1 * nF, tau_m=10 * ms, tau_syn_E=2 * ms, v_thresh=0 * mV)
    spec = NetworkSpec((Population("n", 1, cell),),
                       (SpikeSourceArray.from_times("stim", [[1] * ms]),),
                       (Projection("stim", "n", OneToOne(),
                                   StaticSynapse(weight=1 * nA, delay=1 * ms)),),
                       (Probe("n", "v"),))
    sim = ENGINES[engine](integration="exact").build(spec, dt=0.1 * ms)
    sim.run(20 * ms)
    data = sim.data["n.v"]
    t = np.asarray(data.times / ms)
    v = np.asarray(data.values[:, 0] / mV) + 65.0
    # The input lands just before the integration of the step labelled t_spike + d = 2 ms;
    # v is recorded at the start of each step, so v(label t) = PSP(t - 2 ms).
    s = t - 2.0
    tm, ts, r = 10.0, 2.0, 10.0  # ms, ms, MOhm
    expected = np.where(s >= 0, 1.0 * r * ts / (tm - ts) * (np.exp(-s / tm) - np.exp(-s / ts)), 0)
    assert np.max(np.abs(v - expected)) < TOL["closed_form_mV"]


@engines
def test_spinnaker_tick_arithmetic_closed_form(engine):
    # sPyNNaker: input w adds w tau_s/dt (1-exp(-dt/tau_s)) to the tick-averaged current,
    # V = a - exp(-dt/tau_m)(a - V), then the current decays by exp(-dt/tau_s).
    spec = NetworkSpec((Population("n", 1, CHAIN_CELL.replace(v_thresh=0 * mV)),),
                       (SpikeSourceArray.from_times("stim", [[0] * ms]),),
                       (Projection("stim", "n", OneToOne(),
                                   StaticSynapse(weight=6 * nA, delay=1 * ms)),),
                       (Probe("n", "v"),))
    sim = ENGINES[engine](integration="spinnaker").build(spec, dt=1 * ms)
    sim.run(6 * ms)
    v = np.asarray(sim.data["n.v"].values[:, 0] / mV)
    dt, tau_s, tau_m, r = 1.0, 0.3, 3.0, 3.0 / 0.27
    decay, etc = math.exp(-dt / tau_s), math.exp(-dt / tau_m)
    i = 6.0 * tau_s / dt * (1 - decay)
    expected, vv = [], -60.0
    for tick in range(6):
        expected.append(vv)  # recorded before the tick's update
        if tick >= 1:
            a = -60.0 + i * r
            vv = a - etc * (a - vv)
            i *= decay
    assert np.allclose(v, expected, rtol=0, atol=TOL["closed_form_mV"])


def _stdp_spec(offsets_ms, delay_ms=1.0, a=0.1, tau=5.0, w0=0.5):
    """Pair k: a pre spike at 20 ms, a post spike forced at 20 + offsets[k] ms."""
    n = len(offsets_ms)
    cell = IF_curr_exp(cm=1 * nF, tau_m=10 * ms, tau_refrac=1 * ms, tau_syn_E=0.5 * ms,
                       v_thresh=-50 * mV)
    pre = SpikeSourceArray.from_times("pre", [[20] * ms] * n)
    drive = SpikeSourceArray.from_times("drive", [[20 + o - 1] * ms for o in offsets_ms])
    stdp = STDPMechanism(SpikePairRule(tau_plus=tau * ms, tau_minus=tau * ms, A_plus=a,
                                       A_minus=a),
                         AdditiveWeightDependence(w_min=0 * nA, w_max=1 * nA),
                         weight=w0 * nA, delay=delay_ms * ms)
    return NetworkSpec(
        (Population("post", n, cell),), (pre, drive),
        (Projection("pre", "post", OneToOne(), stdp, label="plastic"),
         Projection("drive", "post", OneToOne(), StaticSynapse(weight=200 * nA, delay=1 * ms))),
        (Probe("post"),))


@engines
@pytest.mark.parametrize("delay_ms", [1.0, 3.0])
def test_stdp_pair_window_matches_the_analytic_window(engine, delay_ms):
    offsets = [-8, -4, -2, -1, 0, 1, 2, 4, 8]
    a, tau, w0 = 0.1, 5.0, 0.5
    sim = ENGINES[engine]().build(_stdp_spec(offsets, delay_ms, a, tau, w0), dt=1 * ms)
    sim.run(40 * ms)
    post = sim.spikes("post")
    assert sorted(post.indices.tolist()) == list(range(len(offsets)))
    for k, o in enumerate(offsets):
        assert float(post.trains()[k][0] / ms) == pytest.approx(20 + o)
    w = np.diag(np.asarray(sim.weights("plastic") / nA))
    # sPyNNaker 7.4.1: pre counts at its emission, post at t_post + d (back-propagated
    # dendritic delay); lag > 0 potentiates by A exp(-lag/tau) nA, lag <= 0 depresses by
    # A exp(lag/tau) nA (the same-time case depresses).
    lag = np.array(offsets) + delay_ms
    expected = w0 + np.where(lag > 0, a * np.exp(-lag / tau), -a * np.exp(lag / tau))
    assert np.allclose(w, expected, rtol=0, atol=TOL["stdp_nA"]), np.c_[lag, w, expected]


@engines
def test_stdp_scale_by_w_max_convention(engine):
    spec = _stdp_spec([2], 1.0, a=0.1, tau=5.0, w0=0.5)
    proj = spec.projections[0]
    syn = proj.synapse.replace(weight_dependence=AdditiveWeightDependence(
        w_min=0 * nA, w_max=2 * nA, scale_by_w_max=True))
    spec = spec.replace(projections=(proj.__class__(proj.pre, proj.post, proj.connector, syn,
                                                    label="plastic"), spec.projections[1]))
    sim = ENGINES[engine]().build(spec, dt=1 * ms)
    sim.run(30 * ms)
    w = float(np.asarray(sim.weights("plastic") / nA)[0, 0])
    assert w == pytest.approx(0.5 + 0.1 * 2.0 * math.exp(-3 / 5.0), abs=TOL["stdp_nA"])


@engines
def test_poisson_rate_window_and_seed(engine):
    spec = NetworkSpec(sources=(SpikeSourcePoisson("p", 200, rate=20 * Hz, start=100 * ms,
                                                   duration=500 * ms),),
                       probes=(Probe("p"),))
    runs = []
    for _ in range(2):
        sim = ENGINES[engine]().build(spec, dt=0.1 * ms, seed=42)
        sim.run(800 * ms)
        runs.append(sim.spikes("p"))
    a, b = runs
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.times, b.times)
    t = np.asarray(a.times / ms)
    assert t.min() >= 100 and t.max() < 600
    # 200 sources x 0.5 s x 20 Hz = 2000 expected spikes, sd = sqrt(2000) = 45: 4 sigma.
    assert abs(len(t) - 2000) < 4 * math.sqrt(2000)
    other = ENGINES[engine]().build(spec, dt=0.1 * ms, seed=43)
    other.run(800 * ms)
    assert not np.array_equal(other.spikes("p").times, a.times)


def test_poisson_spikes_are_the_same_on_every_engine_and_any_chunking():
    cell = IF_curr_exp(tau_m=10 * ms, v_thresh=-60 * mV)
    spec = NetworkSpec((Population("n", 20, cell),),
                       (SpikeSourcePoisson("p", 20, rate=80 * Hz),),
                       (Projection("p", "n", OneToOne(), StaticSynapse(weight=2 * nA,
                                                                        delay=1 * ms)),),
                       (Probe("p"), Probe("n")))
    results = []
    for name in sorted(ENGINES):
        whole = ENGINES[name]().build(spec, dt=0.1 * ms, seed=9)
        whole.run(200 * ms)
        parts = ENGINES[name]().build(spec, dt=0.1 * ms, seed=9)
        for chunk in (30, 70, 100):
            parts.run(chunk * ms)
        for label in ("p", "n"):
            a, b = whole.spikes(label), parts.spikes(label)
            assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices)
        results.append(whole)
    assert len(results[0].spikes("n")) > 100  # the targets do fire
    for other in results[1:]:
        for label in ("p", "n"):
            a, b = results[0].spikes(label), other.spikes(label)
            assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices)


@engines
def test_chunked_runs_equal_one_run(engine):
    spec = _chain([1, 3, 2])
    one = ENGINES[engine]().build(spec, dt=1 * ms)
    one.run(30 * ms)
    two = ENGINES[engine]().build(spec, dt=1 * ms)
    two.run(13 * ms)
    two.run(17 * ms)
    for k in range(3):
        assert np.array_equal(one.spikes(f"n{k}").times, two.spikes(f"n{k}").times)


@engines
def test_to_neo_block_like_pynn(engine):
    sim = ENGINES[engine]().build(_chain([1, 2]), dt=1 * ms)
    sim.run(20 * ms)
    block = sim.to_neo()
    trains = block.segments[0].spiketrains
    assert [st.annotations["source_population"] for st in trains] == ["n0", "n1"]
    assert [float(st.magnitude[0]) for st in trains] == [11.0, 13.0]
    assert str(trains[0].units.dimensionality) == "ms"


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_spinnaker_arithmetic_is_refused_for_conductance_cells(engine):
    spec = NetworkSpec((Population("c", 2, IF_cond_exp()),))
    with pytest.raises(UnsupportedFeature, match="for IF_cond_exp is not supported"):
        ENGINES[engine](integration="spinnaker").build(spec, dt=1 * ms)


@engines
def test_cond_exp_fi_curve_matches_the_analytic_formula(engine):
    # Without synaptic conductances IF_cond_exp is the same LIF, and Brian2's exponential
    # Euler step is exact for a constant current: the f-I formula holds within 1 %.
    currents = [0.7, 0.8, 1.5, 3.0]
    base = IF_cond_exp(cm=1 * nF, tau_m=20 * ms, tau_refrac=2 * ms, v_rest=-65 * mV,
                       v_reset=-65 * mV, v_thresh=-50 * mV)
    pops = tuple(Population(f"p{k}", 1, base.replace(i_offset=i * nA))
                 for k, i in enumerate(currents))
    sim = ENGINES[engine]().build(NetworkSpec(pops, probes=tuple(Probe(p.label) for p in pops)),
                                  dt=0.05 * ms)
    sim.run(1000 * ms)
    for k, i in enumerate(currents):
        t = np.asarray(sim.spikes(f"p{k}").times / ms)
        measured = 1000.0 / np.mean(np.diff(t)) if len(t) > 2 else 0.0
        expected = _fi_rate(i, base)
        assert measured == pytest.approx(expected, rel=TOL["fi_rel"], abs=1e-9), (i, measured,
                                                                                 expected)


def test_feed_forward_conductance_network_exact_spike_agreement():
    # Deterministic input, heterogeneous weights and delays, excitation and inhibition:
    # every engine must emit exactly the same spikes.
    rng = np.random.default_rng(0)
    trains = [np.unique(rng.integers(0, 2000, 40)) * 0.1 * ms for _ in range(20)]
    cell = IF_cond_exp(tau_refrac=2 * ms, tau_syn_E=2 * ms, tau_syn_I=5 * ms)
    spec = NetworkSpec(
        (Population("a", 10, cell), Population("b", 10, cell)),
        (SpikeSourceArray.from_times("in", trains),),
        (Projection("in", "a", FixedProbability(0.5), StaticSynapse(weight=0.05 * uS,
                                                                      delay=0.5 * ms)),
         Projection("a", "b", FixedProbability(0.6), StaticSynapse(weight=0.08 * uS,
                                                                     delay=1.5 * ms)),
         Projection("b", "a", FixedProbability(0.3), StaticSynapse(weight=0.05 * uS,
                                                                     delay=1 * ms),
                    "inhibitory")),
        (Probe("a"), Probe("b"), Probe("a", "v")))
    sims = {}
    for name in sorted(ENGINES):
        sims[name] = ENGINES[name]().build(spec, dt=0.1 * ms, seed=5)
        sims[name].run(250 * ms)
    ref = sims["reference"]
    assert len(ref.spikes("a")) > 20 and len(ref.spikes("b")) > 20
    for name, sim in sims.items():
        for label in ("a", "b"):
            a, b = ref.spikes(label), sim.spikes(label)
            assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices), (
                name, label)
        np.testing.assert_allclose(np.asarray(sim.data["a.v"].values / mV),
                                   np.asarray(ref.data["a.v"].values / mV), rtol=0,
                                   atol=TOL["v_between_engines_mV"])


def test_random_initial_values_are_the_same_on_every_engine():
    pop = Population("p", 50, IF_cond_exp(v_thresh=0 * mV), initial_values={
        "v": RandomDistribution("normal", mu=-60 * mV, sigma=3 * mV),
        "gsyn_inh": RandomDistribution("uniform", low=0.01 * uS, high=0.02 * uS)})
    spec = NetworkSpec((pop,), probes=(Probe("p", "v"), Probe("p", "gsyn_inh")))
    first = {}
    for name in sorted(ENGINES):
        sim = ENGINES[name]().build(spec, dt=0.1 * ms, seed=11)
        sim.run(1 * ms)
        first[name] = (np.asarray(sim.data["p.v"].values[0] / mV),
                       np.asarray(sim.data["p.gsyn_inh"].values[0] / uS))
    for name in first:
        assert np.array_equal(first[name][0], first["reference"][0])
        np.testing.assert_allclose(first[name][1], first["reference"][1],
                                   rtol=TOL["initial_rel"])
    assert np.std(first["reference"][0]) > 1
    assert first["reference"][1].min() >= 0.01 and first["reference"][1].max() < 0.02


def test_auto_engine_prefers_numba_and_says_why_it_falls_back():
    import warnings

    from neurosim.engines import EngineFallbackWarning, build

    spec = _chain([1, 2])
    with warnings.catch_warnings():  # no fallback (the chain's dt is coarse: that warns)
        warnings.simplefilter("error", EngineFallbackWarning)
        assert build(spec, dt=1 * ms).engine_name == "numba"
    sampled = NetworkSpec((Population("c", 2, IF_cond_exp()),),
                          probes=(Probe("c", "v", sampling_interval=2 * ms),))
    with warnings.catch_warnings():  # numba samples at any multiple of dt: no fallback
        warnings.simplefilter("error", EngineFallbackWarning)
        assert build(sampled, dt=1 * ms).engine_name == "numba"
    cond = NetworkSpec((Population("c", 2, IF_cond_exp()),))
    with pytest.raises(UnsupportedFeature, match="not supported by the 'auto' backend"):
        build(cond, dt=1 * ms, integration="spinnaker")
    # an option only Brian2 has selects Brian2, it is never dropped silently
    with pytest.warns(EngineFallbackWarning, match="numba: has no option codegen_target"):
        assert build(spec, dt=1 * ms, codegen_target="numpy").engine_name == "brian2"


def test_balanced_ei_network_identical_on_every_engine():
    # The Vogels-Abbott COBA network at 2000 neurons (p = 0.04 keeps the in-degree of 80 of
    # the 4000-neuron original; smaller versions die out for some seeds): chaotic,
    # self-sustained, and still spike-for-spike identical on all engines because they share
    # the step order and the float operations.
    from neurosim.network.examples import vogels_abbott_coba

    spec = vogels_abbott_coba(2000, 0.04)
    spikes = {}
    for name in sorted(ENGINES):
        sim = ENGINES[name]().build(spec, dt=0.1 * ms, seed=1)
        sim.run(300 * ms)
        spikes[name] = sim.spikes("P")
    ref = spikes["reference"]
    t = np.asarray(ref.times / ms)
    assert (t > 200).sum() > 1000  # still active in the last 100 ms: self-sustained
    rate_exc = np.sum(ref.indices < 1600) / 1600 / 0.3
    assert 5 < rate_exc < 50  # the asynchronous irregular regime of Brette et al. (2007)
    for name, s in spikes.items():
        assert np.array_equal(s.times, ref.times) and np.array_equal(s.indices, ref.indices), name

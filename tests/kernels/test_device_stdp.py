"""On-device plasticity in the spiking kernel: STDP events as programming pulses on levels."""

import math

import numpy as np
import pytest

from neurosim.counter_rng import normal, uniform
from neurosim.engines.numba_engine import NumbaEngine
from neurosim.errors import ParameterError
from neurosim.kernels.spiking import counter_normal, counter_uniform, nearest_level
from neurosim.network import (
    AdditiveWeightDependence,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikePairRule,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.units import ms, mV, nA, nF
from tests.engines.test_numba_engine import _twin_check


def _pairing_spec(pre_times, post_times, a=1.0, tau=20.0, w0=2.0, w_max=20.0, n=1):
    """``n`` independent pre -> post synapses; post neurons fire when ``drive`` says (a big
    capacitance keeps the plastic input from moving them)."""
    cell = IF_curr_exp(cm=10 * nF, tau_m=10 * ms, tau_refrac=1 * ms, tau_syn_E=0.1 * ms,
                       v_rest=-65 * mV, v_reset=-65 * mV, v_thresh=-60 * mV)
    stdp = STDPMechanism(
        timing_dependence=SpikePairRule(tau_plus=tau * ms, tau_minus=tau * ms, A_plus=a,
                                        A_minus=a),
        weight_dependence=AdditiveWeightDependence(w_min=0 * nA, w_max=w_max * nA),
        weight=w0 * nA, delay=1 * ms)
    return NetworkSpec(
        (Population("post", n, cell),),
        (SpikeSourceArray.from_times("pre", [np.asarray(pre_times) * ms] * n),
         SpikeSourceArray.from_times("drive", [np.asarray(post_times) * ms] * n)),
        (Projection("pre", "post", OneToOne(), stdp, label="plastic"),
         Projection("drive", "post", OneToOne(), StaticSynapse(weight=1000 * nA, delay=1 * ms),
                    label="drive")),
        (Probe("post"),))


def _levels(spacing, top):
    return np.arange(0, top + spacing / 2, spacing) * nA


def test_compiled_counter_draws_equal_the_numpy_ones():
    key = np.uint64(0x1234_5678_9ABC_DEF0)
    steps, neurons = np.arange(50), np.arange(50)[::-1] * 977
    ref_u = uniform(key, steps, neurons)
    ref_n = normal(key, steps, neurons)
    for s, i, u, z in zip(steps, neurons, ref_u, ref_n):
        assert counter_uniform(key, s, i) == u
        assert counter_normal(key, s, i) == pytest.approx(z, rel=1e-14, abs=1e-14)
    assert abs(np.mean(normal(key, np.arange(20000), 3))) < 0.05
    assert np.std(normal(key, np.arange(20000), 3)) == pytest.approx(1.0, abs=0.03)


def test_nearest_level():
    table = np.array([0.0, 1.0, 2.5, 4.0])
    for x, k in ((-1, 0), (0.4, 0), (0.5, 0), (0.51, 1), (1.8, 2), (3.3, 3), (9, 3)):
        assert nearest_level(table, 4, x) == k


def test_kernel_matches_its_numpy_twin_with_devices_and_pulse_noise():
    from neurosim.models.ca3 import CA3Params, Learn, RecallByCue, ca3_spec

    sim = NumbaEngine(integration="spinnaker").build(ca3_spec(4, 8, CA3Params()),
                                                     dt=1 * ms, seed=0)
    for label in ("cue->content", "content->cue"):
        sim.set_plasticity_device(label, _levels(0.4, 6.0), up=1, down=2, sigma_levels=0.8)
    ops = [Learn(0, frozenset({1, 2})), Learn(1, frozenset({2, 5})), RecallByCue(0),
           Learn(0, frozenset({6}))]
    idx, steps = [], []
    for k, op in enumerate(ops):
        if isinstance(op, Learn):
            for h in range(3):
                idx += [op.cue, *(4 + b for b in op.content)]
                steps += [10 * k + h] * (1 + len(op.content))
        else:
            idx.append(op.cue)
            steps.append(10 * k)
    sim.inject("IL", np.array(idx), np.array(steps) * ms)
    out = _twin_check(sim, 45)
    assert out.recording.rec_count[0] > 40  # spikes happened
    assert out.plasticity.syn_pulses.sum() > 10       # pulses happened (and agree)


def test_ideal_device_learns_the_float_weights_to_the_level_spacing():
    pre = [10, 60, 110, 160, 210]
    post = [14, 63, 118, 150, 205]  # potentiating and depressing pairs
    spec = _pairing_spec(pre, post, a=1.7, tau=20.0, w0=5.0, w_max=20.0, n=1)
    float_sim = NumbaEngine().build(spec, dt=1 * ms, seed=0)
    float_sim.run(260 * ms)
    spacing = 20.0 / 4000
    dev_sim = NumbaEngine().build(spec, dt=1 * ms, seed=0)
    dev_sim.set_plasticity_device("plastic", _levels(spacing, 20.0))
    dev_sim.run(260 * ms)
    w_f = float(np.asarray(float_sim.weights("plastic") / nA)[0, 0])
    w_d = float(np.asarray(dev_sim.weights("plastic") / nA)[0, 0])
    n_events = 2 * len(pre)
    assert w_f != 5.0
    assert abs(w_d - w_f) <= n_events * spacing / 2 + 1e-12
    assert dev_sim.pulse_counts("plastic")[0] == pytest.approx(
        dev_sim.pulse_counts("plastic")[0])  # counted


def test_asymmetric_steps_give_the_hand_computed_level():
    # levels every 1 nA; SET moves 1 level, RESET 2. tau = 1 s: pair factors ~ 1.
    # pre at 10 ms (no post trace yet: no change); drive at 13 ms fires post at 14 ms, seen
    # by the synapse at 15 ms -> request
    # +3.2 exp(-5/1000) = +3.18 nA -> 3 levels -> 3 SET pulses: 5 -> 8 nA;
    # pre at 30 ms: request -3.2 exp(-15/1000) = -3.15 nA -> 3 levels -> round(3/2) = 2
    # RESET pulses of 2 levels: 8 -> 4 nA.
    spec = _pairing_spec([10, 30], [13], a=3.2, tau=1000.0, w0=5.0, w_max=10.0)
    sim = NumbaEngine().build(spec, dt=1 * ms, seed=0)
    sim.set_plasticity_device("plastic", _levels(1.0, 10.0), up=1, down=2)
    sim.run(20 * ms)
    assert float(np.asarray(sim.weights("plastic") / nA)[0, 0]) == 8.0
    assert sim.pulse_counts("plastic").tolist() == [3]
    sim.run(20 * ms)
    assert float(np.asarray(sim.weights("plastic") / nA)[0, 0]) == 4.0
    assert sim.pulse_counts("plastic").tolist() == [5]
    assert sim.spikes("post").times.size == 1


def test_pulse_counts_equal_the_number_of_stdp_events():
    # each pairing potentiates by 1.0 exp(-(d)/20) with d = 5 ms -> 0.78 nA: one 1-nA level;
    # pre spikes 100 ms after a post spike request 1.0 exp(-95/20) < 0.5 level: no pulse.
    pre = [10, 110, 210, 310]
    post = [13, 113, 213, 313]
    spec = _pairing_spec(pre, post, a=1.0, tau=20.0, w0=2.0, w_max=20.0, n=3)
    sim = NumbaEngine().build(spec, dt=1 * ms, seed=0)
    sim.set_plasticity_device("plastic", _levels(1.0, 20.0))
    sim.run(400 * ms)
    assert sim.pulse_counts("plastic").tolist() == [4, 4, 4]
    w = np.asarray(sim.weights("plastic") / nA)
    assert np.diag(w).tolist() == [6.0, 6.0, 6.0]
    assert math.exp(-5 / 20) > 0.5 and math.exp(-95 / 20) < 0.5


def test_pulse_noise_is_deterministic_and_independent_of_chunking():
    pre = list(range(5, 400, 17))
    post = list(range(8, 400, 23))
    spec = _pairing_spec(pre, post, a=2.0, tau=20.0, w0=5.0, w_max=20.0, n=6)

    def run(chunks, seed=0):
        sim = NumbaEngine().build(spec, dt=1 * ms, seed=seed)
        sim.set_plasticity_device("plastic", _levels(0.5, 20.0), up=1, down=1,
                                  sigma_levels=1.5)
        for c in chunks:
            sim.run(c * ms)
        return np.asarray(sim.weights("plastic") / nA), sim.pulse_counts("plastic")

    w1, p1 = run([400])
    w2, p2 = run([100, 37, 263])
    w3, _ = run([400], seed=1)
    assert np.array_equal(w1, w2, equal_nan=True) and np.array_equal(p1, p2)
    assert not np.array_equal(w1, w3, equal_nan=True)
    assert p1.sum() > 20


def test_device_plasticity_refuses_bad_arguments():
    sim = NumbaEngine().build(_pairing_spec([10], [13]), dt=1 * ms, seed=0)
    with pytest.raises(ParameterError):
        sim.set_plasticity_device("drive", _levels(1, 5))          # static
    with pytest.raises(ParameterError):
        sim.set_plasticity_device("plastic", np.array([0.0, 1.0]))  # no unit
    with pytest.raises(ParameterError):
        sim.set_plasticity_device("plastic", np.array([2.0, 1.0]) * nA)
    with pytest.raises(ParameterError):
        sim.set_plasticity_device("plastic", _levels(1, 5), up=0)


def test_contiguous_runs_split_an_array_into_its_runs_of_equal_values():
    from neurosim.kernels.spiking import contiguous_runs

    starts, stops, value = contiguous_runs(np.array([2, 2, 0, 0, 0, 3, 2], dtype=np.int64))
    assert starts.tolist() == [0, 2, 5, 6] and stops.tolist() == [2, 5, 6, 7]
    assert value.tolist() == [2, 0, 3, 2]
    empty = contiguous_runs(np.zeros(0, dtype=np.int8))
    assert [len(x) for x in empty] == [0, 0, 0]

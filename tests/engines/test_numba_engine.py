"""What is particular to the Numba engine: growing records, one compilation, cache location."""

from pathlib import Path

import numpy as np
import pytest

from neurosim.engines.numba_engine import NumbaEngine
from neurosim.engines.reference import ReferenceEngine
from neurosim.errors import UnsupportedFeature
from neurosim.network import (
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA, nF

ROOT = Path(__file__).resolve().parents[2]


def _driven(n=3, steps=3000, weight=20.0):
    cell = IF_curr_exp(cm=0.27 * nF, tau_m=3 * ms, tau_refrac=1 * ms, tau_syn_E=0.3 * ms,
                       v_rest=-60 * mV, v_reset=-60 * mV, v_thresh=-57 * mV)
    return NetworkSpec((Population("n", n, cell),),
                       (SpikeSourceArray.from_times("stim", [np.arange(steps) * ms] * n),),
                       (Projection("stim", "n", OneToOne(),
                                   StaticSynapse(weight=weight * nA, delay=1 * ms)),),
                       (Probe("n"), Probe("n", "v")))


def test_spike_record_grows_past_its_first_capacity():
    spec = _driven()
    sims = [e(integration="spinnaker").build(spec, dt=1 * ms) for e in (NumbaEngine,
                                                                          ReferenceEngine)]
    for sim in sims:
        sim.run(3000 * ms)
    a, b = (s.spikes("n") for s in sims)
    assert len(a) == 3 * 1500  # a spike every other tick (refractory), > 1024 slots
    assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(np.asarray(sims[0].data["n.v"].values),
                          np.asarray(sims[1].data["n.v"].values))


def test_new_parameters_do_not_recompile():
    from neurosim.kernels.spiking import run_steps

    for weight in (20.0, 7.0, 3.0):
        sim = NumbaEngine().build(_driven(n=2, steps=50, weight=weight), dt=1 * ms)
        sim.run(50 * ms)
    assert len(run_steps.signatures) == 1


def test_numba_cache_is_outside_the_repo():
    assert not list((ROOT / "neurosim" / "kernels").rglob("*.nbi"))


def test_unsupported_features_name_the_alternative():
    spec = NetworkSpec((Population("c", 2, IF_cond_exp()),))
    with pytest.raises(UnsupportedFeature, match=r"integration='spinnaker' for IF_cond_exp is "
                                                  r"not supported by the 'numba' backend\. Use "
                                                  r"integration='exact'"):
        NumbaEngine(integration="spinnaker").build(spec, dt=0.1 * ms)


def _copy_group(group):
    """A copy of a kernel argument group: arrays copied; function tables (typed lists of
    compiled functions) and scalars shared."""
    if not isinstance(group, tuple):
        return group
    return type(group)(*(x.copy() if isinstance(x, np.ndarray) else x for x in group))


def _partitioned(args, parts, shared=False):
    """``args`` (copied) split into ``parts`` neuron and target partitions, as a
    simulation with ``parts`` threads would be: the neurons balanced by count and the
    targets by in-degree (the kernel's unfused path), or with ``shared`` one set of bounds
    for both (the fused path, as the engine builds them)."""
    from neurosim.kernels.spiking import KIND_SOURCE, balanced_bounds, partition_rows

    a = type(args)(*(_copy_group(g) for g in args))
    syn = a.synapses
    in_degree = np.bincount(syn.post, minlength=len(a.neurons.v))
    part = balanced_bounds(a.neurons.kind != KIND_SOURCE, parts)
    targets = part if shared else balanced_bounds(in_degree, parts)
    return a._replace(neurons=a.neurons._replace(part=part),
                      synapses=syn._replace(part_ptr=partition_rows(syn.row_ptr, syn.post,
                                                                    targets)))


def _fuses(args):
    from neurosim.kernels.spiking import fuses_steps

    return fuses_steps(args.neurons, args.devices, args.synapses, args.plasticity,
                       args.recording)


def _twin_check(sim, n_steps):
    """Run the Numba kernel and its NumPy twin on copies of the same arguments; every array
    of every group must agree. The parallel kernel, on three partitions (more than this
    machine's threads: some run one after the other), must give the one-thread kernel's
    arrays exactly. Returns the kernel's (named) arguments after the run."""
    from neurosim.kernels.spiking import run_steps, run_steps_parallel, run_steps_reference

    args = sim.kernel_args(n_steps)
    a = type(args)(*(_copy_group(g) for g in args))
    b = type(args)(*(_copy_group(g) for g in args))
    c = _partitioned(args, 3)
    d = _partitioned(args, 3, shared=True)
    assert run_steps(*a) == run_steps_reference(*b) == run_steps_parallel(*c) == n_steps
    assert run_steps_parallel(*d) == n_steps
    for parallel in (c, d):
        for group_a, group_c in zip(a, parallel):
            if isinstance(group_a, tuple):
                for name, x, y in zip(group_a._fields, group_a, group_c):
                    if name == "ring_idx":  # past a slot's count: scratch of the partitions
                        for slot, count in enumerate(a.synapses.ring_count):
                            assert np.array_equal(x[slot, :count], y[slot, :count]), name
                    elif isinstance(x, np.ndarray) and name not in ("part", "part_ptr"):
                        assert np.array_equal(x, y, equal_nan=True), name  # bit for bit
    for group_a, group_b in zip(a, b):
        if not isinstance(group_a, tuple):
            continue
        for name, x, y in zip(group_a._fields, group_a, group_b):
            if isinstance(x, np.ndarray):
                if x.dtype.kind in "iub":
                    assert np.array_equal(x, y), name  # spikes, counters, ring: identical
                else:
                    np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-20, err_msg=name)
    return a


def test_kernel_matches_its_numpy_twin_with_stdp_and_spinnaker_arithmetic():
    from neurosim.models.ca3 import CA3Params, Learn, RecallByContent, RecallByCue, ca3_spec

    spec = ca3_spec(4, 8, CA3Params())
    sim = NumbaEngine(integration="spinnaker").build(spec, dt=1 * ms, seed=0)
    ops = [Learn(0, frozenset({1, 2})), Learn(1, frozenset({2, 5})), RecallByCue(0),
           RecallByContent(frozenset({2})), Learn(0, frozenset({6}))]
    idx, steps = [], []
    for k, op in enumerate(ops):
        t0 = 10 * k
        if isinstance(op, Learn):
            for h in range(3):
                idx += [op.cue, *(4 + b for b in op.content)]
                steps += [t0 + h] * (1 + len(op.content))
        elif isinstance(op, RecallByCue):
            idx.append(op.cue)
            steps.append(t0)
        else:
            idx += [4 + b for b in op.query]
            steps += [t0] * len(op.query)
    sim.inject("IL", np.array(idx), np.array(steps) * ms)
    out = _twin_check(sim, 50)
    assert out.recording.rec_count[0] > 50  # a real run with many spikes, not an empty one


def test_kernel_matches_its_numpy_twin_on_a_conductance_network():
    from neurosim.network.examples import vogels_abbott_coba

    sim = NumbaEngine().build(vogels_abbott_coba(300, 0.25), dt=0.1 * ms, seed=3)
    out = _twin_check(sim, 300)
    assert out.recording.rec_count[0] > 20
    # the fused path was the one checked with shared bounds, the other with separate ones
    args = sim.kernel_args(300)
    assert _fuses(_partitioned(args, 3, shared=True))
    shared = _partitioned(args, 3, shared=True)
    moved = shared.neurons.part.copy()
    moved[1] -= 1  # one neuron whose synapses lie in partition 0 now updates in partition 1
    assert not _fuses(shared._replace(neurons=shared.neurons._replace(part=moved)))


def test_fused_kernel_returning_early_finishes_the_pending_delivery():
    """The parallel kernel returns early when the spike record could overflow. Fused, the
    last step's delivery is then still pending and must be done before returning: a record
    with room for one step at a time makes it return right after every step with spikes,
    whose delivery is pending; called again until done, it gives the one-thread run."""
    from neurosim.kernels.spiking import run_steps, run_steps_parallel
    from neurosim.network.examples import vogels_abbott_coba

    sim = NumbaEngine().build(vogels_abbott_coba(300, 0.25), dt=0.1 * ms, seed=3)
    n_steps, n = 300, 300
    args = sim.kernel_args(n_steps)
    one = type(args)(*(_copy_group(g) for g in args))
    assert run_steps(*one) == n_steps
    par = _partitioned(args, 3, shared=True)
    assert _fuses(par)
    calls, k = 0, 0
    while k < n_steps:
        rec = par.recording
        count = int(rec.rec_count[0])
        room = np.zeros(n + 1, np.int64)  # it returns once the record gains 2 spikes
        rec = rec._replace(rec_step=np.concatenate([rec.rec_step[:count], room]),
                           rec_idx=np.concatenate([rec.rec_idx[:count], room]))
        par = par._replace(k0=k, n_steps=n_steps - k, recording=rec)
        k += run_steps_parallel(*par)
        calls += 1
    assert calls > 10  # it returned early many times (19 calls)
    count = one.recording.rec_count[0]
    assert par.recording.rec_count[0] == count > 20
    assert np.array_equal(one.recording.rec_idx[:count], par.recording.rec_idx[:count])
    for name in ("v", "i_exc", "i_inh"):
        assert np.array_equal(getattr(one.neurons, name), getattr(par.neurons, name)), name


def test_parallel_delivery_on_threads_and_on_one_thread_gives_the_same_sums():
    """The parallel kernel delivers a step on the calling thread when it has fewer than
    SERIAL_DELIVERY_BELOW synapses to walk, on the threads otherwise: a volley of 40
    sources into 120 cells (4800 synapses at once, random weights and delays of 1-3 steps)
    between single spikes takes both ways, and both give the one-thread sums."""
    from neurosim.kernels.spiking import SERIAL_DELIVERY_BELOW
    from neurosim.network import AllToAll, RandomDistribution
    from neurosim.units import uS

    times = [[1.0, 2.0 + 0.1 * i] if i < 40 else [2.0 + 0.1 * i] for i in range(60)]
    stim = SpikeSourceArray.from_times("stim", [t * ms for t in times])
    spec = NetworkSpec(
        populations=(Population("P", 120, IF_cond_exp()),), sources=(stim,),
        projections=(Projection("stim", "P", AllToAll(), StaticSynapse(
            weight=RandomDistribution("uniform", low=0.001 * uS, high=0.02 * uS),
            delay=RandomDistribution("uniform", low=0.1 * ms, high=0.3 * ms))),),
        probes=(Probe("P"), Probe("P", "v")))
    sim = NumbaEngine().build(spec, dt=0.1 * ms, seed=4)
    out = _twin_check(sim, 60)
    rec = out.recording
    steps, cells = rec.rec_step[: rec.rec_count[0]], rec.rec_idx[: rec.rec_count[0]]
    work = np.bincount(steps, weights=np.diff(out.synapses.row_ptr)[cells])  # sources' rows
    assert 0 < work[work > 0].min() < SERIAL_DELIVERY_BELOW <= work.max(), work


@pytest.mark.parametrize("state_probes", [True, False], ids=["probed", "fused"])
def test_kernel_matches_its_numpy_twin_with_generated_cell_types(state_probes):
    """Three cell types run by generated code in one net (three function pointers), beside
    a hand-written IF_cond_exp population, all receiving input. With state probes the
    parallel kernel runs a step's inputs in a region of their own; with spike probes only,
    in the next step's region (fused), where each partition's generated reset follows its
    delivery."""
    from neurosim.network import AllToAll, EIF_cond_exp_isfa_ista, HH_cond_exp, Izhikevich
    from neurosim.units import uS

    pops = (Population("iz", 2, Izhikevich(i_offset=0.01 * nA)),
            Population("adex", 2, EIF_cond_exp_isfa_ista(i_offset=1 * nA)),
            Population("cond", 2, IF_cond_exp(i_offset=1 * nA)),
            Population("hh", 2, HH_cond_exp(i_offset=0.5 * nA)))
    stim = SpikeSourceArray.from_times("stim", [[2, 9, 15] * ms])
    projs = (Projection("stim", "iz", AllToAll(), StaticSynapse(weight=5 * mV, delay=1 * ms)),
             Projection("stim", "iz", AllToAll(), StaticSynapse(weight=2 * mV, delay=2 * ms),
                        receptor="inhibitory"),
             Projection("iz", "adex", AllToAll(), StaticSynapse(weight=0.02 * uS,
                                                                  delay=1 * ms)),
             Projection("adex", "cond", AllToAll(), StaticSynapse(weight=0.02 * uS,
                                                                   delay=1 * ms)),
             Projection("cond", "hh", AllToAll(), StaticSynapse(weight=0.02 * uS,
                                                                 delay=1 * ms)))
    probes = (Probe("iz"), Probe("adex"), Probe("hh"))
    if state_probes:
        probes += (Probe("iz", "u"), Probe("adex", "w"), Probe("hh", "m"))
    sim = NumbaEngine().build(NetworkSpec(pops, (stim,), projs, probes), dt=0.1 * ms, seed=1)
    out = _twin_check(sim, 300)
    assert out.recording.rec_count[0] > 20
    assert _fuses(_partitioned(sim.kernel_args(300), 3, shared=True)) is not state_probes

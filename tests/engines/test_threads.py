"""Threads in the numba engine: the same spikes and states for any thread count.

The kernel-level check (the parallel kernel on three partitions gives the one-thread
kernel's arrays bit for bit, on CA3 with STDP and sPyNNaker arithmetic, COBA, generated
cell types and Tsodyks-Markram synapses) is in test_numba_engine's twin checks; here the
engine option, the partitions and the process-level threading layer.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosim.engines import get_engine
from neurosim.engines.numba_engine import PARALLEL_FROM
from neurosim.errors import ParameterError
from neurosim.kernels.spiking import balanced_bounds, partition_rows
from neurosim.network import (
    AdditiveWeightDependence,
    DCSource,
    EIF_cond_exp_isfa_ista,
    FixedProbability,
    IF_curr_exp,
    Izhikevich,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikePairRule,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.network.examples import vogels_abbott_cuba
from neurosim.units import Hz, ms, mV, nA, nS

TWO = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one CPU: no second thread")


def _mixed() -> NetworkSpec:
    """Hand-written and generated cell types, Poisson input, a current source, STDP."""
    stdp = STDPMechanism(SpikePairRule(A_plus=0.01, A_minus=0.012),
                         AdditiveWeightDependence(w_min=0 * nA, w_max=1 * nA),
                         weight=0.3 * nA, delay=1 * ms)
    return NetworkSpec(
        (Population("lif", 300, IF_curr_exp(tau_refrac=2 * ms)),
         Population("adex", 200, EIF_cond_exp_isfa_ista()),
         Population("iz", 100, Izhikevich())),
        (SpikeSourcePoisson("drive", 50, rate=40 * Hz),),
        (Projection("drive", "lif", FixedProbability(0.3), StaticSynapse(weight=1.5 * nA,
                                                                         delay=1 * ms)),
         Projection("lif", "lif", FixedProbability(0.05), stdp, label="plastic"),
         Projection("lif", "adex", FixedProbability(0.1), StaticSynapse(weight=20 * nS,
                                                                        delay=0.5 * ms)),
         Projection("adex", "iz", FixedProbability(0.1), StaticSynapse(weight=3 * mV,
                                                                       delay=2 * ms)),
         Projection("iz", "lif", FixedProbability(0.1), StaticSynapse(weight=0.5 * nA,
                                                                      delay=1 * ms),
                    "inhibitory")),
        (*(Probe(p) for p in ("lif", "adex", "iz")), Probe("lif", "v"), Probe("adex", "v")),
        current_sources=(DCSource(label="dc", target="lif", amplitude=0.3 * nA,
                                  start=20 * ms, stop=150 * ms),),
    )


@TWO
def test_two_threads_give_one_threads_spikes_states_and_weights():
    spec = _mixed()
    out = []
    for threads in (1, 2):
        sim = get_engine("numba", threads=threads).build(spec, dt=0.1 * ms, seed=4)
        assert sim.threads == threads
        for _ in range(2):  # chunked: state carries over between kernel calls
            sim.run(100 * ms, progress=False)
        out.append((sim.data, np.asarray(sim.weights("plastic"))))
    (data1, w1), (data2, w2) = out
    assert sum(len(data1[f"{p}.spikes"]) for p in ("lif", "adex", "iz")) > 500  # active
    for key, a in data1.items():
        b = data2[key]
        if key.endswith(".spikes"):
            assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices)
        else:
            assert np.array_equal(np.asarray(a.values), np.asarray(b.values)), key
    assert np.array_equal(w1, w2, equal_nan=True)
    w = w1[~np.isnan(w1)]
    assert np.ptp(w) > 0.01 * np.max(w)  # STDP moved the weights apart (all 0.3 nA at first)


@TWO
def test_fused_steps_on_two_threads_give_one_threads_run():
    """A net with spike probes only: the engine shares its partitions between the neuron
    update and delivery, so the kernel runs a step's delivery in the next step's parallel
    region. The spike record has room for 2000 spikes at first, and the kernel returns to
    grow it once it holds more than 2000 - 500 (a step could add 500): the run also returns
    with a step's delivery pending and finishes it first."""
    from neurosim.kernels.spiking import fuses_steps

    spec = vogels_abbott_cuba(500, 0.1)
    out = []
    for threads in (1, 2):
        sim = get_engine("numba", threads=threads).build(spec, dt=0.1 * ms, seed=2)
        for _ in range(2):
            sim.run(250 * ms, progress=False)
        a = sim.kernel_args(1)
        out.append((sim.spikes("P"), np.asarray(sim.get_state("P", "v")),
                    fuses_steps(a.neurons, a.devices, a.synapses, a.plasticity,
                                a.recording)))
    (s1, v1, _), (s2, v2, fused) = out
    assert fused
    assert len(s1) > 1500  # the record grew during a chunk
    assert np.array_equal(s1.times, s2.times) and np.array_equal(s1.indices, s2.indices)
    assert np.array_equal(v1, v2)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=60), st.integers(1, 5),
       st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_partitions_cover_each_row_in_target_order(degrees, parts, seed):
    rng = np.random.default_rng(seed)
    n = len(degrees)
    post = np.concatenate([np.sort(rng.integers(0, n, d)) for d in degrees]).astype(np.int32)
    row_ptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    bounds = balanced_bounds(np.bincount(post, minlength=n), parts)
    assert bounds[0] == 0 and bounds[-1] == n and np.all(np.diff(bounds) >= 0)
    ptr = partition_rows(row_ptr, post, bounds)
    assert ptr.shape == (n, parts + 1)
    for i in range(n):
        assert ptr[i, 0] == row_ptr[i] and ptr[i, -1] == row_ptr[i + 1]
        for p in range(parts):
            seg = post[ptr[i, p]:ptr[i, p + 1]]
            assert np.all((seg >= bounds[p]) & (seg < bounds[p + 1]))


def test_balanced_bounds_share_the_weight():
    w = np.ones(1000)
    w[:100] = 9  # the first 100 neurons carry half the weight
    assert list(balanced_bounds(w, 2)) == [0, 100, 1000]  # 900 units each side
    assert list(balanced_bounds(np.zeros(10), 2)) == [0, 5, 10]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", numba.config.NUMBA_NUM_THREADS + 1])
def test_bad_thread_counts_are_refused_by_name(bad):
    with pytest.raises(ParameterError, match=r"threads.*NUMBA_NUM_THREADS"):
        get_engine("numba", threads=bad)


def test_default_threads_follow_the_network_size():
    small = get_engine("numba").build(vogels_abbott_cuba(200, 0.1), dt=0.1 * ms, seed=1)
    assert small.threads == 1
    big = get_engine("numba").build(vogels_abbott_cuba(PARALLEL_FROM, 0.001), dt=0.1 * ms,
                                    seed=1)
    assert big.threads == numba.get_num_threads()


@TWO
@pytest.mark.slow
def test_threads_after_nest_is_loaded_do_not_crash_nest():
    """NEST loaded first, then a threaded numba run, then NEST's ResetKernel: with the
    system's OpenMP beside NEST's bundled one this crashed (segmentation fault); the engine
    picks TBB (or one thread) instead."""
    pytest.importorskip("nest")
    script = textwrap.dedent("""
        import os
        os.environ.setdefault("PYNEST_QUIET", "1")
        import warnings
        import nest
        import numba
        from neurosim.engines import get_engine
        from neurosim.network.examples import vogels_abbott_cuba
        from neurosim.units import ms
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sim = get_engine("numba", threads=2).build(vogels_abbott_cuba(500, 0.1),
                                                       dt=0.1 * ms, seed=1)
            sim.run(50 * ms, progress=False)
        nest.ResetKernel()
        nest.SetKernelStatus({"local_num_threads": 2})
        nest.Simulate(5.0)
        layer = numba.threading_layer() if sim.threads > 1 else "one thread"
        print("RESULT", layer, len(caught))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    layer, n_warnings = out.stdout.split("RESULT")[-1].split()[:2]
    # TBB comes with the 'nest' extra; without it, one thread and a warning saying why
    assert (layer, n_warnings) in (("tbb", "0"), ("one", "1")), out.stdout

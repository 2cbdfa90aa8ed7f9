"""Regression fixtures: the COBA spike list and the CA3 memory's outputs, bit for bit.

The hashes were recorded on commit 2e478a7 (before the cell library of issue 16) with the
same script; the engines must keep producing exactly these spikes: the hand-written
IF_curr_exp / IF_cond_exp steps and the kernel's order are what make Brian2 and Numba agree,
and any change there shows here first.
"""

from __future__ import annotations

import hashlib

import numpy as np

from neurosim.engines import get_engine
from neurosim.network.examples import vogels_abbott_coba
from neurosim.units import ms


def _digest(times_in_steps: np.ndarray, indices: np.ndarray) -> str:
    return hashlib.sha256(times_in_steps.astype(np.int64).tobytes()
                          + indices.astype(np.int64).tobytes()).hexdigest()


def test_coba_spike_list_is_the_fixture():
    """4000-neuron Vogels-Abbott COBA, 1 s at 0.1 ms, seed 1, numba: 77,553 spikes."""
    sim = get_engine("numba").build(vogels_abbott_coba(), dt=0.1 * ms, seed=1)
    sim.run(1000 * ms, progress=False)
    s = sim.spikes("P")
    steps = np.round(np.asarray(s.times / ms) * 10)
    assert len(s) == 77553
    assert _digest(steps, s.indices) == (
        "8d0f9fde1897c051d18a2a5acb290f2fd68124c8ea9b477b412ef070cdc28674")


def test_ca3_outputs_are_the_fixture():
    """CA3 8 x 16, a 100-operation random protocol (generator seed 0), memory seed 0, numba:
    the spikes of every population and the recall results."""
    from neurosim.models import CA3Memory, random_protocol

    ops = random_protocol(8, 16, 100, np.random.default_rng(0))
    mem = CA3Memory(8, 16, seed=0, engine="numba")
    results = mem.run(ops, progress=False)
    assert hashlib.sha256(repr([r.result for r in results]).encode()).hexdigest() == (
        "f9499ced5ed07cba94e3c39f399d30398d19a5ab54dc9dbb6db4f617612ca9d7")
    expected = {"cueCue": "6f712efb43aaa4ca", "cueCont": "d47abd08da65d599",
                "contCue": "07b1adcf599dcb46", "contCont": "bf174a2954d91896",
                "contCond": "5ae36e750ffb68c7", "contCondInt": "0fe894eaeaaf70ac",
                "mergeCue": "0a79c66cbd5c4bfe", "mergeCont": "2f485af2132f0400",
                "OL": "b2688da7a6464cd8"}
    for label, digest in expected.items():
        s = mem.simulation.spikes(label)
        assert _digest(np.round(np.asarray(s.times / ms)), s.indices)[:16] == digest, label

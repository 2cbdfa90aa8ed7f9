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

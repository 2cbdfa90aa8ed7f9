"""Speed of the SpiNNaker emulator against SpiNNaker's real time.

A SpiNNaker board runs sPyNNaker models in real time (1 ms of biological time per 1 ms
tick at time_scale_factor 1), so ``ratio = biological time / wall time`` says how many times
faster than the board the emulator is. Prints JSON:

* CA3 8 x 16, 100 random operations (1 s of biological time), ``benchmarks/ca3_protocol.py``'s
  workload, through ``CA3Memory(engine="spinnaker-emulator")``;
* a random IF_curr_exp network of 10,000 neurons (80 % excitatory), p = 0.02 (about 2e6
  synapses), driven by a constant offset current from random initial voltages, 1 s at
  dt = 1 ms.

Each run is timed after a first run that loads (or compiles) the Numba kernel; build times
(sPyNNaker's pre-flight, connectivity, constants) are reported apart.

    python benchmarks/spinnaker_emulator.py
"""

from __future__ import annotations

import json
import time
import warnings

import numpy as np

from neurosim.hardware_backends.spinnaker_emulator import SpiNNakerEmulatorEngine
from neurosim.models.ca3 import CA3Memory, random_protocol
from neurosim.network import (
    FixedProbability,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    StaticSynapse,
    View,
)
from neurosim.units import ms, mV, nA, nF, second


def random_cuba(n: int = 10_000, p: float = 0.02, w_inh: float = 0.5) -> NetworkSpec:
    """A current-based E/I random network (IF_curr_exp), self-driven by ``i_offset``
    (just above threshold on its own); inhibition ``w_inh`` nA sets the rate (0.5: about
    4 Hz, 0.2: about 40 Hz)."""
    n_exc = round(0.8 * n)
    cell = IF_curr_exp(cm=0.25 * nF, tau_m=20 * ms, v_rest=-65 * mV, v_reset=-65 * mV,
                       v_thresh=-50 * mV, tau_refrac=2 * ms, tau_syn_E=5 * ms,
                       tau_syn_I=5 * ms, i_offset=0.2 * nA)
    init = {"v": RandomDistribution("uniform", low=-65 * mV, high=-50 * mV)}
    pop = Population("P", n, cell, initial_values=init)
    exc, inh = View("P", 0, n_exc), View("P", n_exc, n)
    projections = (
        Projection(exc, "P", FixedProbability(p), StaticSynapse(weight=0.05 * nA,
                                                                delay=1 * ms),
                   "excitatory", label="exc->all"),
        Projection(inh, "P", FixedProbability(p), StaticSynapse(weight=w_inh * nA,
                                                                delay=1 * ms),
                   "inhibitory", label="inh->all"),
    )
    return NetworkSpec((pop,), (), projections, (Probe("P"),), name=f"cuba_{n}")


def bench_ca3(n_ops: int = 100) -> dict:
    rng = np.random.default_rng(1008)
    ops = random_protocol(8, 16, n_ops, rng, overwrite=True, query_bits=0)
    CA3Memory(8, 16, engine="spinnaker-emulator", seed=0).run(ops[:3], progress=False)
    t0 = time.perf_counter()
    mem = CA3Memory(8, 16, engine="spinnaker-emulator", seed=0)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # the losses are reported below
        warnings.simplefilter("ignore", RuntimeWarning)
        mem.run(ops, progress=False)
    wall = time.perf_counter() - t0
    bio = float(mem.simulation.t / second)
    return {"workload": f"CA3 8x16, {n_ops} operations", "bio_s": bio, "wall_s": wall,
            "build_s": build, "ratio": bio / wall,
            "stdp_pairings_lost_to_the_post_history": mem.simulation.stdp_history_losses}


def bench_random(n: int = 10_000, w_inh: float = 0.5) -> dict:
    spec = random_cuba(n, w_inh=w_inh)
    t0 = time.perf_counter()
    sim = SpiNNakerEmulatorEngine().build(spec, dt=1 * ms, seed=1)
    build = time.perf_counter() - t0
    sim.run(10 * ms, progress=False)  # load the kernel
    t0 = time.perf_counter()
    sim.run(1000 * ms, progress=False)
    wall = time.perf_counter() - t0
    n_spikes = int(np.count_nonzero(np.asarray(sim.spikes("P").times / second) >= 0.01))
    return {"workload": f"random IF_curr_exp net, {n} neurons, p=0.02, w_inh={w_inh} nA, "
                        "1 s at dt=1 ms",
            "synapses": int(sim.s["pre"].size), "spikes": n_spikes,
            "mean_rate_hz": n_spikes / n, "bio_s": 1.0, "wall_s": wall, "build_s": build,
            "ratio": 1.0 / wall}


if __name__ == "__main__":
    import os

    out = {"cpu_count": os.cpu_count(), "ca3": bench_ca3(), "random_10k": bench_random(),
           "random_10k_high_rate": bench_random(w_inh=0.2)}
    print(json.dumps(out, indent=2))

"""PyNN's Vogels-Abbott benchmark (CUBA and COBA) on neurosim.pynn and pyNN.brian2 (and
pyNN.nest when installed), in the same run; JSON.

The network is PyNN's ``examples/VAbenchmarks.py`` (Brette et al. 2007, benchmarks 1 and 2,
after Vogels & Abbott 2005): 4000 cells, 4:1 excitatory:inhibitory, 2 % connectivity, 0.2 ms
delays, 1 s at 0.1 ms, v drawn uniformly in [v_reset, v_thresh]; COBA adds 20 Poisson
sources at 100 Hz for the first 50 ms. One script, written against the PyNN API, runs on
each backend in a process of its own.

Reported per backend: the time to create the network in PyNN (``create_s``), the first
0.1 ms run (``build_s``: each backend builds or compiles its network there), the remaining
999.9 ms (``run_s``), and the mean rates of the excitatory and inhibitory cells. Ratios are
pyNN.brian2's time over ours (> 1: ours faster); rates are compared to pyNN.brian2's.

Usage: python benchmarks/pynn_backends.py [--benchmarks CUBA,COBA]
       [--backends neurosim.pynn,pyNN.brian2,pyNN.nest] [--duration-ms 1000]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time

#: PyNN's VAbenchmarks.py values (Brette et al. 2007, Table 2 / Vogels & Abbott 2005).
N, R_EI, P_CONN, DT, DELAY = 4000, 4.0, 0.02, 0.1, 0.2
CELL = {"tau_m": 20.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0, "v_reset": -60.0,
        "v_thresh": -50.0, "cm": 0.2, "tau_refrac": 5.0}
E_LEAK = {"COBA": -60.0, "CUBA": -49.0}
G_EXC = {"COBA": 4.0, "CUBA": 0.27}    # nS
G_INH = {"COBA": 51.0, "CUBA": 4.5}    # nS
E_REV_E, E_REV_I, V_MEAN = 0.0, -80.0, -60.0
STIM = {"n": 20, "rate": 100.0, "duration": 50.0, "p": 0.01, "weight": 0.1}
SEED = 98765


def va_network(sim, benchmark: str, duration_ms: float) -> dict:
    """Build and run the network on ``sim``; times and rates."""
    t0 = time.perf_counter()
    sim.setup(timestep=DT, min_delay=DELAY, max_delay=1.0)
    n_exc = round(N * R_EI / (1 + R_EI))
    params = {**CELL, "v_rest": E_LEAK[benchmark]}
    if benchmark == "COBA":
        celltype = sim.IF_cond_exp(**params, e_rev_E=E_REV_E, e_rev_I=E_REV_I)
        w_exc, w_inh = G_EXC[benchmark] * 1e-3, G_INH[benchmark] * 1e-3  # uS
    else:
        celltype = sim.IF_curr_exp(**params)
        w_exc = 1e-3 * G_EXC[benchmark] * (E_REV_E - V_MEAN)  # nA
        w_inh = 1e-3 * G_INH[benchmark] * (E_REV_I - V_MEAN)
    exc = sim.Population(n_exc, celltype, label="exc")
    inh = sim.Population(N - n_exc, celltype, label="inh")
    rng = sim.NumpyRNG(seed=SEED)
    v0 = sim.RandomDistribution("uniform", low=CELL["v_reset"], high=CELL["v_thresh"],
                                rng=rng)
    exc.initialize(v=v0)
    inh.initialize(v=v0)
    conn = sim.FixedProbabilityConnector(P_CONN, rng=rng)
    for pre, post, w, receptor in ((exc, exc, w_exc, "excitatory"),
                                   (exc, inh, w_exc, "excitatory"),
                                   (inh, exc, w_inh, "inhibitory"),
                                   (inh, inh, w_inh, "inhibitory")):
        sim.Projection(pre, post, conn, sim.StaticSynapse(weight=w, delay=DELAY),
                       receptor_type=receptor)
    if benchmark == "COBA":
        stim = sim.Population(STIM["n"], sim.SpikeSourcePoisson(
            rate=STIM["rate"], duration=STIM["duration"]), label="stim")
        for post in (exc, inh):
            sim.Projection(stim, post, sim.FixedProbabilityConnector(STIM["p"], rng=rng),
                           sim.StaticSynapse(weight=STIM["weight"], delay=DELAY),
                           receptor_type="excitatory")
    exc.record("spikes")
    inh.record("spikes")
    t1 = time.perf_counter()
    sim.run(DT)
    t2 = time.perf_counter()
    sim.run(duration_ms - DT)
    t3 = time.perf_counter()
    counts = {}
    for pop in (exc, inh):
        trains = pop.get_data().segments[0].spiketrains
        counts[pop.label] = sum(len(t) for t in trains)
    sim.end()
    seconds = duration_ms / 1e3
    return {"create_s": t1 - t0, "build_s": t2 - t1, "run_s": t3 - t2,
            "rate_exc_hz": counts["exc"] / n_exc / seconds,
            "rate_inh_hz": counts["inh"] / (N - n_exc) / seconds}


def run_one(backend: str, benchmark: str, duration_ms: float) -> dict:
    if backend == "pyNN.brian2":  # compiled code in our temporary cache, never the home
        import brian2

        from neurosim.config import cache_dir

        brian2.prefs.codegen.runtime.cython.cache_dir = str(cache_dir("brian2-cython"))
    sim = importlib.import_module(backend)
    return va_network(sim, benchmark, duration_ms)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benchmarks", default="CUBA,COBA")
    ap.add_argument("--backends", default="neurosim.pynn,pyNN.brian2,pyNN.nest")
    ap.add_argument("--duration-ms", type=float, default=1000.0)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.duration_ms)))
        return
    out = {"benchmark": "pynn_backends", "model": "PyNN examples/VAbenchmarks.py",
           "python": platform.python_version(), "machine": platform.machine(),
           "duration_ms": args.duration_ms, "results": {}}
    for bench in args.benchmarks.split(","):
        res = {}
        for backend in args.backends.split(","):
            if backend == "pyNN.nest" and importlib.util.find_spec("nest") is None:
                res[backend] = {"skipped": "NEST is not installed (make test installs it)"}
                continue
            proc = subprocess.run([sys.executable, __file__, "--one", backend, bench,
                                   "--duration-ms", str(args.duration_ms)],
                                  capture_output=True, text=True, env=os.environ)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            res[backend] = json.loads(lines[-1]) if lines else {
                "error": proc.stderr.strip()[-1500:]}
        ref, ours = res.get("pyNN.brian2", {}), res.get("neurosim.pynn", {})
        if "run_s" in ref and "run_s" in ours:
            res["ratios"] = {
                "run_speedup_vs_pyNN.brian2": ref["run_s"] / ours["run_s"],
                "build_speedup_vs_pyNN.brian2": ref["build_s"] / ours["build_s"],
                "rate_exc_rel_diff": ours["rate_exc_hz"] / ref["rate_exc_hz"] - 1,
                "rate_inh_rel_diff": ours["rate_inh_hz"] / ref["rate_inh_hz"] - 1}
        out["results"][bench] = res
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Peak memory and times of the Numba engine on large networks; prints JSON.

Two cases, each built and run in a fresh process (peak resident memory from the operating
system, ``resource.getrusage``, covers the build, the compile load and the run):

* ``1e5``: 10⁵ IF_curr_exp neurons, FixedProbability 1e-3 (about 10⁷ synapses), driven by
  10⁵ Poisson sources at 500 Hz, 100 ms (the earlier case: 1.05 GB, 100 ms in 12.5 s);
* ``1e6`` (issue 19): the current-based Vogels-Abbott network
  (:func:`neurosim.network.examples.vogels_abbott_cuba`) at 10⁶ neurons with a fixed
  in-degree of 100 (80 excitatory, 20 inhibitory inputs: 10⁸ synapses), self-sustained
  asynchronous activity, 1 s on 2 threads.

Per case: synapses, build seconds (lowering and connectivity included), run seconds, mean
rate, threads, peak RSS. Targets for ``1e6``: peak RSS <= 4 GB, run <= 120 s; the ratios
``peak_rss_vs_target`` and ``run_vs_target`` are printed (< 1 meets them).

Usage: python benchmarks/memory_large.py [1e5,1e6] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from neurosim.engines.numba_engine import NumbaEngine
from neurosim.network import (FixedProbability, IF_curr_exp, NetworkSpec, OneToOne, Population,
                              Probe, Projection, SpikeSourcePoisson, StaticSynapse)
from neurosim.network.examples import vogels_abbott_cuba
from neurosim.units import Hz, ms, nA
case, threads = sys.argv[1], int(sys.argv[2])
if case == "1e5":
    n, duration = 100_000, 100 * ms
    spec = NetworkSpec(
        (Population("P", n, IF_curr_exp(tau_refrac=2 * ms)),),
        (SpikeSourcePoisson("drive", n, rate=500 * Hz),),
        (Projection("drive", "P", OneToOne(), StaticSynapse(weight=1.0 * nA, delay=1 * ms)),
         Projection("P", "P", FixedProbability(1e-3),
                    StaticSynapse(weight=0.02 * nA, delay=1 * ms), label="recurrent")),
        (Probe("P"),))
else:
    n, duration = 1_000_000, 1000 * ms
    spec = vogels_abbott_cuba(n, in_degree=100)
t0 = time.perf_counter()
sim = NumbaEngine(threads=threads).build(spec, dt=0.1 * ms, seed=1)
t1 = time.perf_counter()
build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
sim.run(duration, progress=False)
t2 = time.perf_counter()
spikes = len(sim.spikes("P"))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"case": case, "neurons": n, "synapses": int(len(sim.syn["post"])),
                  "duration_ms": float(duration / ms), "threads": sim.threads,
                  "build_s": t1 - t0, "run_s": t2 - t1, "spikes": spikes,
                  "rate_hz": spikes / n / float(duration / (1000 * ms)),
                  "peak_rss_after_build_gb": build_rss / 1e9, "peak_rss_gb": rss / 1e9,
                  "float": "float64"}))
"""

TARGETS = {"1e6": {"peak_rss_gb": 4.0, "run_s": 120.0}, "1e5": {"peak_rss_gb": 4.0}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="?", default="1e5,1e6")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    results = []
    for case in args.cases.split(","):
        out = subprocess.run([sys.executable, "-c", CHILD, case, str(args.threads)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(json.dumps({"benchmark": "memory_large", "case": case,
                              "error": out.stderr[-2000:]}))
            raise SystemExit(1)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        target = TARGETS[case]
        res["target"] = target
        res["peak_rss_vs_target"] = res["peak_rss_gb"] / target["peak_rss_gb"]
        if "run_s" in target:
            res["run_vs_target"] = res["run_s"] / target["run_s"]
        results.append(res)
    print(json.dumps({"benchmark": "memory_large", "results": results}, indent=2))


if __name__ == "__main__":
    main()

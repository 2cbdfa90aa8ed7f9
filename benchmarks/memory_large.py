"""Peak memory of the Numba engine on 1e5 neurons and 1e7 synapses for 100 ms; prints JSON.

A random IF_curr_exp network (FixedProbability 1e-3 on 1e5 x 1e5 pairs: about 1e7 synapses)
driven by Poisson sources, built and run in a fresh process; peak resident memory is read
from the operating system (``resource.getrusage``). Target: < 4 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from neurosim.engines.numba_engine import NumbaEngine
from neurosim.network import (FixedProbability, IF_curr_exp, NetworkSpec, OneToOne, Population,
                              Probe, Projection, SpikeSourcePoisson, StaticSynapse)
from neurosim.units import Hz, mV, ms, nA
n = int(sys.argv[1]); p = float(sys.argv[2])
spec = NetworkSpec(
    (Population("n", n, IF_curr_exp(tau_refrac=2 * ms)),),
    (SpikeSourcePoisson("drive", n, rate=500 * Hz),),
    (Projection("drive", "n", OneToOne(), StaticSynapse(weight=1.0 * nA, delay=1 * ms)),
     Projection("n", "n", FixedProbability(p), StaticSynapse(weight=0.02 * nA, delay=1 * ms),
                label="recurrent")),
    (Probe("n"),))
t0 = time.perf_counter()
sim = NumbaEngine().build(spec, dt=0.1 * ms, seed=1)
t1 = time.perf_counter()
sim.run(100 * ms)
t2 = time.perf_counter()
spikes = len(sim.spikes("n"))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"neurons": n, "synapses": int(len(sim.syn["pre"])), "build_s": t1 - t0,
                  "run_s": t2 - t1, "spikes": spikes, "peak_rss_bytes": rss,
                  "peak_rss_gb": rss / 1e9, "float": "float64"}))
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    p = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-3
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(p)], capture_output=True,
                         text=True)
    if out.returncode != 0:
        print(json.dumps({"benchmark": "memory_large", "error": out.stderr[-2000:]}))
        raise SystemExit(1)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update({"benchmark": "memory_large", "target_gb": 4.0})
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()

"""Warm start of the Numba engine: a new process, kernels cached, to its first simulated step.

Prints JSON with the wall time of each phase (import, build, first step) measured inside a
fresh interpreter (run twice: the first run may compile and cache the kernel).
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, time
t0 = time.perf_counter()
from neurosim.engines.numba_engine import NumbaEngine
from neurosim.network.examples import vogels_abbott_coba
from neurosim.units import ms
t1 = time.perf_counter()
sim = NumbaEngine().build(vogels_abbott_coba(4000), dt=0.1 * ms, seed=1)
t2 = time.perf_counter()
sim.run(0.1 * ms)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "first_step_s": t3 - t2,
                  "total_s": t3 - t0}))
"""


def main() -> None:
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                             check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "warm_start", "network": "vogels_abbott_coba(4000)",
                      "cold_or_first": runs[0], "warm": runs[1],
                      "warm_total_s": runs[1]["total_s"], "target_s": 2.0}, indent=2))


if __name__ == "__main__":
    main()

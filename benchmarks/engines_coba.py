"""Vogels-Abbott COBA network (4000 IF_cond_exp, 2 % connectivity, 1 s) on every engine; JSON.

One NetworkSpec (`neurosim.network.examples.vogels_abbott_coba`, the Brian team's benchmark-1
values), built and run in the same process on: Numba, Brian2 runtime (numpy, cython) and
Brian2 C++ standalone. Compile/first-run times are reported apart from run times; rates are
compared to Numba's. Ratios are Numba run time / the other's run time (< 1: Numba faster).

Run times are the best of ``--repeat`` runs (3 by default; every run is listed in
``run_s_all``) for Numba and the Brian2 runtime targets alike: on this shared two-core machine a
single run can take up to 1.5x longer than the next one for reasons outside the process.

Usage: python benchmarks/engines_coba.py [--duration-ms 1000] [--repeat 3]
       [--skip numpy,cython,cpp_standalone]
"""

from __future__ import annotations

import argparse
import json
import platform

import numpy as np
from timing import best_of, timed_run

from neurosim.network.examples import vogels_abbott_coba


def run(engine: str, spec, duration_ms: float, **options) -> dict:
    out = timed_run(engine, spec, duration_ms, **options)
    spikes = out["_spikes"]
    n = spec.populations[0].size
    n_exc = round(0.8 * n)
    seconds = duration_ms / 1e3
    out["rate_exc_hz"] = float(np.sum(spikes.indices < n_exc) / n_exc / seconds)
    out["rate_inh_hz"] = float(np.sum(spikes.indices >= n_exc) / (n - n_exc) / seconds)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration-ms", type=float, default=1000.0)
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per engine; the best counts")
    ap.add_argument("--skip", default="", help="comma-separated: numpy,cython,cpp_standalone")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    spec = vogels_abbott_coba(args.neurons)
    out: dict = {"benchmark": "engines_coba", "neurons": args.neurons,
                 "duration_ms": args.duration_ms, "dt_ms": 0.1, "repeat": args.repeat,
                 "python": platform.python_version(), "machine": platform.machine()}
    results = {"numba_first": run("numba", spec, args.duration_ms),  # loads/compiles kernel
               "numba": best_of(args.repeat, run, "numba", spec, args.duration_ms)}
    for target in ("numpy", "cython", "cpp_standalone"):
        if target in skip:
            continue
        try:
            if target == "cython":  # the first run compiles into the cache folder
                results["brian2_cython_first"] = run("brian2", spec, args.duration_ms,
                                                     codegen_target="cython")
            if target == "cpp_standalone":  # each build compiles again: one run
                results[f"brian2_{target}"] = run("brian2", spec, args.duration_ms,
                                                  codegen_target=target)
            else:
                results[f"brian2_{target}"] = best_of(args.repeat, run, "brian2", spec,
                                                      args.duration_ms, codegen_target=target)
        except Exception as err:  # no compiler here: report it, keep the other columns
            results[f"brian2_{target}"] = {"error": f"{type(err).__name__}: {err}"}
    ref = results["numba"]["_spikes"]
    for name, res in results.items():
        if "_spikes" in res:
            s = res.pop("_spikes")
            res["identical_spikes_to_numba"] = bool(np.array_equal(s.times, ref.times)
                                                    and np.array_equal(s.indices, ref.indices))
        out[name] = res
    numba_run = out["numba"]["run_s"]
    for target in ("numpy", "cython"):
        key = f"brian2_{target}"
        if "run_s" in out.get(key, {}):
            out[f"speedup_numba_vs_{key}"] = out[key]["run_s"] / numba_run
            out[f"rate_rel_diff_exc_{key}"] = abs(out[key]["rate_exc_hz"] / out["numba"][
                "rate_exc_hz"] - 1)
    sa = out.get("brian2_cpp_standalone", {})
    if "run_binary_s" in sa:
        out["ratio_numba_run_vs_cpp_binary"] = numba_run / sa["run_binary_s"]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

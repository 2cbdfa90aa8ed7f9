"""Wall time of a 100-operation CA3 protocol on the Brian2 and Numba engines; prints JSON.

The reference for later engines (the Numba engine must beat these figures). Measured in one
run: Brian2 runtime mode with numpy code generation and with cython (compiled once into the
cache folder; the first, compiling run is reported separately), and Brian2's C++ standalone
device (compile and binary run times apart). Build time (spec -> Brian2 objects) and run
time are reported apart; the ratios are against the numpy run time. --no-cython skips the
cython columns (their first compile takes minutes).

Usage: python benchmarks/ca3_protocol.py [--ops 100] [--n-cues 8] [--n-content 16]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from neurosim.models import CA3Memory, random_protocol, reference_results


def measure(ops, n_c, n_k, target: str, engine: str = "brian2") -> dict:
    t0 = time.perf_counter()
    options = {"codegen_target": target} if engine == "brian2" else {}
    mem = CA3Memory(n_c, n_k, seed=0, engine=engine, engine_options=options)
    t1 = time.perf_counter()
    results = mem.run(ops, progress=False)
    t2 = time.perf_counter()
    expected = reference_results(ops)
    scored = [r.result == e for r, e in zip(results, expected) if e is not None]
    out = {"build_s": t1 - t0, "run_s": t2 - t1, "correct": int(sum(scored)),
           "recalls": len(scored), "simulated_ms": float(mem.simulation.t / (1e-3 * _s()))}
    timers = getattr(mem.simulation, "standalone_timers", None)
    if timers:
        out.update(timers)  # run_s = compile_s + run_binary_s + Brian2's bookkeeping
    return out


def _s():
    from neurosim.units import second

    return second


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=100)
    ap.add_argument("--n-cues", type=int, default=8)
    ap.add_argument("--n-content", type=int, default=16)
    ap.add_argument("--no-cython", action="store_true")
    args = ap.parse_args()
    ops = random_protocol(args.n_cues, args.n_content, args.ops, np.random.default_rng(0),
                          overwrite=True, query_bits=1)
    out = {"benchmark": "ca3_protocol", "ops": args.ops, "n_cues": args.n_cues,
           "n_content": args.n_content, "python": platform.python_version(),
           "machine": platform.machine()}
    numpy_first = measure(ops, args.n_cues, args.n_content, "numpy")  # sympy/codegen warm-up
    out["brian2_numpy_first"] = numpy_first
    out["brian2_numpy"] = measure(ops, args.n_cues, args.n_content, "numpy")
    try:
        if args.no_cython:
            raise RuntimeError("skipped (--no-cython)")
        out["brian2_cython_first_compile"] = measure(ops, args.n_cues, args.n_content, "cython")
        out["brian2_cython"] = measure(ops, args.n_cues, args.n_content, "cython")
        out["ratio_cython_vs_numpy_run"] = (out["brian2_cython"]["run_s"]
                                            / out["brian2_numpy"]["run_s"])
    except Exception as err:  # a missing compiler must not hide the numpy figures
        out["brian2_cython"] = {"error": f"{type(err).__name__}: {err}"}
    try:
        out["brian2_cpp_standalone"] = measure(ops, args.n_cues, args.n_content,
                                               "cpp_standalone")
        out["ratio_cpp_binary_vs_numpy_run"] = (out["brian2_cpp_standalone"]["run_binary_s"]
                                                / out["brian2_numpy"]["run_s"])
    except Exception as err:  # no C++ compiler: report, keep the other figures
        out["brian2_cpp_standalone"] = {"error": f"{type(err).__name__}: {err}"}
    # Numba: the first run in a process loads (or compiles) the cached kernel.
    out["numba_first"] = measure(ops, args.n_cues, args.n_content, "", engine="numba")
    out["numba"] = measure(ops, args.n_cues, args.n_content, "", engine="numba")
    out["ratio_numba_vs_brian2_numpy_run"] = out["numba"]["run_s"] / out["brian2_numpy"]["run_s"]
    out["speedup_numba_vs_brian2_numpy_run"] = 1 / out["ratio_numba_vs_brian2_numpy_run"]
    out["ms_per_operation_numpy"] = 1e3 * out["brian2_numpy"]["run_s"] / args.ops
    out["ms_per_operation_numba"] = 1e3 * out["numba"]["run_s"] / args.ops
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

"""A user's AdEx written as equations, compiled by Numba, against Brian2; JSON.

The network: :func:`neurosim.network.examples.adex_coba`, the Vogels-Abbott benchmark of
Brette et al. (2007) (4000 neurons, 80 % excitatory, p = 0.02, 6 nS / 67 nS, 1 s) with
adaptive exponential neurons (Brette & Gerstner 2005) on the benchmark's membrane:
C = 200 pF, g_L = 10 nS, E_L = V_r = -60 mV, V_T = -50 mV, Delta_T = 2 mV, V_peak = -40 mV,
a = 2 nS, b = 20 pA, tau_w = 100 ms, refractory 5 ms; self-sustained at about 11 Hz.

Measured, all in one run:

* ``numba_cold_compile_s``: a new equation set (a class name never compiled before, so a
  new generated module) from the declaration to loaded machine code, in a fresh process
  whose Numba cache already holds the network kernel (which does not depend on the cell);
  ``numba_cached_load_s``: the same equation set in a second fresh process (Numba's cache);
* ``numba_equations``: the equation cell on the numba engine, build and run apart, best
  run of ``--repeat``, on the engine's default threads (all of Numba's from 4000 neurons
  up: ``numba_threads_default``); ``numba_equations_1_thread`` the same on one thread;
* ``numba_builtin``: PyNN's EIF_cond_exp_isfa_ista with the same parameters (tau_m = C/g_L;
  tau_refrac 4.9 ms freezes the same 49 steps as Brian2's 5 ms, which counts the spike
  step) on the numba engine;
* ``brian2_cython``: the same equation cell through Brian2 (first run compiles, then best
  of ``--repeat``), and ``brian2_cpp_standalone`` (one build: compile and binary timers).

Ratios: ``speedup_numba_vs_brian2_cython`` (Brian2's run time / numba's, target >= 3; also
on one thread and as the ratio of median runs, Brian2's compiling first run left out),
rates relative to numba's equations (target within 10 %). ``numba_cell_update_alone_s``
times the generated cell update by itself (no synapses, no threshold), ``libm_exp_alone_s``
the 2 exp calls per neuron and step of rk2 by themselves: any engine whose arithmetic is
Brian2's makes those calls (libm's exp does not vectorise; the generated update computes
the rest in loops that do, cellgen's staged update), so ``speedup_bound_from_exp_calls``
(Brian2's run time over them) bounds the speed-up an exact single-threaded engine reaches.

Usage: python benchmarks/equation_cells.py [--duration-ms 1000] [--repeat 3]
       [--skip cython,cpp_standalone]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid

import numba
import numpy as np
from timing import best_of, timed_run

from neurosim.network import EIF_cond_exp_isfa_ista
from neurosim.network import equation_examples as ex
from neurosim.network.examples import adex_coba
from neurosim.units import ms, mV, nA, nF, nS, pF

_MEMBRANE = {"E_L": -60 * mV, "V_T": -50 * mV, "Delta_T": 2 * mV, "V_r": -60 * mV,
             "V_peak": -40 * mV, "a": 2 * nS, "b": 0.02 * nA, "tau_w": 100 * ms,
             "E_e": 0 * mV, "E_i": -80 * mV, "tau_e": 5 * ms, "tau_i": 10 * ms}


def equation_cell_instance(cls):
    return cls(C=200 * pF, g_L=10 * nS, tau_refrac=5 * ms, **_MEMBRANE)


def builtin_instance():
    m = _MEMBRANE
    return EIF_cond_exp_isfa_ista(
        cm=0.2 * nF, tau_m=200 * pF / (10 * nS), v_rest=m["E_L"], v_thresh=m["V_T"],
        delta_T=m["Delta_T"], v_reset=m["V_r"], v_spike=m["V_peak"], a=m["a"], b=m["b"],
        tau_w=m["tau_w"], e_rev_E=m["E_e"], e_rev_I=m["E_i"], tau_syn_E=m["tau_e"],
        tau_syn_I=m["tau_i"], tau_refrac=4.9 * ms, i_offset=0 * nA)


_COMPILE = textwrap.dedent("""
    import json, sys, time
    from neurosim.engines.cellgen import numba_functions
    from neurosim.network import equation_examples as ex
    t0 = time.perf_counter()
    cls = ex.adex("rk2", name=sys.argv[1])  # declared and checked by Brian2
    t1 = time.perf_counter()
    update, spike, _ = numba_functions(cls)  # Brian2's state updater, code, Numba
    t2 = time.perf_counter()
    stats = (update.stats, spike.stats)
    print("RESULT" + json.dumps({
        "declare_and_check_s": t1 - t0, "codegen_and_compile_s": t2 - t1,
        "cache_hits": sum(sum(s.cache_hits.values()) for s in stats),
        "cache_misses": sum(sum(s.cache_misses.values()) for s in stats)}))
""")


def compile_times() -> dict:
    """A new equation set compiled cold, then loaded from the cache, in fresh processes."""
    name = f"AdEx_{uuid.uuid4().hex[:8]}"
    out = {}
    for key in ("cold", "cached"):
        res = subprocess.run([sys.executable, "-c", _COMPILE, name], capture_output=True,
                             text=True, check=True, env=os.environ.copy())
        out[key] = json.loads(res.stdout.split("RESULT")[-1])
    return {"numba_cold_compile_s": out["cold"]["codegen_and_compile_s"],
            "numba_cached_load_s": out["cached"]["codegen_and_compile_s"],
            "compile_detail": out}


def cell_arithmetic_s(cls, n: int, duration_ms: float) -> float:
    """Seconds the generated cell update alone takes for n neurons over the duration (no
    synapses, no threshold, no engine): the floor of any code that computes Brian2's
    arithmetic in Brian2's order, which bit-identical spikes require."""
    from neurosim.engines.cellgen import cell_program, numba_module, param_rows

    module = numba_module(cls)
    update = module.update
    cell = equation_cell_instance(cls)
    si = cell.to_si()
    prog = cell_program(cls)
    S = np.zeros((len(prog.state), n))
    S[prog.state.index("v")] = -60e-3
    P = np.array([np.full(n, float(si[f])) for f, _ in param_rows(cell)]
                 + [np.zeros(n)] * module.N_CONSTANTS)
    module.constants(P, 1e-4, 0, n)
    last = np.full(n, -(10**9), np.int64)
    ticks = np.zeros(n, np.int64)
    nr = np.ones(n, np.uint8)
    steps = round(duration_ms / 0.1)
    update(0, n, 0, 1e-4, S, P, last, ticks, nr)
    t0 = time.perf_counter()
    for k in range(steps):
        update(0, n, k, 1e-4, S, P, last, ticks, nr)
    return time.perf_counter() - t0


_COLD_CYTHON = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from equation_cells import adex_coba, equation_cell_instance, ex, run
    spec = adex_coba(equation_cell_instance(ex.adex("rk2")), int(sys.argv[2]))
    res = run("brian2", spec, float(sys.argv[3]), codegen_target="cython")
    del res["_spikes"]
    print("RESULT" + json.dumps(res))
""")


def cold_cython(n: int, duration_ms: float) -> dict:
    """Brian2 cython's first build and run in a fresh process with an empty cache folder:
    what a user waits for the first time (the compile is in the run: Brian2 compiles its
    code objects before the first step)."""
    with tempfile.TemporaryDirectory() as cold:
        env = {**os.environ, "NEUROSIM_CACHE_DIR": cold}
        res = subprocess.run([sys.executable, "-c", _COLD_CYTHON,
                              os.path.dirname(os.path.abspath(__file__)), str(n),
                              str(duration_ms)], capture_output=True, text=True, check=True,
                             env=env)
    return json.loads(res.stdout.split("RESULT")[-1])


def exp_calls_s(n: int, duration_ms: float, per_step: int) -> float:
    """Seconds libm's exp alone takes for ``per_step`` calls per neuron and step (rk2 on
    AdEx: two): the floor under any engine that computes Brian2's arithmetic with it."""
    from numba import njit

    @njit(cache=False)
    def calls(x, out, reps):
        for _ in range(reps):
            for j in range(x.shape[0]):
                out[j] = np.exp(x[j])

    x = np.linspace(-3.0, 0.5, n)
    out = np.empty(n)
    calls(x, out, 1)
    t0 = time.perf_counter()
    calls(x, out, per_step * round(duration_ms / 0.1))
    return time.perf_counter() - t0


def run(engine: str, spec, duration_ms: float, **options) -> dict:
    out = timed_run(engine, spec, duration_ms, **options)
    out["rate_hz"] = float(out["spikes"] / spec.populations[0].size / (duration_ms / 1e3))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration-ms", type=float, default=1000.0)
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated: cython,cpp_standalone")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    out: dict = {"benchmark": "equation_cells", "neurons": args.neurons,
                 "numba_threads_default": numba.config.NUMBA_NUM_THREADS,
                 "duration_ms": args.duration_ms, "dt_ms": 0.1, "repeat": args.repeat,
                 "python": platform.python_version(), "machine": platform.machine()}
    # the network kernel compiled and cached before the compile measurement
    eq_spec = adex_coba(equation_cell_instance(ex.adex("rk2")), args.neurons)
    results = {"numba_equations_first": run("numba", eq_spec, 100.0)}
    out.update(compile_times())
    results["numba_equations"] = best_of(args.repeat, run, "numba", eq_spec, args.duration_ms)
    results["numba_equations_1_thread"] = best_of(args.repeat, run, "numba", eq_spec,
                                                  args.duration_ms, threads=1)
    builtin_spec = adex_coba(builtin_instance(), args.neurons, targets=("gsyn_exc", "gsyn_inh"))
    results["numba_builtin"] = best_of(args.repeat, run, "numba", builtin_spec, args.duration_ms)
    if "cython" not in skip:
        try:
            results["brian2_cython_first"] = cold_cython(args.neurons, args.duration_ms)
            results["brian2_cython"] = best_of(args.repeat, run, "brian2", eq_spec,
                                               args.duration_ms, codegen_target="cython")
        except Exception as err:  # no compiler here: report it, keep the other columns
            results["brian2_cython"] = {"error": f"{type(err).__name__}: {err}"}
    if "cpp_standalone" not in skip:
        try:
            results["brian2_cpp_standalone"] = run("brian2", eq_spec, args.duration_ms,
                                                   codegen_target="cpp_standalone")
        except Exception as err:
            results["brian2_cpp_standalone"] = {"error": f"{type(err).__name__}: {err}"}
    ref = results["numba_equations"]["_spikes"]
    for name, res in results.items():
        if "_spikes" in res:
            s = res.pop("_spikes")
            res["identical_spikes_to_numba_equations"] = bool(
                np.array_equal(s.times, ref.times) and np.array_equal(s.indices, ref.indices))
        out[name] = res
    eq_run = out["numba_equations"]["run_s"]
    out["numba_cell_update_alone_s"] = cell_arithmetic_s(ex.adex("rk2"), args.neurons,
                                                         args.duration_ms)
    out["libm_exp_alone_s"] = exp_calls_s(args.neurons, args.duration_ms, per_step=2)
    out["ratio_numba_equations_vs_builtin_run"] = eq_run / out["numba_builtin"]["run_s"]
    for key in ("numba_builtin", "brian2_cython", "brian2_cpp_standalone"):
        res = out.get(key, {})
        if "rate_hz" in res:
            out[f"rate_rel_diff_{key}"] = abs(res["rate_hz"] / out["numba_equations"][
                "rate_hz"] - 1)
    if "run_s" in out.get("brian2_cython", {}):
        out["speedup_numba_vs_brian2_cython"] = out["brian2_cython"]["run_s"] / eq_run
        # the same on one thread, and the median runs (a shared machine's best run flatters)
        out["speedup_numba_1_thread_vs_brian2_cython"] = (
            out["brian2_cython"]["run_s"] / out["numba_equations_1_thread"]["run_s"])
        out["speedup_median_runs"] = (
            float(np.median(out["brian2_cython"]["run_s_all"][1:] or [np.nan]))
            / float(np.median(out["numba_equations"]["run_s_all"])))
        # what an engine computing Brian2's arithmetic could reach at most: Brian2's time
        # over our cell update alone, and over the exp calls alone
        out["speedup_bound_from_cell_update"] = (out["brian2_cython"]["run_s"]
                                                 / out["numba_cell_update_alone_s"])
        out["speedup_bound_from_exp_calls"] = (out["brian2_cython"]["run_s"]
                                               / out["libm_exp_alone_s"])
    sa = out.get("brian2_cpp_standalone", {})
    if "run_binary_s" in sa:
        out["ratio_numba_run_vs_cpp_binary"] = eq_run / sa["run_binary_s"]
    out["targets"] = {
        "cold_compile_under_5_s": out["numba_cold_compile_s"] < 5.0,
        "cached_load_under_0.5_s": out["numba_cached_load_s"] < 0.5,
        "run_3x_faster_than_brian2_cython": out.get("speedup_numba_vs_brian2_cython", 0) >= 3,
        "rates_within_10_percent": all(v <= 0.10 for k, v in out.items()
                                       if k.startswith("rate_rel_diff_")),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

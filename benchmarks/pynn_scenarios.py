"""PyNN 0.13's own system scenarios (the ones PyNN runs for pyNN.brian2) on PyNN modules; JSON.

Each module runs in a process of its own (backends keep global state), in the same run as
the reference, pyNN.brian2, which passes them all; the ratio is passed / the reference's
passed. Every failure is listed with its message, so a count never hides a reason.

Usage: python benchmarks/pynn_scenarios.py [--modules crossbar,crossbar-ideal,mock,brian2]
       [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

MODULES = {
    "neurosim.pynn": ("neurosim.pynn", {}),
    "crossbar": ("neurosim.hardware_backends.crossbar", {}),
    "crossbar-ideal": ("neurosim.hardware_backends.crossbar", {"fidelity": "ideal"}),
    "mock": ("pyNN.mock", {}),
    "brian2": ("pyNN.brian2", {}),
}


def run_one(key: str, only: str) -> dict:
    import importlib

    from neurosim.conformance import collect, run_scenario, with_setup

    name, defaults = MODULES[key]
    if key == "brian2":  # Brian2's compiled code goes to our temporary cache, not the home
        import brian2

        from neurosim.config import cache_dir

        brian2.prefs.codegen.runtime.cython.cache_dir = str(cache_dir("brian2-cython"))
    module = importlib.import_module(name)
    sim = with_setup(module, **defaults) if defaults else module
    outcomes = []
    t0 = time.perf_counter()
    for scenario in collect("brian2"):
        if only in scenario.id:
            outcomes.append(run_scenario(scenario, sim))
    passed = [o.scenario for o in outcomes if o.status == "passed"]
    wall = time.perf_counter() - t0
    not_passed = {o.scenario: f"{o.status}: {o.message}" for o in outcomes
                  if o.status != "passed"}
    if key == "crossbar":  # name the device effect that moved the numbers
        for scenario in collect("brian2"):
            if scenario.id in not_passed:
                not_passed[scenario.id] = f"{device_effect(scenario, module)}; " \
                                          f"{not_passed[scenario.id]}"
    return {"module": key, "passed": len(passed), "total": len(outcomes), "wall_s": wall,
            "passed_ids": passed, "not_passed": not_passed}


#: The crossbar's fidelity levels, each adding one device effect to the one before
#: (docs/crossbar.md), and the effect each adds.
LADDER = (("ideal", None), ("quantised", "quantisation to the device's conductance levels"),
          ("noisy", "programming and read noise"), ("full", "DAC/ADC and wire (IR) drop"))


def device_effect(scenario, module) -> str:
    """Rerun a scenario the default crossbar fails up the fidelity ladder: the first level
    at which it fails names the effect (failing at "ideal": not a device effect)."""
    from neurosim.conformance import run_scenario, with_setup

    for level, effect in LADDER:
        outcome = run_scenario(scenario, with_setup(module, fidelity=level))
        if outcome.status != "passed":
            return ("not a device effect (fails with fidelity='ideal')" if effect is None
                    else f"device effect: {effect} (passes up to the level below "
                         f"fidelity={level!r})")
    return "passes at every fidelity when rerun (the default device's draws moved it)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modules", default="neurosim.pynn,crossbar,crossbar-ideal,mock,brian2")
    ap.add_argument("--only", default="", help="run the scenarios whose id contains this")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.only)))
        return
    results = {}
    for key in args.modules.split(","):
        proc = subprocess.run([sys.executable, __file__, "--one", key, "--only", args.only],
                              capture_output=True, text=True, env=os.environ)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        results[key] = json.loads(lines[-1]) if lines else {
            "module": key, "error": proc.stderr.strip()[-2000:]}
    ref = results.get("brian2", {}).get("passed")
    summary = {k: f"{r.get('passed', 0)}/{r.get('total', '?')}" for k, r in results.items()}
    out = {"benchmark": "pynn_scenarios", "scenarios_of": "pyNN.brian2 (PyNN 0.13)",
           "summary": summary,
           "ratio_to_brian2": {k: (r.get("passed", 0) / ref if ref else None)
                               for k, r in results.items()},
           "results": results}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

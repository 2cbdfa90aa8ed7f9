"""Timing helpers the engine benchmarks share: one build and run, and the best of several."""

from __future__ import annotations

import time

from neurosim.engines import get_engine
from neurosim.units import ms


def timed_run(engine: str, spec, duration_ms: float, label: str = "P", **options) -> dict:
    """Build ``spec`` on ``engine`` (dt 0.1 ms, seed 1) and run it: build and run seconds,
    the spike count of population ``label`` (its SpikeData under ``_spikes``) and Brian2
    standalone's own timers when there are some."""
    t0 = time.perf_counter()
    sim = get_engine(engine, **options).build(spec, dt=0.1 * ms, seed=1)
    t1 = time.perf_counter()
    sim.run(duration_ms * ms, progress=False)
    t2 = time.perf_counter()
    spikes = sim.spikes(label)
    out = {"build_s": t1 - t0, "run_s": t2 - t1, "spikes": len(spikes)}
    timers = getattr(sim, "standalone_timers", None)
    if timers:
        out.update(timers)
    out["_spikes"] = spikes
    return out


def best_of(repeat: int, run, *args, **options) -> dict:
    """The run with the shortest run time of ``repeat`` calls of ``run(*args, **options)``;
    every run and build time listed (a shared machine's timings vary by up to 1.5x)."""
    runs = [run(*args, **options) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["run_s"])
    best["run_s_all"] = [r["run_s"] for r in runs]
    best["build_s_all"] = [r["build_s"] for r in runs]
    return best

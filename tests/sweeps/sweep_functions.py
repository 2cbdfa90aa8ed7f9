"""Sweep functions for the tests: module-level so that worker processes import them by name."""

from __future__ import annotations

import os
import time

import numpy as np

from neurosim.units import ms, second


def noisy_order(params, rng):
    """A fake order parameter: a sigmoid in alpha, noise from rng, an array and a quantity."""
    alpha, n = params["alpha"], params["N"]
    noise = rng.normal(0.0, 0.01)
    m = 1.0 / (1.0 + np.exp((alpha - 0.14) * 60.0)) + noise
    return {
        "m": float(m),
        "n_units": int(n),
        "stable": bool(m > 0.5),
        "trace": rng.random(3),
        "latency": (alpha * 10.0) * ms,
        "draw": int(rng.integers(0, 2**31)),
    }


def with_units(params, rng):
    """Checks that the axis values arrive with their units."""
    tau = params["tau"]
    rate = params["rate"]
    return {"tau_s": float(tau / second), "product": float(tau * rate), "u": rng.random()}


def sleepy(params, rng):
    """Sleeps a little per point (the kill-and-resume test stops it midway)."""
    time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP", "0.15")))
    return {"x2": params["x"] ** 2, "u": rng.random(), "v": rng.standard_normal(2)}


def fails_at_three(params, rng):
    """Raises at x == 3, succeeds elsewhere."""
    if params["x"] == 3:
        raise RuntimeError("diverged at x=3")
    return {"x2": params["x"] ** 2, "u": rng.random()}


def bad_result(params, rng):
    """Returns something that cannot be stored."""
    return {"obj": object()}


def table(rows):
    """The deterministic part of stored rows (no timings, no provenance), comparable with ==."""
    from neurosim.sweeps._codec import dumps

    return [
        (r["index"], r["repeat"], r["seed"], dumps(r["params"]), dumps(r["metrics"]),
         {k: v.tolist() for k, v in r["arrays"].items()}, r["units"])
        for r in rows
    ]

"""Throughput of the ELM forward + backward pass: Numba kernel against its NumPy twin.

Prints one JSON object: per configuration, sample-steps per second of forward+backward for
each kernel and their ratio. Run: ``.venv/bin/python benchmarks/elm_forward.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from neurosim.models.elm import ELMNeuron
from neurosim.units import ms

CONFIGS = {
    # name: (n_inputs, n_outputs, n_steps, n_batch, ELM fields, input density)
    "digits_plain_dm20": (8, 10, 8, 256, dict(n_memory=20, tau_m_max=100 * ms), 1.0),
    "adding_plain_dm16": (64, 19, 64, 64, dict(n_memory=16), 0.04),
    "neuronio_branch_dm10": (200, 2, 500, 8, dict(n_memory=10, tau_m_max=150 * ms,
                                                  n_branches=20, synapses_per_branch=20,
                                                  routing="neuronio"), 0.005),
}


def _time(elm: ELMNeuron, X: np.ndarray, y: np.ndarray, kernel: str, repeats: int) -> float:
    elm.loss_and_gradient(X, y, kernel=kernel)  # compile / warm up
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        elm.loss_and_gradient(X, y, kernel=kernel)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    rng = np.random.default_rng(0)
    out = {"python": platform.python_version(), "machine": platform.machine(), "results": {}}
    for name, (n_in, n_out, n_steps, n_batch, fields, density) in CONFIGS.items():
        if args.quick:
            n_batch = max(2, n_batch // 4)
        elm = ELMNeuron(n_in, n_out, seed=0, **fields)
        X = (rng.random((n_batch, n_steps, n_in)) < density) * 1.0
        y = (rng.integers(0, n_out, n_batch) if n_out != 2 else
             np.stack([rng.random((n_batch, n_steps)) < 0.01,
                       rng.normal(size=(n_batch, n_steps))], axis=-1) * 1.0)
        t_numba = _time(elm, X, y, "numba", repeats)
        t_numpy = _time(elm, X, y, "numpy", repeats)
        work = n_batch * n_steps
        out["results"][name] = {
            "n_parameters": elm.n_parameters(), "batch": n_batch, "steps": n_steps,
            "numba_sample_steps_per_s": round(work / t_numba),
            "numpy_sample_steps_per_s": round(work / t_numpy),
            "ratio_numba_over_numpy": round(t_numpy / t_numba, 2),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

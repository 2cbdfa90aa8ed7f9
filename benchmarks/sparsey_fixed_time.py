"""Fixed-time learning of a Sparsey mac: the cost of learning one item does not grow with the
number of items already stored (Rinkus 2014).

For each number of stored items (10 ... 1000), a fresh mac (384 inputs, 24 active, Q = 24,
K = 16, ``freeze_at = 1`` so it keeps learning past its usual critical period) learns that many
random items, then the next 500 items are timed, both one call per item
(:meth:`SparseyCoder.learn`, what a user loop pays) and in one kernel call
(:meth:`SparseyCoder.learn_many`). Fastest of 7 repeats (the machine is shared: the
minimum is the least disturbed run). Prints one JSON object with the wall
time per learned item and its ratio to the 10-item value (target: within +-20 %).

Usage: ``python benchmarks/sparsey_fixed_time.py``.
"""

from __future__ import annotations

import json
import time

import numpy as np

from neurosim.models.sparsey import SparseyCoder, SparseyParams, random_inputs

STORED = (10, 30, 100, 300, 1000)
TIMED = 500
REPEATS = 7


def per_item(n_stored: int, seed: int) -> tuple[float, float, float]:
    """Seconds per item for ``learn`` and ``learn_many`` after ``n_stored`` items, and the
    saturation before the timed items."""
    import warnings

    warnings.simplefilter("ignore")   # freeze_at = 1: no critical period here
    rng = np.random.default_rng(seed)
    params = SparseyParams(freeze_at=1.0)
    x = random_inputs(n_stored + 2 * TIMED, 384, 24, rng)
    mac = SparseyCoder(params=params, seed=seed)
    mac.learn_many(x[:n_stored])
    saturation = mac.saturation
    t0 = time.perf_counter()
    for row in x[n_stored:n_stored + TIMED]:
        mac.learn(row)
    one = (time.perf_counter() - t0) / TIMED
    mac2 = SparseyCoder(params=params, seed=seed)
    mac2.learn_many(x[:n_stored])
    t0 = time.perf_counter()
    mac2.learn_many(x[n_stored + TIMED:])
    batch = (time.perf_counter() - t0) / TIMED
    return one, batch, saturation


def main() -> None:
    warm = SparseyCoder(seed=0)
    warm.learn_many(random_inputs(5, 384, 24, np.random.default_rng(0)))   # load the kernel
    # repeats interleave the sizes in a shuffled order, so a slow spell of the shared machine
    # or a warming cache does not favour one size
    order = np.random.default_rng(1)
    runs: dict[int, list[tuple[float, float, float]]] = {n: [] for n in STORED}
    for seed in range(REPEATS):
        for n in order.permutation(STORED):
            runs[int(n)].append(per_item(int(n), seed))
    rows = []
    for n in STORED:
        rows.append({"stored": n,
                     "us_per_item_learn": float(min(r[0] for r in runs[n])) * 1e6,
                     "us_per_item_learn_many": float(min(r[1] for r in runs[n])) * 1e6,
                     "saturation_before": float(np.median([r[2] for r in runs[n]]))})
    for key in ("us_per_item_learn", "us_per_item_learn_many"):
        base = rows[0][key]
        for r in rows:
            r[key.replace("us_per_item", "ratio")] = r[key] / base
    flat = all(0.8 <= r[k] <= 1.2 for r in rows
               for k in ("ratio_learn", "ratio_learn_many"))
    print(json.dumps({"mac": {"n_inputs": 384, "active": 24, "n_cms": 24, "cells_per_cm": 16},
                      "timed_items": TIMED, "repeats": REPEATS, "rows": rows,
                      "flat_within_20_percent": flat}, indent=2))


if __name__ == "__main__":
    main()

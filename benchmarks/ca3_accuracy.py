"""Recall accuracy of the CA3 memory per protocol regime; prints JSON.

A study, not a test: random protocols (fixed seeds) in each regime, scored against the
paper's reference semantics (mem[c] = set(bits); recall by content is an OR-match). The
figures back docs/ca3.md. Also the authors' own test protocols (sPyMem experiments 1, 2, 4, 5).

Usage: python benchmarks/ca3_accuracy.py [--ops 120] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from neurosim.models import (
    CA3Memory,
    CA3Params,
    Learn,
    RecallByContent,
    RecallByCue,
    random_protocol,
    reference_results,
)
from neurosim.units import ms

# name: (random_protocol options, operation interval in ms)
REGIMES = {
    "overwrite, recall by cue": (dict(overwrite=True, query_bits=0), 10),
    "learn once, recall by cue and 1-bit content": (dict(overwrite=False, query_bits=1), 10),
    "learn once, recall by cue and 1-3-bit content": (dict(overwrite=False, query_bits=3), 10),
    "overwrite, recall by cue and 1-bit content": (dict(overwrite=True, query_bits=1), 10),
    "overwrite, recall by cue and 1-bit content, 20 ms apart": (
        dict(overwrite=True, query_bits=1), 20),
    "overwrite, recall by cue and 1-3-bit content": (dict(overwrite=True, query_bits=3), 10),
    "overwrite, recall by cue and 1-3-bit content, 20 ms apart": (
        dict(overwrite=True, query_bits=3), 20),
    "learn once, recall by cue and 1-3-bit content, serial queries": (
        dict(overwrite=False, query_bits=3), 10, "serial"),
    "overwrite, recall by cue and 1-3-bit content, serial queries, 20 ms apart": (
        dict(overwrite=True, query_bits=3), 20, "serial"),
}
SIZES = [(5, 10), (8, 16), (16, 32)]

# The authors' protocols (sPyMem test script, 5 x 10, one operation every 10 ms).
PAPER = [
    [Learn(0, frozenset({0, 1, 2, 9})), RecallByCue(0)],
    [Learn(0, frozenset({0, 1, 2, 9})), RecallByCue(0), Learn(0, frozenset({2, 3, 8})),
     RecallByCue(0)],
    [Learn(0, frozenset({0, 1, 2, 8, 9})), Learn(1, frozenset({0, 7, 8, 9})),
     RecallByContent(frozenset({0})), RecallByContent(frozenset({9})),
     RecallByContent(frozenset({2})), RecallByCue(0), Learn(0, frozenset({2, 3, 9})),
     RecallByCue(0), RecallByContent(frozenset({0})), RecallByContent(frozenset({2})),
     RecallByContent(frozenset({9}))],
    [Learn(0, frozenset({0, 1, 2})), Learn(1, frozenset({1, 2, 3})),
     Learn(2, frozenset({2, 3, 4})), RecallByContent(frozenset({0, 4})),
     RecallByContent(frozenset({2})), RecallByCue(1), RecallByContent(frozenset({1, 3}))],
]


def score(mem: CA3Memory, ops) -> tuple[int, int, dict[str, list[int]]]:
    results = mem.run(ops, progress=False)
    by_kind: dict[str, list[int]] = {"cue": [0, 0], "content": [0, 0]}
    for r, e in zip(results, reference_results(ops)):
        if e is None:
            continue
        kind = "cue" if isinstance(r.op, RecallByCue) else "content"
        by_kind[kind][0] += int(r.result == e)
        by_kind[kind][1] += 1
    ok = sum(v[0] for v in by_kind.values())
    n = sum(v[1] for v in by_kind.values())
    return ok, n, by_kind


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=int, default=120)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    start = time.perf_counter()
    out: dict = {"benchmark": "ca3_accuracy", "ops_per_protocol": args.ops,
                 "seeds": args.seeds, "regimes": {}}
    ok = n = 0
    for ops in PAPER:
        a, b, _ = score(CA3Memory(5, 10, seed=0), ops)
        ok, n = ok + a, n + b
    out["paper_experiments"] = {"correct": ok, "recalls": n, "accuracy": ok / n}
    for name, (kw, interval_ms, *mode) in REGIMES.items():
        params = CA3Params(op_interval=interval_ms * ms,
                           query_mode=mode[0] if mode else "parallel")
        row = {}
        for n_c, n_k in SIZES:
            tot = {"cue": [0, 0], "content": [0, 0]}
            for seed in range(args.seeds):
                rng = np.random.default_rng(10_000 * seed + 100 * n_c + n_k)
                ops = random_protocol(n_c, n_k, args.ops, rng, **kw)
                _, _, by_kind = score(CA3Memory(n_c, n_k, seed=seed, params=params), ops)
                for k in tot:
                    tot[k][0] += by_kind[k][0]
                    tot[k][1] += by_kind[k][1]
            row[f"{n_c}x{n_k}"] = {
                f"{k}_correct": v[0] for k, v in tot.items()} | {
                f"{k}_recalls": v[1] for k, v in tot.items()}
        c = sum(v["cue_correct"] + v["content_correct"] for v in row.values())
        t = sum(v["cue_recalls"] + v["content_recalls"] for v in row.values())
        out["regimes"][name] = {"op_interval_ms": interval_ms,
                                "query_mode": params.query_mode, "sizes": row, "correct": c,
                                "recalls": t,
                                "accuracy": c / t if t else None}
    out["wall_s"] = time.perf_counter() - start
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

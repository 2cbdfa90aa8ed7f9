"""``neurosim run sparsey``: learn random inputs on one Sparsey mac and print its SISC curve.

The model is reached through the registry (``registry.get("model", "sparsey")``), never by
importing :mod:`neurosim.models` (the core/model layering).
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from typing import Any

from neurosim import registry
from neurosim.commands.arguments import (
    check_plot_has_out,
    output_folder,
    positive_int,
    unit_fraction,
)

__all__ = ["add_sparsey_parser", "cmd_run_sparsey"]

_OVERLAPS = (1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0)


def add_sparsey_parser(run_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run sparsey`` to the ``run`` command's subparsers."""
    p = run_subparsers.add_parser(
        "sparsey", help="Sparsey mac: single-trial learning, SISC curve, familiarity",
        description="Learns --items random binary inputs (--active of --inputs on) on one "
                    "Sparsey macrocolumn (Q CMs of K cells; Rinkus 2010, 2014), then presents "
                    "versions of them with a given fraction of their active inputs kept and "
                    "prints the code overlap with the stored codes (retrieval: argmax; CSA: "
                    "the learning-mode draw), the familiarity G and the saturation. Writes "
                    "results.json to --out.")
    p.add_argument("--items", type=positive_int, default=60, help="random items to learn")
    p.add_argument("--inputs", type=positive_int, default=384, help="input size")
    p.add_argument("--active", type=positive_int, default=24, help="active inputs per item")
    p.add_argument("--cms", type=positive_int, default=24, help="Q, competitive modules")
    p.add_argument("--cells", type=positive_int, default=16, help="K, cells per CM")
    p.add_argument("--freeze-at", type=unit_fraction, default=None,
                   help="saturation that ends the critical period (default: SparseyParams')")
    p.add_argument("--kernel", choices=["numba", "numpy"], default="numba",
                   help="the compiled kernel or its NumPy twin (same codes)")
    p.add_argument("--seed", type=int, default=0, help="seed of the items and the CSA")
    p.add_argument("--out", type=output_folder, default=None, help="folder for results.json")
    p.add_argument("--plot", action="store_true",
                   help="write sisc.png (SISC curve, familiarity) to --out")
    return p


def cmd_run_sparsey(args: argparse.Namespace) -> int:
    """Run ``neurosim run sparsey``; 0 on success."""
    import numpy as np

    check_plot_has_out(args)
    coder_cls = registry.get("model", "sparsey")
    sparsey = importlib.import_module(coder_cls.__module__)
    params = sparsey.SparseyParams()
    changes = {"n_inputs": args.inputs, "n_cms": args.cms, "cells_per_cm": args.cells}
    if args.freeze_at is not None:
        changes["freeze_at"] = args.freeze_at
    params = params.replace(**changes)
    rng = np.random.default_rng(args.seed)
    mac = coder_cls(params=params, seed=args.seed, kernel=args.kernel)
    x = sparsey.random_inputs(args.items, args.inputs, args.active, rng)
    t0 = time.perf_counter()
    codes, fam, learned = mac.learn_many(x)
    wall = time.perf_counter() - t0
    print(f"mac: {args.inputs} inputs ({args.active} active), Q = {args.cms}, K = {args.cells}; "
          f"learned {int(learned.sum())}/{args.items} items in {wall * 1e3:.1f} ms, "
          f"saturation {mac.saturation:.3f}{' (frozen)' if mac.frozen else ''}")
    print(f"familiarity G while learning: first 10 items {np.nanmean(fam[:10]):.3f}, "
          f"last 10 {np.nanmean(fam[-10:]):.3f}")
    print("input overlap   code overlap (retrieval)   code overlap (CSA draw)")
    rows = []
    for ov in _OVERLAPS:
        noisy = sparsey.perturb(x, ov, rng)
        ret = float(np.mean(sparsey.code_overlap(mac.infer(noisy), codes)))
        csa = float(np.mean(sparsey.code_overlap(mac.encode(noisy)[0], codes)))
        rows.append({"input_overlap": ov, "retrieval": ret, "csa": csa})
        print(f"{ov:13.3f}   {ret:24.3f}   {csa:23.3f}")
    print(f"chance overlap 1/K = {1 / args.cells:.4f}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        result = {"params": params.to_dict(), "items": args.items, "active": args.active,
                  "learned": int(learned.sum()), "saturation": mac.saturation,
                  "familiarity": [None if np.isnan(g) else float(g) for g in fam],
                  "sisc": rows, "learn_wall_s": wall, "seed": args.seed}
        (args.out / "results.json").write_text(json.dumps(result, indent=2))
        print(f"wrote results.json to {args.out}")
    if args.plot:
        from neurosim.plotting import save, sisc_curve

        save(sisc_curve(rows, 1 / args.cells, fam,
                        title=f"one mac: Q = {args.cms}, K = {args.cells}, {args.items} items"),
             args.out / "sisc.png")
        print(f"wrote sisc.png to {args.out}")
    return 0

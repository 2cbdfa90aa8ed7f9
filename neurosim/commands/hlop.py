"""``neurosim run hlop``: continual learning of permuted digits (or local PMNIST) with HLOP.

Trains the spiking MLP of :mod:`neurosim.models.hlop` on a stream of permuted tasks with
each projection asked for (``none``: fine-tuning; ``hlop``: Hebbian orthogonal projection;
``svd``: the exact-SVD oracle), for each seed, and prints the accuracy matrices, ACC and BWT.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

from neurosim import registry
from neurosim.commands.arguments import (
    add_progress_argument,
    add_seeds_argument,
    check_plot_has_out,
    output_folder,
    positive_int,
)

__all__ = ["add_hlop_parser", "cmd_run_hlop"]


def add_hlop_parser(run_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``hlop`` to the subcommands of ``neurosim run``."""
    p = run_subparsers.add_parser(
        "hlop", help="HLOP continual learning on permuted digits (Xiao et al. ICLR 2024)",
        description="Trains a spiking MLP (LIF, DSR gradients) on a stream of permuted tasks "
                    "with plain fine-tuning, Hebbian orthogonal projection and an exact-SVD "
                    "projection oracle; prints the accuracy matrix R[i, j] (accuracy on task "
                    "j after task i), ACC and BWT. Writes results.json to --out.")
    p.add_argument("--tasks", type=positive_int, default=5,
                   help="number of tasks (task 0: identity)")
    p.add_argument("--methods", default="none,hlop,svd",
                   help="comma-separated projections: none, hlop, svd")
    add_seeds_argument(p)
    p.add_argument("--epochs", type=positive_int, default=None,
                   help="epochs per task (default 20)")
    p.add_argument("--hidden", type=positive_int, default=None,
                   help="hidden neurons per layer (128)")
    p.add_argument("--lateral", choices=["rate", "spiking"], default="rate",
                   help="subspace neurons as real numbers or as quantised spiking neurons")
    p.add_argument("--mnist", type=Path, default=None,
                   help="folder with MNIST IDX files: run permuted MNIST instead of digits")
    p.add_argument("--max-train", type=positive_int, default=None,
                   help="with --mnist: keep the first N training images")
    p.add_argument("--out", type=output_folder, default=None, help="folder for results.json")
    p.add_argument("--plot", action="store_true",
                   help="write accuracy_<method>_seed<k>.png (the R matrix) to --out")
    add_progress_argument(p)
    return p


def cmd_run_hlop(args: argparse.Namespace) -> int:
    """Run ``neurosim run hlop``; 0 on success."""
    import numpy as np

    # the core reaches the model through the registry only
    check_plot_has_out(args)
    cls = registry.get("model", "hlop")
    hlop = importlib.import_module(cls.__module__)
    seeds = args.seeds
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    overrides: dict[str, Any] = {"lateral": args.lateral}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.hidden is not None:
        overrides["n_hidden"] = args.hidden
    results = []
    for seed in seeds:
        if args.mnist is not None:
            tasks = hlop.permuted_mnist(args.mnist, args.tasks, seed=seed,
                                        max_train=args.max_train)
        else:
            tasks = hlop.permuted_digits(args.tasks, seed=seed)
        for method in methods:
            res = hlop.run_continual(tasks, method, seed=seed,
                                     progress=args.progress, **overrides)
            print(f"seed {seed} {res.summary()}")
            with np.printoptions(precision=3, suppress=True):
                print(res.R)
            results.append({"seed": seed, "projection": method, "acc": res.acc,
                            "bwt": res.bwt, "seconds": res.seconds, "R": res.R.tolist(),
                            "params": res.network.params.to_dict()})
    print("mean over seeds:")
    for method in methods:
        rows = [r for r in results if r["projection"] == method]
        acc = float(np.mean([r["acc"] for r in rows]))
        bwt = float(np.mean([r["bwt"] for r in rows]))
        print(f"  {method:>5}: ACC = {acc:.3f}, BWT = {bwt:+.3f}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2))
        print(f"wrote results.json to {args.out}")
    if args.plot:
        import matplotlib.pyplot as plt

        from neurosim.plotting import accuracy_matrix, save

        for r in results:
            name = f"accuracy_{r['projection']}_seed{r['seed']}.png"
            ax = accuracy_matrix(np.array(r["R"]), title=f"{r['projection']}, seed {r['seed']}: "
                                 f"ACC {r['acc']:.3f}, BWT {r['bwt']:+.3f}")
            save(ax.figure, args.out / name)
            print(f"wrote {name} to {args.out}")
        plt.close("all")
    return 0

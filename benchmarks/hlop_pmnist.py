"""HLOP on permuted MNIST-5k as the authors run it (issue 20): 10 tasks of the real MNIST
images (neurosim.datasets.permuted_mnist, 4000 train / 1000 test per task), a 784-800-800-10
spiking MLP, one epoch per task, SGD lr 0.1, batch 64, and the authors' subspace schedule and
Oja iteration (pkuxmq/HLOP-SNN spiking_train_pmnist.py: [80, 200, 100] rows at task 0, then
70, 70, 50, 50, 50, 30, ...; 5 iterations, momentum 0.9, clip 10).

Oja's rate: every layer gets the largest step the authors' fixed rates take in our network,
eta E||x||^2 = 1.2 (their 0.01 on our first hidden layer's traces; ``--hebbian-rate
normalised --hlop-lr 1.2``, the default). The authors' hidden rate 0.01 acts on traces in
spike units (Vth/dt = 6); on our rates in [0, 1] it gives the classifier's input eta
lambda_max = 0.03 against 0.25 and 0.55 at the other layers, so that layer's rows converge
slowest (docs/hlop.md has the measurements, and the choice checked on seeds 3-5).
``--hebbian-rate fixed`` runs the authors' 0.001 / 0.01 as numbers.

Methods, each on the same tasks and seed: fine-tuning (no projection), HLOP, and the
exact-SVD oracle at HLOP's sizes (the subspace HLOP's Hebbian rule would converge to). Prints
JSON: ACC and BWT per seed and their means, the energy of the exact top-k subspace captured by
HLOP's learned rows per layer and task, and wall time.

    .venv/bin/python benchmarks/hlop_pmnist.py [--seeds 0 1 2] [--tasks 10] [--hidden 800]
        [--hebbian-passes 15] [--hebbian-rate normalised|fixed] [--hlop-lr 1.2]
        [--inputs authors|unit] [--fixed-threshold] [--exact-layer L]

Inputs are normalised as the authors' loader does ((x - 0.1307) / 0.3081; ``--inputs unit``
keeps pixels in [0, 1]). Oja gets the authors' number of updates per task: their 60,000
images per task give 938 batches, MNIST-5k's 4000 give 63, so ``--hebbian-passes 15``
(HLOPParams.hebbian_passes: the pass during training, then 14 over the trained network's
traces). Each hidden layer's threshold is trained as in the authors' run (``-train_Vth 1``,
their DSR threshold gradient, every task; ``--fixed-threshold`` keeps it at 0.3). Departure
from the authors' run: MNIST-5k instead of 60,000 images per task. Needs the extra ``data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from neurosim.datasets import permuted_mnist
from neurosim.models.hlop import HLOPParams, Task, run_continual


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=800)
    ap.add_argument("--methods", nargs="+", default=["none", "hlop", "svd"])
    ap.add_argument("--hebbian-passes", type=int, default=15)
    ap.add_argument("--inputs", choices=("authors", "unit"), default="authors")
    ap.add_argument("--fixed-threshold", action="store_true")
    ap.add_argument("--hebbian-rate", choices=("fixed", "normalised"),
                    default="normalised",
                    help="fixed: the authors' 0.001 / 0.01; normalised: HLOPParams.hlop_lr / "
                         "mean ||x||^2 in every layer")
    ap.add_argument("--hlop-lr", type=float, default=1.2,
                    help="HLOPParams.hlop_lr, the normalised rate's eta E||x||^2")
    ap.add_argument("--exact-layer", type=int, default=-1,
                    help="diagnostic: HLOP stores this layer's exact top-k subspace (0 = input)")
    args = ap.parse_args()
    params = HLOPParams(n_hidden=args.hidden, epochs=1, lr=0.1, schedule="authors",
                        hebbian_rate=args.hebbian_rate, hlop_lr=args.hlop_lr,
                        hebbian_passes=args.hebbian_passes,
                        train_threshold=not args.fixed_threshold,
                        exact_layer=args.exact_layer)
    # the authors' loader: transforms.Normalize((0.1307,), (0.3081,)) on [0, 1] pixels
    shift, scale = (0.1307, 0.3081) if args.inputs == "authors" else (0.0, 1.0)
    out: dict = {"benchmark": "hlop_pmnist", "tasks": args.tasks, "hidden": args.hidden,
                 "inputs": args.inputs,
                 "params": params.to_dict(),
                 "paper": {"hlop": {"acc": 0.952, "bwt": -0.013},
                           "fine-tuning": {"acc": 0.706, "bwt": -0.289},
                           "note": "60,000 images per task, 800-800, thresholds trained"},
                 "runs": []}
    for seed in args.seeds:
        stream = permuted_mnist(args.tasks, seed=seed)
        tasks = [Task(f"perm{k}", (t.x_train.astype(np.float64) - shift) / scale, t.y_train,
                      (t.x_test.astype(np.float64) - shift) / scale, t.y_test, t.permutation)
                 for k, t in enumerate(stream)]
        for method in args.methods:
            t0 = time.perf_counter()
            res = run_continual(tasks, method, params=params, seed=seed, progress=False)
            row = {"seed": seed, "method": method, "acc": res.acc, "bwt": res.bwt,
                   "final_row": np.round(res.R[-1], 4).tolist(),
                   "seconds": round(time.perf_counter() - t0, 1),
                   "thresholds": np.round(res.network.thresholds, 5).tolist()}
            if method == "hlop":
                row["captured_energy"] = [np.round(e, 3).tolist()
                                          for e in res.network.subspace_energy]
            out["runs"].append(row)
            # each run's row as it ends (a run takes minutes: a later failure loses none)
            print(json.dumps(row), flush=True, file=sys.stderr)
    out["mean"] = {m: {k: float(np.mean([r[k] for r in out["runs"] if r["method"] == m]))
                       for k in ("acc", "bwt")} for m in args.methods}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

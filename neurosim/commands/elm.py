"""``neurosim run elm --task digits|adding|neuronio ...``: train and score an ELM neuron.

The core reaches the model only through the registry (``registry.get("model", "elm")``) and
the tasks through the model's package (``neurosim.models.elm_tasks``, imported by name), so
the layering of tests/test_architecture.py holds.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from typing import Any

from neurosim import registry
from neurosim.commands.arguments import (
    add_progress_argument,
    check_plot_has_out,
    output_folder,
    positive_float,
    positive_int,
)

__all__ = ["add_elm_parser", "cmd_run_elm"]

TASKS = ("digits", "adding", "neuronio")


def add_elm_parser(run_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run elm`` to the ``run`` command's model subparsers."""
    p = run_subparsers.add_parser(
        "elm", help="Expressive Leaky Memory neuron (Spieler et al. 2024): train and score",
        description="Trains an ELM neuron by backpropagation through time on an offline task "
                    "and prints its score: digits (sequential 8x8 digits, accuracy), adding "
                    "(Digits-Adding, sum of two spike-coded digits, accuracy) or neuronio "
                    "(NeuronIO-lite: fit a simulated IF_cond_exp neuron, spike AUC and "
                    "voltage RMSE). Writes results.json to --out when given.")
    p.add_argument("--task", choices=TASKS, required=True)
    p.add_argument("--version", choices=("v1", "v2"), default="v1",
                   help="the ELM neuron's version (Spieler et al. 2024)")
    p.add_argument("--memory", type=positive_int, default=None,
                   help="memory units d_m (default per task: 20, 16, 10)")
    p.add_argument("--tau-max-ms", type=positive_float, default=None,
                   help="largest initial tau_m (default: 100, 1000, 150 ms)")
    p.add_argument("--branches", type=positive_int, default=None,
                   help="Branch-ELM branches (neuronio default 20; 0: plain ELM)")
    p.add_argument("--synapses-per-branch", type=positive_int, default=20,
                   help="synapses on each dendritic branch")
    p.add_argument("--routing", choices=("none", "random", "neuronio"), default=None)
    p.add_argument("--epochs", type=positive_int, default=None)
    p.add_argument("--lr", type=positive_float, default=1e-2, help="learning rate")
    p.add_argument("--optimizer", choices=("adam", "adamax"), default="adam",
                   help="gradient step rule")
    p.add_argument("--batch-size", type=positive_int, default=None)
    p.add_argument("--trials", type=positive_int, default=32,
                   help="neuronio: 2 s teacher trials for training (a quarter for testing)")
    p.add_argument("--kernel", choices=("numba", "numpy"), default="numba",
                   help="the compiled kernel or its NumPy twin")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the data, initial weights and batches")
    p.add_argument("--quick", action="store_true", help="a small, fast run (smoke test)")
    add_progress_argument(p)
    p.add_argument("--out", type=output_folder, default=None, help="folder for results.json")
    p.add_argument("--plot", action="store_true", help="write loss.png to --out")
    return p


def cmd_run_elm(args: argparse.Namespace) -> int:
    """Run ``neurosim run elm``; 0 on success."""
    from neurosim.units import ms

    check_plot_has_out(args)
    elm_cls = registry.get("model", "elm")
    package = elm_cls.__module__.rpartition(".")[0]
    tasks = importlib.import_module(package + ".elm_tasks")
    quick = args.quick
    start = time.perf_counter()
    common: dict[str, Any] = dict(version=args.version, learning_rate=args.lr,
                                  optimizer=args.optimizer, kernel=args.kernel,
                                  seed=args.seed)
    extra: dict[str, Any] = {}
    if args.task == "digits":
        Xtr, Xte, ytr, yte = tasks.sequential_digits(seed=args.seed)
        if quick:
            Xtr, ytr = Xtr[:300], ytr[:300]
        elm = elm_cls(8, 10, n_memory=args.memory or 20,
                      tau_m_max=(args.tau_max_ms or 100.0) * ms,
                      epochs=args.epochs or (5 if quick else 40),
                      batch_size=args.batch_size or 32, **common)
        elm.fit(Xtr, ytr, progress=args.progress)
        metrics = {"accuracy": elm.score(Xte, yte)}
    elif args.task == "adding":
        n_train, n_test = (400, 200) if quick else (3000, 1000)
        Xtr, Xte, ytr, yte = tasks.digits_adding(n_train, n_test, steps_per_digit=8,
                                                 gap_steps=48, seed=args.seed)
        elm = elm_cls(64, 19, n_memory=args.memory or 16,
                      tau_m_max=(args.tau_max_ms or 1000.0) * ms,
                      epochs=args.epochs or (2 if quick else 20),
                      batch_size=args.batch_size or 32, **common)
        elm.fit(Xtr, ytr, progress=args.progress)
        metrics = {"accuracy": elm.score(Xte, yte)}
    else:
        n_trials = 4 if quick else args.trials
        train = tasks.neuronio_lite(n_trials=n_trials, seed=2 * args.seed + 1,
                                    neuron_seed=args.seed)
        test = tasks.neuronio_lite(n_trials=max(1, n_trials // 4), seed=2 * args.seed + 2,
                                   neuron_seed=args.seed)
        Xtr, ytr = train.windows(500)
        Xte, yte = test.windows(500)
        branches = 20 if args.branches is None else args.branches
        shape = (dict(n_branches=branches, synapses_per_branch=args.synapses_per_branch,
                      routing=args.routing or "neuronio") if branches else {})
        elm = elm_cls(Xtr.shape[2], 2, n_memory=args.memory or 10,
                      tau_m_max=(args.tau_max_ms or 150.0) * ms, burn_in=150,
                      epochs=args.epochs or (2 if quick else 30),
                      batch_size=args.batch_size or 8, **shape, **common)
        elm.fit(Xtr, ytr, progress=args.progress)
        metrics = tasks.neuronio_scores(elm, Xte, yte, burn_in=150)
        extra = {"teacher_rate_hz": train.rate_hz}
    wall = time.perf_counter() - start
    result = {"task": args.task, "version": args.version, "n_parameters": elm.n_parameters(),
              "n_memory": elm.params.n_memory, "tau_m_max_ms": float(elm.params.tau_m_max / ms),
              "epochs": elm.training.epochs, "final_loss": elm.history_[-1]["loss"],
              "seed": args.seed, "wall_s": round(wall, 2), **metrics, **extra}
    for key, value in result.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out / 'results.json'}")
    if args.plot:
        from neurosim.plotting import loss_curve, save

        ax = loss_curve(elm.history_, title=f"ELM neuron on {args.task}: training loss")
        save(ax.figure, args.out / "loss.png")
        print(f"wrote loss.png to {args.out}")
    return 0

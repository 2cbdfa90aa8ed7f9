"""``neurosim run lsm``: the resistive liquid state machine on event digits or spoken digits.

Trains the readout of a liquid state machine whose random weights come from forming
resistive cells (``--device PRESET``) or from a Gaussian (``--software``) and prints the test
accuracy per seed; ``--task zeroshot`` trains LSM-CLIP on seen classes and scores seen and
unseen classes (docs/lsm.md).
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
    add_seeds_argument,
    check_plot_has_out,
    nonnegative_float,
    output_folder,
)

__all__ = ["add_lsm_parser", "cmd_run_lsm"]

SWITCHING_PRESETS = ("lsm_lin2023", "esgnn_wang2023")


def add_lsm_parser(run_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``lsm`` to the subcommands of ``neurosim run``."""
    lsm = run_subparsers.add_parser(
        "lsm", help="liquid state machine with resistive-memory random weights (Lin et al.)",
        description="Liquid state machine (Lin et al., arXiv 2307.00771): a fixed random "
                    "spiking reservoir whose weights come from the stochastic forming of "
                    "resistive cells (--device) or a Gaussian (--software); only the readout "
                    "is trained. Tasks: digits (saccade DVS events of load_digits), spoken "
                    "(espeak-ng digits through a 64-channel cochlea), zeroshot (LSM-CLIP).")
    src = lsm.add_mutually_exclusive_group()
    src.add_argument("--device", choices=SWITCHING_PRESETS, default=None,
                     help="switching preset the weights are formed with (default lsm_lin2023)")
    src.add_argument("--software", action="store_true",
                     help="Gaussian weights of the same standard deviation")
    lsm.add_argument("--task", choices=("digits", "spoken", "zeroshot"), default="digits",
                     help="what the reservoir is read out for")
    lsm.add_argument("--modalities", choices=("digits", "audio"), default="digits",
                     help="zeroshot: digits = event digits + row-scanned digits (seen 0-7); "
                          "audio = event digits + spoken digits (seen 1-7, the paper's)")
    lsm.add_argument("--read-noise", type=nonnegative_float, default=0.0,
                     help="relative read noise of every weight at every step")
    add_seeds_argument(lsm)
    add_progress_argument(lsm)
    lsm.add_argument("--out", type=output_folder, default=None, help="folder for results.json")
    lsm.add_argument("--plot", action="store_true",
                     help="write lsm.png to --out: accuracy per seed, the readout's confusion "
                          "matrix and one sample's reservoir spikes (zeroshot: seen and "
                          "unseen accuracy per seed)")
    lsm.add_argument("--json", action="store_true", help="print one JSON object at the end")
    return lsm


def cmd_run_lsm(args: argparse.Namespace) -> int:
    """Run ``neurosim run lsm``; 0 on success."""
    import numpy as np

    check_plot_has_out(args)
    lsm_cls = registry.get("model", "lsm")  # the core reaches models by the registry only
    lsm = importlib.import_module(lsm_cls.__module__)
    weights = "gaussian" if args.software else "device"
    device = args.device or "lsm_lin2023"
    label = "software (Gaussian)" if args.software else f"device ({device})"
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    if args.task == "zeroshot":
        params = lsm.ZeroShotParams()
        for seed in _bar(args):
            out = lsm.zero_shot_experiment(args.modalities, seed=seed, weights=weights,
                                           device=device, params=params,
                                           progress=args.progress)
            rows.append({"seed": seed, **out})
            print(f"seed {seed}: seen {out['seen']:.3f} ({out['n_seen_classes']}-way), "
                  f"unseen {out['unseen']:.3f} (2-way)")
        summary = {"seen": float(np.mean([r["seen"] for r in rows])),
                   "unseen": float(np.mean([r["unseen"] for r in rows]))}
        print(f"zero-shot LSM, {label} weights, {args.modalities} modalities: mean seen "
              f"{summary['seen']:.3f}, unseen {summary['unseen']:.3f}")
    else:
        data = lsm.load_task(args.task)
        params = lsm.TASK_PARAMS[args.task].replace(device=device)
        first = None
        for seed in _bar(args):
            fit = lsm.fit_task(args.task, weights=weights, seed=seed,
                               read_noise=args.read_noise, data=data, params=params,
                               progress=args.progress)
            first = first or fit
            rows.append({"seed": seed, "accuracy": fit.accuracy})
            print(f"seed {seed}: test accuracy {fit.accuracy:.3f}")
        summary = {"accuracy": float(np.mean([r["accuracy"] for r in rows]))}
        print(f"LSM on {args.task}, {label} weights, read noise {args.read_noise:g}: "
              f"mean test accuracy {summary['accuracy']:.3f}")
    wall = time.perf_counter() - start
    print(f"{wall:.1f} s wall time")
    result = {"task": args.task, "weights": weights, "device": device,
              "read_noise": args.read_noise, "seeds": args.seeds, "runs": rows, **summary,
              "wall_s": wall}
    if args.json:
        print(json.dumps(result))
    if args.out is not None:
        (args.out / "results.json").write_text(json.dumps(result, indent=2))
        print(f"wrote results.json to {args.out}")
    if args.plot:
        _plot(args, rows, label, data if args.task != "zeroshot" else None,
              first if args.task != "zeroshot" else None)
    return 0


def _plot(args: argparse.Namespace, rows: list[dict[str, Any]], label: str, data: Any,
          fit: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from neurosim.plotting import lsm_summary, save

    seeds = [r["seed"] for r in rows]
    if fit is None:  # zero-shot: seen and unseen accuracy per seed, against chance
        fig, ax = plt.subplots(figsize=(7, 4.2))
        x = np.arange(len(rows))
        ax.bar(x - 0.2, [r["seen"] for r in rows], 0.4, label="seen classes")
        ax.bar(x + 0.2, [r["unseen"] for r in rows], 0.4, label="unseen classes (2-way)")
        ax.axhline(0.5, color="0.4", ls="--", lw=1, label="unseen chance 0.5")
        ax.axhline(1 / rows[0]["n_seen_classes"], color="0.6", ls=":", lw=1,
                   label=f"seen chance 1/{rows[0]['n_seen_classes']}")
        ax.set_xticks(x, [str(s) for s in seeds])
        ax.set(xlabel="seed", ylabel="accuracy", ylim=(0, 1),
               title=f"zero-shot LSM, {label} weights, {args.modalities} modalities")
        ax.legend(fontsize=8, loc="lower right")
        save(fig, args.out / "lsm.png")
    else:
        X, y = data
        classes = np.unique(y)
        truth = np.asarray(y)[fit.test]
        confusion = np.array([[np.sum((truth == a) & (fit.predicted == b)) for b in classes]
                              for a in classes])
        k = int(fit.test[0])
        _, spikes = fit.lsm.run(X[k:k + 1], record=True)
        fig = lsm_summary([r["accuracy"] for r in rows], seeds, 1 / len(classes), confusion,
                          spikes[0], int(y[k]), int(fit.predicted[0]),
                          title=f"LSM on {args.task}, {label} weights")
        save(fig, args.out / "lsm.png")
    print(f"wrote lsm.png to {args.out}")


def _bar(args: argparse.Namespace) -> Any:
    """The seeds, with a progress bar unless --no-progress."""
    from tqdm.auto import tqdm

    return tqdm(args.seeds, desc=f"lsm {args.task}", unit="seed", disable=not args.progress)

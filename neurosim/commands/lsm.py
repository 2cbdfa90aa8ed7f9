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
    lsm.add_argument("--json", action="store_true", help="print one JSON object at the end")
    return lsm


def cmd_run_lsm(args: argparse.Namespace) -> int:
    """Run ``neurosim run lsm``; 0 on success."""
    import numpy as np

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
                                           device=device, params=params)
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
        for seed in _bar(args):
            acc = lsm.evaluate(args.task, weights=weights, seed=seed,
                               read_noise=args.read_noise, data=data, params=params,
                               progress=args.progress)
            rows.append({"seed": seed, "accuracy": acc})
            print(f"seed {seed}: test accuracy {acc:.3f}")
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
    return 0


def _bar(args: argparse.Namespace) -> Any:
    """The seeds, with a progress bar unless --no-progress."""
    from tqdm.auto import tqdm

    return tqdm(args.seeds, desc=f"lsm {args.task}", unit="seed", disable=not args.progress)

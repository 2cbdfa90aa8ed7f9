"""Argument types the subcommands share: numbers checked for range and finiteness, and
output folders checked (created, written) before a run starts, so that bad input stops at
the parser with one line (argparse's ``error: argument --x: ...``, exit code 2) instead of
deep in a run or after it."""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_progress_argument", "add_seeds_argument", "check_plot_has_out", "nonnegative_float",
           "nonnegative_int", "output_folder", "positive_float", "positive_int", "seed_list",
           "unit_fraction"]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _checked(parse: Callable[[str], Any], ok: Callable[[Any], bool], allowed: str,
             name: str) -> Callable[[str], Any]:
    """An argparse type: ``parse`` the text, then refuse a value that is not ``ok``."""

    def check(text: str) -> Any:
        value = parse(text)
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text}")
        return value

    check.__name__ = name  # argparse names the type in some messages
    check.__doc__ = f"{allowed[0].upper()}{allowed[1:]}."
    return check


positive_int = _checked(_int, lambda v: v >= 1, "an integer >= 1", "positive_int")
nonnegative_int = _checked(_int, lambda v: v >= 0, "an integer >= 0", "nonnegative_int")
positive_float = _checked(_float, lambda v: v > 0, "a finite number > 0", "positive_float")
nonnegative_float = _checked(_float, lambda v: v >= 0, "a finite number >= 0",
                             "nonnegative_float")
unit_fraction = _checked(_float, lambda v: 0 < v <= 1, "a number in (0, 1]", "unit_fraction")


def output_folder(text: str) -> Path:
    """A folder results can be written to: created now (with its parents) and tried with a
    scratch file, so that a run never fails at its end for want of a place to write."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=path, prefix=".neurosim-write-test-")
        os.close(fd)
        os.remove(scratch)
    except OSError as err:
        raise argparse.ArgumentTypeError(
            f"cannot write results to {text!r}: {err.strerror or err}") from None
    return path


def seed_list(text: str) -> list[int]:
    """Comma-separated seeds, each an integer >= 0, none twice: ``0,1,2``."""
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise argparse.ArgumentTypeError(f"must be comma-separated integers, got {text!r}")
    seeds = [_int(p) for p in parts]
    if any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"must be distinct integers >= 0, got {text!r}")
    return seeds


def add_seeds_argument(parser: argparse.ArgumentParser, default: str = "0") -> None:
    """``--seeds 0,1,2``: the one meaning of ``--seeds`` in every command (a list; the
    results are reported per seed and as their mean)."""
    parser.add_argument("--seeds", type=seed_list, default=seed_list(default),
                        help="comma-separated seeds, one run each")


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """``--progress`` / ``--no-progress`` (default: on), the same on every long command."""
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                        help="progress bars on long runs")


def check_plot_has_out(args: argparse.Namespace) -> None:
    """``--plot`` writes into ``--out``: without one, a NeurosimError (exit 2) before the
    run, not a run whose picture has nowhere to go."""
    from neurosim.errors import NeurosimError

    if getattr(args, "plot", False) and getattr(args, "out", None) is None:
        raise NeurosimError("--plot writes its PNG to --out: give --out")

"""Argument types the subcommands share: numbers checked for range and finiteness, and
output folders checked (created, written) before a run starts, so that bad input stops at
the parser with one line (argparse's ``error: argument --x: ...``, exit code 2) instead of
deep in a run or after it."""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

__all__ = ["nonnegative_float", "nonnegative_int", "output_folder", "positive_float",
           "positive_int", "unit_fraction"]


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


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite number >= 0."""
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def unit_fraction(text: str) -> float:
    """A number in (0, 1]."""
    value = _float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text}")
    return value


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

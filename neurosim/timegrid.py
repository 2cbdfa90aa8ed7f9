"""The one rule that puts a time on the simulation grid.

A time (a spike time, a current source's switching time, a synaptic delay) becomes the
nearest step, halves rounded up: ``floor(t/dt + 0.5)``. Every engine and every lowering goes
through :func:`time_steps`, so a time halfway between two steps lands on the same step
everywhere (NumPy's ``round`` would send halves to the even step). Counts of whole ticks
with a published rule of their own (sPyNNaker's refractory ``ceil(tau_refrac/dt)``) and
values that must lie on the grid (given delays, sampling intervals) are checked where they
are defined.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["time_step", "time_steps"]


def time_steps(t_s: Any, dt_s: float) -> np.ndarray:
    """The steps of times ``t_s`` (seconds, any shape): the nearest, halves up (int64)."""
    return np.floor(np.asarray(t_s, dtype=float) / dt_s + 0.5).astype(np.int64)


def time_step(t_s: float, dt_s: float) -> int:
    """:func:`time_steps` of one time, as a Python int."""
    return math.floor(t_s / dt_s + 0.5)

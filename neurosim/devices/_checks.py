"""Argument checks shared by the device classes: units in, SI arrays out, errors named."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.units import require_quantity, to_si


def si_array(value: Any, unit: Any, name: str, owner: str, *, low: float | None = None,
             low_open: bool = False) -> np.ndarray:
    """``value`` (a Brian2 quantity, scalar or array) as a float array in SI, checked.

    Raises :class:`ParameterError` naming ``name`` for a bare number, wrong dimensions, a
    non-finite entry or an entry below ``low`` (or at it, when ``low_open``).
    """
    require_quantity(value, unit, name, owner)
    x = np.asarray(to_si(value), dtype=float)
    if not np.all(np.isfinite(x)):
        raise ParameterError(name, value, "finite everywhere", owner)
    if low is not None:
        bad = (x <= low) if low_open else (x < low)
        if np.any(bad):
            sign = ">" if low_open else ">="
            raise ParameterError(name, value, f"{sign} {low:g} (SI) everywhere", owner)
    return x


def shape_tuple(shape: Any, owner: str) -> tuple[int, ...]:
    """A non-negative integer shape as a tuple (an int means a vector)."""
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        out = tuple(int(s) for s in shape)
        ok = all(s >= 0 for s in out) and all(
            isinstance(s, int | np.integer) and not isinstance(s, bool) for s in shape
        )
    except TypeError:
        ok = False
    if not ok:
        raise ParameterError("shape", shape, "an int or a tuple of ints >= 0", owner)
    return out


def broadcast(x: np.ndarray, shape: tuple[int, ...], name: str, value: Any,
              owner: str) -> np.ndarray:
    """``x`` broadcast to ``shape`` or a ParameterError naming ``name``."""
    try:
        return np.broadcast_to(x, shape)
    except ValueError:
        raise ParameterError(name, value, f"broadcastable to the array shape {shape}",
                             owner) from None

"""PyNN's units: one table, :data:`PYNN_UNITS`, where Brian2 quantities become PyNN's plain
floats (:func:`to_pynn_units`) and back (:func:`from_pynn_units`).

The one place for every PyNN front end and exporter: ``neurosim.pynn``, the crossbar's
front end and ``neurosim.hardware_backends.pynn_export`` all convert through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.units import (
    Hz,
    Quantity,
    amp,
    farad,
    ms,
    mV,
    nA,
    nF,
    second,
    si_unit_name,
    siemens,
    uS,
    volt,
)

#: PyNN's unit for each SI dimension (PyNN's standard models: ms, mV, nA, nF, uS, Hz). The
#: one place where Brian2 quantities become PyNN's plain floats and back.
PYNN_UNITS: dict[str, tuple[str, Any]] = {
    "second": ("ms", ms),
    "volt": ("mV", mV),
    "amp": ("nA", nA),
    "farad": ("nF", nF),
    "siemens": ("uS", uS),
    "hertz": ("Hz", Hz),
    "volt/second": ("mV/ms", mV / ms),
    "1": ("", 1),
}


def _clean(x: float) -> float:
    # 0.065 V * 1000 is -65.00000000000001 in floating point; 12 significant digits give
    # the number a person wrote (and keep every value far above the rounding noise).
    return float(f"{x:.12g}")


def to_pynn_units(value: Quantity) -> Any:
    """A Brian2 quantity as a plain float (or array) in PyNN's unit for its dimension.

    >>> to_pynn_units(-65 * mV), to_pynn_units(0.5 * nS)   # doctest: +SKIP
    (-65.0, 0.0005)
    """
    if not isinstance(value, Quantity):
        raise ParameterError("value", value, f"a quantity in one of {sorted(PYNN_UNITS)}",
                             "to_pynn_units")
    name = si_unit_name(value)
    if name not in PYNN_UNITS:
        raise ParameterError("value", value, f"a quantity in one of {sorted(PYNN_UNITS)}",
                             "to_pynn_units")
    arr = np.asarray(value / PYNN_UNITS[name][1], dtype=float)
    if arr.ndim == 0:
        return _clean(float(arr))
    return np.array([_clean(x) for x in arr.ravel()]).reshape(arr.shape)


def from_pynn_units(value: Any, dimension: str) -> Quantity:
    """A PyNN float (or array) of ``dimension`` ("second", "volt", "amp", ...) as a quantity."""
    if dimension not in PYNN_UNITS:
        raise ParameterError("dimension", dimension, f"one of {sorted(PYNN_UNITS)}",
                             "from_pynn_units")
    return np.asarray(value, dtype=float) * PYNN_UNITS[dimension][1]


def _si_to_pynn(value_si: Any, dimension: str) -> Any:
    if dimension == "1":  # a plain number (gating variables): nothing to convert
        arr = np.asarray(value_si, dtype=float)
        return float(arr) if arr.ndim == 0 else arr
    return to_pynn_units(np.asarray(value_si, dtype=float) * _SI[dimension])


_SI = {"second": second, "volt": volt, "amp": amp, "farad": farad, "siemens": siemens,
       "hertz": Hz, "volt/second": volt / second, "1": 1}


def pynn_per_si(dimension: str) -> float:
    """How many of PyNN's units one SI unit of ``dimension`` is (``"volt"``: 1000.0 mV)."""
    if dimension not in PYNN_UNITS:
        raise ParameterError("dimension", dimension, f"one of {sorted(PYNN_UNITS)}",
                             "pynn_per_si")
    if dimension == "1":
        return 1.0
    return float(_SI[dimension] / PYNN_UNITS[dimension][1])

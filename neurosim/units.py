"""Units at the API: Brian2 quantities in, plain SI floats out to the kernels.

Every physical quantity a user passes to neurosim carries a Brian2 unit. Kernels and the spec's
serialised form use plain floats in SI (seconds, volts, amperes, farads, siemens).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from brian2 import (
    Hz,
    Quantity,
    amp,
    farad,
    get_dimensions,
    mA,
    ms,
    mV,
    nA,
    nF,
    nS,
    ohm,
    pA,
    pF,
    second,
    siemens,
    uS,
    volt,
)
from brian2.units.fundamentalunits import DIMENSIONLESS, Dimension, fail_for_dimension_mismatch

from neurosim.brian2_logging import restore_after_brian2
from neurosim.errors import ParameterError

restore_after_brian2()  # Brian2's excepthook, debug files and warning capture: undone

__all__ = [
    "Hz",
    "Quantity",
    "amp",
    "dimension_name",
    "farad",
    "mA",
    "mV",
    "ms",
    "nA",
    "nF",
    "nS",
    "ohm",
    "pA",
    "pF",
    "require_quantity",
    "second",
    "si_unit_name",
    "siemens",
    "to_si",
    "uS",
    "unit_from_name",
    "volt",
]

# Names used in error messages and in the JSON form of a spec.
_NAMED_UNITS: dict[str, Any] = {
    "second": second,
    "volt": volt,
    "amp": amp,
    "farad": farad,
    "siemens": siemens,
    "ohm": ohm,
    "hertz": Hz,
    "volt/second": volt / second,
    "1": 1,
}
_DIMENSION_WORDS = {
    "second": "a time",
    "volt": "a voltage",
    "amp": "a current",
    "farad": "a capacitance",
    "siemens": "a conductance",
    "ohm": "a resistance",
    "hertz": "a rate",
    "volt/second": "a voltage per time",
    "1": "a number",
}


# The SI base units, in which any other dimension is written (Brian2's repr of a Dimension,
# "metre ** 2 * kilogram * second ** -4 * amp ** -1"): the unit of a user's own state
# variable (an equation cell's "u : volt/second/second") still has a name in a spec's JSON.
_BASE_UNITS = {"metre", "kilogram", "second", "amp", "kelvin", "mole", "candela"}
_BASE_PRODUCT = re.compile(r"^\w+( \*\* -?\d+(\.\d+)?)?( \* \w+( \*\* -?\d+(\.\d+)?)?)*$")


def si_unit_name(unit: Any) -> str:
    """The name of the SI unit with the dimensions of ``unit``: "second", "volt", ... or,
    for a dimension without a name here, a product of SI base units
    ("second ** -1 * amp")."""
    dim = get_dimensions(unit)
    for name, ref in _NAMED_UNITS.items():
        if get_dimensions(ref) is dim:
            return name
    return repr(dim)


def unit_from_name(name: str) -> Any:
    """Inverse of :func:`si_unit_name`."""
    if name in _NAMED_UNITS:
        return _NAMED_UNITS[name]
    words = set(re.findall(r"[A-Za-z_]\w*", name))
    if words and words <= _BASE_UNITS and _BASE_PRODUCT.match(name):
        import brian2

        namespace = {w: getattr(brian2, w) for w in words}
        return eval(name, {"__builtins__": {}}, namespace)  # a checked product of units
    raise ValueError(f"unknown unit name {name!r}; known: {sorted(_NAMED_UNITS)} or a "
                     f"product of SI base units {sorted(_BASE_UNITS)}")


def dimension_name(unit: Any) -> str:
    """Words for the dimension of ``unit``, for error messages ("a time", "a current")."""
    name = si_unit_name(unit)
    return _DIMENSION_WORDS.get(name, f"a quantity in {name}")


def _dimensions_of(value: Any) -> Dimension:
    return get_dimensions(value) if isinstance(value, Quantity) else DIMENSIONLESS


def require_quantity(value: Any, unit: Any, param: str, owner: str | None = None) -> Quantity:
    """Return ``value`` as a Quantity with the dimensions of ``unit`` or raise ParameterError.

    A plain number is refused for a dimensional parameter: units are never guessed.
    """
    want = get_dimensions(unit)
    if want is DIMENSIONLESS:
        if isinstance(value, Quantity) and _dimensions_of(value) is not DIMENSIONLESS:
            raise ParameterError(param, value, "a plain number", owner)
        return value
    if not isinstance(value, Quantity) or _dimensions_of(value) is not want:
        raise ParameterError(
            param, value, f"{dimension_name(unit)} in units such as {_example(unit)}", owner
        )
    return value


def to_si(value: Any, unit: Any | None = None) -> Any:
    """Strip units: a float (or array) in SI. With ``unit``, check the dimensions first."""
    if unit is not None and get_dimensions(unit) is not DIMENSIONLESS:
        fail_for_dimension_mismatch(value, unit)
    if isinstance(value, Quantity):
        arr = np.asarray(value)
        return float(arr) if arr.ndim == 0 else arr.astype(float)
    return value


def _example(unit: Any) -> str:
    examples = {
        "second": "ms",
        "volt": "mV",
        "amp": "nA",
        "farad": "nF",
        "siemens": "uS",
        "ohm": "Mohm",
        "hertz": "Hz",
        "volt/second": "mV/ms",
    }
    return examples.get(si_unit_name(unit), str(unit))

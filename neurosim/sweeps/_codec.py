"""JSON form of parameter values and metrics, Brian2 quantities included.

A quantity is written ``{"value": <SI float or list>, "unit": <SI unit name>}`` like
:meth:`neurosim.params.Params.to_dict`; a quantity whose dimensions have no named SI unit
(``mV*ms``) is written with its seven base-dimension exponents, ``{"value": ..., "dim": [...]}``.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np
from brian2.units.fundamentalunits import DIMENSIONLESS, get_dimensions, get_or_create_dimension

from neurosim.units import Quantity, si_unit_name, to_si, unit_from_name

__all__ = ["decode", "dumps", "encode", "fingerprint", "unit_label"]


class NotEncodable(TypeError):
    """A value has no JSON form here (the caller turns it into a ParameterError)."""


def encode(value: Any) -> Any:
    """A JSON-ready form of ``value``; :func:`decode` is its inverse."""
    if isinstance(value, Quantity) and get_dimensions(value) is not DIMENSIONLESS:
        si = to_si(value)
        data = si.tolist() if isinstance(si, np.ndarray) else si
        try:
            return {"value": data, "unit": si_unit_name(value)}
        except ValueError:
            return {"value": data, "dim": list(get_dimensions(value)._dims)}
    if isinstance(value, bool | str | int | float) or value is None:
        return value
    if isinstance(value, np.generic | np.ndarray | Quantity):
        arr = np.asarray(value)
        if arr.dtype == object:
            raise NotEncodable(f"an object array cannot be stored: {value!r}")
        return arr.item() if arr.ndim == 0 else {"array": arr.tolist(), "dtype": str(arr.dtype)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if set(value) in ({"value", "unit"}, {"value", "dim"}, {"array", "dtype"}):
            # Would read back as a quantity or an array: wrap so that decode is an inverse.
            return {"__dict__": {k: encode(v) for k, v in value.items()}}
        return {k: encode(v) for k, v in value.items()}
    raise NotEncodable(f"no JSON form for a {type(value).__name__}: {value!r}")


def decode(data: Any) -> Any:
    """Inverse of :func:`encode` (lists come back as lists, quantities with their units)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    keys = set(data)
    if keys == {"value", "unit"}:
        return _as_value(data["value"]) * unit_from_name(data["unit"])
    if keys == {"value", "dim"}:
        return Quantity(_as_value(data["value"]), dim=get_or_create_dimension(data["dim"]))
    if keys == {"array", "dtype"}:
        return np.asarray(data["array"], dtype=data["dtype"])
    if keys == {"__dict__"}:
        return {k: decode(v) for k, v in data["__dict__"].items()}
    return {k: decode(v) for k, v in data.items()}


def _as_value(value: Any) -> Any:
    return np.asarray(value, dtype=float) if isinstance(value, list) else value


def dumps(value: Any) -> str:
    """Canonical JSON text of ``encode(value)`` (sorted keys: equal values, equal text)."""
    return json.dumps(encode(value), sort_keys=True, separators=(",", ":"))


def _canonical(data: Any) -> Any:
    # Floats rounded to 12 significant digits so that 3 * 0.001 and 0.003, or an axis typed
    # in ms and the same axis typed in seconds, give the same fingerprint.
    if isinstance(data, float):
        return float(f"{data:.12g}") if math.isfinite(data) else repr(data)
    if isinstance(data, list):
        return [_canonical(v) for v in data]
    if isinstance(data, dict):
        return {k: _canonical(v) for k, v in data.items()}
    return data


def fingerprint(data: Any) -> str:
    """A short stable hash of JSON-ready ``data`` (16 hex digits)."""
    text = json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unit_label(value: Any) -> str | None:
    """The SI unit name of a quantity, None for a plain value."""
    if isinstance(value, Quantity) and get_dimensions(value) is not DIMENSIONLESS:
        try:
            return si_unit_name(value)
        except ValueError:
            return str(get_dimensions(value))
    return None

"""Frozen parameter sets with units, validated in one place.

A parameter set is a class deriving from :class:`Params` whose fields are declared with
:func:`quantity` (a physical value with a Brian2 unit and bounds), :func:`number` (a plain
number with bounds) or :func:`choice` (one of a few strings). Subclasses become frozen
dataclasses automatically; ``__post_init__`` runs one validation loop over all fields, so a
bad value raises :class:`~neurosim.errors.ParameterError` naming the parameter, the value and
what is allowed, both at construction and in :meth:`Params.replace`.

Examples
--------
>>> from neurosim.units import ms
>>> class Membrane(Params):
...     tau_m: Quantity = quantity(20 * ms, ms, low=0 * ms, low_open=True)
>>> Membrane().to_si()
{'tau_m': 0.02}
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from dataclasses import MISSING, field
from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError
from neurosim.units import (
    Quantity,
    dimension_name,
    require_quantity,
    si_unit_name,
    to_si,
    unit_from_name,
)

__all__ = ["Params", "Quantity", "check_values", "choice", "custom", "number", "quantity"]

_KIND = "neurosim_kind"


def quantity(
    default: Quantity,
    unit: Any,
    *,
    low: Quantity | None = None,
    high: Quantity | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> Any:
    """A physical parameter with a Brian2 unit and optional bounds.

    Parameters
    ----------
    default
        Default value, with units (a bare Quantity cannot be a dataclass default: it is
        unhashable, so it is wrapped in a factory here).
    unit
        A unit with the required dimensions (``ms``, ``mV``, ``nA``...).
    low, high
        Bounds with units; ``low_open``/``high_open`` exclude the bound itself.
    """
    meta = {
        _KIND: "quantity",
        "unit": unit,
        "low": low,
        "high": high,
        "low_open": low_open,
        "high_open": high_open,
    }
    return field(default_factory=lambda: default, metadata=meta)


def number(
    default: float | int,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    allow_inf: bool = False,
) -> Any:
    """A dimensionless parameter (a plain int or float) with optional bounds.

    ``allow_inf`` admits +inf (e.g. an inverse temperature where inf means T = 0).
    """
    meta = {
        _KIND: "number",
        "low": low,
        "high": high,
        "low_open": low_open,
        "high_open": high_open,
        "integer": integer,
        "allow_inf": allow_inf,
    }
    return field(default=default, metadata=meta)


def custom(default: Any) -> Any:
    """A field validated by the class's own :meth:`Params.check` (nested rules, optional values).

    Classes with custom fields override ``to_dict``/``from_dict``/``to_si`` for them.
    """
    return field(default_factory=lambda: default, metadata={_KIND: "custom"})


def choice(default: str, options: tuple[str, ...]) -> Any:
    """A parameter that takes one of a few named options."""
    return field(default=default, metadata={_KIND: "choice", "options": tuple(options)})


def _bounds_text(meta: dict[str, Any], show: Any = str) -> str:
    parts = []
    low, high = meta.get("low"), meta.get("high")
    if low is not None and high is not None:
        lb = "(" if meta["low_open"] else "["
        hb = ")" if meta["high_open"] else "]"
        return f" in {lb}{show(low)}, {show(high)}{hb}"
    if low is not None:
        parts.append(f" {'>' if meta['low_open'] else '>='} {show(low)}")
    if high is not None:
        parts.append(f" {'<' if meta['high_open'] else '<='} {show(high)}")
    return "".join(parts)


def check_values(name: str, values: np.ndarray, meta: dict[str, Any], owner: str) -> None:
    """Per-neuron SI values of a ``quantity`` field: finite and within its bounds, else a
    ParameterError naming the first bad value."""
    unit = meta["unit"]
    low = None if meta["low"] is None else to_si(meta["low"])
    high = None if meta["high"] is None else to_si(meta["high"])
    ok = np.isfinite(values)
    if low is not None:
        ok &= (values > low) if meta["low_open"] else (values >= low)
    if high is not None:
        ok &= (values < high) if meta["high_open"] else (values <= high)
    if values.size == 0 or not ok.all():
        bad = values[~ok][0] * unit_from_name(si_unit_name(unit)) if values.size else values
        raise ParameterError(name, bad, f"finite values, {dimension_name(unit)}"
                             f"{_bounds_text(meta)}, one per neuron", owner)


def _within(x: float, meta: dict[str, Any], low: float | None, high: float | None) -> bool:
    if low is not None and (x < low or (meta["low_open"] and x == low)):
        return False
    return not (high is not None and (x > high or (meta["high_open"] and x == high)))


def _named_init(cls: type, init: Any) -> Any:
    """The dataclass ``__init__`` of ``cls``, refusing an unknown keyword with a
    ParameterError that names it and lists the parameters (not Python's TypeError)."""
    names = tuple(f.name for f in dataclasses.fields(cls))

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            if name not in names:
                raise ParameterError(name, value, f"one of {cls.__name__}'s parameters "
                                     f"{list(names)}", cls.__name__)
        init(self, *args, **kwargs)

    return __init__


class Params:
    """Base of every parameter set: frozen, validated, hashable, with units.

    Subclasses are turned into frozen dataclasses automatically. Each default is the value of
    the paper the subclass cites in its docstring.
    """

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # eq=False keeps our __eq__/__hash__ (over SI values) instead of generated ones,
        # which would try to hash Brian2 quantities.
        dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        cls.__init__ = _named_init(cls, cls.__init__)  # type: ignore[method-assign]

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for f in dataclasses.fields(self):
            meta = f.metadata
            kind = meta.get(_KIND)
            value = getattr(self, f.name)
            if kind == "quantity":
                self._check_quantity(f.name, value, meta, owner)
            elif kind == "number":
                self._check_number(f.name, value, meta, owner)
            elif kind == "choice" and value not in meta["options"]:
                allowed = "one of " + ", ".join(repr(o) for o in meta["options"])
                raise ParameterError(f.name, value, allowed, owner)
        self.check()

    def check(self) -> None:
        """Cross-field validation; override in subclasses (raise ParameterError)."""

    @staticmethod
    def _check_quantity(name: str, value: Any, meta: dict[str, Any], owner: str) -> None:
        unit = meta["unit"]
        bounds = _bounds_text(meta)
        try:
            require_quantity(value, unit, name, owner)
        except ParameterError:
            raise ParameterError(name, value, f"{dimension_name(unit)}{bounds}", owner) from None
        x = np.asarray(to_si(value), dtype=float)
        if x.ndim != 0 or not math.isfinite(float(x)):
            what = dimension_name(unit).split(" ", 1)[1]
            raise ParameterError(name, value, f"a finite scalar {what}", owner)
        low = None if meta["low"] is None else to_si(meta["low"])
        high = None if meta["high"] is None else to_si(meta["high"])
        if not _within(float(x), meta, low, high):
            raise ParameterError(name, value, f"{dimension_name(unit)}{bounds}", owner)

    @staticmethod
    def _check_number(name: str, value: Any, meta: dict[str, Any], owner: str) -> None:
        integer = meta["integer"]
        what = "an int" if integer else "a number"
        bounds = _bounds_text(meta) + (", or inf" if meta.get("allow_inf") else "")
        ok_type = isinstance(value, int | np.integer) if integer else isinstance(
            value, int | float | np.integer | np.floating
        )
        if isinstance(value, bool) or not ok_type or isinstance(value, Quantity):
            raise ParameterError(name, value, f"{what}{bounds}", owner)
        infinite_ok = meta.get("allow_inf") and float(value) == math.inf
        if not (math.isfinite(float(value)) or infinite_ok) or not _within(
            float(value), meta, meta["low"], meta["high"]
        ):
            raise ParameterError(name, value, f"{what}{bounds}", owner)

    # -- conversions --------------------------------------------------------------------
    def to_si(self) -> dict[str, Any]:
        """Plain values for kernels: quantities as floats in SI units, the rest unchanged."""
        return {f.name: to_si(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: quantities as ``{"value": <SI float>, "unit": <SI unit name>}``."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get(_KIND) == "quantity":
                out[f.name] = {"value": to_si(value), "unit": si_unit_name(f.metadata["unit"])}
            else:
                out[f.name] = value.item() if isinstance(value, np.generic) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        """Inverse of :meth:`to_dict`."""
        kwargs = {}
        for name, value in data.items():
            if isinstance(value, dict) and set(value) == {"value", "unit"}:
                value = value["value"] * unit_from_name(value["unit"])
            kwargs[name] = value
        return cls(**kwargs)

    def replace(self, **changes: Any) -> Params:
        """A copy with some fields changed (validated like a new instance)."""
        names = {f.name for f in dataclasses.fields(self)}
        for name in changes:
            if name not in names:
                raise ParameterError(
                    name, changes[name], f"one of the fields {sorted(names)}", type(self).__name__
                )
        return dataclasses.replace(self, **changes)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The default of every field (with units)."""
        out = {}
        for f in dataclasses.fields(cls):
            out[f.name] = f.default_factory() if f.default is MISSING else f.default
        return out

    def _key(self) -> tuple:
        return (type(self).__name__, json.dumps(self.to_dict(), sort_keys=True, default=str))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!s}" for f in dataclasses.fields(self))
        return f"{type(self).__name__}({inner})"

"""Parameter grids: named axes (with Brian2 units), repeats, one root seed.

A grid is the Cartesian product of its axes, in the order they are given, the last axis
varying fastest (C order); every grid point is run ``repeats`` times. Point ``index`` is the
flat C-order index of the point, and the seed of (index, repeat) is derived from the root seed
by name (see :meth:`ParameterGrid.seed_for`), so it depends neither on the number of workers
nor on the order in which points finish.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import brian2.units
import numpy as np
from brian2.units.fundamentalunits import DIMENSIONLESS, Unit, get_dimensions

from neurosim.errors import ParameterError
from neurosim.params import _KIND, Params
from neurosim.random import child_seed
from neurosim.sweeps._codec import NotEncodable, decode, encode
from neurosim.units import Quantity, dimension_name, require_quantity, unit_from_name

__all__ = ["Axis", "ParameterGrid", "SweepPoint", "parse_axis", "parse_unit"]

_OWNER = "ParameterGrid"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Names the results table and the xarray export use for themselves.
RESERVED = frozenset({"repeat", "seed", "elapsed_s"})


@dataclass(frozen=True)
class SweepPoint:
    """One run of the sweep function.

    Attributes
    ----------
    index
        Flat C-order index of the grid point (the same for all its repeats).
    repeat
        Repeat number, ``0 <= repeat < grid.repeats``.
    params
        The parameters passed to the function: fixed values and this point's axis values,
        the latter with their units (Brian2 quantities) where the axis has one.
    seed
        A 63-bit int; the function receives ``numpy.random.default_rng(seed)``.
    position
        Index along each axis, in axis order.
    """

    index: int
    repeat: int
    params: dict[str, Any]
    seed: int
    position: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Axis:
    """A named axis: its values as plain numbers (or strings) and their unit.

    ``values`` are in ``unit`` (``(1.0, 2.0)`` with ``unit=ms`` means 1 ms and 2 ms); ``unit``
    is None for a dimensionless or categorical axis. Build one with :func:`parse_axis` or by
    passing a sequence or a Quantity array to :class:`ParameterGrid`.
    """

    name: str
    values: tuple[Any, ...]
    unit: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ParameterError("axis name", self.name, "a Python identifier", _OWNER)
        if self.name in RESERVED:
            raise ParameterError(
                "axis name", self.name, f"not one of the reserved names {sorted(RESERVED)}", _OWNER
            )
        if self.unit is not None and not isinstance(self.unit, Unit):
            raise ParameterError(self.name, self.unit, "a Brian2 unit such as ms or mV", _OWNER)
        values = _plain(self.values)
        if not values:
            raise ParameterError(self.name, list(values), "a non-empty sequence of values", _OWNER)
        kind = _kind_of(self.name, values)
        if self.unit is not None and kind in ("str", "bool"):
            raise ParameterError(self.name, list(values), "numbers when a unit is given", _OWNER)
        if len(set(values)) != len(values):
            raise ParameterError(self.name, list(values), "distinct values", _OWNER)
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Axis):
            return NotImplemented
        return self.name == other.name and self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash((self.name, self.values, self.unit_name))

    @property
    def unit_name(self) -> str | None:
        """The unit as written (``"ms"``), None for a plain axis."""
        return None if self.unit is None else str(self.unit)

    def value(self, i: int) -> Any:
        """The ``i``-th value as the sweep function receives it (a Quantity if the axis has a
        unit, else a plain Python number, string or bool)."""
        v = self.values[i]
        return v if self.unit is None else v * self.unit

    def quantity(self) -> Any:
        """All values, as a Quantity array when the axis has a unit, else a NumPy array."""
        arr = np.asarray(self.values)
        return arr if self.unit is None else arr * self.unit

    def describe(self) -> dict[str, Any]:
        """JSON form: the values in SI (or plain), their SI unit, and the unit as written."""
        if self.unit is None:
            return {"values": list(self.values), "si_unit": None, "unit": None}
        si = encode(self.quantity())  # {"value": [...], "unit": "second"} or "dim": [...]
        out = {"values": si["value"], "si_unit": si.get("unit"), "unit": self.unit_name,
               "display": list(self.values)}
        if "dim" in si:
            out["dim"] = si["dim"]
        return out

    @classmethod
    def from_description(cls, name: str, desc: Mapping[str, Any]) -> Axis:
        """Inverse of :meth:`describe`."""
        if desc.get("unit") is None:
            return cls(name, tuple(desc["values"]))
        try:
            return cls(name, tuple(desc["display"]), parse_unit(name, desc["unit"]))
        except ParameterError:
            # A compound unit ("mV * ms") has no name to look up: rebuild from SI values.
            key = "unit" if desc.get("si_unit") else "dim"
            si = {"value": desc["values"], key: desc.get("si_unit") or desc["dim"]}
            return make_axis(name, decode(si))


def _kind_of(name: str, values: tuple[Any, ...]) -> str:
    if all(isinstance(v, bool | np.bool_) for v in values):
        return "bool"
    if all(isinstance(v, str) for v in values):
        return "str"
    if all(isinstance(v, int | np.integer | float | np.floating) for v in values) and not any(
        isinstance(v, bool | np.bool_) for v in values
    ):
        if not all(math.isfinite(float(v)) for v in values):
            raise ParameterError(name, list(values), "finite numbers", _OWNER)
        return "number"
    raise ParameterError(
        name, list(values), "values of one kind: all numbers, all strings or all bools", _OWNER
    )


def _plain(values: Iterable[Any]) -> tuple[Any, ...]:
    """NumPy scalars to Python ones; an all-int axis stays int, a mixed one becomes float."""
    items = [v.item() if isinstance(v, np.generic) else v for v in values]
    numbers = [v for v in items if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(items) and any(isinstance(v, float) for v in items):
        items = [float(v) for v in items]
    return tuple(items)


def _tidy(x: float) -> float:
    # linspace and unit conversions leave 0.039999999999999994; 12 significant digits are far
    # below any parameter's precision and give values that read (and hash) as typed.
    return float(f"{x:.12g}")


def make_axis(name: str, spec: Any) -> Axis:
    """An :class:`Axis` from what a user may write for one: an Axis, a ``parse_axis``
    right-hand side string (``"1:10:5 ms"``), a Quantity array or a sequence of plain values
    or of quantities."""
    if isinstance(spec, Axis):
        if spec.name != name:
            return dataclasses.replace(spec, name=name)
        return spec
    if isinstance(spec, str):
        return parse_axis(f"{name}={spec}")
    if isinstance(spec, Quantity) and get_dimensions(spec) is not DIMENSIONLESS:
        return _quantity_axis(name, spec)
    if isinstance(spec, Mapping) or np.ndim(spec) == 0:
        raise ParameterError(
            name, spec, "a non-empty sequence of values (pass a constant in fixed=)", _OWNER
        )
    items = list(spec) if not isinstance(spec, np.ndarray) else spec.tolist()
    quantities = [isinstance(v, Quantity) and get_dimensions(v) is not DIMENSIONLESS
                  for v in items]
    if items and all(quantities):
        dims = {get_dimensions(v) for v in items}
        if len(dims) != 1:
            raise ParameterError(name, items, "quantities with the same dimensions", _OWNER)
        return _quantity_axis(name, Quantity(items))
    if any(quantities):
        raise ParameterError(name, items, "all quantities or all plain values", _OWNER)
    return Axis(name, _plain(items))


def _quantity_axis(name: str, q: Quantity) -> Axis:
    q = np.atleast_1d(q)
    unit = q.get_best_unit() if q.size else None
    if unit is None:
        raise ParameterError(name, [], "a non-empty sequence of values", _OWNER)
    values = np.asarray(q / unit, dtype=float)
    return Axis(name, tuple(_tidy(v) for v in values.tolist()), unit)


def parse_unit(param: str, text: str) -> Any:
    """A Brian2 unit from its name: an SI name (``"second"``, ``"volt"``, see
    :func:`neurosim.units.unit_from_name`) or any Brian2 unit (``"ms"``, ``"mV"``, ``"nS"``)."""
    try:
        unit = unit_from_name(text)
    except ValueError:
        unit = getattr(brian2.units, text, None)
    if isinstance(unit, Unit):
        return unit
    if unit == 1:
        return None
    raise ParameterError(param, text, "a Brian2 unit name such as ms, mV, nA, nS or Hz", _OWNER)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_INT = re.compile(r"[+-]?\d+\Z")


def _number(param: str, text: str, spec: str) -> int | float:
    text = text.strip()
    if not _NUMBER.match(text):
        raise ParameterError(param, spec, _SYNTAX, _OWNER)
    return int(text) if _INT.match(text) else float(text)


_SYNTAX = ("'name=start:stop:num[:log] [unit]' (num values, both ends included) or "
           "'name=v1,v2,... [unit]'")


def parse_axis(spec: str) -> Axis:
    """Parse an axis written on a command line.

    Parameters
    ----------
    spec
        ``"alpha=0.02:0.30:15"``: 15 values from 0.02 to 0.30, both included (``numpy.linspace``);
        ``"N=10:1000:5:log"``: 5 log-spaced values (``numpy.geomspace``);
        ``"N=50,100,200"``: a list; ``"engine=numba,brian2"``: a list of strings;
        a trailing unit after a space, ``"tau=1:10:5 ms"``, ``"tau=1,2 ms"``, gives quantities.
        A range whose ends are written as ints gives ints when all its values are integral
        (a log range of ints is rounded to ints).

    Returns
    -------
    Axis

    Raises
    ------
    ParameterError
        Bad syntax, an unknown unit, an empty or repeated value list.
    """
    if not isinstance(spec, str) or "=" not in spec:
        raise ParameterError("axis", spec, _SYNTAX, _OWNER)
    name, _, rhs = spec.partition("=")
    name = name.strip()
    if not _NAME.match(name):
        raise ParameterError("axis", spec, f"{_SYNTAX} with a Python identifier as name", _OWNER)
    words = rhs.split()
    if len(words) not in (1, 2):
        raise ParameterError(name, spec, _SYNTAX, _OWNER)
    unit = parse_unit(name, words[1]) if len(words) == 2 else None
    body = words[0]
    if ":" in body:
        values = _parse_range(name, body, spec)
    else:
        items = [s.strip() for s in body.split(",")]
        if any(not s for s in items):
            raise ParameterError(name, spec, _SYNTAX, _OWNER)
        numeric = [bool(_NUMBER.match(s)) for s in items]
        if all(numeric):
            values = _plain(_number(name, s, spec) for s in items)
        elif not any(numeric) and unit is None and all(_NAME.match(s) for s in items):
            values = tuple(items)  # a categorical axis: engine=numba,brian2
        else:
            raise ParameterError(name, spec, _SYNTAX, _OWNER)
    if unit is not None:
        values = tuple(float(v) for v in values)
    return Axis(name, values, unit)


def _parse_range(name: str, body: str, spec: str) -> tuple[Any, ...]:
    parts = body.split(":")
    log = len(parts) == 4 and parts[3] == "log"
    if len(parts) != 3 and not log:
        raise ParameterError(name, spec, _SYNTAX, _OWNER)
    start, stop = _number(name, parts[0], spec), _number(name, parts[1], spec)
    if not _INT.match(parts[2].strip()) or int(parts[2]) < 1:
        raise ParameterError(name, spec, f"{_SYNTAX} with num an int >= 1", _OWNER)
    num = int(parts[2])
    ints = isinstance(start, int) and isinstance(stop, int)
    if log:
        if start <= 0 or stop <= 0:
            raise ParameterError(name, spec, "a log range with both ends > 0", _OWNER)
        raw = np.geomspace(start, stop, num)
        if ints:
            return tuple(int(v) for v in np.rint(raw))
    else:
        raw = np.linspace(start, stop, num)
        if ints and np.allclose(raw, np.rint(raw), rtol=0, atol=1e-9):
            return tuple(int(v) for v in np.rint(raw))
    return tuple(_tidy(v) for v in raw.tolist())


class ParameterGrid:
    """Named axes, a number of repeats, a root seed and fixed parameters.

    Parameters
    ----------
    axes
        ``{name: values}`` in the order of nesting (the last varies fastest). Values may be a
        sequence of numbers, strings or bools, a Brian2 Quantity array (``np.arange(1, 6) * ms``),
        a sequence of quantities, a ``parse_axis`` right-hand side (``"1:10:5 ms"``) or an
        :class:`Axis`. A sequence of :class:`Axis` is accepted too.
    repeats
        Runs per grid point, each with its own seed (an int >= 1).
    seed
        Root seed (a non-negative int): the seeds of all points derive from it.
    fixed
        Parameters passed unchanged to every point (JSON-able values, arrays or quantities).
    known
        If given, the parameter names allowed: a collection of names or a
        :class:`~neurosim.params.Params` subclass, whose quantity fields also give the
        expected units (unless ``units`` is given).
    units
        ``{name: unit}``: the dimensions an axis or fixed value must have (``1`` for a plain
        number). Units are never guessed: a plain number for a time is refused.

    Raises
    ------
    ParameterError
        An empty axis, bad values, repeats < 1, a bad seed, a name not in ``known`` or a value
        with the wrong unit; the message names the parameter.

    Examples
    --------
    >>> from neurosim.units import ms
    >>> grid = ParameterGrid({"alpha": [0.1, 0.2], "tau": [5, 10] * ms}, repeats=3, seed=1)
    >>> len(grid), grid.shape
    (12, (2, 2))
    """

    def __init__(
        self,
        axes: Mapping[str, Any] | Sequence[Axis],
        repeats: int = 1,
        seed: int = 0,
        fixed: Mapping[str, Any] | None = None,
        *,
        known: Iterable[str] | type[Params] | None = None,
        units: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(axes, Mapping):
            built = [make_axis(str(name), spec) for name, spec in axes.items()]
        elif isinstance(axes, Sequence) and all(isinstance(a, Axis) for a in axes):
            built = list(axes)
        else:
            raise ParameterError("axes", axes, "a dict {name: values} or a list of Axis", _OWNER)
        if not built:
            raise ParameterError("axes", dict(axes) if isinstance(axes, Mapping) else axes,
                                 "at least one axis", _OWNER)
        names = [a.name for a in built]
        if len(set(names)) != len(names):
            raise ParameterError("axes", names, "distinct axis names", _OWNER)
        if isinstance(repeats, bool) or not isinstance(repeats, int | np.integer) or repeats < 1:
            raise ParameterError("repeats", repeats, "an int >= 1", _OWNER)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ParameterError("seed", seed, "a non-negative int", _OWNER)
        fixed = dict(fixed or {})
        for name, value in fixed.items():
            if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED:
                raise ParameterError("fixed", name, "Python identifiers as names, not "
                                     f"{sorted(RESERVED)}", _OWNER)
            if name in names:
                raise ParameterError(name, value, "either an axis or a fixed value, not both",
                                     _OWNER)
            try:
                encode(value)
            except NotEncodable:
                raise ParameterError(
                    name, value, "a JSON-able value, a NumPy array or a Brian2 quantity", _OWNER
                ) from None
        self.axes: tuple[Axis, ...] = tuple(built)
        self.repeats = int(repeats)
        self.seed = int(seed)
        self.fixed: dict[str, Any] = fixed
        if known is not None:
            if isinstance(known, type) and issubclass(known, Params):
                if units is None:
                    units = _units_of(known)
                known = known.field_names()
            self.validate_names(known)
        if units is not None:
            self.validate_units(units)

    # -- validation ---------------------------------------------------------------------------
    def validate_names(self, known: Iterable[str]) -> ParameterGrid:
        """Raise ParameterError for an axis or fixed name not in ``known``; return self."""
        allowed = sorted(set(known))
        for name, value in self._named_values():
            if name not in allowed:
                raise ParameterError(name, value, f"a known parameter, one of {allowed}", _OWNER)
        return self

    def validate_units(self, units: Mapping[str, Any]) -> ParameterGrid:
        """Raise ParameterError when an axis or fixed value named in ``units`` does not have
        the dimensions of its unit (``1`` or None: a plain number); return self."""
        for name, value in self._named_values():
            if name not in units:
                continue
            want = 1 if units[name] is None else units[name]
            try:
                require_quantity(value, want, name, _OWNER)
            except ParameterError:
                raise ParameterError(name, value, _expected(want), _OWNER) from None
            if get_dimensions(want) is DIMENSIONLESS and isinstance(value, np.ndarray) and (
                value.dtype.kind not in "iuf"
            ):
                raise ParameterError(name, value, "plain numbers", _OWNER)
        return self

    def _named_values(self) -> Iterator[tuple[str, Any]]:
        for axis in self.axes:
            yield axis.name, axis.quantity()
        yield from self.fixed.items()

    # -- shape and points ---------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Axis names, in nesting order."""
        return tuple(a.name for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values on each axis."""
        return tuple(len(a) for a in self.axes)

    @property
    def n_points(self) -> int:
        """Number of grid points (without repeats)."""
        return math.prod(self.shape)

    def __len__(self) -> int:
        """Number of runs: grid points times repeats."""
        return self.n_points * self.repeats

    def __iter__(self) -> Iterator[SweepPoint]:
        """All runs, by point index then repeat."""
        for index, position in enumerate(itertools.product(*(range(n) for n in self.shape))):
            for repeat in range(self.repeats):
                yield self._point(index, position, repeat)

    def point(self, index: int, repeat: int = 0) -> SweepPoint:
        """The run of grid point ``index`` (flat C-order index), repeat ``repeat``."""
        if not 0 <= index < self.n_points:
            raise ParameterError("index", index, f"an int in [0, {self.n_points - 1}]", _OWNER)
        if not 0 <= repeat < self.repeats:
            raise ParameterError("repeat", repeat, f"an int in [0, {self.repeats - 1}]", _OWNER)
        position = tuple(int(i) for i in np.unravel_index(index, self.shape))
        return self._point(index, position, repeat)

    def _point(self, index: int, position: tuple[int, ...], repeat: int) -> SweepPoint:
        params = dict(self.fixed)
        params.update({a.name: a.value(i) for a, i in zip(self.axes, position)})
        return SweepPoint(index, repeat, params, self.seed_for(index, repeat), position)

    def seed_for(self, index: int, repeat: int) -> int:
        """The seed of grid point ``index``, repeat ``repeat``.

        ``child_seed(root, "sweep-point", str(index), str(repeat))`` (a named child of the
        root SeedSequence, :mod:`neurosim.random`), reduced to a 63-bit int so that it fits an
        SQLite integer and ``numpy.random.default_rng(seed)`` replays the point from the table.
        """
        ss = child_seed(self.seed, "sweep-point", str(index), str(repeat))
        return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))

    # -- description --------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """JSON form of the grid (axes, repeats, seed, fixed): what identifies a sweep."""
        return {
            "axes": [{"name": a.name, **a.describe()} for a in self.axes],
            "repeats": self.repeats,
            "seed": self.seed,
            "fixed": {k: encode(v) for k, v in sorted(self.fixed.items())},
        }

    def identity(self) -> dict[str, Any]:
        """:meth:`describe` without how units were written: ``tau=1,2 ms`` and
        ``tau=0.001,0.002 second`` are the same grid."""
        desc = self.describe()
        desc["axes"] = [{k: v for k, v in a.items() if k not in ("unit", "display")}
                        for a in desc["axes"]]
        return desc

    @classmethod
    def from_description(cls, desc: Mapping[str, Any]) -> ParameterGrid:
        """Inverse of :meth:`describe` (rebuild the grid of a stored sweep)."""
        axes = [Axis.from_description(a["name"], a) for a in desc["axes"]]
        fixed = {k: decode(v) for k, v in desc.get("fixed", {}).items()}
        return cls(axes, repeats=desc["repeats"], seed=desc["seed"], fixed=fixed)

    @classmethod
    def from_specs(cls, specs: Iterable[str], repeats: int = 1, seed: int = 0,
                   fixed: Mapping[str, Any] | None = None, **kwargs: Any) -> ParameterGrid:
        """A grid from command-line axis specs: ``["alpha=0.02:0.3:15", "N=100,200"]``."""
        return cls([parse_axis(s) for s in specs], repeats=repeats, seed=seed, fixed=fixed,
                   **kwargs)

    def __repr__(self) -> str:
        axes = ", ".join(
            f"{a.name}[{len(a)}{'' if a.unit is None else ' ' + a.unit_name}]" for a in self.axes
        )
        return f"ParameterGrid({axes}; repeats={self.repeats}, seed={self.seed})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParameterGrid):
            return NotImplemented
        return self.describe() == other.describe()

    __hash__ = None  # type: ignore[assignment]


def _units_of(params_cls: type[Params]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(params_cls):
        kind = f.metadata.get(_KIND)
        if kind == "quantity":
            out[f.name] = f.metadata["unit"]
        elif kind == "number":
            out[f.name] = 1
    return out


def _expected(unit: Any) -> str:
    if get_dimensions(unit) is DIMENSIONLESS:
        return "plain numbers (no unit)"
    try:
        return f"{dimension_name(unit)} (values with units such as {unit})"
    except (KeyError, ValueError):
        return f"values with the dimensions of {unit}"

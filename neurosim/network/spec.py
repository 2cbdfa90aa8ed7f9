"""The network spec: a frozen, backend-free, JSON round-trippable description of a network.

A spec says *what* (populations, spike sources, projections, probes), never *how*: engines
(:mod:`neurosim.engines`) and hardware backends build it. Validation happens here, before any
build: sizes, units against cell types, and references between parts.

Examples
--------
>>> from neurosim.network import *
>>> from neurosim.units import ms, nA
>>> spec = NetworkSpec(
...     populations=(Population("cells", 2, IF_curr_exp()),),
...     sources=(SpikeSourceArray.from_times("stim", [[1, 5] * ms]),),
...     projections=(Projection("stim", View("cells", 0, 1), OneToOne(),
...                             StaticSynapse(weight=2 * nA, delay=1 * ms)),),
...     probes=(Probe("cells", "spikes"),),
... )
>>> NetworkSpec.from_json(spec.to_json()) == spec
True
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim.errors import ParameterError, SpecError
from neurosim.network.cells import CELL_TYPES, WEIGHT_UNITS, StandardCell
from neurosim.network.composed import cell_type_class
from neurosim.network.connectors import CONNECTORS, Connector
from neurosim.network.current_sources import CurrentSource
from neurosim.network.distributions import RandomDistribution
from neurosim.network.equation_cell import EquationCell, cell_type_from_declaration
from neurosim.network.synapses import SYNAPSE_TYPES, Synapse
from neurosim.params import Quantity
from neurosim.timegrid import time_steps
from neurosim.units import Hz, ms, require_quantity, second, to_si, unit_from_name

__all__ = [
    "NetworkSpec",
    "Population",
    "Probe",
    "Projection",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "View",
    "add_spike_times",
]

RECEPTORS = ("excitatory", "inhibitory")


def _check_label(label: Any, owner: str) -> None:
    if not isinstance(label, str) or not label or any(c in label for c in "[]:"):
        raise ParameterError("label", label, "a non-empty string without '[', ']' or ':'", owner)


def _check_size(size: Any, owner: str) -> None:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ParameterError("size", size, "an int >= 1", owner)


@dataclass(frozen=True)
class Population:
    """``size`` neurons of one standard cell type (PyNN ``Population``).

    Any parameter of the cell type, and any entry of ``initial_values`` (PyNN's name: a
    map from recordable state variables, "v", "isyn_exc", "w", ..., to values), is one value,
    an array of one value per neuron, or a :class:`RandomDistribution` (drawn per neuron from
    the counter-based generator: the same values on every engine for one seed). Unset initial
    values are PyNN's defaults from the cell type's declaration (``v_rest`` for the leaky
    cells). :meth:`parameter_values` and :meth:`initial` give the per-neuron SI values.
    """

    label: str
    size: int
    celltype: StandardCell
    initial_values: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_label(self.label, "Population")
        _check_size(self.size, "Population")
        if not isinstance(self.celltype, StandardCell):
            raise ParameterError("celltype", self.celltype,
                                 f"a cell type instance, one of {sorted(CELL_TYPES)}", "Population")
        given = dict(self.initial_values or {})
        allowed = self.celltype.recordable
        for name, value in given.items():
            if name not in allowed:
                raise ParameterError("initial_values", name, f"state variables of "
                                     f"{type(self.celltype).__name__}: {allowed}", "Population")
            unit_name = self.celltype.state[name].unit
            unit = unit_from_name(unit_name)
            if isinstance(value, RandomDistribution):
                if value.unit_name != unit_name:
                    raise ParameterError(f"initial_values.{name}", value,
                                         f"a distribution in {unit_name}", "Population")
            else:
                require_quantity(value, unit, f"initial_values.{name}", "Population")
                x = np.asarray(to_si(value), dtype=float)
                if x.ndim > 1 or (x.ndim == 1 and len(x) != self.size) or \
                        not np.all(np.isfinite(x)):
                    raise ParameterError(f"initial_values.{name}", value, "a finite value or "
                                         f"one per neuron ({self.size})",
                                         f"Population {self.label!r}")
        for name in self.celltype.heterogeneous():
            value = getattr(self.celltype, name)
            if not isinstance(value, RandomDistribution) and len(value) != self.size:
                raise ParameterError(name, f"{len(value)} values", "a single value or one per "
                                     f"neuron ({self.size})", f"Population {self.label!r}")
        object.__setattr__(self, "initial_values", tuple(sorted(given.items())))

    def parameter_values(self, root_seed: Any) -> dict[str, np.ndarray]:
        """Every parameter of the cell type in SI, one value per neuron: the lowering of
        single values, arrays and distributions (drawn under ``root_seed``; a drawn value out
        of the parameter's bounds is a ParameterError)."""
        import dataclasses as dc

        from neurosim.counter_rng import source_key
        from neurosim.network.cells import _reset_below
        from neurosim.params import check_values

        out = {}
        owner = f"Population {self.label!r}"
        for f in dc.fields(self.celltype):
            if f.metadata.get("unit") is None:
                continue
            value = getattr(self.celltype, f.name)
            if isinstance(value, RandomDistribution):
                arr = value.draw(source_key(root_seed, f"param:{self.label}.{f.name}"),
                                 self.size)
                check_values(f.name, arr, f.metadata, owner)
            else:
                arr = np.broadcast_to(np.asarray(to_si(value), dtype=float),
                                      (self.size,)).copy()
            out[f.name] = arr
        for threshold in ("v_thresh", "v_spike"):
            if "v_reset" in out and threshold in out and (
                    threshold == "v_spike" or "v_spike" not in out):
                _reset_below(out, threshold, owner)
        return out

    def parameter(self, name: str, root_seed: Any) -> np.ndarray:
        """One parameter of the cell type, per neuron, in SI (see :meth:`parameter_values`)."""
        return self.parameter_values(root_seed)[name]

    def initial(self, name: str, root_seed: Any) -> np.ndarray:
        """Initial values of state variable ``name`` in SI, one per neuron (drawn if random)."""
        value = dict(self.initial_values).get(name)
        if isinstance(value, RandomDistribution):
            from neurosim.counter_rng import source_key

            return value.draw(source_key(root_seed, f"initial:{self.label}.{name}"), self.size)
        if value is None:
            init = self.celltype.state[name].initial
            if isinstance(init, str):  # a parameter's value, which may differ per neuron
                return self.parameter(init, root_seed)
            return np.full(self.size, float(init))
        return np.broadcast_to(np.asarray(to_si(value), dtype=float), (self.size,)).copy()

    def to_dict(self) -> dict[str, Any]:
        celltype: dict[str, Any] = {"type": type(self.celltype).__name__,
                                    "params": self.celltype.to_dict()}
        if isinstance(self.celltype, EquationCell):  # made at run time: carry its declaration
            celltype["declaration"] = self.celltype.declaration
        return {
            "kind": "Population",
            "label": self.label,
            "size": int(self.size),
            "celltype": celltype,
            "initial_values": {k: (v.to_dict() if isinstance(v, RandomDistribution)
                                   else np.asarray(to_si(v), dtype=float).tolist())
                               for k, v in self.initial_values},
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Population) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class SpikeSourceArray:
    """Spike sources that fire at given times (PyNN ``SpikeSourceArray``).

    ``spike_times`` holds one sorted tuple of times in seconds per source; build it with
    :meth:`from_times`, which takes quantities.
    """

    label: str
    spike_times: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        _check_label(self.label, "SpikeSourceArray")
        if len(self.spike_times) < 1:
            raise ParameterError("spike_times", self.spike_times, "at least one source",
                                 "SpikeSourceArray")
        cleaned = []
        for train in self.spike_times:
            arr = np.sort(np.asarray(train, dtype=float).ravel())
            if arr.size and (not np.isfinite(arr).all() or arr[0] < 0):
                raise ParameterError("spike_times", train, "finite times >= 0 s",
                                     "SpikeSourceArray")
            cleaned.append(tuple(arr.tolist()))
        object.__setattr__(self, "spike_times", tuple(cleaned))

    @classmethod
    def from_times(cls, label: str, times: Sequence[Quantity]) -> SpikeSourceArray:
        """One source per entry of ``times``, each a time array with units (e.g. ``[1, 5]*ms``)."""
        trains = []
        for k, t in enumerate(times):
            t = require_quantity(t, second, f"times[{k}]", "SpikeSourceArray.from_times")
            trains.append(tuple(np.atleast_1d(to_si(t)).tolist()))
        return cls(label, tuple(trains))

    @classmethod
    def from_events(cls, label: str, events: np.ndarray, sensor_size: Sequence[int], *,
                    polarity: int | None = None, t_start: Quantity | None = None,
                    dt: Quantity | None = None) -> SpikeSourceArray:
        """One source per sensor pixel (and polarity), firing at its events' times.

        Parameters
        ----------
        label
            The sources' label.
        events
            A structured array with fields ``x``, ``t`` (microseconds), ``p`` and, for 2-D
            sensors, ``y``: Tonic's events, or :data:`neurosim.events.EVENT_DTYPE` streams.
        sensor_size
            ``(width, height)`` or Tonic's ``(width, height, n_polarities)``; a 1-D sensor
            (a cochlea) is ``(n_channels, 1[, P])``.
        polarity
            Keep only this polarity (one source per pixel, ``y * width + x``); ``None``
            keeps both: source ``p * width * height + y * width + x`` (Tonic's ``ToFrame``
            order, polarity outermost).
        t_start
            Subtracted from every timestamp (default 0); events before it are dropped.
        dt
            The time step the network will run with: times move to the nearest step (as the
            engines round them) and the events of one pixel within one step merge into one
            spike (an engine takes at most one spike per source and step). ``None`` keeps
            the microsecond times.
        """
        owner = "SpikeSourceArray.from_events"
        names = events.dtype.names if isinstance(events, np.ndarray) else None
        if names is None or not {"x", "t", "p"} <= set(names):
            raise ParameterError("events", type(events).__name__, "a structured array with "
                                 "fields x, t, p (and y for 2-D sensors)", owner)
        size = tuple(int(v) for v in sensor_size)
        if len(size) not in (2, 3) or min(size) < 1:
            raise ParameterError("sensor_size", sensor_size, "(width, height) or (width, "
                                 "height, polarities), each >= 1", owner)
        w, h = size[:2]
        n_pol = 2 if polarity is None and (len(size) == 2 or size[2] > 1) else 1
        x = np.asarray(events["x"], dtype=np.int64)
        y = np.asarray(events["y"], dtype=np.int64) if "y" in names else np.zeros_like(x)
        p = np.asarray(events["p"], dtype=np.int64)
        t = np.asarray(events["t"], dtype=np.float64) / 1e6  # correctly rounded us -> s
        if t_start is not None:
            t = t - to_si(require_quantity(t_start, second, "t_start", owner))
        bad = (x < 0) | (x >= w) | (y < 0) | (y >= h) | (p < 0) | (p > 1)
        if polarity is None and n_pol == 1:
            bad |= p != 0  # a one-polarity sensor, as Tonic's (W, H, 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ParameterError("events", f"event {i} at x={x[i]}, y={y[i]}, p={p[i]}",
                                 f"events inside the sensor {size}", owner)
        keep = t >= 0 if polarity is None else (t >= 0) & (p == polarity)
        channel = y * w + x + (p * w * h if polarity is None else 0)
        channel, t = channel[keep], t[keep]
        if dt is not None:
            dt_s = float(to_si(require_quantity(dt, second, "dt", owner)))
            if not dt_s > 0:
                raise ParameterError("dt", dt, "a time step > 0 s", owner)
            grid = np.unique(np.column_stack([channel, time_steps(t, dt_s)]), axis=0)
            channel, t = grid[:, 0], grid[:, 1] * dt_s
        order = np.lexsort((t, channel))
        channel, t = channel[order], t[order]
        bounds = np.searchsorted(channel, np.arange(n_pol * w * h + 1))
        return cls(label, tuple(tuple(part.tolist()) for part in np.split(t, bounds[1:-1])))

    @property
    def size(self) -> int:
        return len(self.spike_times)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "SpikeSourceArray", "label": self.label,
                "spike_times": [list(t) for t in self.spike_times]}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpikeSourceArray) and self.to_dict() == other.to_dict()


@dataclass(frozen=True, eq=False)
class SpikeSourcePoisson:
    """Independent Poisson spike sources (PyNN ``SpikeSourcePoisson``).

    ``rate``, ``start`` and ``duration`` are each one value or one per source."""

    label: str
    size: int
    rate: Quantity = field(default_factory=lambda: 1.0 * Hz)
    start: Quantity = field(default_factory=lambda: 0.0 * ms)
    duration: Quantity | None = None

    def __post_init__(self) -> None:
        owner = f"SpikeSourcePoisson {getattr(self, 'label', '?')!r}"
        _check_label(self.label, "SpikeSourcePoisson")
        _check_size(self.size, "SpikeSourcePoisson")
        for name, unit, what in (("rate", Hz, "rates >= 0 Hz"), ("start", second,
                                                                 "times >= 0 s"),
                                 ("duration", second, "times >= 0 s (or None)")):
            value = getattr(self, name)
            if value is None:
                continue
            require_quantity(value, unit, name, owner)
            x = np.asarray(to_si(value), dtype=float)
            if x.ndim > 1 or (x.ndim == 1 and len(x) != self.size) or \
                    not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ParameterError(name, value, f"finite {what}, one value or one per "
                                     f"source ({self.size})", owner)

    def values_si(self) -> dict[str, np.ndarray]:
        """rate (Hz), start and stop (s; inf without a duration), one per source."""
        def per(value: Any) -> np.ndarray:
            return np.broadcast_to(np.asarray(to_si(value), dtype=float),
                                   (self.size,)).copy()

        start = per(self.start)
        stop = np.full(self.size, np.inf) if self.duration is None else \
            start + per(self.duration)
        return {"rate": per(self.rate), "start": start, "stop": stop}

    def to_dict(self) -> dict[str, Any]:
        def si(value: Any) -> Any:
            x = np.asarray(to_si(value), dtype=float)
            return float(x) if x.ndim == 0 else x.tolist()

        return {"kind": "SpikeSourcePoisson", "label": self.label, "size": int(self.size),
                "rate": si(self.rate), "start": si(self.start),
                "duration": None if self.duration is None else si(self.duration)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpikeSourcePoisson) and self.to_dict() == other.to_dict()


Source = SpikeSourceArray | SpikeSourcePoisson


@dataclass(frozen=True)
class View:
    """Neurons ``start:stop`` of a population or source (PyNN ``PopulationView`` of a slice)."""

    label: str
    start: int
    stop: int

    def __post_init__(self) -> None:
        _check_label(self.label, "View")
        for name in ("start", "stop"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
                raise ParameterError(name, v, "an int >= 0", "View")
        if self.stop <= self.start:
            raise ParameterError("stop", self.stop, f"> start ({self.start})", "View")

    def __str__(self) -> str:
        return f"{self.label}[{self.start}:{self.stop}]"


def _ref_label(ref: str | View) -> str:
    return ref.label if isinstance(ref, View) else ref


def _ref_to_json(ref: str | View) -> Any:
    return [ref.label, int(ref.start), int(ref.stop)] if isinstance(ref, View) else ref


def _ref_from_json(data: Any) -> str | View:
    return View(*data) if isinstance(data, list) else data


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from ``pre`` to ``post`` (PyNN ``Projection``).

    ``pre`` and ``post`` are labels or :class:`View` slices; ``receptor`` names
    one of the post cell type's receptors ("excitatory" or "inhibitory" for the standard
    cells). The label defaults to ``"pre->post:receptor"``.
    """

    pre: str | View
    post: str | View
    connector: Connector
    synapse: Synapse
    receptor: str = "excitatory"
    label: str = ""

    def __post_init__(self) -> None:
        owner = "Projection"
        for name in ("pre", "post"):
            ref = getattr(self, name)
            if not isinstance(ref, str | View):
                raise ParameterError(name, ref, "a label or a View", owner)
        if not isinstance(self.connector, Connector):
            raise ParameterError("connector", self.connector,
                                 f"a connector, one of {sorted(CONNECTORS)}", owner)
        if not isinstance(self.synapse, Synapse):
            raise ParameterError("synapse", self.synapse,
                                 f"a synapse type, one of {sorted(SYNAPSE_TYPES)}", owner)
        if not isinstance(self.receptor, str) or not self.receptor.isidentifier():
            raise ParameterError("receptor", self.receptor, f"a receptor name ({RECEPTORS} "
                                 "for the standard cells)", owner)
        if not self.label:
            object.__setattr__(self, "label", f"{self.pre}->{self.post}:{self.receptor}")

    @property
    def pre_label(self) -> str:
        """Label of the pre-synaptic population or source (without the view)."""
        return _ref_label(self.pre)

    @property
    def post_label(self) -> str:
        """Label of the post-synaptic population (without the view)."""
        return _ref_label(self.post)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "Projection",
            "pre": _ref_to_json(self.pre),
            "post": _ref_to_json(self.post),
            "connector": {"type": type(self.connector).__name__,
                          "params": self.connector.to_dict()},
            "synapse": {"type": type(self.synapse).__name__, "params": self.synapse.to_dict()},
            "receptor": self.receptor,
            "label": self.label,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Projection) and self.to_dict() == other.to_dict()


@dataclass(frozen=True)
class Probe:
    """Record ``variable`` of a population (or ``"spikes"`` of a source).

    ``variable`` is "spikes" or a recordable state variable of the population's cell type
    (checked by the spec). ``sampling_interval`` (a time; state variables only) defaults to
    the time step; engines require a whole number of steps. It is held in seconds.
    """

    target: str
    variable: str = "spikes"
    sampling_interval: Quantity | float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.variable, str) or not self.variable.isidentifier():
            raise ParameterError("variable", self.variable,
                                 "'spikes' or the name of a state variable", "Probe")
        si = self.sampling_interval
        if si is not None:
            require_quantity(si, second, "sampling_interval", f"Probe {self.key!r}")
            value = float(to_si(si))
            if not (math.isfinite(value) and value > 0):
                raise ParameterError("sampling_interval", si, "a time > 0 ms, or None for "
                                     "every time step", f"Probe {self.key!r}")
            object.__setattr__(self, "sampling_interval", value)

    @property
    def key(self) -> str:
        """How the probe is named in ``Simulation.data``: ``"label.variable"``."""
        return f"{self.target}.{self.variable}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "Probe", **dataclasses.asdict(self)}


def _tuple(items: Iterable[Any] | None) -> tuple[Any, ...]:
    return tuple(items) if items is not None else ()


@dataclass(frozen=True, eq=False)
class NetworkSpec:
    """A whole network: populations, spike sources, projections, probes and current sources.

    Validated on construction: unique labels, existing references, views inside their
    population, weights with the units of the post-synaptic cell type (nA onto current-based,
    uS onto conductance-based cells), probes of recordable variables.
    """

    populations: tuple[Population, ...] = ()
    sources: tuple[Source, ...] = ()
    projections: tuple[Projection, ...] = ()
    probes: tuple[Probe, ...] = ()
    name: str = "network"
    current_sources: tuple[CurrentSource, ...] = ()

    def __post_init__(self) -> None:
        for name in ("populations", "sources", "projections", "probes", "current_sources"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))
        self.validate()

    # -- lookups ---------------------------------------------------------------------------
    @property
    def groups(self) -> dict[str, Population | Source]:
        """Populations and sources by label."""
        return {g.label: g for g in (*self.populations, *self.sources)}

    def population(self, label: str) -> Population:
        for p in self.populations:
            if p.label == label:
                return p
        raise SpecError(f"no population labelled {label!r}; populations: "
                        f"{[p.label for p in self.populations]}")

    def projection(self, label: str) -> Projection:
        for p in self.projections:
            if p.label == label:
                return p
        raise SpecError(f"no projection labelled {label!r}")

    def ids(self, ref: str | View) -> np.ndarray:
        """Indices (within the population) of the neurons a label or view refers to."""
        group = self.groups[_ref_label(ref)]
        if isinstance(ref, View):
            return np.arange(ref.start, ref.stop, dtype=np.int64)
        return np.arange(group.size, dtype=np.int64)

    @property
    def n_neurons(self) -> int:
        return sum(p.size for p in self.populations)

    # -- validation ------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise SpecError or ParameterError on the first inconsistency found."""
        # the kinds first: everything below reads their attributes
        for p in self.populations:
            if not isinstance(p, Population):
                raise ParameterError("populations", p, "Population instances (a cell type "
                                     "goes in Population(label, size, cell))", "NetworkSpec")
        for s in self.sources:
            if not isinstance(s, SpikeSourceArray | SpikeSourcePoisson):
                raise ParameterError("sources", s, "SpikeSourceArray or SpikeSourcePoisson",
                                     "NetworkSpec")
        for kind, cls in (("projections", Projection), ("probes", Probe),
                          ("current_sources", CurrentSource)):
            for x in getattr(self, kind):
                if not isinstance(x, cls):
                    raise ParameterError(kind, x, f"{cls.__name__} instances", "NetworkSpec")
        labels: list[str] = [g.label for g in (*self.populations, *self.sources,
                                                *self.current_sources)]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise SpecError("labels must be unique across populations, spike sources and "
                            f"current sources: {dupes}")
        groups = self.groups
        pops = {p.label: p for p in self.populations}
        proj_labels = [p.label for p in self.projections]
        dupes = sorted({x for x in proj_labels if proj_labels.count(x) > 1})
        if dupes:
            raise SpecError(f"projection labels must be unique (give label=...): {dupes}")
        for proj in self.projections:
            for side in ("pre", "post"):
                ref = getattr(proj, side)
                label = _ref_label(ref)
                if label not in groups:
                    raise SpecError(f"projection {proj.label!r}: {side} {label!r} is not a "
                                    f"population or source of this spec")
                if isinstance(ref, View) and ref.stop > groups[label].size:
                    raise SpecError(f"projection {proj.label!r}: view {ref} goes past the end "
                                    f"of {label!r} (size {groups[label].size})")
            post_label = proj.post_label
            if post_label not in pops:
                raise SpecError(f"projection {proj.label!r}: post {post_label!r} must be a "
                                "population (a spike source cannot receive synapses)")
            receptors = list(pops[post_label].celltype.receptors)
            if proj.receptor not in receptors:
                raise ParameterError("receptor", proj.receptor, f"one of {receptors} (the "
                                     f"receptors of {post_label!r})", f"Projection {proj.label!r}")
            kind = pops[post_label].celltype.weight_kind
            if proj.synapse.kind != kind:
                raise ParameterError(
                    "weight", proj.synapse.weight,  # type: ignore[attr-defined]
                    f"a {kind} in units of {WEIGHT_UNITS[kind]!s} for {post_label!r} "
                    f"({type(pops[post_label].celltype).__name__})",
                    f"Projection {proj.label!r}")
        self._validate_current_sources(pops)
        currents = {c.label for c in self.current_sources}
        for probe in self.probes:
            if probe.target in currents:
                if probe.variable != "i":
                    raise ParameterError("variable", probe.variable,
                                         "'i' (the current a current source injects)",
                                         f"Probe of {probe.target!r}")
                continue
            if probe.target not in groups:
                raise SpecError(f"probe {probe.key!r}: no population or source "
                                f"{probe.target!r}")
            g = groups[probe.target]
            if probe.variable != "spikes":
                if not isinstance(g, Population) or probe.variable not in g.celltype.recordable:
                    allowed = ("spikes",) + (g.celltype.recordable if isinstance(g, Population)
                                             else ())
                    raise ParameterError("variable", probe.variable, f"one of {allowed}",
                                         f"Probe of {probe.target!r}")

    def _validate_current_sources(self, pops: dict[str, Population]) -> None:
        for cs in self.current_sources:
            owner = f"{type(cs).__name__} {cs.label!r}" if isinstance(cs, CurrentSource) \
                else "NetworkSpec"
            if not isinstance(cs, CurrentSource):
                raise ParameterError("current_sources", cs,
                                     "DCSource, ACSource, StepCurrentSource or "
                                     "NoisyCurrentSource instances", owner)
            label = cs.target_label
            if label not in pops:
                raise ParameterError("target", label, "the label of a population of this "
                                     f"spec, one of {sorted(pops)}", owner)
            if isinstance(cs.target, View) and cs.target.stop > pops[label].size:
                raise ParameterError("target", str(cs.target), f"a view inside {label!r} "
                                     f"(size {pops[label].size})", owner)

    def current_source(self, label: str) -> CurrentSource:
        for c in self.current_sources:
            if c.label == label:
                return c
        raise SpecError(f"no current source labelled {label!r}")

    def min_delay(self) -> float | None:
        """The smallest given delay in seconds (None if every delay is one time step or
        drawn from a distribution)."""
        ds = [float(np.min(to_si(p.synapse.delay))) for p in self.projections  # type: ignore[attr-defined]
              if p.synapse.delay is not None  # type: ignore[attr-defined]
              and not isinstance(p.synapse.delay, RandomDistribution)]  # type: ignore[attr-defined]
        return min(ds) if ds else None

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "neurosim.NetworkSpec/1",
            "name": self.name,
            "populations": [p.to_dict() for p in self.populations],
            "sources": [s.to_dict() for s in self.sources],
            "projections": [p.to_dict() for p in self.projections],
            "probes": [p.to_dict() for p in self.probes],
            "current_sources": [c.to_dict() for c in self.current_sources],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkSpec:
        if data.get("format") != "neurosim.NetworkSpec/1":
            raise SpecError(f"not a neurosim NetworkSpec: format {data.get('format')!r}")
        pops = []
        for d in data["populations"]:
            ctype = (cell_type_from_declaration(d["celltype"]["declaration"])
                     if "declaration" in d["celltype"] else cell_type_class(d["celltype"]["type"]))
            cell = ctype.from_dict(d["celltype"]["params"])
            init = {k: (RandomDistribution.from_dict(v) if isinstance(v, dict)
                        else np.asarray(v, dtype=float) * cell.state_unit(k))
                    for k, v in d["initial_values"].items()}
            pops.append(Population(d["label"], d["size"], cell, init))
        sources: list[Source] = []
        for d in data["sources"]:
            if d["kind"] == "SpikeSourceArray":
                sources.append(SpikeSourceArray(d["label"], tuple(map(tuple, d["spike_times"]))))
            else:
                sources.append(SpikeSourcePoisson(
                    d["label"], d["size"], np.asarray(d["rate"], float) * Hz,
                    np.asarray(d["start"], float) * second,
                    None if d["duration"] is None else np.asarray(d["duration"], float) * second))
        projs = []
        for d in data["projections"]:
            conn = CONNECTORS[d["connector"]["type"]].from_dict(d["connector"]["params"])
            syn = SYNAPSE_TYPES[d["synapse"]["type"]].from_dict(d["synapse"]["params"])
            projs.append(Projection(_ref_from_json(d["pre"]), _ref_from_json(d["post"]),
                                    conn, syn, d["receptor"], d["label"]))
        probes = [Probe(d["target"], d["variable"], None if d["sampling_interval"] is None
                        else d["sampling_interval"] * second) for d in data["probes"]]
        currents = tuple(CurrentSource.from_dict(d) for d in data.get("current_sources", []))
        return cls(tuple(pops), tuple(sources), tuple(projs), tuple(probes), data["name"],
                   currents)

    @classmethod
    def from_json(cls, text: str) -> NetworkSpec:
        return cls.from_dict(json.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NetworkSpec) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def replace(self, **changes: Any) -> NetworkSpec:
        return dataclasses.replace(self, **changes)


def add_spike_times(spec: NetworkSpec, source: str, indices: Sequence[int],
                    times: Quantity) -> NetworkSpec:
    """A copy of ``spec`` whose ``SpikeSourceArray`` ``source`` also fires at ``times``.

    The offline form of ``Simulation.inject``: a board runs one spec from start to end, so
    input given operation by operation (the CA3 memory's protocol) is written into the
    spike source before deploying.
    """
    group = spec.groups.get(source)
    if not isinstance(group, SpikeSourceArray):
        raise ParameterError("source", source, "the label of a SpikeSourceArray",
                             "add_spike_times")
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    t = np.asarray(to_si(times, second), dtype=float).reshape(-1)
    if len(idx) != len(t):
        raise ParameterError("indices", indices, f"as many entries as times ({len(t)})",
                             "add_spike_times")
    if len(idx) and (idx.min() < 0 or idx.max() >= group.size):
        raise ParameterError("indices", indices, f"ints in [0, {group.size - 1}]",
                             "add_spike_times")
    trains = [list(train) for train in group.spike_times]
    for i, ti in zip(idx.tolist(), t.tolist()):
        trains[i].append(ti)
    new = SpikeSourceArray(source, tuple(tuple(x) for x in trains))
    sources = tuple(new if s.label == source else s for s in spec.sources)
    return spec.replace(sources=sources)

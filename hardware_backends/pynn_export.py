"""Replay a NetworkSpec on any PyNN backend, or write it out as a standalone PyNN script.

A spec is translated once into a :class:`PyNNPlan`: PyNN's names and PyNN's units (one
table, :data:`PYNN_UNITS`), spike times on the time grid, and the synapses our engines would
build for the same seed. :func:`to_pynn` builds the plan with a PyNN module passed in
(``pyNN.brian2``, ``pyNN.spiNNaker``, ``pyNN.nest``, a crossbar backend later) and returns the
handles; :func:`export_script` renders the same plan as a readable script a user can take to
an EBRAINS or SpiNNaker job.

The plan carries our conventions, which are sPyNNaker 1!7.4.1's (docs/decisions.md 1-4):
weights are positive and the receptor gives the sign; an additive STDP amplitude is a weight
change in nA (or uS); a delay is the hop latency. Where a PyNN backend differs, the
difference is applied when building (:class:`BackendConventions`): NEST and Brian2 multiply
A by w_max and want negative current-based inhibitory weights, pyNN.brian2 only has axonal
STDP delays and no multiplicative rule. See docs/spinnaker.md for the timing of pyNN.brian2
(every hop one step later than ours).

Examples
--------
>>> import pyNN.brian2 as sim                                  # doctest: +SKIP
>>> net = to_pynn(spec, sim, timestep=0.1 * ms, seed=1)        # doctest: +SKIP
>>> net.run(50 * ms); net.spikes("cells"); net.end()           # doctest: +SKIP
>>> export_script(spec, "net.py", timestep=1 * ms, duration=1000 * ms)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from neurosim._version import __version__
from neurosim.engines.base import check_delays, check_dt, connect_projection, steps_of
from neurosim.engines.data import SpikeData, grid_times
from neurosim.errors import ParameterError, SpecError, UnsupportedFeature
from neurosim.network import (
    AdditiveWeightDependence,
    AllToAll,
    FixedProbability,
    FromList,
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
    View,
)
from neurosim.random import SeedLike, as_seed_sequence, child_seed
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
    to_si,
    uS,
    volt,
)

__all__ = [
    "CONVENTIONS",
    "PYNN_UNITS",
    "BackendConventions",
    "PyNNNetwork",
    "PyNNPlan",
    "add_spike_times",
    "conventions_for",
    "export_script",
    "from_pynn_units",
    "load_script_output",
    "pynn_plan",
    "to_pynn",
    "to_pynn_units",
]

# -- units --------------------------------------------------------------------------------

#: PyNN's unit for each SI dimension (PyNN's standard models: ms, mV, nA, nF, uS, Hz). The
#: one place where Brian2 quantities become PyNN's plain floats and back.
PYNN_UNITS: dict[str, tuple[str, Any]] = {
    "second": ("ms", ms),
    "volt": ("mV", mV),
    "amp": ("nA", nA),
    "farad": ("nF", nF),
    "siemens": ("uS", uS),
    "hertz": ("Hz", Hz),
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
    return to_pynn_units(np.asarray(value_si, dtype=float) * _SI[dimension])


_SI = {"second": second, "volt": volt, "amp": amp, "farad": farad, "siemens": siemens,
       "hertz": Hz}

# -- backend conventions -------------------------------------------------------------------


@dataclass(frozen=True)
class BackendConventions:
    """Where a PyNN backend departs from the conventions of a :class:`PyNNPlan`.

    Parameters
    ----------
    name
        The PyNN module's name ("pyNN.spiNNaker").
    stdp_amplitude
        "weight": A_plus/A_minus of the additive rule are weight changes in nA/uS (sPyNNaker
        1!7.4.1, ``weight_dependence_additive.py``); "w_max": the backend multiplies them by
        w_max (PyNN's NEST and Brian2 backends), so they are exported as A / w_max.
    inhibitory_current_sign
        +1: inhibitory weights are positive (sPyNNaker takes ``abs(weight)`` and the
        receptor's sign); -1: current-based inhibitory synapses need negative weights (PyNN's
        NEST and Brian2 backends add the weight to the current).
    dendritic_delay_fraction
        Passed to ``STDPMechanism``; ``None`` leaves the backend's default. sPyNNaker
        accepts only 1.0 (the post spike seen ``d`` later, our semantics); pyNN.brian2 only 0.
    multiplicative_stdp
        Whether ``MultiplicativeWeightDependence`` is implemented (pyNN.brian2 runs its
        additive equations whatever the weight dependence, so it is refused there).
    record_names
        Our probe variable -> the backend's recordable name, where they differ.
    """

    name: str
    stdp_amplitude: str = "w_max"
    inhibitory_current_sign: float = -1.0
    dendritic_delay_fraction: float | None = None
    multiplicative_stdp: bool = True
    record_names: tuple[tuple[str, str], ...] = ()

    def record_name(self, variable: str) -> str:
        return dict(self.record_names).get(variable, variable)


#: Known PyNN backends. Others get PyNN's reference conventions (NEST's).
CONVENTIONS: dict[str, BackendConventions] = {
    "pyNN.spiNNaker": BackendConventions(
        "pyNN.spiNNaker", stdp_amplitude="weight", inhibitory_current_sign=1.0,
        dendritic_delay_fraction=None,
        # sPyNNaker records a current-based cell's synaptic input as "gsyn_exc"/"gsyn_inh"
        # (in nA, although its metadata says uS).
        record_names=(("isyn_exc", "gsyn_exc"), ("isyn_inh", "gsyn_inh"))),
    "pyNN.brian2": BackendConventions(
        "pyNN.brian2", stdp_amplitude="w_max", inhibitory_current_sign=-1.0,
        dendritic_delay_fraction=0.0, multiplicative_stdp=False),
    "pyNN.nest": BackendConventions(
        "pyNN.nest", stdp_amplitude="w_max", inhibitory_current_sign=-1.0,
        dendritic_delay_fraction=1.0),
}


def conventions_for(sim: ModuleType | str) -> BackendConventions:
    """The conventions of a PyNN module (or module name); unknown ones get NEST's.

    A backend module may declare its own with a ``NEUROSIM_CONVENTIONS`` attribute (a
    :class:`BackendConventions`), as our crossbar backend will.
    """
    own = getattr(sim, "NEUROSIM_CONVENTIONS", None)
    if isinstance(own, BackendConventions):
        return own
    name = sim if isinstance(sim, str) else sim.__name__
    return CONVENTIONS.get(name, BackendConventions(name))


# -- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlan:
    """A PyNN Population: cells (``cell`` is "IF_curr_exp"/"IF_cond_exp") or a source."""

    label: str
    size: int
    kind: str  # "cell", "array" or "poisson"
    cell: str = ""
    params: dict[str, float] = field(default_factory=dict)  # PyNN units
    initial_values: dict[str, Any] = field(default_factory=dict)  # float or list, PyNN units
    spike_times: tuple[tuple[float, ...], ...] = ()  # ms, on the grid
    record: tuple[tuple[str, float | None], ...] = ()  # (variable, sampling interval in ms)


@dataclass(frozen=True)
class ConnectorPlan:
    """A PyNN connector between whole populations: ``kind`` is "OneToOne", "AllToAll",
    "FromList" or "FixedProbability"; ``pairs`` (FromList) are population indices."""

    kind: str
    allow_self_connections: bool = True
    p_connect: float = 0.0
    seed: int = 0
    pairs: np.ndarray | None = None

    @property
    def n_connections(self) -> int | None:
        return None if self.pairs is None else len(self.pairs)


@dataclass(frozen=True)
class ProjectionPlan:
    """A PyNN Projection between whole populations, with our conventions: a positive
    weight in nA (current-based cells) or uS, additive A in the weight's unit, delay in ms
    on the grid. ``pre``/``post`` keep the spec's views (label, start, stop) for reading
    weights back; a projection of a view is built as a list of synapses."""

    label: str
    pre: tuple[str, int, int]  # label, start, stop (the whole group: 0, size)
    post: tuple[str, int, int]
    receptor: str
    weight_kind: str  # "current" or "conductance"
    connector: ConnectorPlan
    weight: float
    delay: float
    stdp: dict[str, Any] | None = None  # tau_plus, tau_minus (ms), A_plus, A_minus,
    # w_min, w_max (weight units), rule ("additive"/"multiplicative")


@dataclass(frozen=True)
class PyNNPlan:
    """A spec in PyNN's terms, backend-neutral (built by :func:`pynn_plan`)."""

    name: str
    timestep: float  # ms
    groups: tuple[GroupPlan, ...]
    projections: tuple[ProjectionPlan, ...]
    seed: np.random.SeedSequence
    poisson: tuple[tuple[str, float, float, float | None], ...] = ()
    # native Poisson sources: (label, rate Hz, start ms, duration ms or None)

    def group(self, label: str) -> GroupPlan:
        for g in self.groups:
            if g.label == label:
                return g
        raise SpecError(f"no group labelled {label!r}")


CONNECTIVITY = ("exact", "native")

#: Our cell types that are PyNN standard cells (same names, parameters and defaults).
STANDARD_CELLS = (IF_curr_exp.__name__, IF_cond_exp.__name__)


def pynn_plan(spec: NetworkSpec, *, timestep: Quantity = 0.1 * ms, seed: SeedLike = None,
              connectivity: str = "exact", poisson_until: Quantity | None = None) -> PyNNPlan:
    """Translate ``spec`` into PyNN's names and units (see :class:`PyNNPlan`).

    Parameters
    ----------
    spec
        The network.
    timestep
        The time step; delays and spike times must lie on its grid (as for our engines).
    seed
        Root seed: random connectivity and random initial values are drawn as our engines
        draw them, so ``to_pynn(spec, sim, seed=s)`` builds the network ``build(spec,
        seed=s)`` builds.
    connectivity
        "exact" (default): random connectors become ``FromListConnector`` with our
        realised synapses. "native": PyNN's own ``FixedProbabilityConnector`` (the same
        statistics, other synapses; generated on the board by sPyNNaker).
    poisson_until
        If given, Poisson sources become spike arrays holding the spikes our engines draw
        up to this time (identical input); otherwise PyNN's ``SpikeSourcePoisson``.
    """
    if not isinstance(spec, NetworkSpec):
        raise ParameterError("spec", spec, "a NetworkSpec", "pynn_plan")
    if connectivity not in CONNECTIVITY:
        raise ParameterError("connectivity", connectivity, f"one of {CONNECTIVITY}",
                             "pynn_plan")
    dt_s = check_dt(timestep)
    check_delays(spec, dt_s, "PyNN export")
    root = as_seed_sequence(seed)
    dt_ms = _clean(dt_s * 1e3)
    probes: dict[str, list[Probe]] = {}
    for probe in spec.probes:
        probes.setdefault(probe.target, []).append(probe)

    groups: list[GroupPlan] = []
    native_poisson = []
    drawn = _draw_poisson(spec, root, dt_s, poisson_until)
    for pop in spec.populations:
        groups.append(_population_plan(pop, root, probes.get(pop.label, [])))
    for src in spec.sources:
        record = tuple((p.variable, None) for p in probes.get(src.label, []))
        if isinstance(src, SpikeSourceArray):
            times = _grid_trains(src.label, src.spike_times, dt_s)
            groups.append(GroupPlan(src.label, src.size, "array", spike_times=times,
                                    record=record))
        elif src.label in drawn:
            groups.append(GroupPlan(src.label, src.size, "array", spike_times=drawn[src.label],
                                    record=record))
        else:
            duration = None if src.duration is None else to_pynn_units(src.duration)
            native_poisson.append((src.label, to_pynn_units(src.rate),
                                   to_pynn_units(src.start), duration))
            groups.append(GroupPlan(src.label, src.size, "poisson", record=record))
    projections = tuple(_projection_plan(spec, proj, root, dt_s, connectivity)
                        for proj in spec.projections)
    return PyNNPlan(spec.name, dt_ms, tuple(groups), projections, root, tuple(native_poisson))


def _population_plan(pop: Population, root: np.random.SeedSequence,
                     probes: list[Probe]) -> GroupPlan:
    cell = pop.celltype
    params = {name: _si_to_pynn(d["value"], d["unit"]) for name, d in cell.to_dict().items()}
    init: dict[str, Any] = {}
    given = dict(pop.initial_values)
    # PyNN starts v at -65 mV whatever v_rest is; we start it at v_rest: always say it.
    for name in ("v", *[n for n in cell.recordable[1:] if n in given]):
        dim = "volt" if name == "v" else ("amp" if name.startswith("isyn") else "siemens")
        values = _si_to_pynn(pop.initial(name, root), dim)
        init[name] = float(values[0]) if np.all(values == values[0]) else values.tolist()
    record = []
    for p in probes:
        interval = None if p.sampling_interval is None else _clean(p.sampling_interval * 1e3)
        record.append((p.variable, interval))
    return GroupPlan(pop.label, pop.size, "cell", type(cell).__name__, params, init,
                     record=tuple(record))


def _grid_trains(label: str, trains: Sequence[Sequence[float]], dt_s: float
                 ) -> tuple[tuple[float, ...], ...]:
    out = []
    for i, train in enumerate(trains):
        t = np.asarray(train, dtype=float)
        steps = np.round(t / dt_s).astype(np.int64)
        if len(np.unique(steps)) != len(steps):
            raise ParameterError("spike_times", train,
                                 f"at most one spike per time step ({dt_s * 1e3:g} ms)",
                                 f"SpikeSourceArray {label!r}, source {i}")
        # Times on the grid, in ms: sPyNNaker takes ceil(floor(t * 1000 us) / dt_us), so a
        # time a hair below the grid point would land one tick late.
        out.append(tuple(_clean(x) for x in grid_times(steps, dt_s) * 1e3))
    return tuple(out)


def _draw_poisson(spec: NetworkSpec, root: np.random.SeedSequence, dt_s: float,
                  until: Quantity | None) -> dict[str, tuple[tuple[float, ...], ...]]:
    if until is None:
        return {}
    from neurosim.engines.base import PoissonPlan

    n = steps_of(float(to_si(until, second)), dt_s, "poisson_until")
    out = {}
    for label, (steps, idx) in PoissonPlan(spec, root, dt_s).take(n).items():
        trains = [grid_times(np.sort(steps[idx == i]), dt_s)
                  for i in range(spec.groups[label].size)]
        out[label] = tuple(tuple(_clean(x * 1e3) for x in t) for t in trains)
    return out


def _ref(spec: NetworkSpec, ref: str | View) -> tuple[tuple[str, int, int], bool]:
    size = spec.groups[ref.label if isinstance(ref, View) else ref].size
    if isinstance(ref, View):
        whole = ref.start == 0 and ref.stop == size
        return (ref.label, int(ref.start), int(ref.stop)), not whole
    return (ref, 0, size), False


def _projection_plan(spec: NetworkSpec, proj: Projection, root: np.random.SeedSequence,
                     dt_s: float, connectivity: str) -> ProjectionPlan:
    pre, pre_view = _ref(spec, proj.pre)
    post, post_view = _ref(spec, proj.post)
    conn = proj.connector
    same = proj.pre_label == proj.post_label
    # Projections are made between whole populations; a view becomes a list of synapses
    # with population indices. sPyNNaker 1!7.4.1's FromListConnector takes the indices of a
    # PopulationView as population indices (and fails on views of populations split over
    # cores), and its AllToAll does not look at views at all. PyNN 0.13's connection-map
    # connectors (OneToOne, AllToAll) also fail under NumPy 2 when the pre-synaptic side has
    # one neuron (a 0-d mask in Connector._standard_connect): lists again.
    listed = pre_view or post_view or pre[2] - pre[1] == 1
    if isinstance(conn, OneToOne) and not listed:
        cplan = ConnectorPlan("OneToOne")
    elif isinstance(conn, AllToAll) and not listed:
        # PyNN drops self-connections only between a population and itself, as we do.
        cplan = ConnectorPlan("AllToAll", allow_self_connections=conn.allow_self_connections
                              or not same)
    elif isinstance(conn, FixedProbability) and connectivity == "native" and not listed:
        seed = int(child_seed(root, "projection", proj.label).generate_state(1)[0])
        cplan = ConnectorPlan("FixedProbability", conn.allow_self_connections or not same,
                              float(conn.p_connect), seed)
    elif isinstance(conn, OneToOne | AllToAll | FixedProbability | FromList):
        i_abs, j_abs = connect_projection(spec, proj, root)[:2]
        pairs = np.stack([i_abs, j_abs], axis=1).astype(np.int64).reshape(-1, 2)
        cplan = ConnectorPlan("FromList", pairs=pairs)
    else:  # pragma: no cover - the spec admits the four connectors only
        raise UnsupportedFeature(type(conn).__name__, "PyNN export")
    syn = proj.synapse
    delay_s = dt_s if syn.delay is None else float(to_si(syn.delay))
    delay = _clean(steps_of(delay_s, dt_s, f"delay of projection {proj.label!r}") * dt_s * 1e3)
    kind = syn.kind
    unit = "amp" if kind == "current" else "siemens"
    weight = _si_to_pynn(float(to_si(syn.weight)), unit)
    stdp = None
    if isinstance(syn, STDPMechanism):
        td, wd = syn.timing_dependence, syn.weight_dependence
        w_max = _si_to_pynn(float(to_si(wd.w_max)), unit)
        additive = isinstance(wd, AdditiveWeightDependence)
        # Plan convention: additive A is a weight change in nA/uS (sPyNNaker 1!7.4.1).
        scale = w_max if additive and wd.scale_by_w_max else 1.0
        stdp = {"tau_plus": to_pynn_units(td.tau_plus), "tau_minus": to_pynn_units(td.tau_minus),
                "A_plus": _clean(float(td.A_plus) * scale),
                "A_minus": _clean(float(td.A_minus) * scale),
                "w_min": _si_to_pynn(float(to_si(wd.w_min)), unit), "w_max": w_max,
                "rule": "additive" if additive else "multiplicative"}
    elif not isinstance(syn, StaticSynapse):  # pragma: no cover
        raise UnsupportedFeature(type(syn).__name__, "PyNN export")
    return ProjectionPlan(proj.label, pre, post, proj.receptor, kind, cplan, weight, delay,
                          stdp)


def stdp_amplitudes(p: ProjectionPlan, conv: BackendConventions) -> tuple[float, float]:
    """A_plus, A_minus as ``conv``'s backend wants them (see :class:`BackendConventions`)."""
    assert p.stdp is not None
    a_plus, a_minus = p.stdp["A_plus"], p.stdp["A_minus"]
    if p.stdp["rule"] == "additive" and conv.stdp_amplitude == "w_max":
        if p.stdp["w_max"] == 0:
            raise ParameterError("w_max", p.stdp["w_max"], f"> 0 on {conv.name}, which "
                                 "multiplies A by w_max", f"projection {p.label!r}")
        return a_plus / p.stdp["w_max"], a_minus / p.stdp["w_max"]
    return a_plus, a_minus


def _check_cells(plan: PyNNPlan, backend: str, available: Any = None) -> None:
    """Refuse cell types that are not PyNN standard cells (or not in ``available``)."""
    for g in plan.groups:
        if g.kind == "cell" and (g.cell not in STANDARD_CELLS or (
                available is not None and getattr(available, g.cell, None) is None)):
            raise UnsupportedFeature(f"cell type {g.cell} (population {g.label!r})", backend,
                                     " or ".join(STANDARD_CELLS))


def _check_backend(plan: PyNNPlan, conv: BackendConventions, cell_recordable: dict[str, Any]
                   ) -> None:
    for p in plan.projections:
        if p.stdp is None:
            continue
        if p.stdp["rule"] == "multiplicative" and not conv.multiplicative_stdp:
            raise UnsupportedFeature(f"MultiplicativeWeightDependence (projection {p.label!r})",
                                     conv.name, "AdditiveWeightDependence")
        if (p.receptor == "inhibitory" and p.weight_kind == "current"
                and conv.inhibitory_current_sign < 0):
            raise UnsupportedFeature(
                f"plastic inhibitory current-based synapses (projection {p.label!r}: the "
                "backend needs negative weights and bounds)", conv.name, "pyNN.spiNNaker")
    for g in plan.groups:
        for variable, _ in g.record:
            if variable == "spikes":
                continue
            name = conv.record_name(variable)
            allowed = cell_recordable.get(g.cell)
            if allowed is not None and name not in allowed:
                raise UnsupportedFeature(
                    f"recording {variable!r} of {g.cell} (population {g.label!r})", conv.name,
                    f"one of {sorted(allowed)}, e.g. spec.replace(probes=...)")


# -- building on a PyNN module ----------------------------------------------------------------


@dataclass
class PyNNNetwork:
    """A spec built on a PyNN backend by :func:`to_pynn`.

    Attributes
    ----------
    sim
        The PyNN module.
    spec, plan, conventions
        What was built and how.
    populations
        PyNN Populations (cells and sources) by label.
    projections
        PyNN Projections by label (``None`` for a projection with no synapse: PyNN
        backends disagree on empty connection lists, so none is created).
    """

    sim: ModuleType
    spec: NetworkSpec
    plan: PyNNPlan
    conventions: BackendConventions
    populations: dict[str, Any]
    projections: dict[str, Any]

    @property
    def dt(self) -> Quantity:
        return self.plan.timestep * ms

    def run(self, duration: Quantity) -> None:
        """``sim.run`` for ``duration`` (a quantity)."""
        self.sim.run(to_pynn_units(duration))

    def get_data(self, label: str, variables: Any = "all") -> Any:
        """The Neo Block of a population (PyNN's ``get_data``, not cleared)."""
        return self.populations[label].get_data(variables, clear=False)

    def spikes(self, label: str) -> SpikeData:
        """Spikes of a recorded group as our :class:`SpikeData` (times snapped to the grid)."""
        seg = self.get_data(label, "spikes").segments[0]
        dt_ms = self.plan.timestep
        times, idx = [], []
        for k, st in enumerate(seg.spiketrains):
            i = int(st.annotations.get("source_index", k))
            steps = np.round(np.asarray(st.rescale("ms").magnitude, dtype=float) / dt_ms)
            times.append(grid_times(steps, dt_ms * 1e-3))
            idx.append(np.full(len(steps), i, dtype=np.int64))
        t = np.concatenate(times) if times else np.zeros(0)
        i_arr = np.concatenate(idx) if idx else np.zeros(0, np.int64)
        order = np.lexsort((i_arr, t))
        return SpikeData(label, self.spec.groups[label].size, t[order] * second, i_arr[order])

    def weights(self, label: str) -> Quantity:
        """Weights of a projection, (n_pre, n_post) of its views, NaN where unconnected,
        positive (our sign convention), in amperes or siemens."""
        plan = next(p for p in self.plan.projections if p.label == label)
        n_pre, n_post = plan.pre[2] - plan.pre[1], plan.post[2] - plan.post[1]
        unit = nA if plan.weight_kind == "current" else uS
        proj = self.projections[label]
        if proj is None:
            return np.full((n_pre, n_post), np.nan) * unit
        out = np.full((n_pre, n_post), np.nan)
        for i, j, w in _connection_list(proj, plan.weight_kind):
            out[int(i) - plan.pre[1], int(j) - plan.post[1]] = abs(float(w))
        return out * unit

    def end(self) -> None:
        """``sim.end()``."""
        self.sim.end()


def _connection_list(proj: Any, weight_kind: str) -> list[tuple[float, float, float]]:
    """(i, j, weight) of a PyNN projection between whole populations, in PyNN units."""
    try:
        return list(proj.get("weight", format="list", with_address=True))
    except (ValueError, TypeError):
        # pyNN.brian2 0.13 fails on a projection with one synapse (a scalar where it expects
        # an array): read its Brian2 Synapses object (weights in SI there).
        syn = proj._brian2_synapses[0][0]
        w = np.asarray(syn.weight_[:]) / (1e-9 if weight_kind == "current" else 1e-6)
        return list(zip(np.asarray(syn.i[:]).tolist(), np.asarray(syn.j[:]).tolist(),
                        w.tolist()))


def to_pynn(spec: NetworkSpec, sim: ModuleType, *, timestep: Quantity = 0.1 * ms,
            seed: SeedLike = None, connectivity: str = "exact",
            poisson_until: Quantity | None = None, setup: bool = True,
            setup_kwargs: dict[str, Any] | None = None,
            population_kwargs: dict[str, dict[str, Any]] | None = None,
            conventions: BackendConventions | None = None) -> PyNNNetwork:
    """Build ``spec`` with the PyNN module ``sim`` (``pyNN.brian2``, ``pyNN.spiNNaker``...).

    Parameters
    ----------
    spec
        The network.
    sim
        A PyNN backend module.
    timestep
        Passed to ``sim.setup``; delays and spike times must lie on its grid.
    seed
        Root seed of random connectivity and initial values (the same draws as our engines).
    connectivity, poisson_until
        See :func:`pynn_plan`.
    setup
        Call ``sim.setup(timestep=..., **setup_kwargs)`` first (False: the caller did).
    population_kwargs
        Extra keyword arguments of ``sim.Population`` by label (e.g. sPyNNaker's
        ``additional_parameters={"neurons_per_core": 64}``).
    conventions
        Overrides :func:`conventions_for` ``(sim)``.

    Returns
    -------
    PyNNNetwork
        Handles to populations and projections; call ``.run(duration)``, then
        ``.spikes(label)`` or ``.get_data(label)``, then ``.end()``.

    Notes
    -----
    On ``pyNN.brian2`` every synaptic hop takes one step more than on our engines and on
    SpiNNaker, and the refractory period one step less (docs/spinnaker.md): a network that
    does not depend on those gives the same spikes shifted by (number of hops) x dt.
    """
    plan = pynn_plan(spec, timestep=timestep, seed=seed, connectivity=connectivity,
                     poisson_until=poisson_until)
    conv = conventions or conventions_for(sim)
    _check_cells(plan, conv.name, sim)
    recordable = {c: getattr(getattr(sim, c, None), "recordable", None) for c in STANDARD_CELLS}
    _check_backend(plan, conv, recordable)
    if conv.name == "pyNN.brian2":
        _configure_pynn_brian2()
    if setup:
        sim.setup(timestep=plan.timestep, **(setup_kwargs or {}))
    extra = population_kwargs or {}
    pops: dict[str, Any] = {}
    poisson = {label: (rate, start, dur) for label, rate, start, dur in plan.poisson}
    for g in plan.groups:
        kwargs = dict(extra.get(g.label, {}))
        if g.kind == "cell":
            celltype = getattr(sim, g.cell)(**g.params)
            pops[g.label] = sim.Population(g.size, celltype, initial_values=dict(
                g.initial_values), label=g.label, **kwargs)
        elif g.kind == "array":
            pops[g.label] = sim.Population(g.size, sim.SpikeSourceArray(
                spike_times=[list(t) for t in g.spike_times]), label=g.label, **kwargs)
        else:
            rate, start, dur = poisson[g.label]
            params = {"rate": rate, "start": start}
            if dur is not None:
                params["duration"] = dur
            pops[g.label] = sim.Population(g.size, sim.SpikeSourcePoisson(**params),
                                           label=g.label, **kwargs)
    projs: dict[str, Any] = {}
    for p in plan.projections:
        if p.connector.n_connections == 0:
            warnings.warn(f"projection {p.label!r} has no synapse: not created on {conv.name}",
                          stacklevel=2)
            projs[p.label] = None
            continue
        projs[p.label] = sim.Projection(
            pops[p.pre[0]], pops[p.post[0]], _connector(sim, p.connector),
            _synapse(sim, p, conv), receptor_type=p.receptor, label=p.label)
    for g in plan.groups:
        for variable, interval in g.record:
            kwargs = {} if interval is None else {"sampling_interval": interval}
            pops[g.label].record(conv.record_name(variable), **kwargs)
    return PyNNNetwork(sim, spec, plan, conv, pops, projs)


def _configure_pynn_brian2() -> None:
    # pyNN.brian2 leaves Brian2's preferences alone: "auto" would compile with Cython into
    # ~/.cython. Use our cache folder, and the numpy target as our Brian2 engine does for
    # small networks (docs/decisions.md 7) unless the user chose a target.
    import brian2

    from neurosim.config import cache_dir

    brian2.prefs.codegen.runtime.cython.cache_dir = str(cache_dir("brian2-cython"))
    if brian2.prefs.codegen.target == "auto":
        brian2.prefs.codegen.target = "numpy"


def _connector(sim: ModuleType, c: ConnectorPlan) -> Any:
    if c.kind == "OneToOne":
        return sim.OneToOneConnector()
    if c.kind == "AllToAll":
        return sim.AllToAllConnector(allow_self_connections=c.allow_self_connections)
    if c.kind == "FixedProbability":
        return sim.FixedProbabilityConnector(c.p_connect,
                                             allow_self_connections=c.allow_self_connections,
                                             rng=sim.NumpyRNG(seed=c.seed))
    assert c.pairs is not None
    return sim.FromListConnector([(int(i), int(j)) for i, j in c.pairs])


def _synapse(sim: ModuleType, p: ProjectionPlan, conv: BackendConventions) -> Any:
    sign = (conv.inhibitory_current_sign
            if p.receptor == "inhibitory" and p.weight_kind == "current" else 1.0)
    if p.stdp is None:
        return sim.StaticSynapse(weight=sign * p.weight, delay=p.delay)
    a_plus, a_minus = stdp_amplitudes(p, conv)
    timing = sim.SpikePairRule(tau_plus=p.stdp["tau_plus"], tau_minus=p.stdp["tau_minus"],
                               A_plus=a_plus, A_minus=a_minus)
    dep_class = (sim.AdditiveWeightDependence if p.stdp["rule"] == "additive"
                 else sim.MultiplicativeWeightDependence)
    dependence = dep_class(w_min=p.stdp["w_min"], w_max=p.stdp["w_max"])
    kwargs = {}
    if conv.dendritic_delay_fraction is not None:
        kwargs["dendritic_delay_fraction"] = conv.dendritic_delay_fraction
    return sim.STDPMechanism(timing_dependence=timing, weight_dependence=dependence,
                             weight=p.weight, delay=p.delay, **kwargs)


# -- a standalone script -------------------------------------------------------------------

#: Lists longer than this go to a side file (``<script>_data.npz``) to keep the script
#: readable.
INLINE_LIMIT = 400


def export_script(spec: NetworkSpec, path: str | Path, *, backend: str = "pyNN.spiNNaker",
                  timestep: Quantity = 0.1 * ms, duration: Quantity = 1000 * ms,
                  seed: SeedLike = None, connectivity: str = "exact",
                  poisson_until: Quantity | None = None) -> Path:
    """Write ``spec`` as a standalone, readable PyNN script.

    The script runs as is: ``python net.py`` on sPyNNaker (or ``backend``), ``python net.py
    --backend pyNN.brian2`` or ``NEUROSIM_PYNN_BACKEND=pyNN.nest python net.py`` elsewhere;
    ``--output`` names the ``.npz`` file of recorded data (read it with
    :func:`load_script_output`). It needs only PyNN, the backend and NumPy. Synapse lists
    and spike trains longer than :data:`INLINE_LIMIT` go to ``<name>_data.npz`` beside it.

    Parameters
    ----------
    spec
        The network.
    path
        Where to write the script (``.py``).
    backend
        The PyNN module the script imports by default.
    timestep, seed, connectivity, poisson_until
        As for :func:`to_pynn`.
    duration
        Default run time (the script's ``--duration`` overrides it).

    Returns
    -------
    pathlib.Path
        The script's path.
    """
    path = Path(path)
    if path.suffix != ".py":
        raise ParameterError("path", str(path), "a file name ending in .py", "export_script")
    plan = pynn_plan(spec, timestep=timestep, seed=seed, connectivity=connectivity,
                     poisson_until=poisson_until)
    _check_cells(plan, "PyNN export")
    for p in plan.projections:  # every backend must be able to take the script as it is
        if p.stdp is not None and p.stdp["rule"] == "additive" and p.stdp["w_max"] == 0:
            raise ParameterError("w_max", 0.0, "> 0 (backends other than sPyNNaker divide "
                                 "A by it)", f"projection {p.label!r}")
    duration_ms = to_pynn_units(duration)
    side: dict[str, np.ndarray] = {}
    text = _render(plan, backend, duration_ms, path, side)
    path.parent.mkdir(parents=True, exist_ok=True)
    data_path = path.with_name(f"{path.stem}_data.npz")
    if side:
        np.savez_compressed(data_path, **side)
    elif data_path.exists():
        data_path.unlink()  # a stale side file of an earlier export
    path.write_text(text)
    return path


def load_script_output(path: str | Path, spec: NetworkSpec) -> dict[str, Any]:
    """Read the ``.npz`` an exported script wrote: ``{"label.spikes": SpikeData,
    "label.v": (times in s, values with units)}``."""
    data = np.load(Path(path))
    out: dict[str, Any] = {}
    for key in data.files:
        if key.endswith(".spikes.times_ms"):
            label = key[: -len(".spikes.times_ms")]
            t = np.asarray(data[key], dtype=float) * 1e-3
            i = np.asarray(data[f"{label}.spikes.indices"], dtype=np.int64)
            order = np.lexsort((i, t))
            out[f"{label}.spikes"] = SpikeData(label, spec.groups[label].size,
                                               t[order] * second, i[order])
        elif key.endswith(".times_ms") or key.endswith(".spikes.indices"):
            continue
        else:
            variable = key.split(".")[-1]
            dim = {"v": "volt", "isyn_exc": "amp", "isyn_inh": "amp"}.get(variable, "siemens")
            out[key] = (np.asarray(data[f"{key}.times_ms"]) * 1e-3 * second,
                        from_pynn_units(data[key], dim))
    return out


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return repr(x)
    if isinstance(x, float | np.floating):
        return repr(_clean(float(x)))
    if isinstance(x, int | np.integer):
        return repr(int(x))
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return repr(x)


def _kwargs(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in d.items())


def _q(text: str) -> str:
    """A string literal in double quotes (a label is plain text: JSON's escapes are Python's)."""
    return json.dumps(text)


def _wrapped_call(head: str, args: str, indent: int = 4) -> str:
    """``head(args)`` with the arguments wrapped at 92 columns on indented lines."""
    if len(head) + len(args) + 2 <= 92:
        return f"{head}({args})"
    pad = " " * indent
    body = textwrap.fill(args, width=92 - indent, initial_indent=pad, subsequent_indent=pad,
                         break_long_words=False, break_on_hyphens=False)
    return f"{head}(\n{body})"


def _long_list(items: list[str], indent: int) -> str:
    """A list literal wrapped at 92 columns."""
    body = ", ".join(items)
    if len(body) + indent < 88:
        return f"[{body}]"
    lines = textwrap.wrap(body, width=92 - indent - 4, break_on_hyphens=False)
    pad = " " * (indent + 4)
    return "[\n" + "\n".join(pad + line for line in lines) + "\n" + " " * indent + "]"


_HEADER = '''\
#!/usr/bin/env python3
"""{name}: a PyNN network exported by neurosim {version}.

Time step {dt} ms; runs for {duration} ms unless --duration says otherwise. Units are
PyNN's: ms, mV, nA, nF, uS, Hz.

Conventions (neurosim, docs/spinnaker.md), which are sPyNNaker 1!7.4.1's:
* weights are positive and the receptor type gives the sign; backends other than
  sPyNNaker add a current-based weight as it is, so inhibitory ones get INHIBITORY_SIGN;
* additive STDP amplitudes are weight changes in nA (uS) per pairing, as sPyNNaker 1!7.4.1
  applies them; NEST and Brian2 multiply A by w_max, so stdp_amplitude() divides by it;
* a delay is the hop latency, and STDP sees the post-synaptic spike one delay late
  (dendritic delay); pyNN.brian2 only has axonal delays (it sees the pre spike late).

Usage:
    python {script}                                # {backend}
    python {script} --backend pyNN.brian2 --output data.npz
    NEUROSIM_PYNN_BACKEND=pyNN.nest python {script}
"""

import argparse
import os
from importlib import import_module
from pathlib import Path

import numpy as np

parser = argparse.ArgumentParser(description={description_q})
parser.add_argument("--backend", default=os.environ.get("NEUROSIM_PYNN_BACKEND", {backend_q}),
                    help="PyNN module to run on (default: %(default)s)")
parser.add_argument("--duration", type=float, default={duration}, help="ms")
parser.add_argument("--output", default={output_q}, help="recorded data (.npz)")
args = parser.parse_args()

sim = import_module(args.backend)
SPINNAKER = args.backend == "pyNN.spiNNaker"
INHIBITORY_SIGN = 1.0 if SPINNAKER else -1.0
# sPyNNaker needs dendritic_delay_fraction=1 (its default), pyNN.brian2 accepts only 0.
STDP_OPTIONS = {{"dendritic_delay_fraction": 0.0}} if args.backend == "pyNN.brian2" else {{}}


def stdp_amplitude(a, w_max):
    """An additive amplitude in weight units, as this backend wants it."""
    return a if SPINNAKER else a / w_max

'''

_FOOTER = '''
sim.run(args.duration)

# Recorded data: spike times (ms) and neuron indices; sampled signals with their times (ms).
out = {}
for label, variable in RECORDED:
    segment = pops[label].get_data(variable).segments[0]
    if variable == "spikes":
        trains = segment.spiketrains
        out[f"{label}.spikes.times_ms"] = np.concatenate(
            [np.asarray(t.rescale("ms").magnitude, dtype=float) for t in trains] + [np.zeros(0)])
        out[f"{label}.spikes.indices"] = np.concatenate(
            [np.full(len(t), t.annotations.get("source_index", k)) for k, t in enumerate(trains)]
            + [np.zeros(0, dtype=int)]).astype(int)
    else:
        signal = segment.filter(name=variable)[0]
        out[f"{label}.{NAMES.get(variable, variable)}"] = np.asarray(signal.magnitude)
        out[f"{label}.{NAMES.get(variable, variable)}.times_ms"] = np.asarray(
            signal.times.rescale("ms").magnitude)
np.savez(args.output, **out)
sim.end()
'''


def _render(plan: PyNNPlan, backend: str, duration_ms: float, path: Path,
            side: dict[str, np.ndarray]) -> str:
    lines = [_HEADER.format(name=plan.name, version=__version__, dt=_fmt(plan.timestep),
                            duration=_fmt(duration_ms), script=path.name, backend=backend,
                            backend_q=_q(backend), output_q=_q(f"{path.stem}_output.npz"),
                            description_q=_q(f"{plan.name} (exported by neurosim)"))]
    if any(g.kind == "array" and sum(map(len, g.spike_times)) > INLINE_LIMIT
           for g in plan.groups) or any(p.connector.n_connections is not None
                                        and p.connector.n_connections > INLINE_LIMIT
                                        for p in plan.projections):
        lines.append(f"DATA = np.load(Path(__file__).with_name({_q(path.stem + '_data.npz')}))"
                     "  # long lists\n")
    lines.append(f"sim.setup(timestep={_fmt(plan.timestep)})\n")
    lines.append("pops = {}")
    poisson = {label: (rate, start, dur) for label, rate, start, dur in plan.poisson}
    for g in plan.groups:
        lines.extend(_render_group(g, poisson, side))
    lines.append("\nprojs = {}")
    for p in plan.projections:
        lines.extend(_render_projection(p, side))
    lines.append("")
    recorded = []
    names = {}
    for g in plan.groups:
        for variable, interval in g.record:
            name = variable
            if variable.startswith("isyn"):
                # sPyNNaker's name for a current-based cell's synaptic input.
                name = variable.replace("isyn", "gsyn")
                names[name] = variable
            extra = "" if interval is None else f", sampling_interval={_fmt(interval)}"
            lines.append(f"pops[{_q(g.label)}].record({_q(name)}{extra})")
            recorded.append((g.label, name))
    lines.append(f"RECORDED = {_long_list([f'({_q(a)}, {_q(b)})' for a, b in recorded], 0)}")
    lines.append("NAMES = {" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in names.items())
                 + "}  # recorded name -> neurosim's name")
    lines.append(_FOOTER)
    return "\n".join(lines)


def _render_group(g: GroupPlan, poisson: dict[str, tuple[float, float, float | None]],
                  side: dict[str, np.ndarray]) -> list[str]:
    key = f"pops[{_q(g.label)}]"
    if g.kind == "cell":
        init = "{" + ", ".join(f"{_q(k)}: {_fmt(v)}" for k, v in g.initial_values.items()) + "}"
        return [f"{key} = sim.Population(",
                "    " + _wrapped_call(f"{g.size}, sim.{g.cell}", _kwargs(g.params), 8) + ",",
                f"    initial_values={init}, label={_q(g.label)})"]
    if g.kind == "poisson":
        rate, start, dur = poisson[g.label]
        params = {"rate": rate, "start": start, **({} if dur is None else {"duration": dur})}
        return [f"{key} = sim.Population({g.size}, sim.SpikeSourcePoisson({_kwargs(params)}),",
                f"    label={_q(g.label)})"]
    if sum(map(len, g.spike_times)) > INLINE_LIMIT:
        name = f"spikes:{g.label}"
        side[f"{name}:times"] = np.concatenate([np.asarray(t) for t in g.spike_times])
        side[f"{name}:counts"] = np.array([len(t) for t in g.spike_times])
        return [f"_times = np.split(DATA[{_q(name + ':times')}], "
                f"np.cumsum(DATA[{_q(name + ':counts')}])[:-1])",
                f"{key} = sim.Population(",
                f"    {g.size}, sim.SpikeSourceArray(spike_times=[t.tolist() for t in _times]),",
                f"    label={_q(g.label)})"]
    trains = _long_list([_fmt(list(t)) for t in g.spike_times], 4)
    return [f"{key} = sim.Population(",
            f"    {g.size}, sim.SpikeSourceArray(spike_times={trains}),",
            f"    label={_q(g.label)})"]


def _render_projection(p: ProjectionPlan, side: dict[str, np.ndarray]) -> list[str]:
    c = p.connector
    if c.n_connections == 0:
        return [f"# {p.label} has no synapse: not created (PyNN backends disagree on empty "
                "lists)"]
    out = []
    if c.kind == "OneToOne":
        conn = "sim.OneToOneConnector()"
    elif c.kind == "AllToAll":
        conn = f"sim.AllToAllConnector(allow_self_connections={c.allow_self_connections})"
    elif c.kind == "FixedProbability":
        conn = (f"sim.FixedProbabilityConnector({_fmt(c.p_connect)}, allow_self_connections="
                f"{c.allow_self_connections},\n                                  "
                f"rng=sim.NumpyRNG(seed={c.seed}))")
    else:
        assert c.pairs is not None
        if len(c.pairs) > INLINE_LIMIT:
            name = f"pairs:{p.label}"
            side[name] = c.pairs
            conn = f"sim.FromListConnector([tuple(ij) for ij in DATA[{_q(name)}].tolist()])"
        else:
            pairs = _long_list([f"({int(i)}, {int(j)})" for i, j in c.pairs], 4)
            if len(pairs) < 50:
                conn = f"sim.FromListConnector({pairs})"
            else:
                out.append(f"pairs = {pairs}  # (pre, post) population indices")
                conn = "sim.FromListConnector(pairs)"
    weight = _fmt(p.weight)
    if p.receptor == "inhibitory" and p.weight_kind == "current":
        weight = f"INHIBITORY_SIGN * {weight}"
    if p.stdp is None:
        syn = f"sim.StaticSynapse(weight={weight}, delay={_fmt(p.delay)})"
    else:
        st = p.stdp
        if st["rule"] == "additive":
            a_plus = f"stdp_amplitude({_fmt(st['A_plus'])}, {_fmt(st['w_max'])})"
            a_minus = f"stdp_amplitude({_fmt(st['A_minus'])}, {_fmt(st['w_max'])})"
            dep = "AdditiveWeightDependence"
        else:
            a_plus, a_minus = _fmt(st["A_plus"]), _fmt(st["A_minus"])
            dep = "MultiplicativeWeightDependence"
        syn = ("sim.STDPMechanism(\n"
               f"        timing_dependence=sim.SpikePairRule(\n"
               f"            tau_plus={_fmt(st['tau_plus'])}, tau_minus={_fmt(st['tau_minus'])},"
               f" A_plus={a_plus},\n"
               f"            A_minus={a_minus}),\n"
               f"        weight_dependence=sim.{dep}(w_min={_fmt(st['w_min'])}, "
               f"w_max={_fmt(st['w_max'])}),\n"
               f"        weight={weight}, delay={_fmt(p.delay)}, **STDP_OPTIONS)")
    out += [f"projs[{_q(p.label)}] = sim.Projection(",
            f"    pops[{_q(p.pre[0])}], pops[{_q(p.post[0])}],",
            f"    {conn},",
            f"    {syn},",
            f"    receptor_type={_q(p.receptor)}, label={_q(p.label)})"]
    return out


# -- spec helpers ---------------------------------------------------------------------------


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

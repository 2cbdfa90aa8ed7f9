"""The plan: a spec translated once, backend-neutral, into a :class:`PyNNPlan` by
:func:`pynn_plan`.

PyNN's names and PyNN's units (:mod:`neurosim.pynn_units`), spike
times on the time grid, and the synapses our engines would build for the same seed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim.engines.base import (
    check_delays,
    check_dt,
    connect_projection,
    steps_of,
    synapse_values,
)
from neurosim.engines.data import grid_times
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
    RandomDistribution,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
    View,
)
from neurosim.network.cells import WEIGHT_UNITS
from neurosim.pynn_units import _clean, _si_to_pynn, to_pynn_units
from neurosim.random import SeedLike, as_seed_sequence, child_seed
from neurosim.units import Quantity, ms, second, si_unit_name, to_si


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
    weight: float  # with ``weights``: the largest of them (sPyNNaker's get_weight_maximum)
    delay: float
    stdp: dict[str, Any] | None = None  # tau_plus, tau_minus (ms), A_plus, A_minus,
    # w_min, w_max (weight units), rule ("additive"/"multiplicative")
    #: one weight per synapse (>= 0, PyNN units), in the order of ``connector.pairs`` (a
    #: "FromList" connector): a weight array or distribution in the spec, realised as the
    #: engines draw it; PyNN gets a FromListConnector with a weight column
    weights: np.ndarray | None = None


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
    if spec.current_sources:
        raise UnsupportedFeature("current sources", "PyNN export",
                                 "a spec without current sources (export of sources: [pynn])")
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
    params = {}
    for f in dataclasses.fields(cell):  # per neuron: single values, arrays, distributions
        values = _si_to_pynn(pop.parameter(f.name, root), si_unit_name(f.metadata["unit"]))
        params[f.name] = (float(values[0]) if np.all(values == values[0])
                          else values.tolist())
    init: dict[str, Any] = {}
    given = dict(pop.initial_values)
    # PyNN starts v at -65 mV whatever v_rest is; we start it at v_rest: always say it.
    for name in ("v", *[n for n in cell.recordable[1:] if n in given]):
        dim = cell.state[name].unit
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
    syn = proj.synapse
    per_synapse = isinstance(syn.weight, RandomDistribution) or np.ndim(to_si(syn.weight)) > 0
    if per_synapse and not isinstance(syn, StaticSynapse):
        raise UnsupportedFeature(f"a weight per synapse on the plastic projection "
                                 f"{proj.label!r}", "PyNN export", "one initial weight")
    # a weight per synapse goes as a list too (FromListConnector's weight column)
    listed = pre_view or post_view or pre[2] - pre[1] == 1 or per_synapse
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
    if syn.delay is not None and (isinstance(syn.delay, RandomDistribution)
                                  or np.ndim(to_si(syn.delay)) > 0):
        raise UnsupportedFeature(f"a delay per synapse (projection {proj.label!r})",
                                 "PyNN export", "one delay per projection")
    delay_s = dt_s if syn.delay is None else float(to_si(syn.delay))
    delay = _clean(steps_of(delay_s, dt_s, f"delay of projection {proj.label!r}") * dt_s * 1e3)
    kind = syn.kind
    unit = si_unit_name(WEIGHT_UNITS[kind])
    weights = None
    if per_synapse:
        assert cplan.pairs is not None
        w_si = np.broadcast_to(synapse_values(proj, len(cplan.pairs), root, dt_s)[0],
                               (len(cplan.pairs),))
        weights = np.array([_clean(x) for x in np.atleast_1d(_si_to_pynn(w_si, unit))])
        weight = float(weights.max()) if len(weights) else 0.0
    else:
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
                          stdp, weights)


def _check_cells(plan: PyNNPlan, backend: str, available: Any = None) -> None:
    """Refuse cell types that are not PyNN standard cells (or not in ``available``)."""
    for g in plan.groups:
        if g.kind == "cell" and (g.cell not in STANDARD_CELLS or (
                available is not None and getattr(available, g.cell, None) is None)):
            raise UnsupportedFeature(f"cell type {g.cell} (population {g.label!r})", backend,
                                     " or ".join(STANDARD_CELLS))

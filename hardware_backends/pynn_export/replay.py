"""Replay on a PyNN module: :func:`to_pynn` builds a plan with a PyNN module passed in
(``pyNN.brian2``, ``pyNN.spiNNaker``, ``pyNN.nest``, a crossbar backend later) and returns the
handles (:class:`PyNNNetwork`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from neurosim.engines.data import SpikeData, grid_times
from neurosim.hardware_backends.pynn_export.conventions import (
    BackendConventions,
    _check_backend,
    conventions_for,
    stdp_amplitudes,
)
from neurosim.hardware_backends.pynn_export.plan import (
    STANDARD_CELLS,
    ConnectorPlan,
    ProjectionPlan,
    PyNNPlan,
    _check_cells,
    pynn_plan,
)
from neurosim.network import NetworkSpec
from neurosim.pynn_units import to_pynn_units
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, nA, second, uS


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
            pops[p.pre[0]], pops[p.post[0]], _connector(sim, p.connector, _signed(p, conv)),
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


def _signed(p: ProjectionPlan, conv: BackendConventions) -> np.ndarray | None:
    """The per-synapse weights as the backend takes them (inhibitory currents signed)."""
    if p.weights is None:
        return None
    sign = (conv.inhibitory_current_sign
            if p.receptor == "inhibitory" and p.weight_kind == "current" else 1.0)
    return sign * p.weights


def _connector(sim: ModuleType, c: ConnectorPlan, weights: np.ndarray | None = None) -> Any:
    if c.kind == "OneToOne":
        return sim.OneToOneConnector()
    if c.kind == "AllToAll":
        return sim.AllToAllConnector(allow_self_connections=c.allow_self_connections)
    if c.kind == "FixedProbability":
        return sim.FixedProbabilityConnector(c.p_connect,
                                             allow_self_connections=c.allow_self_connections,
                                             rng=sim.NumpyRNG(seed=c.seed))
    assert c.pairs is not None
    if weights is not None:  # a weight column: sPyNNaker keeps each (FromListConnector)
        return sim.FromListConnector([(int(i), int(j), float(w))
                                      for (i, j), w in zip(c.pairs, weights)],
                                     column_names=["weight"])
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

"""One lowering step: a spec, a time step and a seed turned into what the array engines run.

:func:`lower` normalises everything once, so the Numba engine, the reference engine and the
SpiNNaker emulator cannot disagree about a value:

- **the root seed**: one :class:`numpy.random.SeedSequence` (``Simulation.seed`` on every
  engine); connectivity, drawn values, Poisson spikes and noisy currents derive from it;
- **one index**: populations then sources, ``offset[label]`` their first index;
- **ticks with one rounding rule**: a time becomes the nearest step, halves up
  (:func:`time_steps`; spike times, current-source times, delays). Durations that count
  whole ticks keep their own published rule (the refractory period is sPyNNaker's
  ``ceil(tau_refrac/dt)`` ticks, :mod:`neurosim.engines.lif`);
- **SI arrays per neuron**: every cell parameter and initial value
  (:meth:`~neurosim.network.Population.parameter_values`), one value per neuron;
- **connectivity per projection**: pre and post indices in the connector's order, a weight
  (SI) and a delay (steps) per synapse, the plasticity constants;
- **schedules**: the spike-source-array schedule, the Poisson plan and the current plan;
- **probes**: the steps between two samples of each.

The Brian2 engine builds Brian2 objects from the spec, but takes its seed, connectivity,
values and schedules from the same functions, so its ticks agree with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.engines.base import (
    PoissonPlan,
    connect_projection,
    probe_every,
    stdp_constants,
    synapse_values,
)
from neurosim.engines.injection import CurrentPlan
from neurosim.errors import ParameterError
from neurosim.network import NetworkSpec, SpikeSourceArray, STDPMechanism, TsodyksMarkramSynapse
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.timegrid import time_steps
from neurosim.units import to_si

__all__ = ["LoweredNetwork", "LoweredPopulation", "LoweredProjection", "lower", "time_steps"]


@dataclass(frozen=True, eq=False)
class LoweredPopulation:
    """One population in the global index: its cell type and, per neuron in SI, every
    parameter and the initial value of every state variable."""

    label: str
    start: int
    size: int
    cell: Any
    params: dict[str, np.ndarray]
    initial: dict[str, np.ndarray]

    @property
    def stop(self) -> int:
        return self.start + self.size


@dataclass(frozen=True, eq=False)
class LoweredProjection:
    """One projection's synapses in the connector's order.

    ``pre``/``post`` are global indices (int32 below 2**31 neurons); ``pre0``/``post0`` the
    first index of the view each side connects (so ``pre - offset[pre_label] - pre0`` is
    the index within the projection); ``weight`` in SI (amperes, siemens or volts:
    ``unit``); ``delay`` in steps (>= 1, int32); ``receptor`` the index in the post cell
    type's receptors (0 excitatory, 1 inhibitory for the standard cells);
    ``stdp`` the STDP constants (:func:`~neurosim.engines.base.stdp_constants`) or None;
    ``tm`` U, tau_rec and tau_facil (SI) of a Tsodyks-Markram synapse, or None.
    """

    label: str
    index: int
    pre_label: str
    post_label: str
    synapse: Any
    receptor: int
    unit: Any
    pre: np.ndarray
    post: np.ndarray
    n_pre: int
    n_post: int
    pre0: int
    post0: int
    weight: np.ndarray
    delay: np.ndarray
    stdp: dict[str, Any] | None
    tm: dict[str, float] | None


@dataclass(frozen=True, eq=False)
class LoweredNetwork:
    """A spec lowered for one simulation (its Poisson and current plans keep the position of
    the run, so each simulation lowers its own)."""

    spec: NetworkSpec
    dt_s: float
    seed: np.random.SeedSequence
    offset: dict[str, int]
    n: int
    populations: dict[str, LoweredPopulation]
    projections: tuple[LoweredProjection, ...]
    schedule_step: np.ndarray
    schedule_idx: np.ndarray
    poisson: PoissonPlan
    currents: CurrentPlan
    probe_every: dict[str, int]

    def schedule_of(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """The (steps, indices within the source) of one spike source array."""
        start, size = self.offset[label], self.spec.groups[label].size
        sel = (self.schedule_idx >= start) & (self.schedule_idx < start + size)
        return self.schedule_step[sel], self.schedule_idx[sel] - start


def lower(spec: NetworkSpec, dt_s: float, seed: SeedLike,
          connect: bool = True) -> LoweredNetwork:
    """Lower ``spec`` for a time step of ``dt_s`` seconds under ``seed`` (see the module
    docstring); bad values raise :class:`~neurosim.errors.ParameterError` naming them.
    ``connect=False`` leaves the projections out (no connectivity is drawn): what an engine
    needs to rebuild its neurons' parameters between runs."""
    root = as_seed_sequence(seed)
    offset, n = {}, 0
    for g in (*spec.populations, *spec.sources):  # populations, then sources
        offset[g.label] = n
        n += g.size
    pops = {}
    for pop in spec.populations:
        cell = pop.celltype
        initial = {name: (np.full(pop.size, cell.initial_si(name)) if var.internal
                          else pop.initial(name, root))
                   for name, var in cell.state.items()}
        pops[pop.label] = LoweredPopulation(pop.label, offset[pop.label], pop.size, cell,
                                            pop.parameter_values(root), initial)
    steps, idx = [], []
    for src in spec.sources:
        if isinstance(src, SpikeSourceArray):
            for i, train in enumerate(src.spike_times):
                s = time_steps(train, dt_s)
                if len(np.unique(s)) != len(s):
                    raise ParameterError("spike_times", train, f"at most one spike per time "
                                         f"step ({dt_s * 1e3:g} ms)",
                                         f"SpikeSourceArray {src.label!r}, source {i}")
                steps.append(s)
                idx.append(np.full(len(s), offset[src.label] + i, dtype=np.int64))
    step_all = np.concatenate(steps) if steps else np.zeros(0, np.int64)
    idx_all = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    order = np.lexsort((idx_all, step_all))
    return LoweredNetwork(
        spec, dt_s, root, offset, n, pops,
        # connect=False: neurons only (parameters changed between runs keep the synapses)
        tuple(_lower_projection(spec, k, proj, root, dt_s, offset)
              for k, proj in enumerate(spec.projections)) if connect else (),
        step_all[order], idx_all[order], PoissonPlan(spec, root, dt_s),
        CurrentPlan(spec, root, dt_s, offset),
        {p.key: probe_every(p, dt_s) for p in spec.probes})


def _lower_projection(spec: NetworkSpec, k: int, proj: Any, root: Any, dt_s: float,
                      offset: dict[str, int]) -> LoweredProjection:
    pre, post, n_pre, n_post, pre0, post0 = connect_projection(spec, proj, root)
    # 4-byte indices while they fit: large networks hold ~20 bytes per synapse here
    index = np.int32 if sum(g.size for g in spec.groups.values()) < 2**31 else np.int64
    syn = proj.synapse
    w, delay = synapse_values(proj, len(pre), root, dt_s)
    tm = None
    if isinstance(syn, TsodyksMarkramSynapse):
        tm = {"U": float(syn.U), "tau_rec": float(to_si(syn.tau_rec)),
              "tau_facil": float(to_si(syn.tau_facil))}
    return LoweredProjection(
        proj.label, k, proj.pre_label, proj.post_label, syn,
        # the receptor's index in its cell type's declaration ("excitatory" 0,
        # "inhibitory" 1 for the standard cells; composed cells may have more)
        list(spec.population(proj.post_label).celltype.receptors).index(proj.receptor),
        WEIGHT_SI_UNITS[syn.kind],
        np.asarray(pre).astype(index, copy=False) + index(offset[proj.pre_label]),
        np.asarray(post).astype(index, copy=False) + index(offset[proj.post_label]),
        n_pre, n_post, pre0, post0, w, delay.astype(np.int32, copy=False),
        stdp_constants(syn) if isinstance(syn, STDPMechanism) else None, tm)

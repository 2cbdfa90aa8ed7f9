"""The run core of the PyNN front ends: a translated spec built on an engine.

:class:`Network` builds the spec of :mod:`neurosim.pynn.translate` at the first ``run()``
of a segment, binds every PyNN connection to its engine synapse (engines keep their own
synapse order), runs, and reads and writes weights and delays per connection. The crossbar
front end subclasses it and changes only the synapse path (:meth:`Network.deliver`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from neurosim import network as ns
from neurosim.engines import get_engine
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.pynn import simulator
from neurosim.pynn.translate import Translation, delay_steps, to_spec, weight_sign
from neurosim.pynn.translate import current_source as translate_current_source
from neurosim.pynn.translate import group as translate_group
from neurosim.pynn_units import pynn_per_si
from neurosim.random import child_seed
from neurosim.units import ms, second, si_unit_name, to_si

__all__ = ["Network"]


class Network:
    """The spec and the engine simulation of one segment."""

    def __init__(self, state: Any):
        self.state = state
        self.stale = True
        self.sim: Any = None
        self.tr: Translation | None = None
        self._pending: list[str] = []

    # -- build ---------------------------------------------------------------------------
    def changed(self, what: str, obj: Any = None) -> None:
        if self.sim is not None and not self.stale:
            self._pending.append((what, obj))

    def build(self) -> None:
        st = self.state
        if getattr(st, "min_delay_auto", False) and st.projections:
            delays = [prj._conn["delay"].min() for prj in st.projections if len(prj)]
            st.min_delay = float(min(delays)) if delays else st.dt
        self.tr = to_spec(st, name=f"pynn-{simulator.name}")
        seed = child_seed(st.options["rng_seed"], "segment", str(st.segment_counter))
        self.sim = self.make_simulation(self.tr.spec, seed)
        self._bind()  # the weights are in the spec: nothing to deliver
        self.stale = False
        self._pending = []

    def make_simulation(self, spec: ns.NetworkSpec, seed: Any) -> Any:
        """The simulation of one segment: the chosen engine (a front end with another
        synapse path overrides this)."""
        st = self.state
        engine = get_engine(st.options["engine"], **(st.options["engine_options"] or {}))
        return engine.build(spec, dt=st.dt * ms, seed=seed)

    def _bind(self) -> None:
        """For each piece of each PyNN projection: the position in the projection's
        connection list of every engine synapse, in the engine's order. Duplicates
        (multapses) pair up in order: engines keep a pair's copies in connection order."""
        assert self.tr is not None
        self.bound: dict[int, list[tuple[str, np.ndarray]]] = {}
        for prj in self.state.projections:
            out = []
            for label, sel in self.tr.pieces[id(prj)]:
                pairs = self.tr.spec.projection(label).connector.pairs
                want = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
                pre, post = self.sim.synapse_index(label)
                mine = np.lexsort((want[:, 1], want[:, 0]))
                theirs = np.lexsort((post, pre))
                if len(pre) != len(sel) or not (
                        np.array_equal(want[mine, 0], pre[theirs])
                        and np.array_equal(want[mine, 1], post[theirs])):
                    raise RuntimeError(f"the engine's synapses of {label!r} are not the "
                                       "projection's connections")
                at = np.empty(len(pre), dtype=np.int64)
                at[theirs] = sel[mine]
                out.append((label, at))
            self.bound[id(prj)] = out

    # -- run -----------------------------------------------------------------------------
    def advance(self, n_steps: int) -> None:
        if self.stale:
            self.build()
        else:
            self._apply_pending()
        self.sim.run(n_steps * self.state.dt * ms, progress=False)

    def _apply_pending(self) -> None:
        """Parameters, spike times and current sources changed between runs go to the
        engine (which keeps its state); anything else (new populations, projections,
        recordings, targets) needs a rebuild: refused by name until reset()."""
        pending, self._pending = self._pending, []
        for what, obj in pending:
            if obj is None:
                raise NotImplementedError(
                    f"neurosim.pynn takes {what} between runs only after reset(); make the "
                    "change before the first run() or call reset()")
        done: set[int] = set()
        for what, obj in pending:
            if id(obj) in done:
                continue
            done.add(id(obj))
            if what == "Population.set":
                self._update_population(obj)
            else:
                self._update_current_source(obj)

    def _update_population(self, pop: Any) -> None:
        label = self.tr.groups[id(pop)]
        made = translate_group(pop, label, self.state.dt)
        if isinstance(made, ns.SpikeSourceArray):
            self.sim.set_spike_times(label, [np.asarray(t) * second for t in made.spike_times])
        elif isinstance(made, ns.Population):
            cell = made.celltype
            self.sim.set_parameters(label, **{f.name: getattr(cell, f.name)
                                              for f in dataclasses.fields(cell)})
        else:
            raise NotImplementedError(f"{type(pop.celltype).__name__} parameters set between "
                                      "runs: call reset() first")

    def _update_current_source(self, src: Any) -> None:
        for new in translate_current_source(self.state.current_sources.index(src), src,
                                            self.tr.groups):
            self.sim.set_current_source(new)

    @property
    def live(self) -> bool:
        return self.sim is not None and not self.stale

    # -- weights and delays per connection -------------------------------------------------
    def _unit(self, prj: Any, label: str) -> tuple[float, float]:
        """(sign, PyNN per SI) of the weights of a piece of ``prj``."""
        spec_proj = self.tr.spec.projection(label)
        kind = self.tr.spec.population(spec_proj.post_label).celltype.weight_kind
        per_si = pynn_per_si(si_unit_name(WEIGHT_SI_UNITS[kind]))
        return weight_sign(prj.receptor_type, kind == "conductance"), per_si

    def deliver(self, prj: Any, weights: np.ndarray) -> None:
        """Give the engine ``weights`` (PyNN units and signs, one per connection)."""
        for label, at in self.bound[id(prj)]:
            sign, per_si = self._unit(prj, label)
            kind = self.tr.spec.projection(label).synapse.kind
            w = np.maximum(sign * np.asarray(weights, dtype=float)[at], 0.0) / per_si
            self.sim.set_weights(label, w * WEIGHT_SI_UNITS[kind])

    def weights(self, prj: Any) -> np.ndarray:
        """The engine's weights of ``prj`` now, per connection (PyNN units and signs)."""
        w = np.array(prj._conn["weight"], dtype=float)
        for label, at in self.bound[id(prj)]:
            sign, per_si = self._unit(prj, label)
            w[at] = sign * np.asarray(to_si(self.sim.synapse_weights(label))) * per_si
        return w

    def set_delays(self, prj: Any, delays_ms: np.ndarray) -> None:
        dt = self.state.dt
        for label, at in self.bound[id(prj)]:
            steps = delay_steps(np.asarray(delays_ms)[at], dt)
            self.sim.set_delays(label, steps * dt * ms)


simulator.State.network_class = Network

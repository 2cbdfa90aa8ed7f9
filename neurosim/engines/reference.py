"""The reference engine: small, slow, obviously correct NumPy, for cross-checks only.

Written from the same semantics as :mod:`neurosim.engines.brian2_engine` (sPyNNaker's timing
and STDP, see docs/decisions.md 2-4) but independently of Brian2: one Python loop over time
steps, each step in the order

1. **update** every population (``integration="exact"``: the closed-form solution of
   IF_curr_exp over one step; ``"spinnaker"``: sPyNNaker's tick arithmetic), V frozen while
   refractory;
2. **threshold** (``v >= v_thresh``), reset, spike sources emit their scheduled spikes;
3. **synapses**: post events of plastic synapses (post spikes of step k - d, potentiation),
   then the plasticity of this step's pre spikes (depression, trace), then delivery of the
   pre spikes of step k - (d - 1) into the targets' synaptic currents, used from step k + 1.

State is recorded at the start of each step (before its update). Supports IF_curr_exp,
IF_cond_exp (Brian2's exponential Euler step; exact integration only), every other cell type
through the NumPy rendering of the code generated from its declaration
(:mod:`neurosim.engines.cellgen`), SpikeSourceArray,
SpikeSourcePoisson (the counter-based draws every engine shares), every connector (same
connectivity as the other engines for one seed), static and STDP synapses; other features
raise UnsupportedFeature naming an alternative.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.engines.base import (
    Simulation,
    SteppedEngine,
    weight_matrix,
)
from neurosim.engines.data import RecordedData, SpikeData, StateData, grid_times
from neurosim.engines.lif import (
    frozen_steps,
    step_constants_per_neuron,
)
from neurosim.engines.lowering import lower
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.network import (
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    SpikeSourceArray,
)
from neurosim.random import SeedLike
from neurosim.units import Quantity, second

__all__ = ["ReferenceEngine", "ReferenceSimulation"]


class _Population:
    """State and per-step propagators of one IF_curr_exp population."""

    def __init__(self, pop: Any, dt: float, integration: str):
        cell = pop.cell
        self.conductance = type(cell) is IF_cond_exp
        p = pop.params  # per neuron
        n = pop.size
        self.n = n
        self.p = p
        self.integration = integration
        self.v = pop.initial["v"].copy()
        syn = ("gsyn_exc", "gsyn_inh") if type(cell) is IF_cond_exp else ("isyn_exc", "isyn_inh")
        self.i_exc = pop.initial[syn[0]].copy()
        self.i_inh = pop.initial[syn[1]].copy()
        self.dt = dt
        self.i_off = p["i_offset"].copy()  # i_offset plus current sources, per neuron
        self.base_ioff = self.i_off.copy()
        self.refrac_left = np.zeros(n, dtype=np.int64)   # spinnaker
        self.last_spike = np.full(n, -(10**9), dtype=np.int64)  # exact: step of last spike
        for name, value in step_constants_per_neuron(p, dt).items():  # p_m, r, decay_*, k_*
            setattr(self, name, value)

    def _update_conductance(self, step: int) -> None:
        # Brian2's exponential Euler for IF_cond_exp, term for term (same float operations).
        p, ge, gi = self.p, self.i_exc, self.i_inh
        active = step - self.last_spike >= self.refrac_ticks + 1
        b = -1 / p["tau_m"] - ge / p["cm"] - gi / p["cm"]
        ba = (p["v_rest"] / p["tau_m"] + p["e_rev_E"] * ge / p["cm"] + p["e_rev_I"] * gi / p["cm"]
              + self.i_off / p["cm"]) / b
        v_new = -ba + (ba + self.v) * np.exp(self.dt * b)
        self.v = np.where(active, v_new, self.v)
        self._active = active

    def accumulator(self, receptor: int) -> np.ndarray:
        """The synaptic variable an input to receptor ``receptor`` (0, 1) adds to now."""
        return self.i_exc if receptor == 0 else self.i_inh

    def input_scale(self, receptor: str) -> float:
        """What one unit of weight adds to the synaptic current variable."""
        if self.integration == "spinnaker":
            return self.init_e if receptor == "excitatory" else self.init_i
        return 1.0

    def update(self, step: int) -> None:
        p = self.p
        if self.conductance:
            self._update_conductance(step)
        elif self.integration == "spinnaker":
            active = self.refrac_left <= 0
            a = p["v_rest"] + (self.i_exc - self.i_inh + self.i_off) * self.r
            self.v = np.where(active, a - self.p_m * (a - self.v), self.v)
            self.refrac_left = self.refrac_left - (~active)
        else:
            active = step - self.last_spike >= self.refrac_ticks + 1
            drive = self.i_off * self.r * (1 - self.p_m)
            v_new = (p["v_rest"] + (self.v - p["v_rest"]) * self.p_m + drive
                     + self.k_e * self.i_exc - self.k_i * self.i_inh)
            self.v = np.where(active, v_new, self.v)
            self._active = active
        self.i_exc = self.i_exc * self.decay_e
        self.i_inh = self.i_inh * self.decay_i

    def threshold(self, step: int) -> np.ndarray:
        fired = self.v >= self.p["v_thresh"]
        if self.integration == "exact":
            fired &= self._active
        idx = np.flatnonzero(fired)
        self.v[idx] = self.p["v_reset"][idx]
        self.refrac_left[idx] = self.refrac_ticks[idx]
        self.last_spike[idx] = step
        return idx


    _NAMES: ClassVar[dict[str, str]] = {"v": "v", "isyn_exc": "i_exc", "isyn_inh": "i_inh",
                                        "gsyn_exc": "i_exc", "gsyn_inh": "i_inh"}

    def get(self, variable: str) -> np.ndarray:
        return getattr(self, self._NAMES[variable])

    def set(self, variable: str, values: np.ndarray) -> None:
        setattr(self, self._NAMES[variable], values)

    def end_step(self) -> None:
        """Nothing to do: inputs went straight into the synaptic variables."""

    def set_offset(self, i_off: np.ndarray) -> None:
        """The offset current of this step (i_offset plus current sources)."""
        self.i_off = i_off


class _GeneratedPopulation:
    """A population whose cell type runs the NumPy rendering of the code generated from its
    declaration (neurosim.engines.cellgen), in the Numba kernel's order: inputs of a step
    are summed, then added to the receptors' target variables at the end of the step, and
    the neurons that fired are reset after that (Brian2's thresholds, synapses, resets)."""

    def __init__(self, pop: Any, dt: float):
        from neurosim.engines.cellgen import cell_program, numpy_functions, param_rows
        cell = pop.cell
        self.prog = cell_program(type(cell))
        self._update, self._spike, self._reset = numpy_functions(type(cell))
        self._fired = np.zeros(0, dtype=np.int64)
        n = pop.size
        self.dt = dt
        self.S = np.array([pop.initial[name] for name in cell.state])
        si = pop.params
        self.P = np.array([np.full(n, si[f]) for f, _ in param_rows(cell)]).reshape(-1, n)
        self.last_spike = np.full(n, -(10**9), dtype=np.int64)
        ticks = frozen_steps(cell, si, dt)
        self.refrac_ticks = np.zeros(n, dtype=np.int64)
        if ticks is not None:
            self.refrac_ticks[:] = ticks
        self.not_ref = np.ones(n, np.uint8)
        #: the step's summed input per receptor, in declaration order
        self.inputs = [np.zeros(n) for _ in cell.receptors]
        # (row, sign, whether the target is flagged (unless refractory): no input then
        # while refractory, as Brian2's conditional write)
        self.targets = [(self.prog.state.index(rec.target), rec.sign,
                         rec.target in self.prog.conditional)
                        for rec in cell.receptors.values()]
        self.ioff_row = (self.prog.params.index("i_offset") if "i_offset" in self.prog.params
                         else None)
        self.base_ioff = (self.P[self.ioff_row].copy() if self.ioff_row is not None
                          else np.zeros(n))

    def set_offset(self, i_off: np.ndarray) -> None:
        if self.ioff_row is None:
            raise UnsupportedFeature(f"a current source into {self.prog.name} (no i_offset)",
                                     "reference", "a cell type with an i_offset parameter")
        self.P[self.ioff_row] = i_off

    def input_scale(self, receptor: str) -> float:
        return 1.0

    def update(self, step: int) -> None:
        self._update(step, self.dt, self.S, self.P, self.last_spike, self.refrac_ticks,
                     self.not_ref)

    def threshold(self, step: int) -> np.ndarray:
        self._fired = self._spike(step, self.S, self.P, self.last_spike, self.not_ref)
        self._step = step
        return self._fired

    def accumulator(self, receptor: int) -> np.ndarray:
        """Where the step's inputs to receptor ``receptor`` (its index) are summed."""
        return self.inputs[receptor]

    def end_step(self) -> None:
        for acc, (row, sign, conditional) in zip(self.inputs, self.targets):
            if conditional:
                free = self.not_ref != 0
                self.S[row, free] += sign * acc[free]
            else:
                self.S[row] += sign * acc
            acc[:] = 0.0
        if len(self._fired):
            self._reset(self._step, self.S, self.P, self._fired)
            self._fired = self._fired[:0]

    def get(self, variable: str) -> np.ndarray:
        return self.S[self.prog.state.index(variable)]

    def set(self, variable: str, values: np.ndarray) -> None:
        self.S[self.prog.state.index(variable)] = values


def _make_population(pop: Any, dt: float, integration: str,
                     cell_code: str) -> _Population | _GeneratedPopulation:
    """A hand-written population for IF_curr_exp / IF_cond_exp (unless ``cell_code`` is
    "generated"), else one running the code generated from the cell's declaration
    (``pop``: a :class:`~neurosim.engines.lowering.LoweredPopulation`)."""
    ctype = type(pop.cell)
    if ctype is not IF_curr_exp and integration == "spinnaker":
        raise UnsupportedFeature(f"integration='spinnaker' for {ctype.__name__}", "reference",
                                 "integration='exact' (sPyNNaker's tick arithmetic is "
                                 "implemented for IF_curr_exp)")
    if ctype in (IF_curr_exp, IF_cond_exp) and cell_code == "fast":
        return _Population(pop, dt, integration)
    return _GeneratedPopulation(pop, dt)


class _Projection:
    """Synapses of one projection: weights, delays in steps, STDP state."""

    def __init__(self, lp: Any, offset: dict[str, int], post: _Population,
                 stdp_zero_depresses: bool):
        self.label = lp.label
        self.n_pre, self.n_post, self.pre0, self.post0 = lp.n_pre, lp.n_post, lp.pre0, lp.post0
        # indices within the populations (the lowering's are global)
        pre = lp.pre.astype(np.int64) - offset[lp.pre_label]
        self.pre, self.post = pre, lp.post.astype(np.int64) - offset[lp.post_label]
        self.unit = lp.unit
        self.w, self.delays = lp.weight.copy(), lp.delay.astype(np.int64)
        #: the delays (steps) present: deliveries and post events go delay by delay
        self.delay_values = np.unique(self.delays).tolist() or [1]
        self.receptor_index = lp.receptor
        self.receptor = {0: "excitatory", 1: "inhibitory"}.get(lp.receptor, "other")
        self.scale = post.input_scale(self.receptor)
        self.pre_label, self.post_label = lp.pre_label, lp.post_label
        self.plastic = lp.stdp is not None
        self.tm = None
        if lp.tm is not None:  # u, x and last delivery per synapse
            self.tm = {**lp.tm, "u": np.zeros(len(pre)), "x": np.ones(len(pre)),
                       "last": np.full(len(pre), -1e9)}
        if self.plastic:
            self.c = lp.stdp
            n = len(pre)
            self.apre, self.apost = np.zeros(n), np.zeros(n)
            self.lastpre, self.lastpost = np.full(n, -1e9), np.full(n, -1e9)
            self.zero_depresses = stdp_zero_depresses

    def post_events(self, post_spikes: np.ndarray, t: float, d: int) -> None:
        """Potentiation for post spikes that reach the synapses of delay d now (emitted d
        steps ago)."""
        sel = np.flatnonzero(np.isin(self.post, post_spikes) & (self.delays == d))
        if not len(sel):
            return
        c = self.c
        since = t - self.lastpre[sel]
        x = self.apre[sel] * np.exp(-since / c["tau_plus"]) * (since > 0)
        w = self.w[sel]
        gain = c["a_plus"] * x if c["rule"] == "additive" else c["a_plus"] * (c["w_max"] - w) * x
        self.w[sel] = np.clip(w + gain, c["w_min"], c["w_max"])
        self.apost[sel] = self.apost[sel] * np.exp(-(t - self.lastpost[sel]) / c["tau_minus"]) + 1
        self.lastpost[sel] = t

    def pre_events(self, pre_spikes: np.ndarray, t: float) -> None:
        """Depression and pre trace for pre spikes emitted now."""
        sel = np.flatnonzero(np.isin(self.pre, pre_spikes))
        if not len(sel):
            return
        c = self.c
        since = t - self.lastpost[sel]
        counts = since >= 0 if self.zero_depresses else since > 0
        y = self.apost[sel] * np.exp(-since / c["tau_minus"]) * counts
        w = self.w[sel]
        loss = c["a_minus"] * y if c["rule"] == "additive" else c["a_minus"] * (w - c["w_min"]) * y
        self.w[sel] = np.clip(w - loss, c["w_min"], c["w_max"])
        self.apre[sel] = self.apre[sel] * np.exp(-(t - self.lastpre[sel]) / c["tau_plus"]) + 1
        self.lastpre[sel] = t

    def deliver(self, pre_spikes: np.ndarray, post: Any, t: float, d: int) -> None:
        """The pre spikes of step k - (d - 1) through the synapses of delay d."""
        sel = np.flatnonzero(np.isin(self.pre, pre_spikes) & (self.delays == d))
        if not len(sel):
            return
        target = post.accumulator(self.receptor_index)
        # the tick average of each target under sPyNNaker's arithmetic (per neuron), else 1
        scale = self.scale if np.ndim(self.scale) == 0 else self.scale[self.post[sel]]
        w = self.w[sel]
        if self.tm is not None:  # Tsodyks-Markram: decay u, recover x, raise u, use u x
            tm = self.tm
            since = t - tm["last"][sel]
            um = (tm["u"][sel] * np.exp(-since / tm["tau_facil"]) if tm["tau_facil"] > 0
                  else np.zeros(len(sel)))
            xm = 1.0 - (1.0 - tm["x"][sel]) * np.exp(-since / tm["tau_rec"])
            up = um + tm["U"] * (1.0 - um)
            w = w * up * xm
            tm["x"][sel] = xm * (1.0 - up)
            tm["u"][sel] = up
            tm["last"][sel] = t
        np.add.at(target, self.post[sel], w * scale)


class ReferenceSimulation(Simulation):
    """A spec on the reference engine (see the module docstring for the step order)."""

    engine_name: ClassVar[str] = "reference"

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, integration: str,
                 stdp_zero_depresses: bool, cell_code: str = "fast"):
        super().__init__(spec, dt_s, seed)
        low = lower(spec, dt_s, self.seed)  # the one lowering (neurosim.engines.lowering)
        self._step = 0
        self._made = (integration, cell_code)
        self._pops = {label: _make_population(p, dt_s, integration, cell_code)
                      for label, p in low.populations.items()}
        self._sources: dict[str, dict[int, list[int]]] = {}
        self._poisson = low.poisson
        for label in self._poisson.labels():
            self._sources[label] = {}
        for src in spec.sources:
            if not isinstance(src, SpikeSourceArray):
                continue
            sched: dict[int, list[int]] = {}
            for s, i in zip(*low.schedule_of(src.label)):
                sched.setdefault(int(s), []).append(int(i))
            self._sources[src.label] = sched
        self._projs = [_Projection(lp, low.offset, self._pops[lp.post_label],
                                   stdp_zero_depresses) for lp in low.projections]
        self._spikes: dict[str, list[tuple[int, np.ndarray]]] = {
            g: [] for g in spec.groups}
        self._currents = low.currents
        self._states = {pr.key: (pr, []) for pr in spec.probes
                        if pr.variable != "spikes" and pr.target in spec.groups}
        self._every = {key: low.probe_every[key] for key in self._states}
        # in the spec's order (a dict keeps it), like the Brian2 engine's data
        self._spike_probes = list(dict.fromkeys(pr.target for pr in spec.probes
                                                if pr.variable == "spikes"))
        self._max_delay = max([max(p.delay_values) for p in self._projs] + [1])

    @property
    def t(self) -> Quantity:
        return grid_times(np.array([self._step]), self.dt_s)[0] * second

    def _spikes_at(self, label: str, step: int) -> np.ndarray:
        for s, idx in reversed(self._spikes[label]):
            if s == step:
                return idx
            if s < step:
                break
        return np.zeros(0, dtype=np.int64)

    def _advance(self, n_steps: int, progress: bool) -> None:
        for label, (steps, idx) in self._poisson.take(self._step + n_steps).items():
            self._inject(label, idx, steps)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"reference {self.spec.name}")
        for _ in range(n_steps):
            self._one_step(self._step)
            self._step += 1
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()

    def _one_step(self, k: int) -> None:
        t = k * self.dt_s
        for key, (probe, rows) in self._states.items():
            if k % self._every[key] == 0:
                pop = self._pops[probe.target]
                rows.append((k, np.array(pop.get(probe.variable), copy=True)))
        if self._currents:
            row = self._currents.values(k, k + 1)[0]
            for label in {target for target, _ in self._currents.targets}:
                pop = self._pops[label]
                pop.set_offset(self._currents.injected(row, pop.base_ioff, label))
        for pop in self._pops.values():
            pop.update(k)
        for label, pop in self._pops.items():
            idx = pop.threshold(k)
            if len(idx):
                self._spikes[label].append((k, idx))
        for label, sched in self._sources.items():
            if k in sched:
                self._spikes[label].append((k, np.unique(np.array(sched[k], dtype=np.int64))))
        for proj in self._projs:
            if proj.plastic:
                for d in proj.delay_values:
                    proj.post_events(self._spikes_at(proj.post_label, k - d), t, d)
        for proj in self._projs:
            if proj.plastic:
                proj.pre_events(self._spikes_at(proj.pre_label, k), t)
        for proj in self._projs:
            for d in proj.delay_values:
                proj.deliver(self._spikes_at(proj.pre_label, k - (d - 1)),
                             self._pops[proj.post_label], t, d)
        for pop in self._pops.values():
            pop.end_step()

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        sched = self._sources[source]
        for i, s in zip(indices.tolist(), steps.tolist()):
            if i in sched.get(s, []):
                raise ParameterError("times", s * self.dt, "at most one spike per source and "
                                     "time step", "ReferenceSimulation.inject")
            sched.setdefault(s, []).append(i)

    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        for label in self._spike_probes:
            steps = [np.full(len(idx), s) for s, idx in self._spikes[label]]
            idxs = [idx for _, idx in self._spikes[label]]
            s = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
            i = np.concatenate(idxs) if idxs else np.zeros(0, dtype=np.int64)
            order = np.lexsort((i, s))
            out[f"{label}.spikes"] = SpikeData(label, self.spec.groups[label].size,
                                               grid_times(s[order], self.dt_s) * second,
                                               i[order].astype(np.int64))
        out.update(self._currents.records(self._step))
        for key, (probe, rows) in self._states.items():
            steps = np.array([s for s, _ in rows], dtype=np.int64)
            n = self.spec.groups[probe.target].size
            vals = np.array([v for _, v in rows]) if rows else np.zeros((0, n))
            out[key] = StateData(probe.target, probe.variable,
                                 grid_times(steps, self.dt_s) * second,
                                 vals * self.state_unit(probe.target, probe.variable))
        return RecordedData(out)

    # -- hooks (Simulation.synapse_index, set_weights, get_state, set_state) -------------
    def _proj(self, projection: str) -> _Projection:
        return next(p for p in self._projs if p.label == projection)

    def _synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        proj = self._proj(projection)
        return proj.pre - proj.pre0, proj.post - proj.post0

    def _set_weights(self, projection: str, w_si: np.ndarray) -> None:
        self._proj(projection).w = w_si

    @property
    def current_plan(self) -> Any:
        return self._currents

    #: what a population carries from step to step (kept when its parameters change)
    _DYNAMIC = ("v", "i_exc", "i_inh", "refrac_left", "last_spike", "S", "not_ref")

    def _set_parameters(self, label: str, new_spec: NetworkSpec) -> None:
        low = lower(new_spec, self.dt_s, self.seed, connect=False)
        old = self._pops[label]
        new = _make_population(low.populations[label], self.dt_s, *self._made)
        for name in self._DYNAMIC:
            if name in vars(old) and name in vars(new):
                setattr(new, name, np.array(getattr(old, name), copy=True))
        self._pops[label] = new
        for proj in self._projs:
            if proj.post_label == label:
                proj.scale = new.input_scale(proj.receptor)

    def _replace_spikes(self, source: str, indices: np.ndarray, steps: np.ndarray,
                        now: int) -> None:
        sched = {k: v for k, v in self._sources[source].items() if k < now}
        for i, k in zip(indices.tolist(), steps.tolist()):
            sched.setdefault(int(k), []).append(int(i))
        self._sources[source] = sched

    def _synapse_weights(self, projection: str) -> np.ndarray:
        return self._proj(projection).w.copy()

    def _delay_steps(self, projection: str) -> np.ndarray:
        return self._proj(projection).delays.copy()

    def _set_delay_steps(self, projection: str, steps: np.ndarray) -> None:
        proj = self._proj(projection)
        proj.delays = steps
        proj.delay_values = np.unique(steps).tolist() or [1]
        self._max_delay = max([max(p.delay_values) for p in self._projs] + [1])

    def _spiked_since(self, label: str, step: int) -> bool:
        history = self._spikes[label]
        return bool(history) and history[-1][0] >= step

    def _get_state(self, label: str, variable: str) -> np.ndarray:
        return self._pops[label].get(variable)

    def _set_state(self, label: str, variable: str, values_si: np.ndarray) -> None:
        self._pops[label].set(variable, values_si)

    def weights(self, projection: str) -> Quantity:
        for proj in self._projs:
            if proj.label == projection:
                return weight_matrix(proj.n_pre, proj.n_post, proj.pre - proj.pre0,
                                     proj.post - proj.post0, proj.w) * proj.unit
        raise ParameterError("projection", projection,
                             f"one of {sorted(p.label for p in self._projs)}")





class ReferenceEngine(SteppedEngine):
    """Build specs on the reference engine (NumPy, for cross-checks on small networks;
    options: see :class:`SteppedEngine`)."""

    name: ClassVar[str] = "reference"
    simulation_class: ClassVar[type] = ReferenceSimulation

"""NEST as an engine: a NetworkSpec built with PyNEST, for networks beyond one machine.

What a spec means is fixed by the lowering (:func:`neurosim.engines.lowering.lower`): the
same connectivity, per-neuron values, spike schedules and Poisson draws as every engine;
NEST integrates its own models of PyNN's standard cells (the translations are PyNN's,
``pyNN/nest/standardmodels/cells.py``: units to NEST's mV, ms, pF, pA, nS; an inhibitory
receptor is a negative weight).

**Timing.** NEST stamps a spike emitted in the step from t to t + h with t + h, and a
spike stamped T with delay D enters its target at the end of the step ending at T + D; our
engines stamp it t, and a delay d enters at the end of the step ending at t + d. So NEST's
stamps are ours + h (spike sources are spike generators with times s*h + h), its delays
ours - h, and its multimeter's record at time T is our sample at T (the state at the start
of that step). NEST's smallest delay is one step: a projection of one-step delay is
delivered one step later than on our engines (warned; agreement is statistical then).

**Scope of this first version**: every standard cell type NEST has (``iaf_psc_exp``,
``iaf_psc_alpha``, ``iaf_psc_delta``, ``iaf_cond_exp``, ``iaf_cond_alpha``,
``aeif_cond_exp``, ``aeif_cond_alpha``, ``izhikevich``, ``hh_cond_exp_traub``), spike
sources (arrays; Poisson sources as our counter-based draws, so inputs equal the other
engines'), every connector (our connectivity, one-to-one in NEST), static synapses, spike
and state probes, ``threads``. STDP, Tsodyks-Markram synapses, current sources, composed
and equation cells raise UnsupportedFeature naming the engines that have them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from neurosim.engines.base import (
    Engine,
    Simulation,
    check_build_args,
    check_integration,
    empty_weights,
    weight_matrix,
)
from neurosim.engines.data import SpikeData, StateData, grid_times
from neurosim.engines.lowering import lower
from neurosim.errors import EngineUnavailable, ParameterError, UnsupportedFeature
from neurosim.network import (
    EIF_cond_alpha_isfa_ista,
    EIF_cond_exp_isfa_ista,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_delta,
    IF_curr_exp,
    Izhikevich,
    NetworkSpec,
    SpikeSourcePoisson,
    StaticSynapse,
)
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, second

__all__ = ["NEST_MODELS", "NestEngine", "NestSimulation"]

# SI -> NEST units
_MV, _MS, _PF, _PA, _NS = 1e3, 1e3, 1e12, 1e12, 1e9


@dataclass(frozen=True)
class NestModel:
    """A standard cell type as a NEST model: its name, parameter translations
    (our name -> NEST name, SI -> NEST factor), derived parameters (NEST name -> function of
    our SI values) and state variables (our name -> NEST name, NEST -> SI factor)."""

    name: str
    params: dict[str, tuple[str, float]]
    state: dict[str, tuple[str, float]]
    derived: tuple[tuple[str, Any], ...] = ()


_LIF = {"v_rest": ("E_L", _MV), "v_reset": ("V_reset", _MV), "cm": ("C_m", _PF),
        "tau_m": ("tau_m", _MS), "tau_refrac": ("t_ref", _MS), "v_thresh": ("V_th", _MV),
        "i_offset": ("I_e", _PA)}
_SYN = {"tau_syn_E": ("tau_syn_ex", _MS), "tau_syn_I": ("tau_syn_in", _MS)}
_REV = {"e_rev_E": ("E_ex", _MV), "e_rev_I": ("E_in", _MV)}
_CUR_STATE = {"v": ("V_m", 1e-3), "isyn_exc": ("I_syn_ex", 1e-12),
              "isyn_inh": ("I_syn_in", -1e-12)}  # NEST's inhibitory current is negative
_COND_STATE = {"v": ("V_m", 1e-3), "gsyn_exc": ("g_ex", 1e-9), "gsyn_inh": ("g_in", 1e-9)}
_ADEX = {"cm": ("C_m", _PF), "tau_refrac": ("t_ref", _MS), "v_spike": ("V_peak", _MV),
         "v_reset": ("V_reset", _MV), "v_rest": ("E_L", _MV), "i_offset": ("I_e", _PA),
         "a": ("a", _NS), "b": ("b", _PA), "delta_T": ("Delta_T", _MV),
         "tau_w": ("tau_w", _MS), "v_thresh": ("V_th", _MV), **_REV, **_SYN}
_G_L = (("g_L", lambda p: p["cm"] / p["tau_m"] * _NS),)
# NEST's conductance-based LIFs take the leak conductance, not tau_m
_COND_LIF = {k: v for k, v in _LIF.items() if k != "tau_m"}

#: PyNN's standard cells as NEST models (PyNN 0.13's translations).
NEST_MODELS: dict[type, NestModel] = {
    IF_curr_exp: NestModel("iaf_psc_exp", {**_LIF, **_SYN}, _CUR_STATE),
    IF_curr_alpha: NestModel("iaf_psc_alpha", {**_LIF, **_SYN}, _CUR_STATE),
    IF_curr_delta: NestModel("iaf_psc_delta", _LIF, {"v": ("V_m", 1e-3)}),
    IF_cond_exp: NestModel("iaf_cond_exp", {**_COND_LIF, **_SYN, **_REV}, _COND_STATE, _G_L),
    IF_cond_alpha: NestModel("iaf_cond_alpha", {**_COND_LIF, **_SYN, **_REV}, _COND_STATE,
                             _G_L),
    EIF_cond_exp_isfa_ista: NestModel("aeif_cond_exp", _ADEX,
                                      {**_COND_STATE, "w": ("w", 1e-12)}, _G_L),
    EIF_cond_alpha_isfa_ista: NestModel("aeif_cond_alpha", _ADEX,
                                        {**_COND_STATE, "w": ("w", 1e-12)}, _G_L),
    Izhikevich: NestModel("izhikevich", {"a": ("a", 1e-3), "b": ("b", 1e-3), "c": ("c", _MV),
                                         "d": ("d", 1.0), "i_offset": ("I_e", _PA)},
                          {"v": ("V_m", 1e-3), "u": ("U_m", 1.0)}),
    HH_cond_exp: NestModel(
        "hh_cond_exp_traub",
        {"gbar_Na": ("g_Na", _NS), "gbar_K": ("g_K", _NS), "g_leak": ("g_L", _NS),
         "cm": ("C_m", _PF), "v_offset": ("V_T", _MV), "e_rev_Na": ("E_Na", _MV),
         "e_rev_K": ("E_K", _MV), "e_rev_leak": ("E_L", _MV), **_REV, **_SYN,
         "i_offset": ("I_e", _PA)},
        {**_COND_STATE, "m": ("Act_m", 1.0), "n": ("Act_n", 1.0), "h": ("Inact_h", 1.0)}),
}
#: SI weight -> NEST weight, per weight kind.
_WEIGHT = {"current": _PA, "conductance": _NS, "voltage": _MV}


def _nest() -> Any:
    import os

    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner on import
    try:
        import nest
    except ImportError as err:
        raise EngineUnavailable(
            "the nest engine needs PyNEST: pip install 'neurosim[nest]' (nest-simulator "
            f"3.10 has wheels with threads, no MPI) ({err})") from None
    if hasattr(nest, "VerbosityLevel"):
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:  # NEST before 3.10
        nest.set_verbosity("M_ERROR")
    return nest


class NestSimulation(Simulation):
    """A spec built in NEST's kernel (one per process: building resets NEST)."""

    engine_name: ClassVar[str] = "nest"

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, threads: int):
        super().__init__(spec, dt_s, seed)
        nest = self._nest = _nest()
        self._step = 0
        low = self._low = lower(spec, dt_s, self.seed)
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": dt_s * _MS, "local_num_threads": threads,
                              "rng_seed": int(self.seed.generate_state(1)[0] % 2**31) + 1,
                              "print_time": False})
        self.threads = threads
        if any(p.variable != "spikes" for p in spec.probes):
            # a multimeter hands over its samples slice by slice (min_delay long): with
            # one-step slices every sample up to the current step is there after a run
            longest = max([int(np.max(p.delay)) for p in low.projections if len(p.delay)]
                          + [2])
            nest.SetKernelStatus({"min_delay": dt_s * _MS,
                                  "max_delay": longest * dt_s * _MS})
        self._nodes: dict[str, Any] = {}
        for label, pop in low.populations.items():
            self._nodes[label] = self._create_population(pop)
        for src in spec.sources:
            self._nodes[src.label] = nest.Create("spike_generator", src.size)
        self._source_steps: dict[str, list[list[int]]] = {
            src.label: [[] for _ in range(src.size)] for src in spec.sources}
        for src in spec.sources:
            if not isinstance(src, SpikeSourcePoisson):
                steps, idx = low.schedule_of(src.label)
                for s, i in zip(steps.tolist(), idx.tolist()):
                    self._source_steps[src.label][i].append(s)
        for proj in low.projections:
            self._connect(proj)
        if len(low.currents.targets):
            raise UnsupportedFeature("current sources", "nest", "the numba or brian2 engine "
                                     "(or i_offset)")
        self._recorders: dict[str, Any] = {}
        for probe in spec.probes:
            if probe.target not in low.populations:
                continue  # a source's spikes are its schedule
            if probe.variable == "spikes":
                rec = nest.Create("spike_recorder")
                nest.Connect(self._nodes[probe.target], rec)
            else:
                model = NEST_MODELS[type(low.populations[probe.target].cell)]
                if probe.variable not in model.state:
                    raise UnsupportedFeature(f"recording {probe.variable!r} of "
                                             f"{model.name}", "nest", "the numba engine")
                every = low.probe_every[probe.key]
                rec = nest.Create("multimeter", params={
                    "record_from": [model.state[probe.variable][0]],
                    "interval": every * dt_s * _MS})
                nest.Connect(rec, self._nodes[probe.target])
            self._recorders[probe.key] = rec
        self._initial = {label: pop.initial for label, pop in low.populations.items()}

    # -- build -----------------------------------------------------------------------------
    def _create_population(self, pop: Any) -> Any:
        nest = self._nest
        ctype = type(pop.cell)
        if ctype not in NEST_MODELS:
            raise UnsupportedFeature(f"cell type {ctype.__name__}", "nest",
                                     "the numba or brian2 engine")
        model = NEST_MODELS[ctype]
        nodes = nest.Create(model.name, pop.size)
        values: dict[str, Any] = {}
        for ours, (theirs, factor) in model.params.items():
            values[theirs] = (np.asarray(pop.params[ours], dtype=float) * factor).tolist()
        for theirs, fn in model.derived:
            values[theirs] = np.asarray(fn(pop.params), dtype=float).tolist()
        for ours, (theirs, factor) in model.state.items():
            init = np.asarray(pop.initial[ours], dtype=float) / factor
            if ours == "v" or np.any(init != 0):  # NEST starts the others at 0
                values[theirs] = init.tolist()
        for name, var in pop.cell.state.items():
            if var.internal and np.any(pop.initial[name] != 0):
                raise UnsupportedFeature(f"a non-zero initial {name}", "nest", "zero")
        nodes.set(values)
        return nodes

    def _connect(self, proj: Any) -> None:
        nest = self._nest
        if not isinstance(proj.synapse, StaticSynapse):
            raise UnsupportedFeature(f"{type(proj.synapse).__name__} ({proj.label})", "nest",
                                     "the numba or brian2 engine")
        if proj.receptor > 1:
            raise UnsupportedFeature(f"receptor {proj.receptor} ({proj.label})", "nest",
                                     "the numba or brian2 engine")
        if len(proj.pre) == 0:
            return
        kind = {v: k for k, v in WEIGHT_SI_UNITS.items()}[proj.unit]
        sign = 1.0 if proj.receptor == 0 else -1.0
        weight = sign * np.asarray(proj.weight, dtype=float) * _WEIGHT[kind]
        # iaf_psc_delta adds a jump before its threshold, in the step it arrives; our
        # engines (and Brian2) add it at the end of the step, the threshold sees it in the
        # next: one step more in NEST puts both in the same step
        shift = 0 if NEST_MODELS[type(self._low.populations[proj.post_label].cell)].name \
            == "iaf_psc_delta" else 1
        steps = np.asarray(proj.delay, dtype=np.int64) - shift
        if np.any(steps < 1):
            warnings.warn(f"projection {proj.label!r}: a delay of one step ({self.dt_s * 1e3:g}"
                          " ms) is below NEST's minimum on our timing (one step after the "
                          "spike's stamp); NEST delivers it one step later", stacklevel=4)
            steps = np.maximum(steps, 1)
        pre_nodes = self._nodes[proj.pre_label]
        post_nodes = self._nodes[proj.post_label]
        pre_ids = np.asarray(pre_nodes.tolist())[proj.pre - self._low.offset[proj.pre_label]]
        post_ids = np.asarray(post_nodes.tolist())[proj.post
                                                   - self._low.offset[proj.post_label]]
        nest.Connect(pre_ids, post_ids, {"rule": "one_to_one"},
                     {"synapse_model": "static_synapse", "weight": weight,
                      "delay": steps * self.dt_s * _MS})

    # -- running ---------------------------------------------------------------------------
    @property
    def t(self) -> Quantity:
        return self._step * self.dt_s * second

    def _feed_sources(self, k1: int) -> None:
        """Spike generators get the spikes of steps [now, k1), stamped one step later."""
        for label, (steps, idx) in self._low.poisson.take(k1).items():
            for s, i in zip(steps.tolist(), idx.tolist()):
                self._source_steps[label][i].append(s)
        for src in self.spec.sources:
            trains = self._source_steps[src.label]
            dt_ms = self.dt_s * _MS
            times = [[round((s + 1) * dt_ms, 9) for s in sorted(tr) if self._step <= s < k1]
                     for tr in trains]
            self._nodes[src.label].set([{"spike_times": t} for t in times])

    def _advance(self, n_steps: int, progress: bool) -> None:
        k1 = self._step + n_steps
        self._feed_sources(k1)
        self._nest.Simulate(n_steps * self.dt_s * _MS)
        self._step = k1

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        trains = self._source_steps[source]
        for i, s in zip(indices.tolist(), steps.tolist()):
            trains[i].append(s)

    # -- results ---------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        for probe in self.spec.probes:
            group = self.spec.groups[probe.target]
            if probe.target not in self._low.populations:
                if probe.variable == "spikes":
                    out[probe.key] = self._source_spikes(probe.target, group.size)
                continue
            ev = self._recorders[probe.key].get("events")
            first = int(self._nodes[probe.target].tolist()[0])
            senders = np.asarray(ev["senders"], dtype=np.int64) - first
            steps = np.round(np.asarray(ev["times"], dtype=float) / (self.dt_s * _MS))
            if probe.variable == "spikes":
                steps = steps.astype(np.int64) - 1  # NEST's stamp is ours + one step
                order = np.lexsort((senders, steps))
                out[probe.key] = SpikeData(probe.target, group.size,
                                           grid_times(steps[order], self.dt_s) * second,
                                           senders[order])
                continue
            out[probe.key] = self._state(probe, group.size, senders, steps.astype(np.int64),
                                         ev)
        return out

    def _source_spikes(self, label: str, size: int) -> SpikeData:
        trains = self._source_steps[label]
        steps = np.array([s for tr in trains for s in tr if s < self._step], dtype=np.int64)
        idx = np.array([i for i, tr in enumerate(trains) for s in tr if s < self._step],
                       dtype=np.int64)
        order = np.lexsort((idx, steps))
        return SpikeData(label, size, grid_times(steps[order], self.dt_s) * second,
                         idx[order])

    def _state(self, probe: Any, size: int, senders: np.ndarray, steps: np.ndarray,
               ev: dict[str, Any]) -> StateData:
        """Samples every ``probe_every`` steps from step 0 (the initial state; NEST records
        from the end of the first step on) up to the current step."""
        model = NEST_MODELS[type(self._low.populations[probe.target].cell)]
        theirs, factor = model.state[probe.variable]
        every = self._low.probe_every[probe.key]
        rows = np.arange(0, self._step, every)
        values = np.empty((len(rows), size))
        if len(rows):
            values[0] = self._initial[probe.target][probe.variable]
        got = np.asarray(ev[theirs], dtype=float) * factor
        keep = (steps > 0) & (steps < self._step) & (steps % every == 0)
        values[steps[keep] // every, senders[keep]] = got[keep]
        unit = self.state_unit(probe.target, probe.variable)
        return StateData(probe.target, probe.variable, grid_times(rows, self.dt_s) * second,
                         values * unit)

    def weights(self, projection: str) -> Quantity:
        """The (pre, post) weight matrix; static synapses keep the lowered weights."""
        proj = {p.label: p for p in self._low.projections}.get(projection)
        if proj is None:
            raise ParameterError("projection", projection,
                                 f"one of {sorted(p.label for p in self._low.projections)}")
        if not len(proj.pre):
            return empty_weights(proj.n_pre, proj.n_post) * proj.unit
        pre = proj.pre - self._low.offset[proj.pre_label] - proj.pre0
        post = proj.post - self._low.offset[proj.post_label] - proj.post0
        return weight_matrix(proj.n_pre, proj.n_post, pre, post, proj.weight) * proj.unit


class NestEngine(Engine):
    """Build specs with PyNEST.

    Parameters
    ----------
    threads
        NEST's ``local_num_threads`` (spikes do not depend on it: NEST's promise at a fixed
        number of virtual processes, which threads are here without MPI).
    integration
        "exact" only: NEST integrates its own models; sPyNNaker's tick arithmetic is the
        numba, brian2 and spinnaker-emulator engines'.
    """

    name: ClassVar[str] = "nest"

    def __init__(self, threads: int = 1, integration: str = "exact"):
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ParameterError("threads", threads, "an int >= 1", "NestEngine")
        if integration != "exact":
            check_integration(integration, "NestEngine")
            raise UnsupportedFeature(f"integration={integration!r}", "nest",
                                     "the numba, brian2 or spinnaker-emulator engine")
        self.threads = threads

    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> NestSimulation:
        """Build ``spec`` with time step ``dt``; ``seed`` fixes connectivity and Poisson
        spikes (the same draws as the other engines)."""
        dt_s = check_build_args(spec, dt, options, "nest")
        _nest()
        return NestSimulation(spec, dt_s, seed, self.threads)

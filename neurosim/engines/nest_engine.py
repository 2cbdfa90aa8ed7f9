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

**Scope**: every standard cell type NEST has (``iaf_psc_exp``, ``iaf_psc_alpha``,
``iaf_psc_delta``, ``iaf_cond_exp``, ``iaf_cond_alpha``, ``aeif_cond_exp``,
``aeif_cond_alpha``, ``izhikevich``, ``hh_cond_exp_traub``), spike sources (arrays; Poisson
sources as our counter-based draws, so inputs equal the other engines'), every connector
(our connectivity, one-to-one in NEST), spike and state probes, ``threads``, MPI ranks
(:mod:`neurosim.engines.nest_ranks`), and:

* **static synapses** (``static_synapse``);
* **STDP** (``stdp_synapse``, PyNN's translation: additive mu = 0, multiplicative mu = 1,
  ``lambda``/``alpha`` from the amplitudes, tau_minus on the post-synaptic cells). NEST
  counts the whole delay as dendritic, so its pair lags are ours minus one step, and it
  applies potentiation when the next pre spike arrives. A source feeding plastic synapses
  goes through parrot neurons (a device cannot); w_min != 0, A_plus = 0 with A_minus != 0
  and two tau_minus onto one population raise UnsupportedFeature;
* **Tsodyks-Markram synapses** (``tsodyks2_synapse``, the same recursion: exact);
* **current sources** (DC, AC, step, noisy): the populations' ``I_e`` is set between NEST
  runs to i_offset plus our plan's currents (the same floats as every engine; exact).

Equation and composed cells raise UnsupportedFeature naming the engines that have them.
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
from neurosim.engines.data import RecordedData, SpikeData, StateData, grid_times
from neurosim.engines.lowering import lower
from neurosim.engines.nest_ranks import Ranks
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

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, threads: int,
                 comm: Any = None):
        super().__init__(spec, dt_s, seed)
        nest = self._nest = _nest()
        self._step = 0
        low = self._low = lower(spec, dt_s, self.seed)
        nest.ResetKernel()
        nest.SetKernelStatus({"resolution": dt_s * _MS, "local_num_threads": threads,
                              "rng_seed": int(self.seed.generate_state(1)[0] % 2**31) + 1,
                              "print_time": False})
        self.threads = threads
        # under MPI every rank builds the same spec; results are gathered (nest_ranks)
        self.ranks = Ranks(int(nest.NumProcesses()), comm)
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
        # a device cannot feed a plastic synapse: such sources also get parrot neurons,
        # fed by generators one step earlier, so a parrot's stamp is a neuron's (ours + h)
        self._parrots: dict[str, tuple[Any, Any]] = {}
        for proj in low.projections:
            label = proj.pre_label
            if not isinstance(proj.synapse, StaticSynapse) and label not in low.populations \
                    and label not in self._parrots:
                size = spec.groups[label].size
                gen, parrots = (nest.Create("spike_generator", size),
                                nest.Create("parrot_neuron", size))
                nest.Connect(gen, parrots, {"rule": "one_to_one"},
                             {"delay": dt_s * _MS})
                self._parrots[label] = (gen, parrots)
        self._source_steps: dict[str, list[list[int]]] = {
            src.label: [[] for _ in range(src.size)] for src in spec.sources}
        for src in spec.sources:
            if not isinstance(src, SpikeSourcePoisson):
                steps, idx = low.schedule_of(src.label)
                for s, i in zip(steps.tolist(), idx.tolist()):
                    self._source_steps[src.label][i].append(s)
        self._plastic: dict[str, str] = {}  # projection -> its NEST synapse model
        self._tau_minus: dict[str, float] = {}
        for proj in low.projections:
            self._connect(proj)
        # current sources: each population's I_e is its i_offset plus the step's source
        # currents (our plan's floats, the same on every engine), set between NEST runs
        self._current_pops = sorted({label for label, _ in low.currents.targets})
        for label in self._current_pops:
            if "i_offset" not in NEST_MODELS[type(low.populations[label].cell)].params:
                raise UnsupportedFeature(f"a current source into {label!r} (no I_e)", "nest",
                                         "the numba or brian2 engine")
        self._recorders: dict[str, Any] = {}
        for probe in spec.probes:
            if probe.target not in low.populations:
                continue  # a source's spikes are its schedule
            if probe.variable == "spikes":
                rec = nest.Create("spike_recorder")
                nest.Connect(self._nodes[probe.target], rec, syn_spec={"delay": dt_s * _MS})
            else:
                model = NEST_MODELS[type(low.populations[probe.target].cell)]
                if probe.variable not in model.state:
                    raise UnsupportedFeature(f"recording {probe.variable!r} of "
                                             f"{model.name}", "nest", "the numba engine")
                every = low.probe_every[probe.key]
                rec = nest.Create("multimeter", params={
                    "record_from": [model.state[probe.variable][0]],
                    "interval": every * dt_s * _MS})
                nest.Connect(rec, self._nodes[probe.target], syn_spec={"delay": dt_s * _MS})
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

    def _synapse_model(self, proj: Any) -> str:
        """The NEST synapse model of a projection: ``static_synapse``, or a copy of
        ``stdp_synapse`` / ``tsodyks2_synapse`` with the projection's constants."""
        nest = self._nest
        if isinstance(proj.synapse, StaticSynapse):
            return "static_synapse"
        name = f"neurosim_{proj.index}"
        if proj.stdp is not None:
            base, params = "stdp_synapse", self._stdp_parameters(proj)
        elif proj.tm is not None:
            # NEST's first spike transmits its initial u x w, later ones update (u, x)
            # first: u = U, x = 1 is our rest state (u 0, x 1) after the first update
            base, params = "tsodyks2_synapse", {
                "U": proj.tm["U"], "u": proj.tm["U"], "x": 1.0, "tau_rec": proj.tm["tau_rec"] * _MS,
                "tau_fac": proj.tm["tau_facil"] * _MS}
        else:
            raise UnsupportedFeature(f"{type(proj.synapse).__name__} ({proj.label})", "nest",
                                     "the numba or brian2 engine")
        nest.CopyModel(base, name, params)
        self._plastic[proj.label] = name
        return name

    def _stdp_parameters(self, proj: Any) -> dict[str, float]:
        """PyNN's translation of a pair rule to ``stdp_synapse`` (``pyNN/nest/standardmodels/
        synapses.py``): NEST moves the weight normalised by Wmax by ``lambda K`` up and
        ``alpha lambda K`` down, times ``(1 - w)^mu_plus`` and ``w^mu_minus``. Additive:
        mu 0, lambda = a_plus / w_max (our a_plus is already a weight change); multiplicative:
        mu 1, lambda = A_plus. tau_minus belongs to the post-synaptic neuron."""
        c = proj.stdp
        owner = f"{proj.label}: NEST's stdp_synapse"
        if c["w_min"] != 0:
            raise UnsupportedFeature(f"STDP with w_min != 0 ({owner} clips at 0)", "nest",
                                     "the numba or brian2 engine")
        if c["a_plus"] == 0 and c["a_minus"] != 0:
            raise UnsupportedFeature(f"STDP with A_plus = 0 and A_minus != 0 ({owner} scales "
                                     "depression by A_plus)", "nest", "the numba engine")
        tau_minus = c["tau_minus"] * _MS
        known = self._tau_minus.setdefault(proj.post_label, tau_minus)
        if known != tau_minus:
            raise UnsupportedFeature(
                f"two tau_minus ({known:g} and {tau_minus:g} ms) onto {proj.post_label!r} "
                "(NEST keeps tau_minus in the post-synaptic neuron)", "nest",
                "the numba or brian2 engine")
        self._nodes[proj.post_label].set(tau_minus=tau_minus)
        additive = c["rule"] == "additive"
        lam = c["a_plus"] / c["w_max"] if additive else c["a_plus"]
        kind = {v: k for k, v in WEIGHT_SI_UNITS.items()}[proj.unit]
        sign = 1.0 if proj.receptor == 0 else -1.0
        return {"tau_plus": c["tau_plus"] * _MS, "lambda": lam,
                "alpha": c["a_minus"] / c["a_plus"] if c["a_plus"] else 1.0,
                "mu_plus": 0.0 if additive else 1.0, "mu_minus": 0.0 if additive else 1.0,
                "Wmax": sign * c["w_max"] * _WEIGHT[kind]}

    def _connect(self, proj: Any) -> None:
        nest = self._nest
        model = self._synapse_model(proj)
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
        pre_nodes = self._pre_nodes(proj)
        post_nodes = self._nodes[proj.post_label]
        pre_ids = np.asarray(pre_nodes.tolist())[proj.pre - self._low.offset[proj.pre_label]]
        post_ids = np.asarray(post_nodes.tolist())[proj.post
                                                   - self._low.offset[proj.post_label]]
        nest.Connect(pre_ids, post_ids, {"rule": "one_to_one"},
                     {"synapse_model": model, "weight": weight,
                      "delay": steps * self.dt_s * _MS})

    def _pre_nodes(self, proj: Any) -> Any:
        """The nodes a projection leaves from: the parrots of a source feeding plastic
        synapses, else the population's or source's own nodes."""
        if proj.pre_label in self._parrots and not isinstance(proj.synapse, StaticSynapse):
            return self._parrots[proj.pre_label][1]
        return self._nodes[proj.pre_label]

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
            if src.label in self._parrots:
                # one step earlier (the parrot adds it back); NEST refuses a spike at 0
                early = [[max(round(t - dt_ms, 9), dt_ms) for t in tr] for tr in times]
                if any(tr and round(tr[0] - dt_ms, 9) <= 0 for tr in times):
                    warnings.warn(f"source {src.label!r}: a spike at t = 0 reaches its "
                                  "plastic synapses on NEST one step late (NEST cannot "
                                  "emit at 0)", stacklevel=3)
                self._parrots[src.label][0].set([{"spike_times": t} for t in early])

    def _advance(self, n_steps: int, progress: bool) -> None:
        k0, k1 = self._step, self._step + n_steps
        self._feed_sources(k1)
        if not self._current_pops:
            self._nest.Simulate(n_steps * self.dt_s * _MS)
        else:
            self._run_with_currents(k0, k1)
        self._step = k1

    def _run_with_currents(self, k0: int, k1: int) -> None:
        """Run steps k0..k1 in segments over which no source current changes; before each,
        the targeted populations' I_e = i_offset + their sources' currents. NEST uses I_e
        in the update of the step it is set before: our timing of a source's current. A
        source that changes every step (AC, noise at dt) runs NEST one step at a time."""
        nest, plan = self._nest, self._low.currents
        values = plan.values(k0, k1)
        change = np.flatnonzero(np.any(np.diff(values, axis=0) != 0, axis=1)) + 1
        starts = [0, *change.tolist()]
        ends = [*change.tolist(), k1 - k0]
        with nest.RunManager():
            for a, b in zip(starts, ends):
                for label in self._current_pops:
                    base = self._low.populations[label].params["i_offset"]
                    total = plan.injected(values[a], np.asarray(base, dtype=float), label)
                    self._nodes[label].set(I_e=(total * _PA).tolist())
                nest.Run((b - a) * self.dt_s * _MS)

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        trains = self._source_steps[source]
        for i, s in zip(indices.tolist(), steps.tolist()):
            trains[i].append(s)

    # -- results ---------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        currents = self._low.currents.records(self._step)
        for probe in self.spec.probes:
            if probe.key in currents:  # what a current source injected: our plan
                out[probe.key] = currents[probe.key]
                continue
            group = self.spec.groups[probe.target]
            if probe.target not in self._low.populations:
                if probe.variable == "spikes":
                    out[probe.key] = self._source_spikes(probe.target, group.size)
                continue
            ev = self.ranks.gather(dict(self._recorders[probe.key].get("events")))
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
        return RecordedData(out)

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
        """The (pre, post) weight matrix: static synapses keep the lowered weights, plastic
        ones are read back from NEST (``GetConnections``)."""
        proj = {p.label: p for p in self._low.projections}.get(projection)
        if proj is None:
            raise ParameterError("projection", projection,
                                 f"one of {sorted(p.label for p in self._low.projections)}")
        if not len(proj.pre):
            return empty_weights(proj.n_pre, proj.n_post) * proj.unit
        if projection in self._plastic and proj.stdp is not None:
            conns = self._nest.GetConnections(self._pre_nodes(proj),
                                              self._nodes[proj.post_label],
                                              synapse_model=self._plastic[projection])
            got = self.ranks.gather(conns.get(["source", "target", "weight"]))
            first_pre = int(self._pre_nodes(proj).tolist()[0])
            first_post = int(self._nodes[proj.post_label].tolist()[0])
            pre = np.asarray(got["source"], dtype=np.int64) - first_pre - proj.pre0
            post = np.asarray(got["target"], dtype=np.int64) - first_post - proj.post0
            kind = {v: k for k, v in WEIGHT_SI_UNITS.items()}[proj.unit]
            w = np.abs(np.asarray(got["weight"], dtype=float)) / _WEIGHT[kind]
            return weight_matrix(proj.n_pre, proj.n_post, pre, post, w) * proj.unit
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
    comm
        Under MPI (NEST built with MPI, the script started by ``mpirun``/``srun``): the
        communicator that gathers each rank's results (default mpi4py's ``COMM_WORLD``;
        :mod:`neurosim.engines.nest_ranks`). Without MPI, unused.
    """

    name: ClassVar[str] = "nest"

    def __init__(self, threads: int = 1, integration: str = "exact", comm: Any = None):
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ParameterError("threads", threads, "an int >= 1", "NestEngine")
        if integration != "exact":
            check_integration(integration, "NestEngine")
            raise UnsupportedFeature(f"integration={integration!r}", "nest",
                                     "the numba, brian2 or spinnaker-emulator engine")
        self.threads = threads
        self.comm = comm

    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> NestSimulation:
        """Build ``spec`` with time step ``dt``; ``seed`` fixes connectivity and Poisson
        spikes (the same draws as the other engines)."""
        dt_s = check_build_args(spec, dt, options, "nest")
        _nest()
        return NestSimulation(spec, dt_s, seed, self.threads, self.comm)

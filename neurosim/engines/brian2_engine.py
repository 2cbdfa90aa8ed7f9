"""The Brian2 engine: builds a NetworkSpec into a Brian2 ``Network``.

Timing follows SpiNNaker (sPyNNaker 7.x, ``neuron_impl_standard.h``), the hardware our models
were published on, on Brian2's time grid:

* **Hop latency = delay.** sPyNNaker writes a spike emitted at tick t through delay d into the
  ring-buffer slot t+d and the target integrates it in tick t+d, so it can fire at t+d.
  Brian2's default schedule (groups, thresholds, synapses, resets) delivers at step t+d
  *after* that step's integration, which costs one extra step per hop. We deliver through a
  Brian2 delay of ``d - dt``: the input lands at the end of step t+d-1, i.e. before the
  integration of step t+d. Delays must therefore be >= dt (SpiNNaker's minimum too).
* **Refractory period.** sPyNNaker freezes V for ``ceil(tau_refrac/dt)`` ticks *after* the
  spike tick; Brian2 counts its refractory period from the spike's step, so we give Brian2
  ``(ceil(tau_refrac/dt) + 1) dt``. Synaptic currents keep integrating while refractory.
* **Threshold** ``v >= v_thresh``; ``v`` is recorded before the step's update (Brian2's
  StateMonitor at ``start``, sPyNNaker's recording of ``v[t]``).
* **STDP** (``STDPMechanism`` = ``SpikePairRule`` x additive/multiplicative) follows
  sPyNNaker's event semantics (``synapse_dynamics_stdp_mad_impl.c``): a pre spike counts at
  its emission tick T, a post spike at ``t_post + d`` (back-propagation delay = the dendritic
  delay); a post event at the same time as a pre is applied first; potentiation uses the pre
  trace, depression the post trace (all-to-all, increments of 1); the weight is clipped
  after each event; the spike delivers the weight updated by its own depression. sPyNNaker
  applies post events lazily at the next pre spike; applying them as they happen (here)
  gives the same weights at every pre spike (only a weight read back after the last pre
  spike can differ: ours includes the trailing post events).

Subthreshold dynamics of ``IF_curr_exp`` are integrated exactly (Brian2's ``exact``
method); ``IF_cond_exp`` uses exponential Euler (conductance-based, not linear).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from typing import Any, ClassVar

import brian2 as b2
import numpy as np

from neurosim.config import cache_dir
from neurosim.engines.base import (
    Builder,
    Engine,
    PoissonPlan,
    Simulation,
    check_build_args,
    check_integration,
    connect_projection,
    empty_weights,
    stdp_constants,
    synapse_values,
    weight_matrix,
)
from neurosim.engines.data import RecordedData, SpikeData, StateData, grid_times
from neurosim.engines.injection import CurrentPlan
from neurosim.engines.lif import (
    frozen_steps,
    step_constants_per_neuron,
)
from neurosim.errors import EngineUnavailable, ParameterError, UnsupportedFeature
from neurosim.network import (
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
    TsodyksMarkramSynapse,
)
from neurosim.network.cells import (
    WEIGHT_SI_UNITS,
    brian2_declaration,
    brian2_name,
    param_declarations,
)
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.timegrid import time_step, time_steps
from neurosim.units import Quantity, ms, second, si_unit_name, to_si

__all__ = ["Brian2Builder", "Brian2Engine", "Brian2Simulation"]

# Pathway order inside Brian2's "synapses" slot at one step: post events first (sPyNNaker
# applies post events at or before a pre spike's time before that spike's depression), then
# the plasticity of pre spikes, then delivery.
_ORDER_POST, _ORDER_STDP, _ORDER_DELIVER = 0, 1, 2


#: Brian2 code generation targets (runtime numpy/cython, or a compiled C++ program).
CODEGEN_TARGETS = ("numpy", "cython", "cpp_standalone")
# Brian2 holds one standalone program per process: set between build and run.
_STANDALONE_PENDING = False

class Brian2Builder(Builder):
    builders: ClassVar[dict[type, Any]] = {}
    engine_name: ClassVar[str] = "brian2"


class _Context:
    """State shared by the build functions of one spec."""

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: np.random.SeedSequence,
                 integration: str, stdp_zero_depresses: bool):
        self.spec = spec
        self.dt_s = dt_s
        self.seed = seed
        self.integration = integration
        self.stdp_zero_depresses = stdp_zero_depresses
        self.groups: dict[str, Any] = {}
        self.synapses: dict[str, tuple[Any, int, int, int, int]] = {}
        self.monitors: dict[str, tuple[Probe, Any]] = {}
        self.scheduled: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        #: each population's own i_offset, to which current sources add (set_parameters
        #: changes it)
        self.current_base: dict[str, np.ndarray] = {}
        self.currents: Any = None
        #: delay steps per synapse of each projection (what set_delays last wrote)
        self.delay_steps: dict[str, np.ndarray] = {}
        # One clock for every object (Brian2 would otherwise make one per object).
        self.clock = b2.Clock(dt=dt_s * second, name="neurosim_clock")
        self.objects: list[Any] = []


@Brian2Builder.register(Population)
def _build_population(pop: Population, ctx: _Context) -> None:
    cell = pop.celltype
    if ctx.integration == "spinnaker":
        group = _spinnaker_group(pop, ctx)
    else:
        group = _declared_group(pop, ctx)
    for name, var in cell.state.items():
        if name in group.variables:
            values = (np.full(pop.size, cell.initial_si(name)) if var.internal
                      else pop.initial(name, ctx.seed))
            setattr(group, name + "_", values)
    ctx.groups[pop.label] = group
    ctx.objects.append(group)


def _set_params(group: Any, pop: Population, seed: Any) -> dict[str, np.ndarray]:
    """Every parameter of the population, one value per neuron (single values, arrays and
    distributions lowered by ``Population.parameter_values``)."""
    si = pop.parameter_values(seed)
    for f in dataclasses.fields(pop.celltype):
        if f.metadata.get("unit") is not None:
            setattr(group, brian2_name(f.name) + "_", si[f.name])
    return si


def _declared_group(pop: Population, ctx: _Context) -> Any:
    """A NeuronGroup written from the cell type's declaration: its equations, threshold,
    reset, refractoriness and integration method (neurosim.network.cells)."""
    cell = pop.celltype
    eqs, refractory = brian2_declaration(cell)
    group = b2.NeuronGroup(
        pop.size, eqs, threshold=cell.threshold, reset=cell.reset or None,
        refractory=refractory, method=cell.method, clock=ctx.clock,
        name=_safe(f"pop_{pop.label}"), namespace={},
    )
    si = _set_params(group, pop, ctx.seed)
    steps = frozen_steps(cell, si, ctx.dt_s)
    if steps is not None:
        # Brian2 counts the refractory period from the spike's own step; sPyNNaker freezes V
        # for `steps` ticks after it. Brian2 starts lastspike at -1e4 s: nobody starts
        # refractory.
        group.refractory_period = (steps + 1) * ctx.dt_s * second
    return group


def _spinnaker_group(pop: Population, ctx: _Context) -> Any:
    """sPyNNaker's tick arithmetic (neuron_model_lif_impl.h, synapse_types_exponential_impl.h).

    Per tick: the synaptic currents hold their average over the tick (an input of weight w
    adds ``w * tau_syn/dt * (1 - exp(-dt/tau_syn))``); V moves by the exact solution for that
    constant current, ``V = a - exp(-dt/tau_m) (a - V)`` with ``a = v_rest + R I``, unless
    refractory; then the threshold; then the currents decay by ``exp(-dt/tau_syn)``.
    """
    ctype = type(pop.celltype)
    if ctype is not IF_curr_exp:
        raise UnsupportedFeature(f"integration='spinnaker' for {ctype.__name__}", "brian2",
                                 "integration='exact' (sPyNNaker's tick arithmetic is "
                                 "implemented for IF_curr_exp)")
    eqs = """
        v : volt
        isyn_exc : amp
        isyn_inh : amp
        refrac_left : integer
        refrac_ticks : integer (constant)
        exp_tc : 1 (constant)
        decay_E : 1 (constant)
        decay_I : 1 (constant)
        init_E : 1 (constant)
        init_I : 1 (constant)
    """ + param_declarations(pop.celltype)
    group = b2.NeuronGroup(
        pop.size, eqs, threshold="v >= v_thresh",
        reset="v = v_reset\nrefrac_left = refrac_ticks", clock=ctx.clock,
        name=_safe(f"pop_{pop.label}"), namespace={},
    )
    c = step_constants_per_neuron(_set_params(group, pop, ctx.seed), ctx.dt_s)
    group.refrac_ticks = c["refrac_ticks"]
    group.exp_tc = c["p_m"]
    group.decay_E, group.decay_I = c["decay_e"], c["decay_i"]
    group.init_E, group.init_I = c["init_e"], c["init_i"]
    group.run_regularly("""
        active = int(refrac_left <= 0)
        a = v_rest + (isyn_exc - isyn_inh + i_offset) * tau_m / c_m
        v = active * (a - exp_tc * (a - v)) + (1 - active) * v
        refrac_left = refrac_left - (1 - active)
        isyn_exc = isyn_exc * decay_E
        isyn_inh = isyn_inh * decay_I
    """, when="groups", name=_safe(f"pop_{pop.label}_tick"))
    return group


@Brian2Builder.register(SpikeSourceArray)
def _build_spike_array(src: SpikeSourceArray, ctx: _Context) -> None:
    idx, times = [], []
    for i, train in enumerate(src.spike_times):
        steps = time_steps(train, ctx.dt_s)
        if len(np.unique(steps)) != len(steps):
            raise ParameterError("spike_times", train,
                                 f"at most one spike per time step ({ctx.dt_s * 1e3:g} ms)",
                                 f"SpikeSourceArray {src.label!r}, source {i}")
        idx.append(np.full(len(steps), i))
        times.append(steps)
    i_arr = np.concatenate(idx) if idx else np.zeros(0, int)
    s_arr = np.concatenate(times) if times else np.zeros(0, int)
    group = b2.SpikeGeneratorGroup(src.size, i_arr, s_arr * ctx.dt_s * second,
                                   clock=ctx.clock, name=_safe(f"src_{src.label}"))
    ctx.scheduled[src.label] = (i_arr, s_arr)
    ctx.groups[src.label] = group
    ctx.objects.append(group)


@Brian2Builder.register(SpikeSourcePoisson)
def _build_poisson(src: SpikeSourcePoisson, ctx: _Context) -> None:
    # Spikes come from the counter-based generator (PoissonPlan), handed to a spike
    # generator before each run: the same spikes as on every other engine.
    group = b2.SpikeGeneratorGroup(src.size, np.zeros(0, int), np.zeros(0) * second,
                                   clock=ctx.clock, name=_safe(f"src_{src.label}"))
    ctx.scheduled[src.label] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    ctx.groups[src.label] = group
    ctx.objects.append(group)


def _stdp_code(syn: STDPMechanism, include_zero: bool) -> tuple[str, str, dict[str, Any]]:
    c = stdp_constants(syn)
    unit = WEIGHT_SI_UNITS[syn.kind]
    ns: dict[str, Any] = {"tau_plus": c["tau_plus"] * second,
                          "tau_minus": c["tau_minus"] * second,
                          "w_min": c["w_min"] * unit, "w_max": c["w_max"] * unit}
    if c["rule"] == "additive":
        ns["a_plus"] = c["a_plus"] * unit
        ns["a_minus"] = c["a_minus"] * unit
        pot = "a_plus * x_pre"
        dep = "a_minus * y_post"
    else:
        ns["a_plus"] = c["a_plus"]
        ns["a_minus"] = c["a_minus"]
        pot = "a_plus * (w_max - w_syn) * x_pre"
        dep = "a_minus * (w_syn - w_min) * y_post"
    # The same-time case (dt == 0) depresses when include_zero (sPyNNaker's newest pair rule).
    cond = "t - lastpost >= 0*second" if include_zero else "t - lastpost > 0*second"
    on_pre = f"""
        y_post = apost * exp(-(t - lastpost)/tau_minus) * int({cond})
        w_syn = clip(w_syn - {dep}, w_min, w_max)
        apre = apre * exp(-(t - lastpre)/tau_plus) + 1
        lastpre = t
    """
    on_post = f"""
        x_pre = apre * exp(-(t - lastpre)/tau_plus) * int(t - lastpre > 0*second)
        w_syn = clip(w_syn + {pot}, w_min, w_max)
        apost = apost * exp(-(t - lastpost)/tau_minus) + 1
        lastpost = t
    """
    return on_pre, on_post, ns


def _tsodyks_markram_code(syn: TsodyksMarkramSynapse, deliver: str) -> str:
    """On-pre code of a Tsodyks-Markram synapse (neurosim.network.synapses): decay u and
    recover x since the last spike, raise u, transmit w u x, use u x of the resources.
    The same operations, in the same order, as the Numba kernel and the reference engine."""
    facil = ("u_minus = u_tm * exp(-(t - last_tm)/tau_facil)" if to_si(syn.tau_facil) > 0
             else "u_minus = 0")
    transmit = deliver.replace("w_syn", "w_syn * u_tm * x_minus", 1)
    return f"""
        {facil}
        x_minus = 1 - (1 - x_tm) * exp(-(t - last_tm)/tau_rec)
        u_tm = u_minus + U_tm * (1 - u_minus)
        {transmit}
        x_tm = x_minus * (1 - u_tm)
        last_tm = t
    """


def _queue_holds_events(pathway: Any) -> bool:
    """Whether a synaptic pathway's spike queue holds events not yet delivered."""
    queue = getattr(pathway, "queue", None)
    if queue is None:  # before the first run: nothing queued
        return False
    return len(queue._full_state()[1]) > 0


def _set_pathway_delays(S: Any, steps: np.ndarray, dt_s: float, plastic: bool) -> None:
    """Delays of ``steps`` on every pathway of ``S``: the hop rule (module docstring) puts
    delivery ``steps - 1`` ticks after the spike, and STDP's post events ``steps`` ticks."""
    S.pre.delay = (steps - 1) * dt_s * second
    if plastic:
        S.stdp.delay = np.zeros(len(steps)) * second
        S.post.delay = steps * dt_s * second


@Brian2Builder.register(Projection)
def _build_projection(proj: Projection, ctx: _Context) -> None:
    spec = ctx.spec
    pre, post, n_pre, n_post, pre0, post0 = connect_projection(spec, proj, ctx.seed)
    pre_label, post_label = proj.pre_label, proj.post_label
    post_pop = spec.population(post_label)
    receptor = post_pop.celltype.receptors[proj.receptor]
    target = receptor.target
    syn = proj.synapse
    unit_name = si_unit_name(WEIGHT_SI_UNITS[syn.kind])
    w_values, steps = synapse_values(proj, len(pre), ctx.seed, ctx.dt_s)
    # Per-synapse pathway delays, set after connecting, so that set_delays can make them
    # differ later. Brian2's queue takes its homogeneous path whenever they are all equal,
    # so one delay costs what a scalar pathway delay did.
    # Under sPyNNaker's arithmetic a current holds its tick average: scale the jump.
    scale = "* init_E_post" if ctx.integration == "spinnaker" and target == "isyn_exc" else (
        "* init_I_post" if ctx.integration == "spinnaker" else "")
    deliver = f"{target}_post {'+' if receptor.sign > 0 else '-'}= w_syn {scale}"
    if isinstance(syn, StaticSynapse):
        model = f"w_syn : {unit_name}"
        on_pre: Any = deliver
        on_post = None
        ns: dict[str, Any] = {}
    elif isinstance(syn, STDPMechanism):
        model = f"""w_syn : {unit_name}
                    apre : 1
                    apost : 1
                    lastpre : second
                    lastpost : second"""
        stdp_pre, on_post, ns = _stdp_code(syn, include_zero=ctx.stdp_zero_depresses)
        on_pre = {"pre": deliver, "stdp": stdp_pre}
    elif isinstance(syn, TsodyksMarkramSynapse):
        model = f"""w_syn : {unit_name}
                    u_tm : 1
                    x_tm : 1
                    last_tm : second"""
        on_pre = _tsodyks_markram_code(syn, deliver)
        on_post = None
        ns = {"U_tm": syn.U, "tau_rec": syn.tau_rec, "tau_facil": syn.tau_facil}
    else:  # pragma: no cover - the spec only admits the types above
        raise UnsupportedFeature(type(syn).__name__, "brian2", "StaticSynapse")
    S = b2.Synapses(ctx.groups[pre_label], ctx.groups[post_label], model=model, on_pre=on_pre,
                    on_post=on_post, clock=ctx.clock,
                    name=_safe(f"proj{len(ctx.synapses)}_{proj.label}"), namespace=ns)
    if len(pre):
        S.connect(i=pre, j=post)
        S.w_syn_ = w_values
        _set_pathway_delays(S, steps, ctx.dt_s, isinstance(syn, STDPMechanism))
    else:
        # Brian2 refuses to set variables of a Synapses object that was never connected.
        S.connect(False)
    ctx.delay_steps[proj.label] = np.asarray(steps, dtype=np.int64)
    if isinstance(syn, TsodyksMarkramSynapse) and len(pre):
        S.x_tm = 1.0  # at rest: all resources available, no utilisation (u_tm = 0)
        S.last_tm = -1e9 * second
    if isinstance(syn, STDPMechanism) and len(pre):
        S.lastpre = -1e9 * second
        S.lastpost = -1e9 * second
        S.stdp.order = _ORDER_STDP
        S.post.order = _ORDER_POST
    S.pre.order = _ORDER_DELIVER
    ctx.synapses[proj.label] = (S, n_pre, n_post, pre0, post0)
    ctx.objects.append(S)


def _build_current_sources(ctx: _Context, standalone: bool) -> None:
    """Each step, before the neurons' update, set i_offset of the targeted populations to
    their own i_offset plus the sources' currents (one Python call per step: the values
    come from neurosim.engines.injection, the same for every engine)."""
    plan = CurrentPlan(ctx.spec, ctx.seed, ctx.dt_s)
    ctx.currents = plan
    if not plan:
        return
    if standalone:
        raise UnsupportedFeature("current sources with codegen_target='cpp_standalone'",
                                 "brian2", "codegen_target='numpy' or 'cython'")
    targets = sorted({label for label, _ in plan.targets})
    base = ctx.current_base
    for label in targets:
        si = ctx.spec.population(label).parameter_values(ctx.seed)
        if "i_offset" not in si:
            raise UnsupportedFeature(f"a current source into {label!r} (its cell type has no "
                                     "i_offset)", "brian2", "a cell type with i_offset")
        base[label] = si["i_offset"]
    dt_s = ctx.dt_s

    def inject() -> None:
        k = round(float(ctx.clock.t_[:]) / dt_s)
        row = ctx.currents.values(k, k + 1)[0]
        for label in targets:
            ctx.groups[label].i_offset_[:] = ctx.currents.injected(row, base[label], label)

    ctx.objects.append(b2.NetworkOperation(inject, when="start", clock=ctx.clock,
                                           name="neurosim_current_sources"))


@Brian2Builder.register(Probe)
def _build_probe(probe: Probe, ctx: _Context) -> None:
    if probe.target not in ctx.spec.groups:
        return  # a current source's current: neurosim.engines.injection records it
    group = ctx.groups[probe.target]
    if probe.variable == "spikes":
        mon = b2.SpikeMonitor(group, name=_safe(f"spk_{probe.target}"))
    else:
        sampling = ctx.dt_s if probe.sampling_interval is None else probe.sampling_interval
        clock = ctx.clock if probe.sampling_interval is None else b2.Clock(sampling * second)
        mon = b2.StateMonitor(group, probe.variable, record=True, clock=clock,
                              name=_safe(f"st_{probe.target}_{probe.variable}"))
    ctx.monitors[probe.key] = (probe, mon)
    ctx.objects.append(mon)


def _safe(name: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in name)
    return out if out[0].isalpha() else "n" + out


class Brian2Simulation(Simulation):
    """A spec built on Brian2, run in chunks with ``run()`` (runtime devices), or once
    (``cpp_standalone``: Brian2 generates, compiles and runs a C++ program)."""

    engine_name: ClassVar[str] = "brian2"

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, ctx: _Context,
                 network: Any, standalone_dir: str | None = None):
        super().__init__(spec, dt_s, seed)
        self._ctx = ctx
        self._net = network
        self._standalone_dir = standalone_dir
        self._snapshot: dict[str, Any] | None = None
        #: Seconds spent by cpp_standalone compiling and running the binary (None otherwise).
        self.standalone_timers: dict[str, Any] | None = None

    @property
    def t(self) -> Quantity:
        if self._snapshot is not None:
            return self._snapshot["t"] * second
        return float(self._net.t) * second

    @property
    def network(self):
        """The underlying ``brian2.Network`` (for inspection; changing it voids guarantees)."""
        return self._net

    def _advance(self, n_steps: int, progress: bool) -> None:
        duration = n_steps * self.dt_s * second
        now = round(float(self._net.t_) / self.dt_s)
        for label, (steps, idx) in self._ctx.poisson.take(now + n_steps).items():
            self._inject(label, idx, steps)
        if self._standalone_dir is not None:
            self._run_standalone(duration)
            return
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"brian2 {self.spec.name}")

            def report(elapsed, complete, start, total):
                bar.n = round(complete * n_steps)
                bar.refresh()

            try:
                self._net.run(duration, report=report, report_period=1 * second, namespace={})
            finally:
                bar.n = n_steps
                bar.close()
        else:
            self._net.run(duration, namespace={})

    def _run_standalone(self, duration: Any) -> None:
        global _STANDALONE_PENDING
        if self._snapshot is not None:
            raise UnsupportedFeature("a second run() with codegen_target='cpp_standalone'",
                                     "brian2", "codegen_target='numpy' or 'cython' for runs "
                                     "in chunks")
        try:
            self._net.run(duration, namespace={})
            timers = getattr(b2.get_device(), "timers", None) or {}
            self.standalone_timers = {"compile_s": _sum_timers(timers.get("compile")),
                                      "run_binary_s": timers.get("run_binary")}
            # Keep everything in memory: the device and its folder are released now.
            self._snapshot = {"t": float(self._net.t_), "data": self._collect_data(),
                              "weights": {k: self._read_weights(k) for k in self._ctx.synapses}}
        finally:
            b2.device.reinit()
            b2.set_device("runtime")
            _STANDALONE_PENDING = False
            shutil.rmtree(self._standalone_dir, ignore_errors=True)

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        if self._snapshot is not None:
            raise UnsupportedFeature("input after the run with codegen_target='cpp_standalone'",
                                     "brian2", "codegen_target='numpy'")
        now = round(float(self._net.t_) / self.dt_s)
        old_i, old_s = self._ctx.scheduled[source]
        keep = old_s >= now  # Brian2 warns about (and ignores) spikes in the past
        i_all = np.concatenate([old_i[keep], indices])
        s_all = np.concatenate([old_s[keep], steps])
        key = s_all * (int(i_all.max(initial=0)) + 1) + i_all
        if len(np.unique(key)) != len(key):
            raise ParameterError("times", steps * self.dt, "at most one spike per source and "
                                 "time step", f"{type(self).__name__}.inject")
        self._ctx.scheduled[source] = (i_all, s_all)
        self._ctx.groups[source].set_spikes(i_all, s_all * self.dt_s * second)

    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        if self._snapshot is not None:
            return RecordedData(self._snapshot["data"])
        if self._standalone_dir is not None:
            return RecordedData()  # cpp_standalone: nothing exists before the run
        return RecordedData(self._collect_data())

    def _collect_data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        currents = self._ctx.currents.records(round(float(self._net.t_) / self.dt_s))
        for probe in self.spec.probes:
            if probe.key in currents:
                out[probe.key] = currents[probe.key]
        for key, (probe, mon) in self._ctx.monitors.items():
            size = self.spec.groups[probe.target].size
            if probe.variable == "spikes":
                # Spikes happen on the grid: snap away Brian2's float accumulation noise.
                t = grid_times(np.round(np.asarray(mon.t_[:], dtype=float) / self.dt_s),
                               self.dt_s)
                i = np.asarray(mon.i[:], dtype=np.int64)
                order = np.lexsort((i, t))
                out[key] = SpikeData(probe.target, size, t[order] * second, i[order])
            else:
                values = getattr(mon, probe.variable)
                out[key] = StateData(probe.target, probe.variable,
                                     np.asarray(mon.t_[:]) * second, values.T)
        return out

    def weights(self, projection: str) -> Quantity:
        if projection not in self._ctx.synapses:
            raise ParameterError("projection", projection,
                                 f"one of {sorted(self._ctx.synapses)}")
        if self._snapshot is not None:
            return self._snapshot["weights"][projection]
        return self._read_weights(projection)

    # -- hooks (Simulation.synapse_index, set_weights, get_state, set_state) -------------
    def _live(self, what: str) -> None:
        if self._snapshot is not None or self._standalone_dir is not None:
            raise UnsupportedFeature(f"{what} with codegen_target='cpp_standalone'", "brian2",
                                     "codegen_target='numpy'")

    def _synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        S, _, _, pre0, post0 = self._ctx.synapses[projection]
        if not len(S):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return (np.asarray(S.i[:], dtype=np.int64) - pre0,
                np.asarray(S.j[:], dtype=np.int64) - post0)

    def _set_weights(self, projection: str, w_si: np.ndarray) -> None:
        self._live("set_weights")
        S = self._ctx.synapses[projection][0]
        if len(S):
            S.w_syn_[:] = w_si

    @property
    def current_plan(self) -> Any:
        return self._ctx.currents

    def _set_parameters(self, label: str, new_spec: NetworkSpec) -> None:
        self._live("set_parameters")
        if self._ctx.integration == "spinnaker":
            raise UnsupportedFeature("set_parameters with integration='spinnaker'", "brian2",
                                     "integration='exact'")
        pop = new_spec.population(label)
        group = self._ctx.groups[label]
        si = _set_params(group, pop, self._ctx.seed)
        steps = frozen_steps(pop.celltype, si, self.dt_s)
        if steps is not None:
            group.refractory_period = (steps + 1) * self.dt_s * second
        if label in self._ctx.current_base:  # the i_offset the current sources add to
            self._ctx.current_base[label] = si["i_offset"]

    def _replace_spikes(self, source: str, indices: np.ndarray, steps: np.ndarray,
                        now: int) -> None:
        self._live("set_spike_times")
        # the past goes, as in _inject: Brian2 warns about (and ignores) spikes before now
        i_all, s_all = indices.astype(np.int64), steps.astype(np.int64)
        self._ctx.scheduled[source] = (i_all, s_all)
        self._ctx.groups[source].set_spikes(i_all, s_all * self.dt_s * second)

    def _synapse_weights(self, projection: str) -> np.ndarray:
        self._live("synapse_weights")
        S = self._ctx.synapses[projection][0]
        return np.asarray(S.w_syn_[:], dtype=float) if len(S) else np.zeros(0)

    def _delay_steps(self, projection: str) -> np.ndarray:
        return self._ctx.delay_steps[projection].copy()

    def _set_delay_steps(self, projection: str, steps: np.ndarray) -> None:
        self._live("set_delays")
        S = self._ctx.synapses[projection][0]
        if len(S):
            _set_pathway_delays(S, steps, self.dt_s,
                                self.spec.projection(projection).synapse.plastic)
        self._ctx.delay_steps[projection] = steps

    def _spiked_since(self, label: str, step: int) -> bool:
        if label in self._ctx.scheduled:  # a source: its schedule up to now
            s = self._ctx.scheduled[label][1]
            return bool(np.any((s >= step) & (s < self._step_now())))
        group = self._ctx.groups[label]
        if "lastspike" in group.variables:
            last = np.asarray(group.lastspike_[:], dtype=float)
            return bool(np.any(last >= step * self.dt_s - 0.5 * self.dt_s))
        # a cell without a refractory period keeps no spike times: ask the synapse queues
        # (Brian2 pushes each spike at its delay, so a spike no queue holds is delivered)
        return any(_queue_holds_events(pw) for S, *_ in self._ctx.synapses.values()
                   for pw in S._pathways if pw.source is group)

    def _step_now(self) -> int:
        return time_step(float(to_si(self.t)), self.dt_s)

    def _get_state(self, label: str, variable: str) -> np.ndarray:
        self._live("get_state")
        return np.asarray(getattr(self._ctx.groups[label], variable + "_")[:], dtype=float)

    def _set_state(self, label: str, variable: str, values_si: np.ndarray) -> None:
        self._live("set_state")
        getattr(self._ctx.groups[label], variable + "_")[:] = values_si

    def _read_weights(self, projection: str) -> Quantity:
        S, n_pre, n_post, pre0, post0 = self._ctx.synapses[projection]
        out = empty_weights(n_pre, n_post)
        if len(S):
            out = weight_matrix(n_pre, n_post, np.asarray(S.i[:]) - pre0,
                                np.asarray(S.j[:]) - post0, np.asarray(S.w_syn_[:]))
        unit = WEIGHT_SI_UNITS[self.spec.projection(projection).synapse.kind]
        return out * unit


class Brian2Engine(Engine):
    """Build specs on Brian2.

    Parameters
    ----------
    codegen_target
        "numpy" (no compilation: the fastest start, best for small networks and short
        chunks), "cython" (compiled once into the cache folder, faster on large networks) or
        "cpp_standalone" (Brian2 writes, compiles and runs a C++ program in a temporary
        folder: one ``run()`` per build, no input injected after it).
    integration
        "exact" (continuous-time dynamics, exact for IF_curr_exp) or "spinnaker"
        (sPyNNaker's per-tick arithmetic: tick-averaged synaptic current, exponential step
        of V; what a network tuned on SpiNNaker, like the CA3 memory, expects).
    stdp_zero_depresses
        Whether a pre spike at the same (delayed) time as a post spike depresses, as in
        sPyNNaker 7's pair rule (``timing_pair_impl.h`` has no ``dt > 0`` guard on
        depression); see docs/decisions.md.
    """

    name: ClassVar[str] = "brian2"

    def __init__(self, codegen_target: str = "numpy", integration: str = "exact",
                 stdp_zero_depresses: bool = True):
        if codegen_target not in CODEGEN_TARGETS:
            raise ParameterError("codegen_target", codegen_target, f"one of {CODEGEN_TARGETS}",
                                 "Brian2Engine")
        self.codegen_target = codegen_target
        self.integration = check_integration(integration, "Brian2Engine")
        self.stdp_zero_depresses = bool(stdp_zero_depresses)

    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> Brian2Simulation:
        """Build ``spec`` with time step ``dt``; ``seed`` fixes connectivity and Poisson spikes."""
        dt_s = check_build_args(spec, dt, options, "brian2",
                                board_timestep=self.integration == "spinnaker")
        root = as_seed_sequence(seed)
        standalone_dir = None
        global _STANDALONE_PENDING
        if _STANDALONE_PENDING:
            raise EngineUnavailable("a cpp_standalone simulation was built but not run yet; "
                                    "Brian2 holds one standalone program at a time: run it "
                                    "first")
        if self.codegen_target == "cpp_standalone":
            standalone_dir = tempfile.mkdtemp(prefix="run-", dir=cache_dir("brian2-standalone"))
            b2.set_device("cpp_standalone", directory=standalone_dir, build_on_run=True,
                          with_output=False)
            b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
            _STANDALONE_PENDING = True
        else:
            _configure_brian2(self.codegen_target)
        ctx = _Context(spec, dt_s, root, self.integration, self.stdp_zero_depresses)
        ctx.poisson = PoissonPlan(spec, root, dt_s)
        for node in (*spec.populations, *spec.sources, *spec.projections, *spec.probes):
            Brian2Builder.build(node, ctx)
        _build_current_sources(ctx, standalone_dir is not None)
        net = b2.Network(*ctx.objects)
        return Brian2Simulation(spec, dt_s, root, ctx, net, standalone_dir)


def _sum_timers(value: Any) -> float | None:
    if isinstance(value, dict):
        parts = [v for v in value.values() if isinstance(v, int | float)]
        return float(sum(parts)) if parts else None
    return float(value) if isinstance(value, int | float) else None


def _configure_brian2(target: str) -> None:
    b2.prefs.codegen.target = target
    b2.prefs.codegen.runtime.cython.cache_dir = str(cache_dir("brian2-cython"))
    b2.prefs.codegen.runtime.cython.multiprocess_safe = True
    # Quiet Brian2's INFO logs about code generation; warnings still show.
    b2.BrianLogger.log_level_warn()

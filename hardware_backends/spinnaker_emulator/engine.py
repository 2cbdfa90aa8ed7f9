"""The ``"spinnaker-emulator"`` engine: a spec run as a SpiNNaker board running sPyNNaker
1!7.4.1 would run it, in its fixed-point arithmetic, and :func:`emulate` for ``deploy``.

The build goes through the same steps as a deployment: :func:`~neurosim.hardware_backends.
pynn_export.pynn_plan` (PyNN's names and units, the synapses our engines build for the
seed) and :func:`~neurosim.hardware_backends.spinnaker.validate` (sPyNNaker's ring-buffer
left shifts, weight scales and 16-bit weights); nothing of that is recomputed here. The
neuron constants are derived as the board derives them (:mod:`.neuron`), STDP as
:mod:`.stdp`, and every tick runs in :func:`.kernel.run_ticks`.

Supported: IF_curr_exp, SpikeSourceArray (and input injected between runs),
SpikeSourcePoisson (our counter-based draws, *not* the board's generator), every connector,
static synapses and pair-rule STDP with additive weight dependence, delays within the ring
buffer (static projections: any delay), dt any whole number of microseconds (1 ms as the
models use; 0.1 ms works the same way), probes of spikes, v, isyn_exc, isyn_inh.
Everything else raises :class:`~neurosim.errors.UnsupportedFeature` naming an alternative.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from neurosim.engines.base import (
    Engine,
    Simulation,
    check_build_args,
    steps_of,
    weight_matrix,
)
from neurosim.engines.data import RecordedData, SpikeData, StateData, grid_times, to_neo_block
from neurosim.engines.lowering import LoweredNetwork, lower
from neurosim.engines.records import ScheduleAndRecords
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.hardware_backends.pynn_export import pynn_plan
from neurosim.hardware_backends.spinnaker import (
    GLOBAL_WEIGHT_SCALE,
    ValidationReport,
    validate,
)
from neurosim.hardware_backends.spinnaker_emulator.fixed_point import ACCUM_ONE
from neurosim.hardware_backends.spinnaker_emulator.neuron import LIF_FIELDS, lif_constants
from neurosim.hardware_backends.spinnaker_emulator.stdp import MAX_POST_EVENTS, stdp_params
from neurosim.network import (
    IF_curr_exp,
    NetworkSpec,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.random import SeedLike
from neurosim.units import Quantity, amp, ms, nA, second, to_si, volt

__all__ = ["EmulationResult", "SpiNNakerEmulatorEngine", "SpiNNakerEmulatorSimulation",
           "emulate", "quantisation_report"]

ENGINE = "spinnaker-emulator"
_ALT = "the numba engine with integration='spinnaker' (float64)"
_VAR_CODE = {"v": 0, "isyn_exc": 1, "isyn_inh": 2}
# validate() failures that mean sPyNNaker cannot run the spec at all
_FATAL = ("cell_type", "plasticity", "delay", "synapses_per_row", "timestep", "parameter")


def _check_supported(spec: NetworkSpec) -> None:
    if spec.current_sources:
        raise UnsupportedFeature("current sources", ENGINE, _ALT)
    for pop in spec.populations:
        if type(pop.celltype) is not IF_curr_exp:
            raise UnsupportedFeature(f"cell type {type(pop.celltype).__name__}", ENGINE, _ALT)
        if pop.celltype.heterogeneous():
            raise UnsupportedFeature(f"parameters that differ per neuron "
                                     f"({', '.join(pop.celltype.heterogeneous())})", ENGINE,
                                     _ALT)
    for src in spec.sources:
        if not isinstance(src, SpikeSourceArray | SpikeSourcePoisson):
            raise UnsupportedFeature(f"source {type(src).__name__}", ENGINE, _ALT)
    for proj in spec.projections:
        syn = proj.synapse
        if not isinstance(syn, STDPMechanism | StaticSynapse):
            raise UnsupportedFeature(f"{type(syn).__name__} (projection {proj.label!r})",
                                     ENGINE, _ALT)
        if isinstance(syn, STDPMechanism):
            from neurosim.network.synapses import AdditiveWeightDependence, SpikePairRule

            if not isinstance(syn.weight_dependence, AdditiveWeightDependence):
                raise UnsupportedFeature(f"{type(syn.weight_dependence).__name__} STDP "
                                         f"(projection {proj.label!r})", ENGINE, _ALT)
            if not isinstance(syn.timing_dependence, SpikePairRule):
                raise UnsupportedFeature(f"{type(syn.timing_dependence).__name__} STDP "
                                         f"(projection {proj.label!r})", ENGINE, _ALT)
    for probe in spec.probes:
        if probe.variable not in ("spikes", *_VAR_CODE):
            raise UnsupportedFeature(f"recording {probe.variable!r}", ENGINE, _ALT)
        if probe.sampling_interval is not None:
            raise UnsupportedFeature("a probe sampling_interval other than dt", ENGINE, _ALT)


def _pow2_above(n: int) -> int:
    r = 1
    while r <= n:
        r <<= 1
    return r


class SpiNNakerEmulatorSimulation(ScheduleAndRecords, Simulation):
    """A spec as a SpiNNaker board holds it: int64 arrays for :func:`.kernel.run_ticks`.

    Attributes
    ----------
    validation
        The :class:`~neurosim.hardware_backends.spinnaker.ValidationReport` whose ring-buffer
        shifts and 16-bit weights the board would use.
    """

    engine_name: ClassVar[str] = ENGINE

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, kernel: str = "numba",
                 post_history: int = MAX_POST_EVENTS):
        super().__init__(spec, dt_s, seed)
        self.post_history = int(post_history)
        _check_supported(spec)
        from neurosim.hardware_backends.spinnaker_emulator import kernel as kmod

        self._kernel = kmod.run_ticks if kernel == "numba" else kmod.run_ticks_reference
        root = self.seed
        self._step = 0
        dt = dt_s * second
        self.validation: ValidationReport = validate(spec, timestep=dt, seed=root,
                                                     raise_on_failure=False)
        fatal = [i for i in self.validation.failures if i.check in _FATAL]
        if fatal:
            raise UnsupportedFeature("; ".join(str(i) for i in fatal), ENGINE, _ALT)
        self.plan = pynn_plan(spec, timestep=dt, seed=root)
        self.time_step_ms = self.plan.timestep
        low = lower(spec, dt_s, root)
        self._build_neurons(low)
        self._build_synapses(low)
        self._build_records(spec)

    # -- build -----------------------------------------------------------------------------
    def _build_neurons(self, low: LoweredNetwork) -> None:
        spec = low.spec
        self._index_groups(low)
        n = self.n
        self.is_src = np.ones(n, dtype=np.int8)
        self.st = {f: np.zeros(n, dtype=np.int64) for f in LIF_FIELDS}
        self.st["v_thresh"][:] = np.iinfo(np.int32).max
        self.shift = {r: np.zeros(n, dtype=np.int64) for r in ("excitatory", "inhibitory")}
        self.weight_scale: dict[tuple[str, str], float] = {}
        for pop in spec.populations:
            g = self.plan.group(pop.label)
            off = self.offset[pop.label]
            self.is_src[off:off + pop.size] = 0
            init = {name: np.broadcast_to(np.asarray(g.initial_values.get(name, 0.0),
                                                     dtype=float), (pop.size,))
                    for name in ("v", "isyn_exc", "isyn_inh")}
            if "v" not in g.initial_values:
                init["v"] = np.full(pop.size, g.params["v_rest"])
            cache: dict[tuple[float, float, float], dict[str, int]] = {}
            for i in range(pop.size):
                key = (float(init["v"][i]), float(init["isyn_exc"][i]),
                       float(init["isyn_inh"][i]))
                if key not in cache:
                    cache[key] = lif_constants(g.params, self.time_step_ms, v_init=key[0],
                                               isyn_exc=key[1], isyn_inh=key[2])
                for f, value in cache[key].items():
                    self.st[f][off + i] = value
            check = self.validation.populations[pop.label]
            for rec in ("excitatory", "inhibitory"):
                self.shift[rec][off:off + pop.size] = check.ring_buffer_shift[rec]
                self.weight_scale[(pop.label, rec)] = check.weight_scale[rec]
        # The board's widths: s16.15 and counters in int32, decay factors in uint32 (half
        # the memory the tick loop streams through; the kernel computes in int64).
        for f in LIF_FIELDS:
            self.st[f] = self.st[f].astype(np.uint32 if f.endswith(("_decay", "_init"))
                                           else np.int32)
        self.shift = {r: s.astype(np.int32) for r, s in self.shift.items()}
        self._poisson = low.poisson
        self._set_schedule(low.schedule_step, low.schedule_idx)

    def _build_synapses(self, low: LoweredNetwork) -> None:
        static: list[tuple[np.ndarray, ...]] = []
        plastic: list[tuple[np.ndarray, ...]] = []
        self.stdp: list[Any] = []
        self.projections: dict[str, tuple] = {}
        max_delay = 1
        post_proj = np.full(self.n, -1, dtype=np.int64)
        for k, lp in enumerate(low.projections):
            proj = low.spec.projections[k]
            n_pre, n_post, pre0, post0 = lp.n_pre, lp.n_post, lp.pre0, lp.post0
            check = self.validation.projections[proj.label]
            plan = self.plan.projections[k]
            d = check.delay_ticks
            max_delay = max(max_delay, d)
            m = len(lp.pre)
            gpre, gpost, rtype = lp.pre.astype(np.int64), lp.post.astype(np.int64), lp.receptor
            stored = (np.full(m, check.weight_stored, dtype=np.int64)
                      if check.weights_stored is None else check.weights_stored)
            cols = (gpre, gpost, stored,
                    np.full(m, d, dtype=np.int64), np.full(m, rtype, dtype=np.int64))
            if isinstance(proj.synapse, STDPMechanism):
                if check.delay_extension:
                    raise UnsupportedFeature(f"a plastic projection through a delay extension "
                                             f"({proj.label!r}, {d} ticks)", ENGINE, _ALT)
                p = len(self.stdp)
                gscale = GLOBAL_WEIGHT_SCALE[proj.synapse.kind]
                self.stdp.append(stdp_params(plan.stdp, self.time_step_ms, gscale))
                plastic.append((*cols, np.full(m, p, dtype=np.int64)))
                # the post trace uses the (identical, validate() checks) rule of the post
                # population's plastic projections
                sel = post_proj[gpost] < 0
                post_proj[gpost[sel]] = p
                self.projections[proj.label] = ("plastic", p, n_pre, n_post, pre0, post0)
            else:
                static.append((*cols, np.full(m, k, dtype=np.int64)))
                self.projections[proj.label] = ("static", k, n_pre, n_post, pre0, post0)
        # weight_t ring buffers: uint16, saturating (synapses.c, synapse_row.h)
        self.ring = np.zeros((_pow2_above(max_delay), 2 * self.n), dtype=np.uint16)

        def cat(parts: list, i: int) -> np.ndarray:
            return np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, np.int64)

        # static CSR by pre; the projection of each synapse kept for weights()
        s_pre, s_proj = cat(static, 0), cat(static, 5)
        order = np.argsort(s_pre, kind="stable")
        # the event loop streams these: narrow types (the board's are 16-bit too)
        self.s = {"pre": s_pre[order].astype(np.int32), "post": cat(static, 1)[order],
                  "w": cat(static, 2)[order].astype(np.int32),
                  "delay": cat(static, 3)[order].astype(np.int32),
                  "proj": s_proj[order].astype(np.int32)}
        target = cat(static, 4)[order] * self.n + self.s["post"]
        self.s["word"] = target | (self.s["w"].astype(np.int64) << 32) | (
            self.s["delay"].astype(np.int64) << 48)
        self.s["post"] = self.s["post"].astype(np.int32)
        self.s_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.add.at(self.s_ptr, self.s["pre"] + 1, 1)
        self.s_ptr = np.cumsum(self.s_ptr)
        # plastic rows: one per (pre neuron, projection), as sPyNNaker's synaptic rows
        p_pre, p_proj = cat(plastic, 0), cat(plastic, 5)
        order = np.lexsort((p_proj, p_pre))
        self.ps = {"pre": p_pre[order], "post": cat(plastic, 1)[order],
                   "w": cat(plastic, 2)[order], "delay": cat(plastic, 3)[order],
                   "type": cat(plastic, 4)[order], "proj": p_proj[order]}
        key = self.ps["pre"] * (len(self.stdp) + 1) + self.ps["proj"]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else \
            np.zeros(0, np.int64)
        self.row_syn_ptr = np.r_[starts, len(key)].astype(np.int64)
        row_pre = self.ps["pre"][starts]
        self.row_proj = self.ps["proj"][starts].astype(np.int64)
        self.row_last_time = np.zeros(len(starts), dtype=np.int64)
        self.row_last_trace = np.zeros(len(starts), dtype=np.int64)
        self.p_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.add.at(self.p_ptr, row_pre + 1, 1)
        self.p_ptr = np.cumsum(self.p_ptr)
        n_p = max(len(self.stdp), 1)
        lmax = max([max(len(p.lut_plus), len(p.lut_minus)) for p in self.stdp] + [1])
        self.lut_plus = np.zeros((n_p, lmax), dtype=np.int64)
        self.lut_minus = np.zeros((n_p, lmax), dtype=np.int64)
        self.lut_plus_len = np.zeros(n_p, dtype=np.int64)
        self.lut_minus_len = np.zeros(n_p, dtype=np.int64)
        self.stdp_ints = {f: np.zeros(n_p, dtype=np.int64)
                          for f in ("a_plus", "a_minus", "w_min", "w_max")}
        for p, par in enumerate(self.stdp):
            self.lut_plus[p, :len(par.lut_plus)] = par.lut_plus
            self.lut_minus[p, :len(par.lut_minus)] = par.lut_minus
            self.lut_plus_len[p], self.lut_minus_len[p] = len(par.lut_plus), len(par.lut_minus)
            for f in self.stdp_ints:
                self.stdp_ints[f][p] = getattr(par, f)
        self.post_proj = post_proj
        rows = self.n if len(self.stdp) else 0
        self.ph_n = np.ones(self.n, dtype=np.int64)
        self.ph_time = np.zeros((max(rows, 1), self.post_history), dtype=np.int64)
        self.ph_trace = np.zeros((max(rows, 1), self.post_history), dtype=np.int64)
        # not board state: what the history dropped, and the pairings lost with it
        self.drop_n = np.zeros(self.n, dtype=np.int64)
        self.drop_time = np.zeros((max(rows, 1), self.post_history), dtype=np.int64)
        self.stdp_lost = np.zeros(n_p, dtype=np.int64)
        self._lost_reported = 0

    def _build_records(self, spec: NetworkSpec) -> None:
        super()._build_records(spec, _VAR_CODE)

    # -- run -------------------------------------------------------------------------------
    @property
    def t(self) -> Quantity:
        return grid_times(np.array([self._step]), self.dt_s)[0] * second

    def kernel_args(self, n_ticks: int) -> tuple:
        """Arguments of :func:`.kernel.run_ticks` for the next ``n_ticks`` (this simulation's
        own state arrays, updated in place)."""
        st, s, ps, sp = self.st, self.s, self.ps, self.stdp_ints
        probe_out = np.zeros((n_ticks if self.probe_neurons.size else 0,
                              self.probe_neurons.size), dtype=np.int64)
        return (
            self._step, n_ticks, self.is_src,
            st["v"], st["exc"], st["inh"], st["refract"], st["v_rest"], st["v_reset"],
            st["v_thresh"], st["i_offset"], st["r_m"], st["exp_tc"], st["t_refract"],
            st["exc_decay"], st["exc_init"], st["inh_decay"], st["inh_init"],
            self.shift["excitatory"], self.shift["inhibitory"], self.ring,
            self.src_step, self.src_idx, self.src_cursor,
            self.s_ptr, s["word"],
            self.p_ptr, self.row_syn_ptr, self.row_proj, self.row_last_time,
            self.row_last_trace, ps["post"], ps["w"], ps["delay"], ps["type"],
            self.lut_plus, self.lut_plus_len, self.lut_minus, self.lut_minus_len,
            sp["a_plus"], sp["a_minus"], sp["w_min"], sp["w_max"],
            self.ph_n, self.ph_time, self.ph_trace, self.post_proj,
            self.drop_n, self.drop_time, self.stdp_lost,
            self.rec_step, self.rec_idx, self.rec_count, self.probe_neurons, self.probe_var,
            probe_out, np.zeros(1, dtype=np.int64),
        )

    def _advance(self, n_steps: int, progress: bool) -> None:
        done = 0
        while done < n_steps:
            k0 = self._step
            for label, (steps, idx) in self._poisson.take(k0 + n_steps - done).items():
                if len(steps):
                    self._inject(label, idx, steps)
            args = self.kernel_args(n_steps - done)
            ran = self._kernel(*args)
            probe_out, probe_count = args[-2], args[-1]
            if self.probe_neurons.size:
                self._probe_rows.append(probe_out[:probe_count[0]].copy())
                self._probe_steps.append(np.arange(k0, k0 + probe_count[0]))
            self._step += ran
            done += ran
            if done < n_steps:  # the spike record is full: grow it
                grow = max(len(self.rec_step), 4 * self.n)
                self.rec_step = np.concatenate([self.rec_step, np.zeros(grow, np.int64)])
                self.rec_idx = np.concatenate([self.rec_idx, np.zeros(grow, np.int64)])
        self._report_lost_pairings()

    @property
    def stdp_history_losses(self) -> dict[str, int]:
        """Per plastic projection: the pre spikes so far whose STDP window held a post event
        that the board's post-event history (``post_history`` entries per neuron,
        ``post_events.h``) had already dropped, with a non-zero potentiation. A board loses
        these pairings too; the float engines, whose history is unbounded, apply them. Zero
        everywhere means the emulator's weights follow the unbounded rule."""
        return {label: int(self.stdp_lost[entry[1]])
                for label, entry in self.projections.items() if entry[0] == "plastic"}

    def _report_lost_pairings(self) -> None:
        total = int(self.stdp_lost.sum())
        if total > self._lost_reported:
            where = ", ".join(f"{k!r}: {v}" for k, v in self.stdp_history_losses.items() if v)
            warnings.warn(
                f"SpiNNaker's post-event history ({self.post_history} entries per neuron, "
                f"post_events.h) dropped post spikes before the next pre spike applied them: "
                f"{total} STDP pairings lost so far ({where}). A board loses them too; the "
                f"float engines do not (post_history=4096 lifts the limit). See "
                f"docs/spinnaker_emulator.md.", RuntimeWarning, stacklevel=4)
            self._lost_reported = total

    # -- results ---------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        for probe in self.spec.probes:
            if probe.variable == "spikes":
                out[probe.key] = self._recorded_spikes(probe.target)
        times, rows = self._recorded_rows(np.int64)
        for key, (probe, col, size) in self._probe_cols.items():
            values = rows[:, col:col + size] / ACCUM_ONE  # mV or nA
            unit = 1e-3 * volt if probe.variable == "v" else nA
            out[key] = StateData(probe.target, probe.variable, times * second, values * unit)
        return RecordedData(out)

    def weights(self, projection: str) -> Quantity:
        """The weights the board holds (16-bit integers / weight scale): for plastic
        synapses, as of their last pre spike (post events after it are not yet applied)."""
        if projection not in self.projections:
            raise ParameterError("projection", projection, f"one of {sorted(self.projections)}")
        kind, k, n_pre, n_post, pre0, post0 = self.projections[projection]
        proj = self.spec.projection(projection)
        scale = self.weight_scale[(proj.post_label, proj.receptor)]
        arrs = self.ps if kind == "plastic" else self.s
        sel = arrs["proj"] == k
        out = weight_matrix(n_pre, n_post, arrs["pre"][sel] - self.offset[proj.pre_label] - pre0,
                            arrs["post"][sel] - self.offset[proj.post_label] - post0,
                            arrs["w"][sel] / scale)
        unit = nA if proj.synapse.kind == "current" else 1e-6 * amp / volt
        return out * unit


class SpiNNakerEmulatorEngine(Engine):
    """Build specs as a SpiNNaker board running sPyNNaker 1!7.4.1 computes them, bit for bit
    (see docs/spinnaker_emulator.md for what is and is not bit-accurate).

    Parameters
    ----------
    integration
        Only "spinnaker" (the board's tick arithmetic; accepted so models that ask for it,
        like CA3Memory, build here unchanged).
    stdp_zero_depresses
        Only True (sPyNNaker 7's pair rule).
    kernel
        "numba" (default) or "reference" (the NumPy twin; slow, for tests).
    post_history
        Entries of each neuron's post-synaptic event history, the sentinel included: 16 on
        the board (``post_events.h`` ``MAX_POST_SYNAPTIC_EVENTS``); when a neuron fires
        more often than that between two pre spikes of a plastic synapse, the oldest events
        are dropped before they potentiate it. A larger value shows what the board would
        compute without that limit (not bit-accurate then).
    """

    name: ClassVar[str] = ENGINE

    def __init__(self, integration: str = "spinnaker", stdp_zero_depresses: bool = True,
                 kernel: str = "numba", post_history: int = MAX_POST_EVENTS):
        if integration != "spinnaker":
            raise UnsupportedFeature(f"integration={integration!r}", ENGINE,
                                     "the numba or brian2 engine")
        if not stdp_zero_depresses:
            raise UnsupportedFeature("stdp_zero_depresses=False (sPyNNaker 7 depresses at "
                                     "dt = 0)", ENGINE, "the numba or brian2 engine")
        if kernel not in ("numba", "reference"):
            raise ParameterError("kernel", kernel, "'numba' or 'reference'",
                                 "SpiNNakerEmulatorEngine")
        if isinstance(post_history, bool) or not isinstance(post_history, int) \
                or post_history < 2:
            raise ParameterError("post_history", post_history, "an int >= 2",
                                 "SpiNNakerEmulatorEngine")
        self.kernel = kernel
        self.post_history = post_history

    def build(self, spec: NetworkSpec, dt: Quantity = 1 * ms, seed: SeedLike = None,
              **options: Any) -> SpiNNakerEmulatorSimulation:
        """Build ``spec`` with time step ``dt`` (a whole number of microseconds)."""
        dt_s = check_build_args(spec, dt, options, self.name, board_timestep=True)
        return SpiNNakerEmulatorSimulation(spec, dt_s, seed, self.kernel,
                                           self.post_history)


# -- the backend "spinnaker-emulator" (emulate) and the quantisation report ---------------
@dataclass
class EmulationResult:
    """What :func:`emulate` returns: the fields of ``DeployResult`` that an emulation has.

    Attributes
    ----------
    data
        Neo Blocks by group label (as ``DeployResult.data``), for every probed group.
    spikes
        Spike probes as :class:`~neurosim.engines.data.SpikeData`.
    validation
        The pre-flight report (ring-buffer shifts, weight scales, stored weights).
    quantisation
        :func:`quantisation_report` rows.
    weights
        Every projection's weights as the board holds them at the end.
    seconds
        Wall-clock time of the run (build excluded).
    stdp_history_losses
        Per plastic projection, the STDP pairings the board's post-event history lost
        (:attr:`SpiNNakerEmulatorSimulation.stdp_history_losses`).
    """

    spec: NetworkSpec
    duration: Quantity
    simulated: bool
    data: dict[str, Any]
    spikes: dict[str, SpikeData]
    validation: ValidationReport
    quantisation: list[dict[str, Any]]
    weights: dict[str, Quantity]
    seconds: float
    stdp_history_losses: dict[str, int] = field(default_factory=dict)


def emulate(spec: NetworkSpec, duration: Quantity, *, timestep: Quantity = 1 * ms,
            seed: SeedLike = None) -> EmulationResult:
    """Run ``spec`` for ``duration`` on the emulator: the data ``deploy`` would return from a
    board, without one.

    Parameters
    ----------
    spec
        The network (inputs in its spike sources).
    duration
        Simulated time (a multiple of ``timestep``).
    timestep, seed
        As for :func:`~neurosim.hardware_backends.spinnaker.deploy` (same synapses for the
        same seed).
    """
    dt_s = float(to_si(timestep, second))
    steps_of(float(to_si(duration, second)), dt_s, "duration")
    sim = SpiNNakerEmulatorEngine().build(spec, dt=timestep, seed=seed)
    start = time.perf_counter()
    sim.run(duration, progress=False)
    seconds = time.perf_counter() - start
    data = sim.data
    spikes = {k.split(".")[0]: v for k, v in data.items() if isinstance(v, SpikeData)}
    blocks = {}
    for label in spec.groups:
        sp = {label: spikes[label]} if label in spikes else {}
        states = {k: v for k, v in data.items()
                  if isinstance(v, StateData) and v.label == label}
        if sp or states:
            blocks[label] = to_neo_block(label, sp, states, sim.t,
                                         description=f"neurosim {ENGINE}, dt={sim.dt}")
    weights = {p.label: sim.weights(p.label) for p in spec.projections}
    return EmulationResult(spec, duration, True, blocks, spikes, sim.validation,
                           quantisation_report(spec, timestep=timestep, seed=seed,
                                               report=sim.validation),
                           weights, seconds, sim.stdp_history_losses)


def quantisation_report(spec: NetworkSpec, *, timestep: Quantity = 1 * ms,
                        seed: SeedLike = None, report: ValidationReport | None = None
                        ) -> list[dict[str, Any]]:
    """Per projection: the weight asked for, the weight the board holds after sPyNNaker's
    16-bit rounding, the quantum and the relative error (and, for STDP, A+, A-, w_max in
    quanta and as held in S16.15).

    Units are PyNN's (nA for current-based cells). Reads
    :func:`~neurosim.hardware_backends.spinnaker.validate` (not recomputed here).
    """
    from neurosim.hardware_backends.spinnaker_emulator.fixed_point import s1615

    report = report or validate(spec, timestep=timestep, seed=seed, raise_on_failure=False)
    rows = []
    for label, pc in report.projections.items():
        row = {"projection": label, "post": pc.post, "receptor": pc.receptor,
               "weight": pc.weight, "weight_stored": pc.weight_stored,
               "weight_emulated": pc.weight_stored * pc.weight_quantum,
               "quantum": pc.weight_quantum, "relative_error": pc.weight_error,
               "ring_buffer_shift": report.populations[pc.post].ring_buffer_shift[pc.receptor]}
        for name, quanta in pc.stdp_quanta.items():
            row[f"{name}_quanta"] = quanta
            row[f"{name}_s1615"] = s1615(quanta * pc.weight_quantum) / ACCUM_ONE
        rows.append(row)
    return rows

"""The Numba engine: a spec compiled into flat arrays and run by one ``@njit`` loop.

Same semantics and step order as the reference and Brian2 engines (docs/decisions.md 2-4),
so the three give the same spikes. The whole run happens inside
:func:`neurosim.kernels.spiking.run_steps`; Python only prepares arrays, grows the spike
record when needed and slices the results. Parameters are arrays: changing a weight, a time
constant or an input never recompiles; the compiled kernel is cached on disk.

Supported now: IF_curr_exp (``integration="exact"`` or ``"spinnaker"``), IF_cond_exp
(Brian2's exponential Euler step), every other cell type of :mod:`neurosim.network.cells`
through code generated from its declaration (:mod:`neurosim.engines.cellgen`),
SpikeSourceArray,
SpikeSourcePoisson (counter-based draws shared with the other engines), every connector,
static and STDP synapses, probes of spikes, v, isyn_exc, isyn_inh. Others raise
UnsupportedFeature naming the brian2 engine.

Threads (``threads=N``): :func:`neurosim.kernels.spiking.run_steps_parallel` splits the
neuron steps and the delivery into N partitions, with the same results as one thread
(docs/engines.md, "Threads"; the threading layer: :mod:`neurosim.engines.threads`).
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import numpy as np

from neurosim.engines.base import (
    Simulation,
    SteppedEngine,
    check_build_args,
    weight_matrix,
)
from neurosim.engines.data import RecordedData, SpikeData, StateData, grid_times
from neurosim.engines.generated import GeneratedCells
from neurosim.engines.lif import step_constants_per_neuron
from neurosim.engines.lowering import LoweredNetwork, lower
from neurosim.engines.records import ScheduleAndRecords
from neurosim.engines.synapse_layout import lay_out_synapses, pre_of
from neurosim.engines.threads import parallel_available, thread_count
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.kernels.spiking import KIND_GENERATED
from neurosim.kernels.spiking_args import (
    CellParameters,
    Devices,
    KernelArgs,
    Neurons,
    Plasticity,
    Recording,
    Synapses,
)
from neurosim.network import (
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
)
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, second, to_si

__all__ = ["NumbaEngine", "NumbaSimulation"]

#: Cell types with a hand-written step in the kernel (bit-identical to Brian2; COBA's speed).
#: Every other type, or every type with ``cell_code="generated"``, runs code generated from
#: its declaration (neurosim.engines.cellgen).
_HAND_WRITTEN = (IF_curr_exp, IF_cond_exp)

_VAR_CODE = {"v": 0, "isyn_exc": 1, "isyn_inh": 2, "gsyn_exc": 1, "gsyn_inh": 2}


class NumbaSimulation(ScheduleAndRecords, Simulation):
    """A spec built into arrays for :func:`neurosim.kernels.spiking.run_steps`."""

    engine_name: ClassVar[str] = "numba"

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike, integration: str,
                 stdp_zero_depresses: bool, cell_code: str = "fast",
                 threads: int | None = 1):
        super().__init__(spec, dt_s, seed)
        import numba

        from neurosim.kernels import spiking

        default = threads is None
        if default:  # every thread, for networks big enough to gain
            cells = sum(pop.size for pop in spec.populations)
            threads = numba.config.NUMBA_NUM_THREADS if cells >= PARALLEL_FROM else 1
        # the threading layer is chosen before anything starts Numba's threads (asking
        # numba.get_num_threads() does)
        if threads > 1 and not parallel_available():
            threads = 1
        if default and threads > 1:
            threads = numba.get_num_threads()  # lower where set lower (sweep workers: 1)
        self.threads = int(threads)
        self._kernel = spiking.run_steps if self.threads == 1 else spiking.run_steps_parallel
        self._zero_depresses = bool(stdp_zero_depresses)
        self._cell_code = cell_code
        self._integration = integration
        self._step = 0
        low = lower(spec, dt_s, self.seed)  # the one lowering (neurosim.engines.lowering)
        self._index_groups(low)
        self._build_neurons(low, integration, spiking)
        projections = list(low.projections)
        del low  # the synapse arrays are now held by ``projections`` alone (freed as copied)
        self._build_synapses(projections)
        self._build_records(spec)

    # -- build ---------------------------------------------------------------------------
    def _build_neurons(self, low: LoweredNetwork, integration: str, spiking: Any) -> None:
        n = self.n
        f = lambda value=0.0: np.full(n, value, dtype=np.float64)  # noqa: E731
        self.kind = np.full(n, spiking.KIND_SOURCE, dtype=np.int64)
        self.v, self.i_exc, self.i_inh = f(), f(), f()
        self.refrac_left = np.zeros(n, dtype=np.int64)
        self.last_spike = np.full(n, -(10**9), dtype=np.int64)
        self.refrac_ticks = np.zeros(n, dtype=np.int64)
        names = ("v_rest", "v_reset", "v_thresh", "i_off", "r_m", "p_m", "decay_e", "decay_i",
                 "k_e", "k_i", "init_e", "init_i", "tau_m", "c_m", "e_rev_e", "e_rev_i")
        self.par = {name: f() for name in names}
        # unused by sources, but keep thresholds out of reach
        self.par["v_thresh"][:] = np.inf
        self._gen = GeneratedCells(n, low.dt_s)
        for pop in low.populations.values():
            ctype = type(pop.cell)
            if ctype is not IF_curr_exp and integration == "spinnaker":
                raise UnsupportedFeature(f"integration='spinnaker' for {ctype.__name__}",
                                         "numba", "integration='exact' (sPyNNaker's tick "
                                         "arithmetic is implemented for IF_curr_exp)")
            sl = slice(pop.start, pop.stop)
            if ctype not in _HAND_WRITTEN or self._cell_code == "generated":
                # built from its declaration: code generated from its Brian2 equations
                self.kind[sl] = spiking.KIND_GENERATED + self._gen.add(pop)
                continue
            p = pop.params
            c = step_constants_per_neuron(p, low.dt_s)
            if ctype is IF_cond_exp:
                self.kind[sl] = spiking.KIND_COND
                for name, key in (("tau_m", "tau_m"), ("c_m", "cm"), ("e_rev_e", "e_rev_E"),
                                  ("e_rev_i", "e_rev_I")):
                    self.par[name][sl] = p[key]
            else:
                self.kind[sl] = (spiking.KIND_SPINNAKER if integration == "spinnaker"
                                 else spiking.KIND_EXACT)
            self.v[sl] = pop.initial["v"]
            syn = ("gsyn_exc", "gsyn_inh") if ctype is IF_cond_exp else ("isyn_exc", "isyn_inh")
            self.i_exc[sl] = pop.initial[syn[0]]
            self.i_inh[sl] = pop.initial[syn[1]]
            self.refrac_ticks[sl] = c["refrac_ticks"]
            values = {"v_rest": p["v_rest"], "v_reset": p["v_reset"], "v_thresh": p["v_thresh"],
                      "i_off": p["i_offset"], "r_m": c["r"], "p_m": c["p_m"],
                      "decay_e": c["decay_e"], "decay_i": c["decay_i"], "k_e": c["k_e"],
                      "k_i": c["k_i"], "init_e": c["init_e"], "init_i": c["init_i"]}
            for name, value in values.items():
                self.par[name][sl] = value
        self._gen.build(self.refrac_ticks)
        self._build_current_sources(low)
        with np.errstate(divide="ignore", invalid="ignore"):  # zeros outside IF_cond_exp
            self._neg_inv_tau = -1 / self.par["tau_m"]
            self._rest_over_tau = self.par["v_rest"] / self.par["tau_m"]
            self._off_over_c = self.par["i_off"] / self.par["c_m"]
        self._poisson = low.poisson  # drawn per run from the counter-based generator
        self._set_schedule(low.schedule_step, low.schedule_idx)

    def _build_current_sources(self, low: LoweredNetwork) -> None:
        """Who receives which current source; the i_offset each source adds to."""
        self._currents = low.currents
        self.i_base = self.par["i_off"].copy()
        gen = self._gen
        for a, b, _ in gen.pops.values():
            if gen.ioff_row[a] >= 0:
                self.i_base[a:b] = gen.P[gen.ioff_row[a], a:b]
        for j in self._currents.neurons:
            if self.kind[j] >= KIND_GENERATED and gen.ioff_row[j] < 0:
                label = next(lb for lb, (a, b, _) in gen.pops.items() if a <= j < b)
                raise UnsupportedFeature(
                    f"a current source into {type(self.spec.population(label).celltype).__name__}"
                    " (no i_offset)", "numba", "a cell type with an i_offset parameter")

    def _build_synapses(self, projections: list[Any]) -> None:
        # Per synapse only what differs between synapses (about 21 bytes, plus 32 for STDP
        # traces when something is plastic); plasticity constants live per projection.
        n_proj = len(projections)
        self.proj_rule = np.full(n_proj, -1, dtype=np.int64)
        self.proj_par = {k: np.ones(n_proj) for k in ("tau_plus", "tau_minus", "w_min",
                                                      "w_max", "a_plus", "a_minus")}
        self.projections: dict[str, tuple[int, int, int, int, Any]] = {}
        # short-term plasticity (Tsodyks-Markram) per projection
        self.tm_proj = np.zeros(n_proj, dtype=bool)
        self.tm_par = {k: np.ones(n_proj) for k in ("U", "tau_rec", "tau_facil")}
        for lp in projections:
            k = lp.index
            if lp.tm is not None:
                for name, value in lp.tm.items():
                    self.tm_par[name][k] = value
                self.tm_proj[k] = True
            if lp.stdp is not None:
                self.proj_rule[k] = 0 if lp.stdp["rule"] == "additive" else 1
                for name in self.proj_par:
                    self.proj_par[name][k] = lp.stdp[name]
            self.projections[lp.label] = (lp.n_pre, lp.n_post, lp.pre0, lp.post0, lp.unit)
        lp = None  # the loop variable held the last projection's arrays

        # rows by source, targets ascending: each thread's targets are one run of every
        # row, so a target's inputs are summed in the same order whatever the split
        s, self.row_ptr = lay_out_synapses(projections, self.n)  # empties ``projections``
        self.syn = s
        # one partition per thread, of the neurons to update and of the targets to deliver
        # to alike, so that the kernel can fuse a step's delivery with the next update;
        # each partition about equal in updates plus deliveries, the two weighed alike
        from neurosim.kernels.spiking import KIND_SOURCE, balanced_bounds, partition_rows

        in_degree = np.bincount(s["post"], minlength=self.n)
        cells = (self.kind != KIND_SOURCE).astype(np.float64)
        total_in = float(in_degree.sum())
        cost = cells + in_degree * (cells.sum() / total_in) if total_in else cells
        self.part = balanced_bounds(cost, self.threads)
        self.part_ptr = partition_rows(self.row_ptr, s["post"], self.part)
        m = len(s["post"])
        plastic = (np.flatnonzero(self.proj_rule[s["proj"]] >= 0)
                   if m and np.any(self.proj_rule >= 0) else np.zeros(0, np.int64))
        traces = m if len(plastic) else 0
        self.apre, self.apost = np.zeros(traces), np.zeros(traces)
        self.lastpre, self.lastpost = np.full(traces, -1e9), np.full(traces, -1e9)
        # plasticity on devices (set_plasticity_device): off everywhere until asked for
        self.dev = {"on": np.zeros(n_proj, np.int64), "levels": np.zeros((n_proj, 1)),
                    "n_levels": np.ones(n_proj, np.int64), "up": np.ones(n_proj, np.int64),
                    "down": np.ones(n_proj, np.int64), "sigma": np.zeros(n_proj),
                    "key": np.zeros(n_proj, np.uint64)}
        self.syn_level = np.zeros(0, np.int64)
        self.syn_pulses = np.zeros(0, np.int64)
        self.syn_cid = np.zeros(0, np.int64)
        by_post = plastic[np.argsort(s["post"][plastic], kind="stable")]
        self.col_syn = by_post.astype(np.int64)
        self.col_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(s["post"][by_post], minlength=self.n), out=self.col_ptr[1:])
        max_delay = int(s["delay"].max()) if m else 1
        self._build_short_term(s, m)
        self.ring_count = np.zeros(max_delay + 1, dtype=np.int64)
        self.ring_idx = np.zeros((max_delay + 1, max(self.n, 1)), dtype=np.int64)

    def _build_short_term(self, s: dict[str, np.ndarray], m: int) -> None:
        """Tsodyks-Markram synapses: their own CSR by pre and state (u, x, time of the last
        delivery); the static delivery skips them (delay 0 in its delay array)."""
        tm = (np.flatnonzero(self.tm_proj[s["proj"]]) if m and self.tm_proj.any()
              else np.zeros(0, np.int64))
        self.tm_sid = tm.astype(np.int64)  # already sorted by pre (the synapse order)
        self.tm_ptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(pre_of(self.row_ptr, tm), minlength=self.n),
                  out=self.tm_ptr[1:])
        size = m if len(tm) else 0
        self.tm_u = np.zeros(size)
        self.tm_x = np.ones(size)
        self.tm_last = np.full(size, -1e9)
        if len(tm):
            self._static_delay = s["delay"].copy()
            self._static_delay[tm] = 0
        else:
            self._static_delay = s["delay"]

    def _build_records(self, spec) -> None:
        def code(label: str, variable: str) -> int:
            if self._gen.has(label):
                return 3 + self._gen.row(label, variable)
            return _VAR_CODE[variable]

        super()._build_records(spec, code)

    # -- run -----------------------------------------------------------------------------
    @property
    def t(self) -> Quantity:
        return grid_times(np.array([self._step]), self.dt_s)[0] * second

    def _advance(self, n_steps: int, progress: bool) -> None:
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"numba {self.spec.name}")
        done = 0
        chunk = max(1000, n_steps // 50) if progress else n_steps
        if self._currents:  # their currents travel as (step, source) arrays: bound them
            chunk = min(chunk, 100_000)
        while done < n_steps:
            todo = min(chunk, n_steps - done)
            ran = self._run_kernel(todo)
            done += ran
            if bar is not None:
                bar.update(ran)
            if ran < todo:  # the spike record is full: grow it and go on
                grow = max(len(self.rec_step), 4 * self.n)
                self.rec_step = np.concatenate([self.rec_step, np.zeros(grow, np.int64)])
                self.rec_idx = np.concatenate([self.rec_idx, np.zeros(grow, np.int64)])
        if bar is not None:
            bar.close()

    def kernel_args(self, n_steps: int) -> KernelArgs:
        """The arguments of :func:`~neurosim.kernels.spiking.run_steps` for the next
        ``n_steps``, in named groups (state arrays are this simulation's own, updated in
        place)."""
        k0 = self._step
        rows = (self._sampled_steps(k0, n_steps) if self.probe_neurons.size
                else np.zeros(0, int))
        p, s, pp, tm, dev, cs = (self.par, self.syn, self.proj_par, self.tm_par, self.dev,
                                 self._currents)
        cells, update, spike, reset = self._gen.kernel_args()
        return KernelArgs(
            k0, n_steps, self.dt_s,
            Neurons(self.kind, self.v, self.i_exc, self.i_inh, self.refrac_left,
                    self.last_spike, self.refrac_ticks, self.part),
            CellParameters(p["v_rest"], p["v_reset"], p["v_thresh"], p["i_off"], p["r_m"],
                           p["p_m"], p["decay_e"], p["decay_i"], p["k_e"], p["k_i"],
                           self._neg_inv_tau, self._rest_over_tau, self._off_over_c, p["c_m"],
                           p["e_rev_e"], p["e_rev_i"], p["init_e"], p["init_i"]),
            cells,
            Devices(self.src_step, self.src_idx, self.src_cursor,
                    cs.values(k0, k0 + n_steps), cs.ptr, cs.idx, cs.neurons, self.i_base),
            Synapses(self.row_ptr, s["post"], s["w"], self._static_delay, s["receptor"],
                     s["proj"], self.ring_count, self.ring_idx, self.part_ptr),
            Plasticity(self.proj_rule, pp["tau_plus"], pp["tau_minus"], pp["w_min"],
                       pp["w_max"], pp["a_plus"], pp["a_minus"], self._zero_depresses,
                       self.apre, self.apost, self.lastpre, self.lastpost, self.col_ptr,
                       self.col_syn, dev["on"], dev["levels"], dev["n_levels"], dev["up"],
                       dev["down"], dev["sigma"], dev["key"], self.syn_level, self.syn_pulses,
                       self.syn_cid, self.tm_ptr, self.tm_sid, s["delay"], tm["U"],
                       tm["tau_rec"], tm["tau_facil"], self.tm_u, self.tm_x, self.tm_last),
            Recording(self.rec_step, self.rec_idx, self.rec_count, self.probe_neurons,
                      self.probe_var, self.probe_every,
                      np.zeros((len(rows), self.probe_neurons.size)),
                      np.zeros(1, dtype=np.int64)),
            update, spike, reset,
        )

    def _run_kernel(self, n_steps: int) -> int:
        k0 = self._step
        for label, (steps, idx) in self._poisson.take(k0 + n_steps).items():
            if len(steps):
                self._inject(label, idx, steps)
        args = self.kernel_args(n_steps)
        with thread_count(self.threads) if self.threads > 1 else contextlib.nullcontext():
            ran = self._kernel(*args)
        rec = args.recording
        if self.probe_neurons.size:
            rows = self._sampled_steps(k0, n_steps)
            self._probe_rows.append(rec.probe_out[: rec.probe_count[0]])
            self._probe_steps.append(rows[: rec.probe_count[0]])
        self._step += ran
        return ran

    # -- results -------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        out: dict[str, SpikeData | StateData] = {}
        currents = self._currents.records(self._step)
        for probe in self.spec.probes:
            if probe.variable == "spikes":
                out[probe.key] = self._recorded_spikes(probe.target)
            elif probe.key in currents:
                out[probe.key] = currents[probe.key]
            else:
                times, values = self._probe_data(probe.key)
                out[probe.key] = StateData(probe.target, probe.variable, times * second,
                                           values
                                           * self.state_unit(probe.target, probe.variable))
        return RecordedData(out)

    # -- hooks (Simulation.synapse_index, set_weights, get_state, set_state) -------------
    def _synapse_ids(self, projection: str) -> np.ndarray:
        """Positions in the synapse arrays of ``projection``'s synapses (cached: fixed
        after the build)."""
        cache = self.__dict__.setdefault("_ids_cache", {})
        if projection not in cache:
            k = [p.label for p in self.spec.projections].index(projection)
            cache[projection] = np.flatnonzero(self.syn["proj"] == k)
        return cache[projection]

    def _synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        ids = self._synapse_ids(projection)
        _, _, pre0, post0, _ = self.projections[projection]
        proj = self.spec.projection(projection)
        pre = pre_of(self.row_ptr, ids) - self.offset[proj.pre_label] - pre0
        post = self.syn["post"][ids].astype(np.int64) - self.offset[proj.post_label] - post0
        return pre, post

    def _set_weights(self, projection: str, w_si: np.ndarray) -> None:
        ids = self._synapse_ids(projection)
        k = self._proj_index(projection)
        if self.dev["on"][k]:
            # a device holds levels only: the nearest one
            self._snap_to_levels(k, ids, w_si)
        else:
            self.syn["w"][ids] = w_si

    @property
    def current_plan(self) -> Any:
        return self._currents

    def _set_parameters(self, label: str, new_spec: NetworkSpec) -> None:
        """Rebuild every neuron's parameters from ``new_spec``; state, spike schedule and
        Poisson draws carry over (the lowering redraws nothing it drew before: same seed)."""
        from neurosim.kernels import spiking

        state = {k: getattr(self, k).copy() for k in
                 ("v", "i_exc", "i_inh", "refrac_left", "last_spike")}
        gen_state = (self._gen.S.copy(), self._gen.not_ref.copy())
        schedule = (self.src_step, self.src_idx, self.src_cursor)
        currents, poisson = self._currents, self._poisson
        low = lower(new_spec, self.dt_s, self.seed, connect=False)
        self._build_neurons(low, self._integration, spiking)
        for k, value in state.items():
            getattr(self, k)[:] = value
        self._gen.S[:], self._gen.not_ref[:] = gen_state
        self.src_step, self.src_idx, self.src_cursor = schedule
        self._currents, self._poisson = currents, poisson

    def _synapse_weights(self, projection: str) -> np.ndarray:
        return self.syn["w"][self._synapse_ids(projection)].copy()

    def _delay_steps(self, projection: str) -> np.ndarray:
        return self.syn["delay"][self._synapse_ids(projection)].astype(np.int64)

    def _set_delay_steps(self, projection: str, steps: np.ndarray) -> None:
        ids = self._synapse_ids(projection)
        self.syn["delay"][ids] = steps
        if self._static_delay is not self.syn["delay"]:  # Tsodyks-Markram ones stay 0 there
            self._static_delay[ids] = 0 if self.tm_proj[self._proj_index(projection)] else steps
        self._grow_ring(int(steps.max(initial=1)))

    def _grow_ring(self, max_delay: int) -> None:
        """Make the spike ring hold ``max_delay + 1`` steps, keeping the spikes of the steps
        already in it at their steps (other projections' spikes may be in flight)."""
        old = self.ring_count.shape[0]
        if max_delay + 1 <= old:
            return
        size = max_delay + 1
        count = np.zeros(size, dtype=np.int64)
        idx = np.zeros((size, self.ring_idx.shape[1]), dtype=np.int64)
        for e in range(max(0, self._step - old), self._step):
            count[e % size], idx[e % size] = self.ring_count[e % old], self.ring_idx[e % old]
        self.ring_count, self.ring_idx = count, idx

    def _spiked_since(self, label: str, step: int) -> bool:
        n_rec = int(self.rec_count[0])
        lo = int(np.searchsorted(self.rec_step[:n_rec], step, side="left"))
        idx = self.rec_idx[lo:n_rec]
        off = self.offset[label]
        return bool(np.any((idx >= off) & (idx < off + self.spec.groups[label].size)))

    def _proj_index(self, projection: str) -> int:
        return [p.label for p in self.spec.projections].index(projection)

    def _snap_to_levels(self, k: int, ids: np.ndarray, w_si: np.ndarray) -> None:
        from neurosim.kernels.spiking import nearest_level

        n = int(self.dev["n_levels"][k])
        table = self.dev["levels"][k]
        lvl = np.array([nearest_level(table, n, float(x)) for x in w_si], dtype=np.int64)
        self.syn_level[ids] = lvl
        self.syn["w"][ids] = table[lvl]

    def set_plasticity_device(self, projection: str, levels: Quantity, up: int = 1,
                              down: int = 1, sigma_levels: float = 0.0,
                              seed: SeedLike = None) -> None:
        """Make every STDP event of ``projection`` a train of programming pulses.

        The rule's new weight (clipped to [w_min, w_max]) picks the nearest entry of
        ``levels``; the synapse moves there in pulses of ``up`` (potentiation) or ``down``
        (depression) levels, ``round(distance / step)`` of them, each landing
        ``round(sigma_levels z)`` levels off (``z`` standard normal from the counter-based
        generator, keyed by the synapse's canonical id ``pre * n_post + post`` and its pulse
        count, so the draws do not depend on the engine's order or the run's chunking).
        Weights snap to the nearest level now; :meth:`pulse_counts` counts the pulses.

        Parameters
        ----------
        projection
            Label of an STDP projection.
        levels
            The weights the device can hold, increasing (amperes or siemens).
        up, down
            Levels per potentiating / depressing pulse (>= 1).
        sigma_levels
            Standard deviation of a pulse's landing error, in levels (>= 0).
        seed
            Root of the pulse-noise key (default: the simulation's seed).
        """
        from neurosim.random import child_seed
        from neurosim.units import require_quantity

        proj = self._check_projection(projection)
        k = self._proj_index(projection)
        owner = "NumbaSimulation.set_plasticity_device"
        if self.proj_rule[k] < 0:
            raise ParameterError("projection", projection, "an STDP projection", owner)
        require_quantity(levels, WEIGHT_SI_UNITS[proj.synapse.kind],
                         "levels", owner)
        table = np.asarray(to_si(levels), dtype=np.float64).reshape(-1)
        if len(table) < 2 or not np.all(np.diff(table) > 0):
            raise ParameterError("levels", levels, "at least two increasing values", owner)
        for name, value in (("up", up), ("down", down)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ParameterError(name, value, "an int >= 1", owner)
        if not (np.isfinite(sigma_levels) and sigma_levels >= 0):
            raise ParameterError("sigma_levels", sigma_levels, "a number >= 0", owner)
        width = max(self.dev["levels"].shape[1], len(table))
        if width > self.dev["levels"].shape[1]:
            grown = np.zeros((len(self.proj_rule), width))
            grown[:, : self.dev["levels"].shape[1]] = self.dev["levels"]
            self.dev["levels"] = grown
        self.dev["levels"][k, : len(table)] = table
        self.dev["levels"][k, len(table):] = table[-1]
        self.dev["n_levels"][k] = len(table)
        self.dev["up"][k], self.dev["down"][k] = int(up), int(down)
        self.dev["sigma"][k] = float(sigma_levels)
        root = self.seed if seed is None else seed
        ss = child_seed(root, "device-pulses", projection)
        self.dev["key"][k] = ss.generate_state(1, dtype=np.uint64)[0]
        m = len(self.syn["w"])
        if len(self.syn_level) != m:
            self.syn_level = np.zeros(m, np.int64)
            self.syn_pulses = np.zeros(m, np.int64)
            self.syn_cid = np.zeros(m, np.int64)
        ids = self._synapse_ids(projection)
        pre, post = self._synapse_index(projection)
        self.syn_cid[ids] = pre * self.projections[projection][1] + post
        self.dev["on"][k] = 1
        self._snap_to_levels(k, ids, self.syn["w"][ids].copy())

    def pulse_counts(self, projection: str) -> np.ndarray:
        """Programming pulses per synapse of ``projection`` so far (``synapse_index``
        order; zeros without :meth:`set_plasticity_device`)."""
        self._check_projection(projection)
        ids = self._synapse_ids(projection)
        if not len(self.syn_pulses):
            return np.zeros(len(ids), np.int64)
        return self.syn_pulses[ids].copy()

    _STATE_ARRAY: ClassVar[dict[str, str]] = {
        "v": "v", "isyn_exc": "i_exc", "gsyn_exc": "i_exc", "isyn_inh": "i_inh",
        "gsyn_inh": "i_inh"}

    def _state_slice(self, label: str, variable: str) -> np.ndarray:
        if self._gen.has(label):
            return self._gen.state_slice(label, variable)
        off = self.offset[label]
        arr = getattr(self, self._STATE_ARRAY[variable])
        return arr[off: off + self.spec.groups[label].size]  # a view: writes go through

    def _get_state(self, label: str, variable: str) -> np.ndarray:
        return self._state_slice(label, variable)

    def _set_state(self, label: str, variable: str, values_si: np.ndarray) -> None:
        self._state_slice(label, variable)[:] = values_si

    def spikes_between(self, label: str, start: Quantity, stop: Quantity) -> SpikeData:
        """As :meth:`Simulation.spikes_between`, from the step-ordered record by bisection
        (no pass over the whole record: backends call this after every chunk)."""
        self.spikes(label)  # the probe must exist, as for spikes()
        k0 = int(np.ceil(float(to_si(start)) / self.dt_s - 1e-6))
        k1 = int(np.ceil(float(to_si(stop)) / self.dt_s - 1e-6))
        n_rec = int(self.rec_count[0])
        lo, hi = np.searchsorted(self.rec_step[:n_rec], [k0, k1], side="left")
        steps, idx = self.rec_step[lo:hi], self.rec_idx[lo:hi]
        off, size = self.offset[label], self.spec.groups[label].size
        sel = (idx >= off) & (idx < off + size)
        s, i = steps[sel], idx[sel] - off
        order = np.lexsort((i, s))
        return SpikeData(label, size, grid_times(s[order], self.dt_s) * second,
                         i[order].astype(np.int64))

    def weights(self, projection: str) -> Quantity:
        if projection not in self.projections:
            raise ParameterError("projection", projection, f"one of {sorted(self.projections)}")
        n_pre, n_post, _, _, unit = self.projections[projection]
        pre, post = self._synapse_index(projection)
        w = self.syn["w"][self._synapse_ids(projection)]
        out = weight_matrix(n_pre, n_post, pre, post, w)
        return out * unit


class NumbaEngine(SteppedEngine):
    """Build specs on the Numba engine (options: see :class:`SteppedEngine`).

    Parameters
    ----------
    threads
        Threads that step neurons and deliver spikes. The spikes and states are the same for
        any number: each thread owns a range of neurons and a range of targets, and a
        target sums its inputs in the one-thread order (docs/engines.md, "Threads"); 1 runs
        the one-thread kernel. Default: Numba's current thread count
        (``numba.get_num_threads()``: ``NUMBA_NUM_THREADS``, the machine's cores, unless
        set lower; 1 in sweep workers) for networks of :data:`PARALLEL_FROM` neurons and
        more, 1 below (where starting the threads every step costs more than they save).
    """

    name: ClassVar[str] = "numba"
    simulation_class: ClassVar[type] = NumbaSimulation

    def __init__(self, integration: str = "exact", stdp_zero_depresses: bool = True,
                 cell_code: str = "fast", threads: int | None = None):
        super().__init__(integration, stdp_zero_depresses, cell_code)
        self.threads = check_threads(threads)

    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> Simulation:
        dt_s = check_build_args(spec, dt, options, self.name,
                                board_timestep=self.integration == "spinnaker")
        return NumbaSimulation(spec, dt_s, seed, self.integration, self.stdp_zero_depresses,
                               self.cell_code, self.threads)


#: Networks from this many neurons on run on every thread by default. Measured on 2 cores
#: (1 s of the Vogels-Abbott nets, one thread vs two): 100 neurons 0.035 vs 0.081 s, 1000
#: 0.10 vs 0.13 s, 2000 0.17 vs 0.22 s (CUBA) and 0.29 vs 0.27 s (COBA), 4000 0.30 vs
#: 0.23 s (CUBA): a parallel region costs 1-2 us a step.
PARALLEL_FROM = 4000


def check_threads(threads: int | None) -> int | None:
    """``threads`` checked (None: the default, resolved per network); a ParameterError
    unless 1 <= threads <= NUMBA_NUM_THREADS."""
    import numba

    most = int(numba.config.NUMBA_NUM_THREADS)
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, int | np.integer) \
            or not 1 <= threads <= most:
        raise ParameterError("threads", threads,
                             f"an int from 1 to NUMBA_NUM_THREADS = {most} (set that "
                             "environment variable before starting Python for more)",
                             "NumbaEngine")
    return int(threads)

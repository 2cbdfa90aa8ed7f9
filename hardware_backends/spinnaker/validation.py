"""Pre-flight validation: :func:`validate` checks a spec against sPyNNaker's limits before any
mapping.

Time step, delays against the ring buffer and the delay extensions, neurons per core, cell
types and plasticity rules with a compiled binary, weights after sPyNNaker's ring-buffer
scaling (quantisation error per projection; a weight that rounds to zero fails), recording
size against SDRAM. Each limit names the sPyNNaker file it comes from (docs/spinnaker.md).
"""

from __future__ import annotations

import math

import numpy as np

from neurosim.engines.base import check_dt, steps_of
from neurosim.errors import ParameterError
from neurosim.hardware_backends.pynn_export.plan import (
    CONNECTIVITY,
    ProjectionPlan,
    PyNNPlan,
    pynn_plan,
)
from neurosim.hardware_backends.spinnaker.config import SpinnakerConfig
from neurosim.hardware_backends.spinnaker.limits import (
    _SPY,
    BINARIES,
    BOARD_CHIPS,
    GLOBAL_WEIGHT_SCALE,
    LIMITS,
)
from neurosim.hardware_backends.spinnaker.validation_report import (
    Issue,
    PopulationCheck,
    ProjectionCheck,
    ValidationReport,
)
from neurosim.network import IF_cond_exp, IF_curr_exp, NetworkSpec
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, require_quantity, second, to_si


def _n_bits(n: int) -> int:
    # utility_calls.get_n_bits: bits to count n values.
    if n <= 1:
        return n
    return math.ceil(math.log2(n))


def validate(spec: NetworkSpec, *, timestep: Quantity = 0.1 * ms,
             duration: Quantity | None = None, config: SpinnakerConfig | None = None,
             seed: SeedLike = None, connectivity: str = "exact",
             raise_on_failure: bool = True) -> ValidationReport:
    """Check ``spec`` against sPyNNaker 1!7.4.1's limits, before any mapping.

    Parameters
    ----------
    spec
        The network.
    timestep
        The simulation time step.
    duration
        The run time, for the recording-size check (skipped when None).
    config
        Neurons per core, delay extensions, time scale factor and the target board.
    seed, connectivity
        As for :func:`~neurosim.hardware_backends.pynn_export.to_pynn` (which synapses are
        built decides the fan-in that sets the ring-buffer scaling).
    raise_on_failure
        Raise :class:`ValidationError` listing every failure (False: return the report).

    Returns
    -------
    ValidationReport
        Failures and warnings (each names the population or projection, the value, the
        limit and the sPyNNaker source), and sPyNNaker's representation of every population
        and projection (ring-buffer shift, weight quantum and error, delay slots).
    """
    config = config or SpinnakerConfig()
    if connectivity not in CONNECTIVITY:
        raise ParameterError("connectivity", connectivity, f"one of {CONNECTIVITY}", "validate")
    dt_s = check_dt(timestep)
    if duration is not None:
        require_quantity(duration, second, "duration", "validate")
        d = float(to_si(duration))
        if not math.isfinite(d) or d <= 0:
            raise ParameterError("duration", duration, "a finite time > 0 ms (or None: no "
                                 "recording-size check)", "validate")
    dt_us = dt_s * 1e6
    tsf = config.time_scale_factor or max(1, math.ceil(round(dt_us) / 10000.0))
    report = ValidationReport(dt_us, round(dt_us) * tsf, tsf)
    _check_timestep(report, dt_us, tsf)
    plan = pynn_plan(spec, timestep=timestep, seed=seed, connectivity=connectivity)
    _check_populations(report, spec, plan, config)
    _check_plasticity(report, plan)
    _check_weights_and_delays(report, spec, plan, dt_s, config)
    if duration is not None:
        _check_recording(report, spec, plan, dt_s, duration, config)
    _check_cores(report, spec, plan, config, dt_s)
    if raise_on_failure:
        report.raise_for_failures()
    return report


def _check_timestep(report: ValidationReport, dt_us: float, tsf: int) -> None:
    # sPyNNaker takes math.ceil(timestep_ms * 1000) microseconds (spinnaker.py
    # _set_up_timings): a time step that is not a whole number of microseconds changes.
    if abs(dt_us - round(dt_us)) > 1e-6:
        report.add(Issue("failure", "timestep", "network", "the time step must be a whole "
                         "number of microseconds (sPyNNaker rounds it up)", f"{dt_us:g} us",
                         "integer us", _SPY + "spinnaker.py _set_up_timings"))
    limit = LIMITS["min_hardware_timestep_us"]
    if round(dt_us) * tsf < limit.value:
        report.add(Issue("warning", "timestep", "network", "hardware tick below what "
                         "SpiNNaker runs reliably; raise time_scale_factor",
                         f"{round(dt_us) * tsf:g} us", f"{limit.value} us", limit.source))


def _check_populations(report: ValidationReport, spec: NetworkSpec, plan: PyNNPlan,
                       config: SpinnakerConfig) -> None:
    s1615 = LIMITS["s1615_max"]
    for pop in spec.populations:
        cell = type(pop.celltype).__name__
        target = f"population {pop.label!r}"
        if type(pop.celltype) not in (IF_curr_exp, IF_cond_exp) or cell not in BINARIES:
            report.add(Issue("failure", "cell_type", target, f"cell type {cell} has no "
                             "sPyNNaker model", cell, "IF_curr_exp or IF_cond_exp",
                             _SPY + "model_binaries"))
        npc_limit = LIMITS["neurons_per_core"]
        asked = config.neurons_per_core_for(pop.label, cell)
        if asked is not None and asked > npc_limit.value:
            report.add(Issue("failure", "neurons_per_core", target, "more neurons per core than "
                             "sPyNNaker places (it would silently use its maximum)", asked,
                             npc_limit.value, npc_limit.source))
        npc = min(asked or npc_limit.value, npc_limit.value)
        report.populations[pop.label] = PopulationCheck(
            pop.label, pop.size, npc, math.ceil(pop.size / npc))
        g = plan.group(pop.label)
        for name, value in g.params.items():
            if name.startswith("tau") or name == "cm":
                continue  # become decay factors on the board, always in range
            if abs(value) > s1615.value:
                report.add(Issue("failure", "parameter", target, f"{name} does not fit the "
                                 "S16.15 fixed-point format", value, s1615.value, s1615.source))
    for src in spec.sources:
        g = plan.group(src.label)
        if g.kind == "poisson":
            lim = LIMITS["poisson_per_core"]
            npc = min(config.neurons_per_core_for(src.label, "SpikeSourcePoisson") or lim.value,
                      lim.value)
        else:
            npc = src.size  # a spike array is played back by one core per slice
        report.populations[src.label] = PopulationCheck(src.label, src.size, npc,
                                                        math.ceil(src.size / npc))


def _stdp_key(p: ProjectionPlan) -> tuple:
    assert p.stdp is not None
    return tuple(sorted(p.stdp.items()))


def _check_plasticity(report: ValidationReport, plan: PyNNPlan) -> None:
    by_post: dict[str, list[ProjectionPlan]] = {}
    for p in plan.projections:
        post_cell = plan.group(p.post[0]).cell
        target = f"projection {p.label!r}"
        rule = "static" if p.stdp is None else p.stdp["rule"]
        if post_cell in BINARIES and rule not in BINARIES[post_cell]:
            report.add(Issue("failure", "plasticity", target, f"no sPyNNaker binary runs "
                             f"{rule} STDP on {post_cell}", f"{post_cell}_stdp_mad_pair_{rule}",
                             f"{sorted(BINARIES[post_cell])}", _SPY + "model_binaries"))
        if p.stdp is not None:
            by_post.setdefault(p.post[0], []).append(p)
    for post, projs in by_post.items():
        keys = {_stdp_key(p) for p in projs}
        if len(keys) > 1:
            names = ", ".join(repr(p.label) for p in projs)
            report.add(Issue("failure", "plasticity", f"population {post!r}", "STDP projections "
                             f"onto one population must have identical rules ({names})",
                             len(keys), 1, _SPY + "models/neuron/synapse_dynamics/"
                             "synapse_dynamics_stdp.py merge"))


def _stdp_row_words(n: int) -> int:
    # synapse_dynamics_stdp.py __get_n_connections: fixed half-words + (header + plastic).
    header = 8  # TIME_STAMP_BYTES + the pair rule's 16-bit pre trace, word aligned
    return (n + 1) // 2 + math.ceil((header + 2 * n) / 4) if n else 0


def _row_length(p: ProjectionPlan, post_npc: int, post_size: int) -> int:
    """Most synapses of one pre neuron onto one post core (sPyNNaker's
    ``get_n_connections_from_pre_vertex_maximum`` with the post vertex's atoms per core)."""
    c = p.connector
    n_post_atoms = min(post_npc, post_size)
    if c.kind == "OneToOne":
        return 1
    if c.kind == "AllToAll":
        return n_post_atoms
    if c.kind == "FromList":
        assert c.pairs is not None
        if not len(c.pairs):
            return 0
        core = c.pairs[:, 1] // post_npc
        key = c.pairs[:, 0] * (int(core.max()) + 1) + core
        return int(np.unique(key, return_counts=True)[1].max())
    from scipy.stats import binom

    n_pre, n_post = p.pre[2] - p.pre[1], p.post[2] - p.post[1]
    prob = 1.0 - (1.0 / 10000.0) / float(n_pre * n_post)
    return math.ceil(binom.ppf(prob, n_post_atoms, c.p_connect))


def _fan_in(p: ProjectionPlan) -> int:
    """sPyNNaker's ``get_n_connections_to_post_vertex_maximum`` for the connector built."""
    c = p.connector
    n_pre, n_post = p.pre[2] - p.pre[1], p.post[2] - p.post[1]
    if c.kind == "OneToOne":
        return 1
    if c.kind == "AllToAll":
        return n_pre
    if c.kind == "FromList":
        assert c.pairs is not None
        return int(np.bincount(c.pairs[:, 1]).max()) if len(c.pairs) else 0
    # FixedProbabilityConnector: utility_calls.get_probable_maximum_selected, chance 1e-4.
    from scipy.stats import binom

    prob = 1.0 - (1.0 / 10000.0) / float(n_pre * n_post)
    return int(binom.ppf(prob, n_pre, c.p_connect))


def _check_weights_and_delays(report: ValidationReport, spec: NetworkSpec, plan: PyNNPlan,
                              dt_s: float, config: SpinnakerConfig) -> None:
    rb_bits = LIMITS["ring_buffer_bits"]
    ext = LIMITS["delay_extension_slots"]
    spikes_per_tick = max(1.0, LIMITS["spikes_per_second"].value * dt_s)
    receptors = ("excitatory", "inhibitory")
    for pop in spec.populations:
        incoming = [p for p in plan.projections if p.post[0] == pop.label]
        check = report.populations[pop.label]
        kind = pop.celltype.weight_kind
        gscale = GLOBAL_WEIGHT_SCALE[kind]
        # Ring-buffer left shift per synapse type, as population_vertex.py
        # get_ring_buffer_shifts and _Stats.get_max_weight compute it. Every delay of a
        # projection is one value, so sPyNNaker's delay variance is 0 and the bound is
        # max(sum of spikes_per_tick x w_max x fan-in, biggest weight x global scale).
        for rec in receptors:
            total = biggest = 0.0
            for p in incoming:
                if p.receptor != rec:
                    continue
                w_max = max(abs(p.weight), p.stdp["w_max"] if p.stdp else 0.0)
                total += spikes_per_tick * w_max * _fan_in(p)
                biggest = max(biggest, w_max * gscale)
            w = max(total, biggest)
            shift = 0 if w <= 0 else math.ceil(max(0.0, math.log2(w)))
            if w > 0 and 2 ** shift <= w:
                shift += 1
            check.ring_buffer_shift[rec] = shift
            check.weight_scale[rec] = 2.0 ** (16 - (shift + 1)) * gscale
        # Delay slots of the ring buffer (population_vertex.py __update_max_delay and
        # max_delay_steps_incoming): 2**(14 - atom bits - synapse-type bits), of which
        # 2**get_n_bits(ceil(max delay / dt)) are used. The delays and comparisons are in ms
        # with sPyNNaker's own floating-point steps (abstract_synapse_dynamics.py
        # _round_delay, delay_support_adder.py), so its decisions are reproduced exactly.
        dt_us = round(dt_s * 1e6)
        step_ms, per_ms = dt_us / 1000.0, 1000.0 / dt_us
        atom_bits = _n_bits(min(pop.size, check.neurons_per_core))
        slots = 2 ** (rb_bits.value - atom_bits - _n_bits(2))
        delays_ms = [float(np.rint(p.delay * per_ms) * step_ms) for p in incoming]
        max_ms = max(delays_ms, default=0.0)
        support = min(2 ** _n_bits(math.ceil(max_ms / step_ms)), slots)
        check.max_delay_slots = support
        for p, d_ms in zip(incoming, delays_ms):
            d_ticks = round(d_ms / step_ms)
            target = f"projection {p.label!r}"
            scale = check.weight_scale[p.receptor]
            stored = int(np.rint(abs(p.weight) * scale))
            err = abs(stored / scale - abs(p.weight)) / abs(p.weight) if p.weight else 0.0
            each = lost = None
            if p.weights is not None:
                # every synapse rounds on its own (synapse_io.py: rint(|w| x scale))
                each = np.rint(np.abs(p.weights) * scale).astype(np.int64)
                nz = p.weights != 0
                rel = np.abs(each[nz] / scale - p.weights[nz]) / p.weights[nz]
                err = float(rel.max()) if rel.size else 0.0
                lost = int(np.count_nonzero(nz & (each == 0)))
            needs_ext = support * step_ms < d_ms
            stages = math.ceil(d_ms / (support * step_ms)) - 1 if needs_ext else 0
            pc = ProjectionCheck(p.label, pop.label, p.receptor, p.weight, stored, 1.0 / scale,
                                 err, d_ticks, support, needs_ext, stages, weights_stored=each)
            report.projections[p.label] = pc
            wsrc = (LIMITS["weight_bits"].source + "; ring-buffer shift: " + _SPY
                    + "models/neuron/population_vertex.py get_ring_buffer_shifts")
            shift = check.ring_buffer_shift[p.receptor]
            if lost:
                report.add(Issue("warning", "weight", target, f"{lost} of "
                                 f"{len(p.weights)} synapses round to zero after sPyNNaker's "
                                 f"ring-buffer scaling (shift {shift} on {pop.label!r} "
                                 f"{p.receptor})", f"{lost} weights below half a quantum",
                                 f">= {0.5 / scale:.4g}", wsrc))
            if p.weight > 0 and stored == 0:
                report.add(Issue("failure", "weight", target, "the weight rounds to zero after "
                                 f"sPyNNaker's ring-buffer scaling (shift {shift} on "
                                 f"{pop.label!r} {p.receptor})", f"{p.weight:g}",
                                 f">= {0.5 / scale:.4g} (half a quantum)", wsrc))
            elif err > 0.01:
                report.add(Issue("warning", "weight", target, "weight quantised by more than 1%",
                                 f"{p.weight:g} -> {stored / scale:.6g}",
                                 f"quantum {1 / scale:.4g}", wsrc))
            if p.stdp is not None:
                _check_stdp_values(report, p, pc, scale, gscale)
                row = _row_length(p, check.neurons_per_core, pop.size)
                lim = LIMITS["row_words"]
                if _stdp_row_words(row) > lim.value:
                    most = max(n for n in range(lim.value + 1)
                               if _stdp_row_words(n) <= lim.value)
                    report.add(Issue("failure", "synapses_per_row", target, "more STDP "
                                     "synapses from one neuron onto one core than a synaptic "
                                     "row holds; lower neurons_per_core", row, most,
                                     lim.source + "; " + _SPY + "models/neuron/synapse_io.py "
                                     "get_max_row_info"))
            dsrc = (_SPY + "extra_algorithms/delay_support_adder.py _check_delay_values; "
                    + rb_bits.source)
            total_ticks = support * (1 + ext.value)
            beyond = ext.value * support * step_ms + support * step_ms < d_ms
            if needs_ext and not config.allow_delay_extensions:
                report.add(Issue("failure", "delay", target, "delay beyond the ring buffer and "
                                 "delay extensions are off", f"{d_ticks} ticks",
                                 f"{support} ticks", dsrc))
            elif beyond:
                report.add(Issue("failure", "delay", target, "delay beyond the ring buffer and "
                                 "one delay extension", f"{d_ticks} ticks",
                                 f"{total_ticks} ticks ({support} + {ext.value} x {support})",
                                 dsrc))
            elif needs_ext:
                report.add(Issue("warning", "delay", target, f"needs a delay extension "
                                 f"({stages} stage(s) of {support} ticks; extra cores)",
                                 f"{d_ticks} ticks", f"{support} ticks in the ring buffer", dsrc))


def _check_stdp_values(report: ValidationReport, p: ProjectionPlan, pc: ProjectionCheck,
                       scale: float, gscale: float) -> None:
    assert p.stdp is not None
    res = LIMITS["s1615_resolution"]
    target = f"projection {p.label!r}"
    for name in ("A_plus", "A_minus", "w_min", "w_max"):
        value = p.stdp[name]
        pc.stdp_quanta[name] = value * scale
        # weight_dependence_*.py write_parameters: A (additive: x global weight scale) and
        # the bounds as S16.15; below half a step the value is written as 0.
        written = value * (gscale if (name.startswith("w_") or p.stdp["rule"] == "additive")
                           else 1.0)
        if value > 0 and abs(written) < res.value / 2:
            report.add(Issue("failure", "plasticity", target, f"{name} rounds to zero in S16.15",
                             value, f">= {res.value / 2:.3g}", res.source))
        top = LIMITS["s1615_max"]
        if abs(written) > top.value:
            report.add(Issue("failure", "plasticity", target, f"{name} (x global weight scale "
                             f"{gscale:g}) overflows S16.15", value, f"{top.value / gscale:.6g}",
                             top.source))
    a_min = min(v for k, v in pc.stdp_quanta.items() if k.startswith("A_") and v > 0) \
        if any(pc.stdp_quanta[k] > 0 for k in ("A_plus", "A_minus")) else None
    if p.stdp["rule"] == "additive" and a_min is not None and a_min < 1:
        report.add(Issue("warning", "plasticity", target, "an STDP step is smaller than one "
                         "weight quantum of the 16-bit synaptic word", f"{a_min:.3g} quanta",
                         "1 quantum", LIMITS["weight_bits"].source))


def _check_recording(report: ValidationReport, spec: NetworkSpec, plan: PyNNPlan,
                     dt_s: float, duration: Quantity, config: SpinnakerConfig) -> None:
    n_steps = steps_of(float(to_si(duration, second)), dt_s, "duration")
    # neuron_recorder.py _get_buffered_sdram_per_record: a 4-byte time stamp per record, a
    # bit field for spikes, 4 bytes per neuron for v and gsyn.
    sdram = LIMITS["sdram_per_chip"]
    per_core_sdram = sdram.value // (LIMITS["cores_per_chip"].value - 2)
    for g in plan.groups:
        check = report.populations[g.label]
        n = min(g.size, check.neurons_per_core)
        total = 0
        worst_core = 0
        for variable, interval in g.record:
            if variable == "spikes":
                per_record = 4 + 4 * math.ceil(n / 32)
                records = n_steps
            else:
                per_record = 4 + 4 * n
                rate = 1 if interval is None else max(1, round(interval / (dt_s * 1e3)))
                records = math.ceil(n_steps / rate)
            worst_core += per_record * records
            total += per_record * records * math.ceil(g.size / check.neurons_per_core)
        check.recording_bytes = total
        auto = str(dict(config.extra_cfg.get("Buffers", {})).get(
            "use_auto_pause_and_resume", "True")).lower() not in ("false", "0", "no")
        if worst_core > per_core_sdram:
            level = "warning" if auto else "failure"
            msg = ("recording outgrows the SDRAM of its core: sPyNNaker pauses the run to "
                   "extract it" if auto else "recording outgrows the SDRAM of its core and "
                   "[Buffers] use_auto_pause_and_resume is off")
            report.add(Issue(level, "recording", f"population {g.label!r}", msg,
                             f"{worst_core} bytes per core", f"~{per_core_sdram} bytes",
                             sdram.source + "; " + _SPY + "models/common/neuron_recorder.py"))


def _check_cores(report: ValidationReport, spec: NetworkSpec, plan: PyNNPlan,
                 config: SpinnakerConfig, dt_s: float) -> None:
    for pop in spec.populations:
        check = report.populations[pop.label]
        incoming = [p for p in plan.projections if p.post[0] == pop.label]
        if dt_s < 1e-3 and incoming:
            # Below 1 ms sPyNNaker splits synapse processing onto its own cores when any is
            # needed (population_vertex.py use_combined_core, __update_n_synapse_cores):
            # synapse events per second / what one core processes (synapses_per_second of
            # the dynamics: 13e6 static, 1.4e6 STDP, x time_scale_factor).
            rate = LIMITS["spikes_per_second"].value
            events = sum(math.ceil(_row_length(p, check.neurons_per_core, pop.size) * rate
                                   * spec.groups[p.pre[0]].size) for p in incoming)
            per_core = (1.4e6 if any(p.stdp for p in incoming) else 13e6)
            check.synapse_cores_per_slice = math.ceil(events / (per_core
                                                                * report.time_scale_factor))
        slices = math.ceil(pop.size / check.neurons_per_core)
        check.cores = slices * (1 + check.synapse_cores_per_slice)
    needed = sum(c.cores for c in report.populations.values())
    # One delay-extension vertex per pre-synaptic population, sliced like it.
    delayed = {p.pre[0] for p in plan.projections
               if report.projections[p.label].delay_extension}
    needed += sum(math.ceil(spec.groups[label].size / report.populations[label].neurons_per_core)
                  for label in delayed)
    report.cores_needed = needed
    version = config.version or (5 if config.virtual else None)
    if version is None or config.spalloc_server:
        return
    chips = BOARD_CHIPS[version]
    # Per chip: one core runs SCAMP and one the extra monitor; the Ethernet chip also runs
    # the packet gatherer (placement_by_core_using_graph.rpt of a virtual run).
    available = chips * (LIMITS["cores_per_chip"].value - 2) - 1
    report.cores_available = available
    if needed > available:
        report.add(Issue("failure", "cores", "network", f"more cores than a version {version} "
                         "board has (an estimate of sPyNNaker's neuron, synapse, source and "
                         "delay cores)", needed, available, LIMITS["cores_per_chip"].source))

"""SpiNNaker through sPyNNaker 1!7.4.1: configuration, pre-flight validation and deployment.

* :class:`SpinnakerConfig` writes sPyNNaker's configuration into a run folder, never the
  user's home: a virtual board by default, a real board (``machine_name`` + ``version``) or a
  spalloc server from arguments or from the user's ``~/.spynnaker.cfg`` (read, not written).
* :func:`validate` checks a spec against sPyNNaker's limits before any mapping: time step,
  delays against the ring buffer and the delay extensions, neurons per core, cell types and
  plasticity rules with a compiled binary, weights after sPyNNaker's ring-buffer scaling
  (quantisation error per projection; a weight that rounds to zero fails), recording size
  against SDRAM. Each limit names the sPyNNaker file it comes from (docs/spinnaker.md).
* :func:`deploy` runs the spec on sPyNNaker (through :func:`~neurosim.hardware_backends.
  pynn_export.to_pynn`) in a child process whose home and working folder are the run folder,
  and returns the Neo data and a :class:`MappingReport` parsed from sPyNNaker's own reports.

sPyNNaker reads ``~/.spynnaker.cfg`` (and writes a template there if none exists, then stops),
then ``./spynnaker.cfg``; it writes ``reports/<timestamp>/`` under the working folder
(``[Reports] default_report_file_path``). The child process therefore runs with ``HOME``, the
XDG folders and the working folder inside the run folder, so nothing lands anywhere else.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import importlib.util
import json
import math
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.engines.base import check_dt, steps_of
from neurosim.engines.data import SpikeData, grid_times
from neurosim.errors import EngineUnavailable, NeurosimError, ParameterError
from neurosim.hardware_backends.pynn_export import (
    CONNECTIVITY,
    ProjectionPlan,
    PyNNPlan,
    pynn_plan,
)
from neurosim.network import IF_cond_exp, IF_curr_exp, NetworkSpec
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.units import Quantity, ms, second, to_si

__all__ = [
    "LIMITS",
    "DeployError",
    "DeployResult",
    "Issue",
    "MappingReport",
    "SpinnakerConfig",
    "ValidationError",
    "ValidationReport",
    "VirtualBoardWarning",
    "deploy",
    "parse_mapping_report",
    "validate",
]

SPYNNAKER_VERSION = "1!7.4.1"
_SPY = "spynnaker/pyNN/"


@dataclass(frozen=True)
class Limit:
    """A limit of sPyNNaker 1!7.4.1 and the file (in the installed package) it comes from."""

    value: Any
    source: str


#: The limits :func:`validate` checks, read from sPyNNaker 1!7.4.1's Python sources.
LIMITS: dict[str, Limit] = {
    # Ring buffer of a neuron core: 2**14 entries shared by atoms, synapse types and delay
    # slots (population_vertex.py __update_max_delay).
    "ring_buffer_bits": Limit(14, _SPY + "utilities/constants.py MAX_RING_BUFFER_BITS"),
    # Neurons per core for static and STDP synapses (abstract_synapse_dynamics.py
    # absolute_max_atoms_per_core; population_vertex.py get_max_atoms_per_core takes the min).
    "neurons_per_core": Limit(256, _SPY + "utilities/constants.py POP_TABLE_MAX_ROW_LENGTH"),
    "poisson_per_core": Limit(500, _SPY + "models/spike_source/spike_source_poisson.py "
                                          "DEFAULT_MAX_ATOMS_PER_CORE"),
    # One delay extension adds MAX_SLOTS x the post vertex's delay slots
    # (delay_support_adder.py _check_delay_values).
    "delay_extension_slots": Limit(8, _SPY + "models/utility_models/delays/"
                                            "delay_extension_vertex.py MAX_SLOTS"),
    # A synaptic row (one pre neuron's synapses onto one post core) holds at most 256 words
    # (master_pop_table.py get_allowed_row_length); a pair-rule STDP synapse takes a 16-bit
    # fixed and a 16-bit plastic half-word after a 2-word header (synapse_dynamics_stdp.py
    # __get_n_connections), so 254 synapses.
    "row_words": Limit(256, _SPY + "models/neuron/master_pop_table.py "
                                   "get_allowed_row_length (POP_TABLE_MAX_ROW_LENGTH)"),
    "spikes_per_second": Limit(30, _SPY + "spynnaker.cfg [Simulation] spikes_per_second"),
    "weight_bits": Limit(16, _SPY + "models/neuron/synapse_dynamics/synapse_dynamics_static.py "
                                    "(weights written as rint(|w| x scale), 16 bits)"),
    "s1615_max": Limit(65535.999969482421875, "spinn_front_end_common/interface/ds/"
                                              "data_type.py DataType.S1615"),
    "s1615_resolution": Limit(2.0 ** -15, "spinn_front_end_common/interface/ds/data_type.py "
                                          "DataType.S1615"),
    "min_hardware_timestep_us": Limit(100, _SPY + "spinnaker.py _set_up_timings (warns below "
                                                  "0.1 ms x time_scale_factor)"),
    "sdram_per_chip": Limit(123469792, "spinn_machine/version/version_spin1.py"),
    "cores_per_chip": Limit(18, "spinn_machine/version/version_spin1.py"),
}

#: Global weight scale of the input types (input_type_current.py, input_type_conductance.py).
GLOBAL_WEIGHT_SCALE = {"current": 1.0, "conductance": 1024.0}

#: Combined-core binaries in sPyNNaker 1!7.4.1's ``model_binaries``: which plasticity each
#: cell type can run ("static", or the ``stdp_mad_pair_<rule>`` suffix).
BINARIES = {
    "IF_curr_exp": frozenset({"static", "additive", "multiplicative"}),
    "IF_cond_exp": frozenset({"static", "additive"}),
}

#: Chips of a board by sPyNNaker ``version`` (spinn_machine/version/version_3.py, version_5.py).
BOARD_CHIPS = {3: 4, 5: 48}


def _n_bits(n: int) -> int:
    # utility_calls.get_n_bits: bits to count n values.
    if n <= 1:
        return n
    return math.ceil(math.log2(n))


# -- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpinnakerConfig:
    """How to reach SpiNNaker, and the mapping settings a deployment uses.

    With no ``machine_name`` and no ``spalloc_server``, a virtual board (a 48-chip SpiNN-5,
    ``version`` 5) is used: sPyNNaker maps, routes and writes its reports but runs nothing.

    Parameters
    ----------
    machine_name
        Host name or IP address of a board; needs ``version`` (3 or 5).
    version
        Board version.
    spalloc_server, spalloc_user, spalloc_port, spalloc_group
        A spalloc server and its account.
    time_scale_factor
        Slow-down of the machine clock (None: sPyNNaker's default, 1 for dt <= 10 ms).
    neurons_per_core
        Ceiling on neurons per core: one int for every cell type, or a mapping from cell type
        names ("IF_curr_exp") or population labels to ints (sPyNNaker's
        ``set_number_of_neurons_per_core`` / ``neurons_per_core``).
    allow_delay_extensions
        Whether sPyNNaker may add delay-extension cores for delays beyond the ring buffer.
    extra_cfg
        More sPyNNaker options, ``{"Section": {"option": "value"}}`` (checked by sPyNNaker:
        an unknown option is an error).
    """

    machine_name: str | None = None
    version: int | None = None
    spalloc_server: str | None = None
    spalloc_user: str | None = None
    spalloc_port: int | None = None
    spalloc_group: str | None = None
    time_scale_factor: int | None = None
    neurons_per_core: int | Mapping[str, int] | None = None
    allow_delay_extensions: bool = True
    extra_cfg: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = "SpinnakerConfig"
        if self.machine_name and self.spalloc_server:
            raise ParameterError("spalloc_server", self.spalloc_server,
                                 "None when machine_name is given (one target only)", owner)
        if self.machine_name and self.version is None:
            raise ParameterError("version", None, "the board version (3 or 5) of machine_name",
                                 owner)
        if self.version is not None and self.version not in BOARD_CHIPS:
            raise ParameterError("version", self.version, f"one of {sorted(BOARD_CHIPS)}", owner)
        npc = self.neurons_per_core
        values = npc.values() if isinstance(npc, Mapping) else [] if npc is None else [npc]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
                raise ParameterError("neurons_per_core", npc, "ints >= 1", owner)
        if self.time_scale_factor is not None and (
                isinstance(self.time_scale_factor, bool)
                or not isinstance(self.time_scale_factor, int | np.integer)
                or self.time_scale_factor < 1):
            raise ParameterError("time_scale_factor", self.time_scale_factor, "an int >= 1",
                                 owner)

    @property
    def virtual(self) -> bool:
        """True when no board is named: sPyNNaker maps onto a virtual board."""
        return not (self.machine_name or self.spalloc_server)

    @property
    def target(self) -> str:
        if self.machine_name:
            return f"board {self.machine_name} (version {self.version})"
        if self.spalloc_server:
            return f"spalloc {self.spalloc_server}"
        return f"virtual board (version {self.version or 5})"

    @classmethod
    def from_user_config(cls, path: str | Path | None = None, **overrides: Any
                         ) -> SpinnakerConfig:
        """The machine settings of the user's sPyNNaker configuration (read only).

        ``path`` defaults to ``$NEUROSIM_SPYNNAKER_CFG``, else ``~/.spynnaker.cfg``; only its
        ``[Machine]`` target (machine_name/machineName, version, spalloc_*) and
        ``time_scale_factor`` are taken. ``overrides`` replace fields.
        """
        path = Path(path or os.environ.get("NEUROSIM_SPYNNAKER_CFG")
                    or Path.home() / ".spynnaker.cfg")
        values: dict[str, Any] = {}
        if path.is_file():
            parser = configparser.ConfigParser()
            # sPyNNaker's option names ignore case and underscores (CamelCaseConfigParser).
            parser.optionxform = lambda s: s.lower().replace("_", "")  # type: ignore[method-assign,assignment]
            parser.read(path)
            if parser.has_section("Machine"):
                sec = parser["Machine"]
                names = {"machinename": "machine_name", "version": "version",
                         "spallocserver": "spalloc_server", "spallocuser": "spalloc_user",
                         "spallocport": "spalloc_port", "spallocgroup": "spalloc_group",
                         "timescalefactor": "time_scale_factor"}
                for key, name in names.items():
                    raw = sec.get(key)
                    if raw is None or raw.strip() in ("", "None"):
                        continue
                    ints = ("version", "spalloc_port", "time_scale_factor")
                    values[name] = int(raw) if name in ints else raw.strip()
        values.update(overrides)
        return cls(**values)

    def cfg_text(self, run_dir: Path) -> str:
        """The ``spynnaker.cfg`` this configuration writes into ``run_dir``."""
        machine: dict[str, str] = {}
        if self.virtual:
            machine.update(virtual_board="True", version=str(self.version or 5))
        elif self.machine_name:
            machine.update(machine_name=self.machine_name, version=str(self.version))
        else:
            machine["spalloc_server"] = str(self.spalloc_server)
            for name in ("spalloc_user", "spalloc_port", "spalloc_group"):
                if getattr(self, name) is not None:
                    machine[name] = str(getattr(self, name))
            if self.version is not None:
                machine["version"] = str(self.version)
        if self.time_scale_factor is not None:
            machine["time_scale_factor"] = str(self.time_scale_factor)
        sections: dict[str, dict[str, str]] = {
            "Machine": machine,
            "Reports": {
                # reports/<timestamp>/run_<n>/ inside the run folder, never the caller's cwd.
                "default_report_file_path": str(run_dir),
                # What the mapping report reads; every other report stays off (Production).
                "write_application_graph_placer_report": "True",
                "write_sdram_usage_report_per_chip": "True",
                "write_router_summary_report": "True",
                "write_uncompressed": "True",
                "write_compression_summary": "True",
                "write_algorithm_timings": "True",
                "keep_data_database": "True",
                "write_partitioner_reports": "False",
                "write_router_info_report": "False",
                "write_network_specification_report": "False",
                "write_provenance": "True",
                "read_placements_provenance_data": "True",
                "read_router_provenance_data": "False",
                "extract_iobuf": "False",
                "display_algorithm_timings": "False",
            },
            "Mode": {"mode": "Production"},
        }
        for sec, options in self.extra_cfg.items():
            sections.setdefault(sec, {}).update({k: str(v) for k, v in options.items()})
        lines = ["# Written by neurosim for one deployment; sPyNNaker reads it as the local",
                 "# configuration (the run folder is its working folder). Defaults:",
                 "# spynnaker/pyNN/spynnaker.cfg and spinn_front_end_common/interface/"
                 "spinnaker.cfg", ""]
        for sec, options in sections.items():
            lines.append(f"[{sec}]")
            lines += [f"{k} = {v}" for k, v in options.items()]
            lines.append("")
        return "\n".join(lines)

    def neurons_per_core_for(self, label: str, cell: str) -> int | None:
        """The ceiling the user set for a population (by label, then cell type), or None."""
        npc = self.neurons_per_core
        if npc is None:
            return None
        if isinstance(npc, Mapping):
            value = npc.get(label, npc.get(cell))
            return None if value is None else int(value)
        return int(npc)


# -- validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One finding of :func:`validate`: what, where, the value, the limit and its source."""

    level: str  # "failure" or "warning"
    check: str  # "timestep", "delay", "neurons_per_core", "cell_type", "plasticity",
    # "weight", "recording", "cores", "spike_times", "parameter"
    target: str  # "population 'x'", "projection 'y'", "network"
    message: str
    value: Any = None
    limit: Any = None
    source: str = ""

    def __str__(self) -> str:
        extra = []
        if self.value is not None:
            extra.append(f"value {self.value}")
        if self.limit is not None:
            extra.append(f"limit {self.limit}")
        tail = f" ({', '.join(extra)})" if extra else ""
        src = f" [sPyNNaker {SPYNNAKER_VERSION}: {self.source}]" if self.source else ""
        return f"{self.target}: {self.message}{tail}{src}"


@dataclass
class ProjectionCheck:
    """sPyNNaker's representation of one projection (filled by :func:`validate`)."""

    label: str
    post: str
    receptor: str
    weight: float  # PyNN units (nA or uS)
    weight_stored: int  # the 16-bit integer sPyNNaker writes
    weight_quantum: float  # PyNN units per integer step
    weight_error: float  # |stored x quantum - weight| / weight (0 for a zero weight)
    delay_ticks: int
    max_delay_ticks_core: int  # the post vertex's ring-buffer delay slots in use
    delay_extension: bool
    n_delay_stages: int
    stdp_quanta: dict[str, float] = field(default_factory=dict)  # A_plus, A_minus, w_max ...


@dataclass
class PopulationCheck:
    """sPyNNaker's view of one population (filled by :func:`validate`)."""

    label: str
    size: int
    neurons_per_core: int
    cores: int  # neuron (or source) cores plus synapse cores
    synapse_cores_per_slice: int = 0  # 0: neurons and synapses share a core
    ring_buffer_shift: dict[str, int] = field(default_factory=dict)  # receptor -> shift
    weight_scale: dict[str, float] = field(default_factory=dict)  # receptor -> per PyNN unit
    max_delay_slots: int = 0
    recording_bytes: int = 0  # whole run, all cores (0 if no duration was given)


@dataclass
class ValidationReport:
    """What :func:`validate` found. ``ok`` is True when there is no failure."""

    timestep_us: float
    hardware_timestep_us: float
    time_scale_factor: int
    failures: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    populations: dict[str, PopulationCheck] = field(default_factory=dict)
    projections: dict[str, ProjectionCheck] = field(default_factory=dict)
    cores_needed: int = 0
    cores_available: int | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def add(self, issue: Issue) -> None:
        (self.failures if issue.level == "failure" else self.warnings).append(issue)

    def raise_for_failures(self) -> None:
        """Raise :class:`ValidationError` if there is any failure."""
        if self.failures:
            raise ValidationError(self)

    def summary(self) -> str:
        """A readable table: failures, warnings, then each projection's weight and delay."""
        lines = [f"sPyNNaker {SPYNNAKER_VERSION} pre-flight: {len(self.failures)} failure(s), "
                 f"{len(self.warnings)} warning(s); dt {self.timestep_us:g} us, hardware "
                 f"tick {self.hardware_timestep_us:g} us (time_scale_factor "
                 f"{self.time_scale_factor}); >= {self.cores_needed} cores"
                 + ("" if self.cores_available is None
                    else f" of ~{self.cores_available}")]
        lines += [f"  FAIL {i}" for i in self.failures]
        lines += [f"  warn {i}" for i in self.warnings]
        if self.projections:
            lines.append(f"  {'projection':<28} {'weight':>10} {'stored':>7} {'quantum':>10} "
                         f"{'error':>8} {'delay':>6} {'slots':>6} ext")
            for p in self.projections.values():
                lines.append(f"  {p.label[:28]:<28} {p.weight:>10.4g} {p.weight_stored:>7d} "
                             f"{p.weight_quantum:>10.3g} {p.weight_error:>8.2%} "
                             f"{p.delay_ticks:>6d} {p.max_delay_ticks_core:>6d} "
                             f"{'yes' if p.delay_extension else 'no'}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


class ValidationError(NeurosimError):
    """A spec cannot run on SpiNNaker as it is; ``.report`` holds every finding."""

    def __init__(self, report: ValidationReport):
        self.report = report
        items = "\n".join(f"  - {i}" for i in report.failures)
        super().__init__(f"the network cannot run on sPyNNaker {SPYNNAKER_VERSION}:\n{items}")


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
        kind = type(pop.celltype).synapse_kind
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
            needs_ext = support * step_ms < d_ms
            stages = math.ceil(d_ms / (support * step_ms)) - 1 if needs_ext else 0
            pc = ProjectionCheck(p.label, pop.label, p.receptor, p.weight, stored, 1.0 / scale,
                                 err, d_ticks, support, needs_ext, stages)
            report.projections[p.label] = pc
            wsrc = (LIMITS["weight_bits"].source + "; ring-buffer shift: " + _SPY
                    + "models/neuron/population_vertex.py get_ring_buffer_shifts")
            shift = check.ring_buffer_shift[p.receptor]
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


# -- the mapping report ------------------------------------------------------------------------


@dataclass
class CoreMapping:
    """One placed core."""

    x: int
    y: int
    p: int
    vertex: str  # sPyNNaker's machine-vertex label, e.g. "cells_Neurons:0"
    population: str | None  # our label (None for system cores)
    role: str  # "neurons", "synapses", "neurons+synapses", "source", "delay", "system"
    atoms: tuple[int, int] | None  # first and last neuron of the slice
    model: str
    sdram_bytes: int | None

    @property
    def system(self) -> bool:
        return self.role == "system"


@dataclass
class MappingReport:
    """Where sPyNNaker put the network, read from its own reports.

    Sources, in ``reports/<timestamp>/run_<n>/``: ``placement_by_core_using_graph.rpt``
    (cores, models), ``chip_sdram_usage_by_core.rpt`` (SDRAM per core),
    ``routing_tables_generated/`` and ``compressed_routing_summary.rpt`` (routing entries),
    ``data.sqlite3`` (core provenance, real boards only); in ``reports/<timestamp>/``:
    ``global_provenance.sqlite3`` (time per stage and per algorithm, warnings).
    """

    report_dir: Path
    cores: list[CoreMapping] = field(default_factory=list)
    routing_entries: dict[tuple[int, int], int] = field(default_factory=dict)
    compressed_routing_entries: dict[tuple[int, int], int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    algorithm_seconds: list[tuple[str, str, float]] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def app_cores(self) -> list[CoreMapping]:
        """Cores running the network (not sPyNNaker's system cores)."""
        return [c for c in self.cores if not c.system]

    @property
    def chips(self) -> list[tuple[int, int]]:
        """Chips with at least one core of the network."""
        return sorted({(c.x, c.y) for c in self.app_cores})

    @property
    def populations(self) -> dict[str, list[CoreMapping]]:
        out: dict[str, list[CoreMapping]] = {}
        for c in self.app_cores:
            out.setdefault(c.population or c.vertex, []).append(c)
        return out

    @property
    def total_routing_entries(self) -> int:
        return sum(self.routing_entries.values())

    @property
    def sdram_per_core(self) -> dict[tuple[int, int, int], int]:
        return {(c.x, c.y, c.p): c.sdram_bytes for c in self.cores if c.sdram_bytes is not None}

    def summary(self) -> str:
        lines = [f"{len(self.app_cores)} cores on {len(self.chips)} chip(s) "
                 f"(+{len(self.cores) - len(self.app_cores)} system cores); "
                 f"{self.total_routing_entries} routing entries"
                 + (f", max {max(self.routing_entries.values())} per chip"
                    if self.routing_entries else "")]
        for label, cores in sorted(self.populations.items()):
            where = ", ".join(f"({c.x},{c.y},{c.p})" for c in cores[:6])
            more = "" if len(cores) <= 6 else f" +{len(cores) - 6}"
            sd = sum(c.sdram_bytes or 0 for c in cores)
            roles = ", ".join(f"{sum(c.role == r for c in cores)} {r}"
                              for r in sorted({c.role for c in cores}))
            lines.append(f"  {label}: {len(cores)} core(s) ({roles}) {where}{more}; "
                         f"SDRAM {sd} bytes")
        if self.stage_seconds:
            lines.append("  time: " + ", ".join(f"{k} {v:.3f} s"
                                                for k, v in self.stage_seconds.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["report_dir"] = str(self.report_dir)
        d["routing_entries"] = {f"{x},{y}": n for (x, y), n in self.routing_entries.items()}
        d["compressed_routing_entries"] = {f"{x},{y}": n for (x, y), n in
                                           self.compressed_routing_entries.items()}
        return d


_CHIP_RE = re.compile(r"^\*\*\*\* Chip: \((\d+), (\d+)\)")
_PROC_RE = re.compile(r"^\s+Processor (\d+): (System Vertex|Vertex): '([^']*)'")
_SLICE_RE = re.compile(r"^\s+Slice: \(([^)]*)\)\s+(.+?)\s*$")
_MODEL_RE = re.compile(r"^\s+Model: (\S+)")
_SDRAM_RE = re.compile(r"SDRAM reqs for core \((\d+),(\d+),(\d+)\) is .*\((\d+) bytes\)")
_ROUTER_RE = re.compile(r"^Router contains (\d+) entries")
_SUMMARY_RE = re.compile(r"^Chip (\d+):(\d+) has (\d+) entries")


def parse_mapping_report(report_dir: str | Path, run: int | None = None,
                         labels: Mapping[str, str] | None = None) -> MappingReport:
    """Read sPyNNaker's reports in ``report_dir`` (a ``reports/<timestamp>`` folder).

    ``run`` picks ``run_<n>`` (default: the last); ``labels`` maps sPyNNaker's application
    vertex labels to ours (default: identity, plus ``<label>_delayed`` for delay extensions).
    """
    report_dir = Path(report_dir)
    runs = sorted(report_dir.glob("run_*"), key=lambda p: int(p.name.split("_")[1]))
    run_dir = report_dir / f"run_{run}" if run is not None else (runs[-1] if runs else
                                                                 report_dir)
    rep = MappingReport(report_dir)
    known = dict(labels or {})

    def our_label(app: str) -> str:
        base = app[: -len("_delayed")] if app.endswith("_delayed") else app
        return known.get(base, base)

    placement = run_dir / "placement_by_core_using_graph.rpt"
    if placement.exists():
        x = y = 0
        for line in placement.read_text().splitlines():
            if m := _CHIP_RE.match(line):
                x, y = int(m[1]), int(m[2])
            elif m := _PROC_RE.match(line):
                system = m[2] == "System Vertex"
                app = m[3]
                rep.cores.append(CoreMapping(
                    x, y, int(m[1]), app, None if system else our_label(app),
                    "system" if system else ("delay" if app.endswith("_delayed") else ""),
                    None, "", None))
            elif (m := _SLICE_RE.match(line)) and rep.cores:
                core = rep.cores[-1]
                core.vertex = m[2]
                lo, _, hi = m[1].partition(":")
                core.atoms = (int(lo), int(hi)) if lo.isdigit() and hi.isdigit() else None
            elif (m := _MODEL_RE.match(line)) and rep.cores:
                core = rep.cores[-1]
                core.model = m[1]
                if not core.role:
                    core.role = ("source" if core.model.startswith("SpikeSource") else
                                 "synapses" if "_Synapses" in core.vertex else
                                 "neurons" if "_Neurons" in core.vertex else
                                 "neurons+synapses")
    sdram = run_dir / "chip_sdram_usage_by_core.rpt"
    if sdram.exists():
        by_core = {(c.x, c.y, c.p): c for c in rep.cores}
        for line in sdram.read_text().splitlines():
            if (m := _SDRAM_RE.search(line)) and (key := (int(m[1]), int(m[2]), int(m[3]))) \
                    in by_core:
                by_core[key].sdram_bytes = int(m[4])
    tables = run_dir / "routing_tables_generated"
    for f in sorted(tables.glob("routing_table_*_*.rpt")):
        cx, cy = (int(v) for v in f.stem.split("_")[-2:])
        first = f.read_text().splitlines()[:1]
        if first and (m := _ROUTER_RE.match(first[0])):
            rep.routing_entries[(cx, cy)] = int(m[1])
    compressed = run_dir / "compressed_routing_summary.rpt"
    if compressed.exists():
        for line in compressed.read_text().splitlines():
            if m := _SUMMARY_RE.match(line):
                rep.compressed_routing_entries[(int(m[1]), int(m[2]))] = int(m[3])
    prov = report_dir / "global_provenance.sqlite3"
    if prov.exists():
        with _sqlite(prov) as db:
            for cat, ms_taken in db.execute(
                    "SELECT category, SUM(time_taken) FROM category_timer_view "
                    "GROUP BY category ORDER BY MIN(category_id)"):
                rep.stage_seconds[str(cat)] = float(ms_taken or 0) / 1e3  # stored in ms
            rep.algorithm_seconds = [(str(c), str(a), float(t or 0) / 1e3) for c, a, t in
                                     db.execute("SELECT category, algorithm, time_taken "
                                                "FROM timer_view")]
            rep.warnings = [str(m) for (m,) in db.execute(
                "SELECT message FROM p_log_view WHERE name IN ('WARNING', 'ERROR', "
                "'CRITICAL')")]
    data = run_dir / "data.sqlite3"
    if data.exists():
        with _sqlite(data) as db:
            try:
                rows = db.execute("SELECT description, min, max, total, count "
                                  "FROM core_summary_view").fetchall()
            except sqlite3.Error:
                rows = []
            rep.provenance = [{"description": d, "min": a, "max": b, "total": t, "count": n}
                              for d, a, b, t, n in rows]
    return rep


class _sqlite:
    """A read-only SQLite connection that is closed on exit (sqlite3's own context manager
    only commits)."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: Any) -> None:
        self.conn.close()


# -- deployment -----------------------------------------------------------------------------


class VirtualBoardWarning(UserWarning):
    """The deployment mapped onto a virtual board: nothing ran, the data are empty."""


class DeployError(NeurosimError):
    """sPyNNaker failed; the message ends with the last lines of its log."""


@dataclass
class DeployResult:
    """What :func:`deploy` returns.

    Attributes
    ----------
    simulated
        False on a virtual board: sPyNNaker mapped the network but ran nothing, so
        ``data`` holds empty Neo segments and ``spikes`` empty trains.
    data
        Neo Blocks by group label (PyNN's ``get_data()``), for every probed group.
    spikes
        Spike probes as :class:`~neurosim.engines.data.SpikeData`.
    mapping
        The :class:`MappingReport`.
    validation
        The :class:`ValidationReport` of the pre-flight.
    spynnaker
        What sPyNNaker itself computed for each population (ring-buffer shifts, weight
        scales, delay slots): a cross-check of :func:`validate`.
    run_dir, log
        The run folder (configuration, reports, log) and sPyNNaker's log file.
    """

    spec: NetworkSpec
    duration: Quantity
    config: SpinnakerConfig
    simulated: bool
    data: dict[str, Any]
    spikes: dict[str, SpikeData]
    mapping: MappingReport
    validation: ValidationReport
    spynnaker: dict[str, Any]
    run_dir: Path
    log: Path
    seconds: float


def deploy(spec: NetworkSpec, duration: Quantity, *, run_dir: str | Path | None = None,
           machine: str | None = None, spalloc: str | None = None, version: int | None = None,
           config: SpinnakerConfig | None = None, timestep: Quantity = 0.1 * ms,
           seed: SeedLike = None, connectivity: str = "exact", poisson: str = "native",
           timeout: float | None = None, emulate: bool = False) -> DeployResult | Any:
    """Validate ``spec``, run it on SpiNNaker with sPyNNaker and report how it was mapped.

    With ``emulate=True`` the validated spec runs on our bit-accurate emulator of the board's
    arithmetic instead (:func:`~neurosim.hardware_backends.spinnaker_emulator.emulate`): the
    spikes a board would give, without a board or sPyNNaker's mapping (an
    ``EmulationResult``: data, spikes, validation and the weight quantisation report).

    Parameters
    ----------
    spec
        The network; every input must be in its spike sources (see
        :func:`~neurosim.hardware_backends.pynn_export.add_spike_times`).
    duration
        Simulated time.
    run_dir
        The run folder: ``spynnaker.cfg``, sPyNNaker's ``reports/``, its log and our
        results. Default: a new temporary folder (kept; ``result.run_dir`` says where).
    machine, spalloc, version
        A board (name + version) or a spalloc server URL; they override ``config``'s target.
        None of them (and no ``config``): a virtual board.
    config
        :class:`SpinnakerConfig` (``SpinnakerConfig.from_user_config()`` reads the target
        of ``~/.spynnaker.cfg``).
    timestep, seed, connectivity
        As for :func:`~neurosim.hardware_backends.pynn_export.to_pynn`.
    poisson
        "native" (sPyNNaker's Poisson sources, drawn on the board) or "exact" (our
        engines' draws, sent as spike arrays).
    timeout
        Seconds before the sPyNNaker process is stopped (None: no limit).
    emulate
        Run on the emulator (see above); board arguments are ignored.

    Returns
    -------
    DeployResult

    Raises
    ------
    ValidationError
        The pre-flight found failures (nothing was run).
    DeployError
        sPyNNaker failed (the message ends with its log).
    EngineUnavailable
        sPyNNaker is not installed.
    """
    if importlib.util.find_spec("spynnaker") is None:
        raise EngineUnavailable("sPyNNaker is not installed: pip install 'neurosim[spinnaker]' "
                                f"(sPyNNaker=={SPYNNAKER_VERSION})")
    if poisson not in ("native", "exact"):
        raise ParameterError("poisson", poisson, "'native' or 'exact'", "deploy")
    config = config or SpinnakerConfig()
    target: dict[str, Any] = {}
    if machine:
        target.update(machine_name=machine, spalloc_server=None)
    if spalloc:
        target.update(spalloc_server=spalloc, machine_name=None)
    if version is not None:
        target["version"] = version
    if target:
        config = SpinnakerConfig(**{**_config_fields(config), **target})
    dt_s = check_dt(timestep)
    duration_s = float(to_si(duration, second))
    steps_of(duration_s, dt_s, "duration")
    root = as_seed_sequence(seed)
    report = validate(spec, timestep=timestep, duration=duration, config=config, seed=root,
                      connectivity=connectivity, raise_on_failure=True)
    if emulate:
        from neurosim.hardware_backends.spinnaker_emulator import emulate as run_emulator

        return run_emulator(spec, duration, timestep=timestep, seed=root)
    folder = Path(run_dir) if run_dir is not None else Path(
        tempfile.mkdtemp(prefix="neurosim-spinnaker-"))
    folder = folder.resolve()
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    (folder / "spynnaker.cfg").write_text(config.cfg_text(folder))
    # sPyNNaker needs a user configuration or it writes one into $HOME and stops; the child's
    # home is this folder, and the settings are in ../spynnaker.cfg.
    (home / ".spynnaker.cfg").write_text("# neurosim: the configuration is ../spynnaker.cfg\n")
    job = {"spec": spec.to_dict(), "timestep_ms": dt_s * 1e3, "duration_ms": duration_s * 1e3,
           "seed": {"entropy": root.entropy, "spawn_key": list(root.spawn_key)},
           "connectivity": connectivity, "poisson": poisson, "config": _config_fields(config)}
    (folder / "neurosim_job.json").write_text(json.dumps(job, default=_json_default))
    log = folder / "spinnaker.log"
    env = dict(os.environ)
    # Temporary files too (Brian2, imported with neurosim, writes its log and, after an
    # error, a copy of the script into the temporary folder).
    (folder / "tmp").mkdir(exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local"),
               XDG_CONFIG_DIRS=str(home / ".config-site"), MPLCONFIGDIR=str(home / ".mpl"),
               TMPDIR=str(folder / "tmp"), PYTHONUNBUFFERED="1")
    start = time.perf_counter()
    with open(log, "w") as out:
        try:
            proc = subprocess.run([sys.executable, "-m", "neurosim.hardware_backends.spinnaker",
                                   str(folder)], cwd=folder, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DeployError(f"sPyNNaker did not finish in {timeout} s; log: {log}\n"
                              + _tail(log)) from None
    seconds = time.perf_counter() - start
    result_path = folder / "neurosim_result.json"
    if proc.returncode != 0 or not result_path.exists():
        raise DeployError(f"sPyNNaker failed (exit {proc.returncode}); log: {log}\n"
                          + _tail(log))
    res = json.loads(result_path.read_text())
    with open(folder / "neurosim_data.pkl", "rb") as f:
        data = pickle.load(f)  # written by our own child process just now
    report_dir = Path(res["report_dir"])
    labels = {g.label: g.label for g in spec.groups.values()}
    mapping = parse_mapping_report(report_dir, labels=labels)
    spikes = {}
    for probe in spec.probes:
        if probe.variable == "spikes" and probe.target in data:
            spikes[probe.target] = _neo_spikes(data[probe.target], probe.target,
                                               spec.groups[probe.target].size, dt_s)
    simulated = not res["virtual"]
    if not simulated:
        warnings.warn("deployed on a virtual board: sPyNNaker mapped the network but ran "
                      "nothing, so the Neo data are empty (result.simulated is False)",
                      VirtualBoardWarning, stacklevel=2)
    return DeployResult(spec, duration, config, simulated, data, spikes, mapping, report,
                        res["spynnaker"], folder, log, seconds)


def _config_fields(config: SpinnakerConfig) -> dict[str, Any]:
    d = {f: getattr(config, f) for f in config.__dataclass_fields__}
    if isinstance(d["neurons_per_core"], Mapping):
        d["neurons_per_core"] = dict(d["neurons_per_core"])
    d["extra_cfg"] = {k: dict(v) for k, v in d["extra_cfg"].items()}
    return d


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    raise TypeError(f"not JSON: {obj!r}")


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def _neo_spikes(block: Any, label: str, size: int, dt_s: float) -> SpikeData:
    times, idx = [], []
    for seg in block.segments[:1]:
        for k, st in enumerate(seg.spiketrains):
            i = int(st.annotations.get("source_index", k))
            steps = np.round(np.asarray(st.rescale("ms").magnitude, dtype=float) / (dt_s * 1e3))
            times.append(grid_times(steps, dt_s))
            idx.append(np.full(len(steps), i, dtype=np.int64))
    t = np.concatenate(times) if times else np.zeros(0)
    i_arr = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    order = np.lexsort((i_arr, t))
    return SpikeData(label, size, t[order] * second, i_arr[order])


# -- the child process ----------------------------------------------------------------------


def _child(folder: Path) -> None:
    """Run one job in ``folder`` (our working folder and $HOME): build, run, save."""
    import pyNN.spiNNaker as sim
    from spynnaker.pyNN.data import SpynnakerDataView

    from neurosim.hardware_backends.pynn_export import to_pynn

    job = json.loads((folder / "neurosim_job.json").read_text())
    spec = NetworkSpec.from_dict(job["spec"])
    config = SpinnakerConfig(**job["config"])
    seed = np.random.SeedSequence(entropy=job["seed"]["entropy"],
                                  spawn_key=tuple(job["seed"]["spawn_key"]))
    sim.setup(timestep=job["timestep_ms"], time_scale_factor=config.time_scale_factor)
    population_kwargs: dict[str, dict[str, Any]] = {}
    for pop in spec.populations:
        cell = type(pop.celltype).__name__
        npc = config.neurons_per_core_for(pop.label, cell)
        if npc is not None:
            population_kwargs[pop.label] = {"additional_parameters": {"neurons_per_core": npc}}
        if not config.allow_delay_extensions:
            sim.set_allow_delay_extensions(getattr(sim, cell), False)
    duration_ms = job["duration_ms"]
    net = to_pynn(spec, sim, timestep=job["timestep_ms"] * ms, seed=seed,
                  connectivity=job["connectivity"],
                  poisson_until=duration_ms * ms if job["poisson"] == "exact" else None,
                  setup=False, population_kwargs=population_kwargs)
    sim.run(duration_ms)
    data = {}
    for label in {p.target for p in spec.probes}:
        data[label] = net.populations[label].get_data()
    measured = {}
    for pop in spec.populations:
        vertex = net.populations[pop.label]._vertex
        shifts = [int(s) for s in vertex.get_ring_buffer_shifts()]
        measured[pop.label] = {
            "ring_buffer_shifts": shifts,
            "weight_scales": [float(s) for s in vertex.get_weight_scales(shifts)],
            "max_delay_steps_incoming": int(vertex.max_delay_steps_incoming),
            "max_atoms_per_core": int(vertex.get_max_atoms_per_core()),
        }
    result = {"virtual": bool(config.virtual),
              "report_dir": SpynnakerDataView.get_timestamp_dir_path(),
              "run_dir": SpynnakerDataView.get_run_dir_path(),
              "spynnaker": {"populations": measured,
                            "version": importlib.metadata.version("sPyNNaker")}}
    sim.end()
    with open(folder / "neurosim_data.pkl", "wb") as f:
        pickle.dump(data, f)
    (folder / "neurosim_result.json").write_text(json.dumps(result))


if __name__ == "__main__":  # the deploy() child: python -m ... <run folder>
    _child(Path(sys.argv[1]))

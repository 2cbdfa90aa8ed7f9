"""What :func:`~neurosim.hardware_backends.spinnaker.validate` finds: each :class:`Issue`,
sPyNNaker's representation of every population and projection, the
:class:`ValidationReport` that holds them and the :class:`ValidationError` it raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neurosim.errors import NeurosimError
from neurosim.hardware_backends.spinnaker.limits import SPYNNAKER_VERSION


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
    #: with one weight per synapse: each one's 16-bit integer (``weight_stored`` is their
    #: largest, ``weight_error`` their largest relative error)
    weights_stored: Any = None


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

"""SpiNNaker through sPyNNaker 1!7.4.1: configuration, pre-flight validation and deployment.

* :class:`SpinnakerConfig` (``config``) writes sPyNNaker's configuration into a run folder,
  never the user's home: a virtual board by default, a real board (``machine_name`` +
  ``version``) or a spalloc server from arguments or from the user's ``~/.spynnaker.cfg``
  (read, not written).
* :func:`validate` (``validation``; its findings in ``validation_report``) checks a spec
  against sPyNNaker's limits (``limits``) before any mapping: time step, delays against the
  ring buffer and the delay extensions, neurons per core, cell types and plasticity rules with
  a compiled binary, weights after sPyNNaker's ring-buffer scaling (quantisation error per
  projection; a weight that rounds to zero fails), recording size against SDRAM. Each limit
  names the sPyNNaker file it comes from (docs/spinnaker.md).
* :func:`deploy` (``deployment``) runs the spec on sPyNNaker (through :func:`~neurosim.
  hardware_backends.pynn_export.to_pynn`) in a child process (``child``, started as ``python
  -m neurosim.hardware_backends.spinnaker``) whose home and working folder are the run folder,
  and returns the Neo data and a :class:`MappingReport` (``mapping``) parsed from sPyNNaker's
  own reports.
"""

# The public API (__all__), and with "X as X" the other public names of the former single
# module, spinnaker.py, still importable from here (the emulator imports GLOBAL_WEIGHT_SCALE,
# the tests BINARIES).
from neurosim.hardware_backends.spinnaker.config import SpinnakerConfig
from neurosim.hardware_backends.spinnaker.deployment import (
    DeployError,
    DeployResult,
    VirtualBoardWarning,
    deploy,
)
from neurosim.hardware_backends.spinnaker.limits import BINARIES as BINARIES
from neurosim.hardware_backends.spinnaker.limits import BOARD_CHIPS as BOARD_CHIPS
from neurosim.hardware_backends.spinnaker.limits import GLOBAL_WEIGHT_SCALE as GLOBAL_WEIGHT_SCALE
from neurosim.hardware_backends.spinnaker.limits import LIMITS
from neurosim.hardware_backends.spinnaker.limits import SPYNNAKER_VERSION as SPYNNAKER_VERSION
from neurosim.hardware_backends.spinnaker.limits import Limit as Limit
from neurosim.hardware_backends.spinnaker.mapping import CoreMapping as CoreMapping
from neurosim.hardware_backends.spinnaker.mapping import MappingReport, parse_mapping_report
from neurosim.hardware_backends.spinnaker.validation import validate
from neurosim.hardware_backends.spinnaker.validation_report import (
    Issue,
    ValidationError,
    ValidationReport,
)
from neurosim.hardware_backends.spinnaker.validation_report import (
    PopulationCheck as PopulationCheck,
)
from neurosim.hardware_backends.spinnaker.validation_report import (
    ProjectionCheck as ProjectionCheck,
)

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

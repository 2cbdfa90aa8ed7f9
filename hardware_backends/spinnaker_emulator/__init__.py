"""A bit-accurate emulator of sPyNNaker 1!7.4.1 on a SpiNNaker board (IF_curr_exp, spike
sources, static and additive pair-rule STDP synapses), as the engine
``"spinnaker-emulator"`` and as :func:`emulate`, the backend ``"spinnaker-emulator"``
(``CA3Memory.deploy(ops, backend="spinnaker-emulator")``, ``neurosim deploy --emulate``).

See docs/spinnaker_emulator.md: how each rounding maps onto sPyNNaker's C and Python
sources, and what is bit-accurate and what is not.
"""

from neurosim.hardware_backends.spinnaker_emulator.engine import (
    EmulationResult,
    SpiNNakerEmulatorEngine,
    SpiNNakerEmulatorSimulation,
    emulate,
    quantisation_report,
)

__all__ = ["EmulationResult", "SpiNNakerEmulatorEngine", "SpiNNakerEmulatorSimulation",
           "emulate", "quantisation_report"]

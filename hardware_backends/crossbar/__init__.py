"""A PyNN backend that runs networks on simulated resistive crossbars.

``import neurosim.hardware_backends.crossbar as sim`` runs an ordinary PyNN script. It is
``neurosim.pynn`` (every PyNN class, the translation into our spec, recording, changes
between runs) with the crossbar's synapse path: every weight is programmed into and read
back from a :class:`CrossbarArray` (map, quantise, validate, program, read) by the core that
``CA3Memory(..., backend="crossbar")`` uses, :func:`build_simulation`. ``sim.get_ledger()``
gives the energy and latency of the runs; ``sim.crossbar_of(projection)`` the array.

docs/crossbar.md has the timing translation (our delay = PyNN delay + dt), the fidelity
levels, the stages and the ledger's constants with their sources.
"""

import neurosim.pynn as _pynn
from neurosim.hardware_backends.crossbar import simulator
from neurosim.hardware_backends.crossbar.array import FIDELITIES, CrossbarArray, Tiling
from neurosim.hardware_backends.crossbar.control import get_ledger, setup
from neurosim.hardware_backends.crossbar.ledger import CONSTANTS, Constant, Ledger
from neurosim.hardware_backends.crossbar.plotting import plot_conductance_map
from neurosim.hardware_backends.crossbar.simulator import crossbar_of
from neurosim.hardware_backends.crossbar.spec_backend import (
    PLASTICITY,
    CrossbarSimulation,
    build_simulation,
)

__all__ = [  # the crossbar's own names; the PyNN API comes from neurosim.pynn
    "CONSTANTS",
    "FIDELITIES",
    "PLASTICITY",
    "Constant",
    "CrossbarArray",
    "CrossbarSimulation",
    "Ledger",
    "Tiling",
    "build_simulation",
    "crossbar_of",
    "get_ledger",
    "plot_conductance_map",
    "setup",
    "simulator",
]

# Every other PyNN name is neurosim.pynn's (the front end is shared); the crossbar's own
# names above take precedence.
globals().update({k: v for k, v in vars(_pynn).items()
                  if not k.startswith("_") and k not in __all__ and k != "register"})

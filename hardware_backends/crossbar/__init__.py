"""A PyNN backend that runs networks on simulated resistive crossbars.

``import neurosim.hardware_backends.crossbar as sim`` runs an ordinary PyNN script: the
network becomes our :class:`~neurosim.network.NetworkSpec`, runs on the Numba engine, and
every weight is programmed into and read back from a :class:`CrossbarArray` (map, quantise,
validate, program, read). ``sim.get_ledger()`` gives the energy and latency of the runs.
:func:`build_simulation` puts a NetworkSpec on crossbars behind the Simulation API (what
``CA3Memory(..., backend="crossbar")`` uses).
docs/crossbar.md has the timing translation (our delay = PyNN delay + dt), the fidelity
levels, the stages and the ledger's constants with their sources.
"""

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import (  # noqa: F401
    AllToAllConnector,
    ArrayConnector,
    CloneConnector,
    CSAConnector,
    DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FixedTotalNumberConnector,
    FromFileConnector,
    FromListConnector,
    IndexBasedProbabilityConnector,
    OneToOneConnector,
    SmallWorldConnector,
)
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.recording import *  # noqa: F403
from pyNN.space import Space  # noqa: F401

from neurosim.hardware_backends.crossbar.array import FIDELITIES, CrossbarArray, Tiling
from neurosim.hardware_backends.crossbar.control import (
    end,
    get_current_time,
    get_ledger,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from neurosim.hardware_backends.crossbar.ledger import CONSTANTS, Constant, Ledger
from neurosim.hardware_backends.crossbar.plotting import plot_conductance_map
from neurosim.hardware_backends.crossbar.populations import Assembly, Population, PopulationView
from neurosim.hardware_backends.crossbar.procedural_api import (
    connect,
    create,
    record,
    record_gsyn,
    record_v,
)
from neurosim.hardware_backends.crossbar.projections import Projection
from neurosim.hardware_backends.crossbar.spec_backend import (
    PLASTICITY,
    CrossbarSimulation,
    build_simulation,
)
from neurosim.hardware_backends.crossbar.standardmodels import (
    AdditiveWeightDependence,
    IF_cond_exp,
    IF_curr_exp,
    MultiplicativeWeightDependence,
    SpikePairRule,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
)

__all__ = [
    "CONSTANTS",
    "FIDELITIES",
    "PLASTICITY",
    "AdditiveWeightDependence",
    "AllToAllConnector",
    "Assembly",
    "Constant",
    "CrossbarArray",
    "CrossbarSimulation",
    "FixedProbabilityConnector",
    "FromListConnector",
    "IF_cond_exp",
    "IF_curr_exp",
    "Ledger",
    "MultiplicativeWeightDependence",
    "NumpyRNG",
    "OneToOneConnector",
    "Population",
    "PopulationView",
    "Projection",
    "RandomDistribution",
    "STDPMechanism",
    "SpikePairRule",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StaticSynapse",
    "Tiling",
    "build_simulation",
    "connect",
    "create",
    "end",
    "get_current_time",
    "get_ledger",
    "get_max_delay",
    "get_min_delay",
    "get_time_step",
    "initialize",
    "list_standard_models",
    "num_processes",
    "plot_conductance_map",
    "rank",
    "record",
    "record_gsyn",
    "record_v",
    "reset",
    "run",
    "run_for",
    "run_until",
    "setup",
]


def list_standard_models() -> list[str]:
    """The standard cell types this backend runs."""
    return ["IF_curr_exp", "IF_cond_exp", "SpikeSourceArray", "SpikeSourcePoisson"]

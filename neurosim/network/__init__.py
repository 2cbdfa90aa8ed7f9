"""Backend-free network description (see :mod:`neurosim.network.spec`)."""

from neurosim.network.cells import CELL_TYPES, IF_cond_exp, IF_curr_exp, StandardCell
from neurosim.network.connectors import AllToAll, Connector, FixedProbability, FromList, OneToOne
from neurosim.network.distributions import RandomDistribution
from neurosim.network.spec import (
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    SpikeSourcePoisson,
    View,
    add_spike_times,
)
from neurosim.network.synapses import (
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
    SpikePairRule,
    StaticSynapse,
    STDPMechanism,
    Synapse,
)

__all__ = [
    "CELL_TYPES",
    "AdditiveWeightDependence",
    "AllToAll",
    "Connector",
    "FixedProbability",
    "FromList",
    "IF_cond_exp",
    "IF_curr_exp",
    "MultiplicativeWeightDependence",
    "NetworkSpec",
    "OneToOne",
    "Population",
    "Probe",
    "Projection",
    "RandomDistribution",
    "STDPMechanism",
    "SpikePairRule",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StandardCell",
    "StaticSynapse",
    "Synapse",
    "View",
    "add_spike_times",
]

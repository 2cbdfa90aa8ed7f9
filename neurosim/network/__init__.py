"""Backend-free network description (see :mod:`neurosim.network.spec`)."""

from neurosim.network.cells import (
    CELL_TYPES,
    CellType,
    EIF_cond_alpha_isfa_ista,
    EIF_cond_exp_isfa_ista,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_curr_alpha,
    IF_curr_exp,
    Izhikevich,
    StandardCell,
)
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
    "CellType",
    "Connector",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "FixedProbability",
    "FromList",
    "HH_cond_exp",
    "IF_cond_alpha",
    "IF_cond_exp",
    "IF_curr_alpha",
    "IF_curr_exp",
    "Izhikevich",
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

"""The limits of sPyNNaker 1!7.4.1 that :func:`~neurosim.hardware_backends.spinnaker.validate`
checks, each with the file (in the installed sPyNNaker) it comes from; the global weight
scales, the compiled binaries and the chips of each board version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

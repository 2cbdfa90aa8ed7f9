"""The named groups of arrays that :func:`neurosim.kernels.spiking.run_steps` takes.

The kernel reads about a hundred arrays. They travel as seven named tuples (Numba compiles
a named tuple of arrays into a struct it unpacks once per call, so the grouping costs about a
microsecond a call and nothing per step), and callers read results back by name
(``recording.rec_count``), never by position. Index space: the neurons of every population
and spike source, ``N`` in all; synapses, ``M`` in all, sorted by pre-synaptic neuron.
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["CellParameters", "Devices", "GeneratedCells", "KernelArgs", "Neurons",
           "Plasticity", "Recording", "Synapses", "flatten"]

#: State per neuron (length N): kind (see ``KIND_*``), membrane voltage, the two synaptic
#: currents (conductances for IF_cond_exp), sPyNNaker's refractory countdown, the step of
#: the last spike and the ticks frozen after a spike; the bounds of the neuron partitions
#: the threads of :func:`~neurosim.kernels.spiking.run_steps_parallel` update
#: (``part[p]:part[p + 1]``; ``[0, N]`` for one thread).
Neurons = namedtuple("Neurons", "kind v i_exc i_inh refrac_left last_spike refrac_ticks part")

#: Constants per neuron (length N) of the hand-written cell steps: the LIF propagators
#: (:mod:`neurosim.engines.lif`), the conductance cell's quotients, and what one unit of
#: weight adds to a target's current under sPyNNaker's tick arithmetic (``init_e/init_i``).
CellParameters = namedtuple(
    "CellParameters",
    "v_rest v_reset v_thresh i_off r_m p_m decay_e decay_i k_e k_i neg_inv_tau rest_over_tau "
    "off_over_c c_m e_rev_e e_rev_i init_e init_i")

#: Cell types run by code generated from their declaration (:mod:`neurosim.engines.cellgen`):
#: state and parameter rows (``S[row, neuron]``, ``P[row, neuron]``), not-refractory flags,
#: per neuron the rows (and signs) the step's excitatory and inhibitory inputs are added to
#: and the parameter row holding ``i_offset`` (-1: none); the typed lists of their update
#: The typed lists of their update and spike functions travel beside the groups, as two
#: arguments of their own: Numba's dispatcher types a tuple of arrays in C but a tuple
#: holding a typed list in Python (about 100 us a call).
#: Receptors beyond the first two (composed cells: AMPA, NMDA, GABA_A...) have rows
#: ``row_x[q, neuron]``, signs ``sign_x`` and the step's summed inputs ``acc_x`` (shape
#: (0, N) when no cell type has more than two receptors).
GeneratedCells = namedtuple("GeneratedCells",
                            "S P not_ref row_e row_i sign_e sign_i ioff_row row_x sign_x acc_x "
                            "cond_mask")

#: PyNN's devices: the spike sources' sorted (step, neuron) schedule and its cursor; the
#: current sources' values this call (step, source), their targets (CSR by source), the
#: targeted neurons and the i_offset each neuron's injected current adds to.
Devices = namedtuple("Devices",
                     "src_step src_idx src_cursor cs_values cs_ptr cs_idx cs_neurons i_base")

#: Synapses in CSR by pre (``row_ptr`` of length N + 1): post neuron, weight, delay in steps
#: (0 for the Tsodyks-Markram synapses, which the static delivery skips), receptor (its
#: index in the post cell type's receptors: 0 excitatory, 1 inhibitory, 2+ more), projection;
#: the ring of the spikes of the last ``R`` steps. Each row is sorted by post neuron, and
#: ``part_ptr[i, p]:part_ptr[i, p + 1]`` (shape (N, T + 1)) is the part of row i whose
#: targets lie in delivery partition p (``part_ptr[:, 0] = row_ptr[:-1]``,
#: ``part_ptr[:, T] = row_ptr[1:]``; T = 1 for one thread).
Synapses = namedtuple("Synapses",
                      "row_ptr post w delay receptor proj ring_count ring_idx part_ptr")

#: Plasticity. STDP per projection (rule -1 static, 0 additive, 1 multiplicative) and traces
#: per synapse (empty when nothing is plastic); plastic synapses by post (``col_ptr``,
#: ``col_syn``). Programming-pulse devices per projection (``dev_on`` 0: the float rule,
#: clipped): level table, its length, levels per pulse, pulse noise, counter-RNG key; per
#: synapse: level, pulse count, canonical id. Tsodyks-Markram synapses by pre (CSR over
#: synapse ids), their true delays, U / tau_rec / tau_facil per projection, and per synapse
#: u, x and the time of the last delivery.
Plasticity = namedtuple(
    "Plasticity",
    "rule tau_plus tau_minus w_min w_max a_plus a_minus zero_depresses apre apost lastpre "
    "lastpost col_ptr col_syn dev_on dev_levels dev_n_levels dev_up dev_down dev_sigma "
    "dev_key syn_level syn_pulses syn_cid tm_ptr tm_sid tm_delay tm_U tm_rec tm_fac tm_u tm_x "
    "tm_last")

#: Recording: the spike record (step, neuron) and its fill count; the probed neurons, the
#: variable of each (0 v, 1 i_exc, 2 i_inh, 3 + r row r of the generated state), the steps
#: between samples, the sample rows and their fill count.
Recording = namedtuple("Recording", "rec_step rec_idx rec_count probe_neurons probe_var "
                                    "probe_every probe_out probe_count")

#: Everything one call of the kernel takes, in its order.
KernelArgs = namedtuple("KernelArgs", "k0 n_steps dt neurons params cells devices synapses "
                                      "plasticity recording cell_update cell_spike "
                                      "cell_reset")


def flatten(args: KernelArgs) -> tuple:
    """Every field of every group, in order (for code that walks all arrays: twin tests)."""
    out: list = []
    for group in args:
        out.extend(group if isinstance(group, tuple) else (group,))
    return tuple(out)

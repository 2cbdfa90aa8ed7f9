"""Small deterministic networks shared by the hardware-backend tests."""

from neurosim.network import (
    AdditiveWeightDependence,
    AllToAll,
    FixedProbability,
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikePairRule,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
    View,
)
from neurosim.units import ms, nA, uS

#: Number of synaptic hops from a spike source, per neuron of "chain" and "learner".
DEPTH = {("chain", 0): 1, ("chain", 1): 2, ("chain", 2): 3, ("learner", 0): 1}

#: The plastic projection: pre spikes of stim[1], delay and rule.
STDP = {"A_plus": 0.01, "A_minus": 0.012, "tau": 20.0, "w0": 0.05, "w_max": 0.2, "delay": 1.0}


def round_trip_spec() -> NetworkSpec:
    """Spike sources -> a chain of IF_curr_exp cells with delays (1, 1.5, 2 ms), and a
    learner driven by a teacher through a static synapse while a plastic (STDP) synapse
    from a second source learns; the plastic weight stays small, so it never decides a
    spike time."""
    cell = IF_curr_exp(tau_refrac=2 * ms)
    rule = STDPMechanism(
        timing_dependence=SpikePairRule(tau_plus=STDP["tau"] * ms, tau_minus=STDP["tau"] * ms,
                                        A_plus=STDP["A_plus"], A_minus=STDP["A_minus"]),
        weight_dependence=AdditiveWeightDependence(w_min=0 * nA, w_max=STDP["w_max"] * nA),
        weight=STDP["w0"] * nA, delay=STDP["delay"] * ms)
    return NetworkSpec(
        populations=(Population("chain", 3, cell), Population("learner", 1, cell)),
        sources=(SpikeSourceArray.from_times("stim", [[2, 20, 40] * ms,
                                                      [5, 15, 25, 35] * ms]),),
        projections=(
            Projection(View("stim", 0, 1), View("chain", 0, 1), OneToOne(),
                       StaticSynapse(weight=5 * nA, delay=1 * ms), label="in"),
            Projection(View("chain", 0, 1), View("chain", 1, 2), OneToOne(),
                       StaticSynapse(weight=5 * nA, delay=1.5 * ms), label="hop1"),
            Projection(View("chain", 1, 2), View("chain", 2, 3), OneToOne(),
                       StaticSynapse(weight=5 * nA, delay=2 * ms), label="hop2"),
            Projection(View("stim", 0, 1), "learner", AllToAll(),
                       StaticSynapse(weight=5 * nA, delay=1 * ms), label="teacher"),
            Projection(View("stim", 1, 2), "learner", AllToAll(), rule, label="plastic"),
        ),
        probes=(Probe("chain"), Probe("learner"), Probe("stim")),
        name="round_trip",
    )


def mapping_spec() -> NetworkSpec:
    """Two populations (current- and conductance-based), a random recurrent projection with
    a delay that needs a delay extension at 0.1 ms (100 ticks > 64 slots with 128 neurons
    per core), STDP and inhibition: small, but every part of the mapping report shows."""
    rule = STDPMechanism(
        timing_dependence=SpikePairRule(tau_plus=20 * ms, tau_minus=20 * ms, A_plus=0.01,
                                        A_minus=0.012),
        weight_dependence=AdditiveWeightDependence(w_min=0 * nA, w_max=0.2 * nA),
        weight=0.05 * nA, delay=1 * ms)
    return NetworkSpec(
        populations=(Population("exc", 300, IF_curr_exp(tau_refrac=2 * ms)),
                     Population("cond", 20, IF_cond_exp())),
        sources=(SpikeSourceArray.from_times("stim", [[2, 20] * ms, [5, 15] * ms]),),
        projections=(
            Projection(View("stim", 0, 1), View("exc", 0, 10), AllToAll(),
                       StaticSynapse(weight=5 * nA, delay=1 * ms), label="drive"),
            Projection("exc", "exc", FixedProbability(0.1),
                       StaticSynapse(weight=0.5 * nA, delay=10 * ms), label="recurrent"),
            Projection("stim", "exc", AllToAll(), rule, label="plastic"),
            Projection("stim", "cond", AllToAll(), StaticSynapse(weight=0.01 * uS, delay=1 * ms),
                       label="to_cond"),
            Projection("exc", "cond", FixedProbability(0.2),
                       StaticSynapse(weight=0.002 * uS, delay=2 * ms), receptor="inhibitory",
                       label="inhibit"),
        ),
        probes=(Probe("exc"), Probe("cond", "v")),
        name="mapping",
    )

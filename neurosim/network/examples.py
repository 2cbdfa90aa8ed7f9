"""Reference networks used by benchmarks and conformance tests."""

from __future__ import annotations

from typing import Any

from neurosim.network.cells import IF_cond_exp, IF_curr_exp
from neurosim.network.connectors import FixedNumberPre, FixedProbability
from neurosim.network.distributions import RandomDistribution
from neurosim.network.spec import NetworkSpec, Population, Probe, Projection, View
from neurosim.network.synapses import StaticSynapse
from neurosim.units import ms, mV, nA, nF, nS

__all__ = ["adex_coba", "vogels_abbott_coba", "vogels_abbott_cuba"]


def vogels_abbott_coba(n_neurons: int = 4000, p_connect: float = 0.02,
                       record_v: bool = False) -> NetworkSpec:
    """The Vogels-Abbott conductance-based network, benchmark 1 of Brette et al. (2007).

    Brette, Rudolph, Carnevale, ... , Destexhe, "Simulation of networks of spiking neurons: a
    review of tools and strategies", J. Comput. Neurosci. 23:349 (2007); Vogels & Abbott,
    J. Neurosci. 25:10786 (2005). Values of the Brian team's script (brian-team/brian,
    ``examples/misc/COBA.py``), conductances given there in units of the leak conductance
    g_L = 10 nS: tau_m 20 ms (cm = 0.2 nF), E_L = v_reset = -60 mV, v_thresh -50 mV,
    refractory 5 ms, E_exc 0 mV, E_inh -80 mV, tau_exc 5 ms, tau_inh 10 ms; 80 % excitatory;
    random connectivity p = 0.02; weights 6 nS (excitatory) and 67 nS (inhibitory); no
    external input: activity is self-sustained from random initial states
    v ~ N(-65, 5) mV, g_exc ~ N(40, 15) nS, g_inh ~ N(200, 120) nS. Delays are one 0.1 ms
    step (the script's immediate delivery on its 0.1 ms grid).
    """
    cell = IF_cond_exp(cm=0.2 * nF, tau_m=20 * ms, v_rest=-60 * mV, v_reset=-60 * mV,
                       v_thresh=-50 * mV, tau_refrac=5 * ms, e_rev_E=0 * mV, e_rev_I=-80 * mV,
                       tau_syn_E=5 * ms, tau_syn_I=10 * ms)
    probes = (Probe("P"),) + ((Probe("P", "v"),) if record_v else ())
    return _coba_network(cell, n_neurons, p_connect, ("gsyn_exc", "gsyn_inh"), probes,
                         f"coba_{n_neurons}")


def _coba_network(cell: Any, n_neurons: int, p_connect: float, targets: tuple[str, str],
                  probes: tuple[Probe, ...], name: str) -> NetworkSpec:
    """The Vogels-Abbott connectivity, weights, delays and random initial state around
    ``cell`` (``targets``: its excitatory and inhibitory conductance variables)."""
    n_exc = round(0.8 * n_neurons)
    g_e, g_i = targets
    init = {"v": RandomDistribution("normal", mu=-65 * mV, sigma=5 * mV),
            g_e: RandomDistribution("normal", mu=40 * nS, sigma=15 * nS),
            g_i: RandomDistribution("normal", mu=200 * nS, sigma=120 * nS)}
    pop = Population("P", n_neurons, cell, initial_values=init)
    exc, inh = View("P", 0, n_exc), View("P", n_exc, n_neurons)
    delay = 0.1 * ms
    projections = (
        Projection(exc, "P", FixedProbability(p_connect), StaticSynapse(weight=6 * nS,
                                                                          delay=delay),
                   "excitatory", label="exc->all"),
        Projection(inh, "P", FixedProbability(p_connect), StaticSynapse(weight=67 * nS,
                                                                          delay=delay),
                   "inhibitory", label="inh->all"),
    )
    return NetworkSpec((pop,), (), projections, probes, name=name)


def adex_coba(cell: Any, n_neurons: int = 4000, p_connect: float = 0.02,
              targets: tuple[str, str] = ("g_e", "g_i")) -> NetworkSpec:
    """The Vogels-Abbott network of :func:`vogels_abbott_coba` (benchmark 1 of Brette et al.
    2007) with adaptive exponential neurons: ``cell`` is an AdEx cell type instance
    (:func:`neurosim.network.equation_examples.adex` or PyNN's
    ``EIF_cond_exp_isfa_ista``) with the benchmark's membrane and synapses, ``targets`` its
    conductance variables. Same connectivity, weights, delays and random initial states as
    the COBA benchmark; activity is self-sustained."""
    return _coba_network(cell, n_neurons, p_connect, targets, (Probe("P"),),
                         f"adex_coba_{n_neurons}")


def vogels_abbott_cuba(n_neurons: int = 4000, p_connect: float = 0.02,
                       in_degree: int | None = None) -> NetworkSpec:
    """The current-based Vogels-Abbott network, benchmark 2 of Brette et al. (2007), with
    the values of PyNN's ``examples/VAbenchmarks.py``: IF_curr_exp, cm 0.2 nF, tau_m 20 ms,
    v_rest -49 mV (above threshold: the activity is self-sustained), v_thresh -50 mV,
    v_reset -60 mV, refractory 5 ms, tau_exc 5 ms, tau_inh 10 ms; 80 % excitatory,
    FixedProbability ``p_connect``; weights the conductances 0.27 nS and 4.5 nS times the
    driving force at v_mean -60 mV (E_exc 0 mV, E_inh -80 mV): 16.2 pA excitatory, 90 pA
    inhibitory; delays 0.2 ms; v starts uniform in [v_reset, v_thresh].

    ``in_degree`` (instead of ``p_connect``): every neuron receives exactly that many
    synapses, 80 % from excitatory neurons (``FixedNumberPre``): how the network grows to
    10⁶ neurons at a fixed input count (``benchmarks/memory_large.py``)."""
    cell = IF_curr_exp(cm=0.2 * nF, tau_m=20 * ms, v_rest=-49 * mV, v_reset=-60 * mV,
                       v_thresh=-50 * mV, tau_refrac=5 * ms, tau_syn_E=5 * ms,
                       tau_syn_I=10 * ms)
    init = {"v": RandomDistribution("uniform", low=-60 * mV, high=-50 * mV)}
    pop = Population("P", n_neurons, cell, initial_values=init)
    n_exc = round(0.8 * n_neurons)
    exc, inh = View("P", 0, n_exc), View("P", n_exc, n_neurons)
    delay = 0.2 * ms
    w_exc, w_inh = 0.27e-3 * 60 * nA, 4.5e-3 * 20 * nA  # g (nS) x driving force (mV)
    if in_degree is None:
        from_exc = from_inh = FixedProbability(p_connect)
    else:
        k_exc = round(0.8 * in_degree)
        from_exc, from_inh = FixedNumberPre(k_exc), FixedNumberPre(in_degree - k_exc)
    projections = (
        Projection(exc, "P", from_exc, StaticSynapse(weight=w_exc, delay=delay),
                   "excitatory", label="exc->all"),
        Projection(inh, "P", from_inh, StaticSynapse(weight=w_inh, delay=delay),
                   "inhibitory", label="inh->all"),
    )
    return NetworkSpec((pop,), (), projections, (Probe("P"),), name=f"cuba_{n_neurons}")

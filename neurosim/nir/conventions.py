"""How NIR's unitless primitives meet our cells: the unit convention, the map of each neuron
primitive onto a cell, and exact float encodings for lossless round trips.

**Units.** NIR stores plain numbers. We read them as SI: times in seconds (NIR's own
convention for time constants), voltages in volts, currents in amperes, so ``r`` is in ohms
and a weight times a spike (a Dirac delta of unit area) is a charge-like impulse. The
dynamics are linear in v and I, so any consistent scale gives the same spike times.

**Neurons** (NIR's equations, ``nir`` 1.0 docstrings; S a sum of Dirac deltas):

========  =====================================================  =========================
NIR       equations                                              our cell
========  =====================================================  =========================
CubaLIF   tau_syn I' = -I + w_in S; tau_mem v' = v_leak - v + r I  ``IF_curr_exp``
LIF       tau v' = v_leak - v + r I                               ``IF_curr_delta``
IF        v' = r I                                                equation cell ``NIR_IF``
LI        tau v' = v_leak - v + r I (no spikes)                   equation cell ``NIR_LI``
I         v' = r I (no spikes)                                    equation cell ``NIR_I``
CubaLI    CubaLIF without spikes                                  equation cell ``NIR_CubaLI``
========  =====================================================  =========================

With ``cm = tau / r`` our ``tau_m dv/dt = (v_rest - v) + (tau_m/cm) I`` is NIR's membrane
equation term for term. A spike of weight w moves I by ``w * (w_in / tau_syn)`` (CubaLIF,
CubaLI) or v by ``w * (r / tau)`` (LIF, LI) or ``w * r`` (IF, I). A bias b (from an Affine
node) is a constant input current: ``i_offset = b`` for LIF/IF/LI/I and ``w_in * b`` for the
Cuba cells, whose synaptic current then starts at its steady state ``w_in b`` (NIR states
no initial state; ours is v = v_leak and I = 0 apart from that).

**Time.** NIR edges are instantaneous; a spec projection needs at least one time step. An
edge without a Delay node becomes ``delay=None`` (one step, at any dt): each layer responds
one step late, so a spike at t reaches the next layer at t + dt and the output of an L-layer
feed-forward net is L steps late. A Delay node's tau becomes the projection's delay (rounded
to the grid). Threshold crossings are tested once per step (NIR: ``v > v_thr``; our
engines ``v >= v_thresh`` at the step), so a spike time carries up to one step of error,
while the subthreshold trajectory between input spikes is exact (our engines integrate
these linear equations exactly, NEST's ``iaf_psc_exp`` propagators).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["NEURON_PRIMITIVES", "equation_cells", "solve_exactly"]

#: NIR neuron primitives we build, and whether they spike.
NEURON_PRIMITIVES = {"CubaLIF": True, "LIF": True, "IF": True, "LI": False, "I": False,
                     "CubaLI": False}


def solve_exactly(decode: Callable[[np.ndarray], np.ndarray], target: np.ndarray,
                  guess: np.ndarray, max_ulps: int = 8) -> np.ndarray:
    """The float ``e`` near ``guess`` with ``decode(e) == target`` exactly, elementwise.

    ``to_nir`` writes numbers that ``from_nir`` turns back into our parameters by a
    division or a product; the naive inverse can be one ulp off, and a round trip must give
    the identical spec. Tries guess, then 1, 2, ... ulps either side; keeps ``guess``
    where no float within ``max_ulps`` decodes exactly (the round trip is then 1 ulp off).
    """
    target = np.asarray(target, dtype=np.float64)
    best = np.array(np.broadcast_to(np.asarray(guess, dtype=np.float64), target.shape))
    todo = decode(best) != target
    for k in range(1, max_ulps + 1):
        if not todo.any():
            break
        for direction in (np.inf, -np.inf):
            cand = best.copy()
            for _ in range(k):
                cand = np.nextafter(cand, direction)
            hit = todo & (decode(cand) == target)
            best[hit] = cand[hit]
            todo &= ~hit
    return best


def equation_cells() -> dict[str, type]:
    """The equation cells for NIR's IF, LI, I and CubaLI (built once, cached by
    :func:`~neurosim.network.equation_cell.equation_cell`)."""
    from neurosim.network.equation_cell import equation_cell
    from neurosim.units import amp, ms, mV, ohm, second, volt

    never = "v > v_never"  # the non-spiking ones: a threshold no trajectory reaches
    # v' = r I is constant between spikes: Euler is exact for it (Brian2's "exact" refuses
    # an equation without v on its right-hand side)
    common = {"i_offset": 0 * amp}
    return {
        "IF": equation_cell("dv/dt = r*i_offset : volt", threshold="v > v_threshold",
                            reset="v = v_reset", method="euler", name="NIR_IF",
                            parameters={**common, "r": 1 * ohm / second,
                                        "v_threshold": 1 * volt, "v_reset": 0 * mV},
                            initial={"v": "v_reset"},
                            receptors={"excitatory": "v", "inhibitory": "-v"}),
        "LI": equation_cell("dv/dt = (v_leak - v + r*i_offset)/tau : volt", threshold=never,
                            method="exact", name="NIR_LI",
                            parameters={**common, "tau": 10 * ms, "r": 1 * ohm,
                                        "v_leak": 0 * mV, "v_never": 1e300 * volt},
                            initial={"v": "v_leak"},
                            receptors={"excitatory": "v", "inhibitory": "-v"}),
        "I": equation_cell("dv/dt = r*i_offset : volt", threshold=never, method="euler",
                           name="NIR_I",
                           parameters={**common, "r": 1 * ohm / second,
                                       "v_never": 1e300 * volt},
                           receptors={"excitatory": "v", "inhibitory": "-v"}),
        "CubaLI": equation_cell(
            "dv/dt = (v_leak - v + r*(i_syn + i_offset))/tau_mem : volt\n"
            "di_syn/dt = -i_syn/tau_syn : amp", threshold=never, method="exact",
            name="NIR_CubaLI",
            parameters={**common, "tau_mem": 10 * ms, "tau_syn": 5 * ms, "r": 1 * ohm,
                        "v_leak": 0 * mV, "v_never": 1e300 * volt},
            initial={"v": "v_leak"},
            receptors={"excitatory": "i_syn", "inhibitory": "-i_syn"}),
    }

"""Published neuron models written as equation cells (:func:`~neurosim.network.equation_cell.
equation_cell`): the examples the docs, the notebook, the tests and the benchmark share.

Each function returns the cell type for one integration method (Brian2's name); a method
Brian2 cannot apply to the equations raises ParameterError (exact needs linear equations,
exponential Euler conditionally linear ones).
"""

from __future__ import annotations

from neurosim.network.equation_cell import EquationCell, equation_cell
from neurosim.units import ms, mV, nA, nS, pF

__all__ = ["adaptive_lif", "adex", "izhikevich", "qif"]


def adex(method: str = "rk2", name: str = "AdEx") -> type[EquationCell]:
    """Adaptive exponential integrate-and-fire neuron with exponential conductance synapses
    (Brette & Gerstner 2005, J Neurophysiol 94:3637, Table 1's defaults as PyNN's
    ``EIF_cond_exp_isfa_ista``; v frozen 0.2 ms after a spike, which at dt = 0.1 ms is
    PyNN's tau_refrac = 0.1 ms: Brian2 counts the spike's own step)."""
    return equation_cell(
        """
        dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) + g_e*(E_e - v)
                 + g_i*(E_i - v) + i_offset - w)/C : volt (unless refractory)
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        dg_e/dt = -g_e/tau_e : siemens
        dg_i/dt = -g_i/tau_i : siemens
        """,
        threshold="v >= V_peak", reset="v = V_r\nw += b", refractory=0.2 * ms, method=method,
        parameters={"C": 281 * pF, "g_L": 30 * nS, "E_L": -70.6 * mV, "V_T": -50.4 * mV,
                    "Delta_T": 2 * mV, "tau_w": 144 * ms, "a": 4 * nS, "b": 0.0805 * nA,
                    "V_r": -70.6 * mV, "V_peak": -40 * mV, "E_e": 0 * mV, "E_i": -80 * mV,
                    "tau_e": 5 * ms, "tau_i": 5 * ms, "i_offset": 0 * nA},
        initial={"v": "E_L"}, receptors={"excitatory": "g_e", "inhibitory": "g_i"},
        name=name)


def izhikevich(method: str = "euler") -> type[EquationCell]:
    """Izhikevich's simple model (Izhikevich 2003, IEEE TNN 14:1569, eqs. 1-3; regular
    spiking a = 0.02, b = 0.2, c = -65, d = 2 as PyNN's defaults), v in mV and t in ms
    made explicit with units; synapses are voltage jumps."""
    return equation_cell(
        """
        dv/dt = (0.04*v**2/mV + 5*v + 140*mV - u*ms)/ms + i_offset/pF : volt
        du/dt = a*(b*v - u) : volt/second
        """,
        threshold="v >= 30*mV", reset="v = c\nu += d", method=method,
        parameters={"a": 0.02 / ms, "b": 0.2 / ms, "c": -65 * mV, "d": 2 * mV / ms,
                    "i_offset": 0 * nA},
        initial={"v": -70 * mV, "u": -14 * mV / ms},
        receptors={"excitatory": "v", "inhibitory": "-v"}, name="IzhikevichEquations")


def qif(method: str = "euler") -> type[EquationCell]:
    """Quadratic integrate-and-fire neuron (Latham et al. 2000, J Neurophysiol 83:808;
    Ermentrout & Kopell's theta neuron in voltage form) with an exponential current
    synapse: ``tau dv/dt = (v - v_rest)(v - v_c)/mV_scale + R I``."""
    return equation_cell(
        """
        dv/dt = ((v - v_rest)*(v - v_c)/delta_v + R*(I_syn + i_offset))/tau : volt
        dI_syn/dt = -I_syn/tau_syn : amp
        """,
        threshold="v >= v_peak", reset="v = v_reset", refractory=1 * ms, method=method,
        parameters={"tau": 10 * ms, "v_rest": -65 * mV, "v_c": -50 * mV, "delta_v": 15 * mV,
                    "R": 100 * (mV / nA), "v_peak": 20 * mV,
                    "v_reset": -70 * mV, "tau_syn": 5 * ms, "i_offset": 0 * nA},
        initial={"v": "v_rest"}, receptors={"excitatory": "I_syn", "inhibitory": "-I_syn"},
        name="QIF")


def adaptive_lif(method: str = "exact") -> type[EquationCell]:
    """Leaky integrate-and-fire neuron with a spike-triggered adaptation current and an
    adaptive threshold (the spike-frequency adaptation of Treves 1993 / Brette & Gerstner
    2005's b-jump without the subthreshold coupling): the reset sets v, raises the
    adaptation current and the threshold, and counts the spike, four statements."""
    return equation_cell(
        """
        dv/dt = (v_rest - v + R*(I_syn + i_offset - w))/tau_m : volt (unless refractory)
        dw/dt = -w/tau_w : amp
        dv_th/dt = (v_th0 - v_th)/tau_th : volt
        dI_syn/dt = -I_syn/tau_syn : amp
        count : 1
        """,
        threshold="v > v_th", reset="v = v_reset\nw += b\nv_th += delta_th\ncount += 1",
        refractory="t_ref", method=method,
        parameters={"tau_m": 20 * ms, "v_rest": -70 * mV, "R": 100 * (mV / nA),
                    "tau_w": 100 * ms, "b": 0.05 * nA, "v_th0": -50 * mV, "tau_th": 50 * ms,
                    "delta_th": 2 * mV, "v_reset": -70 * mV, "tau_syn": 5 * ms,
                    "i_offset": 0 * nA, "t_ref": 2 * ms},
        initial={"v": "v_rest", "v_th": "v_th0"},
        receptors={"excitatory": "I_syn", "inhibitory": "-I_syn"}, name="AdaptiveLIF")


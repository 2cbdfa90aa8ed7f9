"""Standard cell types, each declared once: PyNN's names, parameters and defaults, its state
variables, its receptors and its dynamics.

A cell type is one :class:`CellType` subclass. Its dataclass fields are the parameters (PyNN
0.13 names, units and defaults, ``pyNN/standardmodels/cells.py``); four class attributes
declare the rest:

``state``
    The state variables: unit and initial value (a parameter's value or a number), in
    PyNN's names (``v``, ``isyn_exc``, ``gsyn_inh``, ``w``, ``u``, ``m``...). Internal
    variables (the rise variable of an alpha synapse) are not recordable.
``receptors``
    What a spike on the "excitatory" or "inhibitory" receptor does: the weight is added to
    (``sign=+1``) or taken from (``-1``) one state variable. ``weight_kind`` ("current",
    "conductance" or "voltage") sets the unit of the weights (nA, uS, mV, as PyNN).
``equations``, ``threshold``, ``reset``, ``refractory``, ``method``
    The dynamics in Brian2's syntax (the parameters under their own names; ``cm`` is
    ``c_m`` there, because ``cm`` is a Brian2 unit), the spike condition, the reset
    statements, what holds the cell refractory (``"tau_refrac"``, a condition, or None) and
    Brian2's integration method.

Every engine builds a cell type from this declaration alone (docs/cells.md, "Adding a cell
type"): the spec validates parameters, initial values, weights and probes against it, and
the Brian2 engine writes its ``NeuronGroup`` from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, check_values, quantity
from neurosim.units import (
    Hz,
    amp,
    dimension_name,
    ms,
    mV,
    nA,
    nF,
    nS,
    require_quantity,
    si_unit_name,
    siemens,
    to_si,
    unit_from_name,
    uS,
    volt,
)

__all__ = [
    "CELL_TYPES",
    "WEIGHT_SI_UNITS",
    "WEIGHT_UNITS",
    "CellType",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "HH_cond_exp",
    "IF_cond_alpha",
    "IF_cond_exp",
    "IF_curr_alpha",
    "IF_curr_delta",
    "IF_curr_exp",
    "Izhikevich",
    "Receptor",
    "StandardCell",
    "StateVariable",
    "brian2_declaration",
    "brian2_name",
    "param_declarations",
]

_POS_TIME = {"low": 0 * ms, "low_open": True}
_POS_CAP = {"low": 0 * nF, "low_open": True}

#: Unit of a synaptic weight onto each kind of receptor (PyNN's: nA, uS, and mV for
#: voltage-jump synapses, ``pyNN/brian2/projections.py``).
WEIGHT_UNITS = {"current": nA, "conductance": uS, "voltage": mV}

#: The SI unit of a weight onto each kind of receptor.
WEIGHT_SI_UNITS = {"current": amp, "conductance": siemens, "voltage": volt}

# Brian2 reserves unit names: a parameter called "cm" is "c_m" in the equations.
_BRIAN2_NAMES = {"cm": "c_m"}


def brian2_name(param: str) -> str:
    """The name of a parameter inside the Brian2 equations of a cell type."""
    return _BRIAN2_NAMES.get(param, param)


@dataclass(frozen=True)
class StateVariable:
    """A state variable of a cell type.

    Attributes
    ----------
    unit
        SI unit name (:func:`neurosim.units.unit_from_name`): "volt", "amp", "siemens", "1",
        "volt/second".
    initial
        PyNN's default initial value: the name of a parameter (its value) or an SI number.
    internal
        An auxiliary variable of the dynamics (not recordable, not an initial value).
    """

    unit: str
    initial: str | float = 0.0
    internal: bool = False


@dataclass(frozen=True)
class Receptor:
    """What a spike of weight ``w`` on a receptor does: ``target += sign * w``."""

    target: str
    sign: float = 1.0


_V = StateVariable("volt", "v_rest")
_CURRENT_EXP = {"isyn_exc": StateVariable("amp"), "isyn_inh": StateVariable("amp")}
_COND_EXP = {"gsyn_exc": StateVariable("siemens"), "gsyn_inh": StateVariable("siemens")}
_CURRENT_ALPHA = {**_CURRENT_EXP, "y_exc": StateVariable("amp", internal=True),
                  "y_inh": StateVariable("amp", internal=True)}
_COND_ALPHA = {**_COND_EXP, "y_exc": StateVariable("siemens", internal=True),
               "y_inh": StateVariable("siemens", internal=True)}

# The synaptic dynamics, shared by the cell types that have them. Alpha synapses: a spike of
# weight w jumps y by w; the response e (t/tau) exp(-t/tau) w peaks at w after tau (PyNN's
# normalisation, pyNN/brian2/standardmodels/receptors.py).
_EXP_CURRENT_EQS = """
disyn_exc/dt = -isyn_exc/tau_syn_E : amp
disyn_inh/dt = -isyn_inh/tau_syn_I : amp
"""
_EXP_COND_EQS = """
dgsyn_exc/dt = -gsyn_exc/tau_syn_E : siemens
dgsyn_inh/dt = -gsyn_inh/tau_syn_I : siemens
"""
_ALPHA_CURRENT_EQS = """
disyn_exc/dt = (2.718281828459045*y_exc - isyn_exc)/tau_syn_E : amp
dy_exc/dt = -y_exc/tau_syn_E : amp
disyn_inh/dt = (2.718281828459045*y_inh - isyn_inh)/tau_syn_I : amp
dy_inh/dt = -y_inh/tau_syn_I : amp
"""
_ALPHA_COND_EQS = _ALPHA_CURRENT_EQS.replace("isyn", "gsyn").replace("amp", "siemens")
_EXP_RECEPTORS = {"excitatory": Receptor("isyn_exc"), "inhibitory": Receptor("isyn_inh")}
_COND_RECEPTORS = {"excitatory": Receptor("gsyn_exc"), "inhibitory": Receptor("gsyn_inh")}
_ALPHA_RECEPTORS = {"excitatory": Receptor("y_exc"), "inhibitory": Receptor("y_inh")}
_VOLTAGE_RECEPTORS = {"excitatory": Receptor("v"), "inhibitory": Receptor("v", -1.0)}
_LIF_V = ("dv/dt = (v_rest - v)/tau_m + ({inputs} + i_offset)/c_m : volt "
          "(unless refractory)")
_COND_INPUT = "gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v)"


class CellType(Params):
    """Base of the cell types: a frozen parameter set plus the declaration of the cell.

    Subclasses set the class attributes below; :attr:`recordable`, :attr:`synapse_kind` and
    :meth:`state_unit` derive from them.
    """

    #: "current" (weights in nA), "conductance" (uS) or "voltage" (mV jumps).
    weight_kind: ClassVar[str] = "current"
    state: ClassVar[dict[str, StateVariable]] = {}
    receptors: ClassVar[dict[str, Receptor]] = {}
    equations: ClassVar[str] = ""
    threshold: ClassVar[str] = "v >= v_thresh"
    reset: ClassVar[str] = "v = v_reset"
    #: "tau_refrac" (V frozen for ceil(tau_refrac/dt) steps after the spike, as sPyNNaker),
    #: a Brian2 condition that holds the cell refractory, or None.
    refractory: ClassVar[str | None] = "tau_refrac"
    #: Brian2's integration method for the equations.
    method: ClassVar[str] = "exact"
    #: How a refractory period in a parameter becomes whole steps: "spinnaker" (PyNN's
    #: standard cells: V frozen for ceil(tau_refrac/dt) steps after the spike step, as
    #: sPyNNaker) or "brian2" (equation cells: Brian2's own ``timestep(refractory, dt)``
    #: steps counted from the spike step).
    refractory_rounding: ClassVar[str] = "spinnaker"
    #: Whether sPyNNaker has this cell type (integration="spinnaker", the board, export).
    on_spinnaker: ClassVar[bool] = False

    # -- what derives from the declaration ---------------------------------------------
    @classmethod
    def recordable_variables(cls) -> tuple[str, ...]:
        """State variables a probe or an initial value may name (v first)."""
        return tuple(n for n, s in cls.state.items() if not s.internal)

    @property
    def recordable(self) -> tuple[str, ...]:
        return self.recordable_variables()

    @property
    def synapse_kind(self) -> str:
        return self.weight_kind

    @classmethod
    def state_unit(cls, name: str) -> Any:
        """The Brian2 unit of state variable ``name``."""
        return unit_from_name(cls.state[name].unit)

    @classmethod
    def refractory_parameter(cls) -> str | None:
        """The parameter holding the refractory period, or None when the cell has none or
        is held refractory by a condition."""
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls.refractory if cls.refractory in fields else None

    @classmethod
    def receptor_target(cls, receptor: str) -> Receptor:
        return cls.receptors[receptor]

    def initial_si(self, name: str) -> float:
        """PyNN's default initial value of state variable ``name``, in SI (a parameter's
        value must be a single value here; ``Population.initial`` handles the rest)."""
        init = self.state[name].initial
        return float(self.to_si()[init]) if isinstance(init, str) else float(init)

    # -- heterogeneous parameters: one value, one per neuron, or a distribution ----------
    @staticmethod
    def _check_quantity(name: str, value: Any, meta: dict[str, Any], owner: str) -> None:
        from neurosim.network.distributions import RandomDistribution

        unit_name = si_unit_name(meta["unit"])
        if isinstance(value, RandomDistribution):
            if value.unit_name != unit_name:
                raise ParameterError(name, value, f"a distribution of "
                                     f"{dimension_name(meta['unit'])} ({unit_name})", owner)
            return
        if isinstance(value, Quantity) and np.ndim(value) == 1:
            require_quantity(value, meta["unit"], name, owner)
            check_values(name, np.asarray(to_si(value), dtype=float), meta, owner)
            return
        Params._check_quantity(name, value, meta, owner)

    def heterogeneous(self) -> tuple[str, ...]:
        """Parameters given per neuron or as a distribution."""
        from neurosim.network.distributions import RandomDistribution

        return tuple(f.name for f in dataclasses.fields(self)
                     if isinstance(getattr(self, f.name), RandomDistribution)
                     or np.ndim(getattr(self, f.name)) == 1)

    def to_dict(self) -> dict[str, Any]:
        from neurosim.network.distributions import RandomDistribution

        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, RandomDistribution):
                out[f.name] = value.to_dict()
            else:
                si = to_si(value)
                out[f.name] = {"value": si.tolist() if isinstance(si, np.ndarray) else si,
                               "unit": si_unit_name(f.metadata["unit"])}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellType:
        from neurosim.network.distributions import RandomDistribution

        kwargs: dict[str, Any] = {}
        for name, d in data.items():
            if d.get("kind") == "RandomDistribution":
                kwargs[name] = RandomDistribution.from_dict(d)
            else:
                value = d["value"]
                kwargs[name] = (np.asarray(value, dtype=float) if isinstance(value, list)
                                else value) * unit_from_name(d["unit"])
        return cls(**kwargs)


def param_declarations(cell: CellType) -> str:
    """``name : unit (constant)`` for every parameter of a cell type (one value per neuron),
    under its Brian2 name."""
    return "\n".join(f"{brian2_name(f.name)} : {si_unit_name(f.metadata['unit'])} (constant)"
                     for f in dataclasses.fields(cell) if f.metadata.get("unit") is not None)


def brian2_declaration(cell: CellType) -> tuple[str, Any]:
    """The equations (with the parameters declared) and the ``refractory`` argument of the
    NeuronGroup that runs a declared cell type: what the Brian2 engine builds and what the
    array engines generate their code from."""
    eqs = cell.equations + "\n" + param_declarations(cell)
    refractory: Any = False
    if cell.refractory_parameter() is not None:
        eqs += "\nrefractory_period : second (constant)"
        refractory = "refractory_period"
    elif cell.refractory:
        refractory = cell.refractory
    return eqs, refractory


def _reset_below(cell: Any, threshold: str, owner: str | None = None) -> None:
    """ParameterError unless v_reset lies below the ``threshold`` parameter, neuron by
    neuron: ``cell`` is a cell type, or a dict of per-neuron SI values (then ``owner`` names
    the population). Distributions are checked once drawn."""
    from neurosim.network.distributions import RandomDistribution

    reset = cell["v_reset"] if isinstance(cell, dict) else cell.v_reset
    limit = cell[threshold] if isinstance(cell, dict) else getattr(cell, threshold)
    if isinstance(reset, RandomDistribution) or isinstance(limit, RandomDistribution):
        return
    r, lim = np.broadcast_arrays(np.asarray(to_si(reset), dtype=float),
                                 np.asarray(to_si(limit), dtype=float))
    bad = np.flatnonzero(np.atleast_1d(r >= lim))
    if len(bad):
        k = bad[0]
        raise ParameterError("v_reset", np.atleast_1d(r)[k] * volt,
                             f"below {threshold} ({np.atleast_1d(lim)[k] * volt})",
                             owner or type(cell).__name__)


StandardCell = CellType  # the name of this base before every cell was declared here


class _LeakyIF(CellType):
    """The parameters every leaky integrate-and-fire type shares (PyNN's defaults)."""

    cm: Quantity = quantity(1.0 * nF, nF, **_POS_CAP)
    tau_m: Quantity = quantity(20.0 * ms, ms, **_POS_TIME)
    tau_refrac: Quantity = quantity(0.1 * ms, ms, low=0 * ms)
    tau_syn_E: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)
    tau_syn_I: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)
    i_offset: Quantity = quantity(0.0 * nA, nA)
    v_reset: Quantity = quantity(-65.0 * mV, mV)
    v_rest: Quantity = quantity(-65.0 * mV, mV)
    v_thresh: Quantity = quantity(-50.0 * mV, mV)

    def check(self) -> None:
        _reset_below(self, "v_thresh")


class IF_curr_exp(_LeakyIF):  # PyNN's name
    """Leaky integrate-and-fire neuron with exponentially decaying current synapses.

    PyNN ``IF_curr_exp``; defaults are PyNN's.
    ``cm dv/dt = cm (v_rest - v)/tau_m + i_syn_exc - i_syn_inh + i_offset``,
    ``d i_syn_X/dt = -i_syn_X/tau_syn_X``; a spike of weight w adds w to ``i_syn_X``.
    """

    weight_kind: ClassVar[str] = "current"
    state: ClassVar[dict[str, StateVariable]] = {"v": _V, **_CURRENT_EXP}
    receptors: ClassVar[dict[str, Receptor]] = _EXP_RECEPTORS
    equations: ClassVar[str] = _LIF_V.format(inputs="isyn_exc - isyn_inh") + _EXP_CURRENT_EQS
    method: ClassVar[str] = "exact"
    on_spinnaker: ClassVar[bool] = True


class IF_cond_exp(_LeakyIF):  # PyNN's name
    """Leaky integrate-and-fire neuron with exponentially decaying conductance synapses.

    PyNN ``IF_cond_exp``; defaults are PyNN's.
    ``cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) + i_offset``.
    Integrated by exponential Euler (the equation is linear in v for given conductances).
    """

    weight_kind: ClassVar[str] = "conductance"
    state: ClassVar[dict[str, StateVariable]] = {"v": _V, **_COND_EXP}
    receptors: ClassVar[dict[str, Receptor]] = _COND_RECEPTORS
    equations: ClassVar[str] = _LIF_V.format(inputs=_COND_INPUT) + _EXP_COND_EQS
    method: ClassVar[str] = "exponential_euler"
    on_spinnaker: ClassVar[bool] = True

    e_rev_E: Quantity = quantity(0.0 * mV, mV)
    e_rev_I: Quantity = quantity(-70.0 * mV, mV)


class IF_curr_alpha(_LeakyIF):  # PyNN's name
    """Leaky integrate-and-fire neuron with alpha-shaped current synapses.

    PyNN ``IF_curr_alpha``; defaults are PyNN's (``tau_syn_E = tau_syn_I = 0.5 ms``). A
    spike of weight w gives ``i_syn(t) = w (t/tau_syn) exp(1 - t/tau_syn)``: its peak, w,
    comes ``tau_syn`` after the spike.
    """

    weight_kind: ClassVar[str] = "current"
    state: ClassVar[dict[str, StateVariable]] = {"v": _V, **_CURRENT_ALPHA}
    receptors: ClassVar[dict[str, Receptor]] = _ALPHA_RECEPTORS
    equations: ClassVar[str] = _LIF_V.format(inputs="isyn_exc - isyn_inh") + _ALPHA_CURRENT_EQS
    method: ClassVar[str] = "exact"

    tau_syn_E: Quantity = quantity(0.5 * ms, ms, **_POS_TIME)
    tau_syn_I: Quantity = quantity(0.5 * ms, ms, **_POS_TIME)


class IF_cond_alpha(_LeakyIF):  # PyNN's name
    """Leaky integrate-and-fire neuron with alpha-shaped conductance synapses.

    PyNN ``IF_cond_alpha``; defaults are PyNN's (``tau_syn_E = 0.3 ms``,
    ``tau_syn_I = 0.5 ms``).
    """

    weight_kind: ClassVar[str] = "conductance"
    state: ClassVar[dict[str, StateVariable]] = {"v": _V, **_COND_ALPHA}
    receptors: ClassVar[dict[str, Receptor]] = _ALPHA_RECEPTORS
    equations: ClassVar[str] = _LIF_V.format(inputs=_COND_INPUT) + _ALPHA_COND_EQS
    method: ClassVar[str] = "exponential_euler"

    tau_syn_E: Quantity = quantity(0.3 * ms, ms, **_POS_TIME)
    tau_syn_I: Quantity = quantity(0.5 * ms, ms, **_POS_TIME)
    e_rev_E: Quantity = quantity(0.0 * mV, mV)
    e_rev_I: Quantity = quantity(-70.0 * mV, mV)


class IF_curr_delta(CellType):  # PyNN's name
    """Leaky integrate-and-fire neuron whose synapses are voltage jumps.

    PyNN ``IF_curr_delta`` (NEST ``iaf_psc_delta``); defaults are PyNN's. A spike of weight
    w (mV) moves v by +w (excitatory) or -w (inhibitory) at once;
    ``cm dv/dt = cm (v_rest - v)/tau_m + i_offset`` between spikes, V frozen for
    ``tau_refrac`` after a spike.
    """

    weight_kind: ClassVar[str] = "voltage"
    state: ClassVar[dict[str, StateVariable]] = {"v": _V}
    receptors: ClassVar[dict[str, Receptor]] = _VOLTAGE_RECEPTORS
    equations: ClassVar[str] = _LIF_V.format(inputs="0*amp")
    method: ClassVar[str] = "exact"

    cm: Quantity = quantity(1.0 * nF, nF, **_POS_CAP)
    tau_m: Quantity = quantity(20.0 * ms, ms, **_POS_TIME)
    tau_refrac: Quantity = quantity(0.1 * ms, ms, low=0 * ms)
    i_offset: Quantity = quantity(0.0 * nA, nA)
    v_reset: Quantity = quantity(-65.0 * mV, mV)
    v_rest: Quantity = quantity(-65.0 * mV, mV)
    v_thresh: Quantity = quantity(-50.0 * mV, mV)

    def check(self) -> None:
        _reset_below(self, "v_thresh")


_ADEX_V = ("dv/dt = (c_m/tau_m*(v_rest - v) + c_m/tau_m*delta_T*exp((v - v_thresh)/delta_T)"
           " + " + _COND_INPUT + " + i_offset - w)/c_m : volt (unless refractory)\n"
           "dw/dt = (a*(v - v_rest) - w)/tau_w : amp\n")


class _AdEx(CellType):
    """Adaptive exponential integrate-and-fire (Brette & Gerstner 2005, J Neurophysiol 94:
    3637), PyNN's parameters and defaults.

    ``cm dv/dt = g_L (v_rest - v) + g_L delta_T exp((v - v_thresh)/delta_T) + I_syn
    + i_offset - w`` with ``g_L = cm/tau_m``; ``tau_w dw/dt = a (v - v_rest) - w``. A spike
    is detected at ``v >= v_spike`` (PyNN's "spike detection threshold", NEST's V_peak); the
    reset sets ``v = v_reset`` and adds ``b`` to ``w``; ``v`` is frozen for ``tau_refrac``.
    Integrated by second-order Runge-Kutta, as pyNN.brian2.
    """

    weight_kind: ClassVar[str] = "conductance"
    threshold: ClassVar[str] = "v >= v_spike"
    reset: ClassVar[str] = "v = v_reset\nw += b"
    method: ClassVar[str] = "rk2"

    cm: Quantity = quantity(0.281 * nF, nF, **_POS_CAP)
    tau_refrac: Quantity = quantity(0.1 * ms, ms, low=0 * ms)
    v_spike: Quantity = quantity(-40.0 * mV, mV)
    v_reset: Quantity = quantity(-70.6 * mV, mV)
    v_rest: Quantity = quantity(-70.6 * mV, mV)
    tau_m: Quantity = quantity(9.3667 * ms, ms, **_POS_TIME)
    i_offset: Quantity = quantity(0.0 * nA, nA)
    a: Quantity = quantity(4.0 * nS, nS)
    b: Quantity = quantity(0.0805 * nA, nA)
    delta_T: Quantity = quantity(2.0 * mV, mV, low=0 * mV, low_open=True)
    tau_w: Quantity = quantity(144.0 * ms, ms, **_POS_TIME)
    v_thresh: Quantity = quantity(-50.4 * mV, mV)
    e_rev_E: Quantity = quantity(0.0 * mV, mV)
    tau_syn_E: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)
    e_rev_I: Quantity = quantity(-80.0 * mV, mV)
    tau_syn_I: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)

    def check(self) -> None:
        _reset_below(self, "v_spike")


class EIF_cond_exp_isfa_ista(_AdEx):  # PyNN's name
    __doc__ = (_AdEx.__doc__ or "") + "\n    Exponentially decaying conductance synapses.\n"

    state: ClassVar[dict[str, StateVariable]] = {"v": _V, "w": StateVariable("amp"),
                                                 **_COND_EXP}
    receptors: ClassVar[dict[str, Receptor]] = _COND_RECEPTORS
    equations: ClassVar[str] = _ADEX_V + _EXP_COND_EQS


class EIF_cond_alpha_isfa_ista(_AdEx):  # PyNN's name
    __doc__ = (_AdEx.__doc__ or "") + "\n    Alpha-shaped conductance synapses.\n"

    state: ClassVar[dict[str, StateVariable]] = {"v": _V, "w": StateVariable("amp"),
                                                 **_COND_ALPHA}
    receptors: ClassVar[dict[str, Receptor]] = _ALPHA_RECEPTORS
    equations: ClassVar[str] = _ADEX_V + _ALPHA_COND_EQS


class Izhikevich(CellType):  # PyNN's name
    """Izhikevich's quadratic model (Izhikevich 2003, IEEE Trans Neural Netw 14:1569).

    PyNN ``Izhikevich``: ``dv/dt = 0.04 v^2 + 5 v + 140 - u + I`` (v in mV, t in ms, I in
    mV/ms per pA of ``i_offset``, as NEST's ``izhikevich``), ``du/dt = a (b v - u)``; a
    spike at ``v >= 30 mV`` resets ``v = c`` and adds ``d`` to ``u``. Synapses are voltage
    jumps (weights in mV). No refractory period.
    """

    weight_kind: ClassVar[str] = "voltage"
    state: ClassVar[dict[str, StateVariable]] = {
        "v": StateVariable("volt", -70e-3), "u": StateVariable("volt/second", -14.0)}
    receptors: ClassVar[dict[str, Receptor]] = _VOLTAGE_RECEPTORS
    equations: ClassVar[str] = """
        dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + i_offset/pF : volt
        du/dt = a*(b*v - u) : volt/second
    """
    threshold: ClassVar[str] = "v >= 30*mV"
    reset: ClassVar[str] = "v = c\nu += d"
    refractory: ClassVar[str | None] = None
    method: ClassVar[str] = "euler"

    a: Quantity = quantity(0.02 / ms, Hz)
    b: Quantity = quantity(0.2 / ms, Hz)
    c: Quantity = quantity(-65.0 * mV, mV)
    d: Quantity = quantity(2.0 * mV / ms, mV / ms)
    i_offset: Quantity = quantity(0.0 * nA, nA)


class HH_cond_exp(CellType):  # PyNN's name
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991), PyNN ``HH_cond_exp``.

    Sodium (m^3 h) and potassium (n^4) channels with Traub's rate functions shifted by
    ``v_offset``, as pyNN.brian2 and NEST's ``hh_cond_exp_traub``; exponentially decaying
    conductance synapses. A spike is counted when v crosses -40 mV upwards: the cell is
    "refractory" while v stays above (one spike per action potential).
    """

    weight_kind: ClassVar[str] = "conductance"
    state: ClassVar[dict[str, StateVariable]] = {
        "v": StateVariable("volt", -65e-3), **_COND_EXP, "m": StateVariable("1", 0.0),
        "n": StateVariable("1", 0.0), "h": StateVariable("1", 1.0)}
    receptors: ClassVar[dict[str, Receptor]] = _COND_RECEPTORS
    equations: ClassVar[str] = """
        dv/dt = (g_leak*(e_rev_leak - v) - gbar_Na*(m*m*m)*h*(v - e_rev_Na)
                 - gbar_K*(n*n*n*n)*(v - e_rev_K) + gsyn_exc*(e_rev_E - v)
                 + gsyn_inh*(e_rev_I - v) + i_offset)/c_m : volt
        dm/dt = alpham*(1 - m) - betam*m : 1
        dn/dt = alphan*(1 - n) - betan*n : 1
        dh/dt = alphah*(1 - h) - betah*h : 1
        alpham = (0.32/mV)*(13*mV - v + v_offset)/(exp((13*mV - v + v_offset)/(4*mV)) - 1)/ms : Hz
        betam = (0.28/mV)*(v - v_offset - 40*mV)/(exp((v - v_offset - 40*mV)/(5*mV)) - 1)/ms : Hz
        alphah = 0.128*exp((17*mV - v + v_offset)/(18*mV))/ms : Hz
        betah = 4/(1 + exp((40*mV - v + v_offset)/(5*mV)))/ms : Hz
        alphan = (0.032/mV)*(15*mV - v + v_offset)/(exp((15*mV - v + v_offset)/(5*mV)) - 1)/ms : Hz
        betan = 0.5*exp((10*mV - v + v_offset)/(40*mV))/ms : Hz
    """ + _EXP_COND_EQS
    threshold: ClassVar[str] = "v > -40*mV"
    reset: ClassVar[str] = ""
    refractory: ClassVar[str | None] = "v > -40*mV"
    method: ClassVar[str] = "exponential_euler"

    gbar_Na: Quantity = quantity(20.0 * uS, uS, low=0 * uS)
    gbar_K: Quantity = quantity(6.0 * uS, uS, low=0 * uS)
    g_leak: Quantity = quantity(0.01 * uS, uS, low=0 * uS)
    cm: Quantity = quantity(0.2 * nF, nF, **_POS_CAP)
    v_offset: Quantity = quantity(-63.0 * mV, mV)
    e_rev_Na: Quantity = quantity(50.0 * mV, mV)
    e_rev_K: Quantity = quantity(-90.0 * mV, mV)
    e_rev_leak: Quantity = quantity(-65.0 * mV, mV)
    e_rev_E: Quantity = quantity(0.0 * mV, mV)
    e_rev_I: Quantity = quantity(-80.0 * mV, mV)
    tau_syn_E: Quantity = quantity(0.2 * ms, ms, **_POS_TIME)
    tau_syn_I: Quantity = quantity(2.0 * ms, ms, **_POS_TIME)
    i_offset: Quantity = quantity(0.0 * nA, nA)


CELL_TYPES: dict[str, type[CellType]] = {c.__name__: c for c in (
    IF_curr_exp, IF_cond_exp, IF_curr_alpha, IF_cond_alpha, IF_curr_delta, EIF_cond_exp_isfa_ista,
    EIF_cond_alpha_isfa_ista, Izhikevich, HH_cond_exp)}

"""Composed point neurons (PyNN 0.13's ``PointNeuron``): a neuron model plus any number of
named synaptic receptors, declared as one cell type like every other.

``point_neuron("LIF", {"AMPA": "CondAlpha", "GABAA": "CondAlpha"})`` is a
:class:`~neurosim.network.cells.CellType` subclass whose parameters are the neuron's (PyNN's
``LIF`` / ``AdExp`` names and defaults) and, per receptor, ``<receptor>_tau_syn`` (and
``<receptor>_e_syn`` for conductances; PyNN calls them ``AMPA.tau_syn``); whose state is
``v`` (and ``w``) plus ``<receptor>_isyn`` or ``<receptor>_gsyn``; and whose receptors are
the given names, in the given order. One composition is one class (cached), so engines that
compile a cell type per class compile it once. Its class name encodes the composition
(``PointNeuron__LIF__AMPA_CondAlpha__GABAA_CondAlpha``), which is how a spec written to JSON
finds it again (:func:`cell_type_class`).

The receptor models are PyNN's (``pyNN/standardmodels/receptors.py``):
``CurrExp`` (a current jump decaying with tau_syn), ``CondExp`` (a conductance jump decaying
with tau_syn, current ``g (e_syn - v)``) and ``CondAlpha`` (an alpha-shaped conductance
``w (t/tau_syn) exp(1 - t/tau_syn)``, peak w at tau_syn, as the standard alpha cells).
"""

from __future__ import annotations

import functools
from typing import Any

from neurosim.errors import ParameterError
from neurosim.network.cells import (
    _ADEX_V,
    _POS_CAP,
    _POS_TIME,
    CELL_TYPES,
    CellType,
    Receptor,
    StateVariable,
    _reset_below,
)
from neurosim.params import quantity
from neurosim.units import Quantity, ms, mV, nA, nF, nS

__all__ = ["NEURONS", "RECEPTOR_MODELS", "cell_type_class", "point_neuron"]

_LIF_PARAMS = {
    "cm": (1.0 * nF, nF, _POS_CAP), "tau_refrac": (0.1 * ms, ms, {"low": 0 * ms}),
    "v_reset": (-65.0 * mV, mV, {}), "v_rest": (-65.0 * mV, mV, {}),
    "tau_m": (20.0 * ms, ms, _POS_TIME), "i_offset": (0.0 * nA, nA, {}),
    "v_thresh": (-50.0 * mV, mV, {})}
_ADEXP_PARAMS = {
    "cm": (0.281 * nF, nF, _POS_CAP), "tau_refrac": (0.1 * ms, ms, {"low": 0 * ms}),
    "v_spike": (-40.0 * mV, mV, {}), "v_reset": (-70.6 * mV, mV, {}),
    "v_rest": (-70.6 * mV, mV, {}), "tau_m": (9.3667 * ms, ms, _POS_TIME),
    "i_offset": (0.0 * nA, nA, {}), "a": (4.0 * nS, nS, {}), "b": (0.0805 * nA, nA, {}),
    "delta_T": (2.0 * mV, mV, {"low": 0 * mV, "low_open": True}),
    "tau_w": (144.0 * ms, ms, _POS_TIME), "v_thresh": (-50.4 * mV, mV, {})}

#: The neuron models (PyNN's ``LIF`` and ``AdExp`` components): parameters with PyNN's
#: defaults, the membrane equation with ``{inputs}`` for the receptors' currents, the
#: threshold and reset.
NEURONS: dict[str, dict[str, Any]] = {
    "LIF": {"params": _LIF_PARAMS, "state": {},
            "v": "dv/dt = (v_rest - v)/tau_m + ({inputs} + i_offset)/c_m : volt "
                 "(unless refractory)\n",
            "threshold": "v >= v_thresh", "reset": "v = v_reset", "method": "exact"},
    "AdExp": {"params": _ADEXP_PARAMS, "state": {"w": StateVariable("amp")},
              "v": _ADEX_V.replace("gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v)",
                                   "{inputs}"),
              "threshold": "v >= v_spike", "reset": "v = v_reset\nw += b", "method": "rk2"},
}

#: The receptor models: conductance-based or not, their parameters, state and equations
#: (``R`` stands for the receptor's name).
RECEPTOR_MODELS: dict[str, dict[str, Any]] = {
    "CurrExp": {"conductance": False, "params": ("tau_syn",),
                "state": {"R_isyn": "amp"}, "target": "R_isyn", "current": "R_isyn",
                "eqs": "dR_isyn/dt = -R_isyn/R_tau_syn : amp\n"},
    "CondExp": {"conductance": True, "params": ("tau_syn", "e_syn"),
                "state": {"R_gsyn": "siemens"}, "target": "R_gsyn",
                "current": "R_gsyn*(R_e_syn - v)",
                "eqs": "dR_gsyn/dt = -R_gsyn/R_tau_syn : siemens\n"},
    "CondAlpha": {"conductance": True, "params": ("tau_syn", "e_syn"),
                  "state": {"R_gsyn": "siemens", "R_y": "siemens"}, "target": "R_y",
                  "current": "R_gsyn*(R_e_syn - v)",
                  "eqs": "dR_gsyn/dt = (2.718281828459045*R_y - R_gsyn)/R_tau_syn : siemens\n"
                         "dR_y/dt = -R_y/R_tau_syn : siemens\n"},
}

_RECEPTOR_PARAMS = {"tau_syn": (5.0 * ms, ms, _POS_TIME), "e_syn": (0.0 * mV, mV, {})}


def _check(neuron: str, receptors: tuple[tuple[str, str], ...],
           inhibitory: tuple[str, ...]) -> None:
    owner = "point_neuron"
    if neuron not in NEURONS:
        raise ParameterError("neuron", neuron, f"one of {sorted(NEURONS)}", owner)
    if not receptors:
        raise ParameterError("receptors", {}, "at least one named receptor", owner)
    for name, model in receptors:
        if not name.isidentifier() or "__" in name:
            raise ParameterError("receptors", name, "identifiers without '__'", owner)
        if model not in RECEPTOR_MODELS:
            raise ParameterError(f"receptors[{name!r}]", model,
                                 f"one of {sorted(RECEPTOR_MODELS)}", owner)
    kinds = {RECEPTOR_MODELS[m]["conductance"] for _, m in receptors}
    if len(kinds) > 1:
        raise ParameterError("receptors", dict(receptors), "all current-based or all "
                             "conductance-based (as PyNN's PointNeuron)", owner)
    for name in inhibitory:
        if name not in dict(receptors) or RECEPTOR_MODELS[dict(receptors)[name]]["conductance"]:
            raise ParameterError("inhibitory", name, "current-based receptors of this cell "
                                 "(a conductance's direction is its e_syn)", owner)


def point_neuron(neuron: str, receptors: dict[str, str],
                 inhibitory: tuple[str, ...] = ()) -> type[CellType]:
    """The cell type of ``neuron`` ("LIF" or "AdExp") with ``receptors`` (name -> "CurrExp",
    "CondExp" or "CondAlpha"), in that order; the same class for the same composition.

    ``inhibitory`` names current-based receptors whose weights pull the membrane down (PyNN
    gives them negative weights; our weights are magnitudes, the receptor has the sign)."""
    items = tuple((str(k), str(v)) for k, v in receptors.items())
    inh = tuple(sorted(set(inhibitory)))
    _check(neuron, items, inh)
    return _compose(neuron, items, inh)


@functools.cache
def _compose(neuron: str, receptors: tuple[tuple[str, str], ...],
             inhibitory: tuple[str, ...]) -> type[CellType]:
    spec = NEURONS[neuron]
    fields: list[tuple[str, Any, Any]] = []
    for name, (default, unit, bounds) in spec["params"].items():
        fields.append((name, Quantity, quantity(default, unit, **bounds)))
    state: dict[str, StateVariable] = {"v": StateVariable("volt", "v_rest"), **spec["state"]}
    declared: dict[str, Receptor] = {}
    eqs, currents = "", []
    for r, model in receptors:
        m = RECEPTOR_MODELS[model]
        for p in m["params"]:
            default, unit, bounds = _RECEPTOR_PARAMS[p]
            fields.append((f"{r}_{p}", Quantity, quantity(default, unit, **bounds)))
        for var, unit in m["state"].items():
            state[var.replace("R_", f"{r}_")] = StateVariable(
                unit, internal=var == "R_y")
        declared[r] = Receptor(m["target"].replace("R_", f"{r}_"),
                               -1.0 if r in inhibitory else 1.0)
        eqs += m["eqs"].replace("R_", f"{r}_")
        currents.append(m["current"].replace("R_", f"{r}_"))
    conductance = RECEPTOR_MODELS[receptors[0][1]]["conductance"]
    equations = spec["v"].format(inputs=" + ".join(currents)) + eqs
    name = "__".join(["PointNeuron", neuron, *(f"{r}_{m}{'Inh' if r in inhibitory else ''}"
                                               for r, m in receptors)])
    threshold_param = "v_spike" if neuron == "AdExp" else "v_thresh"

    def check(self: Any) -> None:
        _reset_below(self, threshold_param)

    namespace: dict[str, Any] = {
        "weight_kind": "conductance" if conductance else "current",
        "state": state, "receptors": declared, "equations": equations,
        "threshold": spec["threshold"], "reset": spec["reset"],
        # as the standard cells: a LIF with conductances is not linear (exponential Euler,
        # as IF_cond_exp); with currents it is (exact)
        "method": ("exponential_euler" if neuron == "LIF" and conductance
                   else spec["method"]),
        "composition": (neuron, receptors, inhibitory), "check": check,
        "__doc__": f"PyNN's PointNeuron({neuron}, " + ", ".join(
            f"{r}={m}" for r, m in receptors) + ") (neurosim.network.composed).",
        "__module__": __name__, "__qualname__": name,
        # the fields, as a class body declares them (Params makes the class a dataclass)
        "__annotations__": {f: t for f, t, _ in fields}, **{f: d for f, _, d in fields},
    }
    return type(name, (CellType,), namespace)


def cell_type_class(name: str) -> type[CellType]:
    """A cell type by its class name: a standard one or a composition
    (``PointNeuron__<neuron>__<receptor>_<model>__...``)."""
    if name in CELL_TYPES:
        return CELL_TYPES[name]
    parts = name.split("__")
    if len(parts) >= 3 and parts[0] == "PointNeuron":
        pairs = [p.rsplit("_", 1) for p in parts[2:]]
        inhibitory = tuple(r for r, m in pairs if m.endswith("Inh"))
        return point_neuron(parts[1], {r: m.removesuffix("Inh") for r, m in pairs},
                            inhibitory)
    raise ParameterError("celltype", name, f"one of {sorted(CELL_TYPES)} or a PointNeuron "
                         "composition", "cell_type_class")

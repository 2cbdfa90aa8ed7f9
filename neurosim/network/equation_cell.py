"""A user's own neuron model in Brian2's syntax, declared once like every cell type.

:func:`equation_cell` turns equations, a threshold, a reset, a refractory period and an
integration method (Brian2's ``NeuronGroup`` arguments) plus parameter defaults, initial
values and the receptors' target variables into a :class:`~neurosim.network.cells.CellType`
subclass. Every engine builds it as it builds the standard cells: the Brian2 engine writes
its ``NeuronGroup``, the Numba and reference engines compile what Brian2's state updater
makes of the equations (:mod:`neurosim.engines.cellgen`)::

    QIF = equation_cell("dv/dt = (v - v_rest)*(v - v_c)/(tau*mV) + i_offset/C : volt",
                        threshold="v > 10*mV", reset="v = -70*mV", method="euler",
                        parameters={"tau": 10*ms, "v_rest": -65*mV, "v_c": -50*mV,
                                    "C": 200*pF, "i_offset": 0*nA})

Everything is checked here, before any engine compiles anything, with Brian2's own checks
(parsing, units of the equations, of the threshold and of the reset, identifiers, whether
the method can integrate the equations); a failure is a :class:`ParameterError` that
quotes the offending line.

The semantics are Brian2's: ``refractory`` is a time (``timestep(refractory, dt)`` steps
from the spike step, variables flagged ``(unless refractory)`` frozen), a parameter holding
one, or a condition; the reset's statements run in order. One thing is ours: a spike of
weight w on a receptor adds ``sign * w`` to the receptor's target variable at the end of
the step after its delay, as for every cell type.

One declaration is one class: the same arguments give the same class, a spec written to
JSON carries the declaration and rebuilds it (:func:`cell_type_from_declaration`). The
generated code holds no parameter value, so changing a parameter never recompiles.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import textwrap
from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.network.cells import (
    CELL_TYPES,
    CellType,
    Receptor,
    StateVariable,
    brian2_declaration,
)
from neurosim.params import quantity
from neurosim.units import Quantity, si_unit_name, to_si, unit_from_name

__all__ = ["EquationCell", "cell_type_from_declaration", "equation_cell"]

_OWNER = "equation_cell"
_METHODS = ("exact", "exponential_euler", "euler", "rk2", "rk4", "heun", "milstein")
#: Brian2 features a compiled cell of ours cannot have: random numbers, the neuron's index,
#: spike times and group sizes (their values live in Brian2's own objects).
_BRIAN2_ONLY_NAMES = {"xi": "stochastic equations (xi)", "rand": "rand()",
                      "randn": "randn()", "lastspike": "lastspike", "i": "the neuron index i",
                      "N": "the group size N"}
_BRIAN2_ONLY_FLAGS = {"linked": "linked variables", "shared": "shared variables",
                      "summed": "summed variables"}
_WEIGHT_KINDS = {"amp": "current", "siemens": "conductance", "volt": "voltage"}


class EquationCell(CellType):
    """Base of the cell types :func:`equation_cell` declares (one subclass per
    declaration). ``declaration`` is the JSON-able description it was built from."""

    declaration: ClassVar[dict[str, Any]] = {}
    refractory_rounding: ClassVar[str] = "brian2"

    @classmethod
    def defaults(cls) -> dict[str, Quantity]:
        """The default value of each parameter, with its unit."""
        cell = cls()
        return {f.name: getattr(cell, f.name) for f in dataclasses.fields(cls)}

    def __reduce__(self) -> tuple[Any, ...]:
        # the class is made at run time: pickle rebuilds it from its declaration
        return (_instance, (json.dumps(self.declaration, sort_keys=True), self.to_dict()))


def _instance(declaration: str, params: dict[str, Any]) -> EquationCell:
    return _build(declaration).from_dict(params)  # type: ignore[return-value]


def cell_type_from_declaration(declaration: dict[str, Any]) -> type[EquationCell]:
    """The class of a declaration (``EquationCell.declaration``, e.g. from a spec's JSON)."""
    return _build(json.dumps(declaration, sort_keys=True))


def equation_cell(model: str, *, threshold: str, reset: str = "",
                  refractory: Quantity | str | None = None, method: str = "exact",
                  parameters: dict[str, Any] | None = None,
                  initial: dict[str, Any] | None = None,
                  receptors: dict[str, str] | None = None,
                  name: str = "EquationCell") -> type[EquationCell]:
    """A cell type from equations in Brian2's syntax.

    Parameters
    ----------
    model
        Brian2 equations with units: differential equations (flag ``(unless
        refractory)`` to freeze a variable while refractory), subexpressions, and
        parameters (``name : unit (constant)``; their defaults come from ``parameters``).
        A parameter without the ``constant`` flag (``vt : volt``) is a state variable a
        reset may change.
    threshold
        The spike condition (a boolean expression).
    reset
        Statements run in order on a neuron that spiked, one per line.
    refractory
        None; a time (the parameter ``tau_refrac`` holds it, one value per neuron
        allowed); the name of a time parameter; or a boolean condition that holds the
        neuron refractory.
    method
        Brian2's integration method: "exact", "exponential_euler", "euler", "rk2", "rk4",
        "heun".
    parameters
        Default value of each parameter (a quantity, or a number for a dimensionless one).
        Parameters the model uses without declaring them are declared with the unit of
        their default. An instance may override each, per neuron too.
    initial
        Initial value of each state variable (a quantity, a number for a dimensionless one,
        or the name of a parameter); 0 otherwise.
    receptors
        What a spike on each receptor adds its weight to: ``{"excitatory": "ge",
        "inhibitory": "gi"}``; a leading "-" subtracts (``"-v"``). Every target must be a
        state variable, all of one unit: amperes (weights in nA), siemens (uS) or volts
        (mV).
    name
        The class name (an identifier).

    Returns
    -------
    type[EquationCell]
        The same class for the same arguments.

    Raises
    ------
    ParameterError
        Syntax or unit errors, unknown identifiers, a non-boolean threshold, a reset of an
        unknown variable, a method that cannot integrate the equations; the message quotes
        the line.
    UnsupportedFeature
        Features only Brian2 itself runs (summed, linked or shared variables, ``xi``,
        ``rand()``, the index ``i``; a membrane current density ``Im``, which makes a
        multi-compartment SpatialNeuron): use Brian2's own NeuronGroup or SpatialNeuron.
    """
    declaration = _declare(model, threshold, reset, refractory, method, parameters or {},
                           initial or {}, receptors or {}, name)
    return _build(json.dumps(declaration, sort_keys=True))


# -- declaration: validated, canonical, JSON-able ------------------------------------------
def _value_si(param: str, value: Any) -> tuple[float, str]:
    """(SI value, SI unit name) of a scalar default."""
    if isinstance(value, bool) or not isinstance(value, Quantity | float | int | np.number):
        raise ParameterError(param, value, "a scalar quantity (or a number, for a "
                             "dimensionless value)", _OWNER)
    if np.ndim(value) != 0:
        raise ParameterError(param, value, "one value (a default; an instance of the cell "
                             "type takes one value per neuron)", _OWNER)
    si = float(to_si(value))
    if not np.isfinite(si):
        raise ParameterError(param, value, "a finite value", _OWNER)
    return si, si_unit_name(value)


def _lines(model: str) -> list[str]:
    return textwrap.dedent(model).strip("\n").splitlines()


def _line_of(model: str, pattern: str) -> str:
    """``line N: '...'`` of the first line of ``model`` matching ``pattern``."""
    for k, ln in enumerate(_lines(model), 1):
        if re.search(pattern, ln):
            return f"line {k}: {ln.strip()!r}"
    return repr(model.strip())


def _syntax_error_line(model: str) -> str:
    """The line Brian2 cannot parse: equations are parsed chunk by chunk (a chunk ends where
    parentheses close), the first that fails is reported."""
    import brian2 as b2

    chunk: list[str] = []
    depth = 0
    for k, ln in enumerate(_lines(model), 1):
        chunk.append(ln)
        depth += ln.count("(") - ln.count(")")
        if depth > 0:
            continue
        try:
            b2.Equations("\n".join(chunk))
        except Exception:
            return f"line {k}: {ln.strip()!r}"
        chunk, depth = [], 0
    return repr(model.strip())


def _declare(model: str, threshold: str, reset: str, refractory: Any, method: str,
             parameters: dict[str, Any], initial: dict[str, Any],
             receptors: dict[str, str], name: str) -> dict[str, Any]:
    import brian2 as b2
    from brian2.equations.equations import DIFFERENTIAL_EQUATION, PARAMETER

    if not isinstance(name, str) or not name.isidentifier() or name in CELL_TYPES:
        raise ParameterError("name", name, "an identifier that is not a standard cell type's "
                             "name", _OWNER)
    for arg, value in (("model", model), ("threshold", threshold), ("reset", reset)):
        if not isinstance(value, str):
            raise ParameterError(arg, value, "a string in Brian2's syntax", _OWNER)
    if method not in _METHODS:
        raise ParameterError("method", method, f"one of {list(_METHODS)}", _OWNER)
    if not threshold.strip():
        raise ParameterError("threshold", threshold, "a boolean expression", _OWNER)
    try:
        eqs = b2.Equations(textwrap.dedent(model))
    except Exception as err:
        raise ParameterError("model", _syntax_error_line(model),
                             f"equations in Brian2's syntax ({err})", _OWNER) from None
    for eq in eqs.values():
        for flag, what in _BRIAN2_ONLY_FLAGS.items():
            if flag in eq.flags:
                raise UnsupportedFeature(f"{what} ({eq.varname} in {name})", "numba",
                                         "the brian2 engine with your own NeuronGroup")
    im = eqs.get("Im")
    if im is not None and im.dim == (b2.amp / b2.meter**2).dim:
        # SpatialNeuron's membrane current density: a compartmental model
        raise UnsupportedFeature(f"multi-compartment neurons (Im in {name})", "numba",
                                 "the brian2 engine with your own SpatialNeuron")
    text = "\n".join([model, threshold, reset, refractory if isinstance(refractory, str)
                      else ""])
    for word, what in _BRIAN2_ONLY_NAMES.items():
        if re.search(rf"\b{word}\b", text):
            raise UnsupportedFeature(f"{what} in the equations of {name}", "numba",
                                     "the brian2 engine with your own NeuronGroup")

    # parameters: declared in the model (constant) or by their default's unit
    declared_params = {n: eq for n, eq in eqs.items()
                       if eq.type == PARAMETER and "constant" in eq.flags}
    params: dict[str, dict[str, Any]] = {}
    for pname, value in parameters.items():
        if not isinstance(pname, str) or not pname.isidentifier():
            raise ParameterError("parameters", pname, "identifiers", _OWNER)
        if pname in eqs and pname not in declared_params:
            raise ParameterError(f"parameters[{pname!r}]", value, "the default of a parameter "
                                 f"({pname} is a variable of the model)", _OWNER)
        si, unit = _value_si(f"parameters[{pname!r}]", value)
        if pname in declared_params:
            want = si_unit_name(b2.get_unit(declared_params[pname].dim))
            if want != unit:
                line = _line_of(model, rf"^\s*{pname}\s*:")
                raise ParameterError(f"parameters[{pname!r}]", value,
                                     f"a value in {want}, as {line} declares", _OWNER)
        params[pname] = {"value": si, "unit": unit}
    missing = sorted(set(declared_params) - set(params))
    if missing:
        raise ParameterError("parameters", sorted(params), f"a default for every declared "
                             f"parameter (missing: {missing})", _OWNER)

    # refractoriness: a time parameter, or a condition
    refr: dict[str, str] | None = None
    if isinstance(refractory, Quantity | float | int) and not isinstance(refractory, bool):
        si, unit = _value_si("refractory", refractory)
        if unit != "second" or si < 0:
            raise ParameterError("refractory", refractory, "a time >= 0, the name of a time "
                                 "parameter, a boolean condition or None", _OWNER)
        if "tau_refrac" in params or "tau_refrac" in eqs:
            raise ParameterError("refractory", refractory, "the name of your time parameter "
                                 "(tau_refrac is taken by your model)", _OWNER)
        params["tau_refrac"] = {"value": si, "unit": "second"}
        refr = {"parameter": "tau_refrac"}
    elif isinstance(refractory, str) and refractory.strip():
        if refractory.strip() in params:
            if params[refractory.strip()]["unit"] != "second":
                raise ParameterError("refractory", refractory, "a time parameter or a "
                                     "boolean condition", _OWNER)
            refr = {"parameter": refractory.strip()}
        else:
            refr = {"condition": refractory.strip()}
    elif refractory is not None and refractory != "":
        raise ParameterError("refractory", refractory, "a time, the name of a time "
                             "parameter, a boolean condition or None", _OWNER)

    state_names = [n for n, eq in eqs.items()
                   if eq.type == DIFFERENTIAL_EQUATION
                   or (eq.type == PARAMETER and "constant" not in eq.flags)]
    if not state_names:
        raise ParameterError("model", model.strip(), "at least one differential equation",
                             _OWNER)
    state_units = {n: si_unit_name(b2.get_unit(eqs[n].dim)) for n in state_names}
    init: dict[str, Any] = {}
    for var, value in initial.items():
        if var not in state_units:
            raise ParameterError("initial", var, f"a state variable of the model "
                                 f"({state_names})", _OWNER)
        if isinstance(value, str):
            if value not in params or params[value]["unit"] != state_units[var]:
                raise ParameterError(f"initial[{var!r}]", value, f"a value in "
                                     f"{state_units[var]} or the name of such a parameter",
                                     _OWNER)
            init[var] = {"parameter": value}
            continue
        si, unit = _value_si(f"initial[{var!r}]", value)
        if unit != state_units[var]:
            raise ParameterError(f"initial[{var!r}]", value, f"a value in {state_units[var]}",
                                 _OWNER)
        init[var] = {"value": si}

    recs: dict[str, dict[str, Any]] = {}
    for rname, target in receptors.items():
        t = str(target).strip()
        sign = -1.0 if t.startswith("-") else 1.0
        var = t.lstrip("-+ ")
        if var not in state_units:
            raise ParameterError(f"receptors[{rname!r}]", target, f"a state variable of the "
                                 f"model ({state_names}), '-' in front to subtract", _OWNER)
        recs[str(rname)] = {"target": var, "sign": sign}
    kinds = {state_units[r["target"]] for r in recs.values()}
    if len(kinds) > 1 or (kinds and not kinds <= set(_WEIGHT_KINDS)):
        raise ParameterError("receptors", receptors, "targets all in amp, all in siemens or "
                             "all in volt (the weights' unit follows)", _OWNER)

    # equations without the constant parameters: the engines declare every parameter
    kept = [ln for ln in _lines(model)
            if not any(re.match(rf"^\s*{p}\s*:", ln) for p in declared_params)]
    declaration = {
        "name": name, "model": "\n".join(kept), "threshold": threshold.strip(),
        "reset": "\n".join(ln.strip() for ln in reset.splitlines() if ln.strip()),
        "refractory": refr, "method": method, "parameters": params, "initial": init,
        "receptors": recs, "weight_kind": _WEIGHT_KINDS[kinds.pop()] if kinds else "current",
    }
    _brian2_checks(declaration, model, reset)
    return declaration


def _brian2_checks(decl: dict[str, Any], model: str, reset: str) -> None:
    """Brian2's own checks of the equations, threshold, reset and method, as a
    ``NeuronGroup`` would run them before compiling; failures quote the line."""
    import brian2 as b2
    from brian2.core.variables import Variable
    from brian2.equations.unitcheck import check_units_statements
    from brian2.parsing.expressions import parse_expression_dimensions
    from brian2.units.fundamentalunits import DimensionMismatchError
    from brian2.utils.stringtools import get_identifiers

    cls = _class_of(decl)
    eqs_text, refractory = brian2_declaration(cls())
    try:
        group = b2.NeuronGroup(1, eqs_text, threshold=decl["threshold"],
                               reset=decl["reset"], refractory=refractory,
                               method=decl["method"], namespace={})
    except Exception as err:
        raise ParameterError("model", _syntax_error_line(model),
                             f"equations Brian2 accepts ({err})", _OWNER) from None
    group._network = "neurosim.network.equation_cell"  # only read: Brian2 need not warn
    try:
        group.equations.check_units(group, run_namespace={})
    except DimensionMismatchError as err:
        var = re.search(r"variable '(\w+)'", str(err))
        where = (_line_of(model, rf"^\s*(d{var.group(1)}\s*/\s*dt|{var.group(1)})\s*=")
                 if var else repr(model.strip()))
        raise ParameterError("model", where, f"equations with consistent units ({err})",
                             _OWNER) from None
    except KeyError as err:
        ident = re.search(r'identifier "(\w+)"', str(err))
        where = _line_of(model, rf"\b{ident.group(1)}\b") if ident else repr(model.strip())
        raise ParameterError("model", where, f"known names: variables, parameters (give "
                             f"their defaults in parameters=), units and functions ({err})",
                             _OWNER) from None
    try:
        group.state_updater.update_abstract_code(run_namespace={})
    except Exception as err:
        raise ParameterError("method", decl["method"], f"a method that can integrate these "
                             f"equations (Brian2: {err})", _OWNER) from None
    threshold = decl["threshold"]
    try:
        thresholder = group.thresholder["spike"]
        thresholder.update_abstract_code(run_namespace={})
        variables = group.resolve_all(get_identifiers(threshold), run_namespace={})
        parse_expression_dimensions(threshold, variables)
    except TypeError as err:
        raise ParameterError("threshold", threshold, f"a boolean expression ({err})",
                             _OWNER) from None
    except (KeyError, DimensionMismatchError, SyntaxError) as err:
        raise ParameterError("threshold", threshold, f"a boolean expression of known names "
                             f"with consistent units ({err})", _OWNER) from None
    if refractory and isinstance(refractory, str) and decl["refractory"].get("condition"):
        cond = decl["refractory"]["condition"]
        try:
            variables = group.resolve_all(get_identifiers(cond), run_namespace={})
            if parse_expression_dimensions(cond, variables) is not b2.DIMENSIONLESS:
                raise TypeError("not a boolean")
            b2.NeuronGroup(1, eqs_text, threshold=threshold, refractory=cond,
                           method=decl["method"], namespace={})._network = _OWNER
        except Exception as err:
            raise ParameterError("refractory", cond, f"a time, a time parameter or a "
                                 f"boolean condition ({err})", _OWNER) from None
    state = set(cls.state)
    for k, ln in enumerate(_lines(reset), 1):
        stmt = ln.strip()
        if not stmt:
            continue
        where = f"line {k}: {stmt!r}"
        m = re.match(r"^(\w+)\s*([-+*/]?=)(?!=)", stmt)
        if not m:
            raise ParameterError("reset", where, "assignments to state variables "
                                 "('v = v_reset', 'w += b')", _OWNER)
        if m.group(1) not in state:
            raise ParameterError("reset", where, f"assignments to state variables "
                                 f"({sorted(state)})", _OWNER)
        try:
            idents = get_identifiers(stmt)
            variables = group.resolve_all(idents, run_namespace={})
            variables.update({n: v for n, v in group.variables.items()
                              if n in idents and isinstance(v, Variable)})
            check_units_statements(stmt, variables)
        except (KeyError, DimensionMismatchError, SyntaxError) as err:
            raise ParameterError("reset", where, f"statements with known names and "
                                 f"consistent units ({err})", _OWNER) from None


# -- the class ---------------------------------------------------------------------------
def _class_of(decl: dict[str, Any]) -> type[EquationCell]:
    """A class for ``decl`` (not cached: :func:`_build` caches the checked ones)."""
    fields: list[tuple[str, Any, Any]] = []
    for pname, p in decl["parameters"].items():
        unit = unit_from_name(p["unit"])
        low = {"low": 0 * unit} if pname == (decl["refractory"] or {}).get("parameter") else {}
        fields.append((pname, Quantity, quantity(p["value"] * unit, unit, **low)))
    state = {}
    import brian2 as b2

    eqs = b2.Equations(decl["model"] + "".join(
        f"\n{p} : {v['unit']} (constant)" for p, v in decl["parameters"].items()))
    for var, eq in eqs.items():
        if eq.type == "differential equation" or (eq.type == "parameter"
                                                  and "constant" not in eq.flags):
            init = decl["initial"].get(var, {"value": 0.0})
            state[var] = StateVariable(si_unit_name(b2.get_unit(eq.dim)),
                                       init.get("parameter", init.get("value")))
    refr = decl["refractory"] or {}
    namespace: dict[str, Any] = {
        "weight_kind": decl["weight_kind"], "state": state,
        "receptors": {r: Receptor(v["target"], v["sign"]) for r, v in decl["receptors"].items()},
        "equations": decl["model"], "threshold": decl["threshold"], "reset": decl["reset"],
        "refractory": refr.get("parameter", refr.get("condition")), "method": decl["method"],
        "declaration": decl, "__module__": __name__, "__qualname__": decl["name"],
        "__doc__": f"Equation cell {decl['name']} (neurosim.network.equation_cell):\n\n"
                   + textwrap.indent(decl["model"], "    "),
        "__annotations__": {f: t for f, t, _ in fields}, **{f: d for f, _, d in fields},
    }
    return type(decl["name"], (EquationCell,), namespace)


@functools.cache
def _build(declaration: str) -> type[EquationCell]:
    return _class_of(json.loads(declaration))


"""A cell type's declaration turned into update code for the array engines.

Brian2 reads the declaration (:mod:`neurosim.network.cells`) exactly as the Brian2 engine
does: the same ``NeuronGroup``, whose state updater yields the abstract code of one step
(``exact``, ``exponential_euler``, ``rk2``, ``euler``: Brian2's own integrators, with its
``int(not_refractory)`` factors), whose thresholder yields the spike condition and whose
reset statements we take as written. :func:`cell_program` collects them once per cell type;
two renderings follow from one program:

* :func:`numba_functions`: a Python module written into the cache folder (its name is the
  hash of its text, so Numba's ``cache=True`` finds it again in a new process) with two
  ``@njit`` functions of fixed signatures, ``update`` and ``spike``, which the Numba
  kernel calls through first-class function pointers, one pair per cell type;
* :func:`numpy_functions`: the same statements over whole NumPy arrays, for the reference
  engine (booleans through ``np.logical_*``, ``int()`` as a float cast).

State and parameters travel as rows of 2-D float arrays (``S[row, neuron]``,
``P[row, neuron]``) in the program's order. Refractoriness follows Brian2: a refractory
period in whole steps (``k - last_spike >= refrac_ticks + 1``, the (steps + 1) dt period the
Brian2 engine gives), or a condition the cell leaves refractory by
(``not_refractory or not (condition)``); variables flagged ``(unless refractory)`` keep their
value while refractory.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.network.cells import CellType, brian2_declaration, brian2_name

__all__ = ["CellProgram", "cell_program", "numba_functions", "numpy_functions"]

_FUNCTIONS = {"exp", "log", "sqrt", "abs", "int", "sin", "cos", "tan", "tanh", "clip"}


@dataclass(frozen=True)
class CellProgram:
    """One cell type as statements over named scalars (or arrays).

    Attributes
    ----------
    state, params
        Row names of the state and parameter arrays (state in the declaration's order,
        parameters under their Brian2 names).
    update
        Statements of one step (Brian2's abstract code, units replaced by SI floats);
        they assign ``_x`` then ``x`` for each state variable ``x``.
    conditional
        State variables written only when not refractory.
    refractory
        "time", "condition" or "none": how ``not_refractory`` is computed before the step
        (the condition statement, if any, is the first of ``update``).
    threshold
        The spike condition (an expression).
    reset
        Statements applied to a neuron that spiked.
    """

    name: str
    state: tuple[str, ...]
    params: tuple[str, ...]
    update: tuple[str, ...]
    conditional: frozenset[str]
    refractory: str
    threshold: str
    reset: tuple[str, ...]
    subexpressions: tuple[tuple[str, str], ...] = ()

    def defining(self, statement: str, target: bool = False) -> list[str]:
        """The subexpression statements ``statement`` needs before it (all of them, in
        dependency order, when it reads any: Brian2 recomputes them as the reset goes)."""
        if not self.subexpressions:
            return []
        rhs = statement.split("=", 1)[1] if target else statement
        names = {node.id for node in ast.walk(ast.parse(rhs.strip()))
                 if isinstance(node, ast.Name)}
        needed = {n for n, _ in self.subexpressions} & names
        if not needed:
            return []
        return [f"{n} = {e}" for n, e in self.subexpressions]


def param_rows(cell: CellType) -> tuple[tuple[str, str], ...]:
    """(field name, Brian2 name) of every parameter with a unit, in declaration order."""
    return tuple((f.name, brian2_name(f.name)) for f in dataclasses.fields(cell)
                 if f.metadata.get("unit") is not None)


@functools.cache
def cell_program(cell_type: type[CellType]) -> CellProgram:
    """The program of a cell type, read from the NeuronGroup Brian2 builds from it."""
    import brian2 as b2
    from brian2.equations.equations import DIFFERENTIAL_EQUATION, SUBEXPRESSION

    cell = cell_type()
    names = param_rows(cell)
    eqs, refractory = brian2_declaration(cell)
    group = b2.NeuronGroup(1, eqs, threshold=cell.threshold, reset=cell.reset or None,
                           refractory=refractory, method=cell.method, namespace={},
                           name=f"neurosim_codegen_{cell_type.__name__}*")
    # Only read, never run: mark it owned so Brian2 does not warn about an unused object.
    group._network = "neurosim.engines.cellgen"
    updater = group.state_updater
    updater.update_abstract_code(run_namespace={})
    lines = [ln.strip() for ln in updater.abstract_code.splitlines() if ln.strip()]
    kind = "none"
    timed = cell_type.refractory_parameter() is not None
    if lines and lines[0].startswith("not_refractory"):
        first = lines.pop(0)
        if timed:
            kind = "time"
        else:
            kind = "condition"
            lines.insert(0, first)
    elif cell.refractory:
        kind = "time" if timed else "condition"
    thresholder = group.thresholder["spike"]
    thresholder.update_abstract_code(run_namespace={})
    threshold = thresholder.abstract_code.split("=", 1)[1].strip()
    reset = tuple(ln.strip() for ln in (cell.reset or "").splitlines() if ln.strip())
    conditional = frozenset(
        eq.varname for eq in group.equations.values()
        if eq.type == DIFFERENTIAL_EQUATION and "unless refractory" in eq.flags)
    state = tuple(cell.state)
    params = tuple(b2n for _, b2n in names)
    # subexpressions the threshold, the reset or the refractory condition read (Brian2
    # substitutes them into the state update itself), in an order that defines each
    # before its use
    subexpressions = tuple((eq.varname, str(eq.expr)) for eq in group.equations.ordered
                           if eq.type == SUBEXPRESSION)
    known = (set(state) | set(params) | {"dt", "t", "not_refractory"}
             | {name for name, _ in subexpressions})
    update = [_si_constants(ln, known) for ln in lines]
    if kind == "condition" and _names(update[0]) & {n for n, _ in subexpressions}:
        # the condition reads subexpressions: define them (all, in order) before it
        update[0:0] = [_si_constants(f"{n} = {e}", known) for n, e in subexpressions]
    return CellProgram(
        name=cell_type.__name__, state=state, params=params,
        update=tuple(update), conditional=conditional,
        refractory=kind, threshold=_si_constants(threshold, known),
        reset=tuple(_si_constants(ln, known) for ln in reset),
        subexpressions=tuple((n, _si_constants(e, known)) for n, e in subexpressions))


class _Units(ast.NodeTransformer):
    """Brian2 unit names (mV, ms, pF) become their SI values: plain floats for the kernels."""

    def __init__(self, known: set[str]):
        self.known = known

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if (node.id in self.known or node.id in _FUNCTIONS or node.id.startswith("_")
                or not isinstance(node.ctx, ast.Load)):
            return node
        import brian2 as b2

        value = getattr(b2, node.id, None)
        if value is None or not isinstance(value, b2.Quantity | float | int):
            raise ValueError(f"cannot resolve {node.id!r} in a cell's code")
        return ast.copy_location(ast.Constant(float(value)), node)


def _si_constants(statement: str, known: set[str]) -> str:
    tree = ast.parse(statement)
    return ast.unparse(_Units(known).visit(tree))


class _Vectorise(ast.NodeTransformer):
    """Python's scalar booleans and int() as NumPy array operations."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        fn = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
        out = node.values[0]
        for value in node.values[1:]:
            out = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), fn, ast.Load()),
                           [out, value], [])
        return out

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "logical_not",
                                          ast.Load()), [node.operand], [])
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "int":
            node.func = ast.Name("_as_float", ast.Load())
        return node


def _vectorised(statement: str) -> str:
    return ast.unparse(ast.fix_missing_locations(_Vectorise().visit(ast.parse(statement))))


def _indent(lines: list[str], n: int) -> str:
    return "".join(" " * n + ln + "\n" for ln in lines)


class _HoistExp(ast.NodeTransformer):
    """``exp(a)`` becomes a name ``__eN``; the argument is recorded (inner calls first).

    An argument made of parameters and dt only (``exp(-dt/tau_syn)``) is the same every
    step: it becomes a constant ``__cK``, computed once per parameter set into a row after
    the parameters (``constants``, in the module). One that also reads not_refractory,
    through Brian2's ``int(not_refractory)`` factor, takes two constants, for 0 and 1."""

    def __init__(self, start: int, fixed: set[str], constants: dict[str, str]):
        self.calls: list[tuple[int, str]] = []
        self.next = start
        self.fixed = fixed
        self.constants = constants  # code -> constant name, shared by all statements

    def _constant(self, arg: str) -> str:
        if arg not in self.constants:
            self.constants[arg] = f"__c{len(self.constants)}"
        return self.constants[arg]

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "exp" and len(node.args) == 1:
            arg = ast.unparse(node.args[0])
            names = _names(arg)
            if names <= self.fixed | set(self.constants.values()):
                return ast.copy_location(
                    ast.Name(self._constant(f"exp({arg})"), ast.Load()), node)
            if names <= self.fixed | set(self.constants.values()) | {"not_refractory"}:
                off = arg.replace("int(not_refractory)", "0")
                on = arg.replace("int(not_refractory)", "1")
                if "not_refractory" not in _names(off) | _names(on):
                    pick = (f"({self._constant(f'exp({on})')} if not_refractory "
                            f"else {self._constant(f'exp({off})')})")
                    return ast.copy_location(ast.parse(pick, mode="eval").body, node)
            n = self.next
            self.next += 1
            self.calls.append((n, arg))
            return ast.copy_location(ast.Name(f"__e{n}", ast.Load()), node)
        return node


def _names(code: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}


#: Neurons per block of a staged update: its scratch rows stay in the L1 cache.
_BLOCK = 256


def _staged_update(prog: CellProgram, constants: dict[str, str]) -> str | None:
    """The body of ``update`` split into loops at each ``exp`` (None when the program does
    not fit the scheme: then one loop does everything).

    ``exp`` is a libm call LLVM cannot vectorise, and one call in a loop keeps the whole
    loop scalar. Here every ``exp`` argument is computed in a loop of its own statements,
    the exps in a loop of their own, the rest after: the other loops vectorise (divisions
    and products are IEEE-exact in SIMD lanes too, so every float is what the single loop
    gives). Values that cross loops live in scratch rows ``__T``, per block of neurons.
    Exps of parameters only are not computed per step at all (:class:`_HoistExp`):
    ``constants`` receives them (code -> name)."""
    ops: list[tuple[str, Any]] = []  # ("stmt", code) or ("exp", n)
    n_exp = 0
    # i_offset is rewritten every step by current sources: never part of a constant
    fixed = (set(prog.params) - {"i_offset"}) | {"dt", "int"}
    found: dict[str, str] = {}
    for stmt in prog.update:
        target, expr = (s.strip() for s in stmt.split("=", 1))
        hoist = _HoistExp(n_exp, fixed, found)
        tree = hoist.visit(ast.parse(expr, mode="eval"))
        n_exp = hoist.next
        for n, arg in hoist.calls:
            ops += [("stmt", f"__a{n} = {arg}"), ("exp", n)]
        ops.append(("stmt", f"{target} = {ast.unparse(tree)}"))
    if n_exp == 0 and not found:
        return None
    constants.update(found)
    params = list(prog.params) + list(found.values())
    stages: list[list[str] | int] = [[]]
    for kind, item in ops:
        if kind == "exp":
            stages.append(item)
            stages.append([])
        else:
            stages[-1].append(item)  # type: ignore[union-attr]
    stages = [s for s in stages if s != []] or [[]]
    state = set(prog.state)
    last_stage = max(k for k, s in enumerate(stages) if isinstance(s, list))
    temps: list[str] = []
    for k, stage in enumerate(stages):
        if isinstance(stage, int):
            temps += [f"__a{stage}", f"__e{stage}"]
            continue
        for stmt in stage:
            target = stmt.split("=", 1)[0].strip()
            if target in state and k != last_stage:
                return None  # a state variable written before the end: keep one loop
            if target == "not_refractory" and k != 0:
                return None
            if target not in state and target != "not_refractory" and target not in temps:
                temps.append(target)
    # booleans other than not_refractory cannot live in the float scratch rows
    for stage in stages:
        for stmt in stage if isinstance(stage, list) else []:
            target, expr = (s.strip() for s in stmt.split("=", 1))
            top = ast.parse(expr, mode="eval").body
            boolean = isinstance(top, ast.Compare | ast.BoolOp) or (
                isinstance(top, ast.UnaryOp) and isinstance(top.op, ast.Not))
            if boolean and target != "not_refractory":
                return None
    row = {name: r for r, name in enumerate(temps)}
    # the names each stage reads: a value goes to its scratch row only if a later stage
    # reads it
    reads = [{f"__a{s}"} if isinstance(s, int) else _names("\n".join(s)) for s in stages]
    later = [set().union(*reads[k + 1:]) for k in range(len(stages))]
    out = [f"__T = np.empty(({len(temps)}, {_BLOCK}))",
           f"for __b0 in range(__lo, __hi, {_BLOCK}):",
           f"    __b1 = min(__b0 + {_BLOCK}, __hi)",
           "    __m = __b1 - __b0",
           "    __nrs = __nr[__b0:__b1]"]
    out += [f"    __s{r} = __S[{r}, __b0:__b1]" for r in range(len(prog.state))]
    out += [f"    __p{r} = __P[{r}, __b0:__b1]" for r in range(len(params))]
    out += [f"    __t{r} = __T[{r}, :__m]" for r in range(len(temps))]
    if prog.refractory == "time":
        out += ["    __lasts = __last[__b0:__b1]", "    __tickss = __ticks[__b0:__b1]"]
    defined: set[str] = set()
    for k, stage in enumerate(stages):
        out.append("    for __j in range(__m):")
        body: list[str] = []
        if isinstance(stage, int):
            body.append(f"__t{row[f'__e{stage}']}[__j] = exp(__t{row[f'__a{stage}']}[__j])")
            defined.add(f"__e{stage}")
            out += _indent(body, 8).splitlines()
            continue
        code = "\n".join(stage)
        used = _names(code)
        if k == last_stage:
            used |= {x for x in prog.state}
        if k == 0:
            if prog.refractory == "time":
                body.append("not_refractory = __k - __lasts[__j] >= __tickss[__j] + 1")
            elif prog.refractory == "condition":
                body.append("not_refractory = __nrs[__j] != 0")
            else:
                body.append("not_refractory = True")
        elif "not_refractory" in used or k == last_stage:
            body.append("not_refractory = __nrs[__j] != 0")
        body += [f"{x} = __s{r}[__j]" for r, x in enumerate(prog.state) if x in used]
        body += [f"{p} = __p{r}[__j]" for r, p in enumerate(params) if p in used]
        body += [f"{x} = __t{row[x]}[__j]" for x in temps if x in used and x in defined]
        assigned: list[str] = []
        for stmt in stage:
            target = stmt.split("=", 1)[0].strip()
            body.append(f"if not_refractory: {stmt}" if target in prog.conditional else stmt)
            assigned.append(target)
        if k == 0:
            body.append("__nrs[__j] = 1 if not_refractory else 0")
        for x in assigned:
            if x in row and x in later[k]:
                body.append(f"__t{row[x]}[__j] = {x}")
                defined.add(x)
        if k == last_stage:
            body += [f"__s{r}[__j] = {x}" for r, x in enumerate(prog.state) if x in assigned]
        out += _indent(body, 8).splitlines()
    return "\n".join(out)


def _numba_source(prog: CellProgram) -> str:
    # Locals of the generated code start with "__": a cell's own names (Izhikevich's a, b,
    # c, d) can never shadow them.
    loads = [f"{x} = __S[{r}, __j]" for r, x in enumerate(prog.state)]
    loads += [f"{p} = __P[{r}, __j]" for r, p in enumerate(prog.params)]
    if prog.refractory == "time":
        nr = ["not_refractory = __k - __last[__j] >= __ticks[__j] + 1"]
    elif prog.refractory == "condition":
        nr = ["not_refractory = __nr[__j] != 0"]
    else:
        nr = ["not_refractory = True"]
    body: list[str] = []
    for stmt in prog.update:
        target = stmt.split("=", 1)[0].strip()
        if target in prog.conditional:
            body.append(f"if not_refractory: {stmt}")
        else:
            body.append(stmt)
    stores = [f"__S[{r}, __j] = {x}" for r, x in enumerate(prog.state)]
    constants: dict[str, str] = {}
    staged = _staged_update(prog, constants)
    if staged is None:
        update_body = ("    for __j in range(__lo, __hi):\n"
                       + _indent(loads + nr + body + stores, 8)
                       + "        __nr[__j] = 1 if not_refractory else 0\n")
    else:
        update_body = _indent(staged.splitlines(), 4)
    reset = [s for stmt in prog.reset for s in (*prog.defining(stmt, True), stmt)] + stores
    before_threshold = prog.defining(prog.threshold)
    reset_loads = [ln.replace("__j]", "__i]") for ln in loads]
    reset_body = [ln.replace("__j]", "__i]") for ln in reset]
    # the constant rows after the parameters, from the parameters (libm's exp, as the step)
    crows = len(prog.params)
    const_body = [f"{p} = __P[{r}, __j]" for r, p in enumerate(prog.params)
                  if any(p in _names(code) for code in constants)]
    const_body += [f"__P[{crows + k}, __j] = {code}" for k, code in enumerate(constants)]
    const_body = const_body or ["pass"]
    return f'''"""Generated by neurosim.engines.cellgen from the declaration of {prog.name}."""
import numpy as np
from numba import njit

exp, log, sqrt, sin, cos, tan, tanh = np.exp, np.log, np.sqrt, np.sin, np.cos, np.tan, np.tanh

UPDATE_SIG = ("void(int64, int64, int64, float64, float64[:, ::1], float64[:, ::1], "
              "int64[::1], int64[::1], uint8[::1])")
SPIKE_SIG = ("int64(int64, int64, int64, float64[:, ::1], float64[:, ::1], int64[::1], "
             "uint8[::1], int64[::1], int64)")
RESET_SIG = "void(int64, float64[:, ::1], float64[:, ::1], int64[::1], int64, int64)"
CONSTANTS_SIG = "void(float64[:, ::1], float64, int64, int64)"

#: rows of constants (exps of parameters) after the parameter rows of P
N_CONSTANTS = {len(constants)}


@njit(CONSTANTS_SIG, cache=True, error_model="numpy")
def constants(__P, dt, __lo, __hi):
    for __j in range(__lo, __hi):
{_indent(const_body, 8)}

@njit(UPDATE_SIG, cache=True, error_model="numpy")
def update(__lo, __hi, __k, dt, __S, __P, __last, __ticks, __nr):
    t = __k * dt
{update_body}

@njit(SPIKE_SIG, cache=True, error_model="numpy")
def spike(__lo, __hi, __k, __S, __P, __last, __nr, __out, __c):
    for __j in range(__lo, __hi):
{_indent(loads, 8)}        not_refractory = __nr[__j] != 0
{_indent(before_threshold, 8)}        if {prog.threshold}:
            __last[__j] = __k
            __nr[__j] = 0
            __out[__c] = __j
            __c += 1
    return __c


@njit(RESET_SIG, cache=True, error_model="numpy")
def reset(__k, __S, __P, __idx, __c0, __c1):
    # after the step's synaptic input, as Brian2 (thresholds, synapses, resets)
    for __q in range(__c0, __c1):
        __i = __idx[__q]
{_indent(reset_loads, 8)}        not_refractory = False
{_indent(reset_body, 8)}
'''


@functools.cache
def numba_functions(cell_type: type[CellType]) -> tuple[Any, Any, Any]:
    """The compiled ``(update, spike, reset)`` of a cell type (cached on disk by Numba)."""
    module = numba_module(cell_type)
    return module.update, module.spike, module.reset


@functools.cache
def numba_module(cell_type: type[CellType]) -> Any:
    """The generated module of a cell type: its functions, ``N_CONSTANTS`` and
    ``constants(P, dt, lo, hi)``, which fills the constant rows after the parameters."""
    from neurosim.config import cache_dir

    source = _numba_source(cell_program(cell_type))
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    name = f"neurosim_cell_{cell_type.__name__}_{digest}"
    path = cache_dir("cells") / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        tmp.replace(path)  # atomic: parallel workers never import half a file
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _as_float(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


@functools.cache
def numpy_functions(cell_type: type[CellType]) -> tuple[Any, Any, Any]:
    """``update(k, dt, S, P, last_spike, refrac_ticks, not_ref)``,
    ``spike(k, S, P, last_spike, not_ref) -> indices`` (the threshold) and
    ``reset(k, S, P, indices)`` (after the step's synaptic input, as Brian2): the program
    over whole arrays (``S``, ``P``: rows of one population), for the reference engine."""
    prog = cell_program(cell_type)
    loads = [f"{x} = S[{r}]" for r, x in enumerate(prog.state)]
    loads += [f"{p} = P[{r}]" for r, p in enumerate(prog.params)]
    if prog.refractory == "time":
        nr = ["not_refractory = k - last_spike >= refrac_ticks + 1"]
    elif prog.refractory == "condition":
        nr = ["not_refractory = not_ref != 0"]
    else:
        nr = ["not_refractory = np.ones(S.shape[1], dtype=bool)"]
    body = [_vectorised(s) for s in prog.update]
    stores = []
    for r, x in enumerate(prog.state):
        if x in prog.conditional:
            stores.append(f"S[{r}] = np.where(not_refractory, {x}, S[{r}])")
        else:
            stores.append(f"S[{r}] = {x}")
    sub_loads = [f"{x} = S[{r}, idx]" for r, x in enumerate(prog.state)]
    sub_loads += [f"{p} = P[{r}, idx]" for r, p in enumerate(prog.params)]
    sub_stores = [f"S[{r}, idx] = {x}" for r, x in enumerate(prog.state)]
    threshold = _vectorised(prog.threshold)
    loads += [_vectorised(s) for s in prog.defining(prog.threshold)]
    reset = [_vectorised(s) for stmt in prog.reset
             for s in (*prog.defining(stmt, True), stmt)]
    source = f'''
def update(k, dt, S, P, last_spike, refrac_ticks, not_ref):
    t = k * dt
    # 0/0 where a refractory factor zeroes a divisor: those values are never stored
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
{_indent(loads + nr + body + stores, 8)}    not_ref[:] = not_refractory


def spike(k, S, P, last_spike, not_ref):
{_indent(loads, 4)}    not_refractory = not_ref != 0
    idx = np.flatnonzero(np.broadcast_to({threshold}, (S.shape[1],)))
    last_spike[idx] = k
    not_ref[idx] = 0
    return idx


def reset(k, S, P, idx):
{_indent(sub_loads, 4)}    not_refractory = False
{_indent(reset + sub_stores, 4)}
'''
    namespace: dict[str, Any] = {"np": np, "_as_float": _as_float, "exp": np.exp,
                                 "log": np.log, "sqrt": np.sqrt, "sin": np.sin,
                                 "cos": np.cos, "tan": np.tan, "tanh": np.tanh}
    exec(compile(source, f"<neurosim cell {prog.name}>", "exec"), namespace)
    return namespace["update"], namespace["spike"], namespace["reset"]


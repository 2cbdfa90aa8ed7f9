"""The populations an array engine runs with code generated from their cell type's
declaration: their state and parameter rows, and the compiled functions per cell type.

The Numba kernel keeps every generated population's state in one ``S[row, neuron]`` array
and its parameters in ``P[row, neuron]`` (rows in the order of
:class:`~neurosim.engines.cellgen.CellProgram`); one ``(update, spike)`` pair per cell type
runs the populations of that type. Inputs of a step are summed in the kernel's ``i_exc`` /
``i_inh`` and added at the end of the step to each receptor's target row (with its sign),
which is Brian2's ``target += w`` when a neuron receives at most one input per receptor and
step, and a sum in another order (a rounding apart) otherwise.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from neurosim.engines.lif import frozen_steps
from neurosim.errors import ParameterError

__all__ = ["GeneratedCells"]


class GeneratedCells:
    """Generated populations of one simulation, in the global neuron index."""

    def __init__(self, n: int, dt_s: float):
        self.n = n
        self.dt_s = dt_s
        self.types: list[type] = []
        self.pops: dict[str, tuple[int, int, Any]] = {}  # label -> (start, stop, program)
        self._init: list[Any] = []
        self._args: tuple | None = None

    def add(self, pop: Any) -> int:
        """Register a lowered population (:class:`~neurosim.engines.lowering.
        LoweredPopulation`); returns the index of its cell type's functions."""
        from neurosim.engines.cellgen import cell_program

        ctype = type(pop.cell)
        if ctype not in self.types:
            self.types.append(ctype)
        self.pops[pop.label] = (pop.start, pop.stop, cell_program(ctype))
        self._init.append(pop)
        return self.types.index(ctype)

    def has(self, label: str) -> bool:
        return label in self.pops

    def row(self, label: str, variable: str) -> int:
        return self.pops[label][2].state.index(variable)

    def state_slice(self, label: str, variable: str) -> np.ndarray:
        start, stop, _ = self.pops[label]
        return self.S[self.row(label, variable), start:stop]

    def build(self, refrac_ticks: np.ndarray) -> None:
        """Fill the arrays: initial state, parameters, receptor rows and signs, and the
        refractory period in steps (into the kernel's ``refrac_ticks``)."""
        from neurosim.engines.cellgen import numba_module, param_rows

        n = max(self.n, 1)
        rows = max([len(p.state) for *_, p in self.pops.values()] + [1])
        # parameters, then the constants the generated code computes from them
        modules = {t: numba_module(t) for t in self.types}
        prow = max([len(self.pops[pop.label][2].params) + modules[type(pop.cell)].N_CONSTANTS
                    for pop in self._init] + [1])
        self.S = np.zeros((rows, n))
        self.P = np.zeros((prow, n))
        self.not_ref = np.ones(n, np.uint8)  # Brian2 starts every neuron not refractory
        self.row_e = np.zeros(n, np.int64)
        self.row_i = np.zeros(n, np.int64)
        self.sign_e = np.zeros(n)
        self.sign_i = np.zeros(n)
        #: the parameter row of each neuron's i_offset (-1: its cell type has none)
        self.ioff_row = np.full(n, -1, np.int64)
        #: receptors beyond the first two (composed cells), by their index - 2
        extra = max([len(c.receptors) - 2 for c in self.types] + [0])
        self.row_x = np.zeros((extra, n), np.int64)
        self.sign_x = np.zeros((extra, n))
        self.acc_x = np.zeros((extra, n))
        #: bit r set: receptor r's target is flagged (unless refractory)
        self.cond_mask = np.zeros(n, np.int64)
        for pop in self._init:
            a, b, cell, si = pop.start, pop.stop, pop.cell, pop.params
            prog = self.pops[pop.label][2]
            for r, name in enumerate(cell.state):
                self.S[r, a:b] = pop.initial[name]
            for r, (field, _) in enumerate(param_rows(cell)):
                self.P[r, a:b] = si[field]
            modules[type(cell)].constants(self.P, self.dt_s, a, b)
            # the receptors in declaration order: index 0 and 1 in row_e / row_i (the
            # standard cells' excitatory and inhibitory), 2 on in row_x
            for r, rec in enumerate(cell.receptors.values()):
                rows_, signs = ((self.row_e, self.sign_e) if r == 0 else
                                (self.row_i, self.sign_i) if r == 1 else
                                (self.row_x[r - 2], self.sign_x[r - 2]))
                rows_[a:b] = prog.state.index(rec.target)
                signs[a:b] = rec.sign
                if rec.target in prog.conditional:
                    self.cond_mask[a:b] |= 1 << r
            if "i_offset" in prog.params:
                self.ioff_row[a:b] = prog.params.index("i_offset")
            ticks = frozen_steps(cell, si, self.dt_s)
            if ticks is not None:
                refrac_ticks[a:b] = ticks
            if not np.all(np.isfinite(self.S[:, a:b])):
                raise ParameterError("initial_values", pop.label, "finite initial values",
                                     f"population {pop.label!r}")

    def kernel_args(self) -> tuple[Any, Any, Any, Any]:
        """The generated cells' group of :func:`~neurosim.kernels.spiking.run_steps`'s
        arguments and the typed lists of their update and spike functions (the same objects
        every call: the arrays are updated in place)."""
        from neurosim.kernels.spiking_args import GeneratedCells as Group

        if self._args is None:
            self._args = (Group(self.S, self.P, self.not_ref, self.row_e, self.row_i,
                                self.sign_e, self.sign_i, self.ioff_row, self.row_x,
                                self.sign_x, self.acc_x, self.cond_mask),
                          *function_tables(tuple(self.types)))
        return self._args


@functools.lru_cache(maxsize=64)
def function_tables(cell_types: tuple[type, ...]) -> tuple[Any, Any, Any]:
    """Typed lists of the ``update``, ``spike`` and ``reset`` functions (first-class
    function types).

    A typed list, not a tuple: Numba types a tuple of functions anew on every call (about
    90 us, which CA3's short kernel calls would feel), a typed list by its cached type."""
    from numba import typed, types
    from numba.core import sigutils

    from neurosim.engines.cellgen import numba_functions
    from neurosim.kernels.spiking import (
        RESET_SIG,
        SPIKE_SIG,
        UPDATE_SIG,
        no_reset,
        no_spike,
        no_update,
    )

    fns = [numba_functions(t) for t in cell_types]
    out = []
    for k, sig in enumerate((UPDATE_SIG, SPIKE_SIG, RESET_SIG)):
        args, ret = sigutils.normalize_signature(sig)
        table = typed.List.empty_list(types.FunctionType(ret(*args)))
        for fn in fns or [(no_update, no_spike, no_reset)]:
            table.append(fn[k])
        out.append(table)
    return out[0], out[1], out[2]

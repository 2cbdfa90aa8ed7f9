"""Parameter sweeps: grids, a resumable SQLite results store, executors from one core to Dask.

Define a module-level function ``fn(params, rng) -> dict``, a :class:`ParameterGrid` of named
axes (Brian2 units allowed), and call :func:`run_sweep` with a store path: each finished point
is written at once, a rerun skips what is stored, results export to xarray and plot as a
:class:`PhaseDiagram`. See docs/sweeps.md.

Examples
--------
>>> from neurosim.sweeps import ParameterGrid, run_sweep       # doctest: +SKIP
>>> grid = ParameterGrid({"alpha": "0.02:0.30:15", "N": [100, 200]}, repeats=5, seed=0)
>>> result = run_sweep(my_fn, grid, "runs/capacity.sqlite", workers=8)
>>> ds = result.to_xarray()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neurosim.sweeps.cluster import dask_executor
    from neurosim.sweeps.grid import Axis, ParameterGrid, SweepPoint, parse_axis
    from neurosim.sweeps.plot import PhaseDiagram
    from neurosim.sweeps.runner import PointFailure, SweepError, SweepResult, run_sweep
    from neurosim.sweeps.store import ResultStore

# Names are imported on first use: `neurosim sweep --help` and other light users do not pay
# for Brian2 (imported by the grid's units).
_HOME = {
    "Axis": "grid",
    "ParameterGrid": "grid",
    "PhaseDiagram": "plot",
    "PointFailure": "runner",
    "ResultStore": "store",
    "SweepError": "runner",
    "SweepPoint": "grid",
    "SweepResult": "runner",
    "dask_executor": "cluster",
    "parse_axis": "grid",
    "run_sweep": "runner",
}

__all__ = [
    "Axis",
    "ParameterGrid",
    "PhaseDiagram",
    "PointFailure",
    "ResultStore",
    "SweepError",
    "SweepPoint",
    "SweepResult",
    "dask_executor",
    "parse_axis",
    "run_sweep",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'neurosim.sweeps' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"neurosim.sweeps.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

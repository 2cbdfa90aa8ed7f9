"""Per-step constants of the leaky integrate-and-fire cells, shared by the engines that
integrate on their own (reference, Numba): one place for the formulas.

``exact``: over one step of length dt with input currents I_X decaying with tau_X,
``v' - v_rest = (v - v_rest) P + i_offset R (1 - P) + k_E I_E - k_I I_I``, with
``P = exp(-dt/tau_m)`` and ``k_X = tau_m tau_X / (cm (tau_X - tau_m)) (exp(-dt/tau_X) - P)``.
``spinnaker`` (sPyNNaker's tick arithmetic): currents hold their tick average (an input w adds
``w init_X``, ``init_X = tau_X/dt (1 - exp(-dt/tau_X))``), ``v' = a - P (a - v)`` with
``a = v_rest + R (I_E - I_I + i_offset)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Discretisations of the neuron dynamics: "exact" (continuous time, exact for linear cells)
#: and "spinnaker" (sPyNNaker's per-tick arithmetic, in floating point).
INTEGRATIONS = ("exact", "spinnaker")


def refractory_steps(tau_refrac_s: float, dt_s: float) -> int:
    """Ticks frozen after the spike tick, as sPyNNaker: ``ceil(tau_refrac/dt)``."""
    return math.ceil(tau_refrac_s / dt_s - 1e-9)


def psp_gain(tau_syn: float, tau_m: float, cm: float, dt: float) -> float:
    """Voltage gained in one step per ampere of a current decaying with ``tau_syn``."""
    if abs(tau_syn - tau_m) < 1e-15:
        return dt / cm * math.exp(-dt / tau_m)
    return tau_m * tau_syn / (cm * (tau_syn - tau_m)) * (math.exp(-dt / tau_syn)
                                                          - math.exp(-dt / tau_m))


def step_constants(p: dict[str, float], dt: float) -> dict[str, float]:
    """Constants of one cell (``p`` = IF_curr_exp parameters in SI) for a step ``dt``."""
    decay_e = math.exp(-dt / p["tau_syn_E"])
    decay_i = math.exp(-dt / p["tau_syn_I"])
    return {
        "p_m": math.exp(-dt / p["tau_m"]),
        "r": p["tau_m"] / p["cm"],
        "decay_e": decay_e,
        "decay_i": decay_i,
        "init_e": p["tau_syn_E"] / dt * (1 - decay_e),
        "init_i": p["tau_syn_I"] / dt * (1 - decay_i),
        "k_e": psp_gain(p["tau_syn_E"], p["tau_m"], p["cm"], dt),
        "k_i": psp_gain(p["tau_syn_I"], p["tau_m"], p["cm"], dt),
        "refrac_ticks": refractory_steps(p["tau_refrac"], dt),
    }


def step_constants_per_neuron(p: dict[str, np.ndarray], dt: float) -> dict[str, np.ndarray]:
    """:func:`step_constants` for per-neuron parameters (arrays in SI), evaluated once per
    distinct parameter set with the scalar formulas, so a homogeneous population gets the
    very floats of :func:`step_constants`."""
    keys = ("tau_m", "cm", "tau_syn_E", "tau_syn_I", "tau_refrac")
    table = np.stack([np.asarray(p[k], dtype=float) for k in keys], axis=1)
    rows, inverse = np.unique(table, axis=0, return_inverse=True)
    consts = [step_constants(dict(zip(keys, row.tolist())), dt) for row in rows]
    inverse = np.asarray(inverse).reshape(-1)
    return {name: np.array([c[name] for c in consts])[inverse] for name in consts[0]}


def refractory_steps_per_neuron(tau_refrac_s: np.ndarray, dt_s: float) -> np.ndarray:
    """:func:`refractory_steps` of each neuron."""
    values, inverse = np.unique(np.asarray(tau_refrac_s, dtype=float), return_inverse=True)
    steps = np.array([refractory_steps(float(v), dt_s) for v in values], dtype=np.int64)
    return steps[np.asarray(inverse).reshape(-1)]


def frozen_steps(cell: Any, si: dict[str, np.ndarray], dt_s: float) -> np.ndarray | None:
    """Steps each neuron of ``cell``'s type stays frozen after its spike step (the kernels'
    ``k - last_spike >= ticks + 1``), or None when the cell has no refractory period in a
    parameter. PyNN's standard cells round as sPyNNaker (:func:`refractory_steps`); equation
    cells as Brian2, whose ``timestep(refractory, dt)`` counts the spike step itself."""
    name = cell.refractory_parameter()
    if name is None:
        return None
    values = np.asarray(si[name], dtype=float)
    if cell.refractory_rounding == "brian2":
        # brian2.core.functions.timestep: int((t + 1e-3 dt)/dt)
        ticks = np.floor((values + 1e-3 * dt_s) / dt_s).astype(np.int64)
        return np.atleast_1d(np.maximum(ticks - 1, 0))
    return np.atleast_1d(refractory_steps_per_neuron(values, dt_s))

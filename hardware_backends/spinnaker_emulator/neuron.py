"""IF_curr_exp as sPyNNaker's combined neuron core computes it: the constants.

The per-tick update itself lives in :mod:`.kernel` (Numba) and its NumPy twin; this module
turns PyNN parameters into the integers the board holds after its initialisation, as

* ``neuron_model_lif_impl.h`` ``neuron_model_initialise``: ``ts = kdivui(time_step,
  n_steps_per_timestep)``, ``R = kdivk(tau_m, c_m)``, ``exp_TC = expk(-kdivk(ts, tau_m))``,
  ``T_refract = lif_ceil_accum(kdivk(T_refract_ms, ts))``;
* ``synapse_types/exp_synapse_utils.h`` ``decay_and_init``: ``decay = expulr(-kdivk(ts,
  tau))``, ``init = decay_s1615_to_u032(kdivk(tau, ts), 1.0ulr - decay)`` (GCC evaluates
  ``1.0ulr`` to the largest u0.32, 0xFFFFFFFF: ``gcc/fixed-value.c`` ``fixed_from_string``);
* ``threshold_types/threshold_type_static.h``: the threshold as written.

Every parameter arrives as ``DataType.S1615`` (:func:`.fixed_point.s1615`) from the structs of
``neuron_model_leaky_integrate_and_fire.py`` (v, v_rest, cm, tau_m, i_offset, v_reset,
tau_refrac, refract_timer, timestep) and ``synapse_type_exponential.py`` (tau_syn_E, isyn_exc,
tau_syn_I, isyn_inh, timestep_ms).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from neurosim.hardware_backends.spinnaker_emulator.fixed_point import (
    decay_s1615,
    decay_s1615_to_u032,
    expk,
    expulr,
    kdivk,
    kdivui,
    lif_ceil_accum,
    mul_accum,
    s32,
    s1615,
)

__all__ = ["LIF_FIELDS", "lif_constants", "lif_tick", "synapse_constants"]

#: Per-neuron integers of an IF_curr_exp neuron on the board (see :func:`lif_constants`).
LIF_FIELDS = ("v", "v_rest", "v_reset", "v_thresh", "i_offset", "r_m", "exp_tc", "t_refract",
              "refract", "exc", "inh", "exc_decay", "exc_init", "inh_decay", "inh_init")


def synapse_constants(tau_ms: float, time_step_ms: float, n_steps: int = 1) -> tuple[int, int]:
    """``(decay, init)`` as u0.32 for an exponential synapse (``exp_synapse_utils.h``
    ``decay_and_init``)."""
    ts = kdivui(s1615(time_step_ms), n_steps)
    tau = s1615(tau_ms)
    decay = expulr(s32(-kdivk(ts, tau)))
    inv_decay = 0xFFFFFFFF - decay
    init = decay_s1615_to_u032(kdivk(tau, ts), inv_decay)
    return decay, init


def lif_constants(params: Mapping[str, float], time_step_ms: float, *, v_init: float,
                  isyn_exc: float = 0.0, isyn_inh: float = 0.0, n_steps: int = 1
                  ) -> dict[str, int]:
    """The integers of one IF_curr_exp neuron after the board's initialisation.

    Parameters
    ----------
    params
        PyNN parameters in PyNN units (mV, ms, nF, nA): ``v_rest, cm, tau_m, i_offset,
        v_reset, tau_refrac, v_thresh, tau_syn_E, tau_syn_I``.
    time_step_ms
        The simulation time step in ms (written as S1615 by sPyNNaker).
    v_init, isyn_exc, isyn_inh
        Initial state (mV, nA).

    Returns
    -------
    dict
        s16.15 bits (``v`` ... ``exp_tc``, ``exc``, ``inh``), tick counts (``t_refract``,
        ``refract``) and u0.32 synapse factors, keyed as :data:`LIF_FIELDS`.
    """
    ts = kdivui(s1615(time_step_ms), n_steps)
    tau_m = s1615(params["tau_m"])
    exc_decay, exc_init = synapse_constants(params["tau_syn_E"], time_step_ms, n_steps)
    inh_decay, inh_init = synapse_constants(params["tau_syn_I"], time_step_ms, n_steps)
    return {
        "v": s1615(v_init), "v_rest": s1615(params["v_rest"]),
        "v_reset": s1615(params["v_reset"]), "v_thresh": s1615(params["v_thresh"]),
        "i_offset": s1615(params["i_offset"]),
        "r_m": kdivk(tau_m, s1615(params["cm"])),
        "exp_tc": expk(s32(-kdivk(ts, tau_m))),
        "t_refract": lif_ceil_accum(kdivk(s1615(params["tau_refrac"]), ts)),
        "refract": 0,
        "exc": s1615(isyn_exc), "inh": s1615(isyn_inh),
        "exc_decay": exc_decay, "exc_init": exc_init,
        "inh_decay": inh_decay, "inh_init": inh_init,
    }


def lif_tick(n: dict[str, int], exc_in: int = 0, inh_in: int = 0) -> bool:
    """One tick of one neuron on plain ints, in the board's order (updates ``n``; returns
    whether it spiked). ``exc_in``/``inh_in``: this tick's ring-buffer input already
    shifted to s16.15 (``synapse_row_convert_weight_to_input``).

    ``neuron.c`` ``neuron_transfer`` (input += decay_s1615(input, init)), then
    ``neuron_impl_standard.h`` ``neuron_impl_do_timestep_update``: state update
    (``neuron_model_lif_impl.h``: refractory countdown or ``alpha = I R + V_rest``, ``V =
    alpha - exp_TC (alpha - V)``, both products truncating), threshold ``V >= V_thresh``
    (``REAL_COMPARE`` on the bits), reset, then ``synapse_types_shape_input`` (decay).
    A slow scalar reference for tests.
    """
    if exc_in:
        n["exc"] = s32(n["exc"] + decay_s1615(exc_in, n["exc_init"]))
    if inh_in:
        n["inh"] = s32(n["inh"] + decay_s1615(inh_in, n["inh_init"]))
    if n["refract"] <= 0:
        inp = s32(n["exc"] - n["inh"] + n["i_offset"])
        alpha = s32(mul_accum(inp, n["r_m"]) + n["v_rest"])
        n["v"] = s32(alpha - mul_accum(n["exp_tc"], s32(alpha - n["v"])))
    else:
        n["refract"] -= 1
    spiked = n["v"] >= n["v_thresh"]
    if spiked:
        n["v"] = n["v_reset"]
        n["refract"] = n["t_refract"]
    n["exc"] = decay_s1615(n["exc"], n["exc_decay"])
    n["inh"] = decay_s1615(n["inh"], n["inh_decay"])
    return bool(spiked)


def stack(neurons: list[dict[str, int]]) -> dict[str, np.ndarray]:
    """Per-field int64 arrays of a list of :func:`lif_constants` dicts."""
    return {f: np.array([n[f] for n in neurons], dtype=np.int64) for f in LIF_FIELDS}

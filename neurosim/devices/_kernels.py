"""Device kernels on plain SI floats (siemens, volts, seconds): no units, no validation.

The public classes in :mod:`neurosim.devices.resistive` and :mod:`neurosim.devices.switching`
check units and values, strip them, and call these. Everything here is element-wise NumPy on
whole arrays; Numba would add compile time without a speed-up (there is no loop to fuse).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = [
    "drift",
    "levels",
    "normal_vbd_cdf",
    "normal_vbd_ppf",
    "pulse_dose",
    "quantize",
    "weibull_vbd_cdf",
    "weibull_vbd_ppf",
    "width_factor",
]


def levels(g_min: float, g_max: float, n_levels: int) -> np.ndarray:
    """The ``n_levels`` evenly spaced conductance levels of the window, ends included."""
    return _level(np.arange(n_levels), g_min, g_max, n_levels)


def _level(k: np.ndarray, g_min: float, g_max: float, n_levels: int) -> np.ndarray:
    # Interpolation weights rather than g_min + k * step, so the end levels are exactly
    # g_min and g_max (stuck-at cells and clipped targets land on them bit for bit).
    f = np.asarray(k, dtype=float) / (n_levels - 1)
    return g_min * (1.0 - f) + g_max * f


def quantize(g: np.ndarray, g_min: float, g_max: float, n_levels: int) -> np.ndarray:
    """The level nearest to each target, after clipping the target into the window.

    Computed with the same expression as :func:`levels`, so a result is bit-identical to an
    entry of ``levels(...)`` (the exactness the tests rely on).
    """
    step = (g_max - g_min) / (n_levels - 1)
    k = np.rint((np.clip(g, g_min, g_max) - g_min) / step)
    return _level(k, g_min, g_max, n_levels)


def drift(g0: np.ndarray, t: np.ndarray, t0: float, nu: np.ndarray) -> np.ndarray:
    """Power-law drift ``g0 (t / t0)^-nu``, frozen at ``g0`` for ``t <= t0``.

    ``t`` is the time since programming; ``g0`` is the conductance read at ``t0`` (the first
    read after programming, the reference of the drift fit), so there is no drift before it.
    """
    ratio = np.maximum(np.asarray(t, dtype=float) / t0, 1.0)
    return g0 * ratio ** (-np.asarray(nu, dtype=float))


def width_factor(width: np.ndarray, t_ref: float, n_accel: float) -> np.ndarray:
    """``(width / t_ref)^(1/n)``: a pulse of ``width`` at ``V`` stresses like ``V * factor``
    at the reference width (power-law voltage acceleration, t_BD ~ V^-n)."""
    return (np.asarray(width, dtype=float) / t_ref) ** (1.0 / n_accel)


def weibull_vbd_cdf(v_eff: np.ndarray, v63: float, k: float) -> np.ndarray:
    """Weibull CDF of the breakdown voltage at the reference width, ``0`` for ``v <= 0``."""
    x = np.maximum(np.asarray(v_eff, dtype=float), 0.0) / v63
    return -np.expm1(-(x**k))


def weibull_vbd_ppf(p: np.ndarray, v63: float, k: float) -> np.ndarray:
    """Inverse of :func:`weibull_vbd_cdf`."""
    return v63 * (-np.log1p(-np.asarray(p, dtype=float))) ** (1.0 / k)


def normal_vbd_cdf(v_eff: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """Normal CDF of the breakdown voltage at the reference width, ``0`` for ``v <= 0``.

    No pulse (``v = 0``) forms a cell, so the CDF is cut at zero; with the fitted spreads
    (mean/sigma ~ 30) the mass below zero is ~1e-200 and the cut changes nothing else.
    """
    v = np.asarray(v_eff, dtype=float)
    if sigma == 0.0:
        return np.where((v > 0) & (v >= mean), 1.0, 0.0)
    return np.where(v > 0, ndtr((v - mean) / sigma), 0.0)


def normal_vbd_ppf(p: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """Inverse of :func:`normal_vbd_cdf` (for ``0 < p < 1``)."""
    return mean + sigma * ndtri(np.asarray(p, dtype=float))


def pulse_dose(v: np.ndarray, width: np.ndarray, t_ref: float, n_accel: float,
               v_scale: float) -> np.ndarray:
    """Stress dose of one pulse: ``(width / t_ref) (v / v_scale)^n``.

    Doses add over pulses (cumulative damage under power-law acceleration); a cell with
    breakdown voltage ``V_bd`` (at ``t_ref``) forms once its dose reaches
    ``(V_bd / v_scale)^n``. For a single pulse that is exactly ``v (width/t_ref)^(1/n) >=
    V_bd``. ``v_scale`` keeps ``v^n`` in range for large ``n``.
    """
    with np.errstate(over="ignore"):
        return (np.asarray(width, dtype=float) / t_ref) * (
            np.maximum(np.asarray(v, dtype=float), 0.0) / v_scale
        ) ** n_accel

"""The analog read path's last stage in one pass: read noise, ADC, back to weight units.

After the two products of :meth:`CrossbarArray.matvec` (column currents ``y`` and their read-
noise variance ``var``, float32), every output gets ``y + sigma sqrt(var) z`` (``z`` standard
normal, drawn by NumPy), the ADC (scale to steps, round half to even, clip to the code range)
and the conversion to float64 weight units. One compiled loop replaces nine whole-array passes;
the float32 operations and their order are those of the NumPy twin, so the two agree exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["finish_reads", "finish_reads_reference"]


@njit(cache=True)
def finish_reads(y, var, z, sigma, inv_step, n_adc, k, out):
    """Fill ``out`` (float64, shape of ``y``) from float32 ``y``, ``var`` and ``z``.

    ``var``/``z`` may be empty (no read noise); ``n_adc <= 0`` means no ADC.
    """
    noisy = var.size > 0
    yf = y.ravel()
    vf = var.ravel()
    zf = z.ravel()
    of = out.ravel()
    s32 = np.float32(sigma)
    inv32 = np.float32(inv_step)
    lim = np.float32(n_adc)
    for i in range(yf.shape[0]):
        v = yf[i]
        if noisy:
            v = v + (np.sqrt(vf[i]) * zf[i]) * s32
        if n_adc > 0:
            v = np.float32(np.rint(v * inv32))
            v = min(max(v, -lim), lim)
        of[i] = np.float64(v) * k
    return out


def finish_reads_reference(y, var, z, sigma, inv_step, n_adc, k, out):
    """NumPy twin of :func:`finish_reads` (whole-array float32 passes)."""
    v = y.copy()
    if var.size > 0:
        sd = np.sqrt(var)
        sd *= z
        sd *= np.float32(sigma)
        v += sd
    if n_adc > 0:
        v *= np.float32(inv_step)
        np.rint(v, out=v)
        np.clip(v, -n_adc, n_adc, out=v)
    out[...] = v.astype(np.float64) * k
    return out

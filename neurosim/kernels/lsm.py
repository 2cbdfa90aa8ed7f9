"""The liquid state machine's reservoir: discrete-time LIF neurons, batched over samples.

The update of Lin et al. (arXiv 2307.00771), in the form of the spatio-temporal
backpropagation LIF layer their code builds on (Wu et al., Front. Neurosci. 12:331, 2018),
for every sample and step t = 0 .. T-1:

    I_t = x_t W_in + s_{t-1} W_res  (+ read noise)
    v_t = decay v_{t-1} (1 - s_{t-1}) + I_t
    s_t = [v_t >= v_th]

so a neuron that spiked restarts from 0 (the factor ``1 - s_{t-1}`` is the reset), and the
recurrent spikes of one step arrive at the next. ``x_t`` are the input frames (event counts)
and ``s_{-1} = 0, v_{-1} = 0``.

Read noise: a crossbar that computes ``x W`` reads every conductance with relative noise,
``W_ij (1 + sigma eta_ij)``, fresh at every read. The column current then is ``x W`` plus a
Gaussian of variance ``sigma^2 sum_i x_i^2 W_ij^2`` (a sum of independent Gaussians), so the
kernel draws one normal per neuron and step, ``xi``, instead of one per weight: the same
distribution of currents, at the cost of one more matrix product (with ``W**2``).

:func:`lsm_run` is the Numba kernel (one sample at a time, loops over the non-zero inputs and
the spiking neurons only: frames and spikes are sparse); :func:`lsm_run_reference` is its
NumPy twin (whole-batch matrix products per step). Both compute ``I_t`` as
``input part + recurrent part`` and then ``decay * v + I_t`` in the same order, so with
weights whose sums are exact in float64 (dyadic rationals) they agree bit for bit; with
general weights the sums are rounded in a different order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["lsm_run", "lsm_run_reference"]


@njit(cache=True)
def lsm_run(frames, w_in, w_res, decay, v_th, sigma, xi, record):
    """Run the reservoir over a batch of input frames.

    Parameters
    ----------
    frames : uint8 or float array (n_samples, n_steps, n_in)
        Input counts per step.
    w_in : float64 (n_in, n_res)
        Input weights (row i: the weights from input i).
    w_res : float64 (n_res, n_res)
        Recurrent weights (row j: the weights from neuron j).
    decay, v_th : float
        Membrane decay per step and threshold.
    sigma : float
        Relative read noise of the weights (0: none).
    xi : float64 (n_samples, n_steps, n_res)
        Standard normals for the read noise (any shape with a zero-length axis when
        ``sigma == 0``).
    record : bool
        Also return every spike.

    Returns
    -------
    counts : int32 (n_samples, n_res)
        Spikes of every neuron over the run.
    spikes : uint8 (n_samples, n_steps, n_res), or (0, 0, 0) when not recorded.
    """
    n_samples, n_steps, n_in = frames.shape
    n_res = w_res.shape[0]
    counts = np.zeros((n_samples, n_res), np.int32)
    if record:
        spikes = np.zeros((n_samples, n_steps, n_res), np.uint8)
    else:
        spikes = np.zeros((0, 0, 0), np.uint8)
    noisy = sigma > 0.0
    v = np.zeros(n_res)
    s = np.zeros(n_res, np.bool_)
    i_in = np.zeros(n_res)
    i_rec = np.zeros(n_res)
    var = np.zeros(n_res)
    for b in range(n_samples):
        v[:] = 0.0
        s[:] = False
        for t in range(n_steps):
            i_in[:] = 0.0
            i_rec[:] = 0.0
            if noisy:
                var[:] = 0.0
            for i in range(n_in):
                x = float(frames[b, t, i])
                if x != 0.0:
                    for j in range(n_res):
                        w = x * w_in[i, j]
                        i_in[j] += w
                        if noisy:
                            var[j] += w * w
            for k in range(n_res):
                if s[k]:
                    for j in range(n_res):
                        i_rec[j] += w_res[k, j]
                        if noisy:
                            var[j] += w_res[k, j] * w_res[k, j]
            for j in range(n_res):
                cur = i_in[j] + i_rec[j]
                if noisy:
                    cur += sigma * math.sqrt(var[j]) * xi[b, t, j]
                keep = 0.0 if s[j] else 1.0
                v[j] = decay * v[j] * keep + cur
            for j in range(n_res):
                s[j] = v[j] >= v_th
                if s[j]:
                    counts[b, j] += 1
                    if record:
                        spikes[b, t, j] = 1
    return counts, spikes


def lsm_run_reference(frames: np.ndarray, w_in: np.ndarray, w_res: np.ndarray, decay: float,
                      v_th: float, sigma: float, xi: np.ndarray,
                      record: bool) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`lsm_run` (same arguments and results), vectorised over samples."""
    n_samples, n_steps, _ = frames.shape
    n_res = w_res.shape[0]
    x_all = frames.astype(np.float64)
    v = np.zeros((n_samples, n_res))
    s = np.zeros((n_samples, n_res))
    counts = np.zeros((n_samples, n_res), np.int32)
    spikes = np.zeros((n_samples, n_steps, n_res) if record else (0, 0, 0), np.uint8)
    w_in2, w_res2 = w_in**2, w_res**2
    for t in range(n_steps):
        x = x_all[:, t]
        cur = x @ w_in + s @ w_res
        if sigma > 0:
            cur = cur + sigma * np.sqrt((x * x) @ w_in2 + s @ w_res2) * xi[:, t]
        v = decay * v * (1.0 - s) + cur
        s = (v >= v_th).astype(np.float64)
        counts += s.astype(np.int32)
        if record:
            spikes[:, t] = s
    return counts, spikes

"""Kernels of Hebbian learning based orthogonal projection (HLOP) on a spiking MLP.

Xiao, Meng, Zhang, He & Lin, ICLR 2024 (arXiv 2402.11984); authors' code
``pkuxmq/HLOP-SNN`` (``modules/neuron_dsr.py``, ``modules/hlop_module.py``).

LIF layer (the DSR neuron of the authors' code, one tick ``dt``, ``beta = exp(-dt/tau)``)::

    V_t = beta V_{t-1} + (1 - beta) I_t
    s_t = 1[V_t >= alpha theta],      V_t <- V_t - theta s_t        (soft reset)

and its weighted firing rate ``r = sum_t w_t s_t / sum_t w_t`` with ``w_t = beta**(T - t)``
(``weight_rate_spikes``). Summing the membrane equation with the same weights gives
``theta r = (1 - beta) wfr(I) - V_T / sum_t w_t``: up to a bounded remainder the rate is
``clip((1 - beta) wfr(I) / theta, 0, 1)``, the map whose derivative DSR backpropagates
(Meng et al., CVPR 2022).

:func:`lif_forward` is the Numba kernel (loops over time, samples and units);
:func:`lif_forward_reference` is its NumPy twin (whole-array operations per step). Both
return identical spikes (0/1) and rates on the same input.

The Oja subspace step (:func:`oja_subspace_step`) is BLAS-bound matrix algebra, so it is
plain NumPy; so are the quantised lateral neurons (:func:`quantise_lateral`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["lif_forward", "lif_forward_reference", "oja_subspace_step", "quantise_lateral",
           "rate_weights"]


def rate_weights(n_steps: int, beta: float) -> np.ndarray:
    """Normalised weights ``w_t = beta**(T - t) / sum`` of the weighted firing rate."""
    w = beta ** np.arange(n_steps - 1, -1, -1, dtype=np.float64)
    return w / w.sum()


@njit(cache=True)
def lif_forward(currents, beta, theta, fire_frac, weights):
    """Run LIF neurons on ``currents`` (n_steps, n_batch, n_units), C-contiguous float64.

    Returns ``(spikes, rates)``: spikes 0/1 (n_steps, n_batch, n_units) and the weighted
    firing rates (n_batch, n_units) with the normalised ``weights`` (n_steps,).
    """
    n_steps, n_batch, n_units = currents.shape
    spikes = np.zeros((n_steps, n_batch, n_units))
    rates = np.zeros((n_batch, n_units))
    v = np.zeros((n_batch, n_units))
    gain = 1.0 - beta
    fire = fire_frac * theta
    # time outermost and units innermost: contiguous rows, and the rates are summed in time
    # order exactly as the NumPy twin sums them
    for t in range(n_steps):
        w = weights[t]
        for b in range(n_batch):
            for i in range(n_units):
                x = beta * v[b, i] + gain * currents[t, b, i]
                if x >= fire:
                    x -= theta
                    spikes[t, b, i] = 1.0
                    rates[b, i] += w
                v[b, i] = x
    return spikes, rates


def lif_forward_reference(currents: np.ndarray, beta: float, theta: float, fire_frac: float,
                          weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`lif_forward` (same arguments, same results)."""
    n_steps = currents.shape[0]
    v = np.zeros(currents.shape[1:])
    spikes = np.zeros(currents.shape)
    for t in range(n_steps):
        v = beta * v + (1.0 - beta) * currents[t]
        s = v >= fire_frac * theta
        v = v - theta * s
        spikes[t] = s
    rates = np.zeros(currents.shape[1:])
    # summed in time order, as the kernel does, so the two agree to the last bit
    for t in range(n_steps):
        rates = rates + spikes[t] * weights[t]
    return spikes, rates


def quantise_lateral(y: np.ndarray, scale: float, n_steps: float) -> np.ndarray:
    """Output of spiking lateral neurons: ``y`` clipped to ``[-scale, scale]`` and rounded to
    the ``scale / n_steps`` grid (a rate code over ``n_steps`` steps; ``HLOP.inference``)."""
    return np.round(np.clip(y, -scale, scale) / scale * n_steps) / n_steps * scale


def oja_subspace_step(H: np.ndarray, M: np.ndarray, X: np.ndarray, lr: float, n_fixed: int,
                      *, momentum: float = 0.9, clip: float = 10.0, iterations: int = 5,
                      lateral: tuple[float, float] | None = None) -> None:
    """Oja's subspace rule on one batch, in place on ``H`` (k, n) and its momentum ``M``.

    For ``iterations`` passes: ``Y = X H^T`` (quantised by :func:`quantise_lateral` when
    ``lateral = (scale, n_steps)``), ``Delta = clip(Y^T (X - Y H) / B, +-clip)``, the first
    ``n_fixed`` rows (old tasks) frozen, ``M <- m M + (1 - m) Delta``, ``H <- H + lr M``.
    The reconstruction ``Y H`` uses every row, so the free rows learn the principal subspace
    of what the frozen rows leave unexplained.
    """
    n_batch = X.shape[0]
    for _ in range(iterations):
        Y = X @ H.T
        if lateral is not None:
            Y = quantise_lateral(Y, *lateral)
        delta = Y.T @ (X - Y @ H) / n_batch
        np.clip(delta, -clip, clip, out=delta)
        free = slice(n_fixed, None)
        M[free] = momentum * M[free] + (1.0 - momentum) * delta[free]
        H[free] += lr * M[free]

"""Glauber dynamics of Hebbian networks kept in overlap space.

Every network of the Hebbian family (Hopfield, dense P-body, supervised and unsupervised,
diluted multitasking) has an energy of the form

    E(sigma) = -scale * sum_q S_q**P,        S_q = sum_i X[i, q] sigma_i,

where the columns ``X[:, q]`` are the stored vectors (archetypes, class sums of examples, or
the examples themselves) as small integers. Flipping ``sigma_i`` changes every ``S_q`` by
``-2 sigma_i X[i, q]``, so the energy change of one flip attempt costs O(Q) from the overlaps
alone, with no N x N coupling matrix and no N**P tensor. The overlaps are integers held
exactly (int64), and the energy difference is summed over integer-valued float64 terms
(exact while they stay below 2**53, so the kernel and its twin agree bit for bit there).

Dynamics (sweep = one random permutation of the N sites, drawn by Fisher-Yates from
``rng.random()``):

- T = 0 (``beta = inf``): flip iff dE < 0;
- beta < inf: flip with the Glauber probability ``1 / (1 + exp(beta dE))``, one
  ``rng.random()`` per attempt;
- stop after a sweep with no flip, or after ``max_sweeps``.

:func:`glauber_sweeps` is the Numba kernel; :func:`glauber_sweeps_reference` is its NumPy twin,
vectorised over Q, which draws the same random numbers in the same order, so the two agree
exactly (the Generator is passed into the compiled code: Numba implements NumPy's
``Generator.random`` on the same bit generator).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["glauber_sweeps", "glauber_sweeps_reference", "overlap_sums"]


def overlap_sums(patterns: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Integer overlaps ``S_q = sum_i X[i, q] sigma_i`` (int64, exact).

    Summed over blocks of rows so the int64 copy of X never exceeds ~8 MB.
    """
    n, q = patterns.shape
    out = np.zeros(q, dtype=np.int64)
    step = max(1, (1 << 20) // max(1, q))
    for start in range(0, n, step):
        block = patterns[start:start + step].astype(np.int64)
        out += block.T @ sigma[start:start + step].astype(np.int64)
    return out


@njit(cache=True)
def glauber_probability(beta_de):
    """``1 / (1 + exp(beta dE))``, 0 where exp would overflow (both kernels share this)."""
    if beta_de > 700.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(beta_de))


@njit(cache=True)
def _delta_energy_sum(row, overlaps, s, power):
    """``sum_q (S_q - 2 s X_q)**P - S_q**P``, each term factored as -a * (c^P - b^P)/(c - b)."""
    total = 0.0
    for q in range(row.shape[0]):
        x = row[q]
        if x == 0:
            continue
        a = 2.0 * s * x
        b = float(overlaps[q])
        c = b - a
        # geometric sum g_{P-1} = sum_{k<P} c^k b^{P-1-k} by g_n = c g_{n-1} + b^n
        g = 1.0
        bp = 1.0
        for _ in range(1, power):
            bp *= b
            g = c * g + bp
        total -= a * g
    return total


@njit(cache=True)
def glauber_sweeps(patterns, sigma, overlaps, power, scale, beta, max_sweeps, rng):
    """Run asynchronous Glauber sweeps in place on ``sigma`` and ``overlaps``.

    Parameters
    ----------
    patterns : int array (N, Q), C order
        Stored vectors X as small integers.
    sigma : int8 array (N,)
        Spins (+-1), updated in place.
    overlaps : int64 array (Q,)
        ``X.T @ sigma``, updated in place.
    power : int
        P >= 1 (P = 2 for Hopfield).
    scale : float
        The energy prefactor (> 0).
    beta : float
        Inverse temperature; ``inf`` for T = 0.
    max_sweeps : int
        Sweep budget.
    rng : numpy.random.Generator

    Returns
    -------
    (sweeps, flips, converged)
    """
    n = patterns.shape[0]
    order = np.empty(n, np.int64)
    zero_t = math.isinf(beta)
    sweeps = 0
    flips = 0
    converged = False
    for _ in range(max_sweeps):
        for i in range(n):
            order[i] = i
        for i in range(n - 1, 0, -1):
            j = int(rng.random() * (i + 1))
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
        changed = 0
        for t in range(n):
            i = order[t]
            s = sigma[i]
            d_energy = -scale * _delta_energy_sum(patterns[i], overlaps, s, power)
            if zero_t:
                flip = d_energy < 0.0
            else:
                flip = rng.random() < glauber_probability(beta * d_energy)
            if flip:
                sigma[i] = -s
                for q in range(patterns.shape[1]):
                    overlaps[q] -= 2 * s * patterns[i, q]
                changed += 1
        sweeps += 1
        flips += changed
        if changed == 0:
            converged = True
            break
    return sweeps, flips, converged


def glauber_sweeps_reference(patterns, sigma, overlaps, power, scale, beta, max_sweeps, rng):
    """NumPy twin of :func:`glauber_sweeps`: vectorised over Q, same random stream."""
    n = patterns.shape[0]
    zero_t = math.isinf(beta)
    sweeps = flips = 0
    converged = False
    for _ in range(max_sweeps):
        order = np.arange(n)
        u = rng.random(n - 1)
        for k, i in enumerate(range(n - 1, 0, -1)):
            j = int(u[k] * (i + 1))
            order[i], order[j] = order[j], order[i]
        accept = None if zero_t else rng.random(n)
        changed = 0
        for t in range(n):
            i = order[t]
            s = int(sigma[i])
            row = patterns[i]
            nz = row != 0
            a = 2.0 * s * row[nz].astype(np.float64)
            b = overlaps[nz].astype(np.float64)
            c = b - a
            g = np.ones_like(b)
            bp = np.ones_like(b)
            for _p in range(1, power):
                bp = bp * b
                g = c * g + bp
            d_energy = -scale * float(np.sum(-a * g))
            if zero_t:
                flip = d_energy < 0.0
            else:
                flip = accept[t] < glauber_probability.py_func(beta * d_energy)
            if flip:
                sigma[i] = -s
                overlaps -= 2 * s * row.astype(np.int64)
                changed += 1
        sweeps += 1
        flips += changed
        if changed == 0:
            converged = True
            break
    return sweeps, flips, converged

"""The code selection algorithm (CSA) of a Sparsey macrocolumn, and single-trial learning.

Rinkus, Front. Neuroanat. 4:17 (2010) and Front. Comput. Neurosci. 8:160 (2014). A mac has
M = Q K binary cells in Q competitive modules (CMs) of K cells; its afferent weights are one
binary matrix ``weights`` (N_in, M) whose rows are grouped by source (bottom-up, horizontal,
top-down: ``offsets[s]:offsets[s + 1]``). One step, for the active input rows A:

1. ``u_s(i) = sum_{j in A_s} w(j, i)`` per source, ``U_s = u_s / |A_s|``;
2. ``V(i) = prod_{s: |A_s| > 0} U_s(i)`` (sources with no active input are left out);
3. ``G = mean_q max_{i in CM q} V(i)`` (familiarity);
4. ``eta = 1 + chi K g**gamma``, ``g = max(0, (G - G_minus) / (1 - G_minus))``;
5. ``mu(i) = (eta - 1) / (1 + exp(-(lam V(i) - phi))) + 1``, normalised in each CM, one draw
   per CM picks the winner (``stochastic``); or the winner is the argmax of V, ties broken by
   one draw per CM (retrieval);
6. learning sets ``w(j, winner) = 1`` for every active j, unless the mac is frozen (the
   fraction of set weights has passed ``freeze_at``: its critical period is over).

The cost of a step is O(|A| M), whatever the number of items stored. :func:`run_mac` is the
Numba kernel over a batch of inputs (CSR rows), :func:`run_mac_reference` its NumPy twin:
vectorised over cells, same random draws in the same order (``rng.random()`` once per CM per
step), the exponential and powers through the same libm as the kernel (``math.exp``), so the
two give identical codes.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["run_mac", "run_mac_reference"]


@njit(cache=True)
def _support(weights, offsets, active, u, n_active):
    """Integer input sums per source: ``u[s, i]``, and active inputs per source."""
    n_src = offsets.shape[0] - 1
    m = weights.shape[1]
    for s in range(n_src):
        n_active[s] = 0
        for i in range(m):
            u[s, i] = 0
    for t in range(active.shape[0]):
        j = active[t]
        s = 0
        while j >= offsets[s + 1]:
            s += 1
        n_active[s] += 1
        row = weights[j]
        for i in range(m):
            u[s, i] += row[i]


@njit(cache=True)
def _select(v, n_cms, cells, g_minus, chi, gamma, lam, phi, stochastic, rng, code):
    """Fill ``code`` (winner per CM, 0..K-1) from local support ``v``; return G."""
    g_sum = 0.0
    for q in range(n_cms):
        best = v[q * cells]
        for k in range(1, cells):
            if v[q * cells + k] > best:
                best = v[q * cells + k]
        g_sum += best
    big_g = g_sum / n_cms
    g = (big_g - g_minus) / (1.0 - g_minus)
    if g < 0.0:
        g = 0.0
    eta = 1.0 + chi * cells * g ** gamma
    cum = np.empty(cells)
    for q in range(n_cms):
        base = q * cells
        if stochastic:
            total = 0.0
            for k in range(cells):
                mu = (eta - 1.0) / (1.0 + math.exp(-(lam * v[base + k] - phi))) + 1.0
                total += mu
                cum[k] = total
            r = rng.random() * total
            win = cells - 1
            for k in range(cells):
                if r < cum[k]:
                    win = k
                    break
        else:
            best = v[base]
            for k in range(1, cells):
                if v[base + k] > best:
                    best = v[base + k]
            ties = 0
            for k in range(cells):
                if v[base + k] == best:
                    ties += 1
            pick = int(rng.random() * ties)
            win = cells - 1
            for k in range(cells):
                if v[base + k] == best:
                    if pick == 0:
                        win = k
                        break
                    pick -= 1
        code[q] = win
    return big_g


@njit(cache=True)
def run_mac(weights, offsets, indptr, indices, n_cms, cells, g_minus, chi, gamma, lam, phi,
            stochastic, learn, freeze_at, n_set, rng, codes, familiarity, learned):
    """Run the CSA on a batch of inputs, learning each one in turn (single trial).

    Parameters
    ----------
    weights : uint8 array (N_in, Q K), C order
        Binary afferent weights, updated in place when learning.
    offsets : int64 array (S + 1,)
        Row ranges of the S sources in ``weights``.
    indptr, indices : int64 arrays
        The active rows of input b are ``indices[indptr[b]:indptr[b + 1]]`` (CSR), sorted.
    n_cms, cells : int
        Q and K.
    g_minus, chi, gamma, lam, phi : float
        G threshold, expansivity scale and exponent, sigmoid gain and offset.
    stochastic : bool
        Draw winners from mu (learning mode) instead of the argmax of V (retrieval).
    learn : bool
        Set the weights from active inputs to winners while the mac is not frozen.
    freeze_at : float
        Fraction of set weights at which learning stops (> 1: never).
    n_set : int
        Weights already set (the saturation counter).
    rng : numpy.random.Generator
    codes : int64 array (B, Q), out
        Winners; a row stays -1 for an input with no active row (an inactive mac).
    familiarity : float64 array (B,), out
        G of each input (NaN for an inactive mac).
    learned : bool array (B,), out
        Whether input b changed the weights' state of being learned (False when frozen).

    Returns
    -------
    int
        The updated ``n_set``.
    """
    n_src = offsets.shape[0] - 1
    m = weights.shape[1]
    total_w = weights.shape[0] * m
    u = np.zeros((n_src, m), np.int64)
    n_active = np.zeros(n_src, np.int64)
    v = np.empty(m)
    code = np.empty(n_cms, np.int64)
    for b in range(indptr.shape[0] - 1):
        active = indices[indptr[b]:indptr[b + 1]]
        learned[b] = False
        if active.shape[0] == 0:
            for q in range(n_cms):
                codes[b, q] = -1
            familiarity[b] = np.nan
            continue
        _support(weights, offsets, active, u, n_active)
        for i in range(m):
            x = 1.0
            for s in range(n_src):
                if n_active[s] > 0:
                    x *= u[s, i] / n_active[s]
            v[i] = x
        familiarity[b] = _select(v, n_cms, cells, g_minus, chi, gamma, lam, phi, stochastic,
                                 rng, code)
        for q in range(n_cms):
            codes[b, q] = code[q]
        if learn and n_set < freeze_at * total_w:
            for t in range(active.shape[0]):
                row = weights[active[t]]
                for q in range(n_cms):
                    c = q * cells + code[q]
                    if row[c] == 0:
                        row[c] = 1
                        n_set += 1
            learned[b] = True
    return n_set


def run_mac_reference(weights, offsets, indptr, indices, n_cms, cells, g_minus, chi, gamma,
                      lam, phi, stochastic, learn, freeze_at, n_set, rng, codes, familiarity,
                      learned):
    """NumPy twin of :func:`run_mac`: same arguments, same draws, whole-array operations."""
    n_src = offsets.shape[0] - 1
    m = weights.shape[1]
    total_w = weights.shape[0] * m
    exp = np.frompyfunc(math.exp, 1, 1)
    for b in range(indptr.shape[0] - 1):
        active = indices[indptr[b]:indptr[b + 1]]
        learned[b] = False
        if active.shape[0] == 0:
            codes[b] = -1
            familiarity[b] = np.nan
            continue
        v = np.ones(m)
        for s in range(n_src):
            rows = active[(active >= offsets[s]) & (active < offsets[s + 1])]
            if rows.size:
                u = weights[rows].sum(axis=0, dtype=np.int64)
                v = v * (u / rows.size)
        vv = v.reshape(n_cms, cells)
        vmax = vv.max(axis=1)
        big_g = 0.0
        for x in vmax:          # sequential, as the kernel adds them
            big_g += float(x)
        big_g /= n_cms
        g = max(0.0, (big_g - g_minus) / (1.0 - g_minus))
        eta = 1.0 + chi * cells * g ** gamma
        draws = rng.random(n_cms)
        if stochastic:
            sig = exp(-(lam * vv - phi)).astype(float)
            mu = (eta - 1.0) / (1.0 + sig) + 1.0
            cum = np.cumsum(mu, axis=1)
            r = draws * cum[:, -1]
            hit = r[:, None] < cum
            code = np.where(hit.any(axis=1), hit.argmax(axis=1), cells - 1)
        else:
            tie = vv == vmax[:, None]
            ranks = np.cumsum(tie, axis=1) - 1
            pick = (draws * tie.sum(axis=1)).astype(np.int64)
            code = (tie & (ranks == pick[:, None])).argmax(axis=1)
        codes[b] = code
        familiarity[b] = big_g
        if learn and n_set < freeze_at * total_w:
            cols = np.arange(n_cms) * cells + code
            block = weights[np.ix_(active, cols)]
            n_set += int(block.size - np.count_nonzero(block))
            weights[np.ix_(active, cols)] = 1
            learned[b] = True
    return n_set

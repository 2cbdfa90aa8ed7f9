"""Forward pass and backpropagation through time of the Expressive Leaky Memory neuron.

Spieler, Rahaman, Martius, Schölkopf & Levina, ICLR 2024 (arXiv 2306.16922). One step, for
one sample (``r_t = x_t[syn_idx] * syn_mask`` routes the inputs onto the synapses; branch j
owns synapses ``j*S ... j*S + S - 1``):

    b_t  = kappa_b * b_{t-1} + sum_{k in j} w_s[k] r_t[k]             (branch state)
    z_t  = [b_t, kappa_m * m_{t-1}]
    a_t  = W1 z_t + b1,   h_t = relu(a_t)
    u_t  = tanh((2/3) (W2 h_t + b2)),   Delta m_t = 1.7159 u_t
    m_t  = kappa_m * m_{t-1} + gain * Delta m_t
    y_t  = Wy m_t + by

v1 keeps one trace per synapse, ``s_t = kappa_s s_{t-1} + w_s r_t``, and sums it over the
branch; since every synapse has the same kappa_s (the paper's fixed tau_s) the branch sum
obeys exactly the v2 recursion above with ``kappa_b = kappa_s``, so both versions share this
kernel and never hold the S-times larger synapse state. They differ in ``gain``:
``lambda (1 - kappa_m)`` (v1) or ``1 - kappa_m**lambda`` (v2, ``kappa_lambda``).

:func:`elm_forward` / :func:`elm_backward` are the Numba kernels (one compiled loop over
samples, steps and units, skipping zero inputs: spike trains are sparse);
:func:`elm_forward_reference` / :func:`elm_backward_reference` are their NumPy twins
(whole-batch matrix products per step).
The backward pass takes dL/dy_t for every step and returns the gradients of every weight,
plus the two sums the caller turns into a gradient of tau_m:
``g_kappa = sum_t (dL/dm_t + dL/dz^m_t) * m_{t-1}`` (the kappa_m that multiplies m_{t-1}) and
``g_gain = sum_t dL/dm_t * Delta m_t``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["TANH_GAIN", "TANH_SLOPE", "elm_backward", "elm_backward_reference", "elm_forward",
           "elm_forward_reference"]

#: LeCun's scaled tanh, 1.7159 tanh(2x/3) (the paper's and the authors' ``custom_tanh``).
TANH_GAIN = 1.7159
TANH_SLOPE = 2.0 / 3.0


@njit(cache=True)
def elm_forward(X, syn_idx, syn_mask, branch_size, w_s, kappa_b, W1, b1, W2, b2, kappa_m,
                gain, Wy, by):
    """Run the ELM over a batch ``X`` (n_batch, n_steps, n_inputs).

    Returns ``(Y, Bs, Ms, As, Us)``: outputs y_t (n_batch, n_steps, n_out) and the caches the
    backward pass needs: branch states b_t, memories m_t, MLP pre-activations a_t and
    ``u_t = Delta m_t / 1.7159``.
    """
    n_batch, n_steps, _ = X.shape
    n_branch = kappa_b.shape[0]
    n_mem = kappa_m.shape[0]
    n_hid = b1.shape[0]
    n_out = by.shape[0]
    Y = np.empty((n_batch, n_steps, n_out))
    Bs = np.empty((n_batch, n_steps, n_branch))
    Ms = np.empty((n_batch, n_steps, n_mem))
    As = np.empty((n_batch, n_steps, n_hid))
    Us = np.empty((n_batch, n_steps, n_mem))
    b = np.empty(n_branch)
    m = np.empty(n_mem)
    km = np.empty(n_mem)
    h = np.empty(n_hid)
    for s in range(n_batch):
        b[:] = 0.0
        m[:] = 0.0
        for t in range(n_steps):
            x = X[s, t]
            for j in range(n_branch):
                acc = 0.0
                for k in range(j * branch_size, (j + 1) * branch_size):
                    xv = x[syn_idx[k]]
                    if xv != 0.0:  # spike trains are sparse
                        acc += w_s[k] * (xv * syn_mask[k])
                b[j] = kappa_b[j] * b[j] + acc
                Bs[s, t, j] = b[j]
            for i in range(n_mem):
                km[i] = kappa_m[i] * m[i]
            for q in range(n_hid):
                acc = b1[q]
                for j in range(n_branch):
                    acc += W1[q, j] * b[j]
                for i in range(n_mem):
                    acc += W1[q, n_branch + i] * km[i]
                As[s, t, q] = acc
                h[q] = acc if acc > 0.0 else 0.0
            for i in range(n_mem):
                acc = b2[i]
                for q in range(n_hid):
                    acc += W2[i, q] * h[q]
                u = math.tanh(TANH_SLOPE * acc)
                Us[s, t, i] = u
                m[i] = km[i] + gain[i] * (TANH_GAIN * u)
                Ms[s, t, i] = m[i]
            for o in range(n_out):
                acc = by[o]
                for i in range(n_mem):
                    acc += Wy[o, i] * m[i]
                Y[s, t, o] = acc
    return Y, Bs, Ms, As, Us


@njit(cache=True)
def elm_backward(X, syn_idx, syn_mask, branch_size, kappa_b, W1, W2, kappa_m, gain, Wy,
                 Bs, Ms, As, Us, GY):
    """Backpropagation through time for :func:`elm_forward`; ``GY`` is dL/dy_t.

    Returns ``(g_w_s, g_W1, g_b1, g_W2, g_b2, g_Wy, g_by, g_kappa, g_gain)`` summed over the
    batch (g_w_s is with respect to w_s = relu(param), before the ReLU's mask).
    """
    n_batch, n_steps, _ = X.shape
    n_branch = kappa_b.shape[0]
    n_mem = kappa_m.shape[0]
    n_hid = W1.shape[0]
    n_out = Wy.shape[0]
    g_w_s = np.zeros(syn_idx.shape[0])
    g_W1 = np.zeros(W1.shape)
    g_b1 = np.zeros(n_hid)
    g_W2 = np.zeros(W2.shape)
    g_b2 = np.zeros(n_mem)
    g_Wy = np.zeros(Wy.shape)
    g_by = np.zeros(n_out)
    g_kappa = np.zeros(n_mem)
    g_gain = np.zeros(n_mem)
    gm = np.empty(n_mem)      # dL/dm_t, carried back from t+1
    gb = np.empty(n_branch)   # dL/db_t, carried back from t+1
    go = np.empty(n_mem)
    ga = np.empty(n_hid)
    gzm = np.empty(n_mem)
    for s in range(n_batch):
        gm[:] = 0.0
        gb[:] = 0.0
        for t in range(n_steps - 1, -1, -1):
            # readout: y_t = Wy m_t + by
            for o in range(n_out):
                gy = GY[s, t, o]
                if gy != 0.0:
                    g_by[o] += gy
                    for i in range(n_mem):
                        g_Wy[o, i] += gy * Ms[s, t, i]
                        gm[i] += Wy[o, i] * gy
            # m_t = kappa_m m_{t-1} + gain * 1.7159 tanh(2/3 o_t)
            for i in range(n_mem):
                u = Us[s, t, i]
                g_gain[i] += gm[i] * (TANH_GAIN * u)
                go[i] = gm[i] * gain[i] * TANH_GAIN * TANH_SLOPE * (1.0 - u * u)
                g_b2[i] += go[i]
            for q in range(n_hid):
                a = As[s, t, q]
                if a > 0.0:
                    acc = 0.0
                    for i in range(n_mem):
                        g_W2[i, q] += go[i] * a
                        acc += W2[i, q] * go[i]
                    ga[q] = acc
                else:
                    ga[q] = 0.0
            for i in range(n_mem):
                gzm[i] = 0.0
            for q in range(n_hid):
                g = ga[q]
                if g != 0.0:
                    g_b1[q] += g
                    for j in range(n_branch):
                        g_W1[q, j] += g * Bs[s, t, j]
                        gb[j] += W1[q, j] * g
                    for i in range(n_mem):
                        mp = Ms[s, t - 1, i] if t > 0 else 0.0
                        g_W1[q, n_branch + i] += g * kappa_m[i] * mp
                        gzm[i] += W1[q, n_branch + i] * g
            # m_{t-1} enters directly and through z (both times kappa_m)
            for i in range(n_mem):
                mp = Ms[s, t - 1, i] if t > 0 else 0.0
                total = gm[i] + gzm[i]
                g_kappa[i] += total * mp
                gm[i] = kappa_m[i] * total
            # b_t = kappa_b b_{t-1} + sum_k w_s[k] r_t[k]
            x = X[s, t]
            for j in range(n_branch):
                g = gb[j]
                for k in range(j * branch_size, (j + 1) * branch_size):
                    xv = x[syn_idx[k]]
                    if xv != 0.0:
                        g_w_s[k] += g * (xv * syn_mask[k])
                gb[j] = kappa_b[j] * g
    return g_w_s, g_W1, g_b1, g_W2, g_b2, g_Wy, g_by, g_kappa, g_gain


def _route(x_t: np.ndarray, syn_idx: np.ndarray, syn_mask: np.ndarray) -> np.ndarray:
    return x_t[:, syn_idx] * syn_mask


def elm_forward_reference(X, syn_idx, syn_mask, branch_size, w_s, kappa_b, W1, b1, W2, b2,
                          kappa_m, gain, Wy, by):
    """NumPy twin of :func:`elm_forward` (same arguments, same results to round-off)."""
    X = np.asarray(X, dtype=float)
    n_batch, n_steps, _ = X.shape
    n_branch, n_mem = kappa_b.shape[0], kappa_m.shape[0]
    n_hid, n_out = b1.shape[0], by.shape[0]
    Y = np.empty((n_batch, n_steps, n_out))
    Bs = np.empty((n_batch, n_steps, n_branch))
    Ms = np.empty((n_batch, n_steps, n_mem))
    As = np.empty((n_batch, n_steps, n_hid))
    Us = np.empty((n_batch, n_steps, n_mem))
    b = np.zeros((n_batch, n_branch))
    m = np.zeros((n_batch, n_mem))
    for t in range(n_steps):
        inp = (_route(X[:, t], syn_idx, syn_mask) * w_s).reshape(n_batch, n_branch, branch_size)
        b = kappa_b * b + inp.sum(axis=2)
        km = kappa_m * m
        a = np.concatenate([b, km], axis=1) @ W1.T + b1
        u = np.tanh(TANH_SLOPE * (np.maximum(a, 0.0) @ W2.T + b2))
        m = km + gain * (TANH_GAIN * u)
        Bs[:, t], Ms[:, t], As[:, t], Us[:, t] = b, m, a, u
        Y[:, t] = m @ Wy.T + by
    return Y, Bs, Ms, As, Us


def elm_backward_reference(X, syn_idx, syn_mask, branch_size, kappa_b, W1, W2, kappa_m, gain,
                           Wy, Bs, Ms, As, Us, GY):
    """NumPy twin of :func:`elm_backward`."""
    X = np.asarray(X, dtype=float)
    n_batch, n_steps, _ = X.shape
    n_branch, n_mem = kappa_b.shape[0], kappa_m.shape[0]
    g_w_s = np.zeros(syn_idx.shape[0])
    g_W1, g_W2, g_Wy = np.zeros(W1.shape), np.zeros(W2.shape), np.zeros(Wy.shape)
    g_b1, g_b2, g_by = np.zeros(W1.shape[0]), np.zeros(n_mem), np.zeros(Wy.shape[0])
    g_kappa, g_gain = np.zeros(n_mem), np.zeros(n_mem)
    gm = np.zeros((n_batch, n_mem))
    gb = np.zeros((n_batch, n_branch))
    for t in range(n_steps - 1, -1, -1):
        gy = GY[:, t]
        m, u, a = Ms[:, t], Us[:, t], As[:, t]
        mp = Ms[:, t - 1] if t > 0 else np.zeros_like(m)
        g_by += gy.sum(axis=0)
        g_Wy += gy.T @ m
        gm = gm + gy @ Wy
        g_gain += (gm * (TANH_GAIN * u)).sum(axis=0)
        go = gm * gain * TANH_GAIN * TANH_SLOPE * (1.0 - u * u)
        g_b2 += go.sum(axis=0)
        h = np.maximum(a, 0.0)
        g_W2 += go.T @ h
        ga = (go @ W2) * (a > 0.0)
        g_b1 += ga.sum(axis=0)
        z = np.concatenate([Bs[:, t], kappa_m * mp], axis=1)
        g_W1 += ga.T @ z
        gz = ga @ W1
        gb = gb + gz[:, :n_branch]
        total = gm + gz[:, n_branch:]
        g_kappa += (total * mp).sum(axis=0)
        gm = kappa_m * total
        r = _route(X[:, t], syn_idx, syn_mask).reshape(n_batch, n_branch, branch_size)
        g_w_s += (gb[:, :, None] * r).sum(axis=0).reshape(-1)
        gb = kappa_b * gb
    return g_w_s, g_W1, g_b1, g_W2, g_b2, g_Wy, g_by, g_kappa, g_gain

"""The ELM kernels: Numba against the NumPy twin, closed forms, and finite differences."""

import math

import numpy as np
import pytest

from neurosim.kernels.elm import (
    TANH_GAIN,
    elm_backward,
    elm_backward_reference,
    elm_forward,
    elm_forward_reference,
)


def _case(rng, n_in=6, n_branch=3, spb=4, d_m=3, n_hid=5, n_out=2, n_batch=4, n_steps=9,
          density=0.4):
    syn_idx = rng.integers(0, n_in, n_branch * spb).astype(np.int64)
    syn_mask = (rng.random(n_branch * spb) < 0.8).astype(float)
    X = (rng.random((n_batch, n_steps, n_in)) < density) * rng.random((n_batch, n_steps, n_in))
    w = dict(
        w_s=rng.random(n_branch * spb), kappa_b=np.full(n_branch, math.exp(-1 / 5)),
        W1=rng.normal(size=(n_hid, n_branch + d_m)), b1=rng.normal(size=n_hid),
        W2=rng.normal(size=(d_m, n_hid)), b2=rng.normal(size=d_m),
        kappa_m=np.exp(-1 / np.logspace(0, 2, d_m)), Wy=rng.normal(size=(n_out, d_m)),
        by=rng.normal(size=n_out))
    w["gain"] = 5.0 * (1 - w["kappa_m"])
    return X, syn_idx, syn_mask, spb, w


def _fwd(fn, X, syn_idx, syn_mask, spb, w):
    return fn(X, syn_idx, syn_mask, spb, w["w_s"], w["kappa_b"], w["W1"], w["b1"], w["W2"],
              w["b2"], w["kappa_m"], w["gain"], w["Wy"], w["by"])


def _bwd(fn, X, syn_idx, syn_mask, spb, w, caches, GY):
    return fn(X, syn_idx, syn_mask, spb, w["kappa_b"], w["W1"], w["W2"], w["kappa_m"],
              w["gain"], w["Wy"], *caches[1:], GY)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numba_kernel_equals_numpy_twin(seed):
    rng = np.random.default_rng(seed)
    X, idx, mask, spb, w = _case(rng)
    a = _fwd(elm_forward, X, idx, mask, spb, w)
    b = _fwd(elm_forward_reference, X, idx, mask, spb, w)
    for u, v in zip(a, b):
        assert np.allclose(u, v, rtol=1e-12, atol=1e-12)
    GY = rng.normal(size=a[0].shape)
    ga = _bwd(elm_backward, X, idx, mask, spb, w, a, GY)
    gb = _bwd(elm_backward_reference, X, idx, mask, spb, w, b, GY)
    for u, v in zip(ga, gb):
        assert np.allclose(u, v, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(v).max()))


def test_constant_update_gives_closed_form_memory():
    # W2 = 0 fixes the MLP output to b2, so Delta m = c and m_t = lambda c (1 - kappa^t)
    rng = np.random.default_rng(3)
    X, idx, mask, spb, w = _case(rng, n_steps=40)
    w["W2"][:] = 0.0
    c = TANH_GAIN * np.tanh(2 / 3 * w["b2"])
    Ms = elm_forward(X, idx, mask, spb, **_kw(w))[2]
    t = np.arange(1, 41)[:, None]
    expected = 5.0 * c * (1 - w["kappa_m"] ** t)
    assert np.allclose(Ms[0], expected, rtol=1e-6, atol=0)


def _kw(w):
    return {k: w[k] for k in ("w_s", "kappa_b", "W1", "b1", "W2", "b2", "kappa_m", "gain",
                              "Wy", "by")}


def test_branch_state_integrates_weighted_inputs():
    rng = np.random.default_rng(4)
    X, idx, mask, spb, w = _case(rng, n_steps=12)
    Bs = elm_forward(X, idx, mask, spb, **_kw(w))[1]
    r = X[:, :, idx] * mask * w["w_s"]
    inp = r.reshape(X.shape[0], X.shape[1], -1, spb).sum(axis=3)
    b = np.zeros_like(inp[:, 0])
    for t in range(X.shape[1]):
        b = w["kappa_b"] * b + inp[:, t]
        assert np.allclose(Bs[:, t], b, rtol=1e-13, atol=1e-13)

"""Training cost: the LSM's readout only, against a recurrent SNN trained end to end (BPTT).

Both networks have the same shape (256 inputs -> 200 recurrent LIF neurons with the LSM's
discrete update -> 10 classes read from spike counts) and see the same event digits
(saccade DVS emulation of ``load_digits``, 50 frames, 70/30 split). The LSM runs its fixed
reservoir once over the training set and fits a logistic regression; the recurrent SNN
learns W_in, W_rec and the readout by backpropagation through time with a fast-sigmoid
surrogate gradient (Zenke & Ganguli 2018), gradients derived by hand below and checked
against central finite differences on a smooth version of the network (the spike replaced
by a steep sigmoid, whose exact derivative the backward pass then uses). Prints JSON.

    .venv/bin/python benchmarks/lsm_training_cost.py [--epochs 10] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

from neurosim.models.lsm import TASK_PARAMS, LiquidStateMachine, digits_task


def _spike(u: np.ndarray, th: float, smooth: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Spikes and the derivative the backward pass uses (surrogate, or exact if smooth)."""
    z = u - th
    if smooth is not None:
        s = 1.0 / (1.0 + np.exp(-smooth * z))
        return s, smooth * s * (1 - s)
    return (z >= 0).astype(np.float64), 1.0 / (1.0 + 2.0 * np.abs(z)) ** 2


def forward_backward(theta: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, decay: float,
                     th: float, smooth: float | None = None,
                     grad: bool = True) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Cross-entropy of the recurrent SNN on a batch, and its gradients by BPTT.

    u_t = decay u_{t-1} (1 - s_{t-1}) + x_t W_in + s_{t-1} W_rec,  s_t = spike(u_t),
    logits = (sum_t s_t / T) W_out + b_out. Backward, with g_t = dL/du_t:
    dL/ds_t = dL/dcounts / T + g_{t+1} W_rec^T - decay u_t g_{t+1}  (the reset's path),
    g_t = dL/ds_t spike'(u_t) + decay (1 - s_t) g_{t+1}.
    """
    B, T, _ = x.shape
    N = theta["W_rec"].shape[0]
    us, ss, ds = np.zeros((T, B, N)), np.zeros((T, B, N)), np.zeros((T, B, N))
    u, s = np.zeros((B, N)), np.zeros((B, N))
    for t in range(T):
        u = decay * u * (1 - s) + x[:, t] @ theta["W_in"] + s @ theta["W_rec"]
        s, d = _spike(u, th, smooth)
        us[t], ss[t], ds[t] = u, s, d
    rate = ss.sum(0) / T
    logits = rate @ theta["W_out"] + theta["b_out"]
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(1, keepdims=True)
    loss = float(-np.log(p[np.arange(B), y] + 1e-300).mean())
    if not grad:
        return loss, {}, p
    dlogits = p.copy()
    dlogits[np.arange(B), y] -= 1
    dlogits /= B
    g = {"W_out": rate.T @ dlogits, "b_out": dlogits.sum(0),
         "W_in": np.zeros_like(theta["W_in"]), "W_rec": np.zeros_like(theta["W_rec"])}
    drate = dlogits @ theta["W_out"].T / T
    g_next = np.zeros((B, N))
    for t in range(T - 1, -1, -1):
        dS = drate.copy()
        if t + 1 < T:
            dS += g_next @ theta["W_rec"].T - decay * us[t] * g_next
        gu = dS * ds[t]
        if t + 1 < T:
            gu += decay * (1 - ss[t]) * g_next
        g["W_in"] += x[:, t].T @ gu
        if t > 0:
            g["W_rec"] += ss[t - 1].T @ gu
        g_next = gu
    return loss, g, p


def gradient_check(seed: int = 0) -> float:
    """Largest relative error of the BPTT gradients against central differences (smooth)."""
    rng = np.random.default_rng(seed)
    B, T, n_in, N, C = 4, 6, 5, 7, 3
    x = (rng.random((B, T, n_in)) < 0.4).astype(np.float64)
    y = rng.integers(0, C, B)
    theta = {"W_in": rng.standard_normal((n_in, N)), "W_rec": 0.5 * rng.standard_normal((N, N)),
             "W_out": rng.standard_normal((N, C)), "b_out": rng.standard_normal(C)}
    _, g, _ = forward_backward(theta, x, y, 0.9, 1.0, smooth=2.0)
    worst, h = 0.0, 1e-6
    for k, v in theta.items():
        fd = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            old = v[idx]
            v[idx] = old + h
            up = forward_backward(theta, x, y, 0.9, 1.0, smooth=2.0, grad=False)[0]
            v[idx] = old - h
            dn = forward_backward(theta, x, y, 0.9, 1.0, smooth=2.0, grad=False)[0]
            v[idx] = old
            fd[idx] = (up - dn) / (2 * h)
        worst = max(worst, float(np.abs(fd - g[k]).max() / np.abs(g[k]).max()))
    return worst


def train_bptt(X: np.ndarray, y: np.ndarray, epochs: int, seed: int, batch: int = 128,
               lr: float = 2e-3) -> dict[str, np.ndarray]:
    p = TASK_PARAMS["digits"]
    rng = np.random.default_rng(seed)
    n_in, N = p.n_inputs, p.n_reservoir
    theta = {"W_in": p.w_in_std * rng.standard_normal((n_in, N)),
             "W_rec": p.w_res_std * rng.standard_normal((N, N)),
             "W_out": rng.standard_normal((N, 10)) / np.sqrt(N), "b_out": np.zeros(10)}
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v2 = {k: np.zeros_like(v) for k, v in theta.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for a in range(0, len(y), batch):
            idx = order[a:a + batch]
            _, g, _ = forward_backward(theta, X[idx].astype(np.float64), y[idx], p.decay, p.v_th)
            step += 1
            for k in theta:
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                v2[k] = 0.999 * v2[k] + 0.001 * g[k] ** 2
                theta[k] -= lr * (m[k] / (1 - 0.9**step)) / (np.sqrt(v2[k] / (1 - 0.999**step))
                                                             + 1e-8)
    return theta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="2 epochs")
    args = ap.parse_args(argv)
    epochs = 2 if args.quick else args.epochs
    X, y = digits_task()
    perm = np.random.default_rng(args.seed).permutation(len(y))
    tr, te = perm[: int(0.7 * len(y))], perm[int(0.7 * len(y)):]
    with threadpool_limits(limits=1, user_api="blas"):  # same footing for both: one thread
        err = gradient_check()
        lsm = LiquidStateMachine(seed=args.seed)
        lsm.transform(X[:2])                              # compile / load the kernel first
        t0 = time.perf_counter()
        lsm.fit(X[tr], y[tr])
        t_lsm = time.perf_counter() - t0
        acc_lsm = lsm.score(X[te], y[te])
        t0 = time.perf_counter()
        theta = train_bptt(X[tr], y[tr], epochs, args.seed)
        t_bptt = time.perf_counter() - t0
        p = TASK_PARAMS["digits"]
        _, _, prob = forward_backward(theta, X[te].astype(np.float64), y[te], p.decay, p.v_th,
                                      grad=False)
    acc_bptt = float(np.mean(prob.argmax(1) == y[te]))
    print(json.dumps({
        "task": "event digits (load_digits, saccade DVS), 1258 train / 539 test",
        "network": "256 -> 200 recurrent LIF -> 10 (spike counts)",
        "lsm_readout_train_s": round(t_lsm, 3), "lsm_test_accuracy": round(acc_lsm, 4),
        "bptt_epochs": epochs, "bptt_train_s": round(t_bptt, 3),
        "bptt_test_accuracy": round(acc_bptt, 4),
        "bptt_over_lsm_time_ratio": round(t_bptt / t_lsm, 1),
        "bptt_gradient_check_max_rel_error": err,
        "blas_threads": 1,
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

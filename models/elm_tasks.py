"""Offline tasks for the ELM neuron: sequential digits, Digits-Adding and NeuronIO-lite.

- :func:`sequential_digits`: scikit-learn's 8 x 8 digits read row by row (8 channels x 8
  steps, intensities in [0, 1]), a small stand-in for the paper's sequential image tasks.
- :func:`digits_adding`: two digits shown one after the other as Bernoulli spike trains (one
  channel per pixel, firing probability proportional to intensity); the label is their sum
  (19 classes), read at the last step, so the model must keep the first digit through the
  second (an offline cousin of the paper's SHD-Adding).
- :func:`neuronio_lite`: a conductance-based point neuron (IF_cond_exp) driven by many
  Poisson synapses with heterogeneous weights and slowly modulated rates, simulated by our
  Numba engine, as a small teacher in the spirit of NeuronIO (Beniaguev, Segev & London 2021,
  whose teacher is a detailed L5 pyramidal cell); the ELM learns its spikes and voltage on a
  1 ms grid and is scored by spike-prediction ROC AUC and voltage RMSE (:func:`neuronio_scores`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.random import SeedLike, make_rng

__all__ = ["NeuronIOData", "digits_adding", "neuronio_lite", "neuronio_scores",
           "sequential_digits"]


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images / 16.0, d.target.astype(np.int64)


def sequential_digits(test_fraction: float = 0.2, seed: SeedLike = 0
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test``: images (n, 8 steps, 8 channels) in [0, 1].

    The split is stratified by class and drawn from ``seed``.
    """
    images, labels = _digits()
    rng = make_rng(seed, "split")
    test = np.zeros(len(labels), dtype=bool)
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        test[rng.choice(idx, size=round(test_fraction * len(idx)), replace=False)] = True
    return images[~test], images[test], labels[~test], labels[test]


def digits_adding(n_train: int = 3000, n_test: int = 1000, steps_per_digit: int = 10,
                  gap_steps: int = 0, p_max: float = 0.5, seed: SeedLike = 0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test`` of the Digits-Adding task.

    Each sample shows digit A for ``steps_per_digit`` steps, ``gap_steps`` silent steps, then
    digit B for ``steps_per_digit`` steps; channel i (pixel i of 64) spikes in each step with
    probability ``p_max * intensity_i``. Label: A + B in 0..18. Training pairs are drawn from
    one half of the images and test pairs from the other, so the test digits are unseen.
    """
    images, labels = _digits()
    rng = make_rng(seed, "adding")
    order = rng.permutation(len(labels))
    halves = order[: len(order) // 2], order[len(order) // 2:]

    def make(pool: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        a = rng.choice(pool, n)
        b = rng.choice(pool, n)
        probs = np.zeros((n, 2 * steps_per_digit + gap_steps, 64))
        probs[:, :steps_per_digit] = p_max * images[a].reshape(n, 1, 64)
        probs[:, steps_per_digit + gap_steps:] = p_max * images[b].reshape(n, 1, 64)
        return (rng.random(probs.shape) < probs).astype(float), labels[a] + labels[b]

    X_train, y_train = make(halves[0], n_train)
    X_test, y_test = make(halves[1], n_test)
    return X_train, X_test, y_train, y_test


@dataclass
class NeuronIOData:
    """Inputs and targets of NeuronIO-lite on a 1 ms grid.

    ``X``: (n_trials, n_steps, n_exc + n_inh) spike counts, excitatory inputs first (the
    NeuronIO layout that ``routing="neuronio"`` interlaces); ``y``: (n_trials, n_steps, 2),
    the teacher's spikes (0/1) and its voltage ``(min(v, v_thresh) - v_rest) / 10 mV`` (the
    authors' clipping at threshold and 1/10 mV scale); ``v``: the voltage in mV.
    """

    X: np.ndarray
    y: np.ndarray
    v: np.ndarray
    rate_hz: float
    v_rest_mV: float
    scale_mV: float = 10.0

    def windows(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Cut every trial into non-overlapping windows of ``length`` steps."""
        n, t, _ = self.X.shape
        k = t // length
        cut = k * length
        X = self.X[:, :cut].reshape(n * k, length, -1)
        y = self.y[:, :cut].reshape(n * k, length, 2)
        return X, y


def neuronio_lite(n_trials: int = 16, duration_ms: int = 2000, n_exc: int = 100,
                  n_inh: int = 100, seed: SeedLike = 0, neuron_seed: SeedLike = 0,
                  progress: bool = False) -> NeuronIOData:
    """Simulate the teacher: one IF_cond_exp cell per trial, ``n_exc + n_inh`` synapses.

    Every trial is the same neuron (synaptic weights lognormal over synapses, drawn from
    ``neuron_seed``) driven by new input (drawn from ``seed``: give a training and a test set
    different seeds and the same ``neuron_seed``): each input fires as an inhomogeneous
    Poisson process whose rate follows a smoothed random walk around 3 Hz (excitatory) or
    6 Hz (inhibitory), re-drawn per trial, so that the output rate varies over time as in
    NeuronIO's ergodic inputs. Input spikes sit on the 1 ms grid; the engine integrates with
    dt = 0.1 ms; output spikes are binned into 1 ms steps and the voltage is taken at the
    start of every 1 ms bin.
    """
    from neurosim.engines import build
    from neurosim.network import (
        FromList,
        IF_cond_exp,
        NetworkSpec,
        Population,
        Probe,
        Projection,
        SpikeSourceArray,
        StaticSynapse,
    )
    from neurosim.units import ms, mV, nF, nS

    rng = make_rng(seed, "neuronio-lite", "inputs")
    n_in = n_exc + n_inh
    T = int(duration_ms)
    # slowly varying rate per input and trial: a random walk smoothed over ~100 ms
    base = np.r_[np.full(n_exc, 3.0), np.full(n_inh, 6.0)]
    walk = rng.normal(size=(n_trials, T // 50 + 2, n_in))
    coarse = np.exp(0.6 * walk)
    fine = np.repeat(coarse, 50, axis=1)[:, :T]
    kernel = np.ones(50) / 50
    smooth = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="same"), 1, fine)
    rates = base * smooth  # Hz
    X = (rng.random((n_trials, T, n_in)) < rates * 1e-3).astype(float)

    wrng = make_rng(neuron_seed, "neuronio-lite", "weights")
    w_exc = wrng.lognormal(np.log(2.4), 0.6, n_exc)  # nS
    w_inh = wrng.lognormal(np.log(1.5), 0.5, n_inh)
    cell = IF_cond_exp(cm=0.25 * nF, tau_m=20 * ms, v_rest=-70 * mV, v_reset=-70 * mV,
                       v_thresh=-54 * mV, tau_refrac=2 * ms, e_rev_E=0 * mV, e_rev_I=-80 * mV,
                       tau_syn_E=5 * ms, tau_syn_I=8 * ms)
    trains_e, trains_i = [], []
    for k in range(n_trials):
        for i in range(n_in):
            times = tuple((np.flatnonzero(X[k, :, i]) * 1e-3).tolist())
            (trains_e if i < n_exc else trains_i).append(times)
    pairs_e = tuple((k * n_exc + i, k) for k in range(n_trials) for i in range(n_exc))
    pairs_i = tuple((k * n_inh + i, k) for k in range(n_trials) for i in range(n_inh))
    spec = NetworkSpec(
        (Population("cell", n_trials, cell),),
        (SpikeSourceArray("exc", tuple(trains_e)), SpikeSourceArray("inh", tuple(trains_i))),
        (Projection("exc", "cell", FromList(pairs_e), StaticSynapse(weight=1 * nS),
                    "excitatory", label="exc"),
         Projection("inh", "cell", FromList(pairs_i), StaticSynapse(weight=1 * nS),
                    "inhibitory", label="inh")),
        (Probe("cell"), Probe("cell", "v")),
        name="neuronio_lite")
    sim = build(spec, engine="numba", dt=0.1 * ms, seed=make_rng(seed, "engine"))
    # the same synapse has the same weight in every trial: one neuron, many inputs
    sim.set_weights("exc", np.tile(w_exc, n_trials) * nS)
    sim.set_weights("inh", np.tile(w_inh, n_trials) * nS)
    sim.run(T * ms, progress=progress)
    spikes = sim.spikes("cell")
    step = np.minimum((np.asarray(spikes.times / ms) + 1e-9).astype(int), T - 1)
    out = np.zeros((n_trials, T))
    out[spikes.indices, step] = 1.0
    # the engine records every 0.1 ms step; keep the sample at the start of each 1 ms bin
    v_all = np.asarray(sim.data["cell.v"].values / mV)
    v = v_all[:: round(1e-3 / 1e-4)][:T].T  # (trials, T)
    v_rest, v_thresh = -70.0, -54.0
    soma = (np.minimum(v, v_thresh) - v_rest) / 10.0
    y = np.stack([out, soma], axis=-1)
    return NeuronIOData(X, y, v, rate_hz=float(out.sum() / (n_trials * T * 1e-3)),
                        v_rest_mV=v_rest)


def neuronio_scores(model: Any, X: np.ndarray, y: np.ndarray, burn_in: int = 150,
                    scale_mV: float = 10.0) -> dict[str, float]:
    """Spike-prediction ROC AUC and voltage RMSE (mV) after ``burn_in`` steps, as the paper
    scores NeuronIO, with the model's parameter count."""
    from sklearn.metrics import roc_auc_score

    Y = model.decision_function(X)
    spikes = y[:, burn_in:, 0].ravel()
    auc = float(roc_auc_score(spikes, Y[:, burn_in:, 0].ravel())) if 0 < spikes.sum() < \
        spikes.size else float("nan")
    rmse = float(np.sqrt(((Y[:, burn_in:, 1] - y[:, burn_in:, 1]) ** 2).mean())) * scale_mV
    rmse_mean = float(np.sqrt(((y[:, burn_in:, 1] - y[:, burn_in:, 1].mean()) ** 2).mean())
                      ) * scale_mV
    return {"auc": auc, "rmse_mV": rmse, "rmse_constant_mV": rmse_mean,
            "n_parameters": int(model.n_parameters())}

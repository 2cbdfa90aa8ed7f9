"""The Expressive Leaky Memory (ELM) neuron, trained by backpropagation through time.

Spieler, Rahaman, Martius, Schölkopf & Levina, "The Expressive Leaky Memory neuron: an
efficient and expressive phenomenological neuron model can solve long-horizon tasks",
ICLR 2024 (arXiv 2306.16922); defaults from the paper and the authors' code
(github.com/AaronSpieler/elmneuron, ``src/expressive_leaky_memory_neuron{,_v2}.py``).

Per time step (dt = 1 ms): synapse traces ``s_t = kappa_s s_{t-1} + w_s * x_t``
(``w_s = relu(param)``), branch sums ``b_t``, a memory update
``Delta m_t = 1.7159 tanh(2/3 MLP([b_t, kappa_m m_{t-1}]))`` (one hidden ReLU layer of width
2 d_m), memories ``m_t = kappa_m m_{t-1} + lambda (1 - kappa_m) Delta m_t`` (v1) or
``+ (1 - kappa_lambda) Delta m_t`` with ``kappa_lambda = exp(-lambda dt / tau_m)`` (v2, whose
branches integrate ``b_t = kappa_b b_{t-1} + sum_branch w_s x_t`` directly), and a linear
readout ``y_t = W_y m_t + b_y``. The forward pass and its hand-derived gradients live in
:mod:`neurosim.kernels.elm`. See docs/elm.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.kernels.elm import (
    elm_backward,
    elm_backward_reference,
    elm_forward,
    elm_forward_reference,
)
from neurosim.params import Params, Quantity, choice, number, quantity
from neurosim.random import SeedLike, as_seed_sequence, make_rng
from neurosim.units import ms, second, to_si

__all__ = ["ELMNeuron", "ELMParams", "ELMTraining", "neuronio_routing", "routing_indices"]

KERNELS = ("numba", "numpy")
LOSSES = ("auto", "cross_entropy", "neuronio", "mse")


class ELMParams(Params):
    """Architecture of an ELM neuron.

    Defaults are the paper's (Table/Appendix of Spieler et al. 2024) and the authors' code:
    d_m = 100 memory units (``num_memory``), MLP width 2 d_m (``n_hidden=0`` means 2 d_m),
    lambda = 5, tau_s = 5 ms (tau_b of v2), tau_m log-spaced in [1 ms, 1000 ms] (150 ms for
    NeuronIO), w_s initialised to 0.5, dt = 1 ms, tau_m not learned. ``n_branches = 0`` gives
    the plain ELM (one synapse and branch per input); otherwise ``n_branches`` x
    ``synapses_per_branch`` synapses are fed by ``routing``: "none" (consecutive inputs,
    needs n_branches x synapses_per_branch = n_inputs), "random" (each synapse draws an input
    uniformly) or "neuronio" (excitatory and inhibitory inputs interlaced, then overlapping
    windows of neighbouring inputs per branch, as the authors route NeuronIO's 1278 inputs
    onto 45 x 100 synapses).
    """

    version: str = choice("v1", ("v1", "v2"))
    n_memory: int = number(100, low=1, integer=True)
    n_hidden: int = number(0, low=0, integer=True)
    lambda_value: float = number(5.0, low=0.0, low_open=True)
    tau_s: Quantity = quantity(5 * ms, ms, low=0 * ms, low_open=True)
    tau_m_min: Quantity = quantity(1 * ms, ms, low=0 * ms, low_open=True)
    tau_m_max: Quantity = quantity(1000 * ms, ms, low=0 * ms, low_open=True)
    tau_m_learning: str = choice("fixed", ("fixed", "learned"))
    w_s_init: float = number(0.5, low=0.0)
    routing: str = choice("none", ("none", "random", "neuronio"))
    n_branches: int = number(0, low=0, integer=True)
    synapses_per_branch: int = number(1, low=1, integer=True)
    dt: Quantity = quantity(1 * ms, ms, low=0 * ms, low_open=True)

    def check(self) -> None:
        if to_si(self.tau_m_max) <= to_si(self.tau_m_min):
            raise ParameterError("tau_m_max", self.tau_m_max,
                                 f"a time > tau_m_min = {self.tau_m_min}", type(self).__name__)
        if self.n_branches == 0 and (self.synapses_per_branch != 1 or self.routing != "none"):
            raise ParameterError("n_branches", 0, "> 0 when synapses_per_branch > 1 or a "
                                 "routing is given (0 means the plain ELM)", type(self).__name__)

    @property
    def hidden(self) -> int:
        """The MLP width d_mlp (2 d_m unless ``n_hidden`` is set)."""
        return self.n_hidden or 2 * self.n_memory


class ELMTraining(Params):
    """Optimisation: the authors' NeuronIO script uses Adam, learning rate 5e-4 with cosine
    annealing, batches of 8, a burn-in of 150 steps excluded from the loss and windows of
    500 ms; epochs and batch size here default to small-data values."""

    optimizer: str = choice("adam", ("adam", "adamax"))
    learning_rate: float = number(5e-4, low=0.0, low_open=True)
    schedule: str = choice("cosine", ("cosine", "constant"))
    epochs: int = number(20, low=1, integer=True)
    batch_size: int = number(32, low=1, integer=True)
    grad_clip: float = number(0.0, low=0.0)
    burn_in: int = number(0, low=0, integer=True)


def neuronio_routing(n_inputs: int, n_branches: int,
                     synapses_per_branch: int) -> tuple[np.ndarray, np.ndarray]:
    """Input index and validity mask of every synapse under NeuronIO routing.

    Inputs ``[exc_0..exc_{n/2-1}, inh_0..inh_{n/2-1}]`` are interlaced
    (``exc_0, inh_0, exc_1, ...``) so that each branch sees both kinds from nearby segments;
    branch j takes ``synapses_per_branch`` consecutive interlaced inputs from
    ``j * ceil(n_inputs / n_branches)`` (windows overlap when the product exceeds n_inputs);
    synapses past the last input are masked (they hold a weight that never sees an input).
    """
    if math.ceil(n_inputs / n_branches) > synapses_per_branch:
        raise ParameterError("synapses_per_branch", synapses_per_branch,
                             f">= ceil(n_inputs / n_branches) = "
                             f"{math.ceil(n_inputs / n_branches)} so every input is routed",
                             "neuronio_routing")
    k = np.arange(n_inputs)
    interlaced = (k % 2) * (n_inputs // 2) + k // 2
    stride = math.ceil(n_inputs / n_branches)
    windows = (np.arange(n_branches)[:, None] * stride
               + np.arange(synapses_per_branch)[None, :]).ravel()
    valid = windows < n_inputs
    return interlaced[np.minimum(windows, n_inputs - 1)].astype(np.int64), valid.astype(float)


def routing_indices(params: ELMParams, n_inputs: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(syn_idx, syn_mask, n_branches, synapses_per_branch)`` for ``params``."""
    owner = "ELMNeuron"
    if params.n_branches == 0:
        return np.arange(n_inputs, dtype=np.int64), np.ones(n_inputs), n_inputs, 1
    nb, spb = params.n_branches, params.synapses_per_branch
    n_syn = nb * spb
    if params.routing == "none":
        if n_syn != n_inputs:
            raise ParameterError("n_branches", nb, f"such that n_branches x synapses_per_branch"
                                 f" = n_inputs = {n_inputs} without routing", owner)
        return np.arange(n_inputs, dtype=np.int64), np.ones(n_inputs), nb, spb
    if params.routing == "random":
        return rng.integers(0, n_inputs, size=n_syn).astype(np.int64), np.ones(n_syn), nb, spb
    idx, mask = neuronio_routing(n_inputs, nb, spb)
    return idx, mask, nb, spb


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


class ELMNeuron:
    """An ELM neuron with scikit-learn style ``fit`` / ``predict`` / ``score``.

    Parameters
    ----------
    n_inputs, n_outputs
        Input channels and readout size; inferred by :meth:`fit` when None (the weights are
        drawn as soon as both are known).
    params, training
        :class:`ELMParams` and :class:`ELMTraining`; any of their fields may also be given as
        keyword arguments (``ELMNeuron(8, 10, n_memory=20, epochs=30)``).
    loss
        "cross_entropy" (softmax of the last step's logits against integer labels),
        "neuronio" (per step: 0.5 BCE-with-logits on output 0 against spikes + 0.5 MSE on
        output 1 against a scaled voltage, as the authors' ``NeuronioLoss``), "mse" (per step),
        or "auto" (cross_entropy for 1-d integer targets, neuronio for (n, T, 2) targets).
    kernel
        "numba" (compiled loops) or "numpy" (the twin).
    seed
        Seeds the initial weights ("init"), the random routing ("routing") and the batch order
        ("batches") through named children.

    Examples
    --------
    >>> elm = ELMNeuron(8, 10, n_memory=10, seed=0)
    >>> elm.n_parameters() == sum(v.size for v in elm.trainable().values())
    True
    """

    def __init__(self, n_inputs: int | None = None, n_outputs: int | None = None, *,
                 params: ELMParams | None = None, training: ELMTraining | None = None,
                 loss: str = "auto", kernel: str = "numba", seed: SeedLike = None,
                 **fields: Any) -> None:
        arch = {k: v for k, v in fields.items() if k in ELMParams.field_names()}
        opt = {k: v for k, v in fields.items() if k in ELMTraining.field_names()}
        unknown = set(fields) - set(arch) - set(opt)
        if unknown:
            name = sorted(unknown)[0]
            raise ParameterError(name, fields[name], "a field of ELMParams or ELMTraining",
                                 "ELMNeuron")
        self.params = (params or ELMParams()).replace(**arch)
        self.training = (training or ELMTraining()).replace(**opt)
        if loss not in LOSSES:
            raise ParameterError("loss", loss, f"one of {LOSSES}", "ELMNeuron")
        if kernel not in KERNELS:
            raise ParameterError("kernel", kernel, f"one of {KERNELS}", "ELMNeuron")
        for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
            if value is not None and (isinstance(value, bool) or not isinstance(
                    value, int | np.integer) or value < 1):
                raise ParameterError(name, value, "a positive int or None", "ELMNeuron")
        self.loss = loss
        self.kernel = kernel
        self.seed = as_seed_sequence(seed)
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.history_: list[dict[str, float]] = []
        self._theta: np.ndarray | None = None
        if n_inputs is not None and n_outputs is not None:
            self._initialise()

    # -- structure ----------------------------------------------------------------------
    def _shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        p = self.params
        d_m, h, n_syn = p.n_memory, p.hidden, self._nb * self._spb
        shapes = [("w_s", (n_syn,)), ("W1", (h, self._nb + d_m)), ("b1", (h,)),
                  ("W2", (d_m, h)), ("b2", (d_m,)), ("Wy", (self.n_outputs, d_m)),
                  ("by", (self.n_outputs,))]
        if p.tau_m_learning == "learned":
            shapes.append(("tau_m", (d_m,)))
        return shapes

    def _initialise(self) -> None:
        p = self.params
        self._syn_idx, self._syn_mask, self._nb, self._spb = routing_indices(
            p, self.n_inputs, make_rng(self.seed, "routing"))
        shapes = self._shapes()
        sizes = [int(np.prod(s)) for _, s in shapes]
        # one flat vector of every trainable value; the named arrays are views into it, so
        # the optimiser updates them in place
        self._theta = np.zeros(sum(sizes))
        self._views: dict[str, np.ndarray] = {}
        start = 0
        for (name, shape), size in zip(shapes, sizes):
            self._views[name] = self._theta[start:start + size].reshape(shape)
            start += size
        rng = make_rng(self.seed, "init")
        v = self._views
        v["w_s"][:] = p.w_s_init
        # PyTorch's nn.Linear default, as in the authors' code: U(-1/sqrt(fan_in), ...)
        for w, b in (("W1", "b1"), ("W2", "b2"), ("Wy", "by")):
            bound = 1.0 / math.sqrt(v[w].shape[1])
            v[w][:] = rng.uniform(-bound, bound, v[w].shape)
            v[b][:] = rng.uniform(-bound, bound, v[b].shape)
        lo, hi = to_si(p.tau_m_min), to_si(p.tau_m_max)
        grid = np.logspace(math.log10(lo), math.log10(hi), p.n_memory)
        eps = 1e-9 * (hi - lo)  # keep the logit finite at the ends of the grid
        grid = np.clip(grid, lo + eps, hi - eps)
        raw = np.log((grid - lo) / (hi - grid))
        if "tau_m" in v:
            v["tau_m"][:] = raw
        else:
            self._tau_raw = raw

    def _require_init(self) -> None:
        if self._theta is None:
            raise ParameterError("n_inputs", self.n_inputs,
                                 "known: pass n_inputs and n_outputs or call fit first",
                                 "ELMNeuron")

    def n_parameters(self) -> int:
        """Trainable values, from the formula of docs/elm.md:

        ``n_syn + h (n_b + d_m) + h + d_m h + d_m + n_out d_m + n_out`` (+ d_m when tau_m is
        learned); with h = 2 d_m that is
        ``n_syn + 4 d_m^2 + (2 n_b + 3 + n_out) d_m + n_out``.
        """
        self._require_init()
        p = self.params
        d_m, h, n_b, n_out = p.n_memory, p.hidden, self._nb, self.n_outputs
        n = n_b * self._spb + h * (n_b + d_m) + h + d_m * h + d_m + n_out * d_m + n_out
        return n + (d_m if p.tau_m_learning == "learned" else 0)

    def trainable(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name (views of one flat vector; ``w_s`` and ``tau_m`` are
        the raw parameters before the ReLU and the scaled sigmoid)."""
        self._require_init()
        return dict(self._views)

    def get_flat(self) -> np.ndarray:
        """A copy of every trainable value as one vector."""
        self._require_init()
        return self._theta.copy()

    def set_flat(self, theta: np.ndarray) -> None:
        """Overwrite every trainable value from one vector (the layout of :meth:`get_flat`)."""
        self._require_init()
        self._theta[:] = theta

    # -- derived constants ---------------------------------------------------------------
    @property
    def tau_m(self) -> Quantity:
        """Memory time constants (a Brian2 quantity)."""
        return self._tau_m_si() * second

    def _tau_m_si(self) -> np.ndarray:
        self._require_init()
        lo, hi = to_si(self.params.tau_m_min), to_si(self.params.tau_m_max)
        raw = self._views["tau_m"] if "tau_m" in self._views else self._tau_raw
        return lo + (hi - lo) * _sigmoid(raw)

    def _constants(self) -> dict[str, np.ndarray]:
        p = self.params
        dt = to_si(p.dt)
        tau = self._tau_m_si()
        kappa_m = np.exp(-dt / tau)
        if p.version == "v1":
            gain = p.lambda_value * (1.0 - kappa_m)
        else:
            gain = 1.0 - np.exp(-p.lambda_value * dt / tau)
        kappa_b = np.full(self._nb, math.exp(-dt / to_si(p.tau_s)))
        return {"tau": tau, "kappa_m": kappa_m, "gain": gain, "kappa_b": kappa_b, "dt": dt}

    @property
    def w_s(self) -> np.ndarray:
        """Synaptic weights ``relu(param)``."""
        self._require_init()
        return np.maximum(self._views["w_s"], 0.0)

    # -- forward and gradients ----------------------------------------------------------
    def _check_X(self, X: Any) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=float)
        if X.ndim != 3 or (self.n_inputs is not None and X.shape[2] != self.n_inputs):
            raise ParameterError("X", X.shape, f"an array (n_samples, n_steps, "
                                 f"{self.n_inputs or 'n_inputs'})", "ELMNeuron")
        return X

    def _forward(self, X: np.ndarray, kernel: str | None = None) -> tuple[np.ndarray, ...]:
        c = self._constants()
        v = self._views
        fn = elm_forward if (kernel or self.kernel) == "numba" else elm_forward_reference
        return fn(X, self._syn_idx, self._syn_mask, self._spb, self.w_s, c["kappa_b"],
                  v["W1"], v["b1"], v["W2"], v["b2"], c["kappa_m"], c["gain"], v["Wy"],
                  v["by"])

    def decision_function(self, X: Any, *, kernel: str | None = None) -> np.ndarray:
        """Raw outputs y_t for every step: (n_samples, n_steps, n_outputs)."""
        self._require_init()
        return self._forward(self._check_X(X), kernel)[0]

    def record(self, X: Any, *, kernel: str | None = None) -> dict[str, np.ndarray]:
        """Outputs ``y``, branch states ``b`` and memories ``m`` for every step (the plain
        ELM's ``b`` is its synapse traces ``s``)."""
        self._require_init()
        Y, Bs, Ms, _, _ = self._forward(self._check_X(X), kernel)
        return {"y": Y, "b": Bs, "m": Ms}

    def synapse_traces(self, X: Any) -> np.ndarray:
        """The v1 per-synapse traces ``s_t = kappa_s s_{t-1} + w_s r_t`` (n, T, n_syn)."""
        self._require_init()
        X = self._check_X(X)
        k = math.exp(-to_si(self.params.dt) / to_si(self.params.tau_s))
        r = X[:, :, self._syn_idx] * self._syn_mask * self.w_s
        s = np.empty_like(r)
        acc = np.zeros((X.shape[0], r.shape[2]))
        for t in range(X.shape[1]):
            acc = k * acc + r[:, t]
            s[:, t] = acc
        return s

    def _resolve_loss(self, y: np.ndarray) -> str:
        if self.loss != "auto":
            return self.loss
        if y.ndim == 1:
            return "cross_entropy"
        if y.ndim == 3 and y.shape[2] == 2:
            return "neuronio"
        return "mse"

    def _loss_grad_y(self, Y: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
        """Loss (mean over the batch) and dL/dY."""
        n = Y.shape[0]
        GY = np.zeros_like(Y)
        if loss == "cross_entropy":
            logp = _log_softmax(Y[:, -1])
            rows = np.arange(n)
            value = -logp[rows, y].mean()
            g = np.exp(logp)
            g[rows, y] -= 1.0
            GY[:, -1] = g / n
            return float(value), GY
        t0 = self.training.burn_in
        Yw, yw = Y[:, t0:], y[:, t0:]
        count = Yw.shape[0] * Yw.shape[1]
        if loss == "neuronio":
            z, target = Yw[..., 0], yw[..., 0]
            # BCE with logits, written stably: max(z, 0) - z y + log(1 + exp(-|z|))
            bce = (np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))).mean()
            mse = ((Yw[..., 1] - yw[..., 1]) ** 2).mean()
            GY[:, t0:, 0] = 0.5 * (_sigmoid(z) - target) / count
            GY[:, t0:, 1] = 0.5 * 2.0 * (Yw[..., 1] - yw[..., 1]) / count
            return float(0.5 * bce + 0.5 * mse), GY
        diff = Yw - yw
        GY[:, t0:] = 2.0 * diff / diff.size
        return float((diff ** 2).mean()), GY

    def loss_and_gradient(self, X: Any, y: Any, *,
                          kernel: str | None = None) -> tuple[float, np.ndarray]:
        """The loss on ``(X, y)`` and its gradient with respect to :meth:`get_flat`."""
        self._require_init()
        X = self._check_X(X)
        y = np.asarray(y)
        loss = self._resolve_loss(y)
        Y, Bs, Ms, As, Us = self._forward(X, kernel)
        value, GY = self._loss_grad_y(Y, y, loss)
        c = self._constants()
        v = self._views
        fn = elm_backward if (kernel or self.kernel) == "numba" else elm_backward_reference
        g_ws, gW1, gb1, gW2, gb2, gWy, gby, g_kappa, g_gain = fn(
            X, self._syn_idx, self._syn_mask, self._spb, c["kappa_b"], v["W1"], v["W2"],
            c["kappa_m"], c["gain"], v["Wy"], Bs, Ms, As, Us, GY)
        grads = {"w_s": g_ws * (v["w_s"] > 0.0), "W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2,
                 "Wy": gWy, "by": gby}
        if "tau_m" in v:
            tau, dt, lam = c["tau"], c["dt"], self.params.lambda_value
            dkappa = c["kappa_m"] * dt / tau ** 2
            if self.params.version == "v1":
                dgain = -lam * dkappa
            else:
                dgain = -np.exp(-lam * dt / tau) * lam * dt / tau ** 2
            lo, hi = to_si(self.params.tau_m_min), to_si(self.params.tau_m_max)
            sig = _sigmoid(v["tau_m"])
            grads["tau_m"] = (g_kappa * dkappa + g_gain * dgain) * (hi - lo) * sig * (1 - sig)
        flat = np.concatenate([grads[name].ravel() for name, _ in self._shapes()])
        return value, flat

    # -- estimator API ------------------------------------------------------------------
    def fit(self, X: Any, y: Any, *, X_val: Any = None, y_val: Any = None,
            progress: bool | None = None) -> ELMNeuron:
        """Train by BPTT with Adam or Adamax on mini-batches; ``history_`` gets one row per
        epoch (mean training loss, and the validation score when ``X_val`` is given)."""
        X = self._check_X(X) if self.n_inputs else np.ascontiguousarray(X, dtype=float)
        y = np.asarray(y)
        if self.n_inputs is None:
            self.n_inputs = int(X.shape[2])
        if self.n_outputs is None:
            loss = self._resolve_loss(y)
            self.n_outputs = int(y.max()) + 1 if loss == "cross_entropy" else int(y.shape[2])
        if self._theta is None:
            self._initialise()
        X = self._check_X(X)
        self._fitted_loss = self._resolve_loss(y)
        if self._fitted_loss == "cross_entropy":
            y = y.astype(np.int64)
            if y.min() < 0 or y.max() >= self.n_outputs:
                raise ParameterError("y", f"labels in [{y.min()}, {y.max()}]",
                                     f"labels in [0, {self.n_outputs - 1}]", "ELMNeuron")
        tr = self.training
        n = X.shape[0]
        per_epoch = math.ceil(n / tr.batch_size)
        total = per_epoch * tr.epochs
        m1 = np.zeros_like(self._theta)
        m2 = np.zeros_like(self._theta)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        rng = make_rng(self.seed, "batches")
        step = 0
        show = (total > 50) if progress is None else progress
        from tqdm.auto import tqdm

        bar = tqdm(total=tr.epochs, unit="epoch", desc="ELM fit", disable=not show)
        try:
            for epoch in range(tr.epochs):
                order = rng.permutation(n)
                losses = []
                for start in range(0, n, tr.batch_size):
                    idx = order[start:start + tr.batch_size]
                    value, g = self.loss_and_gradient(X[idx], y[idx])
                    losses.append(value * len(idx))
                    if tr.grad_clip > 0:
                        norm = float(np.linalg.norm(g))
                        if norm > tr.grad_clip:
                            g *= tr.grad_clip / norm
                    lr = tr.learning_rate
                    if tr.schedule == "cosine":
                        lr *= 0.5 * (1.0 + math.cos(math.pi * step / total))
                    step += 1
                    m1 = beta1 * m1 + (1 - beta1) * g
                    if tr.optimizer == "adam":
                        m2 = beta2 * m2 + (1 - beta2) * g * g
                        mhat = m1 / (1 - beta1 ** step)
                        vhat = m2 / (1 - beta2 ** step)
                        self._theta -= lr * mhat / (np.sqrt(vhat) + eps)
                    else:  # Adamax: infinity-norm second moment (Kingma & Ba 2015, sec. 7)
                        m2 = np.maximum(beta2 * m2, np.abs(g))
                        self._theta -= lr / (1 - beta1 ** step) * m1 / (m2 + eps)
                row = {"epoch": epoch + 1, "loss": float(np.sum(losses) / n)}
                if X_val is not None:
                    row["val_score"] = self.score(X_val, y_val)
                self.history_.append(row)
                bar.set_postfix(loss=f"{row['loss']:.4f}")
                bar.update()
        finally:
            bar.close()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities from the last step's logits (cross-entropy models)."""
        z = self.decision_function(X)[:, -1]
        return np.exp(_log_softmax(z))

    def predict(self, X: Any) -> np.ndarray:
        """Labels (cross_entropy); spike probability and voltage per step (neuronio: the
        sigmoid of output 0 and output 1, (n, T, 2)); raw outputs (mse)."""
        Y = self.decision_function(X)
        loss = self.loss if self.loss != "auto" else self._auto_from_outputs()
        if loss == "cross_entropy":
            return Y[:, -1].argmax(axis=1)
        if loss == "neuronio":
            return np.stack([_sigmoid(Y[..., 0]), Y[..., 1]], axis=-1)
        return Y

    def _auto_from_outputs(self) -> str:
        # after fit, "auto" has been decided by the targets; before, guess from the shape
        return getattr(self, "_fitted_loss", "cross_entropy" if self.n_outputs != 2
                       else "neuronio")

    def score(self, X: Any, y: Any) -> float:
        """Accuracy (cross_entropy), spike-prediction ROC AUC after the burn-in (neuronio) or
        minus the MSE (mse)."""
        y = np.asarray(y)
        loss = self._resolve_loss(y)
        Y = self.decision_function(X)
        if loss == "cross_entropy":
            return float((Y[:, -1].argmax(axis=1) == y).mean())
        t0 = self.training.burn_in
        if loss == "neuronio":
            from sklearn.metrics import roc_auc_score

            return float(roc_auc_score(y[:, t0:, 0].ravel(), Y[:, t0:, 0].ravel()))
        return -float(((Y[:, t0:] - y[:, t0:]) ** 2).mean())

"""Hebbian learning based orthogonal projection (HLOP) for continual learning of a spiking MLP.

Xiao, Meng, Zhang, He & Lin, "Hebbian learning based orthogonal projection for continual
learning of spiking neural networks", ICLR 2024 (arXiv 2402.11984); the authors' PyTorch code
is ``github.com/pkuxmq/HLOP-SNN`` (read for the defaults below; this is our own NumPy code).

Every layer ``l`` keeps lateral "subspace neurons" ``H_l`` (k x n) fed by the presynaptic
weighted firing rate ``x`` (a trace in [0, 1]). They learn the principal subspace of ``x`` by
Oja's subspace rule ``dH = eta (y x^T - y y^T H)``, ``y = H x`` (the generalised Hebbian /
anti-Hebbian rule of the lateral circuit). While a new task trains, the weight update of every
layer sees the trace with its old-task subspace removed,

    dW_l  propto  delta_l (x - H_old^T H_old x)^T,

so ``dW_l x_old = 0`` for every input ``x_old`` in the span of ``H_old``: old tasks' currents,
hence their spikes, do not change. The network is a spiking MLP of LIF neurons run for T
steps, trained by DSR (Meng et al., CVPR 2022): the gradient of the rate map
``x_out = clip(W x_in, 0, a)`` at the network's actual firing rates (:mod:`neurosim.kernels.hlop`).

Three projections share the class (``HLOPParams.projection``): ``"hlop"`` (the paper),
``"none"`` (plain fine-tuning, the baseline) and ``"svd"`` (an oracle: the old subspace is the
exact top-k singular subspace of each finished task's traces, GPM-style, with the same k as
HLOP).
"""

from __future__ import annotations

import dataclasses
import gzip
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.kernels.hlop import (
    lif_forward,
    lif_forward_reference,
    oja_subspace_step,
    quantise_lateral,
    rate_weights,
)
from neurosim.params import Params, choice, number
from neurosim.random import SeedLike, as_seed_sequence, make_rng

__all__ = ["ContinualResult", "CrossbarSubspace", "HLOPNetwork", "HLOPParams", "Task",
           "authors_subspace_sizes", "continual_metrics", "load_idx", "permuted_digits",
           "permuted_mnist", "principal_cosines", "run_continual"]

_OWNER = "HLOPParams"


def _one_blas_thread(fn: Any) -> Any:
    """Run ``fn`` with BLAS on one thread: the matrices here are small (64 x 128), and two
    BLAS threads on a shared two-core machine ran an epoch 12x slower than one (measured)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


class HLOPParams(Params):
    """Parameters of :class:`HLOPNetwork`.

    Defaults: the authors' PMNIST run (``spiking_train_pmnist.py``, ``models/spiking_mlp_hlop.py``,
    ``modules/neuron_dsr.py``, ``modules/hlop_module.py`` of ``pkuxmq/HLOP-SNN``) where they
    carry over, scaled down where the 8x8 digits task is smaller (marked "ours").

    Network and neuron:

    * ``n_hidden`` 128 (ours; the paper's PMNIST MLP has two hidden layers of 800);
      ``n_layers`` 2 hidden layers (paper).
    * ``n_steps`` T = 20, ``tau`` 1.0, ``dt`` 0.05, ``v_threshold`` 0.3, ``fire_frac`` 0.3
      (the neuron fires at ``fire_frac * v_threshold`` and subtracts ``v_threshold``): the
      paper's DSR settings (``-timesteps 20 -tau 1.0 -delta_t 0.05 -Vth 0.3 -alpha 0.3``).
      ``train_threshold``: the authors' ``-train_Vth 1`` (default there): every hidden
      layer's threshold is a parameter trained by SGD with the weights, on every task (in
      ``spiking_train_pmnist.py`` the 0-d threshold passes the filter that drops biases after
      task 0), kept >= ``threshold_bound`` (their ``-Vth_bound`` 0.0005). Its gradient
      (``threshold_gradient``): ``"authors"``, ``neuron_dsr.lif_grad``'s ``dt`` times the summed
      output gradient of the saturated neurons; ``"exact"``, the derivative of the rate map
      ``clip(u, 0, theta / (1 - beta))``, ``1 / (1 - beta)`` (~ tau / dt) times that sum.
    * ``neuron``: ``"spiking"`` (LIF, DSR gradients) or ``"rate"`` (the rate map itself in
      the forward pass, where the DSR gradient is the exact gradient: finite-difference
      checks).

    Training (SGD, no biases as in the paper's MLP): ``lr`` 0.05 (ours; paper 0.1 on
    60 000 images per task), ``batch_size`` 64 (paper), ``epochs`` 20 per task (ours; paper
    1 epoch of 938 batches), ``init_gain`` 2.0 (ours).

    HLOP (``hlop_module.py``): ``hlop_lr`` 0.5 is the normalised rate: each batch uses
    ``eta = hlop_lr / mean ||x||^2`` (ours: Oja is stable for ``eta E||x||^2 < ~1``; the paper
    fixes eta = 0.001 / 0.01 for its input scales, its hidden traces in spike units Vth/dt;
    ``hebbian_rate="fixed"`` takes those numbers, which on MNIST give our layers eta E||x||^2
    0.785, 1.2 and 0.10), ``hlop_iterations`` 5, ``hlop_momentum``
    0.9, ``hlop_clip`` 10 (paper). Subspace sizes: ``k_input_first`` / ``k_input_increment``
    rows for the input layer at the first / every later task, ``k_hidden_*`` for every
    hidden-layer input (ours: 12 / 10 of 64 and 24 / 16 of 128; the paper uses 80 / 70 of 784
    and 200 and 100 / 70 of 800). ``lateral``: ``"rate"`` (y = Hx as a real number) or
    ``"spiking"`` (the paper's spiking lateral neurons: y clipped to ``lateral_scale`` and
    rounded to ``lateral_scale / lateral_steps``; paper 20 in units of the spike amplitude
    Vth/dt = 6, i.e. 3.33 in our rate units, and 40 steps as in the authors' README).
    """

    n_hidden: int = number(128, low=1, integer=True)
    n_layers: int = number(2, low=1, integer=True)
    n_steps: int = number(20, low=1, integer=True)
    tau: float = number(1.0, low=0.0, low_open=True)
    dt: float = number(0.05, low=0.0, low_open=True)
    v_threshold: float = number(0.3, low=0.0, low_open=True)
    fire_frac: float = number(0.3, low=0.0, high=1.0, low_open=True)
    neuron: str = choice("spiking", ("spiking", "rate"))
    lr: float = number(0.05, low=0.0, low_open=True)
    batch_size: int = number(64, low=1, integer=True)
    epochs: int = number(20, low=1, integer=True)
    init_gain: float = number(2.0, low=0.0, low_open=True)
    projection: str = choice("hlop", ("hlop", "none", "svd"))
    hlop_lr: float = number(0.5, low=0.0, low_open=True)
    hlop_iterations: int = number(5, low=1, integer=True)
    hlop_momentum: float = number(0.9, low=0.0, high=1.0, high_open=True)
    hlop_clip: float = number(10.0, low=0.0, low_open=True)
    k_input_first: int = number(12, low=0, integer=True)
    k_input_increment: int = number(10, low=0, integer=True)
    k_hidden_first: int = number(24, low=0, integer=True)
    k_hidden_increment: int = number(16, low=0, integer=True)
    lateral: str = choice("rate", ("rate", "spiking"))
    lateral_scale: float = number(20.0 * 0.05 / 0.3, low=0.0, low_open=True)
    lateral_steps: int = number(40, low=1, integer=True)
    #: ``"uniform"``: the k_* sizes above; ``"authors"``: spiking_train_pmnist.py's per-layer
    #: schedule (:func:`authors_subspace_sizes`), times ``schedule_scale``
    schedule: str = choice("uniform", ("uniform", "authors"))
    schedule_scale: float = number(1.0, low=0.0, low_open=True)
    #: ``"normalised"``: eta = hlop_lr / mean ||x||^2; ``"fixed"``: the authors' eta,
    #: ``hlop_lr_input`` for the input layer, ``hlop_lr_hidden`` for the others
    hebbian_rate: str = choice("normalised", ("normalised", "fixed"))
    hlop_lr_input: float = number(0.001, low=0.0, low_open=True)
    hlop_lr_hidden: float = number(0.01, low=0.0, low_open=True)
    #: Oja passes over a task's batches: 1 is the authors' (one update of ``hlop_iterations``
    #: per training batch); each further pass, after training, walks the task's batches
    #: again on the trained network's traces. The authors' 60,000 images per task give 938
    #: batches of updates; MNIST-5k's 4000 give 63, so 15 passes give their count
    hebbian_passes: int = number(1, low=1, integer=True)
    #: train each hidden layer's threshold (the authors' ``-train_Vth 1``)
    train_threshold: bool = False
    threshold_bound: float = number(0.0005, low=0.0, low_open=True)
    threshold_gradient: str = choice("authors", ("authors", "exact"))
    #: a diagnostic: with projection "hlop", this layer (0 = the input) stores the exact
    #: top-k subspace of its traces instead of the rows Oja learned (-1: none), which
    #: measures how much of HLOP's forgetting that layer's rows cause
    exact_layer: int = number(-1, low=-1, integer=True)

    def check(self) -> None:
        if self.exact_layer > self.n_layers:
            raise ParameterError("exact_layer", self.exact_layer, f"-1 (none) or a layer in "
                                 f"0..{self.n_layers} (0 is the input)", "HLOPParams")
        if self.schedule == "authors" and self.n_layers != 2:
            raise ParameterError("n_layers", self.n_layers, "2 with schedule='authors' (the "
                                 "authors' sizes are for the inputs of fc1, fc2 and the "
                                 "classifier)", "HLOPParams")

    @property
    def beta(self) -> float:
        """Membrane decay per step, ``exp(-dt / tau)``."""
        return math.exp(-self.dt / self.tau)

    @property
    def amplitude(self) -> float:
        """Spike amplitude ``a = theta / (1 - beta)`` (~ Vth tau / dt, the DSR ``spike/dt``):
        with it a layer's rate map is ``clip(W x, 0, a)``."""
        return self.v_threshold / (1.0 - self.beta)


def _top_right_singular_vectors(R: np.ndarray, k: int) -> np.ndarray:
    """The top ``k`` right singular vectors of ``R`` (rows). LAPACK's divide-and-conquer
    driver (NumPy's) fails to converge on some finite matrices (seen here on a layer's
    traces of permuted MNIST); the QR-iteration driver then takes over."""
    try:
        return np.linalg.svd(R, full_matrices=False)[2][:k]
    except np.linalg.LinAlgError:
        if not np.all(np.isfinite(R)):
            raise FloatingPointError("the traces hold NaN or inf: the network diverged "
                                     "(lower lr)") from None
        import scipy.linalg

        return scipy.linalg.svd(R, full_matrices=False, lapack_driver="gesvd")[2][:k]


def authors_subspace_sizes(task: int) -> list[int]:
    """Rows the authors add to each projected layer's subspace at ``task`` (inputs of fc1,
    fc2 and the classifier; ``pkuxmq/HLOP-SNN`` ``spiking_train_pmnist.py`` lines 175-247):
    [80, 200, 100] at task 0, then [70, 70, 70], every increment lowered by 20 before the
    tasks 3, 6, 9 ... are added (so 70, 70, 50, 50, 50, 30, 30, 30, 10, ...; an increment of
    0 or less adds nothing)."""
    if task == 0:
        return [80, 200, 100]
    inc = 70 - 20 * (task // 3)
    return [max(inc, 0)] * 3


# -- data ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Task:
    """One task of a continual-learning stream: train and test sets, and its permutation."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    permutation: np.ndarray


def _permuted_tasks(X: np.ndarray, y: np.ndarray, X_test: np.ndarray | None,
                    y_test: np.ndarray | None, n_tasks: int, seed: SeedLike, test_fraction: float,
                    prefix: str) -> list[Task]:
    rng = make_rng(seed, "permuted-tasks")
    if X_test is None:
        order = rng.permutation(len(X))
        n_test = round(test_fraction * len(X))
        test, train = order[:n_test], order[n_test:]
        X, X_test, y, y_test = X[train], X[test], y[train], y[test]
    tasks = []
    for t in range(n_tasks):
        # task 0 is the identity, as in the PMNIST protocols (GEM, GPM)
        perm = np.arange(X.shape[1]) if t == 0 else rng.permutation(X.shape[1])
        tasks.append(Task(f"{prefix}-{t}", X[:, perm], y, X_test[:, perm], y_test, perm))
    return tasks


def permuted_digits(n_tasks: int = 5, seed: SeedLike = 0, test_fraction: float = 0.2) -> list[Task]:
    """Permuted 8x8 digits (scikit-learn's ``load_digits``, 1797 images, pixels in [0, 1]).

    Task 0 keeps the pixel order; task t > 0 permutes the 64 pixels with a permutation drawn
    from ``seed``. The same train/test split (``test_fraction``) serves every task.
    """
    from sklearn.datasets import load_digits

    if not isinstance(n_tasks, int) or n_tasks < 1:
        raise ParameterError("n_tasks", n_tasks, "an int >= 1", "permuted_digits")
    if not 0.0 < test_fraction < 1.0:
        raise ParameterError("test_fraction", test_fraction, "a number in (0, 1)",
                             "permuted_digits")
    d = load_digits()
    return _permuted_tasks(d.data / 16.0, d.target.astype(np.int64), None, None, n_tasks, seed,
                           test_fraction, "pdigits")


def load_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (MNIST's format; ``.gz`` accepted): magic ``0 0 type ndim``, then
    ``ndim`` big-endian uint32 sizes, then the data."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ParameterError("path", str(path), "an IDX file (magic 0x00 0x00 type ndim)",
                             "load_idx")
    types = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in types:
        raise ParameterError("path", str(path), f"an IDX type code in {sorted(types)}",
                             "load_idx")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=types[raw[2]], offset=4 + 4 * ndim)
    if data.size != math.prod(shape):
        raise ParameterError("path", str(path), f"an IDX file holding {shape} values",
                             "load_idx")
    return data.reshape(shape).astype(types[raw[2]][1:] if raw[2] == 0x08 else data.dtype)


def _find(directory: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"),
                 stem.replace("-idx", ".idx") + ".gz"):
        if (directory / name).exists():
            return directory / name
    raise ParameterError("directory", str(directory), f"a folder holding {stem}[.gz]",
                         "permuted_mnist")


def permuted_mnist(directory: str | Path, n_tasks: int = 10, seed: SeedLike = 0,
                   max_train: int | None = None) -> list[Task]:
    """Permuted MNIST from local IDX files (``train-images-idx3-ubyte`` etc., ``.gz`` or not).

    Nothing is downloaded. Pixels are scaled to [0, 1]; task 0 keeps the pixel order (the
    paper's PMNIST has 10 tasks; the authors' loader also normalises by MNIST's mean and
    std, which our rate-coded input does not need). ``max_train`` keeps the first images only.
    """
    d = Path(directory)
    X = load_idx(_find(d, "train-images-idx3-ubyte")).reshape(-1, 28 * 28) / 255.0
    y = load_idx(_find(d, "train-labels-idx1-ubyte")).astype(np.int64)
    Xt = load_idx(_find(d, "t10k-images-idx3-ubyte")).reshape(-1, 28 * 28) / 255.0
    yt = load_idx(_find(d, "t10k-labels-idx1-ubyte")).astype(np.int64)
    if max_train is not None:
        X, y = X[:max_train], y[:max_train]
    return _permuted_tasks(X, y, Xt, yt, n_tasks, seed, 0.0, "pmnist")


# -- subspaces ----------------------------------------------------------------------------
def principal_cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Cosines of the principal angles between the row spaces of ``A`` and ``B`` (descending).

    Rows are orthonormalised first (QR), so ``A`` need not be exactly orthonormal.
    """
    qa = np.linalg.qr(np.atleast_2d(A).T)[0]
    qb = np.linalg.qr(np.atleast_2d(B).T)[0]
    return np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0.0, 1.0)


def _orthonormal_rows(k: int, n: int, old: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``k`` orthonormal rows, orthogonal to the rows of ``old`` (orthonormal), at random."""
    if k == 0:
        return np.zeros((0, n))
    G = rng.standard_normal((n, k))
    if old.shape[0]:
        G -= old.T @ (old @ G)
    return np.linalg.qr(G)[0].T[:k]


class CrossbarSubspace:
    """The old-task subspace held on a simulated resistive crossbar (differential pairs).

    ``H`` is written as ``G+ - G-`` with ``G = G_min + (G_max - G_min) |H| / h_max`` on the
    positive or negative cell, through :class:`neurosim.devices.DeviceArray` (programming
    noise, levels, faults); every :meth:`read` returns a fresh noisy copy (read noise, drift
    at time ``t_read``) mapped back to weights.
    """

    def __init__(self, device: Any, seed: SeedLike = None, t_read: float = 1.0) -> None:
        from neurosim.devices import ResistiveDevice

        if not isinstance(device, ResistiveDevice):
            raise ParameterError("device", device, "a neurosim.devices.ResistiveDevice",
                                 "CrossbarSubspace")
        self.device = device
        self._ss = as_seed_sequence(seed)
        self._rng = make_rng(self._ss, "crossbar-read")
        self.t_read = float(t_read)
        self._arrays: tuple[Any, Any] | None = None
        self._scale = 1.0
        self._n_writes = 0

    def write(self, H: np.ndarray) -> None:
        """Program ``H`` (a fresh pair of arrays sized to it)."""
        from neurosim.devices import DeviceArray
        from neurosim.units import second, siemens

        s = self.device.to_si()
        g_min, g_max = s["G_min"], s["G_max"]
        self._scale = float(np.abs(H).max()) or 1.0
        self._g = (g_min, g_max)
        self._n_writes += 1
        pos = DeviceArray(self.device, H.shape, seed=make_rng(self._ss, "cells", "pos"))
        neg = DeviceArray(self.device, H.shape, seed=make_rng(self._ss, "cells", "neg"))
        span = g_max - g_min
        target_pos = g_min + span * np.clip(H, 0, None) / self._scale
        target_neg = g_min + span * np.clip(-H, 0, None) / self._scale
        tag = str(self._n_writes)
        pos.program(target_pos * siemens, rng=make_rng(self._ss, "program", "pos", tag),
                    t=0.0 * second)
        neg.program(target_neg * siemens, rng=make_rng(self._ss, "program", "neg", tag),
                    t=0.0 * second)
        self._arrays = (pos, neg)

    def read(self) -> np.ndarray:
        """A noisy read of the stored subspace, in weight units."""
        from neurosim.units import second

        if self._arrays is None:
            raise ParameterError("crossbar", "empty", "written (write) before it is read",
                                 "CrossbarSubspace")
        pos, neg = self._arrays
        t = self.t_read * second
        diff = np.asarray(pos.read(t, self._rng)) - np.asarray(neg.read(t, self._rng))
        return diff / (self._g[1] - self._g[0]) * self._scale


# -- the network --------------------------------------------------------------------------
class HLOPNetwork:
    """A spiking MLP that learns a sequence of tasks with Hebbian orthogonal projection.

    Parameters
    ----------
    n_inputs, n_classes
        Input size and number of classes (one shared classifier: domain-incremental, as on
        PMNIST).
    params
        :class:`HLOPParams`; keyword ``overrides`` replace single fields.
    seed
        Seed of the initial weights, the batch order and the subspace initialisation.
    crossbar
        A :class:`neurosim.devices.ResistiveDevice`: the old subspaces live on a simulated
        crossbar (:class:`CrossbarSubspace`) and every projection reads them with noise.

    Examples
    --------
    >>> tasks = permuted_digits(2, seed=0)
    >>> net = HLOPNetwork(64, 10, seed=0, epochs=2)
    >>> for task in tasks:
    ...     _ = net.fit_task(task.X_train, task.y_train, progress=False)
    ...     _ = net.evaluate([(t.X_test, t.y_test) for t in tasks])
    >>> net.accuracy_matrix.shape
    (2, 2)
    """

    def __init__(self, n_inputs: int, n_classes: int, *, params: HLOPParams | None = None,
                 seed: SeedLike = None, crossbar: Any = None, kernel: str = "numba",
                 **overrides: Any) -> None:
        owner = "HLOPNetwork"
        for name, value, low in (("n_inputs", n_inputs, 1), ("n_classes", n_classes, 2)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ParameterError(name, value, f"an int >= {low}", owner)
        if kernel not in ("numba", "numpy"):
            raise ParameterError("kernel", kernel, "one of 'numba', 'numpy'", owner)
        p = params or HLOPParams()
        if overrides:
            p = p.replace(**overrides)
        self.params: HLOPParams = p
        self.n_inputs, self.n_classes = int(n_inputs), int(n_classes)
        self.kernel = kernel
        self._ss = as_seed_sequence(seed)
        self._rng = make_rng(self._ss, "batches")
        sizes = [self.n_inputs] + [p.n_hidden] * p.n_layers + [self.n_classes]
        self.sizes = sizes
        init = make_rng(self._ss, "weights")
        # input pixels are in [0, 1], hidden inputs in [0, a]: scale each layer so that its
        # currents start at a few units (a ~ 6), half the neurons active
        scales = [p.init_gain] + [p.init_gain / p.amplitude] * p.n_layers
        self.weights = [init.standard_normal((m, n)) * s / math.sqrt(n * 0.25)
                        for n, m, s in zip(sizes[:-1], sizes[1:], scales)]
        # subspaces: H[l] rows [0, n_old[l]) are frozen old-task rows, the rest learn
        self.H = [np.zeros((0, n)) for n in sizes[:-1]]
        self.M = [np.zeros((0, n)) for n in sizes[:-1]]
        self.n_old = [0] * len(self.H)
        self.crossbar = None
        if crossbar is not None:
            self.crossbar = [CrossbarSubspace(crossbar, make_rng(self._ss, "crossbar", str(i)))
                             for i in range(len(self.H))]
        self._weights_t = rate_weights(p.n_steps, p.beta)
        #: every hidden layer's threshold (trained with ``train_threshold``)
        self.thresholds = np.full(p.n_layers, p.v_threshold)
        self.n_tasks = 0
        self.accuracy_matrix = np.zeros((0, 0))
        self.history: list[dict[str, Any]] = []
        # per task (HLOP): cosines of the principal angles between the rows learned for the
        # task and the exact top-k singular subspace of its residual traces, per layer, and
        # the fraction of the exact subspace's energy that the learned rows capture
        self.subspace_cosines: list[list[np.ndarray]] = []
        self.subspace_energy: list[np.ndarray] = []

    # -- forward / backward -----------------------------------------------------------------
    def _lif(self, currents: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        p = self.params
        fn = lif_forward if self.kernel == "numba" else lif_forward_reference
        return fn(np.ascontiguousarray(currents), p.beta, threshold, p.fire_frac,
                  self._weights_t)

    def amplitudes(self) -> np.ndarray:
        """Every hidden layer's spike amplitude ``theta_l / (1 - beta)`` (its rate map's
        ceiling; :attr:`HLOPParams.amplitude` while the thresholds are untrained)."""
        return self.thresholds / (1.0 - self.params.beta)

    def _input_scales(self) -> list[float]:
        """What turns layer l's trace (a rate in [0, 1]) into its input: 1 for pixels, the
        amplitude of the layer below after."""
        return [1.0] + [float(a) for a in self.amplitudes()]

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Logits and the caches of the backward pass.

        Returns ``(logits, traces, preacts)``: ``traces[l]`` is layer l's input as a rate in
        [0, 1] (the pixels for l = 0, weighted firing rates after), ``preacts[l]`` the
        rate-domain current ``W_l x_l`` of every hidden layer (the DSR derivative's argument).
        """
        p = self.params
        amps = self.amplitudes()
        traces = [np.asarray(X, dtype=np.float64)]
        preacts = []
        x = traces[0]
        spikes = None
        a = 1.0    # the amplitude of the layer below (pixels: none)
        for layer, W in enumerate(self.weights[:-1]):
            below = a
            a = float(amps[layer])
            u = x @ W.T
            preacts.append(u)
            if p.neuron == "rate":
                r = np.clip(u / a, 0.0, 1.0)
            else:
                if spikes is None:
                    # constant input current (the authors repeat the image over T steps)
                    cur = np.broadcast_to(u, (p.n_steps, *u.shape))
                else:
                    # one BLAS call over all steps: (T B, n) @ (n, m); the spikes come
                    # from the layer below, with its amplitude
                    flat = spikes.reshape(-1, spikes.shape[-1]) @ (below * W.T)
                    cur = flat.reshape(p.n_steps, -1, W.shape[0])
                spikes, r = self._lif(cur, float(self.thresholds[layer]))
            traces.append(r)
            x = r * a
        logits = x @ self.weights[-1].T
        return logits, traces, preacts

    def _backward(self, X: np.ndarray, y: np.ndarray):
        """Loss, weight gradients, the output deltas of every layer, traces, and the
        gradient of every hidden layer's threshold."""
        logits, traces, preacts = self.forward(X)
        p = self.params
        scales = self._input_scales()
        amps = self.amplitudes()
        # d a_l / d theta_l, or the authors' DSR factor dt (neuron_dsr.lif_grad)
        theta_factor = 1.0 / (1.0 - p.beta) if p.threshold_gradient == "exact" else p.dt
        theta_grads = np.zeros(len(amps))
        n = len(y)
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(n), y].mean())
        delta = np.exp(logp)
        delta[np.arange(n), y] -= 1.0
        delta /= n
        grads: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        deltas: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        for layer in range(len(self.weights) - 1, -1, -1):
            x = traces[layer] * scales[layer]
            deltas[layer] = delta
            grads[layer] = delta.T @ x
            if layer:
                # d x_l / d u_{l-1}: the rate map clip(u, 0, a) is linear inside (0, a), and
                # its ceiling a = theta / (1 - beta) moves with the threshold
                u = preacts[layer - 1]
                a = amps[layer - 1]
                back = delta @ self.weights[layer]
                theta_grads[layer - 1] = theta_factor * float(back[u >= a].sum())
                delta = back * ((u > 0.0) & (u < a))
        return loss, grads, deltas, traces, theta_grads

    def loss_and_gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        """Mean cross-entropy and its DSR gradients ``dL/dW_l = delta_l^T x_l``.

        With ``neuron="rate"`` these are the exact gradients of the loss; with spiking
        neurons, the gradients of the rate map at the network's actual firing rates (DSR).
        """
        loss, grads, _, _, _ = self._backward(X, y)
        return loss, grads

    def threshold_gradients(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Gradient of the mean cross-entropy with respect to every hidden layer's threshold
        (``HLOPParams.threshold_gradient``: exact for the rate map, or the authors' DSR
        factor)."""
        return self._backward(X, y)[4]

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy of the network on ``(X, y)``."""
        return self.loss_and_gradients(X, y)[0]

    def predict(self, X: np.ndarray, batch: int = 1024) -> np.ndarray:
        """Class predictions (argmax of the logits), in batches."""
        out = [self.forward(X[i:i + batch])[0].argmax(axis=1) for i in range(0, len(X), batch)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of ``X`` classified as ``y``."""
        return float(np.mean(self.predict(X) == y))

    def traces(self, X: np.ndarray, batch: int = 1024) -> list[np.ndarray]:
        """Every layer's presynaptic trace (rate in [0, 1]) on ``X``."""
        parts = [self.forward(X[i:i + batch])[1] for i in range(0, len(X), batch)]
        return [np.concatenate([pt[layer] for pt in parts]) for layer in range(len(self.H))]

    # -- projection -----------------------------------------------------------------------------
    def old_subspace(self, layer: int) -> np.ndarray:
        """The frozen rows of layer ``layer`` (read from the crossbar when there is one)."""
        if self.crossbar is not None and self.n_old[layer]:
            return self.crossbar[layer].read()
        return self.H[layer][:self.n_old[layer]]

    def project(self, layer: int, X: np.ndarray) -> np.ndarray:
        """``X - Y H_old`` with ``Y = X H_old^T`` (quantised for spiking lateral neurons)."""
        H = self.old_subspace(layer)
        if H.shape[0] == 0:
            return X
        Y = X @ H.T
        p = self.params
        if p.lateral == "spiking" and p.projection == "hlop":
            Y = quantise_lateral(Y, p.lateral_scale, p.lateral_steps)
        return X - Y @ H

    def projected_gradients(self, X: np.ndarray, y: np.ndarray,
                            ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """Loss, the update directions ``delta_l^T (x_l - H_old^T H_old x_l)`` (plain
        gradients where a layer has no old subspace, or with ``projection="none"``) and the
        traces of the batch (one spiking run serves both)."""
        return self._projected(X, y)[:3]

    def _projected(self, X: np.ndarray, y: np.ndarray):
        """:meth:`projected_gradients` and the thresholds' gradients."""
        loss, grads, deltas, traces, theta_grads = self._backward(X, y)
        if self.params.projection == "none":
            return loss, grads, traces, theta_grads
        scales = self._input_scales()
        out = []
        for layer, g in enumerate(grads):
            if self.n_old[layer] == 0:
                out.append(g)
                continue
            xp = self.project(layer, traces[layer]) * scales[layer]
            out.append(deltas[layer].T @ xp)
        return loss, out, traces, theta_grads

    # -- continual protocol ----------------------------------------------------------------
    def _new_rows(self, layer: int) -> int:
        """Rows this task adds to ``layer``'s subspace (at most what the layer has left)."""
        p = self.params
        first = self.n_tasks == 0
        if p.schedule == "authors":
            k = round(authors_subspace_sizes(self.n_tasks)[layer] * p.schedule_scale)
        elif layer == 0:
            k = p.k_input_first if first else p.k_input_increment
        else:
            k = p.k_hidden_first if first else p.k_hidden_increment
        return max(0, min(k, self.sizes[layer] - self.n_old[layer]))

    def _add_rows(self) -> None:
        rng = make_rng(self._ss, "subspace", str(self.n_tasks))
        for layer, n in enumerate(self.sizes[:-1]):
            k = self._new_rows(layer)
            new = _orthonormal_rows(k, n, self.H[layer][:self.n_old[layer]], rng)
            self.H[layer] = np.vstack([self.H[layer][:self.n_old[layer]], new])
            self.M[layer] = np.vstack([self.M[layer][:self.n_old[layer]], np.zeros_like(new)])

    @_one_blas_thread
    def fit_task(self, X: np.ndarray, y: np.ndarray, *, epochs: int | None = None,
                 progress: bool | None = None) -> dict[str, Any]:
        """Train on one task, then store its subspace (HLOP: merge; SVD oracle: compute).

        Task 0 trains without projection; later tasks project every layer's update onto the
        complement of the old subspace. HLOP's lateral neurons learn (Oja) during training.

        Returns
        -------
        dict
            ``loss`` per epoch, ``train_accuracy`` and ``seconds``.
        """
        p = self.params
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs or len(X) != len(y):
            raise ParameterError("X", X.shape, f"an (n, {self.n_inputs}) array matching y",
                                 "HLOPNetwork.fit_task")
        epochs = p.epochs if epochs is None else int(epochs)
        t0 = time.perf_counter()
        hlop = p.projection == "hlop"
        if hlop:
            self._add_rows()
        n_batches = math.ceil(len(X) / p.batch_size)
        if progress is None:
            progress = epochs * n_batches >= 2000
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs, unit="epoch", desc=f"task {self.n_tasks} ({p.projection})")
        losses = []
        for _ in range(epochs):
            order = self._rng.permutation(len(X))
            total = 0.0
            for start in range(0, len(X), p.batch_size):
                idx = order[start:start + p.batch_size]
                loss, grads, traces, theta_grads = self._projected(X[idx], y[idx])
                total += loss * len(idx)
                for W, g in zip(self.weights, grads):
                    W -= p.lr * g
                if p.train_threshold:
                    # the authors' LIFNeuron: SGD step, then Vth = relu(Vth - bound) + bound
                    self.thresholds = np.maximum(self.thresholds - p.lr * theta_grads,
                                                 p.threshold_bound)
                if hlop:
                    self._hebbian(traces)
            losses.append(total / len(X))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
        if bar is not None:
            bar.close()
        if hlop and p.hebbian_passes > 1:
            self._more_hebbian_passes(X, p.hebbian_passes - 1)
        self._store_subspace(X)
        self.n_tasks += 1
        info = {"loss": losses, "train_accuracy": self.accuracy(X, y),
                "seconds": time.perf_counter() - t0}
        self.history.append(info)
        return info

    def _hebbian(self, traces: list[np.ndarray]) -> None:
        p = self.params
        lateral = (p.lateral_scale, p.lateral_steps) if p.lateral == "spiking" else None
        for layer, X in enumerate(traces):
            if self.H[layer].shape[0] == self.n_old[layer]:
                continue
            if p.hebbian_rate == "fixed":
                eta = p.hlop_lr_input if layer == 0 else p.hlop_lr_hidden
            else:
                energy = float(np.mean(np.einsum("ij,ij->i", X, X)))
                if energy <= 0.0:
                    continue
                eta = p.hlop_lr / energy
            oja_subspace_step(self.H[layer], self.M[layer], X, eta,
                              self.n_old[layer], momentum=p.hlop_momentum, clip=p.hlop_clip,
                              iterations=p.hlop_iterations, lateral=lateral)

    def _more_hebbian_passes(self, X: np.ndarray, passes: int) -> None:
        """``passes`` more Oja passes over ``X``'s batches (shuffled anew each pass) on the
        trained network's traces, which are what the stored subspace must hold."""
        p = self.params
        traces = self.traces(X)
        # their own stream: drawing from the batch stream would give the next tasks other
        # batches than fine-tuning and the oracle get, and unpair the methods' comparison
        rng = make_rng(self._ss, "hebbian-passes", str(self.n_tasks))
        for _ in range(passes):
            order = rng.permutation(len(X))
            for start in range(0, len(X), p.batch_size):
                idx = order[start:start + p.batch_size]
                self._hebbian([t[idx] for t in traces])

    def _residual(self, traces: list[np.ndarray], layer: int) -> np.ndarray:
        """This task's traces at ``layer`` less their part in the stored (old) subspace."""
        old = self.H[layer][:self.n_old[layer]]
        return traces[layer] - (traces[layer] @ old.T) @ old if old.shape[0] else traces[layer]

    @staticmethod
    def _captured(R: np.ndarray, rows: np.ndarray) -> float:
        """Energy of the residual traces ``R`` inside the span of ``rows``."""
        q = np.linalg.qr(rows.T)[0]
        return float(np.sum((R @ q) ** 2))

    def _store_subspace(self, X: np.ndarray) -> None:
        p = self.params
        if p.projection == "none":
            return
        traces = self.traces(X)
        cosines: list[np.ndarray] = []
        energy: list[float] = []
        for layer in range(len(self.sizes) - 1):
            if p.projection == "hlop":
                new = self.H[layer][self.n_old[layer]:]
                k = new.shape[0]
                if k:
                    R = self._residual(traces, layer)
                    best = _top_right_singular_vectors(R, k)
                    cosines.append(principal_cosines(new, best))
                    energy.append(self._captured(R, new) / self._captured(R, best))
                    if layer == p.exact_layer:
                        self.H[layer][self.n_old[layer]:] = best
                else:
                    cosines.append(np.zeros(0))
                    energy.append(np.nan)
                self.n_old[layer] = self.H[layer].shape[0]
            else:
                k = self._new_rows(layer)
                rows = _top_right_singular_vectors(self._residual(traces, layer), k)
                self.H[layer] = np.vstack([self.H[layer][:self.n_old[layer]], rows])
                self.n_old[layer] = self.H[layer].shape[0]
            if self.crossbar is not None and self.n_old[layer]:
                self.crossbar[layer].write(self.H[layer][:self.n_old[layer]])
        if cosines:
            self.subspace_cosines.append(cosines)
            self.subspace_energy.append(np.array(energy))

    @_one_blas_thread
    def evaluate(self, tests: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Accuracy on every task's test set; stored as row ``n_tasks - 1`` of
        :attr:`accuracy_matrix` (R[i, j]: accuracy on task j after training task i)."""
        if self.n_tasks == 0:
            raise ParameterError("n_tasks", 0, "at least 1 (call fit_task before evaluate)",
                                 "HLOPNetwork.evaluate")
        row = np.array([self.accuracy(Xt, yt) for Xt, yt in tests])
        i = self.n_tasks - 1
        R = self.accuracy_matrix
        if R.shape[0] <= i or R.shape[1] < len(row):
            grown = np.full((max(R.shape[0], i + 1), max(R.shape[1], len(row))), np.nan)
            grown[:R.shape[0], :R.shape[1]] = R
            R = grown
        R[i, :len(row)] = row
        self.accuracy_matrix = R
        return row

    def orthonormality_error(self, layer: int) -> float:
        """``max |H H^T - I|`` of layer ``layer``'s subspace neurons."""
        H = self.H[layer]
        return float(np.abs(H @ H.T - np.eye(H.shape[0])).max()) if H.shape[0] else 0.0


def continual_metrics(R: np.ndarray) -> tuple[float, float]:
    """ACC and BWT of an accuracy matrix (GEM, Lopez-Paz & Ranzato 2017; GPM):

    ``ACC = mean_j R[T-1, j]``, ``BWT = mean_{j < T-1} (R[T-1, j] - R[j, j])``.
    """
    R = np.asarray(R, dtype=float)
    T = R.shape[0]
    acc = float(np.mean(R[T - 1, :T]))
    bwt = float(np.mean([R[T - 1, j] - R[j, j] for j in range(T - 1)])) if T > 1 else 0.0
    return acc, bwt


@dataclasses.dataclass
class ContinualResult:
    """One continual-learning run: accuracy matrix, ACC, BWT, subspace diagnostics, time."""

    projection: str
    R: np.ndarray
    acc: float
    bwt: float
    seconds: float
    subspace_cosines: list[list[np.ndarray]]
    network: HLOPNetwork

    def summary(self) -> str:
        return f"{self.projection:>5}: ACC = {self.acc:.3f}, BWT = {self.bwt:+.3f} " \
               f"({self.seconds:.1f} s)"


def run_continual(tasks: Sequence[Task], projection: str = "hlop", *,
                  params: HLOPParams | None = None, seed: SeedLike = 0,
                  crossbar: Any = None, progress: bool | None = None,
                  **overrides: Any) -> ContinualResult:
    """Train a fresh :class:`HLOPNetwork` on ``tasks`` in order, evaluating after each."""
    t0 = time.perf_counter()
    n_classes = int(max(t.y_train.max() for t in tasks)) + 1
    net = HLOPNetwork(tasks[0].X_train.shape[1], n_classes, params=params, seed=seed,
                      crossbar=crossbar, projection=projection, **overrides)
    tests = [(t.X_test, t.y_test) for t in tasks]
    for task in tasks:
        net.fit_task(task.X_train, task.y_train, progress=progress)
        net.evaluate(tests)
    acc, bwt = continual_metrics(net.accuracy_matrix)
    return ContinualResult(projection, net.accuracy_matrix, acc, bwt,
                           time.perf_counter() - t0, net.subspace_cosines, net)

"""Liquid state machine with resistive-memory random weights, and its zero-shot variant.

N. Lin et al., "Resistive memory-based zero-shot liquid state machine for multimodal event
data learning", arXiv:2307.00771; Nature Computational Science (2025),
doi:10.1038/s43588-024-00751-z.

A fixed random reservoir of discrete-time LIF neurons (:mod:`neurosim.kernels.lsm`) turns
event frames into spike counts; only a readout is trained. The fixed weights come from the
stochastic forming of resistive cells (:func:`neurosim.devices.form_random_weights`: signed
weights ``G+ - G-`` of independently formed differential pairs, the fraction of formed cells
set by the forming voltage), or from a Gaussian of the same standard deviation (the paper's
software baseline). The point of the paper: device randomness costs nothing, since nothing
in the reservoir is trained.

:class:`ZeroShotLSM` ("LSM-CLIP") has two reservoirs, one per modality, each with a trained
linear projection head into a shared embedding; the heads are trained with the symmetric
InfoNCE loss of CLIP on pairs of the same class, and classes never seen in training are
recognised by the nearest class prototype of the other modality. Gradients are derived by
hand (:func:`info_nce`) and checked against finite differences in the tests.

See docs/lsm.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from neurosim.devices import form_random_weights, preset
from neurosim.devices.switching import BreakdownSwitching
from neurosim.errors import ParameterError
from neurosim.kernels.lsm import lsm_run, lsm_run_reference
from neurosim.params import Params, Quantity, choice, number, quantity
from neurosim.random import SeedLike, as_seed_sequence, child_seed, make_rng
from neurosim.units import second, siemens

__all__ = [
    "TASK_PARAMS",
    "Adam",
    "LSMParams",
    "LiquidStateMachine",
    "TaskFit",
    "ZeroShotLSM",
    "ZeroShotParams",
    "device_weight_std",
    "digits_task",
    "evaluate",
    "fit_task",
    "gelu",
    "info_nce",
    "load_task",
    "raw_count_score",
    "retrieval_accuracy",
    "rows_task",
    "spoken_task",
    "zero_shot_experiment",
]

SWITCHING_PRESETS = ("lsm_lin2023", "esgnn_wang2023")


def _one_blas_thread() -> threadpool_limits:
    # The readouts and heads are small (1000s x 200): BLAS threads gain nothing there, and on
    # a shared, loaded machine two OpenBLAS threads spinning against other processes made a
    # logistic-regression fit 80x slower (2.8 s instead of 0.04 s, measured).
    return threadpool_limits(limits=1, user_api="blas")


class LSMParams(Params):
    """A liquid state machine: reservoir, weight source and readout.

    Defaults are the paper's N-MNIST settings (Lin et al. 2023, Methods and the authors'
    ``LSM-NMNIST/run_lsm_gau_sim.sh``): 256 inputs (a 16 x 16 crop, one polarity), 200
    reservoir neurons, decay 0.9, threshold 5. N-TIDIGITS: 64 inputs, decay 0.97, threshold
    5.3. The weight standard deviations ``w_in_std``, ``w_res_std`` are ours (in units of
    the threshold's): the paper scales conductances by a constant (0.07) whose units are not
    given, so we set the scale for a reservoir that fires sparsely on our event sets
    (docs/lsm.md).

    Parameters
    ----------
    n_inputs, n_reservoir
        Input channels and reservoir neurons.
    decay, v_th
        Membrane decay per step and firing threshold.
    w_in_std, w_res_std
        Standard deviation of the input and recurrent weights.
    weights
        ``"device"``: formed resistive cells (differential pairs); ``"gaussian"``: normal
        weights of the same standard deviation (the software baseline).
    device
        Switching preset of :mod:`neurosim.devices.presets` for ``weights="device"``.
    density
        Fraction of cells the forming pulse forms (sets the pulse voltage).
    pulse_width
        Width of the forming pulse.
    read_noise
        Relative read noise of every weight, drawn afresh at every step.
    readout
        ``"logistic"`` (multinomial logistic regression) or ``"ridge"`` (ridge classifier),
        both on standardised spike counts.
    C, alpha
        Inverse regularisation of the logistic readout; ridge penalty.
    """

    n_inputs: int = number(256, low=1, integer=True)
    n_reservoir: int = number(200, low=1, integer=True)
    decay: float = number(0.9, low=0.0, high=1.0)
    v_th: float = number(5.0, low=0.0, low_open=True)
    w_in_std: float = number(1.5, low=0.0)
    w_res_std: float = number(0.5, low=0.0)
    weights: str = choice("device", ("device", "gaussian"))
    device: str = choice("lsm_lin2023", SWITCHING_PRESETS)
    density: float = number(0.5, low=0.0, high=1.0, low_open=True, high_open=True)
    pulse_width: Quantity = quantity(100e-9 * second, second, low=0 * second, low_open=True)
    read_noise: float = number(0.0, low=0.0)
    readout: str = choice("logistic", ("logistic", "ridge"))
    C: float = number(1.0, low=0.0, low_open=True)
    alpha: float = number(1.0, low=0.0, low_open=True)


def device_weight_std(switching: BreakdownSwitching, density: float) -> float:
    """Standard deviation (siemens) of ``G+ - G-`` for two cells formed with probability p.

    A cell is formed with probability ``p = density`` (conductance lognormal, median
    ``G_formed``, log-sigma ``s``) or keeps ``G_pristine``; the two cells are independent,
    so ``Var(G+ - G-) = 2 Var(G)`` with
    ``Var(G) = p E[G_on^2] + (1 - p) G_off^2 - (p E[G_on] + (1 - p) G_off)^2``,
    ``E[G_on] = G_formed e^(s^2/2)``, ``E[G_on^2] = G_formed^2 e^(2 s^2)``.
    This fixed number, not the sample std of one array, converts conductances to weights:
    a physical read-out gain does not know the matrix it reads.
    """
    s = switching.to_si()
    g, off, sl = float(s["G_formed"]), float(s["G_pristine"]), switching.sigma_ln_formed
    m1 = density * g * np.exp(sl**2 / 2) + (1 - density) * off
    m2 = density * g**2 * np.exp(2 * sl**2) + (1 - density) * off**2
    return float(np.sqrt(2.0 * (m2 - m1**2)))


class LiquidStateMachine:
    """A fixed random spiking reservoir with a trained linear readout (estimator style).

    Parameters
    ----------
    params
        :class:`LSMParams`; keyword arguments override its fields.
    seed
        Seed of the weights (named child ``"weights"``) and of the read noise (``"noise"``).
    progress
        A progress bar over the reservoir's batches.
    input_transform
        Turns one event stream into frames ``(T, ...)`` with ``n_inputs`` values per frame,
        for inputs given as event streams (e.g. a Tonic ``Compose`` chain ending in
        ``ToFrame``).

    Inputs (``frames`` below) are ``(n_samples, T, n_inputs)`` arrays, sequences of event
    streams or of frame arrays, or datasets of ``(sample, label)`` pairs such as a Tonic
    dataset (:func:`neurosim.events.as_frames`); with a dataset, ``y`` may be omitted.

    Examples
    --------
    >>> from neurosim.models.lsm import LiquidStateMachine, digits_task
    >>> X, y = digits_task(n_frames=20)
    >>> lsm = LiquidStateMachine(seed=0).fit(X[:1000], y[:1000])
    >>> round(lsm.score(X[1000:], y[1000:]), 1) >= 0.8
    True
    """

    def __init__(self, params: LSMParams | None = None, *, seed: SeedLike = 0,
                 progress: bool = False, input_transform: Callable[[np.ndarray], Any] | None = None,
                 **overrides: Any) -> None:
        p = (params or LSMParams()).replace(**overrides) if overrides else (params or LSMParams())
        self.params = p
        #: turns one event stream into frames when fit/predict/score get streams or a
        #: dataset of streams (any callable: a Tonic transform chain, for instance)
        self.input_transform = input_transform
        #: a progress bar over the reservoir's batches of samples (256 each) in every run
        self.progress = bool(progress)
        self._seed = as_seed_sequence(seed)
        self.w_in, self.w_res, self.conductances = self._weights()
        self._noise_rng = make_rng(child_seed(self._seed, "noise"))
        self.readout_: Any = None

    # -- reservoir -------------------------------------------------------------------------
    def _weights(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray] | None]:
        p = self.params
        shapes = {"in": (p.n_inputs, p.n_reservoir), "res": (p.n_reservoir, p.n_reservoir)}
        stds = {"in": p.w_in_std, "res": p.w_res_std}
        if p.weights == "gaussian":
            w = {k: stds[k] * make_rng(child_seed(self._seed, "weights", k)).standard_normal(
                shapes[k]) for k in shapes}
            return w["in"], w["res"], None
        switching = preset(p.device)
        unit = device_weight_std(switching, p.density)
        g, w = {}, {}
        for k in shapes:
            gd = form_random_weights(switching, shapes[k], width=p.pulse_width,
                                     rng=child_seed(self._seed, "weights", k),
                                     density=p.density, differential=True)
            g[k] = np.asarray(gd / siemens, dtype=np.float64)
            w[k] = g[k] * (stds[k] / unit)
        return w["in"], w["res"], g

    def run(self, frames: np.ndarray, *, record: bool = False,
            kernel: str = "numba") -> tuple[np.ndarray, np.ndarray]:
        """Run the reservoir: spike counts (n, n_reservoir) and, with ``record``, spikes.

        Parameters
        ----------
        frames
            ``(n_samples, n_steps, n_inputs)`` input counts per step.
        record
            Return every spike, ``(n_samples, n_steps, n_reservoir)`` uint8.
        kernel
            ``"numba"`` or ``"numpy"`` (the twin).
        """
        p = self.params
        x = np.asarray(self._frames(frames)[0])
        if x.ndim != 3 or x.shape[2] != p.n_inputs:
            raise ParameterError("frames", x.shape,
                                 f"an (n_samples, n_steps, {p.n_inputs}) array",
                                 "LiquidStateMachine.run")
        if kernel not in ("numba", "numpy"):
            raise ParameterError("kernel", kernel, "'numba' or 'numpy'", "run")
        fn = lsm_run if kernel == "numba" else lsm_run_reference
        if x.dtype != np.uint8:
            x = x.astype(np.float64)
        counts, spikes = [], []
        chunk = 256  # bounds the read-noise normals to 256 x T x N at a time
        from tqdm.auto import tqdm

        for a in tqdm(range(0, x.shape[0], chunk), desc="LSM reservoir", unit="batch",
                      disable=not self.progress, leave=False):
            xb = np.ascontiguousarray(x[a:a + chunk])
            xi = (self._noise_rng.standard_normal((xb.shape[0], xb.shape[1], p.n_reservoir))
                  if p.read_noise > 0 else np.zeros((0, 0, 0)))
            c, s = fn(xb, self.w_in, self.w_res, float(p.decay), float(p.v_th),
                      float(p.read_noise), xi, record)
            counts.append(c)
            spikes.append(s)
        c = np.concatenate(counts) if counts else np.zeros((0, p.n_reservoir), np.int32)
        s = np.concatenate(spikes) if record and spikes else np.zeros((0, 0, 0), np.uint8)
        return c, s

    def transform(self, frames: Any) -> np.ndarray:
        """Reservoir spike counts, ``(n_samples, n_reservoir)`` float (the readout's input)."""
        return self.run(frames)[0].astype(np.float64)

    # -- readout ---------------------------------------------------------------------------
    def _make_readout(self) -> Any:
        p = self.params
        if p.readout == "ridge":
            clf = RidgeClassifier(alpha=p.alpha)
        else:
            clf = LogisticRegression(C=p.C, max_iter=2000)
        return make_pipeline(StandardScaler(), clf)

    def _frames(self, data: Any) -> tuple[np.ndarray, np.ndarray | None]:
        from neurosim.events.inputs import as_frames

        return as_frames(data, self.params.n_inputs, transform=self.input_transform,
                         owner="LiquidStateMachine")

    def _labels(self, data: Any, y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        frames, labels = self._frames(data)
        if y is None:
            if labels is None:
                raise ParameterError("y", None, "labels (only a dataset of (sample, label) "
                                     "pairs carries its own)", "LiquidStateMachine")
            y = labels
        return frames, np.asarray(y)

    def fit(self, frames: Any, y: np.ndarray | None = None) -> LiquidStateMachine:
        """Train the readout on the reservoir's spike counts (the reservoir stays fixed)."""
        frames, y = self._labels(frames, y)
        features = self.transform(frames)
        with _one_blas_thread():
            self.readout_ = self._make_readout().fit(features, y)
        return self

    def _fitted(self) -> Any:
        if self.readout_ is None:
            raise ParameterError("readout", None, "fitted first (call fit)",
                                 "LiquidStateMachine")
        return self.readout_

    def predict(self, frames: Any) -> np.ndarray:
        """Class of every sample."""
        readout = self._fitted()
        features = self.transform(frames)
        with _one_blas_thread():
            return readout.predict(features)

    def score(self, frames: Any, y: np.ndarray | None = None) -> float:
        """Accuracy on ``(frames, y)`` (``y`` from the dataset when omitted)."""
        frames, y = self._labels(frames, y)
        return float(np.mean(self.predict(frames) == y))


# -- tasks ---------------------------------------------------------------------------------
def digits_task(n_frames: int = 50, *, seed: SeedLike = 0,
                polarity: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Event digits (saccade DVS emulation of ``load_digits``) as frames: (1797, T, 256).

    One polarity on the 16 x 16 sensor, ``n_frames`` bins over the 300 ms recording (the
    paper: N-MNIST cropped to 16 x 16, one polarity, 50 frames).
    """
    from neurosim.events import DIGITS_SENSOR, events_to_frames, load_event_digits

    streams, labels = load_event_digits(seed=seed)
    frames = events_to_frames(streams, DIGITS_SENSOR, n_frames, duration=300_000.0,
                              polarity=polarity)
    return frames, labels


def spoken_task(n_frames: int = 129) -> tuple[np.ndarray, np.ndarray]:
    """Spoken digits through the 64-channel cochlea as frames: (1000, T, 64).

    Bins spread over each utterance (as Tonic's ``ToFrame(n_time_bins=...)``); the paper
    uses 129 bins for N-TIDIGITS.
    """
    from neurosim.events import COCHLEA_CHANNELS, events_to_frames, load_spoken_digits

    streams, labels, _ = load_spoken_digits()
    return events_to_frames(streams, (COCHLEA_CHANNELS, 1), n_frames), labels


def rows_task(steps_per_row: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``load_digits`` presented row by row: 8 channels x (8 * steps_per_row) steps."""
    from sklearn.datasets import load_digits

    from neurosim.events import rows_to_frames

    d = load_digits()
    return rows_to_frames(d.images, steps_per_row), d.target.astype(np.int64)


# -- zero-shot -----------------------------------------------------------------------------
def _normalise(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norm = np.sqrt(np.sum(u * u, axis=1, keepdims=True))
    return u / norm, norm


def _normalise_backward(dz: np.ndarray, z: np.ndarray, norm: np.ndarray) -> np.ndarray:
    # z = u / |u|  =>  du = (dz - z (z . dz)) / |u|
    return (dz - z * np.sum(z * dz, axis=1, keepdims=True)) / norm


def _log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return a - m - np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def gelu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GELU, ``x Phi(x)`` (Hendrycks & Gimpel 2016; PyTorch's exact form), and its
    derivative ``Phi(x) + x phi(x)``."""
    from scipy.special import erf

    cdf = 0.5 * (1.0 + erf(x / np.sqrt(2.0)))
    return x * cdf, cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


_ACTIVATIONS = ("linear", "gelu")


def _project(h: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
             ) -> tuple[np.ndarray, np.ndarray]:
    """``act(h W + b)`` and the derivative of ``act`` there (1 for linear)."""
    pre = h @ W + b
    if activation == "gelu":
        return gelu(pre)
    return pre, np.ones_like(pre)


def info_nce(ha: np.ndarray, hb: np.ndarray, Wa: np.ndarray, ba: np.ndarray, Wb: np.ndarray,
             bb: np.ndarray, temperature: float, activation: str = "linear"
             ) -> tuple[float, dict[str, np.ndarray]]:
    """Symmetric InfoNCE (CLIP) loss of paired features and its gradients, by hand.

    Row i of ``ha`` and row i of ``hb`` are a positive pair; every other row of the other
    modality is a negative:

        z_a = normalise(act(ha Wa + ba)),   z_b = normalise(act(hb Wb + bb)),
        L = z_a z_b^T / tau,
        loss = (1/2n) sum_i [ -log softmax_row(L)_ii - log softmax_col(L)_ii ]

    Backward: ``dloss/dL = (softmax_row(L) + softmax_col(L) - 2 I) / 2n``, then
    ``dz_a = dL z_b / tau``, ``dz_b = dL^T z_a / tau``, through the normalisation
    (``du = (dz - z (z . dz)) / |u|``), the activation (``act'``: 1, or GELU's
    ``Phi + x phi``) and the affine maps.

    Returns
    -------
    (loss, grads)
        ``grads`` has keys ``Wa, ba, Wb, bb``.
    """
    if activation not in _ACTIVATIONS:
        raise ParameterError("activation", activation, f"one of {_ACTIVATIONS}", "info_nce")
    n = ha.shape[0]
    ua, da = _project(ha, Wa, ba, activation)
    ub, db = _project(hb, Wb, bb, activation)
    za, na = _normalise(ua)
    zb, nb = _normalise(ub)
    logits = za @ zb.T / temperature
    lr, lc = _log_softmax(logits, 1), _log_softmax(logits, 0)
    idx = np.arange(n)
    loss = -0.5 * (lr[idx, idx].mean() + lc[idx, idx].mean())
    g = (np.exp(lr) + np.exp(lc)) / (2 * n)
    g[idx, idx] -= 1.0 / n
    dza = g @ zb / temperature
    dzb = g.T @ za / temperature
    dua = _normalise_backward(dza, za, na) * da
    dub = _normalise_backward(dzb, zb, nb) * db
    return float(loss), {"Wa": ha.T @ dua, "ba": dua.sum(0), "Wb": hb.T @ dub,
                         "bb": dub.sum(0)}


class Adam:
    """Adam (Kingma & Ba 2015, beta 0.9 / 0.999, eps 1e-8) on a dict of arrays, in place."""

    def __init__(self, theta: dict[str, np.ndarray], lr: float) -> None:
        self.theta, self.lr, self.t = theta, lr, 0
        self.m = {k: np.zeros_like(v) for k, v in theta.items()}
        self.v = {k: np.zeros_like(v) for k, v in theta.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        b1, b2, eps = 0.9, 0.999, 1e-8
        self.t += 1
        for k, g in grads.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g ** 2
            mh, vh = self.m[k] / (1 - b1**self.t), self.v[k] / (1 - b2**self.t)
            self.theta[k] -= self.lr * mh / (np.sqrt(vh) + eps)  # in place


def retrieval_accuracy(query: np.ndarray, query_labels: np.ndarray, candidates: np.ndarray,
                       candidate_labels: np.ndarray) -> float:
    """Top-1 retrieval by cosine similarity: the fraction of queries whose most similar
    candidate has the query's class (the authors' ``valid_acc``, audio searching image)."""
    best = np.argmax(query @ candidates.T, axis=1)
    return float(np.mean(np.asarray(candidate_labels)[best] == np.asarray(query_labels)))


class ZeroShotParams(Params):
    """Training of the zero-shot LSM's projection heads (LSM-CLIP).

    ``embed_dim = 64`` is the paper's projection dimension; the rest are ours.

    Parameters
    ----------
    embed_dim
        Dimension of the shared embedding.
    temperature
        InfoNCE temperature.
    lr
        Adam learning rate.
    n_steps
        Training steps.
    groups
        Groups of pairs per step; each group holds one pair of every training class, so a
        group's negatives are never of the positive's class.
    weight_decay
        L2 penalty on the projection matrices.
    """

    embed_dim: int = number(64, low=1, integer=True)
    temperature: float = number(0.1, low=0.0, low_open=True)
    lr: float = number(3e-3, low=0.0, low_open=True)
    n_steps: int = number(300, low=1, integer=True)
    groups: int = number(8, low=1, integer=True)
    weight_decay: float = number(1e-3, low=0.0)


@dataclass
class _Head:
    mean: np.ndarray
    std: np.ndarray
    W: np.ndarray
    b: np.ndarray


class ZeroShotLSM:
    """Two fixed reservoirs (modality a: e.g. image events; b: e.g. audio events) and two
    trained projection heads into one embedding, trained by InfoNCE on same-class pairs.

    Classification (seen or unseen classes): embed the query in modality a, embed reference
    samples of the candidate classes in modality b, average them per class into prototypes,
    answer the class of the nearest prototype (cosine).

    Parameters
    ----------
    params_a, params_b
        Reservoirs of the two modalities (:class:`LSMParams`; readout fields unused).
    params
        :class:`ZeroShotParams`.
    seed
        Seed of both reservoirs (children ``"a"``, ``"b"``) and of the training (``"train"``).
    """

    def __init__(self, params_a: LSMParams, params_b: LSMParams,
                 params: ZeroShotParams | None = None, *, seed: SeedLike = 0,
                 progress: bool = False) -> None:
        ss = as_seed_sequence(seed)
        self.params = params or ZeroShotParams()
        #: progress bars over both reservoirs' batches and the head's training steps
        self.progress = bool(progress)
        self.lsm_a = LiquidStateMachine(params_a, seed=child_seed(ss, "a"), progress=progress)
        self.lsm_b = LiquidStateMachine(params_b, seed=child_seed(ss, "b"), progress=progress)
        self._rng = make_rng(child_seed(ss, "train"))
        self.heads_: dict[str, _Head] = {}
        self.loss_history_: list[float] = []

    def _features(self, which: str, frames: np.ndarray) -> np.ndarray:
        lsm = self.lsm_a if which == "a" else self.lsm_b
        return np.log1p(lsm.transform(frames))  # counts are heavy-tailed; log tames them

    def fit(self, frames_a: np.ndarray, y_a: np.ndarray, frames_b: np.ndarray,
            y_b: np.ndarray, *, paired: bool = False) -> ZeroShotLSM:
        """Train the two heads on pairs of the same class.

        Parameters
        ----------
        frames_a, y_a, frames_b, y_b
            Training samples of the two modalities and their classes.
        paired
            False (the paper's setting: N-MNIST and N-TIDIGITS have no sample-level
            correspondence): a pair is a random a and a random b of one class. True: sample
            i of a and sample i of b are two views of one thing and form the pairs.
        """
        p = self.params
        y_a, y_b = np.asarray(y_a), np.asarray(y_b)
        if paired and (len(y_a) != len(y_b) or np.any(y_a != y_b)):
            raise ParameterError("y_b", "labels", "equal to y_a when paired=True",
                                 "ZeroShotLSM.fit")
        classes = np.intersect1d(np.unique(y_a), np.unique(y_b))
        if classes.size < 2:
            raise ParameterError("y_a, y_b", classes.tolist(), "at least two shared classes",
                                 "ZeroShotLSM.fit")
        feats = {"a": self._features("a", frames_a), "b": self._features("b", frames_b)}
        rng = self._rng
        for k, h in feats.items():
            mean, std = h.mean(0), h.std(0) + 1e-6
            n_in = h.shape[1]
            W = rng.standard_normal((n_in, p.embed_dim)) / np.sqrt(n_in)
            self.heads_[k] = _Head(mean, std, W, np.zeros(p.embed_dim))
        hs = {k: (feats[k] - self.heads_[k].mean) / self.heads_[k].std for k in feats}
        members = {k: [np.flatnonzero(y == c) for c in classes]
                   for k, y in (("a", y_a), ("b", y_b))}
        self._paired = paired
        theta = {"Wa": self.heads_["a"].W, "ba": self.heads_["a"].b,
                 "Wb": self.heads_["b"].W, "bb": self.heads_["b"].b}
        self.loss_history_ = []
        with _one_blas_thread():
            self._train(p, hs, members, theta, rng)
        return self

    def _train(self, p: ZeroShotParams, hs: dict[str, np.ndarray],
               members: dict[str, list[np.ndarray]], theta: dict[str, np.ndarray],
               rng: np.random.Generator) -> None:
        names = ("Wa", "ba", "Wb", "bb")
        adam = Adam(theta, p.lr)
        from tqdm.auto import tqdm

        for _ in tqdm(range(1, p.n_steps + 1), desc="zero-shot head", unit="step",
                      disable=not self.progress, leave=False):
            grads = {k: np.zeros_like(v) for k, v in theta.items()}
            total = 0.0
            for _ in range(p.groups):
                ia = np.array([rng.choice(ix) for ix in members["a"]])
                ib = ia if self._paired else np.array([rng.choice(ix) for ix in members["b"]])
                loss, g = info_nce(hs["a"][ia], hs["b"][ib], theta["Wa"], theta["ba"],
                                   theta["Wb"], theta["bb"], p.temperature)
                total += loss / p.groups
                for k in names:
                    grads[k] += g[k] / p.groups
            self.loss_history_.append(total)
            for k in names:
                if k.startswith("W"):
                    grads[k] += p.weight_decay * theta[k]
            adam.step(grads)  # in place: the heads see it

    def embed(self, which: str, frames: np.ndarray) -> np.ndarray:
        """Unit-norm embeddings of modality ``"a"`` or ``"b"``."""
        if which not in ("a", "b"):
            raise ParameterError("which", which, "'a' or 'b'", "ZeroShotLSM.embed")
        if not self.heads_:
            raise ParameterError("heads", None, "trained first (call fit)", "ZeroShotLSM")
        h = self.heads_[which]
        x = (self._features(which, frames) - h.mean) / h.std
        return _normalise(x @ h.W + h.b)[0]

    def prototypes(self, frames_b: np.ndarray, y_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class prototypes from reference samples of modality b: (classes, unit vectors)."""
        y_b = np.asarray(y_b)
        zb = self.embed("b", frames_b)
        classes = np.unique(y_b)
        protos = np.stack([zb[y_b == c].mean(0) for c in classes])
        return classes, _normalise(protos)[0]

    def predict(self, frames_a: np.ndarray, frames_b: np.ndarray, y_b: np.ndarray) -> np.ndarray:
        """Nearest-prototype class of every sample of modality a, among the classes of y_b."""
        classes, protos = self.prototypes(frames_b, y_b)
        return classes[np.argmax(self.embed("a", frames_a) @ protos.T, axis=1)]

    def score(self, frames_a: np.ndarray, y_a: np.ndarray, frames_b: np.ndarray,
              y_b: np.ndarray) -> float:
        """Accuracy of :meth:`predict` (chance: one over the number of classes in ``y_b``)."""
        return float(np.mean(self.predict(frames_a, frames_b, y_b) == np.asarray(y_a)))


# -- experiments ---------------------------------------------------------------------------
#: Reservoir settings per task. digits: the paper's N-MNIST settings; spoken: its N-TIDIGITS
#: decay and threshold; rows: 8 input channels. Weight scales are ours (docs/lsm.md).
TASK_PARAMS: dict[str, LSMParams] = {
    "digits": LSMParams(),
    "spoken": LSMParams(n_inputs=64, decay=0.97, v_th=5.3, w_in_std=2.5),
    "rows": LSMParams(n_inputs=8, w_in_std=3.0),
}


def load_task(task: str) -> tuple[np.ndarray, np.ndarray]:
    """Frames and labels of ``"digits"``, ``"spoken"`` or ``"rows"``."""
    loaders = {"digits": digits_task, "spoken": spoken_task, "rows": rows_task}
    if task not in loaders:
        raise ParameterError("task", task, f"one of {sorted(loaders)}", "load_task")
    return loaders[task]()


def _split(n: int, seed: SeedLike, train_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    perm = make_rng(seed, "split").permutation(n)
    k = round(train_fraction * n)
    return perm[:k], perm[k:]


def evaluate(task: str, *, weights: str = "device", seed: SeedLike = 0,
             read_noise: float = 0.0, train_fraction: float = 0.7,
             data: tuple[np.ndarray, np.ndarray] | None = None,
             params: LSMParams | None = None, progress: bool = False) -> float:
    """Test accuracy of an LSM on a task: random train/test split from ``seed``
    (``progress``: a bar over the reservoir's batches).

    The split depends on ``seed`` only, so device and software reservoirs of one seed are
    scored on the same samples.
    """
    return fit_task(task, weights=weights, seed=seed, read_noise=read_noise,
                    train_fraction=train_fraction, data=data, params=params,
                    progress=progress).accuracy


@dataclass(frozen=True)
class TaskFit:
    """What :func:`fit_task` returns: the fitted machine, the split and the test answers."""

    lsm: LiquidStateMachine
    train: np.ndarray
    test: np.ndarray
    predicted: np.ndarray
    accuracy: float


def fit_task(task: str, *, weights: str = "device", seed: SeedLike = 0,
             read_noise: float = 0.0, train_fraction: float = 0.7,
             data: tuple[np.ndarray, np.ndarray] | None = None,
             params: LSMParams | None = None, progress: bool = False) -> TaskFit:
    """:func:`evaluate`, keeping the fitted machine, the split and the test predictions
    (for a confusion matrix or a look at the reservoir)."""
    X, y = data if data is not None else load_task(task)
    p = (params or TASK_PARAMS[task]).replace(weights=weights, read_noise=read_noise)
    tr, te = _split(len(y), seed, train_fraction)
    lsm = LiquidStateMachine(p, seed=seed, progress=progress).fit(X[tr], y[tr])
    predicted = lsm.predict(X[te])
    return TaskFit(lsm, tr, te, predicted, float(np.mean(predicted == np.asarray(y)[te])))


def raw_count_score(X: np.ndarray, y: np.ndarray, *, seed: SeedLike = 0,
                    train_fraction: float = 0.7, C: float = 1.0) -> float:
    """The same readout on the raw input counts summed over time (no reservoir)."""
    tr, te = _split(len(y), seed, train_fraction)
    f = X.sum(axis=1).astype(np.float64)
    with _one_blas_thread():
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        return float(clf.fit(f[tr], y[tr]).score(f[te], y[te]))


def zero_shot_experiment(modalities: str = "digits", *, seed: SeedLike = 0,
                         weights: str = "device", device: str = "lsm_lin2023",
                         params: ZeroShotParams | None = None,
                         paired: bool = False, train_fraction: float = 0.7,
                         data: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
                         progress: bool = False) -> dict[str, float]:
    """Train LSM-CLIP on seen classes, score seen (n-way) and unseen (2-way) classes.

    ``modalities="digits"``: a = saccade event digits (256 inputs), b = the same digits
    presented row by row (8 inputs); seen 0-7, unseen 8, 9. ``"audio"`` (the paper's
    setting): a = event digits, b = spoken digits (64-channel cochlea); seen 1-7, unseen
    8, 9. Pairs are of the same class (``paired=True``, digits only: of the same image).
    Queries are held-out samples of modality a, prototypes come from held-out samples of b
    (for unseen classes: queries and references are disjoint halves). ``progress``: bars
    over the reservoirs' batches and the head's training.

    Returns
    -------
    dict
        ``seen``, ``unseen`` accuracies (class prototypes), ``seen_retrieval``,
        ``unseen_retrieval`` (the authors' metric: top-1 retrieval of a held-out a sample by
        a held-out b sample, a hit when the classes match), ``n_seen_classes``,
        ``final_loss``.
    """
    if modalities not in ("digits", "audio"):
        raise ParameterError("modalities", modalities, "'digits' or 'audio'",
                             "zero_shot_experiment")
    data = data or {}
    Xa, ya = data.get("digits") or digits_task()
    if modalities == "digits":
        Xb, yb = data.get("rows") or rows_task()
        pb, seen_classes = TASK_PARAMS["rows"], np.arange(0, 8)
    else:
        Xb, yb = data.get("spoken") or spoken_task()
        pb, seen_classes = TASK_PARAMS["spoken"], np.arange(1, 8)
        if paired:
            raise ParameterError("paired", paired, "False for the audio modality",
                                 "zero_shot_experiment")
    unseen_classes = np.array([8, 9])
    pa = TASK_PARAMS["digits"].replace(weights=weights, device=device)
    pb = pb.replace(weights=weights, device=device)
    tra, tea = _split(len(ya), child_seed(as_seed_sequence(seed), "a"), train_fraction)
    if paired:
        trb, teb = tra, tea
    else:
        trb, teb = _split(len(yb), child_seed(as_seed_sequence(seed), "b"), train_fraction)

    def pick(idx: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
        return idx[np.isin(y[idx], classes)]

    zs = ZeroShotLSM(pa, pb, params, seed=seed, progress=progress)
    ia, ib = pick(tra, ya, seen_classes), pick(trb, yb, seen_classes)
    zs.fit(Xa[ia], ya[ia], Xb[ib], yb[ib], paired=paired)
    qa, rb = pick(tea, ya, seen_classes), pick(teb, yb, seen_classes)
    seen = zs.score(Xa[qa], ya[qa], Xb[rb], yb[rb])
    ua = make_rng(seed, "unseen").permutation(np.flatnonzero(np.isin(ya, unseen_classes)))
    ub = make_rng(seed, "unseen").permutation(np.flatnonzero(np.isin(yb, unseen_classes)))
    qa, rb = ua[: ua.size // 2], ub[ub.size // 2:]
    unseen = zs.score(Xa[qa], ya[qa], Xb[rb], yb[rb])
    out = {"seen": seen, "unseen": unseen, "n_seen_classes": int(seen_classes.size),
           "final_loss": zs.loss_history_[-1]}
    # the authors' metric too (lsm_clip): each held-out b sample queries the held-out a
    # samples of the split's classes; a hit when the most similar one has its class
    for name, classes in (("seen", seen_classes), ("unseen", unseen_classes)):
        q, c = pick(teb, yb, classes), pick(tea, ya, classes)
        out[f"{name}_retrieval"] = retrieval_accuracy(zs.embed("b", Xb[q]), yb[q],
                                                      zs.embed("a", Xa[c]), ya[c])
    return out

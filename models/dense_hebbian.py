"""Dense (P-body) Hebbian networks: storing pure archetypes, or learning them from examples.

Agliari, Albanese, Alemanno, Alessandrelli, Barra, Giannotti, Lotito & Pedreschi, "Dense
Hebbian neural networks: a replica symmetric picture of supervised learning", Physica A
626:129076 (2023), and the unsupervised companion (Agliari et al., "Dense Hebbian neural
networks: a replica symmetric picture of unsupervised learning", Physica A 627:129143 (2023)).

Energies (``m_hat``, ``m`` overlaps; c = 1/P! so that P = 2 is Hopfield's convention):

- ``protocol="pure"`` (archetypes stored directly, Krotov-Hopfield/Baldi-Venkatesh dense
  memory): ``E = -c N sum_mu (xi^mu . sigma / N)**P``; stores K ~ N^(P-1) patterns.
- ``protocol="supervised"``: the examples of a class enter through their mean
  ``xi_hat^mu = (1/M) sum_a eta^{mu,a}``: ``E = -c N sum_mu m_hat_mu**P`` with
  ``m_hat_mu = xi_hat^mu . sigma / (N sqrt(R))``, ``R = r^2 (1 + rho)``.
- ``protocol="unsupervised"``: every example is its own term:
  ``E = -c N (1/M) sum_mu sum_a (eta^{mu,a} . sigma / (N r))**P``.

The kernel stores the integer class sums ``M xi_hat`` (supervised) or the M K examples as
columns (unsupervised, O(K M) per flip attempt); nothing of size N^2 or N^P is built.
At low load, T = 0, started at an archetype, the supervised network settles on
``sign(xi_hat)`` with overlap ``E[sign sum_a chi_a]`` for every P
(:func:`neurosim.theory.supervised_overlap`), while the unsupervised one with few noisy
examples falls into a single example (overlap ~ r): storing versus learning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from neurosim.errors import ParameterError
from neurosim.hebbian import HebbianNetwork, smallest_int_dtype
from neurosim.params import Params, choice, number
from neurosim.random import SeedLike, as_seed_sequence, child_seed
from neurosim.theory.dense import supervised_normalisation

__all__ = [
    "PROTOCOLS",
    "DenseHebbianNetwork",
    "DenseHebbianParams",
    "RetrievalCurve",
    "dense_point",
    "half_retrieval_load",
]

PROTOCOLS = ("pure", "supervised", "unsupervised")


class DenseHebbianParams(Params):
    """A dense Hebbian network and its dataset.

    Defaults follow the low-load examples of Agliari et al. (2023): N = 4000, K = 3
    archetypes, P = 4, M = 25 examples of quality r = 0.2, supervised.
    """

    n_neurons: int = number(4000, low=2, integer=True)
    n_archetypes: int = number(3, low=1, integer=True)
    p_body: int = number(4, low=2, integer=True)
    n_examples: int = number(25, low=1, integer=True)
    quality: float = number(0.2, low=0.0, high=1.0, low_open=True)
    protocol: str = choice("supervised", PROTOCOLS)


class DenseHebbianNetwork(HebbianNetwork):
    """A P-body Hebbian network with archetypes (and examples) drawn from ``seed``.

    Examples
    --------
    >>> net = DenseHebbianNetwork(n_neurons=1000, n_archetypes=2, p_body=3, n_examples=11,
    ...                           quality=0.3, seed=0)
    >>> res = net.run("archetype")
    >>> round(float(res.m[0]), 1)
    0.7
    """

    def __init__(self, n_neurons: int | None = None, n_archetypes: int | None = None,
                 p_body: int | None = None, *, n_examples: int | None = None,
                 quality: float | None = None, protocol: str | None = None,
                 params: DenseHebbianParams | None = None, seed: SeedLike = None) -> None:
        given = {"n_neurons": n_neurons, "n_archetypes": n_archetypes, "p_body": p_body,
                 "n_examples": n_examples, "quality": quality, "protocol": protocol}
        protocol = given["protocol"] or (params or DenseHebbianParams()).protocol
        self._draw(params or DenseHebbianParams(), given, seed,
                   with_examples=protocol != "pure")
        self._stored = self._build_stored()

    @classmethod
    def from_examples(cls, examples: np.ndarray, labels: np.ndarray, p_body: int = 4, *,
                      protocol: str = "supervised", archetypes: np.ndarray | None = None,
                      n_per_class: int | None = None, seed: SeedLike = 0
                      ) -> DenseHebbianNetwork:
        """A network that stores or learns a user's data instead of drawn archetypes.

        Parameters
        ----------
        examples
            ``(n_samples, N)`` of +-1 (binarise first, e.g. ``np.where(x > t, 1, -1)``).
        labels
            The class of each sample; each class is one archetype (in sorted order).
        p_body
            Interaction order P.
        protocol
            ``"supervised"`` (class means, as the paper's supervised rule), ``"unsupervised"``
            (every example its own term) or ``"pure"`` (``archetypes`` stored directly).
        archetypes
            ``(N, K)`` +-1 ground truth if there is one (the overlaps are measured against
            it). Default: the sign of each class's mean example (ties +1), which is what the
            supervised rule retrieves at low load.
        n_per_class
            Examples used per class (the first ones of each); default the smallest class's
            count, so every class has the same M as the rule assumes.
        seed
            Seed of the start states and the dynamics.

        The dataset quality r (the overlap of an example with its archetype) that the
        normalisation needs is measured: the mean over examples of
        ``eta . xi / N``, clipped to (0, 1].
        """
        x = np.asarray(examples)
        y = np.asarray(labels)
        owner = "DenseHebbianNetwork.from_examples"
        if x.ndim != 2 or len(x) != len(y) or len(x) == 0:
            raise ParameterError("examples", x.shape, "an (n_samples, N) array with one "
                                 f"label each ({len(y)} labels)", owner)
        if not np.all(np.isin(x, (-1, 1))):
            raise ParameterError("examples", "values other than +-1", "+-1 entries "
                                 "(binarise the data first)", owner)
        if protocol not in PROTOCOLS:
            raise ParameterError("protocol", protocol, f"one of {PROTOCOLS}", owner)
        classes = np.unique(y)
        counts = np.array([np.sum(y == c) for c in classes])
        m = int(counts.min() if n_per_class is None else n_per_class)
        if m < 1 or m > counts.min():
            raise ParameterError("n_per_class", n_per_class, f"an int in [1, "
                                 f"{int(counts.min())}] (the smallest class)", owner)
        n = x.shape[1]
        eta = np.stack([x[y == c][:m].T for c in classes], axis=1).astype(np.int8)  # N,K,M
        if archetypes is None:
            xi = np.where(eta.sum(axis=2, dtype=np.int64) >= 0, 1, -1).astype(np.int8)
        else:
            xi = np.asarray(archetypes)
            if xi.shape != (n, len(classes)) or not np.all(np.isin(xi, (-1, 1))):
                raise ParameterError("archetypes", xi.shape, f"+-1 of shape ({n}, "
                                     f"{len(classes)})", owner)
            xi = xi.astype(np.int8)
        r = float(np.mean(np.einsum("ikm,ik->km", eta.astype(np.float64), xi) / n))
        quality = min(max(r, 1e-6), 1.0)
        net = cls.__new__(cls)
        net.params = DenseHebbianParams(n_neurons=n, n_archetypes=len(classes),
                                        p_body=p_body, n_examples=m, quality=quality,
                                        protocol=protocol)
        net.seed = as_seed_sequence(seed)
        net.archetypes = xi
        net.examples = eta if protocol != "pure" else None
        net.classes = classes
        net._stored = net._build_stored()
        return net

    def _build_stored(self) -> tuple[np.ndarray, int, float]:
        p = self.params
        n, power = p.n_neurons, p.p_body
        c = 1.0 / math.factorial(power)
        if p.protocol == "pure":
            return self.archetypes, power, c * n / n**power
        if p.protocol == "supervised":
            sums = self.examples.sum(axis=2, dtype=np.int32)
            x = sums.astype(smallest_int_dtype(p.n_examples))
            norm = n * p.n_examples * math.sqrt(supervised_normalisation(p.n_examples,
                                                                         p.quality))
            return x, power, c * n / norm**power
        flat = np.ascontiguousarray(self.examples.reshape(n, -1))
        return flat, power, c * n / p.n_examples / (n * p.quality) ** power

    def stored(self) -> tuple[np.ndarray, int, float]:
        return self._stored


def dense_point(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One point of a dense-network sweep: T = 0 retrieval of archetype 1.

    ``params``: any :class:`DenseHebbianParams` field, plus ``load`` (K / N^(P-1), sets
    ``n_archetypes``), ``beta``, ``flip_fraction``, ``max_sweeps``, ``start``.
    Returns ``m`` (archetype 1), ``m_example_max`` (largest overlap with one of its examples,
    where there are examples), ``sweeps``, ``converged``.
    """
    fields = {k: params[k] for k in DenseHebbianParams.field_names() if k in params}
    if "load" in params:
        n = int(fields.get("n_neurons", DenseHebbianParams().n_neurons))
        power = int(fields.get("p_body", DenseHebbianParams().p_body))
        fields["n_archetypes"] = max(1, round(float(params["load"]) * n ** (power - 1)))
    unknown = set(params) - set(DenseHebbianParams.field_names()) - {
        "load", "beta", "flip_fraction", "max_sweeps", "start"}
    if unknown:
        raise ParameterError("params", sorted(unknown), "DenseHebbianParams fields, load, "
                             "beta, flip_fraction, max_sweeps or start", "dense_point")
    net = DenseHebbianNetwork(params=DenseHebbianParams(**fields), seed=rng)
    res = net.run(str(params.get("start", "archetype")),
                  flip_fraction=float(params.get("flip_fraction", 0.0)),
                  beta=float(params.get("beta", math.inf)),
                  max_sweeps=int(params.get("max_sweeps", 100)), seed=rng)
    out: dict[str, Any] = {"m": float(res.m[0]), "sweeps": res.sweeps,
                           "converged": res.converged}
    if res.m_examples is not None:
        out["m_example_max"] = float(res.m_examples[0].max())
    return out


@dataclass(frozen=True)
class RetrievalCurve:
    """Probability of retrieval against the number of stored archetypes.

    Attributes
    ----------
    n_neurons, p_body : int
    n_archetypes : int array
        The loads tried (K).
    probability : float array
        Fraction of trials ending with overlap above the threshold.
    k50 : float
        Where the probability crosses 1/2: the midpoint of a logistic in log K fitted to the
        trial counts by maximum likelihood; nan when the scan does not bracket 1/2.
    """

    n_neurons: int
    p_body: int
    n_archetypes: np.ndarray
    probability: np.ndarray
    k50: float


def half_retrieval_load(n_neurons: int, p_body: int, scaled_loads: np.ndarray, *,
                        trials: int = 32, threshold: float = 0.9,
                        seed: SeedLike = 0) -> RetrievalCurve:
    """Scan K = round(load N^(P-1)) and locate the 50 % retrieval load K50 (pure archetypes).

    A trial draws a fresh network, starts at archetype 1, runs T = 0 dynamics and counts as a
    retrieval when the final overlap exceeds ``threshold``. Dense networks store
    K ~ N^(P-1) patterns (ultra-storage), so K50 / N^(P-1) depends on N only weakly.

    Parameters
    ----------
    n_neurons, p_body
        N and P.
    scaled_loads
        Increasing loads K / N^(P-1) to try.
    trials
        Networks per load.
    threshold
        Overlap above which a run counts as retrieved.
    seed
        Root seed; trial t at load index j uses the child ``("k50", N, j, t)``.
    """
    loads = np.asarray(scaled_loads, dtype=float)
    if loads.ndim != 1 or loads.size < 2 or np.any(np.diff(loads) <= 0) or loads[0] <= 0:
        raise ParameterError("scaled_loads", scaled_loads, "an increasing 1-D array of at "
                             "least two positive loads", "half_retrieval_load")
    if isinstance(trials, bool) or int(trials) != trials or trials < 1:
        raise ParameterError("trials", trials, "a positive integer", "half_retrieval_load")
    ks = np.maximum(1, np.round(loads * n_neurons ** (p_body - 1))).astype(int)
    prob = np.empty(ks.size)
    for j, k in enumerate(ks):
        hits = 0
        for t in range(int(trials)):
            trial_seed = child_seed(seed, "k50", str(n_neurons), str(j), str(t))
            net = DenseHebbianNetwork(n_neurons, int(k), p_body, protocol="pure",
                                      seed=trial_seed)
            hits += net.run("archetype").m[0] > threshold
        prob[j] = hits / trials
    k50 = _logistic_midpoint(np.log(ks), prob, int(trials))
    return RetrievalCurve(n_neurons, p_body, ks, prob, k50)


def _logistic_midpoint(log_k: np.ndarray, prob: np.ndarray, trials: int) -> float:
    """Maximum-likelihood midpoint of ``p = 1 / (1 + exp((log K - c) / w))`` (binomial counts).

    A fit uses every load of the scan, so K50 is less noisy than an interpolation between the
    two loads around 1/2.
    """
    below = np.flatnonzero(prob < 0.5)
    if not below.size or below[0] == 0:
        return math.nan
    hits = prob * trials
    i = below[0]
    c0 = 0.5 * (log_k[i - 1] + log_k[i])

    def nll(theta: np.ndarray) -> float:
        c, log_w = theta
        z = (log_k - c) / math.exp(log_w)
        # log p = -log(1 + e^z), log(1 - p) = z - log(1 + e^z), written stably
        log1pez = np.logaddexp(0.0, z)
        return float(-np.sum(hits * -log1pez + (trials - hits) * (z - log1pez)))

    fit = minimize(nll, np.array([c0, math.log(0.2)]), method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    return float(math.exp(fit.x[0]))

"""Multitasking Hebbian network: diluted patterns retrieved in parallel.

Agliari, Barra, Galluzzi, Guerra & Moauro, "Multitasking associative networks",
Phys. Rev. Lett. 109:268101 (2012); learning versions from Agliari, Alessandrelli, Barra &
Ricci-Tersenghi, "Parallel learning by multitasking neural networks", arXiv 2308.04106 (2023).

Archetypes have blank entries (``xi_i = 0``) with probability d. The Hopfield energy with
diluted patterns (``protocol="direct"``), ``E = -(1/(2N)) sum_mu S_mu**2``, has at T = 0 and
low load a *hierarchical* fixed point: each spin follows the first archetype that is not blank
there, giving ``m_k = (1 - d) d^(k-1)`` while ``sum_{j=1}^{K-1} d^j < 1``
(:mod:`neurosim.theory.multitask`). The learning versions store examples
``eta^{mu,a} = chi^{mu,a} xi^mu`` (blanks stay blank): ``"supervised"`` through the class means
(normalised by ``R = r^2 (1 + rho)``), ``"unsupervised"`` example by example (normalised by r^2);
at small dataset entropy rho both recover the same amplitudes.

Start from the cascade (``start="cascade"``), with a fraction of spins flipped: starting from
xi^1 with its blanks filled at random instead freezes into a mixture at T = 0 (models.md §2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.hebbian import HebbianNetwork, smallest_int_dtype
from neurosim.params import Params, choice, number
from neurosim.random import SeedLike
from neurosim.theory.dense import supervised_normalisation

__all__ = ["PROTOCOLS", "MultitaskHebbianNetwork", "MultitaskHebbianParams", "multitask_point"]

PROTOCOLS = ("direct", "supervised", "unsupervised")


class MultitaskHebbianParams(Params):
    """A diluted Hebbian network and, for the learning protocols, its dataset.

    Defaults: N = 10^4, K = 3, d = 0.3 (a stable cascade: 0.3 + 0.09 < 1), direct storage;
    M = 51 examples of quality r = 0.5 for the learning protocols (rho = 0.059).
    """

    n_neurons: int = number(10_000, low=2, integer=True)
    n_archetypes: int = number(3, low=1, integer=True)
    dilution: float = number(0.3, low=0.0, high=1.0, high_open=True)
    n_examples: int = number(51, low=1, integer=True)
    quality: float = number(0.5, low=0.0, high=1.0, low_open=True)
    protocol: str = choice("direct", PROTOCOLS)


class MultitaskHebbianNetwork(HebbianNetwork):
    """A multitasking network with diluted archetypes (and examples) drawn from ``seed``.

    Examples
    --------
    >>> net = MultitaskHebbianNetwork(n_neurons=4000, n_archetypes=3, dilution=0.3, seed=0)
    >>> res = net.run("cascade", flip_fraction=0.1)
    >>> [round(float(x), 2) for x in res.m]
    [0.7, 0.21, 0.06]
    """

    def __init__(self, n_neurons: int | None = None, n_archetypes: int | None = None,
                 dilution: float | None = None, *, n_examples: int | None = None,
                 quality: float | None = None, protocol: str | None = None,
                 params: MultitaskHebbianParams | None = None, seed: SeedLike = None) -> None:
        given = {"n_neurons": n_neurons, "n_archetypes": n_archetypes, "dilution": dilution,
                 "n_examples": n_examples, "quality": quality, "protocol": protocol}
        protocol = given["protocol"] or (params or MultitaskHebbianParams()).protocol
        self._draw(params or MultitaskHebbianParams(), given, seed,
                   with_examples=protocol != "direct")
        self._stored = self._build_stored()

    def _build_stored(self) -> tuple[np.ndarray, int, float]:
        p = self.params
        n = p.n_neurons
        if p.protocol == "direct":
            return self.archetypes, 2, 0.5 / n
        if p.protocol == "supervised":
            sums = self.examples.sum(axis=2, dtype=np.int32)
            x = sums.astype(smallest_int_dtype(p.n_examples))
            r_norm = supervised_normalisation(p.n_examples, p.quality)
            return x, 2, 0.5 / (n * p.n_examples**2 * r_norm)
        flat = np.ascontiguousarray(self.examples.reshape(n, -1))
        return flat, 2, 0.5 / (n * p.n_examples * p.quality**2)

    def stored(self) -> tuple[np.ndarray, int, float]:
        return self._stored

    @classmethod
    def start_names(cls) -> tuple[str, ...]:
        return (*super().start_names(), "cascade")

    def cascade(self, rng: np.random.Generator) -> np.ndarray:
        """The hierarchical state: each spin copies the first archetype not blank there
        (spins blank in every archetype are drawn at random)."""
        sigma = np.zeros(self.n_neurons, dtype=np.int8)
        for k in range(self.archetypes.shape[1]):
            free = sigma == 0
            sigma[free] = self.archetypes[free, k]
        return self._fill_blanks(sigma, rng)

    def _model_start(self, start: str, target: int, rng: np.random.Generator) -> np.ndarray:
        if start == "cascade":
            return self.cascade(rng)
        return super()._model_start(start, target, rng)


def multitask_point(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One point of a multitasking sweep: T = 0 from the cascade with spins flipped.

    ``params``: any :class:`MultitaskHebbianParams` field plus ``flip_fraction`` (0.1),
    ``beta``, ``max_sweeps``. Returns ``m_1 .. m_K`` and ``sweeps``, ``converged``.
    """
    allowed = set(MultitaskHebbianParams.field_names()) | {"flip_fraction", "beta",
                                                           "max_sweeps"}
    unknown = set(params) - allowed
    if unknown:
        raise ParameterError("params", sorted(unknown), f"names in {sorted(allowed)}",
                             "multitask_point")
    fields = {k: params[k] for k in MultitaskHebbianParams.field_names() if k in params}
    net = MultitaskHebbianNetwork(params=MultitaskHebbianParams(**fields), seed=rng)
    res = net.run("cascade", flip_fraction=float(params.get("flip_fraction", 0.1)),
                  beta=float(params.get("beta", np.inf)),
                  max_sweeps=int(params.get("max_sweeps", 100)), seed=rng)
    out: dict[str, Any] = {f"m_{k + 1}": float(v) for k, v in enumerate(res.m)}
    out.update(sweeps=res.sweeps, converged=res.converged)
    return out

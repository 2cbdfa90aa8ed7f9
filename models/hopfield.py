"""The classic Hopfield network (pairwise Hebbian couplings, P = 2).

Hopfield, PNAS 79:2554 (1982); statistical mechanics by Amit, Gutfreund & Sompolinsky,
Phys. Rev. Lett. 55:1530 (1985) and Ann. Phys. 173:30 (1987). ``K = alpha N`` unbiased patterns
are stored with couplings ``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu`` (J_ii = 0); the Hamiltonian
``H = -(1/2) sum_{i != j} J_ij sigma_i sigma_j`` equals ``-(1/(2N)) sum_mu S_mu**2`` up to a
constant, ``S_mu = xi^mu . sigma``, which is what the kernel descends (no N x N matrix is
ever built). At T = 0 retrieval survives up to alpha_c = 0.138
(:func:`neurosim.theory.ags_critical`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.hebbian import HebbianNetwork
from neurosim.params import Params, number
from neurosim.random import SeedLike

__all__ = ["HopfieldNetwork", "HopfieldParams", "hopfield_point"]


class HopfieldParams(Params):
    """Size and load of a Hopfield network.

    Defaults: N = 2000 and K = 200 (alpha = 0.1, inside the AGS retrieval region; the
    finite-size Monte Carlo of Amit et al. 1987 used N of a few thousand).
    """

    n_neurons: int = number(2000, low=2, integer=True)
    n_patterns: int = number(200, low=1, integer=True)

    @property
    def n_archetypes(self) -> int:
        """The stored patterns are the archetypes of the Hebbian family."""
        return self.n_patterns

    @property
    def alpha(self) -> float:
        """The load K/N."""
        return self.n_patterns / self.n_neurons


class HopfieldNetwork(HebbianNetwork):
    """A Hopfield network with random unbiased patterns drawn from ``seed``.

    Examples
    --------
    >>> net = HopfieldNetwork(n_neurons=500, n_patterns=25, seed=0)
    >>> float(net.run("archetype", flip_fraction=0.1).m[0])
    1.0
    """

    def __init__(self, n_neurons: int | None = None, n_patterns: int | None = None, *,
                 params: HopfieldParams | None = None, seed: SeedLike = None) -> None:
        self._draw(params or HopfieldParams(),
                   {"n_neurons": n_neurons, "n_patterns": n_patterns}, seed,
                   with_examples=False)

    @classmethod
    def from_load(cls, alpha: float, n_neurons: int, seed: SeedLike = None) -> HopfieldNetwork:
        """The network storing ``round(alpha N)`` patterns (at least one); ``alpha`` a finite
        load > 0 (a load of 0 still stores one pattern: ask for n_patterns=1 to mean it)."""
        if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.number) \
                or not math.isfinite(alpha) or alpha <= 0:
            raise ParameterError("alpha", alpha, "a finite load P/N > 0",
                                 "HopfieldNetwork.from_load")
        return cls(n_neurons=n_neurons, n_patterns=max(1, round(alpha * n_neurons)), seed=seed)

    def stored(self) -> tuple[np.ndarray, int, float]:
        return self.archetypes, 2, 0.5 / self.n_neurons


def hopfield_point(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One point of a Hopfield sweep: retrieval from pattern 1 at load ``alpha``.

    ``params``: ``alpha`` (required), ``n_neurons`` (2000), ``beta`` (inf),
    ``flip_fraction`` (0), ``max_sweeps`` (100). Returns ``m`` (overlap with the start
    pattern), ``m_max_other``, ``sweeps``, ``converged``.
    """
    net = HopfieldNetwork.from_load(float(params["alpha"]), int(params.get("n_neurons", 2000)),
                                    seed=rng)
    res = net.run("archetype", flip_fraction=float(params.get("flip_fraction", 0.0)),
                  beta=float(params.get("beta", np.inf)),
                  max_sweeps=int(params.get("max_sweeps", 100)), seed=rng)
    other = np.abs(res.m[1:]).max() if res.m.size > 1 else 0.0
    return {"m": float(res.m[0]), "m_max_other": float(other), "sweeps": res.sweeps,
            "converged": res.converged}

"""Connectors: which pre-synaptic neuron connects to which post-synaptic neuron.

Names and semantics follow PyNN (``OneToOneConnector``, ``AllToAllConnector``,
``FixedProbabilityConnector``, ``FromListConnector``). Random connectors draw from a
generator the engine derives from the spec's root seed and the projection's label, so every
engine builds the same connectivity from the same seed.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError, SpecError
from neurosim.params import Params, custom, number

__all__ = ["AllToAll", "Connector", "FixedProbability", "FromList", "OneToOne"]


class Connector(Params):
    """Base of connectors."""

    random: ClassVar[bool] = False

    def connect(
        self,
        pre_ids: np.ndarray,
        post_ids: np.ndarray,
        same_population: bool,
        rng: np.random.Generator | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs as (positions in the pre view, positions in the post view), int64 arrays.

        ``pre_ids``/``post_ids`` are the neurons' indices within their populations; they
        decide what a self-connection is when both views are of one population.
        """
        raise NotImplementedError


class OneToOne(Connector):
    """Neuron i of the pre view to neuron i of the post view (equal sizes)."""

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        if len(pre_ids) != len(post_ids):
            raise SpecError(
                f"OneToOne needs views of equal size; got {len(pre_ids)} -> {len(post_ids)}"
            )
        i = np.arange(len(pre_ids), dtype=np.int64)
        return i, i.copy()


def _self_mask(pre_ids, post_ids, i, j, same_population, allow_self):
    if allow_self or not same_population:
        return np.ones(len(i), dtype=bool)
    return pre_ids[i] != post_ids[j]


class AllToAll(Connector):
    """Every pre neuron to every post neuron (PyNN ``AllToAllConnector``)."""

    allow_self_connections: bool = custom(True)

    def check(self) -> None:
        if not isinstance(self.allow_self_connections, bool):
            raise ParameterError("allow_self_connections", self.allow_self_connections,
                                 "True or False", "AllToAll")

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        i, j = np.meshgrid(np.arange(len(pre_ids)), np.arange(len(post_ids)), indexing="ij")
        i, j = i.ravel().astype(np.int64), j.ravel().astype(np.int64)
        keep = _self_mask(pre_ids, post_ids, i, j, same_population, self.allow_self_connections)
        return i[keep], j[keep]


class FixedProbability(Connector):
    """Each pair independently with probability ``p_connect`` (PyNN semantics)."""

    random: ClassVar[bool] = True
    p_connect: float = number(0.1, low=0.0, high=1.0)
    allow_self_connections: bool = custom(True)

    def check(self) -> None:
        AllToAll.check(self)  # type: ignore[arg-type]

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        if rng is None:
            raise ParameterError("rng", rng, "a numpy.random.Generator", "FixedProbability")
        n_pre, n_post = len(pre_ids), len(post_ids)
        lin = _bernoulli_positions(n_pre * n_post, float(self.p_connect), rng)
        i, j = lin // n_post, lin % n_post
        keep = _self_mask(pre_ids, post_ids, i, j, same_population, self.allow_self_connections)
        return i[keep], j[keep]


def _bernoulli_positions(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of the successes of n Bernoulli(p) trials, in O(successes).

    The gaps between successes are geometric, so no n-sized array is ever drawn: a 1e5 x 1e5
    projection at p = 1e-3 costs 1e7 draws, not 1e10.
    """
    if n == 0 or p <= 0.0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    chunk = max(1024, int(n * p * 1.05) + 64)
    out, last = [], -1
    while True:
        pos = last + np.cumsum(rng.geometric(p, size=chunk).astype(np.int64))
        out.append(pos[pos < n])
        if pos[-1] >= n:
            return np.concatenate(out)
        last = int(pos[-1])


class FromList(Connector):
    """Explicit (pre, post) pairs, positions within the views (PyNN ``FromListConnector``)."""

    pairs: tuple[tuple[int, int], ...] = custom(())

    def check(self) -> None:
        try:
            arr = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        except (TypeError, ValueError):
            raise ParameterError("pairs", self.pairs, "a sequence of (pre, post) int pairs",
                                 "FromList") from None
        if (arr < 0).any():
            raise ParameterError("pairs", self.pairs, "non-negative indices", "FromList")
        object.__setattr__(self, "pairs", tuple(map(tuple, arr.tolist())))

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": [list(p) for p in self.pairs]}

    @classmethod
    def from_dict(cls, data):
        return cls(pairs=tuple(tuple(p) for p in data["pairs"]))

    def to_si(self):
        return {"pairs": self.pairs}

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        arr = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        if len(arr) and (arr[:, 0].max() >= len(pre_ids) or arr[:, 1].max() >= len(post_ids)):
            raise SpecError(
                f"FromList has an index beyond the views ({len(pre_ids)} x {len(post_ids)})"
            )
        return arr[:, 0].copy(), arr[:, 1].copy()


CONNECTORS = {c.__name__: c for c in (OneToOne, AllToAll, FixedProbability, FromList)}

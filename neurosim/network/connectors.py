"""Connectors: which pre-synaptic neuron connects to which post-synaptic neuron.

Names and semantics follow PyNN (``OneToOneConnector``, ``AllToAllConnector``,
``FixedProbabilityConnector``, ``FromListConnector``, ``FixedNumberPreConnector``,
``FixedNumberPostConnector``). Multapses (several synapses between one pair) come from
``FromList`` duplicates and from the fixed-number connectors with ``with_replacement=True``;
every engine keeps each of them as a synapse of its own. Random connectors draw from a
generator the engine derives from the spec's root seed and the projection's label, so every
engine builds the same connectivity from the same seed.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError, SpecError
from neurosim.params import Params, custom, number

__all__ = ["AllToAll", "Connector", "FixedNumberPost", "FixedNumberPre", "FixedProbability",
           "FromList", "OneToOne"]


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


class _FixedNumber(Connector):
    """Shared by FixedNumberPre and FixedNumberPost: ``n`` partners per neuron."""

    random: ClassVar[bool] = True
    n: int = number(1, low=0, integer=True)
    allow_self_connections: bool = custom(True)
    with_replacement: bool = custom(False)

    def check(self) -> None:
        AllToAll.check(self)  # type: ignore[arg-type]
        if not isinstance(self.with_replacement, bool):
            raise ParameterError("with_replacement", self.with_replacement, "True or False",
                                 type(self).__name__)

    def _partners(self, n_choices: int, fixed_ids: np.ndarray, choice_ids: np.ndarray,
                  same_population: bool, rng: np.random.Generator | None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """For each fixed neuron, ``n`` partners among the choices (positions)."""
        owner = type(self).__name__
        if rng is None:
            raise ParameterError("rng", rng, "a numpy.random.Generator", owner)
        fixed, chosen = [], []
        for f in range(len(fixed_ids)):
            allowed = np.arange(n_choices, dtype=np.int64)
            if same_population and not self.allow_self_connections:
                allowed = allowed[choice_ids[allowed] != fixed_ids[f]]
            if not self.with_replacement and self.n > len(allowed):
                raise SpecError(f"{owner}: n={self.n} partners without replacement, but only "
                                f"{len(allowed)} neurons to choose from")
            if len(allowed) == 0:
                continue
            pick = rng.choice(allowed, size=self.n, replace=self.with_replacement)
            fixed.append(np.full(self.n, f, dtype=np.int64))
            chosen.append(np.sort(pick).astype(np.int64))
        if not fixed:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(fixed), np.concatenate(chosen)


class FixedNumberPre(_FixedNumber):
    """Each post neuron receives ``n`` synapses from pre neurons drawn at random (PyNN
    ``FixedNumberPreConnector``); ``with_replacement=True`` allows multapses."""

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        j, i = self._partners(len(pre_ids), post_ids, pre_ids, same_population, rng)
        order = np.lexsort((j, i))
        return i[order], j[order]


class FixedNumberPost(_FixedNumber):
    """Each pre neuron makes ``n`` synapses onto post neurons drawn at random (PyNN
    ``FixedNumberPostConnector``); ``with_replacement=True`` allows multapses."""

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        return self._partners(len(post_ids), pre_ids, post_ids, same_population, rng)


CONNECTORS = {c.__name__: c for c in (OneToOne, AllToAll, FixedProbability, FromList,
                                       FixedNumberPre, FixedNumberPost)}

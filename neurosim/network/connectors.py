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
        """Pairs as (positions in the pre view, positions in the post view), integer arrays
        (int64, or int32 where a connector keeps large projections small).

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
            given = np.asarray(self.pairs)
            arr = given.astype(np.int64).reshape(-1, 2)
        except (TypeError, ValueError):
            raise ParameterError("pairs", self.pairs, "a sequence of (pre, post) int pairs",
                                 "FromList") from None
        # an index is a neuron's position: 0.5 is no neuron (not rounded to one silently)
        if given.size and (given.dtype.kind not in "iub" and not (
                given.dtype.kind == "f" and np.array_equal(given, np.round(given)))):
            raise ParameterError("pairs", self.pairs, "(pre, post) pairs of whole-number "
                                 "indices", "FromList")
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
        """For each fixed neuron, ``n`` partners among the choices (positions), vectorised.

        Returns (fixed positions, chosen positions), grouped by fixed neuron and sorted
        within each group; int32 while the sizes allow (a 10⁸-synapse projection holds
        two int32 arrays, not two int64 ones). Without replacement, a draw of ``n`` far
        below the number of choices is uniform with duplicates (and self-connections)
        redrawn; otherwise each fixed neuron ranks uniform keys over all its choices and
        keeps the ``n`` smallest. Both give every allowed ``n``-subset the same chance
        (the procedures are symmetric in the choices).
        """
        owner = type(self).__name__
        if rng is None:
            raise ParameterError("rng", rng, "a numpy.random.Generator", owner)
        n, rows = int(self.n), len(fixed_ids)
        exclude = same_population and not self.allow_self_connections
        # a view is a contiguous range of its population: a fixed neuron is among the
        # choices at most once, at position ``self_pos`` (n_choices when absent)
        self_pos = np.full(rows, n_choices, dtype=np.int64)
        if exclude and n_choices:
            at = np.asarray(fixed_ids, dtype=np.int64) - int(choice_ids[0])
            inside = (at >= 0) & (at < n_choices)
            inside[inside] = choice_ids[at[inside]] == fixed_ids[inside]
            self_pos[inside] = at[inside]
        allowed = n_choices - (self_pos < n_choices)
        if not self.with_replacement and rows and n > allowed.min():
            raise SpecError(f"{owner}: n={n} partners without replacement, but only "
                            f"{int(allowed.min())} neurons to choose from")
        live = np.flatnonzero(allowed > 0)
        index = np.int32 if max(n_choices, rows) < 2**31 else np.int64
        if n == 0 or not len(live):
            return np.zeros(0, index), np.zeros(0, index)
        chosen = np.empty((len(live), n), dtype=index)
        sparse = self.with_replacement or 4 * n <= n_choices
        # rows per chunk: about 2**22 values of working memory at a time
        per = max(1, 2**22 // (n if sparse else n_choices))
        for a in range(0, len(live), per):
            own = self_pos[live[a:a + per]]
            if sparse:
                chosen[a:a + per] = _draw_sparse(rng, n_choices, n, own,
                                                 self.with_replacement)
            else:
                keys = rng.random((len(own), n_choices))
                has = own < n_choices
                keys[np.flatnonzero(has), own[has]] = 2.0  # never among the n smallest
                pick = np.argpartition(keys, n - 1, axis=1)[:, :n] if n < n_choices \
                    else np.argsort(keys, axis=1)
                chosen[a:a + per] = np.sort(pick, axis=1)
        fixed = np.repeat(live.astype(index), n)
        return fixed, chosen.ravel()


def _draw_sparse(rng: np.random.Generator, n_choices: int, n: int, own: np.ndarray,
                 with_replacement: bool) -> np.ndarray:
    """``n`` uniform positions in ``[0, n_choices)`` per row, none at the row's ``own``
    position, and without replacement no repeats (both redrawn until none is left);
    each row sorted."""
    cand = rng.integers(0, n_choices, size=(len(own), n))
    while True:
        cand.sort(axis=1)
        bad = cand == own[:, None]
        if not with_replacement:
            bad[:, 1:] |= cand[:, 1:] == cand[:, :-1]
        k = int(np.count_nonzero(bad))
        if k == 0:
            return cand
        cand[bad] = rng.integers(0, n_choices, size=k)


class FixedNumberPre(_FixedNumber):
    """Each post neuron receives ``n`` synapses from pre neurons drawn at random (PyNN
    ``FixedNumberPreConnector``); ``with_replacement=True`` allows multapses."""

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        j, i = self._partners(len(pre_ids), post_ids, pre_ids, same_population, rng)
        from neurosim.kernels.grouping import group_by_key  # numba: loaded when used

        # drawn per target, delivered per source: regrouped by pre, targets ascending
        return group_by_key(i, j, len(pre_ids))


class FixedNumberPost(_FixedNumber):
    """Each pre neuron makes ``n`` synapses onto post neurons drawn at random (PyNN
    ``FixedNumberPostConnector``); ``with_replacement=True`` allows multapses."""

    def connect(self, pre_ids, post_ids, same_population, rng=None):
        return self._partners(len(post_ids), pre_ids, post_ids, same_population, rng)


CONNECTORS = {c.__name__: c for c in (OneToOne, AllToAll, FixedProbability, FromList,
                                       FixedNumberPre, FixedNumberPost)}

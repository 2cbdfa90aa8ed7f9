"""Seeds and random generators, with no global state.

Every public entry point takes ``seed: int | numpy.random.Generator | SeedSequence | None``.
Child seeds are keyed by *name* (a stable hash of a string appended to the parent's spawn
key), not by the order in which they are asked for: adding an object to a network never shifts
the random stream of another (see docs/decisions.md).
"""

from __future__ import annotations

import hashlib

import numpy as np

from neurosim.errors import ParameterError

SeedLike = int | np.integer | np.random.Generator | np.random.SeedSequence | None

__all__ = ["SeedLike", "as_seed_sequence", "child_seed", "make_rng"]


def as_seed_sequence(seed: SeedLike, param: str = "seed") -> np.random.SeedSequence:
    """Normalise a seed argument to a :class:`numpy.random.SeedSequence`.

    ``None`` draws fresh OS entropy (recorded in ``.entropy`` so a run can be replayed); a
    Generator contributes 128 bits drawn from it (so the same Generator state gives the same
    sequence).
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=2, dtype=np.uint64).tolist())
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(
            param, seed, "a non-negative int, a numpy.random.Generator, a SeedSequence or None"
        )
    return np.random.SeedSequence(int(seed))


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


def child_seed(seed: SeedLike, *names: str) -> np.random.SeedSequence:
    """The seed of a named child, e.g. ``child_seed(root, "projection", "cue->content")``.

    Deterministic in (root, names), independent of any other child asked for.
    """
    parent = as_seed_sequence(seed)
    key = tuple(parent.spawn_key) + tuple(_name_key(n) for n in names)
    return np.random.SeedSequence(entropy=parent.entropy, spawn_key=key)


def make_rng(seed: SeedLike, *names: str) -> np.random.Generator:
    """A Generator for ``seed`` (or for its named child when ``names`` are given)."""
    if isinstance(seed, np.random.Generator) and not names:
        return seed
    ss = child_seed(seed, *names) if names else as_seed_sequence(seed)
    return np.random.default_rng(ss)

"""Counter-based random numbers: a draw is a pure function of (key, step, neuron).

Stateless, so every engine draws the same numbers for a seed, whatever the order of
evaluation or the chunking of ``run()`` (run(100 ms) twice == run(200 ms) once). The mixing
function is SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014), applied twice: first to (key, step), then to (that, neuron).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.random import SeedLike, child_seed

__all__ = ["normal", "poisson_spikes", "source_key", "uniform"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def source_key(seed: SeedLike, label: str) -> np.uint64:
    """The 64-bit key of a named random source under a root seed."""
    return np.uint64(child_seed(seed, "source", label).generate_state(1, dtype=np.uint64)[0])


def uniform(key: np.uint64, steps: np.ndarray, neurons: np.ndarray) -> np.ndarray:
    """Uniform numbers in [0, 1) for each (step, neuron) pair (broadcast)."""
    s = np.asarray(steps, dtype=np.uint64)
    n = np.asarray(neurons, dtype=np.uint64)
    h = _mix(_mix(np.uint64(key) ^ s) ^ n)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def normal(key: np.uint64, counts: np.ndarray, neurons: np.ndarray) -> np.ndarray:
    """Standard normal numbers, draw ``counts`` of each of ``neurons`` (broadcast).

    Box-Muller on the uniforms of steps ``2 count`` and ``2 count + 1``: ``sqrt(-2 ln(1 -
    u1)) cos(2 pi u2)``. Used for device pulse noise (the Numba kernel has a compiled copy,
    ``neurosim.kernels.spiking.counter_normal``, tested equal).
    """
    c = np.asarray(counts, dtype=np.uint64)
    u1 = uniform(key, np.uint64(2) * c, neurons)
    u2 = uniform(key, np.uint64(2) * c + np.uint64(1), neurons)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


def poisson_spikes(key: np.uint64, size: int, rate_hz: Any, dt_s: float, first_step: Any,
                   stop_step: Any, k0: int, k1: int) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of ``size`` Poisson sources in steps [k0, k1): (steps, neurons), sorted.

    On the time grid a source fires in a step with probability ``rate * dt`` while
    ``first_step <= step < stop_step`` (a Bernoulli approximation of the Poisson process,
    as on SpiNNaker; exact in the limit rate * dt -> 0). ``rate_hz``, ``first_step`` and
    ``stop_step`` are each one value or one per source; the draws are the same either way
    (one uniform per step and source), so a source's spikes depend on its own values only.
    """
    if np.ndim(rate_hz) or np.ndim(first_step) or np.ndim(stop_step):
        return _poisson_per_source(key, size, rate_hz, dt_s, first_step, stop_step, k0, k1)
    lo, hi = max(k0, first_step), min(k1, stop_step)
    if hi <= lo or rate_hz <= 0 or size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    p = min(rate_hz * dt_s, 1.0)
    neurons = np.arange(size, dtype=np.int64)[None, :]
    block = max(1, 4_000_000 // size)  # steps per block: at most ~32 MB of draws at a time
    out_s, out_i = [], []
    for b0 in range(lo, int(hi), block):
        steps = np.arange(b0, min(b0 + block, int(hi)), dtype=np.int64)
        k, i = np.nonzero(uniform(key, steps[:, None], neurons) < p)
        out_s.append(steps[k])
        out_i.append(i.astype(np.int64))
    return np.concatenate(out_s), np.concatenate(out_i)


def _poisson_per_source(key: np.uint64, size: int, rate_hz: Any, dt_s: float,
                        first_step: Any, stop_step: Any, k0: int,
                        k1: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`poisson_spikes` with a rate and window per source."""
    rate = np.broadcast_to(np.asarray(rate_hz, dtype=float), (size,))
    first = np.broadcast_to(np.asarray(first_step, dtype=float), (size,))
    stop = np.broadcast_to(np.asarray(stop_step, dtype=float), (size,))
    lo, hi = max(k0, int(first.min(initial=k1))), min(k1, stop.max(initial=k0))
    if hi <= lo or size == 0 or not np.any(rate > 0):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    p = np.minimum(rate * dt_s, 1.0)[None, :]
    neurons = np.arange(size, dtype=np.int64)[None, :]
    block = max(1, 4_000_000 // size)
    out_s, out_i = [], []
    for b0 in range(lo, int(hi), block):
        steps = np.arange(b0, min(b0 + block, int(hi)), dtype=np.int64)
        on = (steps[:, None] >= first[None, :]) & (steps[:, None] < stop[None, :])
        k, i = np.nonzero((uniform(key, steps[:, None], neurons) < p) & on)
        out_s.append(steps[k])
        out_i.append(i.astype(np.int64))
    return np.concatenate(out_s), np.concatenate(out_i)

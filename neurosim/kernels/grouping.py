"""Counting sort: pairs regrouped by their first member in O(n), keeping their order.

Connectivity generated per target (``FixedNumberPre``: each post neuron draws its pre
neurons) must become rows per source for delivery. A comparison sort of 10⁸ pairs takes
tens of seconds and an index array as large as the data; a counting sort over the neuron
index takes one pass and no index array. Twin: :func:`group_by_key_numpy`
(``np.argsort(kind="stable")``).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["group_by_key", "group_by_key_numpy"]


@numba.njit(cache=True)
def _group_by_key(keys, values, n_keys, keys_out, values_out):  # pragma: no cover - numba
    start = np.zeros(n_keys + 1, dtype=np.int64)
    for i in range(len(keys)):
        start[keys[i] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    for i in range(len(keys)):
        k = keys[i]
        at = start[k]
        keys_out[at] = k
        values_out[at] = values[i]
        start[k] = at + 1


def group_by_key(keys: np.ndarray, values: np.ndarray, n_keys: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, values)`` stably sorted by key, for integer keys in ``[0, n_keys)``.

    The same result as ``order = np.argsort(keys, kind="stable")`` then
    ``(keys[order], values[order])``, in O(len + n_keys) time, with outputs of the inputs'
    dtypes.
    """
    keys, values = np.ascontiguousarray(keys), np.ascontiguousarray(values)
    if len(keys) != len(values):
        raise ValueError(f"keys ({len(keys)}) and values ({len(values)}) differ in length")
    if len(keys) and (keys.min() < 0 or keys.max() >= n_keys):
        raise ValueError(f"keys must lie in [0, {n_keys})")
    keys_out, values_out = np.empty_like(keys), np.empty_like(values)
    _group_by_key(keys, values, int(n_keys), keys_out, values_out)
    return keys_out, values_out


def group_by_key_numpy(keys: np.ndarray, values: np.ndarray, n_keys: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """NumPy twin of :func:`group_by_key`."""
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]

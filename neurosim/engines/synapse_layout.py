"""The synapse arrays of the array engines, in delivery order, built within a memory budget.

Delivery walks rows: the synapses of one source neuron, targets ascending within a row (so
each thread's targets are one run of every row, and a target sums its inputs in the same
order whatever the split: :mod:`neurosim.kernels.spiking`). Multapses keep the order their
connector gave them.

At 10⁸ synapses every array counts (0.4 GB per int32 field, 0.8 GB for the weights), so
:func:`lay_out_synapses`:

* takes the lowering's arrays over and lets each go as soon as it is copied (the caller
  hands over its list of lowered projections, which is emptied);
* skips the sort when each projection is already in row order and the projections' source
  ranges do not overlap (the usual case: the connectors give (pre, post) order), and then
  copies blocks instead of gathering through a permutation;
* keeps no per-synapse source index: the rows (``row_ptr``) hold it; :func:`pre_of` gives
  a synapse's source.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

__all__ = ["SynapseArrays", "lay_out_synapses", "pre_of"]

#: Synapses checked per slice when testing the row order (bounded temporaries).
_CHUNK = 1 << 22

SynapseArrays = dict[str, np.ndarray]


def lay_out_synapses(projections: list[Any], n: int) -> tuple[SynapseArrays, np.ndarray]:
    """The synapses of ``projections`` (lowered, :class:`~neurosim.engines.lowering.
    LoweredProjection`) in row order, and the row pointers (``n + 1``, int64).

    Returns ``{"post", "w", "delay", "receptor", "proj"}`` (index dtype int32 below 2**31
    neurons, float64, int32, int8, int32). ``projections`` is emptied: the lowering's
    arrays are released field by field while the result is built.
    """
    sizes = [len(lp.pre) for lp in projections]
    constants = {"receptor": ([lp.receptor for lp in projections], np.int8),
                 "proj": ([lp.index for lp in projections], np.int32)}
    parts = {f: [getattr(lp, f) for lp in projections]
             for f in ("pre", "post", "weight", "delay")}
    projections.clear()  # the lowering's arrays are now held by ``parts`` alone
    index = np.int32 if n < 2**31 else np.int64
    blocks = _block_order(parts["pre"], parts["post"])
    if blocks is None:  # a general layout: one stable sort by (pre, post)
        order = np.lexsort((np.concatenate(parts["post"]), np.concatenate(parts["pre"])))

        def take(field: list[np.ndarray], dtype: Any) -> np.ndarray:
            whole = np.concatenate(field).astype(dtype, copy=False) if field \
                else np.zeros(0, dtype)
            field.clear()
            return whole[order]
    else:
        def take(field: list[np.ndarray], dtype: Any) -> np.ndarray:
            return _concat_blocks(field, blocks, dtype)

    pre = take(parts.pop("pre"), index)
    row_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=n), out=row_ptr[1:])
    del pre
    s: SynapseArrays = {"post": take(parts.pop("post"), index),
                        "w": take(parts.pop("weight"), np.float64),
                        "delay": take(parts.pop("delay"), np.int32)}
    for name, (values, dtype) in constants.items():  # one value per projection
        if blocks is None:
            s[name] = np.repeat(np.asarray(values, dtype), sizes)[order]
        else:
            s[name] = np.repeat(np.asarray([values[k] for k in blocks], dtype),
                                [sizes[k] for k in blocks])
    return s, row_ptr


def pre_of(row_ptr: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The source neuron (global index, int64) of the synapses at positions ``ids``."""
    return np.searchsorted(row_ptr, np.asarray(ids, dtype=np.int64), side="right") - 1


def _rows_sorted(pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether (pre, post) pairs are in row order (pre ascending, then post)."""
    for a in range(0, max(len(pre) - 1, 0), _CHUNK):
        b = min(a + _CHUNK + 1, len(pre))
        step = np.diff(pre[a:b])
        if np.any(step < 0) or np.any((step == 0) & (post[a + 1:b] < post[a:b - 1])):
            return False
    return True


def _block_order(pres: list[np.ndarray], posts: list[np.ndarray]) -> list[int] | None:
    """The order in which the projections, each in row order, concatenate into row order
    (by their first source; their source ranges must not overlap), or None."""
    live = [k for k, p in enumerate(pres) if len(p)]
    if not all(_rows_sorted(pres[k], posts[k]) for k in live):
        return None
    live.sort(key=lambda k: int(pres[k][0]))
    for a, b in itertools.pairwise(live):
        if int(pres[a][-1]) >= int(pres[b][0]):
            return None
    return live


def _concat_blocks(field: list[np.ndarray], blocks: list[int], dtype: Any) -> np.ndarray:
    """The arrays of ``field`` concatenated in ``blocks`` order (empty ones left out), each
    released once copied; one block is taken over without a copy where its dtype fits."""
    if len(blocks) == 1:
        whole = np.asarray(field[blocks[0]]).astype(dtype, copy=False)
        field.clear()
        return whole
    out = np.empty(sum(len(field[k]) for k in blocks), dtype=dtype)
    at = 0
    for k in blocks:
        out[at:at + len(field[k])] = field[k]
        at += len(field[k])
        field[k] = np.zeros(0, dtype)  # released
    field.clear()
    return out

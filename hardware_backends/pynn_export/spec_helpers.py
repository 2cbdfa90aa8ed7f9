"""Spec helpers for deployment: :func:`add_spike_times` writes input into a spike source."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurosim.errors import ParameterError
from neurosim.network import NetworkSpec, SpikeSourceArray
from neurosim.units import Quantity, second, to_si


def add_spike_times(spec: NetworkSpec, source: str, indices: Sequence[int],
                    times: Quantity) -> NetworkSpec:
    """A copy of ``spec`` whose ``SpikeSourceArray`` ``source`` also fires at ``times``.

    The offline form of ``Simulation.inject``: a board runs one spec from start to end, so
    input given operation by operation (the CA3 memory's protocol) is written into the
    spike source before deploying.
    """
    group = spec.groups.get(source)
    if not isinstance(group, SpikeSourceArray):
        raise ParameterError("source", source, "the label of a SpikeSourceArray",
                             "add_spike_times")
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    t = np.asarray(to_si(times, second), dtype=float).reshape(-1)
    if len(idx) != len(t):
        raise ParameterError("indices", indices, f"as many entries as times ({len(t)})",
                             "add_spike_times")
    if len(idx) and (idx.min() < 0 or idx.max() >= group.size):
        raise ParameterError("indices", indices, f"ints in [0, {group.size - 1}]",
                             "add_spike_times")
    trains = [list(train) for train in group.spike_times]
    for i, ti in zip(idx.tolist(), t.tolist()):
        trains[i].append(ti)
    new = SpikeSourceArray(source, tuple(tuple(x) for x in trains))
    sources = tuple(new if s.label == source else s for s in spec.sources)
    return spec.replace(sources=sources)

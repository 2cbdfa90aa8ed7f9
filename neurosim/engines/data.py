"""Recorded data with units, shared by every engine, and its export to Neo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.units import Quantity, second, to_si

__all__ = ["RecordedData", "SpikeData", "StateData"]


class RecordedData(dict):
    """A simulation's recordings by probe key (``sim.data``): a dict whose missing key
    raises :class:`~neurosim.errors.RecordingNotFound` listing the keys recorded."""

    def __missing__(self, key: Any) -> Any:
        from neurosim.errors import RecordingNotFound

        raise RecordingNotFound(key, sorted(self))


def grid_times(steps: np.ndarray, dt_s: float) -> np.ndarray:
    """Times in seconds of whole time steps, as the closest floats (13 ms is 0.013, not
    0.013000000000000001): divide by 1/dt when that is a whole number."""
    inv = 1.0 / dt_s
    if abs(inv - round(inv)) < 1e-9 * inv:
        return np.asarray(steps, dtype=float) / round(inv)
    return np.asarray(steps, dtype=float) * dt_s


@dataclass(frozen=True, eq=False)
class SpikeData:
    """Spikes of one population or source: parallel arrays of times and neuron indices.

    ``times`` is a Brian2 Quantity (seconds), sorted by time then index.
    """

    label: str
    size: int
    times: Quantity
    indices: np.ndarray

    def trains(self) -> list[Quantity]:
        """One array of spike times (with units) per neuron."""
        t = np.asarray(to_si(self.times)) if len(self.indices) else np.zeros(0)
        return [t[self.indices == i] * second for i in range(self.size)]

    def count(self) -> np.ndarray:
        return np.bincount(self.indices, minlength=self.size)

    def between(self, start: Quantity, stop: Quantity) -> SpikeData:
        """The spikes with ``start <= t < stop``."""
        t = np.asarray(to_si(self.times), dtype=float).reshape(-1)
        lo, hi = to_si(start, second), to_si(stop, second)
        # Half a nanosecond of slack: times are multiples of dt held in floating point.
        keep = (t >= lo - 5e-10) & (t < hi - 5e-10)
        return SpikeData(self.label, self.size, t[keep] * second, self.indices[keep])

    def __len__(self) -> int:
        return len(self.indices)


@dataclass(frozen=True, eq=False)
class StateData:
    """A sampled state variable: ``values[k, i]`` is neuron i at ``times[k]``."""

    label: str
    variable: str
    times: Quantity
    values: Quantity


def _neo_units(values: Quantity) -> tuple[Any, Any]:
    """The ``quantities`` units of a state variable: SI, and how PyNN shows it (mV, nA, uS,
    mV/ms), from the dimensions of its values."""
    import quantities as pq
    from brian2 import get_dimensions

    from neurosim.units import si_unit_name

    name = si_unit_name(values) if isinstance(values, Quantity) else "1"
    table = {"volt": (pq.V, pq.mV), "amp": (pq.A, pq.nA), "siemens": (pq.S, pq.uS),
             "volt/second": (pq.V / pq.s, pq.mV / pq.ms), "1": (pq.dimensionless,) * 2}
    if name not in table:
        raise ValueError(f"no Neo unit for a state variable with dimensions "
                         f"{get_dimensions(values)}")
    return table[name]


def to_neo_block(name: str, spikes: dict[str, SpikeData], states: dict[str, StateData],
                 t_stop: Quantity, description: str = ""):
    """A ``neo.Block`` with one Segment, laid out like PyNN's ``Population.get_data()``.

    Each recorded population contributes its SpikeTrains (``annotations['source_population']``,
    ``annotations['source_index']``) and one AnalogSignal per recorded state variable.
    """
    import neo
    import quantities as pq

    block = neo.Block(name=name, description=description)
    seg = neo.Segment(name="segment000")
    block.segments.append(seg)
    t_stop_s = float(to_si(t_stop))
    for label, data in spikes.items():
        for i, train in enumerate(data.trains()):
            t = np.asarray(to_si(train), dtype=float)
            t_end = max(t_stop_s, float(t.max()) if t.size else 0.0)
            st = neo.SpikeTrain(np.round(t * 1e3, 9) * pq.ms, t_stop=(t_end * 1e3) * pq.ms,
                                source_population=label, source_index=i, channel_id=i)
            seg.spiketrains.append(st)
    for data in states.values():
        t = np.asarray(to_si(data.times), dtype=float)
        if t.size == 0:
            continue
        period = float(t[1] - t[0]) if t.size > 1 else 1e-4
        si_unit, shown = _neo_units(data.values)
        vals = np.asarray(to_si(data.values), dtype=float) * si_unit
        sig = neo.AnalogSignal(vals.rescale(shown), t_start=t[0] * pq.s,
                               sampling_period=period * pq.s, name=data.variable,
                               source_population=data.label,
                               channel_ids=np.arange(vals.shape[1]))
        seg.analogsignals.append(sig)
    return block

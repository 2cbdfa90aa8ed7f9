"""Recording: spikes and state variables come from the engine's probes."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import recording

from neurosim.pynn import simulator
from neurosim.pynn.translate import cell_class
from neurosim.pynn_units import pynn_per_si
from neurosim.units import si_unit_name, to_si

__all__ = ["Recorder"]


class Recorder(recording.Recorder):
    """PyNN's Recorder on top of an engine's spike and state probes."""

    _simulator = simulator

    def __init__(self, population: Any = None, file: Any = None):
        recording.Recorder.__init__(self, population, file)
        self._cleared = (-1, 0.0)  # (segment, ms): data before this was cleared

    def _record(self, variable: Any, new_ids: Any, sampling_interval: Any = None) -> None:
        if sampling_interval is not None:
            every = sampling_interval / self._simulator.state.dt
            if sampling_interval < self._simulator.state.dt or abs(every - round(every)) > 1e-9:
                raise ValueError(f"sampling_interval {sampling_interval} ms must be a multiple "
                                 f"of the time step ({self._simulator.state.dt} ms)")
            self.sampling_interval = sampling_interval
        self._simulator.state.changed(f"record({variable.name!r})")

    @property
    def metadata(self) -> dict[str, Any]:
        """PyNN's annotations of the output, with the root seed and the engine (the same
        script and seed give the same data)."""
        out = dict(super().metadata)
        st = self._simulator.state
        seed = st.options.get("rng_seed")
        out["rng_seed"] = seed if isinstance(seed, int | str) else repr(seed)
        out["engine"] = st.options.get("engine")
        return out

    def recorded_intervals(self) -> dict[str, float]:
        """Recorded state variables and their sampling interval (ms)."""
        return {v.name: self.sampling_interval for v in self.recorded if v.name != "spikes"}

    def _net(self) -> Any:
        net = self._simulator.state.net
        return net if net is not None and net.live else None

    def _label(self, net: Any) -> str:
        return net.tr.groups[id(self.population)]

    def _get_spiketimes(self, requested_ids: Any, clear: bool = False) -> Any:
        net = self._net()
        if net is None:
            return np.zeros(0, dtype=int), np.zeros(0)
        data = net.sim.spikes(self._label(net))
        times = np.round(np.asarray(to_si(data.times)) * 1e3, 9)
        ids = data.indices + self.population.first_id
        seg, since = self._cleared
        since = since if seg == self._simulator.state.segment_counter else 0.0
        keep = np.isin(ids, np.asarray(list(requested_ids), dtype=int)) & (times >= since - 1e-9)
        if clear:
            self._clear_simulator()
        return ids[keep], times[keep]

    def _get_all_signals(self, variable: Any, ids: Any, clear: bool = False) -> Any:
        net = self._net()
        index = self.population.id_to_index(np.asarray(ids, dtype=int))
        if net is None:
            return np.zeros((0, len(ids))), None
        label = self._label(net)
        cls = cell_class(self.population.celltype)[0]
        name = variable.name.replace(".", "_")  # PyNN's "AMPA.gsyn" is our "AMPA_gsyn"
        factor = pynn_per_si(si_unit_name(cls.state_unit(name)))
        data = net.sim.data[f"{label}.{name}"]
        values = np.asarray(to_si(data.values)) * factor
        # PyNN samples the state after each step and starts with the initial value (n + 1
        # samples for n steps); our probes sample before each step: add the state now when
        # the time falls on the sampling grid.
        st = self._simulator.state
        every = round(self.sampling_interval / st.dt)
        if st._step % every == 0:
            now = np.asarray(to_si(net.sim.get_state(label, name))) * factor
            values = np.vstack([values, np.broadcast_to(now, (1, values.shape[1]))])
        if variable.name == "isyn_inh" and cls.weight_kind != "conductance":
            values = -values  # PyNN's inhibitory current is negative
        seg, since = self._cleared
        if seg == st.segment_counter and since > 0:
            values = values[round(since / self.sampling_interval):]
        if clear:
            self._clear_simulator()
        return values[:, index], None

    def _local_count(self, variable: Any, filter_ids: Any = None) -> dict[int, int]:
        ids = sorted(self.filter_recorded(variable, filter_ids))
        sp_ids, _ = self._get_spiketimes(ids)
        counts = {int(i): 0 for i in ids}
        for i, n in zip(*np.unique(sp_ids, return_counts=True)):
            counts[int(i)] = int(n)
        return counts

    def _clear_simulator(self) -> None:
        st = self._simulator.state
        self._cleared = (st.segment_counter, st.t)

    def _reset(self) -> None:
        self._cleared = (-1, 0.0)

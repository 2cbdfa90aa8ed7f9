"""Recording: spikes and state variables come from the engine's probes."""

from __future__ import annotations

import numpy as np
from pyNN import recording

from neurosim.hardware_backends.crossbar import simulator
from neurosim.units import to_si

__all__ = ["Recorder"]

#: SI -> PyNN units of each recordable variable
_TO_PYNN = {"v": 1e3, "isyn_exc": 1e9, "isyn_inh": 1e9, "gsyn_exc": 1e6, "gsyn_inh": 1e6}


class Recorder(recording.Recorder):
    """PyNN's Recorder on top of the Numba engine's spike and state probes."""

    _simulator = simulator

    def __init__(self, population=None, file=None):
        recording.Recorder.__init__(self, population, file)
        self._cleared = (-1, 0.0)  # (segment, ms): data before this was cleared

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval not in (None, simulator.state.dt):
            raise NotImplementedError("the crossbar backend records at every time step")
        self.sampling_interval = simulator.state.dt

    def _net(self):
        net = simulator.state.net
        return None if net is None or net.sim is None or net.stale else net

    def _label(self, net):
        return net.groups[id(self.population)]

    def _get_spiketimes(self, requested_ids, clear=False):
        net = self._net()
        if net is None:
            return np.zeros(0, dtype=int), np.zeros(0)
        data = net.sim.spikes(self._label(net))
        times = np.round(np.asarray(data.times) * 1e3, 9)
        ids = data.indices + self.population.first_id
        seg, since = self._cleared
        since = since if seg == simulator.state.segment_counter else 0.0
        keep = np.isin(ids, np.asarray(requested_ids, dtype=int)) & (times >= since - 1e-9)
        if clear:
            self._clear_simulator()
        return ids[keep], times[keep]

    def _get_all_signals(self, variable, ids, clear=False):
        net = self._net()
        index = self.population.id_to_index(np.asarray(ids, dtype=int))
        if net is None:
            return np.zeros((0, len(ids))), None
        label = self._label(net)
        data = net.sim.data[f"{label}.{variable.name}"]
        values = np.asarray(data.values) * _TO_PYNN[variable.name]
        # PyNN (pyNN.brian2) samples after each step and prepends the initial value: n + 1
        # samples for n steps. Our probes sample before each step, so add the state now.
        last = np.asarray(to_si(net.sim.get_state(label, variable.name))) * _TO_PYNN[
            variable.name]
        values = np.vstack([values, last[None, :]])[:, index]
        return values, None

    def _local_count(self, variable, filter_ids=None):
        ids = sorted(self.filter_recorded(variable, filter_ids))
        sp_ids, _ = self._get_spiketimes(ids)
        counts = {int(i): 0 for i in ids}
        for i, n in zip(*np.unique(sp_ids, return_counts=True)):
            counts[int(i)] = int(n)
        return counts

    def _clear_simulator(self):
        st = simulator.state
        self._cleared = (st.segment_counter, st.t)

    def _reset(self):
        self._cleared = (-1, 0.0)

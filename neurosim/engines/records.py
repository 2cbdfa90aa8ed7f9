"""Spike-source schedules and recording buffers shared by the compiled stepping engines.

The Numba engine and the SpiNNaker emulator run whole segments in one compiled loop that
reads spike sources from a sorted (step, neuron) schedule and writes spikes into flat
(step, neuron) buffers plus sampled state rows. This mixin owns those arrays and turns them
back into :class:`~neurosim.engines.data.SpikeData` / :class:`~neurosim.engines.data.StateData`;
each engine keeps its own neuron arithmetic and units.

The class using it provides ``spec``, ``n`` (neurons in the global index), ``offset`` (first
global index of each group), ``dt_s`` and ``_step`` (the current step).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from neurosim.engines.data import SpikeData, grid_times
from neurosim.errors import ParameterError
from neurosim.network import NetworkSpec
from neurosim.units import second

__all__ = ["ScheduleAndRecords"]


class ScheduleAndRecords:
    """Spike-source schedule and record buffers of a compiled stepping engine."""

    spec: NetworkSpec
    n: int
    offset: dict[str, int]
    dt_s: float
    _step: int

    # -- the global neuron index -------------------------------------------------------------
    def _index_groups(self, low: Any) -> None:
        """The lowering's one index (populations, then sources): ``offset[label]``, ``n``."""
        self.offset = low.offset
        self.n = low.n

    # -- spike sources ---------------------------------------------------------------------
    def _set_schedule(self, steps: np.ndarray, idx: np.ndarray) -> None:
        order = np.lexsort((idx, steps))
        self.src_step, self.src_idx = steps[order], idx[order]
        self.src_cursor = np.zeros(1, dtype=np.int64)

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        glob = indices + self.offset[source]
        keep = self.src_step >= self._step
        s_all = np.concatenate([self.src_step[keep], steps])
        i_all = np.concatenate([self.src_idx[keep], glob])
        key = s_all * (self.n + 1) + i_all
        if len(np.unique(key)) != len(key):
            raise ParameterError("times", steps * self.dt_s * second,
                                 "at most one spike per source and time step",
                                 f"{type(self).__name__}.inject")
        self._set_schedule(s_all, i_all)

    def _replace_spikes(self, source: str, indices: np.ndarray, steps: np.ndarray,
                        now: int) -> None:
        """Source ``source``'s scheduled spikes from step ``now`` on become ``steps``."""
        off, size = self.offset[source], self.spec.groups[source].size
        mine = (self.src_idx >= off) & (self.src_idx < off + size)
        keep = (self.src_step >= now) & ~mine
        self._set_schedule(np.concatenate([self.src_step[keep], steps]),
                           np.concatenate([self.src_idx[keep], indices + off]))

    # -- records ---------------------------------------------------------------------------
    def _build_records(self, spec: NetworkSpec,
                       var_codes: dict[str, int] | Callable[[str, str], int]) -> None:
        """Spike buffers and the sampled (neuron, variable) columns of the state probes.

        ``var_codes`` gives the kernel's code of a probed variable: a table by variable, or
        a function of (population label, variable)."""
        self.rec_step = np.zeros(max(1024, 4 * self.n), dtype=np.int64)
        self.rec_idx = np.zeros_like(self.rec_step)
        self.rec_count = np.zeros(1, dtype=np.int64)
        neurons: list[int] = []
        codes: list[int] = []
        self._probe_cols: dict[str, tuple[Any, int, int]] = {}
        for probe in spec.probes:
            if probe.variable == "spikes" or probe.target not in spec.groups:
                continue  # spikes, or a current source's current (engines.injection)
            off, size = self.offset[probe.target], spec.groups[probe.target].size
            self._probe_cols[probe.key] = (probe, len(neurons), size)
            neurons.extend(range(off, off + size))
            code = (var_codes(probe.target, probe.variable) if callable(var_codes)
                    else var_codes[probe.variable])
            codes.extend([code] * size)
        self.probe_neurons = np.asarray(neurons, dtype=np.int64)
        self.probe_var = np.asarray(codes, dtype=np.int64)
        # the kernel samples every `probe_every` steps (the gcd of the probes' intervals);
        # each probe keeps the samples on its own interval
        from neurosim.engines.base import probe_every

        self._every = {p.key: probe_every(p, self.dt_s) for p in spec.probes
                       if p.key in self._probe_cols}
        self.probe_every = math.gcd(*self._every.values()) if self._every else 1
        self._probe_rows: list[np.ndarray] = []
        self._probe_steps: list[np.ndarray] = []

    def _recorded_spikes(self, label: str) -> SpikeData:
        """Every recorded spike of group ``label``, sorted by time then index."""
        n_rec = int(self.rec_count[0])
        steps, idx = self.rec_step[:n_rec], self.rec_idx[:n_rec]
        size, off = self.spec.groups[label].size, self.offset[label]
        sel = (idx >= off) & (idx < off + size)
        s, i = steps[sel], idx[sel] - off
        order = np.lexsort((i, s))
        return SpikeData(label, size, grid_times(s[order], self.dt_s) * second,
                         i[order].astype(np.int64))

    def _sampled_steps(self, k0: int, n_steps: int) -> np.ndarray:
        """The steps of ``k0 .. k0 + n_steps - 1`` at which the kernel samples state."""
        steps = np.arange(k0, k0 + n_steps)
        return steps[steps % self.probe_every == 0]

    def _probe_data(self, key: str, dtype: Any = float) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and values (one column per neuron) of one state probe, on its own
        sampling interval."""
        _, col, size = self._probe_cols[key]
        rows = (np.concatenate(self._probe_rows) if self._probe_rows
                else np.zeros((0, self.probe_neurons.size), dtype))
        steps = (np.concatenate(self._probe_steps) if self._probe_steps
                 else np.zeros(0, np.int64))
        keep = steps % self._every[key] == 0
        return grid_times(steps[keep], self.dt_s), rows[keep, col:col + size]

    def _recorded_rows(self, dtype: Any = float) -> tuple[np.ndarray, np.ndarray]:
        """Sampled state: times in seconds and rows (one column per probed neuron)."""
        rows = (np.concatenate(self._probe_rows) if self._probe_rows
                else np.zeros((0, self.probe_neurons.size), dtype))
        steps = (np.concatenate(self._probe_steps) if self._probe_steps
                 else np.zeros(0, np.int64))
        return grid_times(steps, self.dt_s), rows

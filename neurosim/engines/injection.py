"""Current sources lowered for the engines: who receives which source, and the current of
each source at each step, computed once here for every engine.

A neuron's offset current at step k is ``i_offset + (0 + I_1(k) + I_2(k) + ...)``, its sources
summed in the spec's order: the same floats on every engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.engines.data import StateData, grid_times
from neurosim.units import amp, second

__all__ = ["CurrentPlan"]


class CurrentPlan:
    """The current sources of a spec for one simulation.

    Parameters
    ----------
    spec
        The network.
    root_seed
        The simulation's root seed (the noisy sources' keys derive from it).
    dt_s
        The time step.
    offset
        First global index of each population (array engines); None for engines that
        index within populations (then ``targets`` are local).
    """

    def __init__(self, spec: Any, root_seed: Any, dt_s: float,
                 offset: dict[str, int] | None = None):
        from neurosim.counter_rng import source_key

        self.spec = spec
        self.dt_s = dt_s
        self.sources = list(spec.current_sources)
        for s in self.sources:
            if hasattr(s, "steps_per_draw"):
                s.steps_per_draw(dt_s)  # refuse a noise dt off the grid at build time
        self.keys = [source_key(root_seed, f"current:{s.label}") for s in self.sources]
        #: per source: the target population and the targeted indices within it
        self.targets = [(s.target_label, spec.ids(s.target)) for s in self.sources]
        glob = [ids + (offset or {}).get(label, 0) for label, ids in self.targets]
        self.ptr = np.zeros(len(self.sources) + 1, np.int64)
        self.ptr[1:] = np.cumsum([len(g) for g in glob])
        self.idx = (np.concatenate(glob) if glob else np.zeros(0)).astype(np.int64)
        self.neurons = np.unique(self.idx)
        #: per source: (first step, the source's parameters from then on)
        self.history: list[list[tuple[int, Any]]] = [[(0, s)] for s in self.sources]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def replace(self, source: Any, from_step: int) -> None:
        """Give the source of ``source.label`` new parameters from step ``from_step`` on
        (PyNN: a source's parameters set between runs); the steps before keep theirs."""
        from neurosim.errors import ParameterError

        labels = [s.label for s in self.sources]
        if source.label not in labels:
            raise ParameterError("source", source.label, f"one of {labels}",
                                 "Simulation.set_current_source")
        q = labels.index(source.label)
        if source.target != self.sources[q].target:
            raise ParameterError("target", source.target,
                                 f"the source's own target ({self.sources[q].target})",
                                 "Simulation.set_current_source")
        if hasattr(source, "steps_per_draw"):
            source.steps_per_draw(self.dt_s)
        self.history[q] = [(k, s) for k, s in self.history[q] if k < from_step]
        self.history[q].append((from_step, source))
        self.sources[q] = source

    def _waveform(self, q: int, k0: int, k1: int) -> np.ndarray:
        """Source ``q``'s current (A) in steps ``k0 .. k1 - 1``, each step from the
        parameters it had then."""
        out = np.zeros(max(k1 - k0, 0))
        segments = self.history[q]
        for i, (start, source) in enumerate(segments):
            end = segments[i + 1][0] if i + 1 < len(segments) else k1
            a, b = max(k0, start), min(k1, end)
            if a < b:
                out[a - k0:b - k0] = source.waveform(a, b, self.dt_s, self.keys[q])
        return out

    def values(self, k0: int, k1: int) -> np.ndarray:
        """Currents (A) of steps ``k0 .. k1 - 1``: one column per source."""
        out = np.zeros((max(k1 - k0, 0), len(self.sources)))
        for q in range(len(self.sources)):
            out[:, q] = self._waveform(q, k0, k1)
        return out

    def source_values(self, label: str, k0: int, k1: int) -> np.ndarray:
        """The current (A) of source ``label`` in steps ``k0 .. k1 - 1``."""
        return self._waveform([s.label for s in self.sources].index(label), k0, k1)

    def injected(self, values_row: np.ndarray, base: np.ndarray, label: str) -> np.ndarray:
        """The offset current of population ``label`` for one step: ``base`` (its
        i_offset per neuron) plus the sources that target it, in the spec's order."""
        inj = np.zeros(len(base))
        for q, (target, ids) in enumerate(self.targets):
            if target == label:
                inj[ids] += values_row[q]
        return base + inj

    def records(self, n_steps: int) -> dict[str, StateData]:
        """``Probe(label, "i")`` data: what each probed source injected in steps
        ``0 .. n_steps - 1``."""
        out = {}
        probed = {p.target for p in self.spec.probes if p.variable == "i"}
        for q, s in enumerate(self.sources):
            if s.label in probed:
                values = self._waveform(q, 0, n_steps)
                out[f"{s.label}.i"] = StateData(
                    s.label, "i", grid_times(np.arange(n_steps), self.dt_s) * second,
                    values.reshape(-1, 1) * amp)
        return out

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

    def __bool__(self) -> bool:
        return bool(self.sources)

    def values(self, k0: int, k1: int) -> np.ndarray:
        """Currents (A) of steps ``k0 .. k1 - 1``: one column per source."""
        out = np.zeros((max(k1 - k0, 0), len(self.sources)))
        for q, (s, key) in enumerate(zip(self.sources, self.keys)):
            out[:, q] = s.waveform(k0, k1, self.dt_s, key)
        return out

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
        for s, key in zip(self.sources, self.keys):
            if s.label in probed:
                values = s.waveform(0, n_steps, self.dt_s, key)
                out[f"{s.label}.i"] = StateData(
                    s.label, "i", grid_times(np.arange(n_steps), self.dt_s) * second,
                    values.reshape(-1, 1) * amp)
        return out

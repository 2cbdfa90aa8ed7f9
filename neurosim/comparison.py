"""Run one spec on several engines and measure how far apart they are.

``compare(spec, engines=("numba", "brian2"), duration=200 * ms)`` returns a
:class:`ComparisonReport` with, for every engine against the first:

* **spike agreement**: identical (time, neuron) spikes / the larger spike count (1 = identical);
* **van Rossum distance** (van Rossum, Neural Comput. 13:751, 2001), exponential kernel tau,
  per neuron, averaged over neurons; 0 for identical trains, about sqrt(n/2) for n spikes
  against none (:mod:`neurosim.analysis`; Elephant's is sqrt(2) times this, see there);
* **rate error**: |rate - rate_ref| / rate_ref per population;
* **weight-trajectory error**: the largest |w - w_ref| over the projection's weights, read at
  ``n_samples`` points of the run (the run is made in that many chunks, which every engine
  must give the same result for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim.analysis import van_rossum_distance
from neurosim.engines import get_engine
from neurosim.engines.data import SpikeData
from neurosim.errors import ParameterError
from neurosim.network import NetworkSpec
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, require_quantity, second, to_si

__all__ = ["ComparisonReport", "compare", "spike_agreement", "van_rossum_distance"]


def spike_agreement(a: SpikeData, b: SpikeData, dt_s: float) -> float:
    """Identical (step, neuron) spikes over the larger count; 1.0 when both are empty."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    ka = set(zip(np.round(np.asarray(to_si(a.times)) / dt_s).astype(int).tolist(),
                 a.indices.tolist()))
    kb = set(zip(np.round(np.asarray(to_si(b.times)) / dt_s).astype(int).tolist(),
                 b.indices.tolist()))
    return len(ka & kb) / max(len(ka), len(kb))


@dataclass
class ComparisonReport:
    """Agreement of several engines on one spec (the first engine is the reference)."""

    engines: list[str]
    duration_ms: float
    spike_agreement: dict[str, dict[str, float]] = field(default_factory=dict)
    van_rossum: dict[str, dict[str, float]] = field(default_factory=dict)
    rate_error: dict[str, dict[str, float]] = field(default_factory=dict)
    weight_error: dict[str, dict[str, float]] = field(default_factory=dict)
    rates_hz: dict[str, dict[str, float]] = field(default_factory=dict)
    run_s: dict[str, float] = field(default_factory=dict)
    _spikes: dict[str, dict[str, SpikeData]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    @property
    def identical(self) -> bool:
        """Every engine emitted exactly the reference's spikes."""
        return all(v == 1.0 for per in self.spike_agreement.values() for v in per.values())

    def table(self) -> str:
        ref = self.engines[0]
        lines = [f"reference engine: {ref}; {self.duration_ms:g} ms",
                 f"{'engine':<10} {'group':<16} {'agreement':>9} {'van Rossum':>10} "
                 f"{'rate err':>9} {'rate (Hz)':>9}"]
        for eng in self.engines:
            for g, rate in self.rates_hz[eng].items():
                agree = self.spike_agreement.get(eng, {}).get(g, 1.0)
                vr = self.van_rossum.get(eng, {}).get(g, 0.0)
                err = self.rate_error.get(eng, {}).get(g, 0.0)
                lines.append(f"{eng:<10} {g:<16} {agree:>9.4f} {vr:>10.4f} {err:>9.2%} "
                             f"{rate:>9.2f}")
        for eng, per in self.weight_error.items():
            for proj, err in per.items():
                lines.append(f"{eng:<10} weights {proj}: max |w - w_{ref}| = {err:.3g} (SI)")
        lines.append("run time: " + ", ".join(f"{e} {t:.2f} s" for e, t in self.run_s.items()))
        return "\n".join(lines)

    def plot(self, path: str | None = None, group: str | None = None):
        """Rasters of one group on every engine, one above the other."""
        import matplotlib.pyplot as plt

        group = group or next(iter(self.rates_hz[self.engines[0]]))
        fig, axes = plt.subplots(len(self.engines), 1, sharex=True,
                                 figsize=(10, 1.8 * len(self.engines) + 0.6))
        for ax, eng in zip(np.atleast_1d(axes), self.engines):
            s = self._spikes[eng][group]
            ax.scatter(np.asarray(s.times / ms), s.indices, s=2, marker="|")
            agree = self.spike_agreement.get(eng, {}).get(group, 1.0)
            ax.set_ylabel(f"{eng}\n{group}")
            ax.set_title(f"{eng}: agreement {agree:.4f}", fontsize=9, loc="left")
        np.atleast_1d(axes)[-1].set_xlabel("time (ms)")
        fig.tight_layout()
        if path:
            fig.savefig(path, dpi=110)
            plt.close(fig)
        return fig


def compare(spec: NetworkSpec, engines: Sequence[str] = ("numba", "brian2"),
            duration: Quantity = 200 * ms, dt: Quantity = 0.1 * ms, seed: SeedLike = 0,
            n_samples: int = 4, tau: Quantity = 5 * ms,
            engine_options: dict[str, dict[str, Any]] | None = None) -> ComparisonReport:
    """Run ``spec`` on each engine (same seed) and compare each to the first."""
    import time

    if len(engines) < 2:
        raise ParameterError("engines", list(engines), "at least two engine names", "compare")
    if n_samples < 1:
        raise ParameterError("n_samples", n_samples, "an int >= 1", "compare")
    require_quantity(duration, second, "duration", "compare")
    dur = float(to_si(duration))
    groups = [p.target for p in spec.probes if p.variable == "spikes"]
    report = ComparisonReport(list(engines), dur * 1e3)
    weights: dict[str, dict[str, list[np.ndarray]]] = {}
    dt_s = float(to_si(dt))
    chunk = round(dur / dt_s / n_samples)
    for eng in engines:
        sim = get_engine(eng, **(engine_options or {}).get(eng, {})).build(spec, dt=dt,
                                                                          seed=seed)
        weights[eng] = {p.label: [] for p in spec.projections}
        t0 = time.perf_counter()
        done = 0
        total = round(dur / dt_s)
        for k in range(n_samples):
            steps = total - done if k == n_samples - 1 else chunk
            sim.run(steps * dt_s * second)
            done += steps
            for label in weights[eng]:
                weights[eng][label].append(np.asarray(to_si(sim.weights(label)), float))
        report.run_s[eng] = time.perf_counter() - t0
        report._spikes[eng] = {g: sim.spikes(g) for g in groups}
        report.rates_hz[eng] = {g: len(s) / max(s.size, 1) / dur
                                for g, s in report._spikes[eng].items()}
    ref = engines[0]
    for eng in engines[1:]:
        report.spike_agreement[eng] = {g: spike_agreement(report._spikes[ref][g],
                                                          report._spikes[eng][g], dt_s)
                                       for g in groups}
        report.van_rossum[eng] = {g: van_rossum_distance(report._spikes[ref][g],
                                                         report._spikes[eng][g], tau)
                                  for g in groups}
        report.rate_error[eng] = {
            g: (abs(report.rates_hz[eng][g] / report.rates_hz[ref][g] - 1)
                if report.rates_hz[ref][g] > 0 else float(report.rates_hz[eng][g] > 0))
            for g in groups}
        report.weight_error[eng] = {
            label: float(max(np.nanmax(np.abs(a - b)) if np.isfinite(a).any() else 0.0
                             for a, b in zip(traj, weights[eng][label])))
            for label, traj in weights[ref].items()}
    return report

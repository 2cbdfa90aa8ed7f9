"""Spike-train statistics on our output: firing rates, ISI CV and the van Rossum distance.

These are the measures :func:`neurosim.comparison.compare` reports. Elephant (the extra
``analysis``) computes the same quantities on our Neo output (``sim.to_neo()``), and
``tests/interop/test_elephant.py`` shows they agree to 1e-9:

* :func:`firing_rates` is ``elephant.statistics.mean_firing_rate`` per neuron over
  ``[0, duration)``;
* :func:`isi_cv` is ``elephant.statistics.cv(elephant.statistics.isi(train))`` (population
  standard deviation over mean, as ``scipy.stats.variation``);
* :func:`van_rossum_distance` keeps van Rossum's own normalisation (Neural Comput. 13:751,
  2001, eq. 2.2: ``D^2 = (1/tau) * integral (f - g)^2 dt``, so one spike against none is
  ``sqrt(1/2)``). Elephant's ``van_rossum_distance`` omits the 1/2 of that integral
  (``D_elephant^2 = sum k(x,x) + sum k(y,y) - 2 sum k(x,y)``), so it is ours times sqrt(2);
  ``normalisation="elephant"`` gives Elephant's number.

Ours need no optional package, so a comparison gives the same numbers with or without the
extra installed.
"""

from __future__ import annotations

import numpy as np

from neurosim.engines.data import SpikeData
from neurosim.errors import ParameterError
from neurosim.units import Quantity, ms, require_quantity, second, to_si

__all__ = ["firing_rates", "isi_cv", "van_rossum_distance", "van_rossum_per_neuron"]

_NORMALISATIONS = {"van_rossum": 0.5, "elephant": 1.0}


def firing_rates(spikes: SpikeData, duration: Quantity) -> np.ndarray:
    """Spike count over ``duration`` (from t = 0) per neuron, in Hz (plain floats).

    Parameters
    ----------
    spikes
        One population's spikes.
    duration
        The recorded time, > 0.
    """
    require_quantity(duration, second, "duration", "firing_rates")
    dur = float(to_si(duration))
    if not dur > 0:
        raise ParameterError("duration", duration, "a time > 0 s", "firing_rates")
    return spikes.count() / dur


def isi_cv(spikes: SpikeData) -> np.ndarray:
    """Coefficient of variation of the inter-spike intervals per neuron (std / mean, the
    population standard deviation); NaN for a neuron with fewer than two intervals."""
    out = np.full(spikes.size, np.nan)
    for i, train in enumerate(spikes.trains()):
        t = np.sort(np.asarray(to_si(train), dtype=float))
        if t.size >= 3:
            isi = np.diff(t)
            out[i] = isi.std() / isi.mean()
    return out


def _kernel_sum(p: np.ndarray, q: np.ndarray, tau: float) -> float:
    if len(p) == 0 or len(q) == 0:
        return 0.0
    return float(np.exp(-np.abs(p[:, None] - q[None, :]) / tau).sum())


def van_rossum_per_neuron(a: SpikeData, b: SpikeData, tau: Quantity = 5 * ms, *,
                          normalisation: str = "van_rossum") -> np.ndarray:
    """Van Rossum distance between neuron i of ``a`` and neuron i of ``b``, for every i.

    Parameters
    ----------
    a, b
        Spikes of two runs of one population (equal sizes).
    tau
        Time constant of the exponential kernel.
    normalisation
        ``"van_rossum"`` (the paper's, one spike against none = sqrt(1/2)) or
        ``"elephant"`` (sqrt(2) times that, as ``elephant.spike_train_dissimilarity``).
    """
    require_quantity(tau, second, "tau", "van_rossum_distance")
    if normalisation not in _NORMALISATIONS:
        raise ParameterError("normalisation", normalisation, f"one of "
                             f"{sorted(_NORMALISATIONS)}", "van_rossum_distance")
    if a.size != b.size:
        raise ParameterError("b", f"{b.size} neurons", f"as many neurons as a ({a.size})",
                             "van_rossum_distance")
    t = float(to_si(tau))
    if not t > 0:
        raise ParameterError("tau", tau, "a time > 0 s", "van_rossum_distance")
    half = _NORMALISATIONS[normalisation]
    out = np.empty(a.size)
    for i, (x, y) in enumerate(zip(a.trains(), b.trains())):
        x, y = np.asarray(to_si(x), float), np.asarray(to_si(y), float)
        sq = half * (_kernel_sum(x, x, t) + _kernel_sum(y, y, t) - 2 * _kernel_sum(x, y, t))
        out[i] = np.sqrt(max(sq, 0.0))
    return out


def van_rossum_distance(a: SpikeData, b: SpikeData, tau: Quantity = 5 * ms, *,
                        normalisation: str = "van_rossum") -> float:
    """Mean over neurons of :func:`van_rossum_per_neuron` (0 for identical runs)."""
    d = van_rossum_per_neuron(a, b, tau, normalisation=normalisation)
    return float(d.mean()) if d.size else 0.0

"""Current sources, as PyNN has them: DC, step, sinusoidal and noisy currents injected into a
population or a view of one.

Each source is one electrode: one current waveform, injected into every neuron of its
target (as PyNN's ``source.inject_into(cells)``). The waveform is defined here, once, by
:meth:`CurrentSource.waveform`; every engine injects, and records, the values it returns, so
all engines see the same current step by step (the noisy source draws from the counter-based
generator: the same noise on every engine for one seed).

Timing follows pyNN.brian2: the value for step k (time ``k dt``) drives the integration of
that step; a time becomes a step by rounding to the nearest one (``floor(t/dt + 1/2)``). So a
DC source with ``start=10 ms`` leaves the state recorded at 10 ms untouched and moves it by
10.1 ms (PyNN's ``test_ticket226``).

Amplitudes are in nA (PyNN's unit; any current unit is accepted), times in ms, frequencies in
Hz, the AC phase in degrees as in PyNN.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, custom, number, quantity
from neurosim.timegrid import time_step, time_steps
from neurosim.units import Hz, amp, ms, nA, require_quantity, second, to_si

__all__ = [
    "CURRENT_SOURCES",
    "ACSource",
    "CurrentSource",
    "DCSource",
    "NoisyCurrentSource",
    "StepCurrentSource",
    "time_step",
]


def _check_target(source: Any) -> None:
    from neurosim.network.spec import View, _check_label

    owner = type(source).__name__
    _check_label(source.label, owner)
    if not isinstance(source.target, str | View):
        raise ParameterError("target", source.target, "a population label or a View", owner)


class CurrentSource(Params):
    """Base of the current sources: a label (for probes of the source's current) and a
    target (a population label or a :class:`~neurosim.network.View`)."""

    kind: ClassVar[str] = ""
    label: str = custom("")
    target: Any = custom("")

    def check(self) -> None:
        _check_target(self)
        self._check_window()

    def _check_window(self) -> None:
        start, stop = getattr(self, "start", None), getattr(self, "stop", None)
        if stop is not None:
            require_quantity(stop, second, "stop", type(self).__name__)
            if not to_si(stop) > to_si(start):
                raise ParameterError("stop", stop, f"a time after start ({start}), or None "
                                     "for the whole run", type(self).__name__)

    @property
    def target_label(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.label

    def waveform(self, k0: int, k1: int, dt_s: float, key: Any = None) -> np.ndarray:
        """The current (amperes) of steps ``k0 .. k1 - 1``."""
        raise NotImplementedError

    def _active(self, steps: np.ndarray, dt_s: float) -> np.ndarray:
        first = time_step(float(to_si(self.start)), dt_s)  # type: ignore[attr-defined]
        stop = self.stop  # type: ignore[attr-defined]
        last = math.inf if stop is None else time_step(float(to_si(stop)), dt_s)
        return (steps >= first) & (steps < last)

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from neurosim.network.spec import _ref_to_json

        out = {}
        for name in self.field_names():
            value = getattr(self, name)
            if name == "target":
                out[name] = _ref_to_json(value)
            elif name == "label" or not isinstance(value, Quantity):
                out[name] = value
            else:
                arr = np.asarray(to_si(value), dtype=float)
                out[name] = arr.tolist() if arr.ndim else float(arr)
        return {"type": type(self).__name__, "params": out}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurrentSource:
        from neurosim.network.spec import _ref_from_json

        klass = CURRENT_SOURCES[data["type"]]
        kwargs: dict[str, Any] = {}
        for name, value in data["params"].items():
            if name == "target":
                kwargs[name] = _ref_from_json(value)
            elif name in klass._UNITS and value is not None:
                kwargs[name] = np.asarray(value) * klass._UNITS[name] if isinstance(
                    value, list) else value * klass._UNITS[name]
            else:
                kwargs[name] = value
        return klass(**kwargs)

    _UNITS: ClassVar[dict[str, Any]] = {}


_TIME = {"low": 0 * ms}


class DCSource(CurrentSource):
    """A constant current ``amplitude`` from ``start`` until ``stop`` (PyNN ``DCSource``;
    PyNN's defaults: 1 nA from 0 ms for the whole run)."""

    kind: ClassVar[str] = "dc"
    _UNITS: ClassVar[dict[str, Any]] = {"amplitude": amp, "start": second, "stop": second}
    amplitude: Quantity = quantity(1.0 * nA, nA)
    start: Quantity = quantity(0.0 * ms, ms, **_TIME)
    stop: Quantity | None = custom(None)

    def waveform(self, k0: int, k1: int, dt_s: float, key: Any = None) -> np.ndarray:
        steps = np.arange(k0, k1)
        return np.where(self._active(steps, dt_s), float(to_si(self.amplitude)), 0.0)


class ACSource(CurrentSource):
    """``offset + amplitude sin(2 pi frequency (t - start) + 2 pi phase/360)`` from ``start``
    until ``stop`` (PyNN ``ACSource``; phase in degrees; PyNN's defaults)."""

    kind: ClassVar[str] = "ac"
    _UNITS: ClassVar[dict[str, Any]] = {"amplitude": amp, "offset": amp, "frequency": Hz,
                                        "start": second, "stop": second}
    amplitude: Quantity = quantity(1.0 * nA, nA)
    offset: Quantity = quantity(0.0 * nA, nA)
    frequency: Quantity = quantity(10.0 * Hz, Hz, low=0 * Hz)
    phase: float = number(0.0)
    start: Quantity = quantity(0.0 * ms, ms, **_TIME)
    stop: Quantity | None = custom(None)

    def waveform(self, k0: int, k1: int, dt_s: float, key: Any = None) -> np.ndarray:
        steps = np.arange(k0, k1)
        t = steps * dt_s - float(to_si(self.start))
        value = float(to_si(self.offset)) + float(to_si(self.amplitude)) * np.sin(
            t * 2 * np.pi * float(to_si(self.frequency)) + 2 * np.pi * self.phase / 360)
        return np.where(self._active(steps, dt_s), value, 0.0)


class StepCurrentSource(CurrentSource):
    """A current that jumps to ``amplitudes[i]`` at ``times[i]`` and holds it (PyNN
    ``StepCurrentSource``): 0 before the first time. Times must increase; two times in one
    step keep the later amplitude, as pyNN.brian2."""

    kind: ClassVar[str] = "step"
    _UNITS: ClassVar[dict[str, Any]] = {"times": second, "amplitudes": amp}
    times: Quantity = custom(np.zeros(0) * ms)
    amplitudes: Quantity = custom(np.zeros(0) * nA)

    def check(self) -> None:
        _check_target(self)
        owner = "StepCurrentSource"
        require_quantity(self.times, second, "times", owner)
        require_quantity(self.amplitudes, nA, "amplitudes", owner)
        t = np.atleast_1d(np.asarray(to_si(self.times), dtype=float))
        a = np.atleast_1d(np.asarray(to_si(self.amplitudes), dtype=float))
        if t.shape != a.shape or t.ndim != 1:
            raise ParameterError("amplitudes", self.amplitudes,
                                 f"one amplitude per time ({len(t)})", owner)
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(a))):
            raise ParameterError("times", self.times, "finite times and amplitudes", owner)
        if len(t) and (t[0] < 0 or np.any(np.diff(t) <= 0)):
            raise ParameterError("times", self.times, "increasing times >= 0 ms", owner)

    def waveform(self, k0: int, k1: int, dt_s: float, key: Any = None) -> np.ndarray:
        t = np.atleast_1d(np.asarray(to_si(self.times), dtype=float))
        a = np.atleast_1d(np.asarray(to_si(self.amplitudes), dtype=float))
        at = time_steps(t, dt_s)
        steps = np.arange(k0, k1)
        # the last change at or before each step (the later one when two share a step)
        which = np.searchsorted(at, steps, side="right") - 1
        return np.where(which >= 0, a[np.clip(which, 0, None)] if len(a) else 0.0, 0.0)


class NoisyCurrentSource(CurrentSource):
    """Gaussian noise: ``mean + stdev z``, a new ``z`` every ``dt`` (None: every time step),
    from ``start`` until ``stop`` (PyNN ``NoisyCurrentSource``; PyNN's defaults). One
    waveform per source, as PyNN; ``z`` comes from the counter-based generator keyed by the
    source's label under the simulation's seed."""

    kind: ClassVar[str] = "noise"
    _UNITS: ClassVar[dict[str, Any]] = {"mean": amp, "stdev": amp, "start": second,
                                        "stop": second, "dt": second}
    mean: Quantity = quantity(0.0 * nA, nA)
    stdev: Quantity = quantity(1.0 * nA, nA, low=0 * nA)
    start: Quantity = quantity(0.0 * ms, ms, **_TIME)
    stop: Quantity | None = custom(None)
    dt: Quantity | None = custom(None)

    def check(self) -> None:
        super().check()
        if self.dt is not None:
            require_quantity(self.dt, second, "dt", "NoisyCurrentSource")
            if not to_si(self.dt) > 0:
                raise ParameterError("dt", self.dt, "a time > 0 ms, or None for the time step",
                                     "NoisyCurrentSource")

    def steps_per_draw(self, dt_s: float) -> int:
        """Time steps between draws; the source's dt must be a multiple of the step."""
        if self.dt is None:
            return 1
        n = float(to_si(self.dt)) / dt_s
        if abs(n - round(n)) > 1e-6 or round(n) < 1:
            raise ParameterError("dt", self.dt, f"a multiple of the time step ({dt_s * 1e3:g} "
                                 "ms)", f"NoisyCurrentSource {self.label!r}")
        return round(n)

    def waveform(self, k0: int, k1: int, dt_s: float, key: Any = None) -> np.ndarray:
        from neurosim.counter_rng import normal

        steps = np.arange(k0, k1)
        first = time_step(float(to_si(self.start)), dt_s)
        draw = np.maximum(steps - first, 0) // self.steps_per_draw(dt_s)
        z = normal(key, draw, np.zeros_like(draw))
        value = float(to_si(self.mean)) + float(to_si(self.stdev)) * z
        return np.where(self._active(steps, dt_s), value, 0.0)


CURRENT_SOURCES: dict[str, type[CurrentSource]] = {
    c.__name__: c for c in (DCSource, ACSource, StepCurrentSource, NoisyCurrentSource)}

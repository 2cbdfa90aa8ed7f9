"""Engines: in-process simulators that build a NetworkSpec (see ``neurosim list``)."""

from __future__ import annotations

import warnings
from typing import Any

from neurosim.engines.base import Engine, Simulation
from neurosim.engines.data import SpikeData, StateData
from neurosim.errors import UnsupportedFeature

__all__ = ["AUTO_ORDER", "Engine", "EngineFallbackWarning", "Simulation", "SpikeData",
           "StateData", "build", "get_engine"]

#: What ``engine="auto"`` tries, fastest first.
AUTO_ORDER = ("numba", "brian2")


class EngineFallbackWarning(UserWarning):
    """``engine="auto"`` could not use its first choice; the message says why."""


def get_engine(name: str, **options: Any) -> Engine:
    """An engine instance by name ("brian2", "numba", "reference"), with engine options."""
    from neurosim import registry

    return registry.get("engine", name)(**options)


def build(spec, engine: str = "auto", dt=None, seed=None, **options: Any) -> Simulation:
    """Build ``spec`` on ``engine``; "auto" takes the first of :data:`AUTO_ORDER` that
    supports the spec and warns (EngineFallbackWarning) with the reason when it falls back.

    ``options`` go to the engine (e.g. ``integration="spinnaker"``); under "auto", an
    engine that does not take one of them is skipped (never silently ignored).
    """
    import inspect

    from neurosim.units import ms

    dt = 0.1 * ms if dt is None else dt
    if engine != "auto":
        return get_engine(engine, **options).build(spec, dt=dt, seed=seed)
    reasons = []
    for name in AUTO_ORDER:
        from neurosim import registry

        cls = registry.get("engine", name)
        unknown = sorted(set(options) - set(inspect.signature(cls.__init__).parameters))
        if unknown:
            reasons.append(f"{name}: has no option {', '.join(unknown)}")
            continue
        try:
            sim = cls(**options).build(spec, dt=dt, seed=seed)
        except UnsupportedFeature as err:
            reasons.append(f"{name}: {err}")
            continue
        if reasons:
            warnings.warn(f"engine='auto' uses {name!r}: " + "; ".join(reasons),
                          EngineFallbackWarning, stacklevel=2)
        return sim
    raise UnsupportedFeature("this spec (" + "; ".join(reasons) + ")", "auto")

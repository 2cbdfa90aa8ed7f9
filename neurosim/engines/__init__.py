"""Engines: in-process simulators that build a NetworkSpec (see ``neurosim list``)."""

from neurosim.engines.base import Engine, Simulation
from neurosim.engines.data import SpikeData, StateData

__all__ = ["Engine", "Simulation", "SpikeData", "StateData", "get_engine"]


def get_engine(name: str, **options):
    """An engine instance by name ("brian2"), with engine options."""
    from neurosim import registry

    return registry.get("engine", name)(**options)

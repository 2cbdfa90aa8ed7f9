"""Named sweep targets: what ``neurosim sweep <model>`` runs at each grid point.

A target pairs a picklable point function ``fn(params, rng) -> dict`` (defined at module level
in a model module, so worker processes import it by name) with the parameter names it accepts
and the metrics it returns. The registry stores dotted paths only; nothing is imported until
a target is asked for, so the core does not import the models.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neurosim.errors import ParameterError

__all__ = ["SweepTarget", "get_target", "target_names"]


@dataclass(frozen=True)
class SweepTarget:
    """A sweepable point function and what it accepts.

    Attributes
    ----------
    name : str
        The CLI name (``neurosim sweep NAME``).
    function : str
        ``"package.module:function"`` of ``fn(params, rng) -> dict``.
    parameters : tuple of str
        Axis names the function accepts.
    metrics : tuple of str
        Scalars it returns (the first is the default order parameter).
    summary : str
        One line for ``neurosim list``.
    """

    name: str
    function: str
    parameters: tuple[str, ...]
    metrics: tuple[str, ...]
    summary: str

    def load(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        module, _, attr = self.function.partition(":")
        return getattr(importlib.import_module(module), attr)


_HEBBIAN_DENSE = ("n_neurons", "n_archetypes", "p_body", "n_examples", "quality", "protocol",
                  "load", "beta", "flip_fraction", "max_sweeps", "start")
_MULTITASK = ("n_neurons", "n_archetypes", "dilution", "n_examples", "quality", "protocol",
              "beta", "flip_fraction", "max_sweeps")

_TARGETS = {t.name: t for t in (
    SweepTarget("hopfield", "neurosim.models.hopfield:hopfield_point",
                ("alpha", "n_neurons", "beta", "flip_fraction", "max_sweeps"),
                ("m", "m_max_other", "sweeps"),
                "Hopfield retrieval from pattern 1 at load alpha (AGS capacity curve)"),
    SweepTarget("dense-hebbian", "neurosim.models.dense_hebbian:dense_point",
                _HEBBIAN_DENSE, ("m", "m_example_max", "sweeps"),
                "Dense P-body network: retrieval of archetype 1 (pure, supervised, unsupervised)"),
    SweepTarget("multitask-hebbian", "neurosim.models.multitask_hebbian:multitask_point",
                _MULTITASK, ("m_1", "m_2", "m_3", "sweeps"),
                "Multitasking network: cascade amplitudes m_k against dilution d"),
)}


def target_names() -> list[str]:
    """Names of the registered sweep targets."""
    return sorted(_TARGETS)


def get_target(name: str) -> SweepTarget:
    """The target called ``name``; a clear error lists the known ones."""
    try:
        return _TARGETS[name]
    except KeyError:
        raise ParameterError("model", name, f"one of {target_names()}", "neurosim sweep") from None

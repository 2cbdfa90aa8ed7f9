"""Model families, one module per paper (imported as ``neurosim.models``).

Names are imported on first use, so ``from neurosim.models import HopfieldNetwork`` does not
pull in Brian2 (which the spiking CA3 model needs) and vice versa.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "neurosim.models.ca3": ("CA3Memory", "CA3Params", "Learn", "RecallByContent",
                            "RecallByCue", "random_protocol", "reference_results"),
    "neurosim.models.hopfield": ("HopfieldNetwork", "HopfieldParams"),
    "neurosim.models.dense_hebbian": ("DenseHebbianNetwork", "DenseHebbianParams"),
    "neurosim.models.multitask_hebbian": ("MultitaskHebbianNetwork", "MultitaskHebbianParams"),
    "neurosim.models.elm": ("ELMNeuron", "ELMParams", "ELMTraining"),
    "neurosim.models.elm_tasks": ("digits_adding", "neuronio_lite", "neuronio_scores",
                                  "sequential_digits"),
    "neurosim.models.sparsey": ("SparseyClassifier", "SparseyCoder", "SparseyHierarchy",
                                "SparseyLevel", "SparseyParams"),
    "neurosim.models.hlop": ("HLOPNetwork", "HLOPParams", "permuted_digits", "permuted_mnist",
                             "run_continual"),
    "neurosim.models.lsm": ("LSMParams", "LiquidStateMachine", "ZeroShotLSM", "ZeroShotParams"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'neurosim.models' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""Model families, one module per paper (imported as ``neurosim.models``)."""

from neurosim.models.ca3 import (
    CA3Memory,
    CA3Params,
    Learn,
    RecallByContent,
    RecallByCue,
    random_protocol,
    reference_results,
)

__all__ = [
    "CA3Memory",
    "CA3Params",
    "Learn",
    "RecallByContent",
    "RecallByCue",
    "random_protocol",
    "reference_results",
]

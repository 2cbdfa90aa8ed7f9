"""Theory curves by name, for phase-diagram overlays (``neurosim plot --theory NAME``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neurosim.errors import ParameterError
from neurosim.theory.hopfield import ags_overlap_curve
from neurosim.theory.multitask import cascade_amplitudes

__all__ = ["TheoryCurve", "theory_curve", "theory_names"]


@dataclass(frozen=True)
class TheoryCurve:
    """A named curve ``y = f(x)`` over one sweep axis."""

    name: str
    x: str
    label: str
    function: Callable[[np.ndarray], np.ndarray]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.function(np.asarray(x, dtype=float))


def _cascade(k: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda d: np.array([cascade_amplitudes(k + 1, float(v))[k] for v in d])


_CURVES = {c.name: c for c in (
    TheoryCurve("ags", "alpha", "AGS replica-symmetric m(alpha), T = 0", ags_overlap_curve),
    TheoryCurve("cascade-1", "dilution", "m_1 = 1 - d", _cascade(0)),
    TheoryCurve("cascade-2", "dilution", "m_2 = (1 - d) d", _cascade(1)),
    TheoryCurve("cascade-3", "dilution", "m_3 = (1 - d) d^2", _cascade(2)),
)}


def theory_names() -> list[str]:
    return sorted(_CURVES)


def theory_curve(name: str) -> TheoryCurve:
    """The curve called ``name`` (``ags``, ``cascade-1``, ...)."""
    try:
        return _CURVES[name]
    except KeyError:
        raise ParameterError("theory", name, f"one of {theory_names()}") from None

"""Low-load, T = 0 theory of the multitasking (diluted-pattern) Hebbian network.

Agliari, Barra, Galluzzi, Guerra & Moauro, "Multitasking associative networks",
Phys. Rev. Lett. 109:268101 (2012); Agliari, Alessandrelli, Barra & Ricci-Tersenghi,
"Parallel learning by multitasking neural networks", arXiv 2308.04106 (2023).

Patterns have blanks with probability d. The hierarchical ("cascade") state aligns each spin
with the first pattern that is not blank there, so the k-th Mattis overlap is
``m_k = (1 - d) d^(k-1)``. A spin aligned with pattern k stays put while its field
``m_k`` beats the sum of the lower amplitudes, which for the first pattern (the tightest) reads
``sum_{j=1}^{K-1} d^j < 1``; the threshold d_c solves it with equality
(0.618 for K = 3, 0.544 for K = 4, -> 0.5 as K grows).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from neurosim.errors import ParameterError

__all__ = ["cascade_amplitudes", "cascade_stable", "critical_dilution"]


def _check_k(k: int, owner: str) -> int:
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ParameterError("n_archetypes", k, "a positive integer", owner)
    return int(k)


def _check_d(d: float, owner: str) -> float:
    if not (0.0 <= float(d) < 1.0):
        raise ParameterError("dilution", d, "a number in [0, 1)", owner)
    return float(d)


def cascade_amplitudes(n_archetypes: int, dilution: float) -> np.ndarray:
    """``m_k = (1 - d) d^(k-1)`` for k = 1..K."""
    k = _check_k(n_archetypes, "cascade_amplitudes")
    d = _check_d(dilution, "cascade_amplitudes")
    return (1.0 - d) * d ** np.arange(k)


def cascade_stable(n_archetypes: int, dilution: float) -> bool:
    """Whether the hierarchical state is a T = 0 fixed point: ``sum_{j=1}^{K-1} d^j < 1``."""
    k = _check_k(n_archetypes, "cascade_stable")
    d = _check_d(dilution, "cascade_stable")
    return float(np.sum(d ** np.arange(1, k))) < 1.0


def critical_dilution(n_archetypes: int) -> float:
    """The dilution d_c at which ``sum_{j=1}^{K-1} d^j = 1`` (inf-free: K >= 2)."""
    k = _check_k(n_archetypes, "critical_dilution")
    if k < 2:
        raise ParameterError("n_archetypes", k, "at least 2 (one pattern has no cascade)",
                             "critical_dilution")
    return float(brentq(lambda d: np.sum(d ** np.arange(1, k)) - 1.0, 1e-12, 1.0 - 1e-15,
                        xtol=1e-15))

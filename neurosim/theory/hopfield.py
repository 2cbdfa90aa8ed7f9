"""Replica-symmetric theory of the Hopfield network at zero temperature (Amit, Gutfreund and
Sompolinsky).

At T = 0 the replica-symmetric saddle point of the Hopfield network storing ``K = alpha N``
unbiased patterns reads (Amit, Gutfreund & Sompolinsky, Phys. Rev. Lett. 55:1530 (1985);
Ann. Phys. 173:30 (1987), Eqs. 4.13-4.15)::

    m = erf(y),   C = sqrt(2 / (pi alpha r)) exp(-y**2),   r = (1 - C)**-2,
    y = m / sqrt(2 alpha r).

Eliminating ``C`` and ``r`` leaves one equation in ``y``::

    sqrt(2 alpha) y = erf(y) - (2 / sqrt(pi)) y exp(-y**2)          (*)

so ``sqrt(alpha) = g(y)`` with ``g(y) = [erf(y) - 2 y exp(-y^2)/sqrt(pi)] / (sqrt(2) y)``.
``g`` rises from 0, peaks and decays like ``1/(sqrt(2) y)``; the retrieval state is the root on
the decaying branch, and it exists while ``alpha <= alpha_c = max g**2`` (0.1379, with
``m(alpha_c) = 0.967``). Both are found with :mod:`scipy.optimize`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

from neurosim.errors import ParameterError

__all__ = ["AGSCritical", "ags_critical", "ags_overlap", "ags_overlap_curve"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _g(y: float) -> float:
    """Right-hand side of (*) divided by sqrt(2) y: sqrt(alpha) as a function of y."""
    return (erf(y) - _TWO_OVER_SQRT_PI * y * math.exp(-y * y)) / (math.sqrt(2.0) * y)


@dataclass(frozen=True)
class AGSCritical:
    """The retrieval spinodal: the largest load with a retrieval solution.

    Attributes
    ----------
    alpha_c : float
        Critical load K/N (0.1379 in AGS 1987).
    m_c : float
        Mattis overlap at alpha_c (0.967).
    y_c : float
        The scaled field y at the spinodal.
    """

    alpha_c: float
    m_c: float
    y_c: float


@functools.lru_cache(maxsize=1)
def ags_critical() -> AGSCritical:
    """Critical load and overlap of the T = 0 replica-symmetric Hopfield network.

    The spinodal is the maximum of ``g(y)`` (a bounded scalar maximisation), so
    ``alpha_c = g(y_c)**2`` and ``m_c = erf(y_c)``.
    """
    opt = minimize_scalar(lambda y: -_g(y), bounds=(0.1, 5.0), method="bounded",
                          options={"xatol": 1e-12})
    y_c = float(opt.x)
    return AGSCritical(alpha_c=float(_g(y_c) ** 2), m_c=float(erf(y_c)), y_c=y_c)


def ags_overlap(alpha: float) -> float:
    """Retrieval overlap m(alpha) at T = 0 (replica symmetric); 0 above alpha_c.

    Parameters
    ----------
    alpha
        Load K/N, > 0.

    Returns
    -------
    float
        The Mattis overlap of the retrieval state, or 0.0 where it does not exist
        (alpha > alpha_c: only the spin-glass solution remains).
    """
    if not (isinstance(alpha, int | float | np.floating | np.integer) and alpha > 0):
        raise ParameterError("alpha", alpha, "a load K/N > 0", "ags_overlap")
    crit = ags_critical()
    alpha = float(alpha)
    if alpha > crit.alpha_c:
        return 0.0
    if alpha == crit.alpha_c:
        return crit.m_c
    target = math.sqrt(alpha)
    # On the decaying branch g(y) < 1/(sqrt(2) y), so g(y_hi) <= sqrt(alpha)/2 at
    # y_hi = 2/sqrt(2 alpha): the root is bracketed with room to spare.
    y_hi = max(2.0 * crit.y_c, 2.0 / math.sqrt(2.0 * alpha))
    y = brentq(lambda v: _g(v) - target, crit.y_c, y_hi, xtol=1e-14, rtol=1e-14)
    return float(erf(y))


def ags_overlap_curve(alphas: np.ndarray) -> np.ndarray:
    """:func:`ags_overlap` over an array of loads (for phase-diagram overlays)."""
    return np.array([ags_overlap(float(a)) for a in np.asarray(alphas, dtype=float)])

"""Exact low-load results for dense (P-body) Hebbian networks trained on noisy examples.

Setting (Agliari, Albanese, Alemanno, Alessandrelli, Barra, Giannotti, Lotito & Pedreschi,
"Dense Hebbian neural networks: a replica symmetric picture of supervised learning",
Physica A 626:129076 (2023)): examples ``eta^{mu,a} = chi^{mu,a} xi^mu`` with
``P(chi_i = +1) = (1 + r)/2`` (quality r, quantity M). In the supervised network the examples
of a class enter through their mean ``xi_hat^mu = (1/M) sum_a eta^{mu,a}``; at low load and
T = 0, started at the archetype, the dynamics settles on ``sigma_i = sign(xi_hat^mu_i)`` for
any P, so the Mattis overlap with the archetype is ``E[sign(sum_a chi_a)]``, a binomial sum.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom

from neurosim.errors import ParameterError

__all__ = ["dataset_entropy", "supervised_normalisation", "supervised_overlap"]


def _check_quality(r: float, owner: str) -> float:
    if not (0.0 < float(r) <= 1.0):
        raise ParameterError("quality", r, "a number in (0, 1]", owner)
    return float(r)


def _check_examples(m: int, owner: str) -> int:
    if isinstance(m, bool) or int(m) != m or m < 1:
        raise ParameterError("n_examples", m, "a positive integer", owner)
    return int(m)


def supervised_overlap(n_examples: int, quality: float) -> float:
    """``E[sign(sum_{a=1}^M chi_a)]`` with ``P(chi = +1) = (1 + r)/2``.

    With ``k`` the number of +1 among M, the sum is ``2k - M``; ties (even M) count 0,
    as ``sign(0) = 0``.

    Parameters
    ----------
    n_examples
        M, examples per class.
    quality
        r in (0, 1].
    """
    m = _check_examples(n_examples, "supervised_overlap")
    r = _check_quality(quality, "supervised_overlap")
    k = np.arange(m + 1)
    pmf = binom.pmf(k, m, (1.0 + r) / 2.0)
    return float(np.sum(pmf * np.sign(2 * k - m)))


def dataset_entropy(n_examples: int, quality: float) -> float:
    """``rho = (1 - r**2) / (M r**2)``: how noisy the class means are (Agliari et al. 2023)."""
    m = _check_examples(n_examples, "dataset_entropy")
    r = _check_quality(quality, "dataset_entropy")
    return (1.0 - r * r) / (m * r * r)


def supervised_normalisation(n_examples: int, quality: float) -> float:
    """``R = r**2 (1 + rho) = E[xi_hat_i**2]``, the scale of the class-mean example."""
    r = _check_quality(quality, "supervised_normalisation")
    return r * r * (1.0 + dataset_entropy(n_examples, r))

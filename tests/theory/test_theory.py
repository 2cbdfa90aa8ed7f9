"""Theory solvers against the published numbers and closed forms."""

import math

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.theory import (
    ags_critical,
    ags_overlap,
    ags_overlap_curve,
    cascade_amplitudes,
    cascade_stable,
    critical_dilution,
    dataset_entropy,
    supervised_normalisation,
    supervised_overlap,
)


def test_ags_critical_point_matches_amit_gutfreund_sompolinsky():
    # AGS 1987: alpha_c = 0.138 (0.1379), m(alpha_c) = 0.967; tolerance from the issue.
    crit = ags_critical()
    assert abs(crit.alpha_c - 0.1379) < 1e-3
    assert abs(crit.m_c - 0.967) < 1e-3


def test_ags_overlap_values_and_branches():
    assert abs(ags_overlap(0.10) - 0.998) < 1e-3
    assert ags_overlap(0.20) == 0.0
    # the solution satisfies the saddle-point equations m = erf(y), y = m / sqrt(2 alpha r)
    from scipy.special import erf
    alpha = 0.05
    m = ags_overlap(alpha)
    # residual of sqrt(2 alpha) y = erf(y) - 2 y exp(-y^2)/sqrt(pi) at y = erfinv(m)
    from scipy.special import erfinv
    yy = float(erfinv(m))
    resid = math.sqrt(2 * alpha) * yy - (erf(yy) - 2 * yy * math.exp(-yy * yy) / math.sqrt(math.pi))
    assert abs(resid) < 1e-10
    curve = ags_overlap_curve(np.array([0.02, 0.08, 0.13, 0.15]))
    assert np.all(np.diff(curve[:3]) < 0) and curve[3] == 0.0


def test_supervised_overlap_closed_forms():
    for r in (0.1, 0.3, 0.7):
        assert supervised_overlap(1, r) == pytest.approx(r, abs=1e-14)
        # M = 3: P(k >= 2) - P(k <= 1) = (3 r - r^3) / 2
        assert supervised_overlap(3, r) == pytest.approx((3 * r - r**3) / 2, abs=1e-14)
    # even M: ties count zero, so M = 2 gives r as well
    assert supervised_overlap(2, 0.4) == pytest.approx(0.4, abs=1e-14)


def test_supervised_overlap_against_sampling():
    rng = np.random.default_rng(3)
    chi = np.where(rng.random((200_000, 11)) < 0.65, 1, -1)
    mc = np.mean(np.sign(chi.sum(axis=1)))
    # 200000 samples of a +-1 variable: sigma <= 1/sqrt(2e5) = 0.0022; 4 sigma
    assert abs(mc - supervised_overlap(11, 0.3)) < 0.009


def test_dataset_entropy_and_normalisation():
    assert dataset_entropy(25, 0.2) == pytest.approx(0.96 / (25 * 0.04))
    assert supervised_normalisation(25, 0.2) == pytest.approx(0.04 * (1 + 0.96))
    # R is E[xi_hat^2] for xi_hat = mean of M examples
    rng = np.random.default_rng(0)
    chi = np.where(rng.random((100_000, 25)) < 0.6, 1, -1)
    assert np.mean(chi.mean(axis=1) ** 2) == pytest.approx(supervised_normalisation(25, 0.2),
                                                           rel=0.02)


def test_multitask_hierarchy_and_thresholds():
    np.testing.assert_allclose(cascade_amplitudes(3, 0.3), [0.7, 0.21, 0.063], rtol=1e-14)
    assert critical_dilution(3) == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-12)
    assert critical_dilution(4) == pytest.approx(0.5437, abs=1e-4)   # models.md: 0.544
    assert critical_dilution(30) == pytest.approx(0.5, abs=1e-6)
    assert cascade_stable(3, 0.6) and not cascade_stable(3, 0.62)


@pytest.mark.parametrize(("call", "param"), [
    (lambda: ags_overlap(-0.1), "alpha"),
    (lambda: supervised_overlap(0, 0.3), "n_examples"),
    (lambda: supervised_overlap(5, 1.5), "quality"),
    (lambda: cascade_amplitudes(3, 1.0), "dilution"),
    (lambda: critical_dilution(1), "n_archetypes"),
])
def test_bad_arguments_name_the_parameter(call, param):
    with pytest.raises(ParameterError, match=f"'{param}'"):
        call()

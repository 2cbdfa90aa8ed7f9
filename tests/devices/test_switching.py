"""Stochastic switching: analytic CDFs, monotonicity, Monte Carlo agreement, cumulative pulses,
random weight generation, reproducibility and errors."""

import numpy as np
import pytest
from scipy import stats

from neurosim.devices import (
    FormingArray,
    NormalSwitching,
    WeibullSwitching,
    esgnn_wang2023,
    form_random_weights,
)
from neurosim.errors import ParameterError
from neurosim.units import second, siemens, uS, volt

SEED = 777
NS = 1e-9 * second

WEIBULL = WeibullSwitching(V_63=3.5 * volt, k=25.0, t_ref=100 * NS, n_accel=40.0)
NORMAL = NormalSwitching(V_mean=3.433 * volt, V_sigma=0.114 * volt, t_ref=100 * NS,
                         n_accel=40.0)
MODELS = [WEIBULL, NORMAL]


def _si(q, unit=siemens):
    return np.asarray(q / unit, dtype=float)


def _reference_cdf(model, v, w):
    v_eff = v * (w / 100e-9) ** (1 / 40.0)
    if isinstance(model, WeibullSwitching):
        return stats.weibull_min.cdf(v_eff, 25.0, scale=3.5)
    return stats.norm.cdf(v_eff, loc=3.433, scale=0.114)


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_switch_probability_matches_the_analytic_cdf(model):
    v = np.linspace(0.0, 5.0, 101)[:, None]
    w = np.array([1e-9, 1e-8, 1e-7, 1e-6, 1e-3])[None, :]
    p = model.switch_probability(v * volt, w * second)
    assert p.shape == (101, 5)
    np.testing.assert_allclose(p, _reference_cdf(model, v, w), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_switch_probability_is_monotone_in_voltage_and_width(model):
    v = np.linspace(2.5, 4.5, 81)
    w = np.logspace(-9, -4, 41)
    p = model.switch_probability(v[:, None] * volt, w[None, :] * second)
    assert (np.diff(p, axis=0) >= 0).all() and (np.diff(p, axis=1) >= 0).all()
    assert (np.diff(p, axis=0) > 0).any() and (np.diff(p, axis=1) > 0).any()
    assert p.min() >= 0 and p.max() <= 1
    assert model.switch_probability(0 * volt, 1 * second) == 0.0


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_forming_voltage_inverts_the_cdf(model):
    p = np.array([0.01, 0.2, 0.5, 0.8, 0.99])
    for w in (10 * NS, 100 * NS, 5000 * NS):
        v = model.forming_voltage(p, w)
        np.testing.assert_allclose(model.switch_probability(v, w), p, rtol=1e-10)
    # a longer pulse needs a lower voltage
    assert model.forming_voltage(0.5, 1000 * NS) < model.forming_voltage(0.5, 10 * NS)


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_breakdown_voltages_follow_the_stated_law(model):
    arr = FormingArray(model, 5000, SEED)
    vbd = _si(arr.breakdown_voltage, volt)
    if isinstance(model, WeibullSwitching):
        res = stats.kstest(vbd, "weibull_min", args=(25.0, 0, 3.5))
    else:
        res = stats.kstest(vbd, "norm", args=(3.433, 0.114))
    assert res.pvalue > 0.01


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_pulsed_arrays_switch_at_the_analytic_rate(model):
    n = 20_000
    for k, (v, w) in enumerate([(3.3, 100e-9), (3.45, 100e-9), (3.3, 3e-6), (3.6, 5e-9)]):
        arr = FormingArray(model, n, SEED + k)
        new = arr.apply_pulses(v * volt, w * second)
        p = float(model.switch_probability(v * volt, w * second))
        assert abs(new.mean() - p) <= 4 * np.sqrt(p * (1 - p) / n) + 1e-12
        np.testing.assert_array_equal(new, arr.formed)


@pytest.mark.parametrize("model", MODELS, ids=["weibull", "normal"])
def test_damage_accumulates_over_pulses(model):
    a = FormingArray(model, 5000, SEED)
    b = FormingArray(model, 5000, SEED)
    c = FormingArray(model, 5000, SEED)
    a.apply_pulses(3.3 * volt, 400 * NS)
    b.apply_pulses(3.3 * volt, 100 * NS, n_pulses=4)
    for _ in range(4):
        c.apply_pulses(3.3 * volt, 100 * NS)
    np.testing.assert_array_equal(a.formed, b.formed)
    np.testing.assert_array_equal(a.formed, c.formed)
    # more pulses never unform a cell, and form at least as many
    before = c.formed
    c.apply_pulses(3.3 * volt, 100 * NS)
    assert (c.formed >= before).all() and c.formed.sum() >= before.sum()


def test_pulses_reach_only_the_masked_cells_and_set_conductances():
    model = esgnn_wang2023()
    arr = FormingArray(model, (40, 50), SEED)
    mask = np.zeros((40, 50), dtype=bool)
    mask[:20] = True
    arr.apply_pulses(5.0 * volt, 1e-6 * second, mask=mask)  # far above V_bd: all form
    assert arr.formed[:20].all() and not arr.formed[20:].any()
    g = _si(arr.conductance)
    np.testing.assert_array_equal(g[20:], _si(model.G_pristine))
    assert (g[:20] > 1e-6).all()


def test_random_weights_have_the_requested_density_and_formed_conductances():
    model = esgnn_wang2023()
    n = (100, 200)
    g = _si(form_random_weights(model, n, width=100 * NS, rng=SEED, density=0.493))
    formed = g != _si(model.G_pristine)
    assert abs(formed.mean() - 0.493) <= 4 * np.sqrt(0.493 * 0.507 / formed.size)
    res = stats.kstest(g[formed], "lognorm",
                       args=(model.sigma_ln_formed, 0, _si(model.G_formed)))
    assert res.pvalue > 0.01
    q = _si(model.formed_conductance_quantiles(np.array([0.5])))
    assert q[0] == pytest.approx(12.2e-6)


def test_differential_weights_are_signed_and_reproducible():
    model = esgnn_wang2023()
    kw = {"width": 100 * NS, "V": 3.43 * volt, "differential": True}
    w1 = _si(form_random_weights(model, (30, 30), rng=5, **kw))
    w2 = _si(form_random_weights(model, (30, 30), rng=5, **kw))
    np.testing.assert_array_equal(w1, w2)
    assert (w1 > 0).any() and (w1 < 0).any() and (w1 == 0).any()
    assert not np.array_equal(w1, _si(form_random_weights(model, (30, 30), rng=6, **kw)))


def test_same_seed_same_array():
    def run(seed):
        arr = FormingArray(WEIBULL, 1000, seed)
        arr.apply_pulses(3.4 * volt, 100 * NS)
        arr.apply_pulses(3.2 * volt, 300 * NS, n_pulses=2)
        return arr.formed, _si(arr.conductance)

    (f1, g1), (f2, g2), (f3, _) = run(9), run(9), run(10)
    np.testing.assert_array_equal(f1, f2)
    np.testing.assert_array_equal(g1, g2)
    assert not np.array_equal(f1, f3)
    gen_a, gen_b = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(
        _si(form_random_weights(NORMAL, 50, width=100 * NS, rng=gen_a, density=0.3)),
        _si(form_random_weights(NORMAL, 50, width=100 * NS, rng=gen_b, density=0.3)))


@pytest.mark.parametrize("make, param", [
    (lambda: NormalSwitching(V_sigma=-0.1 * volt), "V_sigma"),
    (lambda: NormalSwitching(V_mean=0 * volt), "V_mean"),
    (lambda: WeibullSwitching(k=0.0), "k"),
    (lambda: WeibullSwitching(V_63=3.5), "V_63"),
    (lambda: WeibullSwitching(n_accel=-1.0), "n_accel"),
    (lambda: WeibullSwitching(t_ref=0 * second), "t_ref"),
    (lambda: NormalSwitching(sigma_ln_formed=-0.1), "sigma_ln_formed"),
    (lambda: NormalSwitching(G_formed=0 * uS), "G_formed"),
    (lambda: WEIBULL.switch_probability(-1 * volt, NS), "V"),
    (lambda: WEIBULL.switch_probability(3 * volt, 0 * second), "width"),
    (lambda: WEIBULL.switch_probability(3.0, NS), "V"),
    (lambda: WEIBULL.forming_voltage(1.0, NS), "p"),
    (lambda: FormingArray(WEIBULL, 3, 0).apply_pulses(3 * volt, NS, n_pulses=-1),
     "n_pulses"),
    (lambda: FormingArray(WEIBULL, 3, 0).apply_pulses(np.ones(4) * volt, NS), "V"),
    (lambda: FormingArray(uS, 3, 0), "switching"),
    (lambda: form_random_weights(WEIBULL, 3, width=NS, rng=0), "V"),
    (lambda: form_random_weights(WEIBULL, 3, width=NS, rng=0, V=3 * volt, density=0.5),
     "V"),
])
def test_bad_parameters_raise_naming_the_parameter(make, param):
    with pytest.raises(ParameterError) as err:
        make()
    assert err.value.param == param

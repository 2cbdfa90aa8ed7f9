"""ResistiveDevice and DeviceArray: levels, noise statistics, drift, faults, endurance, errors."""

import numpy as np
import pytest
from scipy import stats

from neurosim.devices import DeviceArray, ResistiveDevice, neurram_wan2022, pcm_joshi2020
from neurosim.devices import _kernels as K
from neurosim.errors import ParameterError
from neurosim.units import ms, mV, second, siemens, uS

SEED = 20240611


def _si(q):
    return np.asarray(q / siemens, dtype=float)


# -- programming statistics ----------------------------------------------------------------
@pytest.mark.parametrize("make, level", [(neurram_wan2022, 8), (pcm_joshi2020, 150)])
def test_programmed_conductance_matches_the_preset_distribution(make, level):
    dev = make()
    target = dev.levels()[level]
    g = _si(dev.program(np.full(4000, float(target / uS)) * uS, SEED))
    mean, std = dev.programmed_stats(target)
    assert float(std / uS) == pytest.approx(float(dev.sigma_prog / uS))
    res = stats.kstest(g, "norm", args=(float(mean / siemens), float(std / siemens)))
    assert res.pvalue > 0.01


def test_device_to_device_variation_adds_in_quadrature():
    dev = neurram_wan2022().replace(sigma_d2d=0.1)
    target = 30.0 * uS
    mean, std = dev.programmed_stats(target)
    q = float(dev.quantize(target) / siemens)
    assert float(std / siemens) == pytest.approx(np.hypot(1.73e-6, 0.1 * q))
    g = _si(dev.program(np.full(4000, 30.0) * uS, SEED))
    assert stats.kstest(g, "norm", args=(float(mean / siemens),
                                         float(std / siemens))).pvalue > 0.01


def test_d2d_gain_persists_across_reprogramming_and_c2c_noise_does_not():
    dev = ResistiveDevice(sigma_d2d=0.2, sigma_prog=0.0 * uS)
    arr = DeviceArray(dev, 500, SEED)
    a = _si(arr.program(np.full(500, 20.0) * uS, 1))
    b = _si(arr.program(np.full(500, 20.0) * uS, 2))
    np.testing.assert_array_equal(a, b)  # only the fixed per-cell gain: same both times
    noisy = DeviceArray(dev.replace(sigma_d2d=0.0, sigma_prog=1.0 * uS), 500, SEED)
    assert not np.array_equal(_si(noisy.program(np.full(500, 20.0) * uS, 1)),
                              _si(noisy.program(np.full(500, 20.0) * uS, 2)))


def test_read_noise_is_relative():
    dev = ResistiveDevice(sigma_read=0.05)
    g0 = np.full(4000, 24.0) * uS
    r = _si(dev.read(g0, 0.5 * second, SEED))
    assert stats.kstest(r, "norm", args=(24e-6, 0.05 * 24e-6)).pvalue > 0.01


# -- quantisation ----------------------------------------------------------------------------
def test_quantisation_is_exact_with_noise_off():
    dev = ResistiveDevice(G_min=2.0 * uS, G_max=37.0 * uS, n_levels=9)
    lv = _si(dev.levels())
    assert lv[0] == _si(dev.G_min) and lv[-1] == _si(dev.G_max)
    rng = np.random.default_rng(SEED)
    targets = rng.uniform(-5e-6, 45e-6, 5000)  # also outside the window: clipped
    g = _si(dev.program(targets * siemens, SEED))
    nearest = lv[np.argmin(np.abs(np.clip(targets, 2e-6, 37e-6)[:, None] - lv[None, :]),
                           axis=1)]
    np.testing.assert_array_equal(g, nearest)
    assert np.isin(g, lv).all()
    # a target exactly on a level is programmed to that level, bit for bit
    np.testing.assert_array_equal(_si(dev.program(dev.levels(), 0)), lv)


def test_two_levels_is_binary():
    dev = ResistiveDevice(G_min=1.0 * uS, G_max=10.0 * uS, n_levels=2)
    g = _si(dev.program(np.array([0.0, 5.4, 5.6, 50.0]) * uS, 0))
    lo, hi = _si(dev.G_min), _si(dev.G_max)
    np.testing.assert_array_equal(g, [lo, lo, hi, hi])


# -- drift -------------------------------------------------------------------------------------
def test_drift_follows_the_power_law_with_noise_off():
    nu, t0 = 0.06, 20.0
    dev = ResistiveDevice(nu=nu, t0=t0 * second)
    arr = DeviceArray(dev, 5, SEED)
    arr.program(np.array([3.0, 8.0, 15.0, 27.0, 40.0]) * uS, SEED, t=5.0 * second)
    g0 = _si(arr.conductance)
    for tau in (20.0, 21.0, 200.0, 3.6e3, 8.64e4, 3.15e7):
        got = _si(arr.read((5.0 + tau) * second, SEED))
        want = g0 * (tau / t0) ** (-nu)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    # before t0 the conductance is the programmed one
    np.testing.assert_array_equal(_si(arr.read((5.0 + 3.0) * second, 0)), g0)


def test_one_shot_read_drifts_like_the_array():
    dev = ResistiveDevice(nu=0.1, t0=1.0 * second)
    g0 = np.array([5.0, 10.0, 20.0]) * uS
    tau = np.array([1.0, 1e3, 1e6])
    got = _si(dev.read(g0, tau * second, SEED))
    np.testing.assert_allclose(got, _si(g0) * tau ** -0.1, rtol=1e-9, atol=0)


def test_drift_exponent_spread_is_per_cell():
    dev = ResistiveDevice(nu=0.05, sigma_nu=0.01, t0=20.0 * second)
    arr = DeviceArray(dev, 2000, SEED)
    arr.program(np.full(2000, 20.0) * uS, SEED)
    nu_i = arr.nu
    assert stats.kstest(nu_i, "norm", args=(0.05, 0.01)).pvalue > 0.01
    g0 = _si(arr.conductance)
    got = _si(arr.read(2e4 * second, SEED))
    np.testing.assert_allclose(got, g0 * (1e3) ** (-nu_i), rtol=1e-9, atol=0)


def test_drift_kernel_is_the_formula():
    g0 = np.array([1e-6, 2e-5])
    np.testing.assert_allclose(K.drift(g0, np.array([40.0, 400.0]), 20.0, np.array([0.1, 0.2])),
                               g0 * np.array([2.0**-0.1, 20.0**-0.2]), rtol=1e-12)


# -- faults and wear -------------------------------------------------------------------------
def test_stuck_at_fractions_within_three_sigma():
    p_on, p_off, n = 0.03, 0.05, 100_000
    dev = ResistiveDevice(p_stuck_on=p_on, p_stuck_off=p_off)
    g = _si(dev.program(np.full(n, 20.0) * uS, SEED))
    for p, value in ((p_on, _si(dev.G_max)), (p_off, _si(dev.G_min))):
        frac = np.mean(g == value)
        assert abs(frac - p) <= 3 * np.sqrt(p * (1 - p) / n)
    arr = DeviceArray(dev, n, SEED)
    assert not (arr.stuck_on & arr.stuck_off).any()
    assert abs(arr.stuck_on.mean() - p_on) <= 3 * np.sqrt(p_on * (1 - p_on) / n)


def test_stuck_cells_ignore_targets_and_do_not_drift():
    dev = ResistiveDevice(p_stuck_on=0.2, p_stuck_off=0.2, nu=0.1, t0=1.0 * second)
    arr = DeviceArray(dev, 1000, SEED)
    arr.program(np.full(1000, 20.0) * uS, SEED)
    late = _si(arr.read(1e6 * second, 0))
    np.testing.assert_array_equal(late[arr.stuck_on], _si(dev.G_max))
    np.testing.assert_array_equal(late[arr.stuck_off], _si(dev.G_min))
    healthy = ~(arr.stuck_on | arr.stuck_off)
    q = _si(dev.quantize(20.0 * uS))
    np.testing.assert_allclose(late[healthy], q * 1e6 ** -0.1, rtol=1e-9)


def test_a_cell_past_endurance_stops_switching():
    dev = ResistiveDevice(endurance=3)
    arr = DeviceArray(dev, 4, SEED)
    for k, target in enumerate((8.0, 16.0, 24.0, 32.0, 40.0)):
        arr.program(np.full(4, target) * uS, k, t=float(k) * second)
    np.testing.assert_array_equal(_si(arr.conductance), _si(dev.quantize(24.0 * uS)))
    np.testing.assert_array_equal(arr.cycles, 3)
    assert arr.worn_out.all()
    np.testing.assert_array_equal(_si(arr.t_programmed), 2.0)


def test_mask_programs_only_the_addressed_cells():
    arr = DeviceArray(ResistiveDevice(), 4, SEED)
    mask = np.array([True, False, True, False])
    arr.program(np.full(4, 40.0) * uS, 0, mask=mask)
    hi = _si(arr.device.G_max)
    np.testing.assert_array_equal(_si(arr.conductance), [hi, 0.0, hi, 0.0])
    np.testing.assert_array_equal(arr.cycles, [1, 0, 1, 0])


# -- reproducibility -----------------------------------------------------------------------
def test_same_seed_same_result():
    dev = neurram_wan2022().replace(sigma_d2d=0.05, p_stuck_on=0.01, nu=0.02, sigma_nu=0.01)
    targets = np.linspace(0, 40, 300) * uS
    a = dev.program(targets, 7)
    b = dev.program(targets, 7)
    np.testing.assert_array_equal(_si(a), _si(b))
    assert not np.array_equal(_si(a), _si(dev.program(targets, 8)))
    np.testing.assert_array_equal(_si(dev.read(a, 1e3 * second, 3)),
                                  _si(dev.read(a, 1e3 * second, 3)))
    np.testing.assert_array_equal(
        _si(dev.program(targets, np.random.default_rng(5))),
        _si(dev.program(targets, np.random.default_rng(5))))

    def run():
        arr = DeviceArray(dev, 300, 11)
        arr.program(targets, 1)
        return _si(arr.read(100 * second, 2))

    np.testing.assert_array_equal(run(), run())


def test_fault_masks_do_not_depend_on_other_parameters():
    base = ResistiveDevice(p_stuck_on=0.1)
    a = DeviceArray(base, 1000, SEED)
    b = DeviceArray(base.replace(sigma_d2d=0.3, sigma_nu=0.01), 1000, SEED)
    np.testing.assert_array_equal(a.stuck_on, b.stuck_on)


# -- bad parameters ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, param", [
    ({"G_min": 40.0 * uS, "G_max": 40.0 * uS}, "G_min"),
    ({"G_min": 50.0 * uS}, "G_min"),
    ({"G_min": -1.0 * uS}, "G_min"),
    ({"G_max": 40.0}, "G_max"),  # a bare number is never given a unit
    ({"G_max": 40.0 * mV}, "G_max"),
    ({"sigma_prog": -0.1 * uS}, "sigma_prog"),
    ({"sigma_d2d": -0.01}, "sigma_d2d"),
    ({"sigma_read": -0.01}, "sigma_read"),
    ({"nu": -0.05}, "nu"),
    ({"sigma_nu": -1e-3}, "sigma_nu"),
    ({"n_levels": 1}, "n_levels"),
    ({"n_levels": 4.5}, "n_levels"),
    ({"t0": 0.0 * second}, "t0"),
    ({"p_stuck_on": 1.5}, "p_stuck_on"),
    ({"p_stuck_on": 0.6, "p_stuck_off": 0.5}, "p_stuck_on"),
    ({"endurance": 0}, "endurance"),
])
def test_bad_parameters_raise_naming_the_parameter(kwargs, param):
    with pytest.raises(ParameterError) as err:
        ResistiveDevice(**kwargs)
    assert err.value.param == param
    assert repr(param) in str(err.value)


def test_bad_arguments_raise_naming_the_argument():
    dev = ResistiveDevice()
    with pytest.raises(ParameterError) as err:
        dev.program(np.array([1.0, 2.0]), 0)
    assert err.value.param == "g_target"
    with pytest.raises(ParameterError) as err:
        dev.read(np.ones(2) * uS, -1 * ms, 0)
    assert err.value.param == "t"
    with pytest.raises(ParameterError) as err:
        dev.program(np.ones(2) * uS, -3)
    assert err.value.param == "rng"
    arr = DeviceArray(dev, 3, 0)
    arr.program(np.ones(3) * uS, 0, t=10 * second)
    with pytest.raises(ParameterError) as err:
        arr.read(5 * second, 0)
    assert err.value.param == "t"
    with pytest.raises(ParameterError) as err:
        arr.program(np.ones(4) * uS, 0)
    assert err.value.param == "g_target"
    with pytest.raises(ParameterError) as err:
        DeviceArray(dev, (2, -1), 0)
    assert err.value.param == "shape"

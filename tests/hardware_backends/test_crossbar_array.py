"""CrossbarArray stages: ideal identity, quantisation, differential pairs, tiling, programming
noise, drift, IR drop, converters, the ledger and the conductance map."""

import numpy as np
import pytest
from scipy import stats

from neurosim.devices import ResistiveDevice, neurram_wan2022
from neurosim.devices import _kernels as K
from neurosim.errors import ParameterError
from neurosim.hardware_backends.crossbar import CONSTANTS, CrossbarArray, Tiling
from neurosim.hardware_backends.crossbar.array import first_order_ir_matrix, one_hot_ir_factor
from neurosim.hardware_backends.crossbar.plotting import plot_conductance_map
from neurosim.units import ohm, second, siemens, uS, volt

SEED = 7


def _weights(shape, rng=0, holes=0.2):
    r = np.random.default_rng(rng)
    w = r.normal(0.0, 1.0, shape)
    w[r.random(shape) < holes] = np.nan
    return w


@pytest.mark.parametrize("g_min", [0.0, 2.0])
def test_ideal_read_is_the_identity(g_min):
    w = _weights((40, 30))
    dev = neurram_wan2022().replace(G_min=g_min * uS)
    xb = CrossbarArray(w.shape, device=dev, fidelity="ideal", tile_shape=(16, 16), seed=SEED)
    xb.load(w)
    got = xb.read(5 * second)
    assert np.array_equal(np.isnan(got), np.isnan(w))
    ok = ~np.isnan(w)
    np.testing.assert_allclose(got[ok], w[ok], rtol=1e-12, atol=1e-12 * np.nanmax(abs(w)))
    if g_min == 0.0:  # power-of-two scale: bit for bit
        assert np.array_equal(got[ok], w[ok])
    x = np.random.default_rng(1).uniform(-1, 1, (5, 40))
    np.testing.assert_allclose(xb.matvec(x), x @ np.where(ok, w, 0.0), rtol=1e-12, atol=1e-12)


def test_quantisation_is_exact():
    w = _weights((20, 12), holes=0.0)
    dev = neurram_wan2022()
    xb = CrossbarArray(w.shape, device=dev, fidelity="quantised", seed=SEED)
    target = xb.map(w)
    q = xb.quantise()
    assert np.array_equal(q, K.quantize(target, xb.g_min, xb.g_max, dev.n_levels))
    levels = np.asarray(dev.levels() / siemens)
    assert np.isin(q, levels).all()
    xb.validate()
    g = xb.program()
    assert np.array_equal(g, q)  # no noise under "quantised"


def test_differential_pair_reconstructs_signed_weights():
    w = _weights((33, 21), holes=0.1)
    xb = CrossbarArray(w.shape, fidelity="ideal", tile_shape=(8, 10), seed=SEED)
    xb.map(w)
    pos, neg = xb.tiling.from_tiles(xb.target)
    ok = ~np.isnan(w)
    assert np.array_equal((pos - neg)[ok] / xb.scale, w[ok])
    assert np.all(np.minimum(pos, neg) == 0.0)          # one cell of each pair idle
    assert np.all((pos > 0)[ok] == (w > 0)[ok]) and np.all((neg > 0)[ok] == (w < 0)[ok])
    assert 0.5 * 40e-6 < np.nanmax(abs(w)) * xb.scale <= 40e-6   # upper half of the window
    # with many levels and fine converters, a quantised array reconstructs them closely
    fine = neurram_wan2022().replace(n_levels=4097)
    xq = CrossbarArray(w.shape, device=fine, fidelity="quantised", adc_bits=16, seed=SEED)
    xq.load(w)
    np.testing.assert_allclose(xq.read()[ok], w[ok], atol=2e-3 * np.nanmax(abs(w)))


def test_tiling_covers_700_by_300_on_256_tiles():
    t = Tiling((700, 300), 256, 256)
    assert t.grid == (3, 3) and t.n_tiles == 9          # 256 rows x 128 pairs per tile
    seen = np.zeros((700, 300), dtype=int)
    for k in range(t.n_tiles):
        r, c = t.rows(k), t.cols(k)
        assert r.stop - r.start <= 256 and 2 * (c.stop - c.start) <= 256
        seen[r, c] += 1
    assert (seen == 1).all()
    w = np.arange(700 * 300, dtype=float).reshape(700, 300)
    tiles = t.to_tiles(w, -w, np.nan)
    assert tiles.shape == (9, 256, 256)
    pos, neg = t.from_tiles(tiles)
    assert np.array_equal(pos, w) and np.array_equal(neg, -w)
    # tile 4 (middle) holds rows 256-511, weight columns 128-255
    assert tiles[4, 0, 0] == w[256, 128] and tiles[4, 0, 1] == -w[256, 128]
    xb = CrossbarArray((700, 300), fidelity="noisy", seed=SEED)
    report = xb.load(np.ones((700, 300)))
    assert report["n_tiles"] == 9 and report["cells_outside_window"] == 0


def test_programming_noise_matches_the_device():
    dev = neurram_wan2022().replace(sigma_d2d=0.05)
    xb = CrossbarArray((200, 100), device=dev, fidelity="noisy", tile_shape=(256, 256),
                       seed=SEED)
    xb.load(np.ones((200, 100)))
    pos, _ = xb.tiling.from_tiles(np.asarray(xb.cells.conductance / siemens))
    target = xb.tiling.from_tiles(xb.target)[0][0, 0]
    mean, std = dev.programmed_stats(target * siemens)
    res = stats.kstest(pos.ravel(), "norm", args=(float(mean / siemens), float(std / siemens)))
    assert res.pvalue > 0.01


def test_read_drift_follows_the_device_law():
    dev = ResistiveDevice(G_max=40 * uS, n_levels=16, nu=0.05, t0=1 * second)
    w = _weights((30, 20), holes=0.0)
    xb = CrossbarArray(w.shape, device=dev, fidelity="noisy", adc_bits=None, seed=SEED)
    xb.load(w)
    g0 = xb.conductances(0 * second)
    for t in (0.5, 1.0, 1e3, 1e6):
        np.testing.assert_allclose(xb.conductances(t * second),
                                   g0 * max(t, 1.0) ** -0.05, rtol=1e-12)
    q = xb.read(0 * second)
    np.testing.assert_allclose(xb.read(1e4 * second), q * 1e4 ** -0.05, rtol=1e-12)


def test_read_noise_is_relative_with_the_device_sigma():
    dev = neurram_wan2022().replace(sigma_read=0.03, sigma_prog=0 * uS)
    xb = CrossbarArray((100, 100), device=dev, fidelity="noisy", seed=SEED)
    xb.load(np.ones((100, 100)))
    g = xb.tiling.from_tiles(xb.conductances(0 * second))[0]
    g_true = xb.tiling.from_tiles(xb.conductances(0 * second, noise=False))[0]
    rel = (g / g_true - 1).ravel()
    assert abs(rel.std() - 0.03) < 0.03 * 0.05 and abs(rel.mean()) < 0.03 * 0.05


def test_matvec_read_noise_has_the_per_cell_variance():
    dev = neurram_wan2022().replace(sigma_read=0.05, sigma_prog=0 * uS)
    w = np.abs(_weights((64, 8), holes=0.0))
    xb = CrossbarArray(w.shape, device=dev, fidelity="noisy", adc_bits=None, dac_bits=None,
                       seed=SEED)
    xb.load(w)
    x = np.random.default_rng(3).uniform(0, 1, 64)
    y = xb.matvec(np.tile(x, (4000, 1)))
    g = xb.tiling.from_tiles(xb.conductances(0 * second, noise=False))[0] / xb.scale
    sd = 0.05 * np.sqrt((x**2) @ g**2)
    np.testing.assert_allclose(y.mean(0), x @ g, rtol=1e-3)
    np.testing.assert_allclose(y.std(0), sd, rtol=0.06)


def test_ir_drop_first_order():
    g, r = 40e-6, 2.0
    exact = 1.0 / (1.0 / g + 2 * r)          # one cell: one row and one column segment
    one = one_hot_ir_factor(np.array([[g]]), r)[0, 0] * g
    assert one == pytest.approx(exact, rel=(2 * r * g) ** 2 * 2)
    assert np.array_equal(one_hot_ir_factor(np.full((4, 6), g), 0.0), np.ones((4, 6)))
    eff = first_order_ir_matrix(np.array([[g]]), r)
    assert eff[0, 0] == pytest.approx(exact, rel=(2 * r * g) ** 2 * 2)
    # the drop grows away from the drivers (row start, column bottom)
    f = one_hot_ir_factor(np.full((8, 8), g), r)
    assert f[-1, 0] > f[0, 0] and f[-1, 0] > f[-1, -1]
    quiet = neurram_wan2022().replace(sigma_prog=0 * uS, sigma_read=0.0, n_levels=2)
    xb = CrossbarArray((50, 40), device=quiet, fidelity="full", r_wire=1 * ohm, seed=SEED)
    report = xb.load(np.ones((50, 40)))
    assert 0 < report["max_ir_loss"] < 0.2
    plain = CrossbarArray((50, 40), device=quiet, fidelity="quantised", seed=SEED)
    plain.load(np.ones((50, 40)))
    assert np.all(xb.read() < plain.read())


def test_adc_resolution_and_validation_errors():
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    dev = neurram_wan2022().replace(n_levels=2**12)
    xb = CrossbarArray(w.shape, device=dev, fidelity="quantised", adc_bits=3, seed=SEED)
    xb.load(w)
    got = xb.read()
    step = 40e-6 / 3 / xb.scale                  # 3 bits: 3 steps each side of zero
    np.testing.assert_allclose(got / step, np.rint(got / step), atol=1e-9)
    with pytest.raises(ParameterError):
        CrossbarArray((3, 4), fidelity="perfect")
    with pytest.raises(ParameterError):
        xb.map(np.ones((4, 4)))
    with pytest.raises(ParameterError):
        CrossbarArray((3, 4), v_read=0.2)      # units are required
    with pytest.raises(RuntimeError):
        CrossbarArray((3, 4)).read()


def test_ledger_programming_and_matvec_energy():
    w = np.ones((10, 6))
    xb = CrossbarArray(w.shape, fidelity="ideal", v_read=0.1 * volt, seed=SEED)
    xb.load(w)
    g_sum = xb.target[xb.target > 0].sum()
    pulses = CONSTANTS["pulses_per_program"].value
    e = pulses * CONSTANTS["v_prog"].value ** 2 * g_sum * CONSTANTS["t_pulse"].value
    assert xb.ledger.energy_pJ["programming"] == pytest.approx(e * 1e12)
    assert xb.ledger.counts["program_pulses"] == pulses * 60
    xb.matvec(np.ones((3, 10)))
    assert xb.ledger.counts["adc_conversions"] == pulses * 60 + 3 * 6
    assert xb.ledger.total_energy_pJ > 0 and xb.ledger.total_latency_us > 0
    d = xb.ledger.as_dict()
    assert all(c["source"] for c in d["constants"].values())


def test_conductance_map_is_a_figure():
    from matplotlib.figure import Figure

    xb = CrossbarArray((300, 150), fidelity="noisy", seed=SEED)
    xb.load(_weights((300, 150)))
    fig = plot_conductance_map(xb, 10 * second)
    assert isinstance(fig, Figure) and len(fig.axes) >= 4
    import matplotlib.pyplot as plt

    plt.close(fig)

"""The LSM reservoir kernel against its NumPy twin, and against the update written out."""

import numpy as np
import pytest

from neurosim.kernels.lsm import lsm_run, lsm_run_reference


def _dyadic(rng, shape, scale):
    # multiples of 2**-8: every sum of a few hundred of them is exact in float64, so the
    # kernel and the twin must agree bit for bit whatever order they add in
    return np.round(rng.standard_normal(shape) * scale * 256) / 256


def _case(seed, n_in=12, n_res=30, n=5, t=40, p=0.2):
    rng = np.random.default_rng(seed)
    frames = (rng.random((n, t, n_in)) < p).astype(np.uint8) * rng.integers(1, 3, (n, t, n_in),
                                                                           dtype=np.uint8)
    return frames, _dyadic(rng, (n_in, n_res), 2.0), _dyadic(rng, (n_res, n_res), 1.0)


@pytest.mark.parametrize("sigma", [0.0, 0.1])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kernel_equals_numpy_twin_exactly(seed, sigma):
    frames, w_in, w_res = _case(seed)
    xi = np.random.default_rng(seed + 10).standard_normal((5, 40, 30)) if sigma else \
        np.zeros((0, 0, 0))
    c1, s1 = lsm_run(frames, w_in, w_res, 0.9, 5.0, sigma, xi, True)
    c2, s2 = lsm_run_reference(frames, w_in, w_res, 0.9, 5.0, sigma, xi, True)
    assert s1.sum() > 50                       # the reservoir does something
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(c1, s1.sum(axis=1))


def test_general_weights_agree_and_counts_without_record():
    rng = np.random.default_rng(5)
    frames = (rng.random((8, 50, 20)) < 0.1).astype(np.uint8)
    w_in, w_res = 2.0 * rng.standard_normal((20, 40)), 0.7 * rng.standard_normal((40, 40))
    c1, s1 = lsm_run(frames, w_in, w_res, 0.9, 5.0, 0.0, np.zeros((0, 0, 0)), False)
    c2, _ = lsm_run_reference(frames, w_in, w_res, 0.9, 5.0, 0.0, np.zeros((0, 0, 0)), False)
    assert s1.shape == (0, 0, 0)
    np.testing.assert_array_equal(c1, c2)


def test_the_update_written_out_for_one_neuron():
    # v_t = decay v_{t-1} (1 - s_{t-1}) + I_t; spike at v >= v_th; self-connection w_res
    frames = np.zeros((1, 6, 1), np.uint8)
    frames[0, [0, 1, 2], 0] = 1
    w_in, w_res = np.array([[2.0]]), np.array([[1.0]])
    _, s = lsm_run(frames, w_in, w_res, 0.5, 3.0, 0.0, np.zeros((0, 0, 0)), True)
    # v: 2, 1 + 2 = 3 (spike), 0 + 2 + 1 (recurrent) = 3 (spike), 0 + 0 + 1 = 1, 0.5, 0.25
    np.testing.assert_array_equal(s[0, :, 0], [0, 1, 1, 0, 0, 0])


def test_read_noise_has_the_variance_of_per_weight_noise():
    # one step, many samples: the current's spread must be sigma sqrt(sum x^2 w^2)
    rng = np.random.default_rng(0)
    n = 20000
    frames = np.zeros((n, 1, 3), np.uint8)
    frames[:, 0, :] = [1, 2, 0]
    w_in = np.array([[1.5], [-0.5], [4.0]])
    xi = rng.standard_normal((n, 1, 1))
    # threshold at the noiseless current 1.5 - 1.0 = 0.5: half the samples spike
    c, _ = lsm_run(frames, w_in, np.zeros((1, 1)), 0.9, 0.5, 0.1, xi, False)
    assert abs(c.mean() - 0.5) < 0.02
    sd = 0.1 * np.sqrt(1.5**2 + (2 * 0.5) ** 2)
    c2, _ = lsm_run(frames, w_in, np.zeros((1, 1)), 0.9, 0.5 + sd, 0.1, xi, False)
    assert abs(c2.mean() - 0.1587) < 0.01    # P(N(0, sd) >= sd)

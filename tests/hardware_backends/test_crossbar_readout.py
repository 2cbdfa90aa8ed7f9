"""The fused read-out kernel against its NumPy twin (exact, float32 operation order)."""

import numpy as np
import pytest

from neurosim.hardware_backends.crossbar.readout import finish_reads, finish_reads_reference


@pytest.mark.parametrize("shape", [(7,), (33, 17)])
@pytest.mark.parametrize(("noisy", "n_adc"), [(True, 127), (True, 0), (False, 127), (False, 0)])
def test_finish_reads_equals_numpy_twin(shape, noisy, n_adc):
    rng = np.random.default_rng(sum(shape) + n_adc)
    y = rng.normal(0, 40, shape).astype(np.float32)
    var = rng.uniform(0, 9, shape).astype(np.float32) if noisy else np.zeros(0, np.float32)
    z = rng.standard_normal(shape).astype(np.float32) if noisy else np.zeros(0, np.float32)
    args = (y, var, z, 0.01, 1 / 0.37, n_adc, 2.5e-3)
    a = finish_reads(*args, np.empty(shape))
    b = finish_reads_reference(*args, np.empty(shape))
    np.testing.assert_array_equal(a, b)
    if n_adc:  # codes are whole steps within the range
        codes = a / 2.5e-3
        assert np.all(np.abs(codes) <= n_adc) and np.allclose(codes, np.rint(codes))

"""Probes: ``sampling_interval`` on every engine, and intervals engines cannot honour."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    DCSource,
    EIF_cond_exp_isfa_ista,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
)
from neurosim.units import ms, nA, to_si

ENGINES = ["brian2", "numba", "reference"]


def _spec(interval):
    return NetworkSpec(
        populations=(Population("a", 2, IF_curr_exp()), Population("w", 1,
                                                                     EIF_cond_exp_isfa_ista())),
        probes=(Probe("a", "v"), Probe("a", "isyn_exc"), Probe("w", "v"),
                Probe("w", "w", sampling_interval=interval)),
        current_sources=(DCSource(label="dc", target="a", amplitude=1.5 * nA),
                         DCSource(label="dcw", target="w", amplitude=1 * nA)))


@pytest.mark.parametrize("engine", ENGINES)
def test_sampled_probe_is_the_full_record_every_k_steps(engine):
    """A probe sampled every 0.5 ms (5 steps) holds exactly the every-step record's values
    at t = 0, 0.5, 1, ... ms (the same state, only fewer samples)."""
    full = NetworkSpec(populations=_spec(None).populations, probes=(Probe("w", "w"),),
                       current_sources=_spec(None).current_sources)
    sampled = _spec(0.5 * ms)
    a = get_engine(engine).build(full, dt=0.1 * ms, seed=0).run(20 * ms).data["w.w"]
    b = get_engine(engine).build(sampled, dt=0.1 * ms, seed=0).run(20 * ms).data["w.w"]
    ta, tb = np.asarray(to_si(a.times)), np.asarray(to_si(b.times))
    assert len(tb) == 40
    np.testing.assert_allclose(tb, np.arange(40) * 0.5e-3, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(to_si(b.values)), np.asarray(to_si(a.values))[::5])
    assert len(ta) == 200
    assert np.ptp(np.asarray(to_si(b.values))) > 0  # w moves: the test compares something


@pytest.mark.parametrize("engine", ENGINES)
def test_intervals_below_dt_or_off_the_grid_are_refused(engine):
    for interval in (0.05 * ms, 0.25 * ms):
        with pytest.raises(ParameterError, match=r"'sampling_interval' parameter of Probe 'w.w'"
                                                 r".*multiple of dt"):
            get_engine(engine).build(_spec(interval), dt=0.1 * ms)


def test_probe_interval_needs_a_time():
    with pytest.raises(ParameterError, match=r"'sampling_interval'.*a time"):
        Probe("a", "v", sampling_interval=0.001)
    with pytest.raises(ParameterError, match=r"'sampling_interval'.*> 0"):
        Probe("a", "v", sampling_interval=0 * ms)
    spec = _spec(2 * ms)
    assert NetworkSpec.from_json(spec.to_json()) == spec

"""Elephant (extra ``analysis``) on our Neo output: its rates, ISI CV and van Rossum distance
equal ours (neurosim.analysis) to 1e-9.

The tolerance: Neo trains hold times in ms rounded to 1e-9 ms (to_neo_block), so a time
differs from ours by at most 5e-13 ms; rates are counts over the same window and agree to
rounding (~1e-15 relative); CV and van Rossum take differences of such times over
intervals of >= 0.1 ms and tau = 5 ms, a relative error below 1e-10.
"""

import numpy as np
import pytest

from neurosim.analysis import firing_rates, isi_cv, van_rossum_distance, van_rossum_per_neuron
from neurosim.engines import get_engine
from neurosim.network.examples import vogels_abbott_coba
from neurosim.units import ms, second

elephant = pytest.importorskip("elephant", reason="Elephant is the extra 'analysis' "
                               "(pip install -e '.[analysis]'; make test installs it)")
pq = pytest.importorskip("quantities")
from elephant.spike_train_dissimilarity import van_rossum_distance as el_van_rossum  # noqa: E402
from elephant.statistics import cv, isi, mean_firing_rate  # noqa: E402

DURATION = 400 * ms


@pytest.fixture(scope="module")
def runs():
    """The Vogels-Abbott network (400 cells, self-sustained asynchronous activity) on numba
    with two seeds: two different sets of trains of one population."""
    out = []
    for seed in (0, 1):
        sim = get_engine("numba").build(vogels_abbott_coba(400, 0.08), dt=0.1 * ms, seed=seed)
        sim.run(DURATION)
        out.append(sim)
    return out


def _trains(sim, population="P"):
    block = sim.to_neo()
    return [st for st in block.segments[0].spiketrains
            if st.annotations["source_population"] == population]


def test_the_network_is_active_enough_to_mean_something(runs):
    # without spikes every statistic below would agree trivially
    counts = runs[0].spikes("P").count()
    assert counts.sum() > 1000 and np.count_nonzero(counts >= 3) > 100


def test_rates_equal_elephants(runs):
    sim = runs[0]
    ours = firing_rates(sim.spikes("P"), DURATION)
    trains = _trains(sim)
    # Elephant 1.2.1 raises ValueError on an empty train (np.max of nothing); ours says 0 Hz
    silent = np.array([len(st) == 0 for st in trains])
    assert np.all(ours[silent] == 0)
    theirs = np.array([float(mean_firing_rate(st, t_start=0 * pq.s,
                                              t_stop=0.4 * pq.s).rescale("Hz"))
                       for st in trains if len(st)])
    np.testing.assert_allclose(ours[~silent], theirs, rtol=1e-9, atol=0)


def test_isi_cv_equals_elephants(runs):
    sim = runs[0]
    ours = isi_cv(sim.spikes("P"))
    theirs = np.array([float(cv(isi(st))) if len(st) >= 3 else np.nan for st in _trains(sim)])
    assert np.count_nonzero(np.isfinite(ours)) > 100
    # atol: a perfectly regular train has CV ~1e-15, where only absolute error means anything
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_van_rossum_equals_elephants_with_its_normalisation(runs):
    a, b = runs[0].spikes("P"), runs[1].spikes("P")
    ta, tb = _trains(runs[0]), _trains(runs[1])
    theirs = np.array([el_van_rossum([x, y], time_constant=5 * pq.ms)[0, 1]
                       for x, y in zip(ta, tb)])
    ours = van_rossum_per_neuron(a, b, 5 * ms, normalisation="elephant")
    assert np.all(theirs[a.count() + b.count() > 0] > 0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    # van Rossum's own normalisation (compare()'s) is Elephant's over sqrt(2)
    np.testing.assert_allclose(van_rossum_distance(a, b, 5 * ms), theirs.mean() / np.sqrt(2),
                               rtol=1e-9)


def test_neo_trains_hold_our_spike_times(runs):
    sim = runs[0]
    ours = sim.spikes("P").trains()
    for st, t in zip(_trains(sim), ours):
        np.testing.assert_allclose(np.asarray(st.rescale("s")), np.asarray(t / second),
                                   rtol=0, atol=1e-15)

"""Event streams, framing, the saccade DVS emulator and the cochlea with its spoken digits."""

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.events import (
    COCHLEA_CHANNELS,
    DIGITS_SENSOR,
    center_crop,
    cochlea_events,
    digits_to_events,
    erb_space,
    events_to_frames,
    load_spoken_digits,
    make_events,
    rows_to_frames,
    saccade_path,
    to_frames,
)


def test_frames_count_each_event_once_in_its_bin():
    ev = make_events([0, 1, 1, 2], [0, 0, 1, 1], [0, 499, 500, 999], [1, 1, 0, 1])
    f = to_frames(ev, (3, 2), 2, duration=1000)
    assert f.shape == (2, 6)
    assert f[0].tolist() == [1, 1, 0, 0, 0, 0]
    assert f[1].tolist() == [0, 0, 0, 0, 0, 1]          # the off event is dropped
    both = to_frames(ev, (3, 2), 2, duration=1000, polarity=None)
    assert both.sum() == 4 and both[1, 4] == 1            # off block first: y=1, x=1 -> 4
    with pytest.raises(ParameterError, match="n_frames"):
        to_frames(ev, (3, 2), 0)


def test_center_crop_reindexes():
    ev = make_events([0, 9, 17, 16], [0, 9, 17, 25], [0, 1, 2, 3], [1, 1, 1, 1])
    out = center_crop(ev, (34, 34), (16, 16))
    assert out[["x", "y"]].tolist() == [(0, 0), (8, 8)]


def test_saccade_path_is_a_closed_triangle():
    path = saccade_path(300, 2.0)
    assert path.shape == (300, 2)
    np.testing.assert_allclose(path[0], [0, 0])
    np.testing.assert_allclose(path[100], [1.0, 2.0])
    np.testing.assert_allclose(path[200], [0.0, 2.0])
    assert np.abs(path[-1]).max() < 0.01


def test_dvs_emulator_is_deterministic_and_edge_driven():
    img = np.zeros((2, 8, 8))
    img[0, 2:6, 3:5] = 16                                  # a bar
    a = digits_to_events(img, seed=1)
    b = digits_to_events(img, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1].size == 0                                  # a blank screen makes no events
    ev = a[0]
    assert ev.size > 100 and set(np.unique(ev["p"])) == {0, 1}
    assert np.all(np.diff(ev["t"]) >= 0) and ev["t"].max() < 300_000
    w, h = DIGITS_SENSOR
    assert ev["x"].max() < w and ev["y"].max() < h
    # a moving edge: ON and OFF events in about equal numbers over a closed path
    assert 0.6 < (ev["p"] == 1).sum() / (ev["p"] == 0).sum() < 1.6


def test_rows_to_frames_spreads_rows_over_time():
    img = np.zeros((1, 8, 8))
    img[0, 3, 5] = 16
    img[0, 6, 0] = 12
    f = rows_to_frames(img, 5)
    assert f.shape == (1, 40, 8)
    assert f[0, 15:20, 5].tolist() == [1, 1, 1, 1, 1]
    assert f[0, 30:35, 0].tolist() == [1, 1, 1, 1, 0]     # round(12 * 5 / 16) = 4
    assert f.sum() == 5 + 4


def test_cochlea_maps_a_tone_to_its_channel():
    fs = 16000
    t = np.arange(int(0.3 * fs)) / fs
    fc = erb_space(100.0, 7000.0, COCHLEA_CHANNELS)
    for k in (10, 40):
        ev = cochlea_events(np.sin(2 * np.pi * fc[k] * t), fs)
        hist = np.bincount(ev["x"], minlength=COCHLEA_CHANNELS)
        assert abs(int(np.argmax(hist)) - k) <= 1
        assert np.all(ev["y"] == 0) and np.all(ev["p"] == 1)
    assert cochlea_events(np.zeros(1000), fs).size == 0


def test_committed_spoken_digits():
    streams, labels, meta = load_spoken_digits()
    assert len(streams) == labels.size == 1000
    assert np.bincount(labels).tolist() == [100] * 10
    assert len(set(meta["voice"].tolist())) > 20
    sizes = np.array([s.size for s in streams])
    assert sizes.min() > 50
    for s in streams[:50]:
        assert np.all(np.diff(s["t"]) >= 0) and s["x"].max() < COCHLEA_CHANNELS
    f = events_to_frames(streams[:10], (COCHLEA_CHANNELS, 1), 129)
    assert f.shape == (10, 129, 64) and f.dtype == np.uint8

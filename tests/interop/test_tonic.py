"""Tonic (extra ``events``): our event files, arrays and emulators against Tonic's readers and
transforms, and the LSM fed from a Tonic transform chain and a Tonic dataset object.

Every comparison here is exact (integer events and counts), so there is no tolerance.
"""

import numpy as np
import pytest

from neurosim.events import (
    DIGITS_SENSOR,
    EventFileError,
    as_frames,
    cochlea_events,
    events_to_frames,
    load_event_digits,
    make_events,
    read_nmnist,
    to_frames,
    write_nmnist,
)
from neurosim.models.lsm import LiquidStateMachine, LSMParams
from neurosim.network import SpikeSourceArray

tonic = pytest.importorskip("tonic", reason="Tonic is the extra 'events' "
                            "(pip install -e '.[events]'; make test installs it)")
T = tonic.transforms

N_FRAMES, WINDOW_US = 50, 6000  # the digits task: 50 bins over the 300 ms recording


def _random_stream(rng, n=3000, sensor=(34, 34)):
    t = np.sort(rng.integers(0, 2**23, n))
    return make_events(rng.integers(0, sensor[0], n), rng.integers(0, sensor[1], n), t,
                       rng.integers(0, 2, n))


def test_a_file_from_our_writer_reads_identically_through_tonics_reader(tmp_path):
    ev = _random_stream(np.random.default_rng(0))
    path = tmp_path / "00001.bin"
    write_nmnist(path, ev)
    theirs = tonic.io.read_mnist_file(str(path), dtype=tonic.datasets.NMNIST.dtype)
    ours = read_nmnist(path)
    assert len(theirs) == len(ev) == len(ours)
    for k in "xytp":
        np.testing.assert_array_equal(theirs[k], ev[k])
        np.testing.assert_array_equal(ours[k], ev[k])


def test_our_reader_names_the_truncation_tonics_reports_as_a_numpy_error(tmp_path):
    # why we keep our reader beside Tonic's (docs/decisions.md §28): a file cut mid-event
    path = tmp_path / "cut.bin"
    write_nmnist(path, _random_stream(np.random.default_rng(1), n=10))
    path.write_bytes(path.read_bytes()[:-2])
    with pytest.raises(EventFileError, match="truncated N-MNIST file: 48 bytes"):
        read_nmnist(path)
    with pytest.raises(ValueError, match="broadcast"):
        tonic.io.read_mnist_file(str(path), dtype=tonic.datasets.NMNIST.dtype)


def _digit_streams(n=60):
    streams, labels = load_event_digits(n, seed=0)
    return streams, labels


def test_our_dvs_emulator_frames_equal_tonics_to_frame():
    streams, _ = _digit_streams(30)
    to_frame = T.ToFrame(sensor_size=(*DIGITS_SENSOR, 2), time_window=WINDOW_US,
                         start_time=0, end_time=N_FRAMES * WINDOW_US)
    for ev in streams:
        theirs = to_frame(ev.copy())  # (T, P, H, W)
        assert theirs.shape == (N_FRAMES, 2, 16, 16)
        ours = to_frames(ev, DIGITS_SENSOR, N_FRAMES, duration=N_FRAMES * WINDOW_US,
                         polarity=None)  # off block then on block, y * W + x
        np.testing.assert_array_equal(theirs.reshape(N_FRAMES, -1), ours)


def test_our_arrays_go_through_tonics_transforms():
    ev = _digit_streams(1)[0][0]
    den = T.Denoise(filter_time=10_000)(ev.copy())
    assert 0 < len(den) < len(ev)
    down = T.Downsample(spatial_factor=0.5)(ev.copy())
    assert down["x"].max() < 8 and down["y"].max() < 8 and len(down) == len(ev)


def test_our_cochlea_events_are_tonic_audio_events():
    rng = np.random.default_rng(2)
    fs = 16000.0
    tt = np.arange(int(0.3 * fs)) / fs
    sound = np.sin(2 * np.pi * 440 * tt) * (1 + 0.5 * rng.standard_normal(tt.size) * 0.1)
    ev = cochlea_events(sound, fs)
    assert len(ev) > 50
    sensor = (64, 1, 2)  # Tonic's audio sensors: (channels, 1, polarities)
    theirs = T.ToFrame(sensor_size=sensor, time_window=15_000, start_time=0,
                       end_time=300_000)(ev.copy())
    assert theirs.shape == (20, 2, 1, 64) and theirs.sum() == len(ev)
    ours = to_frames(ev, (64, 1), 20, duration=300_000, polarity=None)
    np.testing.assert_array_equal(theirs.reshape(20, -1), ours)


def _on_only(ev):
    return ev[ev["p"] == 1]


def _chain():
    """Our digits task as a Tonic chain: one polarity, 50 bins of 6 ms from t = 0."""
    return T.Compose([_on_only, T.ToFrame(sensor_size=(*DIGITS_SENSOR, 1),
                                          time_window=WINDOW_US, start_time=0,
                                          end_time=N_FRAMES * WINDOW_US)])


def test_a_tonic_chain_gives_our_frames_and_the_lsm_the_same_accuracy():
    streams, labels = _digit_streams(300)
    ours = events_to_frames(streams, DIGITS_SENSOR, N_FRAMES,
                            duration=N_FRAMES * WINDOW_US, polarity=1)
    theirs, no_labels = as_frames(streams, 256, transform=_chain())
    assert no_labels is None
    np.testing.assert_array_equal(theirs, ours)
    p = LSMParams(n_reservoir=200)
    a = LiquidStateMachine(p, seed=3).fit(ours[:200], labels[:200])
    b = LiquidStateMachine(p, seed=3, input_transform=_chain()).fit(streams[:200],
                                                                     labels[:200])
    acc_a = a.score(ours[200:], labels[200:])
    acc_b = b.score(streams[200:], labels[200:])
    assert acc_a == acc_b
    assert acc_a > 0.5  # well above chance (0.1): the frames carry the digits


class _LocalNMNIST(tonic.datasets.NMNIST):
    """Tonic's own N-MNIST dataset class over a folder in its layout (Train/<label>/*.bin).

    Tonic checks for the full 60,000-file download before reading anything; this folder holds
    a few hundred emulated digits, so only that check is replaced. Reading, labels and the
    transform are Tonic's.
    """

    def _check_exists(self):
        return True


def test_a_tonic_dataset_object_feeds_the_lsm(tmp_path):
    streams, labels = _digit_streams(120)
    root = tmp_path / "_LocalNMNIST" / "Train"
    for k, (ev, lab) in enumerate(zip(streams, labels)):
        folder = root / str(int(lab))
        folder.mkdir(parents=True, exist_ok=True)
        shifted = ev.copy()  # onto N-MNIST's 34 x 34 sensor, centred as the paper's crop
        shifted["x"] += 9
        shifted["y"] += 9
        write_nmnist(folder / f"{k:05d}.bin", shifted)
    chain = T.Compose([T.CenterCrop(sensor_size=(34, 34, 2), size=(16, 16)), _chain()])
    data = _LocalNMNIST(str(tmp_path), train=True, transform=chain)
    assert len(data) == 120
    frames, y = as_frames(data, 256)
    order = np.argsort(y, kind="stable")  # Tonic lists files folder by folder (label order)
    ref = events_to_frames(streams, DIGITS_SENSOR, N_FRAMES, duration=N_FRAMES * WINDOW_US)
    by_label = np.argsort(labels, kind="stable")
    np.testing.assert_array_equal(frames[order], ref[by_label])
    lsm = LiquidStateMachine(LSMParams(n_reservoir=200), seed=0).fit(data)
    assert lsm.score(data) == lsm.score(frames, y)


def test_spike_sources_from_events_fire_at_the_event_times():
    ev = make_events([0, 3, 3, 1], [0, 2, 2, 0], [100, 250, 900, 400], [1, 0, 1, 1])
    src = SpikeSourceArray.from_events("dvs", ev, (4, 3, 2))
    assert src.size == 2 * 4 * 3  # source p * 12 + y * 4 + x (ToFrame's order)
    assert src.spike_times[12] == (1e-4,) and src.spike_times[11] == (2.5e-4,)
    assert src.spike_times[23] == (9e-4,) and src.spike_times[13] == (4e-4,)
    assert sum(len(s) for s in src.spike_times) == 4
    on = SpikeSourceArray.from_events("dvs", ev, (4, 3), polarity=1)
    assert on.size == 12
    assert on.spike_times[0] == (1e-4,) and on.spike_times[1] == (4e-4,)
    assert on.spike_times[2 * 4 + 3] == (9e-4,)
    assert sum(len(s) for s in on.spike_times) == 3


def test_spike_sources_from_events_on_a_time_grid_merge_within_a_step():
    # pixel (1, 0): events at 0.4, 0.6 and 1.4 ms -> steps 0, 1, 1 on a 1 ms grid (nearest,
    # halves up, as the engines round): one spike at 0 ms and one at 1 ms
    ev = make_events([1, 1, 1, 2], [0, 0, 0, 0], [400, 600, 1400, 2500], [1, 1, 1, 1])
    from neurosim.units import ms

    src = SpikeSourceArray.from_events("s", ev, (4, 1), polarity=1, dt=1 * ms)
    assert src.spike_times[1] == (0.0, 1e-3) and src.spike_times[2] == (3e-3,)

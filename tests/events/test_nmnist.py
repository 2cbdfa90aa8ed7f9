"""The N-MNIST binary reader and writer: exact round trips, the bit layout, bad files."""

import numpy as np
import pytest

from neurosim.events import EVENT_DTYPE, EventFileError, make_events, read_nmnist, write_nmnist


def _random_stream(seed, n=500):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(0, 2**23, n))
    return make_events(rng.integers(0, 34, n), rng.integers(0, 34, n), t,
                       rng.integers(0, 2, n))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_trip_is_exact(tmp_path, seed):
    ev = _random_stream(seed)
    path = tmp_path / "00001.bin"
    write_nmnist(path, ev)
    assert path.stat().st_size == 5 * ev.size
    back = read_nmnist(path)
    assert back.dtype == EVENT_DTYPE
    np.testing.assert_array_equal(back, ev)


def test_bit_layout_matches_the_published_format(tmp_path):
    # x=3, y=17, on, t = 0x5A1B2C: bytes 03 11 (1<<7 | 0x5A) 1B 2C
    ev = make_events([3], [17], [0x5A1B2C], [1])
    write_nmnist(tmp_path / "a.bin", ev)
    assert (tmp_path / "a.bin").read_bytes() == bytes([3, 17, 0x80 | 0x5A, 0x1B, 0x2C])
    # and a file written by hand with an OFF event reads back
    (tmp_path / "b.bin").write_bytes(bytes([33, 0, 0x7F, 0xFF, 0xFF]))
    back = read_nmnist(tmp_path / "b.bin")
    assert back.tolist() == [(33, 0, 2**23 - 1, 0)]


def test_empty_file_is_an_empty_stream(tmp_path):
    (tmp_path / "e.bin").write_bytes(b"")
    assert read_nmnist(tmp_path / "e.bin").size == 0


def test_overflow_markers_shift_later_timestamps(tmp_path):
    # Orchard's and Tonic's rule: y == 240 is no event, it adds 2**13 us to what follows
    raw = bytes([1, 2, 0, 0, 10]) + bytes([0, 240, 0, 0, 0]) + bytes([4, 5, 0x80, 0, 20])
    (tmp_path / "o.bin").write_bytes(raw)
    back = read_nmnist(tmp_path / "o.bin")
    assert back.tolist() == [(1, 2, 10, 0), (4, 5, 2**13 + 20, 1)]


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
def test_truncated_file_is_refused(tmp_path, cut):
    ev = _random_stream(3, n=20)
    write_nmnist(tmp_path / "t.bin", ev)
    data = (tmp_path / "t.bin").read_bytes()
    (tmp_path / "t.bin").write_bytes(data[:-cut])
    with pytest.raises(EventFileError, match="truncated"):
        read_nmnist(tmp_path / "t.bin")


def test_corrupt_files_are_refused(tmp_path):
    ev = _random_stream(4, n=50)
    write_nmnist(tmp_path / "c.bin", ev)
    data = bytearray((tmp_path / "c.bin").read_bytes())
    # a lost byte in the middle shifts every later field: addresses leave the sensor or
    # timestamps run backwards
    (tmp_path / "shift.bin").write_bytes(bytes(data[:52] + data[53:] + data[:1]))
    with pytest.raises(EventFileError, match="corrupt"):
        read_nmnist(tmp_path / "shift.bin")
    bad = data.copy()
    bad[5 * 10] = 200                      # x = 200 on a 34 x 34 sensor
    (tmp_path / "x.bin").write_bytes(bytes(bad))
    with pytest.raises(EventFileError, match="outside the 34 x 34 sensor"):
        read_nmnist(tmp_path / "x.bin")
    assert read_nmnist(tmp_path / "x.bin", sensor_size=None)["x"][10] == 200
    back = data.copy()
    back[5 * 30 + 2:5 * 30 + 5] = b"\x00\x00\x00"   # event 30 at t = 0, after later ones
    (tmp_path / "b.bin").write_bytes(bytes(back))
    with pytest.raises(EventFileError, match="backwards at event 30"):
        read_nmnist(tmp_path / "b.bin")


@pytest.mark.parametrize(("field", "value", "why"), [
    ("x", 256, "x must be"), ("y", 240, "reserved"), ("t", 2**23, "23 bits"), ("p", 2, "p must"),
])
def test_writer_refuses_what_the_format_cannot_hold(tmp_path, field, value, why):
    ev = _random_stream(5, n=10)
    ev = ev.astype([("x", "<i4"), ("y", "<i4"), ("t", "<i8"), ("p", "<i4")])
    ev[field][-1] = value
    with pytest.raises(EventFileError, match=why):
        write_nmnist(tmp_path / "w.bin", ev)
    assert not (tmp_path / "w.bin").exists()


def test_writer_refuses_unsorted_times(tmp_path):
    ev = make_events([1, 2], [1, 2], [50, 10], [0, 1], sort=False)
    with pytest.raises(EventFileError, match="must not decrease"):
        write_nmnist(tmp_path / "u.bin", ev)

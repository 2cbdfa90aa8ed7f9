"""Reading and writing the N-MNIST / N-Caltech101 binary event format.

Format (G. Orchard et al., "Converting static image datasets to spiking neuromorphic datasets
using saccades", Front. Neurosci. 9:437 (2015); the readers of Orchard's ``event-Python``
``eventvision.py``/``Read_Ndataset.m`` and of Tonic, ``tonic.io.read_mnist_file``): a file is a
plain sequence of events, 40 bits (5 bytes) each, big-endian fields, no header:

    byte 0       x address (pixels)
    byte 1       y address (pixels)
    byte 2       bit 7: polarity (0 off, 1 on); bits 6-0: timestamp bits 22-16
    bytes 3, 4   timestamp bits 15-8 and 7-0 (microseconds)

so timestamps have 23 bits (up to 8.39 s). Orchard's and Tonic's readers treat an event with
``y == 240`` as a timestamp-overflow marker that adds 2**13 us to every later timestamp and
is not itself an event (a legacy of the ATIS recordings); we read it the same way and never
write one (our writer refuses y = 240 and timestamps >= 2**23 rather than invent an
encoding).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.events.core import make_events

__all__ = ["NMNIST_SENSOR", "EventFileError", "read_nmnist", "write_nmnist"]

#: N-MNIST's sensor: 34 x 34 pixels (the ATIS crop used in the recordings).
NMNIST_SENSOR = (34, 34)
_OVERFLOW_Y = 240
_OVERFLOW_STEP = 2**13
_T_LIMIT = 2**23


class EventFileError(NeurosimError, ValueError):
    """An event file cannot be read (truncated, corrupt) or an event cannot be written."""


def read_nmnist(path: str | os.PathLike, *,
                sensor_size: tuple[int, int] | None = NMNIST_SENSOR) -> np.ndarray:
    """Read one N-MNIST ``.bin`` file into an event stream (:data:`EVENT_DTYPE`).

    Parameters
    ----------
    path
        The file.
    sensor_size
        ``(width, height)``: every event must lie inside it (a corrupt file usually puts
        bytes of timestamps where addresses should be). ``None`` skips the check.

    Returns
    -------
    numpy.ndarray
        The events, in file order (which is time order).

    Raises
    ------
    EventFileError
        If the file is not a whole number of 5-byte events (truncated), if timestamps go
        backwards, or if an address lies outside ``sensor_size``.
    """
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 5:
        raise EventFileError(
            f"{path}: truncated N-MNIST file: {raw.size} bytes is not a whole number of "
            f"5-byte events (the last event has {raw.size % 5} of its 5 bytes)")
    rec = raw.reshape(-1, 5).astype(np.int64)
    x, y = rec[:, 0], rec[:, 1]
    p = rec[:, 2] >> 7
    t = ((rec[:, 2] & 0x7F) << 16) | (rec[:, 3] << 8) | rec[:, 4]
    marker = y == _OVERFLOW_Y
    if marker.any():
        # each marker shifts every later timestamp by 2**13 us (Orchard's and Tonic's rule)
        t = t + _OVERFLOW_STEP * np.cumsum(marker)
        keep = ~marker
        x, y, t, p = x[keep], y[keep], t[keep], p[keep]
    if t.size > 1:
        back = np.flatnonzero(np.diff(t) < 0)
        if back.size:
            i = int(back[0]) + 1
            raise EventFileError(
                f"{path}: corrupt N-MNIST file: timestamps go backwards at event {i} "
                f"({int(t[i - 1])} us then {int(t[i])} us)")
    if sensor_size is not None:
        w, h = sensor_size
        bad = np.flatnonzero((x >= w) | (y >= h))
        if bad.size:
            i = int(bad[0])
            raise EventFileError(
                f"{path}: corrupt N-MNIST file: event {i} at (x={int(x[i])}, y={int(y[i])}) "
                f"lies outside the {w} x {h} sensor")
    return make_events(x, y, t, p, sort=False)


def write_nmnist(path: str | os.PathLike, events: np.ndarray) -> None:
    """Write an event stream in the N-MNIST binary format (5 bytes per event).

    Parameters
    ----------
    path
        The file to write (overwritten).
    events
        Structured array with fields x, y, t, p; ``0 <= x, y <= 255``, ``y != 240`` (the
        overflow marker), ``0 <= t < 2**23`` microseconds, non-decreasing, ``p`` in {0, 1}.

    Raises
    ------
    EventFileError
        If an event cannot be represented in the format.
    """
    if not isinstance(events, np.ndarray) or events.dtype.names is None or \
            not {"x", "y", "t", "p"} <= set(events.dtype.names):
        raise EventFileError("write_nmnist: events must be a structured array with fields "
                             f"x, y, t, p (got {type(events).__name__})")
    x, y, t, p = (np.asarray(events[k], dtype=np.int64) for k in ("x", "y", "t", "p"))
    checks = (
        ((x < 0) | (x > 255), "x must be in [0, 255]"),
        ((y < 0) | (y > 255), "y must be in [0, 255]"),
        (y == _OVERFLOW_Y, "y = 240 is reserved for timestamp-overflow markers"),
        ((t < 0) | (t >= _T_LIMIT), "t must be in [0, 2**23) us (23 bits)"),
        ((p != 0) & (p != 1), "p must be 0 or 1"),
    )
    for bad, why in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise EventFileError(f"write_nmnist: event {i} {tuple(events[i].tolist())}: {why}")
    if t.size > 1 and np.any(np.diff(t) < 0):
        i = int(np.flatnonzero(np.diff(t) < 0)[0]) + 1
        raise EventFileError(f"write_nmnist: timestamps must not decrease (event {i})")
    out = np.empty((x.size, 5), dtype=np.uint8)
    out[:, 0] = x
    out[:, 1] = y
    out[:, 2] = (p << 7) | (t >> 16)
    out[:, 3] = (t >> 8) & 0xFF
    out[:, 4] = t & 0xFF
    Path(path).write_bytes(out.tobytes())


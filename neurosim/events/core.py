"""Event streams as Tonic-style structured arrays, and their conversion to frames.

An event stream is a 1-D NumPy structured array with the fields of :data:`EVENT_DTYPE`,
``x, y, t, p`` (pixel or channel, row, time in microseconds, polarity 0/1), sorted by ``t``:
the layout of Tonic's datasets (``tonic.datasets.NMNIST.dtype``), so streams from Tonic or
from our readers can be used interchangeably. One-dimensional sensors (a cochlea: one event
per frequency channel) put the channel in ``x`` and 0 in ``y``, as Tonic does for its audio
sets (sensor size ``(n_channels, 1, 1)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurosim.errors import ParameterError

__all__ = ["EVENT_DTYPE", "center_crop", "events_to_frames", "make_events", "to_frames"]

#: x, y: int16 (sensor coordinates); t: int64 microseconds; p: int8 polarity (0 off, 1 on).
EVENT_DTYPE = np.dtype([("x", "<i2"), ("y", "<i2"), ("t", "<i8"), ("p", "<i1")])


def make_events(x: np.ndarray, y: np.ndarray, t: np.ndarray, p: np.ndarray,
                *, sort: bool = True) -> np.ndarray:
    """Build an event stream from four equal-length arrays (sorted by time, stable).

    Parameters
    ----------
    x, y, t, p
        Coordinates, timestamps (microseconds, integers) and polarities (0 or 1).
    sort
        Sort by ``t`` (stable, so simultaneous events keep their order).

    Returns
    -------
    numpy.ndarray
        Structured array of :data:`EVENT_DTYPE`.
    """
    x, y, t, p = (np.asarray(a).ravel() for a in (x, y, t, p))
    n = x.size
    if not (y.size == t.size == p.size == n):
        raise ParameterError("x, y, t, p", (x.size, y.size, t.size, p.size),
                             "arrays of one length", "make_events")
    ev = np.empty(n, dtype=EVENT_DTYPE)
    ev["x"], ev["y"], ev["t"], ev["p"] = x, y, t, p
    if sort and n:
        ev = ev[np.argsort(ev["t"], kind="stable")]
    return ev


def _check_events(events: np.ndarray, owner: str) -> None:
    if not isinstance(events, np.ndarray) or events.dtype.names is None or \
            not {"x", "y", "t", "p"} <= set(events.dtype.names):
        raise ParameterError("events", type(events).__name__,
                             "a structured array with fields x, y, t, p", owner)


def center_crop(events: np.ndarray, sensor_size: tuple[int, int],
                size: tuple[int, int]) -> np.ndarray:
    """Keep the events of the central ``size = (width, height)`` window, re-indexed from 0.

    The paper crops N-MNIST's 34 x 34 sensor to its central 16 x 16 (Lin et al. 2023).
    """
    _check_events(events, "center_crop")
    (w, h), (cw, ch) = sensor_size, size
    if not (0 < cw <= w and 0 < ch <= h):
        raise ParameterError("size", size, f"at most the sensor size {sensor_size}",
                             "center_crop")
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    keep = ((events["x"] >= x0) & (events["x"] < x0 + cw)
            & (events["y"] >= y0) & (events["y"] < y0 + ch))
    out = events[keep].copy()
    out["x"] -= x0
    out["y"] -= y0
    return out


def to_frames(events: np.ndarray, sensor_size: tuple[int, int], n_frames: int, *,
              duration: float | None = None, polarity: int | None = 1) -> np.ndarray:
    """Count the events of one stream in ``n_frames`` equal time bins.

    Parameters
    ----------
    events
        One stream.
    sensor_size
        ``(width, height)``; a 1-D sensor is ``(n_channels, 1)``.
    n_frames
        Number of time bins over ``[0, duration)``.
    duration
        Length of the window in microseconds; by default the last timestamp + 1 (Tonic's
        ``ToFrame(n_time_bins=...)`` spreads the bins over the stream the same way).
    polarity
        Keep only this polarity (the paper feeds the LSM one polarity); ``None`` keeps both
        as two channel blocks (off first, then on).

    Returns
    -------
    numpy.ndarray
        ``(n_frames, n_channels)`` int32 counts, channel ``y * width + x`` (+ ``width *
        height`` for the on block when both polarities are kept).
    """
    _check_events(events, "to_frames")
    if isinstance(n_frames, bool) or not isinstance(n_frames, int | np.integer) or n_frames < 1:
        raise ParameterError("n_frames", n_frames, "an int >= 1", "to_frames")
    w, h = sensor_size
    n_pix = w * h
    ev = events if polarity is None else events[events["p"] == polarity]
    span = duration if duration is not None else (
        float(events["t"].max()) + 1.0 if events.size else 1.0)
    out = np.zeros((n_frames, n_pix * (1 if polarity is not None else 2)), dtype=np.int32)
    if ev.size == 0:
        return out
    ok = (ev["x"] >= 0) & (ev["x"] < w) & (ev["y"] >= 0) & (ev["y"] < h) & \
        (ev["t"] >= 0) & (ev["t"] < span)
    ev = ev[ok]
    k = np.minimum((ev["t"].astype(np.float64) * n_frames / span).astype(np.int64),
                   n_frames - 1)
    ch = ev["y"].astype(np.int64) * w + ev["x"]
    if polarity is None:
        ch = ch + n_pix * (ev["p"] > 0)
    np.add.at(out, (k, ch), 1)
    return out


def events_to_frames(streams: Sequence[np.ndarray], sensor_size: tuple[int, int],
                     n_frames: int, *, duration: float | None = None,
                     polarity: int | None = 1) -> np.ndarray:
    """:func:`to_frames` over many streams: ``(n_streams, n_frames, n_channels)`` uint8.

    Counts are clipped at 255 (uint8 keeps a batch of thousands of samples small; the LSM
    reads a frame as the input voltage pattern of one step, so larger counts never occur in
    the paper's binarised frames anyway).
    """
    frames = [to_frames(s, sensor_size, n_frames, duration=duration, polarity=polarity)
              for s in streams]
    if not frames:
        w, h = sensor_size
        return np.zeros((0, n_frames, w * h * (1 if polarity is not None else 2)), np.uint8)
    return np.minimum(np.stack(frames), 255).astype(np.uint8)

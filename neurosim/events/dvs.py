"""A saccade-driven DVS emulator: static digit images into N-MNIST-like event streams.

N-MNIST was recorded by moving an ATIS camera in three saccades (the sides of a triangle,
about 100 ms each) in front of a screen showing each MNIST digit (Orchard et al., Front.
Neurosci. 9:437, 2015). We emulate that recording on scikit-learn's bundled ``load_digits``
images (8 x 8, 1797 samples, no download): the image is enlarged and padded onto a 16 x 16
sensor (the size of the paper's central N-MNIST crop), moved with sub-pixel bilinear shifts
along the same triangle, and every pixel behaves as a DVS pixel (P. Lichtsteiner et al.,
IEEE JSSC 43:566, 2008): it emits an ON (OFF) event each time its log intensity has risen
(fallen) by its contrast threshold since its last event. Thresholds differ from pixel to
pixel (fixed-pattern mismatch) and events are jittered within the emulator's time step.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import ndimage

from neurosim.errors import ParameterError
from neurosim.events.core import make_events
from neurosim.random import SeedLike, make_rng

__all__ = ["DIGITS_SENSOR", "digits_to_events", "load_event_digits", "rows_to_frames",
           "saccade_path"]

#: Sensor of the emulated recordings, (width, height).
DIGITS_SENSOR = (16, 16)


def saccade_path(n_steps: int, amplitude: float) -> np.ndarray:
    """Offsets ``(dy, dx)`` in pixels along N-MNIST's triangle of three saccades.

    The vertices are (0, 0), (amplitude, amplitude / 2), (0, amplitude) in (dx, dy) and back,
    each side taking a third of the ``n_steps`` with a smooth (cosine) velocity profile.
    """
    corners = np.array([[0.0, 0.0], [amplitude / 2, amplitude], [0.0, amplitude],
                        [0.0, 0.0]])  # (dy, dx)
    s = np.linspace(0.0, 3.0, n_steps, endpoint=False)
    side = np.minimum(s.astype(int), 2)
    frac = s - side
    ease = 0.5 - 0.5 * np.cos(np.pi * frac)
    return corners[side] + (corners[side + 1] - corners[side]) * ease[:, None]


def _bilinear_shift(padded: np.ndarray, pad: int, dy: float, dx: float, h: int,
                    w: int) -> np.ndarray:
    """``out[y, x] = I(y - dy, x - dx)``, bilinear, edges extended (``ndimage.shift``'s
    ``order=1, mode="nearest"``, five times faster on a stack of small images)."""
    y0, x0 = int(np.floor(-dy)), int(np.floor(-dx))
    fy, fx = -dy - y0, -dx - x0
    r, c = pad + y0, pad + x0

    def win(a: int, b: int) -> np.ndarray:
        return padded[:, r + a:r + a + h, c + b:c + b + w]

    return ((1 - fy) * ((1 - fx) * win(0, 0) + fx * win(0, 1))
            + fy * ((1 - fx) * win(1, 0) + fx * win(1, 1)))


def digits_to_events(images: np.ndarray, *, seed: SeedLike = 0, duration_ms: float = 300.0,
                     dt_ms: float = 2.0, amplitude: float = 2.0, contrast: float = 0.25,
                     contrast_sigma: float = 0.03, background: float = 0.05,
                     digit_size: int = 12) -> list[np.ndarray]:
    """Turn 8 x 8 (or any square) intensity images into DVS event streams by saccades.

    Parameters
    ----------
    images
        ``(n, h, w)`` intensities >= 0 (``load_digits`` uses 0..16); each is scaled by 16.
    seed
        Seed of the pixel thresholds and timestamp jitter.
    duration_ms, dt_ms
        Length of the three saccades and the emulator's time step.
    amplitude
        Size of the saccade triangle in pixels.
    contrast, contrast_sigma
        Mean and pixel-to-pixel standard deviation of the log-intensity threshold.
    background
        Screen intensity where the digit is dark (log of 0 is undefined).
    digit_size
        The image is resized (bilinear) to this many pixels before padding onto the sensor.

    Returns
    -------
    list of numpy.ndarray
        One stream per image (:data:`~neurosim.events.EVENT_DTYPE`, t in microseconds).
    """
    imgs = np.asarray(images, dtype=np.float64)
    if imgs.ndim != 3:
        raise ParameterError("images", imgs.shape, "an (n, h, w) array", "digits_to_events")
    w, h = DIGITS_SENSOR
    if not 0 < digit_size <= min(w, h) - 2:
        raise ParameterError("digit_size", digit_size, f"in [1, {min(w, h) - 2}]",
                             "digits_to_events")
    rng = make_rng(seed, "dvs")
    zoom = (1.0, digit_size / imgs.shape[1], digit_size / imgs.shape[2])
    big = np.clip(ndimage.zoom(imgs / 16.0, zoom, order=1), 0.0, 1.0)
    canvas = np.zeros((imgs.shape[0], h, w))
    y0, x0 = (h - digit_size) // 2 - 1, (w - digit_size) // 2 - 1  # room for the saccade
    canvas[:, y0:y0 + digit_size, x0:x0 + digit_size] = big
    log_i = np.log(background + (1.0 - background) * canvas)
    n_steps = round(duration_ms / dt_ms)
    path = saccade_path(n_steps, amplitude)
    thresh = np.maximum(contrast + contrast_sigma * rng.standard_normal((h, w)), 0.05)
    ref = log_i.copy()  # every pixel's level at its last event
    pad = int(np.ceil(amplitude)) + 2
    padded = np.pad(log_i, ((0, 0), (pad, pad), (pad, pad)), mode="edge")
    parts: list[tuple[np.ndarray, ...]] = []
    for k in range(1, n_steps):
        cur = _bilinear_shift(padded, pad, path[k, 0], path[k, 1], h, w)
        n_ev = np.trunc((cur - ref) / thresh).astype(np.int64)  # signed threshold crossings
        hit = np.nonzero(n_ev)
        if hit[0].size == 0:
            continue
        ref[hit] += n_ev[hit] * thresh[hit[1], hit[2]]
        rep = np.repeat(np.arange(hit[0].size), np.abs(n_ev[hit]))
        # events of one step are spread uniformly inside it (the pixel's own latency)
        t_us = ((k - 1 + rng.random(rep.size)) * dt_ms * 1000.0).astype(np.int64)
        parts.append((hit[0][rep], hit[2][rep], hit[1][rep], t_us,
                      (n_ev[hit][rep] > 0).astype(np.int8)))
    b, x, y, t, p = (np.concatenate([c[j] for c in parts]) if parts else np.zeros(0, np.int64)
                     for j in range(5))
    order = np.lexsort((t, b))  # by image, then time
    b, x, y, t, p = b[order], x[order], y[order], t[order], p[order]
    bounds = np.searchsorted(b, np.arange(imgs.shape[0] + 1))
    out = []
    for i in range(imgs.shape[0]):
        sl = slice(bounds[i], bounds[i + 1])
        out.append(make_events(x[sl], y[sl], t[sl], p[sl], sort=False))
    return out


def load_event_digits(n: int | None = None, *, seed: SeedLike = 0,
                      **kwargs: float) -> tuple[list[np.ndarray], np.ndarray]:
    """scikit-learn's ``load_digits`` as saccade event streams on a 16 x 16 sensor.

    Parameters
    ----------
    n
        Use the first ``n`` of the 1797 images (all by default).
    seed
        Seed of the emulator.
    **kwargs
        Passed to :func:`digits_to_events`.

    Returns
    -------
    (streams, labels)
    """
    if not isinstance(seed, int | np.integer):
        return _load_event_digits(n, seed, tuple(sorted(kwargs.items())))
    streams, labels = _cached_event_digits(n, int(seed), tuple(sorted(kwargs.items())))
    return list(streams), labels.copy()


def _load_event_digits(n, seed, kwargs):
    from sklearn.datasets import load_digits

    d = load_digits()
    images, labels = d.images, d.target
    if n is not None:
        images, labels = images[:n], labels[:n]
    return digits_to_events(images, seed=seed, **dict(kwargs)), labels.astype(np.int64)


@functools.lru_cache(maxsize=4)
def _cached_event_digits(n, seed, kwargs):
    # Emulating all 1797 recordings takes seconds; tests and notebooks ask for the same
    # set again and again. The cached streams are made read-only so a caller cannot
    # change them for the next one.
    streams, labels = _load_event_digits(n, seed, kwargs)
    for s in streams:
        s.flags.writeable = False
    return tuple(streams), labels


def rows_to_frames(images: np.ndarray, steps_per_row: int = 5) -> np.ndarray:
    """Present images row by row: row ``r`` drives one channel per column for a few steps.

    Pixel value ``v`` (0..16) becomes ``round(v * steps_per_row / 16)`` spikes in the first
    steps of its row's window, so an 8 x 8 digit is 8 channels x (8 * steps_per_row) steps.
    Summed over time every channel sees its column's total only: the row order, the digit's
    shape, exists only in time (the test that the reservoir keeps temporal information).

    Returns
    -------
    numpy.ndarray
        ``(n, n_rows * steps_per_row, n_cols)`` uint8 spikes.
    """
    imgs = np.asarray(images, dtype=np.float64)
    n, rows, cols = imgs.shape
    k = np.rint(imgs * steps_per_row / 16.0).astype(np.int64)
    out = np.zeros((n, rows * steps_per_row, cols), dtype=np.uint8)
    for s in range(steps_per_row):
        out[:, s::steps_per_row, :] = (k > s)
    return out

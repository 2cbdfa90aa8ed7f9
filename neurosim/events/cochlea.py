"""A 64-channel cochlear filterbank that turns sound into events, N-TIDIGITS style.

N-TIDIGITS (J. Anumula et al., "Feature representations for neuromorphic audio spike
streams", Front. Neurosci. 12:23, 2018) is TIDIGITS played to the Dynamic Audio Sensor, a
silicon cochlea of 64 band-pass channels whose outputs, half-wave rectified, drive
integrate-and-fire neurons (S.-C. Liu et al., IEEE TBioCAS 8:453, 2014). Our software
cochlea follows the same chain with SciPy:

1. 64 fourth-order gammatone filters (``scipy.signal.gammatone``) with centre frequencies
   equally spaced on the ERB-rate scale (B. R. Glasberg and B. C. J. Moore, Hear. Res.
   47:103, 1990) between ``f_lo`` and ``f_hi``;
2. half-wave rectification and a 2nd-order Butterworth low-pass (the envelope), sampled at
   1 kHz;
3. automatic gain (the loudest channel's peak -> 1), a noise floor and a compressive power
   law (the DAS's log-like front end);
4. one integrate-and-fire neuron per channel: an event each time the integral of the
   compressed envelope crosses a multiple of ``threshold``, timestamped by linear
   interpolation inside the millisecond.

The committed set :func:`load_spoken_digits` was made by ``benchmarks/data/
make_spoken_digits.py`` from espeak-ng utterances of "zero" ... "nine" across voices,
speeds and pitches.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
from scipy import signal

from neurosim.errors import ParameterError
from neurosim.events.core import make_events

__all__ = ["COCHLEA_CHANNELS", "cochlea_envelopes", "cochlea_events", "erb_space",
           "load_spoken_digits"]

#: Channels of the Dynamic Audio Sensor and of N-TIDIGITS.
COCHLEA_CHANNELS = 64
_ENV_RATE = 1000.0  # Hz: the envelope's sampling rate (1 ms resolution)


def erb_space(f_lo: float, f_hi: float, n: int) -> np.ndarray:
    """``n`` frequencies equally spaced on the ERB-rate scale, from ``f_lo`` to ``f_hi`` Hz."""
    if not 0 < f_lo < f_hi:
        raise ParameterError("f_lo, f_hi", (f_lo, f_hi), "0 < f_lo < f_hi", "erb_space")
    e_lo, e_hi = (21.4 * np.log10(1 + 0.00437 * f) for f in (f_lo, f_hi))
    return (10 ** (np.linspace(e_lo, e_hi, n) / 21.4) - 1) / 0.00437


def cochlea_envelopes(sound: np.ndarray, fs: float, *, n_channels: int = COCHLEA_CHANNELS,
                      f_lo: float = 100.0, f_hi: float = 7000.0) -> np.ndarray:
    """Rectified, low-passed gammatone outputs at 1 kHz: ``(n_channels, n_ms)``."""
    x = np.asarray(sound, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ParameterError("sound", x.shape, "a non-empty 1-D signal", "cochlea_envelopes")
    if f_hi >= fs / 2:
        raise ParameterError("f_hi", f_hi, f"below the Nyquist frequency {fs / 2} Hz",
                             "cochlea_envelopes")
    sos_lp = signal.butter(2, 100.0, fs=fs, output="sos")
    step = round(fs / _ENV_RATE)
    out = []
    for fc in erb_space(f_lo, f_hi, n_channels):
        b, a = signal.gammatone(fc, "iir", fs=fs)
        y = signal.lfilter(b, a, x)
        env = signal.sosfilt(sos_lp, np.maximum(y, 0.0))
        out.append(env[::step])
    return np.maximum(np.array(out), 0.0)


def cochlea_events(sound: np.ndarray, fs: float, *, threshold: float = 1.0,
                   floor: float = 0.02, exponent: float = 0.5,
                   n_channels: int = COCHLEA_CHANNELS, f_lo: float = 100.0,
                   f_hi: float = 7000.0) -> np.ndarray:
    """Events of a sound through the cochlea: x = channel (0 = lowest frequency), y = 0, p = 1.

    Parameters
    ----------
    sound, fs
        Mono signal and its sampling rate (Hz).
    threshold
        Integrate-and-fire threshold in (compressed envelope x ms): larger, fewer events.
    floor
        Noise floor, relative to the loudest channel's peak (silence makes no events).
    exponent
        Compression exponent of the envelope.

    Returns
    -------
    numpy.ndarray
        :data:`~neurosim.events.EVENT_DTYPE` stream, t in microseconds.
    """
    env = cochlea_envelopes(sound, fs, n_channels=n_channels, f_lo=f_lo, f_hi=f_hi)
    peak = env.max()
    if peak <= 0:
        return make_events(*(np.zeros(0, np.int64),) * 4)
    drive = np.maximum(env / peak - floor, 0.0) ** exponent
    acc = np.cumsum(drive, axis=1)  # integral in (drive x ms)
    level = np.floor(acc / threshold).astype(np.int64)
    prev_acc = np.concatenate([np.zeros((n_channels, 1)), acc[:, :-1]], axis=1)
    prev_level = np.concatenate([np.zeros((n_channels, 1), np.int64), level[:, :-1]], axis=1)
    n_new = level - prev_level
    ch, k = np.nonzero(n_new)
    counts = n_new[ch, k]
    rep = np.repeat(np.arange(counts.size), counts)
    # the j-th crossing in a millisecond is crossing number prev_level + j + 1
    j = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
    target = (prev_level[ch, k][rep] + j + 1) * threshold
    a0, a1 = prev_acc[ch, k][rep], acc[ch, k][rep]
    frac = (target - a0) / (a1 - a0)
    t_us = np.floor((k[rep] + frac) * 1000.0).astype(np.int64)
    return make_events(ch[rep], np.zeros(rep.size, np.int64), t_us,
                       np.ones(rep.size, np.int64))


def load_spoken_digits() -> tuple[list[np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """The committed spoken-digit event set (espeak-ng through :func:`cochlea_events`).

    Returns
    -------
    streams
        One event stream per utterance (64 channels, x = channel, p = 1).
    labels
        Digit of each utterance (int64, 0-9).
    meta
        Per utterance: ``voice``, ``speed`` (words per minute), ``pitch`` (espeak 0-99).
    """
    ref = resources.files("neurosim.events").joinpath("data/spoken_digits.npz")
    with resources.as_file(ref) as path, np.load(path, allow_pickle=False) as z:
        offsets = z["offsets"].astype(np.int64)
        ch = z["channel"].astype(np.int64)
        # timestamps are delta-coded within each utterance (they compress to a third)
        t_all = np.cumsum(z["dt_us"].astype(np.int64))
        labels = z["labels"].astype(np.int64)
        meta = {"voice": z["voice"], "speed": z["speed"], "pitch": z["pitch"]}
    streams = []
    for i in range(labels.size):
        a, b = int(offsets[i]), int(offsets[i + 1])
        t = t_all[a:b] - (t_all[a - 1] if a > 0 else 0)
        streams.append(make_events(ch[a:b], np.zeros(b - a, np.int64), t,
                                   np.ones(b - a, np.int64), sort=False))
    return streams, labels, meta

"""Make neurosim/events/data/spoken_digits.npz: spoken digits through the software cochlea.

Each utterance of "zero" ... "nine" is synthesised by espeak-ng (Debian package
``espeak-ng``; ``apt-get install espeak-ng``) with a voice (English accent + speaker
variant), speed and pitch drawn at random from a fixed seed, then turned into 64-channel
events by :func:`neurosim.events.cochlea_events` (N-TIDIGITS style). Only this script needs
the synthesiser; the tests read the committed file.

    .venv/bin/python benchmarks/data/make_spoken_digits.py [--per-digit 100] [--seed 0]

File layout (``numpy.savez_compressed``, no pickles): ``offsets`` (n + 1,) into the event
arrays; ``channel`` (uint8) and ``dt_us`` (uint32, time since the utterance's previous event,
the first one since its start) of every event; per utterance ``labels``, ``voice``,
``speed``, ``pitch``.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from neurosim.events.cochlea import cochlea_events

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd", "en-029")
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
SPEEDS = (120, 200)   # words per minute, drawn uniformly (espeak's default is 175)
PITCHES = (25, 75)    # espeak's 0-99 pitch scale (default 50)
THRESHOLD = 8.0       # cochlea IF threshold: ~500-800 events per utterance
OUT = Path(__file__).resolve().parents[2] / "neurosim" / "events" / "data" / "spoken_digits.npz"


def synthesise(word: str, voice: str, speed: int, pitch: int) -> tuple[int, np.ndarray]:
    """espeak-ng's waveform of ``word`` (sampling rate, float samples in [-1, 1])."""
    wav = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", str(speed),
                          "-p", str(pitch), word], capture_output=True, check=True).stdout
    with warnings.catch_warnings():
        # espeak-ng streams its WAV to stdout with a placeholder length in the header
        warnings.simplefilter("ignore", wavfile.WavFileWarning)
        fs, x = wavfile.read(io.BytesIO(wav))
    x = x.astype(np.float64) / 32768.0
    loud = np.flatnonzero(np.abs(x) > 0.01 * np.abs(x).max())
    return fs, x[loud[0]:loud[-1] + 1]  # trim the synthesiser's leading/trailing silence


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-digit", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng not found: apt-get install espeak-ng", file=sys.stderr)
        return 1
    rng = np.random.default_rng(args.seed)
    labels, voices, speeds, pitches, chans, dts, offsets = [], [], [], [], [], [], [0]
    for digit, word in enumerate(WORDS):
        for _ in range(args.per_digit):
            voice = f"{rng.choice(ACCENTS)}+{rng.choice(VARIANTS)}"
            speed = int(rng.integers(SPEEDS[0], SPEEDS[1] + 1))
            pitch = int(rng.integers(PITCHES[0], PITCHES[1] + 1))
            fs, x = synthesise(word, voice, speed, pitch)
            ev = cochlea_events(x, fs, threshold=THRESHOLD)
            t = ev["t"]
            chans.append(ev["x"].astype(np.uint8))
            dts.append(np.diff(t, prepend=0).astype(np.uint32))
            offsets.append(offsets[-1] + ev.size)
            labels.append(digit)
            voices.append(voice)
            speeds.append(speed)
            pitches.append(pitch)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, offsets=np.array(offsets, np.int64),
                        channel=np.concatenate(chans), dt_us=np.concatenate(dts),
                        labels=np.array(labels, np.int8), voice=np.array(voices),
                        speed=np.array(speeds, np.int16), pitch=np.array(pitches, np.int16))
    n_ev = offsets[-1]
    print(f"{len(labels)} utterances, {n_ev} events ({n_ev / len(labels):.0f} per utterance), "
          f"{args.out.stat().st_size / 1e6:.2f} MB -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Event data: Tonic-style streams, the N-MNIST file format, and two emulated sensors.

* :mod:`neurosim.events.core`: :data:`EVENT_DTYPE` (x, y, t, p), framing and cropping.
* :mod:`neurosim.events.inputs`: frames from frames, event streams with a transform (a Tonic
  chain) or a dataset of (sample, label) pairs (a Tonic dataset), for the LSM.
* :mod:`neurosim.events.nmnist`: read and write N-MNIST's 40-bit binary event files.
* :mod:`neurosim.events.dvs`: a saccade DVS emulator on scikit-learn's ``load_digits``.
* :mod:`neurosim.events.cochlea`: a 64-channel cochlear filterbank turning sound into events,
  and the committed spoken-digit set made with it (:func:`load_spoken_digits`).

See docs/lsm.md.
"""

from neurosim.events.cochlea import (
    COCHLEA_CHANNELS,
    cochlea_events,
    erb_space,
    load_spoken_digits,
)
from neurosim.events.core import (
    EVENT_DTYPE,
    center_crop,
    events_to_frames,
    make_events,
    to_frames,
)
from neurosim.events.dvs import (
    DIGITS_SENSOR,
    digits_to_events,
    load_event_digits,
    rows_to_frames,
    saccade_path,
)
from neurosim.events.inputs import as_frames, is_event_stream
from neurosim.events.nmnist import NMNIST_SENSOR, EventFileError, read_nmnist, write_nmnist

__all__ = [
    "COCHLEA_CHANNELS",
    "DIGITS_SENSOR",
    "EVENT_DTYPE",
    "NMNIST_SENSOR",
    "EventFileError",
    "as_frames",
    "center_crop",
    "cochlea_events",
    "digits_to_events",
    "erb_space",
    "events_to_frames",
    "is_event_stream",
    "load_event_digits",
    "load_spoken_digits",
    "make_events",
    "read_nmnist",
    "rows_to_frames",
    "saccade_path",
    "to_frames",
    "write_nmnist",
]

"""Frames for a frame-driven model from whatever a user holds: frames, event streams with a
transform (any callable, e.g. a Tonic ``Compose`` chain), or a dataset of ``(sample, label)``
pairs (a Tonic dataset object, with or without its own ``transform``).

Nothing here imports Tonic: a transform is any callable from one stream to an array whose
first axis is time (Tonic's ``ToFrame`` gives ``(T, P, H, W)``), and a dataset is anything
with ``len()`` and ``[i] -> (sample, label)``, as ``torch.utils.data.Dataset`` and every
Tonic dataset are. :func:`as_frames` flattens each frame to one row of ``n_inputs``
channels in C order, so ``ToFrame``'s ``(P, H, W)`` becomes the channel ``(p * H + y) * W
+ x``, the same as :func:`neurosim.events.to_frames` for one polarity (``y * W + x``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from neurosim.errors import ParameterError

__all__ = ["as_frames", "is_event_stream"]


def is_event_stream(x: Any) -> bool:
    """A 1-D structured array with (at least) the fields ``x``, ``t`` and ``p`` (Tonic's
    events; audio sets have no ``y``)."""
    return isinstance(x, np.ndarray) and x.dtype.names is not None and \
        {"x", "t", "p"} <= set(x.dtype.names)


def _dataset_pairs(x: Any) -> list[tuple[Any, Any]] | None:
    """Every ``(sample, label)`` of a dataset, each item read once; None if ``x`` is not
    one (an array, or items that are not pairs)."""
    if isinstance(x, np.ndarray) or not hasattr(x, "__len__") or \
            not hasattr(x, "__getitem__") or len(x) == 0:
        return None
    first = x[0]
    if not (isinstance(first, tuple) and len(first) == 2):
        return None
    return [first] + [x[i] for i in range(1, len(x))]


def _one(sample: Any, transform: Callable[[np.ndarray], Any] | None, n_inputs: int,
         k: int, owner: str) -> np.ndarray:
    if is_event_stream(sample):
        if transform is None:
            raise ParameterError("transform", None, "a callable turning one event stream "
                                 "into frames (e.g. tonic.transforms.ToFrame(...)), since "
                                 "the samples are event streams", owner)
        sample = transform(sample)
    a = np.asarray(sample)
    if a.ndim < 1 or a.dtype.names is not None or a.size % max(len(a), 1) or \
            (len(a) and a.size // len(a) != n_inputs):
        raise ParameterError(f"sample {k}", f"array of shape {a.shape}",
                             f"frames (T, ...) with {n_inputs} values per frame (the "
                             "model's n_inputs)", owner)
    return a.reshape(len(a), n_inputs)


def as_frames(data: Any, n_inputs: int, *, transform: Callable[[np.ndarray], Any] | None = None,
              owner: str = "as_frames") -> tuple[np.ndarray, np.ndarray | None]:
    """``(n_samples, T, n_inputs)`` frames and the labels a dataset carried (else ``None``).

    Parameters
    ----------
    data
        One of: a numeric ``(n_samples, T, n_inputs)`` array (returned as it is); a sequence
        of event streams (each goes through ``transform``) or of per-sample frame arrays; a
        dataset of ``(sample, label)`` pairs.
    n_inputs
        Channels per frame.
    transform
        Applied to every event stream (a Tonic chain such as
        ``Compose([Denoise(10_000), ToFrame(sensor_size, time_window=6000)])``).

    Returns
    -------
    (frames, labels)
        Frames as uint8 counts clipped at 255 when every sample is integer (as
        :func:`~neurosim.events.events_to_frames`), else float64; the samples must share
        one number of frames.
    """
    if isinstance(data, np.ndarray) and data.dtype.names is None:
        return data, None
    labels = None
    pairs = _dataset_pairs(data)
    if pairs is not None:
        samples = [s for s, _ in pairs]
        labels = np.asarray([lab for _, lab in pairs])
    elif isinstance(data, Sequence) or (isinstance(data, np.ndarray) and data.dtype == object):
        samples = list(data)
    elif is_event_stream(data):
        raise ParameterError("data", "one event stream", "a sequence of streams (one per "
                             "sample), frames, or a dataset", owner)
    else:
        raise ParameterError("data", type(data).__name__, "frames (n_samples, T, n_inputs), "
                             "a sequence of event streams or frames, or a dataset of "
                             "(sample, label) pairs", owner)
    rows = [_one(s, transform, n_inputs, k, owner) for k, s in enumerate(samples)]
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise ParameterError("data", f"samples of {sorted(lengths)} frames", "one number of "
                             "frames for every sample (fix the transform's time window, "
                             "e.g. ToFrame(..., start_time=0, end_time=...))", owner)
    if not rows:
        return np.zeros((0, 0, n_inputs), np.uint8), labels
    out = np.stack(rows)
    if np.issubdtype(out.dtype, np.integer):
        out = np.clip(out, 0, 255).astype(np.uint8)
    else:
        out = out.astype(np.float64)
    return out, labels

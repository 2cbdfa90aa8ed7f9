"""Plots that beat tables: spike rasters with marked events."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurosim.engines.data import SpikeData
from neurosim.units import ms

__all__ = ["raster"]


def raster(groups: Sequence[tuple[str, SpikeData]], marks: Sequence[tuple[float, str]] = (),
           title: str = "", ax=None):
    """Spike raster of several groups stacked bottom-up, times in ms.

    Parameters
    ----------
    groups
        ``(name, SpikeData)`` pairs, drawn in order from the bottom.
    marks
        ``(time in ms, text)`` pairs drawn as vertical lines with a label (operations).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        height = 2.0 + 0.06 * sum(d.size for _, d in groups)
        _, ax = plt.subplots(figsize=(12, min(max(height, 4.0), 16.0)))
    offset = 0
    ticks, labels = [], []
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, data) in enumerate(groups):
        t = np.asarray(data.times / ms, dtype=float)
        ax.scatter(t, data.indices + offset, s=8, marker="|", color=colors[k % len(colors)],
                   linewidths=1.2)
        ticks.append(offset + (data.size - 1) / 2)
        labels.append(f"{name} ({data.size})")
        offset += data.size
        ax.axhline(offset - 0.5, color="0.85", lw=0.5)
    top = offset - 0.5
    above = ax.get_xaxis_transform()  # x in data, y in axes fraction: labels above the plot
    for t, text in marks:
        ax.axvline(t, color="0.6", lw=0.6, ls=":")
        ax.text(t, 1.01, text, rotation=90, va="bottom", ha="center", fontsize=7, color="0.3",
                transform=above)
    ax.set_yticks(ticks, labels)
    ax.set_ylim(-0.5, top + 0.5)
    ax.set_xlabel("time (ms)")
    if title:
        ax.set_title(title, pad=70 if marks else 6)
    return ax

"""The conductance map of a crossbar: one panel per tile, G+ and G- side by side."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurosim.units import Quantity, second

__all__ = ["plot_conductance_map"]


def plot_conductance_map(array: Any, t: Quantity = 0.0 * second, noise: bool = False,
                         max_tiles: int = 16):
    """A matplotlib Figure of the programmed conductances (uS) of ``array``'s tiles.

    Parameters
    ----------
    array
        A programmed :class:`~neurosim.hardware_backends.crossbar.CrossbarArray`.
    t
        Read time (drift is applied; read noise only with ``noise=True``).
    noise
        Draw read noise (off by default: the map shows the stored state).
    max_tiles
        At most this many tiles are drawn (the first ones).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use(matplotlib.get_backend())  # respect MPLBACKEND (Agg in tests)
    import matplotlib.pyplot as plt

    g = array.conductances(t, noise=noise) * 1e6
    n = min(g.shape[0], max_tiles)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False)
    vmax = max(float(np.max(g[:n])), 1e-12)
    im = None
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_axis_off()
            continue
        im = ax.imshow(g[k], vmin=array.g_min * 1e6, vmax=vmax, cmap="viridis",
                       interpolation="nearest", aspect="auto")
        r, c = array.tiling.rows(k), array.tiling.cols(k)
        ax.set_title(f"tile {k}: rows {r.start}-{r.stop - 1}, w-cols {c.start}-{c.stop - 1}",
                     fontsize=8)
        ax.set_xlabel("column (even G+, odd G-)", fontsize=7)
        ax.set_ylabel("row", fontsize=7)
    fig.colorbar(im, ax=axes.ravel().tolist(), label="conductance (uS)")
    fig.suptitle(f"{array!r}, t = {float(t / second):g} s", fontsize=9)
    return fig

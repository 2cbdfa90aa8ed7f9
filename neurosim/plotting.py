"""Plots that beat tables: spike rasters with marked events, Sparsey's SISC curve, a
continual-learning accuracy matrix, training loss."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurosim.engines.data import SpikeData
from neurosim.units import ms

__all__ = ["accuracy_matrix", "loss_curve", "operation_strip", "raster", "save",
           "sisc_curve"]


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


def _figure(ax, size):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def sisc_curve(rows: Sequence[dict], chance: float, familiarity: np.ndarray | None = None,
               title: str = ""):
    """Sparsey's similarity-in, similarity-out curve: the code overlap of a perturbed input
    with the stored item's code against the input overlap (retrieval and the CSA's
    stochastic draw; ``rows`` as ``neurosim run sparsey`` writes them), the chance overlap
    1/K, and (given) the familiarity G of each item while it was learned. Returns the
    figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2 if familiarity is not None else 1, figsize=(11, 4.2),
                             squeeze=False)
    ax = axes[0, 0]
    x = [r["input_overlap"] for r in rows]
    ax.plot(x, [r["retrieval"] for r in rows], "o-", label="retrieval (argmax)")
    ax.plot(x, [r["csa"] for r in rows], "s--", label="CSA draw (stochastic)")
    ax.axhline(chance, color="grey", lw=1, ls=":", label=f"chance 1/K = {chance:.3f}")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.5)
    ax.set(xlabel="input overlap with the learned item", ylabel="code overlap",
           xlim=(0, 1.02), ylim=(0, 1.02), title=title or "similarity in, similarity out")
    ax.legend(fontsize="small", loc="upper left")
    if familiarity is not None:
        ax = axes[0, 1]
        ax.plot(np.arange(1, len(familiarity) + 1), familiarity, ".", ms=4)
        ax.set(xlabel="item (learning order)", ylabel="familiarity G when presented",
               ylim=(0, 1.02), title="familiarity while learning (novel items: low G)")
    fig.tight_layout()
    return fig


def accuracy_matrix(R: np.ndarray, title: str = "", ax=None):
    """A continual-learning accuracy matrix ``R[i, j]`` (accuracy on task j after training
    task i) as a labelled heatmap with each value written in its cell; the cells above the
    diagonal (tasks not yet seen) are drawn faint. Returns the axes."""
    R = np.asarray(R, dtype=float)
    n = R.shape[0]
    ax = _figure(ax, (2.6 + 0.7 * n, 1.4 + 0.6 * n))
    seen = np.tril(np.ones_like(R, dtype=bool))
    image = ax.imshow(np.where(seen, R, np.nan), vmin=0, vmax=1, cmap="viridis")
    ax.imshow(np.where(seen, np.nan, R), vmin=0, vmax=1, cmap="Greys", alpha=0.35)
    for i in range(n):
        for j in range(R.shape[1]):
            ax.text(j, i, f"{R[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if seen[i, j] and R[i, j] < 0.6 else "black")
    ax.set_xticks(range(R.shape[1]))
    ax.set_yticks(range(n))
    ax.set(xlabel="tested on task j", ylabel="after training task i")
    ax.set_title(title, fontsize="medium")
    ax.figure.colorbar(image, ax=ax, label="accuracy")
    return ax


def loss_curve(history: Sequence[dict], title: str = "", ax=None):
    """Training loss per epoch (``history`` as ``ELMNeuron.history_``); log scale when it
    falls by more than a decade. Returns the axes."""
    ax = _figure(ax, (6, 4))
    loss = np.array([h["loss"] for h in history], dtype=float)
    ax.plot(np.arange(1, len(loss) + 1), loss, "o-", ms=3)
    if loss.size and np.nanmin(loss) > 0 and np.nanmax(loss) / np.nanmin(loss) > 10:
        ax.set_yscale("log")
    from matplotlib.ticker import MaxNLocator

    ax.set(xlabel="epoch", ylabel="training loss", title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    return ax


def lsm_summary(accuracies: Sequence[float], seeds: Sequence[int], chance: float,
                confusion: np.ndarray, spikes: np.ndarray, sample_label: int,
                sample_predicted: int, title: str = ""):
    """The LSM at a glance: test accuracy per seed against chance, the readout's confusion
    matrix (one seed's test set, rows the true class), and the reservoir's spikes for one
    test sample (``spikes``: ``(T, n_reservoir)``) with what the readout made of it.
    Returns the figure."""
    import matplotlib.pyplot as plt

    fig, (a, b, c) = plt.subplots(1, 3, figsize=(16, 4.6),
                                  gridspec_kw={"width_ratios": [1, 1.1, 1.6]})
    x = np.arange(len(accuracies))
    a.bar(x, accuracies, color="tab:blue", alpha=0.8)
    a.axhline(float(np.mean(accuracies)), color="tab:blue", lw=1,
              label=f"mean {np.mean(accuracies):.3f}")
    a.axhline(chance, color="0.4", ls="--", lw=1, label=f"chance {chance:.2f}")
    a.set_xticks(x, [str(s) for s in seeds])
    a.set(xlabel="seed", ylabel="test accuracy", ylim=(0, 1), title="accuracy")
    a.legend(loc="lower right", fontsize=8)
    cm = np.asarray(confusion, dtype=float)
    frac = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    image = b.imshow(frac, vmin=0, vmax=1, cmap="viridis")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                b.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=7,
                       color="white" if frac[i, j] < 0.6 else "black")
    b.set_xticks(range(cm.shape[1]))
    b.set_yticks(range(cm.shape[0]))
    b.set(xlabel="readout's class", ylabel="true class",
          title=f"readout, seed {seeds[0]}: test confusion")
    fig.colorbar(image, ax=b, label="fraction of the true class", fraction=0.046)
    t, n = np.nonzero(np.asarray(spikes))
    c.scatter(t, n, s=2, marker="|", color="k")
    c.set(xlabel="time step (frame)", ylabel="reservoir neuron",
          title=f"reservoir, one test sample: class {sample_label}, readout says "
                f"{sample_predicted}")
    c.set_xlim(-0.5, np.asarray(spikes).shape[0] - 0.5)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def save(fig, path) -> None:
    """Write a figure (110 dpi) and close it."""
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


#: colours of the operation strip: what an operation was and whether its answer was right
STRIP_COLOURS = {"learn": "0.82", "right": "tab:green", "wrong": "tab:red",
                 "unscored": "tab:blue"}


def operation_strip(ax, starts_ms: Sequence[float], kinds: Sequence[str],
                    label_every: int = 10) -> None:
    """One coloured cell per operation along the time axis of ``ax`` (``kinds``: keys of
    :data:`STRIP_COLOURS`), the operation's number written every ``label_every``
    operations: a protocol of 100 operations stays legible where per-operation text would
    not."""
    from matplotlib.patches import Patch

    starts = np.asarray(starts_ms, dtype=float)
    width = np.diff(starts, append=starts[-1] + (np.median(np.diff(starts))
                                                 if len(starts) > 1 else 10.0))
    for k, (t, w, kind) in enumerate(zip(starts, width, kinds)):
        ax.axvspan(t, t + w * 0.92, color=STRIP_COLOURS[kind], lw=0)
        if k % label_every == 0:
            ax.text(t + w * 0.46, 0.5, str(k), ha="center", va="center", fontsize=7,
                    transform=ax.get_xaxis_transform())
    ax.set_yticks([])
    ax.set_ylabel("ops", rotation=0, ha="right", va="center")
    used = [k for k in STRIP_COLOURS if k in set(kinds)]
    ax.legend(handles=[Patch(color=STRIP_COLOURS[k], label=k) for k in used],
              loc="center left", bbox_to_anchor=(1.005, 0.5), ncol=len(used), fontsize="small",
              frameon=False, handlelength=1.0, columnspacing=0.8)

"""Hopfield capacity curve and multitasking amplitudes against theory, through resumable sweeps.

Runs two sweeps into one SQLite store (rerunning skips finished points) and draws:

- ``hopfield_capacity.png``: Mattis overlap after T = 0 dynamics from pattern 1 against the load
  alpha, at several N, with the AGS replica-symmetric m(alpha) (alpha_c = 0.138);
- ``multitask_amplitudes.png``: the amplitudes m_1..m_3 of the K = 3 multitasking network from
  the cascade (10 % spins flipped) against the dilution d, with (1 - d) d^(k-1) and the
  critical dilution d_c = 0.618 where the hierarchy stops being a fixed point.

Prints JSON with the largest deviation from theory inside the retrieval region (Hopfield,
alpha <= 0.12) and below d_c (multitasking).

Usage: ``python benchmarks/hebbian_phase_diagrams.py [--out DIR] [--workers N] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from neurosim.models.hopfield import hopfield_point
from neurosim.models.multitask_hebbian import multitask_point
from neurosim.sweeps import ParameterGrid, PhaseDiagram, run_sweep
from neurosim.theory import ags_critical, ags_overlap_curve, cascade_amplitudes, critical_dilution


def hopfield_capacity(store: Path, workers: int | None, quick: bool) -> tuple[dict, object]:
    sizes = [500, 2000] if quick else [500, 1000, 2000, 4000]
    alphas = np.round(np.linspace(0.02, 0.26, 7 if quick else 13), 4)
    grid = ParameterGrid({"alpha": list(alphas), "n_neurons": sizes},
                         repeats=2 if quick else 4, seed=0)
    ds = run_sweep(hopfield_point, grid, store, workers=workers).to_xarray()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for n in sizes:
        PhaseDiagram(ds.sel(n_neurons=n), "m", x="alpha", label=f"N = {n}").plot(ax=ax)
    fine = np.linspace(0.01, 0.26, 400)
    ax.plot(fine, ags_overlap_curve(fine), "k--", label="AGS theory (T = 0)")
    ax.axvline(ags_critical().alpha_c, color="grey", lw=0.8)
    ax.set(title="Hopfield network: retrieval from pattern 1", xlabel="load alpha = K/N",
           ylabel="Mattis overlap m")
    ax.legend(fontsize=8)
    inside = alphas <= 0.12
    mean = ds["m"].mean("repeat").sel(n_neurons=max(sizes)).values
    dev = float(np.max(np.abs(mean[inside] - ags_overlap_curve(alphas[inside]))))
    outside = alphas >= 0.2
    return {"sizes": sizes, "max_dev_inside_alpha_le_0.12": dev,
            "mean_m_alpha_ge_0.2": float(mean[outside].mean())}, fig


def multitask_amplitudes(store: Path, workers: int | None, quick: bool) -> tuple[dict, object]:
    dilutions = np.round(np.linspace(0.05, 0.85, 9 if quick else 17), 4)
    n = 4000 if quick else 10_000
    grid = ParameterGrid({"dilution": list(dilutions)}, repeats=2 if quick else 4, seed=1,
                         fixed={"n_neurons": n, "n_archetypes": 3, "flip_fraction": 0.1})
    ds = run_sweep(multitask_point, grid, store, workers=workers).to_xarray()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    fine = np.linspace(0.0, 0.9, 300)
    devs = []
    below = dilutions < critical_dilution(3)
    for k in range(3):
        theory = np.array([cascade_amplitudes(3, d)[k] for d in fine])
        PhaseDiagram(ds, f"m_{k + 1}", x="dilution", label=f"m_{k + 1} (N = {n})",
                     theory={f"(1 - d) d^{k}": (fine, theory)}).plot(ax=ax)
        mean = ds[f"m_{k + 1}"].mean("repeat").values
        exact = np.array([cascade_amplitudes(3, d)[k] for d in dilutions])
        devs.append(float(np.max(np.abs(mean[below] - exact[below]))))
    ax.axvline(critical_dilution(3), color="grey", lw=0.8, label="d_c = 0.618")
    ax.set(title="Multitasking network, K = 3: cascade amplitudes (dashed: (1-d) d^(k-1))",
           xlabel="dilution d", ylabel="Mattis overlap")
    ax.legend(fontsize=8)
    # below d_c the deviations are finite-size: an overlap fluctuates by ~1/sqrt(N)
    return {"n_neurons": n, "max_dev_below_d_c": max(devs),
            "finite_size_sigma": 1.0 / np.sqrt(n)}, fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("neurosim-out/hebbian"))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="smaller grids (a minute or less)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    store = args.out / "hebbian_sweeps.sqlite"
    report = {"benchmark": "hebbian_phase_diagrams", "store": str(store)}
    for name, study in (("hopfield_capacity", hopfield_capacity),
                        ("multitask_amplitudes", multitask_amplitudes)):
        summary, fig = study(store, args.workers, args.quick)
        fig.tight_layout()
        fig.savefig(args.out / f"{name}.png", dpi=120)
        plt.close(fig)
        report[name] = summary
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

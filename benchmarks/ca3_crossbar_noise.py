"""CA3 memory on the resistive crossbar: recall accuracy against programming noise.

Every weight of the CA3 network sits on a simulated crossbar (NeuRRAM's HfOx RRAM preset,
``fidelity="noisy"``: 16 levels, 1 % read noise, 8-bit converters) and learning is on-device
(each STDP event is a train of programming pulses). The device's programming noise
``sigma_prog`` is swept as a fraction of the conductance window ``G_max - G_min``: it is the
noise of the one-shot programming of the static weights and of every STDP pulse
(docs/crossbar.md). Each point: random protocols of learn / recall-by-cue / single-bit
recall-by-content (each cue learned once: the regime in which the software network is
exact, docs/ca3.md), several seeds.

    python benchmarks/ca3_crossbar_noise.py --plot docs/img/ca3_crossbar_noise.png

Prints one JSON document: the rows (size, sigma fraction, seed, correct, recalls, pulses)
and a summary per (size, sigma).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from neurosim.devices import neurram_wan2022
from neurosim.models import CA3Memory
from neurosim.models.ca3 import random_protocol, reference_results
from neurosim.units import siemens, to_si

FRACTIONS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.043, 0.06, 0.08, 0.1)
SIZES = ((5, 10), (8, 16))


def run_point(n_c: int, n_k: int, frac: float, seed: int, n_ops: int) -> dict:
    """One protocol on one device draw; returns the score and the ledger's pulse count."""
    base = neurram_wan2022()
    window = float(to_si(base.G_max)) - float(to_si(base.G_min))
    dev = base.replace(sigma_prog=frac * window * siemens)
    ops = random_protocol(n_c, n_k, n_ops, np.random.default_rng(1000 * seed + n_c),
                          overwrite=False, query_bits=1)
    expected = reference_results(ops)
    mem = CA3Memory(n_c, n_k, seed=seed, backend="crossbar", fidelity="noisy", device=dev)
    results = mem.run(ops, progress=False)
    scored = [(r.result == e) for r, e in zip(results, expected) if e is not None]
    return {"n_cues": n_c, "n_content": n_k, "sigma_frac": frac, "seed": seed,
            "correct": int(sum(scored)), "recalls": len(scored),
            "program_pulses": mem.ledger.counts.get("program_pulses", 0.0),
            "energy_pJ": mem.ledger.total_energy_pJ}


def plot(summary: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for (n_c, n_k), marker in zip(SIZES, "os"):
        rows = [r for r in summary if (r["n_cues"], r["n_content"]) == (n_c, n_k)]
        x = np.array([100 * r["sigma_frac"] for r in rows])
        y = np.array([100 * r["mean"] for r in rows])
        lo = np.array([100 * r["min"] for r in rows])
        hi = np.array([100 * r["max"] for r in rows])
        ax.plot(x, y, marker=marker, label=f"{n_c} cues x {n_k} bits")
        ax.fill_between(x, lo, hi, alpha=0.2)
    level = 100 / 15  # one level of NeuRRAM's 16
    ax.axvline(level / 2, color="grey", ls=":", lw=1)
    ax.text(level / 2, 5, " half a level", color="grey", fontsize=8)
    ax.set_xlabel("programming noise sigma_prog (% of the conductance window)")
    ax.set_ylabel("recalls correct (%)")
    ax.set_ylim(0, 102)
    ax.set_title("CA3 on a NeuRRAM crossbar, on-device STDP (mean, min-max over seeds)",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=150)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--plot", default=None, help="write the figure here")
    args = parser.parse_args()
    start = time.perf_counter()
    rows = [run_point(n_c, n_k, f, s, args.ops) for n_c, n_k in SIZES for f in FRACTIONS
            for s in range(args.seeds)]
    summary = []
    for n_c, n_k in SIZES:
        for f in FRACTIONS:
            pts = [r for r in rows if (r["n_cues"], r["n_content"], r["sigma_frac"])
                   == (n_c, n_k, f)]
            acc = [r["correct"] / r["recalls"] for r in pts]
            summary.append({"n_cues": n_c, "n_content": n_k, "sigma_frac": f,
                            "sigma_uS": f * 40.0, "mean": float(np.mean(acc)),
                            "min": float(np.min(acc)), "max": float(np.max(acc)),
                            "correct": sum(r["correct"] for r in pts),
                            "recalls": sum(r["recalls"] for r in pts)})
    if args.plot:
        plot(summary, args.plot)
    print(json.dumps({"device": "neurram_wan2022 (sigma_prog swept)", "fidelity": "noisy",
                      "plasticity": "device", "ops_per_protocol": args.ops,
                      "seeds": args.seeds, "wall_s": round(time.perf_counter() - start, 1),
                      "summary": summary, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()

"""``neurosim run ca3``: a random learn / overwrite / recall protocol on the CA3 memory.

Prints expected against recalled for every operation and the score; writes results.json,
spikes.npz and (with --plot) raster.png to --out. The model is reached through the registry.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path
from typing import Any

from neurosim import __version__, registry
from neurosim.commands.arguments import nonnegative_int, output_folder, positive_float, positive_int
from neurosim.errors import NeurosimError
from neurosim.provenance import git_hash

__all__ = ["add_ca3_parser", "cmd_run_ca3"]


def add_ca3_parser(run_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run ca3`` to the ``run`` subcommands."""
    ca3 = run_subparsers.add_parser(
        "ca3", help="CA3 content-addressable memory: a random learn/overwrite/recall protocol",
        description="Runs a random protocol of learn, overwrite, recall-by-cue and "
                    "recall-by-content operations on the CA3 memory (Casanueva-Morato et al. "
                    "2024), prints expected vs recalled for each operation and the score, and "
                    "writes results.json, spikes.npz and (with --plot) raster.png to --out.")
    ca3.add_argument("--n-cues", type=positive_int, default=5, help="cue neurons (capacity)")
    ca3.add_argument("--n-content", type=positive_int, default=10, help="content bits")
    ca3.add_argument("--ops", type=positive_int, default=40, help="number of operations")
    ca3.add_argument("--query-bits", type=nonnegative_int, default=1,
                     help="largest recall-by-content query (0: none). Queries of several bits "
                          "leave Hebbian cross-links in the published network: docs/ca3.md")
    ca3.add_argument("--query-mode", choices=["parallel", "serial"], default="parallel",
                     help="parallel: a query's bits spike together (the paper); serial: one "
                          "bit per --op-interval slot, the answer the union (exact OR-match "
                          "with --op-interval 20)")
    ca3.add_argument("--no-overwrite", action="store_true",
                     help="learn each cue at most once")
    ca3.add_argument("--protocol", choices=["random", "map"], default="random",
                     help="random: --ops random operations; map: the paper's map application "
                          "(16 cues x 6 bits, 16 learns then 4 queries; sets --n-cues 16 "
                          "--n-content 6, and 7 ms / 6 ms spacing unless given)")
    ca3.add_argument("--op-interval", type=positive_float, default=10.0,
                     help="ms between operation starts (>= 7: a learn lasts hold + 4 hops, a "
                          "recall 6 hops)")
    ca3.add_argument("--learn-interval", type=positive_float, default=None,
                     help="ms from a learn to the next operation (>= 7; default "
                          "--op-interval)")
    ca3.add_argument("--recall-interval", type=positive_float, default=None,
                     help="ms from a recall to the next operation (>= 6; default "
                          "--op-interval)")
    ca3.add_argument("--engine", default="auto",
                     help=f"one of {registry.names('engine')} or auto (numba, else brian2)")
    ca3.add_argument("--seed", type=int, default=0, help="seed of the protocol and simulation")
    ca3.add_argument("--backend", default=None,
                     help="run on a simulated hardware backend instead of an engine "
                          "(crossbar: weights on resistive crossbars, STDP as pulses)")
    ca3.add_argument("--device", default=None,
                     help="with --backend crossbar: a resistive device preset "
                          "(neurram_wan2022, pcm_joshi2020)")
    ca3.add_argument("--fidelity", default="noisy",
                     choices=["ideal", "quantised", "noisy", "full"],
                     help="with --backend crossbar: which physical effects are on")
    ca3.add_argument("--out", type=output_folder, default=None, help="folder for the results")
    ca3.add_argument("--plot", action="store_true", help="write raster.png to --out")
    return ca3


def _fmt(bits: Any) -> str:
    return "-" if bits is None else "{" + ", ".join(str(b) for b in sorted(bits)) + "}"


def _describe(op: Any) -> tuple[str, str]:
    name = type(op).__name__
    if name == "Learn":
        return "learn", f"cue {op.cue} <- {_fmt(op.content)}"
    if name == "RecallByCue":
        return "recall by cue", f"cue {op.cue}"
    return "recall by content", f"query {_fmt(op.query)}"


def cmd_run_ca3(args: argparse.Namespace) -> int:
    import numpy as np

    memory_cls = registry.get("model", "ca3")  # the core reaches models by the registry
    ca3 = importlib.import_module(memory_cls.__module__)
    from neurosim.units import ms

    if args.protocol == "map":
        ops = ca3.map_application_protocol()
        args.n_cues, args.n_content, args.ops = 16, 6, len(ops)
        if args.learn_interval is None and args.recall_interval is None:
            args.learn_interval, args.recall_interval = 7.0, 6.0  # the authors' spacing
    else:
        rng = np.random.default_rng(args.seed)
        ops = ca3.random_protocol(args.n_cues, args.n_content, args.ops, rng,
                                  overwrite=not args.no_overwrite, query_bits=args.query_bits)
    expected = ca3.reference_results(ops)
    start = time.perf_counter()
    params = ca3.CA3Params(
        op_interval=args.op_interval * ms, query_mode=args.query_mode,
        learn_interval=None if args.learn_interval is None else args.learn_interval * ms,
        recall_interval=None if args.recall_interval is None else args.recall_interval * ms)
    hardware = {}
    if args.backend is not None:
        hardware = {"backend": args.backend, "fidelity": args.fidelity,
                    "device": _device_preset(args.device)}
    elif args.device is not None:
        raise NeurosimError("--device needs --backend crossbar")
    mem = memory_cls(args.n_cues, args.n_content, engine=args.engine, seed=args.seed,
                     params=params, **hardware)
    results = mem.run(ops)
    wall = time.perf_counter() - start
    rows = operation_rows(results, expected)
    scored = [row for row in rows if row["correct"] is not None]
    n_ok = sum(row["correct"] for row in scored)
    pct = 100.0 * n_ok / len(scored) if scored else 100.0
    print(f"\nscore: {n_ok}/{len(scored)} recalls correct ({pct:.1f} %), "
          f"{args.ops} operations, {mem.simulation.engine_name} engine, "
          f"{wall:.1f} s wall time")
    if n_ok < len(scored):
        print("note: see docs/ca3.md for where the published network stops being exact.")
    if mem.ledger is not None:
        led = mem.ledger
        pulses = led.counts.get("program_pulses", 0.0)
        print(f"\n{args.backend} ledger ({args.fidelity}, device {args.device or 'default'}):")
        print(led)
        print(f"total: {led.total_energy_pJ:.4g} pJ, {led.total_latency_us:.4g} us, "
              f"{pulses:.0f} programming pulses, "
              f"{led.counts.get('row_reads', 0.0):.0f} row reads")
    if args.out is not None:
        _write_ca3_results(args, mem, rows, n_ok, len(scored), wall)
    return 0


def _device_preset(name: str | None) -> Any:
    """A resistive device preset by name (None: the backend's default)."""
    if name is None:
        return None
    from neurosim.devices import PRESETS, ResistiveDevice, preset

    dev = preset(name)
    if not isinstance(dev, ResistiveDevice):
        programmable = sorted(k for k in PRESETS if isinstance(preset(k), ResistiveDevice))
        raise NeurosimError(f"device {name!r} is a forming (random-weight) model, not a "
                            f"programmable cell; use one of {programmable}")
    return dev


def _second():
    from neurosim.units import second

    return second


def operation_rows(results: Any, expected: Any) -> list[dict[str, Any]]:
    """The operations table (printed) and its rows: each operation's start, kind, argument,
    expected and recalled answer and whether they agree (None where nothing is expected)."""
    rows = []
    print(f"{'#':>3}  {'t0 (ms)':>7}  {'operation':<18} {'argument':<28} {'expected':<22} "
          f"{'recalled':<22} ok")
    for k, (r, e) in enumerate(zip(results, expected)):
        kind, arg = _describe(r.op)
        ok = "" if e is None else ("yes" if r.result == e else "NO")
        t0 = float(r.t0 / (1e-3 * _second()))
        print(f"{k:>3}  {t0:>7.0f}  {kind:<18} {arg:<28} {_fmt(e):<22} {_fmt(r.result):<22} {ok}")
        rows.append({"index": k, "t0_ms": t0, "operation": kind, "argument": arg,
                     "expected": None if e is None else sorted(e),
                     "recalled": None if r.result is None else sorted(r.result),
                     "correct": None if e is None else r.result == e})
    return rows


def _write_ca3_results(args, mem, rows, n_ok, n_scored, wall) -> None:
    meta = {
        "model": "ca3", "n_cues": args.n_cues, "n_content": args.n_content, "ops": args.ops,
        "query_bits": args.query_bits, "overwrite": not args.no_overwrite,
        "op_interval_ms": args.op_interval, "query_mode": args.query_mode,
        "protocol": args.protocol, "learn_interval_ms": args.learn_interval,
        "recall_interval_ms": args.recall_interval,
        "engine": args.engine, "backend": args.backend, "device": args.device,
        "fidelity": args.fidelity if args.backend else None,
        "ledger": mem.ledger.as_dict() if mem.ledger is not None else None,
        "seed": args.seed, "neurosim": __version__, "git": git_hash(),
        "resources": mem.resources(), "score": {"correct": n_ok, "recalls": n_scored},
        "wall_time_s": wall, "params": mem.params.to_dict(), "operations": rows,
    }
    write_ca3_outputs(args.out, meta, mem.population_spikes(), mem.spec.to_json(indent=1),
                      rows, mem.n_cues, mem.n_content, args.plot)


def write_ca3_outputs(out: Path, meta: dict[str, Any], spikes: dict[str, Any],
                      spec_json: str | None, rows: list[dict[str, Any]], n_cues: int,
                      n_content: int, plot: bool) -> None:
    """results.json (``meta``), spikes.npz (every group's spikes, ms and indices),
    spec.json (when given) and, with ``plot``, raster.png of the input (IL) and output (OL)
    layers."""
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(meta, indent=2))
    arrays = {}
    for label, data in spikes.items():
        arrays[f"{label}_times_ms"] = np.asarray(data.times / (1e-3 * _second()))
        arrays[f"{label}_indices"] = data.indices
    np.savez_compressed(out / "spikes.npz", **arrays)
    written = ["results.json", "spikes.npz"]
    if spec_json is not None:
        (out / "spec.json").write_text(spec_json)
        written.append("spec.json")
    if plot:
        _plot_ca3({"input": spikes["IL"], "output": spikes["OL"]}, n_cues, n_content, rows,
                  out / "raster.png")
        written.append("raster.png")
    print(f"wrote {', '.join(written)} to {out}")


def _plot_ca3(spikes: dict[str, Any], n_cues: int, n_content: int, rows, path: Path) -> None:
    """The input and output layers' raster over an operations strip (grey learn, green a
    right recall, red a wrong one). Up to 30 operations each also gets its text above the
    raster; beyond, the strip numbers every tenth and the figure keeps a readable width."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from neurosim.plotting import operation_strip, raster

    few = len(rows) <= 30
    marks = []
    if few:
        for row in rows:
            label = {"learn": "L", "recall by cue": "C",
                     "recall by content": "K"}[row["operation"]]
            bad = "" if row["correct"] in (None, True) else " x"
            marks.append((row["t0_ms"], f"{label} {row['argument'].split(' ', 1)[-1]}{bad}"))
    kinds = ["learn" if row["operation"] == "learn" else
             "unscored" if row["correct"] is None else
             ("right" if row["correct"] else "wrong") for row in rows]
    fig, (ax, strip) = plt.subplots(2, 1, figsize=(max(10, len(rows) * 0.35) if few else 14,
                                                   6.5 if few else 7.5),
                                    height_ratios=[12, 1], sharex=True)
    n_wrong = kinds.count("wrong")
    raster([("input layer", spikes["input"]), ("output layer", spikes["output"])], marks,
           title=f"CA3 memory {n_cues} cues x {n_content} bits, {len(rows)} operations, "
                 f"{n_wrong} wrong recall(s)\n(cues below content in each layer"
                 + ("; L learn, C cue, K content)" if few else ")"), ax=ax)
    ax.set_xlabel("")
    operation_strip(strip, [row["t0_ms"] for row in rows], kinds)
    strip.set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

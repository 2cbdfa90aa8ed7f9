"""``neurosim run-nir FILE`` and ``neurosim deploy nir FILE --spinnaker``: a NIR graph
(written by snnTorch, Norse, Sinabs, ... or :func:`neurosim.nir.to_nir`) on an engine, on the
crossbar, on the SpiNNaker emulator or through sPyNNaker.

NIR files hold no input data: ``--inputs`` gives spikes for the Input nodes (an ``.npz``
with, per Input node, an ``(n, 2)`` array of ``[source index, time in ms]`` rows), or
``--input-rate-hz`` drives every Input element with seeded Poisson trains.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from neurosim import __version__
from neurosim.commands.arguments import (
    check_plot_has_out,
    output_folder,
    positive_float,
)
from neurosim.errors import NeurosimError, ParameterError

__all__ = ["add_deploy_nir_parser", "add_run_nir_parser", "cmd_deploy_nir", "cmd_run_nir"]

_UNITS = {"si": ("volt", "amp"), "mV-nA": ("mV", "nA")}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="a NIR file (nir.write's HDF5)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--inputs", type=Path, default=None,
                     help="an .npz with, per Input node, an (n, 2) array of [source index, "
                          "time in ms] rows")
    src.add_argument("--input-rate-hz", type=positive_float, default=None,
                     help="drive every Input element with Poisson trains of this rate "
                          "(seeded by --seed)")
    p.add_argument("--units", choices=sorted(_UNITS), default="si",
                   help="what one NIR unit of voltage and current is: si (V, A) or mV-nA "
                        "(threshold 1 -> 1 mV, r 1 -> 1 MOhm: hardware-sized for graphs "
                        "trained in machine units)")
    p.add_argument("--duration-ms", type=positive_float, default=100.0,
                   help="simulated time, ms")
    p.add_argument("--seed", type=int, default=0, help="root seed (inputs, connectivity)")
    p.add_argument("--record-v", action="store_true",
                   help="also record the membrane of the populations feeding Output nodes")
    p.add_argument("--out", type=output_folder, default=None,
                   help="folder for results.json, spikes.npz and spec.json")
    p.add_argument("--plot", action="store_true", help="write raster.png to --out")


def add_run_nir_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run-nir`` to the main subcommands."""
    p = subparsers.add_parser(
        "run-nir", help="run a NIR graph on an engine, the crossbar or the SpiNNaker emulator",
        description="Reads a NIR graph (neurosim.nir.from_nir: docs/nir.md states the units "
                    "and the one-step discretisation of its edges), runs it and prints each "
                    "population's spike count and rate.")
    _common(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--engine", default="numba",
                       help="a float engine (neurosim list): numba, brian2, reference, nest")
    where.add_argument("--backend", choices=["crossbar", "spinnaker-emulator"], default=None,
                       help="run on the simulated crossbar (ideal fidelity: the engine's "
                            "spikes) or on the SpiNNaker emulator (1 ms ticks, s16.15)")
    p.add_argument("--dt-ms", type=positive_float, default=None,
                   help="time step, ms (default 0.1; 1 on the SpiNNaker emulator)")
    p.add_argument("--fidelity", default="ideal",
                   help="crossbar fidelity (ideal, quantised, noisy, ...)")
    return p


def add_deploy_nir_parser(deploy_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``deploy nir`` beside ``deploy ca3``."""
    p = deploy_subparsers.add_parser(
        "nir", help="a NIR graph on SpiNNaker",
        description="Validates a NIR graph against sPyNNaker's limits and runs it on the "
                    "bit-accurate emulator (--emulate), on sPyNNaker's virtual board "
                    "(mapping, no spikes) or on a real board (--machine, --spalloc).")
    p.add_argument("--spinnaker", action="store_true", required=True,
                   help="deploy through sPyNNaker (the only hardware target so far)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--emulate", action="store_true",
                       help="run on neurosim's bit-accurate emulator of the board")
    where.add_argument("--machine", default=None, help="a SpiNNaker board's host name")
    where.add_argument("--spalloc", default=None, help="a spalloc server URL")
    p.add_argument("--version", type=int, default=None,
                   help="board version with --machine (3: SpiNN-3, 5: SpiNN-5)")
    p.add_argument("--dt-ms", type=positive_float, default=1.0, help="the board's tick, ms")
    _common(p)
    return p


def _spec(args: argparse.Namespace) -> Any:
    """The spec of the graph with its inputs."""
    from neurosim.network import SpikeSourceArray, SpikeSourcePoisson
    from neurosim.nir import from_nir
    from neurosim.units import Hz, amp, mV, nA, volt

    units = {"volt": volt, "amp": amp, "mV": mV, "nA": nA}
    vu, cu = (units[u] for u in _UNITS[args.units])
    if not args.file.exists():
        raise ParameterError("file", str(args.file), "an existing NIR file", "run-nir")
    import nir

    try:
        graph = nir.read(args.file)
    except (OSError, KeyError, ValueError) as err:
        raise ParameterError("file", str(args.file), f"a NIR file nir.read can open ({err})",
                             "run-nir") from None
    names = {nm: int(np.prod(node.input_type["input"])) for nm, node in graph.nodes.items()
             if type(node).__name__ == "Input"}
    inputs: dict[str, Any] = {}
    if args.input_rate_hz is not None:
        inputs = {nm: SpikeSourcePoisson(nm, n, rate=args.input_rate_hz * Hz)
                  for nm, n in names.items()}
    elif args.inputs is not None:
        data = np.load(args.inputs)
        for nm in data.files:
            if nm not in names:
                raise ParameterError("inputs", nm, f"names of Input nodes {sorted(names)}",
                                     "run-nir")
            rows = np.asarray(data[nm], dtype=float).reshape(-1, 2)
            idx = rows[:, 0].astype(int)
            if len(idx) and (idx.min() < 0 or idx.max() >= names[nm]):
                raise ParameterError(f"inputs[{nm!r}]", f"source index {idx.max()}",
                                     f"indices below {names[nm]}", "run-nir")
            inputs[nm] = SpikeSourceArray(nm, tuple(
                tuple(np.sort(rows[idx == i, 1] * 1e-3).tolist()) for i in range(names[nm])))
    record = ("spikes", "v") if args.record_v else ("spikes",)
    spec = from_nir(graph, inputs=inputs, record=record, voltage_unit=vu, current_unit=cu,
                    name=args.file.stem)
    silent = args.inputs is None and args.input_rate_hz is None
    return spec, silent


def _report(args: argparse.Namespace, spec: Any, spikes: dict[str, Any], where: str,
            seconds: float | None, extra: dict[str, Any] | None = None) -> None:
    dur = args.duration_ms * 1e-3
    rows = []
    print(f"{spec.name}: {len(spec.populations)} populations, {len(spec.projections)} "
          f"projections; {args.duration_ms:g} ms on {where}")
    for label, s in spikes.items():
        rate = len(s) / max(s.size, 1) / dur
        rows.append({"group": label, "size": s.size, "spikes": len(s), "rate_hz": rate})
        print(f"  {label:<24} {s.size:>6} cells {len(s):>8} spikes {rate:>9.2f} Hz")
    if seconds is not None:
        print(f"run time {seconds:.3f} s")
    if args.out is None:
        return
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"file": str(args.file), "where": where, "duration_ms": args.duration_ms,
            "seed": args.seed, "units": args.units, "groups": rows,
            "neurosim": __version__, **(extra or {})}
    (args.out / "results.json").write_text(json.dumps(meta, indent=1))
    np.savez(args.out / "spikes.npz", **{
        f"{k}:{f}": v for label, s in spikes.items()
        for k, f, v in ((label, "times_ms", np.asarray(s.times) * 1e3),
                        (label, "indices", s.indices))})
    (args.out / "spec.json").write_text(spec.to_json(indent=1))
    wrote = "results.json, spikes.npz, spec.json"
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        from neurosim.plotting import raster, save

        ax = raster(list(spikes.items()), title=f"{spec.name} on {where}")
        save(ax.figure, args.out / "raster.png")
        wrote += ", raster.png"
    print(f"wrote {wrote} to {args.out}")


def _prepare(args: argparse.Namespace) -> Any:
    """Checks shared by both commands, and the spec."""
    check_plot_has_out(args)
    spec, silent = _spec(args)
    if silent:
        print("no --inputs or --input-rate-hz: the Input nodes are silent (NIR files hold no "
              "data)")
    return spec


def _emulate(args: argparse.Namespace, spec: Any, dt_ms: float, show_validation: bool) -> int:
    from neurosim import registry
    from neurosim.units import ms

    result = registry.get("backend", "spinnaker-emulator")(
        spec, args.duration_ms * ms, timestep=dt_ms * ms, seed=args.seed)
    if show_validation:
        print(result.validation.summary())
    _report(args, spec, result.spikes, "the SpiNNaker emulator", result.seconds)
    return 0


def cmd_run_nir(args: argparse.Namespace) -> int:
    """Run ``neurosim run-nir``; 0 on success."""
    import time

    from neurosim import registry
    from neurosim.engines import get_engine
    from neurosim.units import ms

    spec = _prepare(args)
    duration = args.duration_ms * ms
    if args.backend == "spinnaker-emulator":
        return _emulate(args, spec, args.dt_ms or 1.0, show_validation=False)
    dt = (args.dt_ms or 0.1) * ms
    if args.backend == "crossbar":
        sim = registry.get("backend", "crossbar").build_simulation(
            spec, dt=dt, seed=args.seed, fidelity=args.fidelity)
        where = f"the crossbar ({args.fidelity})"
    else:
        sim = get_engine(args.engine).build(spec, dt=dt, seed=args.seed)
        where = f"the {args.engine} engine"
    start = time.perf_counter()
    sim.run(duration)
    seconds = time.perf_counter() - start
    spikes = {p.target: sim.spikes(p.target) for p in spec.probes if p.variable == "spikes"}
    _report(args, spec, spikes, where, seconds)
    return 0


def cmd_deploy_nir(args: argparse.Namespace) -> int:
    """Run ``neurosim deploy nir``; 0 on success."""
    from neurosim import registry
    from neurosim.units import ms

    spec = _prepare(args)
    duration = args.duration_ms * ms
    if args.emulate:
        return _emulate(args, spec, args.dt_ms, show_validation=True)
    options = {k: v for k, v in (("machine", args.machine), ("spalloc", args.spalloc),
                                 ("version", args.version)) if v is not None}
    result = registry.get("backend", "spinnaker")(spec, duration, timestep=args.dt_ms * ms,
                                                  seed=args.seed, **options)
    print(result.validation.summary())
    print(result.mapping.summary())
    print(f"run folder: {result.run_dir}")
    if not result.simulated:
        print("virtual board: the network was mapped; no spikes come back from a virtual run")
        if args.out is not None or args.plot:
            raise NeurosimError("a virtual board returns no spikes: --out and --plot need "
                                "--emulate or a real board")
        return 0
    _report(args, spec, result.spikes, "SpiNNaker", result.seconds)
    return 0

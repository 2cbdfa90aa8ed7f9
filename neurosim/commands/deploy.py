"""``neurosim deploy ca3 --spinnaker ...``: a CA3 protocol on SpiNNaker through sPyNNaker.

Without a board the network is mapped on sPyNNaker's virtual board: the pre-flight
validation and the mapping report (cores, chips, routing entries, SDRAM) come back, spikes
do not. With ``--machine``/``--spalloc`` it runs on hardware and the answers are scored.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from neurosim import __version__, registry
from neurosim.commands.arguments import check_plot_has_out, output_folder, positive_int
from neurosim.commands.ca3 import operation_rows, write_ca3_outputs
from neurosim.commands.nir import add_deploy_nir_parser, cmd_deploy_nir
from neurosim.errors import NeurosimError
from neurosim.provenance import git_hash

__all__ = ["add_deploy_parser", "cmd_deploy"]


def add_deploy_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``deploy ca3`` and ``deploy nir`` to the main parser's subcommands."""
    deploy = subparsers.add_parser("deploy", help="run a model on neuromorphic hardware")
    models = deploy.add_subparsers(dest="model", required=True)
    ca3 = models.add_parser(
        "ca3", help="the CA3 memory on SpiNNaker",
        description="Validates the CA3 network against sPyNNaker's limits, then maps (virtual "
                    "board) or runs (real board, spalloc) a random protocol and prints the "
                    "mapping report.")
    where = ca3.add_mutually_exclusive_group()
    ca3.add_argument("--spinnaker", action="store_true", required=True,
                     help="deploy through sPyNNaker (the only hardware target so far)")
    where.add_argument("--virtual", action="store_true",
                       help="sPyNNaker's virtual board (the default): mapping, no spikes")
    where.add_argument("--machine", default=None, help="a SpiNNaker board's host name")
    where.add_argument("--spalloc", default=None, help="a spalloc server URL")
    ca3.add_argument("--emulate", action="store_true",
                     help="run on neurosim's bit-accurate emulator of the board's arithmetic "
                          "(spikes as a board would give them; no sPyNNaker mapping)")
    ca3.add_argument("--version", type=int, default=None,
                     help="board version with --machine (3: SpiNN-3, 5: SpiNN-5)")
    ca3.add_argument("--n-cues", type=positive_int, default=5,
                     help="cue neurons (capacity)")
    ca3.add_argument("--n-content", type=positive_int, default=10,
                     help="content bits")
    ca3.add_argument("--ops", type=positive_int, default=40,
                     help="operations of the random protocol")
    ca3.add_argument("--seed", type=int, default=0,
                     help="seed of the protocol and the connectivity")
    ca3.add_argument("--run-dir", type=output_folder, default=None,
                     help="folder for sPyNNaker's configuration, reports and log "
                          "(default: a new temporary folder; not with --emulate)")
    ca3.add_argument("--out", type=output_folder, default=None,
                     help="folder for results.json, spikes.npz, spec.json (with spikes: "
                          "--emulate or a real board)")
    ca3.add_argument("--plot", action="store_true", help="write raster.png to --out")
    add_deploy_nir_parser(models)
    return deploy


def cmd_deploy(args: argparse.Namespace) -> int:
    """Run ``neurosim deploy ca3`` (or ``deploy nir``); 0 on success."""
    import numpy as np

    if args.model == "nir":
        return cmd_deploy_nir(args)

    # the core reaches models through the registry only
    memory_cls = registry.get("model", "ca3")
    ca3 = importlib.import_module(memory_cls.__module__)
    if args.emulate and args.run_dir is not None:
        raise NeurosimError("--run-dir is sPyNNaker's folder; the emulator has none: give "
                            "--out for its results")
    check_plot_has_out(args)
    mem = memory_cls(args.n_cues, args.n_content, engine="reference", seed=args.seed)
    ops = ca3.random_protocol(args.n_cues, args.n_content, args.ops,
                              np.random.default_rng(args.seed))
    options = {k: v for k, v in (("machine", args.machine), ("spalloc", args.spalloc),
                                 ("version", args.version), ("run_dir", args.run_dir))
               if v is not None}
    backend = "spinnaker-emulator" if args.emulate else "spinnaker"
    out = mem.deploy(ops, backend=backend, **({} if args.emulate else options))
    result = out.result
    print(result.validation.summary())
    if args.emulate:
        print(f"emulated {len(ops)} operations in {result.seconds:.3f} s (bit-accurate "
              "fixed-point arithmetic of the board; docs/spinnaker_emulator.md)")
        lost = {k: v for k, v in result.stdp_history_losses.items() if v}
        if lost:
            print(f"STDP pairings lost to the board's 16-entry post-event history: {lost}")
    else:
        print(result.mapping.summary())
        print(f"run folder: {result.run_dir}")
    if out.results is None:
        print("virtual board: the network was mapped; no spikes come back from a virtual run")
        return 0
    expected = ca3.reference_results(ops)
    rows = operation_rows(out.results, expected)
    scored = [row["correct"] for row in rows if row["correct"] is not None]
    where = "in the emulator" if args.emulate else "on the board"
    print(f"score: {sum(scored)}/{len(scored)} recalls correct {where}")
    if args.out is not None:
        meta = {"model": "ca3", "backend": backend, "n_cues": args.n_cues,
                "n_content": args.n_content, "ops": args.ops, "seed": args.seed,
                "machine": args.machine, "spalloc": args.spalloc,
                "neurosim": __version__, "git": git_hash(),
                "score": {"correct": sum(scored), "recalls": len(scored)},
                "stdp_history_losses": getattr(result, "stdp_history_losses", None),
                "params": mem.params.to_dict(), "operations": rows}
        spec = getattr(result, "spec", None)
        write_ca3_outputs(args.out, meta, result.spikes,
                          None if spec is None else spec.to_json(indent=1), rows,
                          args.n_cues, args.n_content, args.plot)
    return 0

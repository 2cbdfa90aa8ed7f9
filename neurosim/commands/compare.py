"""``neurosim compare``: one network on several engines, and how well they agree."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from neurosim.commands.arguments import output_folder, positive_float

__all__ = ["add_compare_parser", "cmd_compare"]


def add_compare_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``compare`` to the main subcommands."""
    cmp = subparsers.add_parser(
        "compare", help="run one network on several engines and measure their agreement",
        description="Runs a NetworkSpec (a JSON file written by spec.to_json(), or a built-in "
                    "example) on several engines with one seed and reports spike agreement, "
                    "van Rossum distance, rate error and weight-trajectory error against the "
                    "first engine; writes report.json and comparison.png to --out.")
    src = cmp.add_mutually_exclusive_group(required=True)
    src.add_argument("spec", nargs="?", type=Path, help="a NetworkSpec JSON file")
    src.add_argument("--example", choices=["coba"],
                     help="coba: the Vogels-Abbott E/I network at 2000 neurons")
    cmp.add_argument("--engines", default="numba,brian2,reference",
                     help="comma-separated engine names; the first is the reference")
    cmp.add_argument("--duration-ms", type=positive_float, default=200.0,
                     help="simulated time, ms")
    cmp.add_argument("--dt-ms", type=positive_float, default=0.1, help="time step, ms")
    cmp.add_argument("--seed", type=int, default=0,
                     help="root seed (connectivity, initial values, Poisson)")
    cmp.add_argument("--out", type=output_folder, default=None)
    return cmp


def cmd_compare(args: argparse.Namespace) -> int:
    from neurosim.comparison import compare
    from neurosim.network import NetworkSpec
    from neurosim.units import ms

    if args.example == "coba":
        from neurosim.network.examples import vogels_abbott_coba

        spec = vogels_abbott_coba(2000, 0.04)
    else:
        spec = NetworkSpec.from_json(args.spec.read_text())
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    report = compare(spec, engines, duration=args.duration_ms * ms, dt=args.dt_ms * ms,
                     seed=args.seed)
    print(report.table())
    print("identical spikes on every engine" if report.identical
          else "engines differ: see the agreement column")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "report.json").write_text(json.dumps(report.to_dict(), indent=2))
        import matplotlib

        matplotlib.use("Agg")
        report.plot(str(args.out / "comparison.png"))
        print(f"wrote report.json, comparison.png to {args.out}")
    return 0

"""The ``neurosim`` command line: the parser and dispatch; each subcommand is a module of
:mod:`neurosim.commands` (``list`` is here).

Models and engines are found through :mod:`neurosim.registry` and imported only when used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from neurosim import __version__, registry
from neurosim.commands.ca3 import add_ca3_parser, cmd_run_ca3
from neurosim.commands.compare import add_compare_parser, cmd_compare
from neurosim.commands.deploy import add_deploy_parser, cmd_deploy
from neurosim.commands.elm import add_elm_parser, cmd_run_elm
from neurosim.commands.hlop import add_hlop_parser, cmd_run_hlop
from neurosim.commands.lsm import add_lsm_parser, cmd_run_lsm
from neurosim.commands.pynn import add_pynn_parser, cmd_pynn
from neurosim.commands.sparsey import add_sparsey_parser, cmd_run_sparsey
from neurosim.errors import NeurosimError
from neurosim.sweeps.command import add_plot_parser, add_sweep_parser, cmd_plot, cmd_sweep
from neurosim.sweeps.target import SweepTarget, get_target, target_names


def _sweep_targets() -> list[SweepTarget]:
    return [get_target(n) for n in target_names()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurosim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"neurosim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list models, engines and hardware backends")
    run = sub.add_parser("run", help="run a model's protocol")
    models = run.add_subparsers(dest="model", required=True)
    add_ca3_parser(models)
    add_sparsey_parser(models)
    add_elm_parser(models)
    add_hlop_parser(models)
    add_lsm_parser(models)
    add_compare_parser(sub)
    add_sweep_parser(sub, _sweep_targets())
    add_plot_parser(sub)
    add_deploy_parser(sub)
    add_pynn_parser(sub)
    return parser


def cmd_list() -> int:
    for kind, title in (("model", "Models"), ("engine", "Engines"), ("backend", "Backends")):
        entries = registry.table(kind)
        print(f"{title}:")
        if not entries:
            print("  (none yet)")
        for e in entries:
            print(f"  {e.name:<20} {e.summary}")
    print("Sweeps (neurosim sweep NAME --axis ...):")
    for t in _sweep_targets():
        print(f"  {t.name:<20} {t.summary}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "run":
            runners = {"ca3": cmd_run_ca3, "sparsey": cmd_run_sparsey, "elm": cmd_run_elm,
                       "hlop": cmd_run_hlop, "lsm": cmd_run_lsm}
            return runners[args.model](args)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command == "sweep":
            return cmd_sweep(args, _sweep_targets())
        if args.command == "plot":
            return cmd_plot(args)
        if args.command == "deploy":
            return cmd_deploy(args)
        if args.command == "pynn":
            return cmd_pynn(args)
    except NeurosimError as err:
        print(f"neurosim: error: {err}", file=sys.stderr)
        return 2
    return 1  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

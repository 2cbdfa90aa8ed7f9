"""The ``neurosim`` command line: the parser and dispatch; each subcommand is a module of
:mod:`neurosim.commands` (``list`` is here).

Models and engines are found through :mod:`neurosim.registry` and imported only when used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from neurosim import __version__, registry
from neurosim.commands.ca3 import add_ca3_parser, cmd_run_ca3
from neurosim.commands.compare import add_compare_parser, cmd_compare
from neurosim.commands.deploy import add_deploy_parser, cmd_deploy
from neurosim.commands.elm import add_elm_parser, cmd_run_elm
from neurosim.commands.hlop import add_hlop_parser, cmd_run_hlop
from neurosim.commands.lsm import add_lsm_parser, cmd_run_lsm
from neurosim.commands.nir import add_run_nir_parser, cmd_run_nir
from neurosim.commands.pynn import add_pynn_parser, cmd_pynn
from neurosim.commands.sparsey import add_sparsey_parser, cmd_run_sparsey
from neurosim.errors import NeurosimError
from neurosim.sweeps.command import add_plot_parser, add_sweep_parser, cmd_plot, cmd_sweep
from neurosim.sweeps.target import SweepTarget, get_target, target_names


def _sweep_targets() -> list[SweepTarget]:
    return [get_target(n) for n in target_names()]


DESCRIPTION = """neurosim: neuromorphic spiking and Hebbian models on Brian2 and Numba, on
SpiNNaker and on simulated resistive crossbars."""

EXAMPLES = """examples:
  neurosim list                                   models, engines, backends, sweeps
  neurosim run ca3 --ops 40 --out results/ca3 --plot
  neurosim run ca3 --backend crossbar --device neurram_wan2022
  neurosim compare --example coba --engines numba,brian2
  neurosim sweep hopfield --axis alpha=0.05:0.2:8 --store sweeps.sqlite
  neurosim deploy ca3 --spinnaker --emulate
  neurosim run-nir net.nir --input-rate-hz 50 --engine numba
  neurosim deploy nir net.nir --spinnaker --emulate --units mV-nA --input-rate-hz 50
  neurosim pynn my_script.py                      a PyNN script on neurosim

'neurosim COMMAND --help' shows each command's options and their defaults. Bad input exits
with 2, a failed run with 1, each with one line; --debug shows the traceback.
Docs: README.md, docs/ (engines.md, cells.md, ca3.md, sweeps.md, spinnaker.md, crossbar.md)."""


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default after its help, unless the help already says it ("default")
    or the option is a flag (off unless given)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text.lower() or isinstance(action, argparse._StoreTrueAction):
            return action.help
        return super()._get_help_string(action)


class NeurosimParser(argparse.ArgumentParser):
    """argparse's parser with each option's default in its help; subcommands' parsers are
    made of the same class (argparse uses the parent's), so every command shows them."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", _DefaultsFormatter)
        super().__init__(*args, **kwargs)


class _HelpFormatter(_DefaultsFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown; the description and epilog kept as written (the top level's)."""


def build_parser() -> argparse.ArgumentParser:
    parser = NeurosimParser(prog="neurosim", description=DESCRIPTION, epilog=EXAMPLES,
                            formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"neurosim {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, show the whole traceback instead of one line")
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
    add_run_nir_parser(sub)
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
    """Run the command line; the exit code: 0 done, 2 bad input (a
    :class:`~neurosim.errors.NeurosimError`, or argparse's own), 1 a run that failed.
    Either error prints one line, ``neurosim: error: ...``; ``--debug`` re-raises it."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except NeurosimError as err:
        if args.debug:
            raise
        print(f"neurosim: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        raise
    except Exception as err:  # a failed run: one line, the traceback with --debug
        if args.debug:
            raise
        print(f"neurosim: error: the run failed: {type(err).__name__}: {err} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    """The subcommand's handler for parsed ``args``."""
    if args.command == "list":
        return cmd_list()
    if args.command == "run":
        runners = {"ca3": cmd_run_ca3, "sparsey": cmd_run_sparsey, "elm": cmd_run_elm,
                   "hlop": cmd_run_hlop, "lsm": cmd_run_lsm}
        return runners[args.model](args)
    if args.command == "compare":
        return cmd_compare(args)
    if args.command == "run-nir":
        return cmd_run_nir(args)
    if args.command == "sweep":
        return cmd_sweep(args, _sweep_targets())
    if args.command == "plot":
        return cmd_plot(args)
    if args.command == "deploy":
        return cmd_deploy(args)
    if args.command == "pynn":
        return cmd_pynn(args)
    return 1  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""``neurosim pynn SCRIPT [ARGS]``: run a PyNN script on ``neurosim.pynn`` unmodified.

Scripts written for ``pyNN.utility.get_simulator`` take the simulator's name as their first
argument and import ``pyNN.<name>``. This command makes ``neurosim.pynn`` importable as
``pyNN.neurosim`` and runs the script as ``python SCRIPT neurosim ARGS``, so nothing in the
script changes. A script that imports ``neurosim.pynn`` itself runs the same way.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_pynn_parser", "cmd_pynn"]


def add_pynn_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``pynn`` to the main subcommands."""
    cmd = subparsers.add_parser(
        "pynn", help="run a PyNN script on neurosim.pynn (as 'python SCRIPT neurosim ARGS')",
        description=__doc__.splitlines()[0])
    cmd.add_argument("script", type=Path, help="a PyNN script")
    cmd.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    return cmd


def cmd_pynn(args: argparse.Namespace) -> int:
    from neurosim.errors import ParameterError

    if not args.script.is_file():
        raise ParameterError("script", str(args.script), "an existing PyNN script file",
                             "neurosim pynn")
    import neurosim.pynn

    neurosim.pynn.register()
    old = sys.argv
    sys.argv = [str(args.script), "neurosim", *args.args]
    try:
        runpy.run_path(str(args.script), run_name="__main__")
    finally:
        sys.argv = old
    return 0

"""The ``neurosim sweep`` command: run, status, export, plot.

Wire it into the main parser with :func:`add_sweep_parser` and dispatch ``args.command ==
"sweep"`` to :func:`cmd_sweep` (pass both the same named targets, if any). Nothing heavy is
imported until a subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from neurosim.commands.arguments import add_progress_argument
from neurosim.errors import EngineUnavailable, ParameterError

__all__ = ["add_plot_parser", "add_run_arguments", "add_sweep_parser", "add_theory_argument",
           "cmd_plot", "cmd_sweep", "load_function", "run_from_args", "write_csv"]


def add_run_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the grid and execution options of a sweep run (--axis, --fixed, --repeats, --seed,
    --store, --workers, --dask, --name, --no-progress) to ``parser``."""
    parser.add_argument("--axis", action="append", required=True, metavar="SPEC",
                        help="an axis: 'alpha=0.02:0.30:15' (15 values, ends included), "
                             "'N=10:1000:5:log', 'N=50,100,200', 'tau=1:10:5 ms'; repeatable")
    parser.add_argument("--fixed", action="append", default=[], metavar="NAME=VALUE",
                        help="a constant parameter: 'N=100', 'tau=5 ms'; repeatable")
    parser.add_argument("--repeats", type=int, default=1, help="runs per grid point")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the sweep")
    parser.add_argument("--store", type=Path, required=True, help="SQLite results file")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: the cores available; 1: in this process)")
    parser.add_argument("--dask", default=None, metavar="ADDRESS",
                        help="'local' (a LocalCluster of --workers processes) or a scheduler "
                             "address such as tcp://host:8786")
    parser.add_argument("--name", default=None,
                        help="sweep name in the store (default: module.function)")
    add_progress_argument(parser)
    return parser


def add_sweep_parser(subparsers: Any, targets: Iterable[Any] = ()) -> argparse.ArgumentParser:
    """Add ``sweep`` (with ``run``, ``status``, ``export``, ``plot``) to ``subparsers``.

    ``targets``: named sweep functions, each with ``name``, ``summary``, ``parameters``
    (allowed axis names) and ``load()`` (the function); each becomes a subcommand
    ``neurosim sweep NAME --axis ...`` taking the options of ``run``.
    """
    sweep = subparsers.add_parser(
        "sweep", help="parameter sweeps: run (resumable), status, export (plots: "
                      "neurosim plot)",
        description="Runs a function fn(params, rng) -> dict over a grid of parameters, one "
                    "SQLite row per finished point; a rerun skips stored points. See "
                    "docs/sweeps.md.")
    sub = sweep.add_subparsers(dest="sweep_command", required=True)

    run = sub.add_parser("run", help="run (or resume) a sweep of any function",
                         description="Run fn at every grid point not yet in the store.")
    run.add_argument("function", help="the sweep function, as package.module:function")
    add_run_arguments(run)
    for target in targets:
        add_run_arguments(sub.add_parser(
            target.name, help=target.summary,
            description=f"{target.summary}. Axes and --fixed may name: "
                        f"{', '.join(target.parameters)}."))

    status = sub.add_parser("status", help="list the sweeps in a store and their progress")
    status.add_argument("store", type=Path)

    export = sub.add_parser("export", help="write a sweep's results to .csv or .nc",
                            description=".csv: one line per point and repeat (parameters in "
                                        "SI, scalar results); .nc: the xarray Dataset "
                                        "(needs netCDF4 or h5netcdf).")
    export.add_argument("store", type=Path)
    export.add_argument("--sweep", default=None, help="key, key prefix or function name")
    export.add_argument("--out", type=Path, required=True)
    return sweep


def _add_plot_options(plot: argparse.ArgumentParser) -> None:
    """The store, sweep, selection, scales and theory options of ``neurosim plot``."""
    plot.add_argument("store", type=Path)
    plot.add_argument("--sweep", default=None, help="key, key prefix or function name")
    plot.add_argument("--sel", action="append", default=[], metavar="NAME=VALUE",
                      help="fix another axis at its value nearest VALUE; repeatable")
    plot.add_argument("--xscale", choices=["linear", "log"], default="linear",
                      help="x axis scale")
    plot.add_argument("--yscale", choices=["linear", "log"], default="linear",
                      help="y axis scale")
    add_theory_argument(plot)


def add_theory_argument(parser: argparse.ArgumentParser) -> None:
    """``--theory NAME`` (repeatable): curves of :mod:`neurosim.theory.curves` overlaid."""
    parser.add_argument("--theory", action="append", default=[], metavar="NAME",
                        help="overlay a theory curve: ags, cascade-1, cascade-2, cascade-3; "
                             "repeatable")


def load_function(ref: str) -> Callable[..., Any]:
    """The function named ``package.module:function``.

    The current folder is put on ``sys.path`` first (as ``python -m`` does), so that a
    project's own module can be named; process-pool workers inherit the path.
    """
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise ParameterError("function", ref, "package.module:function", "neurosim sweep run")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ParameterError("function", ref, f"an importable module ({err})",
                             "neurosim sweep run") from None
    fn = module
    for part in attr.split("."):
        fn = getattr(fn, part, None)
    if not callable(fn):
        raise ParameterError("function", ref, f"a function defined in {module_name}",
                             "neurosim sweep run")
    return fn


def cmd_sweep(args: argparse.Namespace, targets: Iterable[Any] = ()) -> int:
    """Run a ``neurosim sweep`` subcommand (``targets`` as given to
    :func:`add_sweep_parser`); the exit status."""
    by_name = {t.name: t for t in targets}
    if args.sweep_command in by_name:
        target = by_name[args.sweep_command]
        if args.name is None:
            args.name = target.name  # `--sweep hopfield` then finds it in the store
        return run_from_args(target.load(), args, known=target.parameters)
    if args.sweep_command == "run":
        return run_from_args(load_function(args.function), args)
    return {"status": _status, "export": _export}[args.sweep_command](args)


def run_from_args(fn: Callable[..., Any], args: argparse.Namespace,
                  known: Iterable[str] | None = None) -> int:
    """Run (or resume) the sweep of ``fn`` described by the options of
    :func:`add_run_arguments`; print a summary; 0, or 1 if some points failed.

    ``known``: the parameter names ``fn`` accepts (others are refused before anything runs).
    """
    from neurosim.sweeps.grid import ParameterGrid, parse_axis
    from neurosim.sweeps.runner import SweepError, run_sweep

    fixed = {}
    for spec in args.fixed:
        axis = parse_axis(spec)
        if len(axis) != 1:
            raise ParameterError(axis.name, spec, "a single value (NAME=VALUE [unit])",
                                 "neurosim sweep run --fixed")
        fixed[axis.name] = axis.value(0)
    grid = ParameterGrid.from_specs(args.axis, repeats=args.repeats, seed=args.seed,
                                    fixed=fixed, known=known)
    try:
        result = run_sweep(fn, grid, args.store, workers=args.workers, dask=args.dask,
                           progress=args.progress, name=args.name)
    except SweepError as err:
        print(f"neurosim sweep: {err}", file=sys.stderr)
        _summary(err.result)
        return 1
    _summary(result)
    return 0


def _summary(result: Any) -> None:
    stored = len(result.store.completed(result.key))
    print(f"sweep {result.key} ({result.fn}): computed {result.computed}, skipped "
          f"{result.skipped}, failed {len(result.failures)}; {stored}/{len(result.grid)} "
          f"stored in {result.store.path}")


def _status(args: argparse.Namespace) -> int:
    from neurosim.sweeps.store import ResultStore

    _must_exist(args.store)
    with ResultStore(args.store) as store:
        sweeps = store.sweeps()
    if not sweeps:
        print(f"{args.store}: no sweeps")
    for s in sweeps:
        axes = ", ".join(
            f"{a['name']}[{len(a['values'])}{' ' + a['unit'] if a.get('unit') else ''}]"
            for a in s["grid"]["axes"])
        print(f"{s['key']}  {s['fn']}  {s['completed']}/{s['total']}  "
              f"({axes}; repeats={s['grid']['repeats']}, seed={s['grid']['seed']})")
    return 0


def _must_exist(path: Path) -> None:
    if not path.is_file():
        raise ParameterError("store", str(path), "an existing sweep store file", "neurosim sweep")


def _export(args: argparse.Namespace) -> int:
    from neurosim.sweeps.store import ResultStore

    _must_exist(args.store)
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".nc"):
        raise ParameterError("out", str(args.out), "a .csv or .nc file", "neurosim sweep export")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with ResultStore(args.store) as store:
        if suffix == ".csv":
            write_csv(store, args.out, args.sweep)
        else:
            engine = next((e for e in ("netcdf4", "h5netcdf")
                           if importlib.util.find_spec(e.replace("netcdf4", "netCDF4"))), None)
            if engine is None:
                raise EngineUnavailable("writing .nc needs netCDF4 or h5netcdf (pip install "
                                        "h5netcdf); or export to .csv")
            store.to_xarray(args.sweep).to_netcdf(args.out, engine=engine)
    print(f"wrote {args.out}")
    return 0


def write_csv(store: Any, path: Path, sweep: str | None = None) -> None:
    """One line per stored point and repeat: index, repeat, seed, the parameters (SI, the
    unit in the column name) and the scalar results; array results are left out."""
    import csv

    from neurosim.sweeps._codec import encode

    rows = store.rows(sweep)
    columns: dict[str, None] = {"index": None, "repeat": None, "seed": None}
    lines = []
    for row in rows:
        line: dict[str, Any] = {"index": row["index"], "repeat": row["repeat"],
                                "seed": row["seed"]}
        for name, value in row["params"].items():
            enc = encode(value)
            if isinstance(enc, dict) and "value" in enc:
                name = f"{name} [{enc.get('unit', 'SI')}]"
                enc = enc["value"]
            if isinstance(enc, dict | list):
                continue  # an array-valued fixed parameter: not a table cell
            line[name] = enc
        for name, value in row["metrics"].items():
            unit = row["units"].get(name)
            line[f"{name} [{unit}]" if unit else name] = value
        columns.update(dict.fromkeys(line))
        lines.append(line)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(lines)


def _theory_overlays(names: Iterable[str], x: str) -> dict[str, Any]:
    from neurosim.theory.curves import theory_curve

    overlays = {}
    for name in names:
        curve = theory_curve(name)
        if curve.x != x:
            raise ParameterError("theory", name, f"a curve over the x axis {x!r} ({name} is "
                                 f"drawn over {curve.x!r})", "neurosim plot")
        overlays[curve.label] = curve
    return overlays


def _plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window
    import matplotlib.pyplot as plt

    from neurosim.sweeps.grid import parse_axis, parse_unit
    from neurosim.sweeps.plot import PhaseDiagram
    from neurosim.sweeps.store import ResultStore

    _must_exist(args.store)
    with ResultStore(args.store) as store:
        ds = store.to_xarray(args.sweep)
    for spec in args.sel:
        axis = parse_axis(spec)
        if axis.name not in ds.dims or len(axis) != 1:
            raise ParameterError("sel", spec, f"NAME=VALUE with NAME one of {list(ds.dims)}",
                                 "neurosim plot")
        value = axis.values[0]
        coord_unit = ds[axis.name].attrs.get("units")
        if axis.unit is not None:
            if coord_unit is None:
                raise ParameterError("sel", spec, f"a plain value: {axis.name} has no unit",
                                     "neurosim plot")
            # "tau=0.005 second" selects on an axis stored in ms.
            value = float(axis.value(0) / parse_unit(axis.name, coord_unit))
        numeric = ds[axis.name].dtype.kind in "iuf"
        ds = ds.sel({axis.name: value}, method="nearest" if numeric else None)
    fig = PhaseDiagram(ds, args.order, x=args.x, y=args.y, xscale=args.xscale,
                       yscale=args.yscale,
                       theory=_theory_overlays(getattr(args, "theory", []), args.x)).plot()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=150)
    plt.close(fig)
    print(f"wrote {args.out}")
    return 0


def add_plot_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The top-level ``neurosim plot STORE --x AXIS --y RESULT [--over AXIS] [--theory NAME]``:
    a result against one axis (mean +- s.e.m. over repeats), or a heatmap over two."""
    plot = subparsers.add_parser(
        "plot", help="plot a sweep's result against its axes, with theory overlays",
        description="Reads a sweep store and draws RESULT against the axis X (lines with "
                    "error bars over repeats) or, with --over, a heatmap over X and that axis.")
    plot.add_argument("--x", required=True, help="the axis on x")
    plot.add_argument("--y", required=True, help="the result (order parameter) shown")
    plot.add_argument("--over", default=None, help="a second axis: draw a heatmap")
    plot.add_argument("--out", type=Path, default=None,
                      help="image file, .png, .pdf or .svg (default: STORE with the result's "
                           "name and .png)")
    _add_plot_options(plot)
    return plot


def cmd_plot(args: argparse.Namespace) -> int:
    """Run the top-level ``neurosim plot``."""
    out = args.out or args.store.with_name(f"{args.store.stem}-{args.y}.png")
    ns = argparse.Namespace(store=args.store, sweep=args.sweep, order=args.y, x=args.x,
                            y=args.over, sel=args.sel, xscale=args.xscale, yscale=args.yscale,
                            out=out, theory=args.theory)
    return _plot(ns)

"""The results store: one SQLite file, one row per finished (point, repeat).

SQLite in WAL mode with ``synchronous=FULL``: each point is written in its own transaction,
which is on disk when the write returns, so a sweep killed at any moment (SIGKILL, a node lost,
a wall-time limit) keeps every point it finished and none half-written. The primary key
(sweep, point, repeat) makes a duplicate impossible. Only the process that runs the sweep
writes; workers never touch the file, so it need not be on a shared file system (WAL needs a
local one, or at least one with working locks: not NFS).

Several sweeps can share a file. A sweep is identified by a key hashed from the function's
qualified name and the grid (axes in SI, repeats, root seed, fixed values): a different grid
is a different sweep; the same grid written with other units (1 ms or 0.001 second) is not.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.sweeps._codec import decode, dumps, encode, fingerprint
from neurosim.sweeps.grid import ParameterGrid

__all__ = ["PointRecord", "ResultStore", "sweep_key"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    key      TEXT PRIMARY KEY,
    fn       TEXT NOT NULL,
    grid     TEXT NOT NULL,   -- ParameterGrid.describe() as JSON
    created  REAL NOT NULL    -- Unix time
);
CREATE TABLE IF NOT EXISTS points (
    sweep        TEXT    NOT NULL REFERENCES sweeps(key),
    point_index  INTEGER NOT NULL,
    repeat       INTEGER NOT NULL,
    seed         INTEGER NOT NULL,
    params       TEXT    NOT NULL,   -- JSON; quantities as {"value": SI, "unit": name}
    metrics      TEXT    NOT NULL,   -- JSON of the scalar results
    arrays       BLOB,               -- .npz of the array results (SI), NULL if none
    units        TEXT    NOT NULL,   -- JSON {result name: SI unit name} for quantities
    versions     TEXT    NOT NULL,   -- JSON {package: version} in the process that ran it
    git          TEXT,               -- git commit of neurosim, NULL outside a checkout
    elapsed_s    REAL,
    finished     REAL    NOT NULL,   -- Unix time of the write
    PRIMARY KEY (sweep, point_index, repeat)
);
"""


def sweep_key(fn_name: str, grid: ParameterGrid) -> str:
    """The identity of a sweep: a hash of the function's qualified name and the grid."""
    return fingerprint({"fn": fn_name, "grid": grid.identity()})


@dataclass(frozen=True)
class PointRecord:
    """What is stored for one finished (point, repeat); built by :func:`encode_result`."""

    index: int
    repeat: int
    seed: int
    params: dict[str, Any]
    metrics: dict[str, Any]
    arrays: dict[str, np.ndarray]
    units: dict[str, str]
    versions: dict[str, str]
    git: str | None
    elapsed_s: float | None


def encode_result(result: Any, owner: str) -> tuple[dict[str, Any], dict[str, np.ndarray],
                                                     dict[str, str]]:
    """Split a sweep function's result into scalar metrics, arrays (in SI) and units.

    Raises
    ------
    ParameterError
        ``result`` is not a dict of scalars (numbers, bools, strings, None, quantities) and
        arrays (NumPy arrays, lists of numbers, Quantity arrays).
    """
    from neurosim.sweeps._codec import unit_label
    from neurosim.units import to_si

    if not isinstance(result, Mapping):
        raise ParameterError("result", result, "a dict {name: scalar or array}", owner)
    metrics: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for name, value in result.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError("result name", name, "a Python identifier", owner)
        label = unit_label(value)
        if label is not None:
            units[name] = label
            value = to_si(value)
        if isinstance(value, str | np.str_) or value is None:
            metrics[name] = None if value is None else str(value)
            continue
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            arr = np.asarray(None, dtype=object)
        # Scalars go to JSON (no complex there); arrays to .npz (no objects: no pickles).
        if arr.dtype.kind not in ("biuf" if arr.ndim == 0 else "biufc"):
            raise ParameterError(
                f"result[{name!r}]", value,
                "a number, bool, str, None, a Brian2 quantity or a numeric array", owner,
            )
        if arr.ndim == 0:
            metrics[name] = arr.item()
        else:
            arrays[name] = arr
    return metrics, arrays, units


def _pack(arrays: Mapping[str, np.ndarray]) -> bytes | None:
    if not arrays:
        return None
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _unpack(blob: bytes | None) -> dict[str, np.ndarray]:
    if blob is None:
        return {}
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


class ResultStore:
    """A sweep results file (SQLite, WAL mode).

    Parameters
    ----------
    path
        The file, created if missing (its folder too); ``":memory:"`` for a store that lives
        as long as the object (no resume).

    Notes
    -----
    Use one ``ResultStore`` per process and thread (SQLite connections are not shared).
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # timeout: wait for another process's write (a reader during a sweep) instead of
        # failing at once with "database is locked".
        self._conn = sqlite3.connect(self.path, timeout=60.0)
        try:
            self._setup()
        except sqlite3.DatabaseError as err:
            self._conn.close()
            raise ParameterError("path", self.path, f"an SQLite sweep store ({err})",
                                 "ResultStore") from None

    def _setup(self) -> None:
        if self.path != ":memory:":
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                warnings.warn(f"{self.path}: SQLite refused WAL mode (got {mode!r}); "
                              "is it on a network file system?", stacklevel=3)
        # FULL: a committed point survives a power cut too, not only a killed process; one
        # fsync per point is negligible next to a simulation.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, _SCHEMA_VERSION):
            raise ParameterError("path", self.path,
                                 f"a sweep store of schema version {_SCHEMA_VERSION}",
                                 "ResultStore")
        if version == 0:  # a new file; an existing one is only read here
            with self._conn:
                self._conn.executescript(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    # -- lifetime -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (the file stays)."""
        self._conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultStore({self.path!r})"

    # -- writing ------------------------------------------------------------------------------
    def register(self, key: str, fn_name: str, grid: ParameterGrid) -> None:
        """Record a sweep (idempotent: the first registration's description is kept)."""
        with self._conn:
            self._conn.execute(
                "INSERT OR IGNORE INTO sweeps (key, fn, grid, created) VALUES (?, ?, ?, ?)",
                (key, fn_name, json.dumps(grid.describe(), sort_keys=True), time.time()),
            )

    def write(self, key: str, record: PointRecord) -> bool:
        """Store one finished point in one transaction; False if it was already there."""
        with self._conn:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO points (sweep, point_index, repeat, seed, params, metrics,"
                " arrays, units, versions, git, elapsed_s, finished)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, record.index, record.repeat, record.seed, dumps(record.params),
                    json.dumps(encode(record.metrics), sort_keys=True), _pack(record.arrays),
                    json.dumps(record.units, sort_keys=True),
                    json.dumps(record.versions, sort_keys=True), record.git, record.elapsed_s,
                    time.time(),
                ),
            )
        return cur.rowcount == 1

    # -- reading ------------------------------------------------------------------------------
    def sweeps(self) -> list[dict[str, Any]]:
        """The sweeps in the file: key, fn, grid (description), created, completed points."""
        rows = self._conn.execute(
            "SELECT s.key, s.fn, s.grid, s.created, COUNT(p.point_index) FROM sweeps s"
            " LEFT JOIN points p ON p.sweep = s.key GROUP BY s.key ORDER BY s.created, s.key"
        ).fetchall()
        out = []
        for key, fn, grid, created, n in rows:
            desc = json.loads(grid)
            total = desc["repeats"]
            for axis in desc["axes"]:
                total *= len(axis["values"])
            out.append({"key": key, "fn": fn, "grid": desc, "created": created,
                        "completed": n, "total": total})
        return out

    def resolve(self, sweep: str | None = None) -> str:
        """The key of a sweep given by key, key prefix or function name; None: the only one.

        Raises
        ------
        ParameterError
            No sweep matches, or several do.
        """
        known = self.sweeps()
        if sweep is None:
            matches = known
        else:
            matches = [s for s in known if s["key"] == sweep]
            matches = matches or [s for s in known
                                  if s["key"].startswith(sweep) or s["fn"] == sweep
                                  or s["fn"].rsplit(".", 1)[-1] == sweep]
        if len(matches) != 1:
            choices = [f"{s['key']} ({s['fn']})" for s in known] or ["none: the store is empty"]
            what = "one of the sweeps " if sweep is not None or not known else (
                "given (the store holds several): one of ")
            raise ParameterError("sweep", sweep, what + ", ".join(choices), "ResultStore")
        return matches[0]["key"]

    def grid(self, sweep: str | None = None) -> ParameterGrid:
        """The grid of a stored sweep."""
        key = self.resolve(sweep)
        (text,) = self._conn.execute("SELECT grid FROM sweeps WHERE key = ?", (key,)).fetchone()
        return ParameterGrid.from_description(json.loads(text))

    def completed(self, key: str) -> set[tuple[int, int]]:
        """The (point index, repeat) pairs stored for sweep ``key``."""
        cur = self._conn.execute(
            "SELECT point_index, repeat FROM points WHERE sweep = ?", (key,))
        return {(int(i), int(r)) for i, r in cur}

    def _iter_rows(self, key: str) -> Iterator[tuple]:
        yield from self._conn.execute(
            "SELECT point_index, repeat, seed, params, metrics, arrays, units, versions, git,"
            " elapsed_s, finished FROM points WHERE sweep = ? ORDER BY point_index, repeat",
            (key,),
        )

    def rows(self, sweep: str | None = None) -> list[dict[str, Any]]:
        """All stored points of a sweep, ordered by point index then repeat.

        Each row is a dict with ``index``, ``repeat``, ``seed``, ``params`` (as the function
        received them, quantities with units), ``metrics`` (scalars, quantities in SI),
        ``arrays`` (NumPy arrays, SI), ``units``, ``versions``, ``git``, ``elapsed_s`` and
        ``finished`` (Unix time).
        """
        key = self.resolve(sweep)
        out = []
        for (index, repeat, seed, params, metrics, arrays, units, versions, git, elapsed,
             finished) in self._iter_rows(key):
            out.append({
                "index": index, "repeat": repeat, "seed": seed,
                "params": decode(json.loads(params)), "metrics": decode(json.loads(metrics)),
                "arrays": _unpack(arrays), "units": json.loads(units),
                "versions": json.loads(versions), "git": git, "elapsed_s": elapsed,
                "finished": finished,
            })
        return out

    def to_xarray(self, sweep: str | None = None):
        """The sweep as an :class:`xarray.Dataset`.

        Dimensions are the axis names (coordinates in the axis's unit as written, e.g. ms,
        with ``attrs["units"]``) and ``repeat``. Each scalar metric is a variable over them;
        each array result adds its own dimensions ``<name>_dim_<k>`` (arrays whose shape
        changes from point to point are left out, with a warning). Points not (yet) stored
        are NaN (integer and bool metrics become float then); ``seed`` is -1 there. Units of
        quantity results are SI, in ``attrs["units"]``.
        """
        import xarray as xr

        key = self.resolve(sweep)
        (fn, grid_text) = self._conn.execute(
            "SELECT fn, grid FROM sweeps WHERE key = ?", (key,)).fetchone()
        desc = json.loads(grid_text)
        grid = ParameterGrid.from_description(desc)
        dims = [*grid.names, "repeat"]
        shape = (*grid.shape, grid.repeats)
        rows = self.rows(key)

        coords: dict[str, Any] = {}
        for axis in grid.axes:
            attrs = {} if axis.unit is None else {"units": axis.unit_name}
            coords[axis.name] = xr.Variable(axis.name, np.asarray(axis.values), attrs)
        coords["repeat"] = np.arange(grid.repeats)

        seeds = np.full(shape, -1, dtype=np.int64)
        elapsed = np.full(shape, np.nan)
        scalars: dict[str, dict[tuple[int, ...], Any]] = {}
        arrays: dict[str, dict[tuple[int, ...], np.ndarray]] = {}
        units: dict[str, str] = {}
        for row in rows:
            where = (*np.unravel_index(row["index"], grid.shape), row["repeat"])
            seeds[where] = row["seed"]
            elapsed[where] = np.nan if row["elapsed_s"] is None else row["elapsed_s"]
            for name, value in row["metrics"].items():
                scalars.setdefault(name, {})[where] = value
            for name, value in row["arrays"].items():
                arrays.setdefault(name, {})[where] = value
            units.update(row["units"])

        n_cells = int(np.prod(shape))
        data_vars: dict[str, Any] = {
            "seed": (dims, seeds, {"description": "seed of numpy.random.default_rng; -1: missing"}),
            "elapsed_s": (dims, elapsed, {"units": "second"}),
        }
        for name, cells in scalars.items():
            values = list(cells.values())
            full = len(cells) == n_cells
            if all(isinstance(v, bool) for v in values):
                out = np.zeros(shape, bool) if full else np.full(shape, np.nan)
            elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                out = np.zeros(shape, np.int64) if full else np.full(shape, np.nan)
            elif all(isinstance(v, int | float | bool) or v is None for v in values):
                out = np.full(shape, np.nan)
                cells = {k: np.nan if v is None else v for k, v in cells.items()}
            else:
                out = np.full(shape, None, dtype=object)
            for where, value in cells.items():
                out[where] = value
            data_vars[name] = (dims, out, _attrs(units.get(name)))
        for name, cells in arrays.items():
            shapes = {v.shape for v in cells.values()}
            if len(shapes) != 1:
                warnings.warn(f"array result {name!r} has different shapes at different points "
                              f"({sorted(shapes)[:3]}...); left out of the Dataset", stacklevel=2)
                continue
            (inner,) = shapes
            dtypes = {v.dtype for v in cells.values()}
            dtype = np.result_type(*dtypes)
            if len(cells) != n_cells and dtype.kind in "biu":
                dtype = np.dtype(float)
            out = np.zeros(shape + inner, dtype) if len(cells) == n_cells else np.full(
                shape + inner, np.nan, dtype=np.result_type(dtype, float))
            for where, value in cells.items():
                out[where] = value
            extra = [f"{name}_dim_{k}" for k in range(len(inner))]
            data_vars[name] = ([*dims, *extra], out, _attrs(units.get(name)))

        gits = sorted({r["git"] for r in rows if r["git"]})
        versions = sorted({json.dumps(r["versions"], sort_keys=True) for r in rows})
        attrs = {
            "sweep": key,
            "fn": fn,
            "root_seed": grid.seed,
            "repeats": grid.repeats,
            "fixed": json.dumps(desc.get("fixed", {}), sort_keys=True),
            "completed": len(rows),
            "total": len(grid),
            "git": ",".join(gits),
            "versions": ";".join(versions),
            "seed_rule": 'child_seed(root_seed, "sweep-point", str(index), str(repeat))'
                         ".generate_state(1, uint64)[0] >> 1",
        }
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _attrs(unit: str | None) -> dict[str, str]:
    return {} if unit is None else {"units": unit}

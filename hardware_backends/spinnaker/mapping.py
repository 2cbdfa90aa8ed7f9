"""The mapping report: where sPyNNaker put the network (cores, SDRAM, routing entries, time
per stage), read from sPyNNaker's own reports by :func:`parse_mapping_report`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class CoreMapping:
    """One placed core."""

    x: int
    y: int
    p: int
    vertex: str  # sPyNNaker's machine-vertex label, e.g. "cells_Neurons:0"
    population: str | None  # our label (None for system cores)
    role: str  # "neurons", "synapses", "neurons+synapses", "source", "delay", "system"
    atoms: tuple[int, int] | None  # first and last neuron of the slice
    model: str
    sdram_bytes: int | None

    @property
    def system(self) -> bool:
        return self.role == "system"


@dataclass
class MappingReport:
    """Where sPyNNaker put the network, read from its own reports.

    Sources, in ``reports/<timestamp>/run_<n>/``: ``placement_by_core_using_graph.rpt``
    (cores, models), ``chip_sdram_usage_by_core.rpt`` (SDRAM per core),
    ``routing_tables_generated/`` and ``compressed_routing_summary.rpt`` (routing entries),
    ``data.sqlite3`` (core provenance, real boards only); in ``reports/<timestamp>/``:
    ``global_provenance.sqlite3`` (time per stage and per algorithm, warnings).
    """

    report_dir: Path
    cores: list[CoreMapping] = field(default_factory=list)
    routing_entries: dict[tuple[int, int], int] = field(default_factory=dict)
    compressed_routing_entries: dict[tuple[int, int], int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    algorithm_seconds: list[tuple[str, str, float]] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def app_cores(self) -> list[CoreMapping]:
        """Cores running the network (not sPyNNaker's system cores)."""
        return [c for c in self.cores if not c.system]

    @property
    def chips(self) -> list[tuple[int, int]]:
        """Chips with at least one core of the network."""
        return sorted({(c.x, c.y) for c in self.app_cores})

    @property
    def populations(self) -> dict[str, list[CoreMapping]]:
        out: dict[str, list[CoreMapping]] = {}
        for c in self.app_cores:
            out.setdefault(c.population or c.vertex, []).append(c)
        return out

    @property
    def total_routing_entries(self) -> int:
        return sum(self.routing_entries.values())

    @property
    def sdram_per_core(self) -> dict[tuple[int, int, int], int]:
        return {(c.x, c.y, c.p): c.sdram_bytes for c in self.cores if c.sdram_bytes is not None}

    def summary(self) -> str:
        lines = [f"{len(self.app_cores)} cores on {len(self.chips)} chip(s) "
                 f"(+{len(self.cores) - len(self.app_cores)} system cores); "
                 f"{self.total_routing_entries} routing entries"
                 + (f", max {max(self.routing_entries.values())} per chip"
                    if self.routing_entries else "")]
        for label, cores in sorted(self.populations.items()):
            where = ", ".join(f"({c.x},{c.y},{c.p})" for c in cores[:6])
            more = "" if len(cores) <= 6 else f" +{len(cores) - 6}"
            sd = sum(c.sdram_bytes or 0 for c in cores)
            roles = ", ".join(f"{sum(c.role == r for c in cores)} {r}"
                              for r in sorted({c.role for c in cores}))
            lines.append(f"  {label}: {len(cores)} core(s) ({roles}) {where}{more}; "
                         f"SDRAM {sd} bytes")
        if self.stage_seconds:
            lines.append("  time: " + ", ".join(f"{k} {v:.3f} s"
                                                for k, v in self.stage_seconds.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["report_dir"] = str(self.report_dir)
        d["routing_entries"] = {f"{x},{y}": n for (x, y), n in self.routing_entries.items()}
        d["compressed_routing_entries"] = {f"{x},{y}": n for (x, y), n in
                                           self.compressed_routing_entries.items()}
        return d


_CHIP_RE = re.compile(r"^\*\*\*\* Chip: \((\d+), (\d+)\)")
_PROC_RE = re.compile(r"^\s+Processor (\d+): (System Vertex|Vertex): '([^']*)'")
_SLICE_RE = re.compile(r"^\s+Slice: \(([^)]*)\)\s+(.+?)\s*$")
_MODEL_RE = re.compile(r"^\s+Model: (\S+)")
_SDRAM_RE = re.compile(r"SDRAM reqs for core \((\d+),(\d+),(\d+)\) is .*\((\d+) bytes\)")
_ROUTER_RE = re.compile(r"^Router contains (\d+) entries")
_SUMMARY_RE = re.compile(r"^Chip (\d+):(\d+) has (\d+) entries")


def parse_mapping_report(report_dir: str | Path, run: int | None = None,
                         labels: Mapping[str, str] | None = None) -> MappingReport:
    """Read sPyNNaker's reports in ``report_dir`` (a ``reports/<timestamp>`` folder).

    ``run`` picks ``run_<n>`` (default: the last); ``labels`` maps sPyNNaker's application
    vertex labels to ours (default: identity, plus ``<label>_delayed`` for delay extensions).
    """
    report_dir = Path(report_dir)
    runs = sorted(report_dir.glob("run_*"), key=lambda p: int(p.name.split("_")[1]))
    run_dir = report_dir / f"run_{run}" if run is not None else (runs[-1] if runs else
                                                                 report_dir)
    rep = MappingReport(report_dir)
    known = dict(labels or {})

    def our_label(app: str) -> str:
        base = app[: -len("_delayed")] if app.endswith("_delayed") else app
        return known.get(base, base)

    placement = run_dir / "placement_by_core_using_graph.rpt"
    if placement.exists():
        x = y = 0
        for line in placement.read_text().splitlines():
            if m := _CHIP_RE.match(line):
                x, y = int(m[1]), int(m[2])
            elif m := _PROC_RE.match(line):
                system = m[2] == "System Vertex"
                app = m[3]
                rep.cores.append(CoreMapping(
                    x, y, int(m[1]), app, None if system else our_label(app),
                    "system" if system else ("delay" if app.endswith("_delayed") else ""),
                    None, "", None))
            elif (m := _SLICE_RE.match(line)) and rep.cores:
                core = rep.cores[-1]
                core.vertex = m[2]
                lo, _, hi = m[1].partition(":")
                core.atoms = (int(lo), int(hi)) if lo.isdigit() and hi.isdigit() else None
            elif (m := _MODEL_RE.match(line)) and rep.cores:
                core = rep.cores[-1]
                core.model = m[1]
                if not core.role:
                    core.role = ("source" if core.model.startswith("SpikeSource") else
                                 "synapses" if "_Synapses" in core.vertex else
                                 "neurons" if "_Neurons" in core.vertex else
                                 "neurons+synapses")
    sdram = run_dir / "chip_sdram_usage_by_core.rpt"
    if sdram.exists():
        by_core = {(c.x, c.y, c.p): c for c in rep.cores}
        for line in sdram.read_text().splitlines():
            if (m := _SDRAM_RE.search(line)) and (key := (int(m[1]), int(m[2]), int(m[3]))) \
                    in by_core:
                by_core[key].sdram_bytes = int(m[4])
    tables = run_dir / "routing_tables_generated"
    for f in sorted(tables.glob("routing_table_*_*.rpt")):
        cx, cy = (int(v) for v in f.stem.split("_")[-2:])
        first = f.read_text().splitlines()[:1]
        if first and (m := _ROUTER_RE.match(first[0])):
            rep.routing_entries[(cx, cy)] = int(m[1])
    compressed = run_dir / "compressed_routing_summary.rpt"
    if compressed.exists():
        for line in compressed.read_text().splitlines():
            if m := _SUMMARY_RE.match(line):
                rep.compressed_routing_entries[(int(m[1]), int(m[2]))] = int(m[3])
    prov = report_dir / "global_provenance.sqlite3"
    if prov.exists():
        with _sqlite(prov) as db:
            for cat, ms_taken in db.execute(
                    "SELECT category, SUM(time_taken) FROM category_timer_view "
                    "GROUP BY category ORDER BY MIN(category_id)"):
                rep.stage_seconds[str(cat)] = float(ms_taken or 0) / 1e3  # stored in ms
            rep.algorithm_seconds = [(str(c), str(a), float(t or 0) / 1e3) for c, a, t in
                                     db.execute("SELECT category, algorithm, time_taken "
                                                "FROM timer_view")]
            rep.warnings = [str(m) for (m,) in db.execute(
                "SELECT message FROM p_log_view WHERE name IN ('WARNING', 'ERROR', "
                "'CRITICAL')")]
    data = run_dir / "data.sqlite3"
    if data.exists():
        with _sqlite(data) as db:
            try:
                rows = db.execute("SELECT description, min, max, total, count "
                                  "FROM core_summary_view").fetchall()
            except sqlite3.Error:
                rows = []
            rep.provenance = [{"description": d, "min": a, "max": b, "total": t, "count": n}
                              for d, a, b, t, n in rows]
    return rep


class _sqlite:
    """A read-only SQLite connection that is closed on exit (sqlite3's own context manager
    only commits)."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: Any) -> None:
        self.conn.close()

"""How to reach SpiNNaker: :class:`SpinnakerConfig`.

It writes sPyNNaker's configuration into a run folder, never the user's home: a virtual board
by default, a real board (``machine_name`` + ``version``) or a spalloc server from arguments
or from the user's ``~/.spynnaker.cfg`` (read, not written).
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.hardware_backends.spinnaker.limits import BOARD_CHIPS


@dataclass(frozen=True)
class SpinnakerConfig:
    """How to reach SpiNNaker, and the mapping settings a deployment uses.

    With no ``machine_name`` and no ``spalloc_server``, a virtual board (a 48-chip SpiNN-5,
    ``version`` 5) is used: sPyNNaker maps, routes and writes its reports but runs nothing.

    Parameters
    ----------
    machine_name
        Host name or IP address of a board; needs ``version`` (3 or 5).
    version
        Board version.
    spalloc_server, spalloc_user, spalloc_port, spalloc_group
        A spalloc server and its account.
    time_scale_factor
        Slow-down of the machine clock (None: sPyNNaker's default, 1 for dt <= 10 ms).
    neurons_per_core
        Ceiling on neurons per core: one int for every cell type, or a mapping from cell type
        names ("IF_curr_exp") or population labels to ints (sPyNNaker's
        ``set_number_of_neurons_per_core`` / ``neurons_per_core``).
    allow_delay_extensions
        Whether sPyNNaker may add delay-extension cores for delays beyond the ring buffer.
    extra_cfg
        More sPyNNaker options, ``{"Section": {"option": "value"}}`` (checked by sPyNNaker:
        an unknown option is an error).
    """

    machine_name: str | None = None
    version: int | None = None
    spalloc_server: str | None = None
    spalloc_user: str | None = None
    spalloc_port: int | None = None
    spalloc_group: str | None = None
    time_scale_factor: int | None = None
    neurons_per_core: int | Mapping[str, int] | None = None
    allow_delay_extensions: bool = True
    extra_cfg: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = "SpinnakerConfig"
        if self.machine_name and self.spalloc_server:
            raise ParameterError("spalloc_server", self.spalloc_server,
                                 "None when machine_name is given (one target only)", owner)
        if self.machine_name and self.version is None:
            raise ParameterError("version", None, "the board version (3 or 5) of machine_name",
                                 owner)
        if self.version is not None and self.version not in BOARD_CHIPS:
            raise ParameterError("version", self.version, f"one of {sorted(BOARD_CHIPS)}", owner)
        npc = self.neurons_per_core
        values = npc.values() if isinstance(npc, Mapping) else [] if npc is None else [npc]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
                raise ParameterError("neurons_per_core", npc, "ints >= 1", owner)
        if self.time_scale_factor is not None and (
                isinstance(self.time_scale_factor, bool)
                or not isinstance(self.time_scale_factor, int | np.integer)
                or self.time_scale_factor < 1):
            raise ParameterError("time_scale_factor", self.time_scale_factor, "an int >= 1",
                                 owner)

    @property
    def virtual(self) -> bool:
        """True when no board is named: sPyNNaker maps onto a virtual board."""
        return not (self.machine_name or self.spalloc_server)

    @property
    def target(self) -> str:
        if self.machine_name:
            return f"board {self.machine_name} (version {self.version})"
        if self.spalloc_server:
            return f"spalloc {self.spalloc_server}"
        return f"virtual board (version {self.version or 5})"

    @classmethod
    def from_user_config(cls, path: str | Path | None = None, **overrides: Any
                         ) -> SpinnakerConfig:
        """The machine settings of the user's sPyNNaker configuration (read only).

        ``path`` defaults to ``$NEUROSIM_SPYNNAKER_CFG``, else ``~/.spynnaker.cfg``; only its
        ``[Machine]`` target (machine_name/machineName, version, spalloc_*) and
        ``time_scale_factor`` are taken. ``overrides`` replace fields.
        """
        path = Path(path or os.environ.get("NEUROSIM_SPYNNAKER_CFG")
                    or Path.home() / ".spynnaker.cfg")
        values: dict[str, Any] = {}
        if path.is_file():
            parser = configparser.ConfigParser()
            # sPyNNaker's option names ignore case and underscores (CamelCaseConfigParser).
            parser.optionxform = lambda s: s.lower().replace("_", "")  # type: ignore[method-assign,assignment]
            parser.read(path)
            if parser.has_section("Machine"):
                sec = parser["Machine"]
                names = {"machinename": "machine_name", "version": "version",
                         "spallocserver": "spalloc_server", "spallocuser": "spalloc_user",
                         "spallocport": "spalloc_port", "spallocgroup": "spalloc_group",
                         "timescalefactor": "time_scale_factor"}
                for key, name in names.items():
                    raw = sec.get(key)
                    if raw is None or raw.strip() in ("", "None"):
                        continue
                    ints = ("version", "spalloc_port", "time_scale_factor")
                    values[name] = int(raw) if name in ints else raw.strip()
        values.update(overrides)
        return cls(**values)

    def cfg_text(self, run_dir: Path) -> str:
        """The ``spynnaker.cfg`` this configuration writes into ``run_dir``."""
        machine: dict[str, str] = {}
        if self.virtual:
            machine.update(virtual_board="True", version=str(self.version or 5))
        elif self.machine_name:
            machine.update(machine_name=self.machine_name, version=str(self.version))
        else:
            machine["spalloc_server"] = str(self.spalloc_server)
            for name in ("spalloc_user", "spalloc_port", "spalloc_group"):
                if getattr(self, name) is not None:
                    machine[name] = str(getattr(self, name))
            if self.version is not None:
                machine["version"] = str(self.version)
        if self.time_scale_factor is not None:
            machine["time_scale_factor"] = str(self.time_scale_factor)
        sections: dict[str, dict[str, str]] = {
            "Machine": machine,
            "Reports": {
                # reports/<timestamp>/run_<n>/ inside the run folder, never the caller's cwd.
                "default_report_file_path": str(run_dir),
                # What the mapping report reads; every other report stays off (Production).
                "write_application_graph_placer_report": "True",
                "write_sdram_usage_report_per_chip": "True",
                "write_router_summary_report": "True",
                "write_uncompressed": "True",
                "write_compression_summary": "True",
                "write_algorithm_timings": "True",
                "keep_data_database": "True",
                "write_partitioner_reports": "False",
                "write_router_info_report": "False",
                "write_network_specification_report": "False",
                "write_provenance": "True",
                "read_placements_provenance_data": "True",
                "read_router_provenance_data": "False",
                "extract_iobuf": "False",
                "display_algorithm_timings": "False",
            },
            "Mode": {"mode": "Production"},
        }
        for sec, options in self.extra_cfg.items():
            sections.setdefault(sec, {}).update({k: str(v) for k, v in options.items()})
        lines = ["# Written by neurosim for one deployment; sPyNNaker reads it as the local",
                 "# configuration (the run folder is its working folder). Defaults:",
                 "# spynnaker/pyNN/spynnaker.cfg and spinn_front_end_common/interface/"
                 "spinnaker.cfg", ""]
        for sec, options in sections.items():
            lines.append(f"[{sec}]")
            lines += [f"{k} = {v}" for k, v in options.items()]
            lines.append("")
        return "\n".join(lines)

    def neurons_per_core_for(self, label: str, cell: str) -> int | None:
        """The ceiling the user set for a population (by label, then cell type), or None."""
        npc = self.neurons_per_core
        if npc is None:
            return None
        if isinstance(npc, Mapping):
            value = npc.get(label, npc.get(cell))
            return None if value is None else int(value)
        return int(npc)

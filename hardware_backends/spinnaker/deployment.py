"""Deployment: :func:`deploy` runs a spec on sPyNNaker.

It validates the spec, then runs it (through :func:`~neurosim.hardware_backends.pynn_export.
to_pynn`) in a child process (:mod:`~neurosim.hardware_backends.spinnaker.child`) whose home
and working folder are the run folder, and returns the Neo data and a
:class:`~neurosim.hardware_backends.spinnaker.mapping.MappingReport` parsed from sPyNNaker's
own reports.

sPyNNaker reads ``~/.spynnaker.cfg`` (and writes a template there if none exists, then stops),
then ``./spynnaker.cfg``; it writes ``reports/<timestamp>/`` under the working folder
(``[Reports] default_report_file_path``). The child process therefore runs with ``HOME``, the
XDG folders and the working folder inside the run folder, so nothing lands anywhere else.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.engines.base import check_dt, steps_of
from neurosim.engines.data import SpikeData, grid_times
from neurosim.errors import EngineUnavailable, NeurosimError, ParameterError
from neurosim.hardware_backends.spinnaker.config import SpinnakerConfig
from neurosim.hardware_backends.spinnaker.limits import SPYNNAKER_VERSION
from neurosim.hardware_backends.spinnaker.mapping import MappingReport, parse_mapping_report
from neurosim.hardware_backends.spinnaker.validation import validate
from neurosim.hardware_backends.spinnaker.validation_report import ValidationReport
from neurosim.network import NetworkSpec
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.units import Quantity, ms, second, to_si


class VirtualBoardWarning(UserWarning):
    """The deployment mapped onto a virtual board: nothing ran, the data are empty."""


class DeployError(NeurosimError):
    """sPyNNaker failed; the message ends with the last lines of its log."""


@dataclass
class DeployResult:
    """What :func:`deploy` returns.

    Attributes
    ----------
    simulated
        False on a virtual board: sPyNNaker mapped the network but ran nothing, so
        ``data`` holds empty Neo segments and ``spikes`` empty trains.
    data
        Neo Blocks by group label (PyNN's ``get_data()``), for every probed group.
    spikes
        Spike probes as :class:`~neurosim.engines.data.SpikeData`.
    mapping
        The :class:`MappingReport`.
    validation
        The :class:`ValidationReport` of the pre-flight.
    spynnaker
        What sPyNNaker itself computed for each population (ring-buffer shifts, weight
        scales, delay slots): a cross-check of :func:`validate`.
    run_dir, log
        The run folder (configuration, reports, log) and sPyNNaker's log file.
    """

    spec: NetworkSpec
    duration: Quantity
    config: SpinnakerConfig
    simulated: bool
    data: dict[str, Any]
    spikes: dict[str, SpikeData]
    mapping: MappingReport
    validation: ValidationReport
    spynnaker: dict[str, Any]
    run_dir: Path
    log: Path
    seconds: float


def deploy(spec: NetworkSpec, duration: Quantity, *, run_dir: str | Path | None = None,
           machine: str | None = None, spalloc: str | None = None, version: int | None = None,
           config: SpinnakerConfig | None = None, timestep: Quantity = 0.1 * ms,
           seed: SeedLike = None, connectivity: str = "exact", poisson: str = "native",
           timeout: float | None = None) -> DeployResult:
    """Validate ``spec``, run it on SpiNNaker with sPyNNaker and report how it was mapped.

    Without a board, the backend ``"spinnaker-emulator"``
    (:func:`~neurosim.hardware_backends.spinnaker_emulator.emulate`) gives the spikes a board
    would give: it validates the same way and runs our bit-accurate emulator of the board's
    arithmetic.

    Parameters
    ----------
    spec
        The network; every input must be in its spike sources (see
        :func:`~neurosim.hardware_backends.pynn_export.add_spike_times`).
    duration
        Simulated time.
    run_dir
        The run folder: ``spynnaker.cfg``, sPyNNaker's ``reports/``, its log and our
        results. Default: a new temporary folder (kept; ``result.run_dir`` says where).
    machine, spalloc, version
        A board (name + version) or a spalloc server URL; they override ``config``'s target.
        None of them (and no ``config``): a virtual board.
    config
        :class:`SpinnakerConfig` (``SpinnakerConfig.from_user_config()`` reads the target
        of ``~/.spynnaker.cfg``).
    timestep, seed, connectivity
        As for :func:`~neurosim.hardware_backends.pynn_export.to_pynn`.
    poisson
        "native" (sPyNNaker's Poisson sources, drawn on the board) or "exact" (our
        engines' draws, sent as spike arrays).
    timeout
        Seconds before the sPyNNaker process is stopped (None: no limit).

    Returns
    -------
    DeployResult

    Raises
    ------
    ValidationError
        The pre-flight found failures (nothing was run).
    DeployError
        sPyNNaker failed (the message ends with its log).
    EngineUnavailable
        sPyNNaker is not installed.
    """
    if importlib.util.find_spec("spynnaker") is None:
        raise EngineUnavailable("sPyNNaker is not installed: pip install 'neurosim[spinnaker]' "
                                f"(sPyNNaker=={SPYNNAKER_VERSION})")
    if poisson not in ("native", "exact"):
        raise ParameterError("poisson", poisson, "'native' or 'exact'", "deploy")
    config = config or SpinnakerConfig()
    target: dict[str, Any] = {}
    if machine:
        target.update(machine_name=machine, spalloc_server=None)
    if spalloc:
        target.update(spalloc_server=spalloc, machine_name=None)
    if version is not None:
        target["version"] = version
    if target:
        config = SpinnakerConfig(**{**_config_fields(config), **target})
    dt_s = check_dt(timestep)
    duration_s = float(to_si(duration, second))
    steps_of(duration_s, dt_s, "duration")
    root = as_seed_sequence(seed)
    report = validate(spec, timestep=timestep, duration=duration, config=config, seed=root,
                      connectivity=connectivity, raise_on_failure=True)
    folder = Path(run_dir) if run_dir is not None else Path(
        tempfile.mkdtemp(prefix="neurosim-spinnaker-"))
    folder = folder.resolve()
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    (folder / "spynnaker.cfg").write_text(config.cfg_text(folder))
    # sPyNNaker needs a user configuration or it writes one into $HOME and stops; the child's
    # home is this folder, and the settings are in ../spynnaker.cfg.
    (home / ".spynnaker.cfg").write_text("# neurosim: the configuration is ../spynnaker.cfg\n")
    job = {"spec": spec.to_dict(), "timestep_ms": dt_s * 1e3, "duration_ms": duration_s * 1e3,
           "seed": {"entropy": root.entropy, "spawn_key": list(root.spawn_key)},
           "connectivity": connectivity, "poisson": poisson, "config": _config_fields(config)}
    (folder / "neurosim_job.json").write_text(json.dumps(job, default=_json_default))
    log = folder / "spinnaker.log"
    env = dict(os.environ)
    # Temporary files too (Brian2, imported with neurosim, writes its log and, after an
    # error, a copy of the script into the temporary folder).
    (folder / "tmp").mkdir(exist_ok=True)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local"),
               XDG_CONFIG_DIRS=str(home / ".config-site"), MPLCONFIGDIR=str(home / ".mpl"),
               TMPDIR=str(folder / "tmp"), PYTHONUNBUFFERED="1")
    start = time.perf_counter()
    with open(log, "w") as out:
        try:
            proc = subprocess.run([sys.executable, "-m", "neurosim.hardware_backends.spinnaker",
                                   str(folder)], cwd=folder, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DeployError(f"sPyNNaker did not finish in {timeout} s ({_cause(log)}); "
                              f"the whole log: {log}") from None
    seconds = time.perf_counter() - start
    result_path = folder / "neurosim_result.json"
    if proc.returncode != 0 or not result_path.exists():
        raise DeployError(f"sPyNNaker failed (exit {proc.returncode}): {_cause(log)}; the "
                          f"whole log: {log}")
    res = json.loads(result_path.read_text())
    with open(folder / "neurosim_data.pkl", "rb") as f:
        data = pickle.load(f)  # written by our own child process just now
    report_dir = Path(res["report_dir"])
    labels = {g.label: g.label for g in spec.groups.values()}
    mapping = parse_mapping_report(report_dir, labels=labels)
    spikes = {}
    for probe in spec.probes:
        if probe.variable == "spikes" and probe.target in data:
            spikes[probe.target] = _neo_spikes(data[probe.target], probe.target,
                                               spec.groups[probe.target].size, dt_s)
    simulated = not res["virtual"]
    if not simulated:
        warnings.warn("deployed on a virtual board: sPyNNaker mapped the network but ran "
                      "nothing, so the Neo data are empty (result.simulated is False)",
                      VirtualBoardWarning, stacklevel=2)
    return DeployResult(spec, duration, config, simulated, data, spikes, mapping, report,
                        res["spynnaker"], folder, log, seconds)


def _config_fields(config: SpinnakerConfig) -> dict[str, Any]:
    d = {f: getattr(config, f) for f in config.__dataclass_fields__}
    if isinstance(d["neurons_per_core"], Mapping):
        d["neurons_per_core"] = dict(d["neurons_per_core"])
    d["extra_cfg"] = {k: dict(v) for k, v in d["extra_cfg"].items()}
    return d


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    raise TypeError(f"not JSON: {obj!r}")


def _cause(path: Path) -> str:
    """The last exception sPyNNaker's log names, on one line (a failed board connection is
    one line at the CLI, not 40 of sPyNNaker's traceback)."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    for line in reversed(lines):
        text = line.strip()
        head = text.split(":", 1)[0]
        if ":" in text and " " not in head and \
                head.rsplit(".", 1)[-1].endswith(("Error", "Exception")):
            return text if len(text) <= 300 else text[:297] + "..."
    return lines[-1].strip() if lines else "empty log"


def _neo_spikes(block: Any, label: str, size: int, dt_s: float) -> SpikeData:
    times, idx = [], []
    for seg in block.segments[:1]:
        for k, st in enumerate(seg.spiketrains):
            i = int(st.annotations.get("source_index", k))
            steps = np.round(np.asarray(st.rescale("ms").magnitude, dtype=float) / (dt_s * 1e3))
            times.append(grid_times(steps, dt_s))
            idx.append(np.full(len(steps), i, dtype=np.int64))
    t = np.concatenate(times) if times else np.zeros(0)
    i_arr = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    order = np.lexsort((i_arr, t))
    return SpikeData(label, size, t[order] * second, i_arr[order])

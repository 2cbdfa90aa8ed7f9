"""The child process of :func:`~neurosim.hardware_backends.spinnaker.deploy`: builds the job
in its run folder on ``pyNN.spiNNaker``, runs it and saves the Neo data and what sPyNNaker
computed. Started as ``python -m neurosim.hardware_backends.spinnaker <run folder>``
(``__main__.py``).
"""

from __future__ import annotations

import importlib.metadata
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.hardware_backends.spinnaker.config import SpinnakerConfig
from neurosim.network import NetworkSpec
from neurosim.units import ms


def _child(folder: Path) -> None:
    """Run one job in ``folder`` (our working folder and $HOME): build, run, save."""
    import pyNN.spiNNaker as sim
    from spynnaker.pyNN.data import SpynnakerDataView

    from neurosim.hardware_backends.pynn_export import to_pynn

    job = json.loads((folder / "neurosim_job.json").read_text())
    spec = NetworkSpec.from_dict(job["spec"])
    config = SpinnakerConfig(**job["config"])
    seed = np.random.SeedSequence(entropy=job["seed"]["entropy"],
                                  spawn_key=tuple(job["seed"]["spawn_key"]))
    sim.setup(timestep=job["timestep_ms"], time_scale_factor=config.time_scale_factor)
    population_kwargs: dict[str, dict[str, Any]] = {}
    for pop in spec.populations:
        cell = type(pop.celltype).__name__
        npc = config.neurons_per_core_for(pop.label, cell)
        if npc is not None:
            population_kwargs[pop.label] = {"additional_parameters": {"neurons_per_core": npc}}
        if not config.allow_delay_extensions:
            sim.set_allow_delay_extensions(getattr(sim, cell), False)
    duration_ms = job["duration_ms"]
    net = to_pynn(spec, sim, timestep=job["timestep_ms"] * ms, seed=seed,
                  connectivity=job["connectivity"],
                  poisson_until=duration_ms * ms if job["poisson"] == "exact" else None,
                  setup=False, population_kwargs=population_kwargs)
    sim.run(duration_ms)
    data = {}
    for label in {p.target for p in spec.probes}:
        data[label] = net.populations[label].get_data()
    measured = {}
    for pop in spec.populations:
        vertex = net.populations[pop.label]._vertex
        shifts = [int(s) for s in vertex.get_ring_buffer_shifts()]
        measured[pop.label] = {
            "ring_buffer_shifts": shifts,
            "weight_scales": [float(s) for s in vertex.get_weight_scales(shifts)],
            "max_delay_steps_incoming": int(vertex.max_delay_steps_incoming),
            "max_atoms_per_core": int(vertex.get_max_atoms_per_core()),
        }
    result = {"virtual": bool(config.virtual),
              "report_dir": SpynnakerDataView.get_timestamp_dir_path(),
              "run_dir": SpynnakerDataView.get_run_dir_path(),
              "spynnaker": {"populations": measured,
                            "version": importlib.metadata.version("sPyNNaker")}}
    sim.end()
    with open(folder / "neurosim_data.pkl", "wb") as f:
        pickle.dump(data, f)
    (folder / "neurosim_result.json").write_text(json.dumps(result))

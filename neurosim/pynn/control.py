"""setup, run, reset, end and the state queries of ``neurosim.pynn``."""

from __future__ import annotations

import math
import warnings
from typing import Any

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.pynn import core, simulator

__all__ = ["end", "get_current_time", "get_max_delay", "get_min_delay", "get_time_step",
           "initialize", "num_processes", "rank", "reset", "run", "run_for", "run_until",
           "setup"]

_PRECISIONS = ("on_grid", "off_grid")


def setup(timestep: float = DEFAULT_TIMESTEP, min_delay: Any = DEFAULT_MIN_DELAY,
          **extra_params: Any) -> int:
    """Start a new simulation (PyNN ``setup``).

    Options beyond PyNN's: ``engine`` (a neurosim engine: ``"numba"`` by default,
    ``"reference"``, ``"brian2"``), ``engine_options`` (a dict for the engine),
    ``rng_seed`` (the root seed; default :data:`neurosim.pynn.simulator.DEFAULT_SEED`,
    so one script gives one result)
    and ``spike_precision`` (``"on_grid"``; ``"off_grid"`` is accepted with a warning: spikes
    stay on the time grid, as in pyNN.brian2). ``min_delay="auto"`` becomes the smallest
    delay of the network when it is built (dt before).
    """
    options = {k: extra_params.pop(k) for k in list(extra_params)
               if k in simulator.DEFAULT_OPTIONS}
    if "seed" in extra_params:
        options["rng_seed"] = extra_params.pop("seed")
    check_setup_options(timestep, extra_params, sorted(simulator.DEFAULT_OPTIONS))
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    st = simulator.state
    st.options = {**simulator.DEFAULT_OPTIONS, **options}
    get_engine(st.options["engine"], **(st.options["engine_options"] or {}))  # names a bad one
    if st.options["spike_precision"] not in _PRECISIONS:
        raise ValueError(f"spike_precision must be one of {_PRECISIONS}, got "
                         f"{st.options['spike_precision']!r}")
    if st.options["spike_precision"] == "off_grid":
        # as pyNN.brian2, which also accepts it and keeps spikes on the grid; said, not silent
        warnings.warn("spike_precision='off_grid': neurosim's engines place spikes on the "
                      f"time grid (dt = {timestep} ms), as pyNN.brian2 does", stacklevel=2)
    st.clear()
    st.network_class = core.Network  # a front end with another synapse path sets its own
    st.dt = float(timestep)
    st.min_delay_auto = min_delay == "auto"
    st.min_delay = float(timestep) if st.min_delay_auto else float(min_delay)
    st.max_delay = float(max_delay) if max_delay != "auto" else 10.0
    return rank()


#: setup() options PyNN's common.setup itself reads (the rest of PyNN's are ours)
PYNN_SETUP_OPTIONS = ("max_delay",)


def check_setup_options(timestep: Any, rest: dict[str, Any], known: list[str]) -> None:
    """A ParameterError for a timestep that is not a finite number > 0 (in ms); a warning
    naming each option left in ``rest`` that no one reads. PyNN's convention is that a
    backend ignores another backend's options (PyNN's own scenarios pass NEST's
    ``t_flush`` to every backend), so they cannot be refused; but a misspelt option must
    not change nothing without a word."""
    try:
        ok = math.isfinite(float(timestep)) and float(timestep) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParameterError("timestep", timestep, "a finite number of ms > 0", "setup")
    unknown = sorted(set(rest) - set(PYNN_SETUP_OPTIONS))
    if unknown:
        warnings.warn(f"setup(): option(s) {unknown} are not read by this backend and are "
                      f"ignored (another PyNN backend's?); the options it reads: "
                      f"{sorted([*known, *PYNN_SETUP_OPTIONS, 'seed'])}", stacklevel=3)


def end(compatible_output: bool = True) -> None:
    """Write the data requested with ``record(..., to_file=...)``."""
    st = simulator.state
    for population, variables, filename in st.write_on_end:
        population.write_data(get_io(filename), variables)
    st.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
(get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes,
 rank) = common.build_state_queries(simulator)

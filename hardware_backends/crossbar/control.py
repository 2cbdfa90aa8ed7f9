"""setup, run, reset, end and the state queries of the crossbar backend."""

from __future__ import annotations

from typing import Any

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from neurosim.hardware_backends.crossbar import simulator

__all__ = ["end", "get_current_time", "get_ledger", "get_max_delay", "get_min_delay",
           "get_time_step", "initialize", "num_processes", "rank", "reset", "run",
           "run_for", "run_until", "setup"]


def setup(timestep: float = DEFAULT_TIMESTEP, min_delay: Any = DEFAULT_MIN_DELAY,
          **extra_params: Any) -> int:
    """Start a new simulation (PyNN ``setup``), with the crossbar's options.

    Crossbar options (keyword arguments; defaults in ``simulator.DEFAULT_OPTIONS``):
    ``fidelity`` ("ideal", "quantised", "noisy", "full"), ``device``
    (a :class:`neurosim.devices.ResistiveDevice`), ``tile_shape``, ``v_read`` (Brian2
    voltage), ``dac_bits``, ``adc_bits``, ``r_wire`` (Brian2 resistance), ``read_interval``
    (ms between array reads; None: once per ``run()``), ``device_age`` (s from programming
    to t = 0), ``seed``, ``ledger_constants`` (overrides of ``ledger.CONSTANTS``).
    """
    options = {k: extra_params.pop(k) for k in list(extra_params)
               if k in simulator.DEFAULT_OPTIONS}
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    st = simulator.state
    st.options = {**simulator.DEFAULT_OPTIONS, **options}
    from neurosim.hardware_backends.crossbar.array import FIDELITIES

    if st.options["fidelity"] not in FIDELITIES:
        raise ValueError(f"fidelity must be one of {FIDELITIES}, got {st.options['fidelity']!r}")
    st.clear()
    st.dt = float(timestep)
    st.min_delay = min_delay
    st.max_delay = max_delay
    return rank()


def end(compatible_output: bool = True) -> None:
    """Write the data requested with ``record(..., to_file=...)`` and release the network."""
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


def get_ledger(last: bool = False):
    """The energy/latency :class:`~neurosim.hardware_backends.crossbar.ledger.Ledger` of all
    runs since ``setup()`` (``last=True``: of the latest ``run()`` only)."""
    st = simulator.state
    return st.ledger_last if last else st.ledger_total

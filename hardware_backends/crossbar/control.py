"""setup and the ledger of the crossbar's PyNN front end; the rest is ``neurosim.pynn``'s."""

from __future__ import annotations

import math
from typing import Any

from pyNN.common.control import DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP

from neurosim.errors import ParameterError
from neurosim.hardware_backends.crossbar import simulator
from neurosim.hardware_backends.crossbar.array import FIDELITIES
from neurosim.hardware_backends.crossbar.ledger import Ledger
from neurosim.pynn import control as pynn_control
from neurosim.pynn import simulator as pynn_simulator

__all__ = ["get_ledger", "setup"]


def setup(timestep: float = DEFAULT_TIMESTEP, min_delay: Any = DEFAULT_MIN_DELAY,
          **extra_params: Any) -> int:
    """Start a new simulation on crossbars (PyNN ``setup``).

    Crossbar options (defaults in ``simulator.DEFAULT_OPTIONS``): ``fidelity`` ("ideal",
    "quantised", "noisy", "full"), ``device`` (a :class:`neurosim.devices.ResistiveDevice`),
    ``plasticity`` ("device" or "engine"), ``tile_shape``, ``v_read`` (Brian2 voltage),
    ``dac_bits``, ``adc_bits``, ``r_wire`` (Brian2 resistance), ``read_interval`` (ms
    between array reads; None: once per ``run()``), ``device_age`` (s from programming to
    t = 0), ``ledger_constants`` (overrides of ``ledger.CONSTANTS``); and those of
    ``neurosim.pynn.setup``: ``seed`` / ``rng_seed`` (default: a fixed seed, so one script
    gives one result), ``engine``...
    """
    options = {k: extra_params.pop(k) for k in list(extra_params)
               if k in simulator.DEFAULT_OPTIONS}
    options = {**simulator.DEFAULT_OPTIONS, **options}
    rest = {k: v for k, v in extra_params.items()
            if k not in pynn_simulator.DEFAULT_OPTIONS and k != "seed"}
    pynn_control.check_setup_options(
        timestep, rest, sorted([*simulator.DEFAULT_OPTIONS, *pynn_simulator.DEFAULT_OPTIONS]))
    interval = options["read_interval"]
    if interval is not None and not (isinstance(interval, int | float)
                                     and math.isfinite(interval) and interval > 0):
        raise ParameterError("read_interval", interval, "None (one read per run()) or a "
                             "finite number of ms > 0", "crossbar setup")
    if options["fidelity"] not in FIDELITIES:
        raise ParameterError("fidelity", options["fidelity"], f"one of {FIDELITIES}",
                             "crossbar setup")
    rank = pynn_control.setup(timestep, min_delay, **extra_params)
    st = simulator.state
    st.network_class = simulator.CrossbarNetwork
    st.crossbar_options = options
    st.ledger_done = Ledger()
    return rank


def get_ledger(last: bool = False) -> Ledger:
    """The energy/latency :class:`~neurosim.hardware_backends.crossbar.ledger.Ledger` of all
    runs since ``setup()`` (``last=True``: of the latest ``run()`` only)."""
    net = simulator.state.net
    return Ledger() if net is None else net.ledger(last)

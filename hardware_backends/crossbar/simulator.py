"""The crossbar's PyNN front end: ``neurosim.pynn`` with the crossbar's synapse path.

Everything PyNN-facing (populations, projections, recording, the translation into our
spec, changes between runs) is ``neurosim.pynn``'s. The only difference is the simulation a
segment runs on: :class:`CrossbarNetwork` builds the translated spec with
:func:`~neurosim.hardware_backends.crossbar.spec_backend.build_simulation`, the core that
``CA3Memory(backend="crossbar")`` uses (map, quantise, validate, program, read; the ledger),
and keeps the ledger of all runs since ``setup()``.

Timing is pyNN.brian2's, translated in :mod:`neurosim.pynn.translate` (our delay = PyNN delay
+ dt; docs/crossbar.md). ``reset()`` rebuilds the network: the arrays are programmed again,
with the segment's own seed.
"""

from __future__ import annotations

from typing import Any

from neurosim.hardware_backends.crossbar.ledger import Ledger
from neurosim.hardware_backends.crossbar.spec_backend import build_simulation
from neurosim.pynn import simulator as _pynn_simulator
from neurosim.pynn.core import Network
from neurosim.units import ms, ohm, second, volt

name = "NeurosimCrossbar"
state = _pynn_simulator.state
ID = _pynn_simulator.ID

#: setup() options of the crossbar (docs/crossbar.md) and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "fidelity": "noisy",
    "device": None,            # a neurosim.devices.ResistiveDevice; None: neurram_wan2022()
    "plasticity": None,        # "device" or "engine"; None: build_simulation's default
    "tile_shape": (256, 256),
    "v_read": None,            # Brian2 voltage; None: 0.2 V
    "dac_bits": 8,
    "adc_bits": 8,
    "r_wire": None,            # Brian2 resistance; None: 0.5 ohm ("full" only)
    "read_interval": None,     # ms between array reads; None: one read per run() call
    "device_age": 0.0,         # s between programming and t = 0 (drift)
    "ledger_constants": None,  # dict of overrides of ledger.CONSTANTS
}


class CrossbarNetwork(Network):
    """The run core of ``neurosim.pynn`` on crossbars."""

    def make_simulation(self, spec: Any, seed: Any) -> Any:
        o = self.state.crossbar_options
        st = self.state
        return build_simulation(
            spec, dt=st.dt * ms, seed=seed, fidelity=o["fidelity"], device=o["device"],
            plasticity=o["plasticity"], tile_shape=o["tile_shape"],
            v_read=o["v_read"] if o["v_read"] is not None else 0.2 * volt,
            dac_bits=o["dac_bits"], adc_bits=o["adc_bits"],
            r_wire=o["r_wire"] if o["r_wire"] is not None else 0.5 * ohm,
            read_interval=None if o["read_interval"] is None else o["read_interval"] * ms,
            device_age=o["device_age"] * second, ledger_constants=o["ledger_constants"],
            engine=st.options["engine"], **(st.options["engine_options"] or {}))

    def build(self) -> None:
        if self.sim is not None:  # the ledger of the segment that ends
            self.state.ledger_done = self.state.ledger_done + self.sim.ledger
        super().build()

    def ledger(self, last: bool = False) -> Ledger:
        """The ledger of the last run, or of everything since setup()."""
        if self.sim is None:
            return Ledger()
        return self.sim.last_ledger if last else self.state.ledger_done + self.sim.ledger


def crossbar_of(projection: Any) -> Any:
    """The :class:`~neurosim.hardware_backends.crossbar.CrossbarArray` holding a PyNN
    projection's weights (its first array, where a projection between assemblies needs
    several), once the network is built (after the first ``run()``)."""
    net = state.net
    if net is None or not net.live:
        raise RuntimeError("the crossbars are programmed at the first run(): run first")
    label = net.tr.pieces[id(projection)][0][0]
    return net.sim.crossbars[label]

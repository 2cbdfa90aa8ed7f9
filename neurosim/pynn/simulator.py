"""The state of a ``neurosim.pynn`` simulation (PyNN's ``simulator`` module, as pyNN.mock).

PyNN objects register here; at the first ``run()`` (and after ``reset()``) the run core,
:class:`neurosim.pynn.core.Network`, translates them into one
:class:`~neurosim.network.NetworkSpec` (:mod:`neurosim.pynn.translate`) and builds it on an
engine. A front end with another synapse path (the crossbar) gives ``State`` its own
``network_class``.
"""

from __future__ import annotations

from typing import Any

from pyNN import common

name = "neurosim"

#: The seed of a script that gives none (PyNN promises the same results for the same script;
#: ``setup(rng_seed=...)`` changes it). Recorded in the output's annotations.
DEFAULT_SEED = 20261205

#: setup() options of neurosim.pynn beyond PyNN's own, and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "engine": "numba",        # any engine of neurosim.engines
    "engine_options": None,   # a dict for the engine (e.g. {"codegen_target": "cython"})
    "rng_seed": DEFAULT_SEED,
    "spike_precision": "on_grid",
}


class ID(int, common.IDMixin):
    """A cell's global id."""

    def __init__(self, n: int):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """Time, the registered PyNN objects and the network built from them."""

    network_class: Any = None  # set by neurosim.pynn.core (no import circle)

    def __init__(self) -> None:
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay: float = 0.1
        self.min_delay_auto = True  # min_delay="auto": the smallest delay, found at build
        self.max_delay: float = 10.0
        self.options = dict(DEFAULT_OPTIONS)
        self.net: Any = None
        self.clear()

    def clear(self) -> None:
        self.recorders: set[Any] = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.populations: list[Any] = []
        self.projections: list[Any] = []
        self.current_sources: list[Any] = []
        self.write_on_end: list[Any] = []
        self.net = None
        self.reset()

    def reset(self) -> None:
        """t = 0 and a new segment; the network is rebuilt at the next run."""
        self.running = False
        self.t_start = 0
        self.segment_counter += 1
        self._step = 0
        if self.net is not None:
            self.net.stale = True

    @property
    def t(self) -> float:
        """Current time in ms."""
        return round(self._step * self.dt, 10)

    def changed(self, what: str, obj: Any = None) -> None:
        """Something was added or changed (``obj``: the population or current source whose
        parameters changed): a built network must take it in."""
        if self.net is not None:
            self.net.changed(what, obj)

    def run(self, simtime: float) -> None:
        n = round(simtime / self.dt)
        if n <= 0:
            return
        if self.net is None:
            self.net = self.network_class(self)
        self.net.advance(n)
        self.running = True
        self._step += n

    def run_until(self, tstop: float) -> None:
        if tstop > self.t + 1e-9:
            self.run(tstop - self.t)


state = State()

"""A :class:`~neurosim.network.NetworkSpec` on crossbars, behind the Simulation API.

The PyNN backend (:mod:`neurosim.hardware_backends.crossbar.simulator`) starts from PyNN
objects; models start from a spec. :func:`build_simulation` builds the spec on an engine
(Numba by default) and puts every projection's weights on a :class:`CrossbarArray`: the
engine's synapses deliver what the arrays read back, through the engine's public hooks
(``synapse_index``, ``set_weights``). The result is a :class:`CrossbarSimulation`: the
Simulation API (``run``, ``inject``, ``spikes``, ``weights``, ``t``, ``to_neo``) plus an
energy/latency ``ledger``. This is what ``CA3Memory(..., backend="crossbar")`` asks the
registry for (models never import a backend).

Plastic projections learn in one of two ways (``plasticity``):

* ``"device"`` (default unless ``fidelity="ideal"``): every STDP event is a train of
  programming pulses on the synapse's cell, inside the engine's kernel
  (:func:`neurosim.kernels.spiking.run_steps`): the weight moves on the device's levels,
  ``up``/``down`` levels per SET/RESET pulse, with pulse noise from the counter-based
  generator; pulses are counted per synapse and go into the ledger.
* ``"engine"``: the engine learns in float64 and the changed weights are programmed into
  their cells (levels, programming noise, pulses in the ledger) at the end of every chunk
  (``read_interval``, else every ``run()``), then read back.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.devices import ResistiveDevice
from neurosim.engines import get_engine
from neurosim.engines.base import Simulation, check_dt, stdp_constants
from neurosim.engines.data import RecordedData, SpikeData, StateData
from neurosim.errors import ParameterError
from neurosim.hardware_backends.crossbar.array import FIDELITIES, CrossbarArray
from neurosim.hardware_backends.crossbar.ledger import Ledger, constants
from neurosim.network import NetworkSpec, Probe, STDPMechanism
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.random import SeedLike, as_seed_sequence, child_seed
from neurosim.units import Quantity, ms, ohm, second, to_si, volt

__all__ = ["PLASTICITY", "CrossbarSimulation", "build_simulation"]

PLASTICITY = ("device", "engine")
_OWNER = "crossbar build_simulation"


def build_simulation(spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
                     fidelity: str = "noisy", device: ResistiveDevice | None = None, *,
                     plasticity: str | None = None, pulse_steps: tuple[int, int] = (1, 1),
                     tile_shape: tuple[int, int] = (256, 256), v_read: Quantity = 0.2 * volt,
                     dac_bits: int | None = 8, adc_bits: int | None = 8,
                     r_wire: Quantity = 0.5 * ohm, read_interval: Quantity | None = None,
                     device_age: Quantity = 0 * second,
                     ledger_constants: dict[str, float] | None = None,
                     engine: str = "numba", **engine_options: Any) -> CrossbarSimulation:
    """Build ``spec`` with every projection on a simulated resistive crossbar.

    Parameters
    ----------
    spec
        The network.
    dt, seed
        As for :func:`neurosim.engines.build`; ``seed`` also seeds the devices.
    fidelity
        ``"ideal"``, ``"quantised"``, ``"noisy"`` or ``"full"`` (docs/crossbar.md).
    device
        A :class:`~neurosim.devices.ResistiveDevice` (default: ``neurram_wan2022()``).
    plasticity
        ``"device"`` (STDP events are programming pulses in the kernel) or ``"engine"``
        (float STDP, written to the devices per chunk). Default: ``"engine"`` under
        ``fidelity="ideal"`` (no levels to step on), else ``"device"``.
    pulse_steps
        ``(up, down)``: levels a SET / RESET pulse moves a plastic cell (``"device"``).
    tile_shape, v_read, dac_bits, adc_bits, r_wire
        As for :class:`CrossbarArray`.
    read_interval
        Time between array reads (fresh read noise; ``"engine"`` plasticity: write-backs);
        None: once per ``run()``.
    device_age
        Time from programming to t = 0 (drift).
    ledger_constants
        Overrides of :data:`~neurosim.hardware_backends.crossbar.ledger.CONSTANTS`.
    engine
        ``"numba"`` (required for ``plasticity="device"``) or another engine with the
        ``set_weights`` hook.
    engine_options
        Passed to the engine (e.g. ``integration="spinnaker"``).

    Returns
    -------
    CrossbarSimulation
    """
    if not isinstance(spec, NetworkSpec):
        raise ParameterError("spec", spec, "a NetworkSpec", _OWNER)
    if fidelity not in FIDELITIES:
        raise ParameterError("fidelity", fidelity, f"one of {FIDELITIES}", _OWNER)
    if plasticity is None:
        plasticity = "engine" if fidelity == "ideal" else "device"
    if plasticity not in PLASTICITY:
        raise ParameterError("plasticity", plasticity, f"one of {PLASTICITY}", _OWNER)
    if plasticity == "device" and engine != "numba":
        raise ParameterError("engine", engine, "'numba' with plasticity='device'", _OWNER)
    up, down = (int(s) for s in pulse_steps)
    if up < 1 or down < 1:
        raise ParameterError("pulse_steps", pulse_steps, "two ints >= 1", _OWNER)
    dt_s = check_dt(dt)
    interval = None
    if read_interval is not None:
        interval = max(1, round(float(to_si(read_interval)) / dt_s))
    # every group needs its spikes recorded: they drive the ledger's row reads
    have = {p.target for p in spec.probes if p.variable == "spikes"}
    extra = tuple(Probe(g) for g in spec.groups if g not in have)
    full_spec = spec.replace(probes=spec.probes + extra) if extra else spec
    root = as_seed_sequence(seed, "seed")
    inner = get_engine(engine, **engine_options).build(full_spec, dt=dt, seed=root)
    xb_options = {"device": device, "fidelity": fidelity, "tile_shape": tile_shape,
                  "v_read": v_read, "dac_bits": dac_bits, "adc_bits": adc_bits,
                  "r_wire": r_wire}
    return CrossbarSimulation(spec, inner, root, xb_options, plasticity=plasticity,
                              pulse_steps=(up, down), interval=interval,
                              device_age_s=float(to_si(device_age)),
                              ledger_constants=ledger_constants)


class CrossbarSimulation(Simulation):
    """A spec whose weights live on crossbars; see :func:`build_simulation`.

    Attributes
    ----------
    ledger : Ledger
        Energy and latency of everything since the build (programming included).
    last_ledger : Ledger
        The same for the last ``run()``.
    crossbars : dict[str, CrossbarArray]
        One array per projection label.
    inner : Simulation
        The engine's simulation (what the arrays feed).
    """

    engine_name: ClassVar[str] = "crossbar"

    def __init__(self, spec: NetworkSpec, inner: Simulation, root: Any,
                 xb_options: dict[str, Any], *, plasticity: str, pulse_steps: tuple[int, int],
                 interval: int | None, device_age_s: float,
                 ledger_constants: dict[str, float] | None):
        super().__init__(spec, inner.dt_s, root)
        self.inner = inner
        self.fidelity = xb_options["fidelity"]
        self.plasticity = plasticity
        self._interval = interval
        self._device_age_s = device_age_s
        self._clock_s = 0.0  # simulated time since the build (device time)
        self._const = constants(**(ledger_constants or {}))
        self.ledger = Ledger(const=self._const)
        self.last_ledger = Ledger(const=self._const)
        self.crossbars: dict[str, CrossbarArray] = {}
        self._plastic: dict[str, dict[str, float]] = {}
        self._delivered: dict[str, np.ndarray] = {}
        self._pre_pos: dict[str, tuple[str, np.ndarray]] = {}
        self._ran = False
        t = self._device_time()
        for proj in spec.projections:
            label = proj.label
            w = np.asarray(to_si(inner.weights(label)), dtype=float)
            w_max = None
            if isinstance(proj.synapse, STDPMechanism):
                self._plastic[label] = stdp_constants(proj.synapse)
                w_max = self._plastic[label]["w_max"]
            xb = CrossbarArray(w.shape, seed=child_seed(root, "crossbar", label), **xb_options)
            xb.ledger.const = self._const
            xb.load(w, t=t * second, w_max=w_max)
            self.crossbars[label] = xb
            pos_of = np.full(spec.groups[proj.pre_label].size, -1, dtype=np.int64)
            pos_of[spec.ids(proj.pre)] = np.arange(w.shape[0])
            self._pre_pos[label] = (proj.pre_label, pos_of)
        if plasticity == "device" and self._plastic:
            self._attach_devices(root, pulse_steps)
        self._read_all(t)
        self._collect_programming(self.ledger)

    # -- devices --------------------------------------------------------------------------
    def _device_time(self) -> float:
        return self._device_age_s + self._clock_s

    def _attach_devices(self, root: Any, pulse_steps: tuple[int, int]) -> None:
        """Give the engine each plastic projection's level table (weight units) and pulse
        model: one level of the table per device level of the cell holding w+."""
        for label in self._plastic:
            xb = self.crossbars[label]
            d = xb.device
            n = int(d.n_levels)
            span = xb.g_max - xb.g_min
            levels = np.arange(n) * (span / (n - 1)) / xb.scale
            # pulse noise: the device's programming noise, in levels (one pulse = one write)
            sigma = float(to_si(d.sigma_prog)) / (span / (n - 1))
            self.inner.set_plasticity_device(label, levels * self._unit(label),
                                             up=pulse_steps[0],
                                             down=pulse_steps[1], sigma_levels=sigma,
                                             seed=child_seed(root, "pulses", label))

    def _read_all(self, t_s: float) -> None:
        """Read every array and hand the weights to the engine (plastic projections under
        device plasticity keep the kernel's levels: their cells are what the kernel says)."""
        for label, xb in self.crossbars.items():
            if label in self._plastic and self.plasticity == "device" and self._ran:
                continue
            self._deliver(label, xb.read(t_s * second))

    def _deliver(self, label: str, w: np.ndarray) -> None:
        # a read that crosses zero delivers nothing: the receptor is wired, not signed
        w = np.where(np.isfinite(w), np.maximum(w, 0.0), np.nan)
        self._delivered[label] = w
        self.inner.set_weights(label, w * self._unit(label))

    def _unit(self, label: str) -> Any:
        return WEIGHT_SI_UNITS[self.spec.projection(label).synapse.kind]

    def _write_back(self, t_s: float) -> None:
        """``"engine"`` plasticity: program the weights that learning changed, read back."""
        for label in self._plastic:
            new = np.asarray(to_si(self.inner.weights(label)), dtype=float)
            changed = np.isfinite(new) & (new != self._delivered[label])
            if not np.any(changed):
                continue
            xb = self.crossbars[label]
            xb.reprogram(new, t_s * second, changed=changed)
            self._deliver(label, xb.read(t_s * second))

    def _sync_device_levels(self) -> None:
        """``"device"`` plasticity: the kernel pulsed the cells; the arrays' targets follow
        (for reads, maps and the ledger's conductances); no extra programming."""
        for label in self._plastic:
            w = np.asarray(to_si(self.inner.weights(label)), dtype=float)
            self.crossbars[label].set_targets(w)

    def _collect_programming(self, ledger: Ledger) -> None:
        for xb in self.crossbars.values():
            ledger.merge(xb.ledger)
            xb.ledger = Ledger(const=self._const)

    # -- Simulation API ---------------------------------------------------------------------
    @property
    def t(self) -> Quantity:
        return self.inner.t

    def _advance(self, n_steps: int, progress: bool) -> None:
        ledger = Ledger(const=self._const)
        self._collect_programming(ledger)  # e.g. set_weights since the last run
        chunk = n_steps if self._interval is None else self._interval
        reread = self.fidelity in ("noisy", "full")
        done = 0
        while done < n_steps:
            n = min(chunk, n_steps - done)
            if reread and self._ran:
                self._read_all(self._device_time())
            k0 = round(float(to_si(self.inner.t)) / self.dt_s)
            pulses0 = self._pulse_total()
            self.inner.run(n * self.dt_s * second, progress=progress and chunk == n_steps)
            self._ran = True
            self._clock_s += n * self.dt_s
            self._account(ledger, k0, n)
            self._account_pulses(ledger, pulses0)
            if self._plastic:
                if self.plasticity == "engine":
                    self._write_back(self._device_time())
                else:
                    self._sync_device_levels()
            done += n
        self._collect_programming(ledger)
        self.last_ledger = ledger
        self.ledger = self.ledger + ledger

    def _pulse_total(self) -> dict[str, np.ndarray]:
        if self.plasticity != "device":
            return {}
        return {label: self.inner.pulse_counts(label) for label in self._plastic}

    def _account_pulses(self, ledger: Ledger, before: dict[str, np.ndarray]) -> None:
        """Programming pulses of on-device STDP: each pulse at the cell's conductance."""
        for label, old in before.items():
            new = self.inner.pulse_counts(label)
            n = new - old
            total = int(n.sum())
            if not total:
                continue
            xb = self.crossbars[label]
            pre, post = self.inner.synapse_index(label)
            w = np.asarray(to_si(self.inner.weights(label)))[pre, post]
            g = xb.g_min + xb.scale * np.maximum(w, 0.0)
            ledger.add_pulses(total, float(np.sum(n * g)), xb.tiling.n_tiles)

    def _account(self, ledger: Ledger, k0: int, n: int) -> None:
        """Row reads of this chunk's pre spikes, conversions and neuron updates."""
        t0, t1 = k0 * self.dt_s * second, (k0 + n) * self.dt_s * second
        spikes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        serial = np.zeros(n, dtype=np.int64)
        for label, xb in self.crossbars.items():
            group, pos_of = self._pre_pos[label]
            if group not in spikes:
                sp = self.inner.spikes_between(group, t0, t1)
                steps = np.round(np.asarray(to_si(sp.times)) / self.dt_s).astype(np.int64)
                spikes[group] = (steps - k0, sp.indices)
            steps, idx = spikes[group]
            pos = pos_of[idx]
            keep = pos >= 0
            if not np.any(keep):
                continue
            s, p = steps[keep], pos[keep]
            a, b = xb.tiling.grid
            tp, tn = xb.tiling.from_tiles(xb.target)
            row_g = tp.sum(axis=1) + tn.sum(axis=1)
            ledger.add_row_reads(len(p) * b, float(row_g[p].sum()), len(p) * xb.shape[1],
                                 xb.v_read, 0.0)
            per_tile = np.bincount(s * a + p // xb.tiling.tile_rows, minlength=n * a)
            serial = np.maximum(serial, per_tile.reshape(n, a).max(axis=1))
        ledger.add_row_reads(0, 0.0, 0, 0.0, float(serial.sum()))
        ledger.add_neuron_updates(self.spec.n_neurons, n)

    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None:
        self.inner.inject(source, indices, steps * self.dt_s * second)

    @property
    def data(self) -> dict[str, SpikeData | StateData]:
        keys = {p.key for p in self.spec.probes}
        return RecordedData({k: v for k, v in self.inner.data.items() if k in keys})

    def spikes_between(self, label: str, start: Quantity, stop: Quantity) -> SpikeData:
        return self.inner.spikes_between(label, start, stop)

    def weights(self, projection: str) -> Quantity:
        """What the synapses deliver now (the arrays' last read; the kernel's levels for
        plastic projections)."""
        return self.inner.weights(projection)

    def _synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        return self.inner.synapse_index(projection)

    def _set_weights(self, projection: str, w_si: np.ndarray) -> None:
        """New targets are programmed into the cells (pulses in the ledger), then read."""
        pre, post = self.inner.synapse_index(projection)
        xb = self.crossbars[projection]
        mat = np.full(xb.shape, np.nan)
        mat[pre, post] = w_si
        t = self._device_time() * second
        xb.reprogram(mat, t)
        self._deliver(projection, xb.read(t))

    def _get_state(self, label: str, variable: str) -> np.ndarray:
        return np.asarray(to_si(self.inner.get_state(label, variable)))

    def _set_state(self, label: str, variable: str, values_si: np.ndarray) -> None:
        self.inner.set_state(label, variable, values_si * self.state_unit(label, variable))

    # -- what the engine under the arrays keeps: delays, changes between runs ----------------
    def _synapse_weights(self, projection: str) -> np.ndarray:
        return np.asarray(to_si(self.inner.synapse_weights(projection)))

    def _delay_steps(self, projection: str) -> np.ndarray:
        return np.rint(np.asarray(to_si(self.inner.delays(projection))) / self.dt_s).astype(
            np.int64)

    def _set_delay_steps(self, projection: str, steps: np.ndarray) -> None:
        self.inner.set_delays(projection, steps * self.dt_s * second)

    def _spiked_since(self, label: str, step: int) -> bool:
        return self.inner._spiked_since(label, step)

    @property
    def current_plan(self) -> Any:
        return self.inner.current_plan

    def _set_parameters(self, label: str, new_spec: NetworkSpec) -> None:
        self.inner._set_parameters(label, new_spec)
        self.inner.spec = self.inner.spec.replace(populations=new_spec.populations)

    def set_current_source(self, source: Any) -> None:
        self.inner.set_current_source(source)
        self.spec = self.spec.replace(current_sources=self.inner.spec.current_sources)

    def _replace_spikes(self, source: str, indices: np.ndarray, steps: np.ndarray,
                        now: int) -> None:
        self.inner._replace_spikes(source, indices, steps, now)

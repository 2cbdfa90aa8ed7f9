"""Standard cells, synapses and current sources of ``neurosim.pynn``.

Names, parameters, defaults and units are PyNN's (the classes subclass
``pyNN.standardmodels``). The "native" names are the standard ones: the translation into our
:class:`~neurosim.network.NetworkSpec` happens in one place, :mod:`neurosim.pynn.translate`.
Every cell type of :data:`neurosim.network.cells.CELL_TYPES` is here, with the state
variables its declaration makes recordable.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pyNN import errors
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import StandardCurrentSource, build_translations, cells, electrodes
from pyNN.standardmodels import receptors as pynn_receptors
from pyNN.standardmodels import synapses as pynn_synapses

from neurosim.counter_rng import source_key
from neurosim.network.cells import CELL_TYPES
from neurosim.pynn.simulator import state
from neurosim.pynn_units import PYNN_UNITS
from neurosim.units import si_unit_name


def _identity(*names: str) -> dict:
    return build_translations(*[(n, n) for n in names])


def _cell_class(name: str) -> type:
    """PyNN's class of ``name`` with identity translations and our recordable variables."""
    base = getattr(cells, name)
    ours = CELL_TYPES[name]
    units = dict(base.units)
    for var in ours.recordable_variables():
        units.setdefault(var, PYNN_UNITS[si_unit_name(ours.state_unit(var))][0])
    recordable = ["spikes", *ours.recordable_variables()]
    return type(name, (base,), {"__doc__": base.__doc__, "__module__": __name__,
                                "translations": _identity(*base.default_parameters),
                                "recordable": recordable, "units": units})


_CELLS = {name: _cell_class(name) for name in CELL_TYPES}
IF_curr_exp = _CELLS["IF_curr_exp"]
IF_cond_exp = _CELLS["IF_cond_exp"]
IF_curr_alpha = _CELLS["IF_curr_alpha"]
IF_cond_alpha = _CELLS["IF_cond_alpha"]
IF_curr_delta = _CELLS["IF_curr_delta"]
EIF_cond_exp_isfa_ista = _CELLS["EIF_cond_exp_isfa_ista"]
EIF_cond_alpha_isfa_ista = _CELLS["EIF_cond_alpha_isfa_ista"]
Izhikevich = _CELLS["Izhikevich"]
HH_cond_exp = _CELLS["HH_cond_exp"]


# -- PyNN 0.13's composed cells: PointNeuron(neuron, **receptors) ---------------------------
class LIF(cells.LIF):
    __doc__ = cells.LIF.__doc__
    translations = _identity(*cells.LIF.default_parameters)


class AdExp(cells.AdExp):
    __doc__ = cells.AdExp.__doc__
    translations = _identity(*cells.AdExp.default_parameters)


class CurrExpPostSynapticResponse(pynn_receptors.CurrExpPostSynapticResponse):
    __doc__ = pynn_receptors.CurrExpPostSynapticResponse.__doc__
    translations = _identity(*pynn_receptors.CurrExpPostSynapticResponse.default_parameters)
    recordable: ClassVar[list[str]] = ["isyn"]
    model = "CurrExp"  # neurosim.network.composed.RECEPTOR_MODELS


class CondExpPostSynapticResponse(pynn_receptors.CondExpPostSynapticResponse):
    __doc__ = pynn_receptors.CondExpPostSynapticResponse.__doc__
    translations = _identity(*pynn_receptors.CondExpPostSynapticResponse.default_parameters)
    recordable: ClassVar[list[str]] = ["gsyn"]
    model = "CondExp"


class CondAlphaPostSynapticResponse(pynn_receptors.CondAlphaPostSynapticResponse):
    __doc__ = pynn_receptors.CondAlphaPostSynapticResponse.__doc__
    translations = _identity(*pynn_receptors.CondAlphaPostSynapticResponse.default_parameters)
    recordable: ClassVar[list[str]] = ["gsyn"]
    model = "CondAlpha"


AlphaPSR = CondAlphaPostSynapticResponse  # pyNN.brian2's short name


class PointNeuron(cells.PointNeuron):
    """PyNN's composed point neuron. Its parameters are flat, under PyNN's names (``tau_m``,
    ``AMPA.tau_syn``): the translation into a composed cell type of
    :mod:`neurosim.network.composed` happens in :mod:`neurosim.pynn.translate`."""

    @property
    def native_parameters(self) -> ParameterSpace:
        flat = dict(self.neuron.parameter_space.items())
        for name, psr in self.post_synaptic_receptors.items():
            for key, value in psr.parameter_space.items():
                if key != "locations":  # point neurons: no dendritic locations
                    flat[f"{name}.{key}"] = value
        return ParameterSpace(flat)

    def get_schema(self) -> dict:
        return {name: float for name in self.native_parameters.keys()}

    def get_native_names(self, *names: str) -> list[str]:
        return list(names) if names else list(self.native_parameters.keys())

    def translate(self, parameters: Any, copy: bool = True) -> Any:
        return parameters

    def reverse_translate(self, native_parameters: Any) -> Any:
        return native_parameters

    def computed_parameters(self) -> list[str]:
        return []

    def computed_parameters_include(self, parameter_names: Any) -> bool:
        return False


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _identity("spike_times")


def check_spike_times(trains: Any) -> None:
    """PyNN's InvalidParameterValueError for spike times out of order (PyNN issue 511)."""
    for seq in np.atleast_1d(trains):
        t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
        if np.any(np.diff(t) < 0):
            raise errors.InvalidParameterValueError(
                f"SpikeSourceArray spike_times must be sorted, got {t.tolist()}")


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _identity("rate", "start", "duration")


# -- synapses ---------------------------------------------------------------------------
def _min_delay() -> float:
    return state.min_delay


class StaticSynapse(pynn_synapses.StaticSynapse):
    __doc__ = pynn_synapses.StaticSynapse.__doc__
    translations = _identity("weight", "delay")

    def _get_minimum_delay(self) -> float:
        return _min_delay()


class TsodyksMarkramSynapse(pynn_synapses.TsodyksMarkramSynapse):
    __doc__ = pynn_synapses.TsodyksMarkramSynapse.__doc__
    translations = _identity("weight", "delay", "U", "tau_rec", "tau_facil")

    def _get_minimum_delay(self) -> float:
        return _min_delay()


class STDPMechanism(pynn_synapses.STDPMechanism):
    __doc__ = pynn_synapses.STDPMechanism.__doc__
    base_translations = _identity("weight", "delay", "dendritic_delay_fraction")

    def _get_minimum_delay(self) -> float:
        return _min_delay()

    def _build_translations(self) -> None:
        # a copy: PyNN's base class updates the class attribute in place, which would leak
        # one instance's components into the next
        self.translations = dict(self.__class__.base_translations)
        for component in (self.timing_dependence, self.weight_dependence,
                          self.voltage_dependence):
            if component:
                self.translations.update(component.translations)


class AdditiveWeightDependence(pynn_synapses.AdditiveWeightDependence):
    __doc__ = pynn_synapses.AdditiveWeightDependence.__doc__
    translations = _identity("w_max", "w_min")


class MultiplicativeWeightDependence(pynn_synapses.MultiplicativeWeightDependence):
    __doc__ = pynn_synapses.MultiplicativeWeightDependence.__doc__
    translations = _identity("w_max", "w_min")


class SpikePairRule(pynn_synapses.SpikePairRule):
    __doc__ = pynn_synapses.SpikePairRule.__doc__
    translations = _identity("tau_plus", "tau_minus", "A_plus", "A_minus")


# -- current sources --------------------------------------------------------------------
class _CurrentSource(StandardCurrentSource):
    """A current source: its parameters, the cells it is injected into, its recording."""

    def __init__(self, **parameters: Any):
        object.__setattr__(self, "_native", {})
        super().__init__(**parameters)
        self._cells: list[Any] = []
        self.recording = False
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        space.update(**parameters)
        self.set_native_parameters(self.translate(space))
        state.current_sources.append(self)
        state.changed("a new current source")

    def get_native_parameters(self) -> ParameterSpace:
        return ParameterSpace(dict(self._native))

    def set_native_parameters(self, parameters: ParameterSpace) -> None:
        parameters.evaluate(simplify=True)
        values = {name: (value.value if isinstance(value, Sequence) else value)
                  for name, value in parameters.items()}
        self._native.update(self._checked_all(values))
        if self._cells:
            state.changed("a current source's parameters", self)

    def native_values(self) -> dict[str, Any]:
        """Parameters in PyNN's units (arrays for times and amplitudes)."""
        return {k: (np.asarray(v, dtype=float) if np.ndim(v) else float(v))
                for k, v in self._native.items()}

    def inject_into(self, cells: Any) -> None:
        for cell in cells:
            if not cell.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        self._cells.extend(cells)
        state.changed("a current source's targets")

    def targets(self) -> list[tuple[Any, np.ndarray]]:
        """(population, indices in it) of every cell the current goes into."""
        out: dict[int, tuple[Any, list[int]]] = {}
        for cell in self._cells:
            out.setdefault(id(cell.parent), (cell.parent, []))[1].append(
                int(cell.parent.id_to_index(cell)))
        return [(pop, np.asarray(idx, dtype=np.int64)) for pop, idx in out.values()]

    def record(self) -> None:
        self.recording = True
        state.changed("a current source's recording")

    def _get_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The injected current (nA) at every step from 0 to now inclusive, as PyNN's
        backends record it: the waveform the engine injected, from the same declaration and
        (noise) the same counter-based key."""
        net = state.net
        labels = net.tr.sources.get(id(self)) if net is not None and net.live else None
        if not labels:
            raise errors.RecordingError("current", type(self).__name__)
        source = net.tr.spec.current_source(labels[0])
        key = source_key(net.sim.seed, f"current:{source.label}")
        n = state._step
        values = source.waveform(0, n + 1, state.dt * 1e-3, key) * 1e9
        return np.round(np.arange(n + 1) * state.dt, 9), values

    def _checked_all(self, values: dict[str, Any]) -> dict[str, Any]:
        """PyNN's checks of the parameters (subclasses add theirs)."""
        return values


class DCSource(_CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = _identity("amplitude", "start", "stop")


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = _identity("amplitudes", "times")

    def _checked_all(self, values: dict[str, Any]) -> dict[str, Any]:
        """Times >= 0 and increasing (ValueError, as PyNN's backends), mapped to the time
        grid; of several changes on one step the last one stays (pyNN.brian2, NEST)."""
        if "times" not in values:
            return values
        t = np.asarray(values["times"], dtype=float).ravel()
        a = np.asarray(values.get("amplitudes", self._native.get("amplitudes", [])),
                       dtype=float).ravel()
        if np.any(t < 0):
            raise ValueError(f"StepCurrentSource times must be >= 0 ms, got {t.tolist()}")
        if np.any(np.diff(t) <= 0):
            raise ValueError("StepCurrentSource times must increase, got "
                             f"{t.tolist()}")
        if len(a) != len(t):
            raise ValueError(f"StepCurrentSource has {len(t)} times and {len(a)} amplitudes")
        dt = state.dt
        steps = np.rint(t / dt).astype(np.int64)
        last = np.append(steps[1:] != steps[:-1], True)
        return {**values, "times": np.round(steps[last] * dt, 9), "amplitudes": a[last]}


class ACSource(_CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = _identity("amplitude", "start", "stop", "frequency", "offset", "phase")


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = _identity("mean", "start", "stop", "stdev", "dt")

"""Standard cell and synapse types of the crossbar backend.

Names, parameters, defaults and units are PyNN's (the classes subclass
``pyNN.standardmodels``); the "native" names are the same as the standard ones, because
the translation into our :class:`~neurosim.network.NetworkSpec` happens in one place,
:mod:`neurosim.hardware_backends.crossbar.simulator`, at the first ``run()``.
"""

from __future__ import annotations

from pyNN.standardmodels import build_translations, cells, synapses

from neurosim.hardware_backends.crossbar.simulator import state

__all__ = [
    "AdditiveWeightDependence",
    "IF_cond_exp",
    "IF_curr_exp",
    "MultiplicativeWeightDependence",
    "STDPMechanism",
    "SpikePairRule",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StaticSynapse",
]


def _identity(*names: str) -> dict:
    return build_translations(*[(n, n) for n in names])


class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _identity(*cells.IF_curr_exp.default_parameters)


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    translations = _identity(*cells.IF_cond_exp.default_parameters)


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    translations = _identity("spike_times")


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = _identity("rate", "start", "duration")


def _min_delay() -> float:
    d = state.min_delay
    return state.dt if d == "auto" else d


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = _identity("weight", "delay")

    def _get_minimum_delay(self) -> float:
        return _min_delay()


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
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


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = _identity("w_max", "w_min")


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = _identity("w_max", "w_min")


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = _identity("tau_plus", "tau_minus", "A_plus", "A_minus")

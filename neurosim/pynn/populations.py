"""Population, PopulationView and Assembly (PyNN's common classes over our spec)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from neurosim.pynn import simulator
from neurosim.pynn.recording import Recorder
from neurosim.pynn.standardmodels import check_spike_times

__all__ = ["Assembly", "Population", "PopulationView"]


class Assembly(common.Assembly):
    __doc__ = common.Assembly.__doc__
    _simulator = simulator


class _ParameterAccess:
    """Parameters are stored per population as evaluated arrays (as pyNN.mock)."""

    def _get_parameters(self, *names: str) -> Any:
        if isinstance(self.celltype, StandardCellType):
            if any(n in self.celltype.computed_parameters() for n in names):
                native = self.celltype.get_native_names()
            else:
                native = self.celltype.get_native_names(*names)
            return self.celltype.reverse_translate(self._get_native_parameters(*native))
        return self._get_native_parameters(*names)


class PopulationView(_ParameterAccess, common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _assembly_class = Assembly
    _simulator = simulator

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        out = {}
        for n in names:
            value = self.parent._parameters[n]
            if isinstance(value, np.ndarray):
                value = value[self.mask]
            out[n] = simplify(value)
        return ParameterSpace(out, shape=(self.size,))

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        simulator.state.changed("Population.set", self.grandparent)
        for n, value in parameter_space.items():
            if n == "spike_times":
                check_spike_times(value.evaluate(simplify=False))
            try:
                self.parent._parameters[n][self.mask] = value.evaluate(simplify=True)
            except ValueError:
                raise errors.InvalidParameterValueError(
                    f"{n} should not be of type {type(value)}") from None

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        base = self.grandparent
        values = base.initial_array(variable).copy()
        values[self.index_in_grandparent(np.arange(self.size))] = initial_values.evaluate(
            simplify=False)
        base.initialize(**{variable: values})

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)


class Population(_ParameterAccess, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self) -> None:
        st = simulator.state
        ids = np.arange(st.id_counter, st.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids], dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        ps = (self.celltype.native_parameters if isinstance(self.celltype, StandardCellType)
              else self.celltype.parameter_space)
        ps.shape = (self.size,)
        ps.evaluate(mask=self._mask_local, simplify=False)
        self._parameters = ps.as_dict()
        if "spike_times" in self._parameters:
            check_spike_times(self._parameters["spike_times"])
        for cell in self.all_cells:
            cell.parent = self
        st.id_counter += self.size
        st.populations.append(self)
        st.changed("a new Population")

    def initial_array(self, variable: str) -> np.ndarray:
        """Initial values of ``variable`` (PyNN units), one per neuron."""
        if variable not in self.initial_values:
            return np.zeros(self.size)
        return np.asarray(self.initial_values[variable].evaluate(simplify=False), dtype=float)

    def _set_initial_value_array(self, variable: str, initial_values: Any) -> None:
        # applied when the engine is (re)built: the first run() and every reset()
        if variable not in self.celltype.default_initial_values:
            raise errors.NonExistentParameterError(
                variable, self.celltype.__class__.__name__,
                list(self.celltype.default_initial_values))

    def _get_view(self, selector: Any, label: str | None = None) -> PopulationView:
        return PopulationView(self, selector, label)

    def _get_native_parameters(self, *names: str) -> ParameterSpace:
        return ParameterSpace({n: simplify(self._parameters[n]) for n in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space: ParameterSpace) -> None:
        simulator.state.changed("Population.set", self)
        parameter_space.evaluate(simplify=False, mask=self._mask_local)
        for n, value in parameter_space.items():
            if n == "spike_times":
                check_spike_times(value)
            self._parameters[n] = value

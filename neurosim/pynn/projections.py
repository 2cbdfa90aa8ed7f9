"""Projection: PyNN's connectors fill a connection list; the run core binds it to the
engine's synapses, where weights and delays are read and written per connection."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import common, errors
from pyNN.space import Space
from pyNN.standardmodels.base import excitatory_receptor_types, inhibitory_receptor_types

from neurosim.pynn import simulator
from neurosim.pynn.standardmodels import StaticSynapse

__all__ = ["Connection", "Projection"]

_SPACE = Space()  # PyNN's default argument, shared as PyNN shares it


class Connection(common.Connection):
    """One connection of a projection (weight in nA, uS or mV; delay in ms)."""

    def __init__(self, projection: Projection, index: int):
        self.projection = projection
        self.index = index
        self.presynaptic_index = int(projection._conn["pre"][index])
        self.postsynaptic_index = int(projection._conn["post"][index])

    def _get(self, name: str) -> float:
        return float(self.projection._values(name)[self.index])

    def _put(self, name: str, value: float) -> None:
        values = np.array(self.projection._values(name), dtype=float)
        values[self.index] = value
        self.projection._write(name, values)

    weight = property(lambda self: self._get("weight"), lambda self, v: self._put("weight", v))
    delay = property(lambda self: self._get("delay"), lambda self, v: self._put("delay", v))

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__["projection"]._conn["extra"]
        if name in extra:
            return float(extra[name][self.__dict__["index"]])
        raise AttributeError(name)

    def as_tuple(self, *attribute_names: str) -> tuple:
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population: Any, postsynaptic_population: Any,
                 connector: Any, synapse_type: Any = None, source: Any = None,
                 receptor_type: Any = None, space: Space = _SPACE, label: Any = None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space,
                                   label)
        self._parts: dict[str, list] = {"pre": [], "post": [], "weight": [], "delay": []}
        self._extra_parts: dict[str, list] = {}
        connector.connect(self)
        self._conn = self._finish()
        st = simulator.state
        st.projections.append(self)
        st.changed("a new Projection")

    # -- building the connection list ------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices: Any, postsynaptic_index: int,
                            location_selector: Any = None, **connection_parameters: Any):
        if location_selector is not None:
            raise NotImplementedError("neurosim has point neurons only")
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        n = len(pre)
        if n == 0:
            return
        params = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
                  for k, v in connection_parameters.items()}
        w, d = params.pop("weight"), params.pop("delay")
        self._check(w, d)
        self._parts["pre"].append(pre)
        self._parts["post"].append(np.full(n, int(postsynaptic_index), dtype=np.int64))
        self._parts["weight"].append(w)
        self._parts["delay"].append(d)
        for k, v in params.items():
            self._extra_parts.setdefault(k, []).append(v)

    def _check(self, w: np.ndarray, d: np.ndarray) -> None:
        # the errors PyNN raises (pyNN.standardmodels.check_weights / check_delays)
        dt, max_delay = simulator.state.dt, simulator.state.max_delay
        if np.any(d < dt * (1 - 1e-9)):
            raise errors.ConnectionError(
                f"Delay ({d.min()}) is out of range [{dt}, {max_delay}]")
        if self.post.conductance_based or self.receptor_type in excitatory_receptor_types:
            if np.any(w < 0):
                raise errors.ConnectionError(
                    "Weights must be positive for conductance-based and/or excitatory synapses")
        elif self.receptor_type in inhibitory_receptor_types:
            if np.any(w > 0):
                raise errors.ConnectionError(
                    "Weights must be negative for current-based, inhibitory synapses")
        elif np.any(w < 0):  # a receptor PyNN does not classify: ours are magnitudes
            raise errors.ConnectionError(
                f"Weights must be positive on receptor {self.receptor_type!r} (negative "
                f"weights: name it one of {inhibitory_receptor_types})")

    def _finish(self) -> dict[str, Any]:
        cat = {k: (np.concatenate(v) if v else np.zeros(
            0, dtype=np.int64 if k in ("pre", "post") else float))
            for k, v in self._parts.items()}
        cat["extra"] = {k: np.concatenate(v) for k, v in self._extra_parts.items()}
        del self._parts, self._extra_parts
        return cat

    def __len__(self) -> int:
        return len(self._conn["pre"])

    @property
    def connections(self):
        return (Connection(self, i) for i in range(len(self)))

    # -- reading and writing per connection ------------------------------------------------
    def _net(self) -> Any:
        net = simulator.state.net
        return net if net is not None and net.live else None

    def _values(self, name: str) -> np.ndarray:
        if name == "weight":
            net = self._net()
            return net.weights(self) if net is not None else self._conn["weight"]
        if name == "delay":
            return self._conn["delay"]
        if name in self._conn["extra"]:
            return self._conn["extra"][name]
        raise errors.NonExistentParameterError(
            name, type(self.synapse_type).__name__,
            ["weight", "delay", *self._conn["extra"]])

    def _write(self, name: str, values: np.ndarray) -> None:
        net = self._net()
        if name == "weight":
            self._check(values, self._conn["delay"])
            self._conn["weight"] = np.array(values, dtype=float)
            if net is not None:
                net.deliver(self, self._conn["weight"])
        elif name == "delay":
            self._check(self._conn["weight"], values)
            if net is not None:
                net.set_delays(self, values)
            self._conn["delay"] = np.array(values, dtype=float)
        elif name in self._conn["extra"]:
            self._conn["extra"][name] = np.array(values, dtype=float)
            simulator.state.changed(f"Projection.set({name}=...)")
        else:
            self._values(name)  # raises the error PyNN raises

    def _get_attributes_as_list(self, attribute_names: Any) -> list[tuple]:
        cols = []
        for name in attribute_names:
            if name == "presynaptic_index":
                cols.append(self._conn["pre"])
            elif name == "postsynaptic_index":
                cols.append(self._conn["post"])
            else:
                cols.append(self._values(name))
        return [tuple(row) for row in np.array(cols, dtype=float).T]

    def _get_attributes_as_arrays(self, attribute_names: Any, multiple_synapses: str = "sum"):
        reduce = {"sum": np.add, "min": np.fmin, "max": np.fmax}.get(multiple_synapses)
        out = []
        pre, post = self._conn["pre"], self._conn["post"]
        for name in attribute_names:
            values = np.asarray(self._values(name), dtype=float)
            arr = np.full((self.pre.size, self.post.size), np.nan)
            if multiple_synapses == "first":
                arr[pre[::-1], post[::-1]] = values[::-1]
            elif multiple_synapses == "last":
                arr[pre, post] = values
            elif reduce is not None:
                first = np.full(arr.shape, True)
                for p, q, v in zip(pre, post, values):
                    arr[p, q] = v if first[p, q] else reduce(arr[p, q], v)
                    first[p, q] = False
            else:
                raise ValueError(f"multiple_synapses={multiple_synapses!r}: one of 'sum', "
                                 "'min', 'max', 'first', 'last'")
            out.append(arr)
        return out

    def _set_attributes(self, parameter_space: Any) -> None:
        parameter_space.evaluate()
        pre, post = self._conn["pre"], self._conn["post"]
        for name, value in parameter_space.items():
            v = np.asarray(value, dtype=float)
            per_conn = v[pre, post] if v.ndim == 2 else np.broadcast_to(v, pre.shape)
            keep = ~np.isnan(per_conn)  # PyNN leaves NaN entries of a matrix alone
            new = np.array(self._values(name), dtype=float)
            new[keep] = per_conn[keep]
            self._write(name, new)

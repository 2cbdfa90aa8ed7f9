"""Projection of the crossbar backend: PyNN's connectors fill a connection list; the weights
live on a crossbar (see :mod:`neurosim.hardware_backends.crossbar.simulator`)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import common, errors
from pyNN.space import Space

from neurosim.hardware_backends.crossbar import simulator
from neurosim.hardware_backends.crossbar.standardmodels import StaticSynapse

__all__ = ["Connection", "Projection"]

_EXCITATORY = ("excitatory", "AMPA", "NMDA")
_SPACE = Space()  # PyNN's default argument, shared as PyNN shares it


class Connection(common.Connection):
    """One connection of a projection (weight in nA or uS, delay in ms)."""

    def __init__(self, projection: Projection, index: int):
        self.projection = projection
        self.index = index
        self.presynaptic_index = int(projection._conn["pre"][index])
        self.postsynaptic_index = int(projection._conn["post"][index])

    @property
    def weight(self) -> float:
        return float(self.projection._current_weights()[self.index])

    @property
    def delay(self) -> float:
        return float(self.projection._conn["delay"][self.index])

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=_SPACE,
                 label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space,
                                   label)
        self._parts: dict[str, list] = {"pre": [], "post": [], "weight": [], "delay": []}
        self._extra_parts: dict[str, list] = {}
        connector.connect(self)
        self._conn = self._finish()
        st = simulator.state
        self._index = len(st.projections)
        st.projections.append(self)
        st.net and st.net.mark_stale()

    # -- building the connection list ---------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError("the crossbar backend has point neurons only")
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
        dt = simulator.state.dt
        if np.any(d < dt * (1 - 1e-9)):
            raise errors.ConnectionError(
                f"Delay ({d.min()}) is out of range [{dt}, {simulator.state.max_delay}]")
        conductance = bool(self.post.conductance_based)
        if conductance or self.receptor_type in _EXCITATORY:
            if np.any(w < 0):
                raise errors.ConnectionError(
                    "Weights must be positive for conductance-based and/or excitatory synapses")
        elif np.any(w > 0):
            raise errors.ConnectionError(
                "Weights must be negative for current-based, inhibitory synapses")

    def _finish(self) -> dict[str, Any]:
        cat = {k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64 if k in ("pre", "post")
                                                         else float))
               for k, v in self._parts.items()}
        cat["extra"] = {k: np.concatenate(v) for k, v in self._extra_parts.items()}
        key = cat["pre"] * max(self.post.size, 1) + cat["post"]
        if len(np.unique(key)) != len(key):
            raise NotImplementedError("the crossbar backend holds one synapse per (pre, post) "
                                      "pair (one crossbar cell pair): no multapses")
        del self._parts, self._extra_parts
        return cat

    def __len__(self) -> int:
        return len(self._conn["pre"])

    @property
    def connections(self):
        return (Connection(self, i) for i in range(len(self)))

    # -- weights -------------------------------------------------------------------------------
    def weight_matrix(self, w: np.ndarray | None = None) -> np.ndarray:
        """``(pre.size, post.size)`` signed weights (PyNN units), NaN where unconnected."""
        out = np.full((self.pre.size, self.post.size), np.nan)
        out[self._conn["pre"], self._conn["post"]] = self._conn["weight"] if w is None else w
        return out

    def _current_weights(self) -> np.ndarray:
        """What the synapses deliver now: the crossbar's last read (the engine's value for
        plastic synapses); the targets before the network is built."""
        from neurosim.hardware_backends.crossbar.standardmodels import STDPMechanism

        net = simulator.state.net
        if net is None or id(self) not in net.crossbars or getattr(self, "_read_w", None) is None:
            return self._conn["weight"]
        if isinstance(self.synapse_type, STDPMechanism) and net.sim is not None and not net.stale:
            return net.engine_weights(self)
        return self._read_w

    def _get_attributes_as_list(self, attribute_names):
        cols = []
        for name in attribute_names:
            if name == "presynaptic_index":
                cols.append(self._conn["pre"])
            elif name == "postsynaptic_index":
                cols.append(self._conn["post"])
            elif name == "weight":
                cols.append(self._current_weights())
            elif name == "delay":
                cols.append(self._conn["delay"])
            elif name in self._conn["extra"]:
                cols.append(self._conn["extra"][name])
            else:
                raise errors.NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                       ["weight", "delay"])
        return [tuple(row) for row in np.array(cols, dtype=float).T]

    def _get_attributes_as_arrays(self, attribute_names, multiple_synapses="sum"):
        out = []
        for name in attribute_names:
            values = self._get_attributes_as_list([name])
            arr = np.full((self.pre.size, self.post.size), np.nan)
            arr[self._conn["pre"], self._conn["post"]] = [v[0] for v in values]
            out.append(arr)
        return out

    def _set_attributes(self, parameter_space):
        parameter_space.evaluate()
        pre, post = self._conn["pre"], self._conn["post"]
        for name, value in parameter_space.items():
            v = np.asarray(value, dtype=float)
            per_conn = v[pre, post] if v.ndim == 2 else np.broadcast_to(v, pre.shape)
            if name == "weight":
                self._check(per_conn, self._conn["delay"])
                self._conn["weight"] = np.array(per_conn, dtype=float)
                net = simulator.state.net
                if net is not None and id(self) in net.crossbars:
                    net.write_weights(self)  # programming pulses, then a read
            elif name == "delay":
                net = simulator.state.net
                net and net.require_unbuilt("change delays")
                self._check(self._conn["weight"], per_conn)
                self._conn["delay"] = np.array(per_conn, dtype=float)
            else:
                raise NotImplementedError(f"setting {name!r} on the crossbar backend")

    # -- ledger helpers (cached per build) --------------------------------------------------------
    def _pre_positions(self, net) -> list[tuple[str, np.ndarray]]:
        """Per spec group of the pre side: its label and, per neuron of that group, the
        row of this projection it drives (-1: none). Cached per build."""
        key = ("pos", id(net.sim))
        if getattr(self, "_cache_key", None) != key:
            from neurosim.hardware_backends.crossbar.simulator import base_indices

            out = {}
            for base, ind, pos in base_indices(self.pre, np.arange(self.pre.size)):
                label = net.groups[id(base)]
                pos_of = out.setdefault(label, np.full(base.size, -1, dtype=np.int64))
                pos_of[ind] = pos
            self._pos = list(out.items())
            self._cache_key = key
        return self._pos

    def _row_conductance(self, xb) -> np.ndarray:
        """Summed target conductance (S) of both cells of every weight in each row."""
        pos, neg = xb.tiling.from_tiles(xb.target)
        return pos.sum(axis=1) + neg.sum(axis=1)

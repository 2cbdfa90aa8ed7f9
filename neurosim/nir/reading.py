"""NIR graph -> :class:`~neurosim.network.NetworkSpec` (see :mod:`neurosim.nir.conventions`
for the units, the cell of each primitive and the discretisation)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.network import (
    FromList,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
)
from neurosim.network.cells import IF_curr_delta, IF_curr_exp
from neurosim.nir.conventions import NEURON_PRIMITIVES, equation_cells
from neurosim.units import Quantity, amp, farad, ohm, require_quantity, second, to_si, volt

__all__ = ["from_nir", "neuron_population"]

_EDGE_PRIMITIVES = ("Affine", "Linear", "Scale", "Delay", "Flatten")
_BACKEND = "neurosim.nir (from_nir)"


def _kind(node: Any) -> str:
    return type(node).__name__


def _flat(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).reshape(-1)


def _value(a: np.ndarray, unit: Any) -> Any:
    """One quantity where every neuron has the same value, else one per neuron."""
    return float(a[0]) * unit if np.all(a == a[0]) else a * unit


def _size(node: Any) -> int:
    out = getattr(node, "output_type", None) or {}
    shape = out.get("output") if isinstance(out, dict) else None
    if shape is not None and np.size(shape):
        return int(np.prod(shape))
    return int(_flat(getattr(node, "v_threshold", getattr(node, "r", [1]))).size)


def neuron_population(name: str, node: Any, vu: float = 1.0, cu: float = 1.0
            ) -> tuple[Population, dict[str, Any]]:
    """The population of one neuron node, and the factors that turn a weight into a jump
    of its receptors' variable (``jump``, SI) and a bias into ``i_offset`` (``bias``, SI).
    ``vu``, ``cu``: the SI values of NIR's voltage and current units."""
    kind = _kind(node)
    n = _size(node)
    ru = vu / cu  # NIR's r in ohms

    def arr(field: str) -> np.ndarray:
        return np.broadcast_to(_flat(getattr(node, field)), (n,)).copy()

    def volts(field: str) -> Any:
        return _value(arr(field) * vu, volt)

    if kind == "CubaLIF":
        tau_syn, tau, r, w_in = arr("tau_syn"), arr("tau_mem"), arr("r"), arr("w_in")
        cell = IF_curr_exp(tau_m=_value(tau, second), cm=_value(tau / (r * ru), farad),
                           v_rest=volts("v_leak"), v_thresh=volts("v_threshold"),
                           v_reset=volts("v_reset"), tau_refrac=0 * second,
                           tau_syn_E=_value(tau_syn, second), tau_syn_I=_value(tau_syn, second))
        factors = {"jump": w_in / tau_syn * cu, "bias": w_in * cu}
    elif kind == "LIF":
        tau, r = arr("tau"), arr("r")
        cell = IF_curr_delta(tau_m=_value(tau, second), cm=_value(tau / (r * ru), farad),
                             v_rest=volts("v_leak"), v_thresh=volts("v_threshold"),
                             v_reset=volts("v_reset"), tau_refrac=0 * second)
        factors = {"jump": r / tau * vu, "bias": np.full(n, cu)}
    else:
        cls = equation_cells()[kind]
        r = arr("r")
        if kind == "IF":
            cell = cls(r=_value(r * ru, ohm / second), v_threshold=volts("v_threshold"),
                       v_reset=volts("v_reset"))
            factors = {"jump": r * vu, "bias": np.full(n, cu)}
        elif kind == "I":
            cell = cls(r=_value(r * ru, ohm / second))
            factors = {"jump": r * vu, "bias": np.full(n, cu)}
        elif kind == "LI":
            tau = arr("tau")
            cell = cls(tau=_value(tau, second), r=_value(r * ru, ohm), v_leak=volts("v_leak"))
            factors = {"jump": r / tau * vu, "bias": np.full(n, cu)}
        else:  # CubaLI
            tau_syn, w_in = arr("tau_syn"), arr("w_in")
            cell = cls(tau_mem=_value(arr("tau_mem"), second), tau_syn=_value(tau_syn, second),
                       r=_value(r * ru, ohm), v_leak=volts("v_leak"))
            factors = {"jump": w_in / tau_syn * cu, "bias": w_in * cu}
    factors["unit"] = volt if cell.weight_kind == "voltage" else amp
    return Population(name, n, cell), factors


class _Path:
    """A signal from a source node through edge nodes: y = W x + b, delayed."""

    def __init__(self, n: int) -> None:
        self.W = np.eye(n)
        self.b = np.zeros(n)
        self.delay = 0.0

    def through(self, name: str, node: Any) -> _Path:
        out = _Path.__new__(_Path)
        out.W, out.b, out.delay = self.W, self.b, self.delay
        kind = _kind(node)
        if kind in ("Affine", "Linear"):
            W = np.asarray(node.weight, dtype=np.float64)
            if W.ndim != 2 or W.shape[1] != self.W.shape[0]:
                raise ParameterError(f"{name}.weight", W.shape, f"a matrix with "
                                     f"{self.W.shape[0]} columns (its input's size)", _BACKEND)
            out.W, out.b = W @ self.W, W @ self.b
            if kind == "Affine":
                out.b = out.b + _flat(node.bias)
        elif kind == "Scale":
            s = np.broadcast_to(_flat(node.scale), self.b.shape)
            out.W, out.b = s[:, None] * self.W, s * self.b
        elif kind == "Delay":
            d = _flat(node.delay)
            if d.size == 0 or not np.all(d == d[0]):
                raise UnsupportedFeature(f"Delay node {name!r} with a different delay per "
                                         "element", _BACKEND)
            out.delay = self.delay + float(d[0])
        return out  # Flatten: shapes are already flat here


def _source_arrays(name: str, n: int, given: Any) -> SpikeSourceArray | SpikeSourcePoisson:
    if given is None:
        return SpikeSourceArray(name, ((),) * n)
    if isinstance(given, SpikeSourcePoisson):
        if given.size != n:
            raise ParameterError(f"inputs[{name!r}]", f"{given.size} sources", f"{n} (the "
                                 "Input node's size)", "from_nir")
        return dataclasses.replace(given, label=name)
    src = given if isinstance(given, SpikeSourceArray) else SpikeSourceArray.from_times(
        name, given)
    if src.size != n:
        raise ParameterError(f"inputs[{name!r}]", f"{src.size} sources", f"{n} (the Input "
                             "node's size)", "from_nir")
    return SpikeSourceArray(name, src.spike_times)


def _read(graph_or_path: Any, type_check: bool) -> Any:
    import nir

    if isinstance(graph_or_path, str | os.PathLike):
        try:
            return nir.read(graph_or_path, type_check=type_check)
        except ValueError as err:
            if "Type inference" not in str(err):
                raise
            raise ParameterError("graph", str(graph_or_path), "a graph whose node types "
                                 f"agree (nir.read: {err}); type_check=False reads it as "
                                 "written", "from_nir") from None
    if not isinstance(graph_or_path, nir.NIRGraph):
        raise ParameterError("graph", type(graph_or_path).__name__, "a nir.NIRGraph or the "
                             "path of a NIR file", "from_nir")
    return graph_or_path


def from_nir(graph: Any, *, inputs: Mapping[str, Any] | None = None,
             record: tuple[str, ...] = ("spikes",), voltage_unit: Quantity = volt,
             current_unit: Quantity = amp, source_dt: Quantity | None = None,
             type_check: bool = True, name: str = "nir") -> NetworkSpec:
    """A NIR graph as a network spec.

    Parameters
    ----------
    graph
        A ``nir.NIRGraph`` or the path of a NIR file (``nir.write``'s HDF5).
    inputs
        Spikes for each Input node, by node name: a :class:`SpikeSourceArray` (e.g.
        ``SpikeSourceArray.from_events`` of a Tonic sample), one time array (with units) per
        element (``SpikeSourceArray.from_times``), or a :class:`SpikeSourcePoisson` of the
        node's size. NIR graphs hold no data, so an Input without them is silent.
    record
        What to record on the populations that feed an Output node: ``"spikes"`` and, for
        the membrane, ``"v"``.
    voltage_unit, current_unit
        What one NIR unit of voltage and of current is (SI by default; NIR's time unit is
        the second). Graphs trained in machine units (threshold 1, r 1), such as
        snnTorch's, reach hardware-sized values with ``mV`` and ``nA``: threshold 1 mV,
        r 1 MOhm.
    source_dt
        NIR's spike is a Dirac delta of integral 1. Discrete-time tools (Norse, snnTorch,
        Rockpool, Sinabs with NIR 1.0) export graphs whose spike is a value of 1 held for one
        of their steps, an integral of dt (the NIR paper's
        ``paper/01_lif/debug_spike_representation``): give that step here and every
        weight on a path carrying spikes is multiplied by it, so a spike moves the membrane
        as it did in the tool. ``None`` (default): NIR's Dirac semantics.
    type_check
        Passed to ``nir.read`` for a path: False reads a file whose node types disagree
        as it was written (files of older exporters).
    name
        The spec's name.

    Returns
    -------
    NetworkSpec
        One population per neuron node, one spike source per Input node, one projection per
        path from a source or neuron node through Affine/Linear/Scale/Delay/Flatten nodes to
        a neuron node (split by sign into the excitatory and inhibitory receptors; zero
        weights dropped), probes where Output nodes are. :mod:`neurosim.nir.conventions`
        states the units and the discretisation (one step per edge without a Delay node).

    Raises
    ------
    UnsupportedFeature
        A node type with no spec equivalent (Conv, pooling, Threshold, nested graphs...),
        named.
    """
    g = _read(graph, type_check)
    inputs = dict(inputs or {})
    spike_scale = 1.0
    if source_dt is not None:
        spike_scale = float(to_si(require_quantity(source_dt, second, "source_dt",
                                                   "from_nir")))
        if not (np.isfinite(spike_scale) and spike_scale > 0):
            raise ParameterError("source_dt", source_dt, "a time step > 0 s", "from_nir")
    vu = float(to_si(require_quantity(voltage_unit, volt, "voltage_unit", "from_nir")))
    cu = float(to_si(require_quantity(current_unit, amp, "current_unit", "from_nir")))
    for unit_name, u in (("voltage_unit", vu), ("current_unit", cu)):
        if not (np.isfinite(u) and u > 0):
            raise ParameterError(unit_name, u, "a positive finite unit", "from_nir")
    kinds = {nm: _kind(node) for nm, node in g.nodes.items()}
    for nm, kind in kinds.items():
        if kind not in NEURON_PRIMITIVES and kind not in _EDGE_PRIMITIVES and \
                kind not in ("Input", "Output"):
            raise UnsupportedFeature(f"NIR node {nm!r} of type {kind}", _BACKEND,
                                     "a graph of Input, Output, Affine, Linear, Scale, "
                                     "Delay, Flatten and CubaLIF/LIF/IF/LI/I/CubaLI nodes "
                                     "(flatten convolutions into Affine nodes first)")
    unknown = set(inputs) - {nm for nm, k in kinds.items() if k == "Input"}
    if unknown:
        raise ParameterError("inputs", sorted(unknown), f"names of Input nodes "
                             f"{sorted(nm for nm, k in kinds.items() if k == 'Input')}",
                             "from_nir")
    succ: dict[str, list[str]] = {nm: [] for nm in g.nodes}
    pred: dict[str, list[str]] = {nm: [] for nm in g.nodes}
    for a, b in g.edges:
        succ[a].append(b)
        pred[b].append(a)
    pops, factors, sources, sizes = [], {}, [], {}
    for nm, node in g.nodes.items():
        if kinds[nm] in NEURON_PRIMITIVES:
            pop, factors[nm] = neuron_population(nm, node, vu, cu)
            pops.append(pop)
            sizes[nm] = pop.size
        elif kinds[nm] == "Input":
            n = int(np.prod(node.input_type["input"]))
            sources.append(_source_arrays(nm, n, inputs.get(nm)))
            sizes[nm] = n
    projections, biases = [], {nm: np.zeros(n) for nm, n in sizes.items() if nm in factors}
    for start in sizes:
        stack = [(start, _Path(sizes[start]), (start,))]
        while stack:
            at, path, seen = stack.pop()
            for nxt in succ[at]:
                kind = kinds[nxt]
                if kind in _EDGE_PRIMITIVES:
                    if nxt in seen:
                        raise UnsupportedFeature(f"a cycle of edge nodes through {nxt!r}",
                                                 _BACKEND)
                    stack.append((nxt, path.through(nxt, g.nodes[nxt]), (*seen, nxt)))
                elif kind in NEURON_PRIMITIVES:
                    if start in factors and not NEURON_PRIMITIVES[kinds[start]]:
                        raise UnsupportedFeature(
                            f"a graded signal from the non-spiking {kinds[start]} node "
                            f"{start!r} into {nxt!r}", _BACKEND, "spiking neurons (a spec's "
                            "projections carry spikes); a non-spiking node may feed an "
                            "Output")
                    projections += _projections(start, nxt, path, factors[nxt], spike_scale)
                    biases[nxt] = biases[nxt] + path.b
                elif kind == "Output" and len(seen) > 1:
                    raise UnsupportedFeature(f"Output node {nxt!r} after the edge node "
                                             f"{seen[-1]!r}", _BACKEND, "an Output fed by a "
                                             "neuron node")
    pops = [_with_bias(p, biases[p.label] * factors[p.label]["bias"]) for p in pops]
    probes = []
    for nm, kind in kinds.items():
        if kind == "Output":
            for p in pred[nm]:
                if p in factors:
                    probes += [Probe(p, var) for var in record]
    return NetworkSpec(populations=tuple(pops), sources=tuple(sources),
                       projections=tuple(projections), probes=tuple(probes), name=name)


def _with_bias(pop: Population, i_offset: np.ndarray) -> Population:
    if not np.any(i_offset):
        return pop
    cell = pop.celltype.replace(i_offset=_value(i_offset, amp))
    return Population(pop.label, pop.size, cell)


def _projections(pre: str, post: str, path: _Path, factor: dict[str, Any],
                 spike_scale: float = 1.0) -> list[Projection]:
    # jump of the receptor's variable per spike: w * factor (one product, so a round trip
    # through to_nir's encoding is exact; spike_scale is 1 unless source_dt is given)
    W = path.W if spike_scale == 1.0 else path.W * spike_scale
    jump = W * factor["jump"][:, None]
    unit = factor["unit"]
    delay = path.delay * second if path.delay > 0 else None
    out = []
    for receptor, sign in (("excitatory", 1.0), ("inhibitory", -1.0)):
        post_i, pre_i = np.nonzero(sign * jump > 0)
        if not len(pre_i):
            continue
        order = np.lexsort((post_i, pre_i))  # canonical: by pre, then post
        pre_i, post_i = pre_i[order], post_i[order]
        w = sign * jump[post_i, pre_i]
        # one weight where the synapses share it (binary and ternary nets): smaller plans
        # for PyNN and SpiNNaker, which otherwise list every synapse with its weight
        weight = float(w[0]) * unit if np.all(w == w[0]) else w * unit
        out.append(Projection(pre, post, FromList(tuple(zip(pre_i.tolist(), post_i.tolist()))),
                              StaticSynapse(weight=weight, delay=delay), receptor=receptor))
    return out


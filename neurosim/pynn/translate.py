"""PyNN objects -> our :class:`~neurosim.network.NetworkSpec`: the one place where a PyNN
script becomes a spec, for every PyNN front end (``neurosim.pynn``, the crossbar).

Timing as pyNN.brian2 runs a script (so that the same script gives pyNN.brian2's spikes):

* **delay**: pyNN.brian2 gives Brian2 PyNN's delay, and Brian2 applies the input at the end
  of step ``t + D/dt``, so it first moves ``v`` in step ``t + D/dt + 1``; our engines apply
  a delay of ``d`` steps first in step ``t + d`` (SpiNNaker's hop latency, decisions 4).
  Hence **our delay = PyNN delay + dt**.
* **refractory period**: Brian2 holds a neuron for ``timestep(tau_refrac) - 1`` steps after
  its spike (``timestep(t) = int(t/dt + 1e-3)``); ours freezes ``ceil(tau_refrac/dt)`` steps.
  Hence **our tau_refrac = (timestep(tau_refrac) - 1) dt**.
* **spike source times** are binned as Brian2's SpikeGeneratorGroup bins them.
* **weights**: PyNN's current-based inhibitory weights are negative; ours are magnitudes on
  the inhibitory receptor.
* **additive STDP**: PyNN's A is a fraction of w_max (``scale_by_w_max=True``, decisions 1).

Units come from :mod:`neurosim.pynn_units` (PyNN's table) and the cell declarations.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from pyNN import common
from pyNN.standardmodels import cells
from pyNN.standardmodels.base import inhibitory_receptor_types

from neurosim import network as ns
from neurosim.network.cells import CELL_TYPES, WEIGHT_UNITS
from neurosim.network.composed import point_neuron
from neurosim.pynn_units import from_pynn_units
from neurosim.units import Hz, ms, nA, si_unit_name

__all__ = ["Translation", "base_indices", "brian2_timestep", "to_spec"]


def brian2_timestep(t_ms: Any, dt_ms: float) -> np.ndarray:
    """Brian2's ``timestep(t, dt)``: ``int((t + 1e-3 dt) / dt)``."""
    return np.asarray((np.asarray(t_ms, dtype=float) + 1e-3 * dt_ms) / dt_ms).astype(np.int64)


def refractory_for_spec(tau_refrac_ms: np.ndarray, dt_ms: float) -> np.ndarray:
    """Our tau_refrac (ms) that freezes as many steps as Brian2 does for PyNN's value."""
    return np.maximum(brian2_timestep(tau_refrac_ms, dt_ms) - 1, 0) * dt_ms


def delay_steps(delay_ms: np.ndarray, dt_ms: float) -> np.ndarray:
    """Our delay in steps for PyNN's delay (PyNN rounds to the step; hop latency + 1)."""
    return np.rint(np.asarray(delay_ms, dtype=float) / dt_ms).astype(np.int64) + 1


def base_indices(obj: Any, idx: np.ndarray) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """Positions ``idx`` within a Population, PopulationView or Assembly as
    ``(population, indices in it, positions in idx)`` triples."""
    idx = np.asarray(idx, dtype=np.int64)
    if isinstance(obj, common.Assembly):
        out = []
        bounds = np.cumsum([0] + [p.size for p in obj.populations])
        for p, lo, hi in zip(obj.populations, bounds[:-1], bounds[1:]):
            sel = np.flatnonzero((idx >= lo) & (idx < hi))
            for base, ind, pos in base_indices(p, idx[sel] - lo):
                out.append((base, ind, sel[pos]))
        return out
    if isinstance(obj, common.PopulationView):
        return [(obj.grandparent, np.asarray(obj.index_in_grandparent(idx), dtype=np.int64),
                 np.arange(len(idx)))]
    return [(obj, idx, np.arange(len(idx)))]


def homogeneous(values: Any, what: str) -> Any:
    """The one value of ``values``, or NotImplementedError naming ``what``."""
    arr = np.asarray(values)
    if arr.size and arr.dtype != object and not np.all(arr == arr.flat[0]):
        raise NotImplementedError(
            f"{what} differs between neurons or synapses: our spec takes one value per "
            "population or projection for it")
    return arr.flat[0] if arr.size else None


def _one_or_many(values: np.ndarray) -> Any:
    values = np.asarray(values, dtype=float)
    return float(values[0]) if np.all(values == values[0]) else values


@dataclass
class Translation:
    """A spec and how the PyNN objects map onto it."""

    spec: ns.NetworkSpec
    #: id(PyNN population) -> spec label
    groups: dict[int, str]
    #: id(PyNN projection) -> [(spec projection label, positions in its connection list)]
    pieces: dict[int, list[tuple[str, np.ndarray]]]
    #: id(PyNN current source) -> spec current source labels
    sources: dict[int, list[str]]


def to_spec(state: Any, name: str = "pynn") -> Translation:
    """Translate the populations, projections, current sources and recordings registered on
    a front end's ``state`` into one spec."""
    groups: dict[int, str] = {}
    pops, srcs, probes = [], [], []
    for k, pop in enumerate(state.populations):
        label = f"p{k}"
        groups[id(pop)] = label
        item = group(pop, label, state.dt)
        (pops if isinstance(item, ns.Population) else srcs).append(item)
        probes.append(ns.Probe(label, "spikes"))
        for var, interval in sorted(pop.recorder.recorded_intervals().items()):
            # PyNN's "AMPA.gsyn" is our "AMPA_gsyn"
            probes.append(ns.Probe(label, var.replace(".", "_"),
                                   sampling_interval=interval * ms))
    projections, pieces = [], {}
    for j, prj in enumerate(state.projections):
        made = _projection(j, prj, groups, state.dt)
        projections += [p for p, _ in made]
        pieces[id(prj)] = [(p.label, sel) for p, sel in made]
    currents, sources = [], {}
    for m, src in enumerate(state.current_sources):
        made = current_source(m, src, groups)
        currents += made
        sources[id(src)] = [c.label for c in made]
        if src.recording:
            probes += [ns.Probe(c.label, "i") for c in made[:1]]
    spec = ns.NetworkSpec(tuple(pops), tuple(srcs), tuple(projections), tuple(probes),
                          name=name, current_sources=tuple(currents))
    return Translation(spec, groups, pieces, sources)


# -- populations ------------------------------------------------------------------------
def group(pop: Any, label: str, dt: float) -> Any:
    """The spec item (Population or source) of PyNN population ``pop``."""
    p = pop._parameters
    kind = type(pop.celltype).__name__
    if kind == "SpikeSourceArray":
        trains = []
        for seq in p["spike_times"]:
            t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
            trains.append(tuple((brian2_timestep(t, dt) * dt * 1e-3).tolist()))
        return ns.SpikeSourceArray(label, tuple(trains))
    if kind == "SpikeSourcePoisson":
        dur = np.asarray(p["duration"], dtype=float)
        if np.any(np.isfinite(dur)) and not np.all(np.isfinite(dur)):
            raise NotImplementedError("SpikeSourcePoisson durations some finite, some "
                                      "infinite: give every source a finite duration")
        return ns.SpikeSourcePoisson(
            label, pop.size, _one_or_many(p["rate"]) * Hz, _one_or_many(p["start"]) * ms,
            _one_or_many(dur) * ms if np.all(np.isfinite(dur)) else None)
    cls, pynn_name = cell_class(pop.celltype)
    kw = {}
    for f in fields(cls):
        if pynn_name(f.name) not in p:
            continue
        values = np.asarray(p[pynn_name(f.name)], dtype=float)
        if f.name == "tau_refrac":
            values = refractory_for_spec(values, dt)
        unit = f.metadata.get("unit", 1)
        kw[f.name] = _one_or_many(values) * unit
    initial = {}
    for var in cls.recordable_variables():
        if pynn_name(var) in pop.initial_values:
            values = np.asarray(pop.initial_array(pynn_name(var)), dtype=float)
            if var in ("isyn_inh",):  # PyNN's is signed, ours a magnitude on the receptor
                values = np.abs(values)
            dim = si_unit_name(cls.state_unit(var))
            initial[var] = from_pynn_units(_one_or_many(values), dim)
    return ns.Population(label, pop.size, cls(**kw), initial or None)


def cell_class(celltype: Any) -> tuple[type, Any]:
    """Our cell type class for a PyNN cell type, and the PyNN name of each of its parameters
    and state variables (``AMPA_tau_syn`` is PyNN's ``AMPA.tau_syn``)."""
    if isinstance(celltype, cells.PointNeuron):
        names = celltype.receptor_types  # sorted, as PyNN orders them
        psrs = celltype.post_synaptic_receptors
        current = not celltype.conductance_based
        cls = point_neuron(type(celltype.neuron).__name__,
                           {r: psrs[r].model for r in names},
                           inhibitory=tuple(r for r in names
                                            if current and r in inhibitory_receptor_types))

        def pynn_name(ours: str) -> str:
            for r in names:
                if ours.startswith(r + "_"):
                    return f"{r}.{ours[len(r) + 1:]}"
            return ours

        return cls, pynn_name
    kind = type(celltype).__name__
    if kind not in CELL_TYPES:
        raise NotImplementedError(f"cell type {kind}: neurosim has {sorted(CELL_TYPES)} and "
                                  "PointNeuron")
    return CELL_TYPES[kind], str


def weight_sign(receptor_type: str, conductance_based: bool) -> float:
    """PyNN's sign of a weight: negative on a current-based inhibitory receptor (PyNN's
    ``inhibitory_receptor_types``); ours are magnitudes."""
    return -1.0 if not conductance_based and receptor_type in inhibitory_receptor_types \
        else 1.0


# -- projections ------------------------------------------------------------------------
def _receptor(prj: Any) -> str:
    return prj.receptor_type  # the spec checks it against the post cell's receptors


def _projection(j: int, prj: Any, groups: dict[int, str], dt: float) -> list:
    c = prj._conn
    receptor = _receptor(prj)
    steps = delay_steps(c["delay"], dt)
    pre_base = np.empty(len(c["pre"]), dtype=object)
    pre_abs = np.empty(len(c["pre"]), dtype=np.int64)
    for base, ind, pos in base_indices(prj.pre, c["pre"]):
        pre_base[pos], pre_abs[pos] = groups[id(base)], ind
    post_base = np.empty(len(c["post"]), dtype=object)
    post_abs = np.empty(len(c["post"]), dtype=np.int64)
    post_pops = {}
    for base, ind, pos in base_indices(prj.post, c["post"]):
        post_base[pos], post_abs[pos] = groups[id(base)], ind
        post_pops[groups[id(base)]] = base
    out = []
    for g, (a, b) in enumerate(sorted({(a, b) for a, b in zip(pre_base, post_base)})):
        sel = np.flatnonzero((pre_base == a) & (post_base == b))
        cls = cell_class(post_pops[b].celltype)[0]
        unit = WEIGHT_UNITS[cls.weight_kind]
        w = np.asarray(c["weight"][sel], dtype=float)
        if cls.weight_kind != "conductance":
            w = np.abs(w)  # PyNN's inhibitory current/voltage weights are negative
        syn = _synapse(prj, sel, unit, w, steps[sel] * dt * ms)
        pairs = tuple(zip(pre_abs[sel].tolist(), post_abs[sel].tolist()))
        out.append((ns.Projection(a, b, ns.FromList(pairs=pairs), syn, receptor=receptor,
                                  label=f"j{j}.{g}"), sel))
    return out


def _synapse(prj: Any, sel: np.ndarray, unit: Any, w: np.ndarray, delay: Any) -> Any:
    kind = type(prj.synapse_type).__name__
    extra = {k: np.asarray(v)[sel] for k, v in prj._conn["extra"].items()}
    weight = w * unit
    if kind == "StaticSynapse":
        return ns.StaticSynapse(weight=weight, delay=delay)
    if kind == "TsodyksMarkramSynapse":
        v = {k: float(homogeneous(extra[k], f"TsodyksMarkramSynapse {k}"))
             for k in ("U", "tau_rec", "tau_facil")}
        return ns.TsodyksMarkramSynapse(weight=weight, delay=delay, U=v["U"],
                                        tau_rec=v["tau_rec"] * ms,
                                        tau_facil=v["tau_facil"] * ms)
    if kind == "STDPMechanism":
        return ns.STDPMechanism(**_stdp(prj, extra, unit), weight=weight, delay=delay)
    raise NotImplementedError(f"synapse type {kind}")


def _stdp(prj: Any, extra: dict[str, np.ndarray], unit: Any) -> dict[str, Any]:
    syn = prj.synapse_type
    v = {k: float(homogeneous(extra[k], f"STDP parameter {k!r}")) for k in extra}
    if float(v.get("dendritic_delay_fraction", 1.0)) != 1.0:
        warnings.warn("dendritic_delay_fraction != 1: neurosim applies STDP with the whole "
                      "delay on the dendrite (post events delayed), as sPyNNaker",
                      stacklevel=4)
    td = ns.SpikePairRule(tau_plus=v["tau_plus"] * ms, tau_minus=v["tau_minus"] * ms,
                          A_plus=v["A_plus"], A_minus=v["A_minus"])
    wd_kind = type(syn.weight_dependence).__name__
    if wd_kind == "AdditiveWeightDependence":
        wd: Any = ns.AdditiveWeightDependence(w_min=v["w_min"] * unit, w_max=v["w_max"] * unit,
                                              scale_by_w_max=True)
    elif wd_kind == "MultiplicativeWeightDependence":
        wd = ns.MultiplicativeWeightDependence(w_min=v["w_min"] * unit,
                                               w_max=v["w_max"] * unit)
    else:
        raise NotImplementedError(f"weight dependence {wd_kind}")
    return {"timing_dependence": td, "weight_dependence": wd}


# -- current sources --------------------------------------------------------------------
def _runs(idx: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous runs ``[start, stop)`` of sorted unique indices."""
    idx = np.unique(idx)
    if not len(idx):
        return []
    cut = np.flatnonzero(np.diff(idx) != 1) + 1
    return [(int(r[0]), int(r[-1]) + 1) for r in np.split(idx, cut)]


def current_source(m: int, src: Any, groups: dict[int, str]) -> list:
    """The spec current sources of PyNN source ``src`` (one per contiguous run of its
    targets), labelled by its position ``m``."""
    p = src.native_values()
    kind = type(src).__name__
    made = []
    for base, ind in src.targets():
        label = groups[id(base)]
        for a, b in _runs(ind):
            target = label if (a, b) == (0, base.size) else ns.View(label, a, b)
            made.append(_source_of(kind, f"c{m}.{len(made)}", target, p))
    return made


def _source_of(kind: str, label: str, target: Any, p: dict[str, Any]) -> Any:
    def t(name: str) -> Any:
        value = p.get(name)
        return None if value is None or not np.isfinite(value) else float(value) * ms

    if kind == "DCSource":
        return ns.DCSource(label=label, target=target, amplitude=p["amplitude"] * nA,
                           start=t("start"), stop=t("stop"))
    if kind == "StepCurrentSource":
        return ns.StepCurrentSource(label=label, target=target,
                                    times=np.asarray(p["times"], float) * ms,
                                    amplitudes=np.asarray(p["amplitudes"], float) * nA)
    if kind == "ACSource":
        return ns.ACSource(label=label, target=target, amplitude=p["amplitude"] * nA,
                           offset=p["offset"] * nA, frequency=p["frequency"] * Hz,
                           phase=float(p["phase"]), start=t("start"), stop=t("stop"))
    if kind == "NoisyCurrentSource":
        return ns.NoisyCurrentSource(label=label, target=target, mean=p["mean"] * nA,
                                     stdev=p["stdev"] * nA, start=t("start"), stop=t("stop"),
                                     dt=t("dt"))
    raise NotImplementedError(f"current source {kind}")

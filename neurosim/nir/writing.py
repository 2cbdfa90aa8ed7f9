""":class:`~neurosim.network.NetworkSpec` -> NIR graph: the inverse of
:func:`neurosim.nir.from_nir` for what NIR can hold, so ``from_nir(to_nir(spec))`` gives back
a spec equal to one that :func:`from_nir` builds."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from neurosim.errors import UnsupportedFeature
from neurosim.network import NetworkSpec, SpikeSourceArray, StaticSynapse
from neurosim.nir.conventions import solve_exactly
from neurosim.nir.reading import neuron_population
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.units import Quantity, amp, require_quantity, to_si, volt

__all__ = ["to_nir"]

_BACKEND = "neurosim.nir (to_nir)"
_EQUATION_PRIMITIVES = {"NIR_IF": "IF", "NIR_LI": "LI", "NIR_I": "I", "NIR_CubaLI": "CubaLI"}


def _times(si: np.ndarray, unit: float) -> np.ndarray:
    """NIR numbers x with ``x * unit == si`` exactly (from_nir's decoding)."""
    return solve_exactly(lambda x: x * unit, si, si / unit)


def _neuron_node(pop: Any, root: Any, vu: float, cu: float, problems: list[str],
                 w_in: np.ndarray | None = None) -> Any:
    """The NIR node of a population (None, with the reason in ``problems``, if NIR has no
    primitive for it). ``w_in`` of the Cuba cells defaults to tau_syn, which makes
    from_nir's jump factor w_in / tau_syn exactly 1."""
    import nir

    cell = pop.celltype
    cname = type(cell).__name__
    p = pop.parameter_values(root)
    ru = vu / cu
    if pop.initial_values:
        problems.append(f"initial values of population {pop.label!r} (NIR graphs hold no "
                        "initial state; from_nir starts at v = v_leak)")
    if "tau_refrac" in p and np.any(p["tau_refrac"] != 0):
        problems.append(f"the refractory period of population {pop.label!r} (NIR's neurons "
                        "have none; set tau_refrac=0)")

    def volts(name: str) -> np.ndarray:
        return _times(p[name], vu)

    def resistance(tau: np.ndarray, cm: np.ndarray) -> np.ndarray:
        return solve_exactly(lambda r: tau / (r * ru), cm, tau / cm / ru)

    if cname == "IF_curr_exp":
        if np.any(p["tau_syn_E"] != p["tau_syn_I"]):
            problems.append(f"different excitatory and inhibitory synaptic time constants in "
                            f"population {pop.label!r} (CubaLIF has one tau_syn)")
        tau, tau_syn = p["tau_m"], p["tau_syn_E"]
        return nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau, r=resistance(tau, p["cm"]),
                           v_leak=volts("v_rest"), v_threshold=volts("v_thresh"),
                           v_reset=volts("v_reset"),
                           w_in=tau_syn.copy() if w_in is None else w_in)
    if cname == "IF_curr_delta":
        tau = p["tau_m"]
        return nir.LIF(tau=tau, r=resistance(tau, p["cm"]), v_leak=volts("v_rest"),
                       v_threshold=volts("v_thresh"), v_reset=volts("v_reset"))
    kind = _EQUATION_PRIMITIVES.get(cname)
    if kind in ("IF", "I", "LI", "CubaLI"):
        r = _times(p["r"], ru)
    if kind == "IF":
        return nir.IF(r=r, v_threshold=volts("v_threshold"), v_reset=volts("v_reset"))
    if kind == "I":
        return nir.I(r=r)
    if kind == "LI":
        return nir.LI(tau=p["tau"], r=r, v_leak=volts("v_leak"))
    if kind == "CubaLI":
        return nir.CubaLI(tau_syn=p["tau_syn"], tau_mem=p["tau_mem"], r=r,
                          v_leak=volts("v_leak"),
                          w_in=p["tau_syn"].copy() if w_in is None else w_in)
    problems.append(f"cell type {cname} of population {pop.label!r} (NIR has CubaLIF = "
                    "IF_curr_exp, LIF = IF_curr_delta, and IF/LI/I/CubaLI as our NIR_* "
                    "equation cells)")
    return None


def to_nir(spec: NetworkSpec, *, seed: SeedLike = 0, voltage_unit: Quantity = volt,
           current_unit: Quantity = amp) -> Any:
    """A network spec as a ``nir.NIRGraph``.

    Parameters
    ----------
    spec
        The network. Random connectors and drawn values are realised with ``seed`` (as every
        engine would for that seed).
    seed
        Root seed of that realisation.
    voltage_unit, current_unit
        What one NIR unit of voltage and of current is (as :func:`~neurosim.nir.from_nir`).

    Returns
    -------
    nir.NIRGraph
        An Input node per spike source (NIR holds no data: spike times stay with the
        caller, ``from_nir(..., inputs=...)``), a neuron node per population, an Affine
        node (plus a Delay node for a delay other than one step) per (pre, post, delay),
        and an Output node per population with a spike probe.

    Raises
    ------
    UnsupportedFeature
        Listing everything NIR cannot hold: plasticity (STDP, short-term), Poisson sources,
        current sources, refractory periods, initial values, cell types without a NIR
        primitive.
    """
    import nir

    from neurosim.engines.base import connect_projection, synapse_values

    root = as_seed_sequence(seed)
    vu = float(to_si(require_quantity(voltage_unit, volt, "voltage_unit", "to_nir")))
    cu = float(to_si(require_quantity(current_unit, amp, "current_unit", "to_nir")))
    problems: list[str] = []
    nodes: dict[str, Any] = {}
    encode: dict[str, dict[str, Any]] = {}
    for src in spec.sources:
        if isinstance(src, SpikeSourceArray):
            nodes[src.label] = nir.Input(input_type={"input": np.array([src.size])})
        else:
            problems.append(f"the {type(src).__name__} {src.label!r} (NIR inputs are "
                            "external spike trains: use a SpikeSourceArray)")
    for cs in spec.current_sources:
        problems.append(f"the current source {type(cs).__name__} (NIR has only constant "
                        "biases: use i_offset)")
    sizes = {g.label: g.size for g in (*spec.populations, *spec.sources)}
    blocks: dict[tuple[str, str, float], np.ndarray] = {}
    for proj in spec.projections:
        if not isinstance(proj.synapse, StaticSynapse):
            what = "STDP" if proj.synapse.plastic else "short-term plasticity"
            problems.append(f"{what} ({type(proj.synapse).__name__}) on projection "
                            f"{proj.label!r}: NIR graphs hold no plasticity")
            continue
        delay = proj.synapse.delay
        d = 0.0 if delay is None else np.asarray(to_si(delay), dtype=float)
        if np.ndim(d) and not np.all(d == d.flat[0]):
            problems.append(f"per-synapse delays on projection {proj.label!r}")
            continue
        pre_i, post_i, *_ = connect_projection(spec, proj, root)
        w, _ = synapse_values(proj, len(pre_i), root, 1e-4)
        w = np.broadcast_to(w, pre_i.shape)
        sign = 1.0 if proj.receptor == "excitatory" else -1.0
        key = (proj.pre_label, proj.post_label, float(np.asarray(d).flat[0]))
        W = blocks.setdefault(key, np.zeros((sizes[key[1]], sizes[key[0]])))
        np.add.at(W, (post_i, pre_i), sign * w)
    for pop in spec.populations:
        incoming = [W for (_, post, _), W in blocks.items() if post == pop.label]
        node = _neuron_node(pop, root, vu, cu, problems)
        if node is None:
            continue
        # from_nir's own factors: encoding with them makes the round trip exact, where
        # floating point allows it
        enc = neuron_population(pop.label, node, vu, cu)[1]
        exact = _exact_rows(pop, enc, incoming, root)
        if not exact.all() and hasattr(node, "w_in"):
            # w_in = tau_syn makes every weight exact but a bias b = i_offset / tau_syn
            # may have no float with b * tau_syn == i_offset; w_in = 1 makes the bias
            # exact instead: choose per neuron
            # (where neither is exact, keep w_in = tau_syn: its weights are exact and only
            # the bias is 1 ulp off)
            trial = _neuron_node(pop, root, vu, cu, [], w_in=np.where(exact, node.w_in, 1.0))
            better = ~exact & _exact_rows(pop, neuron_population(pop.label, trial, vu, cu)[1],
                                          incoming, root)
            if better.any():
                node = _neuron_node(pop, root, vu, cu, [],
                                    w_in=np.where(better, 1.0, node.w_in))
                enc = neuron_population(pop.label, node, vu, cu)[1]
        nodes[pop.label], encode[pop.label] = node, enc
    if problems:
        raise UnsupportedFeature("; ".join(problems), _BACKEND)
    edges: list[tuple[str, str]] = []
    biased: set[str] = set()
    for (pre, post, d), W in blocks.items():
        enc = encode[post]
        Wn = _weights(W, enc)
        name = f"{pre}->{post}" + (f"@{d:g}s" if d else "")
        bias = np.zeros(W.shape[0])
        if post not in biased:
            bias = _bias(spec.population(post), enc, root)
            biased.add(post)
        nodes[name] = nir.Affine(weight=Wn, bias=bias)
        edges.append((pre, name))
        if d:
            nodes[name + ".delay"] = nir.Delay(delay=np.full(W.shape[0], d))
            edges += [(name, name + ".delay"), (name + ".delay", post)]
        else:
            edges.append((name, post))
    for pop in spec.populations:
        if pop.label not in biased and np.any(_i_offset(pop, root)):
            raise UnsupportedFeature(f"i_offset of population {pop.label!r}, which has no "
                                     "incoming projection (NIR biases live on Affine edges)",
                                     _BACKEND)
    dropped = []
    for probe in spec.probes:
        if probe.variable == "spikes" and probe.target in encode:
            out = f"{probe.target}.output"
            nodes[out] = nir.Output(output_type={"output": np.array([sizes[probe.target]])})
            edges.append((probe.target, out))
        else:
            dropped.append(f"{probe.target}.{probe.variable}")
    if dropped:
        warnings.warn(f"to_nir: NIR graphs record only spikes at Output nodes; the probes "
                      f"{dropped} are not in the graph", stacklevel=2)
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _weights(W: np.ndarray, enc: dict[str, Any]) -> np.ndarray:
    jump = np.asarray(enc["jump"], dtype=float)[:, None]
    return solve_exactly(lambda x: x * jump, W, W / jump)


def _exact_rows(pop: Any, enc: dict[str, Any], incoming: list[np.ndarray], root: Any
                ) -> np.ndarray:
    """Per neuron: do its bias and every incoming weight decode exactly?"""
    jump = np.asarray(enc["jump"], dtype=float)[:, None]
    ok = _bias(pop, enc, root) * np.asarray(enc["bias"], dtype=float) == _i_offset(pop, root)
    for W in incoming:
        ok &= np.all(_weights(W, enc) * jump == W, axis=1)
    return ok


def _i_offset(pop: Any, root: Any) -> np.ndarray:
    return pop.parameter_values(root).get("i_offset", np.zeros(pop.size))


def _bias(pop: Any, enc: dict[str, Any], root: Any) -> np.ndarray:
    i_offset = _i_offset(pop, root)
    f = np.asarray(enc["bias"], dtype=float)
    return solve_exactly(lambda b: b * f, i_offset, i_offset / f)

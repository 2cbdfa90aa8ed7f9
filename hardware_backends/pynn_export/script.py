"""A standalone script: :func:`export_script` renders a plan as a readable PyNN script a user
can take to an EBRAINS or SpiNNaker job; :func:`load_script_output` reads what it recorded.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from neurosim._version import __version__
from neurosim.engines.data import SpikeData
from neurosim.errors import ParameterError
from neurosim.hardware_backends.pynn_export.plan import (
    GroupPlan,
    ProjectionPlan,
    PyNNPlan,
    _check_cells,
    pynn_plan,
)
from neurosim.network import NetworkSpec
from neurosim.pynn_units import _clean, from_pynn_units, to_pynn_units
from neurosim.random import SeedLike
from neurosim.units import Quantity, ms, second

#: Lists longer than this go to a side file (``<script>_data.npz``) to keep the script
#: readable.
INLINE_LIMIT = 400


def export_script(spec: NetworkSpec, path: str | Path, *, backend: str = "pyNN.spiNNaker",
                  timestep: Quantity = 0.1 * ms, duration: Quantity = 1000 * ms,
                  seed: SeedLike = None, connectivity: str = "exact",
                  poisson_until: Quantity | None = None) -> Path:
    """Write ``spec`` as a standalone, readable PyNN script.

    The script runs as is: ``python net.py`` on sPyNNaker (or ``backend``), ``python net.py
    --backend pyNN.brian2`` or ``NEUROSIM_PYNN_BACKEND=pyNN.nest python net.py`` elsewhere;
    ``--output`` names the ``.npz`` file of recorded data (read it with
    :func:`load_script_output`). It needs only PyNN, the backend and NumPy. Synapse lists
    and spike trains longer than :data:`INLINE_LIMIT` go to ``<name>_data.npz`` beside it.

    Parameters
    ----------
    spec
        The network.
    path
        Where to write the script (``.py``).
    backend
        The PyNN module the script imports by default.
    timestep, seed, connectivity, poisson_until
        As for :func:`to_pynn`.
    duration
        Default run time (the script's ``--duration`` overrides it).

    Returns
    -------
    pathlib.Path
        The script's path.
    """
    path = Path(path)
    if path.suffix != ".py":
        raise ParameterError("path", str(path), "a file name ending in .py", "export_script")
    plan = pynn_plan(spec, timestep=timestep, seed=seed, connectivity=connectivity,
                     poisson_until=poisson_until)
    _check_cells(plan, "PyNN export")
    for p in plan.projections:  # every backend must be able to take the script as it is
        if p.stdp is not None and p.stdp["rule"] == "additive" and p.stdp["w_max"] == 0:
            raise ParameterError("w_max", 0.0, "> 0 (backends other than sPyNNaker divide "
                                 "A by it)", f"projection {p.label!r}")
    duration_ms = to_pynn_units(duration)
    side: dict[str, np.ndarray] = {}
    text = _render(plan, backend, duration_ms, path, side)
    path.parent.mkdir(parents=True, exist_ok=True)
    data_path = path.with_name(f"{path.stem}_data.npz")
    if side:
        np.savez_compressed(data_path, **side)
    elif data_path.exists():
        data_path.unlink()  # a stale side file of an earlier export
    path.write_text(text)
    return path


def load_script_output(path: str | Path, spec: NetworkSpec) -> dict[str, Any]:
    """Read the ``.npz`` an exported script wrote: ``{"label.spikes": SpikeData,
    "label.v": (times in s, values with units)}``."""
    data = np.load(Path(path))
    out: dict[str, Any] = {}
    for key in data.files:
        if key.endswith(".spikes.times_ms"):
            label = key[: -len(".spikes.times_ms")]
            t = np.asarray(data[key], dtype=float) * 1e-3
            i = np.asarray(data[f"{label}.spikes.indices"], dtype=np.int64)
            order = np.lexsort((i, t))
            out[f"{label}.spikes"] = SpikeData(label, spec.groups[label].size,
                                               t[order] * second, i[order])
        elif key.endswith(".times_ms") or key.endswith(".spikes.indices"):
            continue
        else:
            variable = key.split(".")[-1]
            label = key[: -len(variable) - 1]
            dim = spec.population(label).celltype.state[variable].unit
            out[key] = (np.asarray(data[f"{key}.times_ms"]) * 1e-3 * second,
                        from_pynn_units(data[key], dim))
    return out


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return repr(x)
    if isinstance(x, float | np.floating):
        return repr(_clean(float(x)))
    if isinstance(x, int | np.integer):
        return repr(int(x))
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return repr(x)


def _kwargs(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in d.items())


def _q(text: str) -> str:
    """A string literal in double quotes (a label is plain text: JSON's escapes are Python's)."""
    return json.dumps(text)


def _wrapped_call(head: str, args: str, indent: int = 4) -> str:
    """``head(args)`` with the arguments wrapped at 92 columns on indented lines."""
    if len(head) + len(args) + 2 <= 92:
        return f"{head}({args})"
    pad = " " * indent
    body = textwrap.fill(args, width=92 - indent, initial_indent=pad, subsequent_indent=pad,
                         break_long_words=False, break_on_hyphens=False)
    return f"{head}(\n{body})"


def _long_list(items: list[str], indent: int) -> str:
    """A list literal wrapped at 92 columns."""
    body = ", ".join(items)
    if len(body) + indent < 88:
        return f"[{body}]"
    lines = textwrap.wrap(body, width=92 - indent - 4, break_on_hyphens=False)
    pad = " " * (indent + 4)
    return "[\n" + "\n".join(pad + line for line in lines) + "\n" + " " * indent + "]"


_HEADER = '''\
#!/usr/bin/env python3
"""{name}: a PyNN network exported by neurosim {version}.

Time step {dt} ms; runs for {duration} ms unless --duration says otherwise. Units are
PyNN's: ms, mV, nA, nF, uS, Hz.

Conventions (neurosim, docs/spinnaker.md), which are sPyNNaker 1!7.4.1's:
* weights are positive and the receptor type gives the sign; backends other than
  sPyNNaker add a current-based weight as it is, so inhibitory ones get INHIBITORY_SIGN;
* additive STDP amplitudes are weight changes in nA (uS) per pairing, as sPyNNaker 1!7.4.1
  applies them; NEST and Brian2 multiply A by w_max, so stdp_amplitude() divides by it;
* a delay is the hop latency, and STDP sees the post-synaptic spike one delay late
  (dendritic delay); pyNN.brian2 only has axonal delays (it sees the pre spike late).

Usage:
    python {script}                                # {backend}
    python {script} --backend pyNN.brian2 --output data.npz
    NEUROSIM_PYNN_BACKEND=pyNN.nest python {script}
"""

import argparse
import os
from importlib import import_module
from pathlib import Path

import numpy as np

parser = argparse.ArgumentParser(description={description_q})
parser.add_argument("--backend", default=os.environ.get("NEUROSIM_PYNN_BACKEND", {backend_q}),
                    help="PyNN module to run on (default: %(default)s)")
parser.add_argument("--duration", type=float, default={duration}, help="ms")
parser.add_argument("--output", default={output_q}, help="recorded data (.npz)")
args = parser.parse_args()

sim = import_module(args.backend)
SPINNAKER = args.backend == "pyNN.spiNNaker"
INHIBITORY_SIGN = 1.0 if SPINNAKER else -1.0
# sPyNNaker needs dendritic_delay_fraction=1 (its default), pyNN.brian2 accepts only 0.
STDP_OPTIONS = {{"dendritic_delay_fraction": 0.0}} if args.backend == "pyNN.brian2" else {{}}


def stdp_amplitude(a, w_max):
    """An additive amplitude in weight units, as this backend wants it."""
    return a if SPINNAKER else a / w_max

'''

_FOOTER = '''
sim.run(args.duration)

# Recorded data: spike times (ms) and neuron indices; sampled signals with their times (ms).
out = {}
for label, variable in RECORDED:
    segment = pops[label].get_data(variable).segments[0]
    if variable == "spikes":
        trains = segment.spiketrains
        out[f"{label}.spikes.times_ms"] = np.concatenate(
            [np.asarray(t.rescale("ms").magnitude, dtype=float) for t in trains] + [np.zeros(0)])
        out[f"{label}.spikes.indices"] = np.concatenate(
            [np.full(len(t), t.annotations.get("source_index", k)) for k, t in enumerate(trains)]
            + [np.zeros(0, dtype=int)]).astype(int)
    else:
        signal = segment.filter(name=variable)[0]
        out[f"{label}.{NAMES.get(variable, variable)}"] = np.asarray(signal.magnitude)
        out[f"{label}.{NAMES.get(variable, variable)}.times_ms"] = np.asarray(
            signal.times.rescale("ms").magnitude)
np.savez(args.output, **out)
sim.end()
'''


def _render(plan: PyNNPlan, backend: str, duration_ms: float, path: Path,
            side: dict[str, np.ndarray]) -> str:
    lines = [_HEADER.format(name=plan.name, version=__version__, dt=_fmt(plan.timestep),
                            duration=_fmt(duration_ms), script=path.name, backend=backend,
                            backend_q=_q(backend), output_q=_q(f"{path.stem}_output.npz"),
                            description_q=_q(f"{plan.name} (exported by neurosim)"))]
    if any(g.kind == "array" and sum(map(len, g.spike_times)) > INLINE_LIMIT
           for g in plan.groups) or any(p.connector.n_connections is not None
                                        and p.connector.n_connections > INLINE_LIMIT
                                        for p in plan.projections):
        lines.append(f"DATA = np.load(Path(__file__).with_name({_q(path.stem + '_data.npz')}))"
                     "  # long lists\n")
    lines.append(f"sim.setup(timestep={_fmt(plan.timestep)})\n")
    lines.append("pops = {}")
    poisson = {label: (rate, start, dur) for label, rate, start, dur in plan.poisson}
    for g in plan.groups:
        lines.extend(_render_group(g, poisson, side))
    lines.append("\nprojs = {}")
    for p in plan.projections:
        lines.extend(_render_projection(p, side))
    lines.append("")
    recorded = []
    names = {}
    for g in plan.groups:
        for variable, interval in g.record:
            name = variable
            if variable.startswith("isyn"):
                # sPyNNaker's name for a current-based cell's synaptic input.
                name = variable.replace("isyn", "gsyn")
                names[name] = variable
            extra = "" if interval is None else f", sampling_interval={_fmt(interval)}"
            lines.append(f"pops[{_q(g.label)}].record({_q(name)}{extra})")
            recorded.append((g.label, name))
    lines.append(f"RECORDED = {_long_list([f'({_q(a)}, {_q(b)})' for a, b in recorded], 0)}")
    lines.append("NAMES = {" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in names.items())
                 + "}  # recorded name -> neurosim's name")
    lines.append(_FOOTER)
    return "\n".join(lines)


def _render_group(g: GroupPlan, poisson: dict[str, tuple[float, float, float | None]],
                  side: dict[str, np.ndarray]) -> list[str]:
    key = f"pops[{_q(g.label)}]"
    if g.kind == "cell":
        init = "{" + ", ".join(f"{_q(k)}: {_fmt(v)}" for k, v in g.initial_values.items()) + "}"
        return [f"{key} = sim.Population(",
                "    " + _wrapped_call(f"{g.size}, sim.{g.cell}", _kwargs(g.params), 8) + ",",
                f"    initial_values={init}, label={_q(g.label)})"]
    if g.kind == "poisson":
        rate, start, dur = poisson[g.label]
        params = {"rate": rate, "start": start, **({} if dur is None else {"duration": dur})}
        return [f"{key} = sim.Population({g.size}, sim.SpikeSourcePoisson({_kwargs(params)}),",
                f"    label={_q(g.label)})"]
    if sum(map(len, g.spike_times)) > INLINE_LIMIT:
        name = f"spikes:{g.label}"
        side[f"{name}:times"] = np.concatenate([np.asarray(t) for t in g.spike_times])
        side[f"{name}:counts"] = np.array([len(t) for t in g.spike_times])
        return [f"_times = np.split(DATA[{_q(name + ':times')}], "
                f"np.cumsum(DATA[{_q(name + ':counts')}])[:-1])",
                f"{key} = sim.Population(",
                f"    {g.size}, sim.SpikeSourceArray(spike_times=[t.tolist() for t in _times]),",
                f"    label={_q(g.label)})"]
    trains = _long_list([_fmt(list(t)) for t in g.spike_times], 4)
    return [f"{key} = sim.Population(",
            f"    {g.size}, sim.SpikeSourceArray(spike_times={trains}),",
            f"    label={_q(g.label)})"]


def _render_projection(p: ProjectionPlan, side: dict[str, np.ndarray]) -> list[str]:
    c = p.connector
    if c.n_connections == 0:
        return [f"# {p.label} has no synapse: not created (PyNN backends disagree on empty "
                "lists)"]
    out = []
    if c.kind == "OneToOne":
        conn = "sim.OneToOneConnector()"
    elif c.kind == "AllToAll":
        conn = f"sim.AllToAllConnector(allow_self_connections={c.allow_self_connections})"
    elif c.kind == "FixedProbability":
        conn = (f"sim.FixedProbabilityConnector({_fmt(c.p_connect)}, allow_self_connections="
                f"{c.allow_self_connections},\n                                  "
                f"rng=sim.NumpyRNG(seed={c.seed}))")
    elif p.weights is not None:
        # one weight per synapse: a FromListConnector with a weight column (the sign of
        # inhibitory currents applied in the script, as for a single weight)
        assert c.pairs is not None
        name = f"pairs:{p.label}"
        side[name] = c.pairs
        side[f"weights:{p.label}"] = p.weights
        sign = ("INHIBITORY_SIGN * " if p.receptor == "inhibitory"
                and p.weight_kind == "current" else "")
        conn = (f"sim.FromListConnector(\n        [(int(i), int(j), {sign}float(w)) for (i, j), w"
                f" in zip(DATA[{_q(name)}].tolist(),\n"
                f"                                          DATA[{_q('weights:' + p.label)}]."
                f"tolist())],\n        column_names=['weight'])")
    else:
        assert c.pairs is not None
        if len(c.pairs) > INLINE_LIMIT:
            name = f"pairs:{p.label}"
            side[name] = c.pairs
            conn = f"sim.FromListConnector([tuple(ij) for ij in DATA[{_q(name)}].tolist()])"
        else:
            pairs = _long_list([f"({int(i)}, {int(j)})" for i, j in c.pairs], 4)
            if len(pairs) < 50:
                conn = f"sim.FromListConnector({pairs})"
            else:
                out.append(f"pairs = {pairs}  # (pre, post) population indices")
                conn = "sim.FromListConnector(pairs)"
    weight = _fmt(p.weight)
    if p.receptor == "inhibitory" and p.weight_kind == "current":
        weight = f"INHIBITORY_SIGN * {weight}"
    if p.stdp is None:
        syn = f"sim.StaticSynapse(weight={weight}, delay={_fmt(p.delay)})"
    else:
        st = p.stdp
        if st["rule"] == "additive":
            a_plus = f"stdp_amplitude({_fmt(st['A_plus'])}, {_fmt(st['w_max'])})"
            a_minus = f"stdp_amplitude({_fmt(st['A_minus'])}, {_fmt(st['w_max'])})"
            dep = "AdditiveWeightDependence"
        else:
            a_plus, a_minus = _fmt(st["A_plus"]), _fmt(st["A_minus"])
            dep = "MultiplicativeWeightDependence"
        syn = ("sim.STDPMechanism(\n"
               f"        timing_dependence=sim.SpikePairRule(\n"
               f"            tau_plus={_fmt(st['tau_plus'])}, tau_minus={_fmt(st['tau_minus'])},"
               f" A_plus={a_plus},\n"
               f"            A_minus={a_minus}),\n"
               f"        weight_dependence=sim.{dep}(w_min={_fmt(st['w_min'])}, "
               f"w_max={_fmt(st['w_max'])}),\n"
               f"        weight={weight}, delay={_fmt(p.delay)}, **STDP_OPTIONS)")
    out += [f"projs[{_q(p.label)}] = sim.Projection(",
            f"    pops[{_q(p.pre[0])}], pops[{_q(p.post[0])}],",
            f"    {conn},",
            f"    {syn},",
            f"    receptor_type={_q(p.receptor)}, label={_q(p.label)})"]
    return out

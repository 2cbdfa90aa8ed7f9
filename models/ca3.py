"""CA3 spike-based content-addressable memory.

Casanueva-Morato, Ayuso-Martinez, Dominguez-Morales, Jimenez-Fernandez, Jimenez-Moreno,
"Bio-inspired computational memory model of the Hippocampus: an approach to a neuromorphic
spike-based content-addressable memory", Neural Networks 178:106474 (2024), arXiv 2310.05868.
The authors ran it on SpiNNaker with sPyNNaker at dt = 1 ms.

``n_cues`` one-hot cue neurons address up to ``n_cues`` memories of ``n_content`` bits. Learning
presents a cue and its content for 3 ms; two all-to-all STDP projections (cue -> content and
content -> cue, pair rule with A+ = A- = 6 and w_max = 6 nA: one pairing sets or resets a
weight) store the association. A cue alone recalls its content; a fragment of content
recalls every cue whose content shares an active bit. Learning a new content under a used
cue overwrites the old one through the same STDP rule.

The network (populations, projections, neuron parameter sets) is the paper's, declared once
as a :class:`~neurosim.network.NetworkSpec` and built by any engine; the memory's answers are
decoded from output-layer spikes, never from a reference dictionary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim import registry
from neurosim.engines import build as build_simulation
from neurosim.engines.base import connect_projection
from neurosim.engines.data import SpikeData
from neurosim.errors import ParameterError
from neurosim.network import (
    AdditiveWeightDependence,
    AllToAll,
    FromList,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikePairRule,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
    View,
    add_spike_times,
)
from neurosim.params import Params, Quantity, choice, custom, number, quantity
from neurosim.random import SeedLike
from neurosim.units import ms, mV, nA, nF, require_quantity, second, to_si

__all__ = [
    "MAP_APPLICATION",
    "MAP_APPLICATION_ANSWERS",
    "CA3Deployment",
    "CA3Memory",
    "CA3Params",
    "Learn",
    "OpResult",
    "RecallByContent",
    "RecallByCue",
    "map_application_protocol",
    "random_protocol",
    "reference_results",
]


class CA3Params(Params):
    """Parameters of the CA3 memory; defaults from Casanueva-Morato et al. (2024), Sect. 3.

    Neurons are PyNN ``IF_curr_exp`` in two sets, *slow* (cm 0.27 nF, tau_m 3 ms) and *fast*
    (cm 0.14 nF, tau_m 0.5 ms), sharing tau_refrac 1 ms, tau_syn 0.3 ms, v_rest = v_reset =
    -60 mV and v_thresh -57 mV; the output layer is slow with v_thresh -57.5 mV. Static weights
    are 6 nA (9 nA contCue -> contCond, 2 nA contCondInt -> contCond); inhibition between cue
    neurons is 6 n_content nA. Delays are 1, 2 or 3 hops of ``hop`` (1 ms). STDP: pair rule,
    tau+ = tau- = 3 ms, A+ = A- = 6, additive in [0, 6] nA; as in sPyNNaker 1!7.4.1 a pairing
    moves a weight by A exp(-dt/tau) = 6 exp(-dt/3 ms) nA (A is not multiplied by w_max).

    ``query_mode`` says how a recall by content presents its bits. ``"parallel"`` (the
    paper): every queried bit spikes at once, in one operation slot. In the published network
    that pairing is Hebbian: it strengthens content -> cue links from every queried bit to
    every recalled cue, so repeated multi-bit queries come to recall cues that never held a
    bit (docs/ca3.md). ``"serial"``: the bits spike one at a time, ``op_interval`` apart, and
    the answer is the union of the cues recalled, the exact OR-match of the reference
    semantics, at the cost of one slot per bit. Single-bit queries are the same in both.
    Overwrites with recall by content also need ``op_interval >= 20 ms`` to be exact.

    Spacing: each operation starts ``op_interval`` after the one before, or, where given,
    ``learn_interval`` after a learn and ``recall_interval`` after a recall (the paper's map
    application: 7 ms and 6 ms). An operation is over when its last output spike has come:
    a learn's relays fire on the first and last ticks of its ``hold`` and reach the output 4
    hops later (``hold + 4 hop``, 7 ms), a recall's answer comes 6 hops after its input
    (``6 hop``, 6 ms); the next operation may start then, and no earlier (sPyMem's rule, "7
    time units after learning, 6 after recall", derived here from the hops). Each
    operation's answer is read from its output window, which opens 5 hops after its start
    (no output comes sooner) and lasts until the next operation's window opens.
    """

    cm_slow: Quantity = quantity(0.27 * nF, nF, low=0 * nF, low_open=True)
    tau_m_slow: Quantity = quantity(3.0 * ms, ms, low=0 * ms, low_open=True)
    cm_fast: Quantity = quantity(0.14 * nF, nF, low=0 * nF, low_open=True)
    tau_m_fast: Quantity = quantity(0.5 * ms, ms, low=0 * ms, low_open=True)
    tau_refrac: Quantity = quantity(1.0 * ms, ms, low=0 * ms)
    tau_syn: Quantity = quantity(0.3 * ms, ms, low=0 * ms, low_open=True)
    v_rest: Quantity = quantity(-60.0 * mV, mV)
    v_thresh: Quantity = quantity(-57.0 * mV, mV)
    v_thresh_output: Quantity = quantity(-57.5 * mV, mV)
    w: Quantity = quantity(6.0 * nA, nA, low=0 * nA, low_open=True)
    w_gate: Quantity = quantity(9.0 * nA, nA, low=0 * nA)
    w_interneuron: Quantity = quantity(2.0 * nA, nA, low=0 * nA)
    hop: Quantity = quantity(1.0 * ms, ms, low=0 * ms, low_open=True)
    tau_stdp: Quantity = quantity(3.0 * ms, ms, low=0 * ms, low_open=True)
    a_stdp: float = number(6.0, low=0.0)
    w_max: Quantity = quantity(6.0 * nA, nA, low=0 * nA, low_open=True)
    hold: Quantity = quantity(3.0 * ms, ms, low=0 * ms, low_open=True)
    op_interval: Quantity = quantity(10.0 * ms, ms, low=0 * ms, low_open=True)
    dt: Quantity = quantity(1.0 * ms, ms, low=0 * ms, low_open=True)
    query_mode: str = choice("parallel", ("parallel", "serial"))
    #: time from a learn to the next operation (None: op_interval)
    learn_interval: Quantity | None = custom(None)
    #: time from a recall (by cue or content, or one bit of a serial query) to the next
    #: operation (None: op_interval)
    recall_interval: Quantity | None = custom(None)

    def min_interval(self, kind: str) -> float:
        """The shortest time (s) from an operation of ``kind`` ("learn" or "recall") to the
        next: until its last output spike (class docstring)."""
        hop, hold = float(to_si(self.hop)), float(to_si(self.hold))
        return hold + 4 * hop if kind == "learn" else 6 * hop

    def interval(self, kind: str) -> float:
        """The time (s) from an operation of ``kind`` to the next."""
        given = self.learn_interval if kind == "learn" else self.recall_interval
        return float(to_si(self.op_interval if given is None else given))

    def check(self) -> None:
        if to_si(self.v_thresh) <= to_si(self.v_rest):
            raise ParameterError("v_thresh", self.v_thresh, f"> v_rest ({self.v_rest})",
                                 "CA3Params")
        for name in ("learn_interval", "recall_interval"):
            value = getattr(self, name)
            if value is not None:
                require_quantity(value, second, name, "CA3Params")
                if np.ndim(to_si(value)) or not np.isfinite(float(to_si(value))):
                    raise ParameterError(name, value, "a finite time, or None (op_interval)",
                                         "CA3Params")
        # op_interval serves both kinds unless they are given their own
        need = max(self.min_interval("learn") if self.learn_interval is None else 0.0,
                   self.min_interval("recall") if self.recall_interval is None else 0.0)
        if to_si(self.op_interval) < need - 1e-12:
            raise ParameterError("op_interval", self.op_interval,
                                 f"a time >= {need * 1e3:g} ms: a learn lasts hold + 4 hops "
                                 f"({self.min_interval('learn') * 1e3:g} ms), a recall 6 hops "
                                 f"({self.min_interval('recall') * 1e3:g} ms) until its last "
                                 "output spike", "CA3Params")
        for name, kind, rule in (("learn_interval", "learn", "hold + 4 hops"),
                                 ("recall_interval", "recall", "6 hops")):
            if getattr(self, name) is not None and \
                    self.interval(kind) < self.min_interval(kind) - 1e-12:
                raise ParameterError(name, getattr(self, name),
                                     f"a time >= {rule} ({self.min_interval(kind) * 1e3:g} "
                                     f"ms), when the {kind}'s last output spike has come",
                                     "CA3Params")
        for name in ("hop", "hold", "op_interval", "learn_interval", "recall_interval"):
            if getattr(self, name) is None:
                continue
            ratio = to_si(getattr(self, name)) / to_si(self.dt)
            if abs(ratio - round(ratio)) > 1e-6:
                raise ParameterError(name, getattr(self, name), f"a multiple of dt ({self.dt})",
                                     "CA3Params")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for name in ("learn_interval", "recall_interval"):
            value = getattr(self, name)
            out[name] = None if value is None else {"value": float(to_si(value)),
                                                    "unit": "second"}
        return out

    def cell(self, kind: str) -> IF_curr_exp:
        """The IF_curr_exp parameter set "slow", "fast" or "output"."""
        common = dict(tau_refrac=self.tau_refrac, tau_syn_E=self.tau_syn, tau_syn_I=self.tau_syn,
                      v_rest=self.v_rest, v_reset=self.v_rest, i_offset=0 * nA)
        if kind == "fast":
            return IF_curr_exp(cm=self.cm_fast, tau_m=self.tau_m_fast, v_thresh=self.v_thresh,
                               **common)
        thresh = self.v_thresh_output if kind == "output" else self.v_thresh
        return IF_curr_exp(cm=self.cm_slow, tau_m=self.tau_m_slow, v_thresh=thresh, **common)


# -- operations ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Learn:
    """Store ``content`` under ``cue`` (overwrites what the cue held)."""

    cue: int
    content: frozenset[int]


@dataclass(frozen=True)
class RecallByCue:
    """Recall the content stored under ``cue``."""

    cue: int


@dataclass(frozen=True)
class RecallByContent:
    """Recall every cue whose content shares at least one bit with ``query``."""

    query: frozenset[int]


Operation = Learn | RecallByCue | RecallByContent


@dataclass(frozen=True)
class CA3Deployment:
    """A protocol run on a hardware backend: the backend's result and the decoded answers
    (``results`` is None where the backend returned no spikes, e.g. a virtual board)."""

    backend: str
    result: Any
    results: list[OpResult] | None


@dataclass(frozen=True)
class OpResult:
    """One operation as the network performed it.

    ``result`` is the recalled content bits (RecallByCue), the recalled cues
    (RecallByContent) or None (Learn). ``output`` holds the output-layer spikes of the
    operation's time window (indices: cues first, then content bits).
    """

    op: Operation
    t0: Quantity
    result: frozenset[int] | None
    output: SpikeData = field(repr=False)


def reference_results(ops: Sequence[Operation]) -> list[frozenset[int] | None]:
    """What each operation should return under the paper's semantics.

    ``mem[c] = set(bits)`` on learn; recall by cue gives ``mem[c]``; recall by content gives
    ``{c : mem[c] & query}`` (OR-match); None for learn operations.
    """
    mem: dict[int, set[int]] = {}
    out: list[frozenset[int] | None] = []
    for op in ops:
        if isinstance(op, Learn):
            mem[op.cue] = set(op.content)
            out.append(None)
        elif isinstance(op, RecallByCue):
            out.append(frozenset(mem.get(op.cue, set())))
        else:
            out.append(frozenset(c for c, v in mem.items() if v & op.query))
    return out


#: The paper's application experiment: a 4 x 4 map whose cells (cue = row * 4 + column) each
#: store one of 6 states as one bit (0 unknown, 1 initial position, 2 goal, 3 free, 4 path,
#: 5 obstacle). From the authors' code (dancasmor/An-aproach-to-a-spike-based-Content-
#: Addressable-Memory-bio-inspired-in-the-Hippocampus, test_CA3_content_addressable.py,
#: experiment 3 "3_state_map_app").
MAP_APPLICATION = ((0, 5, 1, 3), (0, 3, 4, 5), (0, 5, 4, 3), (2, 4, 4, 3))
#: Its four recalls by content and the answers the authors recorded on SpiNNaker
#: (results/3_state_map_app/spikes.xlsx): {initial, goal, path}, {free}, {obstacle},
#: {unknown}.
MAP_APPLICATION_ANSWERS = (
    (frozenset({1, 2, 4}), frozenset({2, 6, 10, 12, 13, 14})),
    (frozenset({3}), frozenset({3, 5, 11, 15})),
    (frozenset({5}), frozenset({1, 7, 9})),
    (frozenset({0}), frozenset({0, 4, 8})),
)


def map_application_protocol() -> list[Operation]:
    """The paper's map application: the 16 cells learned in order, then the four queries of
    :data:`MAP_APPLICATION_ANSWERS`. Run it on ``CA3Memory(16, 6)`` with
    ``CA3Params(learn_interval=7 * ms, recall_interval=6 * ms)``, the authors' spacing
    (learns at 0, 7, ... 105 ms, queries at 112, 118, 124 and 130 ms)."""
    ops: list[Operation] = [Learn(r * 4 + c, frozenset({state}))
                            for r, row in enumerate(MAP_APPLICATION)
                            for c, state in enumerate(row)]
    return ops + [RecallByContent(q) for q, _ in MAP_APPLICATION_ANSWERS]


def random_protocol(n_cues: int, n_content: int, n_ops: int, rng: np.random.Generator, *,
                    overwrite: bool = True, query_bits: int = 1) -> list[Operation]:
    """A random sequence of operations: 35 % learn, 35 % recall by cue, 30 % by content.

    Learned contents have 1 to n_content/2 bits. ``overwrite=False`` learns each cue at most
    once; ``query_bits`` is the largest recall-by-content query (0: no recall by content).
    """
    for name, value, low in (("n_cues", n_cues, 1), ("n_content", n_content, 1),
                             ("n_ops", n_ops, 0), ("query_bits", query_bits, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ParameterError(name, value, f"an integer >= {low}", "random_protocol")
    if query_bits > n_content:
        raise ParameterError("query_bits", query_bits,
                             f"at most n_content ({n_content}): a query is a set of content "
                             "bits", "random_protocol")
    ops: list[Operation] = []
    used: set[int] = set()
    for _ in range(n_ops):
        r = rng.random()
        free = [c for c in range(n_cues) if c not in used]
        if r < 0.35 and (overwrite or free):
            c = int(rng.integers(n_cues)) if overwrite else int(rng.choice(free))
            k = int(rng.integers(1, max(2, n_content // 2)))
            ops.append(Learn(c, frozenset(rng.choice(n_content, size=k, replace=False).tolist())))
            used.add(c)
        elif r < 0.7 or not query_bits:
            ops.append(RecallByCue(int(rng.integers(n_cues))))
        else:
            k = int(rng.integers(1, min(query_bits, n_content) + 1))
            ops.append(RecallByContent(frozenset(rng.choice(n_content, size=k,
                                                            replace=False).tolist())))
    return ops


# -- network ---------------------------------------------------------------------------------
def ca3_spec(n_cues: int, n_content: int, params: CA3Params) -> NetworkSpec:
    """The CA3 network of the paper as a NetworkSpec (input layer with no spikes yet)."""
    p = params
    nc, nk = n_cues, n_content
    slow, fast, out = p.cell("slow"), p.cell("fast"), p.cell("output")
    pops = (
        Population("cueCue", nc, slow),
        Population("cueCont", nc, fast),
        Population("contCue", nk, slow),
        Population("contCont", nk, slow),
        Population("contCond", nk, fast),
        Population("contCondInt", 1, fast),
        Population("mergeCue", nc, slow),
        Population("mergeCont", nk, slow),
        Population("OL", nc + nk, out),
    )
    il = SpikeSourceArray("IL", tuple(() for _ in range(nc + nk)))
    h = p.hop

    def static(w: Quantity, hops: int) -> StaticSynapse:
        return StaticSynapse(weight=w, delay=hops * h)

    stdp = STDPMechanism(
        timing_dependence=SpikePairRule(tau_plus=p.tau_stdp, tau_minus=p.tau_stdp,
                                        A_plus=p.a_stdp, A_minus=p.a_stdp),
        weight_dependence=AdditiveWeightDependence(w_min=0 * nA, w_max=p.w_max),
        weight=0 * nA, delay=1 * h,
    )
    one, no_self = OneToOne(), AllToAll(allow_self_connections=False)
    other_pairs = tuple((i, j) for i in range(nc) for j in range(nc) if i != j)
    w_inh = p.w * nk
    projs = (
        Projection(View("IL", 0, nc), "cueCue", one, static(p.w, 1), label="IL->cueCue"),
        Projection(View("IL", nc, nc + nk), "contCue", one, static(p.w, 1), label="IL->contCue"),
        Projection("cueCue", "cueCont", one, static(p.w, 2), label="cueCue->cueCont"),
        # "All-to-all, no self" between two populations: PyNN and sPyNNaker only drop
        # self-connections within one population, so the i != j pairs are listed (the
        # paper's synapse count, 2 n_c^2 + n_c + ..., confirms i != j here).
        Projection("cueCue", "cueCont", FromList(pairs=other_pairs), static(w_inh, 3),
                   "inhibitory", label="cueCue-|cueCont"),
        Projection("cueCont", "cueCont", no_self, static(w_inh, 2), "inhibitory",
                   label="cueCont-|cueCont"),
        Projection("cueCue", "contCond", AllToAll(), static(p.w, 2), "inhibitory",
                   label="cueCue-|contCond"),
        Projection("contCue", "contCond", one, static(p.w_gate, 1), label="contCue->contCond"),
        Projection("contCue", "contCondInt", AllToAll(), static(p.w, 1),
                   label="contCue->contCondInt"),
        Projection("contCondInt", "contCond", AllToAll(), static(p.w_interneuron, 1),
                   label="contCondInt->contCond"),
        Projection("contCond", "contCont", one, static(p.w, 1), label="contCond->contCont"),
        Projection("cueCue", "contCue", AllToAll(), stdp, label="cue->content"),
        Projection("contCont", "cueCont", AllToAll(), stdp, label="content->cue"),
        Projection("cueCue", "mergeCue", one, static(p.w, 3), label="cueCue->mergeCue"),
        Projection("cueCont", "mergeCue", one, static(p.w, 1), label="cueCont->mergeCue"),
        Projection("contCue", "mergeCont", one, static(p.w, 3), label="contCue->mergeCont"),
        Projection("contCont", "mergeCont", one, static(p.w, 1), label="contCont->mergeCont"),
        Projection("mergeCue", View("OL", 0, nc), one, static(p.w, 1), label="mergeCue->OL"),
        Projection("mergeCont", View("OL", nc, nc + nk), one, static(p.w, 1),
                   label="mergeCont->OL"),
    )
    probes = tuple(Probe(label) for label in ("IL", *(pop.label for pop in pops)))
    return NetworkSpec(pops, (il,), projs, probes, name=f"ca3_{nc}x{nk}")


_IO_GROUPS = ("IL", "OL")


# -- the memory ------------------------------------------------------------------------------
class CA3Memory:
    """A spiking content-addressable memory (CA3 model of Casanueva-Morato et al. 2024).

    Parameters
    ----------
    n_cues
        Number of cue neurons = capacity in memories (>= 1).
    n_content
        Number of content bits per memory (>= 1).
    engine
        Engine name (``neurosim list`` shows them): "numba", "brian2", "reference", or
        "auto" (the default: numba, falling back to brian2 with the reason shown). All give
        the same spikes.
    seed
        Seed of the simulation (the network itself is deterministic).
    params
        :class:`CA3Params`; the paper's values by default.
    engine_options
        Extra options of the engine (e.g. ``{"codegen_target": "cython"}`` for brian2).
    backend
        None (an engine, in software) or a registered hardware backend that builds a spec
        into a simulation (``"crossbar"``: every weight on simulated resistive crossbars,
        learning as programming pulses; ``mem.ledger`` has the energy and latency).
    fidelity
        With ``backend="crossbar"``: ``"ideal"``, ``"quantised"``, ``"noisy"`` or ``"full"``.
    device
        With ``backend="crossbar"``: a ``neurosim.devices.ResistiveDevice`` (default: the
        backend's, NeuRRAM).
    backend_options
        More options of the backend's ``build_simulation`` (e.g. ``read_interval``,
        ``pulse_steps``, ``plasticity``).

    Examples
    --------
    >>> mem = CA3Memory(n_cues=5, n_content=10, seed=0)
    >>> mem.learn(cue=0, content={0, 1, 8, 9})
    >>> sorted(mem.recall_by_cue(0))
    [0, 1, 8, 9]
    """

    def __init__(self, n_cues: int, n_content: int, engine: str = "auto",
                 seed: SeedLike = None, params: CA3Params | None = None,
                 engine_options: dict[str, Any] | None = None, backend: str | None = None,
                 fidelity: str = "noisy", device: Any = None,
                 backend_options: dict[str, Any] | None = None):
        for name, value in (("n_cues", n_cues), ("n_content", n_content)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ParameterError(name, value, "an int >= 1", "CA3Memory")
        if params is None:
            params = CA3Params()
        if not isinstance(params, CA3Params):
            raise ParameterError("params", params, "a CA3Params", "CA3Memory")
        self.n_cues = int(n_cues)
        self.n_content = int(n_content)
        self.params = params
        self.engine_name = engine
        self.backend = backend
        self._spec = ca3_spec(self.n_cues, self.n_content, params)
        # The network was tuned on SpiNNaker: build it with sPyNNaker's tick arithmetic,
        # except on NEST, which integrates its own models exactly (docs/engines.md).
        arithmetic = "exact" if engine == "nest" else "spinnaker"
        options = {"integration": arithmetic, **(engine_options or {})}
        if engine == "nest" and params.dt > params.hop / 2:
            # NEST's shortest delay is one step after a spike's stamp: a one-hop delay
            # keeps its timing only when it spans two steps or more
            raise ParameterError("dt", params.dt, f"<= hop / 2 ({params.hop / 2}) on the "
                                 "nest engine (e.g. CA3Params(dt=0.5 * ms))", "CA3Memory")
        if backend is not None:
            # a hardware backend builds the spec itself; the model only knows its name
            builder = getattr(registry.get("backend", backend), "build_simulation", None)
            if builder is None:
                raise ParameterError("backend", backend, "a backend that simulates a spec "
                                     "(e.g. 'crossbar'); see deploy() for the others",
                                     "CA3Memory")
            if engine != "auto":
                options["engine"] = engine
            self._sim = builder(self._spec, dt=params.dt, seed=seed, fidelity=fidelity,
                                device=device, **(backend_options or {}), **options)
        else:
            if engine != "auto":
                registry.get("engine", engine)  # a clear error for an unknown name
            self._sim = build_simulation(self._spec, engine=engine, dt=params.dt, seed=seed,
                                         **options)
        self._dt_s = float(to_si(params.dt))
        self.history: list[OpResult] = []

    # -- description -------------------------------------------------------------------
    @property
    def spec(self) -> NetworkSpec:
        """The network as a backend-free NetworkSpec."""
        return self._spec

    @property
    def ledger(self) -> Any:
        """Energy and latency of everything the hardware backend did (None on an engine)."""
        return getattr(self._sim, "ledger", None)

    @property
    def simulation(self):
        """The engine's Simulation object (current time: ``.t``)."""
        return self._sim

    def resources(self) -> dict[str, int]:
        """Neuron and synapse counts; "neurons"/"synapses" exclude the input/output layers.

        The paper's counts: 3 n_c + 4 n_k + 1 neurons and 2 n_c^2 + n_c + 3 n_c n_k + 6 n_k
        synapses inside; the input and output layers add 2 (n_c + n_k) synapses.
        """
        spec = self._spec
        internal = io = 0
        for proj in spec.projections:
            n = len(connect_projection(spec, proj, 0)[0])  # deterministic connectors
            if proj.pre_label in _IO_GROUPS or proj.post_label in _IO_GROUPS:
                io += n
            else:
                internal += n
        neurons = sum(p.size for p in spec.populations if p.label not in _IO_GROUPS)
        io_neurons = sum(g.size for g in spec.groups.values() if g.label in _IO_GROUPS)
        return {"neurons": neurons, "synapses": internal, "io_neurons": io_neurons,
                "io_synapses": io}

    # -- validation --------------------------------------------------------------------
    def _check_cue(self, cue: Any, param: str = "cue") -> int:
        if isinstance(cue, bool) or not isinstance(cue, int | np.integer) or not (
            0 <= cue < self.n_cues
        ):
            raise ParameterError(param, cue, f"an int in [0, {self.n_cues - 1}]", "CA3Memory")
        return int(cue)

    def _check_bits(self, bits: Any, param: str) -> frozenset[int]:
        if isinstance(bits, int | np.integer) and not isinstance(bits, bool):
            bits = {bits}
        try:
            items = list(bits)
        except TypeError:
            raise ParameterError(param, bits, "a set of content-bit indices",
                                 "CA3Memory") from None
        if not items:
            raise ParameterError(param, bits, "a non-empty set of content bits", "CA3Memory")
        for b in items:
            if isinstance(b, bool) or not isinstance(b, int | np.integer) or not (
                0 <= b < self.n_content
            ):
                raise ParameterError(param, bits,
                                     f"content bits, ints in [0, {self.n_content - 1}]",
                                     "CA3Memory")
        return frozenset(int(b) for b in items)

    def _check_op(self, op: Any) -> Operation:
        if isinstance(op, Learn):
            return Learn(self._check_cue(op.cue), self._check_bits(op.content, "content"))
        if isinstance(op, RecallByCue):
            return RecallByCue(self._check_cue(op.cue))
        if isinstance(op, RecallByContent):
            return RecallByContent(self._check_bits(op.query, "query"))
        raise ParameterError("op", op, "a Learn, RecallByCue or RecallByContent", "CA3Memory")

    # -- operations --------------------------------------------------------------------
    def learn(self, cue: int, content: Iterable[int]) -> OpResult:
        """Store ``content`` (a set of bit indices) under ``cue``; overwrites the old content."""
        return self.run([Learn(cue, content)], progress=False)[0]  # type: ignore[arg-type]

    def recall_by_cue(self, cue: int) -> frozenset[int]:
        """The content bits the network recalls for ``cue`` (empty if nothing was stored)."""
        return self.run([RecallByCue(cue)], progress=False)[0].result  # type: ignore[return-value]

    def recall_by_content(self, query: Iterable[int]) -> frozenset[int]:
        """Every cue whose stored content shares at least one bit with ``query``."""
        result = self.run([RecallByContent(query)], progress=False)[0].result  # type: ignore[arg-type]
        return result  # type: ignore[return-value]

    def run(self, ops: Sequence[Operation], progress: bool | None = None) -> list[OpResult]:
        """Perform a list of operations in one simulation run (the batch form).

        Every operation is validated before anything runs, so bad input leaves the memory
        as it was.
        """
        checked = [self._check_op(op) for op in ops]
        if not checked:
            return []
        dt = self._dt_s
        start = round(float(to_si(self._sim.t)) / dt)
        idx, steps = self._input_schedule(checked, start)
        self._sim.inject("IL", idx, steps * dt * second)
        if progress is None:
            progress = len(checked) >= 50
        self._sim.run(self._run_steps(checked) * dt * second, progress=progress)
        results = self._decode(checked, self._sim.spikes("OL"), start)
        self.history.extend(results)
        return results

    def _kind_steps(self, kind: str) -> int:
        return round(self.params.interval(kind) / self._dt_s)

    def _durations(self, ops: Sequence[Operation]) -> np.ndarray:
        """Steps from each operation's start to the next's: the interval of its kind, times
        the number of queried bits for a recall by content under ``query_mode="serial"``."""
        serial = self.params.query_mode == "serial"
        learn, recall = self._kind_steps("learn"), self._kind_steps("recall")
        return np.array([learn if isinstance(op, Learn) else
                         recall * (len(op.query) if serial and isinstance(op, RecallByContent)
                                   else 1) for op in ops], dtype=np.int64)

    def _run_steps(self, ops: Sequence[Operation]) -> int:
        """Steps a batch runs: every operation's duration, and past the last one until its
        last output spike has been simulated (at the minimum spacing that spike falls on the
        step the next operation would start)."""
        kind = "learn" if isinstance(ops[-1], Learn) else "recall"
        # the last slot (a serial query's last bit) starts one interval of its kind before
        # the end of the batch
        tail = round(self.params.min_interval(kind) / self._dt_s) + 1 - self._kind_steps(kind)
        return int(self._durations(ops).sum()) + max(tail, 0)

    def _op_starts(self, ops: Sequence[Operation], start: int) -> np.ndarray:
        """The step each operation starts at, from step ``start``."""
        d = self._durations(ops)
        return start + np.cumsum(d) - d

    def _input_schedule(self, ops: Sequence[Operation], start: int
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Input-layer neurons and the steps they fire at for ``ops`` from step ``start``."""
        hold = round(to_si(self.params.hold) / self._dt_s)
        interval = self._kind_steps("recall")  # between the bits of a serial query
        serial = self.params.query_mode == "serial"
        idx: list[int] = []
        steps: list[int] = []
        for op, s0 in zip(ops, self._op_starts(ops, start).tolist()):
            if isinstance(op, Learn):
                neurons = [op.cue, *(self.n_cues + b for b in sorted(op.content))]
                for h in range(hold):
                    idx += neurons
                    steps += [s0 + h] * len(neurons)
            elif isinstance(op, RecallByCue):
                idx.append(op.cue)
                steps.append(s0)
            else:
                neurons = [self.n_cues + b for b in sorted(op.query)]
                idx += neurons
                steps += ([s0 + m * interval for m in range(len(neurons))] if serial
                          else [s0] * len(neurons))
        return np.array(idx, dtype=np.int64), np.array(steps, dtype=np.int64)

    def _decode(self, ops: Sequence[Operation], out: SpikeData, start: int) -> list[OpResult]:
        """Each operation's answer from the output-layer spikes of its window."""
        dt = self._dt_s
        results = []
        # an operation's window opens 5 hops after its start (no output comes sooner) and
        # spans its duration: a serial query's answer is then the union of the cues its bits
        # recalled, and at the minimum spacing the last output (hold + 4 or 6 hops) is still
        # inside, while the next operation's first (5 hops after it starts) is not
        first = round(5 * float(to_si(self.params.hop)) / dt)
        for op, s0, n in zip(ops, self._op_starts(ops, start).tolist(),
                             self._durations(ops).tolist()):
            t0 = s0 * dt
            window = out.between((s0 + first) * dt * second, (s0 + first + n) * dt * second)
            fired = set(window.indices.tolist())
            if isinstance(op, RecallByCue):
                result: frozenset[int] | None = frozenset(
                    i - self.n_cues for i in fired if i >= self.n_cues)
            elif isinstance(op, RecallByContent):
                result = frozenset(i for i in fired if i < self.n_cues)
            else:
                result = None
            results.append(OpResult(op, t0 * second, result, window))
        return results

    # -- hardware ----------------------------------------------------------------------
    def protocol_spec(self, ops: Sequence[Operation]) -> tuple[NetworkSpec, Quantity]:
        """The network with ``ops`` written into its input layer, and the run's duration.

        A board runs one spec from start to end, so the protocol goes into the spike source
        instead of being injected operation by operation.
        """
        checked = [self._check_op(op) for op in ops]
        if not checked:
            raise ParameterError("ops", ops, "at least one operation", "CA3Memory")
        idx, steps = self._input_schedule(checked, 0)
        spec = add_spike_times(self._spec, "IL", idx, steps * self._dt_s * second)
        return spec, self._run_steps(checked) * self._dt_s * second

    def deploy(self, ops: Sequence[Operation], backend: str = "spinnaker",
               **options: Any) -> CA3Deployment:
        """Run the protocol ``ops`` on a hardware backend (from a fresh network).

        Parameters
        ----------
        ops
            The operations, as for :meth:`run`.
        backend
            A registered backend (``neurosim list``): ``"spinnaker"`` runs sPyNNaker on a
            virtual board by default (the network is mapped, no spikes come back), or on a
            real board / spalloc server given by ``machine=``/``version=`` or ``spalloc=``.
        options
            Passed to the backend's deploy (``run_dir``, ``machine``, ``spalloc``,
            ``version``, ``config``...).

        Returns
        -------
        CA3Deployment
            The backend's result (mapping report, validation, data) and, when the backend
            simulated the network, each operation's decoded answer.
        """
        checked = [self._check_op(op) for op in ops]
        spec, duration = self.protocol_spec(checked)
        deploy = registry.get("backend", backend)
        result = deploy(spec, duration, timestep=self.params.dt, **options)
        answers = None
        if getattr(result, "simulated", False):
            answers = self._decode(checked, result.spikes["OL"], 0)
        return CA3Deployment(backend=backend, result=result, results=answers)

    # -- data --------------------------------------------------------------------------
    def output_spikes(self) -> dict[str, SpikeData]:
        """Every spike of the session: ``{"input": IL spikes, "output": OL spikes}``."""
        return {"input": self._sim.spikes("IL"), "output": self._sim.spikes("OL")}

    def population_spikes(self) -> dict[str, SpikeData]:
        """Spikes of every population and of the input layer."""
        return {g: self._sim.spikes(g) for g in self._spec.groups}

    def weights(self) -> dict[str, Quantity]:
        """The learned weight matrices: cue -> content (n_c x n_k), content -> cue (n_k x n_c)."""
        return {"cue_to_content": self._sim.weights("cue->content"),
                "content_to_cue": self._sim.weights("content->cue")}

    def to_neo(self):
        """All recorded spikes as a ``neo.Block`` (as PyNN's ``get_data()``)."""
        return self._sim.to_neo()

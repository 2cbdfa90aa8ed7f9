"""The crossbar backend's simulator state, and the one place where PyNN becomes our spec.

PyNN objects collect the network (populations with their parameters, projections with their
connection lists). At the first ``run()`` (and after ``reset()``) :class:`Network` translates
them into a :class:`~neurosim.network.NetworkSpec`, builds it on the Numba engine and puts
every projection's weights on a :class:`~neurosim.hardware_backends.crossbar.CrossbarArray`;
the engine's synapses get the weights the arrays read back.

PyNN (as run by pyNN.brian2) -> our spec, the timing translation (docs/crossbar.md):

* **delay**: PyNN rounds a delay to the nearest step and pyNN.brian2 gives it to Brian2
  unchanged; Brian2 applies the input at the end of step ``t + D/dt`` (after that step's
  integration), so it first moves ``v`` in step ``t + D/dt + 1``. Our engines apply a delay
  of ``d`` steps first in step ``t + d`` (SpiNNaker's hop latency, docs/decisions.md 4).
  Hence ``d = D/dt + 1``: **our delay = PyNN delay + dt**. Delays below ``dt`` (the minimum
  delay) raise ``pyNN.errors.ConnectionError``, the error of PyNN's own delay check
  (``pyNN.standardmodels.check_delays``; pyNN.brian2 does not call it and rounds them).
* **refractory period**: Brian2 holds a neuron for steps ``k`` after its spike while
  ``k < timestep(tau_refrac)`` (``int(tau_refrac/dt + 0.001)``), i.e. for
  ``timestep(tau_refrac) - 1`` steps; ours freezes ``ceil(tau_refrac/dt)`` steps. Hence
  **our tau_refrac = (timestep(tau_refrac) - 1) dt** (0 for PyNN's default 0.1 ms at 0.1 ms).
* **spike source times** are binned as Brian2's SpikeGeneratorGroup bins them
  (``timestep(t)``), then placed on the grid.
* **weights**: PyNN's current-based inhibitory weights are negative; ours are magnitudes on
  the inhibitory receptor. The crossbar holds the signed PyNN weight (a differential pair);
  a read that crosses zero delivers nothing (the receptor is wired, not signed).
* **additive STDP**: PyNN's A (pyNN.brian2, NEST) is a fraction of w_max:
  ``AdditiveWeightDependence(scale_by_w_max=True)`` in our spec (docs/decisions.md 1).

With these, a deterministic IF_curr_exp network gives the same spikes as pyNN.brian2
(Brian2's "exact" integrator; ours is the same closed form in float64). Not the same by
construction: IF_cond_exp (pyNN.brian2 integrates it with forward Euler, ours with Brian2's
exponential Euler), Poisson sources (other random numbers: statistics only) and STDP
(pyNN.brian2 applies plasticity at the delayed pre arrival and the undelayed post spike;
ours at the pre emission and the delayed post spike, as sPyNNaker).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from pyNN import common

from neurosim.hardware_backends.crossbar.ledger import Ledger
from neurosim.units import amp, siemens, to_si

name = "NeurosimCrossbar"

#: setup() options of this backend and their defaults (docs/crossbar.md).
DEFAULT_OPTIONS: dict[str, Any] = {
    "fidelity": "noisy",
    "device": None,            # a neurosim.devices.ResistiveDevice; None: neurram_wan2022()
    "tile_shape": (256, 256),
    "v_read": None,            # Brian2 voltage; None: 0.2 V
    "dac_bits": 8,
    "adc_bits": 8,
    "r_wire": None,            # Brian2 resistance; None: 0.5 ohm ("full" only)
    "read_interval": None,     # ms between array reads; None: one read per run() call
    "device_age": 0.0,         # s between programming and t = 0 (drift)
    "seed": None,
    "ledger_constants": None,  # dict of overrides of ledger.CONSTANTS
}


class ID(int, common.IDMixin):
    """A cell's global id."""

    def __init__(self, n: int):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """Time, the registered PyNN objects and the built network."""

    def __init__(self) -> None:
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay: Any = "auto"
        self.max_delay: Any = "auto"
        self.options = dict(DEFAULT_OPTIONS)
        self.net: Network | None = None
        self.clear()

    def clear(self) -> None:
        self.recorders = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.populations: list[Any] = []
        self.projections: list[Any] = []
        self.write_on_end = []
        self.net = None
        self.ledger_total = Ledger()
        self.ledger_last = Ledger()
        self.device_clock = 0.0  # s of simulated time since setup (device time)
        self.reset()

    def reset(self) -> None:
        """t = 0 and a new segment; the devices keep their conductances."""
        self.running = False
        self.t_start = 0
        self.segment_counter += 1
        self._step = 0
        if self.net is not None:
            self.net.stale = True  # rebuilt (new state, same crossbars) at the next run

    @property
    def t(self) -> float:
        """Current time in ms."""
        return round(self._step * self.dt, 10)

    def run(self, simtime: float) -> None:
        n = round(simtime / self.dt)
        if n <= 0:
            return
        if self.net is None:
            self.net = Network(self)
        if self.net.changed and not self.net.stale:
            raise NotImplementedError("the crossbar backend builds the network at the first "
                                      "run(): create populations and projections before it "
                                      "(or after a reset())")
        if self.net.stale:
            self.net.build_engine()
            self.net.changed = False
        self.running = True
        self.ledger_last = self.net.advance(n)  # also moves device_clock on
        self.ledger_total = self.ledger_total + self.ledger_last
        self._step += n

    def run_until(self, tstop: float) -> None:
        if tstop > self.t + 1e-9:
            self.run(tstop - self.t)


state = State()


# -- translation helpers ------------------------------------------------------------------
def brian2_timestep(t_ms: np.ndarray | float, dt_ms: float) -> np.ndarray:
    """Brian2's ``timestep(t, dt)``: ``int((t + 1e-3 dt) / dt)``."""
    return np.asarray((np.asarray(t_ms, dtype=float) + 1e-3 * dt_ms) / dt_ms).astype(np.int64)


def refractory_for_spec(tau_refrac_ms: float, dt_ms: float) -> float:
    """Our tau_refrac (ms) that freezes as many steps as Brian2 does for PyNN's value."""
    return max(int(brian2_timestep(tau_refrac_ms, dt_ms)) - 1, 0) * dt_ms


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


def _homogeneous(values: Any, what: str) -> Any:
    arr = np.asarray(values)
    if arr.size and arr.dtype != object and not np.all(arr == arr.flat[0]):
        raise NotImplementedError(
            f"{what} differs between neurons/synapses; the crossbar backend (our NetworkSpec) "
            "takes one value per population/projection")
    return arr.flat[0] if arr.size else None


# -- the built network --------------------------------------------------------------------
class Network:
    """The spec, the engine simulation and one crossbar per projection."""

    def __init__(self, st: State):
        from neurosim.random import as_seed_sequence

        self.state = st
        self.root = as_seed_sequence(st.options["seed"], "seed")
        self.crossbars: dict[int, Any] = {}
        self.stale = True
        self.changed = False
        self.sim = None

    def mark_stale(self) -> None:
        """A population or projection was added: the next build must include it."""
        self.changed = True

    def require_unbuilt(self, what: str) -> None:
        if self.sim is not None and not self.stale:
            raise NotImplementedError(f"the crossbar backend cannot {what} in the middle of a "
                                      "segment: call reset() first")

    # -- build ---------------------------------------------------------------------------
    def build_engine(self) -> None:
        """(Re)build spec and engine at t = 0; program new projections' crossbars, read all."""
        from neurosim.engines import build
        from neurosim.random import child_seed
        from neurosim.units import ms

        st = self.state
        spec, self.groups = self._spec()
        seed = child_seed(self.root, "segment", str(st.segment_counter))
        self.sim = build(spec, engine="numba", dt=st.dt * ms, seed=seed, integration="exact")
        self.spec = spec
        self.n_neurons = spec.n_neurons
        self._set_initial_values()
        self._bind_projections()
        for prj in st.projections:
            if id(prj) not in self.crossbars:
                self.crossbars[id(prj)] = self._make_crossbar(prj)
            self._deliver(prj, self._read(prj))
        self._recorded_vars = self._probe_set()
        self.stale = False

    def _spec(self):
        from neurosim.network import NetworkSpec, Probe

        st = self.state
        pops, sources, probes, groups = [], [], [], {}
        for k, pop in enumerate(st.populations):
            label = f"p{k}"
            groups[id(pop)] = label
            item = self._group(pop, label)
            (pops if hasattr(item, "celltype") else sources).append(item)
            probes.append(Probe(label, "spikes"))
            for var in sorted(v.name for v in pop.recorder.recorded if v.name != "spikes"):
                probes.append(Probe(label, var))
        projections = []
        self.groups = groups
        for j, prj in enumerate(st.projections):
            projections.extend(self._spec_projections(j, prj, groups))
        return NetworkSpec(tuple(pops), tuple(sources), tuple(projections), tuple(probes),
                           name="pynn-crossbar"), groups

    def _group(self, pop: Any, label: str):
        from neurosim.hardware_backends.crossbar import standardmodels as sm
        from neurosim.network import IF_cond_exp, IF_curr_exp, Population
        from neurosim.network import SpikeSourceArray as SSA
        from neurosim.network import SpikeSourcePoisson as SSP
        from neurosim.units import Hz, ms, mV, nA, nF, second

        dt = self.state.dt
        p = pop._parameters
        ct = pop.celltype
        if isinstance(ct, sm.SpikeSourceArray):
            trains = []
            for seq in p["spike_times"]:
                t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
                trains.append(tuple((brian2_timestep(t, dt) * dt * 1e-3).tolist()))
            return SSA(label, tuple(trains))
        if isinstance(ct, sm.SpikeSourcePoisson):
            rate = _homogeneous(p["rate"], "SpikeSourcePoisson rate")
            start = _homogeneous(p["start"], "SpikeSourcePoisson start")
            dur = _homogeneous(p["duration"], "SpikeSourcePoisson duration")
            return SSP(label, pop.size, float(rate) * Hz, float(start) * ms,
                       None if not np.isfinite(dur) else float(dur) * ms)
        units = {"cm": nF, "tau_m": ms, "tau_refrac": ms, "tau_syn_E": ms, "tau_syn_I": ms,
                 "i_offset": nA, "v_reset": mV, "v_rest": mV, "v_thresh": mV, "e_rev_E": mV,
                 "e_rev_I": mV}
        kw = {}
        for pname in ct.default_parameters:
            v = float(_homogeneous(p[pname], f"parameter {pname!r} of {pop.label}"))
            if pname == "tau_refrac":
                v = refractory_for_spec(v, dt)
            kw[pname] = v * units[pname]
        cls = IF_curr_exp if isinstance(ct, sm.IF_curr_exp) else IF_cond_exp
        if not isinstance(ct, sm.IF_curr_exp | sm.IF_cond_exp):
            raise NotImplementedError(f"cell type {type(ct).__name__}")
        del second
        return Population(label, pop.size, cls(**kw))

    def _spec_projections(self, j: int, prj: Any, groups: dict[int, str]) -> list:
        from neurosim.hardware_backends.crossbar import standardmodels as sm
        from neurosim.network import FromList, Projection, StaticSynapse
        from neurosim.network import STDPMechanism as SpecSTDP
        from neurosim.units import nA, second, uS

        dt = self.state.dt
        c = prj._conn
        conductance = bool(prj.post.conductance_based)
        wunit = uS if conductance else nA
        steps = np.rint(c["delay"] / dt).astype(np.int64) + 1  # our delay = PyNN's + dt
        prj._pieces = []
        out = []
        pre_parts = base_indices(prj.pre, c["pre"])
        post_parts = base_indices(prj.post, c["post"])
        pre_base = np.empty(len(c["pre"]), dtype=object)
        pre_abs = np.empty(len(c["pre"]), dtype=np.int64)
        for base, ind, pos in pre_parts:
            pre_base[pos] = groups[id(base)]
            pre_abs[pos] = ind
        post_base = np.empty(len(c["post"]), dtype=object)
        post_abs = np.empty(len(c["post"]), dtype=np.int64)
        for base, ind, pos in post_parts:
            post_base[pos] = groups[id(base)]
            post_abs[pos] = ind
        syn = prj.synapse_type
        plastic = isinstance(syn, sm.STDPMechanism)
        keys = sorted({(a, b, int(d)) for a, b, d in zip(pre_base, post_base, steps)})
        for g, (a, b, d) in enumerate(keys):
            sel = np.flatnonzero((pre_base == a) & (post_base == b) & (steps == d))
            pairs = tuple(zip(pre_abs[sel].tolist(), post_abs[sel].tolist()))
            delay = d * dt * 1e-3 * second
            if plastic:
                spec_syn = SpecSTDP(**self._stdp_kwargs(prj, wunit), weight=0 * wunit,
                                    delay=delay)
            else:
                spec_syn = StaticSynapse(weight=0 * wunit, delay=delay)
            label = f"j{j}.{g}"
            out.append(Projection(a, b, FromList(pairs=pairs), spec_syn,
                                  receptor=prj.receptor_type, label=label))
            prj._pieces.append((label, sel, pre_abs[sel], post_abs[sel]))
        return out

    def _stdp_kwargs(self, prj: Any, wunit: Any) -> dict:
        from neurosim.hardware_backends.crossbar import standardmodels as sm
        from neurosim.network import AdditiveWeightDependence as Add
        from neurosim.network import MultiplicativeWeightDependence as Mul
        from neurosim.network import SpikePairRule as Pair
        from neurosim.units import ms

        syn = prj.synapse_type
        extra = prj._conn["extra"]
        v = {k: float(_homogeneous(extra[k], f"STDP parameter {k!r}")) for k in extra}
        if float(v.get("dendritic_delay_fraction", 1.0)) != 1.0:
            warnings.warn("dendritic_delay_fraction != 1: the crossbar backend applies STDP "
                          "with the whole delay on the dendrite (post events delayed), as "
                          "sPyNNaker", stacklevel=3)
        td = Pair(tau_plus=v["tau_plus"] * ms, tau_minus=v["tau_minus"] * ms,
                  A_plus=v["A_plus"], A_minus=v["A_minus"])
        if isinstance(syn.weight_dependence, sm.AdditiveWeightDependence):
            # PyNN's additive A is a fraction of w_max (docs/decisions.md 1)
            wd = Add(w_min=v["w_min"] * wunit, w_max=v["w_max"] * wunit, scale_by_w_max=True)
        elif isinstance(syn.weight_dependence, sm.MultiplicativeWeightDependence):
            wd = Mul(w_min=v["w_min"] * wunit, w_max=v["w_max"] * wunit)
        else:
            raise NotImplementedError(f"weight dependence {type(syn.weight_dependence)}")
        return {"timing_dependence": td, "weight_dependence": wd}

    def _bind_projections(self) -> None:
        """For each PyNN projection and each of its spec pieces: the connection index of
        every engine synapse, in the engine's order (``Simulation.synapse_index``), so
        weights go in with ``set_weights`` whatever order the engine keeps."""
        for prj in self.state.projections:
            prj._bound = []
            for label, sel, pre_abs, post_abs in prj._pieces:
                pre, post = self.sim.synapse_index(label)
                n_post = int(max(post_abs.max(initial=-1), post.max(initial=-1))) + 1
                key_conn = pre_abs * n_post + post_abs
                order = np.argsort(key_conn)
                at = np.searchsorted(key_conn[order], pre * n_post + post)
                at = np.minimum(at, max(len(order) - 1, 0))
                if len(pre) != len(sel) or (len(pre) and not np.array_equal(
                        key_conn[order][at], pre * n_post + post)):
                    raise RuntimeError(f"engine synapses of {label!r} do not match the "
                                       "projection's connections")
                prj._bound.append((label, sel[order[at]]))
            prj._sign = -1.0 if (prj.receptor_type == "inhibitory"
                                 and not prj.post.conductance_based) else 1.0
            prj._unit = 1e-6 if prj.post.conductance_based else 1e-9
            prj._si_unit = siemens if prj.post.conductance_based else amp

    def _set_initial_values(self) -> None:
        from neurosim.hardware_backends.crossbar import standardmodels as sm
        from neurosim.units import mV, nA, uS

        sim = self.sim
        for pop in self.state.populations:
            if not isinstance(pop.celltype, sm.IF_curr_exp | sm.IF_cond_exp):
                continue
            label = self.groups[id(pop)]
            cond = isinstance(pop.celltype, sm.IF_cond_exp)
            names = ("gsyn_exc", "gsyn_inh") if cond else ("isyn_exc", "isyn_inh")
            unit = uS if cond else nA
            sim.set_state(label, "v", pop.initial_array("v") * mV)
            sim.set_state(label, names[0], pop.initial_array(names[0]) * unit)
            # PyNN's isyn_inh is the (positive) magnitude on the inhibitory receptor
            sim.set_state(label, names[1], np.abs(pop.initial_array(names[1])) * unit)

    def _probe_set(self) -> set:
        return {(id(p), v.name) for p in self.state.populations for v in p.recorder.recorded}

    # -- crossbars -----------------------------------------------------------------------
    def _make_crossbar(self, prj: Any):
        from neurosim.hardware_backends.crossbar.array import CrossbarArray
        from neurosim.hardware_backends.crossbar.ledger import constants
        from neurosim.random import child_seed
        from neurosim.units import ohm, second, volt

        o = self.state.options
        xb = CrossbarArray((prj.pre.size, prj.post.size), device=o["device"],
                           fidelity=o["fidelity"], tile_shape=o["tile_shape"],
                           v_read=o["v_read"] if o["v_read"] is not None else 0.2 * volt,
                           dac_bits=o["dac_bits"], adc_bits=o["adc_bits"],
                           r_wire=o["r_wire"] if o["r_wire"] is not None else 0.5 * ohm,
                           seed=child_seed(self.root, "crossbar", str(prj._index)))
        xb.ledger.const = constants(**(o["ledger_constants"] or {}))
        w_max = None
        if "w_max" in prj._conn["extra"]:
            w_max = float(np.max(np.abs(prj._conn["extra"]["w_max"])))
        xb.load(prj.weight_matrix(), t=self._device_time() * second, w_max=w_max)
        prj._read_w = None
        return xb

    def _device_time(self) -> float:
        st = self.state
        return float(st.options["device_age"]) + st.device_clock

    def _read(self, prj: Any) -> np.ndarray:
        """Weights (PyNN sign and units) the crossbar delivers now, per connection."""
        from neurosim.units import second

        xb = self.crossbars[id(prj)]
        w = xb.read(self._device_time() * second)
        c = prj._conn
        return w[c["pre"], c["post"]]

    def _deliver(self, prj: Any, w_conn: np.ndarray) -> None:
        prj._read_w = w_conn.copy()
        eng = np.maximum(prj._sign * w_conn, 0.0) * prj._unit
        for label, conn in prj._bound:
            self.sim.set_weights(label, eng[conn] * prj._si_unit)

    def engine_weights(self, prj: Any) -> np.ndarray:
        """The engine's current weights of ``prj`` per connection (PyNN sign and units)."""
        w = np.empty(len(prj._conn["pre"]))
        for label, sel, pre_abs, post_abs in prj._pieces:
            mat = np.asarray(to_si(self.sim.weights(label)))
            w[sel] = mat[pre_abs, post_abs] / prj._unit * prj._sign
        return w

    def write_weights(self, prj: Any) -> None:
        """Program ``prj``'s target weights (after Projection.set) and deliver the read."""
        from neurosim.units import second

        xb = self.crossbars[id(prj)]
        t = self._device_time() * second
        xb.reprogram(prj.weight_matrix(), t, changed=None)
        self.state.ledger_total = self.state.ledger_total + xb.ledger
        xb.ledger = Ledger(const=xb.ledger.const)
        if self.sim is not None and not self.stale:
            self._deliver(prj, self._read(prj))

    # -- run -----------------------------------------------------------------------------
    def advance(self, n_steps: int) -> Ledger:
        """Run ``n_steps``; returns the ledger of this run."""
        from neurosim.units import ms

        st = self.state
        if self._probe_set() != self._recorded_vars:
            raise NotImplementedError("the crossbar backend needs record() calls before the "
                                      "first run() (or before a reset())")
        ledger = Ledger(const=self._ledger_constants())
        for prj in st.projections:  # programming since the last run counts in this one
            xb = self.crossbars[id(prj)]
            ledger = ledger + xb.ledger
            xb.ledger = Ledger(const=ledger.const)
        interval = st.options["read_interval"]
        chunk = n_steps if interval is None else max(1, round(interval / st.dt))
        reread = st.options["fidelity"] in ("noisy", "full")
        done = 0
        while done < n_steps:
            n = min(chunk, n_steps - done)
            if reread and (done > 0 or st.running):
                for prj in st.projections:
                    self._deliver(prj, self._read(prj))
            k0 = round(float(to_si(self.sim.t)) / (st.dt * 1e-3))
            self.sim.run(n * st.dt * ms, progress=False)
            self._account(ledger, k0, n)
            st.device_clock += n * st.dt * 1e-3
            self._write_back_plastic()
            done += n
        for prj in st.projections:
            ledger = ledger + self.crossbars[id(prj)].ledger
        return ledger

    def _ledger_constants(self):
        from neurosim.hardware_backends.crossbar.ledger import constants

        return constants(**(self.state.options["ledger_constants"] or {}))

    def _write_back_plastic(self) -> None:
        """Plastic weights changed in the engine are written to the devices (programming
        pulses), then read back: what the next spikes see is what the cells hold."""
        from neurosim.hardware_backends.crossbar import standardmodels as sm
        from neurosim.units import second

        t = self._device_time() * second
        for prj in self.state.projections:
            if not isinstance(prj.synapse_type, sm.STDPMechanism):
                continue
            new = self.engine_weights(prj)
            changed_conn = new != prj._read_w
            if not np.any(changed_conn):
                continue
            c = prj._conn
            mat = prj.weight_matrix(new)
            changed = np.zeros(mat.shape, dtype=bool)
            changed[c["pre"][changed_conn], c["post"][changed_conn]] = True
            xb = self.crossbars[id(prj)]
            xb.reprogram(mat, t, changed=changed)
            self._deliver(prj, xb.read(t)[c["pre"], c["post"]])

    def _account(self, ledger: Ledger, k0: int, n: int) -> None:
        """Row reads (from this chunk's spikes), conversions and neuron updates."""
        from neurosim.units import second

        dt_s = self.state.dt * 1e-3
        t0, t1 = k0 * dt_s * second, (k0 + n) * dt_s * second
        spikes = {}  # this chunk's spikes per group: (steps from k0, indices)
        for label in self.groups.values():
            sp = self.sim.spikes_between(label, t0, t1)
            spikes[label] = (np.round(np.asarray(to_si(sp.times)) / dt_s).astype(np.int64)
                             - k0, sp.indices)
        serial = np.zeros(n, dtype=np.int64)
        for prj in self.state.projections:
            xb = self.crossbars[id(prj)]
            s_parts, p_parts = [], []
            for label, pos_of in prj._pre_positions(self):
                steps, idx = spikes[label]
                pos = pos_of[idx]
                keep = pos >= 0
                s_parts.append(steps[keep])
                p_parts.append(pos[keep])
            s = np.concatenate(s_parts) if s_parts else np.zeros(0, np.int64)
            p = np.concatenate(p_parts) if p_parts else np.zeros(0, np.int64)
            if not len(p):
                continue
            a, b = xb.tiling.grid
            row_g = prj._row_conductance(xb)
            n_rows = len(p) * b
            ledger.add_row_reads(n_rows, float(row_g[p].sum()), len(p) * prj.post.size,
                                 xb.v_read, 0.0)
            per_tile = np.bincount(s * a + p // xb.tiling.tile_rows, minlength=n * a)
            serial = np.maximum(serial, per_tile.reshape(n, a).max(axis=1))
        # the critical path: the busiest tile's serial row reads, step by step
        ledger.add_row_reads(0, 0.0, 0, 0.0, float(serial.sum()))
        ledger.add_neuron_updates(self.n_neurons, n)

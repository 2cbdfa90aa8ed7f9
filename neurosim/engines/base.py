"""What every engine shares: the build registry and the Simulation protocol.

An engine builds a :class:`~neurosim.network.NetworkSpec` into a :class:`Simulation`. Build
functions are registered per engine and keyed by the spec node type (Nengo's builder
pattern), so no model ever branches on the engine.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from neurosim.engines.data import SpikeData, StateData, grid_times, to_neo_block
from neurosim.errors import ParameterError, SpecError, UnsupportedFeature
from neurosim.network import NetworkSpec
from neurosim.network.cells import WEIGHT_SI_UNITS
from neurosim.random import SeedLike, as_seed_sequence
from neurosim.timegrid import time_step, time_steps
from neurosim.units import Quantity, ms, require_quantity, second, to_si

__all__ = ["Builder", "Engine", "Simulation", "check_dt", "steps_of"]

class Builder:
    """A registry of build functions for one engine, keyed by spec node type.

    Subclass per engine with its own ``builders = {}`` (as nengo-loihi subclasses Nengo's
    Builder), then decorate functions with ``@MyBuilder.register(NodeType)``.
    """

    builders: ClassVar[dict[type, Callable[..., Any]]] = {}
    engine_name: ClassVar[str] = "?"

    @classmethod
    def register(cls, node_type: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            cls.builders[node_type] = fn
            return fn

        return decorator

    @classmethod
    def build(cls, node: Any, *args: Any, **kwargs: Any) -> Any:
        for klass in type(node).__mro__:
            if klass in cls.builders:
                return cls.builders[klass](node, *args, **kwargs)
        raise UnsupportedFeature(type(node).__name__, cls.engine_name)


def check_dt(dt: Any) -> float:
    """Validate a time step and return it in seconds."""
    require_quantity(dt, second, "dt", "Engine.build")
    dt_s = float(to_si(dt))
    if not dt_s > 0:
        raise ParameterError("dt", dt, "a time > 0 ms", "Engine.build")
    return dt_s


def steps_of(value_s: float, dt_s: float, what: str) -> int:
    """A duration in whole time steps; refuses values off the grid (no silent rounding)."""
    n = value_s / dt_s
    k = round(n)
    if not math.isclose(n, k, rel_tol=0, abs_tol=1e-6):
        raise ParameterError(what, value_s * second, f"a multiple of dt ({dt_s * 1e3:g} ms)")
    return int(k)


def check_delays(spec: NetworkSpec, dt_s: float, engine: str) -> None:
    """Every given delay must be >= dt and a multiple of it (one tick is SpiNNaker's minimum
    too); drawn delays are rounded to the nearest step and checked when drawn."""
    from neurosim.network.distributions import RandomDistribution

    for proj in spec.projections:
        d = proj.synapse.delay  # type: ignore[attr-defined]
        if d is None or isinstance(d, RandomDistribution):
            continue
        for d_s in np.unique(np.atleast_1d(np.asarray(to_si(d), dtype=float))):
            if d_s < dt_s * (1 - 1e-9):
                raise ParameterError("delay", d_s * second, f"a time >= dt ({dt_s * 1e3:g} ms)",
                                     f"Projection {proj.label!r} on {engine}")
            steps_of(float(d_s), dt_s, f"delay of projection {proj.label!r}")


def synapse_values(proj: Any, n: int, root_seed: Any, dt_s: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Weights (SI, float64) and delays (whole steps >= 1, int32) of the ``n`` synapses of a
    projection, in the connector's order: the one lowering of one value, one per synapse, or a
    distribution (drawn from the counter-based generator under the root seed and the
    projection's label: the same values on every engine). Drawn delays round to the nearest
    step; a draw below dt or a negative weight is a ParameterError naming the value."""
    from neurosim.counter_rng import source_key
    from neurosim.network.distributions import RandomDistribution

    syn = proj.synapse
    owner = f"Projection {proj.label!r}"

    def per_synapse(value: Any, name: str) -> np.ndarray:
        # one value stays a 0-d array until the end: a 10⁸-synapse projection then holds
        # its weights once, not three float copies for the checks
        if isinstance(value, RandomDistribution):
            return value.draw(source_key(root_seed, f"{name}:{proj.label}"), n)
        arr = np.asarray(to_si(value), dtype=float)
        if arr.ndim == 0:
            return arr
        if len(arr) != n:
            raise ParameterError(name, f"{len(arr)} values", "a single value or one per "
                                 f"synapse ({n})", owner)
        return arr.copy()

    w = per_synapse(syn.weight, "weight")
    if n and not (np.all(w >= 0) and np.all(np.isfinite(w))):
        bad = np.atleast_1d(w)[~((np.atleast_1d(w) >= 0) & np.isfinite(np.atleast_1d(w)))][0]
        raise ParameterError("weight", bad * WEIGHT_SI_UNITS[syn.kind], "finite weights >= 0 "
                             "(the receptor gives the sign)", owner)
    w = np.full(n, float(w)) if w.ndim == 0 else w
    if syn.delay is None:
        return w, np.ones(n, dtype=np.int32)
    d = per_synapse(syn.delay, "delay")
    if n and not np.all(np.isfinite(d)):
        raise ParameterError("delay", np.atleast_1d(d)[~np.isfinite(np.atleast_1d(d))][0]
                             * second, f"delays >= dt ({dt_s * 1e3:g} ms)", owner)
    steps = time_steps(d, dt_s)
    if n and steps.min() < 1:
        bad = np.atleast_1d(d)[np.atleast_1d(steps) < 1][0]
        raise ParameterError("delay", bad * second, f"delays >= dt ({dt_s * 1e3:g} ms)", owner)
    if n and steps.max() >= 2**31:
        raise ParameterError("delay", np.max(d) * second, f"delays below 2**31 steps of "
                             f"{dt_s * 1e3:g} ms", owner)
    steps = np.full(n, int(steps), np.int32) if steps.ndim == 0 else steps.astype(np.int32)
    return w, steps


class Simulation(ABC):
    """A built network, ready to run. Engines implement the abstract methods.

    Attributes
    ----------
    spec : NetworkSpec
    dt : Quantity
    t : Quantity
        Simulated time so far.
    """

    engine_name: ClassVar[str] = "?"

    def __init__(self, spec: NetworkSpec, dt_s: float, seed: SeedLike):
        self.spec = spec
        self.dt_s = dt_s
        #: the root of every random choice of this simulation (connectivity, drawn values,
        #: Poisson spikes, noisy currents): a SeedSequence on every engine, so one seed
        #: means the same thing everywhere
        self.seed: np.random.SeedSequence = as_seed_sequence(seed)
        self._closed = False

    @property
    def dt(self) -> Quantity:
        return self.dt_s * second

    @property
    @abstractmethod
    def t(self) -> Quantity: ...

    @abstractmethod
    def _advance(self, n_steps: int, progress: bool) -> None: ...

    def run(self, duration: Quantity, progress: bool | None = None) -> Simulation:
        """Advance by ``duration`` (a multiple of dt). ``progress=None``: a bar if >= 2000 steps."""
        if self._closed:
            raise RuntimeError("this simulation was closed")
        require_quantity(duration, second, "duration", f"{type(self).__name__}.run")
        d = float(to_si(duration))
        if d < 0:
            raise ParameterError("duration", duration, "a time >= 0 ms",
                                 f"{type(self).__name__}.run")
        n = steps_of(d, self.dt_s, "duration")
        if progress is None:
            progress = n >= 2000
        if n:
            self._advance(n, progress)
        return self

    def inject(self, source: str, indices: np.ndarray, times: Quantity) -> None:
        """Schedule extra spikes on a ``SpikeSourceArray`` (times >= the current time).

        This is how a running model is given input operation by operation (the CA3 memory's
        learn and recall) without rebuilding the network.
        """
        from neurosim.network import SpikeSourceArray

        group = self.spec.groups.get(source)
        if not isinstance(group, SpikeSourceArray):
            raise ParameterError("source", source, "the label of a SpikeSourceArray",
                                 f"{type(self).__name__}.inject")
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        require_quantity(times, second, "times", f"{type(self).__name__}.inject")
        t = np.asarray(to_si(times), dtype=float).reshape(-1)
        if len(idx) != len(t):
            raise ParameterError("indices", indices, f"as many entries as times ({len(t)})",
                                 f"{type(self).__name__}.inject")
        if len(idx) and (idx.min() < 0 or idx.max() >= group.size):
            raise ParameterError("indices", indices, f"ints in [0, {group.size - 1}]",
                                 f"{type(self).__name__}.inject")
        steps = time_steps(t, self.dt_s)
        now = round(float(to_si(self.t)) / self.dt_s)
        if len(steps) and steps.min() < now:
            raise ParameterError("times", times, f"times >= the current time ({self.t})",
                                 f"{type(self).__name__}.inject")
        self._inject(source, idx, steps)

    @abstractmethod
    def _inject(self, source: str, indices: np.ndarray, steps: np.ndarray) -> None: ...

    @property
    @abstractmethod
    def data(self) -> dict[str, SpikeData | StateData]:
        """Recorded data by probe key (``"label.spikes"``, ``"label.v"``)."""

    @abstractmethod
    def weights(self, projection: str) -> Quantity:
        """Current weights of a projection as an (n_pre, n_post) array, NaN where unconnected."""

    # -- hooks for hardware backends: weights and state from outside -----------------------
    def synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        """The synapses of ``projection`` in the engine's order.

        Parameters
        ----------
        projection
            A projection label of the spec.

        Returns
        -------
        pre, post : numpy.ndarray
            Indices within the projection's pre and post views (rows and columns of
            :meth:`weights`), one entry per synapse, in the order :meth:`set_weights`
            takes a 1-D array.
        """
        self._check_projection(projection)
        return self._synapse_index(projection)

    def set_weights(self, projection: str, values: Quantity) -> None:
        """Overwrite the weights of ``projection`` (between runs).

        Parameters
        ----------
        projection
            A projection label of the spec.
        values
            Amperes (current-based targets), siemens (conductance-based) or volts (voltage
            jumps): an
            ``(n_pre, n_post)`` matrix as :meth:`weights` returns (entries where there is no
            synapse are ignored), or one value per synapse in :meth:`synapse_index` order.
        """
        proj = self._check_projection(projection)
        unit = WEIGHT_SI_UNITS[proj.synapse.kind]
        owner = f"{type(self).__name__}.set_weights"
        require_quantity(values, unit, "values", owner)
        w = np.asarray(to_si(values), dtype=np.float64)
        pre, post = self._synapse_index(projection)
        if w.ndim == 2:
            shape = self.weights(projection).shape
            if w.shape != shape:
                raise ParameterError("values", w.shape, f"shape {shape}", owner)
            if len(np.unique(pre * shape[1] + post)) != len(pre):
                raise ParameterError("values", w.shape, f"one value per synapse ({len(pre)}, "
                                     "in synapse_index order): this projection has "
                                     "multapses, which a matrix cannot tell apart", owner)
            w = w[pre, post]
        elif w.shape != (len(pre),):
            raise ParameterError("values", w.shape, f"({len(pre)},) or a weight matrix", owner)
        if not np.all(np.isfinite(w)):
            raise ParameterError("values", "NaN/inf", "finite weights on every synapse", owner)
        self._set_weights(projection, np.array(w))

    def synapse_weights(self, projection: str) -> Quantity:
        """The weight of each synapse of ``projection`` now, in :meth:`synapse_index` order
        (multapses one by one, where :meth:`weights` sums them)."""
        proj = self._check_projection(projection)
        return self._synapse_weights(projection) * WEIGHT_SI_UNITS[proj.synapse.kind]

    def delays(self, projection: str) -> Quantity:
        """The delay of each synapse of ``projection``, in :meth:`synapse_index` order (on
        the time grid: whole steps)."""
        self._check_projection(projection)
        return grid_times(self._delay_steps(projection), self.dt_s) * second

    def set_delays(self, projection: str, values: Quantity) -> None:
        """Overwrite the delays of ``projection`` (between runs), as PyNN's
        ``Connection.delay`` setter.

        Parameters
        ----------
        projection
            A projection label of the spec.
        values
            A time, or one per synapse in :meth:`synapse_index` order; each rounds to the
            nearest step (the rule of :func:`neurosim.timegrid.time_steps`) and must be
            >= dt.

        Raises
        ------
        ParameterError
            For bad values, and while a spike that the change would deliver twice or lose
            is in flight: one emitted by the projection's source (or, with STDP, its target)
            within the last max(old, new) delay steps. The array engines look delays up
            when they deliver, so every engine refuses that case alike.
        """
        proj = self._check_projection(projection)
        owner = f"{type(self).__name__}.set_delays"
        require_quantity(values, second, "values", owner)
        d = np.asarray(to_si(values), dtype=np.float64)
        n = len(self._synapse_index(projection)[0])
        if d.ndim == 0:
            d = np.full(n, float(d))
        elif d.shape != (n,):
            raise ParameterError("values", d.shape, f"a time or ({n},): one per synapse in "
                                 "synapse_index order", owner)
        if not np.all(np.isfinite(d)):
            raise ParameterError("values", "NaN/inf", "finite delays on every synapse", owner)
        steps = time_steps(d, self.dt_s)
        if n and steps.min() < 1:
            raise ParameterError("values", float(d.min()) * second,
                                 f">= dt ({self.dt_s * 1e3:g} ms) on every synapse", owner)
        old = self._delay_steps(projection)
        window = int(max(old.max(initial=1), steps.max(initial=1)))
        since = time_step(float(to_si(self.t)), self.dt_s) - window + 1
        labels = [proj.pre_label] + ([proj.post_label] if proj.synapse.plastic else [])
        for label in labels:
            if self._spiked_since(label, since):
                raise ParameterError(
                    "values", f"{projection}: a spike of {label!r} is in flight",
                    f"a change once no spike of {label!r} is younger than the longest old "
                    f"or new delay ({window * self.dt_s * 1e3:g} ms)", owner)
        self._set_delay_steps(projection, steps.astype(np.int64))

    # -- changes between runs (PyNN's Population.set, a source's parameters) -------------
    def set_parameters(self, label: str, **values: Any) -> None:
        """Change cell parameters of population ``label`` between runs, keeping its state
        (PyNN's ``Population.set``).

        Parameters
        ----------
        label
            A population of the spec.
        **values
            Parameters of its cell type, each one value, one per neuron or a
            ``RandomDistribution``, with units (validated as the cell type validates them).
        """
        import dataclasses

        owner = f"{type(self).__name__}.set_parameters"
        pops = {p.label: p for p in self.spec.populations}
        if label not in pops:
            raise ParameterError("label", label, f"one of {sorted(pops)}", owner)
        pop = pops[label]
        known = [f.name for f in dataclasses.fields(pop.celltype)]
        for name in values:
            if name not in known:
                raise ParameterError(name, values[name], f"a parameter of "
                                     f"{type(pop.celltype).__name__}: {known}", owner)
        new_pop = dataclasses.replace(pop, celltype=dataclasses.replace(pop.celltype,
                                                                        **values))
        new_spec = self.spec.replace(populations=tuple(
            new_pop if p.label == label else p for p in self.spec.populations))
        self._set_parameters(label, new_spec)
        self.spec = new_spec

    def set_current_source(self, source: Any) -> None:
        """Give the current source of ``source.label`` new parameters from now on (the
        current already injected is kept: recordings show both)."""
        owner = f"{type(self).__name__}.set_current_source"
        labels = [c.label for c in self.spec.current_sources]
        if getattr(source, "label", None) not in labels:
            raise ParameterError("source", source, f"a current source labelled one of "
                                 f"{labels}", owner)
        now = time_step(float(to_si(self.t)), self.dt_s)
        self.current_plan.replace(source, now)
        self.spec = self.spec.replace(current_sources=tuple(
            source if c.label == source.label else c for c in self.spec.current_sources))

    def set_spike_times(self, source: str, spike_times: Any) -> None:
        """Replace the spikes of SpikeSourceArray ``source`` from now on (PyNN's
        ``Population.set(spike_times=...)`` between runs): one sequence of times per
        neuron; times before now are ignored, as in PyNN."""
        from neurosim.network import SpikeSourceArray

        owner = f"{type(self).__name__}.set_spike_times"
        group = self.spec.groups.get(source)
        if not isinstance(group, SpikeSourceArray):
            raise ParameterError("source", source, "the label of a SpikeSourceArray", owner)
        new = SpikeSourceArray.from_times(source, list(spike_times))
        if new.size != group.size:
            raise ParameterError("spike_times", f"{new.size} trains",
                                 f"one per neuron ({group.size})", owner)
        now = time_step(float(to_si(self.t)), self.dt_s)
        idx, steps = [], []
        for i, train in enumerate(new.spike_times):
            k = time_steps(np.asarray(train, dtype=float), self.dt_s)
            k = k[k >= now]
            idx.append(np.full(len(k), i, np.int64))
            steps.append(k)
        self._replace_spikes(source, np.concatenate(idx), np.concatenate(steps), now)

    @property
    def current_plan(self) -> Any:
        """The current sources as the engine injects them
        (:class:`~neurosim.engines.injection.CurrentPlan`)."""
        raise UnsupportedFeature("current sources", self.engine_name, "the numba engine")

    def _set_parameters(self, label: str, new_spec: NetworkSpec) -> None:
        raise UnsupportedFeature("set_parameters", self.engine_name, "the numba engine")

    def _replace_spikes(self, source: str, indices: np.ndarray, steps: np.ndarray,
                        now: int) -> None:
        raise UnsupportedFeature("set_spike_times", self.engine_name, "the numba engine")

    def get_state(self, label: str, variable: str) -> Quantity:
        """A recordable state variable (``"v"``, ``"isyn_exc"``, ``"w"``...) of every neuron
        of population ``label``, now."""
        self._check_state(label, variable)
        return np.array(self._get_state(label, variable)) * self.state_unit(label, variable)

    def state_unit(self, label: str, variable: str) -> Any:
        """The unit of a state variable of population ``label`` (from its cell type)."""
        return self.spec.population(label).celltype.state_unit(variable)

    def set_state(self, label: str, variable: str, values: Quantity) -> None:
        """Set a state variable of population ``label`` (a value or one per neuron).

        Meant between runs, e.g. initial values a backend translates from its own API.
        """
        size = self._check_state(label, variable)
        owner = f"{type(self).__name__}.set_state"
        require_quantity(values, self.state_unit(label, variable), "values", owner)
        v = np.asarray(to_si(values), dtype=np.float64)
        try:
            v = np.broadcast_to(v, (size,)).copy()
        except ValueError:
            raise ParameterError("values", v.shape, f"a scalar or ({size},)", owner) from None
        self._set_state(label, variable, v)

    def spikes_between(self, label: str, start: Quantity, stop: Quantity) -> SpikeData:
        """The spikes of ``label`` with ``start <= t < stop`` (engines may do this without
        assembling every recorded spike)."""
        return self.spikes(label).between(start, stop)

    def _check_projection(self, projection: str) -> Any:
        labels = [p.label for p in self.spec.projections]
        if projection not in labels:
            raise ParameterError("projection", projection, f"one of {sorted(labels)}",
                                 f"{type(self).__name__}")
        return self.spec.projection(projection)

    def _check_state(self, label: str, variable: str) -> int:
        pops = {p.label: p for p in self.spec.populations}
        owner = f"{type(self).__name__}.set_state"
        if label not in pops:
            raise ParameterError("label", label, f"one of {sorted(pops)}", owner)
        allowed = pops[label].celltype.recordable
        if variable not in allowed:
            raise ParameterError("variable", variable, f"one of {list(allowed)}", owner)
        return pops[label].size

    def _synapse_index(self, projection: str) -> tuple[np.ndarray, np.ndarray]:
        raise UnsupportedFeature("synapse_index", self.engine_name, "the numba engine")

    def _set_weights(self, projection: str, w_si: np.ndarray) -> None:
        raise UnsupportedFeature("set_weights", self.engine_name, "the numba engine")

    def _synapse_weights(self, projection: str) -> np.ndarray:
        raise UnsupportedFeature("synapse_weights", self.engine_name, "the numba engine")

    def _delay_steps(self, projection: str) -> np.ndarray:
        raise UnsupportedFeature("delays", self.engine_name, "the numba engine")

    def _set_delay_steps(self, projection: str, steps: np.ndarray) -> None:
        raise UnsupportedFeature("set_delays", self.engine_name, "the numba engine")

    def _spiked_since(self, label: str, step: int) -> bool:
        """Whether group ``label`` emitted a spike at a step >= ``step``."""
        raise UnsupportedFeature("set_delays", self.engine_name, "the numba engine")

    def _get_state(self, label: str, variable: str) -> np.ndarray:
        raise UnsupportedFeature("get_state", self.engine_name, "the numba engine")

    def _set_state(self, label: str, variable: str, values_si: np.ndarray) -> None:
        raise UnsupportedFeature("set_state", self.engine_name, "the numba engine")

    def spikes(self, label: str) -> SpikeData:
        try:
            data = self.data[f"{label}.spikes"]
        except KeyError:
            raise SpecError(f"no spike probe on {label!r}; add Probe({label!r}, 'spikes') to the "
                            "spec") from None
        assert isinstance(data, SpikeData)
        return data

    def to_neo(self):
        """All recorded data as a ``neo.Block`` (as PyNN's ``get_data()``)."""
        spikes = {k.split(".")[0]: v for k, v in self.data.items() if isinstance(v, SpikeData)}
        states = {k: v for k, v in self.data.items() if isinstance(v, StateData)}
        return to_neo_block(self.spec.name, spikes, states, self.t,
                            description=f"neurosim {self.engine_name} engine, dt={self.dt}")

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Simulation:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Engine(ABC):
    """An in-process simulator that builds a spec."""

    name: ClassVar[str] = "?"

    @abstractmethod
    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> Simulation: ...


def empty_weights(n_pre: int, n_post: int) -> np.ndarray:
    return np.full((n_pre, n_post), np.nan)


def weight_matrix(n_pre: int, n_post: int, pre: np.ndarray, post: np.ndarray,
                  w: np.ndarray) -> np.ndarray:
    """``(n_pre, n_post)`` weights (SI), NaN where there is no synapse; the synapses of a
    multapse are summed (PyNN's ``multiple_synapses="sum"``)."""
    out = empty_weights(n_pre, n_post)
    if len(pre):
        total = np.zeros((n_pre, n_post))
        np.add.at(total, (pre, post), w)
        has = np.zeros((n_pre, n_post), dtype=bool)
        has[pre, post] = True
        out[has] = total[has]
    return out


def connect_projection(spec: NetworkSpec, proj: Any, root_seed: Any) -> tuple[np.ndarray, ...]:
    """The synapses of a projection, identical on every engine for one root seed.

    Returns absolute indices (within the populations) ``pre``, ``post`` and the view
    geometry ``n_pre, n_post, pre_offset, post_offset``. Random connectors draw from the
    child seed named after the projection's label.
    """
    from neurosim.random import child_seed, make_rng

    pre_ids, post_ids = spec.ids(proj.pre), spec.ids(proj.post)
    rng = make_rng(child_seed(root_seed, "projection", proj.label))
    i, j = proj.connector.connect(pre_ids, post_ids, proj.pre_label == proj.post_label, rng)
    return (_narrow(pre_ids, i)[i], _narrow(post_ids, j)[j], len(pre_ids), len(post_ids),
            int(pre_ids[0]), int(post_ids[0]))


def _narrow(ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``ids`` as int32 where the connector gave int32 positions and the ids fit: a large
    projection's indices then stay 4 bytes each."""
    if positions.dtype == np.int32 and (not len(ids) or ids[-1] < 2**31):
        return ids.astype(np.int32)
    return ids


def stdp_constants(syn: Any) -> dict[str, Any]:
    """SI constants of an STDPMechanism's pair rule: taus, bounds, amplitudes and the rule.

    Additive: ``a_plus``/``a_minus`` are weight changes (SI) per unit trace (A times w_max,
    or times one nA/uS as in sPyNNaker 7.4.1). Multiplicative: dimensionless A.
    """
    from neurosim.network.synapses import AdditiveWeightDependence

    td = syn.timing_dependence.to_si()
    wd = syn.weight_dependence
    additive = isinstance(wd, AdditiveWeightDependence)
    scale = wd.amplitude_scale() if additive else 1.0
    return {"tau_plus": td["tau_plus"], "tau_minus": td["tau_minus"],
            "w_min": float(to_si(wd.w_min)), "w_max": float(to_si(wd.w_max)),
            "a_plus": td["A_plus"] * scale, "a_minus": td["A_minus"] * scale,
            "rule": "additive" if additive else "multiplicative"}


class PoissonPlan:
    """The Poisson sources of a spec, drawn from the counter-based generator.

    Every engine asks it for the spikes of the steps it is about to run, so all engines see
    the same spikes for one seed and any chunking of ``run()``.
    """

    def __init__(self, spec: NetworkSpec, root_seed: Any, dt_s: float):
        from neurosim.counter_rng import source_key
        from neurosim.network import SpikeSourcePoisson

        self.dt_s = dt_s
        self.sources = []
        for src in spec.sources:
            if isinstance(src, SpikeSourcePoisson):
                v = src.values_si()
                first = np.ceil(v["start"] / dt_s - 1e-9)
                stop = np.ceil(v["stop"] / dt_s - 1e-9)
                rate = v["rate"]
                top = float(np.max(rate, initial=0.0))
                if top * dt_s > 1.0:  # p = min(rate dt, 1): the rate above 1/dt is lost
                    warnings.warn(
                        f"SpikeSourcePoisson {src.label!r}: a rate of {top:g} Hz is above "
                        f"1/dt = {1 / dt_s:g} Hz; a source spikes at most once a step, so it "
                        f"fires every step (an effective {1 / dt_s:g} Hz)", stacklevel=3)
                if np.all(rate == rate[0]) and np.all(first == first[0]) and \
                        np.all(stop == stop[0]):  # one value each: the scalar path
                    rate, first, stop = float(rate[0]), int(first[0]), float(stop[0])
                    stop = math.inf if math.isinf(stop) else int(stop)
                self.sources.append((src.label, source_key(root_seed, src.label), src.size,
                                     rate, first, stop))
        self.until = 0  # spikes of the steps before this one have been handed out

    def labels(self) -> list[str]:
        return [s[0] for s in self.sources]

    def take(self, k1: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Spikes of steps [until, k1) per source label, then ``until = k1``."""
        from neurosim.counter_rng import poisson_spikes

        out = {}
        k0 = self.until
        for label, key, size, rate, first, stop in self.sources:
            out[label] = poisson_spikes(key, size, rate, self.dt_s, first, stop, k0, k1)
        self.until = max(self.until, k1)
        return out


def check_build_args(spec: Any, dt: Any, options: dict[str, Any], engine: str,
                     board_timestep: bool = False) -> float:
    """Shared checks of ``Engine.build``: no unknown options, a spec, dt, delays and probe
    sampling intervals; a warning where dt is coarser than a time constant (not under a
    board's arithmetic, ``board_timestep``: there dt is the hardware's tick, by design).
    Returns dt in seconds."""
    owner = f"{engine} engine build"
    if options:
        raise ParameterError("options", sorted(options), "no extra options", owner)
    if not isinstance(spec, NetworkSpec):
        raise ParameterError("spec", spec, "a NetworkSpec", owner)
    dt_s = check_dt(dt)
    check_delays(spec, dt_s, engine)
    for probe in spec.probes:
        probe_every(probe, dt_s)
    if not board_timestep:
        warn_coarse_dt(spec, dt_s)
    return dt_s


def warn_coarse_dt(spec: NetworkSpec, dt_s: float) -> None:
    """Warn, once per population, where dt exceeds one of its cells' time constants (a
    parameter named ``tau...``, the refractory period aside): the dynamics within a step
    are then not resolved (exact integration stays exact between steps, but a threshold
    crossing and its reset fall on a grid coarser than the cell's own time)."""
    for pop in spec.populations:
        taus = {}
        for k, v in pop.celltype.to_si().items():
            if not k.startswith("tau") or "refrac" in k:
                continue
            try:  # a distribution is left out: its draws are checked when drawn
                arr = np.asarray(v, dtype=float)
            except (TypeError, ValueError):
                continue
            if arr.size and np.all(np.isfinite(arr)):
                taus[k] = float(arr.min())
        if not taus:
            continue
        name, tau = min(taus.items(), key=lambda kv: kv[1])
        if 0 < tau < dt_s * (1 - 1e-9):
            warnings.warn(f"population {pop.label!r}: dt = {dt_s * 1e3:g} ms is coarser than "
                          f"its {name} = {tau * 1e3:g} ms; the dynamics within a step are "
                          "not resolved (dt <= tau/10 is usual)", stacklevel=4)


def probe_every(probe: Any, dt_s: float) -> int:
    """Steps between two samples of a probe: its ``sampling_interval`` in whole steps (1 when
    None); an interval below dt or off the grid is a ParameterError."""
    si = probe.sampling_interval
    if si is None:
        return 1
    allowed = f"a multiple of dt ({dt_s * 1e3:g} ms), at least dt"
    owner = f"Probe {probe.key!r}"
    if si < dt_s * (1 - 1e-9):
        raise ParameterError("sampling_interval", si * second, allowed, owner)
    n = si / dt_s
    if not math.isclose(n, round(n), rel_tol=0, abs_tol=1e-6):
        raise ParameterError("sampling_interval", si * second, allowed, owner)
    return round(n)


def check_integration(integration: Any, owner: str) -> str:
    from neurosim.engines.lif import INTEGRATIONS

    if integration not in INTEGRATIONS:
        raise ParameterError("integration", integration, f"one of {INTEGRATIONS}", owner)
    return integration


#: How the stepping engines run the cells that have a hand-written step (SteppedEngine).
CELL_CODES = ("fast", "generated")


class SteppedEngine(Engine):
    """An engine of our own that steps a spec in the shared order (numba, reference).

    Parameters
    ----------
    integration
        "exact" (continuous-time dynamics, exact for IF_curr_exp) or "spinnaker"
        (sPyNNaker's tick arithmetic), as for the Brian2 engine.
    stdp_zero_depresses
        Whether a pre spike at the same (delayed) time as a post spike depresses
        (sPyNNaker 7: True).
    cell_code
        "fast": IF_curr_exp and IF_cond_exp run the engine's hand-written steps (the same
        floats as Brian2), every other cell type code generated from its declaration;
        "generated": every cell type from its declaration (to check one against the other).
    """

    simulation_class: ClassVar[type]

    def __init__(self, integration: str = "exact", stdp_zero_depresses: bool = True,
                 cell_code: str = "fast"):
        self.integration = check_integration(integration, type(self).__name__)
        self.stdp_zero_depresses = bool(stdp_zero_depresses)
        if cell_code not in CELL_CODES:
            raise ParameterError("cell_code", cell_code, f"one of {CELL_CODES}",
                                 type(self).__name__)
        self.cell_code = cell_code

    def build(self, spec: NetworkSpec, dt: Quantity = 0.1 * ms, seed: SeedLike = None,
              **options: Any) -> Simulation:
        """Build ``spec`` with time step ``dt``; ``seed`` fixes connectivity, random initial
        values and Poisson spikes."""
        dt_s = check_build_args(spec, dt, options, self.name,
                                board_timestep=self.integration == "spinnaker")
        return self.simulation_class(spec, dt_s, seed, self.integration,
                                     self.stdp_zero_depresses, self.cell_code)

"""Synapse types and plasticity rules, with PyNN's names and semantics.

Weights carry units: nA onto current-based cells, uS onto conductance-based cells; the spec
checks them against the post-synaptic cell type. Weights are always >= 0: the receptor
("excitatory"/"inhibitory") gives the sign, as in PyNN on SpiNNaker.

Plasticity follows PyNN: ``STDPMechanism(timing_dependence, weight_dependence, weight, delay)``.
PyNN's backends disagree on the additive rule's amplitude: NEST (and sPyNNaker <= 6) move a
weight by ``A w_max exp(-dt/tau)``, while sPyNNaker 1!7.4.1, the release we deploy to, writes
``A_plus * global_weight_scale`` (``weight_dependence_additive.py``), i.e. moves it by
``A exp(-dt/tau)`` in the weight's own unit (nA or uS). ``AdditiveWeightDependence`` says which
with ``scale_by_w_max`` (default False: sPyNNaker 7.4.1); see docs/decisions.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from brian2 import get_dimensions

from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, custom, number, quantity
from neurosim.units import ms, mV, nA, second, to_si, uS

__all__ = [
    "AdditiveWeightDependence",
    "MultiplicativeWeightDependence",
    "STDPMechanism",
    "SpikePairRule",
    "StaticSynapse",
    "Synapse",
    "TsodyksMarkramSynapse",
    "weight_kind",
]


_UNIT_KIND = {"amp": "current", "siemens": "conductance", "volt": "voltage"}


def _is_distribution(value: Any) -> bool:
    from neurosim.network.distributions import RandomDistribution

    return isinstance(value, RandomDistribution)


def weight_kind(value: Any, param: str, owner: str) -> str:
    """"current", "conductance" or "voltage" from the dimensions of a weight (one value, one
    per synapse, or a RandomDistribution), else ParameterError."""
    if _is_distribution(value) and value.unit_name in _UNIT_KIND:
        return _UNIT_KIND[value.unit_name]
    if isinstance(value, Quantity):
        dim = get_dimensions(value)
        if dim is get_dimensions(nA):
            return "current"
        if dim is get_dimensions(uS):
            return "conductance"
        if dim is get_dimensions(mV):
            return "voltage"
    raise ParameterError(param, value, "a current (nA), a conductance (uS) or a voltage jump "
                         "(mV)", owner)


def _check_weight(value: Any, param: str, owner: str) -> str:
    """One weight, one per synapse (in the connector's order), or a distribution (its draws
    are checked when drawn); finite and >= 0: the receptor gives the sign."""
    kind = weight_kind(value, param, owner)
    if _is_distribution(value):
        return kind
    w = np.asarray(to_si(value), dtype=float)
    if w.ndim > 1 or (w.ndim == 1 and w.size == 0) or not (
            np.all(w >= 0) and np.all(np.isfinite(w))):
        raise ParameterError(param, value, "a finite weight >= 0 (the receptor gives the "
                             "sign), or one per synapse", owner)
    return kind


def _check_delay(value: Any, owner: str) -> None:
    """None (one time step), one delay, one per synapse, or a distribution of times."""
    if value is None:
        return
    if _is_distribution(value):
        if value.unit_name != "second":
            raise ParameterError("delay", value, "a distribution of times", owner)
        return
    if not isinstance(value, Quantity) or get_dimensions(value) is not get_dimensions(ms):
        raise ParameterError("delay", value, "a time >= 0 ms, or None for one time step", owner)
    d = np.asarray(to_si(value), dtype=float)
    if d.ndim > 1 or (d.ndim == 1 and d.size == 0) or not (
            np.all(d >= 0) and np.all(np.isfinite(d))):
        raise ParameterError("delay", value, "a finite time >= 0 ms (or one per synapse), or "
                             "None for one time step", owner)


class SpikePairRule(Params):
    """Pair-based STDP timing dependence (PyNN ``SpikePairRule``; PyNN's defaults).

    All-to-all pairing through exponential traces: a post spike potentiates by
    ``A_plus * x_pre``, a pre spike depresses by ``A_minus * x_post``, with traces decaying
    with ``tau_plus``/``tau_minus`` and incremented by 1 per spike.
    """

    tau_plus: Quantity = quantity(20.0 * ms, ms, low=0 * ms, low_open=True)
    tau_minus: Quantity = quantity(20.0 * ms, ms, low=0 * ms, low_open=True)
    A_plus: float = number(0.01, low=0.0)
    A_minus: float = number(0.01, low=0.0)


class _WeightDependence(Params):
    rule: ClassVar[str] = ""

    def check(self) -> None:
        owner = type(self).__name__
        k_min = _check_weight(self.w_min, "w_min", owner)  # type: ignore[attr-defined]
        k_max = _check_weight(self.w_max, "w_max", owner)  # type: ignore[attr-defined]
        if k_min != k_max:
            raise ParameterError("w_min", self.w_min, "the same kind of weight as w_max", owner)  # type: ignore[attr-defined]
        if to_si(self.w_min) > to_si(self.w_max):  # type: ignore[attr-defined]
            raise ParameterError("w_min", self.w_min, f"<= w_max ({self.w_max})", owner)  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {n: _weight_to_dict(getattr(self, n)) for n in ("w_min", "w_max")}
        if hasattr(self, "scale_by_w_max"):
            out["scale_by_w_max"] = self.scale_by_w_max
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        return cls(**{n: (_weight_from_dict(v) if n in ("w_min", "w_max") else v)
                      for n, v in data.items()})

    def to_si(self) -> dict[str, Any]:
        out = {"w_min": to_si(self.w_min), "w_max": to_si(self.w_max)}  # type: ignore[attr-defined]
        if hasattr(self, "scale_by_w_max"):
            out["scale_by_w_max"] = self.scale_by_w_max
        return out


_KIND_UNIT_NAME = {"current": "amp", "conductance": "siemens", "voltage": "volt"}


def _value_to_dict(value: Any, unit: str) -> dict[str, Any]:
    if _is_distribution(value):
        return value.to_dict()
    si = to_si(value)
    return {"value": si.tolist() if isinstance(si, np.ndarray) else si, "unit": unit}


def _value_from_dict(d: dict[str, Any]) -> Any:
    from neurosim.network.distributions import RandomDistribution
    from neurosim.units import unit_from_name

    if d.get("kind") == "RandomDistribution":
        return RandomDistribution.from_dict(d)
    value = d["value"]
    return (np.asarray(value, dtype=float) if isinstance(value, list) else value) * \
        unit_from_name(d["unit"])


def _weight_to_dict(w: Any) -> dict[str, Any]:
    return _value_to_dict(w, _KIND_UNIT_NAME[weight_kind(w, "weight", "spec")])


def _weight_from_dict(d: dict[str, Any]) -> Any:
    return _value_from_dict(d)


class AdditiveWeightDependence(_WeightDependence):
    """Additive weight dependence: each event moves the weight by a fixed amount, clipped.

    PyNN ``AdditiveWeightDependence(w_min=0, w_max=1)``; our weights carry units, so the
    defaults are 0 nA and 1 nA (give uS for conductance-based cells).

    ``scale_by_w_max=False`` (sPyNNaker 1!7.4.1): dw = A x in the weight's unit (A = 6 means
    6 nA onto a current-based cell). ``True`` (PyNN on NEST, sPyNNaker <= 6): dw = A w_max x.
    """

    rule: ClassVar[str] = "additive"
    w_min: Quantity = custom(0.0 * nA)
    w_max: Quantity = custom(1.0 * nA)
    scale_by_w_max: bool = custom(False)

    def check(self) -> None:
        super().check()
        if not isinstance(self.scale_by_w_max, bool):
            raise ParameterError("scale_by_w_max", self.scale_by_w_max, "True or False",
                                 "AdditiveWeightDependence")

    def amplitude_scale(self) -> float:
        """The factor (SI) that turns a dimensionless A into a weight change."""
        return float(to_si(self.w_max)) if self.scale_by_w_max else 1e-9 if \
            weight_kind(self.w_max, "w_max", "AdditiveWeightDependence") == "current" else 1e-6


class MultiplicativeWeightDependence(_WeightDependence):
    """Multiplicative (soft-bound) weight dependence, PyNN semantics.

    Potentiation ``A+ (w_max - w) x``, depression ``A- (w - w_min) y``.
    """

    rule: ClassVar[str] = "multiplicative"
    w_min: Quantity = custom(0.0 * nA)
    w_max: Quantity = custom(1.0 * nA)


class Synapse(Params):
    """Base of synapse types: a weight (current or conductance) and a delay."""

    plastic: ClassVar[bool] = False

    def check(self) -> None:
        _check_weight(self.weight, "weight", type(self).__name__)  # type: ignore[attr-defined]
        _check_delay(self.delay, type(self).__name__)  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return weight_kind(self.weight, "weight", type(self).__name__)  # type: ignore[attr-defined]


class StaticSynapse(Synapse):
    """Fixed weight and delay (PyNN ``StaticSynapse``). ``delay=None`` means one time step."""

    weight: Quantity = custom(0.0 * nA)
    delay: Quantity | None = custom(None)

    def to_dict(self) -> dict[str, Any]:
        return _synapse_to_dict(self, {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        return cls(**_synapse_kwargs(data))

    def to_si(self) -> dict[str, Any]:
        return {"weight": to_si(self.weight), "delay": _delay_si(self.delay)}


class STDPMechanism(Synapse):
    """Plastic synapse: timing dependence x weight dependence (PyNN ``STDPMechanism``)."""

    plastic: ClassVar[bool] = True
    timing_dependence: SpikePairRule = custom(SpikePairRule())
    weight_dependence: _WeightDependence = custom(AdditiveWeightDependence())
    weight: Quantity = custom(0.0 * nA)
    delay: Quantity | None = custom(None)

    def check(self) -> None:
        super().check()
        owner = type(self).__name__
        if not isinstance(self.timing_dependence, SpikePairRule):
            raise ParameterError("timing_dependence", self.timing_dependence,
                                 "a SpikePairRule", owner)
        if not isinstance(self.weight_dependence, _WeightDependence):
            raise ParameterError("weight_dependence", self.weight_dependence,
                                 "an AdditiveWeightDependence or MultiplicativeWeightDependence",
                                 owner)
        if weight_kind(self.weight, "weight", owner) != weight_kind(
            self.weight_dependence.w_max, "w_max", owner
        ):
            raise ParameterError("weight", self.weight,
                                 "the same kind of weight (current/conductance) as w_max", owner)

    def to_dict(self) -> dict[str, Any]:
        return _synapse_to_dict(self, {
            "timing_dependence": {"type": "SpikePairRule",
                                  "params": self.timing_dependence.to_dict()},
            "weight_dependence": {"type": type(self.weight_dependence).__name__,
                                  "params": self.weight_dependence.to_dict()},
        })

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        kwargs = _synapse_kwargs(data)
        td = data["timing_dependence"]
        wd = data["weight_dependence"]
        kwargs["timing_dependence"] = SpikePairRule.from_dict(td["params"])
        kwargs["weight_dependence"] = WEIGHT_DEPENDENCES[wd["type"]].from_dict(wd["params"])
        return cls(**kwargs)

    def to_si(self) -> dict[str, Any]:
        out = {"weight": to_si(self.weight), "delay": _delay_si(self.delay)}
        out.update(self.timing_dependence.to_si())
        out.update(self.weight_dependence.to_si())
        return out


class TsodyksMarkramSynapse(Synapse):
    """Short-term depression and facilitation (PyNN ``TsodyksMarkramSynapse``; PyNN's
    defaults U = 0.5, tau_rec = 100 ms, tau_facil = 0 ms, i.e. no facilitation).

    The model of Tsodyks, Uziel & Markram (2000, J Neurosci 20:RC50), as NEST's
    ``tsodyks2_synapse``: between spikes the utilisation u decays to 0 with ``tau_facil``
    and the resources x recover to 1 with ``tau_rec``; a spike first raises u by
    ``U (1 - u)``, then transmits ``weight * u * x`` and uses ``u x`` of the resources. At
    rest (and before the first spike) u = 0 and x = 1, so the first spike transmits
    ``U * weight``. For a regular train with interval T the transmitted efficacy tends to
    ``weight * u* x*`` with ``u* = U / (1 - (1 - U) exp(-T/tau_facil))`` and
    ``x* = (1 - exp(-T/tau_rec)) / (1 - (1 - u*) exp(-T/tau_rec))``.
    """

    weight: Quantity = custom(0.0 * nA)
    delay: Quantity | None = custom(None)
    U: float = number(0.5, low=0.0, high=1.0, low_open=True)
    tau_rec: Quantity = quantity(100.0 * ms, ms, low=0 * ms, low_open=True)
    tau_facil: Quantity = quantity(0.0 * ms, ms, low=0 * ms)

    def to_dict(self) -> dict[str, Any]:
        return _synapse_to_dict(self, {"U": self.U, "tau_rec": to_si(self.tau_rec),
                                       "tau_facil": to_si(self.tau_facil)})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        return cls(**_synapse_kwargs(data), U=data["U"], tau_rec=data["tau_rec"] * second,
                   tau_facil=data["tau_facil"] * second)

    def to_si(self) -> dict[str, Any]:
        return {"weight": to_si(self.weight), "delay": _delay_si(self.delay), "U": self.U,
                "tau_rec": to_si(self.tau_rec), "tau_facil": to_si(self.tau_facil)}

    def steady_state(self, interval_s: float) -> float:
        """The efficacy ``u* x*`` (times the weight) of a regular train with this interval."""
        import math

        f = math.exp(-interval_s / to_si(self.tau_facil)) if to_si(self.tau_facil) > 0 else 0.0
        r = math.exp(-interval_s / to_si(self.tau_rec))
        u = self.U / (1 - (1 - self.U) * f)
        return u * (1 - r) / (1 - (1 - u) * r)


def _delay_si(delay: Quantity | None) -> float | None:
    return None if delay is None else to_si(delay)


def _synapse_to_dict(syn: Synapse, extra: dict[str, Any]) -> dict[str, Any]:
    out = {
        "weight": _weight_to_dict(syn.weight),  # type: ignore[attr-defined]
        "delay": None if syn.delay is None else _value_to_dict(syn.delay, "second"),  # type: ignore[attr-defined]
    }
    out.update(extra)
    return out


def _synapse_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "weight": _weight_from_dict(data["weight"]),
        "delay": None if data["delay"] is None else _value_from_dict(data["delay"]),
    }


WEIGHT_DEPENDENCES = {
    c.__name__: c for c in (AdditiveWeightDependence, MultiplicativeWeightDependence)
}
SYNAPSE_TYPES = {c.__name__: c for c in (StaticSynapse, STDPMechanism, TsodyksMarkramSynapse)}

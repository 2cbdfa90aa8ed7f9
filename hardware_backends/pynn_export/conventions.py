"""Backend conventions: where a PyNN backend departs from the conventions of a plan.

The plan carries our conventions, which are sPyNNaker 1!7.4.1's (docs/decisions.md 1-4):
weights are positive and the receptor gives the sign; an additive STDP amplitude is a weight
change in nA (or uS); a delay is the hop latency. Where a PyNN backend differs, the
difference is applied when building (:class:`BackendConventions`): NEST and Brian2 multiply
A by w_max and want negative current-based inhibitory weights, pyNN.brian2 only has axonal
STDP delays and no multiplicative rule. See docs/spinnaker.md for the timing of pyNN.brian2
(every hop one step later than ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.hardware_backends.pynn_export.plan import ProjectionPlan, PyNNPlan


@dataclass(frozen=True)
class BackendConventions:
    """Where a PyNN backend departs from the conventions of a :class:`PyNNPlan`.

    Parameters
    ----------
    name
        The PyNN module's name ("pyNN.spiNNaker").
    stdp_amplitude
        "weight": A_plus/A_minus of the additive rule are weight changes in nA/uS (sPyNNaker
        1!7.4.1, ``weight_dependence_additive.py``); "w_max": the backend multiplies them by
        w_max (PyNN's NEST and Brian2 backends), so they are exported as A / w_max.
    inhibitory_current_sign
        +1: inhibitory weights are positive (sPyNNaker takes ``abs(weight)`` and the
        receptor's sign); -1: current-based inhibitory synapses need negative weights (PyNN's
        NEST and Brian2 backends add the weight to the current).
    dendritic_delay_fraction
        Passed to ``STDPMechanism``; ``None`` leaves the backend's default. sPyNNaker
        accepts only 1.0 (the post spike seen ``d`` later, our semantics); pyNN.brian2 only 0.
    multiplicative_stdp
        Whether ``MultiplicativeWeightDependence`` is implemented (pyNN.brian2 runs its
        additive equations whatever the weight dependence, so it is refused there).
    record_names
        Our probe variable -> the backend's recordable name, where they differ.
    """

    name: str
    stdp_amplitude: str = "w_max"
    inhibitory_current_sign: float = -1.0
    dendritic_delay_fraction: float | None = None
    multiplicative_stdp: bool = True
    record_names: tuple[tuple[str, str], ...] = ()

    def record_name(self, variable: str) -> str:
        return dict(self.record_names).get(variable, variable)


#: Known PyNN backends. Others get PyNN's reference conventions (NEST's).
CONVENTIONS: dict[str, BackendConventions] = {
    "pyNN.spiNNaker": BackendConventions(
        "pyNN.spiNNaker", stdp_amplitude="weight", inhibitory_current_sign=1.0,
        dendritic_delay_fraction=None,
        # sPyNNaker records a current-based cell's synaptic input as "gsyn_exc"/"gsyn_inh"
        # (in nA, although its metadata says uS).
        record_names=(("isyn_exc", "gsyn_exc"), ("isyn_inh", "gsyn_inh"))),
    "pyNN.brian2": BackendConventions(
        "pyNN.brian2", stdp_amplitude="w_max", inhibitory_current_sign=-1.0,
        dendritic_delay_fraction=0.0, multiplicative_stdp=False),
    "pyNN.nest": BackendConventions(
        "pyNN.nest", stdp_amplitude="w_max", inhibitory_current_sign=-1.0,
        dendritic_delay_fraction=1.0),
}


def conventions_for(sim: ModuleType | str) -> BackendConventions:
    """The conventions of a PyNN module (or module name); unknown ones get NEST's.

    A backend module may declare its own with a ``NEUROSIM_CONVENTIONS`` attribute (a
    :class:`BackendConventions`), as our crossbar backend will.
    """
    own = getattr(sim, "NEUROSIM_CONVENTIONS", None)
    if isinstance(own, BackendConventions):
        return own
    name = sim if isinstance(sim, str) else sim.__name__
    return CONVENTIONS.get(name, BackendConventions(name))


def stdp_amplitudes(p: ProjectionPlan, conv: BackendConventions) -> tuple[float, float]:
    """A_plus, A_minus as ``conv``'s backend wants them (see :class:`BackendConventions`)."""
    assert p.stdp is not None
    a_plus, a_minus = p.stdp["A_plus"], p.stdp["A_minus"]
    if p.stdp["rule"] == "additive" and conv.stdp_amplitude == "w_max":
        if p.stdp["w_max"] == 0:
            raise ParameterError("w_max", p.stdp["w_max"], f"> 0 on {conv.name}, which "
                                 "multiplies A by w_max", f"projection {p.label!r}")
        return a_plus / p.stdp["w_max"], a_minus / p.stdp["w_max"]
    return a_plus, a_minus


def _check_backend(plan: PyNNPlan, conv: BackendConventions, cell_recordable: dict[str, Any]
                   ) -> None:
    for p in plan.projections:
        if p.stdp is None:
            continue
        if p.stdp["rule"] == "multiplicative" and not conv.multiplicative_stdp:
            raise UnsupportedFeature(f"MultiplicativeWeightDependence (projection {p.label!r})",
                                     conv.name, "AdditiveWeightDependence")
        if (p.receptor == "inhibitory" and p.weight_kind == "current"
                and conv.inhibitory_current_sign < 0):
            raise UnsupportedFeature(
                f"plastic inhibitory current-based synapses (projection {p.label!r}: the "
                "backend needs negative weights and bounds)", conv.name, "pyNN.spiNNaker")
    for g in plan.groups:
        for variable, _ in g.record:
            if variable == "spikes":
                continue
            name = conv.record_name(variable)
            allowed = cell_recordable.get(g.cell)
            if allowed is not None and name not in allowed:
                raise UnsupportedFeature(
                    f"recording {variable!r} of {g.cell} (population {g.label!r})", conv.name,
                    f"one of {sorted(allowed)}, e.g. spec.replace(probes=...)")

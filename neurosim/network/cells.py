"""Standard cell types, named and parametrised as in PyNN.

Names, parameter names and defaults follow PyNN's standard models
(``pyNN/standardmodels/cells.py``), so a spec maps one to one onto any PyNN backend.
"""

from __future__ import annotations

from typing import ClassVar

from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, quantity
from neurosim.units import ms, mV, nA, nF, uS

__all__ = ["CELL_TYPES", "IF_cond_exp", "IF_curr_exp", "StandardCell"]

_POS_TIME = {"low": 0 * ms, "low_open": True}


class StandardCell(Params):
    """Base of the standard leaky integrate-and-fire cell types: their shared parameters,
    with PyNN's names and defaults."""

    #: "current" (weights in nA) or "conductance" (weights in uS).
    synapse_kind: ClassVar[str] = "current"
    #: State variables that can be probed besides "spikes".
    recordable: ClassVar[tuple[str, ...]] = ("v",)

    cm: Quantity = quantity(1.0 * nF, nF, low=0 * nF, low_open=True)
    tau_m: Quantity = quantity(20.0 * ms, ms, **_POS_TIME)
    tau_refrac: Quantity = quantity(0.1 * ms, ms, low=0 * ms)
    tau_syn_E: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)
    tau_syn_I: Quantity = quantity(5.0 * ms, ms, **_POS_TIME)
    i_offset: Quantity = quantity(0.0 * nA, nA)
    v_reset: Quantity = quantity(-65.0 * mV, mV)
    v_rest: Quantity = quantity(-65.0 * mV, mV)
    v_thresh: Quantity = quantity(-50.0 * mV, mV)

    def check(self) -> None:
        if self.v_reset >= self.v_thresh:
            raise ParameterError("v_reset", self.v_reset, f"below v_thresh ({self.v_thresh})",
                                 type(self).__name__)


class IF_curr_exp(StandardCell):  # PyNN's name
    """Leaky integrate-and-fire neuron with exponentially decaying current synapses.

    PyNN ``IF_curr_exp``; defaults are PyNN's.
    ``cm dv/dt = cm (v_rest - v)/tau_m + i_syn_exc - i_syn_inh + i_offset``,
    ``d i_syn_X/dt = -i_syn_X/tau_syn_X``; a spike of weight w adds w to ``i_syn_X``.
    """

    synapse_kind: ClassVar[str] = "current"
    recordable: ClassVar[tuple[str, ...]] = ("v", "isyn_exc", "isyn_inh")


class IF_cond_exp(StandardCell):  # PyNN's name
    """Leaky integrate-and-fire neuron with exponentially decaying conductance synapses.

    PyNN ``IF_cond_exp``; defaults are PyNN's.
    ``cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) + i_offset``.
    """

    synapse_kind: ClassVar[str] = "conductance"
    recordable: ClassVar[tuple[str, ...]] = ("v", "gsyn_exc", "gsyn_inh")

    e_rev_E: Quantity = quantity(0.0 * mV, mV)
    e_rev_I: Quantity = quantity(-70.0 * mV, mV)


CELL_TYPES: dict[str, type[StandardCell]] = {c.__name__: c for c in (IF_curr_exp, IF_cond_exp)}

#: Unit of a synaptic weight onto each kind of cell.
WEIGHT_UNITS = {"current": nA, "conductance": uS}

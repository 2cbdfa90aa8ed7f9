"""Replay a NetworkSpec on any PyNN backend, or write it out as a standalone PyNN script.

A spec is translated once into a :class:`PyNNPlan` (``plan``): PyNN's names and PyNN's units
(one table, :data:`PYNN_UNITS`, in ``units``), spike times on the time grid, and the synapses
our engines would build for the same seed. :func:`to_pynn` (``replay``) builds the plan with a
PyNN module passed in (``pyNN.brian2``, ``pyNN.spiNNaker``, ``pyNN.nest``, a crossbar backend
later) and returns the handles; :func:`export_script` (``script``) renders the same plan as a
readable script a user can take to an EBRAINS or SpiNNaker job.

The plan carries our conventions, which are sPyNNaker 1!7.4.1's (docs/decisions.md 1-4);
where a PyNN backend differs, the difference is applied when building
(:class:`BackendConventions`, in ``conventions``). :func:`add_spike_times` (a
:mod:`neurosim.network` function, re-exported) writes input into a spike source before
deploying.

Examples
--------
>>> import pyNN.brian2 as sim                                  # doctest: +SKIP
>>> net = to_pynn(spec, sim, timestep=0.1 * ms, seed=1)        # doctest: +SKIP
>>> net.run(50 * ms); net.spikes("cells"); net.end()           # doctest: +SKIP
>>> export_script(spec, "net.py", timestep=1 * ms, duration=1000 * ms)  # doctest: +SKIP
"""

# The public API (__all__), and with "X as X" the other public names of the former single
# module, pynn_export.py, still importable from here (the tests import stdp_amplitudes).
from neurosim.hardware_backends.pynn_export.conventions import (
    CONVENTIONS,
    BackendConventions,
    conventions_for,
)
from neurosim.hardware_backends.pynn_export.conventions import stdp_amplitudes as stdp_amplitudes
from neurosim.hardware_backends.pynn_export.plan import CONNECTIVITY as CONNECTIVITY
from neurosim.hardware_backends.pynn_export.plan import STANDARD_CELLS as STANDARD_CELLS
from neurosim.hardware_backends.pynn_export.plan import ConnectorPlan as ConnectorPlan
from neurosim.hardware_backends.pynn_export.plan import GroupPlan as GroupPlan
from neurosim.hardware_backends.pynn_export.plan import ProjectionPlan as ProjectionPlan
from neurosim.hardware_backends.pynn_export.plan import PyNNPlan, pynn_plan
from neurosim.hardware_backends.pynn_export.replay import PyNNNetwork, to_pynn
from neurosim.hardware_backends.pynn_export.script import INLINE_LIMIT as INLINE_LIMIT
from neurosim.hardware_backends.pynn_export.script import export_script, load_script_output
from neurosim.network import add_spike_times
from neurosim.pynn_units import PYNN_UNITS, from_pynn_units, to_pynn_units

__all__ = [
    "CONVENTIONS",
    "PYNN_UNITS",
    "BackendConventions",
    "PyNNNetwork",
    "PyNNPlan",
    "add_spike_times",
    "conventions_for",
    "export_script",
    "from_pynn_units",
    "load_script_output",
    "pynn_plan",
    "to_pynn",
    "to_pynn_units",
]

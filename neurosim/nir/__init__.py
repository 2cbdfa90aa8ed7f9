"""NIR (Neuromorphic Intermediate Representation, the ``nir`` package; extra ``nir``) graphs
in and out: :func:`from_nir` builds a :class:`~neurosim.network.NetworkSpec` from a graph
that snnTorch, Norse, Sinabs, Lava-DL... wrote, so it runs on our engines, the SpiNNaker
emulator and the crossbar; :func:`to_nir` writes a spec as a graph.

:mod:`neurosim.nir.conventions` states the units, the cell each primitive becomes and the
discretisation. See docs/nir.md and notebooks/nir_bridge.ipynb.
"""

from neurosim.nir.conventions import NEURON_PRIMITIVES
from neurosim.nir.reading import from_nir
from neurosim.nir.writing import to_nir

__all__ = ["NEURON_PRIMITIVES", "from_nir", "to_nir"]

"""neurosim: neuromorphic spiking and Hebbian models on Brian2 and Numba, deployable via PyNN.

Quick start::

    from neurosim.models import CA3Memory
    mem = CA3Memory(n_cues=5, n_content=10, seed=0)
    mem.learn(cue=0, content={0, 1, 8, 9})
    mem.recall_by_cue(0)        # frozenset({0, 1, 8, 9})
"""

import neurosim.brian2_logging  # noqa: F401  (records the excepthook before Brian2's)
from neurosim._version import __version__
from neurosim.config import configure_numba_cache
from neurosim.errors import (
    EngineUnavailable,
    NeurosimError,
    ParameterError,
    SpecError,
    UnsupportedFeature,
)

configure_numba_cache()  # before any kernel module imports numba

__all__ = [
    "EngineUnavailable",
    "NeurosimError",
    "ParameterError",
    "SpecError",
    "UnsupportedFeature",
    "__version__",
    "compare",
]


def __getattr__(name: str):
    # neurosim.compare(...) without importing the engines at `import neurosim`
    if name == "compare":
        from neurosim.comparison import compare

        return compare
    raise AttributeError(f"module 'neurosim' has no attribute {name!r}")

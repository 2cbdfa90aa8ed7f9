"""``neurosim.pynn``: a PyNN backend over neurosim's engines (Numba by default).

``import neurosim.pynn as sim`` runs a PyNN script; laid out like ``pyNN.mock``. Scripts
written for ``pyNN.utility.get_simulator`` select it with ``python script.py neurosim``
once :func:`register` has made it ``pyNN.neurosim`` (docs/pynn.md).
"""

import sys

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *  # noqa: F403
from pyNN.network import Network  # noqa: F401
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import *  # noqa: F403
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from neurosim.pynn import core  # noqa: F401  (the run core: State.network_class)
from neurosim.pynn.control import (  # noqa: F401
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_time_step,
    initialize,
    num_processes,
    rank,
    reset,
    run,
    run_for,
    run_until,
    setup,
)
from neurosim.pynn.populations import Assembly, Population, PopulationView  # noqa: F401
from neurosim.pynn.procedural_api import (  # noqa: F401
    connect,
    create,
    record,
    record_gsyn,
    record_v,
)
from neurosim.pynn.projections import Projection  # noqa: F401
from neurosim.pynn.standardmodels import *  # noqa: F403


def list_standard_models() -> list[str]:
    """The StandardCellType classes this backend has."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)]


def register() -> None:
    """Make this module importable as ``pyNN.neurosim`` (for ``pyNN.utility.get_simulator``,
    which imports ``pyNN.<name>``)."""
    sys.modules.setdefault("pyNN.neurosim", sys.modules[__name__])

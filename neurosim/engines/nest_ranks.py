"""What each MPI rank does when the nest engine runs under ``mpirun``/``srun``.

NEST distributes neurons over MPI processes (ranks). Every rank runs the same script:

* **create and connect**: every rank makes the same calls (NEST's ``Create``/``Connect`` are
  collective; each rank keeps its own neurons and their incoming synapses). Our lowering
  draws connectivity, initial values and Poisson spikes from the root seed, so every rank
  computes the same spec-wide arrays without any communication;
* **set**: setting values on a whole node collection (spike times, ``I_e``) is done by
  every rank; NEST applies each value on the rank that holds the node;
* **record**: a recorder on rank r sees only rank r's neurons, and ``GetConnections`` only
  rank r's synapses;
* **gather**: so results are gathered (an ``allgather`` of each rank's arrays) and every
  rank returns the whole network's data, in one order (by step, then neuron). Files,
  plots and progress are written by rank 0 only (:attr:`Ranks.is_root`).

Without MPI (NEST's pip wheel) there is one rank and gathering returns its arrays as they
are. The logic is tested without MPI with a stand-in communicator
(tests/engines/test_nest_ranks.py).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from neurosim.errors import EngineUnavailable

__all__ = ["Communicator", "Ranks", "SingleProcess"]


class Communicator(Protocol):
    """The part of ``mpi4py.MPI.Comm`` we use."""

    def Get_rank(self) -> int: ...  # mpi4py's names

    def Get_size(self) -> int: ...

    def allgather(self, obj: Any) -> list[Any]: ...


class SingleProcess:
    """The communicator of a run without MPI: one rank."""

    def Get_rank(self) -> int:  # mpi4py's name
        return 0

    def Get_size(self) -> int:
        return 1

    def allgather(self, obj: Any) -> list[Any]:
        return [obj]


class Ranks:
    """The MPI ranks of a NEST run.

    Parameters
    ----------
    n_processes
        NEST's number of MPI processes (``nest.NumProcesses()``).
    comm
        A communicator; by default mpi4py's ``COMM_WORLD`` when ``n_processes > 1``
        (EngineUnavailable naming mpi4py when it is missing), else :class:`SingleProcess`.
    """

    def __init__(self, n_processes: int = 1, comm: Communicator | None = None):
        if comm is None:
            comm = SingleProcess() if n_processes <= 1 else _world()
        if comm.Get_size() != n_processes:
            raise EngineUnavailable(
                f"NEST runs on {n_processes} MPI processes but the communicator has "
                f"{comm.Get_size()}: start the script with mpirun/srun and the same count")
        self.comm = comm
        self.rank = int(comm.Get_rank())
        self.size = int(comm.Get_size())

    @property
    def is_root(self) -> bool:
        """Whether this rank writes files and prints (rank 0)."""
        return self.rank == 0

    def gather(self, local: dict[str, Any]) -> dict[str, np.ndarray]:
        """Each rank's arrays (recorder events, connection data) joined in rank order; every
        rank gets the whole. Keys are those of the local dicts; scalars count as length 1."""
        parts = self.comm.allgather({k: np.atleast_1d(np.asarray(v)) for k, v in local.items()})
        keys = sorted(set().union(*(p.keys() for p in parts)))
        out = {}
        for k in keys:
            chunks = [p[k] for p in parts if k in p and len(p[k])]
            out[k] = np.concatenate(chunks) if chunks else np.zeros(0)
        return out


def _world() -> Communicator:
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise EngineUnavailable(
            "NEST runs on several MPI processes: gathering their results needs mpi4py "
            f"(pip install mpi4py, built against the MPI NEST uses) ({err})") from None
    return MPI.COMM_WORLD

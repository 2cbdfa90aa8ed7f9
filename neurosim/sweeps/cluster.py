"""Dask executors: a LocalCluster, a running scheduler, or any Dask cluster object.

``run_sweep`` takes any :class:`concurrent.futures.Executor`; Dask provides one with
``distributed.Client.get_executor()``. This module opens and closes the client (and the
cluster it created) around a sweep. ``distributed`` is an optional dependency
(``pip install neurosim[dask]``) imported only here, when used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from neurosim.errors import EngineUnavailable, ParameterError

__all__ = ["dask_executor", "default_workers"]

_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "inproc://", "ucx://")


def default_workers() -> int:
    """The cores this process may use (the CPU affinity mask, e.g. a SLURM allocation)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@contextmanager
def dask_executor(
    address: Any = "local",
    workers: int | None = None,
    *,
    threads_per_worker: int = 1,
    **cluster_kwargs: Any,
) -> Iterator[Executor]:
    """A :class:`concurrent.futures.Executor` running on Dask, closed on exit.

    Parameters
    ----------
    address
        ``"local"`` (or None): start a :class:`distributed.LocalCluster` of ``workers``
        processes with ``threads_per_worker`` threads each, closed on exit. A scheduler
        address (``"tcp://host:8786"``): connect to a running cluster, which is left running.
        A cluster object (``dask_jobqueue.SLURMCluster(...)``, ``LocalCluster``): connect to it
        (it is not closed: its owner closes it). A ``distributed.Client``: use it as it is.
    workers
        LocalCluster: number of worker processes (default: the cores available). A remote
        cluster: wait until at least this many workers have joined.
    threads_per_worker
        LocalCluster threads per worker. Keep 1 for simulations that hold the GIL.
    **cluster_kwargs
        Passed to ``LocalCluster`` (``memory_limit``, ``local_directory``,
        ``dashboard_address`` -- the dashboard is off unless given).

    Yields
    ------
    concurrent.futures.Executor
        ``client.get_executor(pure=False)``: every submission is a new task (Dask would
        otherwise hash the arguments to name it).

    Examples
    --------
    >>> with dask_executor("local", workers=4) as ex:          # doctest: +SKIP
    ...     run_sweep(fn, grid, "sweep.sqlite", executor=ex)
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise EngineUnavailable(
            "Dask executors need the 'distributed' package: pip install 'neurosim[dask]'"
        ) from err
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ParameterError("workers", workers, "an int >= 1 or None", "dask_executor")
    if isinstance(threads_per_worker, bool) or not isinstance(threads_per_worker, int) or (
            threads_per_worker < 1):
        raise ParameterError("threads_per_worker", threads_per_worker, "an int >= 1",
                             "dask_executor")

    cluster = None
    own_client = True
    if address is None or address == "local":
        cluster_kwargs.setdefault("dashboard_address", None)
        cluster = LocalCluster(n_workers=workers or default_workers(),
                               threads_per_worker=threads_per_worker, processes=True,
                               **cluster_kwargs)
        client = Client(cluster)
    elif isinstance(address, Client):
        client, own_client = address, False
    elif isinstance(address, str):
        if not address.startswith(_SCHEMES) and address.count(":") != 1:
            raise ParameterError("address", address,
                                 "'local' or a scheduler address such as tcp://host:8786",
                                 "dask_executor")
        client = Client(address)
    elif hasattr(address, "scheduler_address"):
        client = Client(address)  # a cluster object: SLURMCluster, LocalCluster...
    else:
        raise ParameterError("address", address, "'local', a scheduler address, a Dask "
                             "cluster or a distributed.Client", "dask_executor")
    try:
        if workers is not None and cluster is None:
            client.wait_for_workers(workers)
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()

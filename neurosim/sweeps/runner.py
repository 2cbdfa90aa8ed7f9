"""Run a sweep on any executor, storing each point as it finishes.

The sweep function runs in workers; everything else (skipping what is stored, encoding the
results, writing them) happens in the calling process, one SQLite transaction per point, so
the store has a single writer and a killed sweep loses only the points that were running.

Process pools use the ``forkserver`` start method (``spawn`` where there is none): the calling
process may hold threads (tqdm's monitor, a Dask client, Numba's OpenMP/TBB pool, BLAS) that
``fork`` would copy in a locked state; forkserver forks workers from a clean single-threaded
server, and is Python's default from 3.14. Its cost: the function must be importable (a
module-level function, pickled by reference) and each worker imports it once.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import multiprocessing.util
import os
import pickle
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError, ParameterError
from neurosim.provenance import git_hash, package_versions
from neurosim.sweeps.cluster import dask_executor, default_workers
from neurosim.sweeps.grid import RESERVED, ParameterGrid, SweepPoint
from neurosim.sweeps.store import PointRecord, ResultStore, encode_result, sweep_key

__all__ = ["PointFailure", "SweepError", "SweepResult", "run_sweep"]

SweepFunction = Callable[[dict[str, Any], np.random.Generator], Mapping[str, Any]]



@dataclass(frozen=True)
class PointFailure:
    """A point whose function raised (nothing was stored for it)."""

    index: int
    repeat: int
    params: dict[str, Any]
    error: BaseException
    traceback: str


@dataclass
class SweepResult:
    """The outcome of :func:`run_sweep`: counts, and the stored results.

    Attributes
    ----------
    key
        The sweep's identity in the store.
    fn
        The function's qualified name.
    grid
        The grid swept.
    store
        The store holding the results (left open; ``close()`` closes it).
    computed
        Points computed and stored by this call.
    skipped
        Points already in the store before this call.
    failures
        Points whose function raised in this call.
    """

    key: str
    fn: str
    grid: ParameterGrid
    store: ResultStore
    computed: int
    skipped: int
    failures: tuple[PointFailure, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Whether every point and repeat of the grid is stored."""
        return len(self.store.completed(self.key)) == len(self.grid)

    def rows(self) -> list[dict[str, Any]]:
        """The stored points, by index then repeat (see :meth:`ResultStore.rows`)."""
        return self.store.rows(self.key)

    def to_xarray(self):
        """The results as an ``xarray.Dataset`` (see :meth:`ResultStore.to_xarray`)."""
        return self.store.to_xarray(self.key)

    def close(self) -> None:
        """Close the store."""
        self.store.close()


class SweepError(NeurosimError):
    """Some points of a sweep raised; the others are stored and the sweep can be rerun.

    Attributes
    ----------
    failures
        One :class:`PointFailure` per failed point.
    result
        The :class:`SweepResult` of the points that finished.
    """

    def __init__(self, failures: tuple[PointFailure, ...], result: SweepResult) -> None:
        self.failures = failures
        self.result = result
        first = failures[0]
        params = ", ".join(f"{k}={v}" for k, v in first.params.items())
        super().__init__(
            f"{len(failures)} point(s) of sweep {result.fn} ({result.key}) raised; nothing was "
            f"stored for them. {result.computed} point(s) finished in this run and are stored "
            f"in {result.store.path}; run the sweep again to retry only the missing ones.\n"
            f"First failure: point {first.index}, repeat {first.repeat} ({params}):\n"
            f"{first.traceback}"
        )


# -- in the worker ----------------------------------------------------------------------------
def _run_point(fn: SweepFunction, params: dict[str, Any], seed: int
               ) -> tuple[Any, float, dict[str, str], str | None]:
    """Call ``fn`` for one point (in a worker); return its result, time and provenance."""
    _tidy_at_exit()
    start = time.perf_counter()
    result = fn(params, np.random.default_rng(seed))
    elapsed = time.perf_counter() - start
    versions, git = _provenance()
    return result, elapsed, versions, git


def _provenance() -> tuple[dict[str, str], str | None]:
    """Package versions and neurosim's git commit (each looked up once per process)."""
    return dict(package_versions()), git_hash()


_TIDY_REGISTERED = False


def _tidy_at_exit() -> None:
    """In a worker process, once: remove Brian2's temporary files when the process exits.

    Brian2 writes a debug log and a copy of the main script to the temp folder on import and
    deletes them in an atexit handler; multiprocessing workers (process pools, Dask) leave
    through ``os._exit``, which skips atexit, but run multiprocessing's finalizers.
    """
    global _TIDY_REGISTERED
    if _TIDY_REGISTERED or multiprocessing.parent_process() is None:
        return  # the main process runs Brian2's own atexit handler
    multiprocessing.util.Finalize(None, _remove_brian_files, exitpriority=0)
    _TIDY_REGISTERED = True


def _remove_brian_files() -> None:
    logger = sys.modules.get("brian2.utils.logger")
    # Only files this process created (a forked child inherits its parent's file names).
    if logger is not None and getattr(logger.BrianLogger, "_pid", None) == os.getpid():
        logger.clean_up_logging()


def _worker_init(sweep_pid: int) -> None:
    """Process-pool initializer. A worker steps its networks on one thread: the pool already
    has a process per core (the Numba engine's default threads follow this setting)."""
    import numba

    numba.set_num_threads(1)
    _tidy_at_exit()
    _exit_with_parent(sweep_pid)


def _exit_with_parent(sweep_pid: int) -> None:
    """Process-pool initializer: leave when the sweep process dies.

    A worker of a killed sweep would otherwise finish its task and then wait forever on its
    queue. With fork or spawn the sweep process is the worker's parent, and the parent pid
    changes when it dies; with forkserver the parent is the fork server, which outlives the
    sweep as long as its workers do, so the sweep's own pid is watched too.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and _alive(sweep_pid):
            time.sleep(0.5)
        _remove_brian_files()
        os._exit(1)

    threading.Thread(target=watch, name="sweep-orphan-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the pid now belongs to another user's process
        return False
    try:
        # A killed process stays a zombie until its parent reaps it: dead all the same.
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _process_pool(workers: int, fn: Callable[..., Any] | None = None
                  ) -> cf.ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        # The fork server imports these once and forks every worker from itself, so workers
        # start with neurosim (Brian2's units: ~1 s) and fn's module already loaded. It only
        # takes effect when this process starts its fork server (the first pool).
        module = getattr(fn, "__module__", None)
        preload = ["neurosim"] + ([module] if module and module != "__main__" else [])
        ctx.set_forkserver_preload(preload)
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                  initializer=_worker_init, initargs=(os.getpid(),))


# -- in the calling process -------------------------------------------------------------------
def qualified_name(fn: Callable[..., Any]) -> str:
    """``module.qualname`` of a function, the default name of its sweep."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not module or not qualname:
        raise ParameterError("name", None, "given: fn has no qualified name (a partial or a "
                             "callable object); name the sweep with name=", "run_sweep")
    return f"{module}.{qualname}"


def _open_store(store: ResultStore | str | os.PathLike[str] | None) -> ResultStore:
    if store is None:
        return ResultStore(":memory:")
    if isinstance(store, ResultStore):
        return store
    if isinstance(store, str | os.PathLike):
        return ResultStore(store)
    raise ParameterError("store", store, "None, a path or a ResultStore", "run_sweep")


def run_sweep(
    fn: SweepFunction,
    grid: ParameterGrid | Mapping[str, Any],
    store: ResultStore | str | os.PathLike[str] | None = None,
    *,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    dask: Any = None,
    progress: bool = True,
    name: str | None = None,
    max_pending: int | None = None,
) -> SweepResult:
    """Run ``fn`` at every point of ``grid`` not yet in ``store``.

    Parameters
    ----------
    fn
        ``fn(params: dict, rng: numpy.random.Generator) -> dict``: a module-level function
        (process pools pickle it by reference). ``params`` holds the fixed values and the
        point's axis values, with units where the axis has one; ``rng`` is
        ``numpy.random.default_rng(point.seed)``. It returns ``{name: value}`` with scalars
        (numbers, bools, strings, None, quantities) and arrays.
    grid
        A :class:`ParameterGrid` (or a dict of axes: one repeat, seed 0).
    store
        A :class:`ResultStore`, a path to one (created if missing), or None for an in-memory
        store (nothing resumable). Points stored by an earlier run of the same sweep are
        skipped: a killed sweep resumes where it stopped.
    executor
        Any :class:`concurrent.futures.Executor` (not shut down here), e.g.
        ``distributed.Client(...).get_executor()``.
    workers
        Without ``executor``: the number of processes (default: the cores available); ``1``
        runs the points one after the other in this process (no pickling, easy to debug).
        With ``dask="local"``: the LocalCluster's worker processes.
    dask
        ``"local"``, a scheduler address (``"tcp://host:8786"``), a Dask cluster object or a
        ``Client``: run on Dask through :func:`dask_executor`.
    progress
        Show a tqdm progress bar (on stderr).
    name
        The name of the sweep in the store (default: ``fn``'s ``module.qualname``); part of
        the sweep's identity with the grid.
    max_pending
        Points submitted ahead of completion (default: twice the workers, 10000 for an
        executor of unknown size); bounds memory for very large grids.

    Returns
    -------
    SweepResult
        Counts, and access to all stored points of the sweep (``rows()``, ``to_xarray()``).

    Raises
    ------
    SweepError
        After all other points have finished and been stored, if some points raised; it
        carries the failures and the :class:`SweepResult`.
    ParameterError
        Bad arguments (the function is not picklable for a process pool, workers < 1, both
        ``executor`` and ``dask``...).

    Notes
    -----
    The results do not depend on the executor, the number of workers or the completion
    order: each point's seed derives from the root seed and its (index, repeat) only
    (:meth:`ParameterGrid.seed_for`), and rows are read back ordered by (index, repeat).
    """
    if not isinstance(grid, ParameterGrid):
        if not isinstance(grid, Mapping):
            raise ParameterError("grid", grid, "a ParameterGrid or a dict of axes", "run_sweep")
        grid = ParameterGrid(grid)
    if not callable(fn):
        raise ParameterError("fn", fn, "a function fn(params, rng) -> dict", "run_sweep")
    if executor is not None and dask is not None:
        raise ParameterError("dask", dask, "None when an executor is given", "run_sweep")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ParameterError("workers", workers, "an int >= 1 or None", "run_sweep")
    if max_pending is not None and (not isinstance(max_pending, int) or max_pending < 1):
        raise ParameterError("max_pending", max_pending, "an int >= 1 or None", "run_sweep")
    fn_name = name if name is not None else qualified_name(fn)
    if executor is None and dask is None and (workers or default_workers()) > 1:
        _check_picklable(fn)  # before anything is written

    store = _open_store(store)
    key = sweep_key(fn_name, grid)
    store.register(key, fn_name, grid)
    done = store.completed(key)
    todo = [p for p in grid if (p.index, p.repeat) not in done]
    run = _Run(fn, fn_name, grid, key, store, len(done), progress)
    try:
        if not todo:
            pass  # a finished sweep: start no executor, compute nothing
        elif executor is not None:
            size = getattr(executor, "_max_workers", None)
            run.on(executor, todo, max_pending or (2 * size if size else 10_000))
        elif dask is not None:
            local = isinstance(dask, str) and dask == "local"
            with dask_executor(dask, workers) as ex:
                # A remote cluster's size is unknown (and may grow): keep plenty queued.
                window = 2 * (workers or default_workers()) if local else 10_000
                run.on(ex, todo, max_pending or window)
        else:
            n = min(workers or default_workers(), len(todo))
            if n == 1:
                run.serially(todo)
            else:
                pool = _process_pool(n, fn)
                try:
                    run.on(pool, todo, max_pending or 2 * n)
                except BaseException:
                    # Interrupted (Ctrl-C, a store error): drop what has not started.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
                pool.shutdown(wait=True)
    finally:
        run.close()
    result = SweepResult(key, fn_name, grid, store, run.computed, len(done),
                         tuple(run.failures))
    if run.failures:
        raise SweepError(result.failures, result)
    return result


def _check_picklable(fn: Callable[..., Any]) -> None:
    try:
        pickle.dumps(fn)
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        raise ParameterError(
            "fn", fn, "a module-level function: worker processes import it by name "
            f"({err})", "run_sweep") from None


class _Run:
    """The bookkeeping of one run_sweep call: write results, count, collect failures."""

    def __init__(self, fn: SweepFunction, fn_name: str, grid: ParameterGrid, key: str,
                 store: ResultStore, n_done: int, progress: bool) -> None:
        from tqdm.auto import tqdm

        self.fn, self.fn_name, self.grid, self.key, self.store = fn, fn_name, grid, key, store
        self.computed = 0
        self.failures: list[PointFailure] = []
        self.reserved = set(grid.names) | RESERVED
        self.bar = tqdm(total=len(grid), initial=n_done, disable=not progress, unit="pt",
                        desc=fn_name.rsplit(".", 1)[-1], smoothing=0.1)

    def close(self) -> None:
        self.bar.close()

    def serially(self, todo: list[SweepPoint]) -> None:
        for point in todo:
            try:
                # A copy, as a worker process would get: fn may not alter the grid's values.
                outcome = _run_point(self.fn, copy.deepcopy(point.params), point.seed)
            except Exception as err:
                self._failed(point, err)
                continue
            self._finished(point, outcome)

    def on(self, executor: cf.Executor, todo: list[SweepPoint], window: int) -> None:
        pending: dict[cf.Future, SweepPoint] = {}
        queue = iter(todo)

        def fill() -> None:
            while len(pending) < window:
                point = next(queue, None)
                if point is None:
                    return
                try:
                    future = executor.submit(_run_point, self.fn, point.params, point.seed)
                except RuntimeError as err:  # a broken pool refuses new work
                    self._failed(point, err)
                    continue
                pending[future] = point

        try:
            fill()
            while pending:
                finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    point = pending.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as err:
                        self._failed(point, err)
                        continue
                    self._finished(point, outcome)
                fill()
        finally:
            for future in pending:
                future.cancel()

    def _finished(self, point: SweepPoint, outcome: tuple) -> None:
        result, elapsed, versions, git = outcome
        try:
            metrics, arrays, units = encode_result(result, self.fn_name)
            clash = self.reserved & (set(metrics) | set(arrays))
            if clash:
                raise ParameterError("result", sorted(clash), "names other than the axes and "
                                     f"{sorted(RESERVED)}", self.fn_name)
        except ParameterError as err:
            self._failed(point, err)
            return
        record = PointRecord(point.index, point.repeat, point.seed, point.params, metrics,
                             arrays, units, versions, git, elapsed)
        if self.store.write(self.key, record):
            self.computed += 1
        self.bar.update(1)

    def _failed(self, point: SweepPoint, err: BaseException) -> None:
        remote = getattr(err.__cause__, "tb", None)  # a process pool's worker traceback
        text = remote.strip() if isinstance(remote, str) else "".join(
            traceback.format_exception(err)).strip()
        self.failures.append(PointFailure(point.index, point.repeat, point.params, err, text))
        self.bar.set_postfix(failed=len(self.failures))

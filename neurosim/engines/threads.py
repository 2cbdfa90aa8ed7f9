"""Numba's threads for the Numba engine: which threading layer, and how many threads.

Numba starts one threading layer per process, on the first parallel call. We pick it:

- GNU OpenMP ("omp") by default: a parallel region costs 1-2 us here, against 2-5 us for
  TBB and about 100 us for Numba's own "workqueue" (measured on 2 cores, 10,000 empty
  regions);
- TBB when NEST is already loaded. NEST's wheel bundles its own OpenMP runtime; once NEST is
  loaded, starting the system's OpenMP beside it makes NEST's next ``ResetKernel`` crash
  (a segmentation fault in NEST's worker thread, seen with nest-simulator 3.10 and Numba
  0.68). The other order (Numba's OpenMP first, then NEST) runs. The ``tbb`` package
  (extra ``nest``) ships the library in ``<prefix>/lib``, which is not on the loader's path
  in a virtual environment, so it is loaded from there by name.

A layer chosen with ``NUMBA_THREADING_LAYER`` is left alone. Where no safe layer can start,
the engine runs on one thread (the same spikes: threads never change results) and warns.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import warnings
from collections.abc import Iterator

__all__ = ["parallel_available", "thread_count"]


def _started() -> bool:
    from numba.np.ufunc import parallel

    return bool(parallel._is_initialized)


def _load_tbb() -> bool:
    """Make TBB's library loadable for Numba's ``tbbpool``; whether it is."""
    for folder in (os.path.join(sys.prefix, "lib"), None):
        name = "libtbb.so.12" if folder is None else os.path.join(folder, "libtbb.so.12")
        try:
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
        try:
            from numba.np.ufunc import tbbpool  # noqa: F401
        except ImportError:
            return False
        return True
    return False


def _choose(layer: str) -> bool:
    """Start Numba's threads on ``layer``. Numba re-reads its configuration from the
    environment before compiling, so the layer goes through ``NUMBA_THREADING_LAYER``,
    set only while the threads start (child processes must choose their own)."""
    import numba
    from numba.np.ufunc import parallel

    os.environ["NUMBA_THREADING_LAYER"] = layer
    try:
        numba.config.reload_config()
        parallel._launch_threads()
    finally:
        del os.environ["NUMBA_THREADING_LAYER"]
        numba.config.reload_config()
    return True


def parallel_available() -> bool:
    """Whether the engine's parallel kernel may run in this process (choosing the threading
    layer on first use); False, with a warning, where only an unsafe layer is left."""
    if _started() or os.environ.get("NUMBA_THREADING_LAYER"):
        return True
    if "nest" in sys.modules:
        if _load_tbb():
            return _choose("tbb")
        warnings.warn("NEST is loaded, and its OpenMP runtime crashes beside Numba's: the "
                      "numba engine runs on one thread (the same results). Install the "
                      "'tbb' package (extra 'nest'), or run a threaded numba simulation "
                      "before importing NEST.", RuntimeWarning, stacklevel=3)
        return False
    try:
        from numba.np.ufunc import omppool  # noqa: F401
    except ImportError:
        if _load_tbb():
            return _choose("tbb")
        warnings.warn("Neither GNU OpenMP nor TBB can be loaded for Numba's threads: the "
                      "numba engine runs on one thread (the same results).", RuntimeWarning,
                      stacklevel=3)
        return False
    return _choose("omp")


@contextlib.contextmanager
def thread_count(threads: int) -> Iterator[None]:
    """Run Numba's parallel regions on ``threads`` threads inside the block (the setting
    is per calling thread; the previous one comes back after)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(before)

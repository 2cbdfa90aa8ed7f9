"""Numba kernels: plain functions over arrays, ``@njit(cache=True)``.

Numba's on-disk cache goes to ``$NUMBA_CACHE_DIR`` (by default a folder under neurosim's
cache directory), never next to the sources in the repo: ``import neurosim`` sets it up
(:func:`neurosim.config.configure_numba_cache`) before any kernel module imports numba.
"""

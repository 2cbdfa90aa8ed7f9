"""Numba kernels: plain functions over arrays, ``@njit(cache=True)``.

Numba's on-disk cache goes to ``$NUMBA_CACHE_DIR`` (by default a folder under neurosim's
cache directory), never next to the sources in the repo.
"""

import os

from neurosim.config import cache_dir

os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir("numba")))

"""Where caches and reports go: a temporary folder, never the user's home or the repo.

``NEUROSIM_CACHE_DIR`` overrides the location (the Makefile sets it under ``$TMPDIR``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """A cache folder (created on demand) under ``$NEUROSIM_CACHE_DIR`` or the temp dir."""
    root = os.environ.get("NEUROSIM_CACHE_DIR") or os.path.join(
        tempfile.gettempdir(), "neurosim-cache"
    )
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def configure_numba_cache() -> None:
    """Send Numba's on-disk cache to neurosim's cache folder, never beside the sources.

    Numba reads ``NUMBA_CACHE_DIR`` when it is imported, so this runs at ``import neurosim``
    (before any kernel module imports numba); if numba was imported earlier, its config is
    set directly. A user's own ``NUMBA_CACHE_DIR`` wins.
    """
    if "NUMBA_CACHE_DIR" not in os.environ:
        os.environ["NUMBA_CACHE_DIR"] = str(cache_dir("numba"))
    numba_config = sys.modules.get("numba.core.config")
    if numba_config is not None and not getattr(numba_config, "CACHE_DIR", ""):
        numba_config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]

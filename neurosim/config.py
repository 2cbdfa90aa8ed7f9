"""Where caches and reports go: a temporary folder, never the user's home or the repo.

``NEUROSIM_CACHE_DIR`` overrides the location (the Makefile sets it under ``$TMPDIR``).
"""

from __future__ import annotations

import os
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

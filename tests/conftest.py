"""Test configuration: caches go to a temporary folder, never $HOME or the repo."""

import os
import tempfile

os.environ.setdefault("NEUROSIM_CACHE_DIR", os.path.join(tempfile.gettempdir(), "neurosim-cache"))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("MPLCONFIGDIR", os.path.join(os.environ["NEUROSIM_CACHE_DIR"], "mpl"))

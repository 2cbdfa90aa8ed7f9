"""Test configuration: caches and Jupyter/IPython state go to a temporary folder, never $HOME
or the repo (the Makefile sets the same variables; this covers a bare `pytest`)."""

import os
import tempfile

_CACHE = os.environ.setdefault("NEUROSIM_CACHE_DIR",
                               os.path.join(tempfile.gettempdir(), "neurosim-cache"))
for _var, _sub in (("MPLCONFIGDIR", "matplotlib"), ("IPYTHONDIR", "ipython"),
                   ("JUPYTER_CONFIG_DIR", "jupyter-config"),
                   ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("NUMBA_CACHE_DIR", "numba")):
    os.environ.setdefault(_var, os.path.join(_CACHE, _sub))
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

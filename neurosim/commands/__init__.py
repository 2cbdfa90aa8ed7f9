"""Subcommands of the ``neurosim`` command line, one module each (wired in neurosim/cli.py).

Core modules: they reach models only through :mod:`neurosim.registry`."""

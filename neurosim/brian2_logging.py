"""Brian2's process-wide logging set-up, undone where it speaks for us.

Importing Brian2 (which :mod:`neurosim.units` does) changes the whole process
(``brian2/utils/logger.py``, ``BrianLogger.initialize``):

- it replaces ``sys.excepthook`` with one that prints "Brian 2 encountered an unexpected
  error... please report this" on top of *any* uncaught exception, ours included, and then
  keeps its debug files;
- it writes a debug log (``brian_debug_*.log``) and a copy of the main script
  (``brian_script_*.py``) to the temporary folder, removed at exit only when that hook saw
  no exception;
- it routes every Python warning through its console logger (``WARNING ... [py.warnings]``).

:func:`restore_after_brian2` gives back the excepthook that was there before Brian2 (recorded
at ``import neurosim``; left alone when the user imported Brian2 first), stops and deletes
the debug files, and returns warnings to Python's own display. Brian2's console messages
(its own logger) are unchanged.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

#: the excepthook in place before Brian2 was imported; None when Brian2 came first (the
#: user's own import: then its hook stays, as they chose it)
_HOOK_BEFORE_BRIAN2 = sys.excepthook if "brian2" not in sys.modules else None


def restore_after_brian2() -> None:
    """Undo Brian2's excepthook, debug files and warning capture (see the module
    docstring). Safe to call more than once."""
    logger_module = sys.modules.get("brian2.utils.logger")
    if logger_module is None:
        return
    brian_logger: Any = logger_module.BrianLogger
    if _HOOK_BEFORE_BRIAN2 is not None and sys.excepthook is logger_module.brian_excepthook:
        sys.excepthook = _HOOK_BEFORE_BRIAN2
    handler = brian_logger.file_handler
    if handler is not None:
        logging.getLogger("brian2").removeHandler(handler)
        handler.close()
        brian_logger.file_handler = None
    for attr in ("tmp_log", "tmp_script"):
        path = getattr(brian_logger, attr, None)
        if path:
            for name in (path, f"{path}.1"):  # the log rotates into one ".1" copy
                try:
                    os.remove(name)
                except OSError:
                    pass
            setattr(brian_logger, attr, None)
    logging.captureWarnings(False)
    if brian_logger.console_handler is not None:
        logging.getLogger("py.warnings").removeHandler(brian_logger.console_handler)

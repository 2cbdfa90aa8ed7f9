"""The :func:`~neurosim.hardware_backends.spinnaker.deploy` child:
``python -m neurosim.hardware_backends.spinnaker <run folder>``."""

import sys
from pathlib import Path

from neurosim.hardware_backends.spinnaker.child import _child

if __name__ == "__main__":  # the deploy() child: python -m ... <run folder>
    _child(Path(sys.argv[1]))

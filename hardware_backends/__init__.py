"""Hardware backends (imported as ``neurosim.hardware_backends``): PyNN export, SpiNNaker, crossbar."""

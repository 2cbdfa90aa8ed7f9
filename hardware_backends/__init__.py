"""Hardware backends (imported as ``neurosim.hardware_backends``).

PyNN export, SpiNNaker and the resistive-memory crossbar land here (issues 6 and 7).
"""

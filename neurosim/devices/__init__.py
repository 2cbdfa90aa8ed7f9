"""Resistive-memory device physics: programming, reading, drift, faults, stochastic switching.

* :class:`ResistiveDevice` (parameters) and :class:`DeviceArray` (per-cell state): program
  conductance targets onto quantised levels with programming noise, device-to-device
  variation, stuck-at faults and finite endurance; read them back with power-law drift and
  read noise.
* :class:`WeibullSwitching` / :class:`NormalSwitching` and :class:`FormingArray`: the
  probability that forming pulses break a pristine cell down, as a function of pulse voltage
  and width, and :func:`form_random_weights`, random weight matrices made by forming.
* :mod:`neurosim.devices.presets`: parameter sets fitted to named papers.

Physical quantities carry Brian2 units; randomness takes a seed or a Generator. The model
equations and sources are in docs/devices.md.
"""

from neurosim.devices.presets import (
    PRESETS,
    esgnn_wang2023,
    lsm_lin2023,
    neurram_wan2022,
    pcm_joshi2020,
    preset,
)
from neurosim.devices.resistive import DeviceArray, ResistiveDevice
from neurosim.devices.switching import (
    BreakdownSwitching,
    FormingArray,
    NormalSwitching,
    WeibullSwitching,
    form_random_weights,
)

__all__ = [
    "PRESETS",
    "BreakdownSwitching",
    "DeviceArray",
    "FormingArray",
    "NormalSwitching",
    "ResistiveDevice",
    "WeibullSwitching",
    "esgnn_wang2023",
    "form_random_weights",
    "lsm_lin2023",
    "neurram_wan2022",
    "pcm_joshi2020",
    "preset",
]

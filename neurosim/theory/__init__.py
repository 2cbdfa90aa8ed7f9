"""Analytic results the models are checked against (replica theory, exact sums).

Root finding and special functions come from SciPy; nothing here runs a simulation.
"""

from neurosim.theory.dense import dataset_entropy, supervised_normalisation, supervised_overlap
from neurosim.theory.hopfield import AGSCritical, ags_critical, ags_overlap, ags_overlap_curve
from neurosim.theory.multitask import cascade_amplitudes, cascade_stable, critical_dilution
from neurosim.theory.sdr import (
    false_match_probability,
    log10_false_match_probability,
    noise_robustness,
)

__all__ = [
    "AGSCritical",
    "ags_critical",
    "ags_overlap",
    "ags_overlap_curve",
    "cascade_amplitudes",
    "cascade_stable",
    "critical_dilution",
    "dataset_entropy",
    "false_match_probability",
    "log10_false_match_probability",
    "noise_robustness",
    "supervised_normalisation",
    "supervised_overlap",
]

"""Device presets fitted to named papers, each with its sources and its assumptions.

Every preset is a function returning a frozen parameter set; its docstring gives the full
citation, where each number comes from (figure, table or source-data file) and which numbers
are assumptions. A number marked *assumption* was not found in the sources; it is a
placeholder to change, not a measurement.

=====================  =====================  ==========================================
name                   returns                device
=====================  =====================  ==========================================
neurram_wan2022        ResistiveDevice        HfOx 1T1R RRAM of the NeuRRAM chip
pcm_joshi2020          ResistiveDevice        IBM PCM (power-law drift)
esgnn_wang2023         NormalSwitching        40 nm random resistive memory (forming)
lsm_lin2023            NormalSwitching        40 nm 256 Kb macro of the resistive LSM
=====================  =====================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable

from neurosim.devices.resistive import ResistiveDevice
from neurosim.devices.switching import NormalSwitching
from neurosim.errors import ParameterError
from neurosim.params import Params
from neurosim.units import second, uS, volt

__all__ = [
    "PRESETS",
    "esgnn_wang2023",
    "lsm_lin2023",
    "neurram_wan2022",
    "pcm_joshi2020",
    "preset",
]


def neurram_wan2022() -> ResistiveDevice:
    """HfOx RRAM of the NeuRRAM compute-in-memory chip (generic analogue RRAM).

    Source: W. Wan et al., "A compute-in-memory chip based on resistive random-access memory",
    Nature 608 (2022), doi:10.1038/s41586-022-04992-8; through the fit of its published
    conductance-spread data in IBM aihwkit, ``ReRamWan2022NoiseModel``
    (``aihwkit/inference/noise/reram.py``), which states that the spread of programmed
    conductance versus target was "estimated from the published figures and fitted with a
    4-th order polynomial" at 1 s, 1 day and 2 days. (The paper's figure of that spread
    versus conductance and time is Extended Data Fig. 3d; aihwkit does not name its figure.)

    Numbers:

    * ``G_max = 40 uS``: the reference g_max of aihwkit's fit ("standard g_max are defined
      in respect to 40.0 uS").
    * ``sigma_prog = 1.73 uS``: the fitted 1-s sigma(G) averaged over the window; the fit is
      0.35 uS at 0, peaks at 2.30 uS near 0.31 G_max and is 1.10 uS at G_max. Replacing it
      by a constant is an assumption of this model (sigma is absolute, see
      :mod:`neurosim.devices.resistive`).
    * ``sigma_read = 0.01``: aihwkit's note that short-term read noise is "about 1%"
      (aihwkit adds it as 1 % of g_max; here it is relative to G, an assumption).
    * ``nu = 0``: aihwkit: "ReRAM does not show drift in the usual sense"; the widening of
      the spread after 1 day / 2 days (conductance relaxation) is not modelled.
    * ``sigma_d2d = 0``: the fitted spread is over many cells, so it already holds the
      cell-to-cell part.
    * ``t0 = 1 s``: first time point of the fit (no effect while ``nu = 0``).

    Assumptions (not in the sources consulted): ``G_min = 0 uS`` (aihwkit maps a zero weight
    to 0 uS); ``n_levels = 16`` (the abstract reports inference with four-bit weights; how
    the chip maps signed weights onto levels of one cell was not checked); no stuck-at
    faults; ``endurance = 1e6`` cycles.
    """
    return ResistiveDevice(G_min=0.0 * uS, G_max=40.0 * uS, n_levels=16,
                           sigma_prog=1.73 * uS, sigma_d2d=0.0, sigma_read=0.01,
                           nu=0.0, sigma_nu=0.0, t0=1.0 * second,
                           p_stuck_on=0.0, p_stuck_off=0.0, endurance=10**6)


def pcm_joshi2020() -> ResistiveDevice:
    """IBM phase-change memory with power-law conductance drift.

    Sources: V. Joshi et al., "Accurate deep neural network inference using computational
    phase-change memory", Nature Communications 11, 2473 (2020),
    doi:10.1038/s41467-020-16108-9 (measurements on one million PCM devices) and
    S. R. Nandakumar et al., "Phase-change memory models for deep learning training and
    inference", 26th IEEE ICECS (2019); numbers from the statistical model calibrated on
    them as documented in IBM aihwkit, ``docs/source/pcm_inference.rst`` and
    ``PCMLikeNoiseModel`` (``aihwkit/inference/noise/pcm.py``), with ``g_T = G_T / g_max``:

    * ``G_max = 25 uS``: aihwkit's default g_max and the value of its documented example;
      ``G_min = 0``: its converter maps a zero weight to 0 uS.
    * ``sigma_prog = 0.855 uS``: the window average of
      ``sigma_prog = max(-1.1731 g_T^2 + 1.9650 g_T + 0.2635, 0)`` uS (0.26 uS at 0,
      1.09 uS at most); a constant is an assumption of this model.
    * ``nu = 0.049, sigma_nu = 0.008``: ``mu_nu = clip(-0.0155 ln g_T + 0.0244, 0.049,
      0.1)`` and ``sigma_nu = clip(-0.0125 ln g_T - 0.0059, 0.008, 0.045)``: their values for
      targets above 0.33 g_max (both at their lower clip there); the larger nu of low states
      is not modelled.
    * ``t0 = 20 s``: ``t_0`` of the drift fit.
    * ``sigma_read = 0.058``: the accumulated 1/f noise
      ``Q_s sqrt(ln((t + t_read) / (2 t_read)))``, ``Q_s = min(0.0088 / g_T^0.65, 0.2)``,
      ``t_read = 250 ns``, evaluated at ``g_T = 0.5`` and ``t = t0``; its slow growth with
      ``ln t`` and its state dependence are not modelled (assumption).

    Assumptions (not in the sources consulted): ``n_levels = 256`` (iterative programming
    is effectively analogue); no stuck-at faults; ``endurance = 1e6`` cycles.
    """
    return ResistiveDevice(G_min=0.0 * uS, G_max=25.0 * uS, n_levels=256,
                           sigma_prog=0.855 * uS, sigma_d2d=0.0, sigma_read=0.058,
                           nu=0.049, sigma_nu=0.008, t0=20.0 * second,
                           p_stuck_on=0.0, p_stuck_off=0.0, endurance=10**6)


def esgnn_wang2023() -> NormalSwitching:
    """Forming of the 40 nm random resistive memory of the echo state graph neural network.

    Source: S. Wang et al., "Echo state graph neural networks with analogue random resistive
    memory arrays", Nature Machine Intelligence 5 (2023), doi:10.1038/s42256-023-00609-5,
    and the authors' source data in github.com/wangsc1912/ESGNN
    (``data/experimental_data/``).

    * ``V_mean = 3.433 V, V_sigma = 0.114 V``: mean and standard deviation of the 400
      breakdown voltages of the 20x20 array in the source data of Extended Data Fig. 1a,b
      (``Extended_Data_Figure_1.xlsx``). Caption: pristine cells ~10 MOhm; linear voltage
      sweeps from 3 V (stated step 0.05 V; the data lie on a 0.02 V grid); breakdown is the
      smallest voltage giving R < 20 kOhm; the histogram "follows a quasi-Normal
      distribution" (hence :class:`NormalSwitching`; a KS test on the data prefers the
      normal to a Weibull).
    * ``G_pristine = 0.1 uS``: the ~10 MOhm pristine resistance of the same caption.
    * ``G_formed = 12.2 uS, sigma_ln_formed = 0.147``: lognormal fit (median, log-sigma) to
      the 1430 non-zero cells of the conductance maps of Fig. 1d (``Figure_1.xlsx``, sheets
      "input weight" 50x8 and "hidden weight" 50x50; KS p = 0.64 for the lognormal, 0.006
      for a normal). 50.7 % of those cells are zero (unformed), i.e. a forming voltage near
      the median ``V_bd``, as Extended Data Fig. 1c-e set it from a target sparsity.

    Assumptions: the spreadsheet gives no unit for the conductances; reading them as uS is
    ours (note that 12 uS is below the 50 uS of the 20 kOhm breakdown criterion, so the
    maps may have been read under other conditions; check Fig. 1e before relying on
    absolute values). The authors' simulation code uses N(14.25, 2.46) for the non-zero
    weights (``backend/backend_torch_simu.py``, "hardware data statistics"), not used here.
    ``t_ref = 100 ns`` (the sweep step duration is not given) and ``n_accel = 40`` (about
    -0.2 V per decade of pulse width at 3.4 V) are placeholders: no pulse-width dependence
    was reported in the sources consulted.
    """
    return NormalSwitching(V_mean=3.433 * volt, V_sigma=0.114 * volt,
                           t_ref=100e-9 * second, n_accel=40.0, G_pristine=0.1 * uS,
                           G_formed=12.2 * uS, sigma_ln_formed=0.147)


def lsm_lin2023() -> NormalSwitching:
    """Forming of the 40 nm 256 Kb in-memory computing macro of the resistive LSM.

    Source: N. Lin et al., "Resistive memory-based zero-shot liquid state machine for
    multimodal event data learning", arXiv:2307.00771 (2023); Nature Computational Science
    (2025), doi:10.1038/s43588-024-00751-z.

    What the paper says (abstract): the liquid state machine's fixed random weights are
    "physically implemented using analogue resistive memory, leveraging the inherent
    stochasticity of resistive switching to generate random weights", on "a 40nm 256Kb
    in-memory computing macro". Its device statistics (forming voltages, conductance
    distribution) were not found in the text available to us, and the authors' code
    (github.com/MrLinNing/MemristorLSM) imports its device model from a ``models`` module
    that is not in the repository.

    Assumption: every number is taken from :func:`esgnn_wang2023`, the same groups' 40 nm
    random resistive memory formed by dielectric breakdown (Wang et al. 2023). Replace
    them when the LSM paper's own figures are available.
    """
    return esgnn_wang2023()


PRESETS: dict[str, Callable[[], Params]] = {
    "neurram_wan2022": neurram_wan2022,
    "pcm_joshi2020": pcm_joshi2020,
    "esgnn_wang2023": esgnn_wang2023,
    "lsm_lin2023": lsm_lin2023,
}


def preset(name: str) -> Params:
    """The preset called ``name`` (a key of :data:`PRESETS`)."""
    try:
        return PRESETS[name]()
    except (KeyError, TypeError):
        raise ParameterError("name", name, f"one of {sorted(PRESETS)}", "preset") from None

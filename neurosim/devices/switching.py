"""Stochastic switching: forming (soft dielectric breakdown) of pristine cells by voltage pulses.

A pristine metal-oxide cell is an insulator (~10 MOhm); a forming pulse of large enough
voltage breaks the oxide down and leaves a conductive filament. Breakdown is stochastic: the
breakdown voltage ``V_bd`` of a cell, at a reference pulse width ``t_ref``, follows a
distribution over the array, and a longer pulse breaks a cell at a lower voltage.

The model follows the time-dependent dielectric breakdown (TDDB) picture of gate oxides:
times to breakdown are Weibull distributed and their characteristic time follows a power law
of the voltage, ``t_63 ~ V^-n`` (E. Y. Wu and J. Sune, "Power-law voltage acceleration: A key
element for ultra-thin gate oxide reliability", Microelectronics Reliability 45, 1809-1834,
2005). Then at fixed width ``w`` the breakdown voltage is itself Weibull, with shape
``k = n beta`` (``beta`` the Weibull slope of the times) and scale
``V_63(w) = V_63 (w / t_ref)^(-1/n)``; so

    P_switch(V, w) = 1 - exp(-(V (w / t_ref)^(1/n) / V_63)^k)      (:class:`WeibullSwitching`)

Random-resistor arrays measured by linear voltage sweeps show a "quasi-normal" ``V_bd``
(S. Wang et al., "Echo state graph neural networks with analogue random resistive memory
arrays", Nature Machine Intelligence 5 (2023), doi:10.1038/s42256-023-00609-5, Extended Data
Fig. 1b), so :class:`NormalSwitching` keeps the same width scaling with a normal ``V_bd``:

    P_switch(V, w) = Phi((V (w / t_ref)^(1/n) - mu) / sigma)

Repeated pulses accumulate damage: each pulse adds the dose ``(w / t_ref) (V / V_s)^n``
and a cell forms once its dose reaches ``(V_bd / V_s)^n``. For a single pulse this is exactly
the formula above; for ``m`` identical pulses it equals one pulse ``m`` times as long (the
additivity of damage under power-law acceleration).

A formed cell takes a conductance drawn once per cell from a lognormal distribution (median
``G_formed``, log-sigma ``sigma_ln_formed``); an unformed cell keeps ``G_pristine``. That is
how a random weight matrix is *generated* (:func:`form_random_weights`): one pulse whose
voltage sets the fraction of formed cells, the randomness of both the connectivity and the
weights coming from the devices (the scheme of Wang et al. 2023; the liquid state machine of
N. Lin et al., arXiv:2307.00771, draws its random weights from "the inherent stochasticity
of resistive switching" of a 40 nm macro, see :func:`~neurosim.devices.presets.lsm_lin2023`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.devices import _kernels as K
from neurosim.devices._checks import broadcast, shape_tuple, si_array
from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, number, quantity
from neurosim.random import SeedLike, as_seed_sequence, child_seed, make_rng
from neurosim.units import second, siemens, uS, volt

__all__ = [
    "BreakdownSwitching",
    "FormingArray",
    "NormalSwitching",
    "WeibullSwitching",
    "form_random_weights",
]


class BreakdownSwitching(Params):
    """Shared parameters of the breakdown-voltage switching models (use a subclass).

    Parameters
    ----------
    t_ref
        Pulse width at which the breakdown-voltage distribution is stated.
    n_accel
        Power-law voltage acceleration exponent ``n`` of the time to breakdown
        (``t_BD ~ V^-n``): the breakdown voltage scales as ``(w / t_ref)^(-1/n)``.
    G_pristine
        Conductance of an unformed cell.
    G_formed
        Median conductance of a formed cell.
    sigma_ln_formed
        Standard deviation of the log of a formed cell's conductance.
    """

    kind: ClassVar[str] = ""

    t_ref: Quantity = quantity(100e-9 * second, second, low=0 * second, low_open=True)
    n_accel: float = number(40.0, low=0.0, low_open=True)
    G_pristine: Quantity = quantity(0.1 * uS, uS, low=0 * uS)
    G_formed: Quantity = quantity(12.0 * uS, uS, low=0 * uS, low_open=True)
    sigma_ln_formed: float = number(0.15, low=0.0)

    def check(self) -> None:
        if not type(self).kind:
            raise TypeError("BreakdownSwitching is abstract: use WeibullSwitching or "
                            "NormalSwitching")

    # -- the distribution of V_bd at t_ref (subclasses) -----------------------------------
    def _cdf_ref(self, v_eff: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _ppf_ref(self, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _sample_vbd(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def _v_scale(self) -> float:
        raise NotImplementedError

    # -- public ------------------------------------------------------------------------------
    def switch_probability(self, V: Quantity, width: Quantity) -> np.ndarray:
        """Probability that one pulse of voltage ``V`` and width ``width`` forms a pristine cell.

        Parameters
        ----------
        V
            Pulse voltage, >= 0 (scalar or array).
        width
            Pulse width, > 0 (scalar or array, broadcast against ``V``).

        Returns
        -------
        numpy.ndarray
            Probabilities in [0, 1], the broadcast shape of ``V`` and ``width``.
        """
        owner = type(self).__name__
        v = si_array(V, volt, "V", owner, low=0.0)
        w = si_array(width, second, "width", owner, low=0.0, low_open=True)
        s = self.to_si()
        return self._cdf_ref(v * K.width_factor(w, s["t_ref"], self.n_accel))

    def forming_voltage(self, p: float | np.ndarray, width: Quantity) -> Quantity:
        """The pulse voltage that forms a fraction ``p`` of pristine cells (inverse CDF).

        Parameters
        ----------
        p
            Target probability (or array of them), strictly between 0 and 1.
        width
            Pulse width, > 0.

        Returns
        -------
        Quantity
            Voltages, the broadcast shape of ``p`` and ``width``.
        """
        owner = type(self).__name__
        pa = np.asarray(p, dtype=float)
        if not np.all((pa > 0) & (pa < 1)):
            raise ParameterError("p", p, "a probability in (0, 1)", owner)
        w = si_array(width, second, "width", owner, low=0.0, low_open=True)
        s = self.to_si()
        return self._ppf_ref(pa) / K.width_factor(w, s["t_ref"], self.n_accel) * volt

    def formed_conductance_quantiles(self, q: np.ndarray) -> Quantity:
        """Quantiles of a formed cell's conductance (lognormal), for tests and plots."""
        from scipy.stats import lognorm

        s = self.to_si()
        return lognorm.ppf(np.asarray(q, dtype=float), s=self.sigma_ln_formed,
                           scale=s["G_formed"]) * siemens


class WeibullSwitching(BreakdownSwitching):
    """Weibull breakdown voltage at ``t_ref``: scale ``V_63`` (63.2 % formed), shape ``k``.

    ``k = n_accel * beta`` with ``beta`` the Weibull slope of the times to breakdown (TDDB);
    see the module docstring. Defaults are illustrative, not fitted.
    """

    kind: ClassVar[str] = "weibull"

    V_63: Quantity = quantity(3.5 * volt, volt, low=0 * volt, low_open=True)
    k: float = number(30.0, low=0.0, low_open=True)

    def _cdf_ref(self, v_eff: np.ndarray) -> np.ndarray:
        return K.weibull_vbd_cdf(v_eff, float(self.to_si()["V_63"]), self.k)

    def _ppf_ref(self, p: np.ndarray) -> np.ndarray:
        return K.weibull_vbd_ppf(p, float(self.to_si()["V_63"]), self.k)

    def _sample_vbd(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        # Inverse-CDF sampling, so the per-cell threshold is exactly the analytic law.
        return K.weibull_vbd_ppf(rng.random(shape), float(self.to_si()["V_63"]), self.k)

    def _v_scale(self) -> float:
        return float(self.to_si()["V_63"])


class NormalSwitching(BreakdownSwitching):
    """Normal breakdown voltage at ``t_ref``: mean ``V_mean``, standard deviation ``V_sigma``.

    The empirical "quasi-normal" law of swept random-resistor arrays (Wang et al. 2023,
    Extended Data Fig. 1b), with the power-law width scaling of :class:`BreakdownSwitching`.
    Defaults are illustrative, not fitted.
    """

    kind: ClassVar[str] = "normal"

    V_mean: Quantity = quantity(3.4 * volt, volt, low=0 * volt, low_open=True)
    V_sigma: Quantity = quantity(0.1 * volt, volt, low=0 * volt)

    def _cdf_ref(self, v_eff: np.ndarray) -> np.ndarray:
        s = self.to_si()
        return K.normal_vbd_cdf(v_eff, float(s["V_mean"]), float(s["V_sigma"]))

    def _ppf_ref(self, p: np.ndarray) -> np.ndarray:
        s = self.to_si()
        return K.normal_vbd_ppf(p, float(s["V_mean"]), float(s["V_sigma"]))

    def _sample_vbd(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        s = self.to_si()
        return float(s["V_mean"]) + float(s["V_sigma"]) * rng.standard_normal(shape)

    def _v_scale(self) -> float:
        return float(self.to_si()["V_mean"])


class FormingArray:
    """An array of pristine cells that forming pulses switch, one by one, at random.

    Each cell's breakdown voltage (at ``t_ref``) and the conductance it will take once formed
    are drawn at construction, so pulses themselves are deterministic: the same seed and the
    same pulses give the same cells, in any grouping of identical pulses.

    Parameters
    ----------
    switching
        The switching model (:class:`WeibullSwitching` or :class:`NormalSwitching`).
    shape
        Array shape (an int for a vector).
    seed
        Seed or Generator.
    """

    def __init__(self, switching: BreakdownSwitching, shape: int | tuple[int, ...],
                 seed: SeedLike = None):
        owner = "FormingArray"
        if not isinstance(switching, BreakdownSwitching) or not switching.kind:
            raise ParameterError("switching", switching,
                                 "a WeibullSwitching or NormalSwitching", owner)
        self.switching = switching
        self.shape = shape_tuple(shape, owner)
        s = switching.to_si()
        ss = as_seed_sequence(seed, "seed")
        self._vbd = switching._sample_vbd(make_rng(ss, "breakdown"), self.shape)
        z = make_rng(ss, "conductance").standard_normal(self.shape)
        self._g_on = s["G_formed"] * np.exp(switching.sigma_ln_formed * z)
        self._v_scale = switching._v_scale()
        # Dose needed to form each cell; a cell with V_bd <= 0 (a far normal tail) forms at
        # the first pulse of any voltage > 0.
        with np.errstate(over="ignore"):
            self._threshold = (np.maximum(self._vbd, 0.0) / self._v_scale) ** switching.n_accel
        self._dose = np.zeros(self.shape)
        self._formed = np.zeros(self.shape, dtype=bool)

    @property
    def formed(self) -> np.ndarray:
        """Cells formed so far."""
        return self._formed.copy()

    @property
    def breakdown_voltage(self) -> Quantity:
        """Each cell's breakdown voltage at the reference width ``t_ref``."""
        return self._vbd.copy() * volt

    @property
    def conductance(self) -> Quantity:
        """``G_pristine`` for unformed cells, the cell's formed conductance otherwise."""
        g_off = float(self.switching.to_si()["G_pristine"])
        return np.where(self._formed, self._g_on, g_off) * siemens

    def apply_pulses(self, V: Quantity, width: Quantity, n_pulses: int = 1,
                     mask: Any = None) -> np.ndarray:
        """Apply ``n_pulses`` identical pulses to the cells (all, or those in ``mask``).

        Parameters
        ----------
        V
            Pulse voltage, >= 0, scalar or broadcastable to the shape (per-cell voltages).
        width
            Pulse width, > 0, scalar or broadcastable.
        n_pulses
            Number of identical pulses, >= 0.
        mask
            Boolean array broadcastable to the shape: the cells that receive the pulses.

        Returns
        -------
        numpy.ndarray
            Boolean array of the cells these pulses formed.
        """
        owner = "FormingArray.apply_pulses"
        if isinstance(n_pulses, bool) or not isinstance(n_pulses, int | np.integer) \
                or n_pulses < 0:
            raise ParameterError("n_pulses", n_pulses, "an int >= 0", owner)
        v = broadcast(si_array(V, volt, "V", owner, low=0.0), self.shape, "V", V, owner)
        w = broadcast(si_array(width, second, "width", owner, low=0.0, low_open=True),
                      self.shape, "width", width, owner)
        if mask is None:
            hit = np.ones(self.shape, dtype=bool)
        else:
            m = np.asarray(mask)
            if m.dtype != bool:
                raise ParameterError("mask", mask, "a boolean array", owner)
            hit = broadcast(m, self.shape, "mask", mask, owner)
        s = self.switching.to_si()
        dose = K.pulse_dose(v, w, s["t_ref"], self.switching.n_accel, self._v_scale)
        self._dose = self._dose + np.where(hit, n_pulses * dose, 0.0)
        now = (self._dose > 0) & (self._dose >= self._threshold)
        new = now & ~self._formed
        self._formed |= now
        return new


def form_random_weights(switching: BreakdownSwitching, shape: int | tuple[int, ...], *,
                        width: Quantity, rng: SeedLike, V: Quantity | None = None,
                        density: float | None = None, differential: bool = False) -> Quantity:
    """Generate a random conductance matrix by one forming pulse on pristine cells.

    Give either the pulse voltage ``V`` or the expected fraction of formed cells ``density``
    (then ``V = switching.forming_voltage(density, width)``, as Wang et al. 2023 chose the
    programming voltage from the measured ``V_bd`` distribution, Extended Data Fig. 1c-e).

    Parameters
    ----------
    switching
        The switching model.
    shape
        Shape of the weight matrix.
    width
        Forming pulse width.
    rng
        Seed or Generator.
    V, density
        Exactly one of them.
    differential
        If True, form two arrays and return ``G+ - G-`` (signed weights from a differential
        pair of cells); otherwise the conductances of one array.

    Returns
    -------
    Quantity
        Conductances (or conductance differences), ``shape``.
    """
    owner = "form_random_weights"
    if (V is None) == (density is None):
        raise ParameterError("V", V, "given, or else density given (exactly one of them)",
                             owner)
    if density is not None:
        V = switching.forming_voltage(density, width)
    if not isinstance(differential, bool):
        raise ParameterError("differential", differential, "True or False", owner)
    ss = as_seed_sequence(rng, "rng")
    plus = FormingArray(switching, shape, child_seed(ss, "plus"))
    plus.apply_pulses(V, width)
    if not differential:
        return plus.conductance
    minus = FormingArray(switching, shape, child_seed(ss, "minus"))
    minus.apply_pulses(V, width)
    return plus.conductance - minus.conductance

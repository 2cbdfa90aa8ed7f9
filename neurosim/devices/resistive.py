"""Programmed resistive memory: a conductance window with levels, noise, drift, faults, wear.

The model of one cell ``i`` (docs/devices.md has the derivations and sources):

Programming a target ``G_T``::

    G_i = max(d_i q(G_T) + sigma_prog xi, 0)        xi ~ N(0, 1), fresh at every program
    q(G_T) = the nearest of n_levels evenly spaced levels of [G_min, G_max]
             (a target outside the window is clipped into it first)
    d_i ~ max(N(1, sigma_d2d), 0)                   drawn once per cell (device-to-device)

* cycle-to-cycle programming noise is an **absolute** sigma in siemens: measured write-verify
  spreads of RRAM vary little over the window compared with a relative sigma, which would
  vanish at G_min (Wan et al. 2022 as fitted by IBM aihwkit, see
  :func:`~neurosim.devices.presets.neurram_wan2022`; G. Pedretti and D. Ielmini,
  Electronics 10, 1063 (2021), also assume a constant sigma_G);
* stuck-at-on cells read ``G_max`` and stuck-at-off cells ``G_min`` whatever the target,
  with fault rates ``p_stuck_on`` / ``p_stuck_off`` (a cell is at most one of them);
* endurance: the first ``endurance`` program operations on a cell take effect; after that the
  cell stops switching and keeps its last programmed conductance (it still drifts and reads
  with noise).

Reading at time ``tau`` after programming::

    G_read = max(G_i (tau / t0)^(-nu_i) (1 + sigma_read eta), 0)    eta ~ N(0, 1) per read
    nu_i ~ max(N(nu, sigma_nu), 0)                                    drawn once per cell

with no drift before ``t0`` (``G_i`` is the conductance read at ``t0``, the reference time of
the drift fit). Read noise is **relative** (1/f noise scales with the current). Stuck cells do
not drift.

:class:`ResistiveDevice` holds the parameters and offers one-shot ``program``/``read``;
:class:`DeviceArray` keeps the per-cell state (d2d factors, drift exponents, fault masks,
programming times, cycle counts) so that reads apply the drift since each cell's programming.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.devices import _kernels as K
from neurosim.devices._checks import broadcast, shape_tuple, si_array
from neurosim.errors import ParameterError
from neurosim.params import Params, Quantity, number, quantity
from neurosim.random import SeedLike, as_seed_sequence, child_seed, make_rng
from neurosim.units import second, siemens, uS

__all__ = ["DeviceArray", "ResistiveDevice"]

_OWNER = "ResistiveDevice"


class ResistiveDevice(Params):
    """Parameters of a programmable resistive memory cell (RRAM, PCM...).

    Defaults describe an ideal device (no noise, no drift, no faults) with the window and
    levels of the NeuRRAM preset; the presets in :mod:`neurosim.devices.presets` give fitted
    values with their sources.

    Parameters
    ----------
    G_min, G_max
        Conductance window; ``G_min < G_max``. Stuck-at-off cells read ``G_min``, stuck-at-on
        cells ``G_max``.
    n_levels
        Number of evenly spaced programmable levels in the window, ends included (>= 2).
    sigma_prog
        Cycle-to-cycle programming noise: absolute standard deviation (a conductance).
    sigma_d2d
        Device-to-device variation: relative standard deviation of a per-cell gain that
        multiplies the programmed level, fixed for the life of the cell.
    sigma_read
        Read noise: relative standard deviation of each read.
    nu, sigma_nu
        Mean and device-to-device standard deviation of the drift exponent of
        ``G(t) = G0 (t / t0)^-nu``.
    t0
        Reference time of the drift law (first read after programming).
    p_stuck_on, p_stuck_off
        Probabilities that a cell is stuck at ``G_max`` / ``G_min``; their sum is <= 1.
    endurance
        Program operations a cell survives; later ones leave it at its last state.
    """

    G_min: Quantity = quantity(0.0 * uS, uS, low=0 * uS)
    G_max: Quantity = quantity(40.0 * uS, uS, low=0 * uS, low_open=True)
    n_levels: int = number(16, low=2, integer=True)
    sigma_prog: Quantity = quantity(0.0 * uS, uS, low=0 * uS)
    sigma_d2d: float = number(0.0, low=0.0)
    sigma_read: float = number(0.0, low=0.0)
    nu: float = number(0.0, low=0.0)
    sigma_nu: float = number(0.0, low=0.0)
    t0: Quantity = quantity(1.0 * second, second, low=0 * second, low_open=True)
    p_stuck_on: float = number(0.0, low=0.0, high=1.0)
    p_stuck_off: float = number(0.0, low=0.0, high=1.0)
    endurance: int = number(10**6, low=1, integer=True)

    def check(self) -> None:
        if self.G_min >= self.G_max:
            raise ParameterError("G_min", self.G_min, f"below G_max ({self.G_max})", _OWNER)
        if self.p_stuck_on + self.p_stuck_off > 1.0:
            raise ParameterError("p_stuck_on", self.p_stuck_on,
                                 f"<= 1 - p_stuck_off ({1.0 - self.p_stuck_off:g})", _OWNER)

    # -- noise-free maps -------------------------------------------------------------------
    def levels(self) -> Quantity:
        """The programmable conductance levels, ``G_min`` to ``G_max``."""
        s = self.to_si()
        return K.levels(s["G_min"], s["G_max"], self.n_levels) * siemens

    def quantize(self, g_target: Quantity) -> Quantity:
        """The level each target is programmed to (clipped into the window), without noise."""
        s = self.to_si()
        g = si_array(g_target, siemens, "g_target", _OWNER)
        return K.quantize(g, s["G_min"], s["G_max"], self.n_levels) * siemens

    def programmed_stats(self, g_target: Quantity) -> tuple[Quantity, Quantity]:
        """Mean and standard deviation of the conductance a healthy fresh cell is programmed to.

        The programmed conductance is normal, ``N(q, sqrt(sigma_prog^2 + (sigma_d2d q)^2))``
        with ``q`` the quantised target (d2d gain and c2c noise are independent normals), up
        to the clip at 0 S, which matters only for targets within a few sigma of zero.
        """
        s = self.to_si()
        q = K.quantize(si_array(g_target, siemens, "g_target", _OWNER), s["G_min"],
                       s["G_max"], self.n_levels)
        std = np.sqrt(s["sigma_prog"] ** 2 + (self.sigma_d2d * q) ** 2)
        return q * siemens, std * siemens

    # -- one-shot stochastic operations ------------------------------------------------------
    def program(self, g_target: Quantity, rng: SeedLike) -> Quantity:
        """Program fresh cells to ``g_target`` once: quantise, add noise, apply faults.

        Each call models a new array (new d2d factors and fault masks, zero cycles); keep a
        :class:`DeviceArray` to reprogram the same cells.

        Parameters
        ----------
        g_target
            Target conductances (a Brian2 quantity, any shape).
        rng
            Seed or Generator (same seed, same result).

        Returns
        -------
        Quantity
            Programmed conductances, same shape as ``g_target``.
        """
        g = si_array(g_target, siemens, "g_target", _OWNER)
        ss = as_seed_sequence(rng, "rng")
        cells = DeviceArray(self, g.shape, child_seed(ss, "cells"))
        return cells.program(g * siemens, make_rng(ss, "program"))

    def read(self, g: Quantity, t: Quantity, rng: SeedLike) -> Quantity:
        """Read conductances ``g`` (as programmed) a time ``t`` after programming.

        Applies drift ``(t / t0)^-nu_i`` (no drift for ``t <= t0``) with a drift exponent drawn
        per cell for this call, then relative read noise. For repeated reads of the same
        cells (a consistent ``nu_i``, stuck cells, per-cell programming times) use
        :class:`DeviceArray`.

        Parameters
        ----------
        g
            Programmed conductances (a Brian2 quantity, any shape).
        t
            Time since programming, >= 0 (scalar or broadcastable to ``g``).
        rng
            Seed or Generator.

        Returns
        -------
        Quantity
            Read conductances, the broadcast shape of ``g`` and ``t``.
        """
        g_si = si_array(g, siemens, "g", _OWNER, low=0.0)
        t_si = si_array(t, second, "t", _OWNER, low=0.0)
        try:
            shape = np.broadcast_shapes(g_si.shape, t_si.shape)
        except ValueError:
            raise ParameterError("t", t, f"broadcastable to the shape of g {g_si.shape}",
                                 _OWNER) from None
        ss = as_seed_sequence(rng, "rng")
        nu = _draw_nu(self, make_rng(ss, "drift"), shape)
        eta = make_rng(ss, "read").standard_normal(shape)
        return _read_si(self, g_si, t_si, nu, eta) * siemens


def _draw_nu(device: ResistiveDevice, rng: np.random.Generator,
             shape: tuple[int, ...]) -> np.ndarray:
    # Always draw, even with sigma_nu = 0, so the other streams never depend on it.
    z = rng.standard_normal(shape)
    return np.maximum(device.nu + device.sigma_nu * z, 0.0)


def _read_si(device: ResistiveDevice, g: np.ndarray, tau: np.ndarray, nu: np.ndarray,
             eta: np.ndarray) -> np.ndarray:
    drifted = K.drift(g, tau, float(device.to_si()["t0"]), nu)
    return np.maximum(drifted * (1.0 + device.sigma_read * eta), 0.0)


class DeviceArray:
    """An array of resistive cells with state: what a crossbar holds between operations.

    Per-cell random properties are drawn once, at construction, from named child streams of
    ``seed`` (so, e.g., changing ``sigma_d2d`` never changes which cells are stuck):
    the d2d gain, the drift exponent and the fault masks. Cells start at ``G_min``,
    programmed at ``t = 0`` with zero cycles.

    Parameters
    ----------
    device
        The cell parameters.
    shape
        Array shape (an int for a vector).
    seed
        Seed or Generator for the per-cell properties.
    """

    def __init__(self, device: ResistiveDevice, shape: int | tuple[int, ...],
                 seed: SeedLike = None):
        owner = "DeviceArray"
        if not isinstance(device, ResistiveDevice):
            raise ParameterError("device", device, "a ResistiveDevice", owner)
        self.device = device
        self.shape = shape_tuple(shape, owner)
        s = device.to_si()
        ss = as_seed_sequence(seed, "seed")
        gain = 1.0 + device.sigma_d2d * make_rng(ss, "d2d").standard_normal(self.shape)
        self._gain = np.maximum(gain, 0.0)
        self._nu = _draw_nu(device, make_rng(ss, "drift"), self.shape)
        u = make_rng(ss, "faults").random(self.shape)
        self._stuck_on = u < device.p_stuck_on
        self._stuck_off = (~self._stuck_on) & (u < device.p_stuck_on + device.p_stuck_off)
        self._g = np.full(self.shape, s["G_min"])
        self._g[self._stuck_on] = s["G_max"]
        self._t_prog = np.zeros(self.shape)
        self._cycles = np.zeros(self.shape, dtype=np.int64)

    # -- state, read-only views ------------------------------------------------------------
    @property
    def conductance(self) -> Quantity:
        """Programmed conductances (no drift, no read noise)."""
        return self._g.copy() * siemens

    @property
    def t_programmed(self) -> Quantity:
        """Time each cell was last programmed."""
        return self._t_prog.copy() * second

    @property
    def cycles(self) -> np.ndarray:
        """Program operations each cell has taken (at most ``endurance``)."""
        return self._cycles.copy()

    @property
    def worn_out(self) -> np.ndarray:
        """Cells past their endurance: they no longer switch."""
        return self._cycles >= self.device.endurance

    @property
    def stuck_on(self) -> np.ndarray:
        """Cells stuck at ``G_max``."""
        return self._stuck_on.copy()

    @property
    def stuck_off(self) -> np.ndarray:
        """Cells stuck at ``G_min``."""
        return self._stuck_off.copy()

    @property
    def gain(self) -> np.ndarray:
        """Device-to-device gain of each cell."""
        return self._gain.copy()

    @property
    def nu(self) -> np.ndarray:
        """Drift exponent of each cell."""
        return self._nu.copy()

    # -- operations --------------------------------------------------------------------------
    def program(self, g_target: Quantity, rng: SeedLike, t: Quantity = 0.0 * second,
                mask: Any = None) -> Quantity:
        """Program the cells (all, or those in ``mask``) to ``g_target`` at time ``t``.

        Stuck cells keep their stuck value, worn-out cells their last value; every other
        addressed cell takes a new noisy quantised value, its programming time becomes ``t``
        and its cycle count goes up by one.

        Parameters
        ----------
        g_target
            Target conductances, broadcastable to the array shape.
        rng
            Seed or Generator for the programming noise.
        t
            Time of this programming operation (a scalar time >= 0).
        mask
            Boolean array broadcastable to the shape: the cells to program (default all).

        Returns
        -------
        Quantity
            The programmed conductances of the whole array after the operation.
        """
        owner = "DeviceArray.program"
        dev, s = self.device, self.device.to_si()
        g = broadcast(si_array(g_target, siemens, "g_target", owner), self.shape,
                      "g_target", g_target, owner)
        t_si = si_array(t, second, "t", owner, low=0.0)
        if t_si.ndim != 0:
            raise ParameterError("t", t, "a scalar time >= 0 s", owner)
        addressed = self._mask(mask, owner)
        z = make_rng(rng).standard_normal(self.shape)
        level = K.quantize(g, s["G_min"], s["G_max"], dev.n_levels)
        new = np.maximum(self._gain * level + s["sigma_prog"] * z, 0.0)
        write = addressed & ~(self._stuck_on | self._stuck_off) & ~self.worn_out
        self._g[write] = new[write]
        self._t_prog[write] = float(t_si)
        self._cycles[write] += 1
        return self.conductance

    def read(self, t: Quantity, rng: SeedLike) -> Quantity:
        """Read every cell at time ``t``: drift since its programming, then read noise.

        Parameters
        ----------
        t
            Time of the read (scalar or broadcastable), not before any cell's programming.
        rng
            Seed or Generator for the read noise.

        Returns
        -------
        Quantity
            Read conductances, the array's shape.
        """
        owner = "DeviceArray.read"
        t_si = broadcast(si_array(t, second, "t", owner, low=0.0), self.shape, "t", t, owner)
        if np.any(t_si < self._t_prog):
            raise ParameterError("t", t, "not before the last programming of any cell "
                                 f"(latest {self._t_prog.max():g} s)", owner)
        eta = make_rng(rng).standard_normal(self.shape)
        nu = np.where(self._stuck_on | self._stuck_off, 0.0, self._nu)
        return _read_si(self.device, self._g, t_si - self._t_prog, nu, eta) * siemens

    def _mask(self, mask: Any, owner: str) -> np.ndarray:
        if mask is None:
            return np.ones(self.shape, dtype=bool)
        m = np.asarray(mask)
        if m.dtype != bool:
            raise ParameterError("mask", mask, "a boolean array", owner)
        return broadcast(m, self.shape, "mask", mask, owner)

    def __repr__(self) -> str:
        return f"DeviceArray(shape={self.shape}, device={self.device!r})"

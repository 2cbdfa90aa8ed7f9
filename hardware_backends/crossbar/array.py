"""A resistive crossbar that holds a signed weight matrix, in named stages.

``CrossbarArray`` takes a logical weight matrix ``W`` (n_rows x n_cols, signed, NaN where
there is no synapse) through five stages, each a method with one job; the state lives in
the object:

1. :meth:`~CrossbarArray.map`: weights to target conductances. A weight ``w`` becomes a
   differential pair ``G+ = G_min + s max(w, 0)``, ``G- = G_min + s max(-w, 0)`` (two adjacent
   physical columns), with one scale ``s`` (siemens per weight unit) per array: the power of
   two that puts ``max |W|`` in the upper half of the window ``G_max - G_min`` (a power of two
   so the ideal path ``(G+ - G-)/s`` is exact in floating point when ``G_min = 0``). The pairs
   are tiled onto physical arrays of ``tile_shape`` cells (``tile_rows x tile_cols/2``
   weights per tile).
2. :meth:`~CrossbarArray.quantise`: each target to the nearest device level.
3. :meth:`~CrossbarArray.validate`: targets inside the window, tiles inside the configured
   size, the first-order IR-drop model inside its range of validity.
4. :meth:`~CrossbarArray.program`: write the targets into a :class:`neurosim.devices.DeviceArray`
   (programming noise, device-to-device gain, stuck-at faults, endurance), at a time.
5. :meth:`~CrossbarArray.read`: conductances at a later time (drift per cell since its
   programming, read noise), through first-order IR drop and the converters (DAC on the
   inputs, ADC on the column currents), back to weights.

``fidelity`` picks which stages are physical:

* ``"ideal"``: no levels, noise, drift, faults, converters or IR drop: ``read`` returns ``W``
  (to 1e-12 relative; bit for bit when ``G_min = 0``);
* ``"quantised"``: device levels and converter resolution only (deterministic);
* ``"noisy"``: the device as given (programming and read noise, d2d, drift, faults) plus
  the converters;
* ``"full"``: ``"noisy"`` plus IR drop along the wires.

Units at the public API are Brian2 quantities (siemens, volt, ohm, second); weights are plain
numbers in the caller's weight unit. Inside, everything is SI floats.

IR drop, first order (docs/crossbar.md): rows are driven from column 0, columns are sensed
at a virtual ground below the last row, every wire segment between neighbouring cells has
resistance ``r``. Cell currents are first computed with ideal voltages; the currents they
send through the row and column wires give each cell's voltage loss, linear in the inputs,
so the whole correction is an effective conductance matrix per tile. Valid while the
relative loss is small; :meth:`validate` reports the largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.devices import DeviceArray, ResistiveDevice, neurram_wan2022
from neurosim.devices import _kernels as K
from neurosim.errors import ParameterError
from neurosim.hardware_backends.crossbar.ledger import Ledger
from neurosim.hardware_backends.crossbar.readout import finish_reads
from neurosim.random import SeedLike, as_seed_sequence, child_seed, make_rng
from neurosim.units import Quantity, ohm, require_quantity, second, siemens, to_si, volt

__all__ = ["FIDELITIES", "CrossbarArray", "Tiling", "first_order_ir_matrix",
           "one_hot_ir_factor"]

FIDELITIES = ("ideal", "quantised", "noisy", "full")
_EMPTY32 = np.zeros(0, dtype=np.float32)
_OWNER = "CrossbarArray"


@dataclass(frozen=True)
class Tiling:
    """How a logical ``shape`` weight matrix is cut into physical tiles.

    A tile has ``tile_rows x tile_cols`` cells and holds ``tile_rows x tile_cols // 2``
    weights (differential pairs in adjacent columns). Tile ``k`` covers logical rows
    ``rows(k)`` and columns ``cols(k)``; tiles are numbered row block first.
    """

    shape: tuple[int, int]
    tile_rows: int
    tile_cols: int

    @property
    def pairs_per_tile(self) -> int:
        return self.tile_cols // 2

    @property
    def grid(self) -> tuple[int, int]:
        """Tiles along the rows and along the columns."""
        n, m = self.shape
        return max(1, math.ceil(n / self.tile_rows)), max(1, math.ceil(m / self.pairs_per_tile))

    @property
    def n_tiles(self) -> int:
        a, b = self.grid
        return a * b

    def rows(self, k: int) -> slice:
        a = k // self.grid[1]
        return slice(a * self.tile_rows, min((a + 1) * self.tile_rows, self.shape[0]))

    def cols(self, k: int) -> slice:
        b = k % self.grid[1]
        p = self.pairs_per_tile
        return slice(b * p, min((b + 1) * p, self.shape[1]))

    def to_tiles(self, pos: np.ndarray, neg: np.ndarray, fill: float) -> np.ndarray:
        """Logical ``G+``/``G-`` matrices to physical tiles ``(n_tiles, rows, cols)``; cells
        outside the matrix get ``fill``. Column ``2c`` holds ``G+``, ``2c + 1`` holds ``G-``."""
        a, b = self.grid
        r, p = self.tile_rows, self.pairs_per_tile
        n, m = self.shape
        out = np.full((a * r, b * p, 2), fill)
        out[:n, :m, 0] = pos
        out[:n, :m, 1] = neg
        out = out.reshape(a, r, b, p, 2).transpose(0, 2, 1, 3, 4).reshape(a * b, r, 2 * p)
        if self.tile_cols % 2:  # an odd last column stays unused
            out = np.concatenate([out, np.full((a * b, r, 1), fill)], axis=2)
        return out

    def from_tiles(self, tiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`to_tiles`: the logical ``G+`` and ``G-`` matrices."""
        a, b = self.grid
        r, p = self.tile_rows, self.pairs_per_tile
        n, m = self.shape
        x = tiles[:, :, : 2 * p].reshape(a, b, r, p, 2).transpose(0, 2, 1, 3, 4)
        x = x.reshape(a * r, b * p, 2)
        return x[:n, :m, 0], x[:n, :m, 1]


def one_hot_ir_factor(g: np.ndarray, r_wire: float) -> np.ndarray:
    """First-order IR-drop factor of each cell when its row alone is driven.

    ``g`` is ``(..., rows, cols)`` in siemens. Row ``i`` driven at ``V`` loses
    ``V r sum_{k<=j} sum_{m>=k} g_im`` by column ``j`` (the row wire carries the currents of
    the cells beyond it); the column wire carries only this cell's current over
    ``rows - i`` segments. Returns ``1 - loss/V`` per cell (effective ``g`` = factor x ``g``).
    """
    rows = g.shape[-2]
    beyond = np.flip(np.cumsum(np.flip(g, -1), -1), -1)       # sum_{m>=k} g_im
    row_loss = r_wire * np.cumsum(beyond, -1)                   # sum_{k<=j}
    col_loss = r_wire * (rows - np.arange(rows))[:, None] * g
    return 1.0 - row_loss - col_loss


def first_order_ir_matrix(g: np.ndarray, r_wire: float) -> np.ndarray:
    """Effective conductances (``(..., rows, cols)``) with every row driven at once.

    Linearised: with ideal cell currents ``g_ij x_i``, the row drop at cell (i, j) is
    ``x_i A_ij`` (``A`` as in :func:`one_hot_ir_factor`) and the column drop
    ``r sum_m g_mj x_m (rows - max(i, m))``; so the output current
    ``sum_i g_ij (x_i - drops)`` equals ``x @ G_eff`` with
    ``G_eff = g (1 - A) - C``, ``C_mj = r g_mj sum_i g_ij (rows - max(i, m))``.
    """
    rows = g.shape[-2]
    beyond = np.flip(np.cumsum(np.flip(g, -1), -1), -1)
    a = r_wire * np.cumsum(beyond, -1)
    idx = np.arange(rows)[:, None]
    prefix = np.cumsum(g, -2)                                   # sum_{i<=m} g_ij
    weighted = g * (rows - idx)
    total_w = weighted.sum(-2, keepdims=True)
    after = total_w - np.cumsum(weighted, -2)                   # sum_{i>m} g_ij (rows - i)
    c = r_wire * g * ((rows - idx) * prefix + after)
    return g * (1.0 - a) - c


def _midtread(x: np.ndarray, full_scale: float | np.ndarray, bits: int | None) -> np.ndarray:
    """Signed mid-tread quantiser with ``2^(bits-1) - 1`` steps each side, clipped."""
    if bits is None:
        return x
    n = 2 ** (bits - 1) - 1
    step = np.asarray(full_scale, dtype=float) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.clip(np.rint(x / step), -n, n) * step
    return np.where(step > 0, q, 0.0)


def _quantity(value: Any, unit: Any, name: str, *, low: float = 0.0) -> float:
    require_quantity(value, unit, name, _OWNER)
    v = float(to_si(value))
    if not (math.isfinite(v) and v >= low):
        raise ParameterError(name, value, f">= {low:g} (SI)", _OWNER)
    return v


class CrossbarArray:
    """A signed weight matrix on tiles of resistive cells (see the module docstring).

    Parameters
    ----------
    shape
        ``(n_rows, n_cols)`` of the logical weight matrix (pre x post).
    device
        Cell parameters (default: :func:`neurosim.devices.neurram_wan2022`).
    fidelity
        One of :data:`FIDELITIES`.
    tile_shape
        Physical cells per tile ``(rows, cols)``; a tile holds ``cols // 2`` weight columns.
    v_read
        Read voltage of an active row (a Brian2 voltage).
    dac_bits, adc_bits
        Converter resolution (signed, mid-tread); ``None`` for ideal converters. Ignored
        (ideal) under ``fidelity="ideal"``.
    r_wire
        Wire resistance per cell segment (a Brian2 resistance); used under ``"full"`` only.
    seed
        Seed of the per-cell properties, programming noise and read noise.
    """

    def __init__(self, shape: tuple[int, int], device: ResistiveDevice | None = None,
                 fidelity: str = "noisy", tile_shape: tuple[int, int] = (256, 256),
                 v_read: Quantity = 0.2 * volt, dac_bits: int | None = 8,
                 adc_bits: int | None = 8, r_wire: Quantity = 0.5 * ohm,
                 seed: SeedLike = None):
        if fidelity not in FIDELITIES:
            raise ParameterError("fidelity", fidelity, f"one of {FIDELITIES}", _OWNER)
        try:
            n, m = (int(s) for s in shape)
            tr, tc = (int(s) for s in tile_shape)
        except (TypeError, ValueError):
            raise ParameterError("shape", shape, "two ints", _OWNER) from None
        if n < 1 or m < 1:
            raise ParameterError("shape", shape, "two ints >= 1", _OWNER)
        if tr < 1 or tc < 2:
            raise ParameterError("tile_shape", tile_shape, "(rows >= 1, cols >= 2)", _OWNER)
        device = neurram_wan2022() if device is None else device
        if not isinstance(device, ResistiveDevice):
            raise ParameterError("device", device, "a ResistiveDevice", _OWNER)
        for name, bits in (("dac_bits", dac_bits), ("adc_bits", adc_bits)):
            if bits is not None and (not isinstance(bits, int | np.integer) or bits < 2):
                raise ParameterError(name, bits, "an int >= 2 or None", _OWNER)
        self.fidelity = fidelity
        self.shape = (n, m)
        self.tiling = Tiling((n, m), tr, tc)
        self.device = self._effective_device(device, fidelity)
        self.v_read = _quantity(v_read, volt, "v_read", low=1e-300)
        self.r_wire = _quantity(r_wire, ohm, "r_wire") if fidelity == "full" else 0.0
        ideal = fidelity == "ideal"
        self.dac_bits = None if ideal else dac_bits
        self.adc_bits = None if ideal else adc_bits
        self._ss = as_seed_sequence(seed, "seed")
        self._program_rng = make_rng(self._ss, "program")
        # Read noise is the hot path's largest cost after the products (one normal per output
        # per read): SFC64 draws them ~30 % faster than the default PCG64, same quality class.
        self._read_rng = np.random.Generator(np.random.SFC64(child_seed(self._ss, "read")))
        s = self.device.to_si()
        self.g_min, self.g_max = float(s["G_min"]), float(s["G_max"])
        self.scale: float | None = None
        self.connected: np.ndarray | None = None   # logical mask of existing synapses
        self._target: np.ndarray | None = None      # physical (n_tiles, rows, cols)
        self._cells: DeviceArray | None = None
        self._g_ideal: np.ndarray | None = None     # programmed conductances, ideal path
        self._cache: dict[str, Any] = {}
        self.ledger = Ledger()

    @staticmethod
    def _effective_device(device: ResistiveDevice, fidelity: str) -> ResistiveDevice:
        if fidelity in ("ideal", "quantised"):
            # keep the window and levels, switch every stochastic effect off
            return device.replace(sigma_prog=0 * siemens, sigma_d2d=0.0, sigma_read=0.0,
                                  nu=0.0, sigma_nu=0.0, p_stuck_on=0.0, p_stuck_off=0.0)
        return device

    # -- stage 1: map ------------------------------------------------------------------------
    def map(self, weights: Any, w_max: float | None = None) -> np.ndarray:
        """Weights to target conductances of differential pairs, tiled.

        Parameters
        ----------
        weights
            ``(n_rows, n_cols)`` signed weights (NaN: no synapse, both cells at ``G_min``).
        w_max
            The largest ``|w|`` the array must represent (default ``max |weights|``; give
            the plasticity bound for plastic synapses so that weights can grow).

        Returns
        -------
        numpy.ndarray
            Physical target conductances in siemens, ``(n_tiles, tile_rows, tile_cols)``.
        """
        w = np.asarray(weights, dtype=float)
        if w.shape != self.shape:
            raise ParameterError("weights", w.shape, f"shape {self.shape}", f"{_OWNER}.map")
        self.connected = np.isfinite(w)
        wz = np.where(self.connected, w, 0.0)
        top = float(np.max(np.abs(wz))) if wz.size else 0.0
        if w_max is not None:
            top = max(top, float(w_max))
        span = self.g_max - self.g_min
        # power of two: (w * s) / s is exact, so the ideal path returns W bit for bit
        self.scale = 2.0 ** math.floor(math.log2(span / top)) if top > 0 else 1.0
        pos = self.g_min + self.scale * np.maximum(wz, 0.0)
        neg = self.g_min + self.scale * np.maximum(-wz, 0.0)
        self._target = self.tiling.to_tiles(pos, neg, self.g_min)
        self._cache.clear()
        return self._target.copy()

    # -- stage 2: quantise ---------------------------------------------------------------------
    def quantise(self) -> np.ndarray:
        """Targets to the nearest device level (identity under ``"ideal"``)."""
        self._require("_target", "map")
        if self.fidelity != "ideal":
            d = self.device
            self._target = K.quantize(self._target, self.g_min, self.g_max, d.n_levels)
        return self._target.copy()

    # -- stage 3: validate -------------------------------------------------------------------
    def validate(self) -> dict[str, float]:
        """Check the mapped targets against the hardware; raise ParameterError if they do
        not fit. Returns a report: cells outside the window (0 after a correct map), tile
        count, utilisation and the largest first-order IR-drop loss."""
        self._require("_target", "map")
        t = self._target
        tol = 1e-12 * self.g_max
        outside = int(np.count_nonzero((t < self.g_min - tol) | (t > self.g_max + tol)))
        if outside:
            raise ParameterError("weights", f"{outside} cells",
                                 f"conductances inside [{self.g_min:g}, {self.g_max:g}] S",
                                 f"{_OWNER}.validate")
        tr, tc = self.tiling.tile_rows, self.tiling.tile_cols
        if t.shape[1:] != (tr, tc):
            raise ParameterError("tile_shape", t.shape[1:], f"({tr}, {tc})",
                                 f"{_OWNER}.validate")
        worst = 0.0
        if self.r_wire > 0:
            worst = float(np.max(1.0 - one_hot_ir_factor(t, self.r_wire)))
        used = self.shape[0] * self.shape[1] * 2 / t.size
        return {"cells_outside_window": outside, "n_tiles": self.tiling.n_tiles,
                "utilisation": used, "max_ir_loss": worst}

    # -- stage 4: program --------------------------------------------------------------------
    def program(self, t: Quantity = 0.0 * second, mask: np.ndarray | None = None) -> np.ndarray:
        """Write the targets into the cells at time ``t`` (all, or the logical weights in
        ``mask``). Counts one program operation per written cell in the ledger.

        Returns
        -------
        numpy.ndarray
            Programmed conductances (siemens), physical layout.
        """
        self._require("_target", "map")
        t_s = _quantity(t, second, "t")
        phys_mask = self._phys_mask(mask)
        n_written = int(np.count_nonzero(phys_mask & (self._target > self.g_min)))
        if self.fidelity == "ideal":
            if self._g_ideal is None:
                self._g_ideal = np.full(self._target.shape, self.g_min)
            self._g_ideal[phys_mask] = self._target[phys_mask]
            g = self._g_ideal
        else:
            if self._cells is None:
                self._cells = DeviceArray(self.device, self._target.shape,
                                          child_seed(self._ss, "cells"))
            self._cells.program(self._target * siemens, self._program_rng, t=t_s * second,
                                mask=phys_mask)
            g = np.asarray(to_si(self._cells.conductance))
        # cells left at G_min (zero weights, unconnected) need no pulse
        self.ledger.add_programming(n_written, float(np.sum(self._target[phys_mask])),
                                    self.tiling.n_tiles)
        self._cache.clear()
        return g.copy()

    def load(self, weights: Any, t: Quantity = 0.0 * second, w_max: float | None = None
             ) -> dict[str, float]:
        """map -> quantise -> validate -> program, in one call; returns the validation report."""
        self.map(weights, w_max=w_max)
        self.quantise()
        report = self.validate()
        self.program(t)
        return report

    def _clipped_targets(self, weights: Any) -> np.ndarray:
        """Tiled pair targets of new weights at the first map's scale, clipped into the
        window as a real write would."""
        self._require("_target", "map")
        w = np.asarray(weights, dtype=float)
        wz = np.where(np.isfinite(w), w, 0.0)
        pos = np.clip(self.g_min + self.scale * np.maximum(wz, 0.0), self.g_min, self.g_max)
        neg = np.clip(self.g_min + self.scale * np.maximum(-wz, 0.0), self.g_min, self.g_max)
        return self.tiling.to_tiles(pos, neg, self.g_min)

    def reprogram(self, weights: Any, t: Quantity, changed: np.ndarray | None = None) -> None:
        """Program new weights into the cells that changed (same scale as the first map).

        Weights beyond the mapped range are clipped into the window, as a real write would.
        """
        self._target = self._clipped_targets(weights)
        self.quantise()
        self.program(t, mask=changed)

    def set_targets(self, weights: Any) -> None:
        """Record new weights as the cells' targets without programming them (the cells
        were written elsewhere, e.g. by on-device STDP pulses); same scale as the first map.
        Reads of the cells are not changed; the targets feed the ledger's conductances and
        the conductance map."""
        self._target = self._clipped_targets(weights)
        self._cache.clear()

    def _phys_mask(self, mask: np.ndarray | None) -> np.ndarray:
        if mask is None:
            logical = np.ones(self.shape, dtype=bool)
        else:
            logical = np.asarray(mask, dtype=bool)
        return self.tiling.to_tiles(logical, logical, False).astype(bool)

    # -- stage 5: read -----------------------------------------------------------------------
    def conductances(self, t: Quantity = 0.0 * second, noise: bool = True) -> np.ndarray:
        """Cell conductances at time ``t`` (siemens, physical layout): drift since each
        cell's programming, and a fresh draw of read noise when ``noise``."""
        self._require_programmed()
        t_s = _quantity(t, second, "t")
        if self.fidelity == "ideal":
            return self._g_ideal.copy()
        if noise and self.device.sigma_read > 0:
            return np.asarray(to_si(self._cells.read(t_s * second, self._read_rng)))
        return self._drifted(t_s)

    def _drifted(self, t_s: float) -> np.ndarray:
        key = ("drift", t_s)
        if key not in self._cache:
            c = self._cells
            g = np.asarray(to_si(c.conductance))
            tau = t_s - np.asarray(to_si(c.t_programmed))
            if np.any(tau < 0):
                raise ParameterError("t", t_s, "not before the last programming", _OWNER)
            nu = np.where(c.stuck_on | c.stuck_off, 0.0, c.nu)
            self._cache.clear()
            self._cache[key] = K.drift(g, tau, float(to_si(self.device.t0)), nu)
        return self._cache[key]

    def read(self, t: Quantity = 0.0 * second) -> np.ndarray:
        """The weights the array delivers at time ``t``, one row at a time (how spikes use it).

        Each weight is the ADC reading of its pair's differential current
        ``V_read (G+_eff - G-_eff)`` with only its row driven (event-driven input; the input
        DAC is a 1-bit spike, so exact), over ``V_read s``. ``G_eff`` has drift, read noise
        and the one-hot IR drop. NaN where there is no synapse.
        """
        g = self.conductances(t)
        if self.r_wire > 0:
            g = g * one_hot_ir_factor(g, self.r_wire)
        pos, neg = self.tiling.from_tiles(g)
        if self.fidelity == "ideal":
            w = (pos - neg) / self.scale
        else:
            i_diff = self.v_read * (pos - neg)
            full = self.v_read * (self.g_max - self.g_min)
            w = _midtread(i_diff, full, self.adc_bits) / (self.v_read * self.scale)
        return np.where(self.connected, w, np.nan)

    def target_conductance_sum(self) -> float:
        """Sum of the programmed target conductances (siemens), cached per target array: the
        ledger's read-energy bound, asked for at every mat-vec."""
        if getattr(self, "_gsum_of", None) is not self._target:
            self._gsum_of = self._target  # every change assigns a new array: `is` is safe
            self._gsum = float(self._target.sum())
        return self._gsum

    def matvec(self, x: np.ndarray, t: Quantity = 0.0 * second) -> np.ndarray:
        """``x @ W`` computed by the array at time ``t``: the analog read path.

        ``x`` (``(n_rows,)`` or a batch ``(batch, n_rows)``, values in [-1, 1]) goes through
        the DAC to row voltages ``x V_read``; the column currents of the (drifted, IR-dropped)
        conductances get read noise and the ADC (full scale: the largest column current the
        programmed targets can give), and come back in weight units.

        Read noise is drawn on the outputs: independent relative noise ``sigma_read`` on
        every cell gives each column current a normal error of variance
        ``sigma_read^2 sum_i (x_i V g_ij)^2``, which is exactly the distribution of the
        per-cell model, at the cost of one more product instead of a draw per cell.
        """
        self._require_programmed()
        t_s = _quantity(t, second, "t")
        xv = np.asarray(x, dtype=float)
        if xv.shape[-1] != self.shape[0]:
            raise ParameterError("x", xv.shape, f"last axis of length {self.shape[0]}",
                                 f"{_OWNER}.matvec")
        self.ledger.add_matvec(self, 1 if xv.ndim == 1 else xv.shape[0])
        if self.fidelity == "ideal":
            pos, neg = self.tiling.from_tiles(self._g_ideal)
            return xv @ ((pos - neg) / self.scale)
        ops = self._matvec_operands(t_s)
        f32 = ops["dtype"]
        # in-place passes over float32 buffers: this is the hot path (benchmarks/crossbar_read)
        xq = np.clip(xv, -1.0, 1.0).astype(f32)
        if self.dac_bits is not None:
            n_dac = 2 ** (self.dac_bits - 1) - 1
            xq *= n_dac
            np.rint(xq, out=xq)
            xq *= f32(1.0 / n_dac)
        y = xq @ ops["w"]
        var = z = _EMPTY32
        if ops["w2"] is not None:
            xq *= xq
            var = xq @ ops["w2"]
            z = self._read_rng.standard_normal(var.shape, dtype=f32)
        k = 1.0 / (self.v_read * self.scale)
        inv_step, n_adc = 1.0, 0
        if self.adc_bits is not None:
            n_adc = 2 ** (self.adc_bits - 1) - 1
            step = ops["full"] / n_adc
            inv_step = 1.0 / step
            k *= step
        # noise, ADC and float64 weight units in one compiled pass (readout.py)
        return finish_reads(y, var, z, float(ops["sigma"] or 0.0), inv_step, n_adc, k,
                            np.empty(y.shape))

    def _matvec_operands(self, t_s: float) -> dict[str, Any]:
        key = ("matvec", t_s)
        if key in self._cache:
            return self._cache[key]
        g = self._drifted(t_s).copy()
        if self.r_wire > 0:
            g = first_order_ir_matrix(g, self.r_wire)
        pos, neg = self.tiling.from_tiles(g)
        # currents per unit input, float32: the analog path's noise (>= 1e-3) dwarfs float32
        # rounding, and it halves the cost of the two products
        dtype = np.float32
        w = (self.v_read * (pos - neg)).astype(dtype)
        sigma = float(self.device.sigma_read)
        w2 = None
        if sigma > 0:
            gp, gn = self.tiling.from_tiles(self._drifted(t_s))
            w2 = ((self.v_read * gp) ** 2 + (self.v_read * gn) ** 2).astype(dtype)
        tp, tn = self.tiling.from_tiles(self._target)
        full = self.v_read * float(np.max(np.sum(np.abs(tp - tn), axis=0)) or 1.0)
        ops = {"w": w, "w2": w2, "sigma": sigma, "full": full, "dtype": dtype}
        self._cache[key] = ops
        return ops

    # -- helpers -----------------------------------------------------------------------------
    @property
    def target(self) -> np.ndarray:
        """Target conductances (siemens, physical layout) after the latest map/quantise."""
        self._require("_target", "map")
        return self._target.copy()

    @property
    def cells(self) -> DeviceArray | None:
        """The device state (None under ``"ideal"``, which has no devices)."""
        return self._cells

    def _require(self, attr: str, stage: str) -> None:
        if getattr(self, attr) is None:
            raise RuntimeError(f"{_OWNER}: call {stage}() first")

    def _require_programmed(self) -> None:
        if self._cells is None and self._g_ideal is None:
            raise RuntimeError(f"{_OWNER}: call program() (or load()) first")

    def __repr__(self) -> str:
        return (f"CrossbarArray(shape={self.shape}, fidelity={self.fidelity!r}, "
                f"tiles={self.tiling.n_tiles} x {self.tiling.tile_rows}x"
                f"{self.tiling.tile_cols})")

"""Energy and latency ledger of a crossbar run, with every constant and its source.

Each :class:`Constant` names where its number comes from. Where no source was found the
source says **assumption**; change it with :func:`constants` overrides, never silently.

Sources:

* Wan et al., "A compute-in-memory chip based on resistive random-access memory", Nature 608,
  504-512 (2022) (NeuRRAM, 130 nm), as tabulated per component (energy per action) in the
  Accelergy project's ``hwcomponents-library``, ``hwcomponents_library/library/neurram.py``
  (classes ``NeurramVariablePrecisionADC``: 0.3 pJ per conversion; ``NeurramAnalogIntegrator``:
  0.25 pJ per integration), 1.8 V.
* Shafiee et al., "ISAAC: A Convolutional Neural Network Accelerator with In-Situ Analog
  Arithmetic in Crossbars", ISCA 2016, Table 6 (32 nm): 8-bit ADC at 1.2 GS/s (from Kull et
  al., ISSCC 2013) and 1-bit DACs, as derived in the same library's ``isaac.py``
  (``IsaacADC``: 1/1.2 GHz per conversion; ``IsaacDAC``: 0.417 pJ and 1 ns per conversion).
* Cell energies are physics, ``V^2 G t`` (Joule heating of the cell while a pulse is applied),
  with assumed voltages and times.

Accounting (docs/crossbar.md): a spike drives its row once in every tile that holds it (one
DAC conversion, the cells of that row conduct for ``t_read``, one integration and one ADC
conversion per weight column). Rows of one tile are read one after the other, tiles in
parallel; neurons update in parallel once per time step. Programming a cell takes
``pulses_per_program`` write pulses, each followed by a verify read (one ADC conversion);
cells of a tile are written one after the other, tiles in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CONSTANTS", "Constant", "Ledger", "constants"]


@dataclass(frozen=True)
class Constant:
    """A number of the energy/latency model, in SI, with its source."""

    value: float
    unit: str
    source: str


_NEURRAM = ("Wan et al., Nature 608 (2022), NeuRRAM 130 nm, per-action energies as tabulated "
            "in Accelergy hwcomponents-library neurram.py")
_ISAAC = "Shafiee et al., ISCA 2016, Table 6, as derived in Accelergy hwcomponents-library isaac.py"

CONSTANTS: dict[str, Constant] = {
    "adc_energy": Constant(0.3e-12, "J", f"{_NEURRAM} (NeurramVariablePrecisionADC.convert)"),
    "adc_time": Constant(1 / 1.2e9, "s", f"{_ISAAC} (IsaacADC: 8-bit SAR at 1.2 GS/s)"),
    "dac_energy": Constant(0.41667e-12, "J", f"{_ISAAC} (IsaacDAC, 1-bit row driver)"),
    "dac_time": Constant(1e-9, "s", f"{_ISAAC} (IsaacDAC)"),
    "integrate_energy": Constant(0.25e-12, "J",
                                 f"{_NEURRAM} (NeurramAnalogIntegrator.integrate)"),
    "t_read": Constant(10e-9, "s", "assumption: row read (integration) window"),
    "v_prog": Constant(1.5, "V", "assumption: write pulse amplitude across the cell"),
    "t_pulse": Constant(100e-9, "s", "assumption: write pulse width"),
    "pulses_per_program": Constant(8.0, "1", "assumption: write-verify iterations per cell"),
    "neuron_energy": Constant(1e-12, "J", "assumption: one digital LIF update"),
    "neuron_time": Constant(10e-9, "s", "assumption: one LIF update, all neurons in parallel"),
}


def constants(**overrides: float) -> dict[str, Constant]:
    """The constants with some values replaced (their source becomes 'user override')."""
    out = dict(CONSTANTS)
    for name, value in overrides.items():
        if name not in out:
            raise KeyError(f"no ledger constant {name!r}; constants: {sorted(out)}")
        out[name] = Constant(float(value), out[name].unit, "user override")
    return out


_CATEGORIES = ("array_read", "adc", "dac", "integrate", "programming", "neuron_update")


@dataclass
class Ledger:
    """Counts, energy (pJ) and latency (us) of what the hardware did.

    ``counts``: row reads, ADC/DAC conversions, integrations, program pulses, neuron updates.
    ``energy_pJ`` and ``latency_us`` per category; ``total_energy_pJ``/``total_latency_us``.
    """

    const: dict[str, Constant] = field(default_factory=lambda: dict(CONSTANTS))
    counts: dict[str, float] = field(default_factory=dict)
    energy_pJ: dict[str, float] = field(default_factory=dict)
    latency_us: dict[str, float] = field(default_factory=dict)

    def _c(self, name: str) -> float:
        return self.const[name].value

    def _add(self, kind: str, count: float = 0.0, energy_j: float = 0.0,
             latency_s: float = 0.0, count_name: str | None = None) -> None:
        name = count_name or kind
        self.counts[name] = self.counts.get(name, 0.0) + float(count)
        self.energy_pJ[kind] = self.energy_pJ.get(kind, 0.0) + energy_j * 1e12
        self.latency_us[kind] = self.latency_us.get(kind, 0.0) + latency_s * 1e6

    # -- events --------------------------------------------------------------------------
    def add_programming(self, n_cells: int, g_sum: float, n_tiles: int = 1) -> None:
        """``n_cells`` cells written (their target conductances sum to ``g_sum`` S)."""
        p = self._c("pulses_per_program")
        e_pulse = p * self._c("v_prog") ** 2 * g_sum * self._c("t_pulse")
        n_pulses = p * n_cells
        per_tile = n_pulses / max(n_tiles, 1)
        self._add("programming", n_pulses, e_pulse, per_tile * self._c("t_pulse"),
                  "program_pulses")
        self._add("adc", n_pulses, n_pulses * self._c("adc_energy"),
                  per_tile * self._c("adc_time"), "adc_conversions")

    def add_pulses(self, n_pulses: int, g_sum: float, n_tiles: int = 1) -> None:
        """``n_pulses`` open-loop programming pulses of on-device plasticity (no verify
        read); ``g_sum`` (S) is the sum over pulses of the cell's conductance."""
        e = self._c("v_prog") ** 2 * g_sum * self._c("t_pulse")
        per_tile = n_pulses / max(n_tiles, 1)
        self._add("programming", n_pulses, e, per_tile * self._c("t_pulse"), "program_pulses")

    def merge(self, other: Ledger) -> None:
        """Add ``other``'s counts, energies and latencies into this ledger (in place)."""
        for attr in ("counts", "energy_pJ", "latency_us"):
            mine = getattr(self, attr)
            for k, v in getattr(other, attr).items():
                mine[k] = mine.get(k, 0.0) + v

    def add_row_reads(self, n_rows: float, g_sum: float, n_columns: float, v_read: float,
                      serial_rows: float) -> None:
        """``n_rows`` row activations whose conducting cells sum to ``g_sum`` S, digitising
        ``n_columns`` weight columns in all; ``serial_rows`` is the number of row reads the
        busiest tile did one after the other (the critical path)."""
        self._add("array_read", n_rows, v_read ** 2 * g_sum * self._c("t_read"),
                  serial_rows * self._c("t_read"), "row_reads")
        self._add("dac", n_rows, n_rows * self._c("dac_energy"),
                  serial_rows * self._c("dac_time"), "dac_conversions")
        self._add("integrate", n_columns, n_columns * self._c("integrate_energy"), 0.0,
                  "integrations")
        self._add("adc", n_columns, n_columns * self._c("adc_energy"),
                  serial_rows * self._c("adc_time"), "adc_conversions")

    def add_neuron_updates(self, n_neurons: int, n_steps: int) -> None:
        self._add("neuron_update", n_neurons * n_steps,
                  n_neurons * n_steps * self._c("neuron_energy"),
                  n_steps * self._c("neuron_time"), "neuron_updates")

    def add_matvec(self, array: Any, n_vectors: int) -> None:
        """One analog mat-vec per vector: every row driven in every tile, every column
        digitised in every tile, tiles in parallel."""
        tiling = array.tiling
        a, b = tiling.grid
        n, m = array.shape
        g_sum = array.target_conductance_sum()  # conducting cells at full-scale input (bound)
        self._add("array_read", n * b * n_vectors,
                  n_vectors * array.v_read ** 2 * g_sum * self._c("t_read"),
                  n_vectors * self._c("t_read"), "row_reads")
        self._add("dac", n * b * n_vectors, n * b * n_vectors * self._c("dac_energy"),
                  n_vectors * self._c("dac_time"), "dac_conversions")
        self._add("adc", m * a * n_vectors, m * a * n_vectors * self._c("adc_energy"),
                  n_vectors * self._c("adc_time"), "adc_conversions")

    # -- totals ---------------------------------------------------------------------------
    @property
    def total_energy_pJ(self) -> float:
        return float(sum(self.energy_pJ.values()))

    @property
    def total_latency_us(self) -> float:
        return float(sum(self.latency_us.values()))

    def __add__(self, other: Ledger) -> Ledger:
        out = Ledger(const=dict(self.const))
        for src in (self, other):
            for attr in ("counts", "energy_pJ", "latency_us"):
                mine = getattr(out, attr)
                for k, v in getattr(src, attr).items():
                    mine[k] = mine.get(k, 0.0) + v
        return out

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers (JSON-ready), with the constants and their sources."""
        return {"counts": dict(self.counts), "energy_pJ": dict(self.energy_pJ),
                "latency_us": dict(self.latency_us),
                "total_energy_pJ": self.total_energy_pJ,
                "total_latency_us": self.total_latency_us,
                "constants": {k: {"value": c.value, "unit": c.unit, "source": c.source}
                              for k, c in self.const.items()}}

    def __str__(self) -> str:
        lines = [f"{'category':<14} {'energy (pJ)':>14} {'latency (us)':>14}"]
        for k in _CATEGORIES:
            if k in self.energy_pJ:
                lines.append(f"{k:<14} {self.energy_pJ[k]:>14.4g} {self.latency_us[k]:>14.4g}")
        lines.append(f"{'total':<14} {self.total_energy_pJ:>14.4g} "
                     f"{self.total_latency_us:>14.4g}")
        return "\n".join(lines)

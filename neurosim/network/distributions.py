"""Random distributions for per-neuron values in a spec, with PyNN's names and units.

``RandomDistribution("uniform", low=-60 * mV, high=-50 * mV)`` or
``RandomDistribution("normal", mu=-55 * mV, sigma=2 * mV)``. Values are drawn from the
counter-based generator (:mod:`neurosim.counter_rng`) keyed by the root seed and a name, so
every engine starts from the same values for one seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from brian2 import get_dimensions

from neurosim.errors import ParameterError
from neurosim.units import Quantity, si_unit_name, to_si, unit_from_name

__all__ = ["RandomDistribution"]

_PARAMS = {"uniform": ("low", "high"), "normal": ("mu", "sigma")}


@dataclass(frozen=True, eq=False)
class RandomDistribution:
    """A distribution of a physical value: "uniform" (low, high) or "normal" (mu, sigma)."""

    name: str
    params: dict[str, Quantity] = field(default_factory=dict)

    def __init__(self, name: str, **params: Quantity):
        owner = "RandomDistribution"
        if name not in _PARAMS:
            raise ParameterError("name", name, f"one of {sorted(_PARAMS)}", owner)
        want = _PARAMS[name]
        if set(params) != set(want):
            raise ParameterError("params", sorted(params), f"exactly {list(want)}", owner)
        dims = {get_dimensions(v) if isinstance(v, Quantity) else None for v in params.values()}
        if None in dims or len(dims) != 1:
            raise ParameterError("params", params, "quantities with the same unit", owner)
        first, second = (float(to_si(params[k])) for k in want)
        if name == "uniform" and not first < second:
            raise ParameterError("high", params["high"], f"> low ({params['low']})", owner)
        if name == "normal" and not second >= 0:
            raise ParameterError("sigma", params["sigma"], "a value >= 0", owner)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", dict(params))

    @property
    def unit_name(self) -> str:
        return si_unit_name(next(iter(self.params.values())))

    def draw(self, key: np.uint64, n: int) -> np.ndarray:
        """``n`` values in SI units from the counter-based generator under ``key``."""
        from neurosim.counter_rng import uniform

        idx = np.arange(n)
        a, b = (float(to_si(self.params[k])) for k in _PARAMS[self.name])
        if self.name == "uniform":
            return a + (b - a) * uniform(key, 0, idx)
        u1 = 1.0 - uniform(key, 0, idx)  # in (0, 1]: safe for the logarithm
        u2 = uniform(key, 1, idx)
        return a + b * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)  # Box-Muller

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "RandomDistribution", "name": self.name, "unit": self.unit_name,
                "params": {k: float(to_si(v)) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RandomDistribution:
        unit = unit_from_name(d["unit"])
        return cls(d["name"], **{k: v * unit for k, v in d["params"].items()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomDistribution) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(str(self.to_dict()))

"""Shared machinery of the Hebbian network family: patterns, start states, Glauber runs.

The models (:mod:`neurosim.models.hopfield`, :mod:`neurosim.models.dense_hebbian`,
:mod:`neurosim.models.multitask_hebbian`) differ only in what they store and how they
normalise the energy ``E = -scale * sum_q S_q**P`` (see :mod:`neurosim.kernels.hebbian`); this
module draws the patterns, builds start states and runs the dynamics on either kernel.

Patterns (Agliari et al., Physica A 626:129076 (2023)): archetypes ``xi^mu`` in {-1, +1}^N
(or {-1, 0, +1} with blank probability ``d``, multitasking); examples
``eta^{mu,a} = chi^{mu,a} xi^mu`` with ``P(chi = +1) = (1 + r)/2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.kernels.hebbian import glauber_sweeps, glauber_sweeps_reference, overlap_sums
from neurosim.params import Params, number
from neurosim.random import SeedLike, as_seed_sequence, make_rng

__all__ = [
    "GlauberParams",
    "HebbianNetwork",
    "RetrievalResult",
    "draw_archetypes",
    "draw_examples",
    "flip_spins",
    "glauber",
    "smallest_int_dtype",
]

KERNELS = ("numba", "numpy")


_CHUNK = 1 << 20  # entries drawn per block: bounded float temporaries at any N


def _row_blocks(n_rows: int, row_size: int):
    step = max(1, _CHUNK // max(1, row_size))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def draw_archetypes(n_neurons: int, n_archetypes: int, rng: np.random.Generator,
                    dilution: float = 0.0) -> np.ndarray:
    """Archetypes as an int8 array (N, K): +-1 with equal probability, 0 with prob. ``dilution``.

    Drawn in blocks of rows so the float temporaries stay near 8 MB whatever N K is.
    """
    xi = np.empty((n_neurons, n_archetypes), dtype=np.int8)
    for rows in _row_blocks(n_neurons, n_archetypes):
        shape = (rows.stop - rows.start, n_archetypes)
        block = np.where(rng.random(shape) < 0.5, 1, -1).astype(np.int8)
        if dilution > 0:
            block[rng.random(shape) < dilution] = 0
        xi[rows] = block
    return xi


def draw_examples(archetypes: np.ndarray, n_examples: int, quality: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Examples ``eta[i, mu, a] = chi * xi[i, mu]`` (int8, shape (N, K, M)); blanks stay blank."""
    n, k = archetypes.shape
    eta = np.empty((n, k, n_examples), dtype=np.int8)
    for rows in _row_blocks(n, k * n_examples):
        shape = (rows.stop - rows.start, k, n_examples)
        chi = np.where(rng.random(shape) < (1.0 + quality) / 2.0, 1, -1).astype(np.int8)
        eta[rows] = chi * archetypes[rows, :, None]
    return eta


def flip_spins(sigma: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``sigma`` with exactly ``round(fraction N)`` spins, chosen at random, flipped."""
    if not 0.0 <= fraction <= 1.0:
        raise ParameterError("flip_fraction", fraction, "a number in [0, 1]")
    out = sigma.copy()
    n_flip = round(fraction * out.size)
    if n_flip:
        out[rng.choice(out.size, size=n_flip, replace=False)] *= -1
    return out


def smallest_int_dtype(bound: int) -> type:
    """The narrowest signed integer type holding values in [-bound, bound]."""
    for dt in (np.int8, np.int16, np.int32):
        if bound <= np.iinfo(dt).max:
            return dt
    return np.int64


class GlauberParams(Params):
    """Zero- or finite-temperature asynchronous dynamics.

    beta = inf is T = 0 (flip iff the energy drops); a run stops after a sweep with no flip
    or after ``max_sweeps`` sweeps.
    """

    beta: float = number(math.inf, low=0.0, allow_inf=True)
    max_sweeps: int = number(100, low=1, integer=True)


def glauber(patterns: np.ndarray, sigma0: np.ndarray, *, power: int, scale: float,
            dynamics: GlauberParams, rng: np.random.Generator, kernel: str = "numba",
            ) -> tuple[np.ndarray, int, int, bool]:
    """Run Glauber dynamics from ``sigma0`` (not modified).

    Returns
    -------
    sigma, sweeps, flips, converged
    """
    if kernel not in KERNELS:
        raise ParameterError("kernel", kernel, f"one of {KERNELS}")
    sigma = np.ascontiguousarray(sigma0, dtype=np.int8).copy()
    x = np.ascontiguousarray(patterns)
    overlaps = overlap_sums(x, sigma)
    run = glauber_sweeps if kernel == "numba" else glauber_sweeps_reference
    sweeps, flips, converged = run(x, sigma, overlaps, int(power), float(scale),
                                   float(dynamics.beta), int(dynamics.max_sweeps), rng)
    return sigma, int(sweeps), int(flips), bool(converged)


@dataclass(frozen=True)
class RetrievalResult:
    """The end state of one run and its order parameters.

    Attributes
    ----------
    sigma : int8 array (N,)
        Final spins.
    m : float array (K,)
        Mattis overlaps with the archetypes, ``xi^mu . sigma / N``.
    m_examples : float array (K, M) or None
        Overlaps with the examples, where the network has examples.
    sweeps, flips : int
        Sweeps run and spins flipped.
    converged : bool
        True when the last sweep flipped nothing (a T = 0 fixed point).
    start : str
        How the run started.
    """

    sigma: np.ndarray = field(repr=False)
    m: np.ndarray
    m_examples: np.ndarray | None
    sweeps: int
    flips: int
    converged: bool
    start: str

    def to_dict(self) -> dict[str, Any]:
        """Scalars and arrays for a results store (the spins are left out)."""
        out: dict[str, Any] = {"m": self.m, "sweeps": self.sweeps, "flips": self.flips,
                               "converged": self.converged}
        if self.m_examples is not None:
            out["m_examples"] = self.m_examples
        return out


class HebbianNetwork:
    """Base of the Hebbian models: stored vectors, energy and start states.

    Subclasses set ``archetypes`` (N, K), optionally ``examples`` (N, K, M), and implement
    :meth:`stored` returning ``(X, power, scale)`` for the kernel.
    """

    archetypes: np.ndarray
    examples: np.ndarray | None = None
    seed: SeedLike
    params: Params

    def _draw(self, params: Params, given: dict[str, Any], seed: SeedLike, *,
              with_examples: bool) -> None:
        """Set the parameters (``given`` overrides ``params``) and draw the patterns.

        Archetypes come from the child seed "archetypes" and examples from "examples", so a
        network's archetypes do not depend on whether it has examples.
        """
        self.params = params.replace(**{k: v for k, v in given.items() if v is not None})
        self.seed = as_seed_sequence(seed)
        p = self.params
        self.archetypes = draw_archetypes(p.n_neurons, p.n_archetypes,
                                          make_rng(self.seed, "archetypes"),
                                          dilution=getattr(p, "dilution", 0.0))
        self.examples = None
        if with_examples:
            self.examples = draw_examples(self.archetypes, p.n_examples, p.quality,
                                          make_rng(self.seed, "examples"))

    @property
    def n_neurons(self) -> int:
        return int(self.archetypes.shape[0])

    def stored(self) -> tuple[np.ndarray, int, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def overlaps(self, sigma: np.ndarray) -> np.ndarray:
        """Mattis overlaps with the archetypes."""
        return overlap_sums(self.archetypes, sigma) / self.n_neurons

    def example_overlaps(self, sigma: np.ndarray) -> np.ndarray | None:
        """Overlaps with every example, shape (K, M), or None without examples."""
        if self.examples is None:
            return None
        n, k, m = self.examples.shape
        return (overlap_sums(self.examples.reshape(n, k * m), sigma) / n).reshape(k, m)

    def energy(self, sigma: np.ndarray) -> float:
        """``E = -scale * sum_q S_q**P`` (the Hamiltonian the dynamics descends)."""
        x, power, scale = self.stored()
        s = overlap_sums(x, sigma).astype(np.float64)
        return float(-scale * np.sum(s**power))

    def start_state(self, start: str | np.ndarray, target: int, rng: np.random.Generator,
                    ) -> np.ndarray:
        """Spins to start from: ``"archetype"``, ``"example"`` (first example of ``target``),
        ``"random"``, a model-specific name, or an explicit +-1 array."""
        n, k = self.archetypes.shape
        if isinstance(start, np.ndarray):
            arr = np.asarray(start)
            if arr.shape != (n,) or not np.all(np.abs(arr) == 1):
                raise ParameterError("start", f"array of shape {arr.shape}",
                                     f"a +-1 array of shape ({n},)")
            return arr.astype(np.int8)
        if start in ("archetype", "example") and not 0 <= target < k:
            raise ParameterError("target", target, f"an archetype index in [0, {k - 1}]")
        if start == "archetype":
            return self._fill_blanks(self.archetypes[:, target].copy(), rng)
        if start == "example":
            if self.examples is None:
                raise ParameterError("start", start, "'archetype' or 'random' (no examples)")
            return self._fill_blanks(self.examples[:, target, 0].copy(), rng)
        if start == "random":
            return np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
        return self._model_start(start, target, rng)

    def _model_start(self, start: str, target: int, rng: np.random.Generator) -> np.ndarray:
        raise ParameterError("start", start, f"one of {self.start_names()} or a +-1 array")

    @classmethod
    def start_names(cls) -> tuple[str, ...]:
        return ("archetype", "example", "random")

    @staticmethod
    def _fill_blanks(sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        blank = sigma == 0
        if blank.any():
            sigma[blank] = np.where(rng.random(int(blank.sum())) < 0.5, 1, -1)
        return sigma.astype(np.int8)

    def run(self, start: str | np.ndarray = "archetype", *, target: int = 0,
            flip_fraction: float = 0.0, beta: float = math.inf, max_sweeps: int = 100,
            seed: SeedLike = None, kernel: str = "numba") -> RetrievalResult:
        """Run Glauber dynamics and return the overlaps of the end state.

        Parameters
        ----------
        start
            ``"archetype"`` (default), ``"example"``, ``"random"``, a model-specific start
            (``"cascade"`` for the multitasking network) or a +-1 array of length N.
        target
            Which archetype (or class) the start refers to.
        flip_fraction
            Fraction of spins flipped at random in the start state.
        beta
            Inverse temperature, ``inf`` (default) for T = 0.
        max_sweeps
            Sweep budget.
        seed
            Seed of the start noise and the dynamics; ``None`` uses the network's seed, so the
            same network and arguments give the same run.
        kernel
            ``"numba"`` (default) or ``"numpy"`` (the vectorised twin, for cross-checks).
        """
        dynamics = GlauberParams(beta=beta, max_sweeps=max_sweeps)
        root = self.seed if seed is None else seed
        sigma0 = self.start_state(start, target, make_rng(root, "start"))
        sigma0 = flip_spins(sigma0, flip_fraction, make_rng(root, "start-flips"))
        x, power, scale = self.stored()
        sigma, sweeps, flips, converged = glauber(
            x, sigma0, power=power, scale=scale, dynamics=dynamics,
            rng=make_rng(root, "dynamics"), kernel=kernel)
        return RetrievalResult(sigma=sigma, m=self.overlaps(sigma),
                               m_examples=self.example_overlaps(sigma), sweeps=sweeps,
                               flips=flips, converged=converged,
                               start=start if isinstance(start, str) else "array")

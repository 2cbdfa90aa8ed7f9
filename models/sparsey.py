"""Sparsey: sparse distributed codes chosen in fixed time by familiarity-graded noise.

Rinkus, "A cortical sparse distributed coding model linking mini- and macrocolumn-scale
functionality", Front. Neuroanat. 4:17 (2010); "Sparsey: event recognition via deep
hierarchical sparse distributed codes", Front. Comput. Neurosci. 8:160 (2014); arXiv
1710.07829 (2017). A macrocolumn (mac) is Q competitive modules (CMs) of K binary cells; a
code is one winner per CM. The code selection algorithm (CSA, :mod:`neurosim.kernels.sparsey`)
measures how familiar an input is (G, the mean over CMs of the best local support) and adds
less noise to the choice of winners the more familiar it is, so similar inputs get similar
(intersecting) codes, and a new code is chosen and learned (single trial, binary Hebbian) in a
time that does not depend on how many items are stored. See ``docs/sparsey.md``.

:class:`SparseyCoder` is one mac; :class:`SparseyHierarchy` tiles levels of macs over an image
(spatial, or spatiotemporal with horizontal and top-down inputs from the previous step);
:class:`SparseyClassifier` reads labels off the top-level codes (estimator-style).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.kernels.sparsey import run_mac, run_mac_reference
from neurosim.params import Params, number
from neurosim.random import SeedLike, as_seed_sequence, make_rng

__all__ = [
    "READOUTS",
    "LearnResult",
    "SaturationWarning",
    "SparseyClassifier",
    "SparseyCoder",
    "SparseyHierarchy",
    "SparseyLevel",
    "SparseyParams",
    "code_overlap",
    "mac_votes",
    "perturb",
    "random_inputs",
    "sparsey_point",
]


class SaturationWarning(UserWarning):
    """A mac was asked to learn after its critical period ended (its weights are frozen)."""


class SparseyParams(Params):
    """One mac: size, the CSA's familiarity-to-noise mapping, and the critical period.

    Sizes: ``n_cms`` Q = 24 CMs of ``cells_per_cm`` K = 16 cells over ``n_inputs`` = 384 binary
    inputs are the configuration of issue 10's acceptance test (Rinkus 2010 and 2014 use Q and
    K of this order: Q = 24, K = 8 ... 16 in their figures of single macs).

    CSA (Rinkus 2014, eqs. 2-6; the "+1" of mu keeps every cell in the draw, so familiarity
    grades the noise rather than switching it off): ``eta = 1 + chi K g**gamma`` with
    ``g = max(0, (G - g_minus) / (1 - g_minus))``, and
    ``mu(i) = (eta - 1) / (1 + exp(-(lam V(i) - phi))) + 1``. The papers give the functional
    forms, not one set of constants; the defaults here are ours, chosen so that a novel random
    input (G well below ``g_minus`` = 0.6 while the mac is young) gets a uniformly random code
    (overlap 1/K with any other) and a familiar one (G near 1) keeps its code with probability
    > 0.9 per CM: the sigmoid's midpoint ``phi / lam`` = 30 / 50 = 0.6 separates the support
    of a stored cell (near 1) from chance support (about 0.2 at the critical period's end);
    its gain ``lam`` = 50; ``chi`` = 100, ``gamma`` = 1 (docs/sparsey.md has the same table;
    a test pins the two together).

    Critical period (Rinkus 2014, section 2.4): learning stops when the fraction of the mac's
    weights that are set passes ``freeze_at`` = 0.3 (about 90 random items of 24 inputs in the
    default mac), past which chance support would reach ``g_minus`` and new codes would be
    biased towards the most used cells (crosstalk).
    """

    n_inputs: int = number(384, low=1, integer=True)
    n_cms: int = number(24, low=1, integer=True)
    cells_per_cm: int = number(16, low=2, integer=True)
    g_minus: float = number(0.6, low=0.0, high=1.0, high_open=True)
    chi: float = number(100.0, low=0.0)
    gamma: float = number(1.0, low=0.0, low_open=True)
    lam: float = number(50.0, low=0.0)
    phi: float = number(30.0)
    freeze_at: float = number(0.3, low=0.0, low_open=True, high=1.0)

    @property
    def n_cells(self) -> int:
        """M = Q K."""
        return self.n_cms * self.cells_per_cm


@dataclass(frozen=True)
class LearnResult:
    """What :meth:`SparseyCoder.learn` did with one input (``learned`` False: frozen)."""

    code: np.ndarray
    familiarity: float
    learned: bool


def code_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Fraction of CMs in which two codes have the same winner (inactive CMs, -1, never match).

    Works on single codes (Q,) or on stacks (..., Q) (the result then has the leading shape).
    """
    a = np.asarray(a)
    b = np.asarray(b)
    same = (a == b) & (a >= 0)
    out = same.mean(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def _as_batch(x: Any, n: int, owner: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != n:
        raise ParameterError("x", arr.shape, f"binary input(s) of length {n}", owner)
    return arr != 0


def _csr(active: np.ndarray, offsets: Sequence[int] = (0,)) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the active columns of a bool (B, N) matrix, shifted by ``offsets`` per block."""
    rows, cols = np.nonzero(active)
    indptr = np.zeros(active.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=active.shape[0]), out=indptr[1:])
    return indptr, cols.astype(np.int64)


class SparseyCoder:
    """One Sparsey macrocolumn: Q CMs of K binary cells over binary inputs.

    Parameters
    ----------
    n_inputs, n_cms, cells_per_cm
        Override the fields of ``params``.
    params
        :class:`SparseyParams` (defaults cited there).
    context_inputs
        Sizes of further input sources (horizontal, top-down) whose normalised support
        multiplies the bottom-up one; () for a purely spatial mac.
    seed
        Seed or Generator of the CSA's draws (kept and consumed across calls).
    kernel
        "numba" (compiled) or "numpy" (the twin, for cross-checks).

    Examples
    --------
    >>> import numpy as np
    >>> mac = SparseyCoder(seed=0)
    >>> x = np.zeros(384, bool); x[:24] = True
    >>> code = mac.learn(x).code
    >>> code_overlap(mac.infer(x), code)
    1.0
    """

    def __init__(self, n_inputs: int | None = None, n_cms: int | None = None,
                 cells_per_cm: int | None = None, *, params: SparseyParams | None = None,
                 context_inputs: Sequence[int] = (), seed: SeedLike = None,
                 kernel: str = "numba") -> None:
        given = {k: v for k, v in (("n_inputs", n_inputs), ("n_cms", n_cms),
                                   ("cells_per_cm", cells_per_cm)) if v is not None}
        self.params: SparseyParams = (params or SparseyParams()).replace(**given)
        if kernel not in ("numba", "numpy"):
            raise ParameterError("kernel", kernel, "'numba' or 'numpy'", "SparseyCoder")
        sizes = [self.params.n_inputs, *(int(c) for c in context_inputs)]
        if any(s < 1 for s in sizes):
            raise ParameterError("context_inputs", tuple(context_inputs), "sizes >= 1",
                                 "SparseyCoder")
        self.kernel = kernel
        self.source_sizes = tuple(sizes)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.weights = np.zeros((int(self.offsets[-1]), self.params.n_cells), np.uint8)
        self.n_set = 0
        self.n_learned = 0
        self.rng = make_rng(seed, "sparsey")
        self._warned = False

    # -- state -------------------------------------------------------------------------
    @property
    def saturation(self) -> float:
        """Fraction of the mac's afferent weights that are set (0 ... 1)."""
        return self.n_set / self.weights.size

    @property
    def frozen(self) -> bool:
        """True once the critical period is over: ``saturation >= freeze_at``."""
        return self.n_set >= self.params.freeze_at * self.weights.size

    def code_cells(self, code: np.ndarray) -> np.ndarray:
        """Cell indices (q K + winner) of a code's active cells (inactive CMs left out)."""
        code = np.asarray(code)
        q = np.arange(code.shape[-1])
        cells = q * self.params.cells_per_cm + code
        return cells[code >= 0]

    def features(self, codes: np.ndarray) -> np.ndarray:
        """bool (B, Q K): the active cells of each code, for readouts."""
        codes = np.atleast_2d(codes)
        out = np.zeros((codes.shape[0], self.params.n_cells), bool)
        rows, cms = np.nonzero(codes >= 0)
        out[rows, cms * self.params.cells_per_cm + codes[rows, cms]] = True
        return out

    # -- the CSA -------------------------------------------------------------------------
    def _run(self, x: Any, context: Sequence[Any], *, stochastic: bool, learn: bool,
             owner: str, empty_ok: bool = False
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        blocks = [_as_batch(x, self.source_sizes[0], owner)]
        empty = np.flatnonzero(~blocks[0].any(axis=1))
        if empty.size and not empty_ok:  # a hierarchy's macs see blank regions by design
            warnings.warn(f"{owner}: {empty.size} input(s) with no active bit (rows "
                          f"{empty[:10].tolist()}{' ...' if empty.size > 10 else ''}) get no "
                          "code: codes -1, familiarity NaN, nothing learned", stacklevel=3)
        if len(context) != len(self.source_sizes) - 1:
            raise ParameterError("context", len(context),
                                 f"{len(self.source_sizes) - 1} context input(s)", owner)
        for size, c in zip(self.source_sizes[1:], context):
            c = _as_batch(c, size, owner)
            if c.shape[0] != blocks[0].shape[0]:
                raise ParameterError("context", c.shape, "one row per input", owner)
            blocks.append(c)
        active = np.concatenate(blocks, axis=1) if len(blocks) > 1 else blocks[0]
        indptr, indices = _csr(active)
        b = active.shape[0]
        p = self.params
        codes = np.full((b, p.n_cms), -1, np.int64)
        fam = np.full(b, np.nan)
        learned = np.zeros(b, bool)
        fn = run_mac if self.kernel == "numba" else run_mac_reference
        self.n_set = int(fn(self.weights, self.offsets, indptr, indices, p.n_cms,
                            p.cells_per_cm, float(p.g_minus), float(p.chi), float(p.gamma),
                            float(p.lam), float(p.phi), stochastic, learn, float(p.freeze_at),
                            self.n_set, self.rng, codes, fam, learned))
        if learn:
            self.n_learned += int(learned.sum())
            refused = np.count_nonzero(~learned & (codes[:, 0] >= 0))
            if refused and not self._warned:
                self._warned = True
                warnings.warn(
                    f"SparseyCoder: the mac is saturated ({self.saturation:.3f} of its weights "
                    f"set, freeze_at = {p.freeze_at}); its critical period is over and it no "
                    "longer learns (codes are still chosen)", SaturationWarning, stacklevel=3)
        return codes, fam, learned

    def learn(self, x: Any, context: Sequence[Any] = ()) -> LearnResult:
        """Choose a code for ``x`` with the CSA and learn it in one trial.

        Parameters
        ----------
        x
            Binary input, shape (n_inputs,).
        context
            One binary vector per context source (horizontal, top-down), if any.

        Returns
        -------
        LearnResult
            ``learned`` is False (and a :class:`SaturationWarning` is issued, once) when the
            mac is frozen, or when x has no active input (the mac stays inactive).
        """
        codes, fam, learned = self._run(x, [np.asarray(c)[None] for c in context],
                                        stochastic=True, learn=True, owner="SparseyCoder.learn")
        return LearnResult(codes[0], float(fam[0]), bool(learned[0]))

    def learn_many(self, x: Any, context: Sequence[Any] = ()
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Learn the rows of ``x`` in order, one trial each: (codes, familiarity, learned)."""
        return self._run(x, context, stochastic=True, learn=True,
                         owner="SparseyCoder.learn_many")

    def infer(self, x: Any, context: Sequence[Any] = ()) -> np.ndarray:
        """Retrieval: the argmax-of-V code of ``x`` (or of each row of a 2-D ``x``); no learning."""
        codes, _, _ = self._run(x, context, stochastic=False, learn=False,
                                owner="SparseyCoder.infer")
        return codes[0] if np.ndim(x) == 1 else codes

    def encode(self, x: Any, context: Sequence[Any] = ()) -> tuple[np.ndarray, np.ndarray]:
        """The CSA's stochastic choice without learning: (codes, familiarity) per row."""
        codes, fam, _ = self._run(x, context, stochastic=True, learn=False,
                                  owner="SparseyCoder.encode")
        return codes, fam

    def familiarity(self, x: Any, context: Sequence[Any] = ()) -> float | np.ndarray:
        """G of ``x`` (mean over CMs of the largest local support)."""
        _, fam, _ = self._run(x, context, stochastic=False, learn=False,
                              owner="SparseyCoder.familiarity")
        return float(fam[0]) if np.ndim(x) == 1 else fam


# -- hierarchies --------------------------------------------------------------------------


@dataclass(frozen=True)
class SparseyLevel:
    """One level of a hierarchy: a grid of macs tiling the level below.

    ``rf`` and ``stride`` are in units of the level below (pixels for level 1, macs above).
    A mac is active at a step only if the number of active units in its receptive field
    (pixels on, or child macs active) lies in ``[theta_min, theta_max]`` (Rinkus 2014,
    section 2.2); ``theta_max`` None means no upper bound. ``params.n_inputs`` is ignored (the
    receptive field sets it).
    """

    rf: tuple[int, int]
    stride: tuple[int, int]
    params: SparseyParams = field(default_factory=SparseyParams)
    theta_min: int = 1
    theta_max: int | None = None


@dataclass
class _Mac:
    coder: SparseyCoder
    units: np.ndarray            # indices into the level below's units
    parents: list[int] = field(default_factory=list)


class SparseyHierarchy:
    """Levels of Sparsey macs over a 2-D binary input.

    Parameters
    ----------
    input_shape
        (rows, cols) of the binary input.
    levels
        :class:`SparseyLevel` s, bottom first.
    temporal
        Spatiotemporal macs: each mac's local support is the product of its bottom-up
        support, its horizontal support (codes of every mac of its level at t - 1) and its
        top-down support (codes of the macs of the level above that contain it, at t - 1),
        each normalised by its number of active inputs (Rinkus 2014, eq. 2). With False, each
        input is coded independently (bottom-up only).
    seed, kernel
        As for :class:`SparseyCoder`; every mac has its own named child seed.
    """

    def __init__(self, input_shape: tuple[int, int], levels: Sequence[SparseyLevel], *,
                 temporal: bool = False, seed: SeedLike = None, kernel: str = "numba") -> None:
        owner = "SparseyHierarchy"
        if len(levels) < 1:
            raise ParameterError("levels", levels, "at least one SparseyLevel", owner)
        self.input_shape = (int(input_shape[0]), int(input_shape[1]))
        self.levels = tuple(levels)
        self.temporal = bool(temporal)
        root = as_seed_sequence(seed)
        grid = self.input_shape
        unit_size = 1
        self.grids: list[tuple[int, int]] = []
        self.macs: list[list[_Mac]] = []
        plans = []
        for lv, level in enumerate(self.levels):
            (rh, rw), (sh, sw) = level.rf, level.stride
            if rh > grid[0] or rw > grid[1] or min(rh, rw, sh, sw) < 1:
                raise ParameterError("rf", level.rf, f"at most the grid below {grid}, "
                                     "stride >= 1", f"{owner} level {lv}")
            rows = (grid[0] - rh) // sh + 1
            cols = (grid[1] - rw) // sw + 1
            units = []
            for r in range(rows):
                for c in range(cols):
                    rr, cc = np.meshgrid(np.arange(r * sh, r * sh + rh),
                                         np.arange(c * sw, c * sw + rw), indexing="ij")
                    units.append((rr * grid[1] + cc).ravel())
            plans.append((rows, cols, units, unit_size))
            self.grids.append((rows, cols))
            grid = (rows, cols)
            unit_size = level.params.n_cells
        # parents: which macs of level l + 1 contain each mac of level l
        parent_lists = [[[] for _ in plan[2]] for plan in plans]
        for lv in range(len(plans) - 1):
            for pi, units in enumerate(plans[lv + 1][2]):
                for child in units:
                    parent_lists[lv][int(child)].append(pi)
        for lv, (level, plan) in enumerate(zip(self.levels, plans)):
            rows, cols, units, unit_size = plan
            n_macs = rows * cols
            row = []
            for mi, u in enumerate(units):
                context: list[int] = []
                if self.temporal:
                    context.append(n_macs * level.params.n_cells)
                    if lv + 1 < len(plans) and parent_lists[lv][mi]:
                        context.append(len(parent_lists[lv][mi])
                                       * self.levels[lv + 1].params.n_cells)
                coder = SparseyCoder(params=level.params.replace(n_inputs=len(u) * unit_size),
                                     context_inputs=context, kernel=kernel,
                                     seed=make_rng(root, "mac", str(lv), str(mi)))
                row.append(_Mac(coder, np.asarray(u, np.int64), parent_lists[lv][mi]))
            self.macs.append(row)

    @property
    def top(self) -> list[SparseyCoder]:
        """The macs of the top level."""
        return [m.coder for m in self.macs[-1]]

    def saturation(self) -> list[np.ndarray]:
        """Saturation of every mac, per level."""
        return [np.array([m.coder.saturation for m in row]) for row in self.macs]

    def _images(self, x: Any, owner: str) -> np.ndarray:
        arr = np.asarray(x)
        rows, cols = self.input_shape
        if arr.ndim == 2 and arr.shape[1] == rows * cols:
            arr = arr.reshape(-1, rows, cols)
        if arr.ndim == 2 and arr.shape == (rows, cols):
            arr = arr[None]
        if arr.ndim != 3 or arr.shape[1:] != (rows, cols):
            raise ParameterError("x", arr.shape, f"binary images of shape {self.input_shape} "
                                 f"(or rows of {rows * cols})", owner)
        return (arr != 0).reshape(arr.shape[0], rows * cols)

    def _bottom_up(self, lv: int, mac: _Mac, below: np.ndarray) -> np.ndarray:
        """bool (B, n_inputs) bottom-up input of one mac; ``below``: bool (B, units, size)."""
        part = below[:, mac.units]
        level = self.levels[lv]
        count = part.any(axis=2).sum(axis=1)
        hi = level.theta_max if level.theta_max is not None else math.inf
        inside = (count >= level.theta_min) & (count <= hi)
        flat = part.reshape(part.shape[0], -1)
        return flat & inside[:, None]   # outside the window: no active input, mac inactive

    def _one_hot(self, lv: int, codes: np.ndarray) -> np.ndarray:
        """bool (B, n_macs, Q K) from codes (B, n_macs, Q)."""
        p = self.levels[lv].params
        b, n, _q = codes.shape
        out = np.zeros((b, n, p.n_cells), bool)
        bi, mi, qi = np.nonzero(codes >= 0)
        out[bi, mi, qi * p.cells_per_cm + codes[bi, mi, qi]] = True
        return out

    def run(self, x: Any, *, learn: bool) -> dict[str, list[np.ndarray]]:
        """Code every input (learning them, single trial, if ``learn``).

        Spatial hierarchies code each image independently (level by level over the whole
        batch, which is the same computation as image by image); temporal ones take ``x`` as
        one sequence and step through it.

        Returns
        -------
        dict
            ``codes``: per level an int array (B, n_macs, Q) (-1: inactive);
            ``familiarity``: per level (B, n_macs); ``learned``: per level bool (B, n_macs).
        """
        images = self._images(x, "SparseyHierarchy.run")
        if self.temporal:
            return self._run_temporal(images, learn)
        out: dict[str, list[np.ndarray]] = {"codes": [], "familiarity": [], "learned": []}
        below = images[:, :, None]
        for lv, row in enumerate(self.macs):
            b = images.shape[0]
            q = self.levels[lv].params.n_cms
            codes = np.full((b, len(row), q), -1, np.int64)
            fam = np.full((b, len(row)), np.nan)
            done = np.zeros((b, len(row)), bool)
            for mi, mac in enumerate(row):
                bu = self._bottom_up(lv, mac, below)
                # as learn_many / infer, where a blank region leaves the mac off
                c, f, ok = mac.coder._run(bu, (), stochastic=learn, learn=learn,
                                          owner="SparseyHierarchy.run", empty_ok=True)
                codes[:, mi], fam[:, mi], done[:, mi] = c, f, ok
            out["codes"].append(codes)
            out["familiarity"].append(fam)
            out["learned"].append(done)
            below = self._one_hot(lv, codes)
        return out

    def _run_temporal(self, images: np.ndarray, learn: bool) -> dict[str, list[np.ndarray]]:
        steps = images.shape[0]
        n_lv = len(self.macs)
        codes = [np.full((steps, len(row), self.levels[lv].params.n_cms), -1, np.int64)
                 for lv, row in enumerate(self.macs)]
        fam = [np.full((steps, len(row)), np.nan) for row in self.macs]
        done = [np.zeros((steps, len(row)), bool) for row in self.macs]
        prev = [np.zeros((1, len(row), self.levels[lv].params.n_cells), bool)
                for lv, row in enumerate(self.macs)]
        for t in range(steps):
            below = images[t:t + 1, :, None]
            now = []
            for lv, row in enumerate(self.macs):
                for mi, mac in enumerate(row):
                    bu = self._bottom_up(lv, mac, below)
                    context = [prev[lv].reshape(1, -1)]
                    if lv + 1 < n_lv and mac.parents:
                        context.append(prev[lv + 1][:, mac.parents].reshape(1, -1))
                    if not bu.any():
                        # no bottom-up input: the mac stays off (context alone never
                        # activates a mac)
                        context = [np.zeros_like(c) for c in context]
                    c, f, ok = mac.coder._run(bu, context, stochastic=learn, learn=learn,
                                              owner="SparseyHierarchy.run", empty_ok=True)
                    codes[lv][t, mi], fam[lv][t, mi], done[lv][t, mi] = c[0], f[0], ok[0]
                below = self._one_hot(lv, codes[lv][t:t + 1])
                now.append(below)
            prev = now
        return {"codes": codes, "familiarity": fam, "learned": done}

    def learn(self, x: Any) -> dict[str, list[np.ndarray]]:
        """Learn ``x`` in one trial per input (see :meth:`run`)."""
        return self.run(x, learn=True)

    def infer(self, x: Any) -> dict[str, list[np.ndarray]]:
        """Code ``x`` by retrieval (argmax), without learning (see :meth:`run`)."""
        return self.run(x, learn=False)

    def features(self, codes: np.ndarray, level: int = -1) -> np.ndarray:
        """bool (B, n_macs Q K): the active cells of a level's codes, for readouts."""
        lv = level % len(self.macs)
        one = self._one_hot(lv, codes)
        return one.reshape(one.shape[0], -1)


# -- classification ------------------------------------------------------------------------


#: the readouts of :class:`SparseyClassifier`
READOUTS = ("hebbian", "nearest", "vote")


class SparseyClassifier:
    """Unsupervised single-trial Sparsey learning, then a readout of the top-level codes.

    ``fit(X, y)`` presents every training input once (the model learns it in one trial,
    without labels), recodes the training set by retrieval, then fits the readout:

    - ``"hebbian"``: one label unit per class, ``w(c, cell)`` = the fraction of class c's
      training codes that contain the cell; the prediction is the class whose label unit gets
      the largest input from the code (a Hebbian association of codes with labels);
    - ``"nearest"``: the label of the training code with the largest intersection;
    - ``"vote"``: every mac votes (:func:`mac_votes`): a mac active in the test input gives
      one vote, shared among the training inputs whose code in that mac intersects the test
      code most; the class with the most votes wins. Nearest-code compares whole codes, so
      one image must match another everywhere; votes let each field find its own best match
      in a different training image (for one mac the two readouts agree, up to ties).

    Parameters
    ----------
    model
        An unfitted :class:`SparseyCoder` or :class:`SparseyHierarchy`.
    readout
        "hebbian", "nearest" or "vote".
    threshold
        Inputs are binarised as ``X > threshold``.
    """

    def __init__(self, model: SparseyCoder | SparseyHierarchy, *, readout: str = "hebbian",
                 threshold: float = 0.0) -> None:
        if readout not in READOUTS:
            raise ParameterError("readout", readout, " or ".join(map(repr, READOUTS)),
                                 "SparseyClassifier")
        self.model = model
        self.readout = readout
        self.threshold = float(threshold)

    def _mac_codes(self, x: np.ndarray, learn: bool) -> np.ndarray:
        """Top-level codes (B, n_macs, Q), -1 where a mac is inactive (one mac: n_macs 1)."""
        xb = np.asarray(x) > self.threshold
        if isinstance(self.model, SparseyHierarchy):
            return self.model.run(xb, learn=learn)["codes"][-1]
        xb = xb.reshape(xb.shape[0], -1)
        if learn:
            self.model.learn_many(xb)
        return self.model.infer(xb)[:, None, :]

    def _features(self, codes: np.ndarray) -> np.ndarray:
        if isinstance(self.model, SparseyHierarchy):
            return self.model.features(codes)
        return self.model.features(codes[:, 0])

    def fit(self, x: np.ndarray, y: np.ndarray) -> SparseyClassifier:
        """Learn every row of ``x`` in one trial, then fit the readout on ``y``."""
        y = np.asarray(y)
        self._mac_codes(x, learn=True)
        codes = self._mac_codes(x, learn=False)
        self.classes_ = np.unique(y)
        feats = self._features(codes)
        if self.readout == "vote":
            self.train_cells_, self.train_labels_ = feats.reshape(*codes.shape[:2], -1), y
            return self
        if self.readout == "hebbian":
            w = np.zeros((self.classes_.size, feats.shape[1]))
            for k, c in enumerate(self.classes_):
                w[k] = feats[y == c].mean(axis=0)
            self.weights_ = w
        else:
            self.train_features_ = feats.astype(np.float32)
            self.train_labels_ = y
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Input to each label unit (hebbian), the best intersection per class (nearest) or
        the votes per class (vote)."""
        codes = self._mac_codes(x, learn=False)
        feats = self._features(codes)
        if self.readout == "vote":
            return mac_votes(self.train_cells_, self.train_labels_,
                             feats.reshape(*codes.shape[:2], -1), self.classes_)
        feats = feats.astype(np.float32)
        if self.readout == "hebbian":
            return feats @ self.weights_.T
        sims = feats @ self.train_features_.T
        out = np.full((feats.shape[0], self.classes_.size), -np.inf)
        for k, c in enumerate(self.classes_):
            out[:, k] = sims[:, self.train_labels_ == c].max(axis=1)
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The class with the largest decision value (the first on ties)."""
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]

    def score(self, x: np.ndarray, y: np.ndarray) -> float:
        """Accuracy on ``(x, y)``."""
        return float(np.mean(self.predict(x) == np.asarray(y)))


def mac_votes(train_cells: np.ndarray, train_labels: np.ndarray, test_cells: np.ndarray,
              classes: np.ndarray) -> np.ndarray:
    """Votes per class of every mac, summed over macs (the ``"vote"`` readout).

    For each mac m active in a test input, the training inputs whose code in m shares the
    most cells with the test code (at least one) share one vote equally, each giving its
    share to its own class.

    Parameters
    ----------
    train_cells, test_cells
        bool (B, n_macs, cells per mac): the active cells of each mac's code, as
        :meth:`SparseyHierarchy.features` gives them, one row per mac (none: mac inactive).
    train_labels
        (B_train,) labels.
    classes
        The classes, in the order of the output's columns.

    Returns
    -------
    numpy.ndarray
        float (B_test, n_classes); each row sums to the number of macs that voted.
    """
    train_cells, test_cells = np.asarray(train_cells), np.asarray(test_cells)
    if train_cells.ndim != 3 or test_cells.shape[1:] != train_cells.shape[1:]:
        raise ParameterError("test_cells", test_cells.shape,
                             f"(B, n_macs, cells) like the training cells' "
                             f"{train_cells.shape[1:]}", "mac_votes")
    onehot = (np.asarray(train_labels)[:, None] == np.asarray(classes)[None]).astype(float)
    votes = np.zeros((test_cells.shape[0], onehot.shape[1]))
    for m in range(test_cells.shape[1]):
        te = np.flatnonzero(test_cells[:, m].any(axis=1))
        tr = np.flatnonzero(train_cells[:, m].any(axis=1))
        if te.size == 0 or tr.size == 0:
            continue
        a = train_cells[tr, m].astype(np.float32)
        # shared cells as a product (BLAS; exact: integers <= Q in float32)
        shared = test_cells[te, m].astype(np.float32) @ a.T
        most = shared.max(axis=1, keepdims=True)
        best = (shared == most) & (most > 0)
        votes[te] += (best @ onehot[tr]) / np.maximum(best.sum(axis=1, keepdims=True), 1)
    return votes


def sparsey_point(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One sweep point: learn ``n_items`` random inputs, then retrieve them with noise.

    ``params``: ``n_items`` (required), ``overlap`` (0.75: fraction of active inputs kept),
    and any :class:`SparseyParams` field. Returns the mean code overlap of exact repeats and of
    noisy versions, the mean G while learning, and the final saturation.
    """
    params = dict(params)
    n_items = int(params.pop("n_items"))
    overlap = float(params.pop("overlap", 0.75))
    n_active = int(params.pop("n_active", 24))
    p = SparseyParams().replace(**params)
    mac = SparseyCoder(params=p, seed=rng)
    x = random_inputs(n_items, p.n_inputs, n_active, rng)
    codes, fam, _ = mac.learn_many(x)
    noisy = perturb(x, overlap, rng)
    return {"exact": float(np.mean(code_overlap(mac.infer(x), codes))),
            "noisy": float(np.mean(code_overlap(mac.infer(noisy), codes))),
            "familiarity": float(np.mean(fam)), "saturation": mac.saturation}


def random_inputs(n_items: int, n_inputs: int, n_active: int,
                  rng: np.random.Generator) -> np.ndarray:
    """bool (n_items, n_inputs): each row has ``n_active`` inputs on, drawn uniformly."""
    keys = rng.random((n_items, n_inputs))
    idx = np.argpartition(keys, n_active - 1, axis=1)[:, :n_active]
    out = np.zeros((n_items, n_inputs), bool)
    np.put_along_axis(out, idx, True, axis=1)
    return out


def perturb(x: np.ndarray, overlap: float, rng: np.random.Generator) -> np.ndarray:
    """Copies of the rows of ``x`` keeping ``round(overlap a)`` of their a active inputs and
    moving the rest to inputs that were off (so the input overlap is exactly that fraction)."""
    x = np.atleast_2d(np.asarray(x, bool))
    out = np.zeros_like(x)
    for r, row in enumerate(x):
        on = np.flatnonzero(row)
        off = np.flatnonzero(~row)
        keep = round(overlap * on.size)
        out[r, rng.choice(on, keep, replace=False)] = True
        out[r, rng.choice(off, on.size - keep, replace=False)] = True
    return out

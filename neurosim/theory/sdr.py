"""Sparse distributed representations: exact match probabilities and a dendritic segment.

Ahmad & Hawkins, "How do neurons operate on sparse distributed representations? A mathematical
theory of sparsity, neurons and active dendrites", arXiv 1601.00720 (2016). A population of n
cells holds patterns of a active cells; a dendritic segment has s synapses onto the cells of
one pattern and fires (an NMDA spike) iff at least theta of them are active.

- False match (their eq. 4-6): a random pattern of a active cells hits b of the s synapses with
  the hypergeometric probability ``C(s, b) C(n - s, a - b) / C(n, a)``, so
  ``P_fm = sum_{b >= theta} C(s, b) C(n - s, a - b) / C(n, a)``.
- Noise robustness (their eq. 7-8, the segment on the cells of pattern x): a noisy version of x
  keeps ``a - v`` of its active cells and moves ``v`` elsewhere; the segment loses ``d`` of its
  s synapses with probability ``C(s, d) C(a - s, v - d) / C(a, v)`` and still fires iff
  ``s - d >= theta``.

Both sums are evaluated with exact integers (:func:`math.comb`, :class:`fractions.Fraction`):
binomials of n = 10^5 are far beyond float range, and the quotient is rounded once, correctly,
when it is turned into a float. :func:`log10_false_match_probability` gives the exponent when
the probability underflows a float (below 1e-308), through ``gammaln``/``logsumexp``.

:func:`dendritic_segment_spec` builds a spiking version of the segment neuron as a
:class:`~neurosim.network.NetworkSpec` (IF_curr_exp cells driven by a SpikeSourceArray), so
an engine can measure its false-match rate; see ``docs/sparsey.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.special import gammaln, logsumexp

from neurosim.errors import ParameterError

__all__ = [
    "DendriticSegmentDesign",
    "dendritic_segment_spec",
    "false_match_probability",
    "log10_false_match_probability",
    "noise_robustness",
    "segment_matches",
]


def _int(value: Any, name: str, owner: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ParameterError(name, value, f"an int >= {low}", owner)
    return int(value)


def _check_fm(n: Any, a: Any, s: Any, theta: Any, owner: str) -> tuple[int, int, int, int]:
    n = _int(n, "n", owner, 1)
    a = _int(a, "a", owner)
    s = _int(s, "s", owner)
    theta = _int(theta, "theta", owner)
    if a > n:
        raise ParameterError("a", a, f"an int in [0, n={n}]", owner)
    if s > n:
        raise ParameterError("s", s, f"an int in [0, n={n}]", owner)
    return n, a, s, theta


def false_match_probability(n: int, a: int, s: int, theta: int, *,
                            exact: bool = False) -> float | Fraction:
    """Probability that a random pattern of ``a`` of ``n`` cells matches a segment.

    Parameters
    ----------
    n
        Cells in the population.
    a
        Active cells in the random pattern.
    s
        Synapses on the segment (onto distinct cells).
    theta
        Active synapses needed to fire the segment.
    exact
        Return the exact rational (:class:`fractions.Fraction`) instead of a float.

    Returns
    -------
    float or Fraction
        ``sum_{b >= theta} C(s, b) C(n - s, a - b) / C(n, a)``; the float is the correctly
        rounded value of the exact sum (0.0 only if it is below the float range).

    Examples
    --------
    >>> f"{false_match_probability(2048, 40, 20, 10):.4g}"
    '3.911e-13'
    """
    n, a, s, theta = _check_fm(n, a, s, theta, "false_match_probability")
    top = min(s, a)
    num = sum(math.comb(s, b) * math.comb(n - s, a - b) for b in range(theta, top + 1))
    value = Fraction(num, math.comb(n, a))
    return value if exact else _to_float(value)


def _to_float(value: Fraction) -> float:
    # int / int in Python is correctly rounded for any size; it only fails past the float range
    # (impossible here: a probability is <= 1), and underflows to 0.0 below it.
    return value.numerator / value.denominator


def log10_false_match_probability(n: int, a: int, s: int, theta: int) -> float:
    """``log10 P_fm`` in floating point (log-gamma terms, log-sum-exp), for any size.

    Returns ``-inf`` when no pattern can match (``theta > min(s, a)``).
    """
    n, a, s, theta = _check_fm(n, a, s, theta, "log10_false_match_probability")
    b = np.arange(theta, min(s, a) + 1, dtype=float)
    b = b[a - b <= n - s]
    if b.size == 0:
        return -math.inf

    def log_comb(x: float, k: np.ndarray | float) -> np.ndarray | float:
        return gammaln(x + 1) - gammaln(k + 1) - gammaln(x - k + 1)

    terms = log_comb(s, b) + log_comb(n - s, a - b) - log_comb(n, a)
    return float(logsumexp(terms) / math.log(10))


def noise_robustness(a: int, s: int, theta: int, noise: int, *,
                     exact: bool = False) -> float | Fraction:
    """Probability that a segment still recognises its pattern after ``noise`` of its bits move.

    Parameters
    ----------
    a
        Active cells of the stored pattern x.
    s
        Synapses of the segment, all onto cells of x (``s <= a``).
    theta
        Threshold of the segment.
    noise
        v: active cells of x replaced by cells outside x (``v <= a``). The new cells never
        touch the segment, so only the loss counts.
    exact
        Return the exact rational.

    Returns
    -------
    float or Fraction
        ``sum_{d <= s - theta} C(s, d) C(a - s, v - d) / C(a, v)``.
    """
    owner = "noise_robustness"
    a = _int(a, "a", owner, 1)
    s = _int(s, "s", owner)
    theta = _int(theta, "theta", owner)
    v = _int(noise, "noise", owner)
    if s > a:
        raise ParameterError("s", s, f"an int in [0, a={a}]", owner)
    if v > a:
        raise ParameterError("noise", v, f"an int in [0, a={a}]", owner)
    # d synapses lost (d <= v; comb(x, k) is 0 for k > x)
    num = sum(math.comb(s, d) * math.comb(a - s, v - d) for d in range(0, min(v, s - theta) + 1))
    value = Fraction(num, math.comb(a, v))
    return value if exact else _to_float(value)


# -- a spiking dendritic segment -------------------------------------------------------------


@dataclass(frozen=True)
class DendriticSegmentDesign:
    """How :func:`dendritic_segment_spec` makes an IF_curr_exp cell count coincident inputs.

    All synapses of a segment carry the same weight ``weight_nA`` and every active input
    spikes once, at the same time, so the membrane is a sum of b identical PSPs, linear in b
    (a current-based LIF is linear below threshold). Its peak is b times the peak of one PSP,
    ``psp_peak_mV``; the threshold sits halfway between theta - 1 and theta PSPs,
    ``v_thresh = v_rest + (theta - 1/2) psp_peak``, so the cell fires iff b >= theta (the
    half-PSP margin covers the PSP peak falling between two time steps).
    """

    theta: int
    weight_nA: float
    psp_peak_mV: float
    v_rest_mV: float
    v_thresh_mV: float
    window_ms: float
    delay_ms: float

    def to_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _psp_peak_mV(weight_nA: float, cm_nF: float, tau_m: float, tau_s: float) -> float:
    # v(t) = w tau_s tau_m / (cm (tau_m - tau_s)) (exp(-t/tau_m) - exp(-t/tau_s)) for a current
    # w exp(-t/tau_s) into an RC membrane; the maximum is at t* = ln(tau_m/tau_s) tau_m tau_s /
    # (tau_m - tau_s). nA * ms / nF = mV.
    t_star = math.log(tau_m / tau_s) * tau_m * tau_s / (tau_m - tau_s)
    amp = weight_nA * tau_s * tau_m / (cm_nF * (tau_m - tau_s))
    return amp * (math.exp(-t_star / tau_m) - math.exp(-t_star / tau_s))


def dendritic_segment_spec(segments: np.ndarray, patterns: np.ndarray, theta: int, *,
                           window_ms: float = 20.0, weight_nA: float = 1.0,
                           delay_ms: float = 1.0, blocks: bool = False,
                           ) -> tuple[Any, DendriticSegmentDesign]:
    """A network of segment neurons: one IF_curr_exp cell per segment, fed input patterns.

    Parameters
    ----------
    segments
        int array (m, s): the input cells each of the m segments has synapses on.
    patterns
        bool array (T, n) (or (T, m, n) with ``blocks=True``): the active input cells of each
        presentation. Presentation t makes every active input spike once at ``t * window_ms``.
    theta
        Segment threshold (active synapses needed).
    window_ms
        Time between presentations (long against tau_m = 2 ms and tau_syn = 1 ms, so the
        membrane is back at rest before the next pattern).
    weight_nA, delay_ms
        Synaptic weight (every synapse the same) and delay.
    blocks
        Give every segment its own block of n input sources (input ``k n + i`` is cell i as
        segment k sees it), so presentations to different segments are independent trials.

    Returns
    -------
    (NetworkSpec, DendriticSegmentDesign)
        Populations "segment" (m cells) and source "input"; probe of the segment spikes.
        Decode with :func:`segment_matches`.
    """
    from neurosim.network import (
        FromList,
        IF_curr_exp,
        NetworkSpec,
        Population,
        Probe,
        Projection,
        SpikeSourceArray,
        StaticSynapse,
    )
    from neurosim.units import ms, mV, nA, nF

    owner = "dendritic_segment_spec"
    segments = np.asarray(segments, dtype=np.int64)
    if segments.ndim != 2 or segments.shape[1] < 1:
        raise ParameterError("segments", segments.shape, "an int array (m, s)", owner)
    theta = _int(theta, "theta", owner, 1)
    patterns = np.asarray(patterns, dtype=bool)
    m = segments.shape[0]
    if blocks:
        if patterns.ndim != 3 or patterns.shape[1] != m:
            raise ParameterError("patterns", patterns.shape, f"a bool array (T, {m}, n)", owner)
        n = patterns.shape[2]
    else:
        if patterns.ndim != 2:
            raise ParameterError("patterns", patterns.shape, "a bool array (T, n)", owner)
        n = patterns.shape[1]
    if segments.min() < 0 or segments.max() >= n:
        raise ParameterError("segments", "indices", f"input indices in [0, {n})", owner)
    # Fast membrane and synapse: the PSP is over well within one window; 0.1 ms refractory
    # (PyNN's default) lets a cell fire again for a later pattern.
    cm, tau_m, tau_s, v_rest = 1.0, 2.0, 1.0, -65.0
    peak = _psp_peak_mV(weight_nA, cm, tau_m, tau_s)
    v_thresh = v_rest + (theta - 0.5) * peak
    cell = IF_curr_exp(cm=cm * nF, tau_m=tau_m * ms, tau_syn_E=tau_s * ms,
                       v_rest=v_rest * mV, v_reset=v_rest * mV, v_thresh=v_thresh * mV,
                       tau_refrac=0.1 * ms)
    n_src = n * m if blocks else n
    trains: list[list[float]] = [[] for _ in range(n_src)]
    for t, pat in enumerate(patterns):
        when = (t * window_ms + 1.0) * 1e-3   # first presentation at 1 ms, in seconds
        if blocks:
            for k in range(m):
                for i in np.flatnonzero(pat[k]):
                    trains[k * n + i].append(when)
        else:
            for i in np.flatnonzero(pat):
                trains[i].append(when)
    offset = (np.arange(m) * n)[:, None] if blocks else 0
    pre = (segments + offset).ravel()
    post = np.repeat(np.arange(m), segments.shape[1])
    spec = NetworkSpec(
        populations=(Population("segment", m, cell),),
        sources=(SpikeSourceArray("input", tuple(tuple(t) for t in trains)),),
        projections=(Projection("input", "segment", FromList(tuple(zip(pre.tolist(),
                                                                         post.tolist()))),
                                StaticSynapse(weight=weight_nA * nA, delay=delay_ms * ms),
                                label="synapses"),),
        probes=(Probe("segment"),),
        name="dendritic_segments",
    )
    design = DendriticSegmentDesign(theta, weight_nA, peak, v_rest, v_thresh, window_ms,
                                    delay_ms)
    return spec, design


def segment_matches(spike_times_s: np.ndarray, spike_indices: np.ndarray, n_segments: int,
                    n_presentations: int, window_ms: float) -> np.ndarray:
    """bool (T, m): whether segment k fired at least once in the window of presentation t."""
    t = np.asarray(spike_times_s, dtype=float) * 1e3
    which = np.floor(t / window_ms).astype(np.int64)
    out = np.zeros((n_presentations, n_segments), dtype=bool)
    ok = (which >= 0) & (which < n_presentations)
    out[which[ok], np.asarray(spike_indices)[ok]] = True
    return out

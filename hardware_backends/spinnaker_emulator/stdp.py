"""Pair-rule STDP with additive weight dependence, as sPyNNaker's synapse core runs it.

Sources (``neural_modelling/src/neuron/plasticity/stdp/``):

* ``synapse_dynamics_stdp_mad_impl.c``: a pre spike at tick T updates its row's pre trace
  (``timing_add_pre_spike``), then for each synapse (``plasticity_update_synapse``) replays
  the post-synaptic events of the post neuron's history in the window
  ``(last_pre - d, T - d]`` (d = the dendritic delay: post times are seen d ticks late),
  each one potentiating, then depresses with the newest post event at or before ``T - d``
  and writes the new weight into the ring buffer at ``T + d``. Weights change only at pre
  spikes: post events wait in the history (``post_events.h``, 16 entries per neuron, the
  oldest dropped, entry 0 a sentinel at time 0 with trace 0).
* ``timing_dependence/timing_pair_impl.h``: traces are int16 with 11 fractional bits;
  decays read a look-up table (``maths.h`` ``maths_lut_exponential_decay``, 0 past its
  end) and multiply with ``STDP_FIXED_MUL_16X16`` (``>> 11``); each spike adds 2048.
  Potentiation needs ``post + d - last_pre > 0``; depression has no such guard (a pre spike
  at the delayed time of a post spike depresses).
* ``weight_dependence/weight_additive_one_term_impl.h``: the weight is held as s16.15 nA,
  ``kbits(w_int << shift)`` with the ring-buffer shift of its synapse type;
  ``w += A+ * kbits(trace << 4)`` (an accum multiply: truncating), clipped to
  ``[w_min, w_max]`` after each event; written back as ``bitsk(w) >> shift`` (floor) in 16
  bits.
* Python: ``weight_dependence_additive.py`` ``write_parameters`` writes ``w_min, w_max,
  A_plus, A_minus`` times the global weight scale as S1615 (A is *not* multiplied by
  w_max in 1!7.4.1); ``timing_dependence_spike_pair.py`` writes the two tables of
  ``common.py`` ``get_exp_lut_array`` (:func:`.fixed_point.exp_lut`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.hardware_backends.spinnaker_emulator.fixed_point import (
    STDP_FIXED_POINT_ONE,
    exp_lut,
    int16,
    lut_value,
    mul_accum_fixed,
    s32,
    s1615,
    stdp_mul16,
)

__all__ = ["MAX_POST_EVENTS", "PostHistory", "StdpParams", "add_post_spike", "add_pre_spike",
           "lost_pairing", "stdp_params", "update_synapse"]

#: post_events.h MAX_POST_SYNAPTIC_EVENTS (the sentinel included).
MAX_POST_EVENTS = 16


@dataclass(frozen=True)
class StdpParams:
    """What the board holds for one pair-rule additive projection."""

    lut_plus: np.ndarray
    lut_minus: np.ndarray
    w_min: int  # s16.15 bits (nA or uS x global weight scale)
    w_max: int
    a_plus: int
    a_minus: int


def stdp_params(stdp: dict, time_step_ms: float, global_weight_scale: float = 1.0
                ) -> StdpParams:
    """Encode a plan's STDP dict (PyNN units: ms, nA; ``A`` a weight change per pairing,
    sPyNNaker 1!7.4.1's convention) as sPyNNaker's Python writes it."""
    g = global_weight_scale
    return StdpParams(exp_lut(time_step_ms, stdp["tau_plus"]),
                      exp_lut(time_step_ms, stdp["tau_minus"]),
                      s1615(stdp["w_min"] * g), s1615(stdp["w_max"] * g),
                      s1615(stdp["A_plus"] * g), s1615(stdp["A_minus"] * g))


def add_pre_spike(time: int, last_time: int, last_trace: int, lut_plus: np.ndarray) -> int:
    """``timing_pair_impl.h`` ``timing_add_pre_spike``: decayed trace + 1, as int16."""
    decayed = stdp_mul16(last_trace, lut_value(lut_plus, time - last_time))
    return int16(decayed + STDP_FIXED_POINT_ONE)


def add_post_spike(time: int, last_time: int, last_trace: int, lut_minus: np.ndarray) -> int:
    """``timing_pair_impl.h`` ``timing_add_post_spike`` (``timing_decay_post`` + 1)."""
    decayed = int16(stdp_mul16(last_trace, lut_value(lut_minus, time - last_time)))
    return int16(decayed + STDP_FIXED_POINT_ONE)


class PostHistory:
    """``post_events.h`` ``post_event_history_t`` of one neuron (scalar reference);
    ``capacity`` entries with the sentinel (``MAX_POST_SYNAPTIC_EVENTS`` = 16 on the board)."""

    def __init__(self, capacity: int = MAX_POST_EVENTS) -> None:
        self.capacity = capacity
        self.times = [0]
        self.traces = [0]

    def add(self, time: int, lut_minus: np.ndarray) -> int | None:
        """``synapse_dynamics_process_post_synaptic_event`` then ``post_events_add``;
        returns the time of the event dropped to make room, if any."""
        trace = add_post_spike(time, self.times[-1], self.traces[-1], lut_minus)
        dropped = None
        if len(self.times) >= self.capacity:  # drop entry 1 (entry 0 is the sentinel)
            dropped = self.times[1]
            del self.times[1], self.traces[1]
        self.times.append(time)
        self.traces.append(trace)
        return dropped


def update_synapse(w_int: int, shift: int, time: int, last_pre_time: int,
                   last_pre_trace: int, delay: int, history: PostHistory,
                   p: StdpParams) -> int:
    """``synapse_dynamics_stdp_mad_impl.c`` ``plasticity_update_synapse`` for one synapse
    at a pre spike of tick ``time``; returns the new 16-bit weight."""
    w = s32(w_int << shift)
    begin = last_pre_time - delay if last_pre_time >= delay else 0
    end = time - delay if time >= delay else 0
    times, traces = history.times, history.traces
    # post_events_get_window_delayed: prev = newest entry >= 1 at or before begin (else
    # the sentinel, invalid); the window = the entries after it up to end.
    prev = 0
    for e in range(len(times) - 1, 0, -1):
        if times[e] <= begin:
            prev = e
            break
    valid = prev != 0
    e = prev + 1
    while e < len(times) and times[e] <= end:
        since_pre = times[e] + delay - last_pre_time
        if since_pre > 0:  # timing_apply_post_spike
            r1 = stdp_mul16(last_pre_trace, lut_value(p.lut_plus, since_pre))
            w = min(s32(w + mul_accum_fixed(p.a_plus, r1)), p.w_max)
        prev, valid = e, True
        e += 1
    if valid:  # timing_apply_pre_spike
        o1 = stdp_mul16(traces[prev], lut_value(p.lut_minus, time - (times[prev] + delay)))
        w = max(s32(w - mul_accum_fixed(p.a_minus, o1)), p.w_min)
    return (w >> shift) & 0xFFFF


def lost_pairing(history: PostHistory, dropped: np.ndarray, n_dropped: int, time: int,
                 last_pre_time: int, last_pre_trace: int, delay: int, p: StdpParams) -> bool:
    """Scalar twin of the kernel's ``_lost_pairing``: did the history drop a post event of
    this pre spike's window whose potentiation is not zero? ``dropped``: the latest drop
    times (a ring of ``len(dropped)``, ``n_dropped`` drops in all)."""
    begin = last_pre_time - delay if last_pre_time >= delay else 0
    end = time - delay if time >= delay else 0
    size = len(dropped)
    if n_dropped > size and dropped[n_dropped % size] > begin + 1:
        return True
    for t in dropped[:min(n_dropped, size)]:
        since = int(t) + delay - last_pre_time
        if begin < t <= end and since > 0 and stdp_mul16(
                last_pre_trace, lut_value(p.lut_plus, since)) != 0:
            return True
    return False

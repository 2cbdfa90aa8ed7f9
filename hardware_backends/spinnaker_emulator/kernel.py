"""The emulator's tick loop: one ``@njit`` function over int64 arrays, and its NumPy twin.

Each tick k, in the order of sPyNNaker's combined neuron core (``neuron/c_main.c``
``timer_callback`` then ``background_callback``; ``neuron/neuron.c``; ``implementations/
neuron_impl_standard.h``):

1. ring-buffer slot k -> synaptic input (``neuron_transfer``): ``input += decay_s1615(rb <<
   shift, init)``, the slot cleared;
2. probes: V before the update and the synaptic inputs after the transfer (what
   ``neuron_recording_record_accum`` records);
3. per neuron: refractory countdown or the closed-form step, threshold on the bits, reset,
   the post-synaptic event into the STDP history (``send_spike.h``), then the input decays;
4. spike sources emit the spikes scheduled at k;
5. every spike of tick k is processed by its synaptic rows: static weights and, for plastic
   rows, the STDP update (:mod:`.stdp`), each weight added into ring slot k + d, saturating
   at 0xFFFF (``synapses.c`` ``process_fixed_synapses``,
   ``synapse_dynamics_stdp_common.h`` ``synapse_dynamics_stdp_update_ring_buffers``).

A spike of tick k is processed within tick k on the board too (spikes carry their tick's
"colour", ``time - colour_delay``), and the window of an STDP update ends at k - d < k, so
the order of steps 3 and 5 within a tick does not change any result.

Integers are int64 holding the board's int32/uint32/int16 values; ``_s32`` wraps like the
ARM registers. The rounding of every operation is documented in :mod:`.fixed_point`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from neurosim.kernels.spiking import contiguous_runs

__all__ = ["MAX_POST_EVENTS", "run_ticks", "run_ticks_reference"]

MAX_POST_EVENTS = 16


@njit(cache=True, inline="always")
def _s32(x):
    return ((x + 2147483648) & 0xFFFFFFFF) - 2147483648


@njit(cache=True, inline="always")
def _i16(x):
    return ((x + 0x8000) & 0xFFFF) - 0x8000


@njit(cache=True, inline="always")
def _mulk(a, b):
    # accum * accum on the ARM968 (gcc arm-fixed.md mulsa3): floor, wrapped
    return _s32((a * b) >> 15)


@njit(cache=True, inline="always")
def _decay(x, d):
    # decay.h decay_s1615: (int64 x * uint64 d) >> 32
    return _s32((x * d) >> 32)


@njit(cache=True, inline="always")
def _mul16(a, b):
    # maths.h maths_fixed_mul16: __smulbb(a, b) >> 11
    return (_i16(a) * _i16(b)) >> 11


@njit(cache=True, inline="always")
def _lut(table, length, delta):
    # maths.h maths_lut_exponential_decay (shift 0); a negative delta is a uint32 wrap: 0
    if delta < 0 or delta >= length:
        return 0
    return table[delta]


@njit(cache=True)
def _transfer(rb_exc, rb_inh, exc, inh, sh_exc, sh_inh, exc_init, inh_init):
    """``neuron_transfer`` over a run of neurons: ``input += decay_s1615(rb << shift, init)``
    and the slot cleared. An empty slot adds exactly 0, so there is no branch."""
    for j in range(exc.shape[0]):
        exc[j] = _s32(exc[j] + _decay(_s32(rb_exc[j] << sh_exc[j]), exc_init[j]))
        rb_exc[j] = 0
        inh[j] = _s32(inh[j] + _decay(_s32(rb_inh[j] << sh_inh[j]), inh_init[j]))
        rb_inh[j] = 0


@njit(cache=True)
def _update(v, exc, inh, refract, i_off, r_m, v_rest, exp_tc):
    """The LIF step over a run of neurons (``neuron_model_lif_impl.h``): refractory countdown
    or ``alpha = I R + V_rest; V = alpha - exp_TC (alpha - V)``."""
    for j in range(v.shape[0]):
        if refract[j] <= 0:
            inp = _s32(exc[j] - inh[j] + i_off[j])
            alpha = _s32(_mulk(inp, r_m[j]) + v_rest[j])
            v[j] = _s32(alpha - _mulk(exp_tc[j], _s32(alpha - v[j])))
        else:
            refract[j] -= 1


@njit(cache=True)
def _decay_inputs(exc, inh, exc_decay, inh_decay):
    """The synaptic inputs decay at the end of the tick (``decay_s1615``)."""
    for j in range(exc.shape[0]):
        exc[j] = _decay(exc[j], exc_decay[j])
        inh[j] = _decay(inh[j], inh_decay[j])


@njit(cache=True)
def _lost_pairing(n_dropped, dropped, begin, end, delay, last_t, last_tr, lut, lut_len):
    """Whether a post event dropped from the history lay in this pre spike's window
    ``(begin, end]`` with a non-zero potentiation: the pairing the board lost.

    ``dropped`` holds the times of the latest ``len(dropped)`` drops (a ring, ``n_dropped``
    in all); when older drops are forgotten, any of them may lie in the window, and the
    answer errs towards True."""
    size = dropped.shape[0]
    if n_dropped > size and dropped[n_dropped % size] > begin + 1:
        return True
    for q in range(min(n_dropped, size)):
        t = dropped[q]
        if begin < t <= end:
            since = t + delay - last_t
            if since > 0 and _mul16(last_tr, _lut(lut, lut_len, since)) != 0:
                return True
    return False


@njit(cache=True)
def run_ticks(
    k0, n_ticks, is_src,
    # neuron state and constants (length N; sources have is_src = 1)
    v, exc, inh, refract, v_rest, v_reset, v_thresh, i_off, r_m, exp_tc, t_refract,
    exc_decay, exc_init, inh_decay, inh_init, sh_exc, sh_inh,
    # ring buffer (R, 2 N): slot, then synapse type x N + neuron (R a power of two above
    # the largest delay)
    ring,
    # spike-source schedule (sorted by step) and its cursor
    src_step, src_idx, src_cursor,
    # static synapses by pre neuron (CSR), one int64 word each, like the board's synaptic
    # words: target (type x N + post neuron) | weight << 32 | delay << 48
    s_ptr, s_word,
    # plastic rows by pre neuron, synapses by row
    p_ptr, row_syn_ptr, row_proj, row_last_time, row_last_trace,
    ps_post, ps_w, ps_delay, ps_type,
    # plastic projections: tables and s16.15 parameters
    lut_plus, lut_plus_len, lut_minus, lut_minus_len, a_plus, a_minus, w_min, w_max,
    # post-synaptic event history per neuron (entry 0 the sentinel)
    ph_n, ph_time, ph_trace, post_proj,
    # what the history dropped: per neuron the count and the latest times (a ring), and per
    # plastic projection the pairings lost because of it (not part of the board's state)
    drop_n, drop_time, stdp_lost,
    # recording
    rec_step, rec_idx, rec_count, probe_neurons, probe_var, probe_out, probe_count,
):
    """Advance ``n_ticks`` from tick ``k0``; returns the ticks done (fewer when the spike
    record could overflow: grow it and call again)."""
    n = v.shape[0]
    mask = ring.shape[0] - 1
    cap = rec_step.shape[0]
    spikes = np.empty(n, dtype=np.int64)
    has_plastic = ps_post.shape[0] > 0
    max_events = ph_time.shape[1]  # post_events.h MAX_POST_SYNAPTIC_EVENTS (16 on the board)
    # runs of neurons that are not spike sources: [seg_start[g], seg_stop[g])
    seg_start, seg_stop, src_run = contiguous_runs(is_src)
    seg_start, seg_stop = seg_start[src_run == 0], seg_stop[src_run == 0]
    n_seg = seg_start.shape[0]
    for s in range(n_ticks):
        if rec_count[0] + n > cap:
            return s
        k = k0 + s
        slot = k & mask
        # 1. ring buffer -> synaptic input, 2. probes, 3. neurons: each a pass over the
        # runs of non-source neurons. The passes touch each neuron in the board's order
        # (transfer, probe, update, threshold, decay; neurons do not interact within a
        # tick), and the arithmetic helpers run over slices from index 0, so the compiler
        # vectorises them.
        for g in range(n_seg):
            a, b = seg_start[g], seg_stop[g]
            _transfer(ring[slot, a:b], ring[slot, n + a:n + b], exc[a:b], inh[a:b],
                      sh_exc[a:b], sh_inh[a:b], exc_init[a:b], inh_init[a:b])
        if probe_neurons.shape[0] > 0:
            row = probe_count[0]
            for q in range(probe_neurons.shape[0]):
                j = probe_neurons[q]
                var = probe_var[q]
                probe_out[row, q] = v[j] if var == 0 else (exc[j] if var == 1 else inh[j])
            probe_count[0] = row + 1
        for g in range(n_seg):
            a, b = seg_start[g], seg_stop[g]
            _update(v[a:b], exc[a:b], inh[a:b], refract[a:b], i_off[a:b], r_m[a:b],
                    v_rest[a:b], exp_tc[a:b])
        c = 0
        for g in range(n_seg):
            for j in range(np.uint64(seg_start[g]), np.uint64(seg_stop[g])):
                if v[j] >= v_thresh[j]:
                    v[j] = v_reset[j]
                    refract[j] = t_refract[j]
                    spikes[c] = j
                    c += 1
                    pj = post_proj[j]
                    if pj >= 0:
                        last = ph_n[j] - 1
                        dec = _i16(_mul16(ph_trace[j, last],
                                          _lut(lut_minus[pj], lut_minus_len[pj],
                                               k - ph_time[j, last])))
                        tr = _i16(dec + 2048)
                        if ph_n[j] < max_events:
                            ph_time[j, ph_n[j]] = k
                            ph_trace[j, ph_n[j]] = tr
                            ph_n[j] += 1
                        else:  # full: drop entry 1 (entry 0 is the sentinel)
                            drop_time[j, drop_n[j] % drop_time.shape[1]] = ph_time[j, 1]
                            drop_n[j] += 1
                            for e in range(2, max_events):
                                ph_time[j, e - 1] = ph_time[j, e]
                                ph_trace[j, e - 1] = ph_trace[j, e]
                            ph_time[j, max_events - 1] = k
                            ph_trace[j, max_events - 1] = tr
        for g in range(n_seg):
            a, b = seg_start[g], seg_stop[g]
            _decay_inputs(exc[a:b], inh[a:b], exc_decay[a:b], inh_decay[a:b])
        # 4. sources
        cur = src_cursor[0]
        while cur < src_step.shape[0] and src_step[cur] < k:
            cur += 1
        while cur < src_step.shape[0] and src_step[cur] == k:
            spikes[c] = src_idx[cur]
            c += 1
            cur += 1
        src_cursor[0] = cur
        base = rec_count[0]
        for q in range(c):
            rec_step[base + q] = k
            rec_idx[base + q] = spikes[q]
        rec_count[0] = base + c
        # 5. synaptic rows of this tick's spikes
        for q in range(c):
            i = spikes[q]
            # unsigned indices: no wrap-around arithmetic on every access
            for sid in range(np.uint64(s_ptr[i]), np.uint64(s_ptr[i + 1])):
                word = s_word[sid]
                sl = np.uint64((k + (word >> 48)) & mask)
                tj = np.uint64(word & 0xFFFFFFFF)
                acc = ring[sl, tj] + ((word >> 32) & 0xFFFF)
                ring[sl, tj] = acc if acc < 0xFFFF else 0xFFFF
            if not has_plastic:
                continue
            for r in range(p_ptr[i], p_ptr[i + 1]):
                p = row_proj[r]
                last_t = row_last_time[r]
                last_tr = row_last_trace[r]
                row_last_trace[r] = _i16(
                    _mul16(last_tr, _lut(lut_plus[p], lut_plus_len[p], k - last_t)) + 2048)
                row_last_time[r] = k
                for sid in range(row_syn_ptr[r], row_syn_ptr[r + 1]):
                    j = ps_post[sid]
                    d = ps_delay[sid]
                    t = ps_type[sid]
                    shift = sh_exc[j] if t == 0 else sh_inh[j]
                    w = _s32(ps_w[sid] << shift)
                    begin = last_t - d if last_t >= d else 0
                    end = k - d if k >= d else 0
                    if drop_n[j] > 0 and last_tr != 0 and _lost_pairing(
                            drop_n[j], drop_time[j], begin, end, d, last_t, last_tr,
                            lut_plus[p], lut_plus_len[p]):
                        stdp_lost[p] += 1
                    m = ph_n[j]
                    prev = 0
                    for e in range(m - 1, 0, -1):
                        if ph_time[j, e] <= begin:
                            prev = e
                            break
                    valid = prev != 0
                    e = prev + 1
                    while e < m and ph_time[j, e] <= end:
                        since = ph_time[j, e] + d - last_t
                        if since > 0:
                            r1 = _mul16(last_tr, _lut(lut_plus[p], lut_plus_len[p], since))
                            w = _s32(w + _mulk(a_plus[p], _s32(r1 << 4)))
                            if w > w_max[p]:
                                w = w_max[p]
                        prev = e
                        valid = True
                        e += 1
                    if valid:
                        o1 = _mul16(ph_trace[j, prev],
                                    _lut(lut_minus[p], lut_minus_len[p],
                                         k - (ph_time[j, prev] + d)))
                        w = _s32(w - _mulk(a_minus[p], _s32(o1 << 4)))
                        if w < w_min[p]:
                            w = w_min[p]
                    wi = (w >> shift) & 0xFFFF
                    ps_w[sid] = wi
                    sl = (k + d) & mask
                    acc = ring[sl, t * n + j] + wi
                    ring[sl, t * n + j] = acc if acc < 0xFFFF else 0xFFFF
    return n_ticks


def run_ticks_reference(
    k0, n_ticks, is_src, v, exc, inh, refract, v_rest, v_reset, v_thresh, i_off, r_m, exp_tc,
    t_refract, exc_decay, exc_init, inh_decay, inh_init, sh_exc, sh_inh, ring,
    src_step, src_idx, src_cursor, s_ptr, s_word,
    p_ptr, row_syn_ptr, row_proj, row_last_time, row_last_trace, ps_post, ps_w, ps_delay,
    ps_type, lut_plus, lut_plus_len, lut_minus, lut_minus_len, a_plus, a_minus, w_min, w_max,
    ph_n, ph_time, ph_trace, post_proj, drop_n, drop_time, stdp_lost,
    rec_step, rec_idx, rec_count, probe_neurons, probe_var, probe_out, probe_count,
):
    """NumPy twin of :func:`run_ticks`: the same arguments and in-place updates; neuron
    updates as whole-array int64 operations, events through the scalar functions of
    :mod:`.fixed_point` and :mod:`.stdp` (slow; for tests on small inputs)."""
    def wrap(x):
        return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)

    # compute in int64 whatever widths the arrays have (the state is written back in place)
    state = (v, exc, inh, refract)
    v, exc, inh, refract = (a.astype(np.int64) for a in state)
    (v_rest, v_reset, v_thresh, i_off, r_m, exp_tc, t_refract, exc_decay, exc_init,
     inh_decay, inh_init, sh_exc, sh_inh) = (
        a.astype(np.int64) for a in (v_rest, v_reset, v_thresh, i_off, r_m, exp_tc, t_refract,
                                     exc_decay, exc_init, inh_decay, inh_init, sh_exc, sh_inh))
    try:
        return _reference_ticks(
            k0, n_ticks, is_src, v, exc, inh, refract, v_rest, v_reset, v_thresh, i_off, r_m,
            exp_tc, t_refract, exc_decay, exc_init, inh_decay, inh_init, sh_exc, sh_inh, ring,
            src_step, src_idx, src_cursor, s_ptr, s_word, p_ptr, row_syn_ptr, row_proj,
            row_last_time, row_last_trace, ps_post, ps_w, ps_delay, ps_type, lut_plus,
            lut_plus_len, lut_minus, lut_minus_len, a_plus, a_minus, w_min, w_max, ph_n,
            ph_time, ph_trace, post_proj, drop_n, drop_time, stdp_lost, rec_step, rec_idx,
            rec_count, probe_neurons, probe_var, probe_out, probe_count, wrap)
    finally:
        for dst, src in zip(state, (v, exc, inh, refract)):
            dst[:] = src


def _reference_ticks(
    k0, n_ticks, is_src, v, exc, inh, refract, v_rest, v_reset, v_thresh, i_off, r_m, exp_tc,
    t_refract, exc_decay, exc_init, inh_decay, inh_init, sh_exc, sh_inh, ring,
    src_step, src_idx, src_cursor, s_ptr, s_word, p_ptr, row_syn_ptr, row_proj,
    row_last_time, row_last_trace, ps_post, ps_w, ps_delay, ps_type, lut_plus, lut_plus_len,
    lut_minus, lut_minus_len, a_plus, a_minus, w_min, w_max, ph_n, ph_time, ph_trace,
    post_proj, drop_n, drop_time, stdp_lost, rec_step, rec_idx, rec_count, probe_neurons,
    probe_var, probe_out, probe_count, wrap,
):
    from neurosim.hardware_backends.spinnaker_emulator.stdp import (
        PostHistory,
        StdpParams,
        add_pre_spike,
        lost_pairing,
        update_synapse,
    )

    n = v.shape[0]
    mask = ring.shape[0] - 1
    neu = is_src == 0
    params = [StdpParams(lut_plus[p, :lut_plus_len[p]], lut_minus[p, :lut_minus_len[p]],
                         int(w_min[p]), int(w_max[p]), int(a_plus[p]), int(a_minus[p]))
              for p in range(len(a_plus))]
    for s in range(n_ticks):
        if rec_count[0] + n > rec_step.shape[0]:
            return s
        k = k0 + s
        slot = k & mask
        for t, (cur, init, sh) in enumerate(((exc, exc_init, sh_exc), (inh, inh_init, sh_inh))):
            part = ring[slot, t * n:(t + 1) * n]
            rb = np.where(neu, part, 0)
            add = wrap((wrap(rb << sh) * init) >> 32)
            cur[:] = np.where(rb > 0, wrap(cur + add), cur)
            part[neu] = 0
        if probe_neurons.shape[0] > 0:
            probe_out[probe_count[0]] = np.where(
                probe_var == 0, v[probe_neurons],
                np.where(probe_var == 1, exc[probe_neurons], inh[probe_neurons]))
            probe_count[0] += 1
        active = neu & (refract <= 0)
        inp = wrap(exc - inh + i_off)
        alpha = wrap(wrap((inp * r_m) >> 15) + v_rest)
        v_new = wrap(alpha - wrap((exp_tc * wrap(alpha - v)) >> 15))
        v[:] = np.where(active, v_new, v)
        refract[neu & ~active] -= 1
        fired = np.flatnonzero(neu & (v >= v_thresh))
        v[fired] = v_reset[fired]
        refract[fired] = t_refract[fired]
        for j in fired:
            pj = post_proj[j]
            if pj < 0:
                continue
            hist = PostHistory(ph_time.shape[1])
            hist.times = [int(x) for x in ph_time[j, :ph_n[j]]]
            hist.traces = [int(x) for x in ph_trace[j, :ph_n[j]]]
            gone = hist.add(int(k), params[pj].lut_minus)
            if gone is not None:
                drop_time[j, drop_n[j] % drop_time.shape[1]] = gone
                drop_n[j] += 1
            ph_n[j] = len(hist.times)
            ph_time[j, :ph_n[j]] = hist.times
            ph_trace[j, :ph_n[j]] = hist.traces
        exc[neu] = wrap((exc[neu] * exc_decay[neu]) >> 32)
        inh[neu] = wrap((inh[neu] * inh_decay[neu]) >> 32)
        cur = src_cursor[0]
        cur += int(np.sum(src_step[cur:] < k))
        stop = cur + int(np.sum(src_step[cur:] == k))
        spikes = np.concatenate([fired, src_idx[cur:stop]]).astype(np.int64)
        src_cursor[0] = stop
        c = len(spikes)
        rec_step[rec_count[0]:rec_count[0] + c] = k
        rec_idx[rec_count[0]:rec_count[0] + c] = spikes
        rec_count[0] += c
        for i in spikes.tolist():
            for sid in range(s_ptr[i], s_ptr[i + 1]):
                word = int(s_word[sid])
                sl, tj = (k + (word >> 48)) & mask, word & 0xFFFFFFFF
                ring[sl, tj] = min(int(ring[sl, tj]) + ((word >> 32) & 0xFFFF), 0xFFFF)
            for r in range(p_ptr[i], p_ptr[i + 1]):
                p = row_proj[r]
                last_t, last_tr = int(row_last_time[r]), int(row_last_trace[r])
                row_last_trace[r] = add_pre_spike(k, last_t, last_tr, params[p].lut_plus)
                row_last_time[r] = k
                for sid in range(row_syn_ptr[r], row_syn_ptr[r + 1]):
                    j, d, t = int(ps_post[sid]), int(ps_delay[sid]), int(ps_type[sid])
                    hist = PostHistory(ph_time.shape[1])
                    hist.times = [int(x) for x in ph_time[j, :ph_n[j]]]
                    hist.traces = [int(x) for x in ph_trace[j, :ph_n[j]]]
                    shift = int(sh_exc[j] if t == 0 else sh_inh[j])
                    if last_tr and lost_pairing(hist, drop_time[j], int(drop_n[j]), k, last_t,
                                                last_tr, d, params[p]):
                        stdp_lost[p] += 1
                    wi = update_synapse(int(ps_w[sid]), shift, k, last_t, last_tr, d, hist,
                                        params[p])
                    ps_w[sid] = wi
                    sl = (k + d) & mask
                    ring[sl, t * n + j] = min(int(ring[sl, t * n + j]) + wi, 0xFFFF)
    return n_ticks

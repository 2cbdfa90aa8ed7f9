"""The event-driven spiking kernel of the Numba engine: a whole run in one compiled loop.

Neurons of every population and spike sources share one index space. Synapses are stored by
pre-synaptic neuron (CSR) for delivery and pre-spike plasticity, and plastic synapses also by
post-synaptic neuron for post events. Each step follows the order of the other engines
(docs/decisions.md 2-4; :mod:`neurosim.engines.reference`):

1. record probed state (before the update);
2. update neurons (kind 0: IF_curr_exp exact step; kind 1: sPyNNaker tick arithmetic;
   kind 3: IF_cond_exp, Brian2's exponential Euler step), V frozen while refractory,
   synaptic currents (conductances for kind 3) decay;
3. threshold and reset; spike sources emit; spikes go to the record and a ring of the last
   ``max_delay + 1`` steps;
4. post events of plastic synapses (post spikes of step k - d): potentiation;
5. pre spikes of step k on plastic synapses: depression and pre trace;
6. delivery of the pre spikes of step k - (d - 1): ``isyn += w`` (times the tick-average
   factor of the target under sPyNNaker's arithmetic), w read now.

All parameters are arrays, so changing a value never recompiles. Floats are float64 (the
state of every engine, so spikes agree exactly across engines).
"""

from __future__ import annotations

import warnings

import numpy as np
from numba import njit, prange
from numba.core.errors import NumbaExperimentalFeatureWarning

# Numba calls first-class function types experimental; run_steps relies on them knowingly
# (tested against its NumPy twin), so the warning would be noise for users.
warnings.filterwarnings("ignore", category=NumbaExperimentalFeatureWarning)

__all__ = ["balanced_bounds", "contiguous_runs", "counter_normal", "counter_uniform",
           "fuses_steps", "nearest_level", "partition_rows", "run_steps", "run_steps_parallel",
           "run_steps_reference"]

KIND_EXACT, KIND_SPINNAKER, KIND_SOURCE, KIND_COND = 0, 1, 2, 3
#: Kinds from KIND_GENERATED on are cell types whose code is generated from their declaration
#: (neurosim.engines.cellgen): kind KIND_GENERATED + g runs the g-th pair of functions.
KIND_GENERATED = 8

#: Signatures of a generated cell type's functions (first-class function types: the kernel
#: calls them through pointers, so every cell type shares one compiled kernel).
UPDATE_SIG = ("void(int64, int64, int64, float64, float64[:, ::1], float64[:, ::1], "
              "int64[::1], int64[::1], uint8[::1])")
SPIKE_SIG = ("int64(int64, int64, int64, float64[:, ::1], float64[:, ::1], int64[::1], "
             "uint8[::1], int64[::1], int64)")
RESET_SIG = "void(int64, float64[:, ::1], float64[:, ::1], int64[::1], int64, int64)"


@njit(UPDATE_SIG, cache=True)
def no_update(lo, hi, k, dt, S, P, last, ticks, nr):
    """The update of a network without generated cell types (never called)."""
    return


@njit(SPIKE_SIG, cache=True)
def no_spike(lo, hi, k, S, P, last, nr, out, c):
    """The spike function of a network without generated cell types (never called)."""
    return c


@njit(RESET_SIG, cache=True)
def no_reset(k, S, P, idx, c0, c1):
    """The reset of a network without generated cell types (never called)."""
    return


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def _mix64(z):
    # SplitMix64's finaliser, as neurosim.counter_rng._mix (uint64 wraps on overflow)
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def counter_uniform(key, step, neuron):
    """``neurosim.counter_rng.uniform`` for one (step, neuron) pair, compiled."""
    h = _mix64(_mix64(key ^ np.uint64(step)) ^ np.uint64(neuron))
    return np.float64(h >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def counter_normal(key, count, neuron):
    """A standard normal number for draw ``count`` of ``neuron`` (Box-Muller on the
    uniforms of steps 2 count and 2 count + 1); ``neurosim.counter_rng.normal``, compiled."""
    u1 = counter_uniform(key, 2 * count, neuron)
    u2 = counter_uniform(key, 2 * count + 1, neuron)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def nearest_level(levels, n, x):
    """Index of the entry of ``levels[:n]`` (increasing) nearest to ``x`` (ties: lower)."""
    lo, hi = 0, n - 1
    while lo < hi:  # first level >= x
        mid = (lo + hi) // 2
        if levels[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    if lo > 0 and x - levels[lo - 1] <= levels[lo] - x:
        return lo - 1
    return lo


@njit(cache=True)
def _device_update(sid, r, nw, lo_w, hi_w, dev_levels, dev_n_levels, dev_up, dev_down,
                   dev_sigma, dev_key, syn_level, syn_pulses, syn_cid):
    """One STDP event as programming pulses (docs/crossbar.md, "On-device plasticity").

    The rule asks for ``nw``; the target is the level nearest ``clip(nw, w_min, w_max)``.
    The cell gets ``round(distance / step)`` pulses of ``step`` levels (``dev_up`` up,
    ``dev_down`` down), each landing ``round(sigma z)`` levels off (z from the counter-based
    generator, keyed by the synapse's canonical id and its pulse count: the same draws
    whatever the engine, order or chunking). Returns the new weight, the level's value."""
    n_lv = dev_n_levels[r]
    x = min(max(nw, lo_w), hi_w)
    target = nearest_level(dev_levels[r], n_lv, x)
    cur = syn_level[sid]
    d = target - cur
    if d == 0:
        return dev_levels[r, cur]
    step = dev_up[r] if d > 0 else -dev_down[r]
    n_pulses = (abs(d) + abs(step) // 2) // abs(step)  # round half up
    for _ in range(n_pulses):
        cur += step
        if dev_sigma[r] > 0:
            z = counter_normal(dev_key[r], syn_pulses[sid], syn_cid[sid])
            cur += int(np.floor(dev_sigma[r] * z + 0.5))
        cur = min(max(cur, 0), n_lv - 1)
        syn_pulses[sid] += 1
    syn_level[sid] = cur
    return dev_levels[r, cur]


@njit(cache=True)
def _spiked(ring_count, ring_idx, slot):
    return ring_idx[slot, : ring_count[slot]]


@njit(cache=True)
def contiguous_runs(values):
    """The runs of equal consecutive entries of ``values``: ``(starts, stops, value)``, one
    entry per run, run g covering ``[starts[g], stops[g])``."""
    n = values.shape[0]
    starts = np.empty(n, np.int64)
    stops = np.empty(n, np.int64)
    value = np.empty(n, values.dtype)
    m = 0
    for j in range(n):
        if j == 0 or values[j] != values[j - 1]:
            if m > 0:
                stops[m - 1] = j
            starts[m] = j
            value[m] = values[j]
            m += 1
    if m > 0:
        stops[m - 1] = n
    return starts[:m], stops[:m], value[:m]


@njit(cache=True)
def _decay(x, factor):
    """x *= factor, over whole (sliced) arrays: contiguous and vectorised."""
    for j in range(x.shape[0]):
        x[j] *= factor[j]


def balanced_bounds(weight: np.ndarray, parts: int) -> np.ndarray:
    """Bounds ``b`` (length ``parts + 1``, from 0 to ``len(weight)``) of contiguous
    partitions of the indices with about equal total ``weight`` each."""
    total = np.cumsum(weight, dtype=np.float64)
    if len(total) == 0 or total[-1] == 0:
        return np.linspace(0, len(weight), parts + 1).astype(np.int64)
    # partition p ends after the first index whose running total reaches p / parts of it
    cuts = np.searchsorted(total, total[-1] * np.arange(1, parts) / parts, side="left") + 1
    return np.concatenate([[0], cuts, [len(weight)]]).astype(np.int64)


@njit(cache=True)
def partition_rows(row_ptr, post, bounds):
    """``part_ptr`` (N, T + 1) of :class:`~neurosim.kernels.spiking_args.Synapses`: where
    each row's targets cross the target partition bounds ``bounds`` (rows sorted by post).
    """
    n = row_ptr.shape[0] - 1
    n_part = bounds.shape[0] - 1
    out = np.empty((n, n_part + 1), np.int64)
    for i in range(n):
        sid = row_ptr[i]
        out[i, 0] = sid
        for p in range(1, n_part):
            while sid < row_ptr[i + 1] and post[sid] < bounds[p]:
                sid += 1
            out[i, p] = sid
        out[i, n_part] = row_ptr[i + 1]
    return out


@njit(cache=True)
def _input_units(neurons, params):
    """What one unit of weight adds to each target's input: the tick average under
    sPyNNaker's arithmetic, else 1 (a product with 1.0 is exact)."""
    n = neurons.kind.shape[0]
    unit_e = np.ones(n)
    unit_i = np.ones(n)
    for j in range(n):
        if neurons.kind[j] == KIND_SPINNAKER:
            unit_e[j] = params.init_e[j]
            unit_i[j] = params.init_i[j]
    return unit_e, unit_i


@njit(cache=True)
def _record_probes(k, neurons, cells, recording):
    """Step 1: sample the probed state before the update, every ``probe_every`` steps."""
    probe_neurons, probe_var, probe_out = (recording.probe_neurons, recording.probe_var,
                                           recording.probe_out)
    if probe_neurons.shape[0] == 0 or k % recording.probe_every != 0:
        return
    row = recording.probe_count[0]
    if row >= probe_out.shape[0]:
        return
    for q in range(probe_neurons.shape[0]):
        j = probe_neurons[q]
        var = probe_var[q]
        if var >= 3:
            probe_out[row, q] = cells.S[var - 3, j]
        elif var == 0:
            probe_out[row, q] = neurons.v[j]
        elif var == 1:
            probe_out[row, q] = neurons.i_exc[j]
        else:
            probe_out[row, q] = neurons.i_inh[j]
    recording.probe_count[0] = row + 1


@njit(cache=True)
def _inject_currents(s, neurons, params, cells, devices, inj):
    """Step 1b: offset current = i_offset + the step's currents (in the spec's order)."""
    cs_neurons, cs_ptr, cs_idx = devices.cs_neurons, devices.cs_ptr, devices.cs_idx
    if cs_neurons.shape[0] == 0:
        return
    for j in cs_neurons:
        inj[j] = 0.0
    for q in range(cs_ptr.shape[0] - 1):
        val = devices.cs_values[s, q]
        for p in range(cs_ptr[q], cs_ptr[q + 1]):
            inj[cs_idx[p]] += val
    for j in cs_neurons:
        tot = devices.i_base[j] + inj[j]
        if neurons.kind[j] >= KIND_GENERATED:
            cells.P[cells.ioff_row[j], j] = tot
        else:
            params.i_off[j] = tot
            params.off_over_c[j] = tot / params.c_m[j]


@njit(cache=True, error_model="numpy")
def _update_cond(a, b, k, dt, v, i_exc, i_inh, c_m, neg_inv_tau, rest_over_tau, e_rev_e,
                 e_rev_i, off_over_c, last_spike, refrac_ticks, scratch_x, scratch_ba):
    """IF_cond_exp neurons [a, b): Brian2's exponential Euler expression, term for term (the
    constant quotients -1/tau_m, v_rest/tau_m, i_offset/c_m come precomputed: the same
    floats).

    The loops run over slices from index 0, so the compiler sees non-negative indices (no
    wrap-around) and vectorises the divisions with contiguous loads; exp, a libm call, runs
    in a loop of its own."""
    m = b - a
    ge, gi, cm = i_exc[a:b], i_inh[a:b], c_m[a:b]
    nit, rot, ere, eri, oc = (neg_inv_tau[a:b], rest_over_tau[a:b], e_rev_e[a:b],
                              e_rev_i[a:b], off_over_c[a:b])
    x, ba = scratch_x[a:b], scratch_ba[a:b]
    for j in range(m):
        bj = nit[j] - ge[j] / cm[j] - gi[j] / cm[j]
        ba[j] = (rot[j] + ere[j] * ge[j] / cm[j] + eri[j] * gi[j] / cm[j] + oc[j]) / bj
        x[j] = dt * bj
    vv, last, ref = v[a:b], last_spike[a:b], refrac_ticks[a:b]
    for j in range(m):
        if k - last[j] >= ref[j] + 1:
            vv[j] = -ba[j] + (ba[j] + vv[j]) * np.exp(x[j])


@njit(cache=True, error_model="numpy")  # no zero-division branch: divisions vectorise
def _update_and_threshold(lo, hi, k, dt, segments, neurons, params, cells, gen_update,
                          gen_spike, scratch_x, scratch_ba, out, c):
    """Steps 2 and 3 for the neurons ``[lo, hi)``: update one kind at a time, decay, then
    threshold (and reset, for hand-written kinds; generated kinds reset after the step's
    input). Spikes go to ``out`` from position ``c`` in index order; returns the new count.

    Every neuron's step reads and writes its own state only, so any split of the neurons
    gives the floats of one pass over all of them."""
    seg_start, seg_stop, seg_kind = segments
    v, i_exc, i_inh, refrac_left, last_spike, refrac_ticks = neurons[1:7]
    v_rest, v_reset, v_thresh, i_off, r_m, p_m = (params.v_rest, params.v_reset,
                                                  params.v_thresh, params.i_off, params.r_m,
                                                  params.p_m)
    # 2. update, one kind of neuron at a time: a loop without branches on the kind lets
    # LLVM vectorise the divisions (IEEE-exact, so the floats do not change)
    for g in range(seg_start.shape[0]):
        a, b, kd = max(seg_start[g], lo), min(seg_stop[g], hi), seg_kind[g]
        if kd == KIND_SOURCE or a >= b:
            continue
        if kd >= KIND_GENERATED:
            gen_update[kd - KIND_GENERATED](a, b, k, dt, cells.S, cells.P, last_spike,
                                            refrac_ticks, cells.not_ref)
            continue
        if kd == KIND_SPINNAKER:
            for j in range(a, b):
                if refrac_left[j] <= 0:
                    u = v_rest[j] + (i_exc[j] - i_inh[j] + i_off[j]) * r_m[j]
                    v[j] = u - p_m[j] * (u - v[j])
                else:
                    refrac_left[j] -= 1
        elif kd == KIND_COND:
            _update_cond(a, b, k, dt, v, i_exc, i_inh, params.c_m, params.neg_inv_tau,
                         params.rest_over_tau, params.e_rev_e, params.e_rev_i,
                         params.off_over_c, last_spike, refrac_ticks, scratch_x, scratch_ba)
        else:
            k_e, k_i = params.k_e, params.k_i
            for j in range(a, b):
                if k - last_spike[j] >= refrac_ticks[j] + 1:
                    v[j] = (v_rest[j] + (v[j] - v_rest[j]) * p_m[j]
                            + i_off[j] * r_m[j] * (1.0 - p_m[j])
                            + k_e[j] * i_exc[j] - k_i[j] * i_inh[j])
        _decay(i_exc[a:b], params.decay_e[a:b])
        _decay(i_inh[a:b], params.decay_i[a:b])
    # 3. threshold and reset
    for g in range(seg_start.shape[0]):
        a, b, kd = max(seg_start[g], lo), min(seg_stop[g], hi), seg_kind[g]
        if kd == KIND_SOURCE or a >= b:
            continue
        if kd >= KIND_GENERATED:
            c = gen_spike[kd - KIND_GENERATED](a, b, k, cells.S, cells.P, last_spike,
                                               cells.not_ref, out, c)
            continue
        # unsigned indices: no wrap-around arithmetic on every access
        for j in range(np.uint64(a), np.uint64(b)):
            fired = v[j] >= v_thresh[j]
            if kd != KIND_SPINNAKER and k - last_spike[j] < refrac_ticks[j] + 1:
                fired = False
            if fired:
                v[j] = v_reset[j]
                refrac_left[j] = refrac_ticks[j]
                last_spike[j] = k
                out[c] = j
                c += 1
    return c


@njit(cache=True)
def _emit_sources_and_record(k, slot, c, devices, synapses, recording):
    """Step 3, end: the spike sources' spikes of step ``k`` follow the cells' in the ring
    slot; the slot goes to the spike record. Returns the slot's count."""
    src_step, src_idx = devices.src_step, devices.src_idx
    ring_idx = synapses.ring_idx
    cur = devices.src_cursor[0]
    while cur < src_step.shape[0] and src_step[cur] < k:
        cur += 1
    while cur < src_step.shape[0] and src_step[cur] == k:
        ring_idx[slot, c] = src_idx[cur]
        c += 1
        cur += 1
    devices.src_cursor[0] = cur
    synapses.ring_count[slot] = c
    # record in (step, neuron) order
    base = recording.rec_count[0]
    for q in range(c):
        recording.rec_step[base + q] = k
        recording.rec_idx[base + q] = ring_idx[slot, q]
    recording.rec_count[0] = base + c
    return c


@njit(cache=True)
def _plasticity(k, t, slot, c, synapses, pl):
    """Steps 4 and 5: post events of plastic synapses (post spikes of step k - d reach
    synapses of delay d: potentiation), then the pre spikes of step k (depression, pre
    trace). Sequential: each synapse's events in time order, pulses counted per synapse."""
    if pl.col_syn.shape[0] == 0:
        return
    row_ptr, w, syn_delay, syn_proj, ring_count, ring_idx = (
        synapses.row_ptr, synapses.w, synapses.delay, synapses.proj, synapses.ring_count,
        synapses.ring_idx)
    ring = ring_count.shape[0]
    rule, tau_plus, tau_minus, w_min, w_max, a_plus, a_minus = pl[:7]
    apre, apost, lastpre, lastpost, col_ptr, col_syn = (pl.apre, pl.apost, pl.lastpre,
                                                        pl.lastpost, pl.col_ptr, pl.col_syn)
    for d in range(1, ring):
        if k - d < 0:
            break
        old = (k - d) % ring
        for q in range(ring_count[old]):
            j = ring_idx[old, q]
            for p in range(col_ptr[j], col_ptr[j + 1]):
                sid = col_syn[p]
                if syn_delay[sid] != d:
                    continue
                r = syn_proj[sid]
                since = t - lastpre[sid]
                x = apre[sid] * np.exp(-since / tau_plus[r]) if since > 0 else 0.0
                if rule[r] == 0:
                    nw = w[sid] + a_plus[r] * x
                else:
                    nw = w[sid] + a_plus[r] * (w_max[r] - w[sid]) * x
                w[sid] = _new_weight(sid, r, nw, pl)
                apost[sid] = apost[sid] * np.exp(-(t - lastpost[sid]) / tau_minus[r]) + 1.0
                lastpost[sid] = t
    for q in range(c):
        i = ring_idx[slot, q]
        for sid in range(row_ptr[i], row_ptr[i + 1]):
            r = syn_proj[sid]
            if rule[r] < 0:
                continue
            since = t - lastpost[sid]
            counts = since >= 0 if pl.zero_depresses else since > 0
            y = apost[sid] * np.exp(-since / tau_minus[r]) if counts else 0.0
            if rule[r] == 0:
                nw = w[sid] - a_minus[r] * y
            else:
                nw = w[sid] - a_minus[r] * (w[sid] - w_min[r]) * y
            w[sid] = _new_weight(sid, r, nw, pl)
            apre[sid] = apre[sid] * np.exp(-(t - lastpre[sid]) / tau_plus[r]) + 1.0
            lastpre[sid] = t


@njit(cache=True)
def _new_weight(sid, r, nw, pl):
    """The weight the rule's ``nw`` gives: clipped, or pulses on a device."""
    if pl.dev_on[r]:
        return _device_update(sid, r, nw, pl.w_min[r], pl.w_max[r], pl.dev_levels,
                              pl.dev_n_levels, pl.dev_up, pl.dev_down, pl.dev_sigma,
                              pl.dev_key, pl.syn_level, pl.syn_pulses, pl.syn_cid)
    return min(max(nw, pl.w_min[r]), pl.w_max[r])


@njit(cache=True)
def _deliver(p, k, synapses, i_exc, i_inh, acc_x, unit_e, unit_i):
    """Step 6 for the targets of partition ``p``: the spikes of step k - (d - 1) through
    their synapses of delay d, ``input += w`` (times the tick-average factor under
    sPyNNaker's arithmetic), w read now.

    Rows are sorted by target, and ``part_ptr[i, p]:part_ptr[i, p + 1]`` is the part of
    row i whose targets lie in partition p, so a target receives its inputs in the order
    of one pass over all synapses (delay, spike, synapse): the same float sums for any
    number of partitions, and no two partitions write one neuron."""
    ring_count, ring_idx, part_ptr = synapses.ring_count, synapses.ring_idx, synapses.part_ptr
    syn_post, w, syn_delay, syn_receptor = (synapses.post, synapses.w, synapses.delay,
                                            synapses.receptor)
    ring = ring_count.shape[0]
    for d in range(1, ring):
        ks = k - (d - 1)
        if ks < 0:
            break
        old = ks % ring
        for q in range(ring_count[old]):
            i = ring_idx[old, q]
            for sid in range(np.uint64(part_ptr[i, p]), np.uint64(part_ptr[i, p + 1])):
                if syn_delay[sid] != d:
                    continue
                j = np.uint64(syn_post[sid])
                rc = syn_receptor[sid]
                if rc == 0:
                    i_exc[j] += w[sid] * unit_e[j]
                elif rc == 1:
                    i_inh[j] += w[sid] * unit_i[j]
                else:  # a composed cell's third receptor on (generated code only)
                    acc_x[rc - 2, j] += w[sid]


@njit(cache=True)
def _deliver_short_term(k, t, synapses, pl, i_exc, i_inh, acc_x, unit_e, unit_i):
    """Step 6b: Tsodyks-Markram synapses deliver w u x (u, x updated by the spike), in the
    static delivery's order of delays and spikes."""
    tm_ptr, tm_sid = pl.tm_ptr, pl.tm_sid
    if tm_sid.shape[0] == 0:
        return
    ring_count, ring_idx, syn_post, w, syn_receptor, syn_proj = (
        synapses.ring_count, synapses.ring_idx, synapses.post, synapses.w,
        synapses.receptor, synapses.proj)
    tm_delay, tm_U, tm_rec, tm_fac, tm_u, tm_x, tm_last = pl[-7:]
    ring = ring_count.shape[0]
    for d in range(1, ring):
        ks = k - (d - 1)
        if ks < 0:
            break
        old = ks % ring
        for q in range(ring_count[old]):
            i = ring_idx[old, q]
            for p in range(tm_ptr[i], tm_ptr[i + 1]):
                sid = tm_sid[p]
                if tm_delay[sid] != d:
                    continue
                r = syn_proj[sid]
                um = tm_u[sid] * np.exp(-(t - tm_last[sid]) / tm_fac[r]) \
                    if tm_fac[r] > 0 else 0.0
                xm = 1.0 - (1.0 - tm_x[sid]) * np.exp(-(t - tm_last[sid]) / tm_rec[r])
                up = um + tm_U[r] * (1.0 - um)
                j = syn_post[sid]
                rc = syn_receptor[sid]
                if rc == 0:
                    i_exc[j] += w[sid] * up * xm * unit_e[j]
                elif rc == 1:
                    i_inh[j] += w[sid] * up * xm * unit_i[j]
                else:
                    acc_x[rc - 2, j] += w[sid] * up * xm
                tm_x[sid] = xm * (1.0 - up)
                tm_u[sid] = up
                tm_last[sid] = t


@njit(cache=True)
def _generated_inputs(lo, hi, k, segments, neurons, cells, gen_reset, fired, n_fired):
    """Step 7 for the neurons ``[lo, hi)``: generated cell types take the step's inputs into
    their receptor variables, then reset the neurons of ``fired[:n_fired]`` (sorted) that
    spiked. A target flagged (unless refractory) takes none while the neuron is refractory
    (Brian2 writes such a variable only where not_refractory, the reset excepted)."""
    seg_start, seg_stop, seg_kind = segments
    i_exc, i_inh = neurons.i_exc, neurons.i_inh
    S, not_ref, cond, acc_x = cells.S, cells.not_ref, cells.cond_mask, cells.acc_x
    n_extra = acc_x.shape[0]
    for g in range(seg_start.shape[0]):
        a, b, kd = max(seg_start[g], lo), min(seg_stop[g], hi), seg_kind[g]
        if kd < KIND_GENERATED or a >= b:
            continue
        for j in range(a, b):
            # most neurons get no input in a step: adding 0.0 changes nothing
            ie = i_exc[j]
            ii = i_inh[j]
            if ie != 0.0 or ii != 0.0:
                free = not_ref[j] != 0
                m = cond[j]
                if free or (m & 1) == 0:
                    S[cells.row_e[j], j] += cells.sign_e[j] * ie
                if free or (m & 2) == 0:
                    S[cells.row_i[j], j] += cells.sign_i[j] * ii
                i_exc[j] = 0.0
                i_inh[j] = 0.0
            for q in range(n_extra):
                ix = acc_x[q, j]
                if ix != 0.0:
                    if not_ref[j] != 0 or (cond[j] >> (q + 2)) & 1 == 0:
                        S[cells.row_x[q, j], j] += cells.sign_x[q, j] * ix
                    acc_x[q, j] = 0.0
        c0 = np.searchsorted(fired[:n_fired], a)
        c1 = np.searchsorted(fired[:n_fired], b)
        if c1 > c0:
            gen_reset[kd - KIND_GENERATED](k, S, cells.P, fired, c0, c1)


@njit(cache=True)
def _has_generated(seg_kind):
    for kd in seg_kind:
        if kd >= KIND_GENERATED:
            return True
    return False


@njit(cache=True, error_model="numpy")
def run_steps(k0, n_steps, dt, neurons, params, cells, devices, synapses, plasticity,
              recording, gen_update, gen_spike, gen_reset):
    """Advance ``n_steps`` from step ``k0``, on one thread; returns the number of steps
    done (fewer when the spike record is full, so the caller can grow it and call again).
    The groups are named tuples of :mod:`neurosim.kernels.spiking_args`; the steps are the
    functions above, in the order of the module's docstring."""
    n = neurons.v.shape[0]
    ring = synapses.ring_count.shape[0]
    cap = recording.rec_step.shape[0]
    segments = contiguous_runs(neurons.kind)  # populations are contiguous
    generated = _has_generated(segments[2])
    scratch_x, scratch_ba, inj = np.empty(n), np.empty(n), np.zeros(n)
    unit_e, unit_i = _input_units(neurons, params)
    # which optional steps this network has, decided once: a call costs about 0.3-1 us even
    # when it returns at once (its groups' arrays are reference-counted on the way in and
    # out), several times a small network's whole step
    has_probes = recording.probe_neurons.shape[0] > 0
    has_currents = devices.cs_neurons.shape[0] > 0
    has_stdp = plasticity.col_syn.shape[0] > 0
    has_short_term = plasticity.tm_sid.shape[0] > 0
    for s in range(n_steps):
        if recording.rec_count[0] + n > cap:
            return s  # the spike record could overflow: let the caller grow it
        k = k0 + s
        t = k * dt
        slot = k % ring
        fired = synapses.ring_idx[slot]
        if has_probes:
            _record_probes(k, neurons, cells, recording)
        if has_currents:
            _inject_currents(s, neurons, params, cells, devices, inj)
        n_fired = _update_and_threshold(0, n, k, dt, segments, neurons, params, cells,
                                        gen_update, gen_spike, scratch_x, scratch_ba, fired, 0)
        c = _emit_sources_and_record(k, slot, n_fired, devices, synapses, recording)
        if has_stdp:
            _plasticity(k, t, slot, c, synapses, plasticity)
        _deliver(0, k, synapses, neurons.i_exc, neurons.i_inh, cells.acc_x, unit_e, unit_i)
        if has_short_term:
            _deliver_short_term(k, t, synapses, plasticity, neurons.i_exc, neurons.i_inh,
                                cells.acc_x, unit_e, unit_i)
        if generated:
            _generated_inputs(0, n, k, segments, neurons, cells, gen_reset, fired, n_fired)
    return n_steps


@njit(cache=True)
def _close_gaps(fired, part, counts):
    """Move the spikes each partition wrote from its first neuron's position so that they
    follow one another (index order, as one pass gives); returns their number."""
    c = counts[0]
    for p in range(1, counts.shape[0]):
        src = part[p]
        for q in range(counts[p]):
            fired[c + q] = fired[src + q]
        c += counts[p]
    return c


#: below this many synapses to walk in a step, the threads deliver one after another on
#: the calling thread: starting a parallel region costs 2-3 us on this machine (a 40-neuron
#: net: 4.4 us a step on one thread, 10.1 us on two), about the time of 2000 synapses
SERIAL_DELIVERY_BELOW = 2000


@njit(cache=True)
def _delivery_work(k, synapses):
    """How many synapses step ``k``'s delivery walks: the rows of the spikes of the ring
    slots it reads (an upper bound, all delays counted)."""
    ring_count, ring_idx, row_ptr = synapses.ring_count, synapses.ring_idx, synapses.row_ptr
    ring = ring_count.shape[0]
    work = 0
    for d in range(1, ring):
        ks = k - (d - 1)
        if ks < 0:
            break
        old = ks % ring
        for q in range(ring_count[old]):
            i = ring_idx[old, q]
            work += row_ptr[i + 1] - row_ptr[i]
    return work


@njit(cache=True)
def _bounds_shared(part, synapses):
    """Whether the target partitions of ``synapses.part_ptr`` are the neuron partitions
    ``part``: each row's part p starts and ends on targets in ``[part[p], part[p + 1])``
    (rows are sorted by target, so the ends decide)."""
    part_ptr, post = synapses.part_ptr, synapses.post
    n_part = part.shape[0] - 1
    if part_ptr.shape[1] - 1 != n_part:
        return False
    for i in range(part_ptr.shape[0]):
        for p in range(n_part):
            a, b = part_ptr[i, p], part_ptr[i, p + 1]
            if a < b and (post[a] < part[p] or post[b - 1] >= part[p + 1]):
                return False
    return True


@njit(cache=True)
def fuses_steps(neurons, devices, synapses, plasticity, recording):
    """Whether :func:`run_steps_parallel` runs each step's delivery and inputs in the next
    step's parallel region: the partitions are shared, and nothing sequential (probes,
    current sources, short-term synapses) comes between them. The ring has 2 slots or
    more, so a step's update writes a slot its delivery does not read."""
    return (synapses.ring_count.shape[0] >= 2 and recording.probe_neurons.shape[0] == 0
            and devices.cs_neurons.shape[0] == 0 and plasticity.tm_sid.shape[0] == 0
            and _bounds_shared(neurons.part, synapses))


@njit(cache=True)
def _partition_inputs(p, k, part, segments, neurons, cells, synapses, unit_e, unit_i,
                      generated, gen_reset, fired, n_fired):
    """Steps 6 and 7 of step ``k`` for partition ``p`` (shared bounds): delivery to its
    neurons, then the generated cells' inputs and reset."""
    _deliver(p, k, synapses, neurons.i_exc, neurons.i_inh, cells.acc_x, unit_e, unit_i)
    if generated:
        _generated_inputs(part[p], part[p + 1], k, segments, neurons, cells, gen_reset, fired,
                          n_fired)


@njit(cache=True, error_model="numpy", parallel=True)
def _inputs_of_step(k, part, segments, neurons, cells, synapses, unit_e, unit_i, generated,
                    gen_reset, fired, n_fired):
    """Steps 6 and 7 of step ``k`` on every partition, one parallel region: what a fused
    run leaves pending when it returns."""
    for p in prange(part.shape[0] - 1):
        _partition_inputs(p, k, part, segments, neurons, cells, synapses, unit_e, unit_i,
                          generated, gen_reset, fired, n_fired)


@njit(cache=True, error_model="numpy", parallel=True)
def run_steps_parallel(k0, n_steps, dt, neurons, params, cells, devices, synapses,
                       plasticity, recording, gen_update, gen_spike, gen_reset):
    """:func:`run_steps` with the neuron steps (2, 3, 7) split over the partitions
    ``neurons.part`` and delivery (6) over the target partitions of ``synapses.part_ptr``,
    one thread each (``prange``). Each neuron's state is written by one partition only,
    and each target's inputs are summed in the one-thread order, so the spikes and floats
    are those of :func:`run_steps` for any number of threads. Plasticity, short-term
    synapses, sources and recording stay sequential.

    Fused steps: when the target partitions are the neuron partitions (the engine builds
    them so) and nothing sequential comes between a step's delivery and the next step's
    update (no probes, current sources or short-term synapses), step k's delivery and
    inputs (6, 7) run in the same parallel region as step k + 1's update (2, 3): each
    partition delivers to its own neurons, then updates them. One region a step instead of
    two or three; starting one costs 1-4 us on a 2-vCPU VM, about a tenth of a 4000-neuron
    step split in two."""
    n = neurons.v.shape[0]
    ring = synapses.ring_count.shape[0]
    cap = recording.rec_step.shape[0]
    segments = contiguous_runs(neurons.kind)
    generated = _has_generated(segments[2])
    scratch_x, scratch_ba, inj = np.empty(n), np.empty(n), np.zeros(n)
    unit_e, unit_i = _input_units(neurons, params)
    # which optional steps this network has, decided once: a call costs about 0.3-1 us even
    # when it returns at once (its groups' arrays are reference-counted on the way in and
    # out), several times a small network's whole step
    has_probes = recording.probe_neurons.shape[0] > 0
    has_currents = devices.cs_neurons.shape[0] > 0
    has_stdp = plasticity.col_syn.shape[0] > 0
    has_short_term = plasticity.tm_sid.shape[0] > 0
    part = neurons.part
    n_part = part.shape[0] - 1
    n_targets = synapses.part_ptr.shape[1] - 1
    counts = np.zeros(n_part, np.int64)
    fuse = fuses_steps(neurons, devices, synapses, plasticity, recording)
    pending = -1  # fused: the step whose delivery and inputs are still to do
    pending_fired, pending_n = synapses.ring_idx[0], 0
    for s in range(n_steps):
        if recording.rec_count[0] + n > cap:
            if pending >= 0:
                _inputs_of_step(pending, part, segments, neurons, cells, synapses, unit_e,
                                unit_i, generated, gen_reset, pending_fired, pending_n)
            return s
        k = k0 + s
        t = k * dt
        slot = k % ring
        fired = synapses.ring_idx[slot]
        if has_probes:
            _record_probes(k, neurons, cells, recording)
        if has_currents:
            _inject_currents(s, neurons, params, cells, devices, inj)
        for p in prange(n_part):  # each partition writes its spikes from its first neuron
            if pending >= 0:  # fused: the last step's inputs to this partition's neurons
                _partition_inputs(p, pending, part, segments, neurons, cells, synapses,
                                  unit_e, unit_i, generated, gen_reset, pending_fired,
                                  pending_n)
            counts[p] = _update_and_threshold(part[p], part[p + 1], k, dt, segments, neurons,
                                              params, cells, gen_update, gen_spike, scratch_x,
                                              scratch_ba, fired, part[p]) - part[p]
        n_fired = _close_gaps(fired, part, counts)
        c = _emit_sources_and_record(k, slot, n_fired, devices, synapses, recording)
        if has_stdp:
            _plasticity(k, t, slot, c, synapses, plasticity)
        if fuse:
            pending, pending_fired, pending_n = k, fired, n_fired
            continue
        if _delivery_work(k, synapses) < SERIAL_DELIVERY_BELOW:
            for p in range(n_targets):  # the same order per target: the same sums
                _deliver(p, k, synapses, neurons.i_exc, neurons.i_inh, cells.acc_x, unit_e,
                         unit_i)
        else:
            for p in prange(n_targets):
                _deliver(p, k, synapses, neurons.i_exc, neurons.i_inh, cells.acc_x, unit_e,
                         unit_i)
        if has_short_term:
            _deliver_short_term(k, t, synapses, plasticity, neurons.i_exc, neurons.i_inh,
                                cells.acc_x, unit_e, unit_i)
        if generated:
            for p in prange(n_part):
                _generated_inputs(part[p], part[p + 1], k, segments, neurons, cells,
                                  gen_reset, fired, n_fired)
    if pending >= 0:
        _inputs_of_step(pending, part, segments, neurons, cells, synapses, unit_e, unit_i,
                        generated, gen_reset, pending_fired, pending_n)
    return n_steps


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenated aranges [starts[i], stops[i]) in order."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in zip(starts, stops)])


def _device_update_py(sid, r, nw, lo_w, hi_w, dev_levels, dev_n_levels, dev_up, dev_down,
                      dev_sigma, dev_key, syn_level, syn_pulses, syn_cid):
    """NumPy twin of the kernel's device update (draws from :mod:`neurosim.counter_rng`)."""
    from neurosim.counter_rng import normal

    n_lv = int(dev_n_levels[r])
    table = dev_levels[r, :n_lv]
    x = min(max(nw, lo_w), hi_w)
    dist = np.abs(table - x)
    target = int(np.flatnonzero(dist == dist.min())[0])  # ties: the lower level
    cur = int(syn_level[sid])
    d = target - cur
    if d != 0:
        step = int(dev_up[r]) if d > 0 else -int(dev_down[r])
        for _ in range(int(np.floor(abs(d) / abs(step) + 0.5))):  # round half up
            cur += step
            if dev_sigma[r] > 0:
                z = normal(dev_key[r], np.array([syn_pulses[sid]]), np.array([syn_cid[sid]]))
                cur += int(np.floor(dev_sigma[r] * z[0] + 0.5))
            cur = min(max(cur, 0), n_lv - 1)
            syn_pulses[sid] += 1
        syn_level[sid] = cur
    return dev_levels[r, cur]


def _apply(nw, sids, r, w_min, w_max, dev_on, dev_levels, dev_n_levels, dev_up, dev_down,
           dev_sigma, dev_key, syn_level, syn_pulses, syn_cid):
    """New weights of ``sids``: the clipped rule, or pulses on devices, synapse by synapse
    in the kernel's order."""
    out = np.minimum(np.maximum(nw, w_min[r]), w_max[r])
    for q in np.flatnonzero(dev_on[r] != 0):
        out[q] = _device_update_py(sids[q], r[q], nw[q], w_min[r[q]], w_max[r[q]],
                                   dev_levels, dev_n_levels, dev_up, dev_down, dev_sigma,
                                   dev_key, syn_level, syn_pulses, syn_cid)
    return out


def run_steps_reference(k0, n_steps, dt, neurons, params, cells, devices, synapses,
                        plasticity, recording, gen_update, gen_spike, gen_reset):
    """NumPy twin of :func:`run_steps`: the same groups, the same in-place updates, written
    with whole-array operations per step (slow; for tests on small inputs)."""
    return _run_steps_flat(k0, n_steps, dt, *neurons, *params, *cells, gen_update, gen_spike,
                           gen_reset,
                           *devices, *synapses, *plasticity, *recording)


def _run_steps_flat(
    k0, n_steps, dt,
    kind, v, i_exc, i_inh, refrac_left, last_spike, refrac_ticks, part,
    v_rest, v_reset, v_thresh, i_off, r_m, p_m, decay_e, decay_i, k_e, k_i, neg_inv_tau,
    rest_over_tau, off_over_c, c_m, e_rev_e, e_rev_i, init_e, init_i,
    gen_S, gen_P, not_ref, gen_row_e, gen_row_i, gen_sign_e, gen_sign_i, gen_ioff_row,
    gen_row_x, gen_sign_x, gen_acc_x, gen_cond,
    gen_update, gen_spike, gen_reset,
    src_step, src_idx, src_cursor, cs_values, cs_ptr, cs_idx, cs_neurons, i_base,
    row_ptr, syn_post, w, syn_delay, syn_receptor, syn_proj, ring_count, ring_idx, part_ptr,
    proj_rule, tau_plus, tau_minus, w_min, w_max, a_plus, a_minus, zero_depresses, apre,
    apost, lastpre, lastpost, col_ptr, col_syn, dev_on, dev_levels, dev_n_levels, dev_up,
    dev_down, dev_sigma, dev_key, syn_level, syn_pulses, syn_cid, tm_ptr, tm_sid, tm_delay,
    tm_U, tm_rec, tm_fac, tm_u, tm_x, tm_last,
    rec_step, rec_idx, rec_count, probe_neurons, probe_var, probe_every, probe_out,
    probe_count,
):
    n = v.shape[0]
    ring = ring_count.shape[0]
    max_delay = ring - 1
    plastic = col_syn.shape[0] > 0
    is_src, is_sp, is_cond = kind == KIND_SOURCE, kind == KIND_SPINNAKER, kind == KIND_COND
    is_exact = kind == KIND_EXACT
    is_gen = kind >= KIND_GENERATED
    gen_runs = [(a, b, kd - KIND_GENERATED) for a, b, kd in zip(*contiguous_runs(kind))
                if kd >= KIND_GENERATED]
    for s in range(n_steps):
        if rec_count[0] + n > rec_step.shape[0]:
            return s
        k = k0 + s
        t = k * dt
        if probe_neurons.shape[0] > 0 and k % probe_every == 0 and \
                probe_count[0] < probe_out.shape[0]:
            vals = np.where(probe_var == 0, v[probe_neurons],
                            np.where(probe_var == 1, i_exc[probe_neurons], i_inh[probe_neurons]))
            gen_var = probe_var >= 3
            vals[gen_var] = gen_S[probe_var[gen_var] - 3, probe_neurons[gen_var]]
            probe_out[probe_count[0]] = vals
            probe_count[0] += 1
        if cs_neurons.shape[0] > 0:
            inj = np.zeros(n)
            for q in range(cs_ptr.shape[0] - 1):
                np.add.at(inj, cs_idx[cs_ptr[q]:cs_ptr[q + 1]], cs_values[s, q])
            tot = i_base[cs_neurons] + inj[cs_neurons]
            g = kind[cs_neurons] >= KIND_GENERATED
            gen_P[gen_ioff_row[cs_neurons[g]], cs_neurons[g]] = tot[g]
            h = cs_neurons[~g]
            i_off[h] = tot[~g]
            with np.errstate(divide="ignore", invalid="ignore"):
                off_over_c[h] = tot[~g] / c_m[h]
        active = k - last_spike >= refrac_ticks + 1
        sp_active = refrac_left <= 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            a = v_rest + (i_exc - i_inh + i_off) * r_m
            v_sp = np.where(sp_active, a - p_m * (a - v), v)
            b = neg_inv_tau - i_exc / c_m - i_inh / c_m
            ba = (rest_over_tau + e_rev_e * i_exc / c_m + e_rev_i * i_inh / c_m + off_over_c) / b
            v_cond = np.where(active, -ba + (ba + v) * np.exp(dt * b), v)
            v_ex = np.where(active, v_rest + (v - v_rest) * p_m + i_off * r_m * (1.0 - p_m)
                            + k_e * i_exc - k_i * i_inh, v)
        refrac_left[is_sp & ~sp_active] -= 1
        v[:] = np.where(is_sp, v_sp, np.where(is_cond, v_cond, np.where(is_exact, v_ex, v)))
        hand = ~is_src & ~is_gen
        i_exc[hand] *= decay_e[hand]
        i_inh[hand] *= decay_i[hand]
        for a, b, g in gen_runs:  # the generated code itself (compiled; callable here)
            gen_update[g](a, b, k, dt, gen_S, gen_P, last_spike, refrac_ticks, not_ref)
        # threshold, reset, sources
        fired = hand & (v >= v_thresh) & (is_sp | (k - last_spike >= refrac_ticks + 1))
        idx = np.flatnonzero(fired)
        v[idx] = v_reset[idx]
        refrac_left[idx] = refrac_ticks[idx]
        last_spike[idx] = k
        out = np.zeros(n, np.int64)
        gen_fired = [out[: gen_spike[g](a, b, k, gen_S, gen_P, last_spike, not_ref, out, 0)]
                     .copy() for a, b, g in gen_runs]
        idx = np.sort(np.concatenate([idx, *gen_fired])).astype(np.int64)
        cur = src_cursor[0]
        cur += int(np.sum(src_step[cur:] < k))
        stop = cur + int(np.sum(src_step[cur:] == k))
        spikes = np.concatenate([idx, src_idx[cur:stop]]).astype(np.int64)
        src_cursor[0] = stop
        slot = k % ring
        c = len(spikes)
        ring_idx[slot, :c] = spikes
        ring_count[slot] = c
        rec_step[rec_count[0]: rec_count[0] + c] = k
        rec_idx[rec_count[0]: rec_count[0] + c] = spikes
        rec_count[0] += c
        if plastic:
            # post events, delay by delay, in the kernel's order
            for d in range(1, max_delay + 1):
                if k - d < 0:
                    break
                posts = ring_idx[(k - d) % ring, : ring_count[(k - d) % ring]]
                sids = col_syn[_ranges(col_ptr[posts], col_ptr[posts + 1])]
                sids = sids[syn_delay[sids] == d]
                r = syn_proj[sids]
                since = t - lastpre[sids]
                with np.errstate(over="ignore"):
                    x = np.where(since > 0, apre[sids] * np.exp(-since / tau_plus[r]), 0.0)
                gain = np.where(proj_rule[r] == 0, a_plus[r] * x,
                                a_plus[r] * (w_max[r] - w[sids]) * x)
                w[sids] = _apply(w[sids] + gain, sids, r, w_min, w_max, dev_on, dev_levels,
                                 dev_n_levels, dev_up, dev_down, dev_sigma, dev_key,
                                 syn_level, syn_pulses, syn_cid)
                apost[sids] = apost[sids] * np.exp(-(t - lastpost[sids]) / tau_minus[r]) + 1.0
                lastpost[sids] = t
            sids = _ranges(row_ptr[spikes], row_ptr[spikes + 1])
            sids = sids[proj_rule[syn_proj[sids]] >= 0]
            r = syn_proj[sids]
            since = t - lastpost[sids]
            counts = since >= 0 if zero_depresses else since > 0
            y = np.where(counts, apost[sids] * np.exp(-since / tau_minus[r]), 0.0)
            loss = np.where(proj_rule[r] == 0, a_minus[r] * y,
                            a_minus[r] * (w[sids] - w_min[r]) * y)
            w[sids] = _apply(w[sids] - loss, sids, r, w_min, w_max, dev_on, dev_levels,
                             dev_n_levels, dev_up, dev_down, dev_sigma, dev_key, syn_level,
                             syn_pulses, syn_cid)
            apre[sids] = apre[sids] * np.exp(-(t - lastpre[sids]) / tau_plus[r]) + 1.0
            lastpre[sids] = t
        # delivery, delay by delay, sequentially in the kernel's order (float sums agree)
        for d in range(1, max_delay + 1):
            ks = k - (d - 1)
            if ks < 0:
                break
            pres = ring_idx[ks % ring, : ring_count[ks % ring]]
            sids = _ranges(row_ptr[pres], row_ptr[pres + 1])
            sids = sids[syn_delay[sids] == d]
            j = syn_post[sids]
            amount = w[sids] * np.where(is_sp[j], np.where(syn_receptor[sids] == 0, init_e[j],
                                                            init_i[j]), 1.0)
            rc = syn_receptor[sids]
            np.add.at(i_exc, j[rc == 0], amount[rc == 0])
            np.add.at(i_inh, j[rc == 1], amount[rc == 1])
            np.add.at(gen_acc_x, (rc[rc >= 2] - 2, j[rc >= 2]), amount[rc >= 2])
        for d in range(1, (max_delay if tm_sid.shape[0] > 0 else 0) + 1):
            ks = k - (d - 1)
            if ks < 0:
                break
            pres = ring_idx[ks % ring, : ring_count[ks % ring]]
            sids = tm_sid[_ranges(tm_ptr[pres], tm_ptr[pres + 1])]
            sids = sids[tm_delay[sids] == d]
            r = syn_proj[sids]
            fac = tm_fac[r]
            with np.errstate(divide="ignore"):
                um = np.where(fac > 0, tm_u[sids] * np.exp(-(t - tm_last[sids]) / fac), 0.0)
            xm = 1.0 - (1.0 - tm_x[sids]) * np.exp(-(t - tm_last[sids]) / tm_rec[r])
            up = um + tm_U[r] * (1.0 - um)
            j = syn_post[sids]
            exc = syn_receptor[sids] == 0
            unit = np.where(exc, np.where(is_sp[j], init_e[j], 1.0),
                            np.where(is_sp[j], init_i[j], 1.0))
            amount = w[sids] * up * xm * unit
            rc = syn_receptor[sids]
            np.add.at(i_exc, j[rc == 0], amount[rc == 0])
            np.add.at(i_inh, j[rc == 1], amount[rc == 1])
            np.add.at(gen_acc_x, (rc[rc >= 2] - 2, j[rc >= 2]), amount[rc >= 2])
            tm_x[sids] = xm * (1.0 - up)
            tm_u[sids] = up
            tm_last[sids] = t
        free = not_ref != 0
        for r, (rows, signs, acc) in enumerate(
                [(gen_row_e, gen_sign_e, i_exc), (gen_row_i, gen_sign_i, i_inh)]
                + [(gen_row_x[q], gen_sign_x[q], gen_acc_x[q])
                   for q in range(gen_acc_x.shape[0])]):
            cols = np.flatnonzero(is_gen & (free | ((gen_cond >> r) & 1 == 0)))
            gen_S[rows[cols], cols] += signs[cols] * acc[cols]
            acc[is_gen] = 0.0
        for (_, _, g), fired_g in zip(gen_runs, gen_fired):  # resets after the input
            gen_reset[g](k, gen_S, gen_P, fired_g, 0, len(fired_g))
    return n_steps

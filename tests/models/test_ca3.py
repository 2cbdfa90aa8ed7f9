"""CA3 content-addressable memory (Casanueva-Morato et al. 2024) on the Brian2 engine."""

import math

import numpy as np
import pytest

from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.models import CA3Memory, CA3Params, Learn, RecallByContent, RecallByCue
from neurosim.units import ms, mV, nA
from tests.models.ca3_protocols import (
    PAPER_EXPERIMENTS,
    random_protocol,
    reference,
    score,
)

SIZES = [(5, 10), (8, 16), (16, 32)]


@pytest.mark.parametrize("n_c, n_k", [*SIZES, (1, 1), (3, 7)])
def test_resources_match_the_paper(n_c, n_k):
    res = CA3Memory(n_c, n_k, seed=0).resources()
    assert res["neurons"] == 3 * n_c + 4 * n_k + 1
    assert res["synapses"] == 2 * n_c**2 + n_c + 3 * n_c * n_k + 6 * n_k
    assert res["io_neurons"] == 2 * (n_c + n_k)
    assert res["io_synapses"] == 2 * (n_c + n_k)


def test_output_timing():
    mem = CA3Memory(5, 10, seed=0)
    mem.learn(2, {1, 4})
    cue = mem.run([RecallByCue(2)])[0]
    t0 = float(cue.t0 / ms)
    times = {int(i): round(float(t / ms) - t0) for t, i in zip(cue.output.times,
                                                                cue.output.indices)}
    assert times == {2: 5, 5 + 1: 6, 5 + 4: 6}  # cue echo t0+5, content t0+6
    cont = mem.run([RecallByContent({4})])[0]
    t0 = float(cont.t0 / ms)
    times = {int(i): round(float(t / ms) - t0) for t, i in zip(cont.output.times,
                                                                cont.output.indices)}
    assert times == {5 + 4: 5, 2: 6}  # content echo t0+5, matching cue t0+6


@pytest.mark.parametrize("name", sorted(PAPER_EXPERIMENTS))
def test_the_papers_experiments(name):
    ops = PAPER_EXPERIMENTS[name]
    results = CA3Memory(5, 10, seed=0).run(ops)
    expected = reference(ops)
    assert [r.result for r in results] == expected


def test_quick_start_example():
    mem = CA3Memory(n_cues=5, n_content=10, engine="brian2", seed=0)
    mem.learn(cue=0, content={0, 1, 8, 9})
    assert mem.recall_by_cue(0) == frozenset({0, 1, 8, 9})
    assert mem.recall_by_content({6}) == frozenset()
    assert mem.recall_by_content({8}) == frozenset({0})


def _run_random(overwrite, content_bits, n_ops, params=None, engine="auto"):
    got = total = 0
    for n_c, n_k in SIZES:
        rng = np.random.default_rng(1000 + n_c)
        ops = random_protocol(n_c, n_k, n_ops, rng, overwrite=overwrite,
                              content_bits=content_bits)
        results = CA3Memory(n_c, n_k, seed=0, params=params, engine=engine).run(
            ops, progress=False)
        ok, n = score(results, reference(ops))
        got, total = got + ok, total + n
    return got, total


def test_random_learn_overwrite_recall_by_cue_is_exact():
    got, total = _run_random(overwrite=True, content_bits=0, n_ops=170)
    assert total >= 300
    assert got == total


def test_random_learn_recall_by_cue_and_single_bit_content_is_exact():
    got, total = _run_random(overwrite=False, content_bits=1, n_ops=150)
    assert total >= 300
    assert got == total


def test_random_overwrite_and_single_bit_content_is_exact_20_ms_apart():
    # At the paper's 10 ms, pairings with the neighbouring operation (6 exp(-9/3) nA each)
    # can lift an overwrite's 3.08 nA residue over threshold (docs/ca3.md); 20 ms apart they
    # cannot (6 exp(-19/3) = 0.01 nA).
    got, total = _run_random(overwrite=True, content_bits=1, n_ops=170,
                             params=CA3Params(op_interval=20 * ms))
    assert total >= 300
    assert got == total


SERIAL = CA3Params(op_interval=20 * ms, query_mode="serial")


@pytest.mark.parametrize("engine", ["numba", pytest.param("brian2", marks=pytest.mark.slow)])
def test_random_overwrite_and_1_to_3_bit_queries_are_exact_presented_serially(engine):
    # The acceptance protocol of issue 3 in full: learn, overwrite, recall by cue and recall
    # by content with 1-3 bits. Presented together (the paper), multi-bit queries are
    # Hebbian and later queries go wrong (the next test); one bit at a time they are not.
    got, total = _run_random(overwrite=True, content_bits=3, n_ops=170, params=SERIAL,
                             engine=engine)
    assert total >= 300
    assert got == total


def test_multi_bit_queries_presented_together_go_wrong_later():
    # the same protocols in the paper's parallel mode (docs/ca3.md: 102/303 recalls by
    # content right), so that the serial test above cannot pass for a trivial reason
    got = total = 0
    for n_c, n_k in SIZES:
        ops = random_protocol(n_c, n_k, 170, np.random.default_rng(1000 + n_c),
                              overwrite=True, content_bits=3)
        results = CA3Memory(n_c, n_k, seed=0, params=CA3Params(op_interval=20 * ms)).run(
            ops, progress=False)
        pairs = [(r.result, e) for r, e, op in zip(results, reference(ops), ops)
                 if isinstance(op, RecallByContent)]
        got += sum(r == e for r, e in pairs)
        total += len(pairs)
    assert total >= 100
    assert got < 0.5 * total


def test_a_serial_query_takes_one_slot_per_bit_and_answers_the_union():
    mem = CA3Memory(5, 10, seed=0, params=SERIAL)
    mem.learn(0, {1, 4})
    mem.learn(2, {3})
    res = mem.run([RecallByContent({3, 4}), RecallByCue(0)])
    assert res[0].result == frozenset({0, 2})
    t0 = float(res[0].t0 / ms)
    times = sorted((round(float(t / ms) - t0), int(i)) for t, i in zip(res[0].output.times,
                                                                        res[0].output.indices))
    # bit 3 at t0 (echo t0+5, cue 2 at t0+6), bit 4 one op_interval later (cue 0)
    assert times == [(5, 5 + 3), (6, 2), (25, 5 + 4), (26, 0)]
    assert float(res[1].t0 / ms) == t0 + 40  # the next operation waits for both slots
    assert res[1].result == frozenset({1, 4})
    k2c = np.asarray(mem.weights()["content_to_cue"] / nA)
    # the cross-links bit 4 -> cue 2 and bit 3 -> cue 0 stay residues of pairings 20 ms
    # apart, far below a fast cueCont's threshold (3.36 nA); a parallel query makes them
    # 6 exp(-2/3) = 3.08 nA at once (test_multi_bit_query_leaves_a_hebbian_cross_link)
    assert k2c[4, 2] < 0.02 and k2c[3, 0] < 0.02


def test_serial_queries_on_brian2_and_numba_give_identical_spikes():
    rng = np.random.default_rng(7)
    ops = random_protocol(5, 10, 40, rng, overwrite=True, content_bits=3)
    mems = {e: CA3Memory(5, 10, engine=e, seed=0, params=SERIAL) for e in ("brian2", "numba")}
    res = {e: m.run(ops, progress=False) for e, m in mems.items()}
    assert [r.result for r in res["brian2"]] == [r.result for r in res["numba"]] \
        == reference(ops)
    a, b = (m.output_spikes()["output"] for m in mems.values())
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.times, b.times)


@pytest.mark.parametrize("seed", range(6))
def test_multi_bit_content_query_on_a_fresh_memory_is_an_or_match(seed):
    rng = np.random.default_rng(seed)
    n_c, n_k = 8, 16
    ops = random_protocol(n_c, n_k, 8, rng, overwrite=False, content_bits=0)
    ops = [op for op in ops if isinstance(op, Learn)]
    query = frozenset(rng.choice(n_k, size=3, replace=False).tolist())
    ops.append(RecallByContent(query))
    results = CA3Memory(n_c, n_k, seed=0).run(ops)
    assert results[-1].result == reference(ops)[-1]


def test_overwrite_resets_the_old_association():
    mem = CA3Memory(3, 6, seed=0)
    mem.learn(0, {0, 1})
    mem.learn(0, {2, 3})
    w = mem.weights()
    c2k = np.asarray(w["cue_to_content"] / nA)
    assert c2k[0, 0] == 0 and c2k[0, 1] == 0          # reset by the pair rule
    assert c2k[0, 2] == 6 and c2k[0, 3] == 6          # set to w_max
    assert mem.recall_by_cue(0) == {2, 3}
    assert mem.recall_by_content({0}) == frozenset()


def test_multi_bit_query_leaves_a_hebbian_cross_link():
    # A property of the published network (docs/ca3.md): querying bits q1, q2 together makes
    # every recalled cue fire 1 ms after both contCont neurons, so the pair rule links q2 to
    # q1's cue with 6 exp(-2/3) nA (post at t0+4 seen at t0+5, pre at t0+3), times the
    # all-to-all pre trace (learning made contCont[b] fire at 10 b + 3 and 10 b + 5 ms).
    mem = CA3Memory(2, 4, seed=0)
    mem.learn(0, {0})
    mem.learn(1, {1})
    assert mem.recall_by_content({0, 1}) == {0, 1}  # the query itself is answered right
    k2c = np.asarray(mem.weights()["content_to_cue"] / nA)
    assert k2c[0, 0] == 6 and k2c[1, 1] == 6

    def trace(b):  # pre trace of contCont[b] at the query's pre spike, t = 23 ms
        return 1 + math.exp(-(23 - (10 * b + 3)) / 3) + math.exp(-(23 - (10 * b + 5)) / 3)

    assert k2c[1, 0] == pytest.approx(6 * math.exp(-2 / 3) * trace(1), rel=1e-9)
    assert k2c[0, 1] == pytest.approx(6 * math.exp(-2 / 3) * trace(0), rel=1e-9)


def test_batch_and_interactive_runs_agree():
    ops = PAPER_EXPERIMENTS["4_recall_by_content_one_at_a_time"]
    batch = CA3Memory(5, 10, seed=0)
    batch.run(ops)
    inter = CA3Memory(5, 10, seed=0)
    for op in ops:
        inter.run([op])
    a, b = batch.output_spikes(), inter.output_spikes()
    for key in ("input", "output"):
        assert np.array_equal(a[key].times, b[key].times)
        assert np.array_equal(a[key].indices, b[key].indices)


@pytest.mark.parametrize("call, param", [
    (lambda m: m.learn(5, {1}), "cue"),
    (lambda m: m.learn(-1, {1}), "cue"),
    (lambda m: m.learn(0, {10}), "content"),
    (lambda m: m.learn(0, set()), "content"),
    (lambda m: m.recall_by_cue(7), "cue"),
    (lambda m: m.recall_by_content({-2}), "query"),
    (lambda m: m.recall_by_content([]), "query"),
])
def test_bad_operations_name_the_parameter_and_leave_the_memory_usable(call, param):
    mem = CA3Memory(5, 10, seed=0)
    mem.learn(1, {3, 4})
    t_before = mem.simulation.t
    with pytest.raises(ParameterError) as err:
        call(mem)
    assert f"'{param}' parameter of CA3Memory" in str(err.value)
    assert "Got" in str(err.value)
    assert mem.simulation.t == t_before  # nothing ran
    assert mem.recall_by_cue(1) == {3, 4}


@pytest.mark.parametrize("make, fragment", [
    (lambda: CA3Memory(0, 10), "'n_cues' parameter of CA3Memory must be an int >= 1"),
    (lambda: CA3Memory(5, 0), "'n_content' parameter"),
    (lambda: CA3Params(tau_m_slow=20 * mV), "'tau_m_slow' parameter of CA3Params must be a time"),
    (lambda: CA3Params(hop=-1 * ms), "'hop' parameter of CA3Params must be a time > 0"),
    (lambda: CA3Params(op_interval=5 * ms), "'op_interval' parameter"),
    (lambda: CA3Memory(5, 10, engine="neuron"), "'engine' parameter must be one of"),
])
def test_bad_construction(make, fragment):
    with pytest.raises(ParameterError) as err:
        make()
    assert fragment in str(err.value)


def test_every_spike_is_kept_and_exported():
    mem = CA3Memory(3, 4, seed=0)
    mem.learn(0, {1})
    mem.recall_by_cue(0)
    spikes = mem.output_spikes()
    assert len(spikes["input"]) == 3 * 2 + 1  # cue + one bit held 3 ms, then one cue spike
    block = mem.to_neo()
    pops = {st.annotations["source_population"] for st in block.segments[0].spiketrains}
    assert {"IL", "OL", "cueCue", "contCue"} <= pops


@pytest.mark.slow
def test_cpp_standalone_gives_the_same_spikes_as_runtime():
    # Same model, Brian2's C++ standalone device (one compile, about 45 s on 2 cores).
    ops = PAPER_EXPERIMENTS["4_recall_by_content_one_at_a_time"]
    runtime = CA3Memory(5, 10, seed=0, engine="brian2")
    runtime.run(ops)
    compiled = CA3Memory(5, 10, seed=0, engine="brian2",
                         engine_options={"codegen_target": "cpp_standalone"})
    results = compiled.run(ops)
    assert [r.result for r in results] == reference(ops)
    for key in ("input", "output"):
        a, b = runtime.output_spikes()[key], compiled.output_spikes()[key]
        assert np.array_equal(a.times, b.times) and np.array_equal(a.indices, b.indices)
    for name, w in runtime.weights().items():
        # libm's exp vs NumPy's: identical up to float rounding
        np.testing.assert_allclose(np.asarray(compiled.weights()[name]), np.asarray(w),
                                   rtol=1e-12, atol=1e-24)
    with pytest.raises(UnsupportedFeature, match="cpp_standalone"):
        compiled.run([RecallByCue(0)])


def test_brian2_numba_and_reference_engines_give_identical_spikes():
    # Three implementations of the same semantics (Brian2 code generation, a compiled Numba
    # loop, a NumPy loop): every spike of every population identical over 300 random operations
    # (overwrites and multi-bit queries included), weights equal to float rounding.
    n_ops = 0
    for n_c, n_k in SIZES:
        ops = random_protocol(n_c, n_k, 100, np.random.default_rng(7 + n_c), overwrite=True,
                              content_bits=3)
        n_ops += len(ops)
        mems = {}
        for engine in ("brian2", "numba", "reference"):
            mems[engine] = CA3Memory(n_c, n_k, engine=engine, seed=0)
            mems[engine].run(ops, progress=False)
        a = mems["brian2"]
        for other in ("numba", "reference"):
            b = mems[other]
            for label in a.spec.groups:
                sa, sb = a.simulation.spikes(label), b.simulation.spikes(label)
                assert np.array_equal(sa.times, sb.times), (other, label)
                assert np.array_equal(sa.indices, sb.indices), (other, label)
            for name, w in a.weights().items():
                np.testing.assert_allclose(np.asarray(b.weights()[name] / nA),
                                           np.asarray(w / nA), rtol=0, atol=1e-12)
    assert n_ops >= 300


def test_protocol_spec_puts_the_operations_into_the_input_layer():
    from neurosim.models.ca3 import Learn, RecallByCue

    mem = CA3Memory(3, 4, engine="numba", seed=0)
    ops = [Learn(1, {0, 2}), RecallByCue(1)]
    spec, duration = mem.protocol_spec(ops)
    # replaying the spec from scratch reproduces the interactive session's output spikes
    from neurosim.engines import build

    sim = build(spec, engine="numba", dt=mem.params.dt, integration="spinnaker", seed=0)
    sim.run(duration)
    mem.run(ops)
    a, b = sim.spikes("OL"), mem.output_spikes()["output"]
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.times, b.times)
    assert mem.history[-1].result == frozenset({0, 2})

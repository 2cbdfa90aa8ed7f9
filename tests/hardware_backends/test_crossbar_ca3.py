"""The CA3 memory on the crossbar backend: CA3Memory(..., backend="crossbar") and the CLI."""

import numpy as np
import pytest

pytest.importorskip("pyNN")

from neurosim import registry
from neurosim.cli import main
from neurosim.devices import neurram_wan2022
from neurosim.errors import ParameterError
from neurosim.models import CA3Memory
from neurosim.models.ca3 import (
    CA3Params,
    Learn,
    RecallByCue,
    ca3_spec,
    random_protocol,
    reference_results,
)
from neurosim.units import ms, nA, siemens


def _score(results, expected):
    scored = [r.result == e for r, e in zip(results, expected) if e is not None]
    return sum(scored), len(scored)


@pytest.mark.parametrize("fidelity", ["ideal", "quantised"])
def test_ca3_on_the_crossbar_is_exact_over_300_random_recalls(fidelity):
    got = total = 0
    for n_c, n_k in ((5, 10), (8, 16)):
        ops = random_protocol(n_c, n_k, 170, np.random.default_rng(1000 + n_c),
                              overwrite=False, query_bits=1)
        mem = CA3Memory(n_c, n_k, seed=0, backend="crossbar", fidelity=fidelity)
        results = mem.run(ops, progress=False)
        ok, n = _score(results, reference_results(ops))
        got, total = got + ok, total + n
        # the same output spikes as the Numba engine, operation by operation
        ref = CA3Memory(n_c, n_k, seed=0).run(ops, progress=False)
        for a, b in zip(results, ref):
            assert np.array_equal(a.output.indices, b.output.indices)
            assert np.array_equal(np.asarray(a.output.times / ms), np.asarray(b.output.times / ms))
    assert total >= 300 and got == total


def test_ideal_crossbar_weights_equal_the_engines_bit_for_bit():
    ops = [Learn(0, frozenset({1, 3})), Learn(2, frozenset({0})), RecallByCue(0)]
    a = CA3Memory(3, 6, seed=0, backend="crossbar", fidelity="ideal")
    b = CA3Memory(3, 6, seed=0)
    a.run(ops)
    b.run(ops)
    for key in ("cue_to_content", "content_to_cue"):
        assert np.array_equal(np.asarray(a.weights()[key] / nA), np.asarray(b.weights()[key] / nA),
                              equal_nan=True)


def test_learning_on_devices_counts_pulses_into_the_ledger():
    mem = CA3Memory(3, 6, seed=0, backend="crossbar", fidelity="quantised")
    before = mem.ledger.counts.get("program_pulses", 0.0)   # static weights, write-verify
    mem.learn(0, {1, 2})
    sim = mem.simulation
    pulses = sum(int(sim.inner.pulse_counts(p).sum()) for p in ("cue->content", "content->cue"))
    assert pulses > 0
    assert mem.ledger.counts["program_pulses"] == pytest.approx(before + pulses)
    assert mem.ledger.counts["row_reads"] > 0 and mem.ledger.total_energy_pJ > 0
    # the learned weights sit on the device's levels (16 levels, scale a power of two)
    w = np.asarray(mem.weights()["cue_to_content"] / nA)
    xb = sim.crossbars["cue->content"]
    step = (xb.g_max - xb.g_min) / 15 / xb.scale * 1e9
    k = w[np.isfinite(w)] / step
    assert np.allclose(k, np.round(k), atol=1e-9) and w[0, 1] > 5


def test_device_noise_is_seeded():
    dev = neurram_wan2022().replace(sigma_prog=2.4e-6 * siemens)
    ops = random_protocol(5, 10, 40, np.random.default_rng(7), overwrite=False)
    mems = [CA3Memory(5, 10, seed=s, backend="crossbar", device=dev) for s in (3, 3, 4)]
    for mem in mems:
        mem.run(ops, progress=False)
    w = [np.asarray(m.weights()["cue_to_content"] / nA) for m in mems]
    assert np.array_equal(w[0], w[1], equal_nan=True)
    assert not np.array_equal(w[0], w[2], equal_nan=True)


def test_build_simulation_is_reached_through_the_registry_and_checks_its_arguments():
    backend = registry.get("backend", "crossbar")
    spec = ca3_spec(2, 3, CA3Params())
    with pytest.raises(ParameterError):
        backend.build_simulation(spec, dt=1 * ms, fidelity="perfect")
    with pytest.raises(ParameterError):
        backend.build_simulation(spec, dt=1 * ms, plasticity="device", engine="reference")
    with pytest.raises(ParameterError):
        CA3Memory(2, 3, backend="pynn")   # deploys a spec, does not simulate one
    sim = backend.build_simulation(spec, dt=1 * ms, seed=0, fidelity="ideal",
                                   integration="spinnaker")
    sim.run(5 * ms)
    assert float(sim.t / ms) == 5 and sim.to_neo() is not None and sim.ledger.counts


def test_cli_runs_ca3_on_the_crossbar_and_prints_the_ledger(capsys, tmp_path):
    code = main(["run", "ca3", "--backend", "crossbar", "--device", "neurram_wan2022",
                 "--fidelity", "quantised", "--ops", "12", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "crossbar ledger" in out and "programming pulses" in out and "total" in out
    assert (tmp_path / "results.json").exists()
    assert main(["run", "ca3", "--backend", "crossbar", "--device", "esgnn_wang2023",
                 "--ops", "2"]) == 2

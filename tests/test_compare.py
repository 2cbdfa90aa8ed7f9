import json

import numpy as np
import pytest

import neurosim
from neurosim.cli import main
from neurosim.comparison import van_rossum_distance
from neurosim.engines.data import SpikeData
from neurosim.network.examples import vogels_abbott_coba
from neurosim.units import ms, second


def _train(times_ms, size=1, idx=None):
    t = np.asarray(times_ms, float) * 1e-3
    return SpikeData("x", size, t * second, np.zeros(len(t), int) if idx is None else idx)


def test_van_rossum_closed_forms():
    a = _train([10.0])
    assert van_rossum_distance(a, a) == 0
    # one spike against none: D^2 = 1/2
    assert van_rossum_distance(a, _train([])) == pytest.approx(np.sqrt(0.5))
    # two single spikes dt apart: D^2 = 1 - exp(-dt/tau)
    d = van_rossum_distance(a, _train([13.0]), tau=5 * ms)
    assert d == pytest.approx(np.sqrt(1 - np.exp(-3 / 5)))


def test_compare_reports_identical_engines_and_measures_a_difference(tmp_path):
    spec = vogels_abbott_coba(2000, 0.04)
    report = neurosim.compare(spec, ["numba", "brian2"], duration=100 * ms, seed=1)
    assert report.identical
    assert report.spike_agreement["brian2"]["P"] == 1.0
    assert report.van_rossum["brian2"]["P"] == 0.0
    assert report.rate_error["brian2"]["P"] == 0.0
    assert "agreement" in report.table()


def test_compare_sees_a_real_difference():
    # The same current-based network under two discretisations ("exact" on numba,
    # SpiNNaker's tick arithmetic on brian2): the metrics must register the difference.
    from neurosim.network import (
        IF_curr_exp,
        NetworkSpec,
        OneToOne,
        Population,
        Probe,
        Projection,
        SpikeSourcePoisson,
        StaticSynapse,
    )
    from neurosim.units import Hz, mV, nA

    spec = NetworkSpec((Population("n", 50, IF_curr_exp(tau_m=10 * ms, v_thresh=-60 * mV)),),
                       (SpikeSourcePoisson("p", 50, rate=100 * Hz),),
                       (Projection("p", "n", OneToOne(), StaticSynapse(weight=1.5 * nA,
                                                                        delay=1 * ms)),),
                       (Probe("n"),))
    report = neurosim.compare(spec, ["numba", "brian2"], duration=200 * ms, dt=1 * ms, seed=2,
                              engine_options={"brian2": {"integration": "spinnaker"}})
    assert not report.identical
    assert report.spike_agreement["brian2"]["n"] < 0.99
    assert report.van_rossum["brian2"]["n"] > 0.1


def test_compare_cli(tmp_path, capsys):
    spec = vogels_abbott_coba(2000, 0.04)
    path = tmp_path / "spec.json"
    path.write_text(spec.to_json())
    out = tmp_path / "cmp"
    assert main(["compare", str(path), "--engines", "numba,reference", "--duration-ms", "50",
                 "--seed", "1", "--out", str(out)]) == 0
    assert "identical spikes on every engine" in capsys.readouterr().out
    data = json.loads((out / "report.json").read_text())
    assert data["spike_agreement"]["reference"]["P"] == 1.0
    assert (out / "comparison.png").stat().st_size > 5000

"""The same command twice, without --seed, writes the same results (issue 22): every
stochastic path has a default seed. Run times and the git hash are the only fields that
may differ; spikes are compared array by array."""

import json

import numpy as np
import pytest

from neurosim.cli import main

#: fields that say how long a run took or which commit ran it, not what it computed (and
#: any field with "wall" in its name: wall-clock times)
_CLOCK = {"seconds", "git"}


def _without_clock(value):
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items()
                if k not in _CLOCK and "wall" not in k}
    if isinstance(value, list):
        return [_without_clock(v) for v in value]
    return value


def _results_twice(argv, tmp_path, capsys) -> list[dict]:
    out = []
    for k in range(2):
        folder = tmp_path / f"run{k}"
        assert main([*argv, "--out", str(folder)]) == 0
        capsys.readouterr()
        out.append({"json": json.loads((folder / "results.json").read_text()),
                    "spikes": dict(np.load(folder / "spikes.npz"))
                    if (folder / "spikes.npz").exists() else None})
    return out


@pytest.mark.parametrize("argv", [
    ["run", "ca3", "--ops", "8"],
    ["deploy", "ca3", "--spinnaker", "--emulate", "--ops", "8"],
    ["run", "sparsey", "--items", "12"],
    ["run", "elm", "--task", "adding", "--quick", "--no-progress"],
    ["run", "hlop", "--tasks", "2", "--epochs", "1", "--hidden", "16", "--methods", "hlop",
     "--max-train", "200", "--no-progress"],
    ["run", "lsm", "--no-progress"],
    ["run", "ca3", "--protocol", "map"],
], ids=["ca3", "deploy-emulate", "sparsey", "elm", "hlop", "lsm", "ca3-map"])
def test_the_same_command_twice_writes_the_same_results(argv, tmp_path, capsys):
    first, second = _results_twice(argv, tmp_path, capsys)
    assert _without_clock(first["json"]) == _without_clock(second["json"])
    if first["spikes"] is not None:
        assert first["spikes"].keys() == second["spikes"].keys()
        for key, values in first["spikes"].items():
            np.testing.assert_array_equal(values, second["spikes"][key], err_msg=key)


def test_run_nir_twice_writes_the_same_results(tmp_path, capsys):
    nir = pytest.importorskip("nir", reason="the extra 'nir' (make test installs it)")
    graph = nir.NIRGraph.from_list(
        nir.Affine(weight=np.full((5, 3), 0.004), bias=np.zeros(5)),
        nir.CubaLIF(tau_syn=np.full(5, 5e-3), tau_mem=np.full(5, 2e-2), r=np.full(5, 20.0),
                    v_leak=np.zeros(5), v_threshold=np.full(5, 10.0)))
    nir.write(tmp_path / "g.nir", graph)
    argv = ["run-nir", str(tmp_path / "g.nir"), "--input-rate-hz", "80", "--units", "mV-nA"]
    first, second = _results_twice(argv, tmp_path, capsys)
    assert _without_clock(first["json"]) == _without_clock(second["json"])
    assert first["json"]["groups"][0]["spikes"] > 0  # Poisson inputs drawn from the seed
    for key, values in first["spikes"].items():
        np.testing.assert_array_equal(values, second["spikes"][key], err_msg=key)

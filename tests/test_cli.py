import json
import subprocess
import sys

import numpy as np
import pytest

from neurosim.cli import main


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "ca3" in out and "brian2" in out and "Backends:" in out


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "neurosim", "list"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "ca3" in out.stdout


def test_run_ca3_writes_results(tmp_path, capsys):
    out = tmp_path / "ca3"
    assert main(["run", "ca3", "--n-cues", "4", "--n-content", "8", "--ops", "16",
                 "--seed", "3", "--out", str(out), "--plot"]) == 0
    printed = capsys.readouterr().out
    assert "score:" in printed
    data = json.loads((out / "results.json").read_text())
    assert data["resources"]["neurons"] == 3 * 4 + 4 * 8 + 1
    assert len(data["operations"]) == 16
    scored = [r for r in data["operations"] if r["correct"] is not None]
    assert data["score"] == {"correct": sum(r["correct"] for r in scored),
                             "recalls": len(scored)}
    assert data["score"]["correct"] == data["score"]["recalls"]  # single-bit queries: exact
    spikes = np.load(out / "spikes.npz")
    assert "OL_times_ms" in spikes and len(spikes["OL_times_ms"]) == len(spikes["OL_indices"])
    assert (out / "raster.png").stat().st_size > 10_000
    assert (out / "spec.json").exists()


def test_bad_arguments_exit_with_a_message(capsys):
    with pytest.raises(SystemExit) as err:
        main(["run", "ca3", "--n-cues", "0"])
    assert err.value.code == 2
    assert "must be an int >= 1" in capsys.readouterr().err
    assert main(["run", "ca3", "--engine", "nest", "--ops", "2"]) == 2
    assert "'engine' parameter must be one of" in capsys.readouterr().err

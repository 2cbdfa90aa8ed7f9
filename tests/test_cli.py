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
    assert "must be an integer >= 1" in capsys.readouterr().err
    assert main(["run", "ca3", "--engine", "neuron", "--ops", "2"]) == 2
    assert "'engine' parameter must be one of" in capsys.readouterr().err


def test_sweep_hopfield_then_plot_with_theory(tmp_path, capsys):
    store = tmp_path / "r.sqlite"
    argv = ["sweep", "hopfield", "--axis", "alpha=0.05,0.25", "--fixed", "n_neurons=600",
            "--repeats", "2", "--workers", "1", "--store", str(store), "--no-progress"]
    assert main(argv) == 0
    assert "computed 4, skipped 0" in capsys.readouterr().out
    assert main(argv) == 0                                   # a rerun computes nothing
    assert "computed 0, skipped 4" in capsys.readouterr().out
    from neurosim.sweeps import ResultStore
    with ResultStore(store) as rs:
        m = rs.to_xarray()["m"].mean("repeat").values
    assert m[0] == 1.0 and m[1] < 0.6                        # inside / outside alpha_c
    png = tmp_path / "m.png"
    assert main(["plot", str(store), "--x", "alpha", "--y", "m", "--theory", "ags",
                 "--out", str(png)]) == 0
    assert png.stat().st_size > 10_000


def test_sweep_rejects_unknown_axis_and_mismatched_theory(tmp_path, capsys):
    assert main(["sweep", "hopfield", "--axis", "gamma=1,2", "--store",
                 str(tmp_path / "x.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "'gamma'" in err and "alpha" in err
    store = tmp_path / "r.sqlite"
    assert main(["sweep", "multitask-hebbian", "--axis", "dilution=0.2,0.4", "--fixed",
                 "n_neurons=500", "--workers", "1", "--store", str(store),
                 "--no-progress"]) == 0
    assert main(["plot", str(store), "--x", "dilution", "--y", "m_1", "--theory", "ags",
                 "--out", str(tmp_path / "p.png")]) == 2
    assert "'theory'" in capsys.readouterr().err


def test_deploy_ca3_on_the_virtual_board(tmp_path, capsys):
    # sPyNNaker maps the CA3 network (4 cues x 8 bits) on its virtual board: the pre-flight
    # and the mapping report come back, spikes do not.
    from neurosim.hardware_backends.spinnaker import VirtualBoardWarning

    with pytest.warns(VirtualBoardWarning, match="virtual board"):
        assert main(["deploy", "ca3", "--spinnaker", "--n-cues", "4", "--n-content", "8",
                     "--ops", "8", "--run-dir", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "cores on 1 chip(s)" in out and "routing entries" in out
    assert "cueCue: 1 core(s)" in out and "OL: 1 core(s)" in out
    assert "no spikes come back from a virtual run" in out


def test_deploy_ca3_emulated(tmp_path, capsys):
    # the emulator runs the board's fixed-point arithmetic; on a short protocol (no content
    # neuron fires 15 times between its cue's spikes) it scores what the float engines score
    import re

    from neurosim.models.ca3 import CA3Memory, random_protocol, reference_results

    assert main(["deploy", "ca3", "--spinnaker", "--emulate", "--n-cues", "4",
                 "--n-content", "8", "--ops", "24", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "emulated 24 operations" in out
    score = re.search(r"score: (\d+)/(\d+) recalls correct in the emulator", out)
    ops = random_protocol(4, 8, 24, np.random.default_rng(1))
    expected = reference_results(ops)
    results = CA3Memory(4, 8, engine="numba", seed=1).run(ops)
    scored = [r.result == e for r, e in zip(results, expected) if e is not None]
    assert score and (int(score.group(1)), int(score.group(2))) == (sum(scored), len(scored))
    assert "post-event history" not in out  # nothing lost, nothing said


def test_deploy_ca3_emulated_says_what_the_board_loses(capsys):
    # 150 operations on 8 x 16: content neurons fire more than 15 times between their cue's
    # spikes, and the board's post-event history drops pairings (docs/spinnaker_emulator.md)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["deploy", "ca3", "--spinnaker", "--emulate", "--n-cues", "8",
                     "--n-content", "16", "--ops", "150", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "STDP pairings lost to the board's 16-entry post-event history: {'cue->content'" \
        in out

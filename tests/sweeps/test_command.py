"""The `neurosim sweep` subcommands (wired into the main parser by neurosim.cli) and the API."""

import argparse
import csv
import subprocess
import sys
from dataclasses import dataclass

import pytest

import neurosim.sweeps
from neurosim.cli import main
from neurosim.errors import ParameterError
from neurosim.sweeps.command import add_sweep_parser, cmd_sweep, load_function
from tests.sweeps.sweep_functions import noisy_order


@dataclass(frozen=True)
class _Target:
    name: str = "toy"
    summary: str = "a toy order parameter"
    parameters: tuple = ("alpha", "N")

    def load(self):
        return noisy_order


TARGETS = (_Target(),)


def _parser():
    parser = argparse.ArgumentParser(prog="neurosim")
    add_sweep_parser(parser.add_subparsers(dest="command", required=True), TARGETS)
    return parser


def _cli(*argv):
    return cmd_sweep(_parser().parse_args(["sweep", *argv]), TARGETS)


def test_public_api_resolves():
    for name in neurosim.sweeps.__all__:
        assert getattr(neurosim.sweeps, name) is not None
    with pytest.raises(AttributeError):
        neurosim.sweeps.nope  # noqa: B018


def test_importing_the_command_does_not_import_brian2():
    code = ("import sys, neurosim.sweeps.command, neurosim.sweeps; "
            "sys.exit('brian2' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_run_status_export_plot(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    args = ["run", "tests.sweeps.sweep_functions:noisy_order", "--axis", "alpha=0.02:0.30:4",
            "--axis", "N=50,100", "--repeats", "2", "--seed", "7", "--store", str(store),
            "--workers", "1", "--no-progress"]
    assert _cli(*args) == 0
    assert "computed 16, skipped 0, failed 0; 16/16" in capsys.readouterr().out
    assert _cli(*args) == 0
    assert "computed 0, skipped 16" in capsys.readouterr().out

    assert _cli("status", str(store)) == 0
    out = capsys.readouterr().out
    assert "noisy_order  16/16  (alpha[4], N[2]; repeats=2, seed=7)" in out

    assert _cli("export", str(store), "--out", str(tmp_path / "r.csv")) == 0
    with open(tmp_path / "r.csv") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 16
    assert {"index", "repeat", "seed", "alpha", "N", "m", "latency [second]"} <= set(table[0])

    # the one plot command: neurosim plot (sweep plot is gone: one meaning of --y)
    assert main(["plot", str(store), "--y", "m", "--x", "alpha", "--sel", "N=100",
                 "--out", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p.png").stat().st_size > 0
    assert main(["plot", str(store), "--y", "m", "--x", "alpha", "--over", "N",
                 "--out", str(tmp_path / "h.png")]) == 0
    with pytest.raises(SystemExit):
        _cli("plot", str(store), "--order", "m", "--x", "alpha")


def test_run_with_units_and_fixed_values(tmp_path, capsys):
    store = tmp_path / "u.sqlite"
    assert _cli("run", "tests.sweeps.sweep_functions:with_units", "--axis", "tau=5,10 ms",
                "--fixed", "rate=20 Hz", "--store", str(store), "--workers", "1",
                "--no-progress") == 0
    capsys.readouterr()
    assert _cli("export", str(store), "--out", str(tmp_path / "u.csv")) == 0
    with open(tmp_path / "u.csv") as fh:
        table = list(csv.DictReader(fh))
    assert [float(r["tau [second]"]) for r in table] == [0.005, 0.01]
    assert [float(r["product"]) for r in table] == pytest.approx([0.1, 0.2])
    assert main(["plot", str(store), "--y", "u", "--x", "tau",
                 "--out", str(tmp_path / "u.png")]) == 0


def test_a_failing_sweep_exits_1(tmp_path, capsys):
    code = _cli("run", "tests.sweeps.sweep_functions:fails_at_three", "--axis", "x=1,2,3",
                "--store", str(tmp_path / "f.sqlite"), "--workers", "1", "--no-progress")
    assert code == 1
    captured = capsys.readouterr()
    assert "diverged at x=3" in captured.err and "computed 2" in captured.out


def test_bad_input(tmp_path):
    with pytest.raises(ParameterError, match="'function'"):
        load_function("tests.sweeps.sweep_functions.noisy_order")
    with pytest.raises(ParameterError, match="'function'"):
        load_function("tests.sweeps.nope:f")
    with pytest.raises(ParameterError, match="'function'"):
        load_function("tests.sweeps.sweep_functions:nope")
    assert load_function("tests.sweeps.sweep_functions:noisy_order") is noisy_order
    with pytest.raises(ParameterError, match="'alpha'"):
        _cli("run", "tests.sweeps.sweep_functions:noisy_order", "--axis", "alpha=1:2",
             "--store", str(tmp_path / "x.sqlite"))
    with pytest.raises(ParameterError, match="'store'"):
        _cli("status", str(tmp_path / "missing.sqlite"))
    assert not (tmp_path / "missing.sqlite").exists()
    with pytest.raises(ParameterError, match="'N'"):
        _cli("run", "tests.sweeps.sweep_functions:noisy_order", "--axis", "alpha=1,2",
             "--fixed", "N=1,2", "--store", str(tmp_path / "x.sqlite"))


def test_a_named_target(tmp_path, capsys):
    store = tmp_path / "t.sqlite"
    assert _cli("toy", "--axis", "alpha=0.1,0.2", "--fixed", "N=10", "--store", str(store),
                "--workers", "1", "--no-progress") == 0
    assert "(toy): computed 2" in capsys.readouterr().out  # the sweep is named after the target
    with pytest.raises(ParameterError, match=r"'beta'.*one of \['N', 'alpha'\]"):
        _cli("toy", "--axis", "beta=1,2", "--store", str(store))

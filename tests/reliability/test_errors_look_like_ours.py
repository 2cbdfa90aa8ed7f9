"""Our errors look like ours (issue 22): no Brian2 banner or debug files for them, Python's
own warning display, and a command line that says one line for bad input (exit 2) or a
failed run (exit 1), with the traceback behind ``--debug``."""

import argparse
import os
import subprocess
import sys
import textwrap

import pytest

import neurosim.cli
from neurosim.cli import main

BANNER = "Brian 2 encountered an unexpected error"


def _run_script(tmp_path, body: str) -> subprocess.CompletedProcess:
    """``body`` run as a script file (Brian2 copies script files, not ``-c`` code) with its
    own, empty temporary folder."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)


def test_an_uncaught_parameter_error_prints_no_brian2_banner_and_leaves_no_files(tmp_path):
    out = _run_script(tmp_path, """
        from neurosim.network import StaticSynapse
        from neurosim.units import nA
        StaticSynapse(weight=float("inf") * nA)
    """)
    assert out.returncode == 1
    assert BANNER not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("neurosim.errors.ParameterError: "
                                                           "The 'weight' parameter")
    assert [f for f in os.listdir(tmp_path / "tmp") if f.startswith("brian_")] == []


def test_brian2_is_imported_but_its_hook_and_files_are_gone(tmp_path):
    """The state a script sees after importing neurosim's units (Brian2 loaded)."""
    out = _run_script(tmp_path, """
        import os, sys, warnings, tempfile
        hook = sys.excepthook
        import neurosim.units  # imports Brian2
        from brian2.utils.logger import BrianLogger
        assert sys.excepthook is hook, sys.excepthook
        assert BrianLogger.tmp_log is None and BrianLogger.tmp_script is None
        warnings.warn("a warning of ours")
        print(sorted(f for f in os.listdir(tempfile.gettempdir()) if f.startswith("brian_")))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    # Python's own display, not Brian2's logger ("WARNING ... [py.warnings]")
    assert "UserWarning: a warning of ours" in out.stderr
    assert "[py.warnings]" not in out.stderr


@pytest.mark.parametrize("argv, says", [
    (["run", "sparsey", "--items", "-5"], "--items: must be an integer >= 1, got -5"),
    (["run", "sparsey", "--freeze-at", "2"], "--freeze-at: must be a number in (0, 1]"),
    (["run", "elm", "--task", "adding", "--epochs", "0"], "--epochs: must be an integer >= 1"),
    (["run", "lsm", "--seeds", "-1"], "--seeds: must be distinct integers >= 0, got '-1'"),
    (["run", "hlop", "--seeds", "1,1"], "--seeds: must be distinct integers >= 0"),
    (["run", "lsm", "--seeds", "0,"], "--seeds: must be comma-separated integers"),
    (["run", "hlop", "--tasks", "0"], "--tasks: must be an integer >= 1"),
    (["run", "ca3", "--op-interval", "nan"], "--op-interval: must be a finite number"),
    (["run", "ca3", "--op-interval", "-3"], "--op-interval: must be a finite number > 0"),
    (["run", "ca3", "--query-bits", "x"], "--query-bits: must be an integer, got 'x'"),
    (["run", "ca3", "--out", "/proc/neurosim/x"], "--out: cannot write results to"),
    (["compare", "--example", "coba", "--duration-ms", "0"], "--duration-ms: must be a finite"),
    (["compare", "--example", "coba", "--dt-ms", "inf"], "--dt-ms: must be a finite number"),
    (["deploy", "ca3", "--spinnaker", "--virtual", "--n-cues", "0"], "--n-cues: must be an"),
])
def test_bad_command_line_values_stop_at_the_parser_in_one_line(argv, says, capsys):
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert says in lines[-1] and "Traceback" not in "\n".join(lines)


def test_a_query_longer_than_the_content_is_refused_before_the_run(capsys):
    assert main(["run", "ca3", "--n-content", "10", "--query-bits", "50", "--ops", "4"]) == 2
    err = capsys.readouterr()
    assert err.err.strip() == ("neurosim: error: The 'query_bits' parameter of random_protocol "
                               "must be at most n_content (10): a query is a set of content "
                               "bits. Got 50 instead.")
    assert "score" not in err.out  # nothing ran


def test_a_failed_run_says_one_line_and_exit_1_and_debug_shows_the_traceback(monkeypatch,
                                                                              capsys):
    def broken() -> int:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(neurosim.cli, "cmd_list", broken)
    assert main(["list"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["neurosim: error: the run failed: RuntimeError: the disk went away "
                   "(run with --debug for the traceback)"]
    with pytest.raises(RuntimeError, match="the disk went away"):
        main(["--debug", "list"])


def _parsers(parser, path=()):
    """Every (sub)command's parser, with its command path."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_help_has_examples_and_every_option_with_a_default_shows_it():
    parser = neurosim.cli.build_parser()
    top = parser.format_help()
    assert "examples:\n  neurosim list" in top and "Docs: README.md" in top
    walked = set()
    for path, sub in _parsers(parser):
        walked.add(path)
        text = " ".join(sub.format_help().split())  # wrapping undone
        for action in sub._actions:
            if action.default is None or action.default is False \
                    or action.default == argparse.SUPPRESS or not action.option_strings:
                continue
            shown = f"(default: {action.default})"
            help_text = " ".join((action.help or "").split())
            assert shown in text or "default" in help_text.lower(), (path, action.dest)
    assert {("run", m) for m in ("ca3", "sparsey", "elm", "hlop", "lsm")} | {
        ("compare",), ("deploy", "ca3"), ("plot",), ("sweep", "export"), ("sweep", "run"),
        ("sweep", "hopfield")} <= walked


def test_a_board_that_cannot_be_reached_is_one_line(tmp_path, capsys):
    pytest.importorskip("spynnaker", reason="sPyNNaker is the extra 'spinnaker'")
    # sPyNNaker's child process fails to resolve the host; its 40-line traceback stays in
    # the log, the CLI prints the exception it ended with
    code = main(["deploy", "ca3", "--spinnaker", "--machine", "nonexistent.invalid",
                 "--version", "5", "--ops", "2", "--run-dir", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "nonexistent.invalid" in err[0] and "SpinnmanIOException" in err[0]
    assert "spinnaker.log" in err[0]

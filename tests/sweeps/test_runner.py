"""run_sweep: the same table from any executor, resume after SIGKILL, failures, rerun."""

import concurrent.futures as cf
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from neurosim.errors import ParameterError
from neurosim.sweeps import ParameterGrid, SweepError, dask_executor, run_sweep
from tests.sweeps.sweep_functions import (
    bad_result,
    fails_at_three,
    noisy_order,
    sleepy,
    table,
)

ROOT = Path(__file__).resolve().parents[2]
GRID = ParameterGrid({"alpha": "0.02:0.30:4", "N": [50, 100]}, repeats=2, seed=7)


@pytest.fixture(scope="module")
def serial_table():
    return table(run_sweep(noisy_order, GRID, workers=1, progress=False).rows())


def test_process_pool_gives_the_serial_table(tmp_path, serial_table):
    result = run_sweep(noisy_order, GRID, tmp_path / "s.sqlite", workers=2, progress=False)
    assert (result.computed, result.skipped, result.complete) == (16, 0, True)
    assert table(result.rows()) == serial_table


def test_a_user_executor_gives_the_serial_table(serial_table):
    with cf.ThreadPoolExecutor(3) as ex:
        result = run_sweep(noisy_order, GRID, executor=ex, progress=False)
    assert table(result.rows()) == serial_table


def test_dask_gives_the_serial_table(tmp_path, serial_table):
    distributed = pytest.importorskip("distributed")
    import dask

    # Dask's scratch space (worker folders, locks) goes to tmp_path, not the temp folder.
    with dask.config.set({"temporary-directory": str(tmp_path / "dask")}):
        local = run_sweep(noisy_order, GRID, tmp_path / "local.sqlite", dask="local",
                          workers=2, progress=False)
        assert table(local.rows()) == serial_table
        # A running scheduler, by address (the cluster is left running for its owner).
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            remote = run_sweep(noisy_order, GRID, tmp_path / "remote.sqlite",
                               dask=cluster.scheduler_address, progress=False)
            assert cluster.scheduler_address.startswith("tcp://")
            assert len(cluster.workers) == 2
    assert table(remote.rows()) == serial_table


class _Forbidden(cf.Executor):
    def submit(self, *args, **kwargs):
        raise AssertionError("a finished sweep must compute nothing")


def test_rerun_of_a_finished_sweep_computes_nothing(tmp_path, serial_table):
    path = tmp_path / "s.sqlite"
    run_sweep(noisy_order, GRID, path, workers=1, progress=False)
    before = [r["finished"] for r in run_sweep(noisy_order, GRID, path, executor=_Forbidden(),
                                               progress=False).rows()]
    again = run_sweep(noisy_order, GRID, path, executor=_Forbidden(), progress=False)
    assert (again.computed, again.skipped, again.complete) == (0, 16, True)
    assert [r["finished"] for r in again.rows()] == before
    assert table(again.rows()) == serial_table


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_point_loses_nothing_else(tmp_path, workers):
    path = tmp_path / "s.sqlite"
    grid = ParameterGrid({"x": [1, 2, 3, 4, 5]}, repeats=2)
    with pytest.raises(SweepError) as err:
        run_sweep(fails_at_three, grid, path, workers=workers, progress=False)
    e = err.value
    assert [(f.index, f.repeat) for f in e.failures] == [(2, 0), (2, 1)] or workers == 2
    assert sorted((f.index, f.repeat) for f in e.failures) == [(2, 0), (2, 1)]
    assert "diverged at x=3" in str(e) and "x=3" in str(e) and "point 2" in str(e)
    assert e.result.computed == 8 and not e.result.complete
    assert sorted(r["index"] for r in e.result.rows()) == [0, 0, 1, 1, 3, 3, 4, 4]
    # A rerun retries only the failed points (and they fail again).
    with pytest.raises(SweepError) as again:
        run_sweep(fails_at_three, grid, path, workers=1, progress=False)
    assert again.value.result.computed == 0 and again.value.result.skipped == 8


def test_a_result_that_cannot_be_stored_is_a_failure():
    with pytest.raises(SweepError, match=r"result\['obj'\]"):
        run_sweep(bad_result, {"x": [1]}, workers=1, progress=False)


def _clashes(params, rng):
    return {"x": 1.0}


def test_result_names_must_not_clash_with_axes():
    with pytest.raises(SweepError, match="names other than the axes"):
        run_sweep(_clashes, {"x": [1]}, workers=1, progress=False)


def test_bad_arguments():
    with pytest.raises(ParameterError, match=r"'fn'.*module-level"):
        run_sweep(lambda p, r: {"y": 1}, {"x": [1, 2]}, workers=2, progress=False)
    # In this process (workers=1) a lambda is fine.
    assert run_sweep(lambda p, r: {"y": p["x"]}, {"x": [1, 2]}, workers=1,
                     progress=False).computed == 2
    with pytest.raises(ParameterError, match="'workers'"):
        run_sweep(noisy_order, GRID, workers=0, progress=False)
    with pytest.raises(ParameterError, match="'dask'"):
        run_sweep(noisy_order, GRID, executor=_Forbidden(), dask="local", progress=False)
    with pytest.raises(ParameterError, match="'grid'"):
        run_sweep(noisy_order, [1, 2], progress=False)
    with pytest.raises(ParameterError, match="'store'"):
        run_sweep(noisy_order, GRID, store=3, progress=False)
    with pytest.raises(ParameterError, match="'address'"):
        with dask_executor("not an address"):
            pass


# -- killed and resumed -------------------------------------------------------------------------
KILLED_GRID = {"x": list(range(12))}
SCRIPT = """
import sys
from neurosim.sweeps import ParameterGrid, run_sweep
from tests.sweeps.sweep_functions import sleepy

if __name__ == "__main__":
    grid = ParameterGrid({"x": list(range(12))}, repeats=2, seed=3)
    run_sweep(sleepy, grid, sys.argv[1], workers=2, progress=False)
"""


def _stored(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            return conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:  # the table does not exist yet
        return 0


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of a group that are not zombies (PID 1 here may not reap orphans)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform == "win32",
                    reason="needs POSIX process groups and /proc")
def test_sigkill_midway_then_rerun_gives_the_uninterrupted_table(tmp_path, monkeypatch):
    path = tmp_path / "killed.sqlite"
    # TMPDIR: what a killed process cannot clean up (Brian2's log, multiprocessing's
    # folder) stays in tmp_path.
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1",
               SWEEP_TEST_SLEEP="0.15", TMPDIR=str(tmp_path / "tmp"))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(path)], cwd=tmp_path, env=env,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    total = 24
    try:
        deadline = time.monotonic() + 60
        while _stored(path) < 2:
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the sweep never started"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # the sweep process only: workers are orphaned
        proc.wait(10)
        killed_at = _stored(path)
        assert 2 <= killed_at < total
        # Orphaned workers notice their parent is gone and leave.
        deadline = time.monotonic() + 15
        while _alive_in_group(proc.pid):
            assert time.monotonic() < deadline, f"orphans left: {_alive_in_group(proc.pid)}"
            time.sleep(0.1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()
    assert _stored(path) == killed_at  # orphans wrote nothing: only the parent writes

    monkeypatch.setenv("SWEEP_TEST_SLEEP", "0")
    grid = ParameterGrid(KILLED_GRID, repeats=2, seed=3)
    resumed = run_sweep(sleepy, grid, path, workers=1, progress=False)
    assert (resumed.skipped, resumed.computed) == (killed_at, total - killed_at)
    rows = resumed.rows()
    assert sorted((r["index"], r["repeat"]) for r in rows) == [
        (i, r) for i in range(12) for r in range(2)]
    fresh = run_sweep(sleepy, grid, tmp_path / "fresh.sqlite", workers=1, progress=False)
    assert table(rows) == table(fresh.rows())

"""ResultStore: WAL, sweep identity, no duplicates, rows and the xarray export."""

import sqlite3
from contextlib import closing

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.sweeps import ParameterGrid, ResultStore, SweepError, run_sweep
from neurosim.sweeps.store import PointRecord, encode_result, sweep_key
from neurosim.units import ms, mV, second
from tests.sweeps.sweep_functions import fails_at_three, noisy_order, with_units

GRID = {"alpha": "0.05:0.25:3", "N": [50, 100]}


def test_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "s.sqlite"
    ResultStore(path).close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"sweeps", "points"} <= tables


def test_a_file_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database, " * 100)
    with pytest.raises(ParameterError, match="'path'"):
        ResultStore(tmp_path / "notes.txt")


def test_sweep_identity():
    g = ParameterGrid({"tau": "1,2 ms"}, repeats=2, seed=0)
    same = ParameterGrid({"tau": [0.001, 0.002] * second}, repeats=2, seed=0)
    assert sweep_key("m.f", g) == sweep_key("m.f", same)
    assert sweep_key("m.f", g) != sweep_key("m.g", g)
    for other in (ParameterGrid({"tau": "1,3 ms"}, repeats=2),
                  ParameterGrid({"tau": "1,2 ms"}, repeats=3),
                  ParameterGrid({"tau": "1,2 ms"}, repeats=2, seed=1),
                  ParameterGrid({"tau": "1,2 ms"}, repeats=2, fixed={"N": 5})):
        assert sweep_key("m.f", other) != sweep_key("m.f", g)


def test_a_point_is_never_stored_twice(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    grid = ParameterGrid({"x": [1, 2]})
    key = sweep_key("f", grid)
    store.register(key, "f", grid)
    store.register(key, "f", grid)
    rec = PointRecord(0, 0, 7, {"x": 1}, {"y": 1.0}, {}, {}, {}, None, 0.1)
    assert store.write(key, rec) is True
    assert store.write(key, PointRecord(0, 0, 7, {"x": 1}, {"y": 2.0}, {}, {}, {}, None, 0.1)) \
        is False
    assert [r["metrics"] for r in store.rows()] == [{"y": 1.0}]
    with closing(sqlite3.connect(store.path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO points (sweep, point_index, repeat, seed, params, metrics, "
                     "units, versions, finished) VALUES (?, 0, 0, 7, '{}', '{}', '{}', '{}', 0)",
                     (key,))
    assert store.completed(key) == {(0, 0)}


def test_two_grids_in_one_file_are_two_sweeps(tmp_path):
    path = tmp_path / "s.sqlite"
    a = run_sweep(noisy_order, ParameterGrid(GRID, repeats=1), path, workers=1, progress=False)
    b = run_sweep(noisy_order, ParameterGrid(GRID, repeats=2), path, workers=1, progress=False)
    assert a.key != b.key and (a.computed, b.computed) == (6, 12)
    store = ResultStore(path)
    assert [s["completed"] for s in store.sweeps()] == [6, 12]
    assert len(store.rows(a.key)) == 6 and len(store.rows(b.key[:6])) == 12
    with pytest.raises(ParameterError, match=r"'sweep'.*several"):
        store.rows()
    with pytest.raises(ParameterError, match="'sweep'"):
        store.rows("nope")
    with pytest.raises(ParameterError, match="'sweep'"):
        store.rows("noisy_order")  # the name matches both


def test_rows_keep_params_with_units_and_provenance(tmp_path):
    grid = ParameterGrid({"tau": "5,10 ms", "rate": "10,20 Hz"}, seed=4)
    result = run_sweep(with_units, grid, tmp_path / "s.sqlite", workers=1, progress=False)
    rows = result.rows()
    assert [(r["index"], r["repeat"]) for r in rows] == [(0, 0), (1, 0), (2, 0), (3, 0)]
    assert rows[3]["params"]["tau"] == 10 * ms
    assert rows[3]["metrics"]["tau_s"] == pytest.approx(0.01)
    assert rows[3]["metrics"]["product"] == pytest.approx(0.2)
    assert rows[2]["seed"] == grid.point(2).seed
    # the seed in the table replays the point
    assert rows[2]["metrics"]["u"] == np.random.default_rng(rows[2]["seed"]).random()
    assert {"numpy", "scipy"} <= set(rows[0]["versions"])
    assert rows[0]["git"] is None or len(rows[0]["git"]) == 40
    assert rows[0]["elapsed_s"] >= 0


def test_to_xarray_shapes_values_and_units(tmp_path):
    result = run_sweep(noisy_order, ParameterGrid(
        {"alpha": "0.05:0.25:3", "N": [50, 100]}, repeats=2, seed=1), tmp_path / "a.sqlite",
        workers=1, progress=False)
    ds = result.to_xarray()
    assert dict(ds.sizes) == {"alpha": 3, "N": 2, "repeat": 2, "trace_dim_0": 3}
    assert ds["m"].dims == ("alpha", "N", "repeat")
    assert ds["trace"].dims == ("alpha", "N", "repeat", "trace_dim_0")
    np.testing.assert_allclose(ds["alpha"].values, [0.05, 0.15, 0.25])
    assert ds["N"].values.tolist() == [50, 100] and ds["N"].dtype.kind == "i"
    assert ds["n_units"].dtype.kind == "i" and ds["stable"].dtype == bool
    assert ds["latency"].attrs["units"] == "second"
    for row in result.rows():
        i, j = np.unravel_index(row["index"], (3, 2))
        cell = ds.isel(alpha=i, N=j, repeat=row["repeat"])
        assert cell["m"].item() == row["metrics"]["m"]
        assert cell["seed"].item() == row["seed"]
        np.testing.assert_array_equal(cell["trace"].values, row["arrays"]["trace"])
    assert ds.attrs["completed"] == ds.attrs["total"] == 12 and ds.attrs["root_seed"] == 1

    # units on a coordinate
    unit_grid = ParameterGrid({"tau": "5,10 ms", "rate": "10,20 Hz"})
    ds2 = run_sweep(with_units, unit_grid, tmp_path / "b.sqlite", workers=1,
                    progress=False).to_xarray()
    assert ds2["tau"].attrs["units"] == "ms" and ds2["tau"].values.tolist() == [5.0, 10.0]
    assert ds2["rate"].attrs["units"] == "Hz"
    assert "units" not in ds["alpha"].attrs


def test_to_xarray_of_an_incomplete_sweep(tmp_path):
    with pytest.raises(SweepError) as err:
        run_sweep(fails_at_three, ParameterGrid({"x": [1, 2, 3, 4]}, repeats=2),
                  tmp_path / "s.sqlite", workers=1, progress=False)
    ds = err.value.result.to_xarray()
    assert ds.attrs["completed"] == 6 and ds.attrs["total"] == 8
    assert np.isnan(ds["x2"].sel(x=3)).all() and ds["x2"].sel(x=4).values.tolist() == [16, 16]
    assert ds["seed"].sel(x=3).values.tolist() == [-1, -1]


def test_encode_result():
    metrics, arrays, units = encode_result(
        {"a": 1, "b": np.float32(2.5), "c": True, "d": "s", "e": None, "f": 3 * mV,
         "g": [1, 2], "h": np.arange(3) * ms, "i": np.array(4)}, "f")
    assert metrics == {"a": 1, "b": 2.5, "c": True, "d": "s", "e": None,
                       "f": pytest.approx(0.003), "i": 4}
    assert set(arrays) == {"g", "h"} and arrays["h"][2] == pytest.approx(0.002)
    assert units == {"f": "volt", "h": "second"}
    for bad in ({"x": object()}, {"x": {"nested": 1}}, {"x": 1j}, [1, 2], {1: 2}):
        with pytest.raises(ParameterError):
            encode_result(bad, "f")

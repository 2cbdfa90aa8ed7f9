"""ParameterGrid and parse_axis: values, order, seeds, validation."""

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.params import Params, number, quantity
from neurosim.random import child_seed
from neurosim.sweeps import Axis, ParameterGrid, parse_axis
from neurosim.units import Hz, Quantity, ms, mV, second


class Cell(Params):
    tau_m: Quantity = quantity(20 * ms, ms, low=0 * ms, low_open=True)
    n: int = number(10, low=1, integer=True)


@pytest.mark.parametrize("spec, values, unit", [
    ("alpha=0.02:0.30:15", tuple(round(0.02 * k, 2) for k in range(1, 16)), None),
    ("N=50,100,200", (50, 100, 200), None),
    ("N=10:50:5", (10, 20, 30, 40, 50), None),
    ("N=10:20:3", (10, 15, 20), None),
    ("x=0:1:3", (0.0, 0.5, 1.0), None),
    ("N=10:1000:3:log", (10, 100, 1000), None),
    ("tau=1:10:5 ms", (1.0, 3.25, 5.5, 7.75, 10.0), "ms"),
    ("tau=1,2 ms", (1.0, 2.0), "ms"),
    ("rate=5,10 Hz", (5.0, 10.0), "Hz"),
    ("tau=0.001,0.002 second", (0.001, 0.002), "s"),
    ("engine=numba,brian2", ("numba", "brian2"), None),
    (" g = 0.5 ", (0.5,), None),
])
def test_parse_axis(spec, values, unit):
    axis = parse_axis(spec)
    assert axis.values == values
    assert axis.unit_name == unit
    assert all(type(v) is type(values[0]) for v in axis.values)


def test_int_axes_stay_int_and_units_reach_the_function():
    assert all(type(v) is int for v in parse_axis("N=50,100,200").values)
    assert all(type(v) is float for v in parse_axis("N=10:20:4").values)  # 13.33...
    grid = ParameterGrid({"tau": "1,2 ms", "N": np.array([3, 4])})
    p = grid.point(3)
    assert p.params["N"] == 4 and type(p.params["N"]) is int
    assert isinstance(p.params["tau"], Quantity) and p.params["tau"] == 2 * ms


def test_quantity_axes():
    grid = ParameterGrid({"tau": np.array([5.0, 10.0]) * ms, "v": [1 * mV, 2 * mV]})
    assert grid.axes[0].unit_name == "ms" and grid.axes[0].values == (5.0, 10.0)
    assert grid.axes[1].unit_name == "mV" and grid.axes[1].values == (1.0, 2.0)
    # Same grid written in other units: same identity.
    other = ParameterGrid({"tau": [0.005, 0.01] * second, "v": "0.001,0.002 volt"})
    assert other.identity() == grid.identity()
    assert other.describe() != grid.describe()  # but it remembers how it was written


def test_order_shape_and_positions():
    grid = ParameterGrid({"a": [1, 2, 3], "b": ["x", "y"]}, repeats=2, seed=5)
    points = list(grid)
    assert len(points) == len(grid) == 12 and grid.shape == (3, 2) and grid.n_points == 6
    assert [(p.index, p.repeat) for p in points[:4]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [p.params for p in points[::2]] == [
        {"a": a, "b": b} for a in (1, 2, 3) for b in ("x", "y")]
    assert points[7].position == (1, 1)
    assert grid.point(3, 1) == points[7]


def test_seeds_derive_from_index_and_repeat_only():
    grid = ParameterGrid({"a": [1, 2, 3]}, repeats=2, seed=11)
    seeds = [p.seed for p in grid]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds)
    expect = int(child_seed(11, "sweep-point", "2", "1").generate_state(1, np.uint64)[0] >> 1)
    assert grid.point(2, 1).seed == expect
    assert ParameterGrid({"a": [1, 2, 3]}, repeats=2, seed=11).point(2, 1).seed == expect
    assert ParameterGrid({"a": [1, 2, 3]}, repeats=2, seed=12).point(2, 1).seed != expect
    # A grid of another shape keeps the seeds of the same (index, repeat).
    assert ParameterGrid({"a": [7, 8, 9, 10]}, repeats=5, seed=11).point(2, 1).seed == expect


def test_fixed_values_and_description_round_trip():
    grid = ParameterGrid({"alpha": "0.1:0.2:3", "tau": "1,2 ms"}, repeats=3, seed=2,
                         fixed={"N": 100, "g": 0.5 * mV, "mode": "fast", "w": np.ones(2)})
    p = grid.point(0)
    assert p.params["N"] == 100 and p.params["g"] == 0.5 * mV and p.params["mode"] == "fast"
    back = ParameterGrid.from_description(grid.describe())
    assert back == grid
    assert back.point(4, 2).seed == grid.point(4, 2).seed


def test_from_specs():
    grid = ParameterGrid.from_specs(["alpha=0.02:0.30:15", "N=50,100"], repeats=2, seed=1)
    assert grid.names == ("alpha", "N") and grid.shape == (15, 2) and len(grid) == 60


def test_known_and_units_from_a_params_class():
    ParameterGrid({"tau_m": "10,20 ms", "n": [5, 10]}, known=Cell)
    with pytest.raises(ParameterError, match=r"'tau_m'.*a time") as err:
        ParameterGrid({"tau_m": "10,20 mV"}, known=Cell)
    assert err.value.param == "tau_m"
    with pytest.raises(ParameterError, match="'tau_m'"):
        ParameterGrid({"tau_m": [10, 20]}, known=Cell)  # units are never guessed
    with pytest.raises(ParameterError, match=r"'n'.*plain numbers"):
        ParameterGrid({"n": [5, 10] * ms}, known=Cell)
    with pytest.raises(ParameterError, match=r"'tau'.*one of \['n', 'tau_m'\]"):
        ParameterGrid({"tau": "10,20 ms"}, known=Cell)


BAD = [
    (lambda: ParameterGrid({"alpha": []}), "alpha", "non-empty"),
    (lambda: ParameterGrid({"alpha": 0.1}), "alpha", "sequence"),
    (lambda: ParameterGrid({}), "axes", "at least one axis"),
    (lambda: ParameterGrid({"a": [1]}, repeats=0), "repeats", "int >= 1"),
    (lambda: ParameterGrid({"a": [1]}, repeats=1.5), "repeats", "int >= 1"),
    (lambda: ParameterGrid({"a": [1]}, seed=-1), "seed", "non-negative"),
    (lambda: ParameterGrid({"a": [1, 1]}), "a", "distinct"),
    (lambda: ParameterGrid({"a": [1, "x"]}), "a", "one kind"),
    (lambda: ParameterGrid({"a": [1.0, np.nan]}), "a", "finite"),
    (lambda: ParameterGrid({"a": [1 * ms, 2]}), "a", "all quantities"),
    (lambda: ParameterGrid({"a": [1 * ms, 2 * mV]}), "a", "same dimensions"),
    (lambda: ParameterGrid({"repeat": [1]}), "axis name", "reserved"),
    (lambda: ParameterGrid({"a b": [1]}), "axis name", "identifier"),
    (lambda: ParameterGrid({"a": [1]}, fixed={"a": 2}), "a", "not both"),
    (lambda: ParameterGrid({"a": [1]}, fixed={"f": object()}), "f", "JSON-able"),
    (lambda: ParameterGrid({"alpha": [1]}, known={"beta"}), "alpha", "one of \\['beta'\\]"),
    (lambda: ParameterGrid({"a": [1]}, fixed={"zeta": 1}, known={"a"}), "zeta", "known"),
    (lambda: ParameterGrid({"tau": [1, 2] * mV}, units={"tau": ms}), "tau", "a time"),
    (lambda: ParameterGrid({"r": "1,2 ms"}, units={"r": Hz}), "r", "a rate"),
    (lambda: ParameterGrid({"a": [1]}, fixed={"g": 2}, units={"g": mV}), "g", "a voltage"),
    (lambda: parse_axis("alpha"), "axis", "name=start:stop:num"),
    (lambda: parse_axis("alpha=0.1:0.3"), "alpha", "name=start:stop:num"),
    (lambda: parse_axis("alpha=0.1:0.3:x"), "alpha", "num an int >= 1"),
    (lambda: parse_axis("alpha=0.1:0.3:0"), "alpha", "num an int >= 1"),
    (lambda: parse_axis("alpha=0.1:zz:3"), "alpha", "name=start:stop:num"),
    (lambda: parse_axis("N=1,,2"), "N", "name=start:stop:num"),
    (lambda: parse_axis("N=1,x2"), "N", "name=start:stop:num"),
    (lambda: parse_axis("N=0:10:3:log"), "N", "both ends > 0"),
    (lambda: parse_axis("tau=1,2 parsec"), "tau", "Brian2 unit name"),
    (lambda: parse_axis("tau=1,2 ms extra"), "tau", "name=start:stop:num"),
    (lambda: parse_axis("engine=numba,brian2 ms"), "engine", "name=start:stop:num"),
    (lambda: parse_axis("2x=1,2"), "axis", "identifier"),
    (lambda: Axis("a", ("x", "y"), ms), "a", "numbers when a unit"),
]


@pytest.mark.parametrize("make, param, allowed", BAD,
                         ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD)])
def test_bad_specs_name_the_parameter(make, param, allowed):
    with pytest.raises(ParameterError, match=allowed) as err:
        make()
    assert err.value.param == param
    assert repr(param) in str(err.value)


def test_point_out_of_range():
    grid = ParameterGrid({"a": [1, 2]}, repeats=2)
    with pytest.raises(ParameterError, match="'index'"):
        grid.point(2)
    with pytest.raises(ParameterError, match="'repeat'"):
        grid.point(0, 2)

"""PhaseDiagram: heatmap and line plots with labelled axes, units and theory curves."""

# tests/conftest.py sets MPLBACKEND=Agg before matplotlib is imported.
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from neurosim.errors import ParameterError
from neurosim.sweeps import ParameterGrid, PhaseDiagram, run_sweep
from tests.sweeps.sweep_functions import noisy_order, with_units


@pytest.fixture(scope="module")
def ds():
    grid = ParameterGrid({"alpha": "0.02:0.30:5", "N": "10:1000:3:log"}, repeats=3, seed=0)
    return run_sweep(noisy_order, grid, workers=1, progress=False).to_xarray()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_heatmap_with_a_theory_curve(ds):
    fig = PhaseDiagram(ds, "m", x="alpha", y="N", yscale="log",
                       theory={"boundary": lambda a: 100 + 0 * a}).plot()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "alpha" and ax.get_ylabel() == "N" and ax.get_title() == "m"
    assert ax.get_yscale() == "log"
    assert fig.axes[1].get_ylabel() == "m"  # the colour bar
    assert [line.get_label() for line in ax.get_lines()] == ["boundary"]
    # the colours are the mean over repeats
    mesh = ax.collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(3, 5),
                               ds["m"].mean("repeat").transpose("N", "alpha").values)


def test_line_plot_mean_and_sem_with_units(tmp_path):
    grid = ParameterGrid({"tau": "1:4:4 ms", "rate": "10,20 Hz"}, repeats=4, seed=2)
    data = run_sweep(with_units, grid, workers=1, progress=False).to_xarray()
    fig = PhaseDiagram(data.sel(rate=10), "u", x="tau",
                       theory={"mean of U(0,1)": lambda t: 0.5 + 0 * t,
                               "points": ([1, 4], [0.4, 0.6])}).plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "tau (ms)" and ax.get_ylabel() == "u"
    assert ax.get_title() == "u (rate = 10.0 Hz)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"u", "mean of U(0,1)", "points"} <= set(labels)
    fig.savefig(tmp_path / "lines.png")
    # one line per value of y
    fig2 = PhaseDiagram(data, "product", x="tau", y="rate", kind="lines").plot()
    labels = [t.get_text() for t in fig2.axes[0].get_legend().get_texts()]
    assert labels == ["rate = 10.0 Hz", "rate = 20.0 Hz"]


def test_errors_name_the_argument(ds):
    with pytest.raises(ParameterError, match="'order'"):
        PhaseDiagram(ds, "nope", x="alpha")
    with pytest.raises(ParameterError, match="'x'"):
        PhaseDiagram(ds, "m", x="repeat")
    with pytest.raises(ParameterError, match="'data'"):
        PhaseDiagram(ds, "m", x="alpha")  # N has 3 values: select one first
    with pytest.raises(ParameterError, match="'kind'"):
        PhaseDiagram(ds, "m", x="alpha", y="N", kind="pie")
    PhaseDiagram(ds.isel(N=0), "m", x="alpha").plot()


def test_a_heatmap_axis_of_few_values_is_drawn_as_categories():
    """Two network sizes are two equal rows labelled 1000 and 2000 (not a continuous axis
    from 500 to 2500); a grid listing its values in any order is drawn sorted."""
    grid = ParameterGrid({"alpha": "0.02:0.30:5", "N": "2000,1000"}, repeats=2, seed=0)
    data = run_sweep(noisy_order, grid, workers=1, progress=False).to_xarray()
    ax = PhaseDiagram(data, "m", x="alpha", y="N").plot().axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1000", "2000"]
    assert ax.get_ylim() == (-0.5, 1.5)
    z = np.asarray(ax.collections[0].get_array()).reshape(2, 5)
    np.testing.assert_allclose(z, data["m"].mean("repeat").sortby(["N", "alpha"])
                               .transpose("N", "alpha").values)
    # alpha (5 values) stays a numeric axis
    assert ax.get_xlim()[0] < 0.02 < 0.30 < ax.get_xlim()[1]

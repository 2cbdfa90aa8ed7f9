"""Every ``run`` subcommand, ``run-nir`` and ``deploy --emulate`` writes its picture with ``--plot``
(issue 22): a PNG that exists and is not blank. What the picture shows is checked by eye
(docs/img) and, for the drawing functions, by the tests of what they draw."""

import numpy as np
import pytest
from matplotlib.image import imread

from neurosim.cli import main

CASES = {
    "ca3": (["run", "ca3", "--ops", "8"], ["raster.png"]),
    "deploy": (["deploy", "ca3", "--spinnaker", "--emulate", "--ops", "8"], ["raster.png"]),
    "sparsey": (["run", "sparsey", "--items", "20"], ["sisc.png"]),
    "elm": (["run", "elm", "--task", "adding", "--quick", "--no-progress"], ["loss.png"]),
    "hlop": (["run", "hlop", "--tasks", "3", "--epochs", "1", "--hidden", "16", "--methods",
              "hlop", "--no-progress"], ["accuracy_hlop_seed0.png"]),
    "lsm": (["run", "lsm", "--seeds", "0,1", "--no-progress"], ["lsm.png"]),
    "lsm-zeroshot": (["run", "lsm", "--task", "zeroshot", "--no-progress"], ["lsm.png"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_plot_writes_a_picture(case, tmp_path, capsys):
    argv, files = CASES[case]
    assert main([*argv, "--out", str(tmp_path), "--plot"]) == 0
    for name in files:
        image = imread(tmp_path / name)
        assert image.shape[0] > 200 and image.shape[1] > 300
        # not blank: many distinct colours (axes, text, data)
        assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 20, name


@pytest.mark.parametrize("case", ["sparsey", "elm", "hlop", "deploy", "lsm"])
def test_plot_without_out_is_refused_before_the_run(case, capsys):
    argv, _ = CASES[case]
    assert main([*argv, "--plot"]) == 2
    assert "--plot writes its PNG to --out" in capsys.readouterr().err


def test_the_accuracy_matrix_writes_each_value_in_its_cell():
    import matplotlib.pyplot as plt

    from neurosim.plotting import accuracy_matrix

    R = np.array([[0.9, 0.1], [0.8, 0.95]])
    ax = accuracy_matrix(R, title="t")
    assert sorted(t.get_text() for t in ax.texts) == ["0.10", "0.80", "0.90", "0.95"]
    assert ax.get_xlabel() == "tested on task j" and ax.get_ylabel() == "after training task i"
    plt.close(ax.figure)


def test_the_operation_strip_colours_each_operation_and_numbers_every_tenth():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    from neurosim.plotting import STRIP_COLOURS, operation_strip

    kinds = ["learn", "right", "wrong", "unscored"] * 6
    fig, ax = plt.subplots()
    operation_strip(ax, np.arange(24) * 10.0, kinds)
    assert [p.get_facecolor() for p in ax.patches] == [to_rgba(STRIP_COLOURS[k])
                                                       for k in kinds]
    assert [t.get_text() for t in ax.texts] == ["0", "10", "20"]
    plt.close(fig)


def test_a_long_ca3_protocol_keeps_a_readable_raster(tmp_path, capsys):
    """100 operations: a 14-inch figure with the strip (the per-operation text would need
    35 inches), not wider."""
    assert main(["run", "ca3", "--n-cues", "8", "--n-content", "16", "--ops", "100",
                 "--out", str(tmp_path), "--plot"]) == 0
    assert imread(tmp_path / "raster.png").shape[1] <= 14 * 110 + 50


def test_the_lsm_picture_shows_accuracy_confusion_and_the_reservoir(tmp_path):
    import matplotlib.pyplot as plt

    from neurosim.plotting import lsm_summary

    confusion = np.array([[9, 1], [2, 8]])
    spikes = np.zeros((5, 4), bool)
    spikes[1, 2] = spikes[3, 0] = True
    fig = lsm_summary([0.85, 0.9], [0, 1], 0.5, confusion, spikes, 1, 1)
    acc, conf, res, _ = fig.axes  # the colour bar comes last
    assert [round(p.get_height(), 2) for p in acc.patches] == [0.85, 0.9]
    assert sorted(t.get_text() for t in conf.texts) == ["1", "2", "8", "9"]
    assert np.array_equal(res.collections[0].get_offsets(), [[1, 2], [3, 0]])
    plt.close(fig)

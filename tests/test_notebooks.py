"""Every notebook in notebooks/ runs top to bottom (quick mode), so none can rot."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# What each notebook must print (its results, not only "no error").
EXPECTED = {
    "ca3_memory.ipynb": ["cue 0      -> [0, 1, 8, 9]", "recalls correct",
                         "serial   queries: 10/10 recalls by content correct"],
    "hebbian_phase_diagrams.ipynb": [
        "AGS alpha_c = 0.1379, m(alpha_c) = 0.967, m(0.10) = 0.998",
        "supervised P=4 M=25 r=0.2: m = 0.6",
        "largest deviation below d_c",
    ],
    "custom_cells.ipynb": ["same raster on numba and brian2: True",
                           "inter-spike intervals grow", "ParameterError: The 'model' parameter",
                           "new defaults reuse them: True", "UnsupportedFeature: summed"],
    "elm_neuron.ipynb": ["sequential digits: test accuracy", "memory traces: m shape",
                         "tau_max =  1000 ms: accuracy", "accuracy vs tau_max done"],
    "sparsey_sdr.ipynb": [
        "code overlap at 75 % input overlap: 1.000 (retrieval)",
        "P_fm(2048, 40, 20, 10) = 3.911e-13",
        "digits, 20 per class: Sparsey",
        "spiking segment false-match rate",
    ],
    "hlop_continual.ipynb": ["HLOP forgets less than fine-tuning",
                             "subspace energy captured", "NeuRRAM (Wan 2022): ACC"],
    "lsm_resistive_reservoir.ipynb": ["accuracy table: device vs software",
                                      "conductance std", "reservoir raster:",
                                      "row-by-row digits: raw input counts",
                                      "zero-shot (digits modalities): seen"],
    "nir_bridge.ipynb": ["trace within 1e-12 V of NIR's ODE, one step late: True",
                         "crossbar equal: True", "round trip identical: True",
                         "UnsupportedFeature: STDP"],
}
# Notebooks that need an optional extra: skipped, with the reason, where it is missing.
EXTRAS = {"nir_bridge.ipynb": ("nir", "the extra 'nir' (make test installs it)")}


def test_every_notebook_has_expectations():
    assert {p.name for p in NOTEBOOKS} == set(EXPECTED)


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    if path.name in EXTRAS:
        module, what = EXTRAS[path.name]
        pytest.importorskip(module, reason=f"{path.name} needs {what}")
    nb = nbformat.read(path, as_version=4)
    # committed without outputs (a before-stop check too)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    monkeypatch.setenv("NEUROSIM_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    for expected in EXPECTED[path.name]:
        assert expected in text

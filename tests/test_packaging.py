"""The package_dir mapping: one import namespace, every subpackage listed, nothing lost."""

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"neurosim": "neurosim", "neurosim.models": "models",
          "neurosim.hardware_backends": "hardware_backends"}


def _listed_packages() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    return {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}


def _package_folders() -> set[str]:
    found = set()
    for dotted, folder in MAPPED.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            found.add(".".join([dotted, *rel.parts]) if rel.parts else dotted)
    return found


def test_listed_packages_equal_folders_with_init():
    assert _listed_packages() == _package_folders()


def test_package_dir_maps_the_top_level_folders():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = [x.strip() for x in cfg["options"]["package_dir"].splitlines() if x.strip()]
    mapping = dict(x.replace(" ", "").split("=") for x in lines)
    assert mapping == MAPPED


def test_models_import_from_the_models_folder():
    import neurosim.hardware_backends
    import neurosim.models

    assert Path(neurosim.models.__file__).resolve().parent == ROOT / "models"
    assert Path(neurosim.hardware_backends.__file__).resolve().parent == ROOT / "hardware_backends"


def test_models_folder_is_flat():
    assert not [p for p in (ROOT / "models").iterdir() if p.is_dir() and p.name != "__pycache__"]


@pytest.mark.slow
def test_wheel_contains_every_module(tmp_path):
    # Build from a copy: setuptools writes build/ and *.egg-info beside setup.cfg, and tests
    # leave no files behind in the repo.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in MAPPED.values():
        shutil.copytree(ROOT / folder, src / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                          "--outdir", str(tmp_path / "dist"), str(src)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("neurosim-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for dotted, folder in MAPPED.items():
        for py in (ROOT / folder).rglob("*.py"):
            rel = py.relative_to(ROOT / folder)
            expected.add("/".join([*dotted.split("."), *rel.parts]))
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("models/", "hardware_backends/")) for n in names)


def test_console_entry_point_is_declared():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert "neurosim = neurosim.cli:main" in cfg["options.entry_points"]["console_scripts"]
    assert os.access(ROOT / ".ci" / "run", os.X_OK)

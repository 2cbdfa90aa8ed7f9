"""The dependency rule, checked on the source: the core imports neither models nor backends,
models never import a backend, backends never import models."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


CORE_ALLOWED_TO_SEE_ALL = {"cli.py"}  # lazily, through the registry


@pytest.mark.parametrize("path", _files("neurosim"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_neither_models_nor_backends(path):
    if path.name in CORE_ALLOWED_TO_SEE_ALL:
        return
    bad = {n for n in _imports(path)
           if n.startswith(("neurosim.models", "neurosim.hardware_backends"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files("models"), ids=lambda p: str(p.relative_to(ROOT)))
def test_models_never_import_a_backend(path):
    bad = {n for n in _imports(path)
           if n.startswith(("neurosim.hardware_backends", "hardware_backends", "pyNN",
                            "spynnaker"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files("hardware_backends"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_backends_never_import_models(path):
    bad = {n for n in _imports(path) if n.startswith(("neurosim.models", "models"))}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files("neurosim") + _files("models") + _files("hardware_backends")
                         + _files("tests") + _files("benchmarks"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_bare_import_of_mapped_folders(path):
    bad = {n for n in _imports(path)
           if n.split(".")[0] in ("models", "hardware_backends")}
    assert not bad, f"{path} imports {bad}: use neurosim.models / neurosim.hardware_backends"


def test_the_rule_catches_a_violation(tmp_path):
    # The checker itself must be able to fail.
    p = tmp_path / "x.py"
    p.write_text("from neurosim.models import CA3Memory\nimport models\n")
    assert {"neurosim.models", "models"} <= _imports(p)

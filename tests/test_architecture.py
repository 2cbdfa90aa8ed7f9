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


# -- no import circle between our packages ------------------------------------------------
# Every import counts, at module level or inside a function: a function-level import that
# only dodges a circle is still a circle. Nodes are packages (a folder's modules together);
# the root package's own modules (neurosim/units.py, neurosim/cli.py...) are nodes each.
_FOLDERS = {"neurosim": ("neurosim",), "models": ("neurosim", "models"),
            "hardware_backends": ("neurosim", "hardware_backends")}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    parts = [*_FOLDERS[parts[0]], *parts[1:]]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_graph(files: list[Path], root: Path = ROOT) -> dict[str, set[str]]:
    modules = {_module_name(p, root): p for p in files}

    def node(name: str) -> str:
        pkg = name if modules[name].name == "__init__.py" else name.rpartition(".")[0]
        return name if pkg == "neurosim" else pkg

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {node(m): set() for m in modules}
    for name, path in modules.items():
        for n in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets = []
            if isinstance(n, ast.Import):
                targets = [a.name for a in n.names]
            elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                # "from pkg import module" imports the module, not (only) the package
                targets = [f"{n.module}.{a.name}" if f"{n.module}.{a.name}" in modules
                           else n.module for a in n.names]
            for t in targets:
                hit = ours(t)
                if hit is not None and node(hit) != node(name):
                    graph[node(name)].add(node(hit))
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_between_our_packages():
    files = _files("neurosim") + _files("models") + _files("hardware_backends")
    circles = _circles(_package_graph(files))
    assert not circles, f"import circles between packages: {circles}"


def test_the_circle_check_catches_a_circle(tmp_path):
    for rel, text in (("neurosim/__init__.py", ""), ("neurosim/a/__init__.py", ""),
                      ("neurosim/a/x.py", "def f():\n    from neurosim.b import y\n"),
                      ("neurosim/b/__init__.py", ""), ("neurosim/b/y.py",
                                                       "from neurosim.a.x import f\n")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    graph = _package_graph(sorted(tmp_path.rglob("*.py")), root=tmp_path)
    assert _circles(graph) == [["neurosim.a", "neurosim.b"]]

"""PyNN's own system scenarios, run unmodified against any PyNN module.

PyNN ships its backend contract as ``test/system/scenarios/`` in its source distribution:
functions decorated ``@run_with_simulators("nest", "neuron", "brian2")`` that take the
simulator module as ``sim``. This module fetches that folder for the installed PyNN
version from the package index (``pip download --no-binary``; cached under
:func:`neurosim.config.cache_dir`), collects the scenarios PyNN runs for one of its backends
(54 for ``brian2`` in PyNN 0.13.0) and calls each with a module of our choosing.

Used by ``benchmarks/pynn_scenarios.py`` (the full counts) and by the tests (a subset).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
import tempfile
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurosim.config import cache_dir
from neurosim.errors import NeurosimError

__all__ = ["Outcome", "Scenario", "collect", "run_scenario", "scenario_dir", "with_setup"]


class ScenariosUnavailable(NeurosimError):
    """PyNN's scenarios could not be fetched (no index, no PyNN)."""


def _pynn_version() -> str:
    try:
        import pyNN
    except ImportError as exc:  # pragma: no cover - PyNN is a core dependency
        raise ScenariosUnavailable("PyNN is not installed") from exc
    return pyNN.__version__


def scenario_dir(version: str | None = None) -> Path:
    """The ``test/system/scenarios`` folder of PyNN ``version`` (the installed one by
    default), fetched from the package index once and cached.

    Raises
    ------
    ScenariosUnavailable
        When the source distribution cannot be downloaded or lacks the folder.
    """
    version = version or _pynn_version()
    root = cache_dir("pynn-scenarios", version)
    target = root / "scenarios"
    if (target / "fixtures.py").exists():
        return target
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", f"PyNN=={version}", "--no-binary",
               ":all:", "--no-deps", "--no-build-isolation", "-q", "-d", tmp]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        archives = sorted(Path(tmp).glob("*.tar.gz"))
        if proc.returncode != 0 or not archives:
            raise ScenariosUnavailable(f"pip could not download PyNN {version}'s sources: "
                                       f"{proc.stderr.strip()[-300:]}")
        with tarfile.open(archives[0]) as tar:
            members = [m for m in tar.getmembers()
                       if "/test/system/scenarios/" in m.name and m.isfile()
                       and m.name.endswith(".py")]
            if not members:
                raise ScenariosUnavailable(f"PyNN {version}'s sources have no "
                                           "test/system/scenarios folder")
            staging = Path(tmp, "scenarios")
            staging.mkdir()
            for m in members:
                name = Path(m.name).name
                data = tar.extractfile(m)
                assert data is not None  # a regular file (checked above)
                (staging / name).write_bytes(data.read())
            staging.rename(target)
    return target


@dataclass(frozen=True)
class Scenario:
    """One scenario function: ``module.function`` and the callable."""

    module: str
    name: str
    function: Callable[..., Any]

    @property
    def id(self) -> str:
        return f"{self.module}::{self.name}"


@dataclass(frozen=True)
class Outcome:
    """What a scenario did: ``"passed"``, ``"failed"`` or ``"skipped"``, and why."""

    scenario: str
    status: str
    message: str = ""


def _load_package(folder: Path) -> str:
    """Import the scenarios folder as a package of its own name (its modules import
    ``.fixtures``); returns the package name."""
    package = f"_pynn_scenarios_{abs(hash(str(folder)))}"
    if package in sys.modules:
        return package
    spec = importlib.util.spec_from_file_location(
        package, folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    return package


def _simulators_of(function: Any) -> list[str]:
    """The simulator names of a function's ``run_with_simulators`` mark."""
    names: list[str] = []
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "parametrize" and mark.args and mark.args[0] == "sim":
            names += [p.id for p in mark.args[1]]
    return names


def collect(simulator: str = "brian2", folder: Path | None = None) -> list[Scenario]:
    """The scenarios PyNN runs for its backend ``simulator``, in file and source order."""
    folder = folder or scenario_dir()
    package = _load_package(folder)
    found = []
    for path in sorted(folder.glob("test_*.py")):
        mod = importlib.import_module(f"{package}.{path.stem}")
        for name, obj in vars(mod).items():
            if callable(obj) and simulator in _simulators_of(obj) and \
                    getattr(obj, "__module__", "") == mod.__name__:
                found.append(Scenario(path.stem, name, obj))
    return found


def run_scenario(scenario: Scenario, sim: Any) -> Outcome:
    """Run one scenario with ``sim`` as its simulator module, in a temporary folder (some
    write files: they go with it); never raises."""
    import os

    import pytest

    cwd = os.getcwd()
    folder = tempfile.TemporaryDirectory(prefix="pynn-scenario-")
    os.chdir(folder.name)
    try:
        scenario.function(sim)
        status, message = "passed", ""
    except pytest.skip.Exception as exc:
        status, message = "skipped", str(exc)
    except BaseException as exc:  # a scenario may raise anything
        if isinstance(exc, KeyboardInterrupt):
            raise
        last = traceback.extract_tb(exc.__traceback__)[-1]
        status = "failed"
        message = (f"{type(exc).__name__}: {str(exc)[:300]} "
                   f"({Path(last.filename).name}:{last.lineno})")
    finally:
        try:
            sim.end()
        except Exception:  # a failed scenario may leave no state to end
            pass
        os.chdir(cwd)
        folder.cleanup()
    return Outcome(scenario.id, status, message)


def with_setup(module: Any, **defaults: Any) -> Any:
    """``module`` whose ``setup()`` takes ``defaults`` unless the script gives them (e.g. the
    crossbar with ``fidelity="ideal"``)."""
    proxy = types.ModuleType(module.__name__)
    proxy.__dict__.update(vars(module))

    def setup(*args: Any, **kwargs: Any) -> Any:
        return module.setup(*args, **{**defaults, **kwargs})

    proxy.setup = setup
    return proxy

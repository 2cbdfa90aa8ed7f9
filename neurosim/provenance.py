"""Where a result came from: package versions and neurosim's git commit.

Written with every result a user may keep (sweep rows, ``neurosim run`` result files), so a
number can be traced to the code that made it. Versions come from installed metadata, so
nothing heavy (Brian2) is imported to find them.
"""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
from pathlib import Path

__all__ = ["VERSIONED", "git_hash", "package_versions"]

VERSIONED = ("neurosim", "numpy", "scipy", "numba", "brian2")


@functools.lru_cache(maxsize=1)
def git_hash() -> str | None:
    """The commit of the neurosim checkout (None outside a git checkout or without git)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


@functools.lru_cache(maxsize=1)
def package_versions(names: tuple[str, ...] = VERSIONED) -> dict[str, str]:
    """Installed versions of ``names`` (packages not installed are left out)."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions

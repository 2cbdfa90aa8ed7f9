"""Every test here must leave nothing behind but its tmp_path: sPyNNaker writes reports/,
spynnaker.cfg and ~/.spynnaker.cfg by default, Brian2 compiles into ~/.cython."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What sPyNNaker, PyNN and Brian2 write when left alone.
CULPRITS = ("reports", "application_generated_data_files", "spynnaker.cfg", ".spynnaker.cfg",
            "global_provenance.sqlite3", "brian_preferences", "neurosim_job.json")


# In ~/.config, ~/.cache and ~/.local only these are ours to answer for (other programs on
# the machine may write there meanwhile); every new top-level entry of $HOME counts.
KEYWORDS = ("spinn", "spynnaker", "spalloc", "pynn", "brian", "cython", "neo", "matplotlib")


def _home_entries() -> set[str]:
    home = Path.home()
    out = {p.name for p in home.iterdir()}
    for sub in (".config", ".cache", ".local"):
        if (home / sub).is_dir():
            out |= {f"{sub}/{p.name}" for p in (home / sub).iterdir()
                    if any(k in p.name.lower() for k in KEYWORDS)}
    return out


@pytest.fixture(autouse=True, scope="session")
def _no_files_outside_tmp_path():
    cwd = Path.cwd()
    before_home = _home_entries()
    before = {d: {c for c in CULPRITS if (d / c).exists()} for d in {REPO, cwd}}
    yield
    new_home = _home_entries() - before_home
    assert not new_home, f"tests wrote into $HOME: {sorted(new_home)}"
    for d, had in before.items():
        new = {c for c in CULPRITS if (d / c).exists()} - had
        assert not new, f"tests wrote {sorted(new)} into {d}"

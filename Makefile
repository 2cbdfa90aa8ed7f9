# Two-command quick start: `make demo` and `make test`. Both create .venv with the
# system python3 on first use and reuse it afterwards (the stamp tracks setup.cfg).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EXTRAS := test,spinnaker,dask,nest,analysis,events,nir,data
# Brian2, Numba, matplotlib and Jupyter caches go to a temporary folder, never $HOME or the repo.
export NEUROSIM_CACHE_DIR ?= $(or $(TMPDIR),/tmp)/neurosim-cache
export MPLCONFIGDIR ?= $(NEUROSIM_CACHE_DIR)/matplotlib
export NUMBA_CACHE_DIR ?= $(NEUROSIM_CACHE_DIR)/numba
export JUPYTER_CONFIG_DIR ?= $(NEUROSIM_CACHE_DIR)/jupyter-config
export JUPYTER_DATA_DIR ?= $(NEUROSIM_CACHE_DIR)/jupyter-data
export JUPYTER_RUNTIME_DIR ?= $(NEUROSIM_CACHE_DIR)/jupyter-runtime
export IPYTHONDIR ?= $(NEUROSIM_CACHE_DIR)/ipython
export JUPYTER_PLATFORM_DIRS := 1
export RUFF_CACHE_DIR ?= $(NEUROSIM_CACHE_DIR)/ruff

.PHONY: venv demo test test-fast lint bench clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/neurosim run ca3 --n-cues 5 --n-content 10 --ops 40 --seed 0 --out neurosim-out/ca3 --plot

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/ca3_protocol.py

clean:
	rm -rf $(VENV) build dist *.egg-info neurosim-out .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

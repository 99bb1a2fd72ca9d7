# One command to set up and run the default experiment, one to set up and run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
# Test processes (pytest-xdist; a file's tests stay in one process). Three on a 2-core machine:
# the tests wait a good part of their time (SLURM's polls, Snakemake's scheduling, starting
# interpreters), and a third process fills it: the whole suite took 502 s with three against 638 s
# with two (same tree, back to back; benchmarks/README.md). Files are handed out longest first by
# their measured durations (tests/conftest.py), not by their number of tests.
TEST_WORKERS ?= 3

.PHONY: setup run test test-fast test-durations report readme clean

$(BIN)/snakemake: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: a bare `torch` would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

setup: $(BIN)/snakemake

run: setup  ## the default experiment (config/config.yaml): offline, CPU, minutes
	$(BIN)/snakemake --cores all

test: setup  ## the test suite (offline), linters included
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: setup  ## the edit loop: unit tests and one tiny end-to-end run (not the `slow` ones; `make test` runs everything)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not slow"

test-durations: setup  ## the whole suite, rewriting tests/durations.json (the order files are handed out in a fresh clone)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --store-durations

report: setup
	$(BIN)/snakemake --cores all --report report.html

readme: setup  ## rewrite the README's result tables from results/metrics (after `make run`)
	$(BIN)/python -m weak2strong.readme_tables

clean:
	rm -rf results logs .snakemake report.html

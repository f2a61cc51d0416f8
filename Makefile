# MiniVGGNet tutorial series. `make run` executes every notebook, `make test` checks everything.
# Each target installs what it needs into .venv on first use.

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# PROFILE=quick (committed sample, minutes) or full (full data, notebook defaults). Unset: full when
# the full CIFAR-10 is reachable ($$CIFAR10_PATH or data/cifar10.npz), quick otherwise (announced).
PROFILE ?=

.PHONY: help install install-locked run test test-floor train reference reference-improved reference-improved-val reference-fast \
        reference-original reference-shallow reference-lenet bench bench-twice data samples results lab html clean

help:
	@echo "make run      execute every notebook into build/executed/ (PROFILE=quick|full)"
	@echo "make test     pytest (helpers + notebooks via papermill), then nbval on the executed notebooks"
	@echo "make train    train the shipped improved MiniVGGNet on all 50,000 training images (models/, results/, figures/)"
	@echo "make reference  every reference run (improved on 45k/5k and on 50k, fast, original, shallow, lenet), the benchmark, the table"
	@echo "make bench    throughput of the original pipeline against ours -> results/benchmark.json"
	@echo "make bench-twice  the same twice back to back (the first -> results/benchmark_repeat.json): is it repeatable?"
	@echo "make data     write data/cifar10.npz and data/mnist.npz from any reachable source"
	@echo "make results  regenerate the README's results table from results/*.json"
	@echo "make lab      open the notebooks in JupyterLab;  make html  render executed notebooks"
	@echo "make install  create .venv with the project and its dev tools (LOCKED=1: the exact versions of"
	@echo "              constraints.txt, those the reference results were made with);  make clean  remove build/"
	@echo "make test-floor  run the tests with the lowest versions pyproject.toml allows -> results/floor_test.json"

# `make install` takes the newest versions the ranges in pyproject.toml allow; LOCKED=1 takes the
# exact versions of constraints.txt instead (what results/*.json were produced with).
install: $(if $(LOCKED),install-locked,$(STAMP))

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install --attributes .gitattributes; fi
	@touch $(STAMP)

install-locked:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" --constraint constraints.txt
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install --attributes .gitattributes; fi
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m lab.notebooks $(if $(PROFILE),--profile $(PROFILE))

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=900 -p no:cacheprovider build/executed/

# The floors in pyproject.toml are a tested promise: this installs exactly them in build/venv-floor
# and runs the pytest suite there (all but the notebook tests), recording the outcome.
test-floor:
	$(PYTHON) scripts/floor_test.py

# The reference runs on the full data, as registered in lab/references.py (architecture, recipe,
# output paths); each resumes if interrupted; see results/*.json for timings.
TRAIN := $(BIN)/python -m lab.train
train: reference-improved

reference: reference-improved-val reference-improved reference-fast reference-original reference-shallow reference-lenet bench results

# The improved recipe twice (two-stage protocol): on 45,000/5,000 (the run that chose it, with validation
# curves), then on all 50,000 images (the model the series ships and evaluates).
reference-improved-val: $(STAMP)
	$(TRAIN) --reference minivggnet_improved_val

reference-improved: $(STAMP)
	$(TRAIN) --reference minivggnet_improved

reference-fast: $(STAMP)
	$(TRAIN) --reference minivggnet_fast

reference-original: $(STAMP)
	$(TRAIN) --reference minivggnet_original

reference-shallow: $(STAMP)
	$(TRAIN) --reference shallownet_original

reference-lenet: $(STAMP)
	$(TRAIN) --reference lenet_mnist

bench: $(STAMP)
	$(BIN)/python -m lab.benchmark

bench-twice: $(STAMP)
	$(BIN)/python -m lab.benchmark --output results/benchmark_repeat.json
	$(BIN)/python -m lab.benchmark

data: $(STAMP)
	$(BIN)/python -m lab.datasets cifar10 mnist

results: $(STAMP)
	$(BIN)/python -m lab.report

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

# JupyterLab refuses to run as root without --allow-root; containers (and Colab-like machines) run as
# root, so it is added there, saying so. The token is chosen here so that the URL can be printed.
LAB_PORT ?= 8888
LAB_ARGS ?=
lab: $(STAMP)
	@token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))'); \
	if [ "$$(id -u)" = 0 ]; then \
	    echo "Running as root (as in most containers): JupyterLab refuses that unless given --allow-root, so it is added."; \
	    root_flag=--allow-root; \
	fi; \
	echo "Open http://127.0.0.1:$(LAB_PORT)/lab/tree/notebooks?token=$$token  (Ctrl-C stops the server)"; \
	$(BIN)/jupyter lab --no-browser --port=$(LAB_PORT) --ServerApp.port_retries=0 --ServerApp.root_dir=. \
	    --IdentityProvider.token=$$token $$root_flag $(LAB_ARGS)

html: $(STAMP)
	@test -d build/executed || { echo "no executed notebooks yet: run 'make run' first"; exit 1; }
	$(BIN)/jupyter nbconvert --to html --output-dir build/html build/executed/*.ipynb
	@echo "open build/html/01_data_exploration.html"

clean:
	rm -rf build .pytest_cache

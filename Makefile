# The course's two commands: `make lab` (set up and open the course) and `make test` (every check).
# Everything else here is a step of those two, or a chore for authors.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_NOTEBOOKS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=300 --require-all-notebooks
export SDL_VIDEODRIVER := dummy

.PHONY: lab test setup lint unit notebooks exercises execute benchmarks clean

## make lab: create .venv, install the course, open it in JupyterLab (rooted at this folder,
## lecture 00 first; on a machine without a display it prints the address to open)
lab: setup
	@$(BIN)/python -m mbrl_helpers.course.lab

## make test: lint, import contracts, exercise staleness, unit tests and every notebook (as CI runs it)
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m mbrl_helpers.course.exercises --check
	$(BIN)/python -m pytest -n 2 --dist loadscope $(PYTEST_NOTEBOOKS) tests notebooks solutions exercises

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	@echo "Installing the course into $(VENV) (the first time takes about a minute)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade pip
	@# -qq: pip's errors only, not the build backend's notices about editable installs
	@$(BIN)/python -m pip install -qq -e ".[dev]"
	@touch $(STAMP)

## authors: regenerate exercises/ from solutions/
exercises: setup
	$(BIN)/python -m mbrl_helpers.course.exercises

## authors: re-execute lecture and solution notebooks in place (stored outputs)
execute: setup
	$(BIN)/python -m mbrl_helpers.course.execute

benchmarks: setup
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache test-artifacts

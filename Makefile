# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup demo test lint unit bench image clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) scripts/demo.py

lint: setup
	$(BIN)/ruff check s3_presigned tests scripts
	$(BIN)/ruff format --check s3_presigned tests scripts
	$(BIN)/mypy
	$(BIN)/yamllint --strict pipeline-examples
	$(BIN)/hadolint Dockerfile

test: lint
	$(PY) -m pytest

bench: setup
	PYTHONPATH=. $(PY) scripts/bench.py

image:
	docker build -t s3-presigned-url:dev .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

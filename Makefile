# The two commands in the README: `make run` and `make test`. Both set up what they need first
# (idempotent: cheap when nothing changed).
.PHONY: run test setup browser check lint typecheck imports pytest clean

VENV := .venv
BIN := $(VENV)/bin

run: setup
	$(BIN)/wakala run

test: setup browser check

setup:
	scripts/bootstrap.sh

# Headless Chromium for tests/browser (Debian's packages; installed once).
browser:
	scripts/install-chromium.sh

# The gates, in the order that fails fastest.
check: lint typecheck imports pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

pytest:
	$(BIN)/pytest

clean:
	rm -rf $(VENV) models .wakala .mypy_cache .ruff_cache .pytest_cache

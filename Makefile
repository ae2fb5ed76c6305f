# 嘉定企业服务助手 — every target sets up what it needs first (venv, dependencies, .env,
# jieba dictionary, model), each step only when its inputs changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
# Nothing phones home: Rasa's telemetry and its error reporting are off in every command.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# OpenMP (the e5 encoder's engine, scikit-learn): one thread, waiting passively. The first
# OpenMP runtime a process loads reads these once; with its defaults, workers spinning between
# calls made one embedding cost up to 0.9 s of CPU instead of 25 ms (bot/embedding.py).
export OMP_NUM_THREADS ?= 1
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: help setup bootstrap kb train run shell test test-unit lint bench loadbench soak validate backup restore clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

bootstrap:  ## .venv with Python 3.10 and the locked dependencies
	@scripts/bootstrap.sh

setup: bootstrap  ## bootstrap + .env token + jieba dictionary + model (trained only on change)
	@$(PY) -m tools.prepare

kb: bootstrap  ## validate policies_kb/, rebuild the jieba dictionary and the search index
	@$(PY) -m bot.kb build

train: setup  ## (setup trains when needed; this is the same)

run: setup  ## start service :8000, action server :5055 and Rasa :5005 (Ctrl-C stops all)
	@$(PY) -m bot.stack run

shell: setup  ## talk to the bot in the terminal (rasa shell on its own port)
	@$(PY) -m bot.stack shell

test: setup  ## every test: unit, Rasa data validation, story tests, integration
	@scripts/test-servers.sh
	@$(PY) -m pytest

test-unit: setup  ## the fast tests only
	@$(PY) -m pytest -m "not integration and not slow"

validate: setup  ## rasa data validate
	@$(PY) -m tools.validate

lint: bootstrap  ## ruff (lint + format check) and mypy
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy

bench: setup  ## NLU cross-validation, training and start-up times, REST latency, load benchmark
	@$(PY) -m tools.bench

loadbench: setup  ## REST channel under load (Locust), ours beside a stock Rasa bot (~8 min)
	@$(PY) -m tools.loadbench

soak: setup  ## 30 min of mixed load with process restarts (not in CI): appeals confirmed = stored
	@$(PY) -m tools.soak

backup: bootstrap  ## copy the appeal database to var/backups/ (SQLite online copy or pg_dump)
	@$(PY) -m tools.backup backup

restore: bootstrap  ## restore FILE=... into DATABASE_URL (FORCE=1 to replace existing appeals)
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=var/backups/appeals-<UTC time>.sqlite" >&2; exit 2; fi
	@$(PY) -m tools.backup restore "$(FILE)" $(if $(FORCE),--force)

clean:  ## remove the trained model, generated dictionary and runtime data (not .venv, .env)
	rm -rf models build var results .rasa

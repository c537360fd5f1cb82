# The README's commands. Everything runs as local processes (no Docker): see deploy/README.md.
# State lives in .run/ (PostgreSQL data, Kafka log, nginx, pids, logs).

SHELL := /bin/bash
.DEFAULT_GOAL := help
LOCAL := deploy/local
PY := .venv/bin/python
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: help install venv infra-up infra-down up down status logs clean \
	backup restore test test-unit bench chaos lint contracts contracts-check openapi openapi-check web-dev \
	k8s-generate k8s-validate

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## install what is missing: Debian packages, uv, the project venv (uv.lock)
	@$(LOCAL)/install.sh

venv: # the Python toolchain only, for targets that need no infrastructure
	@$(LOCAL)/install.sh python

infra-up: install ## start PostgreSQL (55432), Kafka (9092) with its topics, nginx (https 8443, 8080 redirecting) serving the web app, Prometheus (9090)
	@$(LOCAL)/postgres.sh start
	@$(LOCAL)/kafka.sh start
	@$(LOCAL)/web.sh build
	@$(LOCAL)/nginx.sh start
	@$(LOCAL)/prometheus.sh start

infra-down: ## stop Prometheus, nginx, Kafka and PostgreSQL (data is kept)
	@$(LOCAL)/prometheus.sh stop
	@$(LOCAL)/nginx.sh stop
	@$(LOCAL)/kafka.sh stop
	@$(LOCAL)/postgres.sh stop

up: infra-up ## install, start infrastructure and the five services, seed demo data
	@$(LOCAL)/services.sh start
	@$(LOCAL)/summary.sh

down: ## stop the services and the infrastructure (data is kept)
	@$(LOCAL)/services.sh stop
	@$(MAKE) --no-print-directory infra-down

status: ## what is running
	@$(LOCAL)/postgres.sh status
	@$(LOCAL)/kafka.sh status
	@$(LOCAL)/nginx.sh status
	@$(LOCAL)/prometheus.sh status
	@$(LOCAL)/services.sh status

logs: ## last lines of every log in .run/logs (FOLLOW=1 to follow, LINES=n)
	@if [ -n "$(FOLLOW)" ]; then tail -n "$${LINES:-20}" -F .run/logs/*.log; \
	else tail -n "$${LINES:-40}" .run/logs/*.log; fi

clean: down ## stop everything and delete all local state (databases, Kafka log)
	@$(LOCAL)/clean.sh

backup: install ## a backup of every service's database under BACKUP_DIR (default .run/backups), old ones pruned; see deploy/README.md
	@$(LOCAL)/backup.sh backup

restore: install ## bring the backup BACKUP=<name> back into a stopped stack (make down first); see deploy/README.md
	@$(LOCAL)/backup.sh restore "$(BACKUP)"

test: install ## the whole suite on a fresh test stack of its own beside `make up`'s (ports 18xxx, 19092, 55433; logs kept in .run/test-logs): unit, integration, e2e, web, a short chaos run (PYTEST_ARGS=...)
	@STACK=test $(LOCAL)/test.sh unit integration e2e web chaos

test-unit: venv ## unit tests only, no infrastructure
	@$(LOCAL)/test.sh unit

k8s-validate: venv ## render every Kubernetes overlay and validate it strictly (kubeconform, vendored schemas), and docker-compose.yml
	@$(LOCAL)/test.sh unit/deploy/test_kubernetes_valid.py

bench: up ## the benchmarks against the running stack of `make up` (not the test stack), then the API contract test at 12 examples per operation
	@$(PY) -m benchmarks
	@API_CONTRACT_EXAMPLES=12 .venv/bin/pytest tests/integration/api_contract -q

chaos: up ## on `make up`'s stack: kill the broker, PostgreSQL and services under a stream of writes; check nothing lost
	@$(PY) -m benchmarks.chaos

lint: venv ## every static check: ruff, shellcheck, mypy, import contracts, vue-tsc; see deploy/local/lint.sh
	@$(LOCAL)/lint.sh

contracts: venv ## regenerate docs/asyncapi.yaml and the event JSON Schemas
	@$(PY) -m contracts.asyncapi --write

contracts-check: venv ## fail when the generated contracts are stale
	@$(PY) -m contracts.asyncapi --check
	@$(PY) deploy/kubernetes/generate.py --check

k8s-generate: venv ## regenerate deploy/kubernetes's topics, users, PG clusters and rules
	@$(PY) deploy/kubernetes/generate.py --write

openapi: venv ## regenerate the services' OpenAPI documents and the web app's typed client
	@$(PY) -m servicekit.openapi --write
	@$(LOCAL)/web.sh api

openapi-check: venv ## fail when the OpenAPI documents or the web app's typed client are stale
	@$(PY) -m servicekit.openapi --check
	@$(LOCAL)/web.sh api-check

web-dev: ## the web app on Vite's dev server (https://127.0.0.1:5173), /api proxied to the gateway
	@$(LOCAL)/web.sh dev

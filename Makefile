# Entry points for developers, CI and operators. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python

# Terraform: ENV picks environments/<ENV>; LOCAL=1 targets the local AWS emulator instead of AWS.
ENV ?= dev
LOCAL ?=
ENV_DIR := environments/$(ENV)
PLAN_FILE := $(abspath .local/plans/$(ENV).tfplan)

# Offline init: where a provider mirror exists (this project's machines have one), Terraform installs
# providers from it and never asks the registry; elsewhere it uses the registry as usual.
TF_PLUGIN_MIRROR ?= /opt/tf-plugins
TF_CLI_RC := $(abspath .local/terraformrc)
ifneq ($(wildcard $(TF_PLUGIN_MIRROR)),)
export TF_CLI_CONFIG_FILE := $(TF_CLI_RC)
TF_CLI_RC_DEP := $(TF_CLI_RC)
else
# A user's CLI configuration stays in charge; only an inherited path to a missing file is dropped.
ifeq ($(wildcard $(TF_CLI_CONFIG_FILE)),)
unexport TF_CLI_CONFIG_FILE
endif
TF_CLI_RC_DEP :=
endif

# The emulator for LOCAL=1: one background `local-aws serve`, found again through its pidfile.
EMULATOR_PORT ?= 4566
EMULATOR_PIDFILE := .local/emulator.pid
EMULATOR_LOG := .local/emulator.log
EMULATOR_URL := http://127.0.0.1:$(EMULATOR_PORT)
# The emulator run is a copy of the environment two levels below the repository (so its
# `../../terraform` still resolves) with local state, made by `local-aws prepare` (local_aws/stack.py, the
# copy the tests and the demo use too): the real backend's init is never touched.
LOCAL_TF_DIR := .local/$(ENV)
LOCAL_ENV := AWS_ENDPOINT_URL=$(EMULATOR_URL) AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 TF_VAR_use_local_emulator=true

.PHONY: help venv test docs build fmt lint plan apply destroy emulator-up emulator-down postgres-up postgres-down \
	bench-lambda bench-glue bench-zip bench-datamart bench-router validate-configs bench

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed ## Create the virtualenv from pyproject.toml

test: venv ## Run every test suite
	$(PYTHON) -m pytest

docs: venv ## Rewrite the Inputs/Outputs tables of the Terraform modules' READMEs from their code
	$(PYTHON) scripts/module_docs.py

build: venv ## Build the Lambda and Glue archives and the Glue line parser jar deterministically into build/
	$(PYTHON) scripts/build.py

$(TF_CLI_RC):
	@mkdir -p $(@D)
	@printf '%s\n' 'provider_installation {' \
		'  filesystem_mirror {' '    path    = "$(TF_PLUGIN_MIRROR)"' '    include = ["registry.terraform.io/*/*"]' '  }' \
		'  direct {' '    exclude = ["registry.terraform.io/*/*"]' '  }' '}' > $@

fmt: venv ## Format Terraform and Python
	terraform fmt -recursive terraform environments
	$(VENV)/bin/ruff format .

lint: venv build $(TF_CLI_RC_DEP) ## terraform fmt -check + validate, module docs, ruff, import contracts, checkov, zizmor
	terraform fmt -check -recursive terraform environments
	@# Validated from copies two levels down (as LOCAL=1 does): init leaves nothing in environments/.
	@set -e; for env in environments/*/; do \
		env=$$(basename $$env); dir=.local/validate-$$env; echo "terraform validate $$env"; \
		rm -rf $$dir && mkdir -p $$dir && cp environments/$$env/*.tf $$dir/; \
		terraform -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; \
		terraform -chdir=$$dir validate -no-color; \
	done
	$(PYTHON) scripts/module_docs.py --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/checkov --config-file .checkov.yaml
	$(VENV)/bin/zizmor --offline .github/workflows

# One line that says what to do (unknown ENV, missing backend.hcl, no credentials, prod destroy) before any
# build or Terraform run; scripts/preflight.py.
.PHONY: .preflight .preflight-destroy
.preflight: venv
	@$(PYTHON) scripts/preflight.py $(ENV) $(if $(filter 1,$(LOCAL)),--local)
.preflight-destroy: venv
	@$(PYTHON) scripts/preflight.py $(ENV) --destroy $(if $(filter 1,$(LOCAL)),--local)

ifeq ($(LOCAL),1)
plan: .preflight build emulator-up $(TF_CLI_RC_DEP) ## Plan ENV against AWS (backend.hcl), or the local emulator with LOCAL=1
	@$(MAKE) --no-print-directory .local-tf-dir
	cd $(LOCAL_TF_DIR) && $(LOCAL_ENV) terraform plan -input=false

apply: .preflight build emulator-up $(TF_CLI_RC_DEP) ## Apply: LOCAL=1 to the emulator; otherwise the plan saved by `make plan`
	@$(MAKE) --no-print-directory .local-tf-dir
	cd $(LOCAL_TF_DIR) && $(LOCAL_ENV) terraform apply -input=false -auto-approve

destroy: .preflight-destroy emulator-up $(TF_CLI_RC_DEP) ## Destroy ENV: LOCAL=1 on the emulator; dev on AWS (asks to confirm); prod refuses
	@$(MAKE) --no-print-directory .local-tf-dir
	cd $(LOCAL_TF_DIR) && $(LOCAL_ENV) terraform destroy -input=false -auto-approve

.PHONY: .local-tf-dir
.local-tf-dir: venv
	@$(VENV)/bin/local-aws prepare --environment $(ENV) --workspace $(ENV) >/dev/null
else
plan: .preflight build $(TF_CLI_RC_DEP)
	terraform -chdir=$(ENV_DIR) init -input=false -backend-config=backend.hcl
	@mkdir -p $(dir $(PLAN_FILE))
	terraform -chdir=$(ENV_DIR) plan -input=false -out=$(PLAN_FILE)

apply: .preflight $(TF_CLI_RC_DEP)
	@test -f $(PLAN_FILE) || { echo "error: no saved plan for $(ENV): run make plan ENV=$(ENV) first" >&2; exit 2; }
	terraform -chdir=$(ENV_DIR) apply -input=false $(PLAN_FILE)

destroy: .preflight-destroy build $(TF_CLI_RC_DEP)
	terraform -chdir=$(ENV_DIR) init -input=false -backend-config=backend.hcl
	terraform -chdir=$(ENV_DIR) destroy -input=false
endif

emulator-up: venv ## Start the local AWS emulator in the background (LOCAL=1 targets do this)
	@mkdir -p .local
	@if [ -f $(EMULATOR_PIDFILE) ] && kill -0 $$(cat $(EMULATOR_PIDFILE)) 2>/dev/null; then \
		echo "emulator already running on $(EMULATOR_URL) (pid $$(cat $(EMULATOR_PIDFILE)))"; \
	else \
		nohup $(VENV)/bin/local-aws serve --port $(EMULATOR_PORT) --pidfile $(EMULATOR_PIDFILE) >$(EMULATOR_LOG) 2>&1 & \
		for attempt in $$(seq 1 100); do [ -f $(EMULATOR_PIDFILE) ] && break; sleep 0.2; done; \
		[ -f $(EMULATOR_PIDFILE) ] || { echo "emulator did not start; see $(EMULATOR_LOG)"; exit 1; }; \
		echo "emulator running on $(EMULATOR_URL) (pid $$(cat $(EMULATOR_PIDFILE)))"; \
	fi

emulator-down: ## Stop the background emulator (its resources and the LOCAL=1 state go with it)
	@if [ -f $(EMULATOR_PIDFILE) ]; then \
		kill $$(cat $(EMULATOR_PIDFILE)) 2>/dev/null || true; \
		for attempt in $$(seq 1 50); do [ -f $(EMULATOR_PIDFILE) ] || break; sleep 0.2; done; \
		rm -f $(EMULATOR_PIDFILE); echo "emulator stopped"; \
	else \
		echo "no emulator running"; \
	fi
	@rm -f $(foreach env,$(notdir $(wildcard environments/*)),.local/$(env)/terraform.tfstate*)

# A PostgreSQL server for manual use of datamart-load (tests start their own, per session, through local_pg).
PG_PORT ?= 54329

postgres-up: venv ## Start a local PostgreSQL server (127.0.0.1, port PG_PORT=54329), data in .local/postgres; prints its DSN
	@$(VENV)/bin/local-pg up --port $(PG_PORT)

postgres-down: venv ## Stop the local PostgreSQL server and remove its data
	@$(VENV)/bin/local-pg down

bench-lambda: venv ## Benchmark DynamoDB requests per file of the manifest builder
	$(PYTHON) benchmarks/manifest_builder_requests.py

bench-glue: venv ## Benchmark the Glue job's throughput against pyarrow
	$(PYTHON) benchmarks/glue_throughput.py

bench-datamart: venv ## Benchmark the datamart load against the COPY ceiling, awswrangler and Spark JDBC
	$(PYTHON) -m pip install --quiet -e '.[bench]'
	$(PYTHON) benchmarks/datamart_load_throughput.py --spark

bench-zip: venv ## Benchmark DownloadZip over the emulator against a download-then-upload copy
	$(PYTHON) benchmarks/download_zip.py

bench-router: venv ## Benchmark the file router: AWS requests per file, config reads, decisions per second
	$(PYTHON) benchmarks/router_requests.py

validate-configs: venv ## Validate the repository's config files against schemas/ (no AWS needed)
	$(PYTHON) -m upload_config.cli validate config/config.json --kind router_config --deployed-jobs datamart-load

bench: bench-lambda bench-glue bench-zip bench-datamart bench-router ## Run every benchmark

# The live platform: one background `local-aws up` (emulator, the dev stack applied, event delivery, Glue on
# local Spark), found again through its pidfile, written once it is up. It is the emulator of LOCAL=1 targets
# meanwhile (its pid in the emulator's pidfile): `make apply ENV=dev LOCAL=1` changes the live stack, in the
# same Terraform copy (.local/dev), and `make emulator-down` stops it as `make down` does.
PLATFORM_PIDFILE := .local/platform.pid
PLATFORM_LOG := .local/platform.log
PLATFORM_FUNCTION_LOG := .local/platform-functions.log
.PHONY: up down
up: venv ## The live local platform: emulator, dev stack, PostgreSQL, SQS/EventBridge/Glue delivery as on AWS (make down stops it)
	@mkdir -p .local
	@if [ -f $(PLATFORM_PIDFILE) ] && kill -0 $$(cat $(PLATFORM_PIDFILE)) 2>/dev/null; then \
		echo "platform already up on $(EMULATOR_URL) (pid $$(cat $(PLATFORM_PIDFILE))); make down stops it"; \
	else \
		rm -f $(PLATFORM_PIDFILE); \
		nohup $(VENV)/bin/local-aws up --port $(EMULATOR_PORT) --pidfile $(PLATFORM_PIDFILE) \
			--function-log $(PLATFORM_FUNCTION_LOG) >$(PLATFORM_LOG) 2>&1 & pid=$$!; \
		echo "starting the platform (pid $$pid): build, emulator, terraform apply (a minute or two); log in $(PLATFORM_LOG)"; \
		until [ -f $(PLATFORM_PIDFILE) ]; do \
			kill -0 $$pid 2>/dev/null || { tail -n 20 $(PLATFORM_LOG); echo "the platform did not start; see $(PLATFORM_LOG)"; exit 1; }; \
			sleep 1; \
		done; \
		sed -n '/platform up on/,$$p' $(PLATFORM_LOG); \
		cp $(PLATFORM_PIDFILE) $(EMULATOR_PIDFILE); \
	fi

down: ## Stop the live platform (its emulator and everything in it go too)
	@if [ -f $(PLATFORM_PIDFILE) ] && pid=$$(cat $(PLATFORM_PIDFILE)) && kill $$pid 2>/dev/null; then \
		for attempt in $$(seq 1 300); do kill -0 $$pid 2>/dev/null || break; sleep 0.2; done; \
		if [ "$$(cat $(EMULATOR_PIDFILE) 2>/dev/null)" = "$$pid" ]; then rm -f $(EMULATOR_PIDFILE); fi; \
		echo "platform stopped"; \
	else \
		echo "no platform running"; \
	fi
	@rm -f $(PLATFORM_PIDFILE)

.PHONY: demo bench-pipeline bench-freshness
demo: up ## The platform on make up: sample data to Parquet, into the datamart, CSV files routed; a summary
	$(PYTHON) -m local_aws.demo --endpoint-url $(EMULATOR_URL) --function-log $(PLATFORM_FUNCTION_LOG)

bench-pipeline: venv ## Benchmark 1,000 files end to end through the dev stack on the emulator and local Spark
	$(PYTHON) benchmarks/end_to_end.py

bench-freshness: venv ## Benchmark the intake's freshness: one file a minute for 30 minutes (time compressed 30x), p50/p95 to Parquet
	$(PYTHON) benchmarks/intake_freshness.py

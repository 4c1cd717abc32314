# `make book` builds the site; `make test` runs every check. Both create .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
# the data folder: ../shared/data beside a clone (as in CI) unless you set MEDIMG_DATA_DIR yourself
MEDIMG_DATA_DIR ?= $(wildcard $(abspath ../shared/data))
export MEDIMG_DATA_DIR

.PHONY: book test test-portable nbval colab mutate site browser-deps execute bench retarget lint clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

## book: build the static site into _build/html from the stored notebook outputs (nothing is executed)
book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going --quiet
	@echo "site: _build/html/index.html"

# two test processes at a time (pytest-xdist; for nbval all cells of a notebook go to one worker, in order): a
# notebook spends much of its time in single-threaded Python, which leaves a core idle. JOBS=0 runs one at a time.
JOBS ?= 2
NBVAL = $(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900 \
	-p tests.nbval_stats -q -rs -n $(JOBS) --dist loadfile
NB ?= notebooks/*.ipynb
SKIPPED_NB := $(shell sed -n '/^NOT_YET_VALIDATED = {/,/^}/p' tests/book.py | \
	sed -n 's/^    "\([0-9][0-9]_[a-z0-9_]*\)".*/notebooks\/\1.ipynb/p')

## test: unit tests, Colab check, notebook re-execution (nbval), site build, links, Colab URLs, browser test
test: $(STAMP) browser-deps
	@status=0; \
	echo "== unit, template, packaging and results tests"; \
	$(BIN)/python -m pytest tests -m "not site" -q -rs -n $(JOBS) || status=1; \
	echo "== Colab: the install cell changes nothing Colab ships"; \
	$(MAKE) --no-print-directory colab || status=1; \
	echo "== notebooks re-executed and compared (nbval)"; \
	echo "NOT VALIDATED (left out of nbval; tests/book.py NOT_YET_VALIDATED): $(SKIPPED_NB)"; \
	$(NBVAL) notebooks $(foreach n,$(SKIPPED_NB),--ignore=$(n)) || status=1; \
	echo "== site build (warnings are errors)"; \
	$(MAKE) --no-print-directory book || status=1; \
	echo "== site, links, Colab URLs, browser"; \
	$(BIN)/python -m pytest tests -m site -q -rs || status=1; \
	exit $$status

## nbval: re-execute notebooks and compare their outputs as CI does (NB=notebooks/05_training.ipynb for one)
nbval: $(STAMP)
	$(NBVAL) $(NB)

## test-portable: nbval with oneDNN off and one intra-op thread (TensorFlow's kernels), NumPy's AVX2/FMA3/AVX-512 loops
## off (its sums take another path) and OpenBLAS on an old core type: results move the way they do on another CPU or a
## GPU; the committed notebooks must pass it too (NB=... for one). Without oneDNN and with one thread the 3D training
## of chapter 12 runs several times slower, hence the longer cell timeout
PORTABLE_NUMPY := AVX2 FMA3 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR
test-portable: $(STAMP)
	TF_ENABLE_ONEDNN_OPTS=0 TF_NUM_INTRAOP_THREADS=1 NPY_DISABLE_CPU_FEATURES="$(PORTABLE_NUMPY)" \
		OPENBLAS_CORETYPE=Prescott $(NBVAL) --nbval-cell-timeout 2400 $(NB)

## colab: resolve the install cell against Colab's published package list (needs the package index, not Colab)
colab: $(STAMP)
	$(BIN)/python scripts/colab_check.py

browser-deps:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium not installed: the browser test will fail (as root: apt-get install chromium)"; }

## execute: run notebooks in place and store their outputs (NB=notebooks/05_training.ipynb for one)
execute: $(STAMP)
	$(BIN)/python scripts/execute.py $(NB)

## bench: re-train every case-study model over 3 seeds and print the results table with times and peak RSS
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

## retarget: rewrite every badge, install cell, data URL and cross-link from the book's home in _config.yml
retarget: $(STAMP)
	$(BIN)/python scripts/retarget.py

## lint: fix what ruff can (imports, formatting) in src, scripts, tests and the notebooks' code cells, then check;
## make test runs the same check, without fixing (tests/test_lint.py)
lint: $(STAMP)
	$(BIN)/ruff check --fix src scripts tests notebooks
	$(BIN)/ruff format src scripts tests notebooks
	$(BIN)/ruff check src scripts tests notebooks

## mutate: apply small bugs to a copy of src/helpers and check that the unit tests catch each one
mutate: $(STAMP)
	$(BIN)/python tests/mutate.py

clean:
	rm -rf _build .pytest_cache

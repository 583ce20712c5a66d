# Every target creates .venv and installs the package with its test extra, so a fresh
# clone needs nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check bench eval clean fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m storywatch.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The fuzz tests (pytest -m fuzz) with many more examples, random instead of
# derandomized: FUZZ_EXAMPLES examples per Hypothesis property, a fifth as many random
# hostile HTTP answers; FUZZ_SEED picks other answers.
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -m fuzz

check: $(STAMP)
	$(BIN)/ruff check storywatch tests eval bench
	$(BIN)/ruff format --check storywatch tests eval bench
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/python eval/run_eval.py && $(BIN)/python eval/extraction_eval.py

# Byte-compiled ahead, as a wheel install would be: the cycles time whole processes, and
# PYTHONDONTWRITEBYTECODE environments would otherwise recompile every start.
bench: $(STAMP)
	$(BIN)/python -m compileall -q storywatch
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

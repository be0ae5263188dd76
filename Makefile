# Internet Programming with Python: build the outline and the slides, run the tests.
#
#   make            set up .venv, build the outline (_build/html) and the decks (_build/slides)
#   make test       run every example test, every lecture session and the site checks
#   make html       the outline only          make slides   the decks only
#   make live       outline with live reload on http://127.0.0.1:8000
#   make live-slides  the decks with live reload on http://127.0.0.1:8001
#
# One lecture (its slug, from lectures.toml):
#   make test L=sockets     its tests, its sessions, its site and browser checks
#   make html L=sockets     write only its outline page (and the home page)
#   make slides L=sockets   likewise for its deck
#
# Builds are incremental: a second build with no edit reads no document.
#   make bench      lecture 4's benchmark: examples/concurrency/results/ (data + charts), ~2 min
#   make pdf        handouts: _build/pdf/<lecture>-slides.pdf (a slide a page) and -outline.pdf
#   make clean      remove _build             make distclean  also remove .venv
#
# PYTHON picks the interpreter (3.11 or newer): PYTHON=python3.13 make test.
# The virtual environment is rebuilt when requirements.txt or PYTHON changes.

PYTHON ?= python3
VENV ?= .venv
BUILD ?= _build
SPHINXOPTS ?= -W --keep-going
LIVE_PORT ?= 8000
LIVE_SLIDES_PORT ?= 8001
# L=<slug>: one lecture (see above); JOBS: pytest workers (auto: one per core)
L ?=
JOBS ?= auto

BIN := $(VENV)/bin
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
STAMP := $(VENV)/.installed-python$(PYTHON_VERSION)
SPHINX := $(BIN)/python -m sphinx -c . $(SPHINXOPTS)
# With L=<slug>, sphinx-build writes only that lecture (and the home page).
ONLY := $(if $(L),source/$(L).rst source/index.rst)
# The suite on every core (a file whose tests share state runs on one worker:
# conftest.py); coverage of examples/
# lets the drift audit check that every included example is run.
PYTEST := $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --cov --cov-report= --measure-includes
# On Python 3.12+ coverage.py measures through sys.monitoring, far cheaper
# than the tracer that 3.11 needs.
export COVERAGE_CORE := $(shell $(PYTHON) -c 'import sys; print("sysmon" if sys.version_info >= (3, 12) else "ctrace")')

.PHONY: all html slides test live live-slides pdf bench clean distclean venv

all: html slides

venv: $(STAMP)

# httpbin (lecture 5's local test server) is installed without its declared
# dependencies: they ask for greenlet<3.0 on Python < 3.12, which playwright
# above cannot share; httpbin never imports it (see that file).
HTTPBIN_REQUIREMENTS := examples/webclients/requirements-httpbin.txt

$(STAMP): requirements.txt $(HTTPBIN_REQUIREMENTS) $(wildcard ext/*/pyproject.toml)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; $(PYTHON) is $(PYTHON_VERSION)"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r $(HTTPBIN_REQUIREMENTS)
	touch $@

# With L=<slug> on a fresh checkout, the first build is a whole one: a
# partial build has no search index to add to (and -W makes that an error).
html: $(STAMP)
	$(if $(L),@test -f $(BUILD)/html/searchindex.js || \
		$(SPHINX) -b html -d $(BUILD)/doctrees/html source $(BUILD)/html)
	$(SPHINX) -b html -d $(BUILD)/doctrees/html source $(BUILD)/html $(ONLY)
	@echo "Outline: $(BUILD)/html/index.html"

slides: $(STAMP)
	$(if $(L),@test -f $(BUILD)/slides/searchindex.js || \
		$(SPHINX) -b slides -d $(BUILD)/doctrees/slides source $(BUILD)/slides)
	$(SPHINX) -b slides -d $(BUILD)/doctrees/slides source $(BUILD)/slides $(ONLY)
	@echo "Slides:  $(BUILD)/slides/index.html  (press c for the presenter console)"

test: $(STAMP)
ifeq ($(L),)
	$(PYTEST)
else
	$(PYTEST) --lecture $(L) $(wildcard tests/test_$(L).py tests/test_$(L)_*.py) \
		source/$(L).rst tests/test_site.py tests/test_browser.py \
		tests/test_outline.py tests/test_outline_axe.py
endif

# Not part of make test: it takes minutes and its numbers depend on the machine.
# BENCH_NOTE says where and how it ran; the lecture shows it next to the chart.
BENCH_NOTE ?= nothing else was running on the machine
bench: $(STAMP)
	$(BIN)/python examples/concurrency/bench.py --out examples/concurrency/results --note "$(BENCH_NOTE)"

pdf: html slides
	$(BIN)/python tools/pdf.py --site $(BUILD) --out $(BUILD)/pdf

LIVE_WATCH := --watch examples --watch _static --watch ext --watch conf.py --watch lectures.toml

live: $(STAMP)
	$(BIN)/sphinx-autobuild -c . $(SPHINXOPTS) -b html -d $(BUILD)/doctrees/html \
		--host 127.0.0.1 --port $(LIVE_PORT) $(LIVE_WATCH) source $(BUILD)/html

live-slides: $(STAMP)
	$(BIN)/sphinx-autobuild -c . $(SPHINXOPTS) -b slides -d $(BUILD)/doctrees/slides \
		--host 127.0.0.1 --port $(LIVE_SLIDES_PORT) $(LIVE_WATCH) source $(BUILD)/slides

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV)

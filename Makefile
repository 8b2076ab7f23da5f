# Thin wrapper over meson for the README's two set-up commands.
#   make demo   installs what is missing, builds, loads the example catalogue,
#               prints its stats and the answer to an example SPARQL query,
#               then serves it on http://127.0.0.1:8080 until Ctrl-C
#   make check  installs what is missing (also Chromium and the npm packages
#               of the browser tests), builds, runs every test
# meson stays the build; this file only strings the steps together.

BUILD ?= build
MESON_ARGS ?=
DEMO_DB ?= $(BUILD)/demo-data

.PHONY: all deps e2e-deps build demo check clean

all: build

deps:
	@sh tools/install-deps.sh

# What the browser tests need (Chromium, Node.js, tests/e2e's npm packages).
e2e-deps:
	@sh tools/install-e2e-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_ARGS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo: build
	rm -rf $(DEMO_DB)
	FAIRDEX_BASE=https://fairdex.example.org/ \
	  $(BUILD)/web/fairdex --db $(DEMO_DB) load examples/catalog.ttl
	$(BUILD)/web/fairdex --db $(DEMO_DB) stats
	$(BUILD)/web/fairdex --db $(DEMO_DB) query --format tsv - < examples/datasets-by-theme.rq
	@echo "serving the example catalogue on http://127.0.0.1:8080/ (Ctrl-C stops)"
	$(BUILD)/web/fairdex --db $(DEMO_DB) serve --listen 127.0.0.1:8080 \
	  --base https://fairdex.example.org/

check: build e2e-deps
	meson test -C $(BUILD) --print-errorlogs

clean:
	rm -rf $(BUILD)

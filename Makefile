# Tangram build entry points. README documents `make run` and `make test`.
GO        ?= go
BIN       := bin/tangram
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/tangram/tangram/server/cli.Version=$(VERSION)
BENCHTIME ?= 2s
NPM       ?= npm
UI        := builder-ui
# The web UI needs Node.js and npm; without them the binary embeds a page
# that says how to build the UI (builder-ui/embed.go), and Go alone suffices.
HAVE_NPM  := $(shell command -v $(NPM) 2>/dev/null)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: build run test test-go test-ui ui vet bench bench-crm clean

## build: compile the tangram binary into bin/ (with the web UI when npm is on the machine)
build: $(if $(HAVE_NPM),ui)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./server/cmd/tangram

## run: build, then serve on the embedded store in ./data (http://localhost:8080) with the
## CRM template (app "crm") and demo data; later starts keep the data and skip both
DEMO_MEMBERS ?= 2000
run: build
	./$(BIN) serve -template crm-retail -demo-members $(DEMO_MEMBERS)

## test: every test: vet, Go tests (store conformance on SQLite and Mongo-over-lungo), race detector on the concurrency-heavy packages, UI unit and browser tests
test: vet test-go test-ui

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l server engine plugins templates $(UI)/*.go 2>/dev/null)" || (gofmt -l server engine plugins templates $(UI)/*.go; echo 'gofmt needed'; exit 1)

test-go:
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -race -timeout 20m ./engine/store/... ./engine/meta/... ./engine/ledger/... ./engine/action/... ./engine/access/... ./engine/auth/... ./engine/script/...

## bench: store, engine and HTTP API benchmarks; figures go to docs/PERFORMANCE.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 60m ./engine/... ./server/api
	@echo 'Over HTTP on demo data (checkout, sales by store x month, the HQ cockpit cold and warm, server memory): make bench-crm [DATA=dir]'

## bench-crm: the CRM over HTTP on a demo data dir: `tangram serve` started on DATA (default: a
## BENCH_MEMBERS-member demo generated once into /tmp/tangram-bench-crm), then `tangram bench`:
## the HQ cockpit cold (the first request after the start: the result cache is per process) and
## warm, sales by store x month cold (noCache) and warm, checkout at 1 and 32 clients, the
## cockpit again after those writes; the server's RSS around each; the server is stopped at the end.
## A bench user (BENCH_USER, BENCH_PASSWORD) is added to DATA. BENCH_UPGRADE=1 (the default) first
## installs this build's crm-retail over DATA's definitions (`template install -overwrite`: edits
## of them are replaced) and builds the missing rollups and report indexes (minutes on 10M sales,
## once); BENCH_UPGRADE=0 keeps DATA's definitions (serving with -template still builds those).
BENCH_MEMBERS  ?= 2000
BENCH_ADDR     ?= 127.0.0.1:18490
BENCH_DURATION ?= 20s
BENCH_RUNS     ?= 30
BENCH_USER     ?= bench-crm
BENCH_PASSWORD ?= bench-crm-Pw1!
BENCH_UPGRADE  ?= 1
DATA           ?=
bench-crm:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./server/cmd/tangram
	@set -e; data='$(DATA)'; \
	if [ -z "$$data" ]; then data=/tmp/tangram-bench-crm; \
	  if [ ! -e "$$data/tangram.db" ]; then ./$(BIN) template install crm-retail -demo-members $(BENCH_MEMBERS) -data "$$data"; fi; \
	elif [ ! -e "$$data/tangram.db" ]; then echo "DATA=$$data holds no tangram.db"; exit 1; fi; \
	if [ '$(BENCH_UPGRADE)' = 1 ]; then ./$(BIN) template install crm-retail -overwrite -data "$$data"; fi; \
	TANGRAM_USER_PASSWORD='$(BENCH_PASSWORD)' ./$(BIN) user create -username '$(BENCH_USER)' -admin -data "$$data" >/dev/null 2>&1 || true; \
	./$(BIN) serve -template crm-retail -data "$$data" -addr $(BENCH_ADDR) -log-level warn & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null || true' EXIT INT TERM; \
	export TANGRAM_PASSWORD='$(BENCH_PASSWORD)'; \
	run() { echo; echo "== $$1"; shift; ./$(BIN) bench "$$@" -url http://$(BENCH_ADDR) -user '$(BENCH_USER)' -pid $$pid -wait 60m; }; \
	uptime; \
	run "HQ cockpit: cold = the first request after the start, then warm" dashboard -dashboard hq-cockpit -c 1 -n $(BENCH_RUNS); \
	run "sales by store x month: cold = noCache, then warm" report -report sales-by-store-month -cold 3 -c 1 -n $(BENCH_RUNS); \
	run "checkout, 1 client" checkout -c 1 -duration $(BENCH_DURATION); \
	run "checkout, 32 clients" checkout -c 32 -duration $(BENCH_DURATION); \
	run "HQ cockpit after the checkouts: the widgets over written forms are cold again" dashboard -dashboard hq-cockpit -c 1 -n $(BENCH_RUNS); \
	uptime

## ui: build the web UI into builder-ui/dist, which the next go build embeds (skipped without npm)
ui:
ifeq ($(HAVE_NPM),)
	@echo 'npm not found: the binary will serve a page saying how to build the UI'
else
	@$(MAKE) --no-print-directory $(UI)/node_modules/.package-lock.json
	cd $(UI) && $(NPM) run build
endif

# npm writes this file on every install: node_modules is current while it is
# newer than the lock file.
$(UI)/node_modules/.package-lock.json: $(UI)/package-lock.json $(UI)/package.json
	cd $(UI) && $(NPM) ci --no-audit --no-fund

## test-ui: UI unit tests (Vitest) and browser tests (playwright-core driving Debian's chromium, installed with apt-get when missing)
test-ui:
ifeq ($(HAVE_NPM),)
	@echo 'npm not found: skipping the UI tests'
else
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)
	@$(MAKE) --no-print-directory $(UI)/node_modules/.package-lock.json
	cd $(UI) && $(NPM) test && $(NPM) run test:e2e
endif

clean:
	rm -rf bin $(UI)/dist $(UI)/test-results

# Tangram build entry points. README documents `make run` and `make test`.
GO        ?= go
BIN       := bin/tangram
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/tangram/tangram/server/cli.Version=$(VERSION)
BENCHTIME ?= 2s

.PHONY: build run test test-go vet bench clean

## build: compile the tangram binary into bin/
build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./server/cmd/tangram

## run: build, then serve on the embedded store in ./data (http://localhost:8080)
run: build
	./$(BIN) serve

## test: every test: vet, Go tests (store conformance on SQLite and Mongo-over-lungo), race detector on the concurrency-heavy packages
test: vet test-go

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l server engine plugins templates 2>/dev/null)" || (gofmt -l server engine plugins templates; echo 'gofmt needed'; exit 1)

test-go:
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -race -timeout 20m ./engine/store/... ./engine/meta/...

## bench: store and engine benchmarks; figures go to docs/PERFORMANCE.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 60m ./engine/...

clean:
	rm -rf bin

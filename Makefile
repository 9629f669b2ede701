# zoomsync — every command a developer or CI needs.
# DuckDB is linked through cgo; the duckdb_arrow tag compiles duckdb-go's
# Arrow API, which the loader uses to stream rows.

GO      ?= go
TAGS    := duckdb_arrow
GOFLAGS := -tags=$(TAGS)
export CGO_ENABLED := 1

.PHONY: build demo test race bench lint clean

build:
	$(GO) build $(GOFLAGS) -o bin/zoomsync ./cmd/zoomsync

demo: build
	./bin/zoomsync demo

# Test artefacts (the report tests' screenshots of headless Chromium) are
# kept under $(ARTIFACTS)/_artifacts/<n>/; the test log names each one.
ARTIFACTS ?= $(CURDIR)/test-artifacts

test:
	@mkdir -p $(ARTIFACTS)
	$(GO) test $(GOFLAGS) -count=1 -timeout 15m -artifacts -outputdir $(ARTIFACTS) ./...

# The race detector over the packages where goroutines meet (the
# extractor's webinar workers, the clients' token caches and rate limits,
# the simulators' state, the pipelines), and over a selected subset of
# ./cmd/zoomsync: the progress hooks the extraction's workers call, and
# whole syncs through the CLI (with their progress and JSON logs). The
# whole cmd package under -race takes too long for CI's 20 minutes (its
# demo, crash and segment tests run syncs by the dozen), so CMD_RACE picks
# (about 3 minutes on an idle machine, 6 on a loaded one).
CMD_RACE ?= TestProgress|TestSync_outputJSON
race:
	$(GO) test $(GOFLAGS) -race -count=1 -timeout 15m ./extract/... ./load/... ./internal/... ./pipelines
	$(GO) test $(GOFLAGS) -race -count=1 -timeout 15m -run '$(CMD_RACE)' ./cmd/zoomsync

bench:
	$(GO) test $(GOFLAGS) -run '^$$' -bench . -benchmem -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(GOFLAGS) ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }

clean:
	rm -rf bin zoomsync-data zoomsync-demo test-artifacts

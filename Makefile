# zoomsync — every command a developer or CI needs.
# DuckDB is linked through cgo; the duckdb_arrow tag compiles duckdb-go's
# Arrow API, which the loader uses to stream rows.

GO      ?= go
TAGS    := duckdb_arrow
GOFLAGS := -tags=$(TAGS)
export CGO_ENABLED := 1

.PHONY: build demo test race bench bench-xscale bench-scale bench-all lint clean

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

# The figures of issue 9's targets, one run each, into BENCHMARKS.md
# (docs/performance.md says what each measures). About 3.5 minutes on an
# idle machine; the raw output is kept in bench.out.
BENCHES := Run_quotaFloor|Contacts_quota|Activity_quota|Sync_floor|Sync_nothingNew

bench:
	$(GO) test $(GOFLAGS) -run '^$$' -bench '$(BENCHES)' -benchtime 1x -timeout 20m ./extract/ ./load/ ./pipelines/ | tee bench.out
	$(GO) run ./benchmarks/report $$(ls bench.out bench-xscale.out bench-scale.out 2>/dev/null) > BENCHMARKS.md
	@cat BENCHMARKS.md

# Target 1 at --scale 16 (extraction only, ZOOMSYNC_BENCH_XSCALE=16): 13.5
# minutes on an idle machine, so not in bench. The raw output is kept in
# bench-xscale.out, which bench's report reads too when present.
bench-xscale:
	ZOOMSYNC_BENCH_XSCALE=16 $(GO) test $(GOFLAGS) -run '^$$' -bench 'Run_quotaFloor/scale=' -benchtime 1x -timeout 45m ./extract/ | tee bench-xscale.out
	$(GO) run ./benchmarks/report $$(ls bench.out bench-xscale.out bench-scale.out 2>/dev/null) > BENCHMARKS.md
	@cat BENCHMARKS.md

# Issue 9's target 4: the transform at 1 M and 10 M participant rows (peak
# RSS, time ÷ the same SQL in a bare DuckDB program, time per row 10 M ÷
# 1 M), into bench-scale.out, which BENCHMARKS.md then includes. It writes
# lakes of 0.4 GB and up to 1 GB of work files under $$TMPDIR, in about 3.5
# minutes on an idle 2-core machine (lakes, transforms and bare programs;
# docs/performance.md, target 4); SCALES=1M,4M,10M adds 4 M;
# ZOOMSYNC_BENCH_LOG=debug times each SQL file, materialized relation and
# out file.
SCALES ?= 1M,10M

bench-scale:
	ZOOMSYNC_BENCH_SCALE=$(SCALES) $(GO) test $(GOFLAGS) -run '^$$' -bench 'Engine_Run_scale' -benchtime 1x -timeout 90m ./transform/ | tee bench-scale.out
	$(GO) run ./benchmarks/report $$(ls bench.out bench-xscale.out bench-scale.out 2>/dev/null) > BENCHMARKS.md
	@cat BENCHMARKS.md

# Every benchmark of the tree, with allocations.
bench-all:
	$(GO) test $(GOFLAGS) -run '^$$' -bench . -benchmem -timeout 20m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(GOFLAGS) ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }

clean:
	rm -rf bin zoomsync-data zoomsync-demo test-artifacts bench.out bench-xscale.out bench-scale.out

# Drover — build, run, test, bench, lint, proto.
SHELL := /bin/bash
GO    ?= go
BIN   := $(CURDIR)/bin
CACHE := $(CURDIR)/.cache
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/drover-ci/drover/internal/version.Version=$(VERSION)
# SQLite in C (github.com/mattn/go-sqlite3, chosen by bun's sqliteshim with
# the cgosqlite tag) when cgo is available; the pure-Go modernc.org/sqlite
# otherwise, which is what a plain `go build` gives. Both run the same SQL;
# the C one gives the server about 1.4× the dispatch throughput.
ifeq ($(shell $(GO) env CGO_ENABLED),1)
export GOFLAGS += -tags=cgosqlite
endif
# Every main package under cmd/ and plugins/; a plugin's binary is named
# drover-<folder>, e.g. plugins/engine-docker → bin/drover-engine-docker.
MAINS = $(shell $(GO) list -f '{{if eq .Name "main"}}{{.Dir}}{{end}}' ./cmd/... ./plugins/... 2>/dev/null)

.PHONY: all build run test test-unit fuzz bench lint proto e2e images release clean

all: build

build:
	@mkdir -p $(BIN)
	@for dir in $(MAINS); do \
		rel=$${dir#$(CURDIR)/}; name=$$(basename $$dir); \
		case $$rel in plugins/*) name=drover-$$name ;; esac; \
		echo "go build -o bin/$$name ./$$rel"; \
		$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/$$name ./$$rel || exit 1; \
	done

# The server with SQLite in ./data, the local runner and every plugin in ./bin.
run: build
	DROVER_PLUGIN_DIR=$(BIN) DROVER_DATA_DIR=$${DROVER_DATA_DIR:-$(CURDIR)/data} $(BIN)/drover-server

# Every test; the summary lists skipped tests with the reason. The store
# suite runs on Postgres too when DROVER_TEST_DATABASE_URL is set. Tests
# that need Gitea skip unless it is cached (scripts/build-gitea.sh, or
# DROVER_GITEA_BUILD=1); only e2e and .ci/run build it.
test: test-unit fuzz

test-unit:
	@mkdir -p $(CACHE)
	$(GO) tool gotestsum --format pkgname --jsonfile $(CACHE)/test.json -- -count=1 ./...
	@bash scripts/test-summary.sh $(CACHE)/test.json

# Each fuzz target runs briefly; a finding fails the run.
FUZZ_TIME ?= 20000x
fuzz:
	@for target in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r dirname | sort -u); do \
		for fn in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$target/*_test.go | cut -d' ' -f2); do \
			echo "fuzz $$target $$fn ($(FUZZ_TIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_TIME) $$target || exit 1; \
		done; \
	done

# Figures as "BENCH <name> <value> <unit>" lines first, then the details.
bench:
	@mkdir -p $(CACHE)
	@$(GO) test -p 1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./... > $(CACHE)/bench.out 2>&1; status=$$?; \
		grep '^BENCH ' $(CACHE)/bench.out; echo; echo "--- details"; grep -v '^BENCH ' $(CACHE)/bench.out; exit $$status

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) tool revive -config revive.toml -set_exit_status ./core/... ./sdk/...
	$(GO) run ./internal/tools/methodcount ./...

proto:
	bash sdk/proto/gen.sh

# The end-to-end suite: a real Gitea (cached under ~/.cache/drover, built
# on first use), Drover with the Gitea plugin binary and the local engine.
# In CI a missing Gitea fails it; locally the tests skip saying how to enable them.
# The web UI's browser tests (server/web, headless Chromium) run here too.
e2e:
	DROVER_E2E=1 $(GO) test -count=1 -timeout 20m ./e2e/... ./server/web/

# The container images drover-server and drover-runner (:$(VERSION) and
# :latest), FROM scratch, from binaries built here; nothing is pulled.
images:
	VERSION=$(VERSION) bash scripts/images.sh

# Every binary for linux, darwin and windows on amd64 and arm64 in dist/,
# with dist/SHA256SUMS.
release:
	VERSION=$(VERSION) bash scripts/release.sh

clean:
	rm -rf $(BIN) $(CACHE) dist

# Gatehouse developer commands. `make test` is what CI runs (via .ci/run).

GO        ?= go
# A count, not a duration: a duration that runs out while a worker is busy
# fails the run with "context deadline exceeded".
FUZZTIME  ?= 20000x
# package:FuzzTarget pairs run briefly by `make fuzz`.
FUZZ_TARGETS := \
	./internal/oauth:FuzzMatchRedirect \
	./internal/oauth:FuzzCompilePattern \
	./internal/authorize:FuzzParseRequest \
	./internal/oauth:FuzzParseClientCredentials \
	./internal/oauth:FuzzAppendJSONString \
	./internal/tokenapi:FuzzParseForm \
	./internal/web:FuzzCSRFValid \
	./internal/session:FuzzReturnPath \
	./resource:FuzzBearerHeader

.PHONY: run build test vet lint unit sdk fuzz browser bench clean

run: ## the demo: Gatehouse, the demo API and the sample app, seeded (./gatehouse-dev.db)
	$(GO) run ./cmd/gatehouse dev

build:
	$(GO) build -o bin/gatehouse ./cmd/gatehouse

test: vet lint unit sdk fuzz browser ## everything CI checks

vet:
	$(GO) vet ./...

lint:
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -race -count=1 -timeout=30m ./...

# The browser SDK's unit tests (Node 20+; the SDK has no npm dependencies).
sdk:
	node --test sdk/js/test/

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

# The README walkthrough in headless Chromium (e2e/browser/README.md).
# Needs /usr/bin/chromium: apt-get install -y chromium.
browser: build e2e/browser/node_modules
	GATEHOUSE_BIN=$(CURDIR)/bin/gatehouse npm test --prefix e2e/browser

e2e/browser/node_modules: e2e/browser/package.json e2e/browser/package-lock.json
	npm ci --prefix e2e/browser
	@touch $@

# Micro-benchmarks of the hot paths, then a short end-to-end load run
# against a freshly started server (scripts/bench-e2e.sh; BENCHMARKS.md).
BENCH_PKGS := ./internal/secret ./internal/token ./internal/oauth ./resource ./internal/storage/sqlite ./internal/storage/postgres
bench: build
	$(GO) build -o bin/gatehouse-load ./cmd/gatehouse-load
	$(GO) test -run='^$$' -bench=. -benchmem $(BENCH_PKGS)
	BIN=bin ./scripts/bench-e2e.sh

clean:
	rm -rf bin

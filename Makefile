# coopnode: `make run` runs the product, `make test` runs every test.
# Both install what they need on Debian first (build/setup-debian.sh).

GO      ?= go
BIN     := coopnode
DESKTOP := build/bin/coopnode
E2E_OUT ?= out/e2e
export CGO_ENABLED := 1

WAILS   := $(shell $(GO) env GOPATH)/bin/wails

.PHONY: bench bench-refcoop bench-open wails-check run test setup setup-run frontend build desktop bindings vet fmt-check unit e2e fuzz clean

run: setup-run frontend
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(GO) build -tags desktop,production -o $(DESKTOP) . && exec ./$(DESKTOP); \
	else \
	  echo "No display here: serving the same UI to your browser instead."; \
	  $(GO) build -o $(BIN) . && exec ./$(BIN) serve; \
	fi

test: setup frontend vet fmt-check unit desktop build e2e wails-check
	@echo "All tests passed."

setup:
	build/setup-debian.sh test
setup-run:
	build/setup-debian.sh run

frontend/node_modules: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: frontend/node_modules
	cd frontend && npm run build

build:
	$(GO) build -o $(BIN) .

desktop:
	$(GO) build -tags desktop,production -ldflags "-w -s" -o $(DESKTOP) .

$(WAILS):
	$(GO) install github.com/wailsapp/wails/v2/cmd/wails@v2.12.0

# Regenerate frontend/wailsjs from app.App.
bindings: $(WAILS)
	$(WAILS) generate module

# `wails generate module` and `wails build` keep working, and the committed bindings match the Go API.
wails-check: bindings
	@git diff --exit-code -- frontend/wailsjs || { echo "frontend/wailsjs is stale: run 'make bindings' and commit it"; exit 1; }
	$(WAILS) build -s -o coopnode-wails
	@test -x build/bin/coopnode-wails && rm build/bin/coopnode-wails

vet:
	$(GO) vet ./...
	$(GO) vet -tags desktop,production ./...
	$(GO) vet -tags e2e ./app
	$(GO) vet -tags bindings ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 ./...

# The real binaries: a window under Xvfb (xdotool, screenshot) and the served UI in Chromium (Playwright).
e2e: build desktop
	cd frontend && CI=1 node --test e2e/ui-flows.test.mjs
	COOPNODE_BIN=$(CURDIR)/$(BIN) COOPNODE_DESKTOP_BIN=$(CURDIR)/$(DESKTOP) COOPNODE_E2E_OUT=$(CURDIR)/$(E2E_OUT) \
	  $(GO) test -tags e2e -count=1 -v -run 'TestWindow|TestBrowser|TestThreeServes' ./app
	@echo "screenshots in $(E2E_OUT)/"

# Longer fuzzing of every decoder of outside input (not part of `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./node/record -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/record -run '^$$' -fuzz '^FuzzDecodeDSSE$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/record -run '^$$' -fuzz '^FuzzVerifyAsStdlib$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/consent -run '^$$' -fuzz '^FuzzParseDuration$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/bundle -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME)
	$(GO) test ./sync/recon -run '^$$' -fuzz '^FuzzStep$$' -fuzztime $(FUZZTIME)
	$(GO) test ./sync/invite -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./sync/replicate -run '^$$' -fuzz '^FuzzFrames$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/tally -run '^$$' -fuzz '^FuzzCount$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/coop -run '^$$' -fuzz '^FuzzGovernanceBodies$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/coop -run '^$$' -fuzz '^FuzzConsentBodies$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/coop -run '^$$' -fuzz '^FuzzDeviceCertificate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/coop -run '^$$' -fuzz '^FuzzCloses$$' -fuzztime $(FUZZTIME)
	$(GO) test ./node/vault -run '^$$' -fuzz '^FuzzOpen$$' -fuzztime $(FUZZTIME)

# Benchmarks, run and reported (not part of `make test`).
BENCH_RECORDS ?= 200000
BENCH_BALLOTS ?= 200000
BENCH_RECEIPTS ?= 200000
bench:
	$(GO) test -run '^$$' -bench . -benchtime 10x ./sync/recon
	$(GO) test -run '^$$' -bench 'Fold$$|Reaches' ./node/coop
	$(GO) test ./node/coop -run '^$$' -bench FoldBallots -benchtime 2x -timeout 60m -bench-ballots $(BENCH_BALLOTS)
	$(GO) test -run '^$$' -bench . -benchtime 20x ./node/tally
	$(GO) test ./node/coop -run '^$$' -bench 'Consent' -benchtime 3x -benchmem -timeout 60m -bench-receipts $(BENCH_RECEIPTS)
	COOPNODE_BENCH_RECORDS=$(BENCH_RECORDS) $(GO) test -run '^$$' -bench VerifyVsEd25519 -benchtime 3x -timeout 60m ./node/verify
	$(GO) test -run '^$$' -bench Propagation20 -benchtime 50x ./sync/replicate
	COOPNODE_BENCH_RECORDS=$(BENCH_RECORDS) $(GO) test -run '^$$' -bench FirstSync -benchtime 1x -timeout 60m ./sync/replicate

# DESIGN's reference co-op, generated once through the node's API into
# $(REF_DIR) (REF_SCALE=0.1 for a tenth), checked by `coopnode verify`
# before anything is measured; then verify's throughput against raw Ed25519,
# the cost of one new ballot and receipt against a full fold, a new member's
# first sync of it over loopback, and a cold
# start of `coopnode serve` on it (time to API-ready, RSS).
REF_DIR   ?= out/refcoop
REF_SCALE ?= 1
bench-refcoop: build
	@if [ ! -f $(REF_DIR)/ref.bundle ]; then \
	  rm -rf $(REF_DIR) && mkdir -p $(REF_DIR) && \
	  COOPNODE_PASSPHRASE=bench /usr/bin/time -f "generated in %e s, peak RSS %M KiB" ./$(BIN) refcoop --home $(REF_DIR)/home --scale $(REF_SCALE) --bundle $(REF_DIR)/ref.bundle; \
	fi
	./$(BIN) verify $(REF_DIR)/ref.bundle > $(REF_DIR)/verify.txt && head -4 $(REF_DIR)/verify.txt
	COOPNODE_BENCH_BUNDLE=$(CURDIR)/$(REF_DIR)/ref.bundle $(GO) test -run '^$$' -bench VerifyVsEd25519 -benchtime 3x -timeout 60m ./node/verify
	$(GO) test ./node/coop -run '^$$' -bench 'Write' -benchtime 10x -timeout 60m -bench-ballots $(BENCH_BALLOTS) -bench-receipts $(BENCH_RECEIPTS)
	COOPNODE_BENCH_HOME=$(CURDIR)/$(REF_DIR)/home COOPNODE_BENCH_PASS=bench $(GO) test -run '^$$' -bench FirstSync -benchtime 1x -timeout 60m ./sync/replicate
	COOPNODE_PASSPHRASE=bench build/bench-coldstart.sh ./$(BIN) $(REF_DIR)/home 3
	$(MAKE) bench-open

# node.Open alone on the reference co-op's home (after bench-refcoop): time to an
# open node, its first state digest, the heap it keeps, peak RSS. OPEN_HEAP=FILE
# also writes a heap profile of the open node.
bench-open:
	COOPNODE_PASSPHRASE=bench $(GO) test ./node -run '^$$' -bench OpenReference -benchtime 3x -ref-home $(abspath $(REF_DIR)/home) $(if $(OPEN_HEAP),-open-heap $(OPEN_HEAP))

clean:
	rm -rf $(BIN) build/bin out

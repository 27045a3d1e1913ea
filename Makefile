# trustbot: `make test` runs every test and staticcheck (pinned in go.mod as a tool); `make gas` prints the contracts' gas figures.
SHELL := /bin/bash
FORGE := contracts/node_modules/.bin/forge
# Tests whose gas is recorded in contracts/.gas-snapshot: every deterministic test, as isolated transactions.
SNAPSHOT_ARGS := --isolate --no-match-test '^(testFuzz|invariant)'

.PHONY: test setup contracts-test go-test bindings-check artifacts gas snapshot fuzz memory

test: setup contracts-test go-test

setup:
	@./scripts/setup.sh

# forge unit, fuzz and invariant tests; the gas snapshot (1% tolerance) and the gas floors; committed artifacts match the build.
contracts-test:
	cd contracts && ../$(FORGE) build
	cd contracts && node script/export-artifacts.js --check
	cd contracts && ../$(FORGE) test
	cd contracts && ../$(FORGE) snapshot $(SNAPSHOT_ARGS) --snap cache/fresh.gas-snapshot >/dev/null
	cd contracts && node script/check-snapshot.js .gas-snapshot cache/fresh.gas-snapshot 1
	cd contracts && ./gas.sh --floors

# The store's and the indexer's tests, and the playground kill points, run a second time against a
# real PostgreSQL server (internal/pgtest starts a throwaway one): one suite for both databases.
go-test: bindings-check
	go vet ./...
	go tool staticcheck ./...
	go test ./...
	TRUSTBOT_STORE=postgres go test ./store/... ./index/...
	TRUSTBOT_STORE=postgres go test -run '^TestKillDuringSigning$$' ./cmd/trustbot/

# Regenerating the bindings from contracts/artifacts must change nothing.
bindings-check:
	@before=$$(cat chain/bindings/*.go | sha256sum); go generate ./chain/bindings; \
	after=$$(cat chain/bindings/*.go | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "chain/bindings was stale and has been regenerated: commit it" >&2; exit 1; fi

# After changing contracts/src: rebuild, export artifacts, regenerate bindings, re-record gas.
artifacts:
	cd contracts && ../$(FORGE) build && node script/export-artifacts.js
	go generate ./chain/bindings

snapshot:
	cd contracts && ../$(FORGE) snapshot $(SNAPSHOT_ARGS)

gas:
	@contracts/gas.sh --floors

# Run every Go fuzz target for FUZZTIME each (make test runs only their seeds).
FUZZTIME ?= 30s
fuzz:
	go test . -run '^$$' -fuzz '^FuzzParseAmount$$' -fuzztime $(FUZZTIME)
	go test ./console/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	go test ./web/siwe/ -run '^$$' -fuzz '^FuzzParseSIWE$$' -fuzztime $(FUZZTIME)
	go test ./bot/ -run '^$$' -fuzz '^FuzzInteraction$$' -fuzztime $(FUZZTIME)
	go test ./web/ -run '^$$' -fuzz '^FuzzSigningTxJSON$$' -fuzztime $(FUZZTIME)
	go test ./ledger/ -run '^$$' -fuzz '^FuzzShares$$' -fuzztime $(FUZZTIME)

# Memory figures of RELIABILITY.md: the Discord deployment build idle (fails above 60 MB), the dev
# chain alone, and the playground after the trip story.
memory:
	TRUSTBOT_RSS_LIMIT_MB=60 go test -count=1 -run '^TestBinaryOnDiscord$$' -v ./cmd/trustbot/
	go test -run '^$$' -bench BenchmarkDevChainPeakRSS -benchtime 1x ./chain/devchain/
	./scripts/measure-rss.sh

# Everyday targets. The README explains each.
PG_URL    ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: dev test test-all lint bench build

dev:
	go run ./cmd/plateau dev

build:
	CGO_ENABLED=0 go build -trimpath -o bin/plateau ./cmd/plateau

test:
	go test ./...

# Against real PostgreSQL and Redis (and Chromium when PLATEAU_TEST_CHROMIUM
# names it), failing rather than skipping when one is missing.
test-all:
	PLATEAU_TEST_POSTGRES_URL='$(PG_URL)' PLATEAU_TEST_REDIS_URL='$(REDIS_URL)' \
	PLATEAU_TEST_REQUIRE=postgres,redis go test -count=1 ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed: go install honnef.co/go/tools/cmd/staticcheck@latest"; fi

bench:
	go test -run '^$$' -bench . -benchmem ./...

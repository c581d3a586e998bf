#!/usr/bin/env bash
# Runs the project's checks and tests: installs the ONNX Runtime library the
# tests load (idempotent, fast when present), then vet, a cgo-free build, and
# the race-enabled test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-ort.sh >/dev/null
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
go vet ./...
CGO_ENABLED=0 go build ./...
go test -race -timeout 20m ./...

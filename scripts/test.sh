#!/usr/bin/env bash
# Runs the project's checks and tests, as CI does (.ci/run calls this):
#   - installs the ONNX Runtime library the tests load (fast when present);
#   - in CI (CI set), or when MODELREG_S3=1, builds (once, cached) and starts
#     a SeaweedFS S3 server on loopback for the object-store tests; likewise
#     Azurite (MODELREG_AZURE=1; installed once with npm) and fake-gcs-server
#     (MODELREG_GCS=1; installed once with go install) for the Azure and GCS
#     ones; elsewhere those tests skip and say how to run them;
#   - gofmt, vet, a cgo-free build, and the race-enabled test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-ort.sh >/dev/null
# The installer's tests read onnxruntime-node's real tarball from npm's cache (install-ort.sh leaves it there when it
# downloads; a library installed before may have come without it).
if [ -n "${CI:-}" ]; then
	npm cache add onnxruntime-node@1.30.0 >/dev/null
fi

stops=()
stop_emulators() {
	local s
	for s in "${stops[@]}"; do
		"$s" stop >/dev/null 2>&1 || true
	done
}
trap stop_emulators EXIT
# start_emulator starts the emulator of script $1 when CI is set or the
# variable named $2 is 1, and exports its settings.
start_emulator() {
	local want=${!2:-}
	if [ -n "${CI:-}" ] || [ "$want" = 1 ]; then
		local env
		env=$("$1" start)
		eval "$env"
		stops+=("$1")
	fi
}
start_emulator ./scripts/seaweedfs.sh MODELREG_S3
start_emulator ./scripts/azurite.sh MODELREG_AZURE
start_emulator ./scripts/fakegcs.sh MODELREG_GCS
start_emulator ./scripts/distribution.sh MODELREG_OCI

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
go vet ./...
CGO_ENABLED=0 go build ./...
# Only loader/ and loader/ort may load native code; the registry links no cloud SDK.
if go list -deps ./registry/ ./deploy ./detect ./weights | grep -E 'purego|gocloud\.dev|google\.golang\.org/api|oras\.land'; then
	echo "registry, deploy, detect or weights depend on native-code, cloud or OCI client packages (above)" >&2
	exit 1
fi
# Only programs that import the catalog embed its models.
if go list -deps ./deploy ./detect/... ./registry/... | grep -E 'modelreg/catalog$'; then
	echo "deploy, detect or registry link the bundled catalog (above)" >&2
	exit 1
fi
# weights is a leaf: it checks model bytes without linking the registry.
if go list -deps ./weights | grep -E 'modelreg/registry'; then
	echo "weights depends on the registry (above)" >&2
	exit 1
fi
go test -race -timeout 30m ./...
# Without -race (its file is built only then): 2500 load/Close cycles of a model in one process.
go test -count=1 -timeout 10m -run '^TestCallbackLeakLoadCycles$' ./detect/ortdetect
# Without -race too (it unpacks 113 MB): the Go-native installer on the real onnxruntime-node tarball in npm's
# cache.
go test -count=1 -run '^TestRuntimeRealNPMTarball$' ./loader/install

#!/usr/bin/env bash
# Long reliability runs, not in CI (issue 8): each fuzz target for
# $FUZZTIME (default 60s), the load test for $MODELREG_LOAD_SECONDS (default
# 60) under -race, the load/Close cycle test for $MODELREG_LOAD_CYCLES
# (default 10000) cycles without -race, the crash-safety trials
# ($MODELREG_CRASH_TRIALS, default 100, each a child process killed with
# SIGKILL mid-download, mid-extraction or mid-manifest-write), the
# multi-process churn test, then the hostile-input, bad-input and secrets
# suites.
# A fuzz failure leaves its input under the package's testdata/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-60s}
targets=(
	"./registry FuzzManifest"
	"./registry FuzzParseRef"
	"./detect FuzzUnmarshalETA"
	"./detect FuzzDecodeImage"
	"./detect/preprocess FuzzRun"
	"./detect/internal/jpegscale FuzzDecode"
	"./detect/ortdetect FuzzFoldableModel"
)
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "== fuzz $name ($pkg) for $fuzztime"
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" 2>&1 | tail -n 3
done

secs=${MODELREG_LOAD_SECONDS:-60}
echo "== load: 8 goroutines on one model (2 sessions) for ${secs} s under -race"
MODELREG_LOAD_SECONDS=$secs go test -race -count=1 -v -timeout 30m -run '^TestLoad' ./detect/ortdetect |
	grep -E '^(--- |ok|FAIL)|load:|RSS|ErrClosed'

cycles=${MODELREG_LOAD_CYCLES:-10000}
echo "== load cycles: ${cycles} load/Close cycles of one model in one process (fds, goroutines, RSS)"
MODELREG_LOAD_CYCLES=$cycles go test -count=1 -v -timeout 60m -run '^TestCallbackLeakLoadCycles$' ./detect/ortdetect |
	grep -E '^(--- |ok|FAIL)|load cycles:'

echo "== hostile servers, manifests and archives; bad inputs; secrets"
go test -race -count=1 -timeout 30m \
	-run 'Hostile|Redirect|Secret|DuplicateNames|DecodeImage|BadImages|BadFiles|CMYK|Contexts' \
	./registry ./registry/gdrivemanager ./detect ./detect/ortdetect

trials=${MODELREG_CRASH_TRIALS:-100}
echo "== crash safety: ${trials} SIGKILL trials; multi-process churn"
MODELREG_CRASH_TRIALS=$trials go test -race -count=1 -v -timeout 30m -run '^(TestCrashSafety|TestMultiProcessChurn)$' ./registry |
	grep -E '^(--- |ok|FAIL)|crash safety:|concurrency:'

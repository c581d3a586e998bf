#!/usr/bin/env bash
# bench.sh reruns the benchmarks of issue 7 (§1–8) and writes the raw
# output, benchstat summaries and the Node.js comparison to OUT.
#
# Usage: scripts/bench.sh            (or: make bench)
#
# Environment:
#   COUNT   -count of every Go benchmark and timed Node.js passes (default 10)
#   OUT     output directory (default: a new temporary directory)
#   NODE    set to 0 to skip the Node.js comparison (default 1)
#   FLOOR   set to 0 to skip scripts/bench-floor.sh (whole processes against
#           the runtime's floor, one core and all, and the batch)
#   DOWNLOAD_SIZE  size of the §7 download (default 1GiB; 0 skips §7); it
#           needs twice that much free space in the temporary directory
#
# Needs the ONNX Runtime library (scripts/install-ort.sh); the ORT benchmarks
# skip without it. The Node.js comparison needs node and npm; it installs
# bench/node's pinned dependencies with ONNXRUNTIME_NODE_INSTALL=skip (the
# CPU library is bundled in the npm package). Timings are noisy on shared
# machines: compare ratios within one run, and read the load averages that
# the script prints.
set -euo pipefail

cd "$(dirname "$0")/.."
COUNT="${COUNT:-10}"
OUT="${OUT:-$(mktemp -d -t modelreg-bench.XXXXXX)}"
NODE="${NODE:-1}"
mkdir -p "$OUT"
benchstat() { go run golang.org/x/perf/cmd/benchstat@latest "$@"; }
gobench() { # name, package, bench regexp, benchtime
	echo "== $1 (load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime))" | tee -a "$OUT/summary.txt"
	go test -run '^$' -bench "$3" -benchtime "$4" -count "$COUNT" -timeout 60m "$2" | tee "$OUT/$1.txt"
	benchstat "$OUT/$1.txt" >>"$OUT/summary.txt" 2>&1 || true
}

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs), $(nproc 2>/dev/null) CPUs"
	echo "go: $(go version)"
	echo "node: $(node --version 2>/dev/null || echo none)"
	echo "count: $COUNT"
} | tee "$OUT/summary.txt"

# §1 overhead split (and §6 graph optimisation levels, threads).
gobench split ./bench/ '^BenchmarkDetectSplit$' 40x
gobench preprocess ./detect/preprocess/ '^BenchmarkPreprocess' 100x
gobench decode-nms ./detect/ '^BenchmarkDecodeNMS' 2000x
gobench ort-options ./bench/ '^BenchmarkORTOptions$' 30x
# §2 allocations and §3 concurrency.
gobench detect ./bench/ '^BenchmarkDetect$' 30x
gobench parallel ./bench/ '^BenchmarkDetectParallel$' 60x
# §6 cold start (fresh processes) and §8 registry scale.
gobench coldstart ./bench/ '^BenchmarkColdStart$' 3x
gobench registry ./bench/ '^BenchmarkRegistry$' 10x

# §7 downloads: engine vs curl + sha256 alternating in one process (10
# pairs), then parallel parts, single stream and resume.
DOWNLOAD_SIZE="${DOWNLOAD_SIZE:-1GiB}"
if [ "$DOWNLOAD_SIZE" != 0 ]; then
	COUNT=1 MODELS_BENCH_DOWNLOAD_SIZE="$DOWNLOAD_SIZE" gobench download-paired ./bench/ '^BenchmarkDownloadPaired$' 10x
	COUNT=1 MODELS_BENCH_DOWNLOAD_SIZE="$DOWNLOAD_SIZE" gobench download ./bench/ '^BenchmarkDownload$' 3x
fi

# §5 versus Node.js: Go and Node alternate, COUNT passes over the eight photos each.
if [ "$NODE" != 0 ] && command -v node >/dev/null; then
	if [ ! -d bench/node/node_modules/onnxruntime-node ]; then
		(cd bench/node && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
	fi
	: >"$OUT/e2e-go.txt"
	: >"$OUT/e2e-node.jsonl"
	echo "== e2e (load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime))" | tee -a "$OUT/summary.txt"
	for _ in 1 2; do
		go test -run '^$' -bench '^BenchmarkEndToEnd$' -benchtime 1x -count "$((COUNT / 2 > 0 ? COUNT / 2 : 1))" ./bench/ | tee -a "$OUT/e2e-go.txt"
		node bench/node/bench.js -runs "$((COUNT / 2 > 0 ? COUNT / 2 : 1))" -json | tee -a "$OUT/e2e-node.jsonl"
	done
	benchstat "$OUT/e2e-go.txt" >>"$OUT/summary.txt" 2>&1 || true
	cat "$OUT/e2e-node.jsonl" >>"$OUT/summary.txt"
fi
# Whole processes against the runtime's floor (bench/cmd/floor), on one core
# and on all, with Node.js + sharp, and the batch over every core.
if [ "${FLOOR:-1}" != 0 ]; then
	N="$COUNT" OUT="$OUT" NODE="$NODE" scripts/bench-floor.sh
	cat "$OUT/floor.md" >>"$OUT/summary.txt"
fi
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)" | tee -a "$OUT/summary.txt"
echo "results in $OUT (summary.txt)"

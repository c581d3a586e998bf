#!/usr/bin/env bash
# bench-floor.sh times whole processes side by side, alternating, and writes
# one Markdown table per setting to OUT/floor.md:
#
#   floor         bench/cmd/floor: load ONNX Runtime, create the session,
#                 8 runs on a ready tensor (nothing a detector can skip)
#   detect-image  examples/detect-image -json over the eight test photos
#                 (one session), file -> detections
#   node-sharp    bench/node/e2e.js -decoder sharp: Node.js, sharp (libvips)
#                 and onnxruntime-node
#   node-js       bench/node/e2e.js -decoder js: jpeg-js/pngjs, the reference
#                 pipeline of bench.js
#
# on one core (taskset -c 0) and on all, then a batch of BATCH photos (the
# eight, repeated) on all cores: detect-image with its default sessions
# (one per core) against one session and the floor running BATCH times.
#
# Usage: scripts/bench-floor.sh   (scripts/bench.sh runs it too)
#
# Environment:
#   N       alternating rounds per table (default 7; the medians are of N)
#   OUT     output directory (default: a new temporary directory)
#   NODE    0 skips the Node.js rows (default 1); they need node and npm
#   BATCH   photos in the batch directory (default 200; 0 skips the batch)
#   MODEL   yolox (default) or picodet
#
# CPU time (user + system, from getrusage) and the per-round ratios hold
# up on a loaded machine better than wall time; the load average is
# printed with each table.
set -euo pipefail

cd "$(dirname "$0")/.."
N="${N:-7}"
OUT="${OUT:-$(mktemp -d -t modelreg-floor.XXXXXX)}"
NODE="${NODE:-1}"
BATCH="${BATCH:-200}"
MODEL="${MODEL:-yolox}"
. scripts/lib/bench.sh
build_bench
report="$OUT/floor.md"

floor="floor=$bin/floor -model $onnx"
detect="detect-image=$bin/detect-image -json -model $name -sessions 1 $photos"
cmds=("$floor" "$detect")
if [ "$NODE" != 0 ] && command -v node >/dev/null; then
	if [ ! -d bench/node/node_modules/sharp ]; then
		(cd bench/node && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
	fi
	cmds+=("node-sharp=node bench/node/e2e.js -decoder sharp -model $MODEL $photos"
		"node-js=node bench/node/e2e.js -decoder js -model $MODEL $photos")
fi

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs); $(nproc) CPUs"
	echo "$(go version); node $(node --version 2>/dev/null || echo none); model $name; $N rounds"
	echo
} | tee "$report"

taskset -c 0 "$bin/alternate" -n "$N" -title "### Eight photos, one core (taskset -c 0); load $(load)" "${cmds[@]}" | tee -a "$report"
echo | tee -a "$report"
"$bin/alternate" -n "$N" -title "### Eight photos, all $(nproc) cores; load $(load)" "${cmds[@]}" | tee -a "$report"
echo | tee -a "$report"

# The batch: the eight photos repeated to BATCH files.
if [ "$BATCH" != 0 ]; then
	dir="$OUT/batch"
	batch_dir "$dir" "$BATCH"
	"$bin/detect-image" -json -model "$name" -sessions 1 "$dir" >"$OUT/batch-one-session.jsonl"
	"$bin/detect-image" -json -model "$name" "$dir" >"$OUT/batch-default.jsonl"
	if cmp -s "$OUT/batch-one-session.jsonl" "$OUT/batch-default.jsonl"; then
		same="the same detections as one session"
	else
		same="DIFFERENT detections from one session: see $OUT/batch-*.jsonl"
	fi
	"$bin/alternate" -n "$N" -items "$BATCH" \
		-title "### $BATCH photos, all $(nproc) cores ($same); load $(load)" \
		"floor=$bin/floor -model $onnx -runs $BATCH" \
		"detect-image=$bin/detect-image -json -model $name $dir" \
		"detect-image-1-session=$bin/detect-image -json -model $name -sessions 1 $dir" | tee -a "$report"
fi
echo "load at the end: $(load)" | tee -a "$report"
echo "results in $report"

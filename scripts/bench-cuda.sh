#!/usr/bin/env bash
# bench-cuda.sh reruns the whole-process figures of scripts/bench-floor.sh
# with ONNX Runtime's CUDA execution provider: the floor (bench/cmd/floor
# -providers cuda) against examples/detect-image -json -providers cuda over
# the eight photos, and a batch of BATCH photos (the eight, repeated), where
# detect-image keeps one GPU session and decodes on every core. It writes
# OUT/cuda.md.
#
# Usage: scripts/bench-cuda.sh   (on a Linux x64 machine with an NVIDIA GPU)
#
# The ONNX Runtime GPU libraries come from npm, as the Unity packages
# com.github.asus4.onnxruntime@0.4.9 (libonnxruntime.so, ONNX Runtime
# 1.29.0) and com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (the CUDA and
# TensorRT provider libraries), fetched with `npm pack` (which checks their
# registry integrity) into ORT_GPU_DIR. The CUDA provider also needs the
# NVIDIA driver (libcuda.so.1) and the CUDA 13 runtime, cuBLAS/cuBLASLt and
# cuRAND libraries on the loader's path (LD_LIBRARY_PATH; `ldd
# ORT_GPU_DIR/libonnxruntime_providers_cuda.so` lists what is missing); the
# script stops when the session does not get the CUDA provider.
#
# Environment:
#   N            alternating rounds per table (default 7)
#   OUT          output directory (default: a new temporary directory)
#   BATCH        photos in the batch directory (default 200)
#   ORT_GPU_DIR  where the GPU libraries are (or go; default OUT/ort-gpu)
#   MODEL        yolox (default) or picodet
set -euo pipefail

cd "$(dirname "$0")/.."
N="${N:-7}"
OUT="${OUT:-$(mktemp -d -t modelreg-cuda.XXXXXX)}"
BATCH="${BATCH:-200}"
ORT_GPU_DIR="${ORT_GPU_DIR:-$OUT/ort-gpu}"
MODEL="${MODEL:-yolox}"
readonly PKG_VERSION=0.4.9
. scripts/lib/bench.sh
die() { echo "bench-cuda: $*" >&2; exit 1; }

if [ ! -f "$ORT_GPU_DIR/libonnxruntime.so" ] || [ ! -f "$ORT_GPU_DIR/libonnxruntime_providers_cuda.so" ]; then
	command -v npm >/dev/null || die "npm is needed to fetch the GPU libraries (or set ORT_GPU_DIR)"
	pack="$OUT/npm"
	mkdir -p "$pack/x" "$ORT_GPU_DIR"
	(cd "$pack" && npm pack --silent "com.github.asus4.onnxruntime@$PKG_VERSION" \
		"com.github.asus4.onnxruntime.linux-x64-gpu@$PKG_VERSION" >/dev/null)
	for t in "$pack"/*.tgz; do
		tar -xzf "$t" -C "$pack/x" --wildcards 'package/Plugins/Linux/x64/*.so'
	done
	cp "$pack"/x/package/Plugins/Linux/x64/*.so "$ORT_GPU_DIR"/
	rm -rf "$pack"
fi
export ONNXRUNTIME_SHARED_LIBRARY_PATH="$ORT_GPU_DIR/libonnxruntime.so"

build_bench
session=$("$bin/floor" -model "$onnx" -runs 1 -providers cuda -v 2>&1 | grep '^session' || true)
case "$session" in
*CUDAExecutionProvider*) ;;
*) die "the session did not get the CUDA provider (${session:-no session}); see ldd $ORT_GPU_DIR/libonnxruntime_providers_cuda.so" ;;
esac

report="$OUT/cuda.md"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -srm); $(nproc) CPUs; $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
	echo "$(go version); $ONNXRUNTIME_SHARED_LIBRARY_PATH ($session); model $name; $N rounds"
	echo
} | tee "$report"

"$bin/alternate" -n "$N" -title "### Eight photos, CUDA, all $(nproc) cores; load $(load)" \
	"floor=$bin/floor -model $onnx -providers cuda" \
	"detect-image=$bin/detect-image -json -model $name -providers cuda -sessions 1 $photos" | tee -a "$report"
echo | tee -a "$report"

dir="$OUT/batch"
batch_dir "$dir" "$BATCH"
"$bin/detect-image" -json -model "$name" -providers cuda -sessions 1 -workers 2 "$dir" >"$OUT/batch-one-worker.jsonl"
"$bin/detect-image" -json -model "$name" -providers cuda "$dir" >"$OUT/batch-default.jsonl"
if cmp -s "$OUT/batch-one-worker.jsonl" "$OUT/batch-default.jsonl"; then
	same="the same detections with every core decoding"
else
	same="DIFFERENT detections with every core decoding: see $OUT/batch-*.jsonl"
fi
"$bin/alternate" -n "$N" -items "$BATCH" \
	-title "### $BATCH photos, CUDA, all $(nproc) cores ($same); load $(load)" \
	"floor=$bin/floor -model $onnx -providers cuda -runs $BATCH" \
	"detect-image=$bin/detect-image -json -model $name -providers cuda $dir" \
	"detect-image-2-workers=$bin/detect-image -json -model $name -providers cuda -sessions 1 -workers 2 $dir" \
	"detect-image-2-sessions=$bin/detect-image -json -model $name -providers cuda -sessions 2 $dir" | tee -a "$report"
echo "load at the end: $(load)" | tee -a "$report"
echo "results in $report"

#!/usr/bin/env bash
# loadtest-gpu.sh runs scripts/loadtest.sh with ONNX Runtime's CUDA
# execution provider: it fetches the GPU build of ONNX Runtime from npm
# (com.github.asus4.onnxruntime and com.github.asus4.onnxruntime.linux-x64-gpu,
# pinned below; the first holds the C API headers and the managed parts,
# the second the Linux x64 libraries with the CUDA provider), points the
# loader at its libonnxruntime.so, and runs the load test with
# PROVIDERS=cuda,cpu. Not run in CI: it needs an NVIDIA GPU, its driver,
# and the CUDA and cuDNN runtime libraries that this ONNX Runtime build
# was linked against on the library path.
#
# Usage: scripts/loadtest-gpu.sh      (environment as for scripts/loadtest.sh)
#
#   ORT_GPU_CACHE  where the npm packages are unpacked (default
#                  ~/.cache/modelreg/onnxruntime-gpu-npm/VERSION)
#
# The sessions default to 2 with an accelerator (deploy.DefaultSessions):
# SESSIONS defaults here to "1 0", the same comparison as on the CPU.
set -euo pipefail

cd "$(dirname "$0")/.."
VERSION=0.4.9
PACKAGES=(com.github.asus4.onnxruntime com.github.asus4.onnxruntime.linux-x64-gpu)
cache="${ORT_GPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/onnxruntime-gpu-npm/$VERSION}"

command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "warning: nvidia-smi not found; the CUDA provider may be unavailable" >&2
if [ ! -f "$cache/.complete" ]; then
	command -v npm >/dev/null || { echo "npm is needed to fetch ${PACKAGES[*]}" >&2; exit 1; }
	rm -rf "$cache" && mkdir -p "$cache"
	for p in "${PACKAGES[@]}"; do
		tgz=$(cd "$cache" && npm pack --silent "$p@$VERSION" | tail -1)
		mkdir -p "$cache/$p"
		tar -xzf "$cache/$tgz" -C "$cache/$p"
		rm -f "$cache/$tgz"
	done
	touch "$cache/.complete"
fi
lib=$(find "$cache/com.github.asus4.onnxruntime.linux-x64-gpu" -name 'libonnxruntime.so*' -type f | sort | head -1)
[ -n "$lib" ] || { echo "no libonnxruntime.so in $cache/com.github.asus4.onnxruntime.linux-x64-gpu" >&2; exit 1; }
libdir=$(dirname "$lib")
echo "ONNX Runtime GPU library: $lib"
ls "$libdir"
# The CUDA provider (libonnxruntime_providers_cuda.so) is loaded from the
# library's directory; LD_LIBRARY_PATH also lets it find its neighbours.
export ONNXRUNTIME_SHARED_LIBRARY_PATH="$lib"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
PROVIDERS="${PROVIDERS:-cuda,cpu}" exec scripts/loadtest.sh

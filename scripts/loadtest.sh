#!/usr/bin/env bash
# loadtest.sh measures examples/detect-server on loopback with
# bench/loadtest: CLIENTS clients post the eight test photos for DURATION
# while version 2 of the model is published half-way, once per entry of
# SESSIONS (1 session, then the default: one per CPU). Each run prints
# requests, errors (must be 0), p50/p99, req/s, the server's RSS at start
# and end, and the version switch; the script fails if a run had an error
# or did not switch.
#
# Usage: scripts/loadtest.sh            (or: make loadtest)
#
# Environment:
#   CLIENTS    concurrent clients (default 8)
#   DURATION   length of each run (default 60s)
#   SESSIONS   the -sessions of each run, space-separated; 0 is the default
#              rule (default "1 0")
#   PROVIDERS  the server's -providers ("cuda,cpu"; default CPU only)
#   OUT        output directory (default: a new temporary directory)
#
# Needs the ONNX Runtime library (scripts/install-ort.sh, or
# ONNXRUNTIME_SHARED_LIBRARY_PATH). Timings are noisy on shared machines:
# read the load averages that the script prints.
set -euo pipefail

cd "$(dirname "$0")/.."
CLIENTS="${CLIENTS:-8}"
DURATION="${DURATION:-60s}"
SESSIONS="${SESSIONS:-1 0}"
PROVIDERS="${PROVIDERS:-}"
OUT="${OUT:-$(mktemp -d -t modelreg-loadtest.XXXXXX)}"
mkdir -p "$OUT"
bin="$OUT/bin"
go build -o "$bin/detect-server" ./examples/detect-server
go build -o "$bin/loadtest" ./bench/loadtest

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" || true
		server_pid=
	fi
}
trap stop_server EXIT

status=0
for s in $SESSIONS; do
	name="sessions-$s"
	[ "$s" = 0 ] && name="sessions-default"
	models="$OUT/$name/models"
	log="$OUT/$name/server.log"
	mkdir -p "$OUT/$name"
	"$bin/loadtest" -init -publish-dir "$models" -model yolox
	"$bin/detect-server" -addr 127.0.0.1:0 -dirs "$models" -model yolox -poll 1s -sessions "$s" \
		${PROVIDERS:+-providers "$PROVIDERS"} 2>"$log" &
	server_pid=$!
	for _ in $(seq 600); do # up to 2 minutes to load
		grep -q 'msg=ready' "$log" && break
		kill -0 "$server_pid" 2>/dev/null || { cat "$log"; exit 1; }
		sleep 0.2
	done
	grep -q 'msg=ready' "$log" || { echo "server not ready after 2 minutes" >&2; cat "$log"; exit 1; }
	addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$log" | head -1)
	grep -m1 'msg="reload: loaded"' "$log" | tee -a "$OUT/summary.txt" # its providers
	case "$PROVIDERS" in
	*cuda*) grep -q 'CUDAExecutionProvider' "$log" || { echo "the CUDA provider is not in use (see $log)" >&2; status=1; } ;;
	esac
	echo "== $name, $CLIENTS clients, $DURATION (load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime))" | tee -a "$OUT/summary.txt"
	if ! "$bin/loadtest" -url "http://$addr" -model yolox -clients "$CLIENTS" -duration "$DURATION" \
		-publish-dir "$models" -pid "$server_pid" -images testdata/images | tee -a "$OUT/summary.txt"; then
		status=1
	fi
	stop_server
	grep -E 'msg="reload: (swapped|failed)' "$log" | tee -a "$OUT/summary.txt" || true
done
echo "results in $OUT"
exit "$status"

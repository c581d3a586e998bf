#!/usr/bin/env bash
# seaweedfs.sh builds, starts and stops a throwaway SeaweedFS server whose S3
# gateway the object-store tests (registry/blobmanager) run against.
#
# Usage:
#   eval "$(scripts/seaweedfs.sh start)"   # build if needed, start, export the env below
#   go test -race ./registry/blobmanager/
#   scripts/seaweedfs.sh stop              # stop it and delete its data
#
#   scripts/seaweedfs.sh build             # only build (or find) the binary; prints its path
#   scripts/seaweedfs.sh env               # print the exports again for the running server
#   scripts/seaweedfs.sh status            # exit 0 when the server answers
#
# start prints shell "export" lines (and nothing else) on stdout; progress
# goes to stderr. It sets:
#   MODELREG_S3_ENDPOINT        http://127.0.0.1:PORT, the S3 endpoint (path-style)
#   AWS_ACCESS_KEY_ID           fixed test credentials accepted by the server
#   AWS_SECRET_ACCESS_KEY
#   AWS_REGION                  us-east-1
#   MODELREG_SEAWEEDFS_DIR      the server's temp directory: data, logs, pid file
# stop uses MODELREG_SEAWEEDFS_DIR (or its first argument) to find the
# server; it sends SIGTERM, then SIGKILL after 3 s (a graceful shutdown
# takes ~15 s, and the data is thrown away), and removes the directory.
# Calling start again while that server runs reprints its exports.
#
# In a script under "set -e", check start's status before the eval (eval of
# an empty string succeeds), and stop the server on exit:
#   env=$(scripts/seaweedfs.sh start) && eval "$env"
#   trap 'scripts/seaweedfs.sh stop' EXIT
#
# Everything listens on 127.0.0.1 only, on free ports picked at start. The
# data lives in a fresh temp directory (under TMPDIR), with small volumes so
# that nothing large is allocated.
#
# The binary is built once from the Go module proxy (go install refuses the
# module because of its replace directives) and cached outside the clone:
#   ${MODELREG_SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/seaweedfs}/<version>/weed
# The first build takes about 10 minutes on 2 cores; MODELREG_SEAWEEDFS_BIN
# names a binary to use instead.
set -euo pipefail

readonly MODULE=github.com/seaweedfs/seaweedfs
readonly VERSION=v0.0.0-20261109003541-7506e5f91cd6
readonly ACCESS_KEY=modelreg-test-access-key
readonly SECRET_KEY=modelreg-test-secret-key
readonly REGION=us-east-1

cache_dir="${MODELREG_SEAWEEDFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/seaweedfs}/$VERSION"

log() { echo "seaweedfs: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/server.sh
. "$(dirname "$0")/lib/server.sh"

# build prints the path of the weed binary, building it first if needed.
build() {
	if [ -n "${MODELREG_SEAWEEDFS_BIN:-}" ]; then
		[ -x "$MODELREG_SEAWEEDFS_BIN" ] || die "MODELREG_SEAWEEDFS_BIN=$MODELREG_SEAWEEDFS_BIN is not executable"
		echo "$MODELREG_SEAWEEDFS_BIN"
		return
	fi
	local bin="$cache_dir/weed"
	if [ -x "$bin" ]; then
		echo "$bin"
		return
	fi
	command -v go >/dev/null || die "go is needed to build SeaweedFS"
	mkdir -p "$cache_dir"
	exec 9>"$cache_dir/.build.lock"
	flock 9 # another start may be building it
	if [ ! -x "$bin" ]; then
		build_locked "$bin"
	fi
	exec 9>&-
	echo "$bin"
}

# build_locked builds the binary at $1 from a writable copy of the module.
build_locked() {
	local bin=$1 dir src start
	log "building $MODULE@$VERSION (about 10 minutes the first time; log: $cache_dir/build.log)"
	start=$(date +%s)
	dir=$(cd "$cache_dir" && go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $MODULE@$VERSION failed"
	src="$cache_dir/src"
	rm -rf "$src" "$src.tmp"
	cp -R "$dir" "$src.tmp"
	chmod -R u+w "$src.tmp"
	mv "$src.tmp" "$src"
	if ! (cd "$src" && go build -o "$bin.tmp" ./weed) >"$cache_dir/build.log" 2>&1; then
		tail -20 "$cache_dir/build.log" >&2
		die "build failed; see $cache_dir/build.log"
	fi
	mv "$bin.tmp" "$bin"
	rm -rf "$src"
	log "built $bin in $(($(date +%s) - start)) s"
}

# free_ports prints $1 distinct free ports.
free_ports() {
	local want=$1 got=() p
	while [ "${#got[@]}" -lt "$want" ]; do
		p=$((20000 + RANDOM % 30000))
		if port_free "$p" && [[ " ${got[*]} " != *" $p "* ]]; then
			got+=("$p")
		fi
	done
	echo "${got[@]}"
}

# print_env prints the exports for the server in directory $1.
print_env() {
	local port
	port=$(cat "$1/port")
	cat <<EOF
export MODELREG_S3_ENDPOINT=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=$REGION
export MODELREG_SEAWEEDFS_DIR=$1
EOF
}

# s3_answers reports whether the S3 gateway on port $1 answers requests.
s3_answers() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/" || true)
	[ -n "$code" ] && [ "$code" != 000 ]
}

start() {
	local d=${MODELREG_SEAWEEDFS_DIR:-}
	if [ -n "$d" ] && running "$d"; then
		log "already running (pid $(cat "$d/server.pid"), dir $d)"
		print_env "$d"
		return
	fi
	command -v curl >/dev/null || die "curl is needed to check the server"
	local bin
	bin=$(build)
	d=$(mktemp -d "${TMPDIR:-/tmp}/modelreg-seaweedfs.XXXXXX")
	mkdir -p "$d/data"
	cat >"$d/s3.json" <<EOF
{"identities": [{"name": "modelreg-test",
  "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
	# shellcheck disable=SC2207
	local p=($(free_ports 8))
	echo "${p[*]}" >"$d/ports"
	echo "${p[6]}" >"$d/port"
	(
		cd "$d"
		exec setsid "$bin" server -dir="$d/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
			-master.port="${p[0]}" -master.port.grpc="${p[1]}" \
			-volume.port="${p[2]}" -volume.port.grpc="${p[3]}" \
			-filer -filer.port="${p[4]}" -filer.port.grpc="${p[5]}" \
			-s3 -s3.port="${p[6]}" -s3.port.grpc="${p[7]}" -s3.config="$d/s3.json" \
			-s3.port.iceberg=0 -s3.port.lance=0 \
			-master.telemetry=false -master.volumeSizeLimitMB=64 -volume.max=32 \
			-volume.preStopSeconds=0 -volume.minFreeSpace=256MiB
	) </dev/null >"$d/weed.log" 2>&1 &
	echo $! >"$d/server.pid"
	local i
	for i in $(seq 1 120); do
		if s3_answers "${p[6]}"; then
			log "S3 on http://127.0.0.1:${p[6]} (pid $(cat "$d/server.pid"), dir $d; stop: scripts/seaweedfs.sh stop)"
			print_env "$d"
			return
		fi
		running "$d" || break
		sleep 0.5
	done
	tail -30 "$d/weed.log" >&2 || true
	MODELREG_SEAWEEDFS_DIR=$d stop >/dev/null
	die "the server did not answer on port ${p[6]}"
}

# stop stops the server (a graceful shutdown takes ~15 s and the data is
# thrown away, so SIGKILL follows SIGTERM after 3 s) and removes weed's
# local sockets, which are named after its ports.
stop() {
	local d=${1:-${MODELREG_SEAWEEDFS_DIR:-}} ports=""
	[ -n "$d" ] && [ -f "$d/ports" ] && ports=$(cat "$d/ports")
	stop_server "$d" seaweedfs.sh MODELREG_SEAWEEDFS_DIR
	local p
	for p in $ports; do
		find /tmp -maxdepth 1 -type s -name "seaweedfs-*-$p.sock" -delete 2>/dev/null || true
	done
}

case "${1:-}" in
build) build ;;
start) start ;;
stop) shift; stop "$@" ;;
env)
	d=${MODELREG_SEAWEEDFS_DIR:-}
	[ -n "$d" ] && running "$d" || die "env: no running server (MODELREG_SEAWEEDFS_DIR=${d:-unset})"
	print_env "$d"
	;;
status)
	d=${MODELREG_SEAWEEDFS_DIR:-}
	[ -n "$d" ] && running "$d" && s3_answers "$(cat "$d/port")"
	;;
-h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
*) die "usage: $0 build|start|stop|env|status (try --help)" ;;
esac

#!/usr/bin/env bash
# fakegcs.sh installs, starts and stops a throwaway fake-gcs-server, the
# Google Cloud Storage emulator the object-store tests (registry/blobmanager)
# run against beside SeaweedFS and Azurite.
#
# Usage:
#   eval "$(scripts/fakegcs.sh start)"   # install if needed, start, export the env below
#   go test -race ./registry/blobmanager/
#   scripts/fakegcs.sh stop              # stop it and delete its data
#
#   scripts/fakegcs.sh install           # only install (or find) the binary; prints its path
#   scripts/fakegcs.sh env               # print the exports again for the running server
#   scripts/fakegcs.sh status            # exit 0 when the server answers
#
# start prints shell "export" lines (and nothing else) on stdout; progress
# goes to stderr. It sets:
#   STORAGE_EMULATOR_HOST       127.0.0.1:PORT (host:port, no scheme: gocloud
#                               adds http://); gs:// buckets then talk to the
#                               emulator, without credentials
#   MODELREG_GCS_BUCKET         a bucket that exists on the server
#   MODELREG_FAKEGCS_DIR        the server's temp directory: data, log, pid file
# stop uses MODELREG_FAKEGCS_DIR (or its first argument) to find the server,
# sends SIGTERM (SIGKILL after 3 s) and removes the directory.
#
# The binary is installed once with go install, at a pinned version, and
# cached outside the clone:
#   ${MODELREG_FAKEGCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/fake-gcs-server}/<version>/fake-gcs-server
# MODELREG_FAKEGCS_BIN names a binary to use instead. The server listens on
# 127.0.0.1 only, on a free port picked at start, and keeps its objects in
# memory; it starts in about a second.
set -euo pipefail

readonly MODULE=github.com/fsouza/fake-gcs-server
readonly VERSION=v1.56.1
readonly BUCKET=modelreg-test

cache_dir="${MODELREG_FAKEGCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/fake-gcs-server}/$VERSION"

log() { echo "fakegcs: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/server.sh
. "$(dirname "$0")/lib/server.sh"

# install prints the path of the binary, installing it first if needed.
install() {
	if [ -n "${MODELREG_FAKEGCS_BIN:-}" ]; then
		[ -x "$MODELREG_FAKEGCS_BIN" ] || die "MODELREG_FAKEGCS_BIN=$MODELREG_FAKEGCS_BIN is not executable"
		echo "$MODELREG_FAKEGCS_BIN"
		return
	fi
	local bin="$cache_dir/fake-gcs-server"
	if [ ! -x "$bin" ]; then
		command -v go >/dev/null || die "go is needed to install fake-gcs-server"
		mkdir -p "$cache_dir"
		exec 9>"$cache_dir/.install.lock"
		flock 9 # another start may be installing it
		if [ ! -x "$bin" ]; then
			log "installing $MODULE@$VERSION (a few minutes the first time; log: $cache_dir/install.log)"
			if ! GOBIN="$cache_dir" go install "$MODULE@$VERSION" >"$cache_dir/install.log" 2>&1; then
				tail -20 "$cache_dir/install.log" >&2
				die "go install failed; see $cache_dir/install.log"
			fi
		fi
		exec 9>&-
	fi
	echo "$bin"
}

print_env() {
	cat <<EOF
export STORAGE_EMULATOR_HOST=127.0.0.1:$(cat "$1/port")
export MODELREG_GCS_BUCKET=$BUCKET
export MODELREG_FAKEGCS_DIR=$1
EOF
}

answers() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$1/storage/v1/b"; }

start() {
	local d=${MODELREG_FAKEGCS_DIR:-}
	if [ -n "$d" ] && running "$d"; then
		log "already running (pid $(cat "$d/server.pid"), dir $d)"
		print_env "$d"
		return
	fi
	command -v curl >/dev/null || die "curl is needed to check the server"
	local bin p
	bin=$(install)
	d=$(mktemp -d "${TMPDIR:-/tmp}/modelreg-fakegcs.XXXXXX")
	mkdir -p "$d/seed/$BUCKET" # each directory under -data becomes a bucket
	p=$(free_port)
	echo "$p" >"$d/port"
	(
		cd "$d"
		exec setsid "$bin" -scheme http -host 127.0.0.1 -port "$p" -public-host "127.0.0.1:$p" \
			-external-url "http://127.0.0.1:$p" -backend memory -data "$d/seed" -log-level warn
	) </dev/null >"$d/server.log" 2>&1 &
	echo $! >"$d/server.pid"
	await_server "$d" "$p" "GCS emulator" 15
}

stop() { stop_server "${1:-${MODELREG_FAKEGCS_DIR:-}}" fakegcs.sh MODELREG_FAKEGCS_DIR; }

server_main MODELREG_FAKEGCS_DIR "$@"

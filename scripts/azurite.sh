#!/usr/bin/env bash
# azurite.sh installs, starts and stops a throwaway Azurite, Microsoft's Azure
# Blob Storage emulator, that the object-store tests (registry/blobmanager)
# run against beside SeaweedFS and fake-gcs-server.
#
# Usage:
#   eval "$(scripts/azurite.sh start)"   # install if needed, start, export the env below
#   go test -race ./registry/blobmanager/
#   scripts/azurite.sh stop              # stop it and delete its data
#
#   scripts/azurite.sh install           # only install (or find) it; prints the azurite-blob path
#   scripts/azurite.sh env               # print the exports again for the running server
#   scripts/azurite.sh status            # exit 0 when the server answers
#
# start prints shell "export" lines (and nothing else) on stdout; progress
# goes to stderr. It sets:
#   AZURE_STORAGE_ACCOUNT       devstoreaccount1, Azurite's well-known account
#   AZURE_STORAGE_KEY           and its well-known key (public; not a secret)
#   MODELREG_AZURE_DOMAIN       127.0.0.1:PORT; bucket URLs for the emulator are
#                               azblob://CONTAINER?protocol=http&domain=127.0.0.1:PORT&localemu=true
#   MODELREG_AZURITE_DIR        the server's temp directory: data, log, pid file
# stop uses MODELREG_AZURITE_DIR (or its first argument) to find the server,
# sends SIGTERM (SIGKILL after 3 s) and removes the directory.
#
# Azurite is installed once with npm, at a pinned version, outside the clone:
#   ${MODELREG_AZURITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/azurite}/<version>
# It needs node and npm; MODELREG_AZURITE_BIN names an azurite-blob to use
# instead. Only the blob service runs, on 127.0.0.1, on a free port picked
# at start, with its data in a fresh temp directory; it starts in seconds.
set -euo pipefail

readonly PACKAGE=azurite
readonly VERSION=3.37.0
readonly ACCOUNT=devstoreaccount1
readonly KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

cache_dir="${MODELREG_AZURITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/azurite}/$VERSION"

log() { echo "azurite: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/server.sh
. "$(dirname "$0")/lib/server.sh"

# install prints the path of azurite-blob, installing it first if needed.
install() {
	if [ -n "${MODELREG_AZURITE_BIN:-}" ]; then
		[ -x "$MODELREG_AZURITE_BIN" ] || die "MODELREG_AZURITE_BIN=$MODELREG_AZURITE_BIN is not executable"
		echo "$MODELREG_AZURITE_BIN"
		return
	fi
	local bin="$cache_dir/node_modules/.bin/azurite-blob"
	if [ ! -x "$bin" ]; then
		command -v npm >/dev/null || die "npm (and node) are needed to install Azurite"
		mkdir -p "$cache_dir"
		exec 9>"$cache_dir/.install.lock"
		flock 9 # another start may be installing it
		if [ ! -x "$bin" ]; then
			log "installing $PACKAGE@$VERSION with npm (log: $cache_dir/install.log)"
			if ! npm install --prefix "$cache_dir" --no-audit --no-fund --omit=dev "$PACKAGE@$VERSION" >"$cache_dir/install.log" 2>&1; then
				tail -20 "$cache_dir/install.log" >&2
				die "npm install failed; see $cache_dir/install.log"
			fi
		fi
		exec 9>&-
	fi
	echo "$bin"
}

print_env() {
	cat <<EOF
export AZURE_STORAGE_ACCOUNT=$ACCOUNT
export AZURE_STORAGE_KEY='$KEY'
export MODELREG_AZURE_DOMAIN=127.0.0.1:$(cat "$1/port")
export MODELREG_AZURITE_DIR=$1
EOF
}

# answers reports whether the blob service on port $1 answers (any status).
answers() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/$ACCOUNT?comp=list" || true)
	[ -n "$code" ] && [ "$code" != 000 ]
}

start() {
	local d=${MODELREG_AZURITE_DIR:-}
	if [ -n "$d" ] && running "$d"; then
		log "already running (pid $(cat "$d/server.pid"), dir $d)"
		print_env "$d"
		return
	fi
	command -v curl >/dev/null || die "curl is needed to check the server"
	local bin p
	bin=$(install)
	d=$(mktemp -d "${TMPDIR:-/tmp}/modelreg-azurite.XXXXXX")
	p=$(free_port)
	echo "$p" >"$d/port"
	(
		cd "$d"
		exec setsid "$bin" --blobHost 127.0.0.1 --blobPort "$p" --location "$d/data" \
			--silent --skipApiVersionCheck --disableTelemetry
	) </dev/null >"$d/server.log" 2>&1 &
	echo $! >"$d/server.pid"
	await_server "$d" "$p" "Azure blob emulator" 30
}

stop() { stop_server "${1:-${MODELREG_AZURITE_DIR:-}}" azurite.sh MODELREG_AZURITE_DIR; }

server_main MODELREG_AZURITE_DIR "$@"

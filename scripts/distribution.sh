#!/usr/bin/env bash
# distribution.sh installs, starts and stops a throwaway CNCF Distribution
# registry (the OCI registry behind Docker Hub, GHCR mirrors and Harbor),
# that the OCI manager's tests (registry/ocimanager) push to and pull from,
# and installs the oras CLI their interoperability test runs.
#
# Usage:
#   eval "$(scripts/distribution.sh start)"   # install if needed, start, export the env below
#   go test -race ./registry/ocimanager/
#   scripts/distribution.sh stop              # stop it and delete its data
#
#   scripts/distribution.sh install           # only install (or find) both binaries; prints their paths
#   scripts/distribution.sh env               # print the exports again for the running registry
#   scripts/distribution.sh status            # exit 0 when the registry answers
#
# start prints shell "export" lines (and nothing else) on stdout; progress
# goes to stderr. It sets:
#   MODELREG_OCI_REGISTRY        127.0.0.1:PORT, a registry without auth,
#                                deletes enabled, plain HTTP (a loopback host)
#   MODELREG_OCI_REGISTRY_BIN    the registry binary; the tests start more
#                                instances from it (htpasswd auth, deletes
#                                disabled, a pull-through cache)
#   MODELREG_ORAS_BIN            the oras CLI
#   MODELREG_DISTRIBUTION_DIR    the registry's temp directory: config,
#                                data, log, pid file
# stop uses MODELREG_DISTRIBUTION_DIR (or its first argument) to find the
# registry, sends SIGTERM (SIGKILL after 3 s) and removes the directory.
#
# Both binaries are installed once with go install, at pinned versions, and
# cached outside the clone:
#   ${MODELREG_DISTRIBUTION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/distribution}/<version>/registry
#   ${MODELREG_ORAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelreg/oras}/<version>/oras
# MODELREG_DISTRIBUTION_BIN and MODELREG_ORAS_BIN name binaries to use
# instead. The registry listens on 127.0.0.1 only, on a free port picked at
# start, with its data in the temp directory; it starts in about a second.
set -euo pipefail

readonly MODULE=github.com/distribution/distribution/v3/cmd/registry
readonly VERSION=v3.1.2
readonly ORAS_MODULE=oras.land/oras/cmd/oras
readonly ORAS_VERSION=v1.3.6

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/modelreg"
cache_dir="${MODELREG_DISTRIBUTION_CACHE:-$cache_root/distribution}/$VERSION"
oras_dir="${MODELREG_ORAS_CACHE:-$cache_root/oras}/$ORAS_VERSION"

log() { echo "distribution: $*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib/server.sh
. "$(dirname "$0")/lib/server.sh"

# go_install prints the path of binary $3 installed from $1@$2 into
# directory $4, installing it first if needed.
go_install() {
	local module=$1 version=$2 name=$3 dir=$4
	local bin="$dir/$name"
	if [ ! -x "$bin" ]; then
		command -v go >/dev/null || die "go is needed to install $name"
		mkdir -p "$dir"
		exec 9>"$dir/.install.lock"
		flock 9 # another start may be installing it
		if [ ! -x "$bin" ]; then
			log "installing $module@$version (a few minutes the first time; log: $dir/install.log)"
			if ! GOBIN="$dir" go install "$module@$version" >"$dir/install.log" 2>&1; then
				tail -20 "$dir/install.log" >&2
				die "go install failed; see $dir/install.log"
			fi
		fi
		exec 9>&-
	fi
	echo "$bin"
}

# registry_bin and oras_bin print the binaries' paths, installing them if
# needed.
registry_bin() {
	if [ -n "${MODELREG_DISTRIBUTION_BIN:-}" ]; then
		[ -x "$MODELREG_DISTRIBUTION_BIN" ] || die "MODELREG_DISTRIBUTION_BIN=$MODELREG_DISTRIBUTION_BIN is not executable"
		echo "$MODELREG_DISTRIBUTION_BIN"
		return
	fi
	go_install "$MODULE" "$VERSION" registry "$cache_dir"
}

oras_bin() {
	if [ -n "${MODELREG_ORAS_BIN:-}" ]; then
		[ -x "$MODELREG_ORAS_BIN" ] || die "MODELREG_ORAS_BIN=$MODELREG_ORAS_BIN is not executable"
		echo "$MODELREG_ORAS_BIN"
		return
	fi
	go_install "$ORAS_MODULE" "$ORAS_VERSION" oras "$oras_dir"
}

install() {
	registry_bin
	oras_bin
}

print_env() {
	cat <<EOT
export MODELREG_OCI_REGISTRY=127.0.0.1:$(cat "$1/port")
export MODELREG_OCI_REGISTRY_BIN=$(cat "$1/bin")
export MODELREG_ORAS_BIN=$(cat "$1/oras")
export MODELREG_DISTRIBUTION_DIR=$1
EOT
}

# answers reports whether the registry on port $1 serves the /v2/ API.
answers() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$1/v2/"; }

start() {
	local d=${MODELREG_DISTRIBUTION_DIR:-}
	if [ -n "$d" ] && running "$d"; then
		log "already running (pid $(cat "$d/server.pid"), dir $d)"
		print_env "$d"
		return
	fi
	command -v curl >/dev/null || die "curl is needed to check the registry"
	local bin oras p
	bin=$(registry_bin)
	oras=$(oras_bin)
	d=$(mktemp -d "${TMPDIR:-/tmp}/modelreg-distribution.XXXXXX")
	p=$(free_port)
	echo "$p" >"$d/port"
	echo "$bin" >"$d/bin"
	echo "$oras" >"$d/oras"
	cat >"$d/config.yml" <<EOT
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$p
  secret: modelreg-test-only
EOT
	(
		cd "$d"
		OTEL_TRACES_EXPORTER=none exec setsid "$bin" serve "$d/config.yml"
	) </dev/null >"$d/server.log" 2>&1 &
	echo $! >"$d/server.pid"
	await_server "$d" "$p" "OCI registry" 15
}

stop() { stop_server "${1:-${MODELREG_DISTRIBUTION_DIR:-}}" distribution.sh MODELREG_DISTRIBUTION_DIR; }

server_main MODELREG_DISTRIBUTION_DIR "$@"

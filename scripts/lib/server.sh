# server.sh: the process and port helpers that the test-server scripts
# (seaweedfs.sh, azurite.sh, fakegcs.sh, distribution.sh) share (sourced;
# the caller defines log and die).

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a port in 20000-49999 that nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		if port_free "$p"; then
			echo "$p"
			return
		fi
	done
}

# running reports whether the server whose directory is $1 (server.pid in
# it) is alive.
running() { [ -f "$1/server.pid" ] && kill -0 "$(cat "$1/server.pid")" 2>/dev/null; }

# signal_group sends signal $1 to the process group of pid $2 (the server
# was started with setsid), or to the pid alone.
signal_group() { kill -"$1" -- "-$2" 2>/dev/null || kill -"$1" "$2" 2>/dev/null || true; }

# wait_gone waits up to $2 seconds for pid $1 to exit.
wait_gone() {
	local i
	for i in $(seq 1 $(($2 * 4))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.25
	done
	! kill -0 "$1" 2>/dev/null
}

# stop_server stops the server whose directory is $1 (SIGTERM, then SIGKILL
# after 3 s) and removes the directory; $2 is the script's name and $3 the
# variable that names the directory, for messages.
stop_server() {
	local d=$1
	if [ -z "$d" ] || [ ! -e "$d" ]; then
		log "stop: no server to stop ($3=${d:-unset})"
		return
	fi
	[ -f "$d/port" ] || die "stop: $d is not a directory made by $2 start"
	if running "$d"; then
		local pid
		pid=$(cat "$d/server.pid")
		signal_group TERM "$pid"
		wait_gone "$pid" 3 || { signal_group KILL "$pid"; wait_gone "$pid" 10; } ||
			log "pid $pid is still there after SIGKILL"
		log "stopped pid $pid"
	fi
	rm -rf "$d"
}

# await_server waits up to $4 seconds (default 15) for the server started in
# directory $1 to answer on port $2 (the caller's answers function), then
# prints its exports (print_env); otherwise it shows the end of its log,
# stops it (the caller's stop) and fails. $3 names the server in messages.
await_server() {
	local d=$1 p=$2 what=$3 i
	for i in $(seq 1 $((${4:-15} * 4))); do
		if answers "$p"; then
			log "$what on http://127.0.0.1:$p (pid $(cat "$d/server.pid"), dir $d; stop: scripts/$(basename "$0") stop)"
			print_env "$d"
			return
		fi
		running "$d" || break
		sleep 0.25
	done
	tail -30 "$d/server.log" >&2 || true
	stop "$d" >/dev/null
	die "$what did not answer on port $p"
}

# server_main runs a server script's subcommand ($2...): install, start,
# stop, env, status and help, with the caller's functions of those names
# (and print_env, answers); $1 names the variable that holds the running
# server's directory.
server_main() {
	local var=$1 d
	shift
	d=${!var:-}
	case "${1:-}" in
	install) install ;;
	start) start ;;
	stop) shift; stop "$@" ;;
	env)
		[ -n "$d" ] && running "$d" || die "env: no running server ($var=${d:-unset})"
		print_env "$d"
		;;
	status) [ -n "$d" ] && running "$d" && answers "$(cat "$d/port")" ;;
	-h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
	*) die "usage: $0 install|start|stop|env|status (try --help)" ;;
	esac
}

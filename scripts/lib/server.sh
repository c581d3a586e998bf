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

#!/usr/bin/env bash
# Start or stop a throwaway Postgres cluster on a free loopback port.
#   source .ci/postgres.sh && pg_start   → exports DROVER_TEST_DATABASE_URL
#   pg_stop                              → stops it and removes its files
# initdb refuses to run as root, so as root the tools run as user postgres.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	local bin port
	bin=$(pg_bin)
	[ -n "$bin" ] || { echo "postgres binaries not found" >&2; return 1; }
	PG_DIR=$(mktemp -d /tmp/drover-ci-pg.XXXXXX)
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	pg_as "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=300" start >/dev/null ||
		{ cat "$PG_DIR/log" >&2; return 1; }
	export PG_DIR
	export DROVER_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	echo "postgres: started on 127.0.0.1:$port ($PG_DIR)"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	pg_as "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	echo "postgres: stopped"
}

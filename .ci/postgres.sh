#!/bin/sh
# .ci/postgres.sh: a throwaway PostgreSQL cluster for the
# store's tests. Source it: `. .ci/postgres.sh; pg_start` exports
# BENCHDB_TEST_POSTGRES (postgres://...); `pg_stop` stops the server and
# removes its directory. Root cannot run postgres, so the server runs as
# the postgres user; it listens on a Unix socket in its directory and on
# a loopback port only.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# run_pg runs a command line as the postgres user if we are root.
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

pg_start() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "postgres.sh: no $PG_BIN/initdb (apt-get install postgresql); PostgreSQL tests will skip" >&2
		return 0
	fi
	PG_DIR=$(mktemp -d /tmp/benchdb-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	PG_PORT=${PG_PORT:-$(( 20000 + $$ % 20000 ))}
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	run_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -U postgres -A trust -E UTF8 --no-sync >'$PG_DIR/initdb.log' 2>&1" || { cat "$PG_DIR/initdb.log" >&2; return 1; }
	# One role that must give a password over TCP, for the wrong-password
	# test (BENCHDB_TEST_POSTGRES_PWUSER); everyone else is trusted.
	run_pg "sed -i '1i host all benchdb_pw 127.0.0.1/32 scram-sha-256' '$PG_DIR/data/pg_hba.conf'"
	run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -o \"-k '$PG_DIR' -h 127.0.0.1 -p $PG_PORT -c fsync=off -c max_connections=200\" start >/dev/null" || { cat "$PG_DIR/server.log" >&2; return 1; }
	run_pg "'$PG_BIN/psql' -q -h '$PG_DIR' -p $PG_PORT -U postgres -c \"CREATE ROLE benchdb_pw LOGIN PASSWORD 'right'\"" || return 1
	export PG_DIR PG_PORT
	export BENCHDB_TEST_POSTGRES_PWUSER=benchdb_pw
	export BENCHDB_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	echo "postgres.sh: PostgreSQL on 127.0.0.1:$PG_PORT and $PG_DIR: BENCHDB_TEST_POSTGRES=$BENCHDB_TEST_POSTGRES" >&2
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	run_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop >/dev/null" || echo "postgres.sh: pg_ctl stop failed; $PG_DIR kept" >&2
	[ -d "$PG_DIR/data" ] && [ -f "$PG_DIR/data/postmaster.pid" ] && return 1
	rm -rf "$PG_DIR"
	unset PG_DIR BENCHDB_TEST_POSTGRES BENCHDB_TEST_POSTGRES_PWUSER
}

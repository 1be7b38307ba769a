# shellcheck shell=bash
# tools/lib/pg.sh
#    The local development PostgreSQL 15 cluster of tools/dev: create once,
#    start, stop, create the ebid database and its application role.
#
# Sourced by tools/dev (bash, set -euo pipefail); expects ROOT, VAR, RUN and
# the helpers say/die from it.  Layout (docs/operations.md):
#    var/pg/data           the cluster (owned by 'postgres' when run as root)
#    var/pg/server.log     its log
#    var/run/pg/           its Unix socket (falls back to /tmp when the path
#                          would be too long or var/ is not traversable)
# When the repository path is not traversable by the postgres user (a 0700
# home, say), var/pg is a symlink to /tmp/ebid-pg-HASH (HASH of the repo path).
#
# INTERFACE
#    pg_layout            sets PG_BASE PG_DATA PG_SOCK PG_PORT PG_BIN
#    pg_init              initdb when there is no sound cluster yet
#    pg_running           status 0 when the cluster is up
#    pg_start             start it if down; sets PG_STARTED=1 when it did
#                         (durable unless EBID_PG_FAST=1); reads the real
#                         port and socket of a running cluster
#    pg_stop              stop it (fast shutdown), if running
#    pg_bootstrap         create roles ebid_owner, ebid_app and database ebid
#                         (owned by ebid_owner) if missing
#    pg_psql ARGS...      psql as the superuser 'postgres' on database ebid

PG_RUNAS=()
if [ "$(id -u)" = 0 ]; then
	PG_RUNAS=(runuser -u postgres --)
fi

# Run a server binary as the cluster owner, from a directory it can enter.
pg_as_owner() { (cd / && "${PG_RUNAS[@]}" "$@"); }

pg_layout() {
	PG_PORT=${EBID_PGPORT:-54329}
	PG_BIN=/usr/lib/postgresql/15/bin
	if [ ! -x "$PG_BIN/initdb" ] && command -v pg_config >/dev/null; then
		PG_BIN=$(pg_config --bindir)
	fi
	local hash tmpbase
	hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
	tmpbase=/tmp/ebid-pg-$hash
	mkdir -p "$VAR" "$RUN"
	if [ -L "$VAR/pg" ]; then
		PG_BASE=$(readlink "$VAR/pg")
		mkdir -p "$PG_BASE"
	elif [ -d "$VAR/pg" ]; then
		PG_BASE=$VAR/pg
	elif [ ${#PG_RUNAS[@]} -gt 0 ] && ! "${PG_RUNAS[@]}" test -x "$VAR"; then
		# postgres cannot walk down to var/: keep the cluster in /tmp.
		say "the postgres user cannot enter $VAR; the cluster goes to $tmpbase (var/pg links to it)"
		mkdir -p "$tmpbase"
		ln -s "$tmpbase" "$VAR/pg"
		PG_BASE=$tmpbase
	else
		mkdir -p "$VAR/pg"
		PG_BASE=$VAR/pg
	fi
	PG_DATA=$PG_BASE/data
	# Socket: var/run/pg, unless the postgres user cannot reach it or the
	# socket path would pass the ~107-byte limit of sun_path.
	PG_SOCK=$RUN/pg
	if [ "$PG_BASE" != "$VAR/pg" ] ||
		[ $((${#PG_SOCK} + ${#PG_PORT} + 11)) -ge 100 ]; then
		PG_SOCK=$tmpbase-sock
	fi
	mkdir -p "$PG_SOCK"
	chmod 755 "$PG_BASE" "$PG_SOCK"
	if [ ${#PG_RUNAS[@]} -gt 0 ]; then
		chown postgres: "$PG_BASE" "$PG_SOCK"
	fi
}

pg_running() {
	[ -f "$PG_DATA/PG_VERSION" ] || return 1
	pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_init() {
	[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 server binaries not found in $PG_BIN (install postgresql-15)"
	if [ -f "$PG_DATA/PG_VERSION" ]; then
		return 0
	fi
	if [ -d "$PG_DATA" ] && [ -n "$(ls -A "$PG_DATA" 2>/dev/null)" ]; then
		die "$PG_DATA exists but holds no cluster (no PG_VERSION); look at it and remove it by hand"
	fi
	say "creating the PostgreSQL cluster in $PG_DATA"
	if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 >"$PG_BASE/initdb.log" 2>&1; then
		cat "$PG_BASE/initdb.log" >&2
		die "initdb failed"
	fi
}

# Read port and socket directory of the running postmaster (lines 4 and 5
# of postmaster.pid), so a cluster started with other settings is still used
# correctly.
pg_read_pidfile() {
	local port sock
	port=$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
	sock=$(sed -n 5p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
	if [ -n "$port" ]; then PG_PORT=$port; fi
	if [ -n "$sock" ]; then PG_SOCK=$sock; fi
}

pg_start() {
	PG_STARTED=${PG_STARTED:-0}
	if pg_running; then
		pg_read_pidfile
		return 0
	fi
	local fsync=on
	if [ "${EBID_PG_FAST:-0}" = 1 ]; then
		fsync=off
	fi
	local opts="-p $PG_PORT -k '$PG_SOCK' -c listen_addresses=127.0.0.1"
	opts+=" -c fsync=$fsync -c synchronous_commit=$fsync -c full_page_writes=$fsync"
	opts+=" -c max_connections=200"
	if [ "$fsync" = off ]; then
		say "starting PostgreSQL on 127.0.0.1:$PG_PORT (fast mode: fsync off, for tests only)"
	else
		say "starting PostgreSQL on 127.0.0.1:$PG_PORT (durable: fsync on)"
	fi
	if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_BASE/server.log" -w -t 60 \
		-o "$opts" start >/dev/null; then
		tail -n 20 "$PG_BASE/server.log" >&2 || true
		die "PostgreSQL did not start (log: $PG_BASE/server.log; is port $PG_PORT taken? set EBID_PGPORT)"
	fi
	PG_STARTED=1
	pg_read_pidfile
}

pg_stop() {
	if pg_running; then
		say "stopping PostgreSQL ($PG_DATA)"
		pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
	fi
}

pg_psql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"
}

pg_bootstrap() {
	local role have
	# ebid_owner owns the database and runs the migrations (schema/);
	# ebid_app is what ebidd uses: append and read, never change the log.
	for role in ebid_owner ebid_app; do
		have=$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")
		if [ "$have" != 1 ]; then
			say "creating role $role (login, no superuser)"
			pg_psql -d postgres -c "CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
		fi
	done
	have=$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ebid'")
	if [ "$have" != 1 ]; then
		say "creating database ebid (owner ebid_owner)"
		pg_psql -d postgres -c "CREATE DATABASE ebid OWNER ebid_owner ENCODING 'UTF8' TEMPLATE template0"
		pg_psql -d ebid -c "GRANT CONNECT, TEMPORARY ON DATABASE ebid TO ebid_app"
	fi
	have=$(pg_psql -d postgres -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'ebid'")
	if [ "$have" != ebid_owner ]; then
		say "database ebid belonged to $have: giving it to ebid_owner"
		pg_psql -d postgres -c "ALTER DATABASE ebid OWNER TO ebid_owner"
		pg_psql -d ebid -c "GRANT CONNECT, TEMPORARY ON DATABASE ebid TO ebid_app"
	fi
}

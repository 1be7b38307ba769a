#!/usr/bin/env bash
# tests/integration/test_conn_cap.sh
#    The connection cap with a clear refusal (issue 17 point 5): with
#    refuse_connections_above = 3 and three connections held open, a
#    fourth client gets 503 too-many-connections (an error document, and
#    the connection closed) instead of hanging in the backlog; the refusal
#    is logged; once the held connections close, clients are served again.
#    Real ebidd over TLS, real PostgreSQL, curl.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
IT_EXTRA_CONF="refuse_connections_above = 3
max_connections_per_address = 0"
. "$(dirname "$0")/lib.sh"
it_setup

# hold N SECONDS: hold N plain TCP connections to ebidd (in the background;
# killing it closes them all: exec leaves no child)
hold() {
	local i fd
	for ((i = 0; i < $1; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	done
	exec sleep "$2"
}
# status_within SECONDS CODE: GET /v1/health answers CODE within SECONDS
# (polled: the held connections are accepted asynchronously)
status_within() {
	local i
	for ((i = 0; i < $1 * 4; i++)); do
		curl_as auditor -i -o "$tmp/health.out" --max-time 3 "$URL/v1/health"
		[ "$(head -n 1 "$tmp/health.out" | cut -d' ' -f2)" = "$2" ] && return 0
		sleep 0.25
	done
	return 1
}

check "below the cap a client is served" status_within 5 200
hold 3 60 &
hp=$!
check "with 3 connections held, a 4th client is refused with 503" status_within 10 503
check "... by the error document too-many-connections" grep -q 'reason="too-many-connections"' "$tmp/health.out"
check "... which closes the connection" grep -qi '^Connection: close' "$tmp/health.out"
check "... and says what to do" grep -q '<hint>' "$tmp/health.out"
check "the refusal is logged" grep -q 'connection cap: refused a connection' "$tmp/ebidd.log"
n=$(grep -c 'connection cap: refused' "$tmp/ebidd.log")
for i in 1 2 3; do curl_as auditor -o /dev/null --max-time 3 "$URL/v1/health"; done
m=$(grep -c 'connection cap: refused' "$tmp/ebidd.log")
check "... once per 10 s, not per refusal ($n, then $m lines)" test "$n" -ge 1 -a "$m" = "$n"
kill "$hp" 2>/dev/null; wait "$hp" 2>/dev/null
check "once the held connections close, a client is served again" status_within 10 200
finish

#!/usr/bin/env bash
# tests/integration/test_dev_up.sh
#    Issue 14 point 15: a person tries a tender or a sale in minutes.
#    `tools/dev up --test-clock=driven` runs the real ebidd on the driven
#    clock and `tools/dev clock +SECONDS` moves it; `--test-clock=
#    accelerated:F` runs time F times as fast; a wrong option is refused.
#    Uses tools/dev's own set-up (var/certs, the PostgreSQL of var/pg on
#    EBID_PGPORT) with ebidd on free ports; stops what it started, by pid.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=unused
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
BOARD_PORT_T=$(free_port)
while [ "$BOARD_PORT_T" = "$PORT" ]; do   # two picks may coincide
	BOARD_PORT_T=$(free_port)
done
export EBID_PORT=$PORT EBID_BOARD_PORT=$BOARD_PORT_T
DEV=$SRC/tools/dev
CA=$SRC/var/certs
up_pid=""
health() { curl -s --max-time 3 --cacert "$CA/ca.crt" --cert "$CA/supervisor.crt" --key "$CA/supervisor.key" "https://127.0.0.1:$PORT/v1/health"; }
time_s() { date -u -d "$(health | grep -o ' time="[^"]*"' | cut -d'"' -f2)" +%s; }
# up OPTION: tools/dev up OPTION in the background, wait for its ebidd
up() {
	"$DEV" up "$@" >"$tmp/up.out" 2>&1 &
	up_pid=$!
	for _ in $(seq 1 600); do
		health | grep -q 'status=' && return 0
		kill -0 "$up_pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
down() { # stop tools/dev up (its trap stops ebidd and what it started)
	[ -n "$up_pid" ] || return 0
	kill -TERM "$up_pid" 2>/dev/null
	wait "$up_pid" 2>/dev/null
	up_pid=""
}
trap 'down; it_cleanup' EXIT

check "tools/dev up --test-clock=driven brings ebidd up" up --test-clock=driven
check "  ... on the driven clock" grep -q 'clock="driven"' <(health)
check "  ... and says how to move it" grep -q 'tools/dev clock +SECONDS' "$tmp/up.out"
t0=$(time_s)
check "tools/dev clock +864000 moves it ten days" "$DEV" clock +864000
t1=$(time_s)
check "  ... the server's time is ten days on ($t0 -> $t1)" test $((t1 - t0)) -ge 864000 -a $((t1 - t0)) -lt 864010
check "tools/dev clock INSTANT sets it" "$DEV" clock 2030-01-01T00:00:00.000Z
check "  ... to that instant" grep -q 'time="2030-01-01T00:00:00' <(health)
down
check "tools/dev up --test-clock=accelerated:3600 brings ebidd up" up --test-clock=accelerated:3600
check "  ... on the accelerated clock" grep -q 'clock="accelerated"' <(health)
check "  ... and says a day takes 24 s" grep -q 'a day takes 24 s' "$tmp/up.out"
t0=$(time_s); sleep 2; t1=$(time_s)
check "  ... two seconds are about two hours ($((t1 - t0)) s)" test $((t1 - t0)) -ge 3600
down
timeout 60 "$DEV" up --test-clock=fast >"$tmp/bad.out" 2>&1; rc=$?
check "tools/dev up with a wrong clock option is refused (exit $rc)" test "$rc" != 0
check "  ... with its usage" grep -q 'usage: tools/dev up \[--test-clock' "$tmp/bad.out"
finish

#!/usr/bin/env bash
# tests/integration/test_lifetime.sh
#    Lifetime defects of ebidd found by reading the code (issue 15), each
#    reproduced through the real ebidd and a real PostgreSQL:
#      - SIGTERM while live-sale watchers have their query in flight: the
#        watchers are answered, nothing is used after it is freed (the
#        ASan+UBSan run of this script catches a use-after-free; every run
#        checks that ebidd exits 0, promptly);
#      - watch?after= with a number too big for a sequence: refused;
#      - the database black-holed (postmaster stopped with SIGSTOP, so a
#        new connection is accepted by the kernel and never answered) while
#        the watch's LISTEN connection is lost: the event loop keeps
#        serving, and the watch comes back by itself when the database does.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup

pg_pid() { head -1 "$pgdir/data/postmaster.pid"; }
lock_pid=""
stopped_pg=""
lifetime_cleanup() {
	[ -n "$stopped_pg" ] && kill -CONT "$stopped_pg" 2>/dev/null
	[ -n "$lock_pid" ] && kill "$lock_pid" 2>/dev/null
	it_cleanup
}
trap lifetime_cleanup EXIT

# -- the watch's after=: a number too big for a sequence is refused, not read as 0
code=$(curl_as buyer1 -o "$tmp/after.out" -w '%{http_code}' "$URL/v1/sales/S-2026-0001/watch?after=99999999999999999999")
check "watch after= of 20 digits: 400 bad-after, not a watch from the start" grep -q 'reason="bad-after"' "$tmp/after.out"
check "  ... status 400 ($code)" test "$code" = 400

# -- SIGTERM with watch queries in flight ------------------------------------
# A session holds an exclusive lock on the read model, so every watcher's
# query waits in PostgreSQL: in flight when SIGTERM arrives.
psqlq -c "BEGIN; LOCK TABLE aggregate_state IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;" >/dev/null 2>&1 &
lock_pid=$!
for _ in $(seq 1 50); do
	[ "$(psqlq -c "SELECT count(*) FROM pg_locks WHERE relation = 'aggregate_state'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
	sleep 0.1
done
check "a session holds the read model locked" test "$(psqlq -c "SELECT count(*) FROM pg_locks WHERE relation = 'aggregate_state'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1
wpids=""
for i in $(seq 1 8); do
	curl_as buyer1 -o "$tmp/w$i.out" -w '%{http_code}' "$URL/v1/sales/S-2026-0001/watch?after=0" >"$tmp/w$i.code" 2>/dev/null &
	wpids="$wpids $!"
done
# every watcher's query is waiting on the lock
for _ in $(seq 1 50); do
	[ "$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%aggregate_state%'")" -ge 4 ] && break
	sleep 0.1
done
check "watch queries are in flight (waiting on the lock)" test "$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%aggregate_state%'")" -ge 4
t0=$(date +%s%N)
kill -TERM "$ebidd_pid"
wait "$ebidd_pid"; rc=$?
t1=$(date +%s%N)
ebidd_pid=""
check "SIGTERM with watch queries in flight: exit 0 (was $rc)" test "$rc" = 0
check "  ... within 8 s ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -lt 8000
for p in $wpids; do wait "$p" 2>/dev/null; done
answered=0
for i in $(seq 1 8); do grep -q 'shutting-down' "$tmp/w$i.out" 2>/dev/null && answered=$((answered + 1)); done
check "every parked watcher was answered 'shutting-down' ($answered of 8)" test "$answered" = 8
kill "$lock_pid" 2>/dev/null; wait "$lock_pid" 2>/dev/null; lock_pid=""
psqlq -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
start_ebidd || exit 1

# -- the database black-holed while the watch reconnects ------------------------
for _ in $(seq 1 50); do
	[ "$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN ebid_log'")" -ge 1 ] && break
	sleep 0.1
done
check "the watch LISTENs (asynchronously connected)" test "$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN ebid_log'")" -ge 1
stopped_pg=$(pg_pid)
psqlq -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN ebid_log'" >/dev/null
kill -STOP "$stopped_pg"
sleep 2.5    # the watch retries after 1 s: its new connection is never answered
slow=0
for i in 1 2 3; do
	t0=$(date +%s%N)
	timeout 3 "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" whoami >/dev/null 2>&1 || slow=$((slow + 1))
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	[ "$ms" -lt 1000 ] || slow=$((slow + 1))
done
check "the event loop keeps serving while the database is black-holed (last whoami ${ms} ms)" test "$slow" = 0
kill -CONT "$stopped_pg"; stopped_pg=""
back=0
for _ in $(seq 1 150); do
	[ "$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN ebid_log'")" -ge 1 ] && { back=1; break; }
	sleep 0.1
done
check "the watch LISTENs again once the database answers" test "$back" = 1
check "ebidd still answers health" curl_as auditor -f -o /dev/null "$URL/v1/health"

finish

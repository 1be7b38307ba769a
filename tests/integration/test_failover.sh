#!/usr/bin/env bash
# tests/integration/test_failover.sh
#    No bid lost when the database server fails (issue 21 point 4), on one
#    machine: a primary and a synchronous standby (PostgreSQL streaming
#    replication, synchronous_standby_names, synchronous_commit = on), ebidd
#    on a multi-host connection string (target_session_attrs=read-write).
#    During a surge of sealed bids from five bidders (ebid, retrying by
#    itself on no reply), the primary is stopped at once (immediate) and
#    the standby promoted.  Then: every bid that got an accepted reply is in
#    the new primary's log, once; no command is there twice; the log
#    verifies (ebid-audit verify --db).  Prints the figures: commands
#    acknowledged, in flight at the stop, the time without service.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PGPORT_B=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
# durable, as production: fsync and synchronous_commit on (lib.sh pg_up)
export EBID_PG_FSYNC=on
it_prepare
pg_start || exit 1
pgdirA=$pgdir

# -- the standby -----------------------------------------------------------
pgdirB=$(mktemp -d /tmp/pgtest.XXXXXX)
[ ${#RUNAS[@]} -gt 0 ] && chown postgres: "$pgdirB"
standby_cleanup() {
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdirB/data" -m immediate -w stop >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$pgdirB"
	it_cleanup
}
trap standby_cleanup EXIT
(cd / && "${RUNAS[@]}" "$PGBIN/pg_basebackup" -h "$pgdirA" -p "$PGPORT_T" -U postgres \
	-D "$pgdirB/data" -R -X stream --checkpoint=fast) >"$tmp/basebackup.out" 2>&1
check "pg_basebackup makes the standby" test -f "$pgdirB/data/standby.signal"
(cd / && "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdirB/data" -l "$pgdirB/server.log" -w -t 60 \
	-o "-k $pgdirB -p $PGPORT_B -c listen_addresses=127.0.0.1 -c cluster_name=standby1 -c fsync=off" \
	start >/dev/null) || { cat "$pgdirB/server.log"; say "the standby did not start"; exit 1; }
for _ in $(seq 1 100); do
	[ "$(psqlq -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 1 ] && break
	sleep 0.1
done
psqlq -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 1 100); do
	[ "$(psqlq -c "SELECT sync_state FROM pg_stat_replication")" = sync ] && break
	sleep 0.1
done
check "the standby streams synchronously" test "$(psqlq -c "SELECT sync_state FROM pg_stat_replication")" = sync
check "  ... with synchronous_commit = on" test "$(psqlq -c "SHOW synchronous_commit")" = on

# -- ebidd on both, whichever is primary -------------------------------------
DB="host=$pgdirA,$pgdirB port=$PGPORT_T,$PGPORT_B user=ebid_server dbname=ebid target_session_attrs=read-write connect_timeout=2"
DB_OWNER="host=$pgdirA,$pgdirB port=$PGPORT_T,$PGPORT_B user=ebid_owner dbname=ebid target_session_attrs=read-write connect_timeout=2"
write_conf
start_ebidd || exit 1
psqlB() { "$PGBIN/psql" -X -q -A -t -h "$pgdirB" -p "$PGPORT_B" -U postgres -d ebid "$@"; }

BIDS=$SRC/tests/data/bids
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
T=$(ebid_as tenderer tender register "$tmp/t.xml" | awk '/ registered$/ {print $2}')
ebid_as registrar tender accept "$T" >/dev/null
ebid_as supervisor tender publish "$T" >/dev/null
wait_state tender "$T" bidding
for i in 1 2 3 4 5; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null
	ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null
done
check "tender $T is bidding, five bidders signed up" test "$(state_of tender "$T")" = bidding

# every bidder seals ROUNDS bids (each a new signed envelope) before the surge
ROUNDS=12
for i in 1 2 3 4 5; do
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-$i-*.xml)" >"$tmp/b$i.xml"
	for r in $(seq 1 $ROUNDS); do
		ebid_as "bidder$i" bid seal --tender "$T" "$tmp/b$i.xml" -o "$tmp/b$i.$r.sealed" >/dev/null 2>&1
	done
done
check "$((5 * ROUNDS)) sealed bids ready" test "$(ls "$tmp"/b*.*.sealed | wc -l)" = $((5 * ROUNDS))

# -- the surge, and the primary lost in the middle ---------------------------
surge() { # surge BIDDER: submit its bids one after the other, noting each reply
	local i=$1 r t0 t1
	for r in $(seq 1 $ROUNDS); do
		t0=$(date +%s%N)
		if EBID_RETRY_SECONDS=90 ebid_as "bidder$i" bid submit --tender "$T" "$tmp/b$i.$r.sealed" \
			-o "$tmp/b$i.$r.receipt" >"$tmp/s$i.$r.out" 2>"$tmp/s$i.$r.err"; then
			t1=$(date +%s%N)
			echo "$i $r ok $t0 $t1" >>"$tmp/acks.$i"
		else
			echo "$i $r fail $t0 $(date +%s%N)" >>"$tmp/acks.$i"
		fi
	done
}
pids=()
for i in 1 2 3 4 5; do surge "$i" & pids+=($!); done
sleep 1.5
stop_ns=$(date +%s%N)
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdirA/data" -m immediate stop >/dev/null 2>&1
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdirB/data" -w promote >/dev/null 2>&1
promoted_ns=$(date +%s%N)
for p in "${pids[@]}"; do wait "$p"; done
cat "$tmp"/acks.* >"$tmp/acks"

acked=$(grep -c ' ok ' "$tmp/acks")
failed=$(grep -c ' fail ' "$tmp/acks")
inflight=$(awk -v s="$stop_ns" '$4 < s && $5 > s' "$tmp/acks" | wc -l)
# without service: from the stop to the first acknowledged command that
# was sent after it; the in-flight ones: their longest wait
gap_ms=$(awk -v s="$stop_ns" '$3 == "ok" && $4 >= s { if (min == "" || $5 < min) min = $5 } END { print (min == "" ? "?" : int((min - s) / 1e6)) }' "$tmp/acks")
wait_ms=$(awk -v s="$stop_ns" '$4 < s && $5 > s { w = ($5 - $4) / 1e6; if (w > max) max = w } END { print int(max) }' "$tmp/acks")
check "every submission got an accepted reply ($acked of $((5 * ROUNDS)), $failed failed)" test "$acked" = $((5 * ROUNDS))
check "the primary was really lost mid-surge ($inflight command(s) in flight at the stop)" test "$inflight" -ge 1
check "ebid said it sent the same bytes again" grep -q 'sending the same signed command again' "$tmp"/s*.err

# -- nothing lost, nothing doubled ------------------------------------------
lost=0
while read -r i r res _; do
	[ "$res" = ok ] || continue
	sha=$(openssl dgst -sha256 -binary "$tmp/b$i.$r.sealed" | od -An -tx1 | tr -d ' \n')
	n=$(psqlB -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND command_sha256 = decode('$sha', 'hex')")
	[ "$n" = 1 ] || { lost=$((lost + 1)); say "bidder$i bid $r: $n entries in the new primary"; }
done <"$tmp/acks"
check "every acknowledged bid is in the new primary's log once (lost $lost)" test "$lost" = 0
doubled=$(psqlB -c "SELECT count(*) FROM (SELECT command_sha256 FROM log GROUP BY command_sha256 HAVING count(*) > 1) d")
check "no command is in the log twice (doubled $doubled)" test "$doubled" = 0
check "the new primary's log verifies (ebid-audit verify --db)" "$AUDIT" verify --db "host=$pgdirB port=$PGPORT_B user=postgres dbname=ebid" --tender "$T" --ca "$C/ca.crt"
dups=$(cat "$tmp"/s*.out | grep -c 'sent before' || true)
say "figures: $acked bids acknowledged by 5 clients ($dups answered from the log after a resend), $inflight in flight at the stop (the longest waited ${wait_ms} ms for its reply), service back ${gap_ms} ms after the stop (the promotion took $(( (promoted_ns - stop_ns) / 1000000 )) ms), lost $lost, doubled $doubled"
finish

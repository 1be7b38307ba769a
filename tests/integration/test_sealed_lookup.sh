#!/usr/bin/env bash
# tests/integration/test_sealed_lookup.sh
#    A sealed bid's bytes are looked up before its turn (a resend gets its
#    first reply, with its receipt): on a tender this ebidd holds in its
#    cache, the cached commands of every folded or decided entry answer
#    that look-up when none has these bytes (engine/server/commands.c
#    job_enqueue, docs/performance.md "sixth pass: the deadline surge"),
#    so an accepted bid costs the database no look-up; otherwise the
#    database answers, as before.  Checked through ebidd's metrics
#    (ebid_command_lookups_total) and the replies:
#      - a new bid on the cached tender: looked up in the cache only;
#      - its bytes sent again: looked up in the database, the first entry
#        answers (duplicate=yes), the log holds them once;
#      - with `cache_bytes = 0` (nothing cached): the database answers;
#      - a second ebidd on the same database holding the tender in its
#        cache before another bid is appended by the first one: that
#        bid's bytes sent to the second ebidd get the first entry back
#        (its cache was behind: the look-up happens in the turn, on the
#        state folded again), and the log holds them once.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
PORT2=$(free_port)
MPORT=$(free_port)
MPORT2=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="metrics_listen = $MPORT"
it_setup
URL2=https://127.0.0.1:$PORT2
# every statement in PostgreSQL's log (not their parameters): the batch
# append runs as the statement prepared on each connection
# (engine/store/store.c query_named: "eb_s<N>"), never sent unnamed
psqlq -c "ALTER SYSTEM SET log_min_duration_statement = 0" \
	-c "ALTER SYSTEM SET log_parameter_max_length = 0" -c "SELECT pg_reload_conf()" >/dev/null

metric() { # metric PORT NAME{LABELS}: its value, "absent" when not shown
	curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }'
}
dbl() { metric "${1:-$MPORT}" 'ebid_command_lookups_total{by="database"}'; }
cachel() { metric "${1:-$MPORT}" 'ebid_command_lookups_total{by="cache"}'; }
sha_of() { openssl dgst -sha256 -binary "$1" | od -An -tx1 | tr -d ' \n'; }
in_log() { psqlq -c "SELECT count(*) FROM log WHERE command_sha256 = decode('$(sha_of "$1")', 'hex')"; }
seq_of() { grep -o '^accepted: [^ ]* seq [0-9]*' "$1" | awk '{print $4}'; }

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
T=$(ebid_as tenderer tender register "$tmp/t.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
check "registrar accepts it" ebid_as registrar tender accept "$T"
check "supervisor publishes it" ebid_as supervisor tender publish "$T" --text "Announcement."
check "it is open for bids" wait_state tender "$T" bidding
for b in bidder1 bidder2 bidder3; do
	ebid_as "$b" tender sign-up "$T" >/dev/null 2>&1
	ebid_as registrar tender confirm-sign-up "$T" bidder="$b" >/dev/null 2>&1
done
check "three bidders signed up and confirmed" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND position('<sign-up-confirmed'::bytea IN events) > 0")" = 3
seal() { # seal BIDDER N: the sealed bid in $tmp/bN.sealed
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$SRC/tests/data/bids/bid-1-quancheng.xml" >"$tmp/b$2.xml"
	ebid_as "$1" bid seal --tender "$T" "$tmp/b$2.xml" -o "$tmp/b$2.sealed" >/dev/null 2>&1
}

# -- a new bid on the cached tender -----------------------------------------
seal bidder1 1
d0=$(dbl) c0=$(cachel)
EBID_KEEP_SIGNED=$tmp/k1.cms ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" -o "$tmp/b1.receipt" >"$tmp/s1.out" 2>&1
check "bidder1's sealed bid accepted" grep -q '^accepted: ' "$tmp/s1.out"
check "  ... with its receipt" test -s "$tmp/b1.receipt"
d1=$(dbl) c1=$(cachel)
check "  ... its bytes ruled out by the cached tender ($c0 -> $c1 cache look-ups)" test "$c1" = "$((c0 + 1))"
check "  ... no look-up in the database ($d0 -> $d1)" test "$d1" = "$d0"

# -- the same bytes again: the database answers with the first entry ----------
ebid_as bidder1 send "$tmp/k1.cms" >"$tmp/s1b.out" 2>&1
check "sent again, the first entry answers (seq $(seq_of "$tmp/s1.out"))" \
	grep -q "^accepted: aggregate=$T seq=$(seq_of "$tmp/s1.out") .*duplicate=yes" "$tmp/s1b.out"
d2=$(dbl)
check "  ... looked up in the database ($d1 -> $d2)" test "$d2" -gt "$d1"
check "  ... and the log holds it once" test "$(in_log "$tmp/k1.cms")" = 1
check "the batch appends ran as the prepared statement" grep -Eq 'execute eb_s[0-9]+: SELECT eb_append_batch' "$pgdir/server.log"
refused "  ... never sent unnamed" grep -q 'execute <unnamed>: SELECT eb_append_batch' "$pgdir/server.log"

# -- a second ebidd whose cache is behind ------------------------------------------
up2=no
it_second_ebidd "s/^metrics_listen = .*/metrics_listen = $MPORT2/" && up2=yes
check "a second ebidd serves the same database" test "$up2" = yes
ebid2_as() { local who=$1; shift; "$EBID" --url "$URL2" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "$@"; }
# a view folds the tender into the second ebidd's cache
ebid2_as supervisor tender show "$T" >/dev/null 2>&1
check "the second ebidd holds the tender in its cache" test "$(metric "$MPORT2" ebid_aggregates_cached)" -ge 1
seal bidder2 2
EBID_KEEP_SIGNED=$tmp/k2.cms ebid_as bidder2 bid submit --tender "$T" "$tmp/b2.sealed" >"$tmp/s2.out" 2>&1
check "bidder2's sealed bid accepted by the first ebidd" grep -q '^accepted: ' "$tmp/s2.out"
ebid2_as bidder2 send "$tmp/k2.cms" >"$tmp/s2b.out" 2>&1
check "the same bytes sent to the second ebidd: the first entry answers (seq $(seq_of "$tmp/s2.out"))" \
	grep -q "^accepted: aggregate=$T seq=$(seq_of "$tmp/s2.out") .*duplicate=yes" "$tmp/s2b.out"
check "  ... and the log holds them once" test "$(in_log "$tmp/k2.cms")" = 1
say "     (the second ebidd's look-ups: cache $(cachel "$MPORT2"), database $(dbl "$MPORT2"); appends $(metric "$MPORT2" 'ebid_appends_total{result="conflict"}') head-moved)"
check "  ... the second ebidd looked them up in the database" test "$(dbl "$MPORT2")" -ge 1
seal bidder3 3
EBID_KEEP_SIGNED=$tmp/k3.cms ebid2_as bidder3 bid submit --tender "$T" "$tmp/b3.sealed" >"$tmp/s3.out" 2>&1
check "a new bid through the second ebidd is accepted" grep -q '^accepted: ' "$tmp/s3.out"
check "  ... once in the log" test "$(in_log "$tmp/k3.cms")" = 1

# -- nothing cached: the database answers -----------------------------------------
kill -TERM "$ebidd2_pid"; wait "$ebidd2_pid" 2>/dev/null; ebidd2_pid=
IT_EXTRA_CONF="metrics_listen = $MPORT
cache_bytes = 0"
write_conf
restart_ebidd
seal bidder1 4
d0=$(dbl) c0=$(cachel)
ebid_as bidder1 bid submit --tender "$T" "$tmp/b4.sealed" >"$tmp/s4.out" 2>&1
check "with nothing cached, bidder1's new bid is accepted" grep -q '^accepted: ' "$tmp/s4.out"
d1=$(dbl) c1=$(cachel)
check "  ... looked up in the database ($d0 -> $d1)" test "$d1" -gt "$d0"
check "  ... not in the cache ($c0 -> $c1)" test "$c1" = "$c0"
check "ebid-audit verifies the tender's log" "$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"
finish

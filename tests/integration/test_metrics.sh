#!/usr/bin/env bash
# tests/integration/test_metrics.sh
#    ebidd's Prometheus metrics (engine/server/metrics.c) on a real ebidd:
#      `metrics_listen = PORT` listens on loopback only; GET /metrics
#      answers the text format, which `promtool check metrics` (Debian's
#      prometheus) accepts, before and after a scenario; nothing else is
#      served there (404, POST refused);
#      the values move with a scenario through the real `ebid`: requests
#      by endpoint and status and their latency histogram, commands
#      accepted, commands refused by reason, appends and their latency,
#      timers pending once a tender is announced (its deadline), open
#      connections, worker threads, process memory; the database state
#      goes to 0 when PostgreSQL stops and back to 1 when it returns;
#      ids never become label values (:id).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="metrics_listen = $MPORT"
it_setup
M=http://127.0.0.1:$MPORT/metrics
command -v promtool >/dev/null || { bad "promtool is missing (package prometheus, tools/packages.txt)"; finish; }

scrape() { curl -s -o "$tmp/$1.prom" -w '%{http_code}' "$M"; }
# value FILE SERIES: the value of one series line (exact name and labels), or "absent"
value() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }' "$tmp/$1.prom"; }
promcheck() { promtool check metrics <"$tmp/$1.prom"; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# -- the listener ---------------------------------------------------------------
check "metrics_listen = PORT listens on 127.0.0.1 only" bash -c "ss -ltn | grep -q '127.0.0.1:$MPORT ' && ! ss -ltn | grep -qE '(0.0.0.0|\\*|\\[::\\]):$MPORT '"
st=$(scrape before)
check "GET /metrics answers 200 ($st)" test "$st" = 200
check "in the Prometheus text format" bash -c "curl -sI '$M' | grep -qi '^Content-Type: text/plain; version=0.0.4'"
check "promtool check metrics accepts it" promcheck before
st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/v1/health")
check "the API is not on the metrics listener ($st)" test "$st" = 404
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M")
check "POST is refused there ($st)" test "$st" = 405 -o "$st" = 501
check "the database is up" test "$(value before ebid_database_up)" = 1
check "process memory is reported" gt "$(value before process_resident_memory_bytes)" 1000000
check "the worker threads are reported" test "$(value before 'ebid_workers{state="started"}')" = 2
check "no timer pending yet" test "$(value before ebid_timers_pending)" = 0

# -- a scenario -------------------------------------------------------------------
for _ in 1 2 3; do ebid_as auditor health >/dev/null; done
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
refused "a bidder cannot accept a registration" ebid_as bidder1 tender accept "$T"
check "registrar accepts" ebid_as registrar tender accept "$T"
check "supervisor publishes" ebid_as supervisor tender publish "$T" --text "Announcement."
check "bidding" wait_state tender "$T" bidding
ebid_as tenderer tender show "$T" >/dev/null
# a connection held open while scraping
exec 7<>/dev/tcp/127.0.0.1/$PORT
st=$(scrape after)
check "GET /metrics after the scenario ($st)" test "$st" = 200
check "promtool check metrics accepts it after the scenario" promcheck after
h0=$(value before 'ebid_http_requests_total{endpoint="/v1/health",status="200"}')
h1=$(value after 'ebid_http_requests_total{endpoint="/v1/health",status="200"}')
[ "$h0" = absent ] && h0=0
check "health requests counted by endpoint and status ($h0 -> $h1)" gt "$h1" "$h0"
check "the latency histogram of an endpoint counts them" gt "$(value after 'ebid_http_request_duration_seconds_count{endpoint="/v1/health"}')" 2
check "its +Inf bucket is its count" test "$(value after 'ebid_http_request_duration_seconds_bucket{endpoint="/v1/health",le="+Inf"}')" = "$(value after 'ebid_http_request_duration_seconds_count{endpoint="/v1/health"}')"
check "a tender's reads are one endpoint, the id as :id" test "$(value after 'ebid_http_requests_total{endpoint="/v1/tenders/:id",status="200"}')" != absent
check "no id is a label value" bash -c "! grep -q '$T' '$tmp/after.prom'"
a1=$(value after 'ebid_commands_total{outcome="accepted"}')
check "commands accepted: registration, acceptance, publication, the opening key ($a1)" gt "$a1" 3
check "the refusal counted by its reason" grep -q '^ebid_commands_refused_total{reason="[a-z-]*"} 1$' "$tmp/after.prom"
check "commands refused: 1" test "$(value after 'ebid_commands_total{outcome="refused"}')" = 1
check "appends counted" test "$(value after 'ebid_appends_total{result="ok"}')" = "$a1"
check "the append latency histogram counts each append" test "$(value after ebid_append_duration_seconds_count)" = "$a1"
check "the append latency sum is positive" gt "$(value after ebid_append_duration_seconds_sum)" 0
check "the tender's deadline is a timer pending" test "$(value after ebid_timers_pending)" = 1
check "the open connection is counted" gt "$(value after ebid_connections_open)" 0
exec 7>&-

# -- the deadline passes with no bid: the tender fails, no timer is left -------------
clock_to "$deadline"
for _ in $(seq 1 50); do [ "$(state_of tender "$T")" != bidding ] && break; sleep 0.1; done
check "past the deadline the tender left bidding ($(state_of tender "$T"))" test "$(state_of tender "$T")" != bidding
scrape deadline >/dev/null
check "the deadline's timer fired: none pending" test "$(value deadline ebid_timers_pending)" = 0
check "the system command counted as accepted" gt "$(value deadline 'ebid_commands_total{outcome="accepted"}')" "$a1"

# -- the database goes away and comes back ------------------------------------------
pg_down
up=1
for _ in $(seq 1 50); do
	ebid_as auditor health >/dev/null 2>&1
	scrape down >/dev/null
	up=$(value down ebid_database_up)
	[ "$up" = 0 ] && break
	sleep 0.2
done
check "with PostgreSQL stopped the database is down (ebid_database_up $up)" test "$up" = 0
check "promtool accepts the metrics with the database down" promcheck down
pg_up
for _ in $(seq 1 50); do
	scrape back >/dev/null
	up=$(value back ebid_database_up)
	[ "$up" = 1 ] && break
	sleep 0.2
done
check "and up again when it returns (ebid_database_up $up)" test "$up" = 1

finish

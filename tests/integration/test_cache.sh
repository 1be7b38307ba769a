#!/usr/bin/env bash
# tests/integration/test_cache.sh
#    The aggregate cache bounded by memory (engine/server/aggs.c, issue 21
#    point 7): with `cache_bytes = 0` every aggregate is evicted as soon
#    as it is idle, so each command and each view of a tender folds its
#    log again; the tender still goes through its steps, a view still
#    shows them, the metrics count the evictions and show an empty cache
#    at rest, and ebid-audit verifies the log.  Then ebidd is restarted
#    with the default limit: the same steps keep the tender cached.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="metrics_listen = $MPORT
cache_bytes = 0"
it_setup
M=http://127.0.0.1:$MPORT/metrics
AUDIT=$BUILD/ebid-audit
metric() { curl -s "$M" | awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

check "the limit is reported (0)" test "$(metric ebid_aggregate_cache_limit_bytes)" = 0
e0=$(metric ebid_aggregate_evictions_total)
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
check "nothing is kept once it is idle: 0 aggregates cached" test "$(metric ebid_aggregates_cached)" = 0
check "and 0 bytes" test "$(metric ebid_aggregate_cache_bytes)" = 0
check "registrar accepts the evicted tender (folded from the log)" ebid_as registrar tender accept "$T"
refused "a bidder still cannot accept it (decided on the refolded state)" ebid_as bidder1 tender accept "$T"
check "supervisor publishes it" ebid_as supervisor tender publish "$T" --text "Announcement."
check "bidding (ebidd's own step on the evicted tender)" wait_state tender "$T" bidding
check "the view shows the state after every eviction" bash -c "'$EBID' --url '$URL' --ca '$C/ca.crt' --cert '$C/tenderer.crt' --key '$C/tenderer.key' tender show '$T' | grep -q bidding"
e1=$(metric ebid_aggregate_evictions_total)
check "evictions counted ($e0 -> $e1)" gt "$e1" "$e0"
check "the cache is empty at rest" test "$(metric ebid_aggregates_cached)" = 0
check "ebid-audit verifies the log" "$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"

# the default limit keeps it
IT_EXTRA_CONF="metrics_listen = $MPORT"
write_conf
restart_ebidd
check "the default limit is 256 MiB" test "$(metric ebid_aggregate_cache_limit_bytes)" = 268435456
ebid_as tenderer tender show "$T" >/dev/null
check "with it, the tender stays cached after a view" gt "$(metric ebid_aggregates_cached)" 0
b=$(metric ebid_aggregate_cache_bytes)
check "its estimated bytes are counted ($b)" gt "$b" 2048
check "nothing evicted" test "$(metric ebid_aggregate_evictions_total)" = 0
finish

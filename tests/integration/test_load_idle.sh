#!/usr/bin/env bash
# tests/integration/test_load_idle.sh
#    The load generator's idle scenario (tools/ebid-load.c, `idle`, the
#    bench's idle-connections row) against a real ebidd and PostgreSQL:
#    a few dozen TLS connections each GET /v1/whoami and are then held.
#    Cycled (14 party certificates) and --distinct (each connection a
#    certificate of its own, issued in memory by the test CA): every
#    connection must open, ebidd must have answered each whoami (/metrics)
#    and held the connections open (ebid_connections_open during the
#    hold), and the parties ebidd named in its whoami replies must be 14
#    cycled and one per connection with --distinct: a --distinct whose
#    certificates are not distinct (the same one presented twice, or the
#    shared certificates instead) fails here.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
LOAD=$BUILD/ebid-load
[ -x "$LOAD" ] || { say "missing $LOAD (build it first)"; exit 1; }
IT_EXTRA_CONF="metrics_listen = $MPORT"
it_setup
M=http://127.0.0.1:$MPORT/metrics
N=40

# whoami200: GET /v1/whoami answered 200, from /metrics
whoami200() { curl -s "$M" | awk '$1 == "ebid_http_requests_total{endpoint=\"/v1/whoami\",status=\"200\"}" { n = $2 } END { print n + 0 }'; }
conns_open() { curl -s "$M" | awk '$1 == "ebid_connections_open" { n = $2 } END { print n + 0 }'; }
# kv FILE KEY: a value of the result line
kv() { sed -n 's/^result: .*\b'"$2"'=\([^ ]*\).*/\1/p' "$1" | tail -n 1; }

# idle NAME [OPTIONS...]: one run of N connections held 3 s; checks what
# it reports against ebidd's own counts; sets $out and $peak
idle() {
	local name=$1 w0 w1 pid rc t
	shift
	out=$tmp/idle-$name.txt
	w0=$(whoami200)
	"$LOAD" --pid "$ebidd_pid" idle --url "$URL" --certs "$C" --conns $N \
		--duration 30 --hold 3 "$@" >"$out" 2>&1 &
	pid=$!
	# the most connections ebidd had open while the tool ran
	peak=0
	for t in $(seq 1 200); do
		kill -0 $pid 2>/dev/null || break
		n=$(conns_open)
		[ "$n" -gt "$peak" ] && peak=$n
		sleep 0.1
	done
	wait $pid
	rc=$?
	w1=$(whoami200)
	check "$name: ebid-load idle ran (exit 0)" test $rc = 0
	check "$name: a result line" grep -q '^result: scenario=idle ' "$out"
	check "$name: all $N connections opened ($(kv "$out" opened)), none failed ($(kv "$out" failed))" \
		test "$(kv "$out" opened)" = $N -a "$(kv "$out" failed)" = 0
	check "$name: ebidd answered $N whoami ($((w1 - w0)))" test $((w1 - w0)) = $N
	check "$name: ebidd held the $N connections open (at most $peak seen)" test "$peak" -ge $N
	check "$name: every whoami named a party" test "$(kv "$out" unnamed)" = 0
	check "$name: ebidd's memory reported ($(kv "$out" rss_kib) KiB)" test "$(kv "$out" rss_kib)" -gt 0
}

idle cycled
check "cycled: reported as not distinct" test "$(kv "$out" distinct)" = 0
check "cycled: ebidd named the 14 parties cycled through ($(kv "$out" parties))" test "$(kv "$out" parties)" = 14
idle distinct --distinct
check "distinct: reported as distinct" test "$(kv "$out" distinct)" = 1
check "distinct: ebidd named $N distinct parties, one per connection ($(kv "$out" parties))" test "$(kv "$out" parties)" = $N
check "distinct: the certificates were issued" grep -q "^ebid-load: $N certificates issued" "$out"
finish

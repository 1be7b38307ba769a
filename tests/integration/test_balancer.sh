#!/usr/bin/env bash
# tests/integration/test_balancer.sh
#    Several ebidd behind a load balancer (issue 21 point 5): two ebidd on
#    one database behind HAProxy in TCP mode (mutual TLS end to end: the
#    client's certificate reaches ebidd), health-checked on /v1/health over
#    TLS with a certificate of its own.  During a surge of sealed bids from
#    five bidders through HAProxy, one ebidd is killed (SIGKILL); clients
#    retry the same bytes through HAProxy: every acknowledged bid is in the
#    log once, nothing twice, the log verifies.  Then both ebidd's clocks
#    pass the bid deadline: the deadline timer fires in both, the log keeps
#    it once.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
PORT2=$(free_port)
HPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
command -v haproxy >/dev/null || { say "haproxy is not installed (tools/packages.txt)"; exit 1; }
it_setup
pid1=$ebidd_pid

# the second ebidd: same database, its own port, pid and log
sed "s/^listen = .*/listen = 127.0.0.1:$PORT2/; s|^pid_file = .*|pid_file = $tmp/ebidd2.pid|; s|^log_file = .*|log_file = $tmp/ebidd2.log|" \
	"$tmp/ebidd.conf" >"$tmp/ebidd2.conf"
"$EBIDD" --config "$tmp/ebidd2.conf" --test-clock=driven >>"$tmp/ebidd2.out" 2>&1 &
pid2=$!
hpid=""
balancer_cleanup() {
	[ -n "$hpid" ] && kill "$hpid" 2>/dev/null
	kill -TERM "$pid2" 2>/dev/null; wait "$pid2" 2>/dev/null
	it_cleanup
}
trap balancer_cleanup EXIT
for _ in $(seq 1 100); do
	curl -s -o /dev/null --cacert "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" "https://127.0.0.1:$PORT2/v1/health" && break
	sleep 0.1
done

cat "$C/auditor.crt" "$C/auditor.key" >"$tmp/hc.pem"
cat >"$tmp/haproxy.cfg" <<CFG
global
	maxconn 2000
defaults
	mode tcp
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	retries 2
	option redispatch
frontend ebid
	bind 127.0.0.1:$HPORT
	default_backend ebidd
backend ebidd
	balance roundrobin
	option httpchk GET /v1/health
	http-check expect status 200
	default-server inter 300ms fall 2 rise 2 check check-ssl verify required ca-file $C/ca.crt crt $tmp/hc.pem
	server e1 127.0.0.1:$PORT
	server e2 127.0.0.1:$PORT2
CFG
haproxy -c -f "$tmp/haproxy.cfg" >"$tmp/haproxy-check.out" 2>&1
check "haproxy accepts the configuration" grep -q 'Configuration file is valid' "$tmp/haproxy-check.out"
haproxy -f "$tmp/haproxy.cfg" -db >"$tmp/haproxy.out" 2>&1 &
hpid=$!
LB=https://127.0.0.1:$HPORT
lb_as() { local who=$1; shift; "$EBID" --url "$LB" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "$@"; }
sleep 1
for who in bidder1 bidder2; do
	lb_as "$who" whoami >"$tmp/who.$who" 2>&1
done
check "through HAProxy, ebidd sees the client's own certificate (bidder1)" grep -q 'bidder1' "$tmp/who.bidder1"
check "  ... and bidder2's" grep -q 'bidder2' "$tmp/who.bidder2"
grep -o 'req id=[^ ]* peer=bidder[12]' "$tmp/ebidd.log" "$tmp/ebidd2.log" >/dev/null 2>&1
for _ in 1 2 3 4 5 6; do lb_as auditor health >/dev/null 2>&1; done
check "both ebidd serve requests through HAProxy" \
	test "$(grep -c 'path=/v1/health status=200' "$tmp/ebidd.log")" -gt 0 -a "$(grep -c 'path=/v1/health status=200' "$tmp/ebidd2.log")" -gt 0

# -- a tender in bidding, five bidders --------------------------------------
BIDS=$SRC/tests/data/bids
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
T=$(lb_as tenderer tender register "$tmp/t.xml" | awk '/ registered$/ {print $2}')
lb_as registrar tender accept "$T" >/dev/null
lb_as supervisor tender publish "$T" >/dev/null
wait_state tender "$T" bidding
for i in 1 2 3 4 5; do
	lb_as "bidder$i" tender sign-up "$T" >/dev/null
	lb_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null
done
check "tender $T is bidding, five bidders signed up through HAProxy" test "$(state_of tender "$T")" = bidding
ROUNDS=10
for i in 1 2 3 4 5; do
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-$i-*.xml)" >"$tmp/b$i.xml"
	for r in $(seq 1 $ROUNDS); do
		ebid_as "bidder$i" bid seal --tender "$T" "$tmp/b$i.xml" -o "$tmp/b$i.$r.sealed" >/dev/null 2>&1
	done
done

# -- the surge through HAProxy; one ebidd killed in the middle -----------------
surge() {
	local i=$1 r
	for r in $(seq 1 $ROUNDS); do
		if EBID_RETRY_SECONDS=60 lb_as "bidder$i" bid submit --tender "$T" "$tmp/b$i.$r.sealed" \
			-o "$tmp/b$i.$r.receipt" >"$tmp/s$i.$r.out" 2>"$tmp/s$i.$r.err"; then
			echo "$i $r ok" >>"$tmp/acks.$i"
		else
			echo "$i $r fail" >>"$tmp/acks.$i"
		fi
	done
}
pids=()
for i in 1 2 3 4 5; do surge "$i" & pids+=($!); done
sleep 1.5
kill -KILL "$pid1"
wait "$pid1" 2>/dev/null
for p in "${pids[@]}"; do wait "$p"; done
cat "$tmp"/acks.* >"$tmp/acks"
acked=$(grep -c ' ok' "$tmp/acks")
check "every submission got an accepted reply ($acked of $((5 * ROUNDS)))" test "$acked" = $((5 * ROUNDS))
lost=0
while read -r i r res; do
	[ "$res" = ok ] || continue
	sha=$(openssl dgst -sha256 -binary "$tmp/b$i.$r.sealed" | od -An -tx1 | tr -d ' \n')
	[ "$(psqlq -c "SELECT count(*) FROM log WHERE command_sha256 = decode('$sha', 'hex')")" = 1 ] || lost=$((lost + 1))
done <"$tmp/acks"
check "every acknowledged bid is in the log once (lost $lost)" test "$lost" = 0
doubled=$(psqlq -c "SELECT count(*) FROM (SELECT command_sha256 FROM log GROUP BY 1 HAVING count(*) > 1) d")
check "no command twice (doubled $doubled)" test "$doubled" = 0
check "the second ebidd took the requests after the kill" grep -q 'peer=bidder.*path=/v1/commands status=200' "$tmp/ebidd2.log"

# -- timers: both ebidd pass the deadline, the log keeps it once -------------
start_ebidd || exit 1
pid1=$ebidd_pid
late=$(iso_plus "$deadline" 1)
curl_as supervisor -X POST --data "$late" "https://127.0.0.1:$PORT/v1/test/clock" >/dev/null
curl_as supervisor -X POST --data "$late" "https://127.0.0.1:$PORT2/v1/test/clock" >/dev/null
for _ in $(seq 1 100); do
	[ "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND position('<deadline-reached'::bytea IN events) > 0")" -ge 1 ] && break
	sleep 0.1
done
sleep 1
check "the deadline fired in both processes and is in the log once" \
	test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND position('<deadline-reached'::bytea IN events) > 0")" = 1
check "the log verifies (ebid-audit verify --db)" "$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"
say "figures: $acked bids through HAProxy, one ebidd killed mid-surge, $(cat "$tmp"/s*.err | grep -c 'sending the same signed command again') resend(s), $(cat "$tmp"/s*.out | grep -c 'sent before') answered from the log, lost $lost, doubled $doubled"
finish

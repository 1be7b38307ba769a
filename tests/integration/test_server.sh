#!/usr/bin/env bash
# tests/integration/test_server.sh
#    ebidd end to end: a throwaway PostgreSQL, a real ebidd on 127.0.0.1,
#    the real `ebid` client and curl/openssl as independent clients.
#
#    usage: test_server.sh   (CTest passes EBID_SRC and EBID_BUILD)
#    env:   EBID_CERTS  folder with ca.crt, server.*, tsa.*, NAME.crt/key,
#                       stranger.*, expired.* (made with
#                       certs/make-dev-certs.sh into a temp dir if unset)
#           EBID_SRC, EBID_BUILD  source and build folders
#    ports: free ones, picked at start (tests/integration/ports.sh)
#           EBID_PG_FSYNC=on  a durable cluster (fsync, synchronous_commit) for
#                       measuring appends; default off (speed)
#
# Checks: migrations (and that they run once), whoami for every role, no
# client certificate / another CA / an expired certificate refused at the
# TLS layer, body over the limit -> 413 XML error, health reports the
# database (and "down" when it is gone), signer != TLS peer -> 403,
# malformed XML -> 400 with the schema reason, unknown command -> 404,
# the log's append-only trigger, SIGTERM -> exit 0 and pid file removed.
# Everything started here is stopped by the EXIT trap, by pid.
set -uo pipefail

SRC=${EBID_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${EBID_BUILD:-$SRC/build}
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
PORT2=$(free_port)   # a second ebidd on the same database
PORT3=$(free_port)   # a third one (system clock, accelerated clock)
. "$(dirname "$0")/lib.sh"
ebidd2_pid=""
has() { grep -qi -- "$1" <<<"$2"; }   # has PATTERN TEXT
command -v curl >/dev/null || { say "curl is required"; exit 1; }

it_prepare
pg_start || { say "cannot start PostgreSQL"; exit 1; }
write_conf "max_body = 65536" "idle_timeout = 30"

# -- migrations --------------------------------------------------------------
out=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1)
check "migrate applies every file" test "$(psqlq -c 'SELECT count(*) FROM schema_migrations')" = "$(ls "$SRC"/schema/[0-9][0-9][0-9][0-9]_*.sql | wc -l)"
out2=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1)
check "second migrate applies nothing" grep -q "0 applied now" <<<"$out2"

# -- the store on its own (async pool, compare-and-set append, loads) -------
if [ -x "$BUILD/tests/integration/test_store" ]; then
	if "$BUILD/tests/integration/test_store" "$DB" >"$tmp/store.out" 2>&1; then
		ok "store: $(tail -1 "$tmp/store.out")"
	else
		cat "$tmp/store.out"; bad "store (tests/integration/test_store.c)"
	fi
	grep 'measured:' "$tmp/store.out"
else
	bad "missing $BUILD/tests/integration/test_store (build the test_store target)"
fi

# -- start ebidd -------------------------------------------------------------
start_ebidd --test-clock=driven || exit 1
check "pid file written" test "$(cat "$tmp/ebidd.pid")" = "$ebidd_pid"


# -- whoami for every role ---------------------------------------------------
while read -r name role party person _org; do
	[ -z "$name" ] && continue
	case "$name" in \#*) continue;; esac
	out=$(ebid_as "$name" whoami 2>&1)
	if grep -q "^party: $party\$" <<<"$out" && grep -q "^role: $role\$" <<<"$out" &&
	   grep -q "^person: $person\$" <<<"$out"; then
		ok "whoami $name ($role)"
	else
		bad "whoami $name: $out"
	fi
done <"$C/parties.txt"

# -- TLS-level refusals --------------------------------------------------------
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$C/ca.crt" "$URL/v1/whoami")
check "no client certificate refused at the TLS layer (curl)" test "$code" = 000
out=$("$EBID" --url "$URL" --ca "$C/ca.crt" whoami 2>&1); rc=$?
check "no client certificate refused (ebid, plain words)" has 'refused our certificate: tls alert certificate required' "$out"
say "     ebid without certificate said: $(head -1 <<<"$out")"
out=$(ebid_as stranger whoami 2>&1); rc=$?
check "certificate of another CA refused (exit 3)" test $rc = 3
check "certificate of another CA: plain words" has 'refused our certificate: tls alert unknown CA' "$out"
say "     ebid as stranger said: $(head -1 <<<"$out")"
code=$(curl_as expired -o /dev/null -w '%{http_code}' "$URL/v1/whoami")
check "expired certificate refused at the TLS layer" test "$code" = 000
out=$(ebid_as expired whoami 2>&1); rc=$?
check "expired certificate refused (ebid, exit 3)" test $rc = 3
check "expired certificate: plain words" has 'refused our certificate: tls alert certificate expired' "$out"
say "     ebid as expired said: $(head -1 <<<"$out")"
out=$("$EBID" --url "$URL" --ca "$C/other-ca.crt" --cert "$C/bidder1.crt" --key "$C/bidder1.key" whoami 2>&1); rc=$?
check "server certificate not trusted (wrong CA on the client)" has 'server certificate not trusted' "$out"

# -- the client library ----------------------------------------------------------
if [ -x "$BUILD/tests/integration/test_client" ]; then
	if "$BUILD/tests/integration/test_client" "$URL" "$C/ca.crt" "$C/bidder1.crt" "$C/bidder1.key" \
		"$C/other-ca.crt" "https://127.0.0.1:1" >"$tmp/client.out" 2>&1; then
		ok "client: $(tail -1 "$tmp/client.out")"
	else
		cat "$tmp/client.out"; bad "client (tests/integration/test_client.c)"
	fi
	grep 'measured:' "$tmp/client.out"
else
	bad "missing $BUILD/tests/integration/test_client (build the test_client target)"
fi

# -- health --------------------------------------------------------------------
out=$(ebid_as auditor health 2>&1)
check "health reports the database" grep -q "^database: ok" <<<"$out"
check "health reports the test clock" grep -q "^clock: driven" <<<"$out"

# -- limits and command refusals -----------------------------------------------
head -c 70000 /dev/zero >"$tmp/big.bin"
code=$(curl_as bidder1 -o "$tmp/big.out" -w '%{http_code}' -H 'Content-Type: application/cms' --data-binary @"$tmp/big.bin" "$URL/v1/commands")
check "body over max_body -> 413" test "$code" = 413
check "413 carries the XML error document" grep -q 'reason="body-too-large"' "$tmp/big.out"

cat >"$tmp/cmd.xml" <<X
<?xml version="1.0" encoding="UTF-8"?>
<register-tender xmlns="urn:ebid:1"><title>Road</title></register-tender>
X
openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$tmp/cmd.xml" \
	-signer "$C/bidder2.crt" -inkey "$C/bidder2.key" -out "$tmp/cmd-b2.der" 2>/dev/null
code=$(curl_as bidder1 -o "$tmp/b2.out" -w '%{http_code}' -H 'Content-Type: application/cms' --data-binary @"$tmp/cmd-b2.der" "$URL/v1/commands")
check "signed by another key than the TLS peer -> 403" test "$code" = 403
check "403 reason signer-not-peer" grep -q 'reason="signer-not-peer"' "$tmp/b2.out"
# security_log is written after the reply (fire and forget): wait for it
eventually() { # eventually EXPECTED SQL: poll up to 3 s
	for _ in $(seq 1 30); do [ "$(psqlq -c "$2")" = "$1" ] && return 0; sleep 0.1; done
	return 1
}
check "refusal written to security_log" eventually 1 "SELECT count(*) FROM security_log WHERE reason='signer-not-peer' AND party='bidder1'"

printf '<?xml version="1.0"?>\n<register-tender xmlns="urn:ebid:1"><title>Road</tit></register-tender>\n' >"$tmp/bad.xml"
out=$(ebid_as bidder1 send "$tmp/bad.xml" 2>&1); rc=$?
check "malformed XML refused (ebid send exits non-zero)" test $rc -ne 0
check "malformed XML: error printed in plain words" grep -q "^error: " <<<"$out"
openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$tmp/bad.xml" \
	-signer "$C/bidder1.crt" -inkey "$C/bidder1.key" -out "$tmp/bad.der" 2>/dev/null
code=$(curl_as bidder1 -o "$tmp/bad.out" -w '%{http_code}' -H 'Content-Type: application/cms' --data-binary @"$tmp/bad.der" "$URL/v1/commands")
check "malformed XML -> 400" test "$code" = 400
check "400 names the parser's reason" grep -q 'reason="malformed"' "$tmp/bad.out"

printf '<?xml version="1.0"?>\n<no-such-command xmlns="urn:ebid:1"/>\n' >"$tmp/unknown.xml"
openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$tmp/unknown.xml" \
	-signer "$C/bidder1.crt" -inkey "$C/bidder1.key" -out "$tmp/unknown.der" 2>/dev/null
code=$(curl_as bidder1 -o "$tmp/unknown.out" -w '%{http_code}' -H 'Content-Type: application/cms' --data-binary @"$tmp/unknown.der" "$URL/v1/commands")
check "schema-invalid command -> 400" test "$code" = 400
check "400 schema reason" grep -q 'reason="schema-invalid"' "$tmp/unknown.out"

code=$(curl_as bidder1 -o "$tmp/garbage.out" -w '%{http_code}' -H 'Content-Type: application/cms' --data-binary 'not a cms' "$URL/v1/commands")
check "garbage body -> 400" test "$code" = 400
check "garbage body: XML error document" grep -q '<error' "$tmp/garbage.out"

code=$(curl_as bidder1 -o /dev/null -w '%{http_code}' "$URL/v1/nothing")
check "unknown path -> 404" test "$code" = 404
code=$(curl_as bidder1 -o /dev/null -w '%{http_code}' -X PUT "$URL/v1/commands")
check "PUT refused with 405 (docs/protocol.md)" test "$code" = 405

# -- test clock ---------------------------------------------------------------
# a day ahead (certificates must stay valid at the driven instant: commands
# are verified against the CA at the clock's time)
T1=$(date -u -d '+1 day' +%Y-%m-%dT%H:00:00.000Z)
T1_MS=$(( $(date -u -d "${T1%.000Z}Z" +%s) * 1000 ))
T0=$(date -u -d '-1 day' +%Y-%m-%dT%H:00:00.000Z)
LIST_START=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00.000Z)
LIST_END=$(date -u -d '+40 days' +%Y-%m-%dT00:00:00.000Z)
code=$(curl_as supervisor -o "$tmp/clock.out" -w '%{http_code}' --data-binary "$T1" "$URL/v1/test/clock")
check "driven clock set from loopback" test "$code" = 200
check "driven clock reports the new instant" grep -q "time=\"$T1\"" "$tmp/clock.out"
code=$(curl_as supervisor -o /dev/null -w '%{http_code}' --data-binary "$T0" "$URL/v1/test/clock")
check "driven clock never goes back" test "$code" = 422
check "clock moves are logged" grep -q "test clock: driven clock set to $T1" "$tmp/ebidd.log"

# -- the log is append-only ------------------------------------------------------
psqlq -c "INSERT INTO aggregates (id, kind) VALUES ('T-TEST-1', 'tender')" >/dev/null
psqlq -c "INSERT INTO heads VALUES ('T-TEST-1', 0, decode(repeat('00',32),'hex'))" >/dev/null
psqlq -c "SELECT eb_append('T-TEST-1','tender',1,0,'p','r','x','\x00'::bytea,decode(repeat('11',32),'hex'),'<events></events>'::bytea,'driven',NULL,decode(repeat('00',32),'hex'),decode(repeat('22',32),'hex'),'draft',NULL)" >/dev/null
check "eb_append appends" test "$(psqlq -c "SELECT seq FROM heads WHERE aggregate='T-TEST-1'")" = 1
out=$(psqlq -c "SELECT eb_append('T-TEST-1','tender',2,0,'p','r','x','\x00'::bytea,decode(repeat('12',32),'hex'),'<events></events>'::bytea,'driven',NULL,decode(repeat('99',32),'hex'),decode(repeat('33',32),'hex'),'draft',NULL)" 2>&1)
check "eb_append refuses a stale head (head-moved)" grep -q "head-moved" <<<"$out"
out=$(psqlq -c "SELECT eb_append('T-TEST-1','tender',2,0,'p','r','x','\x00'::bytea,decode(repeat('11',32),'hex'),'<events></events>'::bytea,'driven',NULL,decode(repeat('22',32),'hex'),decode(repeat('33',32),'hex'),'draft',NULL)" 2>&1)
check "eb_append refuses signed bytes already in the aggregate (duplicate-command)" grep -q "duplicate-command" <<<"$out"
out=$(psqlq -c "UPDATE log SET party='x'" 2>&1)
check "UPDATE on log refused" grep -q "append-only" <<<"$out"
out=$(psqlq -c "DELETE FROM log" 2>&1)
check "DELETE on log refused" grep -q "append-only" <<<"$out"
out=$(psqlq -c "TRUNCATE log CASCADE" 2>&1)
check "TRUNCATE on log refused" grep -q "append-only" <<<"$out"
check "ebid_app has only INSERT/SELECT on log" test "$(psqlq -c "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants WHERE grantee='ebid_app' AND table_name='log'")" = "INSERT,SELECT"
check "log_breaks is empty" test "$(psqlq -c 'SELECT count(*) FROM log_breaks')" = 0
check "id sequence format" test "$(psqlq -c "SELECT eb_next_id('tender', 2026)")" = "T-2026-0001"

# -- the durable pipeline (runs once engine/server/flows.c registers "sale") --
cat >"$tmp/rs.xml" <<X
<?xml version="1.0" encoding="UTF-8"?>
<register-sale xmlns="urn:ebid:1" starting-price="1000000" increment="10000" deposit="100000" listing-start="$LIST_START" listing-end="$LIST_END" countdown-seconds="300"><asset>Lot 7, warehouse</asset></register-sale>
X
out=$(ebid_as transferor send "$tmp/rs.xml" 2>&1); rc=$?
[ -n "${EBID_TEST_DEBUG:-}" ] && say "$out"
if has "no such command" "$out"; then
	say "skip durable pipeline: ebidd serves no sale flow yet (no flow registered)"
else
	check "register-sale accepted" test $rc = 0
	sale=$(sed -n 's/^accepted: aggregate=\([^ ]*\) seq=1 .*/\1/p' <<<"$out")
	check "new sale id from the sequence" has "^S-${T1:0:4}-[0-9]\{4\}\$" "$sale"
	check "entry stamped with the driven clock" test "$(psqlq -c "SELECT time_ms FROM log WHERE aggregate='$sale' AND seq=1")" = "$T1_MS"
	check "entry records clock=driven" test "$(psqlq -c "SELECT clock FROM log WHERE aggregate='$sale'")" = driven
	check "read model written in the same transaction" test "$(psqlq -c "SELECT state || ':' || seq FROM aggregate_state WHERE aggregate='$sale'")" = "registered:1"
	check "head signed at creation" test "$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate='$sale'")" = 1
	check "the log keeps the signed command bytes" test "$(psqlq -c "SELECT encode(command_sha256,'hex') = encode(sha256(command),'hex') FROM log WHERE aggregate='$sale'")" = t
	printf '<?xml version="1.0"?>\n<accept-sale xmlns="urn:ebid:1" sale="%s"/>\n' "$sale" >"$tmp/as.xml"
	out=$(ebid_as bidder1 send "$tmp/as.xml" 2>&1); rc=$?
	check "a command from the wrong role is refused (exit 1)" test $rc = 1
	check "the refusal is in security_log" eventually 1 "SELECT count(*) FROM security_log WHERE target='$sale' AND party='bidder1'"
	check "the refusal is not in the chain" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate='$sale'")" = 1
	# twelve refusals at once: the rows of one loop pass go in one INSERT
	# (engine/store/store.c refs_flush); every one is there, whole
	reason1=$(psqlq -c "SELECT reason FROM security_log WHERE target='$sale' AND party='bidder1'")
	pids=()
	for i in $(seq 1 12); do ebid_as bidder1 send "$tmp/as.xml" >/dev/null 2>&1 & pids+=($!); done
	wait "${pids[@]}"
	check "twelve refusals at once: twelve more rows in security_log, each whole" eventually 13 \
		"SELECT count(*) FROM security_log WHERE target='$sale' AND party='bidder1' AND role='bidder' AND reason='$reason1' AND command='accept-sale' AND person IS NOT NULL AND message IS NOT NULL AND request_id IS NOT NULL"
	# restart: the next command folds the stored events (no cache)
	kill -TERM "$ebidd_pid"; wait "$ebidd_pid"; ebidd_pid=""
	start_ebidd --test-clock=driven || { say "ebidd did not restart"; exit 1; }
	curl_as supervisor -o /dev/null --data-binary "$T1" "$URL/v1/test/clock"
	out=$(ebid_as registrar send "$tmp/as.xml" 2>&1); rc=$?
	check "after a restart the aggregate is folded from the log" has "^accepted: aggregate=$sale seq=2 " "$out"
	check "phase change signs the head" test "$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate='$sale'")" = 2
	# a second ebidd on the same database; 40 concurrent commands on one
	# sale spread over both processes: all applied once, chain intact
	"$EBIDD" --config "$tmp/ebidd.conf" --port $PORT2 --test-clock=driven >"$tmp/ebidd2.out" 2>&1 &
	ebidd2_pid=$!
	sleep 0.5
	pids=()
	for i in $(seq 1 40); do
		printf '<?xml version="1.0"?>\n<commit-reserve xmlns="urn:ebid:1" sale="%s" commitment="%064x"/>\n' "$sale" "$i" >"$tmp/cr$i.xml"
		"$EBID" --url "https://127.0.0.1:$([ $((i % 2)) = 0 ] && echo $PORT || echo $PORT2)" --ca "$C/ca.crt" --cert "$C/transferor.crt" \
			--key "$C/transferor.key" send "$tmp/cr$i.xml" >"$tmp/cr$i.out" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	check "40 concurrent commands over 2 processes all accepted" test "$(grep -l '^accepted' "$tmp"/cr*.out | wc -l)" = 40
	check "the chain has 42 entries without a gap or a break" test "$(psqlq -c "SELECT max(seq) || ':' || count(*) FROM log WHERE aggregate='$sale'"):$(psqlq -c 'SELECT count(*) FROM log_breaks')" = "42:42:0"
	check "the head row matches the last entry" test "$(psqlq -c "SELECT h.hash = l.hash FROM heads h JOIN log l ON l.aggregate = h.aggregate AND l.seq = h.seq WHERE h.aggregate='$sale'")" = t
	kill -TERM "$ebidd2_pid"; wait "$ebidd2_pid"
	check "the second ebidd stops cleanly" test $? = 0
fi

# -- request log lines ------------------------------------------------------------
check "one log line per request with party and duration" grep -q 'req id=.* peer=bidder1 role=bidder .*method=POST path=/v1/commands status=403 .*us=' "$tmp/ebidd.log"

# -- start-up errors are fatal and say why -------------------------------------
sed 's/^max_body = .*/max_body = lots/' "$tmp/ebidd.conf" >"$tmp/bad1.conf"
out=$("$EBIDD" --config "$tmp/bad1.conf" --migrate 2>&1); rc=$?
check "bad setting: exit 1" test $rc = 1
check "bad setting: file, line and key named" has "bad1.conf:.*max_body must be a whole number" "$out"
printf 'listen = 127.0.0.1:%s\nfrobnicate = 1\n' $PORT >"$tmp/bad2.conf"
out=$("$EBIDD" --config "$tmp/bad2.conf" 2>&1); rc=$?
check "unknown setting refused" bash -c '[ "$1" = 1 ] && grep -q "unknown setting \"frobnicate\"" <<<"$2"' _ "$rc" "$out"
sed "s|^cert = .*|cert = $tmp/nonexistent.crt|" "$tmp/ebidd.conf" >"$tmp/bad3.conf"
out=$("$EBIDD" --config "$tmp/bad3.conf" --port $PORT3 2>&1); rc=$?
check "missing certificate file: exit 1 with the path" bash -c '[ "$1" = 1 ] && grep -q "nonexistent.crt" <<<"$2"' _ "$rc" "$out"
out=$("$EBIDD" --config "$tmp/ebidd.conf" 2>&1); rc=$?
check "port in use: exit 1, says so" bash -c '[ "$1" = 1 ] && grep -qi "cannot listen" <<<"$2"' _ "$rc" "$out"
check "the running ebidd is unharmed" has "^party: auditor" "$(ebid_as auditor whoami 2>&1)"

# -- a second ebidd: system clock, then an accelerated one --------------------------
sed "s|^pid_file = .*|pid_file = $tmp/ebidd3.pid|; s|^log_file = .*|log_file = $tmp/ebidd3.log|" "$tmp/ebidd.conf" >"$tmp/ebidd3.conf"
start_other() {
	"$EBIDD" --config "$tmp/ebidd3.conf" --port $PORT3 "$@" >>"$tmp/ebidd3.out" 2>&1 &
	ebidd2_pid=$!
	for _ in $(seq 1 50); do
		curl_as auditor -o /dev/null "https://127.0.0.1:$PORT3/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
if start_other; then
	out=$("$EBID" --url "https://127.0.0.1:$PORT3" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" health 2>&1)
	check "system clock reported as such" has "^clock: system" "$out"
	code=$(curl_as supervisor -o "$tmp/noclock.out" -w '%{http_code}' --data-binary "$T1" "https://127.0.0.1:$PORT3/v1/test/clock")
	check "no test clock without --test-clock (404 no-test-clock)" bash -c '[ "$1" = 404 ] && grep -q "reason=\"no-test-clock\"" "$2"' _ "$code" "$tmp/noclock.out"
	kill -TERM "$ebidd2_pid"; wait "$ebidd2_pid"; ebidd2_pid=""
fi
if start_other --test-clock=accelerated:3600; then
	check "accelerated clock announced at start" grep -q "TEST CLOCK IN USE: accelerated" "$tmp/ebidd3.log"
	t_a=$(curl_as auditor -s "https://127.0.0.1:$PORT3/v1/health" | sed -n 's/.* time="\([^"]*\)".*/\1/p')
	sleep 1
	t_b=$(curl_as auditor -s "https://127.0.0.1:$PORT3/v1/health" | sed -n 's/.* time="\([^"]*\)".*/\1/p')
	d=$(( $(date -u -d "${t_b%.???Z}Z" +%s) - $(date -u -d "${t_a%.???Z}Z" +%s) ))
	check "accelerated:3600 runs an hour per second (moved ${d}s in ~1s)" test "$d" -ge 3000 -a "$d" -le 9000
	kill -TERM "$ebidd2_pid"; wait "$ebidd2_pid"; ebidd2_pid=""
else
	bad "second ebidd did not start"
fi

# -- database down: health says so, loop keeps running; then it comes back ------
pg_down
out=$(ebid_as auditor health 2>&1)
check "health reports database down" grep -q "^database: down" <<<"$out"
out=$(ebid_as auditor whoami 2>&1)
check "ebidd keeps serving without the database" grep -q "^party: auditor" <<<"$out"
out=$(ebid_as transferor send "$tmp/rs.xml" 2>&1); rc=$?
check "a command while the database is down: refused, nothing half-done" test $rc = 1
check "  ... in plain words" has "^error: .*database" "$out"
pg_up
back=0
for _ in $(seq 1 50); do
	has "^database: ok" "$(ebid_as auditor health 2>&1)" && { back=1; break; }
	sleep 0.1
done
check "the database comes back: the pool reconnects by itself" test $back = 1

# -- graceful stop ------------------------------------------------------------------
kill -TERM "$ebidd_pid"
wait "$ebidd_pid"; rc=$?
ebidd_pid=""
check "SIGTERM: exit 0" test $rc = 0
check "SIGTERM: pid file removed" test ! -e "$tmp/ebidd.pid"

finish

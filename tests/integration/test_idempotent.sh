#!/usr/bin/env bash
# tests/integration/test_idempotent.sh
#    Retrying is safe (issue 13 point 6), through the real ebidd and ebid:
#    every command is idempotent on its signed bytes.  Each kind below is
#    sent, its signed bytes kept (EBID_KEEP_SIGNED), then sent again
#    unchanged (`ebid send SIGNED`): the reply is the first entry
#    (duplicate=yes, same aggregate and seq) and the log holds that command
#    once.  Creating commands (register-tender, register-sale) create one
#    aggregate however often they are sent, and carry a request id inside
#    the signature: signed anew with the same id (EBID_REQUEST_ID), each
#    kind (tender, sale, subject, pool, monitor) gets the first aggregate back and
#    stores nothing; the same bytes sent six times
#    at once make one entry; ebid sends again by itself when the server is
#    unreachable, and the command lands once.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup

sha_of() { openssl dgst -sha256 -binary "$1" | od -An -tx1 | tr -d ' \n'; }
in_log() { psqlq -c "SELECT count(*) FROM log WHERE command_sha256 = decode('$(sha_of "$1")', 'hex')"; }
n=0
twice() { # twice WHO VERB...: send, then send the kept signed bytes again
	local who=$1 first second agg seq
	shift
	n=$((n + 1))
	first=$tmp/first.$n.out second=$tmp/second.$n.out
	if ! EBID_KEEP_SIGNED=$tmp/k$n.cms ebid_as "$who" "$@" >"$first" 2>&1; then
		bad "$who $*: the first send failed: $(head -3 "$first")"
		return
	fi
	agg=$(grep -o '^accepted: [^ ]* seq [0-9]*' "$first" | awk '{print $2}')
	seq=$(grep -o '^accepted: [^ ]* seq [0-9]*' "$first" | awk '{print $4}')
	ebid_as "$who" send "$tmp/k$n.cms" >"$second" 2>&1
	check "$who $2: sent again, the first entry answers ($agg seq $seq)" \
		grep -q "^accepted: aggregate=$agg seq=$seq .*duplicate=yes" "$second"
	check "  ... and the log holds it once" test "$(in_log "$tmp/k$n.cms")" = 1
}

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"

# -- a creating command ------------------------------------------------------
twice tenderer tender register "$tmp/t.xml"
T=$(awk '/ registered$/ {print $2}' "$tmp/first.1.out")
check "register-tender sent twice made one tender" test "$(psqlq -c "SELECT count(*) FROM aggregates WHERE kind = 'tender'")" = 1

# -- the steps of a tender, each kind sent twice ---------------------------
twice registrar tender accept "$T"
twice supervisor tender publish "$T"
twice bidder1 tender sign-up "$T"
twice registrar tender confirm-sign-up "$T" bidder=bidder1
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$SRC/tests/data/bids/bid-1-quancheng.xml" >"$tmp/b1.xml"
ebid_as bidder1 bid seal --tender "$T" "$tmp/b1.xml" -o "$tmp/b1.sealed" >/dev/null 2>&1
twice bidder1 bid submit --tender "$T" "$tmp/b1.sealed" -o "$tmp/b1.receipt"
twice bidder1 bid withdraw --tender "$T"
# the submit's bytes once more, after the withdrawal: its look-up (before
# the tender's turn) finds it, and the turn refuses it: only the last
# word counts
ebid_as bidder1 send "$tmp/k6.cms" >"$tmp/resend.out" 2>&1 && rc=0 || rc=$?
check "the withdrawn bid's bytes sent again are refused, bid-withdrawn (exit $rc)" \
	grep -q "bid-withdrawn" "$tmp/resend.out"
check "  ... and the log still holds them once" test "$(in_log "$tmp/k6.cms")" = 1

# -- a sale's creating command ---------------------------------------------
ls=$(iso_plus "$now" 86400) le=$(iso_plus "$now" $((11 * 86400)))
twice transferor sale register-sale starting-price=600000000 increment=5000000 deposit=50000000 \
	listing-start="$ls" listing-end="$le" countdown-seconds=300 declare-seconds=300 \
	publicity-seconds=259200 --asset "State-owned land use right, parcel 2026-17"
check "register-sale sent twice made one sale" test "$(psqlq -c "SELECT count(*) FROM aggregates WHERE kind = 'sale'")" = 1

# -- the same bytes six times at once ------------------------------------------
ebid_as bidder2 tender sign-up "$T" >/dev/null 2>&1   # so bidder2 may be confirmed
printf '<confirm-sign-up xmlns="%s" tender="%s" bidder="bidder2"/>' \
	"$(grep -o 'xmlns="[^"]*"' "$tmp/t.xml" | head -1 | cut -d'"' -f2)" "$T" >"$tmp/c2.xml"
openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$tmp/c2.xml" \
	-signer "$C/registrar.crt" -inkey "$C/registrar.key" -out "$tmp/c2.cms" 2>"$tmp/c2.err"
check "the registrar's confirm-sign-up signed once (openssl cms)" test -s "$tmp/c2.cms"
pids=()
for i in 1 2 3 4 5 6; do ebid_as registrar send "$tmp/c2.cms" >"$tmp/race.$i.out" 2>&1 & pids+=($!); done
nbad=0
for p in "${pids[@]}"; do wait "$p" || nbad=$((nbad + 1)); done
check "six sends at once: all answered accepted ($nbad failed)" test "$nbad" = 0
check "  ... one of them the first, five duplicates" test "$(grep -l 'duplicate=yes' "$tmp"/race.*.out | wc -l)" = 5
check "  ... all with one seq" test "$(grep -oh 'seq=[0-9]*' "$tmp"/race.*.out | sort -u | wc -l)" = 1
check "  ... the log holds it once" test "$(in_log "$tmp/c2.cms")" = 1

# -- creating commands: a request id inside the signature ------------------
# Each creating kind is sent twice with one EBID_REQUEST_ID: ebid signs
# anew each time (other bytes), yet the second gets the first's aggregate
# (duplicate=yes) and stores nothing; another id creates another one.
count_kind() { psqlq -c "SELECT count(*) FROM aggregates WHERE kind = '$1'"; }
resigned() { # resigned KIND WHO VERB...: one request id, signed twice
	local kind=$1 who=$2 before a1 a2 rid
	shift 2
	n=$((n + 1))
	rid="it-$kind-$n-$RANDOM"
	before=$(count_kind "$kind")
	EBID_REQUEST_ID=$rid EBID_KEEP_SIGNED=$tmp/r$n.a.cms ebid_as "$who" "$@" >"$tmp/r$n.a.out" 2>&1
	sleep 1.1   # another signing time: other bytes even for a deterministic signature
	EBID_REQUEST_ID=$rid EBID_KEEP_SIGNED=$tmp/r$n.b.cms ebid_as "$who" "$@" >"$tmp/r$n.b.out" 2>&1
	a1=$(awk '/^accepted: / {print $2; exit}' "$tmp/r$n.a.out")
	a2=$(awk '/^accepted: / {print $2; exit}' "$tmp/r$n.b.out")
	check "$kind: created once with request id $rid ($a1)" test -n "$a1"
	check "  ... signed again: other bytes" bash -c "! cmp -s '$tmp/r$n.a.cms' '$tmp/r$n.b.cms'"
	check "  ... yet the first entry answers ($a2, sent before)" \
		grep -q "^accepted: $a1 seq 1 at .*(sent before" "$tmp/r$n.b.out"
	check "  ... one $kind more, not two" test "$(count_kind "$kind")" = $((before + 1))
	check "  ... the log keeps the request id once" test "$(psqlq -c "SELECT count(*) FROM log WHERE request_id = '$rid'")" = 1
	check "  ... the second signature is not in the log" test "$(in_log "$tmp/r$n.b.cms")" = 0
	# (ALT: another command of the kind, where the first may not repeat)
	if [ -n "${ALT:-}" ]; then
		EBID_REQUEST_ID=$rid-other ebid_as "$who" $ALT >"$tmp/r$n.c.out" 2>&1
	else
		EBID_REQUEST_ID=$rid-other ebid_as "$who" "$@" >"$tmp/r$n.c.out" 2>&1
	fi
	check "  ... another request id creates another $kind" test "$(count_kind "$kind")" = $((before + 2))
}
resigned tender tenderer tender register "$tmp/t.xml"
resigned sale transferor sale register-sale starting-price=600000000 increment=5000000 deposit=50000000 \
	listing-start="$ls" listing-end="$le" countdown-seconds=300 declare-seconds=300 \
	publicity-seconds=259200 --asset "State-owned land use right, parcel 2026-18"
year_ago=$(iso_plus "$now" $((-365 * 86400))) later=$(iso_plus "$now" $((2 * 365 * 86400)))
printf '<register-subject xmlns="urn:ebid:1" code="91370983MA3C000012" name="Taishan Pipe Works Co Ltd" kind="bidder"><qualification kind="municipal-works" grade="2" from="%s" to="%s"/></register-subject>' \
	"$year_ago" "$later" >"$tmp/s.xml"
sed 's/91370983MA3C000012/91370983MA3C000025/' "$tmp/s.xml" >"$tmp/s2.xml"   # one code, one subject
ALT="subject register $tmp/s2.xml" resigned subject registrar subject register "$tmp/s.xml"
resigned pool registrar pool register-expert party=expert-y person=FC-P-4998 \
	name="Expert Y" org="Test Org" specialty=civil-works
resigned monitor supervisor monitor open notice-days=5
r0=$(count_kind tender)
ebid_as tenderer tender register "$tmp/t.xml" >/dev/null 2>&1
ebid_as tenderer tender register "$tmp/t.xml" >/dev/null 2>&1
check "without EBID_REQUEST_ID, ebid draws a new id: two registrations make two tenders" \
	test "$(count_kind tender)" = $((r0 + 2))
check "  ... each with its own request id" test "$(psqlq -c "SELECT count(DISTINCT request_id) FROM log l JOIN aggregates a ON a.id = l.aggregate WHERE a.kind = 'tender' AND l.seq = 1 AND l.request_id IS NOT NULL")" -ge 2
# one request id, another party: another request (the id is its signer's)
rid=shared-$RANDOM
EBID_REQUEST_ID=$rid ebid_as registrar pool register-expert party=expert-z person=FC-P-4997 \
	name="Expert Z" org="Test Org" specialty=civil-works >"$tmp/z1.out" 2>&1
p0=$(count_kind pool)
EBID_REQUEST_ID=$rid ebid_as tenderer tender register "$tmp/t.xml" >"$tmp/z2.out" 2>&1
check "the same request id by another party is another request (a tender is created)" \
	bash -c "grep -q '^accepted: T-[^ ]* seq 1 at ' '$tmp/z2.out' && ! grep -q 'sent before' '$tmp/z2.out'"
check "  ... the pool untouched" test "$(count_kind pool)" = "$p0"

# -- ebid retries by itself when the server is unreachable -----------------
kill -TERM "$ebidd_pid"; wait "$ebidd_pid" 2>/dev/null
( sleep 2; start_ebidd >/dev/null 2>&1 ) &
starter=$!
EBID_RETRY_SECONDS=30 ebid_as bidder3 tender sign-up "$T" >"$tmp/retry.out" 2>"$tmp/retry.err"; rc=$?
wait "$starter"
ebidd_pid=$(cat "$tmp/ebidd.pid" 2>/dev/null || echo "$ebidd_pid")
check "with ebidd down, ebid sends again by itself until it lands (exit $rc)" test "$rc" = 0
check "  ... saying so" grep -q 'sending the same signed command again' "$tmp/retry.err"
check "  ... once in the log" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND party = 'bidder3'")" = 1
# -- after the restart: the tender was folded from the log (bidder3's
# sign-up), and the commands' bytes with it.  A refusal is answered
# without the database look-up only when the folded entries hold no such
# bytes (engine/server/aggs.h eb_agg_cmd_absent): bidder1's sign-up, sent
# again, is refused on the state (already signed up) unless its bytes are
# known to be in the log
ebid_as bidder1 send "$tmp/k4.cms" >"$tmp/again4.out" 2>&1
check "after a restart, bidder1's sign-up sent again: the first entry answers" \
	grep -q "^accepted: aggregate=$T seq=$(grep -o '^accepted: [^ ]* seq [0-9]*' "$tmp/first.4.out" | awk '{print $4}') .*duplicate=yes" "$tmp/again4.out"
out=$(EBID_RETRY_SECONDS=0 "$EBID" --url "https://127.0.0.1:1" --ca "$C/ca.crt" --cert "$C/bidder3.crt" --key "$C/bidder3.key" tender show "$T" 2>&1); rc=$?
check "EBID_RETRY_SECONDS=0: no retry, exit 3 at once ($rc)" test "$rc" = 3
finish

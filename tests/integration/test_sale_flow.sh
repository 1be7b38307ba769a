#!/usr/bin/env bash
# tests/integration/test_sale_flow.sh
#    Listing-then-auction sales through the real ebidd and the real ebid:
#      the case-study sale (tests/data/sale/case-study.txt: 19 listing
#      quotes to 6,950,000.00, an auction to 9,400,000.00, sold) driven by
#      tools/sale-script with the driven clock, ebidd's own timers closing
#      the listing, starting the auction and ending the countdown;
#      its log exported, verified, replayed and tampered;
#      then a short sale taken to its auction where two bidders send the
#      same amount at once (exactly one wins), a watcher on a second ebidd
#      sees a bid sent to the first (LISTEN/NOTIFY), and they race many bids (no
#      accepted bid is lost: every "accepted" reply is in the log, in
#      order, and the final price is the highest accepted bid).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
PORT2=$(free_port)   # a second ebidd on the same database
. "$(dirname "$0")/lib.sh"
it_setup
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C EBID_BUILD=$BUILD SALE_QUIET=1
audit_env() { env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$@"; }

# -- the case study ----------------------------------------------------------
if SALE_ID_FILE=$tmp/case "$SRC/tools/sale-script" "$SRC/tests/data/sale/case-study.txt" >"$tmp/case.out" 2>&1; then
	ok "case-study sale: $(tail -1 "$tmp/case.out")"
else
	cat "$tmp/case.out"; bad "case-study sale"
fi
. "$tmp/case"
S=$sale
view=$(ebid_as supervisor sale show "$S")
check "sold to No. 2 at 9,400,000.00" grep -q 'outcome="sold" price="940000000" price-text="9,400,000.00"' <<<"$view"
check "the reserve's hash was checked at the reveal" grep -q 'countersigned="yes" fen="800000000"' <<<"$view"
check "auditor exports the sale's log" audit_env "$AUDIT" export --sale "$S" -o "$tmp/$S.log.xml"
check "the sale's log verifies and replays" "$AUDIT" verify "$tmp/$S.log.xml" --ca "$C/ca.crt"
check "and verifies straight from the database" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$C/ca.crt"
if EBID_TAMPER_AMOUNT_EL=sale-bid-accepted EBID_TAMPER_AMOUNT_ATTR=amount \
	"$BUILD/tests/integration/audit_tamper" "$tmp/$S.log.xml" "$C/ca.crt" \
	"$SRC/protocol/xsd/ebid.xsd" "$C/bidder1.crt" "$C/bidder1.key" >"$tmp/tamper.out" 2>&1; then
	ok "every tampering of the sale's log is caught"
else
	cat "$tmp/tamper.out"; bad "tampering battery on the sale"
fi

# -- shill bidding: the conflict rules of tenders apply to buyers -------------
if SALE_ID_FILE=$tmp/open "$SRC/tools/sale-script" "$SRC/tests/data/sale/listing-open.txt" >"$tmp/open.out" 2>&1; then
	ok "a sale open for applications"
else
	cat "$tmp/open.out"; bad "listing-open sale"
fi
. "$tmp/open"
S3=$sale
# lacks PATTERN TEXT: TEXT has no line matching PATTERN
lacks() { ! grep -q "$1" <<<"$2"; }
out=$(ebid_as buyer3 sale apply-for-sale "$S3" 2>&1)
check "buyer3 (of the transferor's organisation) is refused at application" test $? != 0
check "with the error code conflict-of-interest" grep -q 'conflict-of-interest' <<<"$out"
check "and no application of buyer3 is recorded" lacks 'party="buyer3"' "$(ebid_as supervisor sale show "$S3")"
refused "so buyer3 cannot quote either" ebid_as buyer3 sale quote "$S3" amount=201000000
check "buyer1 (no conflict) applies" ebid_as buyer1 sale apply-for-sale "$S3"
check "and its application is recorded" grep -q 'party="buyer1"' <(ebid_as supervisor sale show "$S3")
# buyers are bidding numbers to everybody but the officers and themselves
check "the transferor does not learn who applied" lacks 'buyer1\|Guotai' "$(ebid_as transferor sale show "$S3")"
check "nor does another buyer" lacks 'buyer1\|Guotai' "$(ebid_as buyer2 sale show "$S3")"

# -- concurrency on one auction ----------------------------------------------
if SALE_ID_FILE=$tmp/short "$SRC/tools/sale-script" "$SRC/tests/data/sale/short-auction.txt" >"$tmp/short.out" 2>&1; then
	ok "a short sale reaches its auction"
else
	cat "$tmp/short.out"; bad "short sale"
fi
. "$tmp/short"
S2=$sale
# No. 3 leads at 6,150,000.00; No. 1 and No. 2 both send 6,200,000.00 at once
ebid_as buyer1 auction bid --sale "$S2" 6200000.00 >"$tmp/eq1" 2>&1 &
p1=$!
ebid_as buyer2 auction bid --sale "$S2" 6200000.00 >"$tmp/eq2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "of two equal bids exactly one is accepted ($r1/$r2)" test $(( (r1 == 0) + (r2 == 0) )) = 1
# live: a bidder watches through a SECOND ebidd on the same database while
# a bid goes to the first one (LISTEN/NOTIFY carries it across)
sed "s/127.0.0.1:$PORT/127.0.0.1:$PORT2/; s#$tmp/ebidd.pid#$tmp/ebidd2.pid#; s#$tmp/ebidd.log#$tmp/ebidd2.log#" \
	"$tmp/ebidd.conf" >"$tmp/ebidd2.conf"
"$EBIDD" --config "$tmp/ebidd2.conf" --test-clock=driven >>"$tmp/ebidd2.out" 2>&1 &
ebidd2_pid=$!
extra_pids=$ebidd2_pid
for _ in $(seq 1 50); do
	curl_as auditor -o /dev/null "https://127.0.0.1:$PORT2/v1/health" && break
	sleep 0.1
done
EBID_URL=https://127.0.0.1:$PORT2 timeout 6 "$EBID" --ca "$C/ca.crt" \
	--cert "$C/buyer2.crt" --key "$C/buyer2.key" auction watch --sale "$S2" >"$tmp/watch.out" 2>&1 &
watch_pid=$!
sleep 1
t0=$(date +%s%N)
check "No. 3 bids 6,250,000.00 on the first server" ebid_as bidder1 auction bid --sale "$S2" 6250000.00
for _ in $(seq 1 40); do grep -q '6,250,000.00' "$tmp/watch.out" && break; sleep 0.05; done
t1=$(date +%s%N)
check "the watcher on the second server sees it ($(( (t1 - t0) / 1000000 )) ms after the reply)" grep -q '6,250,000.00' "$tmp/watch.out"
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null
check "the watcher sees numbers, never names" bash -c "! grep -q 'buyer1\|bidder1\|Tai' '$tmp/watch.out'"
kill -TERM "$ebidd2_pid" 2>/dev/null; wait "$ebidd2_pid" 2>/dev/null

# a race: three bidders send rising amounts as fast as they can
race() { # race WHO FIRST STEP COUNT
	local who=$1 amt=$2 i
	for i in $(seq 1 "$4"); do
		if ebid_as "$who" auction bid --sale "$S2" "$amt" >/dev/null 2>&1; then
			echo "$amt"
		fi
		amt=$((amt + $3))
	done
}
race buyer1 6300000 150000 20 >"$tmp/acc1" &
q1=$!
race buyer2 6350000 150000 20 >"$tmp/acc2" &
q2=$!
race bidder1 6400000 150000 20 >"$tmp/acc3" &
q3=$!
wait $q1 $q2 $q3
accepted=$(( $(cat "$tmp/eq1" "$tmp/eq2" | grep -c '^accepted:') + 1 ))
accepted=$((accepted + $(cat "$tmp/acc1" "$tmp/acc2" "$tmp/acc3" | wc -l)))
check "auditor exports the raced auction" audit_env "$AUDIT" export --sale "$S2" -o "$tmp/$S2.log.xml"
in_log=$(grep -o '<sale-bid-accepted ' "$tmp/$S2.log.xml" | wc -l)
check "every accepted bid is in the log ($accepted replies, $in_log entries)" test "$accepted" = "$in_log"
highest=$(cat "$tmp/acc1" "$tmp/acc2" "$tmp/acc3" | sort -n | tail -1)
check "the current price is the highest accepted bid ($highest yuan)" \
	grep -q "current=\"${highest}00\"" <(ebid_as supervisor sale show "$S2")
check "the raced auction's log verifies and replays" "$AUDIT" verify "$tmp/$S2.log.xml" --ca "$C/ca.crt"

# -- money typed by a person (issue 14 point 12): never guessed at ----------
# Each malformed form is refused by the client with what is wrong; nothing
# reaches ebidd (the sale's log does not grow).
n0=$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$S2'")
while IFS='|' read -r amount why; do
	out=$(ebid_as bidder1 auction bid --sale "$S2" "$amount" 2>&1); rc=$?
	check "amount '$amount' refused by the client (exit $rc)" test "$rc" != 0
	check "  ... saying: $why" grep -qF -- "$why" <<<"$out"
done <<'AMOUNTS'
6,0500,000.00|group the digits by three
6,0,0,0,000.00|group the digits by three
-5.00|has no sign
+5|has no sign
1e6|no exponent
1.234|at most two decimals
 100|remove the spaces
１００|full-width digits
1，000|full-width digits
100.|give the decimals
1.2.3|more than one '.'
99999999999999999999|larger than the largest amount
AMOUNTS
check "no malformed amount reached the log" \
	test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$S2'")" = "$n0"

finish

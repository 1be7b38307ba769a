#!/usr/bin/env bash
# tests/integration/test_console_desks.sh
#    The officers', bidders', custodians' and buyers' desks of `ebid
#    console` (tools/console.c) in headless Chromium
#    (tests/browser/desks.mjs), against a real ebidd (driven clock) with
#    its public board on.  The browser does every step through pages; this
#    script moves the clock, plays the parts that have no desk here (the
#    tenderer, the sign-ups, the expert pool) with the real `ebid`, and
#    checks with the CLI what the pages did:
#      the registrar returns the registration with a reason (the reason is
#      in the CLI's view), then accepts the resubmission; the supervisor
#      publishes; the registrar confirms every sign-up from its form;
#      each bidder submits its bid by choosing a file, downloads the
#      receipt and the sealed bid, and `ebid receipt verify` accepts each
#      pair; the supervisor watches the opening hall while two custodians
#      submit their shares from their desks (the hall shows each share,
#      each bid opened, the clearing, without a reload); the supervisor
#      requests the draw (the console makes and keeps the secret) and
#      draws the experts from its forms (the committee sits, CLI view);
#      a refused action shows the server's message, code and hint;
#      a buyer bids in a live sale (amount in 大写, confirmation, signed)
#      while a second page on the public board sees the new price within
#      one second.
#    Screenshots: var/screens/desks-*.png.  EB_BROWSER=1 (tools/dev test)
#    makes a missing chromium or puppeteer-core a failure.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
BPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="envelope_dir = $tmp/envelopes
upload_min_free = 0
public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages
${DESKS_BOARD_CONF:-}"   # by hand: e.g. a higher public_rate to measure the board
it_setup
B=http://127.0.0.1:$BPORT
. "$SRC/tools/lib/tender.sh"
export EBID_CERTS=$C

if ! { [ -d "$SRC/tests/browser/node_modules/puppeteer-core" ] && command -v chromium >/dev/null; }; then
	if [ "${EB_BROWSER:-0}" = 1 ]; then
		bad "chromium or tests/browser/node_modules is missing (tools/dev test installs them)"
	else
		say "skip: no chromium or tests/browser/node_modules: the desks walk did not run"
	fi
	finish
	exit $?
fi

# console PARTY: `ebid console` as PARTY on a free port; the one-time URL in CURL_OF
console() {
	local who=$1 out=$tmp/console-$1.out u=""
	# ebid itself in the background (not the ebid_as function's subshell):
	# $! is then the console's pid, and finish stops it
	"$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" \
		console --port 0 >"$out" 2>&1 &
	extra_pids+=" $!"
	for _ in $(seq 1 50); do
		u=$(sed -n 's/^open: //p' "$out")
		[ -n "$u" ] && break
		sleep 0.1
	done
	CURL_OF=$u
	[ -n "$u" ] || { cat "$out"; return 1; }
}
S=$tmp/sync
mkdir -p "$S" "$tmp/dl"
# wait_for NAME: the browser reached step NAME (or stopped)
wait_for() {
	for _ in $(seq 1 1200); do
		[ -e "$S/$1" ] && return 0
		kill -0 "$node_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
go() { touch "$S/$1"; }

# -- a sale brought to its auction (first: its script moves the clock, and a
# tender needs its 20 days of bidding from the announcement) ----------------
if SALE_ID_FILE=$tmp/short EBID_URL=$URL EBID_CA=$C/ca.crt EBID_BUILD=$BUILD SALE_QUIET=1 \
	"$SRC/tools/sale-script" "$SRC/tests/data/sale/short-auction.txt" >"$tmp/short.out" 2>&1; then
	ok "a sale reaches its auction (tools/sale-script)"
else
	cat "$tmp/short.out"; bad "the sale did not reach its auction"
fi
. "$tmp/short"
SALE=$sale

# -- a tender registered by the tenderer (CLI) --------------------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
for i in 1 2 3 4 5; do
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
done
URLS=""
for p in registrar supervisor bidder1 bidder2 bidder3 bidder4 bidder5 custodian1 custodian3 buyer1; do
	console "$p" || bad "the console of $p starts"
	URLS+="$p=$CURL_OF "
done

if [ -n "${DESKS_PAUSE:-}" ]; then   # by hand: the environment stays up
	printf 'CONSOLES="%s" TENDER=%s SALE=%s BOARD=%s BIDS_DIR=%s URL=%s CERTS=%s PID=%s\n' "$URLS" "$T" "$SALE" "$B" "$tmp" "$URL" "$C" "$(cat "$tmp/ebidd.pid" 2>/dev/null)" >"$DESKS_PAUSE"
	sleep 100000
fi
CONSOLES=$URLS TENDER=$T SALE=$SALE BOARD=$B BIDS_DIR=$tmp DL=$tmp/dl SYNC_DIR=$S \
	SCREENS=$SRC/var/screens timeout 600 node "$SRC/tests/browser/desks.mjs" >"$tmp/browser.out" 2>&1 &
node_pid=$!

# -- the registration returned, resubmitted ------------------------------------
if wait_for returned; then
	ebid_as registrar tender show "$T" >"$tmp/v1.xml"
	check "the return is on record with the reason typed in the form" grep -q 'The bill of quantities is not signed' "$tmp/v1.xml"
	check "the tender is returned (CLI)" test "$(state_of tender "$T")" = returned
	sed 's/<register-tender xmlns="urn:ebid:1">/<resubmit-registration xmlns="urn:ebid:1">/; s#</register-tender>#</resubmit-registration>#' "$tmp/reg.xml" >"$tmp/resubmit.xml"
	check "tenderer resubmits (CLI)" ebid_as tenderer tender resubmit "$T" "$tmp/resubmit.xml"
fi
go resubmitted
# -- announced: the bidders sign up ------------------------------------------------
if wait_for published; then
	check "published from the supervisor's form: bidding (CLI)" wait_state tender "$T" bidding
	# bidder5 acts for a registered trading subject: its desk's bid names
	# the subject (console.c bid_subject), the hall names it by the
	# subject's registered name (desks.mjs)
	cat >"$tmp/subject.xml" <<EOF
<register-subject xmlns="urn:ebid:1" code="91370983MA3C000012" name="聊城市水利工程集团有限公司" kind="bidder">
  <representative person="$(openssl x509 -in "$C/bidder5.crt" -noout -subject -nameopt multiline | sed -n 's/^ *serialNumber *= *//p')" party="bidder5" scope="tender" from="$(iso_plus "$(clock_now)" -86400)" to="$(iso_plus "$(clock_now)" $((365 * 86400)))"/>
</register-subject>
EOF
	SUBJ=$(ebid_as registrar subject register "$tmp/subject.xml" | grep -o 'O-[0-9]*-[0-9]*' | head -1)
	check "a trading subject for bidder5 ($SUBJ)" test -n "$SUBJ"
	for i in 1 2 3 4 5; do
		sub=()
		[ "$i" = 5 ] && sub=(subject="$SUBJ")
		ebid_as "bidder$i" tender sign-up "$T" "${sub[@]}" >/dev/null || bad "sign-up bidder$i"
	done
fi
go signed-up
# -- the bids, by file, and their receipts ----------------------------------------
if wait_for bids; then
	ebid_as registrar tender show "$T" >"$tmp/v2.xml"
	check "every sign-up confirmed from the registrar's form (CLI)" test "$(grep -c '<sign-up [^>]*status="confirmed"' "$tmp/v2.xml")" = 5
	for i in 1 2 3 4 5; do
		if ebid_as "bidder$i" receipt verify "$tmp/dl/bidder$i/$T.receipt" "$tmp/dl/bidder$i/$T.sealed" >"$tmp/verify$i.out" 2>&1; then
			ok "bidder$i: ebid receipt verify accepts the receipt and sealed bid downloaded from the page ($(head -c 60 "$tmp/verify$i.out")...)"
		else
			bad "bidder$i: receipt verify: $(cat "$tmp/verify$i.out")"
		fi
	done
	printf 'x' >>"$tmp/dl/bidder1/$T.sealed"
	refused "and refuses the receipt against a changed sealed file" ebid_as bidder1 receipt verify "$tmp/dl/bidder1/$T.receipt" "$tmp/dl/bidder1/$T.sealed"
	check "5 bids held (CLI)" test "$(ebid_as registrar tender show "$T" | grep -c '<bid ')" -ge 5
	clock_to "$deadline"
	check "the deadline passes: awaiting opening" wait_state tender "$T" awaiting-opening
fi
go deadline
# -- opened in the hall; the draw ---------------------------------------------------
if wait_for opened; then
	check "opened and cleared (CLI)" wait_state tender "$T" cleared
fi
go cleared
if wait_for draw-requested; then
	check "the draw is requested from the form (CLI)" test "$(state_of tender "$T")" = draw-requested
	pool=$(pool_register)
	check "an expert pool ($pool)" test -n "$pool"
	echo "$pool" >"$S/pool.tmp" && mv "$S/pool.tmp" "$S/pool"
fi
if wait_for drawn; then
	check "the experts drawn from the form: evaluation (CLI)" test "$(state_of tender "$T")" = evaluation
	check "five experts sit ($(committee "$T" | tr '\n' ' '))" test "$(committee "$T" | wc -l)" = 5
fi
# -- the registers' desks (subject, pool ratings, monitor alerts) ---------------------
# the committee scores by CLI and the evaluation closes (a rating needs it);
# the registrar sets the pool's criteria; the supervisor opens a monitor
# whose minimum bidding period (30 days) the tender's 20 days break
if [ -e "$S/drawn" ] && [ -s "$S/pool" ]; then
	pool=$(cat "$S/pool")
	for x in $(committee "$T"); do
		ebid_as "$x" tender accept-appointment "$T" >/dev/null || bad "$x accepts"
	done
	for x in $(committee "$T"); do
		score_sheet "$x" "$T" "$tmp/scores-$x.xml"
		ebid_as "$x" score submit --tender "$T" "$tmp/scores-$x.xml" >/dev/null || bad "$x scores"
	done
	check "the evaluation closes (CLI)" ebid_as supervisor tender close-evaluation "$T"
	cat >"$tmp/assess.xml" <<XML
<configure-assessment xmlns="urn:ebid:1">
  <criterion name="punctuality" max="5"/>
  <criterion name="independence" max="5"/>
  <draw-rule period-days="365" min-percent="60" max-unexplained="2"/>
  <agency-criterion name="documents-quality" max="10"/>
  <agency-criterion name="procedure-compliance" max="10"/>
</configure-assessment>
XML
	check "the registrar sets the pool's criteria (CLI)" ebid_as registrar pool configure "$pool" "$tmp/assess.xml"
	M=$(ebid_as supervisor monitor open min-bidding-days=30 notice-days=15 subnet-bits=24 | awk '/ registered$/ {print $2}')
	check "a monitor with a 30-day minimum bidding period ($M)" test -n "$M"
	# a tender naming an agency (buyer1 its representative), cancelled:
	# the supervisor rates the agency from the pool desk (desks.mjs)
	cat >"$tmp/agency.xml" <<EOF
<register-subject xmlns="urn:ebid:1" code="91370983MA3D00010J" name="泰安国泰招标代理有限公司" kind="agency">
  <representative person="$(openssl x509 -in "$C/buyer1.crt" -noout -subject -nameopt multiline | sed -n 's/^ *serialNumber *= *//p')" party="buyer1" scope="all" from="$(iso_plus "$(clock_now)" -86400)" to="$(iso_plus "$(clock_now)" $((365 * 86400)))"/>
</register-subject>
EOF
	AG=$(ebid_as registrar subject register "$tmp/agency.xml" | grep -o 'O-[0-9]*-[0-9]*' | head -1)
	check "an agency ($AG)" test -n "$AG"
	d3=$(iso_plus "$(clock_now)" $((20 * 86400)))
	sed "s/@DEADLINE@/$d3/; s/@OPENING@/$d3/; s|<register-tender xmlns=\"urn:ebid:1\">|<register-tender xmlns=\"urn:ebid:1\" agency=\"$AG\">|" \
		"$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg-agency.xml"
	T3=$(ebid_as tenderer tender register "$tmp/reg-agency.xml" | awk '/ registered$/ {print $2}')
	check "a tender naming the agency ($T3)" test -n "$T3"
	check "  cancelled: requested (CLI)" ebid_as supervisor tender request-cancellation "$T3" --reason "The project was withdrawn."
	check "  countersigned (CLI)" ebid_as verifier tender countersign-cancellation "$T3"
	echo "$SUBJ $pool $M $(committee "$T" | head -n 1) $T3" >"$S/registers.tmp" && mv "$S/registers.tmp" "$S/registers"
fi
if wait_for registers-done; then
	check "the rating from the pool desk is on record (CLI)" grep -q '<rating [^>]*tender="'"$T"'"' <(ebid_as supervisor pool show "$pool")
	check "the agency's rating from the pool desk is on record (CLI)" grep -q '<rating [^>]*rater-role="supervisor"[^>]*score="8500"[^>]*tender="'"$T3"'"' <(ebid_as supervisor pool show "$pool")
	check "the alert closed from the monitor desk, with its reason (CLI)" grep -q 'status="closed"' <(ebid_as supervisor monitor show "$M")
fi
go done-tender

wait "$node_pid"
while IFS= read -r line; do
	case $line in
	"ok   "*) ok "chromium: ${line#ok   }" ;;
	"FAIL "*) bad "chromium: ${line#FAIL }" ;;
	*) say "   $line" ;;
	esac
done <"$tmp/browser.out"
grep -q '^ok   ' "$tmp/browser.out" || bad "chromium: the browser test ran nothing"
ebid_as supervisor sale show "$SALE" >"$tmp/sale.xml"
check "the buyer's bid from the page is the sale's price (CLI)" grep -q "current=\"$(sed -n 's/^metric sale-bid-fen //p' "$tmp/browser.out")\"" "$tmp/sale.xml"
finish

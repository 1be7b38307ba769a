#!/usr/bin/env bash
# tests/integration/test_console.sh
#    `ebid console` (tools/console.c), the party's own desk in a browser,
#    against a real ebidd on the driven clock.  The tender is driven with
#    the real `ebid` to the committee's draw (as tools/demo.sh does), then:
#      the console's guards, with curl: no token, a wrong token, no
#      cookie, a wrong Host (DNS rebinding), a foreign Origin on a POST
#      are refused; the token sets an HttpOnly SameSite=Strict cookie and
#      redirects to a clean URL; the CSP header; 127.0.0.1 only;
#      in headless Chromium (tests/browser/console.mjs): every expert of
#      the committee accepts the appointment, scores every valid bid on
#      the form built from the rules, and (after the supervisor closes the
#      evaluation with the CLI) signs the committee report, the first with
#      a dissent; a score off the criterion's step is refused in the form
#      with the server's own message; a refused action (a second
#      acceptance) shows the server's message and hint.
#      Then, with the CLI: the result is signed by all, the supervisor
#      publishes the candidates, the tender is in publicity.
#    Screenshots: var/screens/console-*.png.  EB_BROWSER=1 (tools/dev
#    test) makes a missing chromium or puppeteer-core a failure.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
. "$SRC/tools/lib/tender.sh"
export EBID_CERTS=$C

# -- a tender driven with the CLI to the committee's draw ---------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
check "registrar accepts" ebid_as registrar tender accept "$T"
check "supervisor publishes" ebid_as supervisor tender publish "$T" --text "Bids until $deadline."
check "bidding" wait_state tender "$T" bidding
for i in 1 2 3 4 5; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null && ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null || bad "sign-up bidder$i"
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
	ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/bid$i.sealed" >/dev/null &&
		ebid_as "bidder$i" bid submit --tender "$T" "$tmp/bid$i.sealed" -o "$tmp/bid$i.receipt" >/dev/null || bad "bid of bidder$i"
done
clock_to "$deadline"
check "awaiting opening" wait_state tender "$T" awaiting-opening
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
check "opened and cleared" wait_state tender "$T" cleared
draw() { # the supervisor's committed draw (as tools/lib/tender.sh evaluate)
	local t=$1 pool secret commit
	pool=$(pool_register) || return 1
	secret="draw-$t-$(date +%s%N)"
	commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	printf '<request-draw xmlns="urn:ebid:1" tender="%s" recent-days="365" max-recent="3"><commitment>%s</commitment><seats specialty="civil-works" count="4" reserve="1"/><seats specialty="electrical" count="1" reserve="1"/></request-draw>\n' "$t" "$commit" >"$tmp/request-draw.xml"
	ebid_as supervisor tender request-draw "$t" "$tmp/request-draw.xml" || return 1
	ebid_as supervisor pool show "$pool" >"$tmp/pool.xml" || return 1
	{
		printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$t" "$secret"
		sed -n '/<pool/,$p' "$tmp/pool.xml" | sed 's/ xmlns="urn:ebid:1"//'
		printf '</draw-experts>\n'
	} >"$tmp/draw-experts.xml"
	ebid_as supervisor tender draw-experts "$t" "$tmp/draw-experts.xml"
}
check "the committee is drawn" draw "$T"
COMMITTEE=$(committee "$T")
check "five experts sit ($(echo $COMMITTEE))" test "$(wc -w <<<"$COMMITTEE")" = 5

if [ -n "${CONSOLE_PAUSE:-}" ]; then
	say "paused: T=$T URL=$URL C=$C committee: $COMMITTEE (kill $$ to end)"
	echo "T=$T URL=$URL C=$C" >"$CONSOLE_PAUSE"
	sleep 100000
fi
finish

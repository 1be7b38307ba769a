#!/usr/bin/env bash
# tests/integration/test_sale_early.sh
#    The early refusal of stale raises (issue 17, ninth pass;
#    docs/protocol.md "Refusals before the signature check"), through the
#    real ebidd on a real PostgreSQL: an auction brought up by
#    tools/sale-script (tests/data/sale/short-auction.txt: No. 3, bidder1,
#    leads at 6,150,000.00, increment 50,000.00), then auction bids signed
#    with openssl cms and posted raw:
#      early_refusal = 1 (the default): a stale bid is refused
#        below-minimum whether its signature holds or is broken (the
#        precedence the switch documents), and the log says the signature
#        was not checked; a bid at a winning price with a broken signature
#        is refused bad-signature; one signed by another certificate than
#        the connection's is refused signer-not-peer; neither moves the
#        price;
#      early_refusal = 2 (every raise taken for stale: the path where the
#        guess was wrong): a winning bid with a broken signature, or signed
#        by another certificate, is decided, found NOT to be the guessed
#        refusal, checked after all and refused (bad-signature,
#        signer-not-peer), never accepted; a valid one is accepted after
#        its check;
#      early_refusal = 0: a stale bid with a broken signature is refused
#        bad-signature, as before the switch.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C EBID_BUILD=$BUILD SALE_QUIET=1

if SALE_ID_FILE=$tmp/short "$SRC/tools/sale-script" "$SRC/tests/data/sale/short-auction.txt" >"$tmp/short.out" 2>&1; then
	ok "a short sale reaches its auction"
else
	cat "$tmp/short.out"; bad "short sale"; finish
fi
. "$tmp/short"
S=$sale

# bid_der SIGNER AMOUNT OUT: an auction bid on $S for AMOUNT fen, signed
# by SIGNER's key (CMS SignedData as ebid signs it)
n=0
bid_der() {
	n=$((n + 1))
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<auction-bid xmlns="urn:ebid:1" sale="%s" amount="%s"/>\n' \
		"$S" "$2" >"$tmp/bid$n.xml"
	openssl cms -sign -binary -nodetach -outform DER -md sha256 -in "$tmp/bid$n.xml" \
		-signer "$C/$1.crt" -inkey "$C/$1.key" -out "$3" 2>/dev/null
}
# break_sig DER: one byte of the signature value (the end of the DER) flipped
break_sig() { flip_byte "$1" $(( $(stat -c %s "$1") - 3 )); }
# post AS DER OUT: POST the DER over AS's TLS connection; prints the status
post() {
	curl_as "$1" -o "$3" -w '%{http_code}' -H 'Content-Type: application/cms' \
		--data-binary @"$2" "$URL/v1/commands"
}
reason_of() { grep -o 'reason="[a-z-]*"' "$1" | head -1 | cut -d'"' -f2; }
price() { ebid_as supervisor sale show "$S" | grep -o 'current="[0-9]*"' | head -1 | cut -d'"' -f2; }
entries() { psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$S'"; }
eventually() { # eventually EXPECTED SQL: poll up to 3 s
	for _ in $(seq 1 30); do [ "$(psqlq -c "$2")" = "$1" ] && return 0; sleep 0.1; done
	return 1
}

check "ebidd found the raises' plain shape in the schema it loaded (no XSD run for them)" grep -q "raises of the plain shape are valid by it" "$tmp/ebidd.log"
check "the auction leads at 6,150,000.00" test "$(price)" = 615000000
n0=$(entries)

# -- early_refusal = 1 (default) -----------------------------------------------
# (a) a stale bid, signature valid: below-minimum
bid_der buyer1 615000000 "$tmp/a.der"
code=$(post buyer1 "$tmp/a.der" "$tmp/a.out")
check "a stale bid (valid signature) is refused ($code)" test "$code" = 409 -o "$code" = 422 -o "$code" = 403
check "  ... below-minimum" test "$(reason_of "$tmp/a.out")" = below-minimum
check "  ... without its signature checked (ebidd's log)" grep -q 'command=auction-bid .*reason=below-minimum signature=unchecked' "$tmp/ebidd.log"
check "  ... which the security log's message says" eventually 1 \
	"SELECT count(*) FROM security_log WHERE reason='below-minimum' AND party='buyer1' AND message LIKE '%(signature not checked)'"
# (b) stale with a broken signature: below-minimum (the documented precedence)
bid_der buyer1 610000000 "$tmp/b1.der"
break_sig "$tmp/b1.der"
code=$(post buyer1 "$tmp/b1.der" "$tmp/b1.out")
check "a stale bid with a broken signature is refused below-minimum ($code)" test "$(reason_of "$tmp/b1.out")" = below-minimum
# the leader under the floor: already-highest, unchecked too
bid_der bidder1 615000000 "$tmp/lead.der"
break_sig "$tmp/lead.der"
post bidder1 "$tmp/lead.der" "$tmp/lead.out" >/dev/null
check "the leader's stale raise, signature broken: already-highest" test "$(reason_of "$tmp/lead.out")" = already-highest
# the leader over the floor: not guessed (the lead may change hands),
# so checked first: a broken signature is bad-signature
bid_der bidder1 700000000 "$tmp/lead2.der"
break_sig "$tmp/lead2.der"
post bidder1 "$tmp/lead2.der" "$tmp/lead2.out" >/dev/null
check "the leader's raise over the floor, signature broken: bad-signature" test "$(reason_of "$tmp/lead2.out")" = bad-signature
# a winning price with a broken signature: bad-signature, not accepted
bid_der buyer1 620000000 "$tmp/b2.der"
break_sig "$tmp/b2.der"
code=$(post buyer1 "$tmp/b2.der" "$tmp/b2.out")
check "a winning bid with a broken signature is refused ($code)" test "$code" = 403
check "  ... bad-signature" test "$(reason_of "$tmp/b2.out")" = bad-signature
# (c) signed by another certificate than the TLS peer's, winning price
bid_der buyer2 620000000 "$tmp/c.der"
code=$(post buyer1 "$tmp/c.der" "$tmp/c.out")
check "a winning bid signed by another certificate: signer-not-peer ($code)" test "$(reason_of "$tmp/c.out")" = signer-not-peer
check "none of them moved the price" test "$(price)" = 615000000
check "  ... nor the log ($n0 entries)" test "$(entries)" = "$n0"
check "no raise was sent back to be checked (the guesses held)" bash -c "! grep -q 'not refused as guessed' '$tmp/ebidd.log'"

# -- early_refusal = 2: every raise taken for stale ------------------------------
now=$(clock_now)
write_conf "early_refusal = 2"
restart_ebidd
clock_to "$now"
bid_der buyer1 620000000 "$tmp/w1.der"
break_sig "$tmp/w1.der"
code=$(post buyer1 "$tmp/w1.der" "$tmp/w1.out")
check "guessed stale, decided winning, signature broken: refused ($code)" test "$code" = 403
check "  ... bad-signature, after the decision sent it back to be checked" test "$(reason_of "$tmp/w1.out")" = bad-signature
check "  ... (ebidd's log: not refused as guessed)" grep -q 'auction-bid on '"$S"' not refused as guessed' "$tmp/ebidd.log"
bid_der buyer2 620000000 "$tmp/w2.der"
code=$(post buyer1 "$tmp/w2.der" "$tmp/w2.out")
check "guessed stale, decided winning, another signer: signer-not-peer ($code)" test "$(reason_of "$tmp/w2.out")" = signer-not-peer
check "the price did not move" test "$(price)" = 615000000
check "  ... nor the log" test "$(entries)" = "$n0"
# a stale one is still refused unchecked in this mode
bid_der buyer1 600000000 "$tmp/w3.der"
break_sig "$tmp/w3.der"
post buyer1 "$tmp/w3.der" "$tmp/w3.out" >/dev/null
check "a stale bid, signature broken: below-minimum" test "$(reason_of "$tmp/w3.out")" = below-minimum
# a valid winning bid: checked after the decision, then accepted
bid_der buyer1 620000000 "$tmp/w4.der"
code=$(post buyer1 "$tmp/w4.der" "$tmp/w4.out")
check "guessed stale, decided winning, signature valid: accepted ($code)" test "$code" = 200
check "  ... the price is 6,200,000.00" test "$(price)" = 620000000
check "  ... one entry more" test "$(entries)" = $((n0 + 1))
# the same bytes again: the resend gets its first reply (checked first)
code=$(post buyer1 "$tmp/w4.der" "$tmp/w4b.out")
check "its resend gets the first reply ($code)" grep -q 'duplicate="yes"' "$tmp/w4b.out"
check "  ... and no second entry" test "$(entries)" = $((n0 + 1))

# -- early_refusal = 0: the order before the switch --------------------------------
now=$(clock_now)
write_conf "early_refusal = 0"
restart_ebidd
clock_to "$now"
bid_der buyer2 615000000 "$tmp/o1.der"
break_sig "$tmp/o1.der"
code=$(post buyer2 "$tmp/o1.der" "$tmp/o1.out")
check "switched off: a stale bid with a broken signature is bad-signature ($code)" test "$(reason_of "$tmp/o1.out")" = bad-signature
bid_der buyer2 615000000 "$tmp/o2.der"
post buyer2 "$tmp/o2.der" "$tmp/o2.out" >/dev/null
check "  ... a valid stale one below-minimum, checked" test "$(reason_of "$tmp/o2.out")" = below-minimum
check "  ... (no unchecked refusal after the switch: 4 in the whole log)" test "$(grep -c 'signature=unchecked' "$tmp/ebidd.log")" = 4
check "the log verifies and replays" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$C/ca.crt"
finish

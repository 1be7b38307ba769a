#!/usr/bin/env bash
# tests/integration/test_opening_cert.sh
#    The opening certificate has a real path (issue 13 point 4), through the
#    real ebidd, ebid and the openssl CLI:
#      - ebidd issues each tender's opening certificate with the opening
#        authority's key (a sub-CA of the centre's CA: pathlen 0, the ebid
#        opening policy), valid from the announcement to the opening time
#        plus the opening window, naming the tender (URI);
#      - `openssl verify -CAfile ca.crt -untrusted authority.crt opening.crt`
#        passes; GET /v1/opening-authority gives the authority;
#      - `ebid bid seal` checks path, period and tender before sealing and
#        refuses clearly otherwise: another tender's opening certificate, a
#        party's certificate, a certificate issued by the server's key (as
#        ebid did before), one of a foreign CA.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup

BIDS=$SRC/tests/data/bids
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
opening=$(iso_plus "$now" $((21 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$opening/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
bidding() {
	local t
	t=$(ebid_as tenderer tender register "$tmp/t.xml" | awk '/ registered$/ {print $2}')
	ebid_as registrar tender accept "$t" >/dev/null
	ebid_as supervisor tender publish "$t" >/dev/null
	wait_state tender "$t" bidding
	ebid_as bidder1 tender sign-up "$t" >/dev/null
	ebid_as registrar tender confirm-sign-up "$t" bidder=bidder1 >/dev/null
	printf '%s\n' "$t"
}
T=$(bidding)
T2=$(bidding)
check "two tenders in bidding ($T, $T2)" test -n "$T2"

opening_pem() { # opening_pem TENDER OUT: the opening certificate of the view
	ebid_as bidder1 tender show "$1" | tr -d '\n' |
		sed -n 's|.*<opening-key[^>]*>.*<certificate>\([^<]*\)</certificate>.*|\1|p' |
		base64 -d | openssl x509 -inform DER -out "$2"
}
opening_pem "$T" "$tmp/opening.pem"
opening_pem "$T2" "$tmp/opening2.pem"
check "the tender view carries its opening certificate" test -s "$tmp/opening.pem"
curl_as bidder1 "$URL/v1/opening-authority" | sed -n 's|.*<certificate>\([^<]*\)</certificate>.*|\1|p' |
	base64 -d | openssl x509 -inform DER -out "$tmp/authority.pem"
check "GET /v1/opening-authority gives the opening authority" cmp -s <(openssl x509 -in "$tmp/authority.pem" -outform DER) <(openssl x509 -in "$C/opening-authority.crt" -outform DER)
check "openssl verify -CAfile ca.crt -untrusted authority.crt opening.crt passes" \
	openssl verify -CAfile "$C/ca.crt" -untrusted "$C/opening-authority.crt" "$tmp/opening.pem"
openssl x509 -in "$tmp/opening.pem" -noout -text >"$tmp/opening.txt"
check "  ... issued by the opening authority" grep -q "Issuer: .*Opening Authority" "$tmp/opening.txt"
check "  ... under the ebid opening policy" grep -q "Policy: 2.25.187203276201082789878228018104147223299" "$tmp/opening.txt"
check "  ... naming its tender" grep -q "URI:urn:ebid:opening:$T" "$tmp/opening.txt"
check "  ... not a CA" grep -q "CA:FALSE" "$tmp/opening.txt"
na=$(date -u -d "$(openssl x509 -in "$tmp/opening.pem" -noout -enddate | cut -d= -f2)" +%s)
want=$(( $(date -u -d "$opening" +%s) + 90 * 86400 ))
check "  ... valid until the opening time plus the 90-day window" test "$na" = "$want"
refused "the server's certificate cannot issue it (no path: CA:FALSE)" \
	openssl verify -CAfile "$C/ca.crt" -untrusted "$C/server.crt" "$tmp/opening.pem"

sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-1-*.xml)" >"$tmp/b1.xml"
check "ebid bid seal checks it and seals" ebid_as bidder1 bid seal --tender "$T" "$tmp/b1.xml" -o "$tmp/b1.sealed"
seal_refused() { # seal_refused NAME REASON ARGS...
	local name=$1 reason=$2
	shift 2
	if ebid_as bidder1 bid seal --tender "$T" "$tmp/b1.xml" -o "$tmp/x.sealed" "$@" >"$tmp/seal.out" 2>&1; then
		bad "$name (it sealed)"
	elif grep -q "code: $reason" "$tmp/seal.out"; then
		ok "$name ($reason)"
	else
		bad "$name (refused otherwise: $(head -2 "$tmp/seal.out" | tr '\n' ' '))"
	fi
}
seal_refused "another tender's opening certificate is refused" opening-cert-wrong-tender --opening-cert "$tmp/opening2.pem"
seal_refused "a party's certificate is refused" opening-cert-untrusted --opening-cert "$C/bidder2.crt"
# what ebidd issued before: an opening certificate signed by the server key
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/fk.key" \
	-subj "/CN=opening key $T" -out "$tmp/fk.csr" 2>/dev/null
openssl x509 -req -in "$tmp/fk.csr" -CA "$C/server.crt" -CAkey "$C/server.key" -set_serial 7 \
	-days 30 -out "$tmp/forged.pem" 2>/dev/null
seal_refused "a certificate issued by the server's key is refused" opening-cert-untrusted --opening-cert "$tmp/forged.pem"
seal_refused "  ... also when the server certificate is given as the authority" opening-cert-not-opening \
	--opening-cert "$tmp/forged.pem" --opening-authority "$C/server.crt"
openssl x509 -req -in "$tmp/fk.csr" -CA "$C/other-ca.crt" -CAkey "$C/other-ca.key" -set_serial 8 \
	-days 30 -out "$tmp/foreign.pem" 2>/dev/null
seal_refused "an opening certificate of a foreign CA is refused" opening-cert-not-opening \
	--opening-cert "$tmp/foreign.pem" --opening-authority "$C/other-ca.crt"
check "offline, with the authority given: seals" ebid_as bidder1 bid seal --tender "$T" "$tmp/b1.xml" -o "$tmp/b1b.sealed" \
	--opening-cert "$tmp/opening.pem" --opening-authority "$C/opening-authority.crt"
check "the sealed bid is accepted" ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" -o "$tmp/b1.receipt"
finish

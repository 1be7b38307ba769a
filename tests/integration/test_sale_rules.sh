#!/usr/bin/env bash
# tests/integration/test_sale_rules.sh
#    Sale rules of issue 14, each through the real ebidd and the real ebid:
#      point 10: quotes are whole multiples of the increment by default;
#                raise="at-least" accepts any amount one increment up
#      point 13: refusals speak to the person: a late quote says the
#                listing closed and when; "allowed now" lists only what
#                the caller's office may do; a no-sale has no winner;
#                watch prints no deposit as a price, no log sequence as a
#                bidding number
#      point 11: bidding numbers are six random-looking digits, unrelated
#                across sales; a buyer sees its own number, the price and
#                the leader, never who else paid, declared or goes on
#                (its view, the public board, the watch)
#      point 14: tools/sale-script: "refuse REASON" passes only on exactly
#                that reason; an unknown command fails the script
#    A sale in its listing with three buyers comes from
#    tests/data/sale/rules-listing.txt (tools/sale-script).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
BPORT=$(free_port)   # the public board
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages"
it_setup
B=http://127.0.0.1:$BPORT
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C EBID_BUILD=$BUILD SALE_QUIET=1

# listing_sale NAME SEDSCRIPT: run rules-listing.txt edited by SEDSCRIPT,
# move the clock to its listing start; sets $sale
listing_sale() {
	local ls
	sed "$2" "$SRC/tests/data/sale/rules-listing.txt" >"$tmp/$1.txt"
	sale=""
	if SALE_ID_FILE=$tmp/$1.id "$SRC/tools/sale-script" "$tmp/$1.txt" >"$tmp/$1.out" 2>&1; then
		. "$tmp/$1.id"
	else
		cat "$tmp/$1.out"; return 1
	fi
	ls=$(ebid_as supervisor sale show "$sale" | grep -o 'listing-start="[^"]*"' | cut -d'"' -f2)
	clock_to "$ls"
}
# refused_with REASON NAME COMMAND...: the command fails naming REASON
refused_with() {
	local why=$1 name=$2 o; shift 2
	o=$(check_out)
	if "$@" >"$o" 2>&1; then
		bad "$name (was accepted)"; show_failure "$o"
	elif grep -q -- "$why" "$o"; then
		ok "$name"
	else
		bad "$name (refused, but not with $why)"; show_failure "$o"
	fi
	cat "$o" >>"$tmp/check.log"
}
price_of() { ebid_as supervisor sale show "$1" | grep -o '<price [^>]*' | grep -o ' current="[0-9]*"' | cut -d'"' -f2; }

# -- point 10: whole multiples of the increment --------------------------------
listing_sale multiples "" || bad "a sale in its listing (default raise rule)"
S=$sale
check "the view states the raise rule (multiples)" grep -q 'raise="multiples"' <(ebid_as supervisor sale show "$S")
refused_with not-a-multiple "a first quote one fen above the starting price is refused" \
	ebid_as buyer1 auction quote --sale "$S" 2000000.01
check "the starting price itself is a valid first quote" ebid_as buyer1 auction quote --sale "$S" 2000000.00
refused_with not-a-multiple "1.5 increments above the current price is refused" \
	ebid_as buyer2 auction quote --sale "$S" 2015000.00
refused_with not-a-multiple "one fen above an increment is refused" \
	ebid_as buyer2 auction quote --sale "$S" 2010000.01
refused_with "nearest valid amounts 2,010,000.00 and 2,020,000.00" "the refusal names the nearest valid amounts" \
	ebid_as buyer2 auction quote --sale "$S" 2010000.01
check "the price did not move (2,000,000.00)" test "$(price_of "$S")" = 200000000
check "three whole increments are accepted" ebid_as buyer2 auction quote --sale "$S" 2030000.00
check "the price is 2,030,000.00" test "$(price_of "$S")" = 203000000

listing_sale atleast "s/ increment=1000000 / increment=1000000 raise=at-least /" || bad "a sale in its listing (raise=at-least)"
S2=$sale
check "the view states the raise rule (at-least)" grep -q 'raise="at-least"' <(ebid_as supervisor sale show "$S2")
check "raise=at-least: a first quote one fen above the start is accepted" ebid_as buyer1 auction quote --sale "$S2" 2000000.01
refused_with below-minimum "raise=at-least: less than one increment up is still refused" \
	ebid_as buyer2 auction quote --sale "$S2" 2010000.00
check "raise=at-least: 1.5 increments up is accepted" ebid_as buyer2 auction quote --sale "$S2" 2015000.01
check "the price is 2,015,000.01" test "$(price_of "$S2")" = 201500001
refused_with "attribute 'raise'" "an unknown raise rule is refused at registration" \
	ebid_as transferor sale register-sale starting-price=100 increment=1 deposit=0 \
	listing-start=2099-01-01T00:00:00.000Z listing-end=2099-01-02T00:00:00.000Z \
	countdown-seconds=60 raise=any --asset "Plant"

# -- point 13: refusals and views speak to the person ---------------------------
# the watch a buyer sees of S (quotes only so far; deposits were confirmed)
timeout 4 "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/bidder1.crt" --key "$C/bidder1.key" \
	auction watch --sale "$S" >"$tmp/watch.out" 2>&1
check "watch shows the quotes with their bidding numbers" grep -q 'sale-quote-accepted *No\. [0-9][0-9]*  2,030,000.00' "$tmp/watch.out"
check "watch never prints a deposit (200,000.00) as a price" bash -c "! grep -q '200,000.00' '$tmp/watch.out'"
check "watch shows no applications or deposits" bash -c "! grep -q 'application\|deposit' '$tmp/watch.out'"
check "watch prints no log sequence number (#N)" bash -c "! grep -q '#[0-9]' '$tmp/watch.out'"
le=$(ebid_as supervisor sale show "$S" | grep -o 'listing-end="[^"]*"' | cut -d'"' -f2)
clock_to "$(iso_plus "$le" 1)"
check "ebidd closes the listing of S (two quoted: declaring)" wait_state sale "$S" declaring
refused_with "closed at $le" "a quote one second late says the listing closed, and when" \
	ebid_as bidder1 auction quote --sale "$S" 2040000.00
refused_with "code: listing-closed" "  ... with the reason listing-closed" \
	ebid_as bidder1 auction quote --sale "$S" 2040000.00
refused_with "allowed now: declare-continue" "a bidder's 'allowed now' lists what a bidder may do" \
	ebid_as buyer1 auction bid --sale "$S" 2040000.00
o=$(ebid_as buyer1 auction bid --sale "$S" 2040000.00 2>&1)
check "  ... and nothing of another office (start-auction, cancel-sale)" bash -c "! grep -q 'start-auction\|cancel-sale\|suspend-sale' <<<'$o'"
# -- point 11: bidding numbers give nothing away ------------------------------
# S is declaring: buyer1 and buyer2 quoted, bidder1 paid and never quoted
num() { ebid_as supervisor sale show "$2" | grep -o "<bidder [^>]*party=\"$1\"[^>]*" | grep -o ' number="[0-9]*"' | cut -d'"' -f2; }
n1=$(num buyer1 "$S") n2=$(num buyer2 "$S") n3=$(num bidder1 "$S")
check "bidding numbers are six digits, not the order of deposits ($n1 $n2 $n3)" \
	bash -c "[[ '$n1 $n2 $n3' =~ ^[1-9][0-9]{5}\ [1-9][0-9]{5}\ [1-9][0-9]{5}$ ]]"
check "buyer1's number in another sale is unrelated ($n1 / $(num buyer1 "$S2"))" test "$n1" != "$(num buyer1 "$S2")"
ebid_as buyer1 sale show "$S" >"$tmp/b1.xml"
check "buyer1 learns its own number" grep -q "number=\"$n1\"[^>]*you=\"yes\"" "$tmp/b1.xml"
check "  ... the current price and the leading number" grep -q "current=\"203000000\"[^>]*leader=\"$n2\"" "$tmp/b1.xml"
check "  ... and sees no entry but its own (how many paid)" test "$(grep -o '<bidder ' "$tmp/b1.xml" | wc -l)" = 1
check "  ... nor the number of the buyer who paid and never quoted" bash -c "! grep -q '$n3' '$tmp/b1.xml'"
check "buyer1 declares to go on" ebid_as buyer1 sale declare-continue "$S" continue=yes
ebid_as buyer2 sale show "$S" >"$tmp/b2.xml"
check "buyer2 does not learn who declared or how many go on" bash -c "! grep -q 'continue=\|continuing=\|declared=' '$tmp/b2.xml'"
check "the supervisor does (1 declared)" grep -q 'declared="1"' <(ebid_as supervisor sale show "$S")
curl -s --max-time 5 "$B/sales/$S" >"$tmp/board.html"
check "the public board shows the sale" grep -q "$S" "$tmp/board.html"
check "  ... with no number of a buyer who never quoted" bash -c "! grep -q '$n3' '$tmp/board.html'"
curl -s --max-time 5 "$B/sales/$S/watch?after=0" >"$tmp/bwatch.xml"
check "the board's watch lists no application, deposit or declaration" \
	bash -c "grep -q '<entry ' '$tmp/bwatch.xml' && ! grep -q 'application\|deposit\|declared' '$tmp/bwatch.xml'"

listing_sale nobody "" || bad "a sale in its listing (nobody will quote)"
S3=$sale
le=$(ebid_as supervisor sale show "$S3" | grep -o 'listing-end="[^"]*"' | cut -d'"' -f2)
clock_to "$(iso_plus "$le" 1)"
check "nobody quoted: the sale goes to its reveal" wait_state sale "$S3" revealing
check "the transferor reveals the reserve" ebid_as transferor sale reveal-reserve "$S3" fen=250000000 salt=8899aabbccddeeff0011223344556677
ebid_as supervisor sale show "$S3" >"$tmp/nosale.xml"
check "the result is a no-sale" grep -q 'outcome="no-sale"' "$tmp/nosale.xml"
check "  ... with no winner (no winner=\"0\")" bash -c "! grep -q 'winner=' '$tmp/nosale.xml'"
check "the supervisor confirms the no-sale" ebid_as supervisor sale confirm-sale-result "$S3"
ebid_as supervisor sale show "$S3" >"$tmp/nosale2.xml"
check "  ... and its confirmation names no winner either" bash -c "grep -q 'confirmed=\"yes\"' '$tmp/nosale2.xml' && ! grep -q 'winner=' '$tmp/nosale2.xml'"

# -- point 14: tools/sale-script checks what it says it checks -----------------
# script_with NAME LINE...: rules-listing.txt plus LINEs; runs it, returns
# the script's verdict
script_with() {
	local name=$1; shift
	{ cat "$SRC/tests/data/sale/rules-listing.txt"; printf '%s\n' "$@"; } >"$tmp/$name.txt"
	"$SRC/tools/sale-script" "$tmp/$name.txt" >"$tmp/$name.out" 2>&1
}
Q0="2026-12-02T00:00:00.000Z bidder-a quote amount=200000000"
check "sale-script: 'refuse not-a-multiple' on a quote refused so passes" \
	script_with right "$Q0" "refuse not-a-multiple 2026-12-02T01:00:00.000Z bidder-b quote amount=201000001"
refused "sale-script: 'refuse below-minimum' on a quote refused as not-a-multiple fails" \
	script_with wrong "$Q0" "refuse below-minimum 2026-12-02T01:00:00.000Z bidder-b quote amount=201000001"
check "  ... saying which reason it got" grep -q 'should be refused with below-minimum, was refused with not-a-multiple' "$tmp/wrong.out"
refused "sale-script: 'refuse' on an accepted quote fails" \
	script_with accepted "$Q0" "refuse below-minimum 2026-12-02T01:00:00.000Z bidder-b quote amount=201000000"
refused "sale-script: a misspelled command under 'refuse' fails" \
	script_with typo "$Q0" "refuse below-minimum 2026-12-02T01:00:00.000Z bidder-b qoute amount=200000000"
check "  ... naming the unknown command" grep -q "unknown command 'qoute'" "$tmp/typo.out"
refused "sale-script: a misspelled command alone fails" \
	script_with typo2 "2026-12-02T01:00:00.000Z bidder-b auction-bidd amount=200000000"
refused "sale-script: a line that is not a command fails" \
	script_with junk "expct state=listing"
finish

#!/usr/bin/env bash
# tests/integration/test_rules_lots.sh
#    Issue 14 point 4 through the real ebidd and the real ebid: a tender in
#    lots (分标段) with linked discounts (组合优惠) and adjustment factors
#    declared in the bid, from the sealed bids to the award of each lot
#    and the auditor's replay.
#      - the sample tests/data/tender/register-tender-lots.xml registers;
#        rules in lots that contradict themselves are refused
#      - bids price lots A and B (bidder1 5 % off B if it wins A; buyer2
#        prices B only); a bid whose lot prices do not add up to its
#        total is invalid at clearing (bid-format, bid-bad-lots)
#      - if-no-factor="invalid": a bid that declares no night-work factor
#        is flagged at clearing (not-scored="missing-factor")
#      - each lot evaluated on its own; the award plan (lowest-total)
#        gives both lots to bidder1, B to its second candidate, with the
#        discount; `ebid result show` prints each lot and the plan
#      - evaluate="discounted": lot B counts bidder1's discount (it wins
#        A undiscounted) and ranks it first
#      - one issue-award per lot, to the plan's bidder only, once; the
#        last one makes the tender awarded; the exported log verifies
#        and replays
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/rules_lib.sh"
REG=$SRC/tests/data/tender/register-tender-lots.xml
# The lots of each bid (fen; each bid's total-price is unchanged, so the
# clearing sees the same bids as test_rules.sh):
#   bidder1 570,368,000 = A 190,368,000 + B 380,000,000, 5 % off B if A
#   bidder2 598,200,000 = A 228,200,000 + B 370,000,000
#   bidder3 599,400,000 = A 209,400,000 + B 390,000,000
#   buyer2  585,000,000 = B only (its missing bid-bond declaration given)
# completion days 210, 200, 205, 200: no charge; no night-work factor.
# Lot A ranks bidder1, bidder3, bidder2; lot B bidder2, bidder1, bidder3,
# buyer2.  Each lot to its first: 190,368,000 + 370,000,000 =
# 560,368,000; bidder1 both: 190,368,000 + 380,000,000 - 19,000,000 =
# 551,368,000, the least of the 3 x 3 combinations.
lots() { printf 's#</bid>#%s<lots>%s</lots></bid>#' "${2:-}" "$1"; }
lot() { printf '<lot id="%s"><total-price>%s</total-price></lot>' "$1" "$2"; }
set_lots() {
	BID_EDIT[1]=$(lots "$(lot A 190368000)$(lot B 380000000)<linked-discount lot=\"B\" if-won=\"A\" percent=\"5\"/>" "${1:-}")
	BID_EDIT[2]=$(lots "$(lot A 228200000)$(lot B 370000000)" "${1:-}")
	BID_EDIT[3]=$(lots "$(lot A 209400000)$(lot B 390000000)" "${1:-}")
	# buyer2's sample bid lacks its bid-bond declaration (tests/data/
	# bids/README.md): given here, so it is valid and prices B only
	BID_EDIT[6]="s#</qualifications>#<declaration ref=\"bid-bond\">The bid bond of CNY 80,000 has been paid.</declaration></qualifications>#; $(lots "$(lot B 585000000)")"
}
set_lots
refused_with() { # refused_with REASON NAME COMMAND...
	local why=$1 name=$2; shift 2
	if out=$("$@" 2>&1); then bad "$name (was accepted)"; elif grep -q -- "$why" <<<"$out"; then ok "$name"; else bad "$name (not $why: $out)"; fi
}

# -- rules in lots that contradict themselves are refused -------------------
dl=$(iso_plus "$(clock_now)" $((20 * 86400)))
check "lots with a validity band (one price for the whole tender) are refused" \
	bad_reg band 's#<compliance-item id="qualification"#<validity-band reference="570000000" above="5"/><compliance-item id="qualification"#' 'cannot apply to each lot'
check "an unknown award basis is refused, naming the attribute" bad_reg award 's#award="lowest-total"#award="cheapest"#' "attribute 'award'"
check "a tender of one lot is refused" bad_reg one '/<lot id="B"/d' 'lot'

# -- the tender in lots, from the bids to the award -------------------------
T=$(rules_tender lots '')
check "a tender in lots A and B is registered, bid on and cleared ($T)" test -n "$T"
check "bidder1's bid in lots is valid after clearing" grep -q 'status="valid"' <(summary_of "$T" bidder1)
scored_yes() { # scored_yes TENDER BIDDER: its summary says scored="yes"
	local all
	all=$(ebid_as supervisor tender show "$1" | grep -o '<bid-summary [^>]*>')
	grep -q "<bid-summary bidder=\"$2\"[^>]* scored=\"yes\"" <<<"$all" || { echo "$all"; return 1; }
}
check "buyer2, which prices lot B only, is scored" scored_yes "$T" buyer2
check "the committee is seated" seat "$T"
check "every member judges the listed bids" compliance_all "$T"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T"
ebid_as supervisor result show --tender "$T" --xml >"$tmp/r.xml"
check "the result has lot A's own evaluation" grep -q '<evaluation-result [^>]*lot="A"' "$tmp/r.xml"
check "  ... and lot B's" grep -q '<evaluation-result [^>]*lot="B"' "$tmp/r.xml"
check "lot B ranks bidder2 first on the undiscounted prices" grep -q '<rank bidder="bidder2" evaluated-price="370000000" position="1"' "$tmp/r.xml"
check "  ... and buyer2, which prices B only, fourth" grep -q '<rank bidder="buyer2" evaluated-price="585000000" position="4"' "$tmp/r.xml"
check "lot A has the three bids that price it" grep -q '<lot bids="3" id="A"' "$tmp/r.xml"
check "the award plan costs 551,368,000 fen against 560,368,000 lot by lot" \
	grep -q '<award-plan basis="lowest-total" cost="551368000" separate-cost="560368000">' "$tmp/r.xml"
check "  ... lot A to bidder1" grep -q '<award bidder="bidder1" cost="190368000" discount="0" lot="A" position="1"' "$tmp/r.xml"
check "  ... lot B to bidder1 (its second candidate), 5 % off: 19,000,000" \
	grep -q '<award bidder="bidder1" cost="361000000" discount="19000000" lot="B" position="2"' "$tmp/r.xml"
check "  ... the linked discount applied, named" grep -q '<discount amount="19000000" if-won="A" percent="5.0000"' "$tmp/r.xml"
ebid_as supervisor result show --tender "$T" >"$tmp/r.txt"
check "result show prints each lot" grep -q '^== lot A' "$tmp/r.txt"
check "  ... the award plan" grep -q '^award plan (lowest-total): cost to the tenderer' "$tmp/r.txt"
check "  ... and the linked discount applied" grep -q 'linked discount 5.0000 % (if won: A)' "$tmp/r.txt"
check "the published candidates carry their lot" grep -q '<candidate bidder="bidder2" lot="B" rank="1"' <(ebid_as supervisor tender show "$T")
for x in $(committee "$T"); do
	ebid_as "$x" result sign --tender "$T" >/dev/null || bad "$x signs the report"
done
check "candidates published" ebid_as supervisor tender publish-candidates "$T"
clock_to "$(publicity_end "$T")"
check "publicity ended by ebidd's timer" wait_state tender "$T" publicity-over
check "the verifier verifies the process" ebid_as verifier tender verify-process "$T"
refused_with not-the-lot-awardee "lot B to its first candidate is refused: the plan gives it to bidder1" \
	ebid_as verifier tender issue-award "$T" bidder=bidder2 lot=B --justification "Ranked first in lot B."
refused_with not-an-award-lot "a lot the plan does not name is refused" \
	ebid_as verifier tender issue-award "$T" bidder=bidder1 lot=C --justification "x"
check "lot A is awarded to bidder1" ebid_as verifier tender issue-award "$T" bidder=bidder1 lot=A --justification "Lowest total cost to the tenderer."
check "  ... the tender stays verified until every lot is awarded" test "$(state_of tender "$T")" = verified
refused_with lot-already-awarded "lot A cannot be awarded twice" \
	ebid_as verifier tender issue-award "$T" bidder=bidder1 lot=A --justification "again"
check "lot B is awarded to bidder1, with its linked discount" ebid_as verifier tender issue-award "$T" bidder=bidder1 lot=B --justification "Lowest total cost, 5 % off lot B."
check "  ... the tender is awarded" test "$(state_of tender "$T")" = awarded
check "the award records lot B's discount and cost" grep -q '<lot-award [^>]*cost="361000000" discount="19000000"' <(ebid_as supervisor tender show "$T")
check "the tender is closed" ebid_as supervisor tender close-tender "$T"
check "auditor exports the log" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T" -o "$tmp/$T.log.xml"
check "the export verifies with only the CA certificate" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
check "the auditor's replay recomputes the lots and the plan" "$AUDIT" replay "$tmp/$T.log.xml" --ca "$C/ca.crt"

# -- evaluate="discounted": the rules say a lot counts the linked discount ---
# bidder1 ranks first in A undiscounted, so its B price counts 380,000,000
# - 19,000,000 = 361,000,000 in lot B's evaluation: first, before
# bidder2's 370,000,000; each lot to its first candidate is bidder1 twice
T4=$(rules_tender disc 's#award="lowest-total" evaluate="undiscounted"#award="separate" evaluate="discounted"#')
check "a tender evaluating lots on discounted prices is cleared ($T4)" test -n "$T4"
check "the committee is seated" seat "$T4"
check "every member judges the listed bids" compliance_all "$T4"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T4"
ebid_as supervisor result show --tender "$T4" --xml >"$tmp/r4.xml"
check "lot B counts bidder1's discount of 19,000,000" grep -q '<evaluated-discount amount="19000000" bidder="bidder1"' "$tmp/r4.xml"
check "  ... and ranks it first at 361,000,000" grep -q '<rank bidder="bidder1" evaluated-price="361000000" position="1"' "$tmp/r4.xml"
check "the plan gives both lots to bidder1, each its first candidate" \
	grep -q '<award bidder="bidder1" cost="361000000" discount="19000000" lot="B" position="1"' "$tmp/r4.xml"
check "result show says which discount the lot's evaluation counted" grep -q "evaluated with bidder1's linked discount of" <(ebid_as supervisor result show --tender "$T4")

# -- checked at clearing: lot sums and declared factors ---------------------
set_lots
BID_EDIT[3]=$(lots "$(lot A 209400000)$(lot B 380000000)")
T2=$(rules_tender sum '')
check "a tender where bidder3's lots do not add up to its total is cleared ($T2)" test -n "$T2"
check "bidder3 is invalid at clearing" grep -q 'status="invalid"' <(summary_of "$T2" bidder3)
check "  ... for its lots: a bid-format finding, bid-bad-lots" grep -q 'reason="bid-bad-lots" rule="bid-format"' <(ebid_as supervisor tender show "$T2")
set_lots '<factor id="night-work" quantity="2"/>'
BID_EDIT[2]=$(lots "$(lot A 228200000)$(lot B 370000000)")
T3=$(rules_tender factor 's#if-no-factor="zero"#if-no-factor="invalid"#')
check "a tender whose rules need the night-work factor is cleared ($T3)" test -n "$T3"
check "bidder2, which declares no night-work, is flagged at clearing" grep -q 'not-scored="missing-factor"' <(summary_of "$T3" bidder2)
check "bidder1, which declares it, is scored" grep -q ' scored="yes"' <(summary_of "$T3" bidder1)

finish

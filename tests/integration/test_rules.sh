#!/usr/bin/env bash
# tests/integration/test_rules.sh
#    Evaluation rules that real tenders need (issue 14), each through the
#    real ebidd and the real ebid: tenders registered with rules the demo
#    does not use, run from the sealed bids to the close of the
#    evaluation.
#      point 5: a validity band and expert criteria: the bids to score are
#               one definition (the form, the sheet check, the close); the
#               bid outside the band is shown with its reason
#      point 7: contradictory rules are refused at registration, the
#               message naming the attribute and why
#      point 1: above-bound="strict" (超出标底不满5%): a bid exactly on the
#               bound is outside; inclusive (the default) keeps it
#      point 6: a bid without completion-days under a completion
#               adjustment is invalid (flagged as soon as it is cleared),
#               the others are ranked; if-missing="worst" ranks it too
#      point 2: trimming tiers by the number of valid bids (<trim-tier>):
#               the tier for the count applies, trimmed bids keep a price
#               score; malformed tables are refused at registration
#      point 3: the expert-deviation rule (<deviation-rule band reference
#               scope measure>): an expert's total far from the mean of
#               all is flagged; the close waits for its explanation, a
#               signed explain-deviation in the log, shown in the result
#      point 9: every sample tender of tests/data/tender/ (one per method
#               and benchmark kind) registers through ebidd; the
#               lowest-price and control-price benchmarks run to a result
#      point 8: the result keeps the exact deviation beside the rounded
#               one; `ebid result show` prints what decides each rank
#               (deviation, price part, weighted part; evaluated price and
#               each adjustment; the reason of an invalid bid)
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/rules_lib.sh"
REG=$SRC/tests/data/tender/register-tender.xml
# score_all TENDER: every member scores the bids the form lists
score_all() {
	local t=$1 x
	for x in $(committee "$t"); do
		score_sheet "$x" "$t" "$tmp/s-$t-$x.xml"
		ebid_as "$x" score submit --tender "$t" "$tmp/s-$t-$x.xml" || return 1
	done
}

# -- point 7: contradictory rules are refused at registration ----------------
now=$(clock_now)
dl=$(iso_plus "$now" $((20 * 86400)))
check "price-formula min above max is refused, naming min" bad_reg minmax 's#deduct-below="1"#deduct-below="1" min="50"#' 'min is above max'
check "trim-min-experts above the committee size is refused" bad_reg trim 's#trim-min-experts="5"#trim-min-experts="7"#' 'trim-min-experts is above the committee-size'
check "a reference weight without a reference price is refused" bad_reg refw 's#drop-extremes="yes"#drop-extremes="yes" reference-weight="0.5"#' 'reference-weight without reference-price'
check "a criterion whose min is its max is refused" bad_reg crit 's#max="10" step="1"#max="10" min="10" step="1"#' 'criterion min is not below max'

# -- point 5: the bids to score are one definition ---------------------------
# band +5 % over 570,000,000 fen: up to 598,500,000; bidder3 bids
# 599,400,000 (valid after clearing, outside the band)
T5=$(rules_tender p5 's#</evaluation-rules>#<validity-band reference="570000000" above="5"/></evaluation-rules>#')
check "a tender with a validity band and expert criteria is cleared ($T5)" test -n "$T5"
check "bidder3 is valid after clearing" grep -q 'status="valid"' <(summary_of "$T5" bidder3)
b3=$(summary_of "$T5" bidder3)
check "the form marks bidder3 not scored ($b3)" grep -q ' scored="no"' <<<"$b3"
check "with the reason" grep -q ' not-scored="above-validity-band"' <<<"$b3"
check "bidder1 is scored" grep -q 'scored="yes"' <(summary_of "$T5" bidder1)
check "the committee is seated" seat "$T5"
x=$(committee "$T5" | head -n 1)
check "score show tells the expert why bidder3 is not scored" grep -q 'bidder3 *not scored: above-validity-band' <(ebid_as "$x" score show --tender "$T5")
check "every expert's sheet of the listed bids is accepted" score_all "$T5"
# a sheet that also scores the bid outside the band is refused
sed 's#</score-sheet>#  <score bid="bidder3" criterion="tech" value="25"/><score bid="bidder3" criterion="quality" value="15"/><score bid="bidder3" criterion="schedule" value="8"/></score-sheet>#' "$tmp/s-$T5-$x.xml" >"$tmp/s5-extra.xml"
refused "a sheet scoring the bid outside the band is refused (unknown-bid)" ebid_as "$x" score submit --tender "$T5" "$tmp/s5-extra.xml"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T5"
ebid_as supervisor result show --tender "$T5" >"$tmp/r5.txt"
check "the result shows bidder3 invalid, with the reason" grep -q 'invalid: above-validity-band' <(grep -A1 '^bidder3' "$tmp/r5.txt")
# the rejected bids (否决投标情况, the board's list with the candidates)
# name it with the evaluation's reason
ebid_as supervisor tender show "$T5" >"$tmp/v5.xml"
check "the rejected bids list bidder3 at the evaluation (above-validity-band)" \
	bash -c "grep -o '<rejected [^>]*>' '$tmp/v5.xml' | grep 'bidder=\"bidder3\"' | grep 'stage=\"evaluation\"' | grep -q 'rule=\"above-validity-band\"'"

# -- point 1: each side of the band says whether its bound is inclusive -------
# bidder1 bids 570,368,000 = 456,294,400 * 125 %: exactly on the bound
T1=$(rules_tender p1s 's#</evaluation-rules>#<validity-band reference="456294400" above="25" above-bound="strict"/></evaluation-rules>#')
check "a tender with a strict upper bound is cleared ($T1)" test -n "$T1"
check "strict: the bid exactly on the bound is not scored" grep -q 'not-scored="above-validity-band"' <(summary_of "$T1" bidder1)
T1i=$(rules_tender p1i 's#</evaluation-rules>#<validity-band reference="456294400" above="25"/></evaluation-rules>#')
check "inclusive (the default): the same bid is scored" grep -q ' scored="yes"' <(summary_of "$T1i" bidder1)
check "a bid above 125 % is not scored either way" grep -q 'not-scored="above-validity-band"' <(summary_of "$T1i" bidder2)
refused "a bound that is neither inclusive nor strict is refused at registration" \
	ebid_as tenderer tender register <(sed 's#</evaluation-rules>#<validity-band reference="520000000" above="12.5" above-bound="open"/></evaluation-rules>#' "$tmp/p1s-reg.xml")

# -- point 2: trimming tiers by the number of valid bids ----------------------
dl=$(iso_plus "$(clock_now)" $((20 * 86400)))
TIERS='s#deduct-below="1" drop-extremes="yes">#deduct-below="1">#; s#</price-formula>#<trim-tier bids-from="3" drop-highest="1"/><trim-tier bids-from="5" drop-highest="1" drop-lowest="1"/></price-formula>#'
check "tiers that do not rise are refused at registration" bad_reg tiers-order "$TIERS; s#bids-from=\"5\"#bids-from=\"3\"#" 'bids-from must rise'
check "a tier that would drop every bid is refused" bad_reg tiers-all "$TIERS; s#bids-from=\"3\" drop-highest=\"1\"#bids-from=\"2\" drop-highest=\"1\" drop-lowest=\"1\"#" 'must leave at least one bid'
check "a tier beside drop-extremes is refused" bad_reg tiers-both 's#</price-formula>#<trim-tier bids-from="3" drop-highest="1"/></price-formula>#' 'a tier table replaces it'
T2=$(rules_tender p2 "$TIERS")
check "a tender with trimming tiers (3+: the highest; 5+: both) is cleared ($T2)" test -n "$T2"
check "the committee is seated" seat "$T2"
check "every expert scores" score_all "$T2"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T2"
ebid_as supervisor result show --tender "$T2" --xml >"$tmp/r2.xml"
# three or four valid bids: the tier from 3 applies, only the highest
# price is out
prices=$(grep -o '<bid bidder="[^"]*" [^>]*price="[0-9]*" valid="yes"' "$tmp/r2.xml" | grep -o 'price="[0-9]*"' | cut -d'"' -f2 | sort -n)
hi=$(tail -1 <<<"$prices")
out=$(grep -B1 '<price-score [^>]*in-benchmark="no"' "$tmp/r2.xml" | grep -o '<bid [^>]*' | grep -o ' price="[0-9]*"' | cut -d'"' -f2)
check "$(wc -l <<<"$prices") valid bids: only the highest ($hi) is trimmed from the benchmark ($out)" test "$out" = "$hi"
k=$(grep -o '<evaluation-result [^>]*' "$tmp/r2.xml" | grep -o 'coefficient="[0-9.]*"' | cut -d'"' -f2 | tr -d .)
k=$((10#$k)) sum=0 n=0
for p in $(head -n -1 <<<"$prices"); do sum=$((sum + p)); n=$((n + 1)); done
want=$(( (2 * k * sum + 100 * n) / (200 * n) ))   # K * average, half-up to the fen
check "the benchmark is K ($k %) times the average of the others ($want fen)" grep -q "benchmark=\"$want\"" "$tmp/r2.xml"
check "the trimmed bid still has a price score" grep -q '<price-score [^>]*in-benchmark="no"[^>]*value="[0-9.]*"' "$tmp/r2.xml"
check "the result keeps the exact deviation beside the rounded one" grep -q '<price-score deviation-exact="-\?[0-9]*\.[0-9]\{8\}" deviation-percent=' "$tmp/r2.xml"
ebid_as supervisor result show --tender "$T2" >"$tmp/r2.txt"
check "result show prints each bid's deviation, exactly too" grep -q 'deviation -\?[0-9.]* % from the benchmark, exactly -\?[0-9.]\{10,\} %' "$tmp/r2.txt"
check "  ... its weighted price part" grep -q 'weighted price part [0-9.]*' "$tmp/r2.txt"
check "  ... which bid was trimmed from the benchmark" grep -q 'trimmed from the benchmark average' "$tmp/r2.txt"
check "  ... and each bid's technical score and total" grep -q 'technical [0-9.]*, total [0-9.]*' "$tmp/r2.txt"

# -- point 3: the expert-deviation rule ---------------------------------------
DEVR='s#trim-min-experts="5" deviation-band="20">#trim-min-experts="5"><deviation-rule band="50" reference="all" scope="total" measure="mean"/>#'
# the rule must come last in <evaluation-rules>: move it before the end tag
DEVR='s#trim-min-experts="5" deviation-band="20">#trim-min-experts="5">#; s#</evaluation-rules>#<deviation-rule band="50" reference="all" scope="total" measure="mean"/></evaluation-rules>#'
dl=$(iso_plus "$(clock_now)" $((20 * 86400)))
check "a deviation-rule beside deviation-band is refused at registration" bad_reg devboth 's#</evaluation-rules>#<deviation-rule band="30"/></evaluation-rules>#' 'deviation-rule replaces deviation-band'
check "an unknown reference is refused" bad_reg devref "$DEVR; s#reference=\"all\"#reference=\"median\"#" "reference"
T3=$(rules_tender p3 "$DEVR")
check "a tender with deviation-rule (50 % of the mean of all, on the total) is cleared ($T3)" test -n "$T3"
check "the committee is seated" seat "$T3"
check "every expert scores" score_all "$T3"
xd=$(committee "$T3" | head -n 1)
xo=$(committee "$T3" | tail -n 1)
b1=$(valid_bidders "$T3" | head -n 1)
# xd gives b1 the lowest score on every criterion: its total (0) is far
# from the mean of all five
sed "s#<score bid=\"$b1\" criterion=\"\([a-z]*\)\" value=\"[0-9.]*\"/>#<score bid=\"$b1\" criterion=\"\1\" value=\"0\"/>#g" "$tmp/s-$T3-$xd.xml" >"$tmp/s3-low.xml"
check "$xd resubmits with a total of 0 for $b1" ebid_as "$xd" score submit --tender "$T3" "$tmp/s3-low.xml"
out=$(ebid_as supervisor tender close-evaluation "$T3" 2>&1)
check "the close waits for an explanation of $xd's total for $b1" grep -q "deviation-reason-required" <<<"$out"
check "  ... naming the total" grep -q "on the total deviates" <<<"$out"
refused_with() { # refused_with REASON NAME COMMAND...
	local why=$1 name=$2; shift 2
	if out=$("$@" 2>&1); then bad "$name (was accepted)"; elif grep -q -- "$why" <<<"$out"; then ok "$name"; else bad "$name (not $why: $out)"; fi
}
refused_with no-deviation-alert "another expert cannot explain a deviation it does not have" \
	ebid_as "$xo" tender explain-deviation "$T3" bid="$b1" --reason "Not mine."
refused_with no-deviation-alert "a criterion is not the rule's scope (total): refused" \
	ebid_as "$xd" tender explain-deviation "$T3" bid="$b1" criterion=tech --reason "Tech."
check "$xd explains in writing (a signed command)" ebid_as "$xd" tender explain-deviation "$T3" bid="$b1" --reason "The pipe supplier has no K9 certificate."
check "the explanation is in the log" grep -q 'The pipe supplier has no K9 certificate' <(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$T3'")
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T3"
ebid_as supervisor result show --tender "$T3" --xml >"$tmp/r3.xml"
check "the result's alert names the expert, the bid and the total" grep -q "<alert bid=\"$b1\" expert=\"$xd\" mean=\"[0-9.]*\" reason=.yes. scope=\"total\" value=\"0.0000\">" "$tmp/r3.xml"
check "  ... and carries the explanation" grep -q '<explanation>The pipe supplier has no K9 certificate.</explanation>' "$tmp/r3.xml"
check "result show prints the alert and its explanation" grep -q 'explained: The pipe supplier has no K9 certificate.' <(ebid_as supervisor result show --tender "$T3")

# -- point 9: a sample tender per method and benchmark kind -------------------
dl=$(iso_plus "$(clock_now)" $((20 * 86400)))
for f in "$SRC"/tests/data/tender/register-tender*.xml; do
	sed "s/@DEADLINE@/$dl/; s/@OPENING@/$dl/" "$f" >"$tmp/sample.xml"
	check "sample $(basename "$f") registers through ebidd" bash -c \
		"'$EBID' --url '$URL' --ca '$C/ca.crt' --cert '$C/tenderer.crt' --key '$C/tenderer.key' tender register '$tmp/sample.xml' | grep -q ' registered$'"
done
REG0=$REG
REG=$SRC/tests/data/tender/register-tender-lowest-benchmark.xml
T9=$(rules_tender p9l '')
check "the lowest-benchmark sample runs to its scoring ($T9)" test -n "$T9"
check "the committee is seated" seat "$T9"
check "every expert scores" score_all "$T9"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T9"
ebid_as supervisor result show --tender "$T9" --xml >"$tmp/r9l.xml"
low=$(grep -o '<bid bidder="[^"]*" [^>]*price="[0-9]*" valid="yes"' "$tmp/r9l.xml" | grep -o 'price="[0-9]*"' | cut -d'"' -f2 | sort -n | head -1)
check "lowest-benchmark: B is the lowest valid price ($low)" grep -q "benchmark=\"$low\"" "$tmp/r9l.xml"
check "  ... which scores the full 40" grep -q '<price-score value="40.0000"' "$tmp/r9l.xml"
REG=$SRC/tests/data/tender/register-tender-control-price.xml
T9c=$(rules_tender p9c '')
check "the control-price sample runs to its scoring ($T9c)" test -n "$T9c"
check "the committee is seated" seat "$T9c"
check "every expert scores" score_all "$T9c"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T9c"
ebid_as supervisor result show --tender "$T9c" --xml >"$tmp/r9c.xml"
check "control price: B = 0.97 * 5,700,000.00 = 5,529,000.00 yuan" grep -q 'benchmark="552900000"' "$tmp/r9c.xml"
check "  ... deviations count as whole percents (rounded up)" grep -q '<price-score deviation-exact="[0-9.]*" deviation-percent="[0-9]*.0000"' "$tmp/r9c.xml"
REG=$REG0

# -- point 6: a missing optional factor blocks nobody -------------------------
REG=$SRC/tests/data/tender/register-tender-lowest-price.xml
BID_EDIT[1]='/<completion-days>/d'
T6=$(rules_tender p6 '')
check "a lowest-evaluated-price tender, bidder1 without completion-days, is cleared ($T6)" test -n "$T6"
check "bidder1 is flagged at clearing: not scored, missing-completion-days" grep -q 'not-scored="missing-completion-days"' <(summary_of "$T6" bidder1)
check "the committee is seated" seat "$T6"
check "every member judges the listed bids" compliance_all "$T6"
check "the evaluation closes for everyone" ebid_as supervisor tender close-evaluation "$T6"
ebid_as supervisor result show --tender "$T6" --xml >"$tmp/r6.xml"
check "bidder1 is invalid in the result, with the reason" grep -q '<bid bidder="bidder1" [^>]*invalid-reason="missing-completion-days"' "$tmp/r6.xml"
check "the others are ranked by evaluated price" grep -q '<rank [^>]*evaluated-price=' "$tmp/r6.xml"
ebid_as supervisor result show --tender "$T6" >"$tmp/r6.txt"
check "result show (lowest evaluated price) prints each bid's evaluated price" grep -q '^    evaluated price *[0-9,.]* yuan' "$tmp/r6.txt"
check "  ... and each adjustment" grep -q '^    adjustment completion *[-+][0-9,.]* yuan' "$tmp/r6.txt"
check "  ... and ranks by evaluated price, not by bid price" grep -q '^position *bidder *price *evaluated price' "$tmp/r6.txt"
check "  ... and the reason of the invalid bid" grep -q 'invalid: missing-completion-days' "$tmp/r6.txt"
T6w=$(rules_tender p6w 's#if-missing="invalid"#if-missing="worst"#')
check "if-missing=\"worst\": bidder1 is scored" grep -q ' scored="yes"' <(summary_of "$T6w" bidder1)
check "the committee is seated" seat "$T6w"
check "every member judges every bid" compliance_all "$T6w"
check "the evaluation closes" ebid_as supervisor tender close-evaluation "$T6w"
worst=0
for b in $(valid_bidders "$T6w"); do
	i=${b#bidder}; [ "$b" = buyer2 ] && i=6
	d=$(grep -o '<completion-days>[0-9]*' "$tmp/p6w-bid$i.xml" | cut -d'>' -f2)
	[ -n "$d" ] && [ "$d" -gt "$worst" ] && worst=$d
done
check "bidder1 counts with the most days any other bid states ($worst)" grep -q "<adjustment [^>]*assumed-days=\"$worst\"" <(ebid_as supervisor result show --tender "$T6w" --xml)
BID_EDIT[1]=

finish

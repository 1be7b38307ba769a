#!/usr/bin/env bash
# tests/integration/test_registry_assess.sh
#    Assessment after each job (issue 22 point 3, docs/registries.md)
#    through the real ebidd, the real ebid and ebid-audit:
#      the registrar configures the centre's criteria and the draw's
#      rating rule on the expert pool; a rating refused before the
#      evaluation closes, for an expert who declined the seat, with a
#      criterion off its scale, with more unexplained deviations than the
#      tender flagged, and from a bidder; the supervisor rates a seated
#      expert (recorded with the tender entry it rested on), a second
#      rating of the same expert by the same officer refused; the expert
#      sees its own ratings and nobody else's; the next tender's draw
#      from the same pool excludes the expert under the threshold
#      ("rating-below-threshold"); the pool's log verifies and replays
#      with the tender's log it rests on.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C
. "$SRC/tools/lib/tender.sh"


now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
# two tenders to the opening: T1 is evaluated, T2's draw comes after
for n in 1 2; do
	sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg$n.xml"
	t=$(bidding_with_bids "$tmp/reg$n.xml" "$tmp") || bad "tender $n to bidding with five bids"
	eval "T$n=$t"
done
clock_to "$deadline"
for t in "$T1" "$T2"; do
	wait_state tender "$t" awaiting-opening >/dev/null &&
		ebid_as custodian1 opening share --tender "$t" >/dev/null &&
		ebid_as custodian3 opening share --tender "$t" >/dev/null || bad "opening of $t"
	check "$t is opened and cleared" wait_state tender "$t" cleared
done
check "T1's committee is drawn, accepts, scores, closes ($T1)" evaluate "$T1" "$tmp"
P=$POOL
SEATED=$(committee "$T1" | grep -v "^$DECLINED\$" | head -n 1)
check "an expert sat on T1 ($SEATED; $DECLINED declined)" test -n "$SEATED" -a -n "$DECLINED"

# -- the centre's criteria --------------------------------------------------
cat >"$tmp/assess.xml" <<XML
<configure-assessment xmlns="urn:ebid:1">
  <criterion name="punctuality" max="5"/>
  <criterion name="independence" max="5"/>
  <criterion name="quality-of-reasons" max="5"/>
  <criterion name="deviations-explained" max="5"/>
  <draw-rule period-days="365" min-percent="60" max-unexplained="2"/>
</configure-assessment>
XML
rate_xml() { # rate_xml FILE P I Q D: the four criteria
	printf '<rate-expert xmlns="urn:ebid:1"><score criterion="punctuality" value="%s"/><score criterion="independence" value="%s"/><score criterion="quality-of-reasons" value="%s"/><score criterion="deviations-explained" value="%s"/><text>Late twice; reasons thin.</text></rate-expert>\n' "$2" "$3" "$4" "$5" >"$1"
}
rate_xml "$tmp/low.xml" 1 2 2 3
refused_with "a rating before the centre configured criteria" no-assessment-rules \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$SEATED" "$tmp/low.xml"
refused_with "a supervisor cannot configure the criteria (the registrar keeps the pool)" role-not-allowed \
	ebid_as supervisor pool configure "$P" "$tmp/assess.xml"
check "the registrar configures the criteria and the draw's rating rule" \
	ebid_as registrar pool configure "$P" "$tmp/assess.xml"
pub=$(ebid_as bidder1 pool show "$P")
check "the criteria are public: a bidder reads them" grep -q '<criterion [^>]*name="punctuality"' <<<"$pub"
check "but no expert's record" bash -c "! grep -q '<expert ' <<<\"\$1\"" _ "$pub"

# -- ratings ------------------------------------------------------------------
refused_with "T2's evaluation is not closed: no rating yet" evaluation-not-closed \
	ebid_as supervisor pool rate "$P" job="$T2" expert="$SEATED" "$tmp/low.xml"
refused_with "the expert who declined did not sit" expert-not-seated \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$DECLINED" "$tmp/low.xml"
refused_with "an unknown tender" no-such-tender \
	ebid_as supervisor pool rate "$P" job=T-1999-0999 expert="$SEATED" "$tmp/low.xml"
rate_xml "$tmp/off.xml" 6 2 2 3
refused_with "a value off its scale" bad-rating \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$SEATED" "$tmp/off.xml"
refused_with "unexplained deviations the tender never flagged" unexplained-exceeds-deviations \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$SEATED" unexplained=1 "$tmp/low.xml"
refused_with "a bidder cannot rate" role-not-allowed \
	ebid_as bidder1 pool rate "$P" job="$T1" expert="$SEATED" "$tmp/low.xml"
check "the supervisor rates $SEATED on T1" \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$SEATED" "$tmp/low.xml"
check "the rating records T1's entry it rested on" \
	grep -q "<expert-rated [^>]*score=\"4000\" tender=\"$T1\" tender-hash=\"[0-9a-f]\{64\}\" tender-seq=\"[0-9]*\"" \
	<(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$P' AND party = 'supervisor'")
refused_with "the same officer rates the same expert once per tender" already-rated \
	ebid_as supervisor pool rate "$P" job="$T1" expert="$SEATED" "$tmp/low.xml"
mine=$(ebid_as "$SEATED" pool show "$P")
check "the expert sees its own rating" grep -q "<rating [^>]*score=\"4000\" tender=\"$T1\"" <<<"$mine"
check "and the year's summary" grep -q '<period [^>]*ratings="1" score="4000"' <<<"$mine"
check "but no other expert's record" test "$(grep -o '<expert ' <<<"$mine" | wc -l)" = 1
other=$(committee "$T1" | grep -v "^$SEATED\$" | head -n 1)
check "another expert ($other) does not see it" bash -c "! grep -q '<rating ' <<<\"\$(ebid_as $other pool show $P)\""

# -- the desks in the console ------------------------------------------------------
console() { # console PARTY: signed in; sets CB, $tmp/jar-PARTY
	local who=$1 out=$tmp/console-$1.out u=""
	"$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" \
		console --port 0 >"$out" 2>&1 &
	extra_pids+=" $!"
	for _ in $(seq 1 50); do
		u=$(sed -n 's/^open: //p' "$out")
		[ -n "$u" ] && break
		sleep 0.1
	done
	[ -n "$u" ] || { cat "$out"; return 1; }
	CB=${u%%/\?*}
	curl -s -o /dev/null -c "$tmp/jar-$who" "$u"
}
check "the rated expert's console starts" console "$SEATED"
curl -s -b "$tmp/jar-$SEATED" "$CB/p/$P?lang=en" >"$tmp/mine.html"
check "its pool desk shows its own rating (40.00 %)" grep -q '40.00 %' "$tmp/mine.html"
check "and no rating form" bash -c "! grep -q 'value=\"rate-expert\"' '$tmp/mine.html'"
check "the supervisor's console starts" console supervisor
curl -s -b "$tmp/jar-supervisor" "$CB/p/$P?lang=en" >"$tmp/sup.html"
check "the supervisor's pool desk has the rating form, one field per criterion" \
	test "$(grep -o 'name="s\.[a-z-]*"' "$tmp/sup.html" | sort -u | wc -l)" = 4
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar-supervisor" -H "Origin: $CB" \
	--data-urlencode cmd=rate-expert --data-urlencode "a.job=$T1" --data-urlencode "a.expert=$other" \
	--data-urlencode s.punctuality=5 --data-urlencode s.independence=5 \
	--data-urlencode s.quality-of-reasons=4 --data-urlencode s.deviations-explained=5 \
	--data-urlencode "remark=On time, careful reasons." "$CB/p/$P/do")
check "the supervisor rates $other from the desk ($st)" test "$st" = 303
check "the server has the rating (95 %)" grep -q "<rating [^>]*score=\"9500\" tender=\"$T1\"" <(ebid_as "$other" pool show "$P")

# -- the next draw excludes the expert under the threshold ---------------------
secret="draw-$T2-$$"
commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
cat >"$tmp/rd2.xml" <<XML
<request-draw xmlns="urn:ebid:1" tender="$T2"><commitment>$commit</commitment><seats specialty="civil-works" count="4" reserve="0"/><seats specialty="electrical" count="1" reserve="0"/></request-draw>
XML
ebid_as supervisor pool show "$P" >"$tmp/pool2.xml"
{
	printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$T2" "$secret"
	sed -n '/<pool/,$p' "$tmp/pool2.xml" | sed 's/ xmlns="urn:ebid:1"//'
	printf '</draw-experts>\n'
} >"$tmp/de2.xml"
check "T2: the supervisor requests the draw" ebid_as supervisor tender request-draw "$T2" "$tmp/rd2.xml"
check "T2: the committee is drawn from the same pool" ebid_as supervisor tender draw-experts "$T2" "$tmp/de2.xml"
draw=$(ebid_as supervisor tender show "$T2")
# (a draw's exclusion, not a refusal: the committee records why)
excl=$(grep -o "<excluded [^>]*party=\"$SEATED\"[^>]*>" <<<"$draw")
check "T2: $SEATED is excluded by the rating rule" grep -q 'rating-below-threshold' <<<"$excl"
check "T2: and is not on the committee" bash -c "! grep -q '<member [^>]*party=\"$SEATED\"' <<<\"\$1\"" _ "$draw"

# -- ebid-audit ------------------------------------------------------------------
check "ebid-audit verifies the pool from the database (T1's log loaded)" \
	"$AUDIT" verify --db "$DB" --pool "$P" --ca "$C/ca.crt"
check "exports the pool" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --pool "$P" -o "$tmp/pool.log.xml"
check "exports T1" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T1" -o "$tmp/t1.log.xml"
refused_with "the pool's replay needs T1's log" 'whose log is not given' "$AUDIT" verify "$tmp/pool.log.xml" --ca "$C/ca.crt"
check "with it, the rating replays to the same event" "$AUDIT" verify "$tmp/pool.log.xml" --ca "$C/ca.crt" --subject-log "$tmp/t1.log.xml"
check "T2 (its draw with the rating rule) verifies from the database" "$AUDIT" verify --db "$DB" --tender "$T2" --ca "$C/ca.crt"
finish

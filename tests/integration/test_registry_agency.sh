#!/usr/bin/env bash
# tests/integration/test_registry_agency.sh
#    The tenderer's rating of the agency (issue 22, docs/registries.md)
#    through the real ebidd, the real ebid and ebid-audit:
#      a tender's registration names its agency: refused when it names
#      no registered subject, a subject that is not an agency, or a
#      suspended agency; accepted for a registered agency in good
#      standing, the registration recording the agency entry it rested
#      on; the registrar adds the agency criteria to the pool's
#      assessment; a rating refused before the tender closes, from a
#      bidder, from a tenderer of another tender's... (only its own),
#      twice by the same rater, from the tenderer while it is an
#      authorised representative of the agency (made one after the
#      registration: judged at the rating); the tenderer and the supervisor rate the
#      agency once the tender is closed; the agency's representative
#      sees its agency's ratings and the year's summary, another party
#      does not; ebid-audit verifies and replays the tender (with the
#      agency's log) and the pool (with the tender's and the agency's).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C
. "$SRC/tools/lib/tender.sh"

person() { awk -v n="$1" '$1 == n {print $4}' "$C/parties.txt"; }
created() { awk '/ registered$/ {print $2}' <<<"$1"; }

now=$(clock_now)
year_ago=$(iso_plus "$now" $((-365 * 86400)))
later=$(iso_plus "$now" $((2 * 365 * 86400)))
deadline=$(iso_plus "$now" $((20 * 86400)))

# -- the agency and a bidder, registered subjects ----------------------------
# (the development certificates have no agency staff: buyer1 acts as the
# agency's authorised representative)
subject_xml() { # subject_xml FILE CODE NAME KIND REP
	cat >"$1" <<XML
<register-subject xmlns="urn:ebid:1" code="$2" name="$3" kind="$4">
  <representative person="$(person "$5")" party="$5" scope="all" from="$year_ago" to="$later"/>
</register-subject>
XML
}
subject_xml "$tmp/agency.xml" 91370983MA3D00010J "Tai'an Guotai Tendering Agency Co Ltd" agency buyer1
subject_xml "$tmp/bidder.xml" 91370983MA3D00020K "Taishan Road and Bridge Co Ltd" bidder bidder1
A=$(created "$(ebid_as registrar subject register "$tmp/agency.xml")")
check "the registrar registers the agency ($A)" grep -q '^O-[0-9]*-[0-9]*$' <<<"$A"
B=$(created "$(ebid_as registrar subject register "$tmp/bidder.xml")")
check "and a bidder ($B)" grep -q '^O-[0-9]*-[0-9]*$' <<<"$B"

# -- the registration names its agency ---------------------------------------
reg_xml() { # reg_xml FILE AGENCY
	sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/; s|<register-tender xmlns=\"urn:ebid:1\">|<register-tender xmlns=\"urn:ebid:1\" agency=\"$2\">|" \
		"$SRC/tests/data/tender/register-tender.xml" >"$1"
}
reg_xml "$tmp/reg-none.xml" O-1999-0999
refused_with "a registration naming no registered subject as its agency" no-such-subject \
	ebid_as tenderer tender register "$tmp/reg-none.xml"
reg_xml "$tmp/reg-bidder.xml" "$B"
refused_with "a registration naming a bidder as its agency" not-an-agency \
	ebid_as tenderer tender register "$tmp/reg-bidder.xml"
check "the registrar suspends the agency" ebid_as registrar subject suspend "$A" reason="licence under review"
reg_xml "$tmp/reg.xml" "$A"
refused_with "a registration naming a suspended agency" subject-suspended \
	ebid_as tenderer tender register "$tmp/reg.xml"
check "the registrar reinstates the agency" ebid_as registrar subject reinstate "$A"
T=$(bidding_with_bids "$tmp/reg.xml" "$tmp")
check "a registration naming the agency in good standing is accepted; bidding, five bids ($T)" test -n "$T"
view=$(ebid_as supervisor tender show "$T")
check "the registration records the agency entry it rested on (entry 3: registered, suspended, reinstated)" \
	grep -q "<agency [^>]*subject=\"$A\" subject-hash=\"[0-9a-f]\{64\}\" subject-seq=\"3\"" <<<"$view"
check "and the agency's representative" grep -q '<representative party="buyer1"' <<<"$view"

# -- the tender runs to its close ---------------------------------------------
clock_to "$deadline"
wait_state tender "$T" awaiting-opening >/dev/null &&
	ebid_as custodian1 opening share --tender "$T" >/dev/null &&
	ebid_as custodian3 opening share --tender "$T" >/dev/null || bad "opening of $T"
check "$T is opened and cleared" wait_state tender "$T" cleared
check "$T's committee evaluates and closes the evaluation" evaluate "$T" "$tmp"
P=$POOL

# -- the agency criteria --------------------------------------------------------
cat >"$tmp/assess.xml" <<XML
<configure-assessment xmlns="urn:ebid:1">
  <criterion name="punctuality" max="5"/>
  <criterion name="independence" max="5"/>
  <agency-criterion name="documents-quality" max="10"/>
  <agency-criterion name="procedure-compliance" max="10"/>
</configure-assessment>
XML
rate_xml() { # rate_xml FILE DOCS PROC
	printf '<rate-agency xmlns="urn:ebid:1"><score criterion="documents-quality" value="%s"/><score criterion="procedure-compliance" value="%s"/><text>Clear documents.</text></rate-agency>\n' "$2" "$3" >"$1"
}
rate_xml "$tmp/r1.xml" 8 6
rate_xml "$tmp/r2.xml" 10 10
rate_xml "$tmp/off.xml" 11 6
refused_with "a rating before the centre configured agency criteria" no-assessment-rules \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r1.xml"
check "the registrar adds the agency criteria" ebid_as registrar pool configure "$P" "$tmp/assess.xml"
check "the agency criteria are public" grep -q '<agency-criterion [^>]*name="documents-quality"' <(ebid_as bidder2 pool show "$P")

# -- ratings ----------------------------------------------------------------------
refused_with "a rating before the tender closes (evaluated)" tender-not-closed \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r1.xml"
ebid_as supervisor tender publish-candidates "$T" >/dev/null || bad "candidates published"
clock_to "$(publicity_end "$T")"
wait_state tender "$T" publicity-over >/dev/null || bad "publicity over"
ebid_as verifier tender verify-process "$T" >/dev/null &&
	ebid_as verifier tender issue-award "$T" bidder="$(first_candidate "$T")" --justification "Ranked first." >/dev/null || bad "award"
refused_with "a rating before the tender closes (awarded)" tender-not-closed \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r1.xml"
check "the tender is closed" ebid_as supervisor tender close-tender "$T"
refused_with "a bidder cannot rate the agency" role-not-allowed \
	ebid_as bidder1 pool rate-agency "$P" job="$T" "$tmp/r1.xml"
refused_with "an expert cannot rate the agency" role-not-allowed \
	ebid_as "$(committee "$T" | head -n 1)" pool rate-agency "$P" job="$T" "$tmp/r1.xml"
refused_with "a value off its scale" bad-rating \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/off.xml"
refused_with "an unknown tender" no-such-tender \
	ebid_as tenderer pool rate-agency "$P" job=T-1999-0999 "$tmp/r1.xml"
# an agency never rates itself, judged at the rating: the tenderer made
# the agency's representative after the tender's registration is refused
# as one the registration named (rules 4)
check "the registrar authorises the tenderer for the agency, after the registration" \
	ebid_as registrar subject authorise "$A" person="$(person tenderer)" party=tenderer scope=all from="$year_ago" to="$later"
refused_with "the tenderer, now the agency's representative, cannot rate it" role-not-allowed \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r1.xml"
check "the registrar revokes that authorisation" \
	ebid_as registrar subject revoke "$A" party=tenderer reason="conflict of interest"
check "the tenderer rates the agency (70 %)" ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r1.xml"
check "the rating records the agency's and the tender's entries it rested on" \
	grep -q "<agency-rated [^>]*agency=\"$A\" agency-hash=\"[0-9a-f]\{64\}\" agency-seq=\"[0-9]*\" [^>]*rater-role=\"tenderer\" score=\"7000\" tender=\"$T\" tender-hash=\"[0-9a-f]\{64\}\" tender-seq=\"[0-9]*\"" \
	<(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$P' AND party = 'tenderer'")
refused_with "the tenderer rates the agency once per tender" already-rated \
	ebid_as tenderer pool rate-agency "$P" job="$T" "$tmp/r2.xml"
check "the supervisor rates it too (100 %)" ebid_as supervisor pool rate-agency "$P" job="$T" "$tmp/r2.xml"
refused_with "the supervisor rates it once too" already-rated \
	ebid_as supervisor pool rate-agency "$P" job="$T" "$tmp/r1.xml"

# -- who sees the ratings -----------------------------------------------------------
sup=$(ebid_as supervisor pool show "$P")
check "the supervisor sees both ratings" test "$(grep -o '<rating [^>]*rater-role=' <<<"$(sed -n "/<agency [^>]*subject=\"$A\"/,/<\/agency>/p" <<<"$sup")" | wc -l)" = 2
check "and the year's summary (2 ratings, mean 85 %)" grep -q '<period [^>]*ratings="2" score="8500"' <<<"$sup"
mine=$(ebid_as buyer1 pool show "$P")
check "the agency's representative sees its agency's ratings" grep -q "<agency [^>]*subject=\"$A\"" <<<"$mine"
check "both of them" test "$(grep -o '<rating ' <<<"$mine" | wc -l)" = 2
check "but no expert's record" bash -c "! grep -q '<expert ' <<<\"\$1\"" _ "$mine"
check "a bidder sees no agency's ratings" bash -c "! grep -q '<agency ' <<<\"\$1\"" _ "$(ebid_as bidder2 pool show "$P")"
check "nor does the tenderer" bash -c "! grep -q '<agency ' <<<\"\$1\"" _ "$(ebid_as tenderer pool show "$P")"
# authorisation is judged when the representative reads, not when the
# tender was registered: buyer2, authorised for the agency only now, sees
# its ratings; buyer1, revoked since, no longer does
refused "before its authorisation buyer2 sees no agency's ratings" grep -q '<agency ' <(ebid_as buyer2 pool show "$P")
check "the registrar authorises buyer2 for the agency after the tender's registration" \
	ebid_as registrar subject authorise "$A" person="$(person buyer2)" party=buyer2 scope=all from="$year_ago" to="$later"
late=$(ebid_as buyer2 pool show "$P")
check "the representative authorised later sees its agency's ratings" grep -q "<agency [^>]*subject=\"$A\"" <<<"$late"
check "both of them" test "$(grep -o '<rating ' <<<"$late" | wc -l)" = 2
check "the registrar revokes buyer1's authorisation" ebid_as registrar subject revoke "$A" party=buyer1 reason="left the agency"
refused "buyer1, revoked, no longer sees the agency's ratings" grep -q '<agency ' <(ebid_as buyer1 pool show "$P")

# -- ebid-audit ---------------------------------------------------------------------
check "ebid-audit verifies the tender from the database (the agency's log loaded)" \
	"$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"
check "and the pool (the tender's and the agency's logs loaded)" \
	"$AUDIT" verify --db "$DB" --pool "$P" --ca "$C/ca.crt"
check "exports the tender" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T" -o "$tmp/t.log.xml"
check "exports the agency" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --subject "$A" -o "$tmp/a.log.xml"
refused_with "the tender's replay needs the agency's log" 'whose log is not given' "$AUDIT" verify "$tmp/t.log.xml" --ca "$C/ca.crt"
check "with it, the registration replays to the same event" "$AUDIT" verify "$tmp/t.log.xml" --ca "$C/ca.crt" --subject-log "$tmp/a.log.xml"
check "exports the pool" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --pool "$P" -o "$tmp/p.log.xml"
"$AUDIT" replay "$tmp/p.log.xml" --ca "$C/ca.crt" --subject-log "$tmp/t.log.xml" --subject-log "$tmp/a.log.xml" >"$tmp/p.replay.txt" 2>&1
check "ebid-audit replay shows the agency's rating with its facts" \
	grep -q "agency-rated: agency=$A name=Tai'an Guotai Tendering Agency Co Ltd tender=$T rater=tenderer rater-role=tenderer score=7000 tender-seq=[0-9]" "$tmp/p.replay.txt"
check "and its scores" grep -q "score: criterion=documents-quality value=8" "$tmp/p.replay.txt"
check "and the agency criteria configured" grep -q "agency criterion: name=procedure-compliance max=10" "$tmp/p.replay.txt"
"$AUDIT" replay "$tmp/a.log.xml" --ca "$C/ca.crt" >"$tmp/a.replay.txt" 2>&1
check "the agency's replay shows its registration" \
	grep -q "subject-registered: code=91370983MA3D00010J name=Tai'an Guotai Tendering Agency Co Ltd kind=agency" "$tmp/a.replay.txt"
check "its representative" grep -q "representative: party=buyer1 scope=all from=" "$tmp/a.replay.txt"
check "and the suspension's reason" grep -q "subject-suspended: reason=licence under review" "$tmp/a.replay.txt"
finish

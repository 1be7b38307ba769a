#!/usr/bin/env bash
# tests/integration/test_registry.sh
#    The centre's registries (issue 22) through the real ebidd, the real
#    ebid and ebid-audit (docs/registries.md):
#      trading subjects registered by the registrar (a bad credit code
#      refused); a tender naming required qualifications: sign-up refused
#      without a subject, from a party that is not an authorised
#      representative, from a subject whose qualification expires before
#      the deadline; sign-up and a sealed bid accepted from an authorised
#      representative, and refused once the authorisation is revoked; an
#      integrity finding (exclusion) recorded with its evidence (a tender
#      log entry by hash), enforced at the next tender; an objection
#      answered "lifted" ends it; a tender without requirements works as
#      before; a sale application from a representative of the wrong
#      scope refused, then accepted; every log verified and replayed by
#      ebid-audit, and a subject's log edited in PostgreSQL fails the
#      tender that relied on it; a second subject with a registered credit
#      code refused; a finding whose evidence names no entry (wrong hash,
#      seq or log) refused; the public board lists the sanctions in force
#      (subject, code, sanction, period, finding; nothing private) and no
#      longer once lifted.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
BPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages"
it_setup
BOARD=http://127.0.0.1:$BPORT
sanctions() { curl -s "$BOARD/sanctions?lang=en"; }
export EBID_URL=$URL EBID_CA=$C/ca.crt

person() { awk -v n="$1" '$1 == n {print $4}' "$C/parties.txt"; }
created() { awk '/ registered$/ {print $2}' <<<"$1"; }

now=$(clock_now)
year_ago=$(iso_plus "$now" $((-365 * 86400)))
deadline=$(iso_plus "$now" $((20 * 86400)))
soon=$(iso_plus "$now" $((10 * 86400)))
later=$(iso_plus "$now" $((2 * 365 * 86400)))

# -- trading subjects (交易主体) -----------------------------------------------
subject_xml() { # subject_xml FILE CODE NAME QUAL_TO REP...
	local f=$1 code=$2 name=$3 qto=$4; shift 4
	{
		echo "<register-subject xmlns=\"urn:ebid:1\" code=\"$code\" name=\"$name\" kind=\"bidder\">"
		echo "  <qualification kind=\"municipal-works\" grade=\"2\" from=\"$year_ago\" to=\"$qto\"/>"
		for r in "$@"; do
			echo "  <representative person=\"$(person "$r")\" party=\"$r\" scope=\"tender\" from=\"$year_ago\" to=\"$later\"/>"
		done
		echo "</register-subject>"
	} >"$f"
}
subject_xml "$tmp/bad.xml" 91370983MA3C000013 "Bad Code Co" "$later" bidder1
refused_with "a wrong check digit in the credit code is refused" credit-code-invalid \
	ebid_as registrar subject register "$tmp/bad.xml"
subject_xml "$tmp/a.xml" 91370983MA3C000012 "Taishan Pipe Works Co Ltd" "$later" bidder1
refused_with "a bidder cannot register a subject" role-not-allowed ebid_as bidder1 subject register "$tmp/a.xml"
A=$(created "$(ebid_as registrar subject register "$tmp/a.xml")")
check "registrar registers subject A ($A)" grep -q '^O-[0-9]*-[0-9]*$' <<<"$A"
subject_xml "$tmp/b.xml" 91370983MA3C000025 "Feicheng Municipal Co Ltd" "$soon" bidder2
B=$(created "$(ebid_as registrar subject register "$tmp/b.xml")")
check "subject B, its qualification ends before the deadline ($B)" test -n "$B"
subject_xml "$tmp/c.xml" 91350100M000100Y43 "Dongping Water Co Ltd" "$later" bidder3
C3=$(created "$(ebid_as registrar subject register "$tmp/c.xml")")
check "subject C ($C3)" test -n "$C3"
subject_xml "$tmp/a2.xml" 91370983MA3C000012 "Taishan Pipe Works (second record)" "$later" bidder5
refused_with "a second subject with A's credit code is refused" credit-code-registered \
	ebid_as registrar subject register "$tmp/a2.xml"
view=$(ebid_as bidder4 subject show "$A")
check "anyone with a certificate reads A's record" grep -q 'code="91370983MA3C000012"' <<<"$view"
check "but not the representatives' person ids" grep -q 'party="bidder1" person="-"' <<<"$view"
check "the registrar sees them" grep -q "party=\"bidder1\" person=\"$(person bidder1)\"" <(ebid_as registrar subject show "$A")

# -- a tender that requires registered, qualified subjects ----------------------
reg() { # reg FILE DEADLINE [REQUIRED]
	sed "s/@DEADLINE@/$2/; s/@OPENING@/$2/" "$SRC/tests/data/tender/register-tender.xml" >"$1"
	[ -z "${3:-}" ] || sed -i "s#<rules>#<rules><required-qualifications><qualification kind=\"municipal-works\" min-grade=\"2\"/></required-qualifications>#" "$1"
}
open_tender() { # open_tender FILE -> prints the id
	local t
	t=$(created "$(ebid_as tenderer tender register "$1")")
	ebid_as registrar tender accept "$t" >/dev/null &&
	ebid_as supervisor tender publish "$t" --text "Announcement." >/dev/null &&
	wait_state tender "$t" bidding >/dev/null && echo "$t"
}
reg "$tmp/t1.xml" "$deadline" required
T1=$(open_tender "$tmp/t1.xml")
check "tender T1 requiring municipal-works grade 2 is bidding ($T1)" test -n "$T1"
refused_with "T1: a sign-up naming no subject is refused" subject-required \
	ebid_as bidder5 tender sign-up "$T1"
refused_with "T1: bidder4 is not a representative of A" not-authorised-representative \
	ebid_as bidder4 tender sign-up "$T1" subject="$A"
refused_with "T1: B's qualification is not valid on the deadline" qualification-expired \
	ebid_as bidder2 tender sign-up "$T1" subject="$B"
refused_with "T1: an unknown subject" no-such-subject \
	ebid_as bidder1 tender sign-up "$T1" subject=O-1999-0999
check "T1: the refusals are in the security log, not the chain" \
	test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T1' AND role = 'bidder'")" = 0
check "T1: bidder1 signs up for A" ebid_as bidder1 tender sign-up "$T1" subject="$A"
check "T1: the sign-up records the subject's entry it was decided on" \
	grep -q "<sign-up-received [^>]*subject=\"$A\" subject-hash=\"[0-9a-f]\{64\}\" subject-seq=\"1\"" \
	<(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$T1' AND role = 'bidder'")
check "T1: registrar confirms bidder1" ebid_as registrar tender confirm-sign-up "$T1" bidder=bidder1
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T1\"/" "$(ls "$SRC"/tests/data/bids/bid-1-*.xml)" >"$tmp/bid1.xml"
check "T1: bidder1 seals its bid for A" ebid_as bidder1 bid seal --tender "$T1" "$tmp/bid1.xml" -o "$tmp/bid1.sealed" subject="$A"
check "T1: and submits it" ebid_as bidder1 bid submit --tender "$T1" "$tmp/bid1.sealed" -o "$tmp/bid1.receipt"
ebid_as bidder1 bid seal --tender "$T1" "$tmp/bid1.xml" -o "$tmp/bid1x.sealed" >/dev/null 2>&1
refused_with "T1: a bid naming no subject is refused" subject-mismatch \
	ebid_as bidder1 bid submit --tender "$T1" "$tmp/bid1x.sealed"
check "registrar revokes bidder1's authorisation" ebid_as registrar subject revoke "$A" party=bidder1 reason="left the firm"
check "A's record shows it revoked" grep -q 'party="bidder1"[^>]*status="revoked"' <(ebid_as registrar subject show "$A")
ebid_as bidder1 bid seal --tender "$T1" "$tmp/bid1.xml" -o "$tmp/bid1b.sealed" subject="$A" >/dev/null 2>&1
refused_with "T1: bidder1 can no longer replace its bid" not-authorised-representative \
	ebid_as bidder1 bid submit --tender "$T1" "$tmp/bid1b.sealed"
check "registrar authorises bidder4 for A" ebid_as registrar subject authorise "$A" \
	person="$(person bidder4)" party=bidder4 scope=tender from="$year_ago" to="$later"
check "T1: bidder4 signs up for A now" ebid_as bidder4 tender sign-up "$T1" subject="$A"
check "T1: registrar confirms bidder4" ebid_as registrar tender confirm-sign-up "$T1" bidder=bidder4
ebid_as bidder4 bid seal --tender "$T1" "$tmp/bid1.xml" -o "$tmp/bid4b.sealed" subject="$B" >/dev/null 2>&1
refused_with "T1: bidder4, signed up for A, cannot bid for B" subject-mismatch \
	ebid_as bidder4 bid submit --tender "$T1" "$tmp/bid4b.sealed"
check "registrar records B's renewed qualification" ebid_as registrar subject qualify "$B" "$(
	echo "<amend-qualifications xmlns=\"urn:ebid:1\" subject=\"$B\"><qualification kind=\"municipal-works\" grade=\"1\" from=\"$now\" to=\"$later\"/></amend-qualifications>" >"$tmp/q.xml"; echo "$tmp/q.xml")"
check "T1: bidder2 signs up for B now" ebid_as bidder2 tender sign-up "$T1" subject="$B"

# -- an integrity finding (诚信记录) --------------------------------------------
h=$(psqlq -c "SELECT seq || ' ' || encode(hash, 'hex') FROM log WHERE aggregate = '$T1' AND seq = 1")
cat >"$tmp/finding.xml" <<XML
<record-finding xmlns="urn:ebid:1" subject="$C3" kind="false-document" sanction="exclusion" from="$now" to="$later">
  <evidence aggregate="$T1" seq="${h%% *}" hash="${h##* }"/>
  <text>A forged licence was filed with the sign-up.</text>
</record-finding>
XML
refused_with "a registrar cannot record a finding (the supervisor's power)" role-not-allowed \
	ebid_as registrar subject finding "$tmp/finding.xml"
sed "s/hash=\"${h##* }\"/hash=\"$(printf x | sha256sum | cut -d' ' -f1)\"/" "$tmp/finding.xml" >"$tmp/f-hash.xml"
refused_with "evidence whose hash is not that entry's is refused" evidence-unresolved \
	ebid_as supervisor subject finding "$tmp/f-hash.xml"
sed "s/seq=\"${h%% *}\"/seq=\"999\"/" "$tmp/finding.xml" >"$tmp/f-seq.xml"
refused_with "evidence naming an entry the log does not have is refused" evidence-unresolved \
	ebid_as supervisor subject finding "$tmp/f-seq.xml"
sed "s/aggregate=\"$T1\"/aggregate=\"T-1999-0999\"/" "$tmp/finding.xml" >"$tmp/f-agg.xml"
refused_with "evidence in a log that does not exist is refused" evidence-unresolved \
	ebid_as supervisor subject finding "$tmp/f-agg.xml"
page=$(sanctions)
check "the board lists no sanction yet" bash -c "! grep -q '91350100M000100Y43' <<<\"\$1\"" _ "$page"
check "supervisor records an exclusion against C with its evidence" ebid_as supervisor subject finding "$tmp/finding.xml"
view=$(ebid_as supervisor subject show "$C3")
check "C's record holds the finding in force" grep -q 'sanction="exclusion"[^>]*status="in-force"' <<<"$view"
check "with its evidence: T1's entry 1 by hash" grep -q "<evidence aggregate=\"$T1\" hash=\"${h##* }\" seq=\"1\"" <<<"$view"
page=$(sanctions)
check "the public board lists C's sanction in force: name" grep -q 'Dongping Water Co Ltd' <<<"$page"
check "its credit code" grep -q '91350100M000100Y43' <<<"$page"
check "the sanction" grep -q 'Exclusion from tenders' <<<"$page"
check "the finding reference and its evidence entry" grep -q "$C3/1.*$T1.*#1" <<<"$page"
check "nothing private: not the finding's text, not who recorded it, no person id" \
	bash -c "! grep -q 'forged licence\|supervisor\|$(person bidder3)\|bidder3' <<<\"\$1\"" _ "$page"
reg "$tmp/t2.xml" "$deadline"
T2=$(open_tender "$tmp/t2.xml")
check "the next tender T2 (no requirements) is bidding ($T2)" test -n "$T2"
refused_with "T2: C is excluded at sign-up" subject-excluded \
	ebid_as bidder3 tender sign-up "$T2" subject="$C3"
refused_with "T1: C is excluded there too" subject-excluded \
	ebid_as bidder3 tender sign-up "$T1" subject="$C3"
check "T2: a bidder naming no subject signs up as before" ebid_as bidder5 tender sign-up "$T2"
cat >"$tmp/obj.xml" <<XML
<object-to-finding xmlns="urn:ebid:1" subject="$C3" finding="1"><text>The licence is genuine; see the issuing office's letter.</text></object-to-finding>
XML
refused_with "a non-representative cannot object for C" not-authorised-representative \
	ebid_as bidder4 subject object "$tmp/obj.xml"
check "C's representative objects" ebid_as bidder3 subject object "$tmp/obj.xml"
refused_with "a second objection is refused" objection-exists ebid_as bidder3 subject object "$tmp/obj.xml"
cat >"$tmp/ans.xml" <<XML
<answer-finding-objection xmlns="urn:ebid:1" subject="$C3" finding="1" decision="lifted"><text>The issuing office confirmed the licence.</text></answer-finding-objection>
XML
check "supervisor answers: lifted" ebid_as supervisor subject answer "$tmp/ans.xml"
view=$(ebid_as bidder3 subject show "$C3")
check "the objection and its answer are on the record" grep -q '<answer [^>]*decision="lifted"' <<<"$view"
check "T2: C signs up once the exclusion is lifted" ebid_as bidder3 tender sign-up "$T2" subject="$C3"
page=$(sanctions)
check "the board no longer lists the lifted sanction" bash -c "! grep -q '91350100M000100Y43' <<<\"\$1\"" _ "$page"
check "(the page itself answers)" grep -q 'Sanctions in force' <<<"$page"
check "supervisor suspends B" ebid_as registrar subject suspend "$B" reason="licence under review"
refused_with "T2: a suspended subject is refused" subject-suspended \
	ebid_as bidder2 tender sign-up "$T2" subject="$B"

# -- a sale application (竞买申请) ---------------------------------------------
export EBID_CERTS=$C EBID_BUILD=$BUILD SALE_QUIET=1
if SALE_ID_FILE=$tmp/open "$SRC/tools/sale-script" "$SRC/tests/data/sale/listing-open.txt" >"$tmp/open.out" 2>&1; then
	ok "a sale open for applications"
else
	cat "$tmp/open.out"; bad "listing-open sale"
fi
. "$tmp/open"
S=$sale
refused_with "sale: buyer1 is not a representative of A" not-authorised-representative \
	ebid_as buyer1 sale apply "$S" subject="$A"
refused_with "sale: bidder4 represents A for tenders only" not-authorised-representative \
	ebid_as bidder4 sale apply "$S" subject="$A"
check "registrar authorises buyer1 for A's sales" ebid_as registrar subject authorise "$A" \
	person="$(person buyer1)" party=buyer1 scope=sale from="$year_ago" to="$later"
check "sale: buyer1 applies for A" ebid_as buyer1 sale apply "$S" subject="$A"
check "sale: the application records A's entry" \
	grep -q "<sale-application-received [^>]*subject=\"$A\" subject-hash=\"[0-9a-f]\{64\}\" subject-seq=\"4\"" \
	<(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$S' AND party = 'buyer1'")
check "sale: buyer2 applies naming no subject, as before" ebid_as buyer2 sale apply "$S"
check "ebid-audit verifies the sale from the database" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$C/ca.crt"

# -- ebid-audit: the subjects' logs and the tenders' decisions -------------------
for s in "$A" "$B" "$C3"; do
	check "ebid-audit verifies subject $s from the database" "$AUDIT" verify --db "$DB" --subject "$s" --ca "$C/ca.crt"
	check "exports it" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --subject "$s" -o "$tmp/$s.xml"
	check "and replays it" "$AUDIT" replay "$tmp/$s.xml" --ca "$C/ca.crt"
done
check "exports T1" env EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T1" -o "$tmp/t1.log.xml"
refused_with "T1's replay needs the subjects' logs" 'whose log is not given' "$AUDIT" verify "$tmp/t1.log.xml" --ca "$C/ca.crt"
check "T1 verifies and replays with them: same admissions" "$AUDIT" verify "$tmp/t1.log.xml" --ca "$C/ca.crt" \
	--subject-log "$tmp/$A.xml" --subject-log "$tmp/$B.xml" --subject-log "$tmp/$C3.xml"
check "T2 verifies from the database (subjects loaded from it)" "$AUDIT" verify --db "$DB" --tender "$T2" --ca "$C/ca.crt"
check "T1 verifies from the database too" "$AUDIT" verify --db "$DB" --tender "$T1" --ca "$C/ca.crt"
# a superuser edits subject A's log inside PostgreSQL: T1's admissions no
# longer rest on a verified record
psqlq -c "ALTER TABLE log DISABLE TRIGGER log_no_update; UPDATE log SET time_ms = time_ms + 1 WHERE aggregate = '$A' AND seq = 1; ALTER TABLE log ENABLE TRIGGER log_no_update" >/dev/null
out=$("$AUDIT" verify --db "$DB" --tender "$T1" --ca "$C/ca.crt" 2>&1)
check "then T1 fails verification" test $? = 1
check "naming the subject's log" grep -q "in the log of trading subject $A" <<<"$out"
finish

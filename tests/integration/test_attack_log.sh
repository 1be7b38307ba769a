#!/usr/bin/env bash
# tests/integration/test_attack_log.sh
#    What an attacker found in the log's trust (issue 20, points 3, 4, 7
#    and 8), each attack replayed through the real ebidd, the real ebid and
#    ebid-audit against a real PostgreSQL:
#      3. a CA-issued certificate saying OU=system (rogue-system) sends a
#         system command: refused by ebidd; a system entry it signed in a
#         log is refused by ebid-audit (audit_tamper.c);
#      4. the tail of the log cut by a superuser (trigger disabled, last
#         receipted bids deleted, head row fixed): caught by
#         `ebid-audit verify --db` through the heads signed at receipts,
#         and, with the signed heads deleted too, by the bidder's kept
#         proof and by the heads saved from the public board;
#         heads are also signed on time (head_every_seconds);
#      7. a withdrawn (or replaced) bid resent: refused, exit non-zero;
#      8. custodians that cannot exist refused at registration; a failed
#         automatic step (custodian certificate gone from the directory
#         before the announcement) shown as an incident to the officers,
#         who suspend and resume to retry.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup

# the centre's directory as a copy this test can edit (point 8), heads
# signed every second (point 4)
mkdir -p "$tmp/directory"
cp "$C"/*.crt "$tmp/directory/"
export EBID_DIRECTORY=$tmp/directory
echo "head_every_seconds = 1" >>"$tmp/ebidd.conf"
restart_ebidd

BIDS=$SRC/tests/data/bids
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
reg() { # reg OUT [CUSTODIAN-SED]: the sample registration, dated
	sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/; ${2:-}" \
		"$SRC/tests/data/tender/register-tender.xml" >"$1"
}
# new_tender NAME: registered and accepted; prints the id
new_tender() {
	reg "$tmp/$1.xml"
	local t
	t=$(ebid_as tenderer tender register "$tmp/$1.xml" | awk '/ registered$/ {print $2}')
	ebid_as registrar tender accept "$t" >/dev/null
	printf '%s\n' "$t"
}
# bidding NAME: a tender in bidding with bidder1..3 signed up
bidding() {
	local t
	t=$(new_tender "$1")
	ebid_as supervisor tender publish "$t" >/dev/null
	wait_state tender "$t" bidding
	for i in 1 2 3; do
		ebid_as "bidder$i" tender sign-up "$t" >/dev/null
		ebid_as registrar tender confirm-sign-up "$t" bidder="bidder$i" >/dev/null
	done
	printf '%s\n' "$t"
}
seal() { # seal BIDDER N TENDER OUT
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$3\"/" "$(ls "$BIDS"/bid-$2-*.xml)" >"$tmp/$4.xml"
	ebid_as "$1" bid seal --tender "$3" "$tmp/$4.xml" -o "$tmp/$4.sealed" >/dev/null
}
nlog() { psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$1'"; }

# -- 3. only ebidd's own key acts as the system ----------------------------
# A tender whose opening key ebidd cannot make (a custodian's certificate
# is missing from the directory when it is announced) waits in
# "announced"; a rogue certificate of the CA claiming the system role then
# sets an opening key of its own, so it could read every bid.
check "rogue-system is a valid certificate of the CA claiming the system role" \
	grep -q 'role="system"' <(curl_as rogue-system "$URL/v1/whoami")
T0=$(new_tender t3)
mv "$tmp/directory/custodian3.crt" "$tmp/custodian3.crt.away"
ebid_as supervisor tender publish "$T0" >/dev/null
for _ in $(seq 1 20); do   # ebidd's attempt (and, fixed, its incident)
	grep -q '<incident ' <(ebid_as supervisor tender show "$T0") && break
	sleep 0.1
done
mv "$tmp/custodian3.crt.away" "$tmp/directory/custodian3.crt"
check "tender $T0 waits in announced without an opening key" test "$(state_of tender "$T0")" = announced
{
	printf '<set-opening-key xmlns="urn:ebid:1" tender="%s"><certificate>' "$T0"
	openssl x509 -in "$C/rogue-system.crt" -outform DER | base64 -w0
	printf '</certificate>'
	for c in custodian1 custodian2 custodian3; do
		printf '<share custodian="%s">U0hBUkU=</share>' "$c"
	done
	printf '</set-opening-key>\n'
} >"$tmp/forged.xml"
n=$(nlog "$T0")
out=$(ebid_as rogue-system send "$tmp/forged.xml" 2>&1); rc=$?
check "an opening key set by rogue-system is refused (exit $rc)" test "$rc" != 0
check "as not a server certificate" grep -q "not a server certificate" <<<"$out"
check "nothing was appended" test "$(nlog "$T0")" = "$n"
check "the tender is still announced" test "$(state_of tender "$T0")" = announced
check "the refusal is in security_log" test "$(psqlq -c "SELECT count(*) FROM security_log WHERE party = 'rogue-system' AND reason = 'system-not-server'")" -ge 1
check "ebidd recorded its server certificate in the servers table" \
	test "$(psqlq -c "SELECT count(*) FROM servers")" = 1
T=$(bidding t7)
check "tender $T is bidding" test "$(state_of tender "$T")" = bidding

# -- 7. a withdrawn bid resent is refused ----------------------------------
seal bidder1 1 "$T" w1
check "bidder1 submits" ebid_as bidder1 bid submit --tender "$T" "$tmp/w1.sealed" -o "$tmp/w1.receipt"
check "bidder1 withdraws" ebid_as bidder1 bid withdraw --tender "$T"
n=$(nlog "$T")
out=$(ebid_as bidder1 bid submit --tender "$T" "$tmp/w1.sealed" -o "$tmp/w1.again" 2>&1); rc=$?
check "resending the withdrawn bid exits non-zero ($rc)" test "$rc" != 0
check "with a clear error" grep -q "withdrawn" <<<"$out"
check "and does not print accepted" bash -c "! grep -q '^accepted' <<<'$out'"
check "nothing was appended" test "$(nlog "$T")" = "$n"
check "the tender holds no bid of bidder1" bash -c "! grep -q '<bid bidder=\"bidder1\"' <(ebid_as supervisor tender show $T)"
seal bidder2 2 "$T" r1
seal bidder2 2 "$T" r2
check "bidder2 submits a bid" ebid_as bidder2 bid submit --tender "$T" "$tmp/r1.sealed" -o "$tmp/r1.receipt"
check "resending the same bytes gives the same receipt" ebid_as bidder2 bid submit --tender "$T" "$tmp/r1.sealed" -o "$tmp/r1.again"
check "(same receipt)" cmp "$tmp/r1.receipt" "$tmp/r1.again"
check "bidder2 replaces it" ebid_as bidder2 bid submit --tender "$T" "$tmp/r2.sealed" -o "$tmp/r2.receipt"
out=$(ebid_as bidder2 bid submit --tender "$T" "$tmp/r1.sealed" -o "$tmp/r1.third" 2>&1); rc=$?
check "resending the replaced bid exits non-zero ($rc)" test "$rc" != 0
check "with a clear error" grep -q "replaced" <<<"$out"

# -- 4. heads signed often; receipts prove inclusion; a cut tail is caught --
check "a bid's proof of inclusion verifies" \
	grep -q "^inclusion OK: the bid is entry" <(ebid_as bidder2 receipt verify "$tmp/r2.receipt" "$tmp/r2.sealed")
refused "the proof does not verify for other bytes" ebid_as bidder2 receipt verify "$tmp/r2.receipt" "$tmp/r1.sealed"
check "the public board lists the signed heads to any party" \
	grep -q "<chain-head " <(curl_as bidder3 "$URL/v1/heads/$T")
# heads signed on time: a confirmation is not signed at once, but within
# head_every_seconds
ebid_as bidder4 tender sign-up "$T" >/dev/null
ebid_as registrar tender confirm-sign-up "$T" bidder=bidder4 >/dev/null
last=$(nlog "$T")
for _ in $(seq 1 40); do
	[ "$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate = '$T' AND seq = $last")" = 1 ] && break
	sleep 0.1
done
check "the head of entry $last was signed on time" \
	test "$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate = '$T' AND seq = $last")" = 1
seal bidder3 3 "$T" c3
seal bidder4 4 "$T" c4
check "bidder3 submits" ebid_as bidder3 bid submit --tender "$T" "$tmp/c3.sealed" -o "$tmp/c3.receipt"
check "bidder4 submits" ebid_as bidder4 bid submit --tender "$T" "$tmp/c4.sealed" -o "$tmp/c4.receipt"
curl_as bidder4 "$URL/v1/heads/$T" >"$tmp/board.xml"
check "the log verifies before the cut" "$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"
s3=$(grep -o ' seq="[0-9]*"' "$tmp/c3.receipt.proof" | head -1 | cut -d'"' -f2)
cut=$((s3 - 1))
# the superuser cuts the last two receipted bids and fixes the head row
psqlq -c "ALTER TABLE log DISABLE TRIGGER ALL;
	DELETE FROM log WHERE aggregate = '$T' AND seq > $cut;
	ALTER TABLE log ENABLE TRIGGER ALL;
	UPDATE heads SET seq = $cut, hash = (SELECT hash FROM log WHERE aggregate = '$T' AND seq = $cut) WHERE aggregate = '$T';
	UPDATE aggregate_state SET seq = $cut WHERE aggregate = '$T';" >/dev/null
check "the tail is cut to entry $cut" test "$(nlog "$T")" = "$cut"
out=$("$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt" 2>&1); rc=$?
check "ebid-audit verify --db catches the cut tail (exit $rc)" test "$rc" = 1
check "by the head signed at the receipt" grep -q "signed chain head at entry $s3 does not match" <<<"$out"
# ... and removes the signed heads past the cut too
psqlq -c "ALTER TABLE chain_heads_signed DISABLE TRIGGER ALL;
	DELETE FROM chain_heads_signed WHERE aggregate = '$T' AND seq > $cut;
	ALTER TABLE chain_heads_signed ENABLE TRIGGER ALL;" >/dev/null
out=$("$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt" --head "$tmp/c3.receipt.proof" 2>&1); rc=$?
check "the bidder's kept proof still catches it (exit $rc)" test "$rc" = 1
check "(entry $s3 is missing)" grep -q "signed chain head at entry $s3 does not match" <<<"$out"
out=$("$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt" --head "$tmp/board.xml" 2>&1); rc=$?
check "the heads saved from the public board catch it (exit $rc)" test "$rc" = 1
refused "an update of a signed head is refused by its trigger" psqlq -c "UPDATE chain_heads_signed SET seq = seq WHERE aggregate = '$T'"

# -- 8. custodians that cannot exist; failed automatic steps are visible ---
reg "$tmp/bad1.xml" 's/party="custodian3"/party="bidder1"/'
out=$(ebid_as tenderer tender register "$tmp/bad1.xml" 2>&1); rc=$?
check "a custodian who is a bidder is refused at registration (exit $rc)" test "$rc" != 0
check "naming bidder1" grep -q "custodian bidder1" <<<"$out"
reg "$tmp/bad2.xml" 's/party="custodian3"/party="nobody"/'
out=$(ebid_as tenderer tender register "$tmp/bad2.xml" 2>&1); rc=$?
check "an unknown custodian is refused at registration (exit $rc)" test "$rc" != 0
check "naming nobody" grep -q "custodian nobody" <<<"$out"
T3=$(new_tender t8)
check "a tender with real custodians is accepted ($T3)" test "$(state_of tender "$T3")" = accepted
mv "$tmp/directory/custodian3.crt" "$tmp/custodian3.crt.away"
check "the supervisor publishes it" ebid_as supervisor tender publish "$T3"
for _ in $(seq 1 50); do
	grep -q '<incident ' <(ebid_as supervisor tender show "$T3") && break
	sleep 0.1
done
view=$(ebid_as supervisor tender show "$T3")
check "the failed opening key is an incident in the supervisor's view" grep -q '<incident [^>]*step="set-opening-key"' <<<"$view"
check "naming the custodian" grep -q 'custodian custodian3' <<<"$view"
check "the tender stays announced (no key)" test "$(state_of tender "$T3")" = announced
check "bidders do not see the incident" bash -c "! grep -q '<incident ' <(ebid_as bidder1 tender show $T3)"
check "the incident is in the log, signed by ebidd" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T3' AND role = 'system' AND position('<incident-reported'::bytea IN events) > 0")" = 1
mv "$tmp/custodian3.crt.away" "$tmp/directory/custodian3.crt"
check "the supervisor suspends" ebid_as supervisor tender suspend "$T3" --reason "Custodian certificate missing; restored."
check "and resumes: ebidd tries the opening key again" ebid_as supervisor tender resume "$T3" --reason "Directory fixed."
check "bidding opens" wait_state tender "$T3" bidding
check "the tender's log verifies, incident included" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T3" -o "$tmp/$T3.log.xml"
check "(verify)" "$AUDIT" verify "$tmp/$T3.log.xml" --ca "$C/ca.crt" --server-cert "$C/server.crt"


# -- 3 (audit): a system entry signed by another system certificate -------
T2=$(bidding t3b)
for i in 1 2 3; do
	seal "bidder$i" "$i" "$T2" "e$i"
	ebid_as "bidder$i" bid submit --tender "$T2" "$tmp/e$i.sealed" -o "$tmp/e$i.receipt" >/dev/null
done
clock_to "$(iso_plus "$deadline" 1)"
check "the deadline fires (ebidd's own key)" wait_state tender "$T2" awaiting-opening
check "auditor exports $T2" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T2" -o "$tmp/$T2.log.xml"
check "the export carries the server certificate" grep -q "<server-certificate>" "$tmp/$T2.log.xml"
check "the export verifies" "$AUDIT" verify "$tmp/$T2.log.xml" --ca "$C/ca.crt"
check "and with the server certificate pinned" "$AUDIT" verify "$tmp/$T2.log.xml" --ca "$C/ca.crt" --server-cert "$C/server.crt"
out=$("$AUDIT" verify "$tmp/$T2.log.xml" --ca "$C/ca.crt" --server-cert "$C/rogue-system.crt" 2>&1); rc=$?
check "pinning another system certificate fails the system entries (exit $rc)" test "$rc" = 1
if EBID_TAMPER_AMOUNT_EL=bid-submitted EBID_TAMPER_AMOUNT_ATTR=commitment \
	"$BUILD/tests/integration/audit_tamper" "$tmp/$T2.log.xml" "$C/ca.crt" \
	"$SRC/protocol/xsd/ebid.xsd" "$C/bidder1.crt" "$C/bidder1.key" \
	"$C/server.crt" "$C/server.key" "$C/rogue-system.crt" "$C/rogue-system.key" \
	>"$tmp/tamper.out" 2>&1; then
	ok "every tampering is caught, a rogue system entry and a cut tail with heads fixed included"
else
	cat "$tmp/tamper.out"; bad "tampering battery"
fi
check "(the rogue system entry test ran)" grep -q '^\[       OK \] test_system_entry_signed_by_other_system_cert' "$tmp/tamper.out"
check "(the cut tail test ran)" grep -q '^\[       OK \] test_tail_cut_heads_fixed' "$tmp/tamper.out"

finish

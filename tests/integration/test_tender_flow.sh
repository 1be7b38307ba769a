#!/usr/bin/env bash
# tests/integration/test_tender_flow.sh
#    A whole procurement tender through the real ebidd and the real ebid,
#    then its log through ebid-audit:
#      registration returned and resubmitted, accepted, announced; the
#      opening key set by ebidd and split among three custodians; a rejected
#      sign-up; a late amendment that moves the deadline; six sealed bids
#      with receipts (one replaced, one resend of the same bytes giving the
#      same receipt, one withdrawn and sealed and submitted again), a bid one second
#      after the deadline refused; the opening by two of three custodians
#      (a non-custodian's share refused); the opening record field by
#      field; the clearing report; a bidder decrypting its own bid;
#      the expert draw from the pool (conflicted experts excluded), online
#      scoring, the ranking computed by the engine, publicity with an
#      objection, the verification record, the award and the close;
#      the export verified, tampered every way (tests/integration/
#      audit_tamper.c) and tampered inside PostgreSQL as a superuser;
#      and a second tender failing with two bids (流标).
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
reg() { # reg FILE DEADLINE OPENING
	sed "s/@DEADLINE@/$2/; s/@OPENING@/$3/" "$SRC/tests/data/tender/register-tender.xml" >"$1"
}
reg "$tmp/reg.xml" "$deadline" "$deadline"

# -- registration (受理) -------------------------------------------------
out=$(ebid_as tenderer tender register "$tmp/reg.xml")
T=$(awk '/ registered$/ {print $2}' <<<"$out")
check "tender registered ($T)" test -n "$T"
check "registrar returns it with reasons" ebid_as registrar tender return "$T" --reason "The bill of quantities is not signed."
check "state returned" test "$(state_of tender "$T")" = returned
refused "supervisor cannot publish a returned tender" ebid_as supervisor tender publish "$T"
sed 's/<register-tender xmlns="urn:ebid:1">/<resubmit-registration xmlns="urn:ebid:1">/; s#</register-tender>#</resubmit-registration>#' "$tmp/reg.xml" >"$tmp/resubmit.xml"
check "tenderer resubmits" ebid_as tenderer tender resubmit "$T" "$tmp/resubmit.xml"
refused "a bidder cannot accept a registration" ebid_as bidder1 tender accept "$T"
check "registrar accepts" ebid_as registrar tender accept "$T"
refused "a registrar cannot publish (the supervisor's power)" ebid_as registrar tender publish "$T"

# -- organization (组织) -------------------------------------------------
check "supervisor publishes the announcement" ebid_as supervisor tender publish "$T" --text "Announcement of the Feicheng pipeline tender."
check "ebidd sets the opening key (bidding)" wait_state tender "$T" bidding
view=$(ebid_as custodian1 tender show "$T")
check "custodian1 sees its own sealed share only" test "$(grep -c '<sealed-share' <<<"$view")" = 1
for i in 1 2 3 4 5; do
	check "bidder$i signs up" ebid_as "bidder$i" tender sign-up "$T"
	check "registrar confirms bidder$i" ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i"
done
check "buyer2 signs up" ebid_as buyer2 tender sign-up "$T"
check "registrar confirms buyer2" ebid_as registrar tender confirm-sign-up "$T" bidder=buyer2
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-6-*.xml)" >"$tmp/bid6.xml"
check "buyer2 seals the sixth bid" ebid_as buyer2 bid seal --tender "$T" "$tmp/bid6.xml" -o "$tmp/bid6.sealed"
check "buyer2 submits it" ebid_as buyer2 bid submit --tender "$T" "$tmp/bid6.sealed" -o "$tmp/bid6.receipt"
check "buyer1 signs up" ebid_as buyer1 tender sign-up "$T"
check "registrar rejects buyer1 with a reason" ebid_as registrar tender reject-sign-up "$T" bidder=buyer1 --reason "No municipal works licence on file."
for i in 1 2 3 4 5; do
	f=$(ls "$BIDS"/bid-$i-*.xml)
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$f" >"$tmp/bid$i.xml"
	check "bidder$i seals its bid offline" ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/bid$i.sealed"
	check "bidder$i submits and keeps the receipt" ebid_as "bidder$i" bid submit --tender "$T" "$tmp/bid$i.sealed" -o "$tmp/bid$i.receipt"
	check "bidder$i's receipt verifies" ebid_as "bidder$i" receipt verify "$tmp/bid$i.receipt" "$tmp/bid$i.sealed"
done
refused "a receipt does not verify against other bytes" ebid_as bidder1 receipt verify "$tmp/bid1.receipt" "$tmp/bid2.sealed"
ebid_as buyer1 bid seal --tender "$T" "$tmp/bid1.xml" -o "$tmp/x.sealed" >/dev/null 2>&1
refused "buyer1 (sign-up rejected) cannot submit a bid" ebid_as buyer1 bid submit --tender "$T" "$tmp/x.sealed"
sed "s/tender=\"$T\"/tender=\"T-OTHER\"/" "$tmp/bid1.xml" >"$tmp/other.xml"
refused "a bid for another tender is not sealed for this one" ebid_as bidder1 bid seal --tender "$T" "$tmp/other.xml" -o "$tmp/o.sealed"
n_before=$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T'")
check "resending the same bytes" ebid_as bidder1 bid submit --tender "$T" "$tmp/bid1.sealed" -o "$tmp/bid1.again"
check "gives the same receipt" cmp "$tmp/bid1.receipt" "$tmp/bid1.again"
check "and appends nothing" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T'")" = "$n_before"
# bidder2 replaces its bid (same document sealed again: a new envelope)
c2b=$(ebid_as bidder2 bid seal --tender "$T" "$tmp/bid2.xml" -o "$tmp/bid2b.sealed" | grep -o 'commitment [0-9a-f]*' | cut -d' ' -f2)
check "bidder2 seals a replacement" test -n "$c2b"
check "the replacement is accepted" ebid_as bidder2 bid submit --tender "$T" "$tmp/bid2b.sealed" -o "$tmp/bid2b.receipt"
check "bidder5 withdraws" ebid_as bidder5 bid withdraw --tender "$T"
# the same bytes again would return the earlier receipt and change
# nothing (idempotent): a bid after a withdrawal is sealed anew
check "bidder5 seals again" ebid_as bidder5 bid seal --tender "$T" "$tmp/bid5.xml" -o "$tmp/bid5b.sealed"
check "bidder5 submits again" ebid_as bidder5 bid submit --tender "$T" "$tmp/bid5b.sealed" -o "$tmp/bid5b.receipt"

# a late amendment: 10 days before the deadline, notice period 15 days
late=$(iso_plus "$now" $((10 * 86400)))
clock_to "$late"
cat >"$tmp/amend.xml" <<XML
<amend-documents xmlns="urn:ebid:1" tender="$T"><text>Pipe class changed to PN16.</text><document name="amendment-1.pdf" sha256="$(printf 'amendment-1' | sha256sum | cut -d' ' -f1)"/></amend-documents>
XML
check "tenderer issues a late amendment" ebid_as tenderer tender amend-documents "$T" "$tmp/amend.xml"
newdl=$(iso_plus "$late" $((15 * 86400)))
check "the deadline moved to $newdl" grep -q "<bid-deadline at=\"$newdl\"" <(ebid_as supervisor tender show "$T")

# the deadline: one second late is refused, nothing stored
clock_to "$(iso_plus "$newdl" 1)"
check "deadline reached by ebidd's timer" wait_state tender "$T" awaiting-opening
n_before=$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T'")
check "bidder3 seals once more" ebid_as bidder3 bid seal --tender "$T" "$tmp/bid3.xml" -o "$tmp/bid3late.sealed"
refused "a bid one second after the deadline is refused" ebid_as bidder3 bid submit --tender "$T" "$tmp/bid3late.sealed"
check "nothing was stored for it" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T'")" = "$n_before"

# -- opening (开标) ------------------------------------------------------
refused "a non-custodian cannot submit a share" ebid_as bidder1 opening share --tender "$T"
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
check "two of three shares open the bids, clearing follows" wait_state tender "$T" cleared
ebid_as supervisor tender show "$T" >"$tmp/view.xml"
opened=$(grep -c '<bid-result[^>]*status="opened"' "$tmp/view.xml")
check "six bids opened (got $opened)" test "$opened" = 6
for i in 1 2 3 4 5; do
	price=$(grep -o '<total-price>[0-9]*' "$tmp/bid$i.xml" | head -1 | cut -d'>' -f2)
	check "opening record: bidder$i at $price fen" grep -q "<bid-result bidder=\"bidder$i\" commitment=\"[0-9a-f]*\" status=\"opened\" total-price=\"$price\"" "$tmp/view.xml"
done
check "bidder2's replacement is the one opened" grep -q "bidder=\"bidder2\" commitment=\"$c2b\" status=\"opened\"" "$tmp/view.xml"
check "a clearing report with findings" grep -q '<finding ' "$tmp/view.xml"
k=$(grep -o '<coefficient-drawn [^>]*value="[0-9.]*"' "$tmp/view.xml" | grep -o 'value="[0-9.]*"' | cut -d'"' -f2)
check "the benchmark coefficient was drawn at the opening ($k)" grep -qx '0.9[5-8]' <<<"$k"
# the six sample bids are built to trigger every clearing rule at least
# once, and the first (clean) bid none (tests/data/bids/README.md)
for rule in completeness arithmetic-line arithmetic-total ceiling-price \
	low-vs-mean low-vs-next cost-floor unbalanced-vs-control \
	unbalanced-vs-average similar-technical same-fingerprint same-metadata \
	same-errors same-unusual-price price-progression price-band same-contact; do
	check "clearing rule $rule fired" grep -q "<finding [^>]*rule=\"$rule\"" "$tmp/view.xml"
done
check "the clean bid has no finding" grep -q '<bid-summary bidder="bidder1" [^>]*findings="0"' "$tmp/view.xml"
ebid_as supervisor clearing show --tender "$T" >"$tmp/clearing.txt"
check "the clearing report reads as a table" grep -q '^rule  *severity' "$tmp/clearing.txt"
bview=$(ebid_as bidder1 tender show "$T")
check "bidder1 sees no other bid's document" test "$(grep -c '<bid tender=' <<<"$bview")" = 1
# issue 20, point 1: after the opening, a bid's document and signed copy
# (<inner>) go to the evaluators, the officials and its own bidder only
n_of() { grep -o "$1" <<<"$2" | wc -l; }
lacks() { ! grep -q "$1" <<<"$2"; }
check "bidder1 reads one signed copy, its own ($(n_of '<inner>' "$bview"))" test "$(n_of '<inner>' "$bview")" = 1
b2view=$(ebid_as bidder2 tender show "$T")
check "bidder2 reads one signed copy, its own" test "$(n_of '<inner>' "$b2view")" = 1
check "and one bid document, its own" test "$(n_of '<bid tender=' "$b2view")" = 1
mail1=$(grep -o '<email>[^<]*' "$tmp/bid1.xml" | head -1 | cut -d'>' -f2)
check "bidder2 does not read bidder1's bid (its contact $mail1)" lacks "$mail1" "$b2view"
tview=$(ebid_as transferor tender show "$T")
check "a transferor reads no signed copy" test "$(n_of '<inner>' "$tview")" = 0
check "and no bid document" test "$(n_of '<bid tender=' "$tview")" = 0
check "but hears the opening read aloud: bidder and price" grep -q '<bid-result bidder="bidder1" [^>]*total-price="[0-9]*"' <<<"$tview"
check "and the completion days the rules declare public" test "$(n_of '<item field="completion-days">[0-9]*</item>' "$tview")" = 6
check "no sign-up list for the public" lacks '<sign-ups' "$tview"
check "the supervisor reads every signed copy" test "$(n_of '<inner>' "$(cat "$tmp/view.xml")")" = 6
check "bidder1 decrypts its own bid, matching its commitment" ebid_as bidder1 opening decrypt --tender "$T" "$tmp/bid1.sealed"

# -- evaluation (评标) ----------------------------------------------------
EBID_CERTS=$C
. "$SRC/tools/lib/tender.sh"
# the steps of evaluate() (tools/lib/tender.sh), with the views of the
# drawn experts checked between them (issue 20, point 11)
eval_steps() {
	local t=$1 dir=$2 secret commit x
	POOL=$(pool_register) || return 1
	secret="draw-$t-$(date +%s%N)"
	commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	cat >"$dir/request-draw.xml" <<XML
<request-draw xmlns="urn:ebid:1" tender="$t" recent-days="365" max-recent="3"><commitment>$commit</commitment><seats specialty="civil-works" count="4" reserve="1"/><seats specialty="electrical" count="1" reserve="1"/></request-draw>
XML
	ebid_as supervisor tender request-draw "$t" "$dir/request-draw.xml" >/dev/null || return 1
	ebid_as supervisor pool show "$POOL" >"$dir/pool.xml" || return 1
	{
		printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$t" "$secret"
		sed -n '/<pool/,$p' "$dir/pool.xml" | sed 's/ xmlns="urn:ebid:1"//'
		printf '</draw-experts>\n'
	} >"$dir/draw-experts.xml"
	ebid_as supervisor tender draw-experts "$t" "$dir/draw-experts.xml" >/dev/null || return 1
}
check "experts drawn from the pool (conflicts avoided)" eval_steps "$T" "$tmp"
DECLINED=$(committee "$T" | head -n 1)
PENDING=$(committee "$T" | sed -n 2p)
xv=$(ebid_as "$PENDING" tender show "$T")
check "a drawn expert ($PENDING) sees no bid before accepting" test "$(n_of '<inner>\|<bid tender=' "$xv")" = 0
check "nor the clearing report" lacks '<clearing-report' "$xv"
check "nor the rest of the committee (its own seat only)" test "$(n_of '<member ' "$xv")" = 1
check "$DECLINED declines the appointment" ebid_as "$DECLINED" tender decline-appointment "$T" --reason "I advised a bidder on this project last year."
xv=$(ebid_as "$DECLINED" tender show "$T")
check "after declining, $DECLINED sees no bid" test "$(n_of '<inner>\|<bid tender=' "$xv")" = 0
check "nor the clearing report" lacks '<clearing-report' "$xv"
check "nor the committee but its own seat" test "$(n_of '<member ' "$xv")" = 1
ok_all=1
for x in $(committee "$T"); do
	ebid_as "$x" tender accept-appointment "$T" >/dev/null || ok_all=0
done
check "the others accept" test $ok_all = 1
xv=$(ebid_as "$PENDING" tender show "$T")
check "once seated, $PENDING reads every bid" test "$(n_of '<inner>' "$xv")" = 6
check "and the clearing report" grep -q '<clearing-report' <<<"$xv"
xv=$(ebid_as "$DECLINED" tender show "$T")
check "$DECLINED still sees no bid" test "$(n_of '<inner>\|<bid tender=' "$xv")" = 0
ok_all=1
for x in $(committee "$T"); do
	score_sheet "$x" "$T" "$tmp/scores-$x.xml"
	ebid_as "$x" score submit --tender "$T" "$tmp/scores-$x.xml" >/dev/null || ok_all=0
done
check "every seated expert scores" test $ok_all = 1
check "the evaluation is closed" ebid_as supervisor tender close-evaluation "$T"
ok_all=1
for x in $(committee "$T"); do
	if [ "$x" = "$(committee "$T" | head -n 1)" ]; then
		ebid_as "$x" result sign --tender "$T" --dissent "I would rate the first candidate's construction plan lower." >/dev/null || ok_all=0
	else
		ebid_as "$x" result sign --tender "$T" >/dev/null || ok_all=0
	fi
done
check "every member signs the report" test $ok_all = 1
check "state evaluated" test "$(state_of tender "$T")" = evaluated
for _ in $(seq 1 30); do
	n_app=$(ebid_as registrar pool show "$POOL" | grep -c "<appointment [^>]*tender=\"$T\"")
	[ "$n_app" = 5 ] && break
	sleep 0.1
done
check "ebidd recorded the five appointments in pool $POOL ($n_app)" test "$n_app" = 5
# issue 15 defect 3: a restart (recovery pokes every live tender) or a
# second ebidd must not record the committee again
now=$(clock_now)
check "ebidd restarts while the tender is evaluated" restart_ebidd
clock_to "$now"
sleep 1
n_app=$(ebid_as registrar pool show "$POOL" | grep -c "<appointment [^>]*tender=\"$T\"")
check "after the restart the pool still holds five appointments of $T ($n_app)" test "$n_app" = 5
members=$(committee "$T" | tr '\n' ' ')
check "the expert who declined ($DECLINED) is not seated" bash -c "! grep -qw '$DECLINED' <<<'$members'"
check "its replacement from the reserve is recorded" grep -q "replaced-by=" <(ebid_as supervisor tender show "$T")
check "a committee of five ($members)" test "$(committee "$T" | wc -l)" = 5
check "expert8 (employed by bidder2's company) is not seated" bash -c "! grep -qw expert8 <<<'$members'"
check "expert9 (employed by bidder4's company) is not seated" bash -c "! grep -qw expert9 <<<'$members'"
bview=$(ebid_as bidder1 tender show "$T")
check "bidder1 can read the tender" test -n "$bview"
check "the committee stays hidden from bidders" test "$(grep -c '<member ' <<<"$bview")" = 0
sview=$(ebid_as supervisor tender show "$T")
check "every member signed the committee report" test "$(grep -c '<signature ' <<<"$sview")" = 5
check "the dissent is recorded" grep -q '<dissent>I would rate' <<<"$sview"
first_expert=$(committee "$T" | head -1)
refused "a member cannot sign twice" ebid_as "$first_expert" result sign --tender "$T"
check "an expert reads the criteria and the bids to score" grep -q 'Construction plan' <(ebid_as "$first_expert" score show --tender "$T")
winner=$(first_candidate "$T")
check "the engine ranked the bids (first: $winner)" test -n "$winner"
check "with the coefficient drawn at the opening" grep -q "coefficient=\"$k" <(ebid_as supervisor result show --tender "$T" --xml)
check "every component of every score is in the result" grep -q '<expert-score ' <(ebid_as supervisor result show --tender "$T" --xml)
check "and readable as a table" grep -q 'candidates' <(ebid_as supervisor result show --tender "$T")
refused "an expert cannot score after the evaluation closed" ebid_as "$(committee "$T" | head -1)" score submit --tender "$T" "$tmp/scores-$(committee "$T" | head -1).xml"

# -- confirmation (确认) --------------------------------------------------
check "candidates published" ebid_as supervisor tender publish-candidates "$T"
check "bidder3 raises an objection during publicity" ebid_as bidder3 tender raise-objection "$T" --text "The first candidate's project manager is engaged elsewhere."
check "the flow stops on the objection" test "$(state_of tender "$T")" = objection
refused "the verifier cannot verify while the objection stands" ebid_as verifier tender verify-process "$T"
check "the supervisor answers it" ebid_as supervisor tender answer-objection "$T" objection=1 decision=dismissed --text "The release letter is on file."
clock_to "$(publicity_end "$T")"
check "publicity ended by ebidd's timer" wait_state tender "$T" publicity-over
check "the verifier verifies the process (verification record)" ebid_as verifier tender verify-process "$T"
loser=$(ebid_as supervisor tender show "$T" | grep -o '<candidate bidder="[^"]*" rank="2"' | cut -d'"' -f2)
refused "an award to the second candidate ($loser) is refused" ebid_as verifier tender issue-award "$T" bidder="$loser" --justification "x"
check "the award notice goes to $winner" ebid_as verifier tender issue-award "$T" bidder="$winner" --justification "Ranked first by the committee; publicity ended without an upheld objection."
check "the tender is closed" ebid_as supervisor tender close-tender "$T"
check "state closed" test "$(state_of tender "$T")" = closed

# -- the auditors' promise ---------------------------------------------
check "auditor exports the log" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T" -o "$tmp/$T.log.xml"
check "the export verifies with only the CA certificate" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
check "the database verifies" "$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt"
check "a readable timeline" "$AUDIT" replay "$tmp/$T.log.xml" --ca "$C/ca.crt"
if EBID_TAMPER_AMOUNT_EL=bid-result EBID_TAMPER_AMOUNT_ATTR=total-price \
	"$BUILD/tests/integration/audit_tamper" "$tmp/$T.log.xml" "$C/ca.crt" \
	"$SRC/protocol/xsd/ebid.xsd" "$C/bidder1.crt" "$C/bidder1.key" \
	"$C/${IT_SIGNING:-server}.crt" "$C/${IT_SIGNING:-server}.key" >"$tmp/tamper.out" 2>&1; then
	ok "every tampering of the export is caught ($(grep -c '^\[       OK' "$tmp/tamper.out") kinds)"
else
	cat "$tmp/tamper.out"; bad "tampering battery"
fi
# a superuser edits the log inside PostgreSQL (past the append-only trigger)
refused "the append-only trigger refuses an UPDATE" psqlq -c "UPDATE log SET time_ms = time_ms + 1 WHERE aggregate = '$T' AND seq = 3"
psqlq -c "ALTER TABLE log DISABLE TRIGGER log_no_update; UPDATE log SET time_ms = time_ms + 1 WHERE aggregate = '$T' AND seq = 7; ALTER TABLE log ENABLE TRIGGER log_no_update" >/dev/null
out=$("$AUDIT" verify --db "$DB" --tender "$T" --ca "$C/ca.crt" 2>&1)
check "the superuser's UPDATE is caught at entry 7" grep -q "entry 7 does not hold" <<<"$out"

# -- a failed tender (流标): two bids only ------------------------------------
now=$(clock_now)
dl=$(iso_plus "$now" $((20 * 86400)))
reg "$tmp/reg2.xml" "$dl" "$dl"
T2=$(ebid_as tenderer tender register "$tmp/reg2.xml" | awk '/ registered$/ {print $2}')
ebid_as registrar tender accept "$T2" >/dev/null
ebid_as supervisor tender publish "$T2" >/dev/null
wait_state tender "$T2" bidding
for i in 1 2; do
	ebid_as "bidder$i" tender sign-up "$T2" >/dev/null
	ebid_as registrar tender confirm-sign-up "$T2" bidder="bidder$i" >/dev/null
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T2\"/" "$(ls "$BIDS"/bid-$i-*.xml)" >"$tmp/f$i.xml"
	ebid_as "bidder$i" bid seal --tender "$T2" "$tmp/f$i.xml" -o "$tmp/f$i.sealed" >/dev/null
	check "tender $T2: bidder$i bids" ebid_as "bidder$i" bid submit --tender "$T2" "$tmp/f$i.sealed"
done
# ebidd restarts before the deadline: its timers come back from the
# database (eb_system_recover), with no command on the tender
check "ebidd restarts" restart_ebidd
clock_to "$dl"
check "the deadline still fires after the restart; two bids fail the tender (流标)" wait_state tender "$T2" failed
check "the failed tender's log verifies too" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --tender "$T2" -o "$tmp/$T2.log.xml"
check "and replays" "$AUDIT" verify "$tmp/$T2.log.xml" --ca "$C/ca.crt"

# -- read models are derived: rebuilt from the log alone -----------------------
psqlq -c "UPDATE aggregate_state SET state = 'scrambled', seq = 0" >/dev/null
check "ebidd --rebuild-read-models folds every log again" "$EBIDD" --config "$tmp/ebidd.conf" --rebuild-read-models
check "$T is closed again in the read model" test "$(psqlq -c "SELECT state FROM aggregate_state WHERE aggregate = '$T'")" = closed
check "$T2 is failed again in the read model" test "$(psqlq -c "SELECT state FROM aggregate_state WHERE aggregate = '$T2'")" = failed
check "every read model reaches its chain head" test "$(psqlq -c "SELECT count(*) FROM aggregate_state s JOIN heads h USING (aggregate) WHERE s.seq <> h.seq")" = 0

# -- every log of a period ---------------------------------------------------
mkdir -p "$tmp/all" "$tmp/later"
check "the auditor exports every log" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --all -o "$tmp/all"
check "both tenders and the pool are there" test "$(ls "$tmp/all" | wc -l)" -ge 3
for f in "$tmp"/all/*.log.xml; do
	if [ "$(basename "$f")" = "$T.log.xml" ]; then
		# the superuser's UPDATE above is in this one: caught again
		out=$("$AUDIT" verify "$f" --ca "$C/ca.crt" 2>&1)
		check "$T's export, tampered in the database, fails at entry 7" grep -q "entry 7 does not hold" <<<"$out"
	else
		check "$(basename "$f") verifies" "$AUDIT" verify "$f" --ca "$C/ca.crt"
	fi
done
check "a period after everything exports nothing" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --all --since 2100-01-01T00:00:00Z -o "$tmp/later"
check "(none)" test "$(ls "$tmp/later" | wc -l)" = 0
refused "a bidder cannot export logs" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/bidder1.crt" EBID_KEY="$C/bidder1.key" \
	"$AUDIT" export --tender "$T" -o "$tmp/x.log.xml"

finish

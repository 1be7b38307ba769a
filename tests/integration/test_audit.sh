#!/usr/bin/env bash
# tests/integration/test_audit.sh
#    The auditor's promise (issue 13), on the demo's real logs: tools/demo.sh
#    runs against a real ebidd and PostgreSQL, its tender, expert pool and
#    sale logs are exported, then ebid-audit is held to what docs/audit.md
#    promises.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port) PORT=$(free_port) BPORT=$(free_port)
SRC=${EBID_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
IT_EXTRA_CONF="public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages
head_every_seconds = 86400"     # no head signed by the timer meanwhile
. "$(dirname "$0")/lib.sh"
it_setup
B=http://127.0.0.1:$BPORT

D=$tmp/demo
mkdir -p "$D"
say "running tools/demo.sh (output in $tmp/demo.out)"
if EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C EBID_BUILD=$BUILD \
	EBID_DEMO_DIR=$D bash "$SRC/tools/demo.sh" >"$tmp/demo.out" 2>&1; then
	ok "the demo runs and exports its logs"
else
	bad "the demo runs and exports its logs"; show_failure "$tmp/demo.out"
	finish
fi
LOGS=("$D"/*.log.xml)
T=$(basename "$(ls "$D"/T-*.log.xml | head -1)" .log.xml)
[ -z "${AUDIT_KEEP:-}" ] || cp "$D"/*.log.xml "$C/ca.crt" "$AUDIT_KEEP"/   # for a person debugging

CA=$C/ca.crt
S=$(basename "$(ls "$D"/S-*.log.xml | head -1)" .log.xml)
# rc CMD...: print the exit status of CMD (its output to $tmp/rc.out)
rc() { "$@" >"$tmp/rc.out" 2>&1; echo $?; }
# edit IN OUT SED-EXPR: a tampered copy of a log
edit() { sed -e "$3" "$1" >"$2"; cmp -s "$1" "$2" && { say "edit changed nothing: $3"; return 1; }; return 0; }

# -- 1: replay verifies first ----------------------------------------------
for f in "${LOGS[@]}"; do
	check "1: $(basename "$f") replays (it verifies)" "$AUDIT" replay "$f" --ca "$CA"
done
"$AUDIT" replay "$D/$T.log.xml" --ca "$CA" >"$tmp/t.txt" 2>&1
check "1: the timeline says the log was verified" grep -q "^tender $T: .* (verified)" "$tmp/t.txt"
check "1: the timeline shows the opened bids' amounts in yuan" grep -qE "bid of bidder1: opened total-price=[0-9,]+\.[0-9]{2}" "$tmp/t.txt"
check "1: the timeline says why a bid is invalid" grep -qE "bid of bidder4: invalid .*because: .*ceiling-price" "$tmp/t.txt"
check "1: the timeline gives the reason of a refusal" grep -q 'sign-up-rejected: bidder=buyer1 reason: "No municipal works licence on file."' "$tmp/t.txt"
check "1: the timeline gives the ranking" grep -q "candidate bidder1: rank 1" "$tmp/t.txt"
"$AUDIT" replay "$D/$S.log.xml" --ca "$CA" >"$tmp/s.txt" 2>&1
check "1: the sale's timeline shows bidding numbers and amounts" grep -qE "sale-quote-accepted: number=[0-9]{6} amount=6,050,000\.00" "$tmp/s.txt"
check "1: the sale's timeline shows the deposits" grep -qE "sale-deposit-confirmed: bidder=buyer1 number=[0-9]{6} amount=" "$tmp/s.txt"

# the issue's forgery: an entry's actor changed, an event's amount changed
edit "$D/$T.log.xml" "$tmp/actor.xml" '0,/party="bidder1"/s//party="bidder2"/'
edit "$D/$S.log.xml" "$tmp/amount.xml" '0,/amount="605000000"/s//amount="905000000"/'
for f in actor amount; do
	r=$(rc "$AUDIT" replay "$tmp/$f.xml" --ca "$CA")
	check "1: replay of the log with a forged $f exits 1 (exit $r)" test "$r" = 1
	"$AUDIT" replay "$tmp/$f.xml" --ca "$CA" 2>/dev/null >"$tmp/$f.out"
	check "1: ... and prints nothing but the failing entry" \
		bash -c "head -1 '$tmp/$f.out' | grep -q '^FAILED: .*, entry [0-9]* does not hold' && ! grep -v '^FAILED: \|^  ' '$tmp/$f.out'"
	r=$(rc "$AUDIT" replay "$tmp/$f.xml" --ca "$CA" --unverified)
	check "1: replay --unverified of the forged $f exits 1 too (exit $r)" test "$r" = 1
	"$AUDIT" replay "$tmp/$f.xml" --ca "$CA" --unverified 2>/dev/null >"$tmp/$f.unv"
	check "1: ... and marks every line of its timeline UNVERIFIED" \
		bash -c "sed '/^FAILED: /,\$d' '$tmp/$f.unv' >'$tmp/$f.tl'; test \$(wc -l <'$tmp/$f.tl') -gt 20 && ! grep -v '^UNVERIFIED ' '$tmp/$f.tl' && grep -q '^FAILED: ' '$tmp/$f.unv'"
done
check "1: --unverified shows the forged amount, marked" grep -q "^UNVERIFIED .*amount=9,050,000.00" "$tmp/amount.unv"

# -- 9: exit codes: 0 verified, 1 any check failed, 2 usage only ----------
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA"); check "9: a log that holds: exit 0 (exit $r)" test "$r" = 0
edit "$D/$T.log.xml" "$tmp/ns.xml" 's/xmlns="urn:ebid:1"/xmlns="urn:ebid:2"/'
r=$(rc "$AUDIT" verify "$tmp/ns.xml" --ca "$CA"); check "9: a changed namespace: exit 1 (exit $r)" test "$r" = 1
edit "$D/$T.log.xml" "$tmp/ns2.xml" '0,/<events>/s//<events xmlns="urn:other">/'
r=$(rc "$AUDIT" verify "$tmp/ns2.xml" --ca "$CA"); check "9: an entry's events in another namespace: exit 1 (exit $r)" test "$r" = 1
n=$(grep -o ' entries="[0-9]*"' "$D/$T.log.xml" | head -1 | tr -dc 0-9)
edit "$D/$T.log.xml" "$tmp/count.xml" "0,/ entries=\"$n\"/s// entries=\"$((n + 1))\"/"
r=$(rc "$AUDIT" verify "$tmp/count.xml" --ca "$CA"); check "9: an entries count that does not match: exit 1 (exit $r)" test "$r" = 1
check "9: ... naming the mismatch" grep -q "entry-count-mismatch" "$tmp/rc.out"
edit "$D/$T.log.xml" "$tmp/nocount.xml" "0,/ entries=\"$n\"/s///"
r=$(rc "$AUDIT" verify "$tmp/nocount.xml" --ca "$CA"); check "9: an export without its entries count: exit 1 (exit $r)" test "$r" = 1
head -c 3000 "$D/$T.log.xml" >"$tmp/cut.xml"
r=$(rc "$AUDIT" verify "$tmp/cut.xml" --ca "$CA"); check "9: a file cut in the middle: exit 1 (exit $r)" test "$r" = 1
r=$(rc "$AUDIT" verify "$tmp/no-such-file.xml" --ca "$CA"); check "9: a missing file: exit 1 (exit $r)" test "$r" = 1
r=$(rc "$AUDIT" verify "$tmp/actor.xml" --ca "$CA"); check "9: a forged actor: exit 1 (exit $r)" test "$r" = 1
r=$(rc "$AUDIT" verify "$D/$T.log.xml"); check "9: no --ca: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" verify --ca "$CA"); check "9: no file: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" verify "$D/$T.log.xml" "$D/$S.log.xml" --ca "$CA"); check "9: two files: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" frobnicate "$D/$T.log.xml" --ca "$CA"); check "9: an unknown command: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --no-such-option); check "9: an unknown option: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --unverified); check "9: --unverified outside replay: usage, exit 2 (exit $r)" test "$r" = 2

# -- 2: the log format version -------------------------------------------------
check "2: the export says its log format (2: W3C Canonical XML)" grep -q '<log [^>]*format="2"' "$D/$T.log.xml"
edit "$D/$T.log.xml" "$tmp/fmt1.xml" '0,/ format="2"/s///'
r=$(rc "$AUDIT" verify "$tmp/fmt1.xml" --ca "$CA")
check "2: a format-1 export (no format) fails clearly, not silently (exit $r)" test "$r" = 1
check "2: ... saying it is log format 1" grep -q "log-format-1" "$tmp/rc.out"
edit "$D/$T.log.xml" "$tmp/fmt3.xml" '0,/ format="2"/s// format="3"/'
r=$(rc "$AUDIT" verify "$tmp/fmt3.xml" --ca "$CA")
check "2: an unknown format fails (exit $r)" test "$r" = 1

# an independent verifier written from docs/audit.md (python3 + openssl)
VL=$SRC/tests/interop/verify_log.py
for f in "${LOGS[@]}"; do
	check "2: verify_log.py (python3 + openssl, from docs/audit.md alone) verifies $(basename "$f")" \
		python3 "$VL" "$f" --ca "$CA" --cache "$tmp/vcache"
	check "2: verify_log.py and ebid-audit agree on 100 random tamperings of $(basename "$f")" \
		python3 "$SRC/tests/interop/tamper.py" "$f" --ca "$CA" --audit "$AUDIT" --n 100 --work "$tmp/tamper"
done
for f in actor amount fmt1 count; do
	check "2: verify_log.py refuses the $f forgery too" bash -c "! python3 '$VL' '$tmp/$f.xml' --ca '$CA' --cache '$tmp/vcache'"
done

# -- 5: commands are closed: an unknown element or attribute is refused ---
dl=$(iso_plus "$(clock_now)" $((20 * 86400)))
sed "s/@DEADLINE@/$dl/; s/@OPENING@/$dl/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg-ok.xml"
sed 's/<evaluation-rules\b/<evaluation-rule/; s/<\/evaluation-rules>/<\/evaluation-rule>/' "$tmp/reg-ok.xml" >"$tmp/reg-typo.xml"
check "5: (the misspelling is in the command)" grep -q "<evaluation-rule[ >]" "$tmp/reg-typo.xml"
ebid_as tenderer tender register "$tmp/reg-typo.xml" >"$tmp/typo.out" 2>&1; r=$?
check "5: a tender registered with a misspelled <evaluation-rule> is refused (exit $r)" test "$r" != 0
check "5: ... with an error naming the element" grep -q "evaluation-rule'" "$tmp/typo.out"
sed '0,/<register-tender /s//<register-tender colour="red" /' "$tmp/reg-ok.xml" >"$tmp/reg-attr.xml"
ebid_as tenderer tender register "$tmp/reg-attr.xml" >"$tmp/attr.out" 2>&1; r=$?
check "5: an unknown attribute in a command is refused (exit $r)" test "$r" != 0
check "5: ... with an error naming it" grep -q "colour" "$tmp/attr.out"
check "5: the same command spelled right is accepted" ebid_as tenderer tender register "$tmp/reg-ok.xml"

# -- 7: tail truncation ------------------------------------------------------
P=$(basename "$(ls "$D"/P-*.log.xml | head -1)" .log.xml)
# cut LOG KEEP OUT: the forger's cut: entries after KEEP and the heads past
# them removed, the entries count fixed (python3 stdlib: a text edit)
cut_log() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
src, keep, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x = open(src, encoding='utf-8').read()
x = re.sub(r'<entry [^>]*? seq="(\d+)".*?</entry>',
           lambda m: m.group(0) if int(m.group(1)) <= keep else '', x, flags=re.S)
x = re.sub(r'<chain-head [^>]*?seq="(\d+)".*?</chain-head>',
           lambda m: m.group(0) if int(m.group(1)) <= keep else '', x, flags=re.S)
x = re.sub(r' entries="\d+"', ' entries="%d"' % keep, x, count=1)
open(out, 'w', encoding='utf-8').write(x)
PY
}
# the pool's heads: at entry 1 and 10, none between (docs/audit.md)
cut_log "$D/$P.log.xml" 5 "$tmp/pcut.xml"
r=$(rc "$AUDIT" verify "$tmp/pcut.xml" --ca "$CA")
check "7: an export cut where no signed head covers its end fails (exit $r)" test "$r" = 1
check "7: ... naming its last entry and the reason" grep -q "tail-not-signed" "$tmp/rc.out"
# a cut on a signed head: only a head kept outside the log can tell
n=$(grep -o ' entries="[0-9]*"' "$D/$T.log.xml" | head -1 | tr -dc 0-9)
cut_log "$D/$T.log.xml" $((n - 1)) "$tmp/tcut.xml"
check "7: (an export cut on a signed head holds by itself)" "$AUDIT" verify "$tmp/tcut.xml" --ca "$CA"
curl -s -o "$tmp/board-heads.html" "$B/heads/$T"
check "7: the board publishes the tender's signed heads" grep -q "<td class=\"hash\">" "$tmp/board-heads.html"
r=$(rc "$AUDIT" verify "$tmp/tcut.xml" --ca "$CA" --head "$tmp/board-heads.html")
check "7: verify --head with the board's saved page catches the cut (exit $r)" test "$r" = 1
check "7: ... as a signed head the log does not reach" grep -q "chain-head-mismatch" "$tmp/rc.out"
check "7: the whole export holds with the board's heads" "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --head "$tmp/board-heads.html"
curl_as auditor -o "$tmp/api-heads.xml" "$URL/v1/heads/$T"
r=$(rc "$AUDIT" verify "$tmp/tcut.xml" --ca "$CA" --head "$tmp/api-heads.xml")
check "7: verify --head with GET /v1/heads/ID catches the cut (exit $r)" test "$r" = 1
sed 's/<pre>[A-Za-z0-9+\/=]\{20\}/<pre>AAAAAAAAAAAAAAAAAAAA/' "$tmp/board-heads.html" >"$tmp/board-forged.html"
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --head "$tmp/board-forged.html")
check "7: a board page with a forged signature is refused (exit $r)" test "$r" = 1

# the export carries the latest head even when no head was signed yet:
# one more expert in the pool (no phase change, no receipt), then export
ebid_as registrar pool register-expert "$P" party=expert-x person=FC-P-4999 \
	name="Expert X" org="Test Org" specialty=civil-works >"$tmp/reg.out" 2>&1
check "7: one more entry in the pool" grep -q "registered" "$tmp/reg.out"
pn=$(psqlq -c "SELECT max(seq) FROM log WHERE aggregate = '$P'")
ps=$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate = '$P' AND seq = $pn")
check "7: (its entry $pn has no signed head yet: $ps)" test "$ps" = 0
check "7: the auditor exports the pool again" env EBID_URL="$URL" EBID_CA="$CA" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --pool "$P" -o "$tmp/p2.xml"
check "7: the export ends on a head signed at export" grep -q "<chain-head [^>]*seq=\"$pn\"" "$tmp/p2.xml"
check "7: ... and verifies" "$AUDIT" verify "$tmp/p2.xml" --ca "$CA"
ps=$(psqlq -c "SELECT count(*) FROM chain_heads_signed WHERE aggregate = '$P' AND seq = $pn")
check "7: ... and is kept for the board ($ps)" test "$ps" = 1

# -- 10: verify --jobs N (issue 17 point 3): the per-entry checks run on N
# threads ahead of the in-order replay; the output and the exit code are
# the same for every N, on logs that hold and on tampered ones --------------
# a command broken late in the sale's log: one base64 symbol of its last
# <command> changed (the chain names it; tests/integration/audit_tamper.c
# compares the threads on forgeries with the chain recomputed)
perl -0pe 's{(.*<command>[A-Za-z0-9+/]{300})([A-Za-z0-9+/])}{$1 . ($2 eq "A" ? "B" : "A")}se' \
	"$D/$S.log.xml" >"$tmp/sig.xml"
check "10: (the command tamper changed the log)" bash -c "! cmp -s '$D/$S.log.xml' '$tmp/sig.xml'"
for f in "$D/$T.log.xml" "$D/$S.log.xml" "$tmp/actor.xml" "$tmp/amount.xml" "$tmp/sig.xml" "$tmp/count.xml"; do
	n=$(basename "$f")
	"$AUDIT" verify "$f" --ca "$CA" --jobs 1 >"$tmp/j1.out" 2>&1; r1=$?
	"$AUDIT" verify "$f" --ca "$CA" --jobs 4 >"$tmp/j4.out" 2>&1; r4=$?
	case $f in "$D"/*) want=0 ;; *) want=1 ;; esac
	check "10: $n: --jobs 1 exits $want (exit $r1)" test "$r1" = "$want"
	check "10: $n: --jobs 4 exits as --jobs 1 (exit $r4)" test "$r4" = "$r1"
	check "10: $n: --jobs 4 prints exactly what --jobs 1 prints" cmp -s "$tmp/j1.out" "$tmp/j4.out" || diff "$tmp/j1.out" "$tmp/j4.out" | head -5 >&2
done
"$AUDIT" verify "$tmp/sig.xml" --ca "$CA" --jobs 4 >"$tmp/j4.out" 2>&1
check "10: the broken command's entry is named (--jobs 4)" grep -q "entry [0-9]* does not hold" "$tmp/j4.out"
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --jobs 0); check "10: --jobs 0: usage, exit 2 (exit $r)" test "$r" = 2
r=$(rc "$AUDIT" verify "$D/$T.log.xml" --ca "$CA" --jobs x); check "10: --jobs x: usage, exit 2 (exit $r)" test "$r" = 2


# -- 11: verify --db hashes each entry's events as the database holds them,
# once they are shown to be the canonical form of what they parse to
# (tools/audit_canon.h): the same content spelled otherwise in the row is
# refused, not trusted (issue 17, fifth pass) ------------------------------
check "11: the sale verifies from the database" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA"
sn=$(psqlq -c "SELECT max(seq) FROM log WHERE aggregate = '$S'")
k=$(( (sn + 1) / 2 ))
spell() { # spell FROM TO: entry k's stored events start with TO instead of FROM
	psqlq -c "ALTER TABLE log DISABLE TRIGGER ALL;
		UPDATE log SET events = convert_to('$2', 'UTF8') || substring(events from $((${#1} + 1)))
		WHERE aggregate = '$S' AND seq = $k AND substring(events from 1 for ${#1}) = convert_to('$1', 'UTF8');
		ALTER TABLE log ENABLE TRIGGER ALL;" >/dev/null
}
spell '<events ' '<events  '
check "11: (entry $k's stored events now start '<events  ')" test "$(psqlq -c "SELECT convert_from(substring(events from 1 for 9), 'UTF8') FROM log WHERE aggregate = '$S' AND seq = $k")" = '<events  '
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA")
check "11: the same events spelled otherwise in the database fail verify --db (exit $r)" test "$r" = 1
check "11: ... naming entry $k: its stored events are not canonical" grep -q "entry $k does not hold: its stored events are not the canonical form" "$tmp/rc.out"
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --jobs 1)
check "11: ... and so with --jobs 1 (exit $r)" test "$r" = 1
spell '<events  ' '<events '
check "11: the row put back verifies again" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA"

# -- 12: verify --db streams the log into the checks (issue 17, sixth
# pass): the stored events are parsed by the checking threads, the chain
# heads' signatures checked with the entries they name; a row whose events
# cannot be read, and a head whose signature was altered in the database,
# fail naming their entry, the same with one thread and with several ---
spell '<events ' '<events! '
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA")
check "12: entry $k's stored events unreadable: verify --db fails (exit $r)" test "$r" = 1
check "12: ... naming entry $k: its stored events cannot be read [bad-stored-events]" grep -q "entry $k does not hold: its stored events cannot be read \[bad-stored-events\]" "$tmp/rc.out"
cp "$tmp/rc.out" "$tmp/ev2.out"
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --jobs 1)
check "12: ... and the same verdict with --jobs 1 (exit $r)" cmp "$tmp/rc.out" "$tmp/ev2.out"
spell '<events! ' '<events '
check "12: the row put back verifies again" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA"
hs=$(psqlq -c "SELECT max(seq) FROM chain_heads_signed WHERE aggregate = '$S'")
check "12: (the sale has a signed chain head, at entry $hs)" test -n "$hs"
flip_head() { # flip_head: one byte near the end of the head's signature, XORed
	psqlq -c "ALTER TABLE chain_heads_signed DISABLE TRIGGER ALL;
		UPDATE chain_heads_signed SET signature = set_byte(signature, length(signature) - 5,
			get_byte(signature, length(signature) - 5) # 1)
		WHERE aggregate = '$S' AND seq = $hs;
		ALTER TABLE chain_heads_signed ENABLE TRIGGER ALL;" >/dev/null
}
flip_head
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA")
check "12: a head's signature altered in the database: verify --db fails (exit $r)" test "$r" = 1
check "12: ... naming the head's entry $hs" grep -q "entry $hs does not hold\|FAILED: sale $S, entry $hs " "$tmp/rc.out"
cp "$tmp/rc.out" "$tmp/hd2.out"
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --jobs 1)
check "12: ... and the same verdict with --jobs 1 (exit $r)" cmp "$tmp/rc.out" "$tmp/hd2.out"
flip_head
check "12: the head put back verifies again" "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA"

# -- 13: the streamed verify always ends (a run of entries the replay waited
# for could reach past the log's end, counted in before the feed said the
# entry was absent: the replay then slept for ever; 2 of 12 runs of the
# bench's 31,434-entry sale hung) ---
hung=0
for i in $(seq 1 40); do
	timeout 60 "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --jobs $((2 + i % 3)) >/dev/null 2>&1
	r=$?
	[ "$r" = 0 ] || { hung=$((hung + 1)); echo "run $i: exit $r" >&2; }
done
check "13: 40 runs of verify --db with 2 to 4 threads all end, exit 0 ($hung did not)" test "$hung" = 0

# -- 14: verify --db compiles the schema beside the first checks (issue 17,
# eighth pass): the checks that need it wait for it, a schema that does
# not compile is reported alone, first, as before; one that compiles but
# refuses the commands fails the first entry the same way on any number
# of threads ---
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --xsd "$tmp/none.xsd")
check "14: no schema: verify --db fails (exit $r)" test "$r" = 1
check "14: ... reporting the schema only" test "$(head -n 1 "$tmp/rc.out")" = "ebid-audit: cannot read the XML schema $tmp/none.xsd"
check "14: ... nothing of the log" sh -c "! grep -q 'FAILED\|entry\|OK:' '$tmp/rc.out'"
r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca /nonexistent.crt --xsd "$tmp/none.xsd")
check "14: no schema and no CA: the schema is reported (exit $r)" sh -c "test '$r' = 1 && grep -q 'cannot read the XML schema' '$tmp/rc.out' && ! grep -q 'CA' '$tmp/rc.out'"
cat >"$tmp/other.xsd" <<'XSD'
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ebid:1" elementFormDefault="qualified"><xs:element name="nothing-here"/></xs:schema>
XSD
for j in 1 2 4; do
	r=$(rc "$AUDIT" verify --db "$DB" --sale "$S" --ca "$CA" --xsd "$tmp/other.xsd" --jobs $j)
	cp "$tmp/rc.out" "$tmp/other$j.out"
	check "14: a schema refusing every command: --jobs $j fails (exit $r)" test "$r" = 1
done
check "14: ... naming entry 1's command" grep -q "entry 1 does not hold: its command is not a valid document" "$tmp/other1.out"
check "14: ... the same output on 1, 2 and 4 threads" sh -c "cmp -s '$tmp/other1.out' '$tmp/other2.out' && cmp -s '$tmp/other1.out' '$tmp/other4.out'"

finish

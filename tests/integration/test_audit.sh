#!/usr/bin/env bash
# tests/integration/test_audit.sh
#    The auditor's promise (issue 13), on the demo's real logs: tools/demo.sh
#    runs against a real ebidd and PostgreSQL, its tender, expert pool and
#    sale logs are exported, then ebid-audit is held to what docs/audit.md
#    promises.
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port) PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup

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
check "1: the sale's timeline shows bidding numbers and amounts" grep -qE "sale-quote-accepted: number=1 amount=6,050,000\.00" "$tmp/s.txt"
check "1: the sale's timeline shows the deposits" grep -qE "sale-deposit-confirmed: bidder=buyer1 number=1 amount=" "$tmp/s.txt"

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

finish

#!/usr/bin/env bash
# tests/integration/test_ocds.sh
#    OCDS 1.1.5 open data (tools/ocds.c, docs/ocds.md) from the logs of a
#    whole tender and the case-study sale run through the real ebidd and
#    the real ebid, exported with an auditor's certificate and turned into
#    release and record packages by `ebid-audit export --ocds`:
#      at every phase (bidding, after the deadline, opened, evaluated,
#      under publicity, awarded; the sale once closed) every release
#      package, every record package, every release in them and the
#      compiled release validate against the standard's schemas (draft 4,
#      Debian's python3-jsonschema; tests/data/ocds/) and codelists;
#      nothing private appears: no person id or certificate name ever, no
#      officer, custodian or sale party, no bid content, no expert before
#      the result, no bidder before the opening (the public board's rules,
#      docs/board.md); before the deadline the open data is the same bytes
#      with no bid as with five sealed bids;
#      the stages: a tender release at the announcement, the opening's
#      tenderers with their prices, a pending award under publicity, the
#      active award and a contract; the sale's price reached, unnamed;
#      a tampered log gives no open data (exit 1); the pool's log none;
#      the public board serves the same packages, byte for byte, under
#      /public/ocds/ID/releases.json and record.json (engine/server/
#      board_ocds.c), as JSON, 404 before the announcement and for the pool.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
BPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages
public_burst = 1000
public_rate = 1000"
it_setup
B=http://127.0.0.1:$BPORT/public/ocds
. "$SRC/tools/lib/tender.sh"
export EBID_CERTS=$C
PY=/usr/bin/python3
$PY -c 'import jsonschema' 2>/dev/null || { bad "python3-jsonschema is missing (tools/packages.txt)"; finish; }

# -- what must never be published (as tests/integration/test_board.sh) --------
field() { openssl x509 -in "$C/$1.crt" -noout -subject -nameopt multiline | sed -n "s/^ *$2 *= *//p"; }
PARTIES=$(sed -e '/^#/d' -e 's/ .*//' "$C/parties.txt")
ALWAYS=()
for p in $PARTIES; do
	ALWAYS+=("$(field "$p" serialNumber)")
	case $p in expert*) ;; *) ALWAYS+=("$(field "$p" commonName)");; esac
done
for p in registrar supervisor verifier auditor custodian1 custodian2 custodian3 transferor buyer1 buyer2; do
	ALWAYS+=("\"$p\"")
done
ALWAYS+=("施工组织设计" "投标保证金人民币" "挖沟槽土方" "Construction organization design" "registered constructor")
EXPERTS=()
for i in 1 2 3 4 5 6 7 8 9; do EXPERTS+=("expert$i" "$(field "expert$i" commonName)"); done
BIDDERS=()
for i in 1 2 3 4 5; do BIDDERS+=("bidder$i" "$(field "bidder$i" organizationName)"); done
SALE_PARTIES=()
for p in buyer1 buyer2 bidder1 transferor; do SALE_PARTIES+=("$p" "$(field "$p" organizationName)" "$(field "$p" commonName)"); done

# ocds NAME ID FORBIDDEN...: export ID's log, make its open data in
# $tmp/ocds-NAME/, validate it and look for the forbidden strings
ocds() {
	local name=$1 id=$2 dir=$tmp/ocds-$1 out
	shift 2
	mkdir -p "$dir"
	if ! "$AUDIT" export --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" \
		--tender "$id" -o "$dir/$id.log.xml" >"$dir/export.out" 2>&1; then
		bad "$name: export of $id"; cat "$dir/export.out"; return
	fi
	if ! "$AUDIT" export --ocds "$dir/$id.log.xml" --ca "$C/ca.crt" -o "$dir" >"$dir/ocds.out" 2>&1; then
		bad "$name: ebid-audit export --ocds"; cat "$dir/ocds.out"; return
	fi
	printf '%s\n' "$@" >"$dir/forbidden"
	$PY "$SRC/tests/integration/ocds_validate.py" "$SRC/tests/data/ocds" "$dir/forbidden" \
		"$dir/$id.releases.json" "$dir/$id.record.json" >"$dir/validate.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "$name: ${line#ok   }" ;;
		"FAIL "*) bad "$name: ${line#FAIL }" ;;
		*) say "   $line" ;;
		esac
	done <"$dir/validate.out"
	grep -q '^ok   ' "$dir/validate.out" || { bad "$name: the validator checked nothing"; cat "$dir/validate.out"; }
	# the board: the same bytes from ebidd's own log
	local k st
	for k in releases record; do
		st=$(curl -s -o "$dir/board.$k.json" -D "$dir/board.$k.headers" -w '%{http_code}' "$B/$id/$k.json")
		check "$name: the board serves /public/ocds/$id/$k.json ($st)" test "$st" = 200
		check "$name: the board's $k package is ebid-audit's, byte for byte" cmp "$dir/board.$k.json" "$dir/$id.$k.json"
	done
	check "$name: served as JSON" grep -qi '^Content-Type: application/json' "$dir/board.releases.headers"
}
# jq-less reading of a package: python prints the value of an expression on R (the last release)
last() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); R=d['releases'][-1]; print($2)" "$1"; }

# -- a tender -----------------------------------------------------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
check "registrar accepts" ebid_as registrar tender accept "$T"
"$AUDIT" export --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" --tender "$T" -o "$tmp/unannounced.log.xml" >/dev/null 2>&1
out=$("$AUDIT" export --ocds "$tmp/unannounced.log.xml" --ca "$C/ca.crt" -o "$tmp" 2>&1)
check "an unannounced tender has no open data" grep -q "no public step" <<<"$out"
check "and nothing is written" test ! -e "$tmp/$T.releases.json"
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/$T/releases.json")
check "the board has no open data of an unannounced tender ($st)" test "$st" = 404
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/$T/other.json")
check "an unknown package name is 404 ($st)" test "$st" = 404
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/..%2F$T/releases.json")
check "a malformed id is 404 ($st)" test "$st" = 404
check "supervisor publishes" ebid_as supervisor tender publish "$T" --text "Feicheng pipeline renewal: bids until $deadline."
check "bidding" wait_state tender "$T" bidding
ocds bidding "$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
R=$tmp/ocds-bidding/$T.releases.json
check "one release, tagged tender" test "$(last "$R" "len(d['releases']), R['tag']")" = "1 ['tender']"
check "the ocid is the prefix and the id" test "$(last "$R" "R['ocid']")" = "ocds-ebid00-$T"
check "the ceiling price in yuan, CNY" test "$(last "$R" "R['tender']['value']")" = "{'amount': 6000000.0, 'currency': 'CNY'}"
check "the documents by hash" grep -q '"id":"5d1f0d6a3c0e8b7e2f1a4c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f"' "$R"
check "the buyer by its organisation" test "$(last "$R" "[p['roles'] for p in R['parties'] if p['id']=='buyer']")" = "[['buyer']]"
for i in 1 2 3 4 5; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null && ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null || bad "sign-up bidder$i"
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
	ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/bid$i.sealed" >/dev/null &&
		ebid_as "bidder$i" bid submit --tender "$T" "$tmp/bid$i.sealed" -o "$tmp/bid$i.receipt" >/dev/null || bad "bid of bidder$i"
done
ocds bidding5 "$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
check "before the deadline the release package is the same bytes with five bids as with none" \
	cmp "$tmp/ocds-bidding/$T.releases.json" "$tmp/ocds-bidding5/$T.releases.json"
check "and the record package too" cmp "$tmp/ocds-bidding/$T.record.json" "$tmp/ocds-bidding5/$T.record.json"

clock_to "$deadline"
check "awaiting opening" wait_state tender "$T" awaiting-opening
ocds deadline "$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
check "after the deadline the number of bids is public" test "$(last "$tmp/ocds-deadline/$T.releases.json" "R['tender']['numberOfTenderers']")" = 5
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
check "opened and cleared" wait_state tender "$T" cleared
ocds opened "$T" "${ALWAYS[@]}" "${EXPERTS[@]}"
check "after the opening the tenderers are public" test "$(last "$tmp/ocds-opened/$T.releases.json" "len(R['tender']['tenderers'])")" = 5

check "the committee is drawn, scores and signs" evaluate "$T" "$tmp"
ocds evaluated "$T" "${ALWAYS[@]}" "${EXPERTS[@]}"
check "supervisor publishes the candidates" ebid_as supervisor tender publish-candidates "$T"
WINNER=$(first_candidate "$T")
ocds publicity "$T" "${ALWAYS[@]}"
R=$tmp/ocds-publicity/$T.releases.json
check "under publicity: a pending award to the first candidate" test "$(last "$R" "R['tag'], R['awards'][0]['status'], R['awards'][0]['suppliers'][0]['id']")" = "['award'] pending $WINNER"
clock_to "$(publicity_end "$T")"
check "publicity over" wait_state tender "$T" publicity-over
check "verifier verifies" ebid_as verifier tender verify-process "$T"
check "award issued" ebid_as verifier tender issue-award "$T" bidder="$WINNER" --justification "Ranked first."
ocds awarded "$T" "${ALWAYS[@]}"
R=$tmp/ocds-awarded/$T.releases.json
check "awarded: the award is active" test "$(last "$R" "R['awards'][0]['status'], R['tender']['status']")" = "active complete"
check "a contract with the awarded bidder" test "$(last "$R" "R['tag'], R['contracts'][0]['status']")" = "['contract'] pending"
check "the winner's price in yuan" test "$(last "$R" "R['awards'][0]['value']['amount'] > 0")" = True
check "releases: tender, updates, award, contract" \
	test "$($PY -c "import json,sys; print(' '.join(r['tag'][0] for r in json.load(open(sys.argv[1]))['releases']))" "$R")" = \
	"tender tenderUpdate tenderUpdate award contract"
REC=$tmp/ocds-awarded/$T.record.json
check "the record's compiled release is the last release's content" $PY -c "
import json,sys
rec=json.load(open(sys.argv[1]))['records'][0]; c=rec['compiledRelease']; l=rec['releases'][-1]
assert c['tag']==['compiled'] and all(c[k]==l[k] for k in l if k not in ('id','tag'))" "$REC"

# -- tampering: a changed byte gives no open data -------------------------------
L=$tmp/ocds-awarded/$T.log.xml
sed '0,/Ranked first\./s//Ranked last./' "$L" >"$tmp/tampered.log.xml"
check "the tampered copy differs" bash -c "! cmp -s '$L' '$tmp/tampered.log.xml'"
mkdir -p "$tmp/tampered"
"$AUDIT" export --ocds "$tmp/tampered.log.xml" --ca "$C/ca.crt" -o "$tmp/tampered" >"$tmp/tampered.out" 2>&1
rc=$?
check "a tampered log is refused (exit $rc)" test "$rc" = 1
check "and gives no open data" test -z "$(ls "$tmp/tampered")"

# -- the pool's log is not open data -------------------------------------------
P=$(pool_of "$T")
"$AUDIT" export --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" --pool "$P" -o "$tmp/pool.log.xml" >/dev/null 2>&1
refused "the pool's log gives no open data" "$AUDIT" export --ocds "$tmp/pool.log.xml" --ca "$C/ca.crt" -o "$tmp"
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/$P/releases.json")
check "nor on the board ($st)" test "$st" = 404

# -- the case-study sale ---------------------------------------------------------
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_BUILD=$BUILD SALE_QUIET=1
if SALE_ID_FILE=$tmp/sale.id "$SRC/tools/sale-script" "$SRC/tests/data/sale/case-study.txt" >"$tmp/sale.out" 2>&1; then
	ok "the case-study sale ran"
else
	cat "$tmp/sale.out"; bad "the case-study sale"
fi
. "$tmp/sale.id"
ocds sale "$sale" "${ALWAYS[@]}" "${SALE_PARTIES[@]}"
R=$tmp/ocds-sale/$sale.releases.json
check "the sale's price reached, 9,400,000.00 CNY" test "$(last "$R" "R['awards'][0]['value']")" = "{'amount': 9400000.0, 'currency': 'CNY'}"
check "the sale's award names no supplier" test "$(last "$R" "'suppliers' in R['awards'][0]")" = False
check "the sale has no buyer party" test "$(last "$R" "[p['id'] for p in R['parties']]")" = "['centre']"

finish

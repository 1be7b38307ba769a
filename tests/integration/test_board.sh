#!/usr/bin/env bash
# tests/integration/test_board.sh
#    The public board (engine/server/board.c) of a real ebidd, read with a
#    plain HTTP client (no certificate) while a whole tender and a sale run
#    through the real `ebid`:
#      every page is walked at every phase and fails on anything the public
#      may not read there: a person id, a certificate's name (CN), the id of
#      an officer, a custodian or an expert (experts: until the result is
#      published), a bidder's id or organisation before the opening, the
#      content of any bid, and any party of a sale;
#      before the bid deadline the tender's pages and the list are the same
#      bytes with no bidder and with five signed-up bidders and five sealed
#      bids (not even a count shows, 招标投标法 Art. 22);
#      the pages show what they must (announcement, opening record, the
#      candidates with the objection deadline, the award, the sale's price
#      and bidding numbers, the signed heads with signatures that verify
#      with the server's certificate);
#      GET only, no client certificate asked, cache and CSP headers, 404s,
#      the per-address rate limit (429), English with ?lang=en.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
BPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="public_listen = 127.0.0.1:$BPORT
pages_dir = $SRC/engine/server/pages
public_rate = 5
public_burst = 100"
it_setup
B=http://127.0.0.1:$BPORT
. "$SRC/tools/lib/tender.sh"
export EBID_CERTS=$C

# -- what must never be shown ------------------------------------------------
cn() { openssl x509 -in "$C/$1.crt" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p'; }
org() { openssl x509 -in "$C/$1.crt" -noout -subject -nameopt multiline | sed -n 's/^ *organizationName *= *//p'; }
person() { openssl x509 -in "$C/$1.crt" -noout -subject -nameopt multiline | sed -n 's/^ *serialNumber *= *//p'; }
PARTIES=$(sed -e '/^#/d' -e 's/ .*//' "$C/parties.txt")
ALWAYS=()      # never on any page
for p in $PARTIES; do
	ALWAYS+=("$(person "$p")")
	case $p in expert*) ;; *) ALWAYS+=("$(cn "$p")");; esac
done
for p in registrar supervisor verifier auditor custodian1 custodian2 custodian3 transferor buyer1 buyer2; do
	ALWAYS+=("$p")
done
# bid content: text from inside the sealed bids (sections, declarations, lines)
ALWAYS+=("施工组织设计" "投标保证金人民币" "挖沟槽土方" "Construction organization design" "registered constructor")
EXPERTS=()     # until the result is published
for i in 1 2 3 4 5 6 7 8 9; do EXPERTS+=("expert$i" "$(cn "expert$i")"); done
BIDDERS=()     # until the opening
for i in 1 2 3 4 5; do BIDDERS+=("bidder$i" "$(org "bidder$i")"); done
SALE_PARTIES=()   # never on a sale's page
for p in buyer1 buyer2 bidder1 transferor; do SALE_PARTIES+=("$p" "$(org "$p")" "$(cn "$p")"); done

# fetch NAME PATH: GET PATH into $tmp/page (status in $status)
fetch() {
	status=$(curl -s -o "$tmp/page" -D "$tmp/headers" -w '%{http_code}' "$B$1")
}
# public NAME PATH FORBIDDEN...: PATH answers 200 and shows none of FORBIDDEN
public() {
	local name=$1 path=$2 f found=""
	shift 2
	fetch "$path"
	if [ "$status" != 200 ]; then bad "$name: $path answered $status"; return; fi
	[ -z "${BOARD_DUMP:-}" ] || cp "$tmp/page" "$BOARD_DUMP/$(tr -c 'a-zA-Z0-9\n' '_' <<<"$name").html"
	for f in "$@"; do
		[ -n "$f" ] || continue
		if grep -qwF -- "$f" "$tmp/page"; then found+="[$f] "; fi
	done
	if [ -n "$found" ]; then bad "$name: $path shows $found"; else ok "$name: $path shows nothing private"; fi
}
# shows NAME TEXT: the last page fetched holds TEXT
shows() { if grep -qF -- "$2" "$tmp/page"; then ok "$1"; else bad "$1 (no '$2' in $(head -c 300 "$tmp/page"))"; fi; }

# -- the listener ------------------------------------------------------------
fetch /
check "the board answers without a client certificate" test "$status" = 200
shows "the list says no tender yet" "暂无"
check "pages are HTML" grep -qi '^Content-Type: text/html; charset=utf-8' "$tmp/headers"
check "pages carry a Cache-Control" grep -qi '^Cache-Control: public, max-age=' "$tmp/headers"
check "pages carry a strict CSP" grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$tmp/headers"
check "pages carry nosniff" grep -qi '^X-Content-Type-Options: nosniff' "$tmp/headers"
check "the page declares its language" grep -q '<html lang="zh-CN"' "$tmp/page"
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/")
check "POST is refused ($st)" test "$st" = 501
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "$B/")
check "POST with a body is refused ($st)" test "$st" = 413
st=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$B/")
check "DELETE is refused ($st)" test "$st" = 501
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/v1/commands")
check "the API is not on the board (404)" test "$st" = 404
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/tenders/..%2Fetc")
check "a malformed id is 404" test "$st" = 404
st=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/v1/health")
check "the API still asks for a certificate" test "$st" != 200
fetch /static/board.js
check "the script is served with a long cache" grep -qi '^Cache-Control: public, max-age=3600' "$tmp/headers"

# -- a tender: registration (not on the board yet) ---------------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/tenders/$T")
check "a registered tender is not on the board (404)" test "$st" = 404
check "registrar accepts" ebid_as registrar tender accept "$T"
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/tenders/$T")
check "an accepted, unannounced tender is not on the board (404)" test "$st" = 404
check "supervisor publishes" ebid_as supervisor tender publish "$T" --text "Feicheng pipeline renewal: bids until $deadline."
check "bidding" wait_state tender "$T" bidding

# -- bidding: nothing about who or how many ------------------------------------
public "bidding, tender page" "/tenders/$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
shows "the page shows the title" "肥城市供水管网改造工程一标段"
shows "the page shows the ceiling price in yuan" "6,000,000.00"
shows "and in capital numerals (人民币大写)" "人民币陆佰万元整"
bj=$(date -u -d "@$(( $(date -u -d "$deadline" +%s) + 8 * 3600 ))" '+%Y-%m-%d %H:%M:%S')
shows "the deadline in Beijing time ($deadline = $bj 北京时间)" "$bj 北京时间"
check "the exact instant stays in the page (datetime=)" grep -qF "datetime=\"$deadline\"" "$tmp/page"
check "no time in UTC on the Chinese page" test "$(grep -c ' UTC<' "$tmp/page")" = 0
shows "the page shows the announcement" "Feicheng pipeline renewal: bids until"
shows "the page shows the documents' hashes" "5d1f0d6a3c0e8b7e2f1a4c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f"
cp "$tmp/page" "$tmp/tender-before"
fetch "/"
cp "$tmp/page" "$tmp/list-before"
shows "the list shows the tender" "$T"
fetch "/heads"
cp "$tmp/page" "$tmp/heads-before"
# bidder5 acts for a registered trading subject (docs/registries.md): the
# board names it by the subject's registered name, not its certificate's O
SUBJECT_NAME="聊城市水利工程集团有限公司"
cat >"$tmp/subject.xml" <<EOF
<register-subject xmlns="urn:ebid:1" code="91370983MA3C000012" name="$SUBJECT_NAME" kind="bidder">
  <representative person="$(person bidder5)" party="bidder5" scope="tender" from="$(iso_plus "$now" -86400)" to="$(iso_plus "$now" $((365 * 86400)))"/>
</register-subject>
EOF
SUBJ=$(ebid_as registrar subject register "$tmp/subject.xml" | grep -o 'O-[0-9]*-[0-9]*' | head -1)
check "a trading subject registered for bidder5 ($SUBJ)" test -n "$SUBJ"
for i in 1 2 3 4 5; do
	sub=()
	[ "$i" = 5 ] && sub=(subject="$SUBJ")
	ebid_as "bidder$i" tender sign-up "$T" "${sub[@]}" >/dev/null && ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null || bad "sign-up bidder$i"
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
	ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/bid$i.sealed" "${sub[@]}" >/dev/null &&
		ebid_as "bidder$i" bid submit --tender "$T" "$tmp/bid$i.sealed" -o "$tmp/bid$i.receipt" >/dev/null || bad "bid of bidder$i"
done
public "bidding with five bids, tender page" "/tenders/$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
check "before the deadline the tender page is the same with five bids as with none" cmp -s "$tmp/page" "$tmp/tender-before"
fetch "/"
check "before the deadline the list is the same with five bids as with none" cmp -s "$tmp/page" "$tmp/list-before"
fetch "/heads"
check "before the deadline the signed heads are the same with five bids as with none" cmp -s "$tmp/page" "$tmp/heads-before"
public "bidding, English page" "/tenders/$T?lang=en" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
shows "English with ?lang=en" "Ceiling price"
shows "the English page keeps UTC, labelled" "$(date -u -d "$deadline" '+%Y-%m-%d %H:%M:%S') UTC"
check "the English page declares its language" grep -q '<html lang="en"' "$tmp/page"

# -- the deadline and the opening -----------------------------------------------
clock_to "$deadline"
check "awaiting opening" wait_state tender "$T" awaiting-opening
public "awaiting the opening" "/tenders/$T" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
check "opened and cleared" wait_state tender "$T" cleared
public "after the opening" "/tenders/$T" "${ALWAYS[@]}" "${EXPERTS[@]}"
shows "the opening record is public" "开标记录"
shows "a bid's total price is read out" "5,703,680.00"
shows "and read out in capital numerals (人民币大写, protocol/pagefn.c)" "人民币伍佰柒拾万零叁仟陆佰捌拾元整"
check "every opened bid is in the opening record" test "$(grep -o '已开启' "$tmp/page" | wc -l)" -ge 3
shows "the opening record names each bidder by its organisation (bidder1: $(org bidder1))" "$(org bidder1)"
shows "a bidder acting for a registered trading subject by the subject's registered name" "$SUBJECT_NAME"
check "not by its certificate's organisation ($(org bidder5))" test "$(grep -cF "$(org bidder5)" "$tmp/page")" = 0
# bidder4's total is above the ceiling: clearing finds it invalid, and
# the public learns so only with the candidates (实施条例 Art. 54)
check "before the candidates' publicity no rejected bids on the page" test "$(grep -c 'id="rejected-bids"\|否决投标情况' "$tmp/page")" = 0
ebid_as transferor tender show "$T" >"$tmp/view" 2>&1
check "nor in the public view (transferor: no role in the tender)" test "$(grep -c 'rejected-bids' "$tmp/view")" = 0

# -- evaluation: the committee stays hidden ---------------------------------------
check "the committee is drawn, scores and signs" evaluate "$T" "$tmp"
public "evaluated" "/tenders/$T" "${ALWAYS[@]}" "${EXPERTS[@]}"
check "evaluated: still no rejected bids on the page" test "$(grep -c 'id="rejected-bids"\|否决投标情况' "$tmp/page")" = 0
ebid_as transferor tender show "$T" >"$tmp/view" 2>&1
check "evaluated: nor in the public view" test "$(grep -c 'rejected-bids' "$tmp/view")" = 0
ebid_as supervisor tender show "$T" >"$tmp/view" 2>&1
check "the officers see the rejected bids before" bash -c "grep -o '<rejected [^>]*>' '$tmp/view' | grep 'bidder=\"bidder4\"' | grep 'stage=\"clearing\"' | grep -q 'rule=\"ceiling-price\"'"
public "evaluated, list" "/" "${ALWAYS[@]}" "${EXPERTS[@]}"

# -- publicity, award -------------------------------------------------------------
check "supervisor publishes the candidates" ebid_as supervisor tender publish-candidates "$T"
public "under publicity" "/tenders/$T" "${ALWAYS[@]}"
shows "the candidates are public" "中标候选人公示"
shows "with the objection deadline" "$(publicity_end "$T" | cut -c1-10)"
shows "the rejected bids are public with the candidates" "否决投标情况"
tr -d '\n' <"$tmp/page" | grep -o 'id="rejected-bids".*' | sed 's#</section>.*##' >"$tmp/rejected"
check "bidder4 is listed as rejected, by its organisation ($(org bidder4))" grep -qF "title=\"bidder4\">$(org bidder4)</span>" "$tmp/rejected"
check "with the ground in Chinese and its token (超过最高投标限价, ceiling-price)" grep -qF '超过最高投标限价 <small class="token">(ceiling-price)</small>' "$tmp/rejected"
check "a missing item the tender names is quoted as its identifier after the Chinese label (缺少章节「…」)" grep -qE '缺少(章节|资格声明|文件)「<code class="item">[^<]+</code>」' "$tmp/rejected"
check "at clearing (清标)" grep -qF '<td>清标</td>' "$tmp/rejected"
check "and no valid bid listed as rejected (bidder1)" test "$(grep -c 'title="bidder1"' "$tmp/rejected")" = 0
ebid_as transferor tender show "$T" >"$tmp/view" 2>&1
check "the public view carries it (validated like every reply)" bash -c "grep -o '<rejected [^>]*>' '$tmp/view' | grep 'bidder=\"bidder4\"' | grep 'stage=\"clearing\"' | grep -q 'rule=\"ceiling-price\"'"
check "and no figure of the bid (corrected total, excess)" test "$(grep -o '<rejected [^>]*>' "$tmp/view" | grep -c 'excess\|corrected\|total')" = 0
public "under publicity, English" "/tenders/$T?lang=en" "${ALWAYS[@]}"
shows "in English too" "above the ceiling price"
WINNER=$(first_candidate "$T")
clock_to "$(publicity_end "$T")"
check "publicity over" wait_state tender "$T" publicity-over
check "verifier verifies" ebid_as verifier tender verify-process "$T"
check "award issued" ebid_as verifier tender issue-award "$T" bidder="$WINNER" --justification "Ranked first."
public "awarded" "/tenders/$T" "${ALWAYS[@]}"
shows "the award names the winner" "$WINNER"
if [ "$WINNER" = bidder5 ]; then wname=$SUBJECT_NAME; else wname=$(org "$WINNER"); fi
check "by its organisation's name ($wname)" grep -qF "<strong><span class=\"bidder\" title=\"$WINNER\">$wname</span></strong>" "$tmp/page"
public "awarded, English" "/tenders/$T?lang=en" "${ALWAYS[@]}"

# -- signed heads ----------------------------------------------------------------
public "the signed heads" "/heads" "${ALWAYS[@]}" "${EXPERTS[@]}" "${BIDDERS[@]}"
shows "the tender's heads are listed once the deadline passed" "$T"
public "the tender's heads with signatures" "/heads/$T" "${ALWAYS[@]}"
perl -0777 -ne 'print $1 if m{<pre>([^<]*)</pre>}' "$tmp/page" | base64 -d >"$tmp/head.der" 2>/dev/null
openssl x509 -in "$C/server.crt" -out "$tmp/server.pem"
check "a published head's signature verifies with the server's certificate" \
	openssl cms -verify -binary -inform DER -in "$tmp/head.der" -CAfile "$C/ca.crt" -purpose any -out "$tmp/head.txt"
check "the signed text names the tender" grep -q "ebid-chain-head:$T:" "$tmp/head.txt"

# -- a sale: bidding numbers only --------------------------------------------------
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_BUILD=$BUILD SALE_QUIET=1
if SALE_ID_FILE=$tmp/sale.id "$SRC/tools/sale-script" "$SRC/tests/data/sale/case-study.txt" >"$tmp/sale.out" 2>&1; then
	ok "the case-study sale ran"
else
	cat "$tmp/sale.out"; bad "the case-study sale"
fi
. "$tmp/sale.id"
public "the sale's board" "/sales/$sale" "${ALWAYS[@]}" "${SALE_PARTIES[@]}"
shows "the final price" "9,400,000.00"
shows "bidding numbers" "竞买号"
shows "the live script" 'src="/static/board.js"'
public "the sale's board in English" "/sales/$sale?lang=en" "${ALWAYS[@]}" "${SALE_PARTIES[@]}"
public "the list with the sale" "/" "${ALWAYS[@]}" "${SALE_PARTIES[@]}"
shows "the list shows the sale" "$sale"
w=$(curl -s --max-time 5 "$B/sales/$sale/watch?after=0")
check "the sale's watch answers on the board" grep -q '<entry ' <<<"$w"
check "the watch carries prices" grep -q 'price="940000000"' <<<"$w"
found=""
for f in "${ALWAYS[@]}" "${SALE_PARTIES[@]}"; do grep -qwF -- "$f" <<<"$w" && found+="[$f] "; done
check "the watch names no party ($found)" test -z "$found"

# -- the same pages in a real browser (tests/browser/board.mjs) -----------------
# Headless Chromium: what a person's browser shows, the accessibility basics,
# no CSP violation, screenshots in var/screens/.  Needs `chromium` and
# tests/browser/node_modules (tools/dev test installs both; EB_BROWSER=1,
# which it sets, makes their absence a failure).
browser() { # browser FORBIDDEN-ARRAY-NAME NAME=PATH...
	local -n list=$1
	shift
	printf '%s\n' "${list[@]}" >"$tmp/forbidden"
	BOARD_URL=$B PAGES="$*" FORBIDDEN_FILE=$tmp/forbidden SCREENS=$SRC/var/screens \
		node "$SRC/tests/browser/board.mjs" >"$tmp/browser.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "chromium: ${line#ok   }" ;;
		"FAIL "*) bad "chromium: ${line#FAIL }" ;;
		*) say "   $line" ;;
		esac
	done <"$tmp/browser.out"
	grep -q '^ok   ' "$tmp/browser.out" || bad "chromium: the browser test ran nothing"
}
if [ -d "$SRC/tests/browser/node_modules/puppeteer-core" ] && command -v chromium >/dev/null; then
	TENDER_FORBIDDEN=("${ALWAYS[@]}")
	SALE_FORBIDDEN=("${ALWAYS[@]}" "${SALE_PARTIES[@]}")
	browser TENDER_FORBIDDEN board-list=/ board-tender=/tenders/$T board-tender-en=/tenders/$T?lang=en \
		board-heads=/heads board-heads-tender=/heads/$T
	browser SALE_FORBIDDEN board-sale=/sales/$sale board-sale-en=/sales/$sale?lang=en
elif [ "${EB_BROWSER:-0}" = 1 ]; then
	bad "chromium or tests/browser/node_modules is missing (tools/dev test installs them)"
else
	say "skip: no chromium or tests/browser/node_modules: the browser walk did not run"
fi

# -- rate limit ----------------------------------------------------------------
codes=$(for _ in $(seq 1 200); do curl -s -o /dev/null -w '%{http_code}\n' "$B/static/board.css"; done | sort | uniq -c)
check "past the burst an address gets 429 ($(echo $codes))" grep -q ' 429$' <<<"$codes"
fetch /static/board.css
[ "$status" = 429 ] && check "a 429 says when to retry" grep -qi '^Retry-After: 1' "$tmp/headers"
sleep 1
st=$(curl -s -o /dev/null -w '%{http_code}' "$B/static/board.css")
check "after a second the address is served again" test "$st" = 200

finish

#!/usr/bin/env bash
# tests/integration/test_console.sh
#    `ebid console` (tools/console.c), the party's own desk in a browser,
#    against a real ebidd on the driven clock.  The tender is driven with
#    the real `ebid` to the committee's draw (as tools/demo.sh does), then:
#      the console's guards, with curl: no token, a wrong token, no
#      cookie, a wrong Host (DNS rebinding), a foreign Origin on a POST
#      are refused; the token sets an HttpOnly SameSite=Strict cookie and
#      redirects to a clean URL; the CSP header; 127.0.0.1 only;
#      in headless Chromium (tests/browser/console.mjs): every expert of
#      the committee accepts the appointment, scores every valid bid on
#      the form built from the rules, and (after the supervisor closes the
#      evaluation with the CLI) signs the committee report, the first with
#      a dissent; a score off the criterion's step is refused in the form
#      with the server's own message; a refused action (a second
#      acceptance) shows the server's message and hint.
#      Then, with the CLI: the result is signed by all, the supervisor
#      publishes the candidates, the tender is in publicity.
#    The agencies' ratings on the pool desk, with curl: a tender naming
#      an agency; the tenderer's desk shows the agency criteria (Chinese
#      labels) and the agency rating form, a bidder's no form; a rating of
#      an open tender and a second rating show ebidd's refusal; once the
#      tender is cancelled the tenderer and the supervisor rate the agency
#      from the desk; the supervisor's desk and the agency representative's
#      show both ratings (role, score, criteria, the year's summary), a
#      bidder's none.
#    Screenshots: var/screens/console-*.png.  EB_BROWSER=1 (tools/dev
#    test) makes a missing chromium or puppeteer-core a failure.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
. "$SRC/tools/lib/tender.sh"
export EBID_CERTS=$C

# -- a tender driven with the CLI to the committee's draw ---------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
check "registrar accepts" ebid_as registrar tender accept "$T"
check "supervisor publishes" ebid_as supervisor tender publish "$T" --text "Bids until $deadline."
check "bidding" wait_state tender "$T" bidding
for i in 1 2 3 4 5; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null && ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null || bad "sign-up bidder$i"
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
	ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/bid$i.sealed" >/dev/null &&
		ebid_as "bidder$i" bid submit --tender "$T" "$tmp/bid$i.sealed" -o "$tmp/bid$i.receipt" >/dev/null || bad "bid of bidder$i"
done
clock_to "$deadline"
check "awaiting opening" wait_state tender "$T" awaiting-opening
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
check "opened and cleared" wait_state tender "$T" cleared
draw() { # the supervisor's committed draw (as tools/lib/tender.sh evaluate)
	local t=$1 pool secret commit
	pool=$(pool_register) || return 1
	secret="draw-$t-$(date +%s%N)"
	commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	printf '<request-draw xmlns="urn:ebid:1" tender="%s" recent-days="365" max-recent="3"><commitment>%s</commitment><seats specialty="civil-works" count="4" reserve="1"/><seats specialty="electrical" count="1" reserve="1"/></request-draw>\n' "$t" "$commit" >"$tmp/request-draw.xml"
	ebid_as supervisor tender request-draw "$t" "$tmp/request-draw.xml" || return 1
	ebid_as supervisor pool show "$pool" >"$tmp/pool.xml" || return 1
	{
		printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$t" "$secret"
		sed -n '/<pool/,$p' "$tmp/pool.xml" | sed 's/ xmlns="urn:ebid:1"//'
		printf '</draw-experts>\n'
	} >"$tmp/draw-experts.xml"
	ebid_as supervisor tender draw-experts "$t" "$tmp/draw-experts.xml"
}
check "the committee is drawn" draw "$T"
COMMITTEE=$(committee "$T")
check "five experts sit ($(echo $COMMITTEE))" test "$(wc -w <<<"$COMMITTEE")" = 5

# -- consoles --------------------------------------------------------------------
# console PARTY: start `ebid console` as PARTY on a free port; sets CURL_OF
# (the printed one-time URL) and adds its pid to extra_pids (lib.sh stops it)
console() {
	local who=$1 out=$tmp/console-$1-$RANDOM.out u=""
	# ebid itself in the background (not the ebid_as function's subshell):
	# $! is then the console's pid, and finish stops it
	"$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" \
		console --port 0 >"$out" 2>&1 &
	extra_pids+=" $!"
	for _ in $(seq 1 50); do
		u=$(sed -n 's/^open: //p' "$out")
		[ -n "$u" ] && break
		sleep 0.1
	done
	CURL_OF=$u
	[ -n "$u" ] || { cat "$out"; return 1; }
}

# -- the guards, with curl, on a console of the supervisor ------------------------
console supervisor || bad "the supervisor's console starts"
G=$CURL_OF
check "the console prints a URL on 127.0.0.1 with a 64-hex token" grep -Eq '^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{64}$' <<<"$G"
GB=${G%%/\?*}
GP=${GB##*:}
check "it listens on 127.0.0.1 only" bash -c "ss -ltnH | awk '{print \$4}' | grep -qx '127.0.0.1:$GP' && ! ss -ltnH | awk '{print \$4}' | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):$GP\$'"
st=$(curl -s -o "$tmp/g.out" -w '%{http_code}' "$GB/")
check "no token, no cookie: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -w '%{http_code}' "$GB/t/$T")
check "a desk without a session: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -w '%{http_code}' "$GB/?token=$(printf '0%.0s' $(seq 1 64))")
check "a wrong token: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -D "$tmp/g.h" -c "$tmp/jar" -w '%{http_code}' -H "Host: evil.example:$GP" "$G")
check "the token with a foreign Host (DNS rebinding): 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -D "$tmp/g.h" -c "$tmp/jar" -w '%{http_code}' "$G")
check "the token: 303 ($st)" test "$st" = 303
check "to a clean URL (Location: /)" grep -qi '^Location: /\s*$' "$tmp/g.h"
check "with an HttpOnly SameSite=Strict session cookie" grep -qi '^Set-Cookie: ebid_console_[0-9]*=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict' "$tmp/g.h"
check "and a strict Content-Security-Policy" grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$tmp/g.h"
st=$(curl -s -o /dev/null -w '%{http_code}' "$G")
check "the token works once: 403 the second time ($st)" test "$st" = 403
st=$(curl -s -o "$tmp/g.out" -b "$tmp/jar" -w '%{http_code}' "$GB/t/$T")
check "with the cookie the desk answers ($st)" test "$st" = 200
check "the desk is the supervisor's inbox (close-evaluation form)" grep -q 'value="close-evaluation"' "$tmp/g.out"
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' -H "Host: evil.example:$GP" "$GB/t/$T")
check "the cookie with a foreign Host: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' -H "Host: 127.0.0.1:1" "$GB/t/$T")
check "the cookie with another port in Host: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' -H "Origin: http://evil.example" --data cmd=close-evaluation "$GB/t/$T/do")
check "a POST with a foreign Origin: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' -H "Origin: null" --data cmd=close-evaluation "$GB/t/$T/do")
check "a POST with Origin null: 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' -H "Sec-Fetch-Site: cross-site" --data cmd=close-evaluation "$GB/t/$T/do")
check "a cross-site POST (Sec-Fetch-Site): 403 ($st)" test "$st" = 403
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: $GB" --data cmd=close-evaluation "$GB/t/$T/do")
check "a POST without the cookie: 403 ($st)" test "$st" = 403
check "none of the refused POSTs acted: still in evaluation" test "$(state_of tender "$T")" = evaluation
st=$(curl -s -o /dev/null -b "$tmp/jar" -w '%{http_code}' "$GB/static/console.js")
check "the script is served from the console ($st)" test "$st" = 200

# -- in the browser ---------------------------------------------------------------
CONSOLES=""
for x in $COMMITTEE; do
	console "$x" || bad "the console of $x starts"
	CONSOLES+="$x=$CURL_OF "
done
console supervisor || bad "a second supervisor console starts"
SUP=$CURL_OF
if [ -d "$SRC/tests/browser/node_modules/puppeteer-core" ] && command -v chromium >/dev/null; then
	mkdir -p "$tmp/sync"
	CONSOLES=$CONSOLES SUPERVISOR=$SUP TENDER=$T STEP_MSG_FILE=$tmp/step.msg SCREENS=$SRC/var/screens \
		SYNC_DIR=$tmp/sync timeout 300 node "$SRC/tests/browser/console.mjs" >"$tmp/browser.out" 2>&1 &
	node_pid=$!
	for _ in $(seq 1 2400); do
		[ -e "$tmp/sync/scored" ] || ! kill -0 "$node_pid" 2>/dev/null && break
		sleep 0.1
	done
	# the message the form showed is the one ebidd gives the CLI (before
	# the evaluation closes)
	x=$(head -n 1 <<<"$COMMITTEE")
	score_sheet "$x" "$T" "$tmp/off.xml"
	sed -i '0,/criterion="tech" value="[^"]*"/s//criterion="tech" value="25.3"/' "$tmp/off.xml"
	ebid_as "$x" score submit --tender "$T" "$tmp/off.xml" >"$tmp/off.out" 2>&1
	check "ebidd refuses the off-step sheet from the CLI" grep -q 'not a multiple of the step' "$tmp/off.out"
	check "with the very message the form showed ($(cat "$tmp/step.msg" 2>/dev/null))" grep -qF -- "$(cat "$tmp/step.msg" 2>/dev/null || echo none-shown)" "$tmp/off.out"
	touch "$tmp/sync/go"
	wait "$node_pid"
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "chromium: ${line#ok   }" ;;
		"FAIL "*) bad "chromium: ${line#FAIL }" ;;
		*) say "   $line" ;;
		esac
	done <"$tmp/browser.out"
	grep -q '^ok   ' "$tmp/browser.out" || bad "chromium: the browser test ran nothing"
	ebid_as supervisor tender show "$T" >"$tmp/after.xml"
	check "the result is signed by every member (CLI view)" test "$(grep -c '<signature ' "$tmp/after.xml")" = 5
	check "the dissent is on record" grep -q '<dissent>I would rate' "$tmp/after.xml"
	check "supervisor publishes the candidates (CLI)" ebid_as supervisor tender publish-candidates "$T"
	check "the tender is in publicity (CLI)" wait_state tender "$T" publicity
elif [ "${EB_BROWSER:-0}" = 1 ]; then
	bad "chromium or tests/browser/node_modules is missing (tools/dev test installs them)"
else
	say "skip: no chromium or tests/browser/node_modules: the browser scenario did not run"
fi

# -- the agencies' ratings on the pool desk (docs/registries.md), with curl ----------
# (the development certificates have no agency staff: buyer1 acts as the
# agency's authorised representative, as in test_registry_agency.sh)
person() { awk -v n="$1" '$1 == n {print $4}' "$C/parties.txt"; }
signin() { # signin PARTY: a console of PARTY, signed in; sets AB, $tmp/ajar-PARTY
	console "$1" || return 1
	AB=${CURL_OF%%/\?*}
	curl -s -o /dev/null -c "$tmp/ajar-$1" "$CURL_OF"
}
desk() { # desk PARTY OUT: PARTY's pool desk (Chinese) into OUT
	curl -s -b "$tmp/ajar-$1" "$(eval echo "\$AB_$1")/p/$P" >"$2"
}
rate_agency() { # rate_agency PARTY JOB DOCS PROC: the desk's form, posted; prints the status
	curl -s -o /dev/null -w '%{http_code}' -b "$tmp/ajar-$1" -H "Origin: $(eval echo "\$AB_$1")" \
		--data-urlencode cmd=rate-agency --data-urlencode "a.job=$2" \
		--data-urlencode "s.documents-quality=$3" --data-urlencode "s.procedure-compliance=$4" \
		--data-urlencode "remark=Rated from the desk." "$(eval echo "\$AB_$1")/p/$P/do"
}
now=$(clock_now)
cat >"$tmp/agency.xml" <<XML
<register-subject xmlns="urn:ebid:1" code="91370983MA3D00010J" name="Tai'an Guotai Tendering Agency Co Ltd" kind="agency">
  <representative person="$(person buyer1)" party="buyer1" scope="all" from="$(iso_plus "$now" $((-365 * 86400)))" to="$(iso_plus "$now" $((2 * 365 * 86400)))"/>
</register-subject>
XML
A=$(ebid_as registrar subject register "$tmp/agency.xml" | awk '/ registered$/ {print $2}')
check "the registrar registers an agency ($A)" grep -q '^O-[0-9]*-[0-9]*$' <<<"$A"
deadline2=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline2/; s/@OPENING@/$deadline2/; s|<register-tender xmlns=\"urn:ebid:1\">|<register-tender xmlns=\"urn:ebid:1\" agency=\"$A\">|" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg-agency.xml"
T3=$(ebid_as tenderer tender register "$tmp/reg-agency.xml" | awk '/ registered$/ {print $2}')
check "a tender naming the agency is registered ($T3)" test -n "$T3"
P=$(pool_register)
check "a pool ($P)" test -n "$P"
cat >"$tmp/assess.xml" <<XML
<configure-assessment xmlns="urn:ebid:1">
  <criterion name="punctuality" max="5"/>
  <criterion name="independence" max="5"/>
  <agency-criterion name="documents-quality" max="10"/>
  <agency-criterion name="procedure-compliance" max="10"/>
</configure-assessment>
XML
check "the registrar adds the agency criteria" ebid_as registrar pool configure "$P" "$tmp/assess.xml"
for x in tenderer supervisor buyer1 bidder1; do
	signin "$x" || bad "the console of $x starts"
	eval "AB_$x=\$AB"
done
desk tenderer "$tmp/pt.html"
check "the tenderer's pool desk lists the agency criteria" grep -q 'class="agency-criteria"' "$tmp/pt.html"
check "  labelled in Chinese (招标文件编制质量, token kept)" grep -q 'title="documents-quality"[^>]*>招标文件编制质量<' "$tmp/pt.html"
check "  and has the agency's rating form" grep -q 'value="rate-agency"' "$tmp/pt.html"
check "  one field per agency criterion, and no expert's rating form" \
	bash -c "test \"\$(grep -o 'name=\"s\.[a-z-]*\"' '$tmp/pt.html' | sort -u | tr '\n' ' ')\" = 'name=\"s.documents-quality\" name=\"s.procedure-compliance\" ' && ! grep -q 'value=\"rate-expert\"' '$tmp/pt.html'"
desk bidder1 "$tmp/pb.html"
check "a bidder's pool desk has no agency rating form" bash -c "! grep -q 'value=\"rate-agency\"' '$tmp/pb.html'"
st=$(rate_agency tenderer "$T3" 8 6)
desk tenderer "$tmp/pt2.html"
check "a rating of a tender still open: the desk shows ebidd's refusal ($st)" grep -q 'tender-not-closed' "$tmp/pt2.html"
check "  and ebidd has no rating" bash -c "! grep -q '<agency ' <<<\"\$1\"" _ "$(ebid_as supervisor pool show "$P")"
check "the supervisor requests the cancellation of $T3" ebid_as supervisor tender request-cancellation "$T3" --reason "The project was withdrawn."
check "the verifier countersigns it" ebid_as verifier tender countersign-cancellation "$T3"
# the view of a cancelled tender (lib.sh validates it against ebid.xsd:
# its <cancellation> record was once missing from views.xsd)
check "$T3 is cancelled (its view: status, the request's reason, the countersignature)" \
	bash -c 'tr -d "\n" <<<"$1" | grep -q "<cancellation [^>]*status=\"cancelled\"[^>]*>.*<reason>The project was withdrawn.</reason>.*<countersignature "' \
	_ "$(ebid_as verifier tender show "$T3")"
st=$(rate_agency tenderer "$T3" 8 6)
check "the tenderer rates the agency from the desk ($st)" test "$st" = 303
check "  ebidd has the rating (70 %, by the tenderer)" \
	grep -q "<rating [^>]*rater-role=\"tenderer\"[^>]*score=\"7000\"[^>]*tender=\"$T3\"" <(ebid_as supervisor pool show "$P")
st=$(rate_agency tenderer "$T3" 10 10)
desk tenderer "$tmp/pt3.html"
check "a second rating by the tenderer: the desk shows the refusal (already-rated)" grep -q 'already-rated' "$tmp/pt3.html"
st=$(rate_agency supervisor "$T3" 10 10)
check "the supervisor rates it too from the desk ($st)" test "$st" = 303
desk supervisor "$tmp/ps.html"
check "the supervisor's desk shows the agencies' ratings (代理机构考核评价)" grep -q 'id="h-agency-ratings">代理机构考核评价<' "$tmp/ps.html"
check "  both ratings, each with its agency and tender" \
	test "$(grep -o "<tr class=\"agency-rating\"><td>Tai'an Guotai Tendering Agency Co Ltd ($A)</td><td>$T3</td>" "$tmp/ps.html" | wc -l)" = 2
check "  the rater's role in Chinese (招标人, 监督人员)" bash -c "grep -q 'title=\"tenderer\"[^>]*>招标人<' '$tmp/ps.html' && grep -q 'title=\"supervisor\"[^>]*>监督人员<' '$tmp/ps.html'"
check "  the scores (70.00 %, 100.00 %) and the criteria in Chinese (程序合规 6)" \
	bash -c "grep -q '70.00 %' '$tmp/ps.html' && grep -q '100.00 %' '$tmp/ps.html' && grep -q '>程序合规</span> 6' '$tmp/ps.html'"
check "  and the year's summary (2 ratings, mean 85.00 %)" grep -q "class=\"agency-period\">Tai'an Guotai Tendering Agency Co Ltd · [0-9]*: 2 × , 85.00 %" "$tmp/ps.html"
desk buyer1 "$tmp/pr.html"
check "the agency's representative sees its ratings" test "$(grep -o 'class="agency-rating"' "$tmp/pr.html" | wc -l)" = 2
check "  and no rating form" bash -c "! grep -q 'value=\"rate-agency\"' '$tmp/pr.html'"
desk bidder1 "$tmp/pb2.html"
check "a bidder sees no agency's ratings" bash -c "! grep -q 'agency-rating' '$tmp/pb2.html'"

if [ -n "${CONSOLE_PAUSE:-}" ]; then
	say "paused: T=$T URL=$URL C=$C (kill $$ to end)"
	echo "T=$T URL=$URL C=$C" >"$CONSOLE_PAUSE"
	sleep 100000
fi
finish

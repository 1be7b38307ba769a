#!/usr/bin/env bash
# tests/integration/test_console_upload.sh
#    The console's bid desk with a large bid (issue 18; tools/console.c,
#    "a bid with attachments"), without a browser: curl posts the desk's
#    form as the page does, with a bid file and attachments (a 24 MB
#    drawing); the console seals and uploads it in a child process through
#    the resumable path of `ebid bid submit` (tools/bigbid.c), and:
#      - GET /t/ID/bid-progress is polled while it runs: running, the
#        phase, bytes done of total; the figures move;
#      - the upload is cut on purpose (EBID_CONSOLE_STOP_AFTER, as `bid
#        submit --stop-after`): the desk shows it interrupted (上传中断) with
#        a resume button; POST /t/ID/bid-resume uploads the rest, from the
#        server's durable offset;
#      - the receipt on the desk verifies (`ebid receipt verify`), the
#        store holds the envelope, the tender lists the bid;
#      - the page's way for files over the console's body limit: the
#        files in 8 MiB pieces (bid-begin, bid-part, bid-go), a piece at
#        the wrong offset or a name with a path refused; sealed, uploaded
#        and received as the form's;
#      - an attachment named with a path is refused and starts nothing.
#    The Chromium desk test (desks.mjs) does not cover this page yet.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="envelope_dir = $tmp/envelopes
upload_min_free = 0"
it_setup

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
ebid_as registrar tender accept "$T" >/dev/null
ebid_as supervisor tender publish "$T" >/dev/null
check "tender $T in bidding" wait_state tender "$T" bidding
ebid_as bidder1 tender sign-up "$T" >/dev/null
ebid_as registrar tender confirm-sign-up "$T" bidder=bidder1 >/dev/null
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-1-*.xml)" >"$tmp/bid1.xml"
head -c 24000000 /dev/urandom >"$tmp/drawings.bin"
printf 'priced bill of quantities\n' >"$tmp/boq.txt"

# the bidder's console, the upload cut after 6 MB the first time
STOP=6000000
out=$tmp/console.out
EBID_CONSOLE_STOP_AFTER=$STOP "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/bidder1.crt" --key "$C/bidder1.key" \
	console --port 0 >"$out" 2>&1 &
extra_pids+=" $!"
for _ in $(seq 1 50); do
	U=$(sed -n 's/^open: //p' "$out")
	[ -n "$U" ] && break
	sleep 0.1
done
check "the bidder's console starts" test -n "${U:-}"
B=${U%%/\?*}
curl -s -o /dev/null -c "$tmp/jar" "$U"
desk() { curl -s -b "$tmp/jar" "$B/t/$T$1"; }
check "the bid desk offers attachments" sh -c "curl -s -b '$tmp/jar' '$B/t/$T' | grep -q 'name=\"attach\"'"

# progress: poll until the job leaves 'running'; every answer kept
poll_job() { # poll_job LOG: up to 120 s
	local p
	for _ in $(seq 1 2400); do
		p=$(curl -s -b "$tmp/jar" "$B/t/$T/bid-progress")
		printf '%s\n' "$p" >>"$1"
		case $p in *'"state":"running"'*) sleep 0.05;; *) return 0;; esac
	done
	return 1
}
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$2"; }

st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" \
	-F "file=@$tmp/bid1.xml" -F "attach=@$tmp/drawings.bin" -F "attach=@$tmp/boq.txt" "$B/t/$T/bid")
check "the form with a 24 MB attachment is taken (HTTP $st)" test "$st" = 303
check "the job ran to its cut" poll_job "$tmp/p1.log"
check "  ... the progress endpoint said running while it worked" grep -q '"state":"running"' "$tmp/p1.log"
last=$(tail -1 "$tmp/p1.log")
d1=$(field done "$last"); t1=$(field total "$last")
check "  ... then failed, resumable, at ${d1:-?} of ${t1:-?} bytes, the cut ($last)" \
	bash -c "grep -q '\"state\":\"failed\"' <<<'$last' && grep -q '\"resumable\":true' <<<'$last' && test '${d1:-0}' = $STOP -a '${d1:-0}' -lt '${t1:-0}'"
desk "" >"$tmp/d1.html"
check "the desk shows the upload interrupted (上传中断) with a resume button" sh -c "grep -q '上传中断' '$tmp/d1.html' && grep -q 'id=\"bid-resume\"' '$tmp/d1.html'"
check "  ... and what ebid said (stopped after)" grep -q 'stopped after' "$tmp/d1.html"
check "  ... the server holds the durable part" sh -c "ls '$tmp/envelopes/uploads/'*.part >/dev/null 2>&1"

st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" -X POST "$B/t/$T/bid-resume")
check "resume (HTTP $st)" test "$st" = 303
check "the resumed job ran to its end" poll_job "$tmp/p2.log"
last=$(tail -1 "$tmp/p2.log")
check "  ... done: all $t1 bytes ($last)" bash -c "grep -q '\"state\":\"done\"' <<<'$last' && test '$(field done "$last")' = '$t1'"
# the figures moved: every upload figure seen lies between the cut and the end
moved=$(cat "$tmp/p1.log" "$tmp/p2.log" | sed -n 's/.*"done":\([0-9]*\).*/\1/p' | awk '!s[$0]++' | tr '\n' ' ')
check "the progress moved (bytes done seen: $moved)" bash -c "test \$(wc -w <<<'$moved') -ge 3"
desk "" >"$tmp/d2.html"
check "the desk shows the bid submitted (已递交) and the receipt" sh -c "grep -q '已递交' '$tmp/d2.html' && grep -q 'id=\"receipt-link\"' '$tmp/d2.html'"
check "  ... the upload resumed where the first stopped (byte $d1), not from zero" grep -q "resuming the upload at byte $d1 " "$tmp/d2.html"
curl -s -b "$tmp/jar" -o "$tmp/c.receipt" "$B/t/$T/receipt"
curl -s -b "$tmp/jar" -o "$tmp/c.sealed" "$B/t/$T/sealed"
check "the receipt verifies (ebid receipt verify)" ebid_as bidder1 receipt verify "$tmp/c.receipt" "$tmp/c.sealed"
H=$(grep -ao 'sha256="[0-9a-f]\{64\}"' "$tmp/c.sealed" | head -1 | cut -d'"' -f2)
check "the store holds the envelope the signed command names (${H:0:12}..., > 24 MB)" \
	sh -c "test -n '$H' && test \$(stat -c %s '$tmp/envelopes/${H:0:2}/$H') -gt 24000000"
check "  ... the bidder's bid is in the tender" sh -c "'$EBID' --url '$URL' --ca '$C/ca.crt' --cert '$C/bidder1.crt' --key '$C/bidder1.key' tender show '$T' | grep -q '$H'"

# the page's way for files over the console's body limit (console.js):
# bid-begin, the files in 8 MiB pieces (bid-part), bid-go
piece() { # piece KIND NAME FILE OFFSET LEN: prints the HTTP status
	tail -c +$(($4 + 1)) "$3" | head -c "$5" >"$tmp/piece"
	curl -s -o "$tmp/piece.out" -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" -H 'Content-Type: application/octet-stream' \
		--data-binary @"$tmp/piece" "$B/t/$T/bid-part?kind=$1&name=$2&offset=$4"
}
head -c 20000000 /dev/urandom >"$tmp/plans.bin"
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" -X POST "$B/t/$T/bid-begin")
check "bid-begin (HTTP $st)" test "$st" = 204
st=$(piece bid - "$tmp/bid1.xml" 0 $(stat -c %s "$tmp/bid1.xml"))
check "  ... the bid file in one piece (HTTP $st)" test "$st" = 204
codes=""
for off in 0 8388608 16777216; do codes+="$(piece attach "%E5%9B%BE%E7%BA%B8.bin" "$tmp/plans.bin" $off 8388608) "; done
check "  ... a 20 MB attachment named 图纸.bin in 8 MiB pieces (HTTP $codes)" test "$codes" = "204 204 204 "
st=$(piece attach "%E5%9B%BE%E7%BA%B8.bin" "$tmp/plans.bin" 1000 10)
check "  ... a piece not at the file's end is refused (HTTP $st)" test "$st" = 409
st=$(piece attach "..%2Fx.bin" "$tmp/plans.bin" 0 10)
check "  ... an attachment name with a path is refused (HTTP $st)" test "$st" = 400
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" -X POST "$B/t/$T/bid-go")
check "bid-go: sealed and uploaded in the background (HTTP $st)" test "$st" = 303
check "  ... the job ran to its end" poll_job "$tmp/p3.log"
last=$(tail -1 "$tmp/p3.log")
check "  ... done ($last)" grep -q '"state":"done"' <<<"$last"
desk "" >"$tmp/d4.html"
check "  ... the desk shows the receipt of the replacing bid" sh -c "grep -q '已递交' '$tmp/d4.html' && grep -q 'receipt saved' '$tmp/d4.html'"
curl -s -b "$tmp/jar" -o "$tmp/c2.receipt" "$B/t/$T/receipt"
curl -s -b "$tmp/jar" -o "$tmp/c2.sealed" "$B/t/$T/sealed"
check "  ... its receipt verifies" ebid_as bidder1 receipt verify "$tmp/c2.receipt" "$tmp/c2.sealed"
H2=$(grep -ao 'sha256="[0-9a-f]\{64\}"' "$tmp/c2.sealed" | head -1 | cut -d'"' -f2)
check "  ... the store holds its envelope (> 20 MB)" sh -c "test -n '$H2' -a '$H2' != '$H' && test \$(stat -c %s '$tmp/envelopes/${H2:0:2}/$H2') -gt 20000000"

# a bad attachment name: refused before anything runs
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" -H "Origin: $B" \
	-F "file=@$tmp/bid1.xml" -F "attach=@$tmp/boq.txt;filename=../boq.txt" "$B/t/$T/bid")
desk "" >"$tmp/d3.html"
check "an attachment named with a path is refused ($st), nothing started" sh -c "grep -q 'cannot be used' '$tmp/d3.html' && curl -s -b '$tmp/jar' '$B/t/$T/bid-progress' | grep -q '\"state\":\"done\"'"

finish

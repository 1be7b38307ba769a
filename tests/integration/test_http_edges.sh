#!/usr/bin/env bash
# tests/integration/test_http_edges.sh
#    The HTTP edges of issue 13 point 8, against the real ebidd over mutual
#    TLS with curl and the client certificate:
#      - every method curl can send (GET POST HEAD PUT DELETE OPTIONS PATCH
#        TRACE) on every endpoint family of docs/protocol.md: the
#        documented method answers, OPTIONS is 204 with Allow, HEAD answers
#        where GET does (same status and Content-Length, no body), any
#        other method is 405 with Allow and the XML error document
#        (method-not-allowed), never libevent's HTML 501;
#      - an unknown path is 404 unknown-path, in XML, whatever the method;
#      - POST /v1/commands with another content type (or none) is 415
#        unsupported-media-type, in XML;
#      - every error body is valid against protocol/xsd/ebid.xsd and its
#        status="" is the HTTP status.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
XSD=$SRC/protocol/xsd/ebid.xsd
n=0

# req METHOD PATH [CURL-ARGS...]: one request as the auditor; sets code
# (the HTTP status), hdr and body (files of this request)
req() {
	local m=$1 p=$2; shift 2
	n=$((n + 1))
	hdr=$tmp/edge.$n.hdr body=$tmp/edge.$n.body
	if [ "$m" = HEAD ]; then
		code=$(curl_as auditor --head -o /dev/null -D "$hdr" -w '%{http_code}' "$@" "$URL$p")
		: >"$body"
	else
		code=$(curl_as auditor -X "$m" -o "$body" -D "$hdr" -w '%{http_code}' "$@" "$URL$p")
	fi
}
header() { grep -i "^$1:" "$hdr" | head -1 | cut -d: -f2- | tr -d ' \r'; }
# xml_error STATUS REASON: the body is the XML error document of REASON,
# valid against the schema, with status="STATUS"
xml_error() {
	case "$(header Content-Type)" in application/xml*) ;; *) echo "Content-Type $(header Content-Type)"; return 1;; esac
	xmllint --noout --schema "$XSD" "$body" 2>&1 || return 1
	grep -q "reason=\"$2\"" "$body" && grep -q "status=\"$1\"" "$body" ||
		{ cat "$body"; return 1; }
}
# answer_is WANT: the status is WANT (prints what came otherwise)
answer_is() { [ "$code" = "$1" ] || { echo "status $code"; cat "$hdr" "$body"; return 1; }; }

# The endpoints, from the one table in engine/server/http.c (so a new
# endpoint is tried here, and must be documented, the day it is added);
# '*' (an id) becomes a made-up id, '%' (a hash: docs say H) one too.
table=$(sed -n '/^} endpoints\[\] = {/,/^};/p' "$SRC/engine/server/http.c" |
	grep -oE '\{ "/[^"]*", M_(GET|POST)')
GET_PATHS=$(grep 'M_GET' <<<"$table" | cut -d'"' -f2 | sed 's/[*%]/X-none/')
POST_PATHS=$(grep 'M_POST' <<<"$table" | cut -d'"' -f2 | sed 's/[*%]/X-none/')
check "the endpoint table has its GET and POST endpoints ($(wc -l <<<"$table") rows)" \
	test "$(wc -l <<<"$GET_PATHS")" -ge 15 -a "$(wc -l <<<"$POST_PATHS")" -ge 2
# docs/protocol.md lists every endpoint of the table
while read -r _ path method; do
	path=${path//\"/}; path=${path%,}; method=${method#M_}
	path=${path//%/H}
	check "docs/protocol.md lists $method ${path//\*/ID}" \
		grep -qF "| \`$method ${path//\*/ID}" "$SRC/docs/protocol.md"
done <<<"$table"

for p in $GET_PATHS; do
	for m in POST PUT DELETE PATCH TRACE; do
		req "$m" "$p" --data-binary x
		check "$m $p is 405 method-not-allowed in XML" \
			eval 'answer_is 405 && xml_error 405 method-not-allowed'
		check "$m $p says Allow: GET, HEAD, OPTIONS" \
			test "$(header Allow)" = "GET,HEAD,OPTIONS"
	done
	req OPTIONS "$p"
	check "OPTIONS $p is 204 with Allow: GET, HEAD, OPTIONS" \
		eval 'answer_is 204 && test "$(header Allow)" = "GET,HEAD,OPTIONS" && test ! -s "$body"'
done
for p in $POST_PATHS; do
	for m in GET PUT DELETE PATCH; do
		req "$m" "$p"
		check "$m $p is 405 method-not-allowed in XML" \
			eval 'answer_is 405 && xml_error 405 method-not-allowed'
		check "$m $p says Allow: POST, OPTIONS" \
			test "$(header Allow)" = "POST,OPTIONS"
	done
	req HEAD "$p"
	check "HEAD $p is 405 with Allow: POST, OPTIONS" \
		eval 'answer_is 405 && test "$(header Allow)" = "POST,OPTIONS"'
	req OPTIONS "$p"
	check "OPTIONS $p is 204 with Allow: POST, OPTIONS" \
		eval 'answer_is 204 && test "$(header Allow)" = "POST,OPTIONS"'
done

# HEAD: GET's status and length, no body
for p in /v1/health /v1/whoami /v1/tenders/T-none; do
	req GET "$p"; get_code=$code get_len=$(stat -c %s "$body")
	req HEAD "$p"
	check "HEAD $p answers GET's status ($get_code) and Content-Length ($get_len)" \
		eval 'answer_is $get_code && test "$(header Content-Length)" = "$get_len"'
	check "HEAD $p sends no body (the connection stays usable)" \
		eval 'curl_as auditor --head -o /dev/null -o /dev/null -w "%{http_code}%{num_connects}," "$URL$p" "$URL$p" | grep -qx "${get_code}1,${get_code}0,"'
done

# unknown paths, whatever the method
for m in GET POST PUT DELETE; do
	for p in /v1/nothing / /v1/tenders /v1/tenders/T-none/nothing /v1/health/x; do
		req "$m" "$p" --data-binary x
		check "$m $p is 404 unknown-path in XML" \
			eval 'answer_is 404 && xml_error 404 unknown-path'
	done
done

# a command must be application/cms
req POST /v1/commands -H 'Content-Type: text/plain' --data-binary 'not a cms'
check "POST /v1/commands as text/plain is 415 in XML" \
	eval 'answer_is 415 && xml_error 415 unsupported-media-type'
req POST /v1/commands -H 'Content-Type:' --data-binary 'not a cms'
check "POST /v1/commands without a content type is 415 in XML" \
	eval 'answer_is 415 && xml_error 415 unsupported-media-type'
req POST /v1/commands -H 'Content-Type: application/cms; x=1' --data-binary 'not a cms'
check "POST /v1/commands as application/cms; x=1 reaches the command parser (400 in XML)" \
	eval 'answer_is 400 && xml_error 400 "[a-z-]*"'

# The reply path (docs/performance.md, issue 17 tenth pass): a reply is
# written in the pass of the loop that made it, so pipelined requests in
# one TLS write are answered in order, each once, and the connection
# closes after the one that asks for it.
pipe=$tmp/pipelined.out
printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\nOPTIONS /v1/whoami HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
	timeout 10 openssl s_client -quiet -ign_eof -connect "127.0.0.1:$PORT" \
	-CAfile "$C/ca.crt" -cert "$C/auditor.crt" -key "$C/auditor.key" >"$pipe" 2>/dev/null
check "four pipelined requests: four replies in order (200 200 204 200)" \
	eval 'test "$(grep -ao "HTTP/1\.1 [0-9][0-9][0-9]" "$pipe" | cut -d" " -f2 | tr "\n" " ")" = "200 200 204 200 "'
check "four pipelined requests: four request ids, the last reply closes" \
	eval 'test "$(grep -ac "^X-Request-Id: " "$pipe")" = 4 && grep -aq "^Connection: close" "$pipe"'

# System calls per keep-alive request, seen by strace on ebidd: TCP_NODELAY
# once per connection (not per request), one write(2) per reply (headers
# and body in one TLS record), and the loop's change list (main.c) instead
# of four epoll_ctl() per request (evhttp stops reading, the reply arms
# writing, writing is disarmed and reading armed again).
st=$tmp/strace.out spid=""
if command -v strace >/dev/null; then
	strace -qq -f -e trace=setsockopt,epoll_ctl,write -o "$st" -p "$ebidd_pid" 2>"$tmp/strace.err" &
	spid=$!
	sleep 1
	kill -0 "$spid" 2>/dev/null || spid=""      # could not attach
fi
if [ -n "$spid" ]; then
	urls=()
	for i in $(seq 1 20); do urls+=("$URL/v1/whoami"); done
	curl_as auditor -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-w '%{num_connects}' "${urls[@]}" >"$tmp/strace.conns"
	sleep 0.5
	kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
	check "strace: the 20 requests went over one connection" \
		eval 'test "$(tr -d "0\n" <"$tmp/strace.conns")" = 1'
	check "strace: TCP_NODELAY set at most once for 20 keep-alive requests" \
		eval 'test "$(grep -c "TCP_NODELAY" "$st")" -le 1'
	check "strace: at most 20 + 10 epoll_ctl for 20 keep-alive requests (was 4 a request)" \
		eval 'test "$(grep -c "epoll_ctl(" "$st")" -le 30'
	# the replies: TLS application data records (0x17 0x03 0x03) written
	check "strace: one TLS record written per reply (20 replies, at most 20 + 4 records)" \
		eval 'n=$(grep -c "write([0-9]*, \"\\\\27\\\\3\\\\3" "$st"); test "$n" -ge 20 && test "$n" -le 24'
else
	say "skip the system-call checks: strace cannot attach here ($(head -c 200 "$tmp/strace.err" 2>/dev/null))"
fi

# the server is still there
req GET /v1/health
check "ebidd still answers health" answer_is 200
finish

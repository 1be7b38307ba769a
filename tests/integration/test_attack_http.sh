#!/usr/bin/env bash
# tests/integration/test_attack_http.sh
#    The HTTP-level attacks of issue 20 (points 5, 6 and 9), each replayed
#    against the real ebidd over TLS with bash, curl and openssl s_client:
#      5  400 TCP connections against an open-file limit of 256: ebidd
#         must not spin (CPU from /proc/PID/stat), must not flood its log,
#         and must serve a normal request once the flood is gone; once
#         with the default connection cap (derived from the limit), once
#         with a cap set above the limit (the EMFILE back-off itself).
#      6  a client trickling one header byte a second, one trickling a
#         chunked body, and one that sends nothing are all cut at the
#         whole-request deadline (request_timeout); the per-address cap
#         refuses the connection after max_connections_per_address.
#      9  two Content-Length headers, "Transfer-Encoding :" with a space,
#         a coding other than chunked, a signed "+" length, Content-Length
#         with Transfer-Encoding (evhttp's own 400), and a command without the
#         application/cms content type are refused (400/415, connection
#         closed: nothing smuggled behind them is served); TLS 1.2 CBC
#         suites are refused, AEAD ones work; the session ticket lifetime.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
cp "$tmp/ebidd.conf" "$tmp/ebidd.conf.base"
REAL_EBIDD=$EBIDD

ms_now() { date +%s%3N; }
# with_settings LINE...: restart ebidd with the base settings plus LINEs
with_settings() {
	cp "$tmp/ebidd.conf.base" "$tmp/ebidd.conf"
	printf '%s\n' "$@" >>"$tmp/ebidd.conf"
	restart_ebidd
}
# cpu_ticks: ebidd's user + system time so far, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ebidd_pid/stat"; }
# log_bytes: the size of ebidd's log and its stderr together
log_bytes() {
	local n=0 f
	for f in "$tmp/ebidd.log" "$tmp/ebidd.out"; do
		[ -f "$f" ] && n=$((n + $(stat -c %s "$f")))
	done
	echo "$n"
}
# hold N SECONDS: hold N plain TCP connections to ebidd for SECONDS (run it
# in the background; killing it closes them all: exec leaves no child).
hold() {
	ulimit -n 4096 2>/dev/null || true
	local i fd
	for ((i = 0; i < $1; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/${HOLD_PORT:-$PORT}" || break
	done
	exec sleep "$2"
}
stop_hold() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# held PID: wait (at most 3 s) until hold PID has opened all its connections
held() {
	local i
	for ((i = 0; i < 30; i++)); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ] && return 0
		sleep 0.1
	done
	return 1
}
# health_within SECONDS: a normal request succeeds within SECONDS
health_within() {
	local i
	for ((i = 0; i < $1 * 4; i++)); do
		[ "$(curl_as auditor -o /dev/null -w '%{http_code}' --max-time 2 \
			"$URL/v1/health")" = 200 ] && return 0
		sleep 0.25
	done
	return 1
}
# tls_raw WHO [SECONDS]: the bytes on stdin as one TLS connection with
# WHO's certificate; prints what ebidd sends back (at most SECONDS, 5).
tls_raw() {
	timeout "${2:-5}" openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		-CAfile "$C/ca.crt" -cert "$C/$1.crt" -key "$C/$1.key" 2>/dev/null
}
# trickle DELAY STRING: STRING (printf %b escapes) one byte per DELAY s
trickle() {
	local s i
	s=$(printf '%b' "$2")
	for ((i = 0; i < ${#s}; i++)); do
		printf '%s' "${s:i:1}" || return 0
		sleep "$1"
	done
}
# cut_within SECONDS FILE: the elapsed time recorded in FILE is <= SECONDS
cut_within() { [ "$(cat "$2")" -le "$1" ]; }

# ---------------------------------------------------------------- point 5
# ebidd under `ulimit -n 256` (a wrapper that execs it: same pid).
cat >"$tmp/ebidd-256" <<EOF
#!/usr/bin/env bash
ulimit -n 256 || exit 1
exec "$REAL_EBIDD" "\$@"
EOF
chmod +x "$tmp/ebidd-256"
EBIDD=$tmp/ebidd-256

# flood NAME: 400 connections for 30 s; CPU and log growth over 3 s of it.
flood() {
	local name=$1 pid t0 t1 l0 l1 hz used
	hz=$(getconf CLK_TCK)
	hold 400 30 &
	pid=$!
	sleep 1
	t0=$(cpu_ticks); l0=$(log_bytes)
	sleep 3
	t1=$(cpu_ticks); l1=$(log_bytes)
	used=$(( (t1 - t0) * 100 / (3 * hz) ))
	say "     $name: ebidd used ${used}% of a core, log +$((l1 - l0)) bytes in 3 s"
	check "$name: ebidd stays below 20% CPU under the flood" test "$used" -lt 20
	check "$name: the log grows by less than 64 KiB in 3 s" test $((l1 - l0)) -lt 65536
	check "$name: ebidd is still running" kill -0 "$ebidd_pid"
	stop_hold "$pid"
	check "$name: a normal request is served after the flood" health_within 10
}

with_settings "max_connections_per_address = 0"
check "5: the open-file limit is 256" grep -q '^Max open files *256 ' "/proc/$ebidd_pid/limits"
flood "5a cap from the limit"
check "5a: the connection cap was logged" grep -q 'connection limit' "$tmp/ebidd.log"
refused "5a: ... and kept accept() from running out of descriptors" \
	grep -q 'out of file descriptors' "$tmp/ebidd.log"

with_settings "max_connections_per_address = 0" "max_connections = 5000"
flood "5b cap above the limit (EMFILE)"
check "5b: running out of descriptors was logged" grep -q 'out of file descriptors' "$tmp/ebidd.log"
n=$(grep -c 'out of file descriptors' "$tmp/ebidd.log")
check "5b: ... once per 10 s, not per failure ($n lines)" test "$n" -le 2
check "5b: libevent's own accept error is not logged" \
	bash -c "! grep -q 'Error from accept' '$tmp/ebidd.out' '$tmp/ebidd.log'"

# 5c: the public board needs no certificate: anyone can flood its listener
BPORT=$(free_port)
with_settings "max_connections_per_address = 0" \
	"public_listen = 127.0.0.1:$BPORT" "pages_dir = $SRC/engine/server/pages"
HOLD_PORT=$BPORT flood "5c the public board's listener (EMFILE)"
check "5c: the board's accept failure was logged" grep -q 'public board: accept failed' "$tmp/ebidd.log"
n=$(grep -c 'public board: accept failed' "$tmp/ebidd.log")
check "5c: ... once per 10 s, not per failure ($n lines)" test "$n" -le 2
check "5c: the board answers again after the flood" \
	curl -s -f -o /dev/null --max-time 5 "http://127.0.0.1:$BPORT/"
EBIDD=$REAL_EBIDD

# ---------------------------------------------------------------- point 6
with_settings "request_timeout = 4" "max_connections_per_address = 4"
check "6: a normal request within the deadline" health_within 2

t0=$SECONDS
trickle 1 'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n' |
	tls_raw auditor 15 >/dev/null
echo $((SECONDS - t0)) >"$tmp/t.header"
say "     header trickle held the connection $(cat "$tmp/t.header") s"
check "6: one header byte a second is cut at the 4 s deadline" cut_within 7 "$tmp/t.header"

t0=$SECONDS
{
	printf 'POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cms\r\nTransfer-Encoding: chunked\r\n\r\n'
	trickle 1 '1\r\na\r\n1\r\nb\r\n1\r\nc\r\n1\r\nd\r\n1\r\ne\r\n0\r\n\r\n'
} | tls_raw bidder1 15 >/dev/null
echo $((SECONDS - t0)) >"$tmp/t.chunk"
say "     chunked trickle held the connection $(cat "$tmp/t.chunk") s"
check "6: one chunked byte a second is cut at the 4 s deadline" cut_within 7 "$tmp/t.chunk"

t0=$SECONDS
timeout 12 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&3 >/dev/null"
echo $((SECONDS - t0)) >"$tmp/t.silent"
check "6: a connection that sends nothing is cut at the deadline" cut_within 7 "$tmp/t.silent"
check "6: the deadline is logged" grep -q 'request deadline' "$tmp/ebidd.log"

hold 4 20 &
hp=$!
held "$hp"
sleep 0.2
t0=$(ms_now)
timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&3 >/dev/null"
rc=$?
t1=$(ms_now)
say "     the 5th connection from one address: closed after $((t1 - t0)) ms (exit $rc)"
check "6: the 5th connection from one address is closed at once" test "$rc" = 0 -a $((t1 - t0)) -lt 1500
refused "6: ... and a 5th TLS request too" curl_as auditor -f -o /dev/null --max-time 3 "$URL/v1/health"
check "6: the per-address refusal is logged" grep -q 'per-address' "$tmp/ebidd.log"
stop_hold "$hp"
check "6: once they close, the address is served again" health_within 5

# ---------------------------------------------------------------- point 9
with_settings
# status_of FILE: the status code of the first reply in FILE
status_of() { head -n 1 "$1" | tr -d '\r' | cut -d' ' -f2; }
# one_refusal FILE STATUS REASON: exactly one reply, with STATUS and REASON
one_refusal() {
	[ "$(status_of "$1")" = "$2" ] && grep -q "reason=\"$3\"" "$1" &&
		[ "$(grep -c '^HTTP/1' "$1")" = 1 ]
}
smuggled='GET /v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'

printf "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 43\r\n\r\n$smuggled" |
	tls_raw auditor >"$tmp/r.cl2"
check "9: two Content-Length: one 400, nothing smuggled" one_refusal "$tmp/r.cl2" 400 duplicate-content-length

printf "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding : chunked\r\nContent-Length: 0\r\n\r\n$smuggled" |
	tls_raw auditor >"$tmp/r.te-space"
check "9: 'Transfer-Encoding :' with a space: one 400" one_refusal "$tmp/r.te-space" 400 bad-header-name

printf "POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cms\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$smuggled" |
	tls_raw bidder1 >"$tmp/r.cl-te"
# evhttp refuses this one itself (bare 400, connection closed); kept as a
# regression check, it passed before the fix too.
check "9: Content-Length with Transfer-Encoding: one 400" \
	test "$(status_of "$tmp/r.cl-te")" = 400 -a "$(grep -c '^HTTP/1' "$tmp/r.cl-te")" = 1

printf "POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/cms\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$smuggled" |
	tls_raw bidder1 >"$tmp/r.te-gzip"
check "9: a transfer coding other than chunked: one 400" one_refusal "$tmp/r.te-gzip" 400 unsupported-transfer-encoding

printf "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +0\r\n\r\n$smuggled" |
	tls_raw auditor >"$tmp/r.cl-plus"
check "9: Content-Length '+0': one 400" one_refusal "$tmp/r.cl-plus" 400 bad-content-length

code=$(curl_as bidder1 -o "$tmp/r.ctype" -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary 'not a cms' "$URL/v1/commands")
check "9: a command as text/plain: 415 unsupported-media-type" test "$code" = 415 -a -n "$(grep -l 'reason="unsupported-media-type"' "$tmp/r.ctype")"
code=$(curl_as bidder1 -o "$tmp/r.noctype" -w '%{http_code}' -H 'Content-Type:' --data-binary 'not a cms' "$URL/v1/commands")
check "9: a command without a content type: 415" test "$code" = 415
code=$(curl_as bidder1 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/cms; charset=binary' --data-binary 'not a cms' "$URL/v1/commands")
check "9: application/cms (with a parameter) reaches the command check (400)" test "$code" = 400
code=$(curl_as bidder1 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/cms' -H 'Transfer-Encoding: chunked' --data-binary 'not a cms' "$URL/v1/commands")
check "9: a chunked application/cms body is still read (400 bad CMS)" test "$code" = 400
check "9: the ebid client still works" ebid_as auditor health

# TLS: only AEAD suites in TLS 1.2; a short session lifetime.
s_client12() {
	openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher "$1" \
		-CAfile "$C/ca.crt" -cert "$C/auditor.crt" -key "$C/auditor.key" </dev/null
}
for cs in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384; do
	refused "9: TLS 1.2 CBC suite $cs is refused" s_client12 "$cs"
done
for cs in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
	check "9: TLS 1.2 AEAD suite $cs works" bash -c "$(declare -f s_client12); PORT=$PORT C=$C s_client12 $cs 2>&1 | grep -q 'Cipher is $cs'"
done
check "9: TLS 1.3 works" bash -c "openssl s_client -connect 127.0.0.1:$PORT -tls1_3 -CAfile $C/ca.crt -cert $C/auditor.crt -key $C/auditor.key </dev/null 2>&1 | grep -q 'TLSv1.3'"
hint=$(s_client12 ECDHE-ECDSA-AES128-GCM-SHA256 2>/dev/null | grep -o 'lifetime hint: [0-9]*' | grep -o '[0-9]*$')
say "     TLS 1.2 session ticket lifetime hint: ${hint:-none} s"
check "9: session tickets live at most 300 s" test "${hint:-99999}" -le 300

finish

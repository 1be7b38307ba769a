#!/usr/bin/env bash
# tests/integration/test_ocsp_live.sh
#    OCSP (issue 21 point 3), through the real ebidd (system-call filter
#    on), the real ebid and curl, and a real responder: `openssl ocsp`
#    answering from the development CA's index (certs/make-dev-certs.sh
#    writes index.txt and the delegated responder ocsp.crt; certs/revoke.sh
#    marks revocations in it):
#      - a good certificate is served; a second request is answered from
#        ebidd's cache (one query, ebid_ocsp_queries_total); eight parallel
#        requests for a new certificate make one query;
#      - a revoked bidder is refused at its request (403
#        certificate-revoked, serial and revocation time) and no command
#        is recorded;
#      - a signer revoked in ten days: its requests today are served and a
#        command it signs today is accepted; at an instant after the
#        revocation (the driven clock) its command is refused
#        (certificate-revoked) and nothing is recorded: the signature's
#        instant decides, as with CRLs;
#      - a responder that accepts and never answers: 503 after
#        ocsp_timeout, and meanwhile ebidd answers other requests (the loop
#        is not blocked);
#      - the responder stopped: a certificate answered before is still
#        served (cache); a new one gets 503 ocsp-unavailable with
#        ocsp_soft_fail = no, and is served with a warning line and
#        ebid_ocsp_soft_fail_total with ocsp_soft_fail = yes;
#      - ocsp = aia: a certificate issued with an AIA OCSP URL (made here:
#        the responder's port is known only now) is checked at that URL;
#        one without AIA gets 503 ocsp-unavailable; one the CA's index
#        does not list gets 403 ocsp-unknown-certificate.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
OPORT=$(free_port)
MPORT=$(free_port)
HPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1

# the CA's own copy: its index is what the responder answers from (and
# the parties' certificates, bidder6 added below)
cp -r "$C" "$tmp/ca"
C=$tmp/ca
[ -r "$tmp/ca/index.txt" ] && [ -r "$tmp/ca/ocsp.crt" ] ||
	{ say "FAIL $C has no index.txt or ocsp.crt (made by an older certs/make-dev-certs.sh)"; exit 1; }
OURL=http://127.0.0.1:$OPORT/

# The responder: OpenSSL's (`openssl ocsp -index -rsigner -rkey -CA`,
# answering from the CA's index), one run per request (-reqin/-respout)
# behind a small HTTP front on loopback (`openssl ocsp -port` would listen
# on every interface); each request it answers is one line of
# $tmp/responder.log.
cat >"$tmp/responder.py" <<'PY'
import http.server, subprocess, sys, tempfile, os
port, ca, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with tempfile.TemporaryDirectory() as d:
            rq, rs = os.path.join(d, "req.der"), os.path.join(d, "resp.der")
            open(rq, "wb").write(body)
            p = subprocess.run(["openssl", "ocsp", "-index", ca + "/index.txt",
                "-rsigner", ca + "/ocsp.crt", "-rkey", ca + "/ocsp.key",
                "-CA", ca + "/ca.crt", "-nmin", "10", "-reqin", rq,
                "-respout", rs], capture_output=True)
            out = open(rs, "rb").read() if os.path.exists(rs) else b""
        with open(log, "a") as f:
            f.write("ocsp-request %d bytes -> %d bytes (openssl exit %d)\n" % (n, len(out), p.returncode))
        self.send_response(200 if out else 500)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
rpid=""
responder_start() {
	python3 "$tmp/responder.py" "$OPORT" "$tmp/ca" "$tmp/responder.log" >>"$tmp/responder.out" 2>&1 &
	rpid=$!
	extra_pids="$extra_pids $rpid"
	for _ in $(seq 1 100); do
		openssl ocsp -issuer "$tmp/ca/ca.crt" -cert "$tmp/ca/ocsp.crt" -url "$OURL" \
			-CAfile "$tmp/ca/ca.crt" -no_nonce >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	say "the OCSP responder did not start"; cat "$tmp/responder.out"; return 1
}
hits() { wc -l <"$tmp/responder.log"; }
responder_stop() { kill -TERM "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; }
metric() { # metric NAME{LABELS}: its value in ebidd's /metrics (0 when absent)
	curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
status_of() { # status_of PARTY OUTFILE: GET /v1/whoami as PARTY, prints the status
	curl_as "$1" -o "$2" -w '%{http_code}' "$URL/v1/whoami" 2>/dev/null
}
log_count() { psqlq -c "SELECT count(*) FROM log"; }
# cmd_refused PARTY REASON OUT: PARTY's command (a tender registration) is
# refused with REASON and the log has no new row
cmd_refused() {
	local n
	n=$(log_count)
	if ebid_as "$1" tender register "$tmp/t.xml" >"$3" 2>&1; then echo "accepted"; return 1; fi
	cat "$3"
	grep -q -- "$2" "$3" || return 1
	[ "$(log_count)" = "$n" ] || { echo "the log grew: $n -> $(log_count)"; return 1; }
}
good_q='ebid_ocsp_queries_total{result="good"}'

responder_start || exit 1
write_conf "ocsp_responder = $OURL" "ocsp_timeout = 3" "metrics_listen = $MPORT"
start_ebidd || exit 1
check "ebidd starts with the centre's OCSP responder, under the system-call filter" sh -c "grep -q 'ocsp: responder $OURL, soft fail no' '$tmp/ebidd.log' && grep -q 'system-call filter on' '$tmp/ebidd.log'"

# -- good certificates, the cache, one query per certificate ------------------
q0=$(metric "$good_q")
code=$(status_of bidder1 "$tmp/w1.xml")
q1=$(metric "$good_q")
check "a good certificate is served after one OCSP query (bidder1 whoami: $code; good: $q0 -> $q1)" test "$code" = 200 -a "$q1" = $((q0 + 1))
check "  ... logged with the responder's answer" grep -q "ocsp: certificate .*: good from $OURL" "$tmp/ebidd.log"
code=$(status_of bidder1 "$tmp/w2.xml")
q2=$(metric "$good_q")
hit=$(metric 'ebid_ocsp_checks_total{source="cache"}')
check "the second request is served from the cache ($code, queries still $q2, cache answers $hit)" test "$code" = 200 -a "$q2" = "$q1" -a "$hit" -ge 1
# SIGHUP forgets the kept answers: the next use asks the responder again
kill -HUP "$ebidd_pid"
for _ in $(seq 1 100); do grep -q 'SIGHUP: [0-9]* OCSP answer(s) forgotten' "$tmp/ebidd.log" && break; sleep 0.05; done
check "SIGHUP forgets the OCSP answers kept ($(grep -o 'SIGHUP: [0-9]* OCSP answer(s) forgotten' "$tmp/ebidd.log" | tail -n 1))" grep -q 'SIGHUP: [1-9][0-9]* OCSP answer(s) forgotten' "$tmp/ebidd.log"
code=$(status_of bidder1 "$tmp/w3.xml")
q2=$(metric "$good_q")
check "  ... and the next request of that certificate asks the responder again ($code; good: $q1 -> $q2)" test "$code" = 200 -a "$q2" = $((q1 + 1))
ppids=""
for i in 1 2 3 4 5 6 7 8; do
	status_of bidder3 "$tmp/p$i.xml" >"$tmp/p$i.code" &
	ppids="$ppids $!"
done
for p in $ppids; do wait "$p"; done
ok8=0
for i in 1 2 3 4 5 6 7 8; do [ "$(cat "$tmp/p$i.code")" = 200 ] && ok8=$((ok8 + 1)); done
q3=$(metric "$good_q")
check "eight parallel requests of a new certificate are served with one query ($ok8 of 8; good: $q2 -> $q3; $(metric 'ebid_ocsp_checks_total{source="joined"}') waited on it)" test "$ok8" = 8 -a "$q3" = $((q2 + 1))

# -- a revoked bidder --------------------------------------------------------
check "certs/revoke.sh revokes bidder2 in the CA's index" bash "$SRC/certs/revoke.sh" "$tmp/ca" bidder2
serial2=$(openssl x509 -in "$tmp/ca/bidder2.crt" -noout -serial | cut -d= -f2)
check "  ... the responder says revoked" sh -c "openssl ocsp -issuer '$tmp/ca/ca.crt' -cert '$tmp/ca/bidder2.crt' -url '$OURL' -CAfile '$tmp/ca/ca.crt' -no_nonce 2>&1 | grep -q ': revoked'"
code=$(status_of bidder2 "$tmp/r1.xml")
check "the revoked bidder is refused at its request ($code)" test "$code" = 403
check "  ... certificate-revoked" grep -q 'reason="certificate-revoked"' "$tmp/r1.xml"
check "  ... naming the serial and the revocation time" grep -qi "certificate $serial2 was revoked at 20[0-9-]*T[0-9:]*Z (OCSP" "$tmp/r1.xml"
now=$(clock_now)
deadline=$(iso_plus "$now" $((40 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
check "the revoked bidder's command is refused (certificate-revoked) and no command is recorded" cmd_refused bidder2 certificate-revoked "$tmp/r2.out"

# -- a signer revoked in ten days: the signature's instant decides -----------
later=$(date -u -d "@$(( $(date -u +%s) + 10 * 86400 ))" +%Y%m%d%H%M%SZ)
check "certs/revoke.sh revokes the tenderer from $later" bash "$SRC/certs/revoke.sh" "$tmp/ca" tenderer "$later"
serialT=$(openssl x509 -in "$tmp/ca/tenderer.crt" -noout -serial | cut -d= -f2)
code=$(status_of tenderer "$tmp/s1.xml")
check "today, before its revocation, the tenderer is served, though the responder said revoked ($code)" sh -c "test '$code' = 200 && grep -qi 'ocsp: certificate $serialT: revoked at ' '$tmp/ebidd.log'"
c0=$(metric 'ebid_ocsp_checks_total{source="cache"}')
T1=$(ebid_as tenderer tender register "$tmp/t.xml" 2>"$tmp/reg1.err" | awk '/ registered$/ {print $2}')
c1=$(metric 'ebid_ocsp_checks_total{source="cache"}')
check "  ... and a command it signs today is accepted, checked from the cache ($T1; cache answers $c0 -> $c1)" test -n "$T1" -a "$c1" -gt "$c0"
clock_to "$(iso_plus "$now" $((20 * 86400)))"
check "at an instant after its revocation (clock +20 days) the tenderer's command is refused (certificate-revoked), nothing recorded" cmd_refused tenderer certificate-revoked "$tmp/s2.out"

# -- a responder that never answers: the timeout, the loop goes on -----------
hang_pid=""
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); c=[]
while True: c.append(s.accept()[0])' "$HPORT" &
hang_pid=$!
extra_pids="$extra_pids $hang_pid"
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$HPORT") 2>/dev/null && break; sleep 0.1; done
write_conf "ocsp_responder = http://127.0.0.1:$HPORT/" "ocsp_timeout = 3" "metrics_listen = $MPORT"
restart_ebidd
qs0=$(metric 'ebid_ocsp_checks_total{source="query"}')
t0=$(date +%s%N)
status_of bidder4 "$tmp/h1.xml" >"$tmp/h1.code" &
bg=$!
# progress: the query for bidder4 is sent (and hangs)
for _ in $(seq 1 50); do [ "$(metric 'ebid_ocsp_checks_total{source="query"}')" -gt "$qs0" ] && break; sleep 0.05; done
t1=$(date +%s%N)
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/metrics" >"$tmp/h2.code"
t2=$(date +%s%N)
kill -0 "$bg" 2>/dev/null && inflight=yes || inflight=no
qs1=$(metric 'ebid_ocsp_checks_total{source="query"}')
wait "$bg"
t3=$(date +%s%N)
check "while a query hangs (sent: $qs0 -> $qs1, request waiting: $inflight), ebidd's loop answers /metrics ($(cat "$tmp/h2.code") in $(( (t2 - t1) / 1000000 )) ms)" test "$qs1" -gt "$qs0" -a "$inflight" = yes -a "$(cat "$tmp/h2.code")" = 200 -a "$(( (t2 - t1) / 1000000 ))" -lt 1500
check "the hung query ends after ocsp_timeout with 503 ($(cat "$tmp/h1.code") after $(( (t3 - t0) / 1000000 )) ms)" test "$(cat "$tmp/h1.code")" = 503 -a "$(( (t3 - t0) / 1000000 ))" -ge 2500
check "  ... ocsp-unavailable" grep -q 'reason="ocsp-unavailable"' "$tmp/h1.xml"
check "  ... the responder timed out" grep -q 'the responder timed out' "$tmp/h1.xml"
kill -TERM "$hang_pid" 2>/dev/null; wait "$hang_pid" 2>/dev/null

# -- the responder stopped: cache, then the soft-fail policy -----------------
write_conf "ocsp_responder = $OURL" "ocsp_timeout = 3" "metrics_listen = $MPORT"
restart_ebidd
code=$(status_of bidder1 "$tmp/c1.xml")
check "bidder1 is served, its answer now cached ($code, good queries $(metric "$good_q"))" test "$code" = 200 -a "$(metric "$good_q")" -ge 1
responder_stop
c0=$(metric 'ebid_ocsp_checks_total{source="cache"}')
code=$(status_of bidder1 "$tmp/c2.xml")
c1=$(metric 'ebid_ocsp_checks_total{source="cache"}')
check "responder stopped: a certificate answered before is still served from the cache ($code; cache answers $c0 -> $c1)" test "$code" = 200 -a "$c1" -gt "$c0"
code=$(status_of bidder5 "$tmp/c3.xml")
check "responder stopped, ocsp_soft_fail = no: a new certificate gets 503 ($code)" test "$code" = 503
check "  ... ocsp-unavailable" grep -q 'reason="ocsp-unavailable"' "$tmp/c3.xml"
check "  ... saying why" grep -q "no OCSP answer for certificate .* from $OURL: the responder" "$tmp/c3.xml"
refused_with "  ... and ebid as that party is refused" ocsp-unavailable ebid_as bidder5 tender show "$T1"
write_conf "ocsp_responder = $OURL" "ocsp_soft_fail = yes" "ocsp_timeout = 3" "metrics_listen = $MPORT"
restart_ebidd
code=$(status_of bidder5 "$tmp/c4.xml")
soft=$(metric ebid_ocsp_soft_fail_total)
check "responder stopped, ocsp_soft_fail = yes: served ($code), counted in ebid_ocsp_soft_fail_total ($soft)" test "$code" = 200 -a "$soft" -ge 1
check "  ... with a warning line" grep -q 'ocsp: soft fail: certificate .* allowed without an OCSP answer' "$tmp/ebidd.log"

# -- ocsp = aia ---------------------------------------------------------------
# bidder6: issued now with the responder's URL in its AIA; added to the
# CA's index as `openssl ca` would
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca/bidder6.key" 2>/dev/null
openssl req -new -key "$tmp/ca/bidder6.key" -out "$tmp/b6.csr" \
	-subj "/O=Rizhao Port Construction Co Ltd/OU=bidder/CN=Yin Hao/UID=bidder6/serialNumber=FC-P-3006"
cat >"$tmp/aia.cnf" <<CNF
[ aia ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation, keyAgreement
extendedKeyUsage       = clientAuth, emailProtection
authorityInfoAccess    = OCSP;URI:$OURL
CNF
openssl x509 -req -in "$tmp/b6.csr" -CA "$tmp/ca/ca.crt" -CAkey "$tmp/ca/ca.key" \
	-set_serial "0x$(openssl rand -hex 16)" -days 30 -extfile "$tmp/aia.cnf" -extensions aia \
	-out "$tmp/ca/bidder6.crt" 2>/dev/null
printf 'V\t%s\t\t%s\tunknown\t%s\n' \
	"$(date -u -d "$(openssl x509 -in "$tmp/ca/bidder6.crt" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)" \
	"$(openssl x509 -in "$tmp/ca/bidder6.crt" -noout -serial | cut -d= -f2)" \
	"$(openssl x509 -in "$tmp/ca/bidder6.crt" -noout -subject -nameopt compat | sed 's/^subject=//')" >>"$tmp/ca/index.txt"
aia=$(openssl x509 -in "$tmp/ca/bidder6.crt" -noout -ocsp_uri)
responder_start || exit 1
write_conf "ocsp = aia" "ocsp_timeout = 3" "metrics_listen = $MPORT"
restart_ebidd
check "ebidd starts with ocsp = aia" grep -q "ocsp: each certificate's AIA responder, soft fail no" "$tmp/ebidd.log"
code=$(status_of bidder6 "$tmp/a1.xml")
check "ocsp = aia: the certificate whose AIA names $aia is checked there (one good query: $(metric "$good_q")) and served ($code)" sh -c "test '$code' = 200 -a '$(metric "$good_q")' = 1 -a '$aia' = '$OURL' && grep -q 'good from $OURL' '$tmp/ebidd.log'"
code=$(status_of bidder1 "$tmp/a2.xml")
check "ocsp = aia: a certificate without AIA gets 503 ($code)" test "$code" = 503
check "  ... ocsp-unavailable: names no OCSP responder" grep -q 'names no OCSP responder' "$tmp/a2.xml"
# bidder7: issued with the same AIA but not in the CA's index: "unknown"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca/bidder7.key" 2>/dev/null
openssl req -new -key "$tmp/ca/bidder7.key" -out "$tmp/b7.csr" \
	-subj "/O=Weihai Harbour Works Co Ltd/OU=bidder/CN=Qiu Lan/UID=bidder7/serialNumber=FC-P-3007"
openssl x509 -req -in "$tmp/b7.csr" -CA "$tmp/ca/ca.crt" -CAkey "$tmp/ca/ca.key" \
	-set_serial "0x$(openssl rand -hex 16)" -days 30 -extfile "$tmp/aia.cnf" -extensions aia \
	-out "$tmp/ca/bidder7.crt" 2>/dev/null
code=$(status_of bidder7 "$tmp/a3.xml")
check "ocsp = aia: a certificate the responder does not know is refused ($code)" test "$code" = 403
check "  ... ocsp-unknown-certificate" grep -q 'reason="ocsp-unknown-certificate"' "$tmp/a3.xml"
finish

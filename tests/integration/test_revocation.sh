#!/usr/bin/env bash
# tests/integration/test_revocation.sh
#    Revocation (issue 21 point 3), through the real ebidd, the real ebid
#    and ebid-audit, with CRLs made by certs/revoke.sh (openssl ca):
#      - ebidd starts with an empty CRL folder (crl setting); a tender is
#        registered; the tenderer's certificate is revoked, the CRL put in
#        the folder and ebidd sent SIGHUP: the tenderer's next connection
#        fails the TLS handshake, a resumed TLS session of before the
#        revocation is refused at its request (certificate-revoked), other
#        parties go on;
#      - a bad CRL on a later SIGHUP is refused and the lists in force stay;
#      - ebid-audit verify --crl: the registration, signed before the
#        revocation, stands; with a revocation dated before it (a
#        compromise found late) the same log fails; a CRL of another CA and
#        a tampered CRL are refused.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
mkdir -p "$tmp/crls"
write_conf "crl = $tmp/crls"
start_ebidd || exit 1
check "ebidd starts with an empty CRL folder" grep -q 'revocations: 0 certificate(s) revoked in 0 CRL(s)' "$tmp/ebidd.log"

# the CA's own copy: revoke.sh writes its list beside the CA key
cp -r "$C" "$tmp/ca"
cp -r "$C" "$tmp/ca-late"

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
T=$(ebid_as tenderer tender register "$tmp/t.xml" 2>"$tmp/reg.err" | awk '/ registered$/ {print $2}')
check "the tenderer registers a tender ($T)" test -n "$T"

# a TLS session of the tenderer, saved before the revocation
sess_get() { # sess_get IN|OUT FILE: GET /v1/health as the tenderer over s_client
	printf 'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
		timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -quiet -ign_eof \
			-CAfile "$C/ca.crt" -cert "$C/tenderer.crt" -key "$C/tenderer.key" \
			"-sess_$1" "$2" 2>&1
}
sess_get out "$tmp/tenderer.sess" >"$tmp/sess1.out"
check "the tenderer's TLS session is saved (it read its health)" grep -q '200 OK' "$tmp/sess1.out"

# -- revoke the tenderer, reload -------------------------------------------
# A CRL dates revocations to the second (a signature in the same second as
# its revocation counts as after it): revoke in the next second.
sleep 1.1
check "certs/revoke.sh revokes the tenderer" bash "$SRC/certs/revoke.sh" "$tmp/ca" tenderer
cp "$tmp/ca/crl.pem" "$tmp/crls/ca.crl"
kill -HUP "$ebidd_pid"
for _ in $(seq 1 50); do grep -q 'revocations: 1 certificate(s) revoked in 1 CRL(s)' "$tmp/ebidd.log" && break; sleep 0.1; done
check "SIGHUP: ebidd reloads the CRL folder (1 revocation)" grep -q 'revocations: 1 certificate(s) revoked in 1 CRL(s)' "$tmp/ebidd.log"

code=$(curl_as tenderer -o "$tmp/h.out" -w '%{http_code}' "$URL/v1/health" 2>"$tmp/h.err"); rc=$?
check "the revoked tenderer's new connection fails the handshake (curl exit $rc, status $code)" test "$rc" -ne 0 -a "$code" = 000
refused "  ... and ebid as the tenderer is refused" ebid_as tenderer tender show "$T"
check "other parties go on (registrar reads the tender)" ebid_as registrar tender show "$T"
sess_get in "$tmp/tenderer.sess" >"$tmp/sess2.out"
check "a resumed session of before the revocation is refused at its request" grep -q 'certificate-revoked' "$tmp/sess2.out"
check "  ... with 403" grep -q '^HTTP/1.1 403' "$tmp/sess2.out"

# -- a bad CRL on reload changes nothing -----------------------------------
openssl crl -in "$tmp/ca/crl.pem" -outform DER -out "$tmp/crl.der"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[-5]^=1; open(sys.argv[2],'wb').write(b)" "$tmp/crl.der" "$tmp/bad.crl"
cp "$tmp/bad.crl" "$tmp/crls/zz-bad.crl"
kill -HUP "$ebidd_pid"
for _ in $(seq 1 50); do grep -q 'the lists in force stay' "$tmp/ebidd.log" && break; sleep 0.1; done
check "a tampered CRL on SIGHUP is refused, the lists in force stay" grep -q 'crl-bad-signature); the lists in force stay' "$tmp/ebidd.log"
code=$(curl_as tenderer -o /dev/null -w '%{http_code}' "$URL/v1/health" 2>/dev/null)
check "  ... the tenderer is still refused ($code)" test "$code" = 000
rm -f "$tmp/crls/zz-bad.crl"

# -- the auditor --------------------------------------------------------
check "auditor exports the tender's log" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" "$AUDIT" export --tender "$T" -o "$tmp/$T.log.xml"
"$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --crl "$tmp/ca/crl.pem" >"$tmp/v1.out" 2>&1; rc=$?
check "verify --crl: signed before the revocation, the log stands (exit $rc)" test "$rc" = 0
check "  ... and the revocation is listed" grep -q "^crl: serial .* revoked at " "$tmp/v1.out"
check "certs/revoke.sh records a compromise found late (revoked 2020)" bash "$SRC/certs/revoke.sh" "$tmp/ca-late" tenderer 20200101000000Z
"$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --crl "$tmp/ca-late/crl.pem" >"$tmp/v2.out" 2>&1; rc=$?
check "verify --crl: a signature made after the revocation fails (exit $rc)" test "$rc" = 1
check "  ... naming certificate-revoked" grep -q 'certificate-revoked\|was revoked at 2020-01-01T00:00:00Z' "$tmp/v2.out"
check "the same log without --crl verifies" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
"$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --crl "$tmp/bad.crl" >"$tmp/v3.out" 2>&1; rc=$?
check "verify --crl with a tampered CRL: refused (exit $rc)" test "$rc" = 1
check "  ... crl-bad-signature" grep -q 'crl-bad-signature\|signature does not verify' "$tmp/v3.out"
if [ -r "$C/other-ca.key" ]; then
	cp -r "$C" "$tmp/other"
	cp "$C/other-ca.crt" "$tmp/other/ca.crt"
	cp "$C/other-ca.key" "$tmp/other/ca.key"
	bash "$SRC/certs/revoke.sh" "$tmp/other" bidder1 >/dev/null 2>&1
	"$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --crl "$tmp/other/crl.pem" >"$tmp/v4.out" 2>&1; rc=$?
	check "verify --crl with another CA's CRL: refused (exit $rc)" test "$rc" = 1
	check "  ... crl-unknown-issuer" grep -q 'issuer is not a CA of the trust' "$tmp/v4.out"
fi
finish

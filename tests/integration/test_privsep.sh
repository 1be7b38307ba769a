#!/usr/bin/env bash
# tests/integration/test_privsep.sh
#    Privilege separation (issue 21 point 1; docs/architecture.md), through
#    the real ebidd started as root (CI runs as root; as another user the
#    script says so and checks only what that user can):
#      - ebidd is two processes: the network process (the pid it was
#        started as) and its child, the key process "ebidd-keys";
#      - the network process runs as the configured user (nobody here),
#        with no new privileges and seccomp mode 2; the key process keeps
#        root, with no new privileges and its own seccomp filter (mode 2,
#        both threads), installed once its keys were loaded;
#      - as the network process's user, none of the key files can be read
#        (setpriv with its uid and gid);
#      - the network process's memory (read by root through /proc/PID/mem)
#        holds none of the signing, TSA and opening authority private keys
#        (their private scalars, in either byte order), while the key
#        process's memory holds the signing key and the network process's
#        holds its TLS key (the scan finds keys where they are);
#      - chain heads signed by the key process verify (ebid-audit export
#        and verify), signed by the signing certificate, not the TLS one;
#      - the whole tender flow (receipts, the opening with the shares
#        resealed to the signing certificate) passes with the separate
#        signing key;
#      - SIGHUP reopens the log as the unprivileged user; SIGTERM stops
#        both processes and the pid file goes (the key process removes it);
#      - the opening under the key process's filter: a streamed large bid
#        (`ebid bid seal --attach`, 3 MB, uploaded) and two inline ones are
#        decrypted at their prices, their receipts verify;
#      - killing the key process stops the server: exit status 1, the log
#        says why; a call outside the key process's allow-list (gdb makes
#        it call getppid) is logged by number and ends it (159) and ebidd
#        (1); killing the network process ends the key process;
#      - the packaged deployment (tools/package's unit): started as root
#        bounded to CAP_SETUID CAP_SETGID CAP_CHOWN (setpriv), the keys
#        owned by the key user (daemon stands in for ebid-keys) 0600,
#        which root so bounded cannot read: the key process runs as that
#        user, the network process as nobody, neither holds a capability,
#        a chain head is signed and verifies; an unknown key_user stops
#        ebidd at start.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
# the envelope store (large bids) is the network process's: nobody's
# (made by hand without its uploads/ folder: ebidd makes that itself, as
# nobody, at the first upload; it once took such a folder as ready)
mkdir -p "$tmp/envelopes"
[ "$(id -u)" = 0 ] && chown -R nobody: "$tmp/envelopes"
write_conf "signing_cert = $C/server-signing.crt" "signing_key = $C/server-signing.key" \
	"user = nobody" "envelope_dir = $tmp/envelopes" "upload_min_free = 0"
start_ebidd || exit 1
net=$ebidd_pid
keyp=$(cat "/proc/$net/task/$net/children" 2>/dev/null | awk '{print $1}')
status_of() { awk -v k="$2:" '$1 == k {print $2; exit}' "/proc/$1/status"; }

check "the key process is the network process's child ($keyp)" test -n "$keyp"
check "  ... named ebidd-keys" test "$(cat "/proc/$keyp/comm" 2>/dev/null)" = ebidd-keys
check "the log names the key process" grep -q "key process $keyp holds the signing, TSA, opening authority keys" "$tmp/ebidd.log"
check "no warning that the TLS key signs (separate keys)" bash -c "! grep -q 'also the signing key' '$tmp/ebidd.log'"
check "the network process has no new privileges" test "$(status_of "$net" NoNewPrivs)" = 1
check "the network process runs under seccomp (mode 2)" test "$(status_of "$net" Seccomp)" = 2
check "the key process has no new privileges either" test "$(status_of "$keyp" NoNewPrivs)" = 1
check "the key process runs under seccomp (mode 2) too" test "$(status_of "$keyp" Seccomp)" = 2
check "  ... on both of its threads" bash -c "for t in /proc/$keyp/task/*; do grep -qx 'Seccomp:[[:space:]]*2' \$t/status || exit 1; done; test \$(ls /proc/$keyp/task | wc -l) = 2"
check "  ... installed once its keys were loaded (the log says so)" grep -q 'key process: system-call filter on' "$tmp/ebidd.log"

if [ "$(id -u)" = 0 ]; then
	nuid=$(id -u nobody) ngid=$(id -g nobody)
	check "the network process runs as nobody (uid $nuid, real, effective, saved, fs)" \
		test "$(awk '$1 == "Uid:" {print $2, $3, $4, $5}' "/proc/$net/status")" = "$nuid $nuid $nuid $nuid"
	check "  ... in nobody's group only" \
		test "$(awk '$1 == "Gid:" {print $2, $3, $4, $5}' "/proc/$net/status") / $(status_of "$net" Groups)" = "$ngid $ngid $ngid $ngid / $ngid"
	check "the key process keeps root" test "$(awk '$1 == "Uid:" {print $3}' "/proc/$keyp/status")" = 0
	for k in server-signing tsa opening-authority; do
		refused "as the network process's user, $k.key cannot be read" \
			setpriv --reuid="$nuid" --regid="$ngid" --clear-groups cat "$C/$k.key"
		check "  ... though root can (the check can fail)" cat "$C/$k.key"
	done
	check "the network process holds no key file open" \
		bash -c "! ls -l /proc/$net/fd 2>/dev/null | grep -q '\\.key\$'"

	# the private scalars of the keys, big- and little-endian (OpenSSL's
	# BIGNUM limbs are little-endian in memory)
	cat >"$tmp/memscan.py" <<'PY'
import subprocess, sys
def scalar(path):
    t = subprocess.run(["openssl", "pkey", "-in", path, "-noout", "-text"],
                       capture_output=True, text=True, check=True).stdout
    hexs, on = "", False
    for line in t.splitlines():
        s = line.strip()
        if s.startswith("priv:"):
            on = True
            continue
        if on and s.endswith(":") and not s.replace(":", "").isalnum():
            break
        if on and (s.startswith("pub:") or s.startswith("ASN1")):
            break
        if on:
            hexs += s.replace(":", "")
    b = bytes.fromhex(hexs).lstrip(b"\0").rjust(32, b"\0")
    return b
def scan(pid, needles):
    found = set()
    with open("/proc/%d/maps" % pid) as m, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in m:
            f = line.split()
            if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
                continue
            a, b = (int(x, 16) for x in f[0].split("-"))
            if b - a > (4 << 30):
                continue          # a sanitizer's shadow reservation
            prev = b""
            while a < b:
                try:
                    mem.seek(a)
                    data = mem.read(min(b - a, 16 << 20))
                except (OSError, ValueError, OverflowError):
                    break
                if not data:
                    break
                chunk = prev + data
                for name, n in needles.items():
                    if n in chunk or n[::-1] in chunk:
                        found.add(name)
                prev = data[-64:]
                a += len(data)
    return found
pid = int(sys.argv[1])
needles = {}
for arg in sys.argv[2:]:
    name, path = arg.split("=", 1)
    needles[name] = scalar(path)
print(" ".join(sorted(scan(pid, needles))) or "none")
PY
	keys="signing=$C/server-signing.key tsa=$C/tsa.key opening-authority=$C/opening-authority.key tls=$C/server.key"
	python3 "$tmp/memscan.py" "$net" $keys >"$tmp/net.keys" 2>"$tmp/net.err"
	python3 "$tmp/memscan.py" "$keyp" $keys >"$tmp/kp.keys" 2>"$tmp/kp.err"
	check "root reads both processes' memory (scan ran)" test -s "$tmp/net.keys" -a -s "$tmp/kp.keys"
	check "the network process's memory holds its TLS key (the scan finds keys: $(cat "$tmp/net.keys"))" \
		grep -qw tls "$tmp/net.keys"
	for k in signing tsa opening-authority; do
		check "the network process's memory holds no $k private key" bash -c "! grep -qw '$k' '$tmp/net.keys'"
	done
	check "the key process's memory holds the signing and TSA keys ($(cat "$tmp/kp.keys"))" \
		bash -c "grep -qw signing '$tmp/kp.keys' && grep -qw tsa '$tmp/kp.keys'"
	check "  ... and not the TLS key" bash -c "! grep -qw tls '$tmp/kp.keys'"
else
	say "not root: the user switch and the memory scan need root (skipped)"
fi

# -- what the key process signs still verifies ---------------------------------
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
T=$(ebid_as tenderer tender register "$tmp/t.xml" 2>"$tmp/reg.err" | awk '/ registered$/ {print $2}')
check "a tender is registered through the separated server ($T)" test -n "$T"
check "  ... and accepted" ebid_as registrar tender accept "$T"
check "ebid-audit exports its log (the last chain head signed by the key process)" \
	"$AUDIT" export --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" \
	--tender "$T" -o "$tmp/$T.log.xml"
check "  ... and verifies it" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
check "GET /v1/server-certificate is the signing certificate, not the TLS one" bash -c "
	curl -s --cacert '$C/ca.crt' --cert '$C/auditor.crt' --key '$C/auditor.key' '$URL/v1/server-certificate' |
		sed -n 's:.*<certificate>\\(.*\\)</certificate>.*:\\1:p' | base64 -d |
		openssl x509 -inform DER -noout -fingerprint -sha256 >'$tmp/sc.fp' &&
	openssl x509 -in '$C/server-signing.crt' -noout -fingerprint -sha256 | cmp -s - '$tmp/sc.fp' &&
	! openssl x509 -in '$C/server.crt' -noout -fingerprint -sha256 | cmp -s - '$tmp/sc.fp'"

# -- the opening through the filtered key process, a streamed large bid too -----
# bidder1's bid sealed with an attachment (a streamed envelope, uploaded in
# chunks), bidder2's and bidder3's inline; the opening key recovered and both envelopes
# decrypted in the key process under its system-call filter
ebid_as supervisor tender publish "$T" >/dev/null
for i in 1 2 3; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null
	ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/bid$i.xml"
done
head -c 3000000 /dev/urandom >"$tmp/drawings.bin"
check "bidder1 seals a 3 MB bid with an attachment (ebid bid seal --attach)" \
	ebid_as bidder1 bid seal --tender "$T" "$tmp/bid1.xml" --attach "$tmp/drawings.bin" -o "$tmp/b1.sealed"
check "  ... a streamed envelope apart from the command" test -s "$tmp/b1.sealed.env"
check "  ... submitted (uploaded, then the command)" ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" -o "$tmp/b1.receipt"
check "  ... its receipt (TSA token from the key process) verifies" ebid_as bidder1 receipt verify "$tmp/b1.receipt" "$tmp/b1.sealed"
for i in 2 3; do
	check "bidder$i seals an inline bid" ebid_as "bidder$i" bid seal --tender "$T" "$tmp/bid$i.xml" -o "$tmp/b$i.sealed"
	check "  ... and submits it" ebid_as "bidder$i" bid submit --tender "$T" "$tmp/b$i.sealed" -o "$tmp/b$i.receipt"
done
clock_to "$(iso_plus "$deadline" 1)"
check "the deadline reached" wait_state tender "$T" awaiting-opening
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
for _ in $(seq 1 300); do
	ebid_as supervisor tender show "$T" >"$tmp/view.xml" 2>/dev/null
	grep -q '<bid-result' "$tmp/view.xml" && break
	sleep 0.2
done
for i in 1 2 3; do
	price=$(grep -o '<total-price>[0-9]*' "$tmp/bid$i.xml" | head -1 | cut -d'>' -f2)
	check "the opening decrypted bidder$i's bid in the key process ($price fen)" \
		grep -q "<bid-result bidder=\"bidder$i\" commitment=\"[0-9a-f]*\" status=\"opened\" total-price=\"$price\"" "$tmp/view.xml"
done
check "the key process is still there, still filtered" test "$(status_of "$keyp" Seccomp)" = 2
check "  ... and nothing was stopped by a filter" bash -c "! grep -q 'FATAL: system call' '$tmp/ebidd.log' '$tmp/ebidd.out'"

# -- SIGHUP reopens the log as the network process's user; SIGTERM stops both ----
kill -HUP "$net"
for _ in $(seq 1 50); do grep -q 'SIGHUP: reloading' "$tmp/ebidd.log" && break; sleep 0.1; done
curl_as auditor -o /dev/null "$URL/v1/health"
check "after SIGHUP the unprivileged network process still logs" \
	bash -c "sed -n '/SIGHUP: reloading/,\$p' '$tmp/ebidd.log' | grep -q 'path=/v1/health'"
check "  ... without failing to reopen it" bash -c "! grep -q 'log-unwritable\|cannot open log' '$tmp/ebidd.log'"
kill -TERM "$net"; wait "$net"; rc=$?
check "SIGTERM stops ebidd, exit 0 (got $rc)" test "$rc" = 0
check "  ... the key process ended with it" bash -c "! kill -0 $keyp 2>/dev/null"
check "  ... and the pid file is removed (by the key process: nobody cannot)" test ! -e "$tmp/ebidd.pid"
start_ebidd || exit 1
net=$ebidd_pid
keyp=$(cat "/proc/$net/task/$net/children" 2>/dev/null | awk '{print $1}')

# -- killing the key process stops the server ------------------------------------
kill -KILL "$keyp"
for _ in $(seq 1 100); do kill -0 "$net" 2>/dev/null || break; sleep 0.1; done
wait "$net"; rc=$?
check "killing the key process stops the network process, exit status 1 (got $rc)" test "$rc" = 1
check "  ... saying why" grep -q "the key process (pid $keyp) was killed by signal 9: stopping" "$tmp/ebidd.log"
check "  ... and stopping cleanly" grep -q 'main: stopped' "$tmp/ebidd.log"
ebidd_pid=""

# -- a call outside the key process's allow-list ends it, and ebidd ---------------
# gdb makes the key process call getppid(), which its filter forbids; the
# sanitizer build only logs forbidden calls (its runtime needs them)
start_ebidd || exit 1
net=$ebidd_pid
keyp=$(cat "/proc/$net/task/$net/children" 2>/dev/null | awk '{print $1}')
if case "$(ldd "$EBIDD" 2>/dev/null)" in *libasan*) true ;; *) false ;; esac; then
	say "sanitizer build: a forbidden call is logged, not fatal (the gdb check skipped)"
	kill -TERM "$net"; wait "$net"
elif ! command -v gdb >/dev/null; then
	say "no gdb: the forbidden call check skipped"
	kill -TERM "$net"; wait "$net"
else
	gdb -p "$keyp" -batch -nx -ex 'handle SIGSYS nostop noprint pass' \
		-ex 'call ((long (*)(long))syscall)(110)' -ex detach >"$tmp/gdb.out" 2>&1
	for _ in $(seq 1 100); do kill -0 "$net" 2>/dev/null || break; sleep 0.1; done
	wait "$net"; rc=$?
	check "a forbidden call (getppid, 110) in the key process stops ebidd, exit status 1 (got $rc)" test "$rc" = 1
	check "  ... the log names the call and the key process's list" \
		grep -q "FATAL: system call 110 is not in the key process's allow-list (engine/server/keyproc.c" "$tmp/ebidd.log"
	check "  ... the key process ended with status 159 (SIGSYS)" grep -q "the key process (pid $keyp) exited with status 159: stopping" "$tmp/ebidd.log"
fi
ebidd_pid=""

# -- killing the network process ends the key process ----------------------------
start_ebidd || exit 1
net=$ebidd_pid
keyp=$(cat "/proc/$net/task/$net/children" 2>/dev/null | awk '{print $1}')
kill -KILL "$net"; wait "$net" 2>/dev/null
for _ in $(seq 1 50); do kill -0 "$keyp" 2>/dev/null || break; sleep 0.1; done
check "killing the network process ends the key process ($keyp) too" bash -c "! kill -0 $keyp 2>/dev/null"
ebidd_pid=""

# -- the packaged deployment: root with three capabilities, a key user --------------
# as tools/package's unit: started as root with the bounding set
# CAP_SETUID CAP_SETGID CAP_CHOWN (no CAP_DAC_OVERRIDE: root reads only
# what it owns), the key files owned by the key user (daemon stands in for
# ebid-keys) and mode 0600, key_user = daemon, user = nobody
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	KU=daemon kuid=$(id -u daemon)
	mkdir -p "$tmp/keys"
	for k in server-signing tsa opening-authority; do cp "$C/$k.key" "$tmp/keys/"; done
	chown -R "$KU:" "$tmp/keys"; chmod 0700 "$tmp/keys"; chmod 0600 "$tmp/keys"/*.key
	BSET=-all,+setuid,+setgid,+chown
	chmod 755 "$pgdir"    # the test cluster's socket folder: no DAC override now
	refused "root bounded to the unit's capabilities cannot read the key user's keys (so the key process switches before reading)" \
		setpriv --bounding-set="$BSET" cat "$tmp/keys/tsa.key"
	check "  ... the key user can" setpriv --reuid="$kuid" --regid="$(id -g daemon)" --clear-groups cat "$tmp/keys/tsa.key"
	write_conf "signing_cert = $C/server-signing.crt" "signing_key = $tmp/keys/server-signing.key" \
		"tsa_key = $tmp/keys/tsa.key" "opening_authority_key = $tmp/keys/opening-authority.key" \
		"user = nobody" "key_user = $KU" "envelope_dir = $tmp/envelopes" "upload_min_free = 0"
	printf '#!/bin/sh\nexec setpriv --bounding-set=%s --inh-caps=-all %s "$@"\n' "$BSET" "$EBIDD" >"$tmp/ebidd-bounded"
	chmod +x "$tmp/ebidd-bounded"
	EBIDD_REAL=$EBIDD EBIDD=$tmp/ebidd-bounded
	start_ebidd || exit 1
	EBIDD=$EBIDD_REAL
	net=$ebidd_pid
	keyp=$(cat "/proc/$net/task/$net/children" 2>/dev/null | awk '{print $1}')
	check "the key process runs as the key user ($KU, uid $kuid: real, effective, saved, fs)" \
		test "$(awk '$1 == "Uid:" {print $2, $3, $4, $5}' "/proc/$keyp/status")" = "$kuid $kuid $kuid $kuid"
	check "  ... in its group only" test "$(status_of "$keyp" Groups)" = "$(id -g daemon)"
	check "  ... with no capability left (CapEff, CapPrm 0)" \
		test "$(status_of "$keyp" CapEff)/$(status_of "$keyp" CapPrm)" = 0000000000000000/0000000000000000
	check "  ... its seccomp filter on" test "$(status_of "$keyp" Seccomp)" = 2
	check "the network process runs as nobody with no capability left" \
		test "$(awk '$1 == "Uid:" {print $3}' "/proc/$net/status")/$(status_of "$net" CapEff)" = "$(id -u nobody)/0000000000000000"
	check "  ... and its bounding set is the unit's (setuid, setgid, chown: 00000000000000c1)" \
		test "$(status_of "$net" CapBnd)" = 00000000000000c1
	refused "as nobody the key user's keys cannot be read" \
		setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups cat "$tmp/keys/server-signing.key"
	check "the log says which user each process runs as" bash -c "grep -q 'the key process runs as $KU' '$tmp/ebidd.log' && grep -q 'the network process runs as nobody' '$tmp/ebidd.log'"
	T2=$(ebid_as tenderer tender register "$tmp/t.xml" 2>/dev/null | awk '/ registered$/ {print $2}')
	check "a tender is registered (a chain head signed by the key user's process) ($T2)" test -n "$T2"
	check "  ... its log exported and verified" bash -c "'$AUDIT' export --url '$URL' --ca '$C/ca.crt' --cert '$C/auditor.crt' --key '$C/auditor.key' --tender '$T2' -o '$tmp/t2.log.xml' && '$AUDIT' verify '$tmp/t2.log.xml' --ca '$C/ca.crt'"
	kill -TERM "$net"; wait "$net"; rc=$?
	check "SIGTERM stops it, exit 0 (got $rc)" test "$rc" = 0
	ebidd_pid=""
	write_conf "signing_cert = $C/server-signing.crt" "signing_key = $C/server-signing.key" \
		"user = nobody" "key_user = no-such-user-ebid"
	"$EBIDD" --config "$tmp/ebidd.conf" >"$tmp/ku.out" 2>&1; rc=$?
	check "an unknown key_user stops ebidd at start (exit $rc), naming it" \
		bash -c "test $rc = 1 && grep -q 'no-such-user-ebid' '$tmp/ku.out' && grep -q 'user-unknown\|does not exist' '$tmp/ku.out'"
else
	say "not root or no setpriv: the key user's check skipped"
fi

# -- the whole tender flow with the separate signing key -------------------------
# receipts (TSA key), the opening key made and the bids opened in the key
# process, the shares resealed to GET /v1/server-certificate's certificate
flow_out=$tmp/tender_flow.out
# (IT_SIGNING: the audit's tampering battery forges with the signing key)
EBID_CERTS=$C IT_SIGNING=server-signing IT_EXTRA_CONF="signing_cert = $C/server-signing.crt
signing_key = $C/server-signing.key" bash "$SRC/tests/integration/test_tender_flow.sh" >"$flow_out" 2>&1
check "the tender flow passes with the signing key apart ($(tail -n 1 "$flow_out"))" \
	grep -qE '^[0-9]+ passed, 0 failed$' "$flow_out"
finish

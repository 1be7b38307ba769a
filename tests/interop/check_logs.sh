#!/usr/bin/env bash
# tests/interop/check_logs.sh EBID-AUDIT
#    The promise that old logs still replay (issue 13 point 3, docs/audit.md
#    "Rules versions"): every log committed under tests/data/logs/, exported
#    by an earlier ebid, must verify and replay with this one, offline, with
#    only its committed CA certificate, and the replay must print exactly
#    the committed timeline (NAME.replay.txt).  The independent verifier
#    (verify_log.py) must agree.  A copy whose entry names a rules version
#    later than this engine keeps (re-chained, so that only the version is
#    wrong) must fail clearly with rules-unknown at that entry, never
#    replay by other rules.
#    Run by CTest logs_replay (label unit: no server, no database).
set -uo pipefail
AUDIT=${1:?usage: check_logs.sh EBID-AUDIT}
case $AUDIT in /*) ;; *) AUDIT=$PWD/$AUDIT ;; esac   # the replay runs in $D
SRC=$(cd "$(dirname "$0")/../.." && pwd)
D=$SRC/tests/data/logs
tmp=$(mktemp -d /tmp/ebidit.logs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { local what=$1; shift; if "$@" >"$tmp/check.out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/  | /' "$tmp/check.out" | tail -20; fi; }

logs=("$D"/*.log.xml)
check "tests/data/logs holds logs (${#logs[@]})" test "${#logs[@]}" -ge 2
for log in "${logs[@]}"; do
	name=$(basename "$log" .log.xml)
	check "$name: verifies with only the committed CA (exit 0)" \
		"$AUDIT" verify "$log" --ca "$D/ca.crt"
	# relative paths: the timeline must not depend on where the tree is
	(cd "$D" && "$AUDIT" replay "$name.log.xml" --ca ca.crt) >"$tmp/$name.txt" 2>&1
	check "$name: replays (exit 0)" test "$?" = 0
	check "$name: the replay prints the committed timeline ($name.replay.txt)" \
		diff -u "$D/$name.replay.txt" "$tmp/$name.txt"
	if command -v python3 >/dev/null && command -v openssl >/dev/null; then
		check "$name: the independent verifier agrees (verify_log.py)" \
			python3 "$SRC/tests/interop/verify_log.py" "$log" --ca "$D/ca.crt" \
			--cache "$tmp/cache"
	fi
done

# A later rules version than this engine keeps: entry 2 says so, the chain
# is recomputed so that nothing else is wrong before the replay.
cur=$(sed -n 's/^#define EB_RULES_CURRENT \([0-9]*\).*/\1/p' "$SRC/engine/core/cmd.h")
check "engine/core/cmd.h names the current rules version ($cur)" test -n "$cur"
if command -v python3 >/dev/null; then
	first=$(ls "$D"/S-*.log.xml | head -1)   # the sale: its rules changed in version 2
	rechain() { # rechain IN OUT VERSION: entry 2 names VERSION ("" drops every rules)
	python3 - "$1" "$2" "$3" "$SRC/tests/interop" <<'EOF'
import hashlib, sys
import xml.etree.ElementTree as ET
src, out, version, lib = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, lib)
import verify_log as V
ET.register_namespace("", V.NS)
tree = ET.parse(src)
root = tree.getroot()
agg, kind = root.get("aggregate"), root.get("kind")
prev = "0" * 64
for x in root.findall(V.Q + "entry"):
    n = int(x.get("seq"))
    if version == "":
        x.attrib.pop("rules", None)
    elif n == 2:
        x.set("rules", version)
    e = {k: x.get(k) for k in ("seq", "time", "party", "role", "person",
                               "clock", "rules")}
    cmd = V.b64(x.find(V.Q + "command"), n, "command")
    r = x.find(V.Q + "receipt")
    receipt = V.b64(r, n, "receipt") if r is not None else None
    body = V.entry_bytes(agg, kind, e, cmd, receipt, x.find(V.Q + "events"))
    x.set("prev-hash", prev)
    prev = hashlib.sha256(bytes.fromhex(prev) + n.to_bytes(8, "big") +
                          body).hexdigest()
    x.set("hash", prev)
tree.write(out, encoding="UTF-8", xml_declaration=True)
EOF
	}
	rechain "$first" "$tmp/future.xml" $((cur + 1))
	"$AUDIT" verify "$tmp/future.xml" --ca "$D/ca.crt" >"$tmp/future.out" 2>&1
	r=$?
	check "an entry of a later rules version ($((cur + 1))) fails (exit $r)" test "$r" = 1
	check "  ... clearly: rules-unknown at entry 2, naming the versions kept" \
		grep -q "entry 2 .*rules" "$tmp/future.out"
	check "  ... with the reason token" grep -q "rules-unknown" "$tmp/future.out"
	check "  ... and the versions" grep -q "rules version $((cur + 1)); this ebid-audit keeps versions 1 to $cur" "$tmp/future.out"

	# Entries without a rules attribute (written before versions were
	# recorded) replay as version 1: every entry holds; only the server's
	# signed heads, over the original hashes, no longer match.
	rechain "$first" "$tmp/unversioned.xml" ""
	check "(the copy has no rules attribute left)" bash -c "! grep -q ' rules=' '$tmp/unversioned.xml'"
	"$AUDIT" verify "$tmp/unversioned.xml" --ca "$D/ca.crt" >"$tmp/unversioned.out" 2>&1
	check "entries without a rules version replay as version 1: only the signed heads differ" \
		grep -q "chain-head-mismatch" "$tmp/unversioned.out"
	check "  ... not the replay" bash -c "! grep -qE 'replay-differs|rules-unknown|hash-mismatch' '$tmp/unversioned.out'"
fi
echo "$passed passed, $failed failed"
test "$failed" = 0

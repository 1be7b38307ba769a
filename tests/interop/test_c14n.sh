#!/usr/bin/env bash
# tests/interop/test_c14n.sh
#    ebid's canonical form is W3C Canonical XML 1.0 (issue 13 point 2):
#    every hostile case canon_hostile writes must come back byte for byte
#    from `xmllint --c14n`, an implementation ebid does not call.
#    usage: test_c14n.sh CANON_HOSTILE     (ends "N passed, N failed")
set -uo pipefail
tool=$1
d=$(mktemp -d "${TMPDIR:-/tmp}/c14n.XXXXXX")
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
"$tool" "$d" || { echo "canon_hostile failed"; echo "0 passed, 1 failed"; exit 1; }
for w in "$d"/*.wire.xml; do
	i=$(basename "$w" .wire.xml)
	# the wire form is the declaration line, then the canonical form
	if xmllint --c14n "$w" | cmp -s - <(tail -n +2 "$w"); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL case $i (wire): ebid vs xmllint --c14n:"
		tail -n +2 "$w" | od -c | head -5; xmllint --c14n "$w" | od -c | head -5
	fi
	if xmllint --c14n "$d/$i.canon.xml" | cmp -s - "$d/$i.canon"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL case $i (hashed form): ebid vs xmllint --c14n:"
		od -c "$d/$i.canon" | head -5; xmllint --c14n "$d/$i.canon.xml" | od -c | head -5
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

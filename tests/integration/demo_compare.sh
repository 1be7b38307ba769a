#!/usr/bin/env bash
# tests/integration/demo_compare.sh
#    Proves that a change of ebidd's shape changes no behaviour: the demo
#    (tools/demo.sh: a whole tender with its expert pool, and a whole
#    listing-then-auction sale) runs against two ebidd binaries, each on a
#    fresh PostgreSQL and the driven test clock pinned to the same
#    instant, and the logs ebid-audit exports from each must carry the
#    same commands and events.
#
#    Usage:
#      demo_compare.sh --before EBIDD [--after EBIDD]
#      demo_compare.sh --rev REV [--after EBIDD]
#    --rev builds REV's ebidd (git archive into a temporary folder);
#    --after defaults to $EBID_BUILD/ebidd.  The client and ebid-audit are
#    always this tree's ($EBID_BUILD).  Exit 0 and "same commands and
#    events" when the two agree; 1 with the diff otherwise.
#
#    What "the same" means (normalize()): each exported entry becomes
#    lines of text: seq, time, actor (role, party, person), the signed
#    command's XML (from the CMS, openssl cms) and the events' XML.  Values
#    that differ from run to run whatever the server does are masked:
#    the hash chain, signatures, base64 blobs (sealed bids, shares, keys,
#    receipts), SHA-256 hex values, and the values that follow from the
#    demo's random draw secret and random bid envelopes (mask_draw: who
#    sits on the committee, the scores, the coefficient, the ranking).
#    Element and attribute names, their order and number, the entries'
#    actors and times, ids, states, amounts and every other value are
#    compared as they are.  The sale's log has no such value: it is
#    compared whole.
#
#    env: EBID_SRC, EBID_BUILD (default: this tree, build/), EBID_CERTS
#    (optional), TMPDIR.  Ports: free ones (ports.sh).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${EBID_SRC:-$(cd "$here/../.." && pwd)}
BUILD=${EBID_BUILD:-$SRC/build}
export EBID_SRC=$SRC EBID_BUILD=$BUILD

die() { printf 'demo_compare: %s\n' "$*" >&2; exit 2; }

# --run EBIDD OUTDIR T0: one demo run (internal; called twice below).
if [ "${1:-}" = --run ]; then
	ebidd_bin=$2 out=$3 t0=$4
	. "$here/ports.sh"
	PGPORT_T=$(free_port)
	PORT=$(free_port)
	. "$here/lib.sh"
	EBIDD=$ebidd_bin
	it_prepare
	pg_start || exit 1
	write_conf
	start_ebidd || exit 1
	clock_to "$t0" || { say "cannot pin the clock to $t0"; exit 1; }
	mkdir -p "$out/demo"
	if ! EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C EBID_BUILD=$BUILD \
		EBID_DEMO_DIR=$out/demo EBID_BOARD_URL= \
		bash "$SRC/tools/demo.sh" >"$out/demo.out" 2>&1; then
		tail -n 30 "$out/demo.out"
		say "the demo failed against $ebidd_bin (output: $out/demo.out)"
		fails=1
		cp "$tmp/ebidd.log" "$out/" 2>/dev/null
		exit 1
	fi
	cp "$tmp/ebidd.log" "$out/" 2>/dev/null
	exit 0
fi

before="" after=$BUILD/ebidd rev="" keep=""
while [ $# -gt 0 ]; do
	case $1 in
	--before) before=$2; shift 2;;
	--after) after=$2; shift 2;;
	--rev) rev=$2; shift 2;;
	--keep) keep=$2; shift 2;;
	*) die "usage: demo_compare.sh (--before EBIDD | --rev REV) [--after EBIDD] [--keep DIR]";;
	esac
done
[ -n "$before$rev" ] || die "give --before EBIDD or --rev REV"
work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/democmp.XXXXXX")}
mkdir -p "$work"

if [ -n "$rev" ]; then
	mkdir -p "$work/base"
	git -C "$SRC" archive "$rev" | tar -x -C "$work/base" || die "cannot export $rev"
	cmake -S "$work/base" -B "$work/base/build" >"$work/base.cmake.log" 2>&1 &&
		cmake --build "$work/base/build" -j"${EBID_JOBS:-2}" --target ebidd \
		>>"$work/base.cmake.log" 2>&1 || { tail -n 20 "$work/base.cmake.log"; die "cannot build $rev's ebidd"; }
	before=$work/base/build/ebidd
fi
[ -x "$before" ] || die "no ebidd at $before"
[ -x "$after" ] || die "no ebidd at $after"

# The certificates: one set for both runs (the persons are in them).
if [ -z "${EBID_CERTS:-}" ]; then
	export EBID_CERTS=$work/certs
	[ -s "$EBID_CERTS/ca.crt" ] || bash "$SRC/certs/make-dev-certs.sh" "$EBID_CERTS" \
		>"$work/certs.log" 2>&1 || die "make-dev-certs.sh failed"
fi
# The driven clock of both runs starts at the same instant: the next
# midnight (UTC), so both lie within the certificates' validity.
t0=$(date -u -d "tomorrow 00:00" +%Y-%m-%dT%H:%M:%S.000Z)

# normalize LOG: the entries of an exported log as comparable text.
normalize() {
	local log=$1 n i cmd
	n=$(xmllint --xpath 'count(/*[local-name()="log"]/*[local-name()="entry"])' "$log")
	for ((i = 1; i <= n; i++)); do
		local e="/*[local-name()='log']/*[local-name()='entry'][$i]"
		printf '== entry %s time=%s role=%s party=%s person=%s clock=%s\n' \
			"$(xmllint --xpath "string($e/@seq)" "$log")" \
			"$(xmllint --xpath "string($e/@time)" "$log")" \
			"$(xmllint --xpath "string($e/@role)" "$log")" \
			"$(xmllint --xpath "string($e/@party)" "$log")" \
			"$(xmllint --xpath "string($e/@person)" "$log")" \
			"$(xmllint --xpath "string($e/@clock)" "$log")"
		printf -- '-- command\n'
		xmllint --xpath "string($e/*[local-name()='command'])" "$log" |
			base64 -d | openssl cms -verify -noverify -inform DER -binary 2>/dev/null |
			xmllint --format - 2>/dev/null | sed 1d
		printf -- '-- events\n'
		xmllint --xpath "$e/*[local-name()='events']" "$log" | xmllint --format - | sed 1d
		printf -- '-- receipt %s\n' "$(xmllint --xpath "count($e/*[local-name()='receipt'])" "$log")"
	done
}

# mask: what differs from run to run whatever the server does.
mask() {
	sed -E \
		-e 's/[0-9a-f]{64}/HEX64/g' \
		-e 's/[A-Za-z0-9+\/]{40,}={0,2}/BASE64/g' \
		-e 's/^[A-Za-z0-9+\/=]{8,}$/BASE64/' \
		-e 's/(seed|commitment|reveal)="[^"]*"/\1="X"/g' \
		-e 's#<(reveal|commitment)>[^<]*</\1>#<\1>X</\1>#g'
}

# mask_draw: what follows from the random draw secret the demo commits to
# (tools/lib/tender.sh) and from the random bid envelopes (the history
# digest seeds the benchmark coefficient): who sits on the committee,
# what each expert scores, the coefficient, the totals, ranks and
# candidates.  Their structure stays compared: which entries, by which
# role, when, how many members, scores, ranks and candidates.
mask_draw() {
	sed -E \
		-e 's/expert[0-9]+/EXPERT/g' \
		-e 's/FC-P-40[0-9][0-9]/EXPERT-PERSON/g' \
		-e 's/ envelope-chars="[0-9]+"/ envelope-chars="N"/g' \
		-e '/<(member|reserve|refused|criterion|[a-z-]*score[a-z-]*|total|rank|candidate|award[a-z-]*) /s/="[^"]*"/="D"/g' \
		-e '/<(member|reserve|refused) /s/ replaces="D"//' \
		-e '/<(appointment-[a-z]+|expert-[a-z]+|report-signed) /s/ (org|replaced-by)="[^"]*"/ \1="D"/g' \
		-e '/<(coefficient-drawn|evaluation-result) /s/ (index|value|benchmark|coefficient)="[^"]*"/ \1="D"/g' \
		-e 's#<(score|total|technical-score|price-score)>[^<]*</#<\1>D</#g'
}

set +e
for side in before after; do
	bin=$before
	[ $side = after ] && bin=$after
	say() { printf '%s\n' "$*"; }
	say "demo_compare: the demo against the $side ebidd ($bin)"
	rm -rf "${work:?}/$side"
	mkdir -p "$work/$side"
	bash "$0" --run "$bin" "$work/$side" "$t0" >"$work/$side.run.log" 2>&1 ||
		{ cat "$work/$side.run.log"; die "the $side run failed (kept: $work)"; }
	logs=$(cd "$work/$side/demo" && ls -- *.log.xml)
	[ -n "$logs" ] || die "the $side run exported no log"
	for f in $logs; do
		normalize "$work/$side/demo/$f" | mask | mask_draw >"$work/$side/$f.txt"
	done
done

rc=0
nb=$(cd "$work/before/demo" && ls -- *.log.xml | tr '\n' ' ')
na=$(cd "$work/after/demo" && ls -- *.log.xml | tr '\n' ' ')
if [ "$nb" != "$na" ]; then
	printf 'demo_compare: the runs exported different logs: before %s, after %s\n' "$nb" "$na"
	rc=1
fi
total=0
for f in $nb; do
	entries=$(grep -c '^== entry' "$work/before/$f.txt")
	total=$((total + entries))
	if diff -u "$work/before/$f.txt" "$work/after/$f.txt" >"$work/$f.diff"; then
		printf 'demo_compare: %s: %d entries, same commands and events\n' "$f" "$entries"
	else
		printf 'demo_compare: %s differs:\n' "$f"
		head -n 60 "$work/$f.diff"
		rc=1
	fi
done
if [ "$rc" = 0 ]; then
	printf 'demo_compare: %d entries in %d logs: same commands and events\n' "$total" "$(wc -w <<<"$nb")"
	[ -n "$keep" ] || rm -rf "$work"
else
	printf 'demo_compare: kept for diagnosis: %s\n' "$work"
fi
exit "$rc"

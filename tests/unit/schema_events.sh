#!/usr/bin/env bash
# tests/unit/schema_events.sh
#    Every event kind the core folds is declared in protocol/xsd/events.xsd
#    (issue 13 point 5), and <accepted><events> is closed.
#
#    The list comes from the core, not from a hand-kept copy: the names
#    each flow's apply() accepts (engine/core/tender.c folds[], sale.c
#    sale_evs[], pool.c and subject.c their strcmp(e->name, ...) chains).
#    For each, an <accepted> carrying that event must not be refused with
#    "This element is not expected" (the kind is declared; its attributes
#    are checked by the integration tests, which validate every reply);
#    monitor.c's apply() too.
#    an <accepted> carrying an unknown element must be refused.
#    A file that yields no name fails (the table changed shape: fix the
#    extraction below).
set -uo pipefail
SRC=${EBID_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
XSD=$SRC/protocol/xsd/ebid.xsd
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ebidschema.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0

names_of() { # FILE REGEX: the first group of every match
	grep -oE "$2" "$1" | sed -E 's/.*"([a-z][a-z0-9-]*)".*/\1/' | sort -u
}
{
	for f in "$SRC"/engine/core/tender*.c; do
		names_of "$f" '\{ "[a-z0-9-]+", f_[a-z_]+ \}'
	done
	names_of "$SRC/engine/core/sale.c" '\{ "sale-[a-z0-9-]+", ap_[a-z_]+ \}'
	names_of "$SRC/engine/core/pool.c" 'strcmp\(e->name, "[a-z0-9-]+"\)'
	names_of "$SRC/engine/core/subject.c" 'strcmp\(e->name, "[a-z0-9-]+"\)'
	names_of "$SRC/engine/core/monitor.c" 'strcmp\(e->name, "[a-z0-9-]+"\)'
} | grep -vx events >"$tmp/names"
for pair in "tender_apply.c:30" "sale.c:20" "pool.c:5" "subject.c:6" "monitor.c:4"; do
	file=${pair%%:*} min=${pair##*:}
	case $file in
	tender_apply.c) re='\{ "[a-z0-9-]+", f_[a-z_]+ \}';;
	sale.c) re='\{ "sale-[a-z0-9-]+", ap_[a-z_]+ \}';;
	*) re='strcmp\(e->name, "[a-z0-9-]+"\)';;
	esac
	got=$(names_of "$SRC/engine/core/$file" "$re" | wc -l)
	if [ "$got" -lt "$min" ]; then
		echo "FAIL engine/core/$file: $got event names found, expected at least $min (did its table change shape?)"
		fails=$((fails + 1))
	fi
done

accepted() { # EVENT-XML: an <accepted> reply carrying it
	printf '<accepted xmlns="urn:ebid:1" aggregate="T-1" seq="1" hash="%064d" time="2026-01-01T00:00:00.000Z"><events>%s</events></accepted>\n' 0 "$1"
}
for ev in $(sort -u "$tmp/names"); do
	n=$((n + 1))
	accepted "<$ev/>" >"$tmp/ev.xml"
	out=$(xmllint --noout --schema "$XSD" "$tmp/ev.xml" 2>&1)
	if grep -q "Element '{urn:ebid:1}$ev': This element is not expected" <<<"$out"; then
		echo "FAIL event <$ev> (folded by the core) is not declared in <accepted><events>"
		fails=$((fails + 1))
	else
		echo "ok   event <$ev> is declared"
	fi
done
accepted '<no-such-event at="2026-01-01T00:00:00.000Z"/>' >"$tmp/ev.xml"
out=$(xmllint --noout --schema "$XSD" "$tmp/ev.xml" 2>&1)
if grep -q 'This element is not expected' <<<"$out"; then
	echo "ok   an unknown event is refused (<events> is closed)"
else
	echo "FAIL an unknown event is accepted: <events> is not closed"
	fails=$((fails + 1))
fi
echo "$n event kinds from the core; $fails failed"
[ "$fails" = 0 ]

#!/usr/bin/env bash
# tests/integration/test_manpages.sh
#    The man pages of docs/man/ (mdoc):
#      each lints clean with `mandoc -T lint -W warning` (a warning fails);
#      every verb and every --option that `ebid --help`, `ebidd --help` and
#      `ebid-audit --help` print is in its page;
#      every key of ebidd's configuration table (engine/server/config.c)
#      is in ebidd.conf(5);
#      `cmake --install` puts the four pages under share/man.
#    env: EBID_SRC, EBID_BUILD (CTest sets them).
set -uo pipefail
SRC=${EBID_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${EBID_BUILD:-$SRC/build}
MAN=$SRC/docs/man
checks=0 fails=0
ok()  { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ebidman.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

command -v mandoc >/dev/null || { echo "FAIL mandoc is missing (tools/packages.txt)"; echo "0 passed, 1 failed"; exit 1; }
PAGES="ebid.1 ebidd.8 ebid-audit.1 ebidd.conf.5"

# -- lint ------------------------------------------------------------------
for p in $PAGES; do
	if out=$(mandoc -T lint -W warning "$MAN/$p" 2>&1) && [ -z "$out" ]; then
		ok "$p lints clean"
	else
		bad "$p: mandoc -T lint: $out"
	fi
	# the rendered text, overstrike removed: what a reader sees
	mandoc -T ascii "$MAN/$p" | sed 's/.\x08//g' >"$tmp/$p.txt"
done

# in PAGE WORD WHAT: WORD appears as a word in PAGE's rendered text
in_page() {
	if grep -qE -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)" "$tmp/$1.txt"; then
		ok "$1 has $3 $2"
	else
		bad "$1 lacks $3 $2 (printed by --help / in the table)"
	fi
}

# -- every option and verb of --help -----------------------------------------
help_of() { "$BUILD/$1" --help 2>&1; }
for t in ebid:ebid.1 ebidd:ebidd.8 ebid-audit:ebid-audit.1; do
	tool=${t%%:*} page=${t#*:}
	help_of "$tool" >"$tmp/$tool.help"
	[ -s "$tmp/$tool.help" ] || { bad "$tool --help printed nothing"; continue; }
	opts=$(grep -oE -- '--[a-z][a-z-]*[a-z]' "$tmp/$tool.help" | sort -u)
	[ -n "$opts" ] || bad "$tool --help lists no option"
	for o in $opts; do in_page "$page" "$o" option; done
	# the verbs: the words after "TOOL " in the usage lines
	verbs=$(grep -oE -- "(^|[[:space:]])$tool( [a-z][a-z-]+)+" "$tmp/$tool.help" |
		sed -E "s/^[[:space:]]*$tool //" | tr ' ' '\n' | grep -vE '^(FILE|ID)$' | sort -u)
	for v in $verbs; do in_page "$page" "$v" verb; done
done
# ebid's first-level commands are listed as "  WORD  explanation" under "commands:"
for v in $(sed -n '/^commands:/,/^$/p' "$tmp/ebid.help" | sed -n 's/^  \([a-z]\+\) .*/\1/p'); do
	in_page ebid.1 "$v" command
done

# -- every configuration key --------------------------------------------------
keys=$(grep -oE '^\s*(STR|INT)\(([a-z_]+)' "$SRC/engine/server/config.c" | sed -E 's/.*\(//' | sort -u)
n=$(wc -w <<<"$keys")
[ "$n" -ge 30 ] && ok "config.c's table read ($n keys)" || bad "config.c's table read: only $n keys"
for k in $keys; do in_page ebidd.conf.5 "$k" key; done

# -- cmake --install -----------------------------------------------------------
if cmake --install "$BUILD" --prefix "$tmp/root" --component man >"$tmp/install.log" 2>&1; then
	for p in ebid.1 ebidd.8 ebid-audit.1 ebidd.conf.5; do
		s=${p##*.}
		[ -f "$tmp/root/share/man/man$s/$p" ] && ok "cmake --install puts $p in share/man/man$s" ||
			bad "cmake --install did not install $p (share/man/man$s)"
	done
else
	cat "$tmp/install.log"; bad "cmake --install --component man failed"
fi

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]

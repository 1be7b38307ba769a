#!/usr/bin/env bash
# tests/integration/test_load.sh
#    The load generator's race (tools/ebid-load.c, hot-auction) against a
#    real ebidd and PostgreSQL: its lean connections (--lean: one TLS
#    record per request, replies framed by Content-Length), the same with
#    --split (headers and body as two records), the default evhttp
#    connections and --lean --mimic (evhttp's system calls without evhttp)
#    each run a listing race, and a lean one and a mimic one both phases
#    (the auction reached through ebidd's timers).  Each run must end without
#    an error, say which connections it used, and count exactly what
#    ebidd counted (/metrics): every command it sent accepted or refused
#    by reason, the set-up's 5 + 2 x bidders commands included (the
#    run through both phases: at least that, ebidd's timers append too).  A reply
#    miscounted or misframed by the lean reader fails here.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
LOAD=$BUILD/ebid-load
[ -x "$LOAD" ] || { say "missing $LOAD (build it first)"; exit 1; }
IT_EXTRA_CONF="metrics_listen = $MPORT"
it_setup
M=http://127.0.0.1:$MPORT/metrics
M_BIDDERS=3

# snap: "accepted refused below-minimum already-highest" from /metrics
snap() {
	curl -s "$M" | awk '
		$1 == "ebid_commands_total{outcome=\"accepted\"}" { a = $2 }
		$1 == "ebid_commands_total{outcome=\"refused\"}" { r = $2 }
		$1 == "ebid_commands_refused_total{reason=\"below-minimum\"}" { b = $2 }
		$1 == "ebid_commands_refused_total{reason=\"already-highest\"}" { h = $2 }
		END { printf "%d %d %d %d\n", a, r, b, h }'
}
# kv FILE PHASE KEY: a value of the result line of that phase
kv() { grep "^result: .* phase=$2 " "$1" | sed -n 's/^result: .*\b'"$3"'=\([^ ]*\).*/\1/p' | tail -n 1; }
# sum of a key over the result lines of a run
ksum() { sed -n 's/^result: .*\b'"$2"'=\([^ ]*\).*/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'; }

# race NAME PHASE [OPTIONS...]: one run; checks its figures against ebidd's
race() {
	local name=$1 phase=$2 out=$tmp/load-$1.txt s0 s1 a r b h la lb lh lo
	shift 2
	s0=$(snap)
	"$LOAD" --pid "$ebidd_pid" hot-auction --url "$URL" --certs "$C" \
		--bidders $M_BIDDERS --per-bidder 2 --duration 2 --presign 300 \
		--phase "$phase" "$@" >"$out" 2>&1
	check "$name: ebid-load ran (exit 0)" test $? = 0
	s1=$(snap)
	read -r a r b h <<<"$(awk -v x="$s0" -v y="$s1" 'BEGIN { split(x, p); split(y, q); printf "%d %d %d %d", q[1] - p[1], q[2] - p[2], q[3] - p[3], q[4] - p[4] }')"
	check "$name: a result line for the listing" grep -q '^result: .* phase=listing ' "$out"
	check "$name: no error nor transport failure" test "$(ksum "$out" errors)" = 0
	check "$name: some commands accepted in the race ($(kv "$out" listing accepted))" test "$(kv "$out" listing accepted)" -gt 0
	check "$name: no refusal other than the race's stale views" test "$(ksum "$out" refused_other)" = 0
	la=$(ksum "$out" accepted) lb=$(ksum "$out" below_min) lh=$(ksum "$out" already_highest)
	# the set-up: register, accept, commit, countersign, publish, then
	# apply + confirm per bidder; the auction's start: a declaration per
	# bidder and the first auction bid
	local setup=$((5 + 2 * M_BIDDERS))
	if [ "$phase" = both ]; then
		# ebidd's appends also count its timers' entries (the listing
		# closed, the auction started): at least 2 declarations (a
		# bidder without a quote is refused no-listing-quote) and the
		# first auction bid besides the set-up and the race
		check "$name: ebidd appended at least what ebid-load counted ($a >= $setup set-up + 3 + $la race)" \
			test "$a" -ge $((setup + 3 + la))
	else
		check "$name: ebidd accepted what ebid-load counted ($a = $setup set-up + $la race)" test "$a" = $((setup + la))
		check "$name: ebidd refused nothing else ($r = $b + $h)" test "$r" = $((b + h))
	fi
	check "$name: ebidd refused below-minimum what ebid-load counted ($b, $lb)" test "$b" = "$lb"
	check "$name: ebidd refused already-highest what ebid-load counted ($h, $lh)" test "$h" = "$lh"
	check "$name: its own CPU per request reported" grep -q '^result: .* cli_cpu_ms_per_req=0\.[0-9]* cli_cpu_ms_per_acc=[0-9.]* ' "$out"
}

race lean listing --lean
check "lean: the lean connections were used" test "$(kv "$tmp/load-lean.txt" listing cli_http)" = lean
race split listing --lean --split
check "split: the lean connections, two records a request" test "$(kv "$tmp/load-split.txt" listing cli_http)" = lean-split
race evhttp listing
check "evhttp: the evhttp connections were used" test "$(kv "$tmp/load-evhttp.txt" listing cli_http)" = evhttp
race mimic listing --lean --mimic
check "mimic: the lean connections making evhttp's calls" test "$(kv "$tmp/load-mimic.txt" listing cli_http)" = lean-mimic
race mimic2 both --lean --mimic
check "mimic2: the auction was reached and raced" test "$(kv "$tmp/load-mimic2.txt" auction accepted)" -gt 0
race both both --lean
check "both: the auction was reached and raced" test "$(kv "$tmp/load-both.txt" auction accepted)" -gt 0
check "both: the auction on lean connections" test "$(kv "$tmp/load-both.txt" auction cli_http)" = lean
check "--split without --lean is refused" bash -c "! '$LOAD' hot-auction --split --url '$URL' --certs '$C' 2>/dev/null"
check "--mimic without --lean is refused" bash -c "! '$LOAD' hot-auction --mimic --url '$URL' --certs '$C' 2>/dev/null"
check "--lean outside the hot race is refused" bash -c "! '$LOAD' keepalive --lean --url '$URL' --certs '$C' 2>/dev/null"
finish

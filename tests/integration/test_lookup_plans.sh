#!/usr/bin/env bash
# tests/integration/test_lookup_plans.sh
#    ebidd's duplicate look-ups and the append functions' duplicate checks
#    keep their index path on a large log never analysed (a new or
#    restored database before its first ANALYZE): the generic plans of
#    engine/server/lookups.h's statements and of eb_append_batch() touch a
#    few shared buffers, not the tender's whole log_pkey range
#    (tests/integration/test_lookup_plans.c; schema/0015_command_lookup.sql).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
write_conf
if out=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1); then
	ok "migrated"
else
	say "$out"; bad "migrate"; finish
fi
T=$BUILD/tests/integration/test_lookup_plans
if [ ! -x "$T" ]; then
	bad "missing $T (build the test_lookup_plans target)"
elif "$T" "host=$pgdir port=$PGPORT_T user=postgres dbname=ebid" >"$tmp/plans.out" 2>&1; then
	sed 's/^/   /' "$tmp/plans.out"
	ok "the look-ups' generic plans on a large log without statistics ($(tail -n 1 "$tmp/plans.out"))"
else
	cat "$tmp/plans.out"
	bad "the look-ups' generic plans (tests/integration/test_lookup_plans.c)"
fi
finish

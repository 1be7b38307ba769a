#!/usr/bin/env bash
# tests/integration/test_batch_fast.sh
#    schema/0017_batch_fast_path.sql: eb_append_batch() with the common
#    entry folded in gives what 0015's gave, batch for batch: the status
#    letters, the errors, the NOTIFYs (payloads and order) and every row
#    of log, heads, aggregate_state, chain_heads_signed, aggregates,
#    subject_codes and envelope_refs (tests/integration/batch_fast.sql,
#    run once with 0015's function under another name and once with
#    0017's, each in its own copy of one migrated database).  Then
#    0017 applies on a database that has data (migrated to 0016 with
#    entries, then ebidd --migrate), and its batches go on from there.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
write_conf
psqlx() { "$PGBIN/psql" -X -q -h "$pgdir" -p "$PGPORT_T" -U postgres "$@"; }

# ---- a database with data migrated to 0016, then to 0017 by ebidd
mkdir -p "$tmp/schema16"
for f in "$SRC"/schema/0*.sql; do
	case $(basename "$f") in 0017_*|001[89]_*|00[2-9]*) ;; *) cp "$f" "$tmp/schema16/" ;; esac
done
sed "s|^schema_dir.*|schema_dir = $tmp/schema16|" "$tmp/ebidd.conf" >"$tmp/ebidd16.conf"
if out=$("$EBIDD" --config "$tmp/ebidd16.conf" --migrate 2>&1); then
	ok "migrated to 0016 ($(ls "$tmp/schema16" | tail -n 1))"
else
	say "$out"; bad "migrate to 0016"; finish
fi
psqlx -d ebid -At -v ON_ERROR_STOP=1 -v fn=eb_append_batch \
	-f "$SRC/tests/integration/batch_fast.sql" >"$tmp/before16.out" 2>&1
n16=$(psqlx -d ebid -At -c "SELECT count(*) FROM log")
if out=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1) &&
	[ "$(psqlx -d ebid -At -c "SELECT count(*) FROM schema_migrations WHERE version LIKE '0017%'")" = 1 ]; then
	ok "0017 applies on a database with $n16 entries"
else
	say "$out"; bad "migrate 0016 -> 0017"; finish
fi
r=$(psqlx -d ebid -At -c "SELECT tb('eb_append_batch', \$\$VALUES
 (1, 'S-1', 'sale', 10, 9, 'after 0017 10', '<events/>', NULL, NULL, NULL, NULL, NULL),
 (2, 'S-1', 'sale', 11, 10, 'after 0017 11', '<events/>', NULL, NULL, NULL, NULL, NULL)\$\$)")
h=$(psqlx -d ebid -At -c "SELECT seq FROM heads WHERE aggregate = 'S-1'")
b=$(psqlx -d ebid -At -c "SELECT count(*) FROM log_breaks")
if [ "$r" = "oo" ] && [ "$h" = 11 ] && [ "$b" = 0 ]; then
	ok "after the migration the batch goes on from the old chains (oo, head 11, no break)"
else
	bad "after the migration: status '$r', head '$h', breaks '$b'"
fi

# ---- 0015's function against 0017's, in two copies of one database
psqlx -d postgres -c "DROP DATABASE ebid" -c "CREATE DATABASE ebid OWNER ebid_owner" >/dev/null
if out=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1); then
	ok "a new database migrated to 0017"
else
	say "$out"; bad "migrate a new database"; finish
fi
# 0015's eb_append_batch(), as that file has it, as ref_append_batch()
sed -n "/^-- 0011's eb_append_batch(), the same/,\$p" "$SRC/schema/0015_command_lookup.sql" |
	sed 's/FUNCTION eb_append_batch(/FUNCTION ref_append_batch(/' >"$tmp/ref.sql"
if grep -q 'FUNCTION ref_append_batch(' "$tmp/ref.sql" &&
	psqlx -d ebid -v ON_ERROR_STOP=1 -f "$tmp/ref.sql" >/dev/null 2>&1; then
	ok "0015's eb_append_batch() loaded as ref_append_batch()"
else
	bad "cannot load 0015's function from $SRC/schema/0015_command_lookup.sql"; finish
fi
psqlx -d postgres -c "CREATE DATABASE t_ref TEMPLATE ebid" -c "CREATE DATABASE t_new TEMPLATE ebid" >/dev/null
for fn in ref new; do
	f=eb_append_batch; [ "$fn" = ref ] && f=ref_append_batch
	psqlx -d "t_$fn" -At -v fn="$f" -f "$SRC/tests/integration/batch_fast.sql" 2>&1 |
		sed -e 's/received from server process with PID [0-9]*/received/' \
			-e 's/^psql:[^:]*:[0-9]*: //' -e 's/[0-9]\{4\}-[0-9-]* [0-9:.]*+00/TIME/' >"$tmp/$fn.out"
done
if diff "$tmp/ref.out" "$tmp/new.out" >"$tmp/diff.out"; then
	ok "0015's and 0017's functions: the same statuses, errors, notifications and rows ($(wc -l <"$tmp/new.out") lines)"
else
	head -n 40 "$tmp/diff.out"; bad "0015's and 0017's functions differ"
fi
# what the comparison covers must be there: a check that cannot fail is
# none
st=$(grep -E '^[odmsc]+$' "$tmp/new.out" | tr '\n' ' ')
say "   statuses: $st"
if [ "$st" = "$(cat "$SRC/tests/integration/batch_fast.expected")" ]; then
	ok "the statuses are the expected ones (tests/integration/batch_fast.expected)"
else
	bad "statuses '$st', expected '$(cat "$SRC/tests/integration/batch_fast.expected")'"
fi
e=$(grep -c '^ERROR' "$tmp/new.out")
nn=$(grep -c '^Asynchronous notification' "$tmp/new.out")
if [ "$e" = 2 ] && [ "$nn" -ge 20 ] && grep -q '^log|S-1|8|' "$tmp/new.out" &&
	grep -q '^signed|S-1|3|' "$tmp/new.out" && grep -q '^envelopes|b\{64\}|S-4|3' "$tmp/new.out" &&
	grep -q '^codes|C1|O-1' "$tmp/new.out" && grep -q '^breaks|0' "$tmp/new.out"; then
	ok "both error batches refused whole, $nn notifications, the rows there"
else
	bad "errors $e, notifications $nn, or rows missing (see $tmp/new.out)"
fi
finish

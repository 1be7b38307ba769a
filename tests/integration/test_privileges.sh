#!/usr/bin/env bash
# tests/integration/test_privileges.sh
#    Least privilege in the database (issue 21 point 2), through the real
#    ebidd and a real PostgreSQL set up as in production (lib.sh pg_start):
#    the schema belongs to ebid_owner, ebidd runs as ebid_server (a member
#    of ebid_app), migrations run as the owner.
#      - with migrate_at_start = 0 ebidd refuses to start while a migration
#        is pending (migrate-pending, with the hint) and changes nothing;
#      - `ebidd --migrate` applies them as the owner (migrate_db);
#      - ebidd then runs as ebid_server, and a tender registered through
#        it is appended by that role;
#      - as ebid_server, every way of changing or hiding an entry is
#        refused by PostgreSQL: UPDATE, DELETE, TRUNCATE of the log and
#        its evidence tables, disabling the triggers, dropping or altering
#        the tables, switching replication role, creating objects, marking
#        a migration applied.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
write_conf "migrate_at_start = 0"
app() { "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pgdir" -p "$PGPORT_T" -U ebid_server -d ebid "$@"; }

# -- a pending migration stops the start ------------------------------------
out=$("$EBIDD" --config "$tmp/ebidd.conf" --test-clock=driven 2>&1); rc=$?
printf '%s\n' "$out" >"$tmp/start.out"
check "ebidd with migrate_at_start = 0 on an empty database exits 1" test "$rc" = 1
check "  ... saying how many migrations are pending" grep -q 'migration(s) of .* not applied' "$tmp/start.out"
check "  ... with the hint to run ebidd --migrate" grep -q 'hint: Run `ebidd --config FILE --migrate`' "$tmp/start.out"
check "  ... and created nothing" test "$(psqlq -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0

out=$("$EBIDD" --config "$tmp/ebidd.conf" --migrate 2>&1); rc=$?
printf '%s\n' "$out" >"$tmp/migrate.out"
check "ebidd --migrate applies every schema file" test "$rc" = 0
n=$(find "$SRC/schema" -name '[0-9][0-9][0-9][0-9]_*.sql' | wc -l)
check "  ... all $n of them" grep -q "($n applied now)" "$tmp/migrate.out"
check "  ... as the owner ebid_owner" test "$(psqlq -c "SELECT tableowner FROM pg_tables WHERE tablename = 'log'")" = ebid_owner

# a schema folder with one more file than the database has
mkdir -p "$tmp/schema+"
cp "$SRC"/schema/*.sql "$tmp/schema+/"
echo "CREATE TABLE later (x int);" >"$tmp/schema+/9999_later.sql"
sed "s|^schema_dir = .*|schema_dir = $tmp/schema+|" "$tmp/ebidd.conf" >"$tmp/ebidd+.conf"
out=$("$EBIDD" --config "$tmp/ebidd+.conf" --test-clock=driven 2>&1); rc=$?
printf '%s\n' "$out" >"$tmp/newer.out"
check "a newer schema folder: ebidd refuses to start (exit $rc)" test "$rc" = 1
check "  ... naming one pending migration" grep -q '1 database migration(s)' "$tmp/newer.out"
check "  ... and applied nothing" test "$(psqlq -c "SELECT to_regclass('later') IS NULL")" = t

# -- ebidd runs as ebid_server --------------------------------------------
start_ebidd || exit 1
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
out=$(ebid_as tenderer tender register "$tmp/t.xml" 2>&1)
printf '%s\n' "$out" >"$tmp/register.out"
check "a tender registers through ebidd" grep -q ' registered$' "$tmp/register.out"
check "ebidd's database sessions are ebid_server's, none the owner's or a superuser's" \
	test "$(psqlq -c "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = 'ebid' AND pid <> pg_backend_pid()")" = ebid_server
check "ebid_server is no superuser and owns nothing" \
	test "$(psqlq -c "SELECT rolsuper::text || ',' || (SELECT count(*) FROM pg_class WHERE relowner = r.oid) FROM pg_roles r WHERE rolname = 'ebid_server'")" = "false,0"
check "the log has entries to protect" test "$(psqlq -c "SELECT count(*) > 0 FROM log")" = t

# -- every way to change the past is refused to ebid_server --------------
try() { # try NAME SQL: passes when PostgreSQL refuses SQL as ebid_server
	local name=$1 sql=$2
	if app -c "$sql" >"$(check_out)" 2>&1; then
		bad "$name (it was allowed)"
	elif grep -qE 'permission denied|must be owner|must be superuser|permission to set' "$(check_out)"; then
		ok "$name"
	else
		bad "$name (refused, but not for want of privilege: $(head -1 "$(check_out)"))"
	fi
}
try "UPDATE of a log entry" "UPDATE log SET party = 'forged' WHERE seq = 1"
try "DELETE of a log entry" "DELETE FROM log WHERE seq = 1"
try "TRUNCATE of the log" "TRUNCATE log"
try "disabling the log's triggers" "ALTER TABLE log DISABLE TRIGGER ALL"
try "dropping the log" "DROP TABLE log"
try "adding a column to the log" "ALTER TABLE log ADD COLUMN note text"
try "DELETE of a signed chain head" "DELETE FROM chain_heads_signed"
try "UPDATE of a signed chain head" "UPDATE chain_heads_signed SET seq = seq"
try "DELETE from the security log" "DELETE FROM security_log"
try "TRUNCATE of the aggregates" "TRUNCATE aggregates"
try "marking a migration applied" "INSERT INTO schema_migrations (version, name, sha256) VALUES ('9999', '9999_x.sql', 'x')"
try "creating a function" "CREATE FUNCTION eb_append_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'"
try "creating a table" "CREATE TABLE shadow_log (x int)"
try "switching triggers off for the session" "SET session_replication_role = replica"
check "  ... and the log is unchanged (it still verifies)" "$AUDIT" verify --db "$DB" --tender "$(awk '/ registered$/ {print $2}' <<<"$out")" --ca "$C/ca.crt"
finish

#!/usr/bin/env bash
# tests/integration/test_backup.sh
#    Backups that restore (issue 21 point 6), with the real ebidd, a real
#    PostgreSQL archiving its WAL, and tools/backup:
#      - a base backup is taken after one tender; a second tender comes
#        after it (only in the archived WAL); the signed heads are saved;
#      - the drill restores base + WAL into a new cluster and every
#        aggregate verifies (ebid-audit verify --db) and holds its
#        published heads: the second tender came back through the WAL;
#      - with the newest WAL segments lost, the drill fails, naming the
#        tender whose published heads the restore does not hold.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare
pg_start || exit 1
# archive the WAL (docs/operations.md, backups)
mkdir -p "$tmp/archive"
[ ${#RUNAS[@]} -eq 0 ] || chown postgres: "$tmp/archive"
pg_down
cat >>"$pgdir/data/postgresql.conf" <<CONF
archive_mode = on
archive_command = 'test ! -f $tmp/archive/%f && cp %p $tmp/archive/%f'
CONF
pg_up || exit 1
write_conf "head_every_seconds = 1"
start_ebidd || exit 1
BACKUP=$SRC/tools/backup
export EBID_AUDIT=$AUDIT

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
new_tender() {
	sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
		"$SRC/tests/data/tender/register-tender.xml" >"$tmp/t.xml"
	local t
	t=$(ebid_as tenderer tender register "$tmp/t.xml" | awk '/ registered$/ {print $2}')
	ebid_as registrar tender accept "$t" >/dev/null
	printf '%s\n' "$t"
}
T1=$(new_tender)
check "a first tender ($T1)" test -n "$T1"
check "tools/backup base takes a base backup" "$BACKUP" base --db "host=$pgdir port=$PGPORT_T user=postgres dbname=postgres" -o "$tmp/base"
check "  ... base.tar.gz and its label" grep -q '^label: START WAL LOCATION' "$tmp/base/backup.txt"
T2=$(new_tender)
check "a second tender after the base backup ($T2)" test -n "$T2"
sleep 2   # heads are signed every second (head_every_seconds)
check "tools/backup heads saves the signed heads of every log" "$BACKUP" heads --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" -o "$tmp/heads"
check "  ... $T2's among them" grep -q "$T2" "$tmp/heads/$T2.xml"
# close the WAL segment holding T2 and wait until it is archived
seg=$(psqlq -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
psqlq -c "SELECT pg_switch_wal()" >/dev/null
for _ in $(seq 1 100); do [ -f "$tmp/archive/$seg" ] && break; sleep 0.1; done
check "the WAL segment holding $T2 is archived ($seg)" test -f "$tmp/archive/$seg"

"$BACKUP" drill --base "$tmp/base" --archive "$tmp/archive" --ca "$C/ca.crt" --heads "$tmp/heads" >"$tmp/drill.out" 2>&1; rc=$?
check "the restore drill passes (exit $rc)" test "$rc" = 0
check "  ... $T1 verifies and holds its published heads" grep -q "^ok    $T1 .*holds its published heads" "$tmp/drill.out"
check "  ... $T2, only in the archived WAL, came back and verifies" grep -q "^ok    $T2 .*holds its published heads" "$tmp/drill.out"
check "  ... WAL files were replayed from the archive" grep -qE 'restored and promoted in [0-9]+ s: [1-9][0-9]* WAL' "$tmp/drill.out"

# lose the archived segments from the one holding T2 on
mkdir -p "$tmp/archive-lost"
for f in "$tmp"/archive/*; do
	b=$(basename "$f")
	[[ $b < $seg ]] && cp "$f" "$tmp/archive-lost/"
done
"$BACKUP" drill --base "$tmp/base" --archive "$tmp/archive-lost" --ca "$C/ca.crt" --heads "$tmp/heads" >"$tmp/drill2.out" 2>&1; rc=$?
check "with the newest WAL lost, the drill fails (exit $rc)" test "$rc" = 1
check "  ... naming $T2 as lost or short of its published heads" grep -q "^FAIL  $T2" "$tmp/drill2.out"
check "  ... while $T1 still verifies" grep -q "^ok    $T1" "$tmp/drill2.out"
finish

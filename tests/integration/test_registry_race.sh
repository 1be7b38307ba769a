#!/usr/bin/env bash
# tests/integration/test_registry_race.sh
#    One trading subject per credit code, decided by the database
#    (issue 22, schema/0012_subject_codes.sql, docs/registries.md):
#    two ebidd on one database; the registrar sends two registrations of
#    the same unified social credit code at once, one to each ebidd, for
#    several codes, and then two at once to the same ebidd (its group
#    commit): every code ends with exactly one subject in the log, one
#    registration of each pair accepted and the other refused with
#    credit-code-registered; the read model holds each code once.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
PORT2=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
URL2=https://127.0.0.1:$PORT2

# the second ebidd: same database, its own port, pid and log
up2=no
it_second_ebidd && up2=yes
check "a second ebidd serves the same database" test "$up2" = yes

person() { awk -v n="$1" '$1 == n {print $4}' "$C/parties.txt"; }
# code N: a unified social credit code with its GB 32100-2015 check digit
code() {
	python3 - "$1" <<'PY'
import sys
cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
s = "91370983MA3E%05d" % int(sys.argv[1])
t = sum(cs.index(c) * pow(3, i, 31) for i, c in enumerate(s))
print(s + cs[(31 - t % 31) % 31])
PY
}
subject_xml() { # subject_xml FILE CODE NAME
	cat >"$1" <<XML
<register-subject xmlns="urn:ebid:1" code="$2" name="$3" kind="bidder">
  <representative person="$(person bidder1)" party="bidder1" scope="tender" from="2026-01-01T00:00:00.000Z" to="2030-01-01T00:00:00.000Z"/>
</register-subject>
XML
}
# sign FILE: the registrar's CMS SignedData over FILE (as ebid signs)
sign() {
	openssl cms -sign -binary -nodetach -outform DER -md sha256 \
		-signer "$C/registrar.crt" -inkey "$C/registrar.key" -in "$1" -out "$1.der"
}

# race PREFIX URL_A URL_B N...: two registrations of each code N, signed
# first, then sent all at once by one curl (its transfers in parallel)
race() {
	local prefix=$1 ua=$2 ub=$3 n x args=(); shift 3
	for n in "$@"; do
		subject_xml "$tmp/$prefix-$n-a.xml" "$(code "$n")" "Racing Works $n A Co Ltd"
		subject_xml "$tmp/$prefix-$n-b.xml" "$(code "$n")" "Racing Works $n B Co Ltd"
		sign "$tmp/$prefix-$n-a.xml" && sign "$tmp/$prefix-$n-b.xml" || bad "signing $n"
		for x in a b; do
			[ "${#args[@]}" -gt 0 ] && args+=(--next)
			args+=(--cacert "$C/ca.crt" --cert "$C/registrar.crt" --key "$C/registrar.key"
				-s -H 'Content-Type: application/cms' --data-binary "@$tmp/$prefix-$n-$x.xml.der"
				-o "$tmp/$prefix-$n-$x.out")
			if [ "$x" = a ]; then args+=("$ua/v1/commands"); else args+=("$ub/v1/commands"); fi
		done
	done
	curl -Z --parallel-immediate --parallel-max 64 "${args[@]}"
}
# settle PREFIX N: one of the pair accepted, the other refused for the code
settle() {
	local prefix=$1 n=$2 c acc ref in_log
	c=$(code "$n")
	acc=$(cat "$tmp/$prefix-$n-a.out" "$tmp/$prefix-$n-b.out" | grep -c '<accepted')
	ref=$(cat "$tmp/$prefix-$n-a.out" "$tmp/$prefix-$n-b.out" | grep -c 'credit-code-registered')
	in_log=$(psqlq -c "SELECT count(*) FROM log l JOIN aggregates a ON a.id = l.aggregate
		WHERE a.kind = 'subject' AND l.seq = 1
		  AND position(' code=\"$c\"' IN convert_from(l.events, 'UTF8')) > 0")
	check "$prefix: code $c: one subject in the log ($in_log), one accepted ($acc), one refused credit-code-registered ($ref)" \
		test "$in_log/$acc/$ref" = "1/1/1"
}

race two "$URL" "$URL2" 1 2 3 4 5 6 7 8
for n in 1 2 3 4 5 6 7 8; do settle two "$n"; done
race one "$URL" "$URL" 11 12 13 14 15 16 17 18
for n in 11 12 13 14 15 16 17 18; do settle one "$n"; done

raced=$(cat "$tmp"/two-*.out "$tmp"/one-*.out | grep -c 'registered by another subject at the same time')
say "refusals decided by the database's key (the race won by the other): $raced of 16"
check "the read model holds each of the 16 codes once" \
	test "$(psqlq -c "SELECT count(*) FROM subject_codes WHERE code LIKE '91370983MA3E%'")" = 16
check "it is not the application's to write" \
	bash -c "! PGPASSWORD= \"\$1\" -X -q -h \"\$2\" -p \"\$3\" -U ebid_server -d ebid -c \"INSERT INTO subject_codes VALUES ('X', 'O-2026-0001')\" 2>/dev/null" _ \
	"$PGBIN/psql" "$pgdir" "$PGPORT_T"
check "a registration after the race is refused by ebidd's look-up, naming the holder" \
	bash -c "! \"\$@\" >\"$tmp/late.out\" 2>&1 && grep -q 'registered already as subject O-' \"$tmp/late.out\"" _ \
	"$EBID" --url "$URL2" --ca "$C/ca.crt" --cert "$C/registrar.crt" --key "$C/registrar.key" subject register "$tmp/two-1-a.xml"

# a batch the database undoes for a deadlock runs again (groupcommit.c,
# EB_GC_RETRIES): another session holds the new code uncommitted and then
# waits on the table ebidd's append has written, so ebidd's transaction
# (the one whose deadlock_timeout runs out first) is the one undone; the
# other session then rolls back, and the registration is accepted
psqlq -c "ALTER SYSTEM SET deadlock_timeout = '2s'" -c "SELECT pg_reload_conf()" >/dev/null
c21=$(code 21)
holder=O-2026-9999
subject_xml "$tmp/dl.xml" "$c21" "Deadlocked Works Co Ltd"
psqlq >"$tmp/dl-psql.out" 2>&1 <<SQL &
BEGIN;
SET LOCAL deadlock_timeout = '30s';
INSERT INTO aggregates (id, kind) VALUES ('$holder', 'subject');
INSERT INTO subject_codes VALUES ('$c21', '$holder');
DO \$\$ BEGIN   -- until ebidd's append waits for this transaction
    FOR i IN 1..600 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_locks
                           WHERE NOT granted AND locktype = 'transactionid');
        PERFORM pg_sleep(0.05);
    END LOOP;
END \$\$;
LOCK TABLE aggregates IN SHARE MODE;
ROLLBACK;
SQL
dl_psql=$!
sign "$tmp/dl.xml"
sleep 0.3
curl -s --cacert "$C/ca.crt" --cert "$C/registrar.crt" --key "$C/registrar.key" \
	-H 'Content-Type: application/cms' --data-binary "@$tmp/dl.xml.der" \
	-o "$tmp/dl.out" "$URL/v1/commands"
check "a registration whose append the database undid for a deadlock is appended again and accepted (one request, no client retry)" \
	grep -q '<accepted' "$tmp/dl.out"
wait "$dl_psql"
check "ebidd says it ran the batch again" grep -q "undone by the database.*SQLSTATE 40P01.*running it again" "$tmp/ebidd.log"
check "the deadlocked code is held by the new subject, not the rolled-back one" \
	test "$(psqlq -c "SELECT count(*) FROM subject_codes WHERE code = '$c21' AND subject <> '$holder'")" = 1
finish

#!/usr/bin/env bash
# tests/integration/test_dev_setup.sh
#    Checks what `tools/dev setup` made, as the other integration tests rely
#    on it: the development certificates carry identity exactly as
#    protocol/pki.h says, the bad test certificates are refused, the
#    PostgreSQL cluster answers with the roles and database of
#    docs/operations.md, and `tools/dev env` prints usable exports.
#
# Needs the environment of tests/README.md (EBID_SRC, EBID_CERTS,
# EBID_TEST_PG*); fails naming what is missing.  Registered by
# tests/integration/dev.cmake (label "integration").
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
for v in EBID_SRC EBID_CERTS EBID_TEST_PGHOST EBID_TEST_PGPORT EBID_TEST_PGUSER; do
	[ -n "${!v:-}" ] || fail "$v is not set: run through tools/dev test (tests/README.md)"
done
C=$EBID_CERTS
checks=0
ok() { checks=$((checks + 1)); }

# subject_field CERT FIELD: one attribute of the subject, as OpenSSL names
# it.  Every certificate's subject is read once, here (a cache filled
# inside $(...) would be lost with the subshell).
declare -A subject_cache=()
for f in "$C"/*.crt; do
	subject_cache[$f]=$(openssl x509 -in "$f" -noout -subject -nameopt sep_multiline,utf8,-esc_msb)
done
subject_field() {
	[ -n "${subject_cache[$1]:-}" ] || fail "no certificate $1"
	sed -n "s/^ *$2=//p" <<<"${subject_cache[$1]}"
}

# -- every manifest party: identity in the subject, purposes, key mode
declare -A person_seen=()
n=0
crts=()
while read -r name role party person org; do
	case $name in '#'* | '') continue ;; esac
	n=$((n + 1))
	crt=$C/$name.crt
	[ "$(subject_field "$crt" OU)" = "$role" ] || fail "$name: OU is not $role"
	[ "$(subject_field "$crt" UID)" = "$party" ] || fail "$name: UID is not $party"
	[ "$(subject_field "$crt" serialNumber)" = "$person" ] || fail "$name: serialNumber is not $person"
	[ "$(subject_field "$crt" O)" = "$org" ] || fail "$name: O is not '$org'"
	[ -n "$(subject_field "$crt" CN)" ] || fail "$name: no CN"
	[ -z "${person_seen[$person]:-}" ] || fail "$name and ${person_seen[$person]} share person $person"
	person_seen[$person]=$name
	openssl x509 -in "$crt" -noout -ext keyUsage | grep -q "Key Agreement" ||
		fail "$name: keyUsage lacks keyAgreement (needed to open envelopes)"
	[ "$(stat -c %a "$C/$name.key")" = 600 ] || fail "$name.key is not mode 600"
	crts+=("$crt")
done <"$C/parties.txt"
# One openssl run per purpose for all parties: each file prints "FILE: OK".
for purpose in sslclient smimesign; do
	good=$(openssl verify -CAfile "$C/ca.crt" -purpose "$purpose" "${crts[@]}" 2>&1 | grep -c ': OK$' || true)
	[ "$good" = "${#crts[@]}" ] || fail "only $good of ${#crts[@]} party certificates verify for $purpose"
done
ok
[ "$n" = 26 ] || fail "parties.txt lists $n parties, expected 26"

# -- the cast the scenarios need
for r in registrar supervisor verifier auditor; do
	[ "$(subject_field "$C/$r.crt" O)" = "Feicheng Public Resource Trading Centre" ] || fail "$r is not centre staff"
done
[ "$(subject_field "$C/tenderer.crt" O)" = "Feicheng Water Authority" ] || fail "tenderer organisation"
[ "$(subject_field "$C/transferor.crt" O)" = "Feicheng State Assets Administration" ] || fail "transferor organisation"
orgs=$(for i in 1 2 3 4 5; do subject_field "$C/bidder$i.crt" O; done | sort -u | wc -l)
[ "$orgs" = 5 ] || fail "the five bidders belong to $orgs organisations, expected 5"
civil=0 electrical=0 cost=0
for i in 1 2 3 4 5 6 7 8 9; do
	case $(subject_field "$C/expert$i.crt" title) in
	civil-works) civil=$((civil + 1)) ;;
	electrical) electrical=$((electrical + 1)) ;;
	cost) cost=$((cost + 1)) ;;
	*) fail "expert$i has no known specialty" ;;
	esac
done
[ "$civil/$electrical/$cost" = 5/2/2 ] || fail "specialties civil/electrical/cost are $civil/$electrical/$cost, expected 5/2/2"
[ "$(subject_field "$C/expert8.crt" O)" = "$(subject_field "$C/bidder2.crt" O)" ] || fail "expert8 must work for bidder2's company"
[ "$(subject_field "$C/expert9.crt" O)" = "$(subject_field "$C/bidder4.crt" O)" ] || fail "expert9 must work for bidder4's company"
for i in 1 2 3 4 5 6 7; do
	eo=$(subject_field "$C/expert$i.crt" O)
	for b in 1 2 3 4 5; do
		[ "$eo" != "$(subject_field "$C/bidder$b.crt" O)" ] || fail "expert$i works for bidder$b's company"
	done
done
ok

# -- server and TSA
openssl verify -CAfile "$C/ca.crt" -purpose sslserver "$C/server.crt" >/dev/null || fail "server: sslserver"
openssl verify -CAfile "$C/ca.crt" -purpose smimesign "$C/server.crt" >/dev/null || fail "server: smimesign"
openssl x509 -in "$C/server.crt" -noout -checkhost localhost | grep -q "does match" || fail "server: not valid for localhost"
openssl x509 -in "$C/server.crt" -noout -checkip 127.0.0.1 | grep -q "does match" || fail "server: not valid for 127.0.0.1"
openssl x509 -in "$C/server.crt" -noout -ext keyUsage | grep -q "Key Agreement" ||
	fail "server: keyUsage lacks keyAgreement (custodians reseal their shares to it)"
openssl verify -CAfile "$C/ca.crt" -purpose timestampsign "$C/tsa.crt" >/dev/null || fail "tsa: timestampsign"
openssl x509 -in "$C/tsa.crt" -noout -ext extendedKeyUsage | grep -q "critical" || fail "tsa: EKU not critical"
ok

# -- the bad ones are refused, each for its own reason
out=$(openssl verify -CAfile "$C/ca.crt" "$C/expired.crt" 2>&1) && fail "expired.crt verifies"
grep -q "certificate has expired" <<<"$out" || fail "expired.crt refused for another reason: $out"
out=$(openssl verify -CAfile "$C/ca.crt" "$C/stranger.crt" 2>&1) && fail "stranger.crt verifies"
grep -q "unable to get local issuer certificate" <<<"$out" || fail "stranger.crt refused for another reason: $out"
openssl verify -CAfile "$C/other-ca.crt" "$C/stranger.crt" >/dev/null || fail "stranger.crt does not verify against other-ca.crt"
ok

# -- PostgreSQL: reachable, roles as documented
q() { psql -X -qtA -h "$EBID_TEST_PGHOST" -p "$EBID_TEST_PGPORT" "$@"; }
[ "$(q -U "$EBID_TEST_PGUSER" -d postgres -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ] ||
	fail "EBID_TEST_PGUSER is not a superuser"
[ "$(q -U ebid_app -d ebid -c 'SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user')" = "ebid_app|f" ] ||
	fail "cannot connect to database ebid as the non-superuser ebid_app"
[ "$(q -U ebid_app -d ebid -c 'SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()')" = ebid_owner ] ||
	fail "database ebid is not owned by ebid_owner"
[ "$(q -U ebid_app -d ebid -c "SELECT inet_server_addr() IS NULL")" = t ] || fail "the socket connection is not a Unix socket"
[ "$(q -U ebid_app -d ebid -c "SHOW listen_addresses")" = 127.0.0.1 ] || fail "PostgreSQL listens beyond loopback"
ok

# -- tools/dev env
eval "$("$EBID_SRC/tools/dev" env bidder3)"
if [ "$EBID_CERT" != "$C/bidder3.crt" ] || [ "$EBID_KEY" != "$C/bidder3.key" ] || [ "$EBID_CA" != "$C/ca.crt" ]; then
	fail "tools/dev env bidder3 printed other paths"
fi
case $EBID_URL in https://127.0.0.1:[0-9]*) ;; *) fail "EBID_URL is $EBID_URL" ;; esac
if "$EBID_SRC/tools/dev" env nobody >/dev/null 2>&1; then fail "tools/dev env accepts an unknown party"; fi
ok

echo "test_dev_setup: $checks groups of checks passed ($n parties)"

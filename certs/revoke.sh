#!/usr/bin/env bash
# certs/revoke.sh
#    Revoke a development certificate and publish the CA's CRL, as a
#    centre's CA does with `openssl ca -revoke` and `-gencrl`.
#
#    certs/revoke.sh DIR NAME [WHEN]
#      DIR   the folder made by certs/make-dev-certs.sh (ca.crt, ca.key,
#            NAME.crt)
#      NAME  the certificate to revoke (DIR/NAME.crt)
#      WHEN  the revocation instant, UTC, as YYYYMMDDHHMMSSZ (default now);
#            an instant in the past records a compromise found late, so
#            that signatures made after it are refused (tests do this)
#    certs/revoke.sh DIR --list   the revocations so far
#
#    Writes DIR/crl.pem (every revocation so far, signed by the CA, next
#    update in 30 days) and keeps the CA's list in DIR/revoked.txt (the
#    `openssl ca` database format); marks the certificate revoked in
#    DIR/index.txt, the CA's index the OCSP responder answers from
#    (`openssl ocsp -index DIR/index.txt`, docs/operations-server.md).
#    Point ebidd's `crl` setting at DIR/crl.pem and send it SIGHUP; `ebid-audit verify --crl DIR/crl.pem`.
#    Development only: a real CA keeps its key offline (certs/README.md).
set -euo pipefail
die() { printf 'revoke.sh: %s\n' "$*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: certs/revoke.sh DIR NAME [YYYYMMDDHHMMSSZ] | DIR --list"
dir=$1 name=$2 when=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
[ -r "$dir/ca.crt" ] && [ -r "$dir/ca.key" ] || die "$dir has no ca.crt and ca.key"
db=$dir/revoked.txt
touch "$db"
if [ "$name" = --list ]; then cat "$db"; exit 0; fi
[ -r "$dir/$name.crt" ] || die "no certificate $dir/$name.crt"
if [ -z "$when" ]; then
	when=$(date -u +%Y%m%d%H%M%SZ)
fi
[[ $when =~ ^[0-9]{14}Z$ ]] || die "WHEN must be YYYYMMDDHHMMSSZ (UTC), got '$when'"

serial=$(openssl x509 -in "$dir/$name.crt" -noout -serial | cut -d= -f2)
subject=$(openssl x509 -in "$dir/$name.crt" -noout -subject -nameopt compat | sed 's/^subject=//')
# openssl ca's database: status, expiry, revocation[,reason], serial, file, subject
expiry=$(date -u -d "$(openssl x509 -in "$dir/$name.crt" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
rev=$(date -u -d "${when:0:4}-${when:4:2}-${when:6:2} ${when:8:2}:${when:10:2}:${when:12:2}" +%y%m%d%H%M%SZ) ||
	die "WHEN is not a valid instant: $when"
if grep -q "	$serial	" "$db"; then
	die "$name (serial $serial) is already revoked"
fi
printf 'R\t%s\t%s,keyCompromise\t%s\tunknown\t%s\n' "$expiry" "$rev" "$serial" "$subject" >>"$db"
# the CA's index (make-dev-certs.sh), which `openssl ocsp -index` answers
# from: the certificate's line becomes revoked (the responder reloads it)
if [ -f "$dir/index.txt" ]; then
	awk -F'\t' -v OFS='\t' -v s="$serial" -v r="$rev,keyCompromise" \
		'$4 == s && $1 == "V" { $1 = "R"; $3 = r } { print }' \
		"$dir/index.txt" >"$dir/index.txt.new" && mv "$dir/index.txt.new" "$dir/index.txt"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ebid-crl.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/issued"
cp "$db" "$work/index.txt"
echo "unique_subject = no" >"$work/index.txt.attr"
[ -f "$dir/crlnumber" ] || echo 1000 >"$dir/crlnumber"
cp "$dir/crlnumber" "$work/crlnumber"
cat >"$work/ca.cnf" <<CNF
[ ca ]
default_ca = crl_ca
[ crl_ca ]
dir = $work
database = \$dir/index.txt
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir/issued
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
CNF
openssl ca -batch -config "$work/ca.cnf" -gencrl -cert "$dir/ca.crt" \
	-keyfile "$dir/ca.key" -out "$dir/crl.pem" 2>"$work/log" ||
	{ cat "$work/log" >&2; die "openssl ca -gencrl failed"; }
cp "$work/crlnumber" "$dir/crlnumber"
openssl crl -in "$dir/crl.pem" -CAfile "$dir/ca.crt" -noout 2>/dev/null ||
	die "the CRL does not verify with $dir/ca.crt"
printf 'revoked %s (serial %s) at %s; %s holds %d revocation(s)\n' \
	"$name" "$serial" "$when" "$dir/crl.pem" "$(wc -l <"$db")"

#!/usr/bin/env bash
# certs/make-dev-certs.sh
#    Makes the DEVELOPMENT public-key infrastructure of ebid in OUTDIR: the
#    centre's CA, the server and TSA certificates, one certificate per party
#    and role, and the deliberately bad certificates tests need.
#
#    usage: certs/make-dev-certs.sh OUTDIR
#
# Output (all keys EC P-256, each certificate with its own key, keys mode 600):
#    ca.crt ca.key              the centre's development CA
#    server.crt server.key      ebidd: TLS server (and signer when no
#                               signing_cert is configured)
#    server-signing.crt .key    ebidd's signing key (signing_cert/signing_key):
#                               chain heads, system commands, shares; read by
#                               the key process only
#    tsa.crt tsa.key            the time-stamping authority (receipts)
#    ocsp.crt ocsp.key          the CA's OCSP responder (OCSPSigning EKU)
#    index.txt index.txt.attr   the CA's database of what it issued (`openssl
#                               ca` format): the index `openssl ocsp -index`
#                               answers from; certs/revoke.sh marks revocations
#    NAME.crt NAME.key          every party listed in OUTDIR/parties.txt
#    other-ca.crt other-ca.key  a second CA that ebid does not trust
#    stranger.crt stranger.key  a bidder-looking certificate from other-ca
#    expired.crt expired.key    a bidder certificate from our CA, expired in 2021
#    rogue-system.crt .key      TEST ONLY: a certificate of our CA that says
#                               OU=system but is not the server's; ebidd and
#                               ebid-audit must refuse it as the system
#    parties.txt                manifest: "name role party person org" (org runs
#                               to the end of the line); only the valid parties
#
# Identity in the subject (protocol/pki.h, certs/README.md): O organisation,
# OU role, CN display name, UID party id, serialNumber person id, title the
# expert's specialty.  Every certificate is checked with `openssl verify`
# before the script succeeds; the two bad ones must FAIL verification.
#
# Ownership: writes only inside OUTDIR (created if missing).  Nothing it makes
# may be committed (var/ is ignored by git).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cnf=$here/openssl-dev.cnf

die() { echo "make-dev-certs: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: certs/make-dev-certs.sh OUTDIR"
command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
umask 077

work=$(mktemp -d "${TMPDIR:-/tmp}/ebid-certs.XXXXXX")
trap 'rm -rf "$work"' EXIT

centre="Feicheng Public Resource Trading Centre"

# One row per party: name|role|person id|organisation|display name|specialty
# The party id (UID) is the name.  Person ids are invented and only have to
# be distinct per natural person; separation of duties compares them.
parties=(
	"registrar|registrar|FC-P-1001|$centre|Zhang Wei|"
	"supervisor|supervisor|FC-P-1002|$centre|Li Na|"
	"verifier|verifier|FC-P-1003|$centre|Wang Fang|"
	"auditor|auditor|FC-P-1004|$centre|Liu Yang|"
	"tenderer|tenderer|FC-P-2001|Feicheng Water Authority|Chen Jing|"
	"bidder1|bidder|FC-P-3001|Taishan Road and Bridge Co Ltd|Zhao Lei|"
	"bidder2|bidder|FC-P-3002|Shandong Hengyuan Construction Group|Sun Qiang|"
	"bidder3|bidder|FC-P-3003|Jinan Municipal Engineering Co Ltd|Zhou Min|"
	"bidder4|bidder|FC-P-3004|Feicheng Huaxing Construction Co Ltd|Wu Tao|"
	"bidder5|bidder|FC-P-3005|Liaocheng Water Conservancy Engineering Co Ltd|Zheng Hui|"
	"expert1|expert|FC-P-4001|Shandong Jianzhu University|Feng Jun|civil-works"
	"expert2|expert|FC-P-4002|Shandong Provincial Water Resources Research Institute|Chu Hong|civil-works"
	"expert3|expert|FC-P-4003|Tai'an Institute of Surveying and Design|Wei Dong|civil-works"
	"expert4|expert|FC-P-4004|Shandong University of Science and Technology|Jiang Ping|civil-works"
	"expert5|expert|FC-P-4005|Jining Engineering Consulting Institute|Han Xue|civil-works"
	"expert6|expert|FC-P-4006|Shandong Electric Power Design Institute|Yang Bo|electrical"
	"expert7|expert|FC-P-4007|Qilu University of Technology|Qin Yan|electrical"
	"expert8|expert|FC-P-4008|Shandong Hengyuan Construction Group|Xu Gang|cost"
	"expert9|expert|FC-P-4009|Feicheng Huaxing Construction Co Ltd|He Li|cost"
	"custodian1|custodian|FC-P-5001|$centre|Lu Ming|"
	"custodian2|custodian|FC-P-5002|Feicheng Notary Office|Shi Jie|"
	"custodian3|custodian|FC-P-5003|Feicheng Water Authority|Kong Wen|"
	"transferor|transferor|FC-P-6001|Feicheng State Assets Administration|Cao Rui|"
	"buyer1|bidder|FC-P-7001|Tai'an Guotai Investment Co Ltd|Ma Chao|"
	"buyer2|bidder|FC-P-7002|Shandong Luxin Industrial Co Ltd|Tian Yu|"
	# a buyer of the transferor's own organisation: the conflict rules refuse it
	"buyer3|bidder|FC-P-7003|Feicheng State Assets Administration|Gao Shan|"
)

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A CA working directory for `openssl ca` (database of issued certificates).
ca_init() {
	mkdir -p "$work/$1/issued"
	: >"$work/$1/index.txt"
	openssl rand -hex 16 >"$work/$1/serial"
}

# make_ca NAME SUBJECT: a self-signed CA certificate valid ten years.
make_ca() {
	local name=$1 subj=$2
	newkey "$out/$name.key"
	EB_CA_DIR=$work/$name openssl req -new -x509 -config "$cnf" -extensions v3_ca \
		-key "$out/$name.key" -sha256 -days 3650 -subj "$subj" \
		-out "$out/$name.crt"
	ca_init "$name"
}

# issue CA NAME SUBJECT SECTION [openssl ca options...]: key, request and
# certificate NAME signed by CA with the extensions of SECTION.
issue() {
	local ca=$1 name=$2 subj=$3 section=$4
	shift 4
	newkey "$out/$name.key"
	openssl req -new -key "$out/$name.key" -subj "$subj" -out "$work/$name.csr"
	EB_CA_DIR=$work/$ca openssl ca -batch -config "$cnf" -preserveDN -notext \
		-rand_serial -cert "$out/$ca.crt" -keyfile "$out/$ca.key" \
		-extensions "$section" -in "$work/$name.csr" -out "$out/$name.crt" \
		"$@" 2>"$work/$name.log" ||
		{ cat "$work/$name.log" >&2; die "could not issue $name"; }
}

export EB_CA_DIR=$work/unused   # the config names it; set for every call

make_ca ca "/O=$centre/CN=$centre Development CA"
issue ca server "/O=$centre/OU=system/CN=ebidd trading server/UID=ebidd/serialNumber=FC-SYSTEM" v3_server
# ebidd's signing key, apart from its TLS key (privilege separation: only
# the key process reads it; signing_cert / signing_key)
issue ca server-signing "/O=$centre/OU=system/CN=ebidd signing key/UID=ebidd/serialNumber=FC-SYSTEM" v3_signing
issue ca tsa "/O=$centre/CN=$centre Time-Stamping Authority" v3_tsa
# the CA's OCSP responder (delegated: OCSPSigning EKU; docs/crypto.md)
issue ca ocsp "/O=$centre/CN=$centre OCSP Responder" v3_ocsp
# the opening authority: issues each tender's opening certificate (ebidd)
issue ca opening-authority "/O=$centre/CN=$centre Opening Authority" v3_opening_ca

manifest=$work/parties.txt
{
	echo "# parties.txt: the development parties; made by certs/make-dev-certs.sh"
	echo "# name role party person org (org runs to the end of the line)"
} >"$manifest"
for row in "${parties[@]}"; do
	IFS='|' read -r name role person org cn title <<<"$row"
	subj="/O=$org/OU=$role/CN=$cn/UID=$name/serialNumber=$person"
	[ -z "$title" ] || subj="$subj/title=$title"
	issue ca "$name" "$subj" v3_party
	printf '%s %s %s %s %s\n' "$name" "$role" "$name" "$person" "$org" >>"$manifest"
done

# Test material: a CA we do not trust, a bidder certificate it issued, and a
# bidder certificate of our own CA whose validity ended in 2021.
make_ca other-ca "/O=Unknown Authority/CN=Other Development CA"
issue other-ca stranger "/O=Stranger Trading Co Ltd/OU=bidder/CN=Stranger/UID=stranger/serialNumber=XX-P-0001" v3_party
issue ca expired "/O=Expired Holdings Co Ltd/OU=bidder/CN=Old Bidder/UID=expired/serialNumber=FC-P-3999" v3_party \
	-startdate 20200101000000Z -enddate 20210101000000Z
# TEST ONLY: a valid certificate of our CA claiming the system role (what a
# careless or compromised registration desk could issue).  Only the server
# certificates named in ebidd's configuration may act as the system.
issue ca rogue-system "/O=$centre/OU=system/CN=Rogue system (test only)/UID=rogue-system/serialNumber=FC-ROGUE-1" v3_party

# Check: every good certificate verifies against ca.crt for its purpose,
# the bad ones are refused.
check() {
	local name=$1 purpose=$2 res
	res=$(openssl verify -CAfile "$out/ca.crt" -purpose "$purpose" "$out/$name.crt" 2>&1) ||
		die "$name.crt does not verify against ca.crt: $res"
}
check server sslserver
check rogue-system smimesign
check server smimesign
check server-signing smimesign
check tsa timestampsign
openssl x509 -in "$out/ocsp.crt" -noout -ext extendedKeyUsage | grep -q 'OCSP Signing' ||
	die "ocsp.crt lacks the OCSPSigning extended key usage"
openssl x509 -in "$out/opening-authority.crt" -noout -text | grep -q 'CA:TRUE, pathlen:0' ||
	die "opening-authority.crt is not a CA with pathlen 0"
while read -r name _; do
	case $name in '#'*) continue ;; esac
	check "$name" sslclient
	check "$name" smimesign
done <"$manifest"
for bad in stranger expired; do
	if openssl verify -CAfile "$out/ca.crt" "$out/$bad.crt" >/dev/null 2>&1; then
		die "$bad.crt verifies against ca.crt but must not"
	fi
done

cp "$manifest" "$out/parties.txt"
# the CA's database: every certificate it issued, for the OCSP responder
cp "$work/ca/index.txt" "$out/index.txt"
echo "unique_subject = no" >"$out/index.txt.attr"
chmod 600 "$out"/*.key
chmod 644 "$out"/*.crt "$out/parties.txt" "$out/index.txt" "$out/index.txt.attr"
echo "make-dev-certs: $(grep -vc '^#' "$out/parties.txt") parties, server, tsa, CA and test certificates in $out"

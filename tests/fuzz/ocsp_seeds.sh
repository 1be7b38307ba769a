#!/usr/bin/env bash
# tests/fuzz/ocsp_seeds.sh OUT: the seed corpus of tests/fuzz/ocsp_fuzzer.c.
#   built mode (first byte odd): status, thisUpdate and nextUpdate offsets
#   in minutes (int16 big-endian; 8000: none), extra serial bytes;
#   raw mode (first byte even): a response `openssl ocsp` made for a
#   throwaway CA (it does not chain to the fuzz CA: the parser's and the
#   signature check's paths), a truncated copy, and junk.
set -euo pipefail
out=${1:?OUT}
mkdir -p "$out"
w() { printf "$2" >"$out/$1"; }
w built-good '\x01\x00\xff\xff\x00\x3c'
w built-revoked '\x01\x01\xff\xff\x00\x3c'
w built-unknown '\x01\x02\xff\xff\x00\x3c'
w built-no-next '\x01\x00\xff\xff\x80\x00'
w built-stale '\x01\x00\xff\x88\xff\xc4'
w built-future '\x01\x00\x00\x78\x00\xf0'
w built-next-before-this '\x01\x00\x00\x00\xff\xf0'
w built-two-entries '\x01\x01\xff\xff\x00\x3c\x07\x5b\xcd\x15'
w built-same-serial '\x01\x00\xff\xff\x00\x3c\x02'
w raw-junk '\x00\x30\x82\xff\xff\x0a\x01\x00'
w raw-empty '\x00'
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=seed-ca \
	-keyout "$t/ca.key" -out "$t/ca.crt" -days 2 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=seed-leaf \
	-keyout "$t/l.key" -out "$t/l.csr" 2>/dev/null
openssl x509 -req -in "$t/l.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -set_serial 7 -days 2 -out "$t/l.crt" 2>/dev/null
printf 'R\t301231000000Z\t240101000000Z\t07\tunknown\t/CN=seed-leaf\n' >"$t/index"
openssl ocsp -issuer "$t/ca.crt" -cert "$t/l.crt" -reqout "$t/req.der" >/dev/null 2>&1
openssl ocsp -index "$t/index" -rsigner "$t/ca.crt" -rkey "$t/ca.key" -CA "$t/ca.crt" \
	-reqin "$t/req.der" -respout "$t/resp.der" -ndays 1 >/dev/null 2>&1
{ printf '\x00'; cat "$t/resp.der"; } >"$out/raw-openssl-revoked"
{ printf '\x00'; head -c 100 "$t/resp.der"; } >"$out/raw-openssl-truncated"
ls "$out" | wc -l

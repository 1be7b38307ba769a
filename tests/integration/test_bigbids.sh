#!/usr/bin/env bash
# tests/integration/test_bigbids.sh
#    Large bids (issue 18, docs/bigbids.md) through the real ebidd, ebid,
#    PostgreSQL and the openssl CLI:
#      - a 200 MB attachment sealed in a streamed envelope; the signed
#        submit-bid names it by SHA-256 and size (the log row stays small);
#      - the upload cut at 30 %, ebidd restarted, resumed and cut again at
#        90 %, resumed to the end; the receipt verified with
#        `ebid receipt verify` and `openssl ts -verify`;
#      - ebidd killed (SIGKILL) during a running upload: the client retries,
#        resumes at the restarted ebidd's durable offset and finishes;
#      - a bidder opens its own large bid (attachments back byte for byte);
#      - the pace warning when the upload cannot finish before the deadline;
#      - the progress bar with rate and time left on a terminal (script(1)
#        gives a pty), none when stderr is not one;
#      - `ebid-audit verify --envelopes` checks the stored envelopes;
#        `export --envelopes` copies them beside the export, where verify
#        checks them by itself (a tampered or removed one names its entry);
#      - two ebidd on one database and one envelope_dir: a chunk while
#        another process holds the upload's lock is refused (upload-busy),
#        an upload begun on one ebidd is resumed on the other and back at
#        the disk's offset, two clients at once through both end with the
#        sealed envelope stored;
#      - the sweep: an envelope whose submit-bid was refused is kept within
#        envelope_grace and deleted after it; the one the log names stays;
#      - the limits: upload_max_size, upload_tender_quota, upload_min_free;
#      - bid seal writes the prefix digests (one per MiB) beside the
#        envelope; bid submit sends them (one wrong: refused by the server,
#        the client hashes instead; a side file of another time: unused;
#        the envelope cut short during the upload: a clear error);
#      - a chunk with a wrong SHA-256 refused, the durable offset unchanged
#        (both forms: prefix-sha256, the hash of the envelope up to the
#        chunk's end, and chunk-sha256, the chunk's own);
#      - a command naming an envelope that was never uploaded refused;
#      - an upload completed one second after the deadline refused, the
#        partial upload deleted, nothing stored;
#      - the opening of the large bids (streamed from the store) beside an
#        inline one: all opened, at their prices.
#    EBID_BIGBID_MB: the size of the big attachment (default 200).
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
IT_EXTRA_CONF="envelope_dir = $tmp/envelopes
upload_min_free = 0"
it_setup

MB=${EBID_BIGBID_MB:-200}
BIDS=$SRC/tests/data/bids
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
ebid_as registrar tender accept "$T" >/dev/null
ebid_as supervisor tender publish "$T" >/dev/null
check "tender $T in bidding" wait_state tender "$T" bidding
for i in 1 2 3 4; do
	ebid_as "bidder$i" tender sign-up "$T" >/dev/null
	ebid_as registrar tender confirm-sign-up "$T" bidder="bidder$i" >/dev/null
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-$i-*.xml)" >"$tmp/bid$i.xml"
done

# -- sealing in bounded memory -------------------------------------------
head -c $((MB * 1000000)) /dev/urandom >"$tmp/drawings.bin"
printf 'priced bill of quantities\n' >"$tmp/boq.txt"
/usr/bin/time -f '%M' -o "$tmp/seal.rss" "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/bidder1.crt" --key "$C/bidder1.key" \
	bid seal --tender "$T" "$tmp/bid1.xml" --attach "$tmp/drawings.bin" --attach "$tmp/boq.txt" -o "$tmp/b1.sealed" >"$tmp/seal.out" 2>&1
check "a ${MB} MB bid is sealed" test -s "$tmp/b1.sealed.env"
rss=$(cat "$tmp/seal.rss" 2>/dev/null || echo 999999)
check "  ... in bounded memory (ebid peak RSS ${rss} KiB < 64 MiB)" test "$rss" -lt 65536
S=$(stat -c %s "$tmp/b1.sealed.env")
H=$(sha256sum "$tmp/b1.sealed.env" | cut -d' ' -f1)
check "  ... the sealed command is small ($(stat -c %s "$tmp/b1.sealed") bytes) and names the envelope" \
	test "$(stat -c %s "$tmp/b1.sealed")" -lt 20000
check "  ... its SHA-256 and size are printed" grep -q "$S bytes, SHA-256 $H" "$tmp/seal.out"
# the prefix digests beside it (one per MiB, for bid submit)
P=$tmp/b1.sealed.env.prefix-sha256
MiB=1048576
check "  ... and its prefix digests beside it, one per MiB ($((S / MiB)))" sh -c \
	"head -5 '$P' | grep -qx 'sha256 $H' && test \$(tail -n +6 '$P' | wc -l) = $((S / MiB)) && grep -qx 'size $S' '$P'"
check "  ... the first is the SHA-256 of the first MiB" test "$(sed -n 6p "$P")" = "$(head -c $MiB "$tmp/b1.sealed.env" | sha256sum | cut -d' ' -f1)"
check "  ... the last of the envelope's first $((S / MiB)) MiB" test "$(tail -1 "$P")" = "$(head -c $((S / MiB * MiB)) "$tmp/b1.sealed.env" | sha256sum | cut -d' ' -f1)"

# -- the upload, cut and resumed ------------------------------------------
up_offset() { curl_as bidder1 "$URL/v1/uploads/offset?sha256=$H" | grep -o ' offset="[0-9]*"' | cut -d'"' -f2; }
refused "the upload cut at 30 %" ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" --stop-after $((S * 30 / 100))
o1=$(up_offset)
check "  ... the server holds a durable part (${o1:-none} of $S)" test "${o1:-0}" -gt 0 -a "${o1:-0}" -lt "$S"
refused "a command naming an envelope not yet uploaded is refused" ebid_as bidder1 send "$tmp/b1.sealed"
check "  ... with envelope-not-uploaded" sh -c "'$EBID' --url '$URL' --ca '$C/ca.crt' --cert '$C/bidder1.crt' --key '$C/bidder1.key' send '$tmp/b1.sealed' 2>&1 | grep -q envelope-not-uploaded"
tail -c +$((o1 + 1)) "$tmp/b1.sealed.env" | head -c 65536 >"$tmp/chunk"
st=$(curl_as bidder1 -o "$tmp/wrong.xml" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary @"$tmp/chunk" "$URL/v1/uploads/chunk?sha256=$H&offset=$o1&chunk-sha256=$(printf 'x' | sha256sum | cut -d' ' -f1)")
check "a chunk with a wrong SHA-256 is refused (HTTP $st)" test "$st" = 422
check "  ... as chunk-hash-mismatch" grep -q 'reason="chunk-hash-mismatch"' "$tmp/wrong.xml"
check "  ... the durable offset is unchanged" test "$(up_offset)" = "$o1"
st=$(curl_as bidder1 -o "$tmp/wrong2.xml" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary @"$tmp/chunk" "$URL/v1/uploads/chunk?sha256=$H&offset=$o1&prefix-sha256=$(head -c "$o1" "$tmp/b1.sealed.env" | sha256sum | cut -d' ' -f1)")
check "a chunk with a wrong prefix SHA-256 (of fewer bytes) is refused (HTTP $st)" test "$st" = 422
check "  ... as chunk-hash-mismatch, the durable offset unchanged" sh -c "grep -q 'reason=\"chunk-hash-mismatch\"' '$tmp/wrong2.xml' && test '$(up_offset)' = '$o1'"
st=$(curl_as bidder1 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
	--data-binary @"$tmp/chunk" "$URL/v1/uploads/chunk?sha256=$H&offset=$o1&chunk-sha256=$(sha256sum <"$tmp/chunk" | cut -d' ' -f1)")
check "a chunk sent with its own SHA-256 (chunk-sha256, the first form) is taken (HTTP $st)" test "$st" = 200 -a "$(up_offset)" = $((o1 + 65536))
o1=$((o1 + 65536))   # the client resumes from a point it did not send itself
st=$(curl_as bidder2 -o /dev/null -w '%{http_code}' "$URL/v1/uploads/offset?sha256=$H")
check "another bidder cannot see the upload (HTTP $st)" test "$st" = 403
restart_ebidd
check "after an ebidd restart the durable offset is kept" test "$(up_offset)" = "$o1"
refused "resumed, cut again at 90 %" ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" --stop-after $((S * 90 / 100 - o1))
o2=$(up_offset)
check "  ... the server holds more (${o2:-none})" test "${o2:-0}" -gt "$o1" -a "${o2:-0}" -lt "$S"
ebid_as bidder1 bid submit --tender "$T" "$tmp/b1.sealed" -o "$tmp/b1.receipt" >"$tmp/submit.out" 2>&1
check "resumed to the end, the bid is received" grep -q "receipt saved" "$tmp/submit.out"
check "  ... resuming where the server stood" grep -q "resuming the upload at byte $o2" "$tmp/submit.out"
check "  ... and again once uploaded" grep -q "envelope uploaded: $S bytes, SHA-256 $H" "$tmp/submit.out"
check "the envelope is in the store by hash, whole" cmp -s "$tmp/b1.sealed.env" "$tmp/envelopes/${H:0:2}/$H"
check "no partial upload is left" test -z "$(ls "$tmp/envelopes/uploads")"
check "ebid receipt verify" ebid_as bidder1 receipt verify "$tmp/b1.receipt" "$tmp/b1.sealed"
check "openssl ts -verify" openssl ts -verify -in "$tmp/b1.receipt" -token_in \
	-digest "$(sha256sum "$tmp/b1.sealed" | cut -d' ' -f1)" -CAfile "$C/ca.crt" -untrusted "$C/tsa.crt"
big=$(psqlq -c "SELECT max(octet_length(command)) FROM log WHERE aggregate = '$T'")
check "the log rows stay small (largest command $big bytes)" test "$big" -lt 100000

# -- the limits: size cap, tender quota, disk reserve --------------------
head -c 1500000 /dev/urandom >"$tmp/q.bin"
ebid_as bidder2 bid seal --tender "$T" "$tmp/bid2.xml" --attach "$tmp/q.bin" -o "$tmp/b2q.sealed" >/dev/null
ebid_as bidder2 bid seal --tender "$T" "$tmp/bid2.xml" --attach "$tmp/q.bin" -o "$tmp/b2r.sealed" >/dev/null
limit_refused() { # limit_refused NAME REASON SEALED
	if ebid_as bidder2 bid submit --tender "$T" "$3" >"$tmp/limit.out" 2>&1; then
		bad "$1 (it was received)"
	elif grep -q "code: $2" "$tmp/limit.out"; then
		ok "$1"
	else
		bad "$1 (refused otherwise: $(head -3 "$tmp/limit.out" | tr '\n' ' '))"
	fi
}
write_conf "upload_max_size = 1000000"
restart_ebidd
limit_refused "an envelope over upload_max_size is refused" upload-too-large "$tmp/b2q.sealed"
write_conf "upload_tender_quota = 2000000"
restart_ebidd
refused "bidder2 opens a 1.5 MB upload (half sent)" ebid_as bidder2 bid submit --tender "$T" "$tmp/b2q.sealed" --stop-after 500000
limit_refused "a second one over the tender's upload_tender_quota is refused" tender-upload-quota "$tmp/b2r.sealed"
write_conf "upload_min_free = 1000000000000000"
restart_ebidd
limit_refused "an upload that would fill the disk is refused" disk-full "$tmp/b2r.sealed"
write_conf
restart_ebidd

# -- the sweep of envelopes no log entry names (envelope_grace) ----------
# bidder5 is not signed up yet: its envelope uploads, its submit-bid is
# refused, so no log entry names the stored envelope
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-5-*.xml)" >"$tmp/bid5.xml"
head -c 1000000 /dev/urandom >"$tmp/orphan.bin"
ebid_as bidder5 bid seal --tender "$T" "$tmp/bid5.xml" --attach "$tmp/orphan.bin" -o "$tmp/b5o.sealed" >/dev/null
H5=$(sha256sum "$tmp/b5o.sealed.env" | cut -d' ' -f1)
sweeps() { grep -c "envelope store sweep:" "$tmp/ebidd.log"; }
sweep_now() { # move the test clock a second (ebidd sweeps) and wait for the sweep's line
	local n0 c
	n0=$(sweeps)
	c=$(clock_now)
	clock_to "$(iso_plus "$c" 1)"
	for _ in $(seq 1 100); do [ "$(sweeps)" -gt "$n0" ] && return 0; sleep 0.1; done
	return 1
}
write_conf "envelope_grace = 3600"
restart_ebidd
refused "a bidder not signed up uploads its envelope, its submit-bid is refused" ebid_as bidder5 bid submit --tender "$T" "$tmp/b5o.sealed"
check "  ... the envelope is stored all the same" test -s "$tmp/envelopes/${H5:0:2}/$H5"
check "  ... a sweep runs" sweep_now
check "  ... within envelope_grace (3600 s) it is kept" test -s "$tmp/envelopes/${H5:0:2}/$H5"
write_conf "envelope_grace = 1"
restart_ebidd
for _ in $(seq 1 50); do
	sweep_now
	[ -e "$tmp/envelopes/${H5:0:2}/$H5" ] || break
	sleep 0.2
done
check "past envelope_grace (1 s) the envelope no log entry names is deleted" test ! -e "$tmp/envelopes/${H5:0:2}/$H5"
check "  ... ebidd says so" grep -q "envelope $H5 deleted: no log entry names it" "$tmp/ebidd.log"
check "  ... the envelope the log names (bidder1's, older still) is kept, whole" cmp -s "$tmp/b1.sealed.env" "$tmp/envelopes/${H:0:2}/$H"
check "  ... nothing else was deleted" test "$(grep -c "envelope [0-9a-f]* deleted:" "$tmp/ebidd.log")" = 1
write_conf
restart_ebidd

# -- two ebidd on one database and one envelope_dir -----------------------
# the second: same database and store, its own port, pid and log
PORT2=$(free_port)
sed "s/^listen = .*/listen = 127.0.0.1:$PORT2/; s|^pid_file = .*|pid_file = $tmp/ebidd2.pid|; s|^log_file = .*|log_file = $tmp/ebidd2.log|" \
	"$tmp/ebidd.conf" >"$tmp/ebidd2.conf"
"$EBIDD" --config "$tmp/ebidd2.conf" --test-clock=driven >>"$tmp/ebidd2.out" 2>&1 &
pid2=$!
trap 'kill -TERM "$pid2" 2>/dev/null; wait "$pid2" 2>/dev/null; it_cleanup' EXIT
for _ in $(seq 1 100); do
	curl -s -o /dev/null --cacert "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" "https://127.0.0.1:$PORT2/v1/health" && break
	sleep 0.1
done
URL2=https://127.0.0.1:$PORT2
ebid2_as() { local who=$1; shift; "$EBID" --url "$URL2" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "$@"; }
ebid_as buyer1 tender sign-up "$T" >/dev/null
ebid_as registrar tender confirm-sign-up "$T" bidder=buyer1 >/dev/null
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-1-*.xml)" >"$tmp/bidb.xml"
head -c 10000000 /dev/urandom >"$tmp/site.bin"
check "buyer1 (signed up as a bidder) seals a 10 MB large bid" ebid_as buyer1 bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/site.bin" -o "$tmp/bb.sealed"
HB=$(sha256sum "$tmp/bb.sealed.env" | cut -d' ' -f1)
refused "  ... uploads 3 MB of it through ebidd 1" ebid_as buyer1 bid submit --tender "$T" "$tmp/bb.sealed" --chunk 1000000 --stop-after 3000000
# a chunk being written by "another ebidd": its lock on the part file held
rm -f "$tmp/release" "$tmp/locked"
flock -x "$tmp/envelopes/uploads/$HB.part" -c "touch '$tmp/locked'; while [ ! -e '$tmp/release' ]; do sleep 0.05; done" &
holder=$!
for _ in $(seq 1 100); do [ -e "$tmp/locked" ] && break; sleep 0.05; done
head -c 4000000 "$tmp/bb.sealed.env" | tail -c 1000000 >"$tmp/chunkb"
st=$(curl -s -o "$tmp/busy.xml" -w '%{http_code}' --cacert "$C/ca.crt" --cert "$C/buyer1.crt" --key "$C/buyer1.key" \
	-H 'Content-Type: application/octet-stream' --data-binary @"$tmp/chunkb" \
	"$URL2/v1/uploads/chunk?sha256=$HB&offset=3000000&chunk-sha256=$(sha256sum <"$tmp/chunkb" | cut -d' ' -f1)")
check "a chunk to ebidd 2 while another writes one of the same upload is refused (HTTP $st)" test "$st" = 409
check "  ... as upload-busy" grep -q 'reason="upload-busy"' "$tmp/busy.xml"
touch "$tmp/release"
wait "$holder"
check "  ... nothing was written: the durable offset is still 3000000" sh -c "grep -q '^offset=0*3000000\$' '$tmp/envelopes/uploads/$HB.meta'"
ebid2_as buyer1 bid submit --tender "$T" "$tmp/bb.sealed" --chunk 1000000 --stop-after 3000000 >"$tmp/bb2.out" 2>&1
check "ebidd 2 resumes the upload ebidd 1 began, at its durable offset" grep -q "resuming the upload at byte 3000000 " "$tmp/bb2.out"
ebid_as buyer1 bid submit --tender "$T" "$tmp/bb.sealed" --chunk 1000000 -o "$tmp/bb.receipt" >"$tmp/bb1.out" 2>&1
check "ebidd 1 then goes on from where ebidd 2 left it (6000000), not from what it knew" grep -q "resuming the upload at byte 6000000 " "$tmp/bb1.out"
check "  ... the bid is received" grep -q "receipt saved" "$tmp/bb1.out"
check "  ... the stored envelope is the sealed one" cmp -s "$tmp/bb.sealed.env" "$tmp/envelopes/${HB:0:2}/$HB"
# two clients at once, one through each ebidd, sending the same upload
head -c 10000000 /dev/urandom >"$tmp/site2.bin"
ebid_as buyer1 bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/site2.bin" -o "$tmp/bc.sealed" >/dev/null
HC=$(sha256sum "$tmp/bc.sealed.env" | cut -d' ' -f1)
ebid_as buyer1 bid submit --tender "$T" "$tmp/bc.sealed" --chunk 262144 -o "$tmp/bc1.receipt" >"$tmp/bc1.out" 2>&1 &
c1=$!
ebid2_as buyer1 bid submit --tender "$T" "$tmp/bc.sealed" --chunk 262144 -o "$tmp/bc2.receipt" >"$tmp/bc2.out" 2>&1 &
c2=$!
wait "$c1"; r1=$?
wait "$c2"; r2=$?
check "two clients upload the same envelope through both ebidd at once: both end (exit $r1, $r2)" test "$r1" = 0 -a "$r2" = 0
check "  ... the stored envelope is the sealed one, byte for byte" cmp -s "$tmp/bc.sealed.env" "$tmp/envelopes/${HC:0:2}/$HC"
check "  ... no partial upload is left" test ! -e "$tmp/envelopes/uploads/$HC.part" -a ! -e "$tmp/envelopes/uploads/$HC.meta"
check "  ... one bid in the log for it" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND position('$HC' in convert_from(events, 'UTF8')) > 0")" = 1
kill -TERM "$pid2" 2>/dev/null
wait "$pid2" 2>/dev/null
trap it_cleanup EXIT

# -- more bids: a small large one, an inline one, a late one --------------
head -c 3000000 /dev/urandom >"$tmp/scan.pdf"
check "bidder3 seals a 3 MB large bid" ebid_as bidder3 bid seal --tender "$T" "$tmp/bid3.xml" --attach "$tmp/scan.pdf" -o "$tmp/b3.sealed"
mkdir -p "$tmp/mine"
check "bidder3 opens its own large bid, attachments into a folder" ebid_as bidder3 opening decrypt --tender "$T" "$tmp/b3.sealed" -o "$tmp/mine"
check "  ... the attachment comes back byte for byte" cmp -s "$tmp/scan.pdf" "$tmp/mine/scan.pdf"
refused "another bidder cannot open it" ebid_as bidder4 opening decrypt --tender "$T" "$tmp/b3.sealed" --envelope "$tmp/b3.sealed.env"
# ebidd stopped after the last chunk's record but before the rename into
# the store (made by hand here): the next start finishes it
H3=$(sha256sum "$tmp/b3.sealed.env" | cut -d' ' -f1)
S3=$(stat -c %s "$tmp/b3.sealed.env")
refused "bidder3 uploads a third of it" ebid_as bidder3 bid submit --tender "$T" "$tmp/b3.sealed" --chunk 1000000 --stop-after 1000000
kill -KILL "$ebidd_pid"
wait "$ebidd_pid" 2>/dev/null
cp "$tmp/b3.sealed.env" "$tmp/envelopes/uploads/$H3.part"
sed -i "s/^offset=.*/offset=$(printf %020d "$S3")/" "$tmp/envelopes/uploads/$H3.meta"
start_ebidd || exit 1
check "  ... and submits it in 1 MB chunks" ebid_as bidder3 bid submit --tender "$T" "$tmp/b3.sealed" --chunk 1000000 -o "$tmp/b3.receipt"
check "  ... the upload found whole at the restart was stored, not sent again" grep -q "upload $H3 of bidder3 found whole at start: stored" "$tmp/ebidd.log"
check "bidder4 seals an inline bid (the old form)" ebid_as bidder4 bid seal --tender "$T" "$tmp/bid4.xml" -o "$tmp/b4.sealed"
check "  ... accepted as before" ebid_as bidder4 bid submit --tender "$T" "$tmp/b4.sealed" -o "$tmp/b4.receipt"
# ebidd killed (SIGKILL) in the middle of an upload: the running client
# retries, finds the durable offset of the restarted ebidd and finishes
head -c 50000000 /dev/urandom >"$tmp/plans.bin"
check "bidder4 seals a 50 MB replacement" ebid_as bidder4 bid seal --tender "$T" "$tmp/bid4.xml" --attach "$tmp/plans.bin" -o "$tmp/b4x.sealed"
H4=$(sha256sum "$tmp/b4x.sealed.env" | cut -d' ' -f1)
ebid_as bidder4 bid submit --tender "$T" "$tmp/b4x.sealed" --chunk 131072 -o "$tmp/b4x.receipt" >"$tmp/b4x.out" 2>&1 &
client=$!
o4=0
for _ in $(seq 1 600); do
	o4=$(curl_as bidder4 "$URL/v1/uploads/offset?sha256=$H4" | grep -o ' offset="[0-9]*"' | cut -d'"' -f2)
	[ "${o4:-0}" -gt 0 ] && break
	sleep 0.05
done
kill -KILL "$ebidd_pid"
wait "$ebidd_pid" 2>/dev/null
check "ebidd killed while the upload was at byte ${o4:-?}" test "${o4:-0}" -gt 0
start_ebidd || exit 1
wait "$client"
crc=$?
check "  ... the running client resumed and the bid was received (exit $crc)" test "$crc" = 0
check "  ... it said so" grep -q "resuming in" "$tmp/b4x.out"
check "  ... the stored envelope is the sealed one" cmp -s "$tmp/b4x.sealed.env" "$tmp/envelopes/${H4:0:2}/$H4"
check "  ... its receipt verifies" ebid_as bidder4 receipt verify "$tmp/b4x.receipt" "$tmp/b4x.sealed"

# the progress bar, on a terminal (a pty made by script(1)): buyer2 is not
# signed up, so its submit-bid is refused at the end, after the upload
head -c 20000000 /dev/urandom >"$tmp/tty.bin"
buyer2=(--url "$URL" --ca "$C/ca.crt" --cert "$C/buyer2.crt" --key "$C/buyer2.key")
script -qec "$(printf '%q ' "$EBID" "${buyer2[@]}" bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/tty.bin" -o "$tmp/tty.sealed")" "$tmp/seal.tty" >/dev/null 2>&1
check "on a terminal, bid seal draws a progress bar" grep -aq "\[#*\.*\] *[0-9]*%" "$tmp/seal.tty"
script -qec "$(printf '%q ' "$EBID" "${buyer2[@]}" bid submit --tender "$T" "$tmp/tty.sealed" --chunk 32768)" "$tmp/submit.tty" >/dev/null 2>&1
check "on a terminal, bid submit draws its bar with the rate and the time left" grep -aq "upload *\[[#.]*\] *[0-9]*%  *[0-9.]* MB/s  [0-9]*:[0-9][0-9] left" "$tmp/submit.tty"
check "  ... redrawn in place (carriage returns), the line cleared at the end" sh -c "test \$(tr -cd '\r' <'$tmp/submit.tty' | wc -c) -gt 2"

# bid submit takes the chunks' prefix-sha256 from the side file bid seal
# wrote: a wrong one is refused by the server (it checks every
# chunk), and the client hashes the envelope instead; a side file older
# than its envelope (another time) is not used at all (buyer2 is not signed
# up: only the upload matters here)
head -c 5000000 /dev/urandom >"$tmp/side.bin"
ebid_as buyer2 bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/side.bin" -o "$tmp/sd.sealed" >/dev/null
HD=$(sha256sum "$tmp/sd.sealed.env" | cut -d' ' -f1)
sed -i "6,\$s/.*/$(printf y | sha256sum | cut -d" " -f1)/" "$tmp/sd.sealed.env.prefix-sha256"
ebid_as buyer2 bid submit --tender "$T" "$tmp/sd.sealed" >"$tmp/sd.out" 2>&1
check "wrong digests in the side file: the client says so and hashes instead" grep -q "prefix digests in .*sd.sealed.env.prefix-sha256 do not match the envelope; hashing it instead" "$tmp/sd.out"
check "  ... the upload completes, the stored envelope the sealed one" sh -c "grep -q 'envelope uploaded: ' '$tmp/sd.out' && cmp -s '$tmp/sd.sealed.env' '$tmp/envelopes/${HD:0:2}/$HD'"
head -c 5000000 /dev/urandom >"$tmp/side2.bin"
ebid_as buyer2 bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/side2.bin" -o "$tmp/se.sealed" >/dev/null
HE=$(sha256sum "$tmp/se.sealed.env" | cut -d' ' -f1)
sed -i "6,\$s/.*/$(printf y | sha256sum | cut -d" " -f1)/" "$tmp/se.sealed.env.prefix-sha256"
touch -d '1 minute ago' "$tmp/se.sealed.env"
ebid_as buyer2 bid submit --tender "$T" "$tmp/se.sealed" >"$tmp/se.out" 2>&1
check "a side file whose time is not its envelope's is not used (no digest of it sent)" sh -c \
	"grep -q 'envelope uploaded: ' '$tmp/se.out' && ! grep -q 'prefix digests' '$tmp/se.out' && cmp -s '$tmp/se.sealed.env' '$tmp/envelopes/${HE:0:2}/$HE'"
# the envelope cut short while bid submit runs (it maps each chunk): a
# clear error, not a crash, and the server keeps what is durable
head -c 12000000 /dev/urandom >"$tmp/short.bin"
ebid_as buyer2 bid seal --tender "$T" "$tmp/bidb.xml" --attach "$tmp/short.bin" -o "$tmp/sf.sealed" >/dev/null
HF=$(sha256sum "$tmp/sf.sealed.env" | cut -d' ' -f1)
refused "buyer2 uploads 4 MiB of a 12 MB envelope" ebid_as buyer2 bid submit --tender "$T" "$tmp/sf.sealed" --stop-after 4194304
rm -f "$tmp/release" "$tmp/locked"
flock -x "$tmp/envelopes/uploads/$HF.part" -c "touch '$tmp/locked'; while [ ! -e '$tmp/release' ]; do sleep 0.05; done" &
holder=$!
for _ in $(seq 1 100); do [ -e "$tmp/locked" ] && break; sleep 0.05; done
ebid_as buyer2 bid submit --tender "$T" "$tmp/sf.sealed" >"$tmp/sf.out" 2>&1 &
client=$!
for _ in $(seq 1 200); do grep -q "resuming in" "$tmp/sf.out" && break; sleep 0.05; done
truncate -s 5000000 "$tmp/sf.sealed.env"
touch "$tmp/release"
wait "$holder"
wait "$client"
crc=$?
check "an envelope cut short during bid submit: a clear error, no crash (exit $crc)" sh -c \
	"test $crc -gt 0 -a $crc -lt 128 && grep -Eq 'cannot read .*sf.sealed.env at 4194304|sf.sealed.env became shorter' '$tmp/sf.out'"
check "  ... the server still holds the durable 4 MiB" grep -q '^offset=0*4194304$' "$tmp/envelopes/uploads/$HF.meta"

# the pace warning: a millisecond before the deadline (the driven clock
# stands still), an upload that needs more than the time left is told so
# at once
ebid_as bidder5 tender sign-up "$T" >/dev/null
ebid_as registrar tender confirm-sign-up "$T" bidder=bidder5 >/dev/null
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$BIDS"/bid-5-*.xml)" >"$tmp/bid5.xml"
head -c 20000000 /dev/urandom >"$tmp/survey.bin"
check "bidder5 seals a 20 MB large bid" ebid_as bidder5 bid seal --tender "$T" "$tmp/bid5.xml" --attach "$tmp/survey.bin" -o "$tmp/b5.sealed"
almost=$(iso_plus "$deadline" -1)
clock_to "${almost%.000Z}.999Z"     # one millisecond before the deadline
ebid_as bidder5 bid submit --tender "$T" "$tmp/b5.sealed" -o "$tmp/b5.receipt" >"$tmp/b5.out" 2>&1
check "an upload that cannot finish before the deadline is warned at once" grep -q "warning: .* MB still to send.* but the bid deadline is in 0 s" "$tmp/b5.out"
check "  ... (it completes before the deadline here: the test clock stands still)" grep -q "receipt saved" "$tmp/b5.out"
check "no progress bar when stderr is not a terminal" sh -c "! grep -q \"\$(printf '\\r')\" '$tmp/b5.out' '$tmp/submit.out'"
check "bidder2 seals a 3 MB large bid" ebid_as bidder2 bid seal --tender "$T" "$tmp/bid2.xml" --attach "$tmp/scan.pdf" -o "$tmp/b2.sealed"
refused "  ... and uploads half of it" ebid_as bidder2 bid submit --tender "$T" "$tmp/b2.sealed" --stop-after 1500000
H2=$(sha256sum "$tmp/b2.sealed.env" | cut -d' ' -f1)
check "  ... a partial upload exists" test -e "$tmp/envelopes/uploads/$H2.part"
head -c 2000000 /dev/urandom >"$tmp/annex.pdf"
ebid_as bidder3 bid seal --tender "$T" "$tmp/bid3.xml" --attach "$tmp/annex.pdf" -o "$tmp/b3x.sealed" >/dev/null
refused "bidder3 starts a replacement and abandons it" ebid_as bidder3 bid submit --tender "$T" "$tmp/b3x.sealed" --stop-after 1000000
H3=$(sha256sum "$tmp/b3x.sealed.env" | cut -d' ' -f1)
check "  ... its partial upload is on disk" test -e "$tmp/envelopes/uploads/$H3.part"
clock_to "$(iso_plus "$deadline" 1)"
check "an abandoned upload is deleted once the deadline has passed" test ! -e "$tmp/envelopes/uploads/$H3.part" -a ! -e "$tmp/envelopes/uploads/$H3.meta"
refused "the upload completed one second after the deadline is refused" ebid_as bidder2 bid submit --tender "$T" "$tmp/b2.sealed"
ebid_as bidder2 bid submit --tender "$T" "$tmp/b2.sealed" >"$tmp/late.out" 2>&1
check "  ... saying the deadline has passed" grep -q "code: deadline-passed" "$tmp/late.out"
check "  ... the partial upload was deleted" test ! -e "$tmp/envelopes/uploads/$H2.part" -a ! -e "$tmp/envelopes/uploads/$H2.meta"
check "  ... nothing stored" test ! -e "$tmp/envelopes/${H2:0:2}/$H2"
check "  ... no bid of bidder2 in the log" test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$T' AND party = 'bidder2' AND position('bid-submitted' in convert_from(events, 'UTF8')) > 0")" = 0

# -- the opening, streamed from the store -------------------------------
check "deadline reached" wait_state tender "$T" awaiting-opening
check "custodian1 submits its share" ebid_as custodian1 opening share --tender "$T"
check "custodian3 submits its share" ebid_as custodian3 opening share --tender "$T"
for _ in $(seq 1 300); do
	ebid_as supervisor tender show "$T" >"$tmp/view.xml" 2>/dev/null
	grep -q '<bid-result' "$tmp/view.xml" && break
	sleep 0.2
done
for i in 1 3 4 5; do
	price=$(grep -o '<total-price>[0-9]*' "$tmp/bid$i.xml" | head -1 | cut -d'>' -f2)
	check "opening record: bidder$i opened at $price fen" grep -q "<bid-result bidder=\"bidder$i\" commitment=\"[0-9a-f]*\" status=\"opened\" total-price=\"$price\"" "$tmp/view.xml"
done

# -- audit: the log verifies without the envelopes, and checks them when given
check "auditor exports the log" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --tender "$T" -o "$tmp/$T.log.xml"
check "the export verifies and replays without the envelopes" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
"$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --envelopes "$tmp/envelopes" >"$tmp/audit-env.out" 2>&1
check "verify --envelopes checks the six stored envelopes" grep -q "envelopes: 6 checked against the log, 0 altered, 0 not in" "$tmp/audit-env.out"
H3b=$(sha256sum "$tmp/b3.sealed.env" | cut -d' ' -f1)
mkdir -p "$tmp/envcopy"
cp "$tmp/b3.sealed.env" "$tmp/envcopy/$H3b"
flip_byte "$tmp/envcopy/$H3b" 5000
refused "verify --envelopes fails on an altered envelope" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt" --envelopes "$tmp/envcopy"
check "export --envelopes copies the envelopes the log names beside the export" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --tender "$T" -o "$tmp/exp.log.xml" --envelopes "$tmp/envelopes"
check "  ... one file per envelope, each the stored one" sh -c "test \$(ls '$tmp/exp.log.xml.envelopes' | wc -l) = 6 && cmp -s '$tmp/b1.sealed.env' '$tmp/exp.log.xml.envelopes/$H'"
"$AUDIT" verify "$tmp/exp.log.xml" --ca "$C/ca.crt" >"$tmp/expv.out" 2>&1
check "verify of that export checks its envelopes without --envelopes" grep -q "envelopes: 6 checked against the log, 0 altered, 0 not in $tmp/exp.log.xml.envelopes" "$tmp/expv.out"
flip_byte "$tmp/exp.log.xml.envelopes/$H3b" 5000
seq3=$(psqlq -c "SELECT seq FROM log WHERE aggregate = '$T' AND position('$H3b' in convert_from(events, 'UTF8')) > 0")
"$AUDIT" verify "$tmp/exp.log.xml" --ca "$C/ca.crt" >"$tmp/expt.out" 2>&1
trc=$?
check "a tampered envelope in the export fails verify (exit $trc)" test "$trc" = 1
check "  ... naming its entry ($seq3)" grep -q "FAILED: entry $seq3: the envelope $H3b" "$tmp/expt.out"
cp "$tmp/b3.sealed.env" "$tmp/exp.log.xml.envelopes/$H3b"
rm -f "$tmp/exp.log.xml.envelopes/$HB"
"$AUDIT" verify "$tmp/exp.log.xml" --ca "$C/ca.crt" >"$tmp/expm.out" 2>&1
trc=$?
check "an envelope removed from the export fails verify too (exit $trc), naming its entry" sh -c "test $trc = 1 && grep -q 'FAILED: entry [0-9]*: the envelope $HB is not in' '$tmp/expm.out'"
mkdir -p "$tmp/partial"
cp "$tmp/b1.sealed.env" "$tmp/partial/$H"
refused "export --envelopes fails when the folder lacks one the log names" env EBID_URL="$URL" EBID_CA="$C/ca.crt" EBID_CERT="$C/auditor.crt" EBID_KEY="$C/auditor.key" \
	"$AUDIT" export --tender "$T" -o "$tmp/exp2.log.xml" --envelopes "$tmp/partial"
finish

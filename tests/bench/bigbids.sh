#!/usr/bin/env bash
# tests/bench/bigbids.sh
#    Large bids under load (issue 18, docs/bigbids.md), on a real ebidd
#    (tests/integration/lib.sh: throwaway PostgreSQL, dev certificates,
#    free ports) with its envelope store on this machine's disk:
#      1. the disk's own sequential write rate: dd of the same volume as
#         one upload, conv=fdatasync, in the store's folder;
#      2. N concurrent uploads of MB-megabyte sealed bids on loopback
#         (`ebid bid submit`, 4 MiB chunks, each fdatasync'ed), the
#         aggregate rate against (1), and ebidd's peak RSS (VmHWM: ebidd
#         starts fresh for the run); the CPU seconds of ebidd and of the
#         20 clients, and the load average before and after (the machine
#         may be shared: the CPU per byte is the figure that does not
#         depend on the others).  The clients run without lib.sh's reply
#         hook (EBID_REPLY_DIR: a file per reply, validated by the
#         integration tests, not a cost of the upload);
#      3. the opening of N such bids (build/tests/bench/bigopen_bench)
#         against the summed AES-256-GCM + SHA-256 cost.
#    Prints "result: phase=bigbids key=value ..." lines (tests/bench/run
#    phase "bigbids" turns them into rows).  Needs about 2 x N x MB MB of
#    disk under TMPDIR.
#    tests/bench/bigbids.sh [N [MB]]    (default 20 200)
#    EBID_BIGBIDS_PERF=DIR: also `perf record -e cpu-clock -g` ebidd and
#    the first client during the uploads, into DIR/ebidd.data and
#    DIR/client.data (the profiles of docs/bigbids.md);
#    EBID_BIGBIDS_PERF_DWARF=1: DWARF call graphs instead of frame pointers.
set -uo pipefail
N=${1:-20}
MB=${2:-200}
. "$(dirname "$0")/../integration/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/../integration/lib.sh"
IT_EXTRA_CONF="envelope_dir = $tmp/envelopes
upload_min_free = 0
max_connections_per_address = 0"
it_setup
mkdir -p "$tmp/envelopes"

now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
ebid_as registrar tender accept "$T" >/dev/null
ebid_as supervisor tender publish "$T" >/dev/null
wait_state tender "$T" bidding || { say "no tender in bidding"; exit 1; }
WHO=(bidder1 bidder2 bidder3 bidder4 bidder5 buyer1 buyer2 buyer3)
for w in "${WHO[@]}"; do
	ebid_as "$w" tender sign-up "$T" >/dev/null
	ebid_as registrar tender confirm-sign-up "$T" bidder="$w" >/dev/null
done
sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$(ls "$SRC"/tests/data/bids/bid-1-*.xml)" >"$tmp/bid.xml"
say "bigbids: sealing $N bids of $MB MB"
openssl enc -aes-256-ctr -pass pass:bench -pbkdf2 -nosalt </dev/zero 2>/dev/null | head -c $((MB * 1000000)) >"$tmp/drawings.bin"
for i in $(seq 1 "$N"); do
	w=${WHO[$(( (i - 1) % ${#WHO[@]} ))]}
	ebid_as "$w" bid seal --tender "$T" "$tmp/bid.xml" --attach "$tmp/drawings.bin" -o "$tmp/b$i.sealed" >/dev/null ||
		{ say "seal $i failed"; exit 1; }
done
S=$(stat -c %s "$tmp/b1.sealed.env")

# 1. the disk's sequential write rate (the same volume as one upload)
say "bigbids: dd $MB MB conv=fdatasync into the store's folder"
t0=$(date +%s.%N)
dd if="$tmp/b1.sealed.env" of="$tmp/envelopes/dd.tmp" bs=4M conv=fdatasync 2>/dev/null
t1=$(date +%s.%N)
rm -f "$tmp/envelopes/dd.tmp"
DISK=$(awk -v b="$S" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", b / (c - a) / 1e6 }')

# 2. N concurrent uploads
say "bigbids: $N concurrent uploads"
cpu() { awk '{print $14 + $15}' "/proc/$ebidd_pid/stat"; }   # utime + stime, ticks
PERFD=${EBID_BIGBIDS_PERF:-}
cg=-g
[ "${EBID_BIGBIDS_PERF_DWARF:-0}" = 1 ] && cg=--call-graph=dwarf,16384
perf_pid=
if [ -n "$PERFD" ]; then
	mkdir -p "$PERFD"
	perf record -e cpu-clock -F 999 $cg -p "$ebidd_pid" -o "$PERFD/ebidd.data" >/dev/null 2>&1 &
	perf_pid=$!
	sleep 1
fi
c0=$(cpu)
load0=$(cut -d' ' -f1 /proc/loadavg)
t0=$(date +%s.%N)
pids=()
for i in $(seq 1 "$N"); do
	w=${WHO[$(( (i - 1) % ${#WHO[@]} ))]}
	wrap=()
	[ -n "$PERFD" ] && [ "$i" = 1 ] && wrap=(perf record -e cpu-clock -F 999 $cg -o "$PERFD/client.data" --)
	env -u EBID_REPLY_DIR /usr/bin/time -f '%U %S' -o "$tmp/cpu$i" \
		"${wrap[@]}" "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$w.crt" --key "$C/$w.key" \
		bid submit --tender "$T" "$tmp/b$i.sealed" -o "$tmp/b$i.receipt" >"$tmp/up$i.out" 2>&1 &
	pids+=($!)
done
okn=0
for p in "${pids[@]}"; do wait "$p" && okn=$((okn + 1)); done
t1=$(date +%s.%N)
[ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid"; }
CCPU=$(cat "$tmp"/cpu[0-9]* | awk '{ s += $1 + $2 } END { printf "%.2f", s }')
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$ebidd_pid/status")
CPU=$(awk -v a="$c0" -v b="$(cpu)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
UP=$(awk -v b="$S" -v n="$N" -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", n * b / (c - a) / 1e6 }')
WALL=$(awk -v a="$t0" -v c="$t1" 'BEGIN { printf "%.1f", c - a }')
echo "result: bigbids phase=bigbids-upload n=$N mb=$MB ok=$okn wall_s=$WALL upload_mbps=$UP disk_mbps=$DISK ebidd_hwm_kib=$HWM ebidd_cpu_s=$CPU clients_cpu_s=$CCPU loadavg_before=$load0 loadavg=$(cut -d' ' -f1 /proc/loadavg)"
rm -f "$tmp"/b*.sealed.env "$tmp/drawings.bin"
rm -rf "$tmp/envelopes"

# 3. the opening of N such bids
say "bigbids: opening $N bids of $MB MB (bigopen_bench)"
mkdir -p "$tmp/open"
if "$BUILD/tests/bench/bigopen_bench" "$N" "$MB" "$tmp/open" >"$tmp/open.txt" 2>&1; then
	ob() { sed -n "s/^$1=//p" "$tmp/open.txt"; }
	echo "result: bigbids phase=bigbids-open n=$N mb=$MB open_wall_s=$(ob open_wall_s) open_cpu_s=$(ob open_cpu_s) raw_cpu_s=$(ob raw_gcm_sha_cpu_s) ratio_cpu=$(ob ratio_cpu)"
else
	cat "$tmp/open.txt"
fi
rm -rf "$tmp/open"
[ "$okn" = "$N" ] && ok "all $N uploads received" || bad "$okn of $N uploads received"
finish

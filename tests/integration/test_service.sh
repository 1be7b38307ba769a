#!/usr/bin/env bash
# tests/integration/test_service.sh
#    ebidd as a service operators run (engine/server/log.c, service.c):
#      with log_format = json every line of the log is one JSON object
#      with ts, pid, level, src, func and msg, request lines carry event
#      "req" and their fields (status, bytes_out, us as numbers), a refusal
#      carries event "refused" and its reason, a path with quotes and
#      backslashes stays valid JSON;
#      systemd's readiness protocol: READY=1 on a $NOTIFY_SOCKET once it
#      listens, STOPPING=1 at SIGTERM;
#      SIGHUP reopens log_file after rotation (the old file keeps the old
#      lines, the new one gets the next ones), RELOADING=1 then READY=1;
#      a bad log_format stops ebidd at start naming the setting.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

it_prepare
pg_start || exit 1
write_conf "log_format = json"
# a stand-in for systemd: a datagram socket that writes what it hears
NS=$tmp/notify.sock
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        m = s.recv(4096).decode(); f.write(m + "\n"); f.flush()
' "$NS" "$tmp/notify.log" &
extra_pids="$extra_pids $!"
for _ in $(seq 1 50); do [ -S "$NS" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$NS start_ebidd || exit 1
for _ in $(seq 1 50); do grep -q READY=1 "$tmp/notify.log" 2>/dev/null && break; sleep 0.1; done
check "systemd hears READY=1 once ebidd listens" grep -qx READY=1 "$tmp/notify.log"

# -- JSON lines -------------------------------------------------------------------
check "whoami" ebid_as bidder1 whoami
curl_as auditor -o /dev/null "$URL/v1/tenders/a%22b%5Cc%22" || true
curl_as auditor -o /dev/null "$URL/v1/tenders/a\"b\\c" || true
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "tender registered ($T)" test -n "$T"
refused "a bidder cannot accept a registration" ebid_as bidder1 tender accept "$T"
sleep 0.3
cat >"$tmp/check.py" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
objs = []
for n, l in enumerate(lines, 1):
    try:
        objs.append(json.loads(l))
    except ValueError as e:
        print("line %d is not JSON (%s): %s" % (n, e, l)); sys.exit(1)
what = sys.argv[2]
if what == "all":
    for o in objs:
        for k, t in (("ts", str), ("pid", int), ("level", str), ("src", str), ("func", str), ("msg", str)):
            if not isinstance(o.get(k), t): print("missing or mistyped %s: %s" % (k, o)); sys.exit(1)
    print(len(objs), "lines"); sys.exit(0 if len(objs) > 5 else 1)
if what == "req":
    r = [o for o in objs if o.get("event") == "req" and o.get("path") == "/v1/whoami"]
    ok = r and r[0]["status"] == 200 and isinstance(r[0]["us"], int) and isinstance(r[0]["bytes_out"], int) \
        and r[0]["peer"] == "bidder1" and r[0]["method"] == "GET" and r[0]["role"] == "bidder"
    print(r); sys.exit(0 if ok else 1)
if what == "refused":
    r = [o for o in objs if o.get("event") == "refused"]
    print(r); sys.exit(0 if r and r[0].get("reason") and r[0].get("party") == "bidder1" else 1)
if what == "quotes":
    r = [o for o in objs if o.get("event") == "req" and '"' in o.get("path", "") and "\\" in o.get("path", "")]
    print(r); sys.exit(0 if r else 1)
PY
check "every line is one JSON object with ts, pid, level, src, func, msg" $PY "$tmp/check.py" "$tmp/ebidd.log" all
check "a request line: event req, peer, role, method, path, status, bytes_out, us" $PY "$tmp/check.py" "$tmp/ebidd.log" req
check "a refusal line: event refused, party, reason" $PY "$tmp/check.py" "$tmp/ebidd.log" refused
check "a path with quotes and a backslash stays valid JSON" $PY "$tmp/check.py" "$tmp/ebidd.log" quotes

# -- SIGHUP: log rotation ------------------------------------------------------------
mv "$tmp/ebidd.log" "$tmp/ebidd.log.1"
n1=$(wc -l <"$tmp/ebidd.log.1")
kill -HUP "$ebidd_pid"
for _ in $(seq 1 50); do [ -s "$tmp/ebidd.log" ] && break; sleep 0.1; done
check "SIGHUP: ebidd opens log_file again" test -s "$tmp/ebidd.log"
check "and says so" grep -q 'log file reopened' "$tmp/ebidd.log"
check "ebidd still serves after SIGHUP" ebid_as bidder1 whoami
sleep 0.2
check "the next lines go to the new file" grep -q '"path":"/v1/whoami"' "$tmp/ebidd.log"
check "the old file keeps its lines only" test "$(wc -l <"$tmp/ebidd.log.1")" = "$n1"
check "systemd hears RELOADING=1" grep -qx RELOADING=1 "$tmp/notify.log"
check "the new file is JSON too" $PY "$tmp/check.py" "$tmp/ebidd.log" req

# -- SIGTERM ------------------------------------------------------------------------
kill -TERM "$ebidd_pid"; wait "$ebidd_pid"
sleep 0.2
check "systemd hears STOPPING=1 at SIGTERM" grep -qx STOPPING=1 "$tmp/notify.log"

# -- a bad setting ------------------------------------------------------------------
write_conf "log_format = yaml"
out=$("$EBIDD" --config "$tmp/ebidd.conf" 2>&1); rc=$?
check "log_format = yaml stops ebidd (exit $rc)" test "$rc" = 1
check "naming the setting" grep -q 'log_format' <<<"$out"

finish

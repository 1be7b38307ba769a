#!/usr/bin/env bash
# tests/integration/test_package.sh
#    The Debian packages of tools/package/ (docs/operations.md, "The Debian
#    package"):
#      tools/package/build makes ebid-client and ebid-server with
#      dpkg-buildpackage and lintian finds no error or warning;
#      they hold what an operator needs where Debian puts it: ebid and
#      ebid-audit in /usr/bin, ebidd in /usr/sbin, the migrations, XSD,
#      board and console pages in /usr/share/ebid, the man pages, an
#      example /etc/ebid/ebidd.conf (a conffile), logrotate, an ebid system
#      user made by postinst;
#      the systemd unit passes `systemd-analyze verify`, is Type=notify
#      with the usual hardening, starts ebidd as root bounded to CAP_SETUID
#      CAP_SETGID CAP_CHOWN (the configuration's user = ebid and key_user
#      = ebid-keys, both made by the postinst, switch the two processes),
#      and `systemd-analyze security` rates it OK (exposure below 2.5);
#      unpacked into a temporary root, the packaged ebidd starts from the
#      packaged configuration (its paths moved into the root) against the
#      test PostgreSQL, migrates it, serves the packaged client (whoami, a
#      tender registered and accepted, schema from /usr/share/ebid/xsd),
#      its metrics on the configured port, its log as JSON, and the
#      packaged ebid-audit exports and verifies the tender's log.
#    A fuller check (dpkg -i into a bare Debian root, the postinst's user,
#    systemd starting the unit) is `tools/package/try-in-root ROOT`.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_prepare

# -- build -----------------------------------------------------------------------
if "$SRC/tools/package/build" -o "$tmp/debs" >"$tmp/package.out" 2>&1; then
	ok "tools/package/build: dpkg-buildpackage and lintian clean"
else
	cat "$tmp/package.out"; bad "tools/package/build"; finish
fi
check "lintian ran and reported no error or warning" bash -c "grep -q lintian '$tmp/package.out' && ! grep -qE '^[EW]: ' '$tmp/package.out'"
SERVER=$(ls "$tmp"/debs/ebid-server_*.deb)
CLIENT=$(ls "$tmp"/debs/ebid-client_*.deb)
R=$tmp/root
mkdir -p "$R"
dpkg-deb -x "$SERVER" "$R" && dpkg-deb -x "$CLIENT" "$R"
for f in usr/bin/ebid usr/bin/ebid-audit usr/sbin/ebidd; do
	check "/$f is an executable of the packages" test -x "$R/$f"
done
for f in usr/share/ebid/schema/0001_log.sql usr/share/ebid/xsd/ebid.xsd usr/share/ebid/pages/board.xsl \
	usr/share/ebid/console/console.xsl usr/share/man/man1/ebid.1.gz usr/share/man/man1/ebid-audit.1.gz \
	usr/share/man/man5/ebidd.conf.5.gz usr/share/man/man8/ebidd.8.gz etc/ebid/ebidd.conf \
	etc/logrotate.d/ebid-server lib/systemd/system/ebidd.service; do
	check "/$f is in the packages" test -s "$R/$f"
done
check "/etc/ebid/ebidd.conf is a conffile" bash -c "dpkg-deb -f '$SERVER' >/dev/null && dpkg-deb -I '$SERVER' conffiles | grep -qx /etc/ebid/ebidd.conf"
check "the postinst makes the ebid system user" bash -c "dpkg-deb -I '$SERVER' postinst | grep -q 'adduser --system --group'"
check "ebid-server depends on the same ebid-client" bash -c "dpkg-deb -f '$SERVER' Depends | grep -q 'ebid-client (= '"

# -- the unit ------------------------------------------------------------------------
U=$R/lib/systemd/system/ebidd.service
for d in Type=notify NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN$' \
	'ReadWritePaths=/var/log/ebid /run/ebid' 'ExecReload=/bin/kill -HUP \$MAINPID' 'ExecStart=/usr/sbin/ebidd --config /etc/ebid/ebidd.conf'; do
	check "the unit says $d" grep -qE "^$d" "$U"
done
# privilege separation in the package (docs/operations-server.md): the unit
# starts ebidd as root (no User=), the configuration names the two users,
# the postinst makes both, the key folder and the log's rotation
check "the unit starts ebidd as root (no User=, no Group=): the processes switch themselves" bash -c "! grep -qE '^(User|Group)=' '$U'"
check "the unit's system-call filter allows the switch (setresuid, setgroups, fchown)" \
	bash -c "! grep -q '^SystemCallFilter=~@privileged' '$U' && grep -q '^SystemCallFilter=@system-service' '$U'"
check "the packaged configuration: user = ebid, key_user = ebid-keys" \
	bash -c "grep -qx 'user = ebid' '$R/etc/ebid/ebidd.conf' && grep -qx 'key_user = ebid-keys' '$R/etc/ebid/ebidd.conf'"
check "the postinst makes the ebid-keys user and its 0700 key folder" \
	bash -c "dpkg-deb -I '$SERVER' postinst | grep -q 'ebid-keys\$' && dpkg-deb -I '$SERVER' postinst | grep -q 'install -d -o ebid-keys -g ebid-keys -m 0700 /etc/ebid/keys'"
check "logrotate creates the log as root starting without CAP_DAC_OVERRIDE can open it" \
	grep -q 'create 0660 ebid root' "$R/etc/logrotate.d/ebid-server"
# systemd-analyze needs the system's units and ExecReload's /bin/kill in the root
cp -an /lib/systemd/system/. "$R/lib/systemd/system/" 2>/dev/null
mkdir -p "$R/bin" && cp /bin/kill "$R/bin/"
out=$(systemd-analyze verify --man=no --root="$R" /lib/systemd/system/ebidd.service 2>&1); rc=$?
check "systemd-analyze verify: clean (exit $rc) $out" test "$rc" = 0 -a -z "$out"
exposure=$(systemd-analyze security --offline=true --root="$R" ebidd.service 2>/dev/null | sed -n 's/.*Overall exposure level for ebidd.service: \([0-9.]*\).*/\1/p')
# the root start costs systemd's offline score 0.9 (User= 0.4, CAP_SETUID
# and CAP_SETGID 0.3, CAP_CHOWN 0.2), which the score cannot see ebidd
# repay: both processes switch users and hold no capability afterwards
check "systemd-analyze security: exposure $exposure (below 2.5)" awk -v e="${exposure:-99}" 'BEGIN { exit !(e < 2.5) }'

# -- run the packaged programs from the root -----------------------------------------
pg_start || exit 1
# the packaged configuration, its files moved into the root and the test's
# certificates, database, ports and log
sed -e "s#^listen = .*#listen = 127.0.0.1:$PORT#" -e "s#/usr/share/ebid#$R/usr/share/ebid#" \
	-e "s#^ca = .*#ca = $C/ca.crt#" -e "s#^cert = .*#cert = $C/server.crt#" -e "s#^key = .*#key = $C/server.key#" \
	-e "s#^db = .*#db = $DB#" -e "s#^metrics_listen = .*#metrics_listen = $MPORT#" \
	-e "s#^log_file = .*#log_file = $tmp/ebidd.log#" -e "s#^pid_file = .*#pid_file = $tmp/ebidd.pid#" \
	"$R/etc/ebid/ebidd.conf" >"$tmp/ebidd.conf"
# (tests keep root: no ebid or ebid-keys user here; test_privsep.sh runs
# the packaged unit's capabilities and users)
printf 'tsa_cert = %s\ntsa_key = %s\nmigrate_db = %s\nuser = root\nkey_user =\n' "$C/tsa.crt" "$C/tsa.key" "$DB_OWNER" >>"$tmp/ebidd.conf"
EBIDD=$R/usr/sbin/ebidd EBID=$R/usr/bin/ebid AUDIT=$R/usr/bin/ebid-audit
export EBID_XSD=$R/usr/share/ebid/xsd/ebid.xsd
check "the packaged ebidd migrates the test database" "$EBIDD" --config "$tmp/ebidd.conf" --migrate
start_ebidd --test-clock=driven || { bad "the packaged ebidd starts"; finish; }
ok "the packaged ebidd starts from the packaged configuration"
check "the packaged ebid: whoami" ebid_as bidder1 whoami
now=$(clock_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/reg.xml"
T=$(ebid_as tenderer tender register "$tmp/reg.xml" | awk '/ registered$/ {print $2}')
check "the packaged ebid registers a tender ($T)" test -n "$T"
check "and the registrar accepts it" ebid_as registrar tender accept "$T"
check "metrics on the configured port" bash -c "curl -s http://127.0.0.1:$MPORT/metrics | grep -q '^ebid_commands_total{outcome=\"accepted\"} [1-9]'"
check "the log is JSON as configured" bash -c "tail -n 1 '$tmp/ebidd.log' | $(command -v python3) -c 'import json,sys; json.loads(sys.stdin.read())'"
check "the packaged ebid-audit exports the log" "$AUDIT" export --url "$URL" --ca "$C/ca.crt" --cert "$C/auditor.crt" --key "$C/auditor.key" --tender "$T" -o "$tmp/$T.log.xml"
check "and verifies it" "$AUDIT" verify "$tmp/$T.log.xml" --ca "$C/ca.crt"
finish

# tests/integration/lib.sh
#    Shared set-up for the end-to-end scripts: certificates, a throwaway
#    PostgreSQL, a real ebidd on loopback with the driven test clock, the
#    real clients, and check/ok/bad counters.  Source it after setting
#    PGPORT_T and PORT (free ones: tests/integration/ports.sh), then call
#    it_setup (or its pieces: it_prepare, pg_start, write_conf,
#    start_ebidd); everything started is stopped by the EXIT trap, by pid.
#
#    env: EBID_SRC, EBID_BUILD (CTest sets them), EBID_CERTS (optional:
#         a folder made by certs/make-dev-certs.sh; else one is made);
#         IT_EXTRA_CONF: more ebidd.conf lines (e.g. public_listen)
#
#    Schema check of every reply (issue 13 point 5): every XML document
#    ebidd answers to the tests' clients is validated against
#    protocol/xsd/ebid.xsd with xmllint.  The clients leave a copy of each
#    XML reply in $EBID_REPLY_DIR: ebid, ebid-audit and the console through
#    tools/client.c's hook, curl through curl_as.  check and refused
#    validate what arrived during (or before) them and fail, naming the
#    request and the error, when a document does not validate; finish
#    adds one check over all of them.  The invalid documents are kept in
#    $tmp/replies/invalid/ (with IT_KEEP_REPLIES=1 the valid ones too, in
#    $tmp/replies/valid/, and the folder is kept).

SRC=${EBID_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${EBID_BUILD:-$SRC/build}
EBIDD=$BUILD/ebidd
EBID=$BUILD/ebid
AUDIT=$BUILD/ebid-audit
fails=0 checks=0
pgdir="" ebidd_pid=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ebidit.XXXXXX")
chmod 755 "$tmp"
export EBID_REPLY_DIR=$tmp/replies
mkdir -p "$EBID_REPLY_DIR/invalid"
chmod 777 "$EBID_REPLY_DIR"
replies_seen=0 replies_bad=0

say()  { printf '%s\n' "$*"; }
ok()   { checks=$((checks + 1)); say "ok   $*"; }
bad()  { checks=$((checks + 1)); fails=$((fails + 1)); say "FAIL $*"; }
# Each check's output goes to its own file; a failing check prints it
# (the last 40 lines) with the tail of ebidd's log, and the temporary
# folder is kept for a person to look at (see it_cleanup).
check_out() { printf '%s/check.%03d.out' "$tmp" "$checks"; }
show_failure() { # show_failure OUTFILE: what a person needs to diagnose
	say "---- output of the failing command (last 40 lines of $1):"
	tail -n 40 "$1" 2>/dev/null | sed 's/^/  | /'
	if [ -s "$tmp/ebidd.log" ]; then
		say "---- tail of ebidd's log ($tmp/ebidd.log):"
		tail -n 20 "$tmp/ebidd.log" | sed 's/^/  | /'
	fi
	say "----"
}
check() { # check NAME COMMAND...: passes when the command succeeds
	local name=$1 o; shift
	o=$(check_out)
	if "$@" >"$o" 2>&1; then
		if replies_valid >>"$o"; then ok "$name"
		else bad "$name (a reply did not validate)"; show_failure "$o"; fi
	else bad "$name"; replies_valid >>"$o"; show_failure "$o"; fi
	cat "$o" >>"$tmp/check.log"
}
refused() { # refused NAME COMMAND...: passes when the command fails
	local name=$1 o; shift
	o=$(check_out)
	if "$@" >"$o" 2>&1; then bad "$name (was accepted)"; replies_valid >>"$o"; show_failure "$o"
	elif replies_valid >>"$o"; then ok "$name"
	else bad "$name (a reply did not validate)"; show_failure "$o"; fi
	cat "$o" >>"$tmp/check.log"
}

refused_with() { # refused_with NAME REASON COMMAND...: fails with that reason token
	local name=$1 reason=$2 o; shift 2
	o=$(check_out)
	if "$@" >"$o" 2>&1; then bad "$name (was accepted)"; show_failure "$o"
	elif grep -q -- "$reason" "$o"; then ok "$name ($reason)"
	else bad "$name (not $reason)"; show_failure "$o"; fi
	cat "$o" >>"$tmp/check.log"
}

# replies_valid: validate the XML replies that arrived since the last call
# (see the header); prints each invalid one (request, status, xmllint's
# error) and returns 1 when there is one.
replies_valid() {
	local d=$EBID_REPLY_DIR f base what files=() rc=0 out
	[ -d "$d" ] || return 0
	for f in "$d"/*.xml; do [ -e "$f" ] && files+=("$f"); done
	[ ${#files[@]} -gt 0 ] || return 0
	out=$(xmllint --noout --schema "$SRC/protocol/xsd/ebid.xsd" "${files[@]}" 2>&1)
	for f in "${files[@]}"; do
		base=${f%.xml}
		what=$(cat "$base.what" 2>/dev/null || echo "? ? ?")
		replies_seen=$((replies_seen + 1))
		if grep -qxF "$f validates" <<<"$out"; then
			if [ -n "${IT_KEEP_REPLIES:-}" ]; then   # for a person
				mkdir -p "$d/valid"; mv "$f" "$base.what" "$d/valid/"
			else
				rm -f "$f" "$base.what"
			fi
		else
			replies_bad=$((replies_bad + 1)) rc=1
			say "reply not valid against ebid.xsd: $what (kept: $d/invalid/${base##*/}.xml)"
			grep -F "$f" <<<"$out" | grep -vxF "$f fails to validate" | head -n 5 |
				sed "s|$f|  ${base##*/}.xml|"
			printf '%s\n' "$what" >>"$tmp/replies.invalid"
			mv "$f" "$d/invalid/"; mv "$base.what" "$d/invalid/" 2>/dev/null
		fi
	done
	return $rc
}

finish() { # stop the servers, check their sanitizer reports, print the summary line, exit with the verdict
	stop_servers
	sanitizer_check
	replies_check
	say "$((checks - fails)) passed, $fails failed"
	[ "$fails" = 0 ]
	exit $?
}
# replies_check: the last replies, and every reply of the run, valid
replies_check() {
	local o
	o=$(check_out)
	replies_valid >"$o"
	checks=$((checks + 1))
	if [ -s "$tmp/replies.invalid" ]; then
		fails=$((fails + 1))
		say "FAIL every XML reply valid against ebid.xsd ($(wc -l <"$tmp/replies.invalid") of them not, in $EBID_REPLY_DIR/invalid):"
		sort "$tmp/replies.invalid" | uniq -c | head -n 40 | sed 's/^/  | /'
		cat "$o"
	else
		say "ok   every XML reply valid against ebid.xsd"
	fi
}
# sanitizer_check: an ASan/UBSan/LSan report in any ebidd's stderr
# ($tmp/ebidd*.out) is a failed check, printed.
sanitizer_check() {
	local pat='ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:'
	checks=$((checks + 1))
	if grep -q "$pat" "$tmp"/ebidd*.out 2>/dev/null; then
		bad "no sanitizer report from ebidd"
		grep -h -A 30 "$pat" "$tmp"/ebidd*.out | head -n 80 | sed 's/^/  | /'
	else
		ok "no sanitizer report from ebidd"
	fi
}

extra_pids=""    # more servers a script started: stopped too
stop_servers() { # SIGTERM every ebidd this script started, and wait
	local p
	for p in $extra_pids ${ebidd2_pid:-}; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	extra_pids=""
	if [ -n "$ebidd_pid" ] && kill -0 "$ebidd_pid" 2>/dev/null; then
		kill -TERM "$ebidd_pid" 2>/dev/null; wait "$ebidd_pid" 2>/dev/null
	fi
}
# flip_byte FILE OFFSET: every bit of the byte at OFFSET inverted, in
# place (a fixed byte written there would leave the file unchanged
# whenever it already held that byte: 1 run in 256 of random bytes).
flip_byte() {
	local b
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 1
	printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# it_second_ebidd [SED...]: a second ebidd on the same database, on
# $PORT2 (the caller's free_port), with its own pid and log files:
# ebidd.conf with listen, pid_file and log_file changed and each further
# sed expression applied, on the driven clock; stop_servers stops it.
# Sets ebidd2_pid and URL2; waits up to 10 s for /v1/health, and returns 1
# when it does not answer by then.
it_second_ebidd() {
	local x e=(-e "s/^listen = .*/listen = 127.0.0.1:$PORT2/"
		-e "s|^pid_file = .*|pid_file = $tmp/ebidd2.pid|"
		-e "s|^log_file = .*|log_file = $tmp/ebidd2.log|")
	for x in "$@"; do e+=(-e "$x"); done
	sed "${e[@]}" "$tmp/ebidd.conf" >"$tmp/ebidd2.conf"
	"$EBIDD" --config "$tmp/ebidd2.conf" --test-clock=driven >>"$tmp/ebidd2.out" 2>&1 &
	ebidd2_pid=$!
	URL2=https://127.0.0.1:$PORT2
	for _ in $(seq 1 100); do
		curl -s -o /dev/null --cacert "$C/ca.crt" --cert "$C/auditor.crt" \
			--key "$C/auditor.key" "$URL2/v1/health" && return 0
		sleep 0.1
	done
	return 1
}
it_cleanup() {
	stop_servers
	if [ -n "$pgdir" ]; then
		case "$pgdir" in /tmp/pgtest.*)
			"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast -w stop \
				>/dev/null 2>&1 || true
			rm -rf "$pgdir";;
		esac
	fi
	if [ "$fails" != 0 ] || [ -n "${IT_KEEP_REPLIES:-}" ]; then
		say "kept for diagnosis: $tmp (ebidd.log, ebidd.out, check.*.out)"
	else
		rm -rf "$tmp"
	fi
}

PGBIN=$(pg_config --bindir)
RUNAS=()
[ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)

psqlq() { "$PGBIN/psql" -X -q -A -t -h "$pgdir" -p "$PGPORT_T" -U postgres -d ebid "$@"; }
ebid_as() { local who=$1; shift; "$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "$@"; }
# curl_as PARTY CURL-ARGS...: curl with PARTY's certificate; the XML reply
# is also left in $EBID_REPLY_DIR for the schema check (see the header).
# Calls that dump headers, use --head or --next, or name several outputs
# are passed through unchecked.
curl_as() {
	local who=$1 out="" a args=() body rc
	shift
	for a in "$@"; do
		case $a in -D|--dump-header|-i|--include|-I|--head|--next|-O|--remote-name)
			curl -s --cacert "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "$@"
			return;;
		esac
	done
	while [ $# -gt 0 ]; do
		case $1 in
		-o|--output) [ -z "$out" ] || { curl -s --cacert "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" "${args[@]}" -o "$out" "$@"; return; }
			out=$2; shift 2;;
		*) args+=("$1"); shift;;
		esac
	done
	body=$(mktemp "$EBID_REPLY_DIR/curl-XXXXXX")
	curl -s --cacert "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" \
		-D "$body.hdr" -o "$body" "${args[@]}" >"$body.stdout"
	rc=$?
	case $out in
	"") cat "$body";;
	-) cat "$body";;
	/dev/null) ;;
	*) cp "$body" "$out";;
	esac
	cat "$body.stdout"
	if [ -s "$body" ] && grep -qi '^content-type: *application/xml' "$body.hdr" 2>/dev/null; then
		printf 'curl %s %s\n' "$(head -n 1 "$body.hdr" | tr -d '\r')" "${args[*]: -1}" >"$body.what"
		mv "$body" "$body.xml"
	else
		rm -f "$body"
	fi
	rm -f "$body.hdr" "$body.stdout"
	return $rc
}
clock_to() { curl_as supervisor -X POST --data "$1" "$URL/v1/test/clock" >/dev/null; }
clock_now() { curl_as supervisor "$URL/v1/health" | grep -o 'time="[^"]*"' | cut -d'"' -f2; }
# iso_plus INSTANT SECONDS: the instant SECONDS later, in the server's form
iso_plus() { date -u -d "@$(( $(date -u -d "$1" +%s) + $2 ))" +%Y-%m-%dT%H:%M:%S.000Z; }
# state_of KIND ID: the state name of a tender or sale as the supervisor sees it
state_of() { ebid_as supervisor "$1" show "$2" 2>/dev/null | grep -o ' state="[a-z-]*"' | head -1 | cut -d'"' -f2; }
# wait_state KIND ID STATE: up to 5 s for ebidd's own commands to land
wait_state() {
	for _ in $(seq 1 50); do
		[ "$(state_of "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# it_setup: the whole standard set-up: certificates, PostgreSQL, the
# configuration, ebidd on the driven clock.  Scripts that need another
# order (test_server.sh) call the pieces below themselves.
it_setup() {
	it_prepare
	pg_start || exit 1
	write_conf
	start_ebidd || exit 1
}

# it_prepare: the EXIT trap, the binaries, the certificates ($C).
it_prepare() {
	trap it_cleanup EXIT
	for t in "$EBIDD" "$EBID" "$AUDIT"; do
		[ -x "$t" ] || { say "missing $t (build it first)"; exit 1; }
	done
	if [ -n "${EBID_CERTS:-}" ]; then
		C=$EBID_CERTS
	else
		C=$tmp/certs
		bash "$SRC/certs/make-dev-certs.sh" "$C" >"$tmp/certs.log" 2>&1 ||
			{ cat "$tmp/certs.log"; say "make-dev-certs.sh failed"; exit 1; }
	fi
	URL=https://127.0.0.1:$PORT
}

# pg_start: a throwaway cluster in /tmp/pgtest.* on $PGPORT_T (docs/engineering-
# notes.md, libpq); fsync off unless EBID_PG_FSYNC=on.  Sets pgdir and DB.
pg_start() {
	pgdir=$(mktemp -d /tmp/pgtest.XXXXXX)
	[ ${#RUNAS[@]} -gt 0 ] && chown postgres: "$pgdir"
	"${RUNAS[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 --no-sync >"$pgdir/initdb.log" 2>&1 ||
		{ cat "$pgdir/initdb.log"; say "initdb failed"; return 1; }
	pg_up || return 1
	# Least privilege as in production (docs/operations.md): the schema
	# belongs to ebid_owner, who migrates (migrate_db); ebidd runs as
	# ebid_server, a member of ebid_app (append and read only).
	"$PGBIN/psql" -X -q -h "$pgdir" -p "$PGPORT_T" -U postgres -d postgres \
		-v ON_ERROR_STOP=1 -c "CREATE ROLE ebid_owner LOGIN" \
		-c "CREATE ROLE ebid_app NOLOGIN" \
		-c "CREATE ROLE ebid_server LOGIN IN ROLE ebid_app" \
		-c "CREATE DATABASE ebid OWNER ebid_owner" >/dev/null ||
		{ say "creating the roles and the database failed"; return 1; }
	DB="host=$pgdir port=$PGPORT_T user=ebid_server dbname=ebid"
	DB_OWNER="host=$pgdir port=$PGPORT_T user=ebid_owner dbname=ebid"
}
# pg_up / pg_down: start and stop the cluster pg_start made (kept on disk).
pg_up() {
	local f=${EBID_PG_FSYNC:-off}
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
		-o "-k $pgdir -p $PGPORT_T -c listen_addresses=127.0.0.1 -c fsync=$f -c synchronous_commit=$f -c full_page_writes=$f" \
		start >/dev/null || { cat "$pgdir/server.log"; say "PostgreSQL did not start"; return 1; }
}
pg_down() { "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1; }

# write_conf [LINE...]: $tmp/ebidd.conf for this test's ports, database and
# certificates, plus the extra 'key = value' lines given.
write_conf() {
	local line
	cat >"$tmp/ebidd.conf" <<CONF
listen = 127.0.0.1:$PORT
ca = $C/ca.crt
cert = $C/server.crt
key = $C/server.key
tsa_cert = $C/tsa.crt
tsa_key = $C/tsa.key
opening_authority_cert = $C/opening-authority.crt
opening_authority_key = $C/opening-authority.key
db = $DB
migrate_db = $DB_OWNER
schema_dir = $SRC/schema
xsd_dir = $SRC/protocol/xsd
pid_file = $tmp/ebidd.pid
log_file = $tmp/ebidd.log
# the network process keeps the test's user (root in CI: the temporary
# folders are root's); test_privsep.sh drops to an unprivileged one
user = root
${IT_EXTRA_CONF:-}
CONF
	for line in "$@"; do printf '%s\n' "$line" >>"$tmp/ebidd.conf"; done
}

# start_ebidd [FLAG...]: ebidd (default flags: the driven clock), waiting
# for its health; returns 1 (its output printed) when it does not come up.
start_ebidd() {
	[ $# -gt 0 ] || set -- --test-clock=driven
	"$EBIDD" --config "$tmp/ebidd.conf" "$@" >>"$tmp/ebidd.out" 2>&1 &
	ebidd_pid=$!
	for _ in $(seq 1 100); do
		curl_as auditor -o /dev/null "$URL/v1/health" && return 0
		kill -0 "$ebidd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/ebidd.out" "$tmp/ebidd.log" 2>/dev/null
	say "ebidd did not start"
	return 1
}

# restart_ebidd: SIGTERM, wait, start again (the driven clock starts over
# at the real time; move it forward again with clock_to).
restart_ebidd() {
	kill -TERM "$ebidd_pid" 2>/dev/null
	wait "$ebidd_pid" 2>/dev/null
	start_ebidd || exit 1
}

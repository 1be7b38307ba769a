#!/usr/bin/env bash
# tools/demo.sh
#    The demo scenario: a person reads along as the parties of a tender and a
#    sale act, each through the real client `ebid` against a running ebidd.
#    Run it through `tools/dev demo`, which starts PostgreSQL and ebidd, sets
#    the environment below, and stops everything afterwards.
#
# Environment (set by tools/dev demo): EBID_URL, EBID_CA, EBID_CERTS (the
# directory of party certificates), EBID_BUILD (where `ebid` is built).
#
# How to extend: the scenario is a plain sequence of
#    step "what happens, in words" as PARTY ebid VERB ARGS...
# `as PARTY` runs the command with PARTY's certificate and key; `step` prints
# the words, the command, and its output, and stops the demo with a clear
# message when the command fails.  Helpers: chapter, note, as, step,
# step_fails (a step that must be refused), remember (keep a value an
# earlier step printed).
#
# Current state: only `whoami` exists; the tender (register, announce, sign
# up, seal and submit bids, open, clear, draw experts, score, publicise,
# verify) and the listing-then-auction sale are to be added here as those
# commands land.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${EBID_URL:?run through tools/dev demo (EBID_URL is not set)}"
: "${EBID_CERTS:?run through tools/dev demo (EBID_CERTS is not set)}"
EBID_BUILD=${EBID_BUILD:-$here/../build}

if [ -t 1 ]; then bold=$'\e[1m' dim=$'\e[2m' red=$'\e[31m' off=$'\e[0m'
else bold='' dim='' red='' off=''; fi

n=0

# chapter "title": a heading for a group of steps.
chapter() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }

# note "text": a sentence of explanation between steps.
note() { printf '   %s\n' "$*"; }

# as PARTY CMD...: run CMD with PARTY's certificate (var/certs/PARTY.crt).
as() {
	local party=$1
	shift
	EBID_CERT=$EBID_CERTS/$party.crt EBID_KEY=$EBID_CERTS/$party.key "$@"
}

# ebid ARGS...: the real client (replaced below while it is not built).
ebid() { "$EBID_CLIENT" "$@"; }

# show CMD...: the command as a person would type it.
show() {
	local s="" who="" a
	if [ "${1:-}" = as ]; then
		who=" (as $2)"
		shift 2
	fi
	for a in "$@"; do
		s+="$(printf '%q' "$a") "
	done
	printf '%s   $ %s%s%s\n' "$dim" "${s% }" "$who" "$off"
}

# step "words" CMD...: number, explain, run; stop the demo if it fails.
# The command's output is kept in $LAST for later steps.
step() {
	local words=$1 rc=0
	shift
	n=$((n + 1))
	printf '\n%s%2d. %s%s\n' "$bold" "$n" "$words" "$off"
	show "$@"
	LAST=$("$@" 2>&1) || rc=$?
	[ -z "$LAST" ] || printf '%s\n' "$LAST" | sed 's/^/      /'
	if [ "$rc" != 0 ]; then
		printf '%s   step %d failed (exit %d): %s%s\n' "$red" "$n" "$rc" "$words" "$off" >&2
		exit 1
	fi
}

# step_fails "words" CMD...: a step that the system must refuse.
step_fails() {
	local words=$1 rc=0
	shift
	n=$((n + 1))
	printf '\n%s%2d. %s (must be refused)%s\n' "$bold" "$n" "$words" "$off"
	show "$@"
	LAST=$("$@" 2>&1) || rc=$?
	[ -z "$LAST" ] || printf '%s\n' "$LAST" | sed 's/^/      /'
	if [ "$rc" = 0 ]; then
		printf '%s   step %d was accepted but must be refused: %s%s\n' "$red" "$n" "$words" "$off" >&2
		exit 1
	fi
	note "refused, as it must be."
}

# remember VAR REGEX: set VAR to the first match of the extended REGEX's
# first group in the last step's output (e.g. a tender id).
remember() {
	local var=$1 re=$2 v
	v=$(printf '%s\n' "$LAST" | sed -nE "s/.*$re.*/\\1/p" | head -n 1)
	[ -n "$v" ] || { printf '%s   could not find /%s/ in the last output%s\n' "$red" "$re" "$off" >&2; exit 1; }
	printf -v "$var" '%s' "$v"
}

EBID_CLIENT=$(find "$EBID_BUILD" -name ebid -type f -perm -u+x 2>/dev/null | sort | head -n 1)
if [ -z "$EBID_CLIENT" ]; then
	# Until the client exists, `whoami` is asked with curl over the same
	# mutual TLS (GET /v1/whoami, docs/protocol.md); nothing else can be shown.
	echo "demo: the client 'ebid' is not built yet (no executable named ebid under $EBID_BUILD):"
	echo "demo: asking 'whoami' with curl instead, and stopping after that."
	CLIENT_MISSING=1
	ebid() {
		[ "$1" = whoami ] || { echo "demo: 'ebid $1' needs the client" >&2; return 2; }
		curl -sS --fail-with-body --max-time 10 --cacert "$EBID_CA" \
			--cert "$EBID_CERT" --key "$EBID_KEY" "$EBID_URL/v1/whoami"
	}
fi

CLIENT_MISSING=${CLIENT_MISSING:-0}

# ------------------------------------------------------------- the scenario

SRC=$(cd "$here/.." && pwd)
DEMO=${EBID_DEMO_DIR:-$SRC/var/demo}
mkdir -p "$DEMO"
AUDIT_BIN=$(dirname "$EBID_CLIENT")/ebid-audit
clock_to() { # move the server's driven test clock (loopback only)
	curl -sS --fail-with-body --cacert "$EBID_CA" --cert "$EBID_CERTS/supervisor.crt" \
		--key "$EBID_CERTS/supervisor.key" -X POST --data "$1" "$EBID_URL/v1/test/clock"
}
server_now() {
	curl -sS --cacert "$EBID_CA" --cert "$EBID_CERTS/supervisor.crt" \
		--key "$EBID_CERTS/supervisor.key" "$EBID_URL/v1/health" |
		grep -o 'time="[^"]*"' | cut -d'"' -f2
}
iso_plus() { date -u -d "@$(( $(date -u -d "$1" +%s) + $2 ))" +%Y-%m-%dT%H:%M:%S.000Z; }
state_of() { as supervisor ebid "$1" show "$2" 2>/dev/null | grep -o ' state="[a-z-]*"' | head -1 | cut -d'"' -f2; }
wait_state() { for _ in $(seq 1 50); do [ "$(state_of "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done; return 1; }

chapter "Who is who: every party presents its certificate"
note "Each party holds a certificate from the centre's CA; the server reads the"
note "role, party id and person from it (certs/README.md)."
step "The registration officer (交易登记科) asks the server who it is" as registrar ebid whoami
step "The supervision officer (监管科) asks the server who it is" as supervisor ebid whoami
step "The verification officer (鉴证科) asks the server who it is" as verifier ebid whoami
step "The tenderer, Feicheng Water Authority, asks who it is" as tenderer ebid whoami
step "Bidder 1 asks who it is" as bidder1 ebid whoami
step_fails "A stranger with a certificate from another CA knocks" as stranger ebid whoami
step_fails "A bidder whose certificate has expired knocks" as expired ebid whoami

if [ "$CLIENT_MISSING" = 1 ]; then
	chapter "Stopped: the rest of the scenario needs the client ebid"
	exit 0
fi

chapter "A procurement tender: registration (受理)"
now=$(server_now)
deadline=$(iso_plus "$now" $((20 * 86400)))
note "The server runs on a driven test clock: it is $now now; the bid deadline"
note "and the opening are set 20 days ahead, at $deadline."
sed "s/@DEADLINE@/$deadline/; s/@OPENING@/$deadline/" \
	"$SRC/tests/data/tender/register-tender.xml" >"$DEMO/register-tender.xml"
step "The tenderer registers the Feicheng pipeline tender (documents, rules, ceiling 6,000,000.00 yuan, 3 custodians)" \
	as tenderer ebid tender register "$DEMO/register-tender.xml"
remember T 'tender (T-[0-9]+-[0-9]+) registered'
step "The registration officer returns it: the bill of quantities is not signed" \
	as registrar ebid tender return "$T" --reason "The bill of quantities is not signed."
sed 's/<register-tender xmlns="urn:ebid:1">/<resubmit-registration xmlns="urn:ebid:1">/; s#</register-tender>#</resubmit-registration>#' \
	"$DEMO/register-tender.xml" >"$DEMO/resubmit.xml"
step "The tenderer resubmits the amended registration" as tenderer ebid tender resubmit "$T" "$DEMO/resubmit.xml"
step_fails "The supervision officer tries to accept it (not its office)" as supervisor ebid tender accept "$T"
step "The registration officer accepts the project" as registrar ebid tender accept "$T"

chapter "Organization (组织): announcement, sign-ups, sealed bids"
step "The supervision officer publishes the announcement" \
	as supervisor ebid tender publish "$T" --text "Feicheng Water Supply Pipeline Renewal, Lot 1: bids until $deadline."
wait_state tender "$T" bidding
note "ebidd created the tender's opening key, split it 2-of-3 among the custodians"
note "and sealed each share to its custodian's certificate; the key itself is gone."
step "Custodian 1 reads its rights and duties on this tender" as custodian1 ebid tender duties "$T"
for i in 1 2 3 4 5; do
	step "Bidder $i signs up" as "bidder$i" ebid tender sign-up "$T"
	step "The registration officer confirms bidder $i's sign-up" as registrar ebid tender confirm-sign-up "$T" bidder="bidder$i"
done
step "Buyer 1 signs up without a municipal works licence" as buyer1 ebid tender sign-up "$T"
step "The registration officer rejects it, with the reason" \
	as registrar ebid tender reject-sign-up "$T" bidder=buyer1 --reason "No municipal works licence on file."
for i in 1 2 3 4 5; do
	f=$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$T\"/" "$f" >"$DEMO/bid$i.xml"
	step "Bidder $i seals its bid on its own machine (signed, encrypted to the opening key and to itself)" \
		as "bidder$i" ebid bid seal --tender "$T" "$DEMO/bid$i.xml" -o "$DEMO/bid$i.sealed"
	step "Bidder $i submits it and keeps the RFC 3161 receipt" \
		as "bidder$i" ebid bid submit --tender "$T" "$DEMO/bid$i.sealed" -o "$DEMO/bid$i.receipt"
done
step "Bidder 1 checks its receipt against exactly the bytes it sent" \
	as bidder1 ebid receipt verify "$DEMO/bid1.receipt" "$DEMO/bid1.sealed"
step "Bidder 3 reads its rights and duties (权利义务告知)" as bidder3 ebid tender duties "$T"

chapter "The deadline and the opening (开标)"
step "Time passes to the deadline (test clock)" clock_to "$deadline"
wait_state tender "$T" awaiting-opening
step_fails "A bidder cannot submit a share" as bidder1 ebid opening share --tender "$T"
step "Custodian 1 unseals its share and submits it, sealed to the server" as custodian1 ebid opening share --tender "$T"
step "Custodian 3 does the same: two of three open the bids" as custodian3 ebid opening share --tender "$T"
wait_state tender "$T" cleared
step "Bidder 2 decrypts its own bid: it matches its commitment" \
	as bidder2 ebid opening decrypt --tender "$T" "$DEMO/bid2.sealed"
step "The opening record and the automatic clearing report (清标)" as supervisor ebid clearing show --tender "$T"

chapter "Evaluation (评标): the expert draw and online scoring"
ebid_as() { local who=$1; shift; as "$who" ebid "$@"; }
. "$SRC/tools/lib/tender.sh"
note "The registration officer keeps the expert pool; the supervision officer"
note "commits to a secret, then reveals it: the draw's seed is the tender's"
note "history and that secret, so an auditor recomputes the same committee."
note "Experts employed by a bidder (expert8, expert9) cannot be drawn."
step "Draw the committee; one expert declines and the engine seats a reserve; each expert scores every valid bid; close the evaluation; every member signs the committee report (one with a dissent)" \
	evaluate "$T" "$DEMO"
step "The committee (hidden from bidders until the result)" committee "$T"
step "What an expert sees to score: the criteria, the valid bids, the clearing report" \
	as "$(committee "$T" | head -1)" ebid score show --tender "$T"
step_fails "Bidder 1 cannot see the committee or the scores yet" bash -c \
	"EBID_CERT=$EBID_CERTS/bidder1.crt EBID_KEY=$EBID_CERTS/bidder1.key '$EBID_CLIENT' tender show $T | grep '<member '"
step "The result: every component of every score, the ranking, the candidates" \
	as supervisor ebid result show --tender "$T"
WINNER=$(first_candidate "$T")

chapter "Confirmation (确认): publicity, objection, verification, award"
step "The supervision officer publishes the candidates (公示)" as supervisor ebid tender publish-candidates "$T"
step "Bidder 3 objects during the publicity: the flow stops" \
	as bidder3 ebid tender raise-objection "$T" --text "The first candidate's project manager is engaged elsewhere."
step_fails "The verification officer cannot verify while the objection stands" as verifier ebid tender verify-process "$T"
step "The supervision officer answers the objection" \
	as supervisor ebid tender answer-objection "$T" objection=1 decision=dismissed --text "The release letter is on file."
step "Time passes to the end of the publicity period (test clock)" clock_to "$(publicity_end "$T")"
wait_state tender "$T" publicity-over
step "The verification officer confirms the process was lawful (verification record)" as verifier ebid tender verify-process "$T"
step "The award notice goes to $WINNER, the first candidate" \
	as verifier ebid tender issue-award "$T" bidder="$WINNER" --justification "Ranked first; publicity ended without an upheld objection."
step "The supervision officer closes the tender" as supervisor ebid tender close-tender "$T"

chapter "A listing-then-auction sale (挂牌 then 拍卖): the case study"
note "Starting price 6,000,000.00 yuan, increment 50,000.00; two buyers alternate"
note "19 listing quotes to 6,950,000.00, go on to the auction, which closes at"
note "9,400,000.00; the sealed reserve is revealed and checked; sold."
step "The whole sale runs through ebid, with ebidd's own timers closing the listing and the auction" \
	env SALE_ID_FILE="$DEMO/sale.id" EBID_CERTS="$EBID_CERTS" EBID_BUILD="$(dirname "$EBID_CLIENT")" \
	"$SRC/tools/sale-script" "$SRC/tests/data/sale/case-study.txt"
. "$DEMO/sale.id"
step "The sale's result, as the supervision officer sees it" as supervisor ebid sale show "$sale"

chapter "The auditors' promise: export, verify, replay"
rm -f "$DEMO"/*.log.xml
POOL=$(pool_of "$T")
note "This run's tender, expert pool and sale (a database kept from an earlier"
note "run holds more: 'ebid-audit export --all' takes them all)."
step "The auditor exports the tender's log" as auditor "$AUDIT_BIN" export --tender "$T" -o "$DEMO/$T.log.xml"
step "The auditor exports the expert pool's log" as auditor "$AUDIT_BIN" export --pool "$POOL" -o "$DEMO/$POOL.log.xml"
step "The auditor exports the sale's log" as auditor "$AUDIT_BIN" export --sale "$sale" -o "$DEMO/$sale.log.xml"
for f in "$DEMO/$T.log.xml" "$DEMO/$POOL.log.xml" "$DEMO/$sale.log.xml"; do
	step "ebid-audit verifies $(basename "$f") with only the CA certificate, replaying it" \
		"$AUDIT_BIN" verify "$f" --ca "$EBID_CA"
done
step "A readable timeline of the tender" "$AUDIT_BIN" replay "$DEMO/$T.log.xml" --ca "$EBID_CA"

chapter "Done"
note "$n steps ran against $EBID_URL; the logs are in $DEMO."
if [ -n "${EBID_BOARD_URL:-}" ]; then
	note "The public board (no certificate needed): $EBID_BOARD_URL"
	note "  this tender: ${EBID_BOARD_URL}tenders/$T   the sale: ${EBID_BOARD_URL}sales/$sale"
fi

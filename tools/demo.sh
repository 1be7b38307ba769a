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

chapter "Who is who: every party presents its certificate"
note "Each party holds a certificate from the centre's CA; the server reads the"
note "role, party id and person from it (certs/README.md)."
step "The registration officer (交易登记科) asks the server who it is" as registrar ebid whoami
step "The supervision officer (监管科) asks the server who it is" as supervisor ebid whoami
step "The verification officer (鉴证科) asks the server who it is" as verifier ebid whoami
step "The auditor asks the server who it is" as auditor ebid whoami
step "The tenderer, Feicheng Water Authority, asks who it is" as tenderer ebid whoami
for i in 1 2 3 4 5; do
	step "Bidder $i asks who it is" as "bidder$i" ebid whoami
done
for i in 1 2 3 4 5 6 7 8 9; do
	step "Expert $i asks who it is" as "expert$i" ebid whoami
done
for i in 1 2 3; do
	step "Opening-key custodian $i asks who it is" as "custodian$i" ebid whoami
done
step "The transferor, Feicheng State Assets Administration, asks who it is" as transferor ebid whoami
step "Buyer 1 (a bidder in sales) asks who it is" as buyer1 ebid whoami
step "Buyer 2 (a bidder in sales) asks who it is" as buyer2 ebid whoami
step_fails "A stranger with a certificate from another CA knocks" as stranger ebid whoami
step_fails "A bidder whose certificate expired in 2021 knocks" as expired ebid whoami

if [ "$CLIENT_MISSING" = 1 ]; then
	chapter "Stopped: the rest of the scenario needs the client ebid"
	exit 0
fi

chapter "Done"
note "$n steps ran against $EBID_URL."

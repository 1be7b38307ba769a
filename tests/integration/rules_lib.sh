# shellcheck shell=bash disable=SC2154
# tests/integration/rules_lib.sh
#    The set-up test_rules.sh and test_rules_lots.sh share: a tender
#    registered from a sample with its rules edited, bid on, opened and
#    cleared; its committee seated; a registration that must be refused.
#    Sourced first: it picks free ports (ports.sh), starts PostgreSQL and
#    ebidd (lib.sh's it_setup) and reads tools/lib/tender.sh; the script
#    then sets REG (the registration sample, with @DEADLINE@ and
#    @OPENING@) and may set BID_EDIT[i] (a sed script applied to bid i)
#    before it calls these.
#      rules_tender NAME SEDSCRIPT  register $REG edited by SEDSCRIPT, bid
#                                   1, 2, 3 and 6, open, clear; echoes the
#                                   tender id (cleared when it returns 0)
#      seat TENDER                  draw the committee, every drawn expert
#                                   accepts (POOL: registered once)
#      summary_of TENDER BIDDER     its <bid-summary> in the view
#      compliance_all TENDER        every member finds every listed bid
#                                   compliant (a sheet without scores)
#      bad_reg NAME SEDSCRIPT WORDS $REG edited (deadline $dl) is refused
#                                   and the message says WORDS
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup
EBID_CERTS=$C
. "$SRC/tools/lib/tender.sh"

BIDS=$SRC/tests/data/bids
declare -a BID_EDIT=()

rules_tender() {
	local name=$1 edit=$2 now dl t i who
	now=$(clock_now)
	dl=$(iso_plus "$now" $((20 * 86400)))
	sed "s/@DEADLINE@/$dl/; s/@OPENING@/$dl/; $edit" "$REG" >"$tmp/$name-reg.xml"
	t=$(ebid_as tenderer tender register "$tmp/$name-reg.xml" | awk '/ registered$/ {print $2}')
	[ -n "$t" ] || return 1
	ebid_as registrar tender accept "$t" >/dev/null || return 1
	ebid_as supervisor tender publish "$t" >/dev/null || return 1
	wait_state tender "$t" bidding || return 1
	for i in 1 2 3 6; do
		who=bidder$i
		[ $i = 6 ] && who=buyer2
		ebid_as "$who" tender sign-up "$t" >/dev/null || return 1
		ebid_as registrar tender confirm-sign-up "$t" bidder="$who" >/dev/null || return 1
		sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$t\"/; ${BID_EDIT[$i]:-}" "$(ls "$BIDS"/bid-$i-*.xml)" >"$tmp/$name-bid$i.xml"
		ebid_as "$who" bid seal --tender "$t" "$tmp/$name-bid$i.xml" -o "$tmp/$name-bid$i.sealed" >/dev/null || return 1
		ebid_as "$who" bid submit --tender "$t" "$tmp/$name-bid$i.sealed" >/dev/null || return 1
	done
	clock_to "$(iso_plus "$dl" 1)"
	wait_state tender "$t" awaiting-opening || return 1
	ebid_as custodian1 opening share --tender "$t" >/dev/null || return 1
	ebid_as custodian2 opening share --tender "$t" >/dev/null || return 1
	wait_state tender "$t" cleared || return 1
	echo "$t"
}

seat() {
	local t=$1 secret commit x
	POOL=${POOL:-$(pool_register)} || return 1
	secret="draw-$t-$(date +%s%N)"
	commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	cat >"$tmp/rd-$t.xml" <<XML
<request-draw xmlns="urn:ebid:1" tender="$t"><commitment>$commit</commitment><seats specialty="civil-works" count="4" reserve="1"/><seats specialty="electrical" count="1" reserve="1"/></request-draw>
XML
	ebid_as supervisor tender request-draw "$t" "$tmp/rd-$t.xml" >/dev/null || return 1
	ebid_as supervisor pool show "$POOL" >"$tmp/pool.xml" || return 1
	{
		printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$t" "$secret"
		sed -n '/<pool/,$p' "$tmp/pool.xml" | sed 's/ xmlns="urn:ebid:1"//'
		printf '</draw-experts>\n'
	} >"$tmp/de-$t.xml"
	ebid_as supervisor tender draw-experts "$t" "$tmp/de-$t.xml" >/dev/null || return 1
	for x in $(committee "$t"); do
		ebid_as "$x" tender accept-appointment "$t" >/dev/null || return 1
	done
}

summary_of() {
	ebid_as supervisor tender show "$1" | grep -o "<bid-summary bidder=\"$2\"[^>]*>"
}

compliance_all() {
	local t=$1 x b
	for x in $(committee "$t"); do
		{
			printf '<score-sheet xmlns="urn:ebid:1" expert="%s" tender="%s">\n' "$x" "$t"
			for b in $(valid_bidders "$t"); do
				printf '<compliance bid="%s" item="qualification" pass="yes"/><compliance bid="%s" item="technical" pass="yes"/>\n' "$b" "$b"
			done
			printf '</score-sheet>\n'
		} >"$tmp/c-$t-$x.xml"
		ebid_as "$x" score submit --tender "$t" "$tmp/c-$t-$x.xml" || return 1
	done
}

bad_reg() {
	sed "s/@DEADLINE@/$dl/; s/@OPENING@/$dl/; $2" "$REG" >"$tmp/bad-$1.xml"
	if out=$(ebid_as tenderer tender register "$tmp/bad-$1.xml" 2>&1); then
		echo "accepted: $out"; return 1
	fi
	grep -q "$3" <<<"$out" || { echo "$out"; return 1; }
}

# tools/lib/tender.sh
#    Helpers for driving a tender's evaluation and confirmation through the
#    real `ebid`, shared by tools/demo.sh and tests/integration/
#    test_tender_flow.sh.  Source it; it needs a function `ebid_as PARTY
#    ARGS...` (run ebid with PARTY's certificate) and EBID_CERTS.
#
#    pool_register            register expert1..9 (read from their
#                             certificates) into a new pool; echoes its id
#    valid_bidders TENDER     the bids to score (valid after clearing and
#                             within the rules, scored="yes"), one a line
#    score_sheet EXPERT TENDER FILE
#                             write EXPERT's score sheet for every valid bid
#                             on the demo tender's criteria (tech 0-30 step
#                             0.5, quality 0-20, schedule 0-10), close to the
#                             panel so no deviation alert is raised
#    committee TENDER         the experts seated on the committee
#    bidding_with_bids REG.xml DIR
#                             the tenderer registers REG.xml; accepted,
#                             published; bidder1..5 sign up (confirmed) and
#                             seal and submit tests/data/bids/bid-N-*.xml
#                             (files in DIR); echoes the tender id, returns
#                             1 at the first step refused (needs SRC)

# subject field NAME of party PARTY's certificate
cert_field() {
	openssl x509 -in "$EBID_CERTS/$1.crt" -noout -subject -nameopt multiline |
		sed -n "s/^ *$2 *= *//p" | head -n 1
}

pool_register() {
	local pool="" i out args
	for i in 1 2 3 4 5 6 7 8 9; do
		args=(party="expert$i" person="$(cert_field "expert$i" serialNumber)"
			name="$(cert_field "expert$i" commonName)"
			org="$(cert_field "expert$i" organizationName)"
			specialty="$(cert_field "expert$i" title)")
		if [ -z "$pool" ]; then
			out=$(ebid_as registrar pool register-expert "${args[@]}") || return 1
			pool=$(awk '/ registered$/ {print $2}' <<<"$out")
		else
			ebid_as registrar pool register-expert "$pool" "${args[@]}" >/dev/null || return 1
		fi
	done
	echo "$pool"
}

valid_bidders() {
	ebid_as supervisor tender show "$1" |
		grep -o '<bid-summary [^>]*>' | grep 'scored="yes"' |
		grep -o 'bidder="[^"]*"' | cut -d'"' -f2 | sort -u
}

committee() {
	ebid_as supervisor tender show "$1" |
		sed -n '/<committee/,/<\/committee>/p' | grep -o '<member [^>]*>' |
		grep -v 'status="declined"\|status="refused"' |
		grep -o 'party="[^"]*"' | cut -d'"' -f2 | sort -u
}

score_sheet() {
	local expert=$1 tender=$2 file=$3 b k=0 e=${1#expert}
	{
		printf '<score-sheet xmlns="urn:ebid:1" expert="%s" tender="%s">\n' "$expert" "$tender"
		for b in $(valid_bidders "$tender"); do
			k=$((k + 1))
			# 24.0 .. 27.5 for the plan, 15 .. 17 for quality, 8 .. 9 schedule
			printf '  <score bid="%s" criterion="tech" value="%s"/>\n' "$b" \
				"$((24 + (k * 3 + e) % 4)).$(( (e % 2) * 5 ))"
			printf '  <score bid="%s" criterion="quality" value="%s"/>\n' "$b" \
				"$((15 + (k + e) % 3))"
			printf '  <score bid="%s" criterion="schedule" value="%s"/>\n' "$b" \
				"$((8 + (k + e) % 2))"
		done
		printf '</score-sheet>\n'
	} >"$file"
}

# evaluate TENDER WORKDIR: the expert pool, the supervisor's committed
# draw (seats: 4 civil-works and 1 electrical, a reserve each), one drawn
# expert declining (sets DECLINED; the reserve takes the seat), the others
# accepting, each scoring every valid bid, and the evaluation closed with
# the ranking computed by the engine.  Returns non-zero at the first
# refusal.  Sets POOL to the pool's id.  Experts with 3 or more
# appointments in the last 365 days are not drawn.
evaluate() {
	local t=$1 dir=$2 pool secret commit x
	pool=$(pool_register) || return 1
	POOL=$pool
	secret="draw-$t-$(date +%s%N)"
	commit=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	cat >"$dir/request-draw.xml" <<XML
<request-draw xmlns="urn:ebid:1" tender="$t" recent-days="365" max-recent="3"><commitment>$commit</commitment><seats specialty="civil-works" count="4" reserve="1"/><seats specialty="electrical" count="1" reserve="1"/></request-draw>
XML
	ebid_as supervisor tender request-draw "$t" "$dir/request-draw.xml" >/dev/null || return 1
	ebid_as supervisor pool show "$pool" >"$dir/pool.xml" || return 1
	{
		printf '<draw-experts xmlns="urn:ebid:1" tender="%s"><reveal>%s</reveal>\n' "$t" "$secret"
		sed -n '/<pool/,$p' "$dir/pool.xml" | sed 's/ xmlns="urn:ebid:1"//'
		printf '</draw-experts>\n'
	} >"$dir/draw-experts.xml"
	ebid_as supervisor tender draw-experts "$t" "$dir/draw-experts.xml" >/dev/null || return 1
	# the first drawn expert declines: the engine seats the next reserve
	# of the same specialty in its place
	x=$(committee "$t" | head -n 1)
	ebid_as "$x" tender decline-appointment "$t" --reason "I advised a bidder on this project last year." >/dev/null || return 1
	DECLINED=$x
	for x in $(committee "$t"); do
		ebid_as "$x" tender accept-appointment "$t" >/dev/null || return 1
	done
	for x in $(committee "$t"); do
		score_sheet "$x" "$t" "$dir/scores-$x.xml"
		ebid_as "$x" score submit --tender "$t" "$dir/scores-$x.xml" >/dev/null || return 1
	done
	ebid_as supervisor tender close-evaluation "$t" >/dev/null || return 1
	# every member signs the committee report (the first with a dissent)
	for x in $(committee "$t"); do
		if [ "$x" = "$(committee "$t" | head -n 1)" ]; then
			ebid_as "$x" result sign --tender "$t" --dissent "I would rate the first candidate's construction plan lower." >/dev/null || return 1
		else
			ebid_as "$x" result sign --tender "$t" >/dev/null || return 1
		fi
	done
}

# first_candidate TENDER: the bidder ranked first
first_candidate() {
	ebid_as supervisor tender show "$1" | grep -o '<candidate bidder="[^"]*" rank="1"' |
		head -n 1 | cut -d'"' -f2
}

# publicity_end TENDER: when the publicity period ends
publicity_end() {
	ebid_as supervisor tender show "$1" | grep -o '<publicity [^>]*>' |
		grep -o ' end="[^"]*"' | cut -d'"' -f2
}

# pool_of TENDER: the expert pool the tender's committee was drawn from
pool_of() {
	ebid_as supervisor tender show "$1" | grep -o '<draw [^>]*>' |
		grep -o ' pool="[^"]*"' | cut -d'"' -f2
}

# bidding_with_bids REG.xml DIR: a tender in bidding with the five bids
bidding_with_bids() {
	local reg=$1 dir=$2 t i
	t=$(ebid_as tenderer tender register "$reg" | awk '/ registered$/ {print $2}')
	[ -n "$t" ] || return 1
	ebid_as registrar tender accept "$t" >/dev/null &&
		ebid_as supervisor tender publish "$t" --text "Tender $t." >/dev/null &&
		wait_state tender "$t" bidding >/dev/null || return 1
	for i in 1 2 3 4 5; do
		ebid_as "bidder$i" tender sign-up "$t" >/dev/null &&
			ebid_as registrar tender confirm-sign-up "$t" bidder="bidder$i" >/dev/null || return 1
		sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$t\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$dir/bid-$t-$i.xml"
		ebid_as "bidder$i" bid seal --tender "$t" "$dir/bid-$t-$i.xml" -o "$dir/bid-$t-$i.sealed" >/dev/null &&
			ebid_as "bidder$i" bid submit --tender "$t" "$dir/bid-$t-$i.sealed" >/dev/null || return 1
	done
	echo "$t"
}

#!/usr/bin/env bash
# tests/integration/test_registry_monitor.sh
#    Process monitoring (issue 22 point 4, docs/registries.md) through the
#    real ebidd, the real ebid (each party connecting from its own
#    loopback address, EBID_SOURCE_ADDRESS) and ebid-audit:
#      the supervisor opens the centre's monitor and ebidd reports to it
#      (ebidd.conf monitor =); a clean tender shaped as the demo's (20
#      days of bidding, bidders each from their own network, experts from
#      the centre's) runs to its evaluation and raises no alert; a second
#      tender raises each alert: a bidding period shorter than 20 days,
#      a deadline moved by an amendment 5 days before it (fewer than 15),
#      two bidders from one address, a bid by a representative whose
#      authorisation ends before the award can come, an expert in a
#      bidder's /24 network; only ebidd may observe; the officers see the
#      alerts, a bidder does not; the supervisor closes one with a reason
#      (not twice); the monitor's log verifies and replays with the
#      tenders' logs its checks rest on.
#    ports: free ones, picked at start (tests/integration/ports.sh)
set -uo pipefail
. "$(dirname "$0")/ports.sh"
PGPORT_T=$(free_port)
PORT=$(free_port)
. "$(dirname "$0")/lib.sh"
it_setup
export EBID_URL=$URL EBID_CA=$C/ca.crt EBID_CERTS=$C
. "$SRC/tools/lib/tender.sh"

# ebid_from ADDRESS PARTY ARGS...: ebid connecting from ADDRESS
ebid_from() { local a=$1; shift; EBID_SOURCE_ADDRESS=$a ebid_as "$@"; }
person() { awk -v n="$1" '$1 == n {print $4}' "$C/parties.txt"; }
created() { awk '/ registered$/ {print $2}' <<<"$1"; }
alerts() { ebid_as supervisor monitor show "$M" | grep -o '<alert [^>]*>'; }
has_alert() { # has_alert KIND TENDER
	alerts | grep "tender=\"$2\"" | grep -q "kind=\"$1\""
}

# console PARTY: `ebid console` as PARTY, signed in with curl: sets CB (its
# base URL) and $tmp/jar-PARTY (the session cookie); lib.sh stops it
console() {
	local who=$1 out=$tmp/console-$1.out u=""
	"$EBID" --url "$URL" --ca "$C/ca.crt" --cert "$C/$who.crt" --key "$C/$who.key" \
		console --port 0 >"$out" 2>&1 &
	extra_pids+=" $!"
	for _ in $(seq 1 50); do
		u=$(sed -n 's/^open: //p' "$out")
		[ -n "$u" ] && break
		sleep 0.1
	done
	[ -n "$u" ] || { cat "$out"; return 1; }
	CB=${u%%/\?*}
	curl -s -o /dev/null -c "$tmp/jar-$who" "$u"
}

# -- the centre's monitor ---------------------------------------------------------
refused_with "a bidder cannot open a monitor" role-not-allowed ebid_as bidder1 monitor open
M=$(created "$(ebid_as supervisor monitor open min-bidding-days=20 notice-days=15 subnet-bits=24)")
check "the supervisor opens the monitor ($M)" grep -q '^M-[0-9]*-[0-9]*$' <<<"$M"
write_conf "monitor = $M"
restart_ebidd
refused_with "only ebidd observes addresses" role-not-allowed \
	ebid_as supervisor monitor observe "$M" job=T-2026-0001 party=bidder1 role=bidder address=10.0.0.1

now=$(clock_now)
year_ago=$(iso_plus "$now" $((-365 * 86400)))

# -- a subject whose representative's authorisation ends before the award ------------
sdl=$(iso_plus "$now" $((16 * 86400)))
cat >"$tmp/subj.xml" <<XML
<register-subject xmlns="urn:ebid:1" code="91370983MA3C000012" name="Taishan Pipe Works Co Ltd" kind="bidder">
  <representative person="$(person bidder4)" party="bidder4" scope="tender" from="$year_ago" to="$(iso_plus "$sdl" $((5 * 86400)))"/>
</register-subject>
XML
A=$(created "$(ebid_as registrar subject register "$tmp/subj.xml")")
check "subject A, bidder4 authorised until 5 days after the deadline ($A)" test -n "$A"

# -- two tenders: C as the demo's, S with every breach ------------------------------
open_tender() { # open_tender FILE -> the id, bidding
	local t
	t=$(created "$(ebid_as tenderer tender register "$1")")
	ebid_as registrar tender accept "$t" >/dev/null &&
	ebid_as supervisor tender publish "$t" --text "Announcement." >/dev/null &&
	wait_state tender "$t" bidding >/dev/null && echo "$t"
}
cdl=$(iso_plus "$now" $((20 * 86400)))
sed "s/@DEADLINE@/$cdl/; s/@OPENING@/$cdl/" "$SRC/tests/data/tender/register-tender.xml" >"$tmp/c.xml"
# S: 16 days of bidding, a 5-day notice period of its own
sed "s/@DEADLINE@/$sdl/; s/@OPENING@/$sdl/; s#<notice-period-days>15</notice-period-days>#<notice-period-days>5</notice-period-days>#" \
	"$SRC/tests/data/tender/register-tender.xml" >"$tmp/s.xml"
C1=$(open_tender "$tmp/c.xml")
check "the clean tender is bidding ($C1)" test -n "$C1"
S=$(open_tender "$tmp/s.xml")
check "tender S is bidding ($S)" test -n "$S"
bid() { # bid TENDER BIDDER ADDRESS [subject=ID]
	local t=$1 b=$2 a=$3 i=${2#bidder}
	sed "s/tender=\"FC-2026-WS-017-L1\"/tender=\"$t\"/" "$(ls "$SRC"/tests/data/bids/bid-$i-*.xml)" >"$tmp/$t-$b.xml"
	ebid_from "$a" "$b" tender sign-up "$t" ${4:-} >/dev/null &&
	ebid_as registrar tender confirm-sign-up "$t" bidder="$b" >/dev/null &&
	ebid_as "$b" bid seal --tender "$t" "$tmp/$t-$b.xml" -o "$tmp/$t-$b.sealed" ${4:-} >/dev/null &&
	ebid_from "$a" "$b" bid submit --tender "$t" "$tmp/$t-$b.sealed" >/dev/null
}
for i in 1 2 3 4 5; do
	check "C: bidder$i signs up and bids from its own network 127.0.$i.1" bid "$C1" "bidder$i" "127.0.$i.1"
done
check "S: bidder1 bids from 127.0.9.9" bid "$S" bidder1 127.0.9.9
check "S: bidder2 bids from the same address" bid "$S" bidder2 127.0.9.9
check "S: bidder3 bids from 127.0.0.7, the experts' network" bid "$S" bidder3 127.0.0.7
check "S: bidder4 bids for subject A" bid "$S" bidder4 127.0.4.4 "subject=$A"
check "S: bidder5 bids" bid "$S" bidder5 127.0.5.5
clock_to "$(iso_plus "$sdl" $((-3 * 86400)))"
check "S: the tenderer amends the documents 3 days before the deadline" \
	ebid_as tenderer tender amend-documents "$S" "$(
	echo "<amend-documents xmlns=\"urn:ebid:1\"><text>Revised drawings.</text><document name=\"drawings-2.zip\" sha256=\"$(printf x | sha256sum | cut -d' ' -f1)\"/></amend-documents>" >"$tmp/amend.xml"; echo "$tmp/amend.xml")"
sdl2=$(ebid_as supervisor tender show "$S" | grep -o '<bid-deadline [^>]*>' | head -n 1 | grep -o 'at="[^"]*"' | cut -d'"' -f2)
check "S: the deadline moved 5 days after the amendment ($sdl2)" test "$sdl2" != "$sdl"

# -- to the opening and the evaluation -----------------------------------------------
opened() { # opened TENDER DEADLINE
	clock_to "$2"
	wait_state tender "$1" awaiting-opening >/dev/null &&
	ebid_as custodian1 opening share --tender "$1" >/dev/null &&
	ebid_as custodian3 opening share --tender "$1" >/dev/null &&
	wait_state tender "$1" cleared
}
check "S is opened and cleared" opened "$S" "$sdl2"
check "C is opened and cleared" opened "$C1" "$cdl"
check "S: the committee (from the centre's network 127.0.0.1) evaluates" evaluate "$S" "$tmp"
mkdir -p "$tmp/c"
check "C: the committee evaluates" evaluate "$C1" "$tmp/c"

# -- the alerts --------------------------------------------------------------------
for _ in $(seq 1 50); do has_alert expert-on-bidder-network "$S" && break; sleep 0.1; done
alerts >"$tmp/alerts.txt"
cat "$tmp/alerts.txt" >>"$tmp/check.log"
check "the clean tender (the demo's shape) raises no alert" bash -c "! grep -q 'tender=\"$C1\"' '$tmp/alerts.txt'"
check "and it was checked: its check is in the monitor's log" \
	grep -q "<tender-checked [^>]*alerts=\"0\"[^>]*tender=\"$C1\"" \
	<(psqlq -c "SELECT convert_from(events, 'UTF8') FROM log WHERE aggregate = '$M'")
check "S: a bidding period shorter than 20 days" has_alert short-bidding-period "$S"
check "S: the deadline moved without 15 days' notice" has_alert deadline-moved-without-notice "$S"
check "S: two bidders from one address" has_alert same-address "$S"
check "S: the same-address alert names the pair" grep -q 'bidders bidder1 and bidder2 from address 127.0.9.9' "$tmp/alerts.txt"
check "S: a representative's authorisation ends before the award" has_alert authorisation-expires-before-award "$S"
check "S: an expert in a bidder's network" has_alert expert-on-bidder-network "$S"
check "S: the expert alert names bidder3" grep -q 'and bidder bidder3 from one /24 network' "$tmp/alerts.txt"
check "S: the short-period alert carries its figures (days, required-days=20)" \
	bash -c "grep 'kind=\"short-bidding-period\"' '$tmp/alerts.txt' | grep 'required-days=\"20\"' | grep -q ' days=\"[0-9]*\"'"
check "S: the same-address alert carries the pair and the address as attributes" \
	bash -c "grep 'kind=\"same-address\"' '$tmp/alerts.txt' | grep 'party=\"bidder1\"' | grep 'other-party=\"bidder2\"' | grep -q 'address=\"127.0.9.9\"'"
check "S: the expert alert names expert and bidder by attribute (other-party=bidder3, subnet-bits=24)" \
	bash -c "grep 'kind=\"expert-on-bidder-network\"' '$tmp/alerts.txt' | grep 'other-party=\"bidder3\"' | grep -q 'subnet-bits=\"24\"'"
check "S: bidder4 and bidder5, each from its own network, are in no address alert" \
	bash -c "! grep -q 'bidder5\|and bidder bidder4\|and bidder4' '$tmp/alerts.txt'"
check "the observations are ebidd's entries in the monitor's log" \
	test "$(psqlq -c "SELECT count(*) FROM log WHERE aggregate = '$M' AND role = 'system'")" -gt 5
check "a bidder sees the rules but no alert" bash -c "! ebid_as bidder1 monitor show $M | grep -q '<alert '"

# -- acknowledged and closed -----------------------------------------------------------
no=$(grep "kind=\"same-address\"" "$tmp/alerts.txt" | grep -o ' no="[0-9]*"' | cut -d'"' -f2)
refused_with "a bidder cannot close an alert" role-not-allowed ebid_as bidder1 monitor close "$M" alert="$no" --reason "No."
refused "a reason is required" ebid_as supervisor monitor close "$M" alert="$no"
check "the supervisor closes the same-address alert with the reason" \
	ebid_as supervisor monitor close "$M" alert="$no" --reason "One consultancy filed both bids; referred to the collusion review."
check "the alert shows closed, by whom, with the reason" \
	grep -q "<alert [^>]*by=\"supervisor\"[^>]*no=\"$no\"[^>]*status=\"closed\"" <(ebid_as supervisor monitor show "$M")
refused_with "closed once" alert-closed ebid_as supervisor monitor close "$M" alert="$no" --reason "Again."
refused_with "an unknown alert" no-such-alert ebid_as supervisor monitor close "$M" alert=999 --reason "?"
check "the supervisor checks the clean tender again by hand: still nothing" ebid_as supervisor monitor check "$M" job="$C1"
check "still no alert on it" bash -c "! ebid_as supervisor monitor show $M | grep -q 'tender=\"$C1\"'"

# -- the supervisor's desk in the console ------------------------------------------------
check "the supervisor's console starts" console supervisor
SC=$CB
curl -s -b "$tmp/jar-supervisor" "$SC/m/$M?lang=en" >"$tmp/desk.html"
check "the monitor desk lists the alerts by their labels" grep -q 'Bidding period under the legal minimum' "$tmp/desk.html"
check "an open alert has its close form" grep -q 'name="c.reason"' "$tmp/desk.html"
# the Chinese desk words each alert from its figures (strings.xml
# alert-text:KIND); the English detail stays in title= and on ?lang=en
curl -s -b "$tmp/jar-supervisor" "$SC/m/$M" >"$tmp/desk-zh.html"
check "the Chinese desk: the short period in Chinese (少于规定的20日)" grep -qE '至投标截止仅[0-9]+日，少于规定的20日' "$tmp/desk-zh.html"
check "the Chinese desk: the moved deadline in Chinese (少于规定的15日)" grep -qE '招标文件修改距投标截止仅[0-9]+日，少于规定的15日' "$tmp/desk-zh.html"
check "the Chinese desk: the pair and the address in Chinese" grep -qF '来自同一地址127.0.9.9' "$tmp/desk-zh.html"
check "the Chinese desk: the expert and bidder3 in one /24 network" grep -qE '与投标人<span class="party">bidder3</span>（127\.0\.0\.7）位于同一/24网段' "$tmp/desk-zh.html"
check "the Chinese desk: the authorisation's end in Beijing time" grep -qE '其授权至.*北京时间.*到期，早于预计定标' "$tmp/desk-zh.html"
check "the Chinese desk shows no English detail as text (only in title=)" bash -c "! grep -q '>bidders bidder1 and bidder2\|>[0-9]* days from the announcement' '$tmp/desk-zh.html'"
check "the English desk keeps the English detail" grep -q 'bidders bidder1 and bidder2 from address 127.0.9.9' "$tmp/desk.html"
check "the closed one shows who closed it and why" grep -q 'supervisor: One consultancy filed both bids' "$tmp/desk.html"
sno=$(grep "kind=\"short-bidding-period\"" "$tmp/alerts.txt" | grep -o ' no="[0-9]*"' | cut -d'"' -f2)
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar-supervisor" -H "Origin: $SC" \
	--data-urlencode cmd=close-alert --data-urlencode "a.alert=$sno" \
	--data-urlencode "c.reason=The tender is not one that must be tendered by law." "$SC/m/$M/do")
check "the supervisor closes the short-period alert from the desk ($st)" test "$st" = 303
check "the server has it closed with that reason" \
	grep -q "<alert [^>]*no=\"$sno\"[^>]*status=\"closed\"" <(ebid_as supervisor monitor show "$M")
check "the desk shows it closed with the reason" grep -q 'must be tendered by law' <(curl -s -b "$tmp/jar-supervisor" "$SC/m/$M?lang=en")
check "a bidder's console starts" console bidder1
check "a bidder's monitor desk shows no alert" bash -c "! curl -s -b '$tmp/jar-bidder1' '$CB/m/$M?lang=en' | grep -q 'class=\"alert '"

# -- ebid-audit ------------------------------------------------------------------------
check "ebid-audit verifies the monitor from the database" "$AUDIT" verify --db "$DB" --monitor "$M" --ca "$C/ca.crt"
export EBID_CERT=$C/auditor.crt EBID_KEY=$C/auditor.key
check "exports the monitor" "$AUDIT" export --monitor "$M" -o "$tmp/m.log.xml"
check "exports C" "$AUDIT" export --tender "$C1" -o "$tmp/c.log.xml"
check "exports S" "$AUDIT" export --tender "$S" -o "$tmp/s.log.xml"
check "exports A" "$AUDIT" export --subject "$A" -o "$tmp/a.log.xml"
refused_with "the monitor's checks need the tenders' logs" 'whose log is not given' "$AUDIT" verify "$tmp/m.log.xml" --ca "$C/ca.crt"
check "with them the checks replay to the same alerts" "$AUDIT" verify "$tmp/m.log.xml" --ca "$C/ca.crt" \
	--subject-log "$tmp/c.log.xml" --subject-log "$tmp/s.log.xml" --subject-log "$tmp/a.log.xml"
"$AUDIT" replay "$tmp/m.log.xml" --ca "$C/ca.crt" --subject-log "$tmp/c.log.xml" \
	--subject-log "$tmp/s.log.xml" --subject-log "$tmp/a.log.xml" >"$tmp/m.replay.txt" 2>&1
check "ebid-audit replay shows each alert with its facts" \
	grep -q "alert-raised: no=$no kind=same-address tender=$S detail=" "$tmp/m.replay.txt"
check "who closed it, and why" \
	grep -q "alert-closed: no=$no by=supervisor reason: \"One consultancy filed both bids" "$tmp/m.replay.txt"
check "the observations with their addresses" \
	grep -q "observed: tender=T-[0-9-]* party=bidder[0-9] role=bidder address=127\.[0-9.]*$" "$tmp/m.replay.txt"
finish

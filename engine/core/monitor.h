/*
 * engine/core/monitor.h
 *    Process monitoring (交易过程监控, issue 22 point 4): the alerts the
 *    supervision office sees and the log keeps, as an aggregate.
 *
 * Owner: the registries engineer (docs/registries.md, "Process
 * monitoring").
 *
 * One monitor aggregate (kind "monitor", id "M-2026-0001"; commands carry
 * monitor="ID" on their root, open-monitor none: it creates one).
 *
 * Commands (decide) and their events (inside <events>, each with at = the
 * command's server instant):
 *    <open-monitor min-bidding-days="20" notice-days="15" subnet-bits="24"/>
 *        supervisor; the centre's rules (defaults as shown: 招标投标法
 *        Art. 24 and Art. 23; subnet-bits 8..32 the network an address
 *        shares) -> <monitor-opened min-bidding-days notice-days subnet-bits>
 *    <check-tender monitor= job=TENDER/>
 *        supervisor or system; cmd->facts is the tender's view as the
 *        system sees it at its head (ebidd attaches it, as for a rating:
 *        pool.h).  The rules on the tender's own facts:
 *          "short-bidding-period": calendar days (China Standard Time,
 *            UTC+8) from the announcement (the issue of the documents) to
 *            the bid deadline fewer than min-bidding-days;
 *          "deadline-moved-without-notice": an amendment of the documents
 *            less than notice-days (same days) before the deadline in
 *            force after it.
 *        -> <tender-checked tender tender-seq tender-hash alerts=n> and one
 *           <alert-raised no kind tender detail/> per breach not raised
 *           before for that tender.
 *    <observe monitor= job=TENDER party= role= address=/>
 *        system only: ebidd's record of the peer address of a command it
 *        accepted on the tender.  Rules on the observations:
 *          "same-address": two bidders of one tender from one address;
 *          "expert-on-bidder-network": an expert and a bidder of one
 *            tender within the same network (subnet-bits).
 *        -> <observed tender party role address> and <alert-raised/>s.
 *    <close-alert monitor= alert=N> <reason>text</reason> </close-alert>
 *        supervisor; an open alert -> <alert-closed no by> <reason/>
 *
 * View <monitor id min-bidding-days notice-days subnet-bits>: the
 * officers and auditors see <alert no kind tender detail status=
 * "open|closed" at> (closed ones with by, closed-at and <reason>) and
 * <observation/>s; other roles see the rules only.
 *
 * Pure: libc, protocol/doc.h, protocol/isotime.h.
 *
 * INTERFACE
 *    eb_monitor_flow           - the struct eb_flow_ops of the monitor
 *    eb_monitor_tender_alerts()- the rule breaches of a tender's view
 *    eb_monitor_same_network() - do two addresses share a network
 */
#ifndef EB_MONITOR_H
#define EB_MONITOR_H

#include <stdint.h>

#include "engine/core/flow.h"

extern const struct eb_flow_ops eb_monitor_flow;

/*
 * The breaches of the tender rules (above) in 'tender', a tender's view:
 * a new <alerts> with <alert kind tender detail/> (caller frees).
 */
struct eb_doc *eb_monitor_tender_alerts(const struct eb_doc *tender,
    int64_t min_days, int64_t notice_days);

/* 1 when dotted IPv4 addresses a and b share their first 'bits' bits,
 * or when both are the same text (IPv6 and others); else 0. */
int eb_monitor_same_network(const char *a, const char *b, int bits);

#endif

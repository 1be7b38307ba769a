/*
 * engine/server/monitoring.h
 *    ebidd's part of process monitoring (engine/core/monitor.h,
 *    docs/registries.md): after a party's command on a tender is
 *    committed, ebidd reports to the centre's monitor (ebidd.conf
 *    `monitor = M-2026-0001`; empty: none) what only it can observe, as
 *    its own signed commands in the monitor's log:
 *      - observe: the peer address of the TCP connection of an accepted
 *        command of a bidder or an expert on a tender (the address the
 *        TLS connection came from: a NAT or a proxy hides the machine
 *        behind it; a device id sent by a client would be forgeable, so
 *        none is used);
 *        with, for a bid naming a subject, the end of the signer's
 *        authorisation (from the subject's facts the bid was decided on)
 *        and the tender's opening time;
 *      - check-tender: after the announcement and after an amendment of
 *        the documents, the monitor checks the tender's own facts
 *        (bidding period, notice of a moved deadline).
 *    The monitor's core decides the alerts; a refused report (already
 *    observed, no such monitor) is logged and dropped: monitoring never
 *    stops a tender.
 *
 * Owner: the registries engineer.  Loop thread.
 *
 * INTERFACE
 *    eb_monitoring_committed()
 */
#ifndef EB_SERVER_MONITORING_H
#define EB_SERVER_MONITORING_H

#include "protocol/actor.h"

struct eb_server;

struct eb_doc;
struct eb_flow_entry;

/*
 * Command 'name' of 'actor' on aggregate 'id' (its flow and state, as
 * committed) was committed; 'addr' is the peer address of its connection
 * (NULL: ebidd's own); 'facts' the subject's view it was decided on, or
 * NULL.  A bid for a subject is observed with the representative's
 * authorisation end and the tender's opening time.
 */
void eb_monitoring_committed(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state, const char *id,
    const char *name, const struct eb_actor *actor, const char *addr,
    const struct eb_doc *facts);

#endif

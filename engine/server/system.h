/*
 * engine/server/system.h
 *    ebidd's own part in the flows: the commands it issues itself, signed
 *    with the server's key (timers: deadline-reached, listing-closed,
 *    countdown-expired, publicity-ended...; the opening key when bidding
 *    opens; the opening of the bids once the custodians' shares are in),
 *    the receipts it stamps, and the reads it serves (views, duties, the
 *    exported log).
 *
 * The core says what is due and when (eb_flow_ops.next_timer); this
 * module arms one timer per aggregate and, when the clock reaches it,
 * builds the command, signs it and submits it through the same pipeline
 * as every party's command (commands.h), so it is decided
 * by the same rules and chained in the same log.  With the driven test
 * clock, timers fire when a test moves the clock (eb_system_clock_moved).
 *
 * Owns: struct eb_system (srv->sys; eb_system_free()).
 *
 * INTERFACE
 *    eb_system_init(), eb_system_free()
 *    eb_system_committed()     - observer of each commit (notify.h): react,
 *                                re-arm
 *    eb_system_clock_moved()   - driven clock: fire what is now due
 *    eb_system_read()          - the view / duties of an aggregate
 */
#ifndef EB_SERVER_SYSTEM_H
#define EB_SERVER_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "engine/server/commands.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;

int eb_system_init(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_system_free(struct eb_server *srv);

/* The observer of "committed" (notify.h): take the steps, re-arm. */
void eb_system_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);
void eb_system_clock_moved(struct eb_server *srv);


/* A new tree, or NULL when the aggregate has no such read. */
struct eb_doc *eb_system_read(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state,
    const struct eb_actor *viewer, enum eb_job_kind what);

#endif

/*
 * engine/server/notify.h
 *    One fan-out for "a command was committed": after each durable append
 *    (and when an aggregate is reloaded to be looked at again: start-up
 *    recovery, the opening's poke) commands.c calls eb_notify_committed()
 *    once, and every registered observer hears it in the order it
 *    subscribed (main.c: the live watches, then ebidd's own steps and
 *    timers).  As Redis's notify.c is the one place keyspace events fan
 *    out: commands.c knows no observer, no observer knows commands.c's
 *    internals.
 *
 * Owns: struct eb_notify (srv->notify; eb_notify_free()).  Loop thread.
 */
#ifndef EB_SERVER_NOTIFY_H
#define EB_SERVER_NOTIFY_H

#include "engine/core/flows.h"
#include "protocol/err.h"

struct eb_server;

/* 'state' is the aggregate's state now (borrowed for the call). */
typedef void (*eb_committed_fn)(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);

int eb_notify_subscribe(struct eb_server *srv, eb_committed_fn fn)
    EB_MUSTCHECK;
void eb_notify_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);
void eb_notify_free(struct eb_server *srv);

#endif

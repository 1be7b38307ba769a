/*
 * engine/server/watch.h
 *    Following a sale live: GET /v1/sales/ID/watch?after=SEQ, a long poll
 *    woken by LISTEN/NOTIFY so it works with several ebidd processes on one
 *    database.  See watch.c.
 */
#ifndef EB_SERVER_WATCH_H
#define EB_SERVER_WATCH_H

#include <stddef.h>

#include "protocol/err.h"

struct eb_flow_entry;
struct eb_server;
struct eb_req;

int eb_watch_init(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
/*
 * At SIGTERM: answer every parked watcher now, close the LISTEN
 * connection, refuse new watches.  A waiter whose query is in flight is
 * freed by that query's callback, so eb_watch_free() comes after
 * eb_store_free().
 */
void eb_watch_stop(struct eb_server *srv);
/*
 * Queries in flight whose watcher was already answered by
 * eb_watch_stop(): the shutdown does not wait for them.
 */
size_t eb_watch_detached(const struct eb_server *srv);
/* Free everything (after eb_store_free()). */
void eb_watch_free(struct eb_server *srv);
void eb_handle_watch(struct eb_req *r, const char *sale,
    const char *query_str);
void eb_watch_appended(struct eb_server *srv, const char *id);
/* The observer of "committed" (notify.h): eb_watch_appended(). */
void eb_watch_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state);

#endif

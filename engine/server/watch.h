/*
 * engine/server/watch.h
 *    Following a sale live: GET /v1/sales/ID/watch?after=SEQ, a long poll
 *    woken by LISTEN/NOTIFY so it works with several ebidd processes on one
 *    database.  See watch.c.
 */
#ifndef EB_SERVER_WATCH_H
#define EB_SERVER_WATCH_H

#include "protocol/err.h"

struct eb_server;
struct eb_req;

int eb_watch_init(struct eb_server *srv, struct eb_error *err) EB_MUSTCHECK;
/* Answer every parked watcher and close the LISTEN connection. */
void eb_watch_free(struct eb_server *srv);
void eb_handle_watch(struct eb_req *r, const char *sale,
    const char *query_str);
void eb_watch_appended(struct eb_server *srv, const char *id);

#endif

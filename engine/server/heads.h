/*
 * engine/server/heads.h
 *    Signed chain heads outside an append: every head_every_seconds ebidd
 *    signs the head of each aggregate whose last entry has none yet (at
 *    most HEADS_PER_ROUND a round), so a cut of a log's tail is never
 *    more than that far from a head the server vouched for; and
 *    GET /v1/heads/ID answers the heads signed for an aggregate (the
 *    public board; hashes only, never content).  Heads signed at an
 *    append are commands.c's.
 *
 * Owns: struct eb_heads (srv->heads; eb_heads_free()).  Loop thread.
 *
 * INTERFACE
 *    eb_heads_init(), eb_heads_free()
 *    eb_handle_heads()  - GET /v1/heads/ID
 */
#ifndef EB_SERVER_HEADS_H
#define EB_SERVER_HEADS_H

#include "protocol/err.h"

struct eb_server;
struct eb_req;

/* Arm the timer (start-up: a failure is fatal). */
int eb_heads_init(struct eb_server *srv, struct eb_error *err)
    EB_MUSTCHECK;
void eb_heads_free(struct eb_server *srv);
/* GET /v1/heads/ID: the signed chain heads (public board). */
void eb_handle_heads(struct eb_req *r, const char *id);

#endif

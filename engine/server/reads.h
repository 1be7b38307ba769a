/*
 * engine/server/reads.h
 *    Reads and pokes: the short path for what changes nothing.  A read
 *    (GET of a view or of the duties, or the board's view without a
 *    request) and a poke (reload an aggregate and tell the observers of
 *    "committed", notify.h: start-up recovery, the opening) take their
 *    turn on the aggregate (aggs.h) like a command, always fold the log
 *    first (so they see what other ebidd processes appended), then show
 *    the core's view (or, for tenders, the viewer's rights and duties) or
 *    notify.  No signature, no decision, no append.  A party's view of a
 *    pool (not an officer's or an expert's) first reads the views of the
 *    agency subjects the pool rates, so the core judges at the server's
 *    clock whether the party represents an agency now (pool.h
 *    eb_pool_view_at).
 *
 * Owns: struct eb_reads (srv->reads: the count in flight;
 * eb_reads_free()) and each read until it ends.  Loop thread.
 *
 * INTERFACE
 *    eb_reads_init(), eb_reads_free(), eb_reads_busy()
 *    eb_handle_read()  - GET /v1/{tenders,sales,pools}/ID[/duties]
 *    eb_reads_submit() - a view without a request (the board)
 *    eb_reads_poke()   - reload an aggregate and notify
 *    eb_reads_view()   - what a read shows of a state
 */
#ifndef EB_SERVER_READS_H
#define EB_SERVER_READS_H

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/err.h"

struct eb_server;
struct eb_req;

/* EB_READ_FACTS: the view plus head-seq and head-hash, for the facts a
 * tender or sale command naming a subject is decided on (subject.h). */
enum eb_read_what { EB_READ_VIEW, EB_READ_DUTIES, EB_READ_FACTS };

/* The end of a read without a request: the tree (borrowed) on EB_OK. */
typedef void (*eb_read_done_fn)(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *doc);

int eb_reads_init(struct eb_server *srv) EB_MUSTCHECK;
void eb_reads_free(struct eb_server *srv);
/* Reads and pokes in progress or queued. */
unsigned eb_reads_busy(const struct eb_server *srv);
void eb_handle_read(struct eb_req *r, const char *kind, const char *id,
    enum eb_read_what what);
/*
 * The view (or duties) of aggregate 'id' of 'kind' as 'viewer' sees it,
 * without a request: 'done' gets the tree (borrowed) or the error, on the
 * loop thread.  EB_OK when queued ('done' is then called exactly once).
 */
int eb_reads_submit(struct eb_server *srv, const char *kind,
    const char *id, const struct eb_actor *viewer, enum eb_read_what what,
    eb_read_done_fn done, void *arg) EB_MUSTCHECK;
/* Load aggregate 'id' and notify the observers (notify.h) with its state. */
void eb_reads_poke(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow);
/* A new tree, or NULL when the aggregate has no such read. */
struct eb_doc *eb_reads_view(const struct eb_flow_entry *flow,
    const void *state, const struct eb_actor *viewer,
    enum eb_read_what what);

#endif

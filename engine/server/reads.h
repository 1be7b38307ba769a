/*
 * engine/server/reads.h
 *    What a read shows of an aggregate's state: the view the core gives
 *    the viewer, or ('duties' 1, tenders only) the viewer's rights and
 *    duties.
 *
 * INTERFACE
 *    eb_reads_view()
 */
#ifndef EB_SERVER_READS_H
#define EB_SERVER_READS_H

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"

struct eb_server;

/* A new tree, or NULL when the aggregate has no such read. */
struct eb_doc *eb_reads_view(struct eb_server *srv,
    const struct eb_flow_entry *flow, const void *state,
    const struct eb_actor *viewer, int duties);

#endif

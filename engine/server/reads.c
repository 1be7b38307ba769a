/*
 * engine/server/reads.c
 *    What a read shows: see reads.h.
 */
#include <string.h>

#include "engine/core/tender.h"
#include "engine/server/reads.h"

struct eb_doc *
eb_reads_view(struct eb_server *srv, const struct eb_flow_entry *flow,
    const void *state, const struct eb_actor *viewer, int duties)
{
	(void)srv;
	if (!duties)
		return flow->ops->view(state, viewer);
	if (strcmp(flow->kind, "tender") == 0)
		return eb_tender_duties(state, viewer);
	return NULL;
}


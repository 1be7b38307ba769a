/*
 * engine/server/flows.c
 *    The table of aggregate kinds (flows.h).  To serve a kind, add a row
 *    and link its library in engine/server/server.cmake, e.g.
 *
 *        #include "engine/core/tender.h"
 *        { .kind = "tender", .attr = "tender", .ops = &eb_tender_flow },
 *        { .kind = "sale",   .attr = "sale",   .ops = &eb_sale_flow },
 *        { .kind = "pool",   .attr = "pool",   .ops = &eb_pool_flow },
 *
 * The kind is also the aggregates.kind value (schema/0001_log.sql CHECK)
 * and selects the id sequence (eb_next_id: T-, S-, P-).  A command name
 * must be handled by at most one kind; the first row that handles it wins.
 * With no row, every command is answered 404 "unknown-command".
 *
 * INTERFACE: see flows.h.
 */
#include <stddef.h>
#include <string.h>

#include "engine/server/flows.h"

static const struct eb_flow_entry flows[] = {
	{ .kind = NULL, .attr = NULL, .ops = NULL }   /* end */
};

const struct eb_flow_entry *
eb_server_flow_for_command(const char *name)
{
	for (const struct eb_flow_entry *f = flows; f->ops != NULL; f++)
		if (f->ops->handles(name))
			return f;
	return NULL;
}

const struct eb_flow_entry *
eb_server_flow_for_kind(const char *kind)
{
	for (const struct eb_flow_entry *f = flows; f->ops != NULL; f++)
		if (strcmp(f->kind, kind) == 0)
			return f;
	return NULL;
}

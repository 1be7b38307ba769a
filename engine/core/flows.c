/*
 * engine/core/flows.c
 *    The registry of aggregate kinds: see flows.h.
 */
#include "flows.h"

#include <string.h>

#include "engine/core/monitor.h"
#include "engine/core/pool.h"
#include "engine/core/sale.h"
#include "engine/core/subject.h"
#include "engine/core/tender.h"

static const struct eb_flow_entry flows[] = {
	{ .kind = "tender", .attr = "tender", .ops = &eb_tender_flow },
	{ .kind = "sale", .attr = "sale", .ops = &eb_sale_flow },
	{ .kind = "pool", .attr = "pool", .ops = &eb_pool_flow },
	{ .kind = "subject", .attr = "subject", .ops = &eb_subject_flow },
	{ .kind = "monitor", .attr = "monitor", .ops = &eb_monitor_flow },
};

#define NFLOWS (sizeof(flows) / sizeof(flows[0]))

const struct eb_flow_entry *
eb_flow_for_command(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NFLOWS; i++)
		if (flows[i].ops->handles(name))
			return &flows[i];
	return NULL;
}

const struct eb_flow_entry *
eb_flow_for_kind(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < NFLOWS; i++)
		if (strcmp(flows[i].kind, kind) == 0)
			return &flows[i];
	return NULL;
}

const struct eb_flow_entry *
eb_flow_at(size_t i)
{
	return i < NFLOWS ? &flows[i] : NULL;
}

/*
 * engine/server/notify.c
 *    The "committed" fan-out: see notify.h.
 */
#include <stdlib.h>

#include "engine/server/notify.h"
#include "engine/server/server.h"
#include "protocol/mem.h"

#define OBSERVERS_MAX 8

struct eb_notify {
	eb_committed_fn fn[OBSERVERS_MAX];
	size_t n;
};

int
eb_notify_subscribe(struct eb_server *srv, eb_committed_fn fn)
{
	if (srv->notify == NULL)
		srv->notify = eb_calloc(1, sizeof(*srv->notify));
	if (srv->notify->n == OBSERVERS_MAX)
		return EB_ERR_LIMIT;
	srv->notify->fn[srv->notify->n++] = fn;
	return EB_OK;
}

void
eb_notify_committed(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow, void *state)
{
	if (srv->notify == NULL)
		return;
	for (size_t i = 0; i < srv->notify->n; i++)
		srv->notify->fn[i](srv, id, flow, state);
}

void
eb_notify_free(struct eb_server *srv)
{
	free(srv->notify);
	srv->notify = NULL;
}

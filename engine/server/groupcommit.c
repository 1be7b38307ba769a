/*
 * engine/server/groupcommit.c
 *    Group commit: the ready queue, the batches in flight (see
 *    groupcommit.h).
 *
 * Submitting an item only queues it and activates ev_send; the batch is
 * formed when that event runs, after the loop's current callbacks, so
 * every command decided in one pass of the loop leaves in one batch.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "engine/server/aggs.h"
#include "engine/server/clock.h"
#include "engine/server/groupcommit.h"
#include "engine/server/log.h"
#include "engine/server/metrics.h"
#include "engine/server/server.h"

TAILQ_HEAD(gc_queue, eb_gc_item);

struct batch {
	LIST_ENTRY(batch) link;
	struct eb_gc *g;                      /* NULL once the gc is freed */
	size_t n;
	int tries;                            /* runs again after 40P01/40001 */
	struct eb_gc_item *items[EB_GC_BATCH_MAX];
	const struct eb_store_entry *entries[EB_GC_BATCH_MAX];
};

struct eb_gc {
	struct eb_server *srv;
	int max_inflight, inflight;
	struct gc_queue ready;
	LIST_HEAD(batch_list, batch) flying;
	struct event *ev_send;
	eb_gc_agg_done_fn agg_done;
};

static void gc_send(struct eb_gc *g);

static int
item_cmp(const void *pa, const void *pb)
{
	const struct eb_gc_item *a = *(struct eb_gc_item *const *)pa;
	const struct eb_gc_item *b = *(struct eb_gc_item *const *)pb;
	int c = strcmp(a->entry.aggregate, b->entry.aggregate);

	if (c != 0)
		return c;
	return a->entry.seq < b->entry.seq ? -1 : a->entry.seq > b->entry.seq;
}

static size_t
item_bytes(const struct eb_gc_item *it)
{
	return it->entry.command_len + it->entry.events_len +
	    it->entry.receipt_len + it->entry.head_sig_len + 256;
}

static void
batch_done(int rc, const struct eb_error *e, const char *status, size_t n,
    void *arg)
{
	struct batch *b = arg;
	struct eb_gc *g = b->g;
	struct eb_agg *aggs[EB_GC_BATCH_MAX];
	size_t na = 0;
	int64_t now = eb_clock_mono_us();
	struct eb_error le;

	LIST_REMOVE(b, link);
	if (g == NULL) {              /* shutting down: nobody waits */
		free(b);
		return;
	}
	if (rc != EB_OK && e != NULL && strcmp(e->reason, "database-retry") ==
	    0 && b->tries < EB_GC_RETRIES) {
		/* undone whole for a concurrent transaction (a deadlock on a
		 * unique key taken in another order, e.g. two ebidd's new
		 * subjects' credit codes): nothing of it is in the log, so the
		 * same entries run again; a head another one moved meanwhile
		 * answers 'm' per entry as usual */
		b->tries++;
		eb_log(EB_LOG_INFO, "group commit: batch of %zu undone by the "
		    "database (%s), running it again (%d of %d)", b->n,
		    e->detail, b->tries, EB_GC_RETRIES);
		LIST_INSERT_HEAD(&g->flying, b, link);
		if (eb_store_append_batch(g->srv->store, b->entries, b->n,
		    batch_done, b) == EB_OK)
			return;
		LIST_REMOVE(b, link);
	}
	g->inflight--;
	if (rc == EB_OK && n != b->n) {
		rc = eb_fail(&le, EB_ERR_DB, "database-error", NULL,
		    "the batch append answered for %zu entries of %zu", n,
		    b->n);
		e = &le;
	}
	eb_metrics_batch(g->srv->metrics, b->n);
	/* the aggregates, once each (the batch is sorted by aggregate) */
	for (size_t i = 0; i < b->n; i++) {
		struct eb_agg *a = b->items[i]->agg;

		if (na == 0 || aggs[na - 1] != a)
			aggs[na++] = a;
		a->committing = 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct eb_gc_item *it = b->items[i];
		char st = rc == EB_OK ? status[i] : EB_GC_FAILED;

		eb_metrics_appended(g->srv->metrics, st == EB_APPENDED ? EB_OK :
		    st == EB_GC_FAILED ? EB_ERR_DB : EB_ERR_CONFLICT,
		    now - it->t0_us);
		it->done(it, st, rc == EB_OK ? NULL : e);   /* may free it */
	}
	for (size_t i = 0; i < na; i++)
		g->agg_done(g->srv, aggs[i]);
	free(b);
	if (!TAILQ_EMPTY(&g->ready))
		event_active(g->ev_send, EV_TIMEOUT, 0);
}

/* One batch from the ready queue: NULL when nothing may leave now. */
static struct batch *
batch_form(struct eb_gc *g)
{
	struct batch *b = NULL;
	struct eb_gc_item *it, *next;
	size_t bytes = 0;

	for (it = TAILQ_FIRST(&g->ready); it != NULL; it = next) {
		struct eb_agg *a = it->agg;

		next = TAILQ_NEXT(it, link);
		if (a->committing && a->gc_batch != b)
			continue;     /* its aggregate's batch is in flight */
		if (b == NULL) {
			if ((b = calloc(1, sizeof(*b))) == NULL)
				return NULL;
			b->g = g;
		} else if (b->n == EB_GC_BATCH_MAX ||
		    bytes + item_bytes(it) > EB_GC_BYTES) {
			break;
		}
		TAILQ_REMOVE(&g->ready, it, link);
		it->queued = 0;
		a->committing = 1;
		a->gc_batch = b;
		bytes += item_bytes(it);
		b->items[b->n++] = it;
	}
	if (b == NULL)
		return NULL;
	qsort(b->items, b->n, sizeof(b->items[0]), item_cmp);
	for (size_t i = 0; i < b->n; i++)
		b->entries[i] = &b->items[i]->entry;
	return b;
}

static void
gc_send(struct eb_gc *g)
{
	struct batch *b;

	while (g->inflight < g->max_inflight && (b = batch_form(g)) != NULL) {
		int rc;

		g->inflight++;
		LIST_INSERT_HEAD(&g->flying, b, link);
		rc = eb_store_append_batch(g->srv->store, b->entries, b->n,
		    batch_done, b);
		if (rc != EB_OK) {
			struct eb_error e;

			eb_error_clear(&e);
			eb_fail(&e, EB_ERR_DB, "database-unavailable",
			    "Try again in a moment.", "cannot queue the append");
			batch_done(rc, &e, NULL, 0, b);
		}
	}
}

static void
send_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gc_send(arg);
}

void
eb_gc_submit(struct eb_gc *g, struct eb_gc_item *it)
{
	it->t0_us = eb_clock_mono_us();
	it->queued = 1;
	TAILQ_INSERT_TAIL(&g->ready, it, link);
	event_active(g->ev_send, EV_TIMEOUT, 0);
}

void
eb_gc_cancel(struct eb_gc *g, struct eb_gc_item *it)
{
	if (!it->queued)
		return;
	TAILQ_REMOVE(&g->ready, it, link);
	it->queued = 0;
}

struct eb_gc *
eb_gc_new(struct eb_server *srv, int max_inflight, eb_gc_agg_done_fn agg_done)
{
	struct eb_gc *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->srv = srv;
	g->max_inflight = max_inflight < 1 ? 1 : max_inflight;
	g->agg_done = agg_done;
	TAILQ_INIT(&g->ready);
	LIST_INIT(&g->flying);
	if ((g->ev_send = event_new(srv->base, -1, 0, send_cb, g)) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

void
eb_gc_free(struct eb_gc *g)
{
	struct batch *b;

	if (g == NULL)
		return;
	for (b = LIST_FIRST(&g->flying); b != NULL; b = LIST_NEXT(b, link))
		b->g = NULL;
	event_free(g->ev_send);
	free(g);
}

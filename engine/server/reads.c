/*
 * engine/server/reads.c
 *    Reads and pokes: see reads.h.
 *
 * Ownership: a struct read owns nothing but itself; it borrows the
 * request (answered exactly once) and lives from its submission to its
 * end on the loop thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/pool.h"
#include "engine/core/registers.h"
#include "engine/core/tender.h"
#include "engine/server/aggs.h"
#include "engine/server/notify.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "protocol/mem.h"

struct eb_reads {
	unsigned busy;
};

struct read {
	struct eb_agg_task task;          /* its turn on the aggregate */
	struct eb_server *srv;
	struct eb_req *r;                 /* NULL: 'done', or a poke */
	struct eb_actor actor;            /* the viewer */
	enum eb_read_what what;
	eb_read_done_fn done;
	void *arg;
	/* a pool's view for a party (not an officer or expert): the views
	 * of the agency subjects, read before the view is made */
	struct eb_doc *subjects;
	unsigned pending;
};

struct eb_doc *
eb_reads_view(const struct eb_flow_entry *flow, const void *state,
    const struct eb_actor *viewer, enum eb_read_what what)
{
	if (what == EB_READ_VIEW || what == EB_READ_FACTS)
		return flow->ops->view(state, viewer);
	if (strcmp(flow->kind, "tender") == 0)
		return eb_tender_duties(state, viewer);
	return NULL;
}

static void
read_end(struct read *rd)
{
	eb_doc_free(rd->subjects);
	rd->srv->reads->busy--;
	eb_aggs_done(rd->srv->aggs, &rd->task);
	free(rd);
}

static void
read_fail(struct read *rd, const struct eb_error *e)
{
	if (rd->r != NULL)
		eb_reply_error(rd->r, e);
	else if (rd->done != NULL)
		rd->done(rd->arg, e->code ? e->code : EB_ERR_INTERNAL, e, NULL);
	read_end(rd);
}

/* Queue 'rd' on its aggregate, 'run' on its turn; fails it if it cannot. */
static void
read_enqueue(struct read *rd, const char *id,
    const struct eb_flow_entry *flow, void (*run)(struct eb_agg_task *))
{
	struct eb_error e;

	rd->srv->reads->busy++;
	rd->task.run = run;
	eb_error_clear(&e);
	if (eb_aggs_enqueue(rd->srv->aggs, id, flow, &rd->task, &e) != EB_OK)
		read_fail(rd, &e);
}

/* -- a read ------------------------------------------------------------- */

static void read_show(struct read *rd);

/* One agency subject's view read for a pool's view (read_loaded): kept
 * in rd->subjects; a subject that cannot be read is left out (its
 * representatives see nothing of it).  The last one shows the view. */
static void
subject_read(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	struct read *rd = arg;

	(void)e;
	if (rc == EB_OK && view != NULL)
		eb_doc_append(rd->subjects, eb_doc_clone(view));
	if (--rd->pending == 0)
		read_show(rd);
}

static void
read_loaded(struct eb_agg_task *t, int rc, const struct eb_error *err,
    int folded)
{
	struct read *rd = (struct read *)(void *)t;
	struct eb_agg *a = t->agg;

	(void)folded;
	if (rc != EB_OK) {
		read_fail(rd, err);
		return;
	}
	/* a party's view of a pool: its agency's ratings if it represents
	 * the agency now, judged on the subjects' views at their heads and
	 * the server's clock (pool.h eb_pool_view_at); the pool's turn is
	 * held meanwhile, the subjects are read on their own turns */
	if (strcmp(a->flow->kind, "pool") == 0 && rd->what == EB_READ_VIEW &&
	    !eb_registers_officer(&rd->actor) &&
	    rd->actor.role != EB_ROLE_EXPERT) {
		size_t n = eb_pool_agencies(a->state, NULL, 0), i;
		const char **ids = eb_calloc(n + 1, sizeof(*ids));

		n = eb_pool_agencies(a->state, ids, n);
		rd->subjects = eb_doc_new("subjects");
		if (n > 0) {
			rd->pending = 1;        /* until every read is queued */
			for (i = 0; i < n; i++) {
				rd->pending++;
				if (eb_reads_submit(rd->srv, "subject", ids[i],
				    &rd->srv->actor, EB_READ_FACTS,
				    subject_read, rd) != EB_OK)
					rd->pending--;
			}
			free(ids);
			if (--rd->pending > 0)
				return;
		} else
			free(ids);
	}
	read_show(rd);
}

static void
read_show(struct read *rd)
{
	struct eb_agg *a = rd->task.agg;
	struct eb_doc *v;
	struct eb_error e;

	if (rd->subjects != NULL)
		v = eb_pool_view_at(a->state, &rd->actor, rd->subjects,
		    eb_clock_now(&rd->srv->clock));
	else
		v = eb_reads_view(a->flow, a->state, &rd->actor, rd->what);
	if (v == NULL) {
		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_NOTFOUND, "nothing-to-show",
		    "Ask for the view of a tender, a sale or a pool.",
		    "this aggregate has no such view");
		read_fail(rd, &e);
		return;
	}
	if (rd->what == EB_READ_FACTS) {
		char hex[EB_SHA256_HEX];

		eb_hex32(a->hash, hex);
		eb_doc_set_attr_i64(v, "head-seq", a->seq);
		eb_doc_set_attr(v, "head-hash", hex);
	}
	if (rd->r != NULL)
		eb_reply_doc(rd->r, 200, v);
	else if (rd->done != NULL)        /* eb_reads_submit() */
		rd->done(rd->arg, EB_OK, NULL, v);
	eb_doc_free(v);
	read_end(rd);
}

static void
read_run(struct eb_agg_task *t)
{
	eb_aggs_load(((struct read *)(void *)t)->srv->aggs, t, read_loaded);
}

void
eb_handle_read(struct eb_req *r, const char *kind, const char *id,
    enum eb_read_what what)
{
	const struct eb_flow_entry *flow = eb_flow_for_kind(kind);
	struct read *rd = NULL;
	struct eb_error e;

	eb_error_clear(&e);
	if (flow == NULL || strlen(id) == 0 || strlen(id) >= EB_ID_MAX) {
		eb_fail(&e, EB_ERR_NOTFOUND, "unknown-aggregate",
		    "Check the id: it is given in the reply that created it.",
		    "no such %s: %s", kind, id);
		eb_reply_error(r, &e);
		return;
	}
	rd = eb_calloc(1, sizeof(*rd));
	rd->srv = r->srv;
	rd->r = r;
	rd->what = what;
	rd->actor = r->actor;
	read_enqueue(rd, id, flow, read_run);
}

int
eb_reads_submit(struct eb_server *srv, const char *kind, const char *id,
    const struct eb_actor *viewer, enum eb_read_what what,
    eb_read_done_fn done, void *arg)
{
	const struct eb_flow_entry *flow;
	struct read *rd;

	if (strlen(id) == 0 || strlen(id) >= EB_ID_MAX ||
	    (what != EB_READ_VIEW && what != EB_READ_DUTIES &&
	    what != EB_READ_FACTS))
		return EB_ERR_NOTFOUND;
	if ((flow = eb_flow_for_kind(kind)) == NULL)
		return EB_ERR_NOTFOUND;
	rd = eb_calloc(1, sizeof(*rd));
	rd->srv = srv;
	rd->what = what;
	rd->actor = *viewer;
	rd->done = done;
	rd->arg = arg;
	read_enqueue(rd, id, flow, read_run);
	return EB_OK;
}

/* -- a poke ------------------------------------------------------------- */

static void
poke_loaded(struct eb_agg_task *t, int rc, const struct eb_error *err,
    int folded)
{
	struct read *rd = (struct read *)(void *)t;

	(void)folded;
	if (rc != EB_OK) {
		read_fail(rd, err);
		return;
	}
	eb_notify_committed(rd->srv, t->agg->id, t->agg->flow, t->agg->state);
	read_end(rd);
}

static void
poke_run(struct eb_agg_task *t)
{
	eb_aggs_load(((struct read *)(void *)t)->srv->aggs, t, poke_loaded);
}

void
eb_reads_poke(struct eb_server *srv, const char *id,
    const struct eb_flow_entry *flow)
{
	struct read *rd = eb_calloc(1, sizeof(*rd));

	rd->srv = srv;
	rd->actor = srv->actor;
	read_enqueue(rd, id, flow, poke_run);
}

/* -- lifetime ----------------------------------------------------------- */

int
eb_reads_init(struct eb_server *srv)
{
	srv->reads = eb_calloc(1, sizeof(*srv->reads));
	return EB_OK;
}

void
eb_reads_free(struct eb_server *srv)
{
	free(srv->reads);
	srv->reads = NULL;
}

unsigned
eb_reads_busy(const struct eb_server *srv)
{
	return srv->reads != NULL ? srv->reads->busy : 0;
}

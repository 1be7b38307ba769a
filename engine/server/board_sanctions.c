/*
 * engine/server/board_sanctions.c
 *    The public board's list of sanctions in force: see board_sanctions.h.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "engine/server/board_sanctions.h"
#include "engine/server/clock.h"
#include "engine/server/reads.h"
#include "engine/server/server.h"
#include "engine/store/store.h"
#include "protocol/doc.h"
#include "protocol/isotime.h"
#include "protocol/mem.h"

/* At most this many subjects on the list (the newest findings first). */
#define SANCTIONS_MAX "500"

struct gather {
	struct eb_server *srv;
	eb_board_sanctions_fn done;
	void *arg;
	struct eb_doc *list;
	int64_t now;
	int pending;
};

struct one {
	struct gather *g;
	struct eb_doc *slot;              /* its place in the list */
};

static const struct eb_actor public_actor;    /* EB_ROLE_NONE, no party */

static void
release(struct gather *g)
{
	struct eb_doc *list, *x, *nx;

	if (--g->pending > 0)
		return;
	list = g->list;
	/* subjects with nothing in force leave no empty slot */
	for (x = list->first; x != NULL; x = nx) {
		nx = x->next;
		if (x->first == NULL) {
			eb_doc_detach(x);
			eb_doc_free(x);
		}
	}
	g->done(g->arg, list);
	free(g);
}

static int
in_force(const struct eb_doc *f, int64_t now)
{
	const char *st = eb_doc_attr(f, "status");
	const char *a = eb_doc_attr(f, "from"), *b = eb_doc_attr(f, "to");
	int64_t from, to;

	return st != NULL && strcmp(st, "in-force") == 0 && a != NULL &&
	    b != NULL && eb_isotime_parse(a, &from) == 0 &&
	    eb_isotime_parse(b, &to) == 0 && from <= now && now <= to;
}

static void
viewed(void *arg, int rc, const struct eb_error *e,
    const struct eb_doc *view)
{
	static const char *const keys[] = {
		"no", "kind", "sanction", "from", "to"
	};
	struct one *o = arg;
	struct gather *g = o->g;
	const struct eb_doc *f, *x;
	struct eb_doc *s = o->slot, *y, *z;

	(void)e;
	if (rc == EB_OK && view != NULL &&
	    eb_doc_attr(view, "code") != NULL) {
		eb_doc_set_attr(s, "subject", eb_doc_attr(view, "id"));
		eb_doc_set_attr(s, "name", eb_doc_attr(view, "name"));
		eb_doc_set_attr(s, "code", eb_doc_attr(view, "code"));
		eb_doc_foreach(f, view, "finding") {
			if (!in_force(f, g->now))
				continue;
			y = eb_doc_add(s, "finding");
			for (size_t i = 0; i < sizeof(keys) / sizeof(*keys);
			    i++)
				eb_doc_set_attr(y, keys[i],
				    eb_doc_attr(f, keys[i]));
			eb_doc_foreach(x, f, "evidence") {
				z = eb_doc_add(y, "evidence");
				eb_doc_set_attr(z, "aggregate",
				    eb_doc_attr(x, "aggregate"));
				eb_doc_set_attr(z, "seq", eb_doc_attr(x, "seq"));
			}
		}
	}
	free(o);
	release(g);
}

static void
listed(int rc, const struct eb_error *err, const struct pg_result *res,
    void *arg)
{
	const PGresult *r = (const PGresult *)res;
	struct gather *g = arg;
	int i;

	(void)err;
	if (rc != EB_OK) {
		eb_doc_free(g->list);
		g->done(g->arg, NULL);
		free(g);
		return;
	}
	g->pending = 1;                   /* held until every read is queued */
	for (i = 0; i < PQntuples(r); i++) {
		struct one *o = eb_calloc(1, sizeof(*o));

		o->g = g;
		o->slot = eb_doc_add(g->list, "subject");
		g->pending++;
		if (eb_reads_submit(g->srv, "subject", PQgetvalue(r, i, 0),
		    &public_actor, EB_READ_VIEW, viewed, o) != EB_OK) {
			g->pending--;
			free(o);
		}
	}
	release(g);
}

void
eb_board_sanctions(struct eb_server *srv, eb_board_sanctions_fn done,
    void *arg)
{
	struct gather *g = eb_calloc(1, sizeof(*g));
	char iso[EB_ISOTIME_LEN];

	g->srv = srv;
	g->done = done;
	g->arg = arg;
	g->now = eb_clock_now(&srv->clock);
	g->list = eb_doc_new("sanctions");
	eb_isotime_format(g->now, iso);
	eb_doc_set_attr(g->list, "now", iso);
	/* the subjects whose log records a finding, the latest first */
	if (eb_store_select_text(srv->store,
	    "SELECT l.aggregate FROM log l JOIN aggregates a"
	    " ON a.id = l.aggregate WHERE a.kind = 'subject'"
	    " AND position('<finding-recorded ' IN"
	    " convert_from(l.events, 'UTF8')) > 0"
	    " GROUP BY l.aggregate ORDER BY max(l.time_ms) DESC, l.aggregate"
	    " LIMIT " SANCTIONS_MAX, 0, NULL, listed, g) != EB_OK) {
		eb_doc_free(g->list);
		free(g);
		done(arg, NULL);
	}
}

/*
 * engine/server/aggs.c
 *    The aggregate cache and the per-aggregate queue: see aggs.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server/aggs.h"
#include "engine/server/log.h"
#include "engine/server/server.h"
#include "protocol/mem.h"
#include "protocol/xml.h"

/* Buckets of the cache (idmap.h). */
#define AGG_BUCKETS 1024
/* Slots of the floor hints (direct-mapped by the id's hash; aggs.h). */
#define AGG_HINTS 1024

struct agg_hint {
	char id[EB_ID_MAX];               /* "" empty */
	struct eb_sale_hint h;
};

struct eb_aggs {
	struct eb_server *srv;
	struct eb_idmap map;              /* struct eb_agg by id */
	TAILQ_HEAD(eb_agg_lru, eb_agg) lru;        /* the idle ones, oldest first */
	size_t nidle;
	size_t bytes;                     /* sum of every agg's estimate */
	uint64_t evicted;
	pthread_mutex_t hint_mu;          /* the workers read the hints */
	struct agg_hint *hints;           /* AGG_HINTS slots */
};

static size_t
agg_base(const struct eb_agg *a)
{
	return EB_AGG_BASE_BYTES + sizeof(*a) + strlen(a->id);
}

/* The configured limit (no configuration: the default). */
static size_t
limit_bytes(const struct eb_aggs *as)
{
	if (as->srv != NULL && as->srv->cfg != NULL)
		return (size_t)as->srv->cfg->cache_bytes;
	return (size_t)256 << 20;
}

static void
lru_out(struct eb_aggs *as, struct eb_agg *a)
{
	if (!a->idle)
		return;
	TAILQ_REMOVE(&as->lru, a, lru);
	a->idle = 0;
	as->nidle--;
}

void
eb_agg_grew(struct eb_agg *a, size_t bytes)
{
	size_t add = bytes * EB_AGG_EVENT_FACTOR;

	a->bytes += add;
	if (a->as != NULL)
		a->as->bytes += add;
}

void
eb_aggs_stats(const struct eb_aggs *as, struct eb_aggs_stats *st)
{
	st->aggregates = as->map.n;
	st->idle = as->nidle;
	st->bytes = as->bytes;
	st->limit = limit_bytes(as);
	st->evicted = as->evicted;
}

static void agg_remove(struct eb_aggs *as, struct eb_agg *a);

/* -- floor hints (aggs.h) ------------------------------------------------ */

static size_t
hint_slot(const char *id)
{
	return eb_idmap_hash(id) % AGG_HINTS;
}

static int
is_sale(const struct eb_agg *a)
{
	return a->flow != NULL && a->flow->ops == &eb_sale_flow;
}

void
eb_agg_hint_publish(struct eb_agg *a)
{
	struct eb_aggs *as = a->as;
	struct agg_hint *slot;
	struct eb_sale_hint h;

	if (as == NULL || as->hints == NULL || !is_sale(a) ||
	    strlen(a->id) >= EB_ID_MAX)
		return;
	eb_sale_hint_fill(a->state, &h);      /* NULL state: phase none */
	slot = &as->hints[hint_slot(a->id)];
	pthread_mutex_lock(&as->hint_mu);
	/* a pending raise that may still win stays (it is decided after) */
	if (strcmp(slot->id, a->id) == 0 && slot->h.pending > 0 &&
	    slot->h.pending >= (h.leader[0] != '\0' ?
	    h.current + h.increment : h.start_price))
		h.pending = slot->h.pending;
	snprintf(slot->id, sizeof(slot->id), "%s", a->id);
	slot->h = h;
	pthread_mutex_unlock(&as->hint_mu);
}

int
eb_aggs_hint_pend(struct eb_aggs *as, const char *id, int64_t amount)
{
	struct agg_hint *slot;
	int set = 0;

	if (as == NULL || as->hints == NULL || id == NULL || amount <= 0 ||
	    strlen(id) >= EB_ID_MAX)
		return 0;
	slot = &as->hints[hint_slot(id)];
	pthread_mutex_lock(&as->hint_mu);
	if (strcmp(slot->id, id) == 0 && amount > slot->h.pending) {
		slot->h.pending = amount;
		set = 1;
	}
	pthread_mutex_unlock(&as->hint_mu);
	return set;
}

void
eb_aggs_hint_unpend(struct eb_aggs *as, const char *id, int64_t amount)
{
	struct agg_hint *slot;

	if (as == NULL || as->hints == NULL || id == NULL ||
	    strlen(id) >= EB_ID_MAX)
		return;
	slot = &as->hints[hint_slot(id)];
	pthread_mutex_lock(&as->hint_mu);
	if (strcmp(slot->id, id) == 0 && slot->h.pending == amount)
		slot->h.pending = 0;
	pthread_mutex_unlock(&as->hint_mu);
}

static void
hint_drop(struct eb_agg *a)
{
	struct eb_aggs *as = a->as;
	struct agg_hint *slot;

	if (as == NULL || as->hints == NULL || !is_sale(a))
		return;
	slot = &as->hints[hint_slot(a->id)];
	pthread_mutex_lock(&as->hint_mu);
	if (strcmp(slot->id, a->id) == 0)
		slot->id[0] = '\0';
	pthread_mutex_unlock(&as->hint_mu);
}

int
eb_aggs_hint_get(struct eb_aggs *as, const char *id, struct eb_sale_hint *h)
{
	struct agg_hint *slot;
	int found = 0;

	if (as == NULL || as->hints == NULL || id == NULL ||
	    id[0] == '\0' || strlen(id) >= EB_ID_MAX)
		return 0;
	slot = &as->hints[hint_slot(id)];
	pthread_mutex_lock(&as->hint_mu);
	if (strcmp(slot->id, id) == 0) {
		*h = slot->h;
		found = 1;
	}
	pthread_mutex_unlock(&as->hint_mu);
	return found;
}

void
eb_agg_drop_state(struct eb_agg *a)
{
	hint_drop(a);
	if (a->state != NULL && a->flow != NULL)
		a->flow->ops->destroy(a->state);
	if (a->as != NULL && a->bytes > agg_base(a)) {
		a->as->bytes -= a->bytes - agg_base(a);
		a->bytes = agg_base(a);
	}
	a->state = NULL;
	a->seq = 0;
	memset(a->hash, 0, sizeof(a->hash));
	free(a->cmds);
	a->cmds = NULL;
	a->ncmds = a->capcmds = 0;
}

static uint64_t
cmd_key(const uint8_t sha[EB_SHA256_LEN])
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++)
		k = k << 8 | sha[i];
	return k != 0 ? k : 1;        /* 0 marks an empty slot */
}

static void
cmd_put(uint64_t *t, size_t cap, uint64_t k)
{
	size_t i = (size_t)(k % cap);

	while (t[i] != 0 && t[i] != k)
		i = (i + 1) % cap;
	t[i] = k;
}

void
eb_agg_cmd_add(struct eb_agg *a, const uint8_t sha[EB_SHA256_LEN])
{
	uint64_t k = cmd_key(sha);

	if (a->state == NULL)
		return;               /* nothing cached: nothing to vouch for */
	if (2 * (a->ncmds + 1) > a->capcmds) {   /* at most half full */
		size_t cap = a->capcmds ? 2 * a->capcmds : 64;
		uint64_t *t = eb_calloc(cap, sizeof(*t));

		for (size_t i = 0; i < a->capcmds; i++)
			if (a->cmds[i] != 0)
				cmd_put(t, cap, a->cmds[i]);
		free(a->cmds);
		a->cmds = t;
		a->capcmds = cap;
	}
	cmd_put(a->cmds, a->capcmds, k);
	a->ncmds++;
	eb_agg_grew(a, sizeof(uint64_t));
}

int
eb_agg_cmd_absent(const struct eb_agg *a, const uint8_t sha[EB_SHA256_LEN])
{
	uint64_t k = cmd_key(sha);
	size_t i;

	if (a->state == NULL || a->fresh)
		return 0;
	if (a->capcmds == 0)
		return a->seq == 0;
	for (i = (size_t)(k % a->capcmds); a->cmds[i] != 0;
	    i = (i + 1) % a->capcmds)
		if (a->cmds[i] == k)
			return 0;
	return 1;
}

struct eb_agg *
eb_aggs_find(struct eb_aggs *as, const char *id)
{
	struct eb_idmap_node *n = eb_idmap_find(&as->map, id);

	return n != NULL ? EB_IDMAP_RECORD(n, struct eb_agg, node) : NULL;
}

struct eb_agg *
eb_aggs_get(struct eb_aggs *as, const char *id,
    const struct eb_flow_entry *flow)
{
	struct eb_idmap_node *n = eb_idmap_find(&as->map, id);
	struct eb_agg *a;

	if (n != NULL)
		return EB_IDMAP_RECORD(n, struct eb_agg, node);
	a = eb_calloc(1, sizeof(*a));
	a->flow = flow;
	STAILQ_INIT(&a->queue);
	TAILQ_INIT(&a->uncommitted);
	eb_idmap_insert(&as->map, &a->node, id);
	a->id = a->node.id;
	a->as = as;
	a->bytes = agg_base(a);
	as->bytes += a->bytes;
	return a;
}

static void
agg_free(struct eb_agg *a)
{
	eb_agg_drop_state(a);
	free(a);
}

static void
agg_remove(struct eb_aggs *as, struct eb_agg *a)
{
	lru_out(as, a);
	eb_agg_drop_state(a);
	as->bytes -= a->bytes;
	eb_idmap_remove(&as->map, &a->node);
	agg_free(a);
}

/* Over the limits: evict the least recently used idle aggregates. */
static void
aggs_trim(struct eb_aggs *as)
{
	struct eb_agg *a;

	while ((as->bytes > limit_bytes(as) || as->map.n > EB_AGGS_CACHE_MAX) &&
	    (a = TAILQ_FIRST(&as->lru)) != NULL) {
		agg_remove(as, a);
		as->evicted++;
	}
}

/* May the task at the head of the queue run now? */
static int
may_run(const struct eb_agg *a, const struct eb_agg_task *t)
{
	if (a->running != NULL || t == NULL)
		return 0;
	if (TAILQ_EMPTY(&a->uncommitted))
		return 1;
	return t->batchable && !a->hold;
}

/*
 * A loop, not a recursion: a command's run() may end its turn before it
 * returns (decided and handed to the group commit), and the next one
 * then runs from here, however many are queued.
 */
void
eb_aggs_settle(struct eb_aggs *as, struct eb_agg *a)
{
	struct eb_agg_task *t;

	if (a->in_run)
		return;               /* the outer call goes on */
	a->in_run = 1;
	while (may_run(a, t = STAILQ_FIRST(&a->queue))) {
		STAILQ_REMOVE_HEAD(&a->queue, link);
		a->running = t;
		t->run(t);
	}
	a->in_run = 0;
	if (a->running != NULL || !STAILQ_EMPTY(&a->queue) ||
	    !TAILQ_EMPTY(&a->uncommitted) || a->committing || a->refs != 0)
		return;                       /* busy */
	if (a->fresh || a->state == NULL) {
		agg_remove(as, a);            /* failed or unknown */
		return;
	}
	lru_out(as, a);                       /* idle: the most recent */
	TAILQ_INSERT_TAIL(&as->lru, a, lru);
	a->idle = 1;
	as->nidle++;
	aggs_trim(as);
}

void
eb_aggs_requeue(struct eb_aggs *as, struct eb_agg_task *t)
{
	lru_out(as, t->agg);
	STAILQ_INSERT_HEAD(&t->agg->queue, t, link);
}

int
eb_aggs_enqueue(struct eb_aggs *as, const char *id,
    const struct eb_flow_entry *flow, struct eb_agg_task *t,
    struct eb_error *e)
{
	struct eb_agg *a = eb_aggs_get(as, id, flow);

	if (a->flow != flow)
		return eb_fail(e, EB_ERR_FORMAT, "wrong-kind",
		    "Send this command with the id of a matching aggregate.",
		    "%s is a %s, not a %s", a->id, a->flow->kind, flow->kind);
	t->agg = a;
	lru_out(as, a);                       /* busy again */
	STAILQ_INSERT_TAIL(&a->queue, t, link);
	eb_aggs_settle(as, a);
	return EB_OK;
}

void
eb_aggs_done(struct eb_aggs *as, struct eb_agg_task *t)
{
	struct eb_agg *a = t->agg;

	if (a == NULL || a->running != t)
		return;
	a->running = NULL;
	eb_aggs_settle(as, a);
}

/* -- load --------------------------------------------------------------- */

static void
load_done(int rc, const struct eb_error *e, const char *kind,
    const struct eb_store_row *rows, size_t n, void *arg)
{
	struct eb_agg_task *t = arg;
	eb_agg_loaded_fn cb = t->loaded;
	struct eb_agg *a = t->agg;
	const struct eb_flow_ops *ops = a->flow->ops;
	struct eb_error le;

	eb_error_clear(&le);
	if (rc != EB_OK) {
		cb(t, rc, e, 0);
		return;
	}
	if (strcmp(kind, a->flow->kind) != 0) {
		eb_fail(&le, EB_ERR_FORMAT, "wrong-kind",
		    "Send this command with the id of a matching aggregate.",
		    "%s is a %s, not a %s", a->id, kind, a->flow->kind);
		cb(t, le.code, &le, 0);
		return;
	}
	if (a->state == NULL) {
		a->state = ops->create(a->id);
		a->seq = 0;
		memset(a->hash, 0, sizeof(a->hash));
	}
	for (size_t i = 0; i < n; i++) {
		struct eb_doc *ev = NULL;

		if (rows[i].seq != a->seq + 1 ||
		    eb_xml_parse_stored_events(rows[i].events, rows[i].events_len,
		    &ev, &le) != EB_OK ||
		    ops->apply(a->state, ev, &le) != EB_OK) {
			eb_log(EB_LOG_ERROR, "cannot fold %s seq %lld: %s",
			    a->id, (long long)rows[i].seq, le.primary);
			eb_doc_free(ev);
			eb_agg_drop_state(a);
			eb_fail(&le, EB_ERR_INTERNAL, "replay-failed",
			    "Report this to the centre's operators.",
			    "internal error: the stored log of %s could not "
			    "be folded", a->id);
			cb(t, le.code, &le, 0);
			return;
		}
		eb_doc_free(ev);
		eb_agg_grew(a, rows[i].events_len);
		a->seq = rows[i].seq;
		memcpy(a->hash, rows[i].hash, EB_SHA256_LEN);
		eb_agg_cmd_add(a, rows[i].command_sha256);
	}
	eb_agg_hint_publish(a);
	cb(t, EB_OK, NULL, 1);
}

void
eb_aggs_load(struct eb_aggs *as, struct eb_agg_task *t, eb_agg_loaded_fn cb)
{
	struct eb_agg *a = t->agg;
	struct eb_error e;

	eb_error_clear(&e);
	if (a->fresh) {
		if (a->state == NULL)
			a->state = a->flow->ops->create(a->id);
		cb(t, EB_OK, NULL, 0);
		return;
	}
	t->loaded = cb;
	if (eb_store_load(as->srv->store, a->id, a->state ? a->seq : 0,
	    load_done, t) != EB_OK) {
		eb_fail(&e, EB_ERR_DB, "database-unavailable", NULL,
		    "cannot queue the load");
		cb(t, e.code, &e, 0);
	}
}

/* -- lifetime ----------------------------------------------------------- */

struct eb_aggs *
eb_aggs_new(struct eb_server *srv)
{
	struct eb_aggs *as = eb_calloc(1, sizeof(*as));

	as->srv = srv;
	TAILQ_INIT(&as->lru);
	if (eb_idmap_init(&as->map, AGG_BUCKETS) != EB_OK) {
		free(as);
		return NULL;
	}
	pthread_mutex_init(&as->hint_mu, NULL);
	as->hints = eb_calloc(AGG_HINTS, sizeof(*as->hints));
	return as;
}

static void
free_node(struct eb_idmap_node *n, void *arg)
{
	(void)arg;
	agg_free(EB_IDMAP_RECORD(n, struct eb_agg, node));
}

void
eb_aggs_free(struct eb_aggs *as)
{
	if (as == NULL)
		return;
	eb_idmap_foreach(&as->map, free_node, NULL);
	eb_idmap_fini(&as->map);
	free(as->hints);
	pthread_mutex_destroy(&as->hint_mu);
	free(as);
}

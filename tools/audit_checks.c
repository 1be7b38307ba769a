/*
 * tools/audit_checks.c
 *    The per-entry checks of ebid-audit verify, run ahead of the replay
 *    on a pool of threads: see audit_checks.h.
 *
 * A ring of W = 64 x jobs slots: entry i lives in slot i % W.  Workers
 * take the next entry number under the lock, but only while it is less
 * than the first entry not yet released plus W (so at most W results are
 * held), wait for the entry to be read (the feed: a streamed load), check
 * it outside the lock, then mark the slot ready.  The replay
 * (eb_audit_checks_get) waits for its entry's slot; releasing it frees
 * the slot and wakes the workers.  Stop wakes everyone and joins.
 *
 * Wake-ups (issue 17, sixth pass: 6-7 % of the CPU went to futex wake-ups
 * and the switches they cause, one or two per entry): a worker wakes the
 * replay only when it finishes the entry the replay waits for, and the
 * replay, finding entry i not ready, waits for entry i + BATCH - 1 (or
 * the last entry it knows is there), so it then takes a run of entries
 * without sleeping.  Workers are woken only when they wait for room.
 */
#include "audit_checks.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_canon.h"

#include "protocol/cms.h"
#include "protocol/entry.h"
#include "protocol/inclusion.h"
#include "protocol/opening.h"
#include "protocol/mem.h"
#include "protocol/receipt.h"

#define WINDOW_PER_JOB 64
/* checks started before the schema is compiled: workers may run further
 * ahead (about 400 entries in a 35 ms compile; the ring is sized once,
 * so for the whole run: 512 results of 2 threads, about 3.3 MB) */
#define WINDOW_PER_JOB_EARLY 256
#define JOBS_MAX 64
#define BATCH 16
#define ACTORS_KEEP 16

struct slot {
	struct eb_audit_pre pre;
	size_t idx;
	int ready;
};

struct eb_audit_checks {
	const struct eb_audit_log *l;
	int (*feed)(void *, size_t);   /* NULL: every entry is there */
	void *feed_arg;
	const struct eb_trust *t;
	const struct eb_schema *schema;
	struct eb_audit_schema_job *sjob;   /* when 'schema' is NULL */
	/* the signed chain heads, checked with the entries they name */
	X509 *const *servers;
	size_t nservers;
	int heads;                 /* 0: not checked here */
	struct hkey { int64_t seq; size_t j; } *hord;   /* heads by seq */
	int *head_rc;
	struct eb_error *head_err;
	char *head_done;
	/*
	 * The actors of the last signers (eb_actor_from_cert of the same
	 * certificate object: the trust's cache hands out the same X509 for
	 * a signer it verified): about 14 k instructions per entry, the
	 * subject's fields read again.  Each kept certificate is a reference
	 * of ours, so its address is not reused while it is here.  Only
	 * successes are kept.
	 */
	pthread_mutex_t actors_lock;
	struct known_actor { X509 *cert; struct eb_actor actor; }
	    actors[ACTORS_KEEP];
	size_t actors_next;
	pthread_mutex_t lock;
	pthread_cond_t more;       /* a slot became ready */
	pthread_cond_t room;       /* a slot was released, or stop */
	struct slot *slots;
	size_t window;
	size_t next;               /* next entry a worker takes */
	size_t released;           /* entries [0, released) are done */
	size_t want;               /* the entry the replay waits for */
	int replay_waits;
	int room_waiters;          /* workers waiting for room */
	int ended;                 /* the feed has no entry 'absent' */
	size_t absent;
	int stop;
	int nthreads;
	pthread_t threads[JOBS_MAX];
};

/* -- the schema on a thread of its own (audit_checks.h) ------------------ */

struct eb_audit_schema_job {
	char *path;
	pthread_t th;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int done;                              /* under the lock */
	struct eb_schema *_Atomic schema;      /* set once compiled */
	struct eb_schema *compiled;
	struct eb_error err;
};

static struct eb_audit_schema_job *schema_job;

static void *
schema_run(void *arg)
{
	struct eb_audit_schema_job *j = arg;
	struct eb_schema *s = eb_schema_load(j->path, &j->err);

	pthread_mutex_lock(&j->lock);
	j->compiled = s;
	atomic_store_explicit(&j->schema, s, memory_order_release);
	j->done = 1;
	pthread_cond_broadcast(&j->done_cond);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct eb_audit_schema_job *
eb_audit_schema_start(const char *xsd_path)
{
	struct eb_audit_schema_job *j = eb_calloc(1, sizeof(*j));

	j->path = xsd_path != NULL ? eb_strdup(xsd_path) : NULL;
	eb_error_clear(&j->err);
	atomic_init(&j->schema, NULL);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->done_cond, NULL);
	j->started = pthread_create(&j->th, NULL, schema_run, j) == 0;
	if (!j->started)
		schema_run(j);       /* no thread: compiled now */
	return j;
}

const struct eb_schema *
eb_audit_schema_ready(struct eb_audit_schema_job *j)
{
	return j == NULL ? NULL :
	    atomic_load_explicit(&j->schema, memory_order_acquire);
}

const struct eb_schema *
eb_audit_schema_wait(struct eb_audit_schema_job *j, struct eb_error *err)
{
	const struct eb_schema *s;

	if (j == NULL)
		return NULL;
	pthread_mutex_lock(&j->lock);
	while (!j->done)
		pthread_cond_wait(&j->done_cond, &j->lock);
	s = j->compiled;
	if (s == NULL && err != NULL)
		*err = j->err;
	pthread_mutex_unlock(&j->lock);
	return s;
}

void
eb_audit_schema_free(struct eb_audit_schema_job *j)
{
	if (j == NULL)
		return;
	if (j->started)
		pthread_join(j->th, NULL);
	eb_schema_free(j->compiled);
	pthread_cond_destroy(&j->done_cond);
	pthread_mutex_destroy(&j->lock);
	free(j->path);
	free(j);
}

void
eb_audit_set_schema_job(struct eb_audit_schema_job *j)
{
	schema_job = j;
}

int
eb_audit_jobs_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : (int)n;
}

/* The root element's local name of an XML command (cheap peek). */
static const char *
body_name_peek(const uint8_t *p, size_t n)
{
	static const char tag[] = "<open-bids";
	size_t i;

	/* the command text is ours (eb_xml_write): "<?xml ...?>\n<name " */
	for (i = 0; i + sizeof(tag) - 1 <= n && i < 256; i++)
		if (memcmp(p + i, tag, sizeof(tag) - 1) == 0 &&
		    (p[i + sizeof(tag) - 1] == ' ' ||
		    p[i + sizeof(tag) - 1] == '>'))
			return "open-bids";
	return "";
}

static int
check_opening(const struct eb_trust *t, const struct eb_schema *schema,
    const uint8_t *content, size_t clen, int64_t at, struct eb_error *err)
{
	struct eb_xml_limits lim = { .max_bytes = (size_t)256 << 20,
	    .max_depth = 64, .max_elements = 10000000 };
	struct eb_doc *d = NULL, *r;
	int rc;

	if ((rc = eb_xml_parse(schema, &lim, content, clen, &d, err)) != EB_OK)
		return rc;
	eb_doc_foreach(r, d, "bid-result") {
		const char *st = eb_doc_attr(r, "status");

		if (st == NULL || strcmp(st, "opened") != 0)
			continue;
		if ((rc = eb_opening_check_result(t, schema, r, at, err)) !=
		    EB_OK)
			break;
	}
	eb_doc_free(d);
	return rc;
}

/* eb_actor_from_cert(cert), kept for the next entries of that signer. */
static int
actor_of(struct eb_audit_checks *c, X509 *cert, struct eb_actor *out,
    struct eb_error *err)
{
	int rc;

	pthread_mutex_lock(&c->actors_lock);
	for (size_t k = 0; k < ACTORS_KEEP; k++)
		if (c->actors[k].cert == cert && cert != NULL) {
			*out = c->actors[k].actor;
			pthread_mutex_unlock(&c->actors_lock);
			return EB_OK;
		}
	pthread_mutex_unlock(&c->actors_lock);
	if ((rc = eb_actor_from_cert(cert, out, err)) != EB_OK ||
	    X509_up_ref(cert) != 1)
		return rc;
	pthread_mutex_lock(&c->actors_lock);
	{
		struct known_actor *ka = &c->actors[c->actors_next];

		X509_free(ka->cert);
		ka->cert = cert;
		ka->actor = *out;
		c->actors_next = (c->actors_next + 1) % ACTORS_KEEP;
	}
	pthread_mutex_unlock(&c->actors_lock);
	return EB_OK;
}

/*
 * Verify one command's signature at its entry time; fill the signer and
 * its certificate.
 */
static int
check_signature(struct eb_audit_checks *c, const struct eb_audit_entry *e,
    struct eb_audit_pre *p)
{
	int rc;

	if ((rc = eb_cms_verify(c->t, e->command, e->command_len, e->time,
	    &p->content, &p->clen, &p->cert, &p->sig_err)) != EB_OK)
		return rc;
	if ((rc = actor_of(c, p->cert, &p->signer, &p->sig_err)) !=
	    EB_OK) {
		X509_free(p->cert);
		p->cert = NULL;
		free(p->content);
		p->content = NULL;
		p->clen = 0;
	}
	return rc;
}

void
eb_audit_entry_of(const struct eb_audit_log *l,
    const struct eb_audit_entry *e, const uint8_t cmd_sha256[EB_SHA256_LEN],
    struct eb_entry *ent)
{
	memset(ent, 0, sizeof(*ent));
	ent->aggregate = l->aggregate;
	ent->kind = l->kind;
	ent->seq = e->seq;
	ent->time = e->time;
	ent->actor = &e->actor;
	ent->clock = e->clock;
	ent->rules = e->rules;
	memcpy(ent->command_sha256, cmd_sha256, EB_SHA256_LEN);
	if (e->receipt != NULL) {
		ent->has_receipt = 1;
		eb_sha256(e->receipt, e->receipt_len, ent->receipt_sha256);
	}
	ent->events = e->events;
}

/*
 * The signed chain heads naming entry i (seq i + 1) whose hash is the
 * entry's: their signatures at the entry's time, as eb_audit_verify()
 * checks them (audit_log.c, step 5).
 */
static void
check_heads(const struct eb_audit_checks *c, size_t i)
{
	const struct eb_audit_log *l = c->l;
	const struct eb_audit_entry *e = &l->entries[i];
	size_t lo = 0, hi = l->nheads;

	if (!c->heads)
		return;
	while (lo < hi) {          /* the first head of seq >= i + 1 */
		size_t mid = lo + (hi - lo) / 2;

		if (c->hord[mid].seq < (int64_t)i + 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->nheads && c->hord[lo].seq == (int64_t)i + 1; lo++) {
		size_t j = c->hord[lo].j;
		const struct eb_audit_head *hd = &l->heads[j];

		if (memcmp(hd->hash, e->hash, EB_SHA256_LEN) != 0)
			continue;
		eb_error_clear(&c->head_err[j]);
		c->head_rc[j] = eb_chain_head_verify(c->t, l->aggregate,
		    hd->seq, hd->hash, hd->signature, hd->signature_len,
		    e->time, c->servers, c->nservers, NULL, &c->head_err[j]);
		c->head_done[j] = 1;
	}
}

static void check_body(const struct eb_trust *t,
    const struct eb_schema *schema, const struct eb_audit_entry *e,
    struct eb_audit_pre *p);

/* Every check of entry i into 'p' (any thread). */
static void
check_entry(struct eb_audit_checks *c, size_t i,
    struct eb_audit_pre *p)
{
	const struct eb_audit_entry *e = &c->l->entries[i];
	const struct eb_schema *schema;

	check_heads(c, i);
	memset(p, 0, sizeof(*p));
	eb_error_clear(&p->sig_err);
	eb_error_clear(&p->rcpt_err);
	eb_error_clear(&p->open_err);
	eb_error_clear(&p->parse_err);
	eb_error_clear(&p->events_err);
	eb_sha256(e->command, e->command_len, p->cmd_sha256);
	/* a streamed load leaves the stored events to parse here, once;
	 * the tree is the entry's (the replay, the timeline use it) */
	if (e->events == NULL && e->events_bytes != NULL &&
	    (p->events_rc = eb_xml_parse_stored_events(e->events_bytes,
	    e->events_len, &c->l->entries[i].events, &p->events_err)) !=
	    EB_OK)
		return;   /* the replay stops at its events */
	{
		struct eb_entry ent;

		eb_audit_entry_of(c->l, e, p->cmd_sha256, &ent);
		p->hash_rc = eb_audit_entry_hash(&ent, e->events_bytes,
		    e->events_len, e->prev, p->hash, &p->events_noncanon);
	}
	p->sig_rc = check_signature(c, e, p);
	if (e->receipt != NULL) {
		uint64_t serial;

		p->rcpt_rc = eb_receipt_verify(c->t, e->receipt,
		    e->receipt_len, p->cmd_sha256, &p->stamped, &serial,
		    &p->rcpt_err);
	}
	if (p->sig_rc != EB_OK)
		return;   /* the replay stops at the signature */
	/* (no schema and no job: parsed unvalidated, as eb_xml_parse does) */
	if ((schema = c->schema) == NULL && c->sjob != NULL &&
	    (schema = eb_audit_schema_ready(c->sjob)) == NULL) {
		p->later = 1;   /* eb_audit_checks_get() finishes it */
		return;
	}
	check_body(c->t, schema, e, p);
}

/* The checks of entry 'e' that need the schema (the command signed). */
static void
check_body(const struct eb_trust *t, const struct eb_schema *schema,
    const struct eb_audit_entry *e, struct eb_audit_pre *p)
{
	if (strcmp(body_name_peek(p->content, p->clen), "open-bids") == 0)
		p->open_rc = check_opening(t, schema, p->content, p->clen,
		    e->time, &p->open_err);
	p->parse_rc = eb_xml_parse(schema, NULL, p->content, p->clen,
	    &p->body, &p->parse_err);
}

/*
 * Entry i's checks left for the schema (p->later): done here, on the
 * replay's thread, once it is compiled.  When it does not compile, the
 * command's parse fails with the compile's error (ebid-audit then
 * reports the schema, not the entry).
 */
static void
finish_later(const struct eb_audit_checks *c, size_t i,
    struct eb_audit_pre *p)
{
	const struct eb_schema *schema;

	if (!p->later)
		return;
	p->later = 0;
	if ((schema = eb_audit_schema_wait(c->sjob, &p->parse_err)) == NULL) {
		p->parse_rc = p->parse_err.code != EB_OK ?
		    p->parse_err.code : EB_ERR_INTERNAL;
		return;
	}
	check_body(c->t, schema, &c->l->entries[i], p);
}

static void
pre_free(struct eb_audit_pre *p)
{
	free(p->content);
	p->content = NULL;
	X509_free(p->cert);
	p->cert = NULL;
	eb_doc_free(p->body);
	p->body = NULL;
}

/* Entry i is there (waits for a streamed load to read it). */
static int
have_entry(const struct eb_audit_checks *c, size_t i)
{
	return c->feed != NULL ? c->feed(c->feed_arg, i) : i < c->l->n;
}

static void *
worker(void *arg)
{
	struct eb_audit_checks *c = arg;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->stop && !c->ended &&
		    c->next >= c->released + c->window) {
			c->room_waiters++;
			pthread_cond_wait(&c->room, &c->lock);
			c->room_waiters--;
		}
		if (c->stop || c->ended)
			break;
		i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (!have_entry(c, i)) {
			/* no entry i: the replay never asks for it */
			pthread_mutex_lock(&c->lock);
			c->ended = 1;
			if (i < c->absent)
				c->absent = i;
			/* the replay may wait for a run reaching entry i,
			 * counted in when it was taken but before it was
			 * known absent: it must look again */
			if (c->replay_waits)
				pthread_cond_signal(&c->more);
			break;
		}
		{
			struct slot *s = &c->slots[i % c->window];

			check_entry(c, i, &s->pre);
			pthread_mutex_lock(&c->lock);
			s->idx = i;
			s->ready = 1;
			if (c->replay_waits && c->want == i)
				pthread_cond_signal(&c->more);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct eb_audit_checks *
eb_audit_checks_start(const struct eb_audit_log *l, const struct eb_trust *t,
    const struct eb_schema *schema, int jobs)
{
	return eb_audit_checks_start_fed(l, NULL, NULL, t, schema, NULL, 0,
	    jobs);
}

static int
by_seq(const void *a, const void *b)
{
	const struct hkey *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 :
	    x->j < y->j ? -1 : x->j > y->j;
}

int
eb_audit_checks_head(struct eb_audit_checks *c, size_t j, int *rc,
    struct eb_error *err)
{
	if (c == NULL || !c->heads || j >= c->l->nheads || !c->head_done[j])
		return 0;
	*rc = c->head_rc[j];
	*err = c->head_err[j];
	return 1;
}

struct eb_audit_checks *
eb_audit_checks_start_fed(const struct eb_audit_log *l,
    int (*feed)(void *, size_t), void *arg, const struct eb_trust *t,
    const struct eb_schema *schema, X509 *const *servers, size_t nservers,
    int jobs)
{
	struct eb_audit_checks *c = eb_calloc(1, sizeof(*c));

	if (servers != NULL && l->nheads > 0) {
		c->heads = 1;
		c->servers = servers;
		c->nservers = nservers;
		c->hord = eb_calloc(l->nheads, sizeof(*c->hord));
		c->head_rc = eb_calloc(l->nheads, sizeof(*c->head_rc));
		c->head_err = eb_calloc(l->nheads, sizeof(*c->head_err));
		c->head_done = eb_calloc(l->nheads, 1);
		for (size_t j = 0; j < l->nheads; j++) {
			c->hord[j].seq = l->heads[j].seq;
			c->hord[j].j = j;
		}
		qsort(c->hord, l->nheads, sizeof(*c->hord), by_seq);
	}

	if (jobs > JOBS_MAX)
		jobs = JOBS_MAX;
	c->l = l;
	c->feed = feed;
	c->feed_arg = arg;
	c->absent = (size_t)-1;
	c->t = t;
	c->schema = schema;
	c->sjob = schema == NULL ? schema_job : NULL;
	c->window = jobs <= 1 ? 1 : (size_t)jobs * (c->sjob != NULL &&
	    eb_audit_schema_ready(c->sjob) == NULL ? WINDOW_PER_JOB_EARLY :
	    WINDOW_PER_JOB);
	c->slots = eb_calloc(c->window, sizeof(*c->slots));
	pthread_mutex_init(&c->actors_lock, NULL);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->more, NULL);
	pthread_cond_init(&c->room, NULL);
	for (int k = 0; jobs > 1 && k < jobs; k++) {
		if (pthread_create(&c->threads[k], NULL, worker, c) != 0)
			break;    /* fewer threads: still correct */
		c->nthreads++;
	}
	return c;
}

struct eb_audit_pre *
eb_audit_checks_get(struct eb_audit_checks *c, size_t i)
{
	struct slot *s = &c->slots[i % c->window];

	if (c->nthreads == 0) {
		check_entry(c, i, &s->pre);
		finish_later(c, i, &s->pre);
		s->idx = i;
		s->ready = 1;
		return &s->pre;
	}
	pthread_mutex_lock(&c->lock);
	if (!(s->ready && s->idx == i)) {
		/*
		 * Not ready: sleep until a run of entries is (BATCH, within
		 * the window, and only entries known to be there, so that a
		 * worker does take it), then take them without sleeping.
		 */
		size_t want = i, last = i + BATCH - 1;

		if (last >= c->released + c->window)
			last = c->released + c->window - 1;
		while (want < last && (c->feed != NULL ? want + 1 <
		    c->next && want + 1 < c->absent : want + 1 < c->l->n))
			want++;
		c->want = want;
		c->replay_waits = 1;
		/* the run ends short when its end turns out absent (the
		 * feed ended): then wait for entry i alone */
		while (want < c->absent &&
		    !(c->slots[want % c->window].ready &&
		    c->slots[want % c->window].idx == want))
			pthread_cond_wait(&c->more, &c->lock);
		c->replay_waits = 0;
		/* and entry i, when the run finished out of order */
		c->want = i;
		c->replay_waits = 1;
		while (!(s->ready && s->idx == i))
			pthread_cond_wait(&c->more, &c->lock);
		c->replay_waits = 0;
	}
	pthread_mutex_unlock(&c->lock);
	finish_later(c, i, &s->pre);
	return &s->pre;
}

void
eb_audit_checks_release(struct eb_audit_checks *c, size_t i)
{
	struct slot *s = &c->slots[i % c->window];

	pre_free(&s->pre);
	pthread_mutex_lock(&c->lock);
	s->ready = 0;
	c->released = i + 1;
	if (c->room_waiters > 0)
		pthread_cond_broadcast(&c->room);
	pthread_mutex_unlock(&c->lock);
}

void
eb_audit_checks_stop(struct eb_audit_checks *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_mutex_unlock(&c->lock);
	pthread_cond_broadcast(&c->room);
	for (int k = 0; k < c->nthreads; k++)
		pthread_join(c->threads[k], NULL);
	for (size_t k = 0; k < c->window; k++)
		if (c->slots[k].ready || c->nthreads == 0)
			pre_free(&c->slots[k].pre);
	pthread_cond_destroy(&c->more);
	pthread_cond_destroy(&c->room);
	pthread_mutex_destroy(&c->lock);
	for (size_t k = 0; k < ACTORS_KEEP; k++)
		X509_free(c->actors[k].cert);
	pthread_mutex_destroy(&c->actors_lock);
	free(c->slots);
	free(c->hord);
	free(c->head_rc);
	free(c->head_err);
	free(c->head_done);
	free(c);
}

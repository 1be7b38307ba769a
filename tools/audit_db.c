/*
 * tools/audit_db.c
 *    Load an aggregate's log straight from PostgreSQL: see audit_db.h.
 *
 * Reads the tables of schema/0001_log.sql and 0002_read_models.sql
 * (aggregates, log, chain_heads_signed) and 0005 (servers) with one
 * blocking libpq
 * connection, binary results, parameterised queries.  Nothing is written.
 * The stored events of the rows are parsed on up to one thread per core.
 */
#include "audit_db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "protocol/mem.h"
#include "protocol/xml.h"

static int
db_fail(struct eb_error *err, PGconn *c, const char *what)
{
	return eb_fail(err, EB_ERR_DB, "database", NULL, "%s: %s", what,
	    c != NULL ? PQerrorMessage(c) : "no connection");
}

static uint8_t *
dup_bytes(const char *p, int n)
{
	return eb_memdup(p, n > 0 ? (size_t)n : 0);
}

static int64_t
be64(const char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (uint8_t)p[i];
	return (int64_t)v;
}


/*
 * The stored <events> of rows [from, to) parsed into their entries, on
 * up to PARSE_JOBS threads (the parse is most of the load): each thread a
 * contiguous run of rows, stopping at its first failure, so the failure
 * named is the first row's, as a serial parse names it.
 */
#define PARSE_JOBS 8
#define PARSE_MIN_PER_JOB 256

struct parse_job {
	struct eb_audit_entry *ents;
	size_t from, to;
	size_t failed;               /* first failing row, or 'to' */
	struct eb_error err;
	pthread_t th;
	int started;
};

static void *
parse_run(void *arg)
{
	struct parse_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		if (eb_xml_parse_stored_events(j->ents[i].events_bytes,
		    j->ents[i].events_len, &j->ents[i].events, &j->err) !=
		    EB_OK) {
			j->failed = i;
			break;
		}
	return NULL;
}

static int
parse_events(struct eb_audit_entry *ents, size_t n, const char *id,
    struct eb_error *err)
{
	struct parse_job jobs[PARSE_JOBS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nj = n / PARSE_MIN_PER_JOB, k;
	int rc = EB_OK;

	if (cores < 1)
		cores = 1;
	if (nj > (size_t)cores)
		nj = (size_t)cores;
	if (nj > PARSE_JOBS)
		nj = PARSE_JOBS;
	if (nj < 1)
		nj = 1;
	memset(jobs, 0, sizeof(jobs));
	for (k = 0; k < nj; k++) {
		jobs[k].ents = ents;
		jobs[k].from = n * k / nj;
		jobs[k].to = n * (k + 1) / nj;
		jobs[k].failed = jobs[k].to;
		eb_error_clear(&jobs[k].err);
		/* the first run on this thread; the others on their own */
		if (k > 0 && pthread_create(&jobs[k].th, NULL, parse_run,
		    &jobs[k]) == 0)
			jobs[k].started = 1;
	}
	parse_run(&jobs[0]);
	for (k = 1; k < nj; k++)
		if (jobs[k].started)
			pthread_join(jobs[k].th, NULL);
		else
			parse_run(&jobs[k]);
	for (k = 0; k < nj; k++)
		if (jobs[k].failed < jobs[k].to) {
			*err = jobs[k].err;
			rc = err->code != EB_OK ? err->code : EB_ERR_FORMAT;
			eb_error_detail(err, "entry %lld of %s",
			    (long long)ents[jobs[k].failed].seq, id);
			break;
		}
	return rc;
}

/*
 * Every row of 'r' (the log query) into 'l', in order: the fields of each
 * row first (a malformed row stops there), then the stored events of the
 * rows before it parsed (parse_events); the first failure by row is the
 * one named, as a row-by-row load would name it.
 */
/*
 * Row 'row' of 'r' (the log query) into 'e' (its bytes copied).  EB_OK, or
 * EB_ERR_FORMAT "bad-row" in 'bad' (nothing kept).
 */
static int
row_entry(PGresult *r, int row, struct eb_audit_entry *e,
    struct eb_error *bad)
{
	memset(e, 0, sizeof(*e));
	e->seq = be64(PQgetvalue(r, row, 0));
	e->time = be64(PQgetvalue(r, row, 1));
	snprintf(e->actor.party, sizeof(e->actor.party), "%.*s",
	    PQgetlength(r, row, 2), PQgetvalue(r, row, 2));
	snprintf(e->actor.person, sizeof(e->actor.person), "%.*s",
	    PQgetlength(r, row, 4), PQgetvalue(r, row, 4));
	snprintf(e->clock, sizeof(e->clock), "%.*s",
	    PQgetlength(r, row, 7), PQgetvalue(r, row, 7));
	/* int2, binary: NULL before rules versions were recorded */
	if (!PQgetisnull(r, row, 11) && PQgetlength(r, row, 11) == 2)
		e->rules = (int)(((unsigned)(uint8_t)PQgetvalue(r, row,
		    11)[0] << 8) | (uint8_t)PQgetvalue(r, row, 11)[1]);
	{
		char role[32];

		snprintf(role, sizeof(role), "%.*s",
		    PQgetlength(r, row, 3), PQgetvalue(r, row, 3));
		if (eb_role_parse(role, &e->actor.role) != EB_OK)
			e->actor.role = EB_ROLE_NONE;
	}
	if (PQgetlength(r, row, 9) != EB_SHA256_LEN ||
	    PQgetlength(r, row, 10) != EB_SHA256_LEN)
		return eb_fail(bad, EB_ERR_FORMAT, "bad-row", NULL,
		    "entry %lld: hashes are not 32 bytes", (long long)e->seq);
	e->command = dup_bytes(PQgetvalue(r, row, 5),
	    PQgetlength(r, row, 5));
	e->command_len = (size_t)PQgetlength(r, row, 5);
	if (!PQgetisnull(r, row, 8)) {
		e->receipt = dup_bytes(PQgetvalue(r, row, 8),
		    PQgetlength(r, row, 8));
		e->receipt_len = (size_t)PQgetlength(r, row, 8);
	}
	memcpy(e->prev, PQgetvalue(r, row, 9), EB_SHA256_LEN);
	memcpy(e->hash, PQgetvalue(r, row, 10), EB_SHA256_LEN);
	/* kept: the entry's hash is taken over these bytes once they
	 * are shown canonical (tools/audit_canon.h) */
	e->events_bytes = dup_bytes(PQgetvalue(r, row, 6),
	    PQgetlength(r, row, 6));
	e->events_len = (size_t)PQgetlength(r, row, 6);
	return EB_OK;
}

static void
entry_clear(struct eb_audit_entry *e)
{
	free(e->command);
	free(e->receipt);
	eb_doc_free(e->events);
	free(e->events_bytes);
	memset(e, 0, sizeof(*e));
}

/*
 * Every row of 'r' (the log query) into 'l', in order: the fields of each
 * row first (a malformed row stops there), then the stored events of the
 * rows before it parsed (parse_events); the first failure by row is the
 * one named, as a row-by-row load would name it.
 */
static int
load_entries(PGresult *r, struct eb_audit_log *l, const char *id,
    struct eb_error *err)
{
	size_t n = (size_t)PQntuples(r), i, good;
	struct eb_audit_entry *ents = eb_calloc(n > 0 ? n : 1, sizeof(*ents));
	struct eb_error bad;
	int rc = EB_OK, rc_bad = EB_OK;

	eb_error_clear(&bad);
	for (i = 0; i < n; i++)
		if ((rc_bad = row_entry(r, (int)i, &ents[i], &bad)) != EB_OK) {
			entry_clear(&ents[i]);
			break;
		}
	good = i;
	if ((rc = parse_events(ents, good, id, err)) == EB_OK &&
	    rc_bad != EB_OK) {
		*err = bad;
		rc = rc_bad;
	}
	for (i = 0; i < n; i++) {
		if (rc == EB_OK) {
			eb_audit_log_add(l, &ents[i]);
			continue;
		}
		entry_clear(&ents[i]);
	}
	free(ents);
	return rc;
}

/* The signed chain heads and the server certificates of 'id' into 'l'. */
static int
load_heads_servers(PGconn *c, const char *id, struct eb_audit_log *l,
    struct eb_error *err)
{
	const char *params[1] = { id };
	struct eb_audit_head h;
	PGresult *r;
	int rc = EB_OK, i;

	r = PQexecParams(c,
	    "SELECT seq, hash, signature FROM chain_heads_signed"
	    " WHERE aggregate = $1 ORDER BY seq", 1, NULL, params, NULL, NULL,
	    1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return db_fail(err, c, "cannot read the signed chain heads");
	}
	for (i = 0; i < PQntuples(r); i++) {
		memset(&h, 0, sizeof(h));
		h.seq = be64(PQgetvalue(r, i, 0));
		if (PQgetlength(r, i, 1) == EB_SHA256_LEN)
			memcpy(h.hash, PQgetvalue(r, i, 1), EB_SHA256_LEN);
		h.signature = dup_bytes(PQgetvalue(r, i, 2),
		    PQgetlength(r, i, 2));
		h.signature_len = (size_t)PQgetlength(r, i, 2);
		eb_audit_log_add_head(l, &h);
	}
	PQclear(r);
	r = PQexecParams(c, "SELECT certificate FROM servers"
	    " ORDER BY first_seen, fingerprint", 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return db_fail(err, c, "cannot read the server certificates");
	}
	for (i = 0; i < PQntuples(r) && rc == EB_OK; i++)
		rc = eb_audit_log_add_server(l,
		    (const uint8_t *)PQgetvalue(r, i, 0),
		    (size_t)PQgetlength(r, i, 0));
	PQclear(r);
	return rc;
}

/* The aggregate's kind: a new log, or NULL with 'err'. */
static struct eb_audit_log *
log_of(PGconn *c, const char *id, struct eb_error *err)
{
	const char *params[1] = { id };
	struct eb_audit_log *l = NULL;
	PGresult *r = PQexecParams(c, "SELECT kind FROM aggregates WHERE id = $1",
	    1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		db_fail(err, c, "cannot read aggregates");
	else if (PQntuples(r) != 1)
		eb_fail(err, EB_ERR_NOTFOUND, "no-such-aggregate",
		    "Check the id with 'ebid-audit export --all'.",
		    "no tender or sale %s in this database", id);
	else
		l = eb_audit_log_new(id, PQgetvalue(r, 0, 0));
	PQclear(r);
	return l;
}

#define LOG_QUERY \
	"SELECT seq, time_ms, party, role, person, command, events, clock," \
	" receipt, prev_hash, hash, rules FROM log WHERE aggregate = $1" \
	" ORDER BY seq"

/*
 * The log query's plan, fixed: the primary key (aggregate, seq) read in
 * order, rows sent as they are found.  Left to itself the planner may
 * take, for a large aggregate, a parallel sequential scan of the WHOLE
 * log table (every aggregate's rows), sorted on disk and merged
 * (issue 17, eighth pass: 124 ms and two parallel workers on the bench's
 * 25,548-entry sale before the first row, against 0.05 ms for the first
 * row of the index scan and 42 ms for all of them): a cost that grows
 * with the database, not the log, and that takes both cores from the
 * checks while the stream waits.  With 'local' only for the transaction
 * (the streamed read), else for this private connection's session.
 */
static int
plan_log_query(PGconn *c, int local)
{
	PGresult *r = PQexec(c, local ?
	    "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
	    " SET LOCAL max_parallel_workers_per_gather = 0" :
	    "SET enable_seqscan = off; SET enable_bitmapscan = off;"
	    " SET max_parallel_workers_per_gather = 0");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	return ok;
}

int
eb_audit_db_load(const char *conninfo, const char *id,
    struct eb_audit_log **out, struct eb_error *err)
{
	const char *params[1] = { id };
	struct eb_audit_log *l = NULL;
	PGresult *r = NULL;
	PGconn *c = NULL;
	int rc = EB_OK;

	*out = NULL;
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = db_fail(err, c, "cannot connect to the database");
		goto out;
	}
	if ((l = log_of(c, id, err)) == NULL) {
		rc = err->code != EB_OK ? err->code : EB_ERR_DB;
		goto out;
	}
	if (!plan_log_query(c, 0)) {
		rc = db_fail(err, c, "cannot read the log");
		goto out;
	}
	r = PQexecParams(c, LOG_QUERY, 1, NULL, params, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(err, c, "cannot read the log");
		goto out;
	}
	if ((rc = load_entries(r, l, id, err)) != EB_OK)
		goto out;
	if ((rc = load_heads_servers(c, id, l, err)) != EB_OK)
		goto out;
	*out = l;
	l = NULL;
out:
	PQclear(r);
	PQfinish(c);
	eb_audit_log_free(l);
	return rc;
}

/* -- the streamed load (audit_db.h, eb_audit_db_stream_start) ------------- */

struct eb_audit_db_stream {
	char *conninfo, *id;
	pthread_t th;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int waiters;
	/* set once under the lock: the header (log, heads, servers) read */
	int head_done;
	struct eb_audit_log *log;        /* the caller's once head_done */
	int taken;
	/* entries [0, loaded) are complete; 'ended' once no more come */
	_Atomic size_t loaded;
	int ended;
	int rc;
	struct eb_error err;
};

/*
 * Wake the waiting checks every STREAM_BATCH rows, not every row (a
 * futex wake-up and a switch per row cost the reader more than the row):
 * a check waiting for entry i then finds a run of entries read.
 */
#define STREAM_BATCH 16

static void
stream_signal(struct eb_audit_db_stream *s, size_t k)
{
	if (s->waiters > 0 && k % STREAM_BATCH == 0)
		pthread_cond_broadcast(&s->cond);
}

/* The load ends with 'rc' (EB_OK: every row read). */
static void
stream_end(struct eb_audit_db_stream *s, int rc, const struct eb_error *err)
{
	pthread_mutex_lock(&s->lock);
	s->rc = rc;
	if (rc != EB_OK && err != NULL)
		s->err = *err;
	if (s->log != NULL && rc == EB_OK)
		s->log->n = atomic_load(&s->loaded);
	s->head_done = 1;
	s->ended = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *
stream_run(void *arg)
{
	struct eb_audit_db_stream *s = arg;
	const char *params[1] = { s->id };
	struct eb_audit_log *l = NULL;
	struct eb_error err, bad;
	PGconn *c;
	PGresult *r = NULL;
	size_t count = 0, k = 0;
	int rc = EB_OK, st;

	eb_error_clear(&err);
	eb_error_clear(&bad);
	c = PQconnectdb(s->conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = db_fail(&err, c, "cannot connect to the database");
		goto out;
	}
	/* one snapshot: the count, the heads and the rows agree */
	r = PQexec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = db_fail(&err, c, "cannot start a read-only transaction");
		goto out;
	}
	PQclear(r);
	r = NULL;
	if ((l = log_of(c, s->id, &err)) == NULL) {
		rc = err.code != EB_OK ? err.code : EB_ERR_DB;
		goto out;
	}
	r = PQexecParams(c, "SELECT count(*) FROM log WHERE aggregate = $1",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = db_fail(&err, c, "cannot read the log");
		goto out;
	}
	count = (size_t)strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	r = NULL;
	if ((rc = load_heads_servers(c, s->id, l, &err)) != EB_OK)
		goto out;
	/* the entries never move: readers hold pointers into them */
	l->cap = count > 0 ? count : 1;
	l->entries = eb_calloc(l->cap, sizeof(*l->entries));
	if (!plan_log_query(c, 1) || PQsendQueryParams(c, LOG_QUERY, 1,
	    NULL, params, NULL, NULL, 1) != 1 || PQsetSingleRowMode(c) != 1) {
		rc = db_fail(&err, c, "cannot read the log");
		goto out;
	}
	pthread_mutex_lock(&s->lock);
	s->log = l;
	s->head_done = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	/* every result is read, also after a failure (the connection's
	 * protocol); the first failure is the one kept */
	while ((r = PQgetResult(c)) != NULL) {
		st = PQresultStatus(r);
		if (rc == EB_OK && st == PGRES_SINGLE_TUPLE) {
			if (k >= count) {
				rc = eb_fail(&err, EB_ERR_DB, "database", NULL,
				    "the log of %s grew while it was read",
				    s->id);
			} else if ((rc = row_entry(r, 0, &l->entries[k],
			    &bad)) != EB_OK) {
				entry_clear(&l->entries[k]);
				err = bad;
			} else {
				k++;
				if (k % STREAM_BATCH != 0) {
					atomic_store_explicit(&s->loaded, k,
					    memory_order_release);
				} else {
					pthread_mutex_lock(&s->lock);
					atomic_store(&s->loaded, k);
					stream_signal(s, k);
					pthread_mutex_unlock(&s->lock);
				}
			}
		} else if (rc == EB_OK && st != PGRES_TUPLES_OK &&
		    st != PGRES_SINGLE_TUPLE) {
			rc = db_fail(&err, c, "cannot read the log");
		}
		PQclear(r);
	}
	r = NULL;
	if (rc == EB_OK && k != count)
		rc = eb_fail(&err, EB_ERR_DB, "database", NULL,
		    "the log of %s changed while it was read", s->id);
out:
	PQclear(r);
	PQfinish(c);
	pthread_mutex_lock(&s->lock);
	if (s->log != NULL)
		s->log->n = k;           /* (s->log is l) what was read */
	else
		eb_audit_log_free(l);    /* never handed out */
	pthread_mutex_unlock(&s->lock);
	stream_end(s, rc, &err);
	return NULL;
}

struct eb_audit_db_stream *
eb_audit_db_stream_start(const char *conninfo, const char *id)
{
	struct eb_audit_db_stream *s = eb_calloc(1, sizeof(*s));

	s->conninfo = eb_strdup(conninfo);
	s->id = eb_strdup(id);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	atomic_init(&s->loaded, 0);
	eb_error_clear(&s->err);
	s->started = pthread_create(&s->th, NULL, stream_run, s) == 0;
	if (!s->started)
		stream_run(s);       /* no thread: the whole load now */
	return s;
}

int
eb_audit_db_stream_log(struct eb_audit_db_stream *s,
    struct eb_audit_log **out, struct eb_error *err)
{
	int rc = EB_OK;

	*out = NULL;
	pthread_mutex_lock(&s->lock);
	s->waiters++;
	while (!s->head_done)
		pthread_cond_wait(&s->cond, &s->lock);
	s->waiters--;
	if (s->log == NULL) {
		rc = s->rc != EB_OK ? s->rc : EB_ERR_DB;
		*err = s->err;
	} else {
		*out = s->log;
		s->taken = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
eb_audit_db_stream_wait(void *arg, size_t i)
{
	struct eb_audit_db_stream *s = arg;
	int have;

	if (i < atomic_load_explicit(&s->loaded, memory_order_acquire))
		return 1;
	pthread_mutex_lock(&s->lock);
	s->waiters++;
	while (i >= atomic_load(&s->loaded) && !s->ended)
		pthread_cond_wait(&s->cond, &s->lock);
	s->waiters--;
	have = i < atomic_load(&s->loaded);
	pthread_mutex_unlock(&s->lock);
	return have;
}

int
eb_audit_db_stream_end(struct eb_audit_db_stream *s, struct eb_error *err)
{
	int rc;

	if (s->started) {
		pthread_join(s->th, NULL);
		s->started = 0;
	}
	rc = s->rc;
	if (rc != EB_OK)
		*err = s->err;
	return rc;
}

void
eb_audit_db_stream_free(struct eb_audit_db_stream *s)
{
	if (s == NULL)
		return;
	if (s->started)
		pthread_join(s->th, NULL);
	if (!s->taken)
		eb_audit_log_free(s->log);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->conninfo);
	free(s->id);
	free(s);
}

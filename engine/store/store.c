/*
 * engine/store/store.c
 *    The asynchronous libpq connection pool and the store's queries.
 *
 * Each connection is a small state machine driven by libevent:
 *    DOWN -> CONNECTING (PQconnectStart/PQconnectPoll, one-shot events on
 *    the socket as PQconnectPoll asks, re-reading PQsocket every step)
 *    -> IDLE <-> BUSY (PQsendQueryParams, PQflush with a persistent write
 *    event added only while output is pending; a persistent read event
 *    runs PQconsumeInput and PQgetResult only while !PQisBusy).
 *    Any failure -> DOWN: the query in flight is failed with EB_ERR_DB
 *    and a reconnect is tried one second later.
 * Queries wait in one FIFO and go to the first idle connection.  A query
 * owns copies of its parameters, so callers' buffers are free at return.
 * A callback runs after its connection is idle again and before the next
 * dispatch, so it may queue further queries.
 *
 * Invariants: a connection has a query iff it is BUSY; every accepted
 * query's callback runs exactly once (eb_store_free() fails the rest);
 * a callback never runs inside the call that submitted its query: a query
 * that fails at once (no connection up, the send fails) is failed from a
 * deferred event on the next loop iteration, as libevent's deferred
 * callbacks are, so a caller may touch its own state after submitting.
 *
 * INTERFACE: see store.h.
 */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libpq-fe.h>

#include "engine/store/store.h"
#include "protocol/buf.h"
#include "protocol/mem.h"

#define EB_STORE_MAX_CONN 32
#define EB_STORE_MAX_PARAMS 30     /* a batch with refusals: 18 + 11 */
#define EB_STORE_MAX_STMTS 64         /* named statements (a bit each) */
#define SQLSTATE_NO_STMT "26000"      /* invalid_sql_statement_name */
/* The batch appends' parameter buffers kept for the next batch (spares):
 * at most SPARES of them, none over SPARE_MAX bytes, all freed after a
 * second in which no batch took one (ev_spare). */
#define SPARES 2
#define SPARE_MAX ((size_t)8 << 20)
#define SPARE_ROUND ((size_t)64 << 10)
/* buffers of this size or more are mapped by the store itself, so that a
 * freed spare goes back to the kernel at once (a heap chunk below malloc's
 * mmap threshold would stay in ebidd's resident set) */
#define SPARE_MMAP_MIN ((size_t)256 << 10)

enum pgc_state { PGC_DOWN, PGC_CONNECTING, PGC_IDLE, PGC_BUSY };

enum query_kind { Q_DONE, Q_I64, Q_TEXT, Q_ROWS, Q_RESULT, Q_BATCH };

struct query {
	struct query *next;
	const char *sql;              /* static text */
	int stmt;                     /* its named statement, or -1 */
	int reprepared;               /* prepared again after 26000 once */
	int n;
	char *vals[EB_STORE_MAX_PARAMS];
	int lens[EB_STORE_MAX_PARAMS];
	int fmts[EB_STORE_MAX_PARAMS];
	enum query_kind kind;
	union {
		eb_store_done_fn done;
		eb_store_i64_fn i64;
		eb_store_text_fn text;
		eb_store_rows_fn rows;
		eb_store_result_fn result;
		eb_store_batch_fn batch;
	} cb;
	size_t nbatch;                /* Q_BATCH: entries sent */
	void *arg;
	PGresult *res;                /* the last result of the statement */
	int text_results;             /* eb_store_select_text() */
	struct eb_error err;          /* why it failed (deferred failure) */
	/* a batch append: every vals[k] points into 'blob' (one buffer of
	 * 'blobcap' bytes), given back to 'pool' (spare_put) when done */
	struct eb_store *pool;
	uint8_t *blob;
	size_t blobcap;
	int blob_n;                   /* vals[0 .. blob_n - 1] are in 'blob' */
	/* the refusals this statement writes (refs_take): their callbacks
	 * run when it ends; a batch the database refused gives them back
	 * to be written on their own (refs_back) */
	struct refrow *refs;
	size_t nrefs;
};

struct pgc {
	struct eb_store *s;
	PGconn *conn;
	enum pgc_state state;
	struct event *ev_read, *ev_write, *ev_poll, *ev_retry;
	struct query *q;
	uint64_t prepared;            /* bit i: statement i is prepared here */
	int preparing;                /* c->q waits for its PQsendPrepare */
};

struct eb_store {
	struct event_base *base;
	char *conninfo;
	int nconn;
	struct pgc conns[EB_STORE_MAX_CONN];
	struct query *head, *tail;
	struct query *prio_last;      /* the last batch append at the head */
	size_t queued, inflight;
	struct query *failed, *failed_tail;   /* failures waiting for ev_failed */
	struct event *ev_failed;
	int closing;
	/* refusals for security_log, written together: with the next batch
	 * append (refs_take) or on their own (refs_flush) */
	struct refrow *refs;
	size_t nrefs, caprefs;
	struct event *ev_refs, *ev_refs_hold;
	int64_t refs_since_us;        /* the oldest queued refusal */
	/* the named statements: stmt_sql[i] is prepared as "eb_s<i>" on a
	 * connection the first time a query of it runs there */
	const char *stmt_sql[EB_STORE_MAX_STMTS];
	int nstmts;
	struct eb_store_stats stats;
	/* spare batch buffers (spare_get / spare_put) */
	struct { uint8_t *p; size_t cap; } spare[SPARES];
	int nspare;
	int spare_taken;              /* a batch took one since ev_spare ran */
	struct event *ev_spare;
};

static void pgc_connect(struct pgc *c);
static void dispatch(struct eb_store *s);
static void pgc_flush(struct pgc *c);

/* One refusal waiting for its INSERT (eb_store_refusal). */
#define REF_FIELDS 10                 /* the text columns */
#define REF_MAX 1024                  /* rows in one INSERT at most */
/* A refusal waits for the next batch append at most this long (refs_cb). */
#define REF_HOLD_US 20000
struct refrow {
	int64_t time_ms;
	char *f[REF_FIELDS];          /* NULL: SQL NULL */
	eb_store_done_fn cb;
	void *arg;
	int alone;                    /* never with a batch (refs_back) */
};
static void refs_flush(struct eb_store *s);
static void refs_cb(evutil_socket_t fd, short what, void *arg);
static void refs_end(struct query *q, int answered, int rc,
    const struct eb_error *e);
static void spare_cb(evutil_socket_t fd, short what, void *arg);
static void spares_free(struct eb_store *s);

/* -- queries ------------------------------------------------------------ */

static void spare_put(struct eb_store *s, uint8_t *p, size_t cap);

static void
query_free(struct query *q)
{
	if (q == NULL)
		return;
	if (q->blob != NULL)
		spare_put(q->pool, q->blob, q->blobcap);
	for (int i = q->blob != NULL ? q->blob_n : 0; i < q->n; i++)
		free(q->vals[i]);
	for (size_t i = 0; i < q->nrefs; i++)     /* not answered: closing */
		for (int k = 0; k < REF_FIELDS; k++)
			free(q->refs[i].f[k]);
	free(q->refs);
	if (q->res != NULL)
		PQclear(q->res);
	free(q);
}

static struct query *
query_new(const char *sql, enum query_kind kind, void *arg)
{
	struct query *q = eb_calloc(1, sizeof(*q));

	q->sql = sql;
	q->stmt = -1;
	q->kind = kind;
	q->arg = arg;
	return q;
}

/*
 * Run 'q' as a named statement: 'q->sql' is static text (its pointer is
 * its key), parsed and planned once per connection (PQsendPrepare), then
 * only bound and executed (PQsendQueryPrepared).  Past EB_STORE_MAX_STMTS
 * distinct texts, unnamed as before.
 */
static void
query_named(struct eb_store *s, struct query *q)
{
	int i;

	for (i = 0; i < s->nstmts; i++)
		if (s->stmt_sql[i] == q->sql)
			break;
	if (i == s->nstmts) {
		if (s->nstmts == EB_STORE_MAX_STMTS)
			return;
		s->stmt_sql[s->nstmts++] = q->sql;
	}
	q->stmt = i;
}

/* Add a parameter: text when bin == 0 (NUL-terminated), bytea otherwise. */
static int
query_param(struct query *q, const void *p, size_t len, int bin)
{
	char *copy;

	if (q->n >= EB_STORE_MAX_PARAMS)
		return EB_ERR_INTERNAL;
	if (p == NULL) {            /* SQL NULL */
		q->vals[q->n] = NULL;
		q->lens[q->n] = 0;
		q->fmts[q->n] = bin;
		q->n++;
		return EB_OK;
	}
	if (!bin)
		len = strlen(p);
	if (len > (size_t)1 << 30)
		return EB_ERR_LIMIT;
	copy = eb_malloc(len + 1);
	memcpy(copy, p, len);
	copy[len] = '\0';
	q->vals[q->n] = copy;
	q->lens[q->n] = (int)len;
	q->fmts[q->n] = bin;
	q->n++;
	return EB_OK;
}

static int
query_param_i64(struct query *q, int64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%lld", (long long)v);
	return query_param(q, t, 0, 0);
}

static int64_t
get_i64(const PGresult *r, int row, int col)
{
	uint64_t be;

	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
		return 0;
	memcpy(&be, PQgetvalue(r, row, col), 8);
	return (int64_t)be64toh(be);
}

static void
fail_db(struct eb_error *e, const char *what, const char *why)
{
	eb_fail(e, EB_ERR_DB, "database-unavailable",
	    "Try again in a moment; if it persists, tell the centre's operators.",
	    "%s: %s", what, why);
}

/* Map a finished query's result to rc/err. */
static int
result_rc(const struct query *q, struct eb_error *e)
{
	const char *state, *msg;
	ExecStatusType st;

	if (q->res == NULL) {
		fail_db(e, "database error", "no result");
		return EB_ERR_DB;
	}
	st = PQresultStatus(q->res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return EB_OK;
	state = PQresultErrorField(q->res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(q->res, PG_DIAG_MESSAGE_PRIMARY);
	if (state != NULL && strcmp(state, "EB409") == 0)
		return eb_fail(e, EB_ERR_CONFLICT, "head-moved",
		    "Submit the command again.",
		    "another command on this aggregate was committed first");
	if (state != NULL && strcmp(state, "EBDUP") == 0)
		return eb_fail(e, EB_ERR_CONFLICT, "duplicate-command",
		    "Send the same command again: its first reply comes back.",
		    "this signed command is already in the log");
	if (state != NULL && (strcmp(state, "40P01") == 0 ||
	    strcmp(state, "40001") == 0)) {
		/* deadlock_detected, serialization_failure: the transaction
		 * was undone whole and may run again (groupcommit.c does) */
		eb_fail(e, EB_ERR_DB, "database-retry",
		    "Submit the command again.",
		    "the database undid the transaction for a concurrent "
		    "one: %s", msg != NULL ? msg : "unknown");
		eb_error_detail(e, "SQLSTATE %s", state);
		return EB_ERR_DB;
	}
	fail_db(e, "database error", msg != NULL ? msg : "unknown");
	if (state != NULL)
		eb_error_detail(e, "SQLSTATE %s", state);
	return EB_ERR_DB;
}

/* Run the callback of a finished (or failed: rc != OK) query. */
static void
query_finish(struct query *q, int rc, struct eb_error *e)
{
	struct eb_error local;
	const PGresult *r = q->res;
	int answered = rc == EB_OK;   /* the database ran it and answered */

	if (e == NULL) {
		eb_error_clear(&local);
		e = &local;
	}
	if (rc == EB_OK)
		rc = result_rc(q, e);
	if (q->nrefs > 0)
		refs_end(q, answered, rc, e);
	switch (q->kind) {
	case Q_DONE:
		if (q->cb.done != NULL)
			q->cb.done(rc, e, q->arg);
		break;
	case Q_I64:
		if (rc == EB_OK && (PQntuples(r) != 1 || PQnfields(r) != 1))
			rc = eb_fail(e, EB_ERR_DB, "database-error", NULL,
			    "unexpected result shape");
		q->cb.i64(rc, e, rc == EB_OK ? get_i64(r, 0, 0) : 0, q->arg);
		break;
	case Q_TEXT:
		if (rc == EB_OK && (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)))
			rc = eb_fail(e, EB_ERR_DB, "database-error", NULL,
			    "unexpected result shape");
		q->cb.text(rc, e, rc == EB_OK ? PQgetvalue(r, 0, 0) : NULL,
		    q->arg);
		break;
	case Q_RESULT:
		q->cb.result(rc, e, rc == EB_OK ? r : NULL, q->arg);
		break;
	case Q_BATCH: {
		char *st = NULL;

		if (rc == EB_OK && (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ||
		    (size_t)PQgetlength(r, 0, 0) != q->nbatch))
			rc = eb_fail(e, EB_ERR_DB, "database-error", NULL,
			    "unexpected result shape");
		if (rc == EB_OK) {
			st = eb_malloc(q->nbatch + 1);
			memcpy(st, PQgetvalue(r, 0, 0), q->nbatch);
			st[q->nbatch] = '\0';
		}
		q->cb.batch(rc, e, st, rc == EB_OK ? q->nbatch : 0, q->arg);
		free(st);
		break;
	}
	case Q_ROWS: {
		struct eb_store_row *rows = NULL;
		size_t n = 0;
		int nt = rc == EB_OK ? PQntuples(r) : 0;
		char kind[16] = "";

		if (rc == EB_OK && nt == 0)
			rc = eb_fail(e, EB_ERR_NOTFOUND, "unknown-aggregate",
			    "Check the id: it is given in the reply that created it.",
			    "no such tender, sale or pool");
		if (rc == EB_OK) {
			snprintf(kind, sizeof(kind), "%.*s",
			    PQgetlength(r, 0, 0), PQgetvalue(r, 0, 0));
			rows = eb_calloc((size_t)nt, sizeof(*rows));
		}
		for (int i = 0; rc == EB_OK && i < nt; i++) {
			if (PQgetisnull(r, i, 1))
				continue;   /* LEFT JOIN: no entries after */
			if (PQgetlength(r, i, 3) != EB_SHA256_LEN ||
			    PQgetlength(r, i, 5) != EB_SHA256_LEN) {
				rc = eb_fail(e, EB_ERR_DB, "database-error",
				    NULL, "stored hash has the wrong length");
				break;
			}
			rows[n].seq = get_i64(r, i, 1);
			rows[n].time_ms = get_i64(r, i, 2);
			memcpy(rows[n].hash, PQgetvalue(r, i, 3),
			    EB_SHA256_LEN);
			rows[n].events = (const uint8_t *)PQgetvalue(r, i, 4);
			rows[n].events_len = (size_t)PQgetlength(r, i, 4);
			memcpy(rows[n].command_sha256, PQgetvalue(r, i, 5),
			    EB_SHA256_LEN);
			n++;
		}
		q->cb.rows(rc, e, rc == EB_OK ? kind : NULL,
		    rc == EB_OK ? rows : NULL, rc == EB_OK ? n : 0, q->arg);
		free(rows);
		break;
	}
	}
	query_free(q);
}

/*
 * Fail 'q' with 'e' from the deferred event, never in the caller's stack
 * (while closing, at once: eb_store_free() fails everything it holds).
 */
static void
query_fail(struct eb_store *s, struct query *q, const struct eb_error *e)
{
	q->err = *e;
	q->next = NULL;
	if (s->closing || s->ev_failed == NULL) {
		query_finish(q, EB_ERR_DB, &q->err);
		return;
	}
	if (s->failed_tail != NULL)
		s->failed_tail->next = q;
	else
		s->failed = q;
	s->failed_tail = q;
	event_active(s->ev_failed, EV_TIMEOUT, 0);
}

/* Run the callbacks of the failed queries, in the order they failed. */
static void
failed_flush(struct eb_store *s)
{
	struct query *q;

	while ((q = s->failed) != NULL) {
		s->failed = q->next;
		if (s->failed == NULL)
			s->failed_tail = NULL;
		query_finish(q, EB_ERR_DB, &q->err);
	}
}

static void
failed_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	failed_flush(arg);
}

/* -- connections -------------------------------------------------------- */

static void
pgc_close(struct pgc *c)
{
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_poll != NULL)
		event_free(c->ev_poll);
	c->ev_read = c->ev_write = c->ev_poll = NULL;
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	c->state = PGC_DOWN;
	c->prepared = 0;              /* a new session knows none of them */
	c->preparing = 0;
}

static int
anyone_up_or_coming(const struct eb_store *s)
{
	for (int i = 0; i < s->nconn; i++)
		if (s->conns[i].state != PGC_DOWN)
			return 1;
	return 0;
}

/* Fail every queued query (nobody can run it). */
static void
fail_queue(struct eb_store *s, const char *why)
{
	struct query *q;
	struct eb_error e;

	while ((q = s->head) != NULL) {
		s->head = q->next;
		if (s->head == NULL)
			s->tail = NULL;
		if (s->prio_last == q)
			s->prio_last = NULL;
		s->queued--;
		eb_error_clear(&e);
		fail_db(&e, "database unreachable", why);
		query_fail(s, q, &e);
	}
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pgc *c = arg;

	(void)fd;
	(void)what;
	if (!c->s->closing && c->state == PGC_DOWN)
		pgc_connect(c);
}

static void
pgc_lost(struct pgc *c, const char *why)
{
	struct eb_store *s = c->s;
	struct query *q = c->q;
	struct timeval tv = { 1, 0 };
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", why != NULL ? why : "connection lost");
	for (size_t l = strlen(msg); l > 0 && msg[l - 1] == '\n'; l--)
		msg[l - 1] = '\0';
	c->q = NULL;
	pgc_close(c);
	if (q != NULL) {
		struct eb_error e;
		s->inflight--;
		eb_error_clear(&e);
		fail_db(&e, "database connection lost", msg);
		query_fail(s, q, &e);
	}
	if (!s->closing) {
		if (c->ev_retry == NULL)
			c->ev_retry = evtimer_new(s->base, retry_cb, c);
		if (c->ev_retry != NULL)
			evtimer_add(c->ev_retry, &tv);
		if (!anyone_up_or_coming(s))
			fail_queue(s, msg);
	}
}

/*
 * Send 'q' on 'c': a named statement not yet prepared on this connection
 * is prepared first (c->preparing; read_cb sends the query itself when
 * the prepare's result has come).  Returns 0, or -1 when libpq could not
 * queue it (the caller loses the connection).
 */
static int
pgc_send(struct pgc *c, struct query *q)
{
	struct eb_store *s = c->s;
	char name[16];

	if (q->stmt < 0) {
		s->stats.unnamed++;
		return PQsendQueryParams(c->conn, q->sql, q->n, NULL,
		    (const char *const *)q->vals, q->lens, q->fmts,
		    q->text_results ? 0 : 1) ? 0 : -1;
	}
	snprintf(name, sizeof(name), "eb_s%d", q->stmt);
	if (!(c->prepared & ((uint64_t)1 << q->stmt))) {
		/* parameter types as the text says ($n::type) or as inferred,
		 * the same as PQsendQueryParams without types */
		s->stats.prepares++;
		c->preparing = 1;
		return PQsendPrepare(c->conn, name, q->sql, 0, NULL) ? 0 : -1;
	}
	s->stats.executes++;
	return PQsendQueryPrepared(c->conn, name, q->n,
	    (const char *const *)q->vals, q->lens, q->fmts,
	    q->text_results ? 0 : 1) ? 0 : -1;
}

/*
 * The end of a named statement's prepare (c->preparing) or of its run:
 * returns 1 when 'q' was sent again on 'c' (its prepare succeeded, or it
 * ran into a session that lost the statement, SQLSTATE 26000, and is
 * prepared again, once), 0 when 'q' is finished with its last result.
 */
static int
pgc_next_step(struct pgc *c, struct query *q)
{
	int was_prepare = c->preparing;
	const char *state;

	c->preparing = 0;
	if (q->stmt < 0)
		return 0;
	if (was_prepare) {
		if (q->res == NULL || PQresultStatus(q->res) != PGRES_COMMAND_OK)
			return 0;      /* the prepare's error is the query's */
		c->prepared |= (uint64_t)1 << q->stmt;
	} else {
		if (q->res == NULL || q->reprepared ||
		    PQresultStatus(q->res) != PGRES_FATAL_ERROR ||
		    (state = PQresultErrorField(q->res, PG_DIAG_SQLSTATE)) ==
		    NULL || strcmp(state, SQLSTATE_NO_STMT) != 0)
			return 0;
		/* DEALLOCATE or DISCARD ran in this session: once more */
		c->prepared &= ~((uint64_t)1 << q->stmt);
		q->reprepared = 1;
	}
	PQclear(q->res);
	q->res = NULL;
	if (pgc_send(c, q) != 0) {
		pgc_lost(c, PQerrorMessage(c->conn));
		return 1;
	}
	pgc_flush(c);
	return 1;
}

static void
pgc_flush(struct pgc *c)
{
	int r = PQflush(c->conn);

	if (r < 0)
		pgc_lost(c, PQerrorMessage(c->conn));
	else if (r == 1)
		event_add(c->ev_write, NULL);
	else
		event_del(c->ev_write);
}

static void
write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pgc_flush(arg);
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pgc *c = arg;
	struct eb_store *s = c->s;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(c->conn)) {
		pgc_lost(c, PQerrorMessage(c->conn));
		return;
	}
	while (c->q != NULL && !PQisBusy(c->conn)) {
		PGresult *r = PQgetResult(c->conn);
		struct query *q;

		if (r != NULL) {
			if (c->q->res != NULL)
				PQclear(c->q->res);
			c->q->res = r;
			continue;
		}
		q = c->q;               /* end of this statement's results */
		if (pgc_next_step(c, q))
			continue;       /* sent again (or the connection lost) */
		c->q = NULL;
		c->state = PGC_IDLE;
		s->inflight--;
		query_finish(q, EB_OK, NULL);
		break;
	}
	if (c->q == NULL && c->conn != NULL && PQstatus(c->conn) == CONNECTION_BAD)
		pgc_lost(c, PQerrorMessage(c->conn));
	dispatch(s);
}

static void
pgc_ready(struct pgc *c)
{
	struct eb_store *s = c->s;
	int fd = PQsocket(c->conn);
	struct query *q;

	if (PQsetnonblocking(c->conn, 1) != 0) {
		pgc_lost(c, PQerrorMessage(c->conn));
		return;
	}
	c->ev_read = event_new(s->base, fd, EV_READ | EV_PERSIST, read_cb, c);
	c->ev_write = event_new(s->base, fd, EV_WRITE | EV_PERSIST, write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL) {
		pgc_lost(c, "out of memory");
		return;
	}
	event_add(c->ev_read, NULL);
	/* First query of every connection: READ COMMITTED, whatever the
	 * server's default (the head row lock relies on it). */
	if ((q = query_new("SET default_transaction_isolation = "
	    "'read committed'", Q_DONE, NULL)) == NULL) {
		pgc_lost(c, "out of memory");
		return;
	}
	c->q = q;
	c->state = PGC_BUSY;
	s->inflight++;
	if (!PQsendQueryParams(c->conn, q->sql, 0, NULL, NULL, NULL, NULL, 1)) {
		pgc_lost(c, PQerrorMessage(c->conn));
		return;
	}
	pgc_flush(c);
}

static void poll_cb(evutil_socket_t fd, short what, void *arg);

static void
pgc_poll_wait(struct pgc *c, PostgresPollingStatusType st)
{
	short ev = st == PGRES_POLLING_READING ? EV_READ : EV_WRITE;
	struct timeval tv = { 10, 0 };

	if (c->ev_poll != NULL)
		event_free(c->ev_poll);
	c->ev_poll = event_new(c->s->base, PQsocket(c->conn), ev, poll_cb, c);
	if (c->ev_poll == NULL || event_add(c->ev_poll, &tv) != 0)
		pgc_lost(c, "cannot watch the database socket");
}

static void
poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pgc *c = arg;
	PostgresPollingStatusType st;

	(void)fd;
	if (what & EV_TIMEOUT) {
		pgc_lost(c, "connection timed out");
		return;
	}
	st = PQconnectPoll(c->conn);
	if (st == PGRES_POLLING_OK) {
		event_free(c->ev_poll);
		c->ev_poll = NULL;
		pgc_ready(c);
	} else if (st == PGRES_POLLING_FAILED) {
		pgc_lost(c, PQerrorMessage(c->conn));
	} else {
		pgc_poll_wait(c, st);
	}
}

static void
pgc_connect(struct pgc *c)
{
	c->conn = PQconnectStart(c->s->conninfo);
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD) {
		pgc_lost(c, c->conn != NULL ? PQerrorMessage(c->conn) :
		    "out of memory");
		return;
	}
	c->state = PGC_CONNECTING;
	pgc_poll_wait(c, PGRES_POLLING_WRITING);
}

/* Give queued queries to idle connections. */
static void
dispatch(struct eb_store *s)
{
	for (int i = 0; i < s->nconn && s->head != NULL; i++) {
		struct pgc *c = &s->conns[i];
		struct query *q;

		if (c->state != PGC_IDLE)
			continue;
		q = s->head;
		s->head = q->next;
		if (s->head == NULL)
			s->tail = NULL;
		if (s->prio_last == q)
			s->prio_last = NULL;
		s->queued--;
		q->next = NULL;
		c->q = q;
		c->state = PGC_BUSY;
		s->inflight++;
		if (pgc_send(c, q) != 0) {
			pgc_lost(c, PQerrorMessage(c->conn));
			continue;
		}
		pgc_flush(c);
	}
}

/*
 * Queue 'q' (takes ownership, also on failure).  A priority query (the
 * batch append: replies wait for it) goes after the other priority
 * queries but before every other waiting query.
 */
static int
submit_q(struct eb_store *s, struct query *q, int prio)
{
	if (s->closing) {
		query_free(q);
		return EB_ERR_STATE;
	}
	if (!anyone_up_or_coming(s)) {
		struct eb_error e;
		eb_error_clear(&e);
		fail_db(&e, "database unreachable", "no connection is up");
		query_fail(s, q, &e);
		return EB_OK;
	}
	if (prio) {
		struct query *after = s->prio_last;

		q->next = after != NULL ? after->next : s->head;
		if (after != NULL)
			after->next = q;
		else
			s->head = q;
		if (q->next == NULL)
			s->tail = q;
		s->prio_last = q;
	} else {
		if (s->tail != NULL)
			s->tail->next = q;
		else
			s->head = q;
		s->tail = q;
	}
	s->queued++;
	dispatch(s);
	return EB_OK;
}

static int
submit(struct eb_store *s, struct query *q)
{
	return submit_q(s, q, 0);
}

/* -- public ------------------------------------------------------------- */

struct eb_store *
eb_store_open(struct event_base *base, const char *conninfo, int nconn,
    struct eb_error *err)
{
	struct eb_store *s = NULL;

	if (nconn < 1 || nconn > EB_STORE_MAX_CONN) {
		eb_fail(err, EB_ERR_USAGE, "bad-pool-size",
		    "Use between 1 and 32 database connections.",
		    "database pool size %d is out of range", nconn);
		return NULL;
	}
	s = eb_calloc(1, sizeof(*s));
	s->conninfo = eb_strdup(conninfo != NULL ? conninfo : "");
	s->base = base;
	s->nconn = nconn;
	/* fails only when libevent cannot allocate */
	if ((s->ev_failed = event_new(base, -1, 0, failed_cb, s)) == NULL)
		eb_oom("event_new", 0);
	if ((s->ev_refs = event_new(base, -1, 0, refs_cb, s)) == NULL ||
	    (s->ev_refs_hold = evtimer_new(base, refs_cb, s)) == NULL)
		eb_oom("event_new", 0);
	if ((s->ev_spare = evtimer_new(base, spare_cb, s)) == NULL)
		eb_oom("evtimer_new", 0);
	for (int i = 0; i < nconn; i++) {
		s->conns[i].s = s;
		s->conns[i].state = PGC_DOWN;
	}
	for (int i = 0; i < nconn; i++)
		pgc_connect(&s->conns[i]);
	return s;
}

void
eb_store_free(struct eb_store *s)
{
	if (s == NULL)
		return;
	s->closing = 1;
	for (int i = 0; i < s->nconn; i++) {
		struct pgc *c = &s->conns[i];
		struct query *q = c->q;

		c->q = NULL;
		pgc_close(c);
		if (c->ev_retry != NULL)
			event_free(c->ev_retry);
		c->ev_retry = NULL;
		if (q != NULL) {
			struct eb_error e;
			eb_error_clear(&e);
			fail_db(&e, "database unreachable", "shutting down");
			query_finish(q, EB_ERR_DB, &e);
		}
	}
	refs_flush(s);                /* failed at once: closing */
	fail_queue(s, "shutting down");
	failed_flush(s);
	event_free(s->ev_failed);
	event_free(s->ev_refs);
	event_free(s->ev_refs_hold);
	event_free(s->ev_spare);
	spares_free(s);
	free(s->refs);
	free(s->conninfo);
	free(s);
}

size_t
eb_store_busy(const struct eb_store *s)
{
	/* the refusals not yet sent count: the drain waits for them */
	return s->queued + s->inflight + s->nrefs;
}

int
eb_store_up(const struct eb_store *s)
{
	int n = 0;

	for (int i = 0; i < s->nconn; i++)
		if (s->conns[i].state == PGC_IDLE ||
		    s->conns[i].state == PGC_BUSY)
			n++;
	return n;
}

int
eb_store_ping(struct eb_store *s, eb_store_i64_fn cb, void *arg)
{
	struct query *q = query_new("SELECT 1::int8", Q_I64, arg);

	q->cb.i64 = cb;
	return submit(s, q);
}

int
eb_store_load(struct eb_store *s, const char *aggregate, int64_t after_seq,
    eb_store_rows_fn cb, void *arg)
{
	/* both parameters through scalar subqueries: their values are
	 * unknown to the planner in a custom plan as in the generic one, so
	 * the two cost the same and after five runs PostgreSQL keeps the
	 * generic plan (the aggregate by its key, its log_pkey range after
	 * the seq) instead of planning each delta load again: 0.14 ms of
	 * planning each in the hot race for 0.024 ms of execution
	 * (docs/performance.md, sixth pass: the hot race) */
	struct query *q = query_new(
	    "SELECT a.kind, l.seq, l.time_ms, l.hash, l.events,"
	    " l.command_sha256"
	    "  FROM aggregates a"
	    "  LEFT JOIN log l ON l.aggregate = a.id"
	    "   AND l.seq > (SELECT $2::int8)"
	    " WHERE a.id = (SELECT $1::text) ORDER BY l.seq", Q_ROWS, arg);
	int rc;

	query_named(s, q);
	q->cb.rows = cb;
	if ((rc = query_param(q, aggregate, 0, 0)) != EB_OK ||
	    (rc = query_param_i64(q, after_seq)) != EB_OK) {
		query_free(q);
		return rc;
	}
	return submit(s, q);
}

int
eb_store_append(struct eb_store *s, const struct eb_store_entry *e,
    eb_store_done_fn cb, void *arg)
{
	struct query *q = query_new(
	    "SELECT eb_append($1, $2, $3::int8, $4::int8, $5, $6, $7, $8, $9,"
	    " $10, $11, $12, $13, $14, $15, $16, $17::int2, $18)", Q_DONE,
	    arg);
	int rc = EB_OK;

	query_named(s, q);
	q->cb.done = cb;
	if ((rc = query_param(q, e->aggregate, 0, 0)) ||
	    (rc = query_param(q, e->kind, 0, 0)) ||
	    (rc = query_param_i64(q, e->seq)) ||
	    (rc = query_param_i64(q, e->time_ms)) ||
	    (rc = query_param(q, e->party, 0, 0)) ||
	    (rc = query_param(q, e->role, 0, 0)) ||
	    (rc = query_param(q, e->person, 0, 0)) ||
	    (rc = query_param(q, e->command, e->command_len, 1)) ||
	    (rc = query_param(q, e->command_sha256, EB_SHA256_LEN, 1)) ||
	    (rc = query_param(q, e->events, e->events_len, 1)) ||
	    (rc = query_param(q, e->clock, 0, 0)) ||
	    (rc = query_param(q, e->receipt, e->receipt_len, 1)) ||
	    (rc = query_param(q, e->prev_hash, EB_SHA256_LEN, 1)) ||
	    (rc = query_param(q, e->hash, EB_SHA256_LEN, 1)) ||
	    (rc = query_param(q, e->state, 0, 0)) ||
	    (rc = query_param(q, e->head_sig, e->head_sig_len, 1)) ||
	    (rc = e->rules > 0 ? query_param_i64(q, e->rules) :
	    query_param(q, NULL, 0, 0)) ||
	    (rc = query_param(q, e->request_id, 0, 0))) {
		query_free(q);
		return rc;
	}
	return submit(s, q);
}

/* -- the batch append: one-dimensional arrays in binary format ---------- */

#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_TEXT 25
#define BATCH_COLUMNS 18

static int
put_be32(struct eb_buf *b, uint32_t v)
{
	uint32_t be = htobe32(v);

	return eb_buf_append(b, &be, 4);
}

/* The header of a 1-dimensional array of 'n' elements of type 'oid'. */
static int
arr_begin(struct eb_buf *b, uint32_t oid, size_t n)
{
	b->max = (size_t)1 << 30;
	return put_be32(b, 1) || put_be32(b, 0) || put_be32(b, oid) ||
	    put_be32(b, (uint32_t)n) || put_be32(b, 1);
}

/* One element (NULL when p is NULL: the has-null flag is set). */
static int
arr_put(struct eb_buf *b, const void *p, size_t len)
{
	if (p == NULL) {
		uint32_t one = htobe32(1);

		memcpy(b->data + 4, &one, 4);
		return put_be32(b, 0xffffffffu);
	}
	if (len > (size_t)INT32_MAX)
		return EB_ERR_LIMIT;
	return put_be32(b, (uint32_t)len) || (len > 0 &&
	    eb_buf_append(b, p, len));
}

static int
arr_put_i64(struct eb_buf *b, int64_t v)
{
	uint64_t be = htobe64((uint64_t)v);

	return arr_put(b, &be, 8);
}

/*
 * The k-th field of entry 'e' as eb_append_batch()'s k-th array element:
 * its bytes and length, *p NULL for SQL NULL ('tmp' holds an integer's
 * big-endian bytes).
 */
static void
batch_field(const struct eb_store_entry *e, int k, const void **p,
    size_t *len, uint8_t tmp[8])
{
	const char *t = NULL;
	uint64_t be64;
	uint16_t be16;

	switch (k) {
	case 0: t = e->aggregate; break;
	case 1: t = e->kind; break;
	case 2:
	case 3:
		be64 = htobe64((uint64_t)(k == 2 ? e->seq : e->time_ms));
		memcpy(tmp, &be64, 8);
		*p = tmp;
		*len = 8;
		return;
	case 4: t = e->party; break;
	case 5: t = e->role; break;
	case 6: t = e->person; break;
	case 7: *p = e->command; *len = e->command_len; return;
	case 8: *p = e->command_sha256; *len = EB_SHA256_LEN; return;
	case 9: *p = e->events; *len = e->events_len; return;
	case 10: t = e->clock; break;
	case 11: *p = e->receipt; *len = e->receipt_len; return;
	case 12: *p = e->prev_hash; *len = EB_SHA256_LEN; return;
	case 13: *p = e->hash; *len = EB_SHA256_LEN; return;
	case 14: t = e->state; break;
	case 15: *p = e->head_sig; *len = e->head_sig_len; return;
	case 16:            /* smallint, NULL when not recorded */
		be16 = htobe16((uint16_t)e->rules);
		memcpy(tmp, &be16, 2);
		*p = e->rules > 0 ? tmp : NULL;
		*len = 2;
		return;
	default: t = e->request_id; break;
	}
	*p = t;
	*len = t != NULL ? strlen(t) : 0;
}

static uint8_t *
put_be32_at(uint8_t *w, uint32_t v)
{
	uint32_t be = htobe32(v);

	memcpy(w, &be, 4);
	return w + 4;
}

static uint8_t *
blob_alloc(size_t cap)
{
	void *p;

	if (cap < SPARE_MMAP_MIN)
		return eb_malloc(cap);
	p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		eb_oom("mmap", cap);
	return p;
}

static void
blob_free(uint8_t *p, size_t cap)
{
	if (cap < SPARE_MMAP_MIN)
		free(p);
	else
		(void)munmap(p, cap);
}

/*
 * A buffer of at least 'need' bytes for a batch's parameters: the
 * smallest spare that is large enough, or a new one (rounded up, so that
 * the next batches of about the same size fit it).  *cap is its size.
 * A batch's 1 MiB arrays allocated afresh each time were above the mmap
 * threshold (main.c): mapped, faulted page by page and unmapped for every
 * batch (docs/performance.md, issue 17, ninth pass: the surge).
 */
static uint8_t *
spare_get(struct eb_store *s, size_t need, size_t *cap)
{
	int best = -1;
	uint8_t *p;

	for (int i = 0; i < s->nspare; i++)
		if (s->spare[i].cap >= need && (best < 0 ||
		    s->spare[i].cap < s->spare[best].cap))
			best = i;
	if (best >= 0) {
		p = s->spare[best].p;
		*cap = s->spare[best].cap;
		s->spare[best] = s->spare[--s->nspare];
		s->spare_taken = 1;
		s->stats.batch_buffers_reused++;
		return p;
	}
	*cap = need <= SIZE_MAX - SPARE_ROUND ?
	    (need + SPARE_ROUND - 1) / SPARE_ROUND * SPARE_ROUND : need;
	s->stats.batch_buffers_new++;
	return blob_alloc(*cap);
}

/* Give a batch's buffer back: kept (bounded) or freed. */
static void
spare_put(struct eb_store *s, uint8_t *p, size_t cap)
{
	int small = 0;

	if (s == NULL || s->closing || cap > SPARE_MAX) {
		blob_free(p, cap);
		return;
	}
	if (s->nspare == SPARES) {        /* replace the smallest */
		for (int i = 1; i < SPARES; i++)
			if (s->spare[i].cap < s->spare[small].cap)
				small = i;
		if (s->spare[small].cap >= cap) {
			blob_free(p, cap);
			return;
		}
		blob_free(s->spare[small].p, s->spare[small].cap);
		s->nspare--;
		s->spare[small] = s->spare[s->nspare];
	}
	s->spare[s->nspare].p = p;
	s->spare[s->nspare].cap = cap;
	s->nspare++;
	if (s->ev_spare != NULL && !evtimer_pending(s->ev_spare, NULL)) {
		struct timeval tv = { 1, 0 };

		s->spare_taken = 0;
		evtimer_add(s->ev_spare, &tv);
	}
}

static void
spares_free(struct eb_store *s)
{
	while (s->nspare > 0) {
		s->nspare--;
		blob_free(s->spare[s->nspare].p, s->spare[s->nspare].cap);
	}
}

/* Every second while spares are kept: a second without a batch taking one
 * frees them all (a burst's buffers do not stay for the idle hours). */
static void
spare_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_store *s = arg;
	struct timeval tv = { 1, 0 };

	(void)fd;
	(void)what;
	if (!s->spare_taken) {
		spares_free(s);
		return;
	}
	s->spare_taken = 0;
	if (s->nspare > 0)
		evtimer_add(s->ev_spare, &tv);
}

/* The batch append, and the same with the refusals' rows (refs_take). */
#define SQL_BATCH_CALL "SELECT eb_append_batch($1::text[], $2::text[]," \
	" $3::int8[], $4::int8[], $5::text[], $6::text[], $7::text[]," \
	" $8::bytea[], $9::bytea[], $10::bytea[], $11::text[]," \
	" $12::bytea[], $13::bytea[], $14::bytea[], $15::text[]," \
	" $16::bytea[], $17::int2[], $18::text[])"
static const char SQL_BATCH[] = SQL_BATCH_CALL;
static const char SQL_BATCH_REFS[] =
    "WITH r AS (INSERT INTO security_log (time_ms, clock, party, role,"
    " person, command, target, code, reason, message, request_id)"
    " SELECT u.* FROM unnest($19::int8[], $20::text[], $21::text[],"
    " $22::text[], $23::text[], $24::text[], $25::text[], $26::text[],"
    " $27::text[], $28::text[], $29::text[]) AS u) " SQL_BATCH_CALL;
static int refs_take(struct eb_store *s, struct query *q);

int
eb_store_append_batch(struct eb_store *s,
    const struct eb_store_entry *const *entries, size_t n,
    eb_store_batch_fn cb, void *arg)
{
	static const uint32_t oid[BATCH_COLUMNS] = { OID_TEXT, OID_TEXT,
	    OID_INT8, OID_INT8, OID_TEXT, OID_TEXT, OID_TEXT, OID_BYTEA,
	    OID_BYTEA, OID_BYTEA, OID_TEXT, OID_BYTEA, OID_BYTEA, OID_BYTEA,
	    OID_TEXT, OID_BYTEA, OID_INT2, OID_TEXT };
	size_t collen[BATCH_COLUMNS], total = 0;
	struct query *q;
	uint8_t tmp[8], *w;
	const void *p;
	size_t len;

	if (n == 0 || n > EB_STORE_BATCH_MAX)
		return EB_ERR_USAGE;
	/* each column's exact size first: one buffer, written once (binary
	 * one-dimensional arrays: a 20-byte header, then each element's
	 * length, -1 for NULL, and bytes) */
	for (int k = 0; k < BATCH_COLUMNS; k++) {
		collen[k] = 20;
		for (size_t i = 0; i < n; i++) {
			batch_field(entries[i], k, &p, &len, tmp);
			if (p == NULL)
				len = 0;
			if (len > (size_t)INT32_MAX ||
			    collen[k] > (size_t)INT32_MAX - 4 - len)
				return EB_ERR_LIMIT;
			collen[k] += 4 + len;
		}
		total += collen[k];
	}
	q = query_new(SQL_BATCH, Q_BATCH, arg);
	query_named(s, q);
	q->cb.batch = cb;
	q->nbatch = n;
	q->pool = s;
	q->blob = spare_get(s, total, &q->blobcap);
	w = q->blob;
	for (int k = 0; k < BATCH_COLUMNS; k++) {
		uint8_t *col = w;
		int has_null = 0;

		w = put_be32_at(w, 1);              /* dimensions */
		w = put_be32_at(w, 0);              /* has-null flag, below */
		w = put_be32_at(w, oid[k]);
		w = put_be32_at(w, (uint32_t)n);
		w = put_be32_at(w, 1);              /* lower bound */
		for (size_t i = 0; i < n; i++) {
			batch_field(entries[i], k, &p, &len, tmp);
			if (p == NULL) {
				has_null = 1;
				w = put_be32_at(w, 0xffffffffu);
				continue;
			}
			w = put_be32_at(w, (uint32_t)len);
			if (len > 0)
				memcpy(w, p, len);
			w += len;
		}
		if (has_null)
			(void)put_be32_at(col + 4, 1);
		q->vals[k] = (char *)col;
		q->lens[k] = (int)collen[k];
		q->fmts[k] = 1;
		q->n++;
	}
	q->blob_n = q->n;
	/* the refusals queued now go in the batch's statement: one
	 * transaction, committed with the batch (refs_take) */
	if (refs_take(s, q) > 0) {
		q->sql = SQL_BATCH_REFS;
		query_named(s, q);
	}
	return submit_q(s, q, 1);
}

int
eb_store_next_id(struct eb_store *s, const char *kind, int year,
    eb_store_text_fn cb, void *arg)
{
	struct query *q = query_new("SELECT eb_next_id($1, $2::int4)", Q_TEXT,
	    arg);
	int rc;

	query_named(s, q);
	q->cb.text = cb;
	if ((rc = query_param(q, kind, 0, 0)) != EB_OK ||
	    (rc = query_param_i64(q, year)) != EB_OK) {
		query_free(q);
		return rc;
	}
	return submit(s, q);
}

int
eb_store_next_serial(struct eb_store *s, eb_store_i64_fn cb, void *arg)
{
	struct query *q = query_new("SELECT nextval('tsa_serial')", Q_I64, arg);

	query_named(s, q);
	q->cb.i64 = cb;
	return submit(s, q);
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * 't' is text PostgreSQL's UTF8 input takes (pg_utf8_islegal: shortest
 * forms only, no surrogates, nothing over U+10FFFF; a C string has no
 * NUL).  A refusal's row rides in a batch's statement only then: a row
 * the database refuses must not undo the batch's entries.
 */
static int
utf8_ok(const char *t)
{
	const unsigned char *p = (const unsigned char *)t;

	while (*p != 0) {
		unsigned c = *p;
		int n;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		for (int k = 1; k <= n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

/* The row may go in a batch's statement (refs_take). */
static int
ref_rides(const struct refrow *r)
{
	if (r->alone)
		return 0;
	for (int k = 0; k < REF_FIELDS; k++)
		if (r->f[k] == NULL || !utf8_ok(r->f[k]))
			return 0;
	return 1;
}

/* The database's text is UTF8, as is the session's (refs_take). */
static int
server_utf8(const struct eb_store *s)
{
	for (int i = 0; i < s->nconn; i++) {
		const struct pgc *c = &s->conns[i];
		const char *se, *ce;

		if ((c->state != PGC_IDLE && c->state != PGC_BUSY) ||
		    c->conn == NULL)
			continue;
		se = PQparameterStatus(c->conn, "server_encoding");
		ce = PQparameterStatus(c->conn, "client_encoding");
		return se != NULL && ce != NULL && strcmp(se, "UTF8") == 0 &&
		    strcmp(ce, "UTF8") == 0;
	}
	return 0;
}

/* 'n' rows as the 11 arrays of an INSERT ... unnest(), after q's params. */
static int
refs_params(struct query *q, const struct refrow *rows, size_t n)
{
	int rc = EB_OK;

	for (int k = 0; k <= REF_FIELDS; k++) {
		struct eb_buf b = EB_BUF_INIT;
		size_t len;

		if (q->n >= EB_STORE_MAX_PARAMS ||
		    arr_begin(&b, k == 0 ? OID_INT8 : OID_TEXT, n) != EB_OK)
			rc = EB_ERR_LIMIT;
		for (size_t i = 0; rc == EB_OK && i < n; i++) {
			const char *t = k > 0 ? rows[i].f[k - 1] : NULL;

			if (k == 0)
				rc = arr_put_i64(&b, rows[i].time_ms);
			else
				rc = arr_put(&b, t, t != NULL ? strlen(t) : 0);
		}
		if (rc != EB_OK || b.len > (size_t)INT32_MAX) {
			eb_buf_free(&b);
			return EB_ERR_LIMIT;
		}
		q->vals[q->n] = (char *)eb_buf_steal(&b, &len);
		q->lens[q->n] = (int)len;
		q->fmts[q->n] = 1;
		q->n++;
	}
	return EB_OK;
}

/* Answer 'n' rows (their callbacks) and free them. */
static void
refs_answer(struct refrow *rows, size_t n, int rc, const struct eb_error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (rows[i].cb != NULL)
			rows[i].cb(rc, e, rows[i].arg);
		for (int k = 0; k < REF_FIELDS; k++)
			free(rows[i].f[k]);
	}
}

/* Queue 'n' rows again, first, to be written on their own (refs_cb). */
static void
refs_back(struct eb_store *s, const struct refrow *rows, size_t n)
{
	if (s->nrefs + n > s->caprefs) {
		s->caprefs = s->nrefs + n + 64;
		s->refs = eb_realloc(s->refs, s->caprefs * sizeof(*s->refs));
	}
	memmove(s->refs + n, s->refs, s->nrefs * sizeof(*s->refs));
	memcpy(s->refs, rows, n * sizeof(*s->refs));
	for (size_t i = 0; i < n; i++)
		s->refs[i].alone = 1;
	if (s->nrefs == 0)
		s->refs_since_us = mono_us();
	s->nrefs += n;
	s->stats.refusals_back += n;
	event_active(s->ev_refs, EV_TIMEOUT, 0);
}

/*
 * The end of a statement that carried refusals (query_finish): their
 * callbacks get its outcome, as they always did.  A batch append the
 * database answered with an error was undone whole, its refusals' rows
 * with it (a statement is its own transaction): they are queued again,
 * to be written on their own.
 */
static void
refs_end(struct query *q, int answered, int rc, const struct eb_error *e)
{
	struct refrow *rows = q->refs;
	size_t n = q->nrefs;

	q->refs = NULL;
	q->nrefs = 0;
	if (q->kind == Q_BATCH && answered && rc != EB_OK &&
	    !q->pool->closing)
		refs_back(q->pool, rows, n);
	else
		refs_answer(rows, n, rc, e);
	free(rows);
}

/*
 * The refusals queued now that may ride, into the batch append 'q' (its
 * 18 arrays built): 11 arrays more, for the INSERT its statement begins
 * with (SQL_BATCH_REFS).  Their rows are then written in the batch's
 * transaction, committed with the batch's COMMIT, durable at its flush;
 * a row with a NULL or text the database could refuse stays queued.
 * Returns the rows taken.
 */
static int
refs_take(struct eb_store *s, struct query *q)
{
	struct refrow *rows;
	size_t n = 0, keep = 0;

	if (s->nrefs == 0 || s->closing || !server_utf8(s))
		return 0;
	for (size_t i = 0; i < s->nrefs && n < REF_MAX; i++)
		n += ref_rides(&s->refs[i]);
	if (n == 0)
		return 0;
	rows = eb_malloc(n * sizeof(*rows));
	n = 0;
	for (size_t i = 0; i < s->nrefs; i++) {
		if (n < REF_MAX && ref_rides(&s->refs[i]))
			rows[n++] = s->refs[i];
		else
			s->refs[keep++] = s->refs[i];
	}
	s->nrefs = keep;
	if (refs_params(q, rows, n) != EB_OK) {
		for (int i = q->blob_n; i < q->n; i++)
			free(q->vals[i]);
		q->n = q->blob_n;
		refs_back(s, rows, n);
		free(rows);
		return 0;
	}
	q->refs = rows;
	q->nrefs = n;
	s->stats.refusals_with_batch += n;
	return (int)n;
}

/*
 * The refusals queued, on their own: one INSERT of unnest()ed arrays,
 * its own transaction, committed without waiting for the WAL flush
 * (synchronous_commit off for this transaction only: set_config's third
 * argument).  A refusal's reply never waited for its row, and in a hot
 * race two requests of three are refusals (docs/performance.md, fourth
 * and fifth passes).  The rows are durable at the next flush: the next
 * batch's COMMIT or the WAL writer's, within 3 x wal_writer_delay.
 */
static void
refs_flush(struct eb_store *s)
{
	struct query *q;
	struct refrow *rows;
	size_t n = s->nrefs;

	if (n == 0)
		return;
	rows = eb_malloc(n * sizeof(*rows));
	memcpy(rows, s->refs, n * sizeof(*rows));
	s->nrefs = 0;
	if (s->closing) {
		struct eb_error e;

		eb_error_clear(&e);
		fail_db(&e, "database unreachable", "shutting down");
		refs_answer(rows, n, EB_ERR_DB, &e);
		free(rows);
		return;
	}
	q = query_new(
	    "WITH async AS (SELECT set_config('synchronous_commit', 'off',"
	    " true)) INSERT INTO security_log (time_ms, clock, party, role,"
	    " person, command, target, code, reason, message, request_id)"
	    " SELECT u.* FROM async, unnest($1::int8[], $2::text[],"
	    " $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
	    " $8::text[], $9::text[], $10::text[], $11::text[]) AS u",
	    Q_DONE, NULL);
	query_named(s, q);
	q->pool = s;
	if (refs_params(q, rows, n) != EB_OK) {
		struct eb_error e;

		eb_error_clear(&e);
		eb_fail(&e, EB_ERR_DB, "database-error", NULL,
		    "cannot build the refusals' insert");
		query_free(q);
		refs_answer(rows, n, EB_ERR_LIMIT, &e);
		free(rows);
		return;
	}
	q->refs = rows;
	q->nrefs = n;
	s->stats.refusals_alone += n;
	(void)submit(s, q);           /* not closing: accepted */
}

/*
 * The end of a loop pass in which refusals were queued, or of their
 * wait: a row that may ride waits for the next batch append
 * (eb_store_append_batch() takes it), REF_HOLD_US at most after the
 * oldest was queued; then, and for the rows that may not ride, one
 * INSERT of their own.  In a hot race a batch leaves every few ms, so
 * the refusals' rows are written by the batches' statements.
 */
static void
refs_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eb_store *s = arg;
	int ride = 1;

	(void)fd;
	(void)what;
	if (s->nrefs == 0)
		return;
	for (size_t i = 0; i < s->nrefs && ride; i++)
		ride = ref_rides(&s->refs[i]);
	if (ride && !s->closing) {
		int64_t waited = mono_us() - s->refs_since_us;

		if (waited >= 0 && waited < REF_HOLD_US) {
			struct timeval tv = { 0, (suseconds_t)(REF_HOLD_US -
			    waited) };

			evtimer_add(s->ev_refs_hold, &tv);
			return;
		}
	}
	refs_flush(s);
}

int
eb_store_refusal(struct eb_store *s, const struct eb_store_refusal *r,
    eb_store_done_fn cb, void *arg)
{
	const char *f[REF_FIELDS] = { r->clock, r->party, r->role, r->person,
		r->command, r->target, eb_strerror(r->why->code),
		r->why->reason, r->why->primary, r->request_id };
	struct refrow *row;

	if (s->nrefs == s->caprefs) {
		s->caprefs = s->caprefs ? 2 * s->caprefs : 64;
		s->refs = eb_realloc(s->refs, s->caprefs * sizeof(*s->refs));
	}
	row = &s->refs[s->nrefs++];
	row->time_ms = r->time_ms;
	for (int k = 0; k < REF_FIELDS; k++)
		row->f[k] = f[k] != NULL ? eb_strdup(f[k]) : NULL;
	row->cb = cb;
	row->arg = arg;
	row->alone = 0;
	if (s->nrefs >= REF_MAX) {
		refs_flush(s);
	} else if (s->nrefs == 1) {
		s->refs_since_us = mono_us();
		event_active(s->ev_refs, EV_TIMEOUT, 0);
	}
	return EB_OK;
}

int
eb_store_record_server(struct eb_store *s, const uint8_t *der, size_t len,
    const uint8_t fingerprint[EB_SHA256_LEN], const char *subject,
    eb_store_done_fn cb, void *arg)
{
	struct query *q = query_new(
	    "INSERT INTO servers (fingerprint, certificate, subject)"
	    " VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING",
	    Q_DONE, arg);
	int rc;

	q->cb.done = cb;
	if ((rc = query_param(q, fingerprint, EB_SHA256_LEN, 1)) ||
	    (rc = query_param(q, der, len, 1)) ||
	    (rc = query_param(q, subject, 0, 0))) {
		query_free(q);
		return rc;
	}
	return submit(s, q);
}

int
eb_store_sign_head(struct eb_store *s, const char *aggregate, int64_t seq,
    const uint8_t hash[EB_SHA256_LEN], const uint8_t *sig, size_t sig_len,
    eb_store_done_fn cb, void *arg)
{
	struct query *q = query_new(
	    "SELECT eb_sign_head($1, $2::int8, $3, $4)", Q_DONE, arg);
	int rc;

	query_named(s, q);
	q->cb.done = cb;
	if ((rc = query_param(q, aggregate, 0, 0)) ||
	    (rc = query_param_i64(q, seq)) ||
	    (rc = query_param(q, hash, EB_SHA256_LEN, 1)) ||
	    (rc = query_param(q, sig, sig_len, 1))) {
		query_free(q);
		return rc;
	}
	return submit(s, q);
}

static int
select_query(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, int text, int named, eb_store_result_fn cb,
    void *arg)
{
	struct query *q = query_new(sql, Q_RESULT, arg);
	int rc;

	if (named)
		query_named(s, q);
	q->cb.result = cb;
	q->text_results = text;
	for (int i = 0; i < nparams; i++) {
		if ((rc = query_param(q, params[i], 0, 0)) != EB_OK) {
			query_free(q);
			return rc;
		}
	}
	return submit(s, q);
}

int
eb_store_select(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg)
{
	return select_query(s, sql, nparams, params, 0, 0, cb, arg);
}

int
eb_store_select_named(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg)
{
	return select_query(s, sql, nparams, params, 0, 1, cb, arg);
}

void
eb_store_stats(const struct eb_store *s, struct eb_store_stats *out)
{
	*out = s->stats;
	out->spare_bytes = 0;
	for (int i = 0; i < s->nspare; i++)
		out->spare_bytes += s->spare[i].cap;
}

int
eb_store_select_text(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg)
{
	return select_query(s, sql, nparams, params, 1, 0, cb, arg);
}

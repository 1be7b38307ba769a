/*
 * engine/store/store.h
 *    The PostgreSQL store of ebidd: migrations, the durable hash-chained
 *    append, aggregate loading, the security log and id sequences, all over
 *    asynchronous libpq inside ebidd's libevent loop
 *    (docs/engineering-notes.md, libpq).
 *
 * A store is a small pool of connections (e.g. 4).  Each query is queued,
 * given to an idle connection (a batch append before the other waiting
 * queries), sent with PQsendQueryParams (binary
 * results) and answered through a callback from the event loop.  The
 * store's own statements and eb_store_select_named()'s are named
 * statements: each is parsed and planned once per connection
 * (PQsendPrepare the first time it runs there, again on a new
 * connection after a reconnect), then only bound and executed
 * (PQsendQueryPrepared).  Several
 * connections let appends to different aggregates commit in parallel
 * (PostgreSQL's group commit); appends to one aggregate are serialized by
 * the caller (ebidd's per-aggregate queue) and, across processes, by the
 * head row lock taken in eb_append() (schema/0002_read_models.sql).
 *
 * Every query is one statement in autocommit mode, so one append (entry,
 * head, read model, signed head) is one transaction, committed before its
 * callback runs.  Isolation is READ COMMITTED (the default; it is set
 * explicitly on every connection).
 *
 * Callbacks run on the loop thread, exactly once per accepted call; they
 * may submit further queries.  Pointers given to a callback are borrowed
 * for the duration of the call only.
 *
 * Owns: struct eb_store (eb_store_free()).
 *
 * INTERFACE
 *    eb_store_migrate()    - apply schema/NNNN_*.sql once each (blocking, at start)
 *    eb_store_migrations_pending() - how many are not applied (changes nothing)
 *    eb_store_open()       - start the connection pool on a base
 *    eb_store_free()       - close everything (NULL-safe)
 *    eb_store_busy()       - queries queued or in flight
 *    eb_store_up()         - connections currently usable
 *    eb_store_ping()       - a real round trip (health)
 *    eb_store_load()       - an aggregate's kind and its entries after a seq
 *    eb_store_append()     - the durable compare-and-set append
 *    eb_store_append_batch() - many appends (of one or several aggregates)
 *                            in one statement, one transaction, one commit
 *    eb_store_next_id()    - T-2026-0001 style ids
 *    eb_store_next_serial()- the TSA serial sequence
 *    eb_store_refusal()    - a refused command into security_log
 *    eb_store_record_server() - a server certificate into servers
 *    eb_store_sign_head()  - a chain head signed outside an append
 *    eb_store_select(), _select_text(), _select_named() - our reads
 *    eb_store_stats()      - statements prepared, executed, sent unnamed;
 *                            batch buffers reused and kept
 */
#ifndef EB_STORE_H
#define EB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "protocol/err.h"
#include "protocol/hash.h"

struct eb_store;
struct pg_result;           /* libpq's PGresult */

/* Plain completion: rc is EB_OK or a negative EB_ERR_* with 'err'. */
typedef void (*eb_store_done_fn)(int rc, const struct eb_error *err,
    void *arg);
typedef void (*eb_store_i64_fn)(int rc, const struct eb_error *err,
    int64_t value, void *arg);
typedef void (*eb_store_text_fn)(int rc, const struct eb_error *err,
    const char *text, void *arg);

typedef void (*eb_store_result_fn)(int rc, const struct eb_error *err,
    const struct pg_result *res, void *arg);

/* One stored entry as loaded (all bytes borrowed from the result). */
struct eb_store_row {
	int64_t seq;
	int64_t time_ms;
	uint8_t hash[EB_SHA256_LEN];
	const uint8_t *events;      /* canonical <events> bytes */
	size_t events_len;
	uint8_t command_sha256[EB_SHA256_LEN];   /* of its signed bytes */
};

/*
 * Result of eb_store_load(): rc EB_ERR_NOTFOUND when the aggregate does
 * not exist; otherwise its 'kind' and 'n' rows after the requested seq,
 * in seq order (n may be 0: the caller's copy is current).
 */
typedef void (*eb_store_rows_fn)(int rc, const struct eb_error *err,
    const char *kind, const struct eb_store_row *rows, size_t n, void *arg);

/* What eb_store_append() writes (all borrowed; copied before return). */
struct eb_store_entry {
	const char *aggregate;
	const char *kind;            /* "tender", "sale", "pool" */
	int64_t seq;                 /* head seq + 1 */
	int64_t time_ms;
	const char *party, *role, *person;
	const uint8_t *command;      /* the signed DER as received */
	size_t command_len;
	uint8_t command_sha256[EB_SHA256_LEN];
	const uint8_t *events;       /* canonical <events> bytes */
	size_t events_len;
	const char *clock;           /* "system", "driven", "accelerated" */
	int rules;                   /* rules version that decided it */
	const char *request_id;      /* a creating command's, or NULL */
	const uint8_t *receipt;      /* NULL when none */
	size_t receipt_len;
	uint8_t prev_hash[EB_SHA256_LEN];
	uint8_t hash[EB_SHA256_LEN];  /* eb_entry_hash() (protocol/entry.h) */
	const char *state;           /* state name after the entry */
	const uint8_t *head_sig;     /* signed head (commands.c says when), or NULL */
	size_t head_sig_len;
};

/* A refused command for security_log (all borrowed; copied). */
struct eb_store_refusal {
	int64_t time_ms;
	const char *clock;
	const char *party, *role, *person;
	const char *command, *target;
	const struct eb_error *why;
	const char *request_id;
};

/*
 * Apply every schema/NNNN_*.sql file of 'schema_dir' not yet recorded in
 * schema_migrations, in name order, each in its own transaction, under an
 * advisory lock (several ebidd may start at once).  Blocking: call before
 * the event loop runs.  Refuses (EB_ERR_STATE) when an applied file has
 * changed since.  Sets *applied to the number applied now.  Returns EB_OK,
 * EB_ERR_DB / EB_ERR_IO / EB_ERR_STATE with 'err' filled.
 */
int eb_store_migrate(const char *conninfo, const char *schema_dir,
    int *applied, struct eb_error *err) EB_MUSTCHECK;
/*
 * Change nothing: set *pending to the number of schema/NNNN_*.sql files
 * not yet recorded in schema_migrations (all of them when the table does
 * not exist).  Needs only SELECT on schema_migrations (ebid_app has it).
 * Refuses (EB_ERR_STATE) when an applied file has changed since.
 */
int eb_store_migrations_pending(const char *conninfo, const char *schema_dir,
    int *pending, struct eb_error *err) EB_MUSTCHECK;

/*
 * A pool of 'nconn' (1..32) connections to 'conninfo' on 'base'; the
 * connections are started at once and come up asynchronously (lost ones
 * are retried every second).  Returns a new store (eb_store_free()) or
 * NULL with 'err'.
 */
struct eb_store *eb_store_open(struct event_base *base, const char *conninfo,
    int nconn, struct eb_error *err);
/* Close every connection; queued queries are failed with EB_ERR_DB. */
void eb_store_free(struct eb_store *s);
/* Queries queued or in flight, and refusals not yet sent. */
size_t eb_store_busy(const struct eb_store *s);
/* Connections up now (idle or busy). */
int eb_store_up(const struct eb_store *s);

/*
 * Each call below returns EB_OK when the query is queued (its callback
 * will run exactly once, later, from the loop) or a negative code when it
 * could not be queued (no callback).  When no connection is up and none
 * is connecting, the callback gets EB_ERR_DB "database unreachable".
 */
/* SELECT 1 round trip; value = 1. */
int eb_store_ping(struct eb_store *s, eb_store_i64_fn cb, void *arg);
int eb_store_load(struct eb_store *s, const char *aggregate,
    int64_t after_seq, eb_store_rows_fn cb, void *arg);
/* rc EB_ERR_CONFLICT "head-moved" when the head is no longer prev/seq-1. */
int eb_store_append(struct eb_store *s, const struct eb_store_entry *e,
    eb_store_done_fn cb, void *arg);
/*
 * Group commit: 'n' entries (1..EB_STORE_BATCH_MAX) in one statement
 * (eb_append_batch(), schema/0011_append_batch.sql), so one transaction
 * and one WAL flush.  The caller orders them by aggregate id, then seq,
 * each aggregate's entries chained on one another.  rc is EB_OK when the
 * statement committed; then status[i] says what became of entry i:
 */
#define EB_STORE_BATCH_MAX 4096
#define EB_APPENDED 'o'          /* in the log, durable */
#define EB_APPEND_DUP 'd'        /* duplicate-command: the bytes are there */
#define EB_APPEND_MOVED 'm'      /* head-moved: another ebidd appended */
#define EB_APPEND_SKIPPED 's'    /* an earlier entry of its aggregate failed */
#define EB_APPEND_CODE 'c'       /* a subject's credit code is taken (0012) */
typedef void (*eb_store_batch_fn)(int rc, const struct eb_error *err,
    const char *status, size_t n, void *arg);
int eb_store_append_batch(struct eb_store *s,
    const struct eb_store_entry *const *entries, size_t n,
    eb_store_batch_fn cb, void *arg);
/* Next id of 'kind' for 'year', e.g. "T-2026-0001". */
int eb_store_next_id(struct eb_store *s, const char *kind, int year,
    eb_store_text_fn cb, void *arg);
int eb_store_next_serial(struct eb_store *s, eb_store_i64_fn cb, void *arg);
/*
 * A read-only query of ours: 'sql' is static text, 'params' text values
 * ($1..$n), results in binary format.  The callback borrows the result
 * (valid during the call only); rc != EB_OK gives res NULL.
 */
int eb_store_select(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg);
/* The same with results in text format. */
int eb_store_select_text(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg);
/*
 * eb_store_select() as a named statement: 'sql' must be a string literal
 * (its address is its key), prepared once per connection.  For the hot
 * paths whose plan does not depend on the parameters' values: after five
 * runs PostgreSQL may keep a generic plan (docs/performance.md, "Issue 17,
 * sixth pass: the hot race").
 */
int eb_store_select_named(struct eb_store *s, const char *sql, int nparams,
    const char *const *params, eb_store_result_fn cb, void *arg);

/* What the pool sent, since eb_store_open() (tests, diagnostics). */
struct eb_store_stats {
	uint64_t prepares;           /* PQsendPrepare: once per statement and connection */
	uint64_t executes;           /* PQsendQueryPrepared */
	uint64_t unnamed;            /* PQsendQueryParams */
	/* the batch appends' parameter buffers: taken from the spares kept
	 * from earlier batches, or allocated (the spares: at most 2, each at
	 * most 8 MiB, freed after a second without a batch) */
	uint64_t batch_buffers_reused;
	uint64_t batch_buffers_new;
	size_t spare_bytes;          /* kept now */
	/* security_log rows: written on their own (one INSERT per loop
	 * pass), in a batch append's statement, given back by a batch the
	 * database refused (then written on their own) */
	uint64_t refusals_alone;
	uint64_t refusals_with_batch;
	uint64_t refusals_back;
};
void eb_store_stats(const struct eb_store *s, struct eb_store_stats *out);
/*
 * Record a server certificate (DER, its SHA-256 and subject) in the
 * servers table, once (schema/0005_servers_heads.sql).  cb may be NULL.
 */
int eb_store_record_server(struct eb_store *s, const uint8_t *der,
    size_t len, const uint8_t fingerprint[EB_SHA256_LEN],
    const char *subject, eb_store_done_fn cb, void *arg);
/*
 * Store a chain head signed outside an append (eb_sign_head: only a head
 * that is in the log, once).  cb may be NULL.
 */
int eb_store_sign_head(struct eb_store *s, const char *aggregate,
    int64_t seq, const uint8_t hash[EB_SHA256_LEN], const uint8_t *sig,
    size_t sig_len, eb_store_done_fn cb, void *arg);
/*
 * cb may be NULL (fire and forget).  The row is queued and each cb gets
 * the outcome of the statement that wrote it.  The refusals queued go
 * with the next batch append (eb_store_append_batch(): an INSERT in its
 * statement, so its transaction and its COMMIT) sent within 20 ms of the
 * oldest; otherwise in one INSERT of their own (its own transaction,
 * committed without waiting for the WAL flush).  A batch the database
 * refuses gives its refusals back, written then on their own; a row with
 * a NULL or with text that is not UTF-8 is always written on its own.
 * Returns EB_OK.
 */
int eb_store_refusal(struct eb_store *s, const struct eb_store_refusal *r,
    eb_store_done_fn cb, void *arg);


#endif

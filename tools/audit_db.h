/*
 * tools/audit_db.h
 *    Load an aggregate's log straight from PostgreSQL (libpq, read-only),
 *    so that tampering done inside the database is caught by the very same
 *    checks as an exported file (tools/audit_log.h).
 */
#ifndef EB_AUDIT_DB_H
#define EB_AUDIT_DB_H

#include <stddef.h>

#include "protocol/err.h"
#include "tools/audit_log.h"

/*
 * Read every entry and signed chain head of aggregate 'id' over the libpq
 * connection string 'conninfo'.  Returns EB_OK and *out (free with
 * eb_audit_log_free()), or EB_ERR_DB / EB_ERR_NOTFOUND with 'err'.
 */
int eb_audit_db_load(const char *conninfo, const char *id,
    struct eb_audit_log **out, struct eb_error *err) EB_MUSTCHECK;

/*
 * The same load, streamed (issue 17, sixth pass): a thread reads, in one
 * REPEATABLE READ snapshot, the aggregate's kind, its entry count, its
 * signed chain heads and the server certificates, then the entries row
 * by row (libpq single-row mode) into an array sized by that count, so
 * that ebid-audit verify checks the first entries while the rest are
 * still being read.  The stored events are NOT parsed here: the checks
 * parse each entry's (tools/audit_checks.c), once, on their threads.
 *
 * eb_audit_db_stream_start(): never NULL; starts reading at once.
 * eb_audit_db_stream_log(): waits for the header; EB_OK and *out (the
 *     caller's from then on, eb_audit_log_free(), its entries still
 *     arriving: touch entry i only after _wait(i) said 1), or the load's
 *     error (then it has ended).
 * eb_audit_db_stream_wait(): 1 when entry i is read, 0 when the load
 *     ended before it (every row read, or a failure); an eb_audit_feed_fn.
 * eb_audit_db_stream_end(): waits for the end: EB_OK with log->n final,
 *     or the load's error (a database failure, a malformed row, the
 *     log changed while read), which is then the verdict.
 * eb_audit_db_stream_free(): joins; frees the log if it was not taken.
 */
struct eb_audit_db_stream;
struct eb_audit_db_stream *eb_audit_db_stream_start(const char *conninfo,
    const char *id);
int eb_audit_db_stream_log(struct eb_audit_db_stream *s,
    struct eb_audit_log **out, struct eb_error *err) EB_MUSTCHECK;
int eb_audit_db_stream_wait(void *s, size_t i);
int eb_audit_db_stream_end(struct eb_audit_db_stream *s,
    struct eb_error *err) EB_MUSTCHECK;
void eb_audit_db_stream_free(struct eb_audit_db_stream *s);

#endif

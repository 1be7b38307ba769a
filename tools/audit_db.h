/*
 * tools/audit_db.h
 *    Load an aggregate's log straight from PostgreSQL (libpq, read-only),
 *    so that tampering done inside the database is caught by the very same
 *    checks as an exported file (tools/audit_log.h).
 */
#ifndef EB_AUDIT_DB_H
#define EB_AUDIT_DB_H

#include "protocol/err.h"
#include "tools/audit_log.h"

/*
 * Read every entry and signed chain head of aggregate 'id' over the libpq
 * connection string 'conninfo'.  Returns EB_OK and *out (free with
 * eb_audit_log_free()), or EB_ERR_DB / EB_ERR_NOTFOUND with 'err'.
 */
int eb_audit_db_load(const char *conninfo, const char *id,
    struct eb_audit_log **out, struct eb_error *err) EB_MUSTCHECK;

#endif

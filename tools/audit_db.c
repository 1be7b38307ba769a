/*
 * tools/audit_db.c
 *    Load an aggregate's log straight from PostgreSQL: see audit_db.h.
 *
 * Reads the tables of schema/0001_log.sql and 0002_read_models.sql
 * (aggregates, log, chain_heads_signed) and 0005 (servers) with one
 * blocking libpq
 * connection, binary results, parameterised queries.  Nothing is written.
 */
#include "audit_db.h"

#include <stdlib.h>
#include <string.h>

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


int
eb_audit_db_load(const char *conninfo, const char *id,
    struct eb_audit_log **out, struct eb_error *err)
{
	const char *params[1] = { id };
	struct eb_audit_log *l = NULL;
	struct eb_audit_entry e;
	struct eb_audit_head h;
	PGresult *r = NULL;
	PGconn *c = NULL;
	int rc = EB_OK, i;

	*out = NULL;
	memset(&e, 0, sizeof(e));
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = db_fail(err, c, "cannot connect to the database");
		goto out;
	}
	r = PQexecParams(c, "SELECT kind FROM aggregates WHERE id = $1", 1,
	    NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(err, c, "cannot read aggregates");
		goto out;
	}
	if (PQntuples(r) != 1) {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "no-such-aggregate",
		    "Check the id with 'ebid-audit export --all'.",
		    "no tender or sale %s in this database", id);
		goto out;
	}
	l = eb_audit_log_new(id, PQgetvalue(r, 0, 0));
	PQclear(r);
	r = PQexecParams(c,
	    "SELECT seq, time_ms, party, role, person, command, events, clock,"
	    " receipt, prev_hash, hash, rules FROM log WHERE aggregate = $1"
	    " ORDER BY seq", 1, NULL, params, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(err, c, "cannot read the log");
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++) {
		memset(&e, 0, sizeof(e));
		e.seq = be64(PQgetvalue(r, i, 0));
		e.time = be64(PQgetvalue(r, i, 1));
		snprintf(e.actor.party, sizeof(e.actor.party), "%.*s",
		    PQgetlength(r, i, 2), PQgetvalue(r, i, 2));
		snprintf(e.actor.person, sizeof(e.actor.person), "%.*s",
		    PQgetlength(r, i, 4), PQgetvalue(r, i, 4));
		snprintf(e.clock, sizeof(e.clock), "%.*s",
		    PQgetlength(r, i, 7), PQgetvalue(r, i, 7));
		/* int2, binary: NULL before rules versions were recorded */
		if (!PQgetisnull(r, i, 11) && PQgetlength(r, i, 11) == 2)
			e.rules = (int)(((unsigned)(uint8_t)PQgetvalue(r, i,
			    11)[0] << 8) | (uint8_t)PQgetvalue(r, i, 11)[1]);
		{
			char role[32];

			snprintf(role, sizeof(role), "%.*s",
			    PQgetlength(r, i, 3), PQgetvalue(r, i, 3));
			if (eb_role_parse(role, &e.actor.role) != EB_OK)
				e.actor.role = EB_ROLE_NONE;
		}
		e.command = dup_bytes(PQgetvalue(r, i, 5), PQgetlength(r, i, 5));
		e.command_len = (size_t)PQgetlength(r, i, 5);
		if (!PQgetisnull(r, i, 8)) {
			e.receipt = dup_bytes(PQgetvalue(r, i, 8),
			    PQgetlength(r, i, 8));
			e.receipt_len = (size_t)PQgetlength(r, i, 8);
		}
		if (PQgetlength(r, i, 9) != EB_SHA256_LEN ||
		    PQgetlength(r, i, 10) != EB_SHA256_LEN) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-row", NULL,
			    "entry %lld: hashes are not 32 bytes",
			    (long long)e.seq);
			goto out;
		}
		memcpy(e.prev, PQgetvalue(r, i, 9), EB_SHA256_LEN);
		memcpy(e.hash, PQgetvalue(r, i, 10), EB_SHA256_LEN);
		if ((rc = eb_xml_parse_stored_events(
		    (const uint8_t *)PQgetvalue(r, i, 6),
		    (size_t)PQgetlength(r, i, 6), &e.events, err)) != EB_OK) {
			eb_error_detail(err, "entry %lld of %s", (long long)e.seq,
			    id);
			goto out;
		}
		eb_audit_log_add(l, &e);
	}
	PQclear(r);
	r = PQexecParams(c,
	    "SELECT seq, hash, signature FROM chain_heads_signed"
	    " WHERE aggregate = $1 ORDER BY seq", 1, NULL, params, NULL, NULL,
	    1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = db_fail(err, c, "cannot read the signed chain heads");
		goto out;
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
		rc = db_fail(err, c, "cannot read the server certificates");
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++)
		if ((rc = eb_audit_log_add_server(l,
		    (const uint8_t *)PQgetvalue(r, i, 0),
		    (size_t)PQgetlength(r, i, 0))) != EB_OK)
			goto out;
	*out = l;
	l = NULL;
out:
	free(e.command);
	free(e.receipt);
	eb_doc_free(e.events);
	PQclear(r);
	PQfinish(c);
	eb_audit_log_free(l);
	return rc;
}

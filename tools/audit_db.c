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
static int
load_entries(PGresult *r, struct eb_audit_log *l, const char *id,
    struct eb_error *err)
{
	size_t n = (size_t)PQntuples(r), i, good;
	struct eb_audit_entry *ents = eb_calloc(n > 0 ? n : 1, sizeof(*ents));
	struct eb_error bad;
	int rc = EB_OK, rc_bad = EB_OK;

	eb_error_clear(&bad);
	for (i = 0; i < n; i++) {
		struct eb_audit_entry *e = &ents[i];
		int row = (int)i;

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
		    PQgetlength(r, row, 10) != EB_SHA256_LEN) {
			rc_bad = eb_fail(&bad, EB_ERR_FORMAT, "bad-row", NULL,
			    "entry %lld: hashes are not 32 bytes",
			    (long long)e->seq);
			break;
		}
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
		free(ents[i].command);
		free(ents[i].receipt);
		eb_doc_free(ents[i].events);
		free(ents[i].events_bytes);
	}
	free(ents);
	return rc;
}

int
eb_audit_db_load(const char *conninfo, const char *id,
    struct eb_audit_log **out, struct eb_error *err)
{
	const char *params[1] = { id };
	struct eb_audit_log *l = NULL;
	struct eb_audit_head h;
	PGresult *r = NULL;
	PGconn *c = NULL;
	int rc = EB_OK, i;

	*out = NULL;
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
	if ((rc = load_entries(r, l, id, err)) != EB_OK)
		goto out;
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
	PQclear(r);
	PQfinish(c);
	eb_audit_log_free(l);
	return rc;
}
